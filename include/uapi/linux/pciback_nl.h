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
 */
enum pciback_op_flags {
	PCIBACK_OP_FLAG_DRY_RUN = 1,
	PCIBACK_OP_FLAG_FORCE = 2,
	PCIBACK_OP_FLAG_ALLOW_BRIDGE = 4,
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

enum {
	PCIBACK_CMD_DEV_GET = 1,
	PCIBACK_CMD_DEV_HIDE,
	PCIBACK_CMD_DEV_UNHIDE,
	PCIBACK_CMD_DEV_NTF,

	__PCIBACK_CMD_MAX,
	PCIBACK_CMD_MAX = (__PCIBACK_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_PCIBACK_NL_H */
