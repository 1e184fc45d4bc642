#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Out of memory at every allocation in turn (tests/fault/faultinject.so,
# XP_FAULT_ALLOC_FAIL=N for N = 1..total, or every Kth when the total is
# large: at most $XP_OOM_MAX_RUNS runs per command, default 250;
# XP_OOM_MAX_RUNS=0 runs them all) for:
#   xenprobe --root ROOT --json     a PVHVM capture plus a boot/ with a
#                                   kernel, its config and a small initramfs
#   xenprobe initrd --json IMAGE    a gzip cpio image with xen-blkfront
#   xenprobe query --json           a domain published into the real
#                                   xenstored (tests/xenstored/xsd.sh)
# Each run must either succeed with the very report of a run without
# faults (formatting aside), or exit non-zero with a message on stderr that
# says memory ran out; never die of a signal, hang, or leave partial or
# invalid JSON on stdout.
#
# Allocations made while libkmod is on the stack are never failed: libkmod
# 30 dereferences some failed allocations, loops on others and reports
# some as "not found" (outside this project; see tests/fault/faultinject.c).
# Under --enable-sanitizers nothing can be interposed: every case is SKIP.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/fault/lib.sh"
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
command -v cpio >/dev/null || { echo "SKIP: cpio not installed"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/xp-oom.XXXXXX")
xsd=$src/tests/xenstored/xsd.sh
cleanup() {
        bash "$xsd" stop "$work/xsd" >/dev/null 2>&1
        rm -rf "$work"
}
trap cleanup EXIT
out=$work/out err=$work/err rc=0
MAX_RUNS=${XP_OOM_MAX_RUNS:-250}

cases=("--root ROOT --json" "initrd --json IMAGE" "query --json")
if ! preload_ok; then
        for c in "${cases[@]}"; do skip "oom: xenprobe $c: $PRELOAD_WHY"; done
        finish
fi

# a small initramfs-tools-like image for kernel $1 with xen-blkfront and
# ext4 listed in its modules.dep, gzip-compressed, to $2
mkimage() {
        local t=$work/tree-$1 m="$work/tree-$1/usr/lib/modules/$1"
        mkdir -p "$m/kernel/drivers/block" "$m/kernel/fs/ext4" "$t/conf"
        echo 'MODULES=most' >"$t/conf/initramfs.conf"
        printf '#!/bin/sh\n' >"$t/init"
        head -c 2000 /dev/urandom >"$m/kernel/drivers/block/xen-blkfront.ko"
        head -c 3000 /dev/urandom >"$m/kernel/fs/ext4/ext4.ko"
        printf 'kernel/fs/ext4/ext4.ko:\nkernel/drivers/block/xen-blkfront.ko:\n' >"$m/modules.dep"
        : >"$m/modules.builtin"
        (cd "$t" && find . | LC_ALL=C sort | cpio --quiet -o -H newc) | gzip -9 >"$2"
}

# sweep NAME MSG_RE [ENV=V...] -- ARGS...: the reference run, the count,
# then every allocation (or every Kth) failed in turn
sweep() {
        local name=$1 msg_re=$2
        shift 2
        local -a envs=()
        while [ "$1" != -- ]; do envs+=("$1"); shift; done
        shift
        local ref=$work/ref.json count total stride n runs=0 ok=0 errs=0 bad=0 badlist=""
        count=$work/count
        run_fault 60 "${envs[@]}" XP_FAULT_COUNT_FILE="$count" -- "$@"
        if [ "$rc" != 0 ] || ! jq -e . "$out" >/dev/null 2>&1; then
                fail "oom: xenprobe $name: the run without faults failed (exit $rc)" "$err"
                return
        fi
        jq -S . "$out" >"$ref"
        total=$(cut -d' ' -f1 "$count")
        stride=1
        if [ "$MAX_RUNS" -gt 0 ] && [ "$total" -gt "$MAX_RUNS" ]; then
                stride=$(((total + MAX_RUNS - 1) / MAX_RUNS))
        fi
        for ((n = 1; n <= total; n += stride)); do
                runs=$((runs + 1))
                run_fault 30 "${envs[@]}" XP_FAULT_ALLOC_FAIL="$n" XP_FAULT_ALLOC_SPARE=libkmod.so -- "$@"
                local why=
                if [ "$rc" -ge 124 ]; then
                        why="killed or hung (exit $rc)"
                elif ! json_whole "$out"; then
                        why="stdout is not one complete JSON document (exit $rc)"
                elif [ "$rc" = 0 ] && ! cmp -s <(jq -S . "$out") "$ref"; then
                        why="exit 0 with a report that differs from the one without faults"
                elif [ "$rc" != 0 ] && ! grep -qE "$msg_re" "$err"; then
                        why="exit $rc without a message saying what failed: $(head -c 200 "$err" | tr '\n' ' ')"
                fi
                if [ -n "$why" ]; then
                        bad=$((bad + 1))
                        [ "$bad" -le 5 ] && badlist+="    allocation $n: $why"$'\n'
                elif [ "$rc" = 0 ]; then
                        ok=$((ok + 1))
                else
                        errs=$((errs + 1))
                fi
        done
        local what="$runs runs over $total allocations (every $stride): $errs clear errors, $ok complete reports"
        if [ "$bad" = 0 ]; then
                pass "oom: xenprobe $name: $what"
        else
                fail "oom: xenprobe $name: $bad bad of $what"
                printf '%s' "$badlist"
        fi
}

# --- --root ROOT --json -------------------------------------------------------
root=$work/root
bash "$src/tests/mkroot.sh" "$roots/xen417-domU-pvhvm-debian12" "$root" >/dev/null 2>&1
V=$(cat "$root/proc/sys/kernel/osrelease")
mkdir -p "$root/boot" "$root/etc"
mkimage "$V" "$root/boot/initrd.img-$V"
head -c 4096 /dev/urandom >"$root/boot/vmlinuz-$V"
printf 'CONFIG_XEN=y\nCONFIG_XEN_PV=y\nCONFIG_XEN_PVH=y\nCONFIG_XEN_PVHVM=y\nCONFIG_XEN_BLKDEV_FRONTEND=m\n' \
        >"$root/boot/config-$V"
echo "/dev/xvda1 / ext4 defaults 0 1" >"$root/etc/fstab"
sweep "--root ROOT --json" 'memory' -- --root "$root" --json

# --- initrd --json IMAGE ------------------------------------------------------
mkimage 9.9.9-xpoom "$work/image.gz"
# exit 4 (could not verify) names the segment and "Cannot allocate memory"
sweep "initrd --json IMAGE" 'memory' -- initrd --json --fs ext4 "$work/image.gz"

# --- query --json (real xenstored) --------------------------------------------
if xout=$(bash "$xsd" start "$work/xsd" 2>"$work/xsd.err"); then
        export "${xout?}" # XENSTORED_PATH
        eval "$(bash "$xsd" env)"
        "$XENPROBE" --root "$root" publish --domid 5 >/dev/null 2>&1
        xenstore-write /local/domain/5/name guest5
        # libxenstore reports its own failed allocations as EIO
        sweep "query --json" 'memory|Input/output error' -- query --json
elif [ "${XP_XSD_REQUIRED:-}" = 1 ]; then
        fail "oom: xenprobe query --json: xenstored harness unavailable" "$work/xsd.err"
else
        skip "oom: xenprobe query --json: the real xenstored cannot be started here: $(tail -n 1 "$work/xsd.err")"
fi
finish
