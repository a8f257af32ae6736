// SPDX-License-Identifier: GPL-2.0-only
/*
 * nl.c - the generic netlink transport to pciback_nl (libnl-3 genl).
 *
 * libnl 3.7 has no nl_socket_set_ext_ack() and does not hand extended
 * acks to the error callback: we set NETLINK_EXT_ACK/NETLINK_CAP_ACK with
 * setsockopt() and read NLMSGERR_ATTR_MSG from the TLVs ourselves, both in
 * NLMSG_ERROR and in the NLMSG_DONE that ends a failed dump.
 *
 * Every request is read to its terminal message (ACK, error or DONE) even
 * when a reply does not parse, so the socket stays in step for the next
 * request.  Replies are validated with a policy; strings are copied only
 * when NUL-terminated inside their attribute; unknown attributes are
 * ignored (newer kernels may add some).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include <linux/pciback_nl.h>

#include "nl.h"
#include "util.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Longest reset method name accepted ("device_specific" today). */
#define RESET_METHOD_LEN_MAX 64
/* Attempts of a dump that the kernel reports as interrupted. */
#define DUMP_TRIES 3

struct pbnl {
	struct nl_sock *sk;
	int family;
	bool broken;	/* a transport error left replies unread */
};

static int set_err(struct pbnl_err *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_err(struct pbnl_err *e, int err, const char *fmt, ...)
{
	va_list ap;

	e->err = err;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -err;
}

static int nle_errno(int nle);

/* A libnl failure: the errno when there is one, else libnl's own words. */
static int nl_fail(struct pbnl_err *e, int nle, const char *what)
{
	int err = nle_errno(nle);

	if (err == EIO)
		return set_err(e, err, "%s: %s", what, nl_geterror(nle));
	return set_err(e, err, "%s", what);
}

/* libnl error codes (NLE_x) and the errno each stands for; EIO otherwise. */
static const struct {
	int nle;
	int err;
} nle_errnos[] = {
	{ NLE_NOMEM, ENOMEM },
	{ NLE_PERM, EPERM },
	{ NLE_NOACCESS, EACCES },
	{ NLE_OBJ_NOTFOUND, ENOENT },
	{ NLE_NODEV, ENODEV },
	{ NLE_BUSY, EBUSY },
	{ NLE_EXIST, EEXIST },
	{ NLE_INVAL, EINVAL },
	{ NLE_AGAIN, EAGAIN },
	{ NLE_DUMP_INTR, EAGAIN },
	{ NLE_OPNOTSUPP, EOPNOTSUPP },
	{ NLE_AF_NOSUPPORT, EAFNOSUPPORT },
	{ NLE_SEQ_MISMATCH, EPROTO },
	{ NLE_MSG_TRUNC, EPROTO },
	{ NLE_MSG_TOOSHORT, EPROTO },
	{ NLE_PARSE_ERR, EPROTO },
	{ NLE_PROTO_MISMATCH, EPROTO },
};

static int nle_errno(int nle)
{
	int err = EIO;
	size_t i;

	if (nle < 0)
		nle = -nle;
	for (i = 0; i < ARRAY_SIZE(nle_errnos); i++) {
		if (nle_errnos[i].nle == nle) {
			err = nle_errnos[i].err;
			break;
		}
	}
	return err;
}

int pbnl_open(struct pbnl **out, struct pbnl_err *e)
{
	struct pbnl *nl;
	int one = 1, ret;

	*e = (struct pbnl_err){ 0 };
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return set_err(e, ENOMEM, "out of memory");
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		free(nl);
		return set_err(e, ENOMEM, "out of memory");
	}
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		ret = nl_fail(e, ret, "cannot open a generic netlink socket");
		goto fail;
	}
	/* Best effort: kernels before 4.12 (EXT_ACK) give errnos only. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));

	ret = genl_ctrl_resolve(nl->sk, PCIBACK_FAMILY_NAME);
	if (ret < 0) {
		if (ret == -NLE_OBJ_NOTFOUND)
			ret = set_err(e, ENOENT,
				      "generic netlink family %s not found",
				      PCIBACK_FAMILY_NAME);
		else
			ret = nl_fail(e, ret,
				      "cannot resolve generic netlink family "
				      PCIBACK_FAMILY_NAME);
		goto fail;
	}
	nl->family = ret;
	*out = nl;
	return 0;

fail:
	nl_socket_free(nl->sk);
	free(nl);
	return ret;
}

void pbnl_close(struct pbnl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

size_t pbnl_extack_msg(const struct nlmsghdr *nlh, char *buf, size_t len)
{
	const unsigned char *p;
	size_t plen, hlen, off, rem, slen, i;

	if (!len)
		return 0;
	buf[0] = '\0';
	if (nlh->nlmsg_len < NLMSG_HDRLEN ||
	    !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	plen = nlh->nlmsg_len - NLMSG_HDRLEN;
	p = (const unsigned char *)nlh + NLMSG_HDRLEN;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *err = (const void *)p;

		if (plen < sizeof(*err))
			return 0;
		hlen = sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			/* the whole request is echoed before the TLVs */
			if (err->msg.nlmsg_len < NLMSG_HDRLEN)
				return 0;
			hlen += err->msg.nlmsg_len - NLMSG_HDRLEN;
		}
	} else if (nlh->nlmsg_type == NLMSG_DONE) {
		hlen = sizeof(int);
	} else {
		return 0;
	}
	off = NLMSG_ALIGN(hlen);
	if (off > plen)
		return 0;

	for (p += off, rem = plen - off; rem >= NLA_HDRLEN;) {
		struct nlattr a;
		size_t alen;

		memcpy(&a, p, sizeof(a));
		if (a.nla_len < NLA_HDRLEN || a.nla_len > rem)
			return 0;
		if ((a.nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			const char *s = (const char *)p + NLA_HDRLEN;

			slen = strnlen(s, a.nla_len - NLA_HDRLEN);
			while (slen && (s[slen - 1] == '\n' || s[slen - 1] == ' '))
				slen--;
			if (slen >= len)
				slen = len - 1;
			for (i = 0; i < slen; i++)	/* keep it one printable line */
				buf[i] = (unsigned char)s[i] < 0x20 ||
					 s[i] == 0x7f ? '?' : s[i];
			buf[slen] = '\0';
			return slen;
		}
		alen = NLA_ALIGN(a.nla_len);
		if (alen >= rem)
			break;
		p += alen;
		rem -= alen;
	}
	return 0;
}

static const struct nla_policy dev_policy[PCIBACK_A_DEV_MAX + 1] = {
	[PCIBACK_A_DEV_NAME]		 = { .type = NLA_STRING,
					     .maxlen = PCIBACK_DEV_NAME_MAX },
	[PCIBACK_A_DEV_DOMAIN]		 = { .type = NLA_U32 },
	[PCIBACK_A_DEV_BUS]		 = { .type = NLA_U32 },
	[PCIBACK_A_DEV_DEVFN]		 = { .type = NLA_U32 },
	[PCIBACK_A_DEV_VENDOR]		 = { .type = NLA_U32 },
	[PCIBACK_A_DEV_DEVICE]		 = { .type = NLA_U32 },
	[PCIBACK_A_DEV_SUBSYSTEM_VENDOR] = { .type = NLA_U32 },
	[PCIBACK_A_DEV_SUBSYSTEM_DEVICE] = { .type = NLA_U32 },
	[PCIBACK_A_DEV_CLASS]		 = { .type = NLA_U32 },
	[PCIBACK_A_DEV_REVISION]	 = { .type = NLA_U32 },
	[PCIBACK_A_DEV_DRIVER]		 = { .type = NLA_STRING },
	[PCIBACK_A_DEV_DRIVER_OVERRIDE]	 = { .type = NLA_STRING },
	[PCIBACK_A_DEV_PCIBACK]		 = { .type = NLA_FLAG },
	[PCIBACK_A_DEV_MULTIFUNCTION]	 = { .type = NLA_FLAG },
	[PCIBACK_A_DEV_HDR_TYPE]	 = { .type = NLA_U32 },
	[PCIBACK_A_DEV_SRIOV_ROLE]	 = { .type = NLA_U32 },
	[PCIBACK_A_DEV_SRIOV_TOTAL_VFS]	 = { .type = NLA_U32 },
	[PCIBACK_A_DEV_SRIOV_NUM_VFS]	 = { .type = NLA_U32 },
	[PCIBACK_A_DEV_PHYSFN]		 = { .type = NLA_STRING,
					     .maxlen = PCIBACK_DEV_NAME_MAX },
	[PCIBACK_A_DEV_RESET_METHOD]	 = { .type = NLA_STRING,
					     .maxlen = RESET_METHOD_LEN_MAX },
	[PCIBACK_A_DEV_HIDDEN]		 = { .type = NLA_FLAG },
	[PCIBACK_A_DEV_ORIG_DRIVER]	 = { .type = NLA_STRING },
	[PCIBACK_A_DEV_ORIG_DRIVER_OVERRIDE] = { .type = NLA_STRING },
	[PCIBACK_A_DEV_GUEST_DOMID]	 = { .type = NLA_U32 },
	[PCIBACK_A_DEV_EVENT]		 = { .type = NLA_U32 },
};

#define U32_FIELD(attr, field) { attr, offsetof(struct pb_dev, field) }

static const struct {
	int attr;
	size_t off;
} u32_fields[] = {
	U32_FIELD(PCIBACK_A_DEV_DOMAIN, domain),
	U32_FIELD(PCIBACK_A_DEV_BUS, bus),
	U32_FIELD(PCIBACK_A_DEV_DEVFN, devfn),
	U32_FIELD(PCIBACK_A_DEV_VENDOR, vendor),
	U32_FIELD(PCIBACK_A_DEV_DEVICE, device),
	U32_FIELD(PCIBACK_A_DEV_SUBSYSTEM_VENDOR, subsystem_vendor),
	U32_FIELD(PCIBACK_A_DEV_SUBSYSTEM_DEVICE, subsystem_device),
	U32_FIELD(PCIBACK_A_DEV_CLASS, class_code),
	U32_FIELD(PCIBACK_A_DEV_REVISION, revision),
	U32_FIELD(PCIBACK_A_DEV_HDR_TYPE, hdr_type),
	U32_FIELD(PCIBACK_A_DEV_SRIOV_ROLE, sriov_role),
	U32_FIELD(PCIBACK_A_DEV_SRIOV_TOTAL_VFS, sriov_total_vfs),
	U32_FIELD(PCIBACK_A_DEV_SRIOV_NUM_VFS, sriov_num_vfs),
	U32_FIELD(PCIBACK_A_DEV_GUEST_DOMID, guest_domid),
	U32_FIELD(PCIBACK_A_DEV_EVENT, event),
};

/*
 * Length of the string filling @a exactly (one NUL, at the end, as
 * nla_put_string() makes it); -EPROTO if unterminated, with an embedded
 * NUL, or longer than @max.
 */
static int attr_strlen(const struct nlattr *a, size_t max)
{
	size_t len = (size_t)nla_len(a);
	size_t n = strnlen(nla_data(a), len);

	if (n + 1 != len || n > max)
		return -EPROTO;
	return (int)n;
}

static int dup_str(const struct nlattr *a, char **out)
{
	int n = attr_strlen(a, 65535);

	if (n < 0)
		return n;
	*out = strndup(nla_data(a), (size_t)n);
	return *out ? 0 : -ENOMEM;
}

/* Copies a name attribute (device names: 1 to @size - 1 characters). */
static int copy_name(const struct nlattr *a, char *buf, size_t size)
{
	int ret;

	if (!a)
		return -EPROTO;
	ret = attr_strlen(a, size - 1);
	if (ret <= 0)
		return -EPROTO;
	memcpy(buf, nla_data(a), (size_t)ret);
	buf[ret] = '\0';
	return 0;
}

/*
 * Appends every @type string of the attribute stream to *@arr, keeping at
 * most @max of them (the first ones); each must be at most @maxlen long.
 */
static int collect_strs(struct nlattr *head, int len, int type, size_t max,
			size_t maxlen, char ***arr, size_t *n)
{
	struct nlattr *a;
	int rem, ret;

	nla_for_each_attr(a, head, len, rem) {
		if (nla_type(a) != type)
			continue;
		if (*n >= max)
			break;		/* more than we keep: the first ones */
		if (attr_strlen(a, maxlen) < 0)
			return -EPROTO;
		if (!*arr) {
			*arr = calloc(max, sizeof(char *));
			if (!*arr)
				return -ENOMEM;
		}
		ret = dup_str(a, &(*arr)[*n]);
		if (ret)
			return ret;
		(*n)++;
	}
	return 0;
}

/* Parses the "dev" attributes in @head/@len into *dev (zeroed first). */
static int parse_dev_attrs(struct nlattr *head, int len, struct pb_dev *dev)
{
	struct nlattr *tb[PCIBACK_A_DEV_MAX + 1];
	size_t i;
	int ret;

	*dev = (struct pb_dev){ 0 };
	if (nla_parse(tb, PCIBACK_A_DEV_MAX, head, len, dev_policy) < 0)
		return -EPROTO;
	if (copy_name(tb[PCIBACK_A_DEV_NAME], dev->name, sizeof(dev->name)))
		return -EPROTO;

	for (i = 0; i < ARRAY_SIZE(u32_fields); i++) {
		const struct nlattr *a = tb[u32_fields[i].attr];

		if (!a)
			continue;
		*(uint32_t *)((char *)dev + u32_fields[i].off) = nla_get_u32(a);
		dev->has |= 1u << u32_fields[i].attr;
	}

	dev->pciback = !!tb[PCIBACK_A_DEV_PCIBACK];
	dev->hidden = !!tb[PCIBACK_A_DEV_HIDDEN];
	dev->multifunction = !!tb[PCIBACK_A_DEV_MULTIFUNCTION];

	ret = 0;
	if (tb[PCIBACK_A_DEV_DRIVER])
		ret = dup_str(tb[PCIBACK_A_DEV_DRIVER], &dev->driver);
	if (!ret && tb[PCIBACK_A_DEV_DRIVER_OVERRIDE])
		ret = dup_str(tb[PCIBACK_A_DEV_DRIVER_OVERRIDE],
			      &dev->driver_override);
	if (!ret && tb[PCIBACK_A_DEV_PHYSFN])
		ret = dup_str(tb[PCIBACK_A_DEV_PHYSFN], &dev->physfn);
	if (!ret && tb[PCIBACK_A_DEV_ORIG_DRIVER])
		ret = dup_str(tb[PCIBACK_A_DEV_ORIG_DRIVER], &dev->orig_driver);
	if (!ret && tb[PCIBACK_A_DEV_ORIG_DRIVER_OVERRIDE])
		ret = dup_str(tb[PCIBACK_A_DEV_ORIG_DRIVER_OVERRIDE],
			      &dev->orig_driver_override);
	if (!ret)
		ret = collect_strs(head, len, PCIBACK_A_DEV_RESET_METHOD,
				   PB_DEV_RESET_METHODS_MAX,
				   RESET_METHOD_LEN_MAX, &dev->reset_methods,
				   &dev->n_reset_methods);
	if (ret)
		pb_dev_release(dev);
	return ret;
}

int pbnl_parse_dev(struct nlmsghdr *nlh, struct pb_dev *dev)
{
	*dev = (struct pb_dev){ 0 };
	if (!genlmsg_valid_hdr(nlh, 0))
		return -EPROTO;
	return parse_dev_attrs(genlmsg_attrdata(nlmsg_data(nlh), 0),
			       genlmsg_attrlen(nlmsg_data(nlh), 0), dev);
}

int pbnl_parse_ntf(struct nlmsghdr *nlh, struct pb_dev *dev)
{
	*dev = (struct pb_dev){ 0 };
	if (!genlmsg_valid_hdr(nlh, 0))
		return -EPROTO;
	if (genlmsg_hdr(nlh)->cmd != PCIBACK_CMD_DEV_NTF)
		return -ENOMSG;
	return pbnl_parse_dev(nlh, dev);
}

static const struct nla_policy result_policy[PCIBACK_A_RESULT_MAX + 1] = {
	[PCIBACK_A_RESULT_NAME]		= { .type = NLA_STRING,
					    .maxlen = PCIBACK_DEV_NAME_MAX },
	[PCIBACK_A_RESULT_FROM_DRIVER]	= { .type = NLA_STRING },
	[PCIBACK_A_RESULT_TO_DRIVER]	= { .type = NLA_STRING },
	[PCIBACK_A_RESULT_DEV]		= { .type = NLA_NESTED },
	[PCIBACK_A_RESULT_WARNING]	= { .type = NLA_STRING },
};

static int parse_result(struct nlattr *nest, struct pb_result *r)
{
	struct nlattr *tb[PCIBACK_A_RESULT_MAX + 1];
	int ret;

	*r = (struct pb_result){ 0 };
	if (nla_parse_nested(tb, PCIBACK_A_RESULT_MAX, nest, result_policy) < 0)
		return -EPROTO;
	if (copy_name(tb[PCIBACK_A_RESULT_NAME], r->name, sizeof(r->name)))
		return -EPROTO;

	ret = 0;
	if (tb[PCIBACK_A_RESULT_FROM_DRIVER])
		ret = dup_str(tb[PCIBACK_A_RESULT_FROM_DRIVER], &r->from_driver);
	if (!ret && tb[PCIBACK_A_RESULT_TO_DRIVER])
		ret = dup_str(tb[PCIBACK_A_RESULT_TO_DRIVER], &r->to_driver);
	if (!ret && tb[PCIBACK_A_RESULT_DEV]) {
		ret = parse_dev_attrs(nla_data(tb[PCIBACK_A_RESULT_DEV]),
				      nla_len(tb[PCIBACK_A_RESULT_DEV]),
				      &r->dev);
		r->has_dev = !ret;
	}
	if (!ret)
		ret = collect_strs(nla_data(nest), nla_len(nest),
				   PCIBACK_A_RESULT_WARNING,
				   PB_RESULT_WARNINGS_MAX, 65535, &r->warnings,
				   &r->n_warnings);
	if (ret)
		pb_result_release(r);
	return ret;
}

int pbnl_parse_op_reply(struct nlmsghdr *nlh, struct pb_result **res,
			size_t *n)
{
	struct pb_result *arr = NULL, *grown;
	size_t cnt = 0, cap = 0;
	struct nlattr *a;
	int rem, ret = 0;

	*res = NULL;
	*n = 0;
	if (!genlmsg_valid_hdr(nlh, 0))
		return -EPROTO;
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		if (nla_type(a) != PCIBACK_A_OP_RESULT)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 8;
			grown = realloc(arr, cap * sizeof(*arr));
			if (!grown) {
				ret = -ENOMEM;
				break;
			}
			arr = grown;
		}
		ret = parse_result(a, &arr[cnt]);
		if (ret)
			break;
		cnt++;
	}
	if (ret) {
		pbnl_results_free(arr, cnt);
		return ret;
	}
	*res = arr;
	*n = cnt;
	return 0;
}

static const struct nla_policy member_policy[PCIBACK_A_MEMBER_MAX + 1] = {
	[PCIBACK_A_MEMBER_NAME]		= { .type = NLA_STRING,
					    .maxlen = PCIBACK_DEV_NAME_MAX },
	[PCIBACK_A_MEMBER_RULES]	= { .type = NLA_U32 },
	[PCIBACK_A_MEMBER_REASON]	= { .type = NLA_STRING },
};

static const struct nla_policy group_policy[PCIBACK_A_GROUP_MAX + 1] = {
	[PCIBACK_A_GROUP_MEMBER]	 = { .type = NLA_NESTED },
	[PCIBACK_A_GROUP_VERDICT]	 = { .type = NLA_U32 },
	[PCIBACK_A_GROUP_VERDICT_REASON] = { .type = NLA_STRING },
};

static int parse_member(struct nlattr *nest, struct pb_member *m)
{
	struct nlattr *tb[PCIBACK_A_MEMBER_MAX + 1];
	int ret;

	*m = (struct pb_member){ 0 };
	if (nla_parse_nested(tb, PCIBACK_A_MEMBER_MAX, nest, member_policy) < 0)
		return -EPROTO;
	if (copy_name(tb[PCIBACK_A_MEMBER_NAME], m->name, sizeof(m->name)))
		return -EPROTO;
	if (tb[PCIBACK_A_MEMBER_RULES])
		m->rules = nla_get_u32(tb[PCIBACK_A_MEMBER_RULES]);
	ret = collect_strs(nla_data(nest), nla_len(nest),
			   PCIBACK_A_MEMBER_REASON, PB_MEMBER_REASONS_MAX,
			   65535, &m->reasons, &m->n_reasons);
	if (ret)
		pb_member_release(m);
	return ret;
}

int pbnl_parse_group_reply(struct nlmsghdr *nlh, struct pb_group *g)
{
	struct nlattr *tb[PCIBACK_A_GROUP_MAX + 1];
	struct pb_member *grown;
	struct nlattr *head, *a;
	size_t cap = 0;
	int len, rem, ret = 0;

	*g = (struct pb_group){ 0 };
	if (!genlmsg_valid_hdr(nlh, 0))
		return -EPROTO;
	head = genlmsg_attrdata(nlmsg_data(nlh), 0);
	len = genlmsg_attrlen(nlmsg_data(nlh), 0);
	/* validates every attribute, repeated ones included */
	if (nla_parse(tb, PCIBACK_A_GROUP_MAX, head, len, group_policy) < 0)
		return -EPROTO;
	if (tb[PCIBACK_A_GROUP_VERDICT]) {
		g->has_verdict = true;
		g->verdict = nla_get_u32(tb[PCIBACK_A_GROUP_VERDICT]);
	}
	nla_for_each_attr(a, head, len, rem) {
		if (nla_type(a) != PCIBACK_A_GROUP_MEMBER)
			continue;
		if (g->n_members == cap) {
			cap = cap ? cap * 2 : 8;
			grown = realloc(g->members, cap * sizeof(*grown));
			if (!grown) {
				ret = -ENOMEM;
				break;
			}
			g->members = grown;
		}
		ret = parse_member(a, &g->members[g->n_members]);
		if (ret)
			break;
		g->n_members++;
	}
	if (!ret)
		ret = collect_strs(head, len, PCIBACK_A_GROUP_VERDICT_REASON,
				   PB_GROUP_VERDICT_REASONS_MAX, 65535,
				   &g->verdict_reasons, &g->n_verdict_reasons);
	if (ret)
		pb_group_release(g);
	return ret;
}

void pbnl_results_free(struct pb_result *res, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		pb_result_release(&res[i]);
	free(res);
}

void pbnl_devs_free(struct pb_dev *devs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		pb_dev_release(&devs[i]);
	free(devs);
}

struct req {
	int family;		/* replies of other types are not ours */
	struct pbnl_err *e;
	int err;		/* first error, negative errno */
	bool done;		/* the terminal message was read */
	bool dump;
	struct pb_dev *one;	/* doit: the reply goes here */
	bool got_one;
	struct pb_dev *devs;	/* dump: replies are appended here */
	size_t n, cap;
	bool op;		/* dev-hide/dev-unhide: one reply of results */
	struct pb_result *res;
	size_t nres;
	struct pb_group *group;	/* group-get: the reply goes here */
};

static void req_fail(struct req *r, int err, const char *msg)
{
	if (r->err)
		return;		/* keep the first error */
	r->err = set_err(r->e, err, "%s", msg);
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;
	struct pb_dev dev;
	int ret;

	if (r->err || nlmsg_hdr(msg)->nlmsg_type != r->family)
		return NL_SKIP;		/* drain the rest; not ours */
	if (r->op) {
		/* one message per function: collect them all, in order */
		struct pb_result *res, *all;
		size_t n;

		ret = pbnl_parse_op_reply(nlmsg_hdr(msg), &res, &n);
		if (ret) {
			req_fail(r, -ret, ret == -ENOMEM ? "out of memory" :
				 "malformed reply from the kernel");
			return NL_SKIP;
		}
		if (!n)
			return NL_OK;
		all = realloc(r->res, (r->nres + n) * sizeof(*all));
		if (!all) {
			pbnl_results_free(res, n);
			req_fail(r, ENOMEM, "out of memory");
			return NL_SKIP;
		}
		memcpy(all + r->nres, res, n * sizeof(*res));
		free(res);
		r->res = all;
		r->nres += n;
		r->got_one = true;
		return NL_OK;
	}
	if (r->group) {
		if (r->got_one)		/* one reply expected: ignore others */
			return NL_SKIP;
		ret = pbnl_parse_group_reply(nlmsg_hdr(msg), r->group);
		if (ret) {
			req_fail(r, -ret, ret == -ENOMEM ? "out of memory" :
				 "malformed reply from the kernel");
			return NL_SKIP;
		}
		r->got_one = true;
		return NL_OK;
	}
	ret = pbnl_parse_dev(nlmsg_hdr(msg), &dev);
	if (ret) {
		req_fail(r, -ret, ret == -ENOMEM ? "out of memory" :
			 "malformed reply from the kernel");
		return NL_SKIP;
	}
	if (!r->dump) {
		if (r->got_one) {	/* one reply expected: ignore others */
			pb_dev_release(&dev);
			return NL_SKIP;
		}
		*r->one = dev;
		r->got_one = true;
		return NL_OK;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct pb_dev *devs = realloc(r->devs, cap * sizeof(*devs));

		if (!devs) {
			pb_dev_release(&dev);
			req_fail(r, ENOMEM, "out of memory");
			return NL_SKIP;
		}
		r->devs = devs;
		r->cap = cap;
	}
	r->devs[r->n++] = dev;
	return NL_OK;
}

/* The kernel's error: its errno and its extack message. */
static void req_kernel_err(struct req *r, const struct nlmsghdr *nlh, int error)
{
	r->done = true;
	if (r->err)
		return;
	r->e->err = error < 0 ? -error : error;
	pbnl_extack_msg(nlh, r->e->msg, sizeof(r->e->msg));
	r->err = -r->e->err;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *err, void *arg)
{
	const struct nlmsghdr *nlh = (const void *)((char *)err - NLMSG_HDRLEN);

	(void)who;
	req_kernel_err(arg, nlh, err->error);
	return NL_STOP;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct req *r = arg;
	int error = 0;

	if (nlmsg_datalen(nlh) >= (int)sizeof(error))
		memcpy(&error, nlmsg_data(nlh), sizeof(error));
	if (error < 0)
		req_kernel_err(r, nlh, error);
	r->done = true;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;

	(void)msg;
	r->done = true;
	return NL_STOP;
}

/* Sends @msg (consumed) and reads until its terminal message. */
static int req_run(struct pbnl *nl, struct nl_msg *msg, struct req *r)
{
	struct nl_cb *cb;
	int ret;

	*r->e = (struct pbnl_err){ 0 };
	if (nl->broken) {
		nlmsg_free(msg);
		return set_err(r->e, EIO,
			       "netlink socket out of step after an earlier error");
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return set_err(r->e, ENOMEM, "out of memory");
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, r);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, r);

	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		nl_cb_put(cb);
		return nl_fail(r->e, ret, "cannot send the request");
	}
	while (!r->done) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !r->done) {
			nl->broken = true;
			if (!r->err)
				r->err = nl_fail(r->e, ret,
						 "cannot read the reply");
			break;
		}
	}
	if (ret == -NLE_DUMP_INTR)
		req_fail(r, EAGAIN, "the device list changed during the dump");
	nl_cb_put(cb);
	return r->err;
}

static struct nl_msg *req_msg(int family, int flags, uint8_t cmd, size_t size)
{
	struct nl_msg *msg = size ? nlmsg_alloc_size(size) : nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				flags, cmd, PCIBACK_FAMILY_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

int pbnl_dev_get(struct pbnl *nl, const char *name, struct pb_dev *dev,
		 struct pbnl_err *e)
{
	struct req r = { .family = nl->family, .e = e, .one = dev };
	struct nl_msg *msg;
	int ret;

	*e = (struct pbnl_err){ 0 };
	*dev = (struct pb_dev){ 0 };
	if (strnlen(name, PCIBACK_DEV_NAME_MAX) >= PCIBACK_DEV_NAME_MAX)
		return set_err(e, EINVAL, "device name too long");
	msg = req_msg(nl->family, 0, PCIBACK_CMD_DEV_GET, 0);
	if (!msg || nla_put_string(msg, PCIBACK_A_DEV_NAME, name) < 0) {
		nlmsg_free(msg);
		return set_err(e, ENOMEM, "out of memory");
	}
	ret = req_run(nl, msg, &r);
	if (!ret && !r.got_one)
		ret = set_err(e, EPROTO, "no reply from the kernel");
	if (ret && r.got_one)
		pb_dev_release(dev);
	return ret;
}

int pbnl_dev_dump(struct pbnl *nl, struct pb_dev **devs, size_t *n,
		  struct pbnl_err *e)
{
	struct nl_msg *msg;
	int tries, ret = 0;

	*e = (struct pbnl_err){ 0 };
	*devs = NULL;
	*n = 0;
	for (tries = 0; tries < DUMP_TRIES; tries++) {
		struct req r = { .family = nl->family, .e = e, .dump = true };

		msg = req_msg(nl->family, NLM_F_DUMP, PCIBACK_CMD_DEV_GET, 0);
		if (!msg)
			return set_err(e, ENOMEM, "out of memory");
		ret = req_run(nl, msg, &r);
		if (!ret) {
			*devs = r.devs;
			*n = r.n;
			return 0;
		}
		pbnl_devs_free(r.devs, r.n);
		if (ret != -EAGAIN || nl->broken)
			break;
	}
	return ret;
}

/* At least one name, each 1 to PCIBACK_DEV_NAME_MAX - 1 characters. */
static bool names_ok(const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!*names[i] ||
		    strnlen(names[i], PCIBACK_DEV_NAME_MAX) >= PCIBACK_DEV_NAME_MAX)
			return false;
	return n > 0;
}

/* A fallback driver name the kernel takes (at most 63 bytes, no '/'). */
static bool fallback_ok(const char *drv)
{
	return *drv && strnlen(drv, PBNL_FALLBACK_DRIVER_MAX) <
	       PBNL_FALLBACK_DRIVER_MAX && !strchr(drv, '/');
}

struct nl_msg *pbnl_op_msg(int family, uint8_t cmd, const char *const *names,
			   size_t n, uint32_t flags)
{
	return pbnl_op_msg_fallback(family, cmd, names, NULL, n, flags);
}

struct nl_msg *pbnl_op_msg_fallback(int family, uint8_t cmd,
				    const char *const *names,
				    const char *const *fallbacks, size_t n,
				    uint32_t flags)
{
	size_t size = NLMSG_HDRLEN + GENL_HDRLEN + NLA_HDRLEN + NLA_ALIGN(4) +
		      n * (NLA_HDRLEN + NLA_ALIGN(PCIBACK_DEV_NAME_MAX));
	int name_type = PCIBACK_A_OP_DEV_NAME, flags_type = PCIBACK_A_OP_FLAGS;
	struct nlattr *nest;
	struct nl_msg *msg;
	size_t i;

	if (!names_ok(names, n) ||
	    (cmd != PCIBACK_CMD_DEV_HIDE && cmd != PCIBACK_CMD_DEV_UNHIDE &&
	     cmd != PCIBACK_CMD_GROUP_GET))
		return NULL;
	for (i = 0; fallbacks && i < n; i++) {
		if (!fallbacks[i])
			continue;
		if (cmd != PCIBACK_CMD_DEV_UNHIDE || !fallback_ok(fallbacks[i]))
			return NULL;
		size += 3 * NLA_HDRLEN + NLA_ALIGN(PCIBACK_DEV_NAME_MAX) +
			NLA_ALIGN(PBNL_FALLBACK_DRIVER_MAX);
	}
	/* the IOMMU group is asked of one device */
	if (cmd == PCIBACK_CMD_GROUP_GET &&
	    (flags & PCIBACK_OP_FLAG_IOMMU_GROUP) && n != 1)
		return NULL;
	/* group-get's request is in the group set, the others' in op */
	if (cmd == PCIBACK_CMD_GROUP_GET) {
		name_type = PCIBACK_A_GROUP_DEV_NAME;
		flags_type = PCIBACK_A_GROUP_FLAGS;
	}
	msg = req_msg(family, 0, cmd, size);
	if (!msg)
		return NULL;
	for (i = 0; i < n; i++)
		if (nla_put_string(msg, name_type, names[i]) < 0)
			goto fail;
	if (flags && nla_put_u32(msg, flags_type, flags) < 0)
		goto fail;
	for (i = 0; fallbacks && i < n; i++) {
		if (!fallbacks[i])
			continue;
		nest = nla_nest_start(msg, PCIBACK_A_OP_FALLBACK | NLA_F_NESTED);
		if (!nest ||
		    nla_put_string(msg, PCIBACK_A_FALLBACK_DEV_NAME, names[i]) < 0 ||
		    nla_put_string(msg, PCIBACK_A_FALLBACK_DRIVER, fallbacks[i]) < 0)
			goto fail;
		nla_nest_end(msg, nest);
	}
	return msg;

fail:
	nlmsg_free(msg);
	return NULL;
}

/*
 * dev-hide and dev-unhide reply with one message per function (up to 256,
 * with-group included), all queued before this process reads any; the
 * kernel drops what does not fit in the receive buffer.  Make room: 4 MiB
 * with SO_RCVBUFFORCE (root, which a move needs anyway), else as much as
 * net.core.rmem_max allows.  Best effort: the read reports what was lost.
 */
static void reply_room(struct pbnl *nl)
{
	int fd = nl_socket_get_fd(nl->sk), size = 4 << 20;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

int pbnl_dev_op(struct pbnl *nl, uint8_t cmd, const char *const *names,
		size_t n, uint32_t flags, struct pb_result **res, size_t *nres,
		struct pbnl_err *e)
{
	return pbnl_dev_op_fallback(nl, cmd, names, NULL, n, flags, res, nres,
				    e);
}

int pbnl_dev_op_fallback(struct pbnl *nl, uint8_t cmd,
			 const char *const *names,
			 const char *const *fallbacks, size_t n,
			 uint32_t flags, struct pb_result **res, size_t *nres,
			 struct pbnl_err *e)
{
	struct req r = { .family = nl->family, .e = e, .op = true };
	struct nl_msg *msg;
	size_t i;
	int ret;

	*e = (struct pbnl_err){ 0 };
	*res = NULL;
	*nres = 0;
	if (!names_ok(names, n))
		return set_err(e, EINVAL, "no device, or a device name too long");
	for (i = 0; fallbacks && i < n; i++)
		if (fallbacks[i] && (cmd != PCIBACK_CMD_DEV_UNHIDE ||
				     !fallback_ok(fallbacks[i])))
			return set_err(e, EINVAL, "a fallback driver that is not for unhide, empty, too long or with a '/'");
	msg = pbnl_op_msg_fallback(nl->family, cmd, names, fallbacks, n, flags);
	if (!msg)
		return set_err(e, ENOMEM, "out of memory");
	reply_room(nl);
	ret = req_run(nl, msg, &r);
	if (!ret && !r.got_one)
		ret = set_err(e, EPROTO, "no reply from the kernel");
	if (!ret && !r.nres)
		ret = set_err(e, EPROTO, "reply from the kernel without results");
	if (ret) {
		pbnl_results_free(r.res, r.nres);
		return ret;
	}
	*res = r.res;
	*nres = r.nres;
	return 0;
}

int pbnl_group_get(struct pbnl *nl, const char *const *names, size_t n,
		   uint32_t flags, struct pb_group *g, struct pbnl_err *e)
{
	struct req r = { .family = nl->family, .e = e, .group = g };
	struct nl_msg *msg;
	int ret;

	*e = (struct pbnl_err){ 0 };
	*g = (struct pb_group){ 0 };
	if (!names_ok(names, n))
		return set_err(e, EINVAL, "no device, or a device name too long");
	if ((flags & PCIBACK_OP_FLAG_IOMMU_GROUP) && n != 1)
		return set_err(e, EINVAL, "the IOMMU group is of one device");
	msg = pbnl_op_msg(nl->family, PCIBACK_CMD_GROUP_GET, names, n, flags);
	if (!msg)
		return set_err(e, ENOMEM, "out of memory");
	ret = req_run(nl, msg, &r);
	if (!ret && !r.got_one)
		ret = set_err(e, EPROTO, "no reply from the kernel");
	if (!ret && !g->n_members)
		ret = set_err(e, EPROTO, "reply from the kernel without members");
	if (!ret && !(flags & PCIBACK_OP_FLAG_IOMMU_GROUP) && !g->has_verdict)
		ret = set_err(e, EPROTO, "reply from the kernel without a verdict");
	if (ret)
		pb_group_release(g);
	return ret;
}

int pbnl_monitor_join(struct pbnl *nl, struct pbnl_err *e)
{
	int ret;

	*e = (struct pbnl_err){ 0 };
	ret = genl_ctrl_resolve_grp(nl->sk, PCIBACK_FAMILY_NAME,
				    PCIBACK_MCGRP_MONITOR);
	if (ret < 0) {
		if (ret == -NLE_OBJ_NOTFOUND)
			return set_err(e, EOPNOTSUPP,
				       "the family has no multicast group \"%s\" (pciback_nl too old?)",
				       PCIBACK_MCGRP_MONITOR);
		return nl_fail(e, ret, "cannot resolve the multicast group "
			       PCIBACK_MCGRP_MONITOR);
	}
	nl_socket_disable_seq_check(nl->sk);
	/* Best effort: a larger buffer loses fewer events in bursts. */
	nl_socket_set_buffer_size(nl->sk, 1 << 20, 0);
	ret = nl_socket_add_membership(nl->sk, ret);
	if (ret < 0)
		return nl_fail(e, ret, "cannot join the multicast group "
			       PCIBACK_MCGRP_MONITOR);
	return 0;
}

int pbnl_fd(const struct pbnl *nl)
{
	return nl_socket_get_fd(nl->sk);
}

struct mon {
	int family;
	pbnl_ntf_fn fn;
	void *arg;
	int err;	/* first parse error, negative errno */
};

static int on_ntf(struct nl_msg *msg, void *arg)
{
	struct mon *m = arg;
	struct pb_dev dev;
	int ret;

	if (nlmsg_hdr(msg)->nlmsg_type != m->family)
		return NL_SKIP;
	ret = pbnl_parse_ntf(nlmsg_hdr(msg), &dev);
	if (ret == -ENOMSG)
		return NL_SKIP;		/* another command: not an event */
	if (ret) {
		if (!m->err)
			m->err = ret;
		return NL_SKIP;
	}
	ret = m->fn(&dev, m->arg);
	pb_dev_release(&dev);
	return ret ? NL_STOP : NL_OK;
}

static int on_any_seq(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int pbnl_monitor_read(struct pbnl *nl, pbnl_ntf_fn fn, void *arg,
		      struct pbnl_err *e)
{
	struct mon m = { .family = nl->family, .fn = fn, .arg = arg };
	struct nl_cb *cb;
	int ret;

	*e = (struct pbnl_err){ 0 };
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return set_err(e, ENOMEM, "out of memory");
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_ntf, &m);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, on_any_seq, NULL);
	errno = 0;
	ret = nl_recvmsgs(nl->sk, cb);
	if (ret < 0 && errno == ENOBUFS)
		ret = set_err(e, ENOBUFS,
			      "events were lost (receive buffer overrun)");
	else if (ret < 0)
		ret = nl_fail(e, ret, "cannot read notifications");
	else if (m.err)
		ret = set_err(e, -m.err, m.err == -ENOMEM ? "out of memory" :
			      "malformed notification from the kernel");
	else
		ret = 0;
	nl_cb_put(cb);
	return ret;
}
