#!/bin/bash
# Build real initramfs images for the `xenprobe initrd` tests, and the
# expected answers for them, from the generators' own tools only.
#
#   tests/initrd/build-images.sh [--force] OUTDIR
#
# Runs as root on Debian 12 with an installed Debian kernel, initramfs-tools,
# dracut-core and the compressors (nothing is installed here: what is missing
# is printed and the script exits 77).  Writes into OUTDIR:
#   *.img, *.cpio      the images
#   NAME.list          sorted paths in each readable image (from the
#                      generator's extractor: unmkinitramfs or lsinitrd)
#   expected.tsv       FILE KVER|- STATUS GENERATOR|- NOTE, one line an image;
#                      STATUS is the xen-blkfront status: ok, missing or
#                      cannot-verify
# A second run with the same script, kernel and generator versions does
# nothing (OUTDIR/.stamp); --force (or XP_INITRD_FORCE=1) rebuilds.
# xenprobe itself is never run here.
set -u
set -o pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C
umask 022

force=${XP_INITRD_FORCE:-0}
[ "${1:-}" = --force ] && { force=1; shift; }
[ $# = 1 ] || { echo "usage: $0 [--force] OUTDIR" >&2; exit 2; }
out=$1
t_start=$SECONDS

skip() { echo "build-images: SKIPPED: $*" >&2; exit 77; }
die() { echo "build-images: ERROR: $*" >&2; exit 1; }

# ---- requirements --------------------------------------------------------
[ "$(id -u)" = 0 ] || skip "must run as root (mkinitramfs/dracut/cpio need to keep ownership)"
missing=""
need() { # command package
	command -v "$1" >/dev/null 2>&1 || case " $missing " in *" $2 "*) ;; *) missing="$missing $2" ;; esac
}
need mkinitramfs initramfs-tools
need unmkinitramfs initramfs-tools
need dracut dracut-core
need lsinitrd dracut-core
need depmod kmod
need modprobe kmod
need cpio cpio
need gzip gzip
need xz xz-utils
need zstd zstd
need lz4 lz4
need bzip2 bzip2
need lzop lzop
need perl perl-base
kver=${XP_KVER:-}
if [ -z "$kver" ]; then
	for d in $(ls -1 /lib/modules 2>/dev/null | sort -rV); do
		if [ -s "/lib/modules/$d/modules.dep" ] && [ -e "/boot/vmlinuz-$d" ] && [ -e "/boot/config-$d" ]; then
			kver=$d
			break
		fi
	done
fi
[ -n "$kver" ] || missing="$missing linux-image-amd64"
if [ -n "$missing" ]; then
	echo "build-images: missing:$missing" >&2
	echo "build-images: install with: apt-get install -y --no-install-recommends$missing" >&2
	skip "requirements missing"
fi
[ -s "/lib/modules/$kver/modules.dep" ] || die "kernel $kver has no /lib/modules/$kver/modules.dep"
grep -q '^kernel/drivers/block/xen-blkfront\.ko' "/lib/modules/$kver/modules.dep" ||
	die "kernel $kver has no xen-blkfront module: these tests need a Debian kernel with CONFIG_XEN_BLKDEV_FRONTEND=m"

# ---- idempotence ---------------------------------------------------------
mkdir -p "$out" || die "cannot create $out"
out=$(cd "$out" && pwd)
stamp="script=$(sha256sum "$0" | cut -d' ' -f1) kver=$kver full=${XP_INITRD_FULL:-0} $(dpkg-query -W -f='${Package}=${Version} ' \
	initramfs-tools-core dracut-core kmod "linux-image-$kver" 2>/dev/null)"
if [ "$force" != 1 ] && [ -s "$out/expected.tsv" ] && [ "$(cat "$out/.stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "build-images: $out is up to date for $kver ($(wc -l <"$out/expected.tsv") images); --force rebuilds"
	exit 0
fi
rm -f "$out"/*.img "$out"/*.cpio "$out"/*.list "$out"/expected.tsv "$out"/.stamp
# scratch space in memory when there is room (the builds write ~130 MiB trees)
tmpbase=/var/tmp
if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR==2 {print $4}')" -gt 3000000 ] 2>/dev/null; then
	tmpbase=/dev/shm
fi
work=$(mktemp -d "$tmpbase/xp-initrd-build.XXXXXX") || die "mktemp"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/logs" "$work/exp" "$work/t" "$work/tmp"
export TMPDIR=$work/tmp   # mkinitramfs, unmkinitramfs and dracut work here
echo "build-images: kernel $kver, output $out, work $work"

# ---- job pool --------------------------------------------------------------
jobs_max=$(nproc 2>/dev/null || echo 2)
[ "$jobs_max" -ge 1 ] 2>/dev/null || jobs_max=2
pids=() names=()
spawn() { # name function args...  (runs in the background, log in logs/name)
	local name=$1
	shift
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
	(
		s=$SECONDS
		set -eE
		trap 'echo "E: $name: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
		"$@"
		echo "  $(printf '%-34s' "$name") $((SECONDS - s))s"
	) >"$work/logs/$name" 2>&1 &
	pids+=($!) names+=("$name")
}
join() { # wait for every job; stop on the first failure
	local i bad=0
	for i in "${!pids[@]}"; do
		if wait "${pids[$i]}"; then
			grep -E '^(  |W: )' "$work/logs/${names[$i]}"
		else
			echo "build-images: job ${names[$i]} failed:" >&2
			tail -n 30 "$work/logs/${names[$i]}" >&2
			bad=1
		fi
	done
	pids=() names=()
	[ $bad = 0 ] || die "a build job failed (see above)"
}

# ---- helpers ---------------------------------------------------------------
# deterministic "random" bytes: N bytes from seed S
prng() { perl -e 'srand($ARGV[1]); my $n = $ARGV[0]; while ($n > 0) { my $k = $n > 65536 ? 65536 : $n; print pack("C*", map { int(rand(256)) } 1..$k); $n -= $k }' "$1" "$2"; }

# the format of the compressed segment at byte OFFSET of FILE
magic_at() {
	local h
	h=$(od -An -tx1 -j "$2" -N 6 "$1" | tr -d ' \n')
	case $h in
	1f8b*) echo gzip ;;
	fd377a585a00) echo xz ;;
	28b52ffd*) echo zstd ;;
	02214c18*) echo lz4 ;;
	5d0000*) echo lzma ;;
	425a68*) echo bzip2 ;;
	894c5a4f*) echo lzop ;;
	303730373031 | 303730373032) echo cpio ;;
	*) echo "unknown:$h" ;;
	esac
}

# an initramfs-tools config dir: a copy of /etc/initramfs-tools with
# MODULES set and a modules list of our own
mkconf() { # dir modules-setting list-entries...
	local dir=$1 mods=$2
	shift 2
	cp -a /etc/initramfs-tools "$dir"
	rm -f "$dir"/conf.d/* 2>/dev/null || true   # no host-specific RESUME=, COMPRESS=, ...
	sed -i -e '/^MODULES=/d' -e '/^COMPRESS=/d' -e '/^COMPRESSLEVEL=/d' "$dir/initramfs.conf"
	printf 'MODULES=%s\nCOMPRESS=zstd\n' "$mods" >>"$dir/initramfs.conf"
	printf '# written by tests/initrd/build-images.sh\n' >"$dir/modules"
	[ $# = 0 ] || printf '%s\n' "$@" >>"$dir/modules"
}

build_itools() { # name confdir compress
	mkinitramfs -d "$2" -c "$3" -o "$out/$1.img" "$kver"
	local got
	got=$(magic_at "$out/$1.img" 0)
	echo "$got" >"$work/t/$1.format"
	[ "$got" = "$3" ] || echo "W: asked mkinitramfs for $3, got $got" >&2
}

build_dracut() { # name fallback-note dracut-args...
	local name=$1
	shift
	if ! dracut -q --no-hostonly --kver "$kver" --force "$@" "$out/$name.img"; then
		echo "W: dracut with the full module set failed; retrying with -m 'base kernel-modules rootfs-block'" >&2
		dracut -q --no-hostonly -m "base kernel-modules rootfs-block" --kver "$kver" --force "$@" "$out/$name.img"
		echo "dracut full module set failed; built with -m 'base kernel-modules rootfs-block'" >"$work/t/$name.fallback"
	fi
}

# Extract IMAGE with its generator's own extractor into DIR; print the roots
# (early ones first, the main one last), one a line.
extract() { # image generator dir
	local img=$1 gen=$2 dir=$3 d
	rm -rf "$dir"
	mkdir -p "$dir"
	case $gen in
	dracut)
		mkdir -p "$dir/early" "$dir/main"
		(cd "$dir/early" && lsinitrd --unpackearly "$img" >/dev/null) || return 1
		(cd "$dir/main" && lsinitrd --unpack "$img") || return 1
		echo "$dir/early"
		echo "$dir/main"
		;;
	*)
		unmkinitramfs "$img" "$dir" || return 1
		if [ -d "$dir/main" ]; then
			for d in "$dir"/early*; do [ -d "$d" ] && echo "$d"; done
			echo "$dir/main"
		else
			echo "$dir"
		fi
		;;
	esac
}

# Work out the expected line for a readable image from its own contents.
derive() { # name file generator note
	local name=$1 file=$2 gen=$3 note=$4 img=$out/$2 x=$work/x-$1 roots main r kv ko depf depline status
	roots=$(extract "$img" "$gen" "$x") || { echo "extracting $file with the $gen tools failed" >&2; return 1; }
	main=$(echo "$roots" | tail -n1)
	for r in $roots; do (cd "$r" && find . -mindepth 1 | sed 's|^\./||'); done | sort -u >"$out/$name.list"
	[ -s "$out/$name.list" ] || { echo "$file: empty listing" >&2; return 1; }
	kv=$(sed -nE 's#^(usr/)?lib/modules/([^/]+)/modules\.dep$#\2#p' "$out/$name.list" | sort -u)
	[ "$kv" = "$kver" ] || { echo "$file: kernel versions in the listing: '$kv', expected $kver" >&2; return 1; }
	ko=$(grep -E "^(usr/)?lib/modules/$kver/kernel/drivers/block/xen-blkfront\.ko(\.(xz|zst|gz))?$" "$out/$name.list" | head -n1) || true
	depf=$main/lib/modules/$kver/modules.dep
	[ -f "$depf" ] || depf=$main/usr/lib/modules/$kver/modules.dep
	[ -f "$depf" ] || { echo "$file: no modules.dep extracted" >&2; return 1; }
	depline=$(grep -E "^(/lib/modules/$kver/)?kernel/drivers/block/xen-blkfront\.ko(\.(xz|zst|gz))?:" "$depf" | head -n1) || true
	if [ -n "$ko" ] && [ -n "$depline" ] && [ "$(basename "${depline%%:*}")" = "$(basename "$ko")" ]; then
		status=ok
	else
		status=missing
	fi
	# cross-check with kmod reading the image's own index (modules.dep.bin)
	if modprobe -C /dev/null -d "$main" -S "$kver" --show-depends xen-blkfront >"$work/t/$name.modprobe" 2>&1; then
		[ $status = ok ] || { echo "$file: listing says $status but modprobe resolves xen-blkfront:" >&2; cat "$work/t/$name.modprobe" >&2; return 1; }
	else
		[ $status = missing ] || { echo "$file: listing says ok but modprobe does not resolve xen-blkfront:" >&2; cat "$work/t/$name.modprobe" >&2; return 1; }
	fi
	[ -f "$work/t/$name.fallback" ] && note="$note; $(cat "$work/t/$name.fallback")"
	echo "  $name: xen-blkfront $status (file: ${ko:-none}; modules.dep: ${depline:-none})"
	printf '%s\t%s\t%s\t%s\t%s\n' "$file" "$kver" "$status" "$gen" "$note" >"$work/exp/$name"
	rm -rf "$x"
}

corrupt_line() { # name file kver generator note [status]
	printf '%s\t%s\t%s\t%s\t%s\n' "$2" "$3" "${6:-cannot-verify}" "$4" "$5" >"$work/exp/$1"
}

# The expected line of a gzip image damaged inside its main member, from
# what gzip and cpio recover of it, compared with the intact BASE: when
# xen-blkfront.ko and modules.dep come out whole, the kernel unpacks them too
# but no check confirms their bytes (cannot-verify); else it never unpacks
# them whole (missing).
damaged_line() { # name file base note
	local name=$1 file=$2 base=$3 note=$4 x=$work/x-$1 m=usr/lib/modules/$kver status=missing
	mkdir -p "$x/i" "$x/d"
	gzip -dc <"$out/$base.img" | (cd "$x/i" && cpio -id --quiet 2>/dev/null)
	gzip -dc <"$out/$file" 2>/dev/null | (cd "$x/d" && cpio -id --quiet 2>/dev/null)
	if cmp -s "$x/i/$m/kernel/drivers/block/xen-blkfront.ko" "$x/d/$m/kernel/drivers/block/xen-blkfront.ko" &&
		cmp -s "$x/i/$m/modules.dep" "$x/d/$m/modules.dep"; then
		status=cannot-verify
	fi
	echo "  $name: xen-blkfront $status (what gzip -dc | cpio -id recovers, against $base)"
	corrupt_line "$name" "$file" "$kver" initramfs-tools "$note" "$status"
	rm -rf "$x"
}

# ---- phase 1: images from the generators ------------------------------------
# MODULES=most (about 125 MiB uncompressed, as Debian builds it) with the
# compressors people use; the rarer ones on the small MODULES=list image to
# keep the run within budget (XP_INITRD_FULL=1: every one with MODULES=most)
if [ "${XP_INITRD_FULL:-0}" = 1 ]; then
	itools="most-gzip most-xz most-zstd most-lz4 most-lzma most-bzip2 most-lzop"
else
	itools="most-gzip most-xz most-zstd base-lz4 base-lzma base-bzip2 base-lzop"
fi
echo "== phase 1: generators (mkinitramfs, dracut), $jobs_max at a time"
mkconf "$work/conf-most" most
mkconf "$work/conf-noblk" list ext4
mkconf "$work/conf-base" list ext4 xen-blkfront xen-netfront virtio_blk nvme
# fake microcode for dracut's own early cpio (--fwdir)
mkdir -p "$work/fw/intel-ucode" "$work/fw/amd-ucode"
prng 4194304 1 >"$work/fw/intel-ucode/06-55-04"
prng 30000 2 >"$work/fw/amd-ucode/microcode_amd_fam17h.bin"

# longest first: xz compresses 125 MiB with two threads, dracut's full module
# set takes about a minute
for ic in $itools; do
	case $ic in most-xz) spawn "itools-$ic" build_itools "itools-$ic" "$work/conf-${ic%%-*}" "${ic#*-}" ;; esac
done
spawn dracut-full-default build_dracut dracut-full-default
spawn dracut-full-omit-blkfront build_dracut dracut-full-omit-blkfront --omit-drivers xen-blkfront
for ic in $itools; do
	case $ic in most-xz) ;; *) spawn "itools-$ic" build_itools "itools-$ic" "$work/conf-${ic%%-*}" "${ic#*-}" ;; esac
done
for c in gzip xz zstd lz4 bzip2 lzma lzo no-compress; do
	spawn "dracut-min-$c" build_dracut "dracut-min-$c" -m "base kernel-modules rootfs-block" \
		--drivers "xen-blkfront ext4" "--$c"
done
spawn dracut-min-ucode-xz build_dracut dracut-min-ucode-xz -m "base kernel-modules rootfs-block" \
	--drivers "xen-blkfront ext4" --early-microcode --fwdir "$work/fw" --xz
spawn itools-list-noblkfront build_itools itools-list-noblkfront "$work/conf-noblk" zstd
spawn itools-list-base build_itools itools-list-base "$work/conf-base" gzip
join

# ---- phase 2: derived and damaged images --------------------------------
echo "== phase 2: derived images (at $((SECONDS - t_start))s)"
# early microcode, as the kernel documents it: an uncompressed newc cpio
mkdir -p "$work/ucode/kernel/x86/microcode"
prng 4194304 3 >"$work/ucode/kernel/x86/microcode/GenuineIntel.bin"
(cd "$work/ucode" && find . | sort | cpio --quiet -o -H newc -R 0:0 >"$work/ucode.cpio") || die "ucode cpio"
for ic in $itools; do
	cat "$work/ucode.cpio" "$out/itools-$ic.img" >"$out/itools-$ic-ucode.img"
done
{ cat "$work/ucode.cpio"; head -c 512 /dev/zero; cat "$out/itools-most-zstd.img"; } >"$out/itools-most-zstd-ucode-pad512.img"

recompress_modules() { # name tool outer-compressor
	local name=$1 tool=$2 outer=$3 d=$work/r-$1 md
	unmkinitramfs "$out/itools-list-base.img" "$d"
	md=$d/lib/modules/$kver
	[ -d "$md" ] || md=$d/usr/lib/modules/$kver
	case $tool in
	xz) find "$md" -name '*.ko' -exec xz --check=crc32 --lzma2=dict=1MiB {} + ;;
	zstd) find "$md" -name '*.ko' -exec zstd -q --rm {} + ;;
	unlisted) # the file stays, the index (modules.dep and .bin) forgets it
		mv "$md/kernel/drivers/block/xen-blkfront.ko" "$work/t/$name.ko" ;;
	esac
	depmod -b "$d" "$kver"
	rm -f "$md"/modules.*map
	[ "$tool" = unlisted ] && mv "$work/t/$name.ko" "$md/kernel/drivers/block/xen-blkfront.ko"
	(cd "$d" && find . | sort | cpio --quiet -o -H newc -R 0:0) | $outer >"$out/$name.img"
	rm -rf "$d"
}
spawn derived-ko-xz recompress_modules derived-ko-xz xz "gzip -9"
spawn derived-ko-zst recompress_modules derived-ko-zst zstd "zstd -q -19"
spawn derived-unlisted-blkfront recompress_modules derived-unlisted-blkfront unlisted "gzip -9"
join

# damaged inputs
: >"$out/corrupt-empty.img"
half=$(($(stat -c %s "$out/itools-most-gzip.img") / 2))
head -c "$half" "$out/itools-most-gzip.img" >"$out/corrupt-truncated-gzip.img"
{ cat "$out/itools-most-gzip.img"; prng 4096 4; } >"$out/corrupt-trailing-garbage.img"
# bit rot: 64 pseudo-random bytes over the middle of the gzip stream
cp "$out/itools-list-base.img" "$out/corrupt-bitrot-gzip.img"
prng 64 5 | dd of="$out/corrupt-bitrot-gzip.img" bs=1 seek=$(($(stat -c %s "$out/itools-list-base.img") / 2)) \
	conv=notrunc status=none
# the gzip trailer's CRC32 altered, the deflate data intact
cp "$out/itools-list-base.img" "$out/corrupt-crc-gzip.img"
crcat=$(($(stat -c %s "$out/itools-list-base.img") - 8))
printf "\\$(printf %03o $((0x$(od -An -tx1 -j "$crcat" -N1 "$out/itools-list-base.img" | tr -d ' ') ^ 0xff)))" |
	dd of="$out/corrupt-crc-gzip.img" bs=1 seek="$crcat" conv=notrunc status=none
# early microcode, 512 pseudo-random bytes where the padding goes, the main
# archive: the kernel stops at the junk and never reaches the main archive
{ cat "$work/ucode.cpio"; prng 512 6; cat "$out/itools-list-base.img"; } >"$out/corrupt-junk-before-main.img"
# the kernel's edge rules: zeros after the last member; an uncompressed cpio
# after a compressed member, on a 4-byte boundary and off it
{ cat "$out/itools-list-base.img"; head -c 8192 /dev/zero; } >"$out/edge-zero-tail.img"
mkdir -p "$work/extra/etc" && echo extra >"$work/extra/etc/xp-extra"
(cd "$work/extra" && find . | sort | cpio --quiet -o -H newc -R 0:0 >"$work/extra.cpio") || die "extra cpio"
pad=$(( (4 - $(stat -c %s "$out/itools-list-base.img") % 4) % 4 ))
{ cat "$out/itools-list-base.img"; head -c "$pad" /dev/zero; cat "$work/extra.cpio"; } >"$out/edge-raw-after-gzip.img"
# zeros are skipped one by one: one more puts the cpio at 1 modulo 4
{ cat "$out/itools-list-base.img"; head -c "$((pad + 1))" /dev/zero; cat "$work/extra.cpio"; } \
	>"$out/edge-raw-after-gzip-unaligned.img"
# newc: ../../etc/evil (complete), then "huge" declaring 0xFFFFFFF0 bytes,
# the file ending right after its header and name
perl -e '
	sub hdr { my ($ino, $name, $size) = @_; my $ns = length($name) + 1;
		my $h = sprintf("070701" . ("%08X" x 13), $ino, 0100644, 0, 0, 1, 0, $size, 0, 0, 0, 0, $ns, 0) . $name . "\0";
		$h .= "\0" x ((4 - length($h) % 4) % 4); return $h; }
	binmode STDOUT;
	print hdr(1, "../../etc/evil", 5), "evil\n", "\0" x 3;
	print hdr(2, "huge", 0xFFFFFFF0);
' >"$out/corrupt-evil-path-huge-size.cpio" || die "evil cpio"

# ---- phase 3: expected values from the generators' tools -------------------
echo "== phase 3: listings and expected values (at $((SECONDS - t_start))s)"
for ic in $itools; do
	c=${ic#*-}
	fmt=$(cat "$work/t/itools-$ic.format")
	case $ic in
	most-*) n="mkinitramfs MODULES=most -c $c" ;;
	*) n="mkinitramfs MODULES=list (ext4 xen-blkfront xen-netfront virtio_blk nvme) -c $c" ;;
	esac
	[ "$fmt" = "$c" ] || n="$n (mkinitramfs fell back to $fmt)"
	spawn "check-itools-$ic" derive "itools-$ic" "itools-$ic.img" initramfs-tools "$n"
	spawn "check-itools-$ic-ucode" derive "itools-$ic-ucode" "itools-$ic-ucode.img" initramfs-tools \
		"4 MiB early microcode cpio + $n"
done
spawn check-itools-most-zstd-ucode-pad512 derive itools-most-zstd-ucode-pad512 itools-most-zstd-ucode-pad512.img \
	initramfs-tools "early microcode cpio + 512 NUL bytes + mkinitramfs MODULES=most -c zstd"
spawn check-itools-list-noblkfront derive itools-list-noblkfront itools-list-noblkfront.img initramfs-tools \
	"mkinitramfs MODULES=list (ext4 only), zstd: no xen-blkfront"
spawn check-itools-list-base derive itools-list-base itools-list-base.img initramfs-tools \
	"mkinitramfs MODULES=list (ext4 xen-blkfront xen-netfront virtio_blk nvme), gzip"
spawn check-dracut-full-default derive dracut-full-default dracut-full-default.img dracut \
	"dracut --no-hostonly, default module set and compression"
spawn check-dracut-full-omit-blkfront derive dracut-full-omit-blkfront dracut-full-omit-blkfront.img dracut \
	"dracut --no-hostonly --omit-drivers xen-blkfront"
for c in gzip xz zstd lz4 bzip2 lzma lzo no-compress; do
	spawn "check-dracut-min-$c" derive "dracut-min-$c" "dracut-min-$c.img" dracut \
		"dracut --no-hostonly -m 'base kernel-modules rootfs-block' --drivers 'xen-blkfront ext4' --$c"
done
spawn check-dracut-min-ucode-xz derive dracut-min-ucode-xz dracut-min-ucode-xz.img dracut \
	"dracut as dracut-min-xz plus --early-microcode --fwdir (4 MiB fake intel-ucode, small amd-ucode)"
spawn check-derived-ko-xz derive derived-ko-xz derived-ko-xz.img initramfs-tools \
	"itools-list-base with every .ko xz-compressed, depmod -b, repacked newc+gzip"
spawn check-derived-ko-zst derive derived-ko-zst derived-ko-zst.img initramfs-tools \
	"itools-list-base with every .ko zstd-compressed, depmod -b, repacked newc+zstd"
spawn check-derived-unlisted-blkfront derive derived-unlisted-blkfront derived-unlisted-blkfront.img initramfs-tools \
	"itools-list-base; xen-blkfront.ko present but depmod -b ran without it (modules.dep and .bin omit it)"
join

corrupt_line corrupt-empty corrupt-empty.img - - "zero-length file"
damaged_line corrupt-truncated-gzip corrupt-truncated-gzip.img itools-most-gzip \
	"first $half bytes of itools-most-gzip.img"
# after a whole, verified member the kernel stops at the junk and boots what
# it unpacked: xen-blkfront as in the image the junk was appended to
cp "$work/exp/itools-most-gzip" "$work/exp/corrupt-trailing-garbage"
sed -i "s/^itools-most-gzip\.img\t/corrupt-trailing-garbage.img\t/; s/\t[^\t]*\$/\titools-most-gzip.img + 4096 pseudo-random bytes/" \
	"$work/exp/corrupt-trailing-garbage"
damaged_line corrupt-bitrot-gzip corrupt-bitrot-gzip.img itools-list-base \
	"itools-list-base.img with 64 pseudo-random bytes at its middle"
corrupt_line corrupt-crc-gzip corrupt-crc-gzip.img "$kver" initramfs-tools \
	"itools-list-base.img with one byte of its gzip CRC32 inverted: the bytes are not confirmed"
corrupt_line corrupt-junk-before-main corrupt-junk-before-main.img - - \
	"early microcode cpio + 512 pseudo-random bytes + itools-list-base.img: the kernel stops at the junk" missing
for e in edge-zero-tail edge-raw-after-gzip edge-raw-after-gzip-unaligned; do
	sed "s/^itools-list-base\.img\t/$e.img\t/; s/\t[^\t]*\$/\titools-list-base.img + $e/" \
		"$work/exp/itools-list-base" >"$work/exp/$e"
done
corrupt_line corrupt-evil-path-huge-size corrupt-evil-path-huge-size.cpio - - \
	"newc: ../../etc/evil, then an entry declaring 0xFFFFFFF0 bytes that ends after its header"

# ---- expected.tsv, in a fixed order ----------------------------------------
order="$(for ic in $itools; do echo "itools-$ic"; done) $(for ic in $itools; do echo "itools-$ic-ucode"; done)
itools-most-zstd-ucode-pad512
itools-list-base itools-list-noblkfront
dracut-full-default dracut-full-omit-blkfront
dracut-min-gzip dracut-min-xz dracut-min-zstd dracut-min-lz4 dracut-min-bzip2 dracut-min-lzma dracut-min-lzo
dracut-min-no-compress dracut-min-ucode-xz
derived-ko-xz derived-ko-zst derived-unlisted-blkfront
corrupt-empty corrupt-truncated-gzip corrupt-trailing-garbage corrupt-evil-path-huge-size
corrupt-bitrot-gzip corrupt-crc-gzip corrupt-junk-before-main edge-zero-tail edge-raw-after-gzip
edge-raw-after-gzip-unaligned"
for n in $order; do
	[ -s "$work/exp/$n" ] || die "no expected line for $n"
	cat "$work/exp/$n"
done >"$out/expected.tsv.tmp" && mv "$out/expected.tsv.tmp" "$out/expected.tsv"
chmod 0644 "$out"/*.img "$out"/*.cpio "$out"/*.list "$out/expected.tsv"
echo "$stamp" >"$out/.stamp"

echo "== $(wc -l <"$out/expected.tsv") images in $out, $((SECONDS - t_start))s in all"
cut -f1,3 "$out/expected.tsv" | column -t
