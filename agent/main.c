/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenprobe: what kind of Xen guest is this, with the evidence.
 *
 *   xenprobe [--root DIR] [--json | --short | --prometheus] [--verbose]
 *   xenprobe [--root DIR] snapshot DIR
 *   xenprobe [--root DIR] initrd [--json] [--quick] [--fs TYPE] [IMAGE...]
 *   xenprobe [--root DIR] publish [--domid N] [--trace]
 *   xenprobe [--root DIR] daemon [--domid N]     (also installed as xenprobed)
 *   xenprobe [--root DIR] facts [--wrap] [--boot]
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
#include <time.h>

#include "agent.h"
#include "render.h"

#define EXIT_NOREPORT 1
#define EXIT_USAGE 2

enum output { OUT_TEXT, OUT_JSON, OUT_SHORT, OUT_PROM };

/* the global options, before the command */
struct opts {
        const char *rootdir;
        enum output out;
        bool verbose, boot;
};

/* what a command gets */
struct cmd_run {
        const struct opts *o;
        int argc;    /* from the command's name on (0 for the report) */
        char **argv;
        /* the probes' context, for the commands that probe (else NULL) */
        struct xp_root *root;
        struct xp_ctx *ctx;
        bool live; /* the root is the running system */
};

struct command {
        const char *name; /* NULL: no command, the report */
        /* runs on the probes' context (root and ctx), else on none (query) */
        bool probes;
        /* before the context exists: -1 to go on, else the exit status */
        int (*check)(const struct cmd_run *c);
        int (*run)(struct cmd_run *c); /* the exit status */
        const char *help;              /* its lines of usage() */
};

static void usage(FILE *out);

/* ------------------------------------------------------- the commands */

/* A root directory with neither proc/ nor sys/ is an offline image, not a
 * capture: there is no live verdict to give. */
static bool root_has_live_data(struct xp_root *root)
{
        return xp_root_exists(root, "proc") || xp_root_exists(root, "sys");
}

/* not a capture of a running system: said for what needs a live verdict */
static bool offline_image(const struct cmd_run *c)
{
        return !c->live && !root_has_live_data(c->root);
}

static void say_not_a_capture(const struct cmd_run *c)
{
        ERR(c->ctx, "%s: no proc/ or sys/ below this root: it is not a capture of a running system, so there is no live verdict to give (make one with 'xenprobe snapshot DIR' on the guest)",
            c->o->rootdir);
}

/* the report (probes, boot readiness when BOOT), NULL when it failed (said) */
static struct xp_report *probe(const struct cmd_run *c, bool boot)
{
        struct xp_report *r = NULL;
        const char *failed = "";
        int e = xp_probe_run(c->ctx, boot ? &xp_boot_quick : NULL, &r, &failed);
        if (e < 0) {
                ERR(c->ctx, "%s: %s", failed, strerror(-e));
                return NULL;
        }
        return r;
}

static int render(const struct xp_report *r, const struct opts *o)
{
        int e;
        switch (o->out) {
        case OUT_JSON:
                e = xp_render_json(r, o->rootdir, stdout);
                break;
        case OUT_SHORT:
                e = xp_render_short(r, stdout);
                break;
        case OUT_PROM: {
                /* the probe just ran: now is when */
                struct timespec now;
                clock_gettime(CLOCK_REALTIME, &now);
                e = xp_render_prom(r, (double)now.tv_sec + (double)(now.tv_nsec / 1000000) / 1e3, stdout);
                break;
        }
        default:
                e = xp_render_text(r, stdout);
                if (e == 0)
                        e = xp_render_boot_text(&r->boot, stdout);
        }
        if (e == 0 && fflush(stdout) != 0)
                e = -errno;
        if (e < 0) {
                fprintf(stderr, "xenprobe: writing the report: %s\n", strerror(-e));
                return EXIT_NOREPORT;
        }
        return 0;
}

static int cmd_report(struct cmd_run *c)
{
        const struct opts *o = c->o;
        if (offline_image(c)) {
                if (o->out == OUT_SHORT || o->out == OUT_PROM) {
                        say_not_a_capture(c);
                        return EXIT_NOREPORT;
                }
                /* a mounted guest image, seen from dom0 before `xl create` */
                return xp_cmd_offline(c->ctx, o->rootdir, o->out == OUT_JSON);
        }
        struct xp_report *r = probe(c, o->out != OUT_SHORT && o->boot);
        if (!r)
                return EXIT_NOREPORT;
        int ret = render(r, o);
        xp_report_free(r);
        return ret;
}

static int check_snapshot(const struct cmd_run *c)
{
        if (c->argc == 2 && (strcmp(c->argv[1], "--help") == 0 || strcmp(c->argv[1], "-h") == 0)) {
                printf("Usage: xenprobe [--root DIR] snapshot DIR\n\n"
                       "Copy the files the probes read, and the CPUID leaves, into DIR (created if\n"
                       "needed); 'xenprobe --root DIR' replays it to the same verdict.  See\n"
                       "xenprobe-snapshot(8).\n");
                return 0;
        }
        if (c->argc == 2 && c->argv[1][0] == '-') {
                fprintf(stderr,
                        "xenprobe: snapshot: '%s' looks like an option, not a directory (write ./%s for a directory of that name)\n",
                        c->argv[1], c->argv[1]);
                return EXIT_USAGE;
        }
        if (c->argc != 2) {
                fprintf(stderr, "xenprobe: snapshot takes one directory argument\n");
                usage(stderr);
                return EXIT_USAGE;
        }
        return -1;
}

static int cmd_snapshot(struct cmd_run *c)
{
        const char *dir = c->argv[1];
        /* every probe runs, --short or not: the snapshot holds what they read */
        xp_ctx_set_verdict_only(c->ctx, false);
        if (offline_image(c)) {
                say_not_a_capture(c);
                return EXIT_NOREPORT;
        }
        struct xp_report *r = probe(c, false);
        if (!r)
                return EXIT_NOREPORT;
        int e = xp_snapshot_write(c->ctx, r, dir);
        if (e == 0 && c->o->out != OUT_SHORT)
                fprintf(stderr, "xenprobe: snapshot written to %s (replay: xenprobe --root %s)\n", dir, dir);
        xp_report_free(r);
        return e < 0 ? EXIT_NOREPORT : 0;
}

static int cmd_initrd(struct cmd_run *c)
{
        return xp_cmd_initrd(c->ctx, c->o->rootdir, c->o->out == OUT_JSON, c->argc, c->argv);
}

static int cmd_facts(struct cmd_run *c)
{
        /* the warnings count needs every probe, --short or not */
        xp_ctx_set_verdict_only(c->ctx, false);
        return xp_cmd_facts(c->ctx, c->o->rootdir, offline_image(c), c->argc, c->argv);
}

/* publish, daemon: boot readiness is their own option */
static int check_no_boot_after(const struct cmd_run *c)
{
        if (c->o->boot)
                return -1;
        fprintf(stderr, "xenprobe: --no-boot goes after the command: xenprobe %s --no-boot\n", c->argv[0]);
        return EXIT_USAGE;
}

static int cmd_publish(struct cmd_run *c)
{
        return xp_cmd_publish(c->ctx, c->o->rootdir, c->argc, c->argv);
}

static int cmd_daemon(struct cmd_run *c)
{
        return xp_cmd_daemon(c->ctx, c->o->rootdir, c->argc, c->argv);
}

/* dom0 side: reads xenstore only, probes nothing */
static int check_query(const struct cmd_run *c)
{
        if (!c->o->rootdir)
                return -1;
        fprintf(stderr, "xenprobe: query reads xenstore; --root does not apply\n");
        return EXIT_USAGE;
}

static int cmd_query(struct cmd_run *c)
{
        return xp_cmd_query(c->argc, c->argv, c->o->out == OUT_JSON, c->o->verbose);
}

/* in usage() order */
static const struct command commands[] = {
        { NULL, true, NULL, cmd_report,
          "xenprobe [OPTIONS]                 report what kind of Xen guest this is\n" },
        { "snapshot", true, check_snapshot, cmd_snapshot,
          "xenprobe [OPTIONS] snapshot DIR    copy what the probes read into DIR\n" },
        { "initrd", true, NULL, cmd_initrd,
          "xenprobe [OPTIONS] initrd [IMAGE...]  can these initramfs images boot\n"
          "                                          under Xen? (xenprobe initrd --help)\n" },
        { "facts", true, NULL, cmd_facts,
          "xenprobe [OPTIONS] facts          the facts for Ansible, Facter, Ohai\n"
          "                                          (xenprobe facts --help)\n" },
        { "publish", true, check_no_boot_after, cmd_publish,
          "xenprobe [OPTIONS] publish         write the report into xenstore, once\n" },
        { "daemon", true, check_no_boot_after, cmd_daemon,
          "xenprobe [OPTIONS] daemon          publish and keep it current (xenprobed)\n" },
        { "query", false, check_query, cmd_query,
          "xenprobe query [DOMID|NAME|--all]  dom0: what the guests published\n"
          "                                          (xenprobe query --help)\n" },
};
static const size_t n_commands = sizeof(commands) / sizeof(commands[0]);

static void usage(FILE *out)
{
        for (size_t i = 0; i < n_commands; i++)
                fprintf(out, "%s%s", i == 0 ? "Usage: " : "       ", commands[i].help);
        fputs(
                "\n"
                "Options:\n"
                "  -r, --root DIR   read DIR/sys, DIR/proc, ... instead of the live system\n"
                "                   (a snapshot, or a captured guest tree); CPUID then comes\n"
                "                   from DIR/run/xenprobe/cpuid or is \"not available\"; a\n"
                "                   mounted guest image (no proc/, no sys/) gets the boot\n"
                "                   readiness of its kernels only\n"
                "  -j, --json       one JSON object (schema 1, see xenprobe-json(7))\n"
                "  -s, --short      one word: pv pvh pvhvm hvm dom0-pv dom0-pvh none\n"
                "  -p, --prometheus the report as Prometheus metrics, the text format of\n"
                "                   node_exporter's textfile collector (xenprobe-metrics(7));\n"
                "                   xenprobed --textfile keeps such a file current\n"
                "  -B, --no-boot    skip boot readiness (it reads the installed initramfs\n"
                "                   images: ~0.2 s each on a 2-core VM)\n"
                "  -v, --verbose    debug log on stderr (same as XENPROBE_LOG=debug)\n"
                "  -h, --help       this help\n"
                "  -V, --version    version\n"
                "\n"
                "Exit status: 0 report produced, 1 no report could be produced, 2 usage error.\n",
              out);
}

static const struct command *find_command(const char *name)
{
        for (size_t i = 0; i < n_commands; i++)
                if (name ? commands[i].name && strcmp(commands[i].name, name) == 0 : !commands[i].name)
                        return &commands[i];
        return NULL;
}

/* ---------------------------------------------------------------- main */

/* How many entries of ARGV from I on are the global --root option: 2
 * ("--root DIR", "-r DIR"), 1 ("--root=DIR"), or 0. */
static int root_option_len(int argc, char **argv, int i)
{
        if ((strcmp(argv[i], "--root") == 0 || strcmp(argv[i], "-r") == 0) && i + 1 < argc)
                return 2;
        return strncmp(argv[i], "--root=", 7) == 0;
}

/* installed as xenprobed too: `xenprobed ARGS` is `xenprobe daemon ARGS`,
 * the global --root DIR before "daemon", the rest after; into NARGV
 * (ARGC + 2 entries), the new argc */
static int xenprobed_argv(int argc, char **argv, char **nargv)
{
        int n = 0;
        nargv[n++] = argv[0];
        for (int i = 1, l; i < argc; i += l ? l : 1) {
                l = root_option_len(argc, argv, i);
                for (int j = 0; j < l; j++)
                        nargv[n++] = argv[i + j];
        }
        nargv[n++] = (char *)"daemon";
        for (int i = 1, l; i < argc; i += l ? l : 1) {
                l = root_option_len(argc, argv, i);
                if (!l)
                        nargv[n++] = argv[i];
        }
        nargv[n] = NULL;
        return n;
}

/* the global options: -1 to go on (the command at optind), else the exit status */
static int parse_options(int argc, char **argv, struct opts *o)
{
        static const struct option opts[] = {
                { "root", required_argument, NULL, 'r' }, { "json", no_argument, NULL, 'j' },
                { "short", no_argument, NULL, 's' },      { "verbose", no_argument, NULL, 'v' },
                { "no-boot", no_argument, NULL, 'B' },    { "prometheus", no_argument, NULL, 'p' },
                { "help", no_argument, NULL, 'h' },       { "version", no_argument, NULL, 'V' },
                {},
        };
        int c;
        while ((c = getopt_long(argc, argv, "+r:jsvhVBp", opts, NULL)) != -1) {
                switch (c) {
                case 'r': o->rootdir = optarg; break;
                case 'j': o->out = OUT_JSON; break;
                case 's': o->out = OUT_SHORT; break;
                case 'p': o->out = OUT_PROM; break;
                case 'v': o->verbose = true; break;
                case 'B': o->boot = false; break;
                case 'h': usage(stdout); return 0;
                case 'V': printf("xenprobe %s\n", PACKAGE_VERSION); return 0;
                default: usage(stderr); return EXIT_USAGE;
                }
        }
        return -1;
}

/* the probes' context for C, then CMD on it */
static int run_probed(const struct command *cmd, struct cmd_run *c)
{
        const char *rootdir = c->o->rootdir;
        /* --root / is the live system */
        char resolved[PATH_MAX];
        c->live = true;
        if (rootdir) {
                if (!realpath(rootdir, resolved)) {
                        fprintf(stderr, "xenprobe: --root %s: %s\n", rootdir, strerror(errno));
                        return EXIT_NOREPORT;
                }
                c->live = strcmp(resolved, "/") == 0;
        }
        int e;
        c->root = xp_root_new(rootdir ? rootdir : "/", c->live, &e);
        if (!c->root) {
                fprintf(stderr, "xenprobe: %s: %s\n", rootdir ? rootdir : "/", strerror(-e));
                return EXIT_NOREPORT;
        }
        c->ctx = xp_ctx_new(c->root);
        if (!c->ctx) {
                fprintf(stderr, "xenprobe: out of memory\n");
                xp_root_free(c->root);
                return EXIT_NOREPORT;
        }
        if (c->o->verbose)
                xp_ctx_set_log_priority(c->ctx, LOG_DEBUG);
        xp_ctx_set_verdict_only(c->ctx, c->o->out == OUT_SHORT);
        int ret = cmd->run(c);
        xp_ctx_unref(c->ctx);
        xp_root_free(c->root);
        return ret;
}

int main(int argc, char **argv)
{
        const char *base = strrchr(argv[0], '/');
        char *nargv[argc + 2]; /* main's lifetime, as argv's */
        if (strcmp(base ? base + 1 : argv[0], "xenprobed") == 0) {
                argc = xenprobed_argv(argc, argv, nargv);
                argv = nargv;
        }
        struct opts o = { .out = OUT_TEXT, .boot = true };
        int ret = parse_options(argc, argv, &o);
        if (ret >= 0)
                return ret;
        const struct command *cmd = find_command(optind < argc ? argv[optind] : NULL);
        if (!cmd) {
                fprintf(stderr, "xenprobe: unknown command '%s'\n", argv[optind]);
                usage(stderr);
                return EXIT_USAGE;
        }
        if (o.out == OUT_PROM && cmd->name) {
                fprintf(stderr, "xenprobe: --prometheus is for the report (xenprobe --prometheus)%s\n",
                        strcmp(cmd->name, "query") == 0 ? "; for the domains: xenprobe query --prometheus"
                        : strcmp(cmd->name, "daemon") == 0 ? "; a file kept current: xenprobe daemon --textfile FILE"
                                                           : "");
                return EXIT_USAGE;
        }
        struct cmd_run c = { .o = &o, .argc = argc - optind, .argv = argv + optind };
        if (cmd->check && (ret = cmd->check(&c)) >= 0)
                return ret;
        return cmd->probes ? run_probed(cmd, &c) : cmd->run(&c);
}
