// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "pciback": policies, operations and the
 * dev-get request handlers.
 *
 * Locking: the family is parallel_ops: handlers run concurrently, without
 * genl_mutex, so a long dev-hide does not stall other generic netlink
 * users.  Reads need no lock of ours; dev-hide and dev-unhide serialize on
 * pbnl_op_lock (hide.c).  Dumps hold no reference or
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

	msg = genlmsg_new(NLMSG_GOODSIZE + PAGE_SIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	ret = pbnl_dev_fill(msg, pdev, info->snd_portid, info->snd_seq, 0,
			    PCIBACK_CMD_DEV_GET, 0);
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
	size_t n = 0, cap = 0, i, j;
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
	/* A device removed mid-walk restarts the walk: drop repeats. */
	for (i = 0, j = 0; i < n; i++)
		if (!j || keys[j - 1] != keys[i])
			keys[j++] = keys[i];
	*count = j;
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
				    PCIBACK_CMD_DEV_GET, 0);
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

static const struct nla_policy pbnl_op_policy[PCIBACK_A_OP_FLAGS + 1] = {
	[PCIBACK_A_OP_DEV_NAME] = { .type = NLA_NUL_STRING,
				    .len = PCIBACK_DEV_NAME_MAX - 1 },
	[PCIBACK_A_OP_FLAGS] = NLA_POLICY_MASK(NLA_U32,
					       PCIBACK_OP_FLAG_DRY_RUN |
					       PCIBACK_OP_FLAG_FORCE |
					       PCIBACK_OP_FLAG_ALLOW_BRIDGE |
					       PCIBACK_OP_FLAG_IOMMU_GROUP |
					       PCIBACK_OP_FLAG_WITH_GROUP),
};

static const struct nla_policy pbnl_group_policy[PCIBACK_A_GROUP_FLAGS + 1] = {
	[PCIBACK_A_GROUP_DEV_NAME] = { .type = NLA_NUL_STRING,
				       .len = PCIBACK_DEV_NAME_MAX - 1 },
	[PCIBACK_A_GROUP_FLAGS] = NLA_POLICY_MASK(NLA_U32,
						  PCIBACK_OP_FLAG_IOMMU_GROUP),
};

/*
 * The devices of a request (attributes of type @name_type: dev-name of
 * the op or of the group set), in order, referenced; duplicates refused.
 */
int pbnl_op_parse(struct pbnl_op *op, struct genl_info *info, int name_type)
{
	struct netlink_ext_ack *extack = info->extack;
	unsigned int count = 0, i;
	struct pci_dev *pdev;
	struct nlattr *nla;
	int rem;

	nlmsg_for_each_attr(nla, info->nlhdr, GENL_HDRLEN, rem)
		if (nla_type(nla) == name_type)
			count++;
	if (!count) {
		NL_SET_ERR_ATTR_MISS(extack, NULL, name_type);
		PBNL_SET_ERR_MSG_FMT(extack, "missing attribute \"dev-name\"");
		return -EINVAL;
	}
	if (count > PBNL_OP_MAX_DEVS) {
		PBNL_SET_ERR_MSG_FMT(extack, "too many devices (at most %d)",
				     PBNL_OP_MAX_DEVS);
		return -EINVAL;
	}
	op->items = kcalloc(count, sizeof(*op->items), GFP_KERNEL);
	if (!op->items)
		return -ENOMEM;

	nlmsg_for_each_attr(nla, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(nla) != name_type)
			continue;
		pdev = pbnl_dev_get_by_attr(nla, extack);
		if (IS_ERR(pdev))
			return PTR_ERR(pdev);
		for (i = 0; i < op->n; i++) {
			if (op->items[i].pdev == pdev) {
				NL_SET_BAD_ATTR(extack, nla);
				PBNL_SET_ERR_MSG_FMT(extack, "%s is listed twice",
						     pci_name(pdev));
				pci_dev_put(pdev);
				return -EINVAL;
			}
		}
		op->items[op->n++].pdev = pdev;
	}
	return 0;
}

/* One attribute per line of @w. */
static int pbnl_put_warnings(struct sk_buff *skb, const char *w)
{
	struct nlattr *a;
	const char *end;

	for (; (end = strchr(w, '\n')); w = end + 1) {
		a = nla_reserve(skb, PCIBACK_A_RESULT_WARNING, end - w + 1);
		if (!a)
			return -EMSGSIZE;
		memcpy(nla_data(a), w, end - w);
		((char *)nla_data(a))[end - w] = '\0';
	}
	return 0;
}

static int pbnl_op_put_result(struct sk_buff *skb, struct pbnl_op *op,
			      struct pbnl_item *it)
{
	bool dry = op->flags & PCIBACK_OP_FLAG_DRY_RUN;
	struct nlattr *res, *dev;
	const char *to;
	int ret;

	res = nla_nest_start(skb, PCIBACK_A_OP_RESULT);
	if (!res)
		return -EMSGSIZE;
	to = dry ? (it->attach_none ? NULL : it->target_driver) :
		   it->after_driver;
	if (nla_put_string(skb, PCIBACK_A_RESULT_NAME, pci_name(it->pdev)) ||
	    (it->before_driver &&
	     nla_put_string(skb, PCIBACK_A_RESULT_FROM_DRIVER,
			    it->before_driver)) ||
	    (to && nla_put_string(skb, PCIBACK_A_RESULT_TO_DRIVER, to)) ||
	    pbnl_put_warnings(skb, it->warning))
		return -EMSGSIZE;
	dev = nla_nest_start(skb, PCIBACK_A_RESULT_DEV);
	if (!dev)
		return -EMSGSIZE;
	ret = pbnl_dev_put(skb, it->pdev);
	if (ret)
		return ret;
	nla_nest_end(skb, dev);
	nla_nest_end(skb, res);
	return 0;
}

/* Room for the reply: driver_override strings may be up to a page. */
static size_t pbnl_op_reply_size(struct pbnl_op *op)
{
	return 256 + op->n * (2048 + 2 * PAGE_SIZE);
}

/* dev-hide and dev-unhide share everything but the transaction's target. */
static int pbnl_op_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *flags = info->attrs[PCIBACK_A_OP_FLAGS];
	struct pbnl_op op = {
		.cmd = info->genlhdr->cmd,
		.flags = flags ? nla_get_u32(flags) : 0,
		.extack = info->extack,
	};
	struct sk_buff *msg = NULL;
	unsigned int i;
	void *hdr;
	int ret;

	if (!netlink_capable(skb, CAP_SYS_ADMIN)) {
		PBNL_SET_ERR_MSG_FMT(info->extack,
				     "moving devices needs CAP_SYS_ADMIN");
		return -EPERM;
	}
	ret = pbnl_op_parse(&op, info, PCIBACK_A_OP_DEV_NAME);
	if (!ret && op.cmd == PCIBACK_CMD_DEV_HIDE)
		ret = pbnl_group_enforce(&op);
	if (ret)
		goto out;

	/* Allocate the reply first: once devices moved, it must not fail. */
	msg = genlmsg_new(pbnl_op_reply_size(&op), GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	ret = pbnl_op_run(&op);
	if (ret)
		goto out;

	hdr = genlmsg_put_reply(msg, info, &pbnl_family, 0, op.cmd);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto out;
	}
	for (i = 0; i < op.n; i++) {
		ret = pbnl_op_put_result(msg, &op, &op.items[i]);
		if (ret) {
			PBNL_SET_ERR_MSG_FMT(info->extack,
					     "done, but the reply failed: error %d",
					     ret);
			goto out;
		}
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
	msg = NULL;
out:
	nlmsg_free(msg);
	pbnl_op_free(&op);
	return ret;
}

enum pbnl_mcgrp {
	PBNL_MCGRP_MONITOR,
};

static const struct genl_multicast_group pbnl_mcgrps[] = {
	[PBNL_MCGRP_MONITOR] = { .name = PCIBACK_MCGRP_MONITOR },
};

/**
 * pbnl_notify() - tell the "monitor" group that @pdev changed
 * @pdev: the function
 * @event: enum pciback_event
 *
 * The message is a dev-get reply (same builder) plus the event.
 */
void pbnl_notify(struct pci_dev *pdev, u32 event)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&pbnl_family, &init_net, PBNL_MCGRP_MONITOR))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE + PAGE_SIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (pbnl_dev_fill(msg, pdev, 0, 0, 0, PCIBACK_CMD_DEV_NTF, event)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_multicast(&pbnl_family, msg, 0, PBNL_MCGRP_MONITOR, GFP_KERNEL);
}

static const struct genl_ops pbnl_ops[] = {
	{
		.cmd = PCIBACK_CMD_DEV_GET,
		.doit = pbnl_dev_get_doit,
		.dumpit = pbnl_dev_get_dumpit,
		.policy = pbnl_dev_get_policy,
		.maxattr = ARRAY_SIZE(pbnl_dev_get_policy) - 1,
	},
	{
		.cmd = PCIBACK_CMD_DEV_HIDE,
		.doit = pbnl_op_doit,
		.policy = pbnl_op_policy,
		.maxattr = ARRAY_SIZE(pbnl_op_policy) - 1,
	},
	{
		.cmd = PCIBACK_CMD_DEV_UNHIDE,
		.doit = pbnl_op_doit,
		.policy = pbnl_op_policy,
		.maxattr = ARRAY_SIZE(pbnl_op_policy) - 1,
	},
	{
		.cmd = PCIBACK_CMD_GROUP_GET,
		.doit = pbnl_group_doit,
		.policy = pbnl_group_policy,
		.maxattr = ARRAY_SIZE(pbnl_group_policy) - 1,
	},
};

struct genl_family pbnl_family __ro_after_init = {
	.name = PCIBACK_FAMILY_NAME,
	.version = PCIBACK_FAMILY_VERSION,
	.maxattr = PCIBACK_A_DEV_MAX,
	.module = THIS_MODULE,
	.ops = pbnl_ops,
	.n_ops = ARRAY_SIZE(pbnl_ops),
	.mcgrps = pbnl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(pbnl_mcgrps),
	/* Every command validates strictly, reserved header fields included. */
	.resv_start_op = PCIBACK_CMD_DEV_GET,
	.netnsok = false,
	/* Handlers serialize where needed (hide.c), not on genl_mutex. */
	.parallel_ops = true,
};

int pbnl_netlink_init(void)
{
	return genl_register_family(&pbnl_family);
}

void pbnl_netlink_exit(void)
{
	genl_unregister_family(&pbnl_family);
}
