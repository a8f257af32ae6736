// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_devname.c - device-name parsing, and resolution against a sysfs
 * fixture tree built in a mkdtemp() directory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devname.h"
#include "unit.h"

static const struct {
	const char *in;
	uint32_t domain;
	uint8_t bus, dev, fn;
	const char *canonical;	/* NULL for a wildcard */
} valid[] = {
	{ "0000:03:00.0",      0,          0x03, 0x00, 0, "0000:03:00.0" },
	{ "03:00.0",           0,          0x03, 0x00, 0, "0000:03:00.0" },
	{ "03:00.*",           0,          0x03, 0x00, DEVNAME_FN_ANY, NULL },
	{ "0000:03:00.*",      0,          0x03, 0x00, DEVNAME_FN_ANY, NULL },
	{ "10000:e1:00.0",     0x10000,    0xe1, 0x00, 0, "10000:e1:00.0" },
	{ "ffffffff:ff:1f.7",  0xffffffff, 0xff, 0x1f, 7, "ffffffff:ff:1f.7" },
	{ "FFFFFFFF:FF:1F.7",  0xffffffff, 0xff, 0x1f, 7, "ffffffff:ff:1f.7" },
	{ "0000:0A:1b.3",      0,          0x0a, 0x1b, 3, "0000:0a:1b.3" },
	{ "0:3:0.1",           0,          0x03, 0x00, 1, "0000:03:00.1" },
	{ "00000000:00:00.0",  0,          0x00, 0x00, 0, "0000:00:00.0" },
	{ "abcd:ef:01.2",      0xabcd,     0xef, 0x01, 2, "abcd:ef:01.2" },
};

static void parse_valid(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(valid); i++) {
		struct devname_addr a = { 1, 1, 1, 1 };
		char err[128] = "", buf[PCIBACK_DEV_NAME_MAX];
		int ret = devname_parse(valid[i].in, &a, err, sizeof(err));

		if (ret) {
			unit_fail(__FILE__, __LINE__, "%s rejected: %s",
				  valid[i].in, err);
			continue;
		}
		CHECK_INT(a.domain, valid[i].domain);
		CHECK_INT(a.bus, valid[i].bus);
		CHECK_INT(a.dev, valid[i].dev);
		CHECK_INT(a.fn, valid[i].fn);
		if (valid[i].canonical) {
			CHECK_INT(devname_format(&a, buf, sizeof(buf)), 0);
			CHECK_STR(buf, valid[i].canonical);
		} else {
			CHECK_INT(devname_format(&a, buf, sizeof(buf)), -EINVAL);
		}
	}
}

static const struct {
	const char *in;
	const char *msg;	/* the exact message */
} invalid[] = {
	{ "", "empty device name" },
	/* trailing garbage */
	{ "0000:03:00.0x", "unexpected 'x' after the function" },
	{ "0000:03:00.0 ", "unexpected '\\x20' after the function" },
	{ "0000:03:00.0\n", "unexpected '\\x0a' after the function" },
	{ "03:00.*x", "unexpected 'x' after the function" },
	{ "0000:03:00.00", "function 00 has more than 1 hex digits" },
	/* leading whitespace */
	{ " 0000:03:00.0", "expected a hex domain number, found '\\x20'" },
	{ "\t03:00.0", "expected a hex bus number, found '\\x09'" },
	/* ranges and their boundaries */
	{ "0000:100:00.0", "bus 100 out of range (0-ff)" },
	{ "0000:20:20.0", "device 20 out of range (0-1f)" },
	{ "0000:03:1f.8", "function 8 out of range (0-7)" },
	{ "0000:03:00.f", "function f out of range (0-7)" },
	{ "100000000:00:00.0", "domain 100000000 out of range (0-ffffffff)" },
	{ "fffffffffffffffffff:00:00.0",
	  "domain ffffffffffffffff out of range (0-ffffffff)" },
	{ "000000000:00:00.0", "domain 000000000 has more than 8 hex digits" },
	{ "0000:003:00.0", "bus 003 has more than 2 hex digits" },
	/* wrong separators */
	{ "0000.03.00.0", "not a PCI address (expected [DOMAIN:]BUS:DEV.FN, "
	  "[DOMAIN:]BUS:DEV.* or a network interface)" },
	{ "0000:03:00:0", "not a PCI address (expected [DOMAIN:]BUS:DEV.FN, "
	  "[DOMAIN:]BUS:DEV.* or a network interface)" },
	{ "0000:03.00.0", "bus 0000 has more than 2 hex digits" },
	{ "0000:03:00-0", "expected '.' after the device, found '-'" },
	{ "03:00", "expected '.' after the device, found end of name" },
	{ "03:00.", "expected a hex function number, found end of name" },
	{ ":03:00.0", "expected a hex domain number, found ':'" },
	{ "0x03:00.0", "expected ':' after the bus, found 'x'" },
	{ "g3:00.0", "expected a hex bus number, found 'g'" },
	{ "03:*.0", "expected a hex device number, found '*'" },
	{ "-1:00.0", "expected a hex bus number, found '-'" },
};

static void parse_invalid(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(invalid); i++) {
		struct devname_addr a;
		char err[160] = "";
		int ret = devname_parse(invalid[i].in, &a, err, sizeof(err));

		if (ret != -EINVAL) {
			unit_fail(__FILE__, __LINE__, "%s: returned %d",
				  unit_quote(invalid[i].in), ret);
			continue;
		}
		CHECK_STR(err, invalid[i].msg);
	}
}

static void format_bounds(void)
{
	struct devname_addr a = { 0xffffffff, 0xff, 0x1f, 7 };
	char buf[PCIBACK_DEV_NAME_MAX];

	CHECK_INT(devname_format(&a, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "ffffffff:ff:1f.7");
	CHECK_INT(devname_format(&a, buf, sizeof(buf) - 1), -ENOSPC);
	a.fn = 8;
	CHECK_INT(devname_format(&a, buf, sizeof(buf)), -EINVAL);
	a.fn = 0;
	a.dev = 0x20;
	CHECK_INT(devname_format(&a, buf, sizeof(buf)), -EINVAL);
}

/* --- a sysfs fixture --------------------------------------------------- */

static char root[PATH_MAX];

static void mk(const char *fmt, const char *rel)
{
	char path[PATH_MAX * 2], *p;

	snprintf(path, sizeof(path), fmt, root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		unit_fail(__FILE__, __LINE__, "mkdir %s: %m", path);
}

static void dir(const char *rel)
{
	mk("%s/%s", rel);
}

static void link_at(const char *rel, const char *target)
{
	char path[PATH_MAX * 2], parent[PATH_MAX * 2], *slash;

	snprintf(parent, sizeof(parent), "%s", rel);
	slash = strrchr(parent, '/');
	if (slash) {
		*slash = '\0';
		dir(parent);
	}
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (symlink(target, path))
		unit_fail(__FILE__, __LINE__, "symlink %s: %m", path);
}

/* A PCI function as sysfs shows it: the device directory and the bus link. */
static void pci_fn(const char *bdf)
{
	char rel[PATH_MAX], target[PATH_MAX];

	snprintf(rel, sizeof(rel), "devices/pci0000:00/%s", bdf);
	dir(rel);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s", bdf);
	snprintf(target, sizeof(target), "../../../devices/pci0000:00/%s", bdf);
	link_at(rel, target);
}

static void fixture_create(void)
{
	snprintf(root, sizeof(root), "%s/pcibackctl-sysfs-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(root)) {
		unit_fail(__FILE__, __LINE__, "mkdtemp: %m");
		return;
	}
	pci_fn("0000:00:03.0");
	pci_fn("0000:00:04.0");
	pci_fn("0000:05:00.0");		/* a slot with functions 0, 1, 3 */
	pci_fn("0000:05:00.1");
	pci_fn("0000:05:00.3");
	pci_fn("0000:06:00.0");		/* a single function */
	pci_fn("10000:e1:00.0");	/* a VMD domain */
	dir("bus/virtio/devices");
	dir("class/net");

	/* eth0: a PCI NIC */
	link_at("class/net/eth0/device",
		"../../../devices/pci0000:00/0000:00:03.0");
	/* ens4: virtio-net, whose device is virtio1 on a virtio-pci function */
	dir("devices/pci0000:00/0000:00:04.0/virtio1");
	link_at("devices/pci0000:00/0000:00:04.0/virtio1/subsystem",
		"../../../../bus/virtio");
	link_at("class/net/ens4/device",
		"../../../devices/pci0000:00/0000:00:04.0/virtio1");
	/* usb0: a USB NIC, its device is a USB interface */
	dir("devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0");
	link_at("class/net/usb0/device",
		"../../../devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0");
	/* fake0: a device named like a PCI function that the PCI bus lacks */
	dir("devices/platform/0000:07:00.0");
	link_at("class/net/fake0/device",
		"../../../devices/platform/0000:07:00.0");
	/* fake1: named like a PCI function the bus has, but another device */
	dir("devices/platform/0000:00:03.0");
	link_at("class/net/fake1/device",
		"../../../devices/platform/0000:00:03.0");
	/* lo, dummy0: virtual, no device link */
	dir("class/net/lo");
	dir("class/net/dummy0");
	/* vmd0: a NIC in a domain above ffff */
	link_at("class/net/vmd0/device",
		"../../../devices/pci0000:00/10000:e1:00.0");
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void fixture_remove(void)
{
	if (root[0] && nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS))
		unit_fail(__FILE__, __LINE__, "cannot remove %s", root);
}

/* Resolves @arg and checks the space-separated names it gives. */
static void resolves(const char *arg, const char *expected, int line)
{
	struct devname_match m;
	char err[256] = "", got[DEVNAME_MATCH_MAX * PCIBACK_DEV_NAME_MAX] = "";
	size_t i;
	int ret = devname_resolve(root, arg, &m, err, sizeof(err));

	if (ret) {
		unit_fail(__FILE__, line, "%s: %d %s", arg, ret, err);
		return;
	}
	for (i = 0; i < m.n; i++) {
		if (i)
			strcat(got, " ");
		strcat(got, m.names[i]);
	}
	if (strcmp(got, expected))
		unit_fail(__FILE__, line, "%s resolved to \"%s\", expected \"%s\"",
			  arg, got, expected);
}

static void fails(const char *arg, int expected_ret, const char *msg, int line)
{
	struct devname_match m;
	char err[256] = "";
	int ret = devname_resolve(root, arg, &m, err, sizeof(err));

	if (ret != expected_ret)
		unit_fail(__FILE__, line, "%s returned %d (%s), expected %d",
			  unit_quote(arg), ret, err, expected_ret);
	else if (strcmp(err, msg))
		unit_fail(__FILE__, line, "%s: message \"%s\", expected \"%s\"",
			  unit_quote(arg), err, msg);
	if (m.n)
		unit_fail(__FILE__, line, "%s: %zu names despite failing",
			  unit_quote(arg), m.n);
}

#define RESOLVES(arg, names) resolves(arg, names, __LINE__)
#define FAILS(arg, ret, msg) fails(arg, ret, msg, __LINE__)

static void resolve_address(void)
{
	/* plain addresses are the kernel's to find, present or not */
	RESOLVES("0000:05:00.1", "0000:05:00.1");
	RESOLVES("05:00.1", "0000:05:00.1");
	RESOLVES("0000:0A:00.0", "0000:0a:00.0");
	RESOLVES("0000:09:00.0", "0000:09:00.0");
	FAILS("0000:05:00.8", -EINVAL, "function 8 out of range (0-7)");
	FAILS("", -EINVAL, "empty device name");
}

static void resolve_wildcard(void)
{
	RESOLVES("05:00.*", "0000:05:00.0 0000:05:00.1 0000:05:00.3");
	RESOLVES("0000:05:00.*", "0000:05:00.0 0000:05:00.1 0000:05:00.3");
	RESOLVES("06:00.*", "0000:06:00.0");
	RESOLVES("10000:e1:00.*", "10000:e1:00.0");
	FAILS("09:00.*", -ENODEV, "no function of slot 0000:09:00 is present");
	FAILS("0000:00:05.*", -ENODEV,
	      "no function of slot 0000:00:05 is present");
}

static void resolve_ifname(void)
{
	RESOLVES("eth0", "0000:00:03.0");
	RESOLVES("ens4", "0000:00:04.0");
	RESOLVES("vmd0", "10000:e1:00.0");
	FAILS("usb0", -ENODEV,
	      "network interface is not a PCI device (its device is 1-1:1.0)");
	FAILS("fake0", -ENODEV,
	      "network interface is not a PCI device (its device is 0000:07:00.0)");
	FAILS("fake1", -ENODEV,
	      "network interface is not a PCI device (its device is 0000:00:03.0)");
	FAILS("lo", -ENODEV,
	      "network interface without a parent device (virtual), not a PCI device");
	FAILS("dummy0", -ENODEV,
	      "network interface without a parent device (virtual), not a PCI device");
	FAILS("eth9", -ENODEV, "no such network interface");
	FAILS("03.00.0", -EINVAL, "not a PCI address (expected [DOMAIN:]BUS:DEV.FN, "
	      "[DOMAIN:]BUS:DEV.* or a network interface)");
	FAILS("03-00-0", -EINVAL, "not a PCI address (expected [DOMAIN:]BUS:DEV.FN, "
	      "[DOMAIN:]BUS:DEV.* or a network interface)");
	FAILS("eth 0", -EINVAL, "not a valid network interface name (expected "
	      "[DOMAIN:]BUS:DEV.FN, [DOMAIN:]BUS:DEV.* or a network interface)");
	FAILS("eth0 ", -EINVAL, "not a valid network interface name (expected "
	      "[DOMAIN:]BUS:DEV.FN, [DOMAIN:]BUS:DEV.* or a network interface)");
	FAILS("a/b", -EINVAL, "not a valid network interface name (expected "
	      "[DOMAIN:]BUS:DEV.FN, [DOMAIN:]BUS:DEV.* or a network interface)");
	FAILS("..", -EINVAL, "not a PCI address (expected [DOMAIN:]BUS:DEV.FN, "
	      "[DOMAIN:]BUS:DEV.* or a network interface)");
	FAILS("averyveryverylongname", -EINVAL, "not a valid network interface "
	      "name (expected [DOMAIN:]BUS:DEV.FN, [DOMAIN:]BUS:DEV.* or a "
	      "network interface)");
}

void test_devname(void)
{
	unit_run("devname: valid forms parse to the right address", parse_valid);
	unit_run("devname: invalid forms are rejected with their message",
		 parse_invalid);
	unit_run("devname: canonical formatting and its bounds", format_bounds);
	fixture_create();
	unit_run("devname: addresses resolve without sysfs", resolve_address);
	unit_run("devname: wildcards match 0, 1 and several functions",
		 resolve_wildcard);
	unit_run("devname: interface names resolve only to PCI functions",
		 resolve_ifname);
	fixture_remove();
}
