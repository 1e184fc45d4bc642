/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The schema and the publisher against an in-memory xenstore that can
 * refuse (EAGAIN on commit, EACCES, ENOSPC above a node-size quota).
 * Expected keys and values come from xenprobe-xenstore(7) (the key table,
 * agent/xenstore/keys.c) and
 * xenprobe(8) XENSTORE SCHEMA, for a model filled in by hand here.
 */
#include "config.h"

#include <stdarg.h>

#include "dom0/dom0.h"
#include "fake-xs.h"
#include "harness.h"
#include "xenstore/publish.h"

/* the store: tests/fake-xs.c, as many nodes as xenstored's default quota
 * would never matter for (the publisher writes about 30) */
#define FAKE_MAX 256

static const char *get(struct fake *f, const char *key)
{
        char p[256];
        snprintf(p, sizeof(p), "/local/domain/5/data/xenprobe/%s", key);
        return fake_get(f, p);
}

/* another writer's node (what xenstored would hold before the test) */
static void put(struct fake *f, const char *path, const char *val)
{
        fake_set(f, path, val, strlen(val));
}

/* ------------------------------------------------------------- a model */

static struct xp_ctx *ctx_new(void)
{
        int e;
        struct xp_root *root = xp_root_new("/", true, &e);
        return root ? xp_ctx_new(root) : NULL;
}

static void ctx_free(struct xp_ctx *ctx)
{
        struct xp_root *root = xp_ctx_root(ctx);
        xp_ctx_unref(ctx);
        xp_root_free(root);
}

/* A PVHVM domU with PV disk in use, netfront loaded, two kernels (one
 * without xen-blkfront in its initramfs) and two warnings. */
static struct xp_report *model(void)
{
        struct xp_report *r = xp_report_new();
        struct xp_facts *f = &r->facts;
        r->hypervisor = XP_HV_XEN;
        r->role = XP_ROLE_DOMU;
        r->mode = XP_MODE_PVHVM;
        r->confidence = XP_CONF_HIGH;
        snprintf(f->kernel.release, sizeof(f->kernel.release), "6.1.0-13-amd64");
        snprintf(f->hv.xen_version, sizeof(f->hv.xen_version), "4.17.5");
        snprintf(f->os_release.id, sizeof(f->os_release.id), "debian");
        snprintf(f->os_release.version_id, sizeof(f->os_release.version_id), "12");
        snprintf(f->os_release.pretty_name, sizeof(f->os_release.pretty_name), "Debian GNU/Linux 12 (bookworm)");
        f->xenbus.n_devs = 1;
        snprintf(f->xenbus.devs[0].name, sizeof(f->xenbus.devs[0].name), "vbd-51712");
        snprintf(f->xenbus.devs[0].devtype, sizeof(f->xenbus.devs[0].devtype), "vbd");
        snprintf(f->xenbus.devs[0].driver, sizeof(f->xenbus.devs[0].driver), "vbd");
        f->xenbus.devs[0].connected = true;
        f->modules.state[XP_XM_BLKFRONT] = XP_KS_LOADED;
        f->modules.state[XP_XM_NETFRONT] = XP_KS_LOADED;
        f->block.rootfs = XP_ST_FOUND;
        f->block.root_kind = XP_DISK_XEN_PV;
        snprintf(f->block.root_devname, sizeof(f->block.root_devname), "xvda1");
        /* what probes/block.c keeps: whole disks, partitions, dm */
        static const struct {
                const char *name;
                enum xp_disk_kind kind;
                bool partition;
        } disks[] = { { "xvda", XP_DISK_XEN_PV, false },
                      { "xvda1", XP_DISK_XEN_PV, true },
                      { "dm-0", XP_DISK_VIRTUAL, false },
                      { "sr0", XP_DISK_ATA, false } };
        f->block.status = XP_ST_FOUND;
        for (size_t i = 0; i < ELEMENTSOF(disks); i++) {
                snprintf(f->block.disks[i].name, sizeof(f->block.disks[i].name), "%s", disks[i].name);
                f->block.disks[i].kind = disks[i].kind;
                f->block.disks[i].partition = disks[i].partition;
        }
        f->block.n_disks = ELEMENTSOF(disks);
        r->boot.probed = true;
        r->boot.n_kernels = 2;
        snprintf(r->boot.kernels[0].version, sizeof(r->boot.kernels[0].version), "6.1.0-13-amd64");
        snprintf(r->boot.kernels[1].version, sizeof(r->boot.kernels[1].version), "6.1.0-12-amd64");
        /* kernel 1: HVM boot misses blkfront; PV would be fine: only the
         * running mode (HVM family) counts */
        r->boot.kernels[1].mode[XP_BOOT_HVM] = XP_CHECK_MISSING;
        r->boot.kernels[1].mode_why[XP_BOOT_HVM] = strdup("initramfs xen-blkfront: missing; ");
        xp_report_warn(r, "first warning");
        xp_report_warn(r, "second \x1b[31mwarning");
        return r;
}

static int publish(struct xp_ctx *ctx, struct fake *f, const struct xp_kvs *kv, uint64_t min_gen,
                   const char *served, struct xp_publish_result *res)
{
        return xp_xs_publish(ctx, &f->xs, "/local/domain/5", kv, min_gen, served, 0, NULL, res);
}

/* every publisher test: a context, an empty store, the model's keys */
#define FIXTURE                                                                                    \
        struct xp_ctx *ctx = ctx_new();                                                            \
        struct fake *f = fake_new(FAKE_MAX);                                                               \
        struct xp_report *r = model();                                                             \
        struct xp_kvs kv = { 0 };                                                                  \
        struct xp_publish_result res;                                                              \
        CHECK_EQ_INT(xp_xs_schema(r, &kv), 0)

static int done(struct xp_ctx *ctx, struct fake *f, struct xp_report *r, struct xp_kvs *kv)
{
        xp_kvs_clear(kv);
        xp_report_free(r);
        fake_free(f);
        ctx_free(ctx);
        return 0;
}

/* ---------------------------------------------------------------- tests */

DEFINE_TEST(schema_values)
{
        struct xp_report *r = model();
        struct xp_kvs kv = { 0 };
        CHECK_EQ_INT(xp_xs_schema(r, &kv), 0);
        CHECK_STREQ(xp_kvs_get(&kv, "schema"), "1");
        CHECK_STREQ(xp_kvs_get(&kv, "verdict"), "pvhvm");
        CHECK_STREQ(xp_kvs_get(&kv, "mode"), "pvhvm");
        CHECK_STREQ(xp_kvs_get(&kv, "role"), "domU");
        CHECK_STREQ(xp_kvs_get(&kv, "confidence"), "high");
        CHECK_STREQ(xp_kvs_get(&kv, "kernel"), "6.1.0-13-amd64");
        CHECK_STREQ(xp_kvs_get(&kv, "xen-version"), "4.17.5");
        CHECK_STREQ(xp_kvs_get(&kv, "os/id"), "debian");
        CHECK_STREQ(xp_kvs_get(&kv, "os/version-id"), "12");
        CHECK_STREQ(xp_kvs_get(&kv, "os/pretty-name"), "Debian GNU/Linux 12 (bookworm)");
        CHECK_STREQ(xp_kvs_get(&kv, "pv/block"), "in-use");
        CHECK_STREQ(xp_kvs_get(&kv, "pv/net"), "loaded");
        CHECK_STREQ(xp_kvs_get(&kv, "root-disk"), "xen-pv");
        CHECK_STREQ(xp_kvs_get(&kv, "root-device"), "xvda1");
        /* whole disks only: no partition, no dm */
        CHECK_STREQ(xp_kvs_get(&kv, "disks"), "xvda:xen-pv sr0:ata");
        CHECK_STREQ(xp_kvs_get(&kv, "boot/summary"), "missing");
        CHECK_STREQ(xp_kvs_get(&kv, "boot/kernels"), "6.1.0-13-amd64:ok 6.1.0-12-amd64:missing");
        CHECK_STREQ(xp_kvs_get(&kv, "boot/problems"), "6.1.0-12-amd64: initramfs xen-blkfront: missing");
        CHECK_STREQ(xp_kvs_get(&kv, "warnings"), "2");
        /* the escape sequence a terminal would obey is gone */
        CHECK_STREQ(xp_kvs_get(&kv, "warning-text"), "first warning\nsecond ?[31mwarning");
        CHECK(!xp_kvs_get(&kv, "generation"));
        for (size_t i = 0; i < kv.n; i++) {
                CHECK(xp_xs_schema_known(kv.v[i].key));
                CHECK(strlen(kv.v[i].value) <= XP_XS_VALUE_MAX);
        }
        xp_kvs_clear(&kv);
        xp_report_free(r);
        return 0;
}

/* 256 disks (XP_MAX_DISKS): the list stops below the value limit and says
 * how many it left out; no disk at all is "none" */
DEFINE_TEST(schema_disks_bounded)
{
        struct xp_report *r = model();
        struct xp_facts *f = &r->facts;
        struct xp_kvs kv = { 0 };
        for (size_t i = 0; i < XP_MAX_DISKS; i++) {
                snprintf(f->block.disks[i].name, sizeof(f->block.disks[i].name), "xvd%c%c", 'a' + (int)(i / 26),
                         'a' + (int)(i % 26));
                f->block.disks[i].kind = XP_DISK_XEN_PV;
                f->block.disks[i].partition = false;
        }
        f->block.n_disks = XP_MAX_DISKS;
        CHECK_EQ_INT(xp_xs_schema(r, &kv), 0);
        const char *v = xp_kvs_get(&kv, "disks");
        CHECK(v && strlen(v) <= XP_XS_VALUE_MAX);
        CHECK(strncmp(v, "xvdaa:xen-pv xvdab:xen-pv ", 26) == 0);
        /* "xvdXX:xen-pv" is 12 bytes, 13 with the separator */
        const char *m = strstr(v, XP_XS_TRUNCATED);
        CHECK(m != NULL);
        unsigned shown = (unsigned)((m - v + 1) / 13), left = 0;
        CHECK_EQ_INT(sscanf(m, XP_XS_TRUNCATED "%u)", &left), 1);
        CHECK_EQ_INT(shown + left, XP_MAX_DISKS);
        xp_kvs_clear(&kv);

        f->block.n_disks = 0;
        CHECK_EQ_INT(xp_xs_schema(r, &kv), 0);
        CHECK_STREQ(xp_kvs_get(&kv, "disks"), "none");
        xp_kvs_clear(&kv);
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(schema_not_applicable_keys_absent)
{
        struct xp_report *r = xp_report_new();
        r->hypervisor = XP_HV_XEN;
        r->role = XP_ROLE_DOMU;
        r->mode = XP_MODE_PV;
        struct xp_kvs kv = { 0 };
        CHECK_EQ_INT(xp_xs_schema(r, &kv), 0);
        CHECK(!xp_kvs_get(&kv, "os/id"));
        CHECK(!xp_kvs_get(&kv, "root-disk"));
        CHECK(!xp_kvs_get(&kv, "disks")); /* sys/class/block not read */
        CHECK(!xp_kvs_get(&kv, "xen-version"));
        CHECK(!xp_kvs_get(&kv, "warning-text"));
        CHECK_STREQ(xp_kvs_get(&kv, "warnings"), "0");
        CHECK_STREQ(xp_kvs_get(&kv, "boot/summary"), "not-checked");
        xp_kvs_clear(&kv);
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(schema_truncates_with_marker)
{
        struct xp_report *r = model();
        for (int i = 0; i < 98; i++)
                xp_report_warn(r, "warning number %03d with some words to take room", i);
        struct xp_kvs kv = { 0 };
        CHECK_EQ_INT(xp_xs_schema(r, &kv), 0);
        CHECK_STREQ(xp_kvs_get(&kv, "warnings"), "100");
        const char *t = xp_kvs_get(&kv, "warning-text");
        CHECK(strlen(t) <= XP_XS_VALUE_MAX);
        const char *m = strstr(t, XP_XS_TRUNCATED);
        CHECK(m);
        unsigned left = (unsigned)strtoul(m + strlen(XP_XS_TRUNCATED), NULL, 10);
        unsigned lines = 1;
        for (const char *p = t; p < m; p++)
                lines += *p == '\n';
        CHECK_EQ_INT(lines + left, 100);
        CHECK(left > 0);
        xp_kvs_clear(&kv);
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(publish_writes_only_changes)
{
        FIXTURE;

        CHECK_EQ_INT(publish(ctx, f, &kv, 0, NULL, &res), 0);
        CHECK(res.changed);
        CHECK_EQ_INT(res.generation, 1);
        CHECK_EQ_INT(res.written, kv.n + 1);
        CHECK_STREQ(get(f, "generation"), "1");
        CHECK_STREQ(get(f, "boot/kernels"), "6.1.0-13-amd64:ok 6.1.0-12-amd64:missing");
        CHECK_EQ_INT(f->commits, 1);

        /* the same content again: read, nothing written, transaction abandoned */
        unsigned w = f->writes;
        CHECK_EQ_INT(publish(ctx, f, &kv, 0, NULL, &res), 0);
        CHECK(!res.changed);
        CHECK_EQ_INT(f->writes, w);
        CHECK_EQ_INT(f->commits, 1);
        CHECK_STREQ(get(f, "generation"), "1");

        /* one value changes: that key and the generation */
        xp_kvs_clear(&kv);
        snprintf(r->facts.kernel.release, sizeof(r->facts.kernel.release), "6.1.0-14-amd64");
        CHECK_EQ_INT(xp_xs_schema(r, &kv), 0);
        CHECK_EQ_INT(publish(ctx, f, &kv, 0, NULL, &res), 0);
        CHECK_EQ_INT(res.written, 2);
        CHECK_EQ_INT(res.removed, 0);
        CHECK_STREQ(get(f, "kernel"), "6.1.0-14-amd64");
        CHECK_STREQ(get(f, "generation"), "2");

        return done(ctx, f, r, &kv);
}

DEFINE_TEST(publish_removes_stale_keeps_request)
{
        FIXTURE;
        CHECK_EQ_INT(publish(ctx, f, &kv, 0, NULL, &res), 0);
        /* planted or left over: an unknown key, an unknown key in a schema
         * directory, an unknown directory; and dom0's request */
        put(f, "/local/domain/5/data/xenprobe/junk", "x");
        put(f, "/local/domain/5/data/xenprobe/os/junk", "x");
        put(f, "/local/domain/5/data/xenprobe/deep/a/b", "x");
        put(f, "/local/domain/5/data/xenprobe/request", "tok");
        /* os-release gone and the warnings fixed */
        xp_kvs_clear(&kv);
        r->facts.os_release.id[0] = r->facts.os_release.version_id[0] = r->facts.os_release.pretty_name[0] = '\0';
        xp_strv_free(r->warnings);
        r->warnings = NULL;
        CHECK_EQ_INT(xp_xs_schema(r, &kv), 0);
        CHECK_EQ_INT(publish(ctx, f, &kv, 0, NULL, &res), 0);
        CHECK(res.changed);
        CHECK(!get(f, "junk"));
        CHECK(!get(f, "os/junk"));
        CHECK(!get(f, "os"));
        CHECK(!get(f, "os/id"));
        CHECK(!get(f, "deep"));
        CHECK(!get(f, "deep/a/b"));
        CHECK(!get(f, "warning-text"));
        CHECK_STREQ(get(f, "warnings"), "0");
        CHECK_STREQ(get(f, "request"), "tok");
        CHECK_STREQ(get(f, "generation"), "2");
        CHECK_EQ_INT(f->commits, 2); /* one transaction per publish */
        return done(ctx, f, r, &kv);
}

DEFINE_TEST(publish_retries_eagain)
{
        FIXTURE;
        f->eagain = 2;
        CHECK_EQ_INT(publish(ctx, f, &kv, 0, NULL, &res), 0);
        CHECK_EQ_INT(res.attempts, 3);
        CHECK_STREQ(get(f, "generation"), "1");
        /* a writer that always wins: bounded, and the store is untouched */
        fake_free(f);
        f = fake_new(FAKE_MAX);
        f->eagain = 1000;
        CHECK_EQ_INT(publish(ctx, f, &kv, 0, NULL, &res), -EAGAIN);
        CHECK(res.attempts <= 8);
        CHECK_EQ_INT(f->store.nn, 0);
        return done(ctx, f, r, &kv);
}

DEFINE_TEST(publish_refused_leaves_store_intact)
{
        FIXTURE;
        CHECK_EQ_INT(publish(ctx, f, &kv, 0, NULL, &res), 0);
        size_t before = f->store.nn;
        f->write_errno = EACCES;
        xp_kvs_clear(&kv);
        snprintf(r->facts.kernel.release, sizeof(r->facts.kernel.release), "6.2");
        CHECK_EQ_INT(xp_xs_schema(r, &kv), 0);
        CHECK_EQ_INT(publish(ctx, f, &kv, 0, NULL, &res), -EACCES);
        CHECK_EQ_INT(f->store.nn, before);
        CHECK_STREQ(get(f, "kernel"), "6.1.0-13-amd64"); /* no partial write */
        CHECK_STREQ(get(f, "generation"), "1");
        return done(ctx, f, r, &kv);
}

DEFINE_TEST(publish_quota_gives_reduced_set)
{
        FIXTURE;
        f->quota_size = 45; /* a node-size quota below boot/problems (48 bytes) */
        CHECK_EQ_INT(publish(ctx, f, &kv, 0, NULL, &res), 0);
        CHECK(res.reduced);
        CHECK_STREQ(get(f, "verdict"), "pvhvm");
        CHECK_STREQ(get(f, "boot/summary"), "missing");
        CHECK(!get(f, "boot/problems"));
        CHECK(!get(f, "warning-text"));
        CHECK(!get(f, "os/pretty-name"));
        CHECK(!get(f, "disks"));
        CHECK_STREQ(get(f, "generation"), "1");
        return done(ctx, f, r, &kv);
}

DEFINE_TEST(publish_generation_survives_deletion)
{
        FIXTURE;
        /* the subtree was deleted (or the domain migrated): the count goes on */
        CHECK_EQ_INT(publish(ctx, f, &kv, 41, NULL, &res), 0);
        CHECK_EQ_INT(res.generation, 42);
        CHECK_STREQ(get(f, "generation"), "42");
        /* a garbage generation in the store restarts from what we know */
        put(f, "/local/domain/5/data/xenprobe/generation", "-7x");
        CHECK_EQ_INT(publish(ctx, f, &kv, 42, NULL, &res), 0);
        CHECK_STREQ(get(f, "generation"), "43");
        return done(ctx, f, r, &kv);
}

DEFINE_TEST(publish_answers_request_without_new_generation)
{
        FIXTURE;
        CHECK_EQ_INT(publish(ctx, f, &kv, 0, NULL, &res), 0);
        CHECK_EQ_INT(publish(ctx, f, &kv, 1, "q123-4", &res), 0);
        CHECK(!res.changed);
        CHECK_STREQ(get(f, "served"), "q123-4");
        CHECK_STREQ(get(f, "generation"), "1");
        CHECK_EQ_INT(f->commits, 2);
        return done(ctx, f, r, &kv);
}


/* ------------------------------------------- the XAPI services mirror */

#define M "/local/domain/5/data/service/xenprobe/"

static int publish_m(struct xp_ctx *ctx, struct fake *f, const struct xp_kvs *kv, unsigned flags,
                     struct xp_publish_result *res)
{
        return xp_xs_publish(ctx, &f->xs, "/local/domain/5", kv, 0, NULL, flags, NULL, res);
}

/* the nodes below PREFIX in the committed store */
static size_t count_below(const struct fake *f, const char *prefix)
{
        size_t n = 0, l = strlen(prefix);
        for (size_t i = 0; i < f->store.nn; i++)
                n += strncmp(f->store.n[i].path, prefix, l) == 0;
        return n;
}

/* The table itself: rows flat (xenopsd reads data/service one level
 * deep), unique, and only enum or int keys that no quota drops, so only
 * validated words and numbers can reach XAPI. */
DEFINE_TEST(mirror_table_only_words)
{
        for (int i = 0; i < XP_MIRROR_N; i++) {
                const struct xp_mirror_def *m = &xp_mirror_keys[i];
                const struct xp_key_def *k = &xp_keys[m->source];
                CHECK(!strchr(m->name, '/'));
                CHECK(xp_xs_token(m->name, strlen(m->name), 64));
                CHECK_EQ_INT(xp_mirror_find(m->name), i);
                CHECK(k->kind == XP_KIND_ENUM || k->kind == XP_KIND_INT);
                CHECK(!k->long_value);
        }
        const struct xp_mirror_def *mode = &xp_mirror_keys[xp_mirror_find("mode")];
        CHECK(xp_mirror_value_ok(mode, "pvh", 3));
        CHECK(!xp_mirror_value_ok(mode, "pvh ", 4));
        CHECK(!xp_mirror_value_ok(mode, "dom0-pv", 7)); /* a verdict word, not a mode */
        const struct xp_mirror_def *gen = &xp_mirror_keys[xp_mirror_find("generation")];
        CHECK(xp_mirror_value_ok(gen, "17", 2));
        CHECK(!xp_mirror_value_ok(gen, "0", 1));
        CHECK(!xp_mirror_value_ok(gen, "017", 3));
        CHECK(!xp_mirror_value_ok(gen, "-1", 2));
        CHECK_EQ_INT(xp_mirror_find("pv/block"), -1);
        return 0;
}

/* With the option: the five keys, their words for the model by hand, the
 * same generation, one commit for both subtrees. */
DEFINE_TEST(mirror_layout_one_commit)
{
        FIXTURE;
        CHECK_EQ_INT(publish_m(ctx, f, &kv, XP_PUBLISH_XAPI_SERVICES, &res), 0);
        CHECK_EQ_INT(f->commits, 1);
        CHECK_STREQ(fake_get(f, M "mode"), "pvhvm");
        CHECK_STREQ(fake_get(f, M "verdict"), "pvhvm");
        CHECK_STREQ(fake_get(f, M "boot-summary"), "missing");
        CHECK_STREQ(fake_get(f, M "pv-block"), "in-use");
        CHECK_STREQ(fake_get(f, M "generation"), "1");
        CHECK_EQ_INT(count_below(f, M), 5);
        CHECK_EQ_INT(res.mirror_written, 5);
        /* new content: both generations move together */
        xp_kvs_clear(&kv);
        r->mode = XP_MODE_PVH;
        CHECK_EQ_INT(xp_xs_schema(r, &kv), 0);
        CHECK_EQ_INT(publish_m(ctx, f, &kv, XP_PUBLISH_XAPI_SERVICES, &res), 0);
        CHECK_EQ_INT(f->commits, 2);
        CHECK_STREQ(fake_get(f, M "mode"), "pvh");
        CHECK_STREQ(fake_get(f, M "generation"), "2");
        CHECK_STREQ(get(f, "generation"), "2");
        /* nothing new: nothing committed */
        CHECK_EQ_INT(publish_m(ctx, f, &kv, XP_PUBLISH_XAPI_SERVICES, &res), 0);
        CHECK_EQ_INT(f->commits, 2);
        /* turned on over an unchanged subtree: mirrored, no new generation */
        CHECK_EQ_INT(publish_m(ctx, f, &kv, 0, &res), 0);
        CHECK(!fake_get(f, M "mode"));
        CHECK_EQ_INT(publish_m(ctx, f, &kv, XP_PUBLISH_XAPI_SERVICES, &res), 0);
        CHECK(!res.changed);
        CHECK_STREQ(fake_get(f, M "generation"), "2");
        /* a planted entry and a rewritten one are put right */
        put(f, M "junk", "x");
        put(f, M "mode", "hvm");
        CHECK_EQ_INT(publish_m(ctx, f, &kv, XP_PUBLISH_XAPI_SERVICES, &res), 0);
        CHECK(!fake_get(f, M "junk"));
        CHECK_STREQ(fake_get(f, M "mode"), "pvh");
        return done(ctx, f, r, &kv);
}

/* A value that is not one of its key's words never reaches the mirror
 * (the publisher checks every row, whatever built the key list). */
DEFINE_TEST(mirror_writes_only_words)
{
        FIXTURE;
        for (size_t i = 0; i < kv.n; i++)
                if (kv.v[i].id == XP_KEY_VERDICT) {
                        free(kv.v[i].value);
                        kv.v[i].value = strdup("pvhvm; see http://example.com");
                }
        CHECK_EQ_INT(publish_m(ctx, f, &kv, XP_PUBLISH_XAPI_SERVICES, &res), 0);
        CHECK(!fake_get(f, M "verdict"));
        CHECK_STREQ(fake_get(f, M "mode"), "pvhvm");
        CHECK_EQ_INT(count_below(f, M), 4);
        return done(ctx, f, r, &kv);
}

/* Without the option nothing below data/service changes; a stale mirror
 * goes, another service's keys stay. */
DEFINE_TEST(mirror_off_touches_only_its_own)
{
        FIXTURE;
        CHECK_EQ_INT(publish_m(ctx, f, &kv, 0, &res), 0);
        CHECK_EQ_INT(count_below(f, "/local/domain/5/data/service"), 0);
        put(f, "/local/domain/5/data/service/pvs/version", "1.2");
        CHECK_EQ_INT(publish_m(ctx, f, &kv, XP_PUBLISH_XAPI_SERVICES, &res), 0);
        CHECK_EQ_INT(count_below(f, M), 5);
        CHECK_EQ_INT(publish_m(ctx, f, &kv, 0, &res), 0);
        CHECK_EQ_INT(res.mirror_removed, 1);
        CHECK(!fake_get(f, "/local/domain/5/data/service/xenprobe"));
        CHECK_STREQ(fake_get(f, "/local/domain/5/data/service/pvs/version"), "1.2");
        CHECK_STREQ(get(f, "generation"), "1");
        return done(ctx, f, r, &kv);
}

/* A commit never accepted: neither subtree is written. */
DEFINE_TEST(mirror_all_or_nothing)
{
        FIXTURE;
        f->eagain = 100;
        CHECK(publish_m(ctx, f, &kv, XP_PUBLISH_XAPI_SERVICES, &res) < 0);
        CHECK(!get(f, "generation"));
        CHECK(!fake_get(f, M "generation"));
        return done(ctx, f, r, &kv);
}

/* Under a node quota: the free text goes first, then the mirror; the keys
 * of data/xenprobe that remain are whole. */
DEFINE_TEST(mirror_quota_order)
{
        FIXTURE;
        CHECK_EQ_INT(publish_m(ctx, f, &kv, XP_PUBLISH_XAPI_SERVICES, &res), 0);
        size_t full = f->store.nn; /* every node: the keys, the mirror and their parents */
        fake_free(f);
        /* one node short: without the four free-text keys it fits */
        f = fake_new(full - 1);
        CHECK_EQ_INT(publish_m(ctx, f, &kv, XP_PUBLISH_XAPI_SERVICES, &res), 0);
        CHECK(res.reduced);
        CHECK(!res.mirror_dropped);
        CHECK(!get(f, "boot/problems"));
        CHECK_STREQ(fake_get(f, M "mode"), "pvhvm");
        CHECK_STREQ(fake_get(f, M "generation"), "1");
        fake_free(f);
        /* five short: only without the mirror too (its 5 keys + 2 directories) */
        f = fake_new(full - 5);
        CHECK_EQ_INT(publish_m(ctx, f, &kv, XP_PUBLISH_XAPI_SERVICES, &res), 0);
        CHECK(res.reduced);
        CHECK(res.mirror_dropped);
        CHECK(!fake_get(f, "/local/domain/5/data/service/xenprobe"));
        CHECK_STREQ(get(f, "mode"), "pvhvm");
        CHECK_STREQ(get(f, "generation"), "1");
        return done(ctx, f, r, &kv);
}

/* ------------------------------------------------- the dom0 reader's view */

static struct xp_ctx *hook_ctx;
static struct xp_kvs hook_kv;

static void publish_b(struct fake *f)
{
        struct xp_publish_result res;
        if (xp_xs_publish(hook_ctx, &f->xs, "/local/domain/5", &hook_kv, 0, NULL, 0, NULL, &res) < 0)
                abort();
}

/* Another publish committing between any two of the reader's reads: what
 * it returns is the state before or the state after, whole, never a mix
 * (read without a transaction, it must notice and read again). */
DEFINE_TEST(reader_never_mixes_two_publishes)
{
        FIXTURE;
        /* before: no warnings (no warning-text key); after: three, and
         * another kernel: the publish adds a key as well as changing some */
        xp_kvs_clear(&kv);
        xp_strv_free(r->warnings);
        r->warnings = NULL;
        CHECK_EQ_INT(xp_xs_schema(r, &kv), 0);
        struct xp_report *rb = model();
        xp_report_warn(rb, "third warning");
        snprintf(rb->facts.kernel.release, sizeof(rb->facts.kernel.release), "6.1.0-14-amd64");
        hook_ctx = ctx;
        CHECK_EQ_INT(xp_xs_schema(rb, &hook_kv), 0);
        unsigned mixed = 0, before = 0, after = 0;
        for (unsigned at = 1; at <= 60; at++) {
                fake_free(f);
                f = fake_new(FAKE_MAX);
                put(f, "/local/domain/5/name", "web1");
                put(f, "/local/domain/5/vm", "/vm/25721a07-b8a8-4297-bf10-2f8ece53373c");
                CHECK_EQ_INT(publish(ctx, f, &kv, 0, NULL, &res), 0);
                f->hook = publish_b;
                f->hook_outside_tx = true;
                f->hook_at = at;
                struct xp_qdom d = {};
                CHECK_EQ_INT(xp_q_read_domain(&f->xs, 5, &d), 0);
                CHECK_EQ_INT(d.status, XP_Q_OK);
                const char *g = d.v[XP_KEY_GENERATION].raw, *w = d.v[XP_KEY_WARNINGS].raw,
                           *k = d.v[XP_KEY_KERNEL].raw, *t = d.v[XP_KEY_WARNING_TEXT].raw;
                if (!strcmp(g, "1") && !strcmp(w, "0") && !strcmp(k, "6.1.0-13-amd64") && !t)
                        before++;
                else if (!strcmp(g, "2") && !strcmp(w, "3") && !strcmp(k, "6.1.0-14-amd64") && t && strstr(t, "third"))
                        after++;
                else {
                        fprintf(stderr, "publish after read %u: mixed: generation %s, warnings %s, kernel %s\n", at, g,
                                w, k);
                        mixed++;
                }
                xp_qdom_clear(&d);
        }
        CHECK_EQ_INT(mixed, 0);
        CHECK(before > 0 && after > 0); /* both outcomes were reached */
        xp_kvs_clear(&hook_kv);
        xp_report_free(rb);
        return done(ctx, f, r, &kv);
}

/* Domain ids against xen/include/public/xen.h: DOMID_FIRST_RESERVED is
 * 0x7FF0 (32752), DOMID_SELF 0x7FF0, DOMID_IO 0x7FF1; xenstored names
 * domains by their decimal id without leading zeros. */
DEFINE_TEST(domid_parse_one_rule)
{
        unsigned v = 99;
        CHECK_EQ_INT(xp_domid_parse("0", 1, XP_DOMID_CANONICAL, &v), 0);
        CHECK_EQ_INT(v, 0);
        CHECK_EQ_INT(xp_domid_parse("32751", 5, XP_DOMID_CANONICAL, &v), 0);
        CHECK_EQ_INT(v, 32751);
        CHECK_EQ_INT(xp_domid_parse("32752", 5, XP_DOMID_CANONICAL, &v), -ERANGE);
        CHECK_EQ_INT(xp_domid_parse("99999999999999999999999", 23, XP_DOMID_TYPED, &v), -ERANGE);
        CHECK_EQ_INT(xp_domid_parse("007", 3, XP_DOMID_CANONICAL, &v), -EINVAL);
        CHECK_EQ_INT(xp_domid_parse("007", 3, XP_DOMID_TYPED, &v), 0);
        CHECK_EQ_INT(v, 7);
        CHECK_EQ_INT(xp_domid_parse("5/data", 1, XP_DOMID_CANONICAL, &v), 0);
        CHECK_EQ_INT(v, 5);
        static const char *bad[] = { "", "-1", "+5", " 5", "5 ", "0x10", "5a" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                CHECK_EQ_INT(xp_domid_parse(bad[i], strlen(bad[i]), XP_DOMID_TYPED, &v), -EINVAL);
        CHECK_EQ_INT(xp_q_path_domid("/local/domain/12/data/xenprobe/mode"), 12);
        CHECK_EQ_INT(xp_q_path_domid("/local/domain/012/data"), -1);
        CHECK_EQ_INT(xp_q_path_domid("/local/domain/32752"), -1);
        CHECK_EQ_INT(xp_q_path_domid("/local/domainX/1"), -1);
        char home[64];
        CHECK_EQ_INT(xp_publish_home("007", home, sizeof(home)), 0);
        CHECK_STREQ(home, "/local/domain/7");
        CHECK_EQ_INT(xp_publish_home("+5", home, sizeof(home)), -EINVAL);
        CHECK_EQ_INT(xp_publish_home("32752", home, sizeof(home)), -EINVAL);
        return 0;
}
