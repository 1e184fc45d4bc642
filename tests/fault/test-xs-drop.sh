#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The xenstore connection lost mid-transaction, against Debian's real C
# xenstored (tests/xenstored/xsd.sh).  tests/fault/faultinject.so follows
# the xenstore messages libxenstore writes on its socket and shuts the
# connection down
#   before message N is sent (XP_FAULT_XS_DROP=N: the request never
#   arrives), or
#   after it is sent (XP_FAULT_XS_AFTER=1: xenstored acts on it and
#   answers, the answer is lost; at the commit, that is a publish that
#   happened although the publisher could not hear it),
# for every N of `xenprobe publish` and of `xenprobe query --json`.
#
# publish: the store holds one root's complete key set (A), and another
# root's (B) is published with the connection dropped at N.  It must exit
# non-zero and say the connection was lost (exit 0 only if nothing was
# lost), never hang, and the store must hold A's complete set or B's,
# never a mix (the transaction is all or nothing: xenstored drops an open
# transaction with its connection).
# query: exit non-zero with the reason on stderr, stdout empty or one
# complete JSON document, never a hang.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/fault/lib.sh"
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/xp-xsdrop.XXXXXX")
xsd=$src/tests/xenstored/xsd.sh
cleanup() {
        bash "$xsd" stop "$work/xsd" >/dev/null 2>&1
        rm -rf "$work"
}
trap cleanup EXIT
out=$work/out err=$work/err rc=0

if ! preload_ok; then
        skip "xenstore drop: publish: $PRELOAD_WHY"
        skip "xenstore drop: query: $PRELOAD_WHY"
        finish
fi
. "$src/tests/xenstored/start-or-skip.sh"
xsd_start_or_skip "$xsd" "$work/xsd"

bash "$src/tests/mkroot.sh" "$roots/xen417-domU-pv-debian12" "$work/a" >/dev/null 2>&1
bash "$src/tests/mkroot.sh" "$roots/xen417-domU-pvhvm-debian12" "$work/b" >/dev/null 2>&1
publish() { # ROOT DOMID
        "$XENPROBE" --root "$1" publish --no-boot --domid "$2" >/dev/null 2>&1
}
# the subtree without its generation (the only key whose value depends on
# the history), sorted
dump() {
        xenstore-ls -f "/local/domain/$1/data/xenprobe" 2>/dev/null | sed "s|^/local/domain/$1/||" |
                grep -v '^data/xenprobe/generation =' | LC_ALL=C sort
}
publish "$work/a" 11 && publish "$work/b" 12 || { echo "FAIL: reference publishes"; exit 1; }
dump 11 >"$work/set-a"
dump 12 >"$work/set-b"
cmp -s "$work/set-a" "$work/set-b" && { echo "FAIL: the two roots give the same key set: the test would prove nothing"; exit 1; }

# --- publish -----------------------------------------------------------------
D=5
publish "$work/a" $D
run_fault 20 XP_FAULT_XS_LOG="$work/xslog" -- --root "$work/b" publish --no-boot --domid $D
total=$(wc -l <"$work/xslog")
if [ "$rc" != 0 ] || [ "$total" -lt 3 ]; then
        fail "xenstore drop: publish without a fault: exit $rc, $total messages" "$err"
else
        for after in 0 1; do
                runs=0 bad=0 errs=0 olds=0 news=0 badlist=""
                for ((n = 1; n <= total; n++)); do
                        runs=$((runs + 1))
                        # back to A's complete set, generation 1
                        xenstore-rm "/local/domain/$D/data/xenprobe" 2>/dev/null
                        publish "$work/a" $D
                        run_fault 20 XP_FAULT_XS_DROP=$n XP_FAULT_XS_AFTER=$after -- --root "$work/b" publish --no-boot --domid $D
                        dump $D >"$work/now"
                        why=
                        if [ "$rc" -ge 124 ]; then
                                why="killed or hung (exit $rc)"
                        elif [ "$rc" != 0 ] && ! grep -q "connection to xenstored was lost" "$err"; then
                                why="exit $rc without saying the connection was lost: $(head -c 200 "$err" | tr '\n' ' ')"
                        elif cmp -s "$work/now" "$work/set-a"; then
                                olds=$((olds + 1))
                                [ "$rc" = 0 ] && why="exit 0 but the old set is still there"
                        elif cmp -s "$work/now" "$work/set-b"; then
                                news=$((news + 1))
                        else
                                why="the store holds a mix of both sets: $(diff "$work/set-a" "$work/now" | head -4 | tr '\n' ' ')"
                        fi
                        [ "$rc" != 0 ] && errs=$((errs + 1))
                        if [ -n "$why" ]; then
                                bad=$((bad + 1))
                                [ "$bad" -le 5 ] && badlist+="    message $n ($(sed -n "${n}p" "$work/xslog")): $why"$'\n'
                        fi
                done
                when=$([ $after = 1 ] && echo "after" || echo "before")
                what="$runs drops ($when each of $total messages): $errs exits with 'connection lost', store: $olds old set, $news new set, 0 mixed"
                if [ "$bad" = 0 ]; then
                        pass "xenstore drop: publish, connection lost $when message N: $what"
                else
                        fail "xenstore drop: publish, connection lost $when message N: $bad bad of $runs"
                        printf '%s' "$badlist"
                fi
        done
fi

# --- query --json ---------------------------------------------------------------
xenstore-write /local/domain/$D/name guest5 /local/domain/12/name guest12
run_fault 20 XP_FAULT_XS_LOG="$work/xslog" -- query --json
total=$(wc -l <"$work/xslog")
if [ "$rc" != 0 ] || ! jq -e '.domains | length >= 2' "$out" >/dev/null 2>&1; then
        fail "xenstore drop: query without a fault: exit $rc" "$err"
else
        for after in 0 1; do
                runs=0 bad=0 badlist=""
                for ((n = 1; n <= total; n++)); do
                        runs=$((runs + 1))
                        run_fault 20 XP_FAULT_XS_DROP=$n XP_FAULT_XS_AFTER=$after -- query --json
                        why=
                        if [ "$rc" -ge 124 ]; then
                                why="killed or hung (exit $rc)"
                        elif [ "$rc" = 0 ]; then
                                why="exit 0 although the connection was lost"
                        elif ! grep -qiE "xenstore|connection" "$err"; then
                                why="exit $rc without a reason: $(head -c 200 "$err" | tr '\n' ' ')"
                        elif ! json_whole "$out"; then
                                why="partial JSON on stdout"
                        fi
                        if [ -n "$why" ]; then
                                bad=$((bad + 1))
                                [ "$bad" -le 5 ] && badlist+="    message $n: $why"$'\n'
                        fi
                done
                when=$([ $after = 1 ] && echo "after" || echo "before")
                if [ "$bad" = 0 ]; then
                        pass "xenstore drop: query --json, connection lost $when message N: $runs drops, each a clear error"
                else
                        fail "xenstore drop: query --json, connection lost $when message N: $bad bad of $runs"
                        printf '%s' "$badlist"
                fi
        done
fi
finish
