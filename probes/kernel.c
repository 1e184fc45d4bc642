/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The running kernel: release (proc/sys/kernel/osrelease, never uname(2), so
 * a root directory answers for itself), /proc/version, the command line
 * (nopv, xen_nopv, xen_emul_unplug=) and the kernel config
 * (/boot/config-RELEASE, else /proc/config.gz) for the Xen options.
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
#define CONFIG_MAX (4u << 20)

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
 * use: only kernels without /boot/config-RELEASE need it */
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

static void read_config(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_root *root = xp_ctx_root(ctx);
        struct xp_facts *f = &r->facts;
        char path[128], *text = NULL;
        size_t len;
        int e = -ENOENT;

        if (f->kernel.release[0]) {
                snprintf(path, sizeof(path), "boot/config-%s", f->kernel.release);
                e = xp_root_read_file(root, path, CONFIG_MAX, &text, &len);
        }
        if (e < 0) {
                char *gz;
                snprintf(path, sizeof(path), "proc/config.gz");
                e = xp_root_read_file(root, path, CONFIG_MAX, &gz, &len);
                if (e == 0) {
                        e = gunzip_config(ctx, gz, len, &text);
                        free(gz);
                        if (e < 0)
                                xp_evidence_add(r, SRC, path, XP_ST_UNREADABLE, NULL,
                                                "cannot decompress: %s", strerror(-e));
                }
        }
        if (e < 0) {
                f->kernel.config = xp_status_from_errno(e);
                xp_evidence_add(r, SRC, "boot/config-RELEASE, proc/config.gz", f->kernel.config, NULL,
                                "kernel config not readable: built-in drivers are judged from modules.builtin and sysfs only");
                return;
        }
        f->kernel.config = XP_ST_FOUND;
        snprintf(f->kernel.config_path, sizeof(f->kernel.config_path), "%s", path);
        for (size_t i = 0; i < ELEMENTSOF(config_table); i++) {
                char v = xp_parse_config_option(text, config_table[i].option);
                /* options that depend on a disabled one are not written at
                 * all: in a readable config, absent means not built */
                if (!v)
                        v = 'n';
                *((char *)&f->kernel + config_table[i].offset) = v;
                if (i > 0 && f->kernel.cfg_xen != 'y')
                        continue; /* CONFIG_XEN=n says it all */
                char ev[192];
                snprintf(ev, sizeof(ev), "%s:%s", path, config_table[i].option);
                xp_evidence_add(r, SRC, ev, XP_ST_FOUND, v == 'y' ? "y" : v == 'm' ? "m" : "n", "%s%s",
                                config_table[i].meaning,
                                v == 'y' ? ": built in" : v == 'm' ? ": module" : ": not built");
        }
        free(text);
}

static int run(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_root *root = xp_ctx_root(ctx);
        struct xp_facts *f = &r->facts;
        char *v;

        int e = xp_root_read_line(root, "proc/sys/kernel/osrelease", &v);
        /* the release names directories (lib/modules/R, boot/config-R):
         * a guest image must not steer those paths */
        if (e == 0 && (!v[0] || strchr(v, '/') || strcmp(v, ".") == 0 || strcmp(v, "..") == 0 ||
                       strlen(v) >= sizeof(f->kernel.release))) {
                xp_evidence_add(r, SRC, "proc/sys/kernel/osrelease", XP_ST_UNREADABLE, NULL,
                                "not a kernel release (empty, too long, or contains '/'): ignored");
                free(v);
                e = -EINVAL;
        } else if (e == 0) {
                char *s = xp_sanitize(v, strlen(v), sizeof(f->kernel.release) - 4);
                snprintf(f->kernel.release, sizeof(f->kernel.release), "%s", s ? s : "");
                free(s);
                free(v);
                bool seed = strstr(f->kernel.release, "xen") != NULL;
                xp_evidence_add(r, SRC, "proc/sys/kernel/osrelease", XP_ST_FOUND, f->kernel.release,
                                "%s", seed ? "kernel release names xen (a xenified or -xen flavour kernel)"
                                           : "no \"xen\" in the release: the old `uname -a | grep xen` heuristic says \"not Xen\" here, which is wrong for every pvops kernel (Xen support is in the generic kernel since 2.6.37/3.0)");
        } else if (e != -EINVAL)
                xp_evidence_add(r, SRC, "proc/sys/kernel/osrelease", xp_status_from_errno(e), NULL, "%s",
                                strerror(-e));

        e = xp_root_read_leaf(root, "proc/version", f->kernel.version, sizeof(f->kernel.version));
        if (e == 0)
                xp_evidence_add(r, SRC, "proc/version", XP_ST_FOUND, f->kernel.version, "kernel build");
        else if (e != -ENOENT)
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
                                : f->kernel.xen_nopv ? "xen_nopv (pre-5.x spelling of nopv): the kernel ignores Xen in an HVM guest"
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
