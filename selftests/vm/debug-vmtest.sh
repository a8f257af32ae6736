#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make debug-vmtest: the whole selftest suite, the netlink fuzzer
# (nlfuzz_test) with it, on debug kernels that scripts/debug-kernel.sh
# builds from Debian's linux-source-6.1 (lockdep, atomic-sleep checks,
# kmemleak, list and object debugging; KASAN in the second):
#
#   6.1.N-pbnl-debug  as the Xen dom0 (and the PV guest of passthrough_test)
#   6.1.N-pbnl-kasan  the same with KASAN, booted without Xen: 6.1 has no
#                     KASAN for a Xen PV kernel
#
# Each is one vmtest.sh run on the main topology (no extra topologies, no
# initramfs-tools boot).  A finding fails a check of run-selftests:
# dmesg_clean (KASAN, lockdep, atomic sleep, WARN, BUG, Oops; the object
# and list debugging report through WARN) or kmemleak_clean (a leak of
# pciback_nl or xen_pciback); the kernel log from the first finding on is
# then printed as "# dmesg:" lines.  Ends with
# "debug-vmtest: N passed, N failed, N skipped", the sum of the two runs.
#
# Environment: VM_TIMEOUT (seconds per boot, 3000), VM_BOOT_TIMEOUT (0:
# no separate limit on reaching /init, since a debug kernel's boot time
# under TCG is not known well enough to bound it), VM_MEM (3072, MiB),
# VM_DOM0_MEM (1536M); DEBUG_VMTEST_RUNS ("debug:xen kasan:native",
# FLAVOR:MODE pairs).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
base=$top/build/debug-kernel
runs=${DEBUG_VMTEST_RUNS:-debug:xen kasan:native}
export VM_TIMEOUT=${VM_TIMEOUT:-3000}
export VM_BOOT_TIMEOUT=${VM_BOOT_TIMEOUT:-0}
export VM_MEM=${VM_MEM:-3072}
export VM_DOM0_MEM=${VM_DOM0_MEM:-1536M}
export VM_EXTRA_TOPOLOGIES=""
export VM_INITRAMFS=0

# Run in the VM after the selftests: on a failure, the kernel log from the
# first line that looks like a finding on (at most 400 lines).
# shellcheck disable=SC2016 # expanded in the VM
export VM_RUN='/opt/pciback-nl/run-selftests; rc=$?
if [ "$rc" -ne 0 ]; then
	dmesg >/tmp/dmesg.txt
	first=$(grep -n -m1 -E "BUG:|WARNING:|Oops|general protection|sleeping function called|KASAN|ODEBUG|possible circular|list_(add|del) corruption" /tmp/dmesg.txt | cut -d: -f1)
	[ -n "$first" ] && tail -n +"$first" /tmp/dmesg.txt | head -n 400 | sed "s/^/# dmesg: /"
fi
exit $rc'

flavors=()
for r in $runs; do
	flavors+=("${r%%:*}")
done
if ! "$top/scripts/debug-kernel.sh" "${flavors[@]}"; then
	echo "debug-vmtest: 0 passed, 1 failed, 0 skipped"
	exit 1
fi

pass=0 fail=0 skip=0
summary=()
for r in $runs; do
	flavor=${r%%:*} mode=${r#*:}
	obj=$base/$flavor/obj
	out=$(mktemp)
	# Without Xen, the IOMMU's DMA domains stay off (iommu.passthrough=1;
	# the IOMMU groups are the same): with them, 6.1's lockdep reports a
	# circular dependency of its own at boot (intel-iommu's iova caches,
	# MSI, virtio_net's probe), and turns itself off for the rest of the run.
	append=${VM_APPEND:-}
	[ "$mode" = native ] && append="iommu.passthrough=1${append:+ $append}"
	echo "# debug-vmtest: $flavor kernel, $mode${append:+ ($append)}"
	VM_KERNEL=$obj/arch/x86/boot/bzImage VM_MODULES=$base/$flavor/root KDIR=$obj \
		VM_MODES=$mode VM_APPEND=$append "$top/selftests/vm/vmtest.sh" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^vmtest: [0-9]+ passed, [0-9]+ failed' "$out" | tail -n1)
	while IFS= read -r l; do
		summary+=("$flavor kernel: $l")
	done < <(sed -n 's/^#   //p' "$out")
	rm -f "$out"
	p=$(sed -n 's/^vmtest: \([0-9]*\) passed.*/\1/p' <<<"$line")
	f=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<<"$line")
	s=$(sed -n 's/.* \([0-9]*\) skipped.*/\1/p' <<<"$line")
	if [ -z "$line" ]; then
		p=0 f=1 s=0
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done

echo "# debug-vmtest summary:"
printf '#   %s\n' "${summary[@]}"
echo "debug-vmtest: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
