/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Streaming decoders for initramfs members, one per format the kernel's
 * lib/decompress.c knows, each through the format's own library (zlib,
 * liblzma, libzstd, liblz4, libbz2), loaded on first use.
 *
 * Why not libarchive's filters: an initramfs is a chain of members and the
 * next one starts right where the previous ends.  These libraries report
 * exactly how many input bytes a member used and verify its checksum
 * (gzip CRC32, xz check, zstd content checksum, bzip2 block CRC); liblzma
 * also decodes multi-block xz on several threads.  libarchive 3.6 reads
 * ahead, treats whatever follows a zstd/xz member as a new stream, does not
 * check the gzip CRC and runs an external lzop.  lzop members are liblzo2's
 * LZO1X blocks in lzop's small container, read here as the kernel's
 * lib/decompress_unlzo.c reads it.
 */
#include "config.h"

#include <bzlib.h>
#include <errno.h>
#include <lz4.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "initrd.h"

static const char *const comp_names[_XP_COMP_MAX] = {
        [XP_COMP_NONE] = "cpio",       [XP_COMP_GZIP] = "gzip", [XP_COMP_BZIP2] = "bzip2",
        [XP_COMP_LZMA] = "lzma",       [XP_COMP_XZ] = "xz",     [XP_COMP_LZO] = "lzop",
        [XP_COMP_LZ4] = "lz4",         [XP_COMP_ZSTD] = "zstd", [XP_COMP_LZ4_FRAME] = "lz4-frame",
        [XP_COMP_UNKNOWN] = "unknown",
};

const char *xp_comp_to_string(enum xp_comp c)
{
        return c < _XP_COMP_MAX ? comp_names[c] : "unknown";
}

enum xp_comp xp_comp_detect(const uint8_t *p, size_t len)
{
        if (len >= 4 && memcmp(p, "0707", 4) == 0)
                return XP_COMP_NONE;
        if (len >= 2 && p[0] == 0x1f && (p[1] == 0x8b || p[1] == 0x9e))
                return XP_COMP_GZIP;
        if (len >= 3 && memcmp(p, "BZh", 3) == 0)
                return XP_COMP_BZIP2;
        if (len >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0)
                return XP_COMP_XZ;
        if (len >= 3 && p[0] == 0x5d && p[1] == 0 && p[2] == 0)
                return XP_COMP_LZMA;
        if (len >= 4 && memcmp(p, "\x89LZO", 4) == 0)
                return XP_COMP_LZO;
        if (len >= 4 && memcmp(p, "\x02\x21\x4c\x18", 4) == 0)
                return XP_COMP_LZ4;
        if (len >= 4 && memcmp(p, "\x28\xb5\x2f\xfd", 4) == 0)
                return XP_COMP_ZSTD;
        if (len >= 4 && memcmp(p, "\x04\x22\x4d\x18", 4) == 0)
                return XP_COMP_LZ4_FRAME;
        return XP_COMP_UNKNOWN;
}

/* ------------------------------------------------------------ libraries */

#define ZLIB_FNS(X, t) \
        X(t, inflateInit2_) \
        X(t, inflate) \
        X(t, inflateEnd)
static struct {
        XP_DL_FIELDS(ZLIB_FNS)
} z;
static const struct xp_dl_sym z_syms[] = { XP_DL_ENTRIES(z, ZLIB_FNS){} };
static struct xp_dl_lib libz = { "libz.so.1", z_syms, 0 };

#define LZMA_FNS(X, t) \
        X(t, lzma_stream_decoder) \
        X(t, lzma_alone_decoder) \
        X(t, lzma_code) \
        X(t, lzma_end)
static struct {
        XP_DL_FIELDS(LZMA_FNS)
} lz;
static const struct xp_dl_sym lz_syms[] = { XP_DL_ENTRIES(lz, LZMA_FNS){} };
static struct xp_dl_lib liblzma = { "liblzma.so.5", lz_syms, 0 };
/* the threaded decoder exists from liblzma 5.4 (Debian 12) on; older
 * ones (RHEL 9, Ubuntu 22.04) decode on one thread */
#define LZMA_MT_FNS(X, t) \
        X(t, lzma_stream_decoder_mt)
static struct {
        XP_DL_FIELDS(LZMA_MT_FNS)
} lzmt;
static const struct xp_dl_sym lzmt_syms[] = { XP_DL_ENTRIES(lzmt, LZMA_MT_FNS){} };
static struct xp_dl_lib liblzma_mt = { "liblzma.so.5", lzmt_syms, 0 };

#define ZSTD_FNS(X, t) \
        X(t, ZSTD_createDStream) \
        X(t, ZSTD_freeDStream) \
        X(t, ZSTD_initDStream) \
        X(t, ZSTD_decompressStream) \
        X(t, ZSTD_isError) \
        X(t, ZSTD_getErrorName) \
        X(t, ZSTD_DStreamOutSize)
static struct {
        XP_DL_FIELDS(ZSTD_FNS)
} zs;
static const struct xp_dl_sym zs_syms[] = { XP_DL_ENTRIES(zs, ZSTD_FNS){} };
static struct xp_dl_lib libzstd = { "libzstd.so.1", zs_syms, 0 };

#define LZ4_FNS(X, t) \
        X(t, LZ4_decompress_safe) \
        X(t, LZ4_compressBound)
static struct {
        XP_DL_FIELDS(LZ4_FNS)
} l4;
static const struct xp_dl_sym l4_syms[] = { XP_DL_ENTRIES(l4, LZ4_FNS){} };
static struct xp_dl_lib liblz4 = { "liblz4.so.1", l4_syms, 0 };

#define BZ2_FNS(X, t) \
        X(t, BZ2_bzDecompressInit) \
        X(t, BZ2_bzDecompress) \
        X(t, BZ2_bzDecompressEnd)
static struct {
        XP_DL_FIELDS(BZ2_FNS)
} bz;
static const struct xp_dl_sym bz_syms[] = { XP_DL_ENTRIES(bz, BZ2_FNS){} };
static struct xp_dl_lib libbz2 = { "libbz2.so.1.0", bz_syms, 0 };     /* Debian */
static struct xp_dl_lib libbz2_alt = { "libbz2.so.1", bz_syms, 0 };   /* Fedora, SUSE */

#define LZO_FNS(X, t) \
        X(t, lzo1x_decompress_safe) \
        X(t, lzo_adler32) \
        X(t, lzo_crc32)
static struct {
        XP_DL_FIELDS(LZO_FNS)
} lzo;
static const struct xp_dl_sym lzo_syms[] = { XP_DL_ENTRIES(lzo, LZO_FNS){} };
static struct xp_dl_lib liblzo2 = { "liblzo2.so.2", lzo_syms, 0 };

/* -------------------------------------------------------------- decoder */

#define OUT_CHUNK (256u * 1024u)
/* lz4 legacy: blocks decode to at most 8 MiB (lib/decompress_unlz4.c) */
#define LZ4_LEGACY_BLOCK (8u << 20)
#define LZ4_LEGACY_MAGIC 0x184C2102u
/* liblzma's threaded decoder: cap its memory so peak RSS stays bounded
 * whatever the image; above it liblzma falls back to one thread */
#define XZ_MT_MEMLIMIT (128u << 20)
/* a header may ask for a 4 GiB dictionary; xz -9 and lzma -9 need 64 MiB
 * and the kernel's own decoder far less: refuse more than this */
#define LZMA_MEMLIMIT (256u << 20)

struct xp_decoder {
        enum xp_comp comp;
        uint8_t *out;
        size_t out_cap;
        uint64_t out_total;
        char error[160];
        union {
                z_stream z;
                lzma_stream lzma;
                ZSTD_DStream *zstd;
                bz_stream bz;
        } s;
        bool inited;
        /* lz4 legacy framing */
        uint8_t *blk;
        size_t blk_fill, blk_need;
        bool got_magic, have_size;
        bool ended;
        /* lzop container */
        uint8_t hdr[320];
        size_t hdr_fill;
        bool hdr_done;
        uint32_t lzo_flags;
        uint8_t bh[24];         /* block header: lengths and checksums */
        size_t bh_fill, bh_need;
        uint32_t dst_len, src_len;
};

static int fail(struct xp_decoder *d, const char *fmt, const char *detail)
{
        snprintf(d->error, sizeof(d->error), fmt, detail);
        return -EBADMSG;
}

/* Decoder state of each format, in d->s or d->blk: true when set up. */
static bool init_gzip(struct xp_decoder *d, unsigned threads _unused_)
{
        /* 16 + MAX_WBITS: gzip wrapper only, CRC32 and ISIZE checked */
        return z.inflateInit2_(&d->s.z, 16 + MAX_WBITS, ZLIB_VERSION, (int)sizeof(z_stream)) == Z_OK;
}

static bool init_xz(struct xp_decoder *d, unsigned threads)
{
        lzma_stream init = LZMA_STREAM_INIT;
        d->s.lzma = init;
        if (threads > 1) {
                lzma_mt mt = {
                        .flags = 0, /* one stream: the next member is not ours */
                        .threads = threads,
                        .memlimit_threading = XZ_MT_MEMLIMIT,
                        .memlimit_stop = LZMA_MEMLIMIT,
                };
                return lzmt.lzma_stream_decoder_mt(&d->s.lzma, &mt) == LZMA_OK;
        }
        return lz.lzma_stream_decoder(&d->s.lzma, LZMA_MEMLIMIT, 0) == LZMA_OK;
}

static bool init_lzma(struct xp_decoder *d, unsigned threads _unused_)
{
        lzma_stream init = LZMA_STREAM_INIT;
        d->s.lzma = init;
        return lz.lzma_alone_decoder(&d->s.lzma, LZMA_MEMLIMIT) == LZMA_OK;
}

static bool init_zstd(struct xp_decoder *d, unsigned threads _unused_)
{
        d->s.zstd = zs.ZSTD_createDStream();
        return d->s.zstd && !zs.ZSTD_isError(zs.ZSTD_initDStream(d->s.zstd));
}

static bool init_bzip2(struct xp_decoder *d, unsigned threads _unused_)
{
        return bz.BZ2_bzDecompressInit(&d->s.bz, 0, 0) == BZ_OK;
}

static bool init_lz4(struct xp_decoder *d, unsigned threads _unused_)
{
        d->blk = malloc((size_t)l4.LZ4_compressBound(LZ4_LEGACY_BLOCK));
        return d->blk != NULL;
}

static bool init_lzo(struct xp_decoder *d, unsigned threads _unused_)
{
        d->blk = malloc(LZ4_LEGACY_BLOCK);
        return d->blk != NULL;
}

const char *xp_decoder_error(const struct xp_decoder *d)
{
        return d->error[0] ? d->error : "corrupt data";
}

uint64_t xp_decoder_out_bytes(const struct xp_decoder *d)
{
        return d->out_total;
}

static int emit(struct xp_decoder *d, size_t n, xp_sink_fn sink, void *ud)
{
        if (n == 0)
                return 0;
        d->out_total += n;
        int r = sink(ud, d->out, n);
        return r < 0 ? r : r > 0 ? 2 : 0;
}

static int feed_gzip(struct xp_decoder *d, const uint8_t *in, size_t len, size_t *used,
                     xp_sink_fn sink, void *ud)
{
        z_stream *s = &d->s.z;
        s->next_in = (Bytef *)in;
        s->avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
        for (;;) {
                s->next_out = d->out;
                s->avail_out = (uInt)d->out_cap;
                int zr = z.inflate(s, Z_NO_FLUSH);
                *used = (size_t)(s->next_in - in);
                int e = emit(d, d->out_cap - s->avail_out, sink, ud);
                if (e)
                        return e;
                if (zr == Z_STREAM_END)
                        return 1;
                if (zr == Z_BUF_ERROR || (zr == Z_OK && s->avail_in == 0 && s->avail_out != 0))
                        return 0;
                if (zr != Z_OK)
                        return fail(d, "gzip: %s", s->msg ? s->msg : "corrupt data");
        }
}

static int feed_lzma(struct xp_decoder *d, const uint8_t *in, size_t len, size_t *used,
                     xp_sink_fn sink, void *ud)
{
        lzma_stream *s = &d->s.lzma;
        s->next_in = in;
        s->avail_in = len;
        for (;;) {
                s->next_out = d->out;
                s->avail_out = d->out_cap;
                lzma_ret lr = lz.lzma_code(s, LZMA_RUN);
                *used = (size_t)(s->next_in - in);
                int e = emit(d, d->out_cap - s->avail_out, sink, ud);
                if (e)
                        return e;
                if (lr == LZMA_STREAM_END)
                        return 1;
                if (lr == LZMA_OK || lr == LZMA_BUF_ERROR) {
                        if (s->avail_in == 0 && s->avail_out != 0)
                                return 0;
                        continue;
                }
                const char *what = lr == LZMA_DATA_ERROR   ? "corrupt data (checksum or structure)"
                                   : lr == LZMA_FORMAT_ERROR ? "not a valid stream header"
                                   : lr == LZMA_OPTIONS_ERROR ? "unsupported options"
                                   : lr == LZMA_MEM_ERROR     ? "out of memory"
                                   : lr == LZMA_MEMLIMIT_ERROR ? "needs more than 256 MiB to decode (hostile header?)"
                                                              : "decoder error";
                return fail(d, d->comp == XP_COMP_XZ ? "xz: %s" : "lzma: %s", what);
        }
}

static int feed_zstd(struct xp_decoder *d, const uint8_t *in, size_t len, size_t *used,
                     xp_sink_fn sink, void *ud)
{
        ZSTD_inBuffer ib = { in, len, 0 };
        for (;;) {
                ZSTD_outBuffer ob = { d->out, d->out_cap, 0 };
                size_t zr = zs.ZSTD_decompressStream(d->s.zstd, &ob, &ib);
                *used = ib.pos;
                if (zs.ZSTD_isError(zr))
                        return fail(d, "zstd: %s", zs.ZSTD_getErrorName(zr));
                int e = emit(d, ob.pos, sink, ud);
                if (e)
                        return e;
                /* 0: the frame is complete and flushed; it never runs into
                 * the next frame within one call */
                if (zr == 0)
                        return 1;
                if (ib.pos == ib.size && ob.pos < ob.size)
                        return 0;
        }
}

static int feed_bzip2(struct xp_decoder *d, const uint8_t *in, size_t len, size_t *used,
                      xp_sink_fn sink, void *ud)
{
        bz_stream *s = &d->s.bz;
        s->next_in = (char *)in;
        s->avail_in = len > UINT32_MAX ? UINT32_MAX : (unsigned)len;
        for (;;) {
                s->next_out = (char *)d->out;
                s->avail_out = (unsigned)d->out_cap;
                int br = bz.BZ2_bzDecompress(s);
                *used = (size_t)((const uint8_t *)s->next_in - in);
                int e = emit(d, d->out_cap - s->avail_out, sink, ud);
                if (e)
                        return e;
                if (br == BZ_STREAM_END)
                        return 1;
                if (br != BZ_OK)
                        return fail(d, "bzip2: %s", br == BZ_DATA_ERROR ? "CRC or data error" : "corrupt data");
                if (s->avail_in == 0 && s->avail_out != 0)
                        return 0;
        }
}

/* Gather a compressed block of NEED bytes in d->blk from IN[*POS..LEN):
 * true once it is whole. */
static bool fill_block(struct xp_decoder *d, size_t need, const uint8_t *in, size_t len, size_t *pos)
{
        size_t take = need - d->blk_fill;
        if (take > len - *pos)
                take = len - *pos;
        memcpy(d->blk + d->blk_fill, in + *pos, take);
        d->blk_fill += take;
        *pos += take;
        return d->blk_fill == need;
}

static uint32_t le32(const uint8_t *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * lz4 legacy ("lz4 -l", the only lz4 the kernel unpacks): magic, then
 * blocks of LE32 compressed size + data, each decoding to <= 8 MiB.  There
 * is no end marker: like lib/decompress_unlz4.c the member ends at the end
 * of input, and we also end it where a size cannot be a block (zero
 * padding, or the next member's magic), so members after it are seen.
 */
static int feed_lz4(struct xp_decoder *d, const uint8_t *in, size_t len, size_t *used,
                    xp_sink_fn sink, void *ud)
{
        size_t pos = 0;
        uint32_t bound = (uint32_t)l4.LZ4_compressBound(LZ4_LEGACY_BLOCK);
        for (;;) {
                *used = pos;
                if (!d->have_size) {
                        /* sizes are read whole: with fewer than 4 bytes the
                         * caller keeps them and offers them again with more */
                        if (len - pos < 4)
                                return 0;
                        uint32_t v = le32(in + pos);
                        if (!d->got_magic || v == LZ4_LEGACY_MAGIC) {
                                if (v != LZ4_LEGACY_MAGIC)
                                        return fail(d, "lz4: %s", "bad magic");
                                d->got_magic = true;
                                pos += 4;
                                continue;
                        }
                        if (v == 0) {
                                /* zero padding: the member ended here, as
                                 * in lib/decompress_unlz4.c */
                                d->ended = true;
                                return 1;
                        }
                        if (v > bound)
                                return fail(d, "lz4: %s",
                                            "a block size larger than possible: the kernel's unlz4 stops here too "
                                            "(a member after lz4 needs zero padding before it)");
                        pos += 4;
                        d->blk_need = v;
                        d->blk_fill = 0;
                        d->have_size = true;
                }
                bool whole = fill_block(d, d->blk_need, in, len, &pos);
                *used = pos;
                if (!whole)
                        return 0;
                int n = l4.LZ4_decompress_safe((const char *)d->blk, (char *)d->out, (int)d->blk_need,
                                               (int)d->out_cap);
                d->have_size = false;
                if (n < 0)
                        return fail(d, "lz4: %s", "corrupt block");
                int e = emit(d, (size_t)n, sink, ud);
                if (e)
                        return e;
        }
}


static uint32_t be32(const uint8_t *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* lzop flags (lzop's conf.h) */
#define F_ADLER32_D 0x1u
#define F_ADLER32_C 0x2u
#define F_H_EXTRA_FIELD 0x40u
#define F_CRC32_D 0x100u
#define F_CRC32_C 0x200u
#define F_MULTIPART 0x400u
#define F_H_FILTER 0x800u
#define F_H_CRC32 0x1000u
#define LZO_BLOCK_MAX (256u * 1024u) /* lib/decompress_unlzo.c LZO_BLOCK_SIZE */
#define LZO_MAGIC "\x89LZO\0\r\n\x1a\n"

/* Parse the lzop header in d->hdr: its length, 0 if more bytes are
 * needed, -EBADMSG. */
static int lzo_header(struct xp_decoder *d)
{
        const uint8_t *h = d->hdr;
        size_t n = d->hdr_fill, p = 9;
        if (n < 9 + 4)
                return 0;
        if (memcmp(h, LZO_MAGIC, 9) != 0)
                return fail(d, "lzop: %s", "bad magic");
        unsigned version = (unsigned)h[9] << 8 | h[10];
        p += 4; /* version, lib_version */
        if (version >= 0x0940)
                p += 2; /* version needed to extract */
        if (n < p + 1)
                return 0;
        unsigned method = h[p++];
        if (method < 1 || method > 3)
                return fail(d, "lzop: %s", "unknown method (not LZO1X)");
        if (version >= 0x0940)
                p++; /* level */
        if (n < p + 4)
                return 0;
        d->lzo_flags = be32(h + p);
        p += 4;
        if (d->lzo_flags & (F_H_FILTER | F_MULTIPART | F_H_EXTRA_FIELD))
                return fail(d, "lzop: %s", "filter, multipart or extra field (the kernel reads none of them)");
        p += 4 + 4; /* mode, mtime low */
        if (version >= 0x0940)
                p += 4; /* mtime high */
        if (n < p + 1)
                return 0;
        size_t name = h[p++];
        if (n < p + name + 4)
                return 0;
        p += name;
        uint32_t want = be32(h + p);
        uint32_t got = d->lzo_flags & F_H_CRC32 ? lzo.lzo_crc32(0, h + 9, p - 9) : lzo.lzo_adler32(1, h + 9, p - 9);
        if (want != got)
                return fail(d, "lzop: %s", "header checksum mismatch");
        return (int)(p + 4);
}

/* Take the lzop header from IN[*POS..LEN) byte by byte, as it ends where
 * it says: d->hdr_done once it is whole, -EBADMSG from lzo_header(). */
static int take_lzo_header(struct xp_decoder *d, const uint8_t *in, size_t len, size_t *pos)
{
        while (*pos < len && d->hdr_fill < sizeof(d->hdr)) {
                d->hdr[d->hdr_fill++] = in[(*pos)++];
                int h = lzo_header(d);
                if (h < 0)
                        return h;
                if (h > 0) {
                        d->hdr_done = true;
                        d->bh_need = 4;
                        break;
                }
        }
        return 0;
}

/* Take a block header from IN[*POS..LEN): the uncompressed length (0 ends
 * the member: 1), the compressed one, then the checksums the flags ask
 * for; d->have_size once it is whole, -EBADMSG. */
static int take_block_header(struct xp_decoder *d, const uint8_t *in, size_t len, size_t *pos)
{
        for (;;) {
                while (d->bh_fill < d->bh_need && *pos < len)
                        d->bh[d->bh_fill++] = in[(*pos)++];
                if (d->bh_fill < d->bh_need)
                        return 0;
                if (d->bh_need == 4) {
                        d->dst_len = be32(d->bh);
                        if (d->dst_len == 0) { /* end of the member */
                                d->ended = true;
                                return 1;
                        }
                        if (d->dst_len > LZO_BLOCK_MAX)
                                return fail(d, "lzop: %s", "block larger than 256 KiB: the kernel's unlzo refuses it");
                        d->bh_need = 8;
                        continue;
                }
                if (d->bh_need == 8) {
                        d->src_len = be32(d->bh + 4);
                        if (d->src_len == 0 || d->src_len > d->dst_len)
                                return fail(d, "lzop: %s", "bad block length");
                        size_t extra = 0;
                        extra += d->lzo_flags & F_ADLER32_D ? 4 : 0;
                        extra += d->lzo_flags & F_CRC32_D ? 4 : 0;
                        if (d->src_len < d->dst_len) {
                                extra += d->lzo_flags & F_ADLER32_C ? 4 : 0;
                                extra += d->lzo_flags & F_CRC32_C ? 4 : 0;
                        }
                        d->bh_need = 8 + extra;
                        if (extra)
                                continue;
                }
                d->have_size = true;
                d->blk_fill = 0;
                return 0;
        }
}

/* Check and decode the whole block in d->blk into d->out. */
static int decode_lzo_block(struct xp_decoder *d)
{
        /* checksums: of the data (D) and, when compressed, of the
         * compressed bytes (C), adler32 before crc32 */
        const uint8_t *ck = d->bh + 8;
        lzo_uint out_len = d->dst_len;
        if (d->src_len < d->dst_len) {
                const uint8_t *cc = ck + (d->lzo_flags & F_ADLER32_D ? 4 : 0) + (d->lzo_flags & F_CRC32_D ? 4 : 0);
                if ((d->lzo_flags & F_ADLER32_C) && be32(cc) != lzo.lzo_adler32(1, d->blk, d->src_len))
                        return fail(d, "lzop: %s", "compressed block checksum mismatch");
                if (d->lzo_flags & F_ADLER32_C)
                        cc += 4;
                if ((d->lzo_flags & F_CRC32_C) && be32(cc) != lzo.lzo_crc32(0, d->blk, d->src_len))
                        return fail(d, "lzop: %s", "compressed block checksum mismatch");
                if (lzo.lzo1x_decompress_safe(d->blk, d->src_len, d->out, &out_len, NULL) != LZO_E_OK ||
                    out_len != d->dst_len)
                        return fail(d, "lzop: %s", "corrupt block");
        } else
                memcpy(d->out, d->blk, d->src_len);
        if ((d->lzo_flags & F_ADLER32_D) && be32(ck) != lzo.lzo_adler32(1, d->out, d->dst_len))
                return fail(d, "lzop: %s", "block checksum mismatch");
        if (d->lzo_flags & F_ADLER32_D)
                ck += 4;
        if ((d->lzo_flags & F_CRC32_D) && be32(ck) != lzo.lzo_crc32(0, d->out, d->dst_len))
                return fail(d, "lzop: %s", "block checksum mismatch");
        return 0;
}

static int feed_lzo(struct xp_decoder *d, const uint8_t *in, size_t len, size_t *used,
                    xp_sink_fn sink, void *ud)
{
        size_t pos = 0;
        int r;
        for (;;) {
                *used = pos;
                if (!d->hdr_done) {
                        /* on a bad header, *USED stays where this call's
                         * header bytes began */
                        if ((r = take_lzo_header(d, in, len, &pos)) < 0)
                                return r;
                        *used = pos;
                        if (!d->hdr_done) {
                                if (d->hdr_fill == sizeof(d->hdr))
                                        return fail(d, "lzop: %s", "header too long");
                                return 0;
                        }
                }
                if (!d->have_size) {
                        r = take_block_header(d, in, len, &pos);
                        *used = pos;
                        if (r != 0 || !d->have_size)
                                return r;
                }
                bool whole = fill_block(d, d->src_len, in, len, &pos);
                *used = pos;
                if (!whole)
                        return 0;
                if ((r = decode_lzo_block(d)) < 0)
                        return r;
                d->have_size = false;
                d->bh_fill = 0;
                d->bh_need = 4;
                int e = emit(d, d->dst_len, sink, ud);
                if (e)
                        return e;
        }
}

/* Release what init_* set up; also after a failed init. */
static void end_gzip(struct xp_decoder *d)
{
        if (d->inited)
                z.inflateEnd(&d->s.z);
}

static void end_lzma(struct xp_decoder *d)
{
        if (d->inited)
                lz.lzma_end(&d->s.lzma);
}

static void end_zstd(struct xp_decoder *d)
{
        if (d->s.zstd) /* created, even when its init failed */
                zs.ZSTD_freeDStream(d->s.zstd);
}

static void end_bzip2(struct xp_decoder *d)
{
        if (d->inited)
                bz.BZ2_bzDecompressEnd(&d->s.bz);
}

/* Each format the decoder reads: its library (and where it goes by another
 * name), the output buffer a step of it fills, how its state is set up,
 * fed and released. */
static const struct format {
        struct xp_dl_lib *lib, *lib_alt;
        size_t out_cap;
        bool (*init)(struct xp_decoder *d, unsigned threads);
        int (*feed)(struct xp_decoder *d, const uint8_t *in, size_t len, size_t *used, xp_sink_fn sink, void *ud);
        void (*end)(struct xp_decoder *d); /* NULL: nothing beyond d->blk */
} formats[_XP_COMP_MAX] = {
        [XP_COMP_GZIP] = { &libz, NULL, OUT_CHUNK, init_gzip, feed_gzip, end_gzip },
        [XP_COMP_XZ] = { &liblzma, NULL, OUT_CHUNK, init_xz, feed_lzma, end_lzma },
        [XP_COMP_LZMA] = { &liblzma, NULL, OUT_CHUNK, init_lzma, feed_lzma, end_lzma },
        [XP_COMP_ZSTD] = { &libzstd, NULL, OUT_CHUNK, init_zstd, feed_zstd, end_zstd },
        [XP_COMP_BZIP2] = { &libbz2, &libbz2_alt, OUT_CHUNK, init_bzip2, feed_bzip2, end_bzip2 },
        /* a whole block at once */
        [XP_COMP_LZ4] = { &liblz4, NULL, LZ4_LEGACY_BLOCK, init_lz4, feed_lz4, NULL },
        [XP_COMP_LZO] = { &liblzo2, NULL, LZ4_LEGACY_BLOCK, init_lzo, feed_lzo, NULL },
};

int xp_decoder_new(struct xp_ctx *ctx, enum xp_comp c, unsigned threads, struct xp_decoder **ret)
{
        if ((unsigned)c >= _XP_COMP_MAX || !formats[c].lib)
                return -EOPNOTSUPP;
        const struct format *f = &formats[c];
        int le = xp_dlopen_syms(ctx, f->lib);
        if (le < 0 && f->lib_alt && le != -ENOMEM)
                le = xp_dlopen_syms(ctx, f->lib_alt);
        if (le < 0)
                return le == -ENOMEM ? le : -EOPNOTSUPP; /* out of memory is not "no library" */
        if (c == XP_COMP_XZ && threads > 1 && xp_dlopen_syms(ctx, &liblzma_mt) < 0)
                threads = 1;

        struct xp_decoder *d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        d->comp = c;
        d->out_cap = f->out_cap;
        d->out = malloc(d->out_cap);
        if (!d->out) {
                free(d);
                return -ENOMEM;
        }
        d->inited = f->init(d, threads);
        if (!d->inited) {
                xp_decoder_free(d);
                return -ENOMEM;
        }
        *ret = d;
        return 0;
}

struct xp_decoder *xp_decoder_free(struct xp_decoder *d)
{
        if (!d)
                return NULL;
        if (formats[d->comp].end)
                formats[d->comp].end(d);
        free(d->blk);
        free(d->out);
        free(d);
        return NULL;
}

int xp_decoder_feed(struct xp_decoder *d, const uint8_t *in, size_t len, size_t *in_used,
                    xp_sink_fn sink, void *userdata)
{
        *in_used = 0;
        return formats[d->comp].feed(d, in, len, in_used, sink, userdata);
}

int xp_decoder_eof(struct xp_decoder *d, xp_sink_fn sink _unused_, void *userdata _unused_)
{
        /* lz4 legacy has no end marker: the end of input ends it, unless we
         * are inside a block */
        if (d->comp == XP_COMP_LZ4 && d->got_magic && !d->have_size)
                return 1;
        snprintf(d->error, sizeof(d->error), "%s: unexpected end of data (truncated)",
                 xp_comp_to_string(d->comp));
        return -EPIPE;
}
