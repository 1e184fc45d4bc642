/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The root object: one directory fd every probe reads through.
 *
 * Live runs use "/", tests use fixture roots and dom0 uses a mounted guest
 * image, whose files belong to the guest.  So resolution never leaves the
 * root: openat2(RESOLVE_IN_ROOT) where the kernel has it (5.6+), else a
 * user-space walk with the same semantics (absolute symlinks and ".." are
 * clamped at the root, at most 40 symlinks).  Only regular files are read,
 * opened O_NONBLOCK after an O_PATH type check, and every read is bounded.
 * Successful reads are logged: `xenprobe snapshot` copies exactly these.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef HAVE_LINUX_OPENAT2_H
#include <linux/openat2.h>
#endif

#include "core.h"
#include "test-hooks.h"

#define MAX_SYMLINKS 40
#define MAX_DEPTH 256
#define MAX_DIR_ENTRIES 8192

struct log_entry {
        enum xp_log_kind kind;
        int err; /* XP_LOG_ERROR: the errno of the failed read */
        char *path;
};

/* a failed read a snapshot recorded, replayed for that exact path */
struct recorded_error {
        char *path;
        int err;
};

struct xp_root {
        int dirfd;
        char *path;
        bool live;
        struct log_entry *log;
        size_t n_log, cap_log;
        struct recorded_error *recorded;
        size_t n_recorded;
};

static void load_recorded_errors(struct xp_root *root);

/* -1 unknown, 0 unusable (ENOSYS, seccomp), 1 usable */
static int have_openat2 = -1;

void xp_resolve_force_userspace(bool on)
{
        have_openat2 = on ? 0 : -1;
}

static int openat2_in_root(int rootfd, const char *path, int o_flags, bool nofollow_last)
{
#if defined(HAVE_LINUX_OPENAT2_H) && defined(SYS_openat2)
        struct open_how how = {
                .flags = (uint64_t)(o_flags | O_CLOEXEC | (nofollow_last ? O_NOFOLLOW : 0)),
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
        if (fd >= 0)
                return (int)fd;
        return -errno;
#else
        (void)rootfd, (void)path, (void)o_flags, (void)nofollow_last;
        return -ENOSYS;
#endif
}

/*
 * User-space equivalent of RESOLVE_IN_ROOT: a walk one component at a time,
 * each directory opened O_PATH|O_NOFOLLOW below the previous one, each
 * symlink's target spliced in front of the rest of the path.
 */
struct walk {
        int rootfd;
        int stack[MAX_DEPTH]; /* directories opened; depth 0 is rootfd itself */
        int depth, links;
        char *rest;           /* owned: the path, or a link's target + what followed */
        char *cursor;         /* the next component within REST */
};

/* One path component, cut out of the walk's REST in place. */
struct component {
        const char *name;
        char *next;           /* what follows it */
        bool slash;           /* a '/' followed the name */
        bool last;            /* nothing but slashes follows */
};

/* The directory the walk is in. */
static int walk_dir(const struct walk *w)
{
        return w->depth ? w->stack[w->depth] : w->rootfd;
}

/* Close the directories opened above DEPTH (0: back at the root). */
static void walk_pop_to(struct walk *w, int depth)
{
        while (w->depth > depth)
                close(w->stack[w->depth--]);
}

/* Cut the component at CURSOR (no leading '/') out of the path. */
static void split_component(char *cursor, struct component *c)
{
        char *slash = strchr(cursor, '/');
        c->next = slash ? slash + 1 : cursor + strlen(cursor);
        if (slash)
                *slash = '\0';
        c->name = cursor;
        c->slash = slash != NULL;
        c->last = true;
        for (const char *q = c->next; *q; q++)
                if (*q != '/') {
                        c->last = false;
                        break;
                }
}

/* Symlink C: go on with its target followed by what came after C (an
 * absolute target starts again at the root). */
static int walk_follow(struct walk *w, const struct component *c)
{
        char target[PATH_MAX];
        if (++w->links > MAX_SYMLINKS)
                return -ELOOP;
        ssize_t n = readlinkat(walk_dir(w), c->name, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = '\0';
        if (target[0] == '/')
                walk_pop_to(w, 0);
        size_t tl = (size_t)n, nl = strlen(c->next), sep = c->slash ? 1 : 0;
        char *nrest = malloc(tl + 1 + nl + 1);
        if (!nrest)
                return -ENOMEM;
        memcpy(nrest, target, tl);
        nrest[tl] = '/'; /* only kept when a slash followed the link's name */
        memcpy(nrest + tl + sep, c->next, nl + 1);
        free(w->rest);
        w->rest = w->cursor = nrest;
        return 0;
}

/* Directory C: open it below the current one and go on from there. */
static int walk_descend(struct walk *w, const struct component *c)
{
        if (w->depth + 1 >= MAX_DEPTH)
                return -ENAMETOOLONG;
        int fd = openat(walk_dir(w), c->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        w->stack[++w->depth] = fd;
        w->cursor = c->next;
        return 0;
}

/* Open what the path names, C or the directory the walk is in (C NULL). */
static int walk_open(const struct walk *w, const struct component *c, int o_flags)
{
        int fd = c ? openat(walk_dir(w), c->name, o_flags | O_CLOEXEC | O_NOFOLLOW)
                   : openat(walk_dir(w), ".", o_flags | O_CLOEXEC);
        /* O_PATH|O_NOFOLLOW on a symlink yields the link itself */
        return fd < 0 ? -errno : fd;
}

/* Resolve one component: 0 to go on, 1 with the opened fd in *RET, -errno. */
static int walk_step(struct walk *w, int o_flags, bool nofollow_last, int *ret)
{
        struct component c;
        struct stat st;

        while (*w->cursor == '/')
                w->cursor++;
        if (*w->cursor == '\0') { /* the path named a directory (or the root) */
                *ret = walk_open(w, NULL, o_flags);
                return *ret < 0 ? *ret : 1;
        }
        split_component(w->cursor, &c);
        if (strcmp(c.name, ".") == 0 || strcmp(c.name, "..") == 0) {
                if (c.name[1] == '.' && w->depth > 0)
                        walk_pop_to(w, w->depth - 1);
                w->cursor = c.next;
                return 0;
        }
        if (fstatat(walk_dir(w), c.name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        /* "name/": a directory, symlinks followed (as openat2) */
        bool trailing = c.last && c.slash;
        if (S_ISLNK(st.st_mode) && !(c.last && nofollow_last && !trailing))
                return walk_follow(w, &c);
        if (trailing && !S_ISDIR(st.st_mode))
                return -ENOTDIR;
        if (c.last) {
                *ret = walk_open(w, &c, o_flags);
                return *ret < 0 ? *ret : 1;
        }
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        return walk_descend(w, &c);
}

static int walk_in_root(int rootfd, const char *path, int o_flags, bool nofollow_last)
{
        if (!path[0])
                return -ENOENT; /* as openat2: "" names nothing */
        struct walk w = { .rootfd = rootfd, .rest = strdup(path) };
        if (!w.rest)
                return -ENOMEM;
        w.cursor = w.rest;
        int fd = -1, r;
        while ((r = walk_step(&w, o_flags, nofollow_last, &fd)) == 0)
                ;
        walk_pop_to(&w, 0);
        free(w.rest);
        return r < 0 ? r : fd;
}

int xp_resolve_in_root(int rootfd, const char *path, int o_flags, bool nofollow_last)
{
        if (have_openat2 != 0) {
                int fd = openat2_in_root(rootfd, path, o_flags, nofollow_last);
                if (fd >= 0) {
                        have_openat2 = 1;
                        return fd;
                }
                /* ENOSYS: old kernel; EPERM: seccomp profiles that predate
                 * openat2 (older container runtimes) */
                if (!(fd == -ENOSYS || (fd == -EPERM && have_openat2 < 0)))
                        return fd;
                have_openat2 = 0;
        }
        return walk_in_root(rootfd, path, o_flags, nofollow_last);
}

struct xp_root *xp_root_new(const char *dir, bool live, int *ret_err)
{
        struct xp_root *root = calloc(1, sizeof(*root));
        if (!root) {
                *ret_err = -ENOMEM;
                return NULL;
        }
        root->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root->dirfd < 0) {
                *ret_err = -errno;
                free(root);
                return NULL;
        }
        root->path = strdup(dir);
        root->live = live;
        if (!root->path) {
                *ret_err = -ENOMEM;
                return xp_root_free(root);
        }
        if (!live)
                load_recorded_errors(root);
        *ret_err = 0;
        return root;
}

struct xp_root *xp_root_free(struct xp_root *root)
{
        if (!root)
                return NULL;
        if (root->dirfd >= 0)
                close(root->dirfd);
        for (size_t i = 0; i < root->n_log; i++)
                free(root->log[i].path);
        free(root->log);
        for (size_t i = 0; i < root->n_recorded; i++)
                free(root->recorded[i].path);
        free(root->recorded);
        free(root->path);
        free(root);
        return NULL;
}

void xp_root_log_clear(struct xp_root *root)
{
        for (size_t i = 0; i < root->n_log; i++)
                free(root->log[i].path);
        root->n_log = 0;
}

bool xp_root_is_live(const struct xp_root *root) { return root->live; }
const char *xp_root_path(const struct xp_root *root) { return root->path; }

static void note_err(struct xp_root *root, enum xp_log_kind kind, int err, const char *path)
{
        for (size_t i = 0; i < root->n_log; i++)
                if (root->log[i].kind == kind && strcmp(root->log[i].path, path) == 0)
                        return;
        if (xp_grow(&root->log, &root->cap_log, root->n_log, sizeof(*root->log), 64) < 0)
                return; /* the log only feeds snapshot; a miss is not fatal */
        char *p = strdup(path);
        if (!p)
                return;
        root->log[root->n_log].kind = kind;
        root->log[root->n_log].err = err;
        root->log[root->n_log++].path = p;
}

void xp_root_note(struct xp_root *root, enum xp_log_kind kind, const char *path)
{
        note_err(root, kind, 0, path);
}

/* A read that failed for another reason than absence is evidence too
 * ("unreadable"): snapshot records it so the replay fails the same way. */
static int failed(struct xp_root *root, const char *path, int err)
{
        if (err == -ENOMEM)
                xp_note_enomem();
        if (err != -ENOENT && err != -ENOTDIR && err != -ENOMEM)
                note_err(root, XP_LOG_ERROR, -err, path);
        return err;
}

int xp_root_log_error(const struct xp_root *root, size_t i)
{
        return i < root->n_log ? root->log[i].err : 0;
}


/* Replay the failed reads a snapshot recorded: lines "ERRNO PATH". */
static void load_recorded_errors(struct xp_root *root)
{
        char *text;
        if (xp_root_read_file(root, XP_ERRORS_FILE, 256 * 1024, &text, NULL) < 0)
                return;
        for (char *line = text, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                char *end;
                long err = strtol(line, &end, 10);
                if (line[0] == '#' || end == line || *end != ' ' || err <= 0 || err > 4095 || !end[1])
                        continue;
                struct recorded_error *n = realloc(root->recorded, (root->n_recorded + 1) * sizeof(*n));
                if (!n)
                        break;
                root->recorded = n;
                n[root->n_recorded] = (struct recorded_error){ .path = strdup(end + 1), .err = (int)err };
                if (n[root->n_recorded].path)
                        root->n_recorded++;
        }
        free(text);
}

size_t xp_root_log_count(const struct xp_root *root) { return root->n_log; }

const char *xp_root_log_path(const struct xp_root *root, size_t i, enum xp_log_kind *ret_kind)
{
        if (i >= root->n_log)
                return NULL;
        if (ret_kind)
                *ret_kind = root->log[i].kind;
        return root->log[i].path;
}

static int recorded_failure(struct xp_root *root, const char *path)
{
        for (size_t i = 0; i < root->n_recorded; i++)
                if (strcmp(root->recorded[i].path, path) == 0)
                        return failed(root, path, -root->recorded[i].err);
        return 0;
}

int xp_root_open(struct xp_root *root, const char *path, int flags)
{
        int r = recorded_failure(root, path);
        if (r < 0)
                return r;
        return xp_resolve_in_root(root->dirfd, path, flags, false);
}

bool xp_root_exists(struct xp_root *root, const char *path)
{
        struct stat st;
        int fd = xp_root_open(root, path, O_PATH);
        if (fd < 0)
                return false;
        /* existence is evidence too (/.dockerenv): snapshot must keep it */
        if (fstat(fd, &st) == 0)
                xp_root_note(root, S_ISDIR(st.st_mode) ? XP_LOG_DIR : XP_LOG_FILE, path);
        close(fd);
        return true;
}

static int read_fd(struct xp_root *root, const char *path, int fd, size_t max, char **ret, size_t *ret_len);

int xp_root_open_file(struct xp_root *root, const char *path)
{
        struct stat st1, st2;
        int r = recorded_failure(root, path);
        if (r < 0)
                return r;

        /* The live /sys and /proc are the kernel's: open and check the type
         * after.  Anywhere else (a guest image, a capture) check the type
         * before opening for reading: a guest may plant a FIFO or a device
         * node where a file is expected, and opening some devices acts. */
        if (root->live) {
                int fd = xp_resolve_in_root(root->dirfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, false);
                if (fd < 0)
                        return fd;
                if (fstat(fd, &st2) < 0)
                        r = -errno;
                else if (!S_ISREG(st2.st_mode))
                        r = S_ISDIR(st2.st_mode) ? -EISDIR : -EINVAL;
                if (r < 0) {
                        close(fd);
                        return r;
                }
                return fd;
        }
        int pfd = xp_resolve_in_root(root->dirfd, path, O_PATH, false);
        if (pfd < 0)
                return pfd;
        if (fstat(pfd, &st1) < 0)
                r = -errno;
        else if (S_ISDIR(st1.st_mode))
                r = -EISDIR;
        else if (!S_ISREG(st1.st_mode))
                r = -EINVAL;
        if (r < 0) {
                close(pfd);
                return r;
        }

        /* reopen the very inode checked above through /proc/self/fd, so no
         * second resolution can be raced; without /proc, resolve again and
         * compare the inode */
        char self[64];
        snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
        int fd = open(self, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        close(pfd);
        if (fd < 0)
                fd = xp_resolve_in_root(root->dirfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, false);
        if (fd < 0)
                return fd;
        if (fstat(fd, &st2) < 0 || st2.st_dev != st1.st_dev || st2.st_ino != st1.st_ino) {
                close(fd);
                return -ESTALE; /* swapped between the check and the open */
        }
        return fd;
}

static int read_file_impl(struct xp_root *root, const char *path, size_t max, char **ret,
                          size_t *ret_len)
{
        int fd = xp_root_open_file(root, path);
        if (fd < 0)
                return fd;
        return read_fd(root, path, fd, max, ret, ret_len);
}

/* Read FD to its end, at most MAX bytes; closes FD. */
static int read_fd(struct xp_root *root, const char *path, int fd, size_t max, char **ret, size_t *ret_len)
{
        int r;
        size_t cap = 4096, len = 0;
        char *buf = malloc(cap + 1);
        if (!buf) {
                close(fd);
                return -ENOMEM;
        }
        for (;;) {
                if (len == cap) {
                        if (cap > max) {
                                r = -EFBIG;
                                goto fail;
                        }
                        size_t ncap = cap * 2;
                        if (ncap > max + 1)
                                ncap = max + 1;
                        char *nb = realloc(buf, ncap + 1);
                        if (!nb) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        buf = nb;
                        cap = ncap;
                }
                ssize_t n = read(fd, buf + len, cap - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        goto fail;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > max) {
                        r = -EFBIG;
                        goto fail;
                }
        }
        close(fd);
        buf[len] = '\0';
        xp_root_note(root, XP_LOG_FILE, path);
        *ret = buf;
        if (ret_len)
                *ret_len = len;
        return 0;
fail:
        close(fd);
        free(buf);
        return r;
}

int xp_root_read_line(struct xp_root *root, const char *path, char **ret)
{
        char *buf;
        int r = xp_root_read_file(root, path, 64 * 1024, &buf, NULL);
        if (r < 0)
                return r;
        char *nl = strchr(buf, '\n');
        if (nl)
                *nl = '\0';
        *ret = xp_strip(buf);
        return 0;
}

static int readlink_impl(struct xp_root *root, const char *path, char **ret)
{
        int r = recorded_failure(root, path);
        if (r < 0)
                return r;
        int fd = xp_resolve_in_root(root->dirfd, path, O_PATH, true);
        if (fd < 0)
                return fd;
        char buf[PATH_MAX];
        ssize_t n = readlinkat(fd, "", buf, sizeof(buf) - 1);
        r = n < 0 ? -errno : 0;
        close(fd);
        if (r < 0)
                return r == -ENOENT ? -EINVAL : r; /* not a symlink */
        buf[n] = '\0';
        *ret = strdup(buf);
        if (!*ret)
                return -ENOMEM;
        xp_root_note(root, XP_LOG_LINK, path);
        return 0;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_dir_impl(struct xp_root *root, const char *path, char ***ret)
{
        int r = recorded_failure(root, path);
        if (r < 0)
                return r;
        int fd = xp_resolve_in_root(root->dirfd, path, O_RDONLY | O_DIRECTORY, false);
        if (fd < 0)
                return fd;
        DIR *d = fdopendir(fd);
        if (!d) {
                r = -errno;
                close(fd);
                return r;
        }
        char **v = NULL;
        size_t n = 0;
        struct dirent *de;
        errno = 0;
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (++n > MAX_DIR_ENTRIES) {
                        r = -E2BIG;
                        goto fail;
                }
                r = xp_strv_push(&v, de->d_name);
                if (r < 0)
                        goto fail;
        }
        if (errno) {
                r = -errno;
                goto fail;
        }
        closedir(d);
        if (!v) {
                v = calloc(1, sizeof(char *));
                if (!v)
                        return -ENOMEM;
        }
        qsort(v, n, sizeof(char *), cmp_str);
        xp_root_note(root, XP_LOG_DIR, path);
        *ret = v;
        return 0;
fail:
        closedir(d);
        xp_strv_free(v);
        return r;
}

int xp_root_read_file(struct xp_root *root, const char *path, size_t max, char **ret,
                      size_t *ret_len)
{
        int r = read_file_impl(root, path, max, ret, ret_len);
        return r < 0 ? failed(root, path, r) : r;
}

int xp_root_readlink(struct xp_root *root, const char *path, char **ret)
{
        int r = readlink_impl(root, path, ret);
        return r < 0 ? failed(root, path, r) : r;
}

int xp_root_list_dir(struct xp_root *root, const char *path, char ***ret)
{
        int r = list_dir_impl(root, path, ret);
        return r < 0 ? failed(root, path, r) : r;
}
