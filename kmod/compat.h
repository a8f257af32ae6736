/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels pciback_nl builds against.  Every shim is
 * selected by a feature macro that Kbuild sets after looking for the feature
 * in the target kernel's headers; nothing else in the module tests versions.
 *
 *  PBNL_HAVE_EXTACK_FMT              NL_SET_ERR_MSG_FMT_MOD() exists (6.2+)
 *  PBNL_HAVE_DEVICE_DRIVER_OVERRIDE  driver_override lives in struct device
 *                                    and is set with device_set_driver_override()
 *                                    (6.12 stable as Debian ships it); before
 *                                    that it is pci_dev::driver_override.
 *  PBNL_HAVE_LINUX_HEX_H             hex_to_bin() is declared in <linux/hex.h>,
 *                                    which <linux/kernel.h> stopped including
 *                                    in 7.x; 6.1 has no such header.
 *  PBNL_HAVE_KZALLOC_OBJ             <linux/slab.h> has kzalloc_obj() (7.x,
 *                                    and 6.12 as Debian ships it), which
 *                                    checkpatch asks for from 7.x on.
 */
#ifndef PBNL_COMPAT_H
#define PBNL_COMPAT_H

#include <linux/device.h>
#include <linux/netlink.h>
#include <linux/pci.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <xen/pci.h>
#include <linux/acpi.h>
#include <net/netlink.h>
#ifdef PBNL_HAVE_LINUX_HEX_H
#include <linux/hex.h>
#endif

#ifndef PBNL_HAVE_KZALLOC_OBJ
/* kzalloc() of one object of the type of @P, a variable or a type */
#define kzalloc_obj(P, gfp) kzalloc(sizeof(P), gfp)
#endif

#ifdef PBNL_HAVE_EXTACK_FMT
#define PBNL_SET_ERR_MSG_FMT(extack, fmt, args...) \
	NL_SET_ERR_MSG_FMT_MOD(extack, fmt, ##args)
#else
const char *pbnl_extack_format(const char *fmt, ...) __printf(1, 2);

/*
 * No formatted extack messages: the netlink_ext_ack only carries a pointer
 * that must stay valid until the ack is built, after the handler returns.
 * pbnl_extack_format() hands out slots of a ring (see compat.c).
 */
#define PBNL_SET_ERR_MSG_FMT(extack, fmt, args...) do {			\
	struct netlink_ext_ack *__pbnl_ext = (extack);			\
									\
	if (__pbnl_ext)							\
		__pbnl_ext->_msg = pbnl_extack_format(KBUILD_MODNAME ": "	\
						       fmt, ##args);	\
} while (0)
#endif

/*
 * pbnl_put_driver_override() - put a device's driver_override as attribute
 * @attr unless it is unset.  The caller holds the device lock, which is what
 * protects pci_dev::driver_override; the driver-core variant has its own
 * spinlock as well.
 */
static inline int pbnl_put_driver_override(struct sk_buff *skb, int attr,
					   struct pci_dev *pdev)
{
	int ret = 0;

#ifdef PBNL_HAVE_DEVICE_DRIVER_OVERRIDE
	spin_lock(&pdev->dev.driver_override.lock);
	if (pdev->dev.driver_override.name)
		ret = nla_put_string(skb, attr, pdev->dev.driver_override.name);
	spin_unlock(&pdev->dev.driver_override.lock);
#else
	device_lock_assert(&pdev->dev);
	if (pdev->driver_override)
		ret = nla_put_string(skb, attr, pdev->driver_override);
#endif
	return ret;
}

/*
 * pbnl_set_driver_override() - set (or with NULL clear) a device's
 * driver_override, as a write to its sysfs file would.  Sleeps.
 */
static inline int pbnl_set_driver_override(struct pci_dev *pdev,
					   const char *name)
{
#ifdef PBNL_HAVE_DEVICE_DRIVER_OVERRIDE
	return device_set_driver_override(&pdev->dev, name ? name : "");
#else
	return driver_set_override(&pdev->dev, &pdev->driver_override,
				   name ? name : "", name ? strlen(name) : 0);
#endif
}

/*
 * pbnl_dup_driver_override() - a copy of a device's driver_override.
 * Return: 0 with *@out NULL when unset, 0 with a kmalloc'ed copy, or
 * -ENOMEM.  Sleeps (takes the device lock on kernels where that is what
 * protects the field).
 */
static inline int pbnl_dup_driver_override(struct pci_dev *pdev, char **out)
{
	const char *cur;

	*out = NULL;
#ifdef PBNL_HAVE_DEVICE_DRIVER_OVERRIDE
	spin_lock(&pdev->dev.driver_override.lock);
	cur = pdev->dev.driver_override.name;
	if (cur)
		*out = kstrdup(cur, GFP_ATOMIC);
	spin_unlock(&pdev->dev.driver_override.lock);
#else
	device_lock(&pdev->dev);
	cur = pdev->driver_override;
	if (cur)
		*out = kstrdup(cur, GFP_KERNEL);
	device_unlock(&pdev->dev);
#endif
	return cur && !*out ? -ENOMEM : 0;
}

/*
 * pbnl_override_is() - whether a device's driver_override is @name (NULL:
 * unset).  Sleeps.
 */
static inline bool pbnl_override_is(struct pci_dev *pdev, const char *name)
{
	char *cur;
	bool same;

	if (pbnl_dup_driver_override(pdev, &cur))
		return false;
	same = name ? cur && !strcmp(cur, name) : !cur;
	kfree(cur);
	return same;
}

/*
 * pbnl_set_driver_override_locked() - pbnl_set_driver_override() for a
 * caller that holds the device lock (a bus notifier of driver binding:
 * the driver core sends those under it).  Sleeps.
 */
static inline int pbnl_set_driver_override_locked(struct pci_dev *pdev,
						  const char *name)
{
#ifdef PBNL_HAVE_DEVICE_DRIVER_OVERRIDE
	return device_set_driver_override(&pdev->dev, name ? name : "");
#else
	const char *old;
	char *new = NULL;

	device_lock_assert(&pdev->dev);
	if (name && *name) {
		new = kstrdup(name, GFP_KERNEL);
		if (!new)
			return -ENOMEM;
	}
	old = pdev->driver_override;
	pdev->driver_override = new;
	kfree(old);
	return 0;
#endif
}

/*
 * pbnl_override_is_locked() - pbnl_override_is() for a caller that holds
 * the device lock.
 */
static inline bool pbnl_override_is_locked(struct pci_dev *pdev,
					   const char *name)
{
	const char *cur;
	bool same;

#ifdef PBNL_HAVE_DEVICE_DRIVER_OVERRIDE
	spin_lock(&pdev->dev.driver_override.lock);
	cur = pdev->dev.driver_override.name;
	same = name ? cur && !strcmp(cur, name) : !cur;
	spin_unlock(&pdev->dev.driver_override.lock);
#else
	device_lock_assert(&pdev->dev);
	cur = pdev->driver_override;
	same = name ? cur && !strcmp(cur, name) : !cur;
#endif
	return same;
}

/*
 * pbnl_guest_domid() - the Xen domain that owns @pdev (registered by
 * xen-pciback when a guest's frontend attaches), or -ENODEV.
 */
static inline int pbnl_guest_domid(struct pci_dev *pdev)
{
	return xen_find_device_domain_owner(pdev);
}

/*
 * pbnl_real_dma_dev() - pci_real_dma_dev(), which is not exported: on x86
 * with VMD, a function of a VMD domain does DMA with the requester ID of
 * the VMD endpoint (arch/x86/pci/common.c); elsewhere the function itself.
 */
static inline struct pci_dev *pbnl_real_dma_dev(struct pci_dev *pdev)
{
#if defined(CONFIG_X86) && IS_ENABLED(CONFIG_VMD)
	if (is_vmd(pdev->bus))
		return to_pci_sysdata(pdev->bus)->vmd_dev;
#endif
	return pdev;
}

/*
 * pbnl_acpi_has_ivrs() - whether ACPI has an IVRS table, as
 * pci_quirk_amd_sb_acs() asks.  Sleeps.
 */
static inline bool pbnl_acpi_has_ivrs(void)
{
#ifdef CONFIG_ACPI
	struct acpi_table_header *header = NULL;

	if (ACPI_FAILURE(acpi_get_table("IVRS", 0, &header)))
		return false;
	acpi_put_table(header);
	return true;
#else
	return false;
#endif
}

#endif /* PBNL_COMPAT_H */
