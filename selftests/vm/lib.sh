# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared by vmtest.sh, demo.sh, scripts/deb.sh and scripts/bench.sh:
# build what goes into the VM for one kernel, and tell a boot that failed
# before anything of pciback-nl ran.  Sourced; expects $top to be the
# project root.
# shellcheck disable=SC2154 # top: set by the script that sources this

# pbnl_boot_failed LOG OUT RC [hang]: whether a run.sh run failed while
# the VM was booting, before pciback-nl's module was loaded or a test ran;
# prints why.  LOG is run.sh's console log, OUT what the run printed, RC
# run.sh's exit status.  Under TCG a boot fails like that now and then,
# which says nothing of what the tests check, so callers boot once more
# (once only: a failure that repeats is reported).  Two kinds:
# - a kernel crash (panic, or Xen's "Dom0 crashed") with no pciback_nl
#   among the loaded modules and no selftest started (seen: an int3 Oops
#   in enqueue_timer at 3.8 s on 6.12, the kernel's own text patching);
# - with "hang", for runs whose /init is vm-init.sh: a timeout (RC 124)
#   before /init printed its first line, @@PCIBACK-NL-INIT@@ (seen: the
#   6.12 dom0 printed nothing after Xen's hand-off for 600 s; run.sh's
#   --boot-timeout now ends such a boot after 300 s).
pbnl_boot_failed() {
	local log=$1 out=$2 rc=$3 hang=${4:-}

	grep -qE '^# selftests: |^# initramfs-check|^ok [0-9]' "$out" 2>/dev/null &&
		return 1
	if grep -qaE 'Kernel panic|Dom0 crashed' "$log" 2>/dev/null &&
		! grep -qa 'Modules linked in:.*pciback_nl' "$log"; then
		echo "the kernel crashed while booting, before pciback_nl was loaded or a test ran"
		return 0
	fi
	if [ "$hang" = hang ] && [ "$rc" = 124 ] && [ -s "$log" ] &&
		! grep -qa '@@PCIBACK-NL-INIT@@' "$log"; then
		echo "the boot hung: the timeout came before the kernel started /init"
		return 0
	fi
	return 1
}

# pbnl_payload KVER [KDIR]: build the module for KVER (or the tree KDIR),
# the tool and the selftests, and lay them out in build/payload/KVER, the
# directory the VM mounts at /opt/pciback-nl.  Prints the directory.
# PBNL_KO=FILE: that module instead of building one (see pbnl_payload_ko).
pbnl_payload() {
	local kver=$1 kdir=${2:-} dir="$top/build/payload/$1"
	local kdir_arg=() stub

	[ -n "$kdir" ] && kdir_arg=(KDIR="$kdir")
	[ -n "${PBNL_KO:-}" ] ||
		make -s -C "$top" module WERROR=1 PBNL_FAULT_INJECT=y KVER="$kver" "${kdir_arg[@]}" >&2 || return 1
	make -s -C "$top" tool selftests >&2 || return 1
	rm -rf "$dir"
	mkdir -p "$dir/bin" "$dir/selftests"
	pbnl_payload_ko "$kver" "$dir/pciback_nl.ko" || return 1
	cp "$top/tools/pcibackctl" "$dir/bin/"
	cp "$top"/build/selftests/*_test "$dir/selftests/"
	cp "$top/selftests/run-selftests.sh" "$dir/run-selftests"
	# pci-stub for xlrec_test, when the kernel has it as a module (the
	# initramfs has only the topology's drivers)
	stub=$(modinfo -k "$kver" -n pci-stub 2>/dev/null) && [ -f "$stub" ] &&
		mkdir -p "$dir/extra" && cp "$stub" "$dir/extra/"
	cp "$top/tools/pciback-nl.service" "$dir/"
	install -m 0755 "$top/selftests/service_test.sh" "$dir/selftests/"
	pbnl_payload_ynl "$dir" || return 1
	# the PV guest of passthrough_test and the demo (cached)
	"$top/selftests/vm/guest-kit.sh" "$kver" "$dir/guest" >&2 || return 1
	echo "$dir"
}

# pbnl_payload_ynl DIR: what selftests/ynl_test.sh needs, in DIR/ynl: the
# kernel's YNL CLI and library (tools/net/ynl of the newest linux-source
# tarball that has them; 6.1's has not), our spec, the suite's python3
# (3.11 on bookworm, 3.13 on trixie) as python/bin/python3, and as
# python/lib/python3XY.zip (PYTHONHOME DIR/ynl/python) the compiled modules
# of its standard library and of PyYAML that the CLI imports.  Both are cached in build/ynl.  Without
# them it says why on stderr and stages only the test, which then skips.
pbnl_payload_ynl() {
	local dir=$1 cache=$top/build/ynl py zip
	local tarball="" t key

	py=$(readlink -f /usr/bin/python3 2>/dev/null)
	zip=$("$py" -c 'import sys; print("python%d%d.zip" % sys.version_info[:2])' 2>/dev/null)

	install -m 0755 "$top/selftests/ynl_test.sh" "$dir/selftests/ynl_test.sh"
	if [ -z "$zip" ] || ! "$py" -c 'import yaml' 2>/dev/null; then
		echo "pbnl_payload_ynl: no python3 with PyYAML (apt-get install python3-yaml): ynl_test.sh will skip" >&2
		return 0
	fi
	mkdir -p "$cache"
	while read -r t; do
		[ -f "$t" ] || continue
		key=$(stat -c '%n %s %Y' "$t")
		if [ "$(cat "$cache/src.stamp" 2>/dev/null)" != "$key" ]; then
			rm -rf "$cache/src" "$cache/src.stamp" "$cache"/python3*.zip
			mkdir -p "$cache/src"
			tar -xJf "$t" -C "$cache/src" --strip-components=1 --wildcards \
				'*/tools/net/ynl/*cli.py' '*/tools/net/ynl/*lib/*.py' \
				2>/dev/null || continue
			echo "$key" >"$cache/src.stamp"
		fi
		tarball=$t
		break
	done < <(printf '%s\n' /usr/src/linux-source-*.tar.xz | sort -rV)
	t=$(find "$cache/src" -name cli.py 2>/dev/null | head -n 1)
	if [ -z "$tarball" ] || [ -z "$t" ]; then
		echo "pbnl_payload_ynl: no linux-source tarball with tools/net/ynl in /usr/src: ynl_test.sh will skip" >&2
		return 0
	fi
	t=$(dirname "$t")
	key=$({ cat "$cache/src.stamp"; sha256sum "${BASH_SOURCE[0]}"
		stat -L -c '%n %s %Y' "$py" /usr/lib/python3/dist-packages/yaml/*.py
	      } 2>/dev/null | sha256sum | cut -c1-16)
	if [ "$(cat "$cache/zip.stamp" 2>/dev/null)" != "$key" ] ||
	   [ ! -f "$cache/$zip" ]; then
		"$py" - "$t" "$cache/$zip.tmp" <<'PY' || return 1
# The modules cli.py imports, found statically (modulefinder), plus what
# the interpreter imports at start; compiled, in one zip for zipimport.
import modulefinder, os, py_compile, sys, tempfile, zipfile
ynl, out = sys.argv[1], sys.argv[2]
skip = ['tkinter', 'test', 'unittest', 'pydoc', 'pydoc_data', 'doctest',
        'idlelib', 'lib2to3', 'ensurepip', 'distutils', 'email', 'http',
        'xml', 'xmlrpc', 'asyncio', 'multiprocessing', 'concurrent',
        'sqlite3', 'curses', 'dbm', 'ctypes', 'ssl', 'lzma', 'bz2',
        'jsonschema', 'sitecustomize', 'usercustomize', 'apport_python_hook',
        'yaml.cyaml', 'yaml._yaml']
mf = modulefinder.ModuleFinder(excludes=skip, path=[
    ynl, os.path.dirname(os.__file__), '/usr/lib/python3/dist-packages'])
mf.run_script(os.path.join(ynl, 'cli.py'))
for name in ('site', 'encodings.aliases', 'encodings.ascii',
             'encodings.latin_1', 'encodings.utf_8', 'encodings.utf_8_sig'):
    mf.import_hook(name)
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z, \
     tempfile.TemporaryDirectory() as tmp:
    for name, m in sorted(mf.modules.items()):
        src = m.__file__
        # YNL's own package "lib" stays beside cli.py, as source
        if (not src or not src.endswith('.py') or name == '__main__' or
                name == 'lib' or name.startswith('lib.')):
            continue
        arc = name.replace('.', '/') + ('/__init__' if m.__path__ else '')
        pyc = os.path.join(tmp, 'm.pyc')
        py_compile.compile(src, cfile=pyc, dfile=arc + '.py', doraise=True)
        z.write(pyc, arc + '.pyc')
PY
		mv "$cache/$zip.tmp" "$cache/$zip"
		echo "$key" >"$cache/zip.stamp"
	fi
	mkdir -p "$dir/ynl/python/bin" "$dir/ynl/python/lib"
	cp "$py" "$dir/ynl/python/bin/python3"
	cp "$cache/$zip" "$dir/ynl/python/lib/"
	cp -R "$t/cli.py" "$t/lib" "$dir/ynl/"
	cp "$top/Documentation/netlink/specs/pciback.yaml" "$dir/ynl/"
	echo "${tarball##*/}" >"$dir/ynl/SOURCE"
	# compiled now, so that the VM does not compile them on each run
	"$py" -c 'import compileall, sys; sys.exit(not compileall.compile_dir(sys.argv[1], quiet=1,
		invalidation_mode=compileall.py_compile.PycInvalidationMode.UNCHECKED_HASH))' \
		"$dir/ynl/lib" || return 1
}

# pbnl_payload_ko KVER OUT: the module for the payload, as OUT: this tree's
# build of it, or PBNL_KO if set, a pciback_nl.ko built elsewhere (by DKMS:
# /lib/modules/KVER/updates/dkms/pciback_nl.ko*), for one run on one kernel.
# A .ko.xz, .ko.zst or .ko.gz is decompressed (the VM's kmod loads those
# only slowly); its vermagic must name KVER.
pbnl_payload_ko() {
	local kver=$1 out=$2 ko=${PBNL_KO:-} vermagic

	if [ -z "$ko" ]; then
		cp "$top/build/pciback_nl-$kver.ko" "$out"
		return
	fi
	vermagic=$(modinfo -F vermagic "$ko" 2>/dev/null)
	if [ -z "$vermagic" ]; then
		echo "pbnl_payload: PBNL_KO=$ko is not a kernel module" >&2
		return 1
	fi
	if [ "${vermagic%% *}" != "$kver" ]; then
		echo "pbnl_payload: PBNL_KO=$ko is built for ${vermagic%% *}, not $kver" >&2
		return 1
	fi
	echo "pbnl_payload: module $ko" >&2
	case $ko in
	*.ko.xz) xz -dc "$ko" >"$out" ;;
	*.ko.zst) zstd -dcq "$ko" >"$out" ;;
	*.ko.gz) gzip -dc "$ko" >"$out" ;;
	*) cp "$ko" "$out" ;;
	esac
}
