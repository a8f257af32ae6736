#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in dom0 for "make demo": pcibackctl at work next to xen-pciback and
# xl.  A NIC goes from dom0 to a PV guest and back: list, check, hide, the
# guest uses it, unhide.  The guest is the kit of guest-kit.sh (the dom0
# kernel and a busybox initramfs whose /init reports what it sees).
PATH=/opt/pciback-nl/bin:$PATH
export PATH
kit=/opt/pciback-nl/guest
nic=0000:03:00.0

run() {
	echo "dom0# $*"
	"$@"
	echo
}

# The network interface of $nic, "" if none.
ifname() { ls "/sys/bus/pci/devices/$nic/net" 2>/dev/null; }

echo "dom0# lsmod | grep -e pciback"
grep -e pciback /proc/modules | cut -d' ' -f1
echo
run pcibackctl list
if [ "$(cat /sys/bus/pci/devices/$nic/class 2>/dev/null)" != 0x020000 ]; then
	echo "(no network controller at $nic in this topology: the rest is left out)"
	exit 0
fi
run pcibackctl check "$nic"
echo "# $nic is $(ifname) in dom0; it goes to xen-pciback in one step:"
run pcibackctl hide "$nic"
run xl pci-assignable-list

if [ ! -f "$kit/vmlinuz" ] || [ ! -f "$kit/initrd.img" ]; then
	echo "(no guest kit in $kit: the guest part is left out)"
	exit 0
fi
cat >/tmp/demo.cfg <<EOF
name = "demo"
type = "pv"
kernel = "$kit/vmlinuz"
ramdisk = "$kit/initrd.img"
extra = "console=hvc0 iommu=soft loglevel=1 pbnl.linger=120"
memory = 256
pci = [ '${nic#0000:}' ]
EOF
echo "dom0# cat /tmp/demo.cfg"
cat /tmp/demo.cfg
echo
run xl create /tmp/demo.cfg
log=/var/log/xen/console/guest-demo.log
echo "# the guest's console (its /init loads xen-pcifront, then the drivers):"
i=0
while ! grep -q 'PBNL-GUEST: end' "$log" 2>/dev/null && [ "$i" -lt 240 ]; do
	sleep 0.5
	i=$((i + 1))
done
grep '^PBNL-GUEST: ' "$log" | sed 's/^PBNL-GUEST: /guest| /'
echo
run pcibackctl show "$nic"
run xl destroy demo
run pcibackctl unhide "$nic"
echo "# back in dom0: $nic is $(ifname), driver $(basename "$(readlink "/sys/bus/pci/devices/$nic/driver")")"
