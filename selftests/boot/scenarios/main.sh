# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034 # TESTS, FIRST_BOOT...: read by boottest.sh
# shellcheck disable=SC2016 # bash -c snippets, expanded in the check
#
# make boottest, the main chain: an administrator's dom0 from first boot
# to package removal, one image, five boots.
#   1 Xen, 6.1  the unit hides hide.conf's functions (the initramfs has
#               no list yet); update-initramfs writes it
#   2 Xen, 6.1  boot-hide (reserved by the initramfs), boot-xl-interop;
#               a guest in /etc/xen/auto
#   3 Xen, 6.1  boot-autostart (xendomains started it at boot); dpkg -i
#               of the 6.12 image and headers while the functions are
#               hidden: DKMS, update-initramfs (the ifname and mac lines
#               from what pcibackctl remembered)
#   4 Xen, 6.12 boot-kernel-upgrade; apt-get purge pcibackctl
#               pciback-nl-dkms with the functions hidden
#   5 Xen, 6.12 boot-purge
# BOOT_UPGRADE=0 (boottest.sh's environment) skips the upgrade: boot 3
# purges, boot 4 is the last.
TESTS="boot-hide boot-autostart boot-xl-interop boot-kernel-upgrade boot-purge"
FIRST_BOOT="xen=1"
MAX_BOOTS=6
# One function per kind of selector, and the USB group whole (four lines).
HIDE_CONF='# make boottest: main chain
ifname enp1s0
mac 52:54:00:b0:02:00
0000:03:00.0
path 0000:00:07.0/00.0
id 8086:100e
0000:00:1d.0
0000:00:1d.1
0000:00:1d.2
0000:00:1d.7'

host_setup()
{
	local f
	f=$(mktemp)
	echo "${BOOT_UPGRADE:-1}" >"$f"
	img_write "$1" "$f" /etc/pbnl-boottest/upgrade 0644
	rm -f "$f"
}

stage_1()
{
	check boot-hide "first boot (no list in the initramfs yet): pciback-nl.service gave hide.conf's nine functions to pciback" \
		all_with_pciback "${HIDE_SET[@]}"
	check boot-hide "pciback-nl.service succeeded" unit_ok
	RUN_LIMIT=800 run_timed initramfs update-initramfs -u -k "$KVER"
	check boot-hide "update-initramfs -u with hide.conf: exit 0" rc_of initramfs
	check boot-hide "initrd.img-$KVER reserves the nine functions (pciback_nl.hide= with nine items)" \
		initrd_items "/boot/initrd.img-$KVER" 9
	next_boot xen=1 kver="$KVER"
}

# initrd_items INITRD N: INITRD's pciback_nl.hide= has at least N items
initrd_items()
{
	local c
	c=$(modprobe_conf "$1")
	echo "$c"
	(($(sed -n 's/.*hide=//p' <<<"$c" | tr ',' '\n' | grep -c .) >= $2))
}

stage_2()
{
	check boot-hide "the nine functions are with pciback" all_with_pciback "${HIDE_SET[@]}"
	check boot-hide "pciback_nl reserved them at boot (kernel log)" reserved_at_boot
	check boot-hide "their host drivers never probed them (kernel log)" never_probed "${HIDE_SET[@]}"
	check boot-hide "pciback-nl.service succeeded" unit_ok
	check boot-hide "pciback-nl.service finished before xendomains.service started" \
		unit_done_before pciback-nl.service xendomains.service
	check boot-hide "pciback-nl.service: After= udev settled" bash -c \
		'systemctl show -p After -p ExecStartPre pciback-nl.service; systemctl show -P After pciback-nl.service | grep -qw systemd-udev-settle.service || systemctl show -P ExecStartPre pciback-nl.service | grep -q "udevadm settle"'
	# Debian runs xen-init-dom0 from /etc/init.d/xen (xen.service)
	check boot-hide "pciback-nl.service: Before= xendomains.service and xen.service (xen-init-dom0)" bash -c \
		'b=$(systemctl show -P Before pciback-nl.service); echo "Before=$b"; [[ " $b " == *" xendomains.service "* && " $b " == *" xen.service "* ]]'
	check boot-hide "pciback-nl.service: a start timeout" bash -c \
		't=$(systemctl show -P TimeoutStartUSec pciback-nl.service); echo "TimeoutStartUSec=$t"; [[ -n $t && $t != infinity ]]'
	key_done boot-hide

	# boot-xl-interop.  03:00.0 was reserved at boot (it never had e1000e,
	# so no driver is recorded anywhere): xl takes it out of Xen's
	# quarantine (pciback-nl.service put it there) and out of pciback;
	# the bus then gives it e1000e.
	RUN_LIMIT=300 run_timed xlrm xl pci-assignable-remove -r 03:00.0
	check boot-xl-interop "xl pci-assignable-remove -r 03:00.0 (reserved at boot): exit 0" rc_of xlrm
	echo 0000:03:00.0 >/sys/bus/pci/drivers_probe
	check boot-xl-interop "... released: the bus gives it e1000e" has_driver 0000:03:00.0 e1000e
	# hidden by pcibackctl from e1000e: xl -r gives it back to e1000e
	RUN_LIMIT=300 run_timed hide pcibackctl hide 0000:03:00.0
	check boot-xl-interop "pcibackctl hide 03:00.0 (from e1000e): exit 0" rc_of hide
	RUN_LIMIT=300 run_timed xlrm2 xl pci-assignable-remove -r 03:00.0
	check boot-xl-interop "xl pci-assignable-remove -r of a pcibackctl-hidden function: exit 0" rc_of xlrm2
	check boot-xl-interop "... gives it back to its host driver e1000e" has_driver 0000:03:00.0 e1000e
	# hidden by xl from e1000e: pcibackctl unhide gives it to the driver xl recorded
	RUN_LIMIT=300 run_timed xladd xl pci-assignable-add 03:00.0
	check boot-xl-interop "xl pci-assignable-add 03:00.0: exit 0, with pciback" \
		bash -c 'rc_of xladd && has_driver 0000:03:00.0 pciback'
	RUN_LIMIT=300 run_timed unhide pcibackctl unhide 0000:03:00.0
	check boot-xl-interop "pcibackctl unhide of a function xl pci-assignable-add hid: exit 0" rc_of unhide
	check boot-xl-interop "... gives it to the driver xl recorded, e1000e" has_driver 0000:03:00.0 e1000e
	key_done boot-xl-interop

	# the guest xendomains starts at the next boot
	cat >/etc/xen/auto/pbnl-guest.cfg <<-'CFG'
	name = "pbnl-guest"
	type = "pv"
	kernel = "/var/lib/pbnl-boottest/guest/vmlinuz"
	ramdisk = "/var/lib/pbnl-boottest/guest/initrd.img"
	extra = "console=hvc0 iommu=soft pbnl.expect=1 pbnl.linger=600"
	memory = 256
	vcpus = 1
	pci = [ '00:05.0' ]
	CFG
	# xenconsoled logs the guest's console (Debian's /etc/init.d/xen
	# passes XENCONSOLED_ARGS of /etc/default/xen)
	mkdir -p /var/log/xen/console
	echo 'XENCONSOLED_ARGS="--log=guest --log-dir=/var/log/xen/console"' >>/etc/default/xen
	next_boot xen=1 kver="$KVER"
}

stage_3()
{
	# boot-autostart: xendomains started the guest of /etc/xen/auto
	local log=/var/log/xen/console/guest-pbnl-guest.log i
	for ((i = 0; i < 180; i++)); do
		grep -q 'PBNL-GUEST: end' "$log" 2>/dev/null && break
		sleep 1
	done
	info "xl list: $(xl list 2>&1 | tr '\n' ';')"
	if [[ -f $log ]]; then grep 'PBNL-GUEST' "$log" | head -n 20 | sed 's/^/#   guest| /'; fi
	check boot-autostart "xendomains started pbnl-guest from /etc/xen/auto" \
		bash -c "journalctl -b -u xendomains.service -o cat | tail -n 5; grep -q 'PBNL-GUEST: begin' $log"
	check boot-autostart "the guest has the e1000 (0000:00:00.0 there), bound to e1000, eth0, mac 52:54:00:b0:00:05" \
		grep -E 'PBNL-GUEST: dev 0000:00:00.0 id=8086:100e .*driver=e1000 net=eth[0-9]+ mac=52:54:00:b0:00:05' "$log"
	xl destroy pbnl-guest 2>/dev/null
	rm -f /etc/xen/auto/pbnl-guest.cfg
	key_done boot-autostart

	if [[ -z $KVER_UP || $(cat /etc/pbnl-boottest/upgrade 2>/dev/null) == 0 ]]; then
		skip boot-kernel-upgrade "left out (BOOT_UPGRADE=0, or no upgrade kernel for this suite)"
		purge_stage
	fi
	# boot-kernel-upgrade: the next kernel, with its headers
	say "EXTEND 3600"
	RUN_LIMIT=3300 run_timed upgrade dpkg -i /var/cache/pbnl-boottest/kernel-up/*.deb
	check boot-kernel-upgrade "dpkg -i linux-image and linux-headers $KVER_UP: exit 0" rc_of upgrade
	check boot-kernel-upgrade "DKMS built and installed pciback_nl for $KVER_UP" \
		bash -c "dkms status pciback-nl; find /lib/modules/$KVER_UP/updates/dkms -name 'pciback_nl.ko*' | grep ."
	check boot-kernel-upgrade "update-initramfs for $KVER_UP: no W: line while the ifname/mac functions are hidden" \
		bash -c '! grep "^W:" /tmp/upgrade.out'
	check boot-kernel-upgrade "initrd.img-$KVER_UP reserves the nine functions (pciback_nl.hide= with nine items)" \
		initrd_items "/boot/initrd.img-$KVER_UP" 9
	next_boot xen=1 kver="$KVER_UP"
}

stage_4()
{
	if [[ $KVER == "$KVER_FIRST" ]]; then
		purge_checks
		return
	fi
	check boot-kernel-upgrade "booted $KVER_UP" test "$KVER" = "$KVER_UP"
	check boot-kernel-upgrade "$KVER_UP: the nine functions are with pciback" all_with_pciback "${HIDE_SET[@]}"
	check boot-kernel-upgrade "$KVER_UP: pciback_nl reserved them at boot (kernel log)" reserved_at_boot
	check boot-kernel-upgrade "$KVER_UP: their host drivers never probed them" never_probed "${HIDE_SET[@]}"
	check boot-kernel-upgrade "$KVER_UP: pciback_nl is DKMS's" \
		bash -c 'modinfo -F filename pciback_nl; modinfo -F filename pciback_nl | grep -q /updates/dkms/'
	key_done boot-kernel-upgrade
	purge_stage
}

# boot-purge, with the functions hidden; then the next boot checks
purge_stage()
{
	say "EXTEND 2400"
	check boot-purge "before: the nine functions are with pciback" all_with_pciback "${HIDE_SET[@]}"
	RUN_LIMIT=2000 run_timed purge apt-get purge -y -q pcibackctl pciback-nl-dkms
	check boot-purge "apt-get purge pcibackctl pciback-nl-dkms: exit 0" rc_of purge
	check boot-purge "no pciback_nl left in /lib/modules" bash -c '! find /lib/modules -name "pciback_nl.ko*" | grep .'
	check boot-purge "nothing of pciback-nl left in initrd.img-$KVER" \
		bash -c "! lsinitramfs /boot/initrd.img-$KVER | grep -E 'pciback_nl|pciback-nl'"
	next_boot xen=1 kver="$KVER"
}

purge_checks()
{
	check boot-purge "after the purge: hide.conf's functions with their host drivers" drivers_are "${HIDE_SET[@]}"
	check boot-purge "nothing with pciback" nothing_with_pciback
	check boot-purge "no function left without a driver" every_function_driven
	key_done boot-purge
}

stage_5() { purge_checks; }
