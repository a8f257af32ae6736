#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the supported Debian kernels installed here, one release per line:
# the newest 6.1 and the newest 6.12 that have both an image in /boot and
# matching headers (/lib/modules/VER/build).
set -euo pipefail

for series in 6.1 6.12; do
	newest=""
	for img in /boot/vmlinuz-"$series".*; do
		[ -e "$img" ] || continue
		ver=${img#/boot/vmlinuz-}
		[ -e "/lib/modules/$ver/build/Makefile" ] || continue
		newest=$(printf '%s\n%s\n' "$newest" "$ver" | sed '/^$/d' | sort -V | tail -n1)
	done
	if [ -z "$newest" ]; then
		echo "kernels.sh: no Debian $series kernel with headers installed (make deps)" >&2
		exit 1
	fi
	echo "$newest"
done
