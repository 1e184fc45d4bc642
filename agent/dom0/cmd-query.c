/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `xenprobe query` (dom0): what the guests published below
 * /local/domain/<id>/data/xenprobe/, as a table, one domain's detail, or
 * JSON; --refresh asks the guests' daemons to publish now, --watch follows
 * changes.
 *
 * No hang: libxenstore has no timeout, and a request blocks forever when
 * xenstored does not answer (xenstored stopped while /dev/xen/xenbus is
 * used, or a wedged daemon).  The connection's ops table is wrapped
 * (guarded_ops): every request runs under a one-shot ITIMER_REAL of
 * --timeout seconds, so each must be answered in that time however many
 * domains there are.  If the timer expires, the SIGALRM handler writes a
 * preformatted message naming the endpoint and _exit(1)s (write and _exit
 * are async-signal-safe; nothing is half-printed: stdout gets whole
 * documents, or whole lines in --watch).  The timer is off between
 * requests, so neither poll() (--refresh has its own deadline, --watch
 * waits for events) nor writing the output (a slow pager is not a dead
 * xenstored) is limited by it.  libxenstore's reader thread blocks every
 * signal, so SIGALRM always reaches the main thread; SIGINT/SIGTERM are
 * blocked and read from a signalfd inside --watch's poll loop.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <math.h> /* isfinite */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "json.h"
#include "dom0/dom0.h"

#define EXIT_ERROR 1
#define EXIT_USAGE 2
#define EXIT_MISSING 3
#define EXIT_UNANSWERED 4

/* how often --watch looks whether the connection is still there, when
 * there is no hang-up descriptor (struct xp_xs) to tell */
#define WATCH_CHECK_MS 2000

#define TOKEN_DOMAIN "xenprobe-query"
#define TOKEN_INTRO "xenprobe-query-introduce"
#define TOKEN_RELEASE "xenprobe-query-release"
#define TOKEN_SERVED "xenprobe-query-served"

static bool verbose;
#define dbg(...)                                                                                                   \
        do {                                                                                                       \
                if (verbose) {                                                                                     \
                        fprintf(stderr, "xenprobe: query: " __VA_ARGS__);                                          \
                        fputc('\n', stderr);                                                                       \
                }                                                                                                  \
        } while (0)

static void usage(FILE *out)
{
        fprintf(out,
                "Usage: xenprobe query [DOMID|NAME...] [--all] [--json] [--watch] [--refresh] [--timeout SEC]\n"
                "\n"
                "dom0: show what the guests' xenprobe daemons published in xenstore, below\n"
                "/local/domain/<id>/" XP_XS_BASE "/ (schema %d).  Every value was written by the\n"
                "guest: it is length-bounded, checked against the schema and shown safely.\n"
                "\n"
                "  DOMID|NAME         these domains (an all-digit argument is a domid); for one,\n"
                "                     every field follows the table\n"
                "  -a, --all          every domain under /local/domain (the default), including\n"
                "                     those that published nothing (status none)\n"
                "  -j, --json         {\"schema\":1,\"domains\":[...]}; with --watch, one JSON\n"
                "                     object per line: {\"time\",\"event\",\"domain\"}\n"
                "  -r, --refresh      ask each guest's daemon to publish now (writes\n"
                "                     " XP_XS_BASE "/request) and wait for its answer (served); with\n"
                "                     --all, only domains that published something are asked\n"
                "  -w, --watch        after the listing, print one line per change (initial,\n"
                "                     new, changed, gone) until SIGINT or SIGTERM\n"
                "  -t, --timeout SEC  the longest wait for xenstored to answer, and for the\n"
                "                     guests to answer --refresh (default 5)\n"
                "  -v, --verbose      debug messages on standard error\n"
                "  -h, --help         this help\n"
                "\n"
                "STATUS: ok; none (nothing published); invalid (the data violates the schema:\n"
                "see the problems); schema-N (a newer schema, not interpreted); truncated\n"
                "(more entries or bytes than xenprobe reads: %u entries per directory,\n"
                "%u bytes per domain, %d per value); unreadable (xenstore refused, or the\n"
                "data kept changing).  A value marked '!' failed validation.\n"
                "\n"
                "Exit status: 0 shown; 1 error (xenstore unreachable); 2 usage error; 3 a\n"
                "named domain does not exist or published nothing valid; 4 a guest did not\n"
                "answer --refresh in time.\n",
                XP_XS_SCHEMA, XP_Q_MAX_ENTRIES, XP_Q_MAX_BYTES, XP_XS_VALUE_MAX);
}

/* ------------------------------------------------------------ hang guard */

static char guard_msg[512];
static size_t guard_len;
static double guard_secs;

static void guard_handler(int sig)
{
        (void)sig;
        ssize_t _unused_ w = write(STDERR_FILENO, guard_msg, guard_len);
        _exit(EXIT_ERROR);
}

/* the message for WHERE; only while the timer is off */
static void guard_where(const char *where)
{
        snprintf(guard_msg, sizeof(guard_msg),
                 "xenprobe: xenstore (%s) did not answer within %g s: is xenstored running? "
                 "(try 'xenstore-ls /local/domain'; --timeout SEC waits longer)\n",
                 where, guard_secs);
        guard_len = strlen(guard_msg);
}

static void guard_timer(double secs)
{
        struct itimerval it = {};
        it.it_value.tv_sec = (time_t)secs;
        it.it_value.tv_usec = (suseconds_t)((secs - (double)it.it_value.tv_sec) * 1e6);
        if (secs > 0 && it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0)
                it.it_value.tv_usec = 1;
        setitimer(ITIMER_REAL, &it, NULL);
}

static void guard_arm(void)
{
        guard_timer(guard_secs);
}

static void guard_disarm(void)
{
        guard_timer(0);
}

/* the real ops, each call under the guard */
static const struct xp_xs_ops *real_ops;

static int g_tx_start(struct xp_xs *xs, xp_xs_tx *tx)
{
        guard_arm();
        int e = real_ops->tx_start(xs, tx);
        guard_disarm();
        return e;
}

static int g_tx_end(struct xp_xs *xs, xp_xs_tx tx, bool abort)
{
        guard_arm();
        int e = real_ops->tx_end(xs, tx, abort);
        guard_disarm();
        return e;
}

static int g_read(struct xp_xs *xs, xp_xs_tx tx, const char *path, char **val, size_t *len)
{
        guard_arm();
        int e = real_ops->read(xs, tx, path, val, len);
        guard_disarm();
        return e;
}

static int g_write(struct xp_xs *xs, xp_xs_tx tx, const char *path, const char *val, size_t len)
{
        guard_arm();
        int e = real_ops->write(xs, tx, path, val, len);
        guard_disarm();
        return e;
}

static int g_rm(struct xp_xs *xs, xp_xs_tx tx, const char *path)
{
        guard_arm();
        int e = real_ops->rm(xs, tx, path);
        guard_disarm();
        return e;
}

static int g_directory(struct xp_xs *xs, xp_xs_tx tx, const char *path, char ***names, unsigned *n)
{
        guard_arm();
        int e = real_ops->directory(xs, tx, path, names, n);
        guard_disarm();
        return e;
}

static int g_watch(struct xp_xs *xs, const char *path, const char *token)
{
        guard_arm();
        int e = real_ops->watch(xs, path, token);
        guard_disarm();
        return e;
}

static int g_unwatch(struct xp_xs *xs, const char *path, const char *token)
{
        guard_arm();
        int e = real_ops->unwatch(xs, path, token);
        guard_disarm();
        return e;
}

static int g_fileno(struct xp_xs *xs)
{
        guard_arm();
        int e = real_ops->fileno(xs);
        guard_disarm();
        return e;
}

static int g_check_watch(struct xp_xs *xs, char **path, char **token)
{
        return real_ops->check_watch(xs, path, token); /* sends nothing */
}

static void g_close(struct xp_xs *xs)
{
        real_ops->close(xs);
}

static const struct xp_xs_ops guarded_ops = {
        .tx_start = g_tx_start,
        .tx_end = g_tx_end,
        .read = g_read,
        .write = g_write,
        .rm = g_rm,
        .directory = g_directory,
        .watch = g_watch,
        .unwatch = g_unwatch,
        .fileno = g_fileno,
        .check_watch = g_check_watch,
        .close = g_close,
};

static int guard_setup(double secs)
{
        struct sigaction sa = { .sa_handler = guard_handler };
        sigemptyset(&sa.sa_mask);
        guard_secs = secs;
        guard_where(xp_xs_socket_path());
        return sigaction(SIGALRM, &sa, NULL) < 0 ? -errno : 0;
}

/* ---------------------------------------------------------------- helpers */

static uint64_t now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool all_digits(const char *s)
{
        if (!*s)
                return false;
        for (; *s; s++)
                if (*s < '0' || *s > '9')
                        return false;
        return true;
}

static int cmp_uint(const void *a, const void *b)
{
        unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
        return x < y ? -1 : x > y;
}

static bool in_list(const unsigned *ids, size_t n, unsigned id)
{
        return n && bsearch(&id, ids, n, sizeof(*ids), cmp_uint) != NULL;
}

static const char *dom_name(const struct xp_qdom *d, char *buf, size_t len)
{
        char *s = d->name.present ? xp_sanitize(d->name.raw, d->name.len, 64) : NULL;
        snprintf(buf, len, "domain %u%s%s%s", d->domid, s ? " (" : "", s ? s : "", s ? ")" : "");
        free(s);
        return buf;
}

static int fail_xs(struct xp_xs *xs, const char *what, int e)
{
        fprintf(stderr, "xenprobe: query: %s (%s): %s\n", what, xs ? xs->where : xp_xs_socket_path(),
                xp_xs_strerror(e));
        return EXIT_ERROR;
}

struct query {
        struct xp_xs *xs;
        bool json, all, watch, refresh, single;
        double timeout;
        unsigned *sel; /* the domids asked for (sorted), or every listed one */
        size_t n_sel;
        struct xp_qdom **doms;
        size_t n_doms;
        int widths[XP_Q_COLUMNS];
};

static void doms_free(struct query *q)
{
        for (size_t i = 0; i < q->n_doms; i++) {
                xp_qdom_clear(q->doms[i]);
                free(q->doms[i]);
        }
        free(q->doms);
        q->doms = NULL;
        q->n_doms = 0;
}

/* read every selected domain (in domid order) */
static int read_all(struct query *q)
{
        doms_free(q);
        q->doms = calloc(q->n_sel ? q->n_sel : 1, sizeof(*q->doms));
        if (!q->doms)
                return -ENOMEM;
        for (size_t i = 0; i < q->n_sel; i++) {
                struct xp_qdom *d = calloc(1, sizeof(*d));
                if (!d)
                        return -ENOMEM;
                int e = xp_q_read_domain(q->xs, q->sel[i], d);
                if (e < 0) {
                        free(d);
                        return e;
                }
                q->doms[q->n_doms++] = d;
                dbg("domain %u: %s, %zu bytes, %u unknown keys", d->domid, d->exists ? "read" : "gone", d->bytes_read,
                    d->unknown_keys);
        }
        return 0;
}

/* ---------------------------------------------------------------- refresh */

/* Ask the selected domains to publish now and wait for their answers. */
static int refresh(struct query *q, bool *unanswered)
{
        const struct xp_xs_ops *ops = q->xs->ops;
        char token[XP_XS_REQUEST_MAX + 1], path[192], nb[128];
        snprintf(token, sizeof(token), "q%ld-%llu", (long)getpid(), (unsigned long long)now_ns());
        bool *pending = calloc(q->n_doms + 1, sizeof(bool));
        bool *watched = calloc(q->n_doms + 1, sizeof(bool));
        size_t left = 0;
        int e = 0;
        if (!pending || !watched) {
                e = -ENOMEM;
                goto out;
        }
        int fd = ops->fileno(q->xs);
        if (fd < 0) {
                e = fd;
                goto out;
        }
        for (size_t i = 0; i < q->n_doms; i++) {
                struct xp_qdom *d = q->doms[i];
                if (!d->exists || (q->all && d->status == XP_Q_NONE))
                        continue; /* nothing there to ask */
                e = ops->watch(q->xs, xp_q_path(path, sizeof(path), d->domid, XP_XS_SERVED), TOKEN_SERVED);
                if (e < 0)
                        goto out;
                watched[i] = true;
                e = xp_q_request(q->xs, d, token);
                if (e == -ESTALE || e == -ENOENT) {
                        fprintf(stderr, "xenprobe: query: %s: not asked to refresh: %s\n", dom_name(d, nb, sizeof(nb)),
                                e == -ESTALE ? "its domid now belongs to another domain (a different UUID)"
                                             : "the domain, or its data/ directory, is gone");
                        *unanswered = true;
                        continue;
                }
                if (e < 0) {
                        if (xp_q_fatal(e))
                                goto out;
                        fprintf(stderr, "xenprobe: query: %s: writing %s: %s\n", dom_name(d, nb, sizeof(nb)),
                                xp_q_path(path, sizeof(path), d->domid, XP_XS_REQUEST), xp_xs_strerror(e));
                        *unanswered = true;
                        continue;
                }
                pending[i] = true;
                left++;
        }
        dbg("refresh: token %s written to %zu domains", token, left);
        uint64_t deadline = now_ns() + (uint64_t)(q->timeout * 1e9);
        while (left > 0) {
                uint64_t now = now_ns();
                if (now >= deadline)
                        break;
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int ms = (int)((deadline - now + 999999) / 1000000);
                int r = poll(&p, 1, ms);
                if (r < 0 && errno != EINTR) {
                        e = -errno;
                        goto out;
                }
                for (;;) {
                        char *wpath, *wtok;
                        e = ops->check_watch(q->xs, &wpath, &wtok);
                        if (e == -EAGAIN)
                                break;
                        if (e < 0)
                                goto out;
                        long id = strcmp(wtok, TOKEN_SERVED) == 0 ? xp_q_path_domid(wpath) : -1;
                        free(wpath);
                        for (size_t i = 0; id >= 0 && i < q->n_doms; i++) {
                                if (!pending[i] || q->doms[i]->domid != (unsigned)id)
                                        continue;
                                e = xp_q_served(q->xs, (unsigned)id, token);
                                if (e < 0 && xp_q_fatal(e))
                                        goto out;
                                if (e == 1) {
                                        pending[i] = false;
                                        left--;
                                        dbg("refresh: domain %ld answered", id);
                                }
                        }
                }
                e = 0;
        }
        for (size_t i = 0; i < q->n_doms; i++) {
                if (!pending[i])
                        continue;
                *unanswered = true;
                fprintf(stderr,
                        "xenprobe: query: %s: no xenprobe daemon answered within %g s (%s/" XP_XS_SERVED
                        " never showed the request): is xenprobed running in the guest?\n",
                        dom_name(q->doms[i], nb, sizeof(nb)), q->timeout, XP_XS_BASE);
        }
out:
        for (size_t i = 0; watched && i < q->n_doms; i++)
                if (watched[i]) {
                        int u = ops->unwatch(q->xs, xp_q_path(path, sizeof(path), q->doms[i]->domid, XP_XS_SERVED),
                                             TOKEN_SERVED);
                        if (u < 0 && xp_q_fatal(u) && e == 0)
                                e = u;
                }
        free(pending);
        free(watched);
        return e;
}

/* ------------------------------------------------------------------ watch */

struct wdom {
        bool present;
        bool watched;
        struct xp_qdom d; /* as last shown */
        char *fp;         /* its JSON, to tell a real change from a spurious event */
};

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

static int emit(struct query *q, const char *event, const struct xp_qdom *d)
{
        char ts[40];
        struct timespec now;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &now);
        gmtime_r(&now.tv_sec, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
        int e = 0;
        if (q->json) {
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
                if (s)
                        printf("%s\n", s);
                else
                        e = -ENOMEM;
                json_object_put(o);
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
static int remember(struct query *q, struct wdom **tab, struct xp_qdom *d)
{
        struct wdom *w = tab[d->domid];
        if (!w) {
                w = tab[d->domid] = calloc(1, sizeof(*w));
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
        int e = watch_domain(q, w, id);
        return e;
}

/* re-read DOMID and print what changed since it was last shown */
static int reread(struct query *q, struct wdom **tab, unsigned domid)
{
        struct xp_qdom nd = {};
        int e = xp_q_read_domain(q->xs, domid, &nd);
        if (e < 0)
                return e;
        struct wdom *w = tab[domid];
        bool was = w && w->present;
        if (!nd.exists) {
                if (was) {
                        w->present = false;
                        e = emit(q, "gone", &w->d);
                }
                xp_qdom_clear(&nd);
                return e;
        }
        if (was && !xp_q_same_identity(w->d.uuid, w->d.unique_id, nd.uuid, nd.unique_id)) {
                /* the domid was reused (XSA-322): another domain */
                e = emit(q, "gone", &w->d);
                was = false;
        }
        if (e == 0 && !was) {
                e = emit(q, "new", &nd);
        } else if (e == 0) {
                char *fp = fingerprint(&nd);
                if (!fp)
                        e = -ENOMEM;
                else if (strcmp(fp, w->fp) != 0)
                        e = emit(q, "changed", &nd);
                else
                        dbg("domain %u: event, nothing changed", domid);
                free(fp);
        }
        if (e == 0)
                e = remember(q, tab, &nd);
        xp_qdom_clear(&nd);
        return e;
}

/* @introduceDomain / @releaseDomain carry no domid: list /local/domain
 * again and mark what appeared, vanished or changed identity */
static int rescan(struct query *q, struct wdom **tab, unsigned char *dirty)
{
        unsigned *ids = NULL;
        size_t n = 0;
        int e = xp_q_list_domains(q->xs, &ids, &n);
        for (size_t i = 0; e == 0 && i < n; i++) {
                unsigned id = ids[i];
                if (!q->all && !in_list(q->sel, q->n_sel, id))
                        continue;
                struct wdom *w = tab[id];
                if (!w || !w->present) {
                        dirty[id] = 1;
                        continue;
                }
                bool exists;
                char *uuid = NULL, *uid = NULL;
                e = xp_q_read_identity(q->xs, id, &exists, &uuid, &uid);
                if (e < 0 && !xp_q_fatal(e))
                        e = 0;
                if (e == 0 && (!exists || !xp_q_same_identity(w->d.uuid, w->d.unique_id, uuid, uid)))
                        dirty[id] = 1;
                free(uuid);
                free(uid);
        }
        for (unsigned id = 0; e == 0 && id < XP_Q_DOMID_MAX; id++)
                if (tab[id] && tab[id]->present && !in_list(ids, n, id))
                        dirty[id] = 1;
        free(ids);
        return e;
}

static int watch_loop(struct query *q)
{
        const struct xp_xs_ops *ops = q->xs->ops;
        struct wdom **tab = calloc(XP_Q_DOMID_MAX, sizeof(*tab));
        unsigned char *dirty = calloc(XP_Q_DOMID_MAX, 1);
        int e = 0, sfd = -1;
        if (!tab || !dirty) {
                e = -ENOMEM;
                goto out;
        }
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0) {
                e = -errno;
                goto out;
        }
        for (size_t i = 0; i < q->n_doms && e == 0; i++)
                if (q->doms[i]->exists)
                        e = remember(q, tab, q->doms[i]);
        if (e < 0)
                goto out;
        int fd = ops->fileno(q->xs);
        if (fd < 0)
                e = fd;
        if (e == 0)
                e = ops->watch(q->xs, "@introduceDomain", TOKEN_INTRO);
        if (e == 0)
                e = ops->watch(q->xs, "@releaseDomain", TOKEN_RELEASE);
        if (e < 0)
                goto out;
        dbg("watching %zu domains", q->n_doms);

        for (;;) {
                struct pollfd p[3] = { { .fd = fd, .events = POLLIN }, { .fd = sfd, .events = POLLIN },
                                       { .fd = q->xs->hup_fd, .events = POLLRDHUP } };
                /* libxenstore's reader thread closes the connection when
                 * xenstored goes away, but never makes the watch fd
                 * readable: the hang-up descriptor says so; without one
                 * (no /proc), wake up now and then to ask check_watch,
                 * which then fails (no request is sent) */
                if (poll(p, q->xs->hup_fd >= 0 ? 3 : 2, q->xs->hup_fd >= 0 ? -1 : WATCH_CHECK_MS) < 0) {
                        if (errno == EINTR)
                                continue;
                        e = -errno;
                        break;
                }
                if (q->xs->hup_fd >= 0 && p[2].revents) {
                        e = -EPIPE; /* xenstored closed the connection */
                        break;
                }
                if (p[1].revents) {
                        struct signalfd_siginfo si;
                        if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                                dbg("signal %u: done", si.ssi_signo);
                                break;
                        }
                }
                bool scan = false;
                for (;;) {
                        char *wpath, *wtok;
                        e = ops->check_watch(q->xs, &wpath, &wtok);
                        if (e == -EAGAIN) {
                                e = 0;
                                break;
                        }
                        if (e < 0)
                                goto out;
                        if (strcmp(wtok, TOKEN_INTRO) == 0 || strcmp(wtok, TOKEN_RELEASE) == 0)
                                scan = true;
                        else if (strcmp(wtok, TOKEN_DOMAIN) == 0) {
                                long id = xp_q_path_domid(wpath);
                                if (id >= 0)
                                        dirty[id] = 1;
                        }
                        free(wpath);
                }
                if (scan)
                        e = rescan(q, tab, dirty);
                for (unsigned id = 0; e == 0 && id < XP_Q_DOMID_MAX; id++)
                        if (dirty[id]) {
                                dirty[id] = 0;
                                e = reread(q, tab, id);
                        }
                if (e < 0)
                        break;
        }
out:
        if (sfd >= 0)
                close(sfd);
        for (unsigned id = 0; tab && id < XP_Q_DOMID_MAX; id++)
                if (tab[id]) {
                        xp_qdom_clear(&tab[id]->d);
                        free(tab[id]->fp);
                        free(tab[id]);
                }
        free(tab);
        free(dirty);
        return e;
}

/* -------------------------------------------------------------- selection */

static int add_sel(struct query *q, unsigned id)
{
        unsigned *v = realloc(q->sel, (q->n_sel + 1) * sizeof(*v));
        if (!v)
                return -ENOMEM;
        q->sel = v;
        v[q->n_sel++] = id;
        return 0;
}

/* resolve the DOMID|NAME arguments against the listed domids; *MISSING when
 * one names nothing */
static int select_args(struct query *q, char **args, int n, const unsigned *ids, size_t n_ids, bool *notfound)
{
        int e = 0;
        for (int i = 0; i < n && e == 0; i++) {
                const char *a = args[i];
                if (all_digits(a)) {
                        unsigned long v = strlen(a) <= 6 ? strtoul(a, NULL, 10) : XP_Q_DOMID_MAX;
                        if (v < XP_Q_DOMID_MAX && in_list(ids, n_ids, (unsigned)v)) {
                                e = add_sel(q, (unsigned)v);
                                continue;
                        }
                        fprintf(stderr, "xenprobe: query: domain %s does not exist (no /local/domain/%s in xenstore; 'xl list' shows the domains)\n",
                                a, a);
                        *notfound = true;
                        continue;
                }
                unsigned *found = NULL;
                size_t nf = 0;
                e = xp_q_find_name(q->xs, ids, n_ids, a, &found, &nf);
                for (size_t j = 0; e == 0 && j < nf; j++)
                        e = add_sel(q, found[j]);
                free(found);
                if (e == 0 && nf == 0) {
                        char *s = xp_sanitize(a, strlen(a), 64);
                        fprintf(stderr, "xenprobe: query: no domain is named '%s' (no /local/domain/*/name matches; 'xl list' shows the names)\n",
                                s ? s : "?");
                        free(s);
                        *notfound = true;
                }
        }
        if (e < 0)
                return e;
        /* sorted, each once */
        if (q->n_sel > 1)
                qsort(q->sel, q->n_sel, sizeof(*q->sel), cmp_uint);
        size_t m = 0;
        for (size_t i = 0; i < q->n_sel; i++)
                if (m == 0 || q->sel[m - 1] != q->sel[i])
                        q->sel[m++] = q->sel[i];
        q->n_sel = m;
        return 0;
}

static bool parse_timeout(const char *s, double *out)
{
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > 86400)
                return false;
        *out = v;
        return true;
}

/* ------------------------------------------------------------------- main */

int xp_cmd_query(int argc, char **argv, bool json, bool verbose_opt)
{
        static const struct option opts[] = {
                { "all", no_argument, NULL, 'a' },     { "json", no_argument, NULL, 'j' },
                { "watch", no_argument, NULL, 'w' },   { "refresh", no_argument, NULL, 'r' },
                { "timeout", required_argument, NULL, 't' }, { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },    {},
        };
        struct query q = { .json = json, .timeout = 5 };
        int c;
        verbose = verbose_opt;
        optind = 0; /* re-initialise getopt for the sub-command's argv */
        while ((c = getopt_long(argc, argv, "ajwrt:vh", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        q.all = true;
                        break;
                case 'j':
                        q.json = true;
                        break;
                case 'w':
                        q.watch = true;
                        break;
                case 'r':
                        q.refresh = true;
                        break;
                case 't':
                        if (!parse_timeout(optarg, &q.timeout)) {
                                fprintf(stderr, "xenprobe: query: --timeout '%s': expected seconds, more than 0 and at most 86400\n",
                                        optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case 'v':
                        verbose = true;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return EXIT_USAGE;
                }
        }
        int nargs = argc - optind;
        char **args = argv + optind;
        if (q.all && nargs > 0) {
                fprintf(stderr, "xenprobe: query: --all and domain arguments exclude each other\n");
                usage(stderr);
                return EXIT_USAGE;
        }
        q.all = nargs == 0;
        q.single = nargs == 1;

        int ret = EXIT_ERROR, e;
        unsigned *ids = NULL;
        size_t n_ids = 0;
        bool notfound = false, novalid = false, unanswered = false;

        if (q.watch) {
                /* before libxenstore starts its thread: SIGINT/SIGTERM
                 * only through the signalfd */
                sigset_t mask;
                sigemptyset(&mask);
                sigaddset(&mask, SIGINT);
                sigaddset(&mask, SIGTERM);
                sigprocmask(SIG_BLOCK, &mask, NULL);
        }
        e = guard_setup(q.timeout);
        if (e < 0) {
                fprintf(stderr, "xenprobe: query: installing the SIGALRM handler: %s\n", strerror(-e));
                return EXIT_ERROR;
        }
        guard_arm();
        e = xp_xs_open(&q.xs);
        guard_disarm();
        if (e < 0) {
                fprintf(stderr, "xenprobe: query: cannot connect to xenstore (%s): %s\n", xp_xs_socket_path(),
                        xp_xs_strerror(e));
                return EXIT_ERROR;
        }
        guard_where(q.xs->where);
        real_ops = q.xs->ops;
        q.xs->ops = &guarded_ops;
        dbg("connected to %s", q.xs->where);

        e = xp_q_list_domains(q.xs, &ids, &n_ids);
        if (e < 0) {
                ret = fail_xs(q.xs, "listing /local/domain", e);
                goto out;
        }
        if (q.all) {
                q.sel = ids;
                q.n_sel = n_ids;
                ids = NULL;
        } else {
                e = select_args(&q, args, nargs, ids, n_ids, &notfound);
                if (e < 0) {
                        ret = fail_xs(q.xs, "looking the domains up", e);
                        goto out;
                }
        }
        uint64_t t0 = now_ns();
        e = read_all(&q);
        if (e < 0) {
                ret = fail_xs(q.xs, "reading the domains", e);
                goto out;
        }
        dbg("read %zu domains in %.3f s", q.n_doms, (double)(now_ns() - t0) / 1e9);
        if (q.refresh) {
                e = refresh(&q, &unanswered);
                if (e == 0)
                        e = read_all(&q);
                if (e < 0) {
                        ret = fail_xs(q.xs, "--refresh", e);
                        goto out;
                }
        }

        /* what is shown: the domains still there */
        size_t m = 0;
        for (size_t i = 0; i < q.n_doms; i++) {
                struct xp_qdom *d = q.doms[i];
                if (d->exists) {
                        q.doms[m++] = d;
                        continue;
                }
                if (!q.all) {
                        fprintf(stderr, "xenprobe: query: domain %u is gone\n", d->domid);
                        notfound = true;
                }
                xp_qdom_clear(d);
                free(d);
        }
        q.n_doms = m;
        if (!q.all)
                for (size_t i = 0; i < q.n_doms; i++) {
                        const struct xp_qdom *d = q.doms[i];
                        if (d->status == XP_Q_OK || d->status == XP_Q_TRUNCATED)
                                continue;
                        char nb[128];
                        dom_name(d, nb, sizeof(nb));
                        if (d->status == XP_Q_NONE)
                                fprintf(stderr, "xenprobe: query: %s: nothing published below %s (is xenprobed running in the guest?)\n",
                                        nb, XP_XS_BASE);
                        else if (d->status == XP_Q_INVALID)
                                fprintf(stderr, "xenprobe: query: %s: what it published violates schema %d (the problems say where)\n",
                                        nb, XP_XS_SCHEMA);
                        else if (d->status == XP_Q_FUTURE)
                                fprintf(stderr, "xenprobe: query: %s: published schema %u, newer than this xenprobe reads (%d): update xenprobe in dom0\n",
                                        nb, d->future, XP_XS_SCHEMA);
                        else
                                fprintf(stderr, "xenprobe: query: %s: unreadable: %s\n", nb,
                                        d->problems && d->problems[0] ? d->problems[0] : "?");
                        novalid = true;
                }

        if (q.watch && q.json) {
                for (size_t i = 0; i < q.n_doms && e == 0; i++)
                        e = emit(&q, "initial", q.doms[i]);
        } else if (q.json) {
                e = xp_q_render_json(q.doms, q.n_doms, stdout);
        } else if (q.n_doms > 0 || q.all) {
                e = xp_q_render_table(q.doms, q.n_doms, q.widths, stdout);
                if (e == 0 && q.single && q.n_doms == 1)
                        e = xp_q_render_detail(q.doms[0], stdout);
        }
        if (e == 0 && fflush(stdout) != 0)
                e = -errno;
        if (e < 0) {
                fprintf(stderr, "xenprobe: query: writing the output: %s\n", strerror(-e));
                goto out;
        }
        if (q.watch && !notfound) {
                /* a named domain that has published nothing yet is
                 * followed: its daemon may be starting */
                e = watch_loop(&q);
                if (e == -EIO)
                        fprintf(stderr, "xenprobe: query: writing the output: %s\n", strerror(EIO));
                ret = e == -EIO ? EXIT_ERROR : e < 0 ? fail_xs(q.xs, "--watch", e) : 0;
                goto out;
        }
        ret = notfound || novalid ? EXIT_MISSING : unanswered ? EXIT_UNANSWERED : 0;
out:
        doms_free(&q);
        free(q.sel);
        free(ids);
        xp_xs_close(q.xs);
        return ret;
}
