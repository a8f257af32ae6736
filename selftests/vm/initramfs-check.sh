# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# /scripts/pbnlcheck in the initramfs that boot-initramfs.sh builds with
# initramfs-tools: Debian's /init sources it for "boot=pbnlcheck" after
# init-top (pciback-nl's script, then udev loading the host drivers) and
# the modules; instead of mounting a root file system, mountroot() checks
# that the functions of the config went to xen-pciback and were never
# bound by their host driver, prints KTAP between the run.sh markers and
# powers off.  Functions: see boot-initramfs.sh (RESERVED, REFUSED, HOSTS).

mountroot()
{
	udevadm settle --timeout=120 >/dev/null 2>&1
	pass=0
	fail=0
	n=0
	echo '@@PCIBACK-NL-BEGIN@@'
	echo "TAP version 13"
	ok()
	{
		n=$((n + 1))
		if [ "$1" = 0 ]; then
			pass=$((pass + 1))
			echo "ok $n $2"
		else
			fail=$((fail + 1))
			echo "not ok $n $2"
		fi
	}
	drv()
	{
		d=$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)
		echo "${d##*/}"
	}
	grep -q '^pciback_nl ' /proc/modules
	ok $? "pciback_nl loaded from the initramfs ($(cat /sys/module/pciback_nl/parameters/hide 2>/dev/null))"
	for f in $RESERVED; do
		[ "$(drv "$f")" = pciback ]
		# shellcheck disable=SC2319 # the status of the test above
		ok $? "$f is bound to pciback (bound: $(drv "$f"))"
		[ "$(cat "/sys/bus/pci/devices/$f/driver_override" 2>/dev/null)" = pciback ]
		# shellcheck disable=SC2319 # the status of the test above
		ok $? "$f is reserved (driver_override pciback)"
		! dmesg | grep -E "(e1000e|virtio-pci|virtio_pci|e1000) $f" | grep -v 'pciback' | grep -q .
		ok $? "$f was never probed by a host driver"
		dmesg | grep -q "$f: hide: reserved for pciback"
		ok $? "$f was reserved by pciback_nl"
	done
	for f in $REFUSED; do
		dmesg | grep -q "$f: hide: not reserved: its group also holds"
		ok $? "$f (listed, but not its whole group) was not reserved"
	done
	for pair in $HOSTS; do
		f=${pair%%=*}
		want=${pair#*=}
		[ "$(drv "$f")" = "$want" ]
		# shellcheck disable=SC2319 # the status of the test above
		ok $? "$f (not reserved) is bound to its host driver $want (bound: $(drv "$f"))"
	done
	splat=$(dmesg | grep -E 'BUG:|WARNING:|Oops|general protection|sleeping function called')
	[ -z "$splat" ]
	# shellcheck disable=SC2319 # the status of the test above
	ok $? "dmesg_clean"
	[ -z "$splat" ] || echo "$splat" | sed 's/^/# dmesg: /'
	if [ "$fail" -ne 0 ]; then
		dmesg | grep -E 'pciback|e1000e|virtio' | sed 's/^/# /' | tail -n 40
	fi
	echo "1..$n"
	echo "# Totals: pass:$pass fail:$fail skip:0"
	echo "@@PCIBACK-NL-END rc=$([ "$fail" -eq 0 ] && echo 0 || echo 1)@@"
	sync
	echo o >/proc/sysrq-trigger
	sleep 30
}
