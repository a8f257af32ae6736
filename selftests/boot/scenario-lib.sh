# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034,SC2317,SC2329 # used by the scenarios
#
# What the scenarios share, in the VM: the functions of boottest.sh's
# machine and their host drivers, and helpers.  boottest.sh writes it
# into each scenario's image as /etc/pbnl-boottest/common.inc, which
# pbnl-boottest sources before the scenario.

# The functions main.sh's hide.conf names, with their host drivers.
HIDE_SET=(0000:01:00.0=e1000e 0000:02:00.0=e1000e 0000:03:00.0=e1000e 0000:04:00.0=e1000e
	0000:00:05.0=e1000 0000:00:1d.0=uhci_hcd 0000:00:1d.1=uhci_hcd 0000:00:1d.2=uhci_hcd
	0000:00:1d.7=ehci-pci)
USB_GROUP=(0000:00:1d.0=uhci_hcd 0000:00:1d.1=uhci_hcd 0000:00:1d.2=uhci_hcd 0000:00:1d.7=ehci-pci)

# all_with_pciback BDF=DRIVER...: each of these functions is with pciback
all_with_pciback()
{
	local a rc=0
	for a in "$@"; do
		has_driver "${a%%=*}" pciback || rc=1
	done
	return "$rc"
}

# nothing_with_pciback: no function bound to pciback, none assignable
nothing_with_pciback()
{
	local d bound=""
	for d in /sys/bus/pci/drivers/pciback/0000:*; do
		[[ -e $d ]] && bound+=" ${d##*/}"
	done
	[[ -z $bound ]] || { echo "with pciback:$bound"; return 1; }
}

# every_function_driven: every function but bridges and q35's own
# (host bridge, LPC, SMBus, SATA) has a driver
every_function_driven()
{
	local d b c rc=0
	for d in /sys/bus/pci/devices/*; do
		b=${d##*/} c=$(cat "$d/class")
		case $c in 0x0600*|0x0601*|0x0604*|0x0c05*|0x0106*) continue ;; esac
		if [[ ! -e $d/driver ]]; then
			echo "$b (class $c): no driver"
			rc=1
		elif [[ $(basename "$(readlink "$d/driver")") == pciback ]]; then
			echo "$b (class $c): pciback"
			rc=1
		fi
	done
	return "$rc"
}

# unit_done_before UNIT OTHER: UNIT's start job ended before OTHER began
unit_done_before()
{
	local a b
	a=$(systemctl show -P ExecMainExitTimestampMonotonic "$1")
	b=$(systemctl show -P InactiveExitTimestampMonotonic "$2")
	echo "$1 ExecMainExit $a us, $2 InactiveExit $b us"
	[[ $a =~ ^[0-9]+$ && $b =~ ^[0-9]+$ && $a != 0 && $b != 0 ]] || return 1
	((a <= b))
}

# unit_failed: pciback-nl.service ran and failed
unit_failed()
{
	systemctl status --no-pager -n 0 pciback-nl.service
	[[ $(systemctl show -P Result pciback-nl.service) != success ]] &&
		[[ $(systemctl show -P ActiveState pciback-nl.service) == failed ]]
}

# unit_ok: pciback-nl.service ran and succeeded
unit_ok()
{
	systemctl status --no-pager -n 20 pciback-nl.service
	[[ $(systemctl show -P Result pciback-nl.service) == success ]] &&
		[[ $(systemctl show -P ActiveState pciback-nl.service) == active ]]
}

# reserved_at_boot: pciback_nl's kernel log says it reserved functions
reserved_at_boot() { reserve_lines | grep -E 'reserved'; reserve_lines | grep -qE '[1-9][0-9]* item\(s\) reserved'; }

# run_timed VAR CMD...: run CMD (at most RUN_LIMIT seconds, default 900),
# its output in /tmp/VAR.out (and on the console as it comes), its status
# in /tmp/VAR.rc (124: out of time); print how long it took.  Shortly
# before the limit, the processes still running are printed.
run_timed()
{
	local v=$1 t rc pid limit=${RUN_LIMIT:-900} shown=0
	shift
	t=$(date +%s)
	info "run: $*"
	(timeout -k 10 "$limit" "$@" </dev/null 2>&1; echo $? >"/tmp/$v.rc") |
		tee "/tmp/$v.out" | sed -u 's/^/#   > /' &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if ((shown == 0 && $(date +%s) - t >= limit - 5)); then
			info "$*: still running after $((limit - 5)) s: the processes:"
			ps -eo pid,ppid,etimes,args --forest | tail -n 40 | sed 's/^/#   ps| /'
			shown=1
		fi
		sleep 2
	done
	wait "$pid" 2>/dev/null
	rc=$(cat "/tmp/$v.rc" 2>/dev/null || echo 1)
	info "$*: exit $rc, $(($(date +%s) - t)) s"
}
rc_of() { [[ $(cat "/tmp/$1.rc") == 0 ]] || { tail -n 30 "/tmp/$1.out"; return 1; }; }

# modprobe_conf INITRD: the pciback_nl options inside INITRD
modprobe_conf()
{
	local d
	d=$(mktemp -d)
	unmkinitramfs "$1" "$d" >/dev/null 2>&1
	cat "$d"/etc/modprobe.d/pciback-nl.conf "$d"/main/etc/modprobe.d/pciback-nl.conf 2>/dev/null
	rm -rf "$d"
}
