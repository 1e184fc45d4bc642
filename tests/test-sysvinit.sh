#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The sysvinit script (packaging/sysvinit/xenprobe.in) drives the daemon
# with start-stop-daemon against the real xenstored: start publishes,
# status says running, reload is a SIGHUP, a second start is a no-op, stop
# ends it with the keys left for dom0, status then says 3 (LSB).
# Automake test: 0 pass, 1 fail, 77 skip.
set -u
XENPROBE=${XENPROBE:-./xenprobe}
XENPROBE=$(cd "$(dirname "$XENPROBE")" && pwd)/$(basename "$XENPROBE")
src=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
xsd=$src/tests/xenstored/xsd.sh
command -v start-stop-daemon >/dev/null || PATH=$PATH:/sbin:/usr/sbin
command -v start-stop-daemon >/dev/null || { echo "SKIP: no start-stop-daemon"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/xp-sysv.XXXXXX")
cleanup() {
        [ -f "$work/pid" ] && kill -9 "$(cat "$work/pid")" 2>/dev/null
        bash "$xsd" stop "$work/xsd" >/dev/null 2>&1
        rm -rf "$work"
}
trap cleanup EXIT
. "$src/tests/xenstored/start-or-skip.sh"
xsd_start_or_skip "$xsd" "$work/xsd"

passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); [ -f "$work/log" ] && tail -n 5 "$work/log"; }
judge() { local n=$1; shift; if "$@" >/dev/null 2>&1; then pass "$n"; else fail "$n"; fi; }

bash "$src/tests/mkroot.sh" "$src/tests/roots/xen417-domU-pvhvm-debian12" "$work/root" >/dev/null
ln -s "$XENPROBE" "$work/xenprobed"
sed "s|@sbindir@|$work|" "$src/packaging/sysvinit/xenprobe.in" >"$work/init"
# _SYSTEMCTL_SKIP_REDIRECT: on a machine running systemd, Debian's
# init-functions would hand the script to systemctl instead
export _SYSTEMCTL_SKIP_REDIRECT=1
export DAEMON=$work/xenprobed PIDFILE=$work/pid LOGFILE=$work/log XENPROBE_FORCE=1 \
        DAEMON_ARGS="--root $work/root --domid 21"
D=/local/domain/21/data/xenprobe

judge "init script: sh -n" sh -n "$work/init"
sh "$work/init" start >"$work/out" 2>&1
judge "start: exit 0" test $? = 0
judge "start: the daemon publishes" wait_for 30 key_is $D/verdict pvhvm
judge "start: pid file written" test -s "$work/pid"
sh "$work/init" status >"$work/out" 2>&1
judge "status: running (exit 0)" test $? = 0
sh "$work/init" start >"$work/out" 2>&1
judge "start again: no second daemon (exit 0)" test $? = 0
judge "start again: says it runs" grep -q "already running" "$work/out"
sh "$work/init" reload >"$work/out" 2>&1
judge "reload: SIGHUP reaches the daemon" wait_for 30 grep -q "SIGHUP: probing again" "$work/log"
sh "$work/init" stop >"$work/out" 2>&1
judge "stop: exit 0" test $? = 0
judge "stop: the daemon exited on SIGTERM" wait_for 30 grep -q "SIGTERM: exiting" "$work/log"
judge "stop: the keys stay for dom0" key_is $D/verdict pvhvm
sh "$work/init" status >"$work/out" 2>&1
judge "status after stop: not running (exit 3)" test $? = 3
sh "$work/init" stop >"$work/out" 2>&1
judge "stop again: exit 0" test $? = 0
sh "$work/init" frobnicate >"$work/out" 2>&1
judge "unknown action: usage (exit 2)" test $? = 2

echo "$passed passed, $failed failed, 0 skipped"
[ $failed = 0 ]
