#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# image.sh [--suite SUITE]: build (or take from the cache) the dom0 disk
# image of make boottest: a Debian SUITE (default: this host's, bookworm)
# made with debootstrap, systemd as PID 1, Debian's Xen hypervisor and
# tools (xencommons, xendomains; no grub), the suite's kernel with its
# headers, DKMS, and this tree's packages (pciback-nl-dkms, pcibackctl,
# built here with dpkg-buildpackage) installed with apt-get inside the
# image's root, so that DKMS builds the module there.  The file system
# is made without mounting anything: mkfs.ext4 -d ROOT, label pbnlroot,
# a sparse raw file.  Prints the image's path on its last line.
#
# Two caches under build/boot: the base root (debootstrap and the suite's
# packages; keyed on the suite, its package list and kernel) and the
# image (keyed on the base and on the content of the .debs and of the
# in-image files).  The .debs are rebuilt only when the sources changed.
# Packages downloaded once stay in build/boot/cache (debootstrap's and
# apt's), so that a rebuild downloads nothing.
#
# Environment: PBNL_MIRROR, PBNL_SECURITY_MIRROR (default: the first
# http(s) URIs ending in /debian and /debian-security of the host's apt
# sources, else deb.debian.org's), BOOT_IMAGE_SIZE (default 6G, sparse).
# Needs root (debootstrap, chroot with /proc, /sys, /dev bind-mounted for
# the commands run there).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
prog=${0##*/}
out=$top/build/boot
cache=$out/cache

die() { echo "$prog: $*" >&2; exit 1; }
msg() { echo "$prog: $*" >&2; }
secs() { echo "$(($(date +%s) - $1)) s"; }

host_suite=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
suite=$host_suite
while (($#)); do
	case $1 in
	--suite) suite=${2:?--suite needs a value}; shift 2 ;;
	--suite=*) suite=${1#*=}; shift ;;
	-h|--help) sed -n '3,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument $1 (--help)" ;;
	esac
done

# What each suite's dom0 is made of: its Xen, and the kernel series of the
# first boot and of the upgrade (boot-kernel-upgrade installs the second
# from .debs put into the image).
case $suite in
bookworm)
	xen_pkgs=(xen-hypervisor-4.17-amd64 xen-utils-4.17 xen-utils-common)
	series=6.1 series_up=6.12
	;;
trixie)
	xen_pkgs=(xen-hypervisor-4.20-amd64 xen-utils-4.20 xen-utils-common)
	series=6.12 series_up=""
	;;
*) die "unknown suite '$suite' (bookworm, trixie)" ;;
esac

[[ $(id -u) == 0 ]] || die "needs root (debootstrap, chroot)"
for t in debootstrap mkfs.ext4 debugfs dpkg-buildpackage chroot flock; do
	command -v "$t" >/dev/null || die "$t not found (make deps)"
done

mirror=${PBNL_MIRROR:-}
if [[ -z $mirror ]]; then
	mirror=$(sed -n 's/^URIs:[[:space:]]*\(https\?:[^[:space:]]*\/debian\)[[:space:]]*$/\1/p' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
	[[ -n $mirror ]] || mirror=$(sed -n 's/^deb[[:space:]]\+\(https\?:[^[:space:]]*\/debian\)[[:space:]].*/\1/p' \
		/etc/apt/sources.list 2>/dev/null | head -n1)
	[[ -n $mirror ]] || mirror=http://deb.debian.org/debian
fi
security=${PBNL_SECURITY_MIRROR:-}
if [[ -z $security ]]; then
	security=$(sed -n 's/^URIs:[[:space:]]*\(https\?:[^[:space:]]*\/debian-security\)[[:space:]]*$/\1/p' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
	[[ -n $security ]] || security=$(sed -n 's/^deb[[:space:]]\+\(https\?:[^[:space:]]*\/debian-security\)[[:space:]].*/\1/p' \
		/etc/apt/sources.list 2>/dev/null | head -n1)
	[[ -n $security ]] || security=http://deb.debian.org/debian-security
fi

mkdir -p "$cache/debootstrap-$suite" "$cache/apt-$suite/partial"
exec 8>"$out/.image-$suite.lock"
flock 8

# ------------------------------------------------------------- chroot --

mounted=()
# shellcheck disable=SC2317,SC2329 # run by the EXIT trap
undo_mounts()
{
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" || true
	done
	mounted=()
}
tmp=
# shellcheck disable=SC2317,SC2329 # run by the EXIT trap
cleanup()
{
	undo_mounts
	if [[ -n $tmp ]]; then rm -rf --one-file-system "$tmp"; fi
}
trap cleanup EXIT

bind()
{
	mkdir -p "$2"
	mount --bind "$1" "$2"
	mounted+=("$2")
}

# in_root ROOT CMD...: run CMD in ROOT with /proc, /sys, /dev and apt's
# package cache bind-mounted for the time of the command.
in_root()
{
	local root=$1 rc=0
	shift
	bind /proc "$root/proc"
	bind /sys "$root/sys"
	bind /dev "$root/dev"
	bind /dev/pts "$root/dev/pts"
	bind "$cache/apt-$suite" "$root/var/cache/apt/archives"
	LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive HOME=/root TMPDIR=/tmp \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		chroot "$root" "$@" || rc=$?
	undo_mounts
	return "$rc"
}

# ---------------------------------------------------------- base root --

# Bump when the base's recipe changes.
BASE_RECIPE=2
base_pkgs=(systemd-sysv udev kmod iproute2 pciutils procps initramfs-tools zstd
	dkms libnl-genl-3-200 libpci3 xenstore-utils "${xen_pkgs[@]}")

# The kernels first: they are part of the key.  A small root to ask the
# archive which kernels it has, unless this host answers.
kver=""
kver_up=""
if [[ $suite == "$host_suite" ]]; then
	kver=$("$top/scripts/kernels.sh" 2>/dev/null | grep -E "^${series//./\\.}[.-]" | tail -n1) || true
	[[ -z $series_up ]] ||
		kver_up=$("$top/scripts/kernels.sh" 2>/dev/null | grep -E "^${series_up//./\\.}[.-]" | tail -n1) || true
fi
[[ -n $kver ]] || die "no $series kernel with headers on this host for $suite (make deps); other suites: not yet"
[[ -z $series_up || -n $kver_up ]] || die "no $series_up kernel with headers on this host (make deps)"

base_key=$(printf '%s\n' "$BASE_RECIPE" "$suite" "$mirror" "$security" "$kver" "$kver_up" "${base_pkgs[@]}" |
	sha256sum | cut -c1-12)
base=$out/base-$suite-$base_key
if [[ ! -e $base/.pbnl-base ]]; then
	start=$(date +%s)
	if awk -v r="$base/" 'index($2, r) == 1 { f = 1 } END { exit !f }' /proc/self/mounts; then
		die "something is still mounted under $base (umount it first)"
	fi
	rm -rf --one-file-system "$base"
	msg "debootstrap $suite from $mirror into $base"
	debootstrap --variant=minbase --cache-dir="$cache/debootstrap-$suite" \
		"$suite" "$base" "$mirror" >"$out/debootstrap-$suite.log" 2>&1 || {
		tail -n 20 "$out/debootstrap-$suite.log" >&2
		die "debootstrap failed (log: $out/debootstrap-$suite.log)"
	}
	# the suite with its updates and security archives (the host's kernel
	# comes from one of these)
	{
		echo "deb $mirror $suite main"
		echo "deb $mirror $suite-updates main"
		echo "deb $security $suite-security main"
	} >"$base/etc/apt/sources.list"
	printf '#!/bin/sh\nexit 101\n' >"$base/usr/sbin/policy-rc.d"
	chmod 755 "$base/usr/sbin/policy-rc.d"
	printf 'path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\npath-exclude /usr/share/locale/*\npath-exclude /usr/share/info/*\npath-exclude /usr/share/man/*\n' \
		>"$base/etc/dpkg/dpkg.cfg.d/01-pbnl-nodoc"
	printf 'APT::Install-Recommends "false";\nAcquire::Retries "3";\nAcquire::Check-Valid-Until "false";\nAPT::Keep-Downloaded-Packages "true";\n' \
		>"$base/etc/apt/apt.conf.d/90pbnl"
	# keep downloaded packages for the next build (apt's docker-clean-like
	# hooks would delete them)
	rm -f "$base/etc/apt/apt.conf.d/docker-clean"
	in_root "$base" apt-get update -q >"$out/apt-$suite.log" 2>&1 ||
		{ tail -n 20 "$out/apt-$suite.log" >&2; die "apt-get update in $base failed"; }
	pkgs=("${base_pkgs[@]}" "linux-image-$kver" "linux-headers-$kver")
	msg "installing ${pkgs[*]}"
	in_root "$base" apt-get install -y -q "${pkgs[@]}" >>"$out/apt-$suite.log" 2>&1 ||
		{ tail -n 30 "$out/apt-$suite.log" >&2; die "apt-get install in $base failed (log: $out/apt-$suite.log)"; }
	# The upgrade kernel's packages, for boot-kernel-upgrade to install
	# with dpkg -i in the running image.
	if [[ -n $kver_up ]]; then
		up=$base/var/cache/pbnl-boottest/kernel-up
		mkdir -p "$up"
		img_pkg=linux-image-$kver_up
		in_root "$base" apt-cache show "$img_pkg" >/dev/null 2>&1 || img_pkg=linux-image-$kver_up-unsigned
		# the packages and every dependency not installed yet (pahole
		# for 6.12's linux-kbuild...), as apt would install them
		need=$(in_root "$base" apt-get install -s -q "$img_pkg" "linux-headers-$kver_up" 2>>"$out/apt-$suite.log" |
			awk '$1 == "Inst" { print $2 }' | tr '\n' ' ')
		[[ $need == *linux-headers-* ]] ||
			die "apt-get install -s of the $kver_up kernel found nothing to install (log: $out/apt-$suite.log)"
		# shellcheck disable=SC2086 # a list of package names
		in_root "$base" sh -c "cd /var/cache/pbnl-boottest/kernel-up && apt-get download -q $need" \
			>>"$out/apt-$suite.log" 2>&1 ||
			{ tail -n 20 "$out/apt-$suite.log" >&2; die "apt-get download of the $kver_up kernel failed"; }
		# dpkg -i of them all must find nothing missing
		in_root "$base" sh -c 'dpkg --dry-run -i /var/cache/pbnl-boottest/kernel-up/*.deb' \
			>>"$out/apt-$suite.log" 2>&1 ||
			{ tail -n 20 "$out/apt-$suite.log" >&2; die "dpkg --dry-run -i of the $kver_up kernel's packages failed"; }
		echo "$kver_up" >"$up/kver"
	fi
	echo "$kver" >"$base/.pbnl-kver"
	touch "$base/.pbnl-base"
	msg "base root: $(secs "$start")"
fi
# older bases of the suite go (never through a mount)
for old in "$out/base-$suite-"*; do
	[[ -d $old && $old != "$base" ]] || continue
	awk -v r="$old/" 'index($2, r) == 1 { f = 1 } END { exit !f }' /proc/self/mounts ||
		rm -rf --one-file-system "$old"
done

# ------------------------------------------------------------- .debs --

# The packages of this tree, from a copy of its tracked and new files (as
# scripts/deb.sh builds them), without the unit tests (make deb runs them).
tmp=$(mktemp -d /tmp/pbnl-boot-image.XXXXXX)
src=$tmp/src/pciback-nl
mkdir -p "$src"
(cd "$top" && git ls-files -z -co --exclude-standard |
	while IFS= read -r -d '' f; do
		[[ -e $f && $f != build/* ]] && printf '%s\0' "$f"
	done | xargs -0 cp -P --parents -t "$src") || die "cannot copy the tree"
src_key=$(cd "$src" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
debdir=$out/deb-$src_key
if [[ ! -e $debdir/.done ]]; then
	start=$(date +%s)
	msg "dpkg-buildpackage (nocheck) in a copy of the tree"
	rm -rf "$debdir"
	mkdir -p "$debdir"
	(cd "$src" && unset MAKEFLAGS MFLAGS MAKELEVEL &&
		DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b) >"$debdir/build.log" 2>&1 ||
		{ tail -n 30 "$debdir/build.log" >&2; die "dpkg-buildpackage failed (log: $debdir/build.log)"; }
	mv "$tmp"/src/*.deb "$debdir/"
	touch "$debdir/.done"
	msg "packages: $(secs "$start")"
	# keep the three newest builds
	find "$out" -maxdepth 1 -name 'deb-*' -type d -printf '%T@ %p\n' | sort -rn | tail -n +4 |
		while read -r _ d; do rm -rf "$d"; done
fi
debs=("$debdir"/pciback-nl-dkms_*.deb "$debdir"/pcibackctl_*.deb)
[[ -f ${debs[0]} && -f ${debs[1]} ]] || die "no packages in $debdir"

# -------------------------------------------------------------- image --

files=("$here/pbnl-boottest.service")
img_key=$( {
	echo "$base_key"
	sha256sum "${debs[@]}" "$0" "${files[@]}" "$top/selftests/vm/guest-kit.sh" "$top/selftests/vm/guest-init.sh"
	echo "${BOOT_IMAGE_SIZE:-6G}"
} | sed "s| $top/| |" | sha256sum | cut -c1-12)
image=$out/image-$suite-$img_key.raw
if [[ -f $image ]]; then
	msg "image (cached): $image"
	echo "$image"
	exit 0
fi

start=$(date +%s)
root=$tmp/root
msg "image root: copy of the base"
cp -a "$base" "$root"
rm -f "$root/.pbnl-base"

# initramfs-tools: MODULES=list (the root disk's drivers, and what hooks
# add): mkinitramfs of the default MODULES=most took more than 10 minutes
# under TCG (it copies every driver one by one), and boots slower.
echo 'MODULES=list' >"$root/etc/initramfs-tools/conf.d/pbnl-boottest.conf"
printf '%s\n' virtio_pci virtio_blk ext4 >>"$root/etc/initramfs-tools/modules"

cp "${debs[@]}" "$root/tmp/"
rel=()
for d in "${debs[@]}"; do rel+=("/tmp/${d##*/}"); done
msg "apt-get install ${rel[*]} (DKMS builds pciback_nl for $kver)"
in_root "$root" apt-get install -y -q "${rel[@]}" >"$tmp/install.log" 2>&1 || {
	tail -n 30 "$tmp/install.log" >&2
	cp "$tmp/install.log" "$out/image-install.log"
	die "installing the packages in the image failed (log: $out/image-install.log)"
}
cp "$tmp/install.log" "$out/image-install-$suite.log"
rm -f "$root"/tmp/*.deb
in_root "$root" update-initramfs -u -k all >>"$out/image-install-$suite.log" 2>&1 ||
	die "update-initramfs in the image failed (log: $out/image-install-$suite.log)"
find "$root/lib/modules/$kver/updates/dkms" -name 'pciback_nl.ko*' 2>/dev/null | grep -q . ||
	die "DKMS did not install pciback_nl for $kver in the image (log: $out/image-install-$suite.log)"

# The PV guest of boot-autostart: the image's own kernel and modules.
VM_KERNEL=$root/boot/vmlinuz-$kver VM_MODULES=$root VM_CACHE_GUEST=$out/guest \
	"$top/selftests/vm/guest-kit.sh" "$kver" "$root/var/lib/pbnl-boottest/guest" >&2 ||
	die "guest-kit.sh failed"
[[ -f $root/var/lib/pbnl-boottest/guest/initrd.img ]] ||
	die "no guest initramfs (busybox-static missing? see above)"

# The machine: fstab, a root without password, nothing that slows boot.
echo 'LABEL=pbnlroot / ext4 errors=remount-ro 0 1' >"$root/etc/fstab"
echo pbnl-dom0 >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 pbnl-dom0\n' >"$root/etc/hosts"
chroot "$root" passwd -d root >/dev/null
rm -f "$root/usr/sbin/policy-rc.d"
for u in apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer \
	 fstrim.timer e2scrub_reap.service systemd-timesyncd.service dpkg-db-backup.timer; do
	ln -sf /dev/null "$root/etc/systemd/system/$u"
done
# xendomains: no save or restore of guests at shutdown
if [[ -f $root/etc/default/xendomains ]]; then
	sed -i -e 's/^XENDOMAINS_SAVE=.*/XENDOMAINS_SAVE=/' \
		-e 's/^XENDOMAINS_RESTORE=.*/XENDOMAINS_RESTORE=false/' "$root/etc/default/xendomains"
fi
mkdir -p "$root/etc/xen/auto"
# The boot test's unit; boottest.sh writes the script it runs, and the
# scenario, into each scenario's copy of the image (see README.md).
install -D -m 0644 "$here/pbnl-boottest.service" "$root/etc/systemd/system/pbnl-boottest.service"
ln -sf ../pbnl-boottest.service "$root/etc/systemd/system/multi-user.target.wants/pbnl-boottest.service"
mkdir -p "$root/etc/pbnl-boottest" "$root/var/lib/pbnl-boottest"
echo "$kver" >"$root/etc/pbnl-boottest/kver"
echo "$kver_up" >"$root/etc/pbnl-boottest/kver-up"
# journald: kept on the disk, and nothing forwarded to the console
mkdir -p "$root/var/log/journal" "$root/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=persistent\n' >"$root/etc/systemd/journald.conf.d/pbnl.conf"

size=${BOOT_IMAGE_SIZE:-6G}
msg "mkfs.ext4 -d ($size, sparse)"
rm -f "$image.tmp"
mkfs.ext4 -q -F -d "$root" -L pbnlroot -E root_owner=0:0 "$image.tmp" "$size" >&2 ||
	die "mkfs.ext4 -d failed"
mv "$image.tmp" "$image"
msg "image: $(secs "$start"), $(du -h "$image" | cut -f1) used of $size"
# keep the two newest images of the suite
find "$out" -maxdepth 1 -name "image-$suite-*.raw" -printf '%T@ %p\n' | sort -rn | tail -n +3 |
	while read -r _ f; do rm -f "$f"; done
echo "$image"
