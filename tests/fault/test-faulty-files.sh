#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# sysfs/proc files that fail the way kernel files do, injected with
# tests/fault/faultinject.so into `xenprobe --root CAPTURE --json`:
#   open     opening fails with EACCES
#   read     read() fails with EIO
#   vanish   the first read returns a byte, the next fails with ENODEV (a
#            device unplugged mid-read)
#   endless  reads never end (a /dev/zero-like file that claims to be
#            regular): the bounded read gives up with EFBIG
#   shrink   the first read returns a byte, then end of file
# and, without the library, sparse multi-GB files in their place.
# Every run must give a report (exit 0, one JSON object) within the time
# bound; for the failures the report must carry the file's path as
# "unreadable" with the error's text.  A truncated file is data: only the
# report is checked; an empty file cannot vanish or shrink mid-read.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/fault/lib.sh"
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/xp-faulty.XXXXXX")
trap 'rm -rf "$work"' EXIT
out=$work/out err=$work/err rc=0
root=$work/root
bash "$src/tests/mkroot.sh" "$roots/xen417-domU-pvhvm-debian12" "$root" >/dev/null 2>&1 ||
        { echo "FAIL mkroot"; exit 1; }
V=$(cat "$root/proc/sys/kernel/osrelease")

# FILE (as the report names it) and GLOB (the resolved path the library
# matches: sysfs captures hold symlinks, as sysfs does)
files=(
        "sys/hypervisor/type|*/sys/hypervisor/type"
        "sys/hypervisor/guest_type|*/sys/hypervisor/guest_type"
        "sys/hypervisor/properties/features|*/sys/hypervisor/properties/features"
        "proc/cmdline|*/proc/cmdline"
        "proc/version|*/proc/version"
        "proc/modules|*/proc/modules"
        "proc/cpuinfo|*/proc/cpuinfo"
        "proc/xen/capabilities|*/proc/xen/capabilities"
        "sys/class/dmi/id/sys_vendor|*/dmi/id/sys_vendor"
        "run/xenprobe/cpuid|*/run/xenprobe/cpuid"
        "sys/bus/xen/devices/vbd-768/state|*/vbd-768/state"
        "lib/modules/$V/modules.builtin.bin|*/root/lib/modules/$V/modules.builtin.bin"
)

# unreadable_in_report FILE TEXT: the report names FILE as unreadable with TEXT
unreadable_in_report() {
        jq -e --arg p "$1" --arg t "$2" \
                '.schema == 1 and ([.evidence[] | select(.path == $p and .status == "unreadable" and
                  ((.implies // "") + (.value // "") | contains($t)))] | length > 0)' "$out" >/dev/null 2>&1
}

injectable=1
preload_ok || injectable=0
for entry in "${files[@]}"; do
        file=${entry%%|*} glob=${entry#*|}
        for mode in open read vanish endless shrink; do
                case $mode in
                open) e=EACCES text="Permission denied" ;;
                read) e=EIO text="Input/output error" ;;
                vanish) e=ENODEV text="No such device" ;;
                endless) e=EIO text="File too large" ;;
                shrink) e=EIO text="" ;;
                esac
                name="faulty files: $file $mode${text:+ ($text)}"
                if [ $injectable = 0 ]; then
                        skip "$name: $PRELOAD_WHY"
                        continue
                fi
                if [ ! -s "$root/$file" ] && { [ $mode = vanish ] || [ $mode = shrink ]; }; then
                        skip "$name: the captured file is empty"
                        continue
                fi
                run_fault 20 XP_FAULT_FILE="$glob" XP_FAULT_FILE_MODE=$mode XP_FAULT_FILE_ERRNO=$e \
                        XP_FAULT_HITS_FILE="$work/hits" -- --root "$root" --json
                if [ "$rc" != 0 ]; then
                        fail "$name: exit $rc" "$err"
                elif ! jq -e '.schema == 1 and (.evidence | length > 0)' "$out" >/dev/null 2>&1; then
                        fail "$name: not a report" "$out"
                elif ! grep -q . "$work/hits" 2>/dev/null; then
                        fail "$name: the file was never read (the case tests nothing)"
                elif [ -z "$text" ]; then
                        pass "$name: report given ($(jq -r .verdict "$out"))"
                elif unreadable_in_report "$file" "$text"; then
                        pass "$name: $(jq -r .verdict "$out"), confidence $(jq -r .confidence "$out"), path unreadable"
                else
                        fail "$name: the report does not name the path as unreadable ($text)"
                        jq -c --arg p "$file" '.evidence[] | select(.path | contains($p))' "$out" | head -3
                fi
                rm -f "$work/hits"
        done
done

# sparse multi-GB files (no library needed): the read stops at its bound
for file in sys/hypervisor/type proc/cpuinfo proc/cmdline; do
        r2=$work/huge
        rm -rf "$r2" && cp -a "$root" "$r2"
        rm -f "$r2/$file" && truncate -s 4G "$r2/$file"
        t0=$(date +%s%N)
        timeout -k 10 20 "$XENPROBE" --root "$r2" --json >"$out" 2>"$err"
        rc=$? ms=$((($(date +%s%N) - t0) / 1000000))
        if [ "$rc" != 0 ]; then
                fail "huge file: $file (4 GiB, sparse): exit $rc" "$err"
        elif ! unreadable_in_report "$file" "File too large"; then
                fail "huge file: $file (4 GiB, sparse): not reported as too large"
        else
                pass "huge file: $file (4 GiB, sparse): unreadable, File too large, in $ms ms"
        fi
done
finish
