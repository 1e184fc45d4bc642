/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `xenprobe query` (dom0): what the guests published below
 * /local/domain/<id>/data/xenprobe/, as a table, one domain's detail, or
 * JSON.  This file: the options, which domains, reading them, what is said
 * about each and the output; --refresh is dom0/refresh.c, --watch
 * dom0/watch.c (their shared state: dom0/query.h).
 *
 * No hang: the connection is opened with a bound of --timeout seconds on
 * every request (xp_xs_open_timeout, agent/xenstore/xenstore.h), so each
 * must be answered in that time however many domains there are; else the
 * message names the endpoint and the exit status is 1.  Output is written
 * between requests, whole documents (or whole lines in --watch), so
 * nothing is half-printed; neither poll() (--refresh has its own deadline,
 * --watch waits for events) nor a slow pager is limited by the bound.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h> /* isfinite */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "dom0/query.h"

#define EXIT_ERROR XP_QUERY_EXIT_ERROR
#define EXIT_USAGE XP_QUERY_EXIT_USAGE
#define EXIT_MISSING XP_QUERY_EXIT_MISSING
#define EXIT_UNANSWERED XP_QUERY_EXIT_UNANSWERED

/* what the timeout message adds to its hint */
#define TIMEOUT_HINT "--timeout SEC waits longer"

bool xp_query_verbose;
#define dbg xp_query_dbg

static void usage(FILE *out)
{
        fprintf(out,
                "Usage: xenprobe query [DOMID|NAME...] [--all] [--json | --prometheus [--output FILE]]\n"
                "                      [--watch [--heartbeat SEC]] [--refresh] [--timeout SEC]\n"
                "\n"
                "dom0: show what the guests' xenprobe daemons published in xenstore, below\n"
                "/local/domain/<id>/" XP_XS_BASE "/ (schema %d).  Every value was written by the\n"
                "guest: it is length-bounded, checked against the schema and shown safely.\n"
                "\n"
                "  DOMID|NAME         these domains (an all-digit argument is a domid); for one,\n"
                "                     every field follows the table\n"
                "  -a, --all          every domain under /local/domain (the default), including\n"
                "                     those that published nothing (status none)\n"
                "  -j, --json         {\"schema\":1,\"domains\":[...]}; with --watch, one JSON\n"
                "                     object per line: {\"time\",\"event\",\"domain\"}\n"
                "  -r, --refresh      ask each guest's daemon to publish now (writes\n"
                "                     " XP_XS_BASE "/request) and wait for its answer (served); with\n"
                "                     --all, only domains that published something are asked\n"
                "  -w, --watch        after the listing, print one line per change (initial,\n"
                "                     new, changed, gone) until SIGINT or SIGTERM\n"
                "  -p, --prometheus   the domains as Prometheus metrics (the text format that\n"
                "                     node_exporter's textfile collector reads); with --watch,\n"
                "                     written again on every change\n"
                "  -o, --output FILE  with --prometheus: replace FILE atomically (mode 0644)\n"
                "                     instead of writing to standard output\n"
                "  -H, --heartbeat SEC  with --watch --prometheus: write at least every SEC\n"
                "                     seconds, also when nothing changed (default 300)\n"
                "  -t, --timeout SEC  the longest wait for xenstored to answer, and for the\n"
                "                     guests to answer --refresh (default 5)\n"
                "  -v, --verbose      debug messages on standard error\n"
                "  -h, --help         this help\n"
                "\n"
                "STATUS: ok; none (nothing published); invalid (the data violates the schema:\n"
                "see the problems); schema-N (a newer schema, not interpreted); truncated\n"
                "(more entries or bytes than xenprobe reads: %u entries per directory,\n"
                "%u bytes per domain, %d per value); unreadable (xenstore refused, or the\n"
                "data kept changing).  A value marked '!' failed validation.\n"
                "\n"
                "Exit status: 0 shown; 1 error (xenstore unreachable); 2 usage error; 3 a\n"
                "named domain does not exist or published nothing valid; 4 a guest did not\n"
                "answer --refresh in time.\n",
                XP_XS_SCHEMA, XP_Q_MAX_ENTRIES, XP_Q_MAX_BYTES, XP_XS_VALUE_MAX);
}


/* ---------------------------------------------------------------- helpers */

uint64_t xp_query_now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *xp_query_dom_name(const struct xp_qdom *d, char *buf, size_t len)
{
        char *s = d->name.present ? xp_sanitize(d->name.raw, d->name.len, 64) : NULL;
        snprintf(buf, len, "domain %u%s%s%s", d->domid, s ? " (" : "", s ? s : "", s ? ")" : "");
        free(s);
        return buf;
}

static bool all_digits(const char *s)
{
        if (!*s)
                return false;
        for (; *s; s++)
                if (*s < '0' || *s > '9')
                        return false;
        return true;
}

static int fail_xs(struct xp_xs *xs, const char *what, int e)
{
        fprintf(stderr, "xenprobe: query: %s (%s): %s\n", what, xs ? xs->where : xp_xs_socket_path(),
                xp_xs_strerror(e));
        return EXIT_ERROR;
}

static void doms_free(struct query *q)
{
        for (size_t i = 0; i < q->n_doms; i++) {
                xp_qdom_clear(q->doms[i]);
                free(q->doms[i]);
        }
        free(q->doms);
        q->doms = NULL;
        q->n_doms = 0;
}

/* read every selected domain (in domid order) */
static int read_all(struct query *q)
{
        doms_free(q);
        q->doms = calloc(q->n_sel ? q->n_sel : 1, sizeof(*q->doms));
        if (!q->doms)
                return -ENOMEM;
        for (size_t i = 0; i < q->n_sel; i++) {
                struct xp_qdom *d = calloc(1, sizeof(*d));
                if (!d)
                        return -ENOMEM;
                int e = xp_q_read_domain(q->xs, q->sel[i], d);
                if (e < 0) {
                        free(d);
                        return e;
                }
                q->doms[q->n_doms++] = d;
                dbg("domain %u: %s, %zu bytes, %u unknown keys", d->domid, d->exists ? "read" : "gone", d->bytes_read,
                    d->unknown_keys);
        }
        return 0;
}

/* -------------------------------------------------------------- selection */

static int add_sel(struct query *q, unsigned id)
{
        unsigned *v = realloc(q->sel, (q->n_sel + 1) * sizeof(*v));
        if (!v)
                return -ENOMEM;
        q->sel = v;
        v[q->n_sel++] = id;
        return 0;
}

/* one DOMID|NAME argument A against the listed IDS; *NOTFOUND when it
 * names nothing */
static int select_arg(struct query *q, const char *a, const unsigned *ids, size_t n_ids, bool *notfound)
{
        if (all_digits(a)) {
                unsigned v;
                if (xp_domid_parse(a, strlen(a), XP_DOMID_TYPED, &v) == 0 && xp_q_has_domid(ids, n_ids, v))
                        return add_sel(q, v);
                fprintf(stderr, "xenprobe: query: domain %s does not exist (no /local/domain/%s in xenstore; 'xl list' shows the domains)\n",
                        a, a);
                *notfound = true;
                return 0;
        }
        unsigned *found = NULL;
        size_t nf = 0;
        int e = xp_q_find_name(q->xs, ids, n_ids, a, &found, &nf);
        for (size_t j = 0; e == 0 && j < nf; j++)
                e = add_sel(q, found[j]);
        free(found);
        if (e == 0 && nf == 0) {
                char *s = xp_sanitize(a, strlen(a), 64);
                fprintf(stderr, "xenprobe: query: no domain is named '%s' (no /local/domain/*/name matches; 'xl list' shows the names)\n",
                        s ? s : "?");
                free(s);
                *notfound = true;
        }
        return e;
}

/* resolve the DOMID|NAME arguments against the listed domids: Q->sel
 * sorted, each once */
static int select_args(struct query *q, char **args, int n, const unsigned *ids, size_t n_ids, bool *notfound)
{
        int e = 0;
        for (int i = 0; i < n && e == 0; i++)
                e = select_arg(q, args[i], ids, n_ids, notfound);
        if (e < 0)
                return e;
        if (q->n_sel > 1)
                qsort(q->sel, q->n_sel, sizeof(*q->sel), xp_q_cmp_domid);
        size_t m = 0;
        for (size_t i = 0; i < q->n_sel; i++)
                if (m == 0 || q->sel[m - 1] != q->sel[i])
                        q->sel[m++] = q->sel[i];
        q->n_sel = m;
        return 0;
}

/* every listed domain, or those the arguments name: exit status, -1 to go on */
static int select_domains(struct query *q, char **args, int nargs, bool *notfound)
{
        unsigned *ids = NULL;
        size_t n_ids = 0;
        int e = xp_q_list_domains(q->xs, &ids, &n_ids);
        if (e < 0)
                return fail_xs(q->xs, "listing /local/domain", e);
        if (q->all) {
                q->sel = ids;
                q->n_sel = n_ids;
                return -1;
        }
        e = select_args(q, args, nargs, ids, n_ids, notfound);
        free(ids);
        return e < 0 ? fail_xs(q->xs, "looking the domains up", e) : -1;
}

/* ---------------------------------------------------------------- options */

static bool parse_timeout(const char *s, double *out)
{
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > 86400)
                return false;
        *out = v;
        return true;
}

/* -1 to go on (the domain arguments from optind on), else the exit status */
static int parse_options(struct query *q, int argc, char **argv)
{
        static const struct option opts[] = {
                { "all", no_argument, NULL, 'a' },     { "json", no_argument, NULL, 'j' },
                { "watch", no_argument, NULL, 'w' },   { "refresh", no_argument, NULL, 'r' },
                { "timeout", required_argument, NULL, 't' }, { "verbose", no_argument, NULL, 'v' },
                { "prometheus", no_argument, NULL, 'p' }, { "output", required_argument, NULL, 'o' },
                { "heartbeat", required_argument, NULL, 'H' },
                { "help", no_argument, NULL, 'h' },    {},
        };
        int c;
        bool heartbeat = false;
        optind = 0; /* re-initialise getopt for the sub-command's argv */
        while ((c = getopt_long(argc, argv, "ajwrt:vhpo:H:", opts, NULL)) != -1) {
                switch (c) {
                case 'a': q->all = true; break;
                case 'j': q->json = true; break;
                case 'p': q->prom = true; break;
                case 'o': q->output = optarg; break;
                case 'H':
                        heartbeat = true;
                        if (parse_timeout(optarg, &q->heartbeat) && q->heartbeat >= 1)
                                break;
                        fprintf(stderr, "xenprobe: query: --heartbeat '%s': expected seconds, at least 1 and at most 86400\n",
                                optarg);
                        return EXIT_USAGE;
                case 'w': q->watch = true; break;
                case 'r': q->refresh = true; break;
                case 'v': xp_query_verbose = true; break;
                case 't':
                        if (parse_timeout(optarg, &q->timeout))
                                break;
                        fprintf(stderr, "xenprobe: query: --timeout '%s': expected seconds, more than 0 and at most 86400\n",
                                optarg);
                        return EXIT_USAGE;
                case 'h': usage(stdout); return 0;
                default: usage(stderr); return EXIT_USAGE;
                }
        }
        const char *conflict = q->output && !q->prom         ? "--output needs --prometheus"
                               : q->prom && q->json           ? "--prometheus and --json exclude each other"
                               : q->prom && q->watch && !q->output ? "--watch --prometheus needs --output FILE (the "
                                                                     "file is replaced on every change)"
                               : heartbeat && !(q->prom && q->watch) ? "--heartbeat needs --watch --prometheus"
                                                                   : NULL;
        if (conflict) {
                fprintf(stderr, "xenprobe: query: %s\n", conflict);
                usage(stderr);
                return EXIT_USAGE;
        }
        if (q->all && optind < argc) {
                fprintf(stderr, "xenprobe: query: --all and domain arguments exclude each other\n");
                usage(stderr);
                return EXIT_USAGE;
        }
        q->all = optind == argc;
        q->single = argc - optind == 1;
        return -1;
}

/* ------------------------------------------------------------ the domains */

/* read the selected domains (again after --refresh): exit status, -1 to go on */
static int read_domains(struct query *q, bool *unanswered)
{
        uint64_t t0 = xp_query_now_ns();
        int e = read_all(q);
        if (e < 0)
                return fail_xs(q->xs, "reading the domains", e);
        q->read_seconds = (double)(xp_query_now_ns() - t0) / 1e9;
        dbg("read %zu domains in %.3f s", q->n_doms, q->read_seconds);
        if (q->refresh) {
                e = xp_query_refresh(q, unanswered);
                if (e == 0)
                        e = read_all(q);
                if (e < 0)
                        return fail_xs(q->xs, "--refresh", e);
        }
        return -1;
}

/* what is shown: the domains still there (a named one that is gone is said) */
static void drop_gone(struct query *q, bool *notfound)
{
        size_t m = 0;
        for (size_t i = 0; i < q->n_doms; i++) {
                struct xp_qdom *d = q->doms[i];
                if (d->exists) {
                        q->doms[m++] = d;
                        continue;
                }
                if (!q->all) {
                        fprintf(stderr, "xenprobe: query: domain %u is gone\n", d->domid);
                        *notfound = true;
                }
                xp_qdom_clear(d);
                free(d);
        }
        q->n_doms = m;
}

/* a named domain with nothing valid to show: say why; true when one is */
static bool say_not_valid(const struct query *q)
{
        bool novalid = false;
        for (size_t i = 0; i < q->n_doms; i++) {
                const struct xp_qdom *d = q->doms[i];
                if (d->status == XP_Q_OK || d->status == XP_Q_TRUNCATED)
                        continue;
                char nb[128];
                xp_query_dom_name(d, nb, sizeof(nb));
                if (d->status == XP_Q_NONE)
                        fprintf(stderr, "xenprobe: query: %s: nothing published below %s (is xenprobed running in the guest?)\n",
                                nb, XP_XS_BASE);
                else if (d->status == XP_Q_INVALID)
                        fprintf(stderr, "xenprobe: query: %s: what it published violates schema %d (the problems say where)\n",
                                nb, XP_XS_SCHEMA);
                else if (d->status == XP_Q_FUTURE)
                        fprintf(stderr, "xenprobe: query: %s: published schema %u, newer than this xenprobe reads (%d): update xenprobe in dom0\n",
                                nb, d->future, XP_XS_SCHEMA);
                else
                        fprintf(stderr, "xenprobe: query: %s: unreadable: %s\n", nb,
                                d->problems && d->problems[0] ? d->problems[0] : "?");
                novalid = true;
        }
        return novalid;
}

/* the listing: JSON, the table (+ the detail of one named domain), or
 * --watch --json's "initial" events */
static int show(struct query *q)
{
        int e = 0;
        if (q->prom) {
                e = xp_query_write_prom(q, q->doms, q->n_doms);
                if (e < 0 && e != -ENOMEM && q->watch) {
                        /* said; --watch tries again (the directory may
                         * appear later, a full disk may have room) */
                        q->prom_dirty = true;
                        e = 0;
                }
                return e;
        }
        if (q->watch && q->json) {
                for (size_t i = 0; i < q->n_doms && e == 0; i++)
                        e = xp_query_emit(q, "initial", q->doms[i]);
        } else if (q->json) {
                e = xp_q_render_json(q->doms, q->n_doms, stdout);
        } else if (q->n_doms > 0 || q->all) {
                e = xp_q_render_table(q->doms, q->n_doms, q->widths, stdout);
                if (e == 0 && q->single && q->n_doms == 1)
                        e = xp_q_render_detail(q->doms[0], stdout);
        }
        if (e == 0 && fflush(stdout) != 0)
                e = -errno;
        if (e < 0)
                fprintf(stderr, "xenprobe: query: writing the output: %s\n", strerror(-e));
        return e;
}

/* --watch after the listing: the exit status */
static int watch(struct query *q)
{
        int e = xp_query_watch(q);
        if (e == -EIO)
                fprintf(stderr, "xenprobe: query: writing the output: %s\n", strerror(EIO));
        return e == -EIO ? EXIT_ERROR : e < 0 ? fail_xs(q->xs, "--watch", e) : 0;
}

/* ------------------------------------------------------------------- main */

/* connect, select, read (refresh), show, watch: the exit status */
static int run(struct query *q, char **args, int nargs)
{
        bool notfound = false, unanswered = false;
        int ret = select_domains(q, args, nargs, &notfound);
        if (ret < 0)
                ret = read_domains(q, &unanswered);
        if (ret >= 0)
                return ret;
        drop_gone(q, &notfound);
        bool novalid = !q->all && say_not_valid(q);
        if (show(q) < 0)
                return EXIT_ERROR;
        if (q->watch && !notfound)
                /* a named domain that has published nothing yet is
                 * followed: its daemon may be starting */
                return watch(q);
        return notfound || novalid ? EXIT_MISSING : unanswered ? EXIT_UNANSWERED : 0;
}

int xp_cmd_query(int argc, char **argv, bool json, bool verbose)
{
        struct query q = { .json = json, .timeout = 5, .heartbeat = 300 };
        xp_query_verbose = verbose;
        int ret = parse_options(&q, argc, argv);
        if (ret >= 0)
                return ret;
        if (q.watch)
                /* before libxenstore starts its thread */
                xp_query_watch_signals();
        int e = xp_xs_open_timeout(&q.xs, q.timeout, TIMEOUT_HINT);
        if (e < 0) {
                fprintf(stderr, "xenprobe: query: cannot connect to xenstore (%s): %s\n", xp_xs_socket_path(),
                        xp_xs_strerror(e));
                return EXIT_ERROR;
        }
        dbg("connected to %s", q.xs->where);
        ret = run(&q, argv + optind, argc - optind);
        doms_free(&q);
        free(q.sel);
        free(q.refreshed);
        xp_xs_close(q.xs);
        return ret;
}
