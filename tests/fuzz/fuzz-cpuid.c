/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: the CPUID snapshot file, ROOT/run/xenprobe/cpuid
 * (probes/cpuid.c).  The input is the file's text.
 *
 * xp_cpuid_parse() on it; when it parses, xp_cpuid_format() must give text
 * that parses back to the same leaves (the snapshot round trip), and
 * xp_cpuid_find() must find each leaf.  Then the file is put below a root
 * and the cpuid probe runs on it (signature scan, Viridian, forced prefix,
 * HVM leaf), followed by the classifier.
 */
#include "config.h"

#include "fuzz-util.h"
#include "probe.h"

static char logbuf[1024];
static void quiet_log(void *data, int priority, const char *file, int line, const char *fn, const char *format,
                      va_list args)
{
        (void)data, (void)priority, (void)file, (void)line, (void)fn;
        vsnprintf(logbuf, sizeof(logbuf), format, args);
}

static struct xp_root *root;
static int rootfd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc, (void)argv;
        const char *dir = fz_scratch();
        int err;
        root = xp_root_new(dir, false, &err);
        rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (!root || rootfd < 0)
                abort();
        return 0;
}

static bool same_leaf(const struct xp_cpuid_leaf *a, const struct xp_cpuid_leaf *b)
{
        return a->leaf == b->leaf && a->subleaf == b->subleaf && a->eax == b->eax && a->ebx == b->ebx &&
               a->ecx == b->ecx && a->edx == b->edx && a->forced == b->forced;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (rootfd < 0)
                LLVMFuzzerInitialize(NULL, NULL);
        char *text = malloc(size + 1);
        if (!text)
                abort();
        memcpy(text, data, size);
        text[size] = '\0';

        struct xp_cpuid_set set = { 0 };
        unsigned bad = 0;
        int r = xp_cpuid_parse(text, &set, &bad);
        FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ENOMEM || r == -E2BIG, "parse returned %d", r);
        if (r == 0) {
                for (size_t i = 0; i < set.n; i++) {
                        if (set.leaves[i].subleaf != 0)
                                continue; /* xp_cpuid_find() looks up subleaf 0 */
                        const struct xp_cpuid_leaf *f = xp_cpuid_find(&set, set.leaves[i].leaf, set.leaves[i].forced);
                        FUZZ_ASSERT(f, "leaf %#x not found", set.leaves[i].leaf);
                }
                char *out = NULL;
                if (xp_cpuid_format(&set, &out) == 0) {
                        struct xp_cpuid_set back = { 0 };
                        unsigned bad2 = 0;
                        int r2 = xp_cpuid_parse(out, &back, &bad2);
                        FUZZ_ASSERT(r2 == 0, "formatted text does not parse (line %u): %s", bad2, out);
                        FUZZ_ASSERT(back.n == set.n, "%zu leaves, %zu after the round trip", set.n, back.n);
                        for (size_t i = 0; i < set.n; i++)
                                FUZZ_ASSERT(same_leaf(&set.leaves[i], &back.leaves[i]), "leaf %zu differs", i);
                        xp_cpuid_set_clear(&back);
                        free(out);
                }
                xp_cpuid_set_clear(&set);
        } else {
                FUZZ_ASSERT(bad > 0, "error %d without a line number", r);
        }
        free(text);

        /* the probe on a root holding the file */
        fz_write_at(rootfd, XP_CPUID_FILE, data, size);
        struct xp_ctx *ctx = xp_ctx_new(root);
        struct xp_report *rep = xp_report_new();
        if (!ctx || !rep)
                abort();
        xp_ctx_set_log_fn(ctx, quiet_log, NULL);
        xp_ctx_set_log_priority(ctx, LOG_DEBUG);
        (void)xp_cpuid_probe.run(ctx, rep);
        xp_classify(rep);
        (void)xp_report_verdict(rep);
        xp_report_free(rep);
        xp_ctx_unref(ctx);
        xp_root_log_clear(root);
        return 0;
}
