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
#include "xenstore/keys.h"

/* ---------------------------------------------------------------- schema */

/*
 * Schema 1, below HOME/data/xenprobe/: values printable ASCII, each at most
 * XP_XS_VALUE_MAX bytes; a key that does not apply is absent.  The keys,
 * their kinds and allowed words are the table in agent/xenstore/keys.c
 * (keys.h); xenprobe-xenstore(7) documents each one, and
 * tests/test-man-pages.sh checks the page against the table.  "generation",
 * "request" and "served" belong to the publisher and the refresh protocol.
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
/* the publisher's counter (agent/xenstore/publish.h) */
#define XP_XS_GENERATION "generation"
/* the request key dom0 writes (a token) and the one the guest echoes */
#define XP_XS_REQUEST "request"
#define XP_XS_SERVED "served"
#define XP_XS_REQUEST_MAX 64
/* upper bound on the number of keys the schema ever writes */
#define XP_XS_MAX_KEYS 32

/* the disks value when the guest has no disk */
#define XP_XS_DISKS_NONE "none"

/* One key below XP_XS_BASE ("mode", "os/id", "boot/kernels"). */
struct xp_kv {
        enum xp_key id;
        const char *key; /* xp_keys[id].name */
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
