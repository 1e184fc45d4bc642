#!/bin/bash
# snapshot -> --root replay round trip:
#  1. on this machine: the live report and the replay of its snapshot agree
#     (verdict, rules, warnings and every evidence item except the two that
#     only a live system can give: udev's database and libblkid's probe);
#  2. for every fixture root: a snapshot of the root replays to exactly the
#     same report, so `snapshot` copies everything the probes read.
set -u
XENPROBE=${XENPROBE:-./xenprobe}
srcdir=${srcdir:-.}
command -v jq >/dev/null || { echo "SKIP: jq not installed (apt-get install jq)"; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/xp-snap.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail=0

# everything but the fields that name the root or say live/replayed, and
# without the live-only evidence
# boot readiness reads boot/ images, which a snapshot does not copy
project='del(.root, .live, .boot) | .evidence |= map(select(.path | test("\\(live\\)$") | not))'

compare() { # name a.json b.json
        if diff -u <(jq -S "$project" "$2") <(jq -S "$project" "$3") >"$work/diff"; then
                echo "PASS $1"
        else
                echo "FAIL $1"
                head -60 "$work/diff"
                fail=1
        fi
}

# 1. live
"$XENPROBE" --json >"$work/live.json" || { echo "FAIL live: xenprobe exit $?"; exit 1; }
"$XENPROBE" snapshot "$work/live-snap" 2>"$work/err" || { echo "FAIL live snapshot"; cat "$work/err"; exit 1; }
test -s "$work/live-snap/run/xenprobe/cpuid" || { echo "FAIL live snapshot has no run/xenprobe/cpuid"; fail=1; }
"$XENPROBE" --root "$work/live-snap" --json >"$work/replay.json" || { echo "FAIL replay exit $?"; exit 1; }
jq -e '.schema == 1 and (.evidence | length > 0)' "$work/live.json" "$work/replay.json" >/dev/null || { echo "FAIL live: not a report"; exit 1; }
compare "live == replay($(jq -r .verdict "$work/live.json"))" "$work/live.json" "$work/replay.json"

# PID 1's environment may hold secrets: only container= survives a snapshot
if [ -e "$work/live-snap/proc/1/environ" ] && tr '\0' '\n' <"$work/live-snap/proc/1/environ" | grep -qv '^container='; then
        echo "FAIL snapshot copied PID 1's environment beyond container="
        fail=1
fi

# what tells the init (pv-console) is recorded, binaries never: PID 1's
# name and the sbin/init link's text (not cmp: it trusts /proc's st_size 0)
if [ -r /proc/1/comm ] && [ "$(cat /proc/1/comm)" != "$(cat "$work/live-snap/proc/1/comm" 2>/dev/null)" ]; then
        echo "FAIL snapshot has no copy of proc/1/comm"
        fail=1
fi
if [ -L /sbin/init ] && [ "$(readlink /sbin/init)" != "$(readlink "$work/live-snap/sbin/init")" ]; then
        echo "FAIL snapshot has no sbin/init link as /sbin/init's"
        fail=1
fi
if [ -e "$work/live-snap/lib/systemd/systemd" ] || [ -e "$work/live-snap/usr/lib/systemd/systemd" ]; then
        echo "FAIL snapshot copied the systemd binary"
        fail=1
fi
# where the live report shows systemd as the init by those, the replay does too
if jq -e '.boot.checks[] | select(.name=="pv-console") | .evidence | test("^PID 1 is systemd \\(proc/1/comm\\)|^systemd is the installed init \\(sbin/init")' "$work/live.json" >/dev/null; then
        if jq -e '.boot.checks[] | select(.name=="pv-console") | .status == "ok"' "$work/replay.json" >/dev/null; then
                echo "PASS replay keeps the pv-console evidence"
        else
                echo "FAIL replay lost the pv-console evidence: $(jq -c '.boot.checks[] | select(.name=="pv-console")' "$work/replay.json")"
                fail=1
        fi
fi

# a snapshot is never merged into a non-empty directory
if "$XENPROBE" snapshot "$work/live-snap" 2>/dev/null; then
        echo "FAIL snapshot into a non-empty directory succeeded"
        fail=1
else
        echo "PASS snapshot refuses a non-empty directory"
fi

# 2. every fixture root
for dir in "$srcdir"/tests/roots/*/; do
        name=$(basename "$dir")
        test -d "$dir/tree" || continue
        bash "$srcdir/tests/mkroot.sh" "$dir" "$work/r-$name" >/dev/null || { echo "FAIL $name: mkroot"; fail=1; continue; }
        "$XENPROBE" --root "$work/r-$name" --json >"$work/$name.json" || { echo "FAIL $name: exit $?"; fail=1; continue; }
        "$XENPROBE" --root "$work/r-$name" snapshot "$work/s-$name" 2>/dev/null || { echo "FAIL $name: snapshot"; fail=1; continue; }
        "$XENPROBE" --root "$work/s-$name" --json >"$work/$name.replay.json" || { echo "FAIL $name: replay exit $?"; fail=1; continue; }
        jq -e '.schema == 1 and (.evidence | length > 0)' "$work/$name.json" "$work/$name.replay.json" >/dev/null ||
                { echo "FAIL $name: not a report"; fail=1; continue; }
        compare "$name: root == replay(snapshot(root))" "$work/$name.json" "$work/$name.replay.json"
done
exit $fail
