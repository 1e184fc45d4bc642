/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the fuzz harnesses (tests/fuzz/fuzz-*.c): a cursor over
 * the input bytes, a private scratch directory, file writing and removal.
 * Each harness includes this once; everything is static.
 */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A harness-side check failed: print why and abort, so libFuzzer (and the
 * replay driver) report it as a crash with the input that caused it. */
#define FUZZ_ASSERT(cond, ...)                                                              \
        do {                                                                                \
                if (!(cond)) {                                                              \
                        fprintf(stderr, "%s:%d: FUZZ_ASSERT(%s) failed: ", __FILE__, __LINE__, \
                                #cond);                                                     \
                        fprintf(stderr, __VA_ARGS__);                                       \
                        fputc('\n', stderr);                                                \
                        abort();                                                            \
                }                                                                           \
        } while (0)

/* ------------------------------------------------------------ input cursor */

struct fz {
        const uint8_t *p;
        size_t n;
};

static inline bool fz_empty(const struct fz *f)
{
        return f->n == 0;
}

static inline uint8_t fz_u8(struct fz *f)
{
        if (!f->n)
                return 0;
        f->n--;
        return *f->p++;
}

static inline uint16_t fz_u16(struct fz *f)
{
        uint16_t lo = fz_u8(f);
        return (uint16_t)(lo | (uint16_t)fz_u8(f) << 8);
}

/* N bytes (fewer at the end of the input) into a fresh NUL-terminated
 * buffer; *LEN gets the count.  NUL bytes are kept unless NONUL. */
static inline char *fz_bytes(struct fz *f, size_t n, size_t *len, bool nonul)
{
        if (n > f->n)
                n = f->n;
        char *s = malloc(n + 1);
        if (!s)
                abort();
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (!nonul || f->p[i])
                        s[k++] = (char)f->p[i];
        s[k] = '\0';
        f->p += n;
        f->n -= n;
        if (len)
                *len = k;
        return s;
}

/* A string of length byte + bytes, NULs dropped. */
static inline char *fz_str(struct fz *f)
{
        return fz_bytes(f, fz_u8(f), NULL, true);
}

/* The rest of the input up to a separator byte SEP (consumed), NULs kept
 * as they are (callers wanting C strings use strlen on the result). */
static inline char *fz_until(struct fz *f, uint8_t sep, size_t *len)
{
        const uint8_t *e = memchr(f->p, sep, f->n);
        size_t n = e ? (size_t)(e - f->p) : f->n;
        char *s = fz_bytes(f, n, len, false);
        if (e) {
                f->p++;
                f->n--;
        }
        return s;
}

/* ---------------------------------------------------------- scratch dirs */

static char fz_scratch_dir[256];

static int fz_rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st, (void)flag;
        if (ftw->level == 0)
                return 0;
        if (remove(path) < 0 && errno != ENOENT) {
                /* a directory we made unreadable: let us in again */
                chmod(path, 0700);
                remove(path);
        }
        return 0;
}

/* Remove everything below DIR (not DIR itself), never following symlinks. */
static inline void fz_clear_dir(const char *dir)
{
        nftw(dir, fz_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static void fz_scratch_cleanup(void)
{
        if (!fz_scratch_dir[0])
                return;
        fz_clear_dir(fz_scratch_dir);
        rmdir(fz_scratch_dir);
        fz_scratch_dir[0] = '\0';
}

/* A private directory for this process, removed at exit. */
static inline const char *fz_scratch(void)
{
        if (fz_scratch_dir[0])
                return fz_scratch_dir;
        const char *tmp = getenv("TMPDIR");
        snprintf(fz_scratch_dir, sizeof(fz_scratch_dir), "%s/xpfuzz.XXXXXX",
                 tmp && tmp[0] == '/' ? tmp : "/tmp");
        if (!mkdtemp(fz_scratch_dir)) {
                perror("mkdtemp");
                abort();
        }
        atexit(fz_scratch_cleanup);
        return fz_scratch_dir;
}

/* mkdir -p of the parents of REL below DIRFD, never through a symlink;
 * false when a component is not a plain directory. */
static inline bool fz_mkparents(int dirfd, const char *rel)
{
        char buf[4096];
        snprintf(buf, sizeof(buf), "%s", rel);
        int cur = dup(dirfd);
        if (cur < 0)
                return false;
        char *s = buf;
        for (char *slash; (slash = strchr(s, '/')); s = slash + 1) {
                *slash = '\0';
                if (!*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
                        goto fail;
                mkdirat(cur, s, 0755);
                int fd = openat(cur, s, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        goto fail;
                close(cur);
                cur = fd;
        }
        close(cur);
        return true;
fail:
        close(cur);
        return false;
}

/* Open the parent directory of REL below DIRFD (creating it), never
 * through a symlink; *BASE gets the last component.  -1 on failure. */
static inline int fz_parent(int dirfd, const char *rel, const char **base)
{
        if (!fz_mkparents(dirfd, rel))
                return -1;
        const char *slash = strrchr(rel, '/');
        *base = slash ? slash + 1 : rel;
        if (!**base || strcmp(*base, ".") == 0 || strcmp(*base, "..") == 0)
                return -1;
        if (!slash)
                return dup(dirfd);
        char buf[4096];
        snprintf(buf, sizeof(buf), "%.*s", (int)(slash - rel), rel);
        int cur = dup(dirfd);
        char *s = buf;
        for (char *sl; cur >= 0; s = sl + 1) {
                sl = strchr(s, '/');
                if (sl)
                        *sl = '\0';
                int fd = openat(cur, s, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                close(cur);
                cur = fd;
                if (!sl)
                        break;
        }
        return cur;
}

/* Write DATA as REL below DIRFD (parents made), replacing what was there;
 * false when REL cannot be made without following a symlink. */
static inline bool fz_write_at(int dirfd, const char *rel, const void *data, size_t len)
{
        const char *base;
        int pfd = fz_parent(dirfd, rel, &base);
        if (pfd < 0)
                return false;
        int fd = openat(pfd, base, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
        close(pfd);
        if (fd < 0)
                return false;
        const char *p = data;
        while (len) {
                ssize_t w = write(fd, p, len);
                if (w <= 0)
                        break;
                p += w;
                len -= (size_t)w;
        }
        close(fd);
        return true;
}
