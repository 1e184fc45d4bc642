#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/query-prometheus.sh [DOMAINS] [RUNS]: what `xenprobe query
# --prometheus` costs on a large dom0, against the real C xenstored
# (tests/xenstored/xsd.sh, no hypervisor) holding DOMAINS (default 1000)
# synthetic domains as libxl lays them out, each with a schema-1
# data/xenprobe (bench/xs-domains.sh; written through bench/xs-fill.c).
# Measured in the same run, RUNS (default 10) timed runs each, round-robin:
#
#   xenprobe query --prometheus          the metrics, on standard output
#   xenprobe query --prometheus --output FILE   the same, replacing a file
#   xenprobe query --all --json
#   xenprobe query --all                 the table
#   xenstore-ls -f /local/domain         what an admin would otherwise run:
#                                        the same tree, every node
#
# Prints per command the median and minimum wall time, the output's bytes
# and lines, then each as a ratio to xenstore-ls; for the metrics the
# series (sample lines) per domain and the xenstore requests per run.  A
# benchmark, not a test: no figure is asserted; exit 1 only when a command
# fails or its output is wrong (not every domain read ok).
#
#   XENPROBE=./xenprobe bench/query-prometheus.sh 1000 10
set -u
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
XENPROBE=${XENPROBE:-$top/xenprobe}
XENPROBE=$(cd "$(dirname "$XENPROBE")" && pwd)/$(basename "$XENPROBE")
N=${1:-1000}
RUNS=${2:-10}
xsd=$top/tests/xenstored/xsd.sh
[ -x "$XENPROBE" ] || { echo "query-prometheus: no xenprobe at $XENPROBE (build it, or set XENPROBE)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/xp-bench-prom.XXXXXX")
cleanup() {
	bash "$xsd" stop "$work/xsd" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
# bench/xs-domains.sh: the real xenstored, trace off, N domains (through
# bench/xs-fill.c when it builds)
. "$here/xs-domains.sh"
xs_bench_start query-prometheus "$xsd" "$N" "$work" || exit $?

# ---- the commands, and a check of each output ----------------------------
names=(prometheus prometheus-file json table xenstore-ls)
cmd() { # NAME: run it, output on stdout
	case $1 in
	prometheus) "$XENPROBE" query --prometheus ;;
	prometheus-file) "$XENPROBE" query --prometheus --output "$work/out.prom" && cat "$work/out.prom" ;;
	json) "$XENPROBE" query --all --json ;;
	table) "$XENPROBE" query --all ;;
	xenstore-ls) xenstore-ls -f /local/domain ;;
	esac
}
for c in "${names[@]}"; do
	cmd "$c" >"$work/$c.out" 2>"$work/$c.err" || { echo "query-prometheus: $c failed: $(tail -n 1 "$work/$c.err")" >&2; exit 1; }
done
# what the metrics must hold, from how the domains were written: N guests
# with verdict pvhvm, dom0 (nothing published) status none
P=$work/prometheus.out
ok=$(grep -c '^xenprobe_domain_info{.*status="ok"' "$P")
pvhvm=$(grep -c '^xenprobe_guest_info{.*verdict="pvhvm"' "$P")
none=$(grep -c '^xenprobe_domain_info{domid="0",.*status="none"' "$P")
if [ "$ok" != "$N" ] || [ "$pvhvm" != "$N" ] || [ "$none" != 1 ]; then
	echo "query-prometheus: the metrics are wrong: $ok domains ok, $pvhvm with verdict pvhvm (expected $N each), dom0 status none: $none" >&2
	exit 1
fi
samples=$(grep -vc '^#' "$P")
families=$(grep -c '^# TYPE ' "$P")
if [ -n "${PROMTOOL:-}" ]; then
	"$PROMTOOL" check metrics <"$P" >"$work/lint" 2>&1 && [ ! -s "$work/lint" ] && lint="silent" ||
		lint="complained: $(head -n 3 "$work/lint" | tr '\n' ' ')"
	echo "promtool check metrics: $lint"
fi

# ---- xenstore requests per run (xenstored's trace, IN lines) -------------
trace=$work/xsd/run/trace.log
if xenstore-control log on >/dev/null && [ -f "$trace" ]; then
	for c in prometheus json xenstore-ls; do
		b=$(grep -c '^IN ' "$trace")
		cmd "$c" >/dev/null 2>&1
		echo "$c $(($(grep -c '^IN ' "$trace") - b))"
	done >"$work/requests"
	xenstore-control log off >/dev/null
fi

# ---- time: round-robin, so that noise lands on every command alike -------
for c in "${names[@]}"; do cmd "$c" >/dev/null 2>&1; done # warm-up
for ((i = 0; i < RUNS; i++)); do
	for ((j = 0; j < ${#names[@]}; j++)); do
		c=${names[$(((i + j) % ${#names[@]}))]}
		t=$(date +%s%N)
		cmd "$c" >/dev/null 2>&1
		echo "$c $((($(date +%s%N) - t) / 1000))" >>"$work/times"
	done
done
stat() { # NAME: "median min" in ms
	awk -v c="$1" '$1 == c { print $2 }' "$work/times" | sort -n |
		awk '{ v[NR] = $1 } END { printf "%.1f %.1f\n", v[int((NR + 1) / 2)] / 1000, v[1] / 1000 }'
}
read -r l_med _ < <(stat xenstore-ls)
l_bytes=$(wc -c <"$work/xenstore-ls.out")
echo
printf '%-34s %9s %9s %10s %8s %8s %8s\n' "command ($N domains + dom0, $RUNS runs)" "median ms" "min ms" bytes lines "time/ls" "bytes/ls"
for c in "${names[@]}"; do
	read -r med min < <(stat "$c")
	case $c in
	prometheus) label="xenprobe query --prometheus" ;;
	prometheus-file) label="  ... --output FILE (+ cat)" ;;
	json) label="xenprobe query --all --json" ;;
	table) label="xenprobe query --all (table)" ;;
	xenstore-ls) label="xenstore-ls -f /local/domain" ;;
	esac
	b=$(wc -c <"$work/$c.out") l=$(wc -l <"$work/$c.out")
	awk -v lab="$label" -v m="$med" -v n="$min" -v b="$b" -v l="$l" -v lm="$l_med" -v lb="$l_bytes" \
		'BEGIN { printf "%-34s %9.1f %9.1f %10d %8d %8.2f %8.3f\n", lab, m, n, b, l, m / lm, b / lb }'
done
echo
awk -v s="$samples" -v f="$families" -v n="$N" -v b="$(wc -c <"$P")" 'BEGIN {
	printf "metrics: %d samples in %d families: %.1f series per domain (%d domains + dom0), %.0f bytes per domain\n",
		s, f, s / (n + 1), n, b / (n + 1) }'
if [ -f "$work/requests" ]; then
	while read -r c r; do
		printf 'xenstore requests per run: %-12s %7d (%.1f per domain)\n' "$c" "$r" "$(awk -v r="$r" -v n="$N" 'BEGIN { print r / (n + 1) }')"
	done <"$work/requests"
fi
