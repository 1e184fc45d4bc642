#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# build.sh [WORKDIR]   (default /var/tmp/xenprobe-xen; root, network once)
# Everything make check-xen boots, in WORKDIR:
#   dom0root/    Debian 12 (debootstrap minbase + Xen 4.17 + kernel + udev),
#                made once and reused (delete it to start over)
#   src/         a copy of this source tree, where xenprobe is built
#   sdroot/      Debian 12 with systemd and a kernel: the pv-systemd guest's
#                system, made once and reused
#   sd-guest.img ext4 image of sdroot with xenprobe installed (make install)
#                and its unit enabled: the pv-systemd guest's xvda
#   dom0.img     ext4 image of dom0root with xenprobe, xs-guest, the dom0
#                script and the guest kernel + initramfs images in /xpt
#   xen.elf vmlinuz-dom0 initrd-dom0   what QEMU boots (-kernel / -initrd)
#   build-times.txt
set -euo pipefail
W=${1:-${XEN_WORKDIR:-/var/tmp/xenprobe-xen}}
H=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$H/../.." && pwd)
R=$W/dom0root
MIRROR=${MIRROR:-http://deb.debian.org/debian}
PKGS=linux-image-amd64,xen-hypervisor-4.17-amd64,xen-utils-4.17,xenstore-utils,qemu-system-xen,busybox,kmod,procps
PKGS=$PKGS,util-linux,bash,initramfs-tools,e2fsprogs,udev,jq,libjson-c5,libkmod2,libudev1,libblkid1,zlib1g
PKGS=$PKGS,liblzma5,libzstd1,liblz4-1,libbz2-1.0,liblzo2-2
SD=$W/sdroot
SDPKGS=systemd,systemd-sysv,udev,kmod,linux-image-amd64,initramfs-tools,e2fsprogs,bash,libjson-c5,libkmod2
SDPKGS=$SDPKGS,libudev1,libblkid1,libxenstore4,zlib1g,liblzma5,libzstd1,liblz4-1,libbz2-1.0,liblzo2-2
mkdir -p "$W"
T0=$(date +%s)
step() { echo "[build $(date -u +%T)] $*"; }
took() { echo "$1 $(($(date +%s) - $2))s" >>"$W/build-times.txt"; }
: >"$W/build-times.txt"
for t in debootstrap mke2fs cpio gcc ldconfig busybox; do
	command -v $t >/dev/null || [ -x /bin/$t ] || { echo "build: $t missing (see tests/xen/README)" >&2; exit 77; }
done
[ -e /usr/include/xenstore.h ] || { echo "build: libxen-dev missing" >&2; exit 77; }

if [ ! -x "$R/usr/lib/xen-4.17/bin/xl" ]; then
	step "debootstrap Debian 12 into $R (once)"
	t=$(date +%s)
	rm -rf "$R.tmp"
	debootstrap --variant=minbase --include="$PKGS" bookworm "$R.tmp" "$MIRROR" >"$W/debootstrap.log" 2>&1 ||
		{ tail -20 "$W/debootstrap.log"; exit 1; }
	mv "$R.tmp" "$R"
	took debootstrap "$t"
fi
K=$(ls "$R/lib/modules" | sort -V | tail -n 1)
step "dom0 kernel $K"

step "build xenprobe from $TOP in $W/src"
t=$(date +%s)
rm -rf "$W/src"
mkdir -p "$W/src"
tar -C "$TOP" --exclude='*.o' --exclude='*.lo' --exclude='*.la' --exclude=.libs --exclude=.deps \
	--exclude=./tests/fuzz/build --exclude='./xenprobe-*' --exclude=autom4te.cache --exclude=.git \
	--exclude='*.log' --exclude='*.trs' -cf - . | tar -C "$W/src" -xf -
(cd "$W/src" && ./configure -q --prefix=/usr --sysconfdir=/etc >configure.out 2>&1 && make -j2 xenprobe packaging/systemd/xenprobe-prometheus.service >make.out 2>&1) ||
	{ tail -20 "$W/src/configure.out" "$W/src/make.out"; exit 1; }
install -m 755 "$W/src/xenprobe" "$R/usr/sbin/xenprobe"
ln -sf xenprobe "$R/usr/sbin/xenprobed"
gcc -std=gnu11 -O2 -Wall -o "$R/usr/local/bin/xs-guest" "$H/xs-guest.c" -lxenstore
took build-xenprobe "$t"

step "guest initramfs images"
t=$(date +%s)
mkdir -p "$R/xpt"
cp "$H/dom0-init.sh" "$R/xpt/"
# dom0-init.sh runs the exporter unit's ExecCondition= and ExecStart= lines
cp "$W/src/packaging/systemd/xenprobe-prometheus.service" "$R/xpt/"
chmod +x "$R/xpt/dom0-init.sh"
cp "$R/boot/vmlinuz-$K" "$R/xpt/vmlinuz"
bash "$H/mkinitrd.sh" "$R" "$K" "$R/xpt/guest-initrd.img"
bash "$H/mkinitrd.sh" "$R" "$K" "$R/xpt/guest-initrd-noblk.img" noblk
took initramfs "$t"

step "pv-systemd guest: a Debian 12 root disk booting systemd, xenprobe installed with make install"
# a real guest system: its own kernel and initramfs-tools initramfs, root on
# xvda, xenprobe.service enabled as a package would; tests/xen/sd-report.sh
# runs after it and sends the unit's state back on the console
t=$(date +%s)
if [ ! -x "$SD/lib/systemd/systemd" ]; then
	rm -rf "$SD.tmp"
	debootstrap --variant=minbase --include="$SDPKGS" bookworm "$SD.tmp" "$MIRROR" >"$W/debootstrap-sd.log" 2>&1 ||
		{ tail -20 "$W/debootstrap-sd.log"; exit 1; }
	mv "$SD.tmp" "$SD"
fi
rm -rf "$W/sdstage"
cp -a "$SD" "$W/sdstage"
S=$W/sdstage
(cd "$W/src" && make -s install DESTDIR="$S" >install-sd.out 2>&1) || { tail -20 "$W/src/install-sd.out"; exit 1; }
install -m 755 "$H/sd-report.sh" "$S/usr/local/sbin/xpt-sd-report"
cat >"$S/etc/systemd/system/xpt-sd-report.service" <<-'UNIT'
[Unit]
Description=make check-xen: report xenprobe.service's state on the console
After=xenprobe.service
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/xpt-sd-report
[Install]
WantedBy=multi-user.target
UNIT
chroot "$S" systemctl enable xenprobe.service xpt-sd-report.service >/dev/null 2>&1
# the dom0 exporter enabled in a domU, as a preset or an image may do, with
# everything but dom0 in place: the textfile directory and xenfs (so
# /proc/xen/capabilities exists, empty): it must stay inactive, not fail
chroot "$S" systemctl enable xenprobe-prometheus.service >/dev/null 2>&1
mkdir -p "$S/var/lib/prometheus/node-exporter"
mkdir -p "$S/etc/modules-load.d" && echo xenfs >"$S/etc/modules-load.d/xenfs.conf"
chroot "$S" systemctl mask serial-getty@hvc0.service getty@tty1.service systemd-timesyncd.service >/dev/null 2>&1
chroot "$S" systemctl is-enabled xenprobe.service >/dev/null || { echo "build: xenprobe.service not enabled in $S" >&2; exit 1; }
printf '%s\n' "/dev/xvda / ext4 rw,errors=remount-ro 0 1" "xenfs /proc/xen xenfs nofail 0 0" >"$S/etc/fstab"
echo pv-systemd >"$S/etc/hostname"
SK=$(ls "$S/lib/modules" | sort -V | tail -n 1)
# what pygrub would boot, as update-grub writes it (a PV image booted by the
# toolstack's bootloader needs one; this guest is booted directly, but an
# image should not depend on that)
mkdir -p "$S/boot/grub"
cat >"$S/boot/grub/grub.cfg" <<-GRUB
menuentry 'Debian GNU/Linux, with Linux $SK' --class debian --class gnu-linux --class os {
        linux   /boot/vmlinuz-$SK root=/dev/xvda ro console=hvc0 quiet
        initrd  /boot/initrd.img-$SK
}
GRUB
cp "$S/boot/vmlinuz-$SK" "$R/xpt/sd-vmlinuz"
cp "$S/boot/initrd.img-$SK" "$R/xpt/sd-initrd.img"
# the ground truth for its boot readiness: what initramfs-tools put in
{
	echo "kernel $SK"
	chroot "$S" lsinitramfs "/boot/initrd.img-$SK" | grep -E '/(xen-blkfront|ext4|jbd2|mbcache|crc16)\.ko' | sed 's/^/initramfs /'
	grep -E '^CONFIG_(XEN_BLKDEV_FRONTEND|EXT4_FS)=' "$S/boot/config-$SK" | sed 's/^/config /'
	grep -q "vmlinuz-$SK" "$S/boot/grub/grub.cfg" && echo "bootloader boot/grub/grub.cfg"
} >"$R/xpt/sd-expect.txt"
rm -f "$W/sd-guest.img"
mke2fs -q -t ext4 -L pv-systemd -d "$S" "$W/sd-guest.img" 2G
rm -rf "$S"
took sd-guest "$t"

grep -q '^XENCONSOLED_ARGS=' "$R/etc/default/xen" ||
	echo 'XENCONSOLED_ARGS="--log=guest --log-dir=/var/log/xen/console"' >>"$R/etc/default/xen"
mkdir -p "$R/var/log/xen/console"
echo "/dev/vda / ext4 rw 0 1" >"$R/etc/fstab"
echo dom0 >"$R/etc/hostname"

step "dom0.img"
t=$(date +%s)
zcat "$R/boot/xen-4.17-amd64.gz" >"$W/xen.elf"
cp "$R/boot/vmlinuz-$K" "$W/vmlinuz-dom0"
cp "$R/boot/initrd.img-$K" "$W/initrd-dom0"
rm -f "$W/dom0.img"
mke2fs -q -t ext4 -L dom0 -d "$R" "$W/dom0.img" 3G
took dom0.img "$t"
took total "$T0"
step "done: $(tr '\n' ' ' <"$W/build-times.txt")"
