#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: the unit tests that need no VM (built with ASan and UBSan),
# and the check of the netlink spec against the kernel's YNL tools.
# Ends with "check: N passed, N failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/linux-source-lib.sh
. "$top/scripts/linux-source-lib.sh"
pass=0 fail=0

suite() {
	local name=$1 out line p f
	shift
	out=$(mktemp)
	"$@" 2>&1 | tee "$out"
	local rc=${PIPESTATUS[0]}
	line=$(grep -E '^([a-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$out" | tail -n1)
	rm -f "$out"
	p=$(sed -n 's/^\([a-z-]*: \)\{0,1\}\([0-9]*\) passed.*/\2/p' <<<"$line")
	f=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<<"$line")
	if [ -z "$line" ]; then
		echo "check: $name printed no result (exit $rc)"
		p=0 f=1
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	pass=$((pass + p)) fail=$((fail + f))
}

# spec_uapi_matches PYTHON GENERATOR OUT_DIR SPEC: generate the uapi
# header from SPEC (in a kernel tree, at Documentation/netlink/specs) with
# GENERATOR (that tree's ynl-gen-c.py or ynl_gen_c.py) and check that it
# declares the constants of ours, with the same values.
spec_uapi_matches() {
	local py=$1 gen=$2 out=$3 spec=$4 rc=0

	mkdir -p "$out"
	rm -f "$out/pciback_nl.h" "$out/compare.c"
	if ! (cd "$(dirname "$gen")" &&
	      timeout 120 "$py" "$(basename "$gen")" --mode uapi --header \
		--spec "$spec" -o "$out/pciback_nl.h") >"$out/ynl.log" 2>&1; then
		# a traceback: its last line is the reason
		echo "spec: $(basename "$gen") failed: $(grep -E '^[A-Za-z_.]+(Error|Exception)' "$out/ynl.log" | tail -n1)"
		return 1
	fi
	"$py" - "$out/pciback_nl.h" "$top/include/uapi/linux/pciback_nl.h" \
		"$out" <<'EOF' || rc=1
import re, sys
gen, ours, out = sys.argv[1], sys.argv[2], sys.argv[3]
guard = "_UAPI_LINUX_PCIBACK_NL_H"

def names(text):
    found = re.findall(r"^#define\s+(\w+)", text, re.M)
    found += re.findall(r"^\s*(\w+)\s*(?:=[^,\n]*)?,", text, re.M)
    return [n for n in found if n != guard]

gtext, otext = open(gen).read(), open(ours).read()
gnames, onames = names(gtext), names(otext)
bad = False
for n in sorted(set(onames) - set(gnames)):
    print("spec: %s is in pciback_nl.h but not generated from the spec" % n)
    bad = True
for n in sorted(set(gnames) - set(onames)):
    print("spec: %s is generated from the spec but not in pciback_nl.h" % n)
    bad = True
# The generated header under other names, next to ours in one unit.
renamed = re.sub(r"\b(_*)PCIBACK_", r"\1GEN_PCIBACK_", gtext)
renamed = re.sub(r"\benum pciback_", "enum gen_pciback_", renamed)
renamed = renamed.replace(guard, "GEN" + guard)
open(out + "/gen_renamed.h", "w").write(renamed)
strings = set(re.findall(r'^#define\s+(\w+)\s+"', gtext, re.M))
common = [n for n in gnames if n in onames]
with open(out + "/compare.c", "w") as f:
    f.write('#include <linux/pciback_nl.h>\n#include "gen_renamed.h"\n\n')
    for n in common:
        g = re.sub(r"^(_*)PCIBACK_", r"\1GEN_PCIBACK_", n)
        if n in strings:
            f.write('_Static_assert(__builtin_strcmp(%s, %s) == 0, "%s");\n'
                    % (n, g, n))
        else:
            f.write('_Static_assert((long long)(%s) == (long long)(%s), "%s");\n'
                    % (n, g, n))
print("spec: comparing the values of %d constants" % len(common))
sys.exit(1 if bad else 0)
EOF
	[ -f "$out/compare.c" ] || return 1
	${CC:-cc} -std=gnu11 -Wall -Werror -fsyntax-only -fmax-errors=20 \
		-I"$top/include/uapi" -I"$out" "$out/compare.c" || rc=1
	return $rc
}

# The newest linux-source here: /usr/src/linux-source-X.Y.tar.xz (the
# package) or an unpacked /usr/src/linux-source-X.Y, by version.
newest_linux_source() {
	local s
	for s in /usr/src/linux-source-*; do
		case $s in
		*.tar.xz) [ -r "$s" ] || continue ;;
		*) [ -f "$s/Makefile" ] || continue ;;
		esac
		printf '%s\t%s\n' "$(basename "$s" .tar.xz)" "$s"
	done | sort -V -k1,1 | tail -n1 | cut -f2
}

# The YAML spec, with the kernel's own tools from the newest linux-source
# (their files copied into build/spec once per source): 1. it validates
# against Documentation/netlink/genetlink-c.yaml; 2. the uapi header that
# tools/net/ynl's C generator (ynl-gen-c.py in 6.12, pyynl/ynl_gen_c.py
# where newer trees moved it) makes of it declares exactly the constants of
# include/uapi/linux/pciback_nl.h, with the same values (compiled: one
# static assertion per constant).
spec_check() {
	local src dir=$top/build/spec kdir=$top/build/spec/linux
	local spec=$top/Documentation/netlink/specs/pciback.yaml
	local py="" p pass=0 fail=0 gen="" name

	for p in /usr/bin/python3 python3; do
		if command -v "$p" >/dev/null 2>&1 &&
		   "$p" -c 'import yaml, jsonschema' 2>/dev/null; then
			py=$p
			break
		fi
	done
	src=$(newest_linux_source)
	if [ -z "$py" ] || [ -z "$src" ]; then
		echo "spec: needs python3 with yaml and jsonschema, and linux-source-6.12 or newer (make deps)"
		echo "spec: 0 passed, 2 failed"
		return 1
	fi
	name=$(basename "$src" .tar.xz)
	if ! pbnl_source_copy "$src" "$kdir" Documentation/netlink/genetlink-c.yaml tools/net/ynl; then
		echo "spec: cannot copy the schema and tools/net/ynl from $src (6.1's has none)"
		echo "spec: 0 passed, 2 failed"
		return 1
	fi
	# the generator finds the tree's root by its MAINTAINERS file
	touch "$kdir/MAINTAINERS"
	for p in "$kdir/tools/net/ynl/pyynl/ynl_gen_c.py" "$kdir/tools/net/ynl/ynl-gen-c.py"; do
		if [ -f "$p" ]; then
			gen=$p
			break
		fi
	done
	if [ -z "$gen" ]; then
		echo "spec: $name has neither tools/net/ynl/pyynl/ynl_gen_c.py nor tools/net/ynl/ynl-gen-c.py"
		echo "spec: 0 passed, 2 failed"
		return 1
	fi
	mkdir -p "$kdir/Documentation/netlink/specs"
	cp "$spec" "$kdir/Documentation/netlink/specs/pciback.yaml"

	if "$py" - "$kdir/Documentation/netlink/genetlink-c.yaml" "$spec" <<'EOF'
import sys, yaml, jsonschema
schema = yaml.safe_load(open(sys.argv[1]))
spec = yaml.safe_load(open(sys.argv[2]))
try:
    jsonschema.validate(spec, schema)
except jsonschema.ValidationError as e:
    print("spec: schema: %s: %s" % ("/".join(map(str, e.absolute_path)), e.message))
    sys.exit(1)
EOF
	then
		echo "ok spec validates against $name's genetlink-c.yaml"
		pass=$((pass + 1))
	else
		echo "not ok spec validates against $name's genetlink-c.yaml"
		fail=$((fail + 1))
	fi

	if spec_uapi_matches "$py" "$gen" "$dir/gen" \
		"$kdir/Documentation/netlink/specs/pciback.yaml"; then
		echo "ok the uapi header from $name's $(basename "$gen") matches pciback_nl.h"
		pass=$((pass + 1))
	else
		echo "not ok the uapi header from $name's $(basename "$gen") matches pciback_nl.h"
		fail=$((fail + 1))
	fi

	echo "spec: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

# The boot-time files: the initramfs-tools hook and init-top script parse
# as POSIX sh and pass shellcheck; the systemd unit passes systemd-analyze
# verify (with the tool at this tree's path, the man page not looked up).
boot_files_check() {
	local pass=0 fail=0 f unit
	for f in "$top/tools/initramfs/hook" "$top/tools/initramfs/init-top"; do
		if sh -n "$f" && shellcheck -s sh "$f"; then
			echo "ok ${f#"$top"/}"
			pass=$((pass + 1))
		else
			echo "not ok ${f#"$top"/}"
			fail=$((fail + 1))
		fi
	done
	unit=$(mktemp -d)/pciback-nl.service
	sed "s|/usr/sbin/pcibackctl|$top/tools/pcibackctl|" \
		"$top/tools/pciback-nl.service" >"$unit"
	if make -s -C "$top" tool >/dev/null &&
	   systemd-analyze verify --man=no "$unit"; then
		echo "ok tools/pciback-nl.service"
		pass=$((pass + 1))
	else
		echo "not ok tools/pciback-nl.service"
		fail=$((fail + 1))
	fi
	rm -rf "$(dirname "$unit")"
	echo "boot-files: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

# The VM runner's rule for booting once more (pbnl_boot_failed, lib.sh):
# which failed runs it retries, on console logs cut from real boots.
vm_check() {
	local pass=0 fail=0 d="$top/selftests/vm/testdata" c log out rc hang want got

	# shellcheck source=selftests/vm/lib.sh
	. "$top/selftests/vm/lib.sh"
	while read -r log out rc hang want; do
		[ "$hang" = - ] && hang=
		if got=$(pbnl_boot_failed "$d/$log" "$d/$out" "$rc" ${hang:+"$hang"}); then
			got="retry: $got"
		else
			got=no
		fi
		c="$log $out rc=$rc${hang:+ $hang}"
		if [[ $got == "$want"* ]]; then
			echo "ok boot_failed $c: $got"
			pass=$((pass + 1))
		else
			echo "not ok boot_failed $c: $got, want $want"
			fail=$((fail + 1))
		fi
	done <<-EOF
		boot-hang.log empty.out 124 hang retry: the boot hung
		boot-hang.log empty.out 124 - no
		boot-hang.log empty.out 125 hang no
		boot-hang.log empty.out 1 hang no
		init-hang.log empty.out 124 hang no
		boot-panic.log empty.out 125 hang retry: the kernel crashed
		boot-panic.log empty.out 125 - retry: the kernel crashed
		boot-panic.log tests-started.out 125 hang no
		panic-loaded.log empty.out 125 hang no
		missing.log empty.out 124 hang no
	EOF
	echo "vm: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

# The benchmark's scripts (make bench itself needs the VM): shellcheck,
# the config-space trace parser on a trace excerpt with known sums, and
# the summaries of two recorded runs against the summaries they must give.
bench_check() {
	local pass=0 fail=0 d="$top/selftests/bench" t out c

	t=$(mktemp -d)
	if shellcheck -e SC1091 "$top/scripts/bench.sh" "$d/bench-in-vm.sh"; then
		echo "ok bench scripts: shellcheck"
		pass=$((pass + 1))
	else
		echo "not ok bench scripts: shellcheck"
		fail=$((fail + 1))
	fi
	out=$(awk -v iv="$t/iv" -v caps="0x40=Express 0x98=MSI-X" -f "$d/cfgtrace.awk" \
		"$d/testdata/cfgtrace.txt")
	out+=" busy $(LC_ALL=C sort -n "$t/iv" | awk -v mode=union -f "$d/cfgtrace.awk")"
	if [ "$out" = "writes 4 write_ms 1530 cmd_writes 2 cmd_ms 1510 reads 3 read_ms 0 regs command:2:1510,Express+0x8:1:20 busy 1520" ]; then
		echo "ok cfgtrace.awk"
		pass=$((pass + 1))
	else
		echo "not ok cfgtrace.awk: $out"
		fail=$((fail + 1))
	fi
	# recorded runs: 6.1, 5 repetitions, all ways; a short one with the
	# writes by register
	for c in "" -regs; do
		if awk -f "$d/summarize.awk" "$d/testdata/samples$c.txt" >"$t/summary" &&
		   diff -u "$d/testdata/summary$c.txt" "$t/summary"; then
			echo "ok summarize.awk samples$c.txt"
			pass=$((pass + 1))
		else
			echo "not ok summarize.awk samples$c.txt"
			fail=$((fail + 1))
		fi
	done
	rm -rf "$t"
	echo "bench: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

suite tools make -s -C "$top/tools" check
suite fuzz make -s -C "$top/tools" fuzz
suite engine make -s -C "$top/tests/engine" check
suite acs-table bash "$top/scripts/acs-table-check.sh"
suite spec spec_check
suite boot-files boot_files_check
suite bench bench_check
suite vm vm_check

echo "check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
