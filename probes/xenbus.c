/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The xen bus: /sys/bus/xen/devices/<type>-<id> (drivers/xen/xenbus,
 * Documentation/ABI/stable/sysfs-bus-xen-backend and the frontend's
 * devtype, nodename, state attributes).  A frontend whose state reads
 * "Connected" (XenbusStateConnected = 4) with a driver bound is a PV driver
 * in use: this is what separates PVHVM from plain HVM.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

#define SRC "xenbus"

/* include/xen/interface/io/xenbus.h: the sysfs "state" attribute prints
 * xenbus_strstate(); older kernels printed the number */
static const char *const state_names[] = {
        "Unknown", "Initialising", "InitWait", "Initialised", "Connected",
        "Closing", "Closed", "Reconfiguring", "Reconfigured",
};

static bool state_connected(const char *s)
{
        return strcmp(s, state_names[4]) == 0 || strcmp(s, "4") == 0;
}

static void read_attr(struct xp_ctx *ctx, struct xp_report *r, const char *dev, const char *attr, char *buf,
                      size_t len)
{
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "sys/bus/xen/devices/%s/%s", dev, attr);
        int e = xp_root_read_leaf(xp_ctx_root(ctx), path, buf, len);
        /* absent is normal (old kernels); a failed read is evidence */
        if (e < 0 && e != -ENOENT)
                xp_evidence_add(r, SRC, path, XP_ST_UNREADABLE, NULL, "%s", strerror(-e));
}

/* The hypervisor probe ran first: do its facts say dom0? */
static bool in_dom0(const struct xp_facts *f)
{
        return (f->hv.start_flags == XP_ST_FOUND && f->hv.sif_initdomain) || f->hv.control_d ||
               xp_hv_has_feature(&f->hv, XENFEAT_dom0);
}

/* What a frontend device's state means, for the evidence line. */
static const char *dev_meaning(const struct xp_xenbus_dev *x)
{
        if (x->dom0_dm_nic)
                return "in dom0: the device model's default NIC, not a device the toolstack configured (QEMU 9.0+'s xenpv machine, which the init script starts for dom0 without -nodefaults, offers it through its qnic backend); nothing needs a frontend driver for it";
        if (x->connected && !x->state[0])
                return "PV frontend bound and its disk made (this kernel's xen bus has no state attribute; blkfront adds the disk once connected): PV driver in use";
        if (x->driver[0] && !x->state[0] && !x->connected)
                return "PV frontend bound; this kernel's xen bus has no state attribute (the classic xenbus), so whether it connected is not known";
        return x->connected  ? "PV frontend connected to its backend: PV driver in use"
               : x->driver[0] ? "PV frontend bound but not connected"
                              : "PV device offered by the toolstack but no frontend driver bound";
}

/* Does the xen bus device DEV have a disk linked into it? */
static bool has_disk(struct xp_root *root, const char *dev)
{
        char path[PATH_MAX], **names = NULL;
        bool found = false;
        snprintf(path, sizeof(path), "sys/bus/xen/devices/%s", dev);
        if (xp_root_list_dir(root, path, &names) < 0)
                return false;
        for (char **n = names; *n && !found; n++) {
                if (strcmp(*n, "block") != 0 && !xp_startswith(*n, "block:"))
                        continue;
                /* read it through the root, so that `snapshot` keeps it:
                 * the 2.6.18 link, or the directory */
                char sub[PATH_MAX + 64], *target = NULL;
                snprintf(sub, sizeof(sub), "%s/%s", path, *n);
                found = xp_root_readlink(root, sub, &target) == 0 || xp_root_exists(root, sub);
                free(target);
        }
        xp_strv_free(names);
        return found;
}

static int run(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_facts *f = &r->facts;
        struct xp_root *root = xp_ctx_root(ctx);
        char **devs = NULL;

        int e = xp_root_list_dir(root, "sys/bus/xen/devices", &devs);
        if (e < 0) {
                f->xenbus.status = xp_status_from_errno(e);
                xp_evidence_add(r, SRC, "sys/bus/xen/devices", f->xenbus.status, NULL, "%s",
                                e == -ENOENT ? "no xen bus: no PV frontends (not Xen, HVM without PV drivers, or nopv)"
                                             : strerror(-e));
                return 1;
        }
        f->xenbus.status = XP_ST_FOUND;
        if (!devs[0])
                xp_evidence_add(r, SRC, "sys/bus/xen/devices", XP_ST_FOUND, "(empty)",
                                "xen bus registered but no frontend device attached");
        for (char **d = devs; *d && f->xenbus.n_devs < XP_MAX_XENBUS; d++) {
                if (strlen(*d) >= sizeof(f->xenbus.devs[0].name))
                        continue; /* xenbus names are "<type>-<id>": short */
                struct xp_xenbus_dev *x = &f->xenbus.devs[f->xenbus.n_devs++];
                char *s = xp_sanitize(*d, strlen(*d), sizeof(x->name) - 4);
                snprintf(x->name, sizeof(x->name), "%s", s ? s : "?");
                free(s);
                read_attr(ctx, r, *d, "devtype", x->devtype, sizeof(x->devtype));
                read_attr(ctx, r, *d, "nodename", x->nodename, sizeof(x->nodename));
                read_attr(ctx, r, *d, "state", x->state, sizeof(x->state));
                if (!x->devtype[0]) {
                        /* devtype is "vbd" for "vbd-51712" */
                        size_t n = strcspn(x->name, "-");
                        if (n >= sizeof(x->devtype))
                                n = sizeof(x->devtype) - 1;
                        memcpy(x->devtype, x->name, n);
                        x->devtype[n] = '\0';
                }
                char path[PATH_MAX];
                snprintf(path, sizeof(path), "sys/bus/xen/devices/%s", *d);
                (void)xp_root_read_driver(root, path, x->driver, sizeof(x->driver));
                /* the classic xenbus (linux-2.6.18-xen drivers/xen/xenbus/
                 * xenbus_probe.c) exports nodename, devtype and modalias but
                 * no state: there a disk below the device tells, since
                 * blkfront adds its gendisk only once the backend connected
                 * (connect() -> xlvbd_add()) and the driver core links it
                 * into the device: "block:xvda" in 2.6.18
                 * (fs/partitions/check.c disk_sysfs_symlinks()), a "block"
                 * directory since the block class (2.6.25) */
                x->has_disk = has_disk(root, *d);
                x->connected = x->driver[0] && (state_connected(x->state) || (!x->state[0] && x->has_disk));
                /* tools/hotplug/Linux/init.d/xencommons.in starts
                 * "qemu -xen-domid 0 -xen-attach -M xenpv" without
                 * -nodefaults; QEMU 9.0+ gives that machine the default NIC
                 * (hw/net/xen_nic.c: backend "qnic", frontend "vif") */
                x->dom0_dm_nic = in_dom0(f) && strcmp(x->devtype, "vif") == 0 && !x->driver[0];

                char ev[96], val[192];
                snprintf(ev, sizeof(ev), "sys/bus/xen/devices/%s", x->name);
                snprintf(val, sizeof(val), "%s %s state=%s driver=%s", x->devtype, x->nodename,
                         x->state[0] ? x->state : "?", x->driver[0] ? x->driver : "(none)");
                xp_evidence_add(r, SRC, ev, XP_ST_FOUND, val, "%s", dev_meaning(x));
        }
        xp_strv_free(devs);
        return 0;
}

const struct xp_probe xp_xenbus_probe = {
        .name = SRC,
        .run = run,
};
