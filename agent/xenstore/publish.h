/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The guest's publisher: the schema's keys into the store, atomically. */
#pragma once

#include <stdint.h>
#include <stdio.h>

#include "core.h"
#include "xenstore/schema.h"
#include "xenstore/xenstore.h"

/* ------------------------------------------------------------- publisher */

struct xp_publish_result {
        bool changed;        /* something was written or removed */
        uint64_t generation; /* the generation now in the store */
        unsigned attempts;   /* transactions started (EAGAIN retries + 1) */
        unsigned written, removed;
        bool reduced;        /* a quota refused the full set; the reduced set went in */
        /* the XAPI services mirror (XP_PUBLISH_XAPI_SERVICES, or a stale
         * mirror removed without it): its nodes written and removed */
        unsigned mirror_written, mirror_removed;
        bool mirror_dropped; /* a quota refused even the reduced set with the mirror: it went */
};

/* xp_xs_publish() FLAGS */
enum {
        /* also mirror the few keys of xp_mirror_keys[] below
         * HOME/XP_XS_MIRROR_BASE (keys.h), in the same transaction.
         * Without it, a mirror left from an earlier publish with it is
         * removed (only HOME/XP_XS_MIRROR_BASE, never anything else below
         * data/service), and nothing is written below data/service. */
        XP_PUBLISH_XAPI_SERVICES = 1 << 0,
};

/* Write KV below HOME/XP_XS_BASE in one transaction (HOME "" = relative to
 * the connection's own domain home, "/local/domain/5" from a privileged
 * connection), only what differs from the store; remove keys that no
 * longer apply; bump "generation" only when content changed (never below
 * MIN_GENERATION + 1 when it changed, so a deleted subtree does not restart
 * the count).  SERVED, when non-NULL, is written as the "served" key in the
 * same transaction (it answers a request; it is not content).  EAGAIN is
 * retried with a bounded back-off; a quota refusal gets one more try with
 * the long free-text keys left out (res->reduced), and, with the mirror,
 * one more without the mirror (removed instead: res->mirror_dropped); the
 * mirror is a copy, so it goes before any key of XP_XS_BASE but after the
 * free text.  FLAGS: XP_PUBLISH_*.  TRACE, when non-NULL, gets
 * "+ key=value" / "- key" lines for what was committed (the mirror's as
 * "+ data/service/xenprobe/NAME=value"). */
int xp_xs_publish(struct xp_ctx *ctx, struct xp_xs *xs, const char *home, const struct xp_kvs *kv,
                  uint64_t min_generation, const char *served, unsigned flags, FILE *trace,
                  struct xp_publish_result *res) _must_check_;
/* The value mirror row M holds when the keys are KV and the generation
 * GEN: NULL when the source key is absent or its value is not one the row
 * may hold (xp_mirror_value_ok). */
const char *xp_xs_mirror_value(const struct xp_mirror_def *m, const struct xp_kvs *kv, const char *gen);
/* HOME/XP_XS_MIRROR_BASE, or XP_XS_MIRROR_BASE for HOME "" */
int xp_xs_mirror_base(const char *home, char *buf, size_t len);
/* Drop the keys a reduced publish leaves out (res->reduced). */
void xp_xs_reduce(struct xp_kvs *kv);
/* HOME/XP_XS_BASE, or XP_XS_BASE for HOME "" */
int xp_xs_base(const char *home, char *buf, size_t len);
