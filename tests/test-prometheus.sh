#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The fleet path end to end, with the real programs: two "hosts" (two real
# C xenstored, tests/xenstored/xsd.sh), each with guests published the way
# schema 1 says (a ready PVHVM guest, a PV one, a hostile one, one with
# nothing published, one with a future schema, ...) -> `xenprobe query
# --prometheus --output` into each host's textfile directory -> Debian's
# promtool 2.42 lints the file -> one real node_exporter 1.5.0 per host
# (textfile collector only) scrapes it -> one real Prometheus 2.42 server
# scrapes both -> PromQL over its HTTP API gives the fleet counts by mode
# and the guests that are not ready to boot, on both hosts.  Also: the
# series of host A compared to a listing written by hand from what was
# published (never from xenprobe's output), --refresh's answered series,
# --watch's rewrites and heartbeat, the shipped alert rules
# (promtool check rules + promtool test rules).
# Servers bind 127.0.0.1 only, are started here and stopped by PID.
#
# Automake test: 0 pass, 1 fail, 77 skip (the programs cannot be fetched).
set -u
XENPROBE=${XENPROBE:-./xenprobe}
XENPROBE=$(cd "$(dirname "$XENPROBE")" && pwd)/$(basename "$XENPROBE")
src=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
xsd=$src/tests/xenstored/xsd.sh

for t in jq curl; do
        command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/xp-prom.XXXXXX")
pids=()
cleanup() {
        for p in "${pids[@]}"; do [ -n "$p" ] && stop_pid "$p"; done
        bash "$xsd" kill "$work/xsdA" >/dev/null 2>&1
        bash "$xsd" kill "$work/xsdB" >/dev/null 2>&1
        rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

. "$src/tests/prometheus/lib.sh"
prom_tools_or_skip "$src/tests/prometheus/tools.sh"
. "$src/tests/xenstored/start-or-skip.sh"
xsd_start_or_skip "$xsd" "$work/xsdA"
XA=$XENSTORED_PATH
out=$(bash "$xsd" start "$work/xsdB" 2>"$work/xsdB.err") || { echo "FAIL: the second xenstored did not start"; cat "$work/xsdB.err"; exit 1; }
XB=${out#XENSTORED_PATH=}

passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() {
        echo "FAIL $1"
        failed=$((failed + 1))
        [ -n "${2:-}" ] && [ -f "$2" ] && head -c 3000 "$2" | sed 's/^/    /'
        return 0
}
judge() { # NAME COMMAND...
        local name=$1
        shift
        if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name" "${LOG:-}"; fi
}
onA() { XENSTORED_PATH=$XA "$@"; }
# stop a tracked server or loop, and forget it (its pid may be reused)
untrack() {
        local i
        stop_pid "$1"
        for i in "${!pids[@]}"; do [ "${pids[$i]}" = "$1" ] && pids[$i]=; done
}
onB() { XENSTORED_PATH=$XB "$@"; }

# ---- the domains, the libxl way (as tests/test-query.sh lays them out) --------
mkdom() { # DOMID NAME UUID
        local h=/local/domain/$1
        xenstore-write "$h/name" "$2" "$h/domid" "$1" "$h/vm" "/vm/$3" "$h/data" "" \
                "/vm/$3/uuid" "$3" "/vm/$3/name" "$2"
}
publish() { # DOMID VERDICT/MODE CONFIDENCE PV-BLOCK PV-NET BOOT-SUMMARY BOOT-KERNELS WARNINGS
        local b=/local/domain/$1/data/xenprobe
        xenstore-write "$b/schema" 1 "$b/generation" 4 "$b/agent-version" 0.4.0 \
                "$b/verdict" "$2" "$b/mode" "$2" "$b/role" domU "$b/confidence" "$3" \
                "$b/kernel" 6.1.0-13-amd64 "$b/xen-version" 4.17.5 \
                "$b/os/id" debian "$b/os/version-id" 12 "$b/os/pretty-name" "Debian GNU/Linux 12 (bookworm)" \
                "$b/pv/block" "$4" "$b/pv/net" "$5" "$b/root-disk" xen-pv "$b/root-device" xvda1 \
                "$b/disks" "xvda:xen-pv" "$b/boot/summary" "$6" "$b/boot/kernels" "$7" \
                "$b/boot/problems" "" "$b/warnings" "$8" "$b/warning-text" ""
}
U5=25721a07-b8a8-4297-bf10-2f8ece53373c U7=7a000000-0000-4000-8000-000000000007
U8=8a000000-0000-4000-8000-000000000008 U6=6a000000-0000-4000-8000-000000000006
# host A
export XENSTORED_PATH=$XA
xenstore-write /local/domain/0/name Domain-0 /local/domain/0/domid 0 /local/domain/0/data ""
mkdom 5 web1 $U5
publish 5 pvhvm high in-use in-use missing "6.1.0-13-amd64:ok 6.1.0-12-amd64:missing" 2
mkdom 6 idle $U6 # nothing published
mkdom 8 pv8 $U8
publish 8 pv high in-use in-use ok "6.1.0-13-amd64:ok" 0
# hostile: a toolstack name with quote, backslash, newline, UTF-8, ESC; the
# guest's own values with label-breaking bytes (refused: invalid)
# (xenstore-write unescapes its arguments: "\\\\" reaches xenstored as one "\\")
mkdom 7 "$(printf 'a"b\\\\c\n\xc3\xa9\x1b[2J')" $U7
publish 7 pv medium in-use in-use ok "6.1.0-13-amd64:ok" 0
xenstore-write /local/domain/7/data/xenprobe/mode 'pv"} 1' /local/domain/7/data/xenprobe/pv/net 'in-use"' \
        /local/domain/7/data/xenprobe/agent-version 'x"\y' /local/domain/7/data/xenprobe/os/id "$(printf 'deb\nian')"
# host B
export XENSTORED_PATH=$XB
xenstore-write /local/domain/0/name Domain-0 /local/domain/0/domid 0 /local/domain/0/data ""
mkdom 3 db2 3a000000-0000-4000-8000-000000000003
publish 3 pvh high in-use in-use cannot-verify "6.1.0-13-amd64:cannot-verify" 1
mkdom 4 emu4 4a000000-0000-4000-8000-000000000004
publish 4 hvm high loaded missing ok "6.1.0-13-amd64:ok" 3
mkdom 9 future9 9a000000-0000-4000-8000-000000000009
xenstore-write /local/domain/9/data/xenprobe/schema 2 /local/domain/9/data/xenprobe/mode pvh
unset XENSTORED_PATH

mkdir -p "$work/textA" "$work/textB"
PA=$work/textA/xenprobe-domains.prom PB=$work/textB/xenprobe-domains.prom

# ---- host A's file: written atomically, mode 0644 -----------------------------------
umask 077 # the file's mode must not follow the writer's umask
onA "$XENPROBE" query --prometheus --output "$PA" >"$work/a.out" 2>"$work/a.err"
rc=$?
judge "query --prometheus --output: exit 0 (got $rc)" test $rc = 0
judge "--output: nothing on stdout" test ! -s "$work/a.out"
judge "--output: mode 0644 whatever the umask" test "$(stat -c %a "$PA")" = 644
judge "--output: no temporary file left beside it" test "$(ls -A "$work/textA")" = xenprobe-domains.prom
umask 022

# ---- host A's series, written by hand from what was published above -------------
# (the three query_* values vary: their lines are checked apart)
I5='domid="5",name="web1",uuid="'$U5'"'
I7='domid="7",name="a\"b\\c????[2J",uuid="'$U7'"'
I8='domid="8",name="pv8",uuid="'$U8'"'
cat >"$work/expected-A" <<EOF
# HELP xenprobe_query_timestamp_seconds When this file was written (Unix time)
# TYPE xenprobe_query_timestamp_seconds gauge
# HELP xenprobe_query_duration_seconds How long reading the domains took
# TYPE xenprobe_query_duration_seconds gauge
# HELP xenprobe_query_domains The domains read
# TYPE xenprobe_query_domains gauge
xenprobe_query_domains 5
# HELP xenprobe_domain_info A domain under /local/domain and how its published data/xenprobe read (status: ok, none, invalid, schema, truncated, unreadable)
# TYPE xenprobe_domain_info gauge
xenprobe_domain_info{domid="0",name="Domain-0",uuid="",status="none"} 1
xenprobe_domain_info{$I5,status="ok"} 1
xenprobe_domain_info{domid="6",name="idle",uuid="$U6",status="none"} 1
xenprobe_domain_info{$I7,status="invalid"} 1
xenprobe_domain_info{$I8,status="ok"} 1
# HELP xenprobe_guest_info What the guest's xenprobe found, as validated words (empty: absent or invalid)
# TYPE xenprobe_guest_info gauge
xenprobe_guest_info{$I5,verdict="pvhvm",mode="pvhvm",role="domU",confidence="high",root_disk="xen-pv",os_id="debian",os_version_id="12",agent_version="0.4.0",schema="1"} 1
xenprobe_guest_info{$I7,verdict="pv",mode="",role="domU",confidence="medium",root_disk="xen-pv",os_id="",os_version_id="12",agent_version="",schema="1"} 1
xenprobe_guest_info{$I8,verdict="pv",mode="pv",role="domU",confidence="high",root_disk="xen-pv",os_id="debian",os_version_id="12",agent_version="0.4.0",schema="1"} 1
# HELP xenprobe_guest_boot_readiness The guest's boot readiness, worst over its installed kernels: 1 for the state it is in
# TYPE xenprobe_guest_boot_readiness gauge
xenprobe_guest_boot_readiness{$I5,state="ok"} 0
xenprobe_guest_boot_readiness{$I5,state="missing"} 1
xenprobe_guest_boot_readiness{$I5,state="cannot-verify"} 0
xenprobe_guest_boot_readiness{$I5,state="not-checked"} 0
xenprobe_guest_boot_readiness{$I7,state="ok"} 1
xenprobe_guest_boot_readiness{$I7,state="missing"} 0
xenprobe_guest_boot_readiness{$I7,state="cannot-verify"} 0
xenprobe_guest_boot_readiness{$I7,state="not-checked"} 0
xenprobe_guest_boot_readiness{$I8,state="ok"} 1
xenprobe_guest_boot_readiness{$I8,state="missing"} 0
xenprobe_guest_boot_readiness{$I8,state="cannot-verify"} 0
xenprobe_guest_boot_readiness{$I8,state="not-checked"} 0
# HELP xenprobe_guest_boot_kernels The guest's installed kernels by the boot readiness of each (as far as the list was published)
# TYPE xenprobe_guest_boot_kernels gauge
xenprobe_guest_boot_kernels{$I5,status="ok"} 1
xenprobe_guest_boot_kernels{$I5,status="missing"} 1
xenprobe_guest_boot_kernels{$I5,status="cannot-verify"} 0
xenprobe_guest_boot_kernels{$I7,status="ok"} 1
xenprobe_guest_boot_kernels{$I7,status="missing"} 0
xenprobe_guest_boot_kernels{$I7,status="cannot-verify"} 0
xenprobe_guest_boot_kernels{$I8,status="ok"} 1
xenprobe_guest_boot_kernels{$I8,status="missing"} 0
xenprobe_guest_boot_kernels{$I8,status="cannot-verify"} 0
# HELP xenprobe_guest_pv_driver_info The guest's PV frontends (block: xen-blkfront, net: xen-netfront): in-use, else how present (loaded, built-in, module, missing, unknown; empty: absent or invalid)
# TYPE xenprobe_guest_pv_driver_info gauge
xenprobe_guest_pv_driver_info{$I5,driver="block",state="in-use"} 1
xenprobe_guest_pv_driver_info{$I5,driver="net",state="in-use"} 1
xenprobe_guest_pv_driver_info{$I7,driver="block",state="in-use"} 1
xenprobe_guest_pv_driver_info{$I7,driver="net",state=""} 1
xenprobe_guest_pv_driver_info{$I8,driver="block",state="in-use"} 1
xenprobe_guest_pv_driver_info{$I8,driver="net",state="in-use"} 1
# HELP xenprobe_guest_warnings The number of warnings in the guest's report
# TYPE xenprobe_guest_warnings gauge
xenprobe_guest_warnings{$I5} 2
xenprobe_guest_warnings{$I7} 0
xenprobe_guest_warnings{$I8} 0
EOF
grep -vE '^xenprobe_query_(timestamp|duration)_seconds ' "$PA" >"$work/got-A"
if diff -u "$work/expected-A" "$work/got-A" >"$work/diff-A"; then
        pass "host A: every series as written by hand from the published domains"
else
        fail "host A: the series differ from the hand-written listing" "$work/diff-A"
fi
ts=$(awk '$1 == "xenprobe_query_timestamp_seconds" {print $2}' "$PA")
judge "host A: the query's timestamp is now (Unix seconds, within 60 s)" \
        awk -v t="$ts" -v now="$(date +%s)" 'BEGIN { exit !(t > now - 60 && t <= now + 1) }'
judge "host A: the query's duration is a number of seconds below the run's" \
        awk '$1 == "xenprobe_query_duration_seconds" { ok = ($2 >= 0 && $2 < 60) } END { exit !ok }' "$PA"
judge "host A: no sample carries a client timestamp (node_exporter would skip the file)" \
        awk '!/^#/ && NF != 2 { bad = 1 } END { exit bad }' "$PA"
judge "host A: every byte printable ASCII (hostile names and values made safe)" \
        bash -c "! LC_ALL=C grep -q \$'[^\\t -~]' '$PA'"
n=$(grep -c '^xenprobe_.*{domid="5"' "$PA")
echo "# series per published domain: $n (domain 5); goal <= 12"
judge "host A: 12 series for a published domain (got $n)" test "$n" = 12

# ---- promtool check metrics: silent -------------------------------------------------------
"$PROMTOOL" check metrics <"$PA" >"$work/lint" 2>&1
rc=$?
LOG=$work/lint judge "promtool check metrics: exit 0, nothing said (exit $rc)" \
        bash -c "[ $rc = 0 ] && [ ! -s '$work/lint' ]"

onB "$XENPROBE" query --prometheus --output "$PB" 2>"$work/b.err"
rc=$?
judge "host B: query --prometheus --output: exit 0 (got $rc)" test $rc = 0
"$PROMTOOL" check metrics <"$PB" >"$work/lintB" 2>&1
rc=$?
LOG=$work/lintB judge "host B: promtool check metrics silent (exit $rc)" bash -c "[ $rc = 0 ] && [ ! -s '$work/lintB' ]"
judge "host B: the future schema is status schema, with no guest series" \
        bash -c "grep -qx 'xenprobe_domain_info{domid=\"9\",name=\"future9\",uuid=\"9a000000-0000-4000-8000-000000000009\",status=\"schema\"} 1' '$PB' &&
                ! grep -q '^xenprobe_guest.*domid=\"9\"' '$PB'"

# ---- --refresh: answered or not, per domain -----------------------------------------------
onA "$XENPROBE" query --prometheus --refresh --timeout 1 web1 >"$work/r.out" 2>"$work/r.err"
rc=$?
judge "--refresh --prometheus, no daemon: exit 4 (got $rc)" test $rc = 4
LOG=$work/r.out judge "--refresh: xenprobe_domain_refresh_answered 0 for the guest that did not answer" \
        grep -qx "xenprobe_domain_refresh_answered{$I5} 0" "$work/r.out"
responder() { # DOMID: plays xenprobed: copy request -> served, as test-query.sh does
        local b=/local/domain/$1/data/xenprobe r s
        while :; do
                r=$(xenstore-read $b/request 2>/dev/null) || r=
                s=$(xenstore-read $b/served 2>/dev/null) || s=
                [ -n "$r" ] && [ "$r" != "$s" ] && xenstore-write $b/generation 5 $b/served "$r"
                sleep 0.05
        done
}
XENSTORED_PATH=$XA responder 5 &
rp=$!
pids+=("$rp")
onA "$XENPROBE" query --prometheus --refresh --timeout 10 web1 >"$work/r.out" 2>"$work/r.err"
rc=$?
untrack "$rp"
judge "--refresh --prometheus, answered: exit 0 (got $rc)" test $rc = 0
LOG=$work/r.out judge "--refresh: xenprobe_domain_refresh_answered 1 for the guest that answered" \
        grep -qx "xenprobe_domain_refresh_answered{$I5} 1" "$work/r.out"
judge "without --refresh: no refresh series" bash -c "! grep -q refresh_answered '$PA'"
onA xenstore-write /local/domain/11/name nodata /local/domain/11/domid 11 /local/domain/11/vm /vm/b1000000-0000-4000-8000-000000000011 \
        /vm/b1000000-0000-4000-8000-000000000011/uuid b1000000-0000-4000-8000-000000000011
onA "$XENPROBE" query --prometheus --refresh --timeout 1 nodata >"$work/r.out" 2>"$work/r.err"
LOG=$work/r.out judge "--refresh: a domain that could not be asked (no data/) did not answer: 0" \
        grep -qx 'xenprobe_domain_refresh_answered{domid="11",name="nodata",uuid="b1000000-0000-4000-8000-000000000011"} 0' "$work/r.out"
onA xenstore-rm /local/domain/11 /vm/b1000000-0000-4000-8000-000000000011

# ---- node_exporter per host, one Prometheus over both ----------------------------------------
node_exporter_start "$work/neA" "$work/textA" 2>&1 || { fail "node_exporter A did not start"; echo "$passed passed, $failed failed"; exit 1; }
pids+=("$NE_PID")
NEA=$NE_PORT
node_exporter_start "$work/neB" "$work/textB" 2>&1 || { fail "node_exporter B did not start"; echo "$passed passed, $failed failed"; exit 1; }
pids+=("$NE_PID")
NEB=$NE_PORT
curl -fsS "http://127.0.0.1:$NEA/metrics" >"$work/scrapeA"
LOG=$work/scrapeA judge "node_exporter A: node_textfile_scrape_error 0" grep -qx 'node_textfile_scrape_error 0' "$work/scrapeA"
LOG=$work/scrapeA judge "node_exporter A: the file's series, hostile name as written" \
        grep -qF "xenprobe_domain_info{domid=\"7\",name=\"a\\\"b\\\\c????[2J\",status=\"invalid\",uuid=\"$U7\"} 1" "$work/scrapeA"
LOG=$work/scrapeA judge "node_exporter A: node_textfile_mtime_seconds for the file" \
        grep -q "^node_textfile_mtime_seconds{file=\".*xenprobe-domains.prom\"}" "$work/scrapeA"
curl -fsS "http://127.0.0.1:$NEB/metrics" >"$work/scrapeB"
LOG=$work/scrapeB judge "node_exporter B: node_textfile_scrape_error 0" grep -qx 'node_textfile_scrape_error 0' "$work/scrapeB"

mkdir -p "$work/prom"
cp "$src/packaging/prometheus/xenprobe.rules.yml" "$work/prom/"
cat >"$work/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - xenprobe.rules.yml
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$NEA']
        labels: {host: a}
      - targets: ['127.0.0.1:$NEB']
        labels: {host: b}
EOF
"$PROMTOOL" check config "$work/prom/prometheus.yml" >"$work/prom/check" 2>&1
LOG=$work/prom/check judge "promtool check config (the server's configuration, with the shipped rules)" test $? = 0
prometheus_start "$work/prom" "$work/prom/prometheus.yml" || { fail "prometheus did not start"; echo "$passed passed, $failed failed"; exit 1; }
pids+=("$PROM_PID")
api="http://127.0.0.1:$PROM_PORT/api/v1"
promql() { # QUERY -> the result vector as JSON on stdout
        curl -fsS --max-time 5 "$api/query" --data-urlencode "query=$1" | jq -c '.data.result'
}
# scraped once both targets are up and their guests are there
both_scraped() { [ "$(promql 'count(xenprobe_guest_info)' | jq -r '.[0].value[1] // 0')" = 5 ]; }
if wait_for 30 both_scraped; then
        pass "prometheus: both hosts scraped (5 guests with data: 3 on a, 2 on b)"
else
        { promql up; promql 'count(xenprobe_guest_info)'; tail -n 5 "$work/prom/prometheus.log"; } >"$work/prom/why" 2>&1
        fail "prometheus: both hosts not scraped within 30 s" "$work/prom/why"
fi
promql 'count by (mode) (xenprobe_guest_info{mode!=""})' | jq -c 'map({(.metric.mode): .value[1]}) | add' >"$work/bymode"
LOG=$work/bymode judge "PromQL: the fleet by mode over both hosts: pvhvm 1, pv 1, pvh 1, hvm 1 (the hostile guest's mode is refused)" \
        jq -e '. == {"pvhvm":"1","pv":"1","pvh":"1","hvm":"1"}' "$work/bymode"
promql 'xenprobe_guest_boot_readiness{state=~"missing|cannot-verify"} == 1' |
        jq -c '[.[] | "\(.metric.host)/\(.metric.name)/\(.metric.state)"] | sort' >"$work/notready"
LOG=$work/notready judge "PromQL: the guests not ready to boot, on both hosts: a/web1 missing, b/db2 cannot-verify" \
        jq -e '. == ["a/web1/missing","b/db2/cannot-verify"]' "$work/notready"
promql 'xenprobe_guest_info{mode="pv"}' | jq -c '[.[] | "\(.metric.host)/\(.metric.name)"]' >"$work/stillpv"
LOG=$work/stillpv judge "PromQL: the guests still PV: a/pv8" jq -e '. == ["a/pv8"]' "$work/stillpv"
promql 'sum by (host) (xenprobe_query_domains)' | jq -c 'map({(.metric.host): .value[1]}) | add' >"$work/ndom"
LOG=$work/ndom judge "PromQL: domains per host: a 5, b 4" jq -e '. == {"a":"5","b":"4"}' "$work/ndom"
curl -fsS "$api/rules" | jq -c '[.data.groups[].rules[] | {name, health}]' >"$work/rules"
LOG=$work/rules judge "prometheus: the shipped rules load and evaluate (5 rules, health ok)" \
        jq -e 'length == 5 and all(.health == "ok")' "$work/rules"

# ---- --watch: rewritten on a change, and on the heartbeat -------------------------------------
XENSTORED_PATH=$XA "$XENPROBE" query --prometheus --watch --heartbeat 2 --output "$PA" >"$work/w.out" 2>"$work/w.err" &
wp=$!
pids+=("$wp")
has() { grep -qF "$1" "$PA"; }
judge "--watch: the heartbeat series in the file" wait_for 10 has "xenprobe_query_heartbeat_seconds 2"
onA xenstore-write /local/domain/8/data/xenprobe/boot/summary missing /local/domain/8/data/xenprobe/generation 5
LOG=$work/w.err judge "--watch: a guest's change rewrites the file (pv8 now missing)" \
        wait_for 10 has "xenprobe_guest_boot_readiness{$I8,state=\"missing\"} 1"
t1=$(awk '$1 == "xenprobe_query_timestamp_seconds" {print $2}' "$PA")
fresh() { awk -v t="$t1" '$1 == "xenprobe_query_timestamp_seconds" { exit !($2 > t) }' "$PA"; }
judge "--watch: nothing changes, the file is still rewritten on the heartbeat (2 s)" wait_for 10 fresh
curl -fsS "http://127.0.0.1:$NEA/metrics" >"$work/scrapeA2"
LOG=$work/scrapeA2 judge "node_exporter A: the rewritten file parses (node_textfile_scrape_error 0)" \
        grep -qx 'node_textfile_scrape_error 0' "$work/scrapeA2"
# a guest that rewrites its keys in a loop: the file is written at most
# once a second, not once per change
spam() { local g=100; while :; do g=$((g + 1)); xenstore-write /local/domain/8/data/xenprobe/generation $g; done; }
XENSTORED_PATH=$XA spam &
sp=$!
pids+=("$sp")
stamps=()
for i in $(seq 25); do
        stamps+=("$(awk '$1 == "xenprobe_query_timestamp_seconds" {print $2}' "$PA")")
        sleep 0.1
done
untrack "$sp"
gen=$(onA xenstore-read /local/domain/8/data/xenprobe/generation)
# every two writes seen are at least a second apart (the file's own
# timestamps, so a slow sampling loop cannot hide or fake a write)
printf '%s\n' "${stamps[@]}" | sort -un >"$work/stamps"
n=$(wc -l <"$work/stamps")
gap=$(awk 'NR > 1 { d = $1 - p; if (min == "" || d < min) min = d } { p = $1 } END { print (min == "" ? "none" : min) }' "$work/stamps")
echo "# --watch pacing: $((gen - 100)) guest writes while sampling, the file written $n times, least gap $gap s"
LOG=$work/stamps judge "--watch: a guest writing in a loop ($((gen - 100)) writes): the file written at most once a second ($n writes, least gap $gap s)" \
        bash -c "[ $n -ge 2 ] && [ $((gen - 100)) -gt 20 ] && awk -v g='$gap' 'BEGIN { exit !(g >= 0.9) }'"
kill -TERM "$wp"
wait_for 10 bash -c "! kill -0 $wp 2>/dev/null"
wait "$wp"
rc=$?
untrack "$wp"
judge "--watch: SIGTERM -> exit 0 (got $rc)" test $rc = 0
judge "--watch: no temporary file left beside it" test "$(ls -A "$work/textA")" = xenprobe-domains.prom

# ---- --watch --refresh: a round every heartbeat ------------------------------------------------
# web1's daemon answers (the responder), pv8 has none: after a round has
# gone by, web1 answered (1), pv8 did not (0)
XENSTORED_PATH=$XA responder 5 &
rp=$!
pids+=("$rp")
R=$work/textA/refresh.prom
XENSTORED_PATH=$XA "$XENPROBE" query --prometheus --watch --refresh --timeout 1 --heartbeat 1 --output "$R" \
        >"$work/wr.out" 2>"$work/wr.err" &
wp=$!
pids+=("$wp")
hasr() { grep -qF "$1" "$R"; }
LOG=$work/wr.err judge "--watch --refresh: a guest whose daemon answers each round: 1" \
        wait_for 15 hasr "xenprobe_domain_refresh_answered{$I5} 1"
LOG=$work/wr.err judge "--watch --refresh: a guest without a daemon: 0" \
        wait_for 15 hasr "xenprobe_domain_refresh_answered{$I8} 0"
untrack "$rp"
LOG=$work/wr.err judge "--watch --refresh: web1's daemon stops answering: 0 after a round" \
        wait_for 15 hasr "xenprobe_domain_refresh_answered{$I5} 0"
untrack "$wp"

# ---- the first write fails (no directory yet): said, and tried again ---------------------------
L=$work/later/xenprobe-domains.prom
XENSTORED_PATH=$XA "$XENPROBE" query --prometheus --watch --heartbeat 60 --output "$L" >/dev/null 2>"$work/wl.err" &
wp=$!
pids+=("$wp")
LOG=$work/wl.err judge "--watch: the first write fails: said on stderr, naming the file" wait_for 10 grep -q "$L" "$work/wl.err"
judge "--watch: ... and it keeps following" kill -0 "$wp"
mkdir "$work/later"
onA xenstore-write /local/domain/8/data/xenprobe/generation 7
LOG=$work/wl.err judge "--watch: the directory created later: the file is written (retried, gap below the heartbeat)" \
        wait_for 20 test -s "$L"
untrack "$wp"

# ---- usage errors ---------------------------------------------------------------------------
for args in "--output $work/x.prom" "--prometheus --json" "--prometheus --watch" "--prometheus --heartbeat 0" \
        "--prometheus --watch --heartbeat 0.5 --output $work/x.prom" "--heartbeat 5"; do
        onA "$XENPROBE" query $args >/dev/null 2>"$work/u.err"
        rc=$?
        LOG=$work/u.err judge "usage error: query $args (exit 2, got $rc)" test $rc = 2
done

# ---- an unwritable output directory: a clear error, nothing written -----------------
onA "$XENPROBE" query --prometheus --output "$work/nodir/x.prom" >/dev/null 2>"$work/e.err"
rc=$?
LOG=$work/e.err judge "--output in a missing directory: exit 1 and says which file (got $rc)" \
        bash -c "[ $rc = 1 ] && grep -q '$work/nodir/x.prom' '$work/e.err'"

# ---- the shipped rules: promtool's own checks and unit tests ---------------------------------
"$PROMTOOL" check rules "$src/packaging/prometheus/xenprobe.rules.yml" >"$work/cr" 2>&1
LOG=$work/cr judge "promtool check rules packaging/prometheus/xenprobe.rules.yml" test $? = 0
(cd "$src/tests/prometheus" && "$PROMTOOL" test rules xenprobe.rules.test.yml) >"$work/tr" 2>&1
LOG=$work/tr judge "promtool test rules: every alert fires when it must and only then" test $? = 0

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
