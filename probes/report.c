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

const char *const xp_pv_in_use_words[] = { "in-use", NULL };
const char *const xp_boot_not_checked_words[] = { "not-checked", NULL };

const char *xp_report_pv_state(const struct xp_report *r, enum xp_xen_module m, const char *devtype)
{
        const struct xp_facts *f = &r->facts;
        for (size_t i = 0; i < f->xenbus.n_devs; i++)
                if (strcmp(f->xenbus.devs[i].devtype, devtype) == 0 && f->xenbus.devs[i].connected &&
                    f->xenbus.devs[i].driver[0])
                        return xp_pv_in_use_words[0];
        return xp_kstate_to_string(f->modules.state[m]);
}

int xp_report_boot_mode(const struct xp_report *r)
{
        switch (r->mode) {
        case XP_MODE_PV:
                return XP_BOOT_PV;
        case XP_MODE_PVH:
                return XP_BOOT_PVH;
        case XP_MODE_PVHVM:
        case XP_MODE_HVM:
                return XP_BOOT_HVM;
        default:
                return -1;
        }
}

enum xp_check_status xp_boot_kernel_status(const struct xp_boot_kernel *k, int mode)
{
        if (mode >= 0)
                return k->mode[mode];
        /* no Xen mode to judge by: the worst of every mode */
        enum xp_check_status st = XP_CHECK_OK;
        for (int m = 0; m < _XP_BOOT_MAX; m++)
                st = xp_check_status_worse(st, k->mode[m]);
        return st;
}
