/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * DMI (SMBIOS) through /sys/class/dmi/id.  Only HVM domains have firmware
 * tables: a Xen HVM guest reads sys_vendor "Xen", product_name "HVM domU"
 * (hvmloader); PV and PVH guests have none; dom0 sees the real machine's,
 * so DMI is never a dom0 signal.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "probe.h"

#define SRC "dmi"

static const struct {
        const char *prefix;
        enum xp_hv id;
} dmi_vendor_table[] = {
        /* systemd src/basic/virt.c dmi_vendor_table[] and vendors' own strings */
        { "Xen", XP_HV_XEN },              /* hvmloader: "Xen" / "HVM domU" */
        { "KVM", XP_HV_KVM },
        { "Amazon EC2", XP_HV_AMAZON },    /* Nitro (KVM based) */
        { "Google Compute Engine", XP_HV_GOOGLE },
        { "QEMU", XP_HV_QEMU },            /* QEMU machine, KVM or TCG: CPUID tells */
        { "VMware", XP_HV_VMWARE },
        { "VMW", XP_HV_VMWARE },
        { "innotek GmbH", XP_HV_ORACLE },
        { "VirtualBox", XP_HV_ORACLE },
        { "Oracle Corporation", XP_HV_ORACLE },
        { "Microsoft Corporation", XP_HV_MICROSOFT }, /* only with "Virtual Machine" */
        { "Parallels", XP_HV_PARALLELS },
        { "BHYVE", XP_HV_BHYVE },
        { "Bochs", XP_HV_BOCHS },
        { "OpenStack", XP_HV_KVM },
        { "KubeVirt", XP_HV_KVM },
        { "Apple Virtualization", XP_HV_APPLE },
};

static enum xp_hv lookup(const char *vendor, const char *product)
{
        for (size_t i = 0; i < ELEMENTSOF(dmi_vendor_table); i++)
                if (xp_startswith(vendor, dmi_vendor_table[i].prefix)) {
                        if (dmi_vendor_table[i].id == XP_HV_MICROSOFT &&
                            !strstr(product, "Virtual Machine"))
                                continue; /* Surface laptops are not VMs */
                        /* an EC2 bare-metal instance ("i3.metal", "m5.metal-48xl")
                         * has the same vendor: systemd's detect_vm_dmi() */
                        const char *metal = dmi_vendor_table[i].id == XP_HV_AMAZON ? strstr(product, ".metal") : NULL;
                        if (metal && (metal[6] == '\0' || metal[6] == '-'))
                                return XP_HV_NONE;
                        return dmi_vendor_table[i].id;
                }
        return XP_HV_NONE;
}

/* What the system vendor HV means.  "QEMU" names the machine type, which is
 * the same under KVM and TCG: only CPUID tells the accelerator. */
static const char *vendor_meaning(enum xp_hv hv)
{
        if (hv == XP_HV_XEN)
                return "Xen HVM firmware (hvmloader): an HVM domU";
        if (hv == XP_HV_NONE)
                return "no known virtual machine vendor (hardware, or a PV dom0 seeing it)";
        return xp_hv_dmi_name(hv);
}

static void read_field(struct xp_ctx *ctx, struct xp_report *r, const char *leaf, char *buf, size_t len,
                       int *found)
{
        char path[64];
        snprintf(path, sizeof(path), "sys/class/dmi/id/%s", leaf);
        int e = xp_root_read_leaf(xp_ctx_root(ctx), path, buf, len);
        if (e < 0) {
                DBG(ctx, "%s: %s", path, strerror(-e));
                /* absent: no DMI; a failed read is evidence, not an empty vendor */
                if (e != -ENOENT)
                        xp_evidence_add(r, SRC, path, XP_ST_UNREADABLE, NULL, "%s", strerror(-e));
                return;
        }
        (*found)++;
}

/* What names an EC2 instance (docs.aws.amazon.com, "Detect whether a host
 * is an EC2 instance"): a product_uuid starting "EC2"/"ec2" (root-only on a
 * live system: an unprivileged run simply has none, and that is not an
 * unreadable source) and, on Nitro, an instance id as board_asset_tag. */
static void read_cloud_fields(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_dmi_facts *d = &r->facts.dmi;
        struct xp_root *root = xp_ctx_root(ctx);
        if (xp_root_read_leaf(root, "sys/class/dmi/id/product_uuid", d->product_uuid, sizeof(d->product_uuid)) < 0)
                d->product_uuid[0] = '\0';
        if (xp_root_read_leaf(root, "sys/class/dmi/id/board_asset_tag", d->board_asset_tag,
                              sizeof(d->board_asset_tag)) < 0)
                d->board_asset_tag[0] = '\0';
        if (strncasecmp(d->product_uuid, "ec2", 3) == 0)
                xp_evidence_add(r, SRC, "sys/class/dmi/id/product_uuid", XP_ST_FOUND, d->product_uuid,
                                "starts with EC2: an Amazon EC2 instance (AWS: \"Detect whether a host is an EC2 instance\")");
        if (xp_startswith(d->board_asset_tag, "i-"))
                xp_evidence_add(r, SRC, "sys/class/dmi/id/board_asset_tag", XP_ST_FOUND, d->board_asset_tag,
                                "an EC2 instance id: the asset tag of a Nitro-based instance");
}

static int run(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_facts *f = &r->facts;
        int found = 0;
        read_field(ctx, r, "sys_vendor", f->dmi.sys_vendor, sizeof(f->dmi.sys_vendor), &found);
        read_field(ctx, r, "product_name", f->dmi.product_name, sizeof(f->dmi.product_name), &found);
        read_field(ctx, r, "bios_vendor", f->dmi.bios_vendor, sizeof(f->dmi.bios_vendor), &found);
        read_field(ctx, r, "bios_version", f->dmi.bios_version, sizeof(f->dmi.bios_version), &found);
        read_cloud_fields(ctx, r);
        if (!found) {
                f->dmi.status = XP_ST_ABSENT;
                xp_evidence_add(r, SRC, "sys/class/dmi/id", XP_ST_ABSENT, NULL,
                                "no DMI tables (no SMBIOS), as in Xen PV and PVH guests, VMs booted without SMBIOS (e.g. Firecracker), some containers, and non-x86 systems without SMBIOS");
                return 1;
        }
        f->dmi.status = XP_ST_FOUND;
        f->dmi.hv = lookup(f->dmi.sys_vendor, f->dmi.product_name);
        if (f->dmi.hv == XP_HV_NONE)
                f->dmi.hv = lookup(f->dmi.bios_vendor, f->dmi.product_name);
        char val[160];
        snprintf(val, sizeof(val), "%s / %s", f->dmi.sys_vendor, f->dmi.product_name);
        xp_evidence_add(r, SRC, "sys/class/dmi/id/{sys_vendor,product_name}", XP_ST_FOUND, val, "%s",
                        vendor_meaning(f->dmi.hv));
        snprintf(val, sizeof(val), "%s / %s", f->dmi.bios_vendor, f->dmi.bios_version);
        xp_evidence_add(r, SRC, "sys/class/dmi/id/{bios_vendor,bios_version}", XP_ST_FOUND, val, "%s",
                        strcmp(f->dmi.bios_vendor, "Xen") == 0 ? "Xen HVM BIOS; version is the hypervisor's"
                                                           : "firmware identity");
        return 0;
}

const struct xp_probe xp_dmi_probe = {
        .name = SRC,
        .run = run,
};
