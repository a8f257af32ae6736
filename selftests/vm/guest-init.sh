#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the PV guest that the passthrough selftests and the demo boot in
# the test VM's dom0 (guest-kit.sh puts it into the guest's initramfs, with
# busybox and the modules).  Loads xen-pcifront, waits for the functions
# dom0 passed through, loads their drivers by modalias, reports what it
# sees on the console (hvc0; dom0's xenconsoled logs it) and powers off.
#
# Kernel command line (read from /proc/cmdline):
#   pbnl.expect=N  wait until N PCI functions are there (default 1)
#   pbnl.wait=S    for at most S seconds (default 20)
#   pbnl.linger=S  after the report, stay up S seconds before powering off
#                  (default 0), for dom0 to destroy the guest while its
#                  pcifront is connected: xl then releases the functions
#                  at once instead of waiting 10 s for each
#
# Every report line starts with "PBNL-GUEST: ":
#   begin KVER
#   pcifront: N functions after S s
#   dev BDF id=VVVV:DDDD class=0xCCCCCC driver=NAME net=IF mac=MAC usb=usbN
#     (one per PCI function; empty values for what is not there)
#   ndev N
#   end
# "end" comes last, after everything else was said: a log without it is a
# guest that did not finish.

PATH=/bin
export PATH

/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys

say() { echo "PBNL-GUEST: $*"; }

# Seconds since boot (loops below are bounded by the clock, not by a
# count: under TCG each round of a loop takes a while).
now() { read -r up _ </proc/uptime; echo "${up%.*}"; }

# $1 with leading "0x" removed.
hex() { v=$(cat "$1" 2>/dev/null); echo "${v#0x}"; }

# The number of PCI functions.
nfuncs() {
	c=0
	for f in /sys/bus/pci/devices/*; do
		[ -e "$f" ] && c=$((c + 1))
	done
	echo "$c"
}

expect=1
wait_s=20
linger=0
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case $arg in
	pbnl.expect=*) expect=${arg#*=} ;;
	pbnl.wait=*) wait_s=${arg#*=} ;;
	pbnl.linger=*) linger=${arg#*=} ;;
	esac
done

say "begin $(uname -r)"
modprobe xen-pcifront || say "modprobe xen-pcifront failed"

# pcifront adds the functions once it has talked to dom0's pciback.
start=$(now)
end=$((start + wait_s))
while [ "$(nfuncs)" -lt "$expect" ] && [ "$(now)" -lt "$end" ]; do
	sleep 0.2
done
say "pcifront: $(nfuncs) functions after $(($(now) - start)) s"

# Drivers, chosen by the functions' modaliases as udev would.
for d in /sys/bus/pci/devices/*; do
	[ -e "$d/modalias" ] || continue
	modprobe -q "$(cat "$d/modalias")" 2>/dev/null
done

# Bound, and done probing: an interface, or a USB bus, or neither.
end=$(($(now) + 15))
while [ "$(now)" -lt "$end" ]; do
	pending=0
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d" ] || continue
		if [ ! -e "$d/driver" ]; then
			pending=1
		elif [ ! -d "$d/net" ] && ! ls -d "$d"/usb[0-9]* >/dev/null 2>&1; then
			pending=1
		fi
	done
	[ "$pending" = 0 ] && break
	sleep 0.2
done

count=0
for d in /sys/bus/pci/devices/*; do
	[ -e "$d" ] || continue
	count=$((count + 1))
	drv=
	[ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
	net=
	mac=
	for f in "$d"/net/*; do
		[ -e "$f" ] || continue
		net=$(basename "$f")
		mac=$(cat "$f/address")
	done
	usb=
	for f in "$d"/usb[0-9]*; do
		[ -e "$f" ] && usb=$(basename "$f")
	done
	say "dev $(basename "$d") id=$(hex "$d/vendor"):$(hex "$d/device")" \
		"class=$(cat "$d/class") driver=$drv net=$net mac=$mac usb=$usb"
done
say "ndev $count"
dmesg | grep -iE 'pcifront|e1000|uhci|ehci|usb [0-9]|error|fail' | tail -n 30 |
	sed 's/^/PBNL-GUEST-LOG: /'
say end
# Give xenconsoled time to read the ring before the domain goes.
sleep 1
[ "$linger" -gt 0 ] && sleep "$linger"
poweroff -f
