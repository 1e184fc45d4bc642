/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The classifier: an ordered rule table over the facts (model: systemd's
 * detect_vm()).  Every rule that fires is recorded with its reason; the
 * contradictions found on the way become warnings.  Probes never decide:
 * they only report what they read.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "probe.h"

struct state {
        struct xp_report *r;
        struct xp_facts *f;
        const char *rule;    /* the row being evaluated: the name it reports */
        int xen_sources;     /* independent sources that say Xen */
        bool hvm_family;     /* HVM or PVHVM, still to be told apart */
        bool mode_decided;
        bool other_decided;  /* a not-Xen rule named the hypervisor */
};

typedef bool (*rule_fn)(struct state *s);

/* A rule fired: record it under its row's name, so the name in the output
 * is the name in the table below (one grep finds the row). */
static bool fire(struct state *s, const char *fmt, ...) _printf_(2, 3);
static bool fire(struct state *s, const char *fmt, ...)
{
        char *detail;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&detail, fmt, ap);
        va_end(ap);
        if (n < 0) {
                xp_note_enomem();
                return true;
        }
        xp_report_rule(s->r, s->rule, "%s", detail);
        free(detail);
        return true;
}

static bool frontend_connected(const struct xp_facts *f, const char *devtype)
{
        for (size_t i = 0; i < f->xenbus.n_devs; i++)
                if (strcmp(f->xenbus.devs[i].devtype, devtype) == 0 && f->xenbus.devs[i].connected)
                        return true;
        return false;
}

static bool any_frontend(const struct xp_facts *f)
{
        for (size_t i = 0; i < f->xenbus.n_devs; i++)
                if (f->xenbus.devs[i].connected)
                        return true;
        return false;
}

/* ---- which hypervisor -------------------------------------------------- */

/* First: the kernel's own hypervisor interface.  When it says Xen, the
 * kernel is using Xen, whatever CPUID or DMI show. */
static bool rule_sysfs_xen(struct state *s)
{
        if (strcmp(s->f->hv.type, "xen") != 0)
                return false;
        s->r->hypervisor = XP_HV_XEN;
        s->xen_sources++;
        fire(s, "sys/hypervisor/type reads \"xen\"");
        return true;
}

/* CPUID next: any base 0x40000000+n*0x100, plain or forced.  Scanning all
 * bases is what makes Xen+Viridian ("Microsoft Hv" first) come out as Xen. */
static bool rule_cpuid_xen(struct state *s)
{
        if (!s->f->cpuid.xen)
                return false;
        s->r->hypervisor = XP_HV_XEN;
        s->xen_sources++;
        fire(s, "XenVMMXenVMM at CPUID leaf 0x%08x%s%s", s->f->cpuid.xen_base,
                       s->f->cpuid.xen_forced_only ? " (through the forced-emulation prefix)" : "",
                       s->f->cpuid.viridian ? "; \"Microsoft Hv\" at 0x40000000 is Xen's Viridian interface, not Hyper-V" : "");
        return true;
}

/* DMI after CPUID: "Xen" firmware means an HVM domU, and it outranks a
 * "Microsoft Hv" CPUID signature.  In dom0 DMI is the real machine's. */
static bool rule_dmi_xen(struct state *s)
{
        if (s->f->dmi.hv != XP_HV_XEN)
                return false;
        s->r->hypervisor = XP_HV_XEN;
        s->xen_sources++;
        fire(s, "DMI vendor \"%s\" / \"%s\": Xen HVM firmware", s->f->dmi.sys_vendor,
                       s->f->dmi.product_name);
        return true;
}

/* Last resort: xenbus or xenfs exist only under Xen. */
static bool rule_xen_interfaces(struct state *s)
{
        if (!(s->f->xenbus.n_devs > 0 || s->f->hv.xenfs == XP_ST_FOUND))
                return false;
        if (s->r->hypervisor != XP_HV_XEN)
                s->r->hypervisor = XP_HV_XEN;
        s->xen_sources++;
        fire(s, "%s%s%s", s->f->xenbus.n_devs ? "xen bus devices" : "",
                       s->f->xenbus.n_devs && s->f->hv.xenfs == XP_ST_FOUND ? " and " : "",
                       s->f->hv.xenfs != XP_ST_FOUND ? ""
                       : s->f->hv.proc_balloon ? "/proc/xen (the classic kernel's own, not xenfs)"
                                               : "xenfs (/proc/xen)");
        return true;
}

/* ---- role: after every hypervisor rule, as systemd decides dom0 after
 * CPUID (a PV dom0's CPUID and DMI show the hardware) ---------------------- */

/* The dom0 sources, most direct first: start_flags/initdomain (Linux
 * 6.12+) is SIF_INITDOMAIN as Xen's dom0 builder set it, the bit xenfs's
 * control_d is printed from (xen_initial_domain()), readable without xenfs;
 * XENFEAT_dom0 is Xen's is_hardware_domain(). */
static bool rule_dom0(struct state *s)
{
        struct xp_facts *f = s->f;
        bool sif = f->hv.start_flags == XP_ST_FOUND && f->hv.sif_initdomain;
        bool feat = xp_hv_has_feature(&f->hv, XENFEAT_dom0);
        if (s->r->hypervisor != XP_HV_XEN || !(sif || feat || f->hv.control_d))
                return false;
        s->r->role = XP_ROLE_DOM0;
        return fire(s, "%s%s%s%s%s", sif ? "start_flags/initdomain = 1 (SIF_INITDOMAIN)" : "",
                    sif && (feat || f->hv.control_d) ? ", " : "",
                    feat ? "XENFEAT_dom0 (bit 11) set in properties/features" : "",
                    feat && f->hv.control_d ? " and " : "",
                    f->hv.control_d ? "control_d in /proc/xen/capabilities" : "");
}

/* What kept the dom0 bits from being read: sys/hypervisor's part. */
static const char *features_state(const struct xp_facts *f)
{
        if (f->hv.status == XP_ST_FOUND)
                return "no readable XENFEAT mask in properties/features";
        return f->hv.status == XP_ST_UNREADABLE ? "/sys/hypervisor unreadable" : "nothing in /sys/hypervisor";
}

/* ... and xenfs's part (absent: /proc/xen missing or not mounted). */
static const char *xenfs_state(const struct xp_facts *f)
{
        return f->hv.xenfs == XP_ST_UNREADABLE ? "proc/xen/capabilities unreadable" : "no xenfs on /proc/xen";
}

static bool rule_domu(struct state *s)
{
        struct xp_facts *f = s->f;
        if (s->r->hypervisor != XP_HV_XEN || s->r->role == XP_ROLE_DOM0)
                return false;
        s->r->role = XP_ROLE_DOMU;
        if (f->hv.start_flags == XP_ST_FOUND)
                return fire(s, "start_flags/initdomain = 0 (no SIF_INITDOMAIN)%s: not the initial domain",
                            f->hv.have_features ? " and no XENFEAT_dom0 bit" : "");
        if (f->hv.have_features || f->hv.xenfs == XP_ST_FOUND)
                return fire(s, "no XENFEAT_dom0 bit and no control_d: an unprivileged domain");
        fire(s, "no dom0 evidence (%s, %s): %s", features_state(f), xenfs_state(f),
             f->hv.status == XP_ST_FOUND ? "taken for an unprivileged domain"
             : f->xenbus.n_devs          ? "a guest that sees Xen only through its xen bus, CPUID or DMI is never dom0"
                                         : "a guest that sees Xen only through CPUID/DMI is never dom0");
        if (f->hv.status == XP_ST_FOUND)
                xp_report_warn(s->r, "dom0 status is inferred: %s and %s", features_state(f), xenfs_state(f));
        return true;
}

/* ---- mode -------------------------------------------------------------- */

static bool rule_guest_type(struct state *s)
{
        enum xp_guest_type g = s->f->hv.guest_type;
        if (s->r->hypervisor != XP_HV_XEN || g == XP_GT_UNKNOWN)
                return false;
        s->mode_decided = true;
        if (g == XP_GT_PV)
                s->r->mode = XP_MODE_PV;
        else if (g == XP_GT_PVH)
                s->r->mode = XP_MODE_PVH;
        else
                s->hvm_family = true;
        fire(s, "sys/hypervisor/guest_type = %s", xp_guest_type_to_string(g));
        return true;
}

/* Kernels before 4.13 have no guest_type: the feature bits Xen sets per
 * domain type tell PV (util-linux lscpu does the same with older masks).
 * hvm_pirqs proves HVM, but its absence does not prove PVH: Xen 4.19 stopped
 * offering it to HVM guests by default, so PVH is decided later, after the
 * firmware and the platform device had their say. */
static bool rule_features_pv(struct state *s)
{
        if (s->mode_decided || s->r->hypervisor != XP_HV_XEN || !xp_hv_has_feature(&s->f->hv, XENFEAT_mmu_pt_update_preserve_ad))
                return false;
        s->mode_decided = true;
        s->r->mode = XP_MODE_PV;
        return fire(s, "XENFEAT_mmu_pt_update_preserve_ad (bit 5): Xen offers it to PV domains only");
}

static bool rule_features_hvm(struct state *s)
{
        if (s->mode_decided || s->r->hypervisor != XP_HV_XEN || !xp_hv_has_feature(&s->f->hv, XENFEAT_hvm_pirqs))
                return false;
        s->mode_decided = true;
        s->hvm_family = true;
        return fire(s, "XENFEAT_hvm_pirqs (bit 10): an HVM domain with emulated PIRQs");
}

/* After hvm-hardware found neither firmware nor the platform device.  The
 * feature word only rules PV out here: on Xen 4.19+ a PVH and an HVM domain
 * read the same word (no hvm_pirqs by default, xen/common/kernel.c), so what
 * decides PVH is that there are no firmware tables at all: only when the
 * DMI directory was read and is absent (not unreadable), and the PCI bus was
 * not unreadable, may that absence decide. */
static bool firmware_absent(const struct xp_facts *f)
{
        return f->dmi.status == XP_ST_ABSENT && f->pci.status != XP_ST_UNREADABLE;
}

static bool rule_features_pvh(struct state *s)
{
        struct xp_facts *f = s->f;
        bool dom0 = s->r->role == XP_ROLE_DOM0;
        if (s->mode_decided || s->r->hypervisor != XP_HV_XEN || !xp_hv_has_feature(&f->hv, XENFEAT_auto_translated_physmap) ||
            !(dom0 || firmware_absent(f)))
                return false;
        s->mode_decided = true;
        s->r->mode = XP_MODE_PVH;
        if (dom0)
                return fire(s, "auto-translated physmap without a PV-only bit in the hardware domain: PVH dom0 (there is no HVM dom0; its firmware tables are the machine's)");
        return fire(s, "no firmware tables and no platform device: PVH (the feature word, auto-translated without a PV-only bit, only rules out PV: PVH and HVM read the same word since Xen 4.19)");
}

/* Only a PV domain gets an answer from the forced-emulation prefix. */
static bool rule_forced_cpuid(struct state *s)
{
        if (s->mode_decided || s->r->hypervisor != XP_HV_XEN || !s->f->cpuid.xen_forced_only)
                return false;
        s->mode_decided = true;
        s->r->mode = XP_MODE_PV;
        fire(s, "Xen answered the forced-emulation prefix: only PV domains can");
        return true;
}

/* Firmware (DMI) or a PCI platform device exist only in HVM domains. */
static bool rule_hvm_hardware(struct state *s)
{
        struct xp_facts *f = s->f;
        if (s->mode_decided || s->r->hypervisor != XP_HV_XEN || s->r->role == XP_ROLE_DOM0)
                return false;
        if (f->dmi.hv != XP_HV_XEN && !f->pci.platform_dev && f->dmi.status != XP_ST_FOUND)
                return false;
        s->mode_decided = true;
        s->hvm_family = true;
        fire(s, "%s: only HVM domains have firmware tables and the platform device",
                       f->dmi.hv == XP_HV_XEN ? "Xen DMI tables"
                       : f->pci.platform_dev     ? "Xen platform PCI device"
                                             : "DMI tables (firmware) present");
        return true;
}

/* Xen fills its HVM CPUID leaf (base+4, vcpu-id-present bit 3) for HVM and
 * PVH domains only (xen/arch/x86/cpuid.c); with no firmware and no platform
 * device seen (hvm-hardware did not fire, and the DMI directory absent, not
 * unreadable: firmware_absent()) that is PVH.  In the captured
 * Xen 4.17 guests (tests/roots/xen417-e2e-pvh, xen417-e2e-pv) it reads
 * eax=0x5c for PVH and all zeros for PV. */
static bool rule_hvm_leaf_pvh(struct state *s)
{
        if (s->mode_decided || s->r->hypervisor != XP_HV_XEN || !s->f->cpuid.hvm_leaf ||
            !(s->f->cpuid.hvm_flags & (1u << 3)) || !(s->r->role == XP_ROLE_DOM0 || firmware_absent(s->f)))
                return false;
        s->mode_decided = true;
        s->r->mode = XP_MODE_PVH;
        fire(s, "Xen's HVM CPUID leaf is filled (an HVM container) but there is no firmware and no platform device: PVH");
        return true;
}

/*
 * With no firmware and no platform device HVM is out, and PVH is what is
 * left besides PV; these facts rule PVH out, most decisive first (the
 * first one is reported as the one that decided, the others as "also"):
 *  - CPUID leaf 1 ecx[31] clear: CPUID reached the hardware.  In any HVM
 *    container (PVH) CPUID always exits to Xen, which sets that bit
 *    (xen/arch/x86/cpu-policy.c); only a PV guest without CPUID faulting
 *    runs the instruction natively;
 *  - the hypervisor: PVH appeared in Xen 4.4 (PVHv1, removed again), and
 *    the PVH Linux boots (PVHv2) needs Xen 4.10;
 *  - the kernel: Linux had no PVH before 3.14 (PVHv1, CONFIG_XEN_PVH), and
 *    4.11 replaced it by PVHv2 (arch/x86/platform/pvh), which needs Xen 4.10;
 *  - a classic xenlinux kernel-xen (a "xen" release with the classic
 *    drivers' /proc/xen/balloon): its Xen support is a subarchitecture that
 *    boots only as a PV domain;
 *  - no "hypervisor" flag in /proc/cpuinfo from a kernel that knows it
 *    (X86_FEATURE_HYPERVISOR, 2.6.28): the kernel's own CPUID saw no
 *    hypervisor bit, which an HVM container cannot hide.
 */
static bool kernel_before(const struct xp_facts *f, unsigned a, unsigned b, unsigned c)
{
        const unsigned *v = f->kernel.rel_version;
        return f->kernel.rel_known && (v[0] != a ? v[0] < a : v[1] != b ? v[1] < b : v[2] < c);
}

static size_t pvh_excluded_by(const struct xp_report *r, char *why, size_t len)
{
        const struct xp_facts *f = &r->facts;
        const char *xv = xp_report_xen_version(r);
        unsigned xa = 0, xb = 0;
        bool xen_known = xv && xp_parse_xen_version(xv, &xa, &xb) == 0;
        bool xen_before_410 = xen_known && (xa < 4 || (xa == 4 && xb < 10));
        size_t n = 0, l = 0;
#define WHY(...) (l += (size_t)snprintf(why + l, l < len ? len - l : 0, "%s", n++ == 0 ? "" : n == 2 ? "; also: " : "; "), \
                  l += (size_t)snprintf(why + l, l < len ? len - l : 0, __VA_ARGS__))
        if (f->cpuid.status == XP_ST_FOUND && f->cpuid.leaf1 && !f->cpuid.hv_bit)
                WHY("CPUID leaf 1 ecx[31] is 0: CPUID reached the hardware, and in a PVH (HVM container) domain every CPUID exits to Xen, which sets that bit");
        if (xen_known && (xa < 4 || (xa == 4 && xb < 4)))
                WHY("Xen %s predates PVH (Xen 4.4 introduced it; the PVH Linux boots needs Xen 4.10)", xv);
        if (kernel_before(f, 3, 14, 0))
                WHY("kernel %s predates PVH in Linux (3.14; the PVH of today since 4.11)", f->kernel.release);
        else if (!kernel_before(f, 4, 11, 0) && f->kernel.rel_known && xen_before_410 && !(xa < 4 || (xa == 4 && xb < 4)))
                WHY("kernel %s boots only PVHv2 (Linux 4.11 removed PVHv1), which Xen %s cannot run (4.10 can)",
                    f->kernel.release, xv);
        if (f->hv.proc_balloon && strstr(f->kernel.release, "xen"))
                WHY("kernel %s with the classic drivers' /proc/xen/balloon: a classic xenlinux kernel-xen, which boots only as a PV domain",
                    f->kernel.release);
        if (f->cpuinfo.status == XP_ST_FOUND && !f->cpuinfo.hypervisor && f->kernel.rel_known && !kernel_before(f, 2, 6, 28))
                WHY("no hypervisor flag in proc/cpuinfo from kernel %s (which knows the flag since 2.6.28): its CPUID saw no hypervisor bit, which a PVH domain always sees",
                    f->kernel.release);
#undef WHY
        return n;
}

static bool rule_pvh_excluded(struct state *s)
{
        char why[1024] = "";
        if (s->mode_decided || s->r->hypervisor != XP_HV_XEN || pvh_excluded_by(s->r, why, sizeof(why)) == 0)
                return false;
        s->mode_decided = true;
        s->r->mode = XP_MODE_PV;
        return fire(s, "%s, and not PVH: %s",
                    s->r->role == XP_ROLE_DOM0 ? "a dom0 is never HVM" : "no firmware and no platform device (not HVM)", why);
}

/* No direct mode reading at all: a best guess, with lowered confidence. */
static bool guess_mode(struct state *s, enum xp_mode m)
{
        s->mode_decided = true;
        s->r->mode = m;
        s->r->confidence = XP_CONF_LOW;
        return true;
}

static void warn_guessed(struct state *s)
{
        xp_report_warn(s->r, "guest mode could not be read directly (no guest_type, no feature bits): verdict is a best guess");
}

/* A Xen domU with neither firmware nor PCI nor PV-only bits: PVH, with
 * lowered confidence (a PV guest with CPUID faulting looks the same). */
static bool rule_no_firmware_pvh(struct state *s)
{
        if (s->mode_decided || s->r->hypervisor != XP_HV_XEN || s->f->dmi.status != XP_ST_ABSENT || s->f->pci.status != XP_ST_ABSENT)
                return false;
        guess_mode(s, XP_MODE_PVH);
        fire(s, "no DMI tables and no PCI bus: PVH (or PV; nothing else tells them apart here)");
        warn_guessed(s);
        return true;
}

static bool rule_fallback_pv(struct state *s)
{
        if (s->mode_decided || s->r->hypervisor != XP_HV_XEN)
                return false;
        guess_mode(s, XP_MODE_PV);
        fire(s, "no mode evidence: assuming PV");
        warn_guessed(s);
        return true;
}

/* A blacklist or an install line in modprobe.d keeps module M from
 * loading; it cannot stop a loaded or built-in driver. */
static bool blocked_in_modprobe(const struct xp_facts *f, int m)
{
        return (f->modules.blacklisted[m] || f->modules.install_disabled[m]) &&
               (f->modules.state[m] == XP_KS_MODULE || f->modules.state[m] == XP_KS_UNKNOWN);
}

/* HVM vs PVHVM: the platform device is necessary, connected block or net
 * frontends are what proves the PV drivers are in use. */
static bool rule_pv_drivers_in_use(struct state *s)
{
        struct xp_facts *f = s->f;
        if (!s->hvm_family)
                return false;
        bool vbd = frontend_connected(f, "vbd"), vif = frontend_connected(f, "vif");
        if (!vbd && !vif)
                return false;
        s->r->mode = XP_MODE_PVHVM;
        return fire(s, "HVM domain with connected PV frontends (%s%s%s)%s", vbd ? "vbd" : "", vbd && vif ? ", " : "",
                    vif ? "vif" : "", f->pci.platform_dev ? " and the Xen platform device" : "");
}

/* Why the Xen platform device has no driver, as far as the facts tell:
 * Linux's platform_pci_probe() refuses it only when !xen_domain() (nopv,
 * or no Xen support), and CONFIG_XEN_PVHVM_GUEST builds the driver
 * (drivers/xen/Makefile in 6.1). */
static const char *platform_unbound_why(const struct xp_facts *f)
{
        if (f->kernel.nopv || f->kernel.xen_nopv)
                return f->kernel.nopv ? " (xen-platform-pci refuses it under nopv)"
                                      : " (xen-platform-pci refuses it under xen_nopv)";
        if (f->hv.status != XP_ST_FOUND)
                return " (xen-platform-pci binds it only when the kernel uses Xen)";
        if (f->kernel.config == XP_ST_FOUND && f->kernel.cfg_platform_pci == 'n')
                return " (CONFIG_XEN_PVHVM_GUEST, which builds xen-platform-pci, is not set)";
        if (f->kernel.config == XP_ST_FOUND)
                return "";
        return " (xen-platform-pci is built by CONFIG_XEN_PVHVM_GUEST: check the kernel config)";
}

/* Why an HVM domain has no PV drivers, most specific reason first:
 * "reason; reason" into WHY. */
static void no_pv_reasons(const struct xp_facts *f, char *why, size_t len)
{
        size_t l = 0;
#define WHY(...) (l += (size_t)snprintf(why + l, l < len ? len - l : 0, __VA_ARGS__))
        if (f->kernel.nopv || f->kernel.xen_nopv)
                WHY("%s on the kernel command line; ", f->kernel.nopv ? "nopv" : "xen_nopv");
        if (f->hv.status != XP_ST_FOUND)
                WHY("the kernel does not use Xen (nothing in /sys/hypervisor); ");
        if (f->pci.status == XP_ST_FOUND && !f->pci.platform_dev)
                WHY("no Xen platform PCI device (xen_platform_pci=0 in the guest config); ");
        if (f->kernel.emul_unplug_never)
                WHY("xen_emul_unplug=never: the kernel keeps the emulated devices and the PV frontends refuse to bind (xen_has_pv_devices() is false); ");
        if (f->pci.platform_dev && !f->pci.platform_driver[0])
                WHY("platform device present but no driver bound%s; ", platform_unbound_why(f));
        for (int m = XP_XM_BLKFRONT; m <= XP_XM_NETFRONT; m++) {
                if (blocked_in_modprobe(f, m))
                        WHY("%s is %s in modprobe.d; ", xp_xen_module_name(m),
                            f->modules.blacklisted[m] ? "blacklisted" : "disabled by an install line");
                else if (f->modules.state[m] == XP_KS_MISSING)
                        WHY("%s is not available for this kernel; ", xp_xen_module_name(m));
                else if (f->modules.state[m] == XP_KS_MODULE)
                        WHY("%s is available but not loaded; ", xp_xen_module_name(m));
        }
        if (f->xenbus.n_devs > 0 && !any_frontend(f))
                WHY("xen bus devices exist but none is connected; ");
        else if (f->xenbus.n_devs > 0)
                WHY("only non-storage/network frontends are connected; ");
#undef WHY
        if (l >= len)
                l = len - 1;
        while (l > 0 && (why[l - 1] == ' ' || why[l - 1] == ';'))
                why[--l] = '\0';
}

static bool rule_no_pv_drivers(struct state *s)
{
        if (!s->hvm_family || s->r->mode == XP_MODE_PVHVM)
                return false;
        s->r->mode = XP_MODE_HVM;
        char why[512] = "";
        no_pv_reasons(s->f, why, sizeof(why));
        return fire(s, "HVM domain without connected block/net PV frontends%s%s", why[0] ? ": " : "", why);
}

/* ---- not Xen: the first source that names a hypervisor decides --------- */

static bool other_decided(struct state *s)
{
        return s->r->hypervisor == XP_HV_XEN || s->other_decided;
}

static bool decide_other(struct state *s, enum xp_hv hv)
{
        s->other_decided = true;
        s->r->hypervisor = hv;
        return true;
}

/* CPUID before DMI (systemd order); DMI "QEMU" is a machine type, CPUID
 * tells KVM from TCG */
static bool rule_cpuid_other(struct state *s)
{
        struct xp_facts *f = s->f;
        if (other_decided(s) || f->cpuid.hv == XP_HV_NONE || f->cpuid.hv == XP_HV_XEN)
                return false;
        decide_other(s, f->cpuid.hv);
        snprintf(s->r->hypervisor_detail, sizeof(s->r->hypervisor_detail), "CPUID \"%s\"", f->cpuid.sig);
        return fire(s, "CPUID signature \"%s\": %s", f->cpuid.sig, xp_hv_to_name(f->cpuid.hv));
}

static bool rule_dmi_other(struct state *s)
{
        struct xp_facts *f = s->f;
        if (other_decided(s) || f->dmi.hv == XP_HV_NONE)
                return false;
        decide_other(s, f->dmi.hv);
        s->r->hypervisor_by_dmi = true;
        snprintf(s->r->hypervisor_detail, sizeof(s->r->hypervisor_detail), "DMI \"%s\"", f->dmi.sys_vendor);
        return fire(s, "DMI vendor \"%s\": %s", f->dmi.sys_vendor, xp_hv_dmi_name(f->dmi.hv));
}

static bool rule_sysfs_hypervisor_other(struct state *s)
{
        struct xp_facts *f = s->f;
        if (other_decided(s) || !f->hv.type[0])
                return false;
        decide_other(s, XP_HV_OTHER);
        snprintf(s->r->hypervisor_detail, sizeof(s->r->hypervisor_detail), "sys/hypervisor/type \"%s\"", f->hv.type);
        return fire(s, "sys/hypervisor/type \"%s\"", f->hv.type);
}

static bool rule_hypervisor_flag(struct state *s)
{
        if (other_decided(s) || !(s->f->cpuid.hv_bit || s->f->cpuinfo.hypervisor))
                return false;
        decide_other(s, XP_HV_OTHER);
        return fire(s, "the CPU's hypervisor bit is set but no signature identifies it");
}

static bool rule_bare_metal(struct state *s)
{
        struct xp_facts *f = s->f;
        if (other_decided(s))
                return false;
        decide_other(s, XP_HV_NONE);
        return fire(s, "%s",
                    f->cpuid.status == XP_ST_FOUND || f->cpuinfo.status == XP_ST_FOUND
                            ? "no hypervisor bit, signature, DMI vendor or hypervisor interface"
                            : "no hypervisor evidence (but CPUID and cpuinfo were not available)");
}

/* Not Xen, in a container: the container shares the host's kernel. */
static bool rule_container(struct state *s)
{
        if (s->r->hypervisor == XP_HV_XEN || !s->f->container.name[0])
                return false;
        return fire(s, "%s container (shares the host's kernel)", s->f->container.name);
}

/* ---- the cloud: named when the firmware or the hypervisor says it ---- */

/* EC2 (docs.aws.amazon.com "Detect whether a host is an EC2 instance"): a
 * system or Xen UUID starting "ec2"; Xen-based instances have hvmloader's
 * DMI ("Xen" / "HVM domU") with a "*.amazon" BIOS version, Nitro-based ones
 * DMI vendor "Amazon EC2" and KVM underneath (systemd's virt.c knows the
 * vendor; "*.metal" products are bare metal). */
static bool rule_cloud(struct state *s)
{
        struct xp_facts *f = s->f;
        struct xp_report *r = s->r;
        bool uuid = strncasecmp(f->hv.uuid, "ec2", 3) == 0, dmi_uuid = strncasecmp(f->dmi.product_uuid, "ec2", 3) == 0;
        bool bios = strstr(f->dmi.bios_version, ".amazon") != NULL;
        bool vendor = xp_startswith(f->dmi.sys_vendor, "Amazon EC2") || xp_startswith(f->dmi.bios_vendor, "Amazon EC2");
        if (r->hypervisor == XP_HV_XEN && (uuid || dmi_uuid || bios))
                r->cloud = XP_CLOUD_EC2_XEN;
        else if (vendor)
                r->cloud = r->hypervisor == XP_HV_NONE ? XP_CLOUD_EC2_METAL : XP_CLOUD_EC2_NITRO;
        else
                return false;
        snprintf(r->cloud_detail, sizeof(r->cloud_detail), "%s%s%s%s%s%s%s%s%s",
                 uuid ? "sys/hypervisor/uuid starts with ec2" : "",
                 uuid && (dmi_uuid || bios || vendor) ? ", " : "",
                 dmi_uuid ? "DMI product_uuid starts with EC2" : "",
                 dmi_uuid && (bios || vendor) ? ", " : "",
                 bios ? "BIOS version " : "", bios ? f->dmi.bios_version : "",
                 bios && vendor ? ", " : "",
                 vendor ? "DMI vendor \"Amazon EC2\" / " : "", vendor ? f->dmi.product_name : "");
        if (r->cloud == XP_CLOUD_EC2_NITRO)
                xp_report_note(r, "EC2 names EBS volumes /dev/xvd* or /dev/sd* by udev links to their NVMe disks (amazon-ec2-utils: 70-ec2-nvme-devices.rules, ebsnvme-id): those names are not Xen PV disks, and no xen bus is behind them");
        return fire(s, "%s: %s", xp_cloud_to_name(r->cloud), r->cloud_detail);
}

/* ---- contradictions and advice ------------------------------------------ */

static const char *disk_dev(const struct xp_facts *f)
{
        return f->block.root_source[0] ? f->block.root_source : f->block.root_devname;
}

/* Each check looks for one contradiction between the verdict and the
 * facts (or advice the verdict calls for) and warns; they run in the order
 * of the table in xp_classify(), after every rule. */
typedef void (*check_fn)(struct state *s);

static bool xen(const struct state *s)
{
        return s->r->hypervisor == XP_HV_XEN;
}

static bool xen_domu(const struct state *s)
{
        return xen(s) && s->r->role == XP_ROLE_DOMU;
}

static bool pvish(const struct state *s)
{
        return s->r->mode == XP_MODE_PV || s->r->mode == XP_MODE_PVH;
}

/* "guest_type" when the kernel said the mode, "the classifier" when a rule
 * inferred it */
static const char *mode_source(const struct xp_facts *f)
{
        return f->hv.guest_type != XP_GT_UNKNOWN ? "guest_type" : "the classifier";
}

static void check_container(struct state *s)
{
        if (s->f->container.name[0] && xen(s))
                xp_report_warn(s->r, "running inside a %s container: the verdict describes the kernel's domain (the container host), not the container", s->f->container.name);
}

static void check_hvm_without_platform(struct state *s)
{
        struct xp_facts *f = s->f;
        if (xen(s) && f->hv.guest_type == XP_GT_HVM && f->pci.status == XP_ST_FOUND && !f->pci.platform_dev)
                xp_report_warn(s->r, "guest_type says HVM but the Xen platform PCI device (5853:0001) is absent: PV drivers cannot replace the emulated disk and NIC (xen_platform_pci=0 in the guest config?)");
}

static void check_pv_with_hvm_hardware(struct state *s)
{
        struct xp_facts *f = s->f;
        struct xp_report *r = s->r;
        if (!xen(s) || !pvish(s))
                return;
        if (f->pci.platform_dev)
                xp_report_warn(r, "%s says %s but a Xen platform PCI device is present: only HVM domains have one",
                               mode_source(f), xp_mode_to_string(r->mode));
        if (f->dmi.hv == XP_HV_XEN && r->role == XP_ROLE_DOMU)
                xp_report_warn(r, "%s says %s but the DMI tables are Xen HVM firmware", mode_source(f),
                               xp_mode_to_string(r->mode));
}

static void check_kernel_not_using_xen(struct state *s)
{
        struct xp_facts *f = s->f;
        /* the classic PV-on-HVM drivers (kmod-xenpv) use Xen with no
         * /sys/hypervisor at all: their xen bus says it */
        if (xen(s) && f->hv.status != XP_ST_FOUND && (f->cpuid.xen || f->dmi.hv == XP_HV_XEN) && !any_frontend(f))
                xp_report_warn(s->r, "CPUID/DMI show Xen but the kernel exposes nothing in /sys/hypervisor: the kernel is not using Xen (%s)",
                               f->kernel.nopv || f->kernel.xen_nopv ? "booted with nopv" : "built without Xen guest support, or nopv");
}

static void check_xen_version(struct state *s)
{
        struct xp_facts *f = s->f;
        size_t cl = strlen(f->cpuid.xen_version);
        if (xen(s) && f->hv.xen_version[0] && cl &&
            (strncmp(f->hv.xen_version, f->cpuid.xen_version, cl) != 0 ||
             (f->hv.xen_version[cl] != '\0' && f->hv.xen_version[cl] != '.' && f->hv.xen_version[cl] != '-')))
                xp_report_warn(s->r, "Xen version differs between sysfs (%s) and CPUID (%s)", f->hv.xen_version,
                               f->cpuid.xen_version);
}

static void check_blocked_frontends(struct state *s)
{
        struct xp_facts *f = s->f;
        if (!xen_domu(s))
                return;
        for (int m = XP_XM_BLKFRONT; m <= XP_XM_NETFRONT; m++)
                if (blocked_in_modprobe(f, m))
                        xp_report_warn(s->r, "%s is %s in modprobe.d%s: PV %s cannot be used", xp_xen_module_name(m),
                                       f->modules.blacklisted[m] ? "blacklisted" : "disabled by an install line",
                                       f->modules.state[m] == XP_KS_UNKNOWN ? " and neither loaded nor built in" : "",
                                       m == XP_XM_BLKFRONT ? "disks" : "networking");
}

/* seen on a real Xen 4.17 PV guest whose initramfs lacks the module
 * (captured as tests/roots/xen417-e2e-pv-noblk): vbd-51712 stays
 * Initialising with no driver, and nothing else says the guest cannot see
 * its disk */
static void check_disk_without_blkfront(struct state *s)
{
        struct xp_facts *f = s->f;
        if (!xen_domu(s) || f->modules.state[XP_XM_BLKFRONT] != XP_KS_MISSING)
                return;
        for (size_t i = 0; i < f->xenbus.n_devs && i < XP_MAX_XENBUS; i++)
                if (!strcmp(f->xenbus.devs[i].devtype, "vbd") && !f->xenbus.devs[i].driver[0]) {
                        xp_report_warn(s->r, "the toolstack offers a PV disk (%s) but xen-blkfront is neither loaded, built in nor installed: this guest cannot use that disk",
                                       f->xenbus.devs[i].name);
                        return;
                }
}

static void check_root_disk(struct state *s)
{
        struct xp_facts *f = s->f;
        struct xp_report *r = s->r;
        if (!xen_domu(s))
                return;
        bool emulated = f->block.root_kind == XP_DISK_ATA || f->block.root_kind == XP_DISK_SCSI;
        if (emulated && r->mode == XP_MODE_PVHVM)
                xp_report_warn(r, "root filesystem is on %s (%s), not on a Xen PV disk: PV drivers are in use for other devices only; check xen_emul_unplug= and the initramfs (xen-blkfront)",
                               disk_dev(f), xp_disk_kind_to_description(f->block.root_kind));
        else if (emulated && r->mode == XP_MODE_HVM)
                xp_report_warn(r, "root filesystem is on %s (%s): every disk access goes through the device model; PV drivers (xen-blkfront with the platform device) would be faster",
                               disk_dev(f), xp_disk_kind_to_description(f->block.root_kind));
        if (pvish(s) && f->block.n_disks && f->block.root_kind != XP_DISK_XEN_PV && f->block.root_kind != XP_DISK_MEMORY &&
            f->block.root_kind != XP_DISK_NETWORK && f->block.root_kind != XP_DISK_UNKNOWN && f->block.root_kind != XP_DISK_VIRTUAL)
                xp_report_warn(r, "root filesystem is on %s (%s) in a %s guest, which has no emulated disks",
                               disk_dev(f), xp_disk_kind_to_description(f->block.root_kind), xp_mode_to_string(r->mode));
}

static void check_dom0_host(struct state *s)
{
        struct xp_facts *f = s->f;
        struct xp_report *r = s->r;
        if (!xen(s) || r->role != XP_ROLE_DOM0)
                return;
        if (f->hv.capabilities[0] && !strstr(f->hv.capabilities, "hvm-"))
                xp_report_warn(r, "this Xen lists no hvm-* capability (%s): HVM and PVH guests cannot be created ('xl create' fails with \"cannot make domain: -3\"); on bare metal enable VT-x/AMD-V in the firmware; if this Xen is nested, the outer hypervisor must expose VMX/SVM (outer Xen: nestedhvm=1 and a cpuid line in the L1 guest's config)",
                               f->hv.capabilities);
        if (f->dmi.hv == XP_HV_XEN)
                xp_report_note(r, "this dom0's firmware is Xen HVM: it is itself a guest of an outer Xen (nested Xen on Xen)");
        else if (f->cpuid.hv != XP_HV_NONE && f->cpuid.hv != XP_HV_XEN && f->cpuid.sig[0])
                xp_report_note(r, "plain CPUID shows %s: this Xen host is itself virtualized (nested)",
                               xp_hv_to_name(f->cpuid.hv));
        else if (f->dmi.hv != XP_HV_NONE)
                /* a PVH dom0's CPUID is Xen's own: only the firmware shows
                 * the outer machine (tests/roots/xen417-dom0-pvh) */
                xp_report_note(r, "DMI \"%s / %s\" is %s: this Xen host is itself virtualized (nested)",
                               f->dmi.sys_vendor, f->dmi.product_name, xp_hv_dmi_name(f->dmi.hv));
        if (f->hv.xenfs != XP_ST_FOUND)
                xp_report_note(r, "xenfs is not mounted on /proc/xen: the toolstack (xl, xenstored) needs it");
}

/* ---- confidence -------------------------------------------------------- */

static void confidence(struct state *s)
{
        struct xp_report *r = s->r;
        struct xp_facts *f = s->f;
        if (r->confidence == XP_CONF_LOW && s->mode_decided && r->hypervisor == XP_HV_XEN)
                return; /* fallback rule already lowered it */
        enum xp_confidence c;
        if (r->hypervisor == XP_HV_XEN)
                c = s->xen_sources >= 2 ? XP_CONF_HIGH : XP_CONF_MEDIUM;
        else
                c = f->cpuid.status == XP_ST_FOUND ? XP_CONF_HIGH : XP_CONF_MEDIUM;
        /* any unreadable (not absent) source lowers it one step */
        for (size_t i = 0; i < r->n_evidence; i++)
                if (r->evidence[i].status == XP_ST_UNREADABLE) {
                        if (c > XP_CONF_LOW)
                                c--;
                        xp_report_warn(r, "%s could not be read (%s): confidence lowered", r->evidence[i].path,
                                       r->evidence[i].implies ? r->evidence[i].implies : "unreadable");
                        break;
                }
        r->confidence = c;
}

/* The order is the algorithm: which hypervisor (strongest source first),
 * then role, then mode (direct readings before inferences), then HVM vs
 * PVHVM, and only when nothing said Xen, the other hypervisors.  A rule
 * that fires is reported under its name here: the name in the output. */
static const struct {
        const char *name;
        rule_fn fn;
} rules[] = {
        { "sysfs-hypervisor-xen", rule_sysfs_xen },
        { "cpuid-xen", rule_cpuid_xen },
        { "dmi-xen", rule_dmi_xen },
        { "xen-interfaces", rule_xen_interfaces },
        { "dom0", rule_dom0 },
        { "domU", rule_domu },
        { "guest-type", rule_guest_type },
        { "features-pv", rule_features_pv },
        { "features-hvm", rule_features_hvm },
        { "forced-cpuid-pv", rule_forced_cpuid },
        { "hvm-hardware", rule_hvm_hardware },
        { "features-pvh", rule_features_pvh },
        { "hvm-leaf-pvh", rule_hvm_leaf_pvh },
        { "pvh-excluded", rule_pvh_excluded },
        { "no-firmware-pvh", rule_no_firmware_pvh },
        { "fallback-pv", rule_fallback_pv },
        { "pv-drivers-in-use", rule_pv_drivers_in_use },
        { "no-pv-drivers", rule_no_pv_drivers },
        { "cpuid-other", rule_cpuid_other },
        { "dmi-other", rule_dmi_other },
        { "sysfs-hypervisor-other", rule_sysfs_hypervisor_other },
        { "hypervisor-flag", rule_hypervisor_flag },
        { "bare-metal", rule_bare_metal },
        { "container", rule_container },
        { "cloud", rule_cloud },
};

/* The contradictions and advice, in the order they are reported. */
static const check_fn checks[] = {
        check_container,
        check_hvm_without_platform,
        check_pv_with_hvm_hardware,
        check_kernel_not_using_xen,
        check_xen_version,
        check_blocked_frontends,
        check_disk_without_blkfront,
        check_root_disk,
        check_dom0_host,
};

void xp_classify(struct xp_report *r)
{
        struct state s = { .r = r, .f = &r->facts };
        r->hypervisor = XP_HV_NONE;
        r->role = XP_ROLE_NONE;
        r->mode = XP_MODE_NONE;
        r->confidence = XP_CONF_HIGH;
        for (size_t i = 0; i < ELEMENTSOF(rules); i++) {
                s.rule = rules[i].name;
                rules[i].fn(&s);
        }

        if (r->role == XP_ROLE_DOM0 && r->mode != XP_MODE_PV && r->mode != XP_MODE_PVH) {
                /* an HVM dom0 does not exist: the feature bits decide */
                r->mode = xp_hv_has_feature(&s.f->hv, XENFEAT_mmu_pt_update_preserve_ad) ? XP_MODE_PV : XP_MODE_PVH;
        }
        if (r->role == XP_ROLE_DOM0)
                r->nested_hvm_capable = strstr(s.f->hv.capabilities, "hvm-") != NULL;
        r->can_host_hvm = s.f->cpuinfo.vmx || s.f->cpuinfo.svm;

        for (size_t i = 0; i < ELEMENTSOF(checks); i++)
                checks[i](&s);
        confidence(&s);
}
