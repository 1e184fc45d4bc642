/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Xen ELF notes of an installed kernel image: what Xen itself decides
 * PV and PVH capability from.  Its loader (xen/common/libelf/libelf-dominfo.c,
 * elf_xen_parse: the PT_NOTE segments, notes of name "Xen") refuses a PVH
 * guest without XEN_ELFNOTE_PHYS32_ENTRY (tools/libs/guest/xg_dom_elfloader.c,
 * xc_dom_guest_type) and a PV guest without GUEST_OS "linux" or LOADER
 * "generic" and XEN_VERSION "xen-3.0" (elf_xen_note_check); Linux emits
 * XEN_ELFNOTE_ENTRY, the PV entry point, only with CONFIG_XEN_PV
 * (arch/x86/xen/xen-head.S) and PHYS32_ENTRY only with CONFIG_XEN_PVH
 * (arch/x86/platform/pvh/head.S).
 *
 * The image is an x86 bzImage (the setup header of arch/x86/boot/header.S:
 * "HdrS" at 0x202, protocol >= 2.08 for payload_offset at 0x248 and
 * payload_length at 0x24c, the payload at (setup_sects + 1) * 512 +
 * payload_offset), a compressed ELF (2.6.18-era xenlinux vmlinuz) or a
 * plain ELF vmlinux.  The payload is decoded with the initramfs decoders
 * (decompress.c) and decoding stops once the note segment has gone by:
 * vmlinux is 30-70 MB, its notes lie about a third in.  Every offset and
 * size is the image's, so each is bounded before it is used.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "initrd.h"

#define HEAD_MAX (64u * 1024u)       /* the ELF and program headers lie here */
#define MAX_PHNUM 128u
#define MAX_NOTE_SEGS 8u
#define NOTE_SEG_MAX (256u * 1024u)  /* one PT_NOTE segment; vmlinux's is ~0.5 KiB */
#define ELF_MAX (512ull << 20)       /* decoded bytes before giving up */
#define IN_CHUNK (256u * 1024u)
#define PT_NOTE_ 4u

/* xen/include/public/elfnote.h */
enum {
        NOTE_ENTRY = 1,
        NOTE_HYPERCALL_PAGE = 2,
        NOTE_XEN_VERSION = 5,
        NOTE_GUEST_OS = 6,
        NOTE_LOADER = 8,
        NOTE_FEATURES = 10,
        NOTE_SUPPORTED_FEATURES = 17,
        NOTE_PHYS32_ENTRY = 18,
};

struct seg {
        uint64_t off, len;
        uint8_t *buf;
};

/* The ELF as it streams by: its first HEAD_MAX bytes, then the bytes of
 * each PT_NOTE segment. */
struct collector {
        struct xp_kernel_notes *n;
        uint8_t head[HEAD_MAX];
        size_t head_len;
        bool parsed, done, big_endian;
        struct seg seg[MAX_NOTE_SEGS];
        size_t n_seg;
        uint64_t end; /* past the last note segment */
};

_printf_(3, 4) static int bad(struct xp_kernel_notes *n, int err, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(n->error, sizeof(n->error), fmt, ap);
        va_end(ap);
        n->status = XP_NOTES_ERROR;
        return err;
}

static uint64_t rd(const struct collector *c, const uint8_t *p, unsigned size)
{
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++)
                v |= (uint64_t)p[c->big_endian ? i : size - 1 - i] << (8 * (size - 1 - i));
        return v;
}

static void collector_free(struct collector *c)
{
        for (size_t i = 0; i < c->n_seg; i++)
                free(c->seg[i].buf);
        free(c);
}

/* Bytes [AT, AT+LEN) of the ELF into the segments they overlap. */
static void copy_into(struct collector *c, uint64_t at, const uint8_t *p, size_t len)
{
        for (size_t i = 0; i < c->n_seg; i++) {
                struct seg *s = &c->seg[i];
                uint64_t lo = at > s->off ? at : s->off;
                uint64_t hi = at + len < s->off + s->len ? at + len : s->off + s->len;
                if (lo < hi)
                        memcpy(s->buf + (lo - s->off), p + (lo - at), (size_t)(hi - lo));
        }
}

static int add_segment(struct collector *c, uint64_t off, uint64_t len)
{
        struct xp_kernel_notes *n = c->n;
        if (len == 0)
                return 0;
        if (len > NOTE_SEG_MAX || off > ELF_MAX)
                return bad(n, -EBADMSG, "PT_NOTE segment of %llu bytes at %llu: beyond any kernel's (at most %u bytes, "
                           "within the first %llu MiB)", (unsigned long long)len, (unsigned long long)off,
                           NOTE_SEG_MAX, ELF_MAX >> 20);
        if (c->n_seg == MAX_NOTE_SEGS)
                return bad(n, -EBADMSG, "more than %u PT_NOTE segments: not a kernel's ELF", MAX_NOTE_SEGS);
        uint8_t *b = calloc(1, (size_t)len);
        if (!b)
                return -ENOMEM;
        c->seg[c->n_seg++] = (struct seg){ off, len, b };
        if (off + len > c->end)
                c->end = off + len;
        return 0;
}

/* The ELF header and program headers from the head: 0 parsed, 1 more
 * bytes needed, -errno. */
static int parse_headers(struct collector *c)
{
        struct xp_kernel_notes *n = c->n;
        const uint8_t *p = c->head;
        if (c->head_len < 16)
                return 1;
        if (memcmp(p, "\177ELF", 4) != 0)
                return bad(n, -EBADMSG, "no ELF magic at the start of the vmlinux (%02x %02x %02x %02x)", p[0], p[1],
                           p[2], p[3]);
        if ((p[4] != 1 && p[4] != 2) || (p[5] != 1 && p[5] != 2))
                return bad(n, -EBADMSG, "ELF class %u, data encoding %u: neither is valid", p[4], p[5]);
        bool e64 = p[4] == 2;
        c->big_endian = p[5] == 2;
        size_t ehsize = e64 ? 64 : 52;
        if (c->head_len < ehsize)
                return 1;
        n->elf_class = e64 ? 64 : 32;
        n->machine = (unsigned)rd(c, p + 18, 2);
        uint64_t phoff = e64 ? rd(c, p + 32, 8) : rd(c, p + 28, 4);
        unsigned entsize = (unsigned)rd(c, p + (e64 ? 54 : 42), 2);
        unsigned phnum = (unsigned)rd(c, p + (e64 ? 56 : 44), 2);
        if (entsize != (e64 ? 56u : 32u) || phnum == 0 || phnum > MAX_PHNUM)
                return bad(n, -EBADMSG, "%u program headers of %u bytes: not a kernel's ELF%d", phnum, entsize,
                           e64 ? 64 : 32);
        if (phoff < ehsize || phoff > HEAD_MAX || (uint64_t)phnum * entsize > HEAD_MAX - phoff)
                return bad(n, -EBADMSG, "program headers at offset %llu: outside the first %u KiB",
                           (unsigned long long)phoff, HEAD_MAX / 1024);
        if (c->head_len < phoff + (uint64_t)phnum * entsize)
                return 1;
        for (unsigned i = 0; i < phnum; i++) {
                const uint8_t *ph = p + phoff + (uint64_t)i * entsize;
                if (rd(c, ph, 4) != PT_NOTE_)
                        continue;
                uint64_t off = e64 ? rd(c, ph + 8, 8) : rd(c, ph + 4, 4);
                uint64_t len = e64 ? rd(c, ph + 32, 8) : rd(c, ph + 16, 4);
                int e = add_segment(c, off, len);
                if (e < 0)
                        return e;
        }
        c->parsed = true;
        copy_into(c, 0, c->head, c->head_len);
        return 0;
}

static void take_string(char *dst, size_t dlen, const uint8_t *desc, uint64_t descsz)
{
        /* Linux writes FEATURES with .ascii, its NUL in the note's
         * alignment padding (arch/x86/xen/xen-head.S); libelf reads it up
         * to that NUL: here up to the end of the note's data */
        const uint8_t *nul = memchr(desc, '\0', (size_t)descsz);
        size_t l = nul ? (size_t)(nul - desc) : (size_t)descsz, o = 0;
        for (size_t i = 0; i < l && o + 1 < dlen; i++)
                dst[o++] = desc[i] >= 0x20 && desc[i] < 0x7f ? (char)desc[i] : '?';
        dst[o] = '\0';
}

static void take_note(struct collector *c, unsigned type, const uint8_t *desc, uint64_t descsz)
{
        struct xp_kernel_notes *n = c->n;
        /* elf_note_numeric: 1, 2, 4 or 8 bytes, anything else reads as 0 */
        uint64_t v = descsz == 1 || descsz == 2 || descsz == 4 || descsz == 8 ? rd(c, desc, (unsigned)descsz) : 0;
        n->n_xen++;
        switch (type) {
        case NOTE_ENTRY:
                n->has_entry = true;
                n->entry = v;
                break;
        case NOTE_HYPERCALL_PAGE:
                n->has_hypercall_page = true;
                n->hypercall_page = v;
                break;
        case NOTE_PHYS32_ENTRY:
                n->has_phys32 = true;
                n->phys32_entry = v;
                break;
        case NOTE_SUPPORTED_FEATURES:
                n->has_supported = descsz >= 4 && descsz % 4 == 0;
                n->supported_features = n->has_supported ? (uint32_t)rd(c, desc, 4) : 0;
                break;
        case NOTE_XEN_VERSION:
                take_string(n->xen_version, sizeof(n->xen_version), desc, descsz);
                break;
        case NOTE_GUEST_OS:
                take_string(n->guest_os, sizeof(n->guest_os), desc, descsz);
                break;
        case NOTE_LOADER:
                take_string(n->loader, sizeof(n->loader), desc, descsz);
                break;
        case NOTE_FEATURES:
                take_string(n->features, sizeof(n->features), desc, descsz);
                break;
        default:
                break;
        }
}

/* Walk the notes of each segment (4-byte aligned, as libelf's
 * elf_note_next), taking those of name "Xen". */
static int parse_notes(struct collector *c)
{
        for (size_t i = 0; i < c->n_seg; i++) {
                const struct seg *s = &c->seg[i];
                uint64_t pos = 0;
                while (s->len - pos >= 12) {
                        const uint8_t *h = s->buf + pos;
                        uint64_t namesz = rd(c, h, 4), descsz = rd(c, h + 4, 4);
                        unsigned type = (unsigned)rd(c, h + 8, 4);
                        uint64_t name = pos + 12, desc = name + ((namesz + 3) & ~3ull);
                        uint64_t next = desc + ((descsz + 3) & ~3ull);
                        if (desc > s->len || descsz > s->len - desc)
                                return bad(c->n, -EBADMSG,
                                           "ELF note at offset %llu (name %llu, data %llu bytes) runs past the end of "
                                           "its PT_NOTE segment (%llu bytes at %llu)",
                                           (unsigned long long)(s->off + pos), (unsigned long long)namesz,
                                           (unsigned long long)descsz, (unsigned long long)s->len,
                                           (unsigned long long)s->off);
                        if (namesz == 4 && memcmp(s->buf + name, "Xen", 4) == 0)
                                take_note(c, type, s->buf + desc, descsz);
                        pos = next < s->len ? next : s->len;
                }
        }
        c->n->status = XP_NOTES_FOUND;
        return 0;
}

/* Bytes [AT, AT+LEN) of the ELF, in order from 0 for the head.  0 go on,
 * 1 done (the notes are read), -errno. */
static int collect(struct collector *c, uint64_t at, const uint8_t *p, size_t len)
{
        if (c->done)
                return 1;
        if (at <= c->head_len && at + len > c->head_len && c->head_len < HEAD_MAX) {
                size_t skip = (size_t)(c->head_len - at);
                size_t take = len - skip < HEAD_MAX - c->head_len ? len - skip : HEAD_MAX - c->head_len;
                memcpy(c->head + c->head_len, p + skip, take);
                c->head_len += take;
        }
        if (!c->parsed) {
                int e = parse_headers(c);
                if (e != 0)
                        return e < 0 ? e : 0;
        }
        copy_into(c, at, p, len);
        if (at + len < c->end)
                return 0;
        c->n->elf_bytes = at + len;
        c->done = true;
        int e = parse_notes(c);
        return e < 0 ? e : 1;
}

/* The stream ended (or the file did) before the notes were read. */
static int ended_early(struct collector *c, uint64_t total, const char *what)
{
        struct xp_kernel_notes *n = c->n;
        if (n->status == XP_NOTES_ERROR)
                return -EBADMSG;
        if (!c->parsed)
                return bad(n, -EBADMSG, "%s ends after %llu bytes, inside its ELF headers (truncated)", what,
                           (unsigned long long)total);
        return bad(n, -EBADMSG, "%s ends after %llu bytes, before its note segment (which ends at %llu): truncated",
                   what, (unsigned long long)total, (unsigned long long)c->end);
}

static struct collector *collector_new(struct xp_kernel_notes *n)
{
        struct collector *c = calloc(1, sizeof(*c));
        if (c)
                c->n = n;
        return c;
}

int xp_elf_notes_parse(const uint8_t *data, size_t len, struct xp_kernel_notes *n)
{
        memset(n, 0, sizeof(*n));
        snprintf(n->format, sizeof(n->format), "ELF");
        struct collector *c = collector_new(n);
        if (!c)
                return -ENOMEM;
        int e = collect(c, 0, data, len);
        if (e == 0 && c->parsed && c->n_seg == 0)
                e = parse_notes(c);
        else if (e == 0)
                e = ended_early(c, len, "the ELF");
        collector_free(c);
        return e < 0 ? e : 0;
}

/* --------------------------------------------------------------- reading */

/* A plain ELF vmlinux of SIZE bytes: its head, then each note segment. */
static int read_plain(struct collector *c, int fd, uint64_t size)
{
        size_t hl = size < HEAD_MAX ? (size_t)size : HEAD_MAX;
        uint8_t *h = malloc(HEAD_MAX);
        if (!h)
                return -ENOMEM;
        ssize_t r = pread(fd, h, hl, 0);
        int e = r == (ssize_t)hl ? collect(c, 0, h, hl)
                                 : bad(c->n, r < 0 ? -errno : -EIO, "reading its ELF header: %s",
                                       r < 0 ? strerror(errno) : "short read");
        free(h);
        if (e != 0)
                return e < 0 ? e : 0;
        if (!c->parsed)
                return ended_early(c, size, "the file");
        for (size_t i = 0; i < c->n_seg; i++) {
                struct seg *s = &c->seg[i];
                if (s->off > size || s->len > size - s->off)
                        return ended_early(c, size, "the file");
                r = pread(fd, s->buf, (size_t)s->len, (off_t)s->off);
                if (r != (ssize_t)s->len)
                        return bad(c->n, r < 0 ? -errno : -EIO, "reading its note segment at %llu: %s",
                                   (unsigned long long)s->off, r < 0 ? strerror(errno) : "short read");
        }
        c->n->elf_bytes = hl;
        c->done = true;
        return parse_notes(c);
}

struct stream {
        struct collector *c;
        uint64_t off;
};

static int stream_sink(void *ud, const uint8_t *p, size_t len)
{
        struct stream *s = ud;
        int e = collect(s->c, s->off, p, len);
        s->off += len;
        if (e == 0 && s->off > ELF_MAX)
                return bad(s->c->n, -EFBIG, "no note segment within the first %llu MiB of the decoded vmlinux",
                           ELF_MAX >> 20);
        return e;
}

/* Decode the member of format COMP at [START, START+LEN) of FD into the
 * collector until the notes have gone by. */
static int read_compressed(struct xp_ctx *ctx, struct collector *c, int fd, uint64_t start, uint64_t len,
                           enum xp_comp comp)
{
        struct xp_decoder *d = NULL;
        int e = xp_decoder_new(ctx, comp, 1, &d);
        if (e == -ENOMEM)
                return e;
        if (e < 0)
                return bad(c->n, e, "no %s decoder (its library is not installed)", xp_comp_to_string(comp));
        uint8_t *buf = malloc(IN_CHUNK);
        struct stream st = { c, 0 };
        uint64_t pos = 0;
        int dr = buf ? 0 : -ENOMEM;
        while (dr == 0 && pos < len) {
                size_t want = len - pos < IN_CHUNK ? (size_t)(len - pos) : IN_CHUNK, used = 0;
                ssize_t r = pread(fd, buf, want, (off_t)(start + pos));
                if (r <= 0) {
                        dr = bad(c->n, r < 0 ? -errno : -EIO, "reading the %s payload at %llu: %s",
                                 xp_comp_to_string(comp), (unsigned long long)(start + pos),
                                 r < 0 ? strerror(errno) : "the file is shorter than its header says");
                        break;
                }
                dr = xp_decoder_feed(d, buf, (size_t)r, &used, stream_sink, &st);
                pos += used;
        }
        if (dr == 0 && pos >= len)
                dr = xp_decoder_eof(d, stream_sink, &st);
        if (dr == -EBADMSG && c->n->status != XP_NOTES_ERROR)
                dr = bad(c->n, dr, "the %s payload at %llu is corrupt after %llu decoded bytes: %s",
                         xp_comp_to_string(comp), (unsigned long long)start, (unsigned long long)st.off,
                         xp_decoder_error(d));
        else if (dr == -EPIPE)
                dr = ended_early(c, st.off, "the decoded vmlinux");
        else if (dr == 1 && !c->done)
                dr = c->parsed && c->n_seg == 0 ? parse_notes(c) : ended_early(c, st.off, "the decoded vmlinux");
        xp_decoder_free(d);
        free(buf);
        return dr < 0 ? dr : 0;
}

/* Little-endian fields of the bzImage setup header. */
static uint32_t le(const uint8_t *p, unsigned size)
{
        uint32_t v = 0;
        for (unsigned i = size; i-- > 0;)
                v = v << 8 | p[i];
        return v;
}

/* An x86 bzImage (arch/x86/boot/header.S; Documentation/arch/x86/boot.rst):
 * the payload is the compressed vmlinux. */
static int read_bzimage(struct xp_ctx *ctx, struct collector *c, int fd, const uint8_t *hdr, uint64_t size)
{
        struct xp_kernel_notes *n = c->n;
        unsigned version = le(hdr + 0x206, 2);
        if (version < 0x208)
                return bad(n, -EOPNOTSUPP, "bzImage boot protocol %u.%02u: before 2.08 it does not say where its "
                           "payload is (Linux < 2.6.26)", version >> 8, version & 0xff);
        unsigned setup_sects = hdr[0x1f1] ? hdr[0x1f1] : 4; /* 0 means 4 */
        uint64_t start = (uint64_t)(setup_sects + 1) * 512 + le(hdr + 0x248, 4);
        uint64_t len = le(hdr + 0x24c, 4);
        if (start >= size || len < 16 || len > size - start)
                return bad(n, -EBADMSG, "bzImage payload of %llu bytes at %llu: outside the %llu-byte file "
                           "(truncated or damaged)", (unsigned long long)len, (unsigned long long)start,
                           (unsigned long long)size);
        uint8_t m[6];
        if (pread(fd, m, sizeof(m), (off_t)start) != (ssize_t)sizeof(m))
                return bad(n, -EIO, "reading the bzImage payload at %llu: %s", (unsigned long long)start,
                           strerror(errno));
        enum xp_comp comp = xp_comp_detect(m, sizeof(m));
        if (comp == XP_COMP_NONE || comp == XP_COMP_UNKNOWN || comp == XP_COMP_LZ4_FRAME)
                return bad(n, -EBADMSG, "bzImage payload at %llu starts %02x %02x %02x %02x: no compression the "
                           "kernel builds with", (unsigned long long)start, m[0], m[1], m[2], m[3]);
        snprintf(n->format, sizeof(n->format), "bzImage, %s payload", xp_comp_to_string(comp));
        return read_compressed(ctx, c, fd, start, len, comp);
}

static int read_image(struct xp_ctx *ctx, struct collector *c, int fd)
{
        struct xp_kernel_notes *n = c->n;
        struct stat sb;
        if (fstat(fd, &sb) < 0)
                return bad(n, -errno, "fstat: %s", strerror(errno));
        uint64_t size = (uint64_t)sb.st_size;
        uint8_t hdr[0x250] = { 0 };
        ssize_t r = pread(fd, hdr, sizeof(hdr), 0);
        if (r < 0)
                return bad(n, -errno, "read: %s", strerror(errno));
        if (r >= 16 && memcmp(hdr, "\177ELF", 4) == 0) {
                snprintf(n->format, sizeof(n->format), "ELF");
                return read_plain(c, fd, size);
        }
        if (r == (ssize_t)sizeof(hdr) && memcmp(hdr + 0x202, "HdrS", 4) == 0)
                return read_bzimage(ctx, c, fd, hdr, size);
        enum xp_comp comp = xp_comp_detect(hdr, (size_t)r);
        if (comp != XP_COMP_NONE && comp != XP_COMP_UNKNOWN && comp != XP_COMP_LZ4_FRAME) {
                /* a compressed vmlinux: 2.6.18-era xenlinux kernels */
                snprintf(n->format, sizeof(n->format), "%s ELF", xp_comp_to_string(comp));
                return read_compressed(ctx, c, fd, 0, size, comp);
        }
        return bad(n, -EBADMSG, "%zd bytes, neither an x86 bzImage (no \"HdrS\" at 0x202) nor an ELF vmlinux", r);
}

int xp_kernel_notes_read(struct xp_ctx *ctx, struct xp_root *root, const char *path, struct xp_kernel_notes *n)
{
        memset(n, 0, sizeof(*n));
        int fd = xp_root_open_file(root, path);
        if (fd < 0) {
                (void)bad(n, fd, "cannot open it: %s", strerror(-fd));
                return fd == -ENOMEM ? fd : 0;
        }
        struct collector *c = collector_new(n);
        int e = c ? read_image(ctx, c, fd) : -ENOMEM;
        close(fd);
        if (c)
                collector_free(c);
        if (e == -ENOMEM)
                return e;
        if (e < 0 && n->status != XP_NOTES_ERROR)
                (void)bad(n, e, "%s", strerror(-e));
        return 0;
}

/* ------------------------------------------------------ Xen's own rules */

static void say(char *why, size_t len, const char *s)
{
        if (why && len)
                snprintf(why, len, "%s", s);
}

bool xp_notes_pvh_capable(const struct xp_kernel_notes *n, char *why, size_t len)
{
        if (n->status != XP_NOTES_FOUND) {
                say(why, len, "the kernel's ELF notes were not read");
                return false;
        }
        if (n->has_phys32)
                return true;
        say(why, len, n->n_xen ? "the kernel's ELF notes have no XEN_ELFNOTE_PHYS32_ENTRY: Xen does not start it "
                                 "in a PVH container (built without CONFIG_XEN_PVH)"
                               : "the kernel has no Xen ELF notes at all: Xen starts neither PV nor PVH");
        return false;
}

/* FEATURES names a feature as required with "!NAME" (elf_xen_parse_features) */
static bool requires_feature(const char *features, const char *name)
{
        size_t l = strlen(name);
        for (const char *p = features; *p; p += strcspn(p, "|"), p += *p == '|') {
                size_t t = strcspn(p, "|");
                if (p[0] == '!' && t == l + 1 && strncmp(p + 1, name, l) == 0)
                        return true;
        }
        return false;
}

bool xp_notes_pv_capable(const struct xp_kernel_notes *n, char *why, size_t len)
{
        char b[200];
        if (n->status != XP_NOTES_FOUND)
                say(why, len, "the kernel's ELF notes were not read");
        else if (!n->n_xen)
                say(why, len, "the kernel has no Xen ELF notes at all: Xen's loader refuses it (\"Not a Xen-ELF "
                    "image\")");
        else if (!n->has_entry)
                say(why, len, "the kernel's ELF notes have no XEN_ELFNOTE_ENTRY: no PV entry point (built without "
                    "CONFIG_XEN_PV)");
        else if (strncmp(n->guest_os, "linux", 5) != 0 && strncmp(n->loader, "generic", 7) != 0) {
                snprintf(b, sizeof(b), "the kernel's ELF notes say GUEST_OS \"%s\", LOADER \"%s\": Xen loads "
                         "only \"linux\" or \"generic\" PV images", n->guest_os, n->loader);
                say(why, len, b);
        } else if (strncmp(n->xen_version, "xen-3.0", 7) != 0) {
                snprintf(b, sizeof(b), "the kernel's ELF notes say XEN_VERSION \"%s\": Xen loads only "
                         "\"xen-3.0\" PV images", n->xen_version);
                say(why, len, b);
        } else if (requires_feature(n->features, "dom0"))
                say(why, len, "the kernel's ELF notes require dom0 (FEATURES !dom0): it boots only as dom0");
        else
                return true;
        return false;
}

const char *xp_cap_source_to_string(enum xp_cap_source s)
{
        static const char *const t[_XP_CAP_MAX] = { NULL, "elf-notes", "config" };
        return (unsigned)s < _XP_CAP_MAX ? t[s] : NULL;
}
