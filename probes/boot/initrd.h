/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal API of the initramfs reader: streaming decompressors
 * (probes/boot/decompress.c), the newc cpio walker (probes/boot/cpio.c) and the image
 * scanner (probes/boot/image.c).  The boot-readiness code includes it (and the
 * kernel probe, for the gzip decoder); the model it produces (struct
 * xp_image) is in boot.h.
 */
#pragma once

#include "boot.h"
#include "core.h"

/* ---------------------------------------------------------- decompress */

/* The members the kernel's init/initramfs.c accepts (lib/decompress.c
 * magic table), plus the ones it does not, so we can say so. */
enum xp_comp {
        XP_COMP_NONE,       /* cpio "0707" */
        XP_COMP_GZIP,
        XP_COMP_BZIP2,
        XP_COMP_LZMA,
        XP_COMP_XZ,
        XP_COMP_LZO,
        XP_COMP_LZ4,        /* legacy frame, "lz4 -l": what the kernel reads */
        XP_COMP_ZSTD,
        XP_COMP_LZ4_FRAME,  /* not understood by the kernel */
        XP_COMP_UNKNOWN,
        _XP_COMP_MAX,
};
const char *xp_comp_to_string(enum xp_comp c);
/* Identify the member starting at P (LEN >= 6 bytes when available). */
enum xp_comp xp_comp_detect(const uint8_t *p, size_t len);

/* Output sink: 0 to go on, 1 to stop early (everything needed is known),
 * -errno to abort. */
typedef int (*xp_sink_fn)(void *userdata, const uint8_t *p, size_t n);

struct xp_decoder;
/* THREADS > 1 asks for a multi-threaded decoder where the format has one
 * (xz with several blocks). -EOPNOTSUPP: library missing or format
 * unsupported. */
int xp_decoder_new(struct xp_ctx *ctx, enum xp_comp c, unsigned threads,
                   struct xp_decoder **ret) _must_check_;
struct xp_decoder *xp_decoder_free(struct xp_decoder *d);
/*
 * Decode IN.  *IN_USED is how many bytes belonged to the member (exact: the
 * rest is the next member).  Returns 1 at the end of the member, 0 when it
 * wants more input, 2 when the sink asked to stop, -EBADMSG (corrupt data,
 * message in xp_decoder_error()), or the sink's -errno.
 */
int xp_decoder_feed(struct xp_decoder *d, const uint8_t *in, size_t len, size_t *in_used,
                    xp_sink_fn sink, void *userdata) _must_check_;
/* Input ended: 1 if the member ended cleanly (lz4 legacy ends at EOF),
 * else -EPIPE (truncated). */
int xp_decoder_eof(struct xp_decoder *d, xp_sink_fn sink, void *userdata) _must_check_;
const char *xp_decoder_error(const struct xp_decoder *d);
uint64_t xp_decoder_out_bytes(const struct xp_decoder *d);

/* -------------------------------------------------------------- cpio */

#define XP_CPIO_NAME_MAX 4096 /* the kernel's PATH_MAX limit on names */

struct xp_cpio_entry {
        const char *name;     /* as stored, NUL-terminated */
        uint32_t mode;
        uint32_t filesize;
        uint32_t nlink;
        uint64_t offset;      /* of the header, in the archive stream */
};

struct xp_cpio_ops {
        /* New entry: return 1 to receive its data, 0 to skip, -errno. */
        int (*entry)(void *ud, const struct xp_cpio_entry *e);
        int (*data)(void *ud, const uint8_t *p, size_t n);
        /* Entry complete (only for entries whose data was requested). */
        int (*done)(void *ud);
};

struct xp_cpio {
        const struct xp_cpio_ops *ops;
        void *ud;
        int state;
        bool in_archive;      /* between a header and its TRAILER!!! */
        bool want;
        bool after_name;
        bool crc_format;      /* 070702 */
        uint32_t crc, crc_expected;
        uint8_t hdr[110];
        size_t fill;
        char name[XP_CPIO_NAME_MAX + 1];
        uint32_t namesize, filesize, mode, nlink;
        uint64_t remaining, pad;
        uint64_t offset;      /* bytes of the stream consumed so far */
        uint64_t entry_offset;
        uint64_t entries;
        char error[160];
};

void xp_cpio_init(struct xp_cpio *c, const struct xp_cpio_ops *ops, void *ud);
/* Start a new stream (a new segment): offsets and alignment restart. */
void xp_cpio_restart(struct xp_cpio *c);
/*
 * Feed bytes.  Between entries, zero bytes are skipped and a header starts
 * with '0' on a 4-byte boundary, as in the kernel.  Any other byte there
 * ends an uncompressed segment (SEGMENT_RAW: return 1, *USED telling where
 * the next member starts) and is junk inside a decompressed stream
 * (-EBADMSG).  -EBADMSG with xp_cpio_error() on damage, or a callback's
 * -errno.  0: all of P consumed.
 */
int xp_cpio_feed(struct xp_cpio *c, const uint8_t *p, size_t n, bool segment_raw,
                 size_t *used) _must_check_;
/* true when the stream may end here (not inside an entry) */
bool xp_cpio_at_boundary(const struct xp_cpio *c);
const char *xp_cpio_error(const struct xp_cpio *c);

/* ------------------------------------------------ scan state (image.c) */

/* Index files of the image, read from memory. */
enum { XP_IDX_DEP, XP_IDX_BUILTIN, XP_IDX_SOFTDEP, XP_IDX_ALIAS, XP_IDX_BUILTIN_MODINFO, _XP_IDX_MAX };
/* Modules whose file content is kept (for .modinfo). */
enum { XP_WANT_BLKFRONT, XP_WANT_NETFRONT, XP_WANT_FS, _XP_WANT_MAX };

struct xp_modfile {
        unsigned kv;   /* index in img->versions */
        char *rel;     /* path below usr/lib/modules/<V>/ */
        char name[64]; /* normalized module name */
        unsigned seg;  /* 1-based segment it came from */
        bool cut;      /* its data cut by the image's first error */
};

struct xp_buf {
        uint8_t *data;
        size_t len, cap, want;
        bool have, too_big;
        unsigned seg;  /* 1-based segment it came from */
};

/* What one pass over an image gathered: the reader (image.c) fills it,
 * the checks (image-checks.c) read it. */
struct xp_scan {
        struct xp_ctx *ctx;
        struct xp_image *img;
        const struct xp_image_query *q;
        char fsmod[3][32];            /* candidate modules for the root fs */
        struct xp_cpio cpio;
        struct xp_modfile *files;
        size_t n_files, cap_files;
        bool files_overflow;
        struct xp_buf index[XP_IMAGE_MAX_KVERS][_XP_IDX_MAX];
        struct xp_buf ko[_XP_WANT_MAX];
        char ko_name[_XP_WANT_MAX][64];
        struct xp_buf *cur;           /* capture target of the current entry */
        unsigned hostile;             /* names escaping with ".." */
        char hostile_name[96];
        bool dirty;                   /* something xp_scan_facts_complete() needs arrived */
        size_t captured;              /* bytes held in index and ko buffers */
        uint64_t unpacked;            /* bytes of cpio stream seen */
        size_t last_file;             /* s->files index of the latest entry, SIZE_MAX: not a module */
};

/* "xen-blkfront.ko.zst" -> "xen_blkfront" (kmod's normalization) */
bool xp_module_name(const char *base, char *out, size_t outlen);
/* Module names that can provide filesystem TYPE. */
void xp_fs_modules(const char *type, char out[3][32]);
/* Quick mode: every check would pass with what was read so far. */
bool xp_scan_facts_complete(struct xp_scan *s);
/* Evaluate the checks into s->img->checks. */
int xp_scan_evaluate(struct xp_scan *s) _must_check_;

/* ------------------------------------------------------------ ELF modinfo */

/* Find KEY= in the .modinfo section of the ELF module in DATA. */
int xp_modinfo_get(const uint8_t *data, size_t len, const char *key, char *buf,
                   size_t buflen) _must_check_;

/* ------------------------------------------------------- kernel ELF notes */

/* Read the Xen ELF notes of the kernel image PATH below ROOT (an x86
 * bzImage, a compressed or a plain ELF vmlinux) into *N; N->status and
 * N->error say what was found.  0, or -ENOMEM. */
int xp_kernel_notes_read(struct xp_ctx *ctx, struct xp_root *root, const char *path,
                         struct xp_kernel_notes *n) _must_check_;
/* The same on an ELF (or the first LEN bytes of one) in memory, for tests
 * and fuzzers: 0 with N->status FOUND, -EBADMSG (N->error) when damaged. */
int xp_elf_notes_parse(const uint8_t *data, size_t len, struct xp_kernel_notes *n) _must_check_;
