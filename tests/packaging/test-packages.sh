#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The packages, proven by a real install (make check-packages; .ci/run):
#  1. the .deb builds from the release tarball (dpkg-buildpackage -us -uc -b)
#     and lintian finds no error or warning;
#     (xenprobe-facts, the fact loaders, is built with it);
#  2. its Depends name the package of every library the binary dlopen()s
#     (the sonames are read from the binary, the packages from dpkg -S);
#  3. a fresh Debian 12 root made by debootstrap takes it with apt-get, with
#     a Debian kernel: the files make install lays out are all there, the
#     maintainer scripts enabled the unit and started nothing in the chroot,
#     the unit verifies, the man pages render;
#  4. `xenprobe` inside the chroot gives the host's verdict, and
#     `xenprobe --root ROOT` from outside judges the root's own initramfs
#     as lsinitramfs lists it: ready with Debian's MODULES=most, and
#     xen-blkfront missing (with the fix) after a MODULES=list rebuild;
#  5. the OpenRC script starts, reloads, reports and stops xenprobed under
#     the real openrc-run, and refuses to start outside Xen;
#  3b. installing xenprobe created no fact tool's directory; xenprobe-facts
#     then installs the three loaders, and the Ansible and Facter ones give
#     the host's verdict inside the root;
#  6. apt-get purge leaves nothing behind (of either package);
#  7. the RPM builds with rpmbuild -tb, rpm -qlp lists the same files, its
#     Requires name every dlopen()ed soname, the xenprobe-facts subpackage
#     holds the loaders and requires xenprobe; rpmlint's findings are printed.
#
# Needs root, network access to the Debian archive, and a configured build
# tree as the current directory.  XP_DEBOOTSTRAP_CACHE=DIR keeps the
# debootstrap'd root there between local runs (CI makes a fresh one).
# Prints PASS/FAIL/SKIP lines; exit 0 pass, 1 fail, 77 cannot run.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(pwd)
[ -f "$build/Makefile" ] || { echo "SKIP: run from a configured build tree"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (debootstrap, chroot, mount)"; exit 77; }
for t in debootstrap dpkg-buildpackage lintian rpmbuild chroot; do
        command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
XENPROBE=${XENPROBE:-$build/xenprobe}
ver=$(sed -n 's/^PACKAGE_VERSION = //p' "$build/Makefile")
work=$(mktemp -d /var/tmp/xp-packages.XXXXXX)
R=$work/root
mounts=()
cleanup() {
        local i
        for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null; done
        [ -n "${XP_KEEP:-}" ] && { echo "# kept $work"; return; }
        rm -rf "$work"
}
trap cleanup EXIT
passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
wait_log() { # TEXT: the root's xenprobed.log has it within 10 s
        local i
        for i in $(seq 100); do grep -q "$1" "$R/var/log/xenprobed.log" 2>/dev/null && return 0; sleep 0.1; done
        return 1
}
judge() { # NAME CMD...: pass if CMD succeeds
        local n=$1
        shift
        if "$@" >"$work/judge.out" 2>&1; then pass "$n"; else fail "$n"; tail -n 20 "$work/judge.out"; fi
}
finish() {
        echo "# $passed passed, $failed failed"
        [ $failed = 0 ]
        exit
}
in_root() { chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
mount_root() {
        mount -t proc proc "$R/proc" && mounts+=("$R/proc")
        mount --rbind /sys "$R/sys" && mounts+=("$R/sys")
        mount --rbind /dev "$R/dev" && mounts+=("$R/dev")
}
umount_root() {
        local m
        for m in "$R/dev" "$R/sys" "$R/proc"; do umount -l "$m"; done
        mounts=()
}
# the dlopen()ed sonames, read from the binary itself
sonames() { strings -a "$1" | grep -E '^lib[a-z0-9_+-]+\.so\.[0-9.]+$' | sort -u; }

# --- 1. the .deb --------------------------------------------------------------
DEB_BUILD_OPTIONS=nocheck bash "$src/packaging/build-deb.sh" "$work/deb" >"$work/build-deb.out" 2>&1
deb=$(grep -E "/xenprobe_${ver}-[^_]*_[a-z0-9]*\.deb$" "$work/build-deb.out" | head -n 1)
factsdeb=$(grep -E "/xenprobe-facts_${ver}-[^_]*_all\.deb$" "$work/build-deb.out" | head -n 1)
if [ -n "$deb" ] && [ -f "$deb" ] && [ -n "$factsdeb" ] && [ -f "$factsdeb" ]; then
        pass "deb: dpkg-buildpackage -us -uc -b from the release tarball (xenprobe, xenprobe-facts)"
else
        fail "deb: dpkg-buildpackage"
        tail -n 30 "$work/build-deb.out"
        finish
fi
changes=${deb%.deb}.changes
lintian --pedantic -I --no-tag-display-limit "$changes" >"$work/lintian.out" 2>&1
sed 's/^/# lintian: /' "$work/lintian.out" | grep -v 'running with root privileges'
if grep -qE '^[EW]: ' "$work/lintian.out"; then
        fail "deb: lintian finds no error or warning"
else
        pass "deb: lintian finds no error or warning ($(grep -cE '^[IP]: ' "$work/lintian.out") info/pedantic tags)"
fi
dpkg-deb -x "$deb" "$work/debfiles"
depends=$(dpkg-deb -f "$deb" Depends)
echo "# Depends: $depends"
missing=
for so in $(sonames "$work/debfiles/usr/sbin/xenprobe"); do
        f=$(ls /lib/x86_64-linux-gnu/"$so" /usr/lib/x86_64-linux-gnu/"$so" 2>/dev/null | head -n 1)
        if [ -z "$f" ]; then
                echo "# $so: not a Debian soname (the binary's fallback for other distributions)"
                continue
        fi
        pkg=$(dpkg -S "$(realpath -s "$f")" 2>/dev/null | head -n 1 | cut -d: -f1)
        [ -n "$pkg" ] || pkg=$(dpkg -S "$(realpath "$f")" 2>/dev/null | head -n 1 | cut -d: -f1)
        echo "# $so: $pkg"
        echo ", $depends," | grep -qE "[ ,]$pkg[ ,(]" || missing="$missing $so($pkg)"
done
if [ -z "$missing" ]; then pass "deb: Depends names the package of every dlopen()ed library"; else fail "deb: Depends lacks$missing"; fi

# what upstream's make install lays out, in Debian's places
make -s -C "$build" install DESTDIR="$work/upstream" prefix=/usr sysconfdir=/etc \
        systemdsystemunitdir=/lib/systemd/system >"$work/upstream-install.out" 2>&1 ||
        { fail "make install DESTDIR="; cat "$work/upstream-install.out"; }
(cd "$work/upstream" && find . ! -type d | sed 's|^\.||' | sort) >"$work/upstream.list"
echo "# make install: $(wc -l <"$work/upstream.list") files"

# --- 3. a fresh Debian 12 guest root ---------------------------------------------
mirror=http://deb.debian.org/debian
if [ -n "${XP_DEBOOTSTRAP_CACHE:-}" ] && [ -x "$XP_DEBOOTSTRAP_CACHE/usr/bin/apt-get" ]; then
        cp -a "$XP_DEBOOTSTRAP_CACHE" "$R"
        pass "debootstrap: root copied from $XP_DEBOOTSTRAP_CACHE"
else
        t0=$SECONDS
        if debootstrap --variant=minbase --include=systemd,systemd-sysv bookworm "$R" "$mirror" >"$work/debootstrap.out" 2>&1; then
                pass "debootstrap: minimal Debian 12 root with systemd ($((SECONDS - t0)) s)"
                [ -n "${XP_DEBOOTSTRAP_CACHE:-}" ] && { rm -rf "$XP_DEBOOTSTRAP_CACHE"; cp -a "$R" "$XP_DEBOOTSTRAP_CACHE"; }
        else
                fail "debootstrap bookworm"
                tail -n 20 "$work/debootstrap.out"
                finish
        fi
fi
# what an image builder writes (xen-create-image does the same)
echo "/dev/xvda1 / ext4 errors=remount-ro 0 1" >"$R/etc/fstab"
echo "xenprobe-test" >"$R/etc/hostname"
cp /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null
cp "$deb" "$factsdeb" "$R/tmp/"
mount_root
t0=$SECONDS
if in_root apt-get update -qq >"$work/apt.out" 2>&1 &&
        in_root apt-get install -y -qq --no-install-recommends "/tmp/$(basename "$deb")" linux-image-amd64 >>"$work/apt.out" 2>&1; then
        pass "install: apt-get install ./$(basename "$deb") linux-image-amd64 in the root ($((SECONDS - t0)) s)"
else
        fail "install: apt-get install in the root"
        tail -n 30 "$work/apt.out"
        finish
fi
judge "install: dpkg reports xenprobe installed" sh -c "chroot '$R' dpkg-query -W -f='\${Status}' xenprobe | grep -qx 'install ok installed'"
in_root dpkg -L xenprobe | sort >"$work/dpkg.list"
lost=$(comm -23 "$work/upstream.list" "$work/dpkg.list" | sed 's/\.gz$//' | while read -r f; do grep -qxF "$f.gz" "$work/dpkg.list" || echo "$f"; done)
if [ -z "$lost" ]; then pass "install: every file of make install is in the package"; else fail "install: not packaged: $lost"; fi
judge "install: /etc/init.d/xenprobe for sysvinit" test -x "$R/etc/init.d/xenprobe"
judge "install: xenprobed is the daemon's name for xenprobe" test "$(readlink "$R/usr/sbin/xenprobed")" = xenprobe
judge "maintainer scripts: xenprobe.service enabled" sh -c "chroot '$R' systemctl is-enabled xenprobe.service | grep -qx enabled"
started=
for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$R" ] && started="$started $(cat "$p/comm" 2>/dev/null)"
done
judge "maintainer scripts: nothing started in the chroot${started:+ (running:$started)}" test -z "$started"
# --man=no: a minimal root has no man-db (the pages are checked below)
if in_root systemd-analyze verify --man=no /lib/systemd/system/xenprobe.service >"$work/verify.out" 2>&1 && [ ! -s "$work/verify.out" ]; then
        pass "unit: systemd-analyze verify inside the root (no complaint)"
else
        fail "unit: systemd-analyze verify inside the root"
        cat "$work/verify.out"
fi
bad=
for m in "$R"/usr/share/man/man*/xenprobe*; do
        [ -e "$m" ] || continue
        zcat -f "$m" | groff -man -ww -z -Tutf8 >"$work/man.out" 2>&1 && [ ! -s "$work/man.out" ] || bad="$bad $(basename "$m")"
done
n=$(ls "$R"/usr/share/man/man*/xenprobe* 2>/dev/null | wc -l)
if [ -z "$bad" ] && [ "$n" -gt 0 ]; then pass "man: $n installed pages render without warnings"; else fail "man: pages:$n, with warnings:$bad"; fi
judge "completion: the installed file defines xenprobe's completion" \
        bash -c ". '$R/usr/share/bash-completion/completions/xenprobe' && complete -p xenprobe"

# --- 3b. the fact loaders: a package of their own ------------------------------
loaders="/etc/ansible/facts.d/xenprobe.fact /etc/facter/facts.d/xenprobe /etc/chef/ohai/plugins/xenprobe.rb"
judge "facts: installing xenprobe created no /etc/ansible, /etc/facter, /etc/chef" \
        sh -c "! ls -d '$R/etc/ansible' '$R/etc/facter' '$R/etc/chef' 2>/dev/null | grep -q ."
if in_root dpkg -i "/tmp/$(basename "$factsdeb")" >"$work/facts-dpkg.out" 2>&1; then
        pass "facts: dpkg -i xenprobe-facts"
        modes() { local f; for f in $loaders; do stat -c %a "$R$f"; done | tr '\n' ' '; }
        judge "facts: the loaders, executable but the Ohai plugin ($(modes))" test "$(modes)" = "755 755 644 "
        host=$("$XENPROBE" --short 2>/dev/null)
        ansible_verdict() { chroot "$R" /etc/ansible/facts.d/xenprobe.fact | jq -e --arg v "$host" '.verdict == $v and .schema == 1'; }
        facter_verdict() { chroot "$R" /etc/facter/facts.d/xenprobe | jq -e --arg v "$host" '(keys == ["xenprobe"]) and .xenprobe.verdict == $v'; }
        judge "facts: the Ansible loader gives the host's verdict '$host' inside the root" ansible_verdict
        judge "facts: the Facter loader gives it under one key, xenprobe" facter_verdict
else
        fail "facts: dpkg -i xenprobe-facts"
        tail -n 20 "$work/facts-dpkg.out"
fi

# --- 4. xenprobe in and on the root -------------------------------------------
host=$("$XENPROBE" --short 2>/dev/null)
inside=$(in_root xenprobe --short 2>"$work/inside.err")
judge "chroot: xenprobe inside the root (host's /proc, /sys) says '$host' like the host" test -n "$host" -a "$inside" = "$host"
judge "chroot: xenprobe --json inside the root is valid JSON" sh -c "chroot '$R' xenprobe --json | jq -e .verdict"
kver=$(ls "$R/lib/modules" | head -n 1)
in_root lsinitramfs "/boot/initrd.img-$kver" >"$work/lsinitramfs.out" 2>&1
umount_root
check_of() { # JSON CHECK: the status of that initrd check of kernel $kver
        jq -r --arg v "$kver" --arg c "$2" '.boot.kernels[] | select(.version == $v) | .image.checks[] | select(.name == $c) | .status' "$1"
}
"$XENPROBE" --root "$R" --json >"$work/root.json" 2>"$work/root.err"
has_blkfront=$(grep -c 'kernel/drivers/block/xen-blkfront\.ko' "$work/lsinitramfs.out")
echo "# lsinitramfs $kver: $(wc -l <"$work/lsinitramfs.out") entries, xen-blkfront: $has_blkfront"
judge "--root: lsinitramfs lists xen-blkfront in Debian's default initramfs (MODULES=most)" test "$has_blkfront" -ge 1
judge "--root: xenprobe finds xen-blkfront in $kver's initramfs, as lsinitramfs does" test "$(check_of "$work/root.json" xen-blkfront)" = ok
judge "--root: the root filesystem's driver (fstab: ext4) is in it" test "$(check_of "$work/root.json" root-fs:ext4)" = ok
judge "--root: the kernel is ready for PVH and HVM" test "$(jq -r --arg v "$kver" '.boot.kernels[] | select(.version == $v) | .modes.pvh.status + " " + .modes.hvm.status' "$work/root.json")" = "ok ok"
# the trimmed initramfs of the field notes: only what the modules file lists
sed -i 's/^MODULES=.*/MODULES=list/' "$R/etc/initramfs-tools/initramfs.conf"
mount_root
in_root update-initramfs -u -k "$kver" >"$work/update-initramfs.out" 2>&1 || { fail "update-initramfs MODULES=list"; tail -n 20 "$work/update-initramfs.out"; }
in_root lsinitramfs "/boot/initrd.img-$kver" >"$work/lsinitramfs2.out" 2>&1
umount_root
"$XENPROBE" --root "$R" --json >"$work/root2.json" 2>"$work/root2.err"
has_blkfront=$(grep -c 'xen-blkfront\.ko' "$work/lsinitramfs2.out")
echo "# lsinitramfs $kver after MODULES=list: $(wc -l <"$work/lsinitramfs2.out") entries, xen-blkfront: $has_blkfront"
judge "--root: lsinitramfs lists no xen-blkfront after MODULES=list" test "$has_blkfront" = 0
judge "--root: xenprobe says xen-blkfront is missing from it" test "$(check_of "$work/root2.json" xen-blkfront)" = missing
judge "--root: the fix names initramfs-tools" sh -c "jq -r '.. | .fix? // empty' '$work/root2.json' | grep -q 'initramfs-tools'"
"$XENPROBE" --root "$R" >"$work/root2.txt" 2>&1
judge "--root: the text report says xen-blkfront is missing" grep -qi 'xen-blkfront.*missing\|missing.*xen-blkfront' "$work/root2.txt"

# --- 5. OpenRC ----------------------------------------------------------------
mount_root
if in_root apt-get install -y -qq --no-install-recommends openrc >"$work/openrc-apt.out" 2>&1; then
        sed 's|@sbindir@|/usr/sbin|' "$src/packaging/openrc/xenprobe.in" >"$R/etc/init.d/xenprobe-openrc"
        chmod 755 "$R/etc/init.d/xenprobe-openrc"
        mkdir -p "$R/etc/conf.d"
        cp "$src/packaging/openrc/xenprobe.confd" "$R/etc/conf.d/xenprobe-openrc"
        bash "$src/tests/mkroot.sh" "$src/tests/roots/xen417-domU-pvhvm-debian12" "$R/var/tmp/guest" >/dev/null
        mkdir -p "$R/run/openrc" && touch "$R/run/openrc/softlevel"
        # no xenstored here: the daemon waits for it, which is what we need
        in_root /etc/init.d/xenprobe-openrc start >"$work/orc.out" 2>&1
        judge "openrc: start refused outside Xen (exit != 0)" test $? != 0
        judge "openrc: it says why" grep -q 'not a Xen guest' "$work/orc.out"
        printf 'XENPROBE_FORCE=1\nXENPROBED_ARGS="--root /var/tmp/guest --domid 7"\n' >>"$R/etc/conf.d/xenprobe-openrc"
        in_root /etc/init.d/xenprobe-openrc start >"$work/orc.out" 2>&1
        judge "openrc: start (XENPROBE_FORCE=1)" test $? = 0
        in_root_pid() { # the pid of the process named $1 running in the root
                local p
                for p in /proc/[0-9]*; do
                        [ "$(readlink "$p/root" 2>/dev/null)" = "$R" ] && [ "$(cat "$p/comm" 2>/dev/null)" = "$1" ] &&
                                { echo "${p#/proc/}"; return 0; }
                done
                return 1
        }
        pid=$(in_root_pid xenprobed)
        supervised() { # pid $1 is a child of supervise-daemon
                local pp
                pp=$(awk '/^PPid:/ {print $2}' "/proc/$1/status" 2>/dev/null)
                [ -n "$pp" ] && [ "$(cat "/proc/$pp/comm")" = supervise-daemo ] # comm keeps 15 characters
        }
        judge "openrc: xenprobed runs in the root, under supervise-daemon" supervised "${pid:-0}"
        judge "openrc: status says started" sh -c "chroot '$R' /etc/init.d/xenprobe-openrc status | grep -q started"
        in_root /etc/init.d/xenprobe-openrc reload >"$work/orc.out" 2>&1
        judge "openrc: reload exit 0" test $? = 0
        judge "openrc: reload reached the daemon (SIGHUP in its log)" wait_log "SIGHUP"
        judge "openrc: the same daemon after reload" test "$(in_root_pid xenprobed)" = "$pid"
        in_root /etc/init.d/xenprobe-openrc stop >"$work/orc.out" 2>&1
        judge "openrc: stop" test $? = 0
        none_left() { ! in_root_pid xenprobed && ! in_root_pid supervise-daemo; }
        judge "openrc: no xenprobed or supervisor left in the root after stop" none_left
        judge "openrc: the daemon logged that it waits for xenstore, and SIGTERM" \
                sh -c "grep -q 'xenstore not reachable' '$R/var/log/xenprobed.log' && grep -q SIGTERM '$R/var/log/xenprobed.log'"
        in_root rm -rf /run/openrc
else
        fail "openrc: apt-get install openrc in the root"
        tail -n 20 "$work/openrc-apt.out"
fi

# --- 6. purge -------------------------------------------------------------------
in_root apt-get purge -y -qq xenprobe xenprobe-facts >"$work/purge.out" 2>&1
judge "purge: apt-get purge xenprobe xenprobe-facts" test $? = 0
left=$(for f in $loaders; do [ -e "$R$f" ] && echo "$f"; done)
judge "purge: no fact loader left${left:+ ($left)}" test -z "$left"
left=$(while read -r f; do [ -e "$R$f" ] || [ -L "$R$f" ] || [ -e "$R$f.gz" ] && echo "$f"; done <"$work/upstream.list")
judge "purge: no installed file left${left:+ ($left)}" test -z "$left"
judge "purge: the unit is no longer enabled" sh -c "! chroot '$R' systemctl is-enabled xenprobe.service 2>/dev/null | grep -q enabled"
umount_root

# --- 7. the RPM -------------------------------------------------------------------
RPMBUILD_OPTS=--nocheck bash "$src/packaging/build-rpm.sh" "$work/rpm" >"$work/build-rpm.out" 2>&1
rpm=$(grep -E "/xenprobe-${ver}-[^/]*\.x86_64\.rpm$" "$work/build-rpm.out" | head -n 1)
if [ -n "$rpm" ] && [ -f "$rpm" ]; then
        pass "rpm: rpmbuild -tb from the release tarball"
        rpm -qlp "$rpm" 2>/dev/null | sort >"$work/rpm.list"
        # the same files as make install, with the unit in /usr/lib/systemd
        sed 's|^/lib/systemd/|/usr/lib/systemd/|' "$work/upstream.list" |
                while read -r f; do grep -qxF "$f" "$work/rpm.list" || grep -qxF "$f.gz" "$work/rpm.list" || echo "$f"; done >"$work/rpm.lost"
        judge "rpm: rpm -qlp lists every file of make install$( [ -s "$work/rpm.lost" ] && echo " (lost: $(tr '\n' ' ' <"$work/rpm.lost"))")" test ! -s "$work/rpm.lost"
        rpm -qp --requires "$rpm" 2>/dev/null >"$work/rpm.requires"
        missing=
        for so in $(sonames "$work/debfiles/usr/sbin/xenprobe"); do
                case $so in libbz2.so.1.0) so=libbz2.so.1 ;; esac # Fedora's soname; the binary tries both
                grep -qF "$so()(64bit)" "$work/rpm.requires" || missing="$missing $so"
        done
        judge "rpm: Requires names every dlopen()ed soname${missing:+ (lacks$missing)}" test -z "$missing"
        judge "rpm: scriptlets call systemctl preset/disable/try-restart" sh -c "rpm -qp --scripts '$rpm' 2>/dev/null | grep -q 'preset' && rpm -qp --scripts '$rpm' 2>/dev/null | grep -q 'try-restart'"
        factsrpm=$(grep -E "/xenprobe-facts-${ver}-[^/]*\.noarch\.rpm$" "$work/build-rpm.out" | head -n 1)
        if [ -n "$factsrpm" ] && [ -f "$factsrpm" ]; then
                rpm_loaders() { test "$(rpm -qlp "$factsrpm" 2>/dev/null | sort)" = "$(printf '%s\n' $loaders | sort)"; }
                judge "rpm: xenprobe-facts holds the three loaders" rpm_loaders
                judge "rpm: xenprobe-facts requires xenprobe of its own version" \
                        sh -c "rpm -qp --requires '$factsrpm' 2>/dev/null | grep -qx 'xenprobe = ${ver}-.*'"
        else
                fail "rpm: no xenprobe-facts noarch package built"
        fi
        if command -v rpmlint >/dev/null; then
                rpmlint "$rpm" ${factsrpm:+"$factsrpm"} "$src/packaging/rpm/xenprobe.spec" >"$work/rpmlint.out" 2>&1
                sed 's/^/# rpmlint: /' "$work/rpmlint.out" | tail -n 40
                pass "rpm: rpmlint ran ($(grep -c ': E: ' "$work/rpmlint.out") errors, $(grep -c ': W: ' "$work/rpmlint.out") warnings, listed above)"
        fi
else
        fail "rpm: rpmbuild"
        tail -n 30 "$work/build-rpm.out"
fi
finish
