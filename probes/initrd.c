/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Read an initramfs image the way the kernel unpacks it (init/initramfs.c
 * unpack_to_rootfs()): zero bytes are skipped; "0707" starts uncompressed
 * cpio entries; anything else is a compressed member, decoded to its exact
 * end, after which the loop goes on.  One streaming pass, fixed buffers:
 * only the image's module index files and the few modules whose .modinfo
 * matters are kept, with caps.
 *
 * The image's own usr/lib/modules/<V>/modules.dep decides what modprobe and
 * udev can load there: a .ko it does not list is dead weight.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "initrd.h"

#define READ_CHUNK (1u << 20)
#define MAX_MODFILES 65536
#define INDEX_MAX (16u << 20)  /* modules.alias of a full image: ~1.5 MiB */
#define KO_MAX (64u << 20)     /* the largest in-tree module is ~20 MiB */
#define MAX_THREADS 4

enum { IDX_DEP, IDX_BUILTIN, IDX_SOFTDEP, IDX_ALIAS, _IDX_MAX };
static const char *const index_names[_IDX_MAX] = {
        "modules.dep", "modules.builtin", "modules.softdep", "modules.alias",
};

/* modules we read .modinfo of, and whose files we look for */
enum { WANT_BLKFRONT, WANT_NETFRONT, WANT_FS, _WANT_MAX };

struct modfile {
        unsigned kv;   /* index in img->versions */
        char *rel;     /* path below usr/lib/modules/<V>/ */
        char name[64]; /* normalized module name */
};

struct buf {
        uint8_t *data;
        size_t len, cap;
        bool have, too_big;
};

struct scan {
        struct xp_ctx *ctx;
        struct xp_image *img;
        const struct xp_image_query *q;
        char fsmod[3][32];            /* candidate modules for the root fs */
        struct xp_cpio cpio;
        struct modfile *files;
        size_t n_files, cap_files;
        bool files_overflow;
        struct buf index[XP_IMAGE_MAX_KVERS][_IDX_MAX];
        struct buf ko[_WANT_MAX];
        char ko_name[_WANT_MAX][64];
        struct buf *cur;              /* capture target of the current entry */
        unsigned hostile;             /* names escaping with ".." */
        char hostile_name[96];
        bool dirty;                   /* something facts_complete() needs arrived */
};

const char *xp_check_status_to_string(enum xp_check_status s)
{
        static const char *const t[_XP_CHECK_MAX] = { "ok", "missing", "cannot-verify" };
        return s < _XP_CHECK_MAX ? t[s] : "cannot-verify";
}

const char *xp_generator_to_string(enum xp_generator g)
{
        static const char *const t[_XP_GEN_MAX] = { NULL, "initramfs-tools", "dracut", "mkinitcpio" };
        return g < _XP_GEN_MAX ? t[g] : NULL;
}

int xp_checks_add(struct xp_checks *c, const char *name, enum xp_check_status st, const char *fix,
                  const char *fmt, ...)
{
        if (c->n == c->cap) {
                size_t cap = c->cap ? c->cap * 2 : 8;
                struct xp_check *v = realloc(c->v, cap * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                c->v = v;
                c->cap = cap;
        }
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

enum xp_check_status xp_checks_worst(const struct xp_checks *c)
{
        enum xp_check_status w = XP_CHECK_OK;
        for (size_t i = 0; i < c->n; i++)
                if (c->v[i].status == XP_CHECK_MISSING)
                        w = XP_CHECK_MISSING;
                else if (c->v[i].status == XP_CHECK_CANNOT_VERIFY && w == XP_CHECK_OK)
                        w = XP_CHECK_CANNOT_VERIFY;
        return w;
}

struct xp_image *xp_image_free(struct xp_image *img)
{
        if (!img)
                return NULL;
        free(img->path);
        free(img->kernel_version);
        for (size_t i = 0; i < img->n_versions; i++)
                free(img->versions[i]);
        free(img->error_msg);
        xp_checks_clear(&img->checks);
        free(img);
        return NULL;
}

/* "xen-blkfront.ko.zst" -> "xen_blkfront" (kmod's normalization) */
static bool module_name(const char *base, char *out, size_t outlen)
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
        for (size_t i = 0; i < n; i++)
                out[i] = base[i] == '-' ? '_' : base[i];
        out[n] = '\0';
        return true;
}

static void normalize(char *s)
{
        for (; *s; s++)
                if (*s == '-')
                        *s = '_';
}

/* ----------------------------------------------------------- the walker */

static int kver_index(struct scan *s, const char *v, size_t len)
{
        struct xp_image *img = s->img;
        for (size_t i = 0; i < img->n_versions; i++)
                if (strlen(img->versions[i]) == len && memcmp(img->versions[i], v, len) == 0)
                        return (int)i;
        if (img->n_versions == XP_IMAGE_MAX_KVERS || len == 0 || len > 64)
                return -1;
        char *c = strndup(v, len);
        if (!c)
                return -ENOMEM;
        img->versions[img->n_versions] = c;
        return (int)img->n_versions++;
}

static bool is_wanted(struct scan *s, const char *name, int *which)
{
        if (strcmp(name, "xen_blkfront") == 0) {
                *which = WANT_BLKFRONT;
                return true;
        }
        if (strcmp(name, "xen_netfront") == 0) {
                *which = WANT_NETFRONT;
                return true;
        }
        for (int i = 0; i < 3; i++)
                if (s->fsmod[i][0] && strcmp(name, s->fsmod[i]) == 0) {
                        *which = WANT_FS;
                        return true;
                }
        return false;
}

static int capture(struct scan *s, struct buf *b, uint32_t size, size_t max)
{
        if (b->have)
                return 0;
        if (size > max) {
                b->too_big = true;
                return 0;
        }
        free(b->data);
        b->data = malloc((size_t)size + 1);
        if (!b->data)
                return -ENOMEM;
        b->cap = (size_t)size;
        b->len = 0;
        s->cur = b;
        return 1;
}

static int on_entry(void *ud, const struct xp_cpio_entry *e)
{
        struct scan *s = ud;
        const char *n = e->name;
        s->img->entries++;
        while (n[0] == '.' && n[1] == '/')
                n += 2;
        while (n[0] == '/')
                n++;
        /* a generator never writes "..": such an image was made by hand or
         * tampered with; the kernel would keep it inside rootfs, we refuse
         * to interpret it */
        for (const char *p = n; (p = strstr(p, "..")); p += 2)
                if ((p == n || p[-1] == '/') && (p[2] == '/' || p[2] == '\0')) {
                        if (!s->hostile++)
                                snprintf(s->hostile_name, sizeof(s->hostile_name), "%.80s", e->name);
                        return 0;
                }
        s->cur = NULL;

        if (xp_startswith(n, "kernel/x86/microcode/"))
                s->img->microcode = true;
        else if (strcmp(n, "conf/initramfs.conf") == 0)
                s->img->generator = XP_GEN_INITRAMFS_TOOLS;
        else if (xp_startswith(n, "usr/lib/dracut/") || xp_startswith(n, "lib/dracut/"))
                s->img->generator = XP_GEN_DRACUT;
        else if (strcmp(n, "init_functions") == 0 || strcmp(n, "buildconfig") == 0)
                s->img->generator = XP_GEN_MKINITCPIO;

        const char *m = NULL;
        if (xp_startswith(n, "usr/lib/modules/"))
                m = n + strlen("usr/lib/modules/");
        else if (xp_startswith(n, "lib/modules/"))
                m = n + strlen("lib/modules/");
        if (!m)
                return 0;
        const char *slash = strchr(m, '/');
        if (!slash || !slash[1])
                return 0;
        if ((e->mode & 0170000) != 0100000)
                return 0; /* a symlink or hard-link placeholder is not a module file */
        int kv = kver_index(s, m, (size_t)(slash - m));
        if (kv < 0)
                return kv == -ENOMEM ? kv : 0;
        const char *rel = slash + 1;
        for (int i = 0; i < _IDX_MAX; i++)
                if (strcmp(rel, index_names[i]) == 0)
                        return capture(s, &s->index[kv][i], e->filesize, INDEX_MAX);

        const char *base = strrchr(rel, '/');
        base = base ? base + 1 : rel;
        char name[64];
        if (!module_name(base, name, sizeof(name)))
                return 0;
        if (s->n_files == MAX_MODFILES) {
                s->files_overflow = true;
                return 0;
        }
        if (s->n_files == s->cap_files) {
                size_t cap = s->cap_files ? s->cap_files * 2 : 256;
                struct modfile *v = realloc(s->files, cap * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                s->files = v;
                s->cap_files = cap;
        }
        struct modfile *f = &s->files[s->n_files];
        f->rel = strdup(rel);
        if (!f->rel)
                return -ENOMEM;
        f->kv = (unsigned)kv;
        snprintf(f->name, sizeof(f->name), "%s", name);
        s->n_files++;
        s->dirty = true;
        int w;
        if (is_wanted(s, name, &w) && !s->ko[w].have) {
                snprintf(s->ko_name[w], sizeof(s->ko_name[w]), "%s", rel);
                return capture(s, &s->ko[w], e->filesize, KO_MAX);
        }
        return 0;
}

static int on_data(void *ud, const uint8_t *p, size_t n)
{
        struct scan *s = ud;
        struct buf *b = s->cur;
        if (!b)
                return 0;
        if (n > b->cap - b->len)
                n = b->cap - b->len;
        memcpy(b->data + b->len, p, n);
        b->len += n;
        return 0;
}

static int on_done(void *ud)
{
        struct scan *s = ud;
        if (s->cur) {
                s->cur->data[s->cur->len] = '\0';
                s->cur->have = true;
                s->dirty = true;
        }
        s->cur = NULL;
        return 0;
}

static const struct xp_cpio_ops scan_ops = { on_entry, on_data, on_done };

/* ----------------------------------------------------- index questions */

static const struct modfile *find_file(const struct scan *s, unsigned kv, const char *name)
{
        for (size_t i = 0; i < s->n_files; i++)
                if (s->files[i].kv == kv && strcmp(s->files[i].name, name) == 0)
                        return &s->files[i];
        return NULL;
}

static const struct modfile *find_rel(const struct scan *s, unsigned kv, const char *rel, size_t len)
{
        for (size_t i = 0; i < s->n_files; i++)
                if (s->files[i].kv == kv && strlen(s->files[i].rel) == len &&
                    memcmp(s->files[i].rel, rel, len) == 0)
                        return &s->files[i];
        return NULL;
}

/* The modules.dep line of REL ("kernel/.../x.ko: dep dep"), or NULL. */
static const char *dep_line(const struct buf *dep, const char *rel, size_t *ret_len)
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
static bool builtin_has(const struct buf *b, const char *name)
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
                        if (module_name(base ? base + 1 : line, mod, sizeof(mod)) && strcmp(mod, name) == 0)
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
static bool module_available(const struct scan *s, int kv, const char *name)
{
        if (query_builtin(s->q, name) || builtin_has(&s->index[kv][IDX_BUILTIN], name))
                return true;
        const struct modfile *f = find_file(s, (unsigned)kv, name);
        size_t ll;
        return f && dep_line(&s->index[kv][IDX_DEP], f->rel, &ll);
}

/* Iterate the words of TEXT's lines "KEYWORD NAME ..." (modules.softdep:
 * "softdep ext4 pre: crypto-crc32c"; modules.alias: "alias crc32c crc32c_generic"),
 * calling FN on each later word. */
static int each_word(const struct buf *b, const char *keyword, const char *name,
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
                        normalize(norm);
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
        const struct scan *s;
        int kv;
        bool known, found;
        char missing[64];
};

static int alias_cb(void *ud, const char *mod)
{
        struct soft *x = ud;
        char n[64];
        snprintf(n, sizeof(n), "%s", mod);
        normalize(n);
        x->known = true;
        if (module_available(x->s, x->kv, n)) {
                x->found = true;
                return 1;
        }
        return 0;
}

static int softdep_cb(void *ud, const char *target)
{
        struct soft *x = ud;
        char n[64];
        snprintf(n, sizeof(n), "%s", target);
        normalize(n);
        x->known = x->found = false;
        if (module_available(x->s, x->kv, n))
                return 0;
        /* an alias ("crypto-crc32c"): any module providing it will do */
        each_word(&x->s->index[x->kv][IDX_ALIAS], "alias", n, alias_cb, x);
        if (x->found || !x->known)
                return 0; /* provided, or provided by something built in we cannot name */
        snprintf(x->missing, sizeof(x->missing), "%s", target);
        return 1;
}

/* Soft dependencies of NAME (modules.softdep): the module loads without
 * them, but ext4 and jbd2 cannot mount a metadata_csum filesystem without
 * a crc32c driver.  Returns true when one is absent, naming it. */
static bool softdep_missing(const struct scan *s, int kv, const char *name, char *out, size_t outlen)
{
        struct soft x = { .s = s, .kv = kv };
        if (each_word(&s->index[kv][IDX_SOFTDEP], "softdep", name, softdep_cb, &x) > 0 && x.missing[0]) {
                snprintf(out, outlen, "%s", x.missing);
                return true;
        }
        return false;
}

/* Check one module: built-in, or present, indexed and with every dependency
 * present.  Returns the status, fills EVIDENCE. */
static enum xp_check_status check_module(struct scan *s, int kv, const char *name, const char *kver,
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
        if (builtin_has(&s->index[kv][IDX_BUILTIN], name)) {
                snprintf(ev, evlen, "built into %s (the image's modules.builtin)", img->versions[kv]);
                return XP_CHECK_OK;
        }
        const struct modfile *f = find_file(s, (unsigned)kv, name);
        if (!f) {
                snprintf(ev, evlen, "no module file for %s (.ko, .ko.xz, .ko.zst, .ko.gz) below usr/lib/modules/%s/ in the image, and not built in",
                         name, img->versions[kv]);
                return XP_CHECK_MISSING;
        }
        const struct buf *dep = &s->index[kv][IDX_DEP];
        if (!dep->have) {
                snprintf(ev, evlen, "%s present, but the image has no modules.dep%s: modprobe cannot load it",
                         f->rel, dep->too_big ? " it can read (too large)" : "");
                *ret_unlisted = true;
                return XP_CHECK_MISSING;
        }
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
                if (q > d && module_name(base, dn, sizeof(dn)))
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
static void check_vermagic(struct scan *s, int which, const char *kver, char *ev, size_t evlen,
                           enum xp_check_status *st)
{
        struct buf *b = &s->ko[which];
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

static int evaluate(struct scan *s)
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
        if (kv >= 0) {
                img->kernel_version = strdup(img->versions[kv]);
                if (!img->kernel_version)
                        return -ENOMEM;
        } else if (img->n_versions) {
                img->kernel_version = strdup(img->versions[0]);
                if (!img->kernel_version)
                        return -ENOMEM;
        }
        const char *kver = q->kernel_version ? q->kernel_version : img->kernel_version;
        enum xp_generator gen = img->generator ? img->generator : q->root_generator;
        char ev[1024];
        bool unlisted;
        int e;

        if (img->error) {
                /* a damaged image never passes: say what was seen anyway */
                enum xp_check_status st = check_module(s, kv, "xen_blkfront", kver, ev, sizeof(ev), &unlisted);
                e = xp_checks_add(&img->checks, "xen-blkfront", XP_CHECK_CANNOT_VERIFY,
                                  "regenerate the image (and check that /boot has free space)",
                                  "%s (read before the damage: %s, %s)", img->error_msg,
                                  xp_check_status_to_string(st), ev);
                if (e < 0)
                        return e;
                if (q->fstype) {
                        char name[64];
                        snprintf(name, sizeof(name), "root-fs:%s", q->fstype);
                        e = xp_checks_add(&img->checks, name, XP_CHECK_CANNOT_VERIFY,
                                          "regenerate the image", "%s", img->error_msg);
                }
                return e < 0 ? e : 0;
        }

        if (q->kernel_version) {
                if (kv >= 0)
                        e = xp_checks_add(&img->checks, "kernel-version", XP_CHECK_OK, NULL,
                                          "the image carries usr/lib/modules/%s/", q->kernel_version);
                else {
                        char fix[256];
                        snprintf(fix, sizeof(fix), "rebuild the image for %s (%s)", q->kernel_version,
                                 gen == XP_GEN_DRACUT ? "dracut -f --kver VER"
                                 : gen == XP_GEN_MKINITCPIO ? "mkinitcpio -P"
                                                            : "update-initramfs -u -k VER");
                        char *v = strstr(fix, "VER");
                        if (v) {
                                char tail[256];
                                snprintf(tail, sizeof(tail), "%s%s", q->kernel_version, v + 3);
                                snprintf(v, sizeof(fix) - (size_t)(v - fix), "%s", tail);
                        }
                        e = xp_checks_add(&img->checks, "kernel-version", XP_CHECK_MISSING, fix,
                                          img->n_versions ? "paired with kernel %s, but the image's modules are for %s"
                                                          : "paired with kernel %s, but the image has no kernel modules%s",
                                          q->kernel_version, img->n_versions ? img->versions[0] : "");
                }
                if (e < 0)
                        return e;
        }

        enum xp_check_status st = check_module(s, kv, "xen_blkfront", kver, ev, sizeof(ev), &unlisted);
        check_vermagic(s, WANT_BLKFRONT, kver, ev, sizeof(ev), &st);
        char *fix = st == XP_CHECK_OK ? NULL : fix_for(gen, "xen-blkfront", kver, unlisted);
        e = xp_checks_add(&img->checks, "xen-blkfront", st, fix, "%s", ev);
        free(fix);
        if (e < 0)
                return e;

        if (q->need_netfront) {
                st = check_module(s, kv, "xen_netfront", kver, ev, sizeof(ev), &unlisted);
                fix = st == XP_CHECK_OK ? NULL : fix_for(gen, "xen-netfront", kver, unlisted);
                e = xp_checks_add(&img->checks, "xen-netfront", st, fix, "network root: %s", ev);
                free(fix);
                if (e < 0)
                        return e;
        }

        if (q->fstype) {
                char name[64];
                snprintf(name, sizeof(name), "root-fs:%s", q->fstype);
                st = XP_CHECK_MISSING;
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
                check_vermagic(s, WANT_FS, kver, ev, sizeof(ev), &st);
                char modname[32];
                snprintf(modname, sizeof(modname), "%s", mod);
                fix = st == XP_CHECK_OK ? NULL : fix_for(gen, modname, kver, unlisted);
                e = xp_checks_add(&img->checks, name, st, fix, "%s", ev);
                free(fix);
                if (e < 0)
                        return e;
        }
        return 0;
}

/* ------------------------------------------------------------ the reader */

static enum xp_check_status check_module(struct scan *s, int kv, const char *name, const char *kver,
                                         char *ev, size_t evlen, bool *ret_unlisted);

/* Quick mode: every module the checks need is already loadable from what
 * was read (index files, module files, soft dependencies).  "Missing" can
 * only be decided at the end of the image. */
static bool facts_complete(struct scan *s)
{
        const struct xp_image *img = s->img;
        if (!s->q->quick || img->n_versions != 1 || !s->dirty)
                return false;
        s->dirty = false;
        for (int i = 0; i < _IDX_MAX; i++)
                if (!s->index[0][i].have)
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
        for (int w = 0; w < _WANT_MAX; w++)
                if (s->ko_name[w][0] && !s->ko[w].have && !s->ko[w].too_big)
                        return false;
        return true;
}

struct reader {
        int fd;
        uint8_t *buf;
        size_t start, end;
        uint64_t base; /* file offset of buf[0] */
        bool eof;
};

static int fill(struct reader *rd)
{
        if (rd->start > 0) {
                memmove(rd->buf, rd->buf + rd->start, rd->end - rd->start);
                rd->base += rd->start;
                rd->end -= rd->start;
                rd->start = 0;
        }
        while (!rd->eof && rd->end < READ_CHUNK) {
                ssize_t n = read(rd->fd, rd->buf + rd->end, READ_CHUNK - rd->end);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        rd->eof = true;
                rd->end += (size_t)n;
        }
        return 0;
}

static int sink(void *ud, const uint8_t *p, size_t n)
{
        struct scan *s = ud;
        size_t used;
        int r = xp_cpio_feed(&s->cpio, p, n, false, &used);
        if (r < 0)
                return r;
        return facts_complete(s) ? 1 : 0;
}

_printf_(3, 4) static int damaged(struct scan *s, int err, const char *fmt, ...)
{
        struct xp_image *img = s->img;
        char msg[384];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        free(img->error_msg);
        if (asprintf(&img->error_msg, "%s: %s", img->path, msg) < 0) {
                img->error_msg = NULL;
                return -ENOMEM;
        }
        img->error = err;
        return 0;
}

static unsigned decoder_threads(void)
{
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

static int read_image(struct scan *s, int fd)
{
        struct xp_image *img = s->img;
        struct reader rd = { .fd = fd };
        int r = 0;
        rd.buf = malloc(READ_CHUNK);
        if (!rd.buf)
                return -ENOMEM;
        xp_cpio_init(&s->cpio, &scan_ops, s);

        for (;;) {
                if (rd.end - rd.start < 8 && !rd.eof && (r = fill(&rd)) < 0) {
                        r = damaged(s, r, "read error at byte %llu: %s",
                                    (unsigned long long)(rd.base + rd.start), strerror(-r));
                        break;
                }
                /* zeros between members, as the kernel skips them */
                while (rd.start < rd.end && rd.buf[rd.start] == 0)
                        rd.start++;
                if (rd.start == rd.end) {
                        if (rd.eof) {
                                img->complete = true;
                                break;
                        }
                        continue;
                }
                uint64_t off = rd.base + rd.start;
                enum xp_comp c = xp_comp_detect(rd.buf + rd.start, rd.end - rd.start);
                if (img->n_seg == XP_IMAGE_MAX_SEGMENTS) {
                        r = damaged(s, -E2BIG, "more than %d segments at byte %llu", XP_IMAGE_MAX_SEGMENTS,
                                    (unsigned long long)off);
                        break;
                }
                struct xp_image_segment *seg = &img->seg[img->n_seg++];
                seg->offset = off;
                seg->comp = c;
                uint64_t entries0 = s->cpio.entries;
                xp_cpio_restart(&s->cpio);
                if (c == XP_COMP_UNKNOWN || c == XP_COMP_LZO || c == XP_COMP_LZ4_FRAME) {
                        const char *why = c == XP_COMP_LZO ? "lzop-compressed member: not supported by xenprobe "
                                                             "(rebuild the image with gzip, xz or zstd to verify it)"
                                          : c == XP_COMP_LZ4_FRAME
                                                  ? "LZ4 frame format: the kernel only unpacks legacy lz4 "
                                                    "(lz4 -l), this image does not boot"
                                          : img->n_seg == 1 ? "not an initramfs (no cpio or known compression magic)"
                                                            : "junk after the last member (the kernel stops with "
                                                              "\"invalid magic at start of compressed archive\")";
                        r = damaged(s, c == XP_COMP_LZO ? -EOPNOTSUPP : -EBADMSG, "segment %zu at byte %llu: %s",
                                    img->n_seg, (unsigned long long)off, why);
                        break;
                }
                if (c == XP_COMP_NONE) {
                        if (off & 3) {
                                r = damaged(s, -EBADMSG,
                                            "segment %zu at byte %llu: cpio not on a 4-byte boundary (the kernel reports broken padding)",
                                            img->n_seg, (unsigned long long)off);
                                break;
                        }
                        /* uncompressed entries up to the next member */
                        int cr = 0;
                        for (;;) {
                                size_t used = 0;
                                cr = xp_cpio_feed(&s->cpio, rd.buf + rd.start, rd.end - rd.start, true, &used);
                                rd.start += used;
                                if (cr != 0)
                                        break;
                                if (s->q->quick && facts_complete(s)) {
                                        cr = 2;
                                        break;
                                }
                                if (rd.eof)
                                        break;
                                if ((r = fill(&rd)) < 0)
                                        break;
                        }
                        seg->length = rd.base + rd.start - off;
                        seg->out_bytes = seg->length;
                        seg->entries = s->cpio.entries - entries0;
                        if (r < 0) {
                                r = damaged(s, r, "read error in segment %zu: %s", img->n_seg, strerror(-r));
                                break;
                        }
                        if (cr < 0) {
                                r = cr == -EBADMSG ? damaged(s, cr, "segment %zu (cpio) at byte %llu: %s", img->n_seg,
                                                             (unsigned long long)off, xp_cpio_error(&s->cpio))
                                                   : cr;
                                break;
                        }
                        if (cr == 2)
                                break;
                        if (cr == 0 && !xp_cpio_at_boundary(&s->cpio)) {
                                r = damaged(s, -EPIPE, "segment %zu (cpio) at byte %llu: truncated inside an entry",
                                            img->n_seg, (unsigned long long)off);
                                break;
                        }
                        continue;
                }

                struct xp_decoder *d = NULL;
                r = xp_decoder_new(s->ctx, c, c != XP_COMP_XZ ? 1 : s->q->threads ? s->q->threads : decoder_threads(), &d);
                if (r < 0) {
                        r = damaged(s, r, "segment %zu at byte %llu: cannot decode %s (%s)", img->n_seg,
                                    (unsigned long long)off, xp_comp_to_string(c),
                                    r == -EOPNOTSUPP ? "library not available" : strerror(-r));
                        break;
                }
                int dr = 0;
                for (;;) {
                        size_t used = 0;
                        dr = xp_decoder_feed(d, rd.buf + rd.start, rd.end - rd.start, &used, sink, s);
                        rd.start += used;
                        if (dr != 0)
                                break;
                        if (rd.eof) {
                                dr = xp_decoder_eof(d, sink, s);
                                break;
                        }
                        if ((r = fill(&rd)) < 0)
                                break;
                }
                seg->length = rd.base + rd.start - off;
                seg->out_bytes = xp_decoder_out_bytes(d);
                seg->entries = s->cpio.entries - entries0;
                if (r < 0)
                        r = damaged(s, r, "read error in segment %zu: %s", img->n_seg, strerror(-r));
                else if (dr == -EBADMSG && s->cpio.error[0])
                        r = damaged(s, dr, "segment %zu (%s) at byte %llu: %s", img->n_seg, xp_comp_to_string(c),
                                    (unsigned long long)off, xp_cpio_error(&s->cpio));
                else if (dr == -EBADMSG || dr == -EPIPE)
                        r = damaged(s, dr, "segment %zu (%s) at byte %llu, %llu bytes in: %s", img->n_seg,
                                    xp_comp_to_string(c), (unsigned long long)off,
                                    (unsigned long long)seg->length, xp_decoder_error(d));
                else if (dr < 0)
                        r = dr;
                else if (dr == 1 && !xp_cpio_at_boundary(&s->cpio))
                        r = damaged(s, -EPIPE, "segment %zu (%s) at byte %llu: the archive ends inside an entry",
                                    img->n_seg, xp_comp_to_string(c), (unsigned long long)off);
                xp_decoder_free(d);
                if (r < 0 || img->error || dr == 2)
                        break;
        }
        img->bytes_read = rd.base + rd.start;
        free(rd.buf);
        if (r == 0 && s->hostile && !img->error)
                r = damaged(s, -EBADMSG, "%u entr%s with \"..\" in the name (first: \"%s\"): not a generator's image",
                            s->hostile, s->hostile == 1 ? "y" : "ies", s->hostile_name);
        if (r == 0 && s->files_overflow)
                r = damaged(s, -E2BIG, "more than %d module files", MAX_MODFILES);
        if (r == 0 && img->n_seg == 0 && !img->error)
                r = damaged(s, -ENODATA, "empty image (zero bytes or only padding)");
        return r < 0 && r != -ENOMEM ? 0 : r;
}

/* Module names that can provide filesystem TYPE. */
static void fs_modules(const char *type, char out[3][32])
{
        memset(out, 0, 3 * 32);
        if (!type)
                return;
        snprintf(out[0], 32, "%s", type);
        normalize(out[0]);
        /* ext2/ext3 are served by ext4 when the kernel has EXT4_USE_FOR_EXT2 */
        if (strcmp(type, "ext2") == 0 || strcmp(type, "ext3") == 0)
                snprintf(out[1], 32, "ext4");
        else if (strcmp(type, "nfs4") == 0)
                snprintf(out[0], 32, "nfsv4");
}

static int open_image(struct xp_root *root, const char *path, struct stat *st)
{
        int fd;
        if (root)
                fd = xp_root_open_file(root, path);
        else
                fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return root ? fd : -errno;
        if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
                int e = S_ISDIR(st->st_mode) ? -EISDIR : -EINVAL;
                close(fd);
                return e;
        }
        /* regular file: drop O_NONBLOCK */
        int fl = fcntl(fd, F_GETFL);
        if (fl >= 0)
                (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
        return fd;
}

int xp_image_check(struct xp_ctx *ctx, struct xp_root *root, const char *path,
                   const struct xp_image_query *q, struct xp_image **ret)
{
        struct xp_image *img = calloc(1, sizeof(*img));
        struct scan *s = calloc(1, sizeof(*s));
        int r = -ENOMEM;
        if (!img || !s)
                goto out;
        img->path = strdup(path);
        if (!img->path)
                goto out;
        s->ctx = ctx;
        s->img = img;
        s->q = q;
        fs_modules(q->fstype, s->fsmod);

        struct stat st = { 0 };
        int fd = open_image(root, path, &st);
        if (fd < 0) {
                r = damaged(s, fd, "cannot open: %s", fd == -EINVAL ? "not a regular file" : strerror(-fd));
        } else {
                img->size = (uint64_t)st.st_size;
                r = read_image(s, fd);
                close(fd);
        }
        if (r == 0)
                r = evaluate(s);
out:
        if (s) {
                for (size_t i = 0; i < s->n_files; i++)
                        free(s->files[i].rel);
                free(s->files);
                for (int k = 0; k < XP_IMAGE_MAX_KVERS; k++)
                        for (int i = 0; i < _IDX_MAX; i++)
                                free(s->index[k][i].data);
                for (int i = 0; i < _WANT_MAX; i++)
                        free(s->ko[i].data);
                free(s);
        }
        if (r < 0) {
                xp_image_free(img);
                return r;
        }
        *ret = img;
        return 0;
}
