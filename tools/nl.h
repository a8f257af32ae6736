/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nl.h - the generic netlink transport to pciback_nl (libnl-3 genl).
 *
 * Functions return 0 or a negative errno and, on failure, fill a
 * struct pbnl_err: the errno and the kernel's extended-ack message
 * (or a local description when the error did not come from the kernel).
 */
#ifndef PCIBACKCTL_NL_H
#define PCIBACKCTL_NL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "dev.h"

struct pbnl;
struct nl_msg;

struct pbnl_err {
	int err;		/* positive errno, 0 when there is no error */
	char msg[256];		/* extack message or local text, "" if none */
};

/*
 * Opens a socket with NETLINK_EXT_ACK and NETLINK_CAP_ACK and resolves the
 * "pciback" family.  -ENOENT means the family is not registered (in this
 * network namespace).
 */
int pbnl_open(struct pbnl **out, struct pbnl_err *e);
void pbnl_close(struct pbnl *nl);

/* PCIBACK_CMD_DEV_GET for one canonical name; *dev is the caller's to release. */
int pbnl_dev_get(struct pbnl *nl, const char *name, struct pb_dev *dev,
		 struct pbnl_err *e);

/* PCIBACK_CMD_DEV_GET dump: every function, in the kernel's order. */
int pbnl_dev_dump(struct pbnl *nl, struct pb_dev **devs, size_t *n,
		  struct pbnl_err *e);
void pbnl_devs_free(struct pb_dev *devs, size_t n);

/*
 * PCIBACK_CMD_DEV_HIDE or PCIBACK_CMD_DEV_UNHIDE of @n canonical names in
 * one request, @flags a mask of enum pciback_op_flags.  All or nothing: on
 * failure the kernel changed nothing and @e holds its errno and extack.  On
 * success *res holds the results (in the kernel's order, which is the
 * request's), to be freed with pbnl_results_free().
 */
int pbnl_dev_op(struct pbnl *nl, uint8_t cmd, const char *const *names,
		size_t n, uint32_t flags, struct pb_result **res, size_t *nres,
		struct pbnl_err *e);
/*
 * The same, for dev-unhide with a fallback driver per device: @fallbacks
 * (NULL, or @n entries, each NULL or a driver name of at most 63 bytes)
 * names the driver for a function of which the kernel has no record
 * (attribute set "fallback").  Not NULL for dev-hide: EINVAL.
 */
#define PBNL_FALLBACK_DRIVER_MAX 64
int pbnl_dev_op_fallback(struct pbnl *nl, uint8_t cmd,
			 const char *const *names,
			 const char *const *fallbacks, size_t n,
			 uint32_t flags, struct pb_result **res, size_t *nres,
			 struct pbnl_err *e);
void pbnl_results_free(struct pb_result *res, size_t n);

/*
 * PCIBACK_CMD_GROUP_GET of @n canonical names in one request: the devices
 * that have to be assigned together with them, and whether they can be.
 * @flags: 0 or PCIBACK_OP_FLAG_IOMMU_GROUP (then @n must be 1 and the
 * reply has no verdict).  *g is the caller's to release with
 * pb_group_release(); -EPROTO for a reply without members or, unless
 * asking for the IOMMU group, without a verdict.
 */
int pbnl_group_get(struct pbnl *nl, const char *const *names, size_t n,
		   uint32_t flags, struct pb_group *g, struct pbnl_err *e);

/*
 * The "monitor" multicast group.  pbnl_monitor_join() subscribes the
 * socket (no requests should be sent on it afterwards); -EOPNOTSUPP when
 * the family has no such group.  pbnl_monitor_read() reads one batch of
 * notifications (it blocks until there is one: poll pbnl_fd() first to
 * wait with a timeout or for signals) and calls @fn for each event, with a
 * record that is released after @fn returns; @fn returns nonzero to stop
 * handling this batch.  -ENOBUFS: events were lost, the socket stays
 * usable; -EPROTO: a malformed notification was skipped.
 */
typedef int (*pbnl_ntf_fn)(const struct pb_dev *dev, void *arg);
int pbnl_monitor_join(struct pbnl *nl, struct pbnl_err *e);
int pbnl_fd(const struct pbnl *nl);
int pbnl_monitor_read(struct pbnl *nl, pbnl_ntf_fn fn, void *arg,
		      struct pbnl_err *e);

/*
 * Parses one reply message into *dev (zeroed first).  Returns 0, or
 * -EPROTO for a malformed message, -ENOMEM.  Exposed for the unit tests.
 */
int pbnl_parse_dev(struct nlmsghdr *nlh, struct pb_dev *dev);
/* The same for a notification; -ENOMSG if it is not PCIBACK_CMD_DEV_NTF. */
int pbnl_parse_ntf(struct nlmsghdr *nlh, struct pb_dev *dev);
/*
 * Parses a dev-hide/dev-unhide reply: every PCIBACK_A_OP_RESULT in order
 * into a malloc'd array (NULL and 0 when there is none).  -EPROTO when a
 * result is malformed (a result without a name, a bad "dev" nest, ...).
 */
int pbnl_parse_op_reply(struct nlmsghdr *nlh, struct pb_result **res,
			size_t *n);
/*
 * Parses a group-get reply into *g (zeroed first): every
 * PCIBACK_A_GROUP_MEMBER in order, the verdict and its reasons.  -EPROTO
 * when an attribute is malformed (a member without a name, a verdict that
 * is not a u32, an unterminated reason, ...).
 */
int pbnl_parse_group_reply(struct nlmsghdr *nlh, struct pb_group *g);
/*
 * The request pbnl_dev_op() and pbnl_group_get() send (@cmd dev-hide,
 * dev-unhide or group-get); NULL for no or bad names, the IOMMU group of
 * more than one device, no memory.
 */
struct nl_msg *pbnl_op_msg(int family, uint8_t cmd, const char *const *names,
			   size_t n, uint32_t flags);
/* ... with dev-unhide's fallback drivers (see pbnl_dev_op_fallback()). */
struct nl_msg *pbnl_op_msg_fallback(int family, uint8_t cmd,
				    const char *const *names,
				    const char *const *fallbacks, size_t n,
				    uint32_t flags);

/*
 * Copies NLMSGERR_ATTR_MSG of an NLMSG_ERROR or NLMSG_DONE message (at most
 * nlh->nlmsg_len bytes are read) into @buf without a trailing newline.
 * Returns the copied length, 0 when there is no message.
 */
size_t pbnl_extack_msg(const struct nlmsghdr *nlh, char *buf, size_t len);

#endif /* PCIBACKCTL_NL_H */
