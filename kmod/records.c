// SPDX-License-Identifier: GPL-2.0
/*
 * The set of functions pciback_nl keeps for xen-pciback, with what each
 * had before (its driver and driver_override), and the bus notifier that
 * keeps them reserved.
 *
 * A hidden function keeps driver_override "pciback" until it is unhidden,
 * so no other driver binds it: not on a reprobe, not when its host driver
 * module is reloaded, and not after it leaves pciback by hand.  When a
 * function with a record is added to the bus (rescan, hotplug of the same
 * slot), the notifier sets driver_override again before the bus probes it.
 * Another tool may take a hidden function out of xen-pciback: xl
 * pci-assignable-remove (libxl__device_pci_assignable_remove() writes it
 * to pciback's unbind file, then, with -r, to the bind file of the driver
 * libxl recorded in xenstore, /libxl/pci/DDDD-BB-DD-F/driver_path), or a
 * write of pciback's unbind file.  Then the function is no longer kept
 * for pciback: its driver_override goes back to what it was before the
 * hide, so the driver that tool binds next can take it; its record stays
 * (a function hot-removed and added again, which also leaves pciback
 * this way, is reserved again) until a driver other than pciback binds
 * it, which drops the record: it is no longer hidden.  Not when
 * xen-pciback itself unloads (its functions stay reserved for it), nor
 * for the functions of our own operations (pbnl_op_has()).
 *
 * Records are keyed by (domain, bus, devfn), like xen-pciback's slot list,
 * and hold the function's vendor, device and subsystem IDs: a different
 * card found in a hidden function's slot is not seized; its record is
 * dropped, with a log line, and so is xen-pciback's slot entry (made when
 * it seized the hidden card; an entry of xen-pciback.hide= for that slot
 * goes too).
 *
 * When the module loads, it adopts every function whose driver_override is
 * "pciback": they were hidden before a module reload, or reserved by hand.
 * Their earlier driver is unknown; unhiding them lets the bus pick one.
 *
 * Locking: pbnl_recs_lock protects pbnl_recs.  It is held only around list
 * operations and copies, never across calls into the driver core, so the
 * notifier (called from device_add() in any context that adds devices,
 * including a driver's remove() during one of our operations) cannot
 * deadlock against an operation.  The driver core sends the bind and
 * unbind notifications under the device lock: their handlers take
 * pbnl_recs_lock inside it, and change driver_override with the _locked
 * helpers of compat.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "pciback_nl.h"

struct pbnl_rec {
	struct list_head node;
	u64 key;
	u16 vendor, device;	/* the function's IDs when recorded */
	u16 subsystem_vendor, subsystem_device;
	char *orig_driver;	/* NULL: none, or unknown */
	char *orig_override;	/* NULL: none, or unknown */
	bool known;		/* false: adopted at load, nothing recorded */
	bool reserved;		/* made by the "hide" parameter */
};

static LIST_HEAD(pbnl_recs);
static DEFINE_MUTEX(pbnl_recs_lock);

static bool pbnl_rec_same_card(const struct pbnl_rec *rec,
			       struct pci_dev *pdev)
{
	return rec->vendor == pdev->vendor && rec->device == pdev->device &&
	       rec->subsystem_vendor == pdev->subsystem_vendor &&
	       rec->subsystem_device == pdev->subsystem_device;
}

/* The record of @pdev's address, whatever card it was made for. */
static struct pbnl_rec *pbnl_rec_find_addr(struct pci_dev *pdev)
{
	struct pbnl_rec *rec;
	u64 key = pbnl_dev_key(pdev);

	lockdep_assert_held(&pbnl_recs_lock);
	list_for_each_entry(rec, &pbnl_recs, node)
		if (rec->key == key)
			return rec;
	return NULL;
}

/* The record of @pdev: its address, made for this card. */
static struct pbnl_rec *pbnl_rec_find(struct pci_dev *pdev)
{
	struct pbnl_rec *rec = pbnl_rec_find_addr(pdev);

	return rec && pbnl_rec_same_card(rec, pdev) ? rec : NULL;
}

static void pbnl_rec_free(struct pbnl_rec *rec)
{
	kfree(rec->orig_driver);
	kfree(rec->orig_override);
	kfree(rec);
}

/**
 * pbnl_rec_add() - remember that @pdev is hidden, and what it had before
 * @pdev: the function
 * @driver: its driver before, or NULL
 * @override: its driver_override before, or NULL
 * @known: whether @driver and @override were recorded (false: adopted)
 * @reserved: made by the "hide" parameter (boot-time reservation)
 *
 * Replaces an earlier record of the same function.  Return: 0 or -ENOMEM.
 */
int pbnl_rec_add(struct pci_dev *pdev, const char *driver,
		 const char *override, bool known, bool reserved)
{
	struct pbnl_rec *rec, *old;

	rec = kzalloc_obj(*rec, GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	rec->key = pbnl_dev_key(pdev);
	rec->vendor = pdev->vendor;
	rec->device = pdev->device;
	rec->subsystem_vendor = pdev->subsystem_vendor;
	rec->subsystem_device = pdev->subsystem_device;
	rec->known = known;
	rec->reserved = reserved;
	rec->orig_driver = kstrdup(driver, GFP_KERNEL);
	rec->orig_override = kstrdup(override, GFP_KERNEL);
	if ((driver && !rec->orig_driver) || (override && !rec->orig_override)) {
		pbnl_rec_free(rec);
		return -ENOMEM;
	}

	mutex_lock(&pbnl_recs_lock);
	old = pbnl_rec_find_addr(pdev);
	if (old)
		list_del(&old->node);
	list_add_tail(&rec->node, &pbnl_recs);
	mutex_unlock(&pbnl_recs_lock);
	if (old)
		pbnl_rec_free(old);
	return 0;
}

void pbnl_rec_del(struct pci_dev *pdev)
{
	struct pbnl_rec *rec;

	mutex_lock(&pbnl_recs_lock);
	rec = pbnl_rec_find_addr(pdev);
	if (rec)
		list_del(&rec->node);
	mutex_unlock(&pbnl_recs_lock);
	if (rec)
		pbnl_rec_free(rec);
}

/**
 * pbnl_rec_copy() - what was recorded for @pdev
 * @pdev: the function
 * @driver: a kmalloc'ed copy of the recorded driver, or NULL
 * @override: a kmalloc'ed copy of the recorded driver_override, or NULL
 *
 * Return: 1 when a record with known contents exists, 0 when there is none
 * or it was adopted, -ENOMEM.
 */
int pbnl_rec_copy(struct pci_dev *pdev, char **driver, char **override)
{
	struct pbnl_rec *rec;
	int ret = 0;

	*driver = NULL;
	*override = NULL;
	mutex_lock(&pbnl_recs_lock);
	rec = pbnl_rec_find(pdev);
	if (rec && rec->known) {
		*driver = kstrdup(rec->orig_driver, GFP_KERNEL);
		*override = kstrdup(rec->orig_override, GFP_KERNEL);
		ret = 1;
		if ((rec->orig_driver && !*driver) ||
		    (rec->orig_override && !*override))
			ret = -ENOMEM;
	}
	mutex_unlock(&pbnl_recs_lock);
	if (ret < 0) {
		kfree(*driver);
		kfree(*override);
		*driver = NULL;
		*override = NULL;
	}
	return ret;
}

bool pbnl_rec_exists(struct pci_dev *pdev)
{
	bool found;

	mutex_lock(&pbnl_recs_lock);
	found = pbnl_rec_find(pdev);
	mutex_unlock(&pbnl_recs_lock);
	return found;
}

/* The record's part of the "dev" object: hidden, orig-driver(-override). */
int pbnl_rec_put(struct sk_buff *skb, struct pci_dev *pdev)
{
	struct pbnl_rec *rec;
	int ret = 0;

	mutex_lock(&pbnl_recs_lock);
	rec = pbnl_rec_find(pdev);
	if (rec &&
	    (nla_put_flag(skb, PCIBACK_A_DEV_HIDDEN) ||
	     (rec->orig_driver &&
	      nla_put_string(skb, PCIBACK_A_DEV_ORIG_DRIVER, rec->orig_driver)) ||
	     (rec->orig_override &&
	      nla_put_string(skb, PCIBACK_A_DEV_ORIG_DRIVER_OVERRIDE,
			     rec->orig_override))))
		ret = -EMSGSIZE;
	mutex_unlock(&pbnl_recs_lock);
	return ret;
}

/**
 * pbnl_reserve_claim() - reserve @pdev for pciback as named by "hide"
 * @pdev: a function without a host driver
 *
 * Gives it a record (its earlier driver unknown: unhiding lets the bus
 * pick) and driver_override "pciback".  Return: 0 or a negative errno.
 */
int pbnl_reserve_claim(struct pci_dev *pdev)
{
	int ret = 0;

	if (!pbnl_rec_exists(pdev))
		ret = pbnl_rec_add(pdev, NULL, NULL, false, true);
	if (!ret)
		ret = pbnl_set_driver_override(pdev, PBNL_PCIBACK_DRV_NAME);
	if (ret)
		pci_warn(pdev, "hide: cannot reserve it for pciback: %d\n", ret);
	else
		pci_info(pdev, "hide: reserved for pciback\n");
	return ret;
}

/**
 * pbnl_reserve_release() - take back a reservation made by "hide"
 * @pdev: a reserved function that no driver holds yet
 *
 * Return: true when it was one (it is released now).
 */
bool pbnl_reserve_release(struct pci_dev *pdev)
{
	struct pbnl_rec *rec;
	bool was;

	mutex_lock(&pbnl_recs_lock);
	rec = pbnl_rec_find(pdev);
	was = rec && rec->reserved;
	if (was)
		list_del(&rec->node);
	mutex_unlock(&pbnl_recs_lock);
	if (!was)
		return false;
	pbnl_rec_free(rec);
	pbnl_set_driver_override(pdev, NULL);
	return true;
}

/* A record made for another card in this slot is dropped. */
static void pbnl_rec_drop_stale(struct pci_dev *pdev)
{
	struct pbnl_rec *rec;
	int ret;

	mutex_lock(&pbnl_recs_lock);
	rec = pbnl_rec_find_addr(pdev);
	if (rec && !pbnl_rec_same_card(rec, pdev))
		list_del(&rec->node);
	else
		rec = NULL;
	mutex_unlock(&pbnl_recs_lock);
	if (!rec)
		return;
	pci_warn(pdev, "hidden as %04x:%04x (%04x:%04x), now %04x:%04x (%04x:%04x): another card, not reserved; its record is dropped\n",
		 rec->vendor, rec->device, rec->subsystem_vendor,
		 rec->subsystem_device, pdev->vendor, pdev->device,
		 pdev->subsystem_vendor, pdev->subsystem_device);
	pbnl_rec_free(rec);
	/*
	 * xen-pciback put the slot on its list when it seized the card that
	 * was hidden, and seizes whatever the list names on the probe that
	 * follows this notification.
	 */
	ret = pbnl_pciback_forget_slot(pdev);
	if (ret && ret != -ENOENT)
		pci_warn(pdev, "cannot drop pciback's slot entry: %d\n", ret);
}

/*
 * BUS_NOTIFY_UNBIND_DRIVER, under the device lock, the driver still
 * bound: another tool takes a hidden function out of pciback (see the top
 * of the file), so it is no longer reserved for pciback.
 */
static void pbnl_rec_released(struct pci_dev *pdev)
{
	struct device_driver *drv = pdev->dev.driver;
	struct pbnl_rec *rec;
	char *override = NULL;
	bool found;
	int ret;

	if (!drv || strcmp(drv->name, PBNL_PCIBACK_DRV_NAME) ||
	    (drv->owner && !module_is_live(drv->owner)) ||
	    !pbnl_override_is_locked(pdev, PBNL_PCIBACK_DRV_NAME) ||
	    pbnl_op_has(pdev))
		return;
	mutex_lock(&pbnl_recs_lock);
	rec = pbnl_rec_find(pdev);
	found = rec;
	if (rec && rec->known && rec->orig_override)
		override = kstrdup(rec->orig_override, GFP_KERNEL);
	mutex_unlock(&pbnl_recs_lock);
	if (!found)
		return;
	/* Without memory for the copy, none rather than pciback. */
	ret = pbnl_set_driver_override_locked(pdev, override);
	if (ret)
		pci_warn(pdev, "released from pciback by another tool, but still reserved for it: %d\n",
			 ret);
	else
		pci_info(pdev, "released from pciback by another tool: no longer reserved for it\n");
	kfree(override);
}

/*
 * BUS_NOTIFY_BOUND_DRIVER, under the device lock: another tool gave a
 * hidden function to a driver other than pciback; it is not hidden any
 * more.
 */
static void pbnl_rec_taken(struct pci_dev *pdev)
{
	struct device_driver *drv = pdev->dev.driver;
	struct pbnl_rec *rec;

	if (!drv || !strcmp(drv->name, PBNL_PCIBACK_DRV_NAME) ||
	    pbnl_op_has(pdev))
		return;
	mutex_lock(&pbnl_recs_lock);
	rec = pbnl_rec_find_addr(pdev);
	if (rec)
		list_del(&rec->node);
	mutex_unlock(&pbnl_recs_lock);
	if (!rec)
		return;
	pci_info(pdev, "bound to %s by another tool: no longer hidden\n",
		 drv->name);
	pbnl_rec_free(rec);
}

static int pbnl_bus_notify(struct notifier_block *nb, unsigned long action,
			   void *data)
{
	struct pci_dev *pdev = to_pci_dev(data);
	int ret;

	if (action == BUS_NOTIFY_UNBIND_DRIVER) {
		pbnl_rec_released(pdev);
		return NOTIFY_OK;
	}
	if (action == BUS_NOTIFY_BOUND_DRIVER) {
		pbnl_rec_taken(pdev);
		return NOTIFY_OK;
	}
	if (action != BUS_NOTIFY_ADD_DEVICE)
		return NOTIFY_DONE;
	pbnl_rec_drop_stale(pdev);
	if (!pbnl_rec_exists(pdev)) {
		if (pbnl_reserve_wanted(pdev))
			pbnl_reserve_added(pdev);
		else
			pbnl_reserve_joined(pdev);
		return NOTIFY_OK;
	}
	ret = pbnl_set_driver_override(pdev, PBNL_PCIBACK_DRV_NAME);
	if (ret)
		pci_warn(pdev, "hidden, but cannot reserve it for pciback: %d\n",
			 ret);
	else
		pci_info(pdev, "hidden: reserved for pciback\n");
	return NOTIFY_OK;
}

static struct notifier_block pbnl_bus_nb = {
	.notifier_call = pbnl_bus_notify,
};

/* Adopt the functions reserved for pciback before this module loaded. */
static void pbnl_records_adopt(void)
{
	struct pci_dev *pdev = NULL;
	char *override;

	for_each_pci_dev(pdev) {
		if (pbnl_dup_driver_override(pdev, &override))
			continue;
		if (override && !strcmp(override, PBNL_PCIBACK_DRV_NAME) &&
		    !pbnl_rec_add(pdev, NULL, NULL, false, false))
			pci_info(pdev, "adopted as hidden (reserved for pciback)\n");
		kfree(override);
	}
}

int pbnl_records_init(void)
{
	int ret = bus_register_notifier(&pci_bus_type, &pbnl_bus_nb);

	if (ret)
		return ret;
	pbnl_records_adopt();
	return 0;
}

void pbnl_records_exit(void)
{
	struct pbnl_rec *rec, *tmp;

	bus_unregister_notifier(&pci_bus_type, &pbnl_bus_nb);
	list_for_each_entry_safe(rec, tmp, &pbnl_recs, node) {
		list_del(&rec->node);
		pbnl_rec_free(rec);
	}
}
