/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The xenstore key table (agent/xenstore/keys.c), one line per key:
 *   NAME KIND [WORD...]
 * its allowed words (enum words, extra words, the empty-list word), for
 * tests/test-man-pages.sh to check xenprobe-xenstore(7) against.  With
 * --long: the long-value keys (left out of the reduced set), one a line.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "xenstore/keys.h"

static void words(const char *const *w)
{
        for (; w && *w; w++)
                printf(" %s", *w);
}

int main(int argc, char **argv)
{
        bool only_long = argc > 1 && strcmp(argv[1], "--long") == 0;
        for (int k = 0; k < _XP_KEY_MAX; k++) {
                const struct xp_key_def *d = &xp_keys[k];
                if (only_long) {
                        if (d->long_value)
                                printf("%s\n", d->name);
                        continue;
                }
                printf("%s %s", d->name, xp_key_kind_name(d->kind));
                words(d->words);
                words(d->extra);
                if (d->empty)
                        printf(" %s", d->empty);
                printf("\n");
        }
        return fflush(stdout) == 0 ? 0 : 1;
}
