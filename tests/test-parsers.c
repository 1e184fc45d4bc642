/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsers of sysfs/proc/config text on well-formed and malformed input. */
#include "config.h"

#include "harness.h"
#include "probe.h"

DEFINE_TEST(features_hex)
{
        uint32_t v = 0;
        /* the real values of the five captures (shared/fixtures) */
        CHECK_EQ_INT(xp_parse_features("000228f0", &v), 0);
        CHECK_EQ_INT(v, 0x228f0);
        CHECK(v & (1u << 11)); /* dom0 */
        CHECK_EQ_INT(xp_parse_features("000220f0", &v), 0);
        CHECK(!(v & (1u << 11)));
        CHECK_EQ_INT(xp_parse_features("", &v), -EINVAL);
        CHECK_EQ_INT(xp_parse_features("123456789", &v), -EINVAL);
        CHECK_EQ_INT(xp_parse_features("0x1", &v), -EINVAL);
        CHECK_EQ_INT(xp_parse_features("zz", &v), -EINVAL);
        CHECK_EQ_INT(xp_parse_features("ABCDEF01", &v), 0);
        CHECK_EQ_INT(v, 0xabcdef01);
        return 0;
}

DEFINE_TEST(guest_type_words)
{
        CHECK_EQ_INT(xp_parse_guest_type("PV"), XP_GT_PV);
        CHECK_EQ_INT(xp_parse_guest_type("PVH"), XP_GT_PVH);
        CHECK_EQ_INT(xp_parse_guest_type("HVM"), XP_GT_HVM);
        CHECK_EQ_INT(xp_parse_guest_type("hvm"), XP_GT_UNKNOWN);
        CHECK_EQ_INT(xp_parse_guest_type(""), XP_GT_UNKNOWN);
        CHECK_EQ_INT(xp_parse_guest_type("PVHX"), XP_GT_UNKNOWN);
        return 0;
}

DEFINE_TEST(cpuinfo_flags)
{
        bool hv, vmx, svm;
        CHECK_EQ_INT(xp_parse_cpuinfo_flags("processor\t: 0\nflags\t\t: fpu vme hypervisor svm lahf_lm\n", &hv, &vmx, &svm), 0);
        CHECK(hv && svm && !vmx);
        /* a flag that merely contains the word is not the word */
        CHECK_EQ_INT(xp_parse_cpuinfo_flags("flags\t: fpu vmxx svm_lock nohypervisor", &hv, &vmx, &svm), 0);
        CHECK(!hv && !vmx && !svm);
        CHECK_EQ_INT(xp_parse_cpuinfo_flags("", &hv, &vmx, &svm), 1);
        CHECK_EQ_INT(xp_parse_cpuinfo_flags("Features\t: fp asimd\n", &hv, &vmx, &svm), 1);
        CHECK_EQ_INT(xp_parse_cpuinfo_flags("flags without colon\n", &hv, &vmx, &svm), -EINVAL);
        return 0;
}

DEFINE_TEST(config_options)
{
        const char *cfg = "CONFIG_XEN=y\nCONFIG_XEN_PV=y\n# CONFIG_XEN_PVH is not set\nCONFIG_XEN_BLKDEV_FRONTEND=m\n"
                          "CONFIG_XEN_PVHVM_GUEST=y\nCONFIG_XEN_PVHVM=y";
        CHECK_EQ_INT(xp_parse_config_option(cfg, "CONFIG_XEN"), 'y');
        CHECK_EQ_INT(xp_parse_config_option(cfg, "CONFIG_XEN_PVH"), 'n');
        CHECK_EQ_INT(xp_parse_config_option(cfg, "CONFIG_XEN_BLKDEV_FRONTEND"), 'm');
        CHECK_EQ_INT(xp_parse_config_option(cfg, "CONFIG_XEN_PVHVM"), 'y'); /* last line, no newline */
        CHECK_EQ_INT(xp_parse_config_option(cfg, "CONFIG_XEN_DOM0"), 0);
        CHECK_EQ_INT(xp_parse_config_option("", "CONFIG_XEN"), 0);
        CHECK_EQ_INT(xp_parse_config_option("CONFIG_XEN=\n", "CONFIG_XEN"), 'n');
        return 0;
}

DEFINE_TEST(mountinfo_root)
{
        char src[128], fs[32];
        unsigned ma = 0, mi = 0;
        const char *mi_text =
                "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
                "27 1 202:1 / / rw,relatime shared:1 master:2 - ext4 /dev/xvda1 rw,errors=remount-ro\n"
                "30 27 0:25 / /run rw - tmpfs tmpfs rw\n";
        CHECK_EQ_INT(xp_parse_mountinfo_root(mi_text, src, sizeof(src), fs, sizeof(fs), &ma, &mi), 0);
        CHECK_STREQ(src, "/dev/xvda1");
        CHECK_STREQ(fs, "ext4");
        CHECK_EQ_INT(ma, 202);
        CHECK_EQ_INT(mi, 1);
        /* no optional fields; a later mount over / wins */
        const char *over = "27 1 8:1 / / rw - ext4 /dev/sda1 rw\n40 27 0:50 / / rw - overlay overlay rw\n";
        CHECK_EQ_INT(xp_parse_mountinfo_root(over, src, sizeof(src), fs, sizeof(fs), &ma, &mi), 0);
        CHECK_STREQ(fs, "overlay");
        CHECK_EQ_INT(xp_parse_mountinfo_root("garbage\n\n", src, sizeof(src), fs, sizeof(fs), &ma, &mi), 1);
        CHECK_EQ_INT(xp_parse_mountinfo_root("27 1 8:1 / / rw\n", src, sizeof(src), fs, sizeof(fs), &ma, &mi), 1);
        return 0;
}

DEFINE_TEST(mounts_root)
{
        char src[128], fs[32];
        /* the real proc/mounts head of the PV capture: root is the initramfs */
        CHECK_EQ_INT(xp_parse_mounts_root("rootfs / rootfs rw,size=129072k 0 0\nproc /proc proc rw 0 0\n", src,
                                          sizeof(src), fs, sizeof(fs)),
                     0);
        CHECK_STREQ(fs, "rootfs");
        CHECK_EQ_INT(xp_parse_mounts_root("", src, sizeof(src), fs, sizeof(fs)), 1);
        return 0;
}

DEFINE_TEST(cmdline_words)
{
        const char *c = "root=/dev/xvda1 ro nopvspin console=hvc0 xen_emul_unplug=never \"quoted nopv\"";
        CHECK(xp_cmdline_find(c, "nopv", NULL) == NULL); /* nopvspin is another option */
        size_t l = 0;
        const char *u = xp_cmdline_find(c, "xen_emul_unplug=", &l);
        CHECK(u && l == strlen("xen_emul_unplug=never"));
        CHECK(xp_cmdline_find("nopv", "nopv", NULL) != NULL);
        CHECK(xp_cmdline_find("a nopv", "nopv", NULL) != NULL);
        CHECK(xp_cmdline_find("", "nopv", NULL) == NULL);
        return 0;
}

DEFINE_TEST(proc_modules)
{
        const char *m = "xen_blkfront2 49152 1 - Live 0x0\nxen_netfront 1 0 - Live 0x0\n";
        CHECK(!xp_parse_modules_has(m, "xen_blkfront"));
        CHECK(xp_parse_modules_has(m, "xen_netfront"));
        CHECK(!xp_parse_modules_has("", "xen_netfront"));
        return 0;
}

DEFINE_TEST(sanitize_hostile)
{
        char *s = xp_sanitize("a\x1b[31mb\n\xff", 9, 100);
        CHECK_STREQ(s, "a?[31mb??");
        free(s);
        s = xp_sanitize("abcdef", 6, 3);
        CHECK_STREQ(s, "abc...");
        free(s);
        return 0;
}

DEFINE_TEST(parse_kernel_release)
{
        unsigned v[3];
        CHECK(xp_parse_kernel_release("2.6.18-398.el5xen", v) == 0);
        CHECK(v[0] == 2 && v[1] == 6 && v[2] == 18);
        CHECK(xp_parse_kernel_release("2.6.16.60-0.21-xen", v) == 0);
        CHECK(v[0] == 2 && v[1] == 6 && v[2] == 16);
        CHECK(xp_parse_kernel_release("6.1.0-50-amd64", v) == 0);
        CHECK(v[0] == 6 && v[1] == 1 && v[2] == 0);
        CHECK(xp_parse_kernel_release("3.0-1", v) == 0);
        CHECK(v[0] == 3 && v[1] == 0 && v[2] == 0);
        CHECK(xp_parse_kernel_release("linux", v) == -EINVAL);
        CHECK(xp_parse_kernel_release("6", v) == -EINVAL);
        CHECK(xp_parse_kernel_release("123456.1", v) == -EINVAL);
        unsigned a, b;
        CHECK(xp_parse_xen_version("3.1.2-398.el5", &a, &b) == 0 && a == 3 && b == 1);
        CHECK(xp_parse_xen_version("4.11.amazon", &a, &b) == 0 && a == 4 && b == 11);
        return 0;
}
