# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared by check.sh and style.sh: pieces of a Debian linux-source.  Sourced.

# pbnl_source_copy SRC DIR PATH...: the PATHs (files or directories) of
# the kernel source SRC, an unpacked tree or a linux-source-*.tar.xz, in
# DIR, copied once and kept until SRC changes (DIR/.stamp).  Returns 1,
# with DIR removed, when SRC lacks one of them.
pbnl_source_copy() {
	local src=$1 dir=$2 stamp p
	local pats=()
	shift 2

	if [ -d "$src" ]; then
		stamp="$src $(stat -c '%Y' "$src/Makefile")"
	else
		stamp="$src $(stat -L -c '%s %Y' "$src")"
	fi
	[ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ] || return 0
	rm -rf "$dir"
	mkdir -p "$dir"
	if [ -d "$src" ]; then
		(cd "$src" && cp -r --parents "$@" "$dir/")
	else
		# a directory's member extracts what it holds too
		for p; do pats+=("*/$p"); done
		tar -xJf "$src" -C "$dir" --strip-components=1 --wildcards "${pats[@]}"
	fi 2>/dev/null || { rm -rf "$dir"; return 1; }
	echo "$stamp" >"$dir/.stamp"
}
