#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot one VM (Xen 4.17 + a Linux dom0, or Linux alone) under QEMU TCG on the
# PCI topology of topology.conf, run one command in it and print that
# command's output; exit with its status.  See README.md beside this file.

set -euo pipefail

PROG=${0##*/}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

INIT_MARK='@@PCIBACK-NL-INIT@@'	# vm-init.sh's first line
BEGIN_MARK='@@PCIBACK-NL-BEGIN@@'
END_MARK='@@PCIBACK-NL-END rc='
QMP_MARK='@@PCIBACK-NL-QMP '

# A minimal QMP client: argv[1] the socket, argv[2] one command (JSON).
# Prints QEMU's reply to it; fails on an error reply.
QMP_CLIENT='
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
f = s.makefile("rw")
def reply():
    while True:
        m = json.loads(f.readline())
        if "return" in m or "error" in m:
            return m
json.loads(f.readline())
f.write(json.dumps({"execute": "qmp_capabilities"}) + "\n"); f.flush()
reply()
f.write(json.dumps(json.loads(sys.argv[2])) + "\n"); f.flush()
m = reply()
print(json.dumps(m))
sys.exit(1 if "error" in m else 0)
'

# Exit statuses of our own (anything else is the command's).
EX_USAGE=2        # bad arguments or host set-up
EX_VM_SETUP=123   # the VM came up but could not set up (reported by vm-init.sh)
EX_TIMEOUT=124    # no end marker before --timeout, or /init not started before --boot-timeout
EX_NO_REPORT=125  # the VM ended (crash, panic, QEMU error) without an end marker

synopsis()
{
	cat <<EOF
Usage: $PROG [--kver VER] [--kernel BZIMAGE] [--modules DIR]
              [--xen XEN.gz | --native] [--topology FILE] [--timeout SECONDS]
              [--boot-timeout SECONDS]
              [--log FILE] [--run 'CMD'] [--append ARGS] [--xen-append ARGS]
              [--sockdir DIR] [--qmp-relay] [--verbose] [--quiet]
              PAYLOAD_DIR
EOF
}

usage()
{
	synopsis
	cat <<EOF

Boot Xen + a Linux dom0 (or Linux alone with --native) under QEMU on the PCI
topology of topology.conf, copy PAYLOAD_DIR to /opt/pciback-nl, load
xen-pciback, the host drivers and PAYLOAD_DIR/pciback_nl.ko (if present),
run CMD and print its output; exit with its status.

Options (defaults in brackets; each also read from the variable shown):
  --kver VER         kernel version, or a prefix such as 6.12 for the newest
                     installed match [VM_KVER; newest 6.1 in /boot, else the
                     newest in /boot, or the one of --modules or --kernel]
  --kernel BZIMAGE   kernel image [VM_KERNEL; /boot/vmlinuz-VER]
  --modules DIR      /lib/modules/VER-like directory, or a root holding
                     lib/modules/VER (INSTALL_MOD_PATH) [VM_MODULES;
                     /lib/modules/VER]
  --xen XEN.gz       Xen image, gzipped or not [VM_XEN; the newest
                     /boot/xen-VER-amd64.gz: 4.17 on bookworm, 4.20 on trixie]
  --native           boot the kernel without Xen (intel_iommu=on) [VM_NATIVE=1]
  --topology FILE    PCI topology [VM_TOPOLOGY; topology.conf beside $PROG]
  --timeout SECONDS  stop the VM after this long [VM_TIMEOUT; 600]
  --boot-timeout SECONDS
                     stop the VM when the kernel has not started /init (its
                     first line, @@PCIBACK-NL-INIT@@) after this long; 0 for
                     no limit; not used with --initrd [VM_BOOT_TIMEOUT; 300]
  --log FILE         full console log [VM_LOG; build/vm/VER-MODE.log]
  --run 'CMD'        shell command run in the VM, cwd /opt/pciback-nl
                     [VM_RUN; /opt/pciback-nl/run-selftests]
  --append ARGS      more kernel command line [VM_APPEND]
  --xen-append ARGS  more Xen command line [VM_XEN_APPEND]
                     (VM_CPU: QEMU's -cpu, default
                     max,-smap,-smep,-pku,-x2apic,-avx,-avx2)
  --sockdir DIR      where to create qmp.sock and monitor.sock [VM_SOCKDIR;
                     a new temporary directory]
  --qmp-relay        let the VM drive QEMU: a console line holding
                     "@@PCIBACK-NL-QMP {json}@@" sends that QMP command
                     (device_del, device_add: hotplug tests); the reply goes
                     to stderr.  Adds pbnl_test.qmp_relay=1 to the kernel
                     command line so tests know [VM_QMP_RELAY=1]
  --initrd FILE      boot this initramfs instead of the one built here (it
                     must print the markers itself; PAYLOAD_DIR and CMD are
                     not used) [VM_INITRD]
  --verbose          stream the console to stderr while the VM runs [VM_VERBOSE=1]
  --quiet            print nothing but the command's output [VM_QUIET=1]
  -h, --help         this text
Other variables: VM_QEMU [qemu-system-x86_64], VM_MEM [2048] (MiB),
  VM_SMP [2], VM_DOM0_MEM [1024M], VM_CACHE [build/vm/cache].

Exit status: the command's; $EX_USAGE bad usage or host set-up; $EX_VM_SETUP the VM could
not set up (modules, xl, insmod); $EX_TIMEOUT timeout; $EX_NO_REPORT the VM ended without reporting.
EOF
}

msg() { [[ $QUIET == 1 ]] || echo "$PROG: $*" >&2; }
warn() { echo "$PROG: warning: $*" >&2; }
die() { echo "$PROG: $*" >&2; exit "$EX_USAGE"; }

KVER=${VM_KVER:-}
KERNEL=${VM_KERNEL:-}
MODULES=${VM_MODULES:-}
XEN=${VM_XEN:-$(printf '%s\n' /boot/xen-*-amd64.gz | sort -V | tail -n 1)}
NATIVE=${VM_NATIVE:-0}
TOPOLOGY=${VM_TOPOLOGY:-$HERE/topology.conf}
TIMEOUT=${VM_TIMEOUT:-600}
BOOT_TIMEOUT=${VM_BOOT_TIMEOUT:-300}
LOG=${VM_LOG:-}
RUN=${VM_RUN:-/opt/pciback-nl/run-selftests}
APPEND=${VM_APPEND:-}
XEN_APPEND=${VM_XEN_APPEND:-}
SOCKDIR=${VM_SOCKDIR:-}
GIVEN_INITRD=${VM_INITRD:-}
VERBOSE=${VM_VERBOSE:-0}
QMP_RELAY=${VM_QMP_RELAY:-0}
QUIET=${VM_QUIET:-0}
QEMU=${VM_QEMU:-qemu-system-x86_64}
MEM=${VM_MEM:-2048}
SMP=${VM_SMP:-2}
DOM0_MEM=${VM_DOM0_MEM:-1024M}
CACHE=${VM_CACHE:-$REPO/build/vm/cache}
PAYLOAD=

while (($#)); do
	opt=$1
	case $opt in
	--*=*) set -- "${opt%%=*}" "${opt#*=}" "${@:2}"; continue ;;
	esac
	case $opt in
	--kver|--kernel|--modules|--xen|--topology|--timeout|--boot-timeout|\
	--log|--run|--append|--xen-append|--sockdir|--initrd)
		(($# >= 2)) || die "$opt needs a value (--help for usage)"
		val=$2
		shift 2
		case $opt in
		--kver) KVER=$val ;;
		--kernel) KERNEL=$val ;;
		--modules) MODULES=$val ;;
		--xen) XEN=$val; NATIVE=0 ;;
		--topology) TOPOLOGY=$val ;;
		--timeout) TIMEOUT=$val ;;
		--boot-timeout) BOOT_TIMEOUT=$val ;;
		--log) LOG=$val ;;
		--run) RUN=$val ;;
		--append) APPEND=$val ;;
		--xen-append) XEN_APPEND=$val ;;
		--sockdir) SOCKDIR=$val ;;
		--initrd) GIVEN_INITRD=$val ;;
		esac
		;;
	--native) NATIVE=1; shift ;;
	--verbose) VERBOSE=1; shift ;;
	--qmp-relay) QMP_RELAY=1; shift ;;
	--quiet) QUIET=1; shift ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	-*) die "unknown option $opt (--help for usage)" ;;
	*) break ;;
	esac
done
if (($# != 1)); then
	synopsis >&2
	echo "(--help for more)" >&2
	exit "$EX_USAGE"
fi
PAYLOAD=$1
[[ -d $PAYLOAD ]] || die "payload $PAYLOAD is not a directory"
if ! [[ $TIMEOUT =~ ^[0-9]+$ ]] || ((TIMEOUT == 0)); then
	die "--timeout wants a number of seconds, not '$TIMEOUT'"
fi
[[ $BOOT_TIMEOUT =~ ^[0-9]+$ ]] ||
	die "--boot-timeout wants a number of seconds (0 for none), not '$BOOT_TIMEOUT'"
[[ -f $TOPOLOGY ]] || die "no topology file $TOPOLOGY"
command -v "$QEMU" >/dev/null || die "$QEMU not found (apt-get install qemu-system-x86)"
for tool in busybox kmod cpio ldd; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
MODE=xen
[[ $NATIVE == 1 ]] && MODE=native

TMP=$(mktemp -d /tmp/pciback-nl-vm.XXXXXX)
QEMU_PID=
WATCH_PIDS=()
# shellcheck disable=SC2317,SC2329 # called by the trap
cleanup()
{
	local pid
	for pid in $QEMU_PID "${WATCH_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- kernel --

is_bzimage() { [[ $(dd if="$1" bs=1 skip=514 count=4 2>/dev/null | tr -d '\0') == HdrS ]]; }

# The version string a bzImage carries in its setup header.
bzimage_version()
{
	local f=$1 off
	is_bzimage "$f" || return 1
	off=$(od -An -tu2 -j526 -N2 "$f" | tr -d ' ')
	dd if="$f" bs=1 skip=$((off + 512)) count=200 2>/dev/null |
		tr '\0' '\n' | awk 'NR == 1 { print $1 }'
}

# Newest installed kernel (image + modules) whose version starts with $1.
newest_kver()
{
	local prefix=$1 img v best=
	for img in /boot/vmlinuz-"$prefix".* /boot/vmlinuz-"$prefix"-* \
		   /boot/vmlinuz-"$prefix"+*; do
		[[ -f $img ]] || continue
		v=${img#/boot/vmlinuz-}
		[[ -d /lib/modules/$v ]] || continue
		best+="$v"$'\n'
	done
	[[ -n $best ]] || return 1
	printf '%s' "$best" | sort -V | tail -n 1
}

if [[ -n $KVER && -z $MODULES && -z $KERNEL && ! -d /lib/modules/$KVER ]]; then
	v=$(newest_kver "$KVER") || die "no installed kernel matches --kver $KVER"
	KVER=$v
fi

# --modules: either DIR = .../lib/modules/VER (or any directory with a
# modules.dep) or DIR = a root holding lib/modules/VER.
MODROOT=/
if [[ -n $MODULES ]]; then
	[[ -d $MODULES ]] || die "--modules $MODULES is not a directory"
	MODULES=$(cd "$MODULES" && pwd)
	if [[ -d $MODULES/lib/modules ]]; then
		MODROOT=$MODULES
		if [[ -z $KVER ]]; then
			vers=("$MODULES"/lib/modules/*/)
			if ((${#vers[@]} != 1)) || [[ ! -d ${vers[0]} ]]; then
				die "$MODULES/lib/modules has no single version: give --kver"
			fi
			KVER=$(basename "${vers[0]}")
		fi
		MODDIR=$MODULES/lib/modules/$KVER
	else
		MODDIR=$MODULES
		if [[ -z $KVER && -n $KERNEL && $MODULES != */lib/modules/* ]]; then
			KVER=$(bzimage_version "$KERNEL") || KVER=
		fi
		[[ -n $KVER ]] || KVER=$(basename "$MODULES")
		if [[ $MODULES == */lib/modules/"$KVER" ]]; then
			MODROOT=${MODULES%/lib/modules/"$KVER"}
			MODROOT=${MODROOT:-/}
		else
			MODROOT=$TMP/modroot
			mkdir -p "$MODROOT/lib/modules"
			ln -s "$MODULES" "$MODROOT/lib/modules/$KVER"
		fi
	fi
elif [[ -z $KVER && -n $KERNEL ]]; then
	[[ -f $KERNEL ]] || die "no kernel image $KERNEL"
	KVER=$(bzimage_version "$KERNEL") ||
		die "$KERNEL is not a bzImage: give --kver"
fi
if [[ -z $KVER ]]; then
	KVER=$(newest_kver 6.1) || KVER=$(newest_kver '[0-9]') ||
		die "no kernel with modules in /boot: give --kver or --kernel"
fi
MODDIR=${MODDIR:-/lib/modules/$KVER}
KERNEL=${KERNEL:-/boot/vmlinuz-$KVER}
[[ -f $KERNEL ]] || die "no kernel image $KERNEL"
[[ -f $MODDIR/modules.dep ]] ||
	die "$MODDIR has no modules.dep (run depmod, or give --modules/--kver)"
if kv=$(bzimage_version "$KERNEL") && [[ $kv != "$KVER" ]]; then
	warn "$KERNEL is version $kv but the modules are $KVER"
fi

if [[ $MODE == xen ]]; then
	[[ -f $XEN ]] || die "no Xen image $XEN (apt-get install xen-hypervisor-VER-amd64)"
	xenver=$(basename "$XEN")
	xenver=${xenver#xen-}
	xenver=${xenver%%-*}
	XEN_TOOLS=/usr/lib/xen-$xenver/bin
	if [[ ! -x $XEN_TOOLS/xl ]]; then
		XEN_TOOLS=$(printf '%s\n' /usr/lib/xen-*/bin/xl | sort -V | tail -n 1)
		XEN_TOOLS=${XEN_TOOLS%/xl}
	fi
else
	XEN_TOOLS=$(printf '%s\n' /usr/lib/xen-*/bin/xl | sort -V | tail -n 1)
	XEN_TOOLS=${XEN_TOOLS%/xl}
fi
[[ -x $XEN_TOOLS/xl ]] || XEN_TOOLS=
[[ $MODE == native || -n $XEN_TOOLS ]] ||
	die "no xl in /usr/lib/xen-*/bin (apt-get install xen-utils-VER)"

# -------------------------------------------------------------- topology --

TOPO_ARGS=()
TOPO_MODULES=()
lineno=0
while IFS= read -r line || [[ -n $line ]]; do
	lineno=$((lineno + 1))
	line=${line%%[[:space:]]#*}
	line=${line#"${line%%[![:space:]]*}"}
	line=${line%"${line##*[![:space:]]}"}
	case $line in
	''|'#'*) continue ;;
	modules:*)
		read -r -a mods <<<"${line#modules:}"
		TOPO_MODULES+=("${mods[@]}")
		;;
	-*)
		read -r opt val <<<"$line"
		[[ -n $val && $val != *[[:space:]]* ]] ||
			die "$TOPOLOGY:$lineno: want '-OPTION VALUE', got '$line'"
		TOPO_ARGS+=("$opt" "$val")
		;;
	*) die "$TOPOLOGY:$lineno: cannot parse '$line'" ;;
	esac
done <"$TOPOLOGY"

# ------------------------------------------------------------- initramfs --

# Modules: the Xen dom0 set, what a PV guest of the same kernel will want,
# and the topology's host drivers.
XEN_MODULES=(xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc xen-pciback)
EXTRA_MODULES=(xen-pcifront xen-netfront xen-blkfront xen-netback xen-blkback
	       bridge dummy)
MOD_FILES=()
MISSING=()
IFS=, read -r -a topo_mods <<<"$(IFS=,; echo "${TOPO_MODULES[*]}")"
for m in "${XEN_MODULES[@]}" "${EXTRA_MODULES[@]}" "${topo_mods[@]}"; do
	if ! deps=$(modprobe -C /nonexistent -d "$MODROOT" -S "$KVER" \
			--show-depends "$m" 2>/dev/null); then
		MISSING+=("$m")
		continue
	fi
	while read -r kind path _; do
		if [[ $kind == insmod ]]; then MOD_FILES+=("$path"); fi
	done <<<"$deps"
done
((${#MISSING[@]} == 0)) || warn "modules not found for $KVER: ${MISSING[*]}"
mapfile -t MOD_FILES < <(printf '%s\n' "${MOD_FILES[@]}" | sort -u)

# busybox runs its own applet for any name it knows, from its shell and
# from env, timeout, xargs...: the real tools that shadow applets (kmod's
# above all) are installed with bash as /bin/sh and real exec-ing tools.
HOST_TOOLS=("$(command -v busybox)" "$(command -v kmod)")
for t in bash env timeout xargs setsid chroot lspci setpci xenstore; do
	p=$(command -v "$t" 2>/dev/null) && HOST_TOOLS+=("$p")
done
XEN_BINS=()
if [[ -n $XEN_TOOLS ]]; then
	for b in xl xenstored xenconsoled xen-init-dom0 xenconsole libxl-save-helper; do
		[[ -x $XEN_TOOLS/$b ]] && XEN_BINS+=("$XEN_TOOLS/$b")
	done
fi
LIBGCC=$(ldconfig -p 2>/dev/null |
	 awk '/libgcc_s\.so\.1 \(libc6,x86-64\)/ && !n++ { print $NF }')

# The base image depends on all of this, not on the payload: cache it.
key=$( {
	sha256sum "$0" "$HERE/vm-init.sh"
	echo "$KVER $MODROOT $MODDIR ${TOPO_MODULES[*]}"
	stat -L -c '%n %s %Y' "${MOD_FILES[@]}" "$MODDIR/modules.dep" \
		"${HOST_TOOLS[@]}" "${XEN_BINS[@]}" ${LIBGCC:+"$LIBGCC"} \
		/usr/share/misc/pci.ids 2>/dev/null
} | sha256sum | cut -c1-16)
BASE=$CACHE/base-$KVER-$key.cpio
mkdir -p "$CACHE"

# /lib/x.so -> /usr/lib/x.so: the initramfs has merged /usr, and an archive
# appended to it must not carry a /lib directory, which would replace the
# /lib -> usr/lib link when the kernel unpacks it.
usr_path()
{
	case $1 in
	/bin/*|/sbin/*|/lib/*|/lib64/*) echo "/usr$1" ;;
	*) echo "$1" ;;
	esac
}

# Copy file $1 to $STAGE at path $2 (default: the same path, under /usr).
STAGE=
copy_to_stage()
{
	local src=$1 dst
	dst=$(usr_path "${2:-$1}")
	mkdir -p "$STAGE$(dirname "$dst")"
	cp -L "$src" "$STAGE$dst"
}

# Copy the shared libraries ELF file $1 needs (skipping those in $SKIP_LIBS).
SKIP_LIBS=
declare -A HAVE_LIB=()
copy_libs()
{
	local lib
	while read -r lib; do
		[[ -n $lib && -z ${HAVE_LIB[$lib]:-} ]] || continue
		HAVE_LIB[$lib]=1
		[[ -n $SKIP_LIBS ]] &&
			grep -qxF "$(usr_path "$lib")" "$SKIP_LIBS" && continue
		copy_to_stage "$lib"
	done < <(ldd "$1" 2>/dev/null |
		 awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
}

is_elf() { [[ $(head -c 4 "$1" 2>/dev/null | tr -d '\0') == $'\x7fELF' ]]; }

# A newc cpio archive holding only the character device /dev/console, so
# the kernel can give /init a console without our being root.
console_cpio()
{
	local name='dev/console' hdr
	hdr=$(printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		1 $((0020000 | 0600)) 0 0 1 0 0 0 0 5 1 $((${#name} + 1)) 0)
	printf '%s%s\0' "$hdr" "$name"	# 110 + 12 = 122: pad to 124
	printf '\0\0'
	name='TRAILER!!!'
	hdr=$(printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		0 0 0 0 1 0 0 0 0 0 0 $((${#name} + 1)) 0)
	printf '%s%s\0' "$hdr" "$name"	# 110 + 11 = 121: pad to 124
	printf '\0\0\0'
}

make_cpio()
{
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet)
}

build_base()
{
	STAGE=$TMP/base
	mkdir -p "$STAGE"/usr/{bin,sbin,lib,lib64}
	for d in bin sbin lib lib64; do
		ln -s "usr/$d" "$STAGE/$d"
	done
	mkdir -p "$STAGE"/{dev,proc,sys,run,tmp,root,opt,mnt,etc,var/log/xen/console,var/lib/xen}
	ln -s ../run "$STAGE/var/run"
	ln -s ../run/lock "$STAGE/var/lock"

	local t b a
	for t in "${HOST_TOOLS[@]}" "${XEN_BINS[@]}"; do
		copy_to_stage "$t"
		copy_libs "$t"
	done
	if [[ -n $LIBGCC ]]; then copy_to_stage "$LIBGCC"; fi
	mv "$STAGE$(command -v busybox)" "$STAGE/usr/bin/busybox" 2>/dev/null || true
	mv "$STAGE$(command -v kmod)" "$STAGE/usr/bin/kmod" 2>/dev/null || true
	if [[ -e $STAGE/usr/bin/bash ]]; then ln -s bash "$STAGE/usr/bin/sh"; fi
	for a in modprobe insmod rmmod lsmod depmod modinfo; do
		ln -sf /usr/bin/kmod "$STAGE/usr/sbin/$a"
		ln -sf /usr/bin/kmod "$STAGE/usr/bin/$a"
	done
	if [[ -e $STAGE/usr/bin/xenstore ]]; then
		for a in chmod exists list ls read rm watch write; do
			ln -s xenstore "$STAGE/usr/bin/xenstore-$a"
		done
	fi
	for b in "${XEN_BINS[@]}"; do
		ln -s "$b" "$STAGE/usr/sbin/${b##*/}"
	done
	# busybox applets, where no real tool is installed already
	while read -r a; do
		[[ $a == */* && ! -e $STAGE/$a && ! -L $STAGE/$a ]] || continue
		mkdir -p "$STAGE/$(dirname "$a")"
		ln -s /usr/bin/busybox "$STAGE/$a"
	done < <(busybox --list-full)

	# modules and their indexes
	local mdst=$STAGE/usr/lib/modules/$KVER f
	mkdir -p "$mdst"
	for f in "${MOD_FILES[@]}"; do
		local rel=${f#*/lib/modules/"$KVER"/}
		mkdir -p "$mdst/$(dirname "$rel")"
		cp -L "$f" "$mdst/$rel"
	done
	# Decompress them here: kmod 30 loads .ko.xz only after the kernel
	# refused it ("Invalid ELF header magic" in dmesg), and slowly.
	while IFS= read -r -d '' f; do
		case $f in
		*.ko.xz) xz -dc "$f" >"${f%.xz}" ;;
		*.ko.zst) zstd -dcq "$f" >"${f%.zst}" ;;
		*.ko.gz) gzip -dc "$f" >"${f%.gz}" ;;
		esac
		rm -f "$f"
	done < <(find "$mdst" -name '*.ko.*' -print0)
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		if [[ -f $MODDIR/$f ]]; then cp "$MODDIR/$f" "$mdst/"; fi
	done
	depmod -b "$STAGE" "$KVER" || die "depmod -b $STAGE $KVER failed"

	if [[ -f /usr/share/misc/pci.ids ]]; then
		copy_to_stage /usr/share/misc/pci.ids
	fi
	mkdir -p "$STAGE/etc/xen"
	if [[ -d /etc/xen/scripts ]]; then
		cp -a /etc/xen/scripts "$STAGE/etc/xen/"
	fi
	printf '%s\n' '# written by selftests/vm/run.sh' 'autoballoon="off"' \
		>"$STAGE/etc/xen/xl.conf"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$STAGE/etc/passwd"
	printf 'root:x:0:\ntty:x:5:\n' >"$STAGE/etc/group"
	printf '127.0.0.1 localhost vm\n::1 localhost\n' >"$STAGE/etc/hosts"
	mkdir -p "$STAGE/etc/vm-run"
	echo "$KVER" >"$STAGE/etc/vm-run/kver"
	echo "${TOPO_MODULES[*]}" >"$STAGE/etc/vm-run/modules"
	install -m 0755 "$HERE/vm-init.sh" "$STAGE/init"

	(cd "$STAGE" && find . -mindepth 1 ! -type d | sed 's/^\.//' |
		LC_ALL=C sort) >"$TMP/base.list"
	{ make_cpio "$STAGE"; console_cpio; } >"$TMP/base.cpio"
	mv "$TMP/base.list" "$BASE.list"
	mv "$TMP/base.cpio" "$BASE"
	rm -rf "$STAGE"
	# keep the six newest base images of this kernel
	find "$CACHE" -maxdepth 1 -name "base-$KVER-*.cpio" -printf '%T@ %p\n' |
		sort -rn | tail -n +7 | while read -r _ f; do
			rm -f "$f" "$f.list"
		done
}

T0=$(date +%s.%N)
if [[ ! -f $BASE || ! -f $BASE.list ]]; then
	msg "building the initramfs base for $KVER"
	build_base
fi

# The payload part, built every run.
STAGE=$TMP/run
mkdir -p "$STAGE/opt/pciback-nl" "$STAGE/etc/vm-run"
cp -RL "$PAYLOAD"/. "$STAGE/opt/pciback-nl/"
SKIP_LIBS=$BASE.list
while IFS= read -r -d '' f; do
	case $f in *.ko|*.ko.*) continue ;; esac
	if is_elf "$f"; then copy_libs "$f"; fi
done < <(find "$STAGE/opt/pciback-nl" -type f -print0)
echo "$MODE" >"$STAGE/etc/vm-run/mode"
printf '%s\n' "$RUN" >"$STAGE/etc/vm-run/cmd"
INITRD=$TMP/initrd.img
{ cat "$BASE"; make_cpio "$STAGE"; } >"$INITRD"
rm -rf "$STAGE"
if [[ -n $GIVEN_INITRD ]]; then
	[[ -f $GIVEN_INITRD ]] || die "--initrd $GIVEN_INITRD: no such file"
	INITRD=$GIVEN_INITRD
fi

# ------------------------------------------------------------------ QEMU --

# The ELF vmlinux inside bzImage $1, decompressed once into the cache: Xen
# and QEMU (PVH entry) boot it seconds faster than they unpack the bzImage
# under TCG.  Prints its path; fails if there is no such ELF to be had.
kernel_elf()
{
	local bz=$1 key out ss po pl start magic
	local -a dec
	is_bzimage "$bz" || return 1
	key=$(stat -L -c '%n %s %Y' "$bz" | sha256sum | cut -c1-16)
	out=$CACHE/vmlinux-$key.elf
	if [[ ! -f $out ]]; then
		ss=$(od -An -tu1 -j497 -N1 "$bz" | tr -d ' ')
		((ss != 0)) || ss=4
		po=$(od -An -tu4 -j584 -N4 "$bz" | tr -d ' ')
		pl=$(od -An -tu4 -j588 -N4 "$bz" | tr -d ' ')
		start=$(((ss + 1) * 512 + po))
		magic=$(od -An -tx1 -j"$start" -N6 "$bz" | tr -d ' \n')
		case $magic in
		fd377a585a00) dec=(xz -dcq --single-stream) ;;
		28b52ffd*) dec=(zstd -dcq) ;;
		1f8b*) dec=(gzip -dcq) ;;
		*) return 1 ;;
		esac
		command -v "${dec[0]}" >/dev/null || return 1
		# the payload ends with its 4-byte uncompressed size: drop it
		dd if="$bz" bs=64K iflag=skip_bytes,count_bytes skip="$start" \
			count=$((pl - 4)) status=none |
			"${dec[@]}" >"$TMP/vmlinux" 2>/dev/null || return 1
		is_elf "$TMP/vmlinux" || return 1
		mv "$TMP/vmlinux" "$out"
	fi
	echo "$out"
}

# Does ELF $1 have the PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY, 18)?
has_pvh_note()
{
	local notes
	command -v readelf >/dev/null || return 1
	notes=$(readelf -n "$1" 2>/dev/null) || return 1
	grep -qE 'Xen.*(0x00000012|PHYS32)' <<<"$notes"
}

# (QEMU splits the multiboot module list at commas; ",," is a comma.)
BOOT_KERNEL=$KERNEL
if elf=$(kernel_elf "$KERNEL"); then
	if [[ $MODE == xen ]] || has_pvh_note "$elf"; then
		BOOT_KERNEL=$elf
	fi
fi

ln -s "$(cd "$(dirname "$BOOT_KERNEL")" && pwd)/$(basename "$BOOT_KERNEL")" "$TMP/vmlinuz"
if [[ $QMP_RELAY == 1 ]]; then
	command -v python3 >/dev/null || die "--qmp-relay needs python3"
	APPEND+=" pbnl_test.qmp_relay=1"
fi
if [[ $MODE == xen ]]; then
	xkey=$(stat -L -c '%n %s %Y' "$XEN" | sha256sum | cut -c1-16)
	XEN_ELF=$CACHE/xen-$xkey.elf
	if [[ ! -f $XEN_ELF ]]; then
		if gzip -t "$XEN" 2>/dev/null; then
			zcat "$XEN" >"$TMP/xen.elf"
		else
			cp "$XEN" "$TMP/xen.elf"
		fi
		mv "$TMP/xen.elf" "$XEN_ELF"
	fi
	ln -s "$XEN_ELF" "$TMP/xen.elf"
	BOOT=(-kernel "$TMP/xen.elf"
	      -append "console=com1 com1=115200,8n1 serial_tx_buffer=1M dom0_mem=$DOM0_MEM,max:$DOM0_MEM dom0_max_vcpus=$SMP $XEN_APPEND"
	      -initrd "$TMP/vmlinuz console=hvc0 quiet panic=-1 ${APPEND//,/,,},$INITRD")
else
	BOOT=(-kernel "$TMP/vmlinuz"
	      -append "console=ttyS0 quiet panic=-1 intel_iommu=on $APPEND"
	      -initrd "$INITRD")
fi

if [[ -z $SOCKDIR ]]; then
	SOCKDIR=$TMP
else
	mkdir -p "$SOCKDIR"
fi
LOG=${LOG:-$REPO/build/vm/$KVER-$MODE.log}
mkdir -p "$(dirname "$LOG")"
# Two runs must not share a log: the markers are read from it.
if command -v flock >/dev/null; then
	exec 9>>"$LOG"
	if ! flock -n 9; then
		alt=${LOG%.log}.$$.log
		warn "$LOG is in use by another run: the console goes to $alt"
		LOG=$alt
		exec 9>>"$LOG"
		flock -n 9 || true
	fi
fi

# No AVX, AVX2: QEMU 7.2 brought AVX to TCG, and under Xen with a guest
# running, dom0's and the guests' programs now and then computed wrong
# results or crashed (a line not found in a buffer that holds it, xl killed by a general protection fault in libc,
# busybox's segfaults in a PV guest, a guest stalling in its boot): in four
# of 16 passthrough_test runs on 6.12 with AVX, in none of 8 without.
# Without AVX, glibc takes the SSE versions of its string functions, the
# likely place (not proven).  VM_CPU overrides the model.
# No x2APIC: QEMU's TCG emulates it since 8.0 (trixie's QEMU 10), and Xen
# (4.17 and 4.20) then runs x2APIC with interrupt remapping on QEMU's
# VT-d, where device interrupts are lost ("No irq handler for vector",
# nvme's "completion polled", modprobe hanging); with xAPIC, as QEMU 7.2
# gives, interrupt remapping works.
# shellcheck disable=SC2054 # the commas are QEMU's
QEMU_CMD=("$QEMU" -accel tcg -machine q35 -cpu "${VM_CPU:-max,-smap,-smep,-pku,-x2apic,-avx,-avx2}"
	  -m "$MEM" -smp "$SMP" -nodefaults -display none -no-reboot
	  -serial stdio
	  -qmp "unix:$SOCKDIR/qmp.sock,server=on,wait=off"
	  -monitor "unix:$SOCKDIR/monitor.sock,server=on,wait=off"
	  -device intel-iommu
	  "${BOOT[@]}" "${TOPO_ARGS[@]}")
{ printf '#'; printf ' %q' "${QEMU_CMD[@]}"; echo; } >"$LOG"

msg "$KVER $MODE: console $LOG, QMP $SOCKDIR/qmp.sock, monitor $SOCKDIR/monitor.sock"
T1=$(date +%s.%N)
timeout -k 10 "$TIMEOUT" "${QEMU_CMD[@]}" </dev/null >>"$LOG" 2>&1 &
QEMU_PID=$!
# Note when the command starts; once the end marker is in the log, all the
# output is, and the VM has nothing more to say: stop it.  Stop it too when
# dom0 crashed, rather than wait for Xen's reboot in 5 s, and when the
# kernel has not started our /init after --boot-timeout (a boot that hung:
# under TCG one now and then prints nothing after Xen's hand-off).
boot_limit=0
[[ -z $GIVEN_INITRD ]] && boot_limit=$BOOT_TIMEOUT
(
	started=$SECONDS
	while sleep 0.1; do
		seen=$(grep -aoE "$INIT_MARK|$BEGIN_MARK|${END_MARK}[0-9]+@@|Hardware Dom0 crashed" \
			"$LOG" 2>/dev/null) || seen=""
		if ((boot_limit > 0 && SECONDS - started >= boot_limit)) &&
			[[ $seen != *"$INIT_MARK"* ]]; then
			touch "$TMP/boot-timeout"
			kill "$QEMU_PID" 2>/dev/null || true
			break
		fi
		[[ -n $seen ]] || continue
		if [[ ! -f $TMP/begin.time && $seen == *"$BEGIN_MARK"* ]]; then
			date +%s.%N >"$TMP/begin.time"
		fi
		if [[ $seen == *"$END_MARK"* || $seen == *"Dom0 crashed"* ]]; then
			sleep 0.1
			kill "$QEMU_PID" 2>/dev/null || true
			break
		fi
	done
) &
WATCH_PIDS+=($!)
if [[ $QMP_RELAY == 1 ]]; then
	tail -n +1 -f --pid="$QEMU_PID" "$LOG" | while IFS= read -r line; do
		[[ $line == *"$QMP_MARK"* ]] || continue
		cmd=${line#*"$QMP_MARK"}
		cmd=${cmd%%@@*}
		msg "qmp: $cmd"
		reply=$(python3 -c "$QMP_CLIENT" "$SOCKDIR/qmp.sock" "$cmd" 2>&1) ||
			warn "qmp: failed: $reply"
		msg "qmp: -> $reply"
	done &
	WATCH_PIDS+=($!)
fi
if [[ $VERBOSE == 1 ]]; then
	tail -n +1 -f --pid="$QEMU_PID" "$LOG" >&2 &
	WATCH_PIDS+=($!)
fi
qrc=0
wait "$QEMU_PID" || qrc=$?
QEMU_PID=
T2=$(date +%s.%N)

# ---------------------------------------------------------------- report --

awk -v b="$BEGIN_MARK" -v e="$END_MARK" -v rcfile="$TMP/rc" '
	{ gsub(/\r/, "") }
	!on { if (index($0, b)) on = 1; next }
	(i = index($0, e)) {
		if (i > 1) print substr($0, 1, i - 1)
		rc = substr($0, i + length(e)); sub(/@@.*/, "", rc)
		print rc > rcfile
		exit
	}
	/^\(XEN\) / { next }
	{ print }
' "$LOG"

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
timing="initramfs $(secs "$T0" "$T1") s"
[[ -f $TMP/begin.time ]] &&
	timing+=", boot to command $(secs "$T1" "$(cat "$TMP/begin.time")") s"
timing+=", VM total $(secs "$T1" "$T2") s"

if [[ -f $TMP/rc ]] && rc=$(cat "$TMP/rc") && [[ $rc =~ ^[0-9]+$ ]]; then
	msg "$KVER $MODE: rc=$rc ($timing)"
	exit "$rc"
fi
if [[ -f $TMP/boot-timeout ]]; then
	echo "$PROG: $KVER $MODE: the kernel did not start /init within $BOOT_TIMEOUT s ($timing); last 40 lines of $LOG:" >&2
	status=$EX_TIMEOUT
elif ((qrc == 124)); then
	echo "$PROG: $KVER $MODE: timed out after $TIMEOUT s ($timing); last 40 lines of $LOG:" >&2
	status=$EX_TIMEOUT
else
	echo "$PROG: $KVER $MODE: the VM ended without reporting (QEMU exit status $qrc, $timing); last 40 lines of $LOG:" >&2
	status=$EX_NO_REPORT
fi
tr -d '\r' <"$LOG" | tail -n 40 | sed 's/^/  | /' >&2
exit "$status"
