# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared by deb.sh and dkms-test.sh for their --suite runs.  Sourced;
# expects $top to be the project root.
# shellcheck disable=SC2154 # top: set by the script that sources this

# pbnl_suite_root NAME SUITE DEST PKG...: empty DEST (build/NAME/SUITE),
# then make SUITE's root with PKGs (debian-root.sh, log in DEST/root.log).
# Returns when the root is ready; otherwise prints the TAP line and
# "NAME: N passed, N failed, N skipped" and ends the script: exit 0 when
# not root (skipped), exit 1 when the root could not be made.
pbnl_suite_root() {
	local name=$1 suite=$2 dest=$3 start
	shift 3
	rm -rf "$dest"
	mkdir -p "$dest"
	if [ "$(id -u)" != 0 ]; then
		echo "ok 1 $suite: $name in its root # SKIP needs root (chroot)"
		echo "$name: 0 passed, 0 failed, 1 skipped"
		exit 0
	fi
	start=$(date +%s)
	if ! "$top/scripts/debian-root.sh" "$suite" "$@" >"$dest/root.log" 2>&1; then
		echo "not ok 1 $suite root with $* (${dest#"$top"/}/root.log)"
		tail -n 20 "$dest/root.log" | sed 's/^/#   /'
		echo "$name: 0 passed, 1 failed, 0 skipped"
		exit 1
	fi
	echo "# $suite root ready: $(($(date +%s) - start)) s"
}
