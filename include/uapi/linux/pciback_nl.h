/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * pciback_nl: generic netlink family "pciback".
 *
 * The ABI reference is Documentation/netlink/specs/pciback.yaml; this
 * header follows it.  Values are only ever added, never renumbered.
 */

#ifndef _UAPI_LINUX_PCIBACK_NL_H
#define _UAPI_LINUX_PCIBACK_NL_H

#define PCIBACK_FAMILY_NAME	"pciback"
#define PCIBACK_FAMILY_VERSION	1

#define PCIBACK_MCGRP_MONITOR	"monitor"

/* Longest device name: "ffffffff:ff:1f.7" plus the terminating NUL. */
#define PCIBACK_DEV_NAME_MAX	17

/**
 * enum pciback_hdr_type - configuration header layout of a function
 * @PCIBACK_HDR_TYPE_ENDPOINT: type 0, an endpoint
 * @PCIBACK_HDR_TYPE_BRIDGE: type 1, a PCI-to-PCI bridge or PCIe port
 * @PCIBACK_HDR_TYPE_CARDBUS: type 2, a CardBus bridge
 */
enum pciback_hdr_type {
	PCIBACK_HDR_TYPE_ENDPOINT = 1,
	PCIBACK_HDR_TYPE_BRIDGE,
	PCIBACK_HDR_TYPE_CARDBUS,
};

/**
 * enum pciback_sriov_role - SR-IOV role of a function
 * @PCIBACK_SRIOV_ROLE_PF: physical function with an SR-IOV capability
 * @PCIBACK_SRIOV_ROLE_VF: virtual function
 */
enum pciback_sriov_role {
	PCIBACK_SRIOV_ROLE_PF = 1,
	PCIBACK_SRIOV_ROLE_VF,
};

/**
 * enum pciback_op_flags - modifiers of dev-hide and dev-unhide
 * @PCIBACK_OP_FLAG_DRY_RUN: validate and report what would happen; change
 *	nothing
 * @PCIBACK_OP_FLAG_FORCE: proceed although a device is in use by dom0 (an
 *	interface up, a block device held, the boot VGA device) or, on unhide,
 *	assigned to a guest
 * @PCIBACK_OP_FLAG_ALLOW_BRIDGE: dev-hide may take bridges (xen-pciback then
 *	claims everything below them on later probes)
 * @PCIBACK_OP_FLAG_IOMMU_GROUP: group-get of one device answers with the
 *	group Linux's IOMMU layer would form (no reset rule), for comparison
 *	with /sys/kernel/iommu_groups
 * @PCIBACK_OP_FLAG_WITH_GROUP: dev-hide takes the whole co-assignment group
 *	of the devices named (bridges and ports of the group stay in dom0)
 */
enum pciback_op_flags {
	PCIBACK_OP_FLAG_DRY_RUN = 1,
	PCIBACK_OP_FLAG_FORCE = 2,
	PCIBACK_OP_FLAG_ALLOW_BRIDGE = 4,
	PCIBACK_OP_FLAG_IOMMU_GROUP = 8,
	PCIBACK_OP_FLAG_WITH_GROUP = 16,
};

/**
 * enum pciback_group_rule - why a device belongs to a co-assignment group
 * @PCIBACK_GROUP_RULE_REQUESTED: it was named in the request
 * @PCIBACK_GROUP_RULE_MULTIFUNCTION: a function of the same multifunction
 *	device, not isolated by ACS
 * @PCIBACK_GROUP_RULE_ALIAS: requester ID aliasing (behind a PCIe-to-PCI or
 *	conventional bridge) or a DMA alias quirk
 * @PCIBACK_GROUP_RULE_ACS: below a bridge or port on the path to the root
 *	that lacks ACS isolation
 * @PCIBACK_GROUP_RULE_RESET: shares the only usable reset (a bus reset)
 * @PCIBACK_GROUP_RULE_SRIOV: a VF of a PF in the group
 */
enum pciback_group_rule {
	PCIBACK_GROUP_RULE_REQUESTED = 1,
	PCIBACK_GROUP_RULE_MULTIFUNCTION = 2,
	PCIBACK_GROUP_RULE_ALIAS = 4,
	PCIBACK_GROUP_RULE_ACS = 8,
	PCIBACK_GROUP_RULE_RESET = 16,
	PCIBACK_GROUP_RULE_SRIOV = 32,
};

/**
 * enum pciback_group_verdict - why a group cannot be passed through
 * @PCIBACK_GROUP_VERDICT_BRIDGE: it contains a bridge or PCIe port
 * @PCIBACK_GROUP_VERDICT_HOST: it contains a host bridge or root port
 * @PCIBACK_GROUP_VERDICT_NO_RESET: a member has no usable reset
 * @PCIBACK_GROUP_VERDICT_IN_USE: a member is in use by dom0
 * @PCIBACK_GROUP_VERDICT_CARDBUS: a member is a CardBus bridge
 */
enum pciback_group_verdict {
	PCIBACK_GROUP_VERDICT_BRIDGE = 1,
	PCIBACK_GROUP_VERDICT_HOST = 2,
	PCIBACK_GROUP_VERDICT_NO_RESET = 4,
	PCIBACK_GROUP_VERDICT_IN_USE = 8,
	PCIBACK_GROUP_VERDICT_CARDBUS = 16,
};

/**
 * enum pciback_event - what a notification on the "monitor" group reports
 * @PCIBACK_EVENT_HIDDEN: the device was given to xen-pciback
 * @PCIBACK_EVENT_UNHIDDEN: the device was given back to dom0
 * @PCIBACK_EVENT_ROLLED_BACK: a failed operation put the device back as it
 *	was before the operation
 */
enum pciback_event {
	PCIBACK_EVENT_HIDDEN = 1,
	PCIBACK_EVENT_UNHIDDEN,
	PCIBACK_EVENT_ROLLED_BACK,
};

/* Attribute set "dev": one PCI function. */
enum {
	PCIBACK_A_DEV_NAME = 1,
	PCIBACK_A_DEV_DOMAIN,
	PCIBACK_A_DEV_BUS,
	PCIBACK_A_DEV_DEVFN,
	PCIBACK_A_DEV_VENDOR,
	PCIBACK_A_DEV_DEVICE,
	PCIBACK_A_DEV_SUBSYSTEM_VENDOR,
	PCIBACK_A_DEV_SUBSYSTEM_DEVICE,
	PCIBACK_A_DEV_CLASS,
	PCIBACK_A_DEV_REVISION,
	PCIBACK_A_DEV_DRIVER,
	PCIBACK_A_DEV_DRIVER_OVERRIDE,
	PCIBACK_A_DEV_PCIBACK,
	PCIBACK_A_DEV_MULTIFUNCTION,
	PCIBACK_A_DEV_HDR_TYPE,
	PCIBACK_A_DEV_SRIOV_ROLE,
	PCIBACK_A_DEV_SRIOV_TOTAL_VFS,
	PCIBACK_A_DEV_SRIOV_NUM_VFS,
	PCIBACK_A_DEV_PHYSFN,
	PCIBACK_A_DEV_RESET_METHOD,
	PCIBACK_A_DEV_HIDDEN,
	PCIBACK_A_DEV_ORIG_DRIVER,
	PCIBACK_A_DEV_ORIG_DRIVER_OVERRIDE,
	PCIBACK_A_DEV_GUEST_DOMID,
	PCIBACK_A_DEV_EVENT,

	__PCIBACK_A_DEV_MAX,
	PCIBACK_A_DEV_MAX = (__PCIBACK_A_DEV_MAX - 1)
};

/* Attribute set "op": a dev-hide or dev-unhide request and its reply. */
enum {
	PCIBACK_A_OP_DEV_NAME = 1,
	PCIBACK_A_OP_FLAGS,
	PCIBACK_A_OP_RESULT,
	PCIBACK_A_OP_FALLBACK,

	__PCIBACK_A_OP_MAX,
	PCIBACK_A_OP_MAX = (__PCIBACK_A_OP_MAX - 1)
};

/* Attribute set "result": what an operation did (or would do) to a device. */
enum {
	PCIBACK_A_RESULT_NAME = 1,
	PCIBACK_A_RESULT_FROM_DRIVER,
	PCIBACK_A_RESULT_TO_DRIVER,
	PCIBACK_A_RESULT_DEV,
	PCIBACK_A_RESULT_WARNING,

	__PCIBACK_A_RESULT_MAX,
	PCIBACK_A_RESULT_MAX = (__PCIBACK_A_RESULT_MAX - 1)
};

/* Attribute set "group": a group-get request, and its reply. */
enum {
	PCIBACK_A_GROUP_MEMBER = 1,
	PCIBACK_A_GROUP_VERDICT,
	PCIBACK_A_GROUP_VERDICT_REASON,
	PCIBACK_A_GROUP_DEV_NAME,
	PCIBACK_A_GROUP_FLAGS,

	__PCIBACK_A_GROUP_MAX,
	PCIBACK_A_GROUP_MAX = (__PCIBACK_A_GROUP_MAX - 1)
};

/* Attribute set "member": one device of a group. */
enum {
	PCIBACK_A_MEMBER_NAME = 1,
	PCIBACK_A_MEMBER_RULES,
	PCIBACK_A_MEMBER_REASON,

	__PCIBACK_A_MEMBER_MAX,
	PCIBACK_A_MEMBER_MAX = (__PCIBACK_A_MEMBER_MAX - 1)
};

/*
 * Attribute set "fallback": in a dev-unhide request, the driver to give a
 * function to when pciback_nl has no record of its earlier driver (one
 * made assignable by xl, say: libxl's own record is in xenstore).
 */
enum {
	PCIBACK_A_FALLBACK_DEV_NAME = 1,
	PCIBACK_A_FALLBACK_DRIVER,

	__PCIBACK_A_FALLBACK_MAX,
	PCIBACK_A_FALLBACK_MAX = (__PCIBACK_A_FALLBACK_MAX - 1)
};

enum {
	PCIBACK_CMD_DEV_GET = 1,
	PCIBACK_CMD_DEV_HIDE,
	PCIBACK_CMD_DEV_UNHIDE,
	PCIBACK_CMD_DEV_NTF,
	PCIBACK_CMD_GROUP_GET,

	__PCIBACK_CMD_MAX,
	PCIBACK_CMD_MAX = (__PCIBACK_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_PCIBACK_NL_H */
