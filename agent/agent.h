/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Entry points shared by the agent's files. */
#pragma once

#include <stdio.h>

#include "xenprobe.h"

/* renderers: consume the model, read nothing */
int xp_render_text(const struct xp_report *r, FILE *out);
int xp_render_json(const struct xp_report *r, const char *root, FILE *out);
int xp_render_short(const struct xp_report *r, FILE *out);
/* "Xen domU, PVHVM (HVM guest using PV drivers), Xen 4.17.5" */
int xp_report_headline(const struct xp_report *r, char *buf, size_t len);

/* snapshot: copy what the probes read (the root's read log) + CPUID into DIR */
int xp_snapshot_write(struct xp_ctx *ctx, const struct xp_report *r, const char *dir);


/* JSON helpers (render-json.c): a string, or null for "" and NULL; print
 * O pretty-printed on OUT and release it (-errno on failure) */
struct json_object;
struct json_object *xp_json_str_or_null(const char *s);
/* the same for a string that is always there ("" stays ""): every string
 * that comes from a guest's files or names goes through one of the two */
struct json_object *xp_json_str(const char *s);
/* LEN bytes as a JSON string: invalid UTF-8 (and with PRINTABLE_ONLY,
 * control and invisible format characters) as U+FFFD */
struct json_object *xp_json_bytes(const char *s, size_t len, bool printable_only);
int xp_json_print(struct json_object *o, FILE *out);

/* json-c returns NULL (and asserts on a NULL container) when it cannot
 * allocate: in the files that include json-c (before this header), its
 * constructors and adders go through these checks, which note the failure;
 * xp_json_print then prints nothing and says -ENOMEM, so a report is whole
 * or absent, never one with nulls where values were.  Emitters that do not
 * use xp_json_print test and reset the flag with xp_json_failed(). */
bool xp_json_failed(void);
/* O as text, checked: json-c's serializer drops what it cannot append (a
 * string comes out as ""), so the text is walked along with O (allocating
 * nothing) and must spell it.  NULL when anything failed (xp_json_failed()
 * included); valid until O is put. */
const char *xp_json_to_string(struct json_object *o, int flags);
struct json_object *xp_json_chk(struct json_object *v);
int xp_json_object_add(struct json_object *o, const char *key, struct json_object *v);
int xp_json_array_add(struct json_object *a, struct json_object *v);
#ifdef _json_h_
#define json_object_new_object() xp_json_chk(json_object_new_object())
#define json_object_new_array() xp_json_chk(json_object_new_array())
#define json_object_new_string(s) xp_json_chk(json_object_new_string(s))
#define json_object_new_string_len(s, l) xp_json_chk(json_object_new_string_len(s, l))
#define json_object_new_boolean(b) xp_json_chk(json_object_new_boolean(b))
#define json_object_new_int(i) xp_json_chk(json_object_new_int(i))
#define json_object_new_int64(i) xp_json_chk(json_object_new_int64(i))
#define json_object_new_uint64(i) xp_json_chk(json_object_new_uint64(i))
#define json_object_object_add(o, k, v) xp_json_object_add(o, k, v)
#define json_object_array_add(a, v) xp_json_array_add(a, v)
#endif

/* boot readiness (render-boot.c) */
struct json_object *xp_json_image(const struct xp_image *img, const char *path);
struct json_object *xp_json_boot(const struct xp_boot *b);
void xp_render_image_text(const struct xp_image *img, const char *path, const char *indent, FILE *out);
int xp_render_boot_text(const struct xp_boot *b, FILE *out);

/* `xenprobe initrd`: exit status 0 ok, 3 missing, 4 cannot verify, 1, 2 */
int xp_cmd_initrd(struct xp_ctx *ctx, const char *rootdir, bool json, int argc, char **argv);
/* `xenprobe --root DIR` on an image with no proc/ or sys/ */
int xp_cmd_offline(struct xp_ctx *ctx, const char *rootdir, bool json);

/* `xenprobe publish`: 0 written (or already current), 1 error, 2 usage,
 * 5 not a Xen guest (nothing to publish) */
int xp_cmd_publish(struct xp_ctx *ctx, const char *rootdir, int argc, char **argv);
/* `xenprobe daemon` / xenprobed: 0 on SIGTERM/SIGINT or not Xen, 1 error */
int xp_cmd_daemon(struct xp_ctx *ctx, const char *rootdir, int argc, char **argv);
/* `xenprobe query` (dom0): ARGV[0] is "query"; JSON and VERBOSE from the
 * global options.  0 shown, 1 error, 2 usage, 3 a domain's data is invalid */
int xp_cmd_query(int argc, char **argv, bool json, bool verbose);

/* shared by publish and the daemon (cmd-publish.c) */
struct xp_publish_opts {
        char home[64]; /* "" or "/local/domain/N" (--domid) */
        bool boot, trace;
};
/* --domid, --no-boot, --trace, -v, --help: -1 to go on, else the exit status */
int xp_publish_options(struct xp_ctx *ctx, const char *cmd, int argc, char **argv, void (*help)(FILE *),
                       struct xp_publish_opts *o);
/* "" (relative: the connection's own domain) or "/local/domain/N" */
int xp_publish_home(const char *domid, char *home, size_t len);
/* probe, plus quick boot readiness when BOOT */
int xp_publish_probe(struct xp_ctx *ctx, bool boot, struct xp_report **ret);
/* a Xen guest (or dom0)?  Logs why not. */
bool xp_publish_applies(struct xp_ctx *ctx, const struct xp_report *r);
