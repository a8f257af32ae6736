#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# qemu-of-root.sh ARGS...: run the qemu-system-x86_64 of another Debian
# root, PBNL_QEMU_ROOT (for example bookworm's QEMU, seen from inside a
# trixie root as /roots/host by scripts/in-root.sh), with that root's own
# loader, libraries, modules (accel-tcg is one) and firmware, so that it
# runs whatever the current root's libraries are.  For run.sh's VM_QEMU.
r=${PBNL_QEMU_ROOT:?qemu-of-root.sh: set PBNL_QEMU_ROOT to the root whose QEMU to run}
lib=$r/usr/lib/x86_64-linux-gnu
[ -x "$r/usr/bin/qemu-system-x86_64" ] || {
	echo "qemu-of-root.sh: no $r/usr/bin/qemu-system-x86_64" >&2
	exit 127
}
QEMU_MODULE_DIR=$lib/qemu
export QEMU_MODULE_DIR
# the loader itself, not /lib64/ld-linux-x86-64.so.2: that is an absolute
# symlink, which would lead to the current root's loader
exec "$lib/ld-linux-x86-64.so.2" --library-path "$lib" \
	"$r/usr/bin/qemu-system-x86_64" -L "$r/usr/share/qemu" -L "$r/usr/share/seabios" "$@"
