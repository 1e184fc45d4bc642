/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Text renderer: the verdict line, then the evidence, rules and warnings. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "render.h"

int xp_report_headline(const struct xp_report *r, char *buf, size_t len)
{
        const char *v = xp_report_xen_version(r);
        if (r->hypervisor == XP_HV_XEN && r->role == XP_ROLE_DOM0)
                return snprintf(buf, len, "Xen dom0 (%s control domain)%s%s", r->mode == XP_MODE_PVH ? "PVH" : "PV",
                                v ? ", Xen " : "", v ? v : "");
        if (r->hypervisor == XP_HV_XEN) {
                return snprintf(buf, len, "Xen domU, %s%s%s", xp_mode_to_description(r->mode), v ? ", Xen " : "",
                                v ? v : "");
        }
        const char *c = r->facts.container.name[0] ? r->facts.container.name : NULL;
        if (r->hypervisor == XP_HV_NONE)
                return snprintf(buf, len, "Not Xen: %s%s%s", c ? "container (" : "no hypervisor (bare metal)",
                                c ? c : "", c ? ") on bare metal or an unidentified host" : "");
        return snprintf(buf, len, "Not Xen: %s%s%s%s", xp_report_hv_name(r),
                        c ? ", inside a " : "", c ? c : "", c ? " container" : "");
}

int xp_render_short(const struct xp_report *r, FILE *out)
{
        fprintf(out, "%s\n", xp_report_verdict(r));
        return ferror(out) ? -EIO : 0;
}

/* The "nested:" line: what a Xen run on top of this system could host. */
static void render_nested(const struct xp_report *r, FILE *out)
{
        if (r->role == XP_ROLE_DOM0)
                fprintf(out, "  nested: this Xen %s create HVM/PVH guests\n", r->nested_hvm_capable ? "can" : "CANNOT");
        else if (r->facts.container.name[0])
                fprintf(out, "  nested: none here: Xen cannot run inside a container (it boots on a machine or in a VM, not under a running kernel)\n");
        else if (r->hypervisor == XP_HV_XEN && r->mode == XP_MODE_PV)
                fprintf(out, "  nested: none: Xen cannot run inside a PV domain (it needs ring 0; the PV shim, a Xen itself, runs in a PVH container)\n");
        else if (r->hypervisor == XP_HV_NONE)
                fprintf(out, "  nested: not nested (no hypervisor below): a Xen installed here would run on the hardware and could host %s\n",
                        r->can_host_hvm ? "HVM and PVH guests (VMX/SVM visible)" : "PV guests only (no VMX/SVM visible)");
        else
                fprintf(out, "  nested: %s\n", r->can_host_hvm
                                ? "VMX/SVM visible: this system could host Xen (or another hypervisor) with HVM guests"
                                : "no VMX/SVM visible: a Xen nested here could run PV guests only");
}

int xp_render_text(const struct xp_report *r, FILE *out)
{
        char head[256];
        xp_report_headline(r, head, sizeof(head));
        fprintf(out, "%s\n", head);
        fprintf(out, "  %-10s  %s%s\n", "confidence", xp_confidence_to_string(r->confidence),
                r->live ? "" : " (replayed from a root directory)");
        for (size_t i = 0; i < r->n_evidence; i++) {
                const struct xp_evidence *e = &r->evidence[i];
                const char *sl = (strchr(e->path, ' ') || xp_startswith(e->path, "(")) ? "" : "/";
                if (e->status == XP_ST_FOUND)
                        fprintf(out, "  %-10s  %s%s = %s%s%s\n", e->source, sl, e->path, e->value ? e->value : "",
                                e->implies ? "  -> " : "", e->implies ? e->implies : "");
                else
                        fprintf(out, "  %-10s  %s%s: %s%s%s\n", e->source, sl, e->path, xp_status_to_string(e->status),
                                e->implies ? "  -> " : "", e->implies ? e->implies : "");
        }
        for (size_t i = 0; i < r->n_rules; i++)
                fprintf(out, "  rule: %s: %s\n", r->rules[i].name, r->rules[i].detail);
        render_nested(r, out);
        for (char **n = r->notes; n && *n; n++)
                fprintf(out, "  note: %s\n", *n);
        for (char **w = r->warnings; w && *w; w++)
                fprintf(out, "  warning: %s\n", *w);
        return ferror(out) ? -EIO : 0;
}
