#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dom0-init.sh: PID 1 of make check-xen's dom0 (init=/xpt/dom0-init.sh), one
# boot of Xen 4.17 under QEMU.  Starts Debian's Xen services, runs xenprobe
# in dom0, boots the guests, drives the daemon / query / limits steps and
# writes everything as one tar to /dev/vdb (after every step, so a run
# killed half-way still leaves what was done), then reboots (QEMU exits).
# It records raw outputs only; tests/xen/check.sh judges them on the host.
#
# Kernel command line ('+' separates items: QEMU splits -initrd on commas):
#   xpt.guests=pv+pvh+pvhvm+hvm-noplat+hvm-nopv+hvm-viridian+pv-noblk+pv-systemd
#   xpt.daemon=pv+pvh+pvhvm   the guests that run xenprobe daemon and stay up
#                             for the daemon/query steps (phase 2)
#   xpt.limits=pvh            the daemon guest that runs the limit tests
#   xpt.xsd=o|c               oxenstored (Debian's default) or C xenstored
#   xpt.timeout=SEC           per guest wait (default 900)
#   xpt.gcfg=a=1+b=2          extra xl.cfg lines for HVM guests (hap=0)
#   xpt.dom0=0                skip xenprobe in dom0
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc 2>/dev/null
mount -t sysfs sysfs /sys 2>/dev/null
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts 2>/dev/null
mount -o remount,rw / 2>/dev/null
mountpoint -q /run || mount -t tmpfs tmpfs /run
mkdir -p /run/lock /run/xen /run/xenstored
mount -t tmpfs tmpfs /tmp
exec >/dev/hvc0 2>&1 </dev/null
O=/xpt/out
rm -rf $O
mkdir -p $O/logs $O/guests $O/dom0 $O/daemon $O/limits

GUESTS=pv+pvh+pvhvm+hvm-noplat+hvm-nopv+hvm-viridian+pv-noblk+pv-systemd DAEMON=pv+pvh+pvhvm LIMITS=pvh
XSD=o GTIMEOUT=900 GCFG= DOM0=1
for a in $(cat /proc/cmdline); do
	case $a in
	xpt.guests=*) GUESTS=${a#*=} ;;
	xpt.daemon=*) DAEMON=${a#*=} ;;
	xpt.limits=*) LIMITS=${a#*=} ;;
	xpt.xsd=*) XSD=${a#*=} ;;
	xpt.timeout=*) GTIMEOUT=${a#*=} ;;
	xpt.gcfg=*) GCFG=$(echo "${a#*=}" | tr + '\n') ;;
	xpt.dom0=*) DOM0=${a#*=} ;;
	esac
done
up() { cut -d' ' -f1 /proc/uptime; }
upi() { cut -d. -f1 /proc/uptime; }
log() { echo "XPT[$(up)] $*" | tee -a $O/timeline.txt; }
save() {
	tar -cf /tmp/out.tar -C $O . && dd if=/tmp/out.tar of=/dev/vdb bs=1M conv=fsync 2>/dev/null
	sync
}
finish() {
	log "finishing"
	xl list >$O/logs/xl-list-final.txt 2>&1
	xenstore-ls -fp / >$O/logs/xenstore-ls-final.txt 2>&1
	xl dmesg >$O/logs/xl-dmesg.txt 2>&1
	dmesg >$O/logs/dom0-dmesg.txt 2>&1
	cp -a /var/log/xen $O/logs/var-log-xen 2>/dev/null
	cp /tmp/*-serial.log $O/logs/var-log-xen/ 2>/dev/null
	log "done"
	save
	echo "XPT-ALL-DONE $(up)"
	sleep 1
	busybox reboot -f || echo b >/proc/sysrq-trigger
}
has() { case "+$1+" in *"+$2+"*) return 0 ;; esac; return 1; }
rd() { xenstore-read "$1" 2>/dev/null; }
inlist() { xl list 2>/dev/null | awk -v n="$1" '$1 == n { f = 1 } END { exit !f }'; }
state() { timeout 60 xl list "$1" 2>/dev/null | awk 'NR == 2 { print $5 }'; }
echo "$GUESTS $DAEMON $LIMITS $XSD" >$O/params.txt
log "dom0 init: guests=$GUESTS daemon=$DAEMON limits=$LIMITS xenstored=$XSD timeout=$GTIMEOUT"
modprobe loop max_loop=16
modprobe xen-blkback
modprobe xen-gntalloc
[ "$XSD" = c ] && echo 'XENSTORED=/usr/lib/xen-4.17/bin/xenstored' >>/etc/default/xen
/etc/init.d/xen start >$O/logs/init-xen-start.txt 2>&1
echo "exit=$?" >>$O/logs/init-xen-start.txt
ps -eo pid,args | grep -E 'xenstored|xenconsoled' | grep -v grep >$O/logs/xenstored-ps.txt
log "xen services up: $(awk '{print $2}' $O/logs/xenstored-ps.txt | tr '\n' ' ')"
xl info >$O/logs/xl-info.txt 2>&1
{ for c in quota quota-soft; do echo "## xenstore-control $c"; xenstore-control $c 2>&1; echo "exit=$?"; done; } >$O/logs/xenstore-control.txt

# ---- phase 1: dom0 -----------------------------------------------------------
run() { # DIR NAME COMMAND...: DIR/NAME.out .err .rc
	local d=$1 n=$2
	shift 2
	"$@" >"$d/$n.out" 2>"$d/$n.err"
	echo $? >"$d/$n.rc"
}
if [ "$DOM0" = 1 ]; then
	t=$(up)
	run $O/dom0 json xenprobe --json
	run $O/dom0 text xenprobe
	run $O/dom0 snapshot xenprobe snapshot $O/dom0/snapshot
	run $O/dom0 publish xenprobe publish --trace
	log "dom0: xenprobe --json exit $(cat $O/dom0/json.rc) verdict $(jq -r .verdict $O/dom0/json.out 2>/dev/null); took $(awk -v a=$t -v b=$(up) 'BEGIN{print b-a}')s"
	cat /proc/cmdline >$O/dom0/cmdline.txt
	save
fi
# xenprobe-prometheus.service's own lines (build.sh copies the built unit):
# its ExecCondition= commands as systemd would run them, with the unit's
# Environment= (dom0 is not systemd-booted here); the textfile directory
# as prometheus-node-exporter ships it
U=/xpt/xenprobe-prometheus.service
P=$O/prom
mkdir -p $P
unit_env() { eval "export $(sed -n 's/^Environment=//p' $U | tr '\n' ' ')"; }
if [ -f $U ]; then
	mkdir -p /var/lib/prometheus/node-exporter
	cp /proc/xen/capabilities $P/proc-xen-capabilities.txt 2>&1
	ls -l /dev/xen >$P/dev-xen.txt 2>&1
	(
		unit_env
		sed -n 's/^ExecCondition=//p' $U | while read -r c; do
			eval "$c"
			echo "exit=$? $c"
		done
	) >$P/unit-conditions.txt 2>&1
fi

# ---- guests --------------------------------------------------------------------
xenstore-watch @introduceDomain >$O/logs/watch-introduceDomain.txt 2>&1 &
xenstore-watch @releaseDomain >$O/logs/watch-releaseDomain.txt 2>&1 &
declare -A LOOP T0
kind_cfg() { # KIND: type, disk device, initrd, extra lines
	local k=$1
	TYPE=hvm VDEV=hda INITRD=/xpt/guest-initrd.img EXTRA= KARGS= KERNEL=/xpt/vmlinuz CMDLINE= MEM=320 DISK=
	case $k in
	pv | pv-*) TYPE=pv VDEV=xvda ;;
	pvh) TYPE=pvh VDEV=xvda ;;
	esac
	[ "$k" = pv-noblk ] && INITRD=/xpt/guest-initrd-noblk.img
	if [ "$k" = pv-systemd ]; then
		# a Debian system on its own disk (QEMU's third drive), its own
		# kernel and initramfs-tools initramfs, booted by systemd
		KERNEL=/xpt/sd-vmlinuz INITRD=/xpt/sd-initrd.img MEM=512 DISK='"phy:/dev/vdc,xvda,w"'
		CMDLINE="console=hvc0 root=/dev/xvda ro quiet systemd.show_status=0"
	fi
	case $k in
	pvhvm) EXTRA='xen_platform_pci=1' ;;
	hvm-noplat) EXTRA='xen_platform_pci=0' ;;
	hvm-nopv) EXTRA='xen_platform_pci=1' KARGS=nopv ;;
	hvm-viridian) EXTRA='xen_platform_pci=1
viridian=1' ;;
	esac
}
create() { # NAME KIND MODE DISK(0|1): write the xl.cfg, xl create
	local s=$1 k=$2 mode=$3 withdisk=$4 G=$O/guests/$1 con="console=hvc0" d=
	kind_cfg "$k"
	mkdir -p "$G"
	[ -e /tmp/$s.img ] || truncate -s 32M /tmp/$s.img
	[ -n "${LOOP[$s]:-}" ] || LOOP[$s]=$(losetup -f --show /tmp/$s.img)
	[ "$withdisk" = 1 ] && d="\"phy:${LOOP[$s]},$VDEV,w\""
	[ -n "$DISK" ] && d=$DISK
	[ $TYPE = hvm ] && con="console=ttyS0"
	[ -n "$CMDLINE" ] || CMDLINE="$con xpt.name=$s xpt.mode=$mode $KARGS"
	cat >/tmp/$s.cfg <<-CFG
	name="$s"
	type="$TYPE"
	memory=$MEM
	vcpus=1
	kernel="$KERNEL"
	ramdisk="$INITRD"
	cmdline="$CMDLINE"
	disk=[$d]
	vif=[]
	on_poweroff="preserve"
	on_crash="preserve"
	on_reboot="preserve"
	$EXTRA
	CFG
	if [ $TYPE != pv ]; then
		# QEMU's TCG SVM has no NRIP-save: Xen cannot decode RDTSCP exits
		echo 'cpuid="host,rdtscp=0"' >>/tmp/$s.cfg
	fi
	if [ $TYPE = hvm ]; then
		printf 'serial="file:/tmp/%s-serial.log"\nvnc=0\nsdl=0\nvga="none"\n' "$s" >>/tmp/$s.cfg
		[ -n "$GCFG" ] && echo "$GCFG" >>/tmp/$s.cfg
	fi
	echo "$k" >$G/kind
	echo "$mode" >$G/mode
	cp /tmp/$s.cfg $G/xl.cfg
	T0[$s]=$(up)
	log "$s ($k, $mode): xl create"
	xl -vvv create /tmp/$s.cfg >>$G/xl-create.txt 2>&1
	echo "exit=$?" >>$G/xl-create.txt
	DOMID=$(xl domid $s 2>/dev/null)
	echo "$DOMID" >>$G/domids
	[ -n "$DOMID" ] && rd /local/domain/$DOMID/vm >>$G/vms
	log "$s: domid ${DOMID:-none}"
}
wait_guest() { # NAME KEY VALUE: until data/KEY = VALUE, shut down or timeout
	local s=$1 key=$2 val=$3 id n=0 st end
	id=$(xl domid $s 2>/dev/null) || return 1
	end=$(($(upi) + GTIMEOUT))
	while [ $(upi) -lt $end ]; do
		[ "$(rd /local/domain/$id/data/$key)" = "$val" ] && {
			log "$s: data/$key=$val after $(awk -v a=${T0[$s]} -v b=$(up) 'BEGIN{print b-a}')s"
			return 0
		}
		st=
		[ $((n % 10)) = 0 ] && st=$(state $s) # xl is slow under TCG
		case "$st" in ---s* | ----c*)
			log "$s: state $st"
			return 1
			;;
		esac
		sleep 2
		n=$((n + 2))
		if [ $((n % 60)) = 0 ]; then
			for f in /var/log/xen/console/guest-$s.log /tmp/$s-serial.log; do
				[ -s $f ] && log "$s: ${n}s: $(tail -n 1 $f | tr -cd '[:print:]' | cut -c1-120)"
			done
		fi
	done
	log "$s: TIMEOUT waiting for data/$key"
	return 1
}
collect() { # NAME [TAG]: dom0's view of a running or stopped guest
	local s=$1 G=$O/guests/$1/${2:-dom0view} id
	id=$(xl domid $s 2>/dev/null) || return 0
	mkdir -p $G
	xenstore-ls -fp /local/domain/$id >$G/xenstore-ls-home.txt 2>&1
	xenstore-ls -fp /local/domain/0/backend >$G/xenstore-ls-backend.txt 2>&1
	xenstore-ls -fp /libxl/$id >$G/xenstore-ls-libxl.txt 2>&1
	local u
	u=$(rd /local/domain/$id/vm) && [ -n "$u" ] && xenstore-ls -fp $u >$G/xenstore-ls-vm.txt 2>&1
	timeout 120 xl list -l $s >$G/xl-list-l.txt 2>&1
}
gcmd() { # NAME CMD [ARG]: a command to a daemon guest, wait for its ack
	local s=$1 id seq i=0
	shift
	id=$(xl domid $s 2>/dev/null) || return 1
	seq=$(($(date +%s%N) / 1000000))
	xenstore-write /local/domain/$id/data/xpt-cmd "$seq $*"
	while [ $i -lt 900 ]; do
		[ "$(rd /local/domain/$id/data/xpt-ack)" = "$seq" ] && { log "$s: '$*' done after ${i}s"; return 0; }
		sleep 1
		i=$((i + 1))
	done
	log "$s: '$*' not acknowledged"
	return 1
}
destroy() { # NAME: destroy, results from its disk (tar) or console (base64)
	local s=$1 G=$O/guests/$1 f
	inlist $s || return 0
	collect $s
	xl destroy $s >>$G/xl-destroy.txt 2>&1
	sleep 1
	for f in /var/log/xen/console/guest-$s.log /var/log/xen/qemu-dm-$s.log /var/log/xen/xl-$s.log /tmp/$s-serial.log; do
		[ -f $f ] && cp $f $G/
	done
	mkdir -p $G/from-guest
	# an unused disk is all zeroes, which tar takes for an empty archive
	if tar -tf /tmp/$s.img 2>/dev/null | grep -q . && tar -xf /tmp/$s.img -C $G/from-guest 2>$G/untar.txt; then
		echo disk >$G/channel
	else
		f=/var/log/xen/console/guest-$s.log
		[ -f $f ] || f=/tmp/$s-serial.log
		if grep -q XPT-B64-END $f 2>/dev/null; then
			sed -n '/XPT-B64-BEGIN/,/XPT-B64-END/p' $f | tr -d '\r' | grep -E '^[A-Za-z0-9+/=]+$' | base64 -d | gunzip |
				tar -xf - -C $G/from-guest && echo console >$G/channel
		fi
	fi
	log "$s: destroyed; results via $(cat $G/channel 2>/dev/null || echo nothing); $(awk -v a=${T0[$s]} -v b=$(up) 'BEGIN{print b-a}')s since create"
	save
}

IFS=+ read -ra GL <<<"$GUESTS"
# ---- phase 2: daemon guests, kept running --------------------------------------
DG=()
for g in "${GL[@]}"; do
	has "$DAEMON" "$g" || continue
	kind_cfg $g
	disk=1
	[ $TYPE != hvm ] && disk=0   # PV/PVH: disk attached later (xl block-attach)
	create $g $g daemon $disk
	if wait_guest $g xpt-state ready; then
		DG+=("$g")
		collect $g after-start
	else
		destroy $g
	fi
	save
done
D=$O/daemon
if [ ${#DG[@]} -gt 0 ]; then
	log "daemon guests up: ${DG[*]}"
	sleep 5
	run $D query-all xenprobe query --all --json
	run $D query-all-text xenprobe query --all
	for g in "${DG[@]}"; do
		id=$(xl domid $g)
		t=$(date +%s%N)
		run $D refresh-$g xenprobe query --refresh $id --json --timeout 30
		echo $((($(date +%s%N) - t) / 1000000)) >$D/refresh-$g.ms
		log "$g: query --refresh exit $(cat $D/refresh-$g.rc) in $(cat $D/refresh-$g.ms) ms"
	done
	xenprobe query --watch --json >$D/watch.jsonl 2>$D/watch.err &
	WPID=$!
	# Prometheus: one query into a file, and the unit's ExecStart= (the
	# event-driven writer) running through block-attach and recreate
	run $P once xenprobe query --prometheus --output $P/once.prom
	PPID_W=
	if [ -f $U ]; then
		sed -n 's/^ExecStart=//p' $U >$P/unit-execstart.txt
		(unit_env && eval "exec $(cat $P/unit-execstart.txt)") >$P/unit.out 2>$P/unit.err &
		PPID_W=$!
		sleep 3
		cp /var/lib/prometheus/node-exporter/xenprobe-domains.prom $P/unit-start.prom 2>>$P/unit.err
	fi
	log "prometheus: query --prometheus exit $(cat $P/once.rc), $(wc -l <$P/once.prom 2>/dev/null) lines; unit writer pid ${PPID_W:-none}"
	# block-attach: a disk appears in a running guest; its daemon republishes
	for g in "${DG[@]}"; do
		kind_cfg $g
		id=$(xl domid $g)
		b=/local/domain/$id/data/xenprobe
		g0=$(rd $b/generation) p0=$(rd $b/pv/block) d0=$(rd $b/disks)
		dev=xvda
		[ $TYPE = hvm ] && dev=xvdb && truncate -s 8M /tmp/$g-b.img && LOOP[$g-b]=$(losetup -f --show /tmp/$g-b.img)
		t=$(date +%s%N)
		[ $TYPE = hvm ] && l=${LOOP[$g-b]} || l=${LOOP[$g]}
		# libxl gives the dom0 hotplug script about 40 s; under a loaded
		# TCG that can run out (xl then fails and removes the device):
		# that is the lab, not the guest, so one detach and a second try
		tries=1
		xl block-attach $g "phy:$l,$dev,w" >$D/block-attach-$g.txt 2>&1
		xrc=$?
		echo "exit=$xrc" >>$D/block-attach-$g.txt
		if [ $xrc != 0 ]; then
			log "$g: xl block-attach $dev failed (exit $xrc: $(grep -v '^exit=' $D/block-attach-$g.txt | tail -n 1)); detach, second try"
			xl block-detach $g $dev >>$D/block-attach-$g.txt 2>&1
			tries=2
			xl block-attach $g "phy:$l,$dev,w" >>$D/block-attach-$g.txt 2>&1
			xrc=$?
			echo "exit=$xrc" >>$D/block-attach-$g.txt
		fi
		ta=$(date +%s%N)
		i=0
		while [ $i -lt 120 ] && [ "$(rd $b/generation)" = "$g0" ]; do sleep 1; i=$((i + 1)); done
		sleep 3
		printf 'generation_before=%q\ngeneration_after=%q\npv_block_before=%q\npv_block_after=%q\nms=%s\n' \
			"$g0" "$(rd $b/generation)" "$p0" "$(rd $b/pv/block)" $((($(date +%s%N) - t) / 1000000)) >$D/block-attach-$g.kv
		printf 'device=%q\ndisks_before=%q\ndisks_after=%q\n' "$dev" "$d0" "$(rd $b/disks)" >>$D/block-attach-$g.kv
		echo "xl_block_attach_ms=$(((ta - t) / 1000000))" >>$D/block-attach-$g.kv
		# the xenbus states (4 = connected) tell a device that never came
		# up from a daemon that missed it
		vd=51712; [ $dev = xvdb ] && vd=51728
		printf 'xl_exit=%s\nxl_tries=%s\nfrontend_state=%q\nbackend_state=%q\n' "$xrc" "$tries" \
			"$(rd /local/domain/$id/device/vbd/$vd/state)" "$(rd /local/domain/0/backend/vbd/$id/$vd/state)" \
			>>$D/block-attach-$g.kv
		log "$g: block-attach $dev: generation $g0 -> $(rd $b/generation), pv/block $p0 -> $(rd $b/pv/block), disks '$d0' -> '$(rd $b/disks)'"
	done
	run $D query-all-after-attach xenprobe query --all --json
	# limits and a hostile guest
	if has "$DAEMON" "$LIMITS" && inlist "$LIMITS"; then
		other=$(xl domid ${DG[0]})
		[ "${DG[0]}" = "$LIMITS" ] && other=$(xl domid ${DG[1]:-$LIMITS})
		gcmd $LIMITS limits $other
		run $O/limits query-all xenprobe query --all --json
		run $O/limits query-text xenprobe query $LIMITS
		run $O/limits query-json xenprobe query $LIMITS --json
		xenstore-ls -fp /local/domain/$(xl domid $LIMITS)/data >$O/limits/xenstore-ls-data.txt 2>&1
		log "$LIMITS: hostile data: query --all exit $(cat $O/limits/query-all.rc)"
	fi
	for g in "${DG[@]}"; do gcmd $g flush; done
	save
	# destroy and recreate the first daemon guest under the same name
	g=${DG[0]}
	kind_cfg $g
	echo "old domid=$(xl domid $g) vm=$(rd /local/domain/$(xl domid $g)/vm)" >$D/recreate.txt
	destroy $g
	losetup -d ${LOOP[$g]} 2>/dev/null
	unset "LOOP[$g]"
	mv /tmp/$g.img /tmp/$g-first.img
	create $g $g daemon 0
	wait_guest $g xpt-state ready
	sleep 5
	id=$(xl domid $g)
	echo "new domid=$id vm=$(rd /local/domain/$id/vm)" >>$D/recreate.txt
	run $D query-all-recreated xenprobe query --all --json
	sleep 2
	kill $WPID 2>/dev/null
	if [ -n "$PPID_W" ]; then
		cp /var/lib/prometheus/node-exporter/xenprobe-domains.prom $P/unit-recreated.prom 2>>$P/unit.err
		kill $PPID_W
		wait $PPID_W
		echo $? >$P/unit.rc
		ls -l /var/lib/prometheus/node-exporter >$P/textfile-dir.txt 2>&1
		log "prometheus: the unit's writer ended with exit $(cat $P/unit.rc) on SIGTERM"
	fi
	log "recreated $g: $(tr '\n' ' ' <$D/recreate.txt)"
	for g in "${DG[@]}"; do destroy $g; done
fi

# ---- phase 3: one-shot guests ---------------------------------------------------
wait_console() { # NAME: until its console shows XPT-B64-END, it stops or timeout
	local s=$1 end f=/var/log/xen/console/guest-$1.log n=0
	end=$(($(upi) + GTIMEOUT))
	while [ $(upi) -lt $end ]; do
		grep -q XPT-B64-END $f 2>/dev/null && {
			log "$s: report on the console after $(awk -v a=${T0[$s]} -v b=$(up) 'BEGIN{print b-a}')s"
			return 0
		}
		case "$( [ $((n % 20)) = 0 ] && state $s)" in ---s* | ----c*) log "$s: stopped"; return 1 ;; esac
		sleep 2
		n=$((n + 2))
		[ $((n % 60)) = 0 ] && [ -s $f ] && log "$s: ${n}s: $(tail -n 1 $f | tr -cd '[:print:]' | cut -c1-120)"
	done
	log "$s: TIMEOUT waiting for the report on its console"
	return 1
}
for g in "${GL[@]}"; do
	has "$DAEMON" "$g" && continue
	if [ "$g" = pv-systemd ]; then
		# xenprobe.service started by systemd, nothing of ours in the guest
		# but the report unit after it
		if [ ! -b /dev/vdc ]; then
			log "$g: no /dev/vdc (sd-guest.img not given to QEMU)"
			continue
		fi
		create $g $g systemd 0
		id=$DOMID
		cp /xpt/sd-expect.txt $O/guests/$g/ 2>/dev/null
		if wait_console $g; then
			run $O/guests/$g query xenprobe query $id --json
			# not query's 5 s default: under TCG the unit's re-probe of a
			# real Debian system took 3.6-4.6 s alone and more under load
			t=$(date +%s%N)
			run $O/guests/$g refresh xenprobe query --refresh $id --json --timeout 60
			echo $((($(date +%s%N) - t) / 1000000)) >$O/guests/$g/refresh.ms
			collect $g
			# systemd stops the daemon on the way down
			t=$(date +%s%N)
			timeout 300 xl shutdown -w $g >$O/guests/$g/xl-shutdown.txt 2>&1
			echo "exit=$? ms=$((($(date +%s%N) - t) / 1000000))" >>$O/guests/$g/xl-shutdown.txt
			log "$g: shut down: $(tail -n 1 $O/guests/$g/xl-shutdown.txt)"
		fi
		destroy $g
		continue
	fi
	create $g $g oneshot 1
	id=$DOMID
	if wait_guest $g xpt-done 1; then
		run $O/guests/$g query xenprobe query $id --json
		xenstore-write /local/domain/$id/data/xpt-ack 1
		i=0
		while [ $i -lt 120 ]; do case "$(state $g)" in ---s* | ----c* | "") break ;; esac; sleep 2; i=$((i + 2)); done
	fi
	destroy $g
done
finish
