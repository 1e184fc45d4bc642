#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `xenprobe initrd IMAGE` against what users would otherwise run on the same
# image: lsinitramfs (initramfs-tools), lsinitrd (dracut) and plain
# decompression of the image (zcat/xzcat/zstdcat/... to /dev/null, the floor
# for anything that lists names).  One image per compression, made from
# this machine's installed initrd (its cpio re-compressed the way the
# generators do it); median of RUNS runs; peak RSS from GNU time.
#
#   bench/bench-initrd.sh [XENPROBE] [RUNS]
set -u
XP=${1:-./xenprobe}
RUNS=${2:-5}
SRC=$(ls /boot/initrd.img-* 2>/dev/null | head -1)
[ -n "$SRC" ] || { echo "no /boot/initrd.img-*: install linux-image-amd64 first"; exit 1; }
V=${SRC#/boot/initrd.img-}
W=$(mktemp -d /var/tmp/xp-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT

# the main archive as plain cpio (unmkinitramfs knows the generator's layout)
if command -v unmkinitramfs >/dev/null; then
        unmkinitramfs "$SRC" "$W/x" >/dev/null 2>&1
        d="$W/x"; [ -d "$W/x/main" ] && d="$W/x/main"
        (cd "$d" && find . | LC_ALL=C sort | cpio --quiet -o -H newc) >"$W/main.cpio"
else
        echo "unmkinitramfs not found (initramfs-tools-core)"; exit 1
fi

# compressors as mkinitramfs (initramfs-tools 0.142, Debian 12) calls them
declare -A COMP=(
        [gzip]="gzip -n" [xz]="xz --check=crc32 --threads=0" [lzma]="lzma"
        [bzip2]="bzip2" [zstd]="zstd -q -1 -T0" [lz4]="lz4 -q -9 -l" [lzop]="lzop")
# the floor: single-threaded in-process decompression with each format's
# library, output discarded (bench/decomp.c); lz4 legacy: lz4cat
DECOMP="$W/decomp"
cc -O2 -o "$DECOMP" "$(dirname "$0")/decomp.c" -lz -llzma -lbz2 -lzstd || { echo "cannot build bench/decomp.c"; exit 1; }
decomp() { # comp image
        case $1 in
        lz4) lz4cat "$2" >/dev/null ;;
        lzop) lzop -dc "$2" >/dev/null ;;
        *) "$DECOMP" "$1" "$2" 2>/dev/null ;;
        esac
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { # command... -> median wall ms over RUNS
        for _ in $(seq "$RUNS"); do
                local t0 t1
                t0=$(date +%s%N)
                "$@" >/dev/null 2>&1
                t1=$(date +%s%N)
                echo $(((t1 - t0) / 1000000))
        done | median
}
rss() { # command... -> peak RSS KiB
        if [ -x /usr/bin/time ]; then
                /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1
        else echo "-"; fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

echo "xenprobe initrd vs. the tools users would run; image: $SRC re-compressed; median of $RUNS runs (ms)"
echo "cores: $(nproc); main cpio: $(($(stat -c %s "$W/main.cpio") / 1048576)) MiB, $(cpio -it --quiet <"$W/main.cpio" | wc -l) entries"
printf '%-6s %8s | %8s | %8s %6s | %8s %6s | %11s %7s | %9s %7s | %8s %8s\n' \
        comp MiB decomp xenprobe ratio quick ratio lsinitramfs speedup lsinitrd speedup RSS-KiB RSS-quick
for c in gzip xz lzma bzip2 zstd lz4 lzop; do
        tool=${COMP[$c]%% *}
        command -v "$tool" >/dev/null || { printf '%-6s (no %s)\n' "$c" "$tool"; continue; }
        img="$W/img.$c"
        ${COMP[$c]} -c <"$W/main.cpio" >"$img"
        size=$(awk -v s="$(stat -c %s "$img")" 'BEGIN { printf "%.1f", s / 1048576 }')
        t_dec=$(ms decomp "$c" "$img")
        t_xp=$(ms "$XP" initrd --fs ext4 "$img")
        t_q=$(ms "$XP" initrd --quick --fs ext4 "$img")
        t_ls=-; t_lsd=-
        command -v lsinitramfs >/dev/null && t_ls=$(ms lsinitramfs "$img")
        command -v lsinitrd >/dev/null && t_lsd=$(ms lsinitrd "$img")
        printf '%-6s %8s | %8s | %8s %6s | %8s %6s | %11s %7s | %9s %7s | %8s %8s\n' "$c" "$size" "$t_dec" \
                "$t_xp" "$(ratio "$t_xp" "$t_dec")" "$t_q" "$(ratio "$t_q" "$t_dec")" \
                "$t_ls" "$(ratio "$t_ls" "$t_xp")" "$t_lsd" "$(ratio "$t_lsd" "$t_xp")" \
                "$(rss "$XP" initrd --fs ext4 "$img")" "$(rss "$XP" initrd --quick --fs ext4 "$img")"
done
echo "decomp: bench/decomp.c (zlib, liblzma, libbz2, libzstd in-process, one thread), lz4cat, lzop -dc"
echo "ratio: xenprobe / plain decompression (lower is better; < 1 only by stopping early or decoding on several threads)"
echo "speedup: the other tool's time / xenprobe's full read"
