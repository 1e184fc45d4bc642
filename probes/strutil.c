/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small string helpers shared by the probes and renderers. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

char *xp_strip(char *s)
{
        if (!s)
                return s;
        size_t n = strlen(s);
        while (n > 0 && isspace((unsigned char)s[n - 1]))
                s[--n] = '\0';
        char *p = s;
        while (*p && isspace((unsigned char)*p))
                p++;
        if (p != s)
                memmove(s, p, strlen(p) + 1);
        return s;
}

bool xp_startswith(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

char **xp_strv_free(char **v)
{
        if (v)
                for (char **p = v; *p; p++)
                        free(*p);
        free(v);
        return NULL;
}

size_t xp_strv_length(char *const *v)
{
        size_t n = 0;
        if (v)
                while (v[n])
                        n++;
        return n;
}

static bool enomem_seen;

void xp_note_enomem(void)
{
        enomem_seen = true;
}

bool xp_take_enomem(void)
{
        bool e = enomem_seen;
        enomem_seen = false;
        return e;
}

int xp_strv_push(char ***v, const char *s)
{
        size_t n = xp_strv_length(*v);
        char *copy = strdup(s);
        if (!copy) {
                xp_note_enomem();
                return -ENOMEM;
        }
        char **nv = realloc(*v, (n + 2) * sizeof(char *));
        if (!nv) {
                xp_note_enomem();
                free(copy);
                return -ENOMEM;
        }
        nv[n] = copy;
        nv[n + 1] = NULL;
        *v = nv;
        return 0;
}

char *xp_sanitize(const char *s, size_t len, size_t max)
{
        bool cut = len > max;
        size_t n = cut ? max : len;
        char *out = malloc(n + 4);
        if (!out) {
                xp_note_enomem();
                return NULL;
        }
        size_t j = 0;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                out[j++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
        }
        if (cut) {
                memcpy(out + j, "...", 3);
                j += 3;
        }
        out[j] = '\0';
        return out;
}

const char *xp_utc_time(time_t t, char buf[XP_UTC_MAX])
{
        struct tm tm;
        if (!gmtime_r(&t, &tm) || !strftime(buf, XP_UTC_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm))
                snprintf(buf, XP_UTC_MAX, "?");
        return buf;
}

/* kmod's rule: '-' and '_' are the same character in a module name */
static char module_char(char c)
{
        return c == '-' ? '_' : c;
}

void xp_module_normalize(char *s)
{
        for (; *s; s++)
                *s = module_char(*s);
}

bool xp_module_name_eq(const char *a, const char *b)
{
        for (; *a && *b; a++, b++)
                if (module_char(*a) != module_char(*b))
                        return false;
        return *a == *b;
}

const char *xp_cmdline_find(const char *cmdline, const char *word, size_t *ret_len)
{
        size_t wl = strlen(word);
        const char *p = cmdline;
        while (p && *p) {
                while (*p && isspace((unsigned char)*p))
                        p++;
                if (!*p)
                        break;
                const char *start = p;
                bool quoted = false;
                while (*p && (quoted || !isspace((unsigned char)*p))) {
                        if (*p == '"')
                                quoted = !quoted;
                        p++;
                }
                size_t tl = (size_t)(p - start);
                bool is_assign = wl && word[wl - 1] == '='; /* "" matches nothing, read nothing before it */
                if ((is_assign && tl >= wl && memcmp(start, word, wl) == 0) ||
                    (!is_assign && tl == wl && memcmp(start, word, wl) == 0)) {
                        if (ret_len)
                                *ret_len = tl;
                        return start;
                }
        }
        return NULL;
}

int xp_grow(void *v, size_t *cap, size_t n, size_t elem, size_t first)
{
        void **pv = v;
        if (n < *cap)
                return 0;
        size_t c = *cap ? *cap * 2 : first;
        if (c < *cap || c > SIZE_MAX / elem)
                return -ENOMEM;
        void *nv = realloc(*pv, c * elem);
        if (!nv) {
                xp_note_enomem();
                return -ENOMEM;
        }
        *pv = nv;
        *cap = c;
        return 0;
}
