# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034 # TESTS, FIRST_BOOT...: read by boottest.sh
# shellcheck disable=SC2016 # bash -c snippets, expanded in the check
#
# make boottest, boot-cmdline: no device in hide.conf (the package's
# file, comments only), and pciback_nl.hide=0000:03:00.0 on the kernel
# command line alone: that function goes to pciback at boot, before
# e1000e can probe it.  That needs something to load pciback_nl early.
TESTS="boot-cmdline"
FIRST_BOOT="xen=1 append=pciback_nl.hide=0000:03:00.0"
MAX_BOOTS=2

stage_1()
{
	info "hide.conf's selectors: $(grep -cvE '^[[:space:]]*(#|$)' /etc/pciback-nl/hide.conf)"
	info "pciback_nl loaded: $(grep -c '^pciback_nl ' /proc/modules)"
	journalctl -b -o cat --no-pager | grep -iE 'pciback_nl|pciback-nl|pcibackctl' | head -n 10 | sed 's/^/#   | /'
	check boot-cmdline "pciback_nl.hide=0000:03:00.0 on the command line" grep -qw pciback_nl.hide=0000:03:00.0 /proc/cmdline
	check boot-cmdline "pciback_nl is loaded" grep -q '^pciback_nl ' /proc/modules
	check boot-cmdline "03:00.0 is with pciback" has_driver 0000:03:00.0 pciback
	check boot-cmdline "pciback_nl reserved it at boot (kernel log)" reserved_at_boot
	check boot-cmdline "e1000e never probed 03:00.0" never_probed 0000:03:00.0=e1000e
	check boot-cmdline "the other NICs keep e1000e" drivers_are 0000:01:00.0=e1000e 0000:02:00.0=e1000e
	key_done boot-cmdline
}
