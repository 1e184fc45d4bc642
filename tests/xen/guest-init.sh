#!/bin/busybox sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# /init of the domU initramfs of make check-xen (built by
# tests/xen/mkinitrd.sh; the same image for PV, PVH and HVM guests).
# Kernel command line: xpt.name=NAME xpt.mode=oneshot|daemon
#
# Every guest: systemd-udevd (coldplug loads xen-blkfront, ata_piix, ... as
# on a real system), then `xenprobe --json`, the text report and
# `xenprobe snapshot` into /out/NAME.
#  oneshot: `xenprobe publish`, results to the first disk, data/xpt-done=1,
#           wait for dom0's data/xpt-ack, power off.
#  daemon:  start `xenprobe daemon` in the background, data/xpt-state=ready,
#           then serve dom0's commands in data/xpt-cmd ("SEQ CMD [ARG]"),
#           answering data/xpt-ack=SEQ:
#             flush        write /out as a tar to the first disk (xvda, sda)
#             limits DOMID the guest-side xenstore limit tests (EACCES,
#                          quotas vs. `xenprobe publish`), then stop the
#                          daemon and plant hostile data for dom0's query
#             poweroff
# Results go to the disk as one tar (dom0 reads the backing file); without
# a disk, as base64 between XPT-B64-BEGIN/END on the console.
/bin/busybox --install -s /bin
export PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /tmp /run /out
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
NAME=guest MODE=oneshot
for a in $(cat /proc/cmdline); do
	case $a in
	xpt.name=*) NAME=${a#xpt.name=} ;;
	xpt.mode=*) MODE=${a#xpt.mode=} ;;
	esac
done
O=/out/$NAME
mkdir -p "$O"
up() { cut -d' ' -f1 /proc/uptime; }
say() { echo "XPT[$(up)] $NAME: $*"; echo "[$(up)] $*" >>"$O/guest-timeline.txt"; }
say "start mode=$MODE kernel=$(uname -r)"

# udev as on a real system: the daemon listens to its events
mkdir -p /run/udev
/lib/systemd/systemd-udevd --daemon >"$O/udevd.txt" 2>&1
udevadm trigger --type=subsystems --action=add
udevadm trigger --type=devices --action=add
udevadm settle --timeout=60
say "udev settled; modules: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"

xs() { xenstore-write "$@" 2>/dev/null; }
disk() { for d in xvda sda hda; do [ -b /dev/$d ] && { echo /dev/$d; return; }; done; }
flush() {
	d=$(disk)
	tar -cf /tmp/out.tar -C /out .
	if [ -n "$d" ]; then
		dd if=/tmp/out.tar of="$d" bs=64k conv=fsync 2>/dev/null
		sync
		say "wrote $(wc -c </tmp/out.tar) bytes to $d"
	else
		say "no disk: results on the console"
		echo "XPT-B64-BEGIN $NAME"
		gzip -c /tmp/out.tar | base64
		echo "XPT-B64-END $NAME"
	fi
}

# ---- what the guest says about itself ---------------------------------------
run() { # NAME COMMAND...: output to $O/NAME.out, exit status to $O/NAME.rc
	n=$1
	shift
	"$@" >"$O/$n.out" 2>"$O/$n.err"
	echo $? >"$O/$n.rc"
}
t0=$(up)
run json xenprobe --json
say "xenprobe --json: exit $(cat $O/json.rc), verdict $(grep -m1 '"verdict"' $O/json.out)"
run text xenprobe
run snapshot xenprobe snapshot "$O/snapshot"
say "xenprobe --json, text, snapshot took $(awk -v a=$t0 -v b=$(up) 'BEGIN{print b-a}') s"
cp /proc/cmdline "$O/cmdline.txt"
cat /proc/modules >"$O/modules.txt"
ls -l /sys/bus/xen/devices/ >"$O/xenbus-devices.txt" 2>&1

if [ "$MODE" != daemon ]; then
	run publish xenprobe publish --trace
	say "publish: exit $(cat $O/publish.rc)"
	flush
	if xs data/xpt-done 1; then
		i=0
		while [ $i -lt 300 ] && ! xenstore-read data/xpt-ack >/dev/null 2>&1; do sleep 1; i=$((i + 1)); done
		say "ack after ${i}s"
	fi
	say "poweroff"
	poweroff -f
fi

# ---- daemon mode ---------------------------------------------------------------
xenprobe daemon -v >"$O/daemon.log" 2>&1 &
DPID=$!
say "daemon pid $DPID"
xs data/xpt-state ready

limits() { # OTHER-DOMID: guest-side xenstore limits, then hostile data
	L=$O/limits.txt
	me=$(xenstore-read domid)
	{
		echo "## domid $me; xenstored refuses writes outside data/ (expected: EACCES)"
		xs-guest write control/xpt-test x
		xs-guest mkdir control/xpt-dir
		xs-guest write name evil
		xs-guest write vm x
		xs-guest write /local/domain/0/data/xpt-test x
		xs-guest write "/local/domain/$1/data/xpt-test" x
		xs-guest write "/local/domain/$1/data/xenprobe/verdict" pv
		xs-guest write /vm/xpt-test x
		xs-guest write /tool/xpt-test x
		xs-guest read /local/domain/0/name
		xs-guest ls /local/domain/0
		echo "## allowed: own data/"
		xs-guest write data/xpt-test x
		xs-guest rm data/xpt-test
		echo "## value size (node-size quota)"
		for n in 1024 2000 2048 2049 4096 65536; do xs-guest writen data/xpt-size $n v; done
		xs-guest rm data/xpt-size
	} >"$L" 2>&1
	# the daemon would restore data/xenprobe: stop it first
	kill -TERM $DPID
	wait $DPID
	echo "$?" >"$O/daemon.rc"
	{
		echo "## node quota: fill data/xpt-fill until xenstored refuses, then xenprobe publish"
		xs-guest rm data/xenprobe
		xs-guest fill data/xpt-fill 3000
		xenprobe publish --trace
		echo "publish exit=$?"
		xs-guest ls data/xenprobe
		echo "## after removing the filler"
		xs-guest rm data/xpt-fill
		xenprobe publish --trace
		echo "publish exit=$?"
		echo "## hostile data under data/xenprobe"
		xs-guest writen data/xenprobe/verdict 2000 A
		xs-guest writen data/xenprobe/kernel 4000 K
		xs-guest writex data/xenprobe/os/pretty-name 1b5b324a1b5d303b6f776e65640007ff00fe
		xs-guest writex data/xenprobe/mode c328e282a8f09f9880eda080
		xs-guest write data/xenprobe/generation -1e99
		xs-guest write data/xenprobe/schema 1
		xs-guest write data/xenprobe/warnings 99999999999999999999999
		xs-guest writex data/xenprobe/warning-text 0a0a1b5d303b78070a
		xs-guest nest data/xenprobe/os/deep 30
		xs-guest nest data/xenprobe/pv/block 10
		xs-guest fill data/xenprobe/extra 400
		xs-guest write data/xenprobe/served '$(reboot)'
	} >>"$L" 2>&1
	say "limits done"
}

seq=0
while :; do
	c=$(xenstore-read data/xpt-cmd 2>/dev/null)
	s=${c%% *}
	if [ -n "$c" ] && [ "$s" != "$seq" ]; then
		seq=$s
		set -- $c
		say "command: $c"
		case $2 in
		flush) flush ;;
		limits) limits "$3" ;;
		poweroff)
			xs data/xpt-ack "$seq"
			flush
			poweroff -f
			;;
		esac
		xs data/xpt-ack "$seq"
	fi
	# no busy polling (a fork costs much in a PV guest under TCG): wait for
	# a change of data/xpt-cmd (the first event is the registration), at
	# most 10 s in case the write came before the watch was set
	timeout 10 xenstore-watch -n 2 data/xpt-cmd >/dev/null 2>&1
done
