#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bounded.sh PROGRAM [ARGS...]: make check's LOG_COMPILER.  Runs one test
# with a time bound (XP_TEST_TIMEOUT seconds, default 900; the slowest test
# takes about 3 minutes under ASan on 2 loaded cores), so that a hung test
# is a failure with its log kept, not a CI run killed at its time limit
# with the log deleted by make (CI once lost 44 minutes and the evidence
# that way).  On expiry it lists what was still running in the test's
# process group (from /proc: which command hung, for how long), sends
# SIGTERM to the group (the tests' traps clean up their xenstored and
# temporary files), then SIGKILL 10 s later, and exits 99 (automake's hard
# error).  Otherwise the test's own exit status passes through.
set -u
limit=${XP_TEST_TIMEOUT:-900}
case $limit in '' | *[!0-9]* | 0) echo "bounded.sh: XP_TEST_TIMEOUT='$limit': expected whole seconds > 0" >&2; exit 99 ;; esac
[ $# -gt 0 ] || { echo "usage: bounded.sh PROGRAM [ARGS...]" >&2; exit 99; }

if ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 501)); then
        # no `wait -n -p` before bash 5.1: coreutils' bound, without the listing
        command -v timeout >/dev/null && exec timeout -k 10 "$limit" "$@"
        exec "$@"
fi

set -m # each background job in its own process group: the test's, and the timer's
"$@" &
pid=$!
sleep "$limit" &
timer=$!
set +m
# make interrupted (^C reaches only the foreground group, not the test's
# own): pass it on, so no test and no xenstored of it outlives make
trap 'kill -TERM -- "-$pid" "$timer" 2>/dev/null; exit 130' INT TERM HUP
wait -n -p done "$pid" "$timer"
rc=$?
if [ "${done:-}" = "$pid" ]; then
        kill "$timer" 2>/dev/null
        wait "$timer" 2>/dev/null
        exit "$rc"
fi

# the test did not finish
hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
up=$(cut -d' ' -f1 /proc/uptime)
up=${up%.*}
echo "FAIL $1 did not finish within $limit s (tests/bounded.sh; XP_TEST_TIMEOUT=SECONDS changes the bound)"
echo "# still running in its process group (pid, seconds running, command):"
for d in /proc/[0-9]*; do
        st=$(cat "$d/stat" 2>/dev/null) || continue
        rest=${st##*) } # the fields after the command name
        read -r -a f <<<"$rest"
        # f[0] state, f[1] ppid, f[2] pgrp ... f[19] starttime (field 22)
        [ "${f[2]}" = "$pid" ] || continue
        age=$((up - f[19] / hz))
        cmd=$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null | cut -c1-200)
        echo "#   ${d#/proc/} ${age}s ${f[0]} $cmd"
done
kill -TERM -- "-$pid" 2>/dev/null
for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
done
kill -KILL -- "-$pid" 2>/dev/null
wait "$pid" 2>/dev/null
exit 99
