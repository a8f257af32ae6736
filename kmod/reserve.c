// SPDX-License-Identifier: GPL-2.0
/*
 * Boot-time reservation: the module parameter "hide" names functions that
 * go to xen-pciback before any host driver can bind them.  Loaded early
 * (from the initramfs, before udev loads host drivers), the module
 * reserves every matching function that is present and every one added to
 * the bus later, by giving it a record and driver_override "pciback"
 * before the bus probes it (records.c's notifier).
 *
 * The list is comma-separated; each item is one of
 *   DDDD:BB:DD.F                  a function by address
 *   id:VVVV:DDDD                  every function with this vendor:device
 *   path:DDDD:BB:DD.F[/DD.F...]   the function reached from root bus
 *                                 DDDD:BB through these device.functions,
 *                                 which stays right when buses renumber
 * An item that starts with '!' (written by "pcibackctl apply
 * --module-options" for the controllers of mounted filesystems and active
 * swap) names a function never reserved, whatever else matches it.
 * "pcibackctl apply --module-options" writes the list from the config
 * file.
 *
 * Reservation happens only in a Xen initial domain: booted without Xen
 * (the recovery entry of a boot menu) or in a guest, the list is logged
 * and ignored, so every function keeps its host driver.  The parameter
 * "reserve" (pciback_nl.reserve=0 on the kernel command line) turns it
 * off in a dom0 too: the documented way out of a list that hides a device
 * the machine needs to boot.
 *
 * Bridges are never reserved (a path or id may name one by mistake).  A
 * function that already has a host driver when the module loads is not
 * taken from it here (that is "pcibackctl apply"'s job, with its checks);
 * it is logged.
 *
 * Reservations take whole co-assignment groups (coassign.c): a named
 * function whose group holds a function the list does not name, or one
 * bound to a host driver, is not reserved, and the log says why.  The
 * functions of a slot are added to the bus one at a time and probed only
 * once all are there, so a function added later that joins the group of
 * reserved ones unnamed takes their reservation back before any of them is
 * probed.  A reserved function that sits next to a host-driven sibling it
 * must go with could otherwise corrupt memory (USB companions) or share
 * DMA isolation with dom0.
 *
 * Locking: the list is parsed once at load, before the notifier is
 * registered, and is read-only afterwards (the parameters are 0444), so
 * readers need no lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <xen/xen.h>

#include "pciback_nl.h"

#define PBNL_RESERVE_MAX	256
#define PBNL_PATH_MAX		16

enum pbnl_sel_kind {
	PBNL_SEL_ADDR = 1,
	PBNL_SEL_ID,
	PBNL_SEL_PATH,
};

struct pbnl_sel {
	enum pbnl_sel_kind kind;
	struct pbnl_bdf bdf;		/* ADDR; PATH: domain and root bus */
	u16 vendor, device;		/* ID */
	u8 path[PBNL_PATH_MAX];		/* PATH: devfn below each bridge */
	unsigned int depth;		/* PATH: entries in path[] */
	bool exclude;			/* "!": never reserve what matches */
};

static char *hide;
module_param(hide, charp, 0444);
MODULE_PARM_DESC(hide,
		 "functions reserved for xen-pciback from load on, in a Xen dom0: comma-separated DDDD:BB:DD.F, id:VVVV:DDDD, path:DDDD:BB:DD.F/DD.F...; a leading ! excludes");

static bool reserve = true;
module_param(reserve, bool, 0444);
MODULE_PARM_DESC(reserve,
		 "act on hide= (default 1); pciback_nl.reserve=0 on the kernel command line reserves nothing");

static struct pbnl_sel *pbnl_sels;
static unsigned int pbnl_nsels;

/* "DD.F" with two hex digits for the device, one for the function. */
static int pbnl_parse_devfn(const char *s, size_t len, u8 *devfn)
{
	char buf[5];
	unsigned int slot, fn;

	if (len != 4 || s[2] != '.' || !isxdigit(s[0]) || !isxdigit(s[1]) ||
	    !isxdigit(s[3]))
		return -EINVAL;
	memcpy(buf, s, 4);
	buf[4] = '\0';
	slot = hex_to_bin(buf[0]) << 4 | hex_to_bin(buf[1]);
	fn = hex_to_bin(buf[3]);
	if (slot > 0x1f || fn > 7)
		return -EINVAL;
	*devfn = PCI_DEVFN(slot, fn);
	return 0;
}

static int pbnl_parse_hex4(const char *s, u16 *v)
{
	unsigned int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		if (!isxdigit(s[i]))
			return -EINVAL;
		*v = *v << 4 | hex_to_bin(s[i]);
	}
	return 0;
}

static int pbnl_parse_sel(char *item, struct pbnl_sel *sel)
{
	char *p, *slash;

	memset(sel, 0, sizeof(*sel));
	if (*item == '!') {
		sel->exclude = true;
		item++;
	}
	if (str_has_prefix(item, "id:")) {
		p = item + 3;
		sel->kind = PBNL_SEL_ID;
		if (strlen(p) != 9 || p[4] != ':' ||
		    pbnl_parse_hex4(p, &sel->vendor) ||
		    pbnl_parse_hex4(p + 5, &sel->device))
			return -EINVAL;
		return 0;
	}
	if (!str_has_prefix(item, "path:")) {
		sel->kind = PBNL_SEL_ADDR;
		return pbnl_parse_name(item, &sel->bdf);
	}
	sel->kind = PBNL_SEL_PATH;
	p = item + 5;
	slash = strchr(p, '/');
	if (slash)
		*slash = '\0';
	if (pbnl_parse_name(p, &sel->bdf))
		return -EINVAL;
	sel->path[sel->depth++] = sel->bdf.devfn;
	while (slash) {
		*slash = '/';
		p = slash + 1;
		slash = strchr(p, '/');
		if (sel->depth == PBNL_PATH_MAX ||
		    pbnl_parse_devfn(p, slash ? slash - p : strlen(p),
				     &sel->path[sel->depth]))
			return -EINVAL;
		sel->depth++;
	}
	return 0;
}

/* Whether @pdev is the function @sel's path leads to. */
static bool pbnl_path_match(const struct pbnl_sel *sel, struct pci_dev *pdev)
{
	struct pci_bus *bus = pdev->bus;
	unsigned int i = sel->depth;

	if (pdev->devfn != sel->path[--i])
		return false;
	while (i) {
		if (pci_is_root_bus(bus) || !bus->self ||
		    bus->self->devfn != sel->path[--i])
			return false;
		bus = bus->self->bus;
	}
	return pci_is_root_bus(bus) && bus->number == sel->bdf.bus &&
	       (u32)pci_domain_nr(bus) == sel->bdf.domain;
}

static bool pbnl_sel_match(const struct pbnl_sel *sel, struct pci_dev *pdev)
{
	switch (sel->kind) {
	case PBNL_SEL_ADDR:
		return (u32)pci_domain_nr(pdev->bus) == sel->bdf.domain &&
		       pdev->bus->number == sel->bdf.bus &&
		       pdev->devfn == sel->bdf.devfn;
	case PBNL_SEL_ID:
		return pdev->vendor == sel->vendor && pdev->device == sel->device;
	case PBNL_SEL_PATH:
		return pbnl_path_match(sel, pdev);
	}
	return false;
}

/**
 * pbnl_reserve_wanted() - whether the "hide" parameter names @pdev
 * @pdev: the function
 *
 * Return: true when one item of the list matches it, no '!' item
 * excludes it and it is no bridge.
 */
bool pbnl_reserve_wanted(struct pci_dev *pdev)
{
	bool wanted = false;
	unsigned int i;

	for (i = 0; i < pbnl_nsels; i++) {
		if (!pbnl_sel_match(&pbnl_sels[i], pdev))
			continue;
		if (pbnl_sels[i].exclude)
			return false;
		wanted = true;
	}
	if (!wanted || pdev->hdr_type == PCI_HEADER_TYPE_NORMAL)
		return wanted;
	/* as dev-hide without allow-bridge: bridges stay in dom0 */
	pci_warn(pdev, "hide: a bridge, not reserved\n");
	return false;
}

/**
 * pbnl_reserve_parse() - parse the "hide" parameter
 *
 * A malformed item is logged and skipped; the others are used.  Too many
 * items fail the load.
 *
 * Return: 0, -EINVAL (too many items, logged), or -ENOMEM.
 */
int pbnl_reserve_parse(void)
{
	char *list, *item, *rest;
	unsigned int n = 1;
	int ret = 0;

	if (!hide || !*hide)
		return 0;
	for (item = hide; *item; item++)
		n += *item == ',';
	if (n > PBNL_RESERVE_MAX) {
		pr_err("hide: more than %d items\n", PBNL_RESERVE_MAX);
		return -EINVAL;
	}
	pbnl_sels = kcalloc(n, sizeof(*pbnl_sels), GFP_KERNEL);
	list = kstrdup(hide, GFP_KERNEL);
	if (!pbnl_sels || !list) {
		ret = -ENOMEM;
		goto out;
	}
	rest = list;
	while ((item = strsep(&rest, ","))) {
		if (!*item)
			continue;
		/* as for the config file: a bad item is skipped, not fatal */
		if (pbnl_parse_sel(item, &pbnl_sels[pbnl_nsels])) {
			pr_err("hide: malformed item \"%.40s\" skipped (want [!]DDDD:BB:DD.F, [!]id:VVVV:DDDD or [!]path:DDDD:BB:DD.F/DD.F...)\n",
			       item);
			continue;
		}
		pbnl_nsels++;
	}
	/* the list is checked everywhere, used only where it may act */
	if (!reserve) {
		pr_warn("hide: reserve=0 (kernel command line?): nothing reserved\n");
		pbnl_reserve_exit();
	} else if (!xen_initial_domain()) {
		pr_info("hide: not a Xen initial domain: nothing reserved, every device keeps its host driver\n");
		pbnl_reserve_exit();
	} else {
		pr_info("hide: %u item(s) reserved for pciback\n", pbnl_nsels);
	}
out:
	kfree(list);
	if (ret)
		pbnl_reserve_exit();
	return ret;
}

/* Whether the whole group of @pdev may be reserved; logs why not. */
static bool pbnl_reserve_group_ok(struct pci_dev *pdev)
{
	char why[256];
	int ret;

	ret = pbnl_group_reservable(pdev, pbnl_reserve_wanted, why, sizeof(why));
	if (!ret)
		return true;
	if (ret == -EXDEV)
		pci_warn(pdev, "hide: not reserved: %s\n", why);
	else
		pci_warn(pdev, "hide: not reserved: cannot compute its group: %d\n",
			 ret);
	return false;
}

/*
 * Reserve the functions present now.  Called once at load, after the
 * notifier is registered, so a function added meanwhile is not missed (a
 * function both added and found here is reserved twice, harmlessly).
 */
void pbnl_reserve_present(void)
{
	struct pci_dev *pdev = NULL;
	char *drv;
	int err;

	if (!pbnl_nsels)
		return;
	for_each_pci_dev(pdev) {
		if (!pbnl_reserve_wanted(pdev))
			continue;
		device_lock(&pdev->dev);
		drv = pdev->dev.driver ? kstrdup(pdev->dev.driver->name,
						 GFP_KERNEL) : NULL;
		err = pdev->dev.driver && !drv ? -ENOMEM : 0;
		device_unlock(&pdev->dev);
		if (err)
			continue;
		if (drv && strcmp(drv, PBNL_PCIBACK_DRV_NAME)) {
			pci_warn(pdev, "hide: already bound to %s, left there (pcibackctl apply moves it)\n",
				 drv);
			kfree(drv);
			continue;
		}
		kfree(drv);
		if (!pbnl_reserve_group_ok(pdev) || pbnl_reserve_claim(pdev))
			continue;
		/* pciback takes it now if loaded, else when it loads */
		if (device_attach(&pdev->dev) < 0)
			pci_warn(pdev, "hide: reserved, but the probe failed\n");
	}
}

/**
 * pbnl_reserve_added() - a function the "hide" parameter names was added
 * @pdev: the function, not probed yet
 *
 * Reserved when its group, as far as it is present, may go whole.
 */
void pbnl_reserve_added(struct pci_dev *pdev)
{
	if (pbnl_reserve_group_ok(pdev))
		pbnl_reserve_claim(pdev);
}

#define PBNL_PEERS_MAX	32

/**
 * pbnl_reserve_joined() - a function no reservation names was added
 * @pdev: the function, not probed yet
 *
 * Reserved functions of its group that no driver holds yet lose their
 * reservation: the group is no longer whole.
 */
void pbnl_reserve_joined(struct pci_dev *pdev)
{
	struct pci_dev *peers[PBNL_PEERS_MAX];
	int n, i;

	if (!pbnl_nsels)
		return;
	n = pbnl_group_reserved_peers(pdev, peers, ARRAY_SIZE(peers));
	if (n < 0) {
		pci_warn(pdev, "hide: cannot compute its group: %d\n", n);
		return;
	}
	for (i = 0; i < n; i++) {
		if (pbnl_reserve_release(peers[i]))
			pci_warn(peers[i], "hide: reservation taken back: its group also holds %s, which hide= does not name\n",
				 pci_name(pdev));
		pci_dev_put(peers[i]);
	}
}

void pbnl_reserve_exit(void)
{
	kfree(pbnl_sels);
	pbnl_sels = NULL;
	pbnl_nsels = 0;
}
