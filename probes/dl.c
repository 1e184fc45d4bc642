/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Load a shared library and its symbols on first use (systemd's
 * dlopen_many_sym_or_warn() pattern).  Mapping a library costs more at
 * start-up than all the probes together on small VMs, and most runs need
 * only some of them (`--short` needs none of libkmod, libudev, libblkid,
 * zlib).  Handles stay open for the life of the process.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <string.h>

#include "core.h"

int xp_dlopen_syms(struct xp_ctx *ctx, struct xp_dl_lib *lib)
{
        if (lib->state)
                return lib->state > 0 ? 0 : -EOPNOTSUPP;
        lib->state = -1;
        void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                const char *why = dlerror();
                DBG(ctx, "%s: %s", lib->soname, why);
                /* glibc's words when it ran out of memory while loading */
                if (why && (strcasestr(why, "allocate") || strstr(why, "cannot create") ||
                            strstr(why, "out of memory"))) {
                        /* not "library missing": say so, and try again next time */
                        lib->state = 0;
                        xp_note_enomem();
                        return -ENOMEM;
                }
                return -EOPNOTSUPP;
        }
        for (const struct xp_dl_sym *s = lib->syms; s->name; s++) {
                void *p = dlsym(h, s->name);
                if (!p) {
                        DBG(ctx, "%s: no symbol %s", lib->soname, s->name);
                        dlclose(h);
                        return -EOPNOTSUPP;
                }
                *s->ptr = p;
        }
        lib->state = 1;
        return 0;
}
