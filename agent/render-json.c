/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * JSON renderer (json-c).  The contract is documented in xenprobe(8):
 * bump "schema" on any incompatible change.
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"

#define XP_JSON_SCHEMA 1

json_object *xp_json_str_or_null(const char *s)
{
        return s && s[0] ? json_object_new_string(s) : NULL;
}

int xp_json_print(json_object *o, FILE *out)
{
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
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
                json_object_array_add(a, json_object_new_string(*p));
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
                        add(dj, "devtype", json_object_new_string(d->devtype));
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
        add(o, "root", json_object_new_string(root ? root : "/"));

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
                add(ej, "source", json_object_new_string(e->source));
                add(ej, "path", json_object_new_string(e->path));
                add(ej, "status", json_object_new_string(xp_status_to_string(e->status)));
                add(ej, "value", xp_json_str_or_null(e->value));
                add(ej, "implies", xp_json_str_or_null(e->implies));
                json_object_array_add(ev, ej);
        }
        add(o, "evidence", ev);
        json_object *rules = json_object_new_array();
        for (size_t i = 0; i < r->n_rules; i++) {
                json_object *rj = json_object_new_object();
                add(rj, "name", json_object_new_string(r->rules[i].name));
                add(rj, "detail", json_object_new_string(r->rules[i].detail));
                json_object_array_add(rules, rj);
        }
        add(o, "rules", rules);
        add(o, "warnings", strv(r->warnings));
        add(o, "notes", strv(r->notes));

        if (r->boot.probed)
                add(o, "boot", xp_json_boot(&r->boot));
        return xp_json_print(o, out);
}
