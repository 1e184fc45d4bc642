/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The published schema: the public interface for dom0 tools, documented in
 * xenprobe-xenstore(7).  Everything lives below one subtree of the guest's
 * own home, XP_XS_BASE ("data/xenprobe"): a domU may write only below data/
 * (control/ is read-only to it), so even the refresh request key dom0
 * writes is in there.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

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
