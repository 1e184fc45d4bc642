/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/xs-fill.c: the benchmarks' fast xenstore populator (not part of
 * xenprobe).  Reads alternating lines from standard input, a path then
 * its value (possibly empty), and writes each with libxenstore through
 * one connection: some 0.1 ms a node against the real xenstored, where
 * one xenstore-write process per batch costs ten times that in process
 * and shell overhead.  Exit 0 when every write went through, else 1 with
 * the path that failed.
 *
 *   gcc -O2 -o xs-fill bench/xs-fill.c -lxenstore
 *   printf '%s\n' /local/domain/1/name guest-1 | XENSTORED_PATH=... ./xs-fill
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

static char *get_line(char **buf, size_t *cap, FILE *in)
{
        ssize_t n = getline(buf, cap, in);
        if (n < 0)
                return NULL;
        if (n > 0 && (*buf)[n - 1] == '\n')
                (*buf)[n - 1] = '\0';
        return *buf;
}

int main(void)
{
        struct xs_handle *h = xs_open(0);
        if (!h) {
                fprintf(stderr, "xs-fill: cannot connect to xenstored: %s (is XENSTORED_PATH set?)\n", strerror(errno));
                return 1;
        }
        char *path = NULL, *value = NULL;
        size_t pcap = 0, vcap = 0;
        unsigned long n = 0;
        while (get_line(&path, &pcap, stdin)) {
                if (!get_line(&value, &vcap, stdin)) {
                        fprintf(stderr, "xs-fill: %s has no value line\n", path);
                        return 1;
                }
                if (!xs_write(h, XBT_NULL, path, value, strlen(value))) {
                        fprintf(stderr, "xs-fill: writing %s: %s\n", path, strerror(errno));
                        return 1;
                }
                n++;
        }
        fprintf(stderr, "xs-fill: %lu nodes written\n", n);
        free(path);
        free(value);
        xs_close(h);
        return 0;
}
