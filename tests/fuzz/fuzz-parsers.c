/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: every parser of sysfs, proc and configuration text.
 *
 * The first input byte chooses (modulo 16):
 *   0-11  one exposed parser on the rest of the input:
 *         0 features hex, 1 guest_type, 2 /proc/cpuinfo flags,
 *         3 kernel config (option name, then the config), 4 mountinfo,
 *         5 /proc/mounts, 6 /proc/modules (module name, then the list),
 *         7 kernel command line word (word, then the cmdline),
 *         8 xp_sanitize, 9 xp_strip, 10 module file names and fs modules,
 *         11 all of 0-7 on the same text
 *   12-15 a whole guest tree: the rest is a list of records
 *         op byte, modulo 3 + N_PATHS:
 *           0 file:    path (len byte + bytes), content (u16 LE len + bytes)
 *           1 symlink: path, target (len byte + bytes; anything: absolute,
 *                      "..", loops)
 *           2 dir:     path
 *           3+i file paths[i] (below), content
 *         built in a fresh directory, then every probe runs on it as a
 *         non-live root (xp_probe_all: kernel, os-release, DMI, cpuinfo,
 *         modules via libkmod, xenbus, pci, block, container, hypervisor,
 *         the CPUID snapshot, the errors file), the classifier, the boot
 *         readiness scan (fstab, grub.cfg, BLS entries, bzImage header,
 *         kernel configs, initramfs images), and the text and JSON
 *         renderers.  Seeds: the fixture trees of tests/roots.
 *
 * Checked: no crash, leak or sanitizer report; output buffers stay
 * NUL-terminated; the JSON report parses; the text report is printable.
 */
#include "config.h"

#include <json-c/json.h>
#include <syslog.h>

#include "agent.h"
#include "json.h"
#include "render.h"
#include "fuzz-util.h"
#include "boot/initrd.h"
#include "probe.h"

#define REL "6.1.0-13-amd64"

/* the files the probes read, so a mutation can hit them without spelling
 * a path */
static const char *const paths[] = {
        "proc/sys/kernel/osrelease",
        "proc/version",
        "proc/cmdline",
        "boot/config-" REL,
        "proc/config.gz",
        "proc/1/environ",
        "run/systemd/container",
        "sys/hypervisor/type",
        "sys/hypervisor/guest_type",
        "sys/hypervisor/properties/features",
        "sys/hypervisor/version/major",
        "sys/hypervisor/version/minor",
        "sys/hypervisor/version/extra",
        "sys/hypervisor/properties/capabilities",
        "sys/hypervisor/uuid",
        "proc/xen/capabilities",
        "run/xenprobe/cpuid",
        "run/xenprobe/errors",
        "proc/cpuinfo",
        "sys/class/dmi/id/sys_vendor",
        "sys/class/dmi/id/product_name",
        "sys/class/dmi/id/bios_vendor",
        "sys/class/dmi/id/bios_version",
        "proc/modules",
        "etc/modprobe.d/xen.conf",
        "lib/modules/" REL "/modules.dep",
        "lib/modules/" REL "/modules.builtin",
        "lib/modules/" REL "/modules.alias",
        "sys/bus/xen/devices/vbd-768/devtype",
        "sys/bus/xen/devices/vbd-768/nodename",
        "sys/bus/xen/devices/vbd-768/state",
        "sys/bus/pci/devices/0000:00:02.0/vendor",
        "sys/bus/pci/devices/0000:00:02.0/device",
        "sys/bus/pci/devices/0000:00:02.0/class",
        "etc/os-release",
        "usr/lib/os-release",
        "proc/self/mountinfo",
        "proc/mounts",
        "sys/class/block/xvda/dev",
        "sys/class/block/xvda1/dev",
        "etc/fstab",
        "boot/grub/grub.cfg",
        "etc/default/grub",
        "boot/loader/entries/a.conf",
        "etc/inittab",
        "boot/vmlinuz-" REL,
        "boot/initrd.img-" REL,
        "lib/modules/" REL "/config",
};
#define N_PATHS (sizeof(paths) / sizeof(paths[0]))

static char logbuf[1024];
static void quiet_log(void *data, int priority, const char *file, int line, const char *fn, const char *format,
                      va_list args)
{
        (void)data, (void)priority, (void)file, (void)line, (void)fn;
        vsnprintf(logbuf, sizeof(logbuf), format, args);
}

static char treedir[300];
static int treefd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc, (void)argv;
        snprintf(treedir, sizeof(treedir), "%s/tree", fz_scratch());
        mkdir(treedir, 0755);
        treefd = open(treedir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (treefd < 0)
                abort();
        /* libkmod's staging directory lands in TMPDIR: keep it ours */
        setenv("TMPDIR", fz_scratch(), 1);
        return 0;
}

static void terminated(const char *buf, size_t len, const char *what)
{
        FUZZ_ASSERT(memchr(buf, '\0', len), "%s not NUL-terminated within %zu", what, len);
}

static void parse_one(unsigned which, struct fz *f)
{
        char *word = NULL, *text;
        if (which == 3 || which == 6 || which == 7)
                word = fz_str(f);
        text = fz_bytes(f, f->n, NULL, true);
        switch (which) {
        case 0: {
                uint32_t v;
                (void)xp_parse_features(text, &v);
                break;
        }
        case 1:
                FUZZ_ASSERT(xp_parse_guest_type(text) < _XP_GT_MAX, "guest type");
                break;
        case 2: {
                bool hv, vmx, svm;
                (void)xp_parse_cpuinfo_flags(text, &hv, &vmx, &svm);
                break;
        }
        case 3: {
                char c = xp_parse_config_option(text, word);
                FUZZ_ASSERT(c == 0 || c == 'y' || c == 'm' || c == 'n', "config option value %d", c);
                break;
        }
        case 4:
        case 5: {
                /* small buffers too: the caller's sizes vary */
                size_t sl = 1 + (strlen(text) & 127), fl = 1 + (strlen(text) >> 7 & 31);
                char *src = malloc(sl), *fs = malloc(fl);
                unsigned ma = 0, mi = 0;
                if (!src || !fs)
                        abort();
                int r = which == 4 ? xp_parse_mountinfo_root(text, src, sl, fs, fl, &ma, &mi)
                                   : xp_parse_mounts_root(text, src, sl, fs, fl);
                if (r == 0) {
                        terminated(src, sl, "source");
                        terminated(fs, fl, "fstype");
                }
                free(src);
                free(fs);
                break;
        }
        case 6:
                (void)xp_parse_modules_has(text, word);
                break;
        case 7: {
                size_t l = 0;
                const char *p = xp_cmdline_find(text, word, &l);
                if (p)
                        FUZZ_ASSERT(p >= text && p + l <= text + strlen(text), "cmdline match out of the text");
                break;
        }
        case 8: {
                size_t max = (uint8_t)(text[0]);
                char *s = xp_sanitize(text, strlen(text), max);
                if (s) {
                        for (const char *c = s; *c; c++)
                                FUZZ_ASSERT(*c >= 0x20 && *c < 0x7f, "sanitized byte 0x%02x", (uint8_t)*c);
                        free(s);
                }
                break;
        }
        case 9: {
                char *s = xp_strip(text);
                FUZZ_ASSERT(s >= text && s <= text + strlen(text) + 1, "strip out of the string");
                break;
        }
        case 10: {
                char out[64], fsm[3][32];
                size_t ol = 1 + (strlen(text) % 64);
                if (xp_module_name(text, out, ol))
                        terminated(out, ol, "module name");
                xp_module_normalize(text);
                xp_fs_modules(text, fsm);
                for (int i = 0; i < 3; i++)
                        terminated(fsm[i], sizeof(fsm[i]), "fs module");
                (void)xp_comp_detect((const uint8_t *)text, strlen(text));
                break;
        }
        case 11: {
                for (unsigned w = 0; w < 8; w++) {
                        struct fz again = { (const uint8_t *)text, strlen(text) };
                        parse_one(w, &again);
                }
                break;
        }
        }
        free(word);
        free(text);
}

/* ------------------------------------------------------------- the tree */

static void build_tree(struct fz *f)
{
        unsigned records = 0;
        while (!fz_empty(f) && records++ < 512) {
                unsigned op = fz_u8(f) % (3 + N_PATHS);
                if (op == 0 || op >= 3) {
                        char *path = op == 0 ? fz_str(f) : strdup(paths[op - 3]);
                        size_t len;
                        char *content = fz_bytes(f, fz_u16(f), &len, false);
                        fz_write_at(treefd, path, content, len);
                        free(path);
                        free(content);
                } else if (op == 1) {
                        char *path = fz_str(f), *target = fz_str(f);
                        const char *base;
                        int pfd = fz_parent(treefd, path, &base);
                        if (pfd >= 0) {
                                (void)symlinkat(target, pfd, base);
                                close(pfd);
                        }
                        free(path);
                        free(target);
                } else {
                        char *path = fz_str(f);
                        const char *base;
                        int pfd = fz_parent(treefd, path, &base);
                        if (pfd >= 0) {
                                (void)mkdirat(pfd, base, 0755);
                                close(pfd);
                        }
                        free(path);
                }
        }
}

static void check_json(const char *buf, size_t len)
{
        struct json_tokener *tok = json_tokener_new();
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        struct json_object *o = json_tokener_parse_ex(tok, buf, (int)len);
        FUZZ_ASSERT(o && json_tokener_get_error(tok) == json_tokener_success, "report JSON does not parse: %s",
                    json_tokener_error_desc(json_tokener_get_error(tok)));
        json_object_put(o);
        json_tokener_free(tok);
}

static void check_text(const char *buf, size_t len)
{
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)buf[i];
                FUZZ_ASSERT(c == '\n' || (c >= 0x20 && c < 0x7f), "text report byte 0x%02x at %zu", c, i);
        }
}

static void run_tree(struct fz *f)
{
        fz_clear_dir(treedir);
        build_tree(f);

        int err;
        struct xp_root *root = xp_root_new(treedir, false, &err);
        if (!root)
                return;
        struct xp_ctx *ctx = xp_ctx_new(root);
        if (!ctx)
                abort();
        xp_ctx_set_log_fn(ctx, quiet_log, NULL);
        xp_ctx_set_log_priority(ctx, LOG_DEBUG);
        struct xp_report *r = NULL;
        if (xp_probe_all(ctx, &r) == 0) {
                FUZZ_ASSERT(xp_report_verdict(r), "no verdict");
                struct xp_boot_options o = { .quick = true, .threads = 1 };
                int br = xp_boot_probe(ctx, r, &o);
                FUZZ_ASSERT(br == 0 || br == -ENOMEM, "boot probe returned %d", br);

                char *buf = NULL;
                size_t len = 0;
                FILE *m = open_memstream(&buf, &len);
                if (!m)
                        abort();
                (void)xp_render_json(r, treedir, m);
                fclose(m);
                check_json(buf, len);
                free(buf);

                buf = NULL;
                m = open_memstream(&buf, &len);
                if (!m)
                        abort();
                (void)xp_render_text(r, m);
                if (r->boot.probed)
                        (void)xp_render_boot_text(&r->boot, m);
                (void)xp_render_short(r, m);
                fclose(m);
                check_text(buf, len);
                free(buf);
                xp_report_free(r);
        }
        xp_ctx_unref(ctx);
        xp_root_free(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (treefd < 0)
                LLVMFuzzerInitialize(NULL, NULL);
        struct fz f = { data, size };
        unsigned mode = fz_u8(&f) % 16;
        if (mode < 12)
                parse_one(mode, &f);
        else
                run_tree(&f);
        return 0;
}
