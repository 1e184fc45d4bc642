/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The typed facts the probes extract, one part per evidence source; the
 * classifier and the publisher read only these, never files.
 */
#pragma once

#include "model.h"

/* Bounds of the xenbus and block facts' fixed arrays. */
#define XP_MAX_XENBUS 64
#define XP_MAX_DISKS 256

struct xp_xenbus_dev {
        char name[64];    /* vbd-51712 */
        char devtype[32]; /* vbd, vif, vkbd, ... */
        char nodename[96];
        char state[32];   /* "Connected" or the number as read */
        char driver[32];  /* bound driver, "" when none */
        bool has_disk;    /* a gendisk below it ("block"): blkfront connected */
        bool connected;
        bool dom0_dm_nic; /* an unbound vif in dom0: the device model's default NIC */
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

/*
 * One part per evidence source, in the order xp_probe_all() runs the probes
 * (probes/probe.c).  A source with a status says with it whether it could
 * be read at all (zero: never probed).
 */

/* kernel probe: the running kernel's release, command line and config */
struct xp_kernel_facts {
        char release[65];
        unsigned rel_version[3];      /* 2.6.18 from "2.6.18-398.el5xen", when rel_known */
        bool rel_known;
        char version[256];
        enum xp_status cmdline;
        char cmdline_text[4096];      /* as read (sanitized), for the modules probe */
        bool nopv, xen_nopv;
        char emul_unplug[48];
        bool emul_unplug_never;
        enum xp_status config;        /* kernel config found */
        char config_path[240];        /* as struct xp_kconfig's (probe.h) */
        char cfg_xen, cfg_xen_pv, cfg_xen_pvh, cfg_xen_pvhvm, cfg_xen_dom0;
        char cfg_blkfront, cfg_netfront, cfg_platform_pci;
};

/* container probe */
struct xp_container_facts {
        char name[32];                /* "docker", "lxc", ... or "" */
};

/* hypervisor probe: sys/hypervisor and proc/xen */
struct xp_hv_facts {
        enum xp_status status;        /* sys/hypervisor directory */
        char type[32];                /* content of sys/hypervisor/type */
        enum xp_guest_type guest_type;
        bool have_features;
        uint32_t features;
        char xen_version[32];         /* "4.17.5" from version/major.minor+extra */
        char capabilities[256];
        char uuid[40];                /* sys/hypervisor/uuid */
        enum xp_status xenfs;         /* proc/xen/capabilities readable? */
        bool control_d;
        enum xp_status start_flags;   /* sys/hypervisor/start_flags (Linux 6.12+) */
        bool sif_initdomain, sif_privileged;
        uint32_t sif_unknown;         /* the unknownNN leaves that read 1 */
        /* proc/xen/balloon: made by the classic xenlinux balloon driver
         * only (pvops has its balloon in sysfs); proc/xen/privcmd */
        bool proc_balloon, proc_privcmd;
};

/* cpuid probe */
struct xp_cpuid_facts {
        enum xp_status status;        /* FOUND: values available */
        enum xp_hv hv;                /* identity at 0x40000000 (first base) */
        char sig[13];                 /* raw signature at 0x40000000 */
        bool xen;                     /* XenVMMXenVMM at some base */
        bool xen_forced_only;         /* ... only through the forced prefix */
        uint32_t xen_base;
        char xen_version[16];
        bool viridian;                /* "Microsoft Hv" at 0x40000000 + Xen above */
        bool leaf1;                   /* leaf 1 was read */
        bool hv_bit;                  /* leaf 1 ECX bit 31 */
        bool hvm_leaf;                /* Xen HVM leaf (base+4) readable */
        uint32_t hvm_flags;
};

/* cpuinfo probe: the flags line of proc/cpuinfo */
struct xp_cpuinfo_facts {
        enum xp_status status;
        bool hypervisor, vmx, svm;
};

/* dmi probe */
struct xp_dmi_facts {
        enum xp_status status;
        enum xp_hv hv;
        char sys_vendor[64], product_name[64], bios_vendor[64], bios_version[64];
        char product_uuid[40];        /* "" when unreadable (root only) */
        char board_asset_tag[64];     /* EC2 Nitro: the instance id */
};

/* modules probe: each Xen module's state, indexed by enum xp_xen_module */
struct xp_modules_facts {
        enum xp_status status;
        enum xp_kstate state[_XP_XM_MAX];
        bool blacklisted[_XP_XM_MAX];
        bool install_disabled[_XP_XM_MAX];
};

/* xenbus probe */
struct xp_xenbus_facts {
        enum xp_status status;
        size_t n_devs;
        struct xp_xenbus_dev devs[XP_MAX_XENBUS];
};

/* pci probe */
struct xp_pci_facts {
        enum xp_status status;
        bool platform_dev;
        char platform_driver[32];
        char nic_drivers[128];        /* "e1000 rtl8139" of PCI NICs */
};

/* os-release probe */
struct xp_os_release_facts {
        char id[32], version_id[32], pretty_name[128];
};

/* block probe: the disks and the root filesystem */
struct xp_block_facts {
        enum xp_status status;
        size_t n_disks;
        struct xp_disk disks[XP_MAX_DISKS];
        enum xp_status rootfs;
        char root_source[128];        /* /dev/xvda1, rootfs, ... */
        char root_fstype[32];
        const char *root_table;       /* the mount table they came from: "proc/self/mountinfo", "proc/mounts", NULL */
        char root_devname[32];        /* resolved block device name */
        enum xp_disk_kind root_kind;
};

struct xp_facts {
        struct xp_kernel_facts kernel;
        struct xp_container_facts container;
        struct xp_hv_facts hv;
        struct xp_cpuid_facts cpuid;
        struct xp_cpuinfo_facts cpuinfo;
        struct xp_dmi_facts dmi;
        struct xp_modules_facts modules;
        struct xp_xenbus_facts xenbus;
        struct xp_pci_facts pci;
        struct xp_os_release_facts os_release;
        struct xp_block_facts block;
};
