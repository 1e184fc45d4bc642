#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The daemon's systemd unit and the bash completion:
#  - the unit passes `systemd-analyze verify` and its offline exposure score
#    (`systemd-analyze security`) is below 3.0 ("OK");
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
