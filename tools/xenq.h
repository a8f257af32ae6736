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
 * dev-hide and dev-unhide.
 *
 * Only in Xen's hardware domain (dom0), which alone owns PCI devices: Xen
 * sets XENFEAT_dom0 in the features it reports to that domain, and Linux
 * shows them in /sys/hypervisor/properties/features (as systemd-detect-virt
 * reads them); failing that, xenfs's /proc/xen/capabilities says
 * "control_d" there.  /sys/hypervisor/type is "xen" in every guest too.
 *
 * libxenctrl is loaded at run time, the newest one installed (xenlib.h),
 * so the tool needs neither libxen-dev to build nor Xen to run.
 */
#ifndef PCIBACKCTL_XENQ_H
#define PCIBACKCTL_XENQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xenq;

/* Whether this is Xen's dom0 (see above); files read under @root. */
bool xenq_dom0(const char *root);

/*
 * Loads libxenctrl and opens Xen's control interface.  @root is "" for
 * the system (LD_LIBRARY_PATH is then honoured), a fixture tree in the
 * tests.  Return: the handle; NULL with @why empty when this is not a
 * dom0 (nothing to keep); NULL with the reason in @why (one line, e.g.
 * no libxenctrl installed, or none that loads) when the quarantine cannot
 * be kept.
 */
struct xenq *xenq_open(const char *root, char *why, size_t whylen);
void xenq_close(struct xenq *q);

/*
 * Put @bdf ("DDDD:BB:DD.F") in the quarantine.  Return: 0, or a negative
 * errno with the reason in @err.
 */
int xenq_enter(struct xenq *q, const char *bdf, char *err, size_t errlen);

/*
 * Take @bdf out of the quarantine, back to dom0.  Return: 1 when it was
 * quarantined and is out now, 0 when it was not quarantined (a domain
 * above ffff never is: see xenq_sbdf()), or a negative errno with the
 * reason in @err.
 */
int xenq_leave(struct xenq *q, const char *bdf, char *err, size_t errlen);

/*
 * "DDDD:BB:DD.F" as Xen's machine SBDF, segment << 16 | bus << 8 | devfn.
 * Return: 0; -EINVAL if malformed; -ERANGE if the PCI domain is above
 * ffff: Linux numbers some domains past 16 bits (VMD's from 10000), Xen's
 * segments have 16, and a truncated one would name another device.
 */
int xenq_sbdf(const char *bdf, uint32_t *sbdf);

#endif /* PCIBACKCTL_XENQ_H */
