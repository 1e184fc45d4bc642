/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one-shot renderers: they consume the report and read nothing. */
#pragma once

#include <stdio.h>

#include "report.h"

/* "schema" of the JSON documents (xenprobe-json(7)): the report, the
 * offline image's and `xenprobe initrd --json`'s; bump it on any
 * incompatible change */
#define XP_JSON_SCHEMA 1

/* "schema" label of xenprobe_info: the layout of the guest's metrics
 * (xenprobe-metrics(7)); bump it on any incompatible change */
#define XP_PROM_SCHEMA 1
/* "schema" of the facts object (xenprobe-json(7), FACTS), its own number:
 * bump it on any incompatible change of the facts */
#define XP_FACTS_SCHEMA 1

int xp_render_text(const struct xp_report *r, FILE *out);
int xp_render_json(const struct xp_report *r, const char *root, FILE *out);
int xp_render_short(const struct xp_report *r, FILE *out);
/* The guest's own metrics, Prometheus text format (render-prom.c);
 * PROBED_AT: when the report was made (Unix time) */
int xp_render_prom(const struct xp_report *r, double probed_at, FILE *out);
/* the facts (render-facts.c), in {"xenprobe": ...} with WRAP; and the
 * object that says ERROR instead, for a run whose probes failed */
/* the facts' keys in order, for their page's test (tests/facts-keys): TYPE
 * "int", "string", "word" (one of WORDS, NULL-terminated lists), "word or
 * null" */
struct xp_facts_key {
        const char *name, *type;
        const char *const *words[3];
};
extern const struct xp_facts_key xp_facts_keys[];
extern const size_t xp_n_facts_keys;
int xp_render_facts(const struct xp_report *r, bool wrap, FILE *out);
int xp_render_facts_error(const char *error, bool wrap, FILE *out);
/* "Xen domU, PVHVM (HVM guest using PV drivers), Xen 4.17.5" */
int xp_report_headline(const struct xp_report *r, char *buf, size_t len);

/* boot readiness (render-boot.c) */
struct json_object *xp_json_image(const struct xp_image *img, const char *path);
struct json_object *xp_json_boot(const struct xp_boot *b);
void xp_render_image_text(const struct xp_image *img, const char *path, const char *indent, FILE *out);
/* A root-relative path of the boot model as the user reads it, in BUF:
 * "boot/initrd.img-6.1.0-13-amd64" -> "/boot/initrd.img-6.1.0-13-amd64" */
#define XP_SHOWN_PATH_MAX 300
const char *xp_shown_path(const char *rel, char buf[XP_SHOWN_PATH_MAX]);
int xp_render_boot_text(const struct xp_boot *b, FILE *out);
