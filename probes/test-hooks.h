/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test-only hooks of the root object (probes/root.c): the unit tests and
 * fuzzers include this; product code never does.
 */
#pragma once

#include "core.h"

/* Use the user-space walk even where openat2 works. */
void xp_resolve_force_userspace(bool on);
