# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034 # TESTS, FIRST_BOOT...: read by boottest.sh
# shellcheck disable=SC2016 # bash -c snippets, expanded in the check
#
# make boottest, boot-bad-config: hide.conf with good lines and refused
# ones (a typo, an unknown selector word, a device that is not there, a
# busy device: enp5s0 is up, brought up by pbnl-busy.service before the
# unit runs; half of the USB group).  The good lines are applied, each
# refused line is named with its line number in the journal, in
# systemctl status and on the console, the unit fails, the machine
# boots; and once more after update-initramfs.
TESTS="boot-bad-config"
FIRST_BOOT="xen=1"
MAX_BOOTS=3
HIDE_CONF='# make boottest: bad-config (line 1)
0000:01:00.0
0000:02:00.Z
colour 52:54:00:b0:03:00
0000:0a:00.0
0000:05:00.0
0000:00:1d.0
id 8086:100e'

host_setup()
{
	local disk=$1 f
	f=$(mktemp)
	cat >"$f" <<-'UNIT'
	# make boottest: enp5s0 up before pciback-nl.service (a busy device).
	# Not bound to the device unit: its 90 s job timeout ran out once
	# under load.
	[Unit]
	DefaultDependencies=no
	Wants=systemd-udev-settle.service
	After=systemd-udev-settle.service
	Before=pciback-nl.service

	[Service]
	Type=oneshot
	RemainAfterExit=yes
	ExecStart=/bin/sh -c 'i=0; until ip link set enp5s0 up; do i=$((i + 1)); [ $i -lt 300 ] || exit 1; sleep 1; done'
	UNIT
	img_write "$disk" "$f" /etc/systemd/system/pbnl-busy.service 0644 &&
		img_symlink "$disk" /etc/systemd/system/sysinit.target.wants/pbnl-busy.service \
			/etc/systemd/system/pbnl-busy.service
	rm -f "$f"
}

# bad_config_checks LINE...: the checks of both boots; LINEs: hide.conf's
# lines the unit must refuse
bad_config_checks()
{
	local n
	check boot-bad-config "the machine reached multi-user.target" systemctl is-active multi-user.target
	check boot-bad-config "pciback-nl.service failed" unit_failed
	for n in "$@"; do
		check boot-bad-config "journal: 'pcibackctl: /etc/pciback-nl/hide.conf:$n: <reason>'" \
			bash -c "journalctl -b -o cat --no-pager | grep -E '^pcibackctl: /etc/pciback-nl/hide.conf:$n: .+'"
	done
	check boot-bad-config "systemctl status pciback-nl shows the refused lines" bash -c \
		"systemctl status --no-pager -n 40 pciback-nl.service; [[ \$(systemctl status --no-pager -n 40 pciback-nl.service | grep -cE 'hide.conf:[0-9]+: ') -ge $# ]]"
	check boot-bad-config "good lines applied: 01:00.0 (address) and 00:05.0 (id) with pciback" \
		drivers_are 0000:01:00.0=pciback 0000:00:05.0=pciback
	check boot-bad-config "the USB group, named by half (one line), keeps its host drivers" drivers_are "${USB_GROUP[@]}"
}

stage_1()
{
	info "enp5s0: $(ip -br link show enp5s0 2>&1)"
	info "journal of pciback-nl.service:"
	journalctl -b -u pciback-nl.service -o cat --no-pager | sed 's/^/#   | /'
	bad_config_checks 3 4 5 6 7
	check boot-bad-config "the busy one (05:00.0, enp5s0 up) keeps e1000e" has_driver 0000:05:00.0 e1000e
	console_has boot-bad-config 'pcibackctl:./etc/pciback-nl/hide.conf:3:' "hide.conf:3 (typo) on the console"
	console_has boot-bad-config 'pcibackctl:./etc/pciback-nl/hide.conf:6:' "hide.conf:6 (busy) on the console"
	RUN_LIMIT=600 run_timed initramfs update-initramfs -u -k "$KVER"
	check boot-bad-config "update-initramfs -u: exit 0" rc_of initramfs
	# enp5s0 stays down from now on
	rm -f /etc/systemd/system/sysinit.target.wants/pbnl-busy.service
	next_boot xen=1 kver="$KVER_FIRST"
}

stage_2()
{
	# enp5s0 is not up now: line 6 may go (reserved at boot)
	info "journal of pciback-nl.service:"
	journalctl -b -u pciback-nl.service -o cat --no-pager | sed 's/^/#   | /'
	bad_config_checks 3 4 5 7
	check boot-bad-config "after update-initramfs: 01:00.0 and 00:05.0 reserved at boot (their drivers never probed them)" \
		never_probed 0000:01:00.0=e1000e 0000:00:05.0=e1000
	key_done boot-bad-config
}
