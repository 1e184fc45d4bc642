#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The daemon's systemd unit, dom0's exporter unit and the bash completion:
#  - the units pass `systemd-analyze verify` and their offline exposure
#    score (`systemd-analyze security`) is below 3.0 ("OK");
#  - the exporter's dom0-only gate (its ConditionPathExists= and
#    ExecCondition= lines, run as they are written) on every captured root
#    in tests/roots: it starts where expected.json (written by hand from
#    the capture) says dom0, and nowhere else;
#  - the completion offers every option the commands' own --help lists
#    (the help text is the independent source) and every subcommand.
# Automake test: 0 pass, 1 fail, 77 skip.
set -u
XENPROBE=${XENPROBE:-./xenprobe}
XENPROBE=$(cd "$(dirname "$XENPROBE")" && pwd)/$(basename "$XENPROBE")
src=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
work=$(mktemp -d "${TMPDIR:-/tmp}/xp-pkg.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0 failed=0 skipped=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
skip() { echo "SKIP $1"; skipped=$((skipped + 1)); }

# --- the unit ---------------------------------------------------------------
ln -s "$XENPROBE" "$work/xenprobed"
sed "s|@sbindir@|$work|" "$src/packaging/systemd/xenprobe.service.in" >"$work/xenprobe.service"
if command -v systemd-analyze >/dev/null; then
        # Documentation= must name pages that exist: ours, from the source tree
        mkdir -p "$work/man/man7" "$work/man/man8"
        for m in "$src"/packaging/man/*.[78]; do ln -s "$m" "$work/man/man${m##*.}/"; done
        if MANPATH=$work/man systemd-analyze verify "$work/xenprobe.service" >"$work/verify.out" 2>&1 && [ ! -s "$work/verify.out" ]; then
                pass "unit: systemd-analyze verify (no complaint)"
        else
                fail "unit: systemd-analyze verify"
                cat "$work/verify.out"
        fi
        systemd-analyze security --offline=yes "$work/xenprobe.service" >"$work/sec.out" 2>&1
        score=$(sed -n 's/.*Overall exposure level for xenprobe.service: \([0-9.]*\).*/\1/p' "$work/sec.out")
        echo "# systemd-analyze security exposure: ${score:-?}"
        if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s < 3.0) }'; then
                pass "unit: exposure $score < 3.0"
        else
                fail "unit: exposure ${score:-unknown} (goal < 3.0)"
                tail -n 5 "$work/sec.out"
        fi
        # the sandbox must leave what the probes read: ProtectKernelModules=yes
        # hides /usr/lib/modules (systemd.exec(5)), and with it libkmod's
        # modules.builtin and modules.dep
        if grep -q '^ProtectKernelModules=yes' "$work/xenprobe.service" ||
                grep -qE '^(InaccessiblePaths|TemporaryFileSystem)=.*(/usr/lib/modules|/lib/modules|/boot|/sys|/proc)' \
                        "$work/xenprobe.service"; then
                fail "unit: /usr/lib/modules, /boot, /sys and /proc stay readable"
        else
                pass "unit: /usr/lib/modules, /boot, /sys and /proc stay readable"
        fi
        if grep -q '✓ SystemCallFilter=~@module' "$work/sec.out"; then
                pass "unit: module syscalls outside the allow list (no loading)"
        else
                fail "unit: module syscalls outside the allow list (no loading)"
                grep '@module' "$work/sec.out"
        fi
else
        skip "unit: systemd-analyze not installed"
fi

# --- dom0's exporter: xenprobe-prometheus.service ------------------------------
U=$work/xenprobe-prometheus.service
sed "s|@sbindir@|$work|" "$src/packaging/systemd/xenprobe-prometheus.service.in" >"$U"
ln -s "$XENPROBE" "$work/xenprobe"
if command -v systemd-analyze >/dev/null; then
        if MANPATH=$work/man systemd-analyze verify "$U" >"$work/verify-prom.out" 2>&1 && [ ! -s "$work/verify-prom.out" ]; then
                pass "exporter unit: systemd-analyze verify (no complaint)"
        else
                fail "exporter unit: systemd-analyze verify"
                cat "$work/verify-prom.out"
        fi
        systemd-analyze security --offline=yes "$U" >"$work/sec-prom.out" 2>&1
        score=$(sed -n 's/.*Overall exposure level for xenprobe-prometheus.service: \([0-9.]*\).*/\1/p' "$work/sec-prom.out")
        echo "# exporter unit: systemd-analyze security exposure: ${score:-?}"
        if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s < 3.0) }'; then
                pass "exporter unit: exposure $score < 3.0"
        else
                fail "exporter unit: exposure ${score:-unknown} (goal < 3.0)"
                tail -n 5 "$work/sec-prom.out"
        fi
else
        skip "exporter unit: systemd-analyze not installed"
fi
# the unit's ExecStart= is a valid query command line: every option it
# passes is one `xenprobe query --help` lists
bad=
for o in $(sed -n 's/^ExecStart=//p' "$U" | grep -oE -- '--[a-z][a-z-]+'); do
        "$XENPROBE" query --help | grep -qE -- "^ +(-[a-zA-Z], )?$o( |\$)" || bad="$bad $o"
done
if [ -z "$bad" ] && sed -n 's/^ExecStart=//p' "$U" | grep -q -- '--prometheus --watch'; then
        pass "exporter unit: ExecStart= is query --prometheus --watch with options --help lists"
else
        fail "exporter unit: ExecStart= options not in query --help:${bad:- (no --prometheus --watch)}"
fi
# the gate, as systemd evaluates it (conditions, then each ExecCondition=
# in turn: exit 0 continues, 1-254 skip the unit), with /proc/xen moved
# into ROOT and the unit's Environment= plus XENPROBE_PROM_DIR=DIR
gate() { # ROOT DIR: exit 0 when the unit would start
        local root=$1 dir=$2 c
        while read -r c; do
                [ -e "$root${c#!}" ] || return 1
        done < <(sed -n 's/^ConditionPathExists=//p' "$U")
        while read -r c; do
                (
                        eval "export $(sed -n 's/^Environment=//p' "$U" | tr '\n' ' ')"
                        export XENPROBE_PROM_DIR=$dir
                        eval "${c//\/proc\/xen\//$root/proc/xen/}"
                ) || return 1
        done < <(sed -n 's/^ExecCondition=//p' "$U")
}
mkdir -p "$work/textfile"
n=0 wrong=
for r in "$src"/tests/roots/*/; do
        [ -f "$r/expected.json" ] && [ -d "$r/tree" ] || continue
        name=$(basename "$r")
        role=$(sed -n 's/.*"role": *"\([a-zA-Z0-9]*\)".*/\1/p' "$r/expected.json")
        # a dom0 starts it when xenfs is mounted (Xen's init scripts do:
        # the unit is ordered after them); without xenfs it waits, skipped
        want=skip
        [ "$role" = dom0 ] && [ -e "$r/tree/proc/xen/capabilities" ] && want=start
        got=skip
        gate "${r%/}/tree" "$work/textfile" && got=start
        n=$((n + 1))
        [ "$got" = "$want" ] || wrong="$wrong $name(role ${role:-none}: $got, expected $want)"
        [ "$role" = dom0 ] && echo "# exporter gate: $name (dom0) -> $got"
done
if [ $n -gt 20 ] && [ -z "$wrong" ]; then
        pass "exporter unit: starts in the captured dom0s only ($n roots)"
else
        fail "exporter unit: the dom0 gate on $n roots:${wrong:- too few roots}"
fi
dom0=$src/tests/roots/xen417-dom0-pv-debian12/tree
if gate "$dom0" "$work/textfile" && ! gate "$dom0" "$work/no-such-dir" && ! gate "$dom0" ""; then
        pass "exporter unit: in dom0, skipped without node_exporter's textfile directory"
else
        fail "exporter unit: in dom0, skipped without node_exporter's textfile directory"
fi
# the gate's commands, as written, on this machine (not dom0: a skip)
if [ -r /proc/xen/capabilities ] && grep -q control_d /proc/xen/capabilities; then
        skip "exporter unit: skipped on this machine (this is a dom0)"
elif gate "" "$work/textfile"; then
        fail "exporter unit: skipped on this machine (not a dom0, yet the gate opens)"
else
        pass "exporter unit: skipped on this machine (not a dom0)"
fi

# --- the completion ---------------------------------------------------------
comp() { # WORDS...: the completions bash offers for the last word
        bash -c '
                source "$1"; shift
                COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
                if [ "$1" = xenprobed ]; then _xenprobed; else _xenprobe; fi
                printf "%s\n" "${COMPREPLY[@]}"' comp "$src/packaging/completion/xenprobe.bash" "$@" | sort
}
# the long options a --help text lists in its option lines ("  -j, --json ...")
opts_of() { grep -oE -- '^ +(-[a-zA-Z], )?--[a-z][a-z-]+' | grep -oE -- '--[a-z][a-z-]+$' | sort -u; }
check_opts() { # NAME HELP-COMMAND... -- COMPLETION-WORDS...
        local name=$1
        shift
        local help=() w
        while [ "$1" != -- ]; do help+=("$1"); shift; done
        shift
        "${help[@]}" 2>&1 | opts_of >"$work/want"
        comp "$@" >"$work/got"
        missing=$(comm -23 "$work/want" "$work/got" | tr '\n' ' ')
        if [ -s "$work/want" ] && [ -z "$missing" ]; then
                pass "completion: $name offers every option of its --help ($(wc -l <"$work/want"))"
        else
                fail "completion: $name lacks: ${missing:-(help listed nothing)}"
        fi
}
check_opts "xenprobe" "$XENPROBE" --help -- xenprobe --
check_opts "xenprobe initrd" "$XENPROBE" initrd --help -- xenprobe initrd --
check_opts "xenprobe facts" "$XENPROBE" facts --help -- xenprobe facts --
check_opts "xenprobe publish" "$XENPROBE" publish --help -- xenprobe publish --
check_opts "xenprobe daemon" "$XENPROBE" daemon --help -- xenprobe daemon --
check_opts "xenprobe query" "$XENPROBE" query --help -- xenprobe query --
check_opts "xenprobed" "$XENPROBE" daemon --help -- xenprobed --
got=$(comp xenprobe "" | tr '\n' ' ')
want=$("$XENPROBE" --help | sed -n 's/^ *\(Usage: \)\{0,1\}xenprobe \(\[OPTIONS\] \)\{0,1\}\([a-z][a-z]*\).*/\3/p' | sort -u)
miss=""
for c in $want; do case " $got " in *" $c "*) ;; *) miss="$miss $c" ;; esac; done
if [ -n "$want" ] && [ -z "$miss" ]; then
        pass "completion: every subcommand of the usage ($(echo $want))"
else
        fail "completion: subcommands missing:${miss:- (usage listed none)}"
fi
[ "$(comp xenprobe q)" = query ] && pass "completion: 'xenprobe q' -> query" || fail "completion: 'xenprobe q'"

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
