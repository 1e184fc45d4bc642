/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An in-memory xenstore behind the transport's ops table (struct
 * xp_xs_ops), for the unit tests and the fuzzers: the one fake store both
 * use.  It behaves as xenstored does where the publisher and the dom0 reader
 * can tell: parents are created with "" values, a transaction sees a
 * snapshot of the store (copied at its first write) and its commit fails
 * with EAGAIN when another writer committed meanwhile, directory listings
 * come as one malloc()ed block.  Values are bytes (NULs allowed).
 *
 * Faults are knobs: commits refused with EAGAIN, every write refused, a
 * value-size quota, the Nth request failing with an errno, another writer's
 * commit landing after the Nth read (a hook), listings in reverse order.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "xenstore/xenstore.h"

struct fake_node {
        char *path;
        char *val; /* NUL-terminated; LEN bytes may hold NULs */
        size_t len;
};

/* one copy of the store: nodes and a hash index of their paths */
struct fake_tab {
        struct fake_node *n;
        size_t nn, cap;
        size_t *ht; /* node index + 1, 0 free; a power of two >= 2 * cap */
};

struct fake {
        struct xp_xs xs;
        struct fake_tab store, tx; /* committed; the transaction's copy */
        bool in_tx, tx_copied;
        unsigned long version, tx_version; /* commits so far; at tx start */
        size_t max_nodes;                  /* writes beyond it: ENOSPC */

        /* knobs */
        int eagain;           /* refuse this many commits with EAGAIN */
        int write_errno;      /* every write fails with this */
        size_t quota_size;    /* values longer than this: ENOSPC */
        unsigned fail_at;     /* the Nth read/write/directory request ... */
        int fail_errno;       /* ... fails with this */
        bool rm_refused;      /* rm is EACCES (a reader must never remove) */
        bool reverse;         /* directory entries in reverse order */
        /* after the HOOK_AT-th read (outside transactions only, when
         * HOOK_OUTSIDE_TX), call HOOK once: another writer's commit */
        void (*hook)(struct fake *f);
        unsigned hook_at;
        bool hook_outside_tx;
        void *userdata;

        /* counters */
        unsigned requests, reads, writes, rms, commits, aborts, tx_started;
};

/* A store with at most MAX_NODES nodes; aborts on allocation failure. */
struct fake *fake_new(size_t max_nodes);
void fake_free(struct fake *f);
/* Set PATH (absolute) to LEN bytes of VAL in the committed store, parents
 * included, as another writer's commit: a transaction in flight then fails
 * to commit.  Outside the knobs: never fails (a full store drops it). */
void fake_set(struct fake *f, const char *path, const char *val, size_t len);
/* The committed value of PATH, NULL when absent. */
const char *fake_get(const struct fake *f, const char *path);
