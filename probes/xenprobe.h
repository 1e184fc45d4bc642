/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xenprobe internal API: context, root object, evidence model, facts,
 * verdict.  This header is the model's leaf: it includes no xenstore,
 * json-c, libudev, libkmod, libblkid or libarchive header, so renderers
 * and the publisher consume the model without dragging the probes' libraries
 * along (DESIGN.md example 9).
 *
 * Return convention everywhere: 0 found/success, 1 nothing found, -errno.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

#define _nonnull_ __attribute__((nonnull))
#define _must_check_ __attribute__((warn_unused_result))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _unused_ __attribute__((unused))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* ------------------------------------------------------------------ ctx */

struct xp_ctx;
struct xp_root;

typedef void (*xp_log_fn)(void *data, int priority, const char *file, int line,
                          const char *fn, const char *format, va_list args);

struct xp_ctx *xp_ctx_new(struct xp_root *root) _must_check_;
struct xp_ctx *xp_ctx_ref(struct xp_ctx *ctx);
struct xp_ctx *xp_ctx_unref(struct xp_ctx *ctx);
void xp_ctx_set_log_fn(struct xp_ctx *ctx, xp_log_fn fn, void *data);
void xp_ctx_set_log_priority(struct xp_ctx *ctx, int priority);
int xp_ctx_get_log_priority(const struct xp_ctx *ctx);
struct xp_root *xp_ctx_root(const struct xp_ctx *ctx);
/* Skip evidence that cannot change the verdict (--short): probes consult it
 * before costly live-only detail. */
void xp_ctx_set_verdict_only(struct xp_ctx *ctx, bool on);
bool xp_ctx_get_verdict_only(const struct xp_ctx *ctx);
void xp_ctx_log(struct xp_ctx *ctx, int priority, const char *file, int line,
                const char *fn, const char *format, ...) _printf_(6, 7);

#define xp_log_cond(ctx, prio, ...)                                            \
        do {                                                                   \
                if (xp_ctx_get_log_priority(ctx) >= (prio))                    \
                        xp_ctx_log(ctx, prio, __FILE__, __LINE__, __func__,    \
                                   __VA_ARGS__);                               \
        } while (0)
#define DBG(ctx, ...) xp_log_cond(ctx, LOG_DEBUG, __VA_ARGS__)
#define INFO(ctx, ...) xp_log_cond(ctx, LOG_INFO, __VA_ARGS__)
#define WARN(ctx, ...) xp_log_cond(ctx, LOG_WARNING, __VA_ARGS__)
#define ERR(ctx, ...) xp_log_cond(ctx, LOG_ERR, __VA_ARGS__)

/* ----------------------------------------------------------------- root */

/*
 * Every probe reads through one root: "/" for live runs, a snapshot or a
 * mounted guest image otherwise.  Paths are relative to the root ("sys/...",
 * "proc/...", never with a leading slash).  Resolution never leaves the root
 * (openat2 RESOLVE_IN_ROOT, or an equivalent user-space walk), only regular
 * files are read, and every read is bounded.
 */
#define XP_READ_MAX_DEFAULT (256u * 1024u)

enum xp_log_kind { XP_LOG_FILE, XP_LOG_LINK, XP_LOG_DIR, XP_LOG_ERROR };

struct xp_root *xp_root_new(const char *dir, bool live, int *ret_err) _must_check_;
struct xp_root *xp_root_free(struct xp_root *root);
bool xp_root_is_live(const struct xp_root *root);
const char *xp_root_path(const struct xp_root *root);
/* Open PATH below the root (O_RDONLY|O_CLOEXEC plus FLAGS); -errno. */
int xp_root_open(struct xp_root *root, const char *path, int flags);
/* Open a regular file below the root for reading (O_NONBLOCK set): the type
 * is checked before opening off the live system, so a planted FIFO or
 * device is refused (-EINVAL), never opened. */
int xp_root_open_file(struct xp_root *root, const char *path) _must_check_;
/* Read a whole regular file, at most MAX bytes (+NUL); -EFBIG if larger. */
int xp_root_read_file(struct xp_root *root, const char *path, size_t max,
                      char **ret, size_t *ret_len) _must_check_;
/* First line, trailing whitespace removed. */
int xp_root_read_line(struct xp_root *root, const char *path, char **ret) _must_check_;
/* Target text of a symlink below the root. */
int xp_root_readlink(struct xp_root *root, const char *path, char **ret) _must_check_;
/* Sorted entry names of a directory (no "." / ".."), NULL-terminated. */
int xp_root_list_dir(struct xp_root *root, const char *path, char ***ret) _must_check_;
bool xp_root_exists(struct xp_root *root, const char *path);
/* Record a path read by a library on our behalf (libkmod), for snapshot. */
void xp_root_note(struct xp_root *root, enum xp_log_kind kind, const char *path);
/* Iterate the read log (files, links, listed directories, failed reads). */
size_t xp_root_log_count(const struct xp_root *root);
const char *xp_root_log_path(const struct xp_root *root, size_t i, enum xp_log_kind *ret_kind);
/* Forget the read log (the daemon probes again and again: keep it flat). */
void xp_root_log_clear(struct xp_root *root);
/* XP_LOG_ERROR entries: the positive errno of the failed read. */
int xp_root_log_error(const struct xp_root *root, size_t i);
/* Snapshot file listing failed reads ("ERRNO PATH"); a non-live root
 * replays them as the same errors. */
#define XP_ERRORS_FILE "run/xenprobe/errors"
/* Test hook: make reads of paths matching GLOB fail with -ERR. */
void xp_root_inject_error(struct xp_root *root, const char *glob, int err);
/* Resolve PATH within the directory fd ROOTFD (used by root and snapshot):
 * returns an fd opened with O_FLAGS, never leaving ROOTFD. */
int xp_resolve_in_root(int rootfd, const char *path, int o_flags, bool nofollow_last);
/* Test hook: use the user-space walk even where openat2 works. */
void xp_resolve_force_userspace(bool on);

/* ------------------------------------------------------------------ dl */

struct xp_dl_sym {
        const char *name;
        void **ptr;
};
struct xp_dl_lib {
        const char *soname;
        const struct xp_dl_sym *syms; /* NULL-name terminated */
        int state;                    /* 0 not tried, 1 loaded, -1 failed */
};
/* dlopen LIB->soname once and resolve every symbol; -EOPNOTSUPP if not. */
int xp_dlopen_syms(struct xp_ctx *ctx, struct xp_dl_lib *lib);
#define XP_DL_SYM(table, fn) { #fn, (void **)&(table).fn }

/* Make room for one more element in a growable array (*V, *CAP) holding N
 * elements of ELEM bytes, doubling from FIRST; -ENOMEM. */
int xp_grow(void *v, size_t *cap, size_t n, size_t elem, size_t first) _must_check_;

/* Write all of DATA to FD (EINTR retried); -errno. */
int xp_write_all(int fd, const void *data, size_t len);

/* --------------------------------------------------------------- strings */

char *xp_strip(char *s);
bool xp_startswith(const char *s, const char *prefix);
char **xp_strv_free(char **v);
size_t xp_strv_length(char *const *v);
int xp_strv_push(char ***v, const char *s) _must_check_;
/* An allocation failed somewhere a caller may have papered over it (a
 * "?" for a name that could not be copied, a read taken for "unreadable",
 * an evidence item lost): xp_sanitize, xp_strv_push, xp_grow, the root's
 * reads and the report's adders note it; xp_probe_all and xp_boot_probe
 * then fail with -ENOMEM rather than return an incomplete report.
 * xp_take_enomem() tells whether one happened since the last call. */
void xp_note_enomem(void);
bool xp_take_enomem(void);
/* Replace control and non-ASCII bytes by '?', clamp length (for display). */
char *xp_sanitize(const char *s, size_t len, size_t max) _must_check_;
/* Look for a whitespace-separated word (or "word=...") in a command line. */
const char *xp_cmdline_find(const char *cmdline, const char *word, size_t *ret_len);

/* ------------------------------------------------------------ enums */

enum xp_hv {
        XP_HV_NONE,
        XP_HV_XEN,
        XP_HV_KVM,
        XP_HV_QEMU,
        XP_HV_VMWARE,
        XP_HV_MICROSOFT,
        XP_HV_ORACLE,
        XP_HV_PARALLELS,
        XP_HV_BHYVE,
        XP_HV_ACRN,
        XP_HV_QNX,
        XP_HV_POWERVM,
        XP_HV_APPLE,
        XP_HV_SRE,
        XP_HV_AMAZON,
        XP_HV_GOOGLE,
        XP_HV_BOCHS,
        XP_HV_OTHER,
        _XP_HV_MAX,
};

enum xp_mode { XP_MODE_NONE, XP_MODE_PV, XP_MODE_PVH, XP_MODE_PVHVM, XP_MODE_HVM, _XP_MODE_MAX };
enum xp_role { XP_ROLE_NONE, XP_ROLE_DOM0, XP_ROLE_DOMU, _XP_ROLE_MAX };
enum xp_guest_type { XP_GT_UNKNOWN, XP_GT_PV, XP_GT_PVH, XP_GT_HVM, _XP_GT_MAX };
/* zero (never probed) is "not available" */
enum xp_status { XP_ST_UNAVAILABLE, XP_ST_FOUND, XP_ST_ABSENT, XP_ST_UNREADABLE, _XP_ST_MAX };
enum xp_confidence { XP_CONF_LOW, XP_CONF_MEDIUM, XP_CONF_HIGH, _XP_CONF_MAX };
/* How a kernel feature or module is present. */
enum xp_kstate {
        XP_KS_UNKNOWN,  /* could not tell */
        XP_KS_LOADED,   /* module listed in /proc/modules */
        XP_KS_BUILTIN,  /* in modules.builtin or =y in the config */
        XP_KS_MODULE,   /* available as a module file, not loaded */
        XP_KS_MISSING,  /* not built at all */
        _XP_KS_MAX,
};
enum xp_disk_kind {
        XP_DISK_UNKNOWN,
        XP_DISK_XEN_PV,     /* xvd*, major 202, xen-blkfront */
        XP_DISK_ATA,        /* emulated IDE/SATA: sd* behind ata, hd* */
        XP_DISK_SCSI,       /* sd* not behind libata */
        XP_DISK_VIRTIO,     /* vd* */
        XP_DISK_NVME,
        XP_DISK_MEMORY,     /* rootfs/tmpfs/ramfs: root in memory */
        XP_DISK_NETWORK,    /* nfs, cifs, 9p, ... */
        XP_DISK_VIRTUAL,    /* overlay, loop, dm, md: stacked */
        XP_DISK_OTHER,
        _XP_DISK_MAX,
};

const char *xp_hv_to_string(enum xp_hv h);
const char *xp_hv_to_name(enum xp_hv h); /* human name */
const char *xp_mode_to_string(enum xp_mode m);
const char *xp_mode_to_description(enum xp_mode m);
const char *xp_role_to_string(enum xp_role r);
const char *xp_guest_type_to_string(enum xp_guest_type g);
const char *xp_status_to_string(enum xp_status s);
const char *xp_confidence_to_string(enum xp_confidence c);
const char *xp_kstate_to_string(enum xp_kstate k);
const char *xp_disk_kind_to_string(enum xp_disk_kind k);
const char *xp_disk_kind_to_description(enum xp_disk_kind k);

/* ------------------------------------------------------------- evidence */

struct xp_evidence {
        char *source;  /* probe name: "hypervisor", "cpuid", ... */
        char *path;    /* file below the root, or "leaf 0x40000000" */
        char *value;   /* sanitized, short */
        char *implies; /* what it means, one clause */
        enum xp_status status;
};

/* Typed facts the probes extract; the classifier reads only these. */
#define XP_MAX_XENBUS 64
#define XP_MAX_DISKS 256

struct xp_xenbus_dev {
        char name[64];    /* vbd-51712 */
        char devtype[32]; /* vbd, vif, vkbd, ... */
        char nodename[96];
        char state[32];   /* "Connected" or the number as read */
        char driver[32];  /* bound driver, "" when none */
        bool connected;
};

struct xp_disk {
        char name[32];
        unsigned major, minor;
        enum xp_disk_kind kind;
        char link[160]; /* sys/class/block/NAME link target */
        bool partition;
};

enum xp_xen_module {
        XP_XM_BLKFRONT,
        XP_XM_NETFRONT,
        XP_XM_PLATFORM_PCI,
        XP_XM_XENFS,
        XP_XM_PRIVCMD,
        XP_XM_EVTCHN,
        XP_XM_GNTDEV,
        XP_XM_GNTALLOC,
        XP_XM_KBDFRONT,
        XP_XM_FBFRONT,
        XP_XM_SCSIFRONT,
        XP_XM_PCIFRONT,
        XP_XM_BLKBACK,
        XP_XM_NETBACK,
        _XP_XM_MAX,
};
const char *xp_xen_module_name(enum xp_xen_module m); /* "xen_blkfront" */

struct xp_facts {
        /* hypervisor probe */
        enum xp_status hv_dir;        /* sys/hypervisor directory */
        char hv_type[32];             /* content of sys/hypervisor/type */
        enum xp_guest_type guest_type;
        bool have_features;
        uint32_t features;
        char xen_version[32];         /* "4.17.5" from version/major.minor+extra */
        char capabilities[256];
        enum xp_status xenfs;         /* proc/xen/capabilities readable? */
        bool control_d;

        /* cpuid probe */
        enum xp_status cpuid;         /* FOUND: values available */
        enum xp_hv cpuid_hv;          /* identity at 0x40000000 (first base) */
        char cpuid_sig[13];           /* raw signature at 0x40000000 */
        bool cpuid_xen;               /* XenVMMXenVMM at some base */
        bool cpuid_xen_forced_only;   /* ... only through the forced prefix */
        uint32_t cpuid_xen_base;
        char cpuid_xen_version[16];
        bool cpuid_viridian;          /* "Microsoft Hv" at 0x40000000 + Xen above */
        bool cpuid_hv_bit;            /* leaf 1 ECX bit 31 */
        bool cpuid_hvm_leaf;          /* Xen HVM leaf (base+4) readable */
        uint32_t cpuid_hvm_flags;

        /* cpuinfo probe */
        enum xp_status cpuinfo;
        bool flag_hypervisor, flag_vmx, flag_svm;

        /* dmi probe */
        enum xp_status dmi;
        enum xp_hv dmi_hv;
        char sys_vendor[64], product_name[64], bios_vendor[64], bios_version[64];

        /* kernel probe */
        char release[65];
        char version[256];
        enum xp_status cmdline;
        char cmdline_text[4096];      /* as read (sanitized), for the modules probe */
        bool nopv, xen_nopv;
        char emul_unplug[48];
        bool emul_unplug_never;
        enum xp_status config;        /* kernel config found */
        char config_path[128];
        char cfg_xen, cfg_xen_pv, cfg_xen_pvh, cfg_xen_pvhvm, cfg_xen_dom0;
        char cfg_blkfront, cfg_netfront, cfg_platform_pci;

        /* modules probe */
        enum xp_status modules;
        enum xp_kstate mod[_XP_XM_MAX];
        bool mod_blacklisted[_XP_XM_MAX];
        bool mod_install_disabled[_XP_XM_MAX];

        /* xenbus probe */
        enum xp_status xenbus;
        size_t n_xenbus;
        struct xp_xenbus_dev xenbus_dev[XP_MAX_XENBUS];

        /* pci probe */
        enum xp_status pci;
        bool platform_dev;
        char platform_driver[32];
        char nic_drivers[128];        /* "e1000 rtl8139" of PCI NICs */

        /* block probe */
        enum xp_status block;
        size_t n_disks;
        struct xp_disk disks[XP_MAX_DISKS];
        enum xp_status rootfs;
        char root_source[128];        /* /dev/xvda1, rootfs, ... */
        char root_fstype[32];
        char root_devname[32];        /* resolved block device name */
        enum xp_disk_kind root_kind;

        /* container probe */
        char container[32];           /* "docker", "lxc", ... or "" */

        /* os-release probe */
        char os_id[32], os_version_id[32], os_pretty_name[128];
};

struct xp_report;

/* ------------------------------------------------------- boot readiness */

enum xp_check_status { XP_CHECK_OK, XP_CHECK_MISSING, XP_CHECK_CANNOT_VERIFY, _XP_CHECK_MAX };
const char *xp_check_status_to_string(enum xp_check_status s); /* "ok", "missing", "cannot-verify" */

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
        int comp;                /* enum xp_comp (probes/initrd.h) */
        uint64_t out_bytes, entries;
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
        struct xp_checks checks;
};

/* Open IMAGE (below ROOT when ROOT is non-NULL, else a host path), read it and
 * evaluate the checks.  Returns 0 with *RET filled even for damaged images
 * (their checks say cannot-verify); -errno only for allocation failures. */
int xp_image_check(struct xp_ctx *ctx, struct xp_root *root, const char *path,
                   const struct xp_image_query *q, struct xp_image **ret) _must_check_;
struct xp_image *xp_image_free(struct xp_image *img);

/* Installed kernels and their initramfs images (probes/boot.c). */
#define XP_MAX_KERNELS 16

enum xp_boot_mode { XP_BOOT_PV, XP_BOOT_PVH, XP_BOOT_HVM, _XP_BOOT_MAX };
const char *xp_boot_mode_to_string(enum xp_boot_mode m); /* "pv", "pvh", "hvm" */

struct xp_boot_kernel {
        char version[96];
        char kernel[256];           /* below the root: "boot/vmlinuz-6.1.0-13-amd64" */
        char initrd[256];           /* "" when none was found */
        char paired_by[48];         /* "file name", "BLS entry ...", "bzImage header" */
        bool running;               /* the kernel the facts were read from */
        char config_path[256];      /* "" when no config was found */
        char cfg_pv, cfg_pvh, cfg_pvhvm, cfg_platform, cfg_blkfront, cfg_netfront; /* 'y' 'm' 'n' 0 */
        enum xp_kstate disk_blkfront; /* on-disk lib/modules/V (libkmod) */
        struct xp_image *image;     /* NULL without initrd */
        struct xp_checks checks;    /* kernel-level checks (config, pairing) */
        enum xp_check_status mode[_XP_BOOT_MAX];
        char *mode_why[_XP_BOOT_MAX]; /* what blocks or limits each mode */
};

struct xp_boot {
        bool probed;                /* the boot probe ran */
        bool quick;                 /* images read only until the facts were known */
        char note[160];             /* why nothing was checked, if so */
        struct xp_boot_kernel kernels[XP_MAX_KERNELS];
        size_t n_kernels;
        char **orphans;             /* initrds with no kernel */
        char root_fstype[32];
        char root_fstype_source[96]; /* "mounted root (proc/self/mountinfo)", "etc/fstab:3" */
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

struct xp_rule_hit {
        const char *name;
        char *detail;
};

struct xp_report {
        struct xp_facts facts;
        struct xp_evidence *evidence;
        size_t n_evidence, cap_evidence;
        char **warnings;
        struct xp_rule_hit *rules;
        size_t n_rules, cap_rules;
        char **notes;            /* non-contradiction remarks (seed heuristic...) */

        /* verdict */
        enum xp_hv hypervisor;   /* XP_HV_NONE: bare metal or unknown */
        char hypervisor_detail[96];
        enum xp_role role;
        enum xp_mode mode;
        enum xp_confidence confidence;
        bool live;
        bool nested_hvm_capable; /* dom0: capabilities list hvm-* */
        struct xp_boot boot;     /* boot readiness, when probed */
        bool can_host_hvm;       /* domU/none: vmx or svm visible */
};

struct xp_report *xp_report_new(void) _must_check_;
struct xp_report *xp_report_free(struct xp_report *r);
int xp_evidence_add(struct xp_report *r, const char *source, const char *path,
                    enum xp_status status, const char *value, const char *implies_fmt, ...)
        _printf_(6, 7);
int xp_report_warn(struct xp_report *r, const char *fmt, ...) _printf_(2, 3);
int xp_report_note(struct xp_report *r, const char *fmt, ...) _printf_(2, 3);
int xp_report_rule(struct xp_report *r, const char *name, const char *fmt, ...) _printf_(3, 4);
/* "pv", "pvh", "pvhvm", "hvm", "dom0-pv", "dom0-pvh", "none" */
const char *xp_report_verdict(const struct xp_report *r);
/* Record an absent/unreadable source uniformly from a -errno. */
enum xp_status xp_status_from_errno(int err);

/* ---------------------------------------------------------------- probes */

struct xp_probe {
        const char *name;
        /* 0 found, 1 nothing, -errno (absence is 1, never an error) */
        int (*run)(struct xp_ctx *ctx, struct xp_report *r);
};

extern const struct xp_probe xp_container_probe;
extern const struct xp_probe xp_os_release_probe;
extern const struct xp_probe xp_kernel_probe;
extern const struct xp_probe xp_hypervisor_probe;
extern const struct xp_probe xp_cpuid_probe;
extern const struct xp_probe xp_cpuinfo_probe;
extern const struct xp_probe xp_dmi_probe;
extern const struct xp_probe xp_modules_probe;
extern const struct xp_probe xp_xenbus_probe;
extern const struct xp_probe xp_pci_probe;
extern const struct xp_probe xp_block_probe;

/* Record the files libkmod reads (index, modprobe.d) in the read log. */
void xp_modules_note_inputs(struct xp_root *root, const char *release);

/* State of each module in NAMES (NULL-terminated) for kernel RELEASE of the
 * root, from libkmod on lib/modules/RELEASE: BUILTIN, MODULE or MISSING.
 * -ENOENT: no module index for RELEASE; -EOPNOTSUPP: no libkmod. */
int xp_modules_lookup(struct xp_ctx *ctx, const char *release, const char *const *names,
                      enum xp_kstate *ret) _must_check_;

/* Run every probe in order, then the classifier. */
int xp_probe_all(struct xp_ctx *ctx, struct xp_report **ret) _must_check_;
void xp_classify(struct xp_report *r);

/* --------------------------------------------------------------- cpuid */

struct xp_cpuid_leaf {
        uint32_t leaf, subleaf;
        uint32_t eax, ebx, ecx, edx;
        bool forced;
};
struct xp_cpuid_set {
        struct xp_cpuid_leaf *leaves;
        size_t n, cap;
};
/* Parse the text format of ROOT/run/xenprobe/cpuid; -EINVAL names the line. */
int xp_cpuid_parse(const char *text, struct xp_cpuid_set *ret, unsigned *ret_bad_line) _must_check_;
/* Read the live CPU: plain leaves, and through Xen's forced-emulation prefix. */
int xp_cpuid_read_live(struct xp_cpuid_set *ret) _must_check_;
int xp_cpuid_format(const struct xp_cpuid_set *set, char **ret) _must_check_;
void xp_cpuid_set_clear(struct xp_cpuid_set *set);
const struct xp_cpuid_leaf *xp_cpuid_find(const struct xp_cpuid_set *set, uint32_t leaf, bool forced);
#define XP_CPUID_FILE "run/xenprobe/cpuid"

/* -------------------------------------------------------------- parsers */
/* Exposed for unit tests. */
int xp_parse_features(const char *s, uint32_t *ret);
enum xp_guest_type xp_parse_guest_type(const char *s);
int xp_parse_cpuinfo_flags(const char *text, bool *hv, bool *vmx, bool *svm);
char xp_parse_config_option(const char *config, const char *option); /* 'y','m','n' or 0 */
int xp_parse_mountinfo_root(const char *text, char *src, size_t srclen, char *fstype,
                            size_t fslen, unsigned *major, unsigned *minor);
int xp_parse_mounts_root(const char *text, char *src, size_t srclen, char *fstype, size_t fslen);
bool xp_parse_modules_has(const char *proc_modules, const char *name);
