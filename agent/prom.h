/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Prometheus text exposition format 0.0.4 (the classic format that
 * node_exporter's textfile collector parses): per family one HELP and one
 * TYPE line, then all its samples together; no timestamps (the collector
 * skips a file that has them).  Every family here is a gauge: the
 * classic format has no info or stateset type, so an info is a gauge
 * "..._info{...} 1" and a state set is one 0/1 sample per state, as
 * node_exporter's own node_systemd_unit_state.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct xp_prom_label {
        const char *name;
        const char *value; /* NULL: "" */
        size_t len;        /* bytes of VALUE; XP_PROM_STRLEN: up to its NUL */
};
#define XP_PROM_STRLEN ((size_t)-1)
/* label values longer than this are cut (and end in "...") */
#define XP_PROM_LABEL_MAX 128

void xp_prom_family(FILE *out, const char *name, const char *help);
/* NAME{L[0],...,L[N-1]} V.  Each label value is made safe first: bytes
 * outside printable ASCII become '?' (the file must be UTF-8, and one
 * invalid byte makes the collector drop the whole file), then '\', '"'
 * are escaped as the format says. */
void xp_prom_sample(FILE *out, const char *name, const struct xp_prom_label *l, size_t n, double v);
/* Is S (LEN bytes) a token fit for a label: 1..XP_PROM_TOKEN_MAX bytes of
 * [A-Za-z0-9._+~:-]? */
#define XP_PROM_TOKEN_MAX 64
bool xp_prom_token(const char *s, size_t len);
/* A state set: one METRIC{L[0..N-1],state=W} sample per word W of WORDS,
 * then of EXTRA (each NULL-terminated, EXTRA may be NULL), 1 for the one
 * equal to ON (LEN bytes, XP_PROM_STRLEN: up to its NUL; ON NULL: none).
 * L must have room for N + 1 labels. */
void xp_prom_state_set(FILE *out, const char *metric, struct xp_prom_label *l, size_t n, const char *on, size_t len,
                       const char *const *words, const char *const *extra);
