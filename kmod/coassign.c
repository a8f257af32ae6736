// SPDX-License-Identifier: GPL-2.0
/*
 * Co-assignment: a snapshot of the PCI topology for the engine in group.c,
 * taken from struct pci_dev and config space; the group-get request; and
 * the group rules every move and every boot-time reservation obeys.
 *
 * The engine is plain C shared with the userspace unit tests; this file is
 * the kernel's feed.  The ACS and alias helpers of the PCI core
 * (pci_acs_enabled(), pci_dev_specific_acs_enabled(), pci_real_dma_dev(),
 * pci_for_each_dma_alias()) are not exported to modules, so the snapshot
 * carries the facts they look at (ACS capability and control registers,
 * vendor and device IDs for the quirk table, alias flags and masks, reset
 * methods, the VMD endpoint) and the engine (group.c, acs.c) makes the
 * same decisions.
 *
 * A move never splits a group (pbnl_group_enforce()): a dev-hide takes the
 * whole group to xen-pciback, a dev-unhide gives the whole held group back.
 * Force may override that, with a warning, except for the USB companion
 * controllers of one slot (UHCI/OHCI with their EHCI): hcd-pci's companion
 * walk (drivers/usb/core/hcd-pci.c, for_each_companion()) reads the drvdata
 * of every such sibling as a struct usb_hcd whatever driver holds it, so a
 * host driver probed or removed next to a sibling on xen-pciback writes
 * into xen-pciback's data.  That is memory corruption, which no flag may
 * allow.
 *
 * Locking: none of our own.  The snapshot holds a reference on every
 * function until it is freed; it is a point-in-time view.  The enforcement
 * runs under the operation lock of hide.c.  Sleeps.
 */
#include <linux/pci.h>
#include <linux/pci_hotplug.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "group.h"
#include "pciback_nl.h"

struct pbnl_snap {
	struct pbnl_topo topo;
	struct pbnl_topo_fn *fn;
	struct pci_dev **pdev;
	int nr;
};

static int pbnl_snap_index(const struct pbnl_snap *s, struct pci_dev *pdev)
{
	int i;

	for (i = 0; pdev && i < s->nr; i++)
		if (s->pdev[i] == pdev)
			return i;
	return -1;
}

static void pbnl_snap_free(struct pbnl_snap *s)
{
	int i;

	for (i = 0; i < s->nr; i++)
		pci_dev_put(s->pdev[i]);
	kvfree(s->pdev);
	kvfree(s->fn);
	s->pdev = NULL;
	s->fn = NULL;
	s->nr = 0;
}

/* The function that is bus->self of the nearest non-virtual bus above. */
static struct pci_dev *pbnl_upstream(struct pci_dev *pdev)
{
	struct pci_bus *bus = pdev->bus;

	while (bus && !bus->self && !pci_is_root_bus(bus))
		bus = bus->parent;
	return bus ? bus->self : NULL;
}

/*
 * The facts of one function.  What lies below a bridge is not read here
 * (pdev->subordinate may change under a rescan, and the engine finds the
 * tree through each function's upstream bridge).
 */
static void pbnl_snap_fill(struct pbnl_snap *s, int i)
{
	struct pci_dev *pdev = s->pdev[i], *dma;
	struct pbnl_topo_fn *f = &s->fn[i];
	u16 cap = 0, ctrl = 0;
	u32 cap_dw = 0, ctrl_dw = 0;
	unsigned int k;

	f->domain = pci_domain_nr(pdev->bus);
	f->bus = pdev->bus->number;
	f->devfn = pdev->devfn;
	f->vendor = pdev->vendor;
	f->device = pdev->device;
	f->hdr_type = pdev->hdr_type;
	f->upstream = pbnl_snap_index(s, pbnl_upstream(pdev));
	f->physfn = -1;
	f->real_dma = -1;
	dma = pbnl_real_dma_dev(pdev);
	if (dma != pdev)
		f->real_dma = pbnl_snap_index(s, dma);
	if (pci_is_root_bus(pdev->bus))
		f->flags |= PBNL_TOPO_ROOT_BUS;
	if (pci_is_pcie(pdev)) {
		f->flags |= PBNL_TOPO_PCIE;
		f->pcie_type = pci_pcie_type(pdev);
	}
	if (pdev->multifunction)
		f->flags |= PBNL_TOPO_MULTIFUNCTION;
	if (pdev->acs_cap) {
		f->flags |= PBNL_TOPO_ACS_CAP;
		pci_read_config_word(pdev, pdev->acs_cap + PCI_ACS_CAP, &cap);
		pci_read_config_word(pdev, pdev->acs_cap + PCI_ACS_CTRL, &ctrl);
		/* as pci_quirk_intel_spt_pch_acs() reads them */
		pci_read_config_dword(pdev, pdev->acs_cap + PCI_ACS_CAP, &cap_dw);
		pci_read_config_dword(pdev, pdev->acs_cap + PCI_ACS_CAP + 4,
				      &ctrl_dw);
		f->acs_cap = cap;
		f->acs_ctrl = ctrl;
		f->acs_cap_dw = cap_dw;
		f->acs_ctrl_dw = ctrl_dw;
	}
	if (pdev->dev_flags & PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS)
		f->flags |= PBNL_TOPO_PCIE_BRIDGE_ALIAS;
	if (pdev->dev_flags & PCI_DEV_FLAGS_BRIDGE_XLATE_ROOT)
		f->flags |= PBNL_TOPO_BRIDGE_XLATE_ROOT;
	if (pdev->dev_flags & PCI_DEV_FLAGS_NO_BUS_RESET)
		f->flags |= PBNL_TOPO_NO_BUS_RESET;
	if (pdev->dev_flags & PCI_DEV_FLAGS_ACS_ENABLED_QUIRK)
		f->flags |= PBNL_TOPO_ACS_ENABLED_QUIRK;
	/* pci_reset_hotplug_slot() needs a hotplug driver that can reset */
	if (pdev->slot && pdev->slot->hotplug && pdev->slot->hotplug->ops &&
	    pdev->slot->hotplug->ops->reset_slot)
		f->flags |= PBNL_TOPO_HOTPLUG_SLOT;
	if ((pdev->class >> 8) == PCI_CLASS_BRIDGE_HOST)
		f->flags |= PBNL_TOPO_HOST_BRIDGE;
	if (pdev->is_virtfn) {
		f->flags |= PBNL_TOPO_VF;
		f->physfn = pbnl_snap_index(s, pci_physfn(pdev));
	}
	if (pdev->is_physfn) {
		f->flags |= PBNL_TOPO_PF;
		f->num_vfs = pci_num_vf(pdev);
	}
	for (k = 0; k < ARRAY_SIZE(pdev->reset_methods) &&
	     pdev->reset_methods[k]; k++)
		if (pdev->reset_methods[k] < 8)
			f->reset_methods |= BIT(pdev->reset_methods[k]);
	if (pdev->dma_alias_mask)
		for (k = 0; k < 256; k++)
			if (test_bit(k, pdev->dma_alias_mask))
				f->dma_alias_mask[k / 64] |= 1ULL << (k % 64);
}

static int pbnl_ptr_cmp(const void *a, const void *b)
{
	const struct pci_dev *x = *(struct pci_dev * const *)a;
	const struct pci_dev *y = *(struct pci_dev * const *)b;

	return x < y ? -1 : x > y;
}

/*
 * A walk of the device list that runs into a hot-removal restarts from
 * where the removed function was and can return a function twice: keep
 * the first of each, in order.  Return: the new count.
 */
static int pbnl_snap_dedup(struct pbnl_snap *s)
{
	struct pci_dev **sorted;
	int i, j, n = 0;

	sorted = kvmalloc_array(s->nr ? s->nr : 1, sizeof(*sorted), GFP_KERNEL);
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, s->pdev, s->nr * sizeof(*sorted));
	sort(sorted, s->nr, sizeof(*sorted), pbnl_ptr_cmp, NULL);
	for (i = 1; i < s->nr && sorted[i] != sorted[i - 1]; i++)
		;
	if (i < s->nr) {
		/* rare: quadratic, keeping the first of each */
		for (i = 0; i < s->nr; i++) {
			for (j = 0; j < n; j++)
				if (s->pdev[j] == s->pdev[i])
					break;
			if (j < n)
				pci_dev_put(s->pdev[i]);
			else
				s->pdev[n++] = s->pdev[i];
		}
		s->nr = n;
	}
	kvfree(sorted);
	return 0;
}

/* Every PCI function, in the order the bus lists them (probe order). */
static int pbnl_snap_take(struct pbnl_snap *s)
{
	struct pci_dev *pdev = NULL;
	int cap = 0, i, ret;

	memset(s, 0, sizeof(*s));
	for_each_pci_dev(pdev)
		cap++;
	s->fn = kvcalloc(cap ? cap : 1, sizeof(*s->fn), GFP_KERNEL);
	s->pdev = kvcalloc(cap ? cap : 1, sizeof(*s->pdev), GFP_KERNEL);
	if (!s->fn || !s->pdev) {
		pbnl_snap_free(s);
		return -ENOMEM;
	}
	for_each_pci_dev(pdev) {
		if (s->nr == cap) {
			pci_dev_put(pdev);	/* added since counting */
			break;
		}
		s->pdev[s->nr++] = pci_dev_get(pdev);
	}
	ret = pbnl_snap_dedup(s);
	if (ret) {
		pbnl_snap_free(s);
		return ret;
	}
	for (i = 0; i < s->nr; i++) {
		pbnl_snap_fill(s, i);
		if (!(i % 64))
			cond_resched();
	}
	s->topo.fn = s->fn;
	s->topo.nr = s->nr;
	s->topo.platform = pbnl_acpi_has_ivrs() ? PBNL_PLAT_ACPI_IVRS : 0;
	return 0;
}

/*
 * The closure of @req (topology indices) in @s, with the caller's member
 * array of s->nr entries.  Return: 0 or a negative errno.
 */
static int pbnl_snap_closure(struct pbnl_snap *s, const int *req, int nr_req,
			     struct pbnl_group_result *res,
			     struct pbnl_group_member *members, s32 *pos)
{
	memset(res, 0, sizeof(*res));
	res->members = members;
	res->max = s->nr;
	res->pos = pos;
	return pbnl_group_closure(&s->topo, req, nr_req, PBNL_GROUP_OPT_DEFAULT,
				  res);
}

static int pbnl_put_member(struct sk_buff *skb, const struct pbnl_snap *s,
			   const struct pbnl_group_member *m)
{
	struct nlattr *nest;
	char reason[128];
	int rule;

	nest = nla_nest_start(skb, PCIBACK_A_GROUP_MEMBER);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(skb, PCIBACK_A_MEMBER_NAME, pci_name(s->pdev[m->idx])) ||
	    nla_put_u32(skb, PCIBACK_A_MEMBER_RULES, m->rules))
		return -EMSGSIZE;
	for (rule = 0; rule < PBNL_GROUP_NR_RULES; rule++) {
		if (!(m->rules & BIT(rule)))
			continue;
		pbnl_group_reason(&s->topo, m, rule, reason, sizeof(reason));
		if (nla_put_string(skb, PCIBACK_A_MEMBER_REASON, reason))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int pbnl_put_verdict(struct sk_buff *skb, const struct pbnl_snap *s,
			    const struct pbnl_group_result *res)
{
	char buf[128], name[32];
	int v;

	if (nla_put_u32(skb, PCIBACK_A_GROUP_VERDICT, res->verdict))
		return -EMSGSIZE;
	for (v = 0; v < PBNL_GROUP_NR_VERDICTS; v++) {
		if (!(res->verdict & BIT(v)))
			continue;
		pbnl_group_name(&s->topo, res->verdict_dev[v], name, sizeof(name));
		snprintf(buf, sizeof(buf), "%s: %s", name,
			 pbnl_group_verdict_str(v));
		if (nla_put_string(skb, PCIBACK_A_GROUP_VERDICT_REASON, buf))
			return -EMSGSIZE;
	}
	return 0;
}

/* The engine's member array and position index for a snapshot. */
struct pbnl_scratch {
	struct pbnl_group_member *members;
	s32 *pos;
};

static int pbnl_scratch_alloc(struct pbnl_scratch *sc, int nr)
{
	sc->members = kvcalloc(nr ? nr : 1, sizeof(*sc->members), GFP_KERNEL);
	sc->pos = kvcalloc(nr ? nr : 1, sizeof(*sc->pos), GFP_KERNEL);
	if (sc->members && sc->pos)
		return 0;
	kvfree(sc->members);
	kvfree(sc->pos);
	return -ENOMEM;
}

static void pbnl_scratch_free(struct pbnl_scratch *sc)
{
	kvfree(sc->members);
	kvfree(sc->pos);
}

/*
 * The in-use verdict, for the members only: the check walks every network
 * interface and block device, so it is not run for the whole topology.
 */
static void pbnl_judge_in_use(struct pbnl_snap *s, struct pbnl_group_result *res)
{
	char why[64];
	int i;

	for (i = 0; i < res->nr; i++) {
		int idx = res->members[i].idx;

		if (!pbnl_dev_in_use(s->pdev[idx], why, sizeof(why)))
			continue;
		s->fn[idx].flags |= PBNL_TOPO_IN_USE;
		if (!(res->verdict & BIT(PBNL_GROUP_V_IN_USE))) {
			res->verdict |= BIT(PBNL_GROUP_V_IN_USE);
			res->verdict_dev[PBNL_GROUP_V_IN_USE] = idx;
		}
	}
}

/**
 * pbnl_group_doit() - group-get: the devices that must go with a set
 * @skb: request
 * @info: request info
 *
 * Needs no privilege.  Its cost is one snapshot of the topology (a few
 * config reads per function), the engine (about linear in the functions
 * per member), and the in-use check of the members only.
 *
 * Return: 0 with a reply, or a negative errno with an extack message.
 */
int pbnl_group_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *fl = info->attrs[PCIBACK_A_GROUP_FLAGS];
	u32 flags = fl ? nla_get_u32(fl) : 0;
	struct pbnl_group_result res = { };
	struct pbnl_op op = { .extack = info->extack };
	struct pbnl_scratch sc = { };
	struct pbnl_snap s;
	struct sk_buff *msg = NULL;
	int *req = NULL, *kmem = NULL, i, n, ret;
	size_t size;
	void *hdr;

	ret = pbnl_op_parse(&op, info, PCIBACK_A_GROUP_DEV_NAME);
	if (ret)
		goto out_op;
	ret = pbnl_snap_take(&s);
	if (ret)
		goto out_op;

	ret = -ENOMEM;
	req = kcalloc(op.n, sizeof(*req), GFP_KERNEL);
	kmem = kvcalloc(2 * s.nr, sizeof(*kmem), GFP_KERNEL);
	if (!req || !kmem || pbnl_scratch_alloc(&sc, s.nr))
		goto out;
	for (i = 0; i < (int)op.n; i++) {
		req[i] = pbnl_snap_index(&s, op.items[i].pdev);
		if (req[i] < 0) {
			PBNL_SET_ERR_MSG_FMT(info->extack, "%s went away",
					     pci_name(op.items[i].pdev));
			ret = -ENODEV;
			goto out;
		}
	}

	if (flags & PCIBACK_OP_FLAG_IOMMU_GROUP) {
		if (op.n != 1) {
			PBNL_SET_ERR_MSG_FMT(info->extack,
					     "iommu-group takes one device");
			ret = -EINVAL;
			goto out;
		}
		n = pbnl_group_kernel_members(&s.topo, req[0], kmem,
					      kmem + s.nr, s.nr);
		for (i = 0; i < n && i < s.nr; i++) {
			sc.members[i].idx = kmem[s.nr + i];
			sc.members[i].rules = kmem[s.nr + i] == req[0] ?
				BIT(PBNL_GROUP_REQUESTED) : 0;
		}
		res.members = sc.members;
		res.nr = n < 0 ? 0 : n;
		ret = n < 0 ? n : 0;
	} else {
		ret = pbnl_snap_closure(&s, req, op.n, &res, sc.members, sc.pos);
		if (!ret)
			pbnl_judge_in_use(&s, &res);
	}
	if (ret) {
		PBNL_SET_ERR_MSG_FMT(info->extack, "group computation failed: %d",
				     ret);
		goto out;
	}

	/* name, rules and up to one reason per rule, for each member */
	size = 256 + res.nr * (nla_total_size(0) +
			       nla_total_size(PCIBACK_DEV_NAME_MAX) +
			       nla_total_size(sizeof(u32)) +
			       PBNL_GROUP_NR_RULES * nla_total_size(128)) +
	       PBNL_GROUP_NR_VERDICTS * nla_total_size(128);
	msg = genlmsg_new(size, GFP_KERNEL);
	ret = -ENOMEM;
	if (!msg)
		goto out;
	ret = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &pbnl_family, 0,
				PCIBACK_CMD_GROUP_GET);
	if (!hdr)
		goto out;
	for (i = 0; i < res.nr; i++)
		if (pbnl_put_member(msg, &s, &sc.members[i]))
			goto out;
	if (!(flags & PCIBACK_OP_FLAG_IOMMU_GROUP) &&
	    pbnl_put_verdict(msg, &s, &res))
		goto out;
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
	msg = NULL;
out:
	nlmsg_free(msg);
	kvfree(kmem);
	pbnl_scratch_free(&sc);
	kfree(req);
	pbnl_snap_free(&s);
out_op:
	pbnl_op_free(&op);
	return ret;
}

/* The first rule other than "requested" that pulled @m in. */
static int pbnl_first_rule(const struct pbnl_group_member *m)
{
	int rule;

	for (rule = PBNL_GROUP_REQUESTED + 1; rule < PBNL_GROUP_NR_RULES; rule++)
		if (m->rules & BIT(rule))
			return rule;
	return PBNL_GROUP_REQUESTED;
}

/**
 * pbnl_usb_companion() - whether @pdev is a USB controller of the kinds
 * hcd-pci treats as companions (UHCI, OHCI, EHCI)
 * @pdev: the function
 */
bool pbnl_usb_companion(struct pci_dev *pdev)
{
	switch (pdev->class) {
	case PCI_CLASS_SERIAL_USB_UHCI:
	case PCI_CLASS_SERIAL_USB_OHCI:
	case PCI_CLASS_SERIAL_USB_EHCI:
		return true;
	}
	return false;
}

/* Whether @b is a companion of @a: another USB controller of its slot. */
static bool pbnl_companions(struct pci_dev *a, struct pci_dev *b)
{
	return a != b && a->bus == b->bus &&
	       PCI_SLOT(a->devfn) == PCI_SLOT(b->devfn) &&
	       pbnl_usb_companion(a) && pbnl_usb_companion(b);
}

/**
 * pbnl_group_enforce() - a move takes whole co-assignment groups
 * @op: a dev-hide or dev-unhide request, parsed; the caller holds the
 *      operation lock
 *
 * Every function of the group of @op's functions that is not in @op must
 * already be where the move takes @op's: with xen-pciback for a dev-hide,
 * away from it for a dev-unhide.  Bridges and ports are left out (they
 * stay in dom0).  Otherwise, with PCIBACK_OP_FLAG_WITH_GROUP the others
 * are appended to @op; with PCIBACK_OP_FLAG_FORCE the first item gets a
 * warning, unless the two sides would be USB companions (see the top of
 * this file), which is refused even then; without either, the request is
 * refused, naming a function left behind and the rule, and the kernel log
 * lists them all with their reasons.
 *
 * Return: 0 or a negative errno with op->extack set.
 */
int pbnl_group_enforce(struct pbnl_op *op)
{
	bool hide = op->cmd == PCIBACK_CMD_DEV_HIDE;
	struct pbnl_group_member *first = NULL;
	struct pbnl_group_result res = { };
	struct pbnl_scratch sc = { };
	struct pci_dev *usb = NULL;
	int *req = NULL, *missing = NULL, nmiss = 0, i, j, ret;
	char name[32], reason[128];
	struct pbnl_item *items;
	struct pbnl_snap s;

	ret = pbnl_snap_take(&s);
	if (ret)
		return ret;
	ret = -ENOMEM;
	req = kcalloc(op->n, sizeof(*req), GFP_KERNEL);
	missing = kvcalloc(s.nr ? s.nr : 1, sizeof(*missing), GFP_KERNEL);
	if (!req || !missing || pbnl_scratch_alloc(&sc, s.nr))
		goto out;
	for (i = 0; i < (int)op->n; i++) {
		req[i] = pbnl_snap_index(&s, op->items[i].pdev);
		if (req[i] < 0) {
			PBNL_SET_ERR_MSG_FMT(op->extack, "%s went away",
					     pci_name(op->items[i].pdev));
			ret = -ENODEV;
			goto out;
		}
	}
	ret = pbnl_snap_closure(&s, req, op->n, &res, sc.members, sc.pos);
	if (ret) {
		PBNL_SET_ERR_MSG_FMT(op->extack, "group computation failed: %d",
				     ret);
		goto out;
	}
	for (i = 0; i < res.nr; i++) {
		struct pbnl_group_member *m = &sc.members[i];
		struct pci_dev *pdev = s.pdev[m->idx];

		if (m->rules & BIT(PBNL_GROUP_REQUESTED) ||
		    s.fn[m->idx].hdr_type != PBNL_HDR_NORMAL ||
		    pbnl_held_by_pciback(pdev) == hide)
			continue;
		if (!first)
			first = m;
		missing[nmiss++] = m->idx;
		for (j = 0; !usb && j < (int)op->n; j++)
			if (pbnl_companions(op->items[j].pdev, pdev))
				usb = pdev;
	}
	ret = 0;
	if (!nmiss)
		goto out;

	pbnl_group_name(&s.topo, first->idx, name, sizeof(name));
	if (op->flags & PCIBACK_OP_FLAG_WITH_GROUP) {
		if (op->n + nmiss > PBNL_OP_MAX_DEVS) {
			PBNL_SET_ERR_MSG_FMT(op->extack, "group too large (at most %d)",
					     PBNL_OP_MAX_DEVS);
			ret = -EINVAL;
			goto out;
		}
		items = krealloc_array(op->items, op->n + nmiss, sizeof(*items),
				       GFP_KERNEL);
		if (!items) {
			ret = -ENOMEM;
			goto out;
		}
		op->items = items;
		for (i = 0; i < nmiss; i++) {
			memset(&items[op->n], 0, sizeof(*items));
			items[op->n++].pdev = pci_dev_get(s.pdev[missing[i]]);
		}
		goto out;
	}

	/* Say which functions are left behind, and why. */
	for (i = 0; i < res.nr; i++) {
		struct pbnl_group_member *m = &sc.members[i];

		for (j = 0; j < nmiss && missing[j] != m->idx; j++)
			;
		if (j == nmiss)
			continue;
		pbnl_group_reason(&s.topo, m, pbnl_first_rule(m), reason,
				  sizeof(reason));
		pci_info(s.pdev[m->idx], "%s %s without it: %s\n",
			 hide ? "hide" : "unhide",
			 (op->flags & PCIBACK_OP_FLAG_FORCE) && !usb ?
			 "forced" : "refused", reason);
	}
	if (usb) {
		PBNL_SET_ERR_MSG_FMT(op->extack,
				     "USB companion %s %s: never split (with-group)",
				     pci_name(usb),
				     hide ? "not hidden" : "on pciback");
		ret = -EINVAL;
	} else if (op->flags & PCIBACK_OP_FLAG_FORCE) {
		pbnl_item_warn(&op->items[0],
			       "forced: incomplete group, %s%s %s (%s)",
			       name, nmiss > 1 ? " and more" : "",
			       hide ? "missing" : "stay on pciback",
			       pbnl_group_rule_str(pbnl_first_rule(first)));
	} else if (hide) {
		PBNL_SET_ERR_MSG_FMT(op->extack,
				     "group also needs %s%s (%s); with-group",
				     name, nmiss > 1 ? " +more" : "",
				     pbnl_group_rule_str(pbnl_first_rule(first)));
		ret = -EINVAL;
	} else {
		PBNL_SET_ERR_MSG_FMT(op->extack,
				     "group's %s%s stay on pciback (%s); with-group",
				     name, nmiss > 1 ? " +more" : "",
				     pbnl_group_rule_str(pbnl_first_rule(first)));
		ret = -EINVAL;
	}
out:
	pbnl_scratch_free(&sc);
	kvfree(missing);
	kfree(req);
	pbnl_snap_free(&s);
	return ret;
}

/*
 * The group of @pdev alone, over a new snapshot: on success the caller
 * frees @sc and @s.  Return: 0 or a negative errno.
 */
static int pbnl_group_of_one(struct pci_dev *pdev, struct pbnl_snap *s,
			     struct pbnl_scratch *sc,
			     struct pbnl_group_result *res)
{
	int req, ret;

	memset(sc, 0, sizeof(*sc));
	ret = pbnl_snap_take(s);
	if (ret)
		return ret;
	ret = pbnl_scratch_alloc(sc, s->nr);
	if (!ret) {
		req = pbnl_snap_index(s, pdev);
		ret = req < 0 ? -ENODEV :
		      pbnl_snap_closure(s, &req, 1, res, sc->members, sc->pos);
		if (ret)
			pbnl_scratch_free(sc);
	}
	if (ret)
		pbnl_snap_free(s);
	return ret;
}

/**
 * pbnl_group_reservable() - whether boot-time reservation may take @pdev
 * @pdev: a function the "hide" parameter names
 * @wanted: whether the parameter names a function
 * @why: receives the reason when not
 * @len: size of @why
 *
 * A reservation takes whole groups only: every other function of @pdev's
 * group (bridges and ports aside) must be named as well, and none of them
 * may be bound to a driver other than xen-pciback.  The group is the one of
 * the functions present now.
 *
 * Return: 0, -EXDEV when the group is not whole or a member is bound
 * elsewhere (@why says which), or another negative errno.
 */
int pbnl_group_reservable(struct pci_dev *pdev,
			  bool (*wanted)(struct pci_dev *pdev),
			  char *why, size_t len)
{
	struct pbnl_group_result res;
	struct pbnl_scratch sc;
	struct pbnl_snap s;
	char reason[128];
	int i, ret;

	ret = pbnl_group_of_one(pdev, &s, &sc, &res);
	if (ret)
		return ret;
	for (i = 0; !ret && i < res.nr; i++) {
		struct pbnl_group_member *m = &sc.members[i];
		struct pci_dev *o = s.pdev[m->idx];

		if (o == pdev || o->hdr_type != PCI_HEADER_TYPE_NORMAL)
			continue;
		if (!wanted(o)) {
			pbnl_group_reason(&s.topo, m, pbnl_first_rule(m),
					  reason, sizeof(reason));
			snprintf(why, len,
				 "its group also holds %s (%s), which hide= does not name",
				 pci_name(o), reason);
			ret = -EXDEV;
		} else if (!pbnl_bound_to(o, NULL) && !pbnl_held_by_pciback(o)) {
			snprintf(why, len, "%s of its group is bound to a host driver",
				 pci_name(o));
			ret = -EXDEV;
		}
	}
	pbnl_scratch_free(&sc);
	pbnl_snap_free(&s);
	return ret;
}

/**
 * pbnl_group_reserved_peers() - the reserved functions in @pdev's group
 * @pdev: a function just added, which no reservation names
 * @peers: out: referenced functions of @pdev's group (not @pdev, bridges
 *         left out) that have a record and no driver yet
 * @max: capacity of @peers
 *
 * Functions of a slot are added to the bus one by one, and only probed
 * when all are there: a reservation made when the first came may have to
 * be taken back when a later one joins its group unnamed.
 *
 * Return: the number stored, or a negative errno.
 */
int pbnl_group_reserved_peers(struct pci_dev *pdev, struct pci_dev **peers,
			      int max)
{
	struct pbnl_group_result res;
	struct pbnl_scratch sc;
	struct pbnl_snap s;
	int i, n = 0, ret;

	ret = pbnl_group_of_one(pdev, &s, &sc, &res);
	if (ret)
		return ret;
	for (i = 0; i < res.nr && n < max; i++) {
		struct pci_dev *o = s.pdev[sc.members[i].idx];

		if (o != pdev && o->hdr_type == PCI_HEADER_TYPE_NORMAL &&
		    pbnl_rec_exists(o) && pbnl_bound_to(o, NULL))
			peers[n++] = pci_dev_get(o);
	}
	pbnl_scratch_free(&sc);
	pbnl_snap_free(&s);
	return n;
}
