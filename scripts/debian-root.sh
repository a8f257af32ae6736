#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debian-root.sh SUITE [PACKAGE...]
#
# Make (once) a Debian root of SUITE under build/roots/SUITE with
# debootstrap, and install PACKAGEs in it with apt-get.  The host is never
# upgraded: other suites' compilers, kernel headers, Xen and QEMU come from
# these roots.  SUITE is trixie or sid; the sid root also lists
# experimental, whose packages apt installs only when asked for by their
# exact name (experimental is NotAutomatic), so one root serves both.
#
# Commands run inside the root with /proc, /sys and /dev bind-mounted for
# that command only, and a policy-rc.d that refuses to start any service.
# Prints the root's path on the last line.  Needs root.
#
# Environment: PBNL_ROOTS (default build/roots), PBNL_MIRROR (default: the
# first http(s) URI in the host's apt sources, else deb.debian.org).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
suite=${1:?usage: debian-root.sh SUITE [PACKAGE...]}
shift
roots=${PBNL_ROOTS:-$top/build/roots}
root=$roots/$suite

case $suite in
trixie | sid) ;;
*)
	echo "debian-root: unknown suite '$suite' (trixie, sid)" >&2
	exit 2
	;;
esac

if [ "$(id -u)" -ne 0 ]; then
	echo "debian-root: needs root (debootstrap, chroot)" >&2
	exit 1
fi

mirror=${PBNL_MIRROR:-}
if [ -z "$mirror" ]; then
	mirror=$(sed -n 's/^URIs:[[:space:]]*\(https\?:[^[:space:]]*\/debian\)[[:space:]]*$/\1/p' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
	[ -n "$mirror" ] || mirror=$(sed -n 's/^deb[[:space:]]\+\(https\?:[^[:space:]]*\/debian\)[[:space:]].*/\1/p' \
		/etc/apt/sources.list 2>/dev/null | head -n1)
	[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
fi

# Serialise work on one root: two callers (make matrix and a VM run)
# must not run apt-get in it at the same time.
mkdir -p "$roots"
exec 9>"$roots/.$suite.lock"
flock 9

# Run a command inside the root; the bind mounts are undone on the way out
# even when the command fails.
in_root() {
	local rc=0
	mount --bind /proc "$root/proc"
	mount --bind /sys "$root/sys"
	mount --bind /dev "$root/dev"
	mount --bind /dev/pts "$root/dev/pts"
	LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$root" "$@" || rc=$?
	umount "$root/dev/pts" "$root/dev" "$root/sys" "$root/proc"
	return "$rc"
}

if [ ! -e "$root/.pbnl-ready" ]; then
	# Never remove through a bind mount a killed in-root.sh left behind
	# (its /dev is the host's): refuse, and stay on the root's file system.
	if awk -v r="$root/" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
		echo "debian-root: something is still mounted under $root (umount it first)" >&2
		exit 1
	fi
	rm -rf --one-file-system "$root"
	echo "debian-root: debootstrap $suite into $root from $mirror"
	debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$roots/$suite.debootstrap.log" 2>&1 || {
		tail -n 20 "$roots/$suite.debootstrap.log" >&2
		echo "debian-root: debootstrap $suite failed (log: $roots/$suite.debootstrap.log)" >&2
		exit 1
	}
	{
		echo "deb $mirror $suite main"
		[ "$suite" != sid ] || echo "deb $mirror experimental main"
	} >"$root/etc/apt/sources.list"
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	# No documentation or locales: smaller roots, faster installs.
	printf 'path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\npath-exclude /usr/share/locale/*\npath-exclude /usr/share/info/*\n' \
		>"$root/etc/dpkg/dpkg.cfg.d/01-pbnl-nodoc"
	# The archive here may serve a snapshot whose Release files are past
	# their Valid-Until date; their signatures are still checked.
	printf 'APT::Install-Recommends "false";\nAcquire::Retries "3";\nAcquire::Check-Valid-Until "false";\n' \
		>"$root/etc/apt/apt.conf.d/90pbnl"
	in_root apt-get update -q >/dev/null
	touch "$root/.pbnl-ready"
fi

if [ $# -gt 0 ]; then
	# Install only what is missing, so a second call is quick.
	missing=()
	for p in "$@"; do
		# shellcheck disable=SC2016 # dpkg-query's format
		in_root dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "debian-root: $suite: installing ${missing[*]}"
		in_root apt-get update -q >/dev/null
		in_root apt-get install -y -q "${missing[@]}" >"$roots/$suite.apt.log" 2>&1 || {
			tail -n 30 "$roots/$suite.apt.log" >&2
			echo "debian-root: apt-get install in $suite failed (log: $roots/$suite.apt.log)" >&2
			exit 1
		}
	fi
fi
echo "$root"
