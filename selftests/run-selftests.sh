#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM (busybox sh): every selftest binary in
# /opt/pciback-nl/selftests, as KTAP, then a check that the kernel logged
# no oops, BUG, WARN or atomic-sleep splat, and on a kernel with kmemleak
# (make debug-vmtest) one that it finds no leak of pciback_nl or
# xen_pciback.  Ends with one line
# "# Totals: pass:N fail:N skip:N" that the host adds up.
dir=${PBNL_DIR:-/opt/pciback-nl}
PATH=$dir/bin:$PATH
export PATH

mods=$(awk '$1 == "pciback_nl" || $1 == "xen_pciback" { printf "%s ", $1 }' /proc/modules)
echo "# kernel $(uname -r); xen: $(cat /proc/xen/capabilities 2>/dev/null || echo none); loaded: $mods"

# Arguments: only these selftests (default: all, passthrough_test last:
# on a lockdep kernel, xen-gntdev's known report during its guests (see
# below) turns lockdep off for whatever runs after it).
tests=$*
if [ -z "$tests" ]; then
	for f in "$dir"/selftests/*; do
		[ "${f##*/}" = passthrough_test ] || tests="$tests ${f##*/}"
	done
	[ -e "$dir/selftests/passthrough_test" ] && tests="$tests passthrough_test"
fi
n=1
for t in $tests; do n=$((n + 1)); done

# A kernel with kmemleak (make debug-vmtest) gets one more check at the end.
kmemleak=/sys/kernel/debug/kmemleak
if ! grep -q ' /sys/kernel/debug debugfs ' /proc/mounts; then
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
fi
[ -e "$kmemleak" ] && n=$((n + 1))

# kmemleak_report FILE: print kmemleak's report FILE as "# kmemleak:"
# lines (without hex dumps): the first 10 of our leaks (see below) in
# full, marked "[pciback]", then how many of ours each allocation site
# has, and the first 20 others; fail if one is ours.  Two leaks of
# xen-pciback itself are known kernel bugs, counted by site but not
# failures: the config fields of every function that leaves xen-pciback
# (allocated under pcistub_init_device; pcistub_device_release frees the
# driver data, then asks xen_pcibk_config_free_dyn_fields and
# xen_pcibk_config_free_dev to free them, which find no driver data), and
# the ID entries pcistub_probe adds for a driver_override "pciback"
# (pcistub_exit never frees that list).
kmemleak_report()
{
	awk -v max_ours=10 -v max_other=20 '
		function flush(i, p) {
			if (nl == 0)
				return
			if (mine && (initdev || site ~ /^pcistub_probe\+/)) {
				if (!(site in kcount))
					korder[++nksites] = site
				kcount[site]++
				known++
				show = 0
			} else if (mine) {
				if (!(site in count))
					order[++nsites] = site
				count[site]++
				show = ++ours <= max_ours
			} else {
				show = ++others <= max_other
			}
			if (show) {
				p = mine ? "# kmemleak: [pciback] " : "# kmemleak: "
				for (i = 1; i <= nl; i++)
					print p line[i]
			}
			nl = 0
			mine = 0
			initdev = 0
			site = ""
		}
		/^unreferenced object/ { flush() }
		/^ +hex dump|^ +[0-9a-f][0-9a-f] [0-9a-f][0-9a-f] / { next }
		/pciback_nl|xen_pciback|pbnl_|^ +\[<[0-9a-f]+>\] 0x[0-9a-f]+$/ {
			mine = 1
			if (site == "") {
				site = $0
				sub(/^ +\[<[0-9a-f]+>\] /, "", site)
			}
		}
		/ pcistub_init_device\+/ { initdev = 1 }
		{ line[++nl] = $0 }
		END {
			flush()
			for (i = 1; i <= nksites; i++)
				printf "# kmemleak: known kernel bug: %d leaks of xen_pciback allocated at %s\n",
					kcount[korder[i]], korder[i]
			for (i = 1; i <= nsites; i++)
				printf "# kmemleak: %d leaks allocated at %s\n", count[order[i]], order[i]
			if (others > max_other)
				printf "# kmemleak: %d more not shown\n", others - max_other
			printf "# kmemleak: %d leaks of pciback_nl or xen_pciback, %d known of xen_pciback, %d others (not counted)\n",
				ours, known, others
			exit (ours > 0 ? 1 : 0)
		}' "$1"
}

pass=0
fail=0
skip=0
i=0
echo "TAP version 13"
echo "1..$n"
for t in $tests; do
	i=$((i + 1))
	echo "# selftests: pciback: $t"
	out=/tmp/ksft-$t.out
	"$dir/selftests/$t" > "$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	line=$(grep '^# Totals: ' "$out" | tail -n1)
	p=$(echo "$line" | sed -n 's/.*Totals: pass:\([0-9]*\).*/\1/p')
	f=$(echo "$line" | sed -n 's/.* fail:\([0-9]*\).*/\1/p')
	s=$(echo "$line" | sed -n 's/.* skip:\([0-9]*\).*/\1/p')
	pass=$((pass + ${p:-0}))
	skip=$((skip + ${s:-0}))
	if [ -z "$line" ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "${f:-0}" -eq 0 ]; }; then
		# crashed or exited without a result line: one failure
		f=$(( ${f:-0} + 1 ))
	fi
	fail=$((fail + ${f:-0}))
	if [ "$rc" -eq 0 ]; then
		echo "ok $i selftests: pciback: $t"
	elif [ "$rc" -eq 4 ]; then
		echo "ok $i selftests: pciback: $t # SKIP"
	else
		echo "not ok $i selftests: pciback: $t # exit=$rc"
	fi
done

i=$((i + 1))
# (Not findings: the boot notice of a lockdep kernel, and kmemleak's own
# news; its leaks are kmemleak_clean's.)  One known kernel bug is listed
# as "# known kernel bug:" and not counted: lockdep's circular dependency
# in xen-gntdev (gntdev_ioctl copies to user space under priv->lock, which
# gntdev_mmap takes under mmap_lock), hit when xl starts a guest.
splat=$(dmesg | awk '
	skip > 0 { if (/<\/TASK>/) skip = 0; else skip--; next }
	/BUG:|WARNING:|Oops|general protection|sleeping function called|UBSAN|KASAN|kmemleak|lockdep|possible circular/ &&
	!/RCU lockdep checking is enabled|kmemleak: (Kernel memory leak detector initialized|Automatic memory scanning thread|[0-9]+ new suspected memory leak)/ {
		if (/possible circular locking dependency/) { held = $0; left = 8; next }
		print
		next
	}
	left > 0 {
		left--
		if (/\(&priv->lock\).*at: gntdev_mmap/) {
			print "# known kernel bug: xen-gntdev lock order (priv->lock vs mmap_lock): " held
			left = 0
			skip = 300	# the rest of its report
			held = ""
		} else if (left == 0) {
			print held
		}
	}
	END { if (left > 0) print held }' | head -n 20)
known=$(echo "$splat" | grep '^# known kernel bug: ')
[ -n "$known" ] && echo "$known"
splat=$(echo "$splat" | grep -v '^# known kernel bug: ')
if [ -z "$splat" ]; then
	pass=$((pass + 1))
	echo "ok $i dmesg_clean"
else
	fail=$((fail + 1))
	echo "$splat" | sed 's/^/# dmesg: /'
	echo "not ok $i dmesg_clean"
fi

# kmemleak: two scans (the kernel's advice: an object is reported once it
# is 5 s old and was found unreferenced by a scan), then its report, one
# "unreferenced object" record each.  A leak counts as ours, a failure,
# when its allocation backtrace names pciback_nl or xen_pciback (module or
# pbnl_ function), or has a frame that no longer has a symbol: code of a
# module unloaded since (the tests reload pciback_nl, xen_pciback and
# e1000e).  The others come from the kernel itself, most from boot: they
# are shown as "# kmemleak:" lines (the first 20) but do not fail.
if [ -e "$kmemleak" ]; then
	i=$((i + 1))
	if echo scan >"$kmemleak" 2>/dev/null && sleep 6 &&
	   echo scan >"$kmemleak" 2>/dev/null; then
		cat "$kmemleak" >/tmp/kmemleak.out
		if kmemleak_report /tmp/kmemleak.out; then
			pass=$((pass + 1))
			echo "ok $i kmemleak_clean"
		else
			fail=$((fail + 1))
			echo "not ok $i kmemleak_clean"
		fi
	else
		fail=$((fail + 1))
		echo "# kmemleak: cannot scan (kmemleak disabled itself? see dmesg)"
		echo "not ok $i kmemleak_clean"
	fi
fi

echo "# Totals: pass:$pass fail:$fail skip:$skip"
[ "$fail" -eq 0 ]
