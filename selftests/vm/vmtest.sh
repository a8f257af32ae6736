#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make vmtest: for each kernel, boot Xen (the newest in /boot: 4.17 on
# bookworm, 4.20 on trixie and sid) with that kernel as dom0 under
# QEMU and run the selftests there; then boot the same kernel without Xen
# and run them again (the module must work on any kernel; tests that need
# Xen skip there).  Ends with "N passed, N failed, N skipped".
#
#   vmtest.sh [KVER...]      default: scripts/kernels.sh (bookworm: the
#                            installed 6.1 and 6.12)
#
# In Xen mode, boot-initramfs.sh also boots each kernel with a real
# initramfs-tools initramfs (boot-time hiding; needs root; VM_INITRAMFS=0
# leaves it out).
#
# Environment: VM_MODES ("xen native"; "" for only the extra topologies),
# VM_EXTRA_TOPOLOGIES ("bridges switch quirks": selftests/vm/topology-NAME.conf,
# booted without Xen for the IOMMU group comparison, after the topology's
# "#@before: CMD" line if it has one; "" for none; "igb" needs QEMU 8.0 or
# later: trixie, sid), VM_TIMEOUT (seconds per boot, 1200),
# and for your own kernel VM_KERNEL (bzImage), VM_MODULES (modules tree:
# /lib/modules/VER or an INSTALL_MOD_PATH root) and KDIR (its build tree);
# KVER names it.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=selftests/vm/lib.sh
. "$top/selftests/vm/lib.sh"

modes=${VM_MODES-xen native}
# More topologies, booted without Xen, where the engine's groups are
# compared with the kernel's IOMMU groups (group_test only).
extra_topologies=${VM_EXTRA_TOPOLOGIES-bridges switch quirks}
timeout=${VM_TIMEOUT:-1200}

kvers=("$@")
run_extra=()
kdir=""

if [ -n "${VM_KERNEL:-}" ]; then
	: "${VM_MODULES:?VM_KERNEL needs VM_MODULES}" "${KDIR:?VM_KERNEL needs KDIR}"
	kver=${KVER:-$(make -s -C "$KDIR" kernelrelease)}
	kvers=("$kver")
	kdir=$KDIR
	run_extra=(--kernel "$VM_KERNEL" --modules "$VM_MODULES")
elif [ ${#kvers[@]} -eq 0 ]; then
	mapfile -t kvers < <("$top/scripts/kernels.sh") || exit 1
fi

pass=0 fail=0 skip=0
summary=()
mkdir -p "$top/build/vm"
for kver in "${kvers[@]}"; do
	if ! payload=$(pbnl_payload "$kver" "$kdir"); then
		echo "vmtest: build for $kver failed"
		fail=$((fail + 1))
		summary+=("$kver: build failed")
		continue
	fi
	runs=$modes
	for t in $extra_topologies; do
		runs="$runs topology-$t"
	done
	# boot-time hiding from a real initramfs-tools initramfs (as root)
	if [[ " $modes " == *" xen "* && ${VM_INITRAMFS:-1} == 1 && -z $kdir ]]; then
		runs="$runs initramfs"
	fi
	for mode in $runs; do
		mode_arg=()
		[ "$mode" = native ] && mode_arg=(--native)
		case $mode in
		topology-*)
			# a "#@before: CMD" line of the topology runs first
			before=$(sed -n 's/^#@before: //p' "$top/selftests/vm/$mode.conf")
			mode_arg=(--native --topology "$top/selftests/vm/$mode.conf"
				  --run "${before:+$before && }/opt/pciback-nl/run-selftests group_test")
			;;
		esac
		out="$top/build/vm/$kver-$mode.out"
		log="$top/build/vm/$kver-$mode.log"
		echo "# vmtest: $kver, $mode"
		start=$(date +%s)
		for try in 1 2; do
			if [ "$mode" = initramfs ]; then
				PBNL_KO=$payload/pciback_nl.ko VM_TIMEOUT=$timeout \
					"$top/selftests/vm/boot-initramfs.sh" "$kver" 2>&1 | tee "$out"
			else
				"$top/selftests/vm/run.sh" --kver "$kver" "${run_extra[@]}" "${mode_arg[@]}" --qmp-relay \
					--timeout "$timeout" --log "$log" \
					"$payload" | tee "$out"
			fi
			rc=${PIPESTATUS[0]}
			line=$(grep -E '^# Totals: pass:[0-9]+ fail:[0-9]+ skip:[0-9]+' "$out" | tail -n1)
			# Once only: a boot that failed before anything of ours ran
			hang=hang
			[ "$mode" = initramfs ] && hang=	# its /init is initramfs-tools'
			if [ -n "$line" ] || [ "$try" = 2 ] ||
				! why=$(pbnl_boot_failed "$log" "$out" "$rc" ${hang:+"$hang"}); then
				break
			fi
			echo "# vmtest: $kver $mode: $why (see $log.boot-failed); booting once more"
			cp "$log" "$log.boot-failed"
		done
		secs=$(( $(date +%s) - start ))
		if [ -z "$line" ]; then
			echo "# vmtest: $kver $mode: the VM did not report (exit $rc), see ${log#"$top"/}"
			fail=$((fail + 1))
			summary+=("$kver $mode: no report (exit $rc)")
			continue
		fi
		p=$(sed -n 's/.*pass:\([0-9]*\).*/\1/p' <<<"$line")
		f=$(sed -n 's/.* fail:\([0-9]*\).*/\1/p' <<<"$line")
		s=$(sed -n 's/.* skip:\([0-9]*\).*/\1/p' <<<"$line")
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1	# the VM failed in a way no test counted
		fi
		pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
		summary+=("$kver $mode: $p passed, $f failed, $s skipped (${secs}s)")
	done
done

echo "# vmtest summary:"
printf '#   %s\n' "${summary[@]}"
printf '%s\n' "${summary[@]}" >"$top/build/vm/summary.txt"
echo "vmtest: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
