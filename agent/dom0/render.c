/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Renderers for `xenprobe query`: the table, one domain's detail and the
 * JSON document.  They consume struct xp_qdom (dom0/dom0.h) and read
 * nothing.  Guest bytes reach a terminal only through xp_sanitize()
 * (printable ASCII, everything else '?'), and JSON only through
 * xp_q_json_bytes() (valid UTF-8 without control characters).
 *
 * JSON contract (schema 1):
 *   {"schema": 1, "domains": [DOMAIN, ...]}  sorted by domid
 *   DOMAIN: {"domid": N, "name": S|null, "uuid": S|null,
 *            "unique_domain_id": S|null, "status": "ok"|"none"|"invalid"|
 *            "schema-N"|"truncated"|"unreadable", "problems": [S...],
 *            "unknown_keys": N, "data": DATA|null}
 *   DATA (null for none, unreadable and schema-N): every member always
 *   present, null when the key is absent (integers: also when invalid):
 *     schema, generation, agent_version, verdict, mode, role, confidence,
 *     kernel, xen_version, os {id, version_id, pretty_name},
 *     pv {block, net}, root_disk, root_device,
 *     boot {summary, kernels [{version, status}], kernels_omitted, problems},
 *     warning_count, warnings [S...], warnings_omitted, request, served
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "dom0/dom0.h"

#define CELL_MAX 24 /* table cells longer than this are cut ("...") */

/* ------------------------------------------------------------------ JSON */

struct json_object *xp_q_json_bytes(const char *s, size_t len)
{
        /* a guest's bytes: no control or invisible character either */
        return xp_json_bytes(s, len, true);
}

static bool shown(const struct xp_qdom *d)
{
        return d->status == XP_Q_OK || d->status == XP_Q_INVALID || d->status == XP_Q_TRUNCATED;
}

static struct json_object *jstr(const struct xp_qdom *d, enum xp_key k)
{
        const struct xp_qval *v = &d->v[k];
        return v->present ? xp_q_json_bytes(v->raw, v->len) : NULL;
}

static struct json_object *jnum(const struct xp_qdom *d, enum xp_key k)
{
        const struct xp_qval *v = &d->v[k];
        return v->present && !v->invalid ? xp_json_uint(v->num) : NULL;
}

static void add(struct json_object *o, const char *key, struct json_object *v)
{
        xp_json_add(o, key, v);
}

/* A list of WORD:WORD items ("6.1.0-13-amd64:ok ..." or "xvda:xen-pv ...") as
 * [{K1: ..., K2: ...}, ...] (K2 null for an item without ':'); EMPTY ("none")
 * is the empty array; *OMITTED is the N of a trailing " ...(+N)" */
static struct json_object *json_pairs(const struct xp_qval *v, const char *k1, const char *k2, const char *empty,
                                      struct json_object **omitted)
{
        size_t body, pos = 0;
        uint64_t more = xp_q_list_omitted(v->raw, v->len, &body);
        struct json_object *a = xp_json_array();
        struct xp_q_kword w;
        *omitted = xp_json_uint(more);
        if (empty && v->len == strlen(empty) && memcmp(v->raw, empty, v->len) == 0)
                return a;
        while (xp_q_next_kernel(v->raw, body, &pos, &w)) {
                struct json_object *k = xp_json_object();
                add(k, k1, xp_q_json_bytes(w.version, w.version_len));
                add(k, k2, w.status ? xp_q_json_bytes(w.status, w.status_len) : NULL);
                xp_json_append(a, k);
        }
        return a;
}

static struct json_object *json_lines(const struct xp_qval *v, struct json_object **omitted)
{
        size_t body;
        uint64_t more = xp_q_list_omitted(v->raw, v->len, &body);
        struct json_object *a = xp_json_array();
        *omitted = xp_json_uint(more);
        for (size_t i = 0; i < body;) {
                const char *nl = memchr(v->raw + i, '\n', body - i);
                size_t j = nl ? (size_t)(nl - v->raw) : body;
                if (j > i)
                        xp_json_append(a, xp_q_json_bytes(v->raw + i, j - i));
                i = j + 1;
        }
        return a;
}

static struct json_object *json_data(const struct xp_qdom *d)
{
        struct json_object *o = xp_json_object(), *os = xp_json_object(),
                           *pv = xp_json_object(), *boot = xp_json_object();
        struct json_object *list = NULL, *omitted = NULL;

        add(o, "schema", jnum(d, XP_KEY_SCHEMA));
        add(o, "generation", jnum(d, XP_KEY_GENERATION));
        add(o, "agent_version", jstr(d, XP_KEY_AGENT_VERSION));
        add(o, "verdict", jstr(d, XP_KEY_VERDICT));
        add(o, "mode", jstr(d, XP_KEY_MODE));
        add(o, "role", jstr(d, XP_KEY_ROLE));
        add(o, "confidence", jstr(d, XP_KEY_CONFIDENCE));
        add(o, "kernel", jstr(d, XP_KEY_KERNEL));
        add(o, "xen_version", jstr(d, XP_KEY_XEN_VERSION));
        add(os, "id", jstr(d, XP_KEY_OS_ID));
        add(os, "version_id", jstr(d, XP_KEY_OS_VERSION_ID));
        add(os, "pretty_name", jstr(d, XP_KEY_OS_PRETTY_NAME));
        add(o, "os", os);
        add(pv, "block", jstr(d, XP_KEY_PV_BLOCK));
        add(pv, "net", jstr(d, XP_KEY_PV_NET));
        add(o, "pv", pv);
        add(o, "root_disk", jstr(d, XP_KEY_ROOT_DISK));
        add(o, "root_device", jstr(d, XP_KEY_ROOT_DEVICE));
        if (d->v[XP_KEY_DISKS].present)
                list = json_pairs(&d->v[XP_KEY_DISKS], "name", "kind", xp_keys[XP_KEY_DISKS].empty, &omitted);
        add(o, "disks", list);
        add(o, "disks_omitted", omitted);
        list = omitted = NULL;
        add(boot, "summary", jstr(d, XP_KEY_BOOT_SUMMARY));
        if (d->v[XP_KEY_BOOT_KERNELS].present)
                list = json_pairs(&d->v[XP_KEY_BOOT_KERNELS], "version", "status", NULL, &omitted);
        add(boot, "kernels", list);
        add(boot, "kernels_omitted", omitted);
        add(boot, "problems", jstr(d, XP_KEY_BOOT_PROBLEMS));
        add(o, "boot", boot);
        add(o, "warning_count", jnum(d, XP_KEY_WARNINGS));
        list = omitted = NULL;
        if (d->v[XP_KEY_WARNING_TEXT].present)
                list = json_lines(&d->v[XP_KEY_WARNING_TEXT], &omitted);
        add(o, "warnings", list);
        add(o, "warnings_omitted", omitted);
        add(o, "request", jstr(d, XP_KEY_REQUEST));
        add(o, "served", jstr(d, XP_KEY_SERVED));
        return o;
}

struct json_object *xp_q_json_domain(const struct xp_qdom *d)
{
        char buf[32];
        struct json_object *o = xp_json_object();
        if (!o)
                return NULL;
        add(o, "domid", xp_json_int((int)d->domid));
        add(o, "name", d->name.present ? xp_q_json_bytes(d->name.raw, d->name.len) : NULL);
        add(o, "uuid", xp_json_str_or_null(d->uuid));
        add(o, "unique_domain_id", xp_json_str_or_null(d->unique_id));
        add(o, "status", xp_json_string(xp_q_status_word(d->status, d->future, buf, sizeof(buf))));
        struct json_object *p = xp_json_array();
        for (char **s = d->problems; s && *s; s++)
                xp_json_append(p, xp_q_json_bytes(*s, strlen(*s)));
        add(o, "problems", p);
        add(o, "unknown_keys", xp_json_int((int)d->unknown_keys));
        add(o, "data", shown(d) ? json_data(d) : NULL);
        return o;
}

int xp_q_render_json(struct xp_qdom *const *doms, size_t n, FILE *out)
{
        struct json_object *o = xp_json_object(), *a = xp_json_array();
        if (!o || !a) {
                json_object_put(o);
                json_object_put(a);
                return -ENOMEM;
        }
        add(o, "schema", xp_json_int(1));
        for (size_t i = 0; i < n; i++) {
                struct json_object *d = xp_q_json_domain(doms[i]);
                if (!d) {
                        json_object_put(a);
                        json_object_put(o);
                        return -ENOMEM;
                }
                xp_json_append(a, d);
        }
        add(o, "domains", a);
        return xp_json_print(o, out);
}

/* ------------------------------------------------------------------ text */

static const char *const headers[XP_Q_COLUMNS] = { "DOMID", "NAME", "MODE",  "DISK",  "NET",
                                                   "BOOT",  "WARN", "AGENT", "STATUS" };
static const enum xp_key colkeys[XP_Q_COLUMNS] = {
        _XP_KEY_MAX,         _XP_KEY_MAX,     XP_KEY_VERDICT,       XP_KEY_PV_BLOCK, XP_KEY_PV_NET,
        XP_KEY_BOOT_SUMMARY, XP_KEY_WARNINGS, XP_KEY_AGENT_VERSION, _XP_KEY_MAX,
};

/* terminal-safe text of a value, "!" before a value that failed validation */
static char *text_val(const struct xp_qval *v, size_t max)
{
        char *s = xp_sanitize(v->raw, v->len, max);
        if (!s || !v->invalid)
                return s;
        char *m = malloc(strlen(s) + 2);
        if (m) {
                m[0] = '!';
                strcpy(m + 1, s);
        }
        free(s);
        return m;
}

static char *cell(const struct xp_qdom *d, int col)
{
        char buf[32];
        switch (col) {
        case 0:
                snprintf(buf, sizeof(buf), "%u", d->domid);
                return strdup(buf);
        case 1:
                return d->name.present ? xp_sanitize(d->name.raw, d->name.len, CELL_MAX) : strdup("-");
        case XP_Q_COLUMNS - 1:
                return strdup(xp_q_status_word(d->status, d->future, buf, sizeof(buf)));
        default: {
                const struct xp_qval *v = &d->v[colkeys[col]];
                if (!shown(d) || !v->present)
                        return strdup("-");
                return text_val(v, CELL_MAX);
        }
        }
}

static int cells(const struct xp_qdom *d, char **c)
{
        for (int i = 0; i < XP_Q_COLUMNS; i++) {
                c[i] = cell(d, i);
                if (!c[i]) {
                        while (i-- > 0)
                                free(c[i]);
                        return -ENOMEM;
                }
        }
        return 0;
}

static void print_row(char *const *c, const int *w, const char *prefix, FILE *out)
{
        fputs(prefix ? prefix : "", out);
        for (int i = 0; i < XP_Q_COLUMNS; i++) {
                if (i == XP_Q_COLUMNS - 1)
                        fprintf(out, "%s\n", c[i]);
                else
                        fprintf(out, i == 0 ? "%*s  " : "%-*s  ", w[i], c[i]);
        }
}

int xp_q_render_table(struct xp_qdom *const *doms, size_t n, int *widths, FILE *out)
{
        char **all = calloc(n * XP_Q_COLUMNS + 1, sizeof(char *));
        if (!all)
                return -ENOMEM;
        int e = 0;
        for (int i = 0; i < XP_Q_COLUMNS; i++)
                widths[i] = (int)strlen(headers[i]);
        for (size_t r = 0; r < n && e == 0; r++) {
                e = cells(doms[r], all + r * XP_Q_COLUMNS);
                for (int i = 0; e == 0 && i < XP_Q_COLUMNS; i++) {
                        int l = (int)strlen(all[r * XP_Q_COLUMNS + i]);
                        if (l > widths[i])
                                widths[i] = l;
                }
        }
        if (e == 0) {
                print_row((char *const *)headers, widths, NULL, out);
                for (size_t r = 0; r < n; r++)
                        print_row(all + r * XP_Q_COLUMNS, widths, NULL, out);
        }
        for (size_t i = 0; i < n * XP_Q_COLUMNS; i++)
                free(all[i]);
        free(all);
        if (e == 0 && ferror(out))
                e = -EIO;
        return e;
}

int xp_q_render_row(const struct xp_qdom *d, const int *widths, const char *prefix, FILE *out)
{
        char *c[XP_Q_COLUMNS];
        int e = cells(d, c);
        if (e < 0)
                return e;
        print_row(c, widths, prefix, out);
        for (int i = 0; i < XP_Q_COLUMNS; i++)
                free(c[i]);
        return ferror(out) ? -EIO : 0;
}

static void detail_line(FILE *out, const char *key, const char *val)
{
        fprintf(out, "  %-18s %s\n", key, val);
}

static int detail_val(const struct xp_qval *v, const char *key, FILE *out)
{
        char *s = xp_sanitize(v->raw, v->len, XP_XS_VALUE_MAX);
        if (!s)
                return -ENOMEM;
        fprintf(out, "  %-18s %s%s", key, s, v->invalid ? "  [invalid]" : "");
        if (v->truncated)
                fprintf(out, "  [cut: %zu bytes]", v->full_len);
        fputc('\n', out);
        free(s);
        return 0;
}

/* boot/kernels one per line, warning-text one per line */
static int detail_list(const struct xp_qval *v, const char *key, char sep, FILE *out)
{
        size_t body;
        uint64_t more = xp_q_list_omitted(v->raw, v->len, &body);
        fprintf(out, "  %s:%s\n", key, v->invalid ? "  [invalid]" : "");
        for (size_t i = 0; i < body;) {
                const char *e = memchr(v->raw + i, sep, body - i);
                size_t j = e ? (size_t)(e - v->raw) : body;
                if (j > i) {
                        const char *w = v->raw + i;
                        const char *colon = sep == ' ' ? memrchr(w, ':', j - i) : NULL;
                        char *a = xp_sanitize(w, colon ? (size_t)(colon - w) : j - i, XP_XS_VALUE_MAX);
                        char *b = colon ? xp_sanitize(colon + 1, (size_t)(v->raw + j - colon - 1), 64) : NULL;
                        if (!a || (colon && !b)) {
                                free(a);
                                free(b);
                                return -ENOMEM;
                        }
                        if (colon)
                                fprintf(out, "    %-24s %s\n", a, b);
                        else
                                fprintf(out, "    %s\n", a);
                        free(a);
                        free(b);
                }
                i = j + 1;
        }
        if (more)
                fprintf(out, "    ... and %llu more\n", (unsigned long long)more);
        if (v->truncated)
                fprintf(out, "    [cut: %zu bytes]\n", v->full_len);
        return 0;
}

int xp_q_render_detail(const struct xp_qdom *d, FILE *out)
{
        char buf[32];
        char *name = d->name.present ? xp_sanitize(d->name.raw, d->name.len, 256) : NULL;
        int e = 0;
        fprintf(out, "\nDomain %u%s%s%s\n", d->domid, name ? " (" : "", name ? name : "", name ? ")" : "");
        free(name);
        detail_line(out, "uuid", d->uuid ? d->uuid : "-");
        detail_line(out, "unique-domain-id", d->unique_id ? d->unique_id : "-");
        detail_line(out, "status", xp_q_status_word(d->status, d->future, buf, sizeof(buf)));
        switch (d->status) {
        case XP_Q_NONE:
                detail_line(out, "", "nothing published below " XP_XS_BASE " (is xenprobed running in the guest?)");
                break;
        case XP_Q_FUTURE:
                detail_line(out, "", "a newer schema: values not interpreted");
                break;
        case XP_Q_UNREADABLE:
                break;
        default:
                for (int k = 0; k < _XP_KEY_MAX && e == 0; k++) {
                        const struct xp_qval *v = &d->v[k];
                        const char *key = xp_key_name(k);
                        if (!v->present)
                                detail_line(out, key, "-");
                        else if (xp_keys[k].kind == XP_KIND_KERNELS || xp_keys[k].kind == XP_KIND_DISKS)
                                e = detail_list(v, key, ' ', out);
                        else if (xp_keys[k].kind == XP_KIND_LINES)
                                e = detail_list(v, key, '\n', out);
                        else
                                e = detail_val(v, key, out);
                }
                if (d->unknown_keys) {
                        snprintf(buf, sizeof(buf), "%u (ignored)", d->unknown_keys);
                        detail_line(out, "unknown keys", buf);
                }
        }
        for (char **p = d->problems; p && *p; p++)
                fprintf(out, "  problem: %s\n", *p);
        if (e == 0 && ferror(out))
                e = -EIO;
        return e;
}
