/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `xenprobe facts [--wrap] [--boot]`: the facts object for configuration
 * management (xenprobe-facts(8)).  A fact loader turns a failing command
 * into an error string (Ansible) or drops the fact (Facter), so a run
 * whose probes failed still exits 0, with an object that says why in
 * "error"; only a usage error or an unwritable output exits otherwise.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "render.h"

#define EXIT_OK 0
#define EXIT_ERROR 1
#define EXIT_USAGE 2

static void usage(FILE *out)
{
        fprintf(out,
                "Usage: xenprobe [--root DIR] facts [--wrap] [--boot]\n"
                "One small JSON object for configuration management (Ansible's facts.d,\n"
                "Facter, Ohai): verdict, mode, role, confidence, hypervisor, Xen version,\n"
                "PV drivers, warnings (the FACTS section of xenprobe-json(7)).  Exit status 0\n"
                "also where this is not Xen, and when probing failed (then \"error\" says why).\n"
                "\n"
                "  -w, --wrap   inside one top-level \"xenprobe\" key (for Facter, whose\n"
                "               top-level keys replace its core facts)\n"
                "  -b, --boot   also the boot readiness summary (reads the installed\n"
                "               initramfs images; without it no image is read)\n"
                "  -h, --help   this help\n"
                "\n"
                "Exit status: 0 facts printed, 1 they could not be written, 2 usage error.\n");
}

struct facts_opts {
        bool wrap, boot;
};

/* -1 to go on, else the exit status */
static int parse_options(int argc, char **argv, struct facts_opts *o)
{
        static const struct option opts[] = {
                { "wrap", no_argument, NULL, 'w' },
                { "boot", no_argument, NULL, 'b' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;
        optind = 0; /* glibc: full re-initialisation */
        while ((c = getopt_long(argc, argv, "wbh", opts, NULL)) != -1) {
                switch (c) {
                case 'w': o->wrap = true; break;
                case 'b': o->boot = true; break;
                case 'h': usage(stdout); return EXIT_OK;
                default: usage(stderr); return EXIT_USAGE;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "xenprobe: facts: unexpected argument '%s'\n", argv[optind]);
                usage(stderr);
                return EXIT_USAGE;
        }
        return -1;
}

/* the exit status for a render's result E */
static int written(int e)
{
        if (e == 0 && fflush(stdout) != 0)
                e = -errno;
        if (e < 0) {
                fprintf(stderr, "xenprobe: facts: writing the facts: %s\n", strerror(-e));
                return EXIT_ERROR;
        }
        return EXIT_OK;
}

int xp_cmd_facts(struct xp_ctx *ctx, const char *rootdir, bool offline, int argc, char **argv)
{
        struct facts_opts o = {};
        int ret = parse_options(argc, argv, &o);
        if (ret >= 0)
                return ret;
        char msg[PATH_MAX + 200];
        if (offline) {
                snprintf(msg, sizeof(msg),
                         "%s: no proc/ or sys/ below this root: not a capture of a running system, so there is no live verdict",
                         rootdir);
                fprintf(stderr, "xenprobe: facts: %s\n", msg);
                return written(xp_render_facts_error(msg, o.wrap, stdout));
        }
        struct xp_report *r = NULL;
        const char *failed = "probing failed";
        int e = xp_probe_run(ctx, o.boot ? &xp_boot_quick : NULL, &r, &failed);
        if (e < 0) {
                snprintf(msg, sizeof(msg), "%s: %s", failed, strerror(-e));
                fprintf(stderr, "xenprobe: facts: %s\n", msg);
                return written(xp_render_facts_error(msg, o.wrap, stdout));
        }
        ret = written(xp_render_facts(r, o.wrap, stdout));
        xp_report_free(r);
        return ret;
}
