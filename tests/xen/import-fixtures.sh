#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# import-fixtures.sh RESDIR [ROOTS]
#
# Turn the snapshots a `make check-xen` run brought back (RESDIR/fixtures/,
# one `xenprobe snapshot` per guest and dom0) into fixture roots of
# tests/run-roots.sh (default ROOTS: RESDIR/roots; give tests/roots to
# refresh the project's own).  Each becomes ROOTS/xen417-e2e-GUEST:
#
#   tree/          the snapshot's files and directories, without its
#                  symlinks (`make dist` would dereference them) and without
#                  run/xenprobe/snapshot-info (not read by the probes; its
#                  text goes into SOURCE)
#   SYMLINKS       "relative/link -> target", as the snapshot has them
#   EMPTYDIRS      directories with nothing in them (git keeps none)
#   expected.json  from the guest's xl.cfg and dom0's `xl info` only, never
#                  from xenprobe's output:
#                    type="pv"|"pvh"                  -> pv | pvh
#                    type="hvm", xen_platform_pci=0 or "nopv" on the
#                    kernel command line              -> hvm
#                    type="hvm" otherwise             -> pvhvm
#                    dom0 (a PV dom0 under Xen)       -> dom0-pv
#                  version: xl info's xen_version; "major.minor" for a
#                  nopv guest, whose kernel never starts Xen's interfaces
#                  (/sys/hypervisor) so that only CPUID leaf 0x40000001
#                  (major << 16 | minor) tells it
#   SOURCE         where it came from: run, guest, the xl.cfg, QEMU, Xen
#
# An existing ROOTS/NAME is replaced whole.  Exit 0, 1 on a broken RESDIR.
set -euo pipefail
export LC_ALL=C

usage() { echo "usage: $0 RESDIR [ROOTS]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
RES=${1%/}
ROOTS=${2:-$RES/roots}
[ -d "$RES/fixtures" ] || { echo "$0: $RES/fixtures: no such directory (not a check-xen result?)" >&2; exit 1; }
[ -f "$RES/logs/xl-info.txt" ] || { echo "$0: $RES/logs/xl-info.txt missing: no Xen version to expect" >&2; exit 1; }

xlinfo() { sed -n "s/^$1 *: //p" "$RES/logs/xl-info.txt" | head -n 1; }
XENVER=$(xlinfo xen_version)
XENMM="$(xlinfo xen_major).$(xlinfo xen_minor)"
[ -n "$XENVER" ] || { echo "$0: no xen_version in $RES/logs/xl-info.txt" >&2; exit 1; }
cfg() { sed -n "s/^$2=\"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" "$RES/guests/$1/xl.cfg" | tail -n 1; }

mkdir -p "$ROOTS"
n=0
for snap in "$RES"/fixtures/*/; do
	snap=${snap%/}
	base=$(basename "$snap")             # xen417-pvhvm-debian12, xen417-dom0-pv-debian12
	g=${base#xen417-}
	g=${g%-debian12}
	version=$XENVER
	if [ "$g" = dom0-pv ]; then
		g=dom0 verdict=dom0-pv role=dom0 mode=pv
		cfgtext="(dom0: booted by QEMU as Xen's PV dom0, see run-params.txt)"
	else
		[ -f "$RES/guests/$g/xl.cfg" ] || { echo "$0: $g: no xl.cfg in $RES/guests/$g: skipped" >&2; continue; }
		role=domU
		case $(cfg "$g" type) in
		pv) mode=pv ;;
		pvh) mode=pvh ;;
		hvm)
			mode=pvhvm
			[ "$(cfg "$g" xen_platform_pci)" = 0 ] && mode=hvm
			if cfg "$g" cmdline | grep -qw nopv; then
				mode=hvm version=$XENMM
			fi
			;;
		*) echo "$0: $g: xl.cfg type '$(cfg "$g" type)' not known: skipped" >&2; continue ;;
		esac
		verdict=$mode
		cfgtext=$(cat "$RES/guests/$g/xl.cfg")
	fi
	out=$ROOTS/xen417-e2e-$g
	rm -rf "$out"
	mkdir -p "$out/tree"
	# files and directories, no symlinks; then the links as text
	(cd "$snap" && find . -mindepth 1 -type d -printf '%P\n') | while read -r d; do mkdir -p "$out/tree/$d"; done
	(cd "$snap" && find . -type f ! -path ./run/xenprobe/snapshot-info -printf '%P\n') |
		while read -r f; do cp -p "$snap/$f" "$out/tree/$f"; done
	(cd "$snap" && find . -type l -printf '%P -> %l\n') | sort >"$out/SYMLINKS"
	(cd "$out/tree" && find . -mindepth 1 -type d -empty -printf '%P\n') | sort >"$out/EMPTYDIRS"
	[ -s "$out/EMPTYDIRS" ] || rm -f "$out/EMPTYDIRS"
	printf '{"verdict": "%s", "hypervisor": "xen", "xen": {"role": "%s", "mode": "%s", "version": "%s"}, "container": null}\n' \
		"$verdict" "$role" "$mode" "$version" >"$out/expected.json"
	{
		echo "REAL, from make check-xen (tests/xen): \`xenprobe snapshot\` taken inside"
		echo "the running $g of run $(basename "$(readlink -f "$RES")"), imported by tests/xen/import-fixtures.sh."
		echo "Xen $XENVER (Debian 12 packages) under $(sed -n 's/^qemu: //p' "$RES/run-params.txt")"
		echo "($(sed -n 's/^qemu args: //p' "$RES/run-params.txt")); Debian 12 dom0 and guest kernel."
		echo
		echo "Expected (tests/xen/import-fixtures.sh): from the xl.cfg below and xl info, not"
		echo "from xenprobe: verdict $verdict, Xen $version."
		echo
		echo "xl.cfg:"
		sed 's/^/  /' <<<"$cfgtext"
		echo
		echo "The snapshot's own record (run/xenprobe/snapshot-info):"
		sed 's/^/  /' "$snap/run/xenprobe/snapshot-info" 2>/dev/null || echo "  (none)"
	} >"$out/SOURCE"
	echo "$out: $verdict (Xen $version), $(wc -l <"$out/SYMLINKS") links, $(find "$out/tree" -type f | wc -l) files"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "$0: no snapshot in $RES/fixtures" >&2; exit 1; }
