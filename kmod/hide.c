// SPDX-License-Identifier: GPL-2.0
/*
 * dev-hide and dev-unhide: move a set of PCI functions to xen-pciback, or
 * back to dom0, all or nothing.
 *
 * Both are the same transaction: every function moves from its driver
 * ("before") to a target driver in four steps, each step taken for all
 * functions (in request order) before the next step begins:
 *
 *   1. driver_override := the target's name, so in the window below no
 *      other driver can bind the function, whatever triggers a probe;
 *   2. release the bound driver (and, if that was xen-pciback, drop the
 *      function from its slot list so it does not seize it again later);
 *   3. attach the target (for an unhide without a record: let the bus pick);
 *   4. driver_override := its final value ("pciback" while hidden; on
 *      unhide, the value recorded at hide time).
 *
 * If any step of any function fails, every function touched so far goes
 * back to its "before" driver and driver_override, in the same steps and in
 * reverse order, and the error names the function and the step.
 *
 * A function may be hot-removed while this runs (pciehp, a "remove" write):
 * only the reference held by the item keeps its struct alive.  Each step
 * checks first, and the whole move once more at its end, that every function
 * is still registered; when one is gone, the operation fails with ENODEV and
 * the others roll back.  Nothing is done to the removed one (a record it had
 * stays, so it is reserved again if it comes back).
 *
 * The release and attach steps, where the time goes (a host driver's remove
 * or probe, xen-pciback's reset of each function: 100 ms for an FLR), run
 * concurrently across functions that cannot disturb each other; see
 * pbnl_chain_key().  The steps stay ordered: the attach step begins only
 * when every release is done.
 *
 * Before any of that, under the same hold of the lock, the set is checked
 * to be whole co-assignment groups (pbnl_group_enforce(), coassign.c), each
 * function's "before" is recorded, and the reply messages are allocated.
 *
 * Locking: pbnl_op_lock serializes operations among themselves (the
 * family is parallel_ops, so genl_mutex is not held here and a long
 * operation does not stall other generic netlink users).  It is held across calls into the
 * driver core, which take device locks; nothing that runs under a device
 * lock takes pbnl_op_lock, so the order is always op lock, then device
 * locks.  Sleeps.  pbnl_cur_lock (a spinlock, innermost) guards
 * pbnl_cur_op, which the bus notifier reads under a device lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "fault.h"
#include "group.h"
#include "pciback_nl.h"

static DEFINE_MUTEX(pbnl_op_lock);

/*
 * The operation whose functions are moving, for the bus notifier
 * (records.c), which must tell our own binds and unbinds from other
 * tools'.  Set under pbnl_op_lock for the move, its rollback and its
 * commit, when the items no longer change; read under pbnl_cur_lock.
 */
static DEFINE_SPINLOCK(pbnl_cur_lock);
static struct pbnl_op *pbnl_cur_op;

static void pbnl_op_set_current(struct pbnl_op *op)
{
	spin_lock(&pbnl_cur_lock);
	pbnl_cur_op = op;
	spin_unlock(&pbnl_cur_lock);
}

/**
 * pbnl_op_has() - whether @pdev is moving in the running operation
 * @pdev: the function
 *
 * Return: true from the start of an operation's move to the end of its
 * commit (or rollback), for the functions it moves.
 */
bool pbnl_op_has(struct pci_dev *pdev)
{
	bool found = false;
	unsigned int i;

	spin_lock(&pbnl_cur_lock);
	for (i = 0; pbnl_cur_op && i < pbnl_cur_op->n && !found; i++)
		found = pbnl_cur_op->items[i].pdev == pdev;
	spin_unlock(&pbnl_cur_lock);
	return found;
}

/*
 * Add a warning to @it's, each ending in '\n' (one attribute each in the
 * reply); one that does not fit is left out.
 */
__printf(2, 3)
void pbnl_item_warn(struct pbnl_item *it, const char *fmt, ...)
{
	size_t len = strnlen(it->warning, sizeof(it->warning));
	size_t room = sizeof(it->warning) - len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(it->warning + len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n + 2 > room) {
		it->warning[len] = '\0';
		return;
	}
	it->warning[len + n] = '\n';
	it->warning[len + n + 1] = '\0';
}

/* Hot-removed since the operation took its reference. */
static bool pbnl_gone(struct pci_dev *pdev)
{
	return !device_is_registered(&pdev->dev);
}

static char *pbnl_driver_dup(struct pci_dev *pdev, int *err)
{
	char *name = NULL;

	*err = 0;
	device_lock(&pdev->dev);
	if (pdev->dev.driver) {
		name = kstrdup(pdev->dev.driver->name, GFP_KERNEL);
		if (!name)
			*err = -ENOMEM;
	}
	device_unlock(&pdev->dev);
	return name;
}

/* Release whatever is bound; forget pciback's slot entry if it was pciback. */
static void pbnl_release(struct pci_dev *pdev)
{
	bool was_pciback = pbnl_held_by_pciback(pdev);
	int ret;

	device_release_driver(&pdev->dev);
	if (was_pciback) {
		ret = pbnl_pciback_forget_slot(pdev);
		if (ret)
			pci_warn(pdev, "cannot drop pciback's slot entry: %d\n",
				 ret);
	}
}

/* How often an attach sets driver_override again after another writer. */
#define PBNL_ATTACH_TRIES	3

/*
 * Attach driver @name to @it's function (NULL: let the bus pick, which may
 * find none).  driver_override is what keeps other drivers off while the
 * operation runs, and it equals @name here; another writer of it (a tool,
 * a udev rule) can still change it in the window, and the bus then refuses
 * @name (the probe does not match: -ENODEV).  So when it no longer is
 * @name, it is set again and the attach retried, up to PBNL_ATTACH_TRIES
 * times, with a warning.
 * Return: 0 when @name is bound afterwards (or, for NULL, in any case).
 */
static int pbnl_attach(struct pbnl_item *it, const char *name)
{
	struct pci_dev *pdev = it->pdev;
	struct device_driver *drv;
	unsigned int tries;
	int ret;

	if (!name) {
		ret = device_attach(&pdev->dev);
		if (ret < 0)
			return ret;
		/* A stale slot entry would let xen-pciback win here. */
		return pbnl_held_by_pciback(pdev) ? -EBUSY : 0;
	}
	drv = pbnl_driver_get(name);
	if (!drv)
		return -ENOENT;
	for (tries = 1; ; tries++) {
		/*
		 * A probe triggered by someone else in the window may already
		 * have bound the target: driver_override lets nothing else
		 * match.
		 */
		ret = device_driver_attach(drv, &pdev->dev);
		if (pbnl_bound_to(pdev, name)) {
			ret = 0;
			break;
		}
		if (ret >= 0)
			ret = -ENXIO;
		if (tries == PBNL_ATTACH_TRIES || pbnl_gone(pdev) ||
		    pbnl_override_is(pdev, name))
			break;
		pci_warn(pdev, "driver_override changed by another writer; set to %s again\n",
			 name);
		if (tries == 1)
			pbnl_item_warn(it, "driver_override changed by another writer; set to %s again",
				       name);
		if (pbnl_set_driver_override(pdev, name))
			break;
	}
	pbnl_driver_put(drv);
	return ret;
}

static const char * const pbnl_step_names[] = {
	[PBNL_FAULT_RECORD] = "record",
	[PBNL_FAULT_OVERRIDE] = "driver_override",
	[PBNL_FAULT_RELEASE] = "release",
	[PBNL_FAULT_ATTACH] = "attach",
	[PBNL_FAULT_REATTACH] = "reattach",
};

/*
 * The move runs in phases, each over every item before the next begins:
 * lock all, release all, attach all, set the final driver_override of all.
 * So no driver is ever probed or removed while a sibling function is bound
 * to a different kind of driver than at the start or the end.  That
 * matters for USB: hcd-pci's companion walk reads the drvdata of every
 * USB function in the slot as a struct usb_hcd, whatever driver it is
 * bound to; with xen-pciback's drvdata there, an EHCI probe or remove
 * writes past that small allocation (seen as slab corruption on 6.1).
 * With the phases, an EHCI is only ever probed or removed while its
 * companions are bound to their host driver or to nothing.
 */
enum pbnl_phase {
	PBNL_PHASE_LOCK = 1,	/* driver_override := target */
	PBNL_PHASE_RELEASE,	/* bound driver released */
	PBNL_PHASE_ATTACH,	/* target attached */
	PBNL_PHASE_FINAL,	/* final driver_override set */
};

static int pbnl_phase_step(struct pbnl_item *it, unsigned int i,
			   enum pbnl_phase phase, enum pbnl_fault_step *step)
{
	struct pci_dev *pdev = it->pdev;
	int ret;

	*step = phase == PBNL_PHASE_RELEASE ? PBNL_FAULT_RELEASE :
		phase == PBNL_PHASE_ATTACH ? PBNL_FAULT_ATTACH :
		PBNL_FAULT_OVERRIDE;
	if (pbnl_gone(pdev))
		return -ENODEV;
	switch (phase) {
	case PBNL_PHASE_LOCK:
		ret = pbnl_fault(*step, i);
		if (ret)
			return ret;
		return pbnl_set_driver_override(pdev, it->attach_none ?
						it->target_override :
						it->target_driver);
	case PBNL_PHASE_RELEASE:
		ret = pbnl_fault(*step, i);
		if (ret || !it->before_driver)
			return ret;
		pbnl_release(pdev);
		if (!pbnl_bound_to(pdev, NULL) &&
		    !(it->target_driver && pbnl_bound_to(pdev, it->target_driver)))
			return -EBUSY;
		return 0;
	case PBNL_PHASE_ATTACH:
		ret = pbnl_fault(*step, i);
		if (ret || it->attach_none)
			return ret;
		return pbnl_attach(it, it->target_driver);
	case PBNL_PHASE_FINAL:
		return pbnl_set_driver_override(pdev, it->target_override);
	}
	return -EINVAL;
}

static struct workqueue_struct *pbnl_wq;

static bool concurrent = true;
module_param(concurrent, bool, 0644);
MODULE_PARM_DESC(concurrent,
		 "take the release and attach steps of independent functions concurrently (default: Y)");

/*
 * Functions with the same key take a step one after another, in request
 * order; different keys concurrently.  A function that can reset itself
 * alone (FLR, AF FLR, a device-specific or ACPI reset) shares a key with
 * the other functions of its slot, so a multifunction device still moves
 * one function at a time (drivers such as hcd-pci look at their siblings);
 * a VF has a key of its own; anything else may need a bus reset, and
 * shares a key with its whole bus.
 */
static u64 pbnl_chain_key(struct pci_dev *pdev)
{
	u64 key = (u64)pci_domain_nr(pdev->bus) << 24 | pdev->bus->number << 16;
	unsigned int k;

	if (pdev->is_virtfn)
		return key | BIT_ULL(8) | pdev->devfn;
	/* pm is left out: pci_reset_function() may fall back to a bus reset */
	for (k = 0; k < ARRAY_SIZE(pdev->reset_methods) &&
	     pdev->reset_methods[k]; k++) {
		if (pdev->reset_methods[k] < BITS_PER_LONG &&
		    (BIT(pdev->reset_methods[k]) & PBNL_RESET_FUNCTION_MASK &
		     ~BIT(PBNL_RESET_PM)))
			return key | BIT_ULL(9) | PCI_SLOT(pdev->devfn);
	}
	return key;
}

/*
 * Whether the set may take its steps concurrently: not when it holds a
 * bridge (its functions' own steps would race with theirs) or a PF with
 * VFs (its driver's remove usually destroys them).
 */
static bool pbnl_op_concurrent(struct pbnl_op *op)
{
	unsigned int i;

	if (op->n < 2 || !pbnl_wq || !READ_ONCE(concurrent))
		return false;
	for (i = 0; i < op->n; i++) {
		struct pci_dev *pdev = op->items[i].pdev;

		if (pdev->hdr_type != PCI_HEADER_TYPE_NORMAL ||
		    (pdev->is_physfn && pci_num_vf(pdev)))
			return false;
	}
	return true;
}

struct pbnl_chain {
	struct work_struct work;
	struct pbnl_op *op;
	enum pbnl_phase phase;
	unsigned int head;		/* its first item */
	atomic_t *pending;
	struct completion *done;
};

/* One phase for the items of one chain, in order, up to a failure. */
static void pbnl_chain_run(struct pbnl_op *op, enum pbnl_phase phase,
			   unsigned int head)
{
	unsigned int i;

	for (i = head; i < op->n; i++) {
		struct pbnl_item *it = &op->items[i];
		enum pbnl_fault_step step;

		if (it->chain != head)
			continue;
		it->err = pbnl_phase_step(it, i, phase, &step);
		it->err_step = step;
		if (it->err)
			return;
		it->stage = phase;
	}
}

static void pbnl_chain_work(struct work_struct *work)
{
	struct pbnl_chain *c = container_of(work, struct pbnl_chain, work);

	pbnl_chain_run(c->op, c->phase, c->head);
	if (atomic_dec_and_test(c->pending))
		complete(c->done);
}

/*
 * Take @phase for every item, each chain on the workqueue, and wait for
 * all.  Return: -ENOMEM when the chains cannot be queued (nothing was
 * done then); else 0, with each item's err set.
 */
static int pbnl_phase_concurrent(struct pbnl_op *op, enum pbnl_phase phase)
{
	DECLARE_COMPLETION_ONSTACK(done);
	struct pbnl_chain *chains;
	unsigned int i, n = 0;
	atomic_t pending;

	chains = kcalloc(op->n, sizeof(*chains), GFP_KERNEL);
	if (!chains)
		return -ENOMEM;
	atomic_set(&pending, 1);
	/*
	 * All results are cleared before the first chain is queued: a chain
	 * sets the result of every item it runs, and must not find it wiped
	 * by a later iteration of this loop.
	 */
	for (i = 0; i < op->n; i++)
		op->items[i].err = 0;
	for (i = 0; i < op->n; i++) {
		struct pbnl_chain *c = &chains[n];

		if (op->items[i].chain != i)
			continue;
		c->op = op;
		c->phase = phase;
		c->head = i;
		c->pending = &pending;
		c->done = &done;
		INIT_WORK(&c->work, pbnl_chain_work);
		atomic_inc(&pending);
		queue_work(pbnl_wq, &c->work);
		n++;
		pbnl_fault_queued();
	}
	if (!atomic_dec_and_test(&pending))
		wait_for_completion(&done);
	kfree(chains);
	return 0;
}

/*
 * Move every item to its target.  Return: 0, or the error with *@bad the
 * index of the item and *@step the step that failed.  Each item's stage
 * says which phases it has been through, for the rollback.
 */
static int pbnl_move_all(struct pbnl_op *op, bool hide, unsigned int *bad,
			 enum pbnl_fault_step *step)
{
	bool parallel = pbnl_op_concurrent(op);
	enum pbnl_phase phase;
	unsigned int i, j;
	int ret;

	for (i = 0; i < op->n; i++) {
		struct pbnl_item *it = &op->items[i];
		u64 key = pbnl_chain_key(it->pdev);

		it->chain = i;
		for (j = 0; j < i; j++) {
			if (pbnl_chain_key(op->items[j].pdev) == key) {
				it->chain = op->items[j].chain;
				break;
			}
		}
	}
	for (phase = PBNL_PHASE_LOCK; phase <= PBNL_PHASE_FINAL; phase++) {
		/* (Without memory for the chains, one by one.) */
		if (parallel && (phase == PBNL_PHASE_RELEASE ||
				 phase == PBNL_PHASE_ATTACH) &&
		    !pbnl_phase_concurrent(op, phase)) {
			/* The first failure in request order is the one. */
			for (i = 0; i < op->n; i++) {
				if (op->items[i].err) {
					*bad = i;
					*step = op->items[i].err_step;
					return op->items[i].err;
				}
			}
		} else {
			for (i = 0; i < op->n; i++) {
				ret = pbnl_phase_step(&op->items[i], i, phase,
						      step);
				if (ret) {
					*bad = i;
					return ret;
				}
				op->items[i].stage = phase;
			}
		}
		if (phase == PBNL_PHASE_RELEASE)
			pbnl_fault_window();
	}
	/* Removed after its last step: the set is not whole, undo it. */
	for (i = 0; i < op->n; i++) {
		if (pbnl_gone(op->items[i].pdev)) {
			*bad = i;
			return -ENODEV;
		}
	}
	return 0;
}

/*
 * Put every touched item back as it was before the operation, in the same
 * phases as a move (so the same ordering argument holds) and in reverse
 * order within each phase.  Return: true when all of them are back.
 */
static bool pbnl_restore_all(struct pbnl_op *op)
{
	unsigned int i, n = op->n;
	bool clean = true;
	int ret;

	/* Lock first, so no probe slips in. */
	for (i = n; i--;) {
		struct pbnl_item *it = &op->items[i];

		if (!it->stage || pbnl_gone(it->pdev))
			continue;
		ret = pbnl_set_driver_override(it->pdev, it->before_driver ?
					       it->before_driver :
					       it->before_override);
		it->lock_failed = ret;
	}
	for (i = n; i--;) {
		struct pbnl_item *it = &op->items[i];

		if (it->stage && !pbnl_gone(it->pdev) &&
		    (it->stage >= PBNL_PHASE_ATTACH ||
		     !pbnl_bound_to(it->pdev, it->before_driver)))
			pbnl_release(it->pdev);
	}
	for (i = n; i--;) {
		struct pbnl_item *it = &op->items[i];
		struct pci_dev *pdev = it->pdev;

		if (!it->stage || it->lock_failed || !it->before_driver ||
		    pbnl_gone(pdev) || pbnl_bound_to(pdev, it->before_driver))
			continue;
		ret = pbnl_fault(PBNL_FAULT_REATTACH, i);
		if (!ret)
			ret = pbnl_attach(it, it->before_driver);
		if (ret && pbnl_gone(pdev))
			continue;
		if (ret) {
			it->restore_failed = true;
			pci_err(pdev, "rollback: cannot reattach %s: %d\n",
				it->before_driver, ret);
			/*
			 * Last resort for a host device: some driver rather than
			 * none.  A device that was on pciback stays isolated.
			 */
			if (strcmp(it->before_driver, PBNL_PCIBACK_DRV_NAME)) {
				pbnl_set_driver_override(pdev, NULL);
				pbnl_attach(it, NULL);
			}
		}
	}
	for (i = n; i--;) {
		struct pbnl_item *it = &op->items[i];
		struct pci_dev *pdev = it->pdev;

		if (!it->stage)
			continue;
		if (pbnl_gone(pdev)) {
			/* Nothing to restore; its record (if any) stays. */
			pci_info(pdev, "removed during the operation\n");
			continue;
		}
		ret = pbnl_set_driver_override(pdev, it->before_override);
		if (ret || it->lock_failed) {
			it->restore_failed = true;
			pci_err(pdev, "rollback: cannot restore driver_override: %d\n",
				ret ? ret : it->lock_failed);
		}
		if (!it->before_driver && pbnl_held_by_pciback(pdev))
			pbnl_release(pdev);
		/* A slot entry from before (new_slot, hide=) comes back too. */
		if (it->had_slot > 0 && pbnl_pciback_has_slot(pdev) == 0) {
			ret = pbnl_pciback_add_slot(pdev);
			if (ret) {
				it->restore_failed = true;
				pci_err(pdev, "rollback: cannot restore xen-pciback's slot entry: %d\n",
					ret);
			}
		}
		pci_info(pdev, "rolled back to %s\n",
			 it->before_driver ? it->before_driver : "no driver");
		pbnl_notify(pdev, PCIBACK_EVENT_ROLLED_BACK);
		clean &= !it->restore_failed;
	}
	return clean;
}

static int pbnl_prepare_hide(struct pbnl_op *op, struct pbnl_item *it,
			     unsigned int i)
{
	struct netlink_ext_ack *extack = op->extack;
	struct pci_dev *pdev = it->pdev;
	char why[64];
	int ret;

	if (pdev->hdr_type == PCI_HEADER_TYPE_CARDBUS) {
		PBNL_SET_ERR_MSG_FMT(extack, "%s is a CardBus bridge",
				     pci_name(pdev));
		return -EINVAL;
	}
	if (pdev->hdr_type == PCI_HEADER_TYPE_BRIDGE &&
	    !(op->flags & PCIBACK_OP_FLAG_ALLOW_BRIDGE)) {
		PBNL_SET_ERR_MSG_FMT(extack, "%s is a bridge (allow-bridge to hide it)",
				     pci_name(pdev));
		return -EINVAL;
	}
	if (pbnl_held_by_pciback(pdev)) {
		PBNL_SET_ERR_MSG_FMT(extack, "%s is already held by pciback",
				     pci_name(pdev));
		return -EEXIST;
	}
	if (pdev->is_physfn && pci_num_vf(pdev) > 0) {
		/* Its driver's remove() usually destroys the VFs. */
		if (!(op->flags & PCIBACK_OP_FLAG_FORCE)) {
			PBNL_SET_ERR_MSG_FMT(extack, "%s: PF with %d VFs enabled (force)",
					     pci_name(pdev), pci_num_vf(pdev));
			return -EBUSY;
		}
		pbnl_item_warn(it, "forced: PF with %d VFs enabled",
			       pci_num_vf(pdev));
	}
	if (pbnl_dev_in_use(pdev, why, sizeof(why))) {
		if (!(op->flags & PCIBACK_OP_FLAG_FORCE)) {
			PBNL_SET_ERR_MSG_FMT(extack, "%s: %s (force to override)",
					     pci_name(pdev), why);
			return -EBUSY;
		}
		pbnl_item_warn(it, "forced: %s", why);
	}

	ret = pbnl_fault(PBNL_FAULT_RECORD, i);
	if (!ret)
		it->before_driver = pbnl_driver_dup(pdev, &ret);
	if (!ret)
		ret = pbnl_dup_driver_override(pdev, &it->before_override);
	if (!ret) {
		it->had_slot = pbnl_pciback_has_slot(pdev);
		ret = it->had_slot < 0 ? it->had_slot : 0;
	}
	if (ret) {
		PBNL_SET_ERR_MSG_FMT(extack, "%s: cannot record its driver: error %d",
				     pci_name(pdev), ret);
		return ret;
	}
	it->target_driver = PBNL_PCIBACK_DRV_NAME;
	it->target_override = PBNL_PCIBACK_DRV_NAME;
	return 0;
}

/*
 * Whether driver @name would take @pdev through its bind file, as libxl's
 * rebind does (xl pci-assignable-remove -r): by its ID table or the IDs
 * added with new_id.  driver_override decides that match too, so a
 * function that has one (reserved for pciback) is checked against the
 * static ID table only.  The attach itself goes through driver_override,
 * which matches any driver.
 */
static bool pbnl_driver_claims(struct pci_dev *pdev, const char *name)
{
	struct device_driver *drv = pbnl_driver_get(name);
	bool claims;

	if (!drv)
		return false;
	if (pbnl_override_is(pdev, NULL))
		claims = drv->bus->match(&pdev->dev, drv) > 0;
	else
		claims = pci_match_id(to_pci_driver(drv)->id_table, pdev);
	pbnl_driver_put(drv);
	return claims;
}

static int pbnl_prepare_unhide(struct pbnl_op *op, struct pbnl_item *it,
			       unsigned int i)
{
	struct netlink_ext_ack *extack = op->extack;
	struct pci_dev *pdev = it->pdev;
	int domid, ret;

	if (!pbnl_held_by_pciback(pdev) && !pbnl_rec_exists(pdev)) {
		PBNL_SET_ERR_MSG_FMT(extack, "%s is not held by pciback",
				     pci_name(pdev));
		return -EINVAL;
	}
	domid = pbnl_guest_domid(pdev);
	if (domid >= 0) {
		if (!(op->flags & PCIBACK_OP_FLAG_FORCE)) {
			PBNL_SET_ERR_MSG_FMT(extack,
					     "%s is assigned to domain %d (force to override)",
					     pci_name(pdev), domid);
			return -EBUSY;
		}
		pbnl_item_warn(it, "forced: taken from domain %d", domid);
	}

	ret = pbnl_fault(PBNL_FAULT_RECORD, i);
	if (!ret)
		it->before_driver = pbnl_driver_dup(pdev, &ret);
	if (!ret)
		ret = pbnl_dup_driver_override(pdev, &it->before_override);
	if (!ret) {
		ret = pbnl_rec_copy(pdev, &it->rec_driver, &it->rec_override);
		it->has_record = ret > 0;
		ret = ret < 0 ? ret : 0;
	}
	if (!ret) {
		it->had_slot = pbnl_pciback_has_slot(pdev);
		ret = it->had_slot < 0 ? it->had_slot : 0;
	}
	if (ret) {
		PBNL_SET_ERR_MSG_FMT(extack, "%s: cannot read its record: error %d",
				     pci_name(pdev), ret);
		return ret;
	}
	/*
	 * Without a record, the request's fallback driver (libxl's record,
	 * say) or else the bus picks, and no override is left behind.  A
	 * record of "no driver" leaves it unbound.
	 */
	it->target_driver = it->rec_driver;
	it->target_override = it->rec_override;
	it->attach_none = it->has_record && !it->rec_driver;
	if (!it->has_record && it->fallback) {
		if (!pbnl_driver_claims(pdev, it->fallback)) {
			PBNL_SET_ERR_MSG_FMT(extack,
					     "%s: fallback driver %s does not claim it (not in its IDs)",
					     pci_name(pdev), it->fallback);
			return -EINVAL;
		}
		it->target_driver = it->fallback;
	}
	return 0;
}

static int pbnl_commit(struct pbnl_op *op, struct pbnl_item *it)
{
	bool hide = op->cmd == PCIBACK_CMD_DEV_HIDE;
	char *drv = it->before_driver, *ovr = it->before_override;
	bool known = true;
	int ret;

	if (!hide) {
		pbnl_rec_del(it->pdev);
		return 0;
	}
	/* Re-hiding a function that left pciback by hand: keep the record. */
	ret = pbnl_rec_copy(it->pdev, &it->rec_driver, &it->rec_override);
	if (ret > 0) {
		drv = it->rec_driver;
		ovr = it->rec_override;
	} else if (pbnl_rec_exists(it->pdev)) {
		known = false;
	}
	return pbnl_rec_add(it->pdev, drv, ovr, known, false);
}

/**
 * pbnl_op_run() - run a dev-hide or dev-unhide transaction
 * @op: the operation; its items are prepared and moved in order
 *
 * Return: 0 when every item moved (or, for a dry run, would move), else a
 * negative errno with op->extack set; nothing is changed then.
 */
int pbnl_op_run(struct pbnl_op *op)
{
	bool hide = op->cmd == PCIBACK_CMD_DEV_HIDE;
	enum pbnl_fault_step step = PBNL_FAULT_RECORD;
	struct device_driver *pciback;
	unsigned int i, bad = 0;
	int ret = 0;

	pciback = pbnl_pciback_get(op->extack);
	if (IS_ERR(pciback))
		return PTR_ERR(pciback);

	mutex_lock(&pbnl_op_lock);
	/*
	 * The group check, the record of each function's driver and the move
	 * happen under one hold of the lock: no other operation can change
	 * what the check saw before the move.
	 */
	ret = pbnl_group_enforce(op);
	if (ret)
		goto out;
	for (i = 0; i < op->n; i++) {
		ret = hide ? pbnl_prepare_hide(op, &op->items[i], i) :
			     pbnl_prepare_unhide(op, &op->items[i], i);
		if (ret)
			goto out;
	}
	/* Once functions moved, replying must not fail for want of memory. */
	ret = pbnl_op_reply_alloc(op);
	if (ret) {
		PBNL_SET_ERR_MSG_FMT(op->extack, "out of memory for the reply");
		goto out;
	}
	if (op->flags & PCIBACK_OP_FLAG_DRY_RUN)
		goto out;

	pbnl_op_set_current(op);
	ret = pbnl_move_all(op, hide, &bad, &step);
	if (ret) {
		unsigned int touched = 0;
		bool clean, gone;
		int err = ret;

		for (i = 0; i < op->n; i++)
			touched += op->items[i].stage > 0 || i == bad;
		gone = err == -ENODEV && pbnl_gone(op->items[bad].pdev);
		if (gone)
			pci_warn(op->items[bad].pdev,
				 "%s: removed; rolling back %u device(s)\n",
				 hide ? "hide" : "unhide", touched);
		else
			pci_warn(op->items[bad].pdev,
				 "%s: %s failed: %d; rolling back %u device(s)\n",
				 hide ? "hide" : "unhide",
				 pbnl_step_names[step], ret, touched);
		/* The failed step may have changed something before failing. */
		if (!op->items[bad].stage)
			op->items[bad].stage = PBNL_PHASE_LOCK;
		clean = pbnl_restore_all(op);
		if (gone)
			PBNL_SET_ERR_MSG_FMT(op->extack,
					     "%s was removed during the %s, %s",
					     pci_name(op->items[bad].pdev),
					     hide ? "hide" : "unhide",
					     clean ? "the rest rolled back" :
					     "not all rolled back");
		else
			PBNL_SET_ERR_MSG_FMT(op->extack, "%s: %s failed (%d), %s",
					     pci_name(op->items[bad].pdev),
					     pbnl_step_names[step], err,
					     clean ? "all rolled back" :
					     "not all rolled back");
		goto out;
	}

	for (i = 0; i < op->n; i++) {
		struct pbnl_item *it = &op->items[i];

		if (pbnl_commit(op, it)) {
			pci_warn(it->pdev, "out of memory for its record\n");
			pbnl_item_warn(it,
				       "no record kept: not reserved after a rescan");
		}
		pci_info(it->pdev, "%s: %s -> %s\n", hide ? "hidden" : "unhidden",
			 it->before_driver ? it->before_driver : "(none)",
			 it->target_driver ? it->target_driver : "(bus)");
		pbnl_notify(it->pdev, hide ? PCIBACK_EVENT_HIDDEN :
					     PCIBACK_EVENT_UNHIDDEN);
	}
out:
	pbnl_op_set_current(NULL);
	/* What is bound now, copied while the drivers are pinned. */
	for (i = 0; !ret && i < op->n; i++) {
		struct pbnl_item *it = &op->items[i];

		it->after_driver = pbnl_driver_dup(it->pdev, &ret);
		if (ret)
			ret = 0;	/* the reply omits it then */
	}
	mutex_unlock(&pbnl_op_lock);
	pbnl_pciback_put(pciback);
	return ret;
}

int pbnl_hide_init(void)
{
	/* Unbound: a probe sleeps (an FLR waits 100 ms); up to 256 chains. */
	pbnl_wq = alloc_workqueue("pciback_nl", WQ_UNBOUND, 0);
	return pbnl_wq ? 0 : -ENOMEM;
}

void pbnl_hide_exit(void)
{
	destroy_workqueue(pbnl_wq);
}

void pbnl_op_free(struct pbnl_op *op)
{
	unsigned int i;

	for (i = 0; i < op->n; i++) {
		struct pbnl_item *it = &op->items[i];

		kfree(it->before_driver);
		kfree(it->before_override);
		kfree(it->rec_driver);
		kfree(it->rec_override);
		kfree(it->after_driver);
		kfree_skb(it->reply);
		pci_dev_put(it->pdev);
	}
	kfree(op->items);
}
