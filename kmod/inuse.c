// SPDX-License-Identifier: GPL-2.0
/*
 * Is a PCI function in use by dom0?  An interface of it is up, a block
 * device on it is claimed (mounted, swap, held by dm/md/LVM), or it is the
 * boot VGA device.  Taking such a function away can hang or break dom0, so
 * dev-hide refuses it unless forced.
 *
 * Locking: the interface walk runs under RCU; the block device walk uses
 * the driver core's child iteration, which holds references.  Sleeps.
 */
#include <linux/blkdev.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/vgaarb.h>
#include <net/net_namespace.h>

#include "pciback_nl.h"

static bool pbnl_dev_is_below(struct device *dev, struct device *top)
{
	for (; dev; dev = dev->parent)
		if (dev == top)
			return true;
	return false;
}

static bool pbnl_netdev_up(struct pci_dev *pdev, char *why, size_t len)
{
	struct net_device *ndev;
	bool found = false;
	struct net *net;

	rcu_read_lock();
	for_each_net_rcu(net) {
		for_each_netdev_rcu(net, ndev) {
			if ((READ_ONCE(ndev->flags) & IFF_UP) &&
			    pbnl_dev_is_below(&ndev->dev, &pdev->dev)) {
				snprintf(why, len, "interface %s is up", ndev->name);
				found = true;
				goto out;
			}
		}
	}
out:
	rcu_read_unlock();
	return found;
}

struct pbnl_blk_walk {
	char *why;
	size_t len;
};

static int pbnl_blk_child(struct device *dev, void *data)
{
	struct pbnl_blk_walk *w = data;

	if (dev->class && !strcmp(dev->class->name, "block") &&
	    READ_ONCE(dev_to_bdev(dev)->bd_holder)) {
		snprintf(w->why, w->len,
			 "block device %s is in use",
			 dev_name(dev));
		return 1;
	}
	return device_for_each_child(dev, data, pbnl_blk_child);
}

/**
 * pbnl_dev_in_use() - whether dom0 uses @pdev
 * @pdev: the function
 * @why: receives the reason, e.g. "interface eth1 is up"
 * @len: size of @why
 *
 * Return: true when in use.
 */
bool pbnl_dev_in_use(struct pci_dev *pdev, char *why, size_t len)
{
	struct pbnl_blk_walk w = { .why = why, .len = len };

	if (pbnl_netdev_up(pdev, why, len))
		return true;
	if (device_for_each_child(&pdev->dev, &w, pbnl_blk_child))
		return true;
	if (vga_default_device() == pdev) {
		snprintf(why, len, "it is the boot VGA device");
		return true;
	}
	return false;
}
