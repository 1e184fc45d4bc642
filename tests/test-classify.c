/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The classifier on synthetic fact sets: one case per rule and per
 * contradiction.  Facts use the real values of the captures where one exists
 * (feature masks 000220f0 PV domU, 00012305 PVH, 00012705 HVM, 000228f0 PV dom0).
 */
#include "config.h"

#include "harness.h"
#include "probe.h"

static struct xp_report *xen_base(const char *guest_type, uint32_t features)
{
        struct xp_report *r = xp_report_new();
        struct xp_facts *f = &r->facts;
        f->hv.status = XP_ST_FOUND;
        snprintf(f->hv.type, sizeof(f->hv.type), "xen");
        f->hv.guest_type = guest_type ? xp_parse_guest_type(guest_type) : XP_GT_UNKNOWN;
        f->hv.have_features = true;
        f->hv.features = features;
        snprintf(f->hv.xen_version, sizeof(f->hv.xen_version), "4.17.5");
        f->hv.xenfs = XP_ST_ABSENT;
        f->cpuid.status = XP_ST_FOUND;
        f->dmi.status = XP_ST_ABSENT;
        f->pci.status = XP_ST_ABSENT;
        return r;
}

static void add_frontend(struct xp_facts *f, const char *devtype, bool connected)
{
        struct xp_xenbus_dev *d = &f->xenbus.devs[f->xenbus.n_devs++];
        snprintf(d->name, sizeof(d->name), "%s-0", devtype);
        snprintf(d->devtype, sizeof(d->devtype), "%s", devtype);
        snprintf(d->state, sizeof(d->state), connected ? "Connected" : "InitWait");
        snprintf(d->driver, sizeof(d->driver), "%s", devtype);
        d->connected = connected;
}

/* an HVM domain's bound Xen platform device (the PVHVM capture) */
static void with_platform(struct xp_facts *f)
{
        f->pci.status = XP_ST_FOUND;
        f->pci.platform_dev = true;
        snprintf(f->pci.platform_driver, sizeof(f->pci.platform_driver), "xen-platform-pci");
}

static bool has_warning(const struct xp_report *r, const char *needle)
{
        for (char **w = r->warnings; w && *w; w++)
                if (strstr(*w, needle))
                        return true;
        return false;
}

static bool fired(const struct xp_report *r, const char *name)
{
        for (size_t i = 0; i < r->n_rules; i++)
                if (strcmp(r->rules[i].name, name) == 0)
                        return true;
        return false;
}

/* the detail of the rule NAME, "" when it did not fire */
static const char *rule_detail(const struct xp_report *r, const char *name)
{
        for (size_t i = 0; i < r->n_rules; i++)
                if (strcmp(r->rules[i].name, name) == 0)
                        return r->rules[i].detail;
        return "";
}

DEFINE_TEST(classify_pv_domu)
{
        struct xp_report *r = xen_base("PV", 0x220f0);
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "pv");
        CHECK(fired(r, "guest-type"));
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_features_without_guest_type)
{
        /* kernels before 4.13: the feature bits decide */
        const struct {
                uint32_t features;
                const char *verdict;
        } cases[] = { { 0x220f0, "pv" }, { 0x12305, "pvh" }, { 0x12705, "hvm" }, { 0x228f0, "dom0-pv" } };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct xp_report *r = xen_base(NULL, cases[i].features);
                xp_classify(r);
                if (strcmp(xp_report_verdict(r), cases[i].verdict) != 0) {
                        fprintf(stderr, "features %08x: %s, expected %s\n", cases[i].features, xp_report_verdict(r),
                                cases[i].verdict);
                        return 1;
                }
                xp_report_free(r);
        }
        return 0;
}

DEFINE_TEST(classify_dom0_pvh)
{
        struct xp_report *r = xen_base("PVH", 0x12305 | (1u << 11));
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "dom0-pvh");
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_dom0_control_d_only)
{
        struct xp_report *r = xen_base("PV", 0);
        r->facts.hv.have_features = false;
        r->facts.hv.xenfs = XP_ST_FOUND;
        r->facts.hv.control_d = true;
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "dom0-pv");
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_pvhvm_and_root_on_emulated_disk)
{
        struct xp_report *r = xen_base("HVM", 0x12705);
        struct xp_facts *f = &r->facts;
        with_platform(f);
        add_frontend(f, "vif", true);
        f->block.root_kind = XP_DISK_ATA;
        snprintf(f->block.root_source, sizeof(f->block.root_source), "/dev/sda1");
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "pvhvm");
        CHECK(has_warning(r, "root filesystem is on /dev/sda1 (emulated ATA), not on a Xen PV disk"));
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_hvm_platform_absent)
{
        struct xp_report *r = xen_base("HVM", 0x12705);
        r->facts.pci.status = XP_ST_FOUND;
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "hvm");
        CHECK(has_warning(r, "platform PCI device (5853:0001) is absent"));
        CHECK(r->rules[r->n_rules - 1].detail && strstr(r->rules[r->n_rules - 1].detail, "xen_platform_pci=0"));
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_hvm_only_kbd_frontend)
{
        /* a keyboard frontend alone does not make the guest PVHVM */
        struct xp_report *r = xen_base("HVM", 0x12705);
        with_platform(&r->facts);
        add_frontend(&r->facts, "vkbd", true);
        add_frontend(&r->facts, "vbd", false);
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "hvm");
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_blacklisted_frontends)
{
        struct xp_report *r = xen_base("HVM", 0x12705);
        struct xp_facts *f = &r->facts;
        with_platform(f);
        f->modules.state[XP_XM_BLKFRONT] = XP_KS_MODULE;
        f->modules.blacklisted[XP_XM_BLKFRONT] = true;
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "hvm");
        CHECK(has_warning(r, "xen_blkfront is blacklisted in modprobe.d: PV disks cannot be used"));
        xp_report_free(r);
        return 0;
}

/* the facts of tests/xen's pv-noblk guest (a real Xen 4.17 PV domU whose
 * initramfs lacks the module): vbd-51712 offered, Initialising, no driver */
DEFINE_TEST(classify_pv_disk_offered_without_blkfront)
{
        struct xp_report *r = xen_base("PV", 0x220f0);
        struct xp_facts *f = &r->facts;
        add_frontend(f, "vbd", false);
        f->xenbus.devs[0].driver[0] = '\0';
        snprintf(f->xenbus.devs[0].name, sizeof(f->xenbus.devs[0].name), "vbd-51712");
        f->modules.state[XP_XM_BLKFRONT] = XP_KS_MISSING;
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "pv");
        CHECK(has_warning(r, "offers a PV disk (vbd-51712) but xen-blkfront is neither loaded, built in nor installed"));
        xp_report_free(r);
        /* with the driver bound there is nothing to say */
        r = xen_base("PV", 0x220f0);
        add_frontend(&r->facts, "vbd", true);
        r->facts.modules.state[XP_XM_BLKFRONT] = XP_KS_LOADED;
        xp_classify(r);
        CHECK(!has_warning(r, "offers a PV disk"));
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_nopv_hvm_from_cpuid_and_dmi)
{
        /* the real hvm-nopv capture: no /sys/hypervisor, CPUID + DMI only */
        struct xp_report *r = xp_report_new();
        struct xp_facts *f = &r->facts;
        f->hv.status = XP_ST_ABSENT;
        f->cpuid.status = XP_ST_FOUND;
        f->cpuid.xen = true;
        f->cpuid.xen_base = 0x40000000;
        f->cpuid.hv = XP_HV_XEN;
        snprintf(f->cpuid.xen_version, sizeof(f->cpuid.xen_version), "4.17");
        f->dmi.status = XP_ST_FOUND;
        f->dmi.hv = XP_HV_XEN;
        f->pci.status = XP_ST_FOUND;
        f->hv.xenfs = XP_ST_ABSENT;
        f->kernel.nopv = true;
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "hvm");
        CHECK(r->role == XP_ROLE_DOMU);
        CHECK(has_warning(r, "the kernel is not using Xen (booted with nopv)"));
        CHECK(strstr(r->rules[r->n_rules - 1].detail, "nopv on the kernel command line"));
        /* the features were never there to read, and no /proc/xen was seen mounted or not */
        CHECK(strstr(rule_detail(r, "domU"), "(nothing in /sys/hypervisor, no xenfs on /proc/xen)"));
        CHECK(!strstr(rule_detail(r, "domU"), "unreadable"));
        CHECK(!strstr(r->rules[r->n_rules - 1].detail, "no /sys/hypervisor"));
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_unbound_platform_device)
{
        /* the e2e-hvm-nopv capture: nopv explains the unbound device */
        struct xp_report *r = xen_base("HVM", 0x12705);
        struct xp_facts *f = &r->facts;
        f->hv.status = XP_ST_ABSENT;
        f->hv.type[0] = '\0';
        f->hv.guest_type = XP_GT_UNKNOWN;
        f->hv.have_features = false;
        f->cpuid.xen = true;
        f->dmi.status = XP_ST_FOUND;
        f->dmi.hv = XP_HV_XEN;
        f->pci.status = XP_ST_FOUND;
        f->pci.platform_dev = true;
        f->kernel.nopv = true;
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "hvm");
        CHECK(strstr(rule_detail(r, "no-pv-drivers"), "no driver bound (xen-platform-pci refuses it under nopv)"));
        CHECK(!strstr(rule_detail(r, "no-pv-drivers"), "CONFIG_XEN_PVHVM"));
        xp_report_free(r);

        /* the kernel uses Xen and its config says the driver is not built */
        r = xen_base("HVM", 0x12705);
        f = &r->facts;
        f->pci.status = XP_ST_FOUND;
        f->pci.platform_dev = true;
        f->kernel.config = XP_ST_FOUND;
        f->kernel.cfg_platform_pci = 'n';
        xp_classify(r);
        CHECK(strstr(rule_detail(r, "no-pv-drivers"), "(CONFIG_XEN_PVHVM_GUEST, which builds xen-platform-pci, is not set)"));
        xp_report_free(r);

        /* xen_emul_unplug=never stops the frontends, not the platform driver */
        r = xen_base("HVM", 0x12705);
        with_platform(&r->facts);
        r->facts.kernel.emul_unplug_never = true;
        xp_classify(r);
        CHECK(strstr(rule_detail(r, "no-pv-drivers"), "the PV frontends refuse to bind (xen_has_pv_devices() is false)"));
        CHECK(!strstr(rule_detail(r, "no-pv-drivers"), "does not bind the platform device"));
        CHECK(!strstr(rule_detail(r, "no-pv-drivers"), "no driver bound"));
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_domu_without_features)
{
        /* sys/hypervisor there, properties/features not: dom0 is inferred */
        struct xp_report *r = xen_base("PV", 0);
        r->facts.hv.have_features = false;
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "pv");
        CHECK(strstr(rule_detail(r, "domU"), "no readable XENFEAT mask in properties/features, no xenfs on /proc/xen"));
        CHECK(!strstr(rule_detail(r, "domU"), "only through CPUID/DMI"));
        CHECK(has_warning(r, "dom0 status is inferred: no readable XENFEAT mask in properties/features and no xenfs on /proc/xen"));
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_viridian_is_xen)
{
        /* "Microsoft Hv" at 0x40000000, Xen at 0x40000100, DMI Xen */
        struct xp_report *r = xen_base("HVM", 0x12705);
        struct xp_facts *f = &r->facts;
        f->cpuid.hv = XP_HV_MICROSOFT;
        f->cpuid.xen = true;
        f->cpuid.xen_base = 0x40000100;
        f->cpuid.viridian = true;
        f->dmi.status = XP_ST_FOUND;
        f->dmi.hv = XP_HV_XEN;
        xp_classify(r);
        CHECK_STREQ(xp_hv_to_string(r->hypervisor), "xen");
        CHECK(fired(r, "cpuid-xen"));
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_not_xen)
{
        struct xp_report *r = xp_report_new();
        r->facts.cpuid.status = XP_ST_FOUND;
        r->facts.cpuid.hv = XP_HV_KVM;
        snprintf(r->facts.cpuid.sig, sizeof(r->facts.cpuid.sig), "KVMKVMKVM");
        r->facts.dmi.hv = XP_HV_QEMU; /* CPUID beats the DMI machine type */
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "none");
        CHECK_STREQ(xp_hv_to_string(r->hypervisor), "kvm");
        CHECK_STREQ(xp_report_hv_name(r), "KVM");
        xp_report_free(r);

        /* DMI alone: "QEMU" is the machine type under KVM and TCG alike */
        r = xp_report_new();
        r->facts.dmi.status = XP_ST_FOUND;
        r->facts.dmi.hv = XP_HV_QEMU;
        snprintf(r->facts.dmi.sys_vendor, sizeof(r->facts.dmi.sys_vendor), "QEMU");
        xp_classify(r);
        CHECK(fired(r, "dmi-other"));
        CHECK(strstr(rule_detail(r, "dmi-other"), "KVM or TCG: DMI does not tell which"));
        CHECK(!strstr(rule_detail(r, "dmi-other"), "(TCG)"));
        CHECK(!strstr(xp_report_hv_name(r), "(TCG)")); /* the headline's name */
        CHECK_STREQ(xp_hv_to_string(r->hypervisor), "qemu");
        xp_report_free(r);

        r = xp_report_new();
        r->facts.cpuid.status = XP_ST_FOUND;
        xp_classify(r);
        CHECK(r->hypervisor == XP_HV_NONE);
        CHECK(fired(r, "bare-metal"));
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_blacklist_of_loaded_module_is_harmless)
{
        struct xp_report *r = xen_base("HVM", 0x12705);
        with_platform(&r->facts);
        add_frontend(&r->facts, "vbd", true);
        r->facts.modules.state[XP_XM_BLKFRONT] = XP_KS_LOADED;
        r->facts.modules.blacklisted[XP_XM_BLKFRONT] = true;
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "pvhvm");
        CHECK(!has_warning(r, "blacklisted"));
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_old_kernel_hvm_without_hvm_pirqs)
{
        /* Xen 4.19+ no longer offers XENFEAT_hvm_pirqs to HVM guests: an old
         * kernel (no guest_type) with firmware and the platform device is HVM,
         * not PVH */
        struct xp_report *r = xen_base(NULL, 0x12305);
        r->facts.dmi.status = XP_ST_FOUND;
        r->facts.dmi.hv = XP_HV_XEN;
        with_platform(&r->facts);
        add_frontend(&r->facts, "vbd", true);
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "pvhvm");
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_pvh_from_hvm_leaf)
{
        /* no guest_type, no features, no xenfs: CPUID alone (the PVH capture's
         * leaf 0x40000004 eax=0x5c) tells PVH, without a best-guess warning */
        struct xp_report *r = xp_report_new();
        struct xp_facts *f = &r->facts;
        f->cpuid.status = XP_ST_FOUND;
        f->cpuid.xen = true;
        f->cpuid.xen_base = 0x40000000;
        f->cpuid.hvm_leaf = true;
        f->cpuid.hvm_flags = 0x5c;
        f->dmi.status = XP_ST_ABSENT;
        f->pci.status = XP_ST_ABSENT;
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "pvh");
        CHECK(fired(r, "hvm-leaf-pvh"));
        CHECK(!has_warning(r, "best guess"));
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_container_on_xen)
{
        struct xp_report *r = xen_base("HVM", 0x12705);
        snprintf(r->facts.container.name, sizeof(r->facts.container.name), "docker");
        xp_classify(r);
        CHECK(has_warning(r, "inside a docker container"));
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_dom0_without_hvm_capability)
{
        /* a nested-Xen host whose L0 hides VMX/SVM from it */
        struct xp_report *r = xen_base("PV", 0x228f0);
        snprintf(r->facts.hv.capabilities, sizeof(r->facts.hv.capabilities), "xen-3.0-x86_64 ");
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "dom0-pv");
        CHECK(!r->nested_hvm_capable);
        CHECK(has_warning(r, "cannot make domain: -3"));
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_unreadable_lowers_confidence)
{
        struct xp_report *r = xen_base("PV", 0x220f0);
        r->facts.cpuid.xen = true;
        xp_evidence_add(r, "xenbus", "sys/bus/xen/devices", XP_ST_UNREADABLE, NULL, "Permission denied");
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "pv");
        CHECK(r->confidence == XP_CONF_MEDIUM);
        CHECK(has_warning(r, "sys/bus/xen/devices could not be read (Permission denied)"));
        xp_report_free(r);
        return 0;
}

/* ---- Xen 4.20 / Linux 6.12 ------------------------------------------------
 * Feature words from xen/common/kernel.c (XENVER_get_features) of
 * RELEASE-4.20.4: a translated non-PV domU gets bits 0, 2, 8, 9, 13, 16 and
 * 18, 19, 20, hvm_pirqs (10) only with has_pirq(), which libxl leaves off
 * since 4.19: 001d2305 for a PVH and an HVM domU alike. */
#define FEAT_420_DOMU 0x1d2305u

static bool has_note(const struct xp_report *r, const char *needle)
{
        for (char **w = r->notes; w && *w; w++)
                if (strstr(*w, needle))
                        return true;
        return false;
}

DEFINE_TEST(classify_420_feature_word_does_not_decide_pvh)
{
        /* an HVM domU on 4.20 whose firmware tables could not be read and
         * whose platform device is off: the word alone must not say PVH
         * (before: features-pvh fired, verdict pvh) */
        struct xp_report *r = xen_base(NULL, FEAT_420_DOMU);
        r->facts.dmi.status = XP_ST_UNREADABLE;
        r->facts.pci.status = XP_ST_FOUND;
        xp_classify(r);
        CHECK(!fired(r, "features-pvh"));
        CHECK(r->confidence == XP_CONF_LOW);
        xp_report_free(r);

        /* the same word with Xen's firmware: HVM family (here PVHVM) */
        r = xen_base(NULL, FEAT_420_DOMU);
        r->facts.dmi.status = XP_ST_FOUND;
        r->facts.dmi.hv = XP_HV_XEN;
        with_platform(&r->facts);
        add_frontend(&r->facts, "vif", true);
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "pvhvm");
        xp_report_free(r);

        /* ... and without any firmware (DMI absent, no PCI bus): PVH, and the
         * rule says the firmware decided, not the word */
        r = xen_base(NULL, FEAT_420_DOMU);
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "pvh");
        CHECK(strstr(rule_detail(r, "features-pvh"), "only rules out PV"));
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_420_pvh_dom0_from_feature_word)
{
        /* a PVH dom0 (no HVM dom0 exists) with a kernel that has no
         * guest_type: its DMI is the machine's, the word decides.  001d2b05
         * = the 4.20 domU word plus XENFEAT_dom0 (is_hardware_domain) */
        struct xp_report *r = xen_base(NULL, FEAT_420_DOMU | (1u << 11));
        r->facts.dmi.status = XP_ST_FOUND;
        r->facts.dmi.hv = XP_HV_QEMU;
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "dom0-pvh");
        CHECK(fired(r, "features-pvh"));
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_start_flags_initdomain)
{
        /* Linux 6.12's start_flags/initdomain = 1 (Xen's dom0 builders set
         * SIF_PRIVILEGED | SIF_INITDOMAIN): dom0 even with the feature word
         * unreadable and xenfs not mounted (before: domU, "inferred") */
        struct xp_report *r = xen_base("PV", 0);
        r->facts.hv.have_features = false;
        r->facts.hv.start_flags = XP_ST_FOUND;
        r->facts.hv.sif_initdomain = r->facts.hv.sif_privileged = true;
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "dom0-pv");
        CHECK(strstr(rule_detail(r, "dom0"), "start_flags/initdomain = 1"));
        xp_report_free(r);

        /* initdomain = 0 is a direct reading: domU without the inferred warning */
        r = xen_base("PVH", 0);
        r->facts.hv.have_features = false;
        r->facts.hv.start_flags = XP_ST_FOUND;
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "pvh");
        CHECK(!has_warning(r, "dom0 status is inferred"));
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_nested_note_from_dmi)
{
        /* a PVH dom0 under QEMU: CPUID is Xen's own, only DMI shows the outer
         * machine (tests/roots/xen417-dom0-pvh); the nested note must say so
         * without naming TCG */
        struct xp_report *r = xen_base("PVH", 0x12b05);
        r->facts.cpuid.xen = true;
        r->facts.cpuid.hv = XP_HV_XEN;
        r->facts.dmi.status = XP_ST_FOUND;
        r->facts.dmi.hv = XP_HV_QEMU;
        snprintf(r->facts.dmi.sys_vendor, sizeof(r->facts.dmi.sys_vendor), "QEMU");
        snprintf(r->facts.dmi.product_name, sizeof(r->facts.dmi.product_name), "Standard PC (Q35 + ICH9, 2009)");
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "dom0-pvh");
        CHECK(has_note(r, "this Xen host is itself virtualized (nested)"));
        CHECK(has_note(r, "KVM or TCG: DMI does not tell which"));
        CHECK(!has_note(r, "(TCG)"));
        xp_report_free(r);
        return 0;
}

/* A classic xenlinux PV domU as tests/roots/xen31-domU-pv-rhel5-classic
 * has it: sys/hypervisor without guest_type or features, no DMI, no PCI. */
static struct xp_report *classic_base(const char *xen_version, const char *release)
{
        struct xp_report *r = xp_report_new();
        struct xp_facts *f = &r->facts;
        f->hv.status = XP_ST_FOUND;
        snprintf(f->hv.type, sizeof(f->hv.type), "xen");
        snprintf(f->hv.xen_version, sizeof(f->hv.xen_version), "%s", xen_version);
        f->hv.xenfs = XP_ST_FOUND;
        snprintf(f->kernel.release, sizeof(f->kernel.release), "%s", release);
        f->kernel.rel_known = xp_parse_kernel_release(release, f->kernel.rel_version) == 0;
        f->dmi.status = XP_ST_ABSENT;
        f->pci.status = XP_ST_ABSENT;
        return r;
}

DEFINE_TEST(classify_pvh_excluded_by_xen_version)
{
        /* Xen 3.1 has no PVH (Xen 4.4 introduced it): PV, not the no-firmware guess */
        struct xp_report *r = classic_base("3.1.2-398.el5", "2.6.18-398.el5xen");
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "pv");
        CHECK(fired(r, "pvh-excluded"));
        CHECK(!fired(r, "no-firmware-pvh"));
        CHECK(strstr(rule_detail(r, "pvh-excluded"), "not PVH: Xen 3.1.2-398.el5 predates PVH") != NULL);
        CHECK(!has_warning(r, "best guess"));
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_pvh_excluded_by_cpuid_first)
{
        /* the hardware's CPUID answer decides before the versions */
        struct xp_report *r = classic_base("3.4.3", "2.6.32.12-0.7-xen");
        r->facts.cpuid.status = XP_ST_FOUND;
        r->facts.cpuid.leaf1 = true;
        r->facts.cpuid.hv_bit = false;
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "pv");
        CHECK(strstr(rule_detail(r, "pvh-excluded"), "not PVH: CPUID leaf 1 ecx[31] is 0") != NULL);
        CHECK(strstr(rule_detail(r, "pvh-excluded"), "also: Xen 3.4.3 predates PVH") != NULL);
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_pvh_excluded_new_kernel_old_xen)
{
        /* Linux 4.11+ boots only PVHv2, which Xen 4.8 cannot run */
        struct xp_report *r = classic_base("4.8.5", "4.19.0-27-amd64");
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "pv");
        CHECK(strstr(rule_detail(r, "pvh-excluded"), "boots only PVHv2") != NULL);
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_pvh_possible_keeps_guess)
{
        /* Xen 4.17 and Linux 6.1, nothing else: PVH stays possible, the
         * guess (with its warning) is still the answer */
        struct xp_report *r = classic_base("4.17.5", "6.1.0-50-amd64");
        r->facts.cpuinfo.status = XP_ST_FOUND;
        r->facts.cpuinfo.hypervisor = true;
        xp_classify(r);
        CHECK(!fired(r, "pvh-excluded"));
        CHECK(fired(r, "no-firmware-pvh"));
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_classic_pv_on_hvm_no_state)
{
        /* kmod-xenpv: no sys/hypervisor, the platform device and a vbd with
         * a disk but no state attribute (the xenbus probe marks it
         * connected): PVHVM, and no "kernel is not using Xen" warning */
        struct xp_report *r = xp_report_new();
        struct xp_facts *f = &r->facts;
        f->hv.status = XP_ST_ABSENT;
        f->dmi.status = XP_ST_ABSENT;
        with_platform(f);
        add_frontend(f, "vbd", true);
        f->xenbus.devs[0].state[0] = '\0';
        f->xenbus.devs[0].has_disk = true;
        xp_classify(r);
        CHECK_STREQ(xp_report_verdict(r), "pvhvm");
        CHECK(!has_warning(r, "is not using Xen"));
        xp_report_free(r);
        return 0;
}

DEFINE_TEST(classify_cloud_ec2)
{
        struct xp_report *r = xen_base("HVM", 0x2705);
        snprintf(r->facts.dmi.bios_version, sizeof(r->facts.dmi.bios_version), "4.11.amazon");
        xp_classify(r);
        CHECK(r->cloud == XP_CLOUD_EC2_XEN);
        xp_report_free(r);

        /* Nitro: DMI "Amazon EC2", CPUID KVM */
        r = xp_report_new();
        r->facts.cpuid.status = XP_ST_FOUND;
        r->facts.cpuid.hv = XP_HV_KVM;
        snprintf(r->facts.cpuid.sig, sizeof(r->facts.cpuid.sig), "KVMKVMKVM");
        r->facts.dmi.status = XP_ST_FOUND;
        r->facts.dmi.hv = XP_HV_AMAZON;
        snprintf(r->facts.dmi.sys_vendor, sizeof(r->facts.dmi.sys_vendor), "Amazon EC2");
        xp_classify(r);
        CHECK(r->hypervisor == XP_HV_KVM);
        CHECK(r->cloud == XP_CLOUD_EC2_NITRO);
        xp_report_free(r);

        /* a metal instance: the DMI probe gives XP_HV_NONE for "*.metal" */
        r = xp_report_new();
        r->facts.cpuid.status = XP_ST_FOUND;
        r->facts.dmi.status = XP_ST_FOUND;
        snprintf(r->facts.dmi.sys_vendor, sizeof(r->facts.dmi.sys_vendor), "Amazon EC2");
        snprintf(r->facts.dmi.product_name, sizeof(r->facts.dmi.product_name), "i3.metal");
        xp_classify(r);
        CHECK(r->hypervisor == XP_HV_NONE);
        CHECK(r->cloud == XP_CLOUD_EC2_METAL);
        xp_report_free(r);
        return 0;
}
