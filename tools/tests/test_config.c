// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_config.c - the config file of "pcibackctl apply": parsing, the
 * errors and their line numbers, resolution against a sysfs fixture tree
 * shaped like the VM test bed (a switch, a PCIe-to-PCI bridge, a VMD
 * domain, virtio-net), the module parameter, and the binary on config
 * files that end before any netlink request.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "memo.h"
#include "unit.h"

/* --- the sysfs fixture ------------------------------------------------- */

static char root[PATH_MAX];

static void mkdirs(const char *rel)
{
	char path[PATH_MAX * 2], *p;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		unit_fail(__FILE__, __LINE__, "mkdir %s: %m", path);
}

static void parent_dir(const char *rel)
{
	char parent[PATH_MAX], *slash;

	snprintf(parent, sizeof(parent), "%s", rel);
	slash = strrchr(parent, '/');
	if (slash) {
		*slash = '\0';
		mkdirs(parent);
	}
}

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX * 2];
	FILE *f;

	parent_dir(rel);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		unit_fail(__FILE__, __LINE__, "write %s: %m", path);
}

static void link_at(const char *rel, const char *target)
{
	char path[PATH_MAX * 2];

	parent_dir(rel);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (symlink(target, path))
		unit_fail(__FILE__, __LINE__, "symlink %s: %m", path);
}

/*
 * A PCI function as sysfs shows it: devices/@dir/@name with its ids, and
 * the bus's link bus/pci/devices/@name.
 */
static void pci_fn(const char *dir, const char *name, const char *vendor,
		   const char *device)
{
	char rel[PATH_MAX], target[PATH_MAX + 32];

	snprintf(rel, sizeof(rel), "devices/%s/%s/vendor", dir, name);
	put(rel, vendor);
	snprintf(rel, sizeof(rel), "devices/%s/%s/device", dir, name);
	put(rel, device);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s", name);
	snprintf(target, sizeof(target), "../../../devices/%s/%s", dir, name);
	link_at(rel, target);
}

/* A network interface on device @dev (NULL: virtual) with @mac. */
static void netif(const char *name, const char *dev, const char *mac)
{
	char rel[PATH_MAX], target[PATH_MAX + 32], addr[32];

	snprintf(rel, sizeof(rel), "class/net/%s/address", name);
	snprintf(addr, sizeof(addr), "%s\n", mac);
	put(rel, addr);
	if (!dev)
		return;
	snprintf(rel, sizeof(rel), "class/net/%s/device", name);
	snprintf(target, sizeof(target), "../../../devices/%s", dev);
	link_at(rel, target);
}

#define RP5 "pci0000:00/0000:00:06.0"
#define SW RP5 "/0000:05:00.0"

static void fixture_create(void)
{
	char dir[64], name[32];
	int i;

	snprintf(root, sizeof(root), "%s/pcibackctl-conf-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(root)) {
		unit_fail(__FILE__, __LINE__, "mkdtemp: %m");
		return;
	}
	/* the test bed: root ports, a switch, a PCIe-to-PCI bridge */
	pci_fn("pci0000:00", "0000:00:00.0", "0x8086\n", "0x29c0\n");
	pci_fn("pci0000:00", "0000:00:02.0", "0x1b36\n", "0x000c\n");
	pci_fn("pci0000:00/0000:00:02.0", "0000:01:00.0", "0x1af4\n", "0x1041\n");
	pci_fn("pci0000:00", "0000:00:04.0", "0x1b36\n", "0x000c\n");
	pci_fn("pci0000:00/0000:00:04.0", "0000:03:00.0", "0x8086\n", "0x10d3\n");
	pci_fn("pci0000:00", "0000:00:06.0", "0x1b36\n", "0x000c\n");
	pci_fn(RP5, "0000:05:00.0", "0x104c\n", "0x8232\n");
	pci_fn(SW, "0000:06:00.0", "0x104c\n", "0x8233\n");
	pci_fn(SW, "0000:06:01.0", "0x104c\n", "0x8233\n");
	pci_fn(SW "/0000:06:00.0", "0000:07:00.0", "0x8086\n", "0x10d3\n");
	pci_fn(SW "/0000:06:01.0", "0000:08:00.0", "0x1af4\n", "0x1041\n");
	pci_fn("pci0000:00", "0000:00:07.0", "0x1b36\n", "0x000e\n");
	pci_fn("pci0000:00/0000:00:07.0", "0000:09:01.0", "0x8086\n", "0x100e\n");
	pci_fn("pci0000:00/0000:00:07.0", "0000:09:02.0", "0x8086\n", "0x100e\n");
	pci_fn("pci0000:00", "0000:00:1f.0", "0x8086\n", "0x2918\n");
	/* a VMD domain: a root bus below a function */
	pci_fn("pci0000:00", "0000:00:0e.0", "0x8086\n", "0x467f\n");
	pci_fn("pci0000:00/0000:00:0e.0/pci10000:e0", "10000:e0:1d.0",
	       "0x8086\n", "0xa0b0\n");
	pci_fn("pci0000:00/0000:00:0e.0/pci10000:e0/10000:e0:1d.0",
	       "10000:e1:00.0", "0x144d\n", "0xa808\n");
	/* a second root bus */
	pci_fn("pci0000:80", "0000:80:01.0", "0x8086\n", "0x10d3\n");
	/* a function sysfs lists outside any root bus */
	pci_fn("platform/odd", "0000:0f:00.0", "0xabcd\n", "0x0002\n");
	/* 300 functions with one id: more than one request can move */
	for (i = 0; i < 300; i++) {
		snprintf(dir, sizeof(dir), "pci0000:%02x", 0x20 + i / 256);
		snprintf(name, sizeof(name), "0000:%02x:%02x.%d", 0x20 + i / 256,
			 i % 256 / 8, i % 8);
		pci_fn(dir, name, "0xabcd\n", "0x0001\n");
	}

	/* ens1 (virtio-net: its device is virtio1 on the virtio-pci function) */
	mkdirs("bus/virtio/devices");
	link_at("devices/pci0000:00/0000:00:02.0/0000:01:00.0/virtio1/subsystem",
		"../../../../../bus/virtio");
	netif("ens1", "pci0000:00/0000:00:02.0/0000:01:00.0/virtio1",
	      "52:54:00:00:01:00");
	netif("eth3", "pci0000:00/0000:00:04.0/0000:03:00.0", "52:54:00:00:03:00");
	/* a bridge and a VLAN sharing eth3's address, without a device */
	netif("br0", NULL, "52:54:00:00:03:00");
	netif("eth3.7", NULL, "52:54:00:00:03:00");
	netif("eth7", SW "/0000:06:00.0/0000:07:00.0", "52:54:00:00:07:00");
	/* two functions with one address */
	netif("eth9a", "pci0000:00/0000:00:07.0/0000:09:01.0", "52:54:00:00:09:09");
	netif("eth9b", "pci0000:00/0000:00:07.0/0000:09:02.0", "52:54:00:00:09:09");
	netif("lo", NULL, "00:00:00:00:00:00");
	/* procfs: nothing mounted from a PCI disk; / on virtio, /home on dm */
	put("proc/self/mountinfo", "21 1 0:20 / /proc rw - proc none rw\n");
	put("proc-busy/self/mountinfo",
	    "21 1 0:20 / /proc rw - proc none rw\n"
	    "22 1 254:1 / / rw,relatime - ext4 /dev/vda1 rw\n"
	    "23 22 253:0 / /home rw - ext4 /dev/mapper/home rw\n"
	    "garbage line\n");
	put("proc-busy/swaps", "Filename\tType\tSize\tUsed\tPriority\n");
	mkdirs("devices/pci0000:00/0000:00:02.0/0000:01:00.0/virtio2/block/vda/vda1");
	link_at("dev/block/254:1",
		"../../devices/pci0000:00/0000:00:02.0/0000:01:00.0/virtio2/block/vda/vda1");
	mkdirs("devices/pci0000:00/0000:00:07.0/0000:09:02.0/host0/block/sdb");
	mkdirs("devices/virtual/block/dm-0/slaves");
	link_at("devices/virtual/block/dm-0/slaves/sdb",
		"../../../../pci0000:00/0000:00:07.0/0000:09:02.0/host0/block/sdb");
	link_at("dev/block/253:0", "../../devices/virtual/block/dm-0");
	/* a USB NIC */
	mkdirs("devices/pci0000:00/0000:00:1d.0/usb1/1-1/1-1:1.0");
	netif("usb0", "pci0000:00/0000:00:1d.0/usb1/1-1/1-1:1.0",
	      "52:54:00:00:1d:00");
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

/* --- helpers ----------------------------------------------------------- */

/* Reads @len bytes of @text as "hide.conf"; *ret gets config_read()'s. */
/* The fixture's procfs: "proc" (nothing mounted from a PCI disk) or another. */
static const char *procdir = "proc";
static char procpath[PATH_MAX + 32];

static struct config *load_n(enum config_mode mode, const char *text,
			     size_t len, int *ret)
{
	struct config *c = config_new("hide.conf", root, mode);
	FILE *f = fmemopen((void *)text, len, "r");

	if (!c || !f)
		abort();
	snprintf(procpath, sizeof(procpath), "%s/%s", root, procdir);
	config_set_proc(c, procpath);
	*ret = config_read(c, f);
	fclose(f);
	return c;
}

static struct config *load(enum config_mode mode, const char *text, int *ret)
{
	return load_n(mode, text, strlen(text), ret);
}

/* As load(), remembering interfaces in @state. */
static struct config *load_state(enum config_mode mode, const char *state,
				 const char *text, int *ret)
{
	struct config *c = config_new("hide.conf", root, mode);
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	if (!c || !f)
		abort();
	snprintf(procpath, sizeof(procpath), "%s/%s", root, procdir);
	config_set_proc(c, procpath);
	config_set_state(c, state);
	*ret = config_read(c, f);
	fclose(f);
	return c;
}

/* The messages joined, each ending in '\n'. */
static const char *joined(const struct config_msgs *m)
{
	static char buf[16384];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < m->n; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\n",
				      m->text[i]);
	return buf;
}

/* The functions, space-separated. */
static const char *devs(const struct config *c)
{
	static char buf[CONFIG_DEVS_MAX * PCIBACK_DEV_NAME_MAX];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < c->ndevs; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      i ? " " : "", c->devs[i].name);
	return buf;
}

/* What selector @i resolved to, space-separated. */
static const char *sel_devs(const struct config *c, size_t i)
{
	static char buf[CONFIG_DEVS_MAX * PCIBACK_DEV_NAME_MAX];
	const struct config_sel *s = &c->sels[i];
	size_t j, n = 0;

	buf[0] = '\0';
	for (j = 0; j < s->nidx; j++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      j ? " " : "", c->devs[s->idx[j]].name);
	return buf;
}

/* A config that resolves without a message to the functions @want. */
static void resolves(const char *text, const char *want, int line)
{
	struct config *c;
	int ret;

	c = load(CONFIG_APPLY, text, &ret);
	if (ret || c->errors.total || c->warnings.total)
		unit_fail(__FILE__, line, "%s: returned %d: %s%s",
			  unit_quote(text), ret, joined(&c->errors),
			  joined(&c->warnings));
	else if (strcmp(devs(c), want))
		unit_fail(__FILE__, line, "%s resolved to \"%s\", expected \"%s\"",
			  unit_quote(text), devs(c), want);
	config_free(c);
}

/* A config that fails with exactly the errors @want (joined). */
static void fails(enum config_mode mode, const char *text, const char *want,
		  int line)
{
	struct config *c;
	int ret;

	c = load(mode, text, &ret);
	if (ret != -EINVAL)
		unit_fail(__FILE__, line, "%s: returned %d, expected -EINVAL",
			  unit_quote(text), ret);
	if (strcmp(joined(&c->errors), want)) {
		unit_fail(__FILE__, line, "%s: errors", unit_quote(text));
		unit_fail(__FILE__, line, "  got      %s",
			  unit_quote(joined(&c->errors)));
		unit_fail(__FILE__, line, "  expected %s", unit_quote(want));
	}
	config_free(c);
}

/* The module parameter of a config that has no error. */
static void module_is(const char *text, const char *want, int line)
{
	char buf[CONFIG_MODULE_MAX + 1] = "";
	struct config *c;
	int ret;

	c = load(CONFIG_MODULE, text, &ret);
	if (!ret)
		ret = config_module_options(c, buf, sizeof(buf));
	if (ret || c->errors.total)
		unit_fail(__FILE__, line, "%s: returned %d: %s",
			  unit_quote(text), ret, joined(&c->errors));
	else if (strcmp(buf, want))
		unit_fail(__FILE__, line, "%s gave \"%s\", expected \"%s\"",
			  unit_quote(text), buf, want);
	config_free(c);
}

#define RESOLVES(text, want) resolves(text, want, __LINE__)
#define FAILS(text, want) fails(CONFIG_APPLY, text, want, __LINE__)
#define MODULE_FAILS(text, want) fails(CONFIG_MODULE, text, want, __LINE__)
#define MODULE_IS(text, want) module_is(text, want, __LINE__)

/* --- tests ------------------------------------------------------------- */

static void each_selector(void)
{
	RESOLVES("0000:03:00.0\n", "0000:03:00.0");
	RESOLVES("03:00.0\n", "0000:03:00.0");
	RESOLVES("0000:09:02.0", "0000:09:02.0");	/* no final newline */
	RESOLVES("10000:E1:00.0\n", "10000:e1:00.0");
	/* every match, in address order */
	RESOLVES("id 8086:10d3\n", "0000:03:00.0 0000:07:00.0 0000:80:01.0");
	RESOLVES("id 8086:100E\n", "0000:09:01.0 0000:09:02.0");
	RESOLVES("ifname eth7\n", "0000:07:00.0");
	RESOLVES("ifname ens1\n", "0000:01:00.0");	/* virtio-net */
	RESOLVES("mac 52:54:00:00:07:00\n", "0000:07:00.0");
	RESOLVES("mac 52:54:00:00:01:00\n", "0000:01:00.0");
	/* case-insensitive; the bridge and VLAN with it have no device */
	RESOLVES("mac 52:54:00:00:03:00\n", "0000:03:00.0");
	RESOLVES("mac 52:54:00:00:03:00\nmac 52:54:00:00:03:00\n",
		 "0000:03:00.0");
	/* a path through the switch: root port, up, down, endpoint */
	RESOLVES("path 0000:00:06.0/00.0/00.0/00.0\n", "0000:07:00.0");
	RESOLVES("path 0000:00:06.0/00.0/01.0/00.0\n", "0000:08:00.0");
	RESOLVES("path 0000:00:06.0/00.0/01.0\n", "0000:06:01.0");
	RESOLVES("path 00:06.0/0.0/1.0/0.0\n", "0000:08:00.0");
	RESOLVES("path 0000:00:07.0/02.0\n", "0000:09:02.0");
	RESOLVES("path 0000:00:1f.0\n", "0000:00:1f.0");
	RESOLVES("path 0000:80:01.0\n", "0000:80:01.0");
	/* the VMD domain's own root bus */
	RESOLVES("path 10000:e0:1d.0/00.0\n", "10000:e1:00.0");
	/* one of each */
	RESOLVES("0000:09:01.0\nid 1af4:1041\nifname eth3\n"
		 "mac 52:54:00:00:07:00\npath 0000:00:07.0/02.0\n",
		 "0000:09:01.0 0000:01:00.0 0000:08:00.0 0000:03:00.0 "
		 "0000:07:00.0 0000:09:02.0");
}

static void selector_details(void)
{
	struct config *c;
	int ret;

	c = load(CONFIG_APPLY,
		 "# the test bed\n"
		 "03:00.0\n"
		 "id 8086:10D3\n"
		 "ifname eth9\n"
		 "MAC? no:\n"
		 "mac 52:54:00:00:07:00\n"
		 "path 00:06.0/0.0/0.0/0.0\n", &ret);
	/* line 5 is an error, the others are resolved all the same */
	CHECK_INT(ret, -EINVAL);
	CHECK_INT(c->nsels, 5);
	CHECK_INT(c->sels[0].kind, CONFIG_ADDR);
	CHECK_INT(c->sels[0].line, 2);
	CHECK_STR(c->sels[0].text, "0000:03:00.0");
	CHECK_STR(sel_devs(c, 0), "0000:03:00.0");
	CHECK_INT(c->sels[1].kind, CONFIG_ID);
	CHECK_INT(c->sels[1].line, 3);
	CHECK_STR(c->sels[1].text, "id 8086:10d3");
	CHECK_STR(sel_devs(c, 1), "0000:03:00.0 0000:07:00.0 0000:80:01.0");
	CHECK_INT(c->sels[2].kind, CONFIG_IFNAME);
	CHECK_STR(c->sels[2].text, "ifname eth9");
	CHECK_STR(sel_devs(c, 2), "");
	CHECK(c->sels[2].refused);
	CHECK_INT(c->sels[3].kind, CONFIG_MAC);
	CHECK_INT(c->sels[3].line, 6);
	CHECK_STR(c->sels[3].text, "mac 52:54:00:00:07:00");
	CHECK(!c->sels[3].refused);
	CHECK(!c->sels[0].refused && !c->sels[1].refused && !c->sels[4].refused);
	CHECK_INT(c->sels[4].kind, CONFIG_PATH);
	CHECK_STR(c->sels[4].text, "path 0000:00:06.0/00.0/00.0/00.0");
	CHECK_STR(sel_devs(c, 4), "0000:07:00.0");
	CHECK_STR(devs(c), "0000:03:00.0 0000:07:00.0 0000:80:01.0");
	CHECK_INT(c->devs[1].line, 3);
	CHECK_STR(joined(&c->errors),
		  "hide.conf:4: ifname eth9: no such network interface, and no function is remembered for it\n"
		  "hide.conf:5: unknown selector 'MAC?' (expected an address, id, ifname, mac or path)\n");
	CHECK_INT(c->errors.line[0], 4);
	CHECK_STR(joined(&c->warnings), "");
	config_free(c);
}

/*
 * An interface that does not exist refuses its line, unless its function
 * was remembered (memo.h) and is present without an interface: hidden.
 */
static void missing_interfaces(void)
{
	char state[PATH_MAX + 32], buf[CONFIG_MODULE_MAX + 1], why[256];
	struct memo m;
	struct config *c;
	int ret;

	c = load(CONFIG_APPLY, "ifname eth9\nmac 52:54:00:ff:ff:ff\n03:00.0\n",
		 &ret);
	CHECK_INT(ret, -EINVAL);
	CHECK_STR(devs(c), "0000:03:00.0");
	CHECK_STR(joined(&c->errors),
		  "hide.conf:1: ifname eth9: no such network interface, and no function is remembered for it\n"
		  "hide.conf:2: mac 52:54:00:ff:ff:ff: no network interface has this address, and no function is remembered for it\n");
	CHECK(c->sels[0].refused && c->sels[1].refused && !c->sels[2].refused);
	config_free(c);

	/* remembered: 08:00.0 has no interface (hidden), 03:00.0 has eth3 */
	snprintf(state, sizeof(state), "%s/var/resolved", root);
	put("var/resolved", "# comment\n"
	    "ifname eth8 0000:00:06.0/00.0/01.0/00.0\n"
	    "mac 52:54:00:ff:ff:ff 0000:00:09.0/00.0\n"
	    "ifname renamed 0000:00:04.0/00.0\n"
	    "garbage\nifname x /etc/passwd\n");
	c = load_state(CONFIG_APPLY, state,
		       "ifname eth8\nmac 52:54:00:ff:ff:ff\nifname renamed\nifname eth7\n",
		       &ret);
	CHECK_INT(ret, -EINVAL);
	CHECK_STR(devs(c), "0000:08:00.0 0000:07:00.0");
	CHECK(c->sels[0].remembered && !c->sels[0].refused);
	CHECK(!c->sels[3].remembered && !c->sels[3].refused);
	CHECK_STR(joined(&c->errors),
		  "hide.conf:2: mac 52:54:00:ff:ff:ff: no network interface has this address, and the function remembered for it (path 0000:00:09.0/00.0) is not present\n"
		  "hide.conf:3: ifname renamed: no such network interface; the function remembered for it, 0000:03:00.0 (path 0000:00:04.0/00.0), has interface eth3 now: renamed? name it by address or path\n");
	/* eth7 resolved now: remembered, written back whole */
	CHECK_INT(config_save_state(c, why, sizeof(why)), 0);
	config_free(c);
	CHECK_INT(memo_load(&m, state), 0);
	CHECK_INT(m.n, 4);
	CHECK_STR(memo_get(&m, "ifname eth7"), "0000:00:06.0/00.0/00.0/00.0");
	CHECK_STR(memo_get(&m, "ifname eth8"), "0000:00:06.0/00.0/01.0/00.0");
	CHECK(!memo_get(&m, "ifname x"));

	/* the module parameter takes the remembered path */
	c = load_state(CONFIG_MODULE, state, "ifname eth8\nifname eth7\n", &ret);
	CHECK_INT(ret, 0);
	CHECK_INT(config_module_options(c, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "path:0000:00:06.0/00.0/01.0/00.0,path:0000:00:06.0/00.0/00.0/00.0");
	config_free(c);
}

/* The memo: newest last, one entry a selector, at most MEMO_MAX. */
static void memo_bounds(void)
{
	char state[PATH_MAX + 32], sel[32], why[256];
	struct memo *m = malloc(sizeof(*m));
	int i;

	if (!m)
		abort();
	snprintf(state, sizeof(state), "%s/var/sub/memo", root);
	CHECK_INT(memo_load(m, state), 0);	/* none yet */
	CHECK_INT(m->n, 0);
	for (i = 0; i < MEMO_MAX + 3; i++) {
		snprintf(sel, sizeof(sel), "ifname e%d", i);
		memo_put(m, sel, "0000:00:04.0/00.0");
	}
	CHECK_INT(m->n, MEMO_MAX);
	CHECK(!memo_get(m, "ifname e2"));
	CHECK_STR(m->e[0].sel, "ifname e3");
	memo_put(m, "ifname e3", "0000:00:05.0");	/* moves to the end */
	CHECK_STR(m->e[MEMO_MAX - 1].sel, "ifname e3");
	CHECK_STR(memo_get(m, "ifname e3"), "0000:00:05.0");
	memo_put(m, "id 8086:10d3", "0000:00:05.0");	/* not an interface */
	memo_put(m, "ifname bad", "../x");
	CHECK(!memo_get(m, "id 8086:10d3") && !memo_get(m, "ifname bad"));
	CHECK_INT(memo_save(m, state, why, sizeof(why)), 0);
	CHECK(!m->dirty);
	CHECK_INT(memo_load(m, state), 0);
	CHECK_INT(m->n, MEMO_MAX);
	CHECK_STR(memo_get(m, "ifname e3"), "0000:00:05.0");
	/* a directory that cannot be made */
	m->dirty = true;
	CHECK_INT(memo_save(m, "/proc/nonexistent/memo", why, sizeof(why)) < 0, 1);
	CHECK_CONTAINS(why, "/proc/nonexistent");
	free(m);
}

/*
 * The module parameter never reserves the controller of a mounted
 * filesystem or active swap: a line naming one is refused, an id that
 * also matches one keeps it out with a '!' item.
 */
static void module_in_use(void)
{
	char buf[CONFIG_MODULE_MAX + 1];
	struct config *c;
	int ret;

	procdir = "proc-busy";
	MODULE_FAILS("01:00.0\n",
		     "hide.conf:1: 0000:01:00.0: 0000:01:00.0 holds / (mounted): never reserved at boot\n");
	MODULE_FAILS("ifname ens1\n",
		     "hide.conf:1: ifname ens1: 0000:01:00.0 holds / (mounted): never reserved at boot\n");
	/* below device-mapper */
	MODULE_FAILS("path 0000:00:07.0/02.0\n",
		     "hide.conf:1: path 0000:00:07.0/02.0: 0000:09:02.0 holds /home (mounted): never reserved at boot\n");
	c = load(CONFIG_MODULE, "id 1af4:1041\n03:00.0\n01:00.0\n", &ret);
	CHECK_INT(ret, -EINVAL);
	CHECK_INT(config_module_options(c, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "id:1af4:1041,0000:03:00.0,!path:0000:00:02.0/00.0");
	CHECK_STR(joined(&c->warnings),
		  "hide.conf:1: id 1af4:1041: also matches 0000:01:00.0, which holds / (mounted): that one is never reserved at boot\n");
	config_free(c);
	/* without mountinfo nothing is promised: refused */
	procdir = "proc-none";
	c = load(CONFIG_MODULE, "03:00.0\n09:01.0\n", &ret);
	CHECK_INT(ret, -EINVAL);
	CHECK(c->sels[0].refused && c->sels[1].refused);
	CHECK_CONTAINS(joined(&c->errors),
		       "/proc-none/self/mountinfo: No such file or directory (needed to keep the root disk's controller out)\n"
		       "hide.conf:2: not reserved: the mounted filesystems are unknown (see above)\n");
	CHECK_INT(config_module_options(c, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
	config_free(c);
	procdir = "proc";
}

static void syntax_errors(void)
{
	FAILS("idd 8086:10d3\n",
	      "hide.conf:1: unknown selector 'idd' (expected an address, id, ifname, mac or path)\n");
	FAILS("\n\neth0\n",
	      "hide.conf:3: unknown selector 'eth0' (expected an address, id, ifname, mac or path)\n");
	FAILS("52:54:00:00:07:00\n",
	      "hide.conf:1: unknown selector '52:54:00:00:07:00' (expected an address, id, ifname, mac or path)\n");
	FAILS("03:00.8\n",
	      "hide.conf:1: bad address '03:00.8': function 8 out of range (0-7)\n");
	FAILS("0000:03:00\n",
	      "hide.conf:1: bad address '0000:03:00': expected '.' after the device, found end of name\n");
	FAILS("03:00.*\n",
	      "hide.conf:1: '03:00.*': a wildcard is not a selector (name each function, or use id)\n");
	FAILS("03:00.0 03:00.1\n",
	      "hide.conf:1: unexpected '03:00.1' after the selector (one a line)\n");
	FAILS("id\n", "hide.conf:1: id: missing its VVVV:DDDD\n");
	FAILS("id 8086\n",
	      "hide.conf:1: bad id '8086' (expected VVVV:DDDD, 4 hex digits each)\n");
	FAILS("id 8086:10d\n",
	      "hide.conf:1: bad id '8086:10d' (expected VVVV:DDDD, 4 hex digits each)\n");
	FAILS("id 8086:10dx\n",
	      "hide.conf:1: bad id '8086:10dx' (expected VVVV:DDDD, 4 hex digits each)\n");
	FAILS("id 8086:10d3 8086:10d3\n",
	      "hide.conf:1: unexpected '8086:10d3' after the selector (one a line)\n");
	FAILS("ifname\n", "hide.conf:1: ifname: missing its interface name\n");
	FAILS("ifname averyveryverylongname\n",
	      "hide.conf:1: bad interface name 'averyveryverylongname' (1 to 15 characters, no '/', ':' or space)\n");
	FAILS("ifname a/b\n",
	      "hide.conf:1: bad interface name 'a/b' (1 to 15 characters, no '/', ':' or space)\n");
	FAILS("ifname ..\n",
	      "hide.conf:1: bad interface name '..' (1 to 15 characters, no '/', ':' or space)\n");
	FAILS("mac\n", "hide.conf:1: mac: missing its XX:XX:XX:XX:XX:XX\n");
	FAILS("mac 52:54:00:00:07\n",
	      "hide.conf:1: bad MAC address '52:54:00:00:07' (expected XX:XX:XX:XX:XX:XX)\n");
	FAILS("mac 52-54-00-00-07-00\n",
	      "hide.conf:1: bad MAC address '52-54-00-00-07-00' (expected XX:XX:XX:XX:XX:XX)\n");
	FAILS("mac 52:54:00:00:07:0g\n",
	      "hide.conf:1: bad MAC address '52:54:00:00:07:0g' (expected XX:XX:XX:XX:XX:XX)\n");
	FAILS("path\n", "hide.conf:1: path: missing its DDDD:BB:DD.F[/DD.F...]\n");
	FAILS("path 0000:00:06.0/00.0/\n",
	      "hide.conf:1: bad path '0000:00:06.0/00.0/': element 3 '' is not DEV.FN\n");
	FAILS("path 0000:00:06.0/00.8\n",
	      "hide.conf:1: bad path '0000:00:06.0/00.8': element 2 '00.8' is not DEV.FN\n");
	FAILS("path 0000:00:06.0/20.0\n",
	      "hide.conf:1: bad path '0000:00:06.0/20.0': element 2 '20.0' is not DEV.FN\n");
	FAILS("path 0000:00:06.0/000.0\n",
	      "hide.conf:1: bad path '0000:00:06.0/000.0': element 2 '000.0' is not DEV.FN\n");
	FAILS("path 0000:00:06/00.0\n",
	      "hide.conf:1: bad path '0000:00:06/00.0': first element: expected '.' after the device, found end of name\n");
	FAILS("path 00:06.*/00.0\n",
	      "hide.conf:1: bad path '00:06.*/00.0': first element: a wildcard\n");
	FAILS("path 0000:00:01.0/1.0/1.0/1.0/1.0/1.0/1.0/1.0/1.0/1.0/1.0/1.0/1.0/1.0/1.0/1.0/1.0\n",
	      "hide.conf:1: bad path '0000:00:01.0/1.0/1.0/1.0/1.0/1.0/1.0/1.0/1.0/1.0/1.0/1.0/1.0/1.0...': more than 16 elements\n");
	/* keywords are lowercase; control characters are shown as '?' */
	FAILS("ID 8086:10d3\n",
	      "hide.conf:1: unknown selector 'ID' (expected an address, id, ifname, mac or path)\n");
	FAILS("id\x01\x1b[2J 8086:10d3\n",
	      "hide.conf:1: unknown selector 'id??[2J' (expected an address, id, ifname, mac or path)\n");
}

static void resolution_errors(void)
{
	FAILS("0000:0a:00.0\n", "hide.conf:1: 0000:0a:00.0: no such device\n");
	FAILS("id 8086:ffff\n", "hide.conf:1: id 8086:ffff matches no device\n");
	FAILS("path 0000:00:06.0/00.0/00.0/01.0\n",
	      "hide.conf:1: path 0000:00:06.0/00.0/00.0/01.0 leads to no device\n");
	/* the right devfns under another root bus */
	FAILS("path 0000:01:00.0\n",
	      "hide.conf:1: path 0000:01:00.0 leads to no device\n");
	FAILS("ifname lo\n",
	      "hide.conf:1: ifname lo: network interface without a parent device (virtual), not a PCI device\n");
	FAILS("ifname usb0\n",
	      "hide.conf:1: ifname usb0: network interface is not a PCI device (its device is 1-1:1.0)\n");
	FAILS("ifname br0\n",
	      "hide.conf:1: ifname br0: network interface without a parent device (virtual), not a PCI device\n");
	FAILS("mac 00:00:00:00:00:00\n",
	      "hide.conf:1: mac 00:00:00:00:00:00: interface lo: network interface without a parent device (virtual), not a PCI device\n");
	FAILS("mac 52:54:00:00:1d:00\n",
	      "hide.conf:1: mac 52:54:00:00:1d:00: interface usb0: network interface is not a PCI device (its device is 1-1:1.0)\n");
	FAILS("mac 52:54:00:00:09:09\n",
	      "hide.conf:1: mac 52:54:00:00:09:09: interfaces eth9a and eth9b have this address but are different functions (0000:09:01.0, 0000:09:02.0): name the function by address or path\n");
}

/* All errors of a file, each with its line; good lines around them. */
static void every_error_reported(void)
{
	FAILS("# hide.conf\n"
	      "03:00.0\n"
	      "idd 8086:10d3\n"
	      "\n"
	      "id 8086:ffff\n"
	      "ifname eth7\n"
	      "0000:0a:00.0\n"
	      "path 0000:00:06.0/00.0/00.0/00.0 # fine\n"
	      "mac 52:54:00:00:07\n",
	      "hide.conf:3: unknown selector 'idd' (expected an address, id, ifname, mac or path)\n"
	      "hide.conf:5: id 8086:ffff matches no device\n"
	      "hide.conf:7: 0000:0a:00.0: no such device\n"
	      "hide.conf:9: bad MAC address '52:54:00:00:07' (expected XX:XX:XX:XX:XX:XX)\n");
}

static void too_many_errors(void)
{
	char text[2048] = "", want[4096] = "";
	struct config *c;
	int i, ret;

	for (i = 1; i <= 30; i++) {
		strcat(text, "bad\n");
		if (i <= CONFIG_ERRORS_MAX)
			snprintf(want + strlen(want), sizeof(want) - strlen(want),
				 "hide.conf:%d: unknown selector 'bad' (expected an address, id, ifname, mac or path)\n",
				 i);
	}
	strcat(want, "hide.conf:20: too many errors, stopped reading here\n");
	c = load(CONFIG_APPLY, text, &ret);
	CHECK_INT(ret, -EINVAL);
	CHECK_INT(c->errors.total, CONFIG_ERRORS_MAX);
	CHECK_INT(c->errors.n, CONFIG_ERRORS_MAX + 1);
	CHECK(c->lines_done);
	CHECK_STR(joined(&c->errors), want);
	config_free(c);

	/* exactly the cap, at the end: nothing was left unread */
	text[strlen("bad\n") * CONFIG_ERRORS_MAX] = '\0';
	c = load(CONFIG_APPLY, text, &ret);
	CHECK_INT(c->errors.n, CONFIG_ERRORS_MAX);
	CHECK(!c->lines_done);
	config_free(c);
}

static void comments_and_whitespace(void)
{
	RESOLVES("", "");
	RESOLVES("\n\n\n", "");
	RESOLVES("# nothing\n   # indented comment\n\t\n", "");
	RESOLVES("#03:00.0\n", "");
	RESOLVES("03:00.0#comment right after\n", "0000:03:00.0");
	RESOLVES("  \t 03:00.0 \t", "0000:03:00.0");
	RESOLVES("\t03:00.0\t\n", "0000:03:00.0");
	RESOLVES("id\t8086:100e\n", "0000:09:01.0 0000:09:02.0");
	RESOLVES("  path   0000:00:07.0/01.0   # e1000 a\n", "0000:09:01.0");
	/* CRLF, also on the last line, and a lone CR */
	RESOLVES("# dos\r\n03:00.0\r\nifname eth7\r\n\r\n", "0000:03:00.0 0000:07:00.0");
	RESOLVES("03:00.0\r", "0000:03:00.0");
	RESOLVES("\f\v03:00.0\v\n", "0000:03:00.0");
}

static void line_too_long(void)
{
	size_t n = CONFIG_LINE_MAX + 64;
	char *text = malloc(n * 3);
	struct config *c;
	size_t len;
	int ret;

	if (!text)
		abort();
	/* exactly the limit: a long comment is fine */
	len = (size_t)sprintf(text, "03:00.0\n#");
	memset(text + len, 'x', CONFIG_LINE_MAX - 1);
	len += CONFIG_LINE_MAX - 1;
	len += (size_t)sprintf(text + len, "\nifname eth7\n");
	c = load_n(CONFIG_APPLY, text, len, &ret);
	CHECK_INT(ret, 0);
	CHECK_STR(devs(c), "0000:03:00.0 0000:07:00.0");
	config_free(c);

	/* one more: an error on its line, and the next lines still count */
	len = (size_t)sprintf(text, "03:00.0\n#");
	memset(text + len, 'x', CONFIG_LINE_MAX);
	len += CONFIG_LINE_MAX;
	len += (size_t)sprintf(text + len, "\nidd\nifname eth7\n");
	c = load_n(CONFIG_APPLY, text, len, &ret);
	CHECK_INT(ret, -EINVAL);
	CHECK_STR(joined(&c->errors),
		  "hide.conf:2: line longer than 4096 characters\n"
		  "hide.conf:3: unknown selector 'idd' (expected an address, id, ifname, mac or path)\n");
	CHECK_STR(devs(c), "0000:03:00.0 0000:07:00.0");
	config_free(c);

	/* a long last line without a newline */
	memset(text, ' ', n);
	c = load_n(CONFIG_APPLY, text, n, &ret);
	CHECK_STR(joined(&c->errors),
		  "hide.conf:1: line longer than 4096 characters\n");
	config_free(c);
	free(text);
}

static void nul_byte(void)
{
	static const char text[] = "03:00.0\nifname eth7\0 # hidden\n09:01.0\n";
	struct config *c;
	int ret;

	c = load_n(CONFIG_APPLY, text, sizeof(text) - 1, &ret);
	CHECK_INT(ret, -EINVAL);
	CHECK_STR(joined(&c->errors), "hide.conf:2: NUL byte in the line\n");
	/* the line is not used, the others are */
	CHECK_STR(devs(c), "0000:03:00.0 0000:09:01.0");
	config_free(c);
}

static void duplicates_merged(void)
{
	struct config *c;
	int ret;

	RESOLVES("03:00.0\n0000:03:00.0\n03:00.0\n", "0000:03:00.0");
	c = load(CONFIG_APPLY,
		 "0000:07:00.0\n"
		 "id 8086:10d3\n"
		 "ifname eth3\n"
		 "mac 52:54:00:00:03:00\n"
		 "path 0000:00:04.0/00.0\n", &ret);
	CHECK_INT(ret, 0);
	CHECK_STR(devs(c), "0000:07:00.0 0000:03:00.0 0000:80:01.0");
	/* each selector still knows what it named */
	CHECK_STR(sel_devs(c, 1), "0000:03:00.0 0000:07:00.0 0000:80:01.0");
	CHECK_STR(sel_devs(c, 2), "0000:03:00.0");
	CHECK_STR(sel_devs(c, 4), "0000:03:00.0");
	CHECK_INT(c->devs[1].line, 2);
	config_free(c);
}

static void too_many(void)
{
	char *text = malloc(CONFIG_SELS_MAX * 20 + 64), *p;
	struct config *c;
	int i, ret;

	if (!text)
		abort();
	/* one id naming 300 functions */
	FAILS("03:00.0\nid abcd:0001\n",
	      "hide.conf:2: more than 256 functions (the most one request can move)\n");
	/* 256 functions are fine: the cap itself */
	for (p = text, i = 0; i < CONFIG_DEVS_MAX; i++)
		p += sprintf(p, "0000:%02x:%02x.%d\n", 0x20, i / 8, i % 8);
	c = load(CONFIG_APPLY, text, &ret);
	CHECK_INT(ret, 0);
	CHECK_INT(c->ndevs, CONFIG_DEVS_MAX);
	config_free(c);
	/* one more */
	sprintf(p, "0000:21:00.0\n");
	c = load(CONFIG_APPLY, text, &ret);
	CHECK_INT(ret, -EINVAL);
	CHECK_STR(joined(&c->errors),
		  "hide.conf:257: more than 256 selectors\n");
	config_free(c);
	free(text);
}

static void module_options(void)
{
	MODULE_IS("", "");
	MODULE_IS("# nothing\n", "");
	MODULE_IS("03:00.0\n", "0000:03:00.0");
	MODULE_IS("id 8086:10D3\n", "id:8086:10d3");
	MODULE_IS("path 00:06.0/0.0/0.0/0.0\n", "path:0000:00:06.0/00.0/00.0/00.0");
	/* interfaces become the path of their function now */
	MODULE_IS("ifname eth7\n", "path:0000:00:06.0/00.0/00.0/00.0");
	MODULE_IS("ifname ens1\n", "path:0000:00:02.0/00.0");
	MODULE_IS("mac 52:54:00:00:03:00\n", "path:0000:00:04.0/00.0");
	MODULE_IS("ifname eth9a\n", "path:0000:00:07.0/01.0");
	/* in file order; the same item once */
	MODULE_IS("0000:09:02.0\nid 8086:10d3\nifname eth7\n"
		  "path 0000:00:06.0/00.0/00.0/00.0\nid 8086:10d3\n03:00.0\n",
		  "0000:09:02.0,id:8086:10d3,path:0000:00:06.0/00.0/00.0/00.0,"
		  "0000:03:00.0");
	/* not looked up in sysfs beyond a warning: the kernel matches them */
	MODULE_IS("id abcd:0001\n", "id:abcd:0001");
	MODULE_IS("10000:e1:00.0\n", "10000:e1:00.0");
}

static void module_options_warnings(void)
{
	char buf[CONFIG_MODULE_MAX + 1];
	struct config *c;
	int ret;

	c = load(CONFIG_MODULE, "0000:0a:00.0\nid 8086:ffff\npath 0000:00:09.0/00.0\n",
		 &ret);
	CHECK_INT(ret, 0);
	CHECK_INT(config_module_options(c, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "0000:0a:00.0,id:8086:ffff,path:0000:00:09.0/00.0");
	CHECK_STR(joined(&c->warnings),
		  "hide.conf:1: 0000:0a:00.0: no such device now (reserved if it appears)\n"
		  "hide.conf:2: id 8086:ffff matches no device now (reserved if it appears)\n"
		  "hide.conf:3: path 0000:00:09.0/00.0 leads to no device now (reserved if it appears)\n");
	/* the buffer must hold the longest value */
	CHECK_INT(config_module_options(c, buf, CONFIG_MODULE_MAX), -EINVAL);
	config_free(c);

	/* not in this mode */
	c = load(CONFIG_APPLY, "03:00.0\n", &ret);
	CHECK_INT(config_module_options(c, buf, sizeof(buf)), -EINVAL);
	config_free(c);
}

static void module_options_errors(void)
{
	char buf[CONFIG_MODULE_MAX + 1], text[4096], *p = text;
	struct config *c;
	int i, ret;

	/* an interface must exist now, and be a PCI function */
	MODULE_FAILS("ifname eth9\n",
		     "hide.conf:1: ifname eth9: no such network interface, and no function is remembered for it\n");
	MODULE_FAILS("mac 52:54:00:ff:ff:ff\n",
		     "hide.conf:1: mac 52:54:00:ff:ff:ff: no network interface has this address, and no function is remembered for it\n");
	MODULE_FAILS("ifname lo\n",
		     "hide.conf:1: ifname lo: network interface without a parent device (virtual), not a PCI device\n");
	MODULE_FAILS("idd 1\n03:00.0\nid 1:2\n",
		     "hide.conf:1: unknown selector 'idd' (expected an address, id, ifname, mac or path)\n"
		     "hide.conf:3: bad id '1:2' (expected VVVV:DDDD, 4 hex digits each)\n");
	/* a function outside any root bus has no path */
	link_at("class/net/odd0/device", "../../../devices/platform/odd/0000:0f:00.0");
	MODULE_FAILS("ifname odd0\n",
		     "hide.conf:1: ifname odd0: 0000:0f:00.0: cannot find its path from a root bus: Invalid argument\n");

	/* 80 addresses of 12 bytes and 79 commas: 1039 bytes */
	for (i = 0; i < 80; i++)
		p += sprintf(p, "0000:20:%02x.%d\n", i / 8, i % 8);
	c = load(CONFIG_MODULE, text, &ret);
	CHECK_INT(ret, 0);
	CHECK_INT(config_module_options(c, buf, sizeof(buf)), -E2BIG);
	CHECK_STR(buf, "");
	CHECK_STR(joined(&c->errors),
		  "hide.conf: the module parameter would be 1039 bytes long, more than 1024: use fewer selectors (one id selector matches many functions)\n");
	config_free(c);
	/* 78: 1013 bytes, fine */
	text[13 * 78] = '\0';
	c = load(CONFIG_MODULE, text, &ret);
	CHECK_INT(config_module_options(c, buf, sizeof(buf)), 0);
	CHECK_INT(strlen(buf), 78 * 13 - 1);
	config_free(c);
}

static void pci_paths(void)
{
	char buf[CONFIG_PATH_TEXT_MAX];

	CHECK_INT(config_pci_path(root, "0000:07:00.0", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "0000:00:06.0/00.0/00.0/00.0");
	CHECK_INT(config_pci_path(root, "0000:06:01.0", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "0000:00:06.0/00.0/01.0");
	CHECK_INT(config_pci_path(root, "0000:00:1f.0", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "0000:00:1f.0");
	CHECK_INT(config_pci_path(root, "0000:09:02.0", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "0000:00:07.0/02.0");
	CHECK_INT(config_pci_path(root, "10000:e1:00.0", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "10000:e0:1d.0/00.0");
	CHECK_INT(config_pci_path(root, "0000:0a:00.0", buf, sizeof(buf)), -ENODEV);
	CHECK_INT(config_pci_path(root, "0000:0f:00.0", buf, sizeof(buf)), -EINVAL);
	CHECK_INT(config_pci_path(root, "0000:07:00.0", buf, 20), -ENAMETOOLONG);
}

/* --- the binary: config files that end before any request ------------- */

struct run {
	int status;
	char out[8192];
	char err[8192];
};

static void slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void run(struct run *r, const char *const *args)
{
	const char *tool = getenv("PCIBACKCTL") ? getenv("PCIBACKCTL") :
			   "./pcibackctl";
	FILE *out = tmpfile(), *err = tmpfile();
	char *argv[16];
	int i, status;
	pid_t pid;

	if (!out || !err)
		abort();
	argv[0] = (char *)tool;
	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = (char *)args[i];
	argv[i + 1] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		abort();
	if (!pid) {
		dup2(fileno(out), 1);
		dup2(fileno(err), 2);
		execv(tool, argv);
		_exit(127);
	}
	r->status = -1;
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		r->status = WEXITSTATUS(status);
	slurp(out, r->out, sizeof(r->out));
	slurp(err, r->err, sizeof(r->err));
}

#define RUN(r, ...) run(r, (const char *const []){ __VA_ARGS__, NULL })

static void binary(void)
{
	char file[PATH_MAX + 32];
	struct run r;

	snprintf(file, sizeof(file), "%s/bad.conf", root);
	put("bad.conf", "# typos\n0000:fe:1f.6\nidd 8086:10d3\n\n0000:fe:1f.7\n");

	/* every line refused: nothing to send, every reason said */
	RUN(&r, "apply", file);
	CHECK_INT(r.status, 2);
	CHECK_STR(r.out, "");
	CHECK_CONTAINS(r.err, "bad.conf:2: 0000:fe:1f.6: no such device\n");
	CHECK_CONTAINS(r.err, "bad.conf:3: unknown selector 'idd' (expected an address, id, ifname, mac or path)\n");
	CHECK_CONTAINS(r.err, "bad.conf:5: 0000:fe:1f.7: no such device\n");
	RUN(&r, "-j", "apply", "-n", file);
	CHECK_INT(r.status, 2);
	CHECK_CONTAINS(r.out, "{\"line\":5,\"selector\":\"0000:fe:1f.7\",\"names\":[],\"refused\":true,\"remembered\":false}");
	CHECK_CONTAINS(r.out, "\"already-hidden\":[],\"hide\":null}\n");
	/* the lines that stand are printed, the status says some did not */
	RUN(&r, "apply", "--module-options", file);
	CHECK_INT(r.status, 2);
	CHECK_STR(r.out, "0000:fe:1f.6,0000:fe:1f.7\n");
	CHECK_CONTAINS(r.err, "bad.conf:3: unknown selector 'idd'");
	CHECK_CONTAINS(r.err, "bad.conf:5: 0000:fe:1f.7: no such device now (reserved if it appears)");

	RUN(&r, "apply", "/nonexistent/hide.conf");
	CHECK_INT(r.status, 2);
	CHECK_STR(r.err, "pcibackctl: apply: cannot open /nonexistent/hide.conf: No such file or directory\n");
	RUN(&r, "apply", root);		/* a directory */
	CHECK_INT(r.status, 2);
	CHECK_CONTAINS(r.err, ": read error: Is a directory\n");

	/* usage errors */
	RUN(&r, "apply", "--module-options", "-n", file);
	CHECK_INT(r.status, 2);
	CHECK_CONTAINS(r.err, "pcibackctl: apply: --module-options takes no other option\n");
	RUN(&r, "apply", "--with-group", "--module-options");
	CHECK_INT(r.status, 2);
	RUN(&r, "apply", "a.conf", "b.conf");
	CHECK_INT(r.status, 2);
	CHECK_CONTAINS(r.err, "pcibackctl: apply: unexpected argument 'b.conf'\n");
	RUN(&r, "apply", "--allow-bridge");
	CHECK_INT(r.status, 2);
	CHECK_CONTAINS(r.err, "pcibackctl: apply: unknown option '--allow-bridge'\n");

	/* help */
	RUN(&r, "apply", "--help");
	CHECK_INT(r.status, 0);
	CHECK_CONTAINS(r.out, "Usage: pcibackctl [OPTIONS] apply [-n] [-f] [--with-group] [--module-options] [FILE]\n");
	CHECK_CONTAINS(r.out, "  --module-options\n");
	CHECK_CONTAINS(r.out, CONFIG_DEFAULT_FILE);
	RUN(&r, "--help");
	CHECK_CONTAINS(r.out, "\n  apply [-n] [-f] [--with-group] [--module-options] [FILE]\n");
}

void test_config(void)
{
	fixture_create();
	unit_run("config: every selector kind resolves", each_selector);
	unit_run("config: selectors keep their line, text and functions",
		 selector_details);
	unit_run("config: missing interfaces: remembered paths, else refused",
		 missing_interfaces);
	unit_run("config: syntax errors name the line and the word",
		 syntax_errors);
	unit_run("config: selectors that match nothing are errors",
		 resolution_errors);
	unit_run("config: every error of a file is reported", every_error_reported);
	unit_run("config: at most 20 errors, then reading stops",
		 too_many_errors);
	unit_run("config: comments, blank lines, whitespace, CRLF",
		 comments_and_whitespace);
	unit_run("config: a line longer than 4096 is an error", line_too_long);
	unit_run("config: a NUL byte is an error", nul_byte);
	unit_run("config: two selectors of one function are merged",
		 duplicates_merged);
	unit_run("config: at most 256 functions and selectors", too_many);
	unit_run("config: the module parameter, interfaces as paths",
		 module_options);
	unit_run("config: module parameter: never a mounted disk's controller",
		 module_in_use);
	unit_run("config: remembered paths: bounded, atomic file", memo_bounds);
	unit_run("config: module parameter: absent devices are warnings",
		 module_options_warnings);
	unit_run("config: module parameter errors, 1024 bytes at most",
		 module_options_errors);
	unit_run("config: stable paths through bridges, switches, VMD",
		 pci_paths);
	unit_run("config: apply on a file whose every line is refused exits 2",
		 binary);
	fixture_remove();
}
