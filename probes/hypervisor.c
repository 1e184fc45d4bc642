/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /sys/hypervisor (drivers/xen/sys-hypervisor.c, Documentation/ABI/stable/
 * sysfs-hypervisor-xen) and /proc/xen/capabilities (xenfs).
 *
 * guest_type exists since Linux 4.13 and reads PV, PVH or HVM (a dom0 reads
 * PV or PVH too; HVM vs PVHVM is not in it).  properties/features is the
 * XENVER_get_features submap 0 in hex; the bits used here are from
 * xen/include/public/features.h and are what Xen sets per domain type in
 * xen/common/kernel.c:
 *   5  mmu_pt_update_preserve_ad  only PV domains
 *   10 hvm_pirqs                  only HVM domains with emulated PIRQs (not PVH);
 *                                 off by default since Xen 4.19 (CHANGELOG.md)
 *   11 dom0                       the hardware domain
 *   18, 19 runstate_phys_area, vcpu_time_phys_area: every domain type (4.18+)
 *   20 dm_msix_all_writes         every domain type on x86 (4.19+)
 * so on 4.19+ a PVH and an HVM domU read the same word (001d2305 on 4.20).
 *
 * start_flags/ (Linux 6.12+, xen_sysfs_flags_init()): one leaf per bit of
 * xen_start_flags, "0" or "1": privileged (SIF_PRIVILEGED, bit 0),
 * initdomain (SIF_INITDOMAIN, bit 1), unknown02..unknown31 for the rest.
 * xen_start_flags is the PV start_info's or the PVH start info's flags;
 * Xen's dom0 builders (xen/arch/x86/pv/dom0_build.c, hvm/dom0_build.c) set
 * SIF_PRIVILEGED | SIF_INITDOMAIN, libxenguest never does for a domU, and an
 * HVM guest has no start info: all 0.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

#define SRC "hypervisor"

enum xp_guest_type xp_parse_guest_type(const char *s)
{
        if (strcmp(s, "PV") == 0)
                return XP_GT_PV;
        if (strcmp(s, "PVH") == 0)
                return XP_GT_PVH;
        if (strcmp(s, "HVM") == 0)
                return XP_GT_HVM;
        return XP_GT_UNKNOWN;
}

int xp_parse_features(const char *s, uint32_t *ret)
{
        /* the kernel prints "%08x"; accept exactly hex digits */
        size_t n = strlen(s);
        if (n == 0 || n > 8)
                return -EINVAL;
        uint32_t v = 0;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                unsigned d;
                if (c >= '0' && c <= '9')
                        d = (unsigned)(c - '0');
                else if (c >= 'a' && c <= 'f')
                        d = (unsigned)(c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        d = (unsigned)(c - 'A' + 10);
                else
                        return -EINVAL;
                v = (v << 4) | d;
        }
        *ret = v;
        return 0;
}

int xp_parse_xen_version(const char *version, unsigned *major, unsigned *minor)
{
        unsigned v[3]; /* the same MAJOR.MINOR[.N] shape as a kernel release */
        if (xp_parse_kernel_release(version, v) < 0)
                return -EINVAL;
        *major = v[0];
        *minor = v[1];
        return 0;
}

bool xp_hv_has_feature(const struct xp_hv_facts *hv, unsigned bit)
{
        return hv->have_features && (hv->features & (1u << bit));
}

/* Read one leaf into BUF; records evidence for absent/unreadable. */
static int read_leaf(struct xp_ctx *ctx, struct xp_report *r, const char *path, char *buf,
                     size_t len, bool record_absent)
{
        int e = xp_root_read_leaf(xp_ctx_root(ctx), path, buf, len);
        if (e < 0) {
                DBG(ctx, "%s: %s", path, strerror(-e));
                if (e != -ENOENT || record_absent)
                        xp_evidence_add(r, SRC, path, xp_status_from_errno(e), NULL, "%s",
                                        e == -ENOENT ? "absent" : strerror(-e));
        }
        return e;
}

/* Is there a sys/hypervisor with anything in it?  Sets the status. */
static void probe_dir(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_hv_facts *hv = &r->facts.hv;
        char **entries = NULL;
        int e = xp_root_list_dir(xp_ctx_root(ctx), "sys/hypervisor", &entries);
        if (e < 0) {
                hv->status = xp_status_from_errno(e);
                xp_evidence_add(r, SRC, "sys/hypervisor", hv->status, NULL,
                                "%s: the kernel exposes no hypervisor interface (not Xen, or Xen support off or disabled by nopv)",
                                e == -ENOENT ? "absent" : strerror(-e));
        } else if (!entries[0]) {
                /* the directory was read (found, empty); there is no
                 * interface in it (the fact stays absent) */
                hv->status = XP_ST_ABSENT;
                xp_evidence_add(r, SRC, "sys/hypervisor", XP_ST_FOUND, "(empty)",
                                "the directory exists but no hypervisor driver registered in it (not Xen, or the kernel runs with nopv / without Xen support)");
        } else
                hv->status = XP_ST_FOUND;
        xp_strv_free(entries);
}

/* sys/hypervisor/type: "xen" or another hypervisor's interface. */
static void read_type(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_hv_facts *hv = &r->facts.hv;
        if (read_leaf(ctx, r, "sys/hypervisor/type", hv->type, sizeof(hv->type), true) == 0)
                xp_evidence_add(r, SRC, "sys/hypervisor/type", XP_ST_FOUND, hv->type, "%s",
                                strcmp(hv->type, "xen") == 0 ? "the kernel talks to a Xen hypervisor"
                                                             : "a non-Xen hypervisor interface");
}

/* sys/hypervisor/guest_type: PV, PVH or HVM (Linux 4.13+). */
static void read_guest_type(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_hv_facts *hv = &r->facts.hv;
        char buf[256];
        int e = read_leaf(ctx, r, "sys/hypervisor/guest_type", buf, sizeof(buf), true);
        if (e == 0) {
                hv->guest_type = xp_parse_guest_type(buf);
                xp_evidence_add(r, SRC, "sys/hypervisor/guest_type", XP_ST_FOUND, buf, "%s",
                                hv->guest_type == XP_GT_PV    ? "PV domain (PV guest or PV dom0)"
                                : hv->guest_type == XP_GT_PVH ? "PVH domain (PVH guest or PVH dom0)"
                                : hv->guest_type == XP_GT_HVM ? "HVM domain (PV drivers may or may not be in use)"
                                                              : "unexpected value");
        } else if (e == -ENOENT)
                DBG(ctx, "sys/hypervisor/guest_type absent: kernel older than 4.13");
}

/* sys/hypervisor/properties/features: the XENFEAT mask, bits decoded. */
static void read_features(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_hv_facts *hv = &r->facts.hv;
        char buf[256];
        if (read_leaf(ctx, r, "sys/hypervisor/properties/features", buf, sizeof(buf), true) < 0)
                return;
        if (xp_parse_features(buf, &hv->features) < 0) {
                xp_evidence_add(r, SRC, "sys/hypervisor/properties/features", XP_ST_UNREADABLE, buf,
                                "not a hex feature mask: ignored");
                return;
        }
        hv->have_features = true;
        /* bit 20 exists since Xen 4.19, the release that turned hvm_pirqs
         * off by default: say so where it matters */
        bool new_bits = xp_hv_has_feature(hv, XENFEAT_dm_msix_all_writes);
        xp_evidence_add(r, SRC, "sys/hypervisor/properties/features", XP_ST_FOUND, buf,
                        "XENFEAT bits: dom0(11)=%u mmu_pt_update_preserve_ad(5, PV only)=%u hvm_pirqs(10, HVM only)=%u auto_translated_physmap(2)=%u hvm_callback_vector(8)=%u%s",
                        xp_hv_has_feature(hv, XENFEAT_dom0),
                        xp_hv_has_feature(hv, XENFEAT_mmu_pt_update_preserve_ad),
                        xp_hv_has_feature(hv, XENFEAT_hvm_pirqs),
                        xp_hv_has_feature(hv, XENFEAT_auto_translated_physmap),
                        xp_hv_has_feature(hv, XENFEAT_hvm_callback_vector),
                        !new_bits ? ""
                        : xp_hv_has_feature(hv, XENFEAT_auto_translated_physmap) && !xp_hv_has_feature(hv, XENFEAT_hvm_pirqs)
                                ? "; dm_msix_all_writes(20, Xen 4.19+)=1: on this Xen PVH and HVM domains read the same word (hvm_pirqs is off by default since 4.19), so it cannot tell them apart"
                                : "; dm_msix_all_writes(20, Xen 4.19+)=1");
}

/* sys/hypervisor/version/{major,minor,extra}: "4.17.5". */
static void read_version(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_hv_facts *hv = &r->facts.hv;
        char maj[16] = "", min[16] = "", extra[32] = "";
        if (read_leaf(ctx, r, "sys/hypervisor/version/major", maj, sizeof(maj), false) < 0 ||
            read_leaf(ctx, r, "sys/hypervisor/version/minor", min, sizeof(min), false) < 0)
                return;
        (void)read_leaf(ctx, r, "sys/hypervisor/version/extra", extra, sizeof(extra), false);
        char *end1, *end2;
        long a = strtol(maj, &end1, 10), b = strtol(min, &end2, 10);
        if (*end1 != '\0' || *end2 != '\0' || a < 0 || b < 0 || a >= 1000 || b >= 1000)
                return;
        /* extra is ".5" or "-rc" or "": keep only a sane suffix */
        char *x = xp_sanitize(extra, strlen(extra), 16);
        snprintf(hv->xen_version, sizeof(hv->xen_version), "%ld.%ld%s", a, b, x ? x : "");
        free(x);
        xp_evidence_add(r, SRC, "sys/hypervisor/version/{major,minor,extra}", XP_ST_FOUND, hv->xen_version,
                        "Xen hypervisor version");
}

/* What this Xen can run, and the leaves that only describe it. */
static void read_properties(struct xp_ctx *ctx, struct xp_report *r)
{
        static const struct {
                const char *path;
                const char *meaning;
                bool skip_empty;
        } leaves[] = {
                { "sys/hypervisor/uuid", "domain UUID (the toolstack's name for this domain)", false },
                { "sys/hypervisor/properties/changeset", "Xen build changeset", true },
                { "sys/hypervisor/compilation/compiled_by", "who built the hypervisor", false },
        };
        struct xp_hv_facts *hv = &r->facts.hv;
        char buf[256];

        if (read_leaf(ctx, r, "sys/hypervisor/properties/capabilities", hv->capabilities,
                      sizeof(hv->capabilities), false) == 0)
                xp_evidence_add(r, SRC, "sys/hypervisor/properties/capabilities", XP_ST_FOUND,
                                hv->capabilities, "%s",
                                strstr(hv->capabilities, "hvm-")
                                        ? "the hypervisor can run HVM guests (VMX/SVM available to Xen)"
                                        : "no hvm-* capability: this Xen cannot create HVM or PVH guests");
        for (size_t i = 0; i < ELEMENTSOF(leaves); i++)
                if (read_leaf(ctx, r, leaves[i].path, buf, sizeof(buf), false) == 0 &&
                    (buf[0] || !leaves[i].skip_empty)) {
                        xp_evidence_add(r, SRC, leaves[i].path, XP_ST_FOUND, buf, "%s", leaves[i].meaning);
                        if (i == 0) /* the cloud rule reads it: EC2 UUIDs start with "ec2" */
                                snprintf(hv->uuid, sizeof(hv->uuid), "%.*s", (int)sizeof(hv->uuid) - 1, buf);
                }
}

/*
 * The classic (non-pvops) xenlinux kernels make /proc/xen themselves
 * (drivers/xen/core/xen_proc.c): privcmd and capabilities from
 * drivers/xen/privcmd/privcmd.c, xenbus from xenbus_dev.c, balloon from
 * drivers/xen/balloon/balloon.c.  A pvops kernel has /proc/xen only as a
 * xenfs mount, which has no balloon file (its balloon driver,
 * drivers/xen/xen-balloon.c, is in sysfs).  The PV-on-HVM drivers built
 * from the same tree (kmod-xenpv's xen-balloon) make it too.
 */
static void read_classic(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_root *root = xp_ctx_root(ctx);
        struct xp_hv_facts *hv = &r->facts.hv;
        hv->proc_privcmd = xp_root_exists(root, "proc/xen/privcmd");
        hv->proc_balloon = xp_root_exists(root, "proc/xen/balloon");
        if (hv->proc_balloon)
                xp_evidence_add(r, SRC, "proc/xen/balloon", XP_ST_FOUND, "(present)",
                                "the classic xenlinux balloon driver's file: a classic Xen kernel (kernel-xen) or the PV-on-HVM drivers of that tree (xen-balloon); pvops kernels have none");
}

/* One start_flags leaf: 1 set, 0 clear, -EINVAL anything else. */
static int read_flag(struct xp_ctx *ctx, struct xp_report *r, const char *leaf)
{
        char path[64], buf[16];
        snprintf(path, sizeof(path), "sys/hypervisor/start_flags/%s", leaf);
        int e = read_leaf(ctx, r, path, buf, sizeof(buf), false);
        if (e < 0)
                return e;
        if ((buf[0] != '0' && buf[0] != '1') || buf[1]) {
                xp_evidence_add(r, SRC, path, XP_ST_UNREADABLE, buf, "not 0 or 1: ignored");
                return -EINVAL;
        }
        return buf[0] == '1';
}

/* sys/hypervisor/start_flags: the start info's SIF_* bits (Linux 6.12+).
 * Absent on older kernels: no evidence then, as for any leaf a kernel
 * version does not have. */
static void read_start_flags(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_hv_facts *hv = &r->facts.hv;
        if (!xp_root_exists(xp_ctx_root(ctx), "sys/hypervisor/start_flags")) {
                hv->start_flags = XP_ST_ABSENT;
                DBG(ctx, "sys/hypervisor/start_flags absent: kernel older than 6.12");
                return;
        }
        int init = read_flag(ctx, r, "initdomain"), priv = read_flag(ctx, r, "privileged");
        if (init < 0 || priv < 0) {
                hv->start_flags = XP_ST_UNREADABLE;
                if (init == -ENOENT || priv == -ENOENT)
                        xp_evidence_add(r, SRC, "sys/hypervisor/start_flags", XP_ST_UNREADABLE, NULL,
                                        "the directory has no initdomain or privileged leaf: ignored");
                return;
        }
        hv->start_flags = XP_ST_FOUND;
        hv->sif_initdomain = init;
        hv->sif_privileged = priv;
        char val[160];
        size_t l = (size_t)snprintf(val, sizeof(val), "initdomain=%d privileged=%d", init, priv);
        for (unsigned bit = 2; bit < 32; bit++) {
                char leaf[16];
                snprintf(leaf, sizeof(leaf), "unknown%02u", bit);
                if (read_flag(ctx, r, leaf) == 1) {
                        hv->sif_unknown |= 1u << bit;
                        if (l < sizeof(val))
                                l += (size_t)snprintf(val + l, sizeof(val) - l, " %s=1", leaf);
                }
        }
        xp_evidence_add(r, SRC, "sys/hypervisor/start_flags/{initdomain,privileged,unknownNN}", XP_ST_FOUND, val,
                        "%s", init ? "SIF_INITDOMAIN set in the start info Xen built for this domain: the initial domain (dom0)"
                              : priv ? "SIF_PRIVILEGED without SIF_INITDOMAIN: a privileged domain that is not the initial one"
                                     : "neither SIF_INITDOMAIN nor SIF_PRIVILEGED: not the initial domain (an HVM guest has no start info and reads 0 throughout)");
}

/* proc/xen/capabilities: control_d names dom0, when xenfs is mounted. */
static void read_xenfs(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_root *root = xp_ctx_root(ctx);
        struct xp_hv_facts *hv = &r->facts.hv;
        char *caps = NULL;
        /* /proc/xen is xenfs: only meaningful when mounted (it shows up as an
         * empty directory otherwise).  Say so rather than guess. */
        int e = xp_root_read_line(root, "proc/xen/capabilities", &caps);
        if (e == 0) {
                hv->xenfs = XP_ST_FOUND;
                hv->control_d = strstr(caps, "control_d") != NULL;
                bool classic = xp_root_exists(root, "proc/xen/balloon"); /* see read_classic() */
                xp_evidence_add(r, SRC, "proc/xen/capabilities", XP_ST_FOUND, caps[0] ? caps : "(empty)", "%s",
                                hv->control_d ? "control_d: this is the control domain (dom0)"
                                : classic     ? "no control_d (the classic kernel's own /proc/xen, not xenfs): an unprivileged domain"
                                              : "xenfs mounted, no control_d: an unprivileged domain");
                free(caps);
                return;
        }
        hv->xenfs = xp_status_from_errno(e);
        bool dir = xp_root_exists(root, "proc/xen");
        xp_evidence_add(r, SRC, "proc/xen/capabilities", hv->xenfs, NULL, "%s",
                        e != -ENOENT ? strerror(-e)
                        : dir && xp_root_exists(root, "proc/xen/balloon")
                                ? "proc/xen is the classic PV-on-HVM drivers' own directory (balloon only): no privcmd, so no capabilities file"
                        : dir        ? "proc/xen exists but xenfs is not mounted there (mount -t xenfs xenfs /proc/xen): dom0 status taken from the feature bits only"
                                     : "no /proc/xen (xenfs not available)");
}

static int run(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_hv_facts *hv = &r->facts.hv;

        probe_dir(ctx, r);
        if (hv->status == XP_ST_FOUND) {
                read_type(ctx, r);
                read_guest_type(ctx, r);
                read_features(ctx, r);
                read_version(ctx, r);
                read_properties(ctx, r);
                read_start_flags(ctx, r);
        }
        read_xenfs(ctx, r);
        read_classic(ctx, r);
        if (hv->status != XP_ST_FOUND && hv->xenfs != XP_ST_FOUND)
                return 1;
        return 0;
}

const struct xp_probe xp_hypervisor_probe = {
        .name = SRC,
        .run = run,
};
