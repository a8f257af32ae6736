#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Style checks: checkpatch.pl --strict (from the linux-source package) on
# the module, the ABI header, the tool and the selftests.  Ends with the
# summary line "N passed, N failed" (one check per file).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cp_dir="$top/build/checkpatch"
tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n1)

if [ ! -x "$cp_dir/scripts/checkpatch.pl" ]; then
	if [ -z "$tarball" ]; then
		echo "style: need linux-source-6.x for checkpatch.pl (make deps)" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
	mkdir -p "$cp_dir"
	tar -xJf "$tarball" -C "$cp_dir" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi

cd "$top"
pass=0
fail=0
check() {
	local f=$1; shift
	local out
	out=$("$cp_dir/scripts/checkpatch.pl" --no-tree --quiet --show-types \
		--strict -f "$@" "$f" 2>&1)
	if [ -z "$out" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "$out"
	fi
}

# Kernel code: no exceptions.
for f in kmod/*.c kmod/*.h include/uapi/linux/pciback_nl.h; do
	check "$f"
done
# Userspace: kernel style too, minus what only makes sense in the kernel.
us_ignore=SPLIT_STRING,PREFER_KERNEL_TYPES,NEW_TYPEDEFS,SPDX_LICENSE_TAG,LONG_LINE_STRING,PREFER_DEFINED_ATTRIBUTE_MACRO,CAMELCASE
for f in tools/*.c tools/*.h tools/tests/*.c selftests/*.c selftests/*.h selftests/bench/*.c; do
	[ -e "$f" ] || continue
	check "$f" --ignore "$us_ignore"
done

echo "style: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
