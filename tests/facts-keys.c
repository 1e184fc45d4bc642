/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The facts' keys (agent/render-facts.c), one line per key:
 *   NAME TYPE [WORD...]
 * TYPE with "-" for " " ("word-or-null"), for tests/test-man-pages.sh to
 * check the FACTS section of xenprobe-json(7) against.
 */
#include "config.h"

#include <stdio.h>

#include "render.h"

int main(void)
{
        for (size_t k = 0; k < xp_n_facts_keys; k++) {
                const struct xp_facts_key *d = &xp_facts_keys[k];
                printf("%s ", d->name);
                for (const char *t = d->type; *t; t++)
                        putchar(*t == ' ' ? '-' : *t);
                for (size_t l = 0; l < sizeof(d->words) / sizeof(d->words[0]); l++)
                        for (const char *const *w = d->words[l]; w && *w; w++)
                                printf(" %s", *w);
                printf("\n");
        }
        return fflush(stdout) == 0 ? 0 : 1;
}
