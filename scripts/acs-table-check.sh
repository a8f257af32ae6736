#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kmod/acs.c ports pci_dev_acs_enabled[] and its quirk functions from
# drivers/pci/quirks.c.  For every linux-source-X.Y.tar.xz present, in
# /usr/src or in a Debian root's /usr/src under build/roots (debian-root.sh;
# a newer kernel's changes show before it is the host's; one tarball per
# series, the host's first), check that the kernel's table and ours hold the same entries in the same
# order (vendor, with PCI_VENDOR_ID_* resolved through the tarball's
# include/linux/pci_ids.h; device; quirk function), that our comments name
# the kernel's vendor macros, and that the quirk functions are still the
# ones acs.c was ported from.  Ends with "acs-table: N passed, N failed";
# without a linux-source tarball it skips, counting nothing as passed.
# PBNL_ROOTS: where the roots are (default build/roots).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
acs=$top/kmod/acs.c
cache=$top/build/acs-table
roots=${PBNL_ROOTS:-$top/build/roots}
pass=0 fail=0

# sha256 of pci_acs_ctrl_enabled() .. the quirk functions, and of
# pci_dev_specific_acs_enabled(), in Linux 6.1, 6.12 and 7.2: what acs.c
# ports.
ported_sha=de7d0c32d2d4df2b8967c6dea92880468d43995a8495d1dd3a3f38c917dbc31f

result() {
	local good=$1
	shift
	if [ "$good" = 1 ]; then
		echo "ok $*"
		pass=$((pass + 1))
	else
		echo "not ok $*"
		fail=$((fail + 1))
	fi
}

# Our table, one "VENDOR DEVICE FUNCTION MACRO" line per entry (hex in
# lower case, "any" for PBNL_ACS_ANY_ID, MACRO the PCI_VENDOR_ID_* of the
# comment or "-").
ours() {
	awk '
	/^\t\[PBNL_ACSQ_[A-Z0-9_]+\] = "[a-z0-9_]+",$/ {
		q = $1; gsub(/[\[\]\t]/, "", q)
		n = $3; gsub(/[",]/, "", n)
		name[q] = n
		next
	}
	/pbnl_acs_table\[\] = \{/ { in_table = 1; next }
	in_table && /^};/ { in_table = 0; next }
	in_table && /^\t\{/ {
		if (!match($0, /^\t\{ 0x[0-9a-f][0-9a-f][0-9a-f][0-9a-f], (0x[0-9a-f][0-9a-f][0-9a-f][0-9a-f]|PBNL_ACS_ANY_ID), PBNL_ACSQ_[A-Z0-9_]+ \},/)) {
			print "bad " NR
			next
		}
		s = substr($0, RSTART, RLENGTH)
		gsub(/[\t{} ]/, "", s)
		split(s, f, ",")
		v = substr(f[1], 3)
		d = f[2] == "PBNL_ACS_ANY_ID" ? "any" : substr(f[2], 3)
		m = "-"
		if (match($0, /\/\* PCI_VENDOR_ID_[A-Z0-9_]+ \*\//))
			m = substr($0, RSTART + 3, RLENGTH - 6)
		e[++n_e] = v " " d " " f[3] " " m
	}
	END {
		for (i = 1; i <= n_e; i++) {
			split(e[i], x, " ")
			print x[1], x[2], (x[3] in name ? name[x[3]] : "?" x[3]), x[4]
		}
	}' "$acs"
}

# The kernel's table from quirks.c, with pci_ids.h for the vendor macros.
theirs() {
	local quirks=$1 ids=$2
	awk -v ids="$ids" '
	function hex4(s) {
		s = tolower(s)
		sub(/^0x/, "", s)
		while (length(s) < 4)
			s = "0" s
		return s
	}
	BEGIN {
		while ((getline line < ids) > 0)
			if (line ~ /^#define[ \t]+PCI_VENDOR_ID_[A-Z0-9_]+[ \t]+0x[0-9a-fA-F]+/) {
				split(line, w, /[ \t]+/)
				vid[w[2]] = hex4(w[3])
			}
	}
	/^} pci_dev_acs_enabled\[\] = \{/ { in_table = 1; next }
	in_table && /^\t\{ 0 \}/ { in_table = 0; next }
	in_table && /^\t\{/ {
		if (!match($0, /^\t\{ *[A-Za-z0-9_]+, *[A-Za-z0-9_]+, *[a-z0-9_]+ *\}/)) {
			print "bad " NR
			next
		}
		s = substr($0, RSTART, RLENGTH)
		gsub(/[\t{} ]/, "", s)
		split(s, f, ",")
		m = "-"
		if (f[1] ~ /^PCI_VENDOR_ID_/) {
			m = f[1]
			v = (f[1] in vid) ? vid[f[1]] : "?" f[1]
		} else {
			v = hex4(f[1])
		}
		d = f[2] == "PCI_ANY_ID" ? "any" : hex4(f[2])
		print v, d, f[3], m
	}' "$quirks"
}

# What acs.c ports besides the table: the quirk functions and the lookup.
quirk_code_sha() {
	{
		sed -n '/^static int pci_acs_ctrl_enabled(/,/^static const struct pci_dev_acs_enabled {/p' "$1" | sed '$d'
		sed -n '/^int pci_dev_specific_acs_enabled(/,/^}/p' "$1"
	} | sha256sum | cut -d' ' -f1
}

# numbered FIELDS FILE: those fields of each entry, after its index
numbered() {
	cut -d' ' -f"$1" "$2" | awk '{ print "entry " NR - 1 ": " $0 }'
}

# compare_one NAME QUIRKS_C PCI_IDS_H OURS_FILE
compare_one() {
	local name=$1 quirks=$2 ids=$3 our=$4 their good n sha
	their=$(mktemp)
	theirs "$quirks" "$ids" >"$their"
	n=$(wc -l <"$their")
	good=1
	if [ "$n" -eq 0 ] || grep -q '^bad ' "$their" || grep -q '?' "$their"; then
		good=0
		grep -E '^bad |\?' "$their" | sed 's/^/# /'
	fi
	result "$good" "$name: pci_dev_acs_enabled[] parses ($n entries, vendor macros resolved)"

	good=1
	if ! diff <(numbered 1-3 "$their") <(numbered 1-3 "$our") >/dev/null; then
		good=0
		diff <(numbered 1-3 "$their") <(numbered 1-3 "$our") |
			sed -n 's/^</# kernel:/p; s/^>/# acs.c: /p' | head -n 20
	fi
	result "$good" "$name: kmod/acs.c has the same entries in the same order (vendor, device, quirk function)"

	good=1
	if ! diff <(numbered 4 "$their") <(numbered 4 "$our") >/dev/null; then
		good=0
		diff <(numbered 4 "$their") <(numbered 4 "$our") |
			sed -n 's/^</# kernel:/p; s/^>/# acs.c: /p' | head -n 20
	fi
	result "$good" "$name: kmod/acs.c names the kernel's vendor macros in its comments"

	sha=$(quirk_code_sha "$quirks")
	good=1
	if [ "$sha" != "$ported_sha" ]; then
		good=0
		echo "# the quirk functions or pci_dev_specific_acs_enabled() changed (sha256 $sha): review kmod/acs.c"
	fi
	result "$good" "$name: the quirk functions are those kmod/acs.c was ported from"
	rm -f "$their"
}

# extract TARBALL DIR: quirks.c and pci_ids.h into DIR (once per tarball)
extract() {
	local tb=$1 dir=$2 d stamp
	d=$(basename "$tb" .tar.xz)
	stamp="$tb $(stat -L -c '%s %Y' "$tb")"
	if [ "$(cat "$dir/.stamp" 2>/dev/null)" = "$stamp" ] &&
	   [ -s "$dir/quirks.c" ] && [ -s "$dir/pci_ids.h" ]; then
		return 0
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -xJf "$tb" -C "$dir" --strip-components=3 \
		"$d/drivers/pci/quirks.c" "$d/include/linux/pci_ids.h" 2>/dev/null ||
		return 1
	echo "$stamp" >"$dir/.stamp"
}

tarballs=()
declare -A seen=()
for tb in /usr/src/linux-source-*.tar.xz "$roots"/*/usr/src/linux-source-*.tar.xz; do
	[ -r "$tb" ] || continue
	[ -z "${seen[${tb##*/}]:-}" ] || continue
	seen[${tb##*/}]=1
	tarballs+=("$tb")
done
if [ "${#tarballs[@]}" -eq 0 ]; then
	echo "acs-table: no linux-source-*.tar.xz to compare with: skipped"
	echo "acs-table: 0 passed, 0 failed, 1 skipped"
	exit 0
fi

our=$(mktemp)
trap 'rm -f "$our"' EXIT
ours >"$our"
good=1
if [ ! -s "$our" ] || grep -q '^bad ' "$our" || grep -q '?' "$our"; then
	good=0
	grep -E '^bad |\?' "$our" | sed 's/^/# kmod\/acs.c: /'
fi
result "$good" "kmod/acs.c: pbnl_acs_table[] parses ($(wc -l <"$our") entries, every quirk named)"

for tb in "${tarballs[@]}"; do
	name=$(basename "$tb" .tar.xz)
	dir=$cache/$name
	if [ "${tb#"$roots"/}" != "$tb" ]; then
		suite=${tb#"$roots"/}
		name="$name (${suite%%/*} root)"
	fi
	if ! extract "$tb" "$dir"; then
		result 0 "$name: extract drivers/pci/quirks.c and include/linux/pci_ids.h"
		continue
	fi
	compare_one "$name" "$dir/quirks.c" "$dir/pci_ids.h" "$our"
done

echo "acs-table: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
