#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: the unit tests that need no VM (built with ASan and UBSan).
# Ends with "check: N passed, N failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
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

suite tools make -s -C "$top/tools" check

echo "check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
