/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/cpuinfo flags: "hypervisor" (CPUID.1:ECX[31] as the kernel sees it;
 * a Xen PV kernel sets it itself), "vmx"/"svm" (hardware virtualization
 * visible: this domain could itself run a hypervisor, e.g. Xen nested as L1).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

#define SRC "cpuinfo"

static bool has_word(const char *list, size_t len, const char *w)
{
        size_t wl = strlen(w);
        const char *p = list, *end = list + len;
        while (p < end) {
                while (p < end && (*p == ' ' || *p == '\t'))
                        p++;
                const char *s = p;
                while (p < end && *p != ' ' && *p != '\t')
                        p++;
                if ((size_t)(p - s) == wl && memcmp(s, w, wl) == 0)
                        return true;
        }
        return false;
}

int xp_parse_cpuinfo_flags(const char *text, bool *hv, bool *vmx, bool *svm)
{
        /* x86 "flags\t\t: ..." of the first processor is enough: all CPUs of
         * a domain share the same CPUID policy */
        for (const char *line = text; line && *line;) {
                const char *eol = strchr(line, '\n');
                size_t len = eol ? (size_t)(eol - line) : strlen(line);
                if (len > 5 && memcmp(line, "flags", 5) == 0) {
                        const char *colon = memchr(line, ':', len);
                        if (!colon)
                                return -EINVAL;
                        colon++;
                        size_t rest = len - (size_t)(colon - line);
                        *hv = has_word(colon, rest, "hypervisor");
                        *vmx = has_word(colon, rest, "vmx");
                        *svm = has_word(colon, rest, "svm");
                        return 0;
                }
                line = eol ? eol + 1 : NULL;
        }
        return 1; /* no flags line: not x86 */
}

static int run(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_facts *f = &r->facts;
        char *text;
        /* 8 MiB: ~1.5 KiB per CPU, so several thousand CPUs */
        int e = xp_root_read_file(xp_ctx_root(ctx), "proc/cpuinfo", 8u << 20, &text, NULL);
        if (e < 0) {
                f->cpuinfo.status = xp_status_from_errno(e);
                xp_evidence_add(r, SRC, "proc/cpuinfo", f->cpuinfo.status, NULL, "%s", strerror(-e));
                return e == -ENOENT ? 1 : e;
        }
        e = xp_parse_cpuinfo_flags(text, &f->cpuinfo.hypervisor, &f->cpuinfo.vmx, &f->cpuinfo.svm);
        free(text);
        if (e != 0) {
                f->cpuinfo.status = XP_ST_ABSENT;
                xp_evidence_add(r, SRC, "proc/cpuinfo flags", XP_ST_ABSENT, NULL,
                                "no x86 flags line (not x86, or truncated)");
                return 1;
        }
        f->cpuinfo.status = XP_ST_FOUND;
        xp_evidence_add(r, SRC, "proc/cpuinfo flags", XP_ST_FOUND,
                        f->cpuinfo.hypervisor ? "hypervisor" : "(no hypervisor flag)", "%s",
                        f->cpuinfo.hypervisor ? "the kernel knows it runs under a hypervisor"
                                           : "the kernel sees no hypervisor");
        xp_evidence_add(r, SRC, "proc/cpuinfo flags", XP_ST_FOUND,
                        f->cpuinfo.vmx ? "vmx" : f->cpuinfo.svm ? "svm" : "(no vmx/svm)", "%s",
                        f->cpuinfo.vmx || f->cpuinfo.svm
                                ? "hardware virtualization visible: this system could run a hypervisor (nested Xen as L1)"
                                : "no hardware virtualization visible to this kernel (normal under Xen, dom0 included: what Xen itself can host is in sys/hypervisor/properties/capabilities)");
        return 0;
}

const struct xp_probe xp_cpuinfo_probe = {
        .name = SRC,
        .run = run,
};
