/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which operating system: os-release(5), etc/os-release first, then
 * usr/lib/os-release (the file etc/os-release usually links to).  Not
 * evidence for the verdict; dom0 tools show it next to it.
 *
 * The format is a shell-compatible KEY=value list: values may be quoted
 * with "..." (where \" \\ \$ \` are escapes) or '...'; '#' starts a
 * comment line.  Only ID, VERSION_ID and PRETTY_NAME are kept.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

#define SRC "os-release"
#define OS_RELEASE_MAX (64 * 1024)

/* Unquote VALUE (LEN bytes, one line) into OUT; false when malformed. */
static bool unquote(const char *v, size_t len, char *out, size_t outlen)
{
        size_t o = 0;
        char q = 0;
        if (len && (v[0] == '"' || v[0] == '\'')) {
                q = v[0];
                v++;
                len--;
                if (!len || v[len - 1] != q)
                        return false;
                len--;
        }
        for (size_t i = 0; i < len; i++) {
                char c = v[i];
                if (q == '"' && c == '\\' && i + 1 < len && strchr("\"\\$`", v[i + 1]))
                        c = v[++i];
                else if (!q && (c == '"' || c == '\'' || c == '\\' || c == ' ' || c == '$' || c == '`'))
                        return false; /* unquoted shell syntax: not a plain value */
                if (o + 1 < outlen)
                        out[o++] = c;
        }
        out[o] = '\0';
        return true;
}

static void keep(char *dst, size_t dstlen, const char *val)
{
        char *s = xp_sanitize(val, strlen(val), dstlen - 1);
        snprintf(dst, dstlen, "%s", s ? s : "");
        free(s);
}

static int run(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_root *root = xp_ctx_root(ctx);
        struct xp_facts *f = &r->facts;
        static const char *const files[] = { "etc/os-release", "usr/lib/os-release" };
        char *buf = NULL;
        size_t len = 0;
        const char *path = NULL;
        int e = -ENOENT;

        for (size_t i = 0; i < ELEMENTSOF(files) && e < 0; i++) {
                e = xp_root_read_file(root, files[i], OS_RELEASE_MAX, &buf, &len);
                path = files[i];
                if (e < 0 && e != -ENOENT) {
                        DBG(ctx, "%s: %s", files[i], strerror(-e));
                        xp_evidence_add(r, SRC, files[i], xp_status_from_errno(e), NULL, "cannot read: %s",
                                        strerror(-e));
                        return 1;
                }
        }
        if (e < 0) {
                xp_evidence_add(r, SRC, "etc/os-release, usr/lib/os-release", XP_ST_ABSENT, NULL,
                                "no os-release: operating system unknown");
                return 1;
        }

        for (char *line = buf, *end; line < buf + len; line = end + 1) {
                end = memchr(line, '\n', buf + len - line);
                if (!end)
                        end = buf + len;
                char *eq = memchr(line, '=', end - line);
                if (!eq || line[0] == '#')
                        continue;
                static const struct {
                        const char *key;
                        size_t off, size;
                } keys[] = {
                        { "ID", offsetof(struct xp_facts, os_release.id), sizeof(f->os_release.id) },
                        { "VERSION_ID", offsetof(struct xp_facts, os_release.version_id), sizeof(f->os_release.version_id) },
                        { "PRETTY_NAME", offsetof(struct xp_facts, os_release.pretty_name), sizeof(f->os_release.pretty_name) },
                };
                for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                        if ((size_t)(eq - line) != strlen(keys[k].key) || memcmp(line, keys[k].key, eq - line))
                                continue;
                        char val[256];
                        if (unquote(eq + 1, end - eq - 1, val, sizeof(val)))
                                keep((char *)f + keys[k].off, keys[k].size, val);
                        else
                                DBG(ctx, "%s: %s: value is not a plain or quoted string, ignored", path,
                                    keys[k].key);
                }
        }
        free(buf);
        xp_evidence_add(r, SRC, path, XP_ST_FOUND, f->os_release.pretty_name[0] ? f->os_release.pretty_name : f->os_release.id,
                        "operating system (not used for the verdict)");
        return 0;
}

const struct xp_probe xp_os_release_probe = {
        .name = SRC,
        .run = run,
};
