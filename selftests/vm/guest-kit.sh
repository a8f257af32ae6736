#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-kit.sh KVER OUTDIR: the PV guest that passthrough_test and the demo
# boot in the test VM's dom0, in OUTDIR:
#   vmlinuz     the kernel KVER (/boot/vmlinuz-KVER, or VM_KERNEL)
#   initrd.img  busybox-static, guest-init.sh as /init, and xen-pcifront
#               with the drivers of the passed-through functions (and their
#               dependencies), decompressed, with depmod's indexes
#   kver        KVER
# The initramfs is cached in build/guest/.  Without busybox-static, the
# kernel or its modules it says why on stderr, leaves OUTDIR empty and
# succeeds: the tests that need a guest then skip.
#
# VM_MODULES (as for run.sh: /lib/modules/VER-like, or a root holding
# lib/modules/VER) and VM_KERNEL name a kernel of your own.
set -euo pipefail

# What the guest may be given: the NICs and the USB controllers of
# topology.conf.  Their dependencies come along.
GUEST_MODULES=(xen-pcifront e1000e e1000 uhci-hcd ehci-pci)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
prog=${0##*/}

(($# == 2)) || { echo "usage: $prog KVER OUTDIR" >&2; exit 2; }
kver=$1
out=$2
cache=${VM_CACHE_GUEST:-$top/build/guest}

skip() { echo "$prog: $*: the tests that boot a guest will skip" >&2; exit 0; }

kernel=${VM_KERNEL:-/boot/vmlinuz-$kver}
modroot=/
if [[ -n ${VM_MODULES:-} ]]; then
	if [[ -d $VM_MODULES/lib/modules/$kver ]]; then
		modroot=$VM_MODULES
	elif [[ $VM_MODULES == */lib/modules/"$kver" ]]; then
		modroot=${VM_MODULES%/lib/modules/"$kver"}
	else
		skip "cannot find lib/modules/$kver in VM_MODULES=$VM_MODULES"
	fi
fi
moddir=${modroot%/}/lib/modules/$kver
busybox=$(command -v busybox 2>/dev/null) || true

mkdir -p "$out"
[[ -f $kernel ]] || skip "no guest kernel $kernel"
[[ -f $moddir/modules.dep ]] || skip "no modules for $kver in $moddir"
# (ldd fails on a static binary)
if [[ -z $busybox ]] || ldd "$busybox" >/dev/null 2>&1; then
	skip "no static busybox (apt-get install busybox-static)"
fi

# A newc archive holding only the character device /dev/console (5:1), so
# that the kernel gives /init a console without our being root to mknod.
console_cpio()
{
	local name hdr
	name=dev/console
	hdr=$(printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		1 $((0020000 | 0600)) 0 0 1 0 0 0 0 5 1 $((${#name} + 1)) 0)
	printf '%s%s\0\0\0' "$hdr" "$name"	# 110 + 12 + 2 = 124
	name=TRAILER!!!
	hdr=$(printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		0 0 0 0 1 0 0 0 0 0 0 $((${#name} + 1)) 0)
	printf '%s%s\0\0\0\0' "$hdr" "$name"	# 110 + 11 + 3 = 124
}

files=()
for m in "${GUEST_MODULES[@]}"; do
	deps=$(modprobe -C /nonexistent -d "$modroot" -S "$kver" --show-depends "$m" 2>/dev/null) ||
		skip "module $m not found for $kver"
	while read -r kind path _; do
		if [[ $kind == insmod ]]; then files+=("$path"); fi
	done <<<"$deps"
done
mapfile -t files < <(printf '%s\n' "${files[@]}" | sort -u)

key=$( {
	sha256sum "$0" "$here/guest-init.sh"
	echo "$kver $moddir"
	stat -L -c '%n %s %Y' "$busybox" "$moddir/modules.dep" "${files[@]}"
} | sha256sum | cut -c1-16)
img=$cache/initrd-$kver-$key.img
if [[ ! -f $img ]]; then
	stage=$(mktemp -d /tmp/pbnl-guest.XXXXXX)
	trap 'rm -rf "$stage"' EXIT
	mkdir -p "$stage"/{bin,dev,proc,sys,tmp} "$stage/lib/modules/$kver"
	cp "$busybox" "$stage/bin/busybox"
	ln -s busybox "$stage/bin/sh"
	install -m 0755 "$here/guest-init.sh" "$stage/init"
	for f in "${files[@]}"; do
		rel=${f#*/lib/modules/"$kver"/}
		dst=$stage/lib/modules/$kver/$rel
		mkdir -p "$(dirname "$dst")"
		# busybox's insmod reads plain ELF only
		case $f in
		*.ko.xz) xz -dc "$f" >"${dst%.xz}" ;;
		*.ko.zst) zstd -dcq "$f" >"${dst%.zst}" ;;
		*.ko.gz) gzip -dc "$f" >"${dst%.gz}" ;;
		*) cp "$f" "$dst" ;;
		esac
	done
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		if [[ -f $moddir/$f ]]; then cp "$moddir/$f" "$stage/lib/modules/$kver/"; fi
	done
	depmod -b "$stage" "$kver"
	mkdir -p "$cache"
	# Uncompressed: the guest kernel unpacks it faster than it inflates it
	# under TCG.
	{
		(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
			cpio -o -H newc -R 0:0 --quiet)
		console_cpio
	} >"$img.tmp"
	mv "$img.tmp" "$img"
	# keep the three newest of this kernel
	find "$cache" -maxdepth 1 -name "initrd-$kver-*.img" -printf '%T@ %p\n' |
		sort -rn | tail -n +4 | while read -r _ f; do rm -f "$f"; done
fi
cp "$img" "$out/initrd.img"
cp -L "$kernel" "$out/vmlinuz"
echo "$kver" >"$out/kver"
