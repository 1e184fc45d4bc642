/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The xenstore transport over libxenstore: each call turns libxenstore's
 * NULL/false + errno into -errno.  Nothing here knows the schema.
 *
 * libxenstore is dlopen()ed on the first connection, like the probes'
 * libraries (probes/dl.c): the report, --short and initrd never map it.
 *
 * A connection may bound each request (xp_xs_open_timeout): the requests
 * below run under BOUNDED(), which arms a one-shot ITIMER_REAL before the
 * call and disarms it after; check_watch (it sends nothing) and close are
 * not bounded.
 */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <xenstore.h>

#include "xenstore/xenstore.h"

static struct {
        typeof(&xs_open) xs_open;
        typeof(&xs_close) xs_close;
        typeof(&xs_transaction_start) xs_transaction_start;
        typeof(&xs_transaction_end) xs_transaction_end;
        typeof(&xs_read) xs_read;
        typeof(&xs_write) xs_write;
        typeof(&xs_rm) xs_rm;
        typeof(&xs_directory) xs_directory;
        typeof(&xs_watch) xs_watch;
        typeof(&xs_unwatch) xs_unwatch;
        typeof(&xs_fileno) xs_fileno;
        typeof(&xs_check_watch) xs_check_watch;
} xsl;

#define LIBXENSTORE "libxenstore.so.4"

static int load(void)
{
        static int state; /* 0 untried, 1 loaded, -errno */
        if (state)
                return state > 0 ? 0 : state;
        state = -EOPNOTSUPP;
        void *h = dlopen(LIBXENSTORE, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                /* glibc's words when it ran out of memory while loading:
                 * not "not installed", and worth another try later */
                const char *why = dlerror();
                if (why && (strcasestr(why, "allocate") || strstr(why, "cannot create") ||
                            strstr(why, "out of memory"))) {
                        state = 0;
                        return -ENOMEM;
                }
                return state;
        }
        static const struct {
                const char *name;
                void **ptr;
        } syms[] = {
#define SYM(f) { #f, (void **)&xsl.f }
                SYM(xs_open),      SYM(xs_close),   SYM(xs_transaction_start), SYM(xs_transaction_end),
                SYM(xs_read),      SYM(xs_write),   SYM(xs_rm),                SYM(xs_directory),
                SYM(xs_watch),     SYM(xs_unwatch), SYM(xs_fileno),            SYM(xs_check_watch),
#undef SYM
        };
        for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
                if (!(*syms[i].ptr = dlsym(h, syms[i].name))) {
                        dlclose(h);
                        return state;
                }
        state = 1;
        return 0;
}

static int neg_errno(void)
{
        return errno > 0 ? -errno : -EIO;
}

/* ------------------------------------------------------------- timeout */

struct xp_xs_timeout {
        double secs;
        size_t len;
        char msg[512]; /* what the SIGALRM handler writes */
};

/* the message of the bounded request in flight, for the handler */
static const char *volatile alarm_msg;
static volatile size_t alarm_len;

static void on_alarm(int sig)
{
        (void)sig;
        ssize_t _unused_ w = write(STDERR_FILENO, alarm_msg, alarm_len);
        _exit(1);
}

/* the message naming WHERE; only while the timer is off */
static void timeout_where(struct xp_xs_timeout *t, const char *where, const char *hint)
{
        snprintf(t->msg, sizeof(t->msg),
                 "xenprobe: xenstore (%s) did not answer within %g s: is xenstored running? "
                 "(try 'xenstore-ls /local/domain'%s%s)\n",
                 where, t->secs, hint ? "; " : "", hint ? hint : "");
        t->len = strlen(t->msg);
}

static void set_timer(double secs)
{
        struct itimerval it = {};
        it.it_value.tv_sec = (time_t)secs;
        it.it_value.tv_usec = (suseconds_t)((secs - (double)it.it_value.tv_sec) * 1e6);
        if (secs > 0 && it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0)
                it.it_value.tv_usec = 1;
        setitimer(ITIMER_REAL, &it, NULL);
}

static void arm(struct xp_xs_timeout *t)
{
        if (t) {
                alarm_msg = t->msg;
                alarm_len = t->len;
                set_timer(t->secs);
        }
}

static void disarm(struct xp_xs_timeout *t)
{
        if (t) {
                int saved = errno; /* the request's */
                set_timer(0);
                errno = saved;
        }
}

/* CALL, one libxenstore request on XS, under XS's timeout; errno as CALL left it */
#define BOUNDED(xs, call)                                                                                          \
        ({                                                                                                         \
                arm((xs)->timeout);                                                                                \
                typeof(call) r_ = (call);                                                                          \
                disarm((xs)->timeout);                                                                             \
                r_;                                                                                                \
        })

/* ----------------------------------------------------------- the ops */

static struct xs_handle *H(struct xp_xs *xs)
{
        return xs->h;
}

static int ls_tx_start(struct xp_xs *xs, xp_xs_tx *tx)
{
        xs_transaction_t t = BOUNDED(xs, xsl.xs_transaction_start(H(xs)));
        if (t == XBT_NULL)
                return neg_errno();
        *tx = t;
        return 0;
}

static int ls_tx_end(struct xp_xs *xs, xp_xs_tx tx, bool abort)
{
        return BOUNDED(xs, xsl.xs_transaction_end(H(xs), tx, abort)) ? 0 : neg_errno();
}

static int ls_read(struct xp_xs *xs, xp_xs_tx tx, const char *path, char **val, size_t *len)
{
        unsigned l = 0;
        char *v = BOUNDED(xs, xsl.xs_read(H(xs), tx, path, &l));
        if (!v)
                return neg_errno();
        *val = v; /* libxenstore NUL-terminates */
        if (len)
                *len = l;
        return 0;
}

static int ls_write(struct xp_xs *xs, xp_xs_tx tx, const char *path, const char *val, size_t len)
{
        return BOUNDED(xs, xsl.xs_write(H(xs), tx, path, val, (unsigned)len)) ? 0 : neg_errno();
}

static int ls_rm(struct xp_xs *xs, xp_xs_tx tx, const char *path)
{
        return BOUNDED(xs, xsl.xs_rm(H(xs), tx, path)) ? 0 : neg_errno();
}

static int ls_directory(struct xp_xs *xs, xp_xs_tx tx, const char *path, char ***names, unsigned *n)
{
        char **v = BOUNDED(xs, xsl.xs_directory(H(xs), tx, path, n));
        if (!v)
                return neg_errno();
        *names = v;
        return 0;
}

static int ls_watch(struct xp_xs *xs, const char *path, const char *token)
{
        return BOUNDED(xs, xsl.xs_watch(H(xs), path, token)) ? 0 : neg_errno();
}

static int ls_unwatch(struct xp_xs *xs, const char *path, const char *token)
{
        return BOUNDED(xs, xsl.xs_unwatch(H(xs), path, token)) ? 0 : neg_errno();
}

static int ls_fileno(struct xp_xs *xs)
{
        int fd = BOUNDED(xs, xsl.xs_fileno(H(xs)));
        return fd < 0 ? neg_errno() : fd;
}

static int ls_check_watch(struct xp_xs *xs, char **path, char **token)
{
        errno = 0;
        char **w = xsl.xs_check_watch(H(xs)); /* sends nothing: not bounded */
        if (!w)
                /* EAGAIN: nothing pending; anything else: the reader thread
                 * lost the connection (libxenstore says EINVAL then) */
                return errno == EAGAIN ? -EAGAIN : -EPIPE;
        /* the strings live in the array's block: copy them into one block
         * the caller frees through *PATH */
        size_t lp = strlen(w[XS_WATCH_PATH]) + 1, lt = strlen(w[XS_WATCH_TOKEN]) + 1;
        char *blk = malloc(lp + lt);
        if (!blk) {
                free(w);
                return -ENOMEM;
        }
        memcpy(blk, w[XS_WATCH_PATH], lp);
        memcpy(blk + lp, w[XS_WATCH_TOKEN], lt);
        free(w);
        *path = blk;
        *token = blk + lp;
        return 0;
}

static void ls_close(struct xp_xs *xs)
{
        xsl.xs_close(H(xs));
}

static const struct xp_xs_ops libxenstore_ops = {
        .tx_start = ls_tx_start,
        .tx_end = ls_tx_end,
        .read = ls_read,
        .write = ls_write,
        .rm = ls_rm,
        .directory = ls_directory,
        .watch = ls_watch,
        .unwatch = ls_unwatch,
        .fileno = ls_fileno,
        .check_watch = ls_check_watch,
        .close = ls_close,
};

const char *xp_xs_socket_path(void)
{
        static char buf[256];
        const char *p = getenv("XENSTORED_PATH");
        if (p && *p)
                return p;
        const char *d = getenv("XENSTORED_RUNDIR");
        snprintf(buf, sizeof(buf), "%s/socket", d && *d ? d : "/var/run/xenstored");
        return buf;
}

/* The descriptors open now; -errno. */
#define MAX_FDS 4096
static int open_fds(int *fds, size_t *n)
{
        DIR *d = opendir("/proc/self/fd");
        if (!d)
                return -errno;
        struct dirent *de;
        int self = dirfd(d); /* the listing's own descriptor: not open after */
        *n = 0;
        while ((de = readdir(d)) && *n < MAX_FDS)
                if (de->d_name[0] >= '0' && de->d_name[0] <= '9' && atoi(de->d_name) != self)
                        fds[(*n)++] = atoi(de->d_name);
        closedir(d);
        return 0;
}

static bool listed(const int *fds, size_t n, int fd)
{
        for (size_t i = 0; i < n; i++)
                if (fds[i] == fd)
                        return true;
        return false;
}

/* The socket xs_open() just made: the one new socket descriptor.  Dup it
 * so that it outlives libxenstore closing its copy on EOF. */
static int dup_new_socket(const int *before, size_t nb)
{
        int *after = malloc(sizeof(int) * MAX_FDS);
        size_t na = 0;
        int found = -1, count = 0;
        if (!after || open_fds(after, &na) < 0) {
                free(after);
                return -1;
        }
        for (size_t i = 0; i < na; i++) {
                struct stat st;
                if (!listed(before, nb, after[i]) && fstat(after[i], &st) == 0 && S_ISSOCK(st.st_mode)) {
                        found = after[i];
                        count++;
                }
        }
        free(after);
        return count == 1 ? fcntl(found, F_DUPFD_CLOEXEC, 3) : -1;
}

int xp_xs_open(struct xp_xs **ret)
{
        /* say which endpoint libxenstore will use, and fail early with
         * -ENOENT when there is none (xs_open would say only "NULL") */
        const char *sock = xp_xs_socket_path();
        struct stat st;
        const char *where;
        if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode))
                where = sock;
        else if (getenv("XENSTORED_PATH"))
                return -ENOENT; /* libxenstore would try this path as a device */
        else if (access(XP_XS_DEVICE, F_OK) == 0)
                where = XP_XS_DEVICE;
        else if (access("/proc/xen/xenbus", F_OK) == 0)
                where = "/proc/xen/xenbus";
        else
                return -ENOENT;

        int e = load();
        if (e < 0)
                return e;
        struct xp_xs *xs = calloc(1, sizeof(*xs));
        int *before = malloc(sizeof(int) * MAX_FDS);
        size_t nb = 0;
        if (!xs || !before) {
                free(xs);
                free(before);
                return -ENOMEM;
        }
        xs->hup_fd = -1;
        bool socket = where == sock;
        if (socket && open_fds(before, &nb) < 0)
                socket = false; /* no /proc: no hang-up descriptor */
        errno = 0;
        xs->h = xsl.xs_open(0);
        if (!xs->h) {
                e = neg_errno();
                free(xs);
                free(before);
                return e;
        }
        if (socket)
                xs->hup_fd = dup_new_socket(before, nb);
        free(before);
        xs->ops = &libxenstore_ops;
        snprintf(xs->where, sizeof(xs->where), "%s %s", where == sock ? "socket" : "device", where);
        *ret = xs;
        return 0;
}

int xp_xs_open_timeout(struct xp_xs **ret, double secs, const char *hint)
{
        if (!(secs > 0))
                return xp_xs_open(ret);
        struct xp_xs_timeout *t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->secs = secs;
        struct sigaction sa = { .sa_handler = on_alarm };
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGALRM, &sa, NULL) < 0) {
                int e = -errno;
                free(t);
                return e;
        }
        /* the connect: the endpoint libxenstore tries first */
        timeout_where(t, xp_xs_socket_path(), hint);
        arm(t);
        int e = xp_xs_open(ret);
        disarm(t);
        if (e < 0) {
                free(t);
                return e;
        }
        timeout_where(t, (*ret)->where, hint);
        (*ret)->timeout = t;
        return 0;
}

struct xp_xs *xp_xs_close(struct xp_xs *xs)
{
        if (xs) {
                if (xs->ops && xs->ops->close)
                        xs->ops->close(xs);
                if (xs->hup_fd >= 0)
                        close(xs->hup_fd);
                free(xs->timeout);
                free(xs);
        }
        return NULL;
}

const char *xp_xs_strerror(int err)
{
        switch (-err) {
        case ENOENT:
                return "no xenstore here: neither the xenstored socket nor /dev/xen/xenbus exists (not a Xen guest, or xenfs/xenbus not available)";
        case EACCES:
        case EPERM:
                return "xenstore refused the access (a guest may write only below its own data/ area)";
        case ENOSPC:
        case EDQUOT:
                return "xenstore quota exceeded (nodes, size or memory per domain)";
        case EINVAL:
                /* oxenstored answers a quota with "EQUOTA", which is not in
                 * xs_wire.h: libxenstore turns it into EINVAL (seen on a
                 * real Xen 4.17 guest, tests/xen) */
                return "xenstore refused the request (Invalid argument: how oxenstored reports an exceeded quota, or a malformed request)";
        case E2BIG:
                return "value or path too large for xenstore";
        case EAGAIN:
                return "the transaction kept conflicting with other writers";
        case EBADF:
        case EPIPE:
        case ECONNRESET:
        case ECONNREFUSED:
                return "the connection to xenstored was lost";
        case EOPNOTSUPP:
                return LIBXENSTORE " cannot be loaded (install the Debian package libxenstore4)";
        default:
                return strerror(-err);
        }
}
