#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM (busybox sh): every selftest binary in
# /opt/pciback-nl/selftests, as KTAP, then a check that the kernel logged
# no oops, BUG, WARN or atomic-sleep splat.  Ends with one line
# "# Totals: pass:N fail:N skip:N" that the host adds up.
dir=${PBNL_DIR:-/opt/pciback-nl}
PATH=$dir/bin:$PATH
export PATH

mods=$(awk '$1 == "pciback_nl" || $1 == "xen_pciback" { printf "%s ", $1 }' /proc/modules)
echo "# kernel $(uname -r); xen: $(cat /proc/xen/capabilities 2>/dev/null || echo none); loaded: $mods"

# Arguments: only these selftests (default: all).
tests=${*:-$(ls "$dir/selftests")}
n=1
for t in $tests; do n=$((n + 1)); done

pass=0
fail=0
skip=0
i=0
echo "TAP version 13"
echo "1..$n"
for t in $tests; do
	i=$((i + 1))
	echo "# selftests: pciback: $t"
	out=/tmp/ksft-$t.out
	"$dir/selftests/$t" > "$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	line=$(grep '^# Totals: ' "$out" | tail -n1)
	p=$(echo "$line" | sed -n 's/.*Totals: pass:\([0-9]*\).*/\1/p')
	f=$(echo "$line" | sed -n 's/.* fail:\([0-9]*\).*/\1/p')
	s=$(echo "$line" | sed -n 's/.* skip:\([0-9]*\).*/\1/p')
	pass=$((pass + ${p:-0}))
	skip=$((skip + ${s:-0}))
	if [ -z "$line" ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "${f:-0}" -eq 0 ]; }; then
		# crashed or exited without a result line: one failure
		f=$(( ${f:-0} + 1 ))
	fi
	fail=$((fail + ${f:-0}))
	if [ "$rc" -eq 0 ]; then
		echo "ok $i selftests: pciback: $t"
	elif [ "$rc" -eq 4 ]; then
		echo "ok $i selftests: pciback: $t # SKIP"
	else
		echo "not ok $i selftests: pciback: $t # exit=$rc"
	fi
done

i=$((i + 1))
splat=$(dmesg | grep -E 'BUG:|WARNING:|Oops|general protection|sleeping function called|UBSAN|KASAN|kmemleak|lockdep|possible circular' | head -n 20)
if [ -z "$splat" ]; then
	pass=$((pass + 1))
	echo "ok $i dmesg_clean"
else
	fail=$((fail + 1))
	echo "$splat" | sed 's/^/# dmesg: /'
	echo "not ok $i dmesg_clean"
fi

echo "# Totals: pass:$pass fail:$fail skip:$skip"
[ "$fail" -eq 0 ]
