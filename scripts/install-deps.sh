#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything pciback-nl needs to build and test on the Debian this
# runs on (VERSION_CODENAME in /etc/os-release): toolchain and libraries,
# Xen and QEMU for the test bed, and the supported kernels with their
# headers and sources.
#
#   bookworm   6.1 (what linux-image-amd64 depends on) and the newest
#              6.12 the archive has (linux-image-6.12.*+deb12-amd64)
#   others     the kernel the suite's linux-image-amd64 depends on
#              (trixie: 6.12, sid: its newest)
#
# and on every suite the newest Xen of the suite itself (pin priority 500
# or more: no backports, no experimental; 4.17 on bookworm, 4.20 on trixie
# and sid), and the libclang-rt-N-dev (the fuzzer's runtime) of the clang-N
# that the clang package depends on.  Versions are looked up in the
# archive, never hard-coded.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# Wait up to 10 minutes for another apt or dpkg run (a machine's own
# start-up jobs) to let go of the package database.
apt_get() {
	$SUDO apt-get -o DPkg::Lock::Timeout=600 "$@"
}

# A dpkg run that was cut off (a half-configured package) makes apt-get
# refuse everything with "dpkg was interrupted".  Finish it first; on a
# clean machine this does nothing.  dpkg itself does not wait for its
# lock, so retry while another run holds it.
if [ -n "$(ls -A /var/lib/dpkg/updates 2>/dev/null)" ] ||
	[ -n "$(dpkg --audit 2>/dev/null)" ]; then
	echo "install-deps: finishing an interrupted dpkg run (dpkg --configure -a)"
	tries=0
	until $SUDO dpkg --force-confdef --force-confold --configure -a; do
		tries=$((tries + 1))
		if [ "$tries" -ge 60 ]; then
			echo "install-deps: dpkg --configure -a failed $tries times" >&2
			exit 1
		fi
		sleep 10
	done
	apt_get install -f -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold
fi

# The pin priority of PACKAGE's candidate version, or 0 without one.
candidate_priority() {
	apt-cache policy "$1" 2>/dev/null | awk '
		$1 == "Candidate:" { c = $2 }
		/^ +(\*\*\* )?[^ ]+ -?[0-9]+$/ { sub(/^ +(\*\*\* )?/, ""); if ($1 == c) { print $2; found = 1; exit } }
		END { if (!found) print 0 }'
}

# The kernel (release) PACKAGE's candidate depends on: linux-image-amd64's.
depends_kernel() {
	apt-cache depends "$1" 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*-amd64\)$/\1/p' | head -n1
}

# The newest Xen of this suite: the xen-hypervisor-4.N-amd64 with the
# highest N whose candidate comes from a release apt installs from by
# default (pin priority 500 or more).  Prints N's "4.N".
newest_xen() {
	local p
	apt-cache search --names-only '^xen-hypervisor-[0-9]+\.[0-9]+-amd64$' |
		awk '{ print $1 }' | sort -rV | while read -r p; do
			if [ "$(candidate_priority "$p")" -ge 500 ]; then
				p=${p#xen-hypervisor-}
				echo "${p%-amd64}"
				break
			fi
		done
}

# shellcheck source=/dev/null
codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")

apt_get update -q

kernels=()
case $codename in
bookworm)
	k61=$(depends_kernel linux-image-amd64)
	k612=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' |
		awk '{print $1}' | sed 's/^linux-image-//; s/-unsigned$//' | sort -V | tail -n1)
	case $k61 in 6.1.*) ;; *) k61="" ;; esac
	if [ -z "$k61" ] || [ -z "$k612" ]; then
		echo "install-deps: cannot find the 6.1 ($k61) or 6.12 ($k612) kernel in the archive" >&2
		exit 1
	fi
	echo "install-deps: $codename: kernels $k61 and $k612"
	kernels=("linux-image-$k61" "linux-headers-$k61"
		"linux-image-$k612-unsigned" "linux-headers-$k612"
		linux-source-6.1 linux-source-6.12)
	;;
*)
	k=$(depends_kernel linux-image-amd64)
	if ! [[ $k =~ ^[0-9]+\.[0-9]+ ]]; then
		echo "install-deps: ${codename:-this suite}: linux-image-amd64 depends on no kernel in the archive" >&2
		exit 1
	fi
	series=${BASH_REMATCH[0]}
	if [ "$(candidate_priority "linux-source-$series")" -le 0 ]; then
		echo "install-deps: ${codename:-this suite}: no linux-source-$series for kernel $k in the archive" >&2
		exit 1
	fi
	echo "install-deps: ${codename:-this suite}: kernel $k"
	kernels=("linux-image-$k" "linux-headers-$k" "linux-source-$series")
	;;
esac

xen=$(newest_xen)
clang=$(apt-cache depends clang 2>/dev/null | sed -n 's/^ *Depends: clang-\([0-9]\+\)$/\1/p' | head -n1)
if [ -z "$xen" ] || [ -z "$clang" ]; then
	echo "install-deps: ${codename:-this suite}: cannot find Xen ($xen) or the clang package's clang-N ($clang) in the archive" >&2
	exit 1
fi
echo "install-deps: ${codename:-this suite}: Xen $xen, clang-$clang"

apt_get install -y -q --no-install-recommends \
	build-essential gcc make pkg-config bc kmod cpio xz-utils zstd gzip initramfs-tools \
	libnl-3-dev libnl-genl-3-dev libpci-dev pciutils pci.ids \
	clang "libclang-rt-$clang-dev" \
	qemu-system-x86 "xen-hypervisor-$xen-amd64" "xen-utils-$xen" busybox-static \
	"${kernels[@]}" \
	python3 python3-yaml python3-jsonschema jq dkms shellcheck systemd \
	debhelper dh-dkms lintian \
	debootstrap
