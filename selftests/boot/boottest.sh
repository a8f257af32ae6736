#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make boottest: boot a Debian dom0 from its disk, as an administrator's
# machine boots, under Xen in QEMU (TCG), and check boot-time hiding
# (pciback-nl's initramfs hook, module parameter and unit) across real
# boots, kernel upgrades and package removal.  TAP, one test per
# scenario key, last line "boottest: N passed, N failed, N skipped".
#
#   boottest.sh [--suite SUITE] [--only NAME[,NAME...]] [--timeout S]
#
# The image is image.sh's (cached under build/boot); every scenario
# (scenarios/*.sh, see README.md) boots its own sparse copy of it, in
# which this script writes the in-image driver (pbnl-boottest), the
# scenario and its files with debugfs: nothing is mounted.  Each boot
# takes Xen, the kernel and the initramfs from the copy's /boot, so a
# kernel or initramfs made inside the VM is the one booted next; the VM
# asks for the next boot on its console (@@PBNL-BOOT-NEXT ...@@) and
# reboots, and QEMU (-no-reboot) exits.  Consoles and disks:
# build/boot/run/ (BOOT_RUN_DIR).  BOOT_UPGRADE=0 leaves the kernel
# upgrade (DKMS under TCG: slow) out of the main chain.  Needs root
# (image.sh).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
prog=${0##*/}
run=${BOOT_RUN_DIR:-$top/build/boot/run}

suite=""
only=""
boot_timeout=${BOOT_TIMEOUT:-600}
QEMU=${VM_QEMU:-qemu-system-x86_64}
while (($#)); do
	case $1 in
	--suite) suite=${2:?}; shift 2 ;;
	--only) only=${2:?}; shift 2 ;;
	--timeout) boot_timeout=${2:?}; shift 2 ;;
	-h|--help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "$prog: unknown argument $1 (--help)" >&2; exit 2 ;;
	esac
done

npass=0 nfail=0 nskip=0 ntest=0
tap_ok() { ntest=$((ntest + 1)); npass=$((npass + 1)); echo "ok $ntest - $*"; }
tap_fail() { ntest=$((ntest + 1)); nfail=$((nfail + 1)); echo "not ok $ntest - $*"; }
tap_skip() { ntest=$((ntest + 1)); nskip=$((nskip + 1)); echo "ok $ntest - $* # SKIP"; }
summary() { echo "boottest: $npass passed, $nfail failed, $nskip skipped"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
now() { date +%s.%N; }

tmp=$(mktemp -d /tmp/pbnl-boottest.XXXXXX)
qemu_pid=""
# shellcheck disable=SC2317,SC2329 # run by the traps
cleanup()
{
	if [[ -n $qemu_pid ]]; then kill "$qemu_pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "not ok - interrupted"; nfail=$((nfail + 1)); summary; exit 130' INT TERM

echo "TAP version 13"
if [[ $(id -u) != 0 ]]; then
	tap_skip "boottest: needs root (debootstrap, chroot)"
	summary
	exit 0
fi
for t in "$QEMU" debugfs e2fsck mkfs.ext4 zcat; do
	if ! command -v "$t" >/dev/null; then
		tap_fail "boottest: $t not found (make deps)"
		summary
		exit 1
	fi
done

# ----------------------------------------------------------------- image --

t0=$(now)
if ! image=$("$here/image.sh" ${suite:+--suite "$suite"} 2>"$tmp/image.err" | tail -n1) ||
	[[ ! -f $image ]]; then
	sed 's/^/# /' "$tmp/image.err"
	tap_fail "boottest: build the image (selftests/boot/image.sh)"
	summary
	exit 1
fi
sed 's/^/# /' "$tmp/image.err"
echo "# image $image: $(secs "$t0" "$(now)") s"
mkdir -p "$run"

# ---------------------------------------------------------- the machine --

# The dom0's devices.  Linux numbers the root ports' buses in slot order:
#   00:03.0  virtio-blk, the root disk's controller (virtio-pci)
#   01:00.0  e1000e, enp1s0, mac 52:54:00:b0:01:00   (behind 00:02.0)
#   02:00.0  e1000e, enp2s0, mac 52:54:00:b0:02:00   (behind 00:04.0)
#   03:00.0  e1000e, enp3s0, mac 52:54:00:b0:03:00   (behind 00:06.0)
#   04:00.0  e1000e, enp4s0, mac 52:54:00:b0:04:00   (behind 00:07.0)
#   05:00.0  e1000e, enp5s0, mac 52:54:00:b0:05:00   (behind 00:08.0)
#   00:05.0  e1000 (8086:100e, the only one), the guest's NIC
#   00:1d.0-2 ICH9 UHCI (uhci_hcd), 00:1d.7 ICH9 EHCI (ehci-pci): one group
# shellcheck disable=SC2054 # the commas are QEMU's
machine_args()
{
	local disk=$1
	MACHINE=(-drive "file=$disk,if=none,id=root,format=raw,cache=writeback,discard=unmap"
		-device virtio-blk-pci,drive=root,bus=pcie.0,addr=03.0
		-device pcie-root-port,id=rp1,bus=pcie.0,addr=02.0,chassis=1,slot=1
		-device e1000e,bus=rp1,addr=00.0,mac=52:54:00:b0:01:00
		-device pcie-root-port,id=rp2,bus=pcie.0,addr=04.0,chassis=2,slot=2
		-device e1000e,bus=rp2,addr=00.0,mac=52:54:00:b0:02:00
		-device pcie-root-port,id=rp3,bus=pcie.0,addr=06.0,chassis=3,slot=3
		-device e1000e,bus=rp3,addr=00.0,mac=52:54:00:b0:03:00
		-device pcie-root-port,id=rp4,bus=pcie.0,addr=07.0,chassis=4,slot=4
		-device e1000e,bus=rp4,addr=00.0,mac=52:54:00:b0:04:00
		-device pcie-root-port,id=rp5,bus=pcie.0,addr=08.0,chassis=5,slot=5
		-device e1000e,bus=rp5,addr=00.0,mac=52:54:00:b0:05:00
		-device e1000,bus=pcie.0,addr=05.0,mac=52:54:00:b0:00:05
		-device ich9-usb-ehci1,id=usb-ehci,bus=pcie.0,addr=1d.7,multifunction=on
		-device ich9-usb-uhci1,bus=pcie.0,addr=1d.0,multifunction=on,masterbus=usb-ehci.0,firstport=0
		-device ich9-usb-uhci2,bus=pcie.0,addr=1d.1,multifunction=on,masterbus=usb-ehci.0,firstport=2
		-device ich9-usb-uhci3,bus=pcie.0,addr=1d.2,multifunction=on,masterbus=usb-ehci.0,firstport=4)
}

# ------------------------------------------------------ image editing --

# img_cmds DISK: run the debugfs commands of stdin on DISK (writable)
img_cmds() { debugfs -w -f - "$1" >"$tmp/debugfs.out" 2>&1; }

# img_write DISK LOCAL PATH [MODE]: put LOCAL at PATH in DISK (replacing it)
img_write()
{
	local disk=$1 src=$2 dst=$3 mode=${4:-0644}
	printf 'rm %s\nwrite %s %s\nsif %s mode 0100%s\nsif %s uid 0\nsif %s gid 0\n' \
		"$dst" "$src" "$dst" "$dst" "${mode#0}" "$dst" "$dst" | img_cmds "$disk"
	debugfs -R "stat $dst" "$disk" 2>/dev/null | grep -q "Mode: *0*${mode#0}" || {
		echo "# img_write $dst failed:"; sed 's/^/#   /' "$tmp/debugfs.out"; return 1; }
}

# img_symlink DISK LINK TARGET
img_symlink()
{
	printf 'rm %s\nsymlink %s %s\n' "$2" "$2" "$3" | img_cmds "$1"
}

# img_rm DISK PATH
img_rm() { printf 'rm %s\n' "$2" | img_cmds "$1"; }

# img_read DISK PATH LOCAL
img_read() { debugfs -R "dump -p $2 $3" "$1" >/dev/null 2>&1 && [[ -s $3 ]]; }

# ------------------------------------------------------------------ boot --

# A console line that ends a boot: the kernel, Xen's dom0 or PID 1 died,
# or a process died in a way that says memory is corrupted.
CRASH_RE='Kernel panic|Dom0 crashed|systemd\[1\]: (Freezing execution|Caught <SEGV>)|systemd\[1\]: segfault at|general protection fault ip:|BUG: unable to handle'

# boot_once NAME K DISK XEN KVER APPEND: boot DISK once; the console goes
# to $run/NAME-bootK.log.  Sets BOOT_RESULT (next, done, or the failure)
# and prints the boot's timings.
boot_once()
{
	local name=$1 k=$2 disk=$3 xen=$4 kver=$5 append=$6
	local log=$run/$name-boot$k.log b=$tmp/boot xenimg t_start t_time="" deadline
	local -a boot

	rm -rf "$b"
	mkdir -p "$b"
	: >"$log"
	# an unclean end of the last boot: replay the journal before reading
	e2fsck -p "$disk" >/dev/null 2>&1 || e2fsck -fy "$disk" >/dev/null 2>&1 || true
	if ! img_read "$disk" "/boot/vmlinuz-$kver" "$b/vmlinuz" ||
		! img_read "$disk" "/boot/initrd.img-$kver" "$b/initrd.img"; then
		BOOT_RESULT="no /boot/vmlinuz-$kver or initrd.img-$kver in the image"
		echo "boottest: $BOOT_RESULT" >"$log"
		return
	fi
	if [[ $xen == 1 ]]; then
		xenimg=$(debugfs -R 'ls -p /boot' "$disk" 2>/dev/null | awk -F/ '$6 ~ /^xen-.*-amd64\.gz$/ { print $6 }' |
			sort -V | tail -n1)
		if [[ -z $xenimg ]] || ! img_read "$disk" "/boot/$xenimg" "$b/xen.gz"; then
			BOOT_RESULT="no /boot/xen-*-amd64.gz in the image"
			echo "boottest: $BOOT_RESULT" >"$log"
			return
		fi
		zcat "$b/xen.gz" >"$b/xen.elf"
		boot=(-kernel "$b/xen.elf"
		      -append "console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M dom0_max_vcpus=2"
		      -initrd "$b/vmlinuz root=LABEL=pbnlroot ro console=hvc0 quiet ${append//,/,,},$b/initrd.img")
	else
		boot=(-kernel "$b/vmlinuz"
		      -append "root=LABEL=pbnlroot ro console=ttyS0 quiet $append"
		      -initrd "$b/initrd.img")
	fi
	machine_args "$disk"
	# shellcheck disable=SC2054 # the commas are QEMU's
	local -a cmd=("$QEMU" -accel tcg -machine q35 -cpu max,-smap,-smep,-pku,-x2apic,-avx,-avx2
		      -m 2048 -smp 2 -nodefaults -display none -no-reboot -serial stdio
		      -device intel-iommu "${boot[@]}" "${MACHINE[@]}")
	{ printf '#'; printf ' %q' "${cmd[@]}"; echo; } >"$log"
	t_start=$(now)
	"${cmd[@]}" </dev/null >>"$log" 2>&1 &
	qemu_pid=$!
	deadline=$((SECONDS + boot_timeout))
	local ended="" ext seen crash=""
	while kill -0 "$qemu_pid" 2>/dev/null; do
		sleep 0.5
		if [[ -z $t_time ]] && grep -aq '@@PBNL-TIME ' "$log"; then
			t_time=$(now)
		fi
		ext=$(grep -aoE '@@PBNL-EXTEND [0-9]+@@' "$log" | tail -n1 | tr -dc 0-9) || true
		if [[ -n $ext && ! -e $b/ext-$ext-$(grep -ac '@@PBNL-EXTEND' "$log") ]]; then
			touch "$b/ext-$ext-$(grep -ac '@@PBNL-EXTEND' "$log")"
			deadline=$((SECONDS + ext))
		fi
		# PID 1 or the kernel died: a minute for the rest to be said
		if [[ -z $crash ]] &&
			crash=$(tr -d '\r' <"$log" | grep -aE -m1 "$CRASH_RE") && [[ -n $crash ]]; then
			deadline=$((SECONDS + 60))
		fi
		if [[ -z $ended ]] && grep -aqE '@@PBNL-(BOOT-NEXT .*|DONE)@@' "$log"; then
			# the shutdown gets two minutes
			ended=1
			deadline=$((SECONDS + 120))
		fi
		if ((SECONDS >= deadline)); then
			kill "$qemu_pid" 2>/dev/null || true
			seen=timeout
			break
		fi
	done
	wait "$qemu_pid" 2>/dev/null || true
	qemu_pid=""
	local t_end
	t_end=$(now)

	local time_line up mu unit res ustart what
	time_line=$(tr -d '\r' <"$log" | grep -aoE '@@PBNL-TIME [^@]*@@' | head -n1) || true
	what="$name boot $k ($kver, $([[ $xen == 1 ]] && echo Xen || echo no Xen)${append:+, $append})"
	if [[ -n $time_line && -n $t_time ]]; then
		read -r up mu unit res ustart <<<"$(sed -E 's/.*up=([^ ]*) mu=([^ ]*) unit=([^ ]*) reserve=([^ ]*) unitstart=([^ ]*).*/\1 \2 \3 \4 \5/' <<<"$time_line")"
		# the kernel started at (t_time - t_start) - up seconds after QEMU
		awk -v w="$(secs "$t_start" "$t_time")" -v up="$up" -v mu="$mu" -v unit="$unit" -v res="$res" -v us="$ustart" -v what="$what" \
			-v total="$(secs "$t_start" "$t_end")" 'BEGIN {
			k = w - up
			printf "# time: %s: QEMU start -> kernel %.1f s, -> multi-user.target %s s, ", what, k, (mu == "-" ? "-" : sprintf("%.1f", k + mu))
			printf "-> pciback-nl.service done %s s (it ran %s s), -> pciback_nl'"'"'s first hide: line in the kernel log %s s; boot total %.1f s\n",
				(unit == "-" ? "-" : sprintf("%.1f", k + unit)), (unit == "-" || us == "-" ? "-" : sprintf("%.1f", unit - us)),
				(res == "-" ? "-" : sprintf("%.1f", k + res)), total
		}'
	else
		echo "# time: $what: no time line (boot total $(secs "$t_start" "$t_end") s)"
	fi
	if grep -aq '@@PBNL-DONE@@' "$log"; then
		BOOT_RESULT="done"
	elif grep -aqE '@@PBNL-BOOT-NEXT .*@@' "$log"; then
		BOOT_RESULT=next
	elif [[ -n $crash ]]; then
		BOOT_RESULT="$what: crashed: $crash"
	elif [[ ${seen:-} == timeout ]]; then
		if [[ -z $t_time ]]; then
			BOOT_RESULT="$what: timeout: no test stage began within the limit (multi-user.target not reached?)"
		else
			BOOT_RESULT="$what: timeout: the stage did not finish within the limit"
		fi
	else
		BOOT_RESULT="$what: the VM ended without reporting (crash, panic, hang in shutdown?)"
	fi
}

# ------------------------------------------------------------- scenarios --

# run_scenario FILE: boot a copy of the image through FILE's stages; print
# one TAP line per key of TESTS.
run_scenario()
{
	local file=$1 name disk k maxboots xen kver append result
	local TESTS="" FIRST_BOOT="" HIDE_CONF="" MAX_BOOTS=6
	name=$(basename "$file" .sh)
	# the host part: the keys, the first boot, hide.conf, host_setup
	unset -f host_setup
	# shellcheck source=/dev/null
	. "$file"
	maxboots=$MAX_BOOTS
	disk=$run/$name.raw
	rm -f "$disk" "$run/$name"-boot*.log
	cp --sparse=always --reflink=auto "$image" "$disk"
	if ! img_write "$disk" "$here/pbnl-boottest" /usr/local/sbin/pbnl-boottest 0755 ||
		! img_write "$disk" "$here/scenario-lib.sh" /etc/pbnl-boottest/common.inc 0644 ||
		! img_write "$disk" "$file" /etc/pbnl-boottest/scenario.sh 0644; then
		for k in $TESTS; do tap_fail "$k: could not write the scenario into the image"; done
		return
	fi
	if [[ -n $HIDE_CONF ]]; then
		printf '%s\n' "$HIDE_CONF" >"$tmp/hide.conf"
		img_write "$disk" "$tmp/hide.conf" /etc/pciback-nl/hide.conf 0644 || {
			for k in $TESTS; do tap_fail "$k: could not write hide.conf"; done
			return
		}
	fi
	if declare -F host_setup >/dev/null && ! host_setup "$disk" >"$tmp/setup.out" 2>&1; then
		sed 's/^/# /' "$tmp/setup.out"
		for k in $TESTS; do tap_fail "$k: host_setup of $name failed"; done
		return
	fi

	xen=1 kver=$(cat_img "$disk" /etc/pbnl-boottest/kver) append=""
	for a in $FIRST_BOOT; do
		case $a in
		xen=*) xen=${a#*=} ;;
		append=*) append=${a#*=} ;;
		esac
	done
	result=""
	for ((k = 1; k <= maxboots; k++)); do
		boot_once "$name" "$k" "$disk" "$xen" "$kver" "$append"
		tr -d '\r' <"$run/$name-boot$k.log" | awk '
			/@@PBNL-STAGE /, 0 {
				if ($0 ~ /^# / || $0 ~ /@@PBNL-/) print
			}' >>"$tmp/$name.stages"
		case $BOOT_RESULT in
		"done") result="done"; break ;;
		next)
			# what to boot next, as the VM wrote it on its disk
			e2fsck -p "$disk" >/dev/null 2>&1 || e2fsck -fy "$disk" >/dev/null 2>&1 || true
			cat_img "$disk" /var/lib/pbnl-boottest/next >"$tmp/next" || true
			xen=$(sed -n 's/^xen=//p' "$tmp/next")
			kver=$(sed -n 's/^kver=//p' "$tmp/next")
			append=$(sed -n 's/^append=//p' "$tmp/next")
			if [[ ! $xen =~ ^[01]$ || -z $kver ]]; then
				result="$name boot $k asked for another boot, but /var/lib/pbnl-boottest/next on its disk says: $(tr '\n' ' ' <"$tmp/next")"
				break
			fi
			# console checks of this boot (before the stage began)
			console_checks "$name" "$k"
			;;
		*)
			console_checks "$name" "$k"
			result=$BOOT_RESULT
			echo "# $name: last 40 lines of $run/$name-boot$k.log:"
			tr -d '\r' <"$run/$name-boot$k.log" | tail -n 40 | sed 's/^/#   | /'
			break
			;;
		esac
	done
	if [[ $result == "done" ]]; then console_checks "$name" "$k"; fi
	[[ -n $result ]] || result="more than $maxboots boots"

	# the stages' output, then one TAP line per key
	grep -v '@@PBNL-CHECK' "$tmp/$name.stages" | grep -v '^# pci ' | sed 's/@@PBNL-\(.*\)@@/# \1/' || true
	local key p f s first
	for key in $TESTS; do
		p=$(grep -c "@@PBNL-CHECK pass $key " "$tmp/$name.stages" || true)
		f=$(grep -c "@@PBNL-CHECK fail $key " "$tmp/$name.stages" || true)
		s=$(grep -c "@@PBNL-CHECK skip $key " "$tmp/$name.stages" || true)
		grep -E "@@PBNL-CHECK (pass|fail|skip) $key " "$tmp/$name.stages" |
			sed -E 's/@@PBNL-CHECK (pass|fail|skip) [^ ]* (.*)@@/#   \1: \2/' || true
		if ((f > 0)); then
			first=$(grep -m1 "@@PBNL-CHECK fail $key " "$tmp/$name.stages" |
				sed -E 's/@@PBNL-CHECK fail [^ ]* (.*)@@/\1/')
			tap_fail "$key: $f of $((p + f)) checks failed, the first: $first"
		elif ((p > 0)); then
			# a key's checks may span boots: it passes once its last
			# check ran (key_done in the VM)
			if grep -q "@@PBNL-KEYDONE $key@@" "$tmp/$name.stages"; then
				tap_ok "$key: $p checks passed$( ((s > 0)) && echo ", $s skipped")"
			else
				tap_fail "$key: $p checks passed, then: $result"
			fi
		elif ((s > 0)); then
			tap_skip "$key: $(grep -m1 "@@PBNL-CHECK skip $key " "$tmp/$name.stages" |
				sed -E 's/@@PBNL-CHECK skip [^ ]* (.*)@@/\1/')"
		else
			tap_fail "$key: no result: $result"
		fi
	done
}

cat_img() { debugfs -R "cat $2" "$1" 2>/dev/null; }

# console_checks NAME K: the @@PBNL-CONSOLE KEY REGEX DESC@@ requests of
# boot K, checked against that boot's console before its stage began.
console_checks()
{
	local name=$1 k=$2 log=$run/$1-boot$2.log key re desc
	tr -d '\r' <"$log" | sed -n '/@@PBNL-STAGE /q;p' >"$tmp/console"
	while read -r key re desc; do
		if grep -aqE -- "$re" "$tmp/console"; then
			echo "@@PBNL-CHECK pass $key console: $desc@@"
		else
			echo "@@PBNL-CHECK fail $key console: $desc (no /$re/ before the stage began)@@"
		fi
	done < <(tr -d '\r' <"$log" | grep -aoE '@@PBNL-CONSOLE [^@]*@@' | sed 's/^@@PBNL-CONSOLE //; s/@@$//') \
		>>"$tmp/$name.stages"
}

scenarios=()
for f in "$here"/scenarios/*.sh; do
	n=$(basename "$f" .sh)
	if [[ -n $only && ,$only, != *,"$n",* ]]; then continue; fi
	scenarios+=("$f")
done
if ((${#scenarios[@]} == 0)); then
	tap_fail "boottest: no scenario matches --only $only"
	summary
	exit 1
fi
for f in "${scenarios[@]}"; do
	t0=$(now)
	echo "# scenario $(basename "$f" .sh)"
	run_scenario "$f"
	echo "# scenario $(basename "$f" .sh): $(secs "$t0" "$(now)") s"
done
echo "1..$ntest"
summary
((nfail == 0))
