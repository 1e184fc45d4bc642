/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The xenstore key table: the one list of the keys below XP_XS_BASE
 * (agent/xenstore/keys.c), each with its kind, its allowed words, whether a
 * quota may drop it, and the schema version that introduced it.  The
 * publisher (schema.c, publish.c), the daemon, the dom0 reader and
 * validator (agent/dom0/read.c), its renderers and the check of
 * xenprobe-xenstore(7) (tests/schema-keys.c) all read it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The keys, in display order (the dom0 reader's); the publisher writes
 * them in the order xp_xs_schema() adds them. */
enum xp_key {
        XP_KEY_SCHEMA,
        XP_KEY_GENERATION,
        XP_KEY_AGENT_VERSION,
        XP_KEY_VERDICT,
        XP_KEY_MODE,
        XP_KEY_ROLE,
        XP_KEY_CONFIDENCE,
        XP_KEY_KERNEL,
        XP_KEY_XEN_VERSION,
        XP_KEY_OS_ID,
        XP_KEY_OS_VERSION_ID,
        XP_KEY_OS_PRETTY_NAME,
        XP_KEY_PV_BLOCK,
        XP_KEY_PV_NET,
        XP_KEY_ROOT_DISK,
        XP_KEY_ROOT_DEVICE,
        XP_KEY_DISKS,
        XP_KEY_BOOT_SUMMARY,
        XP_KEY_BOOT_KERNELS,
        XP_KEY_BOOT_PROBLEMS,
        XP_KEY_WARNINGS,
        XP_KEY_WARNING_TEXT,
        XP_KEY_REQUEST,
        XP_KEY_SERVED,
        _XP_KEY_MAX,
};

enum xp_key_kind {
        XP_KIND_INT,     /* strict decimal, >= min */
        XP_KIND_TEXT,    /* printable ASCII */
        XP_KIND_ENUM,    /* one of the words */
        XP_KIND_KERNELS, /* "VER:STATUS VER:STATUS ...", STATUS one of the words */
        XP_KIND_DISKS,   /* "NAME:KIND NAME:KIND ...", KIND one of the words, or the empty word */
        XP_KIND_LINES,   /* printable ASCII lines ('\n') */
        XP_KIND_TOKEN,   /* xp_xs_token(), at most XP_XS_REQUEST_MAX */
};

struct xp_key_def {
        const char *name;           /* relative to XP_XS_BASE: "os/id" */
        enum xp_key_kind kind;
        const char *const *words;   /* an enum's spellings (NULL-terminated), or NULL */
        const char *const *extra;   /* words besides those, defined where they are written */
        const char *empty;          /* XP_KIND_DISKS: the whole value of an empty list */
        bool long_value;            /* left out of the reduced set a quota gets */
        unsigned since;             /* the schema version that introduced it */
        uint64_t min;               /* XP_KIND_INT */
        const char *description;    /* one line */
};

extern const struct xp_key_def xp_keys[_XP_KEY_MAX];

/* "generation", "os/id"; "unknown" out of range */
const char *xp_key_name(enum xp_key k);
/* "int", "text", "enum", "kernels", "disks", "lines", "token" */
const char *xp_key_kind_name(enum xp_key_kind kind);
/* The key named NAME (relative to XP_XS_BASE), -1 if none. */
int xp_key_find(const char *name);
/* Is the LEN bytes at S one of K's words or extra words? */
bool xp_key_word(const struct xp_key_def *k, const char *s, size_t len);
/* The first key below directory NAME ("os" -> XP_KEY_OS_ID), -1 when NAME
 * is no key's directory. */
int xp_key_dir_of(const char *name);
/* Key K's directory ("os" for "os/id") into BUF; false when K has none. */
bool xp_key_dir(enum xp_key k, char *buf, size_t len);
/* Is KEY (relative to XP_XS_BASE) one the table defines, or a directory
 * keys live in?  For the dom0 reader. */
bool xp_xs_schema_known(const char *key);

/* --------------------------------------------------- the XAPI mirror */

/*
 * The XAPI services mirror (opt-in: --xapi-services): a few keys of the
 * table above copied flat below HOME/XP_XS_MIRROR_BASE, where xapi >= 25.15.0
 * (CP-53314, ocaml/xapi/xapi_guest_agent.ml) reads data/service/<name>/<key>
 * into VM_guest_metrics.services as "<name>/<key>".  xenopsd lists
 * data/service only one level deep, so the names are flat ("pv-block", not
 * "pv/block").  One row per mirrored key, naming the key whose value it
 * copies; only enum and int keys, so only the table's validated words and
 * numbers ever reach XAPI, never free text.  Written in the same
 * transaction as XP_XS_BASE; xenprobe-xenstore(7) documents it.
 */
#define XP_XS_SERVICE_DIR "data/service"
#define XP_XS_MIRROR_NAME "xenprobe"
#define XP_XS_MIRROR_BASE XP_XS_SERVICE_DIR "/" XP_XS_MIRROR_NAME

struct xp_mirror_def {
        const char *name;  /* below XP_XS_MIRROR_BASE: "pv-block" */
        enum xp_key source; /* the key whose value it is: XP_KEY_PV_BLOCK */
};
#define XP_MIRROR_N 5
extern const struct xp_mirror_def xp_mirror_keys[XP_MIRROR_N];
/* The row named NAME, -1 if none. */
int xp_mirror_find(const char *name);
/* Is the LEN bytes at S a value mirror row M may hold (one of its source
 * key's words, or a strict decimal for an int key)? */
bool xp_mirror_value_ok(const struct xp_mirror_def *m, const char *s, size_t len);

/* A token: 1 to MAX bytes of [A-Za-z0-9._-] (the request protocol, the
 * toolstack's unique-domain-id). */
bool xp_xs_token(const char *s, size_t len, size_t max);
