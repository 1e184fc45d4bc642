/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A file replaced whole or not at all: written to a temporary file in the
 * same directory (".NAME.XXXXXX": a reader that takes only "*.prom", as
 * node_exporter's textfile collector does, never sees it), flushed to
 * disk, given its mode, renamed over NAME, and the directory synced.
 */
#pragma once

#include <stdio.h>
#include <sys/types.h>

struct xp_atomic_file {
        FILE *f;    /* write here */
        char *path; /* the final name */
        char *tmp;  /* the temporary one */
};

/* 0 with AF->f open, or -errno (the directory does not exist or cannot be
 * written, ...). */
int xp_atomic_open(struct xp_atomic_file *af, const char *path);
/* Flush, chmod MODE, fsync, rename over the final name, fsync the
 * directory: 0, or -errno when FILE was left as it was (the directory's
 * fsync comes after the rename and is not reported); the temporary file is
 * gone either way.  FILE a symlink: the link is replaced, not its target. */
int xp_atomic_commit(struct xp_atomic_file *af, mode_t mode);
/* Drop what was written: the final file is left as it was. */
void xp_atomic_abort(struct xp_atomic_file *af);
