#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in dom0 for "make demo": pcibackctl at work next to xen-pciback.
PATH=/opt/pciback-nl/bin:$PATH
export PATH

run() {
	echo "dom0# $*"
	"$@"
	echo
}

echo "dom0# lsmod | grep -e pciback"
grep -e pciback /proc/modules | cut -d' ' -f1
echo
run pcibackctl list
nic=$(pcibackctl -j list | tr '{' '\n' | grep '"driver": *"e1000"' | head -n1 |
	sed 's/.*"name": *"\([^"]*\)".*/\1/')
if [ -n "$nic" ]; then
	run pcibackctl show "$nic"
	run pcibackctl -j -p show "$nic"
fi
run xl pci-assignable-list
