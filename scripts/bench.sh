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

	env_args="BENCH_N='${BENCH_N:-1 8 32}' BENCH_REPS='${BENCH_REPS:-5}'"
	[ -n "${BENCH_METHODS:-}" ] && env_args+=" BENCH_METHODS='$BENCH_METHODS'"
	echo "bench: $kver, Xen dom0, selftests/vm/topology-bench.conf (this takes a while)" >&2
	start=$(date +%s)
	"$top/selftests/vm/run.sh" --kver "$kver" \
		--topology "$top/selftests/vm/topology-bench.conf" \
		--timeout "${VM_TIMEOUT:-3600}" --log "$out/$kver-bench.log" \
		--run "$env_args bash /opt/pciback-nl/bench/bench-in-vm.sh" \
		"$payload" >"$out/samples.txt" || rc=$?
	echo "bench: VM run took $(( $(date +%s) - start )) s (exit $rc); samples in $out/samples.txt" >&2
	grep '^# ' "$out/samples.txt" || true
	if ! grep -q '^sample ' "$out/samples.txt"; then
		echo "bench: no samples; see $out/$kver-bench.log" >&2
		tail -n 20 "$out/samples.txt" >&2
		exit 1
	fi
fi
awk -f "$top/selftests/bench/summarize.awk" "$out/samples.txt"

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
		cat <<'EOF'

Reading the tables
==================

``serial`` is pcibackctl with the module parameter ``concurrent=N``: the
same transaction with every function taking the release and attach steps
one after another.  ``serial/pcibackctl`` is therefore what running those
steps concurrently gains: it overlaps the waits (an FLR sleeps 100 ms)
and spreads the CPU work over the vCPUs (2 here).  Under TCG,
xen-pciback's work for one function (config space accesses, each a trap
into the emulated Xen, MSI and BAR handling, saving and restoring state)
costs far more emulated CPU time than the waits, so the more functions,
the more the steps are bound by CPU, not by waiting.  In a one-off
profile (2026-12-01, not part of ``make bench``) of ``pcibackctl hide`` of
32 functions, all 32 seizes began within 0.5 s and the last ended 4.5 s
later.  On real hardware the same work takes a few
milliseconds per function and the reset waits dominate, which is what the
concurrency overlaps.

The targets in the last block assume what real hardware does: a
function's part of a hide or unhide is mostly waiting (the 100 ms of an
FLR, a driver's probe), which the concurrent steps overlap, so hiding 32
would cost little more than hiding 1, and each process the peers start
per function would be the bigger cost.  Here a function's part is mostly
emulated CPU time, which only 2 vCPUs share, so pcibackctl's time grows
about linearly with N, and the
peers' per-function work is as expensive as pcibackctl's, which caps the
ratios to them.  At 32 functions even that gain mostly goes (``serial`` /
pcibackctl near 1): part of the work is serialized whatever runs it.
Not the quarantine hypercalls pcibackctl makes one after another (in a
one-off measurement, 2026-12-02, not part of ``make bench``, hiding 32
with libxenctrl moved away was no faster); likely the network
stack's registration and removal of each virtio-net interface under one
lock, or xen-pciback's own locking, which has not been measured.  For one
function pcibackctl pays fixed costs the echo sequence does not: the
co-assignment check, loading libxenctrl and the quarantine hypercall.

pcibackctl and ``xl pci-assignable-add`` also put each function in Xen's
quarantine (an IOMMU reassignment hypercall, tens of milliseconds each
under TCG); the echo and ``driver_override`` sequences do not, and leave
the function's DMA mapped to dom0 while it waits for a guest.  Every
process start costs what the line "starting a process" says, which ``xl``
pays once per function and the other ways once per run.
EOF
	} >"$doc"
	echo "bench: wrote ${doc#"$top"/}" >&2
fi
exit "$rc"
