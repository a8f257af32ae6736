#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh [FLAVOR...]: build the debug kernels of "make
# debug-vmtest" from Debian's linux-source-6.1 (make deps installs it):
# small configurations, x86_64_defconfig plus the kernel's xen.config plus
# our fragments, with lockdep, atomic-sleep checks, kmemleak, list and
# object debugging.  FLAVOR (default: both):
#
#   debug  + selftests/vm/debug.config: the Xen dom0 kernel (and the PV
#          guest of passthrough_test), release 6.1.N-pbnl-debug
#   kasan  + selftests/vm/debug-kasan.config: the same with KASAN, booted
#          without Xen (6.1 cannot run KASAN as a Xen PV kernel),
#          release 6.1.N-pbnl-kasan
#
# In build/debug-kernel/: src/ (the extracted source, shared), and per
# flavor FLAVOR/obj (the build tree, O=: the KDIR to build pciback_nl
# against), FLAVOR/root (modules_install, INSTALL_MOD_PATH: the VM's
# modules) and FLAVOR/build.log.  Reruns are incremental: the source is
# extracted once, the configuration is made again only when a fragment or
# this script changed, and "make" rebuilds what changed.  Every line of the
# fragments must end up in .config as written, or the script names the
# lines that did not and fails.  Always "nice -n 19": the build shares the
# machine with running VMs.
#
# Environment: DEBUG_KERNEL_SOURCE (the tarball,
# /usr/src/linux-source-6.1.tar.xz), DEBUG_KERNEL_JOBS (make -j, 2).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
prog=${0##*/}
tarball=${DEBUG_KERNEL_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
jobs=${DEBUG_KERNEL_JOBS:-2}
base=$top/build/debug-kernel
src=$base/src

die() { echo "$prog: $*" >&2; exit 1; }

# The fragments of FLAVOR, in merge order.
fragments()
{
	case $1 in
	debug) echo "$top/selftests/vm/debug.config" ;;
	kasan) echo "$top/selftests/vm/debug.config $top/selftests/vm/debug-kasan.config" ;;
	*) return 1 ;;
	esac
}

flavors=("$@")
((${#flavors[@]})) || flavors=(debug kasan)
for f in "${flavors[@]}"; do
	fragments "$f" >/dev/null || die "unknown flavor '$f' (debug or kasan)"
done

# What a kernel build needs beyond gcc and make.
missing=()
for t in flex bison bc perl depmod; do
	command -v "$t" >/dev/null || missing+=("$t")
done
for h in gelf.h openssl/opensslv.h; do
	[[ -f /usr/include/$h ]] || missing+=("$h")
done
((${#missing[@]} == 0)) ||
	die "missing ${missing[*]}: apt-get install flex bison bc perl kmod libelf-dev libssl-dev"

# ---------------------------------------------------------------- source --

[[ -f $tarball ]] ||
	die "no kernel source $tarball (make deps, or apt-get install linux-source-6.1)"
key=$(stat -L -c '%n %s %Y' "$tarball")
if [[ $(cat "$src/.pbnl-source" 2>/dev/null) != "$key" ]]; then
	echo "$prog: extracting $tarball into $src"
	rm -rf "$src" "$base"/*/obj "$base"/*/root
	mkdir -p "$src"
	tar -xJf "$tarball" -C "$src" --strip-components=1
	echo "$key" >"$src/.pbnl-source"
fi

# ------------------------------------------------------------- configure --

# check_config CONFIG FRAGMENT...: print the fragments' settings (the last
# one of a symbol wins) that CONFIG does not have; fail if there are any.
check_config()
{
	local config=$1
	shift
	awk '
		FNR == NR { have[$0] = 1; if (match($0, /^CONFIG_[A-Za-z0-9_]+=/))
				set[substr($0, 1, RLENGTH - 1)] = $0
			    next }
		/^CONFIG_[A-Za-z0-9_]+=/ { sym = $0; sub(/=.*/, "", sym)
					   want[sym] = $0; if (!(sym in seen)) order[++n] = sym
					   seen[sym] = 1; next }
		/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { sym = $2
					   want[sym] = "# " sym " is not set"
					   if (!(sym in seen)) order[++n] = sym
					   seen[sym] = 1 }
		END {
			for (i = 1; i <= n; i++) {
				sym = order[i]; w = want[sym]
				if (w ~ /^# /) ok = !(sym in set)
				else ok = (w in have)
				if (!ok) {
					printf "  wanted %s, got %s\n", w,
						(sym in set) ? set[sym] : "# " sym " is not set"
					bad++
				}
			}
			exit bad != 0
		}' "$config" "$@"
}

# configure FLAVOR OBJ LOG
configure()
{
	local flavor=$1 obj=$2 log=$3 frags ckey bad
	read -r -a frags <<<"$(fragments "$flavor")"
	ckey=$( { cat "$src/.pbnl-source" "$0" "${frags[@]}"; echo "$flavor"; } |
		sha256sum | cut -c1-16)
	if [[ -f $obj/.config && $(cat "$obj/.pbnl-config" 2>/dev/null) == "$ckey" ]]; then
		return 0
	fi
	echo "$prog: $flavor: configuring (x86_64_defconfig, xen.config, ${frags[*]##*/})"
	mkdir -p "$obj"
	rm -f "$obj/.pbnl-config"
	# (merge_config.sh leaves its temporary files in the cwd)
	if ! { make -C "$src" O="$obj" x86_64_defconfig &&
	       (cd "$obj" && "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
			"$src/kernel/configs/xen.config" "$src/arch/x86/configs/xen.config" \
			"${frags[@]}") &&
	       make -C "$src" O="$obj" olddefconfig; } >>"$log" 2>&1; then
		tail -n 30 "$log" >&2
		die "$flavor: configuration failed (log: $log)"
	fi
	if ! bad=$(check_config "$obj/.config" "${frags[@]}"); then
		echo "$prog: $flavor: olddefconfig did not keep these settings of ${frags[*]##*/}:" >&2
		echo "$bad" >&2
		die "$flavor: fix the fragment (a missing dependency?), then run again"
	fi
	echo "$ckey" >"$obj/.pbnl-config"
}

# ----------------------------------------------------------------- build --

dur() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

summary=()
for flavor in "${flavors[@]}"; do
	dir=$base/$flavor
	obj=$dir/obj
	root=$dir/root
	log=$dir/build.log
	mkdir -p "$dir"
	: >"$log"
	start=$(date +%s)
	configure "$flavor" "$obj" "$log"
	echo "$prog: $flavor: building (nice -n 19 make -j$jobs bzImage modules; log $log)"
	if ! nice -n 19 make -C "$src" O="$obj" -j"$jobs" bzImage modules >>"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "$flavor: build failed (log: $log)"
	fi
	rm -rf "$root"
	if ! nice -n 19 make -C "$src" O="$obj" INSTALL_MOD_PATH="$root" INSTALL_MOD_STRIP=1 \
			modules_install >>"$log" 2>&1; then
		tail -n 20 "$log" >&2
		die "$flavor: modules_install failed (log: $log)"
	fi
	kver=$(cat "$obj/include/config/kernel.release")
	secs=$(($(date +%s) - start))
	echo "$prog: $flavor: $kver done in $(dur "$secs")" | tee -a "$log"
	summary+=("$flavor: $kver (configure and build $(dur "$secs"))"
		  "  bzImage $obj/arch/x86/boot/bzImage"
		  "  modules $root (INSTALL_MOD_PATH; lib/modules/$kver)"
		  "  KDIR    $obj (source $src)")
done
printf '%s\n' "${summary[@]}"
