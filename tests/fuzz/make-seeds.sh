#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Regenerate the seed inputs of the fuzz corpora (tests/fuzz/corpus/NAME/
# seed-*) from real samples of the test suite:
#   initrd   small images made as tests/test-initrd-synthetic.sh makes them
#            (cpio newc/crc/odc, every compressor, microcode + padding +
#            concatenation, hard links, damaged ones), with xen-blkfront's
#            real .modinfo (objcopy -j .modinfo of the installed module)
#   modinfo  that module section, a compiled stand-in, and compressed ones
#   parsers  the fixture trees of tests/roots (captures of real guests),
#            encoded as fuzz-parsers.c tree records, and the unit test
#            strings of tests/test-parsers.c as direct-parser inputs
#   cpuid    tests/roots/*/tree/run/xenprobe/cpuid
#   root     trees with the symlinks of tests/roots and hostile ones
#   dom0     what `xenprobe publish` writes (schema of agent/xenstore/schema.h) and
#            hostile variants, as fuzz-dom0.c records
# Then `tests/fuzz/run-fuzz.sh --merge` minimises the corpora (seed-* files
# are kept as they are).  Needs python3, cpio, gzip, xz, lzma, bzip2, zstd,
# lz4, lzop, objcopy; missing compressors are skipped.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
C=$here/corpus
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
have() { command -v "$1" >/dev/null 2>&1; }
mkdir -p "$C"/{initrd,modinfo,parsers,cpuid,root,dom0}
rm -f "$C"/*/seed-*

# ---------------------------------------------------------------- modinfo
V=9.9.9-xptest
ko=$T/blkfront.ko
real=$(ls /lib/modules/*/kernel/drivers/block/xen-blkfront.ko* 2>/dev/null | head -n 1 || true)
case $real in
*.ko) objcopy -j .modinfo "$real" "$ko" ;;
*.ko.xz) xz -dc "$real" >"$T/full.ko" && objcopy -j .modinfo "$T/full.ko" "$ko" ;;
*.ko.zst) zstd -qdc "$real" >"$T/full.ko" && objcopy -j .modinfo "$T/full.ko" "$ko" ;;
*) printf 'const char m[] __attribute__((section(".modinfo"))) = "vermagic=%s SMP mod_unload modversions \\0name=xen_blkfront\\0depends=\\0license=GPL";\n' "$V" \
        | gcc -x c -c -o "$ko" - ;;
esac
cp "$ko" "$C/modinfo/seed-blkfront.ko"
printf 'const char m[] __attribute__((section(".modinfo"))) = "vermagic=%s SMP mod_unload modversions \\0name=ext4\\0depends=jbd2,mbcache,crc16";\n' "$V" \
        | gcc -x c -c -o "$T/ext4.ko" -
cp "$T/ext4.ko" "$C/modinfo/seed-ext4.ko"
have xz && xz -c "$ko" >"$C/modinfo/seed-blkfront.ko.xz"
have zstd && zstd -qc "$ko" >"$C/modinfo/seed-blkfront.ko.zst"
gzip -nc "$ko" >"$C/modinfo/seed-blkfront.ko.gz"

# ----------------------------------------------------------------- initrd
mktree() { # DIR [no-blkfront|unlisted]
        local d=$1 m="$1/usr/lib/modules/$V" how=${2:-}
        mkdir -p "$m/kernel/drivers/block" "$m/kernel/fs/ext4" "$m/kernel/fs/jbd2" "$m/kernel/crypto" "$d/conf"
        echo 'MODULES=most' >"$d/conf/initramfs.conf"
        printf '#!/bin/sh\n' >"$d/init"
        cp "$T/ext4.ko" "$m/kernel/fs/ext4/ext4.ko"
        printf 'jbd2' >"$m/kernel/fs/jbd2/jbd2.ko"
        [ "$how" = no-blkfront ] || cp "$ko" "$m/kernel/drivers/block/xen-blkfront.ko"
        printf 'crc' >"$m/kernel/crypto/crc32c_generic.ko"
        {
                echo "kernel/fs/ext4/ext4.ko: kernel/fs/jbd2/jbd2.ko"
                echo "kernel/fs/jbd2/jbd2.ko:"
                [ "$how" = unlisted ] || echo "kernel/drivers/block/xen-blkfront.ko:"
                echo "kernel/crypto/crc32c_generic.ko:"
        } >"$m/modules.dep"
        echo "kernel/fs/mbcache.ko" >"$m/modules.builtin"
        printf 'softdep ext4 pre: crypto-crc32c\n' >"$m/modules.softdep"
        printf 'alias crypto-crc32c crc32c_generic\n' >"$m/modules.alias"
}
newc() { (cd "$1" && find . | LC_ALL=C sort | cpio --quiet -o -H "${2:-newc}"); }
mktree "$T/good"
mktree "$T/noblk" no-blkfront
mktree "$T/unl" unlisted
mkdir -p "$T/ucode/kernel/x86/microcode"
printf 'GenuineIntel-ucode' >"$T/ucode/kernel/x86/microcode/GenuineIntel.bin"
I=$C/initrd
newc "$T/good" >"$I/seed-newc.cpio"
newc "$T/good" crc >"$I/seed-crc.cpio"
newc "$T/good" odc >"$I/seed-odc.cpio"
newc "$T/noblk" | gzip -n >"$I/seed-noblk.gz"
newc "$T/unl" | gzip -n >"$I/seed-unlisted.gz"
newc "$T/good" | gzip -n >"$T/good.gz"
cp "$T/good.gz" "$I/seed-good.gz"
have xz && newc "$T/good" | xz --check=crc32 >"$I/seed-good.xz"
have xz && newc "$T/good" | xz --format=lzma >"$I/seed-good.lzma"
have bzip2 && newc "$T/good" | bzip2 >"$I/seed-good.bz2"
have zstd && newc "$T/good" | zstd -q >"$I/seed-good.zst"
have lz4 && newc "$T/good" | lz4 -lq >"$I/seed-good.lz4"
have lz4 && newc "$T/good" | lz4 -q >"$I/seed-frame.lz4"
have lzop && newc "$T/good" | lzop -q >"$I/seed-good.lzo"
# early microcode + padding + compressed main archive, as update-initramfs makes it
{ newc "$T/ucode"; head -c 512 /dev/zero; cat "$T/good.gz"; } >"$I/seed-ucode-concat"
# hard links (newc: placeholders of size 0, data on the last name)
mkdir -p "$T/hl/usr/lib/modules/$V/kernel/drivers/block"
cp "$ko" "$T/hl/usr/lib/modules/$V/kernel/drivers/block/xen-blkfront.ko"
ln "$T/hl/usr/lib/modules/$V/kernel/drivers/block/xen-blkfront.ko" "$T/hl/usr/lib/modules/$V/kernel/drivers/block/alias.ko"
echo "kernel/drivers/block/xen-blkfront.ko:" >"$T/hl/usr/lib/modules/$V/modules.dep"
newc "$T/hl" >"$I/seed-hardlink.cpio"
# damaged: truncated, junk after the last member, ".." names
head -c 300 "$T/good.gz" >"$I/seed-truncated.gz"
{ cat "$T/good.gz"; printf 'JUNKJUNK'; } >"$I/seed-junk"
mkdir -p "$T/dd/x"
printf 'x' >"$T/dd/x/f"
(cd "$T/dd" && printf './x/f\n./x/../../etc/passwd\n' | cpio --quiet -o -H newc 2>/dev/null) >"$I/seed-dotdot.cpio" || true

# ---------------------------------------------- parsers, cpuid, root, dom0
python3 - "$top" "$C" <<'EOF'
import os, struct, sys
top, C = sys.argv[1], sys.argv[2]
roots = os.path.join(top, "tests", "roots")

def s8(b):
    b = b[:255]
    return bytes([len(b)]) + b

def u16(b):
    b = b[:65535]
    return struct.pack("<H", len(b)) + b

# parsers: mode byte 12 = tree; records 0 file, 1 symlink, 2 dir
for case in sorted(os.listdir(roots)):
    tree = os.path.join(roots, case, "tree")
    if not os.path.isdir(tree):
        continue
    out = bytearray([12])
    for dp, dns, fns in os.walk(tree):
        rel = os.path.relpath(dp, tree)
        for fn in sorted(fns):
            p = os.path.join(dp, fn)
            r = os.path.normpath(os.path.join(rel, fn)).encode()
            if len(r) > 255:
                continue
            with open(p, "rb") as f:
                data = f.read(8192)
            out += b"\x00" + s8(r) + u16(data)
    for meta, op in (("EMPTYDIRS", 2), ("SYMLINKS", 1)):
        mp = os.path.join(roots, case, meta)
        if not os.path.exists(mp):
            continue
        for line in open(mp, "rb").read().splitlines():
            if not line.strip() or line.startswith(b"#"):
                continue
            if op == 1:
                if b" -> " not in line:
                    continue
                a, t = line.split(b" -> ", 1)
                out += b"\x01" + s8(a.strip()) + s8(t.strip())
            else:
                out += b"\x02" + s8(line.strip())
    open(os.path.join(C, "parsers", "seed-root-" + case), "wb").write(out)
    cp = os.path.join(tree, "run", "xenprobe", "cpuid")
    if os.path.exists(cp):
        open(os.path.join(C, "cpuid", "seed-" + case), "wb").write(open(cp, "rb").read())

direct = [
    (0, b"000228f0"), (0, b"zz"), (1, b"PVH"), (1, b"HVM"),
    (2, b"processor\t: 0\nflags\t\t: fpu vme hypervisor svm lahf_lm\n"),
    (3, s8(b"CONFIG_XEN_PVH") + b"CONFIG_XEN=y\n# CONFIG_XEN_PVH is not set\nCONFIG_XEN_BLKDEV_FRONTEND=m\n"),
    (4, b"22 27 0:21 / /proc rw,relatime - proc proc rw\n27 1 202:1 / / rw,relatime shared:1 master:2 - ext4 /dev/xvda1 rw,errors=remount-ro\n"),
    (5, b"/dev/xvda1 / ext4 rw,relatime 0 0\nproc /proc proc rw 0 0\n"),
    (6, s8(b"xen_blkfront") + b"xen_blkfront 45056 2 - Live 0x0000000000000000\next4 1007616 1 - Live 0x0\n"),
    (7, s8(b"xen_emul_unplug") + b"BOOT_IMAGE=/vmlinuz root=/dev/xvda1 ro xen_emul_unplug=never quiet"),
    (8, b"\x10Xen\x1b[31m HVM\xc3\xa9 domU"), (9, b"  \t xen \n "),
    (10, b"xen-blkfront.ko.zst"), (11, b"CONFIG_XEN=y hypervisor xvda1 / ext4"),
]
for i, (m, d) in enumerate(direct):
    open(os.path.join(C, "parsers", "seed-direct-%02d" % i), "wb").write(bytes([m]) + d)

# root: records 0 dir, 1 file, 2 symlink, 3 fifo, 4 lookup (kind byte, path)
def rec_dir(p): return b"\x00" + s8(p)
def rec_file(p, c): return b"\x01" + s8(p) + s8(c)
def rec_link(p, t): return b"\x02" + s8(p) + s8(t)
def rec_fifo(p): return b"\x03" + s8(p)
def look(k, p): return b"\x04" + bytes([k]) + s8(p)
seeds = {}
base = rec_dir(b"sys") + rec_dir(b"sys/bus") + rec_dir(b"sys/devices") + rec_file(b"sys/devices/type", b"xen\n")
links = []
sl = os.path.join(roots, "xen417-domU-hvm-viridian", "SYMLINKS")
if os.path.exists(sl):
    for line in open(sl, "rb").read().splitlines()[:6]:
        if b" -> " in line:
            a, t = line.split(b" -> ", 1)
            links.append((a.strip(), t.strip()))
real = base
for a, t in links:
    d = os.path.dirname(a)
    parts = d.split(b"/")
    for i in range(1, len(parts) + 1):
        real += rec_dir(b"/".join(parts[:i]))
    real += rec_link(a, t)
    for k in range(8):
        real += look(k, a)
seeds["real-links"] = real
seeds["abs-escape"] = base + rec_link(b"a", b"/../../../secret") + rec_link(b"b", b"/tmp/xpfuzz-sentinel/secret") + \
    b"".join(look(k, p) for k in range(8) for p in (b"a", b"b", b"../secret", b"/../secret", b"sys/../../secret"))
seeds["rel-escape"] = base + rec_dir(b"d") + rec_link(b"d/up", b"../../secret") + rec_link(b"d/up2", b"../../../../r/../secret") + \
    b"".join(look(k, p) for k in range(8) for p in (b"d/up", b"d/up2", b"d/up/x", b"d/up2/"))
seeds["loops"] = base + rec_link(b"l1", b"l2") + rec_link(b"l2", b"l1") + rec_link(b"self", b"self/x") + \
    rec_link(b"dot", b".") + b"".join(look(k, p) for k in range(8) for p in (b"l1", b"self", b"dot/dot/dot/sys/devices/type"))
seeds["fifo"] = base + rec_fifo(b"sys/devices/fifo") + rec_link(b"f", b"/sys/devices/fifo") + \
    b"".join(look(k, p) for k in range(8) for p in (b"sys/devices/fifo", b"f"))
seeds["errors-file"] = base + rec_dir(b"run") + rec_dir(b"run/xenprobe") + \
    rec_file(b"run/xenprobe/errors", b"13 sys/devices/type\n# c\n5 x\n") + look(0, b"sys/devices/type") + look(3, b"run")
for n, d in seeds.items():
    open(os.path.join(C, "root", "seed-" + n), "wb").write(d)

# dom0: header (domid idx, fail_at, errno idx, eagain, hook_at, reverse), records
K = ["schema", "generation", "agent-version", "verdict", "mode", "role", "confidence", "kernel",
     "xen-version", "os/id", "os/version-id", "os/pretty-name", "pv/block", "pv/net", "root-disk",
     "root-device", "boot/summary", "boot/kernels", "boot/problems", "warnings", "warning-text",
     "request", "served", "os", "pv", "boot", "unknown", "os/unknown",
     "../../name", "../../vm", "../../unique-domain-id", "../../data", "disks"]
def key(k, v): return b"\x00" + bytes([K.index(k)]) + u16(v)
good = [("schema", b"1"), ("generation", b"7"), ("agent-version", b"0.1.0"), ("verdict", b"pvhvm"),
        ("mode", b"pvhvm"), ("role", b"domU"), ("confidence", b"high"), ("kernel", b"6.1.0-13-amd64"),
        ("xen-version", b"4.17.5"), ("os/id", b"debian"), ("os/version-id", b"12"),
        ("os/pretty-name", b"Debian GNU/Linux 12 (bookworm)"), ("pv/block", b"in-use"), ("pv/net", b"in-use"),
        ("root-disk", b"xen-pv"), ("root-device", b"xvda1"), ("boot/summary", b"missing"),
        ("boot/kernels", b"6.1.0-13-amd64:ok 6.1.0-12-amd64:missing ...(+2)"),
        ("boot/problems", b"6.1.0-12-amd64: xen-blkfront missing"), ("warnings", b"2"),
        ("warning-text", b"first warning\nsecond warning"), ("served", b"tok-0"),
        ("../../name", b"guest1"), ("../../vm", b"/vm/6c7a5b7e-6b0a-4f5e-9d3c-1a2b3c4d5e6f"),
        ("../../unique-domain-id", b"a1b2c3")]
pub = b"".join(key(k, v) for k, v in good)
hdr = bytes([0, 0, 0, 0, 0, 0])
ds = {
    "published": hdr + pub,
    "hostile-values": hdr + pub + key("os/pretty-name", b"\x1b[2J\x1b]0;owned\x07\xe2\x80\xae evil\x00nul\xff\xfe") +
        key("boot/kernels", b"a:ok b c:bad :ok " + b"x" * 2000) + key("warnings", b"-1") + key("schema", b"1"),
    "disks": hdr + pub + key("disks", b"xvda:xen-pv ../x:ata sr0 :ata xvdb:\x1b[2J " + b"y" * 1100 + b" ...(+9)"),
    "future-schema": hdr + key("schema", b"2") + key("verdict", b"quantum"),
    "many-entries": hdr + key("schema", b"1") + b"\x02" + bytes([80]) + s8(b"junk") + b"\x00" + b"\x02" + bytes([70]) + s8(b"k") + b"\x01",
    "long": hdr + key("schema", b"1") + b"\x03" + bytes([K.index("warning-text")]) + struct.pack("<H", 5000) + b"A",
    "other-domains": hdr + pub + b"\x04\x01" + s8(b"Domain-0") + b"\x04\x02" + s8(b"guest1") + b"\x04\x03" + s8(b"x\x1by"),
    "eagain": bytes([0, 0, 0, 7, 0, 1]) + pub,
    "read-fails": bytes([0, 5, 0, 0, 0, 0]) + pub,
    "conn-reset": bytes([0, 9, 5, 0, 0, 0]) + pub,
    "concurrent-publish": bytes([0, 0, 0, 0, 3, 0]) + pub,
}
for n, d in ds.items():
    open(os.path.join(C, "dom0", "seed-" + n), "wb").write(d)
EOF
du -sh "$C"/*
