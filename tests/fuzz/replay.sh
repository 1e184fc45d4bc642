#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Replay every committed fuzz corpus (tests/fuzz/corpus/NAME/: seeds and
# crash reproducers) through its harness, built by `make check` with the
# project's compiler as tests/fuzz/replay-NAME (sanitized under
# --enable-sanitizers).  One line per harness: "PASS replay NAME: N inputs"
# or "FAIL replay NAME ..." with the input that failed.
# Automake test: exit 0 pass, 1 fail, 77 skip.
# Env: top_srcdir (set by the test environment), FUZZ_HARNESSES (names to
# run, default all), XP_REPLAY_TIMEOUT (seconds per input, default 60).
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${top_srcdir:-${srcdir:-$here/../..}}
corpus=$src/tests/fuzz/corpus
[ -d "$corpus" ] || corpus=$here/corpus
bindir=${FUZZ_REPLAY_BINDIR:-tests/fuzz}
[ -x "$bindir/replay-initrd" ] || bindir=$here
harnesses=${FUZZ_HARNESSES:-initrd modinfo parsers cpuid root dom0}
# the sanitizers, when built in, fail hard and say where
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# libkmod's staging directory of the parsers harness
export TMPDIR=${TMPDIR:-/tmp}

fail=0 pass=0
for h in $harnesses; do
        bin=$bindir/replay-$h
        dir=$corpus/$h
        if [ ! -x "$bin" ]; then
                echo "FAIL replay $h: $bin not built"
                fail=$((fail + 1))
                continue
        fi
        if [ ! -d "$dir" ]; then
                echo "FAIL replay $h: no corpus $dir"
                fail=$((fail + 1))
                continue
        fi
        n=$(find "$dir" -maxdepth 1 -type f | wc -l)
        out=$("$bin" "$dir" 2>&1 >/dev/null)
        rc=$?
        if [ $rc = 0 ]; then
                echo "PASS replay $h: $n inputs"
                pass=$((pass + 1))
        else
                echo "FAIL replay $h: exit $rc"
                printf '%s\n' "$out" | tail -n 40
                fail=$((fail + 1))
        fi
done
[ $fail = 0 ] || exit 1
[ $pass -gt 0 ] || exit 77
exit 0
