#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `xenprobe --root DIR` on guest trees built from this machine's installed
# Debian kernel package (vmlinuz, initrd, config, module index), laid out the
# way Debian, Arch, SUSE and Fedora (BLS) name them, with fstab and grub.cfg
# lines written here.  Expected values come from the package's own files
# (/lib/modules/<V>, the config, lsinitramfs when installed), not from
# xenprobe.
set -u
: "${XENPROBE:?}"
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }
expect() { # name jq-expression file
        if jq -e "$2" "$3" >/dev/null 2>&1; then ok "$1"; else
                ko "$1 ($2)"
                jq -c '.boot | {root_fstype, root_fstype_source, checks, kernels: [.kernels[] | {version, initrd, modes}], orphan_initrds}' "$3" 2>/dev/null | head -c 1500
                echo
        fi
}
place() { ln -f "$1" "$2" 2>/dev/null || cp "$1" "$2"; }

# --- captures (no kernel needed): proc/ is the guest's own only in a capture
# of it, a root with run/xenprobe/cpuid as `xenprobe snapshot` writes it; the
# same proc/ without it is what a chroot bind-mounting the host's /proc shows
mkcapture() { # DIR: a PV domU's snapshot, root ext4 on xvda, fstab says xfs
        local g=$1
        mkdir -p "$g/proc/self" "$g/run/xenprobe" "$g/sys" "$g/etc"
        printf '25 1 202:0 / / rw,relatime shared:1 - ext4 /dev/xvda rw\n' >"$g/proc/self/mountinfo"
        printf 'console=hvc0 root=/dev/xvda ro\n' >"$g/proc/cmdline"
        printf '# xenprobe cpuid snapshot: LEAF SUBLEAF EAX EBX ECX EDX [forced]\n' >"$g/run/xenprobe/cpuid"
        printf 'UUID=0a1b2c3d-2222-4000-8000-000000000000 / xfs defaults 0 1\n' >"$g/etc/fstab"
}
G=$T/capture
mkcapture "$G"
"$XENPROBE" --root "$G" --json >"$T/capture.json"
expect "capture: root fs from its own mount table, before etc/fstab" '.boot.root_fstype == "ext4" and .boot.root_fstype_source == "captured proc/self/mountinfo"' "$T/capture.json"
rm "$G/run/xenprobe/cpuid"
"$XENPROBE" --root "$G" --json >"$T/chroot.json"
expect "not a capture (host proc/): root fs from etc/fstab, not proc/" '.boot.root_fstype == "xfs" and .boot.root_fstype_source == "etc/fstab:1"' "$T/chroot.json"
rm "$G/etc/fstab"
"$XENPROBE" --root "$G" --json >"$T/chroot2.json"
expect "not a capture, no fstab: root fs unknown" '.boot.root_fstype == null and .boot.root_fstype_source == null' "$T/chroot2.json"
printf '# written by xenprobe 0.1.0 snapshot, not read by the probes\ndate=x\nsource=/\n' >"$G/run/xenprobe/snapshot-info"
"$XENPROBE" --root "$G" --json >"$T/nocpuid.json"
expect "live snapshot without CPUID (source=/): a capture" '.boot.root_fstype == "ext4"' "$T/nocpuid.json"
sed -i 's|^source=/$|source=/mnt/guest|' "$G/run/xenprobe/snapshot-info"
"$XENPROBE" --root "$G" --json >"$T/notown.json"
expect "snapshot of another root without CPUID: not a capture" '.boot.root_fstype == null' "$T/notown.json"
rm -f "$G/run/xenprobe/snapshot-info"

# device-naming: root= of proc/cmdline is checked in a capture only, and
# the evidence names what was checked
mkcapture "$G"
"$XENPROBE" --root "$G" --json >"$T/capture.json"
expect "capture: root=/dev/xvda of the captured cmdline checked, said" '.boot.checks[] | select(.name=="device-naming") | .status == "ok" and .evidence == "no /dev/sdX, /dev/hdX or /dev/vdX in etc/fstab, root= of the captured proc/cmdline"' "$T/capture.json"
printf 'console=hvc0 root=/dev/sda1 ro\n' >"$G/proc/cmdline"
"$XENPROBE" --root "$G" --json >"$T/capture-sda.json"
expect "capture: root=/dev/sda1 in the captured cmdline is missing" '.boot.checks[] | select(.name=="device-naming") | .status == "missing" and (.evidence | startswith("the captured proc/cmdline has root=/dev/sda1: "))' "$T/capture-sda.json"
rm "$G/run/xenprobe/cpuid"
"$XENPROBE" --root "$G" --json >"$T/chroot-sda.json"
expect "not a capture: proc/cmdline not checked, and said" '.boot.checks[] | select(.name=="device-naming") | .status == "ok" and (.evidence | test("^no /dev/sdX, /dev/hdX or /dev/vdX in etc/fstab; proc/cmdline not checked: this root is not a capture"))' "$T/chroot-sda.json"
rm "$G/etc/fstab"
printf 'console=hvc0 quiet\n' >"$G/proc/cmdline"
: >"$G/run/xenprobe/cpuid"
"$XENPROBE" --root "$G" --json >"$T/capture-noroot.json"
expect "capture, nothing to check: said so, not a vacuous list" '.boot.checks[] | select(.name=="device-naming") | .evidence == "no etc/fstab or bootloader config to check; the captured proc/cmdline has no root="' "$T/capture-noroot.json"

# dom0 (features bit 11, control_d): its disks keep their own drivers'
# names, /dev/vda in its fstab and root= is right
G=$T/dom0
mkcapture "$G"
mkdir -p "$G/sys/hypervisor/properties" "$G/proc/xen"
echo xen >"$G/sys/hypervisor/type"
echo PV >"$G/sys/hypervisor/guest_type"
echo 000228f0 >"$G/sys/hypervisor/properties/features"
echo control_d >"$G/proc/xen/capabilities"
printf 'root=/dev/vda ro console=hvc0\n' >"$G/proc/cmdline"
printf '/dev/vda / ext4 defaults 0 1\n' >"$G/etc/fstab"
"$XENPROBE" --root "$G" --json >"$T/dom0.json"
expect "dom0 capture: device names not checked, and why" '.xen.role == "dom0" and (.boot.checks[] | select(.name=="device-naming") | .status == "ok" and (.evidence | startswith("not checked in dom0: dom0 drives its disks with their own drivers")))' "$T/dom0.json"
rm "$G/run/xenprobe/cpuid"
"$XENPROBE" --root "$G" --json >"$T/dom0-chroot.json"
expect "host dom0 proc/ under a chroot: the guest fstab is still checked" '.boot.checks[] | select(.name=="device-naming") | .status == "missing" and (.evidence | startswith("etc/fstab:1 names /dev/vda (/)"))' "$T/dom0-chroot.json"

# pv-console: what shows systemd is the init, from what a capture holds
# (PID 1's name, the mount table) and what any root holds (sbin/init)
console() { jq -c '.boot.checks[] | select(.name=="pv-console") | {status, evidence}' "$1"; }
G=$T/sd
mkcapture "$G"
printf '32 21 0:27 / /proc/sys/fs/binfmt_misc rw,relatime shared:13 - autofs systemd-1 rw,fd=30,pgrp=1,timeout=0,minproto=5,maxproto=5,direct\n' >>"$G/proc/self/mountinfo"
"$XENPROBE" --root "$G" --json >"$T/sd-automount.json"
expect "capture: systemd's automount systemd-1 shows PID 1 is systemd" '.boot.checks[] | select(.name=="pv-console") | .status == "ok" and (.evidence | startswith("PID 1 is systemd (proc/self/mountinfo: autofs \"systemd-1\" on /proc/sys/fs/binfmt_misc"))' "$T/sd-automount.json"
mkdir -p "$G/proc/1"
echo systemd >"$G/proc/1/comm"
"$XENPROBE" --root "$G" --json >"$T/sd-comm.json"
expect "capture: proc/1/comm says systemd" '.boot.checks[] | select(.name=="pv-console") | .status == "ok" and (.evidence | startswith("PID 1 is systemd (proc/1/comm): systemd-getty-generator"))' "$T/sd-comm.json"
rm "$G/run/xenprobe/cpuid"
"$XENPROBE" --root "$G" --json >"$T/sd-chroot.json"
expect "not a capture: PID 1 in proc/ is not taken for the guest's" '.boot.checks[] | select(.name=="pv-console") | .status == "cannot-verify" and .evidence == "no etc/inittab, and nothing shows that systemd is the init (checked: sbin/init, lib/systemd/systemd)"' "$T/sd-chroot.json"
mkdir -p "$G/usr/sbin"
ln -s usr/sbin "$G/sbin"
ln -s ../lib/systemd/systemd "$G/usr/sbin/init"
"$XENPROBE" --root "$G" --json >"$T/sd-link.json"
expect "sbin/init -> systemd, no binary needed" '.boot.checks[] | select(.name=="pv-console") | .status == "ok" and (.evidence | startswith("systemd is the installed init (sbin/init -> ../lib/systemd/systemd): "))' "$T/sd-link.json"
rm "$G/usr/sbin/init"
printf '\177ELF' >"$G/usr/sbin/init"
"$XENPROBE" --root "$G" --json >"$T/sd-sysv.json"
expect "sysvinit's sbin/init, a file: not a link, and not an unreadable file" '(.boot.checks | map(select(.name=="unreadable-file")) | length == 0) and (.boot.checks[] | select(.name=="pv-console") | .status == "cannot-verify")' "$T/sd-sysv.json"

V=
for d in /lib/modules/*; do
        v=${d##*/}
        if [ -f "/boot/vmlinuz-$v" ] && [ -f "/boot/initrd.img-$v" ] && [ -f "$d/modules.dep.bin" ]; then V=$v; fi
done
if [ -z "$V" ]; then
        echo "SKIP the kernel cases: no installed kernel with an initrd (CI installs linux-image-amd64)"
        echo "$pass passed, $fail failed"
        [ "$fail" -eq 0 ]
        exit
fi

# expected, independently: does the packaged initrd carry xen-blkfront?
want_blk=ok
if command -v lsinitramfs >/dev/null; then
        lsinitramfs "/boot/initrd.img-$V" | grep -q "/modules/$V/kernel/drivers/block/xen-blkfront.ko" || want_blk=missing
fi
want_pv=$(grep -q '^CONFIG_XEN_PV=y' "/boot/config-$V" && echo y || echo n)

mkguest() { # DIR
        local g=$1
        mkdir -p "$g/boot/grub" "$g/etc/initramfs-tools" "$g/lib/modules/$V" "$g/lib/systemd"
        cp /lib/modules/"$V"/modules.* "$g/lib/modules/$V/"
        cp "/boot/config-$V" "$g/boot/"
        : >"$g/lib/systemd/systemd"
        echo 'MODULES=most' >"$g/etc/initramfs-tools/initramfs.conf"
        printf '/dev/sda1 / ext4 errors=remount-ro 0 1\nUUID=0a1b2c3d-0000-4000-8000-000000000000 /home ext4 defaults 0 2\n' >"$g/etc/fstab"
}

# --- Debian layout
G=$T/debian
mkguest "$G"
place "/boot/vmlinuz-$V" "$G/boot/vmlinuz-$V"
place "/boot/initrd.img-$V" "$G/boot/initrd.img-$V"
printf 'menuentry "Debian" {\n\tlinux /boot/vmlinuz-%s root=/dev/sda1 ro quiet\n\tinitrd /boot/initrd.img-%s\n}\n' "$V" "$V" >"$G/boot/grub/grub.cfg"
mkdir -p "$G/etc/default"
printf 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX="root=/dev/vda1 console=hvc0"\n' >"$G/etc/default/grub"
head -c 1000 "/boot/initrd.img-$V" >"$G/boot/initrd.img-0.0.1-orphan"
"$XENPROBE" --root "$G" --json >"$T/debian.json" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] && ok "debian: exit 0 on an offline image" || ko "debian: exit $rc"
expect "debian: no live verdict" '.verdict == null and .offline == true' "$T/debian.json"
expect "debian: kernel $V paired with its initrd" ".boot.kernels | length == 1 and .[0].version == \"$V\" and .[0].initrd == \"/boot/initrd.img-$V\"" "$T/debian.json"
expect "debian: root fs from etc/fstab line 1" '.boot.root_fstype == "ext4" and .boot.root_fstype_source == "etc/fstab:1"' "$T/debian.json"
expect "debian: /dev/sda1 in fstab line 1 and grub.cfg line 2" '.boot.checks[] | select(.name=="device-naming") | .status == "missing" and (.evidence | test("etc/fstab:1 names /dev/sda1")) and (.evidence | test("boot/grub/grub.cfg:2"))' "$T/debian.json"
expect "debian: quoted root=/dev/vda1 in etc/default/grub line 2" '.boot.checks[] | select(.name=="device-naming") | .evidence | test("etc/default/grub:2 has root=/dev/vda1")' "$T/debian.json"
expect "debian: UUID= line not reported" '.boot.checks[] | select(.name=="device-naming") | (.evidence | test("/home") | not)' "$T/debian.json"
expect "debian: grub.cfg is readable by pygrub" '.boot.checks[] | select(.name=="pv-bootloader") | .status == "ok"' "$T/debian.json"
expect "debian: xen-blkfront in the initrd is $want_blk" ".boot.kernels[0].image.checks[] | select(.name==\"xen-blkfront\") | .status == \"$want_blk\"" "$T/debian.json"
expect "debian: full read, not quick, offline" '.boot.kernels[0].image.complete == true' "$T/debian.json"
expect "debian: orphan initrd reported" '.boot.orphan_initrds == ["/boot/initrd.img-0.0.1-orphan"]' "$T/debian.json"
expect "debian: PV not ready (device names)" '.boot.kernels[0].modes.pv.status == "missing" and (.boot.kernels[0].modes.pv.detail | test("device names"))' "$T/debian.json"
if [ "$want_pv" = n ]; then
        expect "debian: CONFIG_XEN_PV unset" '.boot.kernels[0].modes.pv.detail | test("CONFIG_XEN_PV is not set")' "$T/debian.json"
fi
"$XENPROBE" --root "$G" >"$T/debian.txt" 2>&1
grep -q "no live verdict" "$T/debian.txt" && grep -q "kernel $V" "$T/debian.txt" && ok "debian: text report" || ko "debian: text report"

# fixed names: no more device-naming problem
sed -i "s|/dev/sda1 /|UUID=0a1b2c3d-1111-4000-8000-000000000000 /|" "$G/etc/fstab"
sed -i "s|root=/dev/sda1|root=UUID=0a1b2c3d-1111-4000-8000-000000000000|" "$G/boot/grub/grub.cfg"
sed -i "s|root=/dev/vda1 ||" "$G/etc/default/grub"
"$XENPROBE" --root "$G" --json >"$T/fixed.json"
expect "debian fixed: device naming ok" '.boot.checks[] | select(.name=="device-naming") | .status == "ok"' "$T/fixed.json"
if [ "$want_blk" = ok ] && [ "$want_pv" = y ]; then
        expect "debian fixed: PV, PVH ready" '.boot.kernels[0].modes.pv.status == "ok" and .boot.kernels[0].modes.pvh.status == "ok"' "$T/fixed.json"
fi

# `xenprobe --root G initrd`: the same image through the initrd command
"$XENPROBE" --root "$G" initrd --json >"$T/initrd.json"
rc=$?
expect "debian: initrd command lists the installed image" ".images | length == 1 and .[0].path == \"/boot/initrd.img-$V\" and .[0].kernel_version == \"$V\"" "$T/initrd.json"
want_rc=0
[ "$want_blk" = missing ] && want_rc=3
if [ "$rc" -eq "$want_rc" ]; then ok "debian: initrd exit $rc"; else ko "debian: initrd exit $rc, want $want_rc"; fi

# --- network root: xen-netfront and the nfs driver must be in the image
G=$T/nfsroot
mkguest "$G"
place "/boot/vmlinuz-$V" "$G/boot/vmlinuz-$V"
place "/boot/initrd.img-$V" "$G/boot/initrd.img-$V"
printf 'nfsserver:/export/guest / nfs defaults 0 0\n' >"$G/etc/fstab"
want_net=ok
if command -v lsinitramfs >/dev/null; then
        lsinitramfs "/boot/initrd.img-$V" | grep -q "/modules/$V/kernel/drivers/net/xen-netfront.ko" || want_net=missing
fi
"$XENPROBE" --root "$G" --json >"$T/nfs.json"
expect "nfs root: network root detected from etc/fstab" '.boot.network_root == true and .boot.root_fstype == "nfs"' "$T/nfs.json"
expect "nfs root: xen-netfront in the initrd is $want_net" ".boot.kernels[0].image.checks[] | select(.name==\"xen-netfront\") | .status == \"$want_net\"" "$T/nfs.json"
expect "nfs root: the nfs driver is checked" '.boot.kernels[0].image.checks | any(.name == "root-fs:nfs")' "$T/nfs.json"

# --- Arch layout: the version only in the bzImage header
G=$T/arch
mkguest "$G"
place "/boot/vmlinuz-$V" "$G/boot/vmlinuz-linux"
place "/boot/initrd.img-$V" "$G/boot/initramfs-linux.img"
place "/boot/initrd.img-$V" "$G/boot/initramfs-linux-fallback.img"
"$XENPROBE" --root "$G" --json >"$T/arch.json"
expect "arch: version $V from the bzImage header" ".boot.kernels[0].version == \"$V\" and .boot.kernels[0].paired_by == \"bzImage header\" and .boot.kernels[0].initrd == \"/boot/initramfs-linux.img\"" "$T/arch.json"
expect "arch: fallback image is not an orphan" '.boot.orphan_initrds == []' "$T/arch.json"

# --- SUSE layout
G=$T/suse
mkguest "$G"
place "/boot/vmlinuz-$V" "$G/boot/vmlinuz-$V"
place "/boot/initrd.img-$V" "$G/boot/initrd-$V"
"$XENPROBE" --root "$G" --json >"$T/suse.json"
expect "suse: initrd-V paired" ".boot.kernels[0].initrd == \"/boot/initrd-$V\"" "$T/suse.json"

# --- Fedora layout, BLS entry
G=$T/fedora
mkguest "$G"
mkdir -p "$G/boot/loader/entries"
place "/boot/vmlinuz-$V" "$G/boot/vmlinuz-$V"
place "/boot/initrd.img-$V" "$G/boot/initramfs-$V.img"
place "/boot/initrd.img-$V" "$G/boot/intel-ucode.img"
# as Fedora writes them: GRUB variables after the paths, microcode first
printf 'title Fedora\nversion %s\nlinux /vmlinuz-%s\ninitrd /intel-ucode.img\ninitrd /initramfs-%s.img $tuned_initrd\noptions root=/dev/sda2 ro $tuned_params\n' "$V" "$V" "$V" >"$G/boot/loader/entries/abc-$V.conf"
"$XENPROBE" --root "$G" --json >"$T/fedora.json"
expect "fedora: the main image, not the microcode one, not \$tuned_initrd" ".boot.kernels[0].initrd == \"/boot/initramfs-$V.img\"" "$T/fedora.json"
expect "fedora: BLS entry pairs kernel and image" ".boot.kernels[0].initrd == \"/boot/initramfs-$V.img\" and (.boot.kernels[0].paired_by | startswith(\"BLS entry\"))" "$T/fedora.json"
expect "fedora: root= in the BLS options line" '.boot.checks[] | select(.name=="device-naming") | .evidence | test("loader/entries/abc-.*conf has root=/dev/sda2")' "$T/fedora.json"

# --- hostile names: escapes in a BLS version and in fstab never reach the terminal
G=$T/hostile
mkguest "$G"
mkdir -p "$G/boot/loader/entries"
printf 'version 6.1\033[2J../../x\nlinux /vmlinuz-x\n' >"$G/boot/loader/entries/e.conf"
printf '/dev/xvda1 / ext4\033[31m defaults 0 1\n' >"$G/etc/fstab"
"$XENPROBE" --root "$G" >"$T/hostile.txt" 2>&1
if grep -q $'\033' "$T/hostile.txt"; then ko "hostile: escape sequences reach the terminal"; else ok "hostile: no escape sequence in the text report"; fi

# --- planted: an initrd symlink out of the root, and a FIFO
G=$T/planted
mkguest "$G"
place "/boot/vmlinuz-$V" "$G/boot/vmlinuz-$V"
ln -s /boot/initrd.img-"$V" "$G/boot/initrd.img-$V"  # absolute: resolves inside the root, where it does not exist
"$XENPROBE" --root "$G" --json >"$T/planted.json"
expect "planted: absolute initrd symlink stays inside the root" '.boot.kernels[0].initrd == null' "$T/planted.json"
rm "$G/boot/initrd.img-$V"
mkfifo "$G/boot/initrd.img-$V"
timeout -k 10 20 "$XENPROBE" --root "$G" --json >"$T/fifo.json"
rc=$?
[ $rc -ne 124 ] && [ $rc -ne 137 ] && ok "planted: FIFO initrd does not hang" || ko "planted: FIFO initrd hangs"
expect "planted: FIFO initrd cannot be verified" '.boot.kernels[0].image.checks[] | select(.name=="xen-blkfront") | .status == "cannot-verify"' "$T/fifo.json"

# --- an image compressed with a method its kernel lacks.  lib/decompress.c
# knows every method's magic and has a decompressor only for those with
# CONFIG_DECOMPRESS_<X>=y (selected by CONFIG_RD_<X>); init/initramfs.c then
# stops with "compression method <X> not configured", and with "invalid
# magic at start of compressed archive" for a magic the kernel predates.
# The configs are the package's own with one method taken out, as
# `scripts/config -d RD_<X>` + olddefconfig writes it (the "is not set" line,
# no DECOMPRESS line), or as a kernel older than the method has it (no line).
rd_config() { # DIR METHOD MODE: unset | absent
        local u=${2^^} c=$1/boot/config-$V
        case $3 in
        unset) sed -e "s/^CONFIG_RD_$u=y\$/# CONFIG_RD_$u is not set/" -e "/^CONFIG_DECOMPRESS_$u=y\$/d" "/boot/config-$V" >"$c" ;;
        absent) sed -e "/^CONFIG_RD_$u=y\$/d" -e "/^CONFIG_DECOMPRESS_$u=y\$/d" "/boot/config-$V" >"$c" ;;
        esac
}
magic=$(head -c 4 "/boot/initrd.img-$V" | od -An -tx1 | tr -d ' \n')
if [ "$magic" = 28b52ffd ] && grep -q '^CONFIG_RD_ZSTD=y$' "/boot/config-$V"; then
        G=$T/rd
        mkguest "$G"
        place "/boot/vmlinuz-$V" "$G/boot/vmlinuz-$V"
        place "/boot/initrd.img-$V" "$G/boot/initrd.img-$V"
        rd_config "$G" zstd unset
        "$XENPROBE" --root "$G" --json >"$T/rd.json"
        i='.boot.kernels[0].image'
        expect "rd: zstd image, CONFIG_RD_ZSTD unset: the kernel's message, stopped at byte 0" "$i.kernel_message == \"compression method zstd not configured\" and $i.kernel_stops_at == 0" "$T/rd.json"
        expect "rd: xen-blkfront and the root fs driver missing: the kernel unpacks nothing" "[$i.checks[] | select(.name == \"xen-blkfront\" or .name == \"root-fs:ext4\") | .status] == [\"missing\", \"missing\"]" "$T/rd.json"
        expect "rd: the error names the config and the option" "$i.error | test(\"boot/config-$V: CONFIG_RD_ZSTD is not set\")" "$T/rd.json"
        expect "rd: the fix recompresses with initramfs-tools (COMPRESS=gzip, update-initramfs)" "$i.checks[] | select(.name == \"xen-blkfront\") | .fix | test(\"COMPRESS=gzip in /etc/initramfs-tools/initramfs.conf\") and test(\"update-initramfs -u -k $V\")" "$T/rd.json"
        expect "rd: no boot mode ready" '[.boot.kernels[0].modes[] | .status] | all(. == "missing")' "$T/rd.json"
        rd_config "$G" zstd absent
        "$XENPROBE" --root "$G" --json >"$T/rd-old.json"
        expect "rd: no CONFIG_RD_ZSTD at all (a kernel before 5.9): invalid magic" "$i.kernel_message == \"invalid magic at start of compressed archive\" and ($i.error | test(\"newer than the kernel\"))" "$T/rd-old.json"
        rd_config "$G" gzip unset
        "$XENPROBE" --root "$G" --json >"$T/rd-gz.json"
        expect "rd: another method unset (gzip): the zstd image is read, xen-blkfront $want_blk" "$i.kernel_message == null and ($i.checks[] | select(.name == \"xen-blkfront\") | .status == \"$want_blk\")" "$T/rd-gz.json"
else
        echo "SKIP rd: /boot/initrd.img-$V is not a zstd image of a kernel with CONFIG_RD_ZSTD=y (magic $magic)"
fi
# early microcode, then the main archive: the kernel unpacks the first and
# stops at the second, whose offset the image's own bytes give (the first
# lz4 legacy magic after the early archive's TRAILER!!!)
img=${XP_INITRD_IMAGES:+$XP_INITRD_IMAGES/itools-base-lz4-ucode.img}
if [ -n "$img" ] && [ -s "$img" ] && grep -q '^CONFIG_RD_LZ4=y$' "/boot/config-$V" &&
        [ "$(head -c 6 "$img")" = 070701 ]; then
        G=$T/rd-ucode
        mkguest "$G"
        place "/boot/vmlinuz-$V" "$G/boot/vmlinuz-$V"
        cp "$img" "$G/boot/initrd.img-$V"
        rd_config "$G" lz4 unset
        tr=$(grep -obUa 'TRAILER!!!' "$img" | head -n1 | cut -d: -f1)
        at=$(LC_ALL=C grep -obUaP '\x02\x21\x4c\x18' "$img" | awk -F: -v t="$tr" '$1 > t { print $1; exit }')
        "$XENPROBE" --root "$G" --json >"$T/rd-ucode.json"
        expect "rd: microcode then lz4, CONFIG_RD_LZ4 unset: stops at the lz4 member (byte $at)" "$i.kernel_stops_at == ${at:-0} and $i.kernel_message == \"compression method lz4 not configured\" and ($i.checks[] | select(.name == \"xen-blkfront\") | .status == \"missing\")" "$T/rd-ucode.json"
else
        echo "SKIP rd: no early-microcode lz4 image (XP_INITRD_IMAGES) or CONFIG_RD_LZ4 not set"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
