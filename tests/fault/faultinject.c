/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * faultinject.so: an LD_PRELOAD library for the fault-injection tests
 * (tests/fault/).  TEST-ONLY.  Driven by environment variables, all
 * optional; with none set it only counts.
 *
 * Allocations (malloc, calloc, realloc, reallocarray, strdup, strndup,
 * posix_memalign, aligned_alloc; counted from the library's constructor
 * on, in every thread):
 *   XP_FAULT_ALLOC_FAIL=N     the Nth allocation returns NULL (ENOMEM)
 *   XP_FAULT_ALLOC_PERSIST=1  ... and every one after it too
 *   XP_FAULT_ALLOC_SPARE=L,.. never fail an allocation while the code of a
 *                             library whose file name starts with one of
 *                             these is on the stack ("libkmod.so": libkmod
 *                             30 dereferences some failed allocations,
 *                             loops on others and reports some as "not
 *                             found"; not ours to fix)
 *   XP_FAULT_COUNT_FILE=F     at exit, write "ALLOCS FAILED SPARED" to F
 *                             (allocations made, failed, and spared)
 *
 * Files (the glob, '*' and '?' only, '*' crosses '/', matches the
 * descriptor's absolute path as /proc/self/fd says, whatever way it was
 * opened: open, openat, the openat2 system call, /proc/self/fd reopen):
 *   XP_FAULT_FILE=GLOB[|GLOB...]
 *   XP_FAULT_FILE_MODE=
 *       open     opening it for reading fails (O_PATH opens succeed: the
 *                type check passes, the read-open fails, as EACCES does)
 *       read     every read()/pread() fails
 *       vanish   the first read returns XP_FAULT_FILE_BYTES bytes of the
 *                file, every later one fails (a device unplugged mid-read)
 *       shrink   the first read returns XP_FAULT_FILE_BYTES bytes, then
 *                end of file (the file was truncated mid-read)
 *       endless  reads never reach the end: 'x' bytes forever (a planted
 *                /dev/zero-like file that claims to be regular)
 *   XP_FAULT_FILE_ERRNO=EIO   EIO (default) EACCES ENOENT ENODEV EPERM
 *                             ESTALE, or a number
 *   XP_FAULT_FILE_BYTES=N     for vanish/shrink (default 1)
 *   XP_FAULT_HITS_FILE=F      at exit, append each matched path to F
 *
 * xenstore connection (the write()s libxenstore makes on a Unix socket are
 * parsed into xenstore messages: 16-byte header with the payload length):
 *   XP_FAULT_XS_DROP=N        the connection is shut down before message N
 *                             is sent (the write fails with ECONNRESET,
 *                             every later read sees end of file)
 *   XP_FAULT_XS_AFTER=1       ... after message N is sent instead: once
 *                             xenstored's answer arrives (it acted on the
 *                             request), the connection is shut down and
 *                             the answer never read (end of file)
 *   XP_FAULT_XS_LOG=F         at exit, write the message types sent to F,
 *                             one per line "N TYPE TX"
 *
 * XP_FAULT_VERBOSE=1 says on stderr what was injected.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);
/* interposed, without a declaration in the headers included */
void *memalign(size_t align, size_t size);
char *__strdup(const char *s);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen);

#define EXPORT __attribute__((visibility("default")))

/* ------------------------------------------------------------ settings */

static unsigned long alloc_fail;      /* 0: never */
static bool alloc_persist, verbose;
static unsigned long alloc_count, alloc_failed, alloc_spared;
static const char *alloc_spare;
static const char *count_file, *hits_file, *xs_log_file;

enum fmode { F_NONE, F_OPEN, F_READ, F_VANISH, F_SHRINK, F_ENDLESS };
static enum fmode file_mode;
static const char *file_glob;
static int file_errno = EIO;
static size_t file_bytes = 1;

static unsigned long xs_drop; /* 0: never */
static bool xs_after;

static bool ready; /* the constructor ran */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
        char buf[512];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (n > 0)
                (void)!write(2, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* ---------------------------------------------------------- allocations */

/* Is the code at ADDR in a library XP_FAULT_ALLOC_SPARE names? */
static bool in_spared_lib(void *addr)
{
        Dl_info info;
        if (!dladdr(addr, &info) || !info.dli_fname)
                return false;
        const char *base = strrchr(info.dli_fname, '/');
        base = base ? base + 1 : info.dli_fname;
        for (const char *p = alloc_spare; *p;) {
                const char *end = strchr(p, ',');
                size_t n = end ? (size_t)(end - p) : strlen(p);
                if (n && strncmp(base, p, n) == 0)
                        return true;
                p += n + (end ? 1 : 0);
        }
        return false;
}

/* Is such a library's code on the stack (it allocated, or libc did on its
 * behalf)?  Asked only for the one allocation to fail. */
static bool spared(void *caller)
{
        if (!alloc_spare)
                return false;
        if (in_spared_lib(caller))
                return true;
        void *frames[64];
        int n = backtrace(frames, 64);
        for (int i = 1; i < n; i++)
                if (in_spared_lib(frames[i]))
                        return true;
        return false;
}

static bool alloc_should_fail(void *caller)
{
        if (!ready)
                return false;
        unsigned long n = __atomic_add_fetch(&alloc_count, 1, __ATOMIC_RELAXED);
        if (alloc_fail && (n == alloc_fail || (alloc_persist && n > alloc_fail))) {
                if (spared(caller)) {
                        __atomic_add_fetch(&alloc_spared, 1, __ATOMIC_RELAXED);
                        return false;
                }
                __atomic_add_fetch(&alloc_failed, 1, __ATOMIC_RELAXED);
                if (verbose && n == alloc_fail)
                        say("faultinject: failing allocation %lu\n", n);
                return true;
        }
        return false;
}

EXPORT void *malloc(size_t size)
{
        if (alloc_should_fail(__builtin_return_address(0))) {
                errno = ENOMEM;
                return NULL;
        }
        return __libc_malloc(size);
}

EXPORT void *calloc(size_t n, size_t size)
{
        if (alloc_should_fail(__builtin_return_address(0))) {
                errno = ENOMEM;
                return NULL;
        }
        return __libc_calloc(n, size);
}

EXPORT void *realloc(void *p, size_t size)
{
        if (alloc_should_fail(__builtin_return_address(0))) {
                errno = ENOMEM;
                return NULL;
        }
        return __libc_realloc(p, size);
}

EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
        size_t total;
        if (__builtin_mul_overflow(n, size, &total)) {
                errno = ENOMEM;
                return NULL;
        }
        if (alloc_should_fail(__builtin_return_address(0))) {
                errno = ENOMEM;
                return NULL;
        }
        return __libc_realloc(p, total);
}

EXPORT void free(void *p)
{
        __libc_free(p);
}

EXPORT int posix_memalign(void **ret, size_t align, size_t size)
{
        if (alloc_should_fail(__builtin_return_address(0)))
                return ENOMEM;
        if (align < sizeof(void *) || (align & (align - 1)))
                return EINVAL;
        void *p = __libc_memalign(align, size);
        if (!p)
                return ENOMEM;
        *ret = p;
        return 0;
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
        if (alloc_should_fail(__builtin_return_address(0))) {
                errno = ENOMEM;
                return NULL;
        }
        return __libc_memalign(align, size);
}

EXPORT void *memalign(size_t align, size_t size)
{
        if (alloc_should_fail(__builtin_return_address(0))) {
                errno = ENOMEM;
                return NULL;
        }
        return __libc_memalign(align, size);
}

static char *dup_counted(const char *s, size_t l, void *caller)
{
        if (alloc_should_fail(caller)) {
                errno = ENOMEM;
                return NULL;
        }
        char *p = __libc_malloc(l + 1);
        if (!p)
                return NULL;
        memcpy(p, s, l);
        p[l] = '\0';
        return p;
}

EXPORT char *strdup(const char *s)
{
        return dup_counted(s, strlen(s), __builtin_return_address(0));
}

EXPORT char *__strdup(const char *s)
{
        return dup_counted(s, strlen(s), __builtin_return_address(0));
}

EXPORT char *strndup(const char *s, size_t max)
{
        return dup_counted(s, strnlen(s, max), __builtin_return_address(0));
}

/* ---------------------------------------------------------------- files */

/* '*' (any run, '/' included) and '?' */
static bool match(const char *g, const char *s)
{
        const char *star = NULL, *back = NULL;
        while (*s) {
                if (*g == '*') {
                        star = ++g;
                        back = s;
                } else if (*g == '?' || *g == *s) {
                        g++;
                        s++;
                } else if (star) {
                        g = star;
                        s = ++back;
                } else
                        return false;
        }
        while (*g == '*')
                g++;
        return *g == '\0';
}

/* GLOBS: one or more globs separated by '|' */
static bool match_any(const char *globs, const char *s)
{
        char g[PATH_MAX];
        for (const char *p = globs; *p;) {
                const char *end = strchr(p, '|');
                size_t n = end ? (size_t)(end - p) : strlen(p);
                if (n < sizeof(g)) {
                        memcpy(g, p, n);
                        g[n] = '\0';
                        if (match(g, s))
                                return true;
                }
                p += n + (end ? 1 : 0);
        }
        return false;
}

static bool fd_path(int fd, char *buf, size_t len)
{
        char self[64];
        snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(self, buf, len - 1);
        if (n < 0)
                return false;
        buf[n] = '\0';
        return true;
}

#define MAX_FD 4096
static unsigned char fd_reads[MAX_FD]; /* reads seen on a matched fd, capped */
static bool fd_matched[MAX_FD];

#define MAX_HITS 64
static char *hits[MAX_HITS];
static unsigned n_hits;

static void note_hit(const char *path)
{
        for (unsigned i = 0; i < n_hits; i++)
                if (strcmp(hits[i], path) == 0)
                        return;
        if (n_hits < MAX_HITS) {
                size_t l = strlen(path) + 1;
                char *p = __libc_malloc(l);
                if (p)
                        hits[n_hits++] = memcpy(p, path, l);
        }
}

/* Is FD a file the rules target?  Decided once per open. */
static bool fd_targeted(int fd)
{
        return file_mode != F_NONE && fd >= 0 && fd < MAX_FD && fd_matched[fd];
}

static void opened(int fd, bool o_path)
{
        if (fd < 0 || fd >= MAX_FD)
                return;
        fd_matched[fd] = false;
        fd_reads[fd] = 0;
        if (file_mode == F_NONE || o_path)
                return;
        char p[PATH_MAX];
        if (fd_path(fd, p, sizeof(p)) && match_any(file_glob, p)) {
                fd_matched[fd] = true;
                note_hit(p);
                if (verbose)
                        say("faultinject: %s: fd %d targeted\n", p, fd);
        }
}

/* After a real open: fail it now if the rules say so.  Returns the fd or -1. */
static int after_open(int fd, int flags)
{
        if (fd < 0)
                return fd;
        opened(fd, flags & O_PATH);
        if (file_mode == F_OPEN && fd_targeted(fd)) {
                fd_matched[fd] = false;
                close(fd);
                errno = file_errno;
                return -1;
        }
        return fd;
}

static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_pread)(int, void *, size_t, off_t);
static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static long (*real_syscall)(long, ...);
static ssize_t (*real_write)(int, const void *, size_t);

#define RESOLVE(var, name)                                                                                             \
        do {                                                                                                           \
                if (!var)                                                                                              \
                        *(void **)&var = dlsym(RTLD_NEXT, name);                                                       \
        } while (0)

static mode_t open_mode(int flags, va_list ap)
{
        return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

EXPORT int open(const char *path, int flags, ...)
{
        va_list ap;
        va_start(ap, flags);
        mode_t m = open_mode(flags, ap);
        va_end(ap);
        RESOLVE(real_open, "open");
        return after_open(real_open(path, flags, m), flags);
}

EXPORT int open64(const char *path, int flags, ...)
{
        va_list ap;
        va_start(ap, flags);
        mode_t m = open_mode(flags, ap);
        va_end(ap);
        return open(path, flags, m);
}

EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
        va_list ap;
        va_start(ap, flags);
        mode_t m = open_mode(flags, ap);
        va_end(ap);
        RESOLVE(real_openat, "openat");
        return after_open(real_openat(dirfd, path, flags, m), flags);
}

EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
        va_list ap;
        va_start(ap, flags);
        mode_t m = open_mode(flags, ap);
        va_end(ap);
        return openat(dirfd, path, flags, m);
}

EXPORT int __open_2(const char *path, int flags)
{
        return open(path, flags);
}

EXPORT int __open64_2(const char *path, int flags)
{
        return open(path, flags);
}

EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
        return openat(dirfd, path, flags);
}

/* openat2 has no glibc wrapper: probes/root.c calls syscall() */
EXPORT long syscall(long nr, ...)
{
        va_list ap;
        va_start(ap, nr);
        long a[6];
        for (int i = 0; i < 6; i++)
                a[i] = va_arg(ap, long);
        va_end(ap);
        RESOLVE(real_syscall, "syscall");
        long r = real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
#ifdef SYS_openat2
        if (nr == SYS_openat2 && r >= 0) {
                uint64_t flags = a[2] ? *(const uint64_t *)a[2] : 0;
                r = after_open((int)r, (int)flags);
        }
#endif
        return r;
}

static ssize_t fake_read(int fd, void *buf, size_t len, bool *done)
{
        *done = true;
        unsigned n = fd_reads[fd];
        if (fd_reads[fd] < 255)
                fd_reads[fd]++;
        switch (file_mode) {
        case F_READ:
                errno = file_errno;
                return -1;
        case F_VANISH:
        case F_SHRINK:
                if (n == 0) {
                        *done = false; /* the caller reads, at most file_bytes */
                        return (ssize_t)(len < file_bytes ? len : file_bytes);
                }
                if (file_mode == F_SHRINK)
                        return 0;
                errno = file_errno;
                return -1;
        case F_ENDLESS:
                memset(buf, 'x', len);
                return (ssize_t)len;
        default:
                *done = false;
                return (ssize_t)len;
        }
}

static bool reply_lost(int fd);

EXPORT ssize_t read(int fd, void *buf, size_t len)
{
        RESOLVE(real_read, "read");
        if (reply_lost(fd))
                return 0;
        if (fd_targeted(fd)) {
                bool done;
                ssize_t r = fake_read(fd, buf, len, &done);
                if (done)
                        return r;
                len = (size_t)r;
        }
        return real_read(fd, buf, len);
}

EXPORT ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen)
{
        (void)buflen;
        return read(fd, buf, len);
}

EXPORT ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
        RESOLVE(real_pread, "pread");
        if (fd_targeted(fd)) {
                bool done;
                ssize_t r = fake_read(fd, buf, len, &done);
                if (done)
                        return r;
                len = (size_t)r;
        }
        return real_pread(fd, buf, len, off);
}

EXPORT ssize_t pread64(int fd, void *buf, size_t len, off_t off)
{
        return pread(fd, buf, len, off);
}

EXPORT int close(int fd)
{
        if (fd >= 0 && fd < MAX_FD)
                fd_matched[fd] = false;
        static int (*real_close)(int);
        RESOLVE(real_close, "close");
        return real_close(fd);
}

/* ------------------------------------------------------------- xenstore */

/* Per socket: bytes of the current message still to come, and the header
 * being assembled. */
struct xs_state {
        bool dead;
        bool drop_on_reply; /* XP_FAULT_XS_AFTER: message N went out */
        unsigned char hdr[16];
        size_t hdr_len;
        uint64_t payload_left;
};
static struct xs_state xs_fd[MAX_FD];
static unsigned long xs_msgs;
#define MAX_XS_LOG 4096
static struct {
        uint32_t type, tx;
} xs_log[MAX_XS_LOG];

static bool is_socket(int fd)
{
        struct stat st;
        return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

static void drop(int fd)
{
        xs_fd[fd].dead = true;
        shutdown(fd, SHUT_RDWR);
        if (verbose)
                say("faultinject: xenstore connection (fd %d) dropped at message %lu\n", fd, xs_msgs);
}

EXPORT ssize_t write(int fd, const void *buf, size_t len)
{
        RESOLVE(real_write, "write");
        if (!ready || !(xs_drop || xs_log_file) || fd < 3 || fd >= MAX_FD || !is_socket(fd))
                return real_write(fd, buf, len);
        struct xs_state *s = &xs_fd[fd];
        if (s->dead) {
                errno = ECONNRESET;
                return -1;
        }
        /* does this write start a message? */
        bool starts = s->payload_left == 0 && s->hdr_len == 0;
        if (starts) {
                unsigned long n = __atomic_add_fetch(&xs_msgs, 1, __ATOMIC_RELAXED);
                if (xs_drop && n == xs_drop && !xs_after) {
                        drop(fd);
                        errno = ECONNRESET;
                        return -1;
                }
        }
        ssize_t r = real_write(fd, buf, len);
        if (r <= 0)
                return r;
        /* follow the message framing over what was written */
        const unsigned char *p = buf;
        size_t left = (size_t)r;
        while (left) {
                if (s->payload_left == 0) {
                        size_t take = 16 - s->hdr_len < left ? 16 - s->hdr_len : left;
                        memcpy(s->hdr + s->hdr_len, p, take);
                        s->hdr_len += take;
                        p += take;
                        left -= take;
                        if (s->hdr_len == 16) {
                                uint32_t type, tx, plen;
                                memcpy(&type, s->hdr, 4);
                                memcpy(&tx, s->hdr + 8, 4);
                                memcpy(&plen, s->hdr + 12, 4);
                                s->hdr_len = 0;
                                s->payload_left = plen;
                                unsigned long n = xs_msgs;
                                if (n && n <= MAX_XS_LOG) {
                                        xs_log[n - 1].type = type;
                                        xs_log[n - 1].tx = tx;
                                }
                                if (plen == 0 && xs_drop && n == xs_drop && xs_after)
                                        s->drop_on_reply = true;
                        }
                } else {
                        size_t take = s->payload_left < left ? (size_t)s->payload_left : left;
                        s->payload_left -= take;
                        p += take;
                        left -= take;
                        if (s->payload_left == 0 && xs_drop && xs_msgs == xs_drop && xs_after)
                                s->drop_on_reply = true;
                }
        }
        return r;
}

/* XP_FAULT_XS_AFTER: once xenstored answers message N (so it acted on
 * it), the connection goes before the answer is read: end of file. */
static bool reply_lost(int fd)
{
        if (fd < 0 || fd >= MAX_FD || !xs_fd[fd].drop_on_reply)
                return false;
        xs_fd[fd].drop_on_reply = false;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        (void)poll(&p, 1, 10000);
        drop(fd);
        return true;
}

/* ---------------------------------------------------------------- setup */

static int parse_errno(const char *s)
{
        static const struct {
                const char *name;
                int e;
        } names[] = {
                { "EIO", EIO },       { "EACCES", EACCES }, { "ENOENT", ENOENT }, { "ENODEV", ENODEV },
                { "EPERM", EPERM },   { "ESTALE", ESTALE }, { "ENXIO", ENXIO },   { "EINTR", EINTR },
                { "ENOMEM", ENOMEM },
        };
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (strcmp(s, names[i].name) == 0)
                        return names[i].e;
        int e = atoi(s);
        return e > 0 ? e : EIO;
}

__attribute__((constructor)) static void setup(void)
{
        const char *v;
        if ((v = getenv("XP_FAULT_ALLOC_FAIL")))
                alloc_fail = strtoul(v, NULL, 10);
        alloc_persist = (v = getenv("XP_FAULT_ALLOC_PERSIST")) && *v == '1';
        verbose = (v = getenv("XP_FAULT_VERBOSE")) && *v == '1';
        count_file = getenv("XP_FAULT_COUNT_FILE");
        alloc_spare = getenv("XP_FAULT_ALLOC_SPARE");
        if (alloc_spare) {
                /* the first backtrace() loads the unwinder (it allocates) */
                void *frames[4];
                (void)backtrace(frames, 4);
        }
        hits_file = getenv("XP_FAULT_HITS_FILE");
        xs_log_file = getenv("XP_FAULT_XS_LOG");
        file_glob = getenv("XP_FAULT_FILE");
        if (file_glob && (v = getenv("XP_FAULT_FILE_MODE"))) {
                file_mode = strcmp(v, "open") == 0      ? F_OPEN
                            : strcmp(v, "read") == 0    ? F_READ
                            : strcmp(v, "vanish") == 0  ? F_VANISH
                            : strcmp(v, "shrink") == 0  ? F_SHRINK
                            : strcmp(v, "endless") == 0 ? F_ENDLESS
                                                        : F_NONE;
                if (file_mode == F_NONE)
                        say("faultinject: unknown XP_FAULT_FILE_MODE '%s'\n", v);
        }
        if ((v = getenv("XP_FAULT_FILE_ERRNO")))
                file_errno = parse_errno(v);
        if ((v = getenv("XP_FAULT_FILE_BYTES")))
                file_bytes = strtoul(v, NULL, 10);
        if ((v = getenv("XP_FAULT_XS_DROP")))
                xs_drop = strtoul(v, NULL, 10);
        xs_after = (v = getenv("XP_FAULT_XS_AFTER")) && *v == '1';
        /* children (a shell, a decompressor) must not inherit the faults */
        unsetenv("LD_PRELOAD");
        ready = true;
}

__attribute__((destructor)) static void report(void)
{
        ready = false; /* no more counting: stdio below allocates */
        int fd;
        char buf[128];
        RESOLVE(real_open, "open");
        RESOLVE(real_write, "write");
        if (count_file && (fd = real_open(count_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) >= 0) {
                int n = snprintf(buf, sizeof(buf), "%lu %lu %lu\n", alloc_count, alloc_failed, alloc_spared);
                (void)!real_write(fd, buf, (size_t)n);
                close(fd);
        }
        if (hits_file) {
                if ((fd = real_open(hits_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) >= 0) {
                        for (unsigned i = 0; i < n_hits; i++) {
                                (void)!real_write(fd, hits[i], strlen(hits[i]));
                                (void)!real_write(fd, "\n", 1);
                        }
                        close(fd);
                }
        }
        if (xs_log_file) {
                if ((fd = real_open(xs_log_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) >= 0) {
                        for (unsigned long i = 0; i < xs_msgs && i < MAX_XS_LOG; i++) {
                                int n = snprintf(buf, sizeof(buf), "%lu %u %u\n", i + 1, xs_log[i].type, xs_log[i].tx);
                                (void)!real_write(fd, buf, (size_t)n);
                        }
                        close(fd);
                }
        }
}
