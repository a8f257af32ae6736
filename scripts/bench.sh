#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boot the benchmark VM (Xen 4.17 + a Debian dom0 under QEMU,
# selftests/vm/topology-bench.conf: 32 FLR-capable virtio-net functions and
# over 256 functions in all) and, in one run, time hiding and unhiding N
# functions with the echo sequence, the driver_override sequence, xl
# pci-assignable-add/-remove -r and pcibackctl; then pcibackctl -j list
# against lspci -k.  Prints medians and ratios (a benchmark, not a test:
# nothing passes or fails on a time) and rewrites
# Documentation/benchmarks.rst with the tables.
#
#   scripts/bench.sh [KVER]      default: the installed 6.1
#
# Environment: BENCH_N ("1 8 32"), BENCH_REPS (5), BENCH_METHODS,
# BENCH_DOC (the .rst to write; "" for none), VM_TIMEOUT (3600),
# BENCH_SAMPLES (a saved run's output, or its console log: sum it up again
# without booting anything), BENCH_NOTE (a paragraph for the .rst).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=selftests/vm/lib.sh
. "$top/selftests/vm/lib.sh"

kver=${1:-$("$top/scripts/kernels.sh" | sed -n 1p)}
doc=${BENCH_DOC-$top/Documentation/benchmarks.rst}
out=$top/build/bench
mkdir -p "$out"

rc=0
if [ -n "${BENCH_SAMPLES:-}" ]; then
	# Sum up a saved run (its "sample" lines) again, without a VM.
	[ "$BENCH_SAMPLES" -ef "$out/samples.txt" ] || cp "$BENCH_SAMPLES" "$out/samples.txt"
else
	payload=$(pbnl_payload "$kver")
	mkdir -p "$payload/bench"
	${CC:-cc} -O2 -Wall -Wextra -Werror -o "$payload/bin/pbnl-time" \
		"$top/selftests/bench/pbnl-time.c"
	install -m 0755 "$top/selftests/bench/bench-in-vm.sh" "$payload/bench/"
	install -m 0644 "$top/selftests/bench/cfgtrace.awk" "$payload/bench/"

	env_args="BENCH_N='${BENCH_N:-1 8 32}' BENCH_REPS='${BENCH_REPS:-5}'"
	[ -n "${BENCH_METHODS:-}" ] && env_args+=" BENCH_METHODS='$BENCH_METHODS'"
	echo "bench: $kver, Xen dom0, selftests/vm/topology-bench.conf (this takes a while)" >&2
	start=$(date +%s)
	for try in 1 2; do
		rc=0
		"$top/selftests/vm/run.sh" --kver "$kver" \
			--topology "$top/selftests/vm/topology-bench.conf" \
			--timeout "${VM_TIMEOUT:-3600}" --log "$out/$kver-bench.log" \
			--run "$env_args bash /opt/pciback-nl/bench/bench-in-vm.sh" \
			"$payload" >"$out/samples.txt" || rc=$?
		# Once only: a boot that failed before anything of ours ran
		if [ "$rc" -eq 0 ] || [ "$try" = 2 ] ||
			! why=$(pbnl_boot_failed "$out/$kver-bench.log" "$out/samples.txt" "$rc" hang); then
			break
		fi
		echo "bench: $why (see $out/$kver-bench.log.boot-failed); booting once more" >&2
		cp "$out/$kver-bench.log" "$out/$kver-bench.log.boot-failed"
	done
	echo "bench: VM run took $(( $(date +%s) - start )) s (exit $rc); samples in $out/samples.txt" >&2
	grep '^# ' "$out/samples.txt" || true
	if ! grep -q '^sample ' "$out/samples.txt"; then
		echo "bench: no samples; see $out/$kver-bench.log" >&2
		tail -n 20 "$out/samples.txt" >&2
		exit 1
	fi
fi
awk -f "$top/selftests/bench/summarize.awk" "$out/samples.txt"

# group-get needs no privilege: besides its latency in the VM (above), the
# engine's cost on a generated topology of 4096 functions, on the host (the
# unit-test build, with ASan and UBSan).
perf=$(make -s -C "$top/tests/engine" test_group >&2 &&
	"$top/tests/engine/test_group" "$top/tests/engine/fixtures" | grep '^# perf:' |
	sed 's/^# perf: //')
if [ -n "$perf" ]; then
	echo "co-assignment engine, 4096 generated functions (ASan build, host):"
	while IFS= read -r l; do printf '  %s\n' "$l"; done <<<"$perf"
fi

if [ -n "$doc" ]; then
	# (whole inputs read: a pipe into head would end in SIGPIPE, fatal here)
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	qemu=$(qemu-system-x86_64 --version | sed -n 1p)
	xen=$(dpkg-query -W -f '${Version}' xen-hypervisor-4.17-amd64 2>/dev/null || echo 4.17)
	{
		cat <<EOF
.. SPDX-License-Identifier: GPL-2.0
.. This file is written by \`\`make bench\`\` (scripts/bench.sh); do not edit.

==========
Benchmarks
==========

\`\`make bench\`\` boots Xen with a Debian dom0 under QEMU (TCG, no KVM) on
the topology \`\`selftests/vm/topology-bench.conf\`\` and measures, in one run
and interleaved, hiding N FLR-capable virtio-net functions (each behind its
own PCIe root port) and unhiding them again, four ways: the echo sequence
(\`\`unbind\`\`, \`\`new_slot\`\`, \`\`bind\`\`; back: \`\`unbind\`\`,
\`\`remove_slot\`\`, \`\`bind\`\`), the \`\`driver_override\`\` sequence of
driverctl and libvirt, one \`\`xl pci-assignable-add\`\` (back: \`\`xl
pci-assignable-remove -r\`\`) per function, and one \`\`pcibackctl hide\`\`
(back: \`\`pcibackctl unhide\`\`) for all N.  Each time is a whole command
(or shell loop), from fork to exit.  Under TCG every guest instruction is
emulated, so absolute times are many times those of real hardware; the
ratios between the ways, measured side by side, are what to read.

Last run: $(date -u +%Y-%m-%d), dom0 kernel $kver, Xen $xen, $qemu, host
CPU $cpu, $(nproc) host cores, $(awk '/^# kernel/ { print $4 }' "$out/samples.txt") vCPUs.

EOF
		[ -z "${BENCH_NOTE:-}" ] || printf '%s\n\n' "$BENCH_NOTE"
		awk -v rst=1 -f "$top/selftests/bench/summarize.awk" "$out/samples.txt" |
			sed 1,2d
		if [ -n "$perf" ]; then
			printf '\nThe co-assignment engine (group-get, pcibackctl check) on a generated\n'
			printf 'topology of 4096 functions, on the host (unit-test build, ASan)::\n\n'
			while IFS= read -r l; do printf '  %s\n' "$l"; done <<<"$perf"
		fi
		cat <<'EOF'

Reading the tables
==================

``serial`` is pcibackctl with the module parameter ``concurrent=N``: the
same transaction with every function taking the release and attach steps
one after another.  ``serial/pcibackctl`` is therefore what running those
steps concurrently gains: it overlaps the waits (an FLR sleeps 100 ms, a
driver's removal waits for RCU grace periods) and spreads the CPU work
over the vCPUs (2 here).

The targets in the "Targets" block assume what real hardware does: a
function's part of a hide or unhide is mostly waiting, which the
concurrent steps overlap, so hiding 32 would cost little more than hiding
1.  On this test bed a function's part is mostly config-space accesses,
which the last two blocks measure.  x86 makes them one at a time in the
whole machine (``pci_conf1_read``/``pci_conf1_write`` hold the raw
spinlock ``pci_config_lock``), so no concurrency shortens the time in
which some access is in progress ("config space busy", the union of their
intervals); at 32 functions it is most of the operation.  And here they
are slow: dom0 is a Xen PV guest, so each access traps into the emulated
Xen, which makes it on the emulated machine, and a write that changes
what a function decodes or resets it (its command register, MSI-X
control, an FLR) makes QEMU update its memory map, which it re-renders
for every address space, one per PCI function.  In a one-off measurement
on the 25-function test topology (2026-12-02) 4 of the 13 writes of a
hide took 1 to 13 ms each (two to the command register, the FLR, MSI-X
control), the other 9 at most 0.1 ms; on this 317-function machine the
block above shows the writes with their waits for the lock, and the
costliest registers, each named after the standard header (``command``)
or as capability plus offset (``Express+0x8`` is the PCI Express Device
Control register, whose write starts an FLR).  The writes are the drivers' (the host
driver's removal or probe; xen-pciback's enable, reset, state restore and
disable of each function): pciback_nl's code writes no config space, so
the other ways make the same writes, which the trace does not measure for
them.

pcibackctl takes at least its own start (the line "starting pcibackctl")
plus the config-space busy time of its request, which begins after the
start.  The bounds estimate that floor as the busy share of the traced
run times this run's median (tracing slows a run), and turn it into the
ratios the targets ask for.  Where a bound is on the wrong side of its
target, that target is out of reach on this test bed whatever pciback_nl
does.  On real hardware a config access takes microseconds and the same
writes take well under a millisecond, which leaves the waits.

For one function pcibackctl pays fixed costs the echo sequence does not:
starting a process that loads libnl (and, when it prints names, libpci),
the netlink round trips, and loading libxenctrl for Xen's quarantine.
In a one-off trace (2026-12-02, not part of ``make bench``) of ``pcibackctl
hide`` of 1 function, 361 of its 562 ms were spent in the kernel's
dev-hide; of 32 functions, 8953 of 9262 ms.

pcibackctl and ``xl pci-assignable-add`` also put each function in Xen's
quarantine (a hypercall each: in the same one-off trace, the 34 privcmd
calls of hiding 32 functions took 3 ms together); the echo and
``driver_override`` sequences do not, and leave the function's DMA mapped
to dom0 while it waits for a guest.  Every process start costs what the
line "starting a process" says, which ``xl`` pays once per function and
the other ways once per run.
EOF
	} >"$doc"
	echo "bench: wrote ${doc#"$top"/}" >&2
fi
exit "$rc"
