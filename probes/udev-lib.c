/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libudev loaded once for the block probe and the daemon (udev-lib.h). */
#include "config.h"

#include "udev-lib.h"

struct xp_udev_lib xp_udev;

static const struct xp_dl_sym udev_syms[] = { XP_DL_ENTRIES(xp_udev, XP_UDEV_FNS){} };
static struct xp_dl_lib udev_lib = { "libudev.so.1", udev_syms, 0 };

int xp_udev_load(struct xp_ctx *ctx)
{
        return xp_dlopen_syms(ctx, &udev_lib);
}
