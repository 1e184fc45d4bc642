/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Containers share their host's kernel: /sys/hypervisor and CPUID then
 * describe the host's domain, not "this machine".  Markers, as systemd's
 * detect_container(): /run/systemd/container (written by nspawn and
 * systemd-based inits), /run/host/container-manager, /.dockerenv,
 * /run/.containerenv (podman), and container= in PID 1's environment.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

#define SRC "container"

static void set_name(struct xp_report *r, const char *name, const char *path)
{
        struct xp_facts *f = &r->facts;
        char *s = xp_sanitize(name, strlen(name), sizeof(f->container.name) - 4);
        snprintf(f->container.name, sizeof(f->container.name), "%s", s && s[0] ? s : "container");
        free(s);
        xp_evidence_add(r, SRC, path, XP_ST_FOUND, f->container.name,
                        "running inside a container: hypervisor evidence describes the host kernel's domain");
}

static int run(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_root *root = xp_ctx_root(ctx);
        char *v;
        static const char *const files[] = { "run/systemd/container", "run/host/container-manager" };

        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (xp_root_read_line(root, files[i], &v) == 0) {
                        set_name(r, v, files[i]);
                        free(v);
                        return 0;
                }

        /* PID 1's environment is readable by root only; try it before the
         * marker files, which say less */
        size_t len;
        if (xp_root_read_file(root, "proc/1/environ", 64 * 1024, &v, &len) == 0) {
                for (size_t off = 0; off < len; off += strlen(v + off) + 1)
                        if (xp_startswith(v + off, "container=")) {
                                set_name(r, v + off + strlen("container="), "proc/1/environ");
                                free(v);
                                return 0;
                        }
                free(v);
        }
        if (xp_root_exists(root, ".dockerenv")) {
                set_name(r, "docker", ".dockerenv");
                return 0;
        }
        if (xp_root_exists(root, "run/.containerenv")) {
                set_name(r, "podman", "run/.containerenv");
                return 0;
        }
        xp_evidence_add(r, SRC, "run/systemd/container, proc/1/environ, .dockerenv", XP_ST_ABSENT, NULL,
                        "no container marker");
        return 1;
}

const struct xp_probe xp_container_probe = {
        .name = SRC,
        .run = run,
};
