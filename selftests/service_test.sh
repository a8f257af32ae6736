#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pciback-nl.service, the systemd unit that hides the functions of
# /etc/pciback-nl/hide.conf at boot: its conditions hold in a Xen dom0 with
# a config (ConditionPathExists=, ExecCondition=), and its commands, run
# as systemd would run them (a "-" prefix: failure ignored), hide the
# configured functions; a second start (a restart) succeeds and changes
# nothing.  The test VM has no
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
finish() {
	echo "1..$n"
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
	[ "$fail" -eq 0 ] || exit 1
	[ "$pass" -gt 0 ] || exit 4
	exit 0
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

# put everything back
rm -f "$conf"
# shellcheck disable=SC2086 # a list of names
"$dir/bin/pcibackctl" unhide $devs >/dev/null 2>&1
after=""
for d in $devs; do after="$after $(drv "$d")"; done
[ "$after" = "$before" ]
check $? "unhide puts them back ($after)"
finish
