#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The XAPI services mirror (--xapi-services) against Debian's real C
# xenstored (tests/xenstored/xsd.sh).  xapi >= 25.15.0 reads
# data/service/<name>/<key> one level deep (xenopsd's ls_lR of
# "data/service" at depth 1, xapi_guest_agent.ml get_guest_services) into
# VM_guest_metrics.services as "<name>/<key>".  The expected layout and
# words are written here by hand from xenprobe-xenstore(7) and the fixture
# root's expected.json; "same transaction", "nothing written" and "only
# data/service/xenprobe removed" are read from xenstored's own -T trace of
# every request, and node counts from xenstored's own accounting
# (xenstore-control quota N).
#
# Automake test: 0 pass, 1 fail, 77 skip (no xenstored can be fetched).
set -u
XENPROBE=${XENPROBE:-./xenprobe}
XENPROBE=$(cd "$(dirname "$XENPROBE")" && pwd)/$(basename "$XENPROBE")
src=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
xsd=$src/tests/xenstored/xsd.sh
roots=$src/tests/roots

command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/xp-xapi.XXXXXX")
pids=()
cleanup() {
        for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
        bash "$xsd" stop "$work/xsd" >/dev/null 2>&1
        rm -rf "$work"
}
trap cleanup EXIT

. "$src/tests/xenstored/start-or-skip.sh"
xsd_start_or_skip "$xsd" "$work/xsd"
trace=$work/xsd/run/trace.log

passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); [ -n "${2:-}" ] && [ -f "$2" ] && head -n 15 "$2"; }
judge() { # NAME COMMAND...
        local name=$1
        shift
        if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name" "${LOG:-}"; fi
}
same_file() { # NAME GOT WANT
        if cmp -s "$2" "$3"; then pass "$1"; else fail "$1"; diff "$3" "$2" | head -20; fi
}

bash "$src/tests/mkroot.sh" "$roots/xen417-domU-pvhvm-debian12" "$work/pvhvm" >/dev/null
bash "$src/tests/mkroot.sh" "$roots/xen417-domU-pv-debian12" "$work/pv" >/dev/null
expected() { jq -r "$2" "$roots/$1/expected.json"; }
publish() { # ROOT DOMID [OPTIONS...]
        local root=$1 dom=$2
        shift 2
        "$XENPROBE" --root "$root" publish --no-boot --domid "$dom" "$@"
}
# a guest's home as xenstored has it for a real domU: data/ owned by the
# domain, so its nodes count against the domain's quota
home() { xenstore-write "/local/domain/$1/data" "" && xenstore-chmod "/local/domain/$1/data" "n$1"; }
mark() { wc -l <"$trace"; }
# xenstored's trace lines from line $1 on, up to line $2 (default: the end);
# a request is "IN CONN DATE TIME TYPE (PAYLOAD)"
since() { tail -n +"$(($1 + 1))" "$trace" | head -n "$((${2:-999999999} - $1))"; }
# the requests (IN) below data/service between lines $1 and $2: "TYPE PATH"
service_requests() {
        since "$1" "$2" | awk '$1 == "IN" { p = $0; sub(/^[^(]*\(/, "", p); sub(/[ )].*/, "", p);
                                             if (p ~ /\/data\/service(\/|$)/) print $5, p }'
}
# the XAPI view: what xenopsd lists (data/service, one level of services,
# their keys) and xapi maps to "<service>/<key>=<value>", sorted; a node
# deeper than that is printed as "TOO-DEEP path" (xapi would not see it)
xapi_services() {
        local h=/local/domain/$1/data/service s k kid
        for s in $(xenstore-list "$h" 2>/dev/null); do
                for k in $(xenstore-list "$h/$s"); do
                        echo "$s/$k=$(xenstore-read "$h/$s/$k")"
                        for kid in $(xenstore-list "$h/$s/$k"); do echo "TOO-DEEP $h/$s/$k/$kid"; done
                done
        done | LC_ALL=C sort
}
nodes_of() { xenstore-control quota "$1" | awk '$1 == "nodes" { print $3 }'; }

MODE=$(expected xen417-domU-pvhvm-debian12 .xen.mode)
VERDICT=$(expected xen417-domU-pvhvm-debian12 .verdict)

# --- off: nothing below data/service -----------------------------------------
home 5
home 6
xenstore-write /local/domain/5/data/service/pvs/version 1.2
xenstore-ls -f /local/domain/5/data/service >"$work/svc5.before"
m=$(mark)
publish "$work/pvhvm" 5 >/dev/null 2>&1
judge "off: publish exit 0" test $? = 0
publish "$work/pvhvm" 6 >/dev/null 2>&1
service_requests "$m" "$(mark)" >"$work/off.req"
judge "off: no data/service for a guest that had none" bash -c "! xenstore-exists /local/domain/6/data/service"
xenstore-ls -f /local/domain/5/data/service >"$work/svc5.after"
same_file "off: another service's keys unchanged" "$work/svc5.after" "$work/svc5.before"
printf 'READ /local/domain/5/data/service/xenprobe\nREAD /local/domain/6/data/service/xenprobe\n' >"$work/off.want"
same_file "off: xenstored saw one READ of data/service/xenprobe per publish, no other request below data/service" \
        "$work/off.req" "$work/off.want"
plain5=$(nodes_of 5) plain6=$(nodes_of 6)

# --- on: the layout ---------------------------------------------------------------
m=$(mark)
publish "$work/pvhvm" 5 --xapi-services >/dev/null 2>"$work/on.err"
judge "on: publish exit 0" test $? = 0
judge "on: says it mirrored" grep -q "mirrored for XAPI into /local/domain/5/data/service/xenprobe" "$work/on.err"
publish "$work/pvhvm" 6 --xapi-services >/dev/null 2>&1
# by hand: the words of xenprobe-xenstore(7) for this capture: a PVHVM
# domU whose disk is on xen-blkfront (tree/sys/bus/xen/devices/vbd-*),
# boot readiness left out (--no-boot: not-checked), generation 1 (the
# content did not change since the first publish)
cat >"$work/layout.want" <<EOF
/local/domain/6/data/service = ""
/local/domain/6/data/service/xenprobe = ""
/local/domain/6/data/service/xenprobe/mode = "$MODE"
/local/domain/6/data/service/xenprobe/verdict = "$VERDICT"
/local/domain/6/data/service/xenprobe/boot-summary = "not-checked"
/local/domain/6/data/service/xenprobe/pv-block = "in-use"
/local/domain/6/data/service/xenprobe/generation = "1"
EOF
{ echo '/local/domain/6/data/service = ""'; xenstore-ls -f /local/domain/6/data/service; } >"$work/layout.got"
same_file "on: data/service/xenprobe holds exactly the five keys and words" "$work/layout.got" "$work/layout.want"
judge "on: generation as data/xenprobe's" key_is /local/domain/6/data/xenprobe/generation 1
cat >"$work/xapi.want" <<EOF
pvs/version=1.2
xenprobe/boot-summary=not-checked
xenprobe/generation=1
xenprobe/mode=$MODE
xenprobe/pv-block=in-use
xenprobe/verdict=$VERDICT
EOF
xapi_services 5 >"$work/xapi.got"
same_file "on: what xapi would map (xenopsd's depth-1 listing): xenprobe/<key> next to the other service" \
        "$work/xapi.got" "$work/xapi.want"
# xenstore-ls at depth 1 below data/service: services at indent 0, their
# keys at indent 1, nothing deeper
xenstore-ls /local/domain/5/data/service | awk '/^  / { bad = 1 } END { exit bad }'
judge "on: xenstore-ls data/service shows two levels only (service, key)" test $? = 0
# xenstored's accounting of the domain's nodes: 5 keys + data/service/xenprobe
# (+ data/service itself for domain 6, which had none)
judge "on: xenstored counts 6 more nodes for domain 5 ($plain5 -> $(nodes_of 5))" test "$(nodes_of 5)" = $((plain5 + 6))
judge "on: xenstored counts 7 more nodes for domain 6 ($plain6 -> $(nodes_of 6))" test "$(nodes_of 6)" = $((plain6 + 7))
judge "on: the whole publish stays far below the 1000-node quota ($(nodes_of 6) nodes)" test "$(nodes_of 6)" -le 40

# --- same transaction -------------------------------------------------------------
# new content (pv, then pvhvm again ...): both generations move in one
# transaction.  From xenstored's trace: every request below data/service
# is inside a transaction of its connection, and a transaction that writes
# data/xenprobe/generation writes data/service/xenprobe/generation with the
# same value
home 7
m=$(mark)
for i in 1 2 3; do
        publish "$work/pv" 7 --xapi-services >/dev/null 2>&1
        publish "$work/pvhvm" 7 --xapi-services >/dev/null 2>&1
done
since "$m" "$(mark)" | awk '
        $1 != "IN" { next }
        { c = $2; p = $0; sub(/^[^(]*\(/, "", p); v = p; sub(/[ )].*/, "", p); sub(/^[^ ]* /, "", v); sub(/ *\)$/, "", v) }
        $5 == "TRANSACTION_START" { tx[c] = 1; bg[c] = ""; mg[c] = ""; next }
        $5 == "TRANSACTION_END" {
                if (bg[c] != "") { n++; if (bg[c] != mg[c]) { print "MISMATCH generation " bg[c] " vs mirror " mg[c]; bad++ } }
                tx[c] = 0; next }
        p ~ /\/data\/service\// && !tx[c] { print "OUTSIDE " $5 " " p; bad++ }
        $5 == "WRITE" && p ~ /\/data\/xenprobe\/generation$/ { bg[c] = v }
        $5 == "WRITE" && p ~ /\/data\/service\/xenprobe\/generation$/ { mg[c] = v }
        END { print n " transactions"; exit bad > 0 || n < 6 }' >"$work/tx.out"
rc=$?
if [ $rc = 0 ]; then
        pass "same transaction: xenstored's trace: $(tail -n 1 "$work/tx.out") with a new generation, each writing the mirror's"
else
        fail "same transaction: xenstored's trace" "$work/tx.out"
fi
judge "same transaction: 6 publishes, generation 6 in both (1 on the empty subtree, +1 per change)" \
        bash -c "[ \"\$(xenstore-read /local/domain/7/data/xenprobe/generation /local/domain/7/data/service/xenprobe/generation | paste -sd' ')\" = '6 6' ]"
# and as a reader sees it: both generations read in one transaction
# (xenstore-read of two paths), while a publisher flips the content
(
        for i in $(seq 4); do
                publish "$work/pv" 7 --xapi-services >/dev/null 2>&1
                publish "$work/pvhvm" 7 --xapi-services >/dev/null 2>&1
        done
) &
wp=$!
pids+=("$wp")
: >"$work/pairs"
while kill -0 "$wp" 2>/dev/null; do
        xenstore-read /local/domain/7/data/xenprobe/generation /local/domain/7/data/service/xenprobe/generation |
                paste -sd' ' >>"$work/pairs"
done
wait "$wp"
seen=$(sort -u "$work/pairs" | wc -l)
odd=$(awk '$1 != $2' "$work/pairs" | wc -l)
judge "same transaction: a reader's $(wc -l <"$work/pairs") transactional reads over $seen generations: none differ ($odd)" \
        test "$odd" = 0 -a "$seen" -ge 2

# --- on -> off: only data/service/xenprobe goes ------------------------------------
m=$(mark)
publish "$work/pvhvm" 5 >/dev/null 2>"$work/off2.err"
rc=$? m2=$(mark)
judge "on -> off: exit 0" test $rc = 0
judge "on -> off: says it removed the mirror" grep -q "removed /local/domain/5/data/service/xenprobe" "$work/off2.err"
judge "on -> off: data/service/xenprobe gone" bash -c "! xenstore-exists /local/domain/5/data/service/xenprobe"
xenstore-ls -f /local/domain/5/data/service >"$work/svc5.off"
same_file "on -> off: the other service's keys stay" "$work/svc5.off" "$work/svc5.before"
service_requests "$m" "$m2" | grep -v '^READ ' >"$work/off2.req"
echo "RM /local/domain/5/data/service/xenprobe" >"$work/off2.want"
same_file "on -> off: xenstored saw one RM below data/service, of data/service/xenprobe" "$work/off2.req" "$work/off2.want"
judge "on -> off: data/xenprobe untouched (generation 1)" key_is /local/domain/5/data/xenprobe/generation 1
judge "on -> off: xenstored's node count back to the plain publish's ($(nodes_of 5))" test "$(nodes_of 5)" = "$plain5"

# --- the daemon ---------------------------------------------------------------------
home 8
LOG=$work/daemon.log
"$XENPROBE" --root "$work/pvhvm" daemon --no-boot --domid 8 --xapi-services >"$LOG" 2>&1 &
dpid=$!
pids+=("$dpid")
M=/local/domain/8/data/service/xenprobe
judge "daemon --xapi-services: mirrors at start" wait_for 20 key_is $M/generation 1
judge "daemon: mode in the mirror" key_is $M/mode "$MODE"
xenstore-write $M/mode hvm
judge "daemon: a mirror key rewritten by someone else is restored" wait_for 10 key_is $M/mode "$MODE"
xenstore-rm $M
judge "daemon: the mirror deleted -> written again" wait_for 10 key_is $M/verdict "$VERDICT"
xenstore-write $M/planted x
judge "daemon: a planted mirror entry is removed" wait_for 10 bash -c "! xenstore-exists $M/planted"
xenstore-write /local/domain/8/data/xenprobe/request x-1
judge "daemon: a refresh is served" wait_for 10 key_is /local/domain/8/data/xenprobe/served x-1
judge "daemon: ... the mirror's generation is still data/xenprobe's" \
        bash -c "[ \"\$(xenstore-read $M/generation)\" = \"\$(xenstore-read /local/domain/8/data/xenprobe/generation)\" ]"
kill -TERM "$dpid"
wait "$dpid"
judge "daemon: SIGTERM -> exit 0" test $? = 0
judge "daemon: the mirror stays after exit, as data/xenprobe does" key_is $M/mode "$MODE"
m=$(mark)
"$XENPROBE" --root "$work/pvhvm" daemon --no-boot --domid 8 >"$work/daemon2.log" 2>&1 &
dpid=$!
pids+=("$dpid")
wait_for 20 grep -q "removed $M" "$work/daemon2.log"
m2=$(mark)
judge "daemon without the option: removes the mirror of the earlier run" bash -c "! xenstore-exists $M"
kill -TERM "$dpid"
wait "$dpid"
service_requests "$m" "$m2" | grep -v '^READ ' >"$work/d2.req"
echo "RM $M" >"$work/d2.want"
same_file "daemon without the option: its one request below data/service but reads is RM of data/service/xenprobe (no watch)" \
        "$work/d2.req" "$work/d2.want"

echo "$passed passed, $failed failed"
[ $failed = 0 ]
