/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* xp_ctx: the root every probe reads through, plus a log sink (kmod_ctx). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

struct xp_ctx {
        int refcount;
        struct xp_root *root;
        xp_log_fn log_fn;
        void *log_data;
        int log_priority;
        bool verdict_only;
};

/* The default sink: "xenprobe: warning: MESSAGE"; debug lines name the
 * function.  A daemon installs its own (syslog) with xp_ctx_set_log_fn(). */
static void log_stderr(void *data _unused_, int priority, const char *file _unused_, int line _unused_,
                       const char *fn, const char *format, va_list args)
{
        const char *name = priority <= LOG_ERR       ? "error"
                           : priority == LOG_WARNING ? "warning"
                           : priority <= LOG_INFO    ? "info"
                                                     : "debug";
        if (priority >= LOG_DEBUG)
                fprintf(stderr, "xenprobe: %s: %s: ", name, fn);
        else
                fprintf(stderr, "xenprobe: %s: ", name);
        vfprintf(stderr, format, args);
        fputc('\n', stderr);
}

static int priority_from_string(const char *s)
{
        static const struct {
                const char *name;
                int prio;
        } table[] = {
                { "err", LOG_ERR },     { "error", LOG_ERR }, { "warning", LOG_WARNING },
                { "info", LOG_INFO },   { "debug", LOG_DEBUG },
        };
        char *end;
        long n = strtol(s, &end, 10);
        if (end != s && *end == '\0' && n >= 0 && n <= LOG_DEBUG)
                return (int)n;
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (strcmp(s, table[i].name) == 0)
                        return table[i].prio;
        return -EINVAL;
}

struct xp_ctx *xp_ctx_new(struct xp_root *root)
{
        struct xp_ctx *ctx = calloc(1, sizeof(*ctx));
        if (!ctx)
                return NULL;
        ctx->refcount = 1;
        ctx->root = root;
        ctx->log_fn = log_stderr;
        ctx->log_priority = LOG_ERR;
        const char *env = secure_getenv("XENPROBE_LOG");
        if (env) {
                int p = priority_from_string(env);
                if (p >= 0)
                        ctx->log_priority = p;
        }
        return ctx;
}

struct xp_ctx *xp_ctx_ref(struct xp_ctx *ctx)
{
        if (ctx)
                ctx->refcount++;
        return ctx;
}

struct xp_ctx *xp_ctx_unref(struct xp_ctx *ctx)
{
        if (!ctx || --ctx->refcount > 0)
                return NULL;
        free(ctx);
        return NULL;
}

void xp_ctx_set_log_fn(struct xp_ctx *ctx, xp_log_fn fn, void *data)
{
        ctx->log_fn = fn ? fn : log_stderr;
        ctx->log_data = data;
}

void xp_ctx_set_log_priority(struct xp_ctx *ctx, int priority) { ctx->log_priority = priority; }
int xp_ctx_get_log_priority(const struct xp_ctx *ctx) { return ctx->log_priority; }
struct xp_root *xp_ctx_root(const struct xp_ctx *ctx) { return ctx->root; }

void xp_ctx_log(struct xp_ctx *ctx, int priority, const char *file, int line, const char *fn,
                const char *format, ...)
{
        int saved = errno;
        va_list ap;
        va_start(ap, format);
        errno = saved; /* let %m in FORMAT see the caller's errno */
        ctx->log_fn(ctx->log_data, priority, file, line, fn, format, ap);
        va_end(ap);
        errno = saved;
}

void xp_ctx_set_verdict_only(struct xp_ctx *ctx, bool on) { ctx->verdict_only = on; }
bool xp_ctx_get_verdict_only(const struct xp_ctx *ctx) { return ctx->verdict_only; }
