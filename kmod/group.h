/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The co-assignment engine: which PCI functions must be hidden (and later
 * given to one guest) together, and what the Linux IOMMU layer would put
 * in one IOMMU group.  Under Xen, dom0 has no IOMMU driver and therefore
 * no /sys/kernel/iommu_groups, so we compute the groups ourselves.
 *
 * The engine is plain C over a snapshot of the topology and is compiled
 * twice: into the module (the caller fills the snapshot from struct pci_dev
 * and config space) and into the userspace unit tests (tests/engine/,
 * fixtures).  It allocates nothing, takes no locks and sleeps nowhere.
 *
 * Topology snapshot: an array of struct pbnl_topo_fn, one per PCI function,
 * in the kernel's device list order (for_each_pci_dev(), which is the
 * order in which the IOMMU layer probes them: the kernel's grouping
 * depends on it in corner cases).  Links between functions are array
 * indices, -1 for none.  The snapshot must be closed upwards: the upstream
 * bridge of every function and the PF of every VF are in the array.
 *
 * Reference semantics (Linux 6.1 .. 6.12): drivers/iommu/iommu.c
 * pci_device_group(), get_pci_alias_group(), get_pci_function_alias_group()
 * with REQ_ACS_FLAGS; drivers/pci/search.c pci_for_each_dma_alias();
 * drivers/pci/pci.c pci_acs_enabled(), pci_acs_path_enabled(),
 * pci_devs_are_dma_aliases(), and for resets pci_reset_bus_function(),
 * pci_parent_bus_reset(), pci_dev_reset_slot_function(); drivers/pci/quirks.c
 * pci_dev_specific_acs_enabled() (acs.c).
 */
#ifndef PBNL_GROUP_H
#define PBNL_GROUP_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/bits.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef __UINT8_TYPE__ u8;
typedef __UINT16_TYPE__ u16;
typedef __UINT32_TYPE__ u32;
typedef __UINT64_TYPE__ u64;
typedef __INT32_TYPE__ s32;
#ifndef BIT
#define BIT(nr) (1UL << (nr))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#endif

/* PCIe port types (PCI_EXP_TYPE_*), as in the PCIe capability. */
#define PBNL_PCIE_ENDPOINT	0x0
#define PBNL_PCIE_LEG_END	0x1
#define PBNL_PCIE_ROOT_PORT	0x4
#define PBNL_PCIE_UPSTREAM	0x5
#define PBNL_PCIE_DOWNSTREAM	0x6
#define PBNL_PCIE_PCI_BRIDGE	0x7	/* PCIe-to-PCI/PCI-X bridge */
#define PBNL_PCIE_PCIE_BRIDGE	0x8	/* PCI/PCI-X-to-PCIe bridge */
#define PBNL_PCIE_RC_END	0x9	/* RC integrated endpoint */
#define PBNL_PCIE_RC_EC		0xa	/* RC event collector */

/* ACS capability and control bits (PCI_ACS_*). */
#define PBNL_ACS_SV		0x01
#define PBNL_ACS_TB		0x02
#define PBNL_ACS_RR		0x04
#define PBNL_ACS_CR		0x08
#define PBNL_ACS_UF		0x10
#define PBNL_ACS_EC		0x20
#define PBNL_ACS_DT		0x40
/* iommu.c's REQ_ACS_FLAGS */
#define PBNL_ACS_REQ \
	(PBNL_ACS_SV | PBNL_ACS_RR | PBNL_ACS_CR | PBNL_ACS_UF)

/* Header types (low 7 bits of PCI_HEADER_TYPE). */
#define PBNL_HDR_NORMAL		0
#define PBNL_HDR_BRIDGE		1
#define PBNL_HDR_CARDBUS	2

/*
 * Reset methods, numbered as Linux's pci_reset_fn_methods[] (1-based: the
 * order of /sys/bus/pci/devices/X/reset_method); the mask holds
 * BIT(method).
 */
enum pbnl_reset_method {
	PBNL_RESET_DEVICE_SPECIFIC = 1,
	PBNL_RESET_ACPI,
	PBNL_RESET_FLR,
	PBNL_RESET_AF_FLR,
	PBNL_RESET_PM,
	PBNL_RESET_BUS,
	PBNL_RESET_CXL_BUS,
};

/* Resets that act on the function alone. */
#define PBNL_RESET_FUNCTION_MASK					\
	(BIT(PBNL_RESET_DEVICE_SPECIFIC) | BIT(PBNL_RESET_ACPI) |	\
	 BIT(PBNL_RESET_FLR) | BIT(PBNL_RESET_AF_FLR) | BIT(PBNL_RESET_PM))

/* struct pbnl_topo_fn.flags */
#define PBNL_TOPO_PCIE		BIT(0)	/* pci_is_pcie() */
#define PBNL_TOPO_MULTIFUNCTION	BIT(1)	/* pdev->multifunction */
#define PBNL_TOPO_ACS_CAP	BIT(2)	/* has an ACS capability */
#define PBNL_TOPO_PCIE_BRIDGE_ALIAS BIT(3) /* PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS */
#define PBNL_TOPO_BRIDGE_XLATE_ROOT BIT(4) /* PCI_DEV_FLAGS_BRIDGE_XLATE_ROOT */
#define PBNL_TOPO_NO_BUS_RESET	BIT(5)	/* PCI_DEV_FLAGS_NO_BUS_RESET */
#define PBNL_TOPO_VF		BIT(6)	/* pdev->is_virtfn; physfn valid */
#define PBNL_TOPO_PF		BIT(7)	/* pdev->is_physfn */
#define PBNL_TOPO_HOST_BRIDGE	BIT(8)	/* class 0x0600 */
#define PBNL_TOPO_IN_USE	BIT(9)	/* in use by dom0 (caller's verdict) */
#define PBNL_TOPO_ROOT_BUS	BIT(10)	/* pci_is_root_bus(pdev->bus) */
/* PCI_DEV_FLAGS_ACS_ENABLED_QUIRK: pci_quirk_enable_intel_pch_acs() ran */
#define PBNL_TOPO_ACS_ENABLED_QUIRK BIT(11)
/* pdev->slot->hotplug: pci_dev_reset_slot_function() may reset it */
#define PBNL_TOPO_HOTPLUG_SLOT	BIT(12)

/* struct pbnl_topo.platform: facts the ACS quirks look at */
#define PBNL_PLAT_ACPI_IVRS	BIT(0)	/* ACPI has an IVRS table (AMD IOMMU) */

/*
 * struct pbnl_topo_fn.acs_quirk: an override of the engine's own port of
 * pci_dev_specific_acs_enabled() (acs.c), for unit tests; the module
 * leaves it NONE.
 */
enum pbnl_acs_quirk {
	PBNL_ACS_QUIRK_NONE = 0,	/* the quirk table decides */
	PBNL_ACS_QUIRK_ISOLATED,	/* quirk says REQ_ACS_FLAGS hold */
	PBNL_ACS_QUIRK_NOT_ISOLATED,	/* quirk says they do not */
};

struct pbnl_topo_fn {
	u32 domain;
	u8 bus;			/* pdev->bus->number */
	u8 devfn;
	u8 hdr_type;		/* PBNL_HDR_* */
	u8 pcie_type;		/* PBNL_PCIE_*, if PBNL_TOPO_PCIE */
	u8 secondary;		/* bridges: secondary bus number */
	u8 subordinate;		/* bridges: subordinate bus number */
	u8 acs_quirk;		/* enum pbnl_acs_quirk */
	u8 reset_methods;	/* BIT(enum pbnl_reset_method) mask */
	u16 acs_cap;		/* ACS capability register */
	u16 acs_ctrl;		/* ACS control register */
	u16 vendor;		/* pdev->vendor */
	u16 device;		/* pdev->device */
	/*
	 * The dwords at ACS capability + 4 and + 8, read as dwords: Intel
	 * Sunrise/Union Point root ports keep capability and control there
	 * (pci_quirk_intel_spt_pch_acs()); 0 without an ACS capability.
	 */
	u32 acs_cap_dw;
	u32 acs_ctrl_dw;
	u32 flags;		/* PBNL_TOPO_* */
	/*
	 * The function that is bus->self of the nearest non-virtual bus above
	 * this function (bus->self, or for a VF on a virtual bus the bridge
	 * above its PF); -1 on a root bus.
	 */
	s32 upstream;
	s32 physfn;		/* VF: index of its PF, else -1 */
	/*
	 * pci_real_dma_dev(): the function whose requester ID this one's DMA
	 * carries when that is another one (x86: the VMD endpoint for the
	 * functions of a VMD domain), else -1.
	 */
	s32 real_dma;
	u16 num_vfs;		/* PF: enabled VFs */
	u64 dma_alias_mask[4];	/* pdev->dma_alias_mask: devfns on this bus */
};

struct pbnl_topo {
	const struct pbnl_topo_fn *fn;
	int nr;
	u32 platform;		/* PBNL_PLAT_* */
};

/* Rules; a member carries BIT(rule) for every rule that pulled it in. */
enum pbnl_group_rule {
	PBNL_GROUP_REQUESTED,	/* in the requested set */
	PBNL_GROUP_MULTIFUNCTION, /* function of a slot without ACS */
	PBNL_GROUP_ALIAS,	/* requester ID aliasing, dma_alias_mask */
	PBNL_GROUP_ACS,		/* path to the root without ACS isolation */
	PBNL_GROUP_RESET,	/* shares the bus reset another one needs */
	PBNL_GROUP_SRIOV,	/* VF of a PF in the set */
	PBNL_GROUP_NR_RULES,
};

/* How a rule applied; chooses the reason text. */
enum pbnl_group_how {
	PBNL_GROUP_HOW_NONE = 0,
	PBNL_GROUP_HOW_PCIE_PCI_BRIDGE,	/* ALIAS: behind PCIe-to-PCI bridge */
	PBNL_GROUP_HOW_PCI_BRIDGE,	/* ALIAS: behind conventional bridge */
	PBNL_GROUP_HOW_PCIX_PCIE_BRIDGE, /* ALIAS: behind PCI/X-to-PCIe bridge */
	PBNL_GROUP_HOW_DMA_ALIAS,	/* ALIAS: dma_alias_mask */
	PBNL_GROUP_HOW_NO_ACS,		/* ACS: below a device lacking ACS */
	PBNL_GROUP_HOW_SWITCH_PEER,	/* ACS: peer on a switch bus */
	PBNL_GROUP_HOW_REAL_DMA,	/* ALIAS: pci_real_dma_dev() (VMD) */
	PBNL_GROUP_HOW_BUS_SHARED,	/* RESET: refused while it is shared */
	PBNL_GROUP_HOW_SLOT_SHARED,	/* RESET: hotplug slot reset, shared */
};

/* Options of pbnl_group_closure() */
#define PBNL_GROUP_OPT_RESET	BIT(0)	/* apply the reset rule */
/*
 * Also merge every port (and its subtree) on a switch's internal bus where
 * some downstream port lacks ACS.  Linux 6.1..6.12 do not (each such port
 * gets its own group), although peer-to-peer traffic between them is not
 * redirected; later kernels ("Compute iommu_groups properly for PCIe
 * switches") do.
 */
#define PBNL_GROUP_OPT_SWITCH_PEERS BIT(1)
#define PBNL_GROUP_OPT_DEFAULT	(PBNL_GROUP_OPT_RESET | PBNL_GROUP_OPT_SWITCH_PEERS)

/* Verdict bits; none set = assignable. */
enum pbnl_group_verdict {
	PBNL_GROUP_V_BRIDGE,		/* a member is a bridge or port */
	PBNL_GROUP_V_HOST,		/* a member is a host bridge/root port */
	PBNL_GROUP_V_NO_RESET,		/* a member has no usable reset */
	PBNL_GROUP_V_IN_USE,		/* a member is in use by dom0 */
	PBNL_GROUP_V_CARDBUS,		/* a member has a CardBus header */
	PBNL_GROUP_NR_VERDICTS,
};

struct pbnl_group_member {
	s32 idx;				/* topology index */
	u32 rules;				/* BIT(enum pbnl_group_rule) */
	/* per rule: the member whose rule pulled this one in, else -1 */
	s32 cause[PBNL_GROUP_NR_RULES];
	/* per rule: the bridge, port, PF or alias responsible, else -1 */
	s32 via[PBNL_GROUP_NR_RULES];
	u8 how[PBNL_GROUP_NR_RULES];		/* enum pbnl_group_how */
	/*
	 * The engine's bookkeeping, meaningless to the caller: the member that
	 * pulled in what lies below this one by rule ACS (so that it is
	 * scanned for once per closure), or -1.
	 */
	s32 subtree_by;
};

struct pbnl_group_result {
	struct pbnl_group_member *members;	/* caller's array */
	int max;				/* its capacity */
	/*
	 * Caller's scratch of topo->nr entries (each member's position in
	 * @members, or -1), for a fast membership test; NULL: slow scan.
	 * Its contents on entry do not matter: the engine fills it.
	 */
	s32 *pos;
	int nr;					/* members filled, requested first */
	u32 verdict;				/* BIT(enum pbnl_group_verdict) */
	s32 verdict_dev[PBNL_GROUP_NR_VERDICTS]; /* first offender, or -1 */
};

/*
 * pbnl_group_closure - the functions that must go together with @req
 * @topo: topology snapshot
 * @req: requested topology indices (duplicates allowed)
 * @nr_req: number of them
 * @opts: PBNL_GROUP_OPT_*
 * @res: result; @res->members and @res->max set by the caller (topo->nr
 *       members always suffice), @res->pos to a scratch array of topo->nr
 *       entries (or NULL: the same result, slower for large groups)
 *
 * Rules MULTIFUNCTION, ALIAS, ACS (a superset of the kernel's IOMMU group,
 * applied in both directions so that the closure of any member of a group
 * holds the whole group), RESET if PBNL_GROUP_OPT_RESET, SRIOV (a PF with
 * enabled VFs pulls them in; a VF does not pull its PF).  Members come in
 * discovery order, the requested ones first; a requested member carries
 * only PBNL_GROUP_REQUESTED, any other the bits of every rule that reached
 * it.  The verdict is evaluated over all members.
 *
 * Resets are what Linux can do now (pci_reset_function()): a function-level
 * method (pbnl_group_has_function_reset()), or the "bus"/"cxl_bus" method
 * probed when the function was added, which works only while the function
 * is alone on its bus (pci_parent_bus_reset()) or, not multifunction, in a
 * hotplug slot (pci_dev_reset_slot_function()); never for a bridge, on a
 * root or virtual bus, or with PCI_DEV_FLAGS_NO_BUS_RESET on the function or
 * its bridge.  Rule RESET: a function whose only methods are bus resets and
 * which shares its bus pulls in everything that reset would reset.
 *
 * Cost: O(nr * depth) to start, then per member about O(depth), plus an
 * O(nr) scan for each set it is the first to pull in (what lies below a
 * bridge lacking ACS, a switch bus, a multifunction slot without ACS, a
 * PF's VFs, a shared bus reset) and, only where some function has a DMA
 * alias or a VMD endpoint, one per member; membership tests are O(1) with
 * @res->pos, O(members) without.
 *
 * Return: 0, -EINVAL for a bad index or topology, -ENOSPC if @res->max is
 * too small (@res->nr then holds the members found so far).
 */
int pbnl_group_closure(const struct pbnl_topo *topo, const int *req,
		       int nr_req, u32 opts, struct pbnl_group_result *res);

/*
 * pbnl_group_kernel - emulate the IOMMU layer's pci_device_group()
 * @topo: topology snapshot, in the kernel's probe order
 * @group_of: out, topo->nr entries: group number (0, 1, ...) of each function
 *
 * Probes every function in array order as the IOMMU core does at boot and
 * numbers the groups in order of creation.
 *
 * Return: the number of groups, or -EINVAL.
 */
int pbnl_group_kernel(const struct pbnl_topo *topo, int *group_of);

/*
 * pbnl_group_kernel_members - the kernel's IOMMU group of one function
 * @topo: topology snapshot, in the kernel's probe order
 * @idx: the function
 * @group_of: scratch, topo->nr entries (left holding pbnl_group_kernel()'s
 *            result)
 * @members: out: topology indices of the group, ascending
 * @max: capacity of @members
 *
 * Return: number of members (may exceed @max: only @max are stored), or
 * -EINVAL.
 */
int pbnl_group_kernel_members(const struct pbnl_topo *topo, int idx,
			      int *group_of, int *members, int max);

/* Single-function predicates, exported for the module and the tests. */
/* pci_acs_enabled(): the acs_quirk override, pbnl_acs_quirk(), then ACS */
bool pbnl_group_acs_enabled(const struct pbnl_topo *topo, int idx, u16 flags);
bool pbnl_group_acs_path_enabled(const struct pbnl_topo *topo, int idx,
				 u16 flags);
/* True if the function can be reset without resetting anything else. */
bool pbnl_group_has_function_reset(const struct pbnl_topo_fn *f);
/* True if Linux can reset the function now (see pbnl_group_closure()). */
bool pbnl_group_reset_usable(const struct pbnl_topo *topo, int idx);

/*
 * pbnl_acs_quirk - pci_dev_specific_acs_enabled() (acs.c)
 * @topo: topology snapshot (the AMD southbridge quirk reads topo->platform)
 * @idx: the function
 * @acs_flags: PBNL_ACS_* wanted
 * @quirk: out (may be NULL): the name of the kernel's quirk function that
 *         decided, e.g. "pci_quirk_mf_endpoint_acs"; NULL for none
 *
 * Return: -1 when no quirk applies (the kernel's -ENOTTY), else 0 (the
 * controls are not provided) or 1 (they are).
 */
int pbnl_acs_quirk(const struct pbnl_topo *topo, int idx, u16 acs_flags,
		   const char **quirk);

/*
 * Text.  Names are "DDDD:BB:DD.F".  The reason for @rule of @m is e.g.
 * "behind the same PCIe-to-PCI bridge 0000:00:07.0 (requester ID aliasing)".
 * Both return what snprintf() returns.
 */
int pbnl_group_name(const struct pbnl_topo *topo, int idx, char *buf,
		    size_t len);
int pbnl_group_reason(const struct pbnl_topo *topo,
		      const struct pbnl_group_member *m,
		      enum pbnl_group_rule rule, char *buf, size_t len);
/* "contains a bridge or port" etc.; NULL for an unknown bit. */
const char *pbnl_group_verdict_str(enum pbnl_group_verdict v);
/* "requested", "multifunction", "alias", "acs", "reset", "sriov" */
const char *pbnl_group_rule_str(enum pbnl_group_rule rule);

#endif /* PBNL_GROUP_H */
