/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Boot readiness, the model: a check, an initramfs image as read, an
 * installed kernel with its image and per-mode readiness, and the whole
 * scan (probes/boot/).  The reader's internals are in probes/boot/initrd.h.
 */
#pragma once

#include "model.h"

struct xp_report;

enum xp_check_status { XP_CHECK_OK, XP_CHECK_MISSING, XP_CHECK_CANNOT_VERIFY, _XP_CHECK_MAX };
const char *xp_check_status_to_string(enum xp_check_status s); /* "ok", "missing", "cannot-verify" */
/* its spellings, indexed by the enum, NULL-terminated (the xenstore key table's words) */
extern const char *const xp_check_status_words[_XP_CHECK_MAX + 1];

/* One readiness check: "xen-blkfront", "root-fs:ext4", "kernel-version",
 * "device-naming", ...  EVIDENCE says what was found where; FIX is the
 * exact remediation, NULL when ok. */
struct xp_check {
        char *name;
        enum xp_check_status status;
        char *evidence;
        char *fix;
};
struct xp_checks {
        struct xp_check *v;
        size_t n, cap;
};
int xp_checks_add(struct xp_checks *c, const char *name, enum xp_check_status st, const char *fix,
                  const char *evidence_fmt, ...) _printf_(5, 6);
void xp_checks_clear(struct xp_checks *c);
/* ok < cannot-verify < missing for a summary; 0 checks: ok */
enum xp_check_status xp_checks_worst(const struct xp_checks *c);
enum xp_check_status xp_check_status_worse(enum xp_check_status a, enum xp_check_status b);

enum xp_generator { XP_GEN_UNKNOWN, XP_GEN_INITRAMFS_TOOLS, XP_GEN_DRACUT, XP_GEN_MKINITCPIO, _XP_GEN_MAX };
const char *xp_generator_to_string(enum xp_generator g); /* NULL for unknown */

#define XP_IMAGE_MAX_SEGMENTS 16
#define XP_IMAGE_MAX_KVERS 4

struct xp_image_segment {
        uint64_t offset, length; /* in the image file */
        int comp;                /* enum xp_comp (probes/boot/initrd.h) */
        uint64_t out_bytes, entries;
};

/* How the kernel's unpacker (init/initramfs.c, unpack_to_rootfs()) ends at
 * an image's first error.  It unpacks member after member, skips zeros,
 * stops at the first error and boots with what it wrote before it. */
enum xp_unpack_stop {
        XP_STOP_OURS,        /* a limit or failure of this reader: nothing after it is known */
        XP_STOP_KERNEL,      /* the kernel stops here too; every byte before is what it unpacks */
        XP_STOP_SUSPECT,     /* inside a member whose bytes are not confirmed; the kernel stops in it */
        XP_STOP_SUSPECT_ON,  /* a member's check value is wrong: the kernel does not check it and goes on */
};

/* What the caller knows about the image before reading it. */
struct xp_image_query {
        const char *kernel_version; /* paired kernel, NULL: take the image's own */
        const char *fstype;         /* root filesystem type, NULL: not checked */
        bool need_netfront;         /* network root */
        bool quick;                 /* stop once every fact needed is known */
        unsigned threads;           /* xz decoder threads; 0: one per CPU (at most 4) */
        /* the paired kernel, from its on-disk module index (libkmod) */
        const char *const *builtin; /* normalized names built into the kernel, or NULL */
        enum xp_generator root_generator; /* generator installed on the root */
        /* the paired kernel's decompressors, from its config (bit 1 << enum
         * xp_comp): RD_UNSET, methods it knows but was built without
         * (CONFIG_RD_<X> is not set); RD_UNKNOWN, methods newer than the
         * kernel (no CONFIG_RD_<X> at all in a config that has others).
         * CONFIG_PATH names the config in what is said. */
        unsigned rd_unset, rd_unknown;
        const char *config_path;
};

/* One initramfs image, read in one streaming pass. */
struct xp_image {
        char *path;
        char *kernel_version;       /* image's usr/lib/modules/<V>, NULL if none */
        char *versions[XP_IMAGE_MAX_KVERS];
        size_t n_versions;
        enum xp_generator generator;
        bool microcode;             /* early microcode present */
        struct xp_image_segment seg[XP_IMAGE_MAX_SEGMENTS];
        size_t n_seg;
        uint64_t size, bytes_read, entries;
        bool complete;              /* read to its end and verified */
        int error;                  /* -errno: damaged or unreadable */
        char *error_msg;            /* image, segment and byte offset */
        /* where the error is, how the kernel's unpacker ends there (enum
         * xp_unpack_stop) and what it prints after "Initramfs unpacking
         * failed: " ("" when it says nothing or it cannot be told) */
        int stop;
        size_t stop_seg;            /* 1-based segment of the error, 0: none */
        uint64_t stop_offset;
        int stop_comp;              /* enum xp_comp the paired kernel cannot decompress, stopped at; 0: none */
        char kernel_msg[80];
        struct xp_checks checks;
};

/* Open IMAGE (below ROOT when ROOT is non-NULL, else a host path), read it and
 * evaluate the checks.  Returns 0 with *RET filled even for damaged images
 * (their checks say cannot-verify); -errno only for allocation failures. */
int xp_image_check(struct xp_ctx *ctx, struct xp_root *root, const char *path,
                   const struct xp_image_query *q, struct xp_image **ret) _must_check_;
struct xp_image *xp_image_free(struct xp_image *img);

/* Installed kernels and their initramfs images (probes/boot/kernels.c). */
#define XP_MAX_KERNELS 16

enum xp_boot_mode { XP_BOOT_PV, XP_BOOT_PVH, XP_BOOT_HVM, _XP_BOOT_MAX };

/* The Xen ELF notes of an installed kernel image, the notes Xen's loader
 * decides from (xen/include/public/elfnote.h; libelf-dominfo.c), read from
 * the vmlinux inside a bzImage, a compressed or a plain ELF vmlinux
 * (probes/boot/elfnotes.c).  Strings are sanitized (printable ASCII). */
enum xp_notes_status {
        XP_NOTES_UNREAD,  /* not tried (no image) */
        XP_NOTES_FOUND,   /* the ELF was read: N_XEN Xen notes (maybe 0) */
        XP_NOTES_ERROR,   /* not a kernel image we read, or damaged: ERROR */
};
struct xp_kernel_notes {
        enum xp_notes_status status;
        char format[32];           /* "bzImage, xz payload", "ELF", "gzip ELF" */
        char error[256];
        unsigned elf_class;        /* 32 or 64 */
        unsigned machine;          /* e_machine: 62 x86-64, 3 i386 */
        unsigned n_xen;            /* notes of name "Xen" */
        bool has_entry, has_phys32, has_hypercall_page, has_supported;
        uint64_t entry;            /* XEN_ELFNOTE_ENTRY: the PV entry point */
        uint64_t phys32_entry;     /* XEN_ELFNOTE_PHYS32_ENTRY: the PVH entry point */
        uint64_t hypercall_page;
        uint32_t supported_features; /* XEN_ELFNOTE_SUPPORTED_FEATURES, word 0 */
        char guest_os[32], xen_version[32], loader[32];
        char features[160];        /* XEN_ELFNOTE_FEATURES */
        uint64_t elf_bytes;        /* bytes of the ELF decoded (or read) to reach the notes */
};
/* Xen's own rules on the notes (libelf-dominfo.c elf_xen_note_check,
 * xg_dom_elfloader.c): can it be loaded as a PV domU / into a PVH
 * container?  WHY (LEN bytes) says what is missing when not. */
bool xp_notes_pv_capable(const struct xp_kernel_notes *n, char *why, size_t len);
bool xp_notes_pvh_capable(const struct xp_kernel_notes *n, char *why, size_t len);

/* Where a mode's kernel capability came from. */
enum xp_cap_source { XP_CAP_NONE, XP_CAP_NOTES, XP_CAP_CONFIG, _XP_CAP_MAX };
const char *xp_cap_source_to_string(enum xp_cap_source s); /* NULL, "elf-notes", "config" */
const char *xp_boot_mode_to_string(enum xp_boot_mode m); /* "pv", "pvh", "hvm" */

struct xp_boot_kernel {
        char version[96];
        char kernel[256];           /* below the root: "boot/vmlinuz-6.1.0-13-amd64" */
        char initrd[256];           /* "" when none was found */
        char paired_by[48];         /* "file name", "BLS entry ...", "bzImage header" */
        bool running;               /* the kernel the facts were read from */
        char config_path[256];      /* "" when no config was found */
        char cfg_pv, cfg_pvh, cfg_pvhvm, cfg_platform, cfg_blkfront, cfg_netfront; /* 'y' 'm' 'n' 0 */
        unsigned rd_unset, rd_unknown; /* initramfs decompressors it lacks (struct xp_image_query) */
        struct xp_kernel_notes notes; /* the image's own Xen ELF notes */
        enum xp_kstate disk_blkfront; /* on-disk lib/modules/V (libkmod) */
        struct xp_image *image;     /* NULL without initrd */
        struct xp_checks checks;    /* kernel-level checks (config, pairing) */
        enum xp_check_status mode[_XP_BOOT_MAX];
        char *mode_why[_XP_BOOT_MAX]; /* what blocks or limits each mode */
        enum xp_cap_source mode_source[_XP_BOOT_MAX]; /* the kernel's capability, from */
};

struct xp_boot {
        bool probed;                /* the boot probe ran */
        bool quick;                 /* images read only until the facts were known */
        char note[160];             /* why nothing was checked, if so */
        struct xp_boot_kernel kernels[XP_MAX_KERNELS];
        size_t n_kernels;
        char **orphans;             /* initrds with no kernel */
        char root_fstype[32];
        char root_fstype_source[96]; /* "mounted root (proc/self/mountinfo)", "captured proc/mounts", "etc/fstab:3" */
        bool network_root;
        enum xp_generator generator; /* installed on the root */
        struct xp_checks checks;    /* system-wide: device naming, bootloader, console */
};
void xp_boot_clear(struct xp_boot *b);

/* Options of the boot-readiness scan. */
struct xp_boot_options {
        bool quick;          /* stop reading each image once its facts are known */
        unsigned threads;    /* xz decoder threads, 0: one per CPU; 1 keeps RSS small */
        const char *fstype;  /* override the root filesystem type */
};
/* Fill R->boot: kernels of ROOT/boot, their images and the system checks.
 * Uses R->facts (release, cmdline, root fs) when a probe run filled them. */
int xp_boot_probe(struct xp_ctx *ctx, struct xp_report *r, const struct xp_boot_options *o) _must_check_;
/* Read what tells the init system (proc/1/comm, etc/inittab, the sbin/init
 * link; never a binary) into ROOT's read log, so that a snapshot carries
 * the pv-console check's evidence although the boot probe does not run. */
void xp_boot_note_inputs(struct xp_root *root);
