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

int xp_xs_base(const char *home, char *buf, size_t len)
{
        int n = home && *home ? snprintf(buf, len, "%s/%s", home, XP_XS_BASE) : snprintf(buf, len, "%s", XP_XS_BASE);
        return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
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
        char key[64];
        const char *value; /* NULL: removed */
};
struct plan {
        struct change c[XP_XS_MAX_KEYS * 2 + 4];
        size_t n;
};

static void plan_add(struct plan *p, const char *key, const char *value)
{
        if (p->n < ELEMENTSOF(p->c)) {
                snprintf(p->c[p->n].key, sizeof(p->c[p->n].key), "%s", key);
                p->c[p->n].value = value;
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

/* One transaction.  Returns 0 committed, -EAGAIN to redo, -errno. */
static int attempt(struct xp_xs *xs, const char *base, const struct xp_kvs *kv, bool reduced, uint64_t min_generation,
                   const char *served, struct plan *plan, struct xp_publish_result *res, bool *at_commit)
{
        xp_xs_tx tx;
        char path[PATH_LEN];
        int e = xs->ops->tx_start(xs, &tx);
        if (e < 0)
                return e;
        plan->n = 0;

        for (size_t i = 0; i < kv->n && e == 0; i++) {
                const struct xp_kv *k = &kv->v[i];
                if (dropped(k, reduced))
                        continue;
                (void)join(path, base, k->key); /* schema keys are short */
                char *cur = NULL;
                size_t len = 0;
                int er = xs->ops->read(xs, tx, path, &cur, &len);
                if (er < 0 && er != -ENOENT) {
                        e = er;
                        break;
                }
                if (!same(cur, len, k->value)) {
                        e = xs->ops->write(xs, tx, path, k->value, strlen(k->value));
                        if (e == 0)
                                plan_add(plan, k->key, k->value);
                }
                free(cur);
        }
        if (e == 0)
                e = remove_stale(xs, tx, base, kv, reduced, plan);

        char *g = NULL;
        uint64_t gen = 0;
        if (e == 0) {
                (void)join(path, base, XP_XS_GENERATION);
                int er = xs->ops->read(xs, tx, path, &g, NULL);
                if (er < 0 && er != -ENOENT)
                        e = er;
                gen = parse_generation(g);
                free(g);
        }
        bool changed = plan->n > 0 || gen == 0;
        static char genbuf[24];
        if (e == 0 && changed) {
                gen = (gen > min_generation ? gen : min_generation) + 1;
                snprintf(genbuf, sizeof(genbuf), "%" PRIu64, gen);
                e = xs->ops->write(xs, tx, path, genbuf, strlen(genbuf));
                if (e == 0)
                        plan_add(plan, XP_XS_GENERATION, genbuf);
        }
        if (e == 0 && served) {
                (void)join(path, base, XP_XS_SERVED);
                e = xs->ops->write(xs, tx, path, served, strlen(served));
        }
        if (e < 0) {
                xs->ops->tx_end(xs, tx, true);
                return e;
        }
        /* nothing changed and nothing to answer: abandon, nothing to commit */
        e = xs->ops->tx_end(xs, tx, !changed && !served);
        if (e < 0) {
                *at_commit = true;
                return e;
        }
        res->changed = changed;
        res->generation = gen;
        res->written = res->removed = 0;
        for (size_t i = 0; i < plan->n; i++)
                plan->c[i].value ? res->written++ : res->removed++;
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

int xp_xs_publish(struct xp_ctx *ctx, struct xp_xs *xs, const char *home, const struct xp_kvs *kv,
                  uint64_t min_generation, const char *served, FILE *trace, struct xp_publish_result *res)
{
        char base[BASE_LEN];
        struct plan plan;
        bool reduced = false, at_commit = false;
        int e = xp_xs_base(home, base, sizeof(base));
        if (e < 0)
                return e;
        *res = (struct xp_publish_result){ 0 };

        for (;;) {
                res->attempts++;
                at_commit = false;
                e = attempt(xs, base, kv, reduced, min_generation, served, &plan, res, &at_commit);
                if (e == -EAGAIN && res->attempts < MAX_ATTEMPTS) {
                        DBG(ctx, "%s: transaction conflicted (attempt %u), retrying", base, res->attempts);
                        backoff(res->attempts);
                        continue;
                }
                if (e < 0 && quota_error(e) && !reduced) {
                        WARN(ctx, "%s: xenstore refused the full key set (%s); publishing without the long free-text keys",
                             base, strerror(-e));
                        reduced = true;
                        continue;
                }
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
        res->reduced = reduced;
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
