/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Block devices and the root filesystem.
 *
 * Disks come from /sys/class/block (name, dev = MAJOR:MINOR, the class link
 * that names the bus): xvd* on major 202 is xen-blkfront, sd* behind an
 * ata port or hd* is emulated IDE/SATA, vd* virtio.  The root filesystem
 * comes from proc/self/mountinfo (proc/mounts as a fallback); device-mapper
 * and md roots are followed one level down their slaves/ to the disk.
 *
 * Live runs add what only the running system can say: libudev's view of the
 * root disk (ID_BUS, DEVNAME from the udev database) and libblkid's probe of
 * the root device (TYPE, UUID).  Neither feeds the verdict, so a snapshot
 * replays to the same result.
 */
#include "config.h"

#include <blkid.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <limits.h>
#include <unistd.h>

#include "probe.h"
#include "udev-lib.h"

#define SRC "block"
#define XEN_BLKIF_MAJOR 202

/* An xvd name alone is no Xen PV disk: EC2's udev rules (amazon-ec2-utils
 * 70-ec2-nvme-devices.rules, ebsnvme-id) name NVMe EBS volumes /dev/xvd*
 * on Nitro, which is KVM.  xen-blkfront's disks have its major (202) or
 * sit below a xen bus vbd device. */
static enum xp_disk_kind kind_of(const char *name, unsigned major, const char *link)
{
        if (major == XEN_BLKIF_MAJOR || (xp_startswith(name, "xvd") && link && strstr(link, "/vbd-")))
                return XP_DISK_XEN_PV;
        if (xp_startswith(name, "vd"))
                return XP_DISK_VIRTIO;
        if (xp_startswith(name, "nvme"))
                return XP_DISK_NVME;
        if (xp_startswith(name, "hd"))
                return XP_DISK_ATA;
        if (xp_startswith(name, "sd"))
                return link && strstr(link, "/ata") ? XP_DISK_ATA : XP_DISK_SCSI;
        if (xp_startswith(name, "dm-") || xp_startswith(name, "md") || xp_startswith(name, "loop") ||
            xp_startswith(name, "zram") || xp_startswith(name, "ram") || xp_startswith(name, "nbd"))
                return XP_DISK_VIRTUAL;
        return XP_DISK_OTHER;
}

/* mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER.
 * The last entry mounted on "/" is the visible root. */
int xp_parse_mountinfo_root(const char *text, char *src, size_t srclen, char *fstype, size_t fslen,
                            unsigned *major, unsigned *minor)
{
        int found = 1;
        for (const char *line = text; line && *line;) {
                const char *eol = strchr(line, '\n');
                size_t len = eol ? (size_t)(eol - line) : strlen(line);
                char buf[4096];
                if (len < sizeof(buf)) {
                        memcpy(buf, line, len);
                        buf[len] = '\0';
                        unsigned id, parent, ma, mi;
                        char mroot[1024], mpoint[1024];
                        int n = 0;
                        if (sscanf(buf, "%u %u %u:%u %1023s %1023s %n", &id, &parent, &ma, &mi, mroot,
                                   mpoint, &n) == 6 &&
                            strcmp(mpoint, "/") == 0) {
                                const char *dash = strstr(buf + n, " - ");
                                if (!dash && strncmp(buf + n, "- ", 2) == 0)
                                        dash = buf + n - 1;
                                char fs[64], so[1024];
                                if (dash && sscanf(dash + 3, "%63s %1023s", fs, so) == 2) {
                                        snprintf(fstype, fslen, "%s", fs);
                                        snprintf(src, srclen, "%s", so);
                                        *major = ma;
                                        *minor = mi;
                                        found = 0;
                                }
                        }
                }
                line = eol ? eol + 1 : NULL;
        }
        return found;
}

int xp_parse_mounts_root(const char *text, char *src, size_t srclen, char *fstype, size_t fslen)
{
        int found = 1;
        for (const char *line = text; line && *line;) {
                const char *eol = strchr(line, '\n');
                size_t len = eol ? (size_t)(eol - line) : strlen(line);
                char buf[4096], so[1024], mp[1024], fs[64];
                if (len < sizeof(buf)) {
                        memcpy(buf, line, len);
                        buf[len] = '\0';
                        if (sscanf(buf, "%1023s %1023s %63s", so, mp, fs) == 3 && strcmp(mp, "/") == 0) {
                                snprintf(src, srclen, "%s", so);
                                snprintf(fstype, fslen, "%s", fs);
                                found = 0;
                        }
                }
                line = eol ? eol + 1 : NULL;
        }
        return found;
}

static const char *const memory_fs[] = { "rootfs", "tmpfs", "ramfs" };
static const char *const network_fs[] = { "nfs", "nfs4", "cifs", "smb3", "9p", "virtiofs", "ceph", "glusterfs" };
static const char *const stacked_fs[] = { "overlay", "aufs", "squashfs" };

static bool in_list(const char *s, const char *const *list, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(s, list[i]) == 0)
                        return true;
        return false;
}

static struct xp_disk *find_disk(struct xp_facts *f, unsigned major, unsigned minor)
{
        for (size_t i = 0; i < f->block.n_disks; i++)
                if (f->block.disks[i].major == major && f->block.disks[i].minor == minor)
                        return &f->block.disks[i];
        return NULL;
}

static struct xp_disk *find_disk_name(struct xp_facts *f, const char *name)
{
        for (size_t i = 0; i < f->block.n_disks; i++)
                if (strcmp(f->block.disks[i].name, name) == 0)
                        return &f->block.disks[i];
        return NULL;
}

static void read_disks(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_facts *f = &r->facts;
        struct xp_root *root = xp_ctx_root(ctx);
        char **names = NULL;
        int e = xp_root_list_dir(root, "sys/class/block", &names);
        if (e < 0) {
                f->block.status = xp_status_from_errno(e);
                xp_evidence_add(r, SRC, "sys/class/block", f->block.status, NULL, "%s", strerror(-e));
                return;
        }
        f->block.status = XP_ST_FOUND;
        for (char **n = names; *n && f->block.n_disks < XP_MAX_DISKS; n++) {
                struct xp_disk *d = &f->block.disks[f->block.n_disks];
                char path[PATH_MAX], *v = NULL;
                /* loop, ram, zram, nbd: never a Xen or emulated disk, and a host
                 * may have hundreds; dm/md stay (their slaves lead to the disk) */
                if (xp_startswith(*n, "loop") || xp_startswith(*n, "ram") || xp_startswith(*n, "zram") ||
                    xp_startswith(*n, "nbd"))
                        continue;
                if (strlen(*n) >= sizeof(d->name))
                        continue; /* no kernel block device name is that long */
                char *clean = xp_sanitize(*n, strlen(*n), sizeof(d->name) - 4);
                snprintf(d->name, sizeof(d->name), "%s", clean ? clean : "?");
                free(clean);
                snprintf(path, sizeof(path), "sys/class/block/%s/dev", *n);
                if (xp_root_read_line(root, path, &v) < 0)
                        continue;
                int ok = sscanf(v, "%u:%u", &d->major, &d->minor) == 2;
                free(v);
                if (!ok)
                        continue;
                f->block.n_disks++;
                d->kind = kind_of(d->name, d->major, NULL);
                if (d->kind == XP_DISK_VIRTUAL)
                        continue; /* loop, zram, dm: the name says it all */
                snprintf(path, sizeof(path), "sys/class/block/%s", *n);
                if (xp_root_readlink(root, path, &v) == 0) {
                        snprintf(d->link, sizeof(d->link), "%s", v);
                        free(v);
                        /* ".../block/sda/sda1": a partition sits below its disk,
                         * which is a block device itself; an NVMe disk sits
                         * below its controller (".../nvme/nvme0/nvme0n1"),
                         * which is not */
                        char *last = strrchr(d->link, '/');
                        if (last && last > d->link) {
                                *last = '\0';
                                char *parent = strrchr(d->link, '/');
                                char ppath[PATH_MAX];
                                snprintf(ppath, sizeof(ppath), "sys/class/block/%s", parent ? parent + 1 : "");
                                d->partition = parent && strcmp(parent + 1, "block") != 0 &&
                                               (!xp_startswith(parent + 1, "nvme") || xp_root_exists(root, ppath));
                                *last = '/';
                        }
                }
                d->kind = kind_of(d->name, d->major, d->link);
                if (d->partition || d->kind == XP_DISK_VIRTUAL)
                        continue; /* partitions, loop and dm devices: only for the root lookup */
                char ev[96], val[96];
                snprintf(ev, sizeof(ev), "sys/class/block/%s", d->name);
                snprintf(val, sizeof(val), "%u:%u", d->major, d->minor);
                xp_evidence_add(r, SRC, ev, XP_ST_FOUND, val, "%s disk", xp_disk_kind_to_description(d->kind));
        }
        xp_strv_free(names);
}

/* A dm/md device's disk: first entry of its slaves/ directory. */
static struct xp_disk *lower_disk(struct xp_ctx *ctx, struct xp_facts *f, struct xp_disk *d)
{
        char path[160], **slaves = NULL;
        snprintf(path, sizeof(path), "sys/class/block/%s/slaves", d->name);
        if (xp_root_list_dir(xp_ctx_root(ctx), path, &slaves) < 0)
                return NULL;
        struct xp_disk *low = slaves[0] ? find_disk_name(f, slaves[0]) : NULL;
        xp_strv_free(slaves);
        return low;
}

/*
 * libudev and libblkid add live-only detail that never changes the verdict:
 * loaded on first use (probes/dl.c).
 */
#define BLKID_FNS(X, t) \
        X(t, blkid_new_probe_from_filename) \
        X(t, blkid_probe_enable_superblocks) \
        X(t, blkid_probe_set_superblocks_flags) \
        X(t, blkid_do_safeprobe) \
        X(t, blkid_probe_lookup_value) \
        X(t, blkid_free_probe)
XP_DL_DEFINE(blkid, BLKID_FNS, "libblkid.so.1");

static bool load_libs(struct xp_ctx *ctx)
{
        return xp_udev_load(ctx) == 0 && xp_dlopen_syms(ctx, &blkid_lib) == 0;
}

static void live_enrich(struct xp_ctx *ctx, struct xp_report *r, const struct xp_disk *d)
{
        if (!load_libs(ctx)) {
                xp_evidence_add(r, SRC, "udev (live)", XP_ST_UNAVAILABLE, NULL,
                                "libudev.so.1/libblkid.so.1 could not be loaded");
                return;
        }
        struct udev *udev = xp_udev.udev_new();
        if (!udev)
                return;
        struct udev_device *dev = xp_udev.udev_device_new_from_devnum(udev, 'b', makedev(d->major, d->minor));
        if (dev) {
                const char *bus = xp_udev.udev_device_get_property_value(dev, "ID_BUS");
                const char *node = xp_udev.udev_device_get_devnode(dev);
                char val[160];
                snprintf(val, sizeof(val), "%s ID_BUS=%s", node ? node : "?", bus ? bus : "(none)");
                xp_evidence_add(r, SRC, "udev (live)", XP_ST_FOUND, val, "udev's view of the root device");
                /* reading a block device needs root; an unprivileged run just has less detail */
                blkid_probe pr = node && geteuid() == 0 ? blkid.blkid_new_probe_from_filename(node) : NULL;
                if (pr) {
                        blkid.blkid_probe_enable_superblocks(pr, 1);
                        blkid.blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID);
                        const char *type = NULL, *uuid = NULL;
                        if (blkid.blkid_do_safeprobe(pr) == 0) {
                                blkid.blkid_probe_lookup_value(pr, "TYPE", &type, NULL);
                                blkid.blkid_probe_lookup_value(pr, "UUID", &uuid, NULL);
                                snprintf(val, sizeof(val), "TYPE=%s UUID=%s", type ? type : "?", uuid ? uuid : "?");
                                xp_evidence_add(r, SRC, "libblkid (live)", XP_ST_FOUND, val,
                                                "filesystem signature on the root device");
                        }
                        blkid.blkid_free_probe(pr);
                }
                xp_udev.udev_device_unref(dev);
        }
        xp_udev.udev_unref(udev);
}

static int run(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_facts *f = &r->facts;
        struct xp_root *root = xp_ctx_root(ctx);
        unsigned major = 0, minor = 0;
        bool have_devnum = false;
        char *text;

        read_disks(ctx, r);

        int e = xp_root_read_file(root, "proc/self/mountinfo", 4u << 20, &text, NULL);
        if (e == 0) {
                e = xp_parse_mountinfo_root(text, f->block.root_source, sizeof(f->block.root_source), f->block.root_fstype,
                                            sizeof(f->block.root_fstype), &major, &minor) == 0 ? 0 : -ENOENT;
                have_devnum = e == 0;
                if (e == 0)
                        f->block.root_table = "proc/self/mountinfo";
                free(text);
        }
        if (e < 0 && xp_root_read_file(root, "proc/mounts", 4u << 20, &text, NULL) == 0) {
                e = xp_parse_mounts_root(text, f->block.root_source, sizeof(f->block.root_source), f->block.root_fstype,
                                         sizeof(f->block.root_fstype)) == 0 ? 0 : -ENOENT;
                if (e == 0)
                        f->block.root_table = "proc/mounts";
                free(text);
        }
        if (e < 0) {
                f->block.rootfs = xp_status_from_errno(e);
                xp_evidence_add(r, SRC, "proc/self/mountinfo", f->block.rootfs, NULL, "root filesystem unknown");
                return f->block.status == XP_ST_FOUND ? 0 : 1;
        }
        f->block.rootfs = XP_ST_FOUND;
        { /* sanitize what came from the mount table */
                char *s = xp_sanitize(f->block.root_source, strlen(f->block.root_source), sizeof(f->block.root_source) - 4);
                snprintf(f->block.root_source, sizeof(f->block.root_source), "%s", s ? s : "?");
                free(s);
        }

        struct xp_disk *d = NULL;
        if (in_list(f->block.root_fstype, memory_fs, ELEMENTSOF(memory_fs)))
                f->block.root_kind = XP_DISK_MEMORY;
        else if (in_list(f->block.root_fstype, network_fs, ELEMENTSOF(network_fs)))
                f->block.root_kind = XP_DISK_NETWORK;
        else if (in_list(f->block.root_fstype, stacked_fs, ELEMENTSOF(stacked_fs)))
                f->block.root_kind = XP_DISK_VIRTUAL;
        else {
                if (have_devnum)
                        d = find_disk(f, major, minor);
                if (!d && xp_startswith(f->block.root_source, "/dev/"))
                        d = find_disk_name(f, f->block.root_source + 5);
                if (d) {
                        snprintf(f->block.root_devname, sizeof(f->block.root_devname), "%s", d->name);
                        f->block.root_kind = d->kind;
                        if (d->kind == XP_DISK_VIRTUAL) {
                                struct xp_disk *low = lower_disk(ctx, f, d);
                                if (low)
                                        f->block.root_kind = low->kind;
                        }
                } else
                        f->block.root_kind = XP_DISK_UNKNOWN;
        }
        char val[224];
        snprintf(val, sizeof(val), "%s on %s%s%s", f->block.root_fstype, f->block.root_source,
                 f->block.root_devname[0] ? " -> " : "", f->block.root_devname);
        xp_evidence_add(r, SRC, have_devnum ? "proc/self/mountinfo" : "proc/mounts", XP_ST_FOUND, val,
                        "root filesystem: %s", xp_disk_kind_to_description(f->block.root_kind));
        if (d && xp_root_is_live(root) && !xp_ctx_get_verdict_only(ctx))
                live_enrich(ctx, r, d);
        return 0;
}

const struct xp_probe xp_block_probe = {
        .name = SRC,
        .run = run,
};
