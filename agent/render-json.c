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

#include "json.h"
#include "render.h"

static int add(json_object *o, const char *key, json_object *v)
{
        return xp_json_add(o, key, v);
}

static json_object *strv(char **v)
{
        json_object *a = xp_json_array();
        for (char **p = v; p && *p; p++)
                xp_json_append(a, xp_json_str(*p));
        return a;
}

/* {"devtype", "nodename", "state", "driver", "connected"} per xenbus frontend, by name */
static json_object *json_frontends(const struct xp_facts *f)
{
        json_object *fe = xp_json_object();
        for (size_t i = 0; i < f->xenbus.n_devs; i++) {
                const struct xp_xenbus_dev *d = &f->xenbus.devs[i];
                json_object *dj = xp_json_object();
                add(dj, "devtype", xp_json_str(d->devtype));
                add(dj, "nodename", xp_json_str_or_null(d->nodename));
                add(dj, "state", xp_json_str_or_null(d->state));
                add(dj, "driver", xp_json_str_or_null(d->driver));
                add(dj, "connected", xp_json_bool(d->connected));
                add(fe, d->name, dj);
        }
        return fe;
}

/* {"initdomain", "privileged", "unknown": [bit, ...]}: sys/hypervisor/start_flags */
static json_object *json_start_flags(const struct xp_hv_facts *hv)
{
        json_object *o = xp_json_object();
        add(o, "initdomain", xp_json_bool(hv->sif_initdomain));
        add(o, "privileged", xp_json_bool(hv->sif_privileged));
        json_object *u = xp_json_array();
        for (unsigned bit = 2; bit < 32; bit++)
                if (hv->sif_unknown & (1u << bit))
                        xp_json_append(u, xp_json_int(bit));
        add(o, "unknown", u);
        return o;
}

/* the "xen" object: null when the hypervisor is not Xen */
static json_object *json_xen(const struct xp_report *r)
{
        const struct xp_facts *f = &r->facts;
        if (r->hypervisor != XP_HV_XEN)
                return NULL;
        json_object *x = xp_json_object();
        add(x, "role", xp_json_string(xp_role_to_string(r->role)));
        add(x, "mode", xp_json_string(xp_mode_to_string(r->mode)));
        add(x, "version", xp_json_str_or_null(xp_report_xen_version(r)));
        add(x, "guest_type", f->hv.guest_type == XP_GT_UNKNOWN ? NULL
                             : xp_json_string(xp_guest_type_to_string(f->hv.guest_type)));
        add(x, "viridian", xp_json_bool(f->cpuid.viridian));
        if (f->hv.start_flags == XP_ST_FOUND) /* Linux 6.12+ only: absent otherwise */
                add(x, "start_flags", json_start_flags(&f->hv));
        add(x, "frontends", json_frontends(f));
        add(x, "platform_pci", xp_json_bool(f->pci.platform_dev));
        return x;
}

/* the "os" object: os-release's ID, VERSION_ID and PRETTY_NAME */
static json_object *json_os(const struct xp_facts *f)
{
        json_object *os = xp_json_object();
        add(os, "id", xp_json_str_or_null(f->os_release.id));
        add(os, "version_id", xp_json_str_or_null(f->os_release.version_id));
        add(os, "pretty_name", xp_json_str_or_null(f->os_release.pretty_name));
        return os;
}

/* the "kernel" object, with the Xen modules that are known or blacklisted */
static json_object *json_kernel(const struct xp_facts *f)
{
        json_object *k = xp_json_object();
        add(k, "release", xp_json_str_or_null(f->kernel.release));
        add(k, "nopv", xp_json_bool(f->kernel.nopv || f->kernel.xen_nopv));
        add(k, "xen_emul_unplug", xp_json_str_or_null(f->kernel.emul_unplug));
        add(k, "config", xp_json_str_or_null(f->kernel.config_path));
        json_object *mods = xp_json_object();
        for (int m = 0; m < _XP_XM_MAX; m++) {
                if (f->modules.state[m] == XP_KS_UNKNOWN && !f->modules.blacklisted[m])
                        continue;
                json_object *mj = xp_json_object();
                add(mj, "state", xp_json_string(xp_kstate_to_string(f->modules.state[m])));
                add(mj, "blacklisted", xp_json_bool(f->modules.blacklisted[m] || f->modules.install_disabled[m]));
                add(mods, xp_xen_module_name(m), mj);
        }
        add(k, "modules", mods);
        return k;
}

/* the "root_filesystem" object: what the root is mounted from */
static json_object *json_root_filesystem(const struct xp_facts *f)
{
        json_object *rootfs = xp_json_object();
        add(rootfs, "source", xp_json_str_or_null(f->block.root_source));
        add(rootfs, "fstype", xp_json_str_or_null(f->block.root_fstype));
        add(rootfs, "device", xp_json_str_or_null(f->block.root_devname));
        add(rootfs, "kind", xp_json_string(xp_disk_kind_to_string(f->block.root_kind)));
        return rootfs;
}

/* the "cloud" object, null when no cloud is known */
static json_object *json_cloud(const struct xp_report *r)
{
        if (r->cloud == XP_CLOUD_NONE)
                return NULL;
        json_object *c = xp_json_object();
        add(c, "id", xp_json_string(xp_cloud_to_string(r->cloud)));
        add(c, "name", xp_json_string(xp_cloud_to_name(r->cloud)));
        add(c, "evidence", xp_json_str(r->cloud_detail));
        return c;
}

/* the "nested" object: could this system host HVM guests */
static json_object *json_nested(const struct xp_report *r)
{
        json_object *nested = xp_json_object();
        if (r->role == XP_ROLE_DOM0)
                add(nested, "hvm_guests_possible", xp_json_bool(r->nested_hvm_capable));
        add(nested, "vmx_svm_visible", xp_json_bool(r->can_host_hvm));
        return nested;
}

/* the "evidence" array, one object per fact read */
static json_object *json_evidence(const struct xp_report *r)
{
        json_object *ev = xp_json_array();
        for (size_t i = 0; i < r->n_evidence; i++) {
                const struct xp_evidence *e = &r->evidence[i];
                json_object *ej = xp_json_object();
                add(ej, "source", xp_json_str(e->source));
                add(ej, "path", xp_json_str(e->path));
                add(ej, "status", xp_json_string(xp_status_to_string(e->status)));
                add(ej, "value", xp_json_str_or_null(e->value));
                add(ej, "implies", xp_json_str_or_null(e->implies));
                xp_json_append(ev, ej);
        }
        return ev;
}

/* the "rules" array: the classifier's rules that applied, with why */
static json_object *json_rules(const struct xp_report *r)
{
        json_object *rules = xp_json_array();
        for (size_t i = 0; i < r->n_rules; i++) {
                json_object *rj = xp_json_object();
                add(rj, "name", xp_json_str(r->rules[i].name));
                add(rj, "detail", xp_json_str(r->rules[i].detail));
                xp_json_append(rules, rj);
        }
        return rules;
}

int xp_render_json(const struct xp_report *r, const char *root, FILE *out)
{
        const struct xp_facts *f = &r->facts;
        json_object *o = xp_json_object();
        if (!o)
                return -ENOMEM;
        char head[256];
        xp_report_headline(r, head, sizeof(head));

        add(o, "schema", xp_json_int(XP_JSON_SCHEMA));
        add(o, "verdict", xp_json_string(xp_report_verdict(r)));
        add(o, "summary", xp_json_string(head));
        add(o, "hypervisor", r->hypervisor == XP_HV_NONE ? NULL : xp_json_string(xp_hv_to_string(r->hypervisor)));
        add(o, "hypervisor_detail", xp_json_str_or_null(r->hypervisor_detail));
        add(o, "xen", json_xen(r));
        add(o, "confidence", xp_json_string(xp_confidence_to_string(r->confidence)));
        add(o, "container", xp_json_str_or_null(f->container.name));
        add(o, "cloud", json_cloud(r));
        add(o, "os", json_os(f));
        add(o, "live", xp_json_bool(r->live));
        add(o, "root", xp_json_str(root ? root : "/"));
        add(o, "kernel", json_kernel(f));
        add(o, "root_filesystem", json_root_filesystem(f));
        add(o, "nested", json_nested(r));
        add(o, "evidence", json_evidence(r));
        add(o, "rules", json_rules(r));
        add(o, "warnings", strv(r->warnings));
        add(o, "notes", strv(r->notes));

        if (r->boot.probed)
                add(o, "boot", xp_json_boot(&r->boot));
        return xp_json_print(o, out);
}
