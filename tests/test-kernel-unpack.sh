#!/bin/bash
# `xenprobe initrd` on damaged and edge initramfs images against the kernel
# itself: tests/initrd/kernel-unpack.sh booted each image with the Debian
# kernel and recorded what its unpacker (init/initramfs.c) put in rootfs and
# the "Initramfs unpacking failed: ..." line it printed.  Here xenprobe reads
# the same bytes (the recorder's prefix cpio + the image) and its
# xen-blkfront verdict must be what the kernel got:
#   - xen-blkfront.ko and modules.dep unpacked whole (the md5 of the intact
#     image's own boot): ok; cannot-verify only where the kernel stopped
#     inside a compressed member, or gzip -t finds the member's check value
#     wrong (the bytes are then not confirmed, whatever the kernel did);
#   - absent, or not the intact bytes: missing; cannot-verify only where the
#     kernel stopped inside a compressed member;
#   - a message the kernel printed: xenprobe saw damage, and the message it
#     quotes (kernel_message) is the kernel's; none printed: none quoted.
#
#   XP_INITRD_IMAGES=/var/tmp/xp-initrd make check TESTS=tests/test-kernel-unpack.sh
#
# Skips (77) without the recordings (XP_INITRD_IMAGES/kernel/).
set -u
XENPROBE=${XENPROBE:-./xenprobe}
dir=${XP_INITRD_IMAGES:-}
k=$dir/kernel
if [ -z "$dir" ] || [ ! -s "$k/prefix.cpio" ] || [ ! -s "$k/kernel" ]; then
	echo "SKIP kernel-unpack: no recordings (tests/initrd/build-images.sh DIR, then tests/initrd/kernel-unpack.sh DIR, XP_INITRD_IMAGES=DIR)"
	exit 77
fi
command -v jq >/dev/null || { echo "SKIP kernel-unpack: jq is not installed"; exit 77; }
kver=$(head -n1 "$k/kernel")
work=$(mktemp -d "${TMPDIR:-/tmp}/xp-kunpack-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
pass() { echo "PASS kernel-unpack: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL kernel-unpack: $1"; failed=$((failed + 1)); }

# the intact image each damaged one was made from (tests/initrd/build-images.sh)
base_of() {
	case $1 in
	corrupt-truncated-gzip | corrupt-trailing-garbage) echo itools-most-gzip ;;
	corrupt-* | edge-*) echo itools-list-base ;;
	*) echo "$1" ;;
	esac
}
md5_of() { # listing path
	awk -v p="$2" '$2 == p { print $1; exit }' "$1"
}
blk=/usr/lib/modules/$kver/kernel/drivers/block/xen-blkfront.ko
dep=/usr/lib/modules/$kver/modules.dep
within='^(junk within compressed archive|read error|uncompression error|decompressor failed)$'

n=0
for files in "$k"/*.files; do
	name=$(basename "$files" .files)
	img=$(ls "$dir/$name".img "$dir/$name".cpio 2>/dev/null | head -n1)
	base=$(base_of "$name")
	[ -n "$img" ] && [ -s "$k/$base.files" ] || { fail "$name: image or its base $base recording missing"; continue; }
	n=$((n + 1))
	kmsg=$(sed 's/^Initramfs unpacking failed: //' "$k/$name.msg")
	whole=no
	b=$(md5_of "$files" "$blk") d=$(md5_of "$files" "$dep")
	[ -n "$b" ] && [ "$b" = "$(md5_of "$k/$base.files" "$blk")" ] && [ "$d" = "$(md5_of "$k/$base.files" "$dep")" ] &&
		whole=yes
	unconfirmed=no
	[[ $kmsg =~ $within ]] && unconfirmed=yes
	case $(head -c2 "$img" | od -An -tx1 | tr -d ' ') in
	1f8b) gzip -t <"$img" 2>&1 | grep -q 'crc error\|length error' && unconfirmed=yes ;;
	esac
	cat "$k/prefix.cpio" "$img" >"$work/boot.img"
	"$XENPROBE" initrd --json --fs ext4 "$work/boot.img" >"$work/out" 2>"$work/err"
	rc=$?
	if ! jq -e '.images[0].checks' "$work/out" >/dev/null 2>&1; then
		fail "$name: no report (exit $rc): $(head -c 300 "$work/err")"
		continue
	fi
	st=$(jq -r '.images[0].checks[] | select(.name == "xen-blkfront") | .status' "$work/out")
	xerr=$(jq -r '.images[0].error // ""' "$work/out")
	xmsg=$(jq -r '.images[0].kernel_message // ""' "$work/out")
	kern="the kernel: xen-blkfront and modules.dep $([ $whole = yes ] && echo 'unpacked whole' || echo 'not unpacked whole')"
	kern="$kern, ${kmsg:+\"$kmsg\"}${kmsg:-no message}"
	want=$([ $whole = yes ] && echo ok || echo missing)
	if [ "$st" = "$want" ] || { [ "$st" = cannot-verify ] && [ $unconfirmed = yes ]; }; then
		pass "$name: xen-blkfront $st ($kern)"
	else
		fail "$name: xen-blkfront $st, expected $want ($kern)"
		jq -c '.images[0] | {error, kernel_stops_at, kernel_message, checks}' "$work/out" | head -c 1500; echo
	fi
	if [ -n "$kmsg" ] && [ -z "$xerr" ]; then
		fail "$name: the kernel printed \"$kmsg\", xenprobe saw no damage"
	elif [ -n "$xmsg" ] && [ "$xmsg" != "$kmsg" ]; then
		fail "$name: xenprobe quotes the kernel as \"$xmsg\", it printed \"${kmsg:-nothing}\""
	else
		pass "$name: the kernel's message ${xmsg:+quoted}${xmsg:-not quoted} (${kmsg:-none printed}; xenprobe: ${xerr:-no damage})"
	fi
done
[ $n -gt 0 ] || fail "no recorded image in $k"
echo "# $passed passed, $failed failed, 0 skipped"
[ $failed = 0 ]
