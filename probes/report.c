/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The report's life cycle: a new, empty report, and freeing one with all
 * it holds (evidence, rule hits, warnings, notes, boot readiness); and the
 * few readings of it that the xenstore schema and the renderers share. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "report.h"

struct xp_report *xp_report_new(void)
{
        return calloc(1, sizeof(struct xp_report));
}

struct xp_report *xp_report_free(struct xp_report *r)
{
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n_evidence; i++) {
                free(r->evidence[i].source);
                free(r->evidence[i].path);
                free(r->evidence[i].value);
                free(r->evidence[i].implies);
        }
        free(r->evidence);
        for (size_t i = 0; i < r->n_rules; i++)
                free(r->rules[i].detail);
        free(r->rules);
        xp_strv_free(r->warnings);
        xp_strv_free(r->notes);
        xp_boot_clear(&r->boot);
        free(r);
        return NULL;
}
