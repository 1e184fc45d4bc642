/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `xenprobe query --prometheus`: every read domain as Prometheus metrics,
 * for node_exporter's textfile collector (agent/prom.h has the format).
 *
 * Series per domain are few and fixed, whatever the guest published
 * (xenprobe-metrics(7) lists them): its identity, one info of the
 * validated tokens, the boot summary as a state set, the kernels counted
 * by status, the PV drivers' states and the warning count.  Identity labels
 * (domid, name, uuid) come from the toolstack's nodes; guest-written
 * values reach a label only as a word the schema allows (or a checked
 * token): free text (pretty-name, problems, warning text) never does.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "prom.h"
#include "dom0/dom0.h"

#define ID_LABELS 3

/* domid, name, uuid: the identity every per-domain sample carries */
static void identity(const struct xp_qdom *d, char *domid, size_t len, struct xp_prom_label *l)
{
        snprintf(domid, len, "%u", d->domid);
        l[0] = (struct xp_prom_label){ "domid", domid, XP_PROM_STRLEN };
        l[1] = (struct xp_prom_label){ "name", d->name.present ? d->name.raw : NULL, d->name.len };
        l[2] = (struct xp_prom_label){ "uuid", d->uuid, XP_PROM_STRLEN };
}

/* the status as a fixed word: a newer schema's number stays out of it */
static const char *status_label(enum xp_qstatus s)
{
        char buf[32];
        return s == XP_Q_FUTURE ? "schema" : xp_q_status_word(s, 0, buf, sizeof(buf));
}

/* Were the guest's values interpreted (each one then valid or marked)? */
static bool interpreted(const struct xp_qdom *d)
{
        return d->status == XP_Q_OK || d->status == XP_Q_TRUNCATED || d->status == XP_Q_INVALID;
}

/* key K as a label value: the validated word or token, else "" */
static struct xp_prom_label token(const struct xp_qdom *d, const char *name, enum xp_key k)
{
        const struct xp_qval *v = &d->v[k];
        bool ok = v->present && !v->invalid && !v->truncated && xp_prom_token(v->raw, v->len);
        return (struct xp_prom_label){ name, ok ? v->raw : NULL, ok ? v->len : 0 };
}

/* the samples of one family for domain D; L holds its identity labels,
 * with room for MAX_LABELS */
#define MAX_LABELS (ID_LABELS + 9)
typedef void samples_fn(FILE *out, const char *metric, const struct xp_qdom *d, const struct xp_q_prom_run *run,
                        struct xp_prom_label *l);

static void domain_info(FILE *out, const char *metric, const struct xp_qdom *d, const struct xp_q_prom_run *run,
                        struct xp_prom_label *l)
{
        (void)run;
        l[ID_LABELS] = (struct xp_prom_label){ "status", status_label(d->status), XP_PROM_STRLEN };
        xp_prom_sample(out, metric, l, ID_LABELS + 1, 1);
}

/* --refresh: 1 for a guest whose daemon answered in time, 0 for one that
 * did not (or whose request could not be written) */
static void refresh_answered(FILE *out, const char *metric, const struct xp_qdom *d, const struct xp_q_prom_run *run,
                             struct xp_prom_label *l)
{
        for (size_t j = 0; j < run->n_refreshed; j++)
                if (run->refreshed[j].domid == d->domid)
                        xp_prom_sample(out, metric, l, ID_LABELS, run->refreshed[j].answered);
}

static void guest_info(FILE *out, const char *metric, const struct xp_qdom *d, const struct xp_q_prom_run *run,
                       struct xp_prom_label *l)
{
        (void)run;
        l[ID_LABELS + 0] = token(d, "verdict", XP_KEY_VERDICT);
        l[ID_LABELS + 1] = token(d, "mode", XP_KEY_MODE);
        l[ID_LABELS + 2] = token(d, "role", XP_KEY_ROLE);
        l[ID_LABELS + 3] = token(d, "confidence", XP_KEY_CONFIDENCE);
        l[ID_LABELS + 4] = token(d, "root_disk", XP_KEY_ROOT_DISK);
        l[ID_LABELS + 5] = token(d, "os_id", XP_KEY_OS_ID);
        l[ID_LABELS + 6] = token(d, "os_version_id", XP_KEY_OS_VERSION_ID);
        l[ID_LABELS + 7] = token(d, "agent_version", XP_KEY_AGENT_VERSION);
        l[ID_LABELS + 8] = token(d, "schema", XP_KEY_SCHEMA);
        xp_prom_sample(out, metric, l, ID_LABELS + 9, 1);
}

/* one sample per word the key allows, 1 for its valid value */
static void boot_summary(FILE *out, const char *metric, const struct xp_qdom *d, const struct xp_q_prom_run *run,
                         struct xp_prom_label *l)
{
        (void)run;
        const struct xp_qval *v = &d->v[XP_KEY_BOOT_SUMMARY];
        const struct xp_key_def *k = &xp_keys[XP_KEY_BOOT_SUMMARY];
        bool valid = v->present && !v->invalid;
        xp_prom_state_set(out, metric, l, ID_LABELS, valid ? v->raw : NULL, v->len, k->words, k->extra);
}

/* how many of the listed kernels have status WORD */
static unsigned kernels_with(const struct xp_qval *v, const char *word)
{
        if (!v->present || v->invalid)
                return 0;
        size_t body, pos = 0;
        (void)xp_q_list_omitted(v->raw, v->len, &body);
        struct xp_q_kword w;
        unsigned n = 0;
        while (xp_q_next_kernel(v->raw, body, &pos, &w))
                if (w.status && w.status_len == strlen(word) && memcmp(w.status, word, w.status_len) == 0)
                        n++;
        return n;
}

static void boot_kernels(FILE *out, const char *metric, const struct xp_qdom *d, const struct xp_q_prom_run *run,
                         struct xp_prom_label *l)
{
        (void)run;
        for (const char *const *w = xp_keys[XP_KEY_BOOT_KERNELS].words; *w; w++) {
                l[ID_LABELS] = (struct xp_prom_label){ "status", *w, XP_PROM_STRLEN };
                xp_prom_sample(out, metric, l, ID_LABELS + 1, kernels_with(&d->v[XP_KEY_BOOT_KERNELS], *w));
        }
}

static void pv_drivers(FILE *out, const char *metric, const struct xp_qdom *d, const struct xp_q_prom_run *run,
                       struct xp_prom_label *l)
{
        (void)run;
        static const struct {
                const char *driver;
                enum xp_key key;
        } drivers[] = { { "block", XP_KEY_PV_BLOCK }, { "net", XP_KEY_PV_NET } };
        for (size_t j = 0; j < sizeof(drivers) / sizeof(drivers[0]); j++) {
                l[ID_LABELS] = (struct xp_prom_label){ "driver", drivers[j].driver, XP_PROM_STRLEN };
                l[ID_LABELS + 1] = token(d, "state", drivers[j].key);
                xp_prom_sample(out, metric, l, ID_LABELS + 2, 1);
        }
}

static void warnings(FILE *out, const char *metric, const struct xp_qdom *d, const struct xp_q_prom_run *run,
                     struct xp_prom_label *l)
{
        (void)run;
        const struct xp_qval *v = &d->v[XP_KEY_WARNINGS];
        if (v->present && !v->invalid)
                xp_prom_sample(out, metric, l, ID_LABELS, (double)v->num);
}

/* the per-domain families, in the order they are written */
static const struct family {
        const char *name, *help;
        bool guest;   /* only for a domain whose values were interpreted */
        bool refresh; /* only with --refresh */
        samples_fn *samples;
} families[] = {
        { "xenprobe_domain_info",
          "A domain under /local/domain and how its published data/xenprobe read (status: ok, none, invalid, schema, "
          "truncated, unreadable)",
          false, false, domain_info },
        { "xenprobe_domain_refresh_answered",
          "With query --refresh: 1 when the guest's daemon published again within the timeout, 0 when it did not",
          false, true, refresh_answered },
        { "xenprobe_guest_info", "What the guest's xenprobe found, as validated words (empty: absent or invalid)", true,
          false, guest_info },
        { "xenprobe_guest_boot_readiness",
          "The guest's boot readiness, worst over its installed kernels: 1 for the state it is in", true, false,
          boot_summary },
        { "xenprobe_guest_boot_kernels",
          "The guest's installed kernels by the boot readiness of each (as far as the list was published)", true,
          false, boot_kernels },
        { "xenprobe_guest_pv_driver_info",
          "The guest's PV frontends (block: xen-blkfront, net: xen-netfront): in-use, else how present (loaded, "
          "built-in, module, missing, unknown; empty: absent or invalid)",
          true, false, pv_drivers },
        { "xenprobe_guest_warnings", "The number of warnings in the guest's report", true, false, warnings },
};

static void family(FILE *out, const struct family *f, struct xp_qdom *const *doms, size_t n,
                   const struct xp_q_prom_run *run)
{
        if (f->refresh && !run->refreshed)
                return;
        xp_prom_family(out, f->name, f->help);
        for (size_t i = 0; i < n; i++) {
                if (f->guest && !interpreted(doms[i]))
                        continue;
                char id[16];
                struct xp_prom_label l[MAX_LABELS];
                identity(doms[i], id, sizeof(id), l);
                f->samples(out, f->name, doms[i], run, l);
        }
}

static void query_run(FILE *out, size_t n, const struct xp_q_prom_run *run)
{
        xp_prom_family(out, "xenprobe_query_timestamp_seconds", "When this file was written (Unix time)");
        xp_prom_sample(out, "xenprobe_query_timestamp_seconds", NULL, 0, run->timestamp);
        xp_prom_family(out, "xenprobe_query_duration_seconds", "How long reading the domains took");
        xp_prom_sample(out, "xenprobe_query_duration_seconds", NULL, 0, run->duration);
        xp_prom_family(out, "xenprobe_query_domains", "The domains read");
        xp_prom_sample(out, "xenprobe_query_domains", NULL, 0, (double)n);
        if (run->heartbeat > 0) {
                xp_prom_family(out, "xenprobe_query_heartbeat_seconds",
                               "The longest time between two writes of this file while the writer runs");
                xp_prom_sample(out, "xenprobe_query_heartbeat_seconds", NULL, 0, run->heartbeat);
        }
}

int xp_q_render_prom(struct xp_qdom *const *doms, size_t n, const struct xp_q_prom_run *run, FILE *out)
{
        query_run(out, n, run);
        for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
                family(out, &families[i], doms, n, run);
        return ferror(out) ? -EIO : 0;
}
