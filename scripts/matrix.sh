#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make matrix: pciback-nl on every Debian a dom0 runs: bookworm (this host),
# trixie and sid (+ experimental's kernel), each from a Debian root made
# with debootstrap under build/roots (debian-root.sh); the host is never
# upgraded.  Every step runs inside its suite's root with that suite's
# compiler, headers, Xen and QEMU (in-root.sh).
#
#   matrix.sh [STEP...]     default: all steps
#
# Steps:
#   roots    make the roots and install what the steps need
#   module   the module, W=1 and -Werror, against every kernel's headers of
#            each suite (bookworm 6.1 and 6.12, trixie 6.12, sid's newest,
#            experimental's newest), each with the compiler named in the
#            kernel's CONFIG_CC_VERSION_TEXT
#   tool     pcibackctl built with the suite's compiler and its unit tests
#            (sanitizers) in trixie and sid
#   vm       trixie: Xen 4.20 + trixie's 6.12 as dom0: the selftests
#            (passthrough e2e included), without Xen, the initramfs boot;
#            and the igb topology (82576 quirk, SR-IOV VFs) without Xen under
#            trixie's QEMU 10; sid: sid's kernel as dom0 under sid's Xen
#   deb      dpkg-buildpackage and the suite's lintian in trixie and sid
#   dkms     DKMS add/build/install/remove in trixie and sid, and the
#            module DKMS builds loaded in the Xen dom0 of each suite's kernel
#            in the VM (scripts/dkms-vm.sh: load_test, dev_get_test)
# (bookworm's VM, deb and DKMS cells are make vmtest, make deb and
# make dkms-check, which make test runs on the host.)
#
# Each result goes to build/matrix/results.tsv (suite, cell, column,
# status, detail); scripts/support-matrix.sh turns the last run into the
# table in README.md.  Ends with "matrix: N passed, N failed, N skipped".
# Needs root.  Environment: MATRIX_VM_TIMEOUT (seconds per boot, 1200),
# MATRIX_SUITES (the roots' suites, "trixie sid"; the module step always
# builds bookworm's cells too).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/matrix
results=$out/results.tsv
read -r -a suites <<<"${MATRIX_SUITES:-trixie sid}"
pass=0 fail=0 skip=0

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(roots module tool vm deb dkms)
for s in "${steps[@]}"; do
	case $s in
	roots | module | tool | vm | deb | dkms) ;;
	*)
		echo "matrix: unknown step '$s' (roots module tool vm deb dkms)" >&2
		exit 2
		;;
	esac
done
if [ "$(id -u)" -ne 0 ]; then
	echo "matrix: needs root (debootstrap, chroot)" >&2
	exit 1
fi
mkdir -p "$out"
# A full run starts a new table; a run of some steps replaces their rows.
if [ $# -eq 0 ]; then
	: >"$results"
	date -u +%Y-%m-%d >"$out/date"
fi
touch "$results"

want() {
	local s
	for s in "${steps[@]}"; do [ "$s" = "$1" ] && return 0; done
	return 1
}

# record SUITE CELL COLUMN STATUS DETAIL: one result (status pass, fail or
# skip); replaces an earlier row for the same suite, cell and column.
record() {
	local tmp
	tmp=$(mktemp)
	awk -F '\t' -v s="$1" -v c="$2" -v k="$3" '!($1 == s && $2 == c && $3 == k)' \
		"$results" >"$tmp"
	printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$tmp"
	mv "$tmp" "$results"
	case $4 in
	pass) pass=$((pass + 1)) ;;
	fail) fail=$((fail + 1)) ;;
	*) skip=$((skip + 1)) ;;
	esac
	printf 'matrix: %-6s %-26s %-7s %s%s\n' "$1" "$2" "$3" "$4" "${5:+ ($5)}"
}

root_of() { echo "$top/build/roots/$1"; }

# What the steps need in a root, besides the suite's newest Xen.
ROOT_PKGS=(build-essential bc kmod cpio xz-utils zstd pkg-config
	linux-image-amd64 linux-headers-amd64 linux-source initramfs-tools
	libnl-3-dev libnl-genl-3-dev libpci-dev pciutils pci.ids libxen-dev
	python3 python3-yaml python3-jsonschema jq busybox-static qemu-system-x86
	debhelper dh-dkms dkms lintian fakeroot)

# The newest Xen hypervisor package of a root's suite, and its tools.
xen_pkgs() {
	local root=$1 hv
	hv=$(chroot "$root" apt-cache search --names-only '^xen-hypervisor-[0-9.]+-amd64$' |
		awk '{ print $1 }' | sort -V | tail -n 1)
	[ -n "$hv" ] || return 1
	v=${hv#xen-hypervisor-}
	echo "$hv xen-utils-${v%-amd64}"
}

# Experimental's kernel headers (the sid root lists experimental): the
# package its linux-headers-amd64 depends on, if newer than sid's.
experimental_headers() {
	chroot "$(root_of sid)" apt-cache depends -t experimental linux-headers-amd64 2>/dev/null |
		sed -n 's/.*Depends: \(linux-headers-[^ ]*-amd64\)$/\1/p' | head -n 1
}

if want roots; then
	for suite in "${suites[@]}"; do
		start=$(date +%s)
		if ! "$top/scripts/debian-root.sh" "$suite" >/dev/null; then
			record "$suite" root setup fail "debootstrap failed"
			continue
		fi
		root=$(root_of "$suite")
		pkgs=("${ROOT_PKGS[@]}")
		# shellcheck disable=SC2207 # two words, no globbing
		xp=($(xen_pkgs "$root")) && pkgs+=("${xp[@]}")
		if [ "$suite" = sid ] && h=$(experimental_headers) && [ -n "$h" ]; then
			pkgs+=("$h")
		fi
		if "$top/scripts/debian-root.sh" "$suite" "${pkgs[@]}" >"$out/$suite-root.log" 2>&1; then
			record "$suite" root setup pass "$(($(date +%s) - start)) s"
		else
			tail -n 20 "$out/$suite-root.log"
			record "$suite" root setup fail "see build/matrix/$suite-root.log"
		fi
	done
fi

# Kernel header trees of a suite: "RELEASE DIR" lines (the host's from
# kernels.sh; a root's every /usr/src/linux-headers-*-amd64).
header_trees() {
	local suite=$1 root d
	if [ "$suite" = bookworm ]; then
		"$top/scripts/kernels.sh" | while read -r k; do
			echo "$k /lib/modules/$k/build"
		done
		return
	fi
	root=$(root_of "$suite")
	for d in "$root"/usr/src/linux-headers-*-amd64; do
		[ -f "$d/include/config/kernel.release" ] || continue
		echo "$(cat "$d/include/config/kernel.release") ${d#"$root"}"
	done | sort -V
}

# module_cell SUITE RELEASE KDIR: build the module as a user of SUITE would.
module_cell() {
	local suite=$1 kver=$2 kdir=$3 root=/ conf cc want have log rc=0
	[ "$suite" = bookworm ] || root=$(root_of "$suite")
	conf=$root$kdir/include/config/auto.conf
	cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\{0,1\}\([^ ]*\) .*/\1/p' "$conf")
	want=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\{0,1\}.*) \([0-9.]*\)"\{0,1\}$/\1/p' "$conf")
	log=$out/module-$kver.log
	if [ "$suite" = bookworm ]; then
		have=$("$cc" -dumpfullversion 2>/dev/null)
		make -C "$top" -s module KVER="$kver" KDIR="$kdir" CC="$cc" W=1 WERROR=1 \
			</dev/null >"$log" 2>&1 || rc=$?
	else
		have=$(chroot "$root" "$cc" -dumpfullversion 2>/dev/null)
		"$top/scripts/in-root.sh" "$suite" make -s module KVER="$kver" KDIR="$kdir" \
			CC="$cc" W=1 WERROR=1 >"$log" 2>&1 || rc=$?
	fi
	if [ -z "$cc" ] || [ "$have" != "$want" ]; then
		record "$suite" "$kver" module fail "kernel built by '$cc' $want, found ${have:-none}"
	elif [ "$rc" -ne 0 ]; then
		grep -m 5 -E 'error|warning' "$log"
		record "$suite" "$kver" module fail "build failed, see build/matrix/${log##*/}"
	elif grep -q 'warning:' "$log"; then
		grep -m 5 'warning:' "$log"
		record "$suite" "$kver" module fail "warnings, see build/matrix/${log##*/}"
	else
		record "$suite" "$kver" module pass "$cc $have, W=1"
	fi
}

if want module; then
	for suite in bookworm "${suites[@]}"; do
		n=0
		while read -r kver kdir; do
			module_cell "$suite" "$kver" "$kdir" </dev/null
			n=$((n + 1))
		done < <(header_trees "$suite")
		[ "$n" -gt 0 ] || record "$suite" - module fail "no kernel headers"
	done
fi

# counts LOG PATTERN: "N passed, N failed" from a suite's summary line.
summary_of() {
	grep -E "^$2: [0-9]+ passed, [0-9]+ failed" "$1" | tail -n 1 | sed "s/^$2: //"
}

if want tool; then
	for suite in "${suites[@]}"; do
		log=$out/$suite-tool.log
		rc=0
		"$top/scripts/in-root.sh" "$suite" sh -c \
			'make -s -C tools clean && make -s -C tools && make -s -C tools check' \
			</dev/null >"$log" 2>&1 || rc=$?
		cc=$(chroot "$(root_of "$suite")" gcc -dumpfullversion 2>/dev/null)
		line=$(grep -E '^[0-9]+ passed, [0-9]+ failed|^# Totals|passed' "$log" | tail -n 1)
		if [ "$rc" -eq 0 ]; then
			record "$suite" tools tool pass "gcc $cc; unit tests: $line"
		else
			tail -n 15 "$log"
			record "$suite" tools tool fail "see build/matrix/${log##*/}"
		fi
	done
fi

# vm_cell SUITE RELEASE COLUMN ENV...: vmtest.sh inside the root for one
# kernel; COLUMN selftests also records the passthrough e2e of its Xen run.
vm_cell() {
	local suite=$1 kver=$2 col=$3 log=$out/$1-vm-$2-$3.log rc=0 line dir
	shift 3
	"$top/scripts/in-root.sh" "$suite" env VM_TIMEOUT="${MATRIX_VM_TIMEOUT:-1200}" "$@" \
		selftests/vm/vmtest.sh "$kver" 2>&1 </dev/null | tee "$log" | grep -E '^# vmtest|^vmtest:'
	rc=${PIPESTATUS[0]}
	line=$(summary_of "$log" vmtest)
	dir=$(root_of "$suite")/src/pciback-nl/build/vm
	cp "$dir/summary.txt" "$out/$suite-vm-$kver-$col.summary" 2>/dev/null
	if [ "$rc" -eq 0 ] && [ -n "$line" ]; then
		record "$suite" "$kver" "$col" pass "$line"
	else
		record "$suite" "$kver" "$col" fail "${line:-no result}; see build/matrix/${log##*/}"
	fi
	[ "$col" = selftests ] || return 0
	# the passthrough end-to-end tests of the Xen run
	if [ ! -f "$dir/$kver-xen.out" ]; then
		record "$suite" "$kver" e2e fail "no Xen run"
	elif grep -qE '^# ok [0-9]+ passthrough.nic_to_pv_guest_and_back' "$dir/$kver-xen.out" &&
		grep -qE '^# ok [0-9]+ passthrough.usb_group_to_pv_guest_and_back' "$dir/$kver-xen.out"; then
		record "$suite" "$kver" e2e pass "PV guest: NIC and USB group, there and back"
	else
		record "$suite" "$kver" e2e fail "see build/matrix/${log##*/}"
	fi
}

# newest_image SUITE: the newest kernel of a root with image and modules.
newest_image() {
	local root d
	root=$(root_of "$1")
	for d in "$root"/lib/modules/*/; do
		d=${d%/}
		[ -f "$root/boot/vmlinuz-${d##*/}" ] && echo "${d##*/}"
	done | sort -V | tail -n 1
}

# QEMU for the Xen runs: QEMU 10 (trixie) loses device_add under Xen with
# VT-d (an assertion in iotlb_to_section(), QEMU exits), so Xen runs use
# this bookworm host's QEMU 7.2 through selftests/vm/qemu-of-root.sh; the
# root's own QEMU boots the topologies that need a newer one (igb).
host_qemu=(VM_QEMU=/src/pciback-nl/selftests/vm/qemu-of-root.sh PBNL_QEMU_ROOT=/roots/host)

if want vm; then
	for suite in "${suites[@]}"; do
		kver=$(newest_image "$suite")
		if [ -z "$kver" ]; then
			record "$suite" - selftests fail "no kernel image in the root"
			continue
		fi
		case $suite in
		trixie)
			# bookworm's set: Xen, without Xen, the initramfs boot
			vm_cell "$suite" "$kver" selftests "${host_qemu[@]}" VM_EXTRA_TOPOLOGIES=
			# the 82576 (igb, SR-IOV) of QEMU 10: its ACS quirk, its VFs
			vm_cell "$suite" "$kver" igb VM_MODES= VM_EXTRA_TOPOLOGIES=igb
			;;
		# the newest kernel as dom0
		*) vm_cell "$suite" "$kver" selftests "${host_qemu[@]}" VM_MODES=xen VM_INITRAMFS=0 VM_EXTRA_TOPOLOGIES= ;;
		esac
	done
fi

# pkg_cell STEP SUITE SCRIPT: deb.sh or dkms-test.sh for one suite.
pkg_cell() {
	local step=$1 suite=$2 script=$3 log=$out/$2-$1.log rc=0 line
	"$top/scripts/$script" --suite "$suite" >"$log" 2>&1 || rc=$?
	line=$(summary_of "$log" "$step")
	if [ "$rc" -eq 0 ] && [ -n "$line" ]; then
		record "$suite" packages "$step" pass "$line"
	else
		tail -n 15 "$log"
		record "$suite" packages "$step" fail "${line:-no result}; see build/matrix/${log##*/}"
	fi
}

if want deb; then
	for suite in "${suites[@]}"; do pkg_cell deb "$suite" deb.sh; done
fi
if want dkms; then
	for suite in "${suites[@]}"; do
		pkg_cell dkms "$suite" dkms-test.sh
		kver=$(newest_image "$suite")
		[ -n "$kver" ] || continue
		log=$out/$suite-dkms-vm.log
		"$top/scripts/in-root.sh" "$suite" env "${host_qemu[@]}" scripts/dkms-vm.sh "$kver" \
			</dev/null >"$log" 2>&1
		rc=$?
		line=$(grep -E '^# Totals: pass:[0-9]+ fail:[0-9]+' "$log" | tail -n 1)
		if [ "$rc" -eq 0 ] && [ -n "$line" ] && grep -q '^# pciback_nl (DKMS) loaded' "$log"; then
			record "$suite" packages dkms-vm pass "$(sed -n 's/^# dkms-vm: \(dkms[^ ]* [^ ]*\).*/\1/p' "$log") module loaded in dom0 ($kver): ${line#\# Totals: }"
		else
			tail -n 15 "$log"
			record "$suite" packages dkms-vm fail "${line:-no result}; see build/matrix/${log##*/}"
		fi
	done
fi

"$top/scripts/support-matrix.sh" >/dev/null 2>&1 || true
echo "matrix: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
