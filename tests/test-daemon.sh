#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `xenprobe publish` and the daemon against Debian's real C xenstored
# (tests/xenstored/xsd.sh: socket only, every client is privileged, so the
# guest's keys go to /local/domain/N through --domid N and --root FIXTURE).
# Expected values come from the fixtures' expected.json (real captures) and
# the schema text (xenprobe-xenstore(7)), never from xenprobe.
#
# Automake test: 0 pass, 1 fail, 77 skip (no xenstored can be fetched).
set -u
XENPROBE=${XENPROBE:-./xenprobe}
XENPROBE=$(cd "$(dirname "$XENPROBE")" && pwd)/$(basename "$XENPROBE")
src=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
xsd=$src/tests/xenstored/xsd.sh
roots=$src/tests/roots

command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/xp-daemon.XXXXXX")
pids=()
cleanup() {
        for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
        bash "$xsd" stop "$work/xsd" >/dev/null 2>&1
        rm -rf "$work"
}
trap cleanup EXIT

. "$src/tests/xenstored/start-or-skip.sh"
xsd_start_or_skip "$xsd" "$work/xsd"

passed=0 failed=0 skipped=0
skip() { echo "SKIP $1"; skipped=$((skipped + 1)); }
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); [ -n "${2:-}" ] && [ -f "$2" ] && tail -n 15 "$2"; }
judge() { # NAME COMMAND... : pass when the command succeeds
        local name=$1
        shift
        if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name" "${LOG:-}"; fi
}
rd() { xenstore-read "$1" 2>/dev/null; }
key_gt() { local v; v=$(rd "$1") && [ -n "$v" ] && [ "$v" -gt "$2" ]; }

mkroot() { # CASE DEST
        bash "$src/tests/mkroot.sh" "$roots/$1" "$2" >/dev/null
}
expected() { jq -r "$2" "$roots/$1/expected.json"; }
# the capture's whole disks, from its SYMLINKS listing (not from xenprobe):
# sys/class/block/NAME -> ../../devices/vbd-N/... is a xenbus (PV) disk,
# .../ataN/... an emulated ATA one
capture_disks() {
        sed -n 's|^sys/class/block/\([^/ ]*\) -> \(.*\)$|\1 \2|p' "$roots/$1/SYMLINKS" |
                while read -r n t; do
                        case $t in */vbd-*) k=xen-pv ;; */ata[0-9]*) k=ata ;; *) k=other ;; esac
                        case $t in */block/*/*) continue ;; esac # a partition
                        printf '%s:%s\n' "$n" "$k"
                done | sort | paste -sd' '
}

# --- publish ---------------------------------------------------------------
mkroot xen417-domU-pvhvm-debian12 "$work/pvhvm"
mkroot xen417-domU-pv-debian12 "$work/pv"
mkroot kvm-debian12 "$work/kvm"
mkroot xen417-domU-hvm-noplatform "$work/noplat"
D=/local/domain/5/data/xenprobe

"$XENPROBE" --root "$work/pvhvm" publish --domid 5 >"$work/p1.out" 2>"$work/p1.err"
judge "publish: exit 0" test $? = 0
judge "publish: schema 1" key_is $D/schema 1
judge "publish: generation 1 on a new subtree" key_is $D/generation 1
judge "publish: verdict from the capture" key_is $D/verdict "$(expected xen417-domU-pvhvm-debian12 .verdict)"
judge "publish: role" key_is $D/role "$(expected xen417-domU-pvhvm-debian12 .xen.role)"
judge "publish: xen-version" key_is $D/xen-version "$(expected xen417-domU-pvhvm-debian12 .xen.version)"
# the capture's guest had its disk on xen-blkfront (tree/sys/bus/xen/devices/vbd-*)
judge "publish: pv/block in-use (vbd bound in the capture)" key_is $D/pv/block in-use
judge "publish: disks as in the capture ($(capture_disks xen417-domU-pvhvm-debian12))" \
        key_is $D/disks "$(capture_disks xen417-domU-pvhvm-debian12)"
judge "publish: no numeric index keys" bash -c "! xenstore-ls -f $D | grep -E '/[0-9]+ ='"
n=$(xenstore-ls -f $D | wc -l)
judge "publish: a small fixed number of nodes ($n)" test "$n" -le 32
big=$(xenstore-ls -f $D | awk -F' = ' '{ if (length($2) > 1026) print }' | wc -l)
judge "publish: no value over 1024 bytes" test "$big" = 0

"$XENPROBE" --root "$work/pvhvm" publish --domid 5 --trace >"$work/p2.out" 2>"$work/p2.err"
judge "publish again: exit 0" test $? = 0
judge "publish again: nothing written" test ! -s "$work/p2.out"
judge "publish again: says already current" grep -q "already current" "$work/p2.err"
judge "publish again: generation unchanged" key_is $D/generation 1

# a stale key and a planted one go; dom0's request stays
xenstore-write $D/junk x $D/os/junk y $D/request tok-1
"$XENPROBE" --root "$work/pv" publish --domid 5 --trace >"$work/p3.out" 2>&1
judge "publish other content: generation 2" key_is $D/generation 2
judge "publish other content: verdict pv" key_is $D/verdict "$(expected xen417-domU-pv-debian12 .verdict)"
judge "publish other content: disks as in the capture ($(capture_disks xen417-domU-pv-debian12))" \
        key_is $D/disks "$(capture_disks xen417-domU-pv-debian12)"
judge "publish other content: planted key removed" bash -c "! xenstore-exists $D/junk"
judge "publish other content: planted key in os/ removed" bash -c "! xenstore-exists $D/os/junk"
judge "publish other content: request left alone" key_is $D/request tok-1
judge "publish other content: trace shows a removal" grep -q '^- junk' "$work/p3.out"

# HVM without the platform device: the guest sees the emulated disk only
"$XENPROBE" --root "$work/noplat" publish --domid 8 >/dev/null 2>"$work/p8.err"
judge "publish hvm-noplatform: exit 0" test $? = 0
judge "publish hvm-noplatform: disks as in the capture ($(capture_disks xen417-domU-hvm-noplatform))" \
        key_is /local/domain/8/data/xenprobe/disks "$(capture_disks xen417-domU-hvm-noplatform)"

"$XENPROBE" --root "$work/kvm" publish --domid 9 >"$work/p4.out" 2>"$work/p4.err"
judge "publish on KVM: exit 5" test $? = 5
judge "publish on KVM: says why" grep -q "not a Xen guest" "$work/p4.err"
judge "publish on KVM: nothing written" bash -c "! xenstore-exists /local/domain/9/data/xenprobe"

"$XENPROBE" --root "$work/pvhvm" publish >/dev/null 2>"$work/p5.err"
judge "publish --root without --domid: usage (2)" test $? = 2
XENSTORED_PATH=$work/none/socket "$XENPROBE" --root "$work/pvhvm" publish --domid 5 >/dev/null 2>"$work/p6.err"
judge "publish without xenstored: exit 1" test $? = 1
judge "publish without xenstored: says so" grep -qi "xenstore" "$work/p6.err"

# two publishers racing on one domain: every transaction is whole (no mix
# of the two key sets), conflicts are retried, nobody fails
race() { for i in $(seq 15); do "$XENPROBE" --root "$1" publish --domid 7 >/dev/null 2>>"$work/race.err" || echo x >>"$work/race.fail"; done; }
race "$work/pv" & r1=$!
race "$work/pvhvm" & r2=$!
wait $r1 $r2
judge "racing publishers: none failed" test ! -e "$work/race.fail"
# reference sets: each root published alone
"$XENPROBE" --root "$work/pv" publish --domid 11 >/dev/null 2>&1
"$XENPROBE" --root "$work/pvhvm" publish --domid 12 >/dev/null 2>&1
dump() { xenstore-ls -f "/local/domain/$1/data/xenprobe" | sed "s|^/local/domain/$1/||" | grep -v '^data/xenprobe/generation ='; }
dump 7 >"$work/race.final"
if cmp -s "$work/race.final" <(dump 11) || cmp -s "$work/race.final" <(dump 12); then
        pass "racing publishers: the final set is one publisher's, whole"
else
        fail "racing publishers: the final set is one publisher's, whole"
        diff "$work/race.final" <(dump 11) | head
fi

# --- daemon ----------------------------------------------------------------
D=/local/domain/6/data/xenprobe
cp -a "$work/pvhvm" "$work/droot"
mkdir -p "$work/droot/boot"
LOG=$work/daemon.log
"$XENPROBE" --root "$work/droot" daemon --domid 6 -v >"$LOG" 2>&1 &
dpid=$!
pids+=("$dpid")
judge "daemon: publishes at start" wait_for 20 key_is $D/generation 1
judge "daemon: verdict" key_is $D/verdict pvhvm

t0=$(date +%s%N)
xenstore-write $D/request r-1
judge "daemon: answers a refresh request (served = token)" wait_for 10 key_is $D/served r-1
echo "# request -> served: $((($(date +%s%N) - t0) / 1000000)) ms (test-side polling every 100 ms)"
judge "daemon: a refresh with no change keeps the generation" key_is $D/generation 1
xenstore-write $D/request 'bad token!'
judge "daemon: an invalid token is seen and refused (logged)" wait_for 10 grep -q "ignoring a request token" "$LOG"
judge "daemon: ... and not served" key_is $D/served r-1

xenstore-rm $D
judge "daemon: subtree deleted -> published again" wait_for 10 key_gt $D/generation 1
g=$(rd $D/generation)
xenstore-write $D/verdict hvm
judge "daemon: a key rewritten by someone else is restored" wait_for 10 key_is $D/verdict pvhvm
xenstore-write $D/planted x
judge "daemon: a planted key is removed" wait_for 10 bash -c "! xenstore-exists $D/planted"

# a kernel and its initramfs installed into the root's /boot: inotify
V=$(ls /boot/vmlinuz-* 2>/dev/null | head -n 1 | sed 's|/boot/vmlinuz-||')
if [ -n "$V" ] && [ -r "/boot/initrd.img-$V" ]; then
        cp "/boot/config-$V" "$work/droot/boot/" 2>/dev/null
        cp "/boot/initrd.img-$V" "$work/droot/boot/"
        cp "/boot/vmlinuz-$V" "$work/droot/boot/"
        judge "daemon: a kernel installed in /boot is seen (inotify)" \
                wait_for 20 bash -c "xenstore-read $D/boot/kernels | grep -q '$V:'"
else
        skip "daemon: kernel installed in /boot (no kernel on this machine)"
fi

kill -HUP "$dpid"
judge "daemon: SIGHUP probes again (logged)" wait_for 60 grep -q SIGHUP "$LOG"
judge "daemon: ... and keeps running" kill -0 "$dpid"

g=$(rd $D/generation)
bash "$xsd" kill "$work/xsd" >/dev/null 2>&1
# noticed through the hang-up descriptor, or by a publish in flight failing
judge "daemon: xenstored killed -> noticed without a restart" \
        wait_for 10 grep -q "xenstore connection (.*) lost" "$LOG"
bash "$xsd" start "$work/xsd" >/dev/null 2>"$work/xsd2.err" || fail "xenstored restart" "$work/xsd2.err"
judge "daemon: xenstored killed and restarted -> published into the new store" \
        wait_for 20 key_gt $D/generation "$g"
xenstore-write $D/request r-2
judge "daemon: watches work on the new connection" wait_for 10 key_is $D/served r-2
# two dom0 callers refreshing at once: one request slot, both must be answered
timeout -k 10 30 "$XENPROBE" query --refresh --timeout 15 6 >"$work/qa.out" 2>&1 &
qa=$!
timeout -k 10 30 "$XENPROBE" query --refresh --timeout 15 6 >"$work/qb.out" 2>&1 &
qb=$!
wait $qa; ra=$?
wait $qb; rb=$?
judge "daemon: two concurrent query --refresh callers both answered (exit $ra, $rb)" test "$ra$rb" = 00

kill -TERM "$dpid"
wait_for 10 bash -c "! kill -0 $dpid 2>/dev/null"
wait "$dpid"
judge "daemon: SIGTERM -> exit 0" test $? = 0
judge "daemon: the published keys stay after exit" key_is $D/verdict pvhvm

# a request written before the daemon started (a refresh during boot)
xenstore-write /local/domain/14/data/xenprobe/request early-1
LOG=$work/daemon-early.log
"$XENPROBE" --root "$work/pvhvm" daemon --domid 14 >"$LOG" 2>&1 &
dpid=$!
pids+=("$dpid")
judge "daemon: a request pending at start is served" wait_for 20 key_is /local/domain/14/data/xenprobe/served early-1
kill -TERM "$dpid"
wait "$dpid"

# started before xenstored: waits (inotify on the socket directory), then publishes
bash "$xsd" stop "$work/xsd" >/dev/null 2>&1
LOG=$work/daemon2.log
recv=$(dirname "$XENPROBE")/tests/sd-notify-recv
[ -x "$recv" ] && { "$recv" "$work/notify0" 60 "STATUS=waiting for xenstore" >"$work/notify0.out" & npid=$!; sleep 0.3; }
NOTIFY_SOCKET=$work/notify0 "$XENPROBE" --root "$work/pvhvm" daemon --domid 8 >"$LOG" 2>&1 &
dpid=$!
pids+=("$dpid")
judge "daemon without xenstored: says it waits" wait_for 60 grep -q "xenstore not reachable" "$LOG"
if [ -x "$recv" ]; then
        # systemd would otherwise fail the unit at its start timeout
        wait "$npid"
        judge "daemon without xenstored: STATUS says it waits for xenstore (sd_notify)" test $? = 0
        judge "daemon without xenstored: READY=1 came first, before the probe" \
                bash -c "head -n 1 '$work/notify0.out' | grep -q '^READY=1|STATUS=probing'"
fi
judge "daemon without xenstored: still running" kill -0 "$dpid"
bash "$xsd" start "$work/xsd" >/dev/null 2>"$work/xsd3.err" || fail "xenstored start" "$work/xsd3.err"
judge "daemon without xenstored: publishes once it starts" wait_for 70 key_is /local/domain/8/data/xenprobe/schema 1
kill -TERM "$dpid"
wait "$dpid"

# systemd's side of sd_notify: READY=1 before the first probe, then STATUS=
recv=$(dirname "$XENPROBE")/tests/sd-notify-recv
if [ -x "$recv" ]; then
        "$recv" "$work/notify" 60 "STATUS=published" >"$work/notify.out" &
        npid=$!
        sleep 0.3
        LOG=$work/daemon-notify.log
        NOTIFY_SOCKET=$work/notify "$XENPROBE" --root "$work/pvhvm" daemon --domid 13 >"$LOG" 2>&1 &
        dpid=$!
        pids+=("$dpid")
        wait_for 20 key_is /local/domain/13/data/xenprobe/schema 1
        kill -TERM "$dpid"
        wait "$dpid"
        wait "$npid"
        judge "daemon: sd_notify STATUS after the first publish" test $? = 0
        # READY=1 before the first probe: that probe reads every initramfs and
        # outlasted systemd's 90 s start timeout on a slow real Xen guest
        judge "daemon: sd_notify READY=1 first, with STATUS=probing" \
                bash -c "head -n 1 '$work/notify.out' | grep -q '^READY=1|STATUS=probing'"
        judge "daemon: sd_notify STATUS names the generation and verdict" \
                grep -q "^STATUS=published generation 1: pvhvm" "$work/notify.out"
else
        skip "daemon: sd_notify (tests/sd-notify-recv not built)"
fi

LOG=$work/daemon3.log
timeout -k 10 10 "$XENPROBE" --root "$work/kvm" daemon --domid 9 >"$LOG" 2>&1
judge "daemon on KVM: exits 0 at once" test $? = 0
judge "daemon on KVM: says why" grep -q "not a Xen guest" "$LOG"

# under valgrind: no leak, no error, through start, a request and SIGTERM
if command -v valgrind >/dev/null && ! ldd "$XENPROBE" 2>/dev/null | grep -q libasan; then
        LOG=$work/vg.log
        valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
                --suppressions="$src/tests/valgrind.supp" \
                "$XENPROBE" --root "$work/droot" daemon --domid 10 >"$LOG" 2>&1 &
        vpid=$!
        pids+=("$vpid")
        if wait_for 60 key_is /local/domain/10/data/xenprobe/schema 1; then
                xenstore-write /local/domain/10/data/xenprobe/request vg-1
                wait_for 30 key_is /local/domain/10/data/xenprobe/served vg-1
                xenstore-rm /local/domain/10/data/xenprobe
                wait_for 30 key_is /local/domain/10/data/xenprobe/schema 1
        fi
        kill -TERM "$vpid"
        wait "$vpid"
        judge "daemon under valgrind: exit 0, no errors, no leaks" test $? = 0
else
        skip "daemon under valgrind (no valgrind, or a sanitizer build)"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
