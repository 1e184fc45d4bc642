/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: the dom0 reader of what guests publish (agent/dom0/read.c)
 * and every renderer of `xenprobe query` (agent/dom0/render.c: the table,
 * a row, the detail view, JSON), on the in-memory fake xenstore of the
 * unit tests (tests/fake-xs.c) whose guest-written nodes come from the
 * input.
 *
 * Input: a 6-byte header, then records.
 *   header: [0] domid of the main domain (index into DOMIDS)
 *           [1] the Nth store request (read or directory) fails, 0: none
 *           [2] ... with this errno (index into ERRNOS)
 *           [3] EAGAIN answers from transaction commits (0-7)
 *           [4] after the Nth read, the main domain's generation changes
 *               (another writer's commit between two reads), 0: never
 *           [5] directory listings in reverse order when odd
 *   records (op byte modulo 6), HOME = /local/domain/<main domid>:
 *     0 key     HOME/data/xenprobe/KEYS[byte], value (u16 LE len + bytes)
 *     1 node    HOME/ + path (len byte + bytes), value
 *     2 many    count byte * 4 nodes HOME/data/xenprobe/<prefix><i>
 *               (prefix: len byte + bytes; sub byte picks "", os/, pv/, boot/)
 *     3 long    KEYS[byte], u16 length, fill byte: a long value
 *     4 domain  another domain (DOMIDS[byte]): its name (len byte + bytes)
 *               and schema "1"
 *     5 any     absolute path (len byte + bytes), value
 * Values are raw bytes (NULs, escapes, invalid UTF-8, 64 KiB).
 *
 * Run: list the domains, read each (xp_q_read_domain), render everything,
 * then the identity, find-by-name, --refresh request and served paths.
 * Checked: no crash, leak or sanitizer report; the JSON output parses as
 * strict JSON with valid UTF-8 and no control characters in strings; the
 * text outputs are printable ASCII and newlines only.
 */
#include "config.h"

#include <json-c/json.h>

#include "dom0/dom0.h"
#include "fake-xs.h"
#include "fuzz-util.h"
#include "xenstore/xenstore.h"

#define MAX_NODES 6000
#define MAX_DOMS 8

static const unsigned domids[] = { 1, 0, 7, 32752, 5, 0x7fef, 2, 3 };
static const int errnos[] = { EACCES, EAGAIN, EINVAL, E2BIG, ENOENT, ECONNRESET, EPIPE, ENOMEM, EIO, EDQUOT, ENOSPC };
static const char *const keys[] = {
        "schema", "generation", "agent-version", "verdict", "mode", "role", "confidence", "kernel",
        "xen-version", "os/id", "os/version-id", "os/pretty-name", "pv/block", "pv/net", "root-disk",
        "root-device", "boot/summary", "boot/kernels", "boot/problems", "warnings", "warning-text",
        "request", "served", "os", "pv", "boot", "unknown", "os/unknown",
        /* relative to HOME, not data/xenprobe */
        "../../name", "../../vm", "../../unique-domain-id", "../../data",
        /* added later: at the end, so the corpus keeps its meaning */
        "disks",
};

/* the store (tests/fake-xs.c): a hostile guest's ~1000 nodes and more */
static char gen_path[160];

/* another writer's commit: the main domain's generation changes */
static void bump_generation(struct fake *f)
{
        fake_set(f, gen_path, "99", 2);
}

/* ----------------------------------------------------------- the checks */

/* every string in the document: no control character (C0, DEL, C1), no
 * invisible format character, whatever the guest wrote */
static void check_strings(struct json_object *o)
{
        switch (json_object_get_type(o)) {
        case json_type_object: {
                json_object_object_foreach(o, k, v)
                {
                        (void)k;
                        check_strings(v);
                }
                break;
        }
        case json_type_array:
                for (size_t i = 0; i < json_object_array_length(o); i++)
                        check_strings(json_object_array_get_idx(o, i));
                break;
        case json_type_string: {
                const unsigned char *s = (const unsigned char *)json_object_get_string(o);
                size_t len = (size_t)json_object_get_string_len(o);
                for (size_t i = 0; i < len;) {
                        uint32_t cp = s[i];
                        size_t n = cp < 0x80 ? 1 : cp < 0xe0 ? 2 : cp < 0xf0 ? 3 : 4;
                        if (n > 1) {
                                cp &= 0x3f >> (n - 1);
                                for (size_t k = 1; k < n && i + k < len; k++)
                                        cp = cp << 6 | (s[i + k] & 0x3f);
                        }
                        FUZZ_ASSERT(cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0),
                                    "control character U+%04X in a JSON string", cp);
                        FUZZ_ASSERT(!(cp == 0xad || cp == 0x61c || (cp >= 0x200b && cp <= 0x200f) ||
                                      (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) ||
                                      cp == 0xfeff || (cp >= 0xe0000 && cp <= 0xe007f)),
                                    "invisible format character U+%04X in a JSON string", cp);
                        i += n;
                }
                break;
        }
        default:
                break;
        }
}

static void check_json(const char *buf, size_t len)
{
        struct json_tokener *tok = json_tokener_new();
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        struct json_object *o = json_tokener_parse_ex(tok, buf, (int)len);
        FUZZ_ASSERT(o && json_tokener_get_error(tok) == json_tokener_success, "JSON does not parse: %s\n%.*s",
                    json_tokener_error_desc(json_tokener_get_error(tok)), (int)len, buf);
        check_strings(o);
        json_object_put(o);
        json_tokener_free(tok);
}

static void check_text(const char *buf, size_t len, const char *what)
{
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)buf[i];
                FUZZ_ASSERT(c == '\n' || (c >= 0x20 && c < 0x7f), "%s: byte 0x%02x at %zu:\n%.*s", what, c, i,
                            (int)len, buf);
        }
}

struct mem {
        char *buf;
        size_t len;
        FILE *f;
};

static FILE *mem_open(struct mem *m)
{
        m->buf = NULL;
        m->len = 0;
        m->f = open_memstream(&m->buf, &m->len);
        if (!m->f)
                abort();
        return m->f;
}

static void mem_done(struct mem *m, int kind, const char *what)
{
        fclose(m->f);
        if (kind)
                check_json(m->buf, m->len);
        else
                check_text(m->buf, m->len, what);
        free(m->buf);
}

static void check_qdom(const struct xp_qdom *d)
{
        for (int k = 0; k < _XP_KEY_MAX; k++) {
                const struct xp_qval *v = &d->v[k];
                if (!v->present)
                        continue;
                FUZZ_ASSERT(v->raw && v->len <= XP_XS_VALUE_MAX && v->len <= v->full_len && v->raw[v->len] == '\0',
                            "value %s: len %zu full %zu", xp_key_name(k), v->len, v->full_len);
                FUZZ_ASSERT(v->truncated == (v->full_len > XP_XS_VALUE_MAX), "truncated flag of %s", xp_key_name(k));
        }
        FUZZ_ASSERT(d->bytes_read <= XP_Q_MAX_BYTES + 64u * 1024u + 4096u * XP_Q_MAX_ENTRIES,
                    "read %zu bytes of one domain", d->bytes_read);
        for (char **p = d->problems; p && *p; p++)
                check_text(*p, strlen(*p), "problem");
}

/* ------------------------------------------------------------- the run */

static char *home_path(unsigned domid, const char *rel)
{
        char *p;
        if (strncmp(rel, "../../", 6) == 0) {
                if (asprintf(&p, "/local/domain/%u/%s", domid, rel + 6) < 0)
                        abort();
        } else if (asprintf(&p, "/local/domain/%u/" XP_XS_BASE "/%s", domid, rel) < 0)
                abort();
        return p;
}

static void build(struct fake *f, struct fz *in, unsigned home)
{
        unsigned records = 0;
        while (!fz_empty(in) && records++ < 512) {
                unsigned op = fz_u8(in) % 6;
                char *path = NULL, *val = NULL;
                size_t len = 0;
                switch (op) {
                case 0:
                        path = home_path(home, keys[fz_u8(in) % ELEMENTSOF(keys)]);
                        val = fz_bytes(in, fz_u16(in), &len, false);
                        fake_set(f, path, val, len);
                        break;
                case 1: {
                        char *rel = fz_str(in);
                        if (asprintf(&path, "/local/domain/%u/%s", home, rel) < 0)
                                abort();
                        free(rel);
                        val = fz_bytes(in, fz_u16(in), &len, false);
                        fake_set(f, path, val, len);
                        break;
                }
                case 2: {
                        static const char *const subs[] = { "", "os/", "pv/", "boot/" };
                        unsigned count = fz_u8(in) * 4u;
                        char *prefix = fz_str(in);
                        const char *sub = subs[fz_u8(in) % 4];
                        for (unsigned i = 0; i < count; i++) {
                                char rel[300], *p;
                                snprintf(rel, sizeof(rel), "%s%s%u", sub, prefix, i);
                                p = home_path(home, rel);
                                fake_set(f, p, "x", 1);
                                free(p);
                        }
                        free(prefix);
                        break;
                }
                case 3: {
                        path = home_path(home, keys[fz_u8(in) % ELEMENTSOF(keys)]);
                        len = fz_u16(in);
                        val = malloc(len + 1);
                        if (!val)
                                abort();
                        memset(val, fz_u8(in), len);
                        fake_set(f, path, val, len);
                        break;
                }
                case 4: {
                        unsigned d = domids[fz_u8(in) % ELEMENTSOF(domids)];
                        val = fz_str(in);
                        if (asprintf(&path, "/local/domain/%u/name", d) < 0)
                                abort();
                        fake_set(f, path, val, strlen(val));
                        free(path);
                        path = home_path(d, "schema");
                        fake_set(f, path, "1", 1);
                        break;
                }
                case 5:
                        path = fz_str(in);
                        val = fz_bytes(in, fz_u16(in), &len, false);
                        fake_set(f, path, val, len);
                        break;
                }
                free(path);
                free(val);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct fz in = { data, size };
        struct fake *fk = fake_new(MAX_NODES), *f = fk;
        unsigned home = domids[fz_u8(&in) % ELEMENTSOF(domids)];
        unsigned fail_at = fz_u8(&in);
        int fail_errno = errnos[fz_u8(&in) % ELEMENTSOF(errnos)];
        unsigned eagain = fz_u8(&in) % 8;
        unsigned hook_at = fz_u8(&in);
        f->reverse = fz_u8(&in) & 1;
        f->rm_refused = true; /* the reader never removes anything */
        snprintf(gen_path, sizeof(gen_path), "/local/domain/%u/" XP_XS_BASE "/generation", home);

        /* dom0 itself, and the guest's home as the toolstack makes it */
        fake_set(f, "/local/domain/0/name", "Domain-0", 8);
        char p[160];
        snprintf(p, sizeof(p), "/local/domain/%u/data", home);
        fake_set(f, p, "", 0);
        build(f, &in, home);
        /* the faults start now: building is not the reader's business */
        f->fail_at = fail_at;
        f->fail_errno = fail_errno;
        f->eagain = (int)eagain;
        f->hook = hook_at ? bump_generation : NULL;
        f->hook_at = hook_at;

        unsigned *ids = NULL;
        size_t n = 0;
        int e = xp_q_list_domains(&f->xs, &ids, &n);
        struct xp_qdom *doms[MAX_DOMS];
        size_t nd = 0;
        if (e == 0) {
                for (size_t i = 1; i < n; i++)
                        FUZZ_ASSERT(ids[i - 1] < ids[i], "domain list not sorted and unique");
                for (size_t i = 0; i < n && nd < MAX_DOMS; i++) {
                        struct xp_qdom *d = calloc(1, sizeof(*d));
                        if (!d)
                                abort();
                        e = xp_q_read_domain(&f->xs, ids[i], d);
                        if (e < 0) {
                                FUZZ_ASSERT(xp_q_fatal(e), "non-fatal error %d returned", e);
                                xp_qdom_clear(d);
                                free(d);
                                break;
                        }
                        FUZZ_ASSERT(d->domid == ids[i], "domid changed");
                        check_qdom(d);
                        doms[nd++] = d;
                }
        }

        struct mem m;
        int widths[XP_Q_COLUMNS] = { 0 };
        (void)xp_q_render_table(doms, nd, widths, mem_open(&m));
        mem_done(&m, 0, "table");
        for (size_t i = 0; i < nd; i++) {
                (void)xp_q_render_row(doms[i], widths, "2026-11-23T10:00:00Z changed ", mem_open(&m));
                mem_done(&m, 0, "row");
                (void)xp_q_render_detail(doms[i], mem_open(&m));
                mem_done(&m, 0, "detail");
        }
        (void)xp_q_render_json(doms, nd, mem_open(&m));
        mem_done(&m, 1, "json");

        /* identity, names, refresh */
        for (size_t i = 0; i < nd; i++) {
                struct xp_qdom *d = doms[i];
                bool exists = false;
                char *uuid = NULL, *uid = NULL;
                if (xp_q_read_identity(&f->xs, d->domid, &exists, &uuid, &uid) == 0)
                        (void)xp_q_same_identity(uuid, uid, d->uuid, d->unique_id);
                free(uuid);
                free(uid);
                if (d->name.present && !d->name.truncated && !memchr(d->name.raw, '\0', d->name.len)) {
                        unsigned *found = NULL;
                        size_t nf = 0;
                        if (xp_q_find_name(&f->xs, ids, n, d->name.raw, &found, &nf) == 0)
                                FUZZ_ASSERT(nf >= 1 || f->fail_at, "domain named \"%s\" not found", d->name.raw);
                        free(found);
                }
                if (xp_q_request(&f->xs, d, "tok-1") == 0) {
                        int sr = xp_q_served(&f->xs, d->domid, "tok-1");
                        (void)sr;
                }
        }
        for (size_t i = 0; i < f->store.nn; i++) {
                long id = xp_q_path_domid(f->store.n[i].path);
                FUZZ_ASSERT(id >= -1, "domid %ld", id);
        }

        for (size_t i = 0; i < nd; i++) {
                xp_qdom_clear(doms[i]);
                free(doms[i]);
        }
        free(ids);
        fake_free(fk);
        return 0;
}
