/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Probe, then boot readiness: the run the report, `xenprobe publish` and
 * the daemon start with.
 */
#include "config.h"

#include "agent.h"

int xp_probe_run(struct xp_ctx *ctx, bool boot, struct xp_report **ret, const char **failed)
{
        struct xp_report *r = NULL;
        int e = xp_probe_all(ctx, &r);
        if (e < 0) {
                if (failed)
                        *failed = "probing failed";
                return e;
        }
        if (boot) {
                /* quick: images are read only until their facts are known,
                 * so the report stays fast; `xenprobe initrd` reads them whole */
                struct xp_boot_options bo = { .quick = true, .threads = 1 };
                e = xp_boot_probe(ctx, r, &bo);
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
