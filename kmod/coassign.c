// SPDX-License-Identifier: GPL-2.0
/*
 * Co-assignment: a snapshot of the PCI topology for the engine in group.c,
 * taken from struct pci_dev and config space, and the group-get request.
 *
 * The engine is plain C shared with the userspace unit tests; this file is
 * the kernel's feed.  Most ACS and alias helpers of the PCI core are not
 * exported to modules, so the snapshot carries the raw facts (ACS
 * capability and control registers, alias flags and masks, reset methods)
 * and the engine reimplements the decisions.
 *
 * Locking: none of our own.  The snapshot holds a reference on every
 * function until it is freed; it is a point-in-time view.  Sleeps.
 */
#include <linux/pci.h>
#include <linux/slab.h>

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
}

/* The function that is bus->self of the nearest non-virtual bus above. */
static struct pci_dev *pbnl_upstream(struct pci_dev *pdev)
{
	struct pci_bus *bus = pdev->bus;

	while (bus && !bus->self && !pci_is_root_bus(bus))
		bus = bus->parent;
	return bus ? bus->self : NULL;
}

static void pbnl_snap_fill(struct pbnl_snap *s, int i, bool in_use_check)
{
	struct pci_dev *pdev = s->pdev[i];
	struct pbnl_topo_fn *f = &s->fn[i];
	char why[64];
	u16 cap = 0, ctrl = 0;
	unsigned int k;

	f->domain = pci_domain_nr(pdev->bus);
	f->bus = pdev->bus->number;
	f->devfn = pdev->devfn;
	f->hdr_type = pdev->hdr_type;
	f->upstream = pbnl_snap_index(s, pbnl_upstream(pdev));
	f->physfn = -1;
	if (pci_is_pcie(pdev)) {
		f->flags |= PBNL_TOPO_PCIE;
		f->pcie_type = pci_pcie_type(pdev);
	}
	if (pdev->subordinate) {
		f->secondary = pdev->subordinate->busn_res.start;
		f->subordinate = pdev->subordinate->busn_res.end;
	}
	if (pdev->multifunction)
		f->flags |= PBNL_TOPO_MULTIFUNCTION;
	if (pdev->acs_cap) {
		f->flags |= PBNL_TOPO_ACS_CAP;
		pci_read_config_word(pdev, pdev->acs_cap + PCI_ACS_CAP, &cap);
		pci_read_config_word(pdev, pdev->acs_cap + PCI_ACS_CTRL, &ctrl);
		f->acs_cap = cap;
		f->acs_ctrl = ctrl;
	}
	if (pdev->dev_flags & PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS)
		f->flags |= PBNL_TOPO_PCIE_BRIDGE_ALIAS;
	if (pdev->dev_flags & PCI_DEV_FLAGS_BRIDGE_XLATE_ROOT)
		f->flags |= PBNL_TOPO_BRIDGE_XLATE_ROOT;
	if (pdev->dev_flags & PCI_DEV_FLAGS_NO_BUS_RESET)
		f->flags |= PBNL_TOPO_NO_BUS_RESET;
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
	if (in_use_check && pbnl_dev_in_use(pdev, why, sizeof(why)))
		f->flags |= PBNL_TOPO_IN_USE;
}

/* Every PCI function, in the order the bus lists them (probe order). */
static int pbnl_snap_take(struct pbnl_snap *s, bool in_use_check)
{
	struct pci_dev *pdev = NULL;
	int cap = 0, i;

	memset(s, 0, sizeof(*s));
	for_each_pci_dev(pdev)
		cap++;
	s->fn = kvcalloc(cap ? cap : 1, sizeof(*s->fn), GFP_KERNEL);
	s->pdev = kvcalloc(cap ? cap : 1, sizeof(*s->pdev), GFP_KERNEL);
	if (!s->fn || !s->pdev) {
		pbnl_snap_free(s);
		return -ENOMEM;
	}
	for_each_pci_dev(pdev)
		if (s->nr < cap)
			s->pdev[s->nr++] = pci_dev_get(pdev);
	for (i = 0; i < s->nr; i++)
		pbnl_snap_fill(s, i, in_use_check);
	s->topo.fn = s->fn;
	s->topo.nr = s->nr;
	return 0;
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

/**
 * pbnl_group_doit() - group-get: the devices that must go with a set
 * @skb: request
 * @info: request info
 *
 * Return: 0 with a reply, or a negative errno with an extack message.
 */
int pbnl_group_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *fl = info->attrs[PCIBACK_A_GROUP_FLAGS];
	u32 flags = fl ? nla_get_u32(fl) : 0;
	struct pbnl_group_result res = { };
	struct pbnl_op op = { .extack = info->extack };
	struct pbnl_group_member *members = NULL;
	struct pbnl_snap s;
	struct sk_buff *msg = NULL;
	int *req = NULL, *kmem = NULL, i, n, ret;
	void *hdr;

	ret = pbnl_op_parse(&op, info, PCIBACK_A_GROUP_DEV_NAME);
	if (ret)
		goto out_op;
	ret = pbnl_snap_take(&s, true);
	if (ret)
		goto out_op;

	ret = -ENOMEM;
	req = kcalloc(op.n, sizeof(*req), GFP_KERNEL);
	members = kvcalloc(s.nr, sizeof(*members), GFP_KERNEL);
	kmem = kvcalloc(2 * s.nr, sizeof(*kmem), GFP_KERNEL);
	msg = genlmsg_new(256 + s.nr * 512, GFP_KERNEL);
	if (!req || !members || !kmem || !msg)
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

	res.members = members;
	res.max = s.nr;
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
			members[i].idx = kmem[s.nr + i];
			members[i].rules = kmem[s.nr + i] == req[0] ?
				BIT(PBNL_GROUP_REQUESTED) : 0;
		}
		res.nr = n < 0 ? 0 : n;
		ret = n < 0 ? n : 0;
	} else {
		ret = pbnl_group_closure(&s.topo, req, op.n,
					 PBNL_GROUP_OPT_DEFAULT, &res);
	}
	if (ret) {
		PBNL_SET_ERR_MSG_FMT(info->extack, "group computation failed: %d",
				     ret);
		goto out;
	}

	ret = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &pbnl_family, 0,
				PCIBACK_CMD_GROUP_GET);
	if (!hdr)
		goto out;
	for (i = 0; i < res.nr; i++)
		if (pbnl_put_member(msg, &s, &members[i]))
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
	kvfree(members);
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
 * pbnl_group_enforce() - dev-hide only takes whole co-assignment groups
 * @op: a dev-hide request, parsed
 *
 * Every function of the group of @op's functions must be in @op, except
 * bridges and ports (they stay in dom0) and functions already held by
 * xen-pciback.  With PCIBACK_OP_FLAG_WITH_GROUP the missing ones are
 * appended to @op; with PCIBACK_OP_FLAG_FORCE the first item gets a
 * warning; otherwise the request is refused, naming a missing function and
 * the rule.
 *
 * Return: 0 or a negative errno with op->extack set.
 */
int pbnl_group_enforce(struct pbnl_op *op)
{
	struct pbnl_group_member *members = NULL, *first = NULL;
	struct pbnl_group_result res = { };
	struct pbnl_item *items;
	int *req = NULL, *missing = NULL, nmiss = 0, i, ret;
	char name[32];
	struct pbnl_snap s;

	ret = pbnl_snap_take(&s, false);
	if (ret)
		return ret;
	ret = -ENOMEM;
	req = kcalloc(op->n, sizeof(*req), GFP_KERNEL);
	missing = kvcalloc(s.nr, sizeof(*missing), GFP_KERNEL);
	members = kvcalloc(s.nr, sizeof(*members), GFP_KERNEL);
	if (!req || !missing || !members)
		goto out;
	for (i = 0; i < (int)op->n; i++)
		req[i] = pbnl_snap_index(&s, op->items[i].pdev);
	res.members = members;
	res.max = s.nr;
	for (i = 0; i < (int)op->n; i++) {
		if (req[i] < 0) {
			PBNL_SET_ERR_MSG_FMT(op->extack, "%s went away",
					     pci_name(op->items[i].pdev));
			ret = -ENODEV;
			goto out;
		}
	}
	ret = pbnl_group_closure(&s.topo, req, op->n, PBNL_GROUP_OPT_DEFAULT,
				 &res);
	if (ret) {
		PBNL_SET_ERR_MSG_FMT(op->extack, "group computation failed: %d",
				     ret);
		goto out;
	}
	for (i = 0; i < res.nr; i++) {
		struct pbnl_group_member *m = &members[i];

		if (m->rules & BIT(PBNL_GROUP_REQUESTED) ||
		    s.fn[m->idx].hdr_type != PBNL_HDR_NORMAL ||
		    pbnl_held_by_pciback(s.pdev[m->idx]))
			continue;
		if (!first)
			first = m;
		missing[nmiss++] = m->idx;
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
	} else if (op->flags & PCIBACK_OP_FLAG_FORCE) {
		pbnl_item_warn(&op->items[0],
			       "forced: incomplete group, %s%s missing (%s)",
			       name, nmiss > 1 ? " and more" : "",
			       pbnl_group_rule_str(pbnl_first_rule(first)));
	} else {
		PBNL_SET_ERR_MSG_FMT(op->extack,
				     "group also needs %s%s (%s); with-group",
				     name, nmiss > 1 ? " +more" : "",
				     pbnl_group_rule_str(pbnl_first_rule(first)));
		ret = -EINVAL;
	}
out:
	kvfree(members);
	kvfree(missing);
	kfree(req);
	pbnl_snap_free(&s);
	return ret;
}
