/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Entry points shared by the agent's files. */
#pragma once

#include <stdio.h>

#include "xenprobe.h"

/* renderers: consume the model, read nothing */
int xp_render_text(const struct xp_report *r, FILE *out);
int xp_render_json(const struct xp_report *r, const char *root, FILE *out);
int xp_render_short(const struct xp_report *r, FILE *out);
/* "Xen domU, PVHVM (HVM guest using PV drivers), Xen 4.17.5" */
int xp_report_headline(const struct xp_report *r, char *buf, size_t len);

/* snapshot: copy what the probes read (the root's read log) + CPUID into DIR */
int xp_snapshot_write(struct xp_ctx *ctx, const struct xp_report *r, const char *dir);

