#!/usr/bin/env bash
# bench/bench.sh - time `xenprobe --short` against the tools users would
# otherwise reach for (systemd-detect-virt, virt-what) on this machine.
#
# Usage: bench/bench.sh [-n RUNS] [-j] [XENPROBE]
#
#   -n RUNS   timed runs per tool (default 200), after 5 warm-up runs each
#   -j        print the figures as one JSON object on stdout instead of a table
#   XENPROBE  binary to measure; default ./xenprobe if present in the current
#             directory, else $(dirname "$0")/../xenprobe
#
# Every tool is run once per iteration, round-robin (the starting tool rotates
# each iteration), so machine noise lands on all of them alike.  Each single
# invocation is timed with bash's $EPOCHREALTIME (microsecond resolution, read
# without forking), stdout/stderr to /dev/null.  Figures are median, p10, p90
# (nearest rank) in milliseconds.
#
# A benchmark is not a test: the verdict line is informational and the script
# exits 0 whether or not the targets are met.  A competitor that is not
# installed is reported and skipped.  Exit 2 only for bad usage or a missing
# xenprobe binary.
#
# Needs bash >= 5 (for $EPOCHREALTIME), sort, awk, uname.  No jq.

# shellcheck disable=SC2178  # namerefs (local -n) to arrays confuse it
set -euo pipefail
export LC_ALL=C            # '.' as decimal point in $EPOCHREALTIME, awk, sort

WARMUP=5
RUNS=200
JSON=0

usage() {
	printf 'usage: %s [-n RUNS] [-j] [XENPROBE]\n' "${0##*/}"
}
die() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
	exit 2
}

while getopts ':n:jh' opt; do
	case $opt in
	n) RUNS=$OPTARG ;;
	j) JSON=1 ;;
	h) usage; exit 0 ;;
	:) usage >&2; die "option -$OPTARG needs a value" ;;
	*) usage >&2; die "unknown option -$OPTARG" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || { usage >&2; die "too many arguments"; }
if ! [[ $RUNS =~ ^[0-9]+$ ]] || [ $((10#$RUNS)) -lt 1 ]; then
	die "RUNS must be a positive integer, got '$RUNS'"
fi
RUNS=$((10#$RUNS))

if [ $# -eq 1 ]; then
	XP=$1
elif [ -x ./xenprobe ] && [ -f ./xenprobe ]; then
	XP=./xenprobe
else
	XP=$(dirname "$0")/../xenprobe
fi
case $XP in
*/*) { [ -f "$XP" ] && [ -x "$XP" ]; } || die "xenprobe binary '$XP' not found or not executable (run make first)" ;;
*) command -v "$XP" >/dev/null 2>&1 || die "xenprobe '$XP' not found in PATH" ;;
esac

if [ -z "${EPOCHREALTIME:-}" ]; then
	die "needs bash >= 5 for \$EPOCHREALTIME (this is bash $BASH_VERSION)"
fi

# Text output goes to stdout; with -j stdout carries only the JSON object and
# notes go to stderr.
note() {
	if [ "$JSON" -eq 1 ]; then printf '%s\n' "$*" >&2; else printf '%s\n' "$*"; fi
}

# Look a command up in PATH, then in the sbin directories a non-root PATH
# often lacks (virt-what lives in /usr/sbin).
find_tool() {
	local p
	if p=$(command -v "$1" 2>/dev/null); then
		printf '%s\n' "$p"
		return 0
	fi
	for p in /usr/sbin/"$1" /sbin/"$1" /usr/local/sbin/"$1"; do
		if [ -x "$p" ]; then
			printf '%s\n' "$p"
			return 0
		fi
	done
	return 1
}

# ---- the tools ------------------------------------------------------------
# Parallel arrays indexed by tool number; command k is in array cmd_k.
names=() hints=() present=() answers=() rcs=() errs=() medians=() p10s=() p90s=()
ntools=0
add_tool() {    # add_tool NAME HINT PRESENT CMD...
	local k=$ntools
	names[k]=$1 hints[k]=$2 present[k]=$3
	shift 3
	declare -g -a "cmd_$k"
	local -n c=cmd_$k
	c=("$@")
	ntools=$((ntools + 1))
}

add_tool 'xenprobe --short' '' 1 "$XP" --short
add_tool 'xenprobe --json' '' 1 "$XP" --json
if p=$(find_tool systemd-detect-virt); then
	add_tool systemd-detect-virt 'apt-get install systemd' 1 "$p"
else
	add_tool systemd-detect-virt 'apt-get install systemd' 0 systemd-detect-virt
fi
if p=$(find_tool virt-what); then
	add_tool virt-what 'apt-get install virt-what' 1 "$p"
else
	add_tool virt-what 'apt-get install virt-what' 0 virt-what
fi
# the report without boot readiness (which reads the initramfs images)
add_tool 'xenprobe --json --no-boot' '' 1 "$XP" --json --no-boot
XS=0 XJ=1 SDV=2 VW=3 XJN=4

# Indices of the tools we actually run.
active=()
for ((k = 0; k < ntools; k++)); do
	if [ "${present[k]}" -eq 1 ]; then
		active+=("$k")
	else
		note "${names[k]}: not installed (${hints[k]})"
	fi
done
nact=${#active[@]}

# ---- each tool's answer, once (outside any timing) ------------------------
for k in "${active[@]}"; do
	local_rc=0
	declare -n c=cmd_$k
	out=$("${c[@]}" 2>/dev/null) || local_rc=$?
	err=$("${c[@]}" 2>&1 >/dev/null) || true
	unset -n c
	rcs[k]=$local_rc
	if [ "$k" -eq "$XJ" ] || [ "$k" -eq "$XJN" ]; then
		# The full report is a JSON document: show its verdict.
		if [[ $out =~ \"verdict\":[[:space:]]*\"([^\"]*)\" ]]; then
			answers[k]="${BASH_REMATCH[1]} (json)"
		else
			answers[k]="(json, ${#out} bytes)"
		fi
	else
		# First line; virt-what prints one fact per line, so join them.
		out=${out//$'\n'/ }
		answers[k]=${out:-"(empty)"}
	fi
	err=${err%%$'\n'*}
	errs[k]=$err
done

# ---- timing ---------------------------------------------------------------
# samples_k holds microseconds for tool k.
for k in "${active[@]}"; do
	declare -g -a "samples_$k"
done

# time_one K: run tool K once; append elapsed microseconds to samples_K
# unless COLLECT is 0.  Only the two $EPOCHREALTIME reads and the command
# itself are inside the timed region: no command substitution, no fork other
# than the tool's own.
COLLECT=0
time_one() {
	local -n c=cmd_$1
	local t0 t1
	t0=$EPOCHREALTIME
	"${c[@]}" >/dev/null 2>&1 || :
	t1=$EPOCHREALTIME
	if [ "$COLLECT" -eq 1 ]; then
		local -n s=samples_$1
		# "SECONDS.MICROS" -> integer microseconds (always 6 fractional digits)
		t0=${t0//[!0-9]/} t1=${t1//[!0-9]/}
		s+=($((10#$t1 - 10#$t0)))
	fi
}

round() {    # one interleaved iteration; start position rotates with $1
	local i=$1 j
	for ((j = 0; j < nact; j++)); do
		time_one "${active[(i + j) % nact]}"
	done
}

COLLECT=0
for ((i = 0; i < WARMUP; i++)); do round "$i"; done
COLLECT=1
for ((i = 0; i < RUNS; i++)); do round "$i"; done

# ---- statistics -----------------------------------------------------------
# stats K -> sets medians[K] p10s[K] p90s[K] (ms, 3 decimals).
# Median: mean of the two middle values for even n.  p10/p90: nearest rank.
neg=0
for k in "${active[@]}"; do
	declare -n s=samples_$k
	read -r med p10 p90 nneg < <(printf '%s\n' "${s[@]}" | sort -n | awk '
		{ x[NR] = $1; if ($1 < 0) neg++ }
		function rank(p,   r) { r = int(p * NR); if (r < p * NR) r++; if (r < 1) r = 1; return x[r] }
		END {
			if (NR % 2) m = x[(NR + 1) / 2]; else m = (x[NR / 2] + x[NR / 2 + 1]) / 2
			printf "%.3f %.3f %.3f %d\n", m / 1000, rank(0.10) / 1000, rank(0.90) / 1000, neg
		}')
	unset -n s
	medians[k]=$med p10s[k]=$p10 p90s[k]=$p90
	neg=$((neg + nneg))
done

# ratio A B -> "R" with 2 decimals (median A / median B)
ratio() {
	awk -v a="${medians[$1]}" -v b="${medians[$2]}" 'BEGIN { if (b > 0) printf "%.2f\n", a / b; else print "inf" }'
}
# ge X Y -> success if X >= Y
ge() {
	awk -v x="$1" -v y="$2" 'BEGIN { exit !(x == "inf" || x + 0 >= y + 0) }'
}

# Targets: competitor median / xenprobe --short median.
r_names=() r_vals=() r_targets=() r_notes=() r_met=()
failed=() skipped=()
add_ratio() {    # add_ratio TOOL TARGET NOTE
	local k=$1 n=${#r_names[@]} v
	r_names[n]="${names[k]}/xenprobe"
	r_targets[n]=$2
	r_notes[n]=$3
	if [ "${present[k]}" -eq 1 ]; then
		v=$(ratio "$k" "$XS")
		r_vals[n]=$v
		if ge "$v" "$2"; then
			r_met[n]=true
		else
			r_met[n]=false
			failed+=("${r_names[n]} ${v}x < $2")
		fi
	else
		r_vals[n]=
		r_met[n]=null
		skipped+=("${names[k]} not installed")
	fi
}
add_ratio "$SDV" 1.0 'xenprobe no slower'
add_ratio "$VW" 10 ''

join() {    # join SEP ITEM... -> items separated by SEP
	local sep=$1 out=$2 x
	shift 2
	for x in "$@"; do out+=$sep$x; done
	printf '%s' "$out"
}
if [ ${#failed[@]} -eq 0 ] && [ ${#skipped[@]} -eq ${#r_names[@]} ]; then
	verdict="targets not measured ($(join '; ' "${skipped[@]}"))"
elif [ ${#failed[@]} -eq 0 ]; then
	verdict='targets met'
	[ ${#skipped[@]} -eq 0 ] || verdict="targets met (not measured: $(join '; ' "${skipped[@]}"))"
else
	verdict="targets NOT met ($(join '; ' "${failed[@]}"))"
fi

kernel=$(uname -r)
cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null || :)
[[ $cpus =~ ^[0-9]+$ ]] || cpus=0

# ---- output ---------------------------------------------------------------
json_str() {    # JSON string literal of $1
	local str=$1 out='' ch i
	str=${str//\\/\\\\}
	str=${str//\"/\\\"}
	str=${str//$'\n'/\\n}
	str=${str//$'\r'/\\r}
	str=${str//$'\t'/\\t}
	# any other control character
	for ((i = 0; i < ${#str}; i++)); do
		ch=${str:i:1}
		if [[ $ch == [[:cntrl:]] ]]; then
			printf -v ch '\\u%04x' "'$ch"
		fi
		out+=$ch
	done
	printf '"%s"' "$out"
}

if [ "$JSON" -eq 1 ]; then
	printf '{"schema":1,"runs":%d,"warmup":%d,"interleaved":true,"kernel":%s,"cpus":%d,"clock":"EPOCHREALTIME","unit":"ms",' \
		"$RUNS" "$WARMUP" "$(json_str "$kernel")" "$cpus"
	printf '"xenprobe":%s,"tools":[' "$(json_str "$XP")"
	for ((k = 0; k < ntools; k++)); do
		[ "$k" -eq 0 ] || printf ','
		if [ "${present[k]}" -eq 1 ]; then
			declare -n c=cmd_$k
			printf '{"name":%s,"command":%s,"installed":true,"answer":%s,"exit":%d,"stderr":%s,"median_ms":%s,"p10_ms":%s,"p90_ms":%s}' \
				"$(json_str "${names[k]}")" "$(json_str "${c[*]}")" "$(json_str "${answers[k]}")" \
				"${rcs[k]}" "$(json_str "${errs[k]}")" "${medians[k]}" "${p10s[k]}" "${p90s[k]}"
			unset -n c
		else
			printf '{"name":%s,"installed":false,"install":%s}' \
				"$(json_str "${names[k]}")" "$(json_str "${hints[k]}")"
		fi
	done
	printf '],"ratios":['
	for ((n = 0; n < ${#r_names[@]}; n++)); do
		[ "$n" -eq 0 ] || printf ','
		printf '{"name":%s,"value":%s,"target":%s,"met":%s}' \
			"$(json_str "${r_names[n]}")" "${r_vals[n]:-null}" "${r_targets[n]}" "${r_met[n]}"
	done
	printf '],"json_report_over_short":%s' "$(ratio "$XJ" "$XS")"
	printf ',"negative_samples":%d' "$neg"
	printf ',"targets_met":%s,"verdict":%s}\n' \
		"$([ ${#failed[@]} -eq 0 ] && echo true || echo false)" "$(json_str "$verdict")"
	exit 0
fi

printf 'xenprobe bench: %d runs each, interleaved, on %s, %s CPUs\n' "$RUNS" "$kernel" "$cpus"
printf '%-21s %-14s %9s %7s %7s\n' tool answer median_ms p10_ms p90_ms
for ((k = 0; k < ntools; k++)); do
	[ "${present[k]}" -eq 1 ] || continue
	printf '%-21s %-14s %9s %7s %7s\n' "${names[k]}" "${answers[k]}" "${medians[k]}" "${p10s[k]}" "${p90s[k]}"
done
for ((n = 0; n < ${#r_names[@]}; n++)); do
	[ -n "${r_vals[n]}" ] || continue
	t="target >= ${r_targets[n]}"
	[ -z "${r_notes[n]}" ] || t="$t: ${r_notes[n]}"
	printf 'ratio %s: %sx  (%s)\n' "${r_names[n]}" "${r_vals[n]}" "$t"
done
printf 'cost of full report: xenprobe --json/--short: %sx\n' "$(ratio "$XJ" "$XS")"
for k in "${active[@]}"; do
	[ -z "${errs[k]}" ] || printf 'note: %s printed on stderr: %s\n' "${names[k]}" "${errs[k]}"
	[ "${rcs[k]}" -eq 0 ] || printf 'note: %s exited %d\n' "${names[k]}" "${rcs[k]}"
done
[ "$neg" -eq 0 ] || printf 'note: %d negative samples (wall clock stepped during the run); figures suspect\n' "$neg"
printf 'verdict: %s\n' "$verdict"
exit 0
