#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# sd-report.sh: /usr/local/sbin/xpt-sd-report in make check-xen's pv-systemd
# guest (a Debian 12 system booted by systemd, xenprobe installed by
# `make install`, xenprobe.service enabled).  Runs once after
# xenprobe.service, as its own oneshot unit (no sandbox), and sends back on
# the console, as a base64 tar between XPT-B64-BEGIN and XPT-B64-END (what
# dom0-init.sh's destroy() unpacks into guests/pv-systemd/from-guest/):
#   systemctl-show*.txt  the unit's state as systemd has it (ActiveState,
#                        SubState, Result, NRestarts, StatusText: READY=1
#                        and STATUS= of sd_notify), before and after reload
#   reload.rc            `systemctl reload xenprobe` (SIGHUP through
#                        ExecReload)
#   publish.*            `xenprobe publish --trace` outside the sandbox:
#                        "already current" and no key written when the
#                        sandboxed daemon published the same answer
#   json.out text.out snapshot/   xenprobe outside the sandbox
#   journal.txt          journalctl -u xenprobe
#   security.txt         systemd-analyze security xenprobe.service (live)
#   daemon-status.txt    the daemon's /proc/PID/status (capabilities, seccomp)
#   prom-unit-*.txt      xenprobe-prometheus.service (dom0's exporter, also
#                        enabled here): its state and journal in a domU
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
N=pv-systemd
O=/run/xpt/$N
rm -rf /run/xpt
mkdir -p "$O"
show() { systemctl show xenprobe.service -p ActiveState -p SubState -p Result -p NRestarts -p StatusText \
	-p MainPID -p ExecMainStatus -p ConditionResult >"$O/$1"; }
# the daemon's first publish: STATUS=published generation N (or a failure)
i=0
while [ $i -lt 300 ]; do
	st=$(systemctl show -p ActiveState --value xenprobe.service)
	case "$(systemctl show -p StatusText --value xenprobe.service)" in "published generation"*) break ;; esac
	case $st in failed | inactive) [ $i -gt 20 ] && break ;; esac
	sleep 1
	i=$((i + 1))
done
echo "$i" >"$O/wait-seconds"
show systemctl-show.txt
pid=$(systemctl show -p MainPID --value xenprobe.service)
[ -n "$pid" ] && [ "$pid" != 0 ] && cat "/proc/$pid/status" >"$O/daemon-status.txt" 2>&1
xenprobe publish --trace >"$O/publish.out" 2>"$O/publish.err"
echo $? >"$O/publish.rc"
xenprobe --json >"$O/json.out" 2>"$O/json.err"
echo $? >"$O/json.rc"
xenprobe >"$O/text.out" 2>&1
xenprobe snapshot "$O/snapshot" >"$O/snapshot.out" 2>&1
echo $? >"$O/snapshot.rc"
systemctl reload xenprobe.service >"$O/reload.out" 2>&1
echo $? >"$O/reload.rc"
sleep 5
show systemctl-show-after-reload.txt
systemd-analyze security xenprobe.service >"$O/security.txt" 2>&1
# the dom0 exporter, enabled here too: skipped in a domU, never failed
systemctl show xenprobe-prometheus.service -p ActiveState -p SubState -p Result -p NRestarts -p ConditionResult \
	-p UnitFileState -p ExecMainStartTimestampMonotonic >"$O/prom-unit-show.txt" 2>&1
journalctl -b -u xenprobe-prometheus.service --no-pager -o short-monotonic >"$O/prom-unit-journal.txt" 2>&1
{ ls -l /proc/xen; cat /proc/xen/capabilities; echo "exit=$?"; } >"$O/proc-xen.txt" 2>&1
ls -la /var/lib/prometheus/node-exporter >"$O/prom-textfile-dir.txt" 2>&1
journalctl -b -u xenprobe.service --no-pager -o short-monotonic >"$O/journal.txt" 2>&1
systemctl status --no-pager xenprobe.service >"$O/status.txt" 2>&1
uname -r >"$O/uname.txt"
{
	echo XPT-B64-BEGIN
	tar -C /run/xpt -czf - "$N" | base64 -w 76
	echo XPT-B64-END
} >/dev/hvc0
