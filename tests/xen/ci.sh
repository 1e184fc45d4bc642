#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ci.sh [WORKDIR]: the real-Xen set CI runs (.ci/run), within its 90-minute
# budget beside the rest of the suite.  The full set is `make check-xen`
# (tests/xen/check-xen.sh); see tests/xen/README for the timings behind the
# choice.  One image build, then two boots of Xen 4.17 under QEMU:
#
#   1. oxenstored (Debian's default): dom0, and pv, pvh and pvhvm running
#      the daemon: verdicts against each xl.cfg, query --all, --refresh,
#      xl block-attach republished, destroy + recreate seen as a new domain,
#      query --prometheus and the exporter unit's lines (promtool on the host),
#      the guest-side limits and the hostile guest (in pvh); pv-systemd,
#      a Debian system booted by systemd with xenprobe.service enabled;
#      every snapshot imported as a fixture root and replayed;
#   2. the C xenstored: dom0, pv and pvh with the daemon: the same daemon
#      and query loop, the limits and the hostile guest (in pv) against the
#      other implementation.
#
# Left to make check-xen: the HVM kinds without PV drivers or with
# Viridian (hvm-noplat, hvm-nopv, hvm-viridian) and pv-noblk, about 25
# minutes more under TCG.
#
# Prints the PASS/FAIL/SKIP lines of both checks and
# "# N passed, N failed, N skipped"; exit 0 all passed, 1 failed, 77 cannot run.
set -u
H=$(cd "$(dirname "$0")" && pwd)
W=${1:-${XEN_WORKDIR:-/var/tmp/xenprobe-xen}}
[ "$(id -u)" = 0 ] || { echo "SKIP check-xen (CI set): needs root"; exit 77; }
t=$(date +%s)
bash "$H/build.sh" "$W" >"$W.build.log" 2>&1
rc=$?
echo "# build: exit $rc in $(($(date +%s) - t)) s ($(tr '\n' ' ' <"$W/build-times.txt" 2>/dev/null))"
[ $rc = 0 ] || { tail -n 30 "$W.build.log"; [ $rc = 77 ] && exit 77; echo "FAIL check-xen image build (exit $rc)"; exit 1; }
passed=0 failed=0 skipped=0
mkdir -p "$W/results"
boot() { # LABEL, environment for run.sh
	local label=$1 res=$W/results/ci-$1-$(date -u +%Y%m%d-%H%M%S) t rc
	t=$(date +%s)
	bash "$H/run.sh" "$W" "$res" >"$res.run.log" 2>&1
	rc=$?
	echo "# boot $label: exit $rc in $(($(date +%s) - t)) s; serial console $res/serial.log"
	if [ $rc != 0 ]; then
		tail -n 30 "$res.run.log"
		echo "FAIL check-xen boot $label (run.sh exit $rc)"
		failed=$((failed + 1))
		return
	fi
	bash "$H/check.sh" "$res" "$W/src/xenprobe" >"$res.check.log" 2>&1
	sed -n "s/^\(PASS\|FAIL\|SKIP\) /\1 [$label] /p" "$res.check.log"
	passed=$((passed + $(grep -c '^PASS ' "$res.check.log")))
	failed=$((failed + $(grep -c '^FAIL ' "$res.check.log")))
	skipped=$((skipped + $(grep -c '^SKIP ' "$res.check.log")))
	grep -q '^# .* passed' "$res.check.log" || { echo "FAIL check-xen check $label (no summary)"; failed=$((failed + 1)); }
}
# each boot is bounded so that a hung guest cannot take CI past its 90
# minutes (alone on 2 cores: about 25 and 8 minutes); what the boot did
# before the bound is still judged, and whatever it did not reach fails
XSD=o XPT_GUESTS=pv,pvh,pvhvm,pv-systemd XPT_DAEMON=pv,pvh,pvhvm XPT_LIMITS=pvh QEMU_TIMEOUT=2400 boot oxenstored
XSD=c XPT_GUESTS=pv,pvh XPT_DAEMON=pv,pvh XPT_LIMITS=pv QEMU_TIMEOUT=1200 boot c-xenstored
echo "# check-xen CI set: $(($(date +%s) - t)) s in all"
echo "# $passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
