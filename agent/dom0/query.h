/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `xenprobe query` inside: the state its parts share.  cmd-query.c parses
 * the options, selects and reads the domains and shows them; refresh.c is
 * --refresh (ask the guests' daemons to publish now); watch.c is --watch
 * (follow the changes).  The reader itself is dom0/dom0.h.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dom0/dom0.h"

#define XP_QUERY_EXIT_ERROR 1
#define XP_QUERY_EXIT_USAGE 2
#define XP_QUERY_EXIT_MISSING 3
#define XP_QUERY_EXIT_UNANSWERED 4

struct query {
        struct xp_xs *xs;
        bool json, all, watch, refresh, single;
        bool prom;          /* --prometheus */
        const char *output; /* --output FILE (with --prometheus), else stdout */
        double heartbeat;   /* --watch --prometheus: rewrite at least this often (s) */
        double read_seconds; /* how long the last reading of the domains took */
        bool prom_dirty;    /* --watch --prometheus: a change not yet written */
        struct xp_q_refreshed *refreshed; /* --refresh: who was asked, who answered */
        size_t n_refreshed;
        double timeout;
        unsigned *sel; /* the domids asked for (sorted), or every listed one */
        size_t n_sel;
        struct xp_qdom **doms;
        size_t n_doms;
        int widths[XP_Q_COLUMNS];
};

/* -v: debug messages on stderr */
extern bool xp_query_verbose;
#define xp_query_dbg(...)                                                                                          \
        do {                                                                                                       \
                if (xp_query_verbose) {                                                                            \
                        fprintf(stderr, "xenprobe: query: " __VA_ARGS__);                                          \
                        fputc('\n', stderr);                                                                       \
                }                                                                                                  \
        } while (0)

/* CLOCK_MONOTONIC in ns */
uint64_t xp_query_now_ns(void);
/* "domain 5 (web1)" into BUF, the name made terminal-safe */
const char *xp_query_dom_name(const struct xp_qdom *d, char *buf, size_t len);

/* --refresh: ask the read domains to publish now and wait up to
 * Q->timeout for their answers; *UNANSWERED when one did not answer (it
 * says which and why), and Q->refreshed lists every domain asked with
 * its answer.  0, or a fatal -errno. */
int xp_query_refresh(struct query *q, bool *unanswered) _must_check_;

/* --watch: SIGINT and SIGTERM blocked, to be read from watch's signalfd;
 * before the connection is opened (libxenstore's thread inherits the mask) */
void xp_query_watch_signals(void);
/* --watch: one event line (text row or JSON object) for D on stdout,
 * flushed: 0, -EIO (stdout failed) or -ENOMEM */
int xp_query_emit(struct query *q, const char *event, const struct xp_qdom *d) _must_check_;
/* --prometheus: DOMS as metrics, into --output (replaced atomically) or
 * on stdout.  0, or -errno (said on stderr). */
int xp_query_write_prom(const struct query *q, struct xp_qdom *const *doms, size_t n) _must_check_;

/* --watch: follow the read domains (and new ones with --all) until SIGINT
 * or SIGTERM (0), -EIO when stdout failed, or another -errno */
int xp_query_watch(struct query *q) _must_check_;
