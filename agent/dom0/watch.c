/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `xenprobe query --watch`: after the listing, one line (or JSON object)
 * per change until SIGINT or SIGTERM.
 *
 * Each shown domain's data/xenprobe is watched; @introduceDomain and
 * @releaseDomain (which carry no domid) make /local/domain be listed
 * again.  A domain with an event is read again and compared with what was
 * last shown (its JSON): "new", "changed" or "gone" (also when its domid
 * now belongs to another domain: XSA-322); a spurious event prints
 * nothing.  SIGINT/SIGTERM are blocked (xp_query_watch_signals) and read
 * from a signalfd inside the poll loop.
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "dom0/watch.h"

/* how often --watch looks whether the connection is still there, when
 * there is no hang-up descriptor (struct xp_xs) to tell */
#define WATCH_CHECK_MS 2000

#define TOKEN_DOMAIN "xenprobe-query"
#define TOKEN_INTRO "xenprobe-query-introduce"
#define TOKEN_RELEASE "xenprobe-query-release"


static void stop_signals(sigset_t *mask)
{
        sigemptyset(mask);
        sigaddset(mask, SIGINT);
        sigaddset(mask, SIGTERM);
}

void xp_query_watch_signals(void)
{
        sigset_t mask;
        stop_signals(&mask);
        sigprocmask(SIG_BLOCK, &mask, NULL);
}

static char *fingerprint(const struct xp_qdom *d)
{
        struct json_object *o = xp_q_json_domain(d);
        if (!o)
                return NULL;
        const char *s = xp_json_to_string(o, JSON_C_TO_STRING_PLAIN);
        char *fp = s ? strdup(s) : NULL;
        json_object_put(o);
        return fp;
}

/* {"time","event","domain"} on one line */
static int emit_json(const char *ts, const char *event, const struct xp_qdom *d)
{
        struct json_object *o = xp_json_object(), *dj = xp_q_json_domain(d);
        if (!o || !dj) {
                json_object_put(o);
                json_object_put(dj);
                return -ENOMEM;
        }
        xp_json_add(o, "time", xp_json_string(ts));
        xp_json_add(o, "event", xp_json_string(event));
        xp_json_add(o, "domain", dj);
        /* an event missing what could not be allocated is not printed */
        const char *s = xp_json_to_string(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        int e = 0;
        if (s)
                printf("%s\n", s);
        else
                e = -ENOMEM;
        json_object_put(o);
        return e;
}

int xp_query_emit(struct query *q, const char *event, const struct xp_qdom *d)
{
        if (q->prom) {
                /* the whole file is written again once the events are read */
                xp_query_dbg("domain %u: %s", d->domid, event);
                q->prom_dirty = true;
                return 0;
        }
        char ts[XP_UTC_MAX];
        xp_utc_time(time(NULL), ts);
        int e;
        if (q->json) {
                e = emit_json(ts, event, d);
        } else {
                char prefix[64];
                snprintf(prefix, sizeof(prefix), "%s %-8s ", ts, event);
                e = xp_q_render_row(d, q->widths, prefix, stdout);
        }
        if (e == 0 && (fflush(stdout) != 0 || ferror(stdout)))
                e = -EIO;
        return e;
}

static int watch_domain(struct query *q, struct wdom *w, unsigned domid)
{
        char path[192];
        if (w->watched)
                return 0;
        int e = q->xs->ops->watch(q->xs, xp_q_path(path, sizeof(path), domid, NULL), TOKEN_DOMAIN);
        if (e < 0) {
                if (xp_q_fatal(e))
                        return e;
                fprintf(stderr, "xenprobe: query: cannot watch %s: %s: changes of domain %u are not followed\n", path,
                        xp_xs_strerror(e), domid);
                return 0;
        }
        w->watched = true;
        return 0;
}

/* store D (moved) as what was shown for its domid */
static int remember(struct watch *wt, struct xp_qdom *d)
{
        struct wdom *w = wt->tab[d->domid];
        if (!w) {
                w = wt->tab[d->domid] = calloc(1, sizeof(*w));
                if (!w)
                        return -ENOMEM;
        }
        char *fp = fingerprint(d);
        if (!fp)
                return -ENOMEM;
        free(w->fp);
        w->fp = fp;
        w->present = true;
        unsigned id = d->domid;
        xp_qdom_move(&w->d, d);
        return watch_domain(wt->q, w, id);
}

/* ND (read again, there) against W (NULL or what was last shown) */
static int show_change(struct watch *wt, struct wdom *w, const struct xp_qdom *nd)
{
        struct query *q = wt->q;
        bool was = w && w->present;
        int e = 0;
        if (was && !xp_q_same_identity(w->d.uuid, w->d.unique_id, nd->uuid, nd->unique_id)) {
                /* the domid was reused (XSA-322): another domain */
                e = xp_query_emit(q, "gone", &w->d);
                was = false;
        }
        if (e < 0 || !was)
                return e < 0 ? e : xp_query_emit(q, "new", nd);
        char *fp = fingerprint(nd);
        if (!fp)
                return -ENOMEM;
        if (strcmp(fp, w->fp) != 0)
                e = xp_query_emit(q, "changed", nd);
        else
                xp_query_dbg("domain %u: event, nothing changed", nd->domid);
        free(fp);
        return e;
}

/* re-read DOMID and print what changed since it was last shown */
static int reread(struct watch *wt, unsigned domid)
{
        struct xp_qdom nd = {};
        int e = xp_q_read_domain(wt->q->xs, domid, &nd);
        if (e < 0)
                return e;
        struct wdom *w = wt->tab[domid];
        if (!nd.exists) {
                if (w && w->present) {
                        w->present = false;
                        e = xp_query_emit(wt->q, "gone", &w->d);
                }
        } else {
                e = show_change(wt, w, &nd);
                if (e == 0)
                        e = remember(wt, &nd);
        }
        xp_watch_prom_seen(wt, domid);
        xp_qdom_clear(&nd);
        return e;
}

/* @introduceDomain / @releaseDomain carry no domid: list /local/domain
 * again and mark what appeared, vanished or changed identity */
static int rescan(struct watch *wt)
{
        struct query *q = wt->q;
        unsigned *ids = NULL;
        size_t n = 0;
        int e = xp_q_list_domains(q->xs, &ids, &n);
        for (size_t i = 0; e == 0 && i < n; i++) {
                unsigned id = ids[i];
                if (!q->all && !xp_q_has_domid(q->sel, q->n_sel, id))
                        continue;
                struct wdom *w = wt->tab[id];
                if (!w || !w->present) {
                        wt->dirty[id] = 1;
                        continue;
                }
                bool exists;
                char *uuid = NULL, *uid = NULL;
                e = xp_q_read_identity(q->xs, id, &exists, &uuid, &uid);
                if (e < 0 && !xp_q_fatal(e))
                        e = 0;
                if (e == 0 && (!exists || !xp_q_same_identity(w->d.uuid, w->d.unique_id, uuid, uid)))
                        wt->dirty[id] = 1;
                free(uuid);
                free(uid);
        }
        for (unsigned id = 0; e == 0 && id < XP_Q_DOMID_MAX; id++)
                if (wt->tab[id] && wt->tab[id]->present && !xp_q_has_domid(ids, n, id))
                        wt->dirty[id] = 1;
        free(ids);
        return e;
}

/* the signalfd, what was shown, the watches */
static int start(struct watch *wt)
{
        struct query *q = wt->q;
        sigset_t mask;
        stop_signals(&mask);
        wt->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (wt->sfd < 0)
                return -errno;
        int e = 0;
        for (size_t i = 0; i < q->n_doms && e == 0; i++)
                if (q->doms[i]->exists)
                        e = remember(wt, q->doms[i]);
        if (e < 0)
                return e;
        wt->fd = q->xs->ops->fileno(q->xs);
        if (wt->fd < 0)
                return wt->fd;
        e = q->xs->ops->watch(q->xs, "@introduceDomain", TOKEN_INTRO);
        if (e == 0)
                e = q->xs->ops->watch(q->xs, "@releaseDomain", TOKEN_RELEASE);
        if (e == 0)
                xp_query_dbg("watching %zu domains", q->n_doms);
        return e;
}

/* the fired watches: mark the domains to read again, *SCAN for a rescan */
static int take_events(struct watch *wt, bool *scan)
{
        struct xp_xs *xs = wt->q->xs;
        for (;;) {
                char *wpath, *wtok;
                int e = xs->ops->check_watch(xs, &wpath, &wtok);
                if (e == -EAGAIN)
                        return 0;
                if (e < 0)
                        return e;
                if (strcmp(wtok, TOKEN_INTRO) == 0 || strcmp(wtok, TOKEN_RELEASE) == 0)
                        *scan = true;
                else if (strcmp(wtok, TOKEN_DOMAIN) == 0) {
                        long id = xp_q_path_domid(wpath);
                        if (id >= 0)
                                wt->dirty[id] = 1;
                }
                free(wpath);
        }
}

/* milliseconds poll() may sleep: until the next write with
 * --prometheus, else DEFAULT_MS */
static int sleep_ms(const struct watch *wt, int default_ms)
{
        return wt->q->prom ? xp_watch_prom_sleep_ms(wt, default_ms) : default_ms;
}

/* wait for events: 1 to go on, 0 on SIGINT/SIGTERM, -errno */
static int wait_events(struct watch *wt)
{
        int hup = wt->q->xs->hup_fd;
        struct pollfd p[3] = { { .fd = wt->fd, .events = POLLIN }, { .fd = wt->sfd, .events = POLLIN },
                               { .fd = hup, .events = POLLRDHUP } };
        /* libxenstore's reader thread closes the connection when xenstored
         * goes away, but never makes the watch fd readable: the hang-up
         * descriptor says so; without one (no /proc), wake up now and then
         * to ask check_watch, which then fails (no request is sent) */
        if (poll(p, hup >= 0 ? 3 : 2, sleep_ms(wt, hup >= 0 ? -1 : WATCH_CHECK_MS)) < 0)
                return errno == EINTR ? 1 : -errno;
        if (hup >= 0 && p[2].revents)
                return -EPIPE; /* xenstored closed the connection */
        if (p[1].revents) {
                struct signalfd_siginfo si;
                if (read(wt->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                        xp_query_dbg("signal %u: done", si.ssi_signo);
                        return 0;
                }
        }
        return 1;
}

static int follow(struct watch *wt)
{
        int e;
        while ((e = wait_events(wt)) > 0) {
                bool scan = false;
                e = take_events(wt, &scan);
                if (e == 0 && scan)
                        e = rescan(wt);
                uint64_t t0 = xp_query_now_ns();
                bool read = false;
                for (unsigned id = 0; e == 0 && id < XP_Q_DOMID_MAX; id++)
                        if (wt->dirty[id]) {
                                wt->dirty[id] = 0;
                                read = true;
                                e = reread(wt, id);
                        }
                if (read) /* --prometheus: the duration of the last reading */
                        wt->q->read_seconds = (double)(xp_query_now_ns() - t0) / 1e9;
                if (e == 0 && wt->q->prom)
                        e = xp_watch_prom_tick(wt);
                if (e < 0)
                        return e;
        }
        return e;
}

int xp_query_watch(struct query *q)
{
        /* the listing wrote the file just now */
        struct watch wt = { .q = q, .fd = -1, .sfd = -1, .written_ns = xp_query_now_ns() };
        wt.tab = calloc(XP_Q_DOMID_MAX, sizeof(*wt.tab));
        wt.dirty = calloc(XP_Q_DOMID_MAX, 1);
        int e = !wt.tab || !wt.dirty ? -ENOMEM : q->prom ? xp_watch_prom_init(&wt) : 0;
        if (e == 0)
                e = start(&wt);
        if (e == 0)
                e = follow(&wt);
        if (wt.sfd >= 0)
                close(wt.sfd);
        for (unsigned id = 0; wt.tab && id < XP_Q_DOMID_MAX; id++)
                if (wt.tab[id]) {
                        xp_qdom_clear(&wt.tab[id]->d);
                        free(wt.tab[id]->fp);
                        free(wt.tab[id]);
                }
        free(wt.tab);
        free(wt.dirty);
        free(wt.rlast);
        free(wt.rpending);
        return e;
}
