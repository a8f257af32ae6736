// SPDX-License-Identifier: GPL-2.0-only
/*
 * devname.c - device names on the command line: parsing and resolution.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devname.h"

#define EXPECTED "expected [DOMAIN:]BUS:DEV.FN, [DOMAIN:]BUS:DEV.* or a network interface"

/* IFNAMSIZ without pulling in <net/if.h>. */
#define IFNAME_MAX 15

static int fail(int ret, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);	/* truncation is fine */
		va_end(ap);
	}
	return ret;
}

/* Shows one character of user input safely: 'x', '\x01' or "end of name". */
static const char *show_char(char c, char *buf, size_t len)
{
	unsigned char u = (unsigned char)c;

	if (!c)
		snprintf(buf, len, "end of name");
	else if (u > 0x20 && u < 0x7f)
		snprintf(buf, len, "'%c'", c);
	else
		snprintf(buf, len, "'\\x%02x'", u);
	return buf;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

struct field {
	const char *what;
	unsigned int max_digits;
	uint32_t max;
	char sep;		/* what must follow; '\0' for the end */
};

static const struct field fields[] = {
	{ "domain",   8, 0xffffffff, ':' },
	{ "bus",      2, 0xff,       ':' },
	{ "device",   2, 0x1f,       '.' },
	{ "function", 1, 7,          '\0' },
};

int devname_parse(const char *s, struct devname_addr *addr,
		  char *err, size_t errlen)
{
	uint32_t val[4] = { 0 };
	size_t colons = 0, i;
	const char *p;
	char cbuf[16];
	bool any = false;

	if (!*s)
		return fail(-EINVAL, err, errlen, "empty device name");
	for (p = s; *p; p++)
		colons += *p == ':';
	if (colons < 1 || colons > 2)
		return fail(-EINVAL, err, errlen, "not a PCI address (%s)",
			    EXPECTED);

	p = s;
	for (i = colons == 2 ? 0 : 1; i < 4; i++) {
		const struct field *f = &fields[i];
		const char *start = p;
		uint64_t v = 0;
		size_t ndig;

		if (i == 3 && *p == '*') {
			any = true;
			p++;
		} else {
			while (hexval(*p) >= 0) {
				if (v <= UINT32_MAX)	/* saturates above */
					v = v << 4 | (uint64_t)hexval(*p);
				p++;
			}
			ndig = (size_t)(p - start);
			if (!ndig)
				return fail(-EINVAL, err, errlen,
					    "expected a hex %s number, found %s",
					    f->what,
					    show_char(*p, cbuf, sizeof(cbuf)));
			if (v > f->max)
				return fail(-EINVAL, err, errlen,
					    "%s %.*s out of range (0-%x)",
					    f->what, (int)(ndig > 16 ? 16 : ndig),
					    start, f->max);
			if (ndig > f->max_digits)
				return fail(-EINVAL, err, errlen,
					    "%s %.*s has more than %u hex digits",
					    f->what, (int)(ndig > 16 ? 16 : ndig),
					    start, f->max_digits);
			val[i] = (uint32_t)v;
		}
		if (*p != f->sep) {
			if (!f->sep)
				return fail(-EINVAL, err, errlen,
					    "unexpected %s after the function",
					    show_char(*p, cbuf, sizeof(cbuf)));
			return fail(-EINVAL, err, errlen,
				    "expected '%c' after the %s, found %s",
				    f->sep, f->what,
				    show_char(*p, cbuf, sizeof(cbuf)));
		}
		if (*p)
			p++;
	}

	addr->domain = val[0];
	addr->bus = (uint8_t)val[1];
	addr->dev = (uint8_t)val[2];
	addr->fn = any ? DEVNAME_FN_ANY : (uint8_t)val[3];
	return 0;
}

int devname_format(const struct devname_addr *addr, char *buf, size_t len)
{
	int n;

	if (addr->fn > 7 || addr->dev > 0x1f)
		return -EINVAL;
	n = snprintf(buf, len, "%04x:%02x:%02x.%d", addr->domain, addr->bus,
		     addr->dev, addr->fn);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return 0;
}

static int path_fmt(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int path_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int add_match(struct devname_match *m, const struct devname_addr *a)
{
	if (m->n >= DEVNAME_MATCH_MAX)
		return -E2BIG;
	if (devname_format(a, m->names[m->n], sizeof(m->names[m->n])))
		return -EINVAL;
	m->n++;
	return 0;
}

static int resolve_wildcard(const char *sysfs, struct devname_addr a,
			    struct devname_match *m, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	int fn, ret;

	for (fn = 0; fn < 8; fn++) {
		a.fn = (uint8_t)fn;
		ret = path_fmt(path, sizeof(path),
			       "%s/bus/pci/devices/%04x:%02x:%02x.%d", sysfs,
			       a.domain, a.bus, a.dev, fn);
		if (ret)
			return fail(ret, err, errlen, "sysfs path too long");
		if (stat(path, &st) == 0) {
			ret = add_match(m, &a);
			if (ret)
				return fail(ret, err, errlen, "internal error");
		} else if (errno != ENOENT) {
			ret = -errno;
			return fail(ret, err, errlen, "cannot read %s: %s",
				    path, strerror(-ret));
		}
	}
	if (!m->n)
		return fail(-ENODEV, err, errlen,
			    "no function of slot %04x:%02x:%02x is present",
			    a.domain, a.bus, a.dev);
	return 0;
}

/* Looks like a mistyped address rather than an interface name. */
static bool looks_like_address(const char *s)
{
	bool sep = false;

	for (; *s; s++) {
		if (*s == '.' || *s == '-' || *s == '*' || *s == '_')
			sep = true;
		else if (hexval(*s) < 0)
			return false;
	}
	return sep;
}

static bool valid_ifname(const char *s)
{
	size_t len = strlen(s);
	const char *p;

	if (!len || len > IFNAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (p = s; *p; p++)
		if (*p == '/' || *p == ':' || (unsigned char)*p <= 0x20 ||
		    (unsigned char)*p == 0x7f)
			return false;
	return true;
}

/* @real (a resolved path) is the directory of a PCI function in sysfs. */
static int pci_function(const char *sysfs, const char *real,
			struct devname_addr *a)
{
	char path[PATH_MAX], pci_real[PATH_MAX];
	const char *base = strrchr(real, '/');

	base = base ? base + 1 : real;
	/* a PCI function iff the PCI bus lists that very directory */
	if (devname_parse(base, a, NULL, 0) || a->fn == DEVNAME_FN_ANY ||
	    path_fmt(path, sizeof(path), "%s/bus/pci/devices/%s", sysfs, base) ||
	    !realpath(path, pci_real) || strcmp(real, pci_real))
		return -ENODEV;
	return 0;
}

/* @real (a resolved path) is a device on the virtio bus. */
static bool is_virtio(const char *real)
{
	char path[PATH_MAX], subsys[PATH_MAX];
	const char *base;

	if (path_fmt(path, sizeof(path), "%s/subsystem", real) ||
	    !realpath(path, subsys))
		return false;
	base = strrchr(subsys, '/');
	return base && !strcmp(base + 1, "virtio");
}

static int resolve_ifname(const char *sysfs, const char *ifname,
			  struct devname_match *m, char *err, size_t errlen)
{
	char path[PATH_MAX], real[PATH_MAX];
	struct devname_addr a;
	const char *base;
	struct stat st;
	int ret;

	if (!valid_ifname(ifname)) {
		if (looks_like_address(ifname))
			return fail(-EINVAL, err, errlen,
				    "not a PCI address (%s)", EXPECTED);
		return fail(-EINVAL, err, errlen,
			    "not a valid network interface name (%s)", EXPECTED);
	}

	ret = path_fmt(path, sizeof(path), "%s/class/net/%s", sysfs, ifname);
	if (ret)
		return fail(ret, err, errlen, "sysfs path too long");
	if (lstat(path, &st)) {
		ret = -errno;
		if (ret != -ENOENT)
			return fail(ret, err, errlen, "cannot read %s: %s",
				    path, strerror(-ret));
		if (looks_like_address(ifname))
			return fail(-EINVAL, err, errlen,
				    "not a PCI address (%s)", EXPECTED);
		return fail(-ENODEV, err, errlen, "no such network interface");
	}

	ret = path_fmt(path, sizeof(path), "%s/class/net/%s/device", sysfs,
		       ifname);
	if (ret)
		return fail(ret, err, errlen, "sysfs path too long");
	if (!realpath(path, real)) {
		ret = -errno;
		if (ret == -ENOENT)
			return fail(-ENODEV, err, errlen,
				    "network interface without a parent device (virtual), not a PCI device");
		return fail(ret, err, errlen, "cannot resolve %s: %s", path,
			    strerror(-ret));
	}

	/*
	 * The parent is a PCI function, or a virtio device (virtio-net), the
	 * one-to-one child of its virtio-pci function.
	 */
	if (!pci_function(sysfs, real, &a))
		goto found;
	base = strrchr(real, '/');
	base = base ? base + 1 : real;
	if (is_virtio(real)) {
		*strrchr(real, '/') = '\0';
		if (!pci_function(sysfs, real, &a))
			goto found;
	}
	return fail(-ENODEV, err, errlen,
		    "network interface is not a PCI device (its device is %.64s)",
		    base);

found:
	ret = add_match(m, &a);
	if (ret)
		return fail(ret, err, errlen, "internal error");
	return 0;
}

int devname_resolve(const char *sysfs, const char *arg,
		    struct devname_match *m, char *err, size_t errlen)
{
	struct devname_addr a;
	int ret;

	m->n = 0;
	if (!*arg)
		return fail(-EINVAL, err, errlen, "empty device name");
	if (!strchr(arg, ':'))
		return resolve_ifname(sysfs, arg, m, err, errlen);

	ret = devname_parse(arg, &a, err, errlen);
	if (ret)
		return ret;
	if (a.fn == DEVNAME_FN_ANY)
		return resolve_wildcard(sysfs, a, m, err, errlen);
	ret = add_match(m, &a);
	if (ret)
		return fail(ret, err, errlen, "internal error");
	return 0;
}
