#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test VM, put into the initramfs by run.sh.  POSIX sh: /bin/sh
# is bash there (busybox ash would run its own modprobe, not kmod's).
#
# Brings up what the command needs (in Xen mode a dom0 with xen-pciback and
# the xl toolstack), loads the payload's pciback_nl.ko, runs the command and
# frames its output between two marker lines on the console:
#   @@PCIBACK-NL-INIT@@        (first thing: the kernel started /init)
#   ...
#   @@PCIBACK-NL-BEGIN@@
#   ...output of the command...
#   @@PCIBACK-NL-END rc=N@@
# then powers off.  A failure to set up is reported the same way, with the
# reason as output and rc=123, so run.sh can tell it from a hang or a crash.
#
# Settings come from /etc/vm-run/ (written by run.sh):
#   mode     "xen" or "native"
#   kver     the kernel version the initramfs was built for
#   modules  host driver modules to load (from topology.conf)
#   cmd      the command, run by /bin/sh with cwd /opt/pciback-nl

PATH=/opt/pciback-nl/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

SETUP_RC=123
PAYLOAD=/opt/pciback-nl

mount -t devtmpfs -o mode=0755 devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
# The kernel has booted and started us (pbnl_boot_failed in lib.sh).
echo '@@PCIBACK-NL-INIT@@'

setup_fail()
{
	echo '@@PCIBACK-NL-BEGIN@@'
	echo "vm-init: $*"
	echo "vm-init: last kernel messages:"
	dmesg | tail -n 25
	echo "@@PCIBACK-NL-END rc=$SETUP_RC@@"
	vm_exit
}

# Power off.  run.sh stops QEMU as soon as it has read the end marker;
# this is for when it has not read it yet.
vm_exit()
{
	sync
	poweroff -f
	sleep 10
	exit 1
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mkdir -p /run/xen /run/lock /var/log/xen/console /var/lib/xen /tmp /root
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
hostname vm
ip link set lo up 2>/dev/null

# Keep the console for the command's output: only emergencies get through.
dmesg -n 1

VM_MODE=$(cat /etc/vm-run/mode)
VM_KVER=$(cat /etc/vm-run/kver)
export VM_MODE VM_KVER

# The topology's host drivers, loaded in parallel (probing is slow under
# TCG) while dom0 comes up; load_drivers_wait reports the failures.
load_drivers()
{
	rm -f /run/modprobe.failed
	read -r mods </etc/vm-run/modules
	for m in $mods; do
		# "a,b": load a then b, in one job
		# shellcheck disable=SC2086 # split at the commas
		(IFS=,; modprobe -a $m || echo "$m" >>/run/modprobe.failed) &
	done
}
load_drivers_wait()
{
	wait
	[ ! -s /run/modprobe.failed ] ||
		setup_fail "cannot load host drivers: $(tr '\n' ' ' </run/modprobe.failed)"
}

if [ "$VM_MODE" = xen ]; then
	grep -q control_d /proc/xen/capabilities 2>/dev/null ||
		[ "$(cat /sys/hypervisor/type 2>/dev/null)" = xen ] ||
		setup_fail "mode xen but the kernel does not run on Xen"
	modprobe -a xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc ||
		setup_fail "cannot load the Xen dom0 modules"
	mount -t xenfs xenfs /proc/xen || setup_fail "cannot mount xenfs"
	grep -q control_d /proc/xen/capabilities ||
		setup_fail "not the initial domain (/proc/xen/capabilities)"
	# before the host drivers, so that xen-pciback.hide= (--append) works
	modprobe xen-pciback || setup_fail "cannot load xen-pciback"
	load_drivers
	xenstored --pid-file /run/xenstored.pid ||
		setup_fail "xenstored failed"
	xen-init-dom0 >/run/xen-init-dom0.log 2>&1 || {
		cat /run/xen-init-dom0.log
		setup_fail "xen-init-dom0 failed"
	}
	xenconsoled --pid-file=/run/xenconsoled.pid --log=guest \
		--log-dir=/var/log/xen/console ||
		setup_fail "xenconsoled failed"
else
	load_drivers
fi
load_drivers_wait

if [ "$VM_MODE" = xen ]; then
	out=$(xl info 2>&1) || setup_fail "xl info failed: $out"
	out=$(xl pci-assignable-list 2>&1) ||
		setup_fail "xl pci-assignable-list failed: $out"
fi

for ko in "$PAYLOAD"/pciback_nl.ko "$PAYLOAD"/pciback_nl.ko.xz \
	  "$PAYLOAD"/pciback_nl.ko.zst "$PAYLOAD"/pciback_nl.ko.gz; do
	[ -f "$ko" ] || continue
	out=$(insmod "$ko" 2>&1) || setup_fail "insmod $ko failed: $out"
	break
done

export HOME=/root TERM=dumb LANG=C TMPDIR=/tmp
cd "$PAYLOAD" 2>/dev/null || cd /
echo '@@PCIBACK-NL-BEGIN@@'
/bin/sh /etc/vm-run/cmd </dev/null
rc=$?
echo "@@PCIBACK-NL-END rc=$rc@@"
vm_exit
