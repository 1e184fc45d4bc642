#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench-daemon.sh: the daemon and `publish` against Debian's real C
# xenstored (tests/xenstored/xsd.sh, socket only), on a fixture root:
#   - RSS after start and after N refresh requests (each one a full probe
#     and a publish transaction), and whether it grows
#   - idle wake-ups: voluntary context switches over IDLE seconds
#   - latency from a request-key write to "served" being visible (a
#     xenstore watch in the measuring client, no polling)
#   - one-shot `xenprobe publish` (content unchanged, and changed) against
#     what an admin script would do instead: one xenstore-write of the keys
#
# Env: XENPROBE (./xenprobe), EVENTS (1000), IDLE (60), RUNS (20).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
XENPROBE=$(realpath "${XENPROBE:-./xenprobe}")
EVENTS=${EVENTS:-1000} IDLE=${IDLE:-60} RUNS=${RUNS:-20}
work=$(mktemp -d "${TMPDIR:-/tmp}/xp-bench-daemon.XXXXXX")
dpid=
cleanup() {
        [ -n "$dpid" ] && kill -9 "$dpid" 2>/dev/null
        bash "$here/tests/xenstored/xsd.sh" stop "$work/xsd" >/dev/null 2>&1
        rm -rf "$work"
}
trap cleanup EXIT
out=$(bash "$here/tests/xenstored/xsd.sh" start "$work/xsd")
export "${out?}"
eval "$(bash "$here/tests/xenstored/xsd.sh" env)"
bash "$here/tests/mkroot.sh" "$here/tests/roots/xen417-domU-pvhvm-debian12" "$work/root" >/dev/null
D=/local/domain/6/data/xenprobe
ms() { echo "$(($(date +%s%N) / 1000000))"; }
field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

"$XENPROBE" --root "$work/root" daemon --domid 6 >"$work/daemon.log" 2>&1 &
dpid=$!
for _ in $(seq 100); do xenstore-read $D/generation >/dev/null 2>&1 && break; sleep 0.1; done
sleep 0.5
rss0=$(field "$dpid" VmRSS)
echo "daemon RSS after start:             ${rss0} kB"

# latency: a watch on served, started before the write
lat=()
for i in $(seq 10); do
        xenstore-watch -n 2 $D/served >/dev/null 2>&1 &
        w=$!
        sleep 0.2 # the watch registered (it fires once on registration)
        t0=$(date +%s%N)
        xenstore-write $D/request "lat-$i"
        wait $w
        lat+=($((($(date +%s%N) - t0) / 1000)))
done
sorted=$(printf '%s\n' "${lat[@]}" | sort -n)
echo "request -> served visible:          median $(echo "$sorted" | sed -n 5p) us, max $(echo "$sorted" | tail -n 1) us (10 runs, goal < 100 ms)"

t0=$(ms)
for i in $(seq "$EVENTS"); do xenstore-write $D/request "ev-$i"; done
for _ in $(seq 600); do [ "$(xenstore-read $D/served 2>/dev/null)" = "ev-$EVENTS" ] && break; sleep 0.1; done
t1=$(ms)
rss1=$(field "$dpid" VmRSS)
echo "after $EVENTS refresh requests:      RSS ${rss1} kB (growth $((rss1 - rss0)) kB), $((t1 - t0)) ms in all"
# more requests: growth must stop, not continue
for i in $(seq "$EVENTS"); do xenstore-write $D/request "ev2-$i"; done
for _ in $(seq 600); do [ "$(xenstore-read $D/served 2>/dev/null)" = "ev2-$EVENTS" ] && break; sleep 0.1; done
rss2=$(field "$dpid" VmRSS)
echo "after $((2 * EVENTS)) refresh requests:      RSS ${rss2} kB (growth over the second $EVENTS: $((rss2 - rss1)) kB)"

c0=$(field "$dpid" voluntary_ctxt_switches) n0=$(field "$dpid" nonvoluntary_ctxt_switches)
sleep "$IDLE"
c1=$(field "$dpid" voluntary_ctxt_switches) n1=$(field "$dpid" nonvoluntary_ctxt_switches)
echo "idle wake-ups over ${IDLE} s:            $((c1 - c0)) voluntary, $((n1 - n0)) involuntary context switches (goal 0)"
kill -TERM "$dpid"
wait "$dpid" || true
dpid=

# one-shot publish
"$XENPROBE" --root "$work/root" publish --domid 7 >/dev/null 2>&1
t0=$(date +%s%N)
for _ in $(seq "$RUNS"); do "$XENPROBE" --root "$work/root" publish --domid 7 >/dev/null 2>&1; done
pub=$((($(date +%s%N) - t0) / RUNS / 1000))
t0=$(date +%s%N)
for i in $(seq "$RUNS"); do
        xenstore-rm /local/domain/7/data/xenprobe/generation
        "$XENPROBE" --root "$work/root" publish --domid 7 >/dev/null 2>&1
done
pubc=$((($(date +%s%N) - t0) / RUNS / 1000))
# what a shell script would do: write the same keys with one xenstore-write
args=()
while IFS= read -r line; do
        k=${line%% = *} v=${line#* = \"}
        args+=("${k/\/local\/domain\/7/\/local\/domain\/8}" "${v%\"}")
done < <(xenstore-ls -f /local/domain/7/data/xenprobe | grep -v ' = ""$')
t0=$(date +%s%N)
for _ in $(seq "$RUNS"); do xenstore-write "${args[@]}"; done
xw=$((($(date +%s%N) - t0) / RUNS / 1000))
echo "xenprobe publish (probe + 1 tx):    ${pub} us unchanged, ${pubc} us with a write (mean of $RUNS)"
echo "xenstore-write of the same $((${#args[@]} / 2)) keys: ${xw} us (no probe, no transaction, no diff)"
echo "ratio publish/xenstore-write:       $(awk -v a="$pub" -v b="$xw" 'BEGIN { printf "%.1f", a / b }')x"
