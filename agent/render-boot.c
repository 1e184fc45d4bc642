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

#include "json.h"
#include "render.h"
#include "boot/initrd.h"


const char *xp_shown_path(const char *rel, char buf[XP_SHOWN_PATH_MAX])
{
        snprintf(buf, XP_SHOWN_PATH_MAX, "/%s", rel);
        return buf;
}

static json_object *json_checks(const struct xp_checks *c)
{
        json_object *a = xp_json_array();
        for (size_t i = 0; i < c->n; i++) {
                json_object *o = xp_json_object();
                xp_json_add(o, "name", xp_json_str(c->v[i].name));
                xp_json_add(o, "status", xp_json_string(xp_check_status_to_string(c->v[i].status)));
                xp_json_add(o, "evidence", xp_json_str_or_null(c->v[i].evidence));
                xp_json_add(o, "fix", xp_json_str_or_null(c->v[i].fix));
                xp_json_append(a, o);
        }
        return a;
}

json_object *xp_json_image(const struct xp_image *img, const char *path)
{
        json_object *o = xp_json_object();
        xp_json_add(o, "path", xp_json_str(path ? path : img->path));
        xp_json_add(o, "kernel_version", xp_json_str_or_null(img->kernel_version));
        xp_json_add(o, "generator", xp_json_str_or_null(xp_generator_to_string(img->generator)));
        xp_json_add(o, "status", xp_json_string(xp_check_status_to_string(xp_checks_worst(&img->checks))));
        xp_json_add(o, "size", xp_json_int((int64_t)img->size));
        xp_json_add(o, "bytes_read", xp_json_int((int64_t)img->bytes_read));
        xp_json_add(o, "complete", xp_json_bool(img->complete));
        xp_json_add(o, "early_microcode", xp_json_bool(img->microcode));
        json_object *segs = xp_json_array();
        for (size_t i = 0; i < img->n_seg; i++) {
                const struct xp_image_segment *s = &img->seg[i];
                json_object *so = xp_json_object();
                xp_json_add(so, "offset", xp_json_int((int64_t)s->offset));
                xp_json_add(so, "length", xp_json_int((int64_t)s->length));
                xp_json_add(so, "format", xp_json_string(xp_comp_to_string(s->comp)));
                xp_json_add(so, "unpacked", xp_json_int((int64_t)s->out_bytes));
                xp_json_add(so, "entries", xp_json_int((int64_t)s->entries));
                xp_json_append(segs, so);
        }
        xp_json_add(o, "segments", segs);
        xp_json_add(o, "error", xp_json_str_or_null(img->error_msg));
        /* where the kernel's own unpacker ends, when this reader can tell */
        bool kstop = img->error && img->stop != XP_STOP_OURS;
        xp_json_add(o, "kernel_stops_at", kstop ? xp_json_int((int64_t)img->stop_offset) : NULL);
        xp_json_add(o, "kernel_message", kstop && img->kernel_msg[0] ? xp_json_str(img->kernel_msg) : NULL);
        xp_json_add(o, "checks", json_checks(&img->checks));
        return o;
}

/* an address as "0x..." (a JSON number loses 64-bit precision), or null */
static json_object *json_addr(bool have, uint64_t v)
{
        char b[24];
        snprintf(b, sizeof(b), "%#llx", (unsigned long long)v);
        return have ? xp_json_string(b) : NULL;
}

static json_object *json_notes(const struct xp_kernel_notes *n)
{
        static const char *const st[] = { [XP_NOTES_UNREAD] = "unread", [XP_NOTES_FOUND] = "read",
                                           [XP_NOTES_ERROR] = "error" };
        bool read = n->status == XP_NOTES_FOUND;
        json_object *o = xp_json_object();
        xp_json_add(o, "status", xp_json_string(st[n->status]));
        xp_json_add(o, "format", xp_json_str_or_null(n->format));
        xp_json_add(o, "error", xp_json_str_or_null(n->error));
        xp_json_add(o, "elf_class", read ? xp_json_int(n->elf_class) : NULL);
        xp_json_add(o, "machine", read ? xp_json_int(n->machine) : NULL);
        xp_json_add(o, "elf_bytes_read", read ? xp_json_uint(n->elf_bytes) : NULL);
        xp_json_add(o, "count", read ? xp_json_int(n->n_xen) : NULL);
        xp_json_add(o, "entry", json_addr(n->has_entry, n->entry));
        xp_json_add(o, "hypercall_page", json_addr(n->has_hypercall_page, n->hypercall_page));
        xp_json_add(o, "phys32_entry", json_addr(n->has_phys32, n->phys32_entry));
        xp_json_add(o, "guest_os", xp_json_str_or_null(n->guest_os));
        xp_json_add(o, "xen_version", xp_json_str_or_null(n->xen_version));
        xp_json_add(o, "loader", xp_json_str_or_null(n->loader));
        xp_json_add(o, "features", xp_json_str_or_null(n->features));
        xp_json_add(o, "supported_features", json_addr(n->has_supported, n->supported_features));
        xp_json_add(o, "pv_capable", read ? xp_json_bool(xp_notes_pv_capable(n, NULL, 0)) : NULL);
        xp_json_add(o, "pvh_capable", read ? xp_json_bool(xp_notes_pvh_capable(n, NULL, 0)) : NULL);
        return o;
}

json_object *xp_json_boot(const struct xp_boot *b)
{
        json_object *o = xp_json_object();
        xp_json_add(o, "note", xp_json_str_or_null(b->note));
        xp_json_add(o, "quick", xp_json_bool(b->quick));
        xp_json_add(o, "root_fstype", xp_json_str_or_null(b->root_fstype));
        xp_json_add(o, "root_fstype_source", xp_json_str_or_null(b->root_fstype_source));
        xp_json_add(o, "network_root", xp_json_bool(b->network_root));
        xp_json_add(o, "generator", xp_json_str_or_null(xp_generator_to_string(b->generator)));
        json_object *ks = xp_json_array();
        for (size_t i = 0; i < b->n_kernels; i++) {
                const struct xp_boot_kernel *k = &b->kernels[i];
                json_object *ko = xp_json_object();
                char p[XP_SHOWN_PATH_MAX];
                xp_json_add(ko, "version", xp_json_str(k->version));
                xp_json_add(ko, "kernel", xp_json_str(xp_shown_path(k->kernel, p)));
                xp_json_add(ko, "initrd", k->initrd[0] ? xp_json_str(xp_shown_path(k->initrd, p)) : NULL);
                xp_json_add(ko, "paired_by", xp_json_str_or_null(k->paired_by));
                xp_json_add(ko, "running", xp_json_bool(k->running));
                xp_json_add(ko, "config", xp_json_str_or_null(k->config_path));
                xp_json_add(ko, "xen_notes", json_notes(&k->notes));
                json_object *modes = xp_json_object();
                for (int m = 0; m < _XP_BOOT_MAX; m++) {
                        json_object *mo = xp_json_object();
                        xp_json_add(mo, "status", xp_json_string(xp_check_status_to_string(k->mode[m])));
                        xp_json_add(mo, "detail", xp_json_str_or_null(k->mode_why[m]));
                        const char *src = xp_cap_source_to_string(k->mode_source[m]);
                        xp_json_add(mo, "source", src ? xp_json_string(src) : NULL);
                        xp_json_add(modes, xp_boot_mode_to_string(m), mo);
                }
                xp_json_add(ko, "modes", modes);
                xp_json_add(ko, "checks", json_checks(&k->checks));
                xp_json_add(ko, "image", k->image ? xp_json_image(k->image, xp_shown_path(k->initrd, p)) : NULL);
                xp_json_append(ks, ko);
        }
        xp_json_add(o, "kernels", ks);
        json_object *orph = xp_json_array();
        for (char **p = b->orphans; p && *p; p++) {
                char q[XP_SHOWN_PATH_MAX];
                xp_json_append(orph, xp_json_str(xp_shown_path(*p, q)));
        }
        xp_json_add(o, "orphan_initrds", orph);
        xp_json_add(o, "checks", json_checks(&b->checks));
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
                        const char *src = k->mode_source[m] == XP_CAP_NOTES ? "the kernel's ELF notes"
                                          : k->mode_source[m] == XP_CAP_CONFIG ? k->config_path : NULL;
                        if (why && strcmp(why, "ready") != 0)
                                putf(out, label, "%s%s%s%s", why, src ? " (capability from " : "", src ? src : "",
                                     src ? ")" : "");
                        else if (src)
                                putf(out, "", "    %-4s %-10s (capability from %s)", xp_boot_mode_to_string(m), st, src);
                        else
                                fprintf(out, "    %-4s %s\n", xp_boot_mode_to_string(m), st);
                }
                text_checks(&k->checks, "    ", out);
                if (k->image) {
                        char p[XP_SHOWN_PATH_MAX];
                        xp_render_image_text(k->image, xp_shown_path(k->initrd, p), "    ", out);
                } else
                        fprintf(out, "    no initramfs found for it\n");
        }
        for (char **p = b->orphans; p && *p; p++)
                put(out, "  orphan initramfs (no kernel of that version): /", "", *p);
        return ferror(out) ? -EIO : 0;
}
