#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# import-capture.sh CAPTURE_DIR OUT_ROOT_DIR
#
# Convert one raw lab capture (the lab's capture.sh layout, e.g.
# ../shared/fixtures/xen-domU-pv-debian12 in the project's shared folder
# beside this repository) into a test fixture root.  Captures of real guests
# are now made by `make check-xen` itself (tests/xen/import-fixtures.sh):
#
#   OUT_ROOT_DIR/tree/      the files xenprobe's probes read, stored at their
#                           PHYSICAL sysfs location (no symlinks: `make dist`
#                           would dereference them)
#   OUT_ROOT_DIR/SYMLINKS   "relative/link -> target", one per line, target
#                           text exactly as the kernel's (from _symlinks.txt);
#                           tests/mkroot.sh recreates them
#   OUT_ROOT_DIR/tree/run/xenprobe/cpuid
#                           CPUID from _cmd/cpuid.txt in xenprobe's snapshot
#                           format: LEAF SUBLEAF EAX EBX ECX EDX [forced]
#
# What is kept: sys/hypervisor/**, proc/{cmdline,cpuinfo,version,modules,
# mounts,self/mountinfo,xen/capabilities,sys/kernel/osrelease},
# sys/class/dmi/id/*, sys/bus/xen/devices/**, sys/bus/pci/devices/**,
# sys/class/block/**, lib/modules/*/modules.builtin*, boot/config-*, etc/**.
# Dropped: _cmd/, _dom0/, power/ directories, xen_memory, and everything the
# probes do not read (iomem, interrupts, meminfo, devices, misc, ...).
#
# The captures store files under the LINK path
# (sys/bus/xen/devices/vbd-51712/nodename); they are moved to the link's
# resolved target (sys/devices/vbd-51712/nodename), so that once mkroot.sh
# has created the symlink the link path reads them again.  Links whose
# target holds no captured file (driver -> ...) stay dangling: xenprobe only
# readlink()s them.
#
# proc/sys/kernel/osrelease is not in the captures: it is derived from
# _cmd/uname-a.txt (3rd field) or proc/version ("Linux version REL ...").
#
# CPUID: mode=raw lines become plain lines, mode=xenfe lines get "forced";
# the xenfe lines are kept only when forced emulation worked for the whole
# capture (in PVH/HVM guests the prefix raises SIGILL: no forced line then).
#
# Re-running replaces OUT_ROOT_DIR/tree and OUT_ROOT_DIR/SYMLINKS; SOURCE,
# expected.json and expected-warnings.txt (written by hand) are left alone.
set -euo pipefail

usage() { echo "usage: $0 CAPTURE_DIR OUT_ROOT_DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cap=${1%/}
out=${2%/}
[ -d "$cap" ] || { echo "$0: $cap: not a directory" >&2; exit 1; }
export LC_ALL=C

capname=$(basename "$cap")
scratch=$(mktemp -d "${TMPDIR:-/tmp}/xp-import.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

mkdir -p "$out"
rm -rf "$out/tree" "$out/SYMLINKS" "$out/EMPTYDIRS"
mkdir -p "$out/tree"

# ---- symlinks -----------------------------------------------------------
# _symlinks.txt: "/sys/bus/xen/devices/vbd-51712 -> ../../../devices/vbd-51712"
links=$scratch/links
: >"$links"
if [ -f "$cap/_symlinks.txt" ]; then
        while IFS= read -r line || [ -n "$line" ]; do
                case $line in '' | '#'*) continue ;; esac
                case $line in *' -> '*) ;; *) echo "$0: _symlinks.txt: bad line: $line" >&2; exit 1 ;; esac
                l=${line%% -> *}
                t=${line#* -> }
                l=${l#/}
                printf '%s -> %s\n' "$l" "$t" >>"$links"
        done <"$cap/_symlinks.txt"
fi
sort -u "$links" -o "$links"

# Build the links in a scratch tree (parents first: C-sorted order puts a
# link before any link below it) so `realpath -m` can resolve any path the
# capture used, dangling or nested links included.
res=$scratch/resolve
mkdir -p "$res"
while IFS= read -r line; do
        l=${line%% -> *}
        t=${line#* -> }
        parent=$(realpath -m "$res/$(dirname "$l")")
        mkdir -p "$parent"
        ln -s "$t" "$parent/$(basename "$l")"
done <"$links"

phys() { # capture-relative path -> physical, root-relative path
        local p
        p=$(realpath -m "$res/$1")
        case $p in
        "$res"/*) printf '%s\n' "${p#"$res"/}" ;;
        *) echo "$0: $1 resolves outside the root ($p)" >&2; return 1 ;;
        esac
}

# ---- files ----------------------------------------------------------------
keep() {
        case $1 in
        */power/* | */xen_memory* ) return 1 ;;
        sys/hypervisor/*) return 0 ;;
        proc/cmdline | proc/cpuinfo | proc/version | proc/modules | proc/mounts | \
                proc/self/mountinfo | proc/xen/capabilities | proc/sys/kernel/osrelease) return 0 ;;
        sys/class/dmi/id/*) return 0 ;;
        sys/bus/xen/devices/*) return 0 ;;
        sys/bus/pci/devices/*) return 0 ;;
        sys/class/block/*) return 0 ;;
        lib/modules/*/modules.builtin*) return 0 ;;
        boot/config-*) return 0 ;;
        etc/*) return 0 ;;
        esac
        return 1
}

kept=0
while IFS= read -r -d '' f; do
        rel=${f#"$cap"/}
        case $rel in _*) continue ;; esac
        keep "$rel" || continue
        p=$(phys "$rel")
        mkdir -p "$out/tree/$(dirname "$p")"
        cp "$f" "$out/tree/$p"
        chmod 0644 "$out/tree/$p"
        kept=$((kept + 1))
done < <(cd "$cap" && find . -type f -print0 | sed -z 's|^\./||' | sort -z | sed -z "s|^|$cap/|")

# ---- proc/sys/kernel/osrelease ----------------------------------------------
if [ ! -e "$out/tree/proc/sys/kernel/osrelease" ]; then
        rel=
        if [ -f "$cap/_cmd/uname-a.txt" ]; then
                rel=$(awk 'NR == 1 && $1 == "Linux" { print $3 }' "$cap/_cmd/uname-a.txt")
        fi
        if [ -z "$rel" ] && [ -f "$cap/proc/version" ]; then
                rel=$(awk '$1 == "Linux" && $2 == "version" { print $3; exit }' "$cap/proc/version")
        fi
        if [ -n "$rel" ]; then
                mkdir -p "$out/tree/proc/sys/kernel"
                printf '%s\n' "$rel" >"$out/tree/proc/sys/kernel/osrelease"
        else
                echo "$0: warning: kernel release unknown: no proc/sys/kernel/osrelease written" >&2
        fi
fi

# ---- CPUID ----------------------------------------------------------------
if [ -f "$cap/_cmd/cpuid.txt" ]; then
        mkdir -p "$out/tree/run/xenprobe"
        awk -v cap="$capname" '
        function hex8(v) {
                sub(/^0[xX]/, "", v); v = tolower(v)
                while (length(v) < 8) v = "0" v
                return v
        }
        /^mode=/ {
                mode = ""; leaf = ""; a = ""; b = ""; c = ""; d = ""
                for (i = 1; i <= NF; i++) {
                        split($i, kv, "=")
                        if (kv[1] == "mode") mode = kv[2]
                        else if (kv[1] == "leaf") leaf = kv[2]
                        else if (kv[1] == "eax") a = kv[2]
                        else if (kv[1] == "ebx") b = kv[2]
                        else if (kv[1] == "ecx") c = kv[2]
                        else if (kv[1] == "edx") d = kv[2]
                }
                if (leaf == "" || a == "" || b == "" || c == "" || d == "") {
                        if (mode == "xenfe") fe_failed = 1
                        else raw_failed = 1
                        next
                }
                line = hex8(leaf) " 00000000 " hex8(a) " " hex8(b) " " hex8(c) " " hex8(d)
                if (mode == "raw") raw[nraw++] = line
                else if (mode == "xenfe") fe[nfe++] = line
        }
        END {
                print "# xenprobe cpuid snapshot: LEAF SUBLEAF EAX EBX ECX EDX [forced]"
                print "# '\''forced'\'' = read through Xen'\''s forced-emulation prefix (ud2; .ascii \"xen\"; cpuid)"
                print "# imported by tests/import-capture.sh from " cap "/_cmd/cpuid.txt"
                if (fe_failed)
                        print "# forced-emulation CPUID raised SIGILL in this capture: no forced lines"
                for (i = 0; i < nraw; i++) print raw[i]
                if (!fe_failed)
                        for (i = 0; i < nfe; i++) print fe[i] " forced"
        }' "$cap/_cmd/cpuid.txt" >"$scratch/cpuid"
        if grep -v '^#' "$scratch/cpuid" | grep -Evq '^[0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8}( forced)?$'; then
                echo "$0: cpuid conversion produced a malformed line:" >&2
                grep -v '^#' "$scratch/cpuid" | grep -Ev '^[0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8}( forced)?$' >&2
                exit 1
        fi
        cp "$scratch/cpuid" "$out/tree/run/xenprobe/cpuid"
        chmod 0644 "$out/tree/run/xenprobe/cpuid"
fi

# ---- empty directories ------------------------------------------------------
# git stores no empty directory, and the captures store files only; an empty
# directory that exists on the machine is still evidence (e.g. nopv: an empty
# /sys/hypervisor and an empty /sys/bus/xen/devices).  They are recovered
# from the capture's own listings and written to EMPTYDIRS for mkroot.sh.
emptydirs=$scratch/emptydirs
: >"$emptydirs"
no_files_under() {
        ! grep -q "^$1/" "$links" &&
                { [ ! -e "$out/tree/$1" ] || [ -z "$(find "$out/tree/$1" -type f -print -quit)" ]; }
}
# _cmd/find-sys-hypervisor.txt: output of `find /sys/hypervisor`
if [ -f "$cap/_cmd/find-sys-hypervisor.txt" ] &&
        [ "$(grep -c '^/sys/hypervisor' "$cap/_cmd/find-sys-hypervisor.txt")" = 1 ] &&
        grep -qx /sys/hypervisor "$cap/_cmd/find-sys-hypervisor.txt" && no_files_under sys/hypervisor; then
        echo sys/hypervisor >>"$emptydirs"
fi
# _cmd/ls-sys-bus-xen.txt: `ls -la /sys/bus/xen/devices /sys/bus/xen/drivers`
if [ -f "$cap/_cmd/ls-sys-bus-xen.txt" ]; then
        n=$(awk '/^\/sys\/bus\/xen\/devices:$/ { s = 1; seen = 1; next }
                /^\// { s = 0 }
                s && /^[-dlcbps][-rwxsStT][-rwxsStT][-rwxsStT]/ && $NF != "." && $NF != ".." { n++ }
                END { print seen ? n + 0 : -1 }' "$cap/_cmd/ls-sys-bus-xen.txt")
        if [ "$n" = 0 ] && no_files_under sys/bus/xen/devices; then
                echo sys/bus/xen/devices >>"$emptydirs"
        fi
fi
# _cmd/proc-xen-after.txt: `ls -la /proc/xen` after `mount -t xenfs`
if [ -f "$cap/_cmd/proc-xen-after.txt" ] && grep -q '^d.* \.$' "$cap/_cmd/proc-xen-after.txt" &&
        no_files_under proc/xen; then
        echo proc/xen >>"$emptydirs"
fi
if [ -s "$emptydirs" ]; then
        sort -u "$emptydirs" >"$out/EMPTYDIRS"
        chmod 0644 "$out/EMPTYDIRS"
else
        rm -f "$out/EMPTYDIRS"
fi

# ---- SYMLINKS ---------------------------------------------------------------
cp "$links" "$out/SYMLINKS"
chmod 0644 "$out/SYMLINKS"

echo "$0: $capname -> $out: $kept files, $(wc -l <"$out/SYMLINKS") symlinks, $(find "$out" -type f -printf "%s\n" | awk "{ s += \$1 } END { print s + 0 }") bytes" >&2
