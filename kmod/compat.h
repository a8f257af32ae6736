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
 */
#ifndef PBNL_COMPAT_H
#define PBNL_COMPAT_H

#include <linux/device.h>
#include <linux/netlink.h>
#include <linux/pci.h>
#include <linux/skbuff.h>
#include <net/netlink.h>

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

#endif /* PBNL_COMPAT_H */
