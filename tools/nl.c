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

static int parse_reset_methods(struct nlmsghdr *nlh, struct pb_dev *dev)
{
	struct genlmsghdr *gnlh = genlmsg_hdr(nlh);
	struct nlattr *a;
	int rem, ret;

	nla_for_each_attr(a, genlmsg_attrdata(gnlh, 0),
			  genlmsg_attrlen(gnlh, 0), rem) {
		if (nla_type(a) != PCIBACK_A_DEV_RESET_METHOD)
			continue;
		if (dev->n_reset_methods >= PB_DEV_RESET_METHODS_MAX)
			break;		/* more than any kernel has: keep the first */
		if (!dev->reset_methods) {
			dev->reset_methods = calloc(PB_DEV_RESET_METHODS_MAX,
						    sizeof(char *));
			if (!dev->reset_methods)
				return -ENOMEM;
		}
		ret = dup_str(a, &dev->reset_methods[dev->n_reset_methods]);
		if (ret)
			return ret;
		dev->n_reset_methods++;
	}
	return 0;
}

int pbnl_parse_dev(struct nlmsghdr *nlh, struct pb_dev *dev)
{
	struct nlattr *tb[PCIBACK_A_DEV_MAX + 1];
	size_t i;
	int ret;

	*dev = (struct pb_dev){ 0 };
	if (genlmsg_parse(nlh, 0, tb, PCIBACK_A_DEV_MAX, dev_policy) < 0)
		return -EPROTO;

	if (!tb[PCIBACK_A_DEV_NAME])
		return -EPROTO;
	ret = attr_strlen(tb[PCIBACK_A_DEV_NAME], sizeof(dev->name) - 1);
	if (ret <= 0)
		return -EPROTO;
	memcpy(dev->name, nla_data(tb[PCIBACK_A_DEV_NAME]), (size_t)ret);
	dev->name[ret] = '\0';

	for (i = 0; i < ARRAY_SIZE(u32_fields); i++) {
		const struct nlattr *a = tb[u32_fields[i].attr];

		if (!a)
			continue;
		*(uint32_t *)((char *)dev + u32_fields[i].off) = nla_get_u32(a);
		dev->has |= 1u << u32_fields[i].attr;
	}

	dev->pciback = !!tb[PCIBACK_A_DEV_PCIBACK];
	dev->multifunction = !!tb[PCIBACK_A_DEV_MULTIFUNCTION];

	ret = 0;
	if (tb[PCIBACK_A_DEV_DRIVER])
		ret = dup_str(tb[PCIBACK_A_DEV_DRIVER], &dev->driver);
	if (!ret && tb[PCIBACK_A_DEV_DRIVER_OVERRIDE])
		ret = dup_str(tb[PCIBACK_A_DEV_DRIVER_OVERRIDE],
			      &dev->driver_override);
	if (!ret && tb[PCIBACK_A_DEV_PHYSFN])
		ret = dup_str(tb[PCIBACK_A_DEV_PHYSFN], &dev->physfn);
	if (!ret)
		ret = parse_reset_methods(nlh, dev);
	if (ret)
		pb_dev_release(dev);
	return ret;
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

static struct nl_msg *req_msg(struct pbnl *nl, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				flags, PCIBACK_CMD_DEV_GET,
				PCIBACK_FAMILY_VERSION)) {
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
	msg = req_msg(nl, 0);
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

		msg = req_msg(nl, NLM_F_DUMP);
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
