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
