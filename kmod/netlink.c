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

/*
 * A new message describing @pdev, sized for it (pbnl_dev_size()); if a
 * string grew in between, once more with the room that now takes.
 * Return: the message, or NULL with *@err set.
 */
static struct sk_buff *pbnl_dev_msg(struct pci_dev *pdev, u32 portid, u32 seq,
				    u8 cmd, u32 event, bool intr, int *err)
{
	struct sk_buff *msg;
	unsigned int tries;

	for (tries = 0; tries < 2; tries++) {
		msg = nlmsg_new(pbnl_dev_size(pdev), GFP_KERNEL);
		if (!msg) {
			*err = -ENOMEM;
			return NULL;
		}
		*err = pbnl_dev_fill(msg, pdev, portid, seq, 0, cmd, event, intr);
		if (!*err)
			return msg;
		nlmsg_free(msg);
		if (*err != -EMSGSIZE)
			return NULL;
	}
	return NULL;
}

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

	msg = pbnl_dev_msg(pdev, info->snd_portid, info->snd_seq,
			   PCIBACK_CMD_DEV_GET, 0, true, &ret);
	if (!msg) {
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

/*
 * Each round of the dump gets a buffer that holds the largest object: with
 * the default (a page), a function whose driver_override strings are near
 * a page long would end the dump with -EMSGSIZE.
 */
static int pbnl_dev_get_dump_start(struct netlink_callback *cb)
{
	struct pci_dev *pdev = NULL;
	size_t max = NLMSG_GOODSIZE, size;

	for_each_pci_dev(pdev) {
		size = pbnl_dev_size(pdev);
		if (size > max)
			max = size;
		cond_resched();
	}
	cb->min_dump_alloc = max;
	return 0;
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
				    PCIBACK_CMD_DEV_GET, 0, true);
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

static const struct nla_policy pbnl_fallback_policy[PCIBACK_A_FALLBACK_DRIVER + 1] = {
	[PCIBACK_A_FALLBACK_DEV_NAME] = { .type = NLA_NUL_STRING,
					  .len = PCIBACK_DEV_NAME_MAX - 1 },
	[PCIBACK_A_FALLBACK_DRIVER] = { .type = NLA_NUL_STRING,
					.len = PBNL_DRIVER_NAME_MAX - 1 },
};

static const struct nla_policy pbnl_op_policy[PCIBACK_A_OP_FALLBACK + 1] = {
	[PCIBACK_A_OP_DEV_NAME] = { .type = NLA_NUL_STRING,
				    .len = PCIBACK_DEV_NAME_MAX - 1 },
	[PCIBACK_A_OP_FLAGS] = NLA_POLICY_MASK(NLA_U32,
					       PCIBACK_OP_FLAG_DRY_RUN |
					       PCIBACK_OP_FLAG_FORCE |
					       PCIBACK_OP_FLAG_ALLOW_BRIDGE |
					       PCIBACK_OP_FLAG_IOMMU_GROUP |
					       PCIBACK_OP_FLAG_WITH_GROUP),
	[PCIBACK_A_OP_RESULT] = { .type = NLA_REJECT },
	[PCIBACK_A_OP_FALLBACK] = NLA_POLICY_NESTED(pbnl_fallback_policy),
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

/*
 * dev-unhide's fallback drivers: each names a function of the request, at
 * most once, and a PCI driver other than pciback.  The names point into
 * the request, which outlives the operation.
 */
static int pbnl_op_parse_fallbacks(struct pbnl_op *op, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[PCIBACK_A_FALLBACK_DRIVER + 1];
	struct pbnl_item *it = NULL;
	struct device_driver *drv;
	struct pci_dev *pdev;
	struct nlattr *nla;
	const char *name;
	unsigned int i;
	int rem, ret;

	nlmsg_for_each_attr(nla, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(nla) != PCIBACK_A_OP_FALLBACK)
			continue;
		if (op->cmd != PCIBACK_CMD_DEV_UNHIDE) {
			NL_SET_BAD_ATTR(extack, nla);
			PBNL_SET_ERR_MSG_FMT(extack, "\"fallback\" is for dev-unhide only");
			return -EINVAL;
		}
		ret = nla_parse_nested(tb, PCIBACK_A_FALLBACK_DRIVER, nla,
				       pbnl_fallback_policy, extack);
		if (ret)
			return ret;
		if (!tb[PCIBACK_A_FALLBACK_DEV_NAME] ||
		    !tb[PCIBACK_A_FALLBACK_DRIVER]) {
			NL_SET_BAD_ATTR(extack, nla);
			PBNL_SET_ERR_MSG_FMT(extack, "\"fallback\" needs a dev-name and a driver");
			return -EINVAL;
		}
		pdev = pbnl_dev_get_by_attr(tb[PCIBACK_A_FALLBACK_DEV_NAME],
					    extack);
		if (IS_ERR(pdev))
			return PTR_ERR(pdev);
		for (i = 0, it = NULL; i < op->n && !it; i++)
			if (op->items[i].pdev == pdev)
				it = &op->items[i];
		name = nla_data(tb[PCIBACK_A_FALLBACK_DRIVER]);
		ret = 0;
		if (!it) {
			PBNL_SET_ERR_MSG_FMT(extack,
					     "%s: a fallback driver for a function not in the request",
					     pci_name(pdev));
			ret = -EINVAL;
		} else if (it->fallback) {
			PBNL_SET_ERR_MSG_FMT(extack, "%s: two fallback drivers",
					     pci_name(pdev));
			ret = -EINVAL;
		} else if (!strcmp(name, PBNL_PCIBACK_DRV_NAME)) {
			PBNL_SET_ERR_MSG_FMT(extack, "%s: the fallback driver cannot be pciback",
					     pci_name(pdev));
			ret = -EINVAL;
		} else {
			drv = pbnl_driver_get(name);
			if (drv)
				pbnl_driver_put(drv);
			else
				PBNL_SET_ERR_MSG_FMT(extack,
						     "%s: fallback driver %s: no such PCI driver",
						     pci_name(pdev), name);
			ret = drv ? 0 : -EINVAL;
		}
		if (ret) {
			NL_SET_BAD_ATTR(extack, nla);
			pci_dev_put(pdev);
			return ret;
		}
		it->fallback = name;
		pci_dev_put(pdev);
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
	ret = pbnl_dev_put(skb, it->pdev, false);
	if (ret) {
		/*
		 * A string grew since the reply was sized (another writer of
		 * driver_override): the result goes without the device.
		 */
		nla_nest_cancel(skb, dev);
		if (nla_put_string(skb, PCIBACK_A_RESULT_WARNING,
				   "device details did not fit; see dev-get"))
			return -EMSGSIZE;
	} else {
		nla_nest_end(skb, dev);
	}
	nla_nest_end(skb, res);
	return 0;
}

/* The longest warning text an item can carry, as attributes. */
#define PBNL_WARNINGS_SIZE \
	(sizeof_field(struct pbnl_item, warning) + \
	 sizeof_field(struct pbnl_item, warning) / 2 * NLA_HDRLEN)

/**
 * pbnl_op_reply_alloc() - allocate the reply messages of an operation
 * @op: a prepared operation
 *
 * One message per function, each sized for its result: the device (at its
 * size now), the names of the drivers before and after (the target's, or
 * for a function the bus gives a driver, any name up to a page), the
 * warnings.  Called before anything moves, so that a completed move always
 * has its reply.  Return: 0 or -ENOMEM.
 */
int pbnl_op_reply_alloc(struct pbnl_op *op)
{
	unsigned int i;

	for (i = 0; i < op->n; i++) {
		struct pbnl_item *it = &op->items[i];
		size_t size;

		size = pbnl_dev_size(it->pdev) +
		       nla_total_size(0) +		/* result nest */
		       nla_total_size(0) +		/* dev nest */
		       nla_total_size(PCIBACK_DEV_NAME_MAX) +
		       PBNL_WARNINGS_SIZE +
		       (it->before_driver ?
			nla_total_size(strlen(it->before_driver) + 1) : 0) +
		       /* the driver after: the target's or the bus's choice */
		       nla_total_size(it->target_driver ?
				      strlen(it->target_driver) + 1 : 64) +
		       /* the dev object after: driver and driver_override */
		       2 * nla_total_size(64) +
		       (it->target_override ?
			nla_total_size(strlen(it->target_override) + 1) : 0) +
		       (it->before_override ?
			nla_total_size(strlen(it->before_override) + 1) : 0);
		it->reply = nlmsg_new(size, GFP_KERNEL);
		if (!it->reply)
			return -ENOMEM;
	}
	return 0;
}

/*
 * The replies: one message per function, in request order, each with the
 * one result; then the ack.  A reply that cannot be built says so in the
 * kernel log (the move is done; only the report is short).
 */
static void pbnl_op_reply_send(struct pbnl_op *op, struct genl_info *info)
{
	unsigned int i;
	void *hdr;
	int ret;

	for (i = 0; i < op->n; i++) {
		struct pbnl_item *it = &op->items[i];
		struct sk_buff *msg = it->reply;

		it->reply = NULL;
		hdr = genlmsg_put_reply(msg, info, &pbnl_family, 0, op->cmd);
		ret = hdr ? pbnl_op_put_result(msg, op, it) : -EMSGSIZE;
		if (ret) {
			pci_warn(it->pdev, "result of the %s not reported: %d\n",
				 op->cmd == PCIBACK_CMD_DEV_HIDE ? "hide" : "unhide",
				 ret);
			nlmsg_free(msg);
			continue;
		}
		genlmsg_end(msg, hdr);
		genlmsg_reply(msg, info);
	}
}

/* dev-hide and dev-unhide share everything but the transaction's target. */
static int pbnl_op_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *flags = info->attrs[PCIBACK_A_OP_FLAGS];
	struct pbnl_op op = {
		.cmd = info->genlhdr->cmd,
		.flags = flags ? nla_get_u32(flags) : 0,
		.extack = info->extack,
		.info = info,
	};
	int ret;

	if (!netlink_capable(skb, CAP_SYS_ADMIN)) {
		PBNL_SET_ERR_MSG_FMT(info->extack,
				     "moving devices needs CAP_SYS_ADMIN");
		return -EPERM;
	}
	ret = pbnl_op_parse(&op, info, PCIBACK_A_OP_DEV_NAME);
	if (!ret)
		ret = pbnl_op_parse_fallbacks(&op, info);
	if (!ret)
		ret = pbnl_op_run(&op);
	if (!ret)
		pbnl_op_reply_send(&op, info);
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
	int ret;

	if (!genl_has_listeners(&pbnl_family, &init_net, PBNL_MCGRP_MONITOR))
		return;
	msg = pbnl_dev_msg(pdev, 0, 0, PCIBACK_CMD_DEV_NTF, event, false, &ret);
	if (!msg) {
		pci_warn(pdev, "no notification of the change: %d\n", ret);
		return;
	}
	genlmsg_multicast(&pbnl_family, msg, 0, PBNL_MCGRP_MONITOR, GFP_KERNEL);
}

static const struct genl_ops pbnl_ops[] = {
	{
		.cmd = PCIBACK_CMD_DEV_GET,
		.doit = pbnl_dev_get_doit,
		.start = pbnl_dev_get_dump_start,
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
