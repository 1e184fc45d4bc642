/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writing a whole buffer to a descriptor (snapshot, libkmod staging). */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "core.h"

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
