#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the supported Debian kernels installed here, one release per line,
# oldest series first: of each supported series, the newest release that
# has both an image in /boot and matching headers (/lib/modules/VER/build).
#
#   bookworm   6.1 and 6.12 (both needed)
#   others     the series of the kernel the installed linux-image-amd64
#              depends on (trixie: 6.12, sid: its newest); without that
#              package, every series of an installed -amd64 kernel
#
# The suite is VERSION_CODENAME in /etc/os-release.
set -euo pipefail

# shellcheck source=/dev/null
codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")

# newest SERIES: the newest release of SERIES with image and headers
newest() {
	local img ver newest=""
	for img in /boot/vmlinuz-"$1".*; do
		[ -e "$img" ] || continue
		ver=${img#/boot/vmlinuz-}
		[ -e "/lib/modules/$ver/build/Makefile" ] || continue
		newest=$(printf '%s\n%s\n' "$newest" "$ver" | sed '/^$/d' | sort -V | tail -n1)
	done
	echo "$newest"
}

case $codename in
bookworm)
	series=(6.1 6.12)
	;;
*)
	mapfile -t series < <(
		dpkg-query -W -f='${Status}\t${Depends}\n' linux-image-amd64 2>/dev/null |
			sed -n 's/^install ok installed\t.*linux-image-\([0-9]\+\.[0-9]\+\)[^ ,]*-amd64.*/\1/p'
	)
	if [ ${#series[@]} -eq 0 ]; then
		mapfile -t series < <(
			for img in /boot/vmlinuz-*-amd64; do
				[ -e "$img" ] || continue
				sed -n 's|^/boot/vmlinuz-\([0-9]\+\.[0-9]\+\).*|\1|p' <<<"$img"
			done | sort -uV
		)
	fi
	if [ ${#series[@]} -eq 0 ]; then
		echo "kernels.sh: no Debian kernel installed (make deps)" >&2
		exit 1
	fi
	;;
esac

for s in "${series[@]}"; do
	ver=$(newest "$s")
	if [ -z "$ver" ]; then
		echo "kernels.sh: no Debian $s kernel with headers installed (make deps)" >&2
		exit 1
	fi
	echo "$ver"
done
