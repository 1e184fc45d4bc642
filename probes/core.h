/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The base every layer stands on: attributes, the library context and its
 * log, the root object every probe reads through, dlopen() tables, growable
 * arrays and the string helpers.  Includes no library header (xenstore,
 * json-c, libudev, libkmod, libblkid): renderers and transports use it
 * without dragging the probes' libraries along.
 *
 * Return convention everywhere: 0 found/success, 1 nothing found, -errno.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>
#include <time.h>

#define _nonnull_ __attribute__((nonnull))
#define _must_check_ __attribute__((warn_unused_result))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _unused_ __attribute__((unused))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* ------------------------------------------------------------------ ctx */

struct xp_ctx;
struct xp_root;

typedef void (*xp_log_fn)(void *data, int priority, const char *file, int line,
                          const char *fn, const char *format, va_list args);

struct xp_ctx *xp_ctx_new(struct xp_root *root) _must_check_;
struct xp_ctx *xp_ctx_ref(struct xp_ctx *ctx);
struct xp_ctx *xp_ctx_unref(struct xp_ctx *ctx);
void xp_ctx_set_log_fn(struct xp_ctx *ctx, xp_log_fn fn, void *data);
void xp_ctx_set_log_priority(struct xp_ctx *ctx, int priority);
int xp_ctx_get_log_priority(const struct xp_ctx *ctx);
struct xp_root *xp_ctx_root(const struct xp_ctx *ctx);
/* Skip evidence that cannot change the verdict (--short): probes consult it
 * before costly live-only detail. */
void xp_ctx_set_verdict_only(struct xp_ctx *ctx, bool on);
bool xp_ctx_get_verdict_only(const struct xp_ctx *ctx);
void xp_ctx_log(struct xp_ctx *ctx, int priority, const char *file, int line,
                const char *fn, const char *format, ...) _printf_(6, 7);

#define xp_log_cond(ctx, prio, ...)                                            \
        do {                                                                   \
                if (xp_ctx_get_log_priority(ctx) >= (prio))                    \
                        xp_ctx_log(ctx, prio, __FILE__, __LINE__, __func__,    \
                                   __VA_ARGS__);                               \
        } while (0)
#define DBG(ctx, ...) xp_log_cond(ctx, LOG_DEBUG, __VA_ARGS__)
#define INFO(ctx, ...) xp_log_cond(ctx, LOG_INFO, __VA_ARGS__)
#define WARN(ctx, ...) xp_log_cond(ctx, LOG_WARNING, __VA_ARGS__)
#define ERR(ctx, ...) xp_log_cond(ctx, LOG_ERR, __VA_ARGS__)

/* ----------------------------------------------------------------- root */

/*
 * Every probe reads through one root: "/" for live runs, a snapshot or a
 * mounted guest image otherwise.  Paths are relative to the root ("sys/...",
 * "proc/...", never with a leading slash).  Resolution never leaves the root
 * (openat2 RESOLVE_IN_ROOT, or an equivalent user-space walk), only regular
 * files are read, and every read is bounded.
 */
#define XP_READ_MAX_DEFAULT (256u * 1024u)

enum xp_log_kind { XP_LOG_FILE, XP_LOG_LINK, XP_LOG_DIR, XP_LOG_ERROR };

struct xp_root *xp_root_new(const char *dir, bool live, int *ret_err) _must_check_;
struct xp_root *xp_root_free(struct xp_root *root);
bool xp_root_is_live(const struct xp_root *root);
const char *xp_root_path(const struct xp_root *root);
/* Open PATH below the root (O_RDONLY|O_CLOEXEC plus FLAGS); -errno. */
int xp_root_open(struct xp_root *root, const char *path, int flags);
/* Open a regular file below the root for reading (O_NONBLOCK set): the type
 * is checked before opening off the live system, so a planted FIFO or
 * device is refused (-EINVAL), never opened. */
int xp_root_open_file(struct xp_root *root, const char *path) _must_check_;
/* Read a whole regular file, at most MAX bytes (+NUL); -EFBIG if larger. */
int xp_root_read_file(struct xp_root *root, const char *path, size_t max,
                      char **ret, size_t *ret_len) _must_check_;
/* First line, trailing whitespace removed. */
int xp_root_read_line(struct xp_root *root, const char *path, char **ret) _must_check_;
/* Target text of a symlink below the root. */
int xp_root_readlink(struct xp_root *root, const char *path, char **ret) _must_check_;
/* Sorted entry names of a directory (no "." / ".."), NULL-terminated. */
int xp_root_list_dir(struct xp_root *root, const char *path, char ***ret) _must_check_;
bool xp_root_exists(struct xp_root *root, const char *path);
/* One sysfs-style leaf: the first line of PATH, sanitized for display
 * (xp_sanitize) and cut to fit BUF (LEN >= 5); BUF is "" on error.  -errno. */
int xp_root_read_leaf(struct xp_root *root, const char *path, char *buf, size_t len) _must_check_;
/* The driver bound to the sysfs device directory DEV: the last component
 * of DEV/driver's link target, as the link reads it, cut to fit BUF; BUF
 * is "" when none is bound (-ENOENT) or on error.  -errno. */
int xp_root_read_driver(struct xp_root *root, const char *dev, char *buf, size_t len);
/* Record a path read by a library on our behalf (libkmod), for snapshot. */
void xp_root_note(struct xp_root *root, enum xp_log_kind kind, const char *path);
/* Iterate the read log (files, links, listed directories, failed reads). */
size_t xp_root_log_count(const struct xp_root *root);
const char *xp_root_log_path(const struct xp_root *root, size_t i, enum xp_log_kind *ret_kind);
/* Forget the read log (the daemon probes again and again: keep it flat). */
void xp_root_log_clear(struct xp_root *root);
/* XP_LOG_ERROR entries: the positive errno of the failed read. */
int xp_root_log_error(const struct xp_root *root, size_t i);
/* Snapshot file listing failed reads ("ERRNO PATH"); a non-live root
 * replays them as the same errors. */
#define XP_ERRORS_FILE "run/xenprobe/errors"
/* Resolve PATH within the directory fd ROOTFD (used by root and snapshot):
 * returns an fd opened with O_FLAGS, never leaving ROOTFD. */
int xp_resolve_in_root(int rootfd, const char *path, int o_flags, bool nofollow_last);

/* ------------------------------------------------------------------ dl */

struct xp_dl_sym {
        const char *name;
        void **ptr;
};
struct xp_dl_lib {
        const char *soname;
        const struct xp_dl_sym *syms; /* NULL-name terminated */
        int state;                    /* 0 not tried, 1 loaded, -1 failed */
};
/* dlopen LIB->soname once and resolve every symbol; -EOPNOTSUPP if not. */
int xp_dlopen_syms(struct xp_ctx *ctx, struct xp_dl_lib *lib);
/*
 * A library's functions are named once, in a list macro: LIST(X, T)
 * expands X(T, fn) for each function.  XP_DL_FIELDS(LIST) declares one
 * pointer per function, typed as the library's header declares it;
 * XP_DL_ENTRIES(T, LIST) are the matching xp_dl_sym rows (terminate with
 * {}); XP_DL_DEFINE(T, LIST, SONAME) defines the static table T, T##_syms
 * and T##_lib, the struct xp_dl_lib that xp_dlopen_syms() fills T from.
 */
#define XP_DL_FIELD_(t, fn) typeof(&fn) fn;
#define XP_DL_ENTRY_(t, fn) { #fn, (void **)&(t).fn },
#define XP_DL_FIELDS(list) list(XP_DL_FIELD_, _)
#define XP_DL_ENTRIES(t, list) list(XP_DL_ENTRY_, t)
#define XP_DL_DEFINE(t, list, soname)                                                \
        static struct {                                                             \
                XP_DL_FIELDS(list)                                                  \
        } t;                                                                        \
        static const struct xp_dl_sym t##_syms[] = { XP_DL_ENTRIES(t, list){} };    \
        static struct xp_dl_lib t##_lib = { soname, t##_syms, 0 }

/* Make room for one more element in a growable array (*V, *CAP) holding N
 * elements of ELEM bytes, doubling from FIRST; -ENOMEM. */
int xp_grow(void *v, size_t *cap, size_t n, size_t elem, size_t first) _must_check_;

/* Write all of DATA to FD (EINTR retried); -errno. */
int xp_write_all(int fd, const void *data, size_t len);

/* --------------------------------------------------------------- strings */

char *xp_strip(char *s);
bool xp_startswith(const char *s, const char *prefix);
char **xp_strv_free(char **v);
size_t xp_strv_length(char *const *v);
int xp_strv_push(char ***v, const char *s) _must_check_;
/* An allocation failed somewhere a caller may have papered over it (a
 * "?" for a name that could not be copied, a read taken for "unreadable",
 * an evidence item lost): xp_sanitize, xp_strv_push, xp_grow, the root's
 * reads and the report's adders note it; xp_probe_all and xp_boot_probe
 * then fail with -ENOMEM rather than return an incomplete report.
 * xp_take_enomem() tells whether one happened since the last call. */
void xp_note_enomem(void);
bool xp_take_enomem(void);
/* Replace control and non-ASCII bytes by '?', clamp length (for display). */
char *xp_sanitize(const char *s, size_t len, size_t max) _must_check_;
/* T as UTC in ISO 8601, "2026-12-07T06:57:19Z", in BUF; "?" if gmtime fails */
#define XP_UTC_MAX 32
const char *xp_utc_time(time_t t, char buf[XP_UTC_MAX]);
/* Module names as kmod compares them: '-' and '_' are the same. */
bool xp_module_name_eq(const char *a, const char *b);
/* ... and S rewritten in place with '_' for each '-' (kmod's spelling) */
void xp_module_normalize(char *s);
/* Look for a whitespace-separated word (or "word=...") in a command line. */
const char *xp_cmdline_find(const char *cmdline, const char *word, size_t *ret_len);
