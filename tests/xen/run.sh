#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run.sh [WORKDIR] [RESULTS]
# Boots Xen 4.17 + the Debian 12 dom0 built by tests/xen/build.sh ONCE under
# QEMU (TCG, no KVM needed); dom0 (tests/xen/dom0-init.sh) does the rest and
# leaves one tar on a second disk, unpacked here into RESULTS (default
# WORKDIR/results/<UTC time>; WORKDIR/results/last points at it).
#
# Environment (defaults in brackets):
#   XPT_GUESTS  [pv,pvh,pvhvm,hvm-noplat,hvm-nopv,hvm-viridian,pv-noblk,pv-systemd]
#   XPT_DAEMON  [pv,pvh,pvhvm]  guests running the daemon for the daemon,
#               query and limit steps
#   XPT_LIMITS  [pvh]  the daemon guest that runs the xenstore limit tests
#   XSD         [o]  o: oxenstored (Debian's default), c: C xenstored
#   GTIMEOUT    [900]  seconds dom0 waits for each guest
#   QEMU        [qemu-system-x86_64]   QEMU_CPU [qemu64,+svm,+npt]
#   QEMU_SMP    [1]   QEMU_TIMEOUT [5400]   QEMU_NICE [5]
#   XPT_GCFG    []  extra xl.cfg lines for HVM guests, '+' separated
#               (QEMU 10.0 needs hap=0, see README)
#   XEN_EXTRA   []  extra hypervisor arguments
set -uo pipefail
W=${1:-${XEN_WORKDIR:-/var/tmp/xenprobe-xen}}
RES=${2:-$W/results/$(date -u +%Y%m%d-%H%M%S)}
GUESTS=${XPT_GUESTS:-pv,pvh,pvhvm,hvm-noplat,hvm-nopv,hvm-viridian,pv-noblk,pv-systemd}
DAEMON=${XPT_DAEMON:-pv,pvh,pvhvm}
LIMITS=${XPT_LIMITS:-pvh}
XSD=${XSD:-o}
GTIMEOUT=${GTIMEOUT:-900}
QEMU=${QEMU:-qemu-system-x86_64}
# -cpu max: XSAVE under nested TCG corrupts dom0 while an HVM guest runs;
# qemu64 + SVM + NPT has no XSAVE (and no SMAP/SMEP)
QEMU_CPU=${QEMU_CPU:-qemu64,+svm,+npt}
QEMU_SMP=${QEMU_SMP:-1}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-5400}
QEMU_NICE=${QEMU_NICE:-5}
XPT_GCFG=${XPT_GCFG:-}
XEN_EXTRA=${XEN_EXTRA:-}
for f in xen.elf vmlinuz-dom0 initrd-dom0 dom0.img; do
	[ -e "$W/$f" ] || { echo "run: $W/$f missing: run tests/xen/build.sh first" >&2; exit 77; }
done
command -v "$QEMU" >/dev/null || { echo "run: $QEMU not found (apt-get install qemu-system-x86)" >&2; exit 77; }
# the pv-systemd guest's root disk, dom0's /dev/vdc (writes stay in QEMU)
SDIMG=
case ",$GUESTS," in *,pv-systemd,*) [ -e "$W/sd-guest.img" ] && SDIMG=$W/sd-guest.img ;; esac
mkdir -p "$RES" "$W/results"
RES=$(cd "$RES" && pwd)
ln -sfn "$RES" "$W/results/last"
# the results disk and the monitor belong to the run: runs in other
# WORKDIRs or results directories can go side by side
OUTIMG=$RES/out.img
rm -f "$OUTIMG"
truncate -s 256M "$OUTIMG"
d0="root=/dev/vda rw console=hvc0 init=/xpt/dom0-init.sh xpt.guests=${GUESTS//,/+} xpt.daemon=${DAEMON//,/+}"
d0="$d0 xpt.limits=$LIMITS xpt.xsd=$XSD xpt.timeout=$GTIMEOUT${XPT_GCFG:+ xpt.gcfg=$XPT_GCFG}"
xen="dom0_mem=1024M,max:1024M console=com1 com1=115200,8n1 smap=0 smep=0 loglvl=all guest_loglvl=all"
xen="$xen console_timestamps=boot $XEN_EXTRA"
{
	echo "qemu: $($QEMU --version | head -n 1)"
	echo "qemu args: -accel tcg -cpu $QEMU_CPU -smp $QEMU_SMP -m 3072"
	echo "xen args: $xen"
	echo "dom0 args: $d0"
} >"$RES/run-params.txt"
cat "$RES/run-params.txt"
S=$(date +%s)
echo "[run $(date -u +%T)] QEMU start; serial console: $RES/serial.log"
timeout "$QEMU_TIMEOUT" nice -n "$QEMU_NICE" "$QEMU" -M pc -accel tcg -cpu "$QEMU_CPU" -smp "$QEMU_SMP" -m 3072 \
	-nographic -no-reboot -nodefaults -serial stdio \
	-monitor "unix:$RES/monitor.sock,server=on,wait=off" \
	-kernel "$W/xen.elf" -append "$xen" -initrd "$W/vmlinuz-dom0 $d0,$W/initrd-dom0" \
	-drive "file=$W/dom0.img,if=virtio,format=raw,snapshot=on" \
	-drive "file=$OUTIMG,if=virtio,format=raw" \
	${SDIMG:+-drive "file=$SDIMG,if=virtio,format=raw,snapshot=on"} >"$RES/serial.log" 2>&1
rc=$?
echo "qemu exit=$rc seconds=$(($(date +%s) - S))" >>"$RES/run-params.txt"
echo "[run $(date -u +%T)] QEMU exit $rc after $(($(date +%s) - S)) s"
if tar -xf "$OUTIMG" -C "$RES" 2>/dev/null; then
	rm -f "$OUTIMG" "$RES/monitor.sock"
	echo "[run] results: $RES"
else
	echo "[run] no result tar on $OUTIMG; last lines of the serial console:" >&2
	tail -n 30 "$RES/serial.log" >&2
	exit 1
fi
