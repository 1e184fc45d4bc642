/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Plain replay driver for the libFuzzer harnesses: feeds every file of the
 * directories (or the files) named on the command line to
 * LLVMFuzzerTestOneInput, in sorted order, in this one process.  Built with
 * the project's compiler by `make check` (sanitized under
 * --enable-sanitizers), so the committed corpora and crash reproducers stay
 * regression tests without clang.
 *
 * A crash or a hang (XP_REPLAY_TIMEOUT seconds per input, default 60)
 * names the input on stderr.  Exit 0 when every input ran, 1 otherwise.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static volatile const char *current;

static void on_signal(int sig)
{
        const char *c = (const char *)current;
        /* async-signal-safe output only */
        const char *a = "replay: input ", *b = c ? c : "(none)";
        const char *w = sig == SIGALRM ? ": timed out\n" : ": crashed (signal)\n";
        ssize_t r = write(2, a, strlen(a));
        r = write(2, b, strlen(b));
        r = write(2, w, strlen(w));
        (void)r;
        signal(sig, SIG_DFL);
        raise(sig == SIGALRM ? SIGABRT : sig);
}

static int cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_file(const char *path, unsigned timeout)
{
        FILE *f = fopen(path, "rb");
        if (!f) {
                fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
                return -1;
        }
        size_t cap = 4096, len = 0;
        uint8_t *buf = malloc(cap);
        for (;;) {
                if (!buf)
                        abort();
                size_t n = fread(buf + len, 1, cap - len, f);
                len += n;
                if (len < cap)
                        break;
                cap *= 2;
                buf = realloc(buf, cap);
        }
        fclose(f);
        /* an exact-size copy, so a harness reading past the end is caught */
        uint8_t *copy = malloc(len ? len : 1);
        if (!copy)
                abort();
        memcpy(copy, buf, len);
        free(buf);
        current = path;
        alarm(timeout);
        LLVMFuzzerTestOneInput(copy, len);
        alarm(0);
        current = NULL;
        free(copy);
        return 0;
}

int main(int argc, char **argv)
{
        unsigned ran = 0, errors = 0;
        const char *t = getenv("XP_REPLAY_TIMEOUT");
        unsigned timeout = t && atoi(t) > 0 ? (unsigned)atoi(t) : 60;
        bool verbose = getenv("XP_REPLAY_VERBOSE") != NULL;

        signal(SIGALRM, on_signal);
        signal(SIGSEGV, on_signal);
        signal(SIGBUS, on_signal);
        signal(SIGFPE, on_signal);
        signal(SIGILL, on_signal);
        signal(SIGABRT, on_signal);
        if (LLVMFuzzerInitialize)
                LLVMFuzzerInitialize(&argc, &argv);

        for (int i = 1; i < argc; i++) {
                struct stat st;
                if (stat(argv[i], &st) < 0) {
                        fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
                        errors++;
                        continue;
                }
                if (!S_ISDIR(st.st_mode)) {
                        if (verbose)
                                fprintf(stderr, "replay: %s\n", argv[i]);
                        errors += run_file(argv[i], timeout) < 0;
                        ran++;
                        continue;
                }
                DIR *d = opendir(argv[i]);
                if (!d) {
                        fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
                        errors++;
                        continue;
                }
                char **names = NULL;
                size_t n = 0;
                for (struct dirent *de; (de = readdir(d));) {
                        if (de->d_name[0] == '.')
                                continue;
                        names = realloc(names, (n + 1) * sizeof(*names));
                        if (!names || asprintf(&names[n], "%s/%s", argv[i], de->d_name) < 0)
                                abort();
                        n++;
                }
                closedir(d);
                if (n)
                        qsort(names, n, sizeof(*names), cmp);
                for (size_t k = 0; k < n; k++) {
                        if (stat(names[k], &st) == 0 && S_ISREG(st.st_mode)) {
                                if (verbose)
                                        fprintf(stderr, "replay: %s\n", names[k]);
                                errors += run_file(names[k], timeout) < 0;
                                ran++;
                        }
                        free(names[k]);
                }
                free(names);
        }
        printf("replayed %u inputs, %u unreadable\n", ran, errors);
        return errors ? 1 : 0;
}
