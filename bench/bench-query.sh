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
# Populating 1000 domains (77,000 nodes) takes about 1.5 min on a 2-core VM:
# this xenstored answers a request in ~0.2 ms there, and a write costs ~1 ms.
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

out=$(bash "$xsd" start "$work/xsd" 2>"$work/xsd.err")
rc=$?
if [ $rc != 0 ]; then
        echo "bench-query: no xenstored (xsd.sh start exit $rc): $(tail -n 1 "$work/xsd.err")" >&2
        exit "$rc"
fi
export "${out?}" # XENSTORED_PATH=...
eval "$(bash "$xsd" env)"
# xsd.sh starts xenstored with -T (a trace line per request, the DIRECTORY
# replies written one byte per write()): that costs more than the requests
# themselves, and no production xenstored runs with it.  Off, until the
# sanity check below counts requests.
xenstore-control log off >/dev/null || echo "bench-query: xenstore-control log off failed: timings include the trace" >&2

# ---- populate ------------------------------------------------------------
# one xenstore-write (one transaction) per 25 domains
dom_args() { # DOMID: the key/value pairs of one domain
        local d=$1 h=/local/domain/$1 u b
        u=$(printf '%08x-b8a8-4297-bf10-%012x' "$d" "$d")
        b=$h/data/xenprobe
        printf '%s\n' \
                "$h/name" "guest-$d" "$h/domid" "$d" "$h/vm" "/vm/$u" \
                "$h/cpu/0/availability" online "$h/memory/static-max" 1048576 "$h/memory/target" 1048576 \
                "$h/memory/videoram" 0 "$h/store/port" 1 "$h/store/ring-ref" 740353 \
                "$h/console/backend" "/local/domain/0/backend/console/$d/0" "$h/console/backend-id" 0 \
                "$h/console/limit" 1048576 "$h/console/output" pty "$h/console/port" 2 \
                "$h/console/ring-ref" 740354 "$h/console/tty" /dev/pts/0 "$h/console/type" xenconsoled \
                "$h/control/feature-poweroff" 1 "$h/control/feature-reboot" 1 "$h/control/feature-suspend" 1 \
                "$h/control/shutdown" "" "$h/control/sysrq" "" \
                "$h/control/platform-feature-multiprocessor-suspend" 1 \
                "$h/control/platform-feature-xs_reset_watches" 1 \
                "$h/device/vbd/51712/backend" "/local/domain/0/backend/vbd/$d/51712" \
                "$h/device/vbd/51712/backend-id" 0 "$h/device/vbd/51712/device-type" disk \
                "$h/device/vbd/51712/event-channel" 8 "$h/device/vbd/51712/protocol" x86_64-abi \
                "$h/device/vbd/51712/ring-ref" 8 "$h/device/vbd/51712/state" 4 \
                "$h/device/vbd/51712/virtual-device" 51712 \
                "$h/device/vif/0/backend" "/local/domain/0/backend/vif/$d/0" "$h/device/vif/0/backend-id" 0 \
                "$h/device/vif/0/handle" 0 "$h/device/vif/0/mac" "00:16:3e:00:00:01" "$h/device/vif/0/state" 4 \
                "$h/device/vif/0/tx-ring-ref" 9 "$h/device/vif/0/rx-ring-ref" 10 \
                "$h/device/vif/0/event-channel" 9 \
                "/vm/$u/uuid" "$u" "/vm/$u/name" "guest-$d" "/vm/$u/start_time" 1795423036.26 \
                "/vm/$u/image/ostype" linux \
                "$b/schema" 1 "$b/generation" 3 "$b/agent-version" 0.4.0 "$b/verdict" pvhvm "$b/mode" pvhvm \
                "$b/role" domU "$b/confidence" high "$b/kernel" 6.1.0-13-amd64 "$b/xen-version" 4.17.5 \
                "$b/os/id" debian "$b/os/version-id" 12 "$b/os/pretty-name" "Debian GNU/Linux 12 (bookworm)" \
                "$b/pv/block" in-use "$b/pv/net" in-use "$b/root-disk" xen-pv "$b/root-device" xvda1 \
                "$b/boot/summary" ok "$b/boot/kernels" "6.1.0-13-amd64:ok 6.1.0-12-amd64:ok" \
                "$b/warnings" 0 "$b/served" q1-1
}
t0=$(date +%s%N)
xenstore-write /local/domain/0/name Domain-0 /local/domain/0/domid 0 || exit 1
for ((s = 1; s <= N; s += 25)); do
        args=()
        for ((d = s; d < s + 25 && d <= N; d++)); do
                mapfile -t -O "${#args[@]}" args < <(dom_args "$d")
        done
        xenstore-write "${args[@]}" || { echo "bench-query: populating failed" >&2; exit 1; }
done
nodes=$(xenstore-ls -f /local/domain | wc -l)
echo "populated $N domains + dom0 ($nodes nodes under /local/domain) in $((($(date +%s%N) - t0) / 1000000)) ms"

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
