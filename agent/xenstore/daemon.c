/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenprobed (`xenprobe daemon`): probe, publish into xenstore, then sleep in
 * one poll() until something can have changed the answer.  Shaped like
 * systemd-timesyncd: one struct owns every descriptor, signals arrive as
 * a descriptor (signalfd) and are handled inside the loop, READY=1 goes to
 * systemd once the event sources are set up (STATUS= follows each
 * publish), and nothing wakes the process while the system is quiet (no
 * timer is armed unless xenstore is unreachable and no descriptor can
 * announce its return).
 *
 * Sources:
 *   signalfd   SIGTERM/SIGINT: exit 0, published keys stay (dom0 keeps the
 *              last answer); SIGHUP: probe again, boot readiness included
 *   udev       (live systems) block, net, xen bus and module add/remove:
 *              probe again; boot readiness is kept
 *   inotify    ROOT/boot: a kernel or initramfs installed or rebuilt: probe
 *              again with boot readiness; the xenstored socket's directory
 *              (or /dev/xen): xenstored (re)started, connect
 *   hang-up    a duplicate of libxenstore's socket (POLLRDHUP): xenstored
 *              went away; libxenstore itself would not say so
 *   xenstore   a watch on data/xenprobe: dom0 wrote "request" (a refresh),
 *              or a key differs from what we published (deleted or
 *              rewritten by someone else, or a fresh tree after resume or
 *              migration, when the kernel re-registers the watch and it
 *              fires once); on data/service/xenprobe with --xapi-services
 *              (the XAPI mirror rewritten or deleted by someone else); and
 *              on unique-domain-id (a toolstack that writes it changed it:
 *              a new domain).
 * With --textfile FILE, every probe also renders the report as Prometheus
 * metrics (agent/render-prom.c) and FILE is replaced (atomically, mode
 * 0644) when they differ from what it holds: at start, before xenstore is
 * reached (a guest without xenstore still has a verdict), and after each
 * probe; a republish that probed nothing leaves it alone.  A write that
 * fails is said once and retried on the back-off timer; publishing goes on.
 * Every watch event is handled idempotently: it fires once on
 * registration and may fire spuriously; the reaction is to compare and, if
 * needed, publish, and publishing writes only what differs.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "atomic-file.h"
#include "render.h"
#include "udev-lib.h"
#include "xenstore/publish.h"

#define TOKEN_TREE "xenprobe-tree"
#define TOKEN_UDID "xenprobe-udid"
#define TOKEN_MIRROR "xenprobe-mirror"
#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000


/* ------------------------------------------------------------- state */

struct xp_daemon {
        struct xp_ctx *ctx;
        bool live, boot_enabled, trace;
        /* --xapi-services; and whether this probe's keys still carry the
         * mirror (a quota may have made the publisher drop it) */
        bool mirror, mirror_now;
        char home[64], base[128], mbase[128];

        int sig_fd, ino_fd, udev_fd;
        struct udev *udev;
        struct udev_monitor *mon;
        int wd_boot;          /* ROOT/boot */
        int wd_xs;            /* where xenstore appears, while disconnected */

        struct xp_xs *xs;     /* NULL while disconnected */
        int xs_fd;
        /* the retry timer: armed only while something is wrong (no
         * xenstore, or a probe or publish that failed), never when idle */
        bool timer_armed;
        int backoff_ms;       /* current interval, 1 s doubling to 60 s */
        struct timespec retry_at;

        struct xp_report *report;
        struct xp_kvs kv;
        uint64_t generation;  /* last one we committed */
        char udid[80];        /* unique-domain-id when the toolstack writes one */
        bool udid_read;       /* udid holds what was read at least once */
        char request[XP_XS_REQUEST_MAX + 1]; /* token to answer, "" when none */

        bool need_probe, need_boot, need_publish;
        unsigned long probes, publishes, events;

        /* --textfile: the file, what it holds (as last written), the
         * probe's time, the error last said (0: none) */
        const char *textfile;
        char *tf_text;
        size_t tf_len;
        double probed_at;
        bool need_textfile;
        int tf_error;
};

/* ------------------------------------------------------------ sd_notify */

/* The sd_notify(3) datagram protocol: one line per field to the socket in
 * $NOTIFY_SOCKET ('@' = abstract namespace).  Quietly nothing outside
 * systemd. */
static void notify(struct xp_daemon *d, const char *fmt, ...) _printf_(2, 3);
static void notify(struct xp_daemon *d, const char *fmt, ...)
{
        const char *path = getenv("NOTIFY_SOCKET");
        if (!path || (path[0] != '/' && path[0] != '@'))
                return;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t l = strlen(path);
        if (l >= sizeof(sa.sun_path))
                return;
        memcpy(sa.sun_path, path, l);
        if (path[0] == '@')
                sa.sun_path[0] = '\0';
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return;
        if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
                   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + l)) < 0)
                DBG(d->ctx, "sd_notify %s: %m", path);
        close(fd);
}

/* ------------------------------------------------------------- probing */

static int probe(struct xp_daemon *d)
{
        struct xp_report *r = NULL;
        bool boot = d->boot_enabled && (d->need_boot || !d->report);
        /* the read log feeds `snapshot` only: keep it from growing */
        xp_root_log_clear(xp_ctx_root(d->ctx));
        int e = xp_probe_run(d->ctx, boot ? &xp_boot_quick : NULL, &r, NULL);
        if (e < 0) {
                ERR(d->ctx, "probing failed: %s", strerror(-e));
                return e;
        }
        if (d->boot_enabled && !boot && d->report) {
                /* the boot readiness of the kernels did not change: keep it */
                r->boot = d->report->boot;
                memset(&d->report->boot, 0, sizeof(d->report->boot));
        }
        xp_report_free(d->report);
        d->report = r;
        d->probes++;
        d->need_probe = d->need_boot = false;
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        d->probed_at = (double)now.tv_sec + (double)(now.tv_nsec / 1000000) / 1e3;
        d->need_textfile = d->textfile != NULL;

        struct xp_kvs kv = { 0 };
        e = xp_xs_schema(r, &kv);
        if (e < 0) {
                ERR(d->ctx, "building the xenstore keys: %s", strerror(-e));
                return e;
        }
        xp_kvs_clear(&d->kv);
        d->kv = kv;
        d->mirror_now = d->mirror;
        d->need_publish = true;
        return 0;
}

/* ------------------------------------------------------------ textfile */

/* The metrics of the report into *TEXT (malloc()ed): 0 or -errno */
static int render_metrics(const struct xp_daemon *d, char **text, size_t *len)
{
        FILE *m = open_memstream(text, len);
        if (!m)
                return -errno;
        int e = xp_render_prom(d->report, d->probed_at, m);
        if (fclose(m) != 0 && e == 0)
                e = -errno;
        if (e < 0) {
                free(*text);
                *text = NULL;
        }
        return e;
}

/* TEXT into the textfile, replaced whole: 0, or -errno with WHAT failed */
static int replace_textfile(const struct xp_daemon *d, const char *text, size_t len, const char **what)
{
        struct xp_atomic_file af;
        *what = "cannot create a temporary file beside it";
        int e = xp_atomic_open(&af, d->textfile);
        if (e < 0)
                return e;
        *what = "writing it";
        if (fwrite(text, 1, len, af.f) != len) {
                e = -(errno ? errno : EIO);
                xp_atomic_abort(&af);
                return e;
        }
        *what = "replacing it";
        return xp_atomic_commit(&af, 0644);
}

/* Write the textfile when the metrics differ from what it holds: 0, or
 * -errno (said once per error; need_textfile stays set, the timer retries) */
static int write_textfile(struct xp_daemon *d)
{
        if (!d->need_textfile || !d->report)
                return 0;
        char *text = NULL;
        size_t len = 0;
        const char *what = "rendering the metrics";
        int e = render_metrics(d, &text, &len);
        if (e == 0 && d->tf_text && !d->tf_error && len == d->tf_len && memcmp(text, d->tf_text, len) == 0) {
                free(text); /* the file already holds these */
                d->need_textfile = false;
                return 0;
        }
        if (e == 0)
                e = replace_textfile(d, text, len, &what);
        if (e < 0) {
                free(text);
                if (e != d->tf_error)
                        ERR(d->ctx, "--textfile %s: %s: %s (the file is left as it was; publishing goes on, and the "
                                    "write is tried again; does the directory exist, and may this user write to it? "
                                    "under systemd, a directory other than /var/lib/prometheus/node-exporter needs "
                                    "ReadWritePaths=)",
                            d->textfile, what, strerror(-e));
                d->tf_error = e;
                return e;
        }
        if (d->tf_error)
                INFO(d->ctx, "--textfile %s: written now (it failed before)", d->textfile);
        else
                DBG(d->ctx, "--textfile %s: written (%zu bytes)", d->textfile, len);
        free(d->tf_text);
        d->tf_text = text;
        d->tf_len = len;
        d->tf_error = 0;
        d->need_textfile = false;
        return 0;
}

/* ------------------------------------------------------------ xenstore */

static void disconnect(struct xp_daemon *d, const char *why)
{
        if (!d->xs)
                return;
        WARN(d->ctx, "xenstore connection (%s) lost: %s; waiting for xenstored", d->xs->where, why);
        d->xs = xp_xs_close(d->xs);
        d->xs_fd = -1;
        notify(d, "STATUS=waiting for xenstore (connection lost)");
}

/* The domain's unique-domain-id key (written by some toolstacks) into BUF. */
static const char *udid_path(const struct xp_daemon *d, char *buf, size_t len)
{
        snprintf(buf, len, "%s%sunique-domain-id", d->home, d->home[0] ? "/" : "");
        return buf;
}

static int watch_all(struct xp_daemon *d)
{
        char path[256];
        /* the whole subtree: dom0's request, and anyone else's change or
         * deletion of what we published */
        int e = d->xs->ops->watch(d->xs, d->base, TOKEN_TREE);
        if (e < 0) {
                ERR(d->ctx, "xenstore watch on %s: %s", d->base, xp_xs_strerror(e));
                return e;
        }
        /* without --xapi-services, nothing below data/service is watched */
        if (d->mirror && (e = d->xs->ops->watch(d->xs, d->mbase, TOKEN_MIRROR)) < 0) {
                ERR(d->ctx, "xenstore watch on %s: %s", d->mbase, xp_xs_strerror(e));
                return e;
        }
        e = d->xs->ops->watch(d->xs, udid_path(d, path, sizeof(path)), TOKEN_UDID);
        if (e < 0)
                DBG(d->ctx, "xenstore watch on %s: %s (ignored)", path, xp_xs_strerror(e));
        return 0;
}

/* Will libxenstore use the xenbus device (no socket named in the
 * environment, and the device is there)? */
static bool uses_device(void)
{
        return !getenv("XENSTORED_PATH") && !getenv("XENSTORED_RUNDIR") && access(XP_XS_DEVICE, F_OK) == 0;
}

/* Where xenstore will appear: the socket's directory when libxenstore will
 * use a socket, else /dev/xen for the xenbus device. */
static void arm_appear_watch(struct xp_daemon *d)
{
        if (d->wd_xs >= 0 || d->ino_fd < 0)
                return;
        char dir[PATH_MAX];
        const char *sock = xp_xs_socket_path();
        if (!uses_device()) {
                snprintf(dir, sizeof(dir), "%s", sock);
                char *slash = strrchr(dir, '/');
                if (slash && slash != dir)
                        *slash = '\0';
        } else
                snprintf(dir, sizeof(dir), "/dev/xen");
        d->wd_xs = inotify_add_watch(d->ino_fd, dir, IN_CREATE | IN_MOVED_TO | IN_ATTRIB);
        if (d->wd_xs < 0)
                DBG(d->ctx, "inotify on %s: %m", dir);
        else
                DBG(d->ctx, "waiting for xenstore to appear in %s", dir);
}

/* Arm the retry timer with the next back-off interval. */
static void arm_timer(struct xp_daemon *d, const char *why)
{
        d->backoff_ms = d->backoff_ms ? d->backoff_ms * 2 : BACKOFF_MIN_MS;
        if (d->backoff_ms > BACKOFF_MAX_MS)
                d->backoff_ms = BACKOFF_MAX_MS;
        clock_gettime(CLOCK_MONOTONIC, &d->retry_at);
        d->retry_at.tv_sec += d->backoff_ms / 1000;
        d->timer_armed = true;
        if (d->backoff_ms == BACKOFF_MIN_MS)
                INFO(d->ctx, "%s: trying again in 1 s, then up to every %d s", why, BACKOFF_MAX_MS / 1000);
        else
                DBG(d->ctx, "%s: trying again in %d s", why, d->backoff_ms / 1000);
}

/* Before each poll(): the timer runs only while something is wrong.
 * Disconnected: inotify says when xenstored's socket (or the xenbus
 * device) appears, and the timer covers what inotify cannot see (no such
 * directory yet, or a socket created before it listens). */
static void update_timer(struct xp_daemon *d)
{
        if (!d->xs) {
                arm_appear_watch(d);
                if (!d->timer_armed)
                        arm_timer(d, "xenstore not reachable");
        } else if (d->need_probe || d->need_publish || d->need_textfile) {
                if (!d->timer_armed)
                        arm_timer(d, d->need_probe     ? "probing failed"
                                     : d->need_publish ? "publishing failed"
                                                       : "writing the textfile failed");
        } else {
                d->timer_armed = false;
                d->backoff_ms = 0;
        }
}

static bool timer_due(struct xp_daemon *d)
{
        if (!d->timer_armed)
                return false;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec < d->retry_at.tv_sec || (now.tv_sec == d->retry_at.tv_sec && now.tv_nsec < d->retry_at.tv_nsec))
                return false;
        d->timer_armed = false;
        return true;
}

static int connect_xs(struct xp_daemon *d)
{
        if (d->xs)
                return 0;
        struct xp_xs *xs = NULL;
        int e = xp_xs_open(&xs);
        if (e < 0) {
                DBG(d->ctx, "xenstore: %s", xp_xs_strerror(e));
                notify(d, "STATUS=waiting for xenstore: %s", xp_xs_strerror(e));
                return e;
        }
        d->xs = xs;
        d->xs_fd = xs->ops->fileno(xs);
        if (d->xs_fd < 0 || watch_all(d) < 0) {
                disconnect(d, "cannot register watches");
                return -EIO;
        }
        d->need_publish = true;
        INFO(d->ctx, "xenstore: connected through %s", xs->where);
        if (xs->hup_fd < 0 && uses_device()) {
                /* the xenbus device: its connection does not drop */
                if (d->wd_xs >= 0)
                        inotify_rm_watch(d->ino_fd, d->wd_xs);
                d->wd_xs = -1;
                return 0;
        }
        /* a socket connection can drop (xenstored restarted): keep watching
         * its directory, the new socket says when to reconnect */
        arm_appear_watch(d);
        return 0;
}

static bool lost(int e)
{
        return e == -EBADF || e == -EPIPE || e == -ECONNRESET || e == -ENOTCONN || e == -ECONNREFUSED;
}

/* After a failed request: disconnect when E says the connection is gone;
 * true when it did. */
static bool drop_if_lost(struct xp_daemon *d, int e)
{
        if (!lost(e))
                return false;
        disconnect(d, xp_xs_strerror(e));
        return true;
}

static int publish(struct xp_daemon *d)
{
        if (!d->xs || !d->need_publish)
                return 0;
        struct xp_publish_result res;
        const char *served = d->request[0] ? d->request : NULL;
        int e = xp_xs_publish(d->ctx, d->xs, d->home, &d->kv, d->generation, served,
                              d->mirror_now ? XP_PUBLISH_XAPI_SERVICES : 0, d->trace ? stderr : NULL, &res);
        if (e < 0) {
                drop_if_lost(d, e);
                return e;
        }
        d->need_publish = false;
        if (res.reduced)
                /* compare later events with what the store could take, or
                 * every echo of our own removals would retry the full set */
                xp_xs_reduce(&d->kv);
        if (res.mirror_dropped)
                d->mirror_now = false; /* likewise: until the next probe */
        d->request[0] = '\0';
        d->generation = res.generation;
        d->publishes++;
        if (res.changed)
                INFO(d->ctx, "published %s: generation %" PRIu64 " (%u written, %u removed)%s", d->base,
                     res.generation, res.written, res.removed, res.reduced ? ", free text left out (quota)" : "");
        if (res.mirror_dropped)
                WARN(d->ctx, "%s not written: xenstore's quota refused it", d->mbase);
        else if (res.mirror_written || res.mirror_removed)
                INFO(d->ctx, "%s %s (%u written, %u removed)", d->mirror ? "mirrored for XAPI into" : "removed",
                     d->mbase, res.mirror_written, res.mirror_removed);
        const char *v = xp_kvs_get(&d->kv, xp_keys[XP_KEY_VERDICT].name),
                   *b = xp_kvs_get(&d->kv, xp_keys[XP_KEY_BOOT_SUMMARY].name);
        if (res.changed || d->publishes == 1) /* the first replaces "probing" */
                notify(d, "STATUS=published generation %" PRIu64 ": %s, boot %s", res.generation, v ? v : "?",
                       b ? b : "?");
        return 0;
}

static int read_key(struct xp_daemon *d, const char *key, char **val, size_t *len)
{
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", d->base, key);
        return d->xs->ops->read(d->xs, XP_XS_NOTX, path, val, len);
}

static void on_request(struct xp_daemon *d)
{
        char *v = NULL, *served = NULL;
        size_t len = 0, slen = 0;
        int e = read_key(d, XP_XS_REQUEST, &v, &len);
        if (e == -ENOENT)
                return;
        if (e < 0) {
                drop_if_lost(d, e);
                return;
        }
        if (!xp_xs_token(v, len, XP_XS_REQUEST_MAX)) {
                WARN(d->ctx, "%s/%s: ignoring a request token that is not 1-%d characters of [A-Za-z0-9._-]",
                     d->base, XP_XS_REQUEST, XP_XS_REQUEST_MAX);
                free(v);
                return;
        }
        /* already answered (the watch fires on registration, and again on
         * our own "served" write of the same token): nothing to do */
        if (read_key(d, XP_XS_SERVED, &served, &slen) == 0 && slen == len && memcmp(served, v, len) == 0) {
                free(v);
                free(served);
                return;
        }
        free(served);
        memcpy(d->request, v, len);
        d->request[len] = '\0';
        free(v);
        DBG(d->ctx, "refresh requested (token %s)", d->request);
        d->need_probe = d->need_boot = true;
}

/* Does the stored value of KEY differ from what we publish? */
static bool differs(struct xp_daemon *d, const char *key)
{
        char *v = NULL;
        size_t len = 0;
        int e = read_key(d, key, &v, &len);
        if (e < 0 && drop_if_lost(d, e))
                return false;
        const char *want = xp_kvs_get(&d->kv, key);
        bool diff;
        if (strcmp(key, XP_XS_GENERATION) == 0) {
                char g[24];
                snprintf(g, sizeof(g), "%" PRIu64, d->generation);
                diff = e < 0 || strcmp(v, g) != 0;
        } else if (want)
                diff = e < 0 || len != strlen(want) || memcmp(v, want, len) != 0;
        else
                diff = e == 0; /* a key we do not publish: stale or planted */
        free(v);
        return diff;
}

/* A watch event below (or on) our subtree. */
static void on_tree(struct xp_daemon *d, const char *path)
{
        size_t bl = strlen(d->base);
        if (strncmp(path, d->base, bl) != 0 || (path[bl] != '/' && path[bl] != '\0'))
                return;
        const char *key = path[bl] ? path + bl + 1 : "";
        /* the subtree itself: the event on registration (and after resume
         * or migration): a request may have been waiting for us */
        if (strcmp(key, XP_XS_REQUEST) == 0 || !*key) {
                on_request(d);
                if (*key || !d->xs)
                        return;
        }
        if (strcmp(key, XP_XS_SERVED) == 0 || !d->generation)
                return; /* ours to write; nothing published yet anyway */
        /* the subtree itself (registration, or removed whole): the
         * generation says whether our keys are still there */
        if (!*key)
                key = XP_XS_GENERATION;
        if (differs(d, key)) {
                INFO(d->ctx, "%s/%s changed under us (deleted or rewritten, or a fresh tree after "
                             "resume/migration): publishing again",
                     d->base, key);
                d->need_publish = true;
        }
}

/* A watch event on the XAPI mirror: publish again when what is stored
 * there is not what we publish (rewritten, deleted, or planted). */
static void on_mirror(struct xp_daemon *d, const char *path)
{
        size_t bl = strlen(d->mbase);
        if (!d->mirror_now || !d->generation || strncmp(path, d->mbase, bl) != 0 ||
            (path[bl] != '/' && path[bl] != '\0'))
                return;
        char gen[24], *v = NULL;
        snprintf(gen, sizeof(gen), "%" PRIu64, d->generation);
        /* the mirror itself (registration, or removed whole): its generation says */
        const char *name = path[bl] ? path + bl + 1 : xp_keys[XP_KEY_GENERATION].name;
        int r = xp_mirror_find(name);
        const char *want = r >= 0 ? xp_xs_mirror_value(&xp_mirror_keys[r], &d->kv, gen) : NULL;
        char full[256];
        size_t len = 0;
        snprintf(full, sizeof(full), "%s/%s", d->mbase, name);
        int e = d->xs->ops->read(d->xs, XP_XS_NOTX, full, &v, &len);
        if (e < 0 && drop_if_lost(d, e))
                return;
        bool diff = want ? e < 0 || len != strlen(want) || memcmp(v, want, len) != 0 : e == 0;
        free(v);
        if (diff) {
                INFO(d->ctx, "%s changed under us (deleted, rewritten or planted): publishing again", full);
                d->need_publish = true;
        }
}

static void on_udid(struct xp_daemon *d)
{
        char path[256], *v = NULL;
        size_t len = 0;
        int e = d->xs->ops->read(d->xs, XP_XS_NOTX, udid_path(d, path, sizeof(path)), &v, &len);
        if (e < 0) {
                drop_if_lost(d, e);
                return;
        }
        char now[sizeof(d->udid)];
        snprintf(now, sizeof(now), "%.*s", (int)len, v);
        free(v);
        if (!d->udid_read) {
                /* the first reading, on registration: nothing changed */
                snprintf(d->udid, sizeof(d->udid), "%s", now);
                d->udid_read = true;
        } else if (strcmp(now, d->udid) != 0) {
                INFO(d->ctx, "unique-domain-id changed (%s -> %s): a new domain, probing again", d->udid, now);
                snprintf(d->udid, sizeof(d->udid), "%s", now);
                d->need_probe = true;
                d->need_publish = true;
        }
}

static void on_xenstore(struct xp_daemon *d)
{
        for (;;) {
                char *path = NULL, *token = NULL;
                int e = d->xs->ops->check_watch(d->xs, &path, &token);
                if (e == -EAGAIN)
                        return;
                if (e < 0) {
                        disconnect(d, xp_xs_strerror(e));
                        return;
                }
                d->events++;
                DBG(d->ctx, "watch %s fired: %s", token, path);
                if (strcmp(token, TOKEN_TREE) == 0)
                        on_tree(d, path);
                else if (strcmp(token, TOKEN_UDID) == 0)
                        on_udid(d);
                else if (strcmp(token, TOKEN_MIRROR) == 0)
                        on_mirror(d, path);
                free(path);
                if (!d->xs)
                        return;
        }
}

/* ------------------------------------------------------- other sources */

static void on_udev(struct xp_daemon *d)
{
        struct udev_device *dev;
        while ((dev = xp_udev.udev_monitor_receive_device(d->mon))) {
                d->events++;
                DBG(d->ctx, "udev: %s %s %s", xp_udev.udev_device_get_action(dev) ?: "?",
                    xp_udev.udev_device_get_subsystem(dev) ?: "?", xp_udev.udev_device_get_sysname(dev) ?: "?");
                xp_udev.udev_device_unref(dev);
                d->need_probe = true;
        }
}

static void on_inotify(struct xp_daemon *d)
{
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        ssize_t n;
        bool xs_event = false;
        while ((n = read(d->ino_fd, buf, sizeof(buf))) > 0) {
                for (char *p = buf; p < buf + n;) {
                        const struct inotify_event *ev = (const struct inotify_event *)p;
                        d->events++;
                        if (ev->wd == d->wd_boot && !(ev->mask & IN_IGNORED)) {
                                DBG(d->ctx, "boot/%s changed", ev->len ? ev->name : "");
                                d->need_probe = d->need_boot = true;
                        } else if (ev->wd == d->wd_xs) {
                                /* IN_IGNORED: the directory itself went
                                 * (xenstored's rundir removed): watch again,
                                 * or fall back to the back-off timer */
                                if (ev->mask & IN_IGNORED)
                                        d->wd_xs = -1;
                                xs_event = true;
                        }
                        p += sizeof(*ev) + ev->len;
                }
        }
        if (!xs_event)
                return;
        if (d->wd_xs < 0)
                arm_appear_watch(d);
        if (d->xs) {
                /* a new socket: did our xenstored go away?  a read tells */
                char *v = NULL;
                int e = read_key(d, XP_XS_GENERATION, &v, NULL);
                free(v);
                if (e < 0 && e != -ENOENT) {
                        disconnect(d, xp_xs_strerror(e));
                        connect_xs(d);
                }
        } else
                connect_xs(d);
}

static int on_signal(struct xp_daemon *d)
{
        struct signalfd_siginfo si;
        while (read(d->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                if (si.ssi_signo == SIGHUP) {
                        INFO(d->ctx, "SIGHUP: probing again, boot readiness included");
                        d->need_probe = d->need_boot = true;
                } else {
                        INFO(d->ctx, "%s: exiting; the published keys stay for dom0",
                             si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
                        return 1;
                }
        }
        return 0;
}

/* ------------------------------------------------------------ set-up */

static int setup_sources(struct xp_daemon *d)
{
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGHUP);
        sigaddset(&set, SIGPIPE);
        if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
                return -errno;
        sigdelset(&set, SIGPIPE);
        d->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
        if (d->sig_fd < 0)
                return -errno;

        d->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (d->ino_fd < 0)
                WARN(d->ctx, "inotify: %m: kernel and initramfs updates will be noticed only on SIGHUP");
        else if (d->boot_enabled) {
                char dir[PATH_MAX];
                snprintf(dir, sizeof(dir), "%s/boot", xp_root_path(xp_ctx_root(d->ctx)));
                d->wd_boot = inotify_add_watch(d->ino_fd, dir,
                                               IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE);
                if (d->wd_boot < 0)
                        DBG(d->ctx, "inotify on %s: %m (no kernels to watch)", dir);
        }

        if (!d->live)
                return 0; /* udev describes this machine, not the root */
        if (xp_udev_load(d->ctx) < 0) {
                WARN(d->ctx, "libudev.so.1 cannot be loaded: hot-plugged disks and NICs will be noticed only on SIGHUP");
                return 0;
        }
        d->udev = xp_udev.udev_new();
        if (d->udev)
                d->mon = xp_udev.udev_monitor_new_from_netlink(d->udev, "udev");
        if (!d->mon) {
                WARN(d->ctx, "udev monitor: %m: hot-plug will be noticed only on SIGHUP");
                return 0;
        }
        static const char *const subsystems[] = { "block", "net", "xen", "module" };
        for (size_t i = 0; i < ELEMENTSOF(subsystems); i++)
                xp_udev.udev_monitor_filter_add_match_subsystem_devtype(d->mon, subsystems[i], NULL);
        if (xp_udev.udev_monitor_enable_receiving(d->mon) < 0) {
                WARN(d->ctx, "udev monitor: cannot receive events: hot-plug will be noticed only on SIGHUP");
                return 0;
        }
        d->udev_fd = xp_udev.udev_monitor_get_fd(d->mon);
        return 0;
}

static void teardown(struct xp_daemon *d)
{
        xp_xs_close(d->xs);
        if (d->mon)
                xp_udev.udev_monitor_unref(d->mon);
        if (d->udev)
                xp_udev.udev_unref(d->udev);
        if (d->ino_fd >= 0)
                close(d->ino_fd);
        if (d->sig_fd >= 0)
                close(d->sig_fd);
        xp_kvs_clear(&d->kv);
        xp_report_free(d->report);
        free(d->tf_text);
}

static int timeout_ms(const struct xp_daemon *d)
{
        if (!d->timer_armed)
                return -1; /* idle: no timer */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long ms = (d->retry_at.tv_sec - now.tv_sec) * 1000L + (d->retry_at.tv_nsec - now.tv_nsec) / 1000000L;
        return ms < 0 ? 0 : (int)ms;
}

static void usage(FILE *out)
{
        fprintf(out, "Usage: xenprobe [--root DIR] daemon [--domid N] [--no-boot] [--trace] [--xapi-services]\n"
                     "                 [--textfile FILE]\n"
                     "       xenprobed [--root DIR] [--domid N] [--no-boot] [--trace] [--xapi-services]\n"
                     "                 [--textfile FILE]\n"
                     "                 [--verbose]\n"
                     "\n"
                     "Publish into xenstore (as `xenprobe publish`) and keep it current: probe again\n"
                     "when a disk, NIC or Xen device comes or goes, a module is loaded, a kernel or\n"
                     "initramfs is installed, dom0 writes data/xenprobe/request, or on SIGHUP.\n"
                     "No polling.  Runs in the foreground; tells systemd READY=1 (Type=notify)\n"
                     "before its first probe, and STATUS= after each publish.\n"
                     "\n"
                     "  -d, --domid N  publish to /local/domain/N (dom0 only; with --root)\n"
                     "  -B, --no-boot  leave boot readiness out\n"
                     "  -t, --trace    log each key written (+) or removed (-)\n"
                     "  -X, --xapi-services\n"
                     "                 also keep a mirror of a few keys below data/service/xenprobe/\n"
                     "                 for XAPI >= 25.15 (the VM's services); without it, a mirror\n"
                     "                 left from an earlier run is removed\n"
                     "  -T, --textfile FILE  also keep FILE current with the report as Prometheus\n"
                     "                 metrics (xenprobe --prometheus) for node_exporter's\n"
                     "                 textfile collector: replaced atomically, mode 0644, when\n"
                     "                 they change; written even while xenstore is unreachable\n"
                     "  -v, --verbose  debug log\n"
                     "\n"
                     "Exit status: 0 on SIGTERM/SIGINT or when this is not a Xen guest, 1 error,\n"
                     "2 usage.\n");
}

/* Set the sources up, tell systemd READY=1, probe and publish once: -1
 * to enter the event loop, else the exit status. */
static int start(struct xp_daemon *d)
{
        int e = setup_sources(d);
        if (e < 0) {
                ERR(d->ctx, "setting up the event sources: %s", strerror(-e));
                return 1;
        }
        /* ready: the event sources are set up.  Not after the first probe:
         * it reads every installed initramfs, and on a slow guest that has
         * taken longer than systemd's start timeout (90 s), which failed the
         * unit and restarted it (seen on real Xen under emulation) */
        notify(d, "READY=1\nSTATUS=probing%s", d->boot_enabled ? " (boot readiness of the installed kernels)" : "");
        if (probe(d) < 0)
                return 1;
        /* before xenstore: a guest that cannot reach it still has a verdict */
        write_textfile(d);
        if (!xp_publish_applies(d->ctx, d->report)) {
                INFO(d->ctx, "not a Xen guest: xenprobed has nothing to do here, exiting%s",
                     d->textfile ? " (the textfile says so: verdict none)" : "");
                return 0;
        }
        if (connect_xs(d) == 0)
                publish(d);
        return -1;
}

/* what poll() waits on: the descriptors, and where each source is in P (-1: absent) */
struct poll_set {
        struct pollfd p[5];
        int n, sig, ino, udev, xs, hup;
};

/* The sources D has now, into S. */
static void fill_poll_set(const struct xp_daemon *d, struct poll_set *s)
{
        *s = (struct poll_set){ .sig = -1, .ino = -1, .udev = -1, .xs = -1, .hup = -1 };
        s->p[s->sig = s->n++] = (struct pollfd){ .fd = d->sig_fd, .events = POLLIN };
        if (d->ino_fd >= 0)
                s->p[s->ino = s->n++] = (struct pollfd){ .fd = d->ino_fd, .events = POLLIN };
        if (d->udev_fd >= 0)
                s->p[s->udev = s->n++] = (struct pollfd){ .fd = d->udev_fd, .events = POLLIN };
        if (d->xs)
                s->p[s->xs = s->n++] = (struct pollfd){ .fd = d->xs_fd, .events = POLLIN };
        if (d->xs && d->xs->hup_fd >= 0)
                s->p[s->hup = s->n++] = (struct pollfd){ .fd = d->xs->hup_fd, .events = POLLRDHUP };
}

/* Is source I of S (-1: absent) ready? */
static bool ready(const struct poll_set *s, int i)
{
        return i >= 0 && s->p[i].revents;
}

/* React to what poll() reported in S, then probe and publish as needed:
 * true on SIGTERM/SIGINT. */
static bool dispatch(struct xp_daemon *d, const struct poll_set *s)
{
        if (timer_due(d) && !d->xs)
                connect_xs(d); /* and below: probe and publish again */
        if (ready(s, s->sig) && on_signal(d))
                return true;
        if (ready(s, s->ino))
                on_inotify(d);
        if (ready(s, s->udev))
                on_udev(d);
        if (d->xs && ready(s, s->xs))
                on_xenstore(d);
        if (d->xs && ready(s, s->hup)) {
                /* xenstored closed the socket: it went away */
                disconnect(d, "xenstored closed the connection");
                connect_xs(d);
        }
        if (d->need_probe && probe(d) < 0)
                return false; /* keep the last answer; the timer retries */
        write_textfile(d);
        publish(d);
        return false;
}

/* One poll() until something can have changed the answer, again and
 * again: 0 on SIGTERM/SIGINT, 1 when poll() fails. */
static int event_loop(struct xp_daemon *d)
{
        for (;;) {
                update_timer(d);
                struct poll_set s;
                fill_poll_set(d, &s);
                int n = poll(s.p, (nfds_t)s.n, timeout_ms(d));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        ERR(d->ctx, "poll: %m");
                        return 1;
                }
                if (dispatch(d, &s))
                        return 0;
        }
}

int xp_cmd_daemon(struct xp_ctx *ctx, const char *rootdir, int argc, char **argv)
{
        struct xp_daemon d = {
                .ctx = ctx, .sig_fd = -1, .ino_fd = -1, .udev_fd = -1, .wd_boot = -1, .wd_xs = -1, .xs_fd = -1,
        };
        struct xp_publish_opts o;
        int ret = xp_publish_options(ctx, "daemon", argc, argv, usage, &o);
        if (ret >= 0)
                return ret;
        (void)rootdir;
        d.boot_enabled = o.boot;
        d.trace = o.trace;
        d.mirror = d.mirror_now = o.xapi_services;
        d.textfile = o.textfile;
        d.live = xp_root_is_live(xp_ctx_root(ctx));
        memcpy(d.home, o.home, sizeof(d.home));
        (void)xp_xs_base(d.home, d.base, sizeof(d.base));
        (void)xp_xs_mirror_base(d.home, d.mbase, sizeof(d.mbase));
        if (xp_ctx_get_log_priority(ctx) < LOG_INFO)
                xp_ctx_set_log_priority(ctx, LOG_INFO);

        ret = start(&d);
        if (ret < 0)
                ret = event_loop(&d);
        /* the signal mask stays: a SIGTERM queued behind the first must not
         * kill the process with its default action before teardown */
        DBG(ctx, "%lu probes, %lu publishes, %lu events", d.probes, d.publishes, d.events);
        teardown(&d);
        return ret;
}
