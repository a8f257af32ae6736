#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Style checks.  Ends with the summary line "style: N passed, N failed"
# (one check per file).
#
# checkpatch.pl --strict on the module, the ABI header, the tool and the
# selftests, with the checkpatch of every Linux series whose source is
# here: /usr/src/linux-source-X.Y.tar.xz (or an unpacked tree of that name),
# and the same in the Debian roots under build/roots (debian-root.sh), so
# that a newer kernel's advice shows before that kernel is the host's.  One
# source per series, the host's first.  A file passes when every checkpatch
# is silent.  PBNL_LINUX_SOURCES (tarballs or trees, separated by blanks)
# replaces the search.
#
# Every shell file of the tree goes through shellcheck: *.sh, scripts with
# a sh, bash or dash #!, and the bash completion.  It runs from the top with
# -x, so the paths of "shellcheck source=" directives are relative to the
# top.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/linux-source-lib.sh
. "$top/scripts/linux-source-lib.sh"
cp_dir="$top/build/checkpatch"
roots=${PBNL_ROOTS:-$top/build/roots}
cd "$top" || exit 1

# "SERIES PATH" of every linux-source: the host's, then the roots'.
linux_sources() {
	local s
	if [ -n "${PBNL_LINUX_SOURCES:-}" ]; then
		# shellcheck disable=SC2086 # a list of paths
		printf '%s\n' $PBNL_LINUX_SOURCES
	else
		for s in /usr/src/linux-source-* "$roots"/*/usr/src/linux-source-*; do
			echo "$s"
		done
	fi | while read -r s; do
		case $s in
		*.tar.xz) [ -r "$s" ] || continue ;;
		*) [ -f "$s/scripts/checkpatch.pl" ] || continue ;;
		esac
		echo "$(basename "$s" .tar.xz | sed 's/^linux-source-//') $s"
	done | awk '!seen[$1]++' | sort -V -k1,1
}

# checkpatch SERIES PATH: build/checkpatch/SERIES/scripts/checkpatch.pl from
# PATH, extracted once per tarball.  Its directory, with an empty include/,
# is the --root that checkpatch gets: outside a git checkout it lists
# ROOT/include for the names it knows (CAMELCASE), and warns without a root.
checkpatch() {
	local dir=$cp_dir/$1 src=$2

	pbnl_source_copy "$src" "$dir" scripts/checkpatch.pl scripts/spelling.txt \
		scripts/const_structs.checkpatch || return 1
	mkdir -p "$dir/include"
	echo "$dir/scripts/checkpatch.pl"
}

pass=0
fail=0
# result OUTPUT: a check passes when it prints nothing.
result() {
	local out=$1
	if [ -z "$out" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "$out"
	fi
}

series=()
cps=()
while read -r s src; do
	if cp=$(checkpatch "$s" "$src"); then
		series+=("$s")
		cps+=("$cp")
	else
		result "style: cannot extract checkpatch.pl from $src"
	fi
done < <(linux_sources)
if [ ${#cps[@]} -eq 0 ]; then
	echo "style: need a linux-source for checkpatch.pl (make deps)" >&2
	fail=$((fail + 1))
fi
[ ${#series[@]} -eq 0 ] || echo "style: checkpatch of linux-source ${series[*]}"

# Userspace: kernel style too, minus what only makes sense in the kernel.
us_ignore=SPLIT_STRING,PREFER_KERNEL_TYPES,NEW_TYPEDEFS,SPDX_LICENSE_TAG,LONG_LINE_STRING,PREFER_DEFINED_ATTRIBUTE_MACRO,CAMELCASE
cfiles=()
for f in kmod/*.c kmod/*.h include/uapi/linux/pciback_nl.h \
	tools/*.c tools/*.h tools/tests/*.c selftests/*.c selftests/*.h selftests/bench/*.c; do
	[ -e "$f" ] && cfiles+=("$f")
done

# Each checkpatch over all files, the checkpatches side by side; the
# output of checkpatch I on file J in $t/I.J.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
for i in "${!cps[@]}"; do
	for j in "${!cfiles[@]}"; do
		args=()
		case ${cfiles[j]} in
		kmod/* | include/*) ;;
		*) args=(--ignore "$us_ignore") ;;
		esac
		"${cps[i]}" --no-tree --root "${cps[i]%/scripts/checkpatch.pl}" \
			--quiet --show-types --strict -f "${args[@]}" \
			"${cfiles[j]}" >"$t/$i.$j" 2>&1
	done &
done
wait
for j in "${!cfiles[@]}"; do
	out=""
	for i in "${!cps[@]}"; do
		[ -s "$t/$i.$j" ] || continue
		out+="${out:+$'\n'}# checkpatch of linux-source ${series[i]}:"$'\n'"$(cat "$t/$i.$j")"
	done
	result "$out"
done

# Shell files, tracked or not (not ignored); outside a git tree, all but build/.
shell_files() {
	local f
	{
		git ls-files -co --exclude-standard 2>/dev/null ||
			find . -path ./build -prune -o -path ./.git -prune -o -type f -print |
			sed 's|^\./||'
	} | sort | while read -r f; do
		[ -f "$f" ] || continue
		case $f in
		*.sh | *.bash-completion) echo "$f" ;;
		*) head -n1 "$f" | grep -qE '^#!.*(/|env )(ba|da)?sh([[:space:]]|$)' && echo "$f" ;;
		esac
	done
}

if command -v shellcheck >/dev/null; then
	echo "style: $(shellcheck --version | sed -n 's/^version: /shellcheck /p')"
	while read -r f; do
		args=()
		case $f in
		*.bash-completion) args=(-s bash) ;;
		esac
		result "$(shellcheck -x "${args[@]}" "$f" 2>&1)"
	done < <(shell_files)
else
	result "style: no shellcheck (make deps)"
fi

echo "style: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
