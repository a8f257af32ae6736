#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pciback-nl.service, the systemd unit that hides the functions of
# /etc/pciback-nl/hide.conf at boot: its conditions hold in a Xen dom0 with
# a config (ConditionPathExists=, ExecCondition=), and its commands, run
# as systemd would run them (a "-" prefix: failure ignored), hide the
# configured functions; a second start (a restart) succeeds and changes
# nothing; a file with refused lines applies the others and fails, naming
# each refused line.  The test VM has no
# systemd as PID 1, so the unit's own lines are run here.  KTAP.
dir=${PBNL_DIR:-/opt/pciback-nl}
unit=$dir/pciback-nl.service
conf=/etc/pciback-nl/hide.conf
# the two e1000 behind the PCIe-to-PCI bridge: one co-assignment group
devs="0000:09:01.0 0000:09:02.0"

pass=0 fail=0 skip=0 n=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $1"; }
check() { if [ "$1" = 0 ]; then ok "$2"; else not_ok "$2"; fi; }
skipped() { n=$((n + 1)); skip=$((skip + 1)); echo "ok $n $1 # SKIP $2"; }
finish() {
	echo "1..$n"
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
	[ "$fail" -eq 0 ] || exit 1
	[ "$pass" -gt 0 ] || exit 4
	exit 0
}
# Run the shell line $1, its output in /tmp/service_test.out and shown as
# comments; rc is its exit status.
run_logged() {
	rc=0
	sh -c "$1" >/tmp/service_test.out 2>&1 || rc=$?
	sed 's/^/# /' /tmp/service_test.out
}
drv() { d=$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null); echo "${d##*/}"; }

echo "TAP version 13"
if [ ! -d /sys/bus/pci/drivers/pciback ] || [ ! -f "$unit" ]; then
	n=1 skip=1
	echo "ok 1 service # SKIP needs xen-pciback and $unit"
	finish
fi
for d in $devs; do
	if [ ! -e "/sys/bus/pci/devices/$d" ]; then
		n=1 skip=1
		echo "ok 1 service # SKIP no $d in this topology"
		finish
	fi
done

# The unit's lines: "Key=value", the ExecStart* commands with systemd's
# "-" prefix (failure ignored) kept apart; our tool from the payload.
lines()
{
	sed -n "s/^$1=//p" "$unit" | sed "s|/usr/sbin/pcibackctl|$dir/bin/pcibackctl|"
}

before=""
for d in $devs; do before="$before $(drv "$d")"; done
mkdir -p "$(dirname "$conf")"
printf '# service_test\nid 8086:100e\n' >"$conf"

conds=0
for p in $(lines ConditionPathExists); do
	[ -e "$p" ] || { echo "# condition ConditionPathExists=$p fails"; conds=1; }
done
while read -r cmd; do
	[ -z "$cmd" ] || sh -c "$cmd" || { echo "# ExecCondition=$cmd fails"; conds=1; }
done <<LINES
$(lines ExecCondition)
LINES
check $conds "the unit's conditions hold in dom0 with a config"

for round in start restart; do
	rc=0
	while read -r cmd; do
		[ -n "$cmd" ] || continue
		case $cmd in
		-*) sh -c "${cmd#-}" >/dev/null 2>&1 ;;
		*) sh -c "$cmd" >/tmp/service_test.out 2>&1 || rc=$? ;;
		esac
	done <<LINES
$(lines ExecStartPre)
$(lines ExecStart)
LINES
	sed 's/^/# /' /tmp/service_test.out
	check $rc "$round: ExecStart succeeds"
	bad=0
	for d in $devs; do [ "$(drv "$d")" = pciback ] || bad=1; done
	check $bad "$round: the configured functions are on pciback"
done
grep -q 'already hidden' /tmp/service_test.out
check $? "restart: nothing moved again (already hidden)"

# The boot rules: the file is best effort line by line, a group goes whole
# or not at all, each refused line is named with its reason, and the
# status says so.  03:00.0 (alone in its group) goes; 07:00.0 does not
# (its group, behind the switch without ACS, also holds 08:00.0).
if [ -e /sys/bus/pci/devices/0000:03:00.0 ] && [ -e /sys/bus/pci/devices/0000:07:00.0 ]; then
	host03=$(drv 0000:03:00.0) host07=$(drv 0000:07:00.0)
	printf '# best effort\nid 8086:100e\nbogus 1\n0000:fe:00.0\n0000:03:00.0\n0000:07:00.0\n' >"$conf"
	run_logged "$(lines ExecStart)"
	[ "$rc" = 2 ]
	check $? "best effort: ExecStart fails (exit $rc, 2: the first refused line is the file's)"
	[ "$(drv 0000:03:00.0)" = pciback ] && [ "$(drv 0000:07:00.0)" = "$host07" ]
	check $? "best effort: the good line is hidden, the incomplete group is not"
	grep -q "hide.conf:3: unknown selector 'bogus'" /tmp/service_test.out &&
		grep -q "hide.conf:4: 0000:fe:00.0: no such device" /tmp/service_test.out &&
		grep -q "hide.conf:6: 0000:07:00.0: not hidden: .*0000:08:00.0" /tmp/service_test.out
	check $? "best effort: each refused line is named with its reason"
	"$dir/bin/pcibackctl" unhide 0000:03:00.0 >/dev/null 2>&1
	[ "$(drv 0000:03:00.0)" = "$host03" ]
	check $? "best effort: 0000:03:00.0 back on $host03"
else
	skipped "best effort" "no 03:00.0 and 07:00.0 in this topology"
fi

# put everything back
rm -f "$conf"
# shellcheck disable=SC2086 # a list of names
"$dir/bin/pcibackctl" unhide $devs >/dev/null 2>&1
after=""
for d in $devs; do after="$after $(drv "$d")"; done
[ "$after" = "$before" ]
check $? "unhide puts them back ($after)"

# A function the initramfs reserved (here: pciback_nl reloaded with hide=,
# the function re-added) was never put in Xen's quarantine; apply finds it
# already hidden and puts it there, so xl pci-assignable-remove, which
# takes it out first, succeeds (it failed with "failed to de-quarantine").
b=0000:03:00.0
ko=${PBNL_KO:-$dir/pciback_nl.ko}
if [ -e "/sys/bus/pci/devices/$b" ] && [ -f "$ko" ] && command -v xl >/dev/null; then
	hostb=$(drv $b)
	rmmod pciback_nl && insmod "$ko" hide=$b &&
		echo 1 >"/sys/bus/pci/devices/$b/remove" && echo 1 >/sys/bus/pci/rescan
	[ "$(drv $b)" = pciback ]
	check $? "reserved: $b with pciback from the bus's probe on"
	printf '%s\n' $b >"$conf"
	run_logged "$(lines ExecStart)"
	[ "$rc" = 0 ] && grep -q "$b already hidden" /tmp/service_test.out &&
		! grep -q quarantine /tmp/service_test.out
	check $? "reserved: ExecStart finds it already hidden, no quarantine warning"
	run_logged "xl pci-assignable-remove -r $b"
	check $rc "reserved: xl pci-assignable-remove takes it (it was quarantined)"
	echo $b >/sys/bus/pci/drivers_probe
	rmmod pciback_nl && insmod "$ko"
	[ "$(drv $b)" = "$hostb" ]
	check $? "reserved: $b back on $hostb"
else
	skipped reserved "needs $b, $ko and xl"
fi
rm -f "$conf"
finish
