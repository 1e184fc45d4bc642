/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The probes: one descriptor per evidence source, run in order by
 * xp_probe_all(), then the classifier; the module index lookups the boot
 * checks share; the CPUID leaf set (live, or from a snapshot's file).
 */
#pragma once

#include "report.h"

struct xp_probe {
        const char *name;
        /* 0 found, 1 nothing, -errno (absence is 1, never an error) */
        int (*run)(struct xp_ctx *ctx, struct xp_report *r);
};

extern const struct xp_probe xp_container_probe;
extern const struct xp_probe xp_os_release_probe;
extern const struct xp_probe xp_kernel_probe;
extern const struct xp_probe xp_hypervisor_probe;
extern const struct xp_probe xp_cpuid_probe;
extern const struct xp_probe xp_cpuinfo_probe;
extern const struct xp_probe xp_dmi_probe;
extern const struct xp_probe xp_modules_probe;
extern const struct xp_probe xp_xenbus_probe;
extern const struct xp_probe xp_pci_probe;
extern const struct xp_probe xp_block_probe;

/* Record the files libkmod reads (index, modprobe.d) in the read log. */
void xp_modules_note_inputs(struct xp_root *root, const char *release);

/* State of each module in NAMES (NULL-terminated) for kernel RELEASE of the
 * root, from libkmod on lib/modules/RELEASE: BUILTIN, MODULE or MISSING.
 * -ENOENT: no module index for RELEASE; -EOPNOTSUPP: no libkmod. */
int xp_modules_lookup(struct xp_ctx *ctx, const char *release, const char *const *names,
                      enum xp_kstate *ret) _must_check_;

/* ------------------------------------------------------- kernel config */

/* Where xp_kconfig_read() looks for kernel RELEASE's config, in order. */
#define XP_KCONFIG_BOOT (1u << 0)    /* boot/config-RELEASE */
#define XP_KCONFIG_MODULES (1u << 1) /* lib/modules/RELEASE/config, usr/lib/... */
#define XP_KCONFIG_PROC (1u << 2)    /* proc/config.gz: the running kernel's */

/* A kernel's build configuration as read through the root. */
struct xp_kconfig {
        char path[240];    /* the file read, else the last one tried */
        char *text;        /* NULL unless read */
        bool undecodable;  /* PATH was read but does not decompress */
};
/* Read the first config of kernel RELEASE found in the places WHERE names
 * (bounded, proc/config.gz decompressed); -errno of the last one tried.
 * Without a RELEASE ("") only proc/config.gz is looked at. */
int xp_kconfig_read(struct xp_ctx *ctx, const char *release, unsigned where,
                    struct xp_kconfig *ret) _must_check_;
/* OPTION in a config read: 'y', 'm' or 'n' (absent means not built). */
char xp_kconfig_value(const struct xp_kconfig *kc, const char *option);
void xp_kconfig_clear(struct xp_kconfig *kc);

/* Run every probe in order, then the classifier. */
int xp_probe_all(struct xp_ctx *ctx, struct xp_report **ret) _must_check_;
void xp_classify(struct xp_report *r);

/* --------------------------------------------------------------- cpuid */

struct xp_cpuid_leaf {
        uint32_t leaf, subleaf;
        uint32_t eax, ebx, ecx, edx;
        bool forced;
};
struct xp_cpuid_set {
        struct xp_cpuid_leaf *leaves;
        size_t n, cap;
};
/* Parse the text format of ROOT/run/xenprobe/cpuid; -EINVAL names the line. */
int xp_cpuid_parse(const char *text, struct xp_cpuid_set *ret, unsigned *ret_bad_line) _must_check_;
/* Read the live CPU: plain leaves, and through Xen's forced-emulation prefix. */
int xp_cpuid_read_live(struct xp_cpuid_set *ret) _must_check_;
int xp_cpuid_format(const struct xp_cpuid_set *set, char **ret) _must_check_;
void xp_cpuid_set_clear(struct xp_cpuid_set *set);
const struct xp_cpuid_leaf *xp_cpuid_find(const struct xp_cpuid_set *set, uint32_t leaf, bool forced);
#define XP_CPUID_FILE "run/xenprobe/cpuid"

/* ---------------------------------------------------------- hypervisor */

/* XENFEAT bits of sys/hypervisor/properties/features that the probes and
 * the classifier decode (xen/include/public/features.h). */
#define XENFEAT_auto_translated_physmap 2
#define XENFEAT_mmu_pt_update_preserve_ad 5
#define XENFEAT_hvm_callback_vector 8
#define XENFEAT_hvm_pirqs 10
#define XENFEAT_dom0 11
/* offered to every domain type since Xen 4.19 (xen/common/kernel.c), the
 * release that turned hvm_pirqs off by default */
#define XENFEAT_dm_msix_all_writes 20
/* The feature mask was read and has XENFEAT bit BIT set. */
bool xp_hv_has_feature(const struct xp_hv_facts *hv, unsigned bit);

/* -------------------------------------------------------------- parsers */
/* The probes' text parsers, shared with the commands and the unit tests. */
int xp_parse_features(const char *s, uint32_t *ret);
enum xp_guest_type xp_parse_guest_type(const char *s);
/* "2.6.18-398.el5xen" -> {2, 6, 18}, "6.1.0-50-amd64" -> {6, 1, 0}; a
 * missing or non-numeric sublevel ("3.0-1", "4.11.amazon") reads 0.  -EINVAL when it does not start with
 * MAJOR.MINOR. */
int xp_parse_kernel_release(const char *release, unsigned v[3]);
/* "3.1.2-398.el5" or "4.17.5" -> MAJOR, MINOR; -EINVAL otherwise */
int xp_parse_xen_version(const char *version, unsigned *major, unsigned *minor);
int xp_parse_cpuinfo_flags(const char *text, bool *hv, bool *vmx, bool *svm);
char xp_parse_config_option(const char *config, const char *option); /* 'y','m','n' or 0 */
int xp_parse_mountinfo_root(const char *text, char *src, size_t srclen, char *fstype,
                            size_t fslen, unsigned *major, unsigned *minor);
int xp_parse_mounts_root(const char *text, char *src, size_t srclen, char *fstype, size_t fslen);
bool xp_parse_modules_has(const char *proc_modules, const char *name);
