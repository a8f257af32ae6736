#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-vm.sh KVER: the module as DKMS builds it for KVER (the sources
# exported as pciback-nl-dkms ships them, dkms add and build in a private
# DKMS tree: nothing is registered with the system's DKMS), loaded as the
# module of a Xen dom0 running KVER in the VM, where load_test and
# dev_get_test run on it.  make matrix runs it inside the trixie root, so
# that trixie's DKMS builds for trixie's kernel and that module loads.
# Ends with the VM's "# Totals:" line.  Needs root (dkms).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kver=${1:?usage: dkms-vm.sh KVER}
# shellcheck source=selftests/vm/lib.sh
. "$top/selftests/vm/lib.sh"

command -v dkms >/dev/null || { echo "dkms-vm: no dkms here" >&2; exit 1; }
name=$(sed -n 's/^PACKAGE_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$top/dkms.conf")
version=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$top/dkms.conf")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make -s -C "$top" dkms-install DESTDIR="$tmp/root"
mkdir -p "$tmp/dkms"
dk=(--dkmstree "$tmp/dkms" --sourcetree "$tmp/root/usr/src")
if ! dkms add "${dk[@]}" -m "$name" -v "$version" >"$tmp/dkms.log" 2>&1 ||
	! dkms build "${dk[@]}" -m "$name" -v "$version" -k "$kver" >>"$tmp/dkms.log" 2>&1; then
	cat "$tmp/dkms.log"
	find "$tmp/dkms" -name make.log -exec cat {} + 2>/dev/null
	echo "dkms-vm: dkms build for $kver failed" >&2
	exit 1
fi
ko=$(find "$tmp/dkms" -name 'pciback_nl.ko*' -path '*/module/*' | head -n 1)
[ -n "$ko" ] || ko=$(find "$tmp/dkms" -name 'pciback_nl.ko*' | head -n 1)
[ -n "$ko" ] || { echo "dkms-vm: dkms built no pciback_nl.ko" >&2; exit 1; }
echo "# dkms-vm: $(dkms --version 2>/dev/null | head -n 1) built ${ko#"$tmp"/dkms/}"

payload=$(PBNL_KO=$ko pbnl_payload "$kver")
mkdir -p "$top/build/vm"
"$top/selftests/vm/run.sh" --kver "$kver" --timeout "${VM_TIMEOUT:-900}" \
	--log "$top/build/vm/$kver-dkms.log" \
	--run "grep -q '^pciback_nl ' /proc/modules && echo '# pciback_nl (DKMS) loaded' && /opt/pciback-nl/run-selftests load_test dev_get_test" \
	"$payload"
