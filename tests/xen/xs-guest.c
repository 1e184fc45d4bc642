/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xs-guest: the guest side of make check-xen's xenstore limit tests, run
 * inside a real domU (tests/xen/guest-init.sh).  It talks to xenstored the
 * way xenprobe does (libxenstore over /dev/xen/xenbus) and prints, for each
 * request, one line "OP PATH -> ok" or "OP PATH -> EACCES (Permission
 * denied)", so the host-side checker (tests/xen/check.sh) reads the errno
 * xenstored really answered, not a client's message.
 *
 *   xs-guest write PATH VALUE        write VALUE (as given)
 *   xs-guest writex PATH HEX         write the bytes HEX encodes (NUL allowed)
 *   xs-guest writen PATH BYTES CHAR  write BYTES copies of CHAR
 *   xs-guest read PATH               read, print the length
 *   xs-guest mkdir PATH | rm PATH | ls PATH
 *   xs-guest fill PATH COUNT         create COUNT nodes PATH/I/J (100 per
 *                                    directory: the C xenstored counts a
 *                                    directory's child names against its
 *                                    node-size quota), one request each, until
 *                                    the first refusal; prints how many went in
 *   xs-guest nest PATH DEPTH         PATH/d/d/.../d (DEPTH levels) = "x"
 *
 * Exit status: 0 every request succeeded, 1 one was refused, 2 usage or no
 * connection.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

static const char *errname(int e)
{
        switch (e) {
        case EACCES: return "EACCES";
        case EPERM: return "EPERM";
        case ENOENT: return "ENOENT";
        case ENOSPC: return "ENOSPC";
        case E2BIG: return "E2BIG";
        case EDQUOT: return "EDQUOT";
        case EINVAL: return "EINVAL";
        case EEXIST: return "EEXIST";
        case ENOMEM: return "ENOMEM";
        case EAGAIN: return "EAGAIN";
        case EIO: return "EIO";
        default: return "E?";
        }
}

/* E is errno saved right after the call: never pass errno next to the
 * call itself (the order arguments are evaluated in is unspecified) */
static int report(const char *op, const char *path, bool ok, int e)
{
        if (ok) {
                printf("%s %s -> ok\n", op, path);
                return 0;
        }
        printf("%s %s -> %s (%s)\n", op, path, errname(e), strerror(e));
        return 1;
}

static int hexval(int c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int main(int argc, char **argv)
{
        if (argc < 3) {
                fprintf(stderr, "usage: xs-guest write|writex|writen|read|mkdir|rm|ls|fill|nest PATH [ARGS]\n");
                return 2;
        }
        struct xs_handle *h = xs_open(0);
        if (!h) {
                perror("xs-guest: xs_open");
                return 2;
        }
        const char *op = argv[1], *path = argv[2];
        int rc = 0;
        if (!strcmp(op, "write") && argc == 4) {
                bool ok = xs_write(h, XBT_NULL, path, argv[3], strlen(argv[3]));
                rc = report(op, path, ok, errno);
        } else if (!strcmp(op, "writex") && argc == 4) {
                size_t n = strlen(argv[3]) / 2;
                char *buf = malloc(n + 1);
                for (size_t i = 0; buf && i < n; i++) {
                        int hi = hexval(argv[3][2 * i]), lo = hexval(argv[3][2 * i + 1]);
                        if (hi < 0 || lo < 0) {
                                fprintf(stderr, "xs-guest: bad hex\n");
                                return 2;
                        }
                        buf[i] = (char)(hi << 4 | lo);
                }
                bool ok = buf && xs_write(h, XBT_NULL, path, buf, n);
                rc = report(op, path, ok, errno);
                free(buf);
        } else if (!strcmp(op, "writen") && argc == 5) {
                size_t n = strtoul(argv[3], NULL, 10);
                char *buf = malloc(n + 1);
                if (buf)
                        memset(buf, argv[4][0], n);
                bool ok = buf && xs_write(h, XBT_NULL, path, buf, n);
                int e = errno;
                printf("(%zu bytes) ", n);
                rc = report(op, path, ok, e);
                free(buf);
        } else if (!strcmp(op, "read") && argc == 3) {
                unsigned len = 0;
                void *v = xs_read(h, XBT_NULL, path, &len);
                int e = errno;
                if (v)
                        printf("(%u bytes) ", len);
                rc = report(op, path, v != NULL, e);
                free(v);
        } else if (!strcmp(op, "mkdir") && argc == 3) {
                bool ok = xs_mkdir(h, XBT_NULL, path);
                rc = report(op, path, ok, errno);
        } else if (!strcmp(op, "rm") && argc == 3) {
                bool ok = xs_rm(h, XBT_NULL, path);
                rc = report(op, path, ok, errno);
        } else if (!strcmp(op, "ls") && argc == 3) {
                unsigned n = 0;
                char **v = xs_directory(h, XBT_NULL, path, &n);
                int e = errno;
                if (v)
                        printf("(%u entries) ", n);
                rc = report(op, path, v != NULL, e);
                free(v);
        } else if (!strcmp(op, "fill") && argc == 4) {
                unsigned long count = strtoul(argv[3], NULL, 10), i;
                char p[512];
                int e = 0;
                for (i = 0; i < count; i++) {
                        snprintf(p, sizeof(p), "%s/%lu/%lu", path, i / 100, i % 100);
                        if (!xs_write(h, XBT_NULL, p, "1", 1)) {
                                e = errno;
                                break;
                        }
                }
                printf("fill %s: %lu of %lu nodes written", path, i, count);
                if (i < count)
                        printf(", then %s (%s)", errname(e), strerror(e));
                printf("\n");
                rc = i < count;
        } else if (!strcmp(op, "nest") && argc == 4) {
                unsigned long depth = strtoul(argv[3], NULL, 10);
                char p[4096];
                size_t len = (size_t)snprintf(p, sizeof(p), "%s", path);
                for (unsigned long i = 0; i < depth && len + 3 < sizeof(p); i++)
                        len += (size_t)snprintf(p + len, sizeof(p) - len, "/d");
                bool ok = xs_write(h, XBT_NULL, p, "x", 1);
                rc = report("nest", p, ok, errno);
        } else {
                fprintf(stderr, "xs-guest: bad arguments for %s\n", op);
                rc = 2;
        }
        xs_close(h);
        return rc;
}
