/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The JSON layer every renderer builds on: json-c's constructors and adders
 * with allocation checks (xp_json_*), guest bytes as valid UTF-8, and a
 * serializer whose output is checked against the tree.  Why: json-c returns
 * NULL (and asserts on a NULL container) when it cannot allocate, and its
 * serializer silently drops what it cannot append; a report must be whole
 * or absent, never one with nulls or "" where values were.
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

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
                return xp_json_string_len(s, len);
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
        json_object *o = xp_json_string_len(buf, j);
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

/* see json.h: an allocation failure while building a tree */
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
int xp_json_add(json_object *o, const char *key, json_object *v)
{
        /* json-c asserts on a NULL container (one that failed to allocate) */
        if (!o || json_object_object_add(o, key, v) < 0) {
                json_oom = true;
                return -ENOMEM;
        }
        return 0;
}

int xp_json_append(json_object *a, json_object *v)
{
        if (!a || json_object_array_add(a, v) < 0) {
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

/* json-c's constructors, checked */
json_object *xp_json_object(void)
{
        return xp_json_chk(json_object_new_object());
}

json_object *xp_json_array(void)
{
        return xp_json_chk(json_object_new_array());
}

json_object *xp_json_string(const char *s)
{
        return xp_json_chk(json_object_new_string(s));
}

json_object *xp_json_string_len(const char *s, size_t len)
{
        return xp_json_chk(json_object_new_string_len(s, (int)len));
}

json_object *xp_json_bool(bool b)
{
        return xp_json_chk(json_object_new_boolean(b));
}

json_object *xp_json_int(int64_t i)
{
        return xp_json_chk(json_object_new_int64(i));
}

json_object *xp_json_uint(uint64_t u)
{
        return xp_json_chk(json_object_new_uint64(u));
}
