/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * PCI: the Xen platform device 5853:0001 (qemu-xen's xen-platform, present in
 * HVM guests unless xen_platform_pci=0; absent in PV and PVH, which have no
 * PCI bus of their own).  Its presence alone does not prove the PV drivers
 * are in use: that takes xenbus frontends.  Network controllers' drivers
 * tell emulated NICs (e1000, 8139cp) from none.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

#define SRC "pci"
#define XEN_PLATFORM_VENDOR 0x5853
#define XEN_PLATFORM_DEVICE 0x0001

static int read_hex(struct xp_ctx *ctx, const char *dev, const char *attr, unsigned long *ret)
{
        char path[PATH_MAX], *v, *end;
        snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/%s", dev, attr);
        int e = xp_root_read_line(xp_ctx_root(ctx), path, &v);
        if (e < 0)
                return e;
        errno = 0;
        *ret = strtoul(v, &end, 16);
        e = (errno || end == v || *end) ? -EINVAL : 0;
        free(v);
        return e;
}

/* The driver bound to DEV, sanitized for display ("" when none). */
static void driver_of(struct xp_ctx *ctx, const char *dev, char *buf, size_t len)
{
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "sys/bus/pci/devices/%s", dev);
        if (xp_root_read_driver(xp_ctx_root(ctx), path, buf, len) < 0)
                return;
        char *s = xp_sanitize(buf, strlen(buf), len - 4);
        snprintf(buf, len, "%s", s ? s : "");
        free(s);
}

static int run(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_facts *f = &r->facts;
        char **devs = NULL;
        int e = xp_root_list_dir(xp_ctx_root(ctx), "sys/bus/pci/devices", &devs);
        if (e < 0) {
                f->pci.status = xp_status_from_errno(e);
                xp_evidence_add(r, SRC, "sys/bus/pci/devices", f->pci.status, NULL, "%s",
                                e == -ENOENT ? "no PCI bus (Xen PV or PVH guest, or no PCI at all)" : strerror(-e));
                return 1;
        }
        f->pci.status = XP_ST_FOUND;
        size_t n = 0;
        for (char **d = devs; *d; d++, n++) {
                if (strlen(*d) > 64)
                        continue; /* PCI addresses are DDDD:BB:DD.F */
                unsigned long vendor, device, class;
                if (read_hex(ctx, *d, "vendor", &vendor) < 0 || read_hex(ctx, *d, "device", &device) < 0)
                        continue;
                if (vendor == XEN_PLATFORM_VENDOR && device == XEN_PLATFORM_DEVICE) {
                        f->pci.platform_dev = true;
                        driver_of(ctx, *d, f->pci.platform_driver, sizeof(f->pci.platform_driver));
                        char ev[96], val[96];
                        snprintf(ev, sizeof(ev), "sys/bus/pci/devices/%s", *d);
                        snprintf(val, sizeof(val), "5853:0001 driver=%s",
                                 f->pci.platform_driver[0] ? f->pci.platform_driver : "(none)");
                        xp_evidence_add(r, SRC, ev, XP_ST_FOUND, val, "%s",
                                        f->pci.platform_driver[0]
                                                ? "Xen platform device bound: the kernel can unplug emulated disks/NICs and use PV drivers"
                                                : "Xen platform device present but no driver bound: PV drivers cannot take over");
                }
                if (read_hex(ctx, *d, "class", &class) == 0 && (class >> 16) == 0x02) {
                        char drv[32];
                        driver_of(ctx, *d, drv, sizeof(drv));
                        size_t l = strlen(f->pci.nic_drivers);
                        snprintf(f->pci.nic_drivers + l, sizeof(f->pci.nic_drivers) - l, "%s%s", l ? " " : "",
                                 drv[0] ? drv : "(unbound)");
                }
        }
        xp_strv_free(devs);
        if (!f->pci.platform_dev) {
                /* true whatever the verdict: dom0, PV and PVH have no
                 * device model; the classifier names the HVM cause */
                char val[64];
                snprintf(val, sizeof(val), "%zu devices, no 5853:0001", n);
                xp_evidence_add(r, SRC, "sys/bus/pci/devices", XP_ST_FOUND, val,
                                "no Xen platform device (the Xen device model adds one to HVM domUs only, unless xen_platform_pci=0)");
        }
        if (f->pci.nic_drivers[0])
                xp_evidence_add(r, SRC, "sys/bus/pci/devices/*/driver (class 02)", XP_ST_FOUND, f->pci.nic_drivers,
                                "emulated or passed-through network controllers");
        return 0;
}

const struct xp_probe xp_pci_probe = {
        .name = SRC,
        .run = run,
};
