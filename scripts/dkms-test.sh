#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make dkms-check: the module through DKMS, as pciback-nl-dkms installs it.
# Exports the module's sources the way the package does (make dkms-install)
# into /usr/src/pciback-nl-VERSION, then dkms add, and for each kernel dkms
# build and dkms install, and checks the installed module: vermagic,
# compressed as the kernel's own modules, in updates/dkms where modprobe
# finds it, built without a compiler warning; then dkms remove --all, and
# nothing may be left.  No dkms command may print a warning.  Ends with
# "dkms: N passed, N failed, N skipped".
#
#   dkms-test.sh [KVER...]          the host (bookworm's dkms 3.0.10);
#                                   default: the installed 6.1 and 6.12
#   dkms-test.sh --suite SUITE [KVER...]
#                                   inside the Debian root of SUITE (trixie,
#                                   sid: scripts/debian-root.sh, which
#                                   installs dkms and the kernel headers),
#                                   with its dkms, against its kernel
#                                   headers; default: every kernel with
#                                   headers in the root (sid: sid's and
#                                   experimental's, when the root has them).
#                                   Logs in build/dkms/SUITE.  --suite
#                                   bookworm is the host's run.
#
# Needs root.  Skips (and touches nothing) when pciback-nl is in DKMS or
# /usr/src already, e.g. with the package installed.  Leaves no DKMS tree
# registered, even when interrupted.  Logs in build/dkms/.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)

# What the checks need in a suite's root besides what dkms brings.
ROOT_PKGS=(dkms build-essential linux-headers-amd64 kmod xz-utils zstd openssl)
host_suite=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
suite=""
if [ "${1:-}" = --suite ]; then
	suite=${2:?usage: dkms-test.sh --suite SUITE [KVER...]}
	shift 2
	[ "$suite" = "$host_suite" ] && suite=""
fi
# Another suite: this script once more inside its root (in-root.sh), with
# PBNL_DKMS_SUITE set, for the root's kernels; its logs are then copied
# out of the root to build/dkms/SUITE.
if [ -n "$suite" ]; then
	root=${PBNL_ROOTS:-$top/build/roots}/$suite
	dest=$top/build/dkms/$suite
	# shellcheck source=scripts/suite-lib.sh
	. "$top/scripts/suite-lib.sh"
	pbnl_suite_root dkms "$suite" "$dest" "${ROOT_PKGS[@]}"
	kvers=("$@")
	if [ ${#kvers[@]} -eq 0 ]; then
		# every kernel release whose headers the root has
		mapfile -t kvers < <(for d in "$root"/usr/src/linux-headers-*; do
				[ -f "$d/include/config/kernel.release" ] &&
					[ -f "$d/Makefile" ] && cat "$d/include/config/kernel.release"
			done | sort -uV)
	fi
	rc=0
	"$top/scripts/in-root.sh" "$suite" env PBNL_DKMS_SUITE="$suite" \
		scripts/dkms-test.sh "${kvers[@]}" || rc=$?
	cp -a "$root/src/pciback-nl/build/dkms/$suite/." "$dest/" 2>/dev/null
	exit "$rc"
fi
in_root=${PBNL_DKMS_SUITE:-}
name=pciback-nl
version=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$top/dkms.conf")
src=/usr/src/$name-$version
logdir=$top/build/dkms${in_root:+/$in_root}
pass=0 fail=0 skip=0 n=0
ours=0
tmp=""

ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $*"; }
skipped() { n=$((n + 1)); skip=$((skip + 1)); echo "ok $n $* # SKIP"; }
skip_all() {
	n=$((n + 1)); skip=$((skip + 1))
	echo "ok $n dkms # SKIP $*"
	echo "dkms: $pass passed, $fail failed, $skip skipped"
	exit 0
}
# check DESC CMD...: one check; the command's output goes to the log,
# and its last lines to the terminal when it fails.
check() {
	local desc=$1 log
	shift
	log=$logdir/$(tr -c 'A-Za-z0-9.+-' '_' <<<"$desc" | cut -c1-80).log
	if "$@" >"$log" 2>&1; then
		ok "$desc"
		return 0
	fi
	not_ok "$desc"
	tail -n 15 "$log" | sed 's/^/#   /'
	return 1
}

# Another pciback_nl in /lib/modules (selftests/vm/boot-initramfs.sh puts
# one in updates/pciback-nl-test for the time of its run) would be the one
# modinfo and modprobe find: wait for it to go (up to 10 minutes).
wait_foreign() {
	local k foreign i
	for ((i = 0; i < 120; i++)); do
		foreign=$(for k in "$@"; do
			find "/lib/modules/$k" -name 'pciback_nl.ko*' ! -path '*/updates/dkms/*' 2>/dev/null
		done)
		[ -z "$foreign" ] && return 0
		[ "$i" = 0 ] && echo "# waiting for another pciback_nl to go (boot-initramfs.sh running?): $foreign" >&3
		sleep 5
	done
	echo "# still there: $foreign"
	return 1
}

# dkms_ok ARGS...: dkms ARGS, which must succeed and print no warning.
# Not counted: bookworm's dkms 3.0.10 looks for clang with "readelf -p
# .comment" on the headers' vmlinux and lets readelf's complaint through
# when that vmlinux has no .comment section (bookworm's 6.12 headers);
# dkms 3.2 keeps it to itself.  It says nothing about our module.
dkms_ok() {
	local out rc=0
	out=$(dkms "$@" 2>&1) || rc=$?
	printf '%s\n' "$out"
	[ "$rc" -eq 0 ] || return "$rc"
	if grep -i 'warn' <<<"$out" |
		grep -v -x "readelf: Warning: Section '.comment' was not dumped because it does not exist" |
		grep .; then
		echo "dkms $1: printed the warnings above"
		return 1
	fi
}

# no_build_warnings KVER: the compiler and kbuild warned of nothing in
# DKMS's build of the module for KVER (its make.log).
no_build_warnings() {
	local log
	log=/var/lib/dkms/$name/$version/$1/$(uname -m)/log/make.log
	[ -f "$log" ] || { echo "no $log"; return 1; }
	cat "$log"
	! grep -i 'warning' "$log"
}

cleanup() {
	exec >&3 2>&4
	if [ "$ours" = 1 ]; then
		if [ -n "$(dkms status -m "$name" -v "$version" 2>/dev/null)" ]; then
			dkms remove -m "$name" -v "$version" --all >/dev/null 2>&1 ||
				echo "# dkms-test: dkms remove failed in cleanup" >&2
		fi
		rm -rf "$src" "/var/lib/dkms/$name/$version"
		rmdir "/var/lib/dkms/$name" 2>/dev/null
	fi
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
# A signal may come while a check has stdout and stderr in its log: the
# traps write to the script's own (3, 4).
exec 3>&1 4>&2
trap 'exec >&3 2>&4; not_ok "interrupted"; echo "dkms: $pass passed, $fail failed, $skip skipped"; exit 130' INT TERM HUP

kvers=("$@")
if [ ${#kvers[@]} -eq 0 ]; then
	mapfile -t kvers < <("$top/scripts/kernels.sh")
	[ ${#kvers[@]} -gt 0 ] || { not_ok "supported kernels with headers (make deps)"; echo "dkms: $pass passed, $fail failed, $skip skipped"; exit 1; }
fi
[ -z "$in_root" ] || rm -rf "$logdir"
mkdir -p "$logdir"
[ -n "$version" ] || { not_ok "PACKAGE_VERSION in dkms.conf"; echo "dkms: $pass passed, $fail failed, $skip skipped"; exit 1; }
[ "$(id -u)" = 0 ] || skip_all "needs root"
command -v dkms >/dev/null || skip_all "dkms is not installed (make deps)"

# One DKMS user of pciback-nl at a time (scripts/deb.sh installs the package).
mkdir -p /run/lock
exec 9>/run/lock/pciback-nl-dkms.lock
flock -w 1800 9 || { not_ok "lock /run/lock/pciback-nl-dkms.lock"; echo "dkms: $pass passed, $fail failed, $skip skipped"; exit 1; }
if [ -e "$src" ] || [ -n "$(dkms status -m "$name" 2>/dev/null)" ]; then
	skip_all "$name is in DKMS or $src exists already (pciback-nl-dkms installed?): not touching it"
fi

check "no other pciback_nl in /lib/modules of ${kvers[*]}" wait_foreign "${kvers[@]}"
echo "# ${in_root:-$host_suite}: dkms $(dkms --version 2>/dev/null | sed 's/^dkms-//'), $name $version, kernels ${kvers[*]}"
tmp=$(mktemp -d)
check "export the sources (make dkms-install)" \
	make -s -C "$top" dkms-install DESTDIR="$tmp" || exit 1
ours=1
cp -a "$tmp/usr/src/$name-$version" "$src"
# what Kbuild links must all be there: pciback_nl-y and the optional ones
missing=()
while read -r o; do
	[ -f "$src/${o%.o}.c" ] || missing+=("${o%.o}.c")
done < <(grep -o 'kmod/[a-z_0-9]*\.o' "$top/Kbuild")
check "every object of Kbuild has its source in $src" test ${#missing[@]} -eq 0 ||
	echo "#   missing: ${missing[*]}"

check "dkms add" dkms_ok add -m "$name" -v "$version"
for kver in "${kvers[@]}"; do
	start=$(date +%s)
	check "$kver: dkms build" dkms_ok build -m "$name" -v "$version" -k "$kver" || continue
	check "$kver: built without a warning (make.log)" no_build_warnings "$kver"
	check "$kver: dkms install" dkms_ok install -m "$name" -v "$version" -k "$kver" || continue
	echo "# $kver: built and installed in $(( $(date +%s) - start )) s"
	check "$kver: dkms status says installed" \
		bash -c "dkms status -m '$name' -v '$version' -k '$kver' | grep -q ': installed'"
	# A kernel whose headers are here without its image (sid's root has
	# experimental's headers only) has no modules.dep: modinfo -k and
	# modprobe cannot look there, and DKMS compresses as the kernel's
	# own modules, of which there are none.
	image=1
	[ -f "/lib/modules/$kver/modules.dep" ] || image=0
	if [ "$image" = 1 ]; then
		file=$(modinfo -k "$kver" -F filename pciback_nl 2>/dev/null)
	else
		file=$(find "/lib/modules/$kver/updates/dkms" -name 'pciback_nl.ko*' 2>/dev/null | head -n1)
	fi
	vermagic=$(modinfo -F vermagic "$file" 2>/dev/null)
	echo "# $kver: $file, vermagic '$vermagic', signer '$(modinfo -F signer "$file" 2>/dev/null)'"
	check "$kver: vermagic names the kernel" test "${vermagic%% *}" = "$kver"
	# Compressed as the kernel's own modules (modules.dep tells).
	suffix=.ko
	for s in xz zst gz; do
		if grep -q "\.ko\.$s:" "/lib/modules/$kver/modules.dep" 2>/dev/null; then suffix=.ko.$s; fi
	done
	check "$kver: installed as updates/dkms/pciback_nl$suffix" \
		test "$file" = "/lib/modules/$kver/updates/dkms/pciback_nl$suffix"
	if [ "$image" = 1 ]; then
		check "$kver: modprobe finds it" \
			bash -c "modprobe -S '$kver' --show-depends pciback_nl | grep -qx 'insmod $file '"
	else
		skipped "$kver: modprobe finds it: headers only, no linux-image-$kver here"
	fi
	if [ "$suffix" != .ko ]; then
		check "$kver: $suffix decompresses to a module for $kver" \
			bash -c "case '$suffix' in .ko.xz) xz -dc ;; .ko.zst) zstd -dcq ;; .ko.gz) gzip -dc ;; esac <'$file' >'$tmp/m.ko' &&
				 modinfo -F vermagic '$tmp/m.ko' | grep -q '^$kver '"
	fi
done

check "dkms remove --all" dkms_ok remove -m "$name" -v "$version" --all
check "dkms status is empty" test -z "$(dkms status -m "$name" 2>&1)"
left=$(find /lib/modules -path '*/updates/dkms/pciback_nl.ko*' 2>/dev/null)
check "no pciback_nl left in /lib/modules" test -z "$left" || echo "#   left: $left"
for kver in "${kvers[@]}"; do
	check "$kver: modinfo finds no pciback_nl" bash -c "! modinfo -k '$kver' pciback_nl 2>&1"
done
rm -rf "$src"
ours=0

echo "dkms: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
