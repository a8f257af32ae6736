#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make test: every suite (unit tests, style, selftests in the Xen VM on each
# supported kernel, DKMS, the Debian packages, the Debian matrix of trixie
# and sid), the boot tests of a Debian dom0 disk image without the kernel
# upgrade (BOOT_UPGRADE=0: DKMS under TCG alone takes half an hour;
# BOOTTEST_ONLY names the machines, "" none), then one line "N passed,
# N failed, N skipped".  Each suite's own line goes to build/test-summary.txt
# (README's support matrix reads it).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0 skip=0

run_suite() {
	local name=$1 out line p f s rc
	shift
	out=$(mktemp)
	echo "=== $name"
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[a-z]+: [0-9]+ passed, [0-9]+ failed' "$out" | tail -n1)
	rm -f "$out"
	p=$(sed -n 's/^[a-z]*: \([0-9]*\) passed.*/\1/p' <<<"$line")
	f=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<<"$line")
	s=$(sed -n 's/.* \([0-9]*\) skipped.*/\1/p' <<<"$line")
	if [ -z "$line" ]; then
		echo "test: $name printed no result (exit $rc)"
		p=0 f=1
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + ${s:-0}))
	echo "${line:-$name: 0 passed, 1 failed, 0 skipped}" >>"$summary"
}

mkdir -p "$top/build"
summary=$top/build/test-summary.txt
: >"$summary"

run_suite check "$top/scripts/check.sh"
run_suite style "$top/scripts/style.sh"
run_suite vmtest make -s -C "$top" vmtest
run_suite dkms "$top/scripts/dkms-test.sh"
run_suite deb "$top/scripts/deb.sh"
run_suite matrix "$top/scripts/matrix.sh"
boot_only=${BOOTTEST_ONLY-main,cmdline,bad-config,root-disk}
if [ -n "$boot_only" ]; then
	run_suite boottest env BOOT_UPGRADE="${BOOT_UPGRADE:-0}" \
		"$top/selftests/boot/boottest.sh" --only "$boot_only"
fi
"$top/scripts/support-matrix.sh" || true

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
