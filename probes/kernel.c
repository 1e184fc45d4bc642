/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The running kernel: release (proc/sys/kernel/osrelease, never uname(2), so
 * a root directory answers for itself), /proc/version, the command line
 * (nopv, xen_nopv, xen_emul_unplug=) and the kernel config
 * (/boot/config-RELEASE, else /proc/config.gz) for the Xen options.
 *
 * The config reader (xp_kconfig_read) is the boot checker's too: it reads
 * each installed kernel's config the same way.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/initrd.h"
#include "probe.h"

#define SRC "kernel"
#define CONFIG_MAX (4u << 20) /* a distribution kernel's config: ~250 KiB */

char xp_parse_config_option(const char *config, const char *option)
{
        /* "CONFIG_X=y" / "=m" at line start, or "# CONFIG_X is not set" */
        size_t ol = strlen(option);
        for (const char *line = config; line && *line;) {
                const char *eol = strchr(line, '\n');
                if (strncmp(line, option, ol) == 0 && line[ol] == '=') {
                        char v = line[ol + 1];
                        return (v == 'y' || v == 'm') ? v : 'n';
                }
                if (strncmp(line, "# ", 2) == 0 && strncmp(line + 2, option, ol) == 0 &&
                    strncmp(line + 2 + ol, " is not set", 11) == 0)
                        return 'n';
                line = eol ? eol + 1 : NULL;
        }
        return 0;
}

/* One decimal number of at most 5 digits at *P, advancing it. */
static int parse_num(const char **p, unsigned *ret)
{
        const char *s = *p;
        unsigned v = 0;
        int n = 0;
        while (*s >= '0' && *s <= '9' && n < 6) {
                v = v * 10 + (unsigned)(*s - '0');
                s++;
                n++;
        }
        if (n == 0 || n > 5)
                return -EINVAL;
        *p = s;
        *ret = v;
        return 0;
}

int xp_parse_kernel_release(const char *release, unsigned v[3])
{
        const char *p = release;
        v[0] = v[1] = v[2] = 0;
        if (parse_num(&p, &v[0]) < 0 || *p++ != '.' || parse_num(&p, &v[1]) < 0)
                return -EINVAL;
        /* the sublevel is optional, and what follows is free ("4.11.amazon") */
        if (*p == '.' && (p++, parse_num(&p, &v[2]) < 0))
                v[2] = 0;
        return 0;
}

struct gunzip {
        char *out;
        size_t len;
};

static int gunzip_sink(void *ud, const uint8_t *p, size_t n)
{
        struct gunzip *g = ud;
        if (n > CONFIG_MAX - g->len)
                return -EFBIG;
        memcpy(g->out + g->len, p, n);
        g->len += n;
        return 0;
}

/* /proc/config.gz is always gzip (kernel/configs.c, CONFIG_IKCONFIG_PROC);
 * the initramfs reader's decoder (probes/boot/decompress.c) loads zlib on first
 * use: only kernels without a plain config file need it */
static int gunzip_config(struct xp_ctx *ctx, const char *data, size_t len, char **ret)
{
        struct xp_decoder *d = NULL;
        int e = xp_decoder_new(ctx, XP_COMP_GZIP, 1, &d);
        if (e < 0)
                return e;
        struct gunzip g = { malloc(CONFIG_MAX + 1), 0 };
        size_t used = 0;
        e = g.out ? xp_decoder_feed(d, (const uint8_t *)data, len, &used, gunzip_sink, &g) : -ENOMEM;
        xp_decoder_free(d);
        if (e != 1) {
                free(g.out);
                return e < 0 && e != -EBADMSG ? e : -EINVAL;
        }
        g.out[g.len] = '\0';
        *ret = g.out;
        return 0;
}

/* Read one candidate, KC->path, whole (decompressed when GZIP). */
static int read_candidate(struct xp_ctx *ctx, struct xp_kconfig *kc, bool gzip)
{
        char *data;
        size_t len;
        int e = xp_root_read_file(xp_ctx_root(ctx), kc->path, CONFIG_MAX, &data, &len);
        if (e < 0 || !gzip) {
                kc->text = e < 0 ? NULL : data;
                return e;
        }
        e = gunzip_config(ctx, data, len, &kc->text);
        free(data);
        kc->undecodable = e < 0;
        return e;
}

int xp_kconfig_read(struct xp_ctx *ctx, const char *release, unsigned where, struct xp_kconfig *ret)
{
        static const struct {
                unsigned where;
                const char *fmt;
                bool gzip;
        } cands[] = {
                { XP_KCONFIG_BOOT, "boot/config-%s", false },
                { XP_KCONFIG_MODULES, "lib/modules/%s/config", false },
                { XP_KCONFIG_MODULES, "usr/lib/modules/%s/config", false },
                { XP_KCONFIG_PROC, "proc/config.gz", true },
        };
        int e = -ENOENT;
        *ret = (struct xp_kconfig){ .path = "" };
        for (size_t i = 0; i < ELEMENTSOF(cands); i++) {
                if (!(where & cands[i].where) || (cands[i].where != XP_KCONFIG_PROC && !release[0]))
                        continue;
                snprintf(ret->path, sizeof(ret->path), cands[i].fmt, release);
                e = read_candidate(ctx, ret, cands[i].gzip);
                if (e == 0)
                        return 0;
        }
        return e;
}

char xp_kconfig_value(const struct xp_kconfig *kc, const char *option)
{
        char v = xp_parse_config_option(kc->text, option);
        /* options that depend on a disabled one are not written at all: in
         * a readable config, absent means not built */
        return v ? v : 'n';
}

void xp_kconfig_clear(struct xp_kconfig *kc)
{
        free(kc->text);
        kc->text = NULL;
}

static const struct {
        const char *option;
        size_t offset;
        const char *meaning;
} config_table[] = {
#define F(x) offsetof(struct xp_kernel_facts, x)
        { "CONFIG_XEN", F(cfg_xen), "Xen guest support" },
        { "CONFIG_XEN_PV", F(cfg_xen_pv), "can boot as a PV guest" },
        { "CONFIG_XEN_PVH", F(cfg_xen_pvh), "can boot as a PVH guest" },
        { "CONFIG_XEN_PVHVM", F(cfg_xen_pvhvm), "PV drivers in HVM guests" },
        { "CONFIG_XEN_DOM0", F(cfg_xen_dom0), "can run as dom0" },
        { "CONFIG_XEN_BLKDEV_FRONTEND", F(cfg_blkfront), "xen-blkfront (PV disk)" },
        { "CONFIG_XEN_NETDEV_FRONTEND", F(cfg_netfront), "xen-netfront (PV network)" },
        { "CONFIG_XEN_PVHVM_GUEST", F(cfg_platform_pci), "Xen platform PCI driver" },
#undef F
};

/* The running kernel's config: boot/config-RELEASE, else proc/config.gz. */
static void read_config(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_kernel_facts *k = &r->facts.kernel;
        struct xp_kconfig kc;

        int e = xp_kconfig_read(ctx, k->release, XP_KCONFIG_BOOT | XP_KCONFIG_PROC, &kc);
        if (e < 0) {
                if (kc.undecodable)
                        xp_evidence_add(r, SRC, kc.path, XP_ST_UNREADABLE, NULL, "cannot decompress: %s",
                                        strerror(-e));
                k->config = xp_status_from_errno(e);
                xp_evidence_add(r, SRC, "boot/config-RELEASE, proc/config.gz", k->config, NULL,
                                "kernel config not readable: built-in drivers are judged from modules.builtin and sysfs only");
                return;
        }
        k->config = XP_ST_FOUND;
        snprintf(k->config_path, sizeof(k->config_path), "%s", kc.path);
        for (size_t i = 0; i < ELEMENTSOF(config_table); i++) {
                char v = xp_kconfig_value(&kc, config_table[i].option);
                *((char *)k + config_table[i].offset) = v;
                if (i > 0 && k->cfg_xen != 'y')
                        continue; /* CONFIG_XEN=n says it all */
                char ev[sizeof(kc.path) + 64];
                snprintf(ev, sizeof(ev), "%s:%s", kc.path, config_table[i].option);
                xp_evidence_add(r, SRC, ev, XP_ST_FOUND, v == 'y' ? "y" : v == 'm' ? "m" : "n", "%s%s",
                                config_table[i].meaning,
                                v == 'y' ? ": built in" : v == 'm' ? ": module" : ": not built");
        }
        xp_kconfig_clear(&kc);
}

/* A release names directories (lib/modules/R, boot/config-R): a guest
 * image must not steer those paths. */
static bool release_ok(const char *v, size_t max)
{
        return v[0] && !strchr(v, '/') && strcmp(v, ".") != 0 && strcmp(v, "..") != 0 && strlen(v) < max;
}

/* No proc/sys/kernel/osrelease (a capture or image that kept only
 * proc/version): the release is the banner's second word, "Linux version
 * 6.12.117+deb13-amd64 (...)" (fs/proc/version.c prints linux_proc_banner,
 * "%s version %s (...": sysname, release). */
static void release_from_version(struct xp_report *r)
{
        struct xp_kernel_facts *k = &r->facts.kernel;
        const char *p = strstr(k->version, " version ");
        if (!p)
                return;
        p += strlen(" version ");
        size_t n = strcspn(p, " ");
        char rel[sizeof(k->release)];
        if (n == 0 || n >= sizeof(rel))
                return;
        memcpy(rel, p, n);
        rel[n] = '\0';
        char *clean = release_ok(rel, sizeof(rel)) ? xp_sanitize(rel, n, sizeof(k->release) - 4) : NULL;
        if (!clean || strcmp(clean, rel) != 0) { /* not a plain release word: ignored */
                free(clean);
                return;
        }
        snprintf(k->release, sizeof(k->release), "%s", clean);
        free(clean);
        xp_evidence_add(r, SRC, "proc/version (release)", XP_ST_FOUND, k->release,
                        "kernel release from the proc/version banner (proc/sys/kernel/osrelease absent): names lib/modules/%s and boot/config-%s",
                        k->release, k->release);
}

static int run(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_root *root = xp_ctx_root(ctx);
        struct xp_facts *f = &r->facts;
        char *v;

        int e = xp_root_read_line(root, "proc/sys/kernel/osrelease", &v);
        if (e == 0 && !release_ok(v, sizeof(f->kernel.release))) {
                xp_evidence_add(r, SRC, "proc/sys/kernel/osrelease", XP_ST_UNREADABLE, NULL,
                                "not a kernel release (empty, too long, or contains '/'): ignored");
                free(v);
                e = -EINVAL;
        } else if (e == 0) {
                char *s = xp_sanitize(v, strlen(v), sizeof(f->kernel.release) - 4);
                snprintf(f->kernel.release, sizeof(f->kernel.release), "%s", s ? s : "");
                free(s);
                free(v);
                bool names_xen = strstr(f->kernel.release, "xen") != NULL;
                f->kernel.rel_known = xp_parse_kernel_release(f->kernel.release, f->kernel.rel_version) == 0;
                xp_evidence_add(r, SRC, "proc/sys/kernel/osrelease", XP_ST_FOUND, f->kernel.release,
                                "%s", names_xen ? "kernel release names xen (a xenified or -xen flavour kernel)"
                                                : "no \"xen\" in the release: the old `uname -a | grep xen` heuristic says \"not Xen\" here, which is wrong for every pvops kernel (Xen support is in the generic kernel since 2.6.37/3.0)");
        } else if (e != -EINVAL)
                xp_evidence_add(r, SRC, "proc/sys/kernel/osrelease", xp_status_from_errno(e), NULL, "%s",
                                strerror(-e));

        bool no_osrelease = e == -ENOENT;
        e = xp_root_read_leaf(root, "proc/version", f->kernel.version, sizeof(f->kernel.version));
        if (e == 0) {
                xp_evidence_add(r, SRC, "proc/version", XP_ST_FOUND, f->kernel.version, "kernel build");
                if (no_osrelease)
                        release_from_version(r);
        } else if (e != -ENOENT)
                xp_evidence_add(r, SRC, "proc/version", xp_status_from_errno(e), NULL, "%s", strerror(-e));

        e = xp_root_read_line(root, "proc/cmdline", &v);
        if (e == 0) {
                f->kernel.cmdline = XP_ST_FOUND;
                char *clean = xp_sanitize(v, strlen(v), sizeof(f->kernel.cmdline_text) - 4);
                snprintf(f->kernel.cmdline_text, sizeof(f->kernel.cmdline_text), "%s", clean ? clean : "");
                free(clean);
                size_t l = 0;
                /* early_param() takes "nopv" and "nopv=anything" alike */
                f->kernel.nopv = xp_cmdline_find(v, "nopv", NULL) || xp_cmdline_find(v, "nopv=", NULL);
                f->kernel.xen_nopv = xp_cmdline_find(v, "xen_nopv", NULL) || xp_cmdline_find(v, "xen_nopv=", NULL);
                const char *u = xp_cmdline_find(v, "xen_emul_unplug=", &l);
                if (u) {
                        size_t n = l - strlen("xen_emul_unplug=");
                        char *s = xp_sanitize(u + strlen("xen_emul_unplug="), n, sizeof(f->kernel.emul_unplug) - 4);
                        snprintf(f->kernel.emul_unplug, sizeof(f->kernel.emul_unplug), "%s", s ? s : "");
                        free(s);
                }
                /* a comma list (arch/x86/xen/platform-pci-unplug.c parse_xen_emul_unplug):
                 * "never" anywhere in it wins */
                char list[sizeof(f->kernel.emul_unplug)];
                snprintf(list, sizeof(list), "%s", f->kernel.emul_unplug);
                for (char *save = NULL, *t = strtok_r(list, ",\"", &save); t; t = strtok_r(NULL, ",\"", &save))
                        if (strcmp(t, "never") == 0)
                                f->kernel.emul_unplug_never = true;
                char *shown = xp_sanitize(v, strlen(v), 200);
                xp_evidence_add(r, SRC, "proc/cmdline", XP_ST_FOUND, shown, "%s",
                                f->kernel.nopv       ? "nopv: the kernel ignores Xen in an HVM guest (no PV drivers, no /sys/hypervisor)"
                                : f->kernel.xen_nopv ? "xen_nopv (the only spelling before Linux 5.3 added nopv): the kernel ignores Xen in an HVM guest"
                                : f->kernel.emul_unplug[0] ? "xen_emul_unplug= set: controls which emulated devices the PV drivers replace"
                                                    : "no Xen-related boot option");
                free(shown);
                free(v);
        } else {
                f->kernel.cmdline = xp_status_from_errno(e);
                xp_evidence_add(r, SRC, "proc/cmdline", f->kernel.cmdline, NULL, "%s", strerror(-e));
        }

        if (!xp_ctx_get_verdict_only(ctx)) /* config explains, never decides */
                read_config(ctx, r);
        return f->kernel.release[0] ? 0 : 1;
}

const struct xp_probe xp_kernel_probe = {
        .name = SRC,
        .run = run,
};
