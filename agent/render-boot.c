/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Renderers of the boot-readiness model: the "boot" section of the report
 * and the `xenprobe initrd` image list, as text and as JSON.  Strings that
 * come from an image or a guest's files are sanitized before they reach a
 * terminal; json-c escapes them in JSON.
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "initrd.h"


static json_object *json_checks(const struct xp_checks *c)
{
        json_object *a = json_object_new_array();
        for (size_t i = 0; i < c->n; i++) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "name", xp_json_str(c->v[i].name));
                json_object_object_add(o, "status", json_object_new_string(xp_check_status_to_string(c->v[i].status)));
                json_object_object_add(o, "evidence", xp_json_str_or_null(c->v[i].evidence));
                json_object_object_add(o, "fix", xp_json_str_or_null(c->v[i].fix));
                json_object_array_add(a, o);
        }
        return a;
}

json_object *xp_json_image(const struct xp_image *img, const char *path)
{
        json_object *o = json_object_new_object();
        json_object_object_add(o, "path", xp_json_str(path ? path : img->path));
        json_object_object_add(o, "kernel_version", xp_json_str_or_null(img->kernel_version));
        json_object_object_add(o, "generator", xp_json_str_or_null(xp_generator_to_string(img->generator)));
        json_object_object_add(o, "status", json_object_new_string(xp_check_status_to_string(xp_checks_worst(&img->checks))));
        json_object_object_add(o, "size", json_object_new_int64((int64_t)img->size));
        json_object_object_add(o, "bytes_read", json_object_new_int64((int64_t)img->bytes_read));
        json_object_object_add(o, "complete", json_object_new_boolean(img->complete));
        json_object_object_add(o, "early_microcode", json_object_new_boolean(img->microcode));
        json_object *segs = json_object_new_array();
        for (size_t i = 0; i < img->n_seg; i++) {
                const struct xp_image_segment *s = &img->seg[i];
                json_object *so = json_object_new_object();
                json_object_object_add(so, "offset", json_object_new_int64((int64_t)s->offset));
                json_object_object_add(so, "length", json_object_new_int64((int64_t)s->length));
                json_object_object_add(so, "format", json_object_new_string(xp_comp_to_string(s->comp)));
                json_object_object_add(so, "unpacked", json_object_new_int64((int64_t)s->out_bytes));
                json_object_object_add(so, "entries", json_object_new_int64((int64_t)s->entries));
                json_object_array_add(segs, so);
        }
        json_object_object_add(o, "segments", segs);
        json_object_object_add(o, "error", xp_json_str_or_null(img->error_msg));
        json_object_object_add(o, "checks", json_checks(&img->checks));
        return o;
}

json_object *xp_json_boot(const struct xp_boot *b)
{
        json_object *o = json_object_new_object();
        json_object_object_add(o, "note", xp_json_str_or_null(b->note));
        json_object_object_add(o, "quick", json_object_new_boolean(b->quick));
        json_object_object_add(o, "root_fstype", xp_json_str_or_null(b->root_fstype));
        json_object_object_add(o, "root_fstype_source", xp_json_str_or_null(b->root_fstype_source));
        json_object_object_add(o, "network_root", json_object_new_boolean(b->network_root));
        json_object_object_add(o, "generator", xp_json_str_or_null(xp_generator_to_string(b->generator)));
        json_object *ks = json_object_new_array();
        for (size_t i = 0; i < b->n_kernels; i++) {
                const struct xp_boot_kernel *k = &b->kernels[i];
                json_object *ko = json_object_new_object();
                char p[300];
                json_object_object_add(ko, "version", xp_json_str(k->version));
                snprintf(p, sizeof(p), "/%s", k->kernel);
                json_object_object_add(ko, "kernel", xp_json_str(p));
                snprintf(p, sizeof(p), "/%s", k->initrd);
                json_object_object_add(ko, "initrd", k->initrd[0] ? xp_json_str(p) : NULL);
                json_object_object_add(ko, "paired_by", xp_json_str_or_null(k->paired_by));
                json_object_object_add(ko, "running", json_object_new_boolean(k->running));
                json_object_object_add(ko, "config", xp_json_str_or_null(k->config_path));
                json_object *modes = json_object_new_object();
                for (int m = 0; m < _XP_BOOT_MAX; m++) {
                        json_object *mo = json_object_new_object();
                        json_object_object_add(mo, "status", json_object_new_string(xp_check_status_to_string(k->mode[m])));
                        json_object_object_add(mo, "detail", xp_json_str_or_null(k->mode_why[m]));
                        json_object_object_add(modes, xp_boot_mode_to_string(m), mo);
                }
                json_object_object_add(ko, "modes", modes);
                json_object_object_add(ko, "checks", json_checks(&k->checks));
                snprintf(p, sizeof(p), "/%s", k->initrd);
                json_object_object_add(ko, "image", k->image ? xp_json_image(k->image, p) : NULL);
                json_object_array_add(ks, ko);
        }
        json_object_object_add(o, "kernels", ks);
        json_object *orph = json_object_new_array();
        for (char **p = b->orphans; p && *p; p++) {
                char q[300];
                snprintf(q, sizeof(q), "/%s", *p);
                json_object_array_add(orph, xp_json_str(q));
        }
        json_object_object_add(o, "orphan_initrds", orph);
        json_object_object_add(o, "checks", json_checks(&b->checks));
        return o;
}

/* ------------------------------------------------------------------ text */

static void put(FILE *out, const char *indent, const char *label, const char *s)
{
        char *c = xp_sanitize(s ? s : "", s ? strlen(s) : 0, 2048);
        fprintf(out, "%s%s%s\n", indent, label, c ? c : "?");
        free(c);
}

/* printf into a buffer, then sanitized: for lines that mix our words
 * with a guest's (versions, paths, filesystem types) */
_printf_(3, 4) static void putf(FILE *out, const char *indent, const char *fmt, ...)
{
        char buf[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        put(out, indent, "", buf);
}

static void text_checks(const struct xp_checks *c, const char *indent, FILE *out)
{
        for (size_t i = 0; i < c->n; i++) {
                char label[160];
                char *name = xp_sanitize(c->v[i].name, strlen(c->v[i].name), 64);
                snprintf(label, sizeof(label), "%-13s %-16s ", xp_check_status_to_string(c->v[i].status),
                         name ? name : "?");
                free(name);
                put(out, indent, label, c->v[i].evidence);
                if (c->v[i].fix) {
                        char fi[64];
                        snprintf(fi, sizeof(fi), "%s%-13s %-16s ", indent, "", "fix:");
                        put(out, fi, "", c->v[i].fix);
                }
        }
}

static void human(uint64_t n, char *buf, size_t len)
{
        if (n >= 10u << 20)
                snprintf(buf, len, "%.0f MiB", (double)n / (1 << 20));
        else if (n >= 1u << 20)
                snprintf(buf, len, "%.1f MiB", (double)n / (1 << 20));
        else
                snprintf(buf, len, "%.0f KiB", (double)n / 1024);
}

void xp_render_image_text(const struct xp_image *img, const char *path, const char *indent, FILE *out)
{
        char line[512], a[32], b[32];
        const char *gen = xp_generator_to_string(img->generator);
        int l = snprintf(line, sizeof(line), "%s image%s%s%s", gen ? gen : "initramfs",
                         img->kernel_version ? " for " : "", img->kernel_version ? img->kernel_version : "",
                         img->n_seg ? ": " : "");
        for (size_t i = 0; i < img->n_seg && l > 0 && (size_t)l < sizeof(line); i++) {
                const struct xp_image_segment *s = &img->seg[i];
                human(s->length, a, sizeof(a));
                human(s->out_bytes, b, sizeof(b));
                if (s->comp == XP_COMP_NONE)
                        l += snprintf(line + l, sizeof(line) - (size_t)l, "%scpio %s", i ? " + " : "", a);
                else
                        l += snprintf(line + l, sizeof(line) - (size_t)l, "%s%s %s -> %s", i ? " + " : "",
                                      xp_comp_to_string(s->comp), a, b);
        }
        char label[320];
        char *p = xp_sanitize(path ? path : img->path, strlen(path ? path : img->path), 256);
        snprintf(label, sizeof(label), "%s: ", p ? p : "?");
        free(p);
        put(out, indent, label, line);
        if (!img->complete && !img->error) {
                human(img->bytes_read, a, sizeof(a));
                human(img->size, b, sizeof(b));
                fprintf(out, "%s  (quick: read %s of %s, stopped once every fact was known; `xenprobe initrd` reads it all)\n",
                        indent, a, b);
        }
        char in2[32];
        snprintf(in2, sizeof(in2), "%s  ", indent);
        text_checks(&img->checks, in2, out);
}

int xp_render_boot_text(const struct xp_boot *b, FILE *out)
{
        if (!b->probed)
                return 0;
        fprintf(out, "boot readiness:\n");
        if (b->note[0])
                putf(out, "  ", "%s", b->note);
        if (b->root_fstype[0])
                putf(out, "  ", "root filesystem %s (from %s)%s", b->root_fstype, b->root_fstype_source,
                     b->network_root ? ": network root, xen-netfront needed in the initramfs" : "");
        else
                fprintf(out, "  root filesystem type unknown: its driver is not checked\n");
        text_checks(&b->checks, "  ", out);
        for (size_t i = 0; i < b->n_kernels; i++) {
                const struct xp_boot_kernel *k = &b->kernels[i];
                putf(out, "  ", "kernel %s%s  /%s", k->version, k->running ? " (running)" : "", k->kernel);
                for (int m = 0; m < _XP_BOOT_MAX; m++) {
                        char label[64];
                        const char *st = k->mode[m] == XP_CHECK_OK ? "ready" : k->mode[m] == XP_CHECK_MISSING ? "NOT READY" : "unknown";
                        snprintf(label, sizeof(label), "    %-4s %-10s ", xp_boot_mode_to_string(m), st);
                        const char *why = k->mode_why[m];
                        if (why && strcmp(why, "ready") != 0)
                                put(out, label, "", why);
                        else
                                fprintf(out, "    %-4s %s\n", xp_boot_mode_to_string(m), st);
                }
                text_checks(&k->checks, "    ", out);
                if (k->image) {
                        char p[300];
                        snprintf(p, sizeof(p), "/%s", k->initrd);
                        xp_render_image_text(k->image, p, "    ", out);
                } else
                        fprintf(out, "    no initramfs found for it\n");
        }
        for (char **p = b->orphans; p && *p; p++)
                put(out, "  orphan initramfs (no kernel of that version): /", "", *p);
        return ferror(out) ? -EIO : 0;
}
