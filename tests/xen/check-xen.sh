#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check-xen.sh [WORKDIR]: make check-xen (tests/xen/README).  Builds the
# images (tests/xen/build.sh; the debootstrap is cached in WORKDIR), boots
# Xen 4.17 under QEMU once (tests/xen/run.sh) and judges the results
# (tests/xen/check.sh).  Root, network for the first debootstrap.
# Exit 0: all passed, 1: a check failed or the run broke, 77: cannot run here.
set -u
H=$(cd "$(dirname "$0")" && pwd)
W=${1:-${XEN_WORKDIR:-/var/tmp/xenprobe-xen}}
[ "$(id -u)" = 0 ] || { echo "check-xen: needs root (debootstrap, chroot, loop-free image build)"; exit 77; }
t=$(date +%s)
bash "$H/build.sh" "$W" || exit $?
b=$(($(date +%s) - t))
RES=$W/results/$(date -u +%Y%m%d-%H%M%S)
t=$(date +%s)
bash "$H/run.sh" "$W" "$RES" || exit $?
r=$(($(date +%s) - t))
bash "$H/check.sh" "$RES" "$W/src/xenprobe"
rc=$?
echo "# build ${b}s, QEMU boot ${r}s; serial console $RES/serial.log, timeline $RES/timeline.txt"
exit $rc
