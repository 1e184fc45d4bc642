#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `xenprobe query` (dom0) against Debian's real C xenstored
# (tests/xenstored/xsd.sh: socket only, every client privileged = dom0).
# Domains are laid out the way libxl writes them (the real captures in
# shared/fixtures/*/_dom0/xenstore-ls-guest-home.txt and -vm.txt):
# /local/domain/N/{name,domid,vm = "/vm/UUID",data}, /vm/UUID/{uuid,name}.
# Published subtrees are written with xenstore-write exactly as schema 1
# says (agent/xenstore/schema.h, xenprobe(8)); every expected value below comes from
# what was written, never from xenprobe's output.  Then hostile guests:
# oversized, binary, escape sequences, invalid UTF-8, thousands of keys,
# deep nesting, a future schema, garbage integers and words, a vm that is
# not a UUID, a name with escapes.  --refresh is answered by a shell loop
# playing the guest (test-side polling), --watch is followed through
# xs_introduce_domain/xs_release_domain (a small helper built here).
#
# Automake test: 0 pass, 1 fail, 77 skip (no xenstored can be fetched).
set -u
XENPROBE=${XENPROBE:-./xenprobe}
XENPROBE=$(cd "$(dirname "$XENPROBE")" && pwd)/$(basename "$XENPROBE")
src=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
xsd=$src/tests/xenstored/xsd.sh

command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/xp-query.XXXXXX")
pids=()
cleanup() {
        for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
        bash "$xsd" kill "$work/xsd" >/dev/null 2>&1
        rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

. "$src/tests/xenstored/start-or-skip.sh"
xsd_start_or_skip "$xsd" "$work/xsd"

passed=0 failed=0 skipped=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() {
        echo "FAIL $1"
        failed=$((failed + 1))
        [ -n "${2:-}" ] && [ -f "$2" ] && head -c 2000 "$2" | sed 's/^/    /'
        return 0
}
skip() { echo "SKIP $1"; skipped=$((skipped + 1)); }
judge() { # NAME COMMAND...: pass when the command succeeds
        local name=$1
        shift
        if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name" "${LOG:-}"; fi
}
# q NAME WANT-EXIT ARGS...: run `xenprobe query ARGS` (bounded), output in
# $work/q.out / $work/q.err, judge the exit status
q() {
        local name=$1 want=$2
        shift 2
        timeout -k 10 60 "$XENPROBE" query "$@" >"$work/q.out" 2>"$work/q.err"
        local got=$?
        if [ "$got" = "$want" ]; then
                pass "$name (exit $want)"
        else
                fail "$name: exit $got, expected $want" "$work/q.err"
        fi
}
jqe() { jq -e "$@" "$work/q.out" >/dev/null 2>&1; } # a JSON assertion on the last output
dom() { jq -c --argjson id "$1" '.domains[] | select(.domid == $id)' "$work/q.out"; }
no_esc() { ! LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f-\xff]' "$1"; } # only printable ASCII + \n
ms() { echo $(($(date +%s%N) / 1000000)); }
# stop_bg PID SIGNAL|0: send SIGNAL (0: none) to a background xenprobe, give
# it 10 s to exit, then SIGKILL; returns its exit status (137 if killed).
# The signal goes to xenprobe itself, never through timeout(1): timeout
# follows each signal it forwards with SIGCONT, which can cancel the SIGSTOP
# that LeakSanitizer's ptrace attach waits for while xenprobe exits; under
# ASan that left xenprobe and the test hung forever (seen in CI, reproduced
# under load: tracer in waitpid, SIGTERM blocked for the signalfd)
stop_bg() {
        [ "$2" = 0 ] || kill -"$2" "$1" 2>/dev/null
        wait_for 10 bash -c "! kill -0 $1 2>/dev/null" || kill -KILL "$1" 2>/dev/null
        wait "$1"
}

# ---- domains, the libxl way ------------------------------------------------
mkdom() { # DOMID NAME UUID|VM-VALUE
        local h=/local/domain/$1 vm=$3
        case $vm in /*) ;; *) vm=/vm/$3 ;; esac
        xenstore-write "$h/name" "$2" "$h/domid" "$1" "$h/vm" "$vm" "$h/data" "" \
                "$h/control/shutdown" "" "$h/memory/target" 1048576 "$h/device/vbd/51712/state" 4
        case $3 in /*) ;; *) xenstore-write "/vm/$3/uuid" "$3" "/vm/$3/name" "$2" ;; esac
}
# a complete schema-1 set, values as the schema text describes them
publish() { # DOMID [GENERATION]
        local b=/local/domain/$1/data/xenprobe
        xenstore-write "$b/schema" 1 "$b/generation" "${2:-12}" "$b/agent-version" 0.4.0 \
                "$b/verdict" pvhvm "$b/mode" pvhvm "$b/role" domU "$b/confidence" high \
                "$b/kernel" 6.1.0-13-amd64 "$b/xen-version" 4.17.5 \
                "$b/os/id" debian "$b/os/version-id" 12 "$b/os/pretty-name" "Debian GNU/Linux 12 (bookworm)" \
                "$b/pv/block" in-use "$b/pv/net" in-use "$b/root-disk" xen-pv "$b/root-device" xvda1 \
                "$b/disks" "xvda:xen-pv sr0:ata" "$b/boot/summary" missing "$b/boot/kernels" "6.1.0-13-amd64:ok 6.1.0-12-amd64:missing" \
                "$b/boot/problems" "6.1.0-12-amd64: xen-blkfront missing" \
                "$b/warnings" 2 "$b/warning-text" "root disk is /dev/sda1 in fstab
console has no getty on hvc0"
}
U5=25721a07-b8a8-4297-bf10-2f8ece53373c
xenstore-write /local/domain/0/name Domain-0 /local/domain/0/domid 0 /local/domain/0/data ""
mkdom 5 web1 $U5
publish 5
mkdom 6 idle 6a000000-0000-4000-8000-000000000006  # nothing published
mkdom 7 xapi 7a000000-0000-4000-8000-000000000007
xenstore-write /local/domain/7/unique-domain-id 7b000000-0000-4000-8000-00000000007b
publish 7 3

# ---- command line ------------------------------------------------------------
q "--help" 0 --help
judge "--help: usage on stdout" grep -q "^Usage: xenprobe query" "$work/q.out"
q "unknown option" 2 --bogus
q "--all with a domain" 2 --all 5
q "--timeout not a number" 2 --timeout abc
XENSTORED_PATH=$work/nothing/socket q "no xenstored" 1
judge "no xenstored: the message names the socket" grep -q "$work/nothing/socket" "$work/q.err"

# ---- a well-behaved guest ------------------------------------------------------
q "default: every domain" 0
LOG=$work/q.out
judge "table: header" grep -qE '^DOMID +NAME +MODE +DISK +NET +BOOT +WARN +AGENT +STATUS$' "$work/q.out"
judge "table: web1 row from the published keys" \
        grep -qE '^ +5 +web1 +pvhvm +in-use +in-use +missing +2 +0\.4\.0 +ok$' "$work/q.out"
judge "table: a domain that published nothing is listed as none" grep -qE '^ +6 +idle( +-){6} +none$' "$work/q.out"
judge "table: dom0 listed" grep -qE '^ +0 +Domain-0 .* none$' "$work/q.out"
LOG=

q "--all --json" 0 --all --json
LOG=$work/q.out
judge "json: schema 1, domains sorted by domid" jqe '.schema == 1 and ([.domains[].domid] == [0,5,6,7])'
judge "json: identity of web1 (uuid from /vm, no unique-domain-id)" \
        jqe --arg u $U5 '.domains[1] | .domid == 5 and .name == "web1" and .uuid == $u and .unique_domain_id == null'
judge "json: XAPI's unique-domain-id" \
        jqe '.domains[3].unique_domain_id == "7b000000-0000-4000-8000-00000000007b" and .domains[3].data.generation == 3'
judge "json: every schema value as written" jqe '.domains[1] | .status == "ok" and .problems == [] and .unknown_keys == 0 and
        (.data | .schema == 1 and .generation == 12 and .agent_version == "0.4.0" and .verdict == "pvhvm" and
         .mode == "pvhvm" and .role == "domU" and .confidence == "high" and .kernel == "6.1.0-13-amd64" and
         .xen_version == "4.17.5" and .os == {"id":"debian","version_id":"12","pretty_name":"Debian GNU/Linux 12 (bookworm)"} and
         .pv == {"block":"in-use","net":"in-use"} and .root_disk == "xen-pv" and .root_device == "xvda1" and
         .disks == [{"name":"xvda","kind":"xen-pv"},{"name":"sr0","kind":"ata"}] and .disks_omitted == 0 and
         .boot.summary == "missing" and .boot.kernels == [{"version":"6.1.0-13-amd64","status":"ok"},{"version":"6.1.0-12-amd64","status":"missing"}] and
         .boot.kernels_omitted == 0 and .boot.problems == "6.1.0-12-amd64: xen-blkfront missing" and
         .warning_count == 2 and .warnings == ["root disk is /dev/sda1 in fstab","console has no getty on hvc0"] and
         .request == null and .served == null)'
judge "json: nothing published -> status none, data null" jqe '.domains[2] | .status == "none" and .data == null'
judge "json: dom0 has no /vm: uuid null" jqe '.domains[0] | .uuid == null and .name == "Domain-0"'
LOG=

q "one domain by name" 0 web1
LOG=$work/q.out
judge "detail: header" grep -q '^Domain 5 (web1)$' "$work/q.out"
judge "detail: uuid" grep -qE "^  uuid +$U5\$" "$work/q.out"
judge "detail: each boot kernel on its line" grep -qE '^    6\.1\.0-12-amd64 +missing$' "$work/q.out"
judge "detail: warnings listed" grep -qE '^    console has no getty on hvc0$' "$work/q.out"
judge "detail: os/pretty-name" grep -qE '^  os/pretty-name +Debian GNU/Linux 12 \(bookworm\)$' "$work/q.out"
LOG=
q "one domain by domid, JSON" 0 --json 7
judge "by domid: only that domain" jqe '[.domains[].domid] == [7]'
q "a domid that does not exist" 3 99
judge "missing domid: says so" grep -q "domain 99 does not exist" "$work/q.err"
q "a name that does not exist" 3 --json nosuch
judge "missing name: says so" grep -q "no domain is named 'nosuch'" "$work/q.err"
judge "missing name: still valid JSON" jqe '.domains == []'
q "a named domain that published nothing" 3 idle
judge "nothing published: says so" grep -q "nothing published" "$work/q.err"

# a list that did not fit, as the publisher cuts it: " ...(+N)"
b=/local/domain/5/data/xenprobe
xenstore-write $b/boot/kernels "6.1.0-13-amd64:ok ...(+7)" $b/disks "xvdaa:xen-pv ...(+255)" $b/warning-text "w1
w2 ...(+3)"
q "lists with the truncation marker" 0 --json 5
judge "marker: kernels_omitted, warnings_omitted" \
        jqe '.domains[0].data | .boot.kernels == [{"version":"6.1.0-13-amd64","status":"ok"}] and .boot.kernels_omitted == 7 and
             .warnings == ["w1","w2"] and .warnings_omitted == 3 and (.boot | has("kernels")) and
             .disks == [{"name":"xvdaa","kind":"xen-pv"}] and .disks_omitted == 255'
publish 5

# ---- hostile guests --------------------------------------------------------------
H=/local/domain
mkdom 10 big 0a000000-0000-4000-8000-00000000000a
x4000=$(head -c 4000 /dev/zero | tr '\0' x)
xenstore-write $H/10/data/xenprobe/schema 1 $H/10/data/xenprobe/mode pv $H/10/data/xenprobe/kernel "$x4000"

mkdom 11 binary 0b000000-0000-4000-8000-00000000000b
# xenstore-write unescapes \xNN: NUL, C0, ESC sequences (CSI, OSC), DEL, C1
# CSI (0x9b, and U+009B as UTF-8), invalid UTF-8, a bidi override (U+202E)
xenstore-write $H/11/data/xenprobe/schema 1 $H/11/data/xenprobe/mode hvm \
        $H/11/data/xenprobe/kernel 'a\x00b\x01\x1b[2J\x1b]0;pwned\x07\x7f\x9b31m\xc2\x9bz' \
        $H/11/data/xenprobe/os/pretty-name 'bad\xff\xfe utf8 \xc3\x28 \xed\xa0\x80 \xe2\x80\xaeevil' \
        $H/11/data/xenprobe/warning-text 'ok line\n\x1b[1mbold\x1b[0m'

mkdom 12 many 0c000000-0000-4000-8000-00000000000c
xenstore-write $H/12/data/xenprobe/schema 1 $H/12/data/xenprobe/mode pv
args=()
for i in $(seq 2000); do args+=("$H/12/data/xenprobe/junk$i" x); done
xenstore-write "${args[@]}"

mkdom 13 deep 0d000000-0000-4000-8000-00000000000d
deep=$(printf 'a/%.0s' $(seq 30))
xenstore-write $H/13/data/xenprobe/schema 1 $H/13/data/xenprobe/mode pvh \
        "$H/13/data/xenprobe/${deep}leaf" SECRET-DEEP "$H/13/data/xenprobe/os/${deep}leaf" SECRET-DEEP2

mkdom 14 future 0e000000-0000-4000-8000-00000000000e
xenstore-write $H/14/data/xenprobe/schema 2 $H/14/data/xenprobe/mode quantum $H/14/data/xenprobe/new-key x

mkdom 15 garbage 0f000000-0000-4000-8000-00000000000f
xenstore-write -- $H/15/data/xenprobe/schema 1 $H/15/data/xenprobe/generation abc $H/15/data/xenprobe/mode quantum $H/15/data/xenprobe/verdict pv-ish \
        $H/15/data/xenprobe/warnings -1 $H/15/data/xenprobe/boot/kernels "no-colon 6.1:exploded" \
        $H/15/data/xenprobe/disks "xvda:xen-pv ../../etc:ata"

mkdom 16 notuuid '/vm/not-a-uuid;$(reboot)'
publish 16

mkdom 17 'evil\x1b]0;owned\x07\x1b[31mname' 11000000-0000-4000-8000-000000000011
publish 17

mkdom 18 noschema 12000000-0000-4000-8000-000000000012
xenstore-write $H/18/data/xenprobe/mode pv

t0=$(ms)
q "hostile: the whole table" 0
echo "# hostile: the table took $(($(ms) - t0)) ms (a hang would fail q's 60 s bound)"
judge "hostile: text output is printable ASCII only (no ESC, C1, DEL, binary)" no_esc "$work/q.out"
cp "$work/q.out" "$work/table.out"
t0=$(ms)
q "hostile: --json" 0 --json
LOG=$work/q.out
judge "hostile: JSON parses (jq)" jq . "$work/q.out"
# the same reads under valgrind: no error, no leak (a sanitizer build checks itself)
if command -v valgrind >/dev/null && ! ldd "$XENPROBE" 2>/dev/null | grep -q libasan; then
        for args in "--all --json" "--all"; do
                # shellcheck disable=SC2086
                timeout -k 10 300 valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
                        --suppressions="$src/tests/valgrind.supp" "$XENPROBE" query $args >/dev/null 2>"$work/vg.err"
                judge "hostile under valgrind: query $args" test $? = 0
        done
else
        skip "hostile under valgrind (no valgrind, or a sanitizer build)"
fi
if command -v iconv >/dev/null; then
        judge "hostile: JSON is valid UTF-8" iconv -f UTF-8 -t UTF-8 "$work/q.out"
else
        skip "hostile: JSON is valid UTF-8 (no iconv)"
fi
judge "hostile: no control character in any JSON string" \
        jqe '[.. | strings | select(test("[\u0000-\u001f\u007f-\u009f\u202e]"))] == []'
LOG=
d=$(dom 10)
judge "4000-byte value: cut to 1024, status truncated, problem names the key" \
        jq -e '.status == "truncated" and (.data.kernel | length) == 1024 and
               any(.problems[]; test("^kernel: 4000 bytes"))' <<<"$d"
d=$(dom 11)
judge "binary/escapes: status invalid, problems name kernel and os/pretty-name" \
        jq -e '.status == "invalid" and any(.problems[]; startswith("kernel:")) and any(.problems[]; startswith("os/pretty-name:"))' <<<"$d"
judge "binary/escapes: replaced by U+FFFD, the printable rest kept" \
        jq -e '(.data.kernel | startswith("a\ufffdb\ufffd\ufffd[2J")) and (.data.os.pretty_name | startswith("bad\ufffd\ufffd utf8"))' <<<"$d"
judge "binary/escapes: warning lines split, escapes replaced" \
        jq -e '.data.warnings == ["ok line", "\ufffd[1mbold\ufffd[0m"]' <<<"$d"
d=$(dom 12)
judge "2000 extra keys: status truncated, entries capped, unknown keys counted" \
        jq -e '.status == "truncated" and .data.mode == "pv" and .unknown_keys == 254 and
               any(.problems[]; test("2002 entries, more than the 256 examined"))' <<<"$d"
d=$(dom 13)
judge "deep nesting: not recursed (2 unknown keys), status ok" \
        jq -e '.status == "ok" and .unknown_keys == 2 and .data.mode == "pvh"' <<<"$d"
judge "deep nesting: nothing below the unknown keys was read" bash -c "! grep -q SECRET-DEEP '$work/q.out'"
d=$(dom 14)
judge "schema 2: status schema-2, data null, not interpreted" \
        jq -e '.status == "schema-2" and .data == null and any(.problems[]; test("newer"))' <<<"$d"
d=$(dom 15)
judge "garbage: generation abc and warnings -1 are null, status invalid" \
        jq -e '.status == "invalid" and .data.generation == null and .data.warning_count == null and
               any(.problems[]; startswith("generation: \"abc\"")) and any(.problems[]; startswith("warnings: \"-1\""))' <<<"$d"
judge "garbage: an unknown mode word is shown but reported" \
        jq -e '.data.mode == "quantum" and any(.problems[]; startswith("mode: \"quantum\" is not one of"))' <<<"$d"
judge "garbage: boot/kernels without VERSION:STATUS reported" \
        jq -e 'any(.problems[]; startswith("boot/kernels:"))' <<<"$d"
judge "garbage: a disk name that is a path reported" \
        jq -e 'any(.problems[]; startswith("disks: \"xvda:xen-pv ../../etc:ata\" is not"))' <<<"$d"
d=$(dom 16)
judge "vm not a UUID: uuid null, problem, status invalid" \
        jq -e '.uuid == null and .status == "invalid" and any(.problems[]; startswith("vm: "))' <<<"$d"
d=$(dom 17)
judge "name with escapes: JSON name has U+FFFD, not ESC" \
        jq -e '.name == "evil\ufffd]0;owned\ufffd\ufffd[31mname" and .status == "ok"' <<<"$d"
d=$(dom 18)
judge "keys without a schema key: invalid" jq -e '.status == "invalid" and any(.problems[]; startswith("schema: missing"))' <<<"$d"
LOG=$work/table.out
judge "table: the invalid words are marked '!'" grep -qE '^ +15 +garbage +!pv-ish +- +- +- +!-1 +- +invalid$' "$work/table.out"
judge "table: the escaped name is shown as ?" grep -qF 'evil?]0;owned??[31mname' "$work/table.out"
judge "table: schema-2 in STATUS" grep -qE '^ +14 +future .* schema-2$' "$work/table.out"
LOG=
q "hostile: detail of the binary domain" 3 binary
judge "hostile detail: printable ASCII only" no_esc "$work/q.out"
LOG=$work/q.out
judge "hostile detail: invalid values marked" grep -qE '^  kernel +a\?b\?\?\[2J.*\[invalid\]$' "$work/q.out"
LOG=
q "hostile: --json of the 4000-byte domain" 0 --json big
q "a named domain with a future schema" 3 future

# ---- --refresh -----------------------------------------------------------------------
# the guest's side, played by a polling loop: copy request -> served and bump
# the generation, as xenprobed does
responder() { # DOMID
        local b=/local/domain/$1/data/xenprobe r s
        while :; do
                r=$(xenstore-read $b/request 2>/dev/null) || r=
                s=$(xenstore-read $b/served 2>/dev/null) || s=
                if [ -n "$r" ] && [ "$r" != "$s" ]; then
                        xenstore-write $b/generation 13 $b/served "$r"
                fi
                sleep 0.05
        done
}
responder 5 &
rpid=$!
pids+=("$rpid")
xenstore-write /local/domain/5/data/xenprobe/request warm-up
if wait_for 10 bash -c '[ "$(xenstore-read /local/domain/5/data/xenprobe/served)" = warm-up ]'; then
        t0=$(ms)
        q "--refresh answered" 0 --refresh --json --timeout 10 5
        echo "# --refresh round trip: $(($(ms) - t0)) ms (the responder polls every 50 ms)"
        tok=$(xenstore-read /local/domain/5/data/xenprobe/request)
        LOG=$work/q.out
        judge "--refresh: the token is q<pid>-<ns>, served echoes it" \
                bash -c "[[ '$tok' =~ ^q[0-9]+-[0-9]+$ ]] && [ \"\$(xenstore-read /local/domain/5/data/xenprobe/served)\" = '$tok' ]"
        judge "--refresh: shows what was published after the answer" \
                jqe --arg t "$tok" '.domains[0].data | .generation == 13 and .served == $t and .request == $t'
        LOG=
else
        fail "--refresh: the test's responder does not run"
fi
kill "$rpid" 2>/dev/null
publish 5

t0=$(ms)
q "--refresh not answered" 4 --refresh --timeout 1 xapi
el=$(($(ms) - t0))
echo "# --refresh not answered: gave up after $el ms with --timeout 1 (figure, not a test)"
judge "--refresh not answered: says which domain and why" grep -q "domain 7 (xapi): no xenprobe daemon answered within 1 s" "$work/q.err"
q "--refresh of a domain that published nothing: not asked with --all" 4 --refresh --timeout 0.5
judge "--refresh --all: domain 6 (nothing published) not written to" bash -c "! xenstore-exists /local/domain/6/data/xenprobe"

# ---- xenstored does not answer -------------------------------------------------------------
xpid=$(cat "$work/xsd/run/xenstored.pid")
kill -STOP "$xpid"
t0=$(ms)
q "xenstored stopped (SIGSTOP): no hang" 1 --timeout 1
el=$(($(ms) - t0))
kill -CONT "$xpid"
echo "# xenstored stopped: gave up after $el ms with --timeout 1 (figure, not a test)"
judge "xenstored stopped: says xenstore did not answer" grep -q "did not answer within 1 s" "$work/q.err"

# ---- --watch -------------------------------------------------------------------------------
# introduce/release through libxenstore, the events xl create/destroy cause
helper=$work/xsdom
cat >"$work/xsdom.c" <<'EOF'
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
        if (argc != 3)
                return 2;
        void *l = dlopen("libxenstore.so.4", RTLD_NOW);
        if (!l)
                return 1;
        void *(*op)(unsigned long) = (void *(*)(unsigned long))dlsym(l, "xs_open");
        bool (*in)(void *, unsigned, unsigned long, unsigned) =
                (bool (*)(void *, unsigned, unsigned long, unsigned))dlsym(l, "xs_introduce_domain");
        bool (*rel)(void *, unsigned) = (bool (*)(void *, unsigned))dlsym(l, "xs_release_domain");
        void *h = op ? op(0) : NULL;
        if (!h || !in || !rel)
                return 1;
        unsigned id = (unsigned)strtoul(argv[2], NULL, 10);
        if (!(strcmp(argv[1], "introduce") == 0 ? in(h, id, 1, 1) : rel(h, id))) {
                perror(argv[1]);
                return 1;
        }
        return 0;
}
EOF
if ! ${CC:-cc} -o "$helper" "$work/xsdom.c" -ldl 2>"$work/cc.err"; then
        skip "--watch: cannot build the introduce/release helper ($(head -n 1 "$work/cc.err"))"
        helper=
fi

W=$work/watch.out
# (bounded by stop_bg below, the cleanup trap and tests/bounded.sh)
"$XENPROBE" query --watch --json >"$W" 2>"$work/watch.err" &
wpid=$!
pids+=("$wpid")
lines() { wc -l <"$W"; }
has() { jq -e -s "$1" "$W" >/dev/null 2>&1; } # an assertion over all lines so far
n0=$(xenstore-list /local/domain | wc -l)
judge "--watch: one 'initial' line per domain" wait_for 10 has "([.[] | select(.event == \"initial\")] | length) == $n0"
LOG=$W
judge "--watch: JSON lines (one object per line, each parses)" bash -c "jq -e -c . '$W' | wc -l | grep -qx $n0"
xenstore-write /local/domain/5/data/xenprobe/pv/net loaded /local/domain/5/data/xenprobe/generation 20
judge "--watch: a published change -> one 'changed' line with the new value" \
        wait_for 10 has '[.[] | select(.event == "changed" and .domain.domid == 5)] | length == 1 and .[-1].domain.data.pv.net == "loaded"'
# the same values again (and spurious events) print nothing; the next real
# change proves the loop ran past them
xenstore-write /local/domain/5/data/xenprobe/pv/net loaded /local/domain/5/data/xenprobe/generation 20
xenstore-write /local/domain/7/data/xenprobe/generation 4
judge "--watch: a rewrite with the same values prints nothing" \
        wait_for 10 has '(map(select(.event == "changed" and .domain.domid == 7)) | length == 1) and
                         (map(select(.event == "changed" and .domain.domid == 5)) | length == 1)'
if [ -n "$helper" ]; then
        mkdom 20 vm20 20000000-0000-4000-8000-000000000020
        publish 20
        "$helper" introduce 20
        judge "--watch: @introduceDomain -> 'new' line for the new domain" \
                wait_for 10 has 'any(.[]; .event == "new" and .domain.domid == 20 and .domain.name == "vm20" and .domain.status == "ok")'
        # destroyed: libxl removes the home, xenstored fires @releaseDomain
        xenstore-rm /local/domain/20
        "$helper" release 20
        judge "--watch: released -> 'gone' line" \
                wait_for 10 has 'any(.[]; .event == "gone" and .domain.domid == 20)'
        # same domid, another domain
        mkdom 20 vm20b 20000000-0000-4000-8000-0000000000bb
        publish 20
        "$helper" introduce 20
        judge "--watch: domid reused with another UUID -> 'new', never 'changed'" \
                wait_for 10 has '(any(.[]; .event == "new" and .domain.uuid == "20000000-0000-4000-8000-0000000000bb")) and
                                 ([.[] | select(.domain.domid == 20 and .event == "changed")] | length == 0)'
        # destroyed and recreated between two looks: the identity tells
        xenstore-rm /local/domain/20
        mkdom 20 vm20c 20000000-0000-4000-8000-0000000000cc
        publish 20
        # (the watcher may look between the writes: then the new domain
        # is first seen with nothing published, and 'changed' follows)
        judge "--watch: removed and recreated at once -> 'gone' for the old UUID, then 'new' for the new one" \
                wait_for 10 has '[.[] | select(.domain.domid == 20)] as $e | ($e | map(.event) | rindex("gone")) as $g |
                                 $g != null and $e[$g].domain.uuid == "20000000-0000-4000-8000-0000000000bb" and
                                 $e[$g + 1].event == "new" and
                                 ($e[$g + 1:] | all(.domain.uuid == "20000000-0000-4000-8000-0000000000cc")) and
                                 $e[-1].domain.status == "ok"'
else
        skip "--watch: introduce/release (no helper)"
fi
stop_bg "$wpid" INT
rc=$?
judge "--watch: SIGINT -> exit 0 (got $rc)" test "$rc" = 0
judge "--watch: every line is a JSON object with time, event, domain" \
        jq -e -s 'all(.[]; has("time") and (.event | IN("initial","new","changed","gone")) and (.domain | has("domid")))' "$W"
LOG=
# the event stream as xenprobe-json(7) freezes it, read by a strict parser
# (Python's json: no NaN/Infinity, no duplicate member, strict UTF-8, no
# blank or unterminated line), as a log shipper would take it
if command -v python3 >/dev/null; then
        cat >"$work/strict.py" <<'PY'
import json, re, sys
def nope(x):
    raise ValueError("non-standard constant " + x)
def no_dups(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate member")
    return dict(pairs)
data = open(sys.argv[1], "rb").read()
assert data.endswith(b"\n"), "the last line is not terminated"
n = 0
for raw in data.split(b"\n")[:-1]:
    line = raw.decode("utf-8", errors="strict")
    o = json.loads(line, parse_constant=nope, object_pairs_hook=no_dups)
    assert isinstance(o, dict) and set(o) == {"time", "event", "domain"}, o.keys()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", o["time"]), o["time"]
    assert o["event"] in ("initial", "new", "changed", "gone"), o["event"]
    d = o["domain"]
    assert isinstance(d["domid"], int) and not isinstance(d["domid"], bool) and 0 <= d["domid"] < 0x7FF0
    assert isinstance(d["status"], str) and isinstance(d["problems"], list)
    n += 1
assert n > 0
print(n, "lines")
PY
        python3 "$work/strict.py" "$W" >"$work/strict.out" 2>&1
        rc=$?
        LOG=$work/strict.out judge "--watch: every line of the session passes a strict JSON parser and the frozen schema" \
                test $rc = 0
        echo "# --watch strict parse: $(tail -n 1 "$work/strict.out")"
else
        skip "--watch: strict JSON parse (no python3)"
fi

# text mode: the table, then timestamped rows; SIGTERM ends it
W=$work/watch.txt
"$XENPROBE" query --watch web1 >"$W" 2>"$work/watch.err" &
wpid=$!
pids+=("$wpid")
judge "--watch text: the table first" wait_for 10 grep -q '^Domain 5 (web1)$' "$W"
xenstore-write /local/domain/5/data/xenprobe/boot/summary ok
LOG=$W
judge "--watch text: a timestamped row" \
        wait_for 10 grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z changed +5 +web1 +pvhvm .* ok +2 +0\.4\.0 +ok$' "$W"
stop_bg "$wpid" TERM
rc=$?
judge "--watch text: SIGTERM -> exit 0 (got $rc)" test "$rc" = 0
LOG=

# xenstored gone under --watch: an error, not a hang
"$XENPROBE" query --watch >/dev/null 2>"$work/watch.err" &
wpid=$!
pids+=("$wpid")
sleep 0.5
bash "$xsd" kill "$work/xsd" >/dev/null 2>&1
xenstore-write /local/domain/5/data/xenprobe/mode pv 2>/dev/null
stop_bg "$wpid" 0
rc=$?
LOG=$work/watch.err
judge "--watch: xenstored killed -> exit 1 (got $rc)" test "$rc" = 1
judge "--watch: xenstored killed -> says the connection was lost" grep -qi "connection" "$work/watch.err"
LOG=

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
