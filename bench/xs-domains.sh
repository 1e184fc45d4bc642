# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/xs-domains.sh, sourced by bench-query.sh and query-prometheus.sh:
#   xs_populate N [WORK]    dom0's name and domid, then N synthetic domains
#                           (1..N) laid out the way libxl writes them (name,
#                           domid, vm -> /vm/UUID, console/, control/,
#                           memory/, device/vbd and vif, store/), each with
#                           a schema-1 data/xenprobe subtree (verdict pvhvm,
#                           boot ok, both PV drivers in use).  Through
#                           bench/xs-fill.c (built in WORK with gcc
#                           -lxenstore: 1000 domains in seconds) when it
#                           builds, else one xenstore-write (one
#                           transaction) per 25 domains (minutes).
#                           Sets XS_FILL_HOW to what it used.
#   xs_bench_start PROG XSD N WORK   start the real xenstored (XSD: xsd.sh)
#                           in WORK/xsd, put its tools on PATH, turn its
#                           request trace off (it costs more than the
#                           requests), then xs_populate N; PROG names the
#                           caller in messages.  Stop it with
#                           `bash XSD stop WORK/xsd`.
# Needs the xenstore-* tools on PATH and XENSTORED_PATH set (xsd.sh env).
xs_bench_start() {
        local prog=$1 xsd=$2 n=$3 work=$4 out rc t0 nodes
        out=$(bash "$xsd" start "$work/xsd" 2>"$work/xsd.err")
        rc=$?
        if [ $rc != 0 ]; then
                echo "$prog: no xenstored (xsd.sh start exit $rc): $(tail -n 1 "$work/xsd.err")" >&2
                return "$rc"
        fi
        export "${out?}" # XENSTORED_PATH=...
        eval "$(bash "$xsd" env)"
        xenstore-control log off >/dev/null || echo "$prog: xenstore-control log off failed: timings include the trace" >&2
        t0=$(date +%s%N)
        xs_populate "$n" "$work" || { echo "$prog: populating failed" >&2; return 1; }
        nodes=$(xenstore-ls -f /local/domain | wc -l)
        echo "populated $n domains + dom0 ($nodes nodes under /local/domain) in $((($(date +%s%N) - t0) / 1000000)) ms with $XS_FILL_HOW"
}
xs_domain_args() { # DOMID: the key/value pairs of one domain
        local d=$1 h=/local/domain/$1 u b
        printf -v u '%08x-b8a8-4297-bf10-%012x' "$d" "$d" # no fork: 1000 domains
        b=$h/data/xenprobe
        printf '%s\n' \
                "$h/name" "guest-$d" "$h/domid" "$d" "$h/vm" "/vm/$u" \
                "$h/cpu/0/availability" online "$h/memory/static-max" 1048576 "$h/memory/target" 1048576 \
                "$h/memory/videoram" 0 "$h/store/port" 1 "$h/store/ring-ref" 740353 \
                "$h/console/backend" "/local/domain/0/backend/console/$d/0" "$h/console/backend-id" 0 \
                "$h/console/limit" 1048576 "$h/console/output" pty "$h/console/port" 2 \
                "$h/console/ring-ref" 740354 "$h/console/tty" /dev/pts/0 "$h/console/type" xenconsoled \
                "$h/control/feature-poweroff" 1 "$h/control/feature-reboot" 1 "$h/control/feature-suspend" 1 \
                "$h/control/shutdown" "" "$h/control/sysrq" "" \
                "$h/control/platform-feature-multiprocessor-suspend" 1 \
                "$h/control/platform-feature-xs_reset_watches" 1 \
                "$h/device/vbd/51712/backend" "/local/domain/0/backend/vbd/$d/51712" \
                "$h/device/vbd/51712/backend-id" 0 "$h/device/vbd/51712/device-type" disk \
                "$h/device/vbd/51712/event-channel" 8 "$h/device/vbd/51712/protocol" x86_64-abi \
                "$h/device/vbd/51712/ring-ref" 8 "$h/device/vbd/51712/state" 4 \
                "$h/device/vbd/51712/virtual-device" 51712 \
                "$h/device/vif/0/backend" "/local/domain/0/backend/vif/$d/0" "$h/device/vif/0/backend-id" 0 \
                "$h/device/vif/0/handle" 0 "$h/device/vif/0/mac" "00:16:3e:00:00:01" "$h/device/vif/0/state" 4 \
                "$h/device/vif/0/tx-ring-ref" 9 "$h/device/vif/0/rx-ring-ref" 10 \
                "$h/device/vif/0/event-channel" 9 \
                "/vm/$u/uuid" "$u" "/vm/$u/name" "guest-$d" "/vm/$u/start_time" 1795423036.26 \
                "/vm/$u/image/ostype" linux \
                "$b/schema" 1 "$b/generation" 3 "$b/agent-version" 0.4.0 "$b/verdict" pvhvm "$b/mode" pvhvm \
                "$b/role" domU "$b/confidence" high "$b/kernel" 6.1.0-13-amd64 "$b/xen-version" 4.17.5 \
                "$b/os/id" debian "$b/os/version-id" 12 "$b/os/pretty-name" "Debian GNU/Linux 12 (bookworm)" \
                "$b/pv/block" in-use "$b/pv/net" in-use "$b/root-disk" xen-pv "$b/root-device" xvda1 \
                "$b/boot/summary" ok "$b/boot/kernels" "6.1.0-13-amd64:ok 6.1.0-12-amd64:ok" \
                "$b/warnings" 0 "$b/served" q1-1
}
xs_populate() { # N [WORK]
        local n=$1 work=${2:-${TMPDIR:-/tmp}} here s d args
        here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
        if [ -x "$work/xs-fill" ] || gcc -O2 -o "$work/xs-fill" "$here/xs-fill.c" -lxenstore 2>"$work/xs-fill.log"; then
                XS_FILL_HOW="bench/xs-fill.c (one connection, no transaction)"
                {
                        printf '%s\n' /local/domain/0/name Domain-0 /local/domain/0/domid 0
                        for ((d = 1; d <= n; d++)); do xs_domain_args "$d"; done
                } | "$work/xs-fill" 2>"$work/xs-fill.out" || { cat "$work/xs-fill.out" >&2; return 1; }
                return 0
        fi
        XS_FILL_HOW="xenstore-write, 25 domains per transaction (xs-fill.c did not build: $(tail -n 1 "$work/xs-fill.log"))"
        xenstore-write /local/domain/0/name Domain-0 /local/domain/0/domid 0 || return 1
        for ((s = 1; s <= n; s += 25)); do
                args=()
                for ((d = s; d < s + 25 && d <= n; d++)); do
                        mapfile -t -O "${#args[@]}" args < <(xs_domain_args "$d")
                done
                xenstore-write "${args[@]}" || { echo "xs_populate: xenstore-write of domains $s.. failed" >&2; return 1; }
        done
}
