/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Probe, then boot readiness: the run the report, `xenprobe publish` and
 * the daemon start with.
 */
#include "config.h"

#include "agent.h"

const struct xp_boot_options xp_boot_quick = { .quick = true, .threads = 1 };

int xp_probe_run(struct xp_ctx *ctx, const struct xp_boot_options *boot, struct xp_report **ret,
                 const char **failed)
{
        struct xp_report *r = NULL;
        int e = xp_probe_all(ctx, &r);
        if (e < 0) {
                if (failed)
                        *failed = "probing failed";
                return e;
        }
        if (boot) {
                e = xp_boot_probe(ctx, r, boot);
                if (e < 0) {
                        xp_report_free(r);
                        if (failed)
                                *failed = "boot readiness";
                        return e;
                }
        }
        *ret = r;
        return 0;
}
