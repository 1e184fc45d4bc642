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

#include <ctype.h>
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
#define INDEX_MAX (8u << 20)   /* modules.alias of a full image: ~1.5 MiB */
#define KO_MAX (32u << 20)     /* the largest in-tree module is ~20 MiB */
#define CAPTURE_TOTAL_MAX (48u << 20)
/* real images are 5-100 MiB and unpack to < 1 GiB: beyond these a
 * planted sparse file or a decompression bomb only costs time */
#define IMAGE_SIZE_MAX (2ull << 30)
#define UNPACKED_MAX (4ull << 30)
#define MAX_THREADS 4

static const char *const index_names[_XP_IDX_MAX] = {
        "modules.dep", "modules.builtin", "modules.softdep", "modules.alias", "modules.builtin.modinfo",
};

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


/* ----------------------------------------------------------- the walker */

static int kver_index(struct xp_scan *s, const char *v, size_t len)
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

static bool is_wanted(struct xp_scan *s, const char *name, int *which)
{
        if (strcmp(name, "xen_blkfront") == 0) {
                *which = XP_WANT_BLKFRONT;
                return true;
        }
        if (strcmp(name, "xen_netfront") == 0) {
                *which = XP_WANT_NETFRONT;
                return true;
        }
        for (int i = 0; i < 3; i++)
                if (s->fsmod[i][0] && strcmp(name, s->fsmod[i]) == 0) {
                        *which = XP_WANT_FS;
                        return true;
                }
        return false;
}

/* Keep the data of the entry being announced.  A later entry of the same
 * name replaces an earlier one, as it does in the kernel's rootfs.  Memory
 * follows the bytes that really arrive, never the size a header declares,
 * with a cap per file and one for the whole image. */
static int capture(struct xp_scan *s, struct xp_buf *b, uint32_t size, size_t max)
{
        if (b->have)
                s->captured -= b->len;
        free(b->data);
        *b = (struct xp_buf){ 0 };
        if (size > max || s->captured + size > CAPTURE_TOTAL_MAX) {
                b->too_big = true;
                return 0;
        }
        b->want = size;
        b->seg = (unsigned)s->img->n_seg;
        s->cur = b;
        return 1;
}

static int on_entry(void *ud, const struct xp_cpio_entry *e)
{
        struct xp_scan *s = ud;
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
        s->last_file = SIZE_MAX;

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
        /* newc hard links: every name but the last has size 0 and no data */
        bool placeholder = e->nlink > 1 && e->filesize == 0;
        for (int i = 0; i < _XP_IDX_MAX; i++)
                if (strcmp(rel, index_names[i]) == 0)
                        return placeholder ? 0 : capture(s, &s->index[kv][i], e->filesize, INDEX_MAX);

        const char *base = strrchr(rel, '/');
        base = base ? base + 1 : rel;
        char name[64];
        if (!xp_module_name(base, name, sizeof(name)))
                return 0;
        if (s->n_files == MAX_MODFILES) {
                s->files_overflow = true;
                return 0;
        }
        if (xp_grow(&s->files, &s->cap_files, s->n_files, sizeof(*s->files), 256) < 0)
                return -ENOMEM;
        struct xp_modfile *f = &s->files[s->n_files];
        f->rel = strdup(rel);
        if (!f->rel)
                return -ENOMEM;
        f->kv = (unsigned)kv;
        snprintf(f->name, sizeof(f->name), "%s", name);
        f->seg = (unsigned)s->img->n_seg;
        f->cut = false;
        s->last_file = s->n_files++;
        s->dirty = true;
        int w;
        if (!placeholder && is_wanted(s, name, &w) && !s->ko[w].have) {
                snprintf(s->ko_name[w], sizeof(s->ko_name[w]), "%s", rel);
                return capture(s, &s->ko[w], e->filesize, KO_MAX);
        }
        return 0;
}

static int on_data(void *ud, const uint8_t *p, size_t n)
{
        struct xp_scan *s = ud;
        struct xp_buf *b = s->cur;
        if (!b)
                return 0;
        if (n > b->want - b->len)
                n = b->want - b->len;
        if (b->len + n + 1 > b->cap) {
                size_t cap = b->cap ? b->cap : 64 * 1024;
                while (cap < b->len + n + 1)
                        cap *= 2;
                if (cap > b->want + 1)
                        cap = b->want + 1;
                uint8_t *d = realloc(b->data, cap);
                if (!d)
                        return -ENOMEM;
                b->data = d;
                b->cap = cap;
        }
        memcpy(b->data + b->len, p, n);
        b->len += n;
        s->captured += n;
        return 0;
}

static int on_done(void *ud)
{
        struct xp_scan *s = ud;
        if (s->cur) {
                if (!s->cur->data && !(s->cur->data = malloc(1)))
                        return -ENOMEM;
                s->cur->data[s->cur->len] = '\0';
                s->cur->have = true;
                s->dirty = true;
        }
        s->cur = NULL;
        return 0;
}

static const struct xp_cpio_ops scan_ops = { on_entry, on_data, on_done };


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
        struct xp_scan *s = ud;
        size_t used;
        s->unpacked += n;
        if (s->unpacked > UNPACKED_MAX)
                return -EFBIG;
        int r = xp_cpio_feed(&s->cpio, p, n, false, &used);
        if (r < 0)
                return r;
        return xp_scan_facts_complete(s) ? 1 : 0;
}

static int vdamaged(struct xp_scan *s, int err, const char *fmt, va_list ap)
{
        struct xp_image *img = s->img;
        char msg[384];
        vsnprintf(msg, sizeof(msg), fmt, ap);
        if (err == -ENOMEM)
                xp_note_enomem(); /* the image is not damaged: the boot probe must not say so */
        free(img->error_msg);
        if (asprintf(&img->error_msg, "%s: %s", img->path, msg) < 0) {
                img->error_msg = NULL;
                return -ENOMEM;
        }
        img->error = err;
        return 0;
}

/* The image is damaged here, or beyond what this reader takes: nothing
 * after it is known and nothing read before it is trusted. */
_printf_(3, 4) static int damaged(struct xp_scan *s, int err, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = vdamaged(s, err, fmt, ap);
        va_end(ap);
        return r;
}

/* The first error of the image, where the kernel's unpacker ends as STOP
 * says, printing "Initramfs unpacking failed: KMSG" (NULL: nothing, or a
 * message that cannot be told in advance).  A file whose data the error
 * cuts is written short by the kernel: it counts as not unpacked. */
_printf_(5, 6) static int kernel_stops(struct xp_scan *s, enum xp_unpack_stop stop, const char *kmsg, int err,
                                       const char *fmt, ...)
{
        struct xp_image *img = s->img;
        va_list ap;
        va_start(ap, fmt);
        int r = vdamaged(s, err, fmt, ap);
        va_end(ap);
        img->stop = stop;
        img->stop_seg = img->n_seg;
        snprintf(img->kernel_msg, sizeof(img->kernel_msg), "%s", kmsg ? kmsg : "");
        img->stop_offset = img->n_seg ? img->seg[img->n_seg - 1].offset : 0;
        if (!xp_cpio_at_boundary(&s->cpio) && s->last_file < s->n_files)
                s->files[s->last_file].cut = true;
        return r;
}

static unsigned decoder_threads(void)
{
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

/*
 * The segment readers below return 1 to go on to the next member, 0 to
 * stop (the image ended, is damaged and damaged() said so, or quick mode
 * knows enough) and -errno to stop on an error of our own.
 */

/* Skip the zeros before the next member and read on until its magic is in
 * the buffer: 1 when a member starts at rd->start. */
static int next_member(struct xp_scan *s, struct reader *rd)
{
        int r;
        for (;;) {
                if (rd->end - rd->start < 8 && !rd->eof && (r = fill(rd)) < 0)
                        return damaged(s, r, "read error at byte %llu: %s",
                                       (unsigned long long)(rd->base + rd->start), strerror(-r));
                /* zeros between members, as the kernel skips them */
                while (rd->start < rd->end && rd->buf[rd->start] == 0)
                        rd->start++;
                if (rd->start == rd->end) {
                        if (rd->eof) {
                                s->img->complete = true;
                                return 0;
                        }
                        continue;
                }
                /* a magic split by the end of the buffer: read on first */
                if (rd->end - rd->start < 8 && !rd->eof)
                        continue;
                return 1;
        }
}

/* Record the member at rd->start as a new segment in *RET, or say why the
 * kernel would not unpack it. */
static int new_segment(struct xp_scan *s, struct reader *rd, struct xp_image_segment **ret)
{
        struct xp_image *img = s->img;
        uint64_t off = rd->base + rd->start;
        enum xp_comp c = xp_comp_detect(rd->buf + rd->start, rd->end - rd->start);
        if (img->n_seg == XP_IMAGE_MAX_SEGMENTS)
                return damaged(s, -E2BIG, "more than %d segments at byte %llu", XP_IMAGE_MAX_SEGMENTS,
                               (unsigned long long)off);
        struct xp_image_segment *seg = &img->seg[img->n_seg++];
        seg->offset = off;
        seg->comp = c;
        xp_cpio_restart(&s->cpio);
        if (c == XP_COMP_UNKNOWN || c == XP_COMP_LZ4_FRAME) {
                const char *why = c == XP_COMP_LZ4_FRAME
                                          ? "LZ4 frame format: the kernel only unpacks legacy lz4 "
                                            "(lz4 -l), this image does not boot"
                                  : img->n_seg == 1 ? "not an initramfs (no cpio or known compression magic)"
                                                    : "junk after the last member (the kernel stops with "
                                                      "\"invalid magic at start of compressed archive\")";
                /* decompress_method() knows no such magic */
                return kernel_stops(s, XP_STOP_KERNEL, "invalid magic at start of compressed archive", -EBADMSG,
                                    "segment %zu at byte %llu: %s", img->n_seg, (unsigned long long)off, why);
        }
        /* the paired kernel's decompress_method() knows the magic but has
         * no decompressor for it, or predates the method */
        unsigned bit = 1u << c;
        if ((s->q->rd_unset | s->q->rd_unknown) & bit) {
                bool unset = s->q->rd_unset & bit;
                const char *name = c == XP_COMP_LZO ? "lzo" : xp_comp_to_string(c);
                char kmsg[64];
                snprintf(kmsg, sizeof(kmsg), "compression method %s not configured", name);
                char up[16], why[96];
                snprintf(up, sizeof(up), "%s", name);
                for (char *p = up; *p; p++)
                        *p = (char)toupper((unsigned char)*p);
                snprintf(why, sizeof(why), unset ? "CONFIG_RD_%s is not set" : "no CONFIG_RD_%s: the method is newer "
                                                                               "than the kernel", up);
                int r = kernel_stops(s, XP_STOP_KERNEL, unset ? kmsg : "invalid magic at start of compressed archive",
                                     -ENOEXEC, "segment %zu at byte %llu: %s-compressed, and kernel %s cannot decompress it "
                                     "(%s: %s)", img->n_seg, (unsigned long long)off, name,
                                     s->q->kernel_version ? s->q->kernel_version : "?",
                                     s->q->config_path && s->q->config_path[0] ? s->q->config_path : "its config", why);
                img->stop_comp = c;
                return r;
        }
        *ret = seg;
        return 1;
}

/* Uncompressed cpio entries, up to the next member. */
static int read_raw_segment(struct xp_scan *s, struct reader *rd, struct xp_image_segment *seg)
{
        struct xp_image *img = s->img;
        uint64_t off = seg->offset, entries0 = s->cpio.entries;
        int r = 0, cr = 0;
        /* unpack_to_rootfs() takes a '0' for cpio only on a 4-byte boundary,
         * and else looks for a compression magic */
        if (off & 3)
                return kernel_stops(s, XP_STOP_KERNEL, "invalid magic at start of compressed archive", -EBADMSG,
                                    "segment %zu at byte %llu: cpio not on a 4-byte boundary", img->n_seg,
                                    (unsigned long long)off);
        for (;;) {
                size_t used = 0;
                cr = xp_cpio_feed(&s->cpio, rd->buf + rd->start, rd->end - rd->start, true, &used);
                rd->start += used;
                if (cr != 0)
                        break;
                if (s->q->quick && xp_scan_facts_complete(s)) {
                        cr = 2;
                        break;
                }
                if (rd->eof)
                        break;
                if ((r = fill(rd)) < 0)
                        break;
        }
        seg->length = rd->base + rd->start - off;
        seg->out_bytes = seg->length;
        seg->entries = s->cpio.entries - entries0;
        if (r < 0)
                return damaged(s, r, "read error in segment %zu: %s", img->n_seg, strerror(-r));
        if (cr < 0)
                return cr == -EBADMSG ? kernel_stops(s, XP_STOP_KERNEL, NULL, cr, "segment %zu (cpio) at byte %llu: %s",
                                                     img->n_seg, (unsigned long long)off, xp_cpio_error(&s->cpio))
                                      : cr;
        if (cr == 2)
                return 0;
        /* the kernel writes the cut file short and ends without a word */
        if (cr == 0 && !xp_cpio_at_boundary(&s->cpio))
                return kernel_stops(s, XP_STOP_KERNEL, NULL, -EPIPE, "segment %zu (cpio) at byte %llu: truncated inside an entry",
                                    img->n_seg, (unsigned long long)off);
        /* every generator ends an archive with TRAILER!!!: cut at an
         * entry boundary */
        if (cr == 0 && s->cpio.in_archive)
                return kernel_stops(s, XP_STOP_KERNEL, NULL, -EPIPE,
                                    "segment %zu (cpio) at byte %llu: ends without TRAILER!!! (truncated)", img->n_seg,
                                    (unsigned long long)off);
        return 1;
}

/* How a compressed segment ended, R being a read error and DR the
 * decoder's result: damaged() for what breaks the image, DR's own -errno,
 * or 0. */
static int judge_decoded(struct xp_scan *s, const struct xp_image_segment *seg, const struct xp_decoder *d,
                         int r, int dr)
{
        struct xp_image *img = s->img;
        const char *comp = xp_comp_to_string(seg->comp);
        unsigned long long off = seg->offset;
        if (r < 0)
                return damaged(s, r, "read error in segment %zu: %s", img->n_seg, strerror(-r));
        /* flush_buffer(): decoded bytes that are not cpio */
        if (dr == -EBADMSG && s->cpio.error[0])
                return kernel_stops(s, XP_STOP_SUSPECT, "junk within compressed archive", dr,
                                    "segment %zu (%s) at byte %llu: %s", img->n_seg, comp, off, xp_cpio_error(&s->cpio));
        if (dr == -EFBIG)
                return damaged(s, dr, "segment %zu (%s) at byte %llu: unpacks to more than %llu GiB: not a real initramfs",
                               img->n_seg, comp, off, UNPACKED_MAX >> 30);
        if (dr == -EBADMSG || dr == -EPIPE) {
                const char *e = xp_decoder_error(d);
                /* lib/decompress_inflate.c skips the gzip trailer unread: a
                 * wrong CRC32 or length stops nothing in the kernel */
                bool trailer = seg->comp == XP_COMP_GZIP && (strstr(e, "incorrect data check") ||
                                                             strstr(e, "incorrect length check"));
                return kernel_stops(s, trailer ? XP_STOP_SUSPECT_ON : XP_STOP_SUSPECT,
                                    trailer ? "" : dr == -EPIPE && seg->comp == XP_COMP_GZIP ? "read error" : NULL, dr,
                                    "segment %zu (%s) at byte %llu, %llu bytes in: %s", img->n_seg, comp, off,
                                    (unsigned long long)seg->length, e);
        }
        if (dr < 0)
                return dr;
        /* unpack_to_rootfs(): state != Reset after the member */
        if (dr == 1 && !xp_cpio_at_boundary(&s->cpio))
                return kernel_stops(s, XP_STOP_KERNEL, "junk at the end of compressed archive", -EPIPE,
                                    "segment %zu (%s) at byte %llu: the archive ends inside an entry", img->n_seg, comp,
                                    off);
        return 0;
}

/* A compressed member, decoded to its exact end, its output walked as cpio. */
static int read_compressed_segment(struct xp_scan *s, struct reader *rd, struct xp_image_segment *seg)
{
        struct xp_image *img = s->img;
        enum xp_comp c = (enum xp_comp)seg->comp;
        uint64_t off = seg->offset, entries0 = s->cpio.entries;
        struct xp_decoder *d = NULL;
        int r = xp_decoder_new(s->ctx, c, c != XP_COMP_XZ ? 1 : s->q->threads ? s->q->threads : decoder_threads(), &d);
        if (r < 0)
                return damaged(s, r, "segment %zu at byte %llu: cannot decode %s (%s)", img->n_seg,
                               (unsigned long long)off, xp_comp_to_string(c),
                               r == -EOPNOTSUPP ? "library not available" : strerror(-r));
        int dr = 0;
        for (;;) {
                size_t used = 0;
                dr = xp_decoder_feed(d, rd->buf + rd->start, rd->end - rd->start, &used, sink, s);
                rd->start += used;
                if (dr != 0)
                        break;
                if (rd->eof) {
                        dr = xp_decoder_eof(d, sink, s);
                        break;
                }
                if ((r = fill(rd)) < 0)
                        break;
        }
        seg->length = rd->base + rd->start - off;
        seg->out_bytes = xp_decoder_out_bytes(d);
        seg->entries = s->cpio.entries - entries0;
        r = judge_decoded(s, seg, d, r, dr);
        xp_decoder_free(d);
        return r < 0 ? r : img->error || dr == 2 ? 0 : 1;
}

/* After the walk: what only the whole image can tell. */
static int judge_image(struct xp_scan *s, int r)
{
        struct xp_image *img = s->img;
        if (img->error)
                img->complete = false;
        /* names a generator never writes: nothing of it is trusted */
        if (s->hostile)
                img->stop = XP_STOP_OURS;
        if (r == 0 && s->hostile && !img->error)
                r = damaged(s, -EBADMSG, "%u entr%s with \"..\" in the name (first: \"%s\"): not a generator's image",
                            s->hostile, s->hostile == 1 ? "y" : "ies", s->hostile_name);
        if (r == 0 && s->files_overflow)
                r = damaged(s, -E2BIG, "more than %d module files", MAX_MODFILES);
        if (r == 0 && img->n_seg == 0 && !img->error)
                r = damaged(s, -ENODATA, "empty image (zero bytes or only padding)");
        return r < 0 && r != -ENOMEM ? 0 : r;
}

/* One pass over the image, member after member, as unpack_to_rootfs(). */
static int read_image(struct xp_scan *s, int fd)
{
        struct reader rd = { .fd = fd };
        int r;
        rd.buf = malloc(READ_CHUNK);
        if (!rd.buf)
                return -ENOMEM;
        xp_cpio_init(&s->cpio, &scan_ops, s);
        for (;;) {
                struct xp_image_segment *seg = NULL;
                if ((r = next_member(s, &rd)) <= 0 || (r = new_segment(s, &rd, &seg)) <= 0)
                        break;
                r = seg->comp == XP_COMP_NONE ? read_raw_segment(s, &rd, seg) : read_compressed_segment(s, &rd, seg);
                if (r <= 0)
                        break;
        }
        s->img->bytes_read = rd.base + rd.start;
        free(rd.buf);
        return judge_image(s, r);
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
        struct xp_scan *s = calloc(1, sizeof(*s));
        int r = -ENOMEM;
        if (!img || !s)
                goto out;
        img->path = strdup(path);
        if (!img->path)
                goto out;
        s->ctx = ctx;
        s->img = img;
        s->q = q;
        s->last_file = SIZE_MAX;
        xp_fs_modules(q->fstype, s->fsmod);

        struct stat st = { 0 };
        int fd = open_image(root, path, &st);
        if (fd < 0) {
                r = damaged(s, fd, "cannot open: %s", fd == -EINVAL ? "not a regular file" : strerror(-fd));
        } else {
                img->size = (uint64_t)st.st_size;
                if (img->size > IMAGE_SIZE_MAX)
                        r = damaged(s, -EFBIG, "%llu bytes: larger than any initramfs (limit %llu GiB)",
                                    (unsigned long long)img->size, IMAGE_SIZE_MAX >> 30);
                else
                        r = read_image(s, fd);
                close(fd);
        }
        if (img->error)
                img->complete = false;
        if (r == 0)
                r = xp_scan_evaluate(s);
out:
        if (s) {
                for (size_t i = 0; i < s->n_files; i++)
                        free(s->files[i].rel);
                free(s->files);
                for (int k = 0; k < XP_IMAGE_MAX_KVERS; k++)
                        for (int i = 0; i < _XP_IDX_MAX; i++)
                                free(s->index[k][i].data);
                for (int i = 0; i < _XP_WANT_MAX; i++)
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
