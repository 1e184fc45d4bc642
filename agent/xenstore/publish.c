/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Write the schema's key list into xenstore: one transaction per publish,
 * only what changed, stale keys removed in the same transaction, and the
 * generation bumped only when content changed.
 *
 * Limits honoured (docs/misc/xenstore.txt, xenstored quotas): no message
 * comes near XENSTORE_PAYLOAD_MAX (4096; a larger one makes xenstored drop
 * a guest's connection for good): values are at most XP_XS_VALUE_MAX
 * (1024) bytes and paths a few dozen; the key set is fixed (about 25
 * nodes, far from the 1000-node quota); one transaction at a time (quota
 * 10).  A store that still refuses (a smaller node-size quota, say) gets
 * the reduced key set rather than nothing.
 *
 * The XAPI services mirror (XP_PUBLISH_XAPI_SERVICES) adds at most
 * XP_MIRROR_N + 2 nodes (data/service, data/service/xenprobe and the
 * keys), written in the same transaction: a reader never sees its
 * generation differ from XP_XS_BASE's.  Under a quota it goes after the
 * free text and before anything else.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xenstore/publish.h"

#define MAX_ATTEMPTS 8
#define BASE_LEN 128
#define PATH_LEN 512

static int below_home(const char *home, const char *sub, char *buf, size_t len)
{
        int n = home && *home ? snprintf(buf, len, "%s/%s", home, sub) : snprintf(buf, len, "%s", sub);
        return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int xp_xs_base(const char *home, char *buf, size_t len)
{
        return below_home(home, XP_XS_BASE, buf, len);
}

int xp_xs_mirror_base(const char *home, char *buf, size_t len)
{
        return below_home(home, XP_XS_MIRROR_BASE, buf, len);
}

/* BASE/KEY into BUF (PATH_LEN); -ENAMETOOLONG for a name nobody here wrote */
static int join(char *buf, const char *base, const char *key)
{
        int n = snprintf(buf, PATH_LEN, "%s/%s", base, key);
        return n < 0 || n >= PATH_LEN ? -ENAMETOOLONG : 0;
}

/* Is K left out when the store refuses the full set (the free text)? */
static bool dropped(const struct xp_kv *k, bool reduced)
{
        return reduced && xp_keys[k->id].long_value;
}

/* Keys below the base the publisher never removes. */
static bool is_own_key(const char *key)
{
        int k = xp_key_find(key);
        return k == XP_KEY_GENERATION || k == XP_KEY_REQUEST || k == XP_KEY_SERVED;
}

static bool wanted(const struct xp_kvs *kv, bool reduced, const char *key)
{
        for (size_t i = 0; i < kv->n; i++)
                if (strcmp(kv->v[i].key, key) == 0)
                        return !dropped(&kv->v[i], reduced);
        return false;
}

/* Is KEY a directory that some wanted key lives in ("os" for "os/id")? */
static bool wanted_dir(const struct xp_kvs *kv, bool reduced, const char *dir)
{
        size_t l = strlen(dir);
        for (size_t i = 0; i < kv->n; i++)
                if (strncmp(kv->v[i].key, dir, l) == 0 && kv->v[i].key[l] == '/' &&
                    !dropped(&kv->v[i], reduced))
                        return true;
        return false;
}

/* What one attempt decided, printed only once it committed. */
struct change {
        char key[64];      /* below XP_XS_BASE; the mirror's from the home on */
        const char *value; /* NULL: removed */
        bool mirror;
};
struct plan {
        struct change c[XP_XS_MAX_KEYS * 2 + XP_MIRROR_N * 2 + 8];
        size_t n;
        unsigned mirror_written, mirror_removed;
};

static void plan_add(struct plan *p, const char *key, const char *value)
{
        if (p->n < ELEMENTSOF(p->c)) {
                snprintf(p->c[p->n].key, sizeof(p->c[p->n].key), "%s", key);
                p->c[p->n].value = value;
                p->c[p->n].mirror = false;
                p->n++;
        }
}

/* a change below the mirror: NAME "" is the mirror itself */
static void plan_mirror(struct plan *p, const char *name, const char *value)
{
        value ? p->mirror_written++ : p->mirror_removed++;
        if (p->n < ELEMENTSOF(p->c)) {
                snprintf(p->c[p->n].key, sizeof(p->c[p->n].key), "%s%s%s", XP_XS_MIRROR_BASE, *name ? "/" : "",
                         name);
                p->c[p->n].value = value;
                p->c[p->n].mirror = true;
                p->n++;
        }
}

static int rm_key(struct xp_xs *xs, xp_xs_tx tx, const char *base, const char *key, struct plan *plan)
{
        char path[PATH_LEN];
        int e = join(path, base, key);
        if (e == 0)
                e = xs->ops->rm(xs, tx, path);
        if (e < 0 && e != -ENOENT)
                return e;
        plan_add(plan, key, NULL);
        return 0;
}

/* Remove what no longer applies: entries below BASE (one level of
 * subdirectories, as deep as the schema goes) that the key set lacks. */
static int remove_stale(struct xp_xs *xs, xp_xs_tx tx, const char *base, const struct xp_kvs *kv, bool reduced,
                        struct plan *plan)
{
        char **names = NULL;
        unsigned n = 0;
        int e = xs->ops->directory(xs, tx, base, &names, &n);
        if (e == -ENOENT)
                return 0;
        if (e < 0)
                return e;
        for (unsigned i = 0; i < n && e == 0; i++) {
                const char *name = names[i];
                if (is_own_key(name) || wanted(kv, reduced, name))
                        continue;
                if (!wanted_dir(kv, reduced, name)) {
                        e = rm_key(xs, tx, base, name, plan);
                        continue;
                }
                char sub[PATH_LEN];
                char **kids = NULL;
                unsigned nk = 0;
                int ek = join(sub, base, name);
                if (ek == 0)
                        ek = xs->ops->directory(xs, tx, sub, &kids, &nk);
                if (ek < 0) {
                        e = ek == -ENOENT ? 0 : ek;
                        continue;
                }
                for (unsigned j = 0; j < nk && e == 0; j++) {
                        char key[PATH_LEN];
                        if (join(key, name, kids[j]) == 0 && !wanted(kv, reduced, key))
                                e = rm_key(xs, tx, base, key, plan);
                }
                free(kids);
        }
        free(names);
        return e;
}

static bool same(const char *stored, size_t len, const char *want)
{
        return stored && len == strlen(want) && memcmp(stored, want, len) == 0;
}

static uint64_t parse_generation(const char *s)
{
        char *end;
        if (!s || !*s || *s == '-')
                return 0;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        return errno || *end ? 0 : (uint64_t)v;
}

/* ------------------------------------------------------------ mirror */

const char *xp_xs_mirror_value(const struct xp_mirror_def *m, const struct xp_kvs *kv, const char *gen)
{
        const char *v = m->source == XP_KEY_GENERATION ? gen : xp_kvs_get(kv, xp_keys[m->source].name);
        return v && !xp_keys[m->source].long_value && xp_mirror_value_ok(m, v, strlen(v)) ? v : NULL;
}

/* No mirror: remove MBASE (ours: the service named xenprobe) if it is
 * there, and nothing else below data/service. */
static int mirror_remove(struct xp_xs *xs, xp_xs_tx tx, const char *mbase, struct plan *plan)
{
        char *cur = NULL;
        int e = xs->ops->read(xs, tx, mbase, &cur, NULL);
        free(cur);
        if (e == -ENOENT || e == -EACCES)
                return 0; /* none (or not ours to see) */
        if (e < 0)
                return e;
        e = xs->ops->rm(xs, tx, mbase);
        if (e < 0 && e != -ENOENT)
                return e;
        plan_mirror(plan, "", NULL);
        return 0;
}

/* MBASE holds exactly the mirror of KV with generation GEN: the rows whose
 * value differs are written, every other entry is removed. */
static int mirror_sync(struct xp_xs *xs, xp_xs_tx tx, const char *mbase, const struct xp_kvs *kv, const char *gen,
                       struct plan *plan)
{
        char path[PATH_LEN];
        int e = 0;
        for (size_t i = 0; i < XP_MIRROR_N && e == 0; i++) {
                const struct xp_mirror_def *m = &xp_mirror_keys[i];
                const char *want = xp_xs_mirror_value(m, kv, gen);
                if (!want || (e = join(path, mbase, m->name)) < 0)
                        continue;
                char *cur = NULL;
                size_t len = 0;
                int er = xs->ops->read(xs, tx, path, &cur, &len);
                if (er < 0 && er != -ENOENT)
                        e = er;
                else if (!same(cur, len, want) && (e = xs->ops->write(xs, tx, path, want, strlen(want))) == 0)
                        plan_mirror(plan, m->name, want);
                free(cur);
        }
        char **names = NULL;
        unsigned n = 0;
        if (e == 0 && (e = xs->ops->directory(xs, tx, mbase, &names, &n)) == -ENOENT)
                e = 0;
        for (unsigned i = 0; i < n && e == 0; i++) {
                int r = xp_mirror_find(names[i]);
                if (r >= 0 && xp_xs_mirror_value(&xp_mirror_keys[r], kv, gen))
                        continue;
                if ((e = join(path, mbase, names[i])) == 0)
                        e = xs->ops->rm(xs, tx, path);
                if (e == -ENOENT)
                        e = 0;
                if (e == 0)
                        plan_mirror(plan, names[i], NULL);
        }
        free(names);
        return e;
}

/* ------------------------------------------------------------ publish */

/* What one publish writes, and where. */
struct job {
        const char *base, *mbase;
        const struct xp_kvs *kv;
        uint64_t min_generation;
        const char *served;
        bool reduced;  /* without the long free text */
        bool mirror;   /* with the mirror (else: a stale one removed) */
};

/* The stored generation into *GEN (0: absent or malformed). */
static int read_generation(struct xp_xs *xs, xp_xs_tx tx, const char *base, uint64_t *gen)
{
        char path[PATH_LEN], *g = NULL;
        (void)join(path, base, XP_XS_GENERATION);
        int e = xs->ops->read(xs, tx, path, &g, NULL);
        *gen = parse_generation(g);
        free(g);
        return e < 0 && e != -ENOENT ? e : 0;
}

/* The keys of J into transaction TX, and the stale ones out. */
static int write_keys(struct xp_xs *xs, xp_xs_tx tx, const struct job *j, struct plan *plan)
{
        char path[PATH_LEN];
        int e = 0;
        for (size_t i = 0; i < j->kv->n && e == 0; i++) {
                const struct xp_kv *k = &j->kv->v[i];
                if (dropped(k, j->reduced))
                        continue;
                (void)join(path, j->base, k->key); /* schema keys are short */
                char *cur = NULL;
                size_t len = 0;
                int er = xs->ops->read(xs, tx, path, &cur, &len);
                if (er < 0 && er != -ENOENT)
                        e = er;
                else if (!same(cur, len, k->value)) {
                        e = xs->ops->write(xs, tx, path, k->value, strlen(k->value));
                        if (e == 0)
                                plan_add(plan, k->key, k->value);
                }
                free(cur);
        }
        return e == 0 ? remove_stale(xs, tx, j->base, j->kv, j->reduced, plan) : e;
}

/* One transaction.  Returns 0 committed, -EAGAIN to redo, -errno. */
static int attempt(struct xp_xs *xs, const struct job *j, struct plan *plan, struct xp_publish_result *res,
                   bool *at_commit)
{
        xp_xs_tx tx;
        char path[PATH_LEN];
        int e = xs->ops->tx_start(xs, &tx);
        if (e < 0)
                return e;
        *plan = (struct plan){ .n = 0 };

        uint64_t gen = 0;
        e = write_keys(xs, tx, j, plan);
        if (e == 0)
                e = read_generation(xs, tx, j->base, &gen);
        bool changed = plan->n > 0 || gen == 0;
        static char genbuf[24];
        if (e == 0 && changed) {
                gen = (gen > j->min_generation ? gen : j->min_generation) + 1;
                snprintf(genbuf, sizeof(genbuf), "%" PRIu64, gen);
                (void)join(path, j->base, XP_XS_GENERATION);
                e = xs->ops->write(xs, tx, path, genbuf, strlen(genbuf));
                if (e == 0)
                        plan_add(plan, XP_XS_GENERATION, genbuf);
        } else
                snprintf(genbuf, sizeof(genbuf), "%" PRIu64, gen);
        /* the mirror's changes are no content of the base: no generation */
        if (e == 0)
                e = j->mirror ? mirror_sync(xs, tx, j->mbase, j->kv, genbuf, plan)
                              : mirror_remove(xs, tx, j->mbase, plan);
        if (e == 0 && j->served) {
                (void)join(path, j->base, XP_XS_SERVED);
                e = xs->ops->write(xs, tx, path, j->served, strlen(j->served));
        }
        if (e < 0) {
                xs->ops->tx_end(xs, tx, true);
                return e;
        }
        bool mirrored = plan->mirror_written || plan->mirror_removed;
        /* nothing changed and nothing to answer: abandon, nothing to commit */
        e = xs->ops->tx_end(xs, tx, !changed && !mirrored && !j->served);
        if (e < 0) {
                *at_commit = true;
                return e;
        }
        res->changed = changed;
        res->generation = gen;
        res->written = res->removed = 0;
        for (size_t i = 0; i < plan->n; i++)
                if (!plan->c[i].mirror)
                        plan->c[i].value ? res->written++ : res->removed++;
        res->mirror_written = plan->mirror_written;
        res->mirror_removed = plan->mirror_removed;
        return 0;
}

void xp_xs_reduce(struct xp_kvs *kv)
{
        size_t o = 0;
        for (size_t i = 0; i < kv->n; i++)
                if (dropped(&kv->v[i], true))
                        free(kv->v[i].value);
                else
                        kv->v[o++] = kv->v[i];
        kv->n = o;
}

static bool quota_error(int e)
{
        return e == -ENOSPC || e == -EDQUOT || e == -E2BIG || e == -ENOMEM || e == -EINVAL;
}

static void backoff(unsigned attempt_no)
{
        /* 5, 10, 20 ... 320 ms, plus up to the same again at random, so
         * two racing writers do not collide again in lockstep */
        long ms = 5L << (attempt_no < 6 ? attempt_no : 6);
        ms += (long)((unsigned)getpid() * 2654435761u ^ (unsigned)time(NULL)) % (ms + 1);
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* After a quota refusal (E), the next step down: first without the long
 * free text, then (with the mirror) without the mirror too; false when
 * there is none left. */
static bool squeeze_more(struct xp_ctx *ctx, const char *base, int e, bool mirror, struct job *j)
{
        if (!j->reduced) {
                WARN(ctx, "%s: xenstore refused the full key set (%s); publishing without the long free-text keys",
                     base, strerror(-e));
                j->reduced = true;
                return true;
        }
        if (mirror && j->mirror) {
                WARN(ctx, "%s: xenstore refused the reduced key set with the XAPI services mirror (%s); "
                          "publishing without the mirror (%s removed)",
                     base, strerror(-e), XP_XS_MIRROR_BASE);
                j->mirror = false;
                return true;
        }
        return false;
}

int xp_xs_publish(struct xp_ctx *ctx, struct xp_xs *xs, const char *home, const struct xp_kvs *kv,
                  uint64_t min_generation, const char *served, unsigned flags, FILE *trace,
                  struct xp_publish_result *res)
{
        char base[BASE_LEN], mbase[BASE_LEN];
        struct plan plan;
        bool at_commit = false, mirror = flags & XP_PUBLISH_XAPI_SERVICES;
        int e = xp_xs_base(home, base, sizeof(base));
        if (e == 0)
                e = xp_xs_mirror_base(home, mbase, sizeof(mbase));
        if (e < 0)
                return e;
        *res = (struct xp_publish_result){ 0 };
        struct job j = { .base = base, .mbase = mbase, .kv = kv, .min_generation = min_generation,
                         .served = served, .mirror = mirror };

        for (;;) {
                res->attempts++;
                at_commit = false;
                e = attempt(xs, &j, &plan, res, &at_commit);
                if (e == -EAGAIN && res->attempts < MAX_ATTEMPTS) {
                        DBG(ctx, "%s: transaction conflicted (attempt %u), retrying", base, res->attempts);
                        backoff(res->attempts);
                        continue;
                }
                if (e < 0 && quota_error(e) && squeeze_more(ctx, base, e, mirror, &j))
                        continue;
                break;
        }
        if (e < 0) {
                bool lost = e == -EPIPE || e == -ECONNRESET || e == -EBADF || e == -EIO;
                ERR(ctx, "publishing to xenstore %s failed after %u transaction(s): %s%s", base, res->attempts,
                    xp_xs_strerror(e),
                    at_commit && lost ? " while committing: the store holds either the previous keys or all of the "
                                        "new ones (never a mix); publish again to know"
                                      : "");
                return e;
        }
        res->reduced = j.reduced;
        res->mirror_dropped = mirror && !j.mirror;
        if (trace) {
                for (size_t i = 0; i < plan.n; i++)
                        if (plan.c[i].value)
                                fprintf(trace, "+ %s=%s\n", plan.c[i].key, plan.c[i].value);
                        else
                                fprintf(trace, "- %s\n", plan.c[i].key);
                if (served)
                        fprintf(trace, "= %s=%s\n", XP_XS_SERVED, served);
        }
        return 0;
}
