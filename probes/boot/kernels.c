/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Boot readiness: will each installed kernel boot under Xen as PV, PVH and
 * HVM/PVHVM?  Kernels and initramfs images are paired the ways the
 * distributions name them (Debian vmlinuz-V + initrd.img-V, Fedora
 * initramfs-V.img and BLS entries, SUSE initrd-V, Arch vmlinuz-linux +
 * initramfs-linux.img with the version from the bzImage header), each
 * image is read (probes/boot/image.c), and the system-wide conditions are
 * checked: device names in fstab and on kernel command lines, a bootloader
 * configuration pygrub/pvgrub can read, a console on hvc0.
 *
 * Everything is read through the root object: the same code runs on the
 * live system and, from dom0, on a mounted guest image.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "initrd.h"
#include "probe.h"

#define TEXT_MAX (1u << 20)

const char *xp_boot_mode_to_string(enum xp_boot_mode m)
{
        static const char *const t[_XP_BOOT_MAX] = { "pv", "pvh", "hvm" };
        return m < _XP_BOOT_MAX ? t[m] : "?";
}

void xp_boot_clear(struct xp_boot *b)
{
        for (size_t i = 0; i < b->n_kernels; i++) {
                struct xp_boot_kernel *k = &b->kernels[i];
                xp_image_free(k->image);
                xp_checks_clear(&k->checks);
                for (int m = 0; m < _XP_BOOT_MAX; m++)
                        free(k->mode_why[m]);
        }
        xp_strv_free(b->orphans);
        xp_checks_clear(&b->checks);
        memset(b, 0, sizeof(*b));
}

static bool endswith(const char *s, const char *suffix)
{
        size_t l = strlen(s), n = strlen(suffix);
        return l >= n && strcmp(s + l - n, suffix) == 0;
}

/* ------------------------------------------------------------- pairing */

/* bzImage: setup header at 0x1f1, "HdrS" at 0x202, kernel_version pointer
 * (u16) at 0x20e, string at pointer + 0x200 (Documentation/x86/boot.rst). */
static int bzimage_version(struct xp_root *root, const char *path, char *out, size_t outlen)
{
        /* a regular file only: a guest-planted FIFO here blocked open()
         * for ever, and a device node would have been opened */
        int fd = xp_root_open_file(root, path);
        if (fd < 0)
                return fd;
        uint8_t hdr[0x210];
        int e = -EINVAL;
        if (pread(fd, hdr, sizeof(hdr), 0) == (ssize_t)sizeof(hdr) && memcmp(hdr + 0x202, "HdrS", 4) == 0) {
                unsigned ptr = (unsigned)hdr[0x20e] | (unsigned)hdr[0x20f] << 8;
                char v[128];
                ssize_t n = ptr ? pread(fd, v, sizeof(v) - 1, (off_t)ptr + 0x200) : -1;
                if (n > 0) {
                        v[n] = '\0';
                        /* "6.1.0-13-amd64 (debian-kernel@...) #1 SMP ..." */
                        size_t l = strcspn(v, " \n");
                        if (l > 0 && l < outlen) {
                                memcpy(out, v, l);
                                out[l] = '\0';
                                e = 0;
                        }
                }
        }
        close(fd);
        return e;
}

static const char *const kernel_prefixes[] = { "vmlinuz-", "vmlinux-", "kernel-", "bzImage-", "Image-" };
/* initrd name patterns: prefix + SUFFIX + tail */
static const struct {
        const char *prefix, *tail;
} initrd_names[] = {
        { "initrd.img-", "" },   /* Debian, Ubuntu */
        { "initramfs-", ".img" }, /* Fedora, RHEL, Arch, Gentoo */
        { "initrd-", "" },       /* SUSE */
        { "initrd-", ".img" },
        { "initramfs-", "-fallback.img" }, /* Arch's second image */
};

/* The kernel suffix an initrd file name belongs to, or false. */
static bool initrd_suffix(const char *name, char *out, size_t outlen, bool *fallback)
{
        for (size_t i = 0; i < ELEMENTSOF(initrd_names); i++) {
                size_t pl = strlen(initrd_names[i].prefix), tl = strlen(initrd_names[i].tail);
                size_t l = strlen(name);
                if (l <= pl + tl || strncmp(name, initrd_names[i].prefix, pl) != 0 ||
                    strcmp(name + l - tl, initrd_names[i].tail) != 0)
                        continue;
                if (!tl && endswith(name, ".img"))
                        continue; /* "initrd-V.img" is the next pattern */
                size_t sl = l - pl - tl;
                if (sl >= outlen)
                        return false;
                memcpy(out, name + pl, sl);
                out[sl] = '\0';
                if (i != ELEMENTSOF(initrd_names) - 1 && endswith(out, "-fallback"))
                        continue;
                *fallback = i == ELEMENTSOF(initrd_names) - 1;
                return true;
        }
        return false;
}

static bool skip_name(const char *n)
{
        /* aliases and leftovers, not kernels of their own */
        return endswith(n, ".old") || endswith(n, ".bak") || endswith(n, ".sig") || endswith(n, ".hmac") ||
               endswith(n, ".dpkg-bak") || endswith(n, "-rescue") || strstr(n, "-rescue-") != NULL;
}

/* A kernel version names paths (lib/modules/V, boot/config-V): only the
 * characters kernel releases use. */
static bool valid_version(const char *v)
{
        if (!v[0] || v[0] == '.' || strlen(v) > 80)
                return false;
        for (const char *p = v; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      strchr("._+~-", *p)))
                        return false;
        return true;
}

static struct xp_boot_kernel *add_kernel(struct xp_boot *b, const char *version, const char *kpath,
                                         const char *how)
{
        if (!valid_version(version))
                return NULL;
        for (size_t i = 0; i < b->n_kernels; i++)
                if (strcmp(b->kernels[i].version, version) == 0)
                        return &b->kernels[i];
        if (b->n_kernels == XP_MAX_KERNELS)
                return NULL;
        struct xp_boot_kernel *k = &b->kernels[b->n_kernels++];
        snprintf(k->version, sizeof(k->version), "%s", version);
        snprintf(k->kernel, sizeof(k->kernel), "%s", kpath);
        snprintf(k->paired_by, sizeof(k->paired_by), "%s", how);
        return k;
}

/* BLS (boot/loader/entries/NAME.conf): "linux /vmlinuz-V", "initrd /initramfs-V.img",
 * "version V".  Paths are relative to the partition holding the entries. */
static void read_bls(struct xp_root *root, struct xp_boot *b, char ***cmdlines)
{
        char **names = NULL;
        if (xp_root_list_dir(root, "boot/loader/entries", &names) < 0)
                return;
        for (char **n = names; *n; n++) {
                if (!endswith(*n, ".conf"))
                        continue;
                char path[320], *text = NULL;
                snprintf(path, sizeof(path), "boot/loader/entries/%s", *n);
                if (xp_root_read_file(root, path, 64 * 1024, &text, NULL) < 0)
                        continue;
                char linux_[160] = "", initrd[160] = "", version[96] = "";
                for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                        l = xp_strip(l);
                        char *v = l + strcspn(l, " \t");
                        if (*v)
                                *v++ = '\0';
                        v += strspn(v, " \t");
                        /* first word of the value; "$tuned_initrd" and
                         * other variables are GRUB's, not files */
                        char word[160];
                        snprintf(word, sizeof(word), "%.*s", (int)strcspn(v, " \t"), v);
                        const char *rel = word;
                        while (*rel == '/')
                                rel++;
                        if (strcmp(l, "linux") == 0)
                                snprintf(linux_, sizeof(linux_), "%s", rel);
                        else if (strcmp(l, "initrd") == 0 && rel[0] && rel[0] != '$' &&
                                 (!initrd[0] || !strstr(rel, "ucode")))
                                /* "initrd /intel-ucode.img" then "initrd
                                 * /initramfs-linux.img": the kernel gets both,
                                 * the modules are in the main one */
                                snprintf(initrd, sizeof(initrd), "%s", rel);
                        else if (strcmp(l, "version") == 0)
                                snprintf(version, sizeof(version), "%s", v);
                        else if (strcmp(l, "options") == 0) {
                                char line[600];
                                snprintf(line, sizeof(line), "%s\t%s", path, v);
                                if (xp_strv_push(cmdlines, line) < 0)
                                        break;
                        }
                }
                free(text);
                if (!linux_[0])
                        continue;
                /* a separate /boot: "/vmlinuz-V" means boot/vmlinuz-V */
                char kpath[200], ipath[200];
                snprintf(kpath, sizeof(kpath), "%s%s", xp_startswith(linux_, "boot/") ? "" : "boot/", linux_);
                snprintf(ipath, sizeof(ipath), "%s%s", xp_startswith(initrd, "boot/") ? "" : "boot/", initrd);
                if (!version[0]) {
                        const char *base = strrchr(kpath, '/');
                        base = base ? base + 1 : kpath;
                        if (xp_startswith(base, "vmlinuz-"))
                                snprintf(version, sizeof(version), "%s", base + 8);
                }
                if (!version[0])
                        continue;
                char how[48];
                snprintf(how, sizeof(how), "BLS entry %.37s", *n);
                struct xp_boot_kernel *k = add_kernel(b, version, kpath, how);
                if (k && initrd[0] && !k->initrd[0])
                        snprintf(k->initrd, sizeof(k->initrd), "%s", ipath);
        }
        xp_strv_free(names);
}

static void pair_kernels(struct xp_root *root, struct xp_boot *b, char ***cmdlines)
{
        char **names = NULL;
        if (xp_root_list_dir(root, "boot", &names) < 0)
                return;
        read_bls(root, b, cmdlines);
        /* kernels by file name */
        for (char **n = names; *n; n++) {
                if (skip_name(*n))
                        continue;
                for (size_t p = 0; p < ELEMENTSOF(kernel_prefixes); p++) {
                        size_t pl = strlen(kernel_prefixes[p]);
                        if (strncmp(*n, kernel_prefixes[p], pl) != 0 || !(*n)[pl])
                                continue;
                        char kpath[200], version[96];
                        const char *suffix = *n + pl;
                        snprintf(kpath, sizeof(kpath), "boot/%s", *n);
                        snprintf(version, sizeof(version), "%s", suffix);
                        const char *how = "file name";
                        char libmod[200];
                        snprintf(libmod, sizeof(libmod), "lib/modules/%s", suffix);
                        /* "vmlinuz-linux": the suffix is a package name, the
                         * version is in the image */
                        if (!xp_root_exists(root, libmod) && bzimage_version(root, kpath, version, sizeof(version)) == 0)
                                how = "bzImage header";
                        struct xp_boot_kernel *k = add_kernel(b, version, kpath, how);
                        if (!k || k->initrd[0])
                                break;
                        for (size_t i = 0; i < ELEMENTSOF(initrd_names) - 1; i++) {
                                char ipath[240];
                                snprintf(ipath, sizeof(ipath), "boot/%s%s%s", initrd_names[i].prefix, suffix,
                                         initrd_names[i].tail);
                                if (xp_root_exists(root, ipath)) {
                                        snprintf(k->initrd, sizeof(k->initrd), "%s", ipath);
                                        break;
                                }
                        }
                        break;
                }
        }
        /* initrds no kernel claims */
        for (char **n = names; *n; n++) {
                char suffix[128];
                bool fallback = false;
                if (skip_name(*n) || !initrd_suffix(*n, suffix, sizeof(suffix), &fallback))
                        continue;
                char ipath[240];
                snprintf(ipath, sizeof(ipath), "boot/%s", *n);
                bool claimed = false;
                for (size_t i = 0; i < b->n_kernels && !claimed; i++) {
                        const char *kbase = strrchr(b->kernels[i].kernel, '/');
                        kbase = kbase ? kbase + 1 : b->kernels[i].kernel;
                        const char *ks = strchr(kbase, '-');
                        claimed = strcmp(b->kernels[i].initrd, ipath) == 0 ||
                                  (fallback && ks && strcmp(ks + 1, suffix) == 0);
                }
                if (!claimed && xp_strv_push(&b->orphans, ipath) < 0)
                        break;
        }
        xp_strv_free(names);
}

/* ------------------------------------------------------------ root facts */

/*
 * Is this root a capture of the running system it was taken on, so that its
 * proc/ (mount table, command line, PID 1) is that system's own?  Every
 * capture carries run/xenprobe/cpuid, read on the same machine at the same
 * time as proc/: `xenprobe snapshot` writes it (and carries it over when
 * snapshotting a capture; tests/xen's make check-xen imports such
 * snapshots), and tests/import-capture.sh writes it from a lab capture's own
 * CPUID dump.  A live snapshot without CPUID (not x86) still
 * says "source=/" in its run/xenprobe/snapshot-info.  Nothing else has
 * either file: xenprobe never writes /run/xenprobe on a running system, a
 * guest's disk image has an empty run/ (a tmpfs while it runs), and a
 * snapshot taken of such a root has neither CPUID nor "source=/".  So
 * `--root` on a mounted guest image, or on a chroot whose proc/ is
 * bind-mounted from the host (and then describes the host, not the guest),
 * never takes that proc/ for the guest's.
 */
static bool root_is_capture(struct xp_root *root)
{
        if (xp_root_exists(root, XP_CPUID_FILE))
                return true;
        char *info = NULL;
        bool own = xp_root_read_file(root, "run/xenprobe/snapshot-info", 64 * 1024, &info, NULL) == 0 &&
                   (xp_startswith(info, "source=/\n") || strstr(info, "\nsource=/\n"));
        free(info);
        return own;
}

/* The root filesystem type: --fs, else the mounted root's on the live
 * system or in a capture of one (root_is_capture), a real filesystem only
 * (not the initramfs' rootfs, a tmpfs or a container's overlay); else
 * read_fstab() takes it from etc/fstab. */
static void pick_root_fstype(const struct xp_report *r, struct xp_boot *b, const struct xp_boot_options *o,
                             bool capture)
{
        const char *t = r->facts.block.root_fstype, *table = r->facts.block.root_table;
        if (o->fstype) {
                snprintf(b->root_fstype, sizeof(b->root_fstype), "%s", o->fstype);
                snprintf(b->root_fstype_source, sizeof(b->root_fstype_source), "--fs option");
        } else if ((r->live || capture) && table && t[0] && strcmp(t, "overlay") != 0 && strcmp(t, "rootfs") != 0 &&
                   strcmp(t, "tmpfs") != 0) {
                snprintf(b->root_fstype, sizeof(b->root_fstype), "%s", t);
                if (r->live)
                        snprintf(b->root_fstype_source, sizeof(b->root_fstype_source), "mounted root (%s)", table);
                else
                        snprintf(b->root_fstype_source, sizeof(b->root_fstype_source), "captured %s", table);
        }
}

static enum xp_generator root_generator(struct xp_root *root)
{
        if (xp_root_exists(root, "etc/initramfs-tools/initramfs.conf") || xp_root_exists(root, "usr/sbin/mkinitramfs"))
                return XP_GEN_INITRAMFS_TOOLS;
        if (xp_root_exists(root, "etc/mkinitcpio.conf"))
                return XP_GEN_MKINITCPIO;
        if (xp_root_exists(root, "usr/bin/dracut") || xp_root_exists(root, "etc/dracut.conf"))
                return XP_GEN_DRACUT;
        return XP_GEN_UNKNOWN;
}

static bool is_network_fs(const char *t)
{
        static const char *const net[] = { "nfs", "nfs4", "cifs", "smb3", "9p", "ceph", "glusterfs" };
        for (size_t i = 0; i < ELEMENTSOF(net); i++)
                if (strcmp(t, net[i]) == 0)
                        return true;
        return false;
}

/* Device names that exist only with emulated or other hypervisors' disks:
 * under PV drivers the same disk is /dev/xvdX (xen-blkfront), and virtio's
 * /dev/vdX never exists under Xen. */
static bool emulated_name(const char *dev, size_t len)
{
        return len > 7 &&
               (strncmp(dev, "/dev/sd", 7) == 0 || strncmp(dev, "/dev/hd", 7) == 0 ||
                strncmp(dev, "/dev/vd", 7) == 0) &&
               dev[7] >= 'a' && dev[7] <= 'z';
}

/* fstab: root type, and every line naming an emulated disk */
static bool read_fstab(struct xp_root *root, struct xp_boot *b, char *bad, size_t badlen)
{
        char *text = NULL;
        if (xp_root_read_file(root, "etc/fstab", TEXT_MAX, &text, NULL) < 0)
                return false;
        unsigned lineno = 0;
        size_t bl = strlen(bad);
        for (char *l = text, *next; l; l = next) {
                next = strchr(l, '\n');
                if (next)
                        *next++ = '\0';
                lineno++;
                char spec[256], file[256], type[32];
                if (sscanf(l, " %255s %255s %31s", spec, file, type) != 3 || spec[0] == '#')
                        continue;
                if (strcmp(file, "/") == 0 && !b->root_fstype_source[0] && strspn(type, "abcdefghijklmnopqrstuvwxyz0123456789._-") == strlen(type)) {
                        snprintf(b->root_fstype, sizeof(b->root_fstype), "%s", type);
                        snprintf(b->root_fstype_source, sizeof(b->root_fstype_source), "etc/fstab:%u", lineno);
                }
                if (emulated_name(spec, strlen(spec)) && bl < badlen) {
                        char *s = xp_sanitize(spec, strlen(spec), 64);
                        int w = snprintf(bad + bl, badlen - bl, "%setc/fstab:%u names %s (%s)", bl ? "; " : "",
                                         lineno, s ? s : "?", file[0] == '/' ? file : "swap");
                        free(s);
                        if (w > 0)
                                bl += (size_t)w < badlen - bl ? (size_t)w : badlen - bl - 1;
                }
        }
        free(text);
        return true;
}

/* root= in a command line naming an emulated disk */
static void check_cmdline(const char *where, const char *cmdline, char *bad, size_t badlen)
{
        size_t len = 0;
        const char *p = xp_cmdline_find(cmdline, "root=", &len);
        if (!p || !emulated_name(p + 5, len - 5))
                return;
        size_t bl = strlen(bad);
        if (bl >= badlen - 1)
                return;
        char *s = xp_sanitize(p, len, 64);
        snprintf(bad + bl, badlen - bl, "%s%s has %s", bl ? "; " : "", where, s ? s : "root=?");
        free(s);
}

/* root= on the kernel lines of bootloader config PATH; false when it
 * cannot be read */
static bool check_grub_cfg(struct xp_root *root, const char *path, char *bad, size_t badlen)
{
        char *text = NULL;
        if (xp_root_read_file(root, path, 8u << 20, &text, NULL) < 0)
                return false;
        unsigned lineno = 0;
        for (char *l = text, *next; l; l = next) {
                next = strchr(l, '\n');
                if (next)
                        *next++ = '\0';
                lineno++;
                const char *t = l + strspn(l, " \t");
                if (!xp_startswith(t, "linux") && !xp_startswith(t, "kernel") && !xp_startswith(t, "append") &&
                    !xp_startswith(t, "GRUB_CMDLINE_LINUX"))
                        continue;
                char where[96];
                snprintf(where, sizeof(where), "%s:%u", path, lineno);
                /* GRUB_CMDLINE_LINUX="root=/dev/sda1 quiet": the words
                 * start after the quote */
                const char *q = xp_startswith(t, "GRUB_CMDLINE_LINUX") ? strpbrk(t, "\"'") : NULL;
                check_cmdline(where, q ? q + 1 : t, bad, badlen);
        }
        free(text);
        return true;
}

static const char *const bootloader_configs[] = {
        /* what pygrub (tools/pygrub) and grub-xen (pvgrub2) read */
        "boot/grub/grub.cfg", "boot/grub2/grub.cfg", "boot/grub/menu.lst", "boot/grub/grub.conf",
        "boot/extlinux/extlinux.conf", "boot/syslinux/syslinux.cfg", "boot/loader/entries",
};

/* Append NAME to the list L ("a, b, c") of what was checked. */
static void list_add(char *l, size_t len, const char *name)
{
        size_t n = strlen(l);
        if (n + 1 < len)
                snprintf(l + n, len - n, "%s%s", n ? ", " : "", name);
}

/* root= of the kernel command line the probes read, where it is this
 * system's own: live, or in a capture of it (root_is_capture); in any
 * other root proc/cmdline may be the host's.  What was checked goes to
 * CHECKED, what was not and why to REMARK. */
static void naming_cmdline(const struct xp_report *r, bool capture, char *bad, size_t badlen, char *checked,
                           size_t clen, char *remark, size_t rlen)
{
        const char *where = r->live ? "the running kernel's command line" : "the captured proc/cmdline";
        size_t l;
        if (r->facts.kernel.cmdline != XP_ST_FOUND)
                return;
        if (!r->live && !capture)
                snprintf(remark, rlen, "proc/cmdline not checked: this root is not a capture of a running system "
                         "(no run/xenprobe/cpuid), its proc/ may be the host's");
        else if (!xp_cmdline_find(r->facts.kernel.cmdline_text, "root=", &l))
                snprintf(remark, rlen, "%s has no root=", where);
        else {
                char item[64];
                snprintf(item, sizeof(item), "root= of %s", where);
                list_add(checked, clen, item);
                check_cmdline(where, r->facts.kernel.cmdline_text, bad, badlen);
        }
}

/*
 * device-naming: /dev/sdX, /dev/hdX, /dev/vdX in etc/fstab, the bootloader
 * configs, BLS options and root=, names a domU's disks do not have under
 * xen-blkfront (/dev/xvdX).  Not in dom0 (live, or a capture of one): it
 * drives its disks with their own drivers (xen-blkback serves the domUs'),
 * so those names are right there.  Also reads the root type from etc/fstab.
 */
static int naming_check(struct xp_root *root, struct xp_report *r, char ***cmdlines, bool capture)
{
        struct xp_boot *b = &r->boot;
        char bad[1024] = "", checked[512] = "", remark[256] = "";

        if (read_fstab(root, b, bad, sizeof(bad)))
                list_add(checked, sizeof(checked), "etc/fstab");
        for (size_t i = 0; i < ELEMENTSOF(bootloader_configs) - 1; i++)
                if (check_grub_cfg(root, bootloader_configs[i], bad, sizeof(bad)))
                        list_add(checked, sizeof(checked), bootloader_configs[i]);
        if (check_grub_cfg(root, "etc/default/grub", bad, sizeof(bad)))
                list_add(checked, sizeof(checked), "etc/default/grub");
        for (char **c = *cmdlines; c && *c; c++) {
                char *tab = strchr(*c, '\t');
                if (tab) {
                        *tab = '\0';
                        check_cmdline(*c, tab + 1, bad, sizeof(bad));
                }
        }
        if (*cmdlines && **cmdlines)
                list_add(checked, sizeof(checked), "the options of boot/loader/entries");
        naming_cmdline(r, capture, bad, sizeof(bad), checked, sizeof(checked), remark, sizeof(remark));
        if ((r->live || capture) && r->role == XP_ROLE_DOM0)
                return xp_checks_add(&b->checks, "device-naming", XP_CHECK_OK, NULL,
                                     "not checked in dom0: dom0 drives its disks with their own drivers, so "
                                     "/dev/sdX, /dev/hdX or /dev/vdX names are right there; /dev/xvdX is what "
                                     "xen-blkfront names a domU's disks");
        if (bad[0])
                return xp_checks_add(&b->checks, "device-naming", XP_CHECK_MISSING,
                                     "name disks by UUID= or LABEL= (blkid shows them): edit those fstab lines, and "
                                     "for root= let update-grub / grub2-mkconfig write root=UUID=",
                                     "%s: under PV drivers (PV, PVH, PVHVM) disks are /dev/xvdX, so these names do "
                                     "not exist%s%s",
                                     bad, remark[0] ? "; " : "", remark);
        if (checked[0])
                return xp_checks_add(&b->checks, "device-naming", XP_CHECK_OK, NULL,
                                     "no /dev/sdX, /dev/hdX or /dev/vdX in %s%s%s", checked, remark[0] ? "; " : "",
                                     remark);
        return xp_checks_add(&b->checks, "device-naming", XP_CHECK_OK, NULL,
                             "no etc/fstab or bootloader config to check%s%s", remark[0] ? "; " : "", remark);
}

/* The mount point of an autofs mount named "systemd-1" in the mount table
 * TEXT (proc/self/mountinfo when MOUNTINFO, else proc/mounts), sanitized
 * into WHERE; false when there is none.  systemd names the autofs mounts of
 * its automount units "systemd-" and its own PID (src/core/automount.c), so
 * this one was made by a systemd running as PID 1. */
static bool systemd_automount(char *text, bool mountinfo, char *where, size_t len)
{
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char point[256], src[64], type[32];
                const char *sep = strstr(l, " - ");
                if (mountinfo) {
                        /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPT...] - FSTYPE SOURCE SUPER */
                        if (!sep || sscanf(l, "%*s %*s %*s %*s %255s", point) != 1 ||
                            sscanf(sep + 3, "%31s %63s", type, src) != 2)
                                continue;
                } else if (sscanf(l, "%63s %255s %31s", src, point, type) != 3)
                        continue;
                if (strcmp(type, "autofs") != 0 || strcmp(src, "systemd-1") != 0)
                        continue;
                char *s = xp_sanitize(point, strlen(point), len - 1);
                snprintf(where, len, "%s", s ? s : "?");
                free(s);
                return true;
        }
        return false;
}

/* What shows systemd running as PID 1, where proc/ is this system's own
 * (live, or a capture of it: root_is_capture): PID 1's name, else the
 * automount only PID 1's systemd makes.  Written into WHY; false if none. */
static bool systemd_pid1(struct xp_root *root, char *why, size_t len)
{
        static const char *const tables[] = { "proc/self/mountinfo", "proc/mounts" };
        char *text = NULL, where[128];
        bool yes = xp_root_read_line(root, "proc/1/comm", &text) == 0 && strcmp(text, "systemd") == 0;
        free(text);
        if (yes) {
                snprintf(why, len, "PID 1 is systemd (proc/1/comm)");
                return true;
        }
        for (size_t i = 0; i < ELEMENTSOF(tables) && !yes; i++) {
                text = NULL;
                if (xp_root_read_file(root, tables[i], 4u << 20, &text, NULL) == 0 &&
                    systemd_automount(text, i == 0, where, sizeof(where))) {
                        snprintf(why, len, "PID 1 is systemd (%s: autofs \"systemd-1\" on %s, systemd's "
                                 "automount named after its PID)", tables[i], where);
                        yes = true;
                }
                free(text);
        }
        return yes;
}

/* The installed init is systemd: sbin/init links to it (its text into
 * WHY), else lib/systemd/systemd is there.  False if neither. */
static bool systemd_installed(struct xp_root *root, char *why, size_t len)
{
        char *target = NULL;
        if (xp_root_readlink(root, "sbin/init", &target) == 0) {
                const char *base = strrchr(target, '/');
                bool sd = strcmp(base ? base + 1 : target, "systemd") == 0;
                char *s = sd ? xp_sanitize(target, strlen(target), 128) : NULL;
                if (sd)
                        snprintf(why, len, "systemd is the installed init (sbin/init -> %s)", s ? s : "?");
                free(s);
                free(target);
                if (sd)
                        return true;
        }
        const char *bin = xp_root_exists(root, "lib/systemd/systemd")       ? "lib/systemd/systemd"
                          : xp_root_exists(root, "usr/lib/systemd/systemd") ? "usr/lib/systemd/systemd"
                                                                            : NULL;
        if (bin)
                snprintf(why, len, "systemd is installed (%s)", bin);
        return bin != NULL;
}

/*
 * pv-console: a getty on hvc0, the PV console.  etc/inittab says it for
 * sysvinit; for systemd, systemd-getty-generator starts serial-getty@hvc0
 * when /dev/hvc0 exists, so what must be shown is that systemd is the init:
 * PID 1 (from proc/, only where it is this system's own), else the
 * installed init.  The evidence names what showed it.
 */
static int console_check(struct xp_root *root, struct xp_report *r, bool capture)
{
        struct xp_boot *b = &r->boot;
        char *inittab = NULL, why[320];
        int e;
        if (xp_root_read_file(root, "etc/inittab", TEXT_MAX, &inittab, NULL) == 0) {
                bool hvc = strstr(inittab, "hvc0") != NULL;
                e = xp_checks_add(&b->checks, "pv-console", hvc ? XP_CHECK_OK : XP_CHECK_MISSING,
                                  "add a getty line for hvc0 to /etc/inittab, e.g. "
                                  "\"hv:2345:respawn:/sbin/getty 38400 hvc0\"",
                                  hvc ? "etc/inittab runs a getty on hvc0"
                                      : "etc/inittab has no getty on hvc0: a PV console shows no login");
                free(inittab);
        } else if (((r->live || capture) && systemd_pid1(root, why, sizeof(why))) ||
                   systemd_installed(root, why, sizeof(why)))
                e = xp_checks_add(&b->checks, "pv-console", XP_CHECK_OK, NULL,
                                  "%s: systemd-getty-generator starts serial-getty@hvc0 when /dev/hvc0 exists", why);
        else
                e = xp_checks_add(&b->checks, "pv-console", XP_CHECK_CANNOT_VERIFY, "make sure a getty runs on hvc0",
                                  "no etc/inittab, and nothing shows that systemd is the init (checked: %ssbin/init, "
                                  "lib/systemd/systemd)",
                                  r->live || capture ? "proc/1/comm, the mount table, " : "");
        return e;
}

void xp_boot_note_inputs(struct xp_root *root)
{
        char *v = NULL;
        /* each read is logged whether it succeeds or not; the values are
         * the replay's business */
        if (xp_root_read_line(root, "proc/1/comm", &v) == 0)
                free(v);
        v = NULL;
        if (xp_root_read_file(root, "etc/inittab", TEXT_MAX, &v, NULL) == 0)
                free(v);
        v = NULL;
        if (xp_root_readlink(root, "sbin/init", &v) == 0)
                free(v);
}

/* Paths the boot probe readlink()s to learn whether they are links: there
 * EINVAL ("not a symlink", sysvinit's sbin/init) is an answer, not a
 * file it could not read. */
static bool probed_link(const char *path, int err)
{
        return err == EINVAL && strcmp(path, "sbin/init") == 0;
}

static int system_checks(struct xp_ctx *ctx, struct xp_report *r, char ***cmdlines, bool capture)
{
        struct xp_root *root = xp_ctx_root(ctx);
        struct xp_boot *b = &r->boot;
        int e = naming_check(root, r, cmdlines, capture);
        if (e < 0)
                return e;

        const char *found = NULL;
        for (size_t i = 0; i < ELEMENTSOF(bootloader_configs) && !found; i++)
                if (xp_root_exists(root, bootloader_configs[i]))
                        found = bootloader_configs[i];
        if (found)
                e = xp_checks_add(&b->checks, "pv-bootloader", XP_CHECK_OK, NULL,
                                  "%s: pygrub and pvgrub2 (grub-xen) can read it", found);
        else
                e = xp_checks_add(&b->checks, "pv-bootloader", XP_CHECK_MISSING,
                                  "install GRUB and run update-grub (or grub2-mkconfig -o /boot/grub2/grub.cfg), "
                                  "or boot it from dom0 with kernel= and ramdisk= in the xl config",
                                  "no grub.cfg, menu.lst, extlinux.conf or BLS entries below boot/: pygrub has "
                                  "nothing to read");
        if (e < 0)
                return e;

        e = console_check(root, r, capture);
        return e < 0 ? e : 0;
}

/* -------------------------------------------------------------- kernels */

static const char *const config_opts[] = {
        "CONFIG_XEN_PV", "CONFIG_XEN_PVH", "CONFIG_XEN_PVHVM", "CONFIG_XEN_PVHVM_GUEST",
        "CONFIG_XEN_BLKDEV_FRONTEND", "CONFIG_XEN_NETDEV_FRONTEND",
};

/* The initramfs decompressors of lib/decompress.c: decompress_method()
 * knows a method by its magic in every kernel since the method came, and
 * has its decompressor only when CONFIG_DECOMPRESS_<X> is set (selected by
 * CONFIG_RD_<X>).  init/initramfs.c then stops with "compression method
 * <name> not configured"; a magic the kernel predates is "invalid magic at
 * start of compressed archive". */
static const struct {
        enum xp_comp comp;
        const char *rd, *decompress;
} rd_methods[] = {
        { XP_COMP_GZIP, "CONFIG_RD_GZIP", "CONFIG_DECOMPRESS_GZIP" },
        { XP_COMP_BZIP2, "CONFIG_RD_BZIP2", "CONFIG_DECOMPRESS_BZIP2" },
        { XP_COMP_LZMA, "CONFIG_RD_LZMA", "CONFIG_DECOMPRESS_LZMA" },
        { XP_COMP_XZ, "CONFIG_RD_XZ", "CONFIG_DECOMPRESS_XZ" },
        { XP_COMP_LZO, "CONFIG_RD_LZO", "CONFIG_DECOMPRESS_LZO" },
        { XP_COMP_LZ4, "CONFIG_RD_LZ4", "CONFIG_DECOMPRESS_LZ4" },
        { XP_COMP_ZSTD, "CONFIG_RD_ZSTD", "CONFIG_DECOMPRESS_ZSTD" },
};

/* Which initramfs compressions kernel K cannot unpack, from config TEXT.
 * Only a config with initramfs support and the CONFIG_RD_* options (2.6.30
 * and later) says anything; before them gzip was the only method. */
static void read_rd_methods(const char *text, struct xp_boot_kernel *k)
{
        if (xp_parse_config_option(text, "CONFIG_BLK_DEV_INITRD") != 'y')
                return;
        char rd[ELEMENTSOF(rd_methods)];
        bool era = false;
        for (size_t i = 0; i < ELEMENTSOF(rd_methods); i++)
                era |= (rd[i] = xp_parse_config_option(text, rd_methods[i].rd)) != 0;
        for (size_t i = 0; era && i < ELEMENTSOF(rd_methods); i++) {
                if (rd[i] == 'y' || xp_parse_config_option(text, rd_methods[i].decompress) == 'y')
                        continue;
                if (rd[i])
                        k->rd_unset |= 1u << rd_methods[i].comp;
                else
                        k->rd_unknown |= 1u << rd_methods[i].comp;
        }
}

/* Kernel K's config, from its files in boot/ or its module tree. */
static void read_config(struct xp_ctx *ctx, struct xp_boot_kernel *k)
{
        struct xp_kconfig kc;
        if (xp_kconfig_read(ctx, k->version, XP_KCONFIG_BOOT | XP_KCONFIG_MODULES, &kc) < 0)
                return;
        snprintf(k->config_path, sizeof(k->config_path), "%s", kc.path);
        char *dst[] = { &k->cfg_pv, &k->cfg_pvh, &k->cfg_pvhvm, &k->cfg_platform, &k->cfg_blkfront, &k->cfg_netfront };
        for (size_t i = 0; i < ELEMENTSOF(config_opts); i++)
                *dst[i] = xp_kconfig_value(&kc, config_opts[i]);
        read_rd_methods(kc.text, k);
        xp_kconfig_clear(&kc);
}

static int set_mode(struct xp_boot_kernel *k, enum xp_boot_mode m, enum xp_check_status st, const char *fmt, ...)
        _printf_(4, 5);
static int set_mode(struct xp_boot_kernel *k, enum xp_boot_mode m, enum xp_check_status st, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        free(k->mode_why[m]);
        int e = vasprintf(&k->mode_why[m], fmt, ap);
        va_end(ap);
        if (e < 0) {
                k->mode_why[m] = NULL;
                return -ENOMEM;
        }
        k->mode[m] = st;
        return 0;
}

static const struct xp_check *find_check(const struct xp_checks *c, const char *prefix)
{
        for (size_t i = 0; c && i < c->n; i++)
                if (xp_startswith(c->v[i].name, prefix))
                        return &c->v[i];
        return NULL;
}

/* What blocks or limits a boot mode, sentence after sentence ("...; "). */
struct why {
        char s[1024];
        size_t len; /* always < sizeof(s): S[LEN] is the terminating NUL */
        bool full;  /* a sentence did not fit: it and all later ones are dropped */
};

_printf_(2, 3) static void why_add(struct why *w, const char *fmt, ...)
{
        if (w->full)
                return;
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(w->s + w->len, sizeof(w->s) - w->len, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= sizeof(w->s) - w->len) {
                w->s[w->len] = '\0'; /* no half sentence */
                w->full = true;
        } else
                w->len += (size_t)n;
}

/* What all three modes share: the initramfs and disk names. */
static enum xp_check_status shared_readiness(const struct xp_boot *b, const struct xp_boot_kernel *k,
                                             struct why *why)
{
        enum xp_check_status boot = XP_CHECK_OK;
        if (!k->initrd[0]) {
                if (k->cfg_blkfront == 'y')
                        why_add(why, "no initramfs, xen-blkfront built in; ");
                else {
                        boot = k->cfg_blkfront ? XP_CHECK_MISSING : XP_CHECK_CANNOT_VERIFY;
                        why_add(why, "no initramfs and xen-blkfront not built in; ");
                }
        } else if (k->image)
                for (size_t i = 0; i < k->image->checks.n; i++) {
                        const struct xp_check *c = &k->image->checks.v[i];
                        if (c->status == XP_CHECK_OK)
                                continue;
                        boot = xp_check_status_worse(boot, c->status);
                        why_add(why, "initramfs %s: %s; ", c->name, xp_check_status_to_string(c->status));
                }
        if (k->cfg_blkfront == 'n') {
                boot = XP_CHECK_MISSING;
                why_add(why, "CONFIG_XEN_BLKDEV_FRONTEND is not set: no PV disk driver at all; ");
        }
        if (b->network_root && k->cfg_netfront == 'n') {
                boot = XP_CHECK_MISSING;
                why_add(why, "network root but CONFIG_XEN_NETDEV_FRONTEND is not set; ");
        }
        const struct xp_check *naming = find_check(&b->checks, "device-naming");
        if (naming && naming->status != XP_CHECK_OK) {
                boot = xp_check_status_worse(boot, naming->status);
                why_add(why, "device names /dev/sdX, /dev/hdX or /dev/vdX in use; ");
        }
        return boot;
}

/* A boot mode and the kernel option it needs, with that option's value. */
struct mode_option {
        enum xp_boot_mode m;
        char cfg;
        const char *opt;
};

/* Can the kernel itself boot in mode T->m?  PV and PVH from its Xen ELF
 * notes when they were read (what Xen's loader decides from), else from
 * its config; HVM from the config (any kernel starts under firmware, the
 * config says whether it finds the PV drivers). */
static enum xp_check_status kernel_capability(const struct xp_boot_kernel *k, const struct mode_option *t,
                                              struct why *why, enum xp_cap_source *src)
{
        if (t->m != XP_BOOT_HVM && k->notes.status == XP_NOTES_FOUND) {
                char b[256];
                *src = XP_CAP_NOTES;
                if (t->m == XP_BOOT_PV ? xp_notes_pv_capable(&k->notes, b, sizeof(b))
                                       : xp_notes_pvh_capable(&k->notes, b, sizeof(b)))
                        return XP_CHECK_OK;
                why_add(why, "%s; ", b);
                return XP_CHECK_MISSING;
        }
        *src = t->cfg ? XP_CAP_CONFIG : XP_CAP_NONE;
        if (!t->cfg) {
                why_add(why, "no kernel config to tell %s%s; ", t->opt,
                        t->m != XP_BOOT_HVM ? " and the kernel's ELF notes unreadable" : "");
                return XP_CHECK_CANNOT_VERIFY;
        }
        if (t->cfg != 'y') {
                why_add(why, "%s is not set in %s; ", t->opt, k->config_path);
                return XP_CHECK_MISSING;
        }
        return XP_CHECK_OK;
}

/* One mode on top of the shared status ST: the kernel's capability, the
 * platform PCI driver for HVM, pygrub and the console for PV. */
static enum xp_check_status mode_readiness(const struct xp_boot *b, struct xp_boot_kernel *k,
                                           const struct mode_option *t, enum xp_check_status st,
                                           struct why *why)
{
        st = xp_check_status_worse(st, kernel_capability(k, t, why, &k->mode_source[t->m]));
        if (t->m == XP_BOOT_HVM && t->cfg == 'y' && k->cfg_platform && k->cfg_platform != 'y') {
                /* platform-pci.c: unplugs the emulated disks and starts
                 * xenbus in an HVM guest */
                st = XP_CHECK_MISSING;
                why_add(why, "CONFIG_XEN_PVHVM_GUEST (the Xen platform PCI driver) is not set; ");
        }
        if (t->m == XP_BOOT_PV) {
                const struct xp_check *bl = find_check(&b->checks, "pv-bootloader");
                const struct xp_check *co = find_check(&b->checks, "pv-console");
                if (bl && bl->status != XP_CHECK_OK) {
                        st = xp_check_status_worse(st, XP_CHECK_CANNOT_VERIFY);
                        why_add(why, "no bootloader config for pygrub (direct kernel boot still works); ");
                }
                if (co && co->status != XP_CHECK_OK) {
                        st = xp_check_status_worse(st, co->status);
                        why_add(why, "no getty on hvc0; ");
                }
        }
        return st;
}

/* Each mode: what the kernel must be built with, plus what the boot needs. */
static int modes(struct xp_boot *b, struct xp_boot_kernel *k)
{
        struct why why = { "", 0, false };
        enum xp_check_status boot = shared_readiness(b, k, &why);
        size_t common = why.len;
        bool common_full = why.full;
        const struct mode_option t[] = {
                { XP_BOOT_PV, k->cfg_pv, "CONFIG_XEN_PV" },
                { XP_BOOT_PVH, k->cfg_pvh, "CONFIG_XEN_PVH" },
                { XP_BOOT_HVM, k->cfg_pvhvm, "CONFIG_XEN_PVHVM" },
        };
        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                why.len = common;
                why.full = common_full;
                why.s[why.len] = '\0';
                enum xp_check_status st = mode_readiness(b, k, &t[i], boot, &why);
                if (why.len >= 2 && why.s[why.len - 2] == ';')
                        why.s[why.len - 2] = '\0';
                int e = set_mode(k, t[i].m, st, "%s", why.s[0] ? why.s : "ready");
                if (e < 0)
                        return e;
        }
        return 0;
}

/* "GUEST_OS "linux", ..., PHYS32_ENTRY 0x1000850": the notes Xen decides from */
static void notes_summary(const struct xp_kernel_notes *n, char *out, size_t len)
{
        int l = snprintf(out, len, "GUEST_OS \"%s\", XEN_VERSION \"%s\", LOADER \"%s\"", n->guest_os,
                         n->xen_version, n->loader);
        if (l > 0 && (size_t)l < len && n->has_entry)
                l += snprintf(out + l, len - (size_t)l, ", ENTRY %#llx", (unsigned long long)n->entry);
        if (l > 0 && (size_t)l < len && n->has_hypercall_page)
                l += snprintf(out + l, len - (size_t)l, ", HYPERCALL_PAGE %#llx", (unsigned long long)n->hypercall_page);
        if (l > 0 && (size_t)l < len && n->has_phys32)
                l += snprintf(out + l, len - (size_t)l, ", PHYS32_ENTRY %#llx", (unsigned long long)n->phys32_entry);
        if (l > 0 && (size_t)l < len && n->features[0])
                snprintf(out + l, len - (size_t)l, ", FEATURES \"%s\"", n->features);
}

/* Where a config option and the notes disagree: "CONFIG_XEN_PVH=y but no
 * PHYS32_ENTRY note", appended to OUT. */
static void mismatch(char *out, size_t len, char cfg, const char *opt, bool note, const char *name)
{
        if (!cfg || (cfg == 'y') == note)
                return;
        size_t l = strlen(out);
        snprintf(out + l, len - l, "%s%s%s but %s %s note", l ? "; " : "", opt, cfg == 'y' ? "=y" : " not set",
                 note ? "a" : "no", name);
}

/* The kernel image's Xen ELF notes: read, said, and checked against its
 * config (the notes decide, as they do for Xen). */
static int notes_checks(struct xp_ctx *ctx, struct xp_boot_kernel *k)
{
        struct xp_kernel_notes *n = &k->notes;
        int e = xp_kernel_notes_read(ctx, xp_ctx_root(ctx), k->kernel, n);
        if (e < 0)
                return e;
        char sum[512];
        if (n->status == XP_NOTES_ERROR)
                return xp_checks_add(&k->checks, "xen-elf-notes", XP_CHECK_CANNOT_VERIFY,
                                     "reinstall the kernel package if the image is damaged; meanwhile the kernel config "
                                     "decides",
                                     "%s: %s%s%s; PV and PVH capability %s", k->kernel, n->format[0] ? n->format : "",
                                     n->format[0] ? ": " : "", n->error,
                                     k->config_path[0] ? "from its config" : "unknown (no config either)");
        if (n->n_xen == 0)
                return xp_checks_add(&k->checks, "xen-elf-notes", XP_CHECK_MISSING,
                                     "boot a kernel built with CONFIG_XEN_PV or CONFIG_XEN_PVH (Debian's, Fedora's "
                                     "and Ubuntu's generic kernels have both), or boot it as HVM",
                                     "%s (%s): its ELF%u has no Xen notes: Xen's loader starts it neither as PV nor "
                                     "as PVH", k->kernel, n->format, n->elf_class);
        notes_summary(n, sum, sizeof(sum));
        e = xp_checks_add(&k->checks, "xen-elf-notes", XP_CHECK_OK, NULL,
                          "%s (%s, %llu bytes of the ELF%u read): %s; PV and PVH capability from the kernel's ELF "
                          "notes", k->kernel, n->format, (unsigned long long)n->elf_bytes, n->elf_class, sum);
        char mis[256] = "";
        mismatch(mis, sizeof(mis), k->cfg_pv, "CONFIG_XEN_PV", n->has_entry, "XEN_ELFNOTE_ENTRY");
        mismatch(mis, sizeof(mis), k->cfg_pvh, "CONFIG_XEN_PVH", n->has_phys32, "XEN_ELFNOTE_PHYS32_ENTRY");
        if (e == 0 && mis[0])
                e = xp_checks_add(&k->checks, "config-mismatch", XP_CHECK_CANNOT_VERIFY,
                                  "reinstall the kernel package so that its config and image match",
                                  "%s and %s disagree: %s; the notes decide (Xen reads them, not the config)",
                                  k->config_path, k->kernel, mis);
        return e;
}

static int check_kernel(struct xp_ctx *ctx, struct xp_report *r, struct xp_boot_kernel *k,
                        const struct xp_boot_options *o)
{
        struct xp_root *root = xp_ctx_root(ctx);
        struct xp_boot *b = &r->boot;
        k->running = r->facts.kernel.release[0] && strcmp(r->facts.kernel.release, k->version) == 0;
        read_config(ctx, k);
        int e = notes_checks(ctx, k);
        if (e < 0)
                return e;

        /* on-disk module index of that kernel, through libkmod */
        char fsmod[32] = "";
        if (b->root_fstype[0])
                snprintf(fsmod, sizeof(fsmod), "%s", b->root_fstype);
        const char *names[] = { "xen_blkfront", "xen_netfront", fsmod[0] ? fsmod : NULL, NULL };
        enum xp_kstate st[4] = { 0 };
        const char *builtin[4] = { NULL };
        e = xp_modules_lookup(ctx, k->version, names, st);
        size_t nb = 0;
        if (e == 0) {
                k->disk_blkfront = st[0];
                for (size_t i = 0; names[i]; i++)
                        if (st[i] == XP_KS_BUILTIN)
                                builtin[nb++] = names[i];
        } else {
                char path[200];
                snprintf(path, sizeof(path), "lib/modules/%s", k->version);
                e = xp_checks_add(&k->checks, "module-tree", XP_CHECK_CANNOT_VERIFY,
                                  "install the kernel's modules package",
                                  e == -ENOENT ? "%s has no modules.dep.bin: what the kernel builds in is unknown"
                                               : "%s: libkmod unavailable",
                                  path);
                if (e < 0)
                        return e;
                /* the config still tells what is built in */
                if (k->cfg_blkfront == 'y')
                        builtin[nb++] = "xen_blkfront";
        }
        if (k->cfg_blkfront == 'y' && k->disk_blkfront == XP_KS_UNKNOWN)
                k->disk_blkfront = XP_KS_BUILTIN;

        if (k->initrd[0]) {
                struct xp_image_query q = {
                        .kernel_version = k->version,
                        .fstype = b->root_fstype[0] ? b->root_fstype : NULL,
                        .need_netfront = b->network_root,
                        .quick = o->quick,
                        .threads = o->threads,
                        .builtin = nb ? builtin : NULL,
                        .root_generator = b->generator,
                        .rd_unset = k->rd_unset,
                        .rd_unknown = k->rd_unknown,
                        .config_path = k->config_path,
                };
                e = xp_image_check(ctx, root, k->initrd, &q, &k->image);
                if (e < 0)
                        return e;
        }
        return modes(b, k);
}

int xp_boot_probe(struct xp_ctx *ctx, struct xp_report *r, const struct xp_boot_options *o)
{
        struct xp_root *root = xp_ctx_root(ctx);
        struct xp_boot *b = &r->boot;
        char **cmdlines = NULL;
        int e = 0;

        xp_boot_clear(b);
        b->probed = true;
        b->quick = o->quick;
        (void)xp_take_enomem();
        b->generator = root_generator(root);

        /* root filesystem: --fs, the mounted one (live or captured), else fstab */
        bool capture = !r->live && root_is_capture(root);
        pick_root_fstype(r, b, o, capture);
        pair_kernels(root, b, &cmdlines); /* also collects BLS options lines */
        e = system_checks(ctx, r, &cmdlines, capture);
        if (e < 0)
                goto out;
        if (b->root_fstype[0])
                b->network_root = is_network_fs(b->root_fstype);
        if (r->facts.kernel.cmdline == XP_ST_FOUND) {
                size_t l;
                const char *p = xp_cmdline_find(r->facts.kernel.cmdline_text, "root=", &l);
                if ((p && (xp_startswith(p, "root=/dev/nfs") || xp_startswith(p, "root=nfs") ||
                           xp_startswith(p, "root=iscsi"))) ||
                    xp_cmdline_find(r->facts.kernel.cmdline_text, "netroot=", &l))
                        b->network_root = true;
        }

        if (!xp_root_exists(root, "boot"))
                snprintf(b->note, sizeof(b->note), "no boot/ directory below this root: no kernels to check");
        else if (b->n_kernels == 0)
                snprintf(b->note, sizeof(b->note), "no kernel images found in boot/");
        for (size_t i = 0; i < b->n_kernels; i++) {
                e = check_kernel(ctx, r, &b->kernels[i], o);
                if (e < 0)
                        goto out;
        }
        /* files the scan needed but could not read (a FIFO, device node or
         * symlink loop planted in a guest image, a file over its bound, an
         * I/O error): each one said, never silently taken as absent.  The
         * read log has them, also when a probe tried first (boot/config-*);
         * proc/, sys/ and run/ are the probes' and in their evidence. */
        for (size_t i = 0; i < xp_root_log_count(root) && e == 0; i++) {
                enum xp_log_kind kind;
                const char *p = xp_root_log_path(root, i, &kind);
                int err = xp_root_log_error(root, i);
                if (kind != XP_LOG_ERROR || !p || xp_startswith(p, "proc/") || xp_startswith(p, "sys/") ||
                    xp_startswith(p, "run/") || probed_link(p, err))
                        continue;
                char *s = xp_sanitize(p, strlen(p), 200);
                e = xp_checks_add(&b->checks, "unreadable-file", XP_CHECK_CANNOT_VERIFY,
                                  "make it a regular file (or remove it) and check again",
                                  "%s: %s; ignored", s ? s : "?",
                                  err == EINVAL ? "not a regular file (a FIFO, device node or socket), not opened"
                                                : strerror(err));
                free(s);
        }
out:
        xp_strv_free(cmdlines);
        /* a check lost or an image misjudged for want of memory: no result
         * rather than a wrong one */
        if (e == 0 && xp_take_enomem())
                e = -ENOMEM;
        return e;
}
