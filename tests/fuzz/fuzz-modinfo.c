/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: xp_modinfo_get() (probes/modinfo.c) on arbitrary bytes, the
 * way the initramfs checks read the vermagic of a module kept in memory.
 * The input is the module file.  When it starts with a compression magic
 * (xen-blkfront.ko.xz, .ko.zst, .ko.gz), it is first decoded with the
 * product's streaming decoders (probes/boot/decompress.c, output capped) and
 * .modinfo is read from the result, as for a compressed module.
 *
 * Checked: no crash; a value found is NUL-terminated within the buffer.
 */
#include "config.h"

#include "fuzz-util.h"
#include "boot/initrd.h"
#include "probe.h"

#define OUT_MAX (4u << 20)

struct out {
        uint8_t *p;
        size_t n, cap;
};

static int sink(void *ud, const uint8_t *p, size_t n)
{
        struct out *o = ud;
        if (o->n + n > OUT_MAX)
                return 1; /* enough: stop early, as the reader does */
        if (o->n + n > o->cap) {
                size_t cap = o->cap ? o->cap : 4096;
                while (cap < o->n + n)
                        cap *= 2;
                uint8_t *q = realloc(o->p, cap);
                if (!q)
                        abort();
                o->p = q;
                o->cap = cap;
        }
        memcpy(o->p + o->n, p, n);
        o->n += n;
        return 0;
}

static void lookup(const uint8_t *data, size_t size)
{
        static const char *const keys[] = { "vermagic", "name", "depends", "license", "alias", "", "=" };
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
                static const size_t lens[] = { 1, 2, 16, 128 };
                for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
                        char buf[128 + 1];
                        memset(buf, 'X', sizeof(buf));
                        int r = xp_modinfo_get(data, size, keys[k], buf, lens[l]);
                        FUZZ_ASSERT(r == 0 || r == 1 || r == -EBADMSG, "xp_modinfo_get returned %d", r);
                        if (r == 0)
                                FUZZ_ASSERT(memchr(buf, '\0', lens[l]), "value of %s not terminated within %zu",
                                            keys[k], lens[l]);
                        FUZZ_ASSERT(buf[lens[l]] == 'X', "wrote past buflen %zu", lens[l]);
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* an exact-size copy: any read past SIZE is caught */
        lookup(data, size);

        enum xp_comp c = xp_comp_detect(data, size);
        if (c == XP_COMP_NONE || c == XP_COMP_UNKNOWN || c == XP_COMP_LZ4_FRAME)
                return 0;
        struct xp_ctx *ctx = xp_ctx_new(NULL);
        struct xp_decoder *d = NULL;
        if (!ctx)
                abort();
        xp_ctx_set_log_priority(ctx, LOG_EMERG);
        if (xp_decoder_new(ctx, c, 1, &d) < 0) {
                xp_ctx_unref(ctx);
                return 0;
        }
        struct out o = { 0 };
        size_t off = 0;
        int r = 0;
        /* feed in two pieces: the decoders must keep state across calls */
        size_t first = size / 2;
        while (off < size) {
                size_t used = 0, chunk = off < first ? first - off : size - off;
                r = xp_decoder_feed(d, data + off, chunk, &used, sink, &o);
                FUZZ_ASSERT(used <= chunk, "decoder used %zu of %zu", used, chunk);
                off += used;
                if (r != 0)
                        break;
                if (used == 0) {
                        if (off >= first)
                                break;
                        first = off; /* give it everything that is left */
                }
        }
        if (r == 0)
                r = xp_decoder_eof(d, sink, &o);
        (void)xp_decoder_error(d);
        FUZZ_ASSERT(xp_decoder_out_bytes(d) >= o.n, "out_bytes %llu < %zu delivered",
                    (unsigned long long)xp_decoder_out_bytes(d), o.n);
        xp_decoder_free(d);
        xp_ctx_unref(ctx);
        if (o.n) {
                /* exact-size copy of the decoded module */
                uint8_t *m = malloc(o.n);
                if (!m)
                        abort();
                memcpy(m, o.p, o.n);
                lookup(m, o.n);
                free(m);
        }
        free(o.p);
        return 0;
}
