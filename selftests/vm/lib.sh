# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared by vmtest.sh and demo.sh: build what goes into the VM for one
# kernel.  Sourced; expects $top to be the project root.

# pbnl_payload KVER [KDIR]: build the module for KVER (or the tree KDIR),
# the tool and the selftests, and lay them out in build/payload/KVER, the
# directory the VM mounts at /opt/pciback-nl.  Prints the directory.
pbnl_payload() {
	local kver=$1 kdir=${2:-} dir="$top/build/payload/$1"
	local kdir_arg=()

	[ -n "$kdir" ] && kdir_arg=(KDIR="$kdir")
	make -s -C "$top" module WERROR=1 PBNL_FAULT_INJECT=y KVER="$kver" "${kdir_arg[@]}" >&2 || return 1
	make -s -C "$top" tool selftests >&2 || return 1
	rm -rf "$dir"
	mkdir -p "$dir/bin" "$dir/selftests"
	cp "$top/build/pciback_nl-$kver.ko" "$dir/pciback_nl.ko"
	cp "$top/tools/pcibackctl" "$dir/bin/"
	cp "$top"/build/selftests/*_test "$dir/selftests/"
	cp "$top/selftests/run-selftests.sh" "$dir/run-selftests"
	echo "$dir"
}
