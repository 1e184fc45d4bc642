#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# mkinitrd.sh ROOT KVER OUT [noblk]
# The domU initramfs of make check-xen, from the dom0 tree ROOT (Debian 12,
# xenprobe installed in it by tests/xen/build.sh): static busybox (host's
# busybox-static), tests/xen/guest-init.sh as /init, xenprobe and the
# libraries it links and dlopen()s by soname (with their dependencies, as
# ldd in ROOT shows them), systemd-udevd + udevadm and their rules (the
# daemon follows udev events), the xenstore client, xs-guest, and the
# modules a domU needs.  "noblk" leaves xen-blkfront out (the PV guest
# whose initramfs cannot see its disk).
set -euo pipefail
R=$1 K=$2 OUT=$3 VARIANT=${4:-}
H=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T"/{bin,sbin,usr/bin,usr/sbin,usr/lib,proc,sys,dev,tmp,run,out,etc,lib64,lib/x86_64-linux-gnu,lib/modules/$K}
cp /bin/busybox "$T/bin/busybox"
cp "$H/guest-init.sh" "$T/init"
chmod +x "$T/init"

copy() { # copy FILE (a path inside ROOT) to the same path in the image
	local f=$1
	mkdir -p "$T$(dirname "$f")"
	cp -L "$R$f" "$T$f"
}
deps() { # the shared libraries FILE (inside ROOT) needs, as ldd in ROOT says
	chroot "$R" ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
}
with_deps() {
	local f
	for f in "$@"; do
		copy "$f"
		deps "$f"
	done | sort -u | while read -r l; do copy "$l"; done
}
with_deps /usr/sbin/xenprobe /usr/bin/xenstore /usr/local/bin/xs-guest /lib/systemd/systemd-udevd
# udevadm is the same binary (it acts on its name)
ln -sf /lib/systemd/systemd-udevd "$T/bin/udevadm"
ln -sf xenprobe "$T/usr/sbin/xenprobed"
for n in xenstore-read xenstore-write xenstore-ls xenstore-list xenstore-exists xenstore-rm xenstore-watch xenstore-chmod; do
	ln -sf xenstore "$T/usr/bin/$n"
done
# what xenprobe dlopen()s by soname (probes/dl.c users), with dependencies
for so in libkmod.so.2 libudev.so.1 libblkid.so.1 libxenstore.so.4 libz.so.1 liblzma.so.5 \
	libzstd.so.1 liblz4.so.1 libbz2.so.1.0 liblzo2.so.2 libjson-c.so.5; do
	p=$(chroot "$R" /sbin/ldconfig -p | awk -v s="$so" '$1 == s && /x86-64/ && !p { print $NF; p = 1 }')
	[ -n "$p" ] || { echo "mkinitrd: $so not in $R" >&2; exit 1; }
	with_deps "$p"
done
# udev: rules and the helpers they call
mkdir -p "$T/lib/udev/rules.d" "$T/etc/udev"
# only what a server guest needs: coldplug under TCG is slow with all of them
for r in 50-udev-default 60-block 60-persistent-storage 80-drivers; do
	cp "$R/lib/udev/rules.d/$r.rules" "$T/lib/udev/rules.d/"
done
for x in ata_id scsi_id cdrom_id; do [ -x "$R/lib/udev/$x" ] && with_deps "/lib/udev/$x"; done
cp "$R/etc/udev/udev.conf" "$T/etc/udev/" 2>/dev/null || true
cp "$R/etc/passwd" "$R/etc/group" "$T/etc/"
cp -L "$R/etc/os-release" "$T/etc/os-release"
cp -L "$R/etc/os-release" "$T/usr/lib/os-release"
# modules (and their dependencies)
MODS="xen-blkfront xen-netfront xenfs xen-evtchn xen-gntdev xen-gntalloc ata_piix ata_generic sd_mod sr_mod"
[ "$VARIANT" = noblk ] && MODS=${MODS/xen-blkfront /}
for m in $MODS; do
	modprobe -d "$R" -S "$K" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
done | sort -u | while read -r f; do
	rel=${f#"$R"}
	mkdir -p "$T$(dirname "$rel")"
	cp "$f" "$T$rel"
done
for f in modules.builtin modules.builtin.modinfo modules.order; do
	cp "$R/lib/modules/$K/$f" "$T/lib/modules/$K/"
done
depmod -b "$T" "$K"
if [ "$VARIANT" = noblk ] && find "$T/lib/modules" -name 'xen-blkfront*' | grep -q .; then
	echo "mkinitrd: xen-blkfront still in the noblk image" >&2
	exit 1
fi
ldconfig -r "$T"
# xz: an HVM guest's firmware loads the kernel and this image through
# QEMU's fw_cfg, which is slow under TCG (about 10 s per MB here); the
# kernel wants CRC32 checks in an xz initramfs
(cd "$T" && find . | cpio -o -H newc --quiet | xz -9 --check=crc32 -T1) >"$OUT"
echo "mkinitrd: $OUT $(du -k "$OUT" | cut -f1) KiB${VARIANT:+ ($VARIANT)}"
