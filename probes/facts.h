/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The typed facts the probes extract, one part per evidence source; the
 * classifier and the publisher read only these, never files.
 */
#pragma once

#include "model.h"

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
