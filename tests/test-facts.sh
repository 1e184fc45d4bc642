#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `xenprobe facts` and its loaders (packaging/facts/), against fixture roots
# and the real fact tools:
#  - on fixture roots of each role, `xenprobe --root R facts`
#    exits 0 and its verdict, hypervisor, role, mode and Xen version are
#    those expected.json holds (written by hand from the capture); its keys
#    are the facts' key table (tests/facts-keys) in order, each word one the
#    table allows; --wrap holds the same object under "xenprobe";
#  - a root that is no capture gets an object with "error", exit 0;
#  - without --boot no initramfs image is opened (strace), with --boot the
#    summary is the image's;
#  - Ansible: `ansible localhost -c local -m setup` with fact_path holding
#    the shipped .fact (its sbindir pointed at a wrapper that adds --root)
#    gives ansible_local.xenprobe with the fixture's values; a .fact whose
#    xenprobe is gone gives {} and no failure;
#  - Facter: `facter --external-dir` with the shipped external fact gives
#    the structured fact xenprobe, and core facts (os.name, kernel, ...)
#    are the same with and without it;
#  - Ohai: `ohai -d DIR xenprobe` with the shipped plugin gives the values.
# The values checked for the PVHVM fixture are written by hand from its
# capture (tests/roots/xen417-domU-pvhvm-debian12/SOURCE: xen_blkfront
# loaded and bound to vbd-768; no vif, no xen_netfront, no modules.builtin).
# A fact tool that is not installed is a SKIP, and a FAIL with
# XP_FACTS_REQUIRED=1 (CI: apt-get install ansible-core facter ohai).
# Automake test: 0 pass, 1 fail, 77 skip.
set -u
XENPROBE=${XENPROBE:-./xenprobe}
[ -x "$XENPROBE" ] || { echo "FAIL: XENPROBE=$XENPROBE is not an executable"; exit 1; }
XENPROBE=$(cd "$(dirname "$XENPROBE")" && pwd)/$(basename "$XENPROBE")
src=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
facts_keys=${FACTS_KEYS:-$(dirname "$XENPROBE")/tests/facts-keys}
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
PATH=$PATH:/sbin:/usr/sbin command -v depmod >/dev/null || { echo "SKIP: depmod (kmod) not installed"; exit 77; }
[ -x "$facts_keys" ] || { echo "FAIL: $facts_keys not built (make check builds it)"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/xp-facts.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0 failed=0 skipped=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
skip() { echo "SKIP $1"; skipped=$((skipped + 1)); }
check() { # NAME GOT WANT
        if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', want '$3'"; fi
}
have_tool() { # TOOL: installed, else SKIP (FAIL under XP_FACTS_REQUIRED=1)
        command -v "$1" >/dev/null && return 0
        if [ "${XP_FACTS_REQUIRED:-0}" = 1 ]; then
                fail "$1 not installed (XP_FACTS_REQUIRED=1: apt-get install ansible-core facter ohai)"
        else
                skip "$1 not installed: its loader is not tested"
        fi
        return 1
}
ms() { date +%s%N | cut -c1-13; }

"$facts_keys" >"$work/keys"
grep -v '^error ' "$work/keys" | awk '{ print $1 }' >"$work/key-order"

# --- the command on fixture roots -------------------------------------------------
# one of each role and a non-Xen one (run-roots.sh replays them all; a root
# takes ~1 s to materialize): FACTS_ROOTS="NAME ..." for others
n=0 bad=""
for name in ${FACTS_ROOTS:-xen417-domU-pvhvm-debian12 xen417-dom0-pvh kvm-debian12}; do
        d=$src/tests/roots/$name
        [ -f "$d/expected.json" ] || { bad="$bad $name(no expected.json)"; continue; }
        bash "$src/tests/mkroot.sh" "$d" "$work/roots/$name" >/dev/null 2>&1 || { bad="$bad $name(mkroot)"; continue; }
        "$XENPROBE" --root "$work/roots/$name" facts >"$work/f.json" 2>"$work/f.err" || { bad="$bad $name(exit $?)"; continue; }
        # what expected.json says, in the facts' words
        want=$(jq -c '{verdict, hypervisor: (.hypervisor // "none"), role: (.xen.role // "none"),
                       mode: (.xen.mode // "none"), xen_version: (.xen.version // null)}' "$d/expected.json")
        got=$(jq -c '{verdict, hypervisor, role, mode, xen_version}' "$work/f.json")
        [ "$got" = "$want" ] || { bad="$bad $name(got $got, want $want)"; continue; }
        [ "$(jq -r 'keys_unsorted[]' "$work/f.json")" = "$(cat "$work/key-order")" ] || { bad="$bad $name(keys)"; continue; }
        # every word one the key table allows
        words=$(jq -r 'to_entries[] | select(.value | type == "string") | "\(.key) \(.value)"' "$work/f.json" |
                while read -r k v; do
                        line=$(grep "^$k " "$work/keys")
                        case $line in *" word"*) ;; *) continue ;; esac
                        grep -qw -- "$v" <<<"${line#* * }" || echo "$k=$v"
                done)
        [ -z "$words" ] || { bad="$bad $name(words not in the table: $words)"; continue; }
        [ "$("$XENPROBE" --root "$work/roots/$name" facts --wrap | jq -c .xenprobe)" = "$(jq -c . "$work/f.json")" ] ||
                { bad="$bad $name(--wrap)"; continue; }
        n=$((n + 1))
done
if [ -z "$bad" ] && [ $n -gt 0 ]; then
        pass "facts on $n fixture roots: exit 0, verdict/hypervisor/role/mode/Xen version as expected.json, keys and words of the table, --wrap the same"
else
        fail "facts on the fixture roots:$bad"
fi
pvhvm=$work/roots/xen417-domU-pvhvm-debian12
kvm=$work/roots/kvm-debian12
[ -d "$pvhvm" ] && [ -d "$kvm" ] || { fail "fixture roots xen417-domU-pvhvm-debian12 and kvm-debian12 missing"; exit 1; }
check "facts: PV drivers of the PVHVM capture (blkfront bound to vbd-768, no netfront)" \
        "$("$XENPROBE" --root "$pvhvm" facts | jq -c '[.pv_block, .pv_net, .boot_summary]')" '["in-use","unknown","not-checked"]'
check "facts: agent_version is what --version says" \
        "$("$XENPROBE" --root "$pvhvm" facts | jq -r .agent_version)" "$("$XENPROBE" --version | awk '{ print $2 }')"
check "facts: --short before the command changes nothing" \
        "$("$XENPROBE" --short --root "$work/roots/xen417-dom0-pvh" facts | jq -c .)" \
        "$("$XENPROBE" --root "$work/roots/xen417-dom0-pvh" facts | jq -c .)"
check "facts: KVM is not Xen: the Xen keys are null, exit 0" \
        "$("$XENPROBE" --root "$kvm" facts | jq -c '[.verdict, .role, .hypervisor, .xen_version, .pv_block, .pv_net]'; echo $?)" \
        '["none","none","kvm",null,null,null]
0'

# a mounted disk image: no live verdict, an error in the object, exit 0
mkdir -p "$work/image/etc"
"$XENPROBE" --root "$work/image" facts >"$work/img.json" 2>"$work/img.err"
check "facts: a root with no proc/ or sys/: exit 0" "$?" 0
check "facts: ... and only schema, agent_version, error" "$(jq -c 'keys_unsorted' "$work/img.json")" '["schema","agent_version","error"]'
check "facts: ... the error names the root" "$(jq -r .error "$work/img.json" | grep -c "$work/image: no proc/ or sys/")" 1
"$XENPROBE" facts --bogus >/dev/null 2>&1
check "facts: an unknown option is a usage error (2)" "$?" 2

# boot readiness: no image read unless --boot
cp -a "$pvhvm" "$work/bootroot"
mkdir -p "$work/bootroot/boot"
kver=$(cut -d' ' -f3 "$pvhvm/proc/version")
echo "not a kernel" >"$work/bootroot/boot/vmlinuz-$kver"
head -c 4096 /dev/urandom >"$work/bootroot/boot/initrd.img-$kver"
if command -v strace >/dev/null; then
        strace -f -e trace=open,openat -o "$work/strace.out" "$XENPROBE" --root "$work/bootroot" facts >/dev/null 2>&1
        check "facts: without --boot no initramfs image is opened (strace)" "$(grep -c 'initrd\.img' "$work/strace.out")" 0
else
        skip "facts: strace not installed: image reads not traced"
fi
# random bytes: no magic the kernel knows, it unpacks nothing of it
# (init/initramfs.c; tests/test-kernel-unpack.sh boots such images)
check "facts --boot: the kernel with a random-bytes image is missing its drivers" \
        "$("$XENPROBE" --root "$work/bootroot" facts --boot | jq -r .boot_summary)" missing

# the loaders as shipped, with sbindir pointed at a wrapper that adds --root
loader() { # SRC.in DEST SBINDIR
        sed "s|@sbindir@|$3|g" "$src/packaging/facts/$1" >"$2" && chmod +x "$2"
}
wrapper() { # DIR ROOT
        mkdir -p "$1"
        printf '#!/bin/sh\nexec "%s" --root "%s" "$@"\n' "$XENPROBE" "$2" >"$1/xenprobe"
        chmod +x "$1/xenprobe"
}
wrapper "$work/bin-pvhvm" "$pvhvm"
wrapper "$work/bin-kvm" "$kvm"

# --- Ansible -------------------------------------------------------------------
if have_tool ansible; then
        mkdir -p "$work/facts.d" "$work/ansible"
        loader xenprobe.fact.in "$work/facts.d/xenprobe.fact" "$work/bin-pvhvm"
        loader xenprobe.fact.in "$work/facts.d/kvm.fact" "$work/bin-kvm"
        loader xenprobe.fact.in "$work/facts.d/gone.fact" "$work/no-such-dir"
        t0=$(ms)
        # gather_subset: only the local facts (the rest takes ~25 s here)
        # Ansible refuses a locale that is not UTF-8
        LC_ALL=C.UTF-8 ANSIBLE_HOME=$work/ansible ANSIBLE_LOCAL_TEMP=$work/ansible/tmp ANSIBLE_LOCALHOST_WARNING=False \
                ANSIBLE_INVENTORY_UNPARSED_WARNING=False ANSIBLE_NOCOLOR=1 ANSIBLE_PYTHON_INTERPRETER=auto_silent \
                ansible localhost -c local -m setup \
                -a "gather_subset=!all,!min,local filter=ansible_local fact_path=$work/facts.d" >"$work/ansible.out" 2>&1
        rc=$?
        echo "# ansible -m setup: $(($(ms) - t0)) ms"
        sed '1s/^[^{]*//' "$work/ansible.out" >"$work/ansible.json"
        if [ $rc = 0 ] && jq -e .ansible_facts.ansible_local "$work/ansible.json" >/dev/null 2>&1; then
                pass "ansible: setup ran with the three .fact files (exit 0)"
                a() { jq -c ".ansible_facts.ansible_local.$1" "$work/ansible.json"; }
                check "ansible: ansible_local.xenprobe of the PVHVM capture" \
                        "$(a 'xenprobe | [.schema, .verdict, .mode, .role, .hypervisor, .xen_version, .pv_block, .pv_net, .warnings]')" \
                        '[1,"pvhvm","pvhvm","domU","xen","4.17.5","in-use","unknown",0]'
                check "ansible: ansible_local.kvm (not Xen) is an object saying so" \
                        "$(a 'kvm | [.verdict, .mode, .role, .hypervisor, .xen_version]')" '["none","none","none","kvm",null]'
                check "ansible: a .fact whose xenprobe is gone gives {}, no error string" "$(a gone)" '{}'
                check "ansible: no warning (a failing .fact makes one)" "$(jq -c '.warnings // []' "$work/ansible.json")" '[]'
        else
                fail "ansible: setup (exit $rc)"
                tail -n 20 "$work/ansible.out"
        fi
fi

# --- Facter --------------------------------------------------------------------
if have_tool facter; then
        mkdir -p "$work/facter" "$work/facter-empty"
        loader xenprobe.facter.in "$work/facter/xenprobe" "$work/bin-pvhvm"
        t0=$(ms)
        facter --no-cache --external-dir "$work/facter" -j xenprobe >"$work/facter.json" 2>"$work/facter.err"
        rc=$?
        echo "# facter -j xenprobe: $(($(ms) - t0)) ms"
        check "facter: the structured fact xenprobe of the PVHVM capture (exit $rc)" \
                "$(jq -c '.xenprobe | [.schema, .verdict, .mode, .role, .xen_version, .pv_block]' "$work/facter.json" 2>&1)" \
                '[1,"pvhvm","pvhvm","domU","4.17.5","in-use"]'
        core="os.name os.family os.release.major kernel kernelrelease virtual is_virtual xenprobe.mode"
        facter --no-cache --external-dir "$work/facter-empty" -j $core >"$work/core-without.json" 2>/dev/null
        facter --no-cache --external-dir "$work/facter" -j $core >"$work/core-with.json" 2>/dev/null
        check "facter: xenprobe.mode as a dotted query" "$(jq -r '."xenprobe.mode"' "$work/core-with.json")" pvhvm
        if [ "$(jq -S 'del(."xenprobe.mode")' "$work/core-with.json")" = "$(jq -S 'del(."xenprobe.mode")' "$work/core-without.json")" ] &&
                [ "$(jq -r '."os.name"' "$work/core-with.json")" != null ]; then
                pass "facter: core facts (${core% *}) the same with the external fact ($(jq -c 'del(."xenprobe.mode")' "$work/core-with.json"))"
        else
                fail "facter: core facts changed: $(jq -c . "$work/core-without.json") -> $(jq -c . "$work/core-with.json")"
        fi
        # the reason for --wrap, shown: unwrapped, its top-level keys would
        # be facts of their own (here "mode" and "hypervisor" next to core facts)
        mkdir -p "$work/facter-plain"
        printf '#!/bin/sh\nexec "%s" facts\n' "$work/bin-pvhvm/xenprobe" >"$work/facter-plain/xenprobe"
        chmod +x "$work/facter-plain/xenprobe"
        check "facter: unwrapped, the facts would be top-level facts (why the loader wraps)" \
                "$(facter --no-cache --external-dir "$work/facter-plain" mode 2>/dev/null)" pvhvm
fi

# --- Ohai ----------------------------------------------------------------------
if have_tool ohai; then
        mkdir -p "$work/ohai"
        loader xenprobe.rb.in "$work/ohai/xenprobe.rb" "$work/bin-pvhvm"
        chmod -x "$work/ohai/xenprobe.rb"
        t0=$(ms)
        ohai -d "$work/ohai" xenprobe >"$work/ohai.json" 2>"$work/ohai.err"
        rc=$?
        echo "# ohai xenprobe: $(($(ms) - t0)) ms"
        check "ohai: node[\"xenprobe\"] of the PVHVM capture (exit $rc)" \
                "$(jq -c '[.schema, .verdict, .mode, .role, .xen_version, .pv_block]' "$work/ohai.json" 2>&1)" \
                '[1,"pvhvm","pvhvm","domU","4.17.5","in-use"]'
        [ -s "$work/ohai.err" ] && sed 's/^/# ohai: /' "$work/ohai.err" | head -n 5
fi

echo "# $passed passed, $failed failed, $skipped skipped"
[ $failed -gt 0 ] && exit 1
[ $passed -eq 0 ] && exit 77
exit 0
