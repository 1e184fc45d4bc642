#!/bin/bash
# Record what the kernel itself unpacks from each damaged and edge initramfs
# image that tests/initrd/build-images.sh made: the oracle of
# tests/test-kernel-unpack.sh.
#
#   tests/initrd/kernel-unpack.sh IMAGES_DIR
#
# Each image is booted, behind a small uncompressed cpio of our own (busybox
# and a listing script at /xp/, started with rdinit=), with the installed
# Debian kernel under QEMU (TCG, no Xen: the unpacker is the same code,
# init/initramfs.c, for every guest type).  The kernel unpacks the prefix,
# then the image as it would at boot; the script prints the kernel's
# "Initramfs unpacking failed: ..." line and the md5 of every regular file
# that ended up in rootfs.  Writes into IMAGES_DIR/kernel/:
#   prefix.cpio        the prefix (the test boots nothing: it reads
#                      prefix.cpio + IMAGE with xenprobe, the same bytes)
#   NAME.files         "MD5  PATH" of every file the kernel unpacked
#   NAME.msg           the kernel's message, empty when it unpacked all
#   NAME.sum           the image's sha256 (a rerun skips what it recorded)
#   kernel             the kernel's version and its CONFIG_RD_* lines
# Exits 77 when QEMU, busybox or a kernel is missing.  xenprobe is never run
# here.
set -u
set -o pipefail
export LC_ALL=C
umask 022
[ $# = 1 ] || { echo "usage: $0 IMAGES_DIR" >&2; exit 2; }
dir=$1
skip() { echo "kernel-unpack: SKIPPED: $*" >&2; exit 77; }
die() { echo "kernel-unpack: ERROR: $*" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
bb=$(command -v busybox) || skip "busybox is not installed (apt-get install busybox-static)"
ldd "$bb" >/dev/null 2>&1 && skip "$bb is dynamically linked (apt-get install busybox-static)"
[ -s "$dir/expected.tsv" ] || skip "no $dir/expected.tsv (run tests/initrd/build-images.sh $dir)"
kver=$(awk -F'\t' '$2 != "-" { print $2; exit }' "$dir/expected.tsv")
vmlinuz=/boot/vmlinuz-$kver
[ -r "$vmlinuz" ] || skip "no $vmlinuz (the kernel the images were made for)"
out=$dir/kernel
mkdir -p "$out" || die "cannot create $out"
work=$(mktemp -d "${TMPDIR:-/tmp}/xp-kunpack.XXXXXX") || die "mktemp"
trap 'rm -rf "$work"' EXIT

# the prefix: /xp/busybox and /xp/list, a complete newc archive (cpio pads it
# to 512 bytes, so the image after it starts on a 4-byte boundary)
mkdir -p "$work/p/xp"
cp "$bb" "$work/p/xp/busybox"
cat >"$work/p/xp/list" <<'EOF'
#!/xp/busybox sh
B=/xp/busybox
echo XP-BEGIN
$B dmesg | $B sed -n 's/.*\(Initramfs unpacking failed: .*\)$/XP-MSG \1/p'
$B find / -xdev -path /xp -prune -o -type f -print0 | $B xargs -0 -r $B md5sum | $B sed 's/^/XP-FILE /'
echo XP-END
$B reboot -f
EOF
chmod 0755 "$work/p/xp/list" "$work/p/xp/busybox"
(cd "$work/p" && find . | sort | cpio --quiet -o -H newc -R 0:0) >"$work/prefix.cpio" || die "prefix cpio"
cmp -s "$work/prefix.cpio" "$out/prefix.cpio" 2>/dev/null || {
	cp "$work/prefix.cpio" "$out/prefix.cpio" && rm -f "$out"/*.sum
}
{ echo "$kver"; grep '^CONFIG_RD_' "/boot/config-$kver" 2>/dev/null; } >"$out/kernel"

# the images the kernel is asked about: the damaged ones, the edges, and the
# intact images they were made from (the reference for "unpacked whole")
# (not corrupt-empty: nothing to unpack; not the hand-made evil cpio: no
# generator writes one, and its 4 GiB entry costs a minute)
images=$(awk -F'\t' '$1 ~ /^(corrupt-|edge-)/ && $1 !~ /^corrupt-(empty|evil)/ || $1 ~ /^itools-most-gzip\.img$|^itools-most-zstd-ucode-pad512\.img$|^itools-list-base\.img$/ { print $1 }' "$dir/expected.tsv")
accel=tcg
[ -w /dev/kvm ] && accel=kvm
t0=$SECONDS
n=0
for f in $images; do
	name=${f%.*}
	img=$dir/$f
	[ -e "$img" ] || die "$img is listed in expected.tsv but missing"
	sum=$(sha256sum <"$img" | cut -d' ' -f1)
	[ "$(cat "$out/$name.sum" 2>/dev/null)" = "$sum" ] && [ -e "$out/$name.files" ] && continue
	cat "$out/prefix.cpio" "$img" >"$work/boot.img"
	# memory: the image, rootfs holding what it unpacks, and the kernel
	mem=$(( ($(stat -c %s "$work/boot.img") * 6 / 1048576) + 512 ))
	t=$SECONDS
	timeout 300 qemu-system-x86_64 -accel "$accel" -m "$mem" -nographic -no-reboot -nodefaults \
		-serial stdio -kernel "$vmlinuz" -initrd "$work/boot.img" \
		-append "console=ttyS0 rdinit=/xp/list panic=-1 loglevel=3" </dev/null >"$work/console" 2>&1
	rc=$?
	grep -q '^XP-END' "$work/console" || { tail -n 30 "$work/console" >&2; die "$name: no listing from the kernel (qemu exit $rc)"; }
	tr -d '\r' <"$work/console" | sed -n 's/^XP-FILE //p' | sort -k2 >"$out/$name.files"
	tr -d '\r' <"$work/console" | sed -n 's/^XP-MSG //p' >"$out/$name.msg"
	echo "$sum" >"$out/$name.sum"
	n=$((n + 1))
	echo "kernel-unpack: $name: $(wc -l <"$out/$name.files") files, $(cat "$out/$name.msg" | head -c 100)$([ -s "$out/$name.msg" ] || echo 'unpacked whole') ($((SECONDS - t))s)"
done
rm -f "$work/boot.img"
echo "kernel-unpack: $n image(s) booted with $vmlinuz ($accel), $((SECONDS - t0))s"
