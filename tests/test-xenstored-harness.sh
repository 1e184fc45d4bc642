#!/bin/bash
# shellcheck disable=SC2016,SC2034 # the checks are eval'ed strings
# The real-xenstored test harness itself (tests/xenstored/xsd.sh): Debian 12's
# C xenstored 4.17 without a hypervisor, driven with the xenstore-* tools.
# Proves what later tests rely on: start, read/write/ls/chmod/rm, a
# transaction, a watch, stop, restart on an empty store, kill -9 and start
# again, live update.  Skips (77) when the packages cannot be fetched
# (no network); CI pre-fetches them into $XP_XSD_CACHE (default
# /var/tmp/xp-xsd).  Never leaves a xenstored behind.
set -u
top_srcdir=${top_srcdir:-.}
XSD=$top_srcdir/tests/xenstored/xsd.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/xp-xsd-test.XXXXXX")
dir=$work/xsd
watcher=
cleanup() {
	[ -n "$watcher" ] && kill "$watcher" 2>/dev/null
	bash "$XSD" kill "$dir" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0 failed=0 skipped=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }
summary() { echo "$passed passed, $failed failed, $skipped skipped"; }
check() { # name command...: PASS when the command succeeds
	local name=$1
	shift
	if "$@" >"$work/out" 2>"$work/err"; then
		pass "$name"
	else
		fail "$name" "$(tr '\n' ' ' <"$work/err")"
	fi
}
ms() { echo $(($(date +%s%N) / 1000000)); }
# a process is gone when it has no /proc entry or is a zombie: xenstored's
# parent (xsd.sh start) has exited, and not every init reaps at once
gone() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	st=${st##*) }
	[ "${st%% *}" = Z ]
}

# ---- fetch (or skip) ---------------------------------------------------------
t0=$(ms)
bash "$XSD" fetch 2>"$work/err"
rc=$?
if [ $rc = 77 ]; then
	echo "SKIP xenstored harness: $(tail -n 1 "$work/err")"
	skipped=1
	summary
	exit 77
elif [ $rc != 0 ]; then
	fail "fetch xen-utils-4.17 + xenstore-utils" "$(cat "$work/err")"
	summary
	exit 1
fi
pass "fetch ($(($(ms) - t0)) ms)"
# only the xenstore-* tools run in this script, so the unpacked libraries
# can be on LD_LIBRARY_PATH for all of it
eval "$(bash "$XSD" env)" || { fail "xsd.sh env"; summary; exit 1; }
# every client call is bounded: a hang is a failure, not a stuck make check
xs() { timeout 10 "$@"; }

start() { # name [xsd.sh start options]
	local name=$1 t
	shift
	t=$(ms)
	if bash "$XSD" start "$dir" "$@" >"$work/out" 2>"$work/err" &&
		[ "$(cat "$work/out")" = "XENSTORED_PATH=$dir/run/socket" ] &&
		[ -S "$dir/run/socket" ] && kill -0 "$(cat "$dir/run/xenstored.pid")" 2>/dev/null; then
		pass "$name ($(($(ms) - t)) ms)"
		return 0
	fi
	fail "$name" "$(cat "$work/out" "$work/err" | tr '\n' ' ')"
	return 1
}
export XENSTORED_PATH=$dir/run/socket

# ---- start, basic operations -------------------------------------------------
if ! start "start"; then
	summary
	exit 1
fi
pid1=$(cat "$dir/run/xenstored.pid")
check "second start while running is refused" eval '! bash "$XSD" start "$dir"'
check "write + read" eval '[ "$(xs xenstore-write /xp/a hello && xs xenstore-read /xp/a)" = hello ]'
check "ls -f" eval 'xs xenstore-ls -f /xp | grep -qx "/xp/a = \"hello\""'
check "chmod + ls -p" eval 'xs xenstore-chmod /xp/a n0 r5 && xs xenstore-ls -p /xp | grep -q "(n0,r5)"'
# xenstore-write with several pairs writes them in one transaction; the
# daemon's trace shows it
: >"$dir/run/trace.log"
check "transaction (xenstore-write of two nodes)" eval 'xs xenstore-write /xp/t1 1 /xp/t2 2 &&
	grep -q "TRANSACTION_START" "$dir/run/trace.log" &&
	grep -q "TRANSACTION_END (T )" "$dir/run/trace.log" &&
	[ "$(xs xenstore-read /xp/t1 /xp/t2 | paste -sd,)" = 1,2 ]'
check "rm" eval 'xs xenstore-rm /xp/a && ! xs xenstore-read /xp/a 2>/dev/null'
check "xenstore-control quota" eval 'xs xenstore-control quota | grep -q "node-size .*2048"'

# a watch: the first event comes when it is registered, so wait for it
# before the write, then expect the write's event
xs xenstore-watch -n 2 /xp/w >"$work/watch" 2>&1 &
watcher=$!
for _ in $(seq 100); do [ -s "$work/watch" ] && break; sleep 0.05; done
xs xenstore-write /xp/w/x 1 >/dev/null 2>&1
for _ in $(seq 100); do kill -0 "$watcher" 2>/dev/null || break; sleep 0.05; done
if wait "$watcher" && [ "$(paste -sd' ' "$work/watch")" = "/xp/w /xp/w/x" ]; then
	pass "watch (xenstore-watch -n 2)"
else
	fail "watch (xenstore-watch -n 2)" "events: $(paste -sd' ' "$work/watch")"
fi
watcher=

# ---- live update keeps the store and the pid ----------------------------------
xs xenstore-write /xp/lu kept >/dev/null 2>&1
check "live-update keeps the store" eval 'bash "$XSD" live-update "$dir" &&
	[ "$(cat "$dir/run/xenstored.pid")" = "$pid1" ] && [ "$(xs xenstore-read /xp/lu)" = kept ]'

# ---- stop, restart on an empty store -------------------------------------------
check "stop" eval 'bash "$XSD" stop "$dir" && gone "$pid1" && [ ! -e "$dir/run/xenstored.pid" ]'
check "client after stop: connection refused, no hang" eval '! xs xenstore-read /xp/lu 2>/dev/null'
start "restart after stop"
check "restart: empty store" eval '! xs xenstore-exists /xp && [ "$(xs xenstore-list /)" = tool ]'

# ---- kill -9, start again ----------------------------------------------------
pid2=$(cat "$dir/run/xenstored.pid")
xs xenstore-write /xp/k 1 >/dev/null 2>&1
check "kill -9 leaves the socket file" eval 'bash "$XSD" kill "$dir" && gone "$pid2" && [ -S "$dir/run/socket" ]'
check "client after kill: connection refused, no hang" eval '! xs xenstore-read /xp/k 2>/dev/null'
start "start after kill -9"
check "start after kill: empty store" eval '! xs xenstore-exists /xp'
check "stop at the end" eval 'bash "$XSD" stop "$dir" && [ ! -e "$dir/run/xenstored.pid" ]'

summary
[ $failed = 0 ]
