/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The boot-readiness checks of one initramfs, from what the reader
 * (initrd.c) gathered: the image's own modules.dep, modules.builtin,
 * modules.softdep and modules.alias decide whether a module is loadable
 * there, with its whole dependency chain and soft dependencies; the kernel's
 * on-disk index (libkmod, via the query) adds what is built in.  Each
 * failing check carries the fix for the generator that made the image.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initrd.h"

const char *const xp_check_status_words[_XP_CHECK_MAX + 1] = { "ok", "missing", "cannot-verify", NULL };

const char *xp_check_status_to_string(enum xp_check_status s)
{
        return s < _XP_CHECK_MAX ? xp_check_status_words[s] : "cannot-verify";
}

const char *xp_generator_to_string(enum xp_generator g)
{
        static const char *const t[_XP_GEN_MAX] = { NULL, "initramfs-tools", "dracut", "mkinitcpio" };
        return g < _XP_GEN_MAX ? t[g] : NULL;
}

int xp_checks_add(struct xp_checks *c, const char *name, enum xp_check_status st, const char *fix,
                  const char *fmt, ...)
{
        if (xp_grow(&c->v, &c->cap, c->n, sizeof(*c->v), 8) < 0)
                return -ENOMEM;
        struct xp_check *k = &c->v[c->n];
        memset(k, 0, sizeof(*k));
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&k->evidence, fmt, ap);
        va_end(ap);
        k->name = strdup(name);
        k->fix = st != XP_CHECK_OK && fix ? strdup(fix) : NULL;
        if (r < 0 || !k->name || (st != XP_CHECK_OK && fix && !k->fix)) {
                if (r >= 0)
                        free(k->evidence);
                free(k->name);
                free(k->fix);
                return -ENOMEM;
        }
        k->status = st;
        c->n++;
        return 0;
}

void xp_checks_clear(struct xp_checks *c)
{
        for (size_t i = 0; i < c->n; i++) {
                free(c->v[i].name);
                free(c->v[i].evidence);
                free(c->v[i].fix);
        }
        free(c->v);
        memset(c, 0, sizeof(*c));
}

enum xp_check_status xp_check_status_worse(enum xp_check_status a, enum xp_check_status b)
{
        if (a == XP_CHECK_MISSING || b == XP_CHECK_MISSING)
                return XP_CHECK_MISSING;
        if (a == XP_CHECK_CANNOT_VERIFY || b == XP_CHECK_CANNOT_VERIFY)
                return XP_CHECK_CANNOT_VERIFY;
        return XP_CHECK_OK;
}

enum xp_check_status xp_checks_worst(const struct xp_checks *c)
{
        enum xp_check_status w = XP_CHECK_OK;
        for (size_t i = 0; i < c->n; i++)
                w = xp_check_status_worse(w, c->v[i].status);
        return w;
}
/* "xen-blkfront.ko.zst" -> "xen_blkfront" (kmod's normalization) */
bool xp_module_name(const char *base, char *out, size_t outlen)
{
        const char *ko = strstr(base, ".ko");
        if (!ko || ko == base)
                return false;
        const char *tail = ko + 3;
        if (*tail && strcmp(tail, ".xz") != 0 && strcmp(tail, ".zst") != 0 && strcmp(tail, ".gz") != 0)
                return false;
        size_t n = (size_t)(ko - base);
        if (n >= outlen)
                return false;
        memcpy(out, base, n);
        out[n] = '\0';
        xp_module_normalize(out);
        return true;
}
/* ----------------------------------------------------- index questions */

/* A file the image's first error cut is written short by the kernel: as
 * good as absent. */
static const struct xp_modfile *find_file(const struct xp_scan *s, unsigned kv, const char *name)
{
        for (size_t i = 0; i < s->n_files; i++)
                if (s->files[i].kv == kv && !s->files[i].cut && strcmp(s->files[i].name, name) == 0)
                        return &s->files[i];
        return NULL;
}

static const struct xp_modfile *find_rel(const struct xp_scan *s, unsigned kv, const char *rel, size_t len)
{
        for (size_t i = 0; i < s->n_files; i++)
                if (s->files[i].kv == kv && !s->files[i].cut && strlen(s->files[i].rel) == len &&
                    memcmp(s->files[i].rel, rel, len) == 0)
                        return &s->files[i];
        return NULL;
}

/* The modules.dep line of REL ("kernel/.../x.ko: dep dep"), or NULL. */
static const char *dep_line(const struct xp_buf *dep, const char *rel, size_t *ret_len)
{
        if (!dep->have)
                return NULL;
        size_t rl = strlen(rel);
        for (const char *l = (const char *)dep->data; l && *l;) {
                const char *nl = strchr(l, '\n');
                size_t ll = nl ? (size_t)(nl - l) : strlen(l);
                if (ll > rl && memcmp(l, rel, rl) == 0 && l[rl] == ':') {
                        *ret_len = ll;
                        return l;
                }
                l = nl ? nl + 1 : NULL;
        }
        return NULL;
}

/* NAME listed in a modules.builtin text ("kernel/fs/ext4/ext4.ko" lines) */
static bool builtin_has(const struct xp_buf *b, const char *name)
{
        if (!b->have)
                return false;
        for (const char *l = (const char *)b->data; l && *l;) {
                const char *nl = strchr(l, '\n');
                size_t ll = nl ? (size_t)(nl - l) : strlen(l);
                char line[256], mod[64];
                if (ll < sizeof(line)) {
                        memcpy(line, l, ll);
                        line[ll] = '\0';
                        const char *base = strrchr(line, '/');
                        if (xp_module_name(base ? base + 1 : line, mod, sizeof(mod)) && strcmp(mod, name) == 0)
                                return true;
                }
                l = nl ? nl + 1 : NULL;
        }
        return false;
}

static bool query_builtin(const struct xp_image_query *q, const char *name)
{
        for (const char *const *b = q->builtin; b && *b; b++)
                if (strcmp(*b, name) == 0)
                        return true;
        return false;
}

/* ---------------------------------------------------------------- fixes */

static char *fix_for(enum xp_generator g, const char *module, const char *kver, bool unlisted)
{
        char *fix = NULL;
        const char *v = kver ? kver : "VERSION";
        int r;
        switch (g) {
        case XP_GEN_INITRAMFS_TOOLS:
                r = asprintf(&fix, "%secho %s >> /etc/initramfs-tools/modules && update-initramfs -u -k %s",
                             unlisted ? "rebuild the image so depmod indexes it: " : "", module, v);
                break;
        case XP_GEN_DRACUT:
                r = asprintf(&fix,
                             "echo 'add_drivers+=\" %s \"' > /etc/dracut.conf.d/50-%s.conf "
                             "(and drop it from any omit_drivers) && dracut -f --kver %s",
                             module, module, v);
                break;
        case XP_GEN_MKINITCPIO:
                r = asprintf(&fix, "add %s to MODULES=(...) in /etc/mkinitcpio.conf && mkinitcpio -P", module);
                break;
        default:
                r = asprintf(&fix,
                             "rebuild the initramfs for %s with %s included (initramfs-tools: "
                             "/etc/initramfs-tools/modules + update-initramfs -u -k %s; dracut: "
                             "add_drivers+=\" %s \" + dracut -f --kver %s)",
                             v, module, v, module, v);
                break;
        }
        return r < 0 ? NULL : fix;
}

/* NAME loadable in the image: built in, or a file its modules.dep lists */
static bool module_available(const struct xp_scan *s, int kv, const char *name)
{
        if (query_builtin(s->q, name) || builtin_has(&s->index[kv][XP_IDX_BUILTIN], name))
                return true;
        const struct xp_modfile *f = find_file(s, (unsigned)kv, name);
        size_t ll;
        return f && dep_line(&s->index[kv][XP_IDX_DEP], f->rel, &ll);
}

/* Iterate the words of TEXT's lines "KEYWORD NAME ..." (modules.softdep:
 * "softdep ext4 pre: crypto-crc32c"; modules.alias: "alias crc32c crc32c_generic"),
 * calling FN on each later word. */
static int each_word(const struct xp_buf *b, const char *keyword, const char *name,
                     int (*fn)(void *ud, const char *word), void *ud)
{
        if (!b->have)
                return 0;
        size_t kl = strlen(keyword);
        for (const char *l = (const char *)b->data; l && *l;) {
                const char *nl = strchr(l, '\n');
                size_t ll = nl ? (size_t)(nl - l) : strlen(l);
                char line[512];
                if (ll < sizeof(line) && ll > kl && memcmp(l, keyword, kl) == 0 && l[kl] == ' ') {
                        memcpy(line, l, ll);
                        line[ll] = '\0';
                        char *save = NULL, *w = strtok_r(line + kl, " \t", &save);
                        char norm[64];
                        snprintf(norm, sizeof(norm), "%s", w ? w : "");
                        xp_module_normalize(norm);
                        if (w && strcmp(norm, name) == 0)
                                while ((w = strtok_r(NULL, " \t", &save))) {
                                        if (strcmp(w, "pre:") == 0 || strcmp(w, "post:") == 0)
                                                continue;
                                        int r = fn(ud, w);
                                        if (r)
                                                return r;
                                }
                }
                l = nl ? nl + 1 : NULL;
        }
        return 0;
}

struct soft {
        const struct xp_scan *s;
        int kv;
        bool known, found;
        char missing[64];
};

static int alias_cb(void *ud, const char *mod)
{
        struct soft *x = ud;
        char n[64];
        snprintf(n, sizeof(n), "%s", mod);
        xp_module_normalize(n);
        x->known = true;
        if (module_available(x->s, x->kv, n)) {
                x->found = true;
                return 1;
        }
        return 0;
}

/* modules.builtin.modinfo: "module.key=value" strings, NUL-separated:
 * does a built-in module provide alias TARGET? */
static bool builtin_alias(const struct xp_buf *b, const char *target)
{
        if (!b->have)
                return false;
        size_t tl = strlen(target);
        for (const char *p = (const char *)b->data, *end = p + b->len; p < end;) {
                size_t l = strnlen(p, (size_t)(end - p));
                const char *a = memmem(p, l, ".alias=", 7);
                if (a && (size_t)(p + l - (a + 7)) == tl && memcmp(a + 7, target, tl) == 0)
                        return true;
                p += l + 1;
        }
        return false;
}

static int softdep_cb(void *ud, const char *target)
{
        struct soft *x = ud;
        char n[64];
        snprintf(n, sizeof(n), "%s", target);
        xp_module_normalize(n);
        x->known = x->found = false;
        if (module_available(x->s, x->kv, n))
                return 0;
        /* an alias ("crypto-crc32c"): any module providing it will do */
        each_word(&x->s->index[x->kv][XP_IDX_ALIAS], "alias", n, alias_cb, x);
        if (x->found || builtin_alias(&x->s->index[x->kv][XP_IDX_BUILTIN_MODINFO], target))
                return 0;
        /* the image's modules.alias lists only the modules it carries: an
         * alias nobody provides is missing when the built-in list is there
         * to say so, unknown otherwise */
        if (!x->known && !x->s->index[x->kv][XP_IDX_BUILTIN_MODINFO].have)
                return 0;
        snprintf(x->missing, sizeof(x->missing), "%s", target);
        return 1;
}

/* Soft dependencies of NAME (modules.softdep): the module loads without
 * them, but ext4 and jbd2 cannot mount a metadata_csum filesystem without
 * a crc32c driver.  Returns true when one is absent, naming it. */
static bool softdep_missing(const struct xp_scan *s, int kv, const char *name, char *out, size_t outlen)
{
        struct soft x = { .s = s, .kv = kv };
        if (each_word(&s->index[kv][XP_IDX_SOFTDEP], "softdep", name, softdep_cb, &x) > 0 && x.missing[0]) {
                snprintf(out, outlen, "%s", x.missing);
                return true;
        }
        return false;
}

/* What to do when the image could not tell: look by hand. */
static char *unverifiable_fix(const char *module)
{
        char *fix;
        if (asprintf(&fix, "look by hand: lsinitramfs IMAGE | grep %s (initramfs-tools) or lsinitrd IMAGE | grep %s (dracut)",
                     module, module) < 0)
                return NULL;
        return fix;
}

/* Check one module: built-in, or present, indexed and with every dependency
 * present.  Returns the status, fills EVIDENCE. */
static enum xp_check_status check_file(struct xp_scan *s, int kv, const struct xp_modfile *f, char *ev,
                                       size_t evlen, bool *ret_unlisted);

static enum xp_check_status check_module(struct xp_scan *s, int kv, const char *name, const char *kver,
                                         char *ev, size_t evlen, bool *ret_unlisted)
{
        struct xp_image *img = s->img;
        *ret_unlisted = false;
        if (query_builtin(s->q, name)) {
                snprintf(ev, evlen, "built into kernel %s (its modules.builtin)", kver);
                return XP_CHECK_OK;
        }
        if (kv < 0) {
                snprintf(ev, evlen, "the image has no usr/lib/modules/<version>/ tree%s",
                         s->q->builtin ? " and the kernel does not build it in" : "");
                return s->q->builtin ? XP_CHECK_MISSING : XP_CHECK_CANNOT_VERIFY;
        }
        if (builtin_has(&s->index[kv][XP_IDX_BUILTIN], name)) {
                snprintf(ev, evlen, "built into %s (the image's modules.builtin)", img->versions[kv]);
                return XP_CHECK_OK;
        }
        const struct xp_modfile *f = find_file(s, (unsigned)kv, name);
        if (!f) {
                snprintf(ev, evlen, "no module file for %s (.ko, .ko.xz, .ko.zst, .ko.gz) below usr/lib/modules/%s/ in the image, and not built in",
                         name, img->versions[kv]);
                return XP_CHECK_MISSING;
        }
        const struct xp_buf *dep = &s->index[kv][XP_IDX_DEP];
        if (!dep->have && dep->too_big) {
                snprintf(ev, evlen, "%s present, but the image's modules.dep is too large to read", f->rel);
                return XP_CHECK_CANNOT_VERIFY;
        }
        if (!dep->have) {
                snprintf(ev, evlen, "%s present, but the image has no modules.dep: modprobe cannot load it", f->rel);
                *ret_unlisted = true;
                return XP_CHECK_MISSING;
        }
        /* several files may carry the name (extra/, updates/): the one the
         * index lists is what modprobe loads */
        enum xp_check_status best = _XP_CHECK_MAX;
        char best_ev[1024] = "";
        bool best_unlisted = false;
        for (size_t i = 0; i < s->n_files; i++) {
                const struct xp_modfile *c = &s->files[i];
                if (c->kv != (unsigned)kv || c->cut || strcmp(c->name, name) != 0)
                        continue;
                bool unl = false;
                enum xp_check_status st = check_file(s, kv, c, ev, evlen, &unl);
                if (st == XP_CHECK_OK)
                        return st;
                if (best == _XP_CHECK_MAX || (best_unlisted && !unl)) {
                        best = st;
                        best_unlisted = unl;
                        snprintf(best_ev, sizeof(best_ev), "%s", ev);
                }
        }
        snprintf(ev, evlen, "%s", best_ev);
        *ret_unlisted = best_unlisted;
        return best;
}

/* One module file: listed in modules.dep, every dependency present, soft
 * dependencies provided. */
static enum xp_check_status check_file(struct xp_scan *s, int kv, const struct xp_modfile *f, char *ev,
                                       size_t evlen, bool *ret_unlisted)
{
        struct xp_image *img = s->img;
        const struct xp_buf *dep = &s->index[kv][XP_IDX_DEP];
        const char *name = f->name;
        *ret_unlisted = false;
        size_t ll;
        const char *line = dep_line(dep, f->rel, &ll);
        if (!line) {
                snprintf(ev, evlen, "%s is in the image but not listed in its modules.dep: modprobe and udev never load it",
                         f->rel);
                *ret_unlisted = true;
                return XP_CHECK_MISSING;
        }
        /* modules.dep lists the whole dependency closure on the line */
        char deps[512] = "";
        size_t dl = 0;
        const char *p = memchr(line, ':', ll) + 1, *end = line + ll;
        while (p < end) {
                while (p < end && (*p == ' ' || *p == '\t'))
                        p++;
                const char *q = p;
                while (q < end && *q != ' ' && *q != '\t')
                        q++;
                if (q == p)
                        break;
                if (!find_rel(s, (unsigned)kv, p, (size_t)(q - p))) {
                        snprintf(ev, evlen, "%s present, but its dependency %.*s (modules.dep) is not in the image",
                                 f->rel, (int)(q - p), p);
                        return XP_CHECK_MISSING;
                }
                const char *b = memrchr(p, '/', (size_t)(q - p));
                b = b ? b + 1 : p;
                int w = snprintf(deps + dl, sizeof(deps) - dl, "%s%.*s", dl ? ", " : "", (int)(q - b), b);
                if (w > 0 && (size_t)w < sizeof(deps) - dl)
                        dl += (size_t)w;
                p = q;
        }
        /* soft dependencies of the module and of each dependency */
        char soft[64];
        char self[64];
        snprintf(self, sizeof(self), "%s", name);
        bool lost = softdep_missing(s, kv, self, soft, sizeof(soft));
        for (const char *d = line + (size_t)((const char *)memchr(line, ':', ll) - line) + 1; !lost && d < end;) {
                while (d < end && *d == ' ')
                        d++;
                const char *q = d;
                while (q < end && *q != ' ')
                        q++;
                const char *b = memrchr(d, '/', (size_t)(q - d));
                b = b ? b + 1 : d;
                char base[128], dn[64];
                snprintf(base, sizeof(base), "%.*s", (int)(q - b), b);
                if (q > d && xp_module_name(base, dn, sizeof(dn)))
                        lost = softdep_missing(s, kv, dn, soft, sizeof(soft));
                d = q;
        }
        if (lost) {
                snprintf(ev, evlen, "%s present with its dependencies, but its soft dependency %s (modules.softdep) "
                         "has no provider in the image: the module loads, then fails where it needs it "
                         "(ext4 cannot mount a metadata_csum filesystem without crc32c)",
                         f->rel, soft);
                return XP_CHECK_MISSING;
        }
        snprintf(ev, evlen, "usr/lib/modules/%s/%s, listed in the image's modules.dep%s%s%s", img->versions[kv],
                 f->rel, dl ? " with its dependencies (" : "", deps, dl ? ") present" : "");
        return XP_CHECK_OK;
}

/* vermagic of a captured module must name the kernel the image is for */
static void check_vermagic(struct xp_scan *s, int which, const char *kver, char *ev, size_t evlen,
                           enum xp_check_status *st)
{
        struct xp_buf *b = &s->ko[which];
        if (*st != XP_CHECK_OK || !b->have || !kver)
                return;
        if (strstr(s->ko_name[which], ".ko.")) {
                /* compressed module: its decoder is the module loader's
                 * business; the directory and modules.dep already tie it to
                 * the version */
                return;
        }
        char vm[128];
        if (xp_modinfo_get(b->data, b->len, "vermagic", vm, sizeof(vm)) != 0)
                return;
        size_t kl = strlen(kver);
        if (strncmp(vm, kver, kl) != 0 || (vm[kl] != ' ' && vm[kl] != '\0')) {
                size_t l = strlen(ev);
                snprintf(ev + l, evlen - l, "; but its vermagic is \"%s\", not %s: the kernel refuses it", vm, kver);
                *st = XP_CHECK_MISSING;
        }
}

/* Pick the image's kernel version (img->kernel_version): the queried one
 * when the image carries it, else its first.  *RET_KV: the index of the
 * version the checks look at, -1 when the image lacks the queried one. */
static int pick_version(struct xp_scan *s, int *ret_kv)
{
        struct xp_image *img = s->img;
        const struct xp_image_query *q = s->q;
        int kv = -1;
        if (q->kernel_version) {
                for (size_t i = 0; i < img->n_versions; i++)
                        if (strcmp(img->versions[i], q->kernel_version) == 0)
                                kv = (int)i;
        } else if (img->n_versions)
                kv = 0;
        *ret_kv = kv;
        if (kv < 0 && !img->n_versions)
                return 0;
        img->kernel_version = strdup(img->versions[kv >= 0 ? kv : 0]);
        return img->kernel_version ? 0 : -ENOMEM;
}

/* The fix of a module check that ended in ST: NULL when ok. */
static char *module_fix(enum xp_check_status st, enum xp_generator gen, const char *module, const char *kver,
                        bool unlisted)
{
        if (st == XP_CHECK_OK)
                return NULL;
        if (st == XP_CHECK_CANNOT_VERIFY)
                return unverifiable_fix(module);
        return fix_for(gen, module, kver, unlisted);
}

/* The image's first error is inside a member whose bytes are not confirmed:
 * did the check of NAME rest on any of them (the module, a dependency, an
 * index file)? */
static bool rests_on_suspect(const struct xp_scan *s, int kv, const char *name)
{
        const struct xp_image *img = s->img;
        unsigned seg = (unsigned)img->stop_seg;
        if ((img->stop != XP_STOP_SUSPECT && img->stop != XP_STOP_SUSPECT_ON) || kv < 0)
                return false;
        for (int i = 0; i < _XP_IDX_MAX; i++)
                if (s->index[kv][i].have && s->index[kv][i].seg == seg)
                        return true;
        const struct xp_modfile *f = find_file(s, (unsigned)kv, name);
        if (!f || f->seg == seg)
                return f != NULL;
        size_t ll;
        const char *line = dep_line(&s->index[kv][XP_IDX_DEP], f->rel, &ll);
        const char *p = line ? memchr(line, ':', ll) : NULL, *end = line ? line + ll : NULL;
        while (p && ++p < end) {
                const char *q = p;
                while (q < end && *q != ' ' && *q != '\t')
                        q++;
                const struct xp_modfile *d = q > p ? find_rel(s, (unsigned)kv, p, (size_t)(q - p)) : NULL;
                if (d && d->seg == seg)
                        return true;
                p = q < end ? q : NULL;
        }
        return false;
}

/* The command that rebuilds the image of kernel KVER with generator GEN
 * (initramfs-tools when not known). */
static void rebuild_cmd(enum xp_generator gen, const char *kver, char *buf, size_t len)
{
        const char *v = kver ? kver : "VERSION";
        if (gen == XP_GEN_DRACUT)
                snprintf(buf, len, "dracut -f --kver %s", v);
        else if (gen == XP_GEN_MKINITCPIO)
                snprintf(buf, len, "mkinitcpio -P");
        else
                snprintf(buf, len, "update-initramfs -u -k %s", v);
}

/* The image is compressed with a method its kernel cannot decompress:
 * the generator's setting for one it can, and the rebuild. */
static char *recompress_fix(const struct xp_image_query *q, const struct xp_image *img, enum xp_generator gen,
                            const char *kver, const char *cmd, const char *fix)
{
        static const enum xp_comp pref[] = { XP_COMP_GZIP, XP_COMP_XZ, XP_COMP_ZSTD, XP_COMP_LZ4,
                                             XP_COMP_LZMA, XP_COMP_BZIP2, XP_COMP_LZO };
        const char *m = "gzip";
        for (size_t i = 0; i < ELEMENTSOF(pref); i++)
                if (!((q->rd_unset | q->rd_unknown) & (1u << pref[i]))) {
                        m = xp_comp_to_string(pref[i]); /* "lzop": the generators' name too */
                        break;
                }
        char set[200], *out;
        if (gen == XP_GEN_DRACUT)
                snprintf(set, sizeof(set), "compress=\"%s\" in /etc/dracut.conf.d/compress.conf", m);
        else if (gen == XP_GEN_MKINITCPIO)
                snprintf(set, sizeof(set), "COMPRESSION=\"%s\" in /etc/mkinitcpio.conf", m);
        else if (gen == XP_GEN_INITRAMFS_TOOLS)
                snprintf(set, sizeof(set), "COMPRESS=%s in /etc/initramfs-tools/initramfs.conf", m);
        else
                snprintf(set, sizeof(set), "COMPRESS=%s in /etc/initramfs-tools/initramfs.conf (initramfs-tools) or "
                         "compress=\"%s\" in /etc/dracut.conf.d/compress.conf (dracut)", m, m);
        if (asprintf(&out, "rebuild the image with a compression kernel %s decompresses (it stops at the %s segment at "
                     "byte %llu): %s, then %s%s%s", kver ? kver : "VERSION", xp_comp_to_string(img->stop_comp),
                     (unsigned long long)img->stop_offset, set, cmd, fix ? "; if it is still missing: " : "",
                     fix ? fix : "") < 0)
                return NULL;
        return out;
}

/* What rebuilds a damaged image, then FIX if the module is still missing. */
static char *regenerate_fix(const struct xp_scan *s, enum xp_generator gen, const char *kver, const char *fix)
{
        const struct xp_image *img = s->img;
        char cmd[160], *out;
        rebuild_cmd(gen, kver, cmd, sizeof(cmd));
        if (gen == XP_GEN_UNKNOWN) {
                size_t l = strlen(cmd);
                snprintf(cmd + l, sizeof(cmd) - l, " or dracut -f --kver %s", kver ? kver : "VERSION");
        }
        if (img->stop_comp)
                return recompress_fix(s->q, img, gen, kver, cmd, fix);
        if (asprintf(&out, "regenerate the image, damaged at byte %llu (and check that /boot has free space): %s%s%s",
                     (unsigned long long)img->stop_offset, cmd, fix ? "; if it is still missing: " : "",
                     fix ? fix : "") < 0)
                return NULL;
        return out;
}

/* The image is damaged, but the kernel would unpack what comes before the
 * error (enum xp_unpack_stop): the check of NAME, that ended in *ST with
 * evidence EV and fix *FIX, becomes what the kernel gets.  A file unpacked
 * whole before the error is there (ok, said); one after it, or cut by it,
 * is not (missing); one from the damaged member itself may hold wrong bytes
 * (cannot-verify).  -ENOMEM or 0. */
static int judge_damage(struct xp_scan *s, int kv, const char *name, const char *kver, enum xp_generator gen,
                        enum xp_check_status *st, char *ev, size_t evlen, char **fix)
{
        const struct xp_image *img = s->img;
        if (!img->error)
                return 0;
        char kmsg[160] = "";
        if (img->kernel_msg[0])
                snprintf(kmsg, sizeof(kmsg), ", printing \"Initramfs unpacking failed: %s\"", img->kernel_msg);
        size_t l = strlen(ev);
        char *nfix = NULL;
        /* no module tree before the kernel stops: it gets none */
        if (*st == XP_CHECK_CANNOT_VERIFY && kv < 0 && img->stop == XP_STOP_KERNEL)
                *st = XP_CHECK_MISSING;
        if (*st == XP_CHECK_OK && rests_on_suspect(s, kv, name)) {
                *st = XP_CHECK_CANNOT_VERIFY;
                snprintf(ev + l, evlen - l, "; but segment %zu, which this rests on, is damaged%s: its bytes before "
                         "the error are unconfirmed", img->stop_seg, img->stop == XP_STOP_SUSPECT_ON
                         ? " (its check value is wrong; the kernel does not check it)" : "");
                nfix = regenerate_fix(s, gen, kver, NULL);
        } else if (*st == XP_CHECK_OK) {
                snprintf(ev + l, evlen - l, "; all of it before the image's damage: the kernel stops unpacking at byte %llu%s "
                         "and boots with what it unpacked", (unsigned long long)img->stop_offset, kmsg);
                return 0;
        } else if (*st == XP_CHECK_MISSING && img->stop == XP_STOP_SUSPECT_ON) {
                *st = XP_CHECK_CANNOT_VERIFY;
                snprintf(ev + l, evlen - l, "; read only up to segment %zu, whose check value is wrong: the kernel does "
                         "not check it and unpacks what follows", img->stop_seg);
                nfix = regenerate_fix(s, gen, kver, NULL);
        } else if (*st == XP_CHECK_MISSING) {
                snprintf(ev + l, evlen - l, "; the kernel stops unpacking at byte %llu%s: nothing after it reaches rootfs",
                         (unsigned long long)img->stop_offset, kmsg);
                nfix = regenerate_fix(s, gen, kver, *fix);
        } else {
                return 0;
        }
        if (!nfix)
                return -ENOMEM;
        free(*fix);
        *fix = nfix;
        return 0;
}

/* A damaged image never passes: its checks say so, and what was seen anyway. */
static int add_damaged_checks(struct xp_scan *s, int kv, const char *kver)
{
        struct xp_image *img = s->img;
        char ev[1024];
        bool unlisted;
        enum xp_check_status st = check_module(s, kv, "xen_blkfront", kver, ev, sizeof(ev), &unlisted);
        int e = xp_checks_add(&img->checks, "xen-blkfront", XP_CHECK_CANNOT_VERIFY,
                              "regenerate the image (and check that /boot has free space)",
                              "%s (read before the damage: %s, %s)", img->error_msg,
                              xp_check_status_to_string(st), ev);
        if (e < 0)
                return e;
        if (s->q->fstype) {
                char name[64];
                snprintf(name, sizeof(name), "root-fs:%s", s->q->fstype);
                e = xp_checks_add(&img->checks, name, XP_CHECK_CANNOT_VERIFY,
                                  "regenerate the image", "%s", img->error_msg);
        }
        return e < 0 ? e : 0;
}

/* "kernel-version": the image carries the modules of the kernel it is
 * paired with (KV >= 0), else how to rebuild it for that kernel. */
static int add_kernel_version_check(struct xp_scan *s, int kv, enum xp_generator gen)
{
        struct xp_image *img = s->img;
        const char *kver = s->q->kernel_version;
        if (kv >= 0)
                return xp_checks_add(&img->checks, "kernel-version", XP_CHECK_OK, NULL,
                                     "the image carries usr/lib/modules/%s/", kver);
        /* the kernel stops before any module tree: what it lacks is said
         * by the error, not by a version */
        if (!img->n_versions && img->error && img->stop == XP_STOP_KERNEL) {
                char *rfix = regenerate_fix(s, gen, kver, NULL);
                if (!rfix)
                        return -ENOMEM;
                int e = xp_checks_add(&img->checks, "kernel-version", XP_CHECK_MISSING, rfix,
                                      "paired with kernel %s, but the kernel unpacks no module tree of the image: %s",
                                      kver, img->error_msg);
                free(rfix);
                return e;
        }
        char cmd[160], fix[256];
        rebuild_cmd(gen, kver, cmd, sizeof(cmd));
        snprintf(fix, sizeof(fix), "rebuild the image for %s (%s)", kver, cmd);
        return xp_checks_add(&img->checks, "kernel-version", XP_CHECK_MISSING, fix,
                             img->n_versions ? "paired with kernel %s, but the image's modules are for %s"
                                             : "paired with kernel %s, but the image has no kernel modules%s",
                             kver, img->n_versions ? img->versions[0] : "");
}

/* "root-fs:TYPE": a module that provides the root filesystem (ext2/ext3
 * may be served by ext4), with the evidence of the first candidate when
 * none does. */
static int add_root_fs_check(struct xp_scan *s, int kv, const char *kver, enum xp_generator gen)
{
        char name[64], ev[1024];
        bool unlisted;
        snprintf(name, sizeof(name), "root-fs:%s", s->q->fstype);
        enum xp_check_status st = XP_CHECK_MISSING;
        const char *mod = s->fsmod[0];
        for (int i = 0; i < 3 && s->fsmod[i][0]; i++) {
                enum xp_check_status t = check_module(s, kv, s->fsmod[i], kver, ev, sizeof(ev), &unlisted);
                if (t == XP_CHECK_OK || i == 0) {
                        st = t;
                        mod = s->fsmod[i];
                }
                if (t == XP_CHECK_OK)
                        break;
        }
        if (st != XP_CHECK_OK)
                check_module(s, kv, mod, kver, ev, sizeof(ev), &unlisted);
        check_vermagic(s, XP_WANT_FS, kver, ev, sizeof(ev), &st);
        char modname[32];
        snprintf(modname, sizeof(modname), "%s", mod);
        char *fix = module_fix(st, gen, modname, kver, unlisted);
        int e = judge_damage(s, kv, mod, kver, gen, &st, ev, sizeof(ev), &fix);
        if (e == 0)
                e = xp_checks_add(&s->img->checks, name, st, fix, "%s", ev);
        free(fix);
        return e < 0 ? e : 0;
}

int xp_scan_evaluate(struct xp_scan *s)
{
        struct xp_image *img = s->img;
        const struct xp_image_query *q = s->q;
        int kv;
        int e = pick_version(s, &kv);
        if (e < 0)
                return e;
        const char *kver = q->kernel_version ? q->kernel_version : img->kernel_version;
        enum xp_generator gen = img->generator ? img->generator : q->root_generator;
        if (img->error && img->stop == XP_STOP_OURS)
                return add_damaged_checks(s, kv, kver);
        if (q->kernel_version && (e = add_kernel_version_check(s, kv, gen)) < 0)
                return e;

        char ev[1024];
        bool unlisted;
        enum xp_check_status st = check_module(s, kv, "xen_blkfront", kver, ev, sizeof(ev), &unlisted);
        check_vermagic(s, XP_WANT_BLKFRONT, kver, ev, sizeof(ev), &st);
        char *fix = module_fix(st, gen, "xen-blkfront", kver, unlisted);
        if ((e = judge_damage(s, kv, "xen_blkfront", kver, gen, &st, ev, sizeof(ev), &fix)) < 0) {
                free(fix);
                return e;
        }
        e = xp_checks_add(&img->checks, "xen-blkfront", st, fix, "%s", ev);
        free(fix);
        if (e < 0)
                return e;

        if (q->need_netfront) {
                st = check_module(s, kv, "xen_netfront", kver, ev, sizeof(ev), &unlisted);
                fix = module_fix(st, gen, "xen-netfront", kver, unlisted);
                if ((e = judge_damage(s, kv, "xen_netfront", kver, gen, &st, ev, sizeof(ev), &fix)) < 0) {
                        free(fix);
                        return e;
                }
                e = xp_checks_add(&img->checks, "xen-netfront", st, fix, "network root: %s", ev);
                free(fix);
                if (e < 0)
                        return e;
        }
        return q->fstype ? add_root_fs_check(s, kv, kver, gen) : 0;
}

/* Quick mode: every module the checks need is already loadable from what
 * was read (index files, module files, soft dependencies).  "Missing" can
 * only be decided at the end of the image. */
bool xp_scan_facts_complete(struct xp_scan *s)
{
        const struct xp_image *img = s->img;
        if (!s->q->quick || img->n_versions != 1 || !s->dirty)
                return false;
        s->dirty = false;
        for (int i = 0; i < _XP_IDX_MAX; i++)
                if (!s->index[0][i].have && i != XP_IDX_BUILTIN_MODINFO)
                        return false;
        const char *need[4] = { "xen_blkfront", NULL, NULL, NULL };
        size_t nn = 1;
        if (s->q->need_netfront)
                need[nn++] = "xen_netfront";
        if (s->fsmod[0][0])
                need[nn++] = s->fsmod[0];
        char ev[1024];
        bool unlisted;
        for (size_t i = 0; i < nn; i++) {
                bool ok = check_module(s, 0, need[i], img->versions[0], ev, sizeof(ev), &unlisted) == XP_CHECK_OK;
                /* ext2/ext3 may be served by ext4 */
                for (int k = 1; !ok && k < 3 && need[i] == s->fsmod[0] && s->fsmod[k][0]; k++)
                        ok = check_module(s, 0, s->fsmod[k], img->versions[0], ev, sizeof(ev), &unlisted) ==
                             XP_CHECK_OK;
                if (!ok)
                        return false;
        }
        /* the modules whose vermagic is checked must be fully captured */
        for (int w = 0; w < _XP_WANT_MAX; w++)
                if (s->ko_name[w][0] && !s->ko[w].have && !s->ko[w].too_big)
                        return false;
        return true;
}
/* Module names that can provide filesystem TYPE. */
void xp_fs_modules(const char *type, char out[3][32])
{
        memset(out, 0, 3 * 32);
        if (!type)
                return;
        snprintf(out[0], 32, "%s", type);
        xp_module_normalize(out[0]);
        /* ext2/ext3 are served by ext4 when the kernel has EXT4_USE_FOR_EXT2 */
        if (strcmp(type, "ext2") == 0 || strcmp(type, "ext3") == 0)
                snprintf(out[1], 32, "ext4");
        else if (strcmp(type, "nfs4") == 0)
                snprintf(out[0], 32, "nfsv4");
}
