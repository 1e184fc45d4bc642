/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The commands of the CLI (agent/main.c dispatches to them). */
#pragma once

#include <stdio.h>

#include "probe.h"

/* Probe, plus boot readiness with BOOT's options (NULL: none)
 * (agent/probe-run.c): 0 with *RET, or -errno with *FAILED (when not NULL)
 * saying what failed: "probing failed" or "boot readiness". */
int xp_probe_run(struct xp_ctx *ctx, const struct xp_boot_options *boot, struct xp_report **ret,
                 const char **failed) _must_check_;
/* the report's boot readiness: images are read only until their facts are
 * known, so the report stays fast; `xenprobe initrd` reads them whole */
extern const struct xp_boot_options xp_boot_quick;

/* snapshot: copy what the probes read (the root's read log) + CPUID into DIR */
int xp_snapshot_write(struct xp_ctx *ctx, const struct xp_report *r, const char *dir);

/* `xenprobe initrd`: exit status 0 ok, 3 missing, 4 cannot verify, 1, 2 */
int xp_cmd_initrd(struct xp_ctx *ctx, const char *rootdir, bool json, int argc, char **argv);
/* `xenprobe --root DIR` on an image with no proc/ or sys/ */
int xp_cmd_offline(struct xp_ctx *ctx, const char *rootdir, bool json);

/* `xenprobe facts` (cmd-facts.c): 0 facts printed (an "error" in them when
 * probing failed, or OFFLINE: ROOTDIR is no capture), 1 not written, 2 usage */
int xp_cmd_facts(struct xp_ctx *ctx, const char *rootdir, bool offline, int argc, char **argv);

/* `xenprobe publish`: 0 written (or already current), 1 error, 2 usage,
 * 5 not a Xen guest (nothing to publish) */
int xp_cmd_publish(struct xp_ctx *ctx, const char *rootdir, int argc, char **argv);
/* `xenprobe daemon` / xenprobed: 0 on SIGTERM/SIGINT or not Xen, 1 error */
int xp_cmd_daemon(struct xp_ctx *ctx, const char *rootdir, int argc, char **argv);
/* `xenprobe query` (dom0): ARGV[0] is "query"; JSON and VERBOSE from the
 * global options.  0 shown, 1 error, 2 usage, 3 a named domain does not
 * exist or published nothing valid, 4 a guest did not answer --refresh */
int xp_cmd_query(int argc, char **argv, bool json, bool verbose);

/* shared by publish and the daemon (cmd-publish.c) */
struct xp_publish_opts {
        char home[64]; /* "" or "/local/domain/N" (--domid) */
        bool boot, trace;
        bool xapi_services;   /* --xapi-services: XP_PUBLISH_XAPI_SERVICES */
        const char *textfile; /* the daemon's --textfile FILE, else NULL */
};
/* --domid, --no-boot, --trace, --xapi-services, -v, --help (and the
 * daemon's --textfile): -1 to go on, else the exit status */
int xp_publish_options(struct xp_ctx *ctx, const char *cmd, int argc, char **argv, void (*help)(FILE *),
                       struct xp_publish_opts *o);
/* a Xen guest (or dom0)?  Logs why not. */
bool xp_publish_applies(struct xp_ctx *ctx, const struct xp_report *r);
