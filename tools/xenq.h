/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xenq.h - Xen's PCI quarantine, as xl does it.
 *
 * Xen 4.17 parks a device it takes back from a guest in its quarantine
 * (dom_io) instead of giving it to dom0; xl pci-assignable-add puts a
 * device there too, and pci-assignable-remove takes it out.  A device
 * that is unhidden while quarantined has no DMA in dom0.  The kernel
 * cannot move devices between Xen domains (that is a domctl, issued from
 * dom0's userspace through libxenctrl), so the tool does it around
 * dev-hide and dev-unhide.  libxenctrl is loaded at run time: without it,
 * or outside a Xen dom0, xenq_open() returns NULL and nothing is done.
 */
#ifndef PCIBACKCTL_XENQ_H
#define PCIBACKCTL_XENQ_H

struct xenq;

/* NULL when not in a Xen dom0 or libxenctrl is not installed. */
struct xenq *xenq_open(void);
void xenq_close(struct xenq *q);

/*
 * Put @bdf ("DDDD:BB:DD.F") in the quarantine.  Return: 0, or a negative
 * errno.
 */
int xenq_enter(struct xenq *q, const char *bdf);

/*
 * Take @bdf out of the quarantine, back to dom0.  Return: 1 when it was
 * quarantined and is out now, 0 when it was not quarantined, or a
 * negative errno.
 */
int xenq_leave(struct xenq *q, const char *bdf);

/* "DDDD:BB:DD.F" as Xen's machine SBDF; -1 if malformed. */
long xenq_sbdf(const char *bdf);

#endif
