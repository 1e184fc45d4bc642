/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The evidence model: evidence items, warnings, notes and rule hits added
 * to a report, and the one spelling of every id (text, JSON and xenstore
 * all use these tables).  The report's life cycle is probes/report.c. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* TABLE: indexed by the enum; the exported xp_*_words[] ones have one more
 * slot, the NULL that ends the list (and is "unknown" here) */
#define TABLE_LOOKUP(name, type, table)                                        \
        const char *name(type v)                                               \
        {                                                                      \
                if ((unsigned)v >= ELEMENTSOF(table) || !table[v])             \
                        return "unknown";                                      \
                return table[v];                                               \
        }

const char *const xp_hv_words[_XP_HV_MAX + 1] = {
        [XP_HV_NONE] = "none",         [XP_HV_XEN] = "xen",
        [XP_HV_KVM] = "kvm",           [XP_HV_QEMU] = "qemu",
        [XP_HV_VMWARE] = "vmware",     [XP_HV_MICROSOFT] = "microsoft",
        [XP_HV_ORACLE] = "oracle",     [XP_HV_PARALLELS] = "parallels",
        [XP_HV_BHYVE] = "bhyve",       [XP_HV_ACRN] = "acrn",
        [XP_HV_QNX] = "qnx",           [XP_HV_POWERVM] = "powervm",
        [XP_HV_APPLE] = "apple",       [XP_HV_SRE] = "sre",
        [XP_HV_AMAZON] = "amazon",     [XP_HV_GOOGLE] = "google",
        [XP_HV_BOCHS] = "bochs",       [XP_HV_OTHER] = "other",
};
TABLE_LOOKUP(xp_hv_to_string, enum xp_hv, xp_hv_words)

static const char *const hv_name_table[_XP_HV_MAX] = {
        [XP_HV_NONE] = "no hypervisor",  [XP_HV_XEN] = "Xen",
        [XP_HV_KVM] = "KVM",             [XP_HV_QEMU] = "QEMU (TCG)",
        [XP_HV_VMWARE] = "VMware",       [XP_HV_MICROSOFT] = "Microsoft Hyper-V",
        [XP_HV_ORACLE] = "Oracle VirtualBox", [XP_HV_PARALLELS] = "Parallels",
        [XP_HV_BHYVE] = "bhyve",         [XP_HV_ACRN] = "ACRN",
        [XP_HV_QNX] = "QNX hypervisor",  [XP_HV_POWERVM] = "PowerVM",
        [XP_HV_APPLE] = "Apple Virtualization", [XP_HV_SRE] = "SRE",
        [XP_HV_AMAZON] = "Amazon EC2 (Nitro)", [XP_HV_GOOGLE] = "Google Compute Engine",
        [XP_HV_BOCHS] = "Bochs",         [XP_HV_OTHER] = "an unidentified hypervisor",
};
TABLE_LOOKUP(xp_hv_to_name, enum xp_hv, hv_name_table)

const char *xp_hv_dmi_name(enum xp_hv h)
{
        return h == XP_HV_QEMU ? "a QEMU virtual machine (KVM or TCG: DMI does not tell which)" : xp_hv_to_name(h);
}

const char *xp_report_hv_name(const struct xp_report *r)
{
        return r->hypervisor_by_dmi ? xp_hv_dmi_name(r->hypervisor) : xp_hv_to_name(r->hypervisor);
}

const char *const xp_mode_words[_XP_MODE_MAX + 1] = {
        [XP_MODE_NONE] = "none", [XP_MODE_PV] = "pv",   [XP_MODE_PVH] = "pvh",
        [XP_MODE_PVHVM] = "pvhvm", [XP_MODE_HVM] = "hvm",
};
TABLE_LOOKUP(xp_mode_to_string, enum xp_mode, xp_mode_words)

static const char *const mode_desc_table[_XP_MODE_MAX] = {
        [XP_MODE_NONE] = "not a Xen guest",
        [XP_MODE_PV] = "PV (paravirtualized guest)",
        [XP_MODE_PVH] = "PVH (PV guest in an HVM container)",
        [XP_MODE_PVHVM] = "PVHVM (HVM guest using PV drivers)",
        [XP_MODE_HVM] = "HVM (emulated devices only, no PV drivers in use)",
};
TABLE_LOOKUP(xp_mode_to_description, enum xp_mode, mode_desc_table)

const char *const xp_role_words[_XP_ROLE_MAX + 1] = {
        [XP_ROLE_NONE] = "none", [XP_ROLE_DOM0] = "dom0", [XP_ROLE_DOMU] = "domU",
};
TABLE_LOOKUP(xp_role_to_string, enum xp_role, xp_role_words)

static const char *const gt_table[_XP_GT_MAX] = {
        [XP_GT_UNKNOWN] = "unknown", [XP_GT_PV] = "PV", [XP_GT_PVH] = "PVH", [XP_GT_HVM] = "HVM",
};
TABLE_LOOKUP(xp_guest_type_to_string, enum xp_guest_type, gt_table)

static const char *const status_table[_XP_ST_MAX] = {
        [XP_ST_FOUND] = "found",
        [XP_ST_ABSENT] = "absent",
        [XP_ST_UNREADABLE] = "unreadable",
        [XP_ST_UNAVAILABLE] = "not-available",
};
TABLE_LOOKUP(xp_status_to_string, enum xp_status, status_table)

const char *const xp_confidence_words[_XP_CONF_MAX + 1] = {
        [XP_CONF_LOW] = "low", [XP_CONF_MEDIUM] = "medium", [XP_CONF_HIGH] = "high",
};
TABLE_LOOKUP(xp_confidence_to_string, enum xp_confidence, xp_confidence_words)

const char *const xp_kstate_words[_XP_KS_MAX + 1] = {
        [XP_KS_UNKNOWN] = "unknown", [XP_KS_LOADED] = "loaded",   [XP_KS_BUILTIN] = "built-in",
        [XP_KS_MODULE] = "module",   [XP_KS_MISSING] = "missing",
};
TABLE_LOOKUP(xp_kstate_to_string, enum xp_kstate, xp_kstate_words)

const char *const xp_disk_kind_words[_XP_DISK_MAX + 1] = {
        [XP_DISK_UNKNOWN] = "unknown", [XP_DISK_XEN_PV] = "xen-pv",   [XP_DISK_ATA] = "ata",
        [XP_DISK_SCSI] = "scsi",       [XP_DISK_VIRTIO] = "virtio",   [XP_DISK_NVME] = "nvme",
        [XP_DISK_MEMORY] = "memory",   [XP_DISK_NETWORK] = "network", [XP_DISK_VIRTUAL] = "virtual",
        [XP_DISK_OTHER] = "other",
};
TABLE_LOOKUP(xp_disk_kind_to_string, enum xp_disk_kind, xp_disk_kind_words)

static const char *const disk_desc_table[_XP_DISK_MAX] = {
        [XP_DISK_UNKNOWN] = "unknown device",
        [XP_DISK_XEN_PV] = "Xen PV disk (xen-blkfront)",
        [XP_DISK_ATA] = "emulated ATA",
        [XP_DISK_SCSI] = "SCSI",
        [XP_DISK_VIRTIO] = "virtio",
        [XP_DISK_NVME] = "NVMe",
        [XP_DISK_MEMORY] = "in memory (initramfs/tmpfs)",
        [XP_DISK_NETWORK] = "network filesystem",
        [XP_DISK_VIRTUAL] = "stacked device (dm/md/loop/overlay)",
        [XP_DISK_OTHER] = "other device",
};
TABLE_LOOKUP(xp_disk_kind_to_description, enum xp_disk_kind, disk_desc_table)

const char *const xp_cloud_words[_XP_CLOUD_MAX + 1] = {
        [XP_CLOUD_NONE] = "none",           [XP_CLOUD_EC2_XEN] = "ec2-xen",
        [XP_CLOUD_EC2_NITRO] = "ec2-nitro", [XP_CLOUD_EC2_METAL] = "ec2-metal",
};
TABLE_LOOKUP(xp_cloud_to_string, enum xp_cloud, xp_cloud_words)

static const char *const cloud_name_table[_XP_CLOUD_MAX] = {
        [XP_CLOUD_NONE] = "no known cloud",
        [XP_CLOUD_EC2_XEN] = "Amazon EC2 (Xen-based instance)",
        [XP_CLOUD_EC2_NITRO] = "Amazon EC2 (Nitro, KVM: not Xen)",
        [XP_CLOUD_EC2_METAL] = "Amazon EC2 (bare-metal instance: no hypervisor)",
};
TABLE_LOOKUP(xp_cloud_to_name, enum xp_cloud, cloud_name_table)

static const char *const xm_table[_XP_XM_MAX] = {
        [XP_XM_BLKFRONT] = "xen_blkfront",   [XP_XM_NETFRONT] = "xen_netfront",
        [XP_XM_PLATFORM_PCI] = "xen_platform_pci", [XP_XM_XENFS] = "xenfs",
        [XP_XM_PRIVCMD] = "xen_privcmd",     [XP_XM_EVTCHN] = "xen_evtchn",
        [XP_XM_GNTDEV] = "xen_gntdev",       [XP_XM_GNTALLOC] = "xen_gntalloc",
        [XP_XM_KBDFRONT] = "xen_kbdfront",   [XP_XM_FBFRONT] = "xen_fbfront",
        [XP_XM_SCSIFRONT] = "xen_scsifront", [XP_XM_PCIFRONT] = "xen_pcifront",
        [XP_XM_BLKBACK] = "xen_blkback",     [XP_XM_NETBACK] = "xen_netback",
};
TABLE_LOOKUP(xp_xen_module_name, enum xp_xen_module, xm_table)

enum xp_status xp_status_from_errno(int err)
{
        if (err == -ENOENT || err == -ENOTDIR)
                return XP_ST_ABSENT;
        return XP_ST_UNREADABLE;
}

int xp_evidence_add(struct xp_report *r, const char *source, const char *path,
                    enum xp_status status, const char *value, const char *implies_fmt, ...)
{
        if (xp_grow(&r->evidence, &r->cap_evidence, r->n_evidence, sizeof(*r->evidence), 32) < 0) {
                xp_note_enomem();
                return -ENOMEM;
        }
        struct xp_evidence *e = &r->evidence[r->n_evidence];
        memset(e, 0, sizeof(*e));
        e->status = status;
        e->source = strdup(source);
        e->path = xp_sanitize(path, strlen(path), 200); /* names come from readdir of the root */
        e->value = value ? xp_sanitize(value, strlen(value), 200) : NULL;
        if (implies_fmt) {
                va_list ap;
                va_start(ap, implies_fmt);
                if (vasprintf(&e->implies, implies_fmt, ap) < 0)
                        e->implies = NULL;
                va_end(ap);
        }
        if (!e->source || !e->path || (value && !e->value) || (implies_fmt && !e->implies)) {
                free(e->source);
                free(e->path);
                free(e->value);
                free(e->implies);
                xp_note_enomem();
                return -ENOMEM;
        }
        r->n_evidence++;
        return 0;
}

static int push_fmt(char ***v, const char *fmt, va_list ap)
{
        char *s;
        if (vasprintf(&s, fmt, ap) < 0)
                return -ENOMEM;
        /* no duplicates: two rules may reach the same contradiction */
        for (size_t i = 0; *v && (*v)[i]; i++)
                if (strcmp((*v)[i], s) == 0) {
                        free(s);
                        return 0;
                }
        int r = xp_strv_push(v, s);
        free(s);
        return r;
}

int xp_report_warn(struct xp_report *r, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int ret = push_fmt(&r->warnings, fmt, ap);
        va_end(ap);
        if (ret == -ENOMEM)
                xp_note_enomem();
        return ret;
}

int xp_report_note(struct xp_report *r, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int ret = push_fmt(&r->notes, fmt, ap);
        va_end(ap);
        if (ret == -ENOMEM)
                xp_note_enomem();
        return ret;
}

int xp_report_rule(struct xp_report *r, const char *name, const char *fmt, ...)
{
        if (xp_grow(&r->rules, &r->cap_rules, r->n_rules, sizeof(*r->rules), 16) < 0) {
                xp_note_enomem();
                return -ENOMEM;
        }
        char *d;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&d, fmt, ap);
        va_end(ap);
        if (n < 0) {
                xp_note_enomem();
                return -ENOMEM;
        }
        r->rules[r->n_rules].name = name;
        r->rules[r->n_rules++].detail = d;
        return 0;
}

const char *xp_report_xen_version(const struct xp_report *r)
{
        if (r->facts.hv.xen_version[0])
                return r->facts.hv.xen_version;
        if (r->facts.cpuid.xen_version[0])
                return r->facts.cpuid.xen_version;
        return NULL;
}

/* a verdict is a mode word, or one of these for dom0 */
const char *const xp_verdict_dom0_words[] = { "dom0-pv", "dom0-pvh", NULL };

const char *xp_report_verdict(const struct xp_report *r)
{
        if (r->hypervisor != XP_HV_XEN || r->role == XP_ROLE_NONE)
                return xp_mode_to_string(XP_MODE_NONE);
        if (r->role == XP_ROLE_DOM0)
                return xp_verdict_dom0_words[r->mode == XP_MODE_PVH];
        return xp_mode_to_string(r->mode);
}

const char *const xp_pv_in_use_words[] = { "in-use", NULL };
const char *const xp_not_checked_words[] = { "not-checked", NULL };

const char *xp_report_pv_driver(const struct xp_report *r, enum xp_xen_module m, const char *devtype)
{
        const struct xp_xenbus_facts *x = &r->facts.xenbus;
        for (size_t i = 0; i < x->n_devs; i++)
                if (strcmp(x->devs[i].devtype, devtype) == 0 && x->devs[i].connected && x->devs[i].driver[0])
                        return xp_pv_in_use_words[0];
        return xp_kstate_to_string(r->facts.modules.state[m]);
}

int xp_report_boot_mode(const struct xp_report *r)
{
        switch (r->mode) {
        case XP_MODE_PV:
                return XP_BOOT_PV;
        case XP_MODE_PVH:
                return XP_BOOT_PVH;
        case XP_MODE_PVHVM:
        case XP_MODE_HVM:
                return XP_BOOT_HVM;
        default:
                return -1;
        }
}

enum xp_check_status xp_report_kernel_boot(const struct xp_report *r, const struct xp_boot_kernel *k)
{
        int mode = xp_report_boot_mode(r);
        if (mode >= 0)
                return k->mode[mode];
        enum xp_check_status st = XP_CHECK_OK;
        for (int m = 0; m < _XP_BOOT_MAX; m++)
                st = xp_check_status_worse(st, k->mode[m]);
        return st;
}

const char *xp_report_boot_summary(const struct xp_report *r)
{
        const struct xp_boot *b = &r->boot;
        if (!b->probed || !b->n_kernels)
                return xp_not_checked_words[0];
        enum xp_check_status sum = XP_CHECK_OK;
        for (size_t i = 0; i < b->n_kernels; i++)
                sum = xp_check_status_worse(sum, xp_report_kernel_boot(r, &b->kernels[i]));
        return xp_check_status_to_string(sum);
}
