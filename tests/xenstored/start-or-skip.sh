# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the tests that need the real xenstored: start it in DIR and
# export XENSTORED_PATH plus the unpacked tools' PATH/LD_LIBRARY_PATH; and
# the helpers they share (wait_for, key_is).
#   xsd_start_or_skip XSD.SH DIR
# Exits the test with 77 when the harness cannot be fetched, except under
# XP_XSD_REQUIRED=1 (CI, after fetching), where a skip would hide the
# tests: then it fails.
xsd_start_or_skip() {
        local xsd=$1 dir=$2 out rc
        out=$(bash "$xsd" start "$dir" 2>"$dir.err")
        rc=$?
        if [ $rc = 77 ]; then
                [ "${XP_XSD_REQUIRED:-}" = 1 ] && { echo "FAIL: xenstored harness unavailable"; cat "$dir.err"; exit 1; }
                echo "SKIP: the real xenstored cannot be fetched here: $(tail -n 1 "$dir.err")"
                exit 77
        fi
        [ $rc = 0 ] || { echo "FAIL: xenstored did not start"; cat "$dir.err"; exit 1; }
        export "${out?}" # XENSTORED_PATH=...
        eval "$(bash "$xsd" env)"
}

# wait_for SECONDS COMMAND...: until the command succeeds (test-side polling,
# bounded: 1 when it never did)
wait_for() {
        local deadline=$((SECONDS + $1))
        shift
        until "$@" >/dev/null 2>&1; do
                [ $SECONDS -ge "$deadline" ] && return 1
                sleep 0.1
        done
}
# key_is PATH VALUE: xenstore holds exactly VALUE at PATH
key_is() { [ "$(xenstore-read "$1" 2>/dev/null)" = "$2" ]; }
