/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `xenprobe snapshot DIR`: copy exactly what the probes read (the root's
 * read log: files, symlinks, listed directories) plus the CPUID leaves into
 * DIR, so that `xenprobe --root DIR` reproduces the verdict.  This is what a
 * user attaches to a bug report (util-linux lscpu's mk-input.sh).
 *
 * Links are created first, with their original text; a file read through a
 * link is then stored at the link's target inside DIR, so the replay walks
 * the same links.  Every path is resolved inside DIR: a link text of a
 * hostile root cannot make the snapshot write outside it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "render.h"

#define SNAP_FILE_MAX (8u << 20)
#define MAX_LINKS 40

/* Normalize "a/b/../c" textually, clamping ".." at the top. */
static void normalize(char *p)
{
        char *out = p, *seg = p;
        size_t olen = 0;
        char buf[PATH_MAX];
        buf[0] = '\0';
        while (*seg) {
                char *slash = strchr(seg, '/');
                size_t n = slash ? (size_t)(slash - seg) : strlen(seg);
                if (n == 0 || (n == 1 && seg[0] == '.')) {
                        /* skip */
                } else if (n == 2 && seg[0] == '.' && seg[1] == '.') {
                        while (olen > 0 && buf[olen - 1] != '/')
                                olen--;
                        if (olen > 0)
                                olen--;
                        buf[olen] = '\0';
                } else if (olen + n + 2 < sizeof(buf)) {
                        if (olen)
                                buf[olen++] = '/';
                        memcpy(buf + olen, seg, n);
                        olen += n;
                        buf[olen] = '\0';
                }
                seg += n;
                if (*seg == '/')
                        seg++;
        }
        memcpy(out, buf, olen + 1);
}

/*
 * Create every directory of PATH inside DIRFD; when a component is a symlink
 * (created earlier from the log), continue at its target, inside DIRFD.
 * Returns an O_DIRECTORY fd of the final directory.
 */
static int mkdir_p_in(int dirfd, const char *path)
{
        char cur[PATH_MAX];
        int links = 0;
        snprintf(cur, sizeof(cur), "%s", path);
        normalize(cur);
restart:
        {
                int fd = dup(dirfd);
                if (fd < 0)
                        return -errno;
                char *p = cur;
                while (*p) {
                        char *slash = strchr(p, '/');
                        if (slash)
                                *slash = '\0';
                        struct stat st;
                        if (fstatat(fd, p, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                                if (errno != ENOENT || (mkdirat(fd, p, 0755) < 0 && errno != EEXIST)) {
                                        int r = -errno;
                                        close(fd);
                                        return r;
                                }
                        } else if (S_ISLNK(st.st_mode)) {
                                char target[PATH_MAX], next[PATH_MAX];
                                ssize_t n = readlinkat(fd, p, target, sizeof(target) - 1);
                                close(fd);
                                if (n < 0)
                                        return -errno;
                                if (++links > MAX_LINKS)
                                        return -ELOOP;
                                target[n] = '\0';
                                /* prefix = components before p */
                                size_t plen = (size_t)(p - cur);
                                char prefix[PATH_MAX];
                                memcpy(prefix, cur, plen);
                                prefix[plen] = '\0';
                                int w = snprintf(next, sizeof(next), "%s/%s%s%s",
                                                 target[0] == '/' ? "" : prefix, target, slash ? "/" : "",
                                                 slash ? slash + 1 : "");
                                if (w < 0 || (size_t)w >= sizeof(next))
                                        return -ENAMETOOLONG;
                                normalize(next);
                                memcpy(cur, next, strlen(next) + 1);
                                goto restart;
                        } else if (!S_ISDIR(st.st_mode)) {
                                close(fd);
                                return -ENOTDIR;
                        }
                        int nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        close(fd);
                        if (nfd < 0)
                                return -errno;
                        fd = nfd;
                        if (!slash)
                                break;
                        *slash = '/';
                        p = slash + 1;
                }
                return fd;
        }
}

/* The directory fd that will hold PATH's last component (created, links
 * followed inside DIRFD), and that component in *BASE. */
static int open_parent(int dirfd, const char *path, const char **base)
{
        char dir[PATH_MAX];
        const char *s = strrchr(path, '/');
        if (!s) {
                *base = path;
                int fd = dup(dirfd);
                return fd < 0 ? -errno : fd;
        }
        if ((size_t)(s - path) >= sizeof(dir))
                return -ENAMETOOLONG;
        memcpy(dir, path, (size_t)(s - path));
        dir[s - path] = '\0';
        *base = s + 1;
        return mkdir_p_in(dirfd, dir);
}

static int write_file_in(int dirfd, const char *path, const char *data, size_t len)
{
        const char *base;
        int dfd = open_parent(dirfd, path, &base);
        if (dfd < 0)
                return dfd;
        int fd = openat(dfd, base, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        int r = fd < 0 ? -errno : 0;
        close(dfd);
        if (r < 0)
                return r;
        r = xp_write_all(fd, data, len);
        if (close(fd) < 0 && r == 0)
                r = -errno;
        return r;
}

static int link_in(int dirfd, const char *path, const char *target)
{
        const char *base;
        int dfd = open_parent(dirfd, path, &base);
        if (dfd < 0)
                return dfd;
        int r = symlinkat(target, dfd, base) < 0 && errno != EEXIST ? -errno : 0;
        close(dfd);
        return r;
}

/* PID 1's environment may hold credentials and goes into bug reports: keep
 * only the container= entries the container probe reads.  In place. */
static size_t keep_container_only(char *env, size_t len)
{
        size_t out = 0;
        for (size_t off = 0; off < len;) {
                size_t l = strnlen(env + off, len - off);
                if (xp_startswith(env + off, "container=")) {
                        memmove(env + out, env + off, l);
                        out += l;
                        env[out++] = '\0';
                }
                off += l + 1;
        }
        return out;
}

static int dir_is_empty_or_absent(const char *dir)
{
        if (mkdir(dir, 0755) == 0)
                return 0;
        if (errno != EEXIST)
                return -errno;
        char **names = NULL;
        int e;
        struct xp_root *tmp = xp_root_new(dir, false, &e);
        if (!tmp)
                return e;
        e = xp_root_list_dir(tmp, ".", &names);
        xp_root_free(tmp);
        if (e < 0)
                return e;
        bool empty = !names[0];
        xp_strv_free(names);
        return empty ? 0 : -ENOTEMPTY;
}

/* DIR, new or empty, opened: the fd, or -errno (said). */
static int open_target(struct xp_ctx *ctx, const char *dir)
{
        int e = dir_is_empty_or_absent(dir);
        if (e < 0) {
                ERR(ctx, "%s: %s%s", dir, strerror(-e),
                    e == -ENOTEMPTY ? ": give a new or empty directory, a snapshot is never merged into existing files" : "");
                return e;
        }
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
                e = -errno;
                ERR(ctx, "%s: %m", dir);
                return e;
        }
        return dfd;
}

/* Copy one logged path P of KIND from ROOT into DFD: 0 or -errno. */
static int copy_entry(struct xp_root *root, int dfd, const char *p, enum xp_log_kind kind)
{
        char *v = NULL;
        size_t len = 0;
        int e;
        if (kind == XP_LOG_LINK) {
                e = xp_root_readlink(root, p, &v);
                if (e == 0)
                        e = link_in(dfd, p, v);
        } else if (kind == XP_LOG_DIR) {
                e = mkdir_p_in(dfd, p);
                if (e >= 0) {
                        close(e);
                        e = 0;
                }
        } else {
                e = xp_root_read_file(root, p, SNAP_FILE_MAX, &v, &len);
                if (e == 0 && strcmp(p, "proc/1/environ") == 0)
                        len = keep_container_only(v, len);
                if (e == 0)
                        e = write_file_in(dfd, p, v, len);
        }
        free(v);
        return e;
}

/* Copy the first N paths of the root's read log into DFD, counting the
 * paths copied and failed (each failure said). */
static void copy_logged(struct xp_ctx *ctx, size_t n, int dfd, size_t *copied, size_t *failed)
{
        struct xp_root *root = xp_ctx_root(ctx);
        /* pass 0: links, 1: directories, 2: files (see the comment on top) */
        for (int pass = 0; pass < 3; pass++)
                for (size_t i = 0; i < n; i++) {
                        enum xp_log_kind kind;
                        const char *p = xp_root_log_path(root, i, &kind);
                        if (kind == XP_LOG_ERROR || (pass == 0) != (kind == XP_LOG_LINK) ||
                            (pass == 1) != (kind == XP_LOG_DIR))
                                continue;
                        int e = copy_entry(root, dfd, p, kind);
                        if (e < 0) {
                                (*failed)++;
                                WARN(ctx, "%s/%s: not copied into the snapshot: %s", xp_root_path(root), p, strerror(-e));
                        } else
                                (*copied)++;
                }
}

/* XP_ERRORS_FILE in DFD: the reads among the first N of the log that
 * failed (EIO, EACCES, EISDIR...), so that they replay as failures. */
static void write_errors(struct xp_ctx *ctx, size_t n, int dfd, const char *dir)
{
        struct xp_root *root = xp_ctx_root(ctx);
        char *errs = NULL;
        size_t errs_len = 0;
        FILE *ef = open_memstream(&errs, &errs_len);
        if (!ef)
                return;
        fputs("# ERRNO PATH: reads that failed when the snapshot was taken\n", ef);
        for (size_t i = 0; i < n; i++) {
                enum xp_log_kind kind;
                const char *p = xp_root_log_path(root, i, &kind);
                if (kind == XP_LOG_ERROR && !strchr(p, '\n'))
                        fprintf(ef, "%d %s\n", xp_root_log_error(root, i), p);
        }
        if (fclose(ef) == 0) {
                int e = write_file_in(dfd, XP_ERRORS_FILE, errs, errs_len);
                if (e < 0)
                        ERR(ctx, "%s/%s: %s", dir, XP_ERRORS_FILE, strerror(-e));
        }
        free(errs);
}

/* XP_CPUID_FILE in DFD: CPUID, the one source a directory cannot hold. */
static void write_cpuid(struct xp_ctx *ctx, int dfd, const char *dir)
{
        struct xp_root *root = xp_ctx_root(ctx);
        struct xp_cpuid_set set = { 0 };
        char *text = NULL;
        size_t tlen = 0;
        int e;
        if (xp_root_is_live(root))
                e = xp_cpuid_read_live(&set);
        else {
                /* re-snapshot of a snapshot: carry the file over */
                e = xp_root_read_file(root, XP_CPUID_FILE, 1u << 20, &text, &tlen);
                if (e == 0)
                        e = xp_cpuid_parse(text, &set, NULL);
                free(text);
                text = NULL;
        }
        if (e == 0 && xp_cpuid_format(&set, &text) == 0) {
                e = write_file_in(dfd, XP_CPUID_FILE, text, strlen(text));
                if (e < 0)
                        ERR(ctx, "%s/%s: %s", dir, XP_CPUID_FILE, strerror(-e));
        }
        free(text);
        xp_cpuid_set_clear(&set);
}

/* run/xenprobe/snapshot-info in DFD: when, from where, what verdict, how
 * many paths; 0 or -errno. */
static int write_info(struct xp_ctx *ctx, const struct xp_report *r, int dfd, size_t copied, size_t failed)
{
        char info[1024], head[256];
        char date[XP_UTC_MAX];
        xp_utc_time(time(NULL), date);
        xp_report_headline(r, head, sizeof(head));
        snprintf(info, sizeof(info),
                 "# written by xenprobe %s snapshot, not read by the probes\n"
                 "date=%s\nsource=%s\nverdict=%s\nsummary=%s\nfiles=%zu\nfailed=%zu\n",
                 PACKAGE_VERSION, date, xp_root_path(xp_ctx_root(ctx)), xp_report_verdict(r), head, copied, failed);
        return write_file_in(dfd, "run/xenprobe/snapshot-info", info, strlen(info));
}

int xp_snapshot_write(struct xp_ctx *ctx, const struct xp_report *r, const char *dir)
{
        int dfd = open_target(ctx, dir);
        if (dfd < 0)
                return dfd;
        struct xp_root *root = xp_ctx_root(ctx);
        xp_modules_note_inputs(root, r->facts.kernel.release);
        xp_boot_note_inputs(root);
        /* the log as the probes left it: copying reads the root again, and
         * what those reads add to the log is not the probes' */
        size_t n = xp_root_log_count(root), copied = 0, failed = 0;
        copy_logged(ctx, n, dfd, &copied, &failed);
        write_errors(ctx, n, dfd, dir);
        write_cpuid(ctx, dfd, dir);
        int e = write_info(ctx, r, dfd, copied, failed);
        close(dfd);
        if (e < 0) {
                ERR(ctx, "%s/run/xenprobe/snapshot-info: %s", dir, strerror(-e));
                return e;
        }
        INFO(ctx, "%s: %zu paths copied, %zu failed", dir, copied, failed);
        return 0;
}
