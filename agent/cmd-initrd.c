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

int xp_cmd_initrd(struct xp_ctx *ctx, const char *rootdir, bool json_default, int argc, char **argv)
{
        static const struct option opts[] = {
                { "json", no_argument, NULL, 'j' },        { "quick", no_argument, NULL, 'q' },
                { "fs", required_argument, NULL, 'f' },    { "kver", required_argument, NULL, 'k' },
                { "help", no_argument, NULL, 'h' },        {},
        };
        bool json = json_default; /* xenprobe --json initrd ... */
        struct xp_boot_options bo = { 0 };
        const char *kver = NULL;
        int c;
        optind = 0; /* glibc: full re-initialisation */
        while ((c = getopt_long(argc, argv, "jqf:k:h", opts, NULL)) != -1) {
                switch (c) {
                case 'j': json = true; break;
                case 'q': bo.quick = true; break;
                case 'f': bo.fstype = optarg; break;
                case 'k': kver = optarg; break;
                case 'h': usage(stdout); return EXIT_OK;
                default: usage(stderr); return EXIT_USAGE;
                }
        }
        if (bo.fstype && (!bo.fstype[0] || strlen(bo.fstype) > 30 || strpbrk(bo.fstype, "/ \t\n"))) {
                fprintf(stderr, "xenprobe: initrd: --fs %s: not a filesystem type name\n", bo.fstype);
                return EXIT_USAGE;
        }

        enum xp_check_status worst = XP_CHECK_OK;
        json_object *root_json = json ? xp_json_object() : NULL, *imgs = NULL;
        if (json) {
                xp_json_add(root_json, "schema", xp_json_int(XP_JSON_SCHEMA));
                imgs = xp_json_array();
                xp_json_add(root_json, "images", imgs);
        }
        int ret = EXIT_OK;

        char mounted[32] = "";
        if (!bo.fstype && !rootdir) {
                /* default: the type of the mounted root, as the kernel sees it */
                char *mi = NULL;
                char src[128];
                if (xp_root_read_file(xp_ctx_root(ctx), "proc/self/mountinfo", 1u << 20, &mi, NULL) == 0 &&
                    xp_parse_mountinfo_root(mi, src, sizeof(src), mounted, sizeof(mounted), &(unsigned){ 0 },
                                            &(unsigned){ 0 }) == 0 &&
                    strcmp(mounted, "overlay") != 0 && strcmp(mounted, "rootfs") != 0 && strcmp(mounted, "tmpfs") != 0)
                        bo.fstype = mounted;
                free(mi);
        }
        if (optind < argc) {
                /* images named on the command line: host paths */
                for (int i = optind; i < argc; i++) {
                        struct xp_image_query q = { .kernel_version = kver, .fstype = bo.fstype, .quick = bo.quick };
                        struct xp_image *img = NULL;
                        int e = xp_image_check(ctx, NULL, argv[i], &q, &img);
                        if (e < 0) {
                                fprintf(stderr, "xenprobe: initrd: %s: %s\n", argv[i], strerror(-e));
                                json_object_put(root_json);
                                return EXIT_ERROR;
                        }
                        if (img->error_msg)
                                fprintf(stderr, "xenprobe: initrd: %s\n", img->error_msg);
                        worst = xp_check_status_worse(worst, xp_checks_worst(&img->checks));
                        if (json)
                                xp_json_append(imgs, xp_json_image(img, argv[i]));
                        else
                                xp_render_image_text(img, argv[i], "", stdout);
                        xp_image_free(img);
                }
        } else {
                /* every installed kernel's image */
                struct xp_report *r = NULL;
                int e = xp_probe_all(ctx, &r);
                if (e == 0)
                        e = xp_boot_probe(ctx, r, &bo);
                if (e < 0) {
                        fprintf(stderr, "xenprobe: initrd: %s\n", strerror(-e));
                        xp_report_free(r);
                        json_object_put(root_json);
                        return EXIT_ERROR;
                }
                size_t n = 0;
                for (size_t i = 0; i < r->boot.n_kernels; i++) {
                        const struct xp_boot_kernel *k = &r->boot.kernels[i];
                        if (!k->image)
                                continue;
                        n++;
                        char p[300];
                        snprintf(p, sizeof(p), "/%s", k->initrd);
                        worst = xp_check_status_worse(worst, xp_checks_worst(&k->image->checks));
                        if (json)
                                xp_json_append(imgs, xp_json_image(k->image, p));
                        else
                                xp_render_image_text(k->image, p, "", stdout);
                }
                if (n == 0) {
                        fprintf(stderr, "xenprobe: initrd: no initramfs images found below %s/boot%s%s\n",
                                rootdir ? rootdir : "", r->boot.note[0] ? ": " : "", r->boot.note);
                        ret = EXIT_ERROR;
                }
                xp_report_free(r);
        }
        int pe = json ? xp_json_print(root_json, stdout) : 0;
        if (pe < 0) {
                fprintf(stderr, "xenprobe: initrd: writing the result failed: %s\n", strerror(-pe));
                return EXIT_ERROR;
        }
        if (!json && fflush(stdout) != 0)
                return EXIT_ERROR;
        return ret != EXIT_OK ? ret : exit_for(worst);
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
