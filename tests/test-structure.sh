#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test-structure.sh: the shape of the source tree (HACKING.md), checked so
# that it cannot drift back:
#   - no include cycle between the project's own files, resolved as the
#     compiler does (the including file's folder, then -I probes -I agent);
#   - data flows one way: probes/ includes nothing of agent/; the JSON layer
#     and the renderers include neither agent/xenstore/ nor agent/dom0/ nor
#     the commands' agent/agent.h; agent/xenstore/ includes nothing of
#     agent/dom0/; only the commands (agent/*.c but the JSON layer and the
#     renderers; agent/xenstore/ and agent/dom0/ cmd-*.c, daemon.c,
#     refresh.c, watch.c) include agent/agent.h;
#   - no header above MAX_HEADER lines;
#   - no function above MAX_FUNCTION lines (definition to closing brace;
#     table data is not a function), but those still listed as pending.
# Prints one PASS/FAIL line per rule, and the include graph's size.
#
# Automake test script: exit 0 pass, 1 fail.
set -u
src=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$src" || exit 1
MAX_HEADER=${MAX_HEADER:-250}
MAX_FUNCTION=${MAX_FUNCTION:-80}
fails=0
pass() { echo "PASS structure: $*"; }
fail() { echo "FAIL structure: $*"; fails=$((fails + 1)); }

files=$(find probes agent -name '*.[ch]' | LC_ALL=C sort)
[ -n "$files" ] || { fail "no sources under probes/ and agent/"; exit 1; }

# the edges "FROM TO", each include resolved to a file of the tree
edges=$(for f in $files; do
        d=$(dirname "$f")
        sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" | while read -r inc; do
                for c in "$d/$inc" "probes/$inc" "agent/$inc"; do
                        if [ -f "$c" ]; then
                                echo "$f $(realpath --relative-to=. "$c")"
                                break
                        fi
                done
        done
done)
nedges=$(printf '%s\n' "$edges" | grep -c .)

# cycles: depth-first search, a back edge closes a cycle
cycles=$(printf '%s\n' "$edges" | awk '
        NF == 2 { n[$1]++; adj[$1, n[$1]] = $2; node[$1] = 1; node[$2] = 1 }
        function visit(u, path,    i, v) {
                state[u] = 1
                for (i = 1; i <= n[u]; i++) {
                        v = adj[u, i]
                        if (state[v] == 1)
                                print path " -> " v
                        else if (state[v] == 0)
                                visit(v, path " -> " v)
                }
                state[u] = 2
        }
        END { for (u in node) if (state[u] == 0) visit(u, u) }')
if [ -z "$cycles" ]; then
        pass "no include cycle ($(echo "$files" | wc -l) files, $nedges includes of the project's own headers)"
else
        fail "include cycle: $cycles"
fi

# one-way data flow between the layers
bad=$(printf '%s\n' "$edges" | awk '
        NF == 2 {
                from = $1; to = $2
                if (from ~ /^probes\// && to ~ /^agent\//)
                        print from " includes " to " (probes/ is below agent/)"
                if (from ~ /^agent\/(json|render)/ && (to ~ /^agent\/(xenstore|dom0)\// || to == "agent/agent.h"))
                        print from " includes " to " (renderers are below the transports and commands)"
                if (from ~ /^agent\/xenstore\// && to ~ /^agent\/dom0\//)
                        print from " includes " to " (the guest side never uses the dom0 reader)"
                if (to == "agent/agent.h" && (from !~ /^agent\/[a-z-]*\.c$/ || from ~ /^agent\/(json|render)/) &&
                    from !~ /^agent\/(xenstore|dom0)\/(cmd-[a-z-]*|daemon|refresh|watch)\.c$/)
                        print from " includes " to " (agent.h is the commands\x27 header)"
        }')
if [ -z "$bad" ]; then
        pass "data flows one way: probes -> renderers -> xenstore -> dom0 -> commands"
else
        while read -r l; do fail "layering: $l"; done <<<"$bad"
fi

# header sizes
big=
for h in $(echo "$files" | grep '\.h$'); do
        n=$(wc -l <"$h")
        [ "$n" -le "$MAX_HEADER" ] || big="$big $h:$n"
done
if [ -z "$big" ]; then
        pass "every header has at most $MAX_HEADER lines"
else
        fail "headers above $MAX_HEADER lines:$big"
fi

# function lengths: a definition is "{" alone at column 0 right after a
# line that closes a parameter list; its name is on the last line at
# column 0 that opened one; it ends at "}" alone at column 0 (the
# project's style, which the checked-in code keeps; tables end in "};")
long=$(for f in $(echo "$files" | grep '\.c$'); do
        awk -v f="$f" -v max="$MAX_FUNCTION" '
                /^[A-Za-z_].*\(/ { sig = $0 }
                /^\{[[:space:]]*$/ && prev ~ /\)[[:space:]]*$/ {
                        name = sig; sub(/\(.*/, "", name); sub(/.*[ *]/, "", name)
                        start = NR; infn = 1
                }
                /^\}[[:space:]]*$/ && infn {
                        len = NR - start - 1; infn = 0
                        if (len > max) print f ":" start " " name "() " len " lines"
                }
                { prev = $0 }' "$f"
done)
# The functions still waiting to be split ("FILE NAME"), as a ratchet: a
# function not listed here fails above MAX_FUNCTION lines, and a listed one
# that is no longer above it fails too, so the list only ever shrinks.
pending="
"
left=0
while read -r l; do
        [ -n "$l" ] || continue
        file=${l%%:*} name=${l#* }
        name=${name%%()*}
        if grep -qx "$file $name" <<<"$pending"; then
                left=$((left + 1))
        else
                fail "function above $MAX_FUNCTION lines: $l"
        fi
done <<<"$long"
while read -r file name; do
        [ -n "$file" ] || continue
        grep -q "^$file:[0-9]* $name() " <<<"$long" ||
                fail "$file $name() is no longer above $MAX_FUNCTION lines: remove it from the pending list"
done <<<"$pending"
[ -n "$long" ] && [ "$left" = "$(grep -c . <<<"$long")" ] && echo "# $left functions above $MAX_FUNCTION lines still pending a split"
[ "$fails" = 0 ] && pass "no function above $MAX_FUNCTION lines but the pending ones"

[ "$fails" = 0 ]
