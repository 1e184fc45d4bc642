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

/* The container is NAME, found at PATH; VALUE is what PATH holds (NULL:
 * the name itself, read from PATH). */
static void set_name(struct xp_report *r, const char *name, const char *path, const char *value)
{
        struct xp_facts *f = &r->facts;
        char *s = xp_sanitize(name, strlen(name), sizeof(f->container.name) - 4);
        snprintf(f->container.name, sizeof(f->container.name), "%s", s && s[0] ? s : "container");
        free(s);
        xp_evidence_add(r, SRC, path, XP_ST_FOUND, value ? value : f->container.name,
                        "running inside a container: hypervisor evidence describes the host kernel's domain");
}

/* A marker file whose presence names the container manager NAME: its
 * value is what the file holds ("(empty)" for docker's), not the name. */
static void marker_file(struct xp_report *r, struct xp_root *root, const char *path, const char *name)
{
        char *v = NULL, val[32] = "present";
        size_t len = 0;
        if (xp_root_read_file(root, path, 64 * 1024, &v, &len) == 0) {
                if (len)
                        snprintf(val, sizeof(val), "%zu bytes", len);
                else
                        snprintf(val, sizeof(val), "(empty)");
        }
        free(v);
        set_name(r, name, path, val);
}

/* No marker: what was read, and what was not there.  ENV is the result of
 * reading proc/1/environ (0: read, LEN bytes holding N variables). */
static void no_marker(struct xp_report *r, int env, size_t len, size_t n)
{
        if (env == -ENOENT) {
                xp_evidence_add(r, SRC, "run/systemd/container, proc/1/environ, .dockerenv", XP_ST_ABSENT, NULL,
                                "no container marker");
                return;
        }
        xp_evidence_add(r, SRC, "run/systemd/container, .dockerenv", XP_ST_ABSENT, NULL, "no container marker");
        char val[32];
        if (env < 0) /* readable by root only: says nothing either way */
                xp_evidence_add(r, SRC, "proc/1/environ", XP_ST_UNAVAILABLE, NULL,
                                "%s: PID 1's environment not checked for container=", strerror(-env));
        else {
                if (len)
                        snprintf(val, sizeof(val), "%zu variables", n);
                else
                        snprintf(val, sizeof(val), "(empty)");
                xp_evidence_add(r, SRC, "proc/1/environ", XP_ST_FOUND, val,
                                "no container= variable in PID 1's environment");
        }
}

static int run(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_root *root = xp_ctx_root(ctx);
        char *v;
        static const char *const files[] = { "run/systemd/container", "run/host/container-manager" };

        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (xp_root_read_line(root, files[i], &v) == 0) {
                        set_name(r, v, files[i], NULL);
                        free(v);
                        return 0;
                }

        /* PID 1's environment is readable by root only; try it before the
         * marker files, which say less */
        size_t len = 0, n = 0;
        int env = xp_root_read_file(root, "proc/1/environ", 64 * 1024, &v, &len);
        if (env == 0) {
                for (size_t off = 0; off < len; off += strlen(v + off) + 1, n++)
                        if (xp_startswith(v + off, "container=")) {
                                set_name(r, v + off + strlen("container="), "proc/1/environ", NULL);
                                free(v);
                                return 0;
                        }
                free(v);
        }
        if (xp_root_exists(root, ".dockerenv")) {
                marker_file(r, root, ".dockerenv", "docker");
                return 0;
        }
        if (xp_root_exists(root, "run/.containerenv")) {
                marker_file(r, root, "run/.containerenv", "podman");
                return 0;
        }
        no_marker(r, env, len, n);
        return 1;
}

const struct xp_probe xp_container_probe = {
        .name = SRC,
        .run = run,
};
