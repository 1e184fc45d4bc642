# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by tests/fault/test-*.sh: locations, the preload check, and the
# PASS/FAIL/SKIP bookkeeping (one line per case; CI counts them).
set -u
XENPROBE=${XENPROBE:-./xenprobe}
XENPROBE=$(cd "$(dirname "$XENPROBE")" && pwd)/$(basename "$XENPROBE")
src=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# the library is built next to the binary (builddir), not in srcdir
FAULTINJECT=${FAULTINJECT:-$(dirname "$XENPROBE")/tests/fault/faultinject.so}
roots=$src/tests/roots

passed=0 failed=0 skipped=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() {
        echo "FAIL $1"
        failed=$((failed + 1))
        if [ -n "${2:-}" ] && [ -f "$2" ]; then sed -n '1,12s/^/    /p' "$2"; fi
}
skip() { echo "SKIP $1"; skipped=$((skipped + 1)); }
# the automake exit status: 1 if anything failed, 77 if everything skipped
finish() {
        echo "# $passed passed, $failed failed, $skipped skipped"
        [ "$failed" -gt 0 ] && exit 1
        [ "$passed" = 0 ] && [ "$skipped" -gt 0 ] && exit 77
        exit 0
}

# Can faultinject.so be preloaded into xenprobe, and does it see its
# allocations?  Not under --enable-sanitizers: ASan owns malloc (and
# refuses to run when another library is preloaded before it), so no
# interposition works there.  Sets PRELOAD_WHY when not.
PRELOAD_WHY=
preload_ok() {
        local t
        if [ ! -f "$FAULTINJECT" ]; then
                PRELOAD_WHY="$FAULTINJECT not built (make check builds it)"
                return 1
        fi
        if grep -qa -e __asan_init -e __ubsan_handle "$XENPROBE" 2>/dev/null; then
                PRELOAD_WHY="xenprobe is built with sanitizers (--enable-sanitizers): they own malloc and the preload order"
                return 1
        fi
        t=$(mktemp "${TMPDIR:-/tmp}/xp-fault-probe.XXXXXX")
        if ! env LD_PRELOAD="$FAULTINJECT" XP_FAULT_COUNT_FILE="$t" "$XENPROBE" --version >/dev/null 2>&1 ||
                ! [ "$(cut -d' ' -f1 "$t" 2>/dev/null)" -gt 0 ] 2>/dev/null; then
                PRELOAD_WHY="faultinject.so cannot be preloaded into $XENPROBE (or sees no allocation)"
                rm -f "$t"
                return 1
        fi
        rm -f "$t"
        return 0
}

# run_fault TIMEOUT ENV=VALUE... -- ARGS...: xenprobe with the library
# preloaded and the given settings; stdout/stderr to $out/$err; rc in $rc
run_fault() {
        local tmo=$1
        shift
        local -a envs=()
        while [ "$1" != -- ]; do envs+=("$1"); shift; done
        shift
        # timeout outside, env inside: the library must load into xenprobe,
        # not into timeout (it drops LD_PRELOAD for its children)
        timeout -k 2 "$tmo" env LD_PRELOAD="$FAULTINJECT" "${envs[@]}" "$XENPROBE" "$@" >"$out" 2>"$err"
        rc=$?
}

# stdout empty, or one complete JSON document
json_whole() { [ ! -s "$1" ] || jq -e . "$1" >/dev/null 2>&1; }
# the same JSON content (formatting aside)
json_same() { cmp -s <(jq -S . "$1" 2>/dev/null) <(jq -S . "$2" 2>/dev/null); }
