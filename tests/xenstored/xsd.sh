#!/bin/bash
# xsd.sh: run Debian 12's real C xenstored (Xen 4.17, xen-utils-4.17) on a
# machine without a hypervisor, serving only its Unix socket, so that tests
# can drive libxenstore clients (the product, and the xenstore-* tools)
# against the real daemon.  TEST-ONLY; see README in this directory for what
# the daemon does and does not enforce in this setup.
#
#   xsd.sh fetch [CACHE]     download + unpack the .debs into CACHE/root
#                            (idempotent); exit 77 when that is impossible
#   xsd.sh start DIR [--keep] [-- XENSTORED-OPTIONS...]
#                            build the shim, start xenstored -N, print
#                            XENSTORED_PATH=DIR/run/socket
#   xsd.sh stop DIR          SIGTERM, then SIGKILL if it does not go
#   xsd.sh kill DIR          SIGKILL, the socket file stays (like a crash)
#   xsd.sh live-update DIR   xenstored's own live update (exec of a new
#                            binary that keeps the store and connections)
#   xsd.sh env [CACHE]       print `export LD_LIBRARY_PATH=...` and
#                            `export PATH=...` lines for eval, so the unpacked
#                            xenstore-read/-write/-ls/-rm/-chmod/-watch/
#                            -exists/-list/-control run
#
# CACHE defaults to $XP_XSD_CACHE, else /var/tmp/xp-xsd.  `start` and `env`
# fetch first (a fast no-op once done), so they also exit 77 without network.
# Nothing is installed system-wide and xenstored writes only below DIR:
#   DIR/xsd-shim.so          the LD_PRELOAD shim (xsd-shim.c), built by $CC
#   DIR/run/socket           the daemon's socket
#   DIR/run/xenstored.pid    its pid
#   DIR/run/xenstored.log    its stderr (errors, and syslog() via the shim)
#   DIR/run/trace.log        its -T trace: every request and reply
#   DIR/run/xenstored.args   its options, reused by live-update
# The store always starts empty, --keep or not: 4.17 keeps it in memory by
# default, and with --internal-db=off it re-creates DIR/run/tdb at start, so
# no restart of a real xenstored ever finds an old store.  --keep only keeps
# DIR/run's logs (appended to) instead of wiping the directory.  The one way
# to restart the daemon and keep the store (and its clients' connections) is
# its own live update: `xsd.sh live-update DIR`.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prog=xsd.sh

# xenstored and its NEEDED libraries (libxenctrl is in libxenmisc4.17, and
# pulls in call/foreignmemory/devicemodel), plus the client tools and the
# libxenstore they link.  All from the archive, none from the host, so
# daemon, tools and libraries are one version whatever the host has.
PKGS=(xen-utils-4.17 xenstore-utils libxenstore4 libxenmisc4.17
	libxenevtchn1 libxengnttab1 libxencall1 libxenforeignmemory1
	libxendevicemodel1 libxentoollog1 libxentoolcore1)
XENSTORED_REL=usr/lib/xen-4.17/bin/xenstored
# the client tools a test may use; xenstore-control lives in the versioned
# directory (usr/bin/xenstore-control is a link to a wrapper we do not unpack)
TOOLS=(xenstore-read xenstore-write xenstore-ls xenstore-rm xenstore-chmod
	xenstore-watch xenstore-exists xenstore-list)

START_TIMEOUT=10 # seconds for the socket to answer
STOP_TIMEOUT=5   # seconds between SIGTERM and SIGKILL

die() { echo "$prog: $*" >&2; exit 1; }
skip() { echo "$prog: $*" >&2; exit 77; }
usage() { sed -n '7,20s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2; }

cache_dir() { # [CACHE] -> absolute path (created)
	local c=${1:-${XP_XSD_CACHE:-/var/tmp/xp-xsd}}
	mkdir -p "$c" && (cd "$c" && pwd)
}
abs_dir() { mkdir -p "$1" && (cd "$1" && pwd); }
lib_dir() { # the multiarch directory that holds the unpacked libraries
	local f
	for f in "$1"/root/usr/lib/*/libxenstore.so.4; do
		[ -e "$f" ] && { dirname "$f"; return 0; }
	done
	die "no libxenstore.so.4 under $1/root (remove $1 and fetch again)"
}
stamp_text() { echo "packages: ${PKGS[*]}"; }
fetched() { # CACHE: complete, and for this package list?
	[ -x "$1/root/$XENSTORED_REL" ] && [ -d "$1/bin" ] && [ -f "$1/stamp" ] &&
		[ "$(head -n 1 "$1/stamp")" = "$(stamp_text)" ]
}

cmd_fetch() {
	local cache tmp deb t0=$SECONDS
	cache=$(cache_dir "${1:-}")
	fetched "$cache" && return 0
	if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
		skip "cannot fetch xenstored: apt-get/dpkg-deb not available (not a Debian system)"
	fi
	# several tests may fetch at once (make -j check): one does the work
	if command -v flock >/dev/null; then
		exec 9>"$cache/.lock"
		flock 9
		fetched "$cache" && { exec 9>&-; return 0; }
	fi
	echo "$prog: fetching ${PKGS[*]} into $cache" >&2
	tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
	# apt-get download works unprivileged and installs nothing; the timeout
	# and no retries keep an offline machine from hanging here
	if ! (cd "$tmp" && apt-get download -q -o Acquire::Retries=0 \
		-o Acquire::http::Timeout=20 -o Acquire::https::Timeout=20 \
		"${PKGS[@]}") >"$tmp/apt.log" 2>&1; then
		local why
		why=$(grep -m 1 '^E:' "$tmp/apt.log" || tail -n 1 "$tmp/apt.log")
		rm -rf "$tmp"
		skip "cannot download the Debian packages (no network, or not bookworm / apt lists not updated?): ${why:-apt-get download failed}"
	fi
	mkdir "$tmp/root" "$tmp/bin"
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$tmp/root" || { rm -rf "$tmp"; die "dpkg-deb -x $deb failed"; }
	done
	[ -x "$tmp/root/$XENSTORED_REL" ] || { rm -rf "$tmp"; die "no $XENSTORED_REL in the packages"; }
	# one directory with just the client tools, for PATH (relative links, so
	# the cache can be moved or restored by CI as a whole)
	local t
	for t in "${TOOLS[@]}"; do
		[ -x "$tmp/root/usr/bin/$t" ] || { rm -rf "$tmp"; die "no usr/bin/$t in xenstore-utils"; }
		ln -s "../root/usr/bin/$t" "$tmp/bin/$t"
	done
	ln -s ../root/usr/lib/xen-4.17/bin/xenstore-control "$tmp/bin/xenstore-control"
	{
		stamp_text
		for deb in "$tmp"/*.deb; do echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)"; done
	} >"$tmp/stamp"
	rm -f "$tmp"/*.deb
	# replace the old content only once the new one is complete
	rm -rf "${cache:?}/root" "${cache:?}/bin" "${cache:?}/stamp"
	mv "$tmp/root" "$tmp/bin" "$tmp/stamp" "$cache/"
	rm -rf "$tmp"
	exec 9>&-
	echo "$prog: fetched in $((SECONDS - t0)) s" >&2
}

# pid of a live xenstored started in DIR, or nothing
live_pid() {
	local pidf=$1/run/xenstored.pid pid
	[ -f "$pidf" ] || return 1
	pid=$(cat "$pidf")
	alive "$pid" || return 1
	echo "$pid"
}
running() { # PID: exists and is not a zombie
	local pid=$1 stat
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	# the zombie of a xenstored whose parent (the start command) has gone,
	# and that nobody reaps (some container inits), is dead all the same
	[ "${stat%% *}" != Z ]
}
alive() { # PID: running, and a xenstored (not a reused pid)
	local exe
	running "$1" || return 1
	exe=$(tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | head -n 1) || return 1
	[ "${exe##*/}" = xenstored ]
}
wait_gone() { # PID SECONDS
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		alive "$1" || return 0
		sleep 0.05
	done
	! alive "$1"
}

cmd_start() {
	local dir='' keep=0 cache lib shim pid i t0
	local -a extra=()
	while [ $# -gt 0 ]; do
		case $1 in
		--keep) keep=1 ;;
		--) shift; extra=("$@"); break ;;
		-*) usage ;;
		*) [ -z "$dir" ] || usage; dir=$1 ;;
		esac
		shift
	done
	[ -n "$dir" ] || usage
	dir=$(abs_dir "$dir")
	cache=$(cache_dir)
	(cmd_fetch "$cache") || exit $?
	lib=$(lib_dir "$cache")
	if pid=$(live_pid "$dir"); then
		die "xenstored already running in $dir (pid $pid); stop it first"
	fi

	# build the shim, again only when the source changed
	shim=$dir/xsd-shim.so
	if [ ! -f "$shim" ] || [ "$here/xsd-shim.c" -nt "$shim" ]; then
		# CC may carry options ("gcc -m64"), hence unquoted; a sanitizer in
		# it is switched off: an ASan shim cannot be preloaded into the
		# uninstrumented xenstored
		# shellcheck disable=SC2086
		${CC:-cc} -std=gnu11 -Wall -Wextra -O2 -shared -fPIC -fno-sanitize=all \
			-o "$shim.tmp" "$here/xsd-shim.c" -ldl || die "cannot build the shim with ${CC:-cc}"
		mv "$shim.tmp" "$shim"
	fi

	# a fresh run directory each time, so no socket, pid or trace of a
	# previous run can be mistaken for this one's
	if [ "$keep" = 1 ]; then
		mkdir -p "$dir/run"
		rm -f "$dir/run/socket" "$dir/run/xenstored.pid"
	else
		rm -rf "$dir/run"
		mkdir "$dir/run"
	fi

	# -N: stay in the foreground (we background it ourselves and know its
	# pid); XENSTORED_RUNDIR puts the socket (and any tdb) into DIR/run;
	# XENSTORED_PATH is set too, because xenstored binds $XENSTORED_PATH when
	# the caller's environment has one; LD_PRELOAD is replaced, not added
	# to, so a sanitizer runtime of the caller does not end up in xenstored.
	# cwd DIR/run: a core dump lands there.  fd 9 (fetch lock) is closed.
	t0=$(date +%s%N)
	(
		cd "$dir/run"
		exec env XENSTORED_RUNDIR="$dir/run" XENSTORED_PATH="$dir/run/socket" \
			LD_LIBRARY_PATH="$lib" LD_PRELOAD="$shim" \
			"$cache/root/$XENSTORED_REL" -N -T "$dir/run/trace.log" "${extra[@]}"
	) </dev/null >>"$dir/run/xenstored.log" 2>&1 9>&- &
	pid=$!
	echo "$pid" >"$dir/run/xenstored.pid"
	# remembered for live-update, which restarts the binary with the same
	# options
	printf '%s\n' -N -T "$dir/run/trace.log" "${extra[@]}" >"$dir/run/xenstored.args"

	# ready = the socket answers a request (the file alone may be a
	# leftover, or not be listening yet)
	for ((i = 0; i < START_TIMEOUT * 20; i++)); do
		if [ -S "$dir/run/socket" ] &&
			LD_LIBRARY_PATH="$lib" XENSTORED_PATH="$dir/run/socket" \
				"$cache/bin/xenstore-exists" / 2>/dev/null; then
			echo "$prog: xenstored pid $pid ready in $((($(date +%s%N) - t0) / 1000000)) ms" >&2
			echo "XENSTORED_PATH=$dir/run/socket"
			return 0
		fi
		# (until the exec, $pid is still a bash: only "running" here)
		if ! running "$pid"; then
			echo "$prog: xenstored exited at start; its log:" >&2
			cat "$dir/run/xenstored.log" >&2
			rm -f "$dir/run/xenstored.pid"
			exit 1
		fi
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$dir/run/xenstored.pid"
	echo "$prog: xenstored did not answer on $dir/run/socket within ${START_TIMEOUT} s; its log:" >&2
	cat "$dir/run/xenstored.log" >&2
	exit 1
}

cmd_stop() { # DIR SIGNAL
	local dir=$1 sig=$2 pid
	[ -d "$dir" ] || return 0
	dir=$(cd "$dir" && pwd)
	if pid=$(live_pid "$dir"); then
		kill "-$sig" "$pid" 2>/dev/null || true
		if [ "$sig" = TERM ] && ! wait_gone "$pid" "$STOP_TIMEOUT"; then
			echo "$prog: xenstored $pid ignored SIGTERM for ${STOP_TIMEOUT} s, sending SIGKILL" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
		wait_gone "$pid" 5 || die "xenstored $pid does not die"
	fi
	# the socket file stays in both cases: xenstored does not remove it
	# even on SIGTERM, so a client sees ECONNREFUSED, as after a crash
	rm -f "$dir/run/xenstored.pid"
}

cmd_live_update() { # DIR
	local dir=$1 cache lib pid args
	dir=$(cd "$dir" && pwd)
	pid=$(live_pid "$dir") || die "no xenstored running in $dir"
	cache=$(cache_dir)
	lib=$(lib_dir "$cache")
	# -c: the new binary's options (the daemon splits them at blanks, so a
	# DIR with blanks is not supported here); it adds -U itself.  The
	# environment, LD_PRELOAD included, survives the exec.
	args=$(paste -sd' ' "$dir/run/xenstored.args")
	LD_LIBRARY_PATH="$lib" XENSTORED_PATH="$dir/run/socket" \
		"$cache/bin/xenstore-control" live-update -c "$args" "$cache/root/$XENSTORED_REL" >&2
	alive "$pid" || die "xenstored $pid is gone after live-update; its log:$(echo; cat "$dir/run/xenstored.log")"
}

cmd_env() {
	local cache lib
	cache=$(cache_dir "${1:-}")
	(cmd_fetch "$cache") || exit $?
	lib=$(lib_dir "$cache")
	printf 'export LD_LIBRARY_PATH=%q\n' "$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	printf 'export PATH=%q\n' "$cache/bin:$PATH"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
fetch) [ $# -le 1 ] || usage; cmd_fetch "${1:-}" ;;
start) cmd_start "$@" ;;
stop) [ $# = 1 ] || usage; cmd_stop "$1" TERM ;;
kill) [ $# = 1 ] || usage; cmd_stop "$1" KILL ;;
live-update) [ $# = 1 ] || usage; cmd_live_update "$1" ;;
env) [ $# -le 1 ] || usage; cmd_env "${1:-}" ;;
*) usage ;;
esac
