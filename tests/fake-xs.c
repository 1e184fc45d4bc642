/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The in-memory xenstore of the unit tests and fuzzers (tests/fake-xs.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-xs.h"

static void *xalloc(void *p)
{
        if (!p)
                abort(); /* a test's own allocation failing is not a result */
        return p;
}

static struct fake *F(struct xp_xs *xs)
{
        return (struct fake *)xs;
}

/* ------------------------------------------------------------ one table */

/* hash slots of a table: a power of two, at least twice its capacity */
static size_t ht_size(const struct fake_tab *t)
{
        size_t s = 16;
        while (s < 2 * t->cap + 2)
                s *= 2;
        return s;
}

static size_t hash(const char *s)
{
        size_t h = 14695981039346656037ull;
        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 1099511628211ull;
        return h;
}

/* the node of PATH, or NULL and the free hash slot for it in *SLOT */
static struct fake_node *find_slot(const struct fake_tab *t, const char *path, size_t *slot)
{
        size_t mask = ht_size(t) - 1;
        for (size_t i = hash(path) & mask;; i = (i + 1) & mask) {
                if (!t->ht[i]) {
                        if (slot)
                                *slot = i;
                        return NULL;
                }
                if (strcmp(t->n[t->ht[i] - 1].path, path) == 0)
                        return &t->n[t->ht[i] - 1];
        }
}

static void reindex(struct fake_tab *t)
{
        memset(t->ht, 0, ht_size(t) * sizeof(*t->ht));
        for (size_t i = 0; i < t->nn; i++) {
                size_t slot;
                find_slot(t, t->n[i].path, &slot);
                t->ht[slot] = i + 1;
        }
}

/* room for N nodes in T (tables grow as the store does: a fuzzer's
 * input builds a small store thousands of times a second) */
static void reserve(struct fake_tab *t, size_t n)
{
        if (n <= t->cap)
                return;
        size_t cap = t->cap ? t->cap : 64;
        while (cap < n)
                cap *= 2;
        t->n = xalloc(realloc(t->n, cap * sizeof(*t->n)));
        t->cap = cap;
        free(t->ht);
        t->ht = xalloc(calloc(ht_size(t), sizeof(*t->ht)));
        reindex(t);
}

static void tab_clear(struct fake_tab *t)
{
        for (size_t i = 0; i < t->nn; i++) {
                free(t->n[i].path);
                free(t->n[i].val);
        }
        t->nn = 0;
}

static void tab_copy(const struct fake *f, struct fake_tab *dst, const struct fake_tab *src)
{
        tab_clear(dst);
        reserve(dst, src->nn);
        for (size_t i = 0; i < src->nn; i++) {
                struct fake_node *d = &dst->n[i];
                d->path = xalloc(strdup(src->n[i].path));
                d->val = xalloc(malloc(src->n[i].len + 1));
                memcpy(d->val, src->n[i].val, src->n[i].len + 1);
                d->len = src->n[i].len;
        }
        dst->nn = src->nn;
        reindex(dst);
}

/* PATH set to LEN bytes of VAL in T; -ENOSPC when T is full */
static int tab_set(const struct fake *f, struct fake_tab *t, const char *path, const char *val, size_t len)
{
        size_t slot;
        struct fake_node *x = find_slot(t, path, &slot);
        if (!x) {
                if (t->nn >= f->max_nodes)
                        return -ENOSPC;
                if (t->nn == t->cap) {
                        reserve(t, t->nn + 1);
                        find_slot(t, path, &slot);
                }
                x = &t->n[t->nn];
                *x = (struct fake_node){ .path = xalloc(strdup(path)) };
                t->ht[slot] = ++t->nn;
        }
        free(x->val);
        x->val = xalloc(malloc(len + 1));
        memcpy(x->val, val, len);
        x->val[len] = '\0';
        x->len = len;
        return 0;
}

/* PATH and its missing parents (with "" as xenstored makes them) */
static int tab_write(const struct fake *f, struct fake_tab *t, const char *path, const char *val, size_t len)
{
        char *p = xalloc(strdup(path));
        for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = '\0';
                if (!find_slot(t, p, NULL) && tab_set(f, t, p, "", 0) < 0) {
                        free(p);
                        return -ENOSPC;
                }
                *s = '/';
        }
        free(p);
        return tab_set(f, t, path, val, len);
}

static bool is_child(const char *node, const char *dir, size_t l)
{
        return strncmp(node, dir, l) == 0 && node[l] == '/' && !strchr(node + l + 1, '/');
}

/* ------------------------------------------------------- transactions */

/* The committed store is about to change under a transaction in flight:
 * the transaction keeps what it saw. */
static void keep_snapshot(struct fake *f)
{
        if (f->in_tx && !f->tx_copied) {
                tab_copy(f, &f->tx, &f->store);
                f->tx_copied = true;
        }
}

/* the table a request of transaction TX works on; a write inside the
 * transaction first copies the snapshot */
static struct fake_tab *tab_of(struct fake *f, xp_xs_tx tx, bool writing)
{
        if (!tx || !f->in_tx) {
                if (writing)
                        keep_snapshot(f);
                return &f->store;
        }
        if (writing)
                keep_snapshot(f);
        return f->tx_copied ? &f->tx : &f->store;
}

static int f_tx_start(struct xp_xs *xs, xp_xs_tx *tx)
{
        struct fake *f = F(xs);
        f->in_tx = true;
        f->tx_copied = false;
        f->tx_version = f->version;
        f->tx_started++;
        *tx = 1;
        return 0;
}

static int f_tx_end(struct xp_xs *xs, xp_xs_tx tx, bool abort_)
{
        struct fake *f = F(xs);
        (void)tx;
        bool copied = f->tx_copied;
        f->in_tx = f->tx_copied = false;
        if (abort_) {
                f->aborts++;
                return 0;
        }
        /* xenstored refuses a commit that raced another writer's */
        if (f->eagain > 0 || f->tx_version != f->version) {
                if (f->eagain > 0)
                        f->eagain--;
                return -EAGAIN;
        }
        if (copied) {
                tab_copy(f, &f->store, &f->tx);
                f->version++;
        }
        f->commits++;
        return 0;
}

/* ------------------------------------------------------------- requests */

static int fail(struct fake *f)
{
        f->requests++;
        return f->fail_at && f->requests == f->fail_at ? -f->fail_errno : 0;
}

static int f_read(struct xp_xs *xs, xp_xs_tx tx, const char *path, char **val, size_t *len)
{
        struct fake *f = F(xs);
        if (f->hook && (!tx || !f->hook_outside_tx) && ++f->reads == f->hook_at) {
                void (*hook)(struct fake *) = f->hook;
                f->hook = NULL;
                hook(f);
        }
        int e = fail(f);
        if (e)
                return e;
        struct fake_node *x = find_slot(tab_of(f, tx, false), path, NULL);
        if (!x)
                return -ENOENT;
        *val = malloc(x->len + 1);
        if (!*val)
                return -ENOMEM;
        memcpy(*val, x->val, x->len + 1);
        if (len)
                *len = x->len;
        return 0;
}

static int f_write(struct xp_xs *xs, xp_xs_tx tx, const char *path, const char *val, size_t len)
{
        struct fake *f = F(xs);
        f->writes++;
        int e = fail(f);
        if (e)
                return e;
        if (f->write_errno)
                return -f->write_errno;
        if (f->quota_size && len > f->quota_size)
                return -ENOSPC;
        if (path[0] != '/')
                return -EINVAL;
        e = tab_write(f, tab_of(f, tx, true), path, val, len);
        if (e == 0 && (!tx || !f->in_tx))
                f->version++;
        return e;
}

static int f_rm(struct xp_xs *xs, xp_xs_tx tx, const char *path)
{
        struct fake *f = F(xs);
        f->rms++;
        if (f->rm_refused)
                return -EACCES;
        struct fake_tab *t = tab_of(f, tx, true);
        size_t l = strlen(path);
        bool any = false;
        for (size_t i = 0; i < t->nn;) {
                if (strcmp(t->n[i].path, path) == 0 || (strncmp(t->n[i].path, path, l) == 0 && t->n[i].path[l] == '/')) {
                        free(t->n[i].path);
                        free(t->n[i].val);
                        t->n[i] = t->n[--t->nn];
                        any = true;
                } else
                        i++;
        }
        reindex(t);
        if (any && (!tx || !f->in_tx))
                f->version++;
        return any ? 0 : -ENOENT;
}

static int f_directory(struct xp_xs *xs, xp_xs_tx tx, const char *path, char ***names, unsigned *count)
{
        struct fake *f = F(xs);
        int e = fail(f);
        if (e)
                return e;
        const struct fake_tab *t = tab_of(f, tx, false);
        if (!find_slot(t, path, NULL))
                return -ENOENT;
        size_t l = strlen(path), k = 0, bytes = 0;
        for (size_t i = 0; i < t->nn; i++)
                if (is_child(t->n[i].path, path, l)) {
                        k++;
                        bytes += strlen(t->n[i].path + l + 1) + 1;
                }
        /* one block, as libxenstore's xs_directory() returns it */
        char **out = malloc((k + 1) * sizeof(char *) + bytes);
        if (!out)
                return -ENOMEM;
        char *s = (char *)(out + k + 1);
        size_t j = 0;
        for (size_t i = 0; i < t->nn; i++)
                if (is_child(t->n[i].path, path, l)) {
                        size_t nl = strlen(t->n[i].path + l + 1) + 1;
                        memcpy(s, t->n[i].path + l + 1, nl);
                        out[f->reverse ? k - 1 - j : j] = s;
                        s += nl;
                        j++;
                }
        out[k] = NULL;
        *names = out;
        *count = (unsigned)k;
        return 0;
}

static void f_close(struct xp_xs *xs)
{
        (void)xs; /* fake_free() releases the store */
}

static const struct xp_xs_ops fake_ops = {
        .tx_start = f_tx_start,
        .tx_end = f_tx_end,
        .read = f_read,
        .write = f_write,
        .rm = f_rm,
        .directory = f_directory,
        .close = f_close,
};

/* ------------------------------------------------------------------ API */

struct fake *fake_new(size_t max_nodes)
{
        struct fake *f = xalloc(calloc(1, sizeof(*f)));
        f->xs.ops = &fake_ops;
        f->xs.hup_fd = -1;
        f->max_nodes = max_nodes;
        reserve(&f->store, 1);
        reserve(&f->tx, 1);
        return f;
}

void fake_free(struct fake *f)
{
        if (!f)
                return;
        for (struct fake_tab *t = &f->store; t <= &f->tx; t++) {
                tab_clear(t);
                free(t->n);
                free(t->ht);
        }
        free(f);
}

void fake_set(struct fake *f, const char *path, const char *val, size_t len)
{
        if (path[0] != '/')
                return;
        keep_snapshot(f);
        if (tab_write(f, &f->store, path, val, len) == 0)
                f->version++;
}

const char *fake_get(const struct fake *f, const char *path)
{
        const struct fake_node *x = find_slot(&f->store, path, NULL);
        return x ? x->val : NULL;
}
