// SPDX-License-Identifier: GPL-2.0
/*
 * The co-assignment engine (see group.h for the interface).
 *
 * Plain C over a topology snapshot, built into the module and into the
 * userspace unit tests (tests/engine/).  No allocation, no locking: the
 * caller owns the snapshot and the result arrays.
 *
 * Two computations share the predicates ported from Linux:
 *
 * - pbnl_group_kernel() replays pci_device_group() (drivers/iommu/iommu.c)
 *   for every function in probe order, including its "join the first
 *   existing group found" behaviour, so that it gives exactly the groups of
 *   /sys/kernel/iommu_groups on a native boot.
 *
 * - pbnl_group_closure() computes what must be hidden together.  It uses
 *   the same relations, but in both directions (a bridge pulls in what lies
 *   below it, not only the reverse) and transitively, so the closure of any
 *   function contains its kernel group; then the reset and SR-IOV rules.
 *
 * The predicates: pci_acs_enabled() asks the device-specific quirks first
 * (acs.c); pci_for_each_dma_alias() starts from pci_real_dma_dev() (the VMD
 * endpoint for a function of a VMD domain); a reset is one Linux can do
 * now, not one it probed when the function was added (see group.h).
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <stdio.h>
#endif

#include "group.h"

#define PBNL_SLOT(devfn)	(((devfn) >> 3) & 0x1f)
#define PBNL_FUNC(devfn)	((devfn) & 0x07)

/* Bound on the alias recursion of get_pci_alias_group() (kernel stack). */
#define PBNL_ALIAS_DEPTH	32

#define PBNL_RESET_BUS_MASK	(BIT(PBNL_RESET_BUS) | BIT(PBNL_RESET_CXL_BUS))

static const struct pbnl_topo_fn *fn_of(const struct pbnl_topo *topo, int i)
{
	return &topo->fn[i];
}

static int up_of(const struct pbnl_topo *topo, int i)
{
	return topo->fn[i].upstream;
}

static bool same_bus(const struct pbnl_topo_fn *a,
		     const struct pbnl_topo_fn *b)
{
	return a->domain == b->domain && a->bus == b->bus;
}

static bool is_bridge(const struct pbnl_topo_fn *f)
{
	return f->hdr_type == PBNL_HDR_BRIDGE ||
	       f->hdr_type == PBNL_HDR_CARDBUS;
}

static bool is_pcie_type(const struct pbnl_topo_fn *f, u8 type)
{
	return (f->flags & PBNL_TOPO_PCIE) && f->pcie_type == type;
}

static bool alias_bit(const struct pbnl_topo_fn *f, u8 devfn)
{
	return (f->dma_alias_mask[devfn >> 6] >> (devfn & 63)) & 1;
}

static bool has_alias_mask(const struct pbnl_topo_fn *f)
{
	return f->dma_alias_mask[0] | f->dma_alias_mask[1] |
	       f->dma_alias_mask[2] | f->dma_alias_mask[3];
}

/* pci_devs_are_dma_aliases() (callers check the bus) */
static bool dma_aliases(const struct pbnl_topo *topo, int a, int b)
{
	const struct pbnl_topo_fn *fa = fn_of(topo, a), *fb = fn_of(topo, b);

	return alias_bit(fa, fb->devfn) || alias_bit(fb, fa->devfn) ||
	       fa->real_dma == b || fb->real_dma == a;
}

/* Could dma_aliases() be true for any pair at all? */
static bool any_dma_alias(const struct pbnl_topo *topo)
{
	int i;

	for (i = 0; i < topo->nr; i++)
		if (has_alias_mask(fn_of(topo, i)) || fn_of(topo, i)->real_dma >= 0)
			return true;
	return false;
}

/* Is @i below bridge @b? */
static bool below(const struct pbnl_topo *topo, int i, int b)
{
	int n;

	for (n = up_of(topo, i); n >= 0; n = up_of(topo, n))
		if (n == b)
			return true;
	return false;
}

/*
 * Indices in range, upstream chains end at a root bus, VFs have a PF, a
 * real DMA device is another function.
 */
static int validate(const struct pbnl_topo *topo)
{
	int i, n, depth;

	if (!topo || topo->nr < 0 || (topo->nr && !topo->fn))
		return -EINVAL;
	for (i = 0; i < topo->nr; i++) {
		const struct pbnl_topo_fn *f = fn_of(topo, i);

		if ((f->flags & PBNL_TOPO_VF) &&
		    (f->physfn < 0 || f->physfn >= topo->nr || f->physfn == i))
			return -EINVAL;
		if (f->real_dma < -1 || f->real_dma >= topo->nr ||
		    f->real_dma == i)
			return -EINVAL;
		depth = 0;
		for (n = f->upstream; n >= 0; n = up_of(topo, n)) {
			if (n >= topo->nr || n == i || ++depth > topo->nr)
				return -EINVAL;
		}
		if (n < -1)
			return -EINVAL;
	}
	return 0;
}

/* pci_acs_flags_enabled() */
static bool acs_flags_enabled(const struct pbnl_topo_fn *f, u16 flags)
{
	if (!(f->flags & PBNL_TOPO_ACS_CAP))
		return false;
	/* Features missing from the capability are hard-wired enabled. */
	flags &= f->acs_cap | PBNL_ACS_EC;
	return (f->acs_ctrl & flags) == flags;
}

/* pci_acs_enabled() */
static bool fn_acs_enabled(const struct pbnl_topo *topo, int idx, u16 flags)
{
	const struct pbnl_topo_fn *f = fn_of(topo, idx);
	int ret;

	/* the tests' override of the quirk table */
	if (f->acs_quirk == PBNL_ACS_QUIRK_ISOLATED)
		return true;
	if (f->acs_quirk == PBNL_ACS_QUIRK_NOT_ISOLATED)
		return false;
	ret = pbnl_acs_quirk(topo, idx, flags, NULL);
	if (ret >= 0)
		return ret > 0;
	/* Conventional PCI and PCI-X devices never support ACS. */
	if (!(f->flags & PBNL_TOPO_PCIE))
		return false;
	switch (f->pcie_type) {
	case PBNL_PCIE_PCIE_BRIDGE:
	case PBNL_PCIE_PCI_BRIDGE:
	case PBNL_PCIE_RC_EC:
		return false;
	case PBNL_PCIE_DOWNSTREAM:
	case PBNL_PCIE_ROOT_PORT:
		return acs_flags_enabled(f, flags);
	case PBNL_PCIE_ENDPOINT:
	case PBNL_PCIE_UPSTREAM:
	case PBNL_PCIE_LEG_END:
	case PBNL_PCIE_RC_END:
		if (!(f->flags & PBNL_TOPO_MULTIFUNCTION))
			break;
		return acs_flags_enabled(f, flags);
	}
	return true;
}

static bool fn_isolated(const struct pbnl_topo *topo, int idx)
{
	return fn_acs_enabled(topo, idx, PBNL_ACS_REQ);
}

bool pbnl_group_acs_enabled(const struct pbnl_topo *topo, int idx, u16 flags)
{
	return fn_acs_enabled(topo, idx, flags);
}

/* pci_acs_path_enabled(start, NULL, flags) */
bool pbnl_group_acs_path_enabled(const struct pbnl_topo *topo, int idx,
				 u16 flags)
{
	int i;

	for (i = idx; i >= 0; i = up_of(topo, i))
		if (!fn_acs_enabled(topo, i, flags))
			return false;
	return true;
}

/* The topmost bridge above @idx lacking ACS, or -1. */
static int top_without_acs(const struct pbnl_topo *topo, int idx)
{
	int b, top = -1;

	for (b = up_of(topo, idx); b >= 0; b = up_of(topo, b))
		if (!fn_isolated(topo, b))
			top = b;
	return top;
}

/* ---- resets ---- */

bool pbnl_group_has_function_reset(const struct pbnl_topo_fn *f)
{
	/* VFs must implement FLR (SR-IOV spec); Linux probes it anyway. */
	if (f->flags & PBNL_TOPO_VF)
		return true;
	return f->reset_methods & PBNL_RESET_FUNCTION_MASK;
}

/* Another function on the bus of @x? */
static bool shares_bus(const struct pbnl_topo *topo, int x)
{
	const struct pbnl_topo_fn *f = fn_of(topo, x);
	int t;

	for (t = 0; t < topo->nr; t++)
		if (t != x && same_bus(fn_of(topo, t), f))
			return true;
	return false;
}

/*
 * The bridge whose secondary bus reset would reset @x, if the "bus" or
 * "cxl_bus" method of @x could use it at all, other functions on the bus
 * aside; else -1.  pci_parent_bus_reset() and pci_dev_reset_slot_function()
 * refuse a function with a subordinate bus or PCI_DEV_FLAGS_NO_BUS_RESET,
 * and one on a root bus or a virtual bus (no bus->self; a hotplug slot with
 * a reset is a PCIe port's).  PCI_DEV_FLAGS_NO_BUS_RESET on that bridge is
 * taken as a refusal too, as pci_bus_resettable() and pci_slot_resettable()
 * take it, although pci_parent_bus_reset() itself looks at the function's
 * flag only.
 */
static int bus_reset_bridge(const struct pbnl_topo *topo, int x)
{
	const struct pbnl_topo_fn *f = fn_of(topo, x);
	int b = f->upstream;

	if (!(f->reset_methods & PBNL_RESET_BUS_MASK) || is_bridge(f) ||
	    (f->flags & (PBNL_TOPO_NO_BUS_RESET | PBNL_TOPO_ROOT_BUS)) || b < 0)
		return -1;
	/* a VF on a virtual bus */
	if ((f->flags & PBNL_TOPO_VF) &&
	    !same_bus(fn_of(topo, f->physfn), f))
		return -1;
	if (fn_of(topo, b)->flags & PBNL_TOPO_NO_BUS_RESET)
		return -1;
	return b;
}

/* pci_dev_reset_slot_function(): not for a multifunction device */
static bool slot_reset(const struct pbnl_topo_fn *f)
{
	return (f->flags & PBNL_TOPO_HOTPLUG_SLOT) &&
	       !(f->flags & PBNL_TOPO_MULTIFUNCTION);
}

bool pbnl_group_reset_usable(const struct pbnl_topo *topo, int idx)
{
	const struct pbnl_topo_fn *f = fn_of(topo, idx);

	if (pbnl_group_has_function_reset(f))
		return true;
	if (bus_reset_bridge(topo, idx) < 0)
		return false;
	/* pci_parent_bus_reset(): alone on the bus now */
	return slot_reset(f) || !shares_bus(topo, idx);
}

/* ---- requester IDs ---- */

/*
 * pci_for_each_dma_alias() as an iterator: pci_real_dma_dev() first (the
 * function itself, or the VMD endpoint for a function of a VMD domain),
 * then every bridge that takes over its requester ID on the way up, until
 * a PCI_DEV_FLAGS_BRIDGE_XLATE_ROOT bridge; -1 at the end.  @cur is the
 * previous answer (-1 to start).  The dma_alias_mask entries, which the
 * kernel reports as the same function, make no difference to grouping and
 * are left out.
 */
static int next_dma_alias(const struct pbnl_topo *topo, int idx, int cur,
			  u8 *how)
{
	int b;

	*how = PBNL_GROUP_HOW_NONE;
	if (cur < 0) {
		if (fn_of(topo, idx)->real_dma < 0)
			return idx;
		*how = PBNL_GROUP_HOW_REAL_DMA;
		return fn_of(topo, idx)->real_dma;
	}
	for (b = up_of(topo, cur); b >= 0; b = up_of(topo, b)) {
		const struct pbnl_topo_fn *t = fn_of(topo, b);

		if (t->flags & PBNL_TOPO_BRIDGE_XLATE_ROOT)
			return -1;
		if (!(t->flags & PBNL_TOPO_PCIE)) {
			*how = PBNL_GROUP_HOW_PCI_BRIDGE;
			return b;
		}
		if (t->pcie_type == PBNL_PCIE_PCI_BRIDGE) {
			*how = PBNL_GROUP_HOW_PCIE_PCI_BRIDGE;
			return b;
		}
		if (t->pcie_type == PBNL_PCIE_PCIE_BRIDGE) {
			*how = PBNL_GROUP_HOW_PCIX_PCIE_BRIDGE;
			return b;
		}
	}
	return -1;
}

/* Can next_dma_alias() return bridge @b for anything? */
static bool alias_bridge(const struct pbnl_topo_fn *b)
{
	return is_bridge(b) && !(b->flags & PBNL_TOPO_BRIDGE_XLATE_ROOT) &&
	       (!(b->flags & PBNL_TOPO_PCIE) ||
		b->pcie_type == PBNL_PCIE_PCI_BRIDGE ||
		b->pcie_type == PBNL_PCIE_PCIE_BRIDGE);
}

/* The upstream-most requester ID alias of @idx (data.pdev of iommu.c). */
static int last_alias(const struct pbnl_topo *topo, int idx)
{
	int a, last = idx;
	u8 how;

	for (a = -1; (a = next_dma_alias(topo, idx, a, &how)) >= 0;)
		last = a;
	return last;
}

/* ---- pci_device_group() replay ---- */

struct pbnl_kgroup {
	const struct pbnl_topo *topo;
	int *group_of;
	bool any_alias;		/* dma_aliases() may hold for some pair */
	u64 devfns[4];
};

static int kg_alias_group(struct pbnl_kgroup *kg, int idx, int depth);

/* get_pci_function_alias_group() */
static int kg_function_alias_group(struct pbnl_kgroup *kg, int idx, int depth)
{
	const struct pbnl_topo *topo = kg->topo;
	const struct pbnl_topo_fn *f = fn_of(topo, idx);
	int t, g;

	if (!(f->flags & PBNL_TOPO_MULTIFUNCTION) || fn_isolated(topo, idx))
		return -1;

	for (t = 0; t < topo->nr; t++) {
		const struct pbnl_topo_fn *o = fn_of(topo, t);

		if (t == idx || !same_bus(o, f) ||
		    PBNL_SLOT(o->devfn) != PBNL_SLOT(f->devfn) ||
		    fn_isolated(topo, t))
			continue;
		g = kg_alias_group(kg, t, depth + 1);
		if (g >= 0)
			return g;
	}
	return -1;
}

/* get_pci_alias_group() */
static int kg_alias_group(struct pbnl_kgroup *kg, int idx, int depth)
{
	const struct pbnl_topo *topo = kg->topo;
	const struct pbnl_topo_fn *f = fn_of(topo, idx);
	u64 bit = 1ULL << (f->devfn & 63);
	int t, g;

	if (kg->devfns[f->devfn >> 6] & bit)
		return -1;
	kg->devfns[f->devfn >> 6] |= bit;

	if (kg->group_of[idx] >= 0)
		return kg->group_of[idx];
	if (depth > PBNL_ALIAS_DEPTH || !kg->any_alias)
		return -1;

	for (t = 0; t < topo->nr; t++) {
		if (t == idx || !same_bus(fn_of(topo, t), f) ||
		    !dma_aliases(topo, idx, t))
			continue;
		g = kg_alias_group(kg, t, depth + 1);
		if (g >= 0)
			return g;
		g = kg_function_alias_group(kg, t, depth + 1);
		if (g >= 0)
			return g;
	}
	return -1;
}

/* pci_device_group(): an existing group to join, or -1 for a new one. */
static int kg_device_group(struct pbnl_kgroup *kg, int idx)
{
	const struct pbnl_topo *topo = kg->topo;
	int pdev = idx, a, b, top, g;
	u8 how;

	/* the first alias with a group, else the last alias */
	for (a = -1; (a = next_dma_alias(topo, idx, a, &how)) >= 0;) {
		if (kg->group_of[a] >= 0)
			return kg->group_of[a];
		pdev = a;
	}

	/*
	 * Up while pci_acs_path_enabled() fails for the bridge, that is up to
	 * the topmost bridge lacking ACS.
	 */
	top = top_without_acs(topo, pdev);
	for (b = up_of(topo, pdev); top >= 0 && b >= 0; b = up_of(topo, b)) {
		pdev = b;
		if (kg->group_of[b] >= 0)
			return kg->group_of[b];
		if (b == top)
			break;
	}

	memset(kg->devfns, 0, sizeof(kg->devfns));
	g = kg_alias_group(kg, pdev, 0);
	if (g >= 0)
		return g;
	return kg_function_alias_group(kg, pdev, 0);
}

int pbnl_group_kernel(const struct pbnl_topo *topo, int *group_of)
{
	struct pbnl_kgroup kg = { .topo = topo, .group_of = group_of };
	int i, g, nr_groups = 0;

	if (validate(topo) || !group_of)
		return -EINVAL;
	kg.any_alias = any_dma_alias(topo);
	for (i = 0; i < topo->nr; i++)
		group_of[i] = -1;
	for (i = 0; i < topo->nr; i++) {
		g = kg_device_group(&kg, i);
		group_of[i] = g >= 0 ? g : nr_groups++;
	}
	return nr_groups;
}

int pbnl_group_kernel_members(const struct pbnl_topo *topo, int idx,
			      int *group_of, int *members, int max)
{
	int i, n = 0, ret;

	ret = pbnl_group_kernel(topo, group_of);
	if (ret < 0)
		return ret;
	if (idx < 0 || idx >= topo->nr)
		return -EINVAL;
	for (i = 0; i < topo->nr; i++) {
		if (group_of[i] != group_of[idx])
			continue;
		if (n < max)
			members[n] = i;
		n++;
	}
	return n;
}

/* ---- the closure ---- */

/*
 * What switch_peers() found on the secondary bus of a bridge: the member
 * that pulled in everything below the bridge, and the port lacking ACS, or
 * -1 for a bus without such a port.
 */
struct pbnl_peers {
	s32 bridge;		/* index + 1; 0 for an empty entry */
	s32 by;
	s32 via;
};

#define PBNL_PEERS_CACHE	16

/*
 * Each rule that pulls in a whole set (a slot, what lies below a bridge, a
 * switch) scans for it once: the first member to expand the set adds all
 * of it but itself, so a later member of the same set has only that first
 * one left to reach, which gives the same members, rules and causes as a
 * scan for every member.  Which member did it is remembered in the record
 * of the bridge lacking ACS, in a small cache by bridge for switches (a
 * miss scans again), or, for a slot, is the cause of the later one's rule
 * bit; a slot whose bus lies below such a bridge is looked for among the
 * members only.
 */
struct pbnl_closure {
	const struct pbnl_topo *topo;
	struct pbnl_group_result *res;
	u32 opts;
	bool any_alias;		/* dma_aliases() may hold for some pair */
	int err;
	struct pbnl_peers peers[PBNL_PEERS_CACHE];	/* by bridge index */
};

static struct pbnl_group_member *find_member(struct pbnl_group_result *res,
					     int idx)
{
	int i;

	if (res->pos)
		return res->pos[idx] >= 0 ? &res->members[res->pos[idx]] : NULL;
	for (i = 0; i < res->nr; i++)
		if (res->members[i].idx == idx)
			return &res->members[i];
	return NULL;
}

static void add(struct pbnl_closure *c, int idx, enum pbnl_group_rule rule,
		int cause, int via, u8 how)
{
	struct pbnl_group_result *res = c->res;
	struct pbnl_group_member *m = find_member(res, idx);
	int r;

	if (!m) {
		if (res->nr >= res->max) {
			c->err = -ENOSPC;
			return;
		}
		if (res->pos)
			res->pos[idx] = res->nr;
		m = &res->members[res->nr++];
		m->idx = idx;
		m->rules = 0;
		for (r = 0; r < PBNL_GROUP_NR_RULES; r++) {
			m->cause[r] = -1;
			m->via[r] = -1;
			m->how[r] = PBNL_GROUP_HOW_NONE;
		}
		m->subtree_by = -1;
	}
	/* a requested function is there because it was asked for */
	if (m->rules & (BIT(rule) | BIT(PBNL_GROUP_REQUESTED)))
		return;
	m->rules |= BIT(rule);
	m->cause[rule] = cause;
	m->via[rule] = via;
	m->how[rule] = how;
}

/* Everything below bridge @b joins (not @b itself, not @skip). */
static void add_subtree(struct pbnl_closure *c, int b, int skip,
			enum pbnl_group_rule rule, int cause, int via, u8 how)
{
	int t;

	for (t = 0; t < c->topo->nr && !c->err; t++)
		if (t != skip && below(c->topo, t, b))
			add(c, t, rule, cause, via, how);
}

/* Has rule ACS pulled in all that lies below @b or a bridge above it? */
static bool subtree_in(struct pbnl_closure *c, int b)
{
	struct pbnl_group_member *m;

	for (; b >= 0; b = up_of(c->topo, b)) {
		m = find_member(c->res, b);
		if (m && m->subtree_by >= 0)
			return true;
	}
	return false;
}

/* Rule MULTIFUNCTION: get_pci_function_alias_group(), for member @m */
static void rule_multifunction(struct pbnl_closure *c,
			       const struct pbnl_group_member *m)
{
	const struct pbnl_topo *topo = c->topo;
	const struct pbnl_topo_fn *f = fn_of(topo, m->idx), *o;
	int x = m->idx, i, n, t;

	if (!(f->flags & PBNL_TOPO_MULTIFUNCTION) || fn_isolated(topo, x))
		return;
	/* pulled in by a function of the slot, which added all the others */
	if (m->rules & BIT(PBNL_GROUP_MULTIFUNCTION)) {
		add(c, m->cause[PBNL_GROUP_MULTIFUNCTION],
		    PBNL_GROUP_MULTIFUNCTION, x, -1, PBNL_GROUP_HOW_NONE);
		return;
	}
	/* all that lies below a bridge above is in: look at members only */
	n = subtree_in(c, f->upstream) ? c->res->nr : topo->nr;
	for (i = 0; i < n && !c->err; i++) {
		t = n == topo->nr ? i : c->res->members[i].idx;
		o = fn_of(topo, t);
		if (t != x && same_bus(o, f) &&
		    PBNL_SLOT(o->devfn) == PBNL_SLOT(f->devfn) &&
		    !fn_isolated(topo, t))
			add(c, t, PBNL_GROUP_MULTIFUNCTION, x, -1,
			    PBNL_GROUP_HOW_NONE);
	}
}

/* Does the requester ID of @t pass as bridge @b's? */
static u8 alias_reaches(const struct pbnl_topo *topo, int t, int b)
{
	int a;
	u8 how;

	for (a = -1; (a = next_dma_alias(topo, t, a, &how)) >= 0;)
		if (a == b)
			return how;
	return PBNL_GROUP_HOW_NONE;
}

/*
 * Rule ALIAS: requester ID aliasing, pci_real_dma_dev() and
 * pci_devs_are_dma_aliases(), both directions.
 */
static void rule_alias(struct pbnl_closure *c, int x)
{
	const struct pbnl_topo *topo = c->topo;
	const struct pbnl_topo_fn *f = fn_of(topo, x);
	int a, t;
	u8 how;

	/* the VMD endpoint and the bridges that take over x's requester ID */
	for (a = -1; (a = next_dma_alias(topo, x, a, &how)) >= 0;)
		if (a != x)
			add(c, a, PBNL_GROUP_ALIAS, x, a, how);

	/* the functions whose requester ID x takes over */
	for (t = 0; alias_bridge(f) && t < topo->nr && !c->err; t++) {
		how = t == x ? PBNL_GROUP_HOW_NONE : alias_reaches(topo, t, x);
		if (how != PBNL_GROUP_HOW_NONE)
			add(c, t, PBNL_GROUP_ALIAS, x, x, how);
	}

	/* the functions whose DMA x does; pci_devs_are_dma_aliases() */
	for (t = 0; c->any_alias && t < topo->nr && !c->err; t++) {
		const struct pbnl_topo_fn *o = fn_of(topo, t);

		if (o->real_dma == x)
			add(c, t, PBNL_GROUP_ALIAS, x, x,
			    PBNL_GROUP_HOW_REAL_DMA);
		else if (t != x && same_bus(o, f) && dma_aliases(topo, x, t))
			add(c, t, PBNL_GROUP_ALIAS, x, x,
			    PBNL_GROUP_HOW_DMA_ALIAS);
	}
}

/* Rule ACS, what lies below @top (lacking ACS) joins, for @x. */
static void acs_subtree(struct pbnl_closure *c, int top, int x)
{
	const struct pbnl_topo *topo = c->topo;
	struct pbnl_group_member *m = find_member(c->res, top);
	int first;

	if (!m)
		return;		/* -ENOSPC */
	first = m->subtree_by;
	if (first >= 0) {
		if (first != x && below(topo, first, top))
			add(c, first, PBNL_GROUP_ACS, x, top,
			    PBNL_GROUP_HOW_NO_ACS);
		return;
	}
	add_subtree(c, top, x, PBNL_GROUP_ACS, x, top, PBNL_GROUP_HOW_NO_ACS);
	if (!c->err)
		m->subtree_by = x;
}

/* The switch_peers() finding for bus-above bridge @b, or NULL. */
static struct pbnl_peers *peers_cached(struct pbnl_closure *c, int b)
{
	struct pbnl_peers *e = &c->peers[b % PBNL_PEERS_CACHE];

	return e->bridge == b + 1 ? e : NULL;
}

/*
 * Switch peers: for each bridge b above @x, where a downstream port on b's
 * secondary bus lacks ACS, everything below b joins.
 */
static void switch_peers(struct pbnl_closure *c, int x)
{
	const struct pbnl_topo *topo = c->topo;
	struct pbnl_peers *e;
	int p, b, q;

	for (p = x; p >= 0 && !c->err; p = b) {
		b = up_of(topo, p);
		if (b < 0)
			break;
		e = peers_cached(c, b);
		if (e) {
			if (e->by >= 0 && e->by != x)
				add(c, e->by, PBNL_GROUP_ACS, x, e->via,
				    PBNL_GROUP_HOW_SWITCH_PEER);
			continue;
		}
		for (q = 0; q < topo->nr; q++) {
			const struct pbnl_topo_fn *o = fn_of(topo, q);

			if (o->upstream == b && same_bus(o, fn_of(topo, p)) &&
			    is_pcie_type(o, PBNL_PCIE_DOWNSTREAM) &&
			    !fn_isolated(topo, q))
				break;
		}
		e = &c->peers[b % PBNL_PEERS_CACHE];
		e->bridge = b + 1;
		e->by = -1;
		e->via = -1;
		if (q < topo->nr) {
			add_subtree(c, b, x, PBNL_GROUP_ACS, x, q,
				    PBNL_GROUP_HOW_SWITCH_PEER);
			e->by = x;
			e->via = q;
		}
	}
}

/*
 * Rule ACS.  pci_device_group() walks up from x's last requester ID alias
 * while the path to the root is not ACS-isolated; it stops at F, the
 * topmost bridge lacking ACS, and everything below F ends up with F.  A
 * bridge x lacking ACS itself is such an F for what lies below it.
 */
static void rule_acs(struct pbnl_closure *c, int x)
{
	const struct pbnl_topo *topo = c->topo;
	int top;

	top = top_without_acs(topo, last_alias(topo, x));
	if (top < 0 && is_bridge(fn_of(topo, x)) && !fn_isolated(topo, x))
		top = x;
	if (top >= 0) {
		if (top != x)
			add(c, top, PBNL_GROUP_ACS, x, top,
			    PBNL_GROUP_HOW_NO_ACS);
		acs_subtree(c, top, x);
	}
	if (c->opts & PBNL_GROUP_OPT_SWITCH_PEERS)
		switch_peers(c, x);
}

/*
 * Rule RESET: @x has no reset but a bus reset, and shares its bus: all that
 * the reset would reset comes along.  Without a hotplug slot Linux refuses
 * that reset while they are there (pci_parent_bus_reset()); a hotplug slot
 * reset (pci_dev_reset_slot_function()) resets them with @x.
 */
static void rule_reset(struct pbnl_closure *c, int x)
{
	const struct pbnl_topo *topo = c->topo;
	const struct pbnl_topo_fn *f = fn_of(topo, x);
	int b;

	if (pbnl_group_has_function_reset(f))
		return;
	b = bus_reset_bridge(topo, x);
	if (b < 0 || !shares_bus(topo, x))
		return;
	add_subtree(c, b, x, PBNL_GROUP_RESET, x, b,
		    slot_reset(f) ? PBNL_GROUP_HOW_SLOT_SHARED :
				    PBNL_GROUP_HOW_BUS_SHARED);
}

/* Rule SRIOV: a PF with enabled VFs brings them along. */
static void rule_sriov(struct pbnl_closure *c, int x)
{
	const struct pbnl_topo *topo = c->topo;
	int t;

	if (!(fn_of(topo, x)->flags & PBNL_TOPO_PF) || !fn_of(topo, x)->num_vfs)
		return;
	for (t = 0; t < topo->nr && !c->err; t++) {
		const struct pbnl_topo_fn *o = fn_of(topo, t);

		if ((o->flags & PBNL_TOPO_VF) && o->physfn == x)
			add(c, t, PBNL_GROUP_SRIOV, x, x, PBNL_GROUP_HOW_NONE);
	}
}

static void verdict(struct pbnl_group_result *res, enum pbnl_group_verdict v,
		    int idx)
{
	if (res->verdict & BIT(v))
		return;
	res->verdict |= BIT(v);
	res->verdict_dev[v] = idx;
}

static void judge(const struct pbnl_topo *topo, struct pbnl_group_result *res,
		  int x)
{
	const struct pbnl_topo_fn *f = fn_of(topo, x);

	if (is_bridge(f))
		verdict(res, PBNL_GROUP_V_BRIDGE, x);
	if (f->hdr_type == PBNL_HDR_CARDBUS)
		verdict(res, PBNL_GROUP_V_CARDBUS, x);
	if ((f->flags & PBNL_TOPO_HOST_BRIDGE) ||
	    is_pcie_type(f, PBNL_PCIE_ROOT_PORT))
		verdict(res, PBNL_GROUP_V_HOST, x);
	if (!(res->verdict & BIT(PBNL_GROUP_V_NO_RESET)) &&
	    !pbnl_group_reset_usable(topo, x))
		verdict(res, PBNL_GROUP_V_NO_RESET, x);
	if (f->flags & PBNL_TOPO_IN_USE)
		verdict(res, PBNL_GROUP_V_IN_USE, x);
}

int pbnl_group_closure(const struct pbnl_topo *topo, const int *req,
		       int nr_req, u32 opts, struct pbnl_group_result *res)
{
	struct pbnl_closure c = { .topo = topo, .res = res, .opts = opts };
	int i, x;

	if (validate(topo) || !res || res->max < 0 || (res->max && !res->members) ||
	    nr_req < 0 || (nr_req && !req))
		return -EINVAL;
	res->nr = 0;
	res->verdict = 0;
	for (i = 0; i < PBNL_GROUP_NR_VERDICTS; i++)
		res->verdict_dev[i] = -1;
	for (i = 0; i < nr_req; i++)
		if (req[i] < 0 || req[i] >= topo->nr)
			return -EINVAL;
	for (i = 0; res->pos && i < topo->nr; i++)
		res->pos[i] = -1;
	c.any_alias = any_dma_alias(topo);

	for (i = 0; i < nr_req && !c.err; i++)
		add(&c, req[i], PBNL_GROUP_REQUESTED, -1, -1,
		    PBNL_GROUP_HOW_NONE);

	/* res->members is the work list: each member is expanded once. */
	for (i = 0; i < res->nr && !c.err; i++) {
		x = res->members[i].idx;
		rule_multifunction(&c, &res->members[i]);
		rule_alias(&c, x);
		rule_acs(&c, x);
		if (opts & PBNL_GROUP_OPT_RESET)
			rule_reset(&c, x);
		rule_sriov(&c, x);
		judge(topo, res, x);
	}
	return c.err;
}

/* ---- text ---- */

int pbnl_group_name(const struct pbnl_topo *topo, int idx, char *buf,
		    size_t len)
{
	const struct pbnl_topo_fn *f;

	if (!topo || idx < 0 || idx >= topo->nr)
		return snprintf(buf, len, "(none)");
	f = fn_of(topo, idx);
	return snprintf(buf, len, "%04x:%02x:%02x.%d", f->domain, f->bus,
			PBNL_SLOT(f->devfn), PBNL_FUNC(f->devfn));
}

static const char *bridge_kind(u8 how)
{
	switch (how) {
	case PBNL_GROUP_HOW_PCIE_PCI_BRIDGE:
		return "PCIe-to-PCI bridge";
	case PBNL_GROUP_HOW_PCIX_PCIE_BRIDGE:
		return "PCI/PCI-X-to-PCIe bridge";
	default:
		return "conventional PCI bridge";
	}
}

int pbnl_group_reason(const struct pbnl_topo *topo,
		      const struct pbnl_group_member *m,
		      enum pbnl_group_rule rule, char *buf, size_t len)
{
	char cause[24], via[24];
	int c, v;

	if (rule < 0 || rule >= PBNL_GROUP_NR_RULES ||
	    !(m->rules & BIT(rule)))
		return snprintf(buf, len, "(none)");
	c = m->cause[rule];
	v = m->via[rule];
	pbnl_group_name(topo, c, cause, sizeof(cause));
	pbnl_group_name(topo, v, via, sizeof(via));

	switch (rule) {
	case PBNL_GROUP_REQUESTED:
		return snprintf(buf, len, "requested");
	case PBNL_GROUP_MULTIFUNCTION:
		return snprintf(buf, len,
				"function of the same multifunction device as %s without ACS isolation",
				cause);
	case PBNL_GROUP_ALIAS:
		if (m->how[rule] == PBNL_GROUP_HOW_DMA_ALIAS)
			return snprintf(buf, len, "DMA alias of %s", cause);
		if (m->how[rule] == PBNL_GROUP_HOW_REAL_DMA && m->idx == v)
			return snprintf(buf, len,
					"VMD endpoint whose requester ID the DMA of %s carries",
					cause);
		if (m->how[rule] == PBNL_GROUP_HOW_REAL_DMA)
			return snprintf(buf, len, "DMA through VMD endpoint %s",
					via);
		if (m->idx == v)
			return snprintf(buf, len,
					"%s that takes over the requester ID of %s (requester ID aliasing)",
					bridge_kind(m->how[rule]), cause);
		if (c == v)
			return snprintf(buf, len,
					"behind the same %s %s (requester ID aliasing)",
					bridge_kind(m->how[rule]), via);
		return snprintf(buf, len,
				"behind the same %s %s as %s (requester ID aliasing)",
				bridge_kind(m->how[rule]), via, cause);
	case PBNL_GROUP_ACS:
		if (m->how[rule] == PBNL_GROUP_HOW_SWITCH_PEER)
			return snprintf(buf, len,
					"on the same switch as %s, whose port %s lacks ACS",
					cause, via);
		if (m->idx == v)
			return snprintf(buf, len,
					"lacks ACS isolation, and %s is below it",
					cause);
		if (c == v)
			return snprintf(buf, len, "below %s which lacks ACS",
					via);
		return snprintf(buf, len, "below %s which lacks ACS, like %s",
				via, cause);
	case PBNL_GROUP_RESET:
		if (m->how[rule] == PBNL_GROUP_HOW_SLOT_SHARED)
			return snprintf(buf, len,
					"reset with %s, whose only reset is the hotplug slot reset of bus %04x:%02x",
					cause, fn_of(topo, c)->domain,
					fn_of(topo, c)->bus);
		return snprintf(buf, len,
				"shares the bus reset that %s needs (its only reset; Linux refuses it while other functions are on bus %04x:%02x)",
				cause, fn_of(topo, c)->domain,
				fn_of(topo, c)->bus);
	case PBNL_GROUP_SRIOV:
		return snprintf(buf, len, "VF of PF %s", cause);
	default:
		return snprintf(buf, len, "(none)");
	}
}

const char *pbnl_group_verdict_str(enum pbnl_group_verdict v)
{
	switch (v) {
	case PBNL_GROUP_V_BRIDGE:
		return "contains a bridge or port";
	case PBNL_GROUP_V_HOST:
		return "contains a host bridge or root port";
	case PBNL_GROUP_V_NO_RESET:
		return "a member has no usable reset";
	case PBNL_GROUP_V_IN_USE:
		return "a member is in use by dom0";
	case PBNL_GROUP_V_CARDBUS:
		return "contains a CardBus bridge";
	default:
		return NULL;
	}
}

const char *pbnl_group_rule_str(enum pbnl_group_rule rule)
{
	static const char * const names[PBNL_GROUP_NR_RULES] = {
		[PBNL_GROUP_REQUESTED] = "requested",
		[PBNL_GROUP_MULTIFUNCTION] = "multifunction",
		[PBNL_GROUP_ALIAS] = "alias",
		[PBNL_GROUP_ACS] = "acs",
		[PBNL_GROUP_RESET] = "reset",
		[PBNL_GROUP_SRIOV] = "sriov",
	};

	if (rule < 0 || rule >= PBNL_GROUP_NR_RULES)
		return NULL;
	return names[rule];
}
