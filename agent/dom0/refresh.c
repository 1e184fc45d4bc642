/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `xenprobe query --refresh`: ask the guests' daemons to publish now.
 *
 * For each domain read (with --all: each that published something), watch
 * its data/xenprobe/served, then write a token unique to this call
 * ("q<pid>-<ns>") into its data/xenprobe/request (xp_q_request: only if
 * it is still the domain read).  The daemon probes, publishes and writes
 * the token into served; every served event is checked against the token
 * until all answered or --timeout seconds passed.  The caller then reads
 * the domains again.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dom0/query.h"

#define TOKEN_SERVED "xenprobe-query-served"

struct refresh {
        struct query *q;
        char token[XP_XS_REQUEST_MAX + 1];
        bool *pending; /* per q->doms[i]: asked, not answered yet */
        bool *asked;   /* per q->doms[i]: to be asked (a refused write included) */
        bool *written; /* per q->doms[i]: its request was written */
        bool *watched; /* per q->doms[i]: its served key is watched */
        size_t left;   /* pending */
};

/* watch D's served key and write the request; a refusal for this domain
 * only is said and sets *UNANSWERED (0); -errno when fatal */
static int ask(struct refresh *rf, size_t i, bool *unanswered)
{
        struct query *q = rf->q;
        struct xp_qdom *d = q->doms[i];
        char path[192], nb[128];
        int e = q->xs->ops->watch(q->xs, xp_q_path(path, sizeof(path), d->domid, XP_XS_SERVED), TOKEN_SERVED);
        if (e < 0)
                return e;
        rf->watched[i] = true;
        rf->asked[i] = true;
        e = xp_q_request(q->xs, d, rf->token);
        if (e == -ESTALE || e == -ENOENT) {
                fprintf(stderr, "xenprobe: query: %s: not asked to refresh: %s\n",
                        xp_query_dom_name(d, nb, sizeof(nb)),
                        e == -ESTALE ? "its domid now belongs to another domain (a different UUID)"
                                     : "the domain, or its data/ directory, is gone");
                *unanswered = true;
                return 0;
        }
        if (e < 0) {
                if (xp_q_fatal(e))
                        return e;
                fprintf(stderr, "xenprobe: query: %s: writing %s: %s\n", xp_query_dom_name(d, nb, sizeof(nb)),
                        xp_q_path(path, sizeof(path), d->domid, XP_XS_REQUEST), xp_xs_strerror(e));
                *unanswered = true;
                return 0;
        }
        rf->pending[i] = true;
        rf->written[i] = true;
        rf->left++;
        return 0;
}

/* the served events pending on the connection: mark who answered */
static int take_answers(struct refresh *rf)
{
        struct query *q = rf->q;
        for (;;) {
                char *wpath, *wtok;
                int e = q->xs->ops->check_watch(q->xs, &wpath, &wtok);
                if (e == -EAGAIN)
                        return 0;
                if (e < 0)
                        return e;
                long id = strcmp(wtok, TOKEN_SERVED) == 0 ? xp_q_path_domid(wpath) : -1;
                free(wpath);
                for (size_t i = 0; id >= 0 && i < q->n_doms; i++) {
                        if (!rf->pending[i] || q->doms[i]->domid != (unsigned)id)
                                continue;
                        e = xp_q_served(q->xs, (unsigned)id, rf->token);
                        if (e < 0 && xp_q_fatal(e))
                                return e;
                        if (e == 1) {
                                rf->pending[i] = false;
                                rf->left--;
                                xp_query_dbg("refresh: domain %ld answered", id);
                        }
                }
        }
}

/* until every asked domain answered or the timeout passed */
static int wait_answers(struct refresh *rf, int fd)
{
        uint64_t deadline = xp_query_now_ns() + (uint64_t)(rf->q->timeout * 1e9);
        while (rf->left > 0) {
                uint64_t now = xp_query_now_ns();
                if (now >= deadline)
                        break;
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int ms = (int)((deadline - now + 999999) / 1000000);
                if (poll(&p, 1, ms) < 0 && errno != EINTR)
                        return -errno;
                int e = take_answers(rf);
                if (e < 0)
                        return e;
        }
        return 0;
}

static int ask_all(struct refresh *rf, bool *unanswered)
{
        struct query *q = rf->q;
        int fd = q->xs->ops->fileno(q->xs);
        if (fd < 0)
                return fd;
        for (size_t i = 0; i < q->n_doms; i++) {
                struct xp_qdom *d = q->doms[i];
                if (!d->exists || (q->all && d->status == XP_Q_NONE))
                        continue; /* nothing there to ask */
                int e = ask(rf, i, unanswered);
                if (e < 0)
                        return e;
        }
        xp_query_dbg("refresh: token %s written to %zu domains", rf->token, rf->left);
        int e = wait_answers(rf, fd);
        if (e < 0)
                return e;
        for (size_t i = 0; i < q->n_doms; i++) {
                /* answered: asked (the request written), then served */
                if (rf->asked[i])
                        q->refreshed[q->n_refreshed++] = (struct xp_q_refreshed){
                                .domid = q->doms[i]->domid, .answered = rf->written[i] && !rf->pending[i] };
        }
        for (size_t i = 0; i < q->n_doms; i++) {
                if (!rf->pending[i])
                        continue;
                char nb[128];
                *unanswered = true;
                fprintf(stderr,
                        "xenprobe: query: %s: no xenprobe daemon answered within %g s (%s/" XP_XS_SERVED
                        " never showed the request): is xenprobed running in the guest?\n",
                        xp_query_dom_name(q->doms[i], nb, sizeof(nb)), q->timeout, XP_XS_BASE);
        }
        return 0;
}

int xp_query_refresh(struct query *q, bool *unanswered)
{
        struct refresh rf = { .q = q };
        snprintf(rf.token, sizeof(rf.token), "q%ld-%llu", (long)getpid(), (unsigned long long)xp_query_now_ns());
        rf.pending = calloc(q->n_doms + 1, sizeof(bool));
        rf.watched = calloc(q->n_doms + 1, sizeof(bool));
        rf.asked = calloc(q->n_doms + 1, sizeof(bool));
        rf.written = calloc(q->n_doms + 1, sizeof(bool));
        free(q->refreshed);
        q->n_refreshed = 0;
        q->refreshed = calloc(q->n_doms + 1, sizeof(*q->refreshed));
        int e = rf.pending && rf.watched && rf.asked && rf.written && q->refreshed ? ask_all(&rf, unanswered) : -ENOMEM;
        for (size_t i = 0; rf.watched && i < q->n_doms; i++)
                if (rf.watched[i]) {
                        char path[192];
                        int u = q->xs->ops->unwatch(q->xs, xp_q_path(path, sizeof(path), q->doms[i]->domid, XP_XS_SERVED),
                                                    TOKEN_SERVED);
                        if (u < 0 && xp_q_fatal(u) && e == 0)
                                e = u;
                }
        free(rf.pending);
        free(rf.watched);
        free(rf.asked);
        free(rf.written);
        return e;
}
