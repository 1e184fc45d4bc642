#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Build the libFuzzer harnesses (tests/fuzz/fuzz-NAME.c) with clang
# -fsanitize=fuzzer,address,undefined and fuzz each for a bounded time,
# one after the other, under nice.  For each harness one line:
#   PASS fuzz NAME: N execs, 0 crashes
#   FAIL fuzz NAME: N execs, K crashes (artifacts: ...)
# Exit 0 all passed, 1 a harness crashed (or did not build), 77 clang or
# its libFuzzer runtime is missing (Debian 12: apt-get install clang-14
# libclang-rt-14-dev, i.e. the clang package).
#
# Usage: tests/fuzz/run-fuzz.sh [--build-only] [--merge] [NAME...]
#   NAME            harnesses to run (default: all)
#   --build-only    build, do not fuzz
#   --merge         after fuzzing, minimise committed corpus + what was
#                   found into tests/fuzz/corpus/NAME (libFuzzer -merge=1)
# Env:
#   FUZZ_SECONDS    per harness (default 60)
#   FUZZ_CC         clang (default: clang, else clang-14)
#   FUZZ_BUILDDIR   the configured build tree holding config.h (default:
#                   the source tree)
#   FUZZ_DEP_CFLAGS, FUZZ_LIBS   set by `make fuzz`; else from pkg-config
#   FUZZ_NICE       nice level (default 19)
#   FUZZ_JOBS       compile jobs (default 2)
#   FUZZ_ARGS       extra libFuzzer options
# Work files: BUILDDIR/tests/fuzz/build/ (objects, binaries, the growing
# corpus in corpus/NAME, crash artifacts in artifacts/NAME).
set -u

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${FUZZ_BUILDDIR:-$src}
seconds=${FUZZ_SECONDS:-60}
nicelevel=${FUZZ_NICE:-19}
jobs=${FUZZ_JOBS:-2}
all="initrd modinfo parsers cpuid root dom0"
build_only=0 merge=0 names=
for a in "$@"; do
        case $a in
        --build-only) build_only=1 ;;
        --merge) merge=1 ;;
        -h|--help) sed -n '3,27p' "$0"; exit 0 ;;
        -*) echo "run-fuzz.sh: unknown option $a" >&2; exit 2 ;;
        *) names="$names $a" ;;
        esac
done
names=${names:-$all}

cc=${FUZZ_CC:-}
if [ -z "$cc" ]; then
        for c in clang clang-14 clang-15 clang-16; do
                command -v "$c" >/dev/null 2>&1 && { cc=$c; break; }
        done
fi
if [ -z "$cc" ] || ! command -v "$cc" >/dev/null 2>&1; then
        echo "SKIP fuzz: clang not found (Debian 12: apt-get install clang libclang-rt-14-dev)"
        exit 77
fi
if [ ! -f "$build/config.h" ]; then
        echo "FAIL fuzz: $build/config.h missing: run ./configure first (or set FUZZ_BUILDDIR)"
        exit 1
fi

out=$build/tests/fuzz/build
mkdir -p "$out/obj" "$out/bin"
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
# probe that this clang links libFuzzer (libclang-rt-14-dev on Debian)
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n){(void)d;(void)n;return 0;}\n' \
        >"$out/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$out/probe.c" -o "$out/probe" >"$out/probe.log" 2>&1; then
        echo "SKIP fuzz: $cc cannot link -fsanitize=fuzzer (Debian 12: apt-get install libclang-rt-14-dev)"
        tail -n 3 "$out/probe.log"
        exit 77
fi

deps=${FUZZ_DEP_CFLAGS-}
libs=${FUZZ_LIBS-}
if [ -z "${FUZZ_DEP_CFLAGS+x}" ]; then
        deps=$(pkg-config --cflags libkmod libudev blkid zlib liblzma libzstd liblz4 json-c xenstore 2>/dev/null)
        libs="$(pkg-config --libs json-c 2>/dev/null || echo -ljson-c) -ldl"
fi
cflags="-std=gnu11 -g -O1 -include $build/config.h -I$build -I$src/probes -I$src/agent -I$src/tests $deps $san -Wall -Wextra -Wno-unused-parameter"

# sources of each harness beyond probes/*.c and probes/boot/*.c
render="agent/json.c agent/render-boot.c agent/render-json.c agent/render-text.c"
extra_of() {
        case $1 in
        initrd|parsers) echo "$render" ;;
        dom0) echo "agent/dom0/read.c agent/dom0/render.c agent/xenstore/keys.c agent/xenstore/schema.c agent/xenstore/ops.c agent/xenstore/domid.c tests/fake-xs.c $render" ;;
        *) echo "" ;;
        esac
}

# objects are rebuilt when older than their source or any header
needed="$(cd "$src" && ls probes/*.c probes/boot/*.c)"
for n in $names; do
        needed="$needed $(extra_of "$n")"
done
needed=$(echo $needed | tr ' ' '\n' | sort -u)
echo "fuzz: building with $($cc --version | head -n 1)"
# a few at a time, nice'd (the machine is shared)
printf '%s\n' $needed | xargs -P "$jobs" -I{} bash -c '
        s={}; o='"$out"'/obj/$(echo "$s" | tr / _).o
        if [ ! -f "$o" ] || [ "'"$src"'/$s" -nt "$o" ] || [ -n "$(find "'"$src"'/probes" "'"$src"'/agent" "'"$src"'/tests/fuzz" -name "*.h" -newer "$o" 2>/dev/null | head -n 1)" ]; then
                nice -n '"$nicelevel"' '"$cc $cflags"' -fsanitize=fuzzer-no-link -c "'"$src"'/$s" -o "$o"
        fi' || echo "fuzz: some objects did not build"
lib_objs=
for s in $(cd "$src" && ls probes/*.c probes/boot/*.c); do
        lib_objs="$lib_objs $out/obj/$(echo "$s" | tr / _).o"
done

fails=0
for n in $names; do
        if [ ! -f "$src/tests/fuzz/fuzz-$n.c" ]; then
                echo "FAIL fuzz $n: no such harness (tests/fuzz/fuzz-$n.c)"
                fails=$((fails + 1))
                continue
        fi
        objs=$lib_objs
        for s in $(extra_of "$n"); do
                objs="$objs $out/obj/$(echo "$s" | tr / _).o"
        done
        bin=$out/bin/fuzz-$n
        if ! nice -n "$nicelevel" "$cc" $cflags -fsanitize=fuzzer "$src/tests/fuzz/fuzz-$n.c" $objs $libs \
                -o "$bin" >"$out/build-$n.log" 2>&1; then
                echo "FAIL fuzz $n: does not build"
                tail -n 20 "$out/build-$n.log"
                fails=$((fails + 1))
                continue
        fi
        [ $build_only = 1 ] && { echo "built $bin"; continue; }

        work=$out/corpus/$n
        art=$out/artifacts/$n
        mkdir -p "$work" "$art"
        dict=
        [ -f "$here/$n.dict" ] && dict=-dict=$here/$n.dict
        seeds=$src/tests/fuzz/corpus/$n
        [ -d "$seeds" ] || seeds=
        # crash-, leak-, timeout-, oom- files (slow-unit- ones are not failures)
        count() { ls "$art" | grep -cE '^(crash|leak|timeout|oom)-'; }
        before=$(count)
        log=$out/fuzz-$n.log
        # the harnesses make scratch directories below TMPDIR
        TMPDIR=${TMPDIR:-/tmp} ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
                nice -n "$nicelevel" "$bin" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2560 \
                -max_len=${FUZZ_MAX_LEN:-65536} -print_final_stats=1 -artifact_prefix="$art/" $dict ${FUZZ_ARGS:-} \
                "$work" $seeds >"$log" 2>&1
        rc=$?
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        [ -n "$execs" ] || execs=$(grep -o '#[0-9]*' "$log" | tail -n 1 | tr -d '#')
        crashes=$(( $(count) - before ))
        if [ $rc = 0 ] && [ $crashes = 0 ]; then
                echo "PASS fuzz $n: ${execs:-0} execs, 0 crashes (${seconds}s)"
        else
                [ $crashes -gt 0 ] || crashes=1
                echo "FAIL fuzz $n: ${execs:-0} execs, $crashes crashes (exit $rc; artifacts: $art; log: $log)"
                grep -E '^(==[0-9]+==ERROR|SUMMARY|.*FUZZ_ASSERT|.*runtime error)' "$log" | head -n 5
                fails=$((fails + 1))
        fi
        if [ $merge = 1 ] && [ -n "$seeds" ]; then
                # seed-* and crash-* stay as they are; libFuzzer adds what
                # else brings coverage, from the committed and the new inputs
                new=$out/merged-$n
                rm -rf "$new" && mkdir -p "$new"
                find "$seeds" -maxdepth 1 -type f \( -name 'seed-*' -o -name 'crash-*' \) -exec cp {} "$new"/ \;
                mkdir -p "$out/others-$n" && rm -rf "$out/others-$n"/*
                find "$seeds" -maxdepth 1 -type f ! -name 'seed-*' ! -name 'crash-*' -exec cp {} "$out/others-$n"/ \;
                if TMPDIR=${TMPDIR:-/tmp} nice -n "$nicelevel" "$bin" -merge=1 -timeout=30 -rss_limit_mb=2560 \
                        "$new" "$out/others-$n" "$work" >"$out/merge-$n.log" 2>&1; then
                        find "$seeds" -maxdepth 1 -type f ! -name 'seed-*' ! -name 'crash-*' -delete
                        for f in "$new"/*; do
                                [ -e "$seeds/$(basename "$f")" ] || cp "$f" "$seeds"/
                        done
                        echo "merged $n: $(ls "$seeds" | wc -l) inputs, $(du -sh "$seeds" | cut -f1)"
                else
                        echo "merge of $n failed: $out/merge-$n.log"
                fi
        fi
done
[ $fails = 0 ] || exit 1
exit 0
