/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dom0 reader of what the guests published below their own
 * /local/domain/<id>/data/xenprobe/ (schema 1: the key table of
 * agent/xenstore/keys.c).
 *
 * Every byte below a guest's home was written by the guest, which may be
 * hostile: the reader reads only the schema's keys and the subdirectories
 * they live in (os/, pv/, boot/), never recurses elsewhere, caps the
 * entries examined per directory and the bytes read per domain, and keeps
 * values as the raw bytes it read (cut at XP_XS_VALUE_MAX).  Validation
 * marks each value and records problems as ASCII sentences; renderers turn
 * raw bytes into terminal-safe text (dom0/render.c: only printable ASCII
 * reaches a terminal) or valid UTF-8 JSON strings.
 *
 * Identity is the domid PLUS the /vm UUID and the toolstack's
 * unique-domain-id (XAPI): domain ids are reused (XSA-322).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "xenstore/schema.h"
#include "xenstore/xenstore.h"

/* caps per domain (a hostile guest can create ~1000 nodes of ~4 KiB) */
#define XP_Q_MAX_ENTRIES 256u       /* entries examined per listed directory */
#define XP_Q_MAX_BYTES (32u * 1024u) /* names + values read per domain */
#define XP_Q_TX_ATTEMPTS 5u         /* transactions per domain before "unreadable" */
/* entries from here on are not domains */
#define XP_Q_DOMID_MAX XP_DOMID_FIRST_RESERVED

/* The keys read are the table's (agent/xenstore/keys.h): d->v[XP_KEY_*],
 * in the table's (display) order. */

enum xp_qstatus {
        XP_Q_OK,
        XP_Q_NONE,       /* nothing published */
        XP_Q_INVALID,    /* published, but something violates the schema */
        XP_Q_FUTURE,     /* schema > XP_XS_SCHEMA: values not interpreted */
        XP_Q_TRUNCATED,  /* valid as far as read, but a cap cut it */
        XP_Q_UNREADABLE, /* xenstore refused a read, or no consistent snapshot */
};
/* "ok", "none", "invalid", "schema-N" (into BUF), "truncated", "unreadable" */
const char *xp_q_status_word(enum xp_qstatus s, unsigned future, char *buf, size_t len);

/* one value as read */
struct xp_qval {
        bool present;
        bool invalid;   /* failed validation: a problem says why */
        bool truncated; /* longer than XP_XS_VALUE_MAX: cut */
        char *raw;      /* the guest's bytes (may hold NULs: use len), NUL-terminated */
        size_t len;     /* bytes kept (<= XP_XS_VALUE_MAX) */
        size_t full_len; /* bytes xenstore returned */
        uint64_t num;   /* integer keys, when valid */
};

struct xp_qdom {
        unsigned domid;
        bool exists;                 /* /local/domain/<id> is there */
        struct xp_qval name;         /* /local/domain/<id>/name (toolstack) */
        char *uuid;                  /* validated, else NULL */
        char *unique_id;             /* validated unique-domain-id, else NULL */
        enum xp_qstatus status;
        unsigned future;             /* the schema number when XP_Q_FUTURE */
        unsigned unknown_keys;       /* entries not in the schema (ignored) */
        unsigned published;          /* entries below data/xenprobe other than
                                      * request and served (subdirs' included) */
        size_t bytes_read;           /* names + values read from the guest's subtree */
        bool capped;                 /* an entry or byte cap cut what was read */
        bool bad_identity;           /* vm or unique-domain-id malformed */
        char **problems;             /* ASCII sentences, NULL-terminated */
        struct xp_qval v[_XP_KEY_MAX];
};

void xp_qdom_clear(struct xp_qdom *d);
/* move SRC into DST (DST cleared first), SRC left empty */
void xp_qdom_move(struct xp_qdom *dst, struct xp_qdom *src);

/* Is ERR a lost connection or an out-of-memory (the whole run stops), as
 * opposed to one domain's read being refused? */
bool xp_q_fatal(int err);

/* Sorted domids listed under /local/domain (entries that are not domids
 * are skipped).  *IDS is malloc()ed. */
int xp_q_list_domains(struct xp_xs *xs, unsigned **ids, size_t *n) _must_check_;
/* qsort()/bsearch() order of domids (unsigned) */
int xp_q_cmp_domid(const void *a, const void *b);
/* Is ID in the sorted IDS? */
bool xp_q_has_domid(const unsigned *ids, size_t n, unsigned id);
/* Read DOMID's identity and published subtree in one transaction (EAGAIN
 * retried XP_Q_TX_ATTEMPTS times) and validate it.  0 with D filled (D->exists
 * false when the domain is gone; per-domain failures are D->status
 * XP_Q_UNREADABLE with a problem), or a fatal -errno (xp_q_fatal()). */
int xp_q_read_domain(struct xp_xs *xs, unsigned domid, struct xp_qdom *d) _must_check_;
/* The identity only (vm UUID, unique-domain-id), outside a transaction:
 * for --watch to tell a reused domid.  *EXISTS false when the domain is
 * gone. */
int xp_q_read_identity(struct xp_xs *xs, unsigned domid, bool *exists, char **uuid, char **unique_id) _must_check_;
/* Same domain?  Different when both sides know a UUID (or a
 * unique-domain-id) and they differ. */
bool xp_q_same_identity(const char *uuid_a, const char *uid_a, const char *uuid_b, const char *uid_b);
/* Domids whose name is exactly NAME (appended to *IDS, sorted). */
int xp_q_find_name(struct xp_xs *xs, const unsigned *all, size_t n_all, const char *name, unsigned **ids,
                   size_t *n) _must_check_;

/* --refresh: write TOKEN into DOMID's data/xenprobe/request, in a
 * transaction that first checks the domain is still the one read (UUID
 * and unique-domain-id, so a reused domid is never written to) and that its
 * data/ exists (never re-create a removed home).  -ESTALE when it is not
 * the same domain, -ENOENT when gone. */
int xp_q_request(struct xp_xs *xs, const struct xp_qdom *d, const char *token) _must_check_;
/* Read DOMID's served key: 1 when it equals TOKEN, 0 when not (yet), -errno. */
int xp_q_served(struct xp_xs *xs, unsigned domid, const char *token) _must_check_;
/* "/local/domain/<domid>/data/xenprobe" (+ "/" SUB when SUB) into BUF */
const char *xp_q_path(char *buf, size_t len, unsigned domid, const char *sub);
/* The domid in a watch path "/local/domain/<id>/...", -1 if none */
long xp_q_path_domid(const char *path);

/* A list value ends in XP_XS_TRUNCATED "N)" when it did not fit: the count
 * N (0 when not) and, in *BODY_LEN, the length without the marker. */
uint64_t xp_q_list_omitted(const char *v, size_t len, size_t *body_len);

/* The next "VERSION:STATUS" word of a boot/kernels value (or "NAME:KIND"
 * of disks) whose list ends at BODY (xp_q_list_omitted), from *POS on:
 * false at the end.  *STATUS is NULL when the word has no ':'. */
struct xp_q_kword {
        const char *version, *status;
        size_t version_len, status_len;
};
bool xp_q_next_kernel(const char *v, size_t body, size_t *pos, struct xp_q_kword *w);

/* dom0/render.c */
struct json_object;
/* {"domid", "name", "uuid", "unique_domain_id", "status", "problems",
 *  "unknown_keys", "data"} */
struct json_object *xp_q_json_domain(const struct xp_qdom *d);
/* {"schema": 1, "domains": [...]}, pretty-printed */
int xp_q_render_json(struct xp_qdom *const *doms, size_t n, FILE *out);
/* The table: header + one row per domain.  WIDTHS (XP_Q_COLUMNS) gets the
 * column widths used, for later rows (--watch). */
#define XP_Q_COLUMNS 9
int xp_q_render_table(struct xp_qdom *const *doms, size_t n, int *widths, FILE *out);
/* One row with PREFIX ("2026-11-23T10:00:00Z changed ") before it. */
int xp_q_render_row(const struct xp_qdom *d, const int *widths, const char *prefix, FILE *out);
/* Every field, boot kernels, problems and warnings of one domain. */
int xp_q_render_detail(const struct xp_qdom *d, FILE *out);

/* dom0/render-prom.c: the domains in the Prometheus text format */
/* --refresh: a domain asked to publish now, and whether its daemon
 * answered in time */
struct xp_q_refreshed {
        unsigned domid;
        bool answered;
};
struct xp_q_prom_run {
        double timestamp; /* when read (Unix time) */
        double duration;  /* seconds the reading took */
        double heartbeat; /* --watch: the longest gap between two writes; 0: none */
        const struct xp_q_refreshed *refreshed; /* --refresh: the domains asked */
        size_t n_refreshed;
};
int xp_q_render_prom(struct xp_qdom *const *doms, size_t n, const struct xp_q_prom_run *run, FILE *out);
/* A JSON string for guest bytes: valid UTF-8, every byte that is not
 * printable ASCII or part of a valid UTF-8 character >= U+00A0 replaced by
 * U+FFFD (so no control character survives, even escaped; nor do the
 * invisible bidi/zero-width format characters). */
struct json_object *xp_q_json_bytes(const char *s, size_t len);
