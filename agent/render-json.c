/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * JSON renderer (json-c).  The contract is documented in xenprobe-json(7):
 * bump "schema" on any incompatible change.
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

#define XP_JSON_SCHEMA 1

/* length of the valid UTF-8 sequence at S (at most LEN bytes) and its code
 * point in *CP, 0 if none */
static size_t utf8_seq(const unsigned char *s, size_t len, uint32_t *cp)
{
        size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
                                     : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
        if (n == 0 || n > len)
                return 0;
        uint32_t c = n == 1 ? s[0] : s[0] & (0x7f >> n);
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                c = c << 6 | (s[i] & 0x3f);
        }
        if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
                return 0;
        *cp = c;
        return n;
}

/* a character a terminal shows as itself: not a control character, nor an
 * invisible format character that reorders or hides text (bidi overrides
 * and isolates, zero-width, line and paragraph separators, BOM, tags) */
static bool printable(uint32_t cp)
{
        if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
                return false;
        return !(cp == 0xad || cp == 0x61c || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
                 (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) ||
                 (cp >= 0xe0000 && cp <= 0xe007f));
}

json_object *xp_json_bytes(const char *s, size_t len, bool printable_only)
{
        /* names from an image or a guest's files, values a guest wrote, may
         * be any bytes: json-c copies invalid UTF-8 as it is, which makes
         * the document invalid JSON, so each byte that is not part of a
         * valid (and, if asked, printable) sequence becomes U+FFFD; valid
         * text is copied as it is */
        const unsigned char *u = (const unsigned char *)s;
        size_t n, k;
        uint32_t cp;
        for (n = 0; n < len && (k = utf8_seq(u + n, len - n, &cp)) && (!printable_only || printable(cp)); n += k)
                ;
        if (n == len)
                return json_object_new_string_len(s, (int)len);
        char *buf = malloc(len * 3 + 1); /* each byte becomes at most 3 (U+FFFD) */
        if (!buf)
                return xp_json_chk(NULL); /* noted (agent.h): not a null value */
        memcpy(buf, s, n);
        size_t j = n;
        for (size_t i = n; i < len;) {
                k = utf8_seq(u + i, len - i, &cp);
                if (k && (!printable_only || printable(cp))) {
                        memcpy(buf + j, u + i, k);
                        j += k;
                        i += k;
                } else {
                        memcpy(buf + j, "\xef\xbf\xbd", 3);
                        j += 3;
                        i++;
                }
        }
        json_object *o = json_object_new_string_len(buf, (int)j);
        free(buf);
        return o;
}

json_object *xp_json_str_or_null(const char *s)
{
        return s && s[0] ? xp_json_str(s) : NULL;
}

json_object *xp_json_str(const char *s)
{
        return s ? xp_json_bytes(s, strlen(s), false) : json_object_new_string("");
}

/* see agent.h: an allocation failure while building a tree */
static bool json_oom;

bool xp_json_failed(void)
{
        bool f = json_oom;
        json_oom = false;
        return f;
}

json_object *xp_json_chk(json_object *v)
{
        if (!v)
                json_oom = true;
        return v;
}

/* On failure V is not released, as with json-c's own adders: callers add
 * a container and then fill it through the pointer they kept. */
int xp_json_object_add(json_object *o, const char *key, json_object *v)
{
        /* json-c asserts on a NULL container (one that failed to allocate) */
        if (!o || (json_object_object_add)(o, key, v) < 0) {
                json_oom = true;
                return -ENOMEM;
        }
        return 0;
}

int xp_json_array_add(json_object *a, json_object *v)
{
        if (!a || (json_object_array_add)(a, v) < 0) {
                json_oom = true;
                return -ENOMEM;
        }
        return 0;
}

/* Does the JSON text at *P spell O?  Walks both in step, allocating
 * nothing (the point is to check json-c's output after it may have run
 * out of memory: its serializer drops what it cannot append, and its
 * parser crashes then).  Whitespace is free; numbers are checked for form
 * only (one append each: dropped means absent). */
static void skip_ws(const char **p)
{
        while (**p == ' ' || **p == '\n' || **p == '\t' || **p == '\r')
                (*p)++;
}

static int hexval(char c)
{
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static bool spells_string(const char **p, const char *want, size_t len)
{
        const char *s = *p;
        size_t i = 0;
        if (*s++ != '"')
                return false;
        while (*s != '"') {
                int c = (unsigned char)*s++;
                if (c == '\0')
                        return false;
                if (c == '\\') {
                        char e = *s++;
                        const char *m = strchr("\"\\/bfnrt", e);
                        if (e == 'u') {
                                int v = 0;
                                for (int k = 0; k < 4; k++) {
                                        int h = hexval(*s++);
                                        if (h < 0)
                                                return false;
                                        v = v * 16 + h;
                                }
                                if (v > 0xff)
                                        return false;
                                c = v;
                        } else if (e && m)
                                c = "\"\\/\b\f\n\r\t"[m - "\"\\/bfnrt"];
                        else
                                return false;
                }
                if (i >= len || (unsigned char)want[i++] != c)
                        return false;
        }
        *p = s + 1;
        return i == len;
}

static bool spells_word(const char **p, const char *w)
{
        size_t l = strlen(w);
        if (strncmp(*p, w, l) != 0)
                return false;
        *p += l;
        return true;
}

static bool spells(const char **p, json_object *o, int depth)
{
        skip_ws(p);
        if (depth > 64)
                return false;
        switch (json_object_get_type(o)) {
        case json_type_null:
                return spells_word(p, "null");
        case json_type_boolean:
                return spells_word(p, json_object_get_boolean(o) ? "true" : "false");
        case json_type_int:
        case json_type_double: {
                const char *s = *p;
                if (*s == '-')
                        s++;
                if (*s < '0' || *s > '9')
                        return false;
                while ((*s >= '0' && *s <= '9') || *s == '.' || *s == 'e' || *s == 'E' || *s == '+' || *s == '-')
                        s++;
                *p = s;
                return true;
        }
        case json_type_string:
                return spells_string(p, json_object_get_string(o), (size_t)json_object_get_string_len(o));
        case json_type_object: {
                bool first = true;
                if (*(*p)++ != '{')
                        return false;
                json_object_object_foreach(o, key, val)
                {
                        skip_ws(p);
                        if (!first && *(*p)++ != ',')
                                return false;
                        first = false;
                        skip_ws(p);
                        if (!spells_string(p, key, strlen(key)))
                                return false;
                        skip_ws(p);
                        if (*(*p)++ != ':' || !spells(p, val, depth + 1))
                                return false;
                }
                skip_ws(p);
                return *(*p)++ == '}';
        }
        case json_type_array: {
                if (*(*p)++ != '[')
                        return false;
                size_t n = json_object_array_length(o);
                for (size_t i = 0; i < n; i++) {
                        skip_ws(p);
                        if (i && *(*p)++ != ',')
                                return false;
                        if (!spells(p, json_object_array_get_idx(o, i), depth + 1))
                                return false;
                }
                skip_ws(p);
                return *(*p)++ == ']';
        }
        }
        return false;
}

const char *xp_json_to_string(json_object *o, int flags)
{
        if (xp_json_failed() || !o)
                return NULL;
        const char *s = json_object_to_json_string_ext(o, flags);
        const char *p = s;
        if (!s || !spells(&p, o, 0))
                return NULL;
        skip_ws(&p);
        return *p ? NULL : s;
}

int xp_json_print(json_object *o, FILE *out)
{
        /* a tree missing what could not be allocated is not printed */
        const char *s = xp_json_to_string(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        int ret = s ? 0 : -ENOMEM;
        if (s)
                fprintf(out, "%s\n", s);
        json_object_put(o);
        if (ret == 0 && (ferror(out) || fflush(out) != 0))
                ret = -EIO;
        return ret;
}

static int add(json_object *o, const char *key, json_object *v)
{
        return json_object_object_add(o, key, v);
}

static json_object *strv(char **v)
{
        json_object *a = json_object_new_array();
        for (char **p = v; p && *p; p++)
                json_object_array_add(a, xp_json_str(*p));
        return a;
}

int xp_render_json(const struct xp_report *r, const char *root, FILE *out)
{
        const struct xp_facts *f = &r->facts;
        json_object *o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        char head[256];
        xp_report_headline(r, head, sizeof(head));

        add(o, "schema", json_object_new_int(XP_JSON_SCHEMA));
        add(o, "verdict", json_object_new_string(xp_report_verdict(r)));
        add(o, "summary", json_object_new_string(head));
        add(o, "hypervisor", r->hypervisor == XP_HV_NONE ? NULL : json_object_new_string(xp_hv_to_string(r->hypervisor)));
        add(o, "hypervisor_detail", xp_json_str_or_null(r->hypervisor_detail));
        if (r->hypervisor == XP_HV_XEN) {
                json_object *x = json_object_new_object();
                add(x, "role", json_object_new_string(xp_role_to_string(r->role)));
                add(x, "mode", json_object_new_string(xp_mode_to_string(r->mode)));
                add(x, "version", xp_json_str_or_null(f->xen_version[0] ? f->xen_version : f->cpuid_xen_version));
                add(x, "guest_type", f->guest_type == XP_GT_UNKNOWN ? NULL
                                     : json_object_new_string(xp_guest_type_to_string(f->guest_type)));
                add(x, "viridian", json_object_new_boolean(f->cpuid_viridian));
                json_object *fe = json_object_new_object();
                for (size_t i = 0; i < f->n_xenbus; i++) {
                        const struct xp_xenbus_dev *d = &f->xenbus_dev[i];
                        json_object *dj = json_object_new_object();
                        add(dj, "devtype", xp_json_str(d->devtype));
                        add(dj, "nodename", xp_json_str_or_null(d->nodename));
                        add(dj, "state", xp_json_str_or_null(d->state));
                        add(dj, "driver", xp_json_str_or_null(d->driver));
                        add(dj, "connected", json_object_new_boolean(d->connected));
                        add(fe, d->name, dj);
                }
                add(x, "frontends", fe);
                add(x, "platform_pci", json_object_new_boolean(f->platform_dev));
                add(o, "xen", x);
        } else
                add(o, "xen", NULL);
        add(o, "confidence", json_object_new_string(xp_confidence_to_string(r->confidence)));
        add(o, "container", xp_json_str_or_null(f->container));
        json_object *os = json_object_new_object();
        add(os, "id", xp_json_str_or_null(f->os_id));
        add(os, "version_id", xp_json_str_or_null(f->os_version_id));
        add(os, "pretty_name", xp_json_str_or_null(f->os_pretty_name));
        add(o, "os", os);
        add(o, "live", json_object_new_boolean(r->live));
        add(o, "root", xp_json_str(root ? root : "/"));

        json_object *k = json_object_new_object();
        add(k, "release", xp_json_str_or_null(f->release));
        add(k, "nopv", json_object_new_boolean(f->nopv || f->xen_nopv));
        add(k, "xen_emul_unplug", xp_json_str_or_null(f->emul_unplug));
        add(k, "config", xp_json_str_or_null(f->config_path));
        json_object *mods = json_object_new_object();
        for (int m = 0; m < _XP_XM_MAX; m++) {
                if (f->mod[m] == XP_KS_UNKNOWN && !f->mod_blacklisted[m])
                        continue;
                json_object *mj = json_object_new_object();
                add(mj, "state", json_object_new_string(xp_kstate_to_string(f->mod[m])));
                add(mj, "blacklisted", json_object_new_boolean(f->mod_blacklisted[m] || f->mod_install_disabled[m]));
                add(mods, xp_xen_module_name(m), mj);
        }
        add(k, "modules", mods);
        add(o, "kernel", k);

        json_object *rootfs = json_object_new_object();
        add(rootfs, "source", xp_json_str_or_null(f->root_source));
        add(rootfs, "fstype", xp_json_str_or_null(f->root_fstype));
        add(rootfs, "device", xp_json_str_or_null(f->root_devname));
        add(rootfs, "kind", json_object_new_string(xp_disk_kind_to_string(f->root_kind)));
        add(o, "root_filesystem", rootfs);

        json_object *nested = json_object_new_object();
        if (r->role == XP_ROLE_DOM0)
                add(nested, "hvm_guests_possible", json_object_new_boolean(r->nested_hvm_capable));
        add(nested, "vmx_svm_visible", json_object_new_boolean(r->can_host_hvm));
        add(o, "nested", nested);

        json_object *ev = json_object_new_array();
        for (size_t i = 0; i < r->n_evidence; i++) {
                const struct xp_evidence *e = &r->evidence[i];
                json_object *ej = json_object_new_object();
                add(ej, "source", xp_json_str(e->source));
                add(ej, "path", xp_json_str(e->path));
                add(ej, "status", json_object_new_string(xp_status_to_string(e->status)));
                add(ej, "value", xp_json_str_or_null(e->value));
                add(ej, "implies", xp_json_str_or_null(e->implies));
                json_object_array_add(ev, ej);
        }
        add(o, "evidence", ev);
        json_object *rules = json_object_new_array();
        for (size_t i = 0; i < r->n_rules; i++) {
                json_object *rj = json_object_new_object();
                add(rj, "name", xp_json_str(r->rules[i].name));
                add(rj, "detail", xp_json_str(r->rules[i].detail));
                json_object_array_add(rules, rj);
        }
        add(o, "rules", rules);
        add(o, "warnings", strv(r->warnings));
        add(o, "notes", strv(r->notes));

        if (r->boot.probed)
                add(o, "boot", xp_json_boot(&r->boot));
        return xp_json_print(o, out);
}
