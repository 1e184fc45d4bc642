/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Replace a file atomically (agent/atomic-file.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic-file.h"

/* the directory part of PATH ("." when none), malloc()ed */
static char *dir_of(const char *path)
{
        const char *slash = strrchr(path, '/');
        if (!slash)
                return strdup(".");
        if (slash == path)
                return strdup("/");
        return strndup(path, (size_t)(slash - path));
}

int xp_atomic_open(struct xp_atomic_file *af, const char *path)
{
        *af = (struct xp_atomic_file){ .path = strdup(path) };
        char *dir = dir_of(path);
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        if (!af->path || !dir || !*base || asprintf(&af->tmp, "%s/.%s.XXXXXX", dir, base) < 0) {
                int e = !*base ? -EISDIR : -ENOMEM;
                af->tmp = NULL;
                free(dir);
                xp_atomic_abort(af);
                return e;
        }
        free(dir);
        int fd = mkostemp(af->tmp, O_CLOEXEC);
        if (fd < 0) {
                int e = -errno;
                free(af->tmp);
                af->tmp = NULL;
                xp_atomic_abort(af);
                return e;
        }
        af->f = fdopen(fd, "w");
        if (!af->f) {
                int e = -errno;
                close(fd);
                xp_atomic_abort(af);
                return e;
        }
        return 0;
}

/* fsync the directory of PATH, so the rename survives a crash */
static int sync_dir(const char *path)
{
        char *dir = dir_of(path);
        if (!dir)
                return -ENOMEM;
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        free(dir);
        if (fd < 0)
                return -errno;
        int e = fsync(fd) < 0 && errno != EINVAL ? -errno : 0;
        close(fd);
        return e;
}

int xp_atomic_commit(struct xp_atomic_file *af, mode_t mode)
{
        int e = 0;
        errno = 0;
        if (fflush(af->f) != 0 || ferror(af->f))
                e = -(errno ? errno : EIO);
        else if (fchmod(fileno(af->f), mode) < 0)
                e = -errno;
        else if (fsync(fileno(af->f)) < 0 && errno != EINVAL)
                e = -errno;
        if (fclose(af->f) != 0 && e == 0)
                e = -errno;
        af->f = NULL;
        if (e == 0 && rename(af->tmp, af->path) < 0)
                e = -errno;
        if (e == 0) {
                free(af->tmp); /* renamed: nothing to remove */
                af->tmp = NULL;
                /* FILE is replaced now, whatever this says: a failure
                 * only puts the rename's survival of a crash at stake,
                 * and a caller told "failed" would say the file was left
                 * as it was, which it was not */
                (void)sync_dir(af->path);
        }
        xp_atomic_abort(af);
        return e;
}

void xp_atomic_abort(struct xp_atomic_file *af)
{
        if (af->f)
                fclose(af->f);
        if (af->tmp)
                unlink(af->tmp);
        free(af->tmp);
        free(af->path);
        *af = (struct xp_atomic_file){};
}
