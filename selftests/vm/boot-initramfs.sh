#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot-time hiding, end to end: build a real initramfs with Debian's
# initramfs-tools (mkinitramfs) holding pciback-nl's hook and init-top
# script and a config naming two functions of the test bed (one by address,
# one by PCI path), boot Xen with it as dom0's initramfs, and let
# initramfs-check.sh report from inside that no host driver ever bound them
# while udev loaded the host drivers for everything else.
#
#   boot-initramfs.sh KVER
#
# The module is PBNL_KO if set, else the installed one (pciback-nl-dkms)
# when modinfo finds it for KVER, else this tree's build; PBNL_KO and the
# tree's build are installed for the time of mkinitramfs under
# /lib/modules/KVER/updates/pciback-nl-test.
# Needs root (mkinitramfs, depmod).  Ends with the VM's "# Totals:" line.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
kver=${1:?usage: boot-initramfs.sh KVER}
here=$top/selftests/vm
# One function by address, and a whole group by path (09:01.0 and 09:02.0
# below the PCIe-to-PCI bridge 00:07.0), with host drivers built as modules
# (e1000e, e1000): a driver built into the kernel (virtio-pci in Debian's)
# binds before any initramfs runs.  And one function whose group is not
# listed whole (07:00.0, behind the switch without ACS with 08:00.0): it is
# not reserved, and its host driver binds it like the unlisted ones.
reserved="0000:03:00.0 0000:09:01.0 0000:09:02.0"
refused="0000:07:00.0"
hosts="0000:07:00.0=e1000e"

tmp=$(mktemp -d)
testmod=/lib/modules/$kver/updates/pciback-nl-test
cleanup()
{
	if [ -d "$testmod" ]; then
		rm -rf "$testmod"
		depmod "$kver"
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() { echo "boot-initramfs: $*" >&2; echo "# Totals: pass:0 fail:1 skip:0"; exit 1; }

[ "$(id -u)" = 0 ] || fail "needs root (mkinitramfs, depmod)"
command -v mkinitramfs >/dev/null || fail "needs initramfs-tools"
make -s -C "$top" tool >&2 || fail "cannot build the tool"
ko=${PBNL_KO:-}
if [ -z "$ko" ] && ! modinfo -k "$kver" -F filename pciback_nl >/dev/null 2>&1; then
	make -s -C "$top" module KVER="$kver" >&2 || fail "cannot build the module"
	ko=$top/build/pciback_nl-$kver.ko
fi
if [ -n "$ko" ]; then
	install -D -m 0644 "$ko" "$testmod/pciback_nl.ko"
	depmod "$kver"
fi
echo "# module: $(modinfo -k "$kver" -F filename pciback_nl)" >&2

cat >"$tmp/hide.conf" <<CONF
# boot-time hiding test: functions of the test bed
0000:03:00.0
path 0000:00:07.0/01.0
path 0000:00:07.0/02.0
0000:07:00.0
CONF

# initramfs-tools' configuration, plus this tree's hook and script
cp -a /etc/initramfs-tools "$tmp/conf"
mkdir -p "$tmp/conf/hooks" "$tmp/conf/scripts/init-top"
install -m 0755 "$top/tools/initramfs/hook" "$tmp/conf/hooks/pciback-nl"
install -m 0755 "$top/tools/initramfs/init-top" "$tmp/conf/scripts/init-top/pciback-nl"
# /scripts/pbnlcheck, the "boot=" script that reports instead of mounting
{
	echo "RESERVED=\"$reserved\""
	echo "REFUSED=\"$refused\""
	echo "HOSTS=\"$hosts\""
	cat "$here/initramfs-check.sh"
} >"$tmp/conf/scripts/pbnlcheck"
start=$(date +%s)
PCIBACKCTL=$top/tools/pcibackctl PCIBACK_NL_CONF=$tmp/hide.conf \
	mkinitramfs -d "$tmp/conf" -o "$tmp/initrd.img" "$kver" >"$tmp/mkinitramfs.log" 2>&1 ||
	{ cat "$tmp/mkinitramfs.log" >&2; fail "mkinitramfs failed"; }
grep -E '^[WE]:' "$tmp/mkinitramfs.log" >&2
echo "# mkinitramfs: $(( $(date +%s) - start )) s, $(du -k "$tmp/initrd.img" | cut -f1) KiB" >&2

# what the hook put in
lsinitramfs "$tmp/initrd.img" >"$tmp/list"
opts=$(unmkinitramfs "$tmp/initrd.img" "$tmp/x" >/dev/null 2>&1 &&
       cat "$tmp"/x/main/etc/modprobe.d/pciback-nl.conf "$tmp"/x/etc/modprobe.d/pciback-nl.conf 2>/dev/null)
echo "# initramfs: $opts" >&2
grep -q 'pciback_nl.ko' "$tmp/list" || fail "the hook did not add pciback_nl"
grep -q 'scripts/init-top/pciback-nl' "$tmp/list" || fail "init-top/pciback-nl is missing"
grep -q 'scripts/pbnlcheck' "$tmp/list" || fail "scripts/pbnlcheck is missing"
[ -n "$opts" ] || fail "no modprobe options for pciback_nl in the initramfs"

mkdir -p "$tmp/payload"
"$here/run.sh" --kver "$kver" --initrd "$tmp/initrd.img" --append "boot=pbnlcheck" \
	--timeout "${VM_TIMEOUT:-300}" --log "$top/build/vm/$kver-initramfs.log" "$tmp/payload"
