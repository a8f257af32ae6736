// SPDX-License-Identifier: GPL-2.0
/*
 * Naming, lookup and description of PCI functions.
 *
 * Locking: pbnl_dev_put() takes the device lock of the function it
 * describes, so the driver, the driver_override and the reset methods it
 * reports are one consistent snapshot.  It sleeps; callers hold no spinlock.
 */
#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/pci.h>

#include "fault.h"
#include "pciback_nl.h"

/* Reset method names, indexed by pci_dev::reset_methods[] values. */
static const char * const pbnl_reset_names[] = {
	[1] = "device_specific",
	[2] = "acpi",
	[3] = "flr",
	[4] = "af_flr",
	[5] = "pm",
	[6] = "bus",
	[7] = "cxl_bus",
};

static int pbnl_hex(const char **p, unsigned int min, unsigned int max,
		    u32 *val)
{
	unsigned int n = 0;
	u32 v = 0;

	while (isxdigit(**p)) {
		if (++n > max)
			return -EINVAL;
		v = (v << 4) | hex_to_bin(**p);
		(*p)++;
	}
	if (n < min)
		return -EINVAL;
	*val = v;
	return 0;
}

/**
 * pbnl_parse_name() - parse a full device name, "DDDD:BB:DD.F"
 * @name: NUL-terminated name; the domain has 4 to 8 hex digits
 * @bdf: result
 *
 * Return: 0, or -EINVAL for anything else (short forms, wildcards and
 * interface names are resolved in userspace).
 */
int pbnl_parse_name(const char *name, struct pbnl_bdf *bdf)
{
	const char *p = name;
	u32 domain, bus, slot, fn;

	if (pbnl_hex(&p, 4, 8, &domain) || *p++ != ':' ||
	    pbnl_hex(&p, 2, 2, &bus) || *p++ != ':' ||
	    pbnl_hex(&p, 2, 2, &slot) || *p++ != '.' ||
	    pbnl_hex(&p, 1, 1, &fn) || *p)
		return -EINVAL;
	if (slot > 0x1f || fn > 7)
		return -EINVAL;
	bdf->domain = domain;
	bdf->bus = bus;
	bdf->devfn = PCI_DEVFN(slot, fn);
	return 0;
}

u64 pbnl_dev_key(struct pci_dev *pdev)
{
	return ((u64)(u32)pci_domain_nr(pdev->bus) << 16) |
	       (pdev->bus->number << 8) | pdev->devfn;
}

/**
 * pbnl_dev_get_by_attr() - find the function a name attribute names
 * @attr: a string attribute holding a full device name
 * @extack: receives the reason on failure
 *
 * Return: the device with a reference held, or an ERR_PTR: -EINVAL for a
 * malformed name, -ENODEV when no such function exists.
 */
struct pci_dev *pbnl_dev_get_by_attr(const struct nlattr *attr,
				     struct netlink_ext_ack *extack)
{
	const char *name = nla_data(attr);
	struct pci_dev *pdev;
	struct pbnl_bdf bdf;

	if (pbnl_parse_name(name, &bdf)) {
		NL_SET_BAD_ATTR(extack, attr);
		PBNL_SET_ERR_MSG_FMT(extack,
				     "malformed device name \"%.17s\" (want DDDD:BB:DD.F)",
				     name);
		return ERR_PTR(-EINVAL);
	}
	pdev = pci_get_domain_bus_and_slot(bdf.domain, bdf.bus, bdf.devfn);
	if (!pdev) {
		NL_SET_BAD_ATTR(extack, attr);
		PBNL_SET_ERR_MSG_FMT(extack, "device %04x:%02x:%02x.%d not found",
				     bdf.domain, bdf.bus, PCI_SLOT(bdf.devfn),
				     PCI_FUNC(bdf.devfn));
		return ERR_PTR(-ENODEV);
	}
	return pdev;
}

static u32 pbnl_hdr_type(struct pci_dev *pdev)
{
	switch (pdev->hdr_type) {
	case PCI_HEADER_TYPE_BRIDGE:
		return PCIBACK_HDR_TYPE_BRIDGE;
	case PCI_HEADER_TYPE_CARDBUS:
		return PCIBACK_HDR_TYPE_CARDBUS;
	default:
		return PCIBACK_HDR_TYPE_ENDPOINT;
	}
}

static int pbnl_put_sriov(struct sk_buff *skb, struct pci_dev *pdev)
{
	if (pdev->is_physfn) {
		if (nla_put_u32(skb, PCIBACK_A_DEV_SRIOV_ROLE,
				PCIBACK_SRIOV_ROLE_PF) ||
		    nla_put_u32(skb, PCIBACK_A_DEV_SRIOV_TOTAL_VFS,
				pci_sriov_get_totalvfs(pdev)) ||
		    nla_put_u32(skb, PCIBACK_A_DEV_SRIOV_NUM_VFS,
				pci_num_vf(pdev)))
			return -EMSGSIZE;
	} else if (pdev->is_virtfn) {
		if (nla_put_u32(skb, PCIBACK_A_DEV_SRIOV_ROLE,
				PCIBACK_SRIOV_ROLE_VF) ||
		    nla_put_string(skb, PCIBACK_A_DEV_PHYSFN,
				   pci_name(pci_physfn(pdev))))
			return -EMSGSIZE;
	}
	return 0;
}

static int pbnl_put_reset_methods(struct sk_buff *skb, struct pci_dev *pdev)
{
	unsigned int i;
	u8 m;

	for (i = 0; i < ARRAY_SIZE(pdev->reset_methods); i++) {
		m = pdev->reset_methods[i];
		if (!m)
			break;
		if (m >= ARRAY_SIZE(pbnl_reset_names) || !pbnl_reset_names[m])
			continue;
		if (nla_put_string(skb, PCIBACK_A_DEV_RESET_METHOD,
				   pbnl_reset_names[m]))
			return -EMSGSIZE;
	}
	return 0;
}

/* Everything that can change under a bound driver; device lock held. */
static int pbnl_put_locked(struct sk_buff *skb, struct pci_dev *pdev)
{
	struct device_driver *drv = pdev->dev.driver;

	if (drv) {
		if (nla_put_string(skb, PCIBACK_A_DEV_DRIVER, drv->name))
			return -EMSGSIZE;
		if (!strcmp(drv->name, PBNL_PCIBACK_DRV_NAME) &&
		    nla_put_flag(skb, PCIBACK_A_DEV_PCIBACK))
			return -EMSGSIZE;
	}
	if (pbnl_put_driver_override(skb, PCIBACK_A_DEV_DRIVER_OVERRIDE, pdev))
		return -EMSGSIZE;
	return pbnl_put_reset_methods(skb, pdev);
}

/**
 * pbnl_dev_put() - put the attributes of the "dev" object of one function
 * @skb: message buffer, with a header or a nest open
 * @pdev: the function, referenced by the caller
 * @intr: take the device lock interruptibly (requests that changed nothing:
 *        a signal may end them); false for what reports a completed move
 *        (results, notifications), which a signal must not cut short
 *
 * The one builder of the "dev" object: dev-get replies, dumps, the results
 * of dev-hide and dev-unhide and the notifications all use it.  Takes the
 * device lock and the records lock.
 *
 * Return: 0, -EMSGSIZE when @skb is full, -EINTR on a signal (@intr).
 */
int pbnl_dev_put(struct sk_buff *skb, struct pci_dev *pdev, bool intr)
{
	int domid, ret;

	if (nla_put_string(skb, PCIBACK_A_DEV_NAME, pci_name(pdev)) ||
	    nla_put_u32(skb, PCIBACK_A_DEV_DOMAIN, pci_domain_nr(pdev->bus)) ||
	    nla_put_u32(skb, PCIBACK_A_DEV_BUS, pdev->bus->number) ||
	    nla_put_u32(skb, PCIBACK_A_DEV_DEVFN, pdev->devfn) ||
	    nla_put_u32(skb, PCIBACK_A_DEV_VENDOR, pdev->vendor) ||
	    nla_put_u32(skb, PCIBACK_A_DEV_DEVICE, pdev->device) ||
	    nla_put_u32(skb, PCIBACK_A_DEV_SUBSYSTEM_VENDOR,
			pdev->subsystem_vendor) ||
	    nla_put_u32(skb, PCIBACK_A_DEV_SUBSYSTEM_DEVICE,
			pdev->subsystem_device) ||
	    nla_put_u32(skb, PCIBACK_A_DEV_CLASS, pdev->class) ||
	    nla_put_u32(skb, PCIBACK_A_DEV_REVISION, pdev->revision) ||
	    nla_put_u32(skb, PCIBACK_A_DEV_HDR_TYPE, pbnl_hdr_type(pdev)) ||
	    (pdev->multifunction &&
	     nla_put_flag(skb, PCIBACK_A_DEV_MULTIFUNCTION)) ||
	    pbnl_put_sriov(skb, pdev))
		return -EMSGSIZE;

	domid = pbnl_guest_domid(pdev);
	if (domid >= 0 && nla_put_u32(skb, PCIBACK_A_DEV_GUEST_DOMID, domid))
		return -EMSGSIZE;
	ret = pbnl_rec_put(skb, pdev);
	if (ret)
		return ret;

	pbnl_fault_contend(&pdev->dev);
	if (intr) {
		ret = device_lock_interruptible(&pdev->dev);
		if (ret)
			return ret;
	} else {
		device_lock(&pdev->dev);
	}
	ret = pbnl_put_locked(skb, pdev);
	device_unlock(&pdev->dev);
	return ret;
}

/**
 * pbnl_dev_fill() - describe one PCI function in a new message
 * @skb: message buffer
 * @pdev: the function, referenced by the caller
 * @portid: destination port
 * @seq: sequence number
 * @flags: netlink message flags
 * @cmd: command of the message
 * @event: for notifications, the enum pciback_event; 0 otherwise
 * @intr: as for pbnl_dev_put()
 *
 * Return: 0, -EMSGSIZE when @skb is full, -EINTR on a signal (@intr).
 */
int pbnl_dev_fill(struct sk_buff *skb, struct pci_dev *pdev, u32 portid,
		  u32 seq, int flags, u8 cmd, u32 event, bool intr)
{
	void *hdr;
	int ret;

	hdr = genlmsg_put(skb, portid, seq, &pbnl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	ret = pbnl_dev_put(skb, pdev, intr);
	if (!ret && event && nla_put_u32(skb, PCIBACK_A_DEV_EVENT, event))
		ret = -EMSGSIZE;
	if (ret) {
		genlmsg_cancel(skb, hdr);
		return ret;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* The most a string attribute of @s (NULL: none) takes. */
static size_t pbnl_str_size(const char *s)
{
	return s ? nla_total_size(strlen(s) + 1) : 0;
}

/**
 * pbnl_dev_size() - room for one "dev" object of @pdev, in a message of its own
 * @pdev: the function
 *
 * An upper bound for what pbnl_dev_fill() puts now: the fixed attributes at
 * their largest, and the strings (driver, driver_override and what the
 * record holds) at their current length.  A string that grows afterwards
 * (another writer of driver_override) may make the fill fail with
 * -EMSGSIZE; callers then try once more with a new bound.  Sleeps.
 */
size_t pbnl_dev_size(struct pci_dev *pdev)
{
	size_t size = NLMSG_HDRLEN + GENL_HDRLEN;
	char *ovr = NULL, *rdrv = NULL, *rovr = NULL;
	int err;

	/* name, physfn, 14 u32 and 3 flags; reset method names */
	size += 2 * nla_total_size(PCIBACK_DEV_NAME_MAX) +
		14 * nla_total_size(sizeof(u32)) + 3 * nla_total_size(0) +
		ARRAY_SIZE(pdev->reset_methods) *
		nla_total_size(sizeof("device_specific"));
	device_lock(&pdev->dev);
	if (pdev->dev.driver)
		size += pbnl_str_size(pdev->dev.driver->name);
	device_unlock(&pdev->dev);
	if (!pbnl_dup_driver_override(pdev, &ovr))
		size += pbnl_str_size(ovr);
	err = pbnl_rec_copy(pdev, &rdrv, &rovr);
	if (err >= 0)
		size += pbnl_str_size(rdrv) + pbnl_str_size(rovr);
	kfree(ovr);
	kfree(rdrv);
	kfree(rovr);
	return size;
}
