#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: build the Debian packages pciback-nl-dkms, pcibackctl and
# pciback-nl-dev (dpkg-buildpackage -us -uc -b) in a temporary copy of the
# tree, put them in build/deb, run lintian on them; then, as root, install
# them (DKMS builds the module for every installed kernel with headers),
# check what they installed, boot the Xen VM on each kernel with the
# DKMS-built module and run a smoke of the selftests there, purge the
# packages and check that nothing is left.  Ends with
# "deb: N passed, N failed, N skipped".
#
#   deb.sh [KVER...]         kernels to check and boot (default: the installed
#                            6.1 and 6.12)
#   deb.sh --suite SUITE     the build and that suite's lintian inside its
#                            Debian root (trixie, sid: scripts/debian-root.sh,
#                            which installs what the build needs); the .debs
#                            and logs go to build/deb/SUITE.  No install and
#                            no VM: those are the host's (bookworm's), and
#                            are counted as skipped.  --suite bookworm is
#                            the host's run.
#
# Environment: DEB_VM=0 leaves the VM boots out; DEB_INSTALL=0 stops after
# lintian.  The installation steps are skipped (not failed) when any of the
# packages, or pciback-nl in DKMS, is there already: that installation is
# not ours to purge.  DEB_BUILD_OPTIONS goes to dpkg-buildpackage (nocheck
# leaves the tool's unit tests out: for finding a fault only, a package
# build runs them).  Logs: build/deb/log/ (one per check), build.log
# (dpkg-buildpackage's output), lintian.log, vm-KVER.{out,err,log} (the
# VM's output, run.sh's messages, its console; a boot that failed before
# anything of ours ran is retried once and its console kept as
# vm-KVER.log.boot-failed, see selftests/vm/README.md).
set -uo pipefail
# The package builds as dpkg-buildpackage builds it anywhere: not with the
# flags of a make that called this script ("make -s deps test" in CI
# exports MAKEFLAGS=s, which hid the compiler lines checked below).
unset MAKEFLAGS MFLAGS MAKELEVEL

top=$(cd "$(dirname "$0")/.." && pwd)

# What a build needs in a suite's root: debian/control's Build-Depends
# (dh-sequence-dkms is dh-dkms's) and lintian.
ROOT_PKGS=(build-essential debhelper dh-dkms fakeroot libnl-3-dev libnl-genl-3-dev
	libpci-dev pkgconf lintian)
host_suite=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
suite=""
if [ "${1:-}" = --suite ]; then
	suite=${2:?usage: deb.sh --suite SUITE}
	shift 2
	[ "$suite" = "$host_suite" ] && suite=""
fi
# Another suite: this script once more inside its root (in-root.sh, which
# copies the tree to /src/pciback-nl there), with PBNL_DEB_SUITE set; its
# .debs and logs are then copied out of the root to build/deb/SUITE.
if [ -n "$suite" ]; then
	root=${PBNL_ROOTS:-$top/build/roots}/$suite
	dest=$top/build/deb/$suite
	# shellcheck source=scripts/suite-lib.sh
	. "$top/scripts/suite-lib.sh"
	pbnl_suite_root deb "$suite" "$dest" "${ROOT_PKGS[@]}"
	rc=0
	"$top/scripts/in-root.sh" "$suite" env PBNL_DEB_SUITE="$suite" \
		DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-}" scripts/deb.sh || rc=$?
	cp -a "$root/src/pciback-nl/build/deb/$suite/." "$dest/" 2>/dev/null
	exit "$rc"
fi
in_root=${PBNL_DEB_SUITE:-}
# shellcheck source=selftests/vm/lib.sh
. "$top/selftests/vm/lib.sh"	# pbnl_boot_failed
name=pciback-nl
version=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$top/dkms.conf")
out=$top/build/deb${in_root:+/$in_root}
pkgs=(pciback-nl-dkms pcibackctl pciback-nl-dev)
smoke="dev_get_test hide_test"
pass=0 fail=0 skip=0 n=0
installed=0
tmp=""

ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $*"; }
skipped() { n=$((n + 1)); skip=$((skip + 1)); echo "ok $n $* # SKIP"; }
summary() { echo "deb: $pass passed, $fail failed, $skip skipped"; }
die() { not_ok "$*"; summary; exit 1; }
# check DESC CMD...: one check; the command's output goes to a log, and
# its last lines to the terminal when it fails.
check() {
	local desc=$1 log
	shift
	log=$out/log/$(tr -c 'A-Za-z0-9.+-' '_' <<<"$desc" | cut -c1-80).log
	if "$@" >"$log" 2>&1; then
		ok "$desc"
		return 0
	fi
	not_ok "$desc"
	tail -n 20 "$log" | sed 's/^/#   /'
	return 1
}
secs() { echo "$(( $(date +%s) - $1 )) s"; }

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

# apt-get runs in a session of its own (setsid -w): a Ctrl-C or a signal
# to our process group does not cut dpkg short in a maintainer script; we
# wait for it, then the EXIT trap purges.  The lock timeout covers a dpkg
# still finishing all the same.
apt() {
	DEBIAN_FRONTEND=noninteractive setsid -w apt-get -o DPkg::Lock::Timeout=300 -y -q "$@"
}
purge() {
	apt purge "${pkgs[@]}"
}
cleanup() {
	exec >&3 2>&4
	if [ "$installed" = 1 ]; then
		echo "# deb: purging ${pkgs[*]} after an interruption" >&2
		if ! purge >"$out/purge-cleanup.log" 2>&1; then
			# a dpkg killed mid-way (kill -9) must finish first
			if ! grep -q 'dpkg was interrupted' "$out/purge-cleanup.log" ||
			   ! dpkg --configure -a >>"$out/purge-cleanup.log" 2>&1 ||
			   ! purge >>"$out/purge-cleanup.log" 2>&1; then
				echo "# deb: purge failed, see $out/purge-cleanup.log" >&2
			fi
		fi
	fi
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
# A signal may come while a check has stdout and stderr in its log: the
# traps write to the script's own (3, 4).
exec 3>&1 4>&2
trap 'exec >&3 2>&4; not_ok "interrupted"; summary; exit 130' INT TERM HUP

rm -rf "$out/log"
mkdir -p "$out/log"
[ -n "$version" ] || die "PACKAGE_VERSION in dkms.conf"
kvers=("$@")
if [ ${#kvers[@]} -eq 0 ] && [ -z "$in_root" ]; then
	mapfile -t kvers < <("$top/scripts/kernels.sh")
	[ ${#kvers[@]} -gt 0 ] || die "supported kernels with headers (make deps)"
fi
for t in dpkg-buildpackage dh dh_dkms lintian; do
	command -v "$t" >/dev/null || die "$t is not installed (make deps)"
done

# One DKMS user of pciback-nl at a time (scripts/dkms-test.sh).
mkdir -p /run/lock
exec 9>/run/lock/pciback-nl-dkms.lock
flock -w 1800 9 || die "lock /run/lock/pciback-nl-dkms.lock"

# --- build, in a copy: the tree stays as it is, others work in it -------
tmp=$(mktemp -d /tmp/pciback-nl-deb.XXXXXX)
src=$tmp/$name-$version
mkdir -p "$src"
start=$(date +%s)
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	# tracked and new files as they are now, without what is ignored
	(cd "$top" && git ls-files -z -co --exclude-standard |
		while IFS= read -r -d '' f; do
			[ -e "$f" ] && printf '%s\0' "$f"
		done | xargs -0 cp -P --parents -t "$src") ||
		die "copy the tree to $src"
else
	tar -C "$top" --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf - ||
		die "copy the tree to $src"
fi
cl_version=$(cd "$src" && dpkg-parsechangelog -S Version)
mk_version=$(sed -n 's/^VERSION := //p' "$top/Makefile")
check "versions agree: changelog $cl_version, dkms.conf $version, Makefile $mk_version" \
	test "$cl_version" = "$version" -a "$mk_version" = "$version"

rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
echo "# ${in_root:-$host_suite}: dpkg-buildpackage $(dpkg-query -W -f '${Version}' dpkg-dev)," \
	"debhelper $(dpkg-query -W -f '${Version}' debhelper), gcc $(gcc -dumpfullversion)${DEB_BUILD_OPTIONS:+, DEB_BUILD_OPTIONS=$DEB_BUILD_OPTIONS}"
if check "dpkg-buildpackage -us -uc -b" \
	bash -c "cd '$src' && dpkg-buildpackage -us -uc -b >'$out/build.log' 2>&1 ||
		{ tail -n 40 '$out/build.log'; exit 1; }"; then
	mv "$tmp"/*.deb "$tmp"/*.changes "$tmp"/*.buildinfo "$out/"
fi
echo "# build: $(secs "$start")"
# The tool's unit tests ran (dh_auto_test), unless nocheck said not to.
if [[ " ${DEB_BUILD_OPTIONS:-} " = *" nocheck "* ]]; then
	skipped "the tool's unit tests in the build (DEB_BUILD_OPTIONS=nocheck)"
else
	check "the tool's unit tests ran in the build and passed" \
		grep -E '^[0-9]+ passed, 0 failed$' "$out/build.log"
fi
check "the tool was built without -Werror (WERROR=0)" \
	bash -c "grep -E '^(cc|gcc|[a-z0-9_-]*-gcc(-[0-9]+)?) .* -c -o pcibackctl\.o' '$out/build.log' |
		grep -v -e '-Werror\( \|$\)' | grep -q ."
arch=$(dpkg --print-architecture)
dkms_deb=$out/pciback-nl-dkms_${version}_all.deb
ctl_deb=$out/pcibackctl_${version}_$arch.deb
changes=$out/${name}_${version}_$arch.changes
dev_deb=$out/pciback-nl-dev_${version}_all.deb
check "built $(basename "$dkms_deb"), $(basename "$ctl_deb") and $(basename "$dev_deb")" \
	test -f "$dkms_deb" -a -f "$ctl_deb" -a -f "$dev_deb" -a -f "$changes" ||
	die "no packages to go on with"
left=$(cd "$top" && ls -d debian/tmp debian/.debhelper debian/files debian/*.substvars \
	debian/debhelper-build-stamp debian/pcibackctl debian/pciback-nl-dkms debian/pciback-nl-dev \
	../pciback-nl*_"$version"_* ../pcibackctl*_"$version"_* 2>/dev/null)
check "no build artefacts in the tree or beside it" test -z "$left" || echo "#   $left"
check "pciback-nl-dkms ships /usr/src/$name-$version with dkms.conf, Kbuild, kmod/, include/" \
	bash -c "dpkg-deb -c '$dkms_deb' | awk '{print \$6}' | grep -c -x -e './usr/src/$name-$version/dkms.conf' \
		-e './usr/src/$name-$version/Kbuild' -e './usr/src/$name-$version/kmod/main.c' \
		-e './usr/src/$name-$version/include/uapi/linux/pciback_nl.h' | grep -qx 4"
# The unit where the suite's debhelper puts it: /lib before trixie's
# 13.11.6, /usr/lib from it on (/lib is then an alias of /usr/lib).
if dpkg --compare-versions "$(dpkg-query -W -f '${Version}' debhelper)" ge 13.11.6; then
	unitdir=./usr/lib/systemd/system
else
	unitdir=./lib/systemd/system
fi
check "pcibackctl ships the tool, man page, completion, initramfs hook and script, unit in ${unitdir#.}, config" \
	bash -c "dpkg-deb -c '$ctl_deb' | awk '{print \$6}' | grep -c -x -e ./usr/sbin/pcibackctl \
		-e ./usr/share/man/man8/pcibackctl.8.gz -e ./usr/share/bash-completion/completions/pcibackctl \
		-e ./usr/share/initramfs-tools/hooks/pciback-nl -e ./usr/share/initramfs-tools/scripts/init-top/pciback-nl \
		-e $unitdir/pciback-nl.service -e ./etc/pciback-nl/hide.conf | grep -qx 7"
# The guides, the spec and the header where pcibackctl(8)'s SEE ALSO says
# they are.
doc_paths=(/usr/share/doc/pcibackctl/admin-guide.rst /usr/share/doc/pcibackctl/pciback-netlink.rst
	/usr/share/ynl/specs/pciback.yaml)
ships_docs() {
	local p list see
	list=$(dpkg-deb -c "$ctl_deb" | awk '{print $6}')
	see=$(sed -n '/^\.SH SEE ALSO/,/^\.SH [^S]/p' "$src/tools/pcibackctl.8" | sed 's/\\-/-/g')
	for p in "${doc_paths[@]}"; do
		grep -qxF ".$p" <<<"$list" || { echo "not in pcibackctl: $p"; return 1; }
	done
	for p in "${doc_paths[@]}" /usr/include/linux/pciback_nl.h; do
		grep -qF "$p" <<<"$see" || { echo "not in pcibackctl(8) SEE ALSO: $p"; return 1; }
	done
}
check "pcibackctl ships the guides and the spec at the paths pcibackctl(8) names" ships_docs
check "pciback-nl-dev ships /usr/include/linux/pciback_nl.h as in the tree" \
	bash -c "dpkg-deb --fsys-tarfile '$dev_deb' | tar -xOf - ./usr/include/linux/pciback_nl.h |
		cmp - '$src/include/uapi/linux/pciback_nl.h'"

# --- lintian: no errors, no warnings ------------------------------------
start=$(date +%s)
# nobody must read the packages (out is under /src/pciback-nl in a root)
[ -n "$in_root" ] && chmod -R a+rX "$out"
# not as root (lintian advises against it): as nobody, who can read them
as=()
[ "$(id -u)" = 0 ] && command -v runuser >/dev/null && as=(runuser -u nobody --)
"${as[@]}" lintian --display-info --pedantic "$changes" >"$out/lintian.log" 2>&1
rc=$?
if [ "$rc" -gt 1 ] && [ ${#as[@]} -gt 0 ]; then	# nobody may not read build/deb
	lintian --display-info --pedantic "$changes" >"$out/lintian.log" 2>&1
	rc=$?
fi
sed 's/^/# lintian: /' "$out/lintian.log"
check "lintian ran (exit $rc)" test "$rc" -le 1
errors=$(grep -c '^E: ' "$out/lintian.log")
warnings=$(grep -c '^W: ' "$out/lintian.log")
echo "# lintian $(lintian --version | sed 's/^Lintian v//'): $errors errors, $warnings warnings ($(secs "$start"))"
check "lintian: no errors" test "$errors" -eq 0
check "lintian: no warnings" test "$warnings" -eq 0

# --- install, check, boot, purge -----------------------------------------
if [ -n "$in_root" ]; then
	skipped "install and VM smoke: on the host only, not in the $in_root root"
	summary
	[ "$fail" -eq 0 ]
	exit
fi
if [ "${DEB_INSTALL:-1}" = 0 ]; then
	skipped "install (DEB_INSTALL=0)"
	summary
	[ "$fail" -eq 0 ]
	exit
fi
if [ "$(id -u)" != 0 ]; then
	skipped "install: needs root"
	summary
	[ "$fail" -eq 0 ]
	exit
fi
present=$(dpkg-query -W -f '${Package} ${Status}\n' "${pkgs[@]}" 2>/dev/null | grep ' installed$')
present+=$(dkms status -m "$name" 2>/dev/null)
if [ -n "$present" ] || [ -e "/usr/src/$name-$version" ]; then
	echo "# already here: $present"
	skipped "install: $name is installed already (not ours to purge)"
	summary
	[ "$fail" -eq 0 ]
	exit
fi

check "no other pciback_nl in /lib/modules of ${kvers[*]}" wait_foreign "${kvers[@]}"
start=$(date +%s)
installed=1
check "apt-get install ./build/deb/{pciback-nl-dkms,pcibackctl,pciback-nl-dev}*.deb" \
	apt install "$dkms_deb" "$ctl_deb" "$dev_deb"
echo "# install (DKMS builds, update-initramfs): $(secs "$start")"
grep -E '^(Building for|update-initramfs:)' "$out"/log/apt-get_install*.log | sed 's/^/# /'
for p in "${pkgs[@]}"; do
	check "$p is installed" bash -c "dpkg-query -W -f '\${Status}' $p | grep -qx 'install ok installed'"
done
for kver in "${kvers[@]}"; do
	check "$kver: dkms status: installed" \
		bash -c "dkms status -m $name -v $version -k '$kver' | grep -q ': installed'"
	vermagic=$(modinfo -k "$kver" -F vermagic pciback_nl 2>/dev/null)
	check "$kver: modinfo -k finds pciback_nl, vermagic $kver" test "${vermagic%% *}" = "$kver"
done
check "pcibackctl --help" /usr/sbin/pcibackctl --help
check "pcibackctl --version says $version" bash -c "/usr/sbin/pcibackctl --version | grep -qw '$version'"
check "man page pcibackctl(8) installed" bash -c "man -w pcibackctl 2>/dev/null | grep -q pcibackctl.8 ||
	test -f /usr/share/man/man8/pcibackctl.8.gz"
check "bash completion installed" test -f /usr/share/bash-completion/completions/pcibackctl
check "a program including <linux/pciback_nl.h> (pciback-nl-dev) builds" \
	bash -c "printf '#include <linux/pciback_nl.h>\nint main(void) { return PCIBACK_FAMILY_VERSION != 1; }\n' |
		cc -x c -Wall -o /dev/null -"
check "hide.conf is a conffile and names no device" \
	bash -c "dpkg-query -W -f '\${Conffiles}' pcibackctl | grep -q /etc/pciback-nl/hide.conf &&
		test -z \"\$(pcibackctl apply --module-options /etc/pciback-nl/hide.conf)\""
check "pciback-nl.service enabled (not started)" \
	test -L /etc/systemd/system/sysinit.target.wants/pciback-nl.service
# The trigger rebuilt the newest kernel's initramfs with our script: the
# newest installed kernel that has one, as update-initramfs -u picks it,
# whichever kernels this run tests.
newest=$(linux-version list | while read -r v; do
		[ -e "/boot/initrd.img-$v" ] && echo "$v"
	done | linux-version sort --reverse | head -n1)
if [ -f "/boot/initrd.img-$newest" ]; then
	check "update-initramfs put init-top/pciback-nl into initrd.img-$newest" \
		bash -c "lsinitramfs '/boot/initrd.img-$newest' | grep -q 'scripts/init-top/pciback-nl$'"
fi

# The Xen VM with the DKMS-built module, once per kernel: the payload
# (tool, selftests) from the copy, its module PBNL_KO (lib.sh).  The
# fault-injection tests skip: DKMS builds without PBNL_FAULT_INJECT.
if [ "${DEB_VM:-1}" = 0 ]; then
	skipped "VM smoke (DEB_VM=0)"
else
	[ -d "$top/build/ynl" ] && mkdir -p "$src/build" && cp -a "$top/build/ynl" "$src/build/"
	for kver in "${kvers[@]}"; do
		start=$(date +%s)
		ko=$(modinfo -k "$kver" -F filename pciback_nl 2>/dev/null)
		srcversion=$(modinfo -F srcversion "$ko" 2>/dev/null)
		# shellcheck disable=SC2016 # expanded by that bash
		if ! payload=$(PBNL_KO=$ko bash -c 'top=$1; . "$top/selftests/vm/lib.sh" && pbnl_payload "$2"' \
				_ "$src" "$kver" 2>"$out/payload-$kver.log"); then
			not_ok "$kver: VM payload with $ko"
			tail -n 20 "$out/payload-$kver.log" | sed 's/^/#   /'
			continue
		fi
		cp /usr/sbin/pcibackctl "$payload/bin/"
		echo "# vm: $kver, Xen, module $ko"
		for try in 1 2; do
			"$src/selftests/vm/run.sh" --kver "$kver" --timeout "${VM_TIMEOUT:-600}" \
				--log "$out/vm-$kver.log" \
				--run "echo \"# srcversion \$(cat /sys/module/pciback_nl/srcversion)\"; /opt/pciback-nl/run-selftests $smoke" \
				"$payload" 2>"$out/vm-$kver.err" | tee "$out/vm-$kver.out" |
				grep -E '^(# Totals|# srcversion|not ok|ok [0-9]+ selftests)'
			rc=${PIPESTATUS[0]}
			# Once only: a boot that failed before anything of ours ran
			if [ "$rc" -eq 0 ] || [ "$try" = 2 ] ||
				! why=$(pbnl_boot_failed "$out/vm-$kver.log" "$out/vm-$kver.out" "$rc" hang); then
				break
			fi
			echo "# vm: $kver: $why (see build/deb/vm-$kver.log.boot-failed); booting once more"
			cp "$out/vm-$kver.log" "$out/vm-$kver.log.boot-failed"
		done
		echo "# vm: $kver: exit $rc, $(secs "$start")"
		check "$kver: the VM ran the DKMS-built module (srcversion $srcversion)" \
			grep -qx "# srcversion $srcversion" "$out/vm-$kver.out"
		line=$(grep -E '^# Totals: pass:[0-9]+ fail:[0-9]+ skip:[0-9]+' "$out/vm-$kver.out" | tail -n1)
		if [ -z "$line" ]; then
			not_ok "$kver: the VM did not report (exit $rc; build/deb/vm-$kver.log)"
			tail -n 20 "$out/vm-$kver.err" | sed 's/^/#   /'
			continue
		fi
		p=$(sed -n 's/.*pass:\([0-9]*\).*/\1/p' <<<"$line")
		f=$(sed -n 's/.* fail:\([0-9]*\).*/\1/p' <<<"$line")
		s=$(sed -n 's/.* skip:\([0-9]*\).*/\1/p' <<<"$line")
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1	# failed in a way no test counted
		echo "# vm: $kver: $p passed, $f failed, $s skipped"
		pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	done
fi

start=$(date +%s)
check "apt-get purge ${pkgs[*]}" purge && installed=0
echo "# purge: $(secs "$start")"
check "dkms status is empty" test -z "$(dkms status -m "$name" 2>&1)"
left=$(find /lib/modules -path '*/updates/dkms/pciback_nl.ko*' 2>/dev/null)
check "no pciback_nl left in /lib/modules" test -z "$left"
check "nothing left: /usr/src/$name-$version, /etc/pciback-nl, the unit's link" \
	test ! -e "/usr/src/$name-$version" -a ! -e /etc/pciback-nl -a \
	! -L /etc/systemd/system/sysinit.target.wants/pciback-nl.service
for p in "${pkgs[@]}"; do
	check "$p is gone" bash -c "! dpkg-query -W -f '\${Status}' $p 2>/dev/null | grep -q installed"
done

summary
[ "$fail" -eq 0 ]
