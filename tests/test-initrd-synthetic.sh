#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `xenprobe initrd` on small images built here with the real tools (cpio,
# gzip, xz, bzip2, zstd, lz4, lzop): every compression the kernel unpacks,
# concatenations with early microcode and padding, and damaged or hostile
# images.  The expected status of each case follows from how the image was
# made (which files went in, what modules.dep says, where it was cut), never
# from xenprobe's own output.
set -u
: "${XENPROBE:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
V=9.9.9-xptest
pass=0 fail=0 skip=0

have() { command -v "$1" >/dev/null 2>&1; }
if ! have cpio; then
        echo "SKIP: cpio not installed"
        exit 77
fi

# tree: a minimal initramfs-tools-like image with xen-blkfront and ext4
mktree() { # DIR [no-blkfront|unlisted|lost-dep|no-crc32c]
        local d=$1 m="$1/usr/lib/modules/$V" how=${2:-}
        mkdir -p "$m/kernel/drivers/block" "$m/kernel/fs/ext4" "$m/kernel/fs/jbd2" "$m/kernel/lib" "$m/kernel/crypto" \
                "$d/conf" "$d/scripts"
        echo 'MODULES=most' >"$d/conf/initramfs.conf"
        printf '#!/bin/sh\n' >"$d/init"
        head -c 3000 /dev/urandom >"$m/kernel/fs/ext4/ext4.ko"
        head -c 1000 /dev/urandom >"$m/kernel/fs/jbd2/jbd2.ko"
        [ "$how" = lost-dep ] || head -c 500 /dev/urandom >"$m/kernel/lib/crc16.ko"
        [ "$how" = no-blkfront ] || head -c 2000 /dev/urandom >"$m/kernel/drivers/block/xen-blkfront.ko"
        [ "$how" = no-crc32c ] || head -c 300 /dev/urandom >"$m/kernel/crypto/crc32c_generic.ko"
        {
                echo "kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/jbd2/jbd2.ko"
                echo "kernel/fs/jbd2/jbd2.ko:"
                echo "kernel/lib/crc16.ko:"
                [ "$how" = unlisted ] || echo "kernel/drivers/block/xen-blkfront.ko:"
                [ "$how" = no-crc32c ] || echo "kernel/crypto/crc32c_generic.ko:"
        } >"$m/modules.dep"
        : >"$m/modules.builtin"
        # as depmod writes them for Debian's 6.1 kernel
        printf 'softdep ext4 pre: crypto-crc32c\nsoftdep jbd2 pre: crypto-crc32c\n' >"$m/modules.softdep"
        printf 'alias crypto-crc32c crc32c_intel\nalias crypto-crc32c crc32c_generic\n' >"$m/modules.alias"
}
# flip FILE OFFSET: invert every bit of one byte (writing a fixed byte
# instead is no damage when the byte already had that value)
flip() {
        local b
        b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
        printf "\\$(printf %03o $((255 - b)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
newc() { (cd "$1" && find . | LC_ALL=C sort | cpio --quiet -o -H "${2:-newc}"); }

mktree "$T/good"
mktree "$T/noblk" no-blkfront
mktree "$T/unlisted" unlisted
mktree "$T/lostdep" lost-dep
mktree "$T/nocrc" no-crc32c
mkdir -p "$T/ucode/kernel/x86/microcode"
head -c 70000 /dev/urandom >"$T/ucode/kernel/x86/microcode/GenuineIntel.bin"
newc "$T/ucode" >"$T/ucode.cpio"
newc "$T/good" >"$T/good.cpio"

# check NAME IMAGE EXIT BLKFRONT [FS]
check() {
        local name=$1 img=$2 want_exit=$3 want_blk=$4 want_fs=${5:-} out rc blk fs
        out=$("$XENPROBE" initrd --json --fs ext4 "$img" 2>"$T/err")
        rc=$?
        blk=$(jq -r '.images[0].checks[] | select(.name=="xen-blkfront") | .status' <<<"$out" 2>/dev/null)
        fs=$(jq -r '.images[0].checks[] | select(.name=="root-fs:ext4") | .status' <<<"$out" 2>/dev/null)
        if [ "$rc" != "$want_exit" ] || [ "$blk" != "$want_blk" ] || { [ -n "$want_fs" ] && [ "$fs" != "$want_fs" ]; }; then
                echo "FAIL $name (exit $rc want $want_exit; xen-blkfront '$blk' want '$want_blk'; ext4 '$fs' want '${want_fs:-any}')"
                sed 's/^/    /' "$T/err"
                fail=$((fail + 1))
        else
                echo "PASS $name"
                pass=$((pass + 1))
        fi
}
judge() { # NAME COMMAND...: the command's exit status decides
        local name=$1
        shift
        if "$@" >/dev/null 2>&1; then
                echo "PASS $name"
                pass=$((pass + 1))
        else
                echo "FAIL $name"
                fail=$((fail + 1))
        fi
}
skipcase() { echo "SKIP $1 ($2)"; skip=$((skip + 1)); }

# --- every compression, alone and after early microcode + NUL padding
check "uncompressed" "$T/good.cpio" 0 ok ok
declare -A CMD=([gzip]="gzip -9c" [xz]="xz --check=crc32 -c" [lzma]="xz --format=lzma -c" [bzip2]="bzip2 -c"
        [zstd]="zstd -q -c" [lz4]="lz4 -q -l -c" [lzop]="lzop -c")
for c in gzip xz lzma bzip2 zstd lz4 lzop; do
        tool=${CMD[$c]%% *}
        if ! have "$tool"; then
                skipcase "$c" "$tool not installed"
                continue
        fi
        ${CMD[$c]} <"$T/good.cpio" >"$T/good.$c"
        check "$c" "$T/good.$c" 0 ok ok
        { cat "$T/ucode.cpio"; head -c 512 /dev/zero; cat "$T/good.$c"; } >"$T/ucode-good.$c"
        check "microcode+padding+$c" "$T/ucode-good.$c" 0 ok ok
        # a compressed member followed by padding and another member: the
        # kernel unpacks both, so the driver in the second one counts
        newc "$T/noblk" | ${CMD[$c]} >"$T/first.$c"
        mkdir -p "$T/second/usr/lib/modules/$V/kernel/drivers/block"
        cp "$T/good/usr/lib/modules/$V/kernel/drivers/block/xen-blkfront.ko" \
                "$T/second/usr/lib/modules/$V/kernel/drivers/block/"
        { cat "$T/first.$c"; head -c 4 /dev/zero; newc "$T/second" | ${CMD[$c]}; } >"$T/chain.$c"
        check "$c member, padding, another member (module only in the second)" "$T/chain.$c" 0 ok ok
done
if have xz; then
        { xz -c <"$T/good.cpio"; head -c 8 /dev/zero; } >"$T/xzpad"
        check "xz followed by zero padding" "$T/xzpad" 0 ok ok
fi

# --- what the image's index says
newc "$T/noblk" | gzip -c >"$T/noblk.gz"
check "xen-blkfront absent" "$T/noblk.gz" 3 missing ok
newc "$T/unlisted" | gzip -c >"$T/unlisted.gz"
check "xen-blkfront present but not in modules.dep" "$T/unlisted.gz" 3 missing ok
newc "$T/lostdep" | gzip -c >"$T/lostdep.gz"
check "ext4 dependency crc16 missing" "$T/lostdep.gz" 3 ok missing
newc "$T/nocrc" | gzip -c >"$T/nocrc.gz"
check "ext4 soft dependency crypto-crc32c without a provider" "$T/nocrc.gz" 3 ok missing
"$XENPROBE" initrd --quick --json --fs ext4 "$T/good.cpio" >"$T/quick.json"
judge "--quick on a good image" jq -e '.images[0].status == "ok"' "$T/quick.json"
fix=$("$XENPROBE" initrd --json "$T/noblk.gz" | jq -r '.images[0].checks[] | select(.name=="xen-blkfront") | .fix')
judge "initramfs-tools remediation names the module list and the kernel ($fix)" \
        grep -q "/etc/initramfs-tools/modules && update-initramfs -u -k $V" <<<"$fix"
"$XENPROBE" initrd --json "$T/good.cpio" >"$T/kv.json"
judge "kernel version from usr/lib/modules/<V>/" jq -e ".images[0].kernel_version == \"$V\"" "$T/kv.json"
"$XENPROBE" initrd --json --kver 1.2.3 "$T/good.cpio" >"$T/kv.json"
judge "--kver names a kernel the image has no modules for" \
        jq -e '.images[0].checks[] | select(.name=="kernel-version") | .status == "missing"' "$T/kv.json"

# --- cpio "crc" format: its checksums are verified
newc "$T/good" crc >"$T/good.crc"
check "newc crc format" "$T/good.crc" 0 ok ok
cp "$T/good.crc" "$T/bad.crc"
off=$(grep -abo 'MODULES=most' "$T/bad.crc" | head -1 | cut -d: -f1)
printf 'X' | dd of="$T/bad.crc" bs=1 seek="$off" conv=notrunc status=none
# the kernel writes the entry, then stops: "bad data checksum" (do_copy())
check "newc crc format with a flipped data byte" "$T/bad.crc" 3 missing

# --- damage
: >"$T/empty"
check "zero-length image" "$T/empty" 4 cannot-verify
gzip -c <"$T/good.cpio" >"$T/full.gz"
head -c $(($(stat -c %s "$T/full.gz") / 2)) "$T/full.gz" >"$T/trunc.gz"
# the kernel's rule (init/initramfs.c, unpack_to_rootfs(); booted in
# tests/test-kernel-unpack.sh): it stops at the first error and boots with
# what it unpacked before it.  Cut in half, modules.dep (written last) never
# arrives: missing
check "gzip truncated mid-stream" "$T/trunc.gz" 3 missing
if have zstd; then
        zstd -q -c <"$T/good.cpio" >"$T/full.zst"
        head -c $(($(stat -c %s "$T/full.zst") - 100)) "$T/full.zst" >"$T/trunc.zst"
        check "zstd truncated near the end" "$T/trunc.zst" 4 cannot-verify
fi
{ cat "$T/full.gz"; head -c 4096 /dev/urandom | tr '\0' '\1'; } >"$T/garbage.gz"
# junk after a whole, verified member: "invalid magic at start of compressed
# archive", everything before it unpacked
check "garbage appended" "$T/garbage.gz" 0 ok
cp "$T/full.gz" "$T/badcrc.gz"
sz=$(stat -c %s "$T/badcrc.gz")
flip "$T/badcrc.gz" $((sz - 8))
check "gzip with a wrong CRC32" "$T/badcrc.gz" 4 cannot-verify
head -c $(($(stat -c %s "$T/good.cpio") / 2)) "$T/good.cpio" >"$T/trunc.cpio"
check "uncompressed cpio truncated" "$T/trunc.cpio" 3 missing
head -c 100000 /dev/urandom | tr '\0' '\1' >"$T/random"
# no magic decompress_method() knows: the kernel unpacks nothing
check "random bytes" "$T/random" 3 missing

# hostile names and sizes, written byte by byte (newc: 110-byte header)
hdr() { # NAME FILESIZE
        local n=$1 s=$2
        printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
                1 $((0100644)) 0 0 1 0 "$s" 0 0 0 0 $((${#n} + 1)) 0
        printf '%s\0' "$n"
        local l=$((110 + ${#n} + 1))
        head -c $(((4 - l % 4) % 4)) /dev/zero
}
{ hdr ../../etc/evil 4; printf 'evil'; hdr TRAILER!!! 0; } >"$T/dotdot.cpio"
check "entry name escaping upward (../)" "$T/dotdot.cpio" 4 cannot-verify
{ hdr usr/lib/modules/$V/kernel/drivers/block/xen-blkfront.ko $((0xFFFFFFF0)); printf 'abc'; } >"$T/huge.cpio"
# the kernel writes the cut file short: not a module
check "entry declaring a 4 GiB size, file ends" "$T/huge.cpio" 3 missing
{ printf '070701%0104d' 0; } >"$T/badname.cpio"
check "header with a zero name size" "$T/badname.cpio" 3 missing
if have lz4; then
        lz4 -q -c <"$T/good.cpio" >"$T/frame.lz4" # frame format: the kernel refuses it
        check "lz4 frame format (not -l)" "$T/frame.lz4" 3 missing
fi
if have lzop; then
        lzop -c <"$T/good.cpio" >"$T/bad.lzo"
        sz=$(stat -c %s "$T/bad.lzo")
        flip "$T/bad.lzo" $((sz / 2))
        check "lzop with a damaged block (adler32)" "$T/bad.lzo" 4 cannot-verify
fi
mkfifo "$T/fifo"
check "a FIFO instead of an image (no hang)" "$T/fifo" 4 cannot-verify
check "a directory" "$T" 4 cannot-verify
check "a missing file" "$T/nonexistent" 4 cannot-verify

# --- found in review (each was a wrong answer before)
# a member whose magic straddles the 1 MiB read buffer, after zero padding
if have xz; then
        for k in 3 5 7; do
                gzip -c <"$T/ucode.cpio" >"$T/split.$k"
                sz=$(stat -c %s "$T/split.$k")
                head -c $((1048576 - k - sz)) /dev/zero >>"$T/split.$k"
                xz -c <"$T/good.cpio" >>"$T/split.$k"
                check "member magic split by the read buffer ($k bytes before the end)" "$T/split.$k" 0 ok ok
        done
fi
# lz4 ends only at zero padding: a member right after it stops the kernel
if have lz4; then
        { lz4 -q -l -c <"$T/ucode.cpio"; gzip -c <"$T/good.cpio"; } >"$T/lz4-gz"
        check "lz4 member followed by gzip without padding" "$T/lz4-gz" 4 cannot-verify
fi
# an uncompressed archive cut exactly at an entry boundary: every entry
# but the TRAILER!!! header (110 bytes before its name)
off=$(grep -abo 'TRAILER!!!' "$T/good.cpio" | head -1 | cut -d: -f1)
head -c $((off - 110)) "$T/good.cpio" >"$T/cut.cpio"
# every entry before the cut is whole: the kernel needs no TRAILER!!!
check "uncompressed archive cut at an entry boundary" "$T/cut.cpio" 0 ok
# a later copy of a file wins, as in the kernel's rootfs
mkdir -p "$T/override/usr/lib/modules/$V"
grep -v blkfront "$T/good/usr/lib/modules/$V/modules.dep" >"$T/override/usr/lib/modules/$V/modules.dep"
{ cat "$T/good.cpio"; newc "$T/override" | gzip -c; } >"$T/override.img"
check "a later modules.dep without xen-blkfront replaces the first" "$T/override.img" 3 missing
# two files with the module's name: the one the index lists counts
mkdir -p "$T/dup"
cp -a "$T/good/." "$T/dup/"
mkdir -p "$T/dup/usr/lib/modules/$V/extra"
head -c 100 /dev/urandom >"$T/dup/usr/lib/modules/$V/extra/xen-blkfront.ko"
newc "$T/dup" | gzip -c >"$T/dup.gz"
check "an unindexed extra/xen-blkfront.ko beside the indexed one" "$T/dup.gz" 0 ok ok
# crc format: symlinks carry checksum 0
ln -s ../conf/initramfs.conf "$T/good/scripts/link"
newc "$T/good" crc >"$T/link.crc"
rm "$T/good/scripts/link"
check "crc format with a symlink" "$T/link.crc" 0 ok ok
# an .lzma header asking for a 1 GiB dictionary: refused, not allocated
if have xz; then
        xz --format=lzma -c <"$T/good.cpio" >"$T/dict.lzma"
        printf '\x00\x00\x00\x40' | dd of="$T/dict.lzma" bs=1 seek=1 conv=notrunc status=none
        check "lzma header with a 1 GiB dictionary" "$T/dict.lzma" 4 cannot-verify
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
