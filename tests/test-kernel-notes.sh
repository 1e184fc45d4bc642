#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# PV and PVH capability from the kernel image's own Xen ELF notes, on every
# installed /boot/vmlinuz-* (CI installs linux-image-amd64).  The oracle is
# binutils: the vmlinux is carved out of the bzImage the way the kernel's
# scripts/extract-vmlinux does it (find a compression magic anywhere in the
# file, decompress from there with the real tool until an ELF comes out:
# no setup header read), and `readelf -n` lists its notes.  The damaged
# images are built here from the real one (notes stripped with objcopy, a
# note retyped, the payload re-packed with gzip, cut, corrupted); readelf
# says what each one holds.
set -u
: "${XENPROBE:?}"
for t in readelf objcopy python3 jq xz gzip; do
        command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
shopt -s nullglob
imgs=(/boot/vmlinuz-*)
[ ${#imgs[@]} -gt 0 ] || { echo "SKIP: no /boot/vmlinuz-* (CI installs linux-image-amd64)"; exit 77; }
T=$(mktemp -d /var/tmp/xp-notes.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }
expect() { # name jq-expression file
        if jq -e "$2" "$3" >/dev/null 2>&1; then ok "$1"; else
                ko "$1 ($2)"
                jq -c '.boot.kernels[0] | {kernel, xen_notes, modes, checks}' "$3" 2>/dev/null | head -c 2500
                echo
        fi
}

# extract-vmlinux's method, in python: every offset where a magic occurs,
# decompressed from there by the real tool, the first ELF output wins
extract() { # IMAGE OUT
        python3 - "$1" "$2" <<'EOF'
import subprocess, sys
img, out = sys.argv[1], sys.argv[2]
data = open(img, 'rb').read()
magics = [(b'\xfd7zXZ\x00', ['xz', '-dc']), (b'\x1f\x8b\x08', ['gzip', '-dc']),
          (b'\x28\xb5\x2f\xfd', ['zstd', '-dc']), (b'BZh', ['bzip2', '-dc']),
          (b'\x5d\x00\x00', ['xz', '--format=lzma', '-dc']), (b'\x89LZO', ['lzop', '-dc']),
          (b'\x02\x21\x4c\x18', ['lz4', '-dc'])]
for magic, tool in magics:
    pos = data.find(magic)
    while pos >= 0:
        try:
            r = subprocess.run(tool, input=data[pos:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            if r.stdout[:4] == b'\x7fELF':
                open(out, 'wb').write(r.stdout)
                sys.exit(0)
        except FileNotFoundError:
            break
        pos = data.find(magic, pos + 1)
sys.exit(1)
EOF
}

# readelf -n: the notes of owner Xen as "TYPE HEX-DESC" lines.  readelf
# names some types after other owners' (1 NT_VERSION, 2 NT_ARCH, 4 GO
# BUILDID ...): those are mapped back to their numbers.
xen_notes() { # ELF
        readelf -nW "$1" | awk '
        $1 == "Xen" {
                t = ""
                if (match($0, /Unknown note type: \(0x[0-9a-f]+\)/)) t = substr($0, RSTART + 20, RLENGTH - 21)
                else if ($0 ~ /NT_VERSION/) t = "0x1"; else if ($0 ~ /NT_ARCH/) t = "0x2"
                else if ($0 ~ /GO BUILDID/) t = "0x4"
                d = $0; sub(/.*description data: */, "", d); gsub(/ /, "", d)
                print t, d
        }' | while read -r t d; do echo "$((t)) $d"; done
}
note() { awk -v t="$2" '$1 == t { print $2; exit }' "$1"; }
le_hex() { # little-endian hex bytes -> 0x... as printf %#x writes it
        local h=$1 r=""
        while [ -n "$h" ]; do r=${h:0:2}$r; h=${h:2}; done
        printf '%#x' "$((16#$r))"
}
str() { python3 -c 'import sys; print(bytes.fromhex(sys.argv[1]).split(b"\0")[0].decode("ascii", "replace"))' "$1"; }

# a guest root: boot/NAME (a link to IMAGE), no config, no module tree
mkroot() { # DIR NAME IMAGE
        rm -rf "$1"; mkdir -p "$1/boot"
        ln "$3" "$1/boot/$2" 2>/dev/null || cp "$3" "$1/boot/$2"
}
probe() { # DIR OUT: exit status in $T/rc
        "$XENPROBE" --root "$1" --json >"$2" 2>"$2.err"
        echo $? >"$T/rc"
}

# bzImage IMAGE with its payload replaced by FILE compressed with gzip
repack() { # IMAGE ELF OUT
        python3 - "$@" <<'EOF'
import gzip, struct, sys
img, elf, out = sys.argv[1:]
d = bytearray(open(img, 'rb').read())
start = (d[0x1f1] + 1) * 512 + struct.unpack_from('<I', d, 0x248)[0]
p = gzip.compress(open(elf, 'rb').read(), 6)
d = d[:start] + p
struct.pack_into('<I', d, 0x24c, len(p))
open(out, 'wb').write(d)
EOF
}

# the ELF with one Xen note's type changed to 0x7f (a type Xen ignores)
retype() { # ELF TYPE OUT
        python3 - "$@" <<'EOF'
import struct, sys
src, typ, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
d = bytearray(open(src, 'rb').read())
phoff, = struct.unpack_from('<Q', d, 32); n, = struct.unpack_from('<H', d, 56)
for i in range(n):
    o = phoff + 56 * i
    if struct.unpack_from('<I', d, o)[0] != 4: continue
    off, = struct.unpack_from('<Q', d, o + 8); size, = struct.unpack_from('<Q', d, o + 32)
    p = off
    while p + 12 <= off + size:
        nsz, dsz, t = struct.unpack_from('<III', d, p)
        if d[p + 12:p + 16] == b'Xen\0' and t == typ:
            struct.pack_into('<I', d, p + 8, 0x7f)
        p += 12 + (nsz + 3 & ~3) + (dsz + 3 & ~3)
open(out, 'wb').write(d)
EOF
}

for img in "${imgs[@]}"; do
        V=${img#/boot/vmlinuz-}
        E=$T/vmlinux
        if ! extract "$img" "$E"; then
                ko "$V: extract-vmlinux's method found no ELF in $img"
                continue
        fi
        xen_notes "$E" >"$T/notes"
        n=$(wc -l <"$T/notes")
        entry=$(note "$T/notes" 1); phys=$(note "$T/notes" 18)
        gos=$(str "$(note "$T/notes" 6)"); feat=$(str "$(note "$T/notes" 10)"); xv=$(str "$(note "$T/notes" 5)")
        echo "# $V: readelf -n: $n Xen notes, ENTRY ${entry:-none}, PHYS32_ENTRY ${phys:-none}, GUEST_OS $gos"
        want_entry=null want_phys=null
        [ -n "$entry" ] && want_entry="\"$(le_hex "$entry")\""
        [ -n "$phys" ] && want_phys="\"$(le_hex "$phys")\""
        same="(.xen_notes.count == $n) and .xen_notes.entry == $want_entry and .xen_notes.phys32_entry == $want_phys and .xen_notes.guest_os == \"$gos\" and .xen_notes.xen_version == \"$xv\" and .xen_notes.features == \"$feat\""

        # the bzImage with no boot/config-*: capability from the notes alone
        G=$T/g
        mkroot "$G" "vmlinuz-$V" "$img"
        probe "$G" "$T/bz.json"
        expect "$V bzImage: the notes readelf lists" ".boot.kernels[0] | $same" "$T/bz.json"
        expect "$V bzImage, no config: PV and PVH capability from the notes" \
                ".boot.kernels[0].modes | (.pv.source == \"elf-notes\" and .pvh.source == \"elf-notes\" and (.pv.detail + .pvh.detail | test(\"no kernel config\") | not))" "$T/bz.json"
        if [ -n "$phys" ]; then
                expect "$V: PHYS32_ENTRY present, PVH capable" '.boot.kernels[0].xen_notes.pvh_capable == true' "$T/bz.json"
        fi
        if [ -n "$entry" ] && [ "$gos" = linux ] && [ "${xv:0:7}" = xen-3.0 ]; then
                expect "$V: ENTRY, GUEST_OS linux, xen-3.0: PV capable" '.boot.kernels[0].xen_notes.pv_capable == true' "$T/bz.json"
        fi

        # the plain ELF as boot/vmlinux-V
        mkroot "$G" "vmlinux-$V" "$E"
        probe "$G" "$T/elf.json"
        expect "$V plain ELF vmlinux: the same notes" ".boot.kernels[0] | .xen_notes.format == \"ELF\" and $same" "$T/elf.json"

        # re-packed with gzip: the same notes through another decoder
        repack "$img" "$E" "$T/bz-gzip"
        mkroot "$G" "vmlinuz-$V" "$T/bz-gzip"
        probe "$G" "$T/gz.json"
        expect "$V bzImage, gzip payload: the same notes" ".boot.kernels[0] | .xen_notes.format == \"bzImage, gzip payload\" and $same" "$T/gz.json"

        # notes stripped: readelf finds none, PV and PVH impossible
        objcopy --remove-section .notes "$E" "$T/stripped" 2>/dev/null
        if [ "$(xen_notes "$T/stripped" | wc -l)" -ne 0 ]; then
                ko "$V: objcopy left Xen notes in the stripped ELF"
        else
                repack "$img" "$T/stripped" "$T/bz-stripped"
                for f in stripped bz-stripped; do
                        mkroot "$G" "vmlinuz-$V" "$T/$f"
                        probe "$G" "$T/$f.json"
                        expect "$V $f: no Xen notes: PV and PVH missing, from the notes" \
                                '.boot.kernels[0] | .xen_notes.count == 0 and .modes.pv.status == "missing" and .modes.pvh.status == "missing" and .modes.pv.source == "elf-notes" and (.checks[] | select(.name == "xen-elf-notes") | .status == "missing")' "$T/$f.json"
                done
        fi

        # one note retyped: only that mode goes
        if [ -n "$phys" ]; then
                retype "$E" 18 "$T/nophys"
                if [ -z "$(note <(xen_notes "$T/nophys") 18)" ]; then
                        mkroot "$G" "vmlinux-$V" "$T/nophys"
                        probe "$G" "$T/nophys.json"
                        expect "$V without PHYS32_ENTRY: PVH missing, PV still capable" \
                                '.boot.kernels[0] | .xen_notes.pvh_capable == false and .xen_notes.pv_capable == true and .modes.pvh.status == "missing" and (.modes.pvh.detail | test("no XEN_ELFNOTE_PHYS32_ENTRY")) and (.modes.pv.detail | test("ELFNOTE") | not)' "$T/nophys.json"
                        # with a config that says otherwise: the notes decide, the mismatch is said
                        printf 'CONFIG_XEN_PV=y\nCONFIG_XEN_PVH=y\nCONFIG_XEN_PVHVM=y\n' >"$G/boot/config-$V"
                        probe "$G" "$T/mismatch.json"
                        expect "$V config says PVH, notes do not: notes decide, config-mismatch said" \
                                '.boot.kernels[0] | .modes.pvh.status == "missing" and .modes.pvh.source == "elf-notes" and (.checks[] | select(.name == "config-mismatch") | .status == "cannot-verify" and (.evidence | test("CONFIG_XEN_PVH=y but no XEN_ELFNOTE_PHYS32_ENTRY note")))' "$T/mismatch.json"
                fi
        fi
        if [ -n "$entry" ]; then
                retype "$E" 1 "$T/noentry"
                mkroot "$G" "vmlinux-$V" "$T/noentry"
                probe "$G" "$T/noentry.json"
                expect "$V without ENTRY: PV missing" \
                        '.boot.kernels[0] | .xen_notes.pv_capable == false and .modes.pv.status == "missing" and (.modes.pv.detail | test("no XEN_ELFNOTE_ENTRY"))' "$T/noentry.json"
        fi

        # damaged images: a clear error, a report all the same, no crash
        size=$(stat -c %s "$img")
        head -c $((size / 2)) "$img" >"$T/cut"
        python3 - "$img" "$T/corrupt" "$T/badlen" <<'EOF'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
start = (d[0x1f1] + 1) * 512 + struct.unpack_from('<I', d, 0x248)[0]
c = bytearray(d)
for i in range(start + 200000, start + 200064):
    c[i] ^= 0x5a
open(sys.argv[2], 'wb').write(c)
struct.pack_into('<I', d, 0x24c, 0xfffffff0)
open(sys.argv[3], 'wb').write(d)
EOF
        head -c 4096 /dev/urandom >"$T/garbage"
        head -c 60 "$E" >"$T/elfhead"
        for f in cut:"truncated|outside" corrupt:"corrupt" badlen:"outside the" garbage:"neither an x86 bzImage" elfhead:"inside its ELF headers"; do
                name=${f%%:*} re=${f#*:}
                mkroot "$G" "vmlinuz-$V" "$T/$name"
                printf 'CONFIG_XEN_PV=y\nCONFIG_XEN_PVH=y\nCONFIG_XEN_PVHVM=y\n' >"$G/boot/config-$V"
                probe "$G" "$T/$name.json"
                if [ "$(cat "$T/rc")" = 0 ]; then ok "$V $name: exit 0"; else ko "$V $name: exit $(cat "$T/rc")"; fi
                expect "$V $name: error said, the config decides" \
                        ".boot.kernels[0] | .xen_notes.status == \"error\" and (.xen_notes.error | test(\"$re\")) and .modes.pvh.source == \"config\" and (.checks[] | select(.name == \"xen-elf-notes\") | .status == \"cannot-verify\")" "$T/$name.json"
        done
        if command -v valgrind >/dev/null && ! ldd "$XENPROBE" 2>/dev/null | grep -q libasan; then
                for name in corrupt badlen elfhead; do
                        mkroot "$G" "vmlinuz-$V" "$T/$name"
                        valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
                                --suppressions="${top_srcdir:-.}/tests/valgrind.supp" \
                                "$XENPROBE" --root "$G" --json >/dev/null 2>"$T/vg.err"
                        rc=$?
                        if [ $rc = 0 ]; then ok "$V $name under valgrind: no error, no leak"; else
                                ko "$V $name under valgrind: exit $rc"; head -20 "$T/vg.err"; fi
                done
        fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
