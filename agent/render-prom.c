/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `xenprobe --prometheus` and `xenprobed --textfile`: the guest's own
 * report as Prometheus metrics for the guest's node_exporter (textfile
 * collector; agent/prom.h has the format).  xenprobe-metrics(7), GUEST,
 * lists the series: one info of the verdict's words, the boot readiness
 * summary and each installed kernel's as 0/1 state sets, the PV drivers'
 * states, the warning count and when the probe ran.  9 series plus 3 per
 * kernel.  Labels hold only the xp_*_words spellings or checked tokens
 * (xp_prom_token); free text (pretty-name, problems, warning text) never.
 * Names differ from the dom0 side's (xenprobe_query_*, xenprobe_domain_*,
 * xenprobe_guest_*), so a dom0 that writes both files into one textfile
 * directory gets no clash.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "prom.h"
#include "render.h"

/* S as a label value when it is a token, else "" (absent to Prometheus) */
static const char *tok(const char *s)
{
        return s && xp_prom_token(s, strlen(s)) ? s : "";
}

static void info(const struct xp_report *r, FILE *out)
{
        char schema[16];
        snprintf(schema, sizeof(schema), "%d", XP_PROM_SCHEMA);
        const struct xp_prom_label l[] = {
                { "verdict", tok(xp_report_verdict(r)), XP_PROM_STRLEN },
                { "mode", tok(xp_mode_to_string(r->mode)), XP_PROM_STRLEN },
                { "role", tok(xp_role_to_string(r->role)), XP_PROM_STRLEN },
                { "confidence", tok(xp_confidence_to_string(r->confidence)), XP_PROM_STRLEN },
                { "hypervisor", tok(xp_hv_to_string(r->hypervisor)), XP_PROM_STRLEN },
                { "xen_version", tok(xp_report_xen_version(r)), XP_PROM_STRLEN },
                { "agent_version", tok(PACKAGE_VERSION), XP_PROM_STRLEN },
                { "schema", schema, XP_PROM_STRLEN },
        };
        xp_prom_family(out, "xenprobe_info",
                       "What kind of Xen guest this is, as xenprobe(8) found it (words of xenprobe-metrics(7))");
        xp_prom_sample(out, "xenprobe_info", l, sizeof(l) / sizeof(l[0]), 1);
}

static void boot_summary(const struct xp_report *r, FILE *out)
{
        const char *on = xp_report_boot_summary(r);
        struct xp_prom_label l[1];
        xp_prom_family(out, "xenprobe_boot_overall_readiness",
                       "Boot readiness, the worst over the installed kernels in the mode this guest runs in: 1 for "
                       "the state it is in");
        xp_prom_state_set(out, "xenprobe_boot_overall_readiness", l, 0, on, XP_PROM_STRLEN, xp_check_status_words,
                          xp_not_checked_words);
}

/* Kernel release V as a label, into BUF: itself when a token, cut to
 * XP_PROM_TOKEN_MAX with "..." when only too long; NULL when not a token */
static const char *kernel_label(const char *v, char *buf, size_t len)
{
        size_t l = strlen(v);
        if (xp_prom_token(v, l))
                return v;
        if (l <= XP_PROM_TOKEN_MAX || !xp_prom_token(v, XP_PROM_TOKEN_MAX - 3))
                return NULL;
        snprintf(buf, len, "%.*s...", XP_PROM_TOKEN_MAX - 3, v);
        return buf;
}

static void boot_kernels(const struct xp_report *r, FILE *out)
{
        const struct xp_boot *b = &r->boot;
        if (!b->probed || !b->n_kernels)
                return;
        char labels[XP_MAX_KERNELS][XP_PROM_TOKEN_MAX + 1];
        size_t n = 0;
        xp_prom_family(out, "xenprobe_boot_readiness",
                       "Boot readiness of each installed kernel and its initramfs in the mode this guest runs in: "
                       "1 for the state it is in");
        for (size_t i = 0; i < b->n_kernels && n < XP_MAX_KERNELS; i++) {
                const char *k = kernel_label(b->kernels[i].version, labels[n], sizeof(labels[n]));
                if (!k)
                        continue; /* not a token: no label for it (the summary counts it) */
                if (k != labels[n])
                        snprintf(labels[n], sizeof(labels[n]), "%s", k);
                bool dup = false;
                for (size_t j = 0; j < n; j++)
                        dup = dup || strcmp(labels[j], labels[n]) == 0;
                if (dup)
                        continue; /* two releases cut to the same label: one series */
                struct xp_prom_label l[2] = { { "kernel", labels[n], XP_PROM_STRLEN } };
                xp_prom_state_set(out, "xenprobe_boot_readiness", l, 1,
                                  xp_check_status_to_string(xp_report_kernel_boot(r, &b->kernels[i])), XP_PROM_STRLEN,
                                  xp_check_status_words, NULL);
                n++;
        }
}

static void pv_drivers(const struct xp_report *r, FILE *out)
{
        if (r->hypervisor != XP_HV_XEN)
                return; /* as in xenstore: no PV drivers to speak of */
        static const struct {
                const char *driver, *devtype;
                enum xp_xen_module m;
        } drivers[] = { { "block", "vbd", XP_XM_BLKFRONT }, { "net", "vif", XP_XM_NETFRONT } };
        xp_prom_family(out, "xenprobe_pv_driver_info",
                       "The PV frontends (block: xen-blkfront, net: xen-netfront): in-use, else how present "
                       "(loaded, built-in, module, missing, unknown)");
        for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
                const struct xp_prom_label l[] = {
                        { "driver", drivers[i].driver, XP_PROM_STRLEN },
                        { "state", tok(xp_report_pv_driver(r, drivers[i].m, drivers[i].devtype)), XP_PROM_STRLEN },
                };
                xp_prom_sample(out, "xenprobe_pv_driver_info", l, 2, 1);
        }
}

int xp_render_prom(const struct xp_report *r, double probed_at, FILE *out)
{
        size_t nw = 0;
        for (char **p = r->warnings; p && *p; p++)
                nw++;
        info(r, out);
        boot_summary(r, out);
        boot_kernels(r, out);
        pv_drivers(r, out);
        xp_prom_family(out, "xenprobe_warnings", "The number of warnings in the report (xenprobe(8) shows them)");
        xp_prom_sample(out, "xenprobe_warnings", NULL, 0, (double)nw);
        xp_prom_family(out, "xenprobe_probe_timestamp_seconds",
                       "When the probe that these metrics report ran (Unix time)");
        xp_prom_sample(out, "xenprobe_probe_timestamp_seconds", NULL, 0, probed_at);
        return ferror(out) ? -EIO : 0;
}
