#!/bin/bash
# Every proc/, sys/ and run/ file a probe reads, made hostile in turn: empty, random bytes, no
# trailing newline, 20 MiB (sparse), a directory, a FIFO, a symlink to
# /dev/zero, a symlink out of the root.  For each variant xenprobe must give
# a report (exit 0, one JSON object, schema 1) within a time bound: no crash,
# no hang, no read outside the root.  Run under ASan/UBSan by CI too.
set -u
XENPROBE=${XENPROBE:-./xenprobe}
srcdir=${srcdir:-${top_srcdir:-.}}
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/xp-hostile.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail=0
base=xen417-domU-pvhvm-debian12
# a file outside every root: no variant may ever show its token
token="XP-SECRET-$$-$RANDOM"
echo "$token" >"$work/outside"

for variant in empty garbage nonewline huge directory fifo devzero escape-relative escape-absolute; do
        root=$work/$variant
        bash "$srcdir/tests/mkroot.sh" "$srcdir/tests/roots/$base" "$root" >/dev/null 2>&1 || { echo "FAIL $variant: mkroot"; fail=1; continue; }
        # the files the probes read: everything regular below proc/ sys/ etc/ run/
        while IFS= read -r -d '' f; do
                case $variant in
                empty) : >"$f" ;;
                garbage) head -c 3000 /dev/urandom >"$f" ;;
                nonewline) printf '%s' "$(cat "$f")" >"$f" ;;
                huge) truncate -s 20M "$f" ;;
                directory) rm -f "$f" && mkdir "$f" ;;
                fifo) rm -f "$f" && mkfifo "$f" ;;
                devzero) rm -f "$f" && ln -s /dev/zero "$f" ;;
                escape-relative) rm -f "$f" && ln -s "../../../../../../../../../../../..$work/outside" "$f" ;;
                escape-absolute) rm -f "$f" && ln -s "$work/outside" "$f" ;;
                esac
        done < <(find "$root/proc" "$root/sys" "$root/run" -type f -print0)
        if [ "$variant" = devzero ]; then
                mkdir -p "$root/dev" # inside the root, dev/zero is absent: must not read the host's
        fi
        timeout -k 10 20 "$XENPROBE" --root "$root" --json >"$work/$variant.json" 2>"$work/$variant.err"
        rc=$?
        if [ $rc != 0 ]; then
                echo "FAIL $variant: exit $rc"; tail -5 "$work/$variant.err"; fail=1
        elif ! jq -e '.schema == 1 and (.evidence | length > 0)' "$work/$variant.json" >/dev/null 2>&1; then
                echo "FAIL $variant: not a report"; head -c 500 "$work/$variant.json"; fail=1
        elif grep -qF "$token" "$work/$variant.json"; then
                echo "FAIL $variant: a file outside the root leaked into the report"; fail=1
        else
                echo "PASS $variant ($(jq -r .verdict "$work/$variant.json"), $(jq '[.evidence[] | select(.status == "unreadable")] | length' "$work/$variant.json") unreadable)"
        fi
done
# Files libkmod reads (modprobe.d, the module index): planted FIFOs, /dev/zero
# and links out of the root must neither hang, nor exhaust memory, nor let
# the host's configuration into the report.
mkdir -p "$work/outside-conf"
echo "blacklist xen_netfront" >"$work/outside-conf/host.conf"
for variant in conf-fifo conf-devzero conf-dir-escape index-fifo index-devzero; do
        root=$work/$variant
        bash "$srcdir/tests/mkroot.sh" "$srcdir/tests/roots/$base" "$root" >/dev/null 2>&1 || { echo "FAIL $variant: mkroot"; fail=1; continue; }
        rel=$(cat "$root/proc/sys/kernel/osrelease")
        idx=$root/lib/modules/$rel/modules.builtin.bin
        mkdir -p "$root/etc/modprobe.d"
        case $variant in
        conf-fifo) mkfifo "$root/etc/modprobe.d/evil.conf" ;;
        conf-devzero) ln -s /dev/zero "$root/etc/modprobe.d/zero.conf" ;;
        conf-dir-escape) rm -rf "$root/etc/modprobe.d" && ln -s "$work/outside-conf" "$root/etc/modprobe.d" ;;
        index-fifo) rm -f "$idx" && mkfifo "$idx" ;;
        index-devzero) rm -f "$idx" && ln -s /dev/zero "$idx" ;;
        esac
        timeout -k 10 20 "$XENPROBE" --root "$root" --json >"$work/$variant.json" 2>"$work/$variant.err"
        rc=$?
        if [ $rc != 0 ]; then
                echo "FAIL $variant: exit $rc"; tail -5 "$work/$variant.err"; fail=1
        elif jq -e '.kernel.modules.xen_netfront.blacklisted == true' "$work/$variant.json" >/dev/null; then
                echo "FAIL $variant: a modprobe.d file outside the root was read"; fail=1
        elif ! jq -e '.schema == 1' "$work/$variant.json" >/dev/null; then
                echo "FAIL $variant: not a report"; fail=1
        else
                echo "PASS $variant"
        fi
        timeout -k 10 20 "$XENPROBE" --root "$root" snapshot "$work/$variant-snap" >/dev/null 2>&1
        rc=$?
        [ $rc = 0 ] && echo "PASS $variant snapshot" || { echo "FAIL $variant snapshot: exit $rc"; fail=1; }
done
exit $fail
