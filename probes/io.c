/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small reads through the root (one sysfs leaf, the driver a device is
 * bound to) and writing a whole buffer to a descriptor (snapshot, libkmod
 * staging). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

int xp_root_read_leaf(struct xp_root *root, const char *path, char *buf, size_t len)
{
        char *v = NULL;
        buf[0] = '\0';
        int e = xp_root_read_line(root, path, &v);
        if (e < 0)
                return e;
        char *s = xp_sanitize(v, strlen(v), len - 4); /* a guest image's files are hostile */
        free(v);
        if (!s)
                return -ENOMEM;
        snprintf(buf, len, "%s", s);
        free(s);
        return 0;
}

int xp_root_read_driver(struct xp_root *root, const char *dev, char *buf, size_t len)
{
        char path[PATH_MAX], *link = NULL;
        buf[0] = '\0';
        if ((size_t)snprintf(path, sizeof(path), "%s/driver", dev) >= sizeof(path))
                return -ENAMETOOLONG;
        int e = xp_root_readlink(root, path, &link);
        if (e < 0)
                return e;
        const char *base = strrchr(link, '/');
        snprintf(buf, len, "%s", base ? base + 1 : link);
        free(link);
        return 0;
}

int xp_write_all(int fd, const void *data, size_t len)
{
        const char *p = data;
        for (size_t off = 0; off < len;) {
                ssize_t n = write(fd, p + off, len - off);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                off += (size_t)n;
        }
        return 0;
}
