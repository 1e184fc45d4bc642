/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CPUID snapshot format: LEAF SUBLEAF EAX EBX ECX EDX [forced]. */
#include "config.h"

#include "harness.h"
#include "probe.h"

DEFINE_TEST(cpuid_parse_real_pv_capture)
{
        /* leaves from the PV domU capture (shared/fixtures xen-domU-pv-debian12,
         * _cmd/cpuid.txt): raw shows QEMU TCG, forced shows Xen 4.17 */
        const char *text = "# comment\n"
                           "40000000 00000000 40000001 54474354 43544743 47435447\n"
                           "\n"
                           "40000000 00000000 40000005 566e6558 65584d4d 4d4d566e forced\n"
                           "40000001 00000000 00040011 00000000 00000000 00000000 forced   # trailing\n";
        struct xp_cpuid_set set = { 0 };
        unsigned bad = 0;
        CHECK_EQ_INT(xp_cpuid_parse(text, &set, &bad), 0);
        CHECK_EQ_INT(set.n, 3);
        const struct xp_cpuid_leaf *l = xp_cpuid_find(&set, 0x40000000, true);
        CHECK(l);
        CHECK_EQ_INT(l->eax, 0x40000005);
        CHECK_EQ_INT(l->ebx, 0x566e6558); /* "XenV" */
        l = xp_cpuid_find(&set, 0x40000000, false);
        CHECK(l);
        CHECK_EQ_INT(l->ebx, 0x54474354); /* "TCGT" */
        CHECK(xp_cpuid_find(&set, 0x40000001, false) == NULL);
        xp_cpuid_set_clear(&set);
        return 0;
}

static int bad_line(const char *text, unsigned expect_line)
{
        struct xp_cpuid_set set = { 0 };
        unsigned bad = 0;
        int r = xp_cpuid_parse(text, &set, &bad);
        if (r != -EINVAL || bad != expect_line) {
                fprintf(stderr, "input %s: r=%d line=%u\n", text, r, bad);
                return 1;
        }
        return 0;
}

DEFINE_TEST(cpuid_parse_malformed)
{
        CHECK_EQ_INT(bad_line("40000000 0 1 2 3\n", 1), 0);                      /* 5 fields */
        CHECK_EQ_INT(bad_line("# ok\n40000000 0 1 2 3 4 5\n", 2), 0);            /* 7 fields */
        CHECK_EQ_INT(bad_line("40000000 0 1 2 3 4 forced extra\n", 1), 0);
        CHECK_EQ_INT(bad_line("400000000 0 1 2 3 4\n", 1), 0);                   /* 9 digits */
        CHECK_EQ_INT(bad_line("4000000g 0 1 2 3 4\n", 1), 0);
        CHECK_EQ_INT(bad_line("0x40000000 0 1 2 3 4\n", 1), 0);
        CHECK_EQ_INT(bad_line("40000000 0 1 2 3 4 Forced\n", 1), 0);
        char huge[400];
        memset(huge, '1', sizeof(huge) - 1);
        huge[sizeof(huge) - 1] = '\0';
        CHECK_EQ_INT(bad_line(huge, 1), 0);
        return 0;
}

DEFINE_TEST(cpuid_parse_empty_and_no_newline)
{
        struct xp_cpuid_set set = { 0 };
        CHECK_EQ_INT(xp_cpuid_parse("", &set, NULL), 0);
        CHECK_EQ_INT(set.n, 0);
        CHECK_EQ_INT(xp_cpuid_parse("1 0 2 3 4 5", &set, NULL), 0);
        CHECK_EQ_INT(set.n, 1);
        CHECK_EQ_INT(set.leaves[0].edx, 5);
        xp_cpuid_set_clear(&set);
        return 0;
}

DEFINE_TEST(cpuid_format_roundtrip)
{
        struct xp_cpuid_set set = { 0 }, back = { 0 };
        CHECK_EQ_INT(xp_cpuid_parse("40000100 0 40000105 566e6558 65584d4d 4d4d566e\n"
                                    "1 0 a b c d forced\n",
                                    &set, NULL),
                     0);
        char *text = NULL;
        CHECK_EQ_INT(xp_cpuid_format(&set, &text), 0);
        CHECK(strstr(text, "40000100 00000000 40000105 566e6558 65584d4d 4d4d566e\n"));
        CHECK(strstr(text, "00000001 00000000 0000000a 0000000b 0000000c 0000000d forced\n"));
        CHECK_EQ_INT(xp_cpuid_parse(text, &back, NULL), 0);
        CHECK_EQ_INT(back.n, set.n);
        CHECK(memcmp(back.leaves, set.leaves, set.n * sizeof(*set.leaves)) == 0);
        free(text);
        xp_cpuid_set_clear(&set);
        xp_cpuid_set_clear(&back);
        return 0;
}

DEFINE_TEST(cpuid_live_read)
{
        struct xp_cpuid_set set = { 0 };
        int r = xp_cpuid_read_live(&set);
        if (r == -EOPNOTSUPP)
                return 77;
        CHECK_EQ_INT(r, 0);
        /* leaf 0 always exists on x86 and names the vendor */
        CHECK(xp_cpuid_find(&set, 0, false) != NULL);
        xp_cpuid_set_clear(&set);
        return 0;
}
