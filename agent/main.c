/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenprobe: what kind of Xen guest is this, with the evidence.
 *
 *   xenprobe [--root DIR] [--json | --short] [--verbose]
 *   xenprobe [--root DIR] snapshot DIR
 *   xenprobe [--root DIR] initrd [--json] [--quick] [--fs TYPE] [IMAGE...]
 *   xenprobe [--root DIR] publish [--domid N] [--trace]
 *   xenprobe [--root DIR] daemon [--domid N]     (also installed as xenprobed)
 *   xenprobe query [DOMID|NAME] [--all] [--json] [--watch] [--refresh]
 *
 * Exit status: 0 report produced, 1 no report could be produced, 2 usage;
 * initrd: 3 something missing, 4 could not verify.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "render.h"

#define EXIT_NOREPORT 1
#define EXIT_USAGE 2

static void usage(FILE *out)
{
        fprintf(out,
                "Usage: xenprobe [OPTIONS]                 report what kind of Xen guest this is\n"
                "       xenprobe [OPTIONS] snapshot DIR    copy what the probes read into DIR\n"
                "       xenprobe [OPTIONS] initrd [IMAGE...]  can these initramfs images boot\n"
                "                                          under Xen? (xenprobe initrd --help)\n"
                "       xenprobe [OPTIONS] publish         write the report into xenstore, once\n"
                "       xenprobe [OPTIONS] daemon          publish and keep it current (xenprobed)\n"
                "       xenprobe query [DOMID|NAME|--all]  dom0: what the guests published\n"
                "                                          (xenprobe query --help)\n"
                "\n"
                "Options:\n"
                "  -r, --root DIR   read DIR/sys, DIR/proc, ... instead of the live system\n"
                "                   (a snapshot, or a captured guest tree); CPUID then comes\n"
                "                   from DIR/run/xenprobe/cpuid or is \"not available\"; a\n"
                "                   mounted guest image (no proc/, no sys/) gets the boot\n"
                "                   readiness of its kernels only\n"
                "  -j, --json       one JSON object (schema 1, see xenprobe-json(7))\n"
                "  -s, --short      one word: pv pvh pvhvm hvm dom0-pv dom0-pvh none\n"
                "  -B, --no-boot    skip boot readiness (it reads the installed initramfs\n"
                "                   images: ~0.2 s each on a 2-core VM)\n"
                "  -v, --verbose    debug log on stderr (same as XENPROBE_LOG=debug)\n"
                "  -h, --help       this help\n"
                "  -V, --version    version\n"
                "\n"
                "Exit status: 0 report produced, 1 no report could be produced, 2 usage error.\n");
}

enum output { OUT_TEXT, OUT_JSON, OUT_SHORT };

/* A root directory with neither proc/ nor sys/ is an offline image, not a
 * capture: there is no live verdict to give. */
static bool root_has_live_data(struct xp_root *root)
{
        return xp_root_exists(root, "proc") || xp_root_exists(root, "sys");
}

int main(int argc, char **argv)
{
        static const struct option opts[] = {
                { "root", required_argument, NULL, 'r' }, { "json", no_argument, NULL, 'j' },
                { "short", no_argument, NULL, 's' },      { "verbose", no_argument, NULL, 'v' },
                { "no-boot", no_argument, NULL, 'B' },
                { "help", no_argument, NULL, 'h' },       { "version", no_argument, NULL, 'V' },
                {},
        };
        /* installed as xenprobed too: `xenprobed ARGS` is `xenprobe daemon ARGS` */
        const char *base = strrchr(argv[0], '/');
        char *nargv[argc + 2]; /* main's lifetime, as argv's */
        if (strcmp(base ? base + 1 : argv[0], "xenprobed") == 0) {
                /* the global --root DIR goes before "daemon", the rest after */
                int n = 0;
                nargv[n++] = argv[0];
                for (int i = 1; i < argc; i++)
                        if ((strcmp(argv[i], "--root") == 0 || strcmp(argv[i], "-r") == 0) && i + 1 < argc) {
                                nargv[n++] = argv[i];
                                nargv[n++] = argv[++i];
                        } else if (strncmp(argv[i], "--root=", 7) == 0)
                                nargv[n++] = argv[i];
                nargv[n++] = (char *)"daemon";
                for (int i = 1; i < argc; i++)
                        if ((strcmp(argv[i], "--root") == 0 || strcmp(argv[i], "-r") == 0) && i + 1 < argc)
                                i++;
                        else if (strncmp(argv[i], "--root=", 7) != 0)
                                nargv[n++] = argv[i];
                nargv[n] = NULL;
                argv = nargv;
                argc = n;
        }
        const char *rootdir = NULL;
        enum output out = OUT_TEXT;
        bool verbose = false, boot = true;
        int c;

        while ((c = getopt_long(argc, argv, "+r:jsvhVB", opts, NULL)) != -1) {
                switch (c) {
                case 'r':
                        rootdir = optarg;
                        break;
                case 'j':
                        out = OUT_JSON;
                        break;
                case 's':
                        out = OUT_SHORT;
                        break;
                case 'v':
                        verbose = true;
                        break;
                case 'B':
                        boot = false;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                case 'V':
                        printf("xenprobe %s\n", PACKAGE_VERSION);
                        return 0;
                default:
                        usage(stderr);
                        return EXIT_USAGE;
                }
        }

        const char *snapshot_dir = NULL;
        int initrd_argc = 0, sub_argc = 0;
        char **initrd_argv = NULL, **sub_argv = NULL;
        enum { SUB_NONE, SUB_PUBLISH, SUB_DAEMON } sub = SUB_NONE;
        if (optind < argc) {
                if (strcmp(argv[optind], "query") == 0) {
                        /* dom0 side: reads xenstore only, probes nothing */
                        if (rootdir) {
                                fprintf(stderr, "xenprobe: query reads xenstore; --root does not apply\n");
                                return EXIT_USAGE;
                        }
                        return xp_cmd_query(argc - optind, argv + optind, out == OUT_JSON, verbose);
                } else if (strcmp(argv[optind], "publish") == 0 || strcmp(argv[optind], "daemon") == 0) {
                        sub = argv[optind][0] == 'p' ? SUB_PUBLISH : SUB_DAEMON;
                        if (!boot) {
                                fprintf(stderr, "xenprobe: --no-boot goes after the command: xenprobe %s --no-boot\n",
                                        argv[optind]);
                                return EXIT_USAGE;
                        }
                        sub_argc = argc - optind;
                        sub_argv = argv + optind;
                } else if (strcmp(argv[optind], "initrd") == 0) {
                        initrd_argc = argc - optind;
                        initrd_argv = argv + optind;
                } else if (strcmp(argv[optind], "snapshot") == 0) {
                        if (argc - optind == 2 && (strcmp(argv[optind + 1], "--help") == 0 ||
                                                   strcmp(argv[optind + 1], "-h") == 0)) {
                                printf("Usage: xenprobe [--root DIR] snapshot DIR\n\n"
                                       "Copy the files the probes read, and the CPUID leaves, into DIR (created if\n"
                                       "needed); 'xenprobe --root DIR' replays it to the same verdict.  See\n"
                                       "xenprobe-snapshot(8).\n");
                                return 0;
                        }
                        if (argc - optind == 2 && argv[optind + 1][0] == '-') {
                                fprintf(stderr,
                                        "xenprobe: snapshot: '%s' looks like an option, not a directory (write ./%s for a directory of that name)\n",
                                        argv[optind + 1], argv[optind + 1]);
                                return EXIT_USAGE;
                        }
                        if (argc - optind != 2) {
                                fprintf(stderr, "xenprobe: snapshot takes one directory argument\n");
                                usage(stderr);
                                return EXIT_USAGE;
                        }
                        snapshot_dir = argv[optind + 1];
                } else {
                        fprintf(stderr, "xenprobe: unknown command '%s'\n", argv[optind]);
                        usage(stderr);
                        return EXIT_USAGE;
                }
        }

        /* --root / is the live system */
        bool live = true;
        char resolved[PATH_MAX];
        if (rootdir) {
                if (!realpath(rootdir, resolved)) {
                        fprintf(stderr, "xenprobe: --root %s: %s\n", rootdir, strerror(errno));
                        return EXIT_NOREPORT;
                }
                live = strcmp(resolved, "/") == 0;
        }
        int e;
        struct xp_root *root = xp_root_new(rootdir ? rootdir : "/", live, &e);
        if (!root) {
                fprintf(stderr, "xenprobe: %s: %s\n", rootdir ? rootdir : "/", strerror(-e));
                return EXIT_NOREPORT;
        }
        struct xp_ctx *ctx = xp_ctx_new(root);
        if (!ctx) {
                fprintf(stderr, "xenprobe: out of memory\n");
                xp_root_free(root);
                return EXIT_NOREPORT;
        }
        if (verbose)
                xp_ctx_set_log_priority(ctx, LOG_DEBUG);
        xp_ctx_set_verdict_only(ctx, out == OUT_SHORT && !snapshot_dir);

        int ret = EXIT_NOREPORT;
        struct xp_report *r = NULL;
        if (initrd_argv) {
                ret = xp_cmd_initrd(ctx, rootdir, out == OUT_JSON, initrd_argc, initrd_argv);
                goto out;
        }
        if (sub == SUB_PUBLISH) {
                ret = xp_cmd_publish(ctx, rootdir, sub_argc, sub_argv);
                goto out;
        }
        if (sub == SUB_DAEMON) {
                ret = xp_cmd_daemon(ctx, rootdir, sub_argc, sub_argv);
                goto out;
        }
        if (!live && !root_has_live_data(root)) {
                if (snapshot_dir || out == OUT_SHORT) {
                        ERR(ctx, "%s: no proc/ or sys/ below this root: it is not a capture of a running system, so there is no live verdict to give (make one with 'xenprobe snapshot DIR' on the guest)",
                            rootdir);
                        goto out;
                }
                /* a mounted guest image, seen from dom0 before `xl create` */
                ret = xp_cmd_offline(ctx, rootdir, out == OUT_JSON);
                goto out;
        }
        e = xp_probe_all(ctx, &r);
        if (e < 0) {
                ERR(ctx, "probing failed: %s", strerror(-e));
                goto out;
        }
        if (out != OUT_SHORT && !snapshot_dir && boot) {
                /* images are read only until the facts are known: the report
                 * stays fast; `xenprobe initrd` reads them whole */
                struct xp_boot_options bo = { .quick = true, .threads = 1 };
                e = xp_boot_probe(ctx, r, &bo);
                if (e < 0) {
                        ERR(ctx, "boot readiness: %s", strerror(-e));
                        goto out;
                }
        }
        if (snapshot_dir) {
                e = xp_snapshot_write(ctx, r, snapshot_dir);
                if (e == 0 && out != OUT_SHORT)
                        fprintf(stderr, "xenprobe: snapshot written to %s (replay: xenprobe --root %s)\n", snapshot_dir,
                                snapshot_dir);
                ret = e < 0 ? EXIT_NOREPORT : 0;
                goto out;
        }
        switch (out) {
        case OUT_JSON:
                e = xp_render_json(r, rootdir, stdout);
                break;
        case OUT_SHORT:
                e = xp_render_short(r, stdout);
                break;
        default:
                e = xp_render_text(r, stdout);
                if (e == 0)
                        e = xp_render_boot_text(&r->boot, stdout);
        }
        if (e == 0 && fflush(stdout) != 0)
                e = -errno;
        if (e < 0) {
                fprintf(stderr, "xenprobe: writing the report: %s\n", strerror(-e));
                goto out;
        }
        ret = 0;
out:
        xp_report_free(r);
        xp_ctx_unref(ctx);
        xp_root_free(root);
        return ret;
}
