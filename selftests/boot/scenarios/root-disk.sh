# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034 # TESTS, FIRST_BOOT...: read by boottest.sh
# shellcheck disable=SC2016 # bash -c snippets, expanded in the check
#
# make boottest, boot-root-disk: hide.conf names the root disk's
# controller (virtio-blk, 00:03.0) and a NIC.  update-initramfs warns,
# the unit refuses the controller (in use), the NIC is hidden, and the
# machine boots, before and after update-initramfs.  Then, with that
# hide.conf and initramfs: boot-without-xen (the same kernel without
# Xen: every function keeps its host driver) and boot-reserve0 (Xen
# with pciback_nl.reserve=0, the way out: nothing hidden).
TESTS="boot-root-disk boot-without-xen boot-reserve0"
FIRST_BOOT="xen=1"
MAX_BOOTS=5
HIDE_CONF='0000:00:03.0
0000:04:00.0'

root_checks()
{
	check boot-root-disk "the machine reached multi-user.target, / on the virtio disk" bash -c \
		'systemctl is-active multi-user.target; findmnt -n -o SOURCE,OPTIONS /; findmnt -n -o SOURCE / | grep -q "^/dev/vda"'
	check boot-root-disk "the root disk's controller 00:03.0 keeps virtio-pci" has_driver 0000:00:03.0 virtio-pci
	check boot-root-disk "the NIC 04:00.0 is with pciback" has_driver 0000:04:00.0 pciback
	check boot-root-disk "the unit refused hide.conf:1 (the root disk's controller) and failed" bash -c \
		'journalctl -b -o cat --no-pager | grep -E "^pcibackctl: /etc/pciback-nl/hide.conf:1: .+" &&
		 [[ $(systemctl show -P ActiveState pciback-nl.service) == failed ]]'
}

stage_1()
{
	root_checks
	RUN_LIMIT=600 run_timed initramfs update-initramfs -u -k "$KVER"
	check boot-root-disk "update-initramfs -u: exit 0" rc_of initramfs
	check boot-root-disk "update-initramfs warned (W:), naming the root disk's controller" \
		bash -c 'grep -E "^W: " /tmp/initramfs.out && grep -E "00:03\.0.*(holds|mounted|root|in use)" /tmp/initramfs.out'
	info "module options: $(pcibackctl apply --module-options 2>&1)"
	next_boot xen=1 kver="$KVER_FIRST"
}

stage_2()
{
	root_checks
	check boot-root-disk "after update-initramfs: the NIC reserved at boot (e1000e never probed it)" \
		never_probed 0000:04:00.0=e1000e
	key_done boot-root-disk
	next_boot xen=0 kver="$KVER_FIRST"
}

stage_3()
{
	check boot-without-xen "no Xen" test "$XEN" = 0
	check boot-without-xen "the NIC of hide.conf (04:00.0) and the root disk's controller with their host drivers" \
		drivers_are 0000:04:00.0=e1000e 0000:00:03.0=virtio-pci
	check boot-without-xen "no function left without a driver (bridges and q35's own aside)" every_function_driven
	check boot-without-xen "pciback-nl.service did not fail" bash -c '! systemctl is-failed -q pciback-nl.service'
	key_done boot-without-xen
	next_boot xen=1 kver="$KVER_FIRST" append=pciback_nl.reserve=0
}

stage_4()
{
	check boot-reserve0 "Xen, and pciback_nl.reserve=0 on the command line" \
		bash -c '[[ $XEN == 1 ]] && grep -qw pciback_nl.reserve=0 /proc/cmdline'
	check boot-reserve0 "the NIC of hide.conf (04:00.0) with e1000e" has_driver 0000:04:00.0 e1000e
	check boot-reserve0 "nothing with pciback" nothing_with_pciback
	check boot-reserve0 "pciback-nl.service did not fail" bash -c '! systemctl is-failed -q pciback-nl.service'
	key_done boot-reserve0
}
