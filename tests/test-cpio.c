/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The newc push parser fed in every piece size, on archives written by GNU
 * cpio from a directory this test fills: names, sizes and data must match
 * the files put there, whatever the chunking.  And .modinfo from a real
 * module, compared with kmod's modinfo.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "boot/initrd.h"

struct seen {
        char names[32][64];
        uint32_t sizes[32];
        uint32_t sums[32];
        int n;
        uint32_t sum;
};

static int on_entry(void *ud, const struct xp_cpio_entry *e)
{
        struct seen *s = ud;
        if (s->n == 32)
                return -E2BIG;
        snprintf(s->names[s->n], sizeof(s->names[0]), "%s", e->name);
        s->sizes[s->n] = e->filesize;
        s->sum = 0;
        return 1;
}

static int on_data(void *ud, const uint8_t *p, size_t n)
{
        struct seen *s = ud;
        for (size_t i = 0; i < n; i++)
                s->sum = s->sum * 31 + p[i];
        return 0;
}

static int on_done(void *ud)
{
        struct seen *s = ud;
        s->sums[s->n++] = s->sum;
        return 0;
}

static const struct xp_cpio_ops ops = { on_entry, on_data, on_done };
static const unsigned sizes[] = { 0, 1, 2, 3, 4, 5, 111, 4097, 70001 };

static char dir[64];

/* Files f<size> with deterministic bytes; returns the archive bytes. */
static uint8_t *make_archive(const char *format, size_t *len)
{
        snprintf(dir, sizeof(dir), "/tmp/xp-cpio.XXXXXX");
        if (!mkdtemp(dir))
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(sizes); i++) {
                char p[128];
                snprintf(p, sizeof(p), "%s/f%u", dir, sizes[i]);
                FILE *f = fopen(p, "w");
                if (!f)
                        return NULL;
                for (unsigned k = 0; k < sizes[i]; k++)
                        fputc((int)((k * 7 + sizes[i]) & 0xff), f);
                fclose(f);
        }
        char cmd[256];
        /* the names in a fixed order, as GNU cpio writes what it is given */
        snprintf(cmd, sizeof(cmd), "cd %s && ls | LC_ALL=C sort | cpio --quiet -o -H %s", dir, format);
        FILE *p = popen(cmd, "r");
        if (!p)
                return NULL;
        size_t cap = 1 << 20, n = 0;
        uint8_t *buf = malloc(cap);
        size_t r;
        while (buf && (r = fread(buf + n, 1, cap - n, p)) > 0)
                n += r;
        if (pclose(p) != 0 || n == 0) {
                free(buf);
                return NULL;
        }
        *len = n;
        return buf;
}

static uint32_t expected_sum(unsigned size)
{
        uint32_t s = 0;
        for (unsigned k = 0; k < size; k++)
                s = s * 31 + ((k * 7 + size) & 0xff);
        return s;
}

static void cleanup(void)
{
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        if (system(cmd) != 0)
                fprintf(stderr, "cleanup of %s failed\n", dir);
}

static int feed_in_pieces(const char *format)
{
        if (system("command -v cpio >/dev/null") != 0)
                return 77;
        size_t len = 0;
        uint8_t *a = make_archive(format, &len);
        CHECK(a != NULL);
        const size_t pieces[] = { 1, 2, 3, 5, 7, 109, 110, 111, 4096, 65536, len };
        for (size_t pi = 0; pi < ELEMENTSOF(pieces); pi++) {
                struct seen s = { 0 };
                struct xp_cpio c;
                xp_cpio_init(&c, &ops, &s);
                size_t off = 0;
                int r = 0;
                while (off < len) {
                        size_t n = len - off < pieces[pi] ? len - off : pieces[pi];
                        size_t used = 0;
                        r = xp_cpio_feed(&c, a + off, n, false, &used);
                        CHECK_EQ_INT(r, 0);
                        CHECK(used == n);
                        off += n;
                }
                CHECK(xp_cpio_at_boundary(&c));
                CHECK_EQ_INT(s.n, (int)ELEMENTSOF(sizes));
                /* sorted names: f0 f1 f111 f2 f3 f4 f4097 f5 f70001 */
                for (int i = 0; i < s.n; i++) {
                        unsigned sz = (unsigned)strtoul(s.names[i] + 1, NULL, 10);
                        CHECK(s.names[i][0] == 'f');
                        CHECK_EQ_INT((int)s.sizes[i], (int)sz);
                        CHECK(s.sums[i] == expected_sum(sz));
                }
        }
        free(a);
        cleanup();
        return 0;
}

DEFINE_TEST(newc_any_piece_size)
{
        return feed_in_pieces("newc");
}

DEFINE_TEST(crc_any_piece_size)
{
        return feed_in_pieces("crc");
}

DEFINE_TEST(raw_segment_stops_at_next_member)
{
        if (system("command -v cpio >/dev/null") != 0)
                return 77;
        size_t len = 0;
        uint8_t *a = make_archive("newc", &len);
        CHECK(a != NULL);
        /* archive, zero padding, then a gzip magic: the raw segment ends
         * exactly at the magic */
        uint8_t *b = malloc(len + 16);
        CHECK(b != NULL);
        memcpy(b, a, len);
        memset(b + len, 0, 12);
        b[len + 12] = 0x1f;
        b[len + 13] = 0x8b;
        struct seen s = { 0 };
        struct xp_cpio c;
        xp_cpio_init(&c, &ops, &s);
        size_t used = 0;
        CHECK_EQ_INT(xp_cpio_feed(&c, b, len + 14, true, &used), 1);
        CHECK(used == len + 12);
        /* the same bytes inside a decompressed stream are junk */
        xp_cpio_init(&c, &ops, &s);
        s.n = 0;
        CHECK_EQ_INT(xp_cpio_feed(&c, b, len + 14, false, &used), -EBADMSG);
        CHECK(strstr(xp_cpio_error(&c), "junk") != NULL);
        free(a);
        free(b);
        cleanup();
        return 0;
}

DEFINE_TEST(hostile_headers)
{
        struct seen s = { 0 };
        struct xp_cpio c;
        size_t used;
        /* name size 0, and name size above PATH_MAX */
        const char *h0 = "070701" "00000001" "000081a4" "00000000" "00000000" "00000001" "00000000"
                         "00000000" "00000000" "00000000" "00000000" "00000000" "00000000" "00000000";
        xp_cpio_init(&c, &ops, &s);
        CHECK_EQ_INT(xp_cpio_feed(&c, (const uint8_t *)h0, 110, false, &used), -EBADMSG);
        const char *h1 = "070701" "00000001" "000081a4" "00000000" "00000000" "00000001" "00000000"
                         "00000000" "00000000" "00000000" "00000000" "00000000" "00100000" "00000000";
        xp_cpio_init(&c, &ops, &s);
        CHECK_EQ_INT(xp_cpio_feed(&c, (const uint8_t *)h1, 110, false, &used), -EBADMSG);
        CHECK(strstr(xp_cpio_error(&c), "name size") != NULL);
        /* a non-hex field */
        const char *h2 = "070701" "0000000G" "000081a4" "00000000" "00000000" "00000001" "00000000"
                         "00000000" "00000000" "00000000" "00000000" "00000000" "00000002" "00000000";
        xp_cpio_init(&c, &ops, &s);
        CHECK_EQ_INT(xp_cpio_feed(&c, (const uint8_t *)h2, 110, false, &used), -EBADMSG);
        /* a name whose NUL is not at namesize-1 */
        char h3[128] = { 0 };
        snprintf(h3, sizeof(h3), "070701" "00000001" "000081a4" "00000000" "00000000" "00000001" "00000000"
                                 "00000000" "00000000" "00000000" "00000000" "00000000" "00000004" "00000000"
                                 "a%cbc", 0);
        xp_cpio_init(&c, &ops, &s);
        CHECK_EQ_INT(xp_cpio_feed(&c, (const uint8_t *)h3, 116, false, &used), -EBADMSG);
        /* a huge declared size is streamed, never allocated: feeding a few
         * bytes leaves the parser inside the entry, not at a boundary */
        char h4[128];
        snprintf(h4, sizeof(h4), "070701" "00000001" "000081a4" "00000000" "00000000" "00000001" "00000000"
                                 "fffffff0" "00000000" "00000000" "00000000" "00000000" "00000002" "00000000"
                                 "x%c", 0);
        xp_cpio_init(&c, &ops, &s);
        s.n = 0;
        CHECK_EQ_INT(xp_cpio_feed(&c, (const uint8_t *)h4, 112, false, &used), 0);
        CHECK_EQ_INT(xp_cpio_feed(&c, (const uint8_t *)"\0\0abc", 5, false, &used), 0);
        CHECK(!xp_cpio_at_boundary(&c));
        return 0;
}

/* .modinfo of a real module against kmod's modinfo (an independent reader) */
DEFINE_TEST(modinfo_vermagic_matches_kmod)
{
        FILE *p = popen("for k in /lib/modules/*; do f=$(modinfo -k \"${k##*/}\" -n xen_blkfront 2>/dev/null) && "
                        "case $f in *.ko) echo \"$f\"; exit;; esac; done",
                        "r");
        char path[512] = "", want[256] = "";
        if (!p)
                return 77;
        if (!fgets(path, sizeof(path), p)) {
                pclose(p);
                return 77; /* no uncompressed xen-blkfront.ko on this machine */
        }
        pclose(p);
        xp_strip(path);
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "modinfo -F vermagic %s", path);
        p = popen(cmd, "r");
        CHECK(p != NULL);
        CHECK(fgets(want, sizeof(want), p) != NULL);
        pclose(p);
        xp_strip(want);
        FILE *f = fopen(path, "rb");
        CHECK(f != NULL);
        struct stat st;
        CHECK(fstat(fileno(f), &st) == 0);
        uint8_t *data = malloc((size_t)st.st_size);
        CHECK(data && fread(data, 1, (size_t)st.st_size, f) == (size_t)st.st_size);
        fclose(f);
        char got[256];
        CHECK_EQ_INT(xp_modinfo_get(data, (size_t)st.st_size, "vermagic", got, sizeof(got)), 0);
        xp_strip(got);
        CHECK_STREQ(got, want);
        CHECK_EQ_INT(xp_modinfo_get(data, (size_t)st.st_size, "no-such-key", got, sizeof(got)), 1);
        /* truncated ELF: an error, never a read past the end */
        CHECK(xp_modinfo_get(data, 200, "vermagic", got, sizeof(got)) != 0);
        free(data);
        return 0;
}
