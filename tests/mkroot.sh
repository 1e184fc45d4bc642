#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# mkroot.sh ROOT_SRC DEST
#
# Materialize a fixture root (tests/roots/NAME) for a test run:
#   - copy ROOT_SRC/tree to DEST (DEST is removed first: idempotent);
#   - create the directories listed in ROOT_SRC/EMPTYDIRS (git keeps no
#     empty directory);
#   - create every symlink of ROOT_SRC/SYMLINKS ("relative/link -> target",
#     link relative to DEST, target verbatim; parents first, nested links
#     such as sys/class/block/xvda/device are created through their parent
#     link, as in sysfs);
#   - for each DEST/lib/modules/REL/modules.builtin without
#     modules.builtin.bin, build the binary index libkmod needs with depmod.
#     depmod runs on a scratch copy and only the built-in indexes are copied
#     back: the captures hold modules.builtin but no modules.dep, and an
#     empty modules.dep.bin would claim "no loadable module exists", which
#     was not true on the captured machine (unknown is the honest answer).
#
# ROOT_SRC may be read-only (make distcheck): nothing is written there.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 ROOT_SRC DEST" >&2; exit 2; }
src=${1%/}
dest=${2%/}
[ -d "$src/tree" ] || { echo "$0: $src/tree: no such directory" >&2; exit 1; }
[ -n "$dest" ] && [ "$dest" != / ] || { echo "$0: refusing DEST '$2'" >&2; exit 1; }

if [ -e "$dest" ] || [ -L "$dest" ]; then
        chmod -R u+w "$dest" 2>/dev/null || true
        rm -rf "$dest"
fi
mkdir -p "$dest"
cp -R "$src/tree/." "$dest/"
chmod -R u+w "$dest"     # a read-only srcdir gives read-only copies
dest=$(cd "$dest" && pwd -P)

if [ -f "$src/EMPTYDIRS" ]; then
        while IFS= read -r d || [ -n "$d" ]; do
                case $d in '' | '#'*) continue ;; /* | *..*) echo "$0: EMPTYDIRS: bad path '$d'" >&2; exit 1 ;; esac
                mkdir -p "$dest/$d"
        done <"$src/EMPTYDIRS"
fi

if [ -f "$src/SYMLINKS" ]; then
        # parents before children: sort on the number of path components
        while IFS= read -r line || [ -n "$line" ]; do
                case $line in '' | '#'*) continue ;; esac
                case $line in *' -> '*) ;; *) echo "$0: SYMLINKS: bad line '$line'" >&2; exit 1 ;; esac
                l=${line%% -> *}
                printf '%d\t%s\n' "$(tr -cd / <<<"$l" | wc -c)" "$line"
        done <"$src/SYMLINKS" | LC_ALL=C sort -s -n -k1,1 | cut -f2- |
                while IFS= read -r line; do
                        l=${line%% -> *}
                        t=${line#* -> }
                        case $l in /* | ../* | */../* | */.. | ..) echo "$0: SYMLINKS: bad link path '$l'" >&2; exit 1 ;; esac
                        # resolve the parent through links made so far (sysfs:
                        # class/block/xvda/device lives in devices/.../xvda)
                        parent=$(realpath -m "$dest/$(dirname "$l")")
                        case $parent in "$dest" | "$dest"/*) ;; *) echo "$0: SYMLINKS: '$l' leaves the root" >&2; exit 1 ;; esac
                        mkdir -p "$parent"
                        name=$(basename "$l")
                        if [ -e "$parent/$name" ] || [ -L "$parent/$name" ]; then
                                echo "$0: SYMLINKS: '$l' already exists in the tree" >&2
                                exit 1
                        fi
                        ln -s "$t" "$parent/$name"
                done
fi

shopt -s nullglob
for builtin in "$dest"/lib/modules/*/modules.builtin; do
        moddir=$(dirname "$builtin")
        [ -e "$moddir/modules.builtin.bin" ] && continue
        release=$(basename "$moddir")
        depmod=$(PATH=$PATH:/sbin:/usr/sbin command -v depmod || true)
        if [ -z "$depmod" ]; then
                echo "$0: depmod (kmod) not found: cannot build $builtin.bin" >&2
                exit 1
        fi
        scratch=$(mktemp -d "${TMPDIR:-/tmp}/xp-depmod.XXXXXX")
        mkdir -p "$scratch/lib/modules/$release"
        for f in modules.builtin modules.builtin.modinfo modules.order; do
                [ -f "$moddir/$f" ] && cp "$moddir/$f" "$scratch/lib/modules/$release/"
        done
        if ! "$depmod" -b "$scratch" "$release" 2>"$scratch/depmod.err"; then
                grep -v 'modules.order' "$scratch/depmod.err" >&2 || true
                rm -rf "$scratch"
                echo "$0: depmod -b $scratch $release failed" >&2
                exit 1
        fi
        for f in modules.builtin.bin modules.builtin.alias.bin; do
                [ -f "$scratch/lib/modules/$release/$f" ] && cp "$scratch/lib/modules/$release/$f" "$moddir/"
        done
        rm -rf "$scratch"
done
exit 0
