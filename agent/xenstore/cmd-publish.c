/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `xenprobe publish`: probe once, write the result into xenstore, exit.
 * For images without the daemon (cron, cloud-init, a boot script).
 *
 *   xenprobe [--root DIR] publish [--domid N] [--no-boot] [--trace] [--xapi-services]
 *
 * Exit status: 0 written (or already current), 1 error, 2 usage,
 * 5 not a Xen guest: nothing published.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "xenstore/publish.h"

#define EXIT_NOT_XEN 5

bool xp_publish_applies(struct xp_ctx *ctx, const struct xp_report *r)
{
        if (r->hypervisor == XP_HV_XEN && r->role != XP_ROLE_NONE)
                return true;
        INFO(ctx, "not a Xen guest (verdict: %s%s%s): nothing to publish in xenstore", xp_report_verdict(r),
             r->hypervisor != XP_HV_NONE ? ", hypervisor " : "",
             r->hypervisor != XP_HV_NONE ? xp_hv_to_string(r->hypervisor) : "");
        return false;
}

static void usage(FILE *out)
{
        fprintf(out, "Usage: xenprobe [--root DIR] publish [--domid N] [--no-boot] [--trace]\n"
                     "                                  [--xapi-services]\n"
                     "\n"
                     "Probe once and write the result below data/xenprobe/ in this guest's\n"
                     "xenstore area (schema 1, see xenprobe-xenstore(7)), in one transaction,\n"
                     "only what changed.\n"
                     "\n"
                     "  -d, --domid N  write /local/domain/N/data/xenprobe instead (dom0 only;\n"
                     "                 needed with --root, whose report is not this domain's)\n"
                     "  -B, --no-boot  leave boot readiness out (boot/summary: not-checked)\n"
                     "  -t, --trace    print each key written (+) or removed (-)\n"
                     "  -X, --xapi-services\n"
                     "                 also mirror mode, verdict, boot summary, PV block state and\n"
                     "                 generation below data/service/xenprobe/, where XAPI >= 25.15\n"
                     "                 shows them as the VM's services (xenprobe/mode, ...); without\n"
                     "                 it, a mirror left from an earlier run is removed\n"
                     "  -v, --verbose  debug log\n"
                     "\n"
                     "Exit status: 0 written or already current, 1 error, 2 usage,\n"
                     "5 not a Xen guest (nothing published).\n");
}

int xp_publish_options(struct xp_ctx *ctx, const char *cmd, int argc, char **argv, void (*help)(FILE *),
                       struct xp_publish_opts *o)
{
        static const struct option opts[] = {
                { "domid", required_argument, NULL, 'd' },
                { "no-boot", no_argument, NULL, 'B' },
                { "trace", no_argument, NULL, 't' },
                { "xapi-services", no_argument, NULL, 'X' },
                { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                { "textfile", required_argument, NULL, 'T' },
                {},
        };
        const char *domid = NULL;
        int c;
        *o = (struct xp_publish_opts){ .boot = true };
        optind = 1;
        while ((c = getopt_long(argc, argv, "d:BtXvhT:", opts, NULL)) != -1) {
                switch (c) {
                case 'd':
                        domid = optarg;
                        break;
                case 'B':
                        o->boot = false;
                        break;
                case 't':
                        o->trace = true;
                        break;
                case 'X':
                        o->xapi_services = true;
                        break;
                case 'v':
                        xp_ctx_set_log_priority(ctx, LOG_DEBUG);
                        break;
                case 'T':
                        if (strcmp(cmd, "daemon") != 0) {
                                fprintf(stderr, "xenprobe %s: --textfile is the daemon's (xenprobed --textfile "
                                                "FILE); once, to stdout: xenprobe --prometheus\n", cmd);
                                return 2;
                        }
                        o->textfile = optarg;
                        break;
                case 'h':
                        help(stdout);
                        return 0;
                default:
                        help(stderr);
                        return 2;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "xenprobe %s: unexpected argument '%s'\n", cmd, argv[optind]);
                return 2;
        }
        if (o->textfile && (!*o->textfile || o->textfile[strlen(o->textfile) - 1] == '/')) {
                fprintf(stderr, "xenprobe %s: --textfile '%s': name a file, not a directory (e.g. "
                                "/var/lib/prometheus/node-exporter/xenprobe.prom)\n", cmd, o->textfile);
                return 2;
        }
        if (xp_publish_home(domid, o->home, sizeof(o->home)) < 0) {
                fprintf(stderr, "xenprobe %s: --domid %s: not a domain id (0 to 32751)\n", cmd, domid);
                return 2;
        }
        if (!xp_root_is_live(xp_ctx_root(ctx)) && !domid) {
                fprintf(stderr, "xenprobe %s: with --root, the report is not this domain's: name the domain "
                                "whose area to write with --domid N (from dom0)\n", cmd);
                return 2;
        }
        return -1;
}

/* What became of the XAPI services mirror, when anything did. */
static void print_mirror(const char *home, const struct xp_publish_opts *o, const struct xp_publish_result *res)
{
        char mbase[128];
        (void)xp_xs_mirror_base(home, mbase, sizeof(mbase));
        if (res->mirror_dropped)
                fprintf(stderr, "xenprobe: %s not written: xenstore's quota refused it (the keys above are whole)\n",
                        mbase);
        else if (o->xapi_services && (res->mirror_written || res->mirror_removed))
                fprintf(stderr, "xenprobe: mirrored for XAPI into %s (%u written, %u removed)\n", mbase,
                        res->mirror_written, res->mirror_removed);
        else if (!o->xapi_services && res->mirror_removed)
                fprintf(stderr, "xenprobe: removed %s (the XAPI services mirror of an earlier run; "
                                "--xapi-services keeps it)\n", mbase);
}

int xp_cmd_publish(struct xp_ctx *ctx, const char *rootdir, int argc, char **argv)
{
        struct xp_publish_opts o;
        int ret = xp_publish_options(ctx, "publish", argc, argv, usage, &o);
        if (ret >= 0)
                return ret;
        (void)rootdir;
        const char *home = o.home;
        bool boot = o.boot, trace = o.trace;

        struct xp_report *r = NULL;
        int e = xp_probe_run(ctx, boot ? &xp_boot_quick : NULL, &r, NULL);
        if (e < 0) {
                ERR(ctx, "probing failed: %s", strerror(-e));
                return 1;
        }
        if (!xp_publish_applies(ctx, r)) {
                fprintf(stderr, "xenprobe publish: not a Xen guest (verdict: %s): nothing published\n",
                        xp_report_verdict(r));
                xp_report_free(r);
                return EXIT_NOT_XEN;
        }

        ret = 1;
        struct xp_kvs kv = { 0 };
        struct xp_xs *xs = NULL;
        e = xp_xs_schema(r, &kv);
        if (e < 0) {
                ERR(ctx, "building the xenstore keys: %s", strerror(-e));
                goto out;
        }
        e = xp_xs_open(&xs);
        if (e < 0) {
                fprintf(stderr, "xenprobe publish: cannot connect to xenstore: %s\n", xp_xs_strerror(e));
                goto out;
        }
        DBG(ctx, "xenstore: %s", xs->where);
        struct xp_publish_result res;
        e = xp_xs_publish(ctx, xs, home, &kv, 0, NULL, o.xapi_services ? XP_PUBLISH_XAPI_SERVICES : 0,
                          trace ? stdout : NULL, &res);
        if (e < 0)
                goto out; /* xp_xs_publish said why */
        char base[128];
        (void)xp_xs_base(home, base, sizeof(base));
        if (res.changed)
                fprintf(stderr, "xenprobe: published %s (generation %" PRIu64 ", %u written, %u removed%s)\n", base,
                        res.generation, res.written, res.removed,
                        res.reduced ? "; free-text keys left out: quota" : "");
        else
                fprintf(stderr, "xenprobe: %s already current (generation %" PRIu64 ")\n", base, res.generation);
        print_mirror(home, &o, &res);
        ret = 0;
out:
        xp_xs_close(xs);
        xp_kvs_clear(&kv);
        xp_report_free(r);
        return ret;
}
