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
#include <linux/workqueue.h>

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

/* Whether @pdev is bound to a driver named @name (NULL: to none). */
bool pbnl_bound_to(struct pci_dev *pdev, const char *name)
{
	struct device_driver *drv;
	bool same;

	device_lock(&pdev->dev);
	drv = pdev->dev.driver;
	same = name ? drv && !strcmp(drv->name, name) : !drv;
	device_unlock(&pdev->dev);
	return same;
}

bool pbnl_held_by_pciback(struct pci_dev *pdev)
{
	return pbnl_bound_to(pdev, PBNL_PCIBACK_DRV_NAME);
}

struct pbnl_slot_work {
	struct work_struct work;
	const char *name;
	ssize_t ret;
};

static void pbnl_forget_slot_work(struct work_struct *work)
{
	struct pbnl_slot_work *sw = container_of(work, struct pbnl_slot_work,
						 work);
	struct file *f;
	loff_t pos = 0;

	f = filp_open(PBNL_PCIBACK_REMOVE_SLOT, O_WRONLY, 0);
	if (IS_ERR(f)) {
		sw->ret = PTR_ERR(f);
		return;
	}
	sw->ret = kernel_write(f, sw->name, strlen(sw->name), &pos);
	filp_close(f, NULL);
}

/**
 * pbnl_pciback_forget_slot() - drop @pdev from xen-pciback's slot list
 * @pdev: a function xen-pciback does not hold (any more)
 *
 * xen-pciback adds a function to its slot list when it seizes it (through
 * new_slot, hide= or driver_override) and never removes it on release; a
 * stale entry makes it seize the function again on a later probe.  Its
 * only interface for removing one is the remove_slot driver attribute, so
 * that is what this writes.  "No such entry" is success.  Sleeps.
 *
 * Return: 0 or a negative errno.
 */
int pbnl_pciback_forget_slot(struct pci_dev *pdev)
{
	struct pbnl_slot_work sw = { .name = pci_name(pdev) };
	ssize_t n;

	/*
	 * The write runs in a kernel worker: with the kernel's credentials and
	 * root, not those of the process that sent the request (which may be
	 * in a chroot, or see a read-only /sys).
	 */
	INIT_WORK_ONSTACK(&sw.work, pbnl_forget_slot_work);
	schedule_work(&sw.work);
	flush_work(&sw.work);
	destroy_work_on_stack(&sw.work);
	n = sw.ret;
	if (n == -ENOENT || n == (ssize_t)strlen(sw.name))
		return 0;
	return n < 0 ? n : -EIO;
}
