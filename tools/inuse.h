/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * inuse.h - the PCI functions that hold a mounted filesystem or an active
 * swap area, from userspace (procfs and sysfs), for the boot path.
 *
 * The kernel module refuses to hide a function in use (kmod/inuse.c) when
 * asked at run time; the initramfs reservation cannot ask: it runs before
 * the root filesystem is mounted.  "pcibackctl apply --module-options"
 * (run by update-initramfs) therefore finds the controllers of what is
 * mounted and swapped on now and keeps them out of the reservation.
 *
 * A block device's function is the last PCI function on its sysfs path
 * (/sys/dev/block/MAJ:MIN); device-mapper and md devices are followed
 * through their "slaves" to the disks below them.
 */
#ifndef PCIBACKCTL_INUSE_H
#define PCIBACKCTL_INUSE_H

#include <stddef.h>

#include <linux/pciback_nl.h>

#define INUSE_MAX 64
#define INUSE_WHAT_MAX 96

struct inuse_fn {
	char name[PCIBACK_DEV_NAME_MAX];
	char what[INUSE_WHAT_MAX];	/* "/ (mounted)", "swap /dev/vda3" */
};

struct inuse {
	size_t n;
	struct inuse_fn fn[INUSE_MAX];
};

/*
 * Fills *u from PROC/self/mountinfo and PROC/swaps, looking devices up in
 * SYSFS.  Returns 0, or -errno when mountinfo cannot be read (swaps may be
 * missing: no swap).
 */
int inuse_read(struct inuse *u, const char *sysfs, const char *proc);

/* What function @name holds, or NULL. */
const char *inuse_find(const struct inuse *u, const char *name);

#endif /* PCIBACKCTL_INUSE_H */
