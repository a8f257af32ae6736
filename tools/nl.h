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
#include <linux/netlink.h>

#include "dev.h"

struct pbnl;

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
 * Parses one reply message into *dev (zeroed first).  Returns 0, or
 * -EPROTO for a malformed message, -ENOMEM.  Exposed for the unit tests.
 */
int pbnl_parse_dev(struct nlmsghdr *nlh, struct pb_dev *dev);

/*
 * Copies NLMSGERR_ATTR_MSG of an NLMSG_ERROR or NLMSG_DONE message (at most
 * nlh->nlmsg_len bytes are read) into @buf without a trailing newline.
 * Returns the copied length, 0 when there is no message.
 */
size_t pbnl_extack_msg(const struct nlmsghdr *nlh, char *buf, size_t len);

#endif /* PCIBACKCTL_NL_H */
