#!/bin/bash
# Command-line contract: exit status 0 report, 1 no report (with a reason on
# stderr), 2 usage; --short prints one known word; --json is one object.
set -u
XENPROBE=${XENPROBE:-./xenprobe}
work=$(mktemp -d "${TMPDIR:-/tmp}/xp-cli.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail=0

expect() { # name expected-status command...
        local name=$1 want=$2
        shift 2
        "$@" >"$work/out" 2>"$work/err"
        local got=$?
        if [ "$got" = "$want" ]; then
                echo "PASS $name"
        else
                echo "FAIL $name: exit $got, expected $want"
                cat "$work/err"
                fail=1
        fi
}

expect "no arguments" 0 "$XENPROBE"
expect "--short" 0 "$XENPROBE" --short
grep -qxE 'pv|pvh|pvhvm|hvm|dom0-pv|dom0-pvh|none' "$work/out" || { echo "FAIL --short word: $(cat "$work/out")"; fail=1; }
expect "--json" 0 "$XENPROBE" --json
if command -v jq >/dev/null; then
        jq -e '.schema == 1 and (.evidence | length > 0) and has("hypervisor") and has("xen") and (.warnings | type == "array")' \
                "$work/out" >/dev/null || { echo "FAIL --json contract"; fail=1; }
fi
expect "--help" 0 "$XENPROBE" --help
expect "--version" 0 "$XENPROBE" --version
expect "unknown option" 2 "$XENPROBE" --bogus
expect "unknown command" 2 "$XENPROBE" frobnicate
expect "snapshot without dir" 2 "$XENPROBE" snapshot
expect "--root missing dir" 1 "$XENPROBE" --root "$work/does-not-exist"
grep -q "does-not-exist" "$work/err" || { echo "FAIL --root missing dir: message does not name the path"; fail=1; }
mkdir "$work/empty"
# no proc/ or sys/: a mounted guest image; no verdict, only boot readiness
expect "--root of an empty directory (offline image)" 0 "$XENPROBE" --root "$work/empty"
grep -q "no live verdict" "$work/out" && grep -q "no boot/ directory" "$work/out" ||
        { echo "FAIL empty root: the offline report must say there is no verdict and no boot/"; fail=1; }
expect "--root of an empty directory, --short" 1 "$XENPROBE" --root "$work/empty" --short
grep -q "no proc/ or sys/" "$work/err" || { echo "FAIL empty root --short: no reason given"; fail=1; }
# a root with only a proc/ still gives a report, CPUID "not available"
mkdir -p "$work/minimal/proc"
expect "--root with an empty proc/" 0 "$XENPROBE" --root "$work/minimal" --json
if command -v jq >/dev/null; then
        jq -e '.verdict == "none" and any(.evidence[]; .source == "cpuid" and .status == "not-available")' "$work/out" >/dev/null ||
                { echo "FAIL minimal root: CPUID must be not-available, never the host's"; fail=1; }
fi
# a malformed CPUID snapshot is an error message and no crash
mkdir -p "$work/minimal/run/xenprobe"
echo "this is not hex" >"$work/minimal/run/xenprobe/cpuid"
expect "--root with a malformed cpuid file" 0 "$XENPROBE" --root "$work/minimal" --short
grep -q "line 1" "$work/err" || { echo "FAIL malformed cpuid: message does not name the line"; fail=1; }
# PID 1's environment, read and without container=, is found, not absent;
# an empty /.dockerenv shows as what it holds, "(empty)"
mkdir -p "$work/env/proc/1"
printf 'PATH=/bin\0HOME=/\0' >"$work/env/proc/1/environ"
expect "--root with a PID 1 environment without container=" 0 "$XENPROBE" --root "$work/env" --no-boot
grep -qF "/proc/1/environ = 2 variables  -> no container= variable in PID 1's environment" "$work/out" &&
        ! grep -q "proc/1/environ, .dockerenv: absent" "$work/out" ||
        { echo "FAIL proc/1/environ: a read environment must not be called absent"; fail=1; }
: >"$work/env/.dockerenv"
expect "--root with an empty .dockerenv" 0 "$XENPROBE" --root "$work/env" --no-boot
grep -qF "/.dockerenv = (empty)  -> running inside a container" "$work/out" ||
        { echo "FAIL .dockerenv: the value must be what the file holds"; fail=1; }
# names from a guest's disk may be any bytes: the JSON stays valid UTF-8
# (iconv refuses invalid input; jq would pass it through)
mkdir -p "$work/u8/boot" "$work/u8/etc"
bad=$(printf '6.1.0-\377\376')
printf 'not a kernel' >"$work/u8/boot/vmlinuz-$bad"
printf '070701' >"$work/u8/boot/initrd.img-$bad"
printf '/dev/xvda1 / ext4 defaults 0 1\n' >"$work/u8/etc/fstab"
for sub in "" initrd; do
        "$XENPROBE" --root "$work/u8" $sub --json >"$work/u8.json" 2>/dev/null
        if [ -s "$work/u8.json" ] && iconv -f UTF-8 -t UTF-8 "$work/u8.json" >/dev/null 2>&1; then
                echo "PASS --root ${sub:+$sub }--json with non-UTF-8 file names: valid UTF-8"
        else
                echo "FAIL --root ${sub:+$sub }--json with non-UTF-8 file names: output empty or not UTF-8"
                fail=1
        fi
done
# subcommand help is help, never a directory or an ignored option
(cd "$work" && expect "snapshot --help: usage, exit 0" 0 "$XENPROBE" snapshot --help)
[ -e "$work/--help" ] && { echo "FAIL snapshot --help wrote a snapshot into ./--help"; fail=1; }
grep -q "Usage: xenprobe \[--root DIR\] snapshot DIR" "$work/out" || { echo "FAIL snapshot --help: no usage"; fail=1; }
(cd "$work" && expect "snapshot -x: an option, not a directory: usage error" 2 "$XENPROBE" snapshot -x)
[ -e "$work/-x" ] && { echo "FAIL snapshot -x wrote a snapshot"; fail=1; }
expect "--no-boot before publish: usage error, not ignored" 2 "$XENPROBE" --no-boot publish
grep -q "xenprobe publish --no-boot" "$work/err" || { echo "FAIL --no-boot publish: message does not say where it goes"; fail=1; }
# writing the report to a closed/full stdout is an error, not a silent 0
if [ -w /dev/full ]; then
        "$XENPROBE" --json >/dev/full 2>/dev/null
        [ $? = 1 ] && echo "PASS stdout full" || { echo "FAIL stdout full: not reported"; fail=1; }
fi
exit $fail
