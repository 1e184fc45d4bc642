/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The xenstore key table (agent/xenstore/keys.h): every key below
 * XP_XS_BASE once.  A new key is a row here, an enum value in keys.h, the
 * code that computes its value in schema.c, and its entry in
 * xenprobe-xenstore(7) (tests/test-man-pages.sh checks the page against
 * this table).  Allowed words come from the tables the report's
 * *_to_string() functions index (probes/evidence.c, probes/boot/), so a new
 * enum value reaches dom0's validator without a second list.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "xenstore/keys.h"
#include "xenstore/schema.h"

#define INT(n, m, d) { .name = n, .kind = XP_KIND_INT, .min = m, .since = 1, .description = d }
#define TEXT(n, l, d) { .name = n, .kind = XP_KIND_TEXT, .long_value = l, .since = 1, .description = d }
#define ENUM(n, w, x, d) { .name = n, .kind = XP_KIND_ENUM, .words = w, .extra = x, .since = 1, .description = d }

const struct xp_key_def xp_keys[_XP_KEY_MAX] = {
        [XP_KEY_SCHEMA] = INT("schema", 1, "the schema version of the keys below"),
        [XP_KEY_GENERATION] = INT(XP_XS_GENERATION, 1, "changes exactly when another key (but request, served) changed"),
        [XP_KEY_AGENT_VERSION] = TEXT("agent-version", false, "the version of the publishing xenprobe"),
        [XP_KEY_VERDICT] = ENUM("verdict", xp_mode_words, xp_verdict_dom0_words, "the verdict of xenprobe(8)"),
        [XP_KEY_MODE] = ENUM("mode", xp_mode_words, NULL, "the Xen guest mode"),
        [XP_KEY_ROLE] = ENUM("role", xp_role_words, NULL, "domU or dom0"),
        [XP_KEY_CONFIDENCE] = ENUM("confidence", xp_confidence_words, NULL, "how sure the verdict is"),
        [XP_KEY_KERNEL] = TEXT("kernel", false, "the running kernel's release"),
        [XP_KEY_XEN_VERSION] = TEXT("xen-version", false, "the Xen version as the guest sees it"),
        [XP_KEY_OS_ID] = TEXT("os/id", false, "os-release ID"),
        [XP_KEY_OS_VERSION_ID] = TEXT("os/version-id", false, "os-release VERSION_ID"),
        [XP_KEY_OS_PRETTY_NAME] = TEXT("os/pretty-name", true, "os-release PRETTY_NAME"),
        [XP_KEY_PV_BLOCK] = ENUM("pv/block", xp_kstate_words, xp_pv_in_use_words, "xen-blkfront: in use, else how present"),
        [XP_KEY_PV_NET] = ENUM("pv/net", xp_kstate_words, xp_pv_in_use_words, "xen-netfront: in use, else how present"),
        [XP_KEY_ROOT_DISK] = ENUM("root-disk", xp_disk_kind_words, NULL, "what the root filesystem is on"),
        [XP_KEY_ROOT_DEVICE] = TEXT("root-device", false, "the root filesystem's device"),
        [XP_KEY_DISKS] = { .name = "disks", .kind = XP_KIND_DISKS, .words = xp_disk_kind_words,
                           .empty = XP_XS_DISKS_NONE, .long_value = true, .since = 1,
                           .description = "the whole disks the kernel sees, NAME:KIND" },
        [XP_KEY_BOOT_SUMMARY] = ENUM("boot/summary", xp_check_status_words, xp_not_checked_words,
                                     "the worst installed kernel's boot readiness"),
        [XP_KEY_BOOT_KERNELS] = { .name = "boot/kernels", .kind = XP_KIND_KERNELS, .words = xp_check_status_words,
                                  .extra = xp_not_checked_words, .since = 1,
                                  .description = "VERSION:STATUS per installed kernel" },
        [XP_KEY_BOOT_PROBLEMS] = TEXT("boot/problems", true, "what blocks each kernel or system check not ok"),
        [XP_KEY_WARNINGS] = INT("warnings", 0, "the number of the report's warnings"),
        [XP_KEY_WARNING_TEXT] = { .name = "warning-text", .kind = XP_KIND_LINES, .long_value = true, .since = 1,
                                  .description = "the warnings, one per line" },
        [XP_KEY_REQUEST] = { .name = XP_XS_REQUEST, .kind = XP_KIND_TOKEN, .since = 1,
                             .description = "a refresh request token dom0 writes" },
        [XP_KEY_SERVED] = { .name = XP_XS_SERVED, .kind = XP_KIND_TOKEN, .since = 1,
                            .description = "the last request token the guest acted upon" },
};

#undef INT
#undef TEXT
#undef ENUM
_Static_assert(_XP_KEY_MAX <= XP_XS_MAX_KEYS, "struct xp_kvs must hold every key");

/* The XAPI services mirror (keys.h): what `xe vm-param-get ... param-name=services
 * param-key=xenprobe/NAME` shows.  A row is a name and the key it copies. */
const struct xp_mirror_def xp_mirror_keys[XP_MIRROR_N] = {
        { "mode", XP_KEY_MODE },
        { "verdict", XP_KEY_VERDICT },
        { "boot-summary", XP_KEY_BOOT_SUMMARY },
        { "pv-block", XP_KEY_PV_BLOCK },
        { "generation", XP_KEY_GENERATION },
};

const char *xp_key_name(enum xp_key k)
{
        return (unsigned)k < _XP_KEY_MAX ? xp_keys[k].name : "unknown";
}

const char *xp_key_kind_name(enum xp_key_kind kind)
{
        static const char *const t[] = {
                [XP_KIND_INT] = "int",         [XP_KIND_TEXT] = "text",   [XP_KIND_ENUM] = "enum",
                [XP_KIND_KERNELS] = "kernels", [XP_KIND_DISKS] = "disks", [XP_KIND_LINES] = "lines",
                [XP_KIND_TOKEN] = "token",
        };
        return (unsigned)kind < ELEMENTSOF(t) ? t[kind] : "unknown";
}

int xp_key_find(const char *name)
{
        for (int k = 0; k < _XP_KEY_MAX; k++)
                if (strcmp(xp_keys[k].name, name) == 0)
                        return k;
        return -1;
}

static bool in_words(const char *const *w, const char *s, size_t len)
{
        for (; w && *w; w++)
                if (strlen(*w) == len && memcmp(*w, s, len) == 0)
                        return true;
        return false;
}

bool xp_key_word(const struct xp_key_def *k, const char *s, size_t len)
{
        return in_words(k->words, s, len) || in_words(k->extra, s, len);
}

/* the length of K's directory part ("os/id" -> 2), 0 when none */
static size_t dir_len(enum xp_key k)
{
        const char *slash = strchr(xp_keys[k].name, '/');
        return slash ? (size_t)(slash - xp_keys[k].name) : 0;
}

int xp_key_dir_of(const char *name)
{
        size_t l = strlen(name);
        for (int k = 0; k < _XP_KEY_MAX; k++)
                if (l && dir_len(k) == l && memcmp(xp_keys[k].name, name, l) == 0)
                        return k;
        return -1;
}

bool xp_key_dir(enum xp_key k, char *buf, size_t len)
{
        size_t l = (unsigned)k < _XP_KEY_MAX ? dir_len(k) : 0;
        if (!l || l >= len)
                return false;
        memcpy(buf, xp_keys[k].name, l);
        buf[l] = '\0';
        return true;
}

bool xp_xs_schema_known(const char *key)
{
        return xp_key_find(key) >= 0 || xp_key_dir_of(key) >= 0;
}

int xp_mirror_find(const char *name)
{
        for (int i = 0; i < XP_MIRROR_N; i++)
                if (strcmp(xp_mirror_keys[i].name, name) == 0)
                        return i;
        return -1;
}

/* a strict decimal (no sign, no leading zero, no space) of at most 20 digits */
static bool decimal(const char *s, size_t len)
{
        if (len == 0 || len > 20 || (s[0] == '0' && len > 1))
                return false;
        for (size_t i = 0; i < len; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

bool xp_mirror_value_ok(const struct xp_mirror_def *m, const char *s, size_t len)
{
        const struct xp_key_def *k = &xp_keys[m->source];
        switch (k->kind) {
        case XP_KIND_ENUM:
                return xp_key_word(k, s, len);
        case XP_KIND_INT:
                return decimal(s, len) && !(k->min > 0 && len == 1 && s[0] == '0');
        default:
                return false; /* free text never goes to XAPI */
        }
}

bool xp_xs_token(const char *s, size_t len, size_t max)
{
        if (len == 0 || len > max)
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-'))
                        return false;
        }
        return true;
}
