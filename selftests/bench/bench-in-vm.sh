#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# (The ways below run through "declare -f" in a shell of their own.)
# shellcheck disable=SC2317
#
# Runs in the benchmark VM's dom0 (topology-bench.conf), started by
# scripts/bench.sh: hides and unhides N FLR-capable functions with the
# four ways there are, interleaved, several times; times pcibackctl -j list
# against lspci -k, and pcibackctl check; reports the module's size and the tool's peak RSS.
#
# Output: "sample METHOD hide|unhide N MS", "sample list|lspci FUNCS MS",
# "sample check|iommucheck FUNCS MS" (pcibackctl check of one function),
# "memory ..." and "cfg ..." lines (config-space accesses, see
# cfg_trace), which scripts/bench.sh sums up (medians, ratios) with
# selftests/bench/summarize.awk.
#
# Environment: BENCH_N ("1 8 32"), BENCH_REPS (5), BENCH_METHODS
# ("echo override xl serial pcibackctl"; serial is pcibackctl with the
# module's concurrent=N, to show what taking steps concurrently gains).
set -u

dir=${PBNL_DIR:-/opt/pciback-nl}
PATH=$dir/bin:$PATH
export PATH
ns=${BENCH_N:-1 8 32}
reps=${BENCH_REPS:-5}
methods=${BENCH_METHODS:-echo override xl serial pcibackctl}
pci=/sys/bus/pci
knob=/sys/module/pciback_nl/parameters/concurrent
failures=0

say() { echo "# $*"; }

driver_of()
{
	local l
	l=$(readlink "$pci/devices/$1/driver" 2>/dev/null) || return 0
	echo "${l##*/}"
}

# The FLR-capable functions on virtio-pci, in bus order.
mapfile -t flr < <(
	for d in "$pci"/devices/*; do
		b=${d##*/}
		[ "$(driver_of "$b")" = virtio-pci ] || continue
		grep -qw flr "$d/reset_method" 2>/dev/null && echo "$b"
	done | sort)
max=0
for n in $ns; do ((n > max)) && max=$n; done
if ((${#flr[@]} < max)); then
	say "need $max FLR-capable virtio-net functions, found ${#flr[@]}"
	exit 1
fi
for d in "${flr[@]}"; do
	for n in "$pci/devices/$d"/virtio*/net/*; do
		[ -e "$n" ] && ip link set dev "${n##*/}" down 2>/dev/null
	done
done

# ----------------------------------------------------------------- ways --

# shellcheck disable=SC2329 # run as hide_$m, unhide_$m
hide_echo()
{
	local d
	for d; do
		echo "$d" >"$pci/devices/$d/driver/unbind"
		echo "$d" >"$pci/drivers/pciback/new_slot"
		echo "$d" >"$pci/drivers/pciback/bind"
	done
}

# shellcheck disable=SC2329 # run as hide_$m, unhide_$m
unhide_echo()
{
	local d
	for d; do
		echo "$d" >"$pci/drivers/pciback/unbind"
		echo "$d" >"$pci/drivers/pciback/remove_slot"
		echo "$d" >"$pci/drivers/virtio-pci/bind"
	done
}

# What libvirt does (driverctl the same, without remove_slot, which
# xen-pciback needs: it adds a function seized through driver_override to
# its slot list, and would take it again on the reprobe).
# shellcheck disable=SC2329 # run as hide_$m, unhide_$m
hide_override()
{
	local d
	for d; do
		echo pciback >"$pci/devices/$d/driver_override"
		echo "$d" >"$pci/devices/$d/driver/unbind"
		echo "$d" >"$pci/drivers_probe"
	done
}

# shellcheck disable=SC2329 # run as hide_$m, unhide_$m
unhide_override()
{
	local d
	for d; do
		echo "$d" >"$pci/drivers/pciback/unbind"
		echo "$d" >"$pci/drivers/pciback/remove_slot"
		echo >"$pci/devices/$d/driver_override"
		echo "$d" >"$pci/drivers_probe"
	done
}

# shellcheck disable=SC2329 # run as hide_$m, unhide_$m
hide_xl()
{
	local d
	for d; do xl pci-assignable-add "$d" || return 1; done
}

# shellcheck disable=SC2329 # run as hide_$m, unhide_$m
unhide_xl()
{
	local d
	for d; do xl pci-assignable-remove -r "$d" || return 1; done
}

# ---------------------------------------------------------------- timing --

# Run "$@" under pbnl-time; print its ms, or "fail".
timed()
{
	local out
	out=$(pbnl-time "$@") || { echo fail; return; }
	out=${out#ms=}
	echo "${out%% *}"
}

all_on()
{
	local want=$1 d
	shift
	for d; do
		[ "$(driver_of "$d")" = "$want" ] || return 1
	done
}

# Put them back on virtio-pci, whatever happened.
restore()
{
	local d
	pcibackctl unhide --force "$@" >/dev/null 2>&1
	for d; do
		[ "$(driver_of "$d")" = virtio-pci ] && continue
		xl pci-assignable-remove -r "$d" >/dev/null 2>&1
		[ -e "$pci/devices/$d/driver" ] &&
			echo "$d" >"$pci/devices/$d/driver/unbind"
		echo >"$pci/devices/$d/driver_override"
		echo "$d" >"$pci/drivers/pciback/remove_slot" 2>/dev/null
		echo "$d" >"$pci/drivers/virtio-pci/bind"
	done
}

# One hide and one unhide of the first $2 functions with way $1.
run_one()
{
	local m=$1 n=$2 devs=("${flr[@]:0:$2}") h u
	case $m in
	pcibackctl|serial)
		# serial: the module's steps one function at a time
		[ "$m" = serial ] && echo N >"$knob"
		h=$(timed pcibackctl hide "${devs[@]}")
		all_on pciback "${devs[@]}" || h=fail
		u=$(timed pcibackctl unhide "${devs[@]}")
		echo Y >"$knob"
		;;
	*)
		# one shell for the whole loop, as a script would do it
		h=$(timed bash -c "pci=$pci; $(declare -f "hide_$m"); hide_$m \"\$@\"" - "${devs[@]}")
		all_on pciback "${devs[@]}" || h=fail
		u=$(timed bash -c "pci=$pci; $(declare -f "unhide_$m"); unhide_$m \"\$@\"" - "${devs[@]}")
		;;
	esac
	all_on virtio-pci "${devs[@]}" || u=fail
	echo "sample $m hide $n $h"
	echo "sample $m unhide $n $u"
	if [ "$h" = fail ] || [ "$u" = fail ]; then
		failures=$((failures + 1))
		restore "${devs[@]}"
	fi
}

say "kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) vCPUs," \
    "$(find "$pci/devices/" -mindepth 1 -maxdepth 1 | wc -l) PCI functions, ${#flr[@]} FLR-capable virtio-net"
say "N: $ns; repetitions: $reps; ways: $methods"
# What starting a process costs here (xl pays it N times).
for ((r = 1; r <= reps; r++)); do
	out=$(pbnl-time /bin/true)
	echo "sample start 1 ${out#ms=}" | sed 's/ rss_kb=.*//'
	# pcibackctl's own start (loading its libraries), before any request
	out=$(pbnl-time pcibackctl --version)
	echo "sample toolstart 1 ${out#ms=}" | sed 's/ rss_kb=.*//'
done
# A first round that is not counted: caches, xenstore, page cache.
for m in $methods; do run_one "$m" 1 >/dev/null; done

read -ra ways <<<"$methods"
set -- "${ways[@]}"
for ((r = 1; r <= reps; r++)); do
	# Rotate the order each repetition, so no way always goes first.
	order=()
	for ((i = 0; i < $#; i++)); do
		k=$(( (i + r) % $# + 1 ))
		order+=("${!k}")
	done
	for n in $ns; do
		for m in "${order[@]}"; do
			run_one "$m" "$n"
		done
	done
done

# ------------------------------------------------------------- listing --

funcs=$(find "$pci/devices/" -mindepth 1 -maxdepth 1 | wc -l)
rss=0
for ((r = 1; r <= reps; r++)); do
	out=$(pbnl-time pcibackctl -j list)
	echo "sample list $funcs ${out#ms=}" | sed 's/ rss_kb=.*//'
	k=$(sed -n 's/.*rss_kb=\([0-9]*\).*/\1/p' <<<"$out")
	((k > rss)) && rss=$k
	out=$(pbnl-time lspci -k)
	echo "sample lspci $funcs ${out#ms=}" | sed 's/ rss_kb=.*//'
done
pcibackctl -j list | grep -o '"name"' | wc -l | sed 's/^/# functions listed by pcibackctl: /'

# ---------------------------------------------------------------- check --

# group-get needs no privilege: its cost on this machine, for one function
# (its closure over every function, and the in-use check of its members)
# and for Linux's IOMMU group of it.
for ((r = 1; r <= reps; r++)); do
	out=$(pbnl-time pcibackctl -j check "${flr[0]}")
	echo "sample check $funcs ${out#ms=}" | sed 's/ rss_kb=.*//'
	out=$(pbnl-time pcibackctl -j check --iommu-group "${flr[0]}")
	echo "sample iommucheck $funcs ${out#ms=}" | sed 's/ rss_kb=.*//'
done

# ------------------------------------------------------------- memory --

out=$(pbnl-time pcibackctl hide "${flr[@]:0:$max}")
k=$(sed -n 's/.*rss_kb=\([0-9]*\).*/\1/p' <<<"$out")
((k > rss)) && rss=$k
pcibackctl unhide "${flr[@]:0:$max}" >/dev/null
echo "memory module_core_bytes $(cat /sys/module/pciback_nl/coresize)"
echo "memory tool_peak_rss_kb $rss"

# ------------------------------------------------ config-space accesses --

# Where a hide's time goes: one more hide and unhide of each N with
# pcibackctl, not in the tables, with ftrace's function_graph tracer
# timing every config-space access.  On x86 the first 256 bytes go
# through pci_conf1_read/_write, which hold the raw spinlock
# pci_config_lock: one access at a time in the whole machine, whatever
# runs concurrently.  busy_ms is the time in which some access was in
# progress (the union of their intervals).  A kprobe on pci_conf1_write
# names the register of each write, to tell writes to the command register
# (which switch a function's decoding on or off) from the rest, and to
# list the costliest registers.  The tracing slows the run: the summary
# uses busy_ms / ms, not busy_ms.  Output: "cfg hide|unhide N ms MS
# busy_ms B writes W write_ms X cmd_writes C cmd_ms Y reads R read_ms Z
# regs NAME:N:MS,..." (see cfgtrace.awk).
cfg_trace()
{
	local t=/sys/kernel/tracing ev=pbnl_bench_cfgw iv=/tmp/pbnl-bench-cfg
	local here op n out fn busy sum buf caps

	here=$(dirname "$0")
	grep -q " $t tracefs" /proc/mounts || mount -t tracefs nodev "$t" 2>/dev/null
	if ! grep -qw function_graph "$t/available_tracers" 2>/dev/null ||
	   ! grep -qx pci_conf1_write "$t/available_filter_functions"; then
		say "config-space trace: no function_graph tracer, or no pci_conf1_write, in this kernel; skipped"
		return 0
	fi
	if ! echo "p:$ev pci_conf1_write reg=%cx" >>"$t/kprobe_events"; then
		say "config-space trace: cannot add a kprobe event on pci_conf1_write; skipped"
		return 0
	fi
	# The functions are all of one model: the capability list of the first
	# names the registers of all ("0x98=MSI-X ..." for cfgtrace.awk).
	caps=$(lspci -v -s "${flr[0]}" 2>/dev/null | sed -n \
		's/^[[:space:]]*Capabilities: \[\([0-9a-f]\{2\}\)\] \([A-Za-z][A-Za-z-]*\).*/0x\1=\2/p' |
		tr '\n' ' ')
	buf=$(cat "$t/buffer_size_kb")
	buf=${buf%% *}	# "7 (expanded: 1408)" before first use
	echo 1 >"$t/events/kprobes/$ev/enable"
	: >"$t/set_ftrace_filter"
	for fn in pci_conf1_read pci_conf1_write pci_mmcfg_read pci_mmcfg_write; do
		echo "$fn" >>"$t/set_ftrace_filter" 2>/dev/null
	done
	echo 16384 >"$t/buffer_size_kb"
	echo function_graph >"$t/current_tracer"
	echo funcgraph-abstime >"$t/trace_options"
	for n in $ns; do
		for op in hide unhide; do
			: >"$t/trace"
			echo 1 >"$t/tracing_on"
			out=$(timed pcibackctl "$op" "${flr[@]:0:$n}")
			echo 0 >"$t/tracing_on"
			if [ "$out" = fail ]; then
				say "config-space trace: pcibackctl $op of $n failed"
				failures=$((failures + 1))
				restore "${flr[@]:0:$n}"
				continue
			fi
			sum=$(awk -v iv="$iv" -v caps="$caps" -f "$here/cfgtrace.awk" "$t/trace")
			busy=$(LC_ALL=C sort -n "$iv" 2>/dev/null |
				awk -v mode=union -f "$here/cfgtrace.awk")
			echo "cfg $op $n ms $out busy_ms $busy $sum"
			rm -f "$iv"
		done
	done
	echo nofuncgraph-abstime >"$t/trace_options"
	echo nop >"$t/current_tracer"
	: >"$t/set_ftrace_filter"
	echo "$buf" >"$t/buffer_size_kb"
	echo 0 >"$t/events/kprobes/$ev/enable"
	echo "-:$ev" >>"$t/kprobe_events"
	echo 1 >"$t/tracing_on"
}
cfg_trace
echo "failures $failures"
exit $((failures > 0))
