#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make dkms-check: the module through DKMS (bookworm's dkms 3.0.10), as
# pciback-nl-dkms installs it.  Exports the module's sources the way the
# package does (make dkms-install) into /usr/src/pciback-nl-VERSION, then
# dkms add, and for each kernel dkms build and dkms install, and checks the
# installed module: vermagic, compressed as the kernel's own modules,
# in updates/dkms where modprobe finds it; then dkms remove --all, and
# nothing may be left.  Ends with "dkms: N passed, N failed, N skipped".
#
#   dkms-test.sh [KVER...]      default: the installed 6.1 and 6.12
#
# Needs root.  Skips (and touches nothing) when pciback-nl is in DKMS or
# /usr/src already, e.g. with the package installed.  Leaves no DKMS tree
# registered, even when interrupted.  Logs in build/dkms/.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
name=pciback-nl
version=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$top/dkms.conf")
src=/usr/src/$name-$version
logdir=$top/build/dkms
pass=0 fail=0 skip=0 n=0
ours=0
tmp=""

ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $*"; }
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
mkdir -p "$logdir"
[ -n "$version" ] || { not_ok "PACKAGE_VERSION in dkms.conf"; echo "dkms: $pass passed, $fail failed, $skip skipped"; exit 1; }
[ "$(id -u)" = 0 ] || skip_all "needs root"
command -v dkms >/dev/null || skip_all "dkms is not installed (make deps)"

# One DKMS user of pciback-nl at a time (scripts/deb.sh installs the package).
exec 9>/run/lock/pciback-nl-dkms.lock
flock -w 1800 9 || { not_ok "lock /run/lock/pciback-nl-dkms.lock"; echo "dkms: $pass passed, $fail failed, $skip skipped"; exit 1; }
if [ -e "$src" ] || [ -n "$(dkms status -m "$name" 2>/dev/null)" ]; then
	skip_all "$name is in DKMS or $src exists already (pciback-nl-dkms installed?): not touching it"
fi

check "no other pciback_nl in /lib/modules of ${kvers[*]}" wait_foreign "${kvers[@]}"
echo "# dkms $(dkms --version 2>/dev/null | sed 's/^dkms-//'), $name $version, kernels ${kvers[*]}"
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

check "dkms add" dkms add -m "$name" -v "$version"
for kver in "${kvers[@]}"; do
	start=$(date +%s)
	check "$kver: dkms build" dkms build -m "$name" -v "$version" -k "$kver" || continue
	check "$kver: dkms install" dkms install -m "$name" -v "$version" -k "$kver" || continue
	echo "# $kver: built and installed in $(( $(date +%s) - start )) s"
	check "$kver: dkms status says installed" \
		bash -c "dkms status -m '$name' -v '$version' -k '$kver' | grep -q ': installed'"
	file=$(modinfo -k "$kver" -F filename pciback_nl 2>/dev/null)
	vermagic=$(modinfo -k "$kver" -F vermagic pciback_nl 2>/dev/null)
	echo "# $kver: $file, vermagic '$vermagic', signer '$(modinfo -k "$kver" -F signer pciback_nl 2>/dev/null)'"
	check "$kver: vermagic names the kernel" test "${vermagic%% *}" = "$kver"
	# Compressed as the kernel's own modules (modules.dep tells).
	suffix=.ko
	for s in xz zst gz; do
		if grep -q "\.ko\.$s:" "/lib/modules/$kver/modules.dep"; then suffix=.ko.$s; fi
	done
	check "$kver: installed as updates/dkms/pciback_nl$suffix" \
		test "$file" = "/lib/modules/$kver/updates/dkms/pciback_nl$suffix"
	check "$kver: modprobe finds it" \
		bash -c "modprobe -S '$kver' --show-depends pciback_nl | grep -qx 'insmod $file '"
	if [ "$suffix" != .ko ]; then
		check "$kver: $suffix decompresses to a module for $kver" \
			bash -c "case '$suffix' in .ko.xz) xz -dc ;; .ko.zst) zstd -dcq ;; .ko.gz) gzip -dc ;; esac <'$file' >'$tmp/m.ko' &&
				 modinfo -F vermagic '$tmp/m.ko' | grep -q '^$kver '"
	fi
done

check "dkms remove --all" dkms remove -m "$name" -v "$version" --all
check "dkms status is empty" test -z "$(dkms status -m "$name" 2>&1)"
left=$(find /lib/modules -path '*/updates/dkms/pciback_nl.ko*' 2>/dev/null)
check "no pciback_nl left in /lib/modules" test -z "$left" || echo "#   left: $left"
for kver in "${kvers[@]}"; do
	check "$kver: modinfo finds no pciback_nl" bash -c "! modinfo -k '$kver' pciback_nl"
done
rm -rf "$src"
ours=0

echo "dkms: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
