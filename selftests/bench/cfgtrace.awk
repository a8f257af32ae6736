# SPDX-License-Identifier: GPL-2.0
#
# Config-space accesses in an ftrace function_graph trace (funcgraph-abstime
# on, the filter pci_conf1_read, pci_conf1_write, pci_mmcfg_read,
# pci_mmcfg_write, and the kprobe event pbnl_bench_cfgw on pci_conf1_write
# with "reg=%cx"), for bench-in-vm.sh.
#
#   awk -v iv=FILE [-v caps="0x40=Express 0x9c=MSI-X ..."] -f cfgtrace.awk TRACE
#       writes each access's interval "START_MS END_MS" to FILE and prints
#       "writes W write_ms X cmd_writes C cmd_ms Y reads R read_ms Z
#       regs NAME:N:MS,..." (the command register is 0x04; the times
#       include any wait for pci_config_lock).  regs: the writes through
#       pci_conf1_write by register, the costliest first, at most 6 ("-"
#       for none); a register is named after the standard header or, with
#       caps (the functions' capability offsets and names), as
#       CAPABILITY+OFFSET, else by its offset.
#   sort -n FILE | awk -v mode=union -f cfgtrace.awk
#       prints the union of the intervals in ms (the time in which some
#       access was in progress)
#
# Trace lines: "  TS |  CPU)  DURATION us |  pci_conf1_read();" (a leaf:
# TS is its start), "  TS |  CPU)  |  pci_conf1_write() {" (a block's
# start), "  TS |  CPU)  |  /* pbnl_bench_cfgw: ... reg=0x4 */",
# "  TS |  CPU)  DURATION us |  }" (the block's end).  DURATION may carry
# a marker (+ ! # * @ $) and has no decimals from 1 s up.

# hex("0x1f") = 31 (mawk has no strtonum)
function hex(s,   i, v)
{
	s = tolower(s)
	sub(/^0x/, "", s)
	v = 0
	for (i = 1; i <= length(s); i++)
		v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}

function regname(r,   o, n, i, a, kv, co, bo, best)
{
	o = hex(r)
	if (o == 4)
		return "command"
	if (o == 6)
		return "status"
	if (o == 12)
		return "cacheline"
	if (o == 13)
		return "latency"
	if (o >= 16 && o < 40 && o % 4 == 0)
		return "BAR" (o - 16) / 4
	if (o == 48)
		return "ROM"
	if (o == 60)
		return "intline"
	bo = -1
	n = split(caps, a, " ")
	for (i = 1; i <= n; i++) {
		if (split(a[i], kv, "=") != 2)
			continue
		co = hex(kv[1])
		if (co >= 64 && co <= o && co > bo) {
			bo = co
			best = kv[2]
		}
	}
	if (bo >= 0)
		return sprintf("%s+0x%x", best, o - bo)
	return sprintf("0x%x", o)
}

mode == "union" {
	if (NR == 1 || $1 > end) {
		busy += end - start
		start = $1
		end = $2
	} else if ($2 > end) {
		end = $2
	}
	next
}

{
	if (!match($0, /^ *[0-9]+\.[0-9]+ \| +[0-9]+\)/))
		next
	ts = $1 * 1000
	cpu = $3 + 0
	d = 0
	if (match($0, /[0-9]+(\.[0-9]+)? us/))
		d = substr($0, RSTART, RLENGTH - 3) / 1000
}
/pci_conf1_write\(\) \{/ {
	open[cpu] = ts
	reg[cpu] = ""
	next
}
/pbnl_bench_cfgw:/ {
	if (match($0, /reg=0x[0-9a-f]+/))
		reg[cpu] = substr($0, RSTART + 4, RLENGTH - 4)
	next
}
/\| +\}/ && (cpu in open) {
	printf "%.3f %.3f\n", open[cpu], ts > iv
	delete open[cpu]
	w++
	ws += d
	if (reg[cpu] == "0x4") {
		c++
		cs += d
	}
	if (reg[cpu] != "") {
		name = regname(reg[cpu])
		if (!(name in rn))
			names[++nnames] = name
		rn[name]++
		rms[name] += d
	}
	next
}
/pci_conf1_write\(\);|pci_mmcfg_write\(\);/ {
	printf "%.3f %.3f\n", ts, ts + d > iv
	w++
	ws += d
	next
}
/pci_conf1_read\(\);|pci_mmcfg_read\(\);/ {
	printf "%.3f %.3f\n", ts, ts + d > iv
	r++
	rs += d
	next
}

END {
	if (mode == "union")
		printf "%.0f\n", NR ? busy + end - start : 0
	else {
		# the costliest first (a selection sort: mawk has no asort)
		regs = ""
		for (k = 1; k <= nnames && k <= 6; k++) {
			best = k
			for (i = k + 1; i <= nnames; i++)
				if (rms[names[i]] > rms[names[best]])
					best = i
			name = names[best]
			names[best] = names[k]
			names[k] = name
			regs = regs (k > 1 ? "," : "") sprintf("%s:%d:%.0f", name, rn[name], rms[name])
		}
		printf "writes %d write_ms %.0f cmd_writes %d cmd_ms %.0f reads %d read_ms %.0f regs %s\n",
			w, ws, c, cs, r, rs, (regs == "" ? "-" : regs)
	}
}
