#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything pciback-nl needs to build and test on Debian bookworm:
# toolchain and libraries, Xen 4.17 and QEMU for the test bed, and the two
# supported kernels (6.1 and the newest 6.12 backport) with their headers
# and sources.  Versions are looked up in the archive, never hard-coded.
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

apt_get update -q

k61=$(apt-cache depends linux-image-amd64 | sed -n 's/.*Depends: linux-image-\(6\.1\.[0-9.-]*-amd64\)$/\1/p' | head -n1)
k612=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' |
	awk '{print $1}' | sed 's/^linux-image-//; s/-unsigned$//' | sort -V | tail -n1)
if [ -z "$k61" ] || [ -z "$k612" ]; then
	echo "install-deps: cannot find the 6.1 ($k61) or 6.12 ($k612) kernel in the archive" >&2
	exit 1
fi
echo "install-deps: kernels $k61 and $k612"

apt_get install -y -q --no-install-recommends \
	build-essential gcc make pkg-config bc kmod cpio xz-utils zstd gzip initramfs-tools \
	libnl-3-dev libnl-genl-3-dev libpci-dev pciutils pci.ids \
	clang libclang-rt-14-dev \
	qemu-system-x86 xen-hypervisor-4.17-amd64 xen-utils-4.17 busybox-static \
	"linux-image-$k61" "linux-headers-$k61" \
	"linux-image-$k612-unsigned" "linux-headers-$k612" \
	linux-source-6.1 linux-source-6.12 \
	python3 python3-yaml python3-jsonschema jq dkms shellcheck systemd \
	debhelper dh-dkms lintian
