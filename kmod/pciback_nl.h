/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pciback_nl internal interfaces.
 */
#ifndef PBNL_PCIBACK_NL_H
#define PBNL_PCIBACK_NL_H

#include <linux/pci.h>
#include <linux/types.h>
#include <net/genetlink.h>

#include <linux/pciback_nl.h>

#include "compat.h"

/* Name under which xen-pciback registers its PCI driver. */
#define PBNL_PCIBACK_DRV_NAME	"pciback"

/* dev.c: naming, lookup and description of PCI functions */
struct pbnl_bdf {
	u32 domain;
	u8 bus;
	u8 devfn;
};

int pbnl_parse_name(const char *name, struct pbnl_bdf *bdf);
u64 pbnl_dev_key(struct pci_dev *pdev);
struct pci_dev *pbnl_dev_get_by_attr(const struct nlattr *attr,
				     struct netlink_ext_ack *extack);
int pbnl_dev_fill(struct sk_buff *skb, struct pci_dev *pdev, u32 portid,
		  u32 seq, int flags, u8 cmd);

/* netlink.c: the generic netlink family */
extern struct genl_family pbnl_family;
int pbnl_netlink_init(void);
void pbnl_netlink_exit(void);

#endif /* PBNL_PCIBACK_NL_H */
