# SPDX-License-Identifier: GPL-2.0
#
# Sum up bench-in-vm.sh's output: medians of each way, N and direction, the
# ratio of each peer to pcibackctl, pcibackctl's growth with N, listing
# times, memory.  With -v rst=1 the tables are reStructuredText (for
# Documentation/benchmarks.rst), else plain text.

function median(key,    n, i, j, t, a) {
	n = split(samples[key], a, " ")
	for (i = 2; i <= n; i++) {		# insertion sort, n is small
		t = a[i] + 0
		for (j = i - 1; j >= 1 && a[j] + 0 > t; j--)
			a[j + 1] = a[j]
		a[j + 1] = t
	}
	if (n == 0)
		return -1
	return n % 2 ? a[(n + 1) / 2] + 0 : (a[n / 2] + a[n / 2 + 1]) / 2
}

function ratio(a, b) {
	return (a > 0 && b > 0) ? sprintf("%.1fx", a / b) : "-"
}

# One line of the targets: "name: measured (target), met" or "not met".
function target(name, a, b, want, atleast,    r) {
	if (a <= 0 || b <= 0)
		return
	r = a / b
	printf "%s%s: %.1fx (target %s %.0fx): %s\n", rst ? "| " : "  ", name, r,
		atleast ? ">=" : "<=", want,
		(atleast ? r >= want : r <= want) ? "met" : "not met"
}

# One line of the bounds that pcibackctl's floor sets: for a target
# "at least @want", peer / pcibackctl <= @a / @b; for "at most", >=.
# Return: the line, or "" without the numbers.
function bound(name, a, b, want, atleast,    r, out) {
	if (a <= 0 || b <= 0)
		return ""
	r = a / b
	out = atleast ? r < want : r > want
	return sprintf("%s%s %s %.2fx (target %s %.0fx): %s\n", rst ? "| " : "  ",
		name, atleast ? "<=" : ">=", r, atleast ? ">=" : "<=", want,
		out ? "out of reach here" : "not ruled out by this alone")
}

# pcibackctl's floor for @op of @n functions: its own start plus the
# config-space busy time of its request (which begins after the start),
# estimated as the busy share of the traced run (tracing slows a run)
# times this run's median.  -1 without the numbers.
function floor_ms(op, n,    key, t, start) {
	key = op " " n
	t = median("pcibackctl " key)
	if (!((key, "busy_ms") in cfg) || cfg[key, "ms"] <= 0 || t <= 0)
		return -1
	start = median("toolstart") > 0 ? median("toolstart") : 0
	return start + cfg[key, "busy_ms"] / cfg[key, "ms"] * t
}

function ms(v) {
	return v < 0 ? "-" : sprintf("%.0f", v)
}

function row(cells, widths, n,    i, s) {
	s = ""
	for (i = 1; i <= n; i++)
		s = s sprintf("%-" widths[i] "s", cells[i]) (i < n ? "  " : "")
	sub(/ +$/, "", s)
	print s
}

function rule(widths, n,    i, s, w) {
	s = ""
	for (i = 1; i <= n; i++) {
		w = sprintf("%" widths[i] "s", "")
		gsub(/ /, "=", w)
		s = s w (i < n ? "  " : "")
	}
	print s
}

# One table: for direction @dir, per N: each way's median and ratio.
function table(dir,    i, k, m, n, cells, widths, nc, ref, v) {
	nc = 0
	cells[++nc] = "N"
	for (i = 1; i <= nways; i++)
		cells[++nc] = ways[i] " ms"
	for (i = 1; i <= nways; i++)
		if (ways[i] != "pcibackctl")
			cells[++nc] = ways[i] "/pcibackctl"
	for (i = 1; i <= nc; i++)
		widths[i] = length(cells[i]) < 8 ? 8 : length(cells[i])
	if (rst) {
		rule(widths, nc)
		row(cells, widths, nc)
		rule(widths, nc)
	} else {
		row(cells, widths, nc)
	}
	for (k = 1; k <= nns; k++) {
		n = ns[k]
		nc = 0
		cells[++nc] = n
		ref = median("pcibackctl " dir " " n)
		for (i = 1; i <= nways; i++)
			cells[++nc] = ms(median(ways[i] " " dir " " n))
		for (i = 1; i <= nways; i++) {
			if (ways[i] == "pcibackctl")
				continue
			v = median(ways[i] " " dir " " n)
			cells[++nc] = ratio(v, ref)
		}
		row(cells, widths, nc)
	}
	if (rst)
		rule(widths, nc)
}

$1 == "sample" && $2 != "list" && $2 != "lspci" && $2 != "start" &&
    $2 != "toolstart" && $2 != "check" && $2 != "iommucheck" {
	key = $2 " " $3 " " $4
	if ($5 == "fail") {
		failed[key]++
		next
	}
	samples[key] = samples[key] " " $5
	count[key]++
	if (!($2 in seen_way)) {
		seen_way[$2] = 1
		ways[++nways] = $2
	}
	if (!($4 in seen_n)) {
		seen_n[$4] = 1
		ns[++nns] = $4
	}
	next
}
$1 == "sample" {
	samples[$2] = samples[$2] " " $4
	if ($2 == "list")
		funcs = $3
	next
}
$1 == "memory" { memory[$2] = $3; next }
# "cfg OP N ms MS busy_ms B writes W write_ms X cmd_writes C cmd_ms Y
# reads R read_ms Z [regs NAME:N:MS,...]"
$1 == "cfg" && $5 != "fail" {
	key = $2 " " $3
	cfgs[++ncfg] = key
	for (i = 4; i < NF; i += 2)
		cfg[key, $i] = $(i + 1)
	next
}
/^# kernel / { sub(/^# /, ""); header = $0; next }

# "command:96:3731,Express+0x8:32:2100" -> "command 96 (3731 ms),
# Express+0x8 32 (2100 ms)"
function regs(v,   n, a, i, f, out)
{
	n = split(v, a, ",")
	for (i = 1; i <= n; i++) {
		if (split(a[i], f, ":") != 3)
			continue
		out = out (out == "" ? "" : ", ") f[1] " " f[2] " (" ms(f[3]) " ms)"
	}
	return out
}

END {
	if (nways == 0) {
		print "no samples"
		exit 1
	}
	# pcibackctl last, the peers first
	for (i = 1; i <= nways; i++)
		if (ways[i] == "pcibackctl") {
			for (j = i; j < nways; j++)
				ways[j] = ways[j + 1]
			ways[nways] = "pcibackctl"
			break
		}
	# ns in numeric order
	for (i = 2; i <= nns; i++)
		for (j = i; j > 1 && ns[j - 1] + 0 > ns[j] + 0; j--) {
			t = ns[j]; ns[j] = ns[j - 1]; ns[j - 1] = t
		}
	reps = count["pcibackctl hide " ns[1]]
	if (header != "")
		print (rst ? "" : "# ") header
	print (rst ? "" : "# ") "medians of " reps " runs, milliseconds; ratio = peer / pcibackctl"
	print ""
	print (rst ? "Hiding N functions:" : "hide:")
	print ""
	table("hide")
	print ""
	print (rst ? "Unhiding them (back to virtio-pci):" : "unhide:")
	print ""
	table("unhide")
	print ""
	first = ns[1]
	for (k = 2; k <= nns; k++) {
		n = ns[k]
		printf "%spcibackctl hide %d / hide %d: %s; unhide %d / unhide %d: %s\n",
			rst ? "| " : "", n, first,
			ratio(median("pcibackctl hide " n), median("pcibackctl hide " first)),
			n, first,
			ratio(median("pcibackctl unhide " n), median("pcibackctl unhide " first))
	}
	if (samples["list"] != "") {
		printf "%spcibackctl -j list: %s ms, lspci -k: %s ms, on %d functions " \
		       "(lspci -k / pcibackctl -j list: %s)\n",
			rst ? "| " : "", ms(median("list")), ms(median("lspci")), funcs,
			ratio(median("lspci"), median("list"))
	}
	if (samples["check"] != "")
		printf "%spcibackctl -j check of one function: %s ms, with --iommu-group: %s ms, on %d functions\n",
			rst ? "| " : "", ms(median("check")), ms(median("iommucheck")), funcs
	if (samples["start"] != "")
		printf "%sstarting a process (/bin/true): %s ms\n", rst ? "| " : "",
			ms(median("start"))
	if (samples["toolstart"] != "")
		printf "%sstarting pcibackctl (--version): %s ms\n", rst ? "| " : "",
			ms(median("toolstart"))
	if ("module_core_bytes" in memory)
		printf "%spciback_nl module size: %d KiB; pcibackctl peak RSS: %d KiB\n",
			rst ? "| " : "", memory["module_core_bytes"] / 1024,
			memory["tool_peak_rss_kb"]
	# The targets of the performance work, from this run's medians.
	if (median("pcibackctl hide 8") > 0) {
		print ""
		print (rst ? "Targets (from this run's medians):" : "targets:")
		print ""
		target("pcibackctl hide 32 / hide 1", median("pcibackctl hide 32"),
		       median("pcibackctl hide 1"), 2, 0)
		target("echo hide 8 / pcibackctl", median("echo hide 8"),
		       median("pcibackctl hide 8"), 4, 1)
		target("xl hide 8 / pcibackctl", median("xl hide 8"),
		       median("pcibackctl hide 8"), 7, 1)
		target("echo unhide 8 / pcibackctl", median("echo unhide 8"),
		       median("pcibackctl unhide 8"), 4, 1)
		target("xl unhide 8 / pcibackctl", median("xl unhide 8"),
		       median("pcibackctl unhide 8"), 4, 1)
		target("lspci -k / pcibackctl -j list", median("lspci"),
		       median("list"), 1, 1)
	}
	if (ncfg) {
		print ""
		print (rst ? "Config-space accesses (one more run of pcibackctl per N, traced, not in the tables; an access's time includes its wait for the lock):" : "config space (traced run; times include lock waits):")
		print ""
		for (i = 1; i <= ncfg; i++) {
			key = cfgs[i]
			printf "%s%s: %s ms, config space busy %s ms (%.0f%%): %d writes (%d to the command register, %s ms; the other %d, %s ms), %d reads (%s ms)\n",
				rst ? "| " : "  ", key, ms(cfg[key, "ms"]),
				ms(cfg[key, "busy_ms"]),
				(cfg[key, "ms"] > 0 ? 100 * cfg[key, "busy_ms"] / cfg[key, "ms"] : 0),
				cfg[key, "writes"], cfg[key, "cmd_writes"],
				ms(cfg[key, "cmd_ms"]),
				cfg[key, "writes"] - cfg[key, "cmd_writes"],
				ms(cfg[key, "write_ms"] - cfg[key, "cmd_ms"]),
				cfg[key, "reads"], ms(cfg[key, "read_ms"])
			if ((key, "regs") in cfg && cfg[key, "regs"] != "-")
				printf "%s    writes by register, costliest first: %s\n",
					rst ? "| " : "  ", regs(cfg[key, "regs"])
		}
	}
	lines = bound("pcibackctl hide 32 / hide 1", floor_ms("hide", 32),
		      median("pcibackctl hide 1"), 2, 0)
	lines = lines bound("echo hide 8 / pcibackctl", median("echo hide 8"),
			    floor_ms("hide", 8), 4, 1)
	lines = lines bound("xl hide 8 / pcibackctl", median("xl hide 8"),
			    floor_ms("hide", 8), 7, 1)
	lines = lines bound("echo unhide 8 / pcibackctl", median("echo unhide 8"),
			    floor_ms("unhide", 8), 4, 1)
	lines = lines bound("xl unhide 8 / pcibackctl", median("xl unhide 8"),
			    floor_ms("unhide", 8), 4, 1)
	if (lines != "") {
		print ""
		print (rst ? "Bounds (pcibackctl takes at least its start plus the config-space busy time of its request; estimated: the busy share of the traced run times the median):" : "bounds (pcibackctl >= its start + config-space busy time, estimated):")
		print ""
		printf "%s", lines
	}
	for (key in failed)
		printf "%s%s: %d failed runs (not in the medians)\n", rst ? "| " : "",
			key, failed[key]
}
