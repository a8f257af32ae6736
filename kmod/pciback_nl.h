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
int pbnl_dev_put(struct sk_buff *skb, struct pci_dev *pdev, bool intr);
int pbnl_dev_fill(struct sk_buff *skb, struct pci_dev *pdev, u32 portid,
		  u32 seq, int flags, u8 cmd, u32 event, bool intr);
size_t pbnl_dev_size(struct pci_dev *pdev);

/* netlink.c: the generic netlink family */
extern struct genl_family pbnl_family;
int pbnl_netlink_init(void);
void pbnl_netlink_exit(void);
void pbnl_notify(struct pci_dev *pdev, u32 event);
struct pbnl_op;
int pbnl_op_parse(struct pbnl_op *op, struct genl_info *info, int name_type);

/* coassign.c: group-get, and the group rules of moves and reservations */
int pbnl_group_doit(struct sk_buff *skb, struct genl_info *info);
int pbnl_group_enforce(struct pbnl_op *op);
bool pbnl_usb_companion(struct pci_dev *pdev);
int pbnl_group_reservable(struct pci_dev *pdev,
			  bool (*wanted)(struct pci_dev *pdev),
			  char *why, size_t len);
int pbnl_group_reserved_peers(struct pci_dev *pdev,
			      struct pci_dev **peers, int max);

/* pciback.c: xen-pciback, found at run time */
struct device_driver *pbnl_driver_get(const char *name);
void pbnl_driver_put(struct device_driver *drv);
struct device_driver *pbnl_pciback_get(struct netlink_ext_ack *extack);
void pbnl_pciback_put(struct device_driver *drv);
bool pbnl_bound_to(struct pci_dev *pdev, const char *name);
bool pbnl_held_by_pciback(struct pci_dev *pdev);
int pbnl_pciback_forget_slot(struct pci_dev *pdev);
int pbnl_pciback_add_slot(struct pci_dev *pdev);
int pbnl_pciback_has_slot(struct pci_dev *pdev);

/* records.c: hidden functions and what they had before */
int pbnl_rec_add(struct pci_dev *pdev, const char *driver,
		 const char *override, bool known, bool reserved);
void pbnl_rec_del(struct pci_dev *pdev);
int pbnl_rec_copy(struct pci_dev *pdev, char **driver, char **override);
bool pbnl_rec_exists(struct pci_dev *pdev);
int pbnl_rec_put(struct sk_buff *skb, struct pci_dev *pdev);
int pbnl_reserve_claim(struct pci_dev *pdev);
bool pbnl_reserve_release(struct pci_dev *pdev);
int pbnl_records_init(void);
void pbnl_records_exit(void);

/* reserve.c: the "hide" module parameter (boot-time reservation) */
int pbnl_reserve_parse(void);
bool pbnl_reserve_wanted(struct pci_dev *pdev);
void pbnl_reserve_present(void);
void pbnl_reserve_added(struct pci_dev *pdev);
void pbnl_reserve_joined(struct pci_dev *pdev);
void pbnl_reserve_exit(void);

/* inuse.c */
bool pbnl_dev_in_use(struct pci_dev *pdev, char *why, size_t len);

/* hide.c: the dev-hide / dev-unhide transaction */
#define PBNL_OP_MAX_DEVS	256
/* Longest driver name a request may give (fallback), with the NUL. */
#define PBNL_DRIVER_NAME_MAX	64

struct pbnl_item {
	struct pci_dev *pdev;
	char *before_driver;		/* bound at the start, or NULL */
	char *before_override;		/* driver_override at the start */
	char *rec_driver;		/* unhide: recorded at hide time */
	char *rec_override;
	bool has_record;
	char *after_driver;		/* bound when the operation ended */
	const char *target_driver;	/* NULL: the bus picks, or none */
	bool attach_none;		/* target is "no driver" (recorded) */
	const char *target_override;	/* final driver_override */
	const char *fallback;		/* unhide without a record: this driver */
	int stage;			/* phases done, for the rollback */
	unsigned int chain;		/* first item of its chain */
	int err;			/* a concurrent phase's result */
	int err_step;			/* enum pbnl_fault_step of err */
	int lock_failed;		/* rollback: driver_override error */
	bool restore_failed;
	int had_slot;			/* on xen-pciback's slot list at the start */
	struct sk_buff *reply;		/* its reply message, allocated before the move */
	char warning[240];		/* force overrode, attach redid; '\n' after each */
};

struct pbnl_op {
	u8 cmd;				/* PCIBACK_CMD_DEV_HIDE or _UNHIDE */
	u32 flags;			/* enum pciback_op_flags */
	struct netlink_ext_ack *extack;
	struct genl_info *info;		/* the request, for the replies */
	struct pbnl_item *items;
	unsigned int n;
};

int pbnl_op_run(struct pbnl_op *op);
bool pbnl_op_has(struct pci_dev *pdev);
int pbnl_op_reply_alloc(struct pbnl_op *op);
int pbnl_hide_init(void);
void pbnl_hide_exit(void);
__printf(2, 3)
void pbnl_item_warn(struct pbnl_item *it, const char *fmt, ...);
void pbnl_op_free(struct pbnl_op *op);

#endif /* PBNL_PCIBACK_NL_H */
