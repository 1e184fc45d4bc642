/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A push parser for the newc cpio format ("070701", and "070702" with its
 * checksum), fed in arbitrary pieces, the way the kernel's init/initramfs.c
 * state machine consumes an initramfs: 110-byte header, name padded to 4,
 * data padded to 4, until "TRAILER!!!"; then zero padding, and either the
 * next archive or, for an uncompressed segment, the next member.
 *
 * Nothing is ever allocated from a size read in a header: names are at most
 * PATH_MAX (the kernel's own limit), data is streamed to the caller.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "initrd.h"

enum { ST_HEADER, ST_NAME, ST_DATA, ST_SKIP, ST_BETWEEN };

void xp_cpio_init(struct xp_cpio *c, const struct xp_cpio_ops *ops, void *ud)
{
        memset(c, 0, sizeof(*c));
        c->ops = ops;
        c->ud = ud;
        c->state = ST_BETWEEN;
}

void xp_cpio_restart(struct xp_cpio *c)
{
        c->state = ST_BETWEEN;
        c->offset = 0;
        c->fill = 0;
        c->in_archive = false;
        c->error[0] = '\0';
}

const char *xp_cpio_error(const struct xp_cpio *c)
{
        return c->error[0] ? c->error : "corrupt cpio archive";
}

bool xp_cpio_at_boundary(const struct xp_cpio *c)
{
        return c->state == ST_BETWEEN;
}

_printf_(2, 3) static int bad(struct xp_cpio *c, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->error, sizeof(c->error), fmt, ap);
        va_end(ap);
        return -EBADMSG;
}

static int hex8(const uint8_t *p, uint32_t *ret)
{
        uint32_t v = 0;
        for (int i = 0; i < 8; i++) {
                int d;
                if (p[i] >= '0' && p[i] <= '9')
                        d = p[i] - '0';
                else if (p[i] >= 'a' && p[i] <= 'f')
                        d = p[i] - 'a' + 10;
                else if (p[i] >= 'A' && p[i] <= 'F')
                        d = p[i] - 'A' + 10;
                else
                        return -EINVAL;
                v = v << 4 | (uint32_t)d;
        }
        *ret = v;
        return 0;
}

static uint64_t pad4(uint64_t off)
{
        return (4 - (off & 3)) & 3;
}

static int parse_header(struct xp_cpio *c)
{
        if (memcmp(c->hdr, "070701", 6) != 0 && memcmp(c->hdr, "070702", 6) != 0)
                return bad(c, "bad cpio magic at offset %llu", (unsigned long long)c->entry_offset);
        c->crc_format = c->hdr[5] == '2';
        uint32_t f[13];
        for (int i = 0; i < 13; i++)
                if (hex8(c->hdr + 6 + 8 * i, &f[i]) < 0)
                        return bad(c, "bad cpio header field at offset %llu",
                                   (unsigned long long)c->entry_offset);
        c->mode = f[1];
        c->nlink = f[4];
        c->filesize = f[6];
        c->namesize = f[11];
        c->crc_expected = f[12];
        c->crc = 0;
        if (c->namesize == 0 || c->namesize > XP_CPIO_NAME_MAX)
                return bad(c, "cpio name size %u at offset %llu (limit %u)", c->namesize,
                           (unsigned long long)c->entry_offset, XP_CPIO_NAME_MAX);
        return 0;
}

/* The name is complete: announce the entry, set up its data. */
static int start_data(struct xp_cpio *c)
{
        if (c->name[c->namesize - 1] != '\0' || strlen(c->name) != c->namesize - 1)
                return bad(c, "cpio name not terminated at offset %llu",
                           (unsigned long long)c->entry_offset);
        c->want = false;
        if (strcmp(c->name, "TRAILER!!!") == 0)
                c->in_archive = false;
        else {
                struct xp_cpio_entry e = {
                        .name = c->name,
                        .mode = c->mode,
                        .filesize = c->filesize,
                        .nlink = c->nlink,
                        .offset = c->entry_offset,
                };
                int r = c->ops->entry(c->ud, &e);
                if (r < 0)
                        return r;
                c->want = r > 0;
        }
        c->remaining = c->filesize;
        c->state = ST_DATA;
        return 0;
}

/* GNU cpio (and the kernel's do_copy()) checksum regular files only */
static bool summed(const struct xp_cpio *c)
{
        return c->crc_format && (c->mode & 0170000) == 0100000;
}

static int end_data(struct xp_cpio *c)
{
        if (summed(c) && c->crc != c->crc_expected)
                return bad(c, "cpio checksum mismatch for \"%.64s\" at offset %llu", c->name,
                           (unsigned long long)c->entry_offset);
        if (c->want && c->ops->done) {
                int r = c->ops->done(c->ud);
                if (r < 0)
                        return r;
        }
        c->want = false;
        c->entries++;
        c->remaining = pad4(c->offset);
        c->state = ST_SKIP;
        return 0;
}

/* Copy from P[*I..N) into DST until NEED bytes are there (c->fill counts
 * them); true when complete. */
static bool gather(struct xp_cpio *c, uint8_t *dst, size_t need, const uint8_t *p, size_t n, size_t *i)
{
        size_t take = need - c->fill;
        if (take > n - *i)
                take = n - *i;
        memcpy(dst + c->fill, p + *i, take);
        c->fill += take;
        *i += take;
        c->offset += take;
        return c->fill == need;
}

/* Between entries: skip a zero, start a header, or end the segment (1). */
static int step_between(struct xp_cpio *c, const uint8_t *p, size_t *i, bool segment_raw)
{
        /* as init/initramfs.c do_reset(): zeros may follow any entry; a
         * header starts with '0' on a 4-byte boundary; anything else ends
         * an uncompressed segment (the next member starts) and is junk
         * inside a compressed one */
        if (p[*i] == 0) {
                (*i)++;
                c->offset++;
                return 0;
        }
        if (p[*i] != '0' || (c->offset & 3)) {
                if (segment_raw)
                        return 1;
                return bad(c, "junk at offset %llu of the decompressed stream", (unsigned long long)c->offset);
        }
        c->state = ST_HEADER;
        c->fill = 0;
        c->entry_offset = c->offset;
        c->in_archive = true;
        return 0;
}

/* The 110-byte header, then the name. */
static int step_header(struct xp_cpio *c, const uint8_t *p, size_t n, size_t *i)
{
        if (!gather(c, c->hdr, sizeof(c->hdr), p, n, i))
                return 0;
        int r = parse_header(c);
        if (r < 0)
                return r;
        c->fill = 0;
        c->state = ST_NAME;
        return 0;
}

/* The name, then its padding. */
static int step_name(struct xp_cpio *c, const uint8_t *p, size_t n, size_t *i)
{
        if (!gather(c, (uint8_t *)c->name, c->namesize, p, n, i))
                return 0;
        c->name[c->namesize] = '\0';
        /* name padding first, then the data */
        c->remaining = pad4(c->offset);
        c->fill = 0;
        c->state = ST_SKIP;
        c->after_name = true;
        return 0;
}

/* Padding: after a name the data starts, after data the next entry. */
static int step_skip(struct xp_cpio *c, size_t n, size_t *i)
{
        uint64_t take = c->remaining;
        if (take > n - *i)
                take = n - *i;
        *i += take;
        c->offset += take;
        c->remaining -= take;
        if (c->remaining)
                return 0;
        if (c->after_name) {
                c->after_name = false;
                return start_data(c);
        }
        c->state = ST_BETWEEN;
        return 0;
}

/* The entry's data: summed, handed to the caller if it asked, then ended. */
static int step_data(struct xp_cpio *c, const uint8_t *p, size_t n, size_t *i)
{
        uint64_t take = c->remaining;
        if (take > n - *i)
                take = n - *i;
        if (summed(c))
                for (uint64_t k = 0; k < take; k++)
                        c->crc += p[*i + k];
        if (c->want && c->ops->data && take) {
                int r = c->ops->data(c->ud, p + *i, take);
                if (r < 0)
                        return r;
        }
        *i += take;
        c->offset += take;
        c->remaining -= take;
        return c->remaining == 0 ? end_data(c) : 0;
}

int xp_cpio_feed(struct xp_cpio *c, const uint8_t *p, size_t n, bool segment_raw, size_t *used)
{
        size_t i = 0;
        int r = 0;
        /* a step with nothing to take (empty data, no padding) still runs
         * at the end of P */
        while (r == 0 && (i < n || (c->state == ST_DATA && c->remaining == 0) ||
                          (c->state == ST_SKIP && c->remaining == 0))) {
                switch (c->state) {
                case ST_BETWEEN: r = step_between(c, p, &i, segment_raw); break;
                case ST_HEADER: r = step_header(c, p, n, &i); break;
                case ST_NAME: r = step_name(c, p, n, &i); break;
                case ST_SKIP: r = step_skip(c, n, &i); break;
                case ST_DATA: r = step_data(c, p, n, &i); break;
                }
        }
        *used = i;
        return r;
}
