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
# Firmware and option ROMs (QEMU's firmware path on Debian: /usr/share/qemu,
# seabios, /usr/lib/ipxe/qemu); /usr/share/qemu holds absolute
# symlinks (efi-virtio.rom -> /usr/lib/ipxe/qemu/...), which would resolve
# in the current root; a directory of links made within $r instead.
# Kept per root and QEMU build (made once, then renamed into place), as
# QEMU must be exec'ed: run.sh stops it by its pid.
key=$(printf '%s %s' "$r" "$(stat -L -c %Y "$r/usr/bin/qemu-system-x86_64")" | cksum | cut -d' ' -f1)
fw=${TMPDIR:-/tmp}/qemu-of-root.$key
if [ ! -d "$fw" ]; then
	mkdir -p "$fw.$$" || exit 1
	for f in "$r"/usr/share/qemu/* "$r"/usr/share/seabios/* "$r"/usr/lib/ipxe/qemu/*; do
		t=$f
		n=0
		while [ -L "$t" ] && [ "$n" -lt 10 ]; do
			l=$(readlink "$t")
			case $l in
			/*) t=$r$l ;;
			*) t=$(dirname "$t")/$l ;;
			esac
			n=$((n + 1))
		done
		[ -e "$fw.$$/${f##*/}" ] || ln -s "$t" "$fw.$$/${f##*/}"
	done
	mv -T "$fw.$$" "$fw" 2>/dev/null || rm -rf "$fw.$$"
fi
# the loader itself, not /lib64/ld-linux-x86-64.so.2: that is an absolute
# symlink, which would lead to the current root's loader
exec "$lib/ld-linux-x86-64.so.2" --library-path "$lib" \
	"$r/usr/bin/qemu-system-x86_64" -L "$fw" "$@"
