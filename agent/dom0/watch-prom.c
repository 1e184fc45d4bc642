/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `xenprobe query --watch --prometheus`: when the file is written, and
 * with --refresh, the rounds that ask every guest to publish again.
 *
 * Writes are paced: a guest can make its domain change as often as
 * xenstored lets it, and each change would otherwise render the whole
 * file and fsync it twice.  A change is written at most once a second
 * (WRITE_GAP_NS), the file at least once a heartbeat; a write that failed
 * is retried with a gap that doubles up to the heartbeat, so a full disk
 * or a missing directory is said now and then, not in a loop.
 *
 * --refresh rounds: at every heartbeat each domain that published
 * something is asked again (a fresh token in its data/xenprobe/request,
 * as query --refresh does); the watch on its data/xenprobe sees the
 * daemon's served echo.  A domain still waiting when the next round
 * starts, or that could not be asked, did not answer.  The file shows
 * each domain's last outcome: the first from the --refresh before the
 * listing, then one per round.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dom0/watch.h"

#define WRITE_GAP_NS 1000000000ull

static uint64_t beat_ns(const struct watch *wt)
{
        return (uint64_t)(wt->q->heartbeat * 1e9);
}

int xp_watch_prom_init(struct watch *wt)
{
        wt->gap_ns = WRITE_GAP_NS;
        if (!wt->q->refresh)
                return 0;
        wt->rlast = calloc(XP_Q_DOMID_MAX, 1);
        wt->rpending = calloc(XP_Q_DOMID_MAX, 1);
        if (!wt->rlast || !wt->rpending)
                return -ENOMEM;
        /* the answers of the --refresh before the listing */
        for (size_t i = 0; i < wt->q->n_refreshed; i++) {
                const struct xp_q_refreshed *r = &wt->q->refreshed[i];
                if (r->domid < XP_Q_DOMID_MAX)
                        wt->rlast[r->domid] = r->answered ? XP_R_ANSWERED : XP_R_UNANSWERED;
        }
        return 0;
}

/* a new round: who is still waiting did not answer; ask everyone again */
static int start_round(struct watch *wt)
{
        struct query *q = wt->q;
        snprintf(wt->token, sizeof(wt->token), "q%ld-%llu", (long)getpid(), (unsigned long long)xp_query_now_ns());
        size_t asked = 0;
        for (unsigned id = 0; id < XP_Q_DOMID_MAX; id++) {
                struct wdom *w = wt->tab[id];
                if (!w || !w->present) {
                        wt->rlast[id] = XP_R_NONE;
                        wt->rpending[id] = 0;
                        continue;
                }
                if (wt->rpending[id])
                        wt->rlast[id] = XP_R_UNANSWERED;
                wt->rpending[id] = 0;
                if (w->d.status == XP_Q_NONE)
                        continue; /* nothing there to ask (as --all --refresh) */
                int e = xp_q_request(q->xs, &w->d, wt->token);
                if (e < 0 && xp_q_fatal(e))
                        return e;
                if (e < 0) {
                        xp_query_dbg("refresh round: domain %u not asked: %s", id, xp_xs_strerror(e));
                        wt->rlast[id] = XP_R_UNANSWERED;
                        continue;
                }
                /* until it answers, the file keeps its last outcome */
                wt->rpending[id] = 1;
                asked++;
        }
        xp_query_dbg("refresh round: token %s written to %zu domains", wt->token, asked);
        return 0;
}

void xp_watch_prom_seen(struct watch *wt, unsigned domid)
{
        if (!wt->rlast || domid >= XP_Q_DOMID_MAX)
                return;
        struct wdom *w = wt->tab[domid];
        if (!w || !w->present) {
                wt->rlast[domid] = XP_R_NONE;
                wt->rpending[domid] = 0;
                return;
        }
        if (!wt->rpending[domid])
                return;
        const struct xp_qval *v = &w->d.v[XP_KEY_SERVED];
        if (v->present && !v->invalid && v->len == strlen(wt->token) && memcmp(v->raw, wt->token, v->len) == 0) {
                xp_query_dbg("refresh round: domain %u answered", domid);
                if (wt->rlast[domid] != XP_R_ANSWERED)
                        wt->q->prom_dirty = true;
                wt->rlast[domid] = XP_R_ANSWERED;
                wt->rpending[domid] = 0;
        }
}

/* every domain shown, in domid order, and the refresh outcomes */
static int write_file(struct watch *wt)
{
        struct query *q = wt->q;
        size_t n = 0;
        for (unsigned id = 0; id < XP_Q_DOMID_MAX; id++)
                n += wt->tab[id] && wt->tab[id]->present;
        struct xp_qdom **v = calloc(n ? n : 1, sizeof(*v));
        struct xp_q_refreshed *r = wt->rlast ? calloc(n ? n : 1, sizeof(*r)) : NULL;
        if (!v || (wt->rlast && !r)) {
                free(v);
                free(r);
                return -ENOMEM;
        }
        size_t m = 0;
        n = 0;
        for (unsigned id = 0; id < XP_Q_DOMID_MAX; id++) {
                if (!wt->tab[id] || !wt->tab[id]->present)
                        continue;
                v[n++] = &wt->tab[id]->d;
                unsigned char s = r ? wt->rlast[id] : XP_R_NONE;
                if (s != XP_R_NONE)
                        r[m++] = (struct xp_q_refreshed){ .domid = id, .answered = s == XP_R_ANSWERED };
        }
        q->refreshed = r;
        q->n_refreshed = m;
        int e = xp_query_write_prom(q, v, n);
        q->refreshed = NULL;
        q->n_refreshed = 0;
        free(v);
        free(r);
        return e;
}

int xp_watch_prom_tick(struct watch *wt)
{
        uint64_t now = xp_query_now_ns(), since = now - wt->written_ns;
        bool beat = since >= beat_ns(wt);
        if (!beat && !(wt->q->prom_dirty && since >= wt->gap_ns))
                return 0;
        if (beat && wt->rlast) {
                int e = start_round(wt);
                if (e < 0)
                        return e;
        }
        int e = write_file(wt);
        wt->written_ns = now;
        if (e == -ENOMEM)
                return e;
        if (e < 0) {
                /* keep following: the next try may work (a full disk, a
                 * directory created later); a writer that gave up would
                 * look like a dead one */
                wt->q->prom_dirty = true;
                wt->gap_ns = wt->gap_ns * 2 < beat_ns(wt) ? wt->gap_ns * 2 : beat_ns(wt);
                return 0;
        }
        wt->q->prom_dirty = false;
        wt->gap_ns = WRITE_GAP_NS;
        return 0;
}

int xp_watch_prom_sleep_ms(const struct watch *wt, int default_ms)
{
        uint64_t since = xp_query_now_ns() - wt->written_ns, due = beat_ns(wt);
        if (wt->q->prom_dirty && wt->gap_ns < due)
                due = wt->gap_ns;
        int ms = since >= due ? 0 : (int)((due - since) / 1000000u) + 1;
        return default_ms >= 0 && default_ms < ms ? default_ms : ms;
}
