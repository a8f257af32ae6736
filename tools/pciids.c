// SPDX-License-Identifier: GPL-2.0-only
/*
 * pciids.c - names from the PCI ID database through libpci.
 *
 * libpci's error hook must not return (it is declared noreturn and the
 * default one calls exit()): ours jumps back into the lookup that failed,
 * which then gives up on names for the rest of the run.  pci_init() is
 * not called: it probes hardware access methods we do not need and may
 * fail fatally; name lookups only need the ID list.
 *
 * Names come from pci.ids and udev's hwdb only, never from libpci's cache
 * of names resolved over DNS (PCI_LOOKUP_CACHE, on by default where libpci
 * is built with DNS support, as Debian's is): we never ask for network
 * lookups, so the cache could only add what another program (lspci -q)
 * fetched into the home of whoever runs us, and an ID file given to
 * pciids_open() would not be the only source.  Consulting it also leaks
 * in libpci 3.11 and later: get_cache_name() keeps the cache's path in
 * pci_access.id_cache_name, and pci_cleanup() frees that only in builds
 * without DNS support (pci_id_cache_flush() in names-cache.c).
 *
 * libpci is loaded (dlopen) by pciids_open(), not linked: it and the
 * libraries it pulls in (libz, libudev) cost a process about 10 ms to
 * load in the benchmark's Xen dom0, which hide and unhide, printing no
 * names, need not pay.  Without libpci there are no names, as without
 * pci.ids.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include "pciids.h"

/* The soname of the libpci ABI <pci/pci.h> describes. */
#define PCIIDS_LIBPCI "libpci.so.3"

struct pciids {
	void *lib;
	struct pci_access *(*alloc)(void);
	void (*cleanup)(struct pci_access *acc);
	void (*set_path)(struct pci_access *acc, char *name, int to_be_freed);
	char *(*lookup_name)(struct pci_access *acc, char *buf, int size,
			     int flags, ...);
	struct pci_access *pacc;
	int flags;		/* added to every lookup */
	bool broken;		/* libpci reported an error: no more lookups */
};

static jmp_buf *pciids_jmp;

static void __attribute__((noreturn, format(printf, 1, 2)))
pciids_error(char *msg, ...)
{
	(void)msg;
	longjmp(*pciids_jmp, 1);
}

static void __attribute__((format(printf, 1, 2)))
pciids_quiet(char *msg, ...)
{
	(void)msg;	/* a damaged pci.ids line is not our user's problem */
}

struct pciids *pciids_open(const char *ids_file)
{
	struct pciids *ids = calloc(1, sizeof(*ids));
	char *path = NULL;

	if (!ids)
		return NULL;
	ids->lib = dlopen(PCIIDS_LIBPCI, RTLD_NOW | RTLD_LOCAL);
	if (!ids->lib)
		goto fail;
	*(void **)&ids->alloc = dlsym(ids->lib, "pci_alloc");
	*(void **)&ids->cleanup = dlsym(ids->lib, "pci_cleanup");
	*(void **)&ids->set_path = dlsym(ids->lib, "pci_set_name_list_path");
	*(void **)&ids->lookup_name = dlsym(ids->lib, "pci_lookup_name");
	if (!ids->alloc || !ids->cleanup || !ids->set_path || !ids->lookup_name)
		goto fail;
	if (ids_file) {
		path = strdup(ids_file);
		if (!path)
			goto fail;
		ids->flags = PCI_LOOKUP_NO_HWDB;
	}
	ids->pacc = ids->alloc();
	if (!ids->pacc)
		goto fail;
	ids->pacc->id_lookup_mode &= ~(unsigned int)PCI_LOOKUP_CACHE;
	ids->pacc->error = pciids_error;
	ids->pacc->warning = pciids_quiet;
	ids->pacc->debug = pciids_quiet;
	if (path)
		ids->set_path(ids->pacc, path, 1);
	return ids;
fail:
	free(path);
	if (ids->lib)
		dlclose(ids->lib);
	free(ids);
	return NULL;
}

void pciids_close(struct pciids *ids)
{
	if (!ids)
		return;
	/* also after an error: they come from parsing pci.ids, not midway */
	ids->cleanup(ids->pacc);
	dlclose(ids->lib);
	free(ids);
}

static char *lookup(struct pciids *ids, int flags, uint32_t a, uint32_t b)
{
	char buf[512];
	jmp_buf env;
	char *s;

	if (!ids || ids->broken)
		return NULL;
	pciids_jmp = &env;
	if (setjmp(env)) {
		ids->broken = true;	/* libpci state unknown: stop using it */
		pciids_jmp = NULL;
		return NULL;
	}
	s = ids->lookup_name(ids->pacc, buf, sizeof(buf),
			     flags | ids->flags | PCI_LOOKUP_NO_NUMBERS, (int)a,
			     (int)b);
	pciids_jmp = NULL;
	/* libpci returns a marker string rather than truncating */
	if (!s || !*s || !strncmp(s, "<pci_lookup_name", 16))
		return NULL;
	return strdup(s);
}

char *pciids_vendor(struct pciids *ids, uint32_t vendor)
{
	return lookup(ids, PCI_LOOKUP_VENDOR, vendor & 0xffff, 0);
}

char *pciids_device(struct pciids *ids, uint32_t vendor, uint32_t device)
{
	return lookup(ids, PCI_LOOKUP_DEVICE, vendor & 0xffff, device & 0xffff);
}

char *pciids_class(struct pciids *ids, uint32_t class_code)
{
	return lookup(ids, PCI_LOOKUP_CLASS, (class_code >> 8) & 0xffff, 0);
}
