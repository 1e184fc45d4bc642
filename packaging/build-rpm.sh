#!/bin/bash
# Build the RPM from the release tarball with rpmbuild -tb, as a
# distribution would (the spec, packaging/rpm/xenprobe.spec, is in it).
#
#   packaging/build-rpm.sh [OUTDIR]        (default: ./rpm)
#
# Run in a configured build tree.  On a Debian machine (apt-get install rpm)
# the BuildRequires cannot be checked against an rpm database, so --nodeps
# is passed there, and RPMBUILD_OPTS (e.g. --nocheck) is passed through.
# Prints the path of each binary .rpm built.
set -eu
out=${1:-rpm}
mkdir -p "$out"
out=$(cd "$out" && pwd)
[ -f Makefile ] || { echo "build-rpm.sh: no Makefile in $(pwd): run ./configure first" >&2; exit 1; }
command -v rpmbuild >/dev/null || { echo "build-rpm.sh: rpmbuild not found: apt-get install rpm (Debian) or dnf install rpm-build" >&2; exit 1; }
ver=$(sed -n 's/^PACKAGE_VERSION = //p' Makefile)
make -s dist >/dev/null
tarball=xenprobe-$ver.tar.xz
[ -f "$tarball" ] || { echo "build-rpm.sh: make dist did not produce $tarball" >&2; exit 1; }
nodeps=
[ -f /etc/debian_version ] && nodeps=--nodeps
# shellcheck disable=SC2086
rpmbuild -tb $nodeps ${RPMBUILD_OPTS:-} --define "_topdir $out" "$tarball" >"$out/build.log" 2>&1 ||
        { tail -n 40 "$out/build.log" >&2; echo "build-rpm.sh: rpmbuild failed, log: $out/build.log" >&2; exit 1; }
find "$out/RPMS" -name '*.rpm' | sort
