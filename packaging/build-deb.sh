#!/bin/bash
# Build the Debian package the way a Debian maintainer would: from the
# release tarball (make dist), with packaging/debian/ copied in as debian/,
# by dpkg-buildpackage -us -uc -b.
#
#   packaging/build-deb.sh [OUTDIR]        (default: ./deb)
#
# Run in a configured build tree (./configure has run).  Needs the build
# dependencies in packaging/debian/control (dpkg-checkbuilddeps lists what
# is missing) plus dpkg-dev, debhelper and fakeroot.  DEB_BUILD_OPTIONS is
# passed through: DEB_BUILD_OPTIONS=nocheck skips the test suite.
# Prints the path of each .deb built (xenprobe, xenprobe-facts).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)
[ -f Makefile ] || { echo "build-deb.sh: no Makefile in $(pwd): run ./configure first" >&2; exit 1; }
ver=$(sed -n 's/^PACKAGE_VERSION = //p' Makefile)
[ -n "$ver" ] || { echo "build-deb.sh: cannot read PACKAGE_VERSION from $(pwd)/Makefile" >&2; exit 1; }
for t in dpkg-buildpackage dh fakeroot; do
        command -v "$t" >/dev/null || { echo "build-deb.sh: $t not found: apt-get install dpkg-dev debhelper fakeroot" >&2; exit 1; }
done
make -s dist >/dev/null
tarball=xenprobe-$ver.tar.xz
[ -f "$tarball" ] || { echo "build-deb.sh: make dist did not produce $tarball" >&2; exit 1; }
rm -rf "$out/xenprobe-$ver"
cp "$tarball" "$out/xenprobe_$ver.orig.tar.xz"
tar -C "$out" -xf "$tarball"
cp -r "$out/xenprobe-$ver/packaging/debian" "$out/xenprobe-$ver/debian"
(cd "$out/xenprobe-$ver" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 ||
        { tail -n 40 "$out/build.log" >&2; echo "build-deb.sh: dpkg-buildpackage failed, log: $out/build.log" >&2; exit 1; }
ls "$out"/xenprobe_"$ver"-*_*.deb "$out"/xenprobe-facts_"$ver"-*_all.deb
