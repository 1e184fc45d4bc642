#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/bench-query.sh [DOMAINS] [RUNS]: time `xenprobe query --all --json`
# against Debian's real C xenstored (tests/xenstored/xsd.sh, no hypervisor)
# holding DOMAINS (default 1000) synthetic domains laid out the way libxl
# writes them (name, domid, vm -> /vm/UUID, console/, control/, memory/,
# device/vbd and vif, store/), each with a schema-1 data/xenprobe subtree,
# and compare with what an admin would otherwise run:
# `xenstore-ls -f /local/domain`.  hyperfine when installed, else RUNS
# (default 10) timed runs of each, median and min.
#
#   XENPROBE=./xenprobe bench/bench-query.sh 1000 10
#
# Populating 1000 domains (77,000 nodes) takes 5-15 s on a 2-core VM through
# bench/xs-fill.c (one libxenstore connection, ~0.1 ms a write), about
# 1.5 min through xenstore-write when xs-fill.c cannot be built.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
XENPROBE=${XENPROBE:-$top/xenprobe}
XENPROBE=$(cd "$(dirname "$XENPROBE")" && pwd)/$(basename "$XENPROBE")
N=${1:-1000}
RUNS=${2:-10}
xsd=$top/tests/xenstored/xsd.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/xp-bench-query.XXXXXX")
cleanup() {
        bash "$xsd" stop "$work/xsd" >/dev/null 2>&1
        rm -rf "$work"
}
trap cleanup EXIT

# bench/xs-domains.sh: the real xenstored, trace off, N domains (through
# bench/xs-fill.c when it builds)
. "$here/xs-domains.sh"
xs_bench_start bench-query "$xsd" "$N" "$work" || exit $?

# ---- sanity --------------------------------------------------------------
"$XENPROBE" query --all --json >"$work/q.json" || { echo "bench-query: xenprobe query failed" >&2; exit 1; }
if command -v jq >/dev/null; then
        got=$(jq '[.domains[] | select(.status == "ok")] | length' "$work/q.json")
        [ "$got" = "$N" ] || { echo "bench-query: $got domains ok, expected $N" >&2; exit 1; }
fi
# requests per run, counted in xenstored's trace (IN lines)
trace=$work/xsd/run/trace.log
if xenstore-control log on >/dev/null && [ -f "$trace" ]; then
        before=$(grep -c '^IN ' "$trace")
        "$XENPROBE" query --all --json >/dev/null
        q_reqs=$(($(grep -c '^IN ' "$trace") - before))
        before=$(grep -c '^IN ' "$trace")
        xenstore-ls -f /local/domain >/dev/null
        l_reqs=$(($(grep -c '^IN ' "$trace") - before))
        xenstore-control log off >/dev/null
        echo "requests: xenprobe query --all --json $q_reqs ($((q_reqs / (N + 1))) per domain)," \
                "xenstore-ls -f /local/domain $l_reqs; JSON output $(wc -c <"$work/q.json") bytes"
fi

# ---- time ----------------------------------------------------------------
if command -v hyperfine >/dev/null; then
        hyperfine -N --warmup 1 --runs "$RUNS" \
                "$XENPROBE query --all --json" "xenstore-ls -f /local/domain"
        exit $?
fi
measure() { # RUNS COMMAND...: prints "median min" in ms
        local runs=$1 i t
        shift
        "$@" >/dev/null 2>&1 # warm-up
        for ((i = 0; i < runs; i++)); do
                t=$(date +%s%N)
                "$@" >/dev/null 2>&1
                echo $((($(date +%s%N) - t) / 1000))
        done | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f %.1f\n", v[int((NR + 1) / 2)] / 1000, v[1] / 1000 }'
}
read -r q_med q_min < <(measure "$RUNS" "$XENPROBE" query --all --json)
read -r l_med l_min < <(measure "$RUNS" xenstore-ls -f /local/domain)
echo "xenprobe query --all --json      ($N domains): median $q_med ms, min $q_min ms ($RUNS runs)"
echo "xenstore-ls -f /local/domain     ($N domains): median $l_med ms, min $l_min ms ($RUNS runs)"
awk -v q="$q_med" -v l="$l_med" 'BEGIN { printf "ratio xenstore-ls / xenprobe query: %.2f (median)\n", l / q }'
