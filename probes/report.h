/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The report: the facts, the evidence behind them, warnings, notes, the
 * rules that fired and the verdict, plus boot readiness when probed.
 * Probes add to it (probes/evidence.c; made and freed in probes/report.c);
 * renderers and the xenstore schema only read it.
 */
#pragma once

#include "boot/boot.h"
#include "facts.h"

/* One piece of evidence: what was read where, and what it means. */
struct xp_evidence {
        char *source;  /* probe name: "hypervisor", "cpuid", ... */
        char *path;    /* file below the root, or "leaf 0x40000000" */
        char *value;   /* sanitized, short */
        char *implies; /* what it means, one clause */
        enum xp_status status;
};

struct xp_rule_hit {
        const char *name;
        char *detail;
};

struct xp_report {
        struct xp_facts facts;
        struct xp_evidence *evidence;
        size_t n_evidence, cap_evidence;
        char **warnings;
        struct xp_rule_hit *rules;
        size_t n_rules, cap_rules;
        char **notes;            /* remarks that contradict nothing (a common check misleading here, ...) */

        /* verdict */
        enum xp_hv hypervisor;   /* XP_HV_NONE: bare metal or unknown */
        char hypervisor_detail[96];
        bool hypervisor_by_dmi;  /* only the DMI vendor named it (xp_report_hv_name) */
        enum xp_role role;
        enum xp_mode mode;
        enum xp_confidence confidence;
        bool live;
        bool nested_hvm_capable; /* dom0: capabilities list hvm-* */
        struct xp_boot boot;     /* boot readiness, when probed */
        bool can_host_hvm;       /* domU/none: vmx or svm visible */
        enum xp_cloud cloud;     /* the cloud, when known */
        char cloud_detail[256];  /* the facts that named it */
};

struct xp_report *xp_report_new(void) _must_check_;
struct xp_report *xp_report_free(struct xp_report *r);
int xp_evidence_add(struct xp_report *r, const char *source, const char *path,
                    enum xp_status status, const char *value, const char *implies_fmt, ...)
        _printf_(6, 7);
int xp_report_warn(struct xp_report *r, const char *fmt, ...) _printf_(2, 3);
int xp_report_note(struct xp_report *r, const char *fmt, ...) _printf_(2, 3);
int xp_report_rule(struct xp_report *r, const char *name, const char *fmt, ...) _printf_(3, 4);
/* "pv", "pvh", "pvhvm", "hvm", "dom0-pv", "dom0-pvh", "none" */
const char *xp_report_verdict(const struct xp_report *r);
/* The hypervisor's human name as far as the source that decided it can
 * tell (a DMI "QEMU" does not tell KVM from TCG). */
const char *xp_report_hv_name(const struct xp_report *r);
/* The Xen version as the guest sees it ("4.17.5"): sys/hypervisor, else
 * CPUID's; NULL when neither told it. */
const char *xp_report_xen_version(const struct xp_report *r);
/* Words of the summaries below that are no enum's spelling, NULL-terminated:
 * "in-use" (a device of the class is connected and bound to its driver) and
 * "not-checked" (boot readiness not probed, or no kernel installed).  The
 * xenstore key table and the facts take them from here. */
extern const char *const xp_pv_in_use_words[];
extern const char *const xp_not_checked_words[];
/* The PV driver M of the xenbus device class DEVTYPE ("vbd", "vif"):
 * "in-use" when a device of the class is connected and bound, else how the
 * module is there (xp_kstate_words). */
const char *xp_report_pv_driver(const struct xp_report *r, enum xp_xen_module m, const char *devtype);
/* The boot mode (enum xp_boot_mode) the system runs in, -1 for none */
int xp_report_boot_mode(const struct xp_report *r);
/* Kernel K's boot readiness in the mode the system runs in (the worst of
 * every mode when it runs in none). */
enum xp_check_status xp_report_kernel_boot(const struct xp_report *r, const struct xp_boot_kernel *k);
/* The worst installed kernel's readiness (xp_check_status_words), or
 * "not-checked" when boot readiness was not probed or found no kernel. */
const char *xp_report_boot_summary(const struct xp_report *r);
/* Record an absent/unreadable source uniformly from a -errno. */
enum xp_status xp_status_from_errno(int err);
