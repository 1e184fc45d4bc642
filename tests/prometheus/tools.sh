#!/bin/bash
# tools.sh: Debian 12's real Prometheus programs for the tests, unpacked from
# the archive (apt-get download + dpkg-deb -x), never installed: an apt
# install of prometheus or prometheus-node-exporter starts them on every
# interface from their postinst, and a test must only ever bind 127.0.0.1.
#
#   tools.sh fetch [CACHE]   download + unpack into CACHE/root (idempotent);
#                            exit 77 when that is impossible
#   tools.sh env [CACHE]     fetch, then print PROMTOOL=, NODE_EXPORTER= and
#                            PROMETHEUS= lines (absolute paths) for eval
#
# CACHE defaults to $XP_PROM_CACHE, else /var/tmp/xp-promtools.  Versions:
# prometheus 2.42.0 (with promtool), prometheus-node-exporter 1.5.0 (bookworm).
set -euo pipefail
prog=tools.sh
PKGS=(prometheus prometheus-node-exporter)

die() { echo "$prog: $*" >&2; exit 1; }
skip() { echo "$prog: $*" >&2; exit 77; }

cache_dir() {
	local c=${1:-${XP_PROM_CACHE:-/var/tmp/xp-promtools}}
	mkdir -p "$c" && (cd "$c" && pwd)
}
stamp_text() { echo "packages: ${PKGS[*]}"; }
fetched() {
	[ -x "$1/root/usr/bin/promtool" ] && [ -x "$1/root/usr/bin/prometheus" ] &&
		[ -x "$1/root/usr/bin/prometheus-node-exporter" ] && [ -f "$1/stamp" ] &&
		[ "$(head -n 1 "$1/stamp")" = "$(stamp_text)" ]
}

cmd_fetch() {
	local cache tmp deb t0=$SECONDS
	cache=$(cache_dir "${1:-}")
	fetched "$cache" && return 0
	command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
		skip "cannot fetch the Prometheus programs: apt-get/dpkg-deb not available (not a Debian system)"
	# make -j check: one test fetches, the others wait for it
	if command -v flock >/dev/null; then
		exec 9>"$cache/.lock"
		flock 9
		fetched "$cache" && { exec 9>&-; return 0; }
	fi
	echo "$prog: fetching ${PKGS[*]} into $cache" >&2
	tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
	if ! (cd "$tmp" && apt-get download -q -o Acquire::Retries=0 \
		-o Acquire::http::Timeout=20 -o Acquire::https::Timeout=20 \
		"${PKGS[@]}") >"$tmp/apt.log" 2>&1; then
		local why
		why=$(grep -m 1 '^E:' "$tmp/apt.log" || tail -n 1 "$tmp/apt.log")
		rm -rf "$tmp"
		skip "cannot download ${PKGS[*]} (no network, or apt lists not updated?): ${why:-apt-get download failed}"
	fi
	mkdir "$tmp/root"
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$tmp/root" || { rm -rf "$tmp"; die "dpkg-deb -x $deb failed"; }
	done
	{
		stamp_text
		for deb in "$tmp"/*.deb; do echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)"; done
	} >"$tmp/stamp"
	# only the three programs are kept (the web assets, man pages and
	# examples are not needed: the tests use the HTTP API)
	mkdir -p "$tmp/keep/usr/bin"
	mv "$tmp/root/usr/bin/promtool" "$tmp/root/usr/bin/prometheus" \
		"$tmp/root/usr/bin/prometheus-node-exporter" "$tmp/keep/usr/bin/"
	rm -rf "${cache:?}/root" "${cache:?}/stamp"
	mv "$tmp/keep" "$cache/root"
	mv "$tmp/stamp" "$cache/stamp"
	rm -rf "$tmp"
	exec 9>&-
	fetched "$cache" || die "the packages did not hold promtool, prometheus and prometheus-node-exporter"
	echo "$prog: fetched in $((SECONDS - t0)) s" >&2
}

cmd_env() {
	local cache
	cmd_fetch "${1:-}"
	cache=$(cache_dir "${1:-}")
	echo "PROMTOOL=$cache/root/usr/bin/promtool"
	echo "NODE_EXPORTER=$cache/root/usr/bin/prometheus-node-exporter"
	echo "PROMETHEUS=$cache/root/usr/bin/prometheus"
}

case ${1:-} in
fetch) shift; cmd_fetch "$@" ;;
env) shift; cmd_env "$@" ;;
*) sed -n '7,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
esac
