#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# --root on a hostile guest image, beyond tests/test-hostile-root.sh (which
# plants proc/, sys/ and run/ files and libkmod's modprobe.d and index):
# every file the boot-readiness scan and the initrd checker read below
# boot/, etc/ and lib/modules/ (kernel, initramfs, config, bootloader
# configs, BLS entries, fstab, os-release, inittab, generator configs, the
# module index) is replaced in turn by
#   fifo           a FIFO (opening it for reading would block for ever)
#   chardev        a character device with /dev/zero's numbers (1,5)
#   blockdev       a block device with /dev/loop0's numbers (7,0)
#   devzero-link   a symlink to /dev/zero (absolute: resolved in the root)
#   escape-abs     an absolute symlink to a sentinel file outside the root
#   escape-rel     a ../../.. symlink to that sentinel
#   loop           a symlink to itself
#   huge           a 4 GiB sparse file
# and `xenprobe --root ROOT --json` (quick image reads) and, for boot/*,
# `xenprobe --root ROOT initrd --json` (whole images) must: finish within
# the time bound, give their JSON (initrd: exit 0/3/4), never show the
# sentinel's content, and name the planted file in their output or on
# stderr.  With tests/fault/faultinject.so (not under sanitizers) every
# open for reading is also watched: neither the sentinel nor a planted
# FIFO or device node may ever be opened for reading (an O_PATH look at
# its type is allowed).  Then the same on an offline image (no proc/, no
# sys/: dom0 before `xl create`), and whole directories (boot, etc,
# boot/grub, boot/loader/entries, lib/modules, lib/modules/V) replaced by an
# absolute or ../ symlink to a directory outside holding what the scan
# looks for.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/fault/lib.sh"
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
command -v cpio >/dev/null || { echo "SKIP: cpio not installed"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/xp-hostile2.XXXXXX")
trap 'rm -rf "$work"' EXIT
out=$work/out err=$work/err rc=0
token="XP-SECRET-$$-$RANDOM"
mkdir -p "$work/outside"
o=$work/outside
printf 'CONFIG_XEN=y\n%s\n/dev/sda1 / ext4 defaults 0 1\nID=%s\nlinux /vmlinuz-%s\n' "$token" "$token" "$token" \
        >"$work/outside/secret"
watch=0
preload_ok && watch=1
[ $watch = 1 ] || echo "# opens not watched: $PRELOAD_WHY"
can_mknod=1
mknod "$work/probe-node" c 1 5 2>/dev/null && rm -f "$work/probe-node" || can_mknod=0

# the base image: the PVHVM capture plus a Debian-like boot setup
base=$work/base
bash "$src/tests/mkroot.sh" "$roots/xen417-domU-pvhvm-debian12" "$base" >/dev/null 2>&1 || { echo "FAIL mkroot"; exit 1; }
V=$(cat "$base/proc/sys/kernel/osrelease")
t=$work/tree m=$work/tree/usr/lib/modules/$V
mkdir -p "$m/kernel/drivers/block" "$m/kernel/fs/ext4" "$t/conf"
echo 'MODULES=most' >"$t/conf/initramfs.conf"
head -c 2000 /dev/urandom >"$m/kernel/drivers/block/xen-blkfront.ko"
head -c 3000 /dev/urandom >"$m/kernel/fs/ext4/ext4.ko"
printf 'kernel/fs/ext4/ext4.ko:\nkernel/drivers/block/xen-blkfront.ko:\n' >"$m/modules.dep"
mkdir -p "$base/boot/grub" "$base/boot/loader/entries" "$base/boot/extlinux" "$base/etc/default" \
        "$base/etc/initramfs-tools" "$base/lib/modules/$V"
(cd "$t" && find . | LC_ALL=C sort | cpio --quiet -o -H newc) | gzip >"$base/boot/initrd.img-$V"
head -c 8192 /dev/urandom >"$base/boot/vmlinuz-$V"
printf 'CONFIG_XEN=y\nCONFIG_XEN_PV=y\nCONFIG_XEN_PVH=y\nCONFIG_XEN_PVHVM=y\nCONFIG_XEN_BLKDEV_FRONTEND=m\n' >"$base/boot/config-$V"
printf 'menuentry "Debian" {\n linux /boot/vmlinuz-%s root=/dev/xvda1 ro console=hvc0\n initrd /boot/initrd.img-%s\n}\n' "$V" "$V" \
        >"$base/boot/grub/grub.cfg"
printf 'default 0\ntitle Debian\n root (hd0,0)\n kernel /boot/vmlinuz-%s root=/dev/xvda1\n initrd /boot/initrd.img-%s\n' "$V" "$V" \
        >"$base/boot/grub/menu.lst"
printf 'title Debian\nversion %s\nlinux /boot/vmlinuz-%s\ninitrd /boot/initrd.img-%s\noptions root=/dev/xvda1\n' "$V" "$V" "$V" \
        >"$base/boot/loader/entries/debian.conf"
printf 'DEFAULT linux\nLABEL linux\n KERNEL /boot/vmlinuz-%s\n APPEND root=/dev/xvda1\n' "$V" >"$base/boot/extlinux/extlinux.conf"
echo 'GRUB_CMDLINE_LINUX="console=hvc0"' >"$base/etc/default/grub"
echo "/dev/xvda1 / ext4 defaults 0 1" >"$base/etc/fstab"
printf 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12"\n' >"$base/etc/os-release"
echo "h0:12345:respawn:/sbin/getty 38400 hvc0" >"$base/etc/inittab"
echo "MODULES=most" >"$base/etc/initramfs-tools/initramfs.conf"
printf 'kernel/drivers/block/xen-blkfront.ko:\n' >"$base/lib/modules/$V/modules.dep"
: >"$base/lib/modules/$V/modules.builtin"

# boot/vmlinuz-9.9.9-evil: a kernel with no module tree, whose version is
# read from its bzImage header (a FIFO there used to block open() for ever)
files=(boot/vmlinuz-9.9.9-evil boot/vmlinuz-$V boot/initrd.img-$V boot/config-$V boot/grub/grub.cfg boot/grub/menu.lst
        boot/loader/entries/debian.conf boot/extlinux/extlinux.conf etc/default/grub etc/fstab etc/os-release
        etc/inittab lib/modules/$V/modules.dep lib/modules/$V/modules.builtin lib/modules/$V/modules.dep.bin)
# (etc/initramfs-tools/initramfs.conf, etc/dracut.conf, etc/mkinitcpio.conf
# and usr/sbin/mkinitramfs only tell the generator by existing: never read)
variants=(fifo chardev blockdev devzero-link escape-abs escape-rel loop huge)

# plant ROOT FILE VARIANT
plant() {
        local f=$1/$2 rel up
        rm -rf "$f"
        mkdir -p "$(dirname "$f")"
        case $3 in
        fifo) mkfifo "$f" ;;
        chardev) mknod "$f" c 1 5 ;;
        blockdev) mknod "$f" b 7 0 ;;
        devzero-link) ln -s /dev/zero "$f" ;;
        escape-abs) ln -s "$work/outside/secret" "$f" ;;
        escape-rel)
                # enough ../ to climb from any depth to / on the host
                up=$(printf '../%.0s' $(seq 1 40))
                ln -s "$up${work#/}/outside/secret" "$f"
                ;;
        loop) ln -s "$(basename "$f")" "$f" ;;
        huge) truncate -s 4G "$f" ;;
        esac
}

# check NAME: exit status, JSON, sentinel, opens; then the file named
check() {
        local name=$1 file=$2 want_rc=$3 hits=$4
        if [ "$rc" -ge 124 ]; then
                fail "$name: killed or hung (exit $rc)" "$err"
        elif ! [[ " $want_rc " == *" $rc "* ]]; then
                fail "$name: exit $rc (want one of $want_rc)" "$err"
        elif ! jq -e '.schema == 1' "$out" >/dev/null 2>&1; then
                fail "$name: not one JSON document" "$err"
        elif grep -qF "$token" "$out" "$err"; then
                fail "$name: the sentinel outside the root reached the output"
        elif [ -s "$hits" ]; then
                fail "$name: opened for reading: $(sort -u "$hits" | tr '\n' ' ')"
        elif [ "$named" = 1 ] && ! grep -qF "$file" "$out" "$err"; then
                fail "$name: the planted file is named nowhere (silently ignored)"
        else
                pass "$name"
        fi
}

for file in "${files[@]}"; do
        for variant in "${variants[@]}"; do
                case $variant in chardev | blockdev)
                        if [ $can_mknod = 0 ]; then
                                skip "$file as $variant: cannot create device nodes here (not root)"
                                continue
                        fi ;;
                esac
                # planted into the base image, and the original put back after
                root=$base
                rm -rf "$work/saved"
                [ -e "$root/$file" ] && mv "$root/$file" "$work/saved"
                plant "$root" "$file" "$variant"
                # the sentinel and, for FIFOs and nodes, the planted file itself
                globs="$work/outside/*"
                case $variant in fifo | chardev | blockdev) globs+="|$root/$file" ;; esac
                cmds="report"
                # the initrd command reads the images whole: the files it reads
                case $file in boot/vmlinuz-* | boot/initrd.img-* | boot/config-*) cmds+=" initrd" ;; esac
                for cmd in $cmds; do
                        rm -f "$work/hits"
                        if [ $cmd = report ]; then
                                args=(--root "$root" --json) want="0"
                        else
                                args=(--root "$root" initrd --json) want="0 3 4"
                        fi
                        if [ $watch = 1 ]; then
                                run_fault 20 XP_FAULT_FILE="$globs" XP_FAULT_FILE_MODE=read \
                                        XP_FAULT_HITS_FILE="$work/hits" -- "${args[@]}"
                        else
                                timeout -k 2 20 "$XENPROBE" "${args[@]}" >"$out" 2>"$err"
                                rc=$?
                        fi
                        # must the output name the file?  Not a link that resolves
                        # (in the root) to nothing: for the guest's boot that file
                        # is absent; and `initrd` lists images only
                        named=1
                        case $variant in devzero-link | escape-abs | escape-rel) named=0 ;; esac
                        [ $cmd = initrd ] && [ "$file" != "boot/initrd.img-$V" ] && named=0
                        check "$file as $variant: xenprobe ${args[*]:2}" "$file" "$want" "$work/hits"
                done
                rm -rf "${root:?}/$file"
                [ -e "$work/saved" ] && mv "$work/saved" "$root/$file"
        done
done

# a guest disk as dom0 sees it before `xl create` (no proc/, no sys/: the
# offline boot-readiness scan, images read whole)
off=$work/offline
cp -a "$base" "$off" && rm -rf "$off/proc" "$off/sys" "$off/run"
for file in boot/vmlinuz-$V boot/initrd.img-$V boot/config-$V boot/grub/grub.cfg etc/fstab; do
        for variant in fifo chardev; do
                if [ $variant = chardev ] && [ $can_mknod = 0 ]; then
                        skip "offline image: $file as $variant: cannot create device nodes here (not root)"
                        continue
                fi
                rm -rf "$work/saved"
                mv "$off/$file" "$work/saved"
                plant "$off" "$file" "$variant"
                rm -f "$work/hits"
                if [ $watch = 1 ]; then
                        run_fault 20 XP_FAULT_FILE="$o/*|$off/$file" XP_FAULT_FILE_MODE=read \
                                XP_FAULT_HITS_FILE="$work/hits" -- --root "$off" --json
                else
                        timeout -k 2 20 "$XENPROBE" --root "$off" --json >"$out" 2>"$err"
                        rc=$?
                fi
                named=1
                check "offline image: $file as $variant: xenprobe --json" "$file" "0" "$work/hits"
                rm -f "$off/$file" && mv "$work/saved" "$off/$file"
        done
done

# whole directories replaced by a symlink out of the root, to a directory
# that holds what the scan looks for (os-release with the sentinel as ID, a
# kernel, an initramfs, a config, bootloader configs, fstab, modules.dep):
# resolved in the root, they lead nowhere (or back inside)
cp "$base/boot/initrd.img-$V" "$o/initrd.img-$V"
cp "$base/boot/vmlinuz-$V" "$o/vmlinuz-$V"
for f in config-$V grub.cfg menu.lst fstab os-release modules.dep debian.conf inittab; do cp "$o/secret" "$o/$f"; done
for dir in boot etc boot/grub boot/loader/entries lib/modules/$V lib/modules; do
        for how in absolute relative; do
                root=$base
                rm -rf "$work/saved-dir"
                mv "$root/$dir" "$work/saved-dir"
                if [ $how = absolute ]; then
                        ln -s "$o" "$root/$dir"
                else
                        ln -s "$(printf '../%.0s' $(seq 1 40))${o#/}" "$root/$dir"
                fi
                for args in "--root $root --json" "--root $root initrd --json"; do
                        rm -f "$work/hits"
                        # shellcheck disable=SC2086
                        if [ $watch = 1 ]; then
                                run_fault 20 XP_FAULT_FILE="$o/*" XP_FAULT_FILE_MODE=read XP_FAULT_HITS_FILE="$work/hits" -- $args
                        else
                                timeout -k 2 20 "$XENPROBE" $args >"$out" 2>"$err"
                                rc=$?
                        fi
                        named=0
                        check "$dir as a $how symlink out of the root: xenprobe ${args#--root "$root" }" "$dir" "0 1 3 4" "$work/hits"
                done
                rm -f "${root:?}/$dir"
                mv "$work/saved-dir" "$root/$dir"
        done
done
finish
