/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The floor for reading an initramfs: single-threaded in-process
 * decompression of one member with the format's own library, output
 * discarded into a 256 KiB buffer.  Built and run by bench/bench-initrd.sh:
 *   decomp gzip|xz|lzma|bzip2|zstd FILE
 * (lz4 legacy has no streaming API: the bench uses lz4cat for it).
 */
#include <bzlib.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define IN (1 << 20)
#define OUT (256 << 10)

int main(int argc, char **argv)
{
        if (argc != 3)
                return 2;
        FILE *f = fopen(argv[2], "rb");
        if (!f)
                return 1;
        static unsigned char in[IN], out[OUT];
        size_t n;
        unsigned long long total = 0;
        const char *k = argv[1];
        if (!strcmp(k, "gzip")) {
                z_stream z = { 0 };
                inflateInit2(&z, 31);
                int r = Z_OK;
                while (r != Z_STREAM_END && (n = fread(in, 1, IN, f)) > 0) {
                        z.next_in = in;
                        z.avail_in = (uInt)n;
                        do {
                                z.next_out = out;
                                z.avail_out = OUT;
                                r = inflate(&z, Z_NO_FLUSH);
                                total += OUT - z.avail_out;
                        } while (r == Z_OK && z.avail_out == 0);
                }
                inflateEnd(&z);
        } else if (!strcmp(k, "xz") || !strcmp(k, "lzma")) {
                lzma_stream s = LZMA_STREAM_INIT;
                if (!strcmp(k, "xz"))
                        (void)!lzma_stream_decoder(&s, UINT64_MAX, 0);
                else
                        (void)!lzma_alone_decoder(&s, UINT64_MAX);
                lzma_ret r = LZMA_OK;
                while (r != LZMA_STREAM_END && (n = fread(in, 1, IN, f)) > 0) {
                        s.next_in = in;
                        s.avail_in = n;
                        do {
                                s.next_out = out;
                                s.avail_out = OUT;
                                r = lzma_code(&s, LZMA_RUN);
                                total += OUT - s.avail_out;
                        } while (r == LZMA_OK && (s.avail_out == 0 || s.avail_in));
                }
                lzma_end(&s);
        } else if (!strcmp(k, "bzip2")) {
                bz_stream s = { 0 };
                BZ2_bzDecompressInit(&s, 0, 0);
                int r = BZ_OK;
                while (r != BZ_STREAM_END && (n = fread(in, 1, IN, f)) > 0) {
                        s.next_in = (char *)in;
                        s.avail_in = (unsigned)n;
                        do {
                                s.next_out = (char *)out;
                                s.avail_out = OUT;
                                r = BZ2_bzDecompress(&s);
                                total += OUT - s.avail_out;
                        } while (r == BZ_OK && (s.avail_out == 0 || s.avail_in));
                }
                BZ2_bzDecompressEnd(&s);
        } else if (!strcmp(k, "zstd")) {
                ZSTD_DStream *d = ZSTD_createDStream();
                while ((n = fread(in, 1, IN, f)) > 0) {
                        ZSTD_inBuffer ib = { in, n, 0 };
                        while (ib.pos < ib.size) {
                                ZSTD_outBuffer ob = { out, OUT, 0 };
                                if (ZSTD_isError(ZSTD_decompressStream(d, &ob, &ib)))
                                        return 1;
                                total += ob.pos;
                        }
                }
                ZSTD_freeDStream(d);
        } else
                return 2;
        fclose(f);
        fprintf(stderr, "%llu bytes\n", total);
        return 0;
}
