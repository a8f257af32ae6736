#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# in-root.sh SUITE COMMAND [ARG...]
#
# Run COMMAND inside the Debian root of SUITE (made by debian-root.sh),
# in a copy of this source tree at /src/pciback-nl of that root, with that
# suite's compiler, headers, Xen, QEMU and libraries: what a user of SUITE
# would build and run.  The copy holds the tracked and untracked (not
# ignored) files of the working tree; its build/ survives between calls
# as a cache.  /proc, /sys, /dev and /dev/pts are bind-mounted for the
# command and unmounted afterwards.  Other roots are visible read-only
# at /roots/SUITE, and this host's root at /roots/host.
# Exits with COMMAND's status.  Needs root.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
suite=${1:?usage: in-root.sh SUITE COMMAND [ARG...]}
shift
[ $# -gt 0 ] || { echo "usage: in-root.sh SUITE COMMAND [ARG...]" >&2; exit 2; }
roots=${PBNL_ROOTS:-$top/build/roots}
root=$roots/$suite
src=/src/pciback-nl

if [ ! -e "$root/.pbnl-ready" ]; then
	echo "in-root: no $suite root at $root (scripts/debian-root.sh $suite)" >&2
	exit 1
fi
[ "$(id -u)" -eq 0 ] || { echo "in-root: needs root (chroot)" >&2; exit 1; }

# One user of a root at a time (its copy of the tree, its apt).
exec 9>"$roots/.$suite.lock"
flock 9

mkdir -p "$root$src"
find "$root$src" -mindepth 1 -maxdepth 1 ! -name build -exec rm -rf {} +
# shellcheck disable=SC2016 # the inner shell's $f
(cd "$top" && git ls-files -co --exclude-standard -z |
	xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
	tar --null -T - -cf -) | tar -xf - -C "$root$src"

mounted=()
# shellcheck disable=SC2317,SC2329 # run by the EXIT trap
undo() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}"
	done
}
trap undo EXIT
bind() {
	mkdir -p "$2"
	mount --bind "$1" "$2"
	mounted+=("$2")
	[ "${3:-}" != ro ] || mount -o remount,bind,ro "$2"
}
bind /proc "$root/proc"
bind /sys "$root/sys"
bind /dev "$root/dev"
bind /dev/pts "$root/dev/pts"
for other in "$roots"/*/; do
	other=${other%/}
	# shellcheck disable=SC2015 # skip unless both hold
	[ "$other" != "$root" ] && [ -e "$other/.pbnl-ready" ] || continue
	bind "$other" "$root/roots/${other##*/}" ro
done
# and this host's root, read-only (its QEMU: selftests/vm/qemu-of-root.sh)
bind / "$root/roots/host" ro

rc=0
# shellcheck disable=SC2016 # the inner shell's $0 and $@
LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive HOME=/root TMPDIR=/tmp \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	chroot "$root" /bin/sh -c 'cd "$0" && exec "$@"' "$src" "$@" || rc=$?
exit "$rc"
