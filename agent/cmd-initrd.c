/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `xenprobe initrd [--json] [--quick] [--fs TYPE] [--kver VERSION] [IMAGE...]`
 * and the offline readiness table of `xenprobe --root DIR` (a mounted guest
 * image seen from dom0: no proc/, no sys/, so no live verdict).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "json.h"
#include "render.h"

#define EXIT_OK 0
#define EXIT_ERROR 1
#define EXIT_USAGE 2
#define EXIT_MISSING 3
#define EXIT_UNVERIFIED 4

static void usage(FILE *out)
{
        fprintf(out,
                "Usage: xenprobe [--root DIR] initrd [OPTIONS] [IMAGE...]\n"
                "Check that initramfs images can boot this system under Xen: xen-blkfront\n"
                "and the root filesystem driver present, indexed, with their dependencies.\n"
                "Without IMAGE: every installed kernel's image (below DIR with --root).\n"
                "\n"
                "  -j, --json          JSON (schema 1, see xenprobe-json(7))\n"
                "  -q, --quick         stop reading an image once every fact is known\n"
                "                      (damage after that point goes unseen)\n"
                "  -f, --fs TYPE       root filesystem type to check (default: the mounted\n"
                "                      root, or etc/fstab; none for IMAGEs named with --root)\n"
                "  -k, --kver VERSION  kernel the images must be for (default: their own)\n"
                "\n"
                "Exit status: 0 all ok, 3 something missing, 4 could not verify, 1 error,\n"
                "2 usage error.\n");
}

static int exit_for(enum xp_check_status st)
{
        return st == XP_CHECK_MISSING ? EXIT_MISSING : st == XP_CHECK_CANNOT_VERIFY ? EXIT_UNVERIFIED : EXIT_OK;
}

/* the options of `xenprobe initrd` */
struct initrd_opts {
        bool json;
        struct xp_boot_options bo;
        const char *kver;
};

/* Parse the options into O: -1 to go on (the images from optind on), else
 * the exit status. */
static int parse_options(int argc, char **argv, struct initrd_opts *o)
{
        static const struct option opts[] = {
                { "json", no_argument, NULL, 'j' },        { "quick", no_argument, NULL, 'q' },
                { "fs", required_argument, NULL, 'f' },    { "kver", required_argument, NULL, 'k' },
                { "help", no_argument, NULL, 'h' },        {},
        };
        int c;
        optind = 0; /* glibc: full re-initialisation */
        while ((c = getopt_long(argc, argv, "jqf:k:h", opts, NULL)) != -1) {
                switch (c) {
                case 'j': o->json = true; break;
                case 'q': o->bo.quick = true; break;
                case 'f': o->bo.fstype = optarg; break;
                case 'k': o->kver = optarg; break;
                case 'h': usage(stdout); return EXIT_OK;
                default: usage(stderr); return EXIT_USAGE;
                }
        }
        const char *fs = o->bo.fstype;
        if (fs && (!fs[0] || strlen(fs) > 30 || strpbrk(fs, "/ \t\n"))) {
                fprintf(stderr, "xenprobe: initrd: --fs %s: not a filesystem type name\n", fs);
                return EXIT_USAGE;
        }
        return -1;
}

/* The type of the mounted root, as the kernel sees it, into BUF: false
 * when unknown or not a disk filesystem (overlay, rootfs, tmpfs). */
static bool mounted_root_fstype(struct xp_ctx *ctx, char *buf, size_t len)
{
        char *mi = NULL;
        char src[128];
        bool ok = xp_root_read_file(xp_ctx_root(ctx), "proc/self/mountinfo", 1u << 20, &mi, NULL) == 0 &&
                  xp_parse_mountinfo_root(mi, src, sizeof(src), buf, len, &(unsigned){ 0 }, &(unsigned){ 0 }) == 0 &&
                  strcmp(buf, "overlay") != 0 && strcmp(buf, "rootfs") != 0 && strcmp(buf, "tmpfs") != 0;
        free(mi);
        return ok;
}

/* where the checked images go: the JSON array, or stdout as text */
struct image_out {
        bool json;
        json_object *imgs;
        enum xp_check_status worst;
};

/* One checked image, named PATH, into OUT. */
static void emit_image(struct image_out *out, const struct xp_image *img, const char *path)
{
        out->worst = xp_check_status_worse(out->worst, xp_checks_worst(&img->checks));
        if (out->json)
                xp_json_append(out->imgs, xp_json_image(img, path));
        else
                xp_render_image_text(img, path, "", stdout);
}

/* Check the N images named on the command line (host paths): 0, or
 * -errno when one cannot be read (said). */
static int check_named(struct xp_ctx *ctx, char **paths, int n, const struct initrd_opts *o, struct image_out *out)
{
        for (int i = 0; i < n; i++) {
                struct xp_image_query q = { .kernel_version = o->kver, .fstype = o->bo.fstype, .quick = o->bo.quick };
                struct xp_image *img = NULL;
                int e = xp_image_check(ctx, NULL, paths[i], &q, &img);
                if (e < 0) {
                        fprintf(stderr, "xenprobe: initrd: %s: %s\n", paths[i], strerror(-e));
                        return e;
                }
                if (img->error_msg)
                        fprintf(stderr, "xenprobe: initrd: %s\n", img->error_msg);
                emit_image(out, img, paths[i]);
                xp_image_free(img);
        }
        return 0;
}

/* Check every installed kernel's image: 0, 1 when there is none (said,
 * the rest still printed), or -errno when probing failed (said). */
static int check_installed(struct xp_ctx *ctx, const char *rootdir, const struct xp_boot_options *bo,
                           struct image_out *out)
{
        struct xp_report *r = NULL;
        int e = xp_probe_run(ctx, bo, &r, NULL);
        if (e < 0) {
                fprintf(stderr, "xenprobe: initrd: %s\n", strerror(-e));
                return e;
        }
        size_t n = 0;
        for (size_t i = 0; i < r->boot.n_kernels; i++) {
                const struct xp_boot_kernel *k = &r->boot.kernels[i];
                if (!k->image)
                        continue;
                n++;
                char p[XP_SHOWN_PATH_MAX];
                emit_image(out, k->image, xp_shown_path(k->initrd, p));
        }
        int ret = 0;
        if (n == 0) {
                fprintf(stderr, "xenprobe: initrd: no initramfs images found below %s/boot%s%s\n",
                        rootdir ? rootdir : "", r->boot.note[0] ? ": " : "", r->boot.note);
                ret = 1;
        }
        xp_report_free(r);
        return ret;
}

int xp_cmd_initrd(struct xp_ctx *ctx, const char *rootdir, bool json_default, int argc, char **argv)
{
        struct initrd_opts o = { .json = json_default }; /* xenprobe --json initrd ... */
        int ret = parse_options(argc, argv, &o);
        if (ret >= 0)
                return ret;

        struct image_out out = { .json = o.json, .worst = XP_CHECK_OK };
        json_object *root_json = o.json ? xp_json_object() : NULL;
        if (o.json) {
                xp_json_add(root_json, "schema", xp_json_int(XP_JSON_SCHEMA));
                out.imgs = xp_json_array();
                xp_json_add(root_json, "images", out.imgs);
        }
        char mounted[32] = "";
        if (!o.bo.fstype && !rootdir && mounted_root_fstype(ctx, mounted, sizeof(mounted)))
                o.bo.fstype = mounted;
        int e = optind < argc ? check_named(ctx, argv + optind, argc - optind, &o, &out)
                              : check_installed(ctx, rootdir, &o.bo, &out);
        if (e < 0) {
                json_object_put(root_json);
                return EXIT_ERROR;
        }
        ret = e > 0 ? EXIT_ERROR : EXIT_OK;
        int pe = o.json ? xp_json_print(root_json, stdout) : 0;
        if (pe < 0) {
                fprintf(stderr, "xenprobe: initrd: writing the result failed: %s\n", strerror(-pe));
                return EXIT_ERROR;
        }
        if (!o.json && fflush(stdout) != 0)
                return EXIT_ERROR;
        return ret != EXIT_OK ? ret : exit_for(out.worst);
}

int xp_cmd_offline(struct xp_ctx *ctx, const char *rootdir, bool json)
{
        struct xp_report *r = xp_report_new();
        if (!r)
                return EXIT_ERROR;
        struct xp_boot_options bo = { .quick = false };
        int e = xp_boot_probe(ctx, r, &bo);
        if (e < 0) {
                fprintf(stderr, "xenprobe: %s: boot readiness: %s\n", rootdir, strerror(-e));
                xp_report_free(r);
                return EXIT_ERROR;
        }
        if (json) {
                json_object *o = xp_json_object();
                xp_json_add(o, "schema", xp_json_int(XP_JSON_SCHEMA));
                xp_json_add(o, "verdict", NULL);
                xp_json_add(o, "live", xp_json_bool(false));
                xp_json_add(o, "offline", xp_json_bool(true));
                xp_json_add(o, "root", xp_json_str(rootdir));
                xp_json_add(o, "boot", xp_json_boot(&r->boot));
                e = xp_json_print(o, stdout);
        } else {
                char *s = xp_sanitize(rootdir, strlen(rootdir), 256);
                printf("%s: offline guest image (no proc/ or sys/): no live verdict; what each boot mode needs:\n",
                       s ? s : "?");
                free(s);
                e = xp_render_boot_text(&r->boot, stdout);
                if (e == 0 && fflush(stdout) != 0)
                        e = -EIO;
        }
        xp_report_free(r);
        return e < 0 ? EXIT_ERROR : EXIT_OK;
}
