// SPDX-License-Identifier: GPL-2.0
/*
 * Glue to xen-pciback.  pciback_nl has no link-time dependency on it: the
 * driver is looked up by name when an operation needs it, and pinned with
 * a module reference for the length of that operation.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "pciback_nl.h"

#define PBNL_PCIBACK_REMOVE_SLOT \
	"/sys/bus/pci/drivers/" PBNL_PCIBACK_DRV_NAME "/remove_slot"

/**
 * pbnl_pciback_get() - find xen-pciback's driver and pin its module
 * @extack: receives the reason when it is not there
 *
 * Return: the driver, to be released with pbnl_pciback_put(), or an
 * ERR_PTR(-EOPNOTSUPP) when xen-pciback is not loaded.
 */
struct device_driver *pbnl_pciback_get(struct netlink_ext_ack *extack)
{
	struct device_driver *drv = driver_find(PBNL_PCIBACK_DRV_NAME,
						&pci_bus_type);

	if (!drv || !try_module_get(drv->owner)) {
		PBNL_SET_ERR_MSG_FMT(extack,
				     "xen-pciback is not loaded (modprobe xen-pciback)");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return drv;
}

void pbnl_pciback_put(struct device_driver *drv)
{
	module_put(drv->owner);
}

bool pbnl_held_by_pciback(struct pci_dev *pdev)
{
	struct device_driver *drv = READ_ONCE(pdev->dev.driver);

	return drv && !strcmp(drv->name, PBNL_PCIBACK_DRV_NAME);
}

/**
 * pbnl_pciback_forget_slot() - drop @pdev from xen-pciback's slot list
 * @pdev: a function xen-pciback does not hold (any more)
 *
 * xen-pciback adds a function to its slot list when it seizes it (through
 * new_slot, hide= or driver_override) and never removes it on release; a
 * stale entry makes it seize the function again on a later probe.  Its
 * only interface for removing one is the remove_slot driver attribute, so
 * that is what this writes.  "No such entry" is success.
 *
 * Return: 0 or a negative errno.
 */
int pbnl_pciback_forget_slot(struct pci_dev *pdev)
{
	const char *name = pci_name(pdev);
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	f = filp_open(PBNL_PCIBACK_REMOVE_SLOT, O_WRONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_write(f, name, strlen(name), &pos);
	filp_close(f, NULL);
	if (n == -ENOENT || n == (ssize_t)strlen(name))
		return 0;
	return n < 0 ? n : -EIO;
}
