/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `xenprobe query --watch`'s state, shared by watch.c (the events) and
 * watch-prom.c (--prometheus: when the file is written, --refresh rounds).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "dom0/query.h"

/* what was last shown of one domid */
struct wdom {
        bool present;
        bool watched;
        struct xp_qdom d; /* as last shown */
        char *fp;         /* its JSON, to tell a real change from a spurious event */
};

/* --refresh outcome of a domain in --watch --prometheus */
enum { XP_R_NONE, XP_R_ANSWERED, XP_R_UNANSWERED };

struct watch {
        struct query *q;
        struct wdom **tab;    /* per domid */
        unsigned char *dirty; /* per domid: an event came, read it again */
        int fd, sfd;          /* the watch fd, the signalfd */
        /* --prometheus */
        uint64_t written_ns;  /* when the file was last written (or tried) */
        uint64_t gap_ns;      /* the least time between two writes now */
        /* --prometheus --refresh: per domid */
        unsigned char *rlast;    /* the last outcome (XP_R_*) */
        unsigned char *rpending; /* asked in this round, no answer yet */
        char token[XP_XS_REQUEST_MAX + 1]; /* this round's */
};

/* --prometheus: set up the pacing, and with --refresh the rounds (taking
 * Q->refreshed as the first outcomes).  0 or -ENOMEM. */
int xp_watch_prom_init(struct watch *wt) _must_check_;
/* after DOMID was read again: its daemon's answer to this round */
void xp_watch_prom_seen(struct watch *wt, unsigned domid);
/* after the events were taken: write the file when due (a change, paced;
 * the heartbeat, with a new --refresh round first).  0, or a fatal -errno
 * (a file that could not be written is said and tried again later). */
int xp_watch_prom_tick(struct watch *wt) _must_check_;
/* how long poll() may sleep before the next write is due (DEFAULT_MS
 * when that is sooner, -1 for ever) */
int xp_watch_prom_sleep_ms(const struct watch *wt, int default_ms);
