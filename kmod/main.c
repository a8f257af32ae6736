// SPDX-License-Identifier: GPL-2.0
/*
 * pciback_nl: generic netlink control of xen-pciback.
 *
 * The module works on any kernel: reading devices needs nothing from Xen.
 * Operations that need xen-pciback look its driver up when they run, so
 * xen-pciback may be loaded, unloaded and reloaded independently.
 *
 * Unloading keeps hidden functions on xen-pciback: they keep their
 * driver_override, and the next load adopts them (records.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "pciback_nl.h"

#ifndef PBNL_VERSION
#define PBNL_VERSION "0.1.0"
#endif

static int __init pbnl_init(void)
{
	int ret;

	ret = pbnl_reserve_parse();
	if (ret)
		return ret;
	ret = pbnl_hide_init();
	if (ret) {
		pr_err("cannot allocate a workqueue: %d\n", ret);
		pbnl_reserve_exit();
		return ret;
	}
	ret = pbnl_records_init();
	if (ret) {
		pr_err("cannot watch the PCI bus: %d\n", ret);
		pbnl_hide_exit();
		pbnl_reserve_exit();
		return ret;
	}
	pbnl_reserve_present();
	ret = pbnl_netlink_init();
	if (ret) {
		pr_err("cannot register generic netlink family %s: %d\n",
		       PCIBACK_FAMILY_NAME, ret);
		pbnl_records_exit();
		pbnl_hide_exit();
		pbnl_reserve_exit();
		return ret;
	}
	pr_info("version %s, generic netlink family %s\n", PBNL_VERSION,
		PCIBACK_FAMILY_NAME);
	return 0;
}

static void __exit pbnl_exit(void)
{
	pbnl_netlink_exit();
	pbnl_records_exit();
	pbnl_hide_exit();
	pbnl_reserve_exit();
}

module_init(pbnl_init);
module_exit(pbnl_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Generic netlink control of xen-pciback");
MODULE_VERSION(PBNL_VERSION);
MODULE_ALIAS_GENL_FAMILY(PCIBACK_FAMILY_NAME);
