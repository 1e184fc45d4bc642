#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The man pages in packaging/man:
#  - each renders without a warning (groff -man -ww -z; mandoc -T lint
#    -W warning when mandoc is installed) and its .TH names its file;
#  - every long option a command's own --help prints (the help text is the
#    independent source) appears in that command's page;
#  - every page referred to (SEE ALSO and the text) is one of ours or a
#    known external page, and xenprobe(8) refers to every other page;
#  - xenprobe-xenstore(7) has an entry for every key of the key table
#    (agent/xenstore/keys.c, printed by tests/schema-keys), naming every
#    allowed word of the key;
#  - the FACTS section of xenprobe-json(7) has an entry for every key of
#    the facts (agent/render-facts.c, printed by tests/facts-keys), naming
#    every word the key can hold;
#  - packaging/man/man.am lists every page, and `make install-man` puts
#    each under share/man/man8 or man7.
# One line per case: PASS/FAIL/SKIP.  Automake test: 0 pass, 1 fail, 77 skip.
set -u
XENPROBE=${XENPROBE:-./xenprobe}
[ -e "$XENPROBE" ] && XENPROBE=$(cd "$(dirname "$XENPROBE")" && pwd)/$(basename "$XENPROBE")
src=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
man=$src/packaging/man
work=$(mktemp -d "${TMPDIR:-/tmp}/xp-man.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0 failed=0 skipped=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
skip() { echo "SKIP $1"; skipped=$((skipped + 1)); }

pages=()
for p in "$man"/*.[1-9]; do
        [ -f "$p" ] && pages+=("$(basename "$p")")
done
if [ ${#pages[@]} -eq 0 ]; then
        skip "no pages in $man"
        exit 77
fi

# The pages of other projects the text may refer to.
external="xl.1 xenstore.1 xenstore-ls.1 xenstore-read.1 xenstore-write.1 systemd-detect-virt.1 virt-what.1 jq.1 prometheus.1 promtool.1 prometheus-node-exporter.1
poll.2 syslog.3 sd_notify.3 os-release.5 systemd.service.5 systemd.exec.5 systemd.unit.5
dracut.8 update-initramfs.8 mkinitcpio.8 start-stop-daemon.8 xenstored.8 systemctl.1 openrc-run.8 supervise-daemon.8"

have_groff=false have_mandoc=false
command -v groff >/dev/null && have_groff=true
command -v mandoc >/dev/null && have_mandoc=true

# PAGE as plain text, wide lines (no hyphenation in the pages: .nh)
render() {
        if $have_groff; then
                groff -man -Tascii -P-c -P-b -P-u -rLL=250n "$man/$1" 2>/dev/null
        else
                mandoc -T ascii -O width=250 "$man/$1" 2>/dev/null | sed 's/.\x08//g'
        fi
}

# --- rendering --------------------------------------------------------------
for p in "${pages[@]}"; do
        if $have_groff; then
                if groff -man -ww -z "$man/$p" >"$work/out" 2>&1 && [ ! -s "$work/out" ]; then
                        pass "$p: groff -man -ww -z, no warning"
                else
                        fail "$p: groff -man -ww -z"
                        cat "$work/out"
                fi
        else
                skip "$p: groff not installed"
        fi
        if $have_mandoc; then
                if mandoc -T lint -W warning "$man/$p" >"$work/out" 2>&1 && [ ! -s "$work/out" ]; then
                        pass "$p: mandoc -T lint -W warning, no warning"
                else
                        fail "$p: mandoc -T lint -W warning"
                        cat "$work/out"
                fi
        else
                skip "$p: mandoc not installed (lint)"
        fi
        # .TH NAME SECTION: the file's name, upper-cased, and its suffix
        name=${p%.*} sec=${p##*.}
        th=$(sed -n 's/^\.TH  *\([^ ]*\)  *\([^ ]*\).*/\1 \2/p' "$man/$p" | head -1 | sed 's/\\-/-/g')
        if [ "$th" = "$(echo "$name" | tr a-z A-Z) $sec" ]; then
                pass "$p: .TH $th"
        else
                fail "$p: .TH says '$th', not '$(echo "$name" | tr a-z A-Z) $sec'"
        fi
done

if ! $have_groff && ! $have_mandoc; then
        skip "neither groff nor mandoc: the text of the pages cannot be checked"
        [ $passed -eq 0 ] && [ $failed -eq 0 ] && exit 77
        exit $((failed > 0))
fi
for p in "${pages[@]}"; do
        render "$p" >"$work/$p.txt"
done

# --- every long option of --help is in the command's page --------------------
# the page, and the command line that prints the help
check_options() {
        local page=$1 what=$2
        shift 2
        if [ ! -f "$work/$page.txt" ]; then
                fail "$what: no page $page"
                return
        fi
        if ! "$@" >"$work/help" 2>&1; then
                fail "$what: '$*' failed"
                cat "$work/help"
                return
        fi
        local opts missing=""
        opts=$(grep -oE -- '--[a-z][a-z0-9-]*' "$work/help" | sort -u)
        if [ -z "$opts" ]; then
                fail "$what: no long option in its --help"
                return
        fi
        for o in $opts; do
                grep -qE -- "(^|[^a-z0-9-])$o([^a-z0-9-]|\$)" "$work/$page.txt" || missing="$missing $o"
        done
        if [ -z "$missing" ]; then
                pass "$what: every --help option ($(echo $opts)) is in $page"
        else
                fail "$what: $page lacks$missing"
        fi
}
if [ -x "$XENPROBE" ]; then
        check_options xenprobe.8 "xenprobe" "$XENPROBE" --help
        check_options xenprobe-initrd.8 "xenprobe initrd" "$XENPROBE" initrd --help
        check_options xenprobe-publish.8 "xenprobe publish" "$XENPROBE" publish --help
        check_options xenprobed.8 "xenprobe daemon" "$XENPROBE" daemon --help
        ln -s "$XENPROBE" "$work/xenprobed"
        check_options xenprobed.8 "xenprobed" "$work/xenprobed" --help
        check_options xenprobe-query.8 "xenprobe query" "$XENPROBE" query --help
        check_options xenprobe-facts.8 "xenprobe facts" "$XENPROBE" facts --help
        # `xenprobe snapshot --help` would write a snapshot into ./--help
        skip "xenprobe snapshot: no --help of its own (its options are the global ones)"
else
        skip "XENPROBE ($XENPROBE) is not an executable: options not checked"
fi

# --- references ---------------------------------------------------------------
# ".BR name (N)" anywhere in the source, "\-" as "-"
refs_of() {
        sed -n 's/^\.BR  *\([^ ]*\)  *(\([0-9][a-z]*\)).*/\1.\2/p' "$man/$1" | sed 's/\\-/-/g' | sort -u
}
for p in "${pages[@]}"; do
        bad=""
        n=0
        for r in $(refs_of "$p"); do
                n=$((n + 1))
                if [ -f "$man/$r" ]; then
                        continue
                fi
                case " $(echo $external) " in
                *" $r "*) ;;
                *) bad="$bad $r" ;;
                esac
        done
        seealso=$(sed -n '/^\.SH "*SEE ALSO/,/^\.SH/p' "$man/$p" | grep -c '^\.BR ')
        if [ -n "$bad" ]; then
                fail "$p: refers to pages that are neither in packaging/man nor known external ones:$bad"
        elif [ "$seealso" -eq 0 ]; then
                fail "$p: no SEE ALSO entries"
        else
                pass "$p: its $n page references (SEE ALSO: $seealso) exist here or are external"
        fi
done
missing=""
for p in "${pages[@]}"; do
        [ "$p" = xenprobe.8 ] && continue
        refs_of xenprobe.8 | grep -qxF "$p" || missing="$missing $p"
done
if [ -z "$missing" ]; then
        pass "xenprobe.8 refers to every other page"
else
        fail "xenprobe.8 does not refer to$missing"
fi

# --- the xenstore page names every key of the schema, and its words ------------
# the key table (agent/xenstore/keys.c) as tests/schema-keys prints it:
# "NAME KIND [WORD...]"; each key must start an entry of the KEYS section
# (a line at the section's indent; the rendered lines are wide, so an
# entry's text is its lines up to the next entry) and each allowed word
# must occur in that entry as a word
schema_keys=${SCHEMA_KEYS:-}
if [ -z "$schema_keys" ] && [ -n "$XENPROBE" ]; then
        schema_keys=$(dirname "$XENPROBE")/tests/schema-keys
fi
if [ ! -x "$schema_keys" ]; then
        fail "xenstore keys: $schema_keys not built (make check builds it)"
elif ! "$schema_keys" >"$work/keys" || [ "$(wc -l <"$work/keys")" -lt 10 ]; then
        fail "xenstore keys: $schema_keys printed only $(wc -l <"$work/keys") keys"
elif [ ! -f "$work/xenprobe-xenstore.7.txt" ]; then
        skip "xenstore keys: the rendered page is missing"
else
        # one line per entry: "TAG TEXT..."
        sed -n '/^KEYS/,/^[A-Z]/p' "$work/xenprobe-xenstore.7.txt" | sed '1d;$d' |
                awk '/^       [^ ]/ { if (e != "") print e; e = $0; next } NF { e = e " " $0 } END { if (e != "") print e }' |
                sed 's/^ *//' >"$work/entries"
        nkeys=$(wc -l <"$work/keys") missing="" nowords=""
        while read -r key kind words; do
                entry=$(awk -v k="$key" '{ t = $1; sub(/,$/, "", t) } t == k { sub(/^[^ ]+/, ""); print }' "$work/entries")
                if [ -z "$entry" ]; then
                        missing="$missing $key"
                        continue
                fi
                for w in $words; do
                        grep -qwF -- "$w" <<<"$entry" || nowords="$nowords $key:$w"
                done
        done <"$work/keys"
        if [ -z "$missing" ]; then
                pass "xenprobe-xenstore.7: an entry in KEYS for each of the $nkeys keys of the key table"
        else
                fail "xenprobe-xenstore.7: no entry in KEYS for$missing"
        fi
        if [ -z "$nowords" ]; then
                pass "xenprobe-xenstore.7: each key's entry names every allowed word of the key table"
        else
                fail "xenprobe-xenstore.7: words of the key table missing from their key's entry:$nowords"
        fi
        # the paragraph on the reduced set names exactly the long-value keys
        quota=$(grep -m1 'refuses the full set for a quota' "$work/xenprobe-xenstore.7.txt")
        "$schema_keys" --long | sort >"$work/long"
        for k in $(awk '{ print $1 }' "$work/keys"); do
                grep -qwF -- "$k" <<<"$quota" && echo "$k"
        done | sort >"$work/named"
        if [ -s "$work/long" ] && cmp -s "$work/long" "$work/named"; then
                pass "xenprobe-xenstore.7: the reduced set leaves out the $(wc -l <"$work/long") long-value keys of the key table"
        else
                fail "xenprobe-xenstore.7: the quota paragraph names [$(echo $(cat "$work/named"))], the key table's long-value keys are [$(echo $(cat "$work/long"))]"
        fi
fi

# --- the FACTS section of the JSON page names every key of the facts -----------
# the facts' key table (agent/render-facts.c) as tests/facts-keys prints it:
# "NAME TYPE [WORD...]"; each key starts an entry of FACTS (alone or as
# "a, b"), names every word, and says "null" when the type allows it
facts_keys=${FACTS_KEYS:-}
if [ -z "$facts_keys" ] && [ -n "$XENPROBE" ]; then
        facts_keys=$(dirname "$XENPROBE")/tests/facts-keys
fi
if [ ! -x "$facts_keys" ]; then
        fail "facts keys: $facts_keys not built (make check builds it)"
elif ! "$facts_keys" >"$work/fkeys" || [ "$(wc -l <"$work/fkeys")" -lt 10 ]; then
        fail "facts keys: $facts_keys printed only $(wc -l <"$work/fkeys") keys"
else
        sed -n '/^FACTS/,/^[A-Z]/p' "$work/xenprobe-json.7.txt" | sed '1d;$d' |
                awk '/^       [^ ]/ { if (e != "") print e; e = $0; next } NF { e = e " " $0 } END { if (e != "") print e }' |
                sed 's/^ *//' >"$work/fentries"
        missing="" nowords=""
        while read -r key type words; do
                entry=$(awk -v k="$key" '{ a = $1; b = ""; if (a ~ /,$/) b = $2; sub(/,$/, "", a) }
                        a == k || b == k { print }' "$work/fentries")
                if [ -z "$entry" ]; then
                        missing="$missing $key"
                        continue
                fi
                case $type in *null*) words="$words null" ;; esac
                for w in $words; do
                        grep -qwF -- "$w" <<<"$entry" || nowords="$nowords $key:$w"
                done
        done <"$work/fkeys"
        if [ -z "$missing" ]; then
                pass "xenprobe-json.7: an entry in FACTS for each of the $(wc -l <"$work/fkeys") keys of the facts"
        else
                fail "xenprobe-json.7: no entry in FACTS for$missing"
        fi
        if [ -z "$nowords" ]; then
                pass "xenprobe-json.7: each fact's entry names every word (and null) it can hold"
        else
                fail "xenprobe-json.7: words of the facts missing from their entry:$nowords"
        fi
fi

# --- installation ---------------------------------------------------------------
listed=$(sed -n '/^dist_man_MANS/,/^$/p' "$man/man.am" | grep -oE 'packaging/man/[^ \\]+' | sed 's,.*/,,')
missing=""
for p in "${pages[@]}"; do
        echo "$listed" | grep -qxF "$p" || missing="$missing $p"
done
if [ -z "$missing" ]; then
        pass "man.am: dist_man_MANS lists every page"
else
        fail "man.am: dist_man_MANS lacks$missing"
fi
builddir=""
[ -x "$XENPROBE" ] && [ -f "$(dirname "$XENPROBE")/Makefile" ] && builddir=$(dirname "$XENPROBE")
if [ -n "$builddir" ] && command -v "${MAKE:-make}" >/dev/null; then
        dest=$work/destdir
        # install-man only: no binaries, no hooks; a make of its own
        if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -s -C "$builddir" install-man DESTDIR="$dest" \
                >"$work/install.out" 2>&1; then
                missing=""
                for p in "${pages[@]}"; do
                        f=$(find "$dest" -path "*/share/man/man${p##*.}/$p" -type f | head -1)
                        [ -n "$f" ] && [ -s "$f" ] || missing="$missing $p"
                done
                if [ -z "$missing" ]; then
                        pass "make install-man DESTDIR=...: every page under share/man/man8 or man7"
                else
                        fail "make install-man DESTDIR=...: not installed:$missing"
                        find "$dest" -type f
                fi
        else
                fail "make install-man DESTDIR=... failed"
                cat "$work/install.out"
        fi
else
        skip "make install-man: no build directory next to XENPROBE ($XENPROBE)"
fi

echo "# $passed passed, $failed failed, $skipped skipped"
[ $failed -gt 0 ] && exit 1
[ $passed -eq 0 ] && exit 77
exit 0
