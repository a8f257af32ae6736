// SPDX-License-Identifier: GPL-2.0
/*
 * Raw generic netlink helpers for the pciback_nl selftests.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "pbnl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define ALIGN4(x) (((x) + 3u) & ~3u)

static int put_raw(struct pbnl_req *r, const void *p, size_t len)
{
	if (r->len + ALIGN4(len) > sizeof(r->buf))
		abort();	/* a test built a request too large */
	memcpy(r->buf + r->len, p, len);
	memset(r->buf + r->len + len, 0, ALIGN4(len) - len);
	r->len += ALIGN4(len);
	((struct nlmsghdr *)r->buf)->nlmsg_len = r->len;
	return 0;
}

void pbnl_req_init(struct pbnl_req *r, const struct pbnl_sock *s, uint8_t cmd,
		   uint16_t flags)
{
	struct nlmsghdr nlh = {
		.nlmsg_type = s->family,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags,
	};
	struct genlmsghdr g = { .cmd = cmd, .version = PCIBACK_FAMILY_VERSION };

	r->len = 0;
	put_raw(r, &nlh, sizeof(nlh));
	put_raw(r, &g, sizeof(g));
}

void pbnl_req_put(struct pbnl_req *r, uint16_t type, const void *data,
		  size_t len)
{
	struct nlattr nla = { .nla_len = NLA_HDRLEN + len, .nla_type = type };
	size_t start = r->len;

	put_raw(r, &nla, sizeof(nla));
	r->len = start + NLA_HDRLEN;
	if (len)
		put_raw(r, data, len);
	((struct nlmsghdr *)r->buf)->nlmsg_len = r->len;
}

void pbnl_req_put_str(struct pbnl_req *r, uint16_t type, const char *str)
{
	pbnl_req_put(r, type, str, strlen(str) + 1);
}

static int resolve_family(struct pbnl_sock *s)
{
	struct pbnl_req r;
	struct nlmsghdr *nlh;
	unsigned char buf[8192];
	ssize_t n;

	s->family = GENL_ID_CTRL;
	pbnl_req_init(&r, s, CTRL_CMD_GETFAMILY, 0);
	((struct genlmsghdr *)(r.buf + NLMSG_HDRLEN))->version = 1;
	pbnl_req_put_str(&r, CTRL_ATTR_FAMILY_NAME, PCIBACK_FAMILY_NAME);
	((struct nlmsghdr *)r.buf)->nlmsg_seq = ++s->seq;
	if (send(s->fd, r.buf, r.len, 0) < 0)
		return -errno;
	n = recv(s->fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -errno;
	for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, (size_t)n);
	     nlh = NLMSG_NEXT(nlh, n)) {
		struct nlattr *a;
		size_t off;

		if (nlh->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(nlh);

			if (e->error)
				return e->error;
			continue;
		}
		off = NLMSG_HDRLEN + GENL_HDRLEN;
		while (off + NLA_HDRLEN <= nlh->nlmsg_len) {
			a = (struct nlattr *)((unsigned char *)nlh + off);
			if (a->nla_len < NLA_HDRLEN ||
			    off + a->nla_len > nlh->nlmsg_len)
				break;
			if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID &&
			    a->nla_len >= NLA_HDRLEN + 2) {
				memcpy(&s->family, (char *)a + NLA_HDRLEN, 2);
				/* drain the ack */
				recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
				return 0;
			}
			off += NLA_ALIGN(a->nla_len);
		}
	}
	return -ENOENT;
}

int pbnl_open(struct pbnl_sock *s)
{
	int one = 1;
	struct timeval tv = { .tv_sec = 30 };

	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s->fd < 0)
		return -errno;
	if (setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		int err = -errno;

		close(s->fd);
		return err;
	}
	return resolve_family(s);
}

void pbnl_close(struct pbnl_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static void copy_str(struct pbnl_dev *d, char *dst, const struct nlattr *a)
{
	size_t len = a->nla_len - NLA_HDRLEN;
	const char *src = (const char *)a + NLA_HDRLEN;

	if (!len || src[len - 1] != '\0' || len > PBNL_STR_MAX) {
		d->overflow = true;
		return;
	}
	memcpy(dst, src, len);
}

static uint32_t get_u32(struct pbnl_dev *d, const struct nlattr *a)
{
	uint32_t v = 0;

	if (a->nla_len != NLA_HDRLEN + 4)
		d->overflow = true;
	else
		memcpy(&v, (const char *)a + NLA_HDRLEN, 4);
	return v;
}

static void parse_dev_attrs(const char *base, size_t len, struct pbnl_dev *d)
{
	size_t off = 0;

	memset(d, 0, sizeof(*d));
	while (off + NLA_HDRLEN <= len) {
		const struct nlattr *a = (const void *)(base + off);

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > len) {
			d->overflow = true;
			return;
		}
		switch (a->nla_type & NLA_TYPE_MASK) {
		case PCIBACK_A_DEV_NAME:
			copy_str(d, d->name, a);
			break;
		case PCIBACK_A_DEV_DOMAIN:
			d->domain = get_u32(d, a);
			break;
		case PCIBACK_A_DEV_BUS:
			d->bus = get_u32(d, a);
			break;
		case PCIBACK_A_DEV_DEVFN:
			d->devfn = get_u32(d, a);
			break;
		case PCIBACK_A_DEV_VENDOR:
			d->vendor = get_u32(d, a);
			break;
		case PCIBACK_A_DEV_DEVICE:
			d->device = get_u32(d, a);
			break;
		case PCIBACK_A_DEV_SUBSYSTEM_VENDOR:
			d->subsystem_vendor = get_u32(d, a); break;
		case PCIBACK_A_DEV_SUBSYSTEM_DEVICE:
			d->subsystem_device = get_u32(d, a); break;
		case PCIBACK_A_DEV_CLASS:
			d->class = get_u32(d, a);
			break;
		case PCIBACK_A_DEV_REVISION:
			d->revision = get_u32(d, a);
			break;
		case PCIBACK_A_DEV_HDR_TYPE:
			d->hdr_type = get_u32(d, a);
			break;
		case PCIBACK_A_DEV_SRIOV_ROLE:
			d->sriov_role = get_u32(d, a);
			break;
		case PCIBACK_A_DEV_SRIOV_TOTAL_VFS:
			d->sriov_total_vfs = get_u32(d, a); break;
		case PCIBACK_A_DEV_SRIOV_NUM_VFS:
			d->sriov_num_vfs = get_u32(d, a); break;
		case PCIBACK_A_DEV_DRIVER:
			d->has_driver = true; copy_str(d, d->driver, a); break;
		case PCIBACK_A_DEV_DRIVER_OVERRIDE:
			d->has_override = true; copy_str(d, d->override, a); break;
		case PCIBACK_A_DEV_PHYSFN:
			copy_str(d, d->physfn, a);
			break;
		case PCIBACK_A_DEV_PCIBACK:
			d->pciback = true;
			if (a->nla_len != NLA_HDRLEN)
				d->overflow = true;
			break;
		case PCIBACK_A_DEV_MULTIFUNCTION:
			d->multifunction = true;
			if (a->nla_len != NLA_HDRLEN)
				d->overflow = true;
			break;
		case PCIBACK_A_DEV_RESET_METHOD:
			if (d->nreset >= PBNL_RESET_MAX)
				d->overflow = true;
			else
				copy_str(d, d->reset[d->nreset++], a);
			break;
		case PCIBACK_A_DEV_HIDDEN:
			d->hidden = true;
			break;
		case PCIBACK_A_DEV_ORIG_DRIVER:
			d->has_orig_driver = true;
			copy_str(d, d->orig_driver, a);
			break;
		case PCIBACK_A_DEV_GUEST_DOMID:
			d->has_guest_domid = true;
			d->guest_domid = get_u32(d, a);
			break;
		case PCIBACK_A_DEV_EVENT:
			d->event = get_u32(d, a);
			break;
		default:
			break;	/* newer attribute: ignored */
		}
		off += NLA_ALIGN(a->nla_len);
	}
}

static void parse_dev(const struct nlmsghdr *nlh, struct pbnl_dev *d)
{
	parse_dev_attrs((const char *)nlh + NLMSG_HDRLEN + GENL_HDRLEN,
			nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, d);
}

static void result_str(char *dst, const struct nlattr *a)
{
	size_t len = a->nla_len - NLA_HDRLEN;

	if (len >= PBNL_STR_MAX)
		len = PBNL_STR_MAX - 1;
	memcpy(dst, (const char *)a + NLA_HDRLEN, len);
	dst[len] = '\0';
}

/* A group-get reply: members and verdict. */
static int parse_group(const struct nlmsghdr *nlh, struct pbnl_reply *rep)
{
	size_t off = NLMSG_HDRLEN + GENL_HDRLEN;

	while (off + NLA_HDRLEN <= nlh->nlmsg_len) {
		const struct nlattr *a = (const void *)((const char *)nlh + off);
		size_t moff = NLA_HDRLEN;

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > nlh->nlmsg_len)
			return -EPROTO;
		off += NLA_ALIGN(a->nla_len);
		switch (a->nla_type & NLA_TYPE_MASK) {
		case PCIBACK_A_GROUP_VERDICT:
			memcpy(&rep->verdict, (const char *)a + NLA_HDRLEN, 4);
			continue;
		case PCIBACK_A_GROUP_VERDICT_REASON:
			/* several: joined with " | " */
			if (rep->verdict_reason[0]) {
				char one[PBNL_STR_MAX];
				size_t have = strlen(rep->verdict_reason);

				result_str(one, a);
				snprintf(rep->verdict_reason + have,
					 sizeof(rep->verdict_reason) - have,
					 " | %s", one);
			} else {
				result_str(rep->verdict_reason, a);
			}
			continue;
		case PCIBACK_A_GROUP_MEMBER:
			break;
		default:
			continue;
		}
		rep->members = realloc(rep->members,
				       (rep->nmembers + 1) * sizeof(*rep->members));
		rep->member_rules = realloc(rep->member_rules,
					    (rep->nmembers + 1) * sizeof(uint32_t));
		if (!rep->members || !rep->member_rules)
			return -ENOMEM;
		rep->members[rep->nmembers][0] = '\0';
		rep->member_rules[rep->nmembers] = 0;
		while (moff + NLA_HDRLEN <= a->nla_len) {
			const struct nlattr *b = (const void *)((const char *)a + moff);

			if (b->nla_len < NLA_HDRLEN || moff + b->nla_len > a->nla_len)
				return -EPROTO;
			if ((b->nla_type & NLA_TYPE_MASK) == PCIBACK_A_MEMBER_NAME)
				result_str(rep->members[rep->nmembers], b);
			if ((b->nla_type & NLA_TYPE_MASK) == PCIBACK_A_MEMBER_RULES &&
			    b->nla_len == NLA_HDRLEN + 4)
				memcpy(&rep->member_rules[rep->nmembers],
				       (const char *)b + NLA_HDRLEN, 4);
			moff += NLA_ALIGN(b->nla_len);
		}
		rep->nmembers++;
	}
	return 0;
}

/* The results of a dev-hide / dev-unhide reply. */
static int parse_results(const struct nlmsghdr *nlh, struct pbnl_reply *rep)
{
	size_t off = NLMSG_HDRLEN + GENL_HDRLEN;

	while (off + NLA_HDRLEN <= nlh->nlmsg_len) {
		const struct nlattr *a = (const void *)((const char *)nlh + off);
		struct pbnl_result *r;
		size_t roff = NLA_HDRLEN;

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > nlh->nlmsg_len)
			return -EPROTO;
		off += NLA_ALIGN(a->nla_len);
		if ((a->nla_type & NLA_TYPE_MASK) != PCIBACK_A_OP_RESULT)
			continue;
		r = realloc(rep->results, (rep->nresults + 1) * sizeof(*r));
		if (!r)
			return -ENOMEM;
		rep->results = r;
		r = &rep->results[rep->nresults++];
		memset(r, 0, sizeof(*r));
		while (roff + NLA_HDRLEN <= a->nla_len) {
			const struct nlattr *b = (const void *)((const char *)a + roff);

			if (b->nla_len < NLA_HDRLEN || roff + b->nla_len > a->nla_len)
				return -EPROTO;
			switch (b->nla_type & NLA_TYPE_MASK) {
			case PCIBACK_A_RESULT_NAME:
				result_str(r->name, b);
				break;
			case PCIBACK_A_RESULT_FROM_DRIVER:
				result_str(r->from, b);
				break;
			case PCIBACK_A_RESULT_TO_DRIVER:
				result_str(r->to, b);
				break;
			case PCIBACK_A_RESULT_WARNING: {
				/* several: joined with " | " */
				size_t used = strlen(r->warning);
				char one[PBNL_STR_MAX];

				result_str(one, b);
				snprintf(r->warning + used, PBNL_STR_MAX - used,
					 "%s%s", used ? " | " : "", one);
				r->nwarnings++;
				break;
			}
			case PCIBACK_A_RESULT_DEV:
				parse_dev_attrs((const char *)b + NLA_HDRLEN,
						b->nla_len - NLA_HDRLEN, &r->dev);
				break;
			}
			roff += NLA_ALIGN(b->nla_len);
		}
	}
	return 0;
}

/* Extended-ack TLVs that follow an error code at @off (ack or DONE). */
static void parse_ack_tlvs(const struct nlmsghdr *nlh, size_t off,
			   struct pbnl_reply *rep)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	while (off + NLA_HDRLEN <= nlh->nlmsg_len) {
		const struct nlattr *a = (const void *)((const char *)nlh + off);
		size_t len;

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > nlh->nlmsg_len)
			return;
		len = a->nla_len - NLA_HDRLEN;
		switch (a->nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			if (len >= sizeof(rep->msg))
				len = sizeof(rep->msg) - 1;
			memcpy(rep->msg, (const char *)a + NLA_HDRLEN, len);
			rep->msg[len] = '\0';
			break;
		case NLMSGERR_ATTR_OFFS:
			if (len == 4) {
				rep->has_bad_attr = true;
				memcpy(&rep->bad_attr_off,
				       (const char *)a + NLA_HDRLEN, 4);
			}
			break;
		case 5: /* NLMSGERR_ATTR_MISS_TYPE, 6.0+ */
			if (len == 4) {
				rep->has_miss_type = true;
				memcpy(&rep->miss_type,
				       (const char *)a + NLA_HDRLEN, 4);
			}
			break;
		}
		off += NLA_ALIGN(a->nla_len);
	}
}

int pbnl_transact(struct pbnl_sock *s, struct pbnl_req *r,
		  struct pbnl_reply *rep)
{
	static unsigned char buf[65536];
	struct nlmsghdr *req = (struct nlmsghdr *)r->buf;
	bool dump = req->nlmsg_flags & NLM_F_DUMP;

	memset(rep, 0, sizeof(*rep));
	req->nlmsg_seq = ++s->seq;
	if (send(s->fd, r->buf, r->len, 0) < 0)
		return -errno;

	for (;;) {
		struct msghdr mh = { 0 };
		struct iovec iov = { buf, sizeof(buf) };
		struct nlmsghdr *nlh;
		ssize_t n;

		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		n = recvmsg(s->fd, &mh, 0);
		if (n < 0)
			return -errno;
		if (mh.msg_flags & MSG_TRUNC)
			rep->truncated = true;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, (size_t)n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != s->seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);

				/* NETLINK_CAP_ACK: the request is not echoed */
				rep->err = e->error;
				parse_ack_tlvs(nlh, NLMSG_HDRLEN + sizeof(*e), rep);
				return 0;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				if (nlh->nlmsg_len >= NLMSG_HDRLEN + 4)
					memcpy(&rep->err, NLMSG_DATA(nlh), 4);
				parse_ack_tlvs(nlh, NLMSG_HDRLEN + 4, rep);
				return 0;
			}
			if (nlh->nlmsg_type == s->family &&
			    nlh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN &&
			    ((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd ==
			    PCIBACK_CMD_GROUP_GET) {
				int ret = parse_group(nlh, rep);

				if (ret)
					return ret;
				continue;
			}
			if (nlh->nlmsg_type == s->family &&
			    nlh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN &&
			    (((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd ==
			     PCIBACK_CMD_DEV_HIDE ||
			     ((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd ==
			     PCIBACK_CMD_DEV_UNHIDE)) {
				int ret = parse_results(nlh, rep);

				if (ret)
					return ret;
				continue;
			}
			if (nlh->nlmsg_type == s->family) {
				struct pbnl_dev *nd;

				nd = realloc(rep->devs, (rep->ndevs + 1) * sizeof(*nd));
				if (!nd)
					return -ENOMEM;
				rep->devs = nd;
				parse_dev(nlh, &rep->devs[rep->ndevs++]);
				if (!dump)
					continue;
			}
		}
	}
}

void pbnl_reply_free(struct pbnl_reply *rep)
{
	free(rep->members);
	free(rep->member_rules);
	rep->members = NULL;
	rep->member_rules = NULL;
	rep->nmembers = 0;
	free(rep->results);
	rep->results = NULL;
	rep->nresults = 0;
	free(rep->devs);
	rep->devs = NULL;
	rep->ndevs = 0;
}

int pbnl_dump(struct pbnl_sock *s, struct pbnl_reply *rep)
{
	struct pbnl_req r;

	pbnl_req_init(&r, s, PCIBACK_CMD_DEV_GET, NLM_F_DUMP);
	return pbnl_transact(s, &r, rep);
}

int pbnl_get(struct pbnl_sock *s, const char *name, struct pbnl_reply *rep)
{
	struct pbnl_req r;

	pbnl_req_init(&r, s, PCIBACK_CMD_DEV_GET, 0);
	pbnl_req_put_str(&r, PCIBACK_A_DEV_NAME, name);
	return pbnl_transact(s, &r, rep);
}

int pbnl_op(struct pbnl_sock *s, uint8_t cmd, const char *const *names,
	    size_t n, uint32_t flags, struct pbnl_reply *rep)
{
	struct pbnl_req r;
	size_t i;

	pbnl_req_init(&r, s, cmd, 0);
	for (i = 0; i < n; i++)
		pbnl_req_put_str(&r, PCIBACK_A_OP_DEV_NAME, names[i]);
	if (flags)
		pbnl_req_put(&r, PCIBACK_A_OP_FLAGS, &flags, sizeof(flags));
	return pbnl_transact(s, &r, rep);
}

int pbnl_group(struct pbnl_sock *s, const char *const *names, size_t n,
	       uint32_t flags, struct pbnl_reply *rep)
{
	struct pbnl_req r;
	size_t i;

	/* group-get's request is in the group set */
	pbnl_req_init(&r, s, PCIBACK_CMD_GROUP_GET, 0);
	for (i = 0; i < n; i++)
		pbnl_req_put_str(&r, PCIBACK_A_GROUP_DEV_NAME, names[i]);
	if (flags)
		pbnl_req_put(&r, PCIBACK_A_GROUP_FLAGS, &flags, sizeof(flags));
	return pbnl_transact(s, &r, rep);
}

/* The id of multicast group "monitor", from a CTRL_CMD_GETFAMILY reply. */
static int monitor_group_id(struct pbnl_sock *s, uint32_t *id)
{
	unsigned char buf[8192];
	struct pbnl_req r;
	struct nlmsghdr *nlh;
	uint16_t family = s->family;
	ssize_t n;

	s->family = GENL_ID_CTRL;
	pbnl_req_init(&r, s, CTRL_CMD_GETFAMILY, 0);
	s->family = family;
	((struct genlmsghdr *)(r.buf + NLMSG_HDRLEN))->version = 1;
	pbnl_req_put_str(&r, CTRL_ATTR_FAMILY_NAME, PCIBACK_FAMILY_NAME);
	((struct nlmsghdr *)r.buf)->nlmsg_seq = ++s->seq;
	if (send(s->fd, r.buf, r.len, 0) < 0)
		return -errno;
	n = recv(s->fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -errno;
	nlh = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(nlh, (size_t)n) || nlh->nlmsg_type == NLMSG_ERROR)
		return -ENOENT;
	/* CTRL_ATTR_MCAST_GROUPS { { ID, NAME }... }: find NAME "monitor" */
	for (size_t off = NLMSG_HDRLEN + GENL_HDRLEN;
	     off + NLA_HDRLEN <= nlh->nlmsg_len;) {
		const struct nlattr *a = (const void *)((char *)nlh + off);

		if (a->nla_len < NLA_HDRLEN)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GROUPS) {
			for (size_t g = NLA_HDRLEN; g + NLA_HDRLEN <= a->nla_len;) {
				const struct nlattr *grp = (const void *)((char *)a + g);
				uint32_t gid = 0;
				bool match = false;

				if (grp->nla_len < NLA_HDRLEN)
					break;
				for (size_t k = NLA_HDRLEN; k + NLA_HDRLEN <= grp->nla_len;) {
					const struct nlattr *x =
						(const void *)((char *)grp + k);

					if (x->nla_len < NLA_HDRLEN)
						break;
					if (x->nla_type == CTRL_ATTR_MCAST_GRP_ID &&
					    x->nla_len == NLA_HDRLEN + 4)
						memcpy(&gid, (char *)x + NLA_HDRLEN, 4);
					if (x->nla_type == CTRL_ATTR_MCAST_GRP_NAME &&
					    !strncmp((char *)x + NLA_HDRLEN,
						     PCIBACK_MCGRP_MONITOR,
						     x->nla_len - NLA_HDRLEN))
						match = true;
					k += NLA_ALIGN(x->nla_len);
				}
				if (match) {
					*id = gid;
					recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
					return 0;
				}
				g += NLA_ALIGN(grp->nla_len);
			}
		}
		off += NLA_ALIGN(a->nla_len);
	}
	return -ENOENT;
}

int pbnl_monitor_open(struct pbnl_sock *s)
{
	uint32_t id;
	int ret = pbnl_open(s);

	if (ret)
		return ret;
	ret = monitor_group_id(s, &id);
	if (!ret && setsockopt(s->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
			       &id, sizeof(id)))
		ret = -errno;
	if (ret)
		pbnl_close(s);
	return ret;
}

int pbnl_monitor_next(struct pbnl_sock *s, struct pbnl_dev *d, int ms)
{
	static unsigned char buf[65536];
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	struct nlmsghdr *nlh;
	ssize_t n;

	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -errno;
	for (;;) {
		n = recv(s->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		nlh = (struct nlmsghdr *)buf;
		if (NLMSG_OK(nlh, (size_t)n) && nlh->nlmsg_type == s->family &&
		    ((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd ==
		    PCIBACK_CMD_DEV_NTF) {
			parse_dev(nlh, d);
			return 0;
		}
	}
}

int pbnl_write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		n = -errno;
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : (int)n;
}

int pbnl_sysfs_read(const char *bdf, const char *attr, char *buf, size_t len)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

bool pbnl_running_on_xen_dom0(void)
{
	char buf[256] = "";
	FILE *f = fopen("/proc/xen/capabilities", "re");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strstr(buf, "control_d");
}

const char *pbnl_driver_of(const char *bdf, char *buf, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *slash;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	buf[0] = '\0';
	if (n <= 0)
		return buf;
	link[n] = '\0';
	slash = strrchr(link, '/');
	snprintf(buf, len, "%s", slash ? slash + 1 : link);
	return buf;
}

const char *pbnl_ifname_of(const char *bdf, char *buf, size_t len)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/net", bdf);
	d = opendir(path);
	if (!d) {
		/* virtio-net: the interface hangs off the virtio device */
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
		d = opendir(path);
		while (d && (de = readdir(d))) {
			if (!strncmp(de->d_name, "virtio", 6)) {
				snprintf(path, sizeof(path),
					 "/sys/bus/pci/devices/%s/%.32s/net", bdf,
					 de->d_name);
				break;
			}
		}
		if (d)
			closedir(d);
		d = opendir(path);
	}
	if (!d)
		return buf;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			snprintf(buf, len, "%s", de->d_name);
	closedir(d);
	return buf;
}

const char *pbnl_drv(const char *bdf)
{
	static char buf[256];

	return pbnl_driver_of(bdf, buf, sizeof(buf));
}

const char *pbnl_ifname(const char *bdf)
{
	static char buf[IF_NAMESIZE + 1];

	return pbnl_ifname_of(bdf, buf, sizeof(buf));
}

int pbnl_set_link(const char *ifname, bool up)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		ret = -errno;
	if (!ret) {
		if (up)
			ifr.ifr_flags |= IFF_UP;
		else
			ifr.ifr_flags &= ~IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			ret = -errno;
	}
	close(fd);
	return ret;
}
