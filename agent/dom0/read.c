/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dom0 reader: bounded reads of the guests' data/xenprobe subtrees, one
 * transaction per domain, and validation against schema 1 (agent/xenstore/keys.h).
 * Never trusts a guest value: only the schema's keys and the subdirectories
 * they live in (os/, pv/, boot/) are read, at most XP_Q_MAX_ENTRIES entries are examined
 * per directory and XP_Q_MAX_BYTES read per domain, values are kept as raw
 * bytes cut at XP_XS_VALUE_MAX and rendered safely by dom0/render.c.
 *
 * Which entries are schema keys, their kinds and allowed words, is the key
 * table's answer (agent/xenstore/keys.c), the one the publisher writes by.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dom0/dom0.h"

const char *xp_q_status_word(enum xp_qstatus s, unsigned future, char *buf, size_t len)
{
        switch (s) {
        case XP_Q_OK:
                return "ok";
        case XP_Q_NONE:
                return "none";
        case XP_Q_INVALID:
                return "invalid";
        case XP_Q_FUTURE:
                snprintf(buf, len, "schema-%u", future);
                return buf;
        case XP_Q_TRUNCATED:
                return "truncated";
        case XP_Q_UNREADABLE:
                return "unreadable";
        }
        return "unknown";
}

static void val_clear(struct xp_qval *v)
{
        free(v->raw);
        *v = (struct xp_qval){};
}

void xp_qdom_clear(struct xp_qdom *d)
{
        val_clear(&d->name);
        free(d->uuid);
        free(d->unique_id);
        xp_strv_free(d->problems);
        for (size_t i = 0; i < _XP_KEY_MAX; i++)
                val_clear(&d->v[i]);
        *d = (struct xp_qdom){};
}

void xp_qdom_move(struct xp_qdom *dst, struct xp_qdom *src)
{
        xp_qdom_clear(dst);
        *dst = *src;
        *src = (struct xp_qdom){};
}

bool xp_q_fatal(int err)
{
        switch (-err) {
        case ENOMEM:
        case EPIPE:
        case ECONNRESET:
        case ECONNREFUSED:
        case ECONNABORTED:
        case ENOTCONN:
        case EBADF:
        case EIO:
        case ESHUTDOWN:
                return true;
        default:
                return false;
        }
}

static int problem(struct xp_qdom *d, const char *fmt, ...) _printf_(2, 3);
static int problem(struct xp_qdom *d, const char *fmt, ...)
{
        char buf[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        return xp_strv_push(&d->problems, buf);
}

/* a short terminal-safe quote of guest bytes for a problem sentence */
static int problem_val(struct xp_qdom *d, const char *key, const struct xp_qval *v, const char *why)
{
        char *s = xp_sanitize(v->raw, v->len, 40);
        if (!s)
                return -ENOMEM;
        int r = problem(d, "%s: \"%s\" %s", key, s, why);
        free(s);
        return r;
}

const char *xp_q_path(char *buf, size_t len, unsigned domid, const char *sub)
{
        snprintf(buf, len, "/local/domain/%u/" XP_XS_BASE "%s%s", domid, sub ? "/" : "", sub ? sub : "");
        return buf;
}

long xp_q_path_domid(const char *path)
{
        static const char pre[] = "/local/domain/";
        if (strncmp(path, pre, sizeof(pre) - 1) != 0)
                return -1;
        const char *p = path + sizeof(pre) - 1;
        unsigned v;
        if (xp_domid_parse(p, strcspn(p, "/"), XP_DOMID_CANONICAL, &v) < 0)
                return -1;
        return (long)v;
}

/* strict: digits only, no sign, no leading zero, no overflow */
static bool parse_u64(const char *s, size_t len, uint64_t *out)
{
        if (len == 0 || len > 20 || (s[0] == '0' && len > 1))
                return false;
        uint64_t v = 0;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                unsigned dg = (unsigned)(s[i] - '0');
                if (v > (UINT64_MAX - dg) / 10)
                        return false;
                v = v * 10 + dg;
        }
        *out = v;
        return true;
}

static bool is_hex(char c)
{
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* 8-4-4-4-12 hexadecimal digits */
static bool is_uuid(const char *s, size_t len)
{
        if (len != 36)
                return false;
        for (size_t i = 0; i < 36; i++) {
                bool dash = i == 8 || i == 13 || i == 18 || i == 23;
                if (dash ? s[i] != '-' : !is_hex(s[i]))
                        return false;
        }
        return true;
}

static bool printable(const char *s, size_t len, bool newlines)
{
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if (!((c >= 0x20 && c < 0x7f) || (newlines && c == '\n')))
                        return false;
        }
        return true;
}

uint64_t xp_q_list_omitted(const char *v, size_t len, size_t *body_len)
{
        static const size_t ml = sizeof(XP_XS_TRUNCATED) - 1;
        *body_len = len;
        if (len < ml + 2 || v[len - 1] != ')')
                return 0;
        size_t e = len - 1, b = e;
        while (b > 0 && v[b - 1] >= '0' && v[b - 1] <= '9')
                b--;
        uint64_t n;
        if (b == e || b < ml || memcmp(v + b - ml, XP_XS_TRUNCATED, ml) != 0 || !parse_u64(v + b, e - b, &n))
                return 0;
        *body_len = b - ml;
        return n;
}

/* ------------------------------------------------------------------ read */

struct rd {
        struct xp_xs *xs;
        xp_xs_tx tx;
        struct xp_qdom *d;
        char failed[192]; /* the path of a refused read */
        bool bytes_cut;
};

/* Read PATH into V (absent: V untouched, 0).  GUEST: count it against the
 * domain's byte budget, and skip it once the budget is spent. */
static int rd_val(struct rd *r, const char *path, struct xp_qval *v, bool guest)
{
        if (guest && r->d->bytes_read >= XP_Q_MAX_BYTES) {
                r->bytes_cut = true;
                return 0;
        }
        char *val = NULL;
        size_t len = 0;
        int e = r->xs->ops->read(r->xs, r->tx, path, &val, &len);
        if (e == -ENOENT)
                return 0;
        if (e < 0) {
                snprintf(r->failed, sizeof(r->failed), "%s", path);
                return e;
        }
        if (guest)
                r->d->bytes_read += len;
        v->present = true;
        v->raw = val;
        v->full_len = len;
        v->len = len > XP_XS_VALUE_MAX ? XP_XS_VALUE_MAX : len;
        v->raw[v->len] = '\0';
        v->truncated = len > XP_XS_VALUE_MAX;
        if (v->truncated) {
                /* keep what is shown, not the guest's 4 KiB */
                char *small = realloc(v->raw, v->len + 1);
                if (small)
                        v->raw = small;
        }
        return 0;
}

/* List DIR (SUB below the data subtree, or the subtree itself), mark the
 * schema keys found in WANT and the known subdirectories in SUBS (by the
 * first key that lives in each). */
static int rd_dir(struct rd *r, const char *sub, bool *want, bool *subs, bool *exists)
{
        char path[192];
        xp_q_path(path, sizeof(path), r->d->domid, sub);
        if (r->d->bytes_read >= XP_Q_MAX_BYTES) {
                r->bytes_cut = true;
                return 0;
        }
        char **names = NULL;
        unsigned n = 0;
        int e = r->xs->ops->directory(r->xs, r->tx, path, &names, &n);
        if (e == -ENOENT)
                return 0;
        if (e < 0) {
                snprintf(r->failed, sizeof(r->failed), "%s", path);
                return e;
        }
        if (exists)
                *exists = true;
        unsigned m = n > XP_Q_MAX_ENTRIES ? XP_Q_MAX_ENTRIES : n;
        for (unsigned i = 0; i < n; i++)
                r->d->bytes_read += strlen(names[i]) + 1;
        for (unsigned i = 0; i < m; i++) {
                char rel[96];
                /* a name longer than any key is none */
                int rl = snprintf(rel, sizeof(rel), "%s%s%s", sub ? sub : "", sub ? "/" : "", names[i]);
                int k = rl >= 0 && (size_t)rl < sizeof(rel) ? xp_key_find(rel) : -1;
                if (k == XP_KEY_REQUEST || k == XP_KEY_SERVED) {
                        want[k] = true;
                        continue;
                }
                r->d->published++;
                if (k < 0 && !xp_xs_schema_known(rel)) {
                        r->d->unknown_keys++; /* never read, never recursed into */
                        continue;
                }
                if (k >= 0)
                        want[k] = true;
                else if (!sub && (k = xp_key_dir_of(rel)) >= 0)
                        subs[k] = true; /* a directory: marked by its first key */
        }
        free(names);
        if (n > m) {
                r->d->capped = true;
                e = problem(r->d, "%s%s%s: %u entries, more than the %u examined: the rest was ignored", XP_XS_BASE,
                            sub ? "/" : "", sub ? sub : "", n, m);
                if (e < 0)
                        return e;
        }
        return 0;
}

static int rd_identity(struct rd *r)
{
        struct xp_qdom *d = r->d;
        char path[160];
        struct xp_qval vm = {}, uid = {};
        int e;

        snprintf(path, sizeof(path), "/local/domain/%u/name", d->domid);
        e = rd_val(r, path, &d->name, false);
        if (e < 0)
                return e;
        if (!d->name.present) {
                /* no name: is the domain there at all? */
                struct xp_qval home = {};
                snprintf(path, sizeof(path), "/local/domain/%u", d->domid);
                e = rd_val(r, path, &home, false);
                bool there = home.present;
                val_clear(&home);
                if (e < 0)
                        return e;
                if (!there)
                        return 0;
        }
        d->exists = true;

        snprintf(path, sizeof(path), "/local/domain/%u/vm", d->domid);
        e = rd_val(r, path, &vm, false);
        if (e < 0)
                goto out;
        if (vm.present) {
                if (vm.len > 4 && memcmp(vm.raw, "/vm/", 4) == 0 && is_uuid(vm.raw + 4, vm.len - 4)) {
                        d->uuid = strdup(vm.raw + 4);
                        if (!d->uuid)
                                e = -ENOMEM;
                } else {
                        d->bad_identity = true;
                        e = problem_val(d, "vm", &vm, "is not /vm/UUID: no UUID to tell this domain from an earlier one with the same domid");
                }
                if (e < 0)
                        goto out;
        }
        snprintf(path, sizeof(path), "/local/domain/%u/unique-domain-id", d->domid);
        e = rd_val(r, path, &uid, false);
        if (e < 0)
                goto out;
        if (uid.present) {
                if (xp_xs_token(uid.raw, uid.len, 64)) {
                        d->unique_id = strdup(uid.raw);
                        if (!d->unique_id)
                                e = -ENOMEM;
                } else {
                        d->bad_identity = true;
                        e = problem_val(d, "unique-domain-id", &uid, "is not an identifier ([A-Za-z0-9._-], at most 64)");
                }
        }
out:
        val_clear(&vm);
        val_clear(&uid);
        return e;
}

static int read_tx(struct rd *r)
{
        struct xp_qdom *d = r->d;
        bool want[_XP_KEY_MAX] = {}, subs[_XP_KEY_MAX] = {}, exists = false;
        char path[192], dir[32];
        int e = rd_identity(r);
        if (e < 0 || !d->exists)
                return e;
        e = rd_dir(r, NULL, want, subs, &exists);
        if (e < 0 || !exists)
                return e;
        for (int k = 0; k < _XP_KEY_MAX; k++) {
                if (!subs[k] || !xp_key_dir(k, dir, sizeof(dir)))
                        continue;
                e = rd_dir(r, dir, want, subs, NULL);
                if (e < 0)
                        return e;
        }
        for (int k = 0; k < _XP_KEY_MAX; k++) {
                if (!want[k])
                        continue;
                e = rd_val(r, xp_q_path(path, sizeof(path), d->domid, xp_keys[k].name), &d->v[k], true);
                if (e < 0)
                        return e;
        }
        if (r->bytes_cut) {
                d->capped = true;
                e = problem(d, "%s: more than %u bytes: the keys after that were not read", XP_XS_BASE, XP_Q_MAX_BYTES);
        }
        return e;
}

/* ------------------------------------------------------------- validate */

bool xp_q_next_kernel(const char *v, size_t body, size_t *pos, struct xp_q_kword *w)
{
        size_t i = *pos;
        while (i < body && v[i] == ' ')
                i++;
        if (i >= body)
                return false;
        size_t j = i;
        while (j < body && v[j] != ' ')
                j++;
        const char *colon = memrchr(v + i, ':', j - i);
        w->version = v + i;
        w->version_len = colon ? (size_t)(colon - (v + i)) : j - i;
        w->status = colon ? colon + 1 : NULL;
        w->status_len = colon ? (size_t)(v + j - colon - 1) : 0;
        *pos = j;
        return true;
}

/* Append Q's words and extra words to BUF: "a, b, c" (LAST before the
 * last one: ", " or " or "). */
static void join_words(const struct xp_key_def *q, char *buf, size_t len, const char *last)
{
        const char *const *lists[] = { q->words, q->extra };
        size_t n = 0, total = 0;
        for (size_t l = 0; l < ELEMENTSOF(lists); l++)
                for (const char *const *w = lists[l]; w && *w; w++)
                        total++;
        for (size_t l = 0; l < ELEMENTSOF(lists); l++)
                for (const char *const *w = lists[l]; w && *w; w++, n++) {
                        size_t at = strlen(buf);
                        snprintf(buf + at, len - at, "%s%s", n == 0 ? "" : n + 1 == total ? last : ", ", *w);
                }
}

static int check_kernels(struct xp_qdom *d, struct xp_qval *v)
{
        const struct xp_key_def *q = &xp_keys[XP_KEY_BOOT_KERNELS];
        size_t body, pos = 0;
        struct xp_q_kword w;
        xp_q_list_omitted(v->raw, v->len, &body);
        while (xp_q_next_kernel(v->raw, body, &pos, &w))
                if (!w.status || !w.version_len || !xp_key_word(q, w.status, w.status_len)) {
                        char why[160] = "is not a list of VERSION:STATUS words (STATUS ";
                        join_words(q, why, sizeof(why) - 1, " or ");
                        strcat(why, ")");
                        return problem_val(d, q->name, v, why);
                }
        return 0;
}

/* a kernel block device name as sysfs shows it: "xvda", "nvme0n1", "cciss!c0d0" */
static bool disk_name(const char *s, size_t n)
{
        if (n == 0 || n > 31)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
                      s[i] == '_' || s[i] == '!' || s[i] == '.'))
                        return false;
        return true;
}

static int check_disks(struct xp_qdom *d, struct xp_qval *v)
{
        size_t body, pos = 0;
        struct xp_q_kword w;
        const struct xp_key_def *q = &xp_keys[XP_KEY_DISKS];
        if (v->len == strlen(q->empty) && memcmp(v->raw, q->empty, v->len) == 0)
                return 0;
        xp_q_list_omitted(v->raw, v->len, &body);
        while (xp_q_next_kernel(v->raw, body, &pos, &w))
                if (!w.status || !disk_name(w.version, w.version_len) || !xp_key_word(q, w.status, w.status_len)) {
                        char why[96];
                        snprintf(why, sizeof(why), "is not \"%s\" or a list of NAME:KIND words (KIND xen-pv, ata, scsi, ...)",
                                 q->empty);
                        return problem_val(d, q->name, v, why);
                }
        return 0;
}

static int validate_key(struct xp_qdom *d, enum xp_key k)
{
        const struct xp_key_def *q = &xp_keys[k];
        struct xp_qval *v = &d->v[k];
        int e = 0;
        if (!v->present)
                return 0;
        if (v->truncated) {
                e = problem(d, "%s: %zu bytes, more than the schema's %d: cut", q->name, v->full_len, XP_XS_VALUE_MAX);
                if (e < 0)
                        return e;
        }
        bool ok = true;
        switch (q->kind) {
        case XP_KIND_INT:
                ok = parse_u64(v->raw, v->len, &v->num) && v->num >= q->min;
                if (!ok)
                        e = problem_val(d, q->name, v,
                                        q->min ? "is not a decimal integer > 0" : "is not a decimal integer");
                break;
        case XP_KIND_ENUM: {
                ok = xp_key_word(q, v->raw, v->len);
                if (!ok) {
                        char why[160] = "is not one of ";
                        join_words(q, why, sizeof(why), ", ");
                        e = problem_val(d, q->name, v, why);
                }
                break;
        }
        case XP_KIND_TEXT:
        case XP_KIND_LINES:
        case XP_KIND_KERNELS:
        case XP_KIND_DISKS:
                ok = printable(v->raw, v->len, q->kind == XP_KIND_LINES);
                if (!ok) {
                        e = problem(d, "%s: bytes that are not printable ASCII (control, escape or binary), shown replaced",
                                    q->name);
                        break;
                }
                if (q->kind == XP_KIND_KERNELS || q->kind == XP_KIND_DISKS) {
                        size_t before = xp_strv_length(d->problems);
                        e = q->kind == XP_KIND_KERNELS ? check_kernels(d, v) : check_disks(d, v);
                        ok = xp_strv_length(d->problems) == before;
                }
                break;
        case XP_KIND_TOKEN:
                ok = xp_xs_token(v->raw, v->len, XP_XS_REQUEST_MAX);
                if (!ok)
                        e = problem_val(d, q->name, v, "is not a token ([A-Za-z0-9._-], at most 64)");
                break;
        }
        v->invalid = !ok;
        return e;
}

static int validate(struct xp_qdom *d)
{
        int e;
        if (d->status == XP_Q_UNREADABLE || !d->exists)
                return 0;
        if (d->published == 0) {
                d->status = XP_Q_NONE;
                return 0;
        }
        struct xp_qval *s = &d->v[XP_KEY_SCHEMA];
        if (!s->present) {
                d->status = XP_Q_INVALID;
                return problem(d, "schema: missing: keys were published without the schema version");
        }
        uint64_t n;
        bool invalid = false, cut = d->capped;
        if (parse_u64(s->raw, s->len, &n) && n > XP_XS_SCHEMA) {
                if (n > 1000000) {
                        /* not a version anyone will publish: garbage */
                        invalid = true;
                        e = problem_val(d, "schema", s, "is not a schema version");
                        if (e < 0)
                                return e;
                } else {
                        d->status = XP_Q_FUTURE;
                        d->future = (unsigned)n;
                        return problem(d, "schema: %u is newer than this xenprobe reads (%d): values not interpreted; update xenprobe in dom0",
                                       d->future, XP_XS_SCHEMA);
                }
        }
        for (int k = 0; k < _XP_KEY_MAX; k++) {
                e = validate_key(d, k);
                if (e < 0)
                        return e;
                invalid |= d->v[k].invalid;
                cut |= d->v[k].truncated;
        }
        if (invalid && !s->invalid && s->num != XP_XS_SCHEMA)
                s->invalid = true; /* the garbage version above */
        d->status = invalid || d->bad_identity ? XP_Q_INVALID : cut ? XP_Q_TRUNCATED : XP_Q_OK;
        return 0;
}

/* Does PATH hold exactly what V held (both absent counts)?  -errno. */
static int unchanged(struct rd *r, const char *path, const struct xp_qval *v)
{
        struct xp_qval now = {};
        int e = rd_val(r, path, &now, false);
        if (e < 0)
                return e;
        bool same = now.present == v->present &&
                    (!v->present || (now.full_len == v->full_len && memcmp(now.raw, v->raw, v->len) == 0));
        val_clear(&now);
        return same;
}

/* The fast path: read the domain's /vm (its identity) and the generation
 * first, then everything without a transaction, then check that neither
 * moved.  The publisher changes "generation" in the same transaction as
 * any other key, so an unchanged generation means no publish committed in
 * between and the values belong together (the publisher never reuses a
 * generation while it runs, also across a deletion of the subtree).  1: consistent, 0: read again in a transaction,
 * -errno.  (C xenstored 4.17 copies every node read inside a transaction
 * into its database: for 1,000 domains `query --all` takes 5.6 s with a
 * transaction each and 1.2 s this way.) */
static int read_plain(struct xp_xs *xs, unsigned domid, struct xp_qdom *d)
{
        char vpath[160], gpath[192];
        struct xp_qval vm = {}, gen = {};
        struct rd r = { .xs = xs, .tx = XP_XS_NOTX, .d = d };
        xp_qdom_clear(d);
        d->domid = domid;
        /* first the two values that vouch for the rest */
        snprintf(vpath, sizeof(vpath), "/local/domain/%u/vm", domid);
        xp_q_path(gpath, sizeof(gpath), domid, XP_XS_GENERATION);
        int e = rd_val(&r, vpath, &vm, false);
        if (e == 0)
                e = rd_val(&r, gpath, &gen, false);
        if (e == 0)
                e = read_tx(&r);
        if (e == 0 && !d->exists)
                e = 1; /* gone: nothing to mix up */
        else if (e == 0)
                e = unchanged(&r, vpath, &vm);
        if (e == 1 && d->published)
                /* keys with no generation to vouch for them: a transaction;
                 * else the generation read first, at the end and in
                 * between must all be the same */
                e = !gen.present ? 0 : unchanged(&r, gpath, &gen);
        if (e == 1 && d->published) {
                const struct xp_qval *g = &d->v[XP_KEY_GENERATION];
                e = g->present && g->full_len == gen.full_len && memcmp(g->raw, gen.raw, gen.len) == 0;
        }
        val_clear(&vm);
        val_clear(&gen);
        return e;
}

int xp_q_read_domain(struct xp_xs *xs, unsigned domid, struct xp_qdom *d)
{
        const struct xp_xs_ops *ops = xs->ops;
        int e = read_plain(xs, domid, d);
        if (e == 1)
                return validate(d);
        if (e < 0 && xp_q_fatal(e))
                return e;
        /* moved under us, or refused: the careful way */
        for (unsigned attempt = 1;; attempt++) {
                xp_qdom_clear(d);
                d->domid = domid;
                struct rd r = { .xs = xs, .d = d };
                e = ops->tx_start(xs, &r.tx);
                if (e < 0) {
                        snprintf(r.failed, sizeof(r.failed), "transaction start");
                        goto refused;
                }
                e = read_tx(&r);
                if (e < 0) {
                        int a = ops->tx_end(xs, r.tx, true);
                        if (xp_q_fatal(a))
                                return a;
                        if (e == -EAGAIN && attempt < XP_Q_TX_ATTEMPTS)
                                continue;
                        goto refused;
                }
                e = ops->tx_end(xs, r.tx, false);
                if (e == -EAGAIN) {
                        if (attempt < XP_Q_TX_ATTEMPTS)
                                continue;
                        bool there = d->exists;
                        xp_qdom_clear(d);
                        d->domid = domid;
                        d->exists = there;
                        d->status = XP_Q_UNREADABLE;
                        return problem(d, "%s: changed during each of %u transactions: no consistent snapshot",
                                       XP_XS_BASE, attempt);
                }
                if (e < 0) {
                        snprintf(r.failed, sizeof(r.failed), "transaction end");
                        goto refused;
                }
                return validate(d);
refused:
                if (xp_q_fatal(e))
                        return e;
                xp_qdom_clear(d);
                d->domid = domid;
                d->exists = true;
                d->status = XP_Q_UNREADABLE;
                return problem(d, "%s: %s", r.failed, xp_xs_strerror(e));
        }
}

/* -------------------------------------------------------------- listing */

int xp_q_cmp_domid(const void *a, const void *b)
{
        unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
        return x < y ? -1 : x > y;
}

bool xp_q_has_domid(const unsigned *ids, size_t n, unsigned id)
{
        return n && bsearch(&id, ids, n, sizeof(*ids), xp_q_cmp_domid) != NULL;
}

int xp_q_list_domains(struct xp_xs *xs, unsigned **ids, size_t *n)
{
        char **names = NULL;
        unsigned cnt = 0;
        *ids = NULL;
        *n = 0;
        int e = xs->ops->directory(xs, XP_XS_NOTX, "/local/domain", &names, &cnt);
        if (e == -ENOENT)
                return 0;
        if (e < 0)
                return e;
        unsigned *v = calloc(cnt ? cnt : 1, sizeof(*v));
        if (!v) {
                free(names);
                return -ENOMEM;
        }
        size_t m = 0;
        for (unsigned i = 0; i < cnt; i++)
                if (xp_domid_parse(names[i], strlen(names[i]), XP_DOMID_CANONICAL, &v[m]) == 0)
                        m++;
        free(names);
        qsort(v, m, sizeof(*v), xp_q_cmp_domid);
        *ids = v;
        *n = m;
        return 0;
}

int xp_q_read_identity(struct xp_xs *xs, unsigned domid, bool *exists, char **uuid, char **unique_id)
{
        struct xp_qdom d = { .domid = domid };
        struct rd r = { .xs = xs, .d = &d, .tx = XP_XS_NOTX };
        int e = rd_identity(&r);
        *exists = d.exists;
        *uuid = d.uuid;
        *unique_id = d.unique_id;
        d.uuid = d.unique_id = NULL;
        xp_qdom_clear(&d);
        return e;
}

static bool same_or_unknown(const char *a, const char *b)
{
        return !a || !b || strcmp(a, b) == 0;
}

bool xp_q_same_identity(const char *uuid_a, const char *uid_a, const char *uuid_b, const char *uid_b)
{
        return same_or_unknown(uuid_a, uuid_b) && same_or_unknown(uid_a, uid_b);
}

int xp_q_find_name(struct xp_xs *xs, const unsigned *all, size_t n_all, const char *name, unsigned **ids, size_t *n)
{
        size_t nl = strlen(name);
        char path[64];
        for (size_t i = 0; i < n_all; i++) {
                char *v = NULL;
                size_t len = 0;
                snprintf(path, sizeof(path), "/local/domain/%u/name", all[i]);
                int e = xs->ops->read(xs, XP_XS_NOTX, path, &v, &len);
                if (e < 0) {
                        if (xp_q_fatal(e))
                                return e;
                        continue; /* gone meanwhile, or no name */
                }
                bool match = len == nl && memcmp(v, name, nl) == 0;
                free(v);
                if (!match)
                        continue;
                unsigned *nv = realloc(*ids, (*n + 1) * sizeof(**ids));
                if (!nv)
                        return -ENOMEM;
                *ids = nv;
                nv[(*n)++] = all[i];
        }
        return 0;
}

/* -------------------------------------------------------------- refresh */

int xp_q_request(struct xp_xs *xs, const struct xp_qdom *d, const char *token)
{
        const struct xp_xs_ops *ops = xs->ops;
        char path[192];
        int e;
        for (unsigned attempt = 1;; attempt++) {
                xp_xs_tx tx;
                e = ops->tx_start(xs, &tx);
                if (e < 0)
                        return e;
                bool exists;
                struct xp_qdom now = { .domid = d->domid };
                struct rd r = { .xs = xs, .d = &now, .tx = tx };
                e = rd_identity(&r);
                exists = now.exists;
                bool same = xp_q_same_identity(d->uuid, d->unique_id, now.uuid, now.unique_id) &&
                            (d->uuid != NULL) == (now.uuid != NULL);
                xp_qdom_clear(&now);
                if (e == 0 && !exists)
                        e = -ENOENT;
                else if (e == 0 && !same)
                        e = -ESTALE;
                if (e == 0) {
                        /* the guest's data/ (libxl makes it): never create it */
                        struct xp_qval data = {};
                        snprintf(path, sizeof(path), "/local/domain/%u/data", d->domid);
                        e = rd_val(&r, path, &data, false);
                        if (e == 0 && !data.present)
                                e = -ENOENT;
                        val_clear(&data);
                }
                if (e == 0)
                        e = ops->write(xs, tx, xp_q_path(path, sizeof(path), d->domid, XP_XS_REQUEST), token,
                                       strlen(token));
                if (e < 0) {
                        int a = ops->tx_end(xs, tx, true);
                        return xp_q_fatal(a) ? a : e;
                }
                e = ops->tx_end(xs, tx, false);
                if (e != -EAGAIN || attempt >= XP_Q_TX_ATTEMPTS)
                        return e;
        }
}

int xp_q_served(struct xp_xs *xs, unsigned domid, const char *token)
{
        char path[192], *served = NULL, *req = NULL;
        size_t len = 0, rlen = 0;
        int e = xs->ops->read(xs, XP_XS_NOTX, xp_q_path(path, sizeof(path), domid, XP_XS_SERVED), &served, &len);
        if (e == -ENOENT)
                return 0;
        if (e < 0)
                return e;
        int ans = len == strlen(token) && memcmp(served, token, len) == 0;
        if (!ans) {
                /* one request slot: another caller may have overwritten our
                 * token before the guest read it.  The guest then answers
                 * theirs, which it read after our write: that answers us
                 * too.  So: the request holds another token, and served
                 * holds that one. */
                e = xs->ops->read(xs, XP_XS_NOTX, xp_q_path(path, sizeof(path), domid, XP_XS_REQUEST), &req,
                                  &rlen);
                if (e < 0 && e != -ENOENT) {
                        free(served);
                        return e;
                }
                ans = e == 0 && !(rlen == strlen(token) && memcmp(req, token, rlen) == 0) && rlen == len &&
                      memcmp(req, served, len) == 0;
                free(req);
        }
        free(served);
        return ans;
}
