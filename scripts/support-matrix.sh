#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# support-matrix.sh [--print]: write README.md's support matrix (between
# its "support-matrix" markers) from the results of the last runs:
#   build/matrix/results.tsv   make matrix (every module cell; trixie and
#                              sid: tool, VM, packages, DKMS)
#   build/vm/summary.txt, build/vm/KVER-xen.out
#                              make vmtest on this bookworm host
#   build/test-summary.txt     make test's suite lines (deb, dkms)
# A cell with no result says "not run".  --print writes the table to
# stdout instead of README.md.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
results=$top/build/matrix/results.tsv
readme=$top/README.md

[ -f "$results" ] || { echo "support-matrix: no $results (make matrix)" >&2; exit 1; }
date=$(cat "$top/build/matrix/date" 2>/dev/null || date -u +%Y-%m-%d)

# res SUITE CELL COLUMN: "status<TAB>detail" of one result, if any.
res() {
	awk -F '\t' -v s="$1" -v c="$2" -v k="$3" \
		'$1 == s && $2 == c && $3 == k { r = $4 "\t" $5 } END { if (r != "") print r }' "$results"
}

# cell STATUS DETAIL: one table cell.
cell() {
	case $1 in
	pass) echo "yes: $2" ;;
	fail) echo "**FAILED**: $2" ;;
	"") echo "not run" ;;
	*) echo "$1: $2" ;;
	esac
}

# What make vmtest and make test saw on this host (bookworm).
host_vm() {
	local kver=$1 line
	line=$(grep -F -- "$kver xen: " "$top/build/vm/summary.txt" 2>/dev/null | tail -n 1)
	[ -n "$line" ] || { echo "not run"; return; }
	line=${line#"$kver xen: "}
	case $line in
	*" 0 failed"*) echo "yes: $line" ;;
	*) echo "**FAILED**: $line" ;;
	esac
}
host_e2e() {
	local f=$top/build/vm/$1-xen.out
	[ -f "$f" ] || { echo "not run"; return; }
	if grep -qE '^# ok [0-9]+ passthrough.nic_to_pv_guest_and_back' "$f" &&
		grep -qE '^# ok [0-9]+ passthrough.usb_group_to_pv_guest_and_back' "$f"; then
		echo "yes: PV guest, NIC and USB group"
	else
		echo "**FAILED**"
	fi
}
host_suite() {
	local line
	line=$(grep -E "^$1: [0-9]+ passed" "$top/build/test-summary.txt" 2>/dev/null | tail -n 1)
	[ -n "$line" ] || { echo "not run"; return; }
	line=${line#"$1: "}
	case $line in
	*" 0 failed"*) echo "yes: $line" ;;
	*) echo "**FAILED**: $line" ;;
	esac
}

xen_of() {
	local root=$1 x
	x=$(printf '%s\n' "$root"/boot/xen-*-amd64.gz 2>/dev/null | sort -V | tail -n 1)
	x=${x##*/xen-}
	echo "${x%-amd64.gz}"
}

table() {
	local suite kver status detail name xen
	echo "| Suite | Xen | Kernel | Module (W=1, its compiler) | Selftests in the Xen VM | Passthrough e2e | Package + lintian | DKMS |"
	echo "|---|---|---|---|---|---|---|---|"
	while IFS=$'\t' read -r suite kver status detail; do
		name=$suite
		case $suite in
		bookworm)
			xen=$(xen_of "")
			printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$xen" "$kver" \
				"$(cell "$status" "$detail")" "$(host_vm "$kver")" "$(host_e2e "$kver")" \
				"$(host_suite deb)" "$(host_suite dkms)"
			;;
		*)
			xen=$(xen_of "$top/build/roots/$suite")
			# experimental's kernel: headers only, in the sid root
			if [ "$suite" = sid ] && [ ! -f "$top/build/roots/sid/boot/vmlinuz-$kver" ]; then
				printf '| experimental | - | %s | %s | build only | build only | (sid) | (sid) |\n' \
					"$kver" "$(cell "$status" "$detail")"
				continue
			fi
			IFS=$'\t' read -r s1 d1 <<<"$(res "$suite" "$kver" selftests)" || true
			IFS=$'\t' read -r s2 d2 <<<"$(res "$suite" "$kver" e2e)" || true
			IFS=$'\t' read -r s5 d5 <<<"$(res "$suite" "$kver" igb)" || true
			[ -z "${s5:-}" ] || d1="${d1:-}; igb topology (QEMU 10, no Xen): $(cell "$s5" "$d5")"
			IFS=$'\t' read -r s3 d3 <<<"$(res "$suite" packages deb)" || true
			IFS=$'\t' read -r s4 d4 <<<"$(res "$suite" packages dkms)" || true
			IFS=$'\t' read -r s6 d6 <<<"$(res "$suite" packages dkms-vm)" || true
			[ -z "${s6:-}" ] || d4="${d4:-}; in the VM: $(cell "$s6" "$d6")"
			printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$xen" "$kver" \
				"$(cell "$status" "$detail")" "$(cell "${s1:-}" "${d1:-}")" \
				"$(cell "${s2:-}" "${d2:-}")" "$(cell "${s3:-}" "${d3:-}")" \
				"$(cell "${s4:-}" "${d4:-}")"
			;;
		esac
	done < <(awk -F '\t' '$3 == "module" { print $1 "\t" $2 "\t" $4 "\t" $5 }' "$results")
	echo
	echo "Tool (pcibackctl, unit tests with sanitizers) per suite:"
	echo
	for suite in trixie sid; do
		IFS=$'\t' read -r s1 d1 <<<"$(res "$suite" tools tool)" || true
		echo "- $suite: $(cell "${s1:-}" "${d1:-}")"
	done
	echo "- bookworm: $(host_suite check) (make check, all unit tests)"
	echo
	echo "Written by scripts/support-matrix.sh from the runs of $date (make matrix, make test)."
}

if [ "${1:-}" = --print ]; then
	table
	exit 0
fi
grep -q '<!-- support-matrix start -->' "$readme" || {
	echo "support-matrix: README.md has no <!-- support-matrix start --> marker" >&2
	exit 1
}
tmp=$(mktemp)
t=$(mktemp)
table >"$t"
awk -v t="$t" '
	/<!-- support-matrix start -->/ { print; while ((getline l < t) > 0) print l; skip = 1; next }
	/<!-- support-matrix end -->/ { skip = 0 }
	!skip' "$readme" >"$tmp"
cat "$tmp" >"$readme"
rm -f "$tmp" "$t"
echo "support-matrix: README.md updated"
