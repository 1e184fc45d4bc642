#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check.sh RESULTS [XENPROBE]
# Judges one run of tests/xen/run.sh on the host.  The ground truth is each
# guest's xl.cfg as dom0 wrote it (RESULTS/guests/NAME/xl.cfg), never
# xenprobe's output: type="pv" -> pv, type="pvh" -> pvh, type="hvm" ->
# pvhvm, unless xen_platform_pci=0 or the guest kernel runs with nopv
# (-> hvm); viridian=1 changes nothing (Xen's leaves move behind
# Viridian's).  dom0 is PV (no dom0=pvh on Xen's command line): dom0-pv.
# XENPROBE (default WORKDIR/src/xenprobe, the binary that went into the
# images) replays each snapshot.  Also copies every snapshot to
# RESULTS/fixtures/ as a fixture candidate.
# One line per check: PASS / FAIL / SKIP, then "# N passed, N failed, N skipped".
set -u
RES=$(cd "${1:?usage: check.sh RESULTS [XENPROBE]}" && pwd)
H=$(cd "$(dirname "$0")" && pwd)
XP=${2:-$(cd "$RES/../.." 2>/dev/null && pwd)/src/xenprobe}
passed=0 failed=0 skipped=0
pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
skip() { echo "SKIP $*"; skipped=$((skipped + 1)); }
ok() { # NAME DETAIL COND...: PASS/FAIL by COND's exit status
	local n=$1 d=$2
	shift 2
	if "$@" >/dev/null 2>&1; then pass "$n ($d)"; else fail "$n ($d)"; fi
}
command -v jq >/dev/null || { echo "check: jq missing" >&2; exit 77; }
[ -x "$XP" ] || XP=
cfg() { sed -n "s/^$2=\"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" "$RES/guests/$1/xl.cfg" | tail -n 1; }
expected() { # NAME -> verdict from its xl.cfg
	local t
	t=$(cfg "$1" type)
	case $t in
	pv | pvh) echo "$t" ;;
	hvm)
		if [ "$(cfg "$1" xen_platform_pci)" = 0 ] || cfg "$1" cmdline | grep -qw nopv; then
			echo hvm
		else
			echo pvhvm
		fi
		;;
	*) echo "unknown-type-$t" ;;
	esac
}
jv() { jq -r "$2" "$1" 2>/dev/null; }
mkdir -p "$RES/fixtures"

# ---- dom0 ----------------------------------------------------------------------
if [ -f "$RES/dom0/json.out" ]; then
	v=$(jv "$RES/dom0/json.out" .verdict)
	ok "dom0 verdict" "dom0-pv expected, xenprobe says $v" test "$v" = dom0-pv
	ok "dom0 publish" "exit $(cat "$RES/dom0/publish.rc")" test "$(cat "$RES/dom0/publish.rc")" = 0
	if [ -d "$RES/dom0/snapshot" ]; then
		rm -rf "$RES/fixtures/xen417-dom0-pv-debian12"
		cp -a "$RES/dom0/snapshot" "$RES/fixtures/xen417-dom0-pv-debian12"
		if [ -n "$XP" ]; then
			r=$("$XP" --root "$RES/dom0/snapshot" --short --no-boot 2>/dev/null)
			ok "dom0 snapshot replay" "xenprobe --root snapshot says $r" test "$r" = dom0-pv
		fi
	fi
else
	fail "dom0 verdict (no result from dom0: see $RES/serial.log)"
fi

# ---- every guest: verdict, snapshot replay ---------------------------------------
read -r GUESTS _ <"$RES/params.txt" 2>/dev/null || GUESTS=
for g in ${GUESTS//+/ }; do
	# a guest dom0 never got to (dom0 died, the run timed out) is a failure too
	[ -f "$RES/guests/$g/xl.cfg" ] || fail "$g verdict (the guest was never created: see $RES/serial.log and $RES/timeline.txt)"
done
for G in "$RES"/guests/*/; do
	[ -f "$G/xl.cfg" ] || continue
	g=$(basename "$G")
	e=$(expected "$g")
	F=$G/from-guest/$g
	if [ ! -f "$F/json.out" ]; then
		fail "$g verdict (expected $e; no result came back from the guest: see $G)"
		continue
	fi
	v=$(jv "$F/json.out" .verdict)
	ok "$g verdict" "$(cfg "$g" type) guest, expected $e, xenprobe says $v, exit $(cat "$F/json.rc")" \
		test "$v" = "$e" -a "$(cat "$F/json.rc")" = 0
	if [ "$(cfg "$g" type)" = hvm ]; then
		# the same xl.cfg settings, seen from inside
		pp=true vi=false
		[ "$(cfg "$g" xen_platform_pci)" = 0 ] && pp=false
		[ "$(cfg "$g" viridian)" = 1 ] && vi=true
		jp=$(jv "$F/json.out" .xen.platform_pci) jvi=$(jv "$F/json.out" .xen.viridian)
		if cfg "$g" cmdline | grep -qw nopv; then
			# nopv: the kernel ignores Xen, so no /sys/hypervisor; CPUID and PCI still show it
			skip "$g platform_pci/viridian (nopv guest: xen.platform_pci=$jp viridian=$jvi)"
		else
			ok "$g platform PCI device" "xen_platform_pci in xl.cfg -> $pp, xenprobe says $jp" test "$jp" = "$pp"
			ok "$g viridian" "viridian in xl.cfg -> $vi, xenprobe says $jvi" test "$jvi" = "$vi"
		fi
	fi
	if [ -d "$F/snapshot" ]; then
		rm -rf "$RES/fixtures/xen417-$g-debian12"
		cp -a "$F/snapshot" "$RES/fixtures/xen417-$g-debian12"
		if [ -n "$XP" ]; then
			r=$("$XP" --root "$F/snapshot" --short 2>/dev/null)
			ok "$g snapshot replay" "xenprobe --root snapshot says $r" test "$r" = "$e"
		fi
	else
		fail "$g snapshot (none: exit $(cat "$F/snapshot.rc" 2>/dev/null))"
	fi
	if [ -f "$G/query.out" ]; then
		s=$(jv "$G/query.out" '.domains[0].status') qv=$(jv "$G/query.out" '.domains[0].data.verdict')
		ok "$g query in dom0" "status $s verdict $qv after xenprobe publish in the guest" test "$s" = ok -a "$qv" = "$e"
	fi
done
# ---- pv-systemd: xenprobe.service under a real systemd ------------------------------
G=$RES/guests/pv-systemd
F=$G/from-guest/pv-systemd
if [ -f "$G/xl.cfg" ] && [ -d "$F" ]; then
	sv() { sed -n "s/^$2=//p" "$F/$1" 2>/dev/null; }
	a=$(sv systemctl-show.txt ActiveState) ss=$(sv systemctl-show.txt SubState) nr=$(sv systemctl-show.txt NRestarts)
	st=$(sv systemctl-show.txt StatusText)
	# Type=notify: "active" only after READY=1; STATUS= is the daemon's
	ok "pv-systemd: xenprobe.service active under systemd (READY=1)" "$a/$ss, $nr restarts, status '$st'" \
		test "$a" = active -a "$ss" = running -a "$nr" = 0
	ok "pv-systemd: sd_notify STATUS= after the first publish" "$st" bash -c '[[ "$1" == "published generation "* ]]' _ "$st"
	# the sandboxed daemon's keys equal what xenprobe computes outside the sandbox
	ok "pv-systemd: the unit's answer equals an unsandboxed run" \
		"publish outside the sandbox: exit $(cat "$F/publish.rc"), $(wc -l <"$F/publish.out") keys written, $(tr '\n' ' ' <"$F/publish.err")" \
		bash -c "test \$(cat '$F/publish.rc') = 0 && test ! -s '$F/publish.out' && grep -q 'already current' '$F/publish.err'"
	# boot readiness as published (the PV mode's: xenprobe-xenstore(7)),
	# against what the image holds: xen-blkfront and ext4 in the initramfs
	# (lsinitramfs at build time), and a config pygrub can boot
	if grep -q '^initramfs .*/xen-blkfront\.ko' "$G/sd-expect.txt" 2>/dev/null &&
		grep -qE '^(initramfs .*/ext4\.ko|config CONFIG_EXT4_FS=y)' "$G/sd-expect.txt"; then
		eb=ok
		grep -q '^bootloader ' "$G/sd-expect.txt" || eb=cannot-verify
	else
		eb=missing
	fi
	b=$(jv "$G/query.out" '.domains[0].data.boot.summary')
	ok "pv-systemd: published boot/summary" "$(grep -c '^initramfs ' "$G/sd-expect.txt") modules in the initramfs, $(grep '^bootloader ' "$G/sd-expect.txt" || echo 'no bootloader config') -> $eb; the unit published $b" \
		test "$b" = "$eb"
	d=$(jv "$G/query.out" '[.domains[0].data.disks[]? | "\(.name):\(.kind)"] | join(" ")')
	ok "pv-systemd: published disks" "xl.cfg disk xvda -> xvda:xen-pv, the unit published '$d'" test "$d" = xvda:xen-pv
	r=$(cat "$G/refresh.rc" 2>/dev/null)
	ok "pv-systemd: query --refresh answered by the unit" "exit ${r:-none}, $(cat "$G/refresh.ms" 2>/dev/null) ms" test "$r" = 0
	a2=$(sv systemctl-show-after-reload.txt ActiveState) nr2=$(sv systemctl-show-after-reload.txt NRestarts)
	ok "pv-systemd: systemctl reload (ExecReload, SIGHUP)" "exit $(cat "$F/reload.rc"), then $a2, $nr2 restarts" \
		test "$(cat "$F/reload.rc")" = 0 -a "$a2" = active -a "$nr2" = 0
	ce=$(sed -n 's/^CapEff:[[:space:]]*//p' "$F/daemon-status.txt" 2>/dev/null)
	sc=$(sed -n 's/^Seccomp:[[:space:]]*//p' "$F/daemon-status.txt" 2>/dev/null)
	ok "pv-systemd: the daemon runs without capabilities, under seccomp" "CapEff $ce, Seccomp $sc" \
		test "$ce" = 0000000000000000 -a "$sc" = 2
	sd=$(sed -n 's/^exit=\([0-9]*\) .*/\1/p' "$G/xl-shutdown.txt" 2>/dev/null)
	ok "pv-systemd: clean shutdown (systemd stops the daemon)" "xl shutdown -w: $(cat "$G/xl-shutdown.txt" 2>/dev/null | tail -n 1)" test "$sd" = 0
elif [[ "+$GUESTS+" == *"+pv-systemd+"* ]]; then
	fail "pv-systemd (no report came back: see $G)"
fi

# ---- the snapshots as fixture roots (tests/xen/import-fixtures.sh), replayed ------
if [ -n "$XP" ] && ls -d "$RES"/fixtures/*/ >/dev/null 2>&1; then
	if bash "$H/import-fixtures.sh" "$RES" "$RES/roots" >"$RES/import.log" 2>&1; then
		ROOTS_DIR=$RES/roots XENPROBE=$XP bash "$H/../run-roots.sh" >"$RES/roots.log" 2>&1
		while read -r st name; do
			case $st in
			PASS) pass "fixture root $name (expected.json from xl.cfg)" ;;
			FAIL) fail "fixture root $name (see $RES/roots.log)" ;;
			esac
		done < <(grep -E '^(PASS|FAIL) ' "$RES/roots.log")
	else
		fail "import-fixtures.sh ($(tail -n 1 "$RES/import.log"))"
	fi
fi
if [ -f "$RES/guests/pv-noblk/from-guest/pv-noblk/json.out" ]; then
	m=$(jv "$RES/guests/pv-noblk/from-guest/pv-noblk/json.out" '.kernel.modules.xen_blkfront.state')
	ok "pv-noblk xen-blkfront" "state $m, initramfs without the module" test "$m" = missing
	c=$(cat "$RES/guests/pv-noblk/channel" 2>/dev/null)
	ok "pv-noblk results on the console" "channel ${c:-none}" test "$c" = console
fi

# ---- daemon, query, refresh, block-attach, recreate -------------------------------
D=$RES/daemon
read -r _ DAEMON LIMITS _ <"$RES/params.txt"
inplan() { [[ "+$GUESTS+" == *"+$1+"* && "+$DAEMON+" == *"+$1+"* ]]; } # a daemon guest of this run
planned_daemon=false
for g in ${DAEMON//+/ }; do inplan "$g" && planned_daemon=true; done
if [ -f "$D/query-all.out" ]; then
	ok "query --all --json" "exit $(cat "$D/query-all.rc"), valid JSON" \
		bash -c "test \$(cat '$D/query-all.rc') = 0 && jq -e .domains '$D/query-all.out'"
	for g in ${DAEMON//+/ }; do
		[ -d "$RES/guests/$g" ] || continue
		e=$(expected "$g")
		s=$(jq -r --arg n "$g" '.domains[] | select(.name == $n) | .status' "$D/query-all.out")
		v=$(jq -r --arg n "$g" '.domains[] | select(.name == $n) | .data.verdict' "$D/query-all.out")
		ok "daemon $g visible in dom0" "query --all: status $s verdict $v, expected ok $e" test "$s" = ok -a "$v" = "$e"
		if [ -f "$D/refresh-$g.rc" ]; then
			r=$(cat "$D/refresh-$g.rc")
			sv=$(jv "$D/refresh-$g.out" '.domains[0].data.served')
			ok "daemon $g query --refresh" "exit $r, served $sv, $(cat "$D/refresh-$g.ms") ms" test "$r" = 0
		fi
		if [ -f "$D/block-attach-$g.kv" ]; then
			. "$D/block-attach-$g.kv"
			d="generation $generation_before -> $generation_after, pv/block $pv_block_before -> $pv_block_after, disks '${disks_before:-}' -> '${disks_after:-}', $ms ms after xl block-attach started (xl itself ${xl_block_attach_ms:-?} ms, exit ${xl_exit:-?} on try ${xl_tries:-?} of 2; xenbus state frontend ${frontend_state:-none} backend ${backend_state:-none})"
			# the attached disk must be published as a PV disk, in a new generation
			ok "daemon $g block-attach ${device:-?} republished" "$d" \
				bash -c '[ "${1:-0}" -gt "${2:-0}" ] && [[ " $3 " == *" $4:xen-pv "* ]] && [[ " $5 " != *" $4:"* ]]' _ \
				"${generation_after:-0}" "${generation_before:-0}" "${disks_after:-}" "${device:-?}" "${disks_before:-}"
			if [ "$(cfg "$g" type)" != hvm ]; then
				# PV/PVH start without a disk: the attach also brings xen-blkfront into use
				ok "daemon $g block-attach: pv/block now in use" "$pv_block_before -> $pv_block_after" \
					test "$pv_block_after" = in-use -a "$pv_block_before" != in-use
			fi
		fi
	done
	if [ -f "$D/recreate.txt" ]; then
		g=${DAEMON%%+*}
		od=$(sed -n 's/^old domid=\([0-9]*\) .*/\1/p' "$D/recreate.txt")
		ov=$(sed -n 's|^old .* vm=/vm/||p' "$D/recreate.txt")
		nd=$(sed -n 's/^new domid=\([0-9]*\) .*/\1/p' "$D/recreate.txt")
		nv=$(sed -n 's|^new .* vm=/vm/||p' "$D/recreate.txt")
		ok "recreate $g: new domain" "domid $od -> $nd, vm $ov -> $nv" test -n "$nd" -a "$ov" != "$nv"
		ok "recreate $g: --watch says gone" "old domid $od" \
			jq -se --argjson d "${od:-0}" 'any(.[]; .event == "gone" and .domain.domid == $d)' "$D/watch.jsonl"
		ok "recreate $g: --watch says new" "domid $nd uuid $nv" \
			jq -se --argjson d "${nd:-0}" --arg u "$nv" \
			'any(.[]; .event == "new" and .domain.domid == $d and .domain.uuid == $u)' "$D/watch.jsonl"
		ok "recreate $g: never 'changed' across domains" "no changed event carries the old uuid for the new domid" \
			jq -se --argjson d "${nd:-0}" --arg u "$ov" \
			'all(.[]; (.domain.domid == $d and .domain.uuid == $u and .event == "changed") | not)' "$D/watch.jsonl"
		n=$(jq --arg n "$g" '[.domains[] | select(.name == $n)] | length' "$D/query-all-recreated.out" 2>/dev/null)
		u=$(jq -r --arg n "$g" '.domains[] | select(.name == $n) | .uuid' "$D/query-all-recreated.out" 2>/dev/null)
		s=$(jq -r --arg n "$g" '.domains[] | select(.name == $n) | .status' "$D/query-all-recreated.out" 2>/dev/null)
		ok "recreate $g: query shows the new one only" "$n domain(s) named $g, uuid $u, status $s" \
			test "$n" = 1 -a "$u" = "$nv" -a "$s" = ok
	else
		fail "recreate (no record: see $RES/timeline.txt)"
	fi
elif $planned_daemon; then
	fail "daemon steps (planned for $DAEMON, no query came back: see $RES/timeline.txt)"
else
	skip "daemon steps (no daemon guest in this run)"
fi

# ---- Prometheus: query --prometheus and the exporter unit's lines in dom0 ---------
# the files were written in dom0 on the real guests; judged here with Debian's
# real promtool and node_exporter (tests/prometheus/tools.sh), the verdicts
# against each xl.cfg as above
P=$RES/prom Q=$RES/limits
# prom_label FILE METRIC NAME LABEL: LABEL's value in METRIC's sample for
# the domain called NAME (names here are the harness's, no quoting in them)
prom_label() {
	grep "^$2{" "$1" 2>/dev/null | grep -F "name=\"$3\"" | sed -n "s/.*[{,]$4=\"\([^\"]*\)\".*/\1/p" | head -n 1
}
prom_value() { grep "^$2[{ ]" "$1" 2>/dev/null | head -n 1 | awk '{ print $NF }'; }
if [ -f "$P/once.rc" ]; then
	ok "prometheus: query --prometheus --output in dom0" "exit $(cat "$P/once.rc"), $(wc -l <"$P/once.prom" 2>/dev/null) lines" \
		test "$(cat "$P/once.rc")" = 0 -a -s "$P/once.prom"
	PROMTOOL= NODE_EXPORTER=
	if eval "$(bash "$H/../prometheus/tools.sh" env 2>"$RES/promtools.log" | grep -E '^(PROMTOOL|NODE_EXPORTER)=')" &&
		[ -x "${PROMTOOL:-}" ]; then
		for f in once unit-start unit-recreated; do
			[ -f "$P/$f.prom" ] || { [ $f = once ] || [ -f "$P/unit-execstart.txt" ] && fail "prometheus: $f.prom (not written in dom0)"; continue; }
			"$PROMTOOL" check metrics <"$P/$f.prom" >"$P/$f.promtool" 2>&1
			rc=$?
			ok "prometheus: promtool check metrics $f.prom" "exit $rc, $(wc -l <"$P/$f.promtool") lines of complaint" \
				test $rc = 0 -a ! -s "$P/$f.promtool"
		done
		# node_exporter's textfile collector reads the file without an error
		. "$H/../prometheus/lib.sh"
		mkdir -p "$P/textfile"
		cp "$P/once.prom" "$P/textfile/xenprobe-domains.prom"
		if node_exporter_start "$P" "$P/textfile" >>"$P/node_exporter.log" 2>&1; then
			curl -fsS --max-time 5 "http://127.0.0.1:$NE_PORT/metrics" >"$P/scrape.txt" 2>&1
			stop_pid "$NE_PID"
			e=$(prom_value "$P/scrape.txt" node_textfile_scrape_error)
			n=$(grep -c '^xenprobe_guest_info{' "$P/scrape.txt")
			ok "prometheus: node_exporter's textfile collector reads it" "node_textfile_scrape_error $e, $n xenprobe_guest_info series" \
				test "$e" = 0 -a "$n" -gt 0
		else
			fail "prometheus: node_exporter did not start (see $P/node_exporter.log)"
		fi
	elif [ "${XP_PROM_REQUIRED:-}" = 1 ]; then
		fail "prometheus: promtool unavailable ($(tail -n 1 "$RES/promtools.log"))"
	else
		skip "prometheus: promtool unavailable ($(tail -n 1 "$RES/promtools.log"))"
	fi
	# every daemon guest with the verdict its xl.cfg implies; dom0 as dom0-pv
	for g in ${DAEMON//+/ }; do
		[ -d "$RES/guests/$g" ] || continue
		e=$(expected "$g")
		s=$(prom_label "$P/once.prom" xenprobe_domain_info "$g" status)
		v=$(prom_label "$P/once.prom" xenprobe_guest_info "$g" verdict)
		ok "prometheus: $g in the metrics" "xenprobe_domain_info status $s, xenprobe_guest_info verdict $v, expected ok $e" \
			test "$s" = ok -a "$v" = "$e"
	done
	v0=$(grep '^xenprobe_guest_info{domid="0",' "$P/once.prom" | sed -n 's/.*[{,]verdict="\([^"]*\)".*/\1/p')
	ok "prometheus: dom0 in the metrics" "domid 0 verdict ${v0:-absent}, expected dom0-pv" test "$v0" = dom0-pv
	nd=$(prom_value "$P/once.prom" xenprobe_query_domains)
	ns=$(grep -c '^xenprobe_domain_info{' "$P/once.prom")
	nj=$(jq '.domains | length' "$D/query-all.out" 2>/dev/null)
	ok "prometheus: one domain_info per domain" "xenprobe_query_domains $nd, $ns domain_info samples, query --all --json: $nj domains" \
		test "$nd" = "$ns" -a "$ns" = "$nj"
elif $planned_daemon; then
	fail "prometheus (planned with the daemon guests, no query came back: see $RES/timeline.txt)"
fi
if [ -f "$P/unit-conditions.txt" ]; then
	n=$(grep -c '^exit=' "$P/unit-conditions.txt") z=$(grep -c '^exit=0 ' "$P/unit-conditions.txt")
	ok "prometheus unit: its ExecCondition= lines pass in dom0" "$z of $n exit 0; /proc/xen/capabilities: $(cat "$P/proc-xen-capabilities.txt" 2>/dev/null)" \
		test "$n" = 2 -a "$z" = 2
fi
if [ -f "$P/unit-execstart.txt" ]; then
	hb=$(prom_value "$P/unit-start.prom" xenprobe_query_heartbeat_seconds)
	ok "prometheus unit: its ExecStart= writes the textfile (--watch)" "heartbeat sample ${hb:-absent}; $(head -c 200 "$P/unit.err")" \
		test "$hb" = 300
	# the file as node_exporter's user finds it: 0644, no temporary sibling left
	tf=$(grep -v '^total ' "$P/textfile-dir.txt" 2>/dev/null | awk '{ print $1, $NF }' | tr '\n' ';')
	ok "prometheus unit: the textfile directory holds the one file, mode 0644" "$tf" test "$tf" = "-rw-r--r-- xenprobe-domains.prom;"
	if [ -f "$Q/query-all.out" ] && [ "$LIMITS" != "${DAEMON%%+*}" ]; then
		# the hostile guest's data, planted while the writer ran (unless the
		# hostile guest is the one recreated before the file was taken)
		hs=$(prom_label "$P/unit-recreated.prom" xenprobe_domain_info "$LIMITS" status)
		ok "prometheus unit: the hostile $LIMITS is invalid in the file" "status ${hs:-absent}" test "$hs" = invalid
	fi
	ok "prometheus unit: SIGTERM ends it with exit 0" "exit $(cat "$P/unit.rc" 2>/dev/null)" test "$(cat "$P/unit.rc" 2>/dev/null)" = 0
	if [ -f "$D/recreate.txt" ]; then
		g=${DAEMON%%+*}
		ov=$(sed -n 's|^old .* vm=/vm/||p' "$D/recreate.txt") nv=$(sed -n 's|^new .* vm=/vm/||p' "$D/recreate.txt")
		u1=$(prom_label "$P/unit-start.prom" xenprobe_domain_info "$g" uuid)
		u2=$(prom_label "$P/unit-recreated.prom" xenprobe_domain_info "$g" uuid)
		v2=$(prom_label "$P/unit-recreated.prom" xenprobe_guest_info "$g" verdict)
		ok "prometheus unit: the recreated $g reaches the file by events" "uuid $u1 -> $u2 (xl: $ov -> $nv), verdict $v2" \
			test "$u1" = "$ov" -a "$u2" = "$nv" -a "$v2" = "$(expected "$g")"
	fi
fi
# in a domU the exporter, enabled, is skipped: never started, never failed
F=$RES/guests/pv-systemd/from-guest/pv-systemd
if [ -f "$F/prom-unit-show.txt" ]; then
	pu() { sed -n "s/^$1=//p" "$F/prom-unit-show.txt"; }
	ok "pv-systemd: xenprobe-prometheus.service skipped in a domU" \
		"$(pu UnitFileState), $(pu ActiveState)/$(pu SubState), result $(pu Result), condition $(pu ConditionResult), $(pu NRestarts) restarts; $(grep -m1 -i 'skipped\|condition' "$F/prom-unit-journal.txt")" \
		test "$(pu UnitFileState)" = enabled -a "$(pu ActiveState)" = inactive -a "$(pu NRestarts)" = 0 -a \
		"$(pu ExecMainStartTimestampMonotonic)" = 0
	# with xenfs mounted (build.sh) only ExecCondition='s control_d check
	# stands between a domU and the exporter.  systemd 252 then reports
	# Result=exec-condition and also ConditionResult=no (seen in this
	# guest), so the result and the journal tell which check skipped it
	if grep -q '^exit=0' "$F/proc-xen.txt" 2>/dev/null; then
		ok "pv-systemd: the exporter's ExecCondition= is what skips it" \
			"xenfs mounted, result $(pu Result); $(grep -m1 -o "Skipped due to '[a-z-]*'" "$F/prom-unit-journal.txt")" \
			bash -c "test '$(pu Result)' = exec-condition && grep -q \"Skipped due to 'exec-condition'\" '$F/prom-unit-journal.txt'"
	else
		skip "pv-systemd: the exporter's ExecCondition= (no xenfs in the guest: $(tail -n 2 "$F/proc-xen.txt" | tr '\n' ' '))"
	fi
fi

# ---- limits ------------------------------------------------------------------------
L=$RES/guests/$LIMITS/from-guest/$LIMITS/limits.txt
if [ -f "$L" ]; then
	# "OP PATH -> ERRNO (...)", "(N bytes) OP PATH -> ok" when it went through
	while read -r op path _ res _; do
		ok "limits: guest $op $path refused" "$res" test "$res" = EACCES
	done < <(sed -n '/refuses writes outside/,/^## allowed/p' "$L" | grep ' -> ' | sed 's/^([^)]*) //')
	n=$(sed -n '/refuses writes outside/,/^## allowed/p' "$L" | grep -c ' -> ')
	ok "limits: every request outside data/ answered" "$n of 11 (guest-init.sh)" test "$n" = 11
	r=$(sed -n '/^## allowed/,/^## value/p' "$L" | grep -c ' -> ok')
	ok "limits: guest writes its own data/" "$r of 2 ok" test "$r" = 2
	sz=$(sed -n '/^## value size/,/^## node quota/p' "$L" | grep ' -> ' | sed 's/ data.*-> / /' | tr '\n' ';')
	ok "limits: node-size quota refuses big values" "$sz" \
		bash -c "sed -n '/^## value size/,/^## node quota/p' '$L' | grep -q '(4096 bytes).*-> E'"
	f=$(grep -m1 '^fill data/xpt-fill' "$L")
	ok "limits: node quota reached" "$f" bash -c "grep -q '^fill data/xpt-fill.*then E' '$L'"
	p1=$(grep -m1 '^publish exit=' "$L")
	p2=$(grep '^publish exit=' "$L" | sed -n 2p)
	ok "limits: xenprobe publish under a full quota fails cleanly or reduces" "$p1; $(grep -m1 '^xenprobe:' "$L")" \
		bash -c "grep -m1 '^publish exit=' '$L' | grep -q 'exit=[01]\$'"
	ok "limits: xenprobe publish after the quota is freed" "$p2" test "$p2" = "publish exit=0"
else
	if inplan "$LIMITS"; then fail "limits (no result from guest $LIMITS)"; else skip "limits (guest $LIMITS not in this run)"; fi
fi
Q=$RES/limits
if [ -f "$Q/query-all.out" ]; then
	ok "hostile: query --all exit 0" "exit $(cat "$Q/query-all.rc")" test "$(cat "$Q/query-all.rc")" = 0
	ok "hostile: query --all valid JSON" "jq" jq -e .domains "$Q/query-all.out"
	s=$(jq -r --arg n "$LIMITS" '.domains[] | select(.name == $n) | .status' "$Q/query-all.out" 2>/dev/null)
	pr=$(jq -r --arg n "$LIMITS" '.domains[] | select(.name == $n) | .problems | length' "$Q/query-all.out" 2>/dev/null)
	ok "hostile: $LIMITS marked invalid" "status $s, $pr problems" test "$s" = invalid
	ok "hostile: query $LIMITS (text) exits 3, printable ASCII only" "exit $(cat "$Q/query-text.rc")" \
		bash -c "test \$(cat '$Q/query-text.rc') = 3 && ! LC_ALL=C grep -q '[^[:print:][:space:]]' '$Q/query-text.out'"
	ok "hostile: query $LIMITS --json valid JSON" "exit $(cat "$Q/query-json.rc")" jq -e .domains "$Q/query-json.out"
else
	if inplan "$LIMITS"; then fail "hostile guest (no query of $LIMITS in dom0)"; else skip "hostile guest ($LIMITS not in this run)"; fi
fi
echo "# $passed passed, $failed failed, $skipped skipped"
echo "# results: $RES (fixture candidates in $RES/fixtures)"
[ $failed = 0 ]
