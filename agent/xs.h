/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenstore: the transport (a small ops table over libxenstore, so tests can
 * put a fake store with injected errors behind it) and the published schema.
 *
 * The schema is a public interface for dom0 tools, documented in
 * xenprobe-xenstore(7).  Everything lives below one subtree
 * of the guest's own home, XP_XS_BASE ("data/xenprobe"): a domU may write
 * only below data/ (control/ is read-only to it), so even the refresh
 * request key dom0 writes is in there.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "xenprobe.h"

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
};

/* Connect through libxenstore (xs_open): its socket when XENSTORED_PATH or
 * XENSTORED_RUNDIR says so or the default socket exists, else the xenbus
 * device.  -ENOENT when neither exists (not Xen, xenfs not mounted,
 * xenstored not started), other -errno as xs_open failed. */
int xp_xs_open(struct xp_xs **ret) _must_check_;
struct xp_xs *xp_xs_close(struct xp_xs *xs); /* NULL */
/* The socket libxenstore tries first (for the daemon's inotify on its
 * directory): XENSTORED_PATH, XENSTORED_RUNDIR/socket, or the default. */
const char *xp_xs_socket_path(void);
#define XP_XS_DEVICE "/dev/xen/xenbus"

/* A sentence for what -ERR from xenstore means here. */
const char *xp_xs_strerror(int err);

/* ---------------------------------------------------------------- schema */

/*
 * Schema 1, below HOME/data/xenprobe/ (values printable ASCII, each at most
 * XP_XS_VALUE_MAX bytes; a key that does not apply is absent):
 *
 *   schema            "1"
 *   generation        decimal, > 0; changes exactly when another key below
 *                     (except request/served) changed; the daemon keeps
 *                     counting across a deletion of the subtree
 *   agent-version     "0.1.0"
 *   verdict           pv | pvh | pvhvm | hvm | dom0-pv | dom0-pvh | none
 *   mode              pv | pvh | pvhvm | hvm | none
 *   role              domU | dom0 | none
 *   confidence        high | medium | low
 *   kernel            running kernel release ("6.1.0-13-amd64")
 *   xen-version       "4.17.5" as the guest sees it
 *   os/id             os-release ID ("debian")
 *   os/version-id     os-release VERSION_ID ("12")
 *   os/pretty-name    os-release PRETTY_NAME
 *   pv/block          xen-blkfront: in-use | loaded | built-in | module | missing | unknown
 *   pv/net            xen-netfront: same words
 *   root-disk         root device kind: xen-pv | ata | scsi | virtio | nvme | memory |
 *                     network | virtual | other | unknown
 *   root-device       "xvda1"
 *   boot/summary      ok | missing | cannot-verify | not-checked
 *   boot/kernels      "VER:STATUS VER:STATUS ..." one word per installed kernel
 *   boot/problems     "VER: check status; ..." the checks that are not ok
 *   warnings          decimal count of warnings (0 when none)
 *   warning-text      the warnings, one per line ('\n')
 *   request           written by dom0 (xenprobe query --refresh): a token of
 *                     [A-Za-z0-9._-], at most XP_XS_REQUEST_MAX bytes
 *   served            the last request token the guest acted upon
 *
 * A list that does not fit ends in " ...(+N)" where N counts the items
 * left out.
 */

#define XP_XS_SCHEMA 1
#define XP_XS_BASE "data/xenprobe"
/* every value written is printable ASCII and at most this long; a longer
 * one ends in XP_XS_TRUNCATED + the count of items left out */
#define XP_XS_VALUE_MAX 1024
#define XP_XS_TRUNCATED " ...(+"
/* the request key dom0 writes (a token) and the one the guest echoes */
#define XP_XS_REQUEST "request"
#define XP_XS_SERVED "served"
#define XP_XS_REQUEST_MAX 64
/* upper bound on the number of keys the schema ever writes */
#define XP_XS_MAX_KEYS 32

/* One key below XP_XS_BASE ("mode", "os/id", "boot/kernels"). */
struct xp_kv {
        const char *key; /* static string from the schema table */
        char *value;     /* malloc()ed, printable ASCII, <= XP_XS_VALUE_MAX */
};
struct xp_kvs {
        struct xp_kv v[XP_XS_MAX_KEYS];
        size_t n;
};
void xp_kvs_clear(struct xp_kvs *kv);
const char *xp_kvs_get(const struct xp_kvs *kv, const char *key);

/* The model as the ordered key list (pure: reads nothing, allocates only
 * the values).  "generation", "request" and "served" are not in it: the
 * publisher owns them. */
int xp_xs_schema(const struct xp_report *r, struct xp_kvs *out) _must_check_;
/* Is KEY (relative to XP_XS_BASE) one the schema defines, including the
 * publisher's own and the request key?  For the dom0 reader. */
bool xp_xs_schema_known(const char *key);

/* ------------------------------------------------------------- publisher */

struct xp_publish_result {
        bool changed;        /* something was written or removed */
        uint64_t generation; /* the generation now in the store */
        unsigned attempts;   /* transactions started (EAGAIN retries + 1) */
        unsigned written, removed;
        bool reduced;        /* a quota refused the full set; the reduced set went in */
};

/* Write KV below HOME/XP_XS_BASE in one transaction (HOME "" = relative to
 * the connection's own domain home, "/local/domain/5" from a privileged
 * connection), only what differs from the store; remove keys that no
 * longer apply; bump "generation" only when content changed (never below
 * MIN_GENERATION + 1 when it changed, so a deleted subtree does not restart
 * the count).  SERVED, when non-NULL, is written as the "served" key in the
 * same transaction (it answers a request; it is not content).  EAGAIN is
 * retried with a bounded back-off; a quota refusal gets one more try with
 * the long free-text keys left out (res->reduced).  TRACE, when non-NULL,
 * gets "+ key=value" / "- key" lines for what was committed. */
int xp_xs_publish(struct xp_ctx *ctx, struct xp_xs *xs, const char *home, const struct xp_kvs *kv,
                  uint64_t min_generation, const char *served, FILE *trace,
                  struct xp_publish_result *res) _must_check_;
/* Drop the keys a reduced publish leaves out (res->reduced). */
void xp_xs_reduce(struct xp_kvs *kv);
/* HOME/XP_XS_BASE, or XP_XS_BASE for HOME "" */
int xp_xs_base(const char *home, char *buf, size_t len);
