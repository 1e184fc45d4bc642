/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The xenstore transport: a small ops table over libxenstore (dlopen()ed,
 * agent/xenstore/ops.c), so tests can put a fake store with injected errors
 * behind it.  The published keys are the table in agent/xenstore/keys.h
 * (their values: agent/xenstore/schema.h); the guest's
 * publisher is agent/xenstore/publish.h; the dom0 reader is agent/dom0/.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"

/* ------------------------------------------------------------ domain ids */

/* DOMID_FIRST_RESERVED (xen/include/public/xen.h): ids from here on are
 * DOMID_SELF, DOMID_IO, ... and never name a domain */
#define XP_DOMID_FIRST_RESERVED 0x7FF0u

enum xp_domid_form {
        XP_DOMID_CANONICAL, /* as xenstored names domains: no leading zero */
        XP_DOMID_TYPED,     /* as a user may type it: "007" is 7 */
};
/* The LEN bytes at S as a domain id: decimal digits only (no sign, no
 * space), below DOMID_FIRST_RESERVED.  0, -EINVAL (not a number in FORM),
 * -ERANGE (reserved or larger). */
int xp_domid_parse(const char *s, size_t len, enum xp_domid_form form, unsigned *out);
/* Where a publisher writes for --domid DOMID (as typed; NULL: none):
 * "" (relative: the connection's own domain) or "/local/domain/N". */
int xp_publish_home(const char *domid, char *home, size_t len);

/* ------------------------------------------------------------- transport */

/* xenstore transaction id; XP_XS_NOTX outside a transaction */
typedef uint32_t xp_xs_tx;
#define XP_XS_NOTX 0u

struct xp_xs;
/* Every call returns 0 or -errno (-ENOENT: no such node; -EAGAIN from
 * tx_end: the transaction must be redone; -EACCES, -ENOSPC, -E2BIG, -EDQUOT,
 * -EINVAL: refused by xenstored; -EBADF, -EPIPE, -ECONNRESET: connection
 * lost). */
struct xp_xs_ops {
        int (*tx_start)(struct xp_xs *xs, xp_xs_tx *tx);
        int (*tx_end)(struct xp_xs *xs, xp_xs_tx tx, bool abort);
        /* *VAL is malloc()ed and NUL-terminated, *LEN excludes the NUL */
        int (*read)(struct xp_xs *xs, xp_xs_tx tx, const char *path, char **val, size_t *len);
        int (*write)(struct xp_xs *xs, xp_xs_tx tx, const char *path, const char *val, size_t len);
        int (*rm)(struct xp_xs *xs, xp_xs_tx tx, const char *path); /* recursive */
        /* *NAMES is one malloc()ed block (free(*names) only) */
        int (*directory)(struct xp_xs *xs, xp_xs_tx tx, const char *path, char ***names, unsigned *n);
        int (*watch)(struct xp_xs *xs, const char *path, const char *token);
        int (*unwatch)(struct xp_xs *xs, const char *path, const char *token);
        /* fd that becomes readable when a watch fired, -errno */
        int (*fileno)(struct xp_xs *xs);
        /* next fired watch: 0 with *PATH and *TOKEN (one malloc()ed block:
         * free(*path) only), -EAGAIN when none is pending */
        int (*check_watch)(struct xp_xs *xs, char **path, char **token);
        void (*close)(struct xp_xs *xs);
};

struct xp_xs {
        const struct xp_xs_ops *ops;
        void *h;
        char where[128]; /* "socket /run/xenstored/socket", "/dev/xen/xenbus" */
        /* a duplicate of libxenstore's socket, to poll() for POLLRDHUP: the
         * library's reader thread notices xenstored going away but never
         * makes the watch fd readable.  -1 on the xenbus device (whose
         * connection does not drop) or when it cannot be found. */
        int hup_fd;
        /* the bound on each request (xp_xs_open_timeout), NULL: none */
        struct xp_xs_timeout *timeout;
};

/* Connect through libxenstore (xs_open): its socket when XENSTORED_PATH or
 * XENSTORED_RUNDIR says so or the default socket exists, else the xenbus
 * device.  -ENOENT when neither exists (not Xen, xenfs not mounted,
 * xenstored not started), other -errno as xs_open failed. */
int xp_xs_open(struct xp_xs **ret) _must_check_;
/* xp_xs_open, with the connect and then every request of the connection
 * bounded by SECS seconds (> 0): libxenstore has no timeout, and a request
 * blocks forever when xenstored does not answer (stopped while
 * /dev/xen/xenbus is used, or wedged).  Each request runs under a one-shot
 * ITIMER_REAL; when it expires, the SIGALRM handler writes "xenprobe:
 * xenstore (WHERE) did not answer within SECS s: is xenstored running?
 * (try 'xenstore-ls /local/domain'; HINT)" on stderr and _exit(1)s.  The
 * timer is off between requests, so neither poll() nor writing the output
 * is limited by it: a caller that writes whole documents or lines between
 * requests never leaves one half-printed.  The process's ITIMER_REAL and
 * SIGALRM are this bound's; libxenstore's reader thread blocks every
 * signal, so SIGALRM reaches the thread that made the request. */
int xp_xs_open_timeout(struct xp_xs **ret, double secs, const char *hint) _must_check_;
struct xp_xs *xp_xs_close(struct xp_xs *xs); /* NULL */
/* The socket libxenstore tries first (for the daemon's inotify on its
 * directory): XENSTORED_PATH, XENSTORED_RUNDIR/socket, or the default. */
const char *xp_xs_socket_path(void);
#define XP_XS_DEVICE "/dev/xen/xenbus"

/* A sentence for what -ERR from xenstore means here. */
const char *xp_xs_strerror(int err);
