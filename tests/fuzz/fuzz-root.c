/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: path resolution below a root (probes/root.c), the code
 * between `xenprobe --root DIR` and a hostile guest image.
 *
 * Layout, fresh for each input, in a private scratch directory S:
 *   S/secret            "XPFUZZ-SENTINEL-OUTSIDE" (outside the root)
 *   S/r/                the root
 *   /tmp/xpfuzz-sentinel/secret   the same text at a fixed absolute path,
 *                       for absolute symlink targets to aim at
 * The input is a list of records (op byte modulo 8):
 *   0 dir      path (len byte + bytes)
 *   1 file     path, content (len byte + bytes)
 *   2 symlink  path, target (len byte + bytes: absolute, "..", loops, ...)
 *   3 fifo     path
 *   4-7 lookup kind byte, path: read_file, read_line, readlink, list_dir,
 *            exists, open_file, open (O_PATH), resolve_in_root
 * Entries are made without ever following a symlink (so the harness
 * itself never writes outside S/r).  Every lookup runs twice: through
 * openat2(RESOLVE_IN_ROOT) and through the user-space walk.
 *
 * Checked: no crash or hang (a FIFO is never opened for reading); no
 * content read holds the sentinel; every fd returned resolves, by
 * /proc/self/fd, to S/r or below; the two resolvers agree on whether a
 * path opens and on the inode it reaches.
 */
#include "config.h"

#include <limits.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "fuzz-util.h"
#include "probe.h"
#include "test-hooks.h"

#define SENTINEL "XPFUZZ-SENTINEL-OUTSIDE"
#define FIXED_DIR "/tmp/xpfuzz-sentinel"

static char rootdir[PATH_MAX + 8];
static size_t rootlen;
static int rootfd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc, (void)argv;
        const char *s = fz_scratch();
        int sfd = open(s, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (sfd < 0)
                abort();
        fz_write_at(sfd, "secret", SENTINEL "\n", strlen(SENTINEL) + 1);
        close(sfd);
        snprintf(rootdir, sizeof(rootdir), "%s/r", s);
        mkdir(rootdir, 0755);
        /* the resolved name of the root: /tmp may itself be a symlink */
        char real[PATH_MAX];
        if (!realpath(rootdir, real))
                abort();
        snprintf(rootdir, sizeof(rootdir), "%s", real);
        rootlen = strlen(rootdir);
        rootfd = open(rootdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                abort();
        /* shared by every process, content fixed: make it if missing */
        mkdir(FIXED_DIR, 0755);
        int fd = open(FIXED_DIR "/secret", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd >= 0) {
                if (write(fd, SENTINEL "\n", strlen(SENTINEL) + 1) < 0)
                        abort();
                close(fd);
        }
        return 0;
}

/* FD must name the root or something below it */
static void inside(int fd, const char *path)
{
        char self[64], target[PATH_MAX + 1];
        snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(self, target, sizeof(target) - 1);
        FUZZ_ASSERT(n > 0, "readlink %s", self);
        target[n] = '\0';
        FUZZ_ASSERT(strncmp(target, rootdir, rootlen) == 0 && (target[rootlen] == '\0' || target[rootlen] == '/'),
                    "\"%s\" resolved outside the root, to %s", path, target);
}

static void no_sentinel(const char *buf, size_t len, const char *path)
{
        FUZZ_ASSERT(!memmem(buf, len, SENTINEL, strlen(SENTINEL)), "\"%s\" read the sentinel outside the root",
                    path);
}

struct result {
        int r;
        dev_t dev;
        ino_t ino;
};

static struct result lookup(struct xp_root *root, unsigned kind, const char *path)
{
        struct result res = { 0 };
        switch (kind) {
        case 0: {
                char *buf = NULL;
                size_t len = 0;
                res.r = xp_root_read_file(root, path, 4096, &buf, &len);
                if (res.r == 0) {
                        FUZZ_ASSERT(buf[len] == '\0', "read_file result not terminated");
                        no_sentinel(buf, len, path);
                        free(buf);
                }
                break;
        }
        case 1: {
                char *buf = NULL;
                res.r = xp_root_read_line(root, path, &buf);
                if (res.r == 0) {
                        no_sentinel(buf, strlen(buf), path);
                        free(buf);
                }
                break;
        }
        case 2: {
                char *buf = NULL;
                res.r = xp_root_readlink(root, path, &buf);
                if (res.r == 0)
                        free(buf);
                break;
        }
        case 3: {
                char **v = NULL;
                res.r = xp_root_list_dir(root, path, &v);
                if (res.r == 0) {
                        for (char **p = v; *p; p++)
                                FUZZ_ASSERT(strcmp(*p, "secret") != 0 && strcmp(*p, "r") != 0,
                                            "\"%s\" listed the directory outside the root", path);
                        xp_strv_free(v);
                }
                break;
        }
        case 4:
                res.r = xp_root_exists(root, path) ? 0 : -ENOENT;
                break;
        case 5:
        case 6:
        case 7: {
                int fd = kind == 5   ? xp_root_open_file(root, path)
                         : kind == 6 ? xp_root_open(root, path, O_PATH)
                                     : xp_resolve_in_root(rootfd, path, O_PATH, true);
                res.r = fd < 0 ? fd : 0;
                if (fd >= 0) {
                        struct stat st;
                        inside(fd, path);
                        FUZZ_ASSERT(fstat(fd, &st) == 0, "fstat");
                        if (kind == 5) {
                                FUZZ_ASSERT(S_ISREG(st.st_mode), "open_file gave a non-regular file for \"%s\"", path);
                                char buf[256];
                                ssize_t n = read(fd, buf, sizeof(buf));
                                if (n > 0)
                                        no_sentinel(buf, (size_t)n, path);
                        }
                        res.dev = st.st_dev;
                        res.ino = st.st_ino;
                        close(fd);
                }
                break;
        }
        }
        return res;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (rootfd < 0)
                LLVMFuzzerInitialize(NULL, NULL);
        fz_clear_dir(rootdir);
        struct fz f = { data, size };

        /* build first, then look up: lookups see the whole tree */
        struct {
                unsigned kind;
                char *path;
        } q[64];
        size_t nq = 0;
        unsigned records = 0;
        while (!fz_empty(&f) && records++ < 256) {
                unsigned op = fz_u8(&f) % 8;
                if (op >= 4) {
                        unsigned kind = fz_u8(&f) % 8;
                        char *p = fz_str(&f);
                        if (nq < ELEMENTSOF(q))
                                q[nq++] = (typeof(q[0])){ kind, p };
                        else
                                free(p);
                        continue;
                }
                char *path = fz_str(&f);
                const char *base;
                int pfd = fz_parent(rootfd, path, &base);
                if (op == 1) {
                        size_t len;
                        char *content = fz_bytes(&f, fz_u8(&f), &len, false);
                        if (pfd >= 0) {
                                int fd = openat(pfd, base, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
                                                0644);
                                if (fd >= 0) {
                                        if (write(fd, content, len) < 0) {
                                        }
                                        close(fd);
                                }
                        }
                        free(content);
                } else if (op == 2) {
                        char *target = fz_str(&f);
                        if (pfd >= 0)
                                (void)symlinkat(target, pfd, base);
                        free(target);
                } else if (pfd >= 0) {
                        if (op == 0)
                                (void)mkdirat(pfd, base, 0755);
                        else
                                (void)mknodat(pfd, base, S_IFIFO | 0644, 0);
                }
                if (pfd >= 0)
                        close(pfd);
                free(path);
        }

        int err;
        /* both kinds of root: a guest image, and the live system's rules
         * (open first, type check after: never on a FIFO thanks to
         * O_NONBLOCK) */
        for (int live = 0; live < 2; live++) {
                struct xp_root *root = xp_root_new(rootdir, live, &err);
                if (!root)
                        abort();
                for (size_t i = 0; i < nq; i++) {
                        xp_resolve_force_userspace(false);
                        struct result a = lookup(root, q[i].kind, q[i].path);
                        xp_resolve_force_userspace(true);
                        struct result b = lookup(root, q[i].kind, q[i].path);
                        xp_resolve_force_userspace(false);
                        FUZZ_ASSERT((a.r == 0) == (b.r == 0),
                                    "lookup %u of \"%s\": openat2 %d, user-space walk %d", q[i].kind, q[i].path, a.r,
                                    b.r);
                        FUZZ_ASSERT(a.dev == b.dev && a.ino == b.ino,
                                    "lookup %u of \"%s\": openat2 and user-space walk reach different inodes",
                                    q[i].kind, q[i].path);
                }
                for (size_t i = 0; i < xp_root_log_count(root); i++)
                        (void)xp_root_log_path(root, i, NULL);
                xp_root_free(root);
        }
        for (size_t i = 0; i < nq; i++)
                free(q[i].path);
        return 0;
}
