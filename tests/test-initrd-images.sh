#!/bin/bash
# `xenprobe initrd` against real initramfs images made by initramfs-tools and
# dracut (tests/initrd/build-images.sh).  The expected answers in
# expected.tsv come from the generators' own tools, never from xenprobe.
#
#   sudo tests/initrd/build-images.sh /var/tmp/xp-initrd
#   XP_INITRD_IMAGES=/var/tmp/xp-initrd make check TESTS=tests/test-initrd-images.sh
#
# Skips (77) when XP_INITRD_IMAGES is unset or holds no expected.tsv.
# One line per image: "PASS name" or "FAIL name (reasons)".
set -u
XENPROBE=${XENPROBE:-./xenprobe}
dir=${XP_INITRD_IMAGES:-}
tmo=${XP_INITRD_TIMEOUT:-120}   # seconds for one image

if [ -z "$dir" ]; then
	echo "test-initrd-images: skipped: XP_INITRD_IMAGES is not set (make the images with tests/initrd/build-images.sh DIR)"
	exit 77
fi
if [ ! -s "$dir/expected.tsv" ]; then
	echo "test-initrd-images: skipped: no $dir/expected.tsv (run tests/initrd/build-images.sh $dir)"
	exit 77
fi
if ! command -v jq >/dev/null 2>&1; then
	echo "test-initrd-images: skipped: jq is not installed"
	exit 77
fi
dir=$(cd "$dir" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/xp-initrd-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
# xenprobe runs two levels down, so that a "../../etc/evil" written relative
# to its working directory would land in $work/etc/evil
mkdir -p "$work/cwd/a/b"
failed=0 total=0

while IFS=$'\t' read -r file kv want gen note; do
	case $file in '' | '#'*) continue ;; esac
	total=$((total + 1))
	name=${file%.*}
	img=$dir/$file
	why=()
	if [ ! -e "$img" ]; then
		echo "FAIL $name (image $img is missing; rebuild with tests/initrd/build-images.sh)"
		failed=$((failed + 1))
		continue
	fi
	(cd "$work/cwd/a/b" && timeout "$tmo" "$XENPROBE" initrd --json --fs ext4 "$img") >"$work/out" 2>"$work/err"
	rc=$?

	# exit status: 0 all ok, 3 something missing, 4 something cannot be verified,
	# 1 no report at all (then a reason on stderr)
	case $want:$rc in
	ok:0 | ok:3 | missing:3 | cannot-verify:4) ;;
	cannot-verify:1) [ -s "$work/err" ] || why+=("exit 1 without a reason on stderr") ;;
	*:124) why+=("timed out after ${tmo}s") ;;
	*) why+=("exit $rc, expected $(case $want in ok) echo '0 or 3' ;; missing) echo 3 ;; *) echo '4 or 1' ;; esac)") ;;
	esac
	[ "$rc" -ge 128 ] 2>/dev/null && why+=("killed by signal $((rc - 128))")
	if [ -e "$work/cwd/etc/evil" ] || [ -e "$work/cwd/a/etc/evil" ] || [ -e "$work/etc/evil" ]; then
		why+=("an archive member was written to disk (../../etc/evil)")
		rm -rf "${work:?}/cwd/etc" "${work:?}/cwd/a/etc" "${work:?}/etc"
	fi

	if [ "$rc" = 1 ] && [ "$want" = cannot-verify ] && [ ! -s "$work/out" ]; then
		: # no report: nothing more to check
	elif ! jq -e . "$work/out" >/dev/null 2>&1; then
		why+=("stdout is not one JSON document")
	else
		# jq prints the reasons, one a line; none when all is well
		jq -r --arg path "$img" --arg kv "$kv" --arg want "$want" --arg gen "$gen" '
			def kvwant: if $kv == "-" then null else $kv end;
			def genwant: if $gen == "-" then null else $gen end;
			def fixcmd: if $gen == "dracut" then "dracut -f --kver \($kv)" else "update-initramfs -u -k \($kv)" end;
			(if .schema == 1 then empty else "schema is \(.schema | tojson), expected 1" end),
			(if (.images | type) == "array" and (.images | length) >= 1 then
				.images[0] as $im
				| (if $im.path == $path then empty else "path is \($im.path | tojson)" end),
				  (if $im.kernel_version == kvwant then empty
				   elif $want == "cannot-verify" and $im.kernel_version == null then empty
				   else "kernel_version is \($im.kernel_version | tojson), expected \(kvwant | tojson)" end),
				  (if $im.generator == genwant then empty
				   elif $want == "cannot-verify" and $im.generator == null then empty
				   else "generator is \($im.generator | tojson), expected \(genwant | tojson)" end),
				  (if ($im.checks | type) != "array" then "checks is not an array"
				   else
					([$im.checks[] | select(.name == "xen-blkfront")]) as $b
					| (if ($b | length) != 1 then "\($b | length) checks named xen-blkfront, expected 1"
					   else $b[0] as $c
						| (if $c.status == $want then empty
						   else "xen-blkfront is \($c.status | tojson), expected \($want)" end),
						  (if ($c.evidence | type) == "string" and ($c.evidence | length) > 0 then empty
						   else "xen-blkfront evidence is \($c.evidence | tojson)" end),
						  (if $want != "missing" or $kv == "-" then empty
						   elif ($c.fix | type) != "string" or ($c.fix | length) == 0 then "xen-blkfront fix is \($c.fix | tojson)"
						   elif ($c.fix | contains(fixcmd)) then empty
						   else "xen-blkfront fix does not mention \(fixcmd | tojson): \($c.fix | tojson)" end)
					   end),
					  (if [$im.checks[] | select(.name == "root-fs:ext4")] | length == 1 then empty
					   else "no single check named root-fs:ext4" end),
					  ($im.checks[] | select((.status | IN("ok", "missing", "cannot-verify")) | not)
					   | "check \(.name | tojson) has status \(.status | tojson)")
				   end)
			 else "images is not a non-empty array" end)
		' "$work/out" >"$work/why" 2>&1 || echo "jq failed on the report" >>"$work/why"
		while IFS= read -r l; do why+=("$l"); done <"$work/why"
	fi

	if [ ${#why[@]} = 0 ]; then
		echo "PASS $name"
	else
		r=$(printf '%s; ' "${why[@]}")
		echo "FAIL $name (${r%; })"
		echo "  expected: $kv $want $gen ($note)"
		echo "  command: $XENPROBE initrd --json --fs ext4 $img (exit $rc)"
		head -c 2000 "$work/err" | sed 's/^/  stderr: /'
		head -c 4000 "$work/out" | sed 's/^/  stdout: /'
		failed=$((failed + 1))
	fi
done <"$dir/expected.tsv"

echo "test-initrd-images: $((total - failed)) of $total images as expected"
[ "$total" -gt 0 ] || { echo "FAIL expected.tsv (no image lines)"; exit 1; }
[ "$failed" = 0 ]
