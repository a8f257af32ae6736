# SPDX-License-Identifier: GPL-2.0
#
# pciback-nl: the module pciback_nl, the tool pcibackctl, and their tests.
#
#   make                 module (for KVER/KDIR) and tool
#   make check           unit tests, no VM
#   make vmtest          selftests in a Xen dom0 under QEMU, on each kernel
#   make debug-vmtest    selftests and fuzzer on debug kernels built from
#                        linux-source-6.1 (lockdep, kmemleak, KASAN; slow)
#   make style           checkpatch --strict on all C sources
#   make bench           hide/unhide timings against the echo sequence,
#                        driver_override and xl, in the Xen VM (not a test)
#   make matrix          the Debian matrix: the module against bookworm, trixie,
#                        sid and experimental kernels, and on trixie and sid
#                        (roots made with debootstrap under build/roots) the
#                        tool, the VM tests, the packages and DKMS (root;
#                        scripts/matrix.sh); README's support matrix
#   make boottest        a Debian dom0 disk image (debootstrap, the .debs)
#                        booted from its disk under Xen in QEMU: boot-time
#                        hiding across boots, kernel upgrades, purge (root;
#                        selftests/boot)
#   make test            check + style + vmtest + dkms-check + deb + matrix
#                        + boottest without the kernel upgrade, one summary
#                        line
#   make demo            boot the Xen VM and show pcibackctl working in dom0
#   make deps            install the Debian packages all of this needs
#   make dkms-check      dkms add/build/install/remove on each kernel (root)
#   make deb             the .debs in build/deb, lintian, install, VM smoke,
#                        purge (root; scripts/deb.sh)
#
# Variables: KVER (kernel release, default: running kernel), KDIR (its
# build tree, default /lib/modules/$(KVER)/build), VM_KVERS (kernels for
# vmtest, default: scripts/kernels.sh, on bookworm the installed 6.1 and
# 6.12, on trixie or sid the suite's kernel), VM_KERNEL and VM_MODULES
# (your own bzImage and modules tree for vmtest; see README).

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VERSION := 0.1.0
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
BUILD := $(TOP)/build
KBUILD_DIR = $(BUILD)/kmod/$(KVER)
VM_KVERS ?= $(shell $(TOP)/scripts/kernels.sh 2>/dev/null)
KMOD_SRCS := Kbuild $(wildcard kmod/*.c kmod/*.h) include/uapi/linux/pciback_nl.h
W ?= 1

all: module tool

# The module is built in a copy of its sources per kernel, so builds for
# several kernels never share objects.
module:
	@test -f "$(KDIR)/Makefile" || { \
		echo "no kernel build tree at $(KDIR): install linux-headers-$(KVER)," \
		     "or pass KVER=<release> or KDIR=<dir> (make deps installs the supported ones)" >&2; \
		exit 1; }
	@mkdir -p $(KBUILD_DIR)
	@cp --parents $(KMOD_SRCS) $(KBUILD_DIR)/
	$(MAKE) -C $(KDIR) M=$(KBUILD_DIR) W=$(W) $(if $(filter-out 0,$(WERROR)),KCFLAGS=-Werror) \
		PBNL_FAULT_INJECT=$(PBNL_FAULT_INJECT) modules
	@cp $(KBUILD_DIR)/pciback_nl.ko $(BUILD)/pciback_nl-$(KVER).ko
	@echo "module: $(BUILD)/pciback_nl-$(KVER).ko"

tool:
	$(MAKE) -C tools VERSION=$(VERSION)

selftests:
	$(MAKE) -C selftests

check:
	@$(TOP)/scripts/check.sh

style:
	@$(TOP)/scripts/style.sh

vmtest: tool selftests
	@$(TOP)/selftests/vm/vmtest.sh $(VM_KVERS)

# Not part of "make test" (.ci/run): building the two kernels takes most
# of an hour on two cores; see README.
debug-vmtest: tool selftests
	@$(TOP)/selftests/vm/debug-vmtest.sh

bench: tool selftests
	@$(TOP)/scripts/bench.sh $(firstword $(VM_KVERS))

test:
	@$(TOP)/scripts/test-all.sh

boottest:
	@$(TOP)/selftests/boot/boottest.sh

matrix:
	@$(TOP)/scripts/matrix.sh

demo: tool
	@$(TOP)/selftests/vm/demo.sh $(firstword $(VM_KVERS))

deps:
	@$(TOP)/scripts/install-deps.sh

modules_install: module
	$(MAKE) -C $(KDIR) M=$(KBUILD_DIR) modules_install

install: tool
	$(MAKE) -C tools install

dkms-check:
	@$(TOP)/scripts/dkms-test.sh $(VM_KVERS)

deb:
	@$(TOP)/scripts/deb.sh $(VM_KVERS)

dkms-install:
	install -d $(DESTDIR)/usr/src/pciback-nl-$(VERSION)
	cp --parents dkms.conf $(KMOD_SRCS) $(DESTDIR)/usr/src/pciback-nl-$(VERSION)/

clean:
	@! awk -v r="$(BUILD)/" 'index($$2, r) == 1 { print "clean: still mounted: " $$2; found = 1 } END { exit !found }' /proc/self/mounts
	rm -rf --one-file-system $(BUILD)
	$(MAKE) -C tools clean

.PHONY: all module tool selftests check style vmtest debug-vmtest bench test boottest matrix demo deps \
	modules_install install dkms-install dkms-check deb clean
