/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libudev, dlopen()ed on first use (probes/dl.c): one table of the
 * functions the block probe (the root disk as udev sees it) and the daemon
 * (the udev monitor that tells it a disk came or went) call, so the
 * library is loaded, and each function named, once.
 */
#pragma once

#include <libudev.h>

#include "core.h"

#define XP_UDEV_FNS(X, t)                                                                          \
        X(t, udev_new)                                                                             \
        X(t, udev_unref)                                                                           \
        X(t, udev_device_new_from_devnum)                                                          \
        X(t, udev_device_get_property_value)                                                       \
        X(t, udev_device_get_devnode)                                                              \
        X(t, udev_device_get_subsystem)                                                            \
        X(t, udev_device_get_action)                                                               \
        X(t, udev_device_get_sysname)                                                              \
        X(t, udev_device_unref)                                                                    \
        X(t, udev_monitor_new_from_netlink)                                                        \
        X(t, udev_monitor_filter_add_match_subsystem_devtype)                                      \
        X(t, udev_monitor_enable_receiving)                                                        \
        X(t, udev_monitor_get_fd)                                                                  \
        X(t, udev_monitor_receive_device)                                                          \
        X(t, udev_monitor_unref)

struct xp_udev_lib {
        XP_DL_FIELDS(XP_UDEV_FNS)
};
/* valid after xp_udev_load() returned 0 */
extern struct xp_udev_lib xp_udev;

/* Load libudev.so.1 (once; later calls return the first result): 0, or
 * -EOPNOTSUPP when it or one of the functions is missing. */
int xp_udev_load(struct xp_ctx *ctx);
