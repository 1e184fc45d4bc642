/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The vocabulary of the evidence model: every enum a probe, the classifier,
 * a renderer or the xenstore schema speaks, with the one spelling of each
 * value (probes/evidence.c).  The xenstore key table takes its allowed words
 * from the same tables (xp_*_words), so a new value reaches dom0's validator
 * without a second list.
 */
#pragma once

#include "core.h"

enum xp_hv {
        XP_HV_NONE,
        XP_HV_XEN,
        XP_HV_KVM,
        XP_HV_QEMU,
        XP_HV_VMWARE,
        XP_HV_MICROSOFT,
        XP_HV_ORACLE,
        XP_HV_PARALLELS,
        XP_HV_BHYVE,
        XP_HV_ACRN,
        XP_HV_QNX,
        XP_HV_POWERVM,
        XP_HV_APPLE,
        XP_HV_SRE,
        XP_HV_AMAZON,
        XP_HV_GOOGLE,
        XP_HV_BOCHS,
        XP_HV_OTHER,
        _XP_HV_MAX,
};

enum xp_mode { XP_MODE_NONE, XP_MODE_PV, XP_MODE_PVH, XP_MODE_PVHVM, XP_MODE_HVM, _XP_MODE_MAX };
enum xp_role { XP_ROLE_NONE, XP_ROLE_DOM0, XP_ROLE_DOMU, _XP_ROLE_MAX };
enum xp_guest_type { XP_GT_UNKNOWN, XP_GT_PV, XP_GT_PVH, XP_GT_HVM, _XP_GT_MAX };
/* zero (never probed) is "not available" */
enum xp_status { XP_ST_UNAVAILABLE, XP_ST_FOUND, XP_ST_ABSENT, XP_ST_UNREADABLE, _XP_ST_MAX };
enum xp_confidence { XP_CONF_LOW, XP_CONF_MEDIUM, XP_CONF_HIGH, _XP_CONF_MAX };
/* How a kernel feature or module is present. */
enum xp_kstate {
        XP_KS_UNKNOWN,  /* could not tell */
        XP_KS_LOADED,   /* module listed in /proc/modules */
        XP_KS_BUILTIN,  /* in modules.builtin or =y in the config */
        XP_KS_MODULE,   /* available as a module file, not loaded */
        XP_KS_MISSING,  /* not built at all */
        _XP_KS_MAX,
};
/* The cloud a guest runs in, when the firmware or the hypervisor names
 * it (probes/classify.c, rule "cloud"). */
enum xp_cloud {
        XP_CLOUD_NONE,
        XP_CLOUD_EC2_XEN,    /* Xen-based EC2 instance (t2, m4, c4, ...) */
        XP_CLOUD_EC2_NITRO,  /* Nitro: KVM, not Xen */
        XP_CLOUD_EC2_METAL,  /* EC2 bare-metal instance (*.metal) */
        _XP_CLOUD_MAX,
};
enum xp_disk_kind {
        XP_DISK_UNKNOWN,
        XP_DISK_XEN_PV,     /* xvd*, major 202, xen-blkfront */
        XP_DISK_ATA,        /* emulated IDE/SATA: sd* behind ata, hd* */
        XP_DISK_SCSI,       /* sd* not behind libata */
        XP_DISK_VIRTIO,     /* vd* */
        XP_DISK_NVME,
        XP_DISK_MEMORY,     /* rootfs/tmpfs/ramfs: root in memory */
        XP_DISK_NETWORK,    /* nfs, cifs, 9p, ... */
        XP_DISK_VIRTUAL,    /* overlay, loop, dm, md: stacked */
        XP_DISK_OTHER,
        _XP_DISK_MAX,
};

/* The spellings the *_to_string() functions below return, indexed by the
 * enum and NULL-terminated: the xenstore key table's allowed words
 * (agent/xenstore/keys.c). */
extern const char *const xp_hv_words[_XP_HV_MAX + 1];
extern const char *const xp_mode_words[_XP_MODE_MAX + 1];
extern const char *const xp_role_words[_XP_ROLE_MAX + 1];
extern const char *const xp_confidence_words[_XP_CONF_MAX + 1];
extern const char *const xp_kstate_words[_XP_KS_MAX + 1];
extern const char *const xp_disk_kind_words[_XP_DISK_MAX + 1];
extern const char *const xp_cloud_words[_XP_CLOUD_MAX + 1];
/* What xp_report_verdict() (report.h) returns besides xp_mode_words:
 * "dom0-pv", "dom0-pvh" (NULL-terminated) */
extern const char *const xp_verdict_dom0_words[];

const char *xp_hv_to_string(enum xp_hv h);
const char *xp_hv_to_name(enum xp_hv h); /* human name */
/* The name a DMI vendor allows: "QEMU" is the machine type under KVM and
 * TCG alike, so it never names the accelerator (xp_hv_to_name(XP_HV_QEMU)
 * is the TCG CPUID signature's "QEMU (TCG)"). */
const char *xp_hv_dmi_name(enum xp_hv h);
const char *xp_mode_to_string(enum xp_mode m);
const char *xp_mode_to_description(enum xp_mode m);
const char *xp_role_to_string(enum xp_role r);
const char *xp_guest_type_to_string(enum xp_guest_type g);
const char *xp_status_to_string(enum xp_status s);
const char *xp_confidence_to_string(enum xp_confidence c);
const char *xp_kstate_to_string(enum xp_kstate k);
const char *xp_disk_kind_to_string(enum xp_disk_kind k);
const char *xp_disk_kind_to_description(enum xp_disk_kind k);
const char *xp_cloud_to_string(enum xp_cloud c);
const char *xp_cloud_to_name(enum xp_cloud c); /* "Amazon EC2 (Nitro, KVM: not Xen)" */
