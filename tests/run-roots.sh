#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run-roots.sh: replay every fixture root under tests/roots/ through
# `xenprobe --root DEST --json` and compare with the case's expected.json
# (written from independent ground truth, never from xenprobe's output).
#
# Automake test script: exit 0 pass, 1 fail, 77 skip.
# Env:
#   XENPROBE  the binary (default ./xenprobe, i.e. run from the build dir)
#   srcdir    set by automake (top srcdir in a non-recursive build); top_srcdir
#             is used when srcdir is unset; else the script's own directory
#   ROOTS     optional, space-separated case names: run only those
#   KEEP_ROOTS=1  keep the materialized roots of failed cases
#   ROOTS_DIR the directory of cases (default tests/roots; tests/xen's
#             check.sh points it at the roots a check-xen run imported)
#
# Per case tests/roots/NAME/:
#   expected.json          {verdict, hypervisor, xen: {role, mode, version} | null,
#                           container}: compared with jq -S + diff -u; an
#                           optional "boot": {root_fstype, checks: {NAME:
#                           STATUS}} is compared with the same keys of the
#                           report's .boot (the type from the capture's own
#                           mount table, a status from what the capture shows)
#   expected-warnings.txt  optional; one fixed substring per line ('#' comments),
#                          each must occur in one of .warnings[]
#   report.txt, report.json  optional golden copies of the whole report (text;
#                          JSON without .root, compared with jq -S): written
#                          from the capture and reviewed line by line against
#                          tree/ and SOURCE (tests/roots/README), so a change of
#                          any evidence line, rule or check shows in a diff
# and every report must have "schema": 1 and a non-empty .evidence array.
set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${srcdir:-${top_srcdir:-}}
if [ -n "$srcdir" ] && [ -d "$srcdir/tests/roots" ]; then
        tests=$srcdir/tests
elif [ -n "$srcdir" ] && [ -d "$srcdir/roots" ]; then
        tests=$srcdir
else
        tests=$here
fi
roots=${ROOTS_DIR:-$tests/roots}
mkroot=$tests/mkroot.sh
XENPROBE=${XENPROBE:-./xenprobe}

command -v jq >/dev/null 2>&1 || { echo "SKIP: jq not installed"; exit 77; }
PATH=$PATH:/sbin:/usr/sbin command -v depmod >/dev/null 2>&1 || { echo "SKIP: depmod (kmod) not installed"; exit 77; }
[ -x "$XENPROBE" ] || { echo "FAIL: XENPROBE=$XENPROBE is not an executable"; exit 1; }
[ -d "$roots" ] || { echo "FAIL: $roots: no such directory"; exit 1; }

if [ -n "${ROOTS:-}" ]; then
        names=$ROOTS
else
        names=
        for d in "$roots"/*/; do
                [ -f "$d/expected.json" ] && names="$names $(basename "$d")"
        done
fi
[ -n "$names" ] || { echo "SKIP: no fixture roots"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/xenprobe-roots.XXXXXX") || exit 1
cleanup() { chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# Lines of the text report that the reviewed fixes pinned, in cases that have
# no golden copy yet (tests/roots only, not a ROOTS_DIR import):
# "NAME|+TEXT": some line must contain TEXT; "NAME|-TEXT": no line may.
line_checks=$(cat <<'EOF'
xen417-e2e-pv|+cpuid       leaf 0x40000001 (forced emulation) = 4.17  -> Xen version from CPUID
xen417-e2e-pv|-cpuid       leaf 0x40000001 = 4.17
xen417-dom0-pv-debian12|+leaf 0x40000001 (forced emulation) = 4.17
xen417-dom0-pv-debian12|+(i440FX + PIIX, 1996)  -> a QEMU virtual machine (KVM or TCG: DMI does not tell which)
xen417-dom0-pvh|-QEMU (TCG)
xen417-e2e-pv|+no 5853:0001  -> no Xen platform device (the Xen device model adds one to HVM domUs only, unless xen_platform_pci=0)
xen417-e2e-dom0|-xen_platform_pci=0 in the guest config
xen417-e2e-pvh|-or not Xen
xen417-e2e-pvh|+container   /proc/1/environ = (empty)  -> no container= variable in PID 1's environment
xen417-e2e-pvh|-proc/1/environ, .dockerenv: absent
container-docker-kvm|+container   /.dockerenv = (empty)  -> running inside a container
xen417-e2e-hvm-nopv|+hypervisor  /sys/hypervisor = (empty)  -> the directory exists but
xen417-e2e-hvm-nopv|+rule: domU: no dom0 evidence (nothing in /sys/hypervisor, no xenfs on /proc/xen)
xen417-domU-hvm-xennopv|-/sys/hypervisor: absent
xen417-e2e-pv|+nested: none: Xen cannot run inside a PV domain
xen417-domU-pv-debian12|-a Xen nested here could run PV guests only
baremetal-synthetic|+nested: not nested (no hypervisor below): a Xen installed here would run on the hardware and could host PV guests only (no VMX/SVM visible)
xen417-e2e-pvh|+nested: no VMX/SVM visible: a Xen nested here could run PV guests only
xen417-e2e-hvm-nopv|+platform device present but no driver bound (xen-platform-pci refuses it under nopv)
xen417-e2e-hvm-nopv|-CONFIG_XEN_PVHVM off
xen417-domU-hvm-blacklisted|+xen_emul_unplug=never: the kernel keeps the emulated devices and the PV frontends refuse to bind
xen417-domU-hvm-xennopv|+xen_nopv (the only spelling before Linux 5.3 added nopv): the kernel ignores Xen in an HVM guest
xen420-domU-pvh-debian13|+kernel      proc/version (release) = 6.12.117+deb13-amd64
xen420-domU-pvh-debian13|+module xen_kbdfront = built-in
xen420-domU-pvh-debian13|+rule: domU: start_flags/initdomain = 0 (no SIF_INITDOMAIN)
xen420-domU-pvh-debian13|+on this Xen PVH and HVM domains read the same word
xen420-domU-hvm-pvdrivers-debian13|+rule: pv-drivers-in-use: HVM domain with connected PV frontends (vbd)
xen420-dom0-pv-debian13|+start_flags/{initdomain,privileged,unknownNN} = initdomain=1 privileged=1 unknown03=1
xen420-dom0-pv-debian13|+rule: dom0: start_flags/initdomain = 1 (SIF_INITDOMAIN)
xen420-dom0-pv-debian13|+vif-1 = vif device/vif/1 state=Initialising driver=(none)  -> in dom0: the device model's default NIC
xen420-dom0-pv-debian13|-offered by the toolstack
xen417-dom0-pvh|+note: DMI "QEMU / Standard PC (i440FX + PIIX, 1996)" is a QEMU virtual machine (KVM or TCG: DMI does not tell which): this Xen host is itself virtualized (nested)
kvm-debian12|+dmi         /sys/class/dmi/id: absent  -> no DMI tables (no SMBIOS), as in Xen PV and PVH guests, VMs booted without SMBIOS (e.g. Firecracker)
EOF
)

# The line_checks failures for case $1 in the text report $2, one per line.
text_checks() {
        printf '%s\n' "$line_checks" | while IFS='|' read -r n want; do
                [ "$n" = "$1" ] || continue
                case $want in
                +*) grep -qF -- "${want#+}" "$2" || echo "no line of the text report contains: ${want#+}" ;;
                -*) ! grep -qF -- "${want#-}" "$2" || echo "a line of the text report still contains: ${want#-}" ;;
                esac
        done
}

projection='{verdict, hypervisor,
  xen: (if .xen then {role: .xen.role, mode: .xen.mode, version: .xen.version} else null end),
  container}'

failed=0 passed=0
for name in $names; do
        case_dir=$roots/$name
        w=$work/$name
        mkdir -p "$w"
        msg=
        if [ ! -f "$case_dir/expected.json" ]; then
                msg="no such case (or no expected.json): $case_dir"
        elif ! bash "$mkroot" "$case_dir" "$w/root" >"$w/mkroot.log" 2>&1; then
                msg="mkroot.sh failed:
$(cat "$w/mkroot.log")"
        else
                "$XENPROBE" --root "$w/root" --json >"$w/out.json" 2>"$w/stderr"
                rc=$?
                if ! jq -e 'type == "object"' "$w/out.json" >/dev/null 2>&1; then
                        msg="xenprobe exit $rc, output is not a JSON object:
$(head -c 4000 "$w/out.json")
stderr:
$(head -c 4000 "$w/stderr")"
                else
                        jq -S "$projection" "$w/out.json" >"$w/got" 2>&1
                        if ! jq -S 'del(.boot)' "$case_dir/expected.json" >"$w/want" 2>&1; then
                                msg="expected.json is not valid JSON: $(cat "$w/want")"
                        elif ! d=$(diff -u --label "expected.json" --label "xenprobe --json (projected)" "$w/want" "$w/got"); then
                                msg=$d
                        fi
                        # the boot keys expected.json names, and only those
                        if jq -e 'has("boot")' "$case_dir/expected.json" >/dev/null 2>&1; then
                                jq -S .boot "$case_dir/expected.json" >"$w/want-boot"
                                jq -S --slurpfile want "$case_dir/expected.json" '$want[0].boot as $b | .boot |
                                        (if $b | has("root_fstype") then {root_fstype} else {} end) +
                                        (if $b | has("checks") then {checks: ([.checks[] | select(.name as $n |
                                                $b.checks | has($n)) | {(.name): .status}] | add // {})} else {} end)' \
                                        "$w/out.json" >"$w/got-boot" 2>&1
                                if ! d=$(diff -u --label "expected.json .boot" --label "xenprobe --json .boot (projected)" "$w/want-boot" "$w/got-boot"); then
                                        msg="${msg:+$msg
}$d"
                                fi
                        fi
                        if [ "$(jq '.schema' "$w/out.json")" != 1 ]; then
                                msg="${msg:+$msg
}\"schema\" is $(jq -c '.schema' "$w/out.json"), expected 1"
                        fi
                        if ! jq -e '(.evidence | type) == "array" and (.evidence | length) > 0' "$w/out.json" >/dev/null; then
                                msg="${msg:+$msg
}.evidence is missing or empty"
                        fi
                        # --short skips what cannot change the verdict: it must agree
                        short=$("$XENPROBE" --root "$w/root" --short 2>/dev/null)
                        if [ "$short" != "$(jq -r .verdict "$w/out.json")" ]; then
                                msg="${msg:+$msg
}--short says '$short', --json says '$(jq -r .verdict "$w/out.json")'"
                        fi
                        if [ -f "$case_dir/expected-warnings.txt" ]; then
                                jq -r '.warnings[]? | tostring' "$w/out.json" >"$w/warnings"
                                while IFS= read -r want || [ -n "$want" ]; do
                                        case $want in '' | '#'*) continue ;; esac
                                        if ! grep -qF -- "$want" "$w/warnings"; then
                                                msg="${msg:+$msg
}no warning contains: $want
warnings were:
$(sed 's/^/  /' "$w/warnings")"
                                        fi
                                done <"$case_dir/expected-warnings.txt"
                        fi
                        # the whole report, where the case has a reviewed golden copy
                        if [ -f "$case_dir/report.json" ]; then
                                jq -S 'del(.root)' "$w/out.json" >"$w/got-report.json"
                                jq -S . "$case_dir/report.json" >"$w/want-report.json"
                                if ! d=$(diff -u --label report.json --label "xenprobe --json" "$w/want-report.json" "$w/got-report.json"); then
                                        msg="${msg:+$msg
}$d"
                                fi
                        fi
                        if [ -f "$case_dir/report.txt" ]; then
                                "$XENPROBE" --root "$w/root" >"$w/got-report.txt" 2>&1
                                if ! d=$(diff -u --label report.txt --label "xenprobe (text)" "$case_dir/report.txt" "$w/got-report.txt"); then
                                        msg="${msg:+$msg
}$d"
                                fi
                        fi
                        if [ -z "${ROOTS_DIR:-}" ]; then
                                "$XENPROBE" --root "$w/root" >"$w/text" 2>&1
                                d=$(text_checks "$name" "$w/text")
                                [ -z "$d" ] || msg="${msg:+$msg
}$d"
                        fi
                        if [ -n "$msg" ] && [ "$rc" != 0 ]; then
                                msg="$msg
(xenprobe exit status $rc; stderr: $(head -c 2000 "$w/stderr"))"
                        fi
                fi
        fi
        if [ -z "$msg" ]; then
                echo "PASS $name"
                passed=$((passed + 1))
                chmod -R u+w "$w" 2>/dev/null
                rm -rf "$w"
        else
                echo "FAIL $name"
                printf '%s\n' "$msg" | sed 's/^/    /'
                failed=$((failed + 1))
                if [ "${KEEP_ROOTS:-0}" = 1 ]; then
                        keep=$(mktemp -d "${TMPDIR:-/tmp}/xenprobe-failed-$name.XXXXXX")
                        cp -R "$w/." "$keep/" && echo "    (kept in $keep)"
                fi
        fi
done

echo "# roots: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
