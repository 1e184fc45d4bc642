/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A tiny test harness (kmod testsuite style): DEFINE_TEST registers a test,
 * each test runs in its own process, `./test-x NAME` runs one by name.
 * Exit status follows automake: 0 pass, 1 fail, 77 skip.
 */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct xp_test {
        const char *name;
        int (*fn)(void);
};

#define DEFINE_TEST(fn_)                                                                 \
        static int fn_(void);                                                            \
        static const struct xp_test xp_test_##fn_                                        \
                __attribute__((used, section("xp_tests"), aligned(8))) = { #fn_, fn_ };  \
        static int fn_(void)

extern const struct xp_test __start_xp_tests[];
extern const struct xp_test __stop_xp_tests[];

#define CHECK(cond)                                                                      \
        do {                                                                             \
                if (!(cond)) {                                                           \
                        fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
                                #cond);                                                  \
                        return 1;                                                        \
                }                                                                        \
        } while (0)
#define CHECK_EQ_INT(a, b)                                                               \
        do {                                                                             \
                long long a_ = (long long)(a), b_ = (long long)(b);                      \
                if (a_ != b_) {                                                          \
                        fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n",      \
                                __FILE__, __LINE__, #a, a_, #b, b_);                     \
                        return 1;                                                        \
                }                                                                        \
        } while (0)
#define CHECK_STREQ(a, b)                                                                \
        do {                                                                             \
                const char *a_ = (a), *b_ = (b);                                         \
                if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                 \
                        fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n",        \
                                __FILE__, __LINE__, #a, a_ ? a_ : "(null)",              \
                                b_ ? b_ : "(null)");                                     \
                        return 1;                                                        \
                }                                                                        \
        } while (0)

static inline int xp_run_test(const struct xp_test *t)
{
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0)
                return 1;
        if (pid == 0) {
                alarm(60); /* a looping test fails instead of hanging the suite */
                _exit(t->fn());
        }
        int status;
        if (waitpid(pid, &status, 0) < 0)
                return 1;
        if (WIFSIGNALED(status)) {
                fprintf(stderr, "  %s: killed by signal %d\n", t->name, WTERMSIG(status));
                return 1;
        }
        return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
        int failed = 0, passed = 0, skipped = 0;
        for (const struct xp_test *t = __start_xp_tests; t < __stop_xp_tests; t++) {
                if (argc > 1 && strcmp(argv[1], t->name) != 0)
                        continue;
                int r = xp_run_test(t);
                printf("%s %s\n", r == 0 ? "PASS" : r == 77 ? "SKIP" : "FAIL", t->name);
                if (r == 0)
                        passed++;
                else if (r == 77)
                        skipped++;
                else
                        failed++;
        }
        printf("# %d passed, %d failed, %d skipped\n", passed, failed, skipped);
        if (passed + failed + skipped == 0)
                return 1; /* a name that matched nothing is a failure */
        return failed ? 1 : (passed ? 0 : 77);
}
