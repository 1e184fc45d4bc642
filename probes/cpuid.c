/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CPUID hypervisor leaves.
 *
 * Hypervisors publish a 12-byte signature at 0x40000000 + n*0x100; the
 * kernel's hypervisor_cpuid_base() scans up to 0x40010000.  Xen moves to
 * 0x40000100 when Viridian (Hyper-V enlightenments) is on, and
 * 0x40000000 then reads "Microsoft Hv": such a guest is Xen, not Hyper-V.
 * Xen leaves: base+1 eax = version (major<<16|minor); base+4 = HVM leaf
 * (xen/include/public/arch-x86/cpuid.h; bit 4: domid in ecx).
 *
 * In a PV guest the plain instruction is not always intercepted (no CPUID
 * faulting): it shows the hardware or the outer hypervisor.  Xen's forced
 * emulation prefix "ud2; .ascii \"xen\"; cpuid" (tools/misc/xen-detect.c)
 * then gives Xen's view; outside a PV guest it raises #UD, caught here.
 *
 * Under --root the leaves come from ROOT/run/xenprobe/cpuid (text: LEAF
 * SUBLEAF EAX EBX ECX EDX [forced]); without that file CPUID is "not
 * available", never the host's.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

#define SRC "cpuid"
#define BASE_FIRST 0x40000000u
#define BASE_LAST 0x40010000u
#define MAX_LEAVES 4096

static const struct {
        const char sig[13];
        enum xp_hv id;
} vm_table[] = {
        /* signatures as the hypervisors publish them (systemd virt.c vm_table[]) */
        { "XenVMMXenVMM", XP_HV_XEN },
        { "KVMKVMKVM", XP_HV_KVM },       /* KVM, padded with NULs */
        { "Linux KVM Hv", XP_HV_KVM },    /* KVM's own Hyper-V emulation */
        { "TCGTCGTCGTCG", XP_HV_QEMU },   /* QEMU without acceleration */
        { "VMwareVMware", XP_HV_VMWARE },
        { "Microsoft Hv", XP_HV_MICROSOFT }, /* Hyper-V, or Viridian of Xen/KVM */
        { "VBoxVBoxVBox", XP_HV_ORACLE },
        { "prl hyperv  ", XP_HV_PARALLELS },
        { " lrpepyh  vr", XP_HV_PARALLELS }, /* Parallels, byte-swapped */
        { "bhyve bhyve ", XP_HV_BHYVE },
        { "ACRNACRNACRN", XP_HV_ACRN },
        { "QNXQVMBSQG", XP_HV_QNX },
        { "SRESRESRESRE", XP_HV_SRE },
        { "Apple VZ", XP_HV_APPLE },
};

static enum xp_hv hv_from_sig(const char *sig)
{
        for (size_t i = 0; i < ELEMENTSOF(vm_table); i++)
                if (strcmp(sig, vm_table[i].sig) == 0)
                        return vm_table[i].id;
        return XP_HV_OTHER;
}

static void sig_of(const struct xp_cpuid_leaf *l, char out[13])
{
        memcpy(out, &l->ebx, 4);
        memcpy(out + 4, &l->ecx, 4);
        memcpy(out + 8, &l->edx, 4);
        out[12] = '\0';
}

/* A base leaf is valid when eax (max leaf) lies within its 0x100 window
 * and the signature is printable (kernel: hypervisor_cpuid_base()). */
static bool base_valid(const struct xp_cpuid_leaf *l)
{
        if (l->eax < l->leaf || l->eax >= l->leaf + 0x100)
                return false;
        char s[13];
        sig_of(l, s);
        if (!s[0])
                return false;
        for (size_t i = 0; s[i]; i++)
                if (!isprint((unsigned char)s[i]))
                        return false;
        return true;
}

void xp_cpuid_set_clear(struct xp_cpuid_set *set)
{
        free(set->leaves);
        set->leaves = NULL;
        set->n = set->cap = 0;
}

static int set_add(struct xp_cpuid_set *set, const struct xp_cpuid_leaf *l)
{
        if (set->n >= MAX_LEAVES)
                return -E2BIG;
        if (xp_grow(&set->leaves, &set->cap, set->n, sizeof(*set->leaves), 32) < 0)
                return -ENOMEM;
        set->leaves[set->n++] = *l;
        return 0;
}

const struct xp_cpuid_leaf *xp_cpuid_find(const struct xp_cpuid_set *set, uint32_t leaf, bool forced)
{
        for (size_t i = 0; i < set->n; i++)
                if (set->leaves[i].leaf == leaf && set->leaves[i].subleaf == 0 &&
                    set->leaves[i].forced == forced)
                        return &set->leaves[i];
        return NULL;
}

static int parse_hex32(const char **p, uint32_t *ret)
{
        const char *s = *p;
        while (*s == ' ' || *s == '\t')
                s++;
        uint32_t v = 0;
        int n = 0;
        for (; isxdigit((unsigned char)*s); s++, n++) {
                if (n == 8)
                        return -EINVAL;
                int c = tolower((unsigned char)*s);
                v = (v << 4) | (uint32_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
        }
        if (n == 0 || (*s && !isspace((unsigned char)*s)))
                return -EINVAL;
        *p = s;
        *ret = v;
        return 0;
}

int xp_cpuid_parse(const char *text, struct xp_cpuid_set *ret, unsigned *ret_bad_line)
{
        struct xp_cpuid_set set = { 0 };
        unsigned lineno = 0;
        const char *line = text;
        int r = 0;

        while (line && *line) {
                const char *eol = strchr(line, '\n');
                size_t len = eol ? (size_t)(eol - line) : strlen(line);
                char buf[256];
                lineno++;
                if (len >= sizeof(buf)) {
                        r = -EINVAL;
                        goto fail;
                }
                memcpy(buf, line, len);
                buf[len] = '\0';
                line = eol ? eol + 1 : NULL;

                char *hash = strchr(buf, '#');
                if (hash)
                        *hash = '\0';
                xp_strip(buf);
                if (!buf[0])
                        continue;

                struct xp_cpuid_leaf l = { 0 };
                uint32_t *fields[] = { &l.leaf, &l.subleaf, &l.eax, &l.ebx, &l.ecx, &l.edx };
                const char *p = buf;
                for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                        if (parse_hex32(&p, fields[i]) < 0) {
                                r = -EINVAL;
                                goto fail;
                        }
                while (*p == ' ' || *p == '\t')
                        p++;
                if (strcmp(p, "forced") == 0)
                        l.forced = true;
                else if (*p) {
                        r = -EINVAL;
                        goto fail;
                }
                r = set_add(&set, &l);
                if (r < 0)
                        goto fail;
        }
        *ret = set;
        return 0;
fail:
        if (ret_bad_line)
                *ret_bad_line = lineno;
        xp_cpuid_set_clear(&set);
        return r;
}

int xp_cpuid_format(const struct xp_cpuid_set *set, char **ret)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                return -ENOMEM;
        fputs("# xenprobe cpuid snapshot: LEAF SUBLEAF EAX EBX ECX EDX [forced]\n"
              "# 'forced' = read through Xen's forced-emulation prefix (ud2; .ascii \"xen\"; cpuid)\n",
              f);
        for (size_t i = 0; i < set->n; i++) {
                const struct xp_cpuid_leaf *l = &set->leaves[i];
                fprintf(f, "%08x %08x %08x %08x %08x %08x%s\n", l->leaf, l->subleaf, l->eax, l->ebx,
                        l->ecx, l->edx, l->forced ? " forced" : "");
        }
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

static const struct xp_cpuid_leaf *find_xen(const struct xp_cpuid_set *set, bool forced);

#if defined(__x86_64__) || defined(__i386__)
static sigjmp_buf ill_jmp;

static void on_sigill(int sig _unused_)
{
        siglongjmp(ill_jmp, 1);
}

static void cpuid_plain(uint32_t leaf, uint32_t sub, struct xp_cpuid_leaf *l)
{
        uint32_t a, b, c, d;
        __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "0"(leaf), "2"(sub));
        *l = (struct xp_cpuid_leaf){ leaf, sub, a, b, c, d, false };
}

static void cpuid_forced(uint32_t leaf, uint32_t sub, struct xp_cpuid_leaf *l)
{
        uint32_t a, b, c, d;
        __asm__ volatile("ud2a ; .ascii \"xen\" ; cpuid"
                         : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
                         : "0"(leaf), "2"(sub));
        *l = (struct xp_cpuid_leaf){ leaf, sub, a, b, c, d, true };
}

static int read_mode(struct xp_cpuid_set *set, bool forced)
{
        struct xp_cpuid_leaf l;
        void (*fn)(uint32_t, uint32_t, struct xp_cpuid_leaf *) = forced ? cpuid_forced : cpuid_plain;
        int r;

        for (uint32_t leaf = 0; leaf <= 1; leaf++) {
                fn(leaf, 0, &l);
                if ((r = set_add(set, &l)) < 0)
                        return r;
        }
        /* Each CPUID traps to the hypervisor, so do not probe all 256
         * bases the kernel may scan: hypervisors stack their interfaces
         * from 0x40000000 upward without gaps (Hyper-V/Viridian first, then
         * Xen or KVM at 0x40000100), so stop at the first empty base past
         * 0x40000100. */
        for (uint32_t base = BASE_FIRST; base < BASE_LAST; base += 0x100) {
                fn(base, 0, &l);
                if (!base_valid(&l)) {
                        if (base >= BASE_FIRST + 0x100)
                                break;
                        continue;
                }
                if ((r = set_add(set, &l)) < 0)
                        return r;
                uint32_t last = l.eax < base + 5 ? l.eax : base + 5;
                for (uint32_t leaf = base + 1; leaf <= last; leaf++) {
                        struct xp_cpuid_leaf s;
                        fn(leaf, 0, &s);
                        if ((r = set_add(set, &s)) < 0)
                                return r;
                }
        }
        return 0;
}

int xp_cpuid_read_live(struct xp_cpuid_set *ret)
{
        struct xp_cpuid_set set = { 0 };
        int r = read_mode(&set, false);
        if (r < 0) {
                xp_cpuid_set_clear(&set);
                return r;
        }

        /* Forced emulation: #UD (SIGILL) anywhere but in a Xen PV guest;
         * only needed when the plain instruction did not show Xen.  Only one
         * instruction runs under sigsetjmp, with nothing allocated or
         * modified between the jump points (C11 7.13.2.1); when it did not
         * trap, Xen emulates the rest and nothing else can trap. */
        if (!find_xen(&set, false)) {
                static volatile uint32_t probe_eax;
                struct sigaction sa = { .sa_handler = on_sigill }, old;
                sigemptyset(&sa.sa_mask);
                bool pv = false;
                if (sigaction(SIGILL, &sa, &old) == 0) {
                        if (sigsetjmp(ill_jmp, 1) == 0) {
                                struct xp_cpuid_leaf l;
                                cpuid_forced(BASE_FIRST, 0, &l);
                                probe_eax = l.eax;
                                pv = true;
                        }
                        sigaction(SIGILL, &old, NULL);
                }
                (void)probe_eax;
                if (pv) {
                        size_t keep = set.n;
                        if (read_mode(&set, true) < 0)
                                set.n = keep;
                }
        }
        *ret = set;
        return 0;
}
#else
int xp_cpuid_read_live(struct xp_cpuid_set *ret)
{
        (void)ret;
        return -EOPNOTSUPP;
}
#endif

/* Find the Xen base among the valid bases of one mode. */
static const struct xp_cpuid_leaf *find_xen(const struct xp_cpuid_set *set, bool forced)
{
        for (size_t i = 0; i < set->n; i++) {
                const struct xp_cpuid_leaf *l = &set->leaves[i];
                if (l->forced != forced || l->subleaf != 0 || l->leaf < BASE_FIRST ||
                    l->leaf >= BASE_LAST || (l->leaf & 0xff) != 0 || !base_valid(l))
                        continue;
                char s[13];
                sig_of(l, s);
                if (strcmp(s, "XenVMMXenVMM") == 0)
                        return l;
        }
        return NULL;
}

/* "leaf 0x40000001", with " (forced emulation)" when read through the prefix. */
static void leaf_path(char *buf, size_t len, uint32_t leaf, bool forced)
{
        snprintf(buf, len, "leaf 0x%08x%s", leaf, forced ? " (forced emulation)" : "");
}

/* Xen's version leaf (base+1) and HVM leaf (base+4), from the mode that
 * found the Xen base X. */
static void xen_leaves(struct xp_report *r, const struct xp_cpuid_set *set, const struct xp_cpuid_leaf *x,
                       bool forced)
{
        struct xp_facts *f = &r->facts;
        char path[64], val[96];

        const struct xp_cpuid_leaf *v = xp_cpuid_find(set, x->leaf + 1, forced);
        if (v && x->eax >= x->leaf + 1) {
                snprintf(f->cpuid.xen_version, sizeof(f->cpuid.xen_version), "%u.%u", v->eax >> 16,
                         v->eax & 0xffff);
                leaf_path(path, sizeof(path), x->leaf + 1, forced);
                xp_evidence_add(r, SRC, path, XP_ST_FOUND, f->cpuid.xen_version, "Xen version from CPUID");
        }
        /* the HVM leaf means nothing to a PV domain (the forced case) */
        const struct xp_cpuid_leaf *h = forced ? NULL : xp_cpuid_find(set, x->leaf + 4, false);
        if (h && x->eax >= x->leaf + 4) {
                f->cpuid.hvm_leaf = true;
                f->cpuid.hvm_flags = h->eax;
                leaf_path(path, sizeof(path), x->leaf + 4, forced);
                snprintf(val, sizeof(val), "eax=0x%08x", h->eax);
                if (h->eax & (1u << 4))
                        snprintf(val + strlen(val), sizeof(val) - strlen(val), " domid=%u", h->ecx & 0xffff);
                xp_evidence_add(r, SRC, path, XP_ST_FOUND, val,
                                "Xen HVM feature leaf (flags: vapic=%u x2apic=%u iommu=%u vcpu-id-present=%u domid-present=%u)",
                                !!(h->eax & 1), !!(h->eax & 2), !!(h->eax & 4), !!(h->eax & 8),
                                !!(h->eax & 16));
        }
}

static void analyze(struct xp_report *r, const struct xp_cpuid_set *set, const char *origin)
{
        struct xp_facts *f = &r->facts;
        char path[64], val[96];

        const struct xp_cpuid_leaf *l1 = xp_cpuid_find(set, 1, false);
        if (l1) {
                f->cpuid.leaf1 = true;
                f->cpuid.hv_bit = l1->ecx & (1u << 31);
                xp_evidence_add(r, SRC, "leaf 0x00000001 ecx[31]", XP_ST_FOUND, f->cpuid.hv_bit ? "1" : "0",
                                "%s", f->cpuid.hv_bit ? "hypervisor present bit set: running under a hypervisor"
                                                      : "hypervisor bit clear: bare metal, or a PV guest seeing the hardware");
        }

        const struct xp_cpuid_leaf *b0 = xp_cpuid_find(set, BASE_FIRST, false);
        if (b0 && base_valid(b0)) {
                sig_of(b0, f->cpuid.sig);
                f->cpuid.hv = hv_from_sig(f->cpuid.sig);
                char *s = xp_sanitize(f->cpuid.sig, strlen(f->cpuid.sig), 12);
                snprintf(val, sizeof(val), "\"%s\" max leaf 0x%08x", s ? s : "?", b0->eax);
                free(s);
                xp_evidence_add(r, SRC, "leaf 0x40000000", XP_ST_FOUND, val, "%s%s", xp_hv_to_name(f->cpuid.hv),
                                f->cpuid.hv == XP_HV_OTHER ? " (unknown signature)" : " signature");
        } else
                xp_evidence_add(r, SRC, "leaf 0x40000000", XP_ST_ABSENT, NULL,
                                "no hypervisor signature from the plain instruction (%s)", origin);

        const struct xp_cpuid_leaf *x = find_xen(set, false);
        bool forced = false;
        if (!x) {
                x = find_xen(set, true);
                forced = x != NULL;
        }
        if (!x) {
                if (xp_cpuid_find(set, BASE_FIRST, true) == NULL && xp_cpuid_find(set, 0, true) == NULL)
                        xp_evidence_add(r, SRC, "forced-emulation prefix", XP_ST_ABSENT, NULL,
                                        "Xen's forced-emulation CPUID raised #UD: not a Xen PV guest");
                return;
        }
        f->cpuid.xen = true;
        f->cpuid.xen_forced_only = forced;
        f->cpuid.xen_base = x->leaf;
        if (forced || x->leaf != BASE_FIRST) { /* at 0x40000000 plain, already shown above */
                leaf_path(path, sizeof(path), x->leaf, forced);
                snprintf(val, sizeof(val), "\"XenVMMXenVMM\" max leaf 0x%08x", x->eax);
                xp_evidence_add(r, SRC, path, XP_ST_FOUND, val, "%s",
                                forced ? "Xen answers through the forced-emulation prefix: a Xen PV domain (plain CPUID is not trapped here)"
                                       : "Xen hypervisor signature above another hypervisor's leaves");
        }
        if (forced && f->cpuid.hv != XP_HV_NONE && f->cpuid.hv != XP_HV_XEN && f->cpuid.sig[0])
                xp_report_note(r, "plain CPUID shows \"%s\" (%s), not Xen: user-space CPUID is not intercepted in this PV domain (no CPUID faulting), so it sees the hardware or the outer hypervisor; Xen answers only through its forced-emulation prefix",
                               f->cpuid.sig, xp_hv_to_name(f->cpuid.hv));

        if (x->leaf > BASE_FIRST && f->cpuid.hv == XP_HV_MICROSOFT) {
                f->cpuid.viridian = true;
                xp_evidence_add(r, SRC, "leaf 0x40000000 + Xen at 0x40000100", XP_ST_FOUND, "Microsoft Hv",
                                "Xen with Viridian (Hyper-V enlightenments) enabled: a Xen HVM guest, not Hyper-V");
        }

        xen_leaves(r, set, x, forced);
}

static int run(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_root *root = xp_ctx_root(ctx);
        struct xp_cpuid_set set = { 0 };
        char *text = NULL;
        const char *origin;

        int e;
        if (xp_root_is_live(root)) {
                /* live: the instruction itself, never a file a previous
                 * snapshot may have left in /run */
                e = xp_cpuid_read_live(&set);
                if (e < 0) {
                        r->facts.cpuid.status = XP_ST_UNAVAILABLE;
                        xp_evidence_add(r, SRC, "cpuid", XP_ST_UNAVAILABLE, NULL,
                                        "no CPUID instruction on this architecture");
                        return 1;
                }
                origin = "live";
        } else {
                e = xp_root_read_file(root, XP_CPUID_FILE, 1024 * 1024, &text, NULL);
                if (e < 0 && e != -ENOENT) {
                        /* there is a snapshot, and it cannot be read */
                        r->facts.cpuid.status = XP_ST_UNREADABLE;
                        xp_evidence_add(r, SRC, XP_CPUID_FILE, XP_ST_UNREADABLE, NULL,
                                        "the root's CPUID snapshot cannot be read: %s", strerror(-e));
                        return 1;
                }
                if (e < 0) {
                        r->facts.cpuid.status = XP_ST_UNAVAILABLE;
                        xp_evidence_add(r, SRC, XP_CPUID_FILE, XP_ST_UNAVAILABLE, NULL,
                                        "CPUID cannot be read from a directory and the root has no snapshot of it (%s)",
                                        "absent");
                        return 1;
                }
                unsigned bad = 0;
                e = xp_cpuid_parse(text, &set, &bad);
                free(text);
                if (e == -ENOMEM)
                        return e; /* not "malformed" */
                if (e < 0) {
                        ERR(ctx, "%s/%s: line %u: expected 'LEAF SUBLEAF EAX EBX ECX EDX [forced]' in hex; CPUID evidence ignored",
                            xp_root_path(root), XP_CPUID_FILE, bad);
                        r->facts.cpuid.status = XP_ST_UNREADABLE;
                        xp_evidence_add(r, SRC, XP_CPUID_FILE, XP_ST_UNREADABLE, NULL, "malformed at line %u", bad);
                        return 1;
                }
                origin = "snapshot";
        }
        r->facts.cpuid.status = XP_ST_FOUND;
        analyze(r, &set, origin);
        xp_cpuid_set_clear(&set);
        return 0;
}

const struct xp_probe xp_cpuid_probe = {
        .name = SRC,
        .run = run,
};
