// SPDX-License-Identifier: GPL-2.0
/*
 * Glue to xen-pciback.  pciback_nl has no link-time dependency on it: the
 * driver is looked up by name when an operation needs it, and pinned with
 * a module reference for the length of that operation.  Its slot list is
 * read and changed through its driver attributes (slots, new_slot,
 * remove_slot), the only interface it has for that.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "pciback_nl.h"

struct pbnl_drv_lookup {
	const char *name;
	struct device_driver *drv;
};

static int pbnl_drv_match(struct device_driver *drv, void *data)
{
	struct pbnl_drv_lookup *l = data;

	if (strcmp(drv->name, l->name))
		return 0;
	/*
	 * The bus's iterator holds a reference on this driver's node, and
	 * driver_unregister() waits for it (klist_remove()): neither the
	 * driver nor its module can go away before this returns.  A module
	 * already on its way out refuses the reference.
	 */
	if (try_module_get(drv->owner))
		l->drv = drv;
	return 1;
}

/**
 * pbnl_driver_get() - find a PCI driver by name and pin its module
 * @name: the driver's name
 *
 * Unlike driver_find() followed by try_module_get(), there is no window in
 * which the driver can be unregistered and its module freed between the
 * lookup and the reference.
 *
 * Return: the driver, to be released with pbnl_driver_put(), or NULL when
 * no such driver is registered (or its module is being unloaded).
 */
struct device_driver *pbnl_driver_get(const char *name)
{
	struct pbnl_drv_lookup l = { .name = name };

	bus_for_each_drv(&pci_bus_type, NULL, &l, pbnl_drv_match);
	return l.drv;
}

void pbnl_driver_put(struct device_driver *drv)
{
	module_put(drv->owner);
}

/**
 * pbnl_pciback_get() - find xen-pciback's driver and pin its module
 * @extack: receives the reason when it is not there
 *
 * Return: the driver, to be released with pbnl_pciback_put(), or an
 * ERR_PTR(-EOPNOTSUPP) when xen-pciback is not loaded.
 */
struct device_driver *pbnl_pciback_get(struct netlink_ext_ack *extack)
{
	struct device_driver *drv = pbnl_driver_get(PBNL_PCIBACK_DRV_NAME);

	if (!drv) {
		PBNL_SET_ERR_MSG_FMT(extack,
				     "xen-pciback is not loaded (modprobe xen-pciback)");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return drv;
}

void pbnl_pciback_put(struct device_driver *drv)
{
	pbnl_driver_put(drv);
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

#define PBNL_PCIBACK_SYSFS	"/sys/bus/pci/drivers/" PBNL_PCIBACK_DRV_NAME "/"

/* One read or write of a file of xen-pciback's driver directory. */
struct pbnl_slot_work {
	struct work_struct work;
	const char *file;	/* "remove_slot", "new_slot" or "slots" */
	const char *wbuf;	/* write this, or */
	char *rbuf;		/* read up to rlen - 1 bytes into this */
	size_t rlen;
	int open_err;		/* opening the file failed */
	ssize_t ret;
};

static void pbnl_slot_work_fn(struct work_struct *work)
{
	struct pbnl_slot_work *sw = container_of(work, struct pbnl_slot_work,
						 work);
	char path[64];
	struct file *f;
	loff_t pos = 0;

	snprintf(path, sizeof(path), PBNL_PCIBACK_SYSFS "%s", sw->file);
	f = filp_open(path, sw->wbuf ? O_WRONLY : O_RDONLY, 0);
	if (IS_ERR(f)) {
		sw->open_err = PTR_ERR(f);
		return;
	}
	if (sw->wbuf)
		sw->ret = kernel_write(f, sw->wbuf, strlen(sw->wbuf), &pos);
	else
		sw->ret = kernel_read(f, sw->rbuf, sw->rlen - 1, &pos);
	filp_close(f, NULL);
}

/*
 * Run @sw in a kernel worker: with the kernel's credentials and root, not
 * those of the process that sent the request (which may be in a chroot,
 * or see a read-only /sys).  Sleeps.
 */
static void pbnl_slot_work_run(struct pbnl_slot_work *sw)
{
	INIT_WORK_ONSTACK(&sw->work, pbnl_slot_work_fn);
	schedule_work(&sw->work);
	flush_work(&sw->work);
	destroy_work_on_stack(&sw->work);
}

/*
 * Write @pdev's name to xen-pciback's @file.  A file that cannot be opened
 * is an error; -ENOENT from the write is success when @enoent_ok.
 */
static int pbnl_slot_write(const char *file, struct pci_dev *pdev,
			   bool enoent_ok)
{
	struct pbnl_slot_work sw = { .file = file, .wbuf = pci_name(pdev) };

	pbnl_slot_work_run(&sw);
	if (sw.open_err)
		return sw.open_err;
	if ((enoent_ok && sw.ret == -ENOENT) ||
	    sw.ret == (ssize_t)strlen(sw.wbuf))
		return 0;
	return sw.ret < 0 ? sw.ret : -EIO;
}

/**
 * pbnl_pciback_forget_slot() - drop @pdev from xen-pciback's slot list
 * @pdev: a function xen-pciback does not hold (any more)
 *
 * xen-pciback adds a function to its slot list when it seizes it (through
 * new_slot, hide= or driver_override) and never removes it on release; a
 * stale entry makes it seize the function again on a later probe.  Its
 * only interface for removing one is the remove_slot driver attribute, so
 * that is what this writes.  "No such entry" (the write's -ENOENT) is
 * success; a remove_slot file that cannot be opened is not.  Sleeps.
 *
 * Return: 0 or a negative errno.
 */
int pbnl_pciback_forget_slot(struct pci_dev *pdev)
{
	return pbnl_slot_write("remove_slot", pdev, true);
}

/**
 * pbnl_pciback_add_slot() - put @pdev back on xen-pciback's slot list
 * @pdev: the function
 *
 * Writes new_slot, as "xl pci-assignable-add" would.  Used by a rollback to
 * restore an entry that existed before the operation.  Sleeps.
 *
 * Return: 0 or a negative errno.
 */
int pbnl_pciback_add_slot(struct pci_dev *pdev)
{
	return pbnl_slot_write("new_slot", pdev, false);
}

/**
 * pbnl_pciback_has_slot() - whether xen-pciback's slot list names @pdev
 * @pdev: the function
 *
 * Reads the slots driver attribute (one "DDDD:BB:DD.F" a line, a page at
 * most).  Sleeps.
 *
 * Return: 1, 0, or a negative errno.
 */
int pbnl_pciback_has_slot(struct pci_dev *pdev)
{
	struct pbnl_slot_work sw = { .file = "slots", .rlen = PAGE_SIZE };
	const char *name = pci_name(pdev);
	size_t len = strlen(name);
	char *line, *end;
	int found = 0;

	sw.rbuf = kmalloc(sw.rlen, GFP_KERNEL);
	if (!sw.rbuf)
		return -ENOMEM;
	pbnl_slot_work_run(&sw);
	if (sw.open_err || sw.ret < 0) {
		found = sw.open_err ? sw.open_err : sw.ret;
		goto out;
	}
	sw.rbuf[sw.ret] = '\0';
	for (line = sw.rbuf; *line; line = end + 1) {
		end = strchrnul(line, '\n');
		if (end - line == len && !strncmp(line, name, len)) {
			found = 1;
			break;
		}
		if (!*end)
			break;
	}
out:
	kfree(sw.rbuf);
	return found;
}
