/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * devname.h - device names on the command line: parsing and resolution.
 *
 * Accepted forms (house style):
 *   0000:03:00.0   full address; the domain has 1 to 8 hex digits
 *   03:00.0        short address, domain 0000
 *   03:00.*        every present function of a slot (also 0000:03:00.*)
 *   eth0           a network interface whose parent device is a PCI function,
 *                  or a virtio device (virtio-net) on a virtio-pci function
 * Canonical output: lowercase "%04x:%02x:%02x.%d".
 *
 * Wildcards and interface names are resolved by reading sysfs under a root
 * given by the caller ("/sys" in the tool, a fixture tree in the tests).
 */
#ifndef PCIBACKCTL_DEVNAME_H
#define PCIBACKCTL_DEVNAME_H

#include <stddef.h>
#include <stdint.h>

#include <linux/pciback_nl.h>

/* devname_addr.fn of a parsed "BUS:DEV.*" */
#define DEVNAME_FN_ANY 0xff

/* A slot has eight functions: the most one argument can name. */
#define DEVNAME_MATCH_MAX 8

struct devname_addr {
	uint32_t domain;
	uint8_t bus;
	uint8_t dev;
	uint8_t fn;	/* 0-7, or DEVNAME_FN_ANY */
};

struct devname_match {
	size_t n;
	char names[DEVNAME_MATCH_MAX][PCIBACK_DEV_NAME_MAX];
};

/*
 * Parses "[DOMAIN:]BUS:DEV.FN" or "[DOMAIN:]BUS:DEV.*" (uppercase hex is
 * fine, nothing else around it).  Returns 0, or -EINVAL with a message
 * (not naming @s) in @err.
 */
int devname_parse(const char *s, struct devname_addr *addr,
		  char *err, size_t errlen);

/*
 * Writes the canonical name of a single function into @buf.  Returns 0,
 * -EINVAL for a wildcard or out-of-range address, -ENOSPC if @len is short.
 */
int devname_format(const struct devname_addr *addr, char *buf, size_t len);

/*
 * Resolves one command-line argument to canonical names (in function order).
 * A plain address is not looked up: the kernel says whether it exists.
 * Returns 0; -EINVAL for a malformed name (a usage error); -ENODEV when a
 * wildcard matches no present function, the interface does not exist or
 * is not a PCI device; another -errno if sysfs cannot be read.  On error
 * @err holds a one-line message that does not repeat @arg.
 */
int devname_resolve(const char *sysfs, const char *arg,
		    struct devname_match *m, char *err, size_t errlen);

#endif /* PCIBACKCTL_DEVNAME_H */
