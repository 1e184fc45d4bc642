/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The facts: the few words of the report a configuration-management
 * playbook branches on, as one small JSON object for Ansible's facts.d,
 * Facter's external facts and an Ohai plugin (xenprobe-facts(8); the keys
 * in the FACTS section of xenprobe-json(7)).  Every word is a spelling of
 * the report's own tables (probes/evidence.c); bump XP_FACTS_SCHEMA on any
 * incompatible change.
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "render.h"

const struct xp_facts_key xp_facts_keys[] = {
        { "schema", "int", {} },
        { "agent_version", "string", {} },
        { "verdict", "word", { xp_mode_words, xp_verdict_dom0_words } },
        { "mode", "word", { xp_mode_words } },
        { "role", "word", { xp_role_words } },
        { "confidence", "word", { xp_confidence_words } },
        { "hypervisor", "word", { xp_hv_words } },
        { "xen_version", "string or null", {} },
        { "pv_block", "word or null", { xp_kstate_words, xp_pv_in_use_words } },
        { "pv_net", "word or null", { xp_kstate_words, xp_pv_in_use_words } },
        { "boot_summary", "word", { xp_check_status_words, xp_not_checked_words } },
        { "cloud", "word", { xp_cloud_words } },
        { "warnings", "int", {} },
        { "error", "string", {} }, /* only in the object of a failed run */
};
const size_t xp_n_facts_keys = sizeof(xp_facts_keys) / sizeof(xp_facts_keys[0]);

static int add(json_object *o, const char *key, json_object *v)
{
        return xp_json_add(o, key, v);
}

/* {"schema", "agent_version"}: what every facts object starts with */
static json_object *facts_head(void)
{
        json_object *o = xp_json_object();
        if (!o)
                return NULL;
        add(o, "schema", xp_json_int(XP_FACTS_SCHEMA));
        add(o, "agent_version", xp_json_string(PACKAGE_VERSION));
        return o;
}

/* O, or {"xenprobe": O} with WRAP; printed, then released */
static int facts_print(json_object *o, bool wrap, FILE *out)
{
        if (!o)
                return -ENOMEM;
        if (wrap) {
                json_object *w = xp_json_object();
                if (!w || add(w, "xenprobe", o) < 0) {
                        json_object_put(w);
                        json_object_put(o);
                        return -ENOMEM;
                }
                o = w;
        }
        return xp_json_print(o, out);
}

int xp_render_facts(const struct xp_report *r, bool wrap, FILE *out)
{
        json_object *o = facts_head();
        if (!o)
                return -ENOMEM;
        bool xen = r->hypervisor == XP_HV_XEN;
        add(o, "verdict", xp_json_string(xp_report_verdict(r)));
        add(o, "mode", xp_json_string(xp_mode_to_string(r->mode)));
        add(o, "role", xp_json_string(xp_role_to_string(r->role)));
        add(o, "confidence", xp_json_string(xp_confidence_to_string(r->confidence)));
        add(o, "hypervisor", xp_json_string(xp_hv_to_string(r->hypervisor)));
        add(o, "xen_version", xen ? xp_json_str_or_null(xp_report_xen_version(r)) : NULL);
        add(o, "pv_block", xen ? xp_json_string(xp_report_pv_driver(r, XP_XM_BLKFRONT, "vbd")) : NULL);
        add(o, "pv_net", xen ? xp_json_string(xp_report_pv_driver(r, XP_XM_NETFRONT, "vif")) : NULL);
        add(o, "boot_summary", xp_json_string(xp_report_boot_summary(r)));
        add(o, "cloud", xp_json_string(xp_cloud_to_string(r->cloud)));
        add(o, "warnings", xp_json_uint(xp_strv_length(r->warnings)));
        return facts_print(o, wrap, out);
}

int xp_render_facts_error(const char *error, bool wrap, FILE *out)
{
        json_object *o = facts_head();
        if (o)
                add(o, "error", xp_json_str(error));
        return facts_print(o, wrap, out);
}
