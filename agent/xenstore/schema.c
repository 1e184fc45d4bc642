/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The model as xenstore keys (schema 1: the key table in agent/xenstore/keys.c,
 * documented in xenprobe-xenstore(7)).
 * Pure: reads nothing, touches no store.  Every value is printable ASCII
 * and at most XP_XS_VALUE_MAX bytes; lists that do not fit end in
 * " ...(+N)".  The key set is fixed (no per-kernel or per-warning keys), so
 * the node count stays the same however many kernels or warnings there
 * are: xenstored's per-domain node quota (1000) is never approached.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstore/schema.h"


void xp_kvs_clear(struct xp_kvs *kv)
{
        for (size_t i = 0; i < kv->n; i++)
                free(kv->v[i].value);
        kv->n = 0;
}

const char *xp_kvs_get(const struct xp_kvs *kv, const char *key)
{
        for (size_t i = 0; i < kv->n; i++)
                if (strcmp(kv->v[i].key, key) == 0)
                        return kv->v[i].value;
        return NULL;
}

/* Printable ASCII only ('\n' too when MULTILINE); anything else becomes
 * '?': a dom0 tool may print these to a terminal. */
static void ascii(char *s, bool multiline)
{
        for (unsigned char *p = (unsigned char *)s; *p; p++)
                if ((*p < 0x20 || *p > 0x7e) && !(multiline && *p == '\n'))
                        *p = '?';
}

static int add_text(struct xp_kvs *kv, enum xp_key key, const char *value, bool multiline)
{
        if (!value || !*value)
                return 0; /* a key that does not apply is absent */
        if (kv->n >= XP_XS_MAX_KEYS)
                return -E2BIG;
        size_t n = strnlen(value, XP_XS_VALUE_MAX);
        char *v = strndup(value, n);
        if (!v)
                return -ENOMEM;
        ascii(v, multiline);
        kv->v[kv->n++] = (struct xp_kv){ .id = key, .key = xp_keys[key].name, .value = v };
        return 0;
}

static int add(struct xp_kvs *kv, enum xp_key key, const char *value)
{
        return add_text(kv, key, value, false);
}

/* A bounded list: items joined by SEP, and " ...(+N)" when N items did not
 * fit in XP_XS_VALUE_MAX bytes. */
struct list {
        char buf[XP_XS_VALUE_MAX + 1];
        size_t len;
        unsigned left_out;
        const char *sep;
};

static void list_add(struct list *l, const char *fmt, ...) _printf_(2, 3);
static void list_add(struct list *l, const char *fmt, ...)
{
        char item[XP_XS_VALUE_MAX + 1];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(item, sizeof(item), fmt, ap);
        va_end(ap);
        ascii(item, false);
        size_t need = (l->len ? strlen(l->sep) : 0) + strlen(item);
        /* room for the marker must remain: " ...(+4294967295)" */
        const size_t marker = sizeof(XP_XS_TRUNCATED) + 11;
        if (l->left_out || l->len + need + marker > XP_XS_VALUE_MAX) {
                l->left_out++;
                return;
        }
        l->len += (size_t)snprintf(l->buf + l->len, sizeof(l->buf) - l->len, "%s%s", l->len ? l->sep : "", item);
}

static const char *list_end(struct list *l)
{
        if (l->left_out)
                snprintf(l->buf + l->len, sizeof(l->buf) - l->len, "%s%u)", XP_XS_TRUNCATED, l->left_out);
        return l->buf;
}

/* The whole disks the guest sees and how: "xvda:xen-pv sr0:ata" (no
 * partitions, loop, dm or md: the root lookup's business).  A disk
 * hot-plugged with `xl block-attach` changes it, so dom0 sees the guest
 * pick it up and through which driver. */
static int disks_key(const struct xp_facts *f, struct xp_kvs *kv)
{
        struct list l = { .sep = " " };
        for (size_t i = 0; i < f->block.n_disks; i++) {
                const struct xp_disk *d = &f->block.disks[i];
                if (d->partition || d->kind == XP_DISK_VIRTUAL || d->kind == XP_DISK_MEMORY)
                        continue;
                list_add(&l, "%s:%s", d->name, xp_disk_kind_to_string(d->kind));
        }
        return add(kv, XP_KEY_DISKS, l.len || l.left_out ? list_end(&l) : XP_XS_DISKS_NONE);
}

static int boot_keys(const struct xp_report *r, struct xp_kvs *kv)
{
        const struct xp_boot *b = &r->boot;
        if (!b->probed)
                return add(kv, XP_KEY_BOOT_SUMMARY, xp_report_boot_summary(r));

        int mode = xp_report_boot_mode(r);
        struct list kernels = { .sep = " " }, problems = { .sep = "; " };
        for (size_t i = 0; i < b->n_kernels; i++) {
                const struct xp_boot_kernel *k = &b->kernels[i];
                enum xp_check_status st = xp_report_kernel_boot(r, k);
                list_add(&kernels, "%s:%s", k->version, xp_check_status_to_string(st));
                if (st == XP_CHECK_OK)
                        continue;
                const char *why = mode >= 0 ? k->mode_why[mode] : NULL;
                if (why && *why) {
                        /* "initramfs xen-blkfront: missing; " -> without the tail */
                        char w[XP_XS_VALUE_MAX];
                        snprintf(w, sizeof(w), "%s", why);
                        size_t l = strlen(w);
                        while (l && (w[l - 1] == ' ' || w[l - 1] == ';'))
                                w[--l] = '\0';
                        list_add(&problems, "%s: %s", k->version, w);
                } else
                        list_add(&problems, "%s: %s", k->version, xp_check_status_to_string(st));
        }
        for (size_t i = 0; i < b->checks.n; i++)
                if (b->checks.v[i].status != XP_CHECK_OK)
                        list_add(&problems, "%s: %s", b->checks.v[i].name,
                                 xp_check_status_to_string(b->checks.v[i].status));
        int e = add(kv, XP_KEY_BOOT_SUMMARY, xp_report_boot_summary(r));
        if (e == 0)
                e = add(kv, XP_KEY_BOOT_KERNELS, list_end(&kernels));
        if (e == 0)
                e = add(kv, XP_KEY_BOOT_PROBLEMS, list_end(&problems));
        return e;
}

int xp_xs_schema(const struct xp_report *r, struct xp_kvs *kv)
{
        const struct xp_facts *f = &r->facts;
        char num[24];
        int e = 0;

        kv->n = 0;
        snprintf(num, sizeof(num), "%d", XP_XS_SCHEMA);
#define ADD(k, v)                                                                                  \
        do {                                                                                       \
                if (e == 0)                                                                        \
                        e = add(kv, k, v);                                                         \
        } while (0)
        ADD(XP_KEY_SCHEMA, num);
        ADD(XP_KEY_AGENT_VERSION, PACKAGE_VERSION);
        ADD(XP_KEY_VERDICT, xp_report_verdict(r));
        ADD(XP_KEY_MODE, xp_mode_to_string(r->mode));
        ADD(XP_KEY_ROLE, xp_role_to_string(r->role));
        ADD(XP_KEY_CONFIDENCE, xp_confidence_to_string(r->confidence));
        ADD(XP_KEY_KERNEL, f->kernel.release);
        ADD(XP_KEY_XEN_VERSION, xp_report_xen_version(r));
        ADD(XP_KEY_OS_ID, f->os_release.id);
        ADD(XP_KEY_OS_VERSION_ID, f->os_release.version_id);
        ADD(XP_KEY_OS_PRETTY_NAME, f->os_release.pretty_name);
        if (r->hypervisor == XP_HV_XEN) {
                ADD(XP_KEY_PV_BLOCK, xp_report_pv_driver(r, XP_XM_BLKFRONT, "vbd"));
                ADD(XP_KEY_PV_NET, xp_report_pv_driver(r, XP_XM_NETFRONT, "vif"));
        }
        if (f->block.rootfs == XP_ST_FOUND) {
                ADD(XP_KEY_ROOT_DISK, xp_disk_kind_to_string(f->block.root_kind));
                ADD(XP_KEY_ROOT_DEVICE, f->block.root_devname);
        }
        if (e == 0 && f->block.status == XP_ST_FOUND)
                e = disks_key(f, kv);
        if (e == 0)
                e = boot_keys(r, kv);

        size_t nw = 0;
        struct list w = { .sep = "\n" };
        for (char **p = r->warnings; p && *p; p++, nw++)
                list_add(&w, "%s", *p);
        snprintf(num, sizeof(num), "%zu", nw);
        ADD(XP_KEY_WARNINGS, num);
        if (nw && e == 0)
                e = add_text(kv, XP_KEY_WARNING_TEXT, list_end(&w), true);
#undef ADD
        if (e < 0)
                xp_kvs_clear(kv);
        return e;
}
