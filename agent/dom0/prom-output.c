/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `xenprobe query --prometheus [--output FILE]`: the metrics on stdout, or
 * FILE replaced whole (agent/atomic-file.h), so node_exporter's textfile
 * collector never reads half a file.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "atomic-file.h"
#include "dom0/query.h"

int xp_query_write_prom(const struct query *q, struct xp_qdom *const *doms, size_t n)
{
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        struct xp_q_prom_run run = {
                .timestamp = (double)now.tv_sec + (double)(now.tv_nsec / 1000000) / 1e3,
                .duration = q->read_seconds,
                .heartbeat = q->watch ? q->heartbeat : 0,
                .refreshed = q->refreshed,
                .n_refreshed = q->n_refreshed,
        };
        if (!q->output) {
                int e = xp_q_render_prom(doms, n, &run, stdout);
                if (e == 0 && (fflush(stdout) != 0 || ferror(stdout)))
                        e = -EIO;
                if (e < 0)
                        fprintf(stderr, "xenprobe: query: writing the output: %s\n", strerror(-e));
                return e;
        }
        struct xp_atomic_file af;
        int e = xp_atomic_open(&af, q->output);
        if (e < 0) {
                fprintf(stderr, "xenprobe: query: cannot create a file beside %s: %s (does the directory exist, and may this user write to it?)\n",
                        q->output, strerror(-e));
                return e;
        }
        e = xp_q_render_prom(doms, n, &run, af.f);
        if (e < 0) {
                xp_atomic_abort(&af);
                fprintf(stderr, "xenprobe: query: writing %s: %s (the file was left as it was)\n", q->output,
                        strerror(-e));
                return e;
        }
        e = xp_atomic_commit(&af, 0644);
        if (e < 0)
                fprintf(stderr, "xenprobe: query: replacing %s: %s (the file was left as it was)\n", q->output,
                        strerror(-e));
        xp_query_dbg("wrote %zu domains to %s", n, q->output);
        return e;
}
