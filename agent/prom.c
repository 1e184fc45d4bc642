/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Prometheus text format's few rules, written once (agent/prom.h). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "prom.h"

void xp_prom_family(FILE *out, const char *name, const char *help)
{
        /* HELP is our own text: no '\' or newline to escape */
        fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void label_value(FILE *out, const char *s, size_t len)
{
        if (!s)
                s = "", len = 0;
        else if (len == XP_PROM_STRLEN)
                len = strlen(s);
        bool cut = len > XP_PROM_LABEL_MAX;
        if (cut)
                len = XP_PROM_LABEL_MAX - 3;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c == '\\' || c == '"')
                        fputc('\\', out);
                fputc(c >= 0x20 && c < 0x7f ? (int)c : '?', out);
        }
        if (cut)
                fputs("...", out);
}

static void value(FILE *out, double v)
{
        if (isnan(v))
                fputs("NaN", out);
        else if (v == floor(v) && fabs(v) < 9007199254740992.0) /* 2^53: exact */
                fprintf(out, "%.0f", v);
        else
                fprintf(out, "%.6f", v);
}

void xp_prom_sample(FILE *out, const char *name, const struct xp_prom_label *l, size_t n, double v)
{
        fputs(name, out);
        for (size_t i = 0; i < n; i++) {
                fprintf(out, "%s%s=\"", i ? "," : "{", l[i].name);
                label_value(out, l[i].value, l[i].len);
                fputc('"', out);
        }
        fputs(n ? "} " : " ", out);
        value(out, v);
        fputc('\n', out);
}

bool xp_prom_token(const char *s, size_t len)
{
        if (!s || len == 0 || len > XP_PROM_TOKEN_MAX)
                return false;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      strchr("._+~:-", c)) || c == 0)
                        return false;
        }
        return true;
}

void xp_prom_state_set(FILE *out, const char *metric, struct xp_prom_label *l, size_t n, const char *on, size_t len,
                       const char *const *words, const char *const *extra)
{
        if (on && len == XP_PROM_STRLEN)
                len = strlen(on);
        const char *const *lists[2] = { words, extra };
        for (size_t j = 0; j < 2; j++)
                for (const char *const *w = lists[j]; w && *w; w++) {
                        l[n] = (struct xp_prom_label){ "state", *w, XP_PROM_STRLEN };
                        bool is = on && len == strlen(*w) && memcmp(on, *w, len) == 0;
                        xp_prom_sample(out, metric, l, n + 1, is);
                }
}
