// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_nl.c - reply parsing and extended-ack extraction, on messages built
 * here: the kernel's shape, and what a broken or newer kernel might send.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>

#include "nl.h"
#include "unit.h"

#define FAMILY_ID 0x1c

static struct nl_msg *reply_cmd(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, 0, 1, FAMILY_ID, 0, 0, cmd,
				 PCIBACK_FAMILY_VERSION))
		abort();
	return msg;
}

static struct nl_msg *reply(void)
{
	return reply_cmd(PCIBACK_CMD_DEV_GET);
}

static void put_ok(int ret)
{
	if (ret < 0)
		abort();
}

static void parse_full(void)
{
	struct nl_msg *msg = reply();
	struct pb_dev d;

	put_ok(nla_put_string(msg, PCIBACK_A_DEV_NAME, "0000:04:00.0"));
	put_ok(nla_put_u32(msg, PCIBACK_A_DEV_DOMAIN, 0));
	put_ok(nla_put_u32(msg, PCIBACK_A_DEV_BUS, 4));
	put_ok(nla_put_u32(msg, PCIBACK_A_DEV_DEVFN, 0));
	put_ok(nla_put_u32(msg, PCIBACK_A_DEV_VENDOR, 0x8086));
	put_ok(nla_put_u32(msg, PCIBACK_A_DEV_DEVICE, 0x1521));
	put_ok(nla_put_u32(msg, PCIBACK_A_DEV_SUBSYSTEM_VENDOR, 0x15d9));
	put_ok(nla_put_u32(msg, PCIBACK_A_DEV_SUBSYSTEM_DEVICE, 0x1521));
	put_ok(nla_put_u32(msg, PCIBACK_A_DEV_CLASS, 0x020000));
	put_ok(nla_put_u32(msg, PCIBACK_A_DEV_REVISION, 1));
	put_ok(nla_put_string(msg, PCIBACK_A_DEV_DRIVER, "pciback"));
	put_ok(nla_put_string(msg, PCIBACK_A_DEV_DRIVER_OVERRIDE, "pciback"));
	put_ok(nla_put_flag(msg, PCIBACK_A_DEV_PCIBACK));
	put_ok(nla_put_flag(msg, PCIBACK_A_DEV_MULTIFUNCTION));
	put_ok(nla_put_u32(msg, PCIBACK_A_DEV_HDR_TYPE,
			   PCIBACK_HDR_TYPE_ENDPOINT));
	put_ok(nla_put_u32(msg, PCIBACK_A_DEV_SRIOV_ROLE,
			   PCIBACK_SRIOV_ROLE_PF));
	put_ok(nla_put_u32(msg, PCIBACK_A_DEV_SRIOV_TOTAL_VFS, 7));
	put_ok(nla_put_u32(msg, PCIBACK_A_DEV_SRIOV_NUM_VFS, 2));
	put_ok(nla_put_string(msg, PCIBACK_A_DEV_RESET_METHOD, "flr"));
	put_ok(nla_put_string(msg, PCIBACK_A_DEV_RESET_METHOD, "pm"));
	put_ok(nla_put_string(msg, PCIBACK_A_DEV_RESET_METHOD, "bus"));

	CHECK_INT(pbnl_parse_dev(nlmsg_hdr(msg), &d), 0);
	CHECK_STR(d.name, "0000:04:00.0");
	CHECK_INT(d.bus, 4);
	CHECK_INT(d.vendor, 0x8086);
	CHECK_INT(d.device, 0x1521);
	CHECK_INT(d.subsystem_vendor, 0x15d9);
	CHECK_INT(d.subsystem_device, 0x1521);
	CHECK_INT(d.class_code, 0x020000);
	CHECK_INT(d.revision, 1);
	CHECK_INT(d.hdr_type, PCIBACK_HDR_TYPE_ENDPOINT);
	CHECK_INT(d.sriov_role, PCIBACK_SRIOV_ROLE_PF);
	CHECK_INT(d.sriov_total_vfs, 7);
	CHECK_INT(d.sriov_num_vfs, 2);
	CHECK(pb_dev_has(&d, PCIBACK_A_DEV_DOMAIN));
	CHECK(pb_dev_has(&d, PCIBACK_A_DEV_SRIOV_NUM_VFS));
	CHECK_STR(d.driver, "pciback");
	CHECK_STR(d.driver_override, "pciback");
	CHECK(!d.physfn);
	CHECK(d.pciback);
	CHECK(d.multifunction);
	CHECK(!d.hidden);
	CHECK(!d.orig_driver);
	CHECK(!d.orig_driver_override);
	CHECK(!pb_dev_has(&d, PCIBACK_A_DEV_GUEST_DOMID));
	CHECK(!pb_dev_has(&d, PCIBACK_A_DEV_EVENT));
	CHECK_INT(d.n_reset_methods, 3);
	if (d.n_reset_methods == 3) {
		CHECK_STR(d.reset_methods[0], "flr");
		CHECK_STR(d.reset_methods[1], "pm");
		CHECK_STR(d.reset_methods[2], "bus");
	}
	pb_dev_release(&d);
	nlmsg_free(msg);
}

static void parse_minimal(void)
{
	struct nl_msg *msg = reply();
	struct pb_dev d;

	put_ok(nla_put_string(msg, PCIBACK_A_DEV_NAME, "ffffffff:ff:1f.7"));
	put_ok(nla_put_string(msg, PCIBACK_A_DEV_PHYSFN, "0000:04:00.0"));
	CHECK_INT(pbnl_parse_dev(nlmsg_hdr(msg), &d), 0);
	CHECK_STR(d.name, "ffffffff:ff:1f.7");
	CHECK_STR(d.physfn, "0000:04:00.0");
	CHECK_INT(d.has, 0);
	CHECK(!pb_dev_has(&d, PCIBACK_A_DEV_VENDOR));
	CHECK(!pb_dev_has(&d, PCIBACK_A_DEV_SRIOV_ROLE));
	CHECK(!d.driver);
	CHECK(!d.driver_override);
	CHECK(!d.pciback);
	CHECK(!d.multifunction);
	CHECK_INT(d.n_reset_methods, 0);
	CHECK(!d.reset_methods);
	pb_dev_release(&d);
	nlmsg_free(msg);
}

static void parse_unknown_attrs(void)
{
	struct nl_msg *msg = reply();
	struct pb_dev d;

	put_ok(nla_put_u32(msg, PCIBACK_A_DEV_MAX + 1, 42));
	put_ok(nla_put_string(msg, PCIBACK_A_DEV_NAME, "0000:03:00.0"));
	put_ok(nla_put(msg, 300, 5, "\x01\x02\x03\x04\x05"));
	put_ok(nla_put_u32(msg, PCIBACK_A_DEV_VENDOR, 0x1af4));
	put_ok(nla_put_flag(msg, PCIBACK_A_DEV_MAX + 7));
	CHECK_INT(pbnl_parse_dev(nlmsg_hdr(msg), &d), 0);
	CHECK_STR(d.name, "0000:03:00.0");
	CHECK_INT(d.vendor, 0x1af4);
	CHECK_INT(d.has, 1u << PCIBACK_A_DEV_VENDOR);
	pb_dev_release(&d);
	nlmsg_free(msg);
}

static void parse_reset_cap(void)
{
	struct nl_msg *msg = reply();
	struct pb_dev d;
	char name[16];
	int i;

	put_ok(nla_put_string(msg, PCIBACK_A_DEV_NAME, "0000:03:00.0"));
	for (i = 0; i < PB_DEV_RESET_METHODS_MAX + 4; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		put_ok(nla_put_string(msg, PCIBACK_A_DEV_RESET_METHOD, name));
	}
	CHECK_INT(pbnl_parse_dev(nlmsg_hdr(msg), &d), 0);
	CHECK_INT(d.n_reset_methods, PB_DEV_RESET_METHODS_MAX);
	if (d.n_reset_methods == PB_DEV_RESET_METHODS_MAX) {
		CHECK_STR(d.reset_methods[0], "m0");
		CHECK_STR(d.reset_methods[PB_DEV_RESET_METHODS_MAX - 1], "m15");
	}
	pb_dev_release(&d);
	nlmsg_free(msg);
}

enum bad {
	NO_NAME, NAME_TOO_LONG, NAME_EMPTY, NAME_UNTERMINATED,
	DRIVER_UNTERMINATED, U32_SHORT, RESET_UNTERMINATED, RESET_TOO_LONG,
	PHYSFN_BAD_AFTER_DRIVER, NAME_CUT_OFF, NAME_EMBEDDED_NUL,
	DRIVER_EMBEDDED_NUL, NBAD
};

static struct nl_msg *bad_reply(enum bad b)
{
	struct nl_msg *msg = reply();
	char long_name[100];

	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	if (b != NO_NAME && b != NAME_TOO_LONG && b != NAME_EMPTY &&
	    b != NAME_UNTERMINATED && b != NAME_CUT_OFF &&
	    b != NAME_EMBEDDED_NUL)
		put_ok(nla_put_string(msg, PCIBACK_A_DEV_NAME, "0000:03:00.0"));
	switch (b) {
	case NO_NAME:
		put_ok(nla_put_u32(msg, PCIBACK_A_DEV_VENDOR, 0x8086));
		break;
	case NAME_TOO_LONG:
		put_ok(nla_put_string(msg, PCIBACK_A_DEV_NAME,
				      "00000000:03:00.0xxx"));
		break;
	case NAME_EMPTY:
		put_ok(nla_put_string(msg, PCIBACK_A_DEV_NAME, ""));
		break;
	case NAME_UNTERMINATED:
		put_ok(nla_put(msg, PCIBACK_A_DEV_NAME, 12, "0000:03:00.0"));
		break;
	case DRIVER_UNTERMINATED:
		put_ok(nla_put(msg, PCIBACK_A_DEV_DRIVER, 3, "abc"));
		break;
	case U32_SHORT:
		put_ok(nla_put_u16(msg, PCIBACK_A_DEV_VENDOR, 0x8086));
		break;
	case RESET_UNTERMINATED:
		put_ok(nla_put_string(msg, PCIBACK_A_DEV_RESET_METHOD, "flr"));
		put_ok(nla_put(msg, PCIBACK_A_DEV_RESET_METHOD, 2, "pm"));
		break;
	case RESET_TOO_LONG:
		put_ok(nla_put_string(msg, PCIBACK_A_DEV_RESET_METHOD,
				      long_name));
		break;
	case PHYSFN_BAD_AFTER_DRIVER:	/* what was copied is freed */
		put_ok(nla_put_string(msg, PCIBACK_A_DEV_DRIVER, "e1000e"));
		put_ok(nla_put_string(msg, PCIBACK_A_DEV_DRIVER_OVERRIDE, "x"));
		put_ok(nla_put_string(msg, PCIBACK_A_DEV_RESET_METHOD, "flr"));
		put_ok(nla_put(msg, PCIBACK_A_DEV_PHYSFN, 4, "0000"));
		break;
	case NAME_CUT_OFF:		/* the message ends inside NAME */
		put_ok(nla_put_u32(msg, PCIBACK_A_DEV_VENDOR, 0x8086));
		put_ok(nla_put_string(msg, PCIBACK_A_DEV_NAME, "0000:03:00.0"));
		nlmsg_hdr(msg)->nlmsg_len -= 8;
		break;
	case NAME_EMBEDDED_NUL:
		put_ok(nla_put(msg, PCIBACK_A_DEV_NAME, 14, "0000\0:03:00.0"));
		break;
	case DRIVER_EMBEDDED_NUL:
		/* "e1", NUL, "00e" and the final NUL: 7 bytes */
		put_ok(nla_put(msg, PCIBACK_A_DEV_DRIVER, 7, "e1\00000e"));
		break;
	case NBAD:
		break;
	}
	return msg;
}

static void parse_malformed(void)
{
	enum bad b;

	for (b = 0; b < NBAD; b++) {
		struct nl_msg *msg = bad_reply(b);
		struct pb_dev d;
		int ret = pbnl_parse_dev(nlmsg_hdr(msg), &d);

		if (ret != -EPROTO)
			unit_fail(__FILE__, __LINE__,
				  "malformed reply %d: returned %d", b, ret);
		if (d.driver || d.driver_override || d.physfn ||
		    d.reset_methods || d.n_reset_methods || d.has || d.name[0])
			unit_fail(__FILE__, __LINE__,
				  "malformed reply %d: record not cleared", b);
		pb_dev_release(&d);
		nlmsg_free(msg);
	}
}

/* --- extended acks, built byte by byte -------------------------------- */

struct raw {
	union {
		unsigned char b[1024];
		struct nlmsghdr nlh;	/* alignment */
	} u;
	size_t len;
};

static void raw_put(struct raw *r, const void *data, size_t n)
{
	memcpy(r->u.b + r->len, data, n);
	r->len += NLMSG_ALIGN(n);
}

static void raw_attr(struct raw *r, unsigned short type, const void *data,
		     size_t n)
{
	struct nlattr a = { .nla_len = (unsigned short)(NLA_HDRLEN + n),
			    .nla_type = type };

	memcpy(r->u.b + r->len, &a, sizeof(a));
	memcpy(r->u.b + r->len + NLA_HDRLEN, data, n);
	r->len += NLA_ALIGN(a.nla_len);
}

static void raw_str(struct raw *r, unsigned short type, const char *s)
{
	raw_attr(r, type, s, strlen(s) + 1);
}

/* An NLMSG_ERROR for a DEV_GET request, capped or echoing the request. */
static struct nlmsghdr *error_msg(struct raw *r, int error, bool capped,
				  unsigned short flags)
{
	struct raw req = { .len = NLMSG_HDRLEN };
	struct genlmsghdr g = { .cmd = PCIBACK_CMD_DEV_GET, .version = 1 };
	struct nlmsgerr e = { .error = error };

	raw_put(&req, &g, sizeof(g));
	raw_str(&req, PCIBACK_A_DEV_NAME, "0000:09:00.0");
	req.u.nlh = (struct nlmsghdr){
		.nlmsg_len = (unsigned int)req.len, .nlmsg_type = FAMILY_ID,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = 7,
	};

	memset(r, 0, sizeof(*r));
	r->len = NLMSG_HDRLEN;
	e.msg = req.u.nlh;
	raw_put(r, &e, sizeof(e));
	if (!capped) {	/* the request's payload follows */
		memcpy(r->u.b + r->len, req.u.b + NLMSG_HDRLEN,
		       req.len - NLMSG_HDRLEN);
		r->len = NLMSG_HDRLEN +
			 NLMSG_ALIGN(sizeof(e) + req.len - NLMSG_HDRLEN);
	}
	r->u.nlh = (struct nlmsghdr){
		.nlmsg_type = NLMSG_ERROR, .nlmsg_seq = 7,
		.nlmsg_flags = (unsigned short)(flags |
						(capped ? NLM_F_CAPPED : 0)),
	};
	return &r->u.nlh;
}

static void finish(struct raw *r)
{
	r->u.nlh.nlmsg_len = (unsigned int)r->len;
}

static void extack_error(void)
{
	const char *text = "pciback_nl: device 0000:09:00.0 not found";
	uint32_t offs = 20;
	struct nlmsghdr *nlh;
	struct raw r;
	char buf[256];

	/* capped: the TLVs follow struct nlmsgerr */
	nlh = error_msg(&r, -ENODEV, true, NLM_F_ACK_TLVS);
	raw_str(&r, NLMSGERR_ATTR_MSG, text);
	raw_attr(&r, NLMSGERR_ATTR_OFFS, &offs, sizeof(offs));
	finish(&r);
	CHECK_INT(pbnl_extack_msg(nlh, buf, sizeof(buf)), strlen(text));
	CHECK_STR(buf, text);

	/* not capped: after the echoed request; the message not first */
	nlh = error_msg(&r, -ENODEV, false, NLM_F_ACK_TLVS);
	raw_attr(&r, NLMSGERR_ATTR_OFFS, &offs, sizeof(offs));
	raw_str(&r, NLMSGERR_ATTR_MSG, text);
	finish(&r);
	CHECK_INT(pbnl_extack_msg(nlh, buf, sizeof(buf)), strlen(text));
	CHECK_STR(buf, text);

	/* no NLM_F_ACK_TLVS: no message, even if bytes follow */
	nlh = error_msg(&r, -ENODEV, true, 0);
	raw_str(&r, NLMSGERR_ATTR_MSG, text);
	finish(&r);
	snprintf(buf, sizeof(buf), "stale");
	CHECK_INT(pbnl_extack_msg(nlh, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");

	/* TLVs without a message */
	nlh = error_msg(&r, -EINVAL, true, NLM_F_ACK_TLVS);
	raw_attr(&r, NLMSGERR_ATTR_OFFS, &offs, sizeof(offs));
	finish(&r);
	CHECK_INT(pbnl_extack_msg(nlh, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
}

static void extack_done(void)
{
	const char *text = "pciback_nl: device 0000:03:00.0 is busy";
	struct raw r = { .len = NLMSG_HDRLEN };
	int error = -EBUSY;
	char buf[256], line[64];

	raw_put(&r, &error, sizeof(error));
	snprintf(line, sizeof(line), "%s\n", text);
	raw_str(&r, NLMSGERR_ATTR_MSG, line);
	r.u.nlh = (struct nlmsghdr){
		.nlmsg_type = NLMSG_DONE,
		.nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS,
	};
	finish(&r);
	CHECK_INT(pbnl_extack_msg(&r.u.nlh, buf, sizeof(buf)), strlen(text));
	CHECK_STR(buf, text);

	/* a data message has no extack */
	r.u.nlh.nlmsg_type = FAMILY_ID;
	CHECK_INT(pbnl_extack_msg(&r.u.nlh, buf, sizeof(buf)), 0);
}

static void extack_hostile(void)
{
	struct nlmsghdr *nlh;
	struct raw r;
	char buf[256], small[8];
	struct nlattr *a;

	/* truncated to the buffer, always terminated */
	nlh = error_msg(&r, -ENODEV, true, NLM_F_ACK_TLVS);
	raw_str(&r, NLMSGERR_ATTR_MSG, "pciback_nl: long message");
	finish(&r);
	CHECK_INT(pbnl_extack_msg(nlh, small, sizeof(small)), 7);
	CHECK_STR(small, "pciback");
	CHECK_INT(pbnl_extack_msg(nlh, small, 1), 0);
	CHECK_STR(small, "");

	/* control characters do not reach the terminal */
	nlh = error_msg(&r, -ENODEV, true, NLM_F_ACK_TLVS);
	raw_str(&r, NLMSGERR_ATTR_MSG, "bad\x1b[0m\ttext");
	finish(&r);
	pbnl_extack_msg(nlh, buf, sizeof(buf));
	CHECK_STR(buf, "bad?[0m?text");

	/* not NUL-terminated: bounded by the attribute */
	nlh = error_msg(&r, -ENODEV, true, NLM_F_ACK_TLVS);
	raw_attr(&r, NLMSGERR_ATTR_MSG, "abcdef", 3);
	raw_attr(&r, NLMSGERR_ATTR_OFFS, "\0\0\0\0", 4);
	finish(&r);
	pbnl_extack_msg(nlh, buf, sizeof(buf));
	CHECK_STR(buf, "abc");

	/* an attribute longer than the message */
	nlh = error_msg(&r, -ENODEV, true, NLM_F_ACK_TLVS);
	a = (struct nlattr *)(r.u.b + r.len);
	raw_str(&r, NLMSGERR_ATTR_MSG, "pciback_nl: cut");
	a->nla_len = 200;
	finish(&r);
	CHECK_INT(pbnl_extack_msg(nlh, buf, sizeof(buf)), 0);

	/* an attribute shorter than its header */
	nlh = error_msg(&r, -ENODEV, true, NLM_F_ACK_TLVS);
	a = (struct nlattr *)(r.u.b + r.len);
	raw_str(&r, NLMSGERR_ATTR_MSG, "pciback_nl: cut");
	a->nla_len = 2;
	finish(&r);
	CHECK_INT(pbnl_extack_msg(nlh, buf, sizeof(buf)), 0);

	/* an echoed request claiming more than the message holds */
	nlh = error_msg(&r, -ENODEV, false, NLM_F_ACK_TLVS);
	raw_str(&r, NLMSGERR_ATTR_MSG, "pciback_nl: x");
	((struct nlmsgerr *)NLMSG_DATA(nlh))->msg.nlmsg_len = 4000;
	finish(&r);
	CHECK_INT(pbnl_extack_msg(nlh, buf, sizeof(buf)), 0);

	/* an error message too short for struct nlmsgerr */
	nlh = error_msg(&r, -ENODEV, true, NLM_F_ACK_TLVS);
	r.len = NLMSG_HDRLEN + 8;
	finish(&r);
	CHECK_INT(pbnl_extack_msg(nlh, buf, sizeof(buf)), 0);
}

/* --- pciback_nl state of a device ------------------------------------ */

/* The "dev" attributes of a device hidden from e1000e, owned by domain 3. */
static void put_hidden_dev(struct nl_msg *msg, const char *name)
{
	put_ok(nla_put_string(msg, PCIBACK_A_DEV_NAME, name));
	put_ok(nla_put_u32(msg, PCIBACK_A_DEV_VENDOR, 0x8086));
	put_ok(nla_put_string(msg, PCIBACK_A_DEV_DRIVER, "pciback"));
	put_ok(nla_put_flag(msg, PCIBACK_A_DEV_PCIBACK));
	put_ok(nla_put_string(msg, PCIBACK_A_DEV_RESET_METHOD, "flr"));
	put_ok(nla_put_flag(msg, PCIBACK_A_DEV_HIDDEN));
	put_ok(nla_put_string(msg, PCIBACK_A_DEV_ORIG_DRIVER, "e1000e"));
	put_ok(nla_put_string(msg, PCIBACK_A_DEV_ORIG_DRIVER_OVERRIDE,
			      "vfio-pci"));
	put_ok(nla_put_u32(msg, PCIBACK_A_DEV_GUEST_DOMID, 3));
}

static void parse_hidden_state(void)
{
	struct nl_msg *msg = reply();
	struct pb_dev d;

	put_hidden_dev(msg, "0000:03:00.0");
	CHECK_INT(pbnl_parse_dev(nlmsg_hdr(msg), &d), 0);
	CHECK(d.hidden);
	CHECK(d.pciback);
	CHECK_STR(d.orig_driver, "e1000e");
	CHECK_STR(d.orig_driver_override, "vfio-pci");
	CHECK(pb_dev_has(&d, PCIBACK_A_DEV_GUEST_DOMID));
	CHECK_INT(d.guest_domid, 3);
	CHECK(!pb_dev_has(&d, PCIBACK_A_DEV_EVENT));
	pb_dev_release(&d);
	nlmsg_free(msg);

	/* a domid of 0 is a domain (dom0), not "none" */
	msg = reply();
	put_ok(nla_put_string(msg, PCIBACK_A_DEV_NAME, "0000:03:00.0"));
	put_ok(nla_put_u32(msg, PCIBACK_A_DEV_GUEST_DOMID, 0));
	CHECK_INT(pbnl_parse_dev(nlmsg_hdr(msg), &d), 0);
	CHECK(pb_dev_has(&d, PCIBACK_A_DEV_GUEST_DOMID));
	CHECK(!d.hidden);
	pb_dev_release(&d);
	nlmsg_free(msg);

	/* a bad new attribute: rejected, nothing kept */
	msg = reply();
	put_ok(nla_put_string(msg, PCIBACK_A_DEV_NAME, "0000:03:00.0"));
	put_ok(nla_put_string(msg, PCIBACK_A_DEV_ORIG_DRIVER, "e1000e"));
	put_ok(nla_put(msg, PCIBACK_A_DEV_ORIG_DRIVER_OVERRIDE, 3, "abc"));
	CHECK_INT(pbnl_parse_dev(nlmsg_hdr(msg), &d), -EPROTO);
	CHECK(!d.orig_driver);
	CHECK(!d.name[0]);
	nlmsg_free(msg);
	msg = reply();
	put_ok(nla_put_string(msg, PCIBACK_A_DEV_NAME, "0000:03:00.0"));
	put_ok(nla_put_u16(msg, PCIBACK_A_DEV_GUEST_DOMID, 3));
	CHECK_INT(pbnl_parse_dev(nlmsg_hdr(msg), &d), -EPROTO);
	nlmsg_free(msg);
}

/* --- dev-hide / dev-unhide -------------------------------------------- */

/* The kernel's reply: one result nest per device, in request order. */
static struct nl_msg *hide_reply(void)
{
	struct nl_msg *msg = reply_cmd(PCIBACK_CMD_DEV_HIDE);
	struct nlattr *res, *dev;

	res = nla_nest_start(msg, PCIBACK_A_OP_RESULT);
	put_ok(nla_put_string(msg, PCIBACK_A_RESULT_NAME, "0000:03:00.0"));
	put_ok(nla_put_string(msg, PCIBACK_A_RESULT_FROM_DRIVER, "e1000e"));
	put_ok(nla_put_string(msg, PCIBACK_A_RESULT_TO_DRIVER, "pciback"));
	dev = nla_nest_start(msg, PCIBACK_A_RESULT_DEV);
	put_hidden_dev(msg, "0000:03:00.0");
	put_ok(nla_nest_end(msg, dev));
	put_ok(nla_put_string(msg, PCIBACK_A_RESULT_WARNING,
			      "interface eth1 was up"));
	put_ok(nla_put_string(msg, PCIBACK_A_RESULT_WARNING,
			      "0000:03:00.0 is the boot VGA device"));
	put_ok(nla_nest_end(msg, res));

	/* an unbound function: no from-driver */
	res = nla_nest_start(msg, PCIBACK_A_OP_RESULT);
	put_ok(nla_put_u32(msg, PCIBACK_A_RESULT_MAX + 3, 9));	/* newer */
	put_ok(nla_put_string(msg, PCIBACK_A_RESULT_NAME, "0000:03:00.1"));
	put_ok(nla_put_string(msg, PCIBACK_A_RESULT_TO_DRIVER, "pciback"));
	dev = nla_nest_start(msg, PCIBACK_A_RESULT_DEV);
	put_hidden_dev(msg, "0000:03:00.1");
	put_ok(nla_nest_end(msg, dev));
	put_ok(nla_nest_end(msg, res));
	return msg;
}

static void parse_hide_reply(void)
{
	struct nl_msg *msg = hide_reply();
	struct pb_result *res;
	size_t n;

	CHECK_INT(pbnl_parse_op_reply(nlmsg_hdr(msg), &res, &n), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(res[0].name, "0000:03:00.0");
		CHECK_STR(res[0].from_driver, "e1000e");
		CHECK_STR(res[0].to_driver, "pciback");
		CHECK(res[0].has_dev);
		CHECK_STR(res[0].dev.name, "0000:03:00.0");
		CHECK_STR(res[0].dev.driver, "pciback");
		CHECK(res[0].dev.hidden);
		CHECK_STR(res[0].dev.orig_driver, "e1000e");
		CHECK_INT(res[0].dev.guest_domid, 3);
		CHECK_INT(res[0].dev.n_reset_methods, 1);
		CHECK_INT(res[0].n_warnings, 2);
		if (res[0].n_warnings == 2) {
			CHECK_STR(res[0].warnings[0], "interface eth1 was up");
			CHECK_STR(res[0].warnings[1],
				  "0000:03:00.0 is the boot VGA device");
		}
		CHECK_STR(res[1].name, "0000:03:00.1");
		CHECK(!res[1].from_driver);
		CHECK_STR(res[1].to_driver, "pciback");
		CHECK(res[1].has_dev);
		CHECK_STR(res[1].dev.name, "0000:03:00.1");
		CHECK_INT(res[1].n_warnings, 0);
		CHECK(!res[1].warnings);
	}
	pbnl_results_free(res, n);
	nlmsg_free(msg);
}

static void parse_unhide_reply(void)
{
	struct nl_msg *msg = reply_cmd(PCIBACK_CMD_DEV_UNHIDE);
	struct nlattr *res, *dev;
	struct pb_result *r;
	size_t n;

	/* no record: no to-driver; the device nest says what was bound */
	res = nla_nest_start(msg, PCIBACK_A_OP_RESULT);
	put_ok(nla_put_string(msg, PCIBACK_A_RESULT_NAME, "0000:03:00.0"));
	put_ok(nla_put_string(msg, PCIBACK_A_RESULT_FROM_DRIVER, "pciback"));
	dev = nla_nest_start(msg, PCIBACK_A_RESULT_DEV);
	put_ok(nla_put_string(msg, PCIBACK_A_DEV_NAME, "0000:03:00.0"));
	put_ok(nla_put_string(msg, PCIBACK_A_DEV_DRIVER, "e1000e"));
	put_ok(nla_nest_end(msg, dev));
	put_ok(nla_nest_end(msg, res));

	CHECK_INT(pbnl_parse_op_reply(nlmsg_hdr(msg), &r, &n), 0);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(r[0].from_driver, "pciback");
		CHECK(!r[0].to_driver);
		CHECK(r[0].has_dev);
		CHECK_STR(r[0].dev.driver, "e1000e");
		CHECK(!r[0].dev.hidden);
		CHECK(!r[0].dev.pciback);
	}
	pbnl_results_free(r, n);
	nlmsg_free(msg);

	/* no results at all parses as none: the caller decides */
	msg = reply_cmd(PCIBACK_CMD_DEV_UNHIDE);
	CHECK_INT(pbnl_parse_op_reply(nlmsg_hdr(msg), &r, &n), 0);
	CHECK_INT(n, 0);
	CHECK(!r);
	nlmsg_free(msg);
}

static void parse_warnings_cap(void)
{
	struct nl_msg *msg = reply_cmd(PCIBACK_CMD_DEV_HIDE);
	struct nlattr *res;
	struct pb_result *r;
	char text[32];
	size_t n;
	int i;

	res = nla_nest_start(msg, PCIBACK_A_OP_RESULT);
	put_ok(nla_put_string(msg, PCIBACK_A_RESULT_NAME, "0000:03:00.0"));
	for (i = 0; i < PB_RESULT_WARNINGS_MAX + 3; i++) {
		snprintf(text, sizeof(text), "w%d", i);
		put_ok(nla_put_string(msg, PCIBACK_A_RESULT_WARNING, text));
	}
	put_ok(nla_nest_end(msg, res));
	CHECK_INT(pbnl_parse_op_reply(nlmsg_hdr(msg), &r, &n), 0);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK(!r[0].has_dev);
		CHECK_INT(r[0].n_warnings, PB_RESULT_WARNINGS_MAX);
		CHECK_STR(r[0].warnings[0], "w0");
		CHECK_STR(r[0].warnings[PB_RESULT_WARNINGS_MAX - 1], "w15");
	}
	pbnl_results_free(r, n);
	nlmsg_free(msg);
}

enum bad_result {
	RES_NO_NAME, RES_NAME_TOO_LONG, RES_FROM_UNTERMINATED,
	RES_DEV_WITHOUT_NAME, RES_DEV_BAD_U32, RES_WARNING_UNTERMINATED,
	RES_SECOND_BAD, NBAD_RESULT
};

static struct nl_msg *bad_result(enum bad_result b)
{
	struct nl_msg *msg = reply_cmd(PCIBACK_CMD_DEV_HIDE);
	struct nlattr *res, *dev;

	if (b == RES_SECOND_BAD) {	/* a good one first: freed too */
		res = nla_nest_start(msg, PCIBACK_A_OP_RESULT);
		put_ok(nla_put_string(msg, PCIBACK_A_RESULT_NAME,
				      "0000:03:00.0"));
		put_ok(nla_put_string(msg, PCIBACK_A_RESULT_FROM_DRIVER, "x"));
		put_ok(nla_put_string(msg, PCIBACK_A_RESULT_WARNING, "w"));
		put_ok(nla_nest_end(msg, res));
	}
	res = nla_nest_start(msg, PCIBACK_A_OP_RESULT);
	if (b == RES_NAME_TOO_LONG)
		put_ok(nla_put_string(msg, PCIBACK_A_RESULT_NAME,
				      "00000000:03:00.0xxx"));
	else if (b != RES_NO_NAME)
		put_ok(nla_put_string(msg, PCIBACK_A_RESULT_NAME,
				      "0000:03:00.1"));
	put_ok(nla_put_string(msg, PCIBACK_A_RESULT_TO_DRIVER, "pciback"));
	switch (b) {
	case RES_FROM_UNTERMINATED:
		put_ok(nla_put(msg, PCIBACK_A_RESULT_FROM_DRIVER, 3, "igb"));
		break;
	case RES_DEV_WITHOUT_NAME:
		dev = nla_nest_start(msg, PCIBACK_A_RESULT_DEV);
		put_ok(nla_put_string(msg, PCIBACK_A_DEV_DRIVER, "pciback"));
		put_ok(nla_nest_end(msg, dev));
		break;
	case RES_DEV_BAD_U32:
		dev = nla_nest_start(msg, PCIBACK_A_RESULT_DEV);
		put_ok(nla_put_string(msg, PCIBACK_A_DEV_NAME, "0000:03:00.1"));
		put_ok(nla_put_u16(msg, PCIBACK_A_DEV_GUEST_DOMID, 1));
		put_ok(nla_nest_end(msg, dev));
		break;
	case RES_WARNING_UNTERMINATED:
		put_ok(nla_put_string(msg, PCIBACK_A_RESULT_WARNING, "ok"));
		put_ok(nla_put(msg, PCIBACK_A_RESULT_WARNING, 4, "oops"));
		break;
	case RES_SECOND_BAD:
		put_ok(nla_put(msg, PCIBACK_A_RESULT_TO_DRIVER, 1, "p"));
		break;
	default:
		break;
	}
	put_ok(nla_nest_end(msg, res));
	return msg;
}

static void parse_bad_results(void)
{
	enum bad_result b;

	for (b = 0; b < NBAD_RESULT; b++) {
		struct nl_msg *msg = bad_result(b);
		struct pb_result *r = (struct pb_result *)1;
		size_t n = 99;
		int ret = pbnl_parse_op_reply(nlmsg_hdr(msg), &r, &n);

		if (ret != -EPROTO)
			unit_fail(__FILE__, __LINE__,
				  "malformed result %d: returned %d", b, ret);
		if (r || n)
			unit_fail(__FILE__, __LINE__,
				  "malformed result %d: results left", b);
		nlmsg_free(msg);
	}
}

static void op_request(void)
{
	static const char *const names[] = { "0000:03:00.0", "0000:03:00.1", "0000:00:07.0" };
	struct nlattr *tb[PCIBACK_A_OP_MAX + 1], *a;
	struct nl_msg *msg;
	struct nlmsghdr *nlh;
	int rem, i = 0;

	msg = pbnl_op_msg(FAMILY_ID, PCIBACK_CMD_DEV_HIDE, names, 3,
			  PCIBACK_OP_FLAG_DRY_RUN | PCIBACK_OP_FLAG_ALLOW_BRIDGE);
	CHECK(msg);
	if (!msg)
		return;
	nlh = nlmsg_hdr(msg);
	CHECK_INT(nlh->nlmsg_type, FAMILY_ID);
	CHECK_INT(genlmsg_hdr(nlh)->cmd, PCIBACK_CMD_DEV_HIDE);
	CHECK_INT(genlmsg_hdr(nlh)->version, PCIBACK_FAMILY_VERSION);
	/* one name attribute per device, in order, each NUL-terminated */
	nla_for_each_attr(a, genlmsg_attrdata(genlmsg_hdr(nlh), 0),
			  genlmsg_attrlen(genlmsg_hdr(nlh), 0), rem) {
		if (nla_type(a) != PCIBACK_A_OP_DEV_NAME)
			continue;
		if (i < 3) {
			CHECK_INT(nla_len(a), strlen(names[i]) + 1);
			CHECK_STR(nla_data(a), names[i]);
		}
		i++;
	}
	CHECK_INT(i, 3);
	CHECK_INT(genlmsg_parse(nlh, 0, tb, PCIBACK_A_OP_MAX, NULL), 0);
	CHECK(tb[PCIBACK_A_OP_FLAGS]);
	if (tb[PCIBACK_A_OP_FLAGS])
		CHECK_INT(nla_get_u32(tb[PCIBACK_A_OP_FLAGS]),
			  PCIBACK_OP_FLAG_DRY_RUN | PCIBACK_OP_FLAG_ALLOW_BRIDGE);
	CHECK(!tb[PCIBACK_A_OP_RESULT]);
	nlmsg_free(msg);

	/* no flags: no flags attribute; unhide */
	msg = pbnl_op_msg(FAMILY_ID, PCIBACK_CMD_DEV_UNHIDE, names, 1, 0);
	CHECK(msg);
	if (msg) {
		nlh = nlmsg_hdr(msg);
		CHECK_INT(genlmsg_hdr(nlh)->cmd, PCIBACK_CMD_DEV_UNHIDE);
		CHECK_INT(genlmsg_parse(nlh, 0, tb, PCIBACK_A_OP_MAX, NULL), 0);
		CHECK(tb[PCIBACK_A_OP_DEV_NAME]);
		CHECK(!tb[PCIBACK_A_OP_FLAGS]);
		nlmsg_free(msg);
	}
}

static void op_request_many(void)
{
	static char buf[256][PCIBACK_DEV_NAME_MAX];
	const char *names[256];
	struct nl_msg *msg;
	struct nlattr *a;
	int rem, i, n = 0;

	/* more than fit a default (page-sized) message */
	for (i = 0; i < 256; i++) {
		snprintf(buf[i], sizeof(buf[i]), "%08x:%02x:1f.7",
			 0x10000u + (unsigned int)i, i);
		names[i] = buf[i];
	}
	msg = pbnl_op_msg(FAMILY_ID, PCIBACK_CMD_DEV_HIDE, names, 256,
			  PCIBACK_OP_FLAG_FORCE);
	CHECK(msg);
	if (!msg)
		return;
	nla_for_each_attr(a, genlmsg_attrdata(genlmsg_hdr(nlmsg_hdr(msg)), 0),
			  genlmsg_attrlen(genlmsg_hdr(nlmsg_hdr(msg)), 0), rem)
		n += nla_type(a) == PCIBACK_A_OP_DEV_NAME;
	CHECK_INT(n, 256);
	nlmsg_free(msg);
}

/* dev-unhide's fallback drivers: one nest (NLA_F_NESTED) per driver given. */
static void op_request_fallback(void)
{
	static const char *const names[] = { "0000:03:00.0", "0000:03:00.1" };
	static const char *const fb[] = { NULL, "e1000e" };
	static const char *const slash[] = { "a/b", NULL };
	static const char *const empty[] = { "", NULL };
	static char longname[80];
	static const char *const toolong[] = { longname, NULL };
	struct nlattr *a, *tb[PCIBACK_A_FALLBACK_MAX + 1];
	struct nl_msg *msg;
	int rem, n = 0;

	msg = pbnl_op_msg_fallback(FAMILY_ID, PCIBACK_CMD_DEV_UNHIDE, names, fb,
				   2, 0);
	CHECK(msg);
	if (!msg)
		return;
	nla_for_each_attr(a, genlmsg_attrdata(genlmsg_hdr(nlmsg_hdr(msg)), 0),
			  genlmsg_attrlen(genlmsg_hdr(nlmsg_hdr(msg)), 0), rem) {
		if (nla_type(a) != PCIBACK_A_OP_FALLBACK)
			continue;
		n++;
		CHECK(a->nla_type & NLA_F_NESTED);
		CHECK_INT(nla_parse_nested(tb, PCIBACK_A_FALLBACK_MAX, a, NULL), 0);
		CHECK(tb[PCIBACK_A_FALLBACK_DEV_NAME] && tb[PCIBACK_A_FALLBACK_DRIVER]);
		if (tb[PCIBACK_A_FALLBACK_DEV_NAME] && tb[PCIBACK_A_FALLBACK_DRIVER]) {
			CHECK_STR(nla_data(tb[PCIBACK_A_FALLBACK_DEV_NAME]), names[1]);
			CHECK_STR(nla_data(tb[PCIBACK_A_FALLBACK_DRIVER]), "e1000e");
		}
	}
	CHECK_INT(n, 1);
	nlmsg_free(msg);

	/* none for hide; none empty, with a '/', or longer than 63 bytes */
	CHECK(!pbnl_op_msg_fallback(FAMILY_ID, PCIBACK_CMD_DEV_HIDE, names, fb,
				    2, 0));
	CHECK(!pbnl_op_msg_fallback(FAMILY_ID, PCIBACK_CMD_DEV_UNHIDE, names,
				    slash, 2, 0));
	CHECK(!pbnl_op_msg_fallback(FAMILY_ID, PCIBACK_CMD_DEV_UNHIDE, names,
				    empty, 2, 0));
	memset(longname, 'a', 64);
	longname[64] = '\0';
	CHECK(!pbnl_op_msg_fallback(FAMILY_ID, PCIBACK_CMD_DEV_UNHIDE, names,
				    toolong, 2, 0));
	longname[63] = '\0';
	msg = pbnl_op_msg_fallback(FAMILY_ID, PCIBACK_CMD_DEV_UNHIDE, names,
				   toolong, 2, 0);
	CHECK(msg);
	nlmsg_free(msg);
}

static void op_request_bad(void)
{
	static const char *const good[] = { "0000:03:00.0" };
	static const char *const empty[] = { "" };
	static const char *const toolong[] = { "000000000:03:00.0" };

	CHECK(!pbnl_op_msg(FAMILY_ID, PCIBACK_CMD_DEV_HIDE, good, 0, 0));
	CHECK(!pbnl_op_msg(FAMILY_ID, PCIBACK_CMD_DEV_HIDE, empty, 1, 0));
	CHECK(!pbnl_op_msg(FAMILY_ID, PCIBACK_CMD_DEV_HIDE, toolong, 1, 0));
	CHECK(!pbnl_op_msg(FAMILY_ID, PCIBACK_CMD_DEV_GET, good, 1, 0));
}

/* --- check: group-get ------------------------------------------------- */

static void put_member(struct nl_msg *msg, const char *name, uint32_t rules,
		       const char *reason1, const char *reason2)
{
	struct nlattr *m = nla_nest_start(msg, PCIBACK_A_GROUP_MEMBER);

	put_ok(nla_put_string(msg, PCIBACK_A_MEMBER_NAME, name));
	put_ok(nla_put_u32(msg, PCIBACK_A_MEMBER_RULES, rules));
	if (reason1)
		put_ok(nla_put_string(msg, PCIBACK_A_MEMBER_REASON, reason1));
	if (reason2)
		put_ok(nla_put_string(msg, PCIBACK_A_MEMBER_REASON, reason2));
	put_ok(nla_nest_end(msg, m));
}

static void parse_group_reply(void)
{
	struct nl_msg *msg = reply_cmd(PCIBACK_CMD_GROUP_GET);
	struct pb_group g;

	put_member(msg, "0000:03:00.0", PCIBACK_GROUP_RULE_REQUESTED,
		   "named in the request", NULL);
	put_member(msg, "0000:03:00.1",
		   PCIBACK_GROUP_RULE_ALIAS | PCIBACK_GROUP_RULE_RESET,
		   "aliases 0000:03:00.0", "shares a bus reset");
	put_ok(nla_put_u32(msg, PCIBACK_A_GROUP_VERDICT,
			   PCIBACK_GROUP_VERDICT_BRIDGE |
			   PCIBACK_GROUP_VERDICT_NO_RESET));
	put_ok(nla_put_string(msg, PCIBACK_A_GROUP_VERDICT_REASON,
			      "0000:00:07.0: contains a bridge or port"));
	put_ok(nla_put_u32(msg, PCIBACK_A_GROUP_MAX + 3, 1));	/* newer */
	put_ok(nla_put_string(msg, PCIBACK_A_GROUP_VERDICT_REASON,
			      "0000:03:00.1: has no usable reset"));
	CHECK_INT(pbnl_parse_group_reply(nlmsg_hdr(msg), &g), 0);
	CHECK_INT(g.n_members, 2);
	if (g.n_members == 2) {
		CHECK_STR(g.members[0].name, "0000:03:00.0");
		CHECK_INT(g.members[0].rules, PCIBACK_GROUP_RULE_REQUESTED);
		CHECK_INT(g.members[0].n_reasons, 1);
		CHECK_STR(g.members[0].reasons[0], "named in the request");
		CHECK_STR(g.members[1].name, "0000:03:00.1");
		CHECK_INT(g.members[1].rules, PCIBACK_GROUP_RULE_ALIAS |
			  PCIBACK_GROUP_RULE_RESET);
		CHECK_INT(g.members[1].n_reasons, 2);
		CHECK_STR(g.members[1].reasons[1], "shares a bus reset");
	}
	CHECK(g.has_verdict);
	CHECK_INT(g.verdict, PCIBACK_GROUP_VERDICT_BRIDGE |
		  PCIBACK_GROUP_VERDICT_NO_RESET);
	CHECK_INT(g.n_verdict_reasons, 2);
	if (g.n_verdict_reasons == 2)
		CHECK_STR(g.verdict_reasons[1],
			  "0000:03:00.1: has no usable reset");
	pb_group_release(&g);
	CHECK(!g.members);
	nlmsg_free(msg);

	/* an IOMMU group: no verdict; a member without reasons */
	msg = reply_cmd(PCIBACK_CMD_GROUP_GET);
	put_member(msg, "0000:03:00.0", 0, NULL, NULL);
	CHECK_INT(pbnl_parse_group_reply(nlmsg_hdr(msg), &g), 0);
	CHECK_INT(g.n_members, 1);
	CHECK(!g.has_verdict);
	CHECK_INT(g.n_verdict_reasons, 0);
	if (g.n_members == 1) {
		CHECK_INT(g.members[0].n_reasons, 0);
		CHECK(!g.members[0].reasons);
	}
	pb_group_release(&g);
	nlmsg_free(msg);
}

static void parse_group_many(void)
{
	struct nl_msg *msg = reply_cmd(PCIBACK_CMD_GROUP_GET);
	struct pb_group g;
	struct nlattr *m;
	char name[PCIBACK_DEV_NAME_MAX];
	int i;

	/* more members than the first allocation; reasons capped */
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "0000:05:%02x.0", i);
		put_member(msg, name, PCIBACK_GROUP_RULE_ACS, "below 00:1c.0",
			   NULL);
	}
	m = nla_nest_start(msg, PCIBACK_A_GROUP_MEMBER);
	put_ok(nla_put_string(msg, PCIBACK_A_MEMBER_NAME, "0000:06:00.0"));
	for (i = 0; i < PB_MEMBER_REASONS_MAX + 2; i++)
		put_ok(nla_put_string(msg, PCIBACK_A_MEMBER_REASON, "r"));
	put_ok(nla_nest_end(msg, m));
	put_ok(nla_put_u32(msg, PCIBACK_A_GROUP_VERDICT, 0));
	CHECK_INT(pbnl_parse_group_reply(nlmsg_hdr(msg), &g), 0);
	CHECK_INT(g.n_members, 21);
	if (g.n_members == 21) {
		CHECK_STR(g.members[19].name, "0000:05:13.0");
		CHECK_INT(g.members[20].n_reasons, PB_MEMBER_REASONS_MAX);
		CHECK_INT(g.members[20].rules, 0);
	}
	CHECK(g.has_verdict);
	CHECK_INT(g.verdict, 0);
	pb_group_release(&g);
	nlmsg_free(msg);
}

enum bad_group {
	GRP_MEMBER_NO_NAME, GRP_MEMBER_NAME_TOO_LONG, GRP_MEMBER_NOT_NEST,
	GRP_MEMBER_BAD_NEST, GRP_MEMBER_RULES_U16, GRP_MEMBER_REASON_UNTERM,
	GRP_SECOND_MEMBER_BAD, GRP_VERDICT_U16, GRP_VERDICT_REASON_UNTERM,
	NBAD_GROUP
};

static struct nl_msg *bad_group(enum bad_group b)
{
	struct nl_msg *msg = reply_cmd(PCIBACK_CMD_GROUP_GET);
	struct nlattr *m;

	put_member(msg, "0000:03:00.0", PCIBACK_GROUP_RULE_REQUESTED,
		   "named in the request", NULL);
	switch (b) {
	case GRP_MEMBER_NO_NAME:
		m = nla_nest_start(msg, PCIBACK_A_GROUP_MEMBER);
		put_ok(nla_put_u32(msg, PCIBACK_A_MEMBER_RULES, 1));
		put_ok(nla_nest_end(msg, m));
		break;
	case GRP_MEMBER_NAME_TOO_LONG:
		put_member(msg, "00000000:03:00.0xxx", 1, NULL, NULL);
		break;
	case GRP_MEMBER_NOT_NEST:	/* a string where a nest belongs */
		put_ok(nla_put_string(msg, PCIBACK_A_GROUP_MEMBER,
				      "0000:03:00.1"));
		break;
	case GRP_MEMBER_BAD_NEST:	/* an inner length past the nest */
		put_ok(nla_put(msg, PCIBACK_A_GROUP_MEMBER, 8,
			       "\x40\x00\x01\x00\x61\x62\x63\x64"));
		break;
	case GRP_MEMBER_RULES_U16:
		m = nla_nest_start(msg, PCIBACK_A_GROUP_MEMBER);
		put_ok(nla_put_string(msg, PCIBACK_A_MEMBER_NAME,
				      "0000:03:00.1"));
		put_ok(nla_put_u16(msg, PCIBACK_A_MEMBER_RULES, 1));
		put_ok(nla_nest_end(msg, m));
		break;
	case GRP_MEMBER_REASON_UNTERM:
		m = nla_nest_start(msg, PCIBACK_A_GROUP_MEMBER);
		put_ok(nla_put_string(msg, PCIBACK_A_MEMBER_NAME,
				      "0000:03:00.1"));
		put_ok(nla_put(msg, PCIBACK_A_MEMBER_REASON, 4, "oops"));
		put_ok(nla_nest_end(msg, m));
		break;
	case GRP_SECOND_MEMBER_BAD:
		put_member(msg, "0000:03:00.1", 1, "x", NULL);
		/* an empty nest (nla_nest_end() would drop it) */
		put_ok(nla_put(msg, PCIBACK_A_GROUP_MEMBER, 0, NULL));
		break;
	case GRP_VERDICT_U16:
		put_ok(nla_put_u16(msg, PCIBACK_A_GROUP_VERDICT, 1));
		break;
	case GRP_VERDICT_REASON_UNTERM:
		put_ok(nla_put_u32(msg, PCIBACK_A_GROUP_VERDICT, 1));
		put_ok(nla_put(msg, PCIBACK_A_GROUP_VERDICT_REASON, 3, "abc"));
		break;
	default:
		break;
	}
	return msg;
}

static void parse_bad_groups(void)
{
	enum bad_group b;

	for (b = 0; b < NBAD_GROUP; b++) {
		struct nl_msg *msg = bad_group(b);
		struct pb_group g = { .n_members = 99 };
		int ret = pbnl_parse_group_reply(nlmsg_hdr(msg), &g);

		if (ret != -EPROTO)
			unit_fail(__FILE__, __LINE__,
				  "malformed group %d: returned %d", b, ret);
		if (g.members || g.n_members || g.verdict_reasons ||
		    g.n_verdict_reasons)
			unit_fail(__FILE__, __LINE__,
				  "malformed group %d: members left", b);
		nlmsg_free(msg);
	}
}

static void group_request(void)
{
	static const char *const names[] = { "0000:03:00.0", "0000:03:00.1" };
	struct nlattr *tb[PCIBACK_A_GROUP_MAX + 1], *a;
	struct nl_msg *msg;
	struct nlmsghdr *nlh;
	int rem, n = 0;

	msg = pbnl_op_msg(FAMILY_ID, PCIBACK_CMD_GROUP_GET, names, 2, 0);
	CHECK(msg);
	if (msg) {
		nlh = nlmsg_hdr(msg);
		CHECK_INT(genlmsg_hdr(nlh)->cmd, PCIBACK_CMD_GROUP_GET);
		nla_for_each_attr(a, genlmsg_attrdata(genlmsg_hdr(nlh), 0),
				  genlmsg_attrlen(genlmsg_hdr(nlh), 0), rem)
			n += nla_type(a) == PCIBACK_A_GROUP_DEV_NAME;
		CHECK_INT(n, 2);	/* in the group set, not the op set */
		CHECK_INT(genlmsg_parse(nlh, 0, tb, PCIBACK_A_GROUP_MAX, NULL), 0);
		CHECK(!tb[PCIBACK_A_GROUP_FLAGS]);
		nlmsg_free(msg);
	}
	msg = pbnl_op_msg(FAMILY_ID, PCIBACK_CMD_GROUP_GET, names, 1,
			  PCIBACK_OP_FLAG_IOMMU_GROUP);
	CHECK(msg);
	if (msg) {
		nlh = nlmsg_hdr(msg);
		CHECK_INT(genlmsg_parse(nlh, 0, tb, PCIBACK_A_GROUP_MAX, NULL), 0);
		CHECK(tb[PCIBACK_A_GROUP_FLAGS]);
		if (tb[PCIBACK_A_GROUP_FLAGS])
			CHECK_INT(nla_get_u32(tb[PCIBACK_A_GROUP_FLAGS]),
				  PCIBACK_OP_FLAG_IOMMU_GROUP);
		nlmsg_free(msg);
	}
	/* the IOMMU group of two devices is not asked */
	CHECK(!pbnl_op_msg(FAMILY_ID, PCIBACK_CMD_GROUP_GET, names, 2,
			   PCIBACK_OP_FLAG_IOMMU_GROUP));
}

/* --- monitor notifications -------------------------------------------- */

static void parse_notification(void)
{
	struct nl_msg *msg = reply_cmd(PCIBACK_CMD_DEV_NTF);
	struct pb_dev d;

	put_hidden_dev(msg, "0000:03:00.0");
	put_ok(nla_put_u32(msg, PCIBACK_A_DEV_EVENT, PCIBACK_EVENT_HIDDEN));
	CHECK_INT(pbnl_parse_ntf(nlmsg_hdr(msg), &d), 0);
	CHECK_STR(d.name, "0000:03:00.0");
	CHECK(pb_dev_has(&d, PCIBACK_A_DEV_EVENT));
	CHECK_INT(d.event, PCIBACK_EVENT_HIDDEN);
	CHECK_STR(d.orig_driver, "e1000e");
	pb_dev_release(&d);
	nlmsg_free(msg);

	/* a reply of another command is not an event */
	msg = reply();
	put_ok(nla_put_string(msg, PCIBACK_A_DEV_NAME, "0000:03:00.0"));
	CHECK_INT(pbnl_parse_ntf(nlmsg_hdr(msg), &d), -ENOMSG);
	CHECK(!d.name[0]);
	nlmsg_free(msg);

	/* a malformed event */
	msg = reply_cmd(PCIBACK_CMD_DEV_NTF);
	put_ok(nla_put_u32(msg, PCIBACK_A_DEV_EVENT, PCIBACK_EVENT_UNHIDDEN));
	CHECK_INT(pbnl_parse_ntf(nlmsg_hdr(msg), &d), -EPROTO);
	nlmsg_free(msg);
}

void test_nl(void)
{
	unit_run("nl: a full reply parses into every field", parse_full);
	unit_run("nl: absent attributes stay absent", parse_minimal);
	unit_run("nl: unknown attributes are ignored", parse_unknown_attrs);
	unit_run("nl: reset methods are capped and keep their order",
		 parse_reset_cap);
	unit_run("nl: malformed replies are rejected and leave nothing",
		 parse_malformed);
	unit_run("nl: extack message of NLMSG_ERROR, capped or not",
		 extack_error);
	unit_run("nl: extack message of a failed dump's NLMSG_DONE",
		 extack_done);
	unit_run("nl: extack parsing is bounded and sanitised",
		 extack_hostile);
	unit_run("nl: hidden, orig-driver(-override), guest-domid",
		 parse_hidden_state);
	unit_run("nl: a hide reply parses into results in order",
		 parse_hide_reply);
	unit_run("nl: an unhide reply without to-driver", parse_unhide_reply);
	unit_run("nl: warnings are capped and keep their order",
		 parse_warnings_cap);
	unit_run("nl: malformed results are rejected and leave nothing",
		 parse_bad_results);
	unit_run("nl: hide/unhide request: one name per device, flags",
		 op_request);
	unit_run("nl: a request with many devices fits", op_request_many);
	unit_run("nl: no request without good names", op_request_bad);
	unit_run("nl: dev-unhide's fallback drivers, nested, checked",
		 op_request_fallback);
	unit_run("nl: notifications, and what is not one",
		 parse_notification);
	unit_run("nl: a group-get reply parses, with and without verdict",
		 parse_group_reply);
	unit_run("nl: many group members; reasons are capped",
		 parse_group_many);
	unit_run("nl: malformed group replies are rejected and leave nothing",
		 parse_bad_groups);
	unit_run("nl: group-get request: names, the IOMMU flag",
		 group_request);
}
