#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/bench-facts.sh - what `xenprobe facts` adds to a fact collection:
# its time against Ansible's own fact gathering (`ansible localhost -c local
# -m setup`, the default gather_subset), measured in the same run, on this
# machine; and Facter's (`facter -j`) when installed.
#
# Usage: bench/bench-facts.sh [-n RUNS] [-a ANSIBLE_RUNS] [XENPROBE]
#
#   -n RUNS          timed runs of `xenprobe facts` and `facts --boot` (default 50)
#   -a ANSIBLE_RUNS  timed runs of ansible setup and facter (default 3: a
#                    setup takes seconds)
#   XENPROBE         binary to measure; default ./xenprobe
#
# The tools take turns (one run of each per round, RUNS/ANSIBLE_RUNS rounds
# interleaved), so machine noise lands on all of them alike; each run is
# timed with $EPOCHREALTIME, output to /dev/null.  Figures are medians in
# milliseconds, and ratios.  A benchmark, not a test: it asserts no time and
# exits 0; a tool that is not installed is reported and skipped.
set -euo pipefail
export LC_ALL=C
RUNS=50 ARUNS=3
while getopts ':n:a:h' opt; do
	case $opt in
	n) RUNS=$OPTARG ;;
	a) ARUNS=$OPTARG ;;
	h) echo "usage: ${0##*/} [-n RUNS] [-a ANSIBLE_RUNS] [XENPROBE]"; exit 0 ;;
	*) echo "usage: ${0##*/} [-n RUNS] [-a ANSIBLE_RUNS] [XENPROBE]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
XENPROBE=${1:-./xenprobe}
[ -x "$XENPROBE" ] || { echo "${0##*/}: $XENPROBE: not an executable" >&2; exit 2; }
XENPROBE=$(realpath "$XENPROBE")
work=$(mktemp -d "${TMPDIR:-/tmp}/xp-bench-facts.XXXXXX")
trap 'rm -rf "$work"' EXIT
export ANSIBLE_HOME=$work/ansible ANSIBLE_LOCAL_TEMP=$work/ansible/tmp ANSIBLE_LOCALHOST_WARNING=False \
	ANSIBLE_INVENTORY_UNPARSED_WARNING=False ANSIBLE_PYTHON_INTERPRETER=auto_silent
mkdir -p "$work/ansible"

now() { echo "${EPOCHREALTIME/./}"; } # microseconds
declare -A samples
run() { # NAME CMD...: one timed run, appended to samples[NAME]
	local name=$1 t0
	shift
	t0=$(now)
	if ! "$@" >/dev/null 2>"$work/$name.err"; then
		echo "${0##*/}: $* failed (a failed run is not timed):" >&2
		tail -n 3 "$work/$name.err" >&2
		return 0
	fi
	samples[$name]+=" $(($(now) - t0))"
}
median_ms() { # NAME
	[ -n "${samples[$1]:-}" ] || { echo nan; return; }
	printf '%s\n' ${samples[$1]} | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] / 1000 }'
}

have_ansible=0 have_facter=0
command -v ansible >/dev/null && have_ansible=1
command -v facter >/dev/null && have_facter=1
"$XENPROBE" facts >/dev/null # warm the page cache
for ((i = 0; i < RUNS; i++)); do
	run facts "$XENPROBE" facts
	run facts_boot "$XENPROBE" facts --boot
	if ((i < ARUNS)); then
		# Ansible refuses a locale that is not UTF-8 (LC_ALL=C above)
		((have_ansible)) && run ansible env LC_ALL=C.UTF-8 ansible localhost -c local -m setup
		# facter exits 1 when a core fact's file is unreadable (/proc/1/environ
		# in a sandbox) but still prints the rest: timed all the same
		((have_facter)) && run facter sh -c 'facter -j >/dev/null 2>&1; true'
	fi
done

f=$(median_ms facts)
fb=$(median_ms facts_boot)
echo "xenprobe facts:                     $f ms (median of $RUNS)"
echo "xenprobe facts --boot:              $fb ms (reads the initramfs images: $(ls /boot/initrd.img-* /boot/initramfs-*.img 2>/dev/null | wc -l) here)"
if ((have_ansible)); then
	a=$(median_ms ansible)
	[ "$a" = nan ] && a=0
	echo "ansible localhost -m setup:         $a ms (median of $ARUNS, default gather_subset)"
	awk -v f="$f" -v a="$a" 'BEGIN { if (a == 0) exit; printf "ratio facts / ansible setup:        %.4f (%.2f %% added to each fact gathering)\n", f / a, 100 * f / a }'
else
	echo "ansible: not installed (apt-get install ansible-core)"
fi
if ((have_facter)); then
	c=$(median_ms facter)
	[ "$c" = nan ] && c=0
	echo "facter -j (every core fact):        $c ms (median of $ARUNS)"
	awk -v f="$f" -v c="$c" 'BEGIN { if (c == 0) exit; printf "ratio facts / facter:               %.4f\n", f / c }'
else
	echo "facter: not installed (apt-get install facter)"
fi
