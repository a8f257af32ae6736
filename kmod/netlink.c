// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "pciback": policies, operations and the
 * dev-get request handlers.
 *
 * Locking: the family is not parallel_ops, so the genetlink core runs every
 * doit, and every dumpit round, under genl_mutex; handlers of this family
 * never run concurrently with each other.  Dumps hold no reference or
 * pointer between rounds: the cursor is the key (domain, bus, devfn) of the
 * last function sent, so functions added or removed between rounds neither
 * break nor repeat the dump.
 */
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <net/genetlink.h>

#include "pciback_nl.h"

static const struct nla_policy pbnl_dev_get_policy[PCIBACK_A_DEV_NAME + 1] = {
	[PCIBACK_A_DEV_NAME] = { .type = NLA_NUL_STRING,
				 .len = PCIBACK_DEV_NAME_MAX - 1 },
};

static int pbnl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[PCIBACK_A_DEV_NAME];
	struct netlink_ext_ack *extack = info->extack;
	struct pci_dev *pdev;
	struct sk_buff *msg;
	int ret;

	if (!attr) {
		NL_SET_ERR_ATTR_MISS(extack, NULL, PCIBACK_A_DEV_NAME);
		PBNL_SET_ERR_MSG_FMT(extack, "missing attribute \"name\"");
		return -EINVAL;
	}
	pdev = pbnl_dev_get_by_attr(attr, extack);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	ret = pbnl_dev_fill(msg, pdev, info->snd_portid, info->snd_seq, 0,
			    PCIBACK_CMD_DEV_GET);
	if (ret) {
		nlmsg_free(msg);
		PBNL_SET_ERR_MSG_FMT(extack, "cannot describe %s: error %d",
				     pci_name(pdev), ret);
		goto out;
	}
	ret = genlmsg_reply(msg, info);
out:
	pci_dev_put(pdev);
	return ret;
}

static int pbnl_key_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The keys of all functions after the cursor, sorted.  Every round starts
 * over from the current device list, so nothing is kept between rounds.
 */
static u64 *pbnl_keys_after(bool started, u64 cursor, size_t *count)
{
	struct pci_dev *pdev = NULL;
	size_t n = 0, cap = 0;
	u64 *keys, key;

	for_each_pci_dev(pdev)
		cap++;
	keys = kvmalloc_array(cap ? cap : 1, sizeof(*keys), GFP_KERNEL);
	if (!keys)
		return NULL;
	for_each_pci_dev(pdev) {
		key = pbnl_dev_key(pdev);
		/* Devices added since counting wait for a later round. */
		if ((!started || key > cursor) && n < cap)
			keys[n++] = key;
	}
	sort(keys, n, sizeof(*keys), pbnl_key_cmp, NULL);
	*count = n;
	return keys;
}

static int pbnl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	bool started = cb->args[0];
	struct pci_dev *pdev;
	size_t i, n = 0;
	int ret = 0;
	u64 *keys;

	if (!started && nlmsg_attrlen(cb->nlh, GENL_HDRLEN)) {
		NL_SET_ERR_MSG_MOD(cb->extack, "dev-get dump takes no attributes");
		return -EINVAL;
	}

	keys = pbnl_keys_after(started, cb->args[1], &n);
	if (!keys)
		return -ENOMEM;

	for (i = 0; i < n; i++) {
		pdev = pci_get_domain_bus_and_slot(keys[i] >> 16,
						   (keys[i] >> 8) & 0xff,
						   keys[i] & 0xff);
		if (!pdev)
			continue;	/* removed meanwhile */
		ret = pbnl_dev_fill(skb, pdev, NETLINK_CB(cb->skb).portid,
				    cb->nlh->nlmsg_seq, NLM_F_MULTI,
				    PCIBACK_CMD_DEV_GET);
		pci_dev_put(pdev);
		if (ret)
			break;
		cb->args[0] = 1;
		cb->args[1] = keys[i];
	}
	kvfree(keys);

	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	if (ret)
		return ret;
	return skb->len;
}

static const struct genl_ops pbnl_ops[] = {
	{
		.cmd = PCIBACK_CMD_DEV_GET,
		.doit = pbnl_dev_get_doit,
		.dumpit = pbnl_dev_get_dumpit,
		.policy = pbnl_dev_get_policy,
		.maxattr = ARRAY_SIZE(pbnl_dev_get_policy) - 1,
	},
};

struct genl_family pbnl_family __ro_after_init = {
	.name = PCIBACK_FAMILY_NAME,
	.version = PCIBACK_FAMILY_VERSION,
	.maxattr = PCIBACK_A_DEV_MAX,
	.module = THIS_MODULE,
	.ops = pbnl_ops,
	.n_ops = ARRAY_SIZE(pbnl_ops),
	/* Every command validates strictly, reserved header fields included. */
	.resv_start_op = PCIBACK_CMD_DEV_GET,
	.netnsok = false,
};

int pbnl_netlink_init(void)
{
	return genl_register_family(&pbnl_family);
}

void pbnl_netlink_exit(void)
{
	genl_unregister_family(&pbnl_family);
}
