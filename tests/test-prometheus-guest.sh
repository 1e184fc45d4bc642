#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The guest's own metrics: `xenprobe --root DIR --prometheus` on fixture
# roots against series written here by hand from each root's tree/, SOURCE
# and expected.json (and the reviewed report.json for the warning count),
# never from xenprobe; `promtool check metrics` silent on each; and
# `xenprobed --textfile FILE` scraped by the real node_exporter's textfile
# collector, without xenstore and against the real xenstored: the file
# appears, is replaced whole when the report changes (and only then), mode
# 0644, no temporary file left; an unusable path is said and publishing
# goes on.
#
# Automake test: 0 pass, 1 fail, 77 skip (the Prometheus programs cannot be
# fetched; XP_PROM_REQUIRED=1 makes that a failure).
set -u
XENPROBE=${XENPROBE:-./xenprobe}
XENPROBE=$(cd "$(dirname "$XENPROBE")" && pwd)/$(basename "$XENPROBE")
src=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
roots=$src/tests/roots
xsd=$src/tests/xenstored/xsd.sh

. "$src/tests/prometheus/lib.sh"
prom_tools_or_skip "$src/tests/prometheus/tools.sh"
command -v curl >/dev/null || { echo "SKIP: curl not installed"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/xp-promguest.XXXXXX")
pids=()
xsd_up=
cleanup() {
        for p in "${pids[@]}"; do stop_pid "$p"; done
        [ -n "$xsd_up" ] && bash "$xsd" stop "$work/xsd" >/dev/null 2>&1
        rm -rf "$work"
}
trap cleanup EXIT

passed=0 failed=0 skipped=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); [ -n "${2:-}" ] && [ -f "$2" ] && tail -n 15 "$2"; }
skip() { echo "SKIP $1"; skipped=$((skipped + 1)); }
judge() { # NAME COMMAND...
        local name=$1
        shift
        if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name" "${LOG:-}"; fi
}
wait_for() { # SECONDS COMMAND...
        local deadline=$((SECONDS + $1))
        shift
        until "$@" >/dev/null 2>&1; do
                [ $SECONDS -ge "$deadline" ] && return 1
                sleep 0.1
        done
}
mkroot() { bash "$src/tests/mkroot.sh" "$roots/$1" "$2" >/dev/null; }
series() { grep -v '^#' "$1" | grep -v '^xenprobe_probe_timestamp_seconds ' | sort; }
# node_exporter prints labels sorted by name: the same for lines of ours
norm_labels() {
        awk '{
                i = index($0, "{"); if (!i) { print; next }
                j = index($0, "} "); inner = substr($0, i + 1, j - i - 1)
                n = split(inner, a, "\",")
                for (k = 1; k < n; k++) a[k] = a[k] "\""
                for (k = 2; k <= n; k++) { v = a[k]; m = k - 1; while (m > 0 && a[m] > v) { a[m + 1] = a[m]; m-- } a[m + 1] = v }
                t = a[1]; for (k = 2; k <= n; k++) t = t "," a[k]
                print substr($0, 1, i) t substr($0, j)
        }' | sort
}
# the series of EXPECTED missing from SCRAPE (labels in either order)
missing_from() { comm -23 <(norm_labels <"$1") <(grep '^xenprobe_' "$2" | norm_labels); }
ts_of() { sed -n 's/^xenprobe_probe_timestamp_seconds \([0-9.e+]*\)$/\1/p' "$1"; }
# TIMESTAMP within [FROM, TO] (whole seconds, TO inclusive of its second)
ts_between() { awk -v t="$1" -v a="$2" -v b="$3" 'BEGIN { exit !(t != "" && t >= a && t < b + 1) }'; }
promtool_silent() { # FILE: exit 0 and not a word
        local out
        out=$("$PROMTOOL" check metrics <"$1" 2>&1) && [ -z "$out" ] || { echo "$out"; return 1; }
}
no_temp_files() { [ -z "$(find "$1" -name '.*' ! -name . -print)" ]; }
mode_is() { [ "$(stat -c %a "$2")" = "$1" ]; }

V=$("$XENPROBE" --version | awk '{ print $2 }')
info() { # verdict mode role hypervisor xen_version
        printf 'xenprobe_info{verdict="%s",mode="%s",role="%s",confidence="high",hypervisor="%s",xen_version="%s",agent_version="%s",schema="1"} 1\n' \
                "$1" "$2" "$3" "$4" "$5" "$V"
}
overall() { # the state that is 1
        local s
        for s in ok missing cannot-verify not-checked; do
                printf 'xenprobe_boot_overall_readiness{state="%s"} %d\n' "$s" "$([ "$s" = "$1" ] && echo 1 || echo 0)"
        done
}
kernel() { # release state
        local s
        for s in ok missing cannot-verify; do
                printf 'xenprobe_boot_readiness{kernel="%s",state="%s"} %d\n' "$1" "$s" "$([ "$s" = "$2" ] && echo 1 || echo 0)"
        done
}
pv() { printf 'xenprobe_pv_driver_info{driver="block",state="%s"} 1\nxenprobe_pv_driver_info{driver="net",state="%s"} 1\n' "$1" "$2"; }

# --- the expected series, by hand -----------------------------------------
# xen417-domU-pvhvm-debian12 (expected.json: pvhvm, domU, Xen 4.17.5): vbd-768
# bound to the vbd driver (SYMLINKS) -> block in-use; no vif, xen_netfront
# not in proc/modules, lib/modules has modules.builtin only (no modules.dep
# to say whether it is a module) -> net unknown; no kernel in boot/ ->
# not-checked; report.json (reviewed) has no warnings.
{
        info pvhvm pvhvm domU xen 4.17.5
        overall not-checked
        pv in-use unknown
        echo "xenprobe_warnings 0"
} | sort >"$work/pvhvm.expected"

# xen417-e2e-pv-systemd (expected.json: pv, domU, Xen 4.17.5; xl.cfg vif=[]):
# vbd-51712 bound -> block in-use; xen-netfront in modules.dep, not loaded
# -> net module.  boot/ gets, below, kernels the readiness rules of
# xenprobe(8) decide:
#   6.1.0-50-amd64  the capture's config (xen-blkfront =m) and no initramfs:
#                   nothing can load the root disk's driver -> missing
#   6.1.0-60-xen    a config with XEN_PV and XEN_BLKDEV_FRONTEND =y, no
#                   initramfs needed, a grub.cfg for pygrub -> ok (in PV)
#   6.1.0-51-amd64+a*55 and the same +b (70 bytes, a token's limit is 64):
#                   no config -> cannot-verify; both cut to their first 61
#                   bytes + "...": one series, not a duplicate
# the worst: missing.
long=6.1.0-51-amd64+$(printf 'a%.0s' $(seq 55))
{
        info pv pv domU xen 4.17.5
        overall missing
        kernel 6.1.0-50-amd64 missing
        kernel "${long:0:61}..." cannot-verify
        kernel 6.1.0-60-xen ok
        pv in-use module
        echo "xenprobe_warnings 0"
} | sort >"$work/pv.expected"
add_kernels() { # ROOT
        printf 'MZ' >"$1/boot/vmlinuz-6.1.0-50-amd64"
        printf 'MZ' >"$1/boot/vmlinuz-6.1.0-60-xen"
        printf 'CONFIG_XEN=y\nCONFIG_XEN_PV=y\nCONFIG_XEN_PVH=y\nCONFIG_XEN_PVHVM=y\nCONFIG_XEN_BLKDEV_FRONTEND=y\nCONFIG_XEN_NETDEV_FRONTEND=y\nCONFIG_EXT4_FS=y\nCONFIG_HVC_XEN=y\n' \
                >"$1/boot/config-6.1.0-60-xen"
        mkdir -p "$1/boot/grub"
        printf 'menuentry "Debian" {\n\tlinux /boot/vmlinuz-6.1.0-60-xen root=/dev/xvda ro\n}\n' >"$1/boot/grub/grub.cfg"
        printf 'MZ' >"$1/boot/vmlinuz-${long}"
        printf 'MZ' >"$1/boot/vmlinuz-${long%a}b"
}

# kvm-debian12 (expected.json: none, hypervisor kvm): no Xen -> no PV
# driver series, role none, no Xen version (empty label); no kernel in boot/.
{
        info none none none kvm ""
        overall not-checked
        echo "xenprobe_warnings 0"
} | sort >"$work/kvm.expected"

# --- xenprobe --root DIR --prometheus --------------------------------------
mkroot xen417-domU-pvhvm-debian12 "$work/pvhvm" &
mkroot kvm-debian12 "$work/kvm" &
mkroot xen417-e2e-pv-systemd "$work/pv"
wait
cp -a "$work/pv" "$work/droot" # for the daemon, kernels installed later
add_kernels "$work/pv"
for c in pvhvm pv kvm; do
        t0=$(date +%s)
        "$XENPROBE" --root "$work/$c" --prometheus >"$work/$c.prom" 2>"$work/$c.err"
        rc=$?
        t1=$(date +%s)
        judge "--prometheus $c: exit 0" test $rc = 0
        if cmp -s <(series "$work/$c.prom") "$work/$c.expected"; then
                pass "--prometheus $c: the series written by hand ($(grep -vc '^#' "$work/$c.prom") series)"
        else
                fail "--prometheus $c: the series written by hand"
                diff <(series "$work/$c.prom") "$work/$c.expected" | head -n 20
        fi
        judge "--prometheus $c: xenprobe_probe_timestamp_seconds is the probe's time" \
                ts_between "$(ts_of "$work/$c.prom")" "$t0" "$t1"
        if promtool_silent "$work/$c.prom" >"$work/$c.promtool"; then pass "--prometheus $c: promtool check metrics silent"
        else fail "--prometheus $c: promtool check metrics silent" "$work/$c.promtool"; fi
        judge "--prometheus $c: nothing on stderr" test ! -s "$work/$c.err"
done
judge "every sample line is NAME{...} VALUE or NAME VALUE, no client timestamp" \
        bash -c "! grep -vhE '^#|^xenprobe_[a-z_]+(\{[^}]*\})? [0-9.]+$' '$work/pvhvm.prom' '$work/pv.prom' '$work/kvm.prom'"

mkdir -p "$work/image/boot"
"$XENPROBE" --root "$work/image" --prometheus >/dev/null 2>"$work/image.err"
judge "--prometheus on an offline image (no proc/, no sys/): exit 1" test $? = 1
judge "... says it is not a capture" grep -q "not a capture of a running system" "$work/image.err"
"$XENPROBE" --prometheus query >/dev/null 2>"$work/q.err"
judge "--prometheus before query: usage (2)" test $? = 2
judge "... points to query --prometheus" grep -q 'xenprobe query --prometheus' "$work/q.err"
"$XENPROBE" --root "$work/pvhvm" publish --domid 5 --textfile "$work/x.prom" >/dev/null 2>"$work/pt.err"
judge "publish --textfile: usage (2), the daemon's option" test $? = 2

# --- the daemon without xenstore: the file is written all the same ----------
mkdir "$work/tf0"
LOG=$work/d0.log
XENSTORED_PATH=$work/none/socket "$XENPROBE" --root "$work/pvhvm" daemon --domid 5 \
        --textfile "$work/tf0/xenprobe.prom" >"$LOG" 2>&1 &
d0=$!
pids+=("$d0")
judge "daemon, xenstore unreachable: the textfile appears" wait_for 20 test -s "$work/tf0/xenprobe.prom"
judge "daemon, xenstore unreachable: it says it waits for xenstore" wait_for 10 grep -q "xenstore not reachable" "$LOG"
judge "daemon, xenstore unreachable: the series written by hand" cmp -s <(series "$work/tf0/xenprobe.prom") "$work/pvhvm.expected"
judge "daemon textfile: mode 0644 (under the unit's UMask=0077 too)" mode_is 644 "$work/tf0/xenprobe.prom"
judge "daemon textfile: no temporary file left" no_temp_files "$work/tf0"
stop_pid "$d0"

# outside Xen: the file says so (verdict none), and the daemon exits 0
mkdir "$work/tfk"
XENSTORED_PATH=$work/none/socket timeout 30 "$XENPROBE" --root "$work/kvm" daemon --domid 9 \
        --textfile "$work/tfk/xenprobe.prom" >"$work/dk.log" 2>&1
judge "daemon outside Xen: exit 0" test $? = 0
judge "daemon outside Xen: the textfile written once, verdict none" \
        cmp -s <(series "$work/tfk/xenprobe.prom") "$work/kvm.expected"

# --- node_exporter's textfile collector scrapes what the daemon wrote -------
scrape() { curl -fsS --max-time 5 "http://127.0.0.1:$NE_PORT/metrics" >"$1"; }
if node_exporter_start "$work" "$work/tf0"; then
        pids+=("$NE_PID")
        scrape "$work/scrape0.txt"
        judge "node_exporter: node_textfile_scrape_error 0" grep -qx 'node_textfile_scrape_error 0' "$work/scrape0.txt"
        missing=$(missing_from "$work/pvhvm.expected" "$work/scrape0.txt")
        if [ -z "$missing" ]; then pass "node_exporter: every series of the file, as written"
        else fail "node_exporter: every series of the file, as written"; echo "$missing" | head; fi
        judge "node_exporter: node_textfile_mtime_seconds for the file" \
                grep -q "^node_textfile_mtime_seconds{file=\"[^\"]*xenprobe.prom\"}" "$work/scrape0.txt"
else
        fail "node_exporter started on 127.0.0.1" "$work/node_exporter.log"
fi

# --- the daemon against the real xenstored ---------------------------------
out=$(bash "$xsd" start "$work/xsd" 2>"$work/xsd.err")
rc=$?
if [ $rc = 0 ]; then
        xsd_up=1
        export "${out?}"
        eval "$(bash "$xsd" env)"
elif [ $rc = 77 ] && [ "${XP_XSD_REQUIRED:-}" != 1 ]; then
        skip "daemon against the real xenstored: $(tail -n 1 "$work/xsd.err")"
else
        fail "xenstored started" "$work/xsd.err"
fi
if [ -n "$xsd_up" ]; then
        rd() { xenstore-read "$1" 2>/dev/null; }
        key_is() { [ "$(rd "$1")" = "$2" ]; }
        key_gt() { local v; v=$(rd "$1") && [ -n "$v" ] && [ "$v" -gt "$2" ]; }
        D=/local/domain/6/data/xenprobe
        # the node_exporter above reads tf0: the daemon now writes there
        F=$work/tf0/xenprobe.prom
        rm -f "$F"
        LOG=$work/d1.log
        "$XENPROBE" --root "$work/droot" daemon --domid 6 --textfile "$F" >"$LOG" 2>&1 &
        d1=$!
        pids+=("$d1")
        judge "daemon: publishes (generation 1)" wait_for 20 key_is $D/generation 1
        judge "daemon: the textfile appears" wait_for 10 test -s "$F"
        judge "daemon: textfile verdict pv, as published" grep -q '^xenprobe_info{verdict="pv",mode="pv",' "$F"
        ino=$(stat -c %i "$F")
        # the file as it is, kept by a second name: its inode cannot be
        # freed and reused, so another inode at $F means it was replaced
        hold=$work/tf0/hold.txt
        ln "$F" "$hold"
        cp "$F" "$work/before.prom"
        # a republish that probed nothing (the subtree deleted under it): the
        # metrics did not change, the file is left alone
        xenstore-rm $D
        judge "daemon: subtree deleted -> published again" wait_for 10 key_gt $D/generation 1
        sleep 0.5
        judge "daemon: ... and the textfile not rewritten (same inode)" test "$(stat -c %i "$F")" = "$ino"
        # a reader all along (bash builtins: no fork between reads): it must
        # only ever see a whole file
        ( reads=0
        until [ -e "$work/stop-reader" ]; do
                mapfile -t l <"$F" || continue
                reads=$((reads + 1))
                case "${l[0]:-}|${l[${#l[@]} - 1]:-}" in
                "# HELP xenprobe_info "*"|xenprobe_probe_timestamp_seconds "*) ;;
                *) echo "torn read $reads: ${#l[@]} lines" >>"$work/torn" ;;
                esac
        done
        echo "$reads" >"$work/reads" ) &
        reader=$!
        # kernels installed into the root's /boot: inotify, a probe with boot
        # readiness, new series
        ts=$(ts_of "$F")
        add_kernels "$work/droot"
        judge "daemon: kernels installed -> the textfile has their readiness" \
                wait_for 20 grep -q '^xenprobe_boot_readiness{kernel="6.1.0-60-xen",state="ok"} 1$' "$F"
        judge "daemon: ... the series written by hand" wait_for 10 cmp -s <(series "$F") "$work/pv.expected"
        judge "daemon: ... replaced, not rewritten in place (a new inode)" test "$(stat -c %i "$F")" != "$ino"
        judge "daemon: ... the old file's bytes untouched" cmp -s "$hold" "$work/before.prom"
        rm -f "$hold"
        judge "daemon: ... with a later probe timestamp" awk -v a="$ts" -v b="$(ts_of "$F")" 'BEGIN { exit !(b > a) }'
        for i in 1 2 3; do
                ts=$(ts_of "$F")
                sleep 0.01
                kill -HUP "$d1"
                wait_for 20 awk -v a="$ts" -v f="$F" 'BEGIN { getline l <f; while ((getline l <f) > 0) if (l ~ /^xenprobe_probe_timestamp_seconds /) { split(l, p, " "); exit !(p[2] > a) } exit 1 }'
        done
        judge "daemon: SIGHUP -> probed again, the timestamp moves" grep -q "SIGHUP" "$LOG"
        touch "$work/stop-reader"
        wait "$reader"
        judge "daemon: a reader never saw a torn or empty file ($(cat "$work/reads") reads across the rewrites)" \
                test ! -e "$work/torn" -a -s "$work/reads"
        judge "daemon: mode 0644" mode_is 644 "$F"
        judge "daemon: no temporary file left" no_temp_files "$work/tf0"
        if [ -n "${NE_PID:-}" ]; then
                # the daemon may still rewrite the file (a probe queued by the
                # last signal or inotify event): the scrape compared is one
                # taken while the file held one timestamp before and after it
                for i in 1 2 3 4 5 6 7 8 9 10; do
                        ts=$(ts_of "$F")
                        scrape "$work/scrape1.txt"
                        [ "$(ts_of "$F")" = "$ts" ] && break
                        sleep 0.3
                done
                judge "node_exporter, after the rewrites: node_textfile_scrape_error 0" \
                        grep -qx 'node_textfile_scrape_error 0' "$work/scrape1.txt"
                missing=$(missing_from "$work/pv.expected" "$work/scrape1.txt")
                if [ -z "$missing" ]; then pass "node_exporter, after the rewrites: the new series"
                else fail "node_exporter, after the rewrites: the new series"; echo "$missing" | head; fi
                judge "node_exporter: the probe timestamp as in the file" \
                        awk -v a="$ts" -v b="$(ts_of "$work/scrape1.txt")" \
                        'BEGIN { d = a - b; exit !(b != "" && d < 0.002 && d > -0.002) }'
        fi
        stop_pid "$d1"
        judge "daemon: SIGTERM -> the textfile stays" test -s "$F"

        # unusable paths: said with the path, publishing goes on, the write
        # retried; a symlink at the path is replaced, its target untouched
        echo victim >"$work/victim"
        touch "$work/notadir"
        mkdir -p "$work/tf2/isdir"
        ln -s "$work/victim" "$work/tf2/link.prom"
        n=20
        for p in "$work/missing/x.prom" "$work/notadir/x.prom" "$work/tf2/isdir" "$work/tf2/link.prom"; do
                n=$((n + 1))
                LOG=$work/d$n.log
                "$XENPROBE" --root "$work/pvhvm" daemon --domid $n --textfile "$p" >"$LOG" 2>&1 &
                dp=$!
                pids+=("$dp")
                judge "daemon --textfile $(basename "$(dirname "$p")")/$(basename "$p"): publishes all the same" \
                        wait_for 20 key_is /local/domain/$n/data/xenprobe/generation 1
                case $p in
                */link.prom)
                        judge "... a symlink at the path is replaced by the file" wait_for 10 test -f "$p" -a ! -L "$p"
                        judge "... its target untouched" grep -qx victim "$work/victim"
                        ;;
                *)
                        judge "... the error names the path" grep -q -- "--textfile $p: " "$LOG"
                        judge "... and says it once while it lasts" test "$(grep -c -- "--textfile $p: " "$LOG")" = 1
                        judge "... no temporary file left" no_temp_files "$work/tf2"
                        ;;
                esac
                if [ "$p" = "$work/missing/x.prom" ]; then
                        mkdir "$work/missing"
                        judge "... the directory created: written on a retry (back-off)" wait_for 10 test -s "$p"
                        judge "... and said" grep -q "written now (it failed before)" "$LOG"
                fi
                judge "... still running" kill -0 "$dp"
                stop_pid "$dp"
        done
fi

echo "# $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
