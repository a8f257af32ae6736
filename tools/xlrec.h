/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xlrec.h - libxl's record of a PCI function's driver, kept in xenstore.
 *
 * libxl (tools/libs/light/libxl_pci.c, the same in Xen 4.17 and 4.20)
 * keeps what it knows of a function under /libxl/pci/DDDD-BB-DD-F
 * (PCI_INFO_PATH "/" PCI_BDF_XSPATH, "%04x-%02x-%02x-%01x"), through
 * pci_info_xs_write(), pci_info_xs_read() and pci_info_xs_remove()
 * (before Xen 4.15: pci_assignable_driver_path_write/read/remove(), under
 * /libxl/pciback):
 *
 *   driver_path  the driver to give the function back to: realpath() of
 *                /sys/bus/pci/devices/DDDD:BB:DD.F/driver, i.e.
 *                "/sys/bus/pci/drivers/NAME".  Written by
 *                libxl__device_pci_assignable_add() (xl pci-assignable-add,
 *                which always asks for the rebind) when the function had a
 *                driver; one already there is kept when it had none.
 *                libxl__device_pci_assignable_remove() (xl
 *                pci-assignable-remove) with -r writes the address to
 *                driver_path/bind and then removes the key; without it, or
 *                when the key is missing ("Couldn't find path for original
 *                driver; not rebinding"), the function is left without a
 *                driver.
 *   name         a name given with pci-assignable-add -n; removed by
 *                pci-assignable-remove.
 *   domid        the guest the function is attached to (libxl__device_pci_add()).
 *
 * pcibackctl keeps the same record: hide writes driver_path for every
 * function it took from a host driver, so that xl pci-assignable-remove -r
 * gives it back; unhide reads it for the functions the kernel has no
 * record of (xl made them assignable), sends it as their fallback driver,
 * and removes driver_path and name of the functions it gave back, as
 * pci-assignable-remove does.  Outside a dom0 nothing is done or said;
 * without xenstored, one warning per run.
 */
#ifndef PCIBACKCTL_XLREC_H
#define PCIBACKCTL_XLREC_H

#include <stdbool.h>
#include <stddef.h>

#include "dev.h"

/* libxl's directory of PCI functions (PCI_INFO_PATH). */
#define XLREC_DIR "/libxl/pci"
/* The sysfs directory of PCI drivers, which driver_path names one of. */
#define XLREC_DRIVERS "/sys/bus/pci/drivers/"
/* "/libxl/pci/ffffffff-ff-1f-7/driver_path" and some */
#define XLREC_PATH_MAX 64
/* A driver name: what the kernel takes as a fallback, with the NUL. */
#define XLREC_DRIVER_MAX 64

/*
 * "/libxl/pci/DDDD-BB-DD-F/@node" for @bdf, "DDDD:BB:DD.F", into @buf.
 * Return: 0; -EINVAL when @bdf is not one function's address or @node is
 * empty or has a '/'; -ENAMETOOLONG when it does not fit.
 */
int xlrec_path(const char *bdf, const char *node, char *buf, size_t len);

/*
 * libxl's driver_path for driver @drv, "/sys/bus/pci/drivers/@drv".
 * Return: 0; -EINVAL for an empty name or one with a '/';
 * -ENAMETOOLONG when it does not fit.
 */
int xlrec_driver_path(const char *drv, char *buf, size_t len);

/*
 * The driver a driver_path value names: "/sys/bus/pci/drivers/NAME"
 * (one trailing '/' allowed) gives NAME.  Return: 0; -EINVAL for any
 * other value; -ENAMETOOLONG for a NAME of XLREC_DRIVER_MAX bytes or more.
 */
int xlrec_driver_of(const char *value, char *drv, size_t len);

/*
 * After a hide (not a dry run): driver_path of each function moved from a
 * host driver (@res[i].from_driver, pciback excluded).  Failures are
 * warnings.
 */
void xlrec_hidden(const struct pb_result *res, size_t n);

/*
 * Before an unhide: the fallback drivers to send with it
 * (pbnl_dev_op_fallback()): for each of @names, the driver libxl recorded
 * when it names a PCI driver loaded now (under @sysfs, "/sys" normally),
 * else NULL.  Problems are warnings.  Return: NULL when there is none (or
 * no memory), else @n entries in one allocation, for free().
 */
const char **xlrec_fallbacks(const char *sysfs, const char *const *names,
			     size_t n);

/* After an unhide (not a dry run): remove driver_path and name of each. */
void xlrec_unhidden(const struct pb_result *res, size_t n);

#endif /* PCIBACKCTL_XLREC_H */
