// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_pciids.c - names through libpci from an ID file written here: found,
 * unknown, and no file or a broken one (libpci's error hook exits by
 * default; ours must not); libpci's cache of DNS names left out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pciids.h"
#include "unit.h"

static char dir[64];

static void write_file(const char *name, const char *text, char *path,
		       size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		unit_fail(__FILE__, __LINE__, "cannot write %s", path);
}

static void check_name(char *got, const char *expected, int line)
{
	if (expected && (!got || strcmp(got, expected)))
		unit_fail(__FILE__, line, "got %s, expected \"%s\"",
			  got ? unit_quote(got) : "NULL", expected);
	if (!expected && got)
		unit_fail(__FILE__, line, "got %s, expected NULL",
			  unit_quote(got));
	free(got);
}

#define NAME(got, expected) check_name(got, expected, __LINE__)

static void lookups(void)
{
	char path[128];
	struct pciids *ids;

	write_file("pci.ids",
		   "# a few lines in pci.ids format\n"
		   "8086  Intel Corporation\n"
		   "\t10d3  82574L Gigabit Network Connection\n"
		   "1af4  Red Hat, Inc.\n"
		   "C 02  Network controller\n"
		   "\t00  Ethernet controller\n"
		   "C 06  Bridge\n"
		   "\t04  PCI bridge\n", path, sizeof(path));
	ids = pciids_open(path);
	CHECK(ids);
	NAME(pciids_vendor(ids, 0x8086), "Intel Corporation");
	NAME(pciids_device(ids, 0x8086, 0x10d3),
	     "82574L Gigabit Network Connection");
	NAME(pciids_class(ids, 0x020000), "Ethernet controller");
	NAME(pciids_class(ids, 0x060400), "PCI bridge");
	NAME(pciids_vendor(ids, 0x1234), NULL);
	NAME(pciids_device(ids, 0x8086, 0xffff), NULL);
	NAME(pciids_device(ids, 0x1af4, 0x1041), NULL);
	NAME(pciids_class(ids, 0xff0000), NULL);
	pciids_close(ids);
}

static void no_file(void)
{
	char path[128];
	struct pciids *ids;

	snprintf(path, sizeof(path), "%s/missing.ids", dir);
	ids = pciids_open(path);
	CHECK(ids);
	NAME(pciids_vendor(ids, 0x8086), NULL);
	NAME(pciids_class(ids, 0x020000), NULL);
	pciids_close(ids);
	NAME(pciids_vendor(NULL, 0x8086), NULL);
}

static void broken_file(void)
{
	char path[128];
	struct pciids *ids;

	write_file("broken.ids", "8086  Intel Corporation\nzzzz not an id\n",
		   path, sizeof(path));
	ids = pciids_open(path);
	CHECK(ids);
	NAME(pciids_vendor(ids, 0x8086), NULL);	/* and we are still here */
	NAME(pciids_device(ids, 0x8086, 0x10d3), NULL);
	pciids_close(ids);
}

/*
 * libpci 3.11 and later keep names fetched over DNS in
 * $XDG_CACHE_HOME/pci-ids and, left to their default, consult it for IDs
 * the list lacks (and leak its path).  The ID file is the only source.
 */
static void no_dns_cache(void)
{
	const char *old = getenv("XDG_CACHE_HOME");
	char *saved = old ? strdup(old) : NULL;
	char path[128], cache[128];
	struct pciids *ids;

	snprintf(cache, sizeof(cache), "%s/pci-ids", dir);
	write_file("pci-ids", "#PCI-CACHE-1.0\n1 1234 0 0 0 Cached Vendor\n",
		   path, sizeof(path));
	write_file("pci.ids", "8086  Intel Corporation\n", path, sizeof(path));
	setenv("XDG_CACHE_HOME", dir, 1);
	ids = pciids_open(path);
	CHECK(ids);
	NAME(pciids_vendor(ids, 0x8086), "Intel Corporation");
	NAME(pciids_vendor(ids, 0x1234), NULL);
	pciids_close(ids);
	if (saved)
		setenv("XDG_CACHE_HOME", saved, 1);
	else
		unsetenv("XDG_CACHE_HOME");
	free(saved);
	unlink(cache);
}

void test_pciids(void)
{
	char path[128];

	snprintf(dir, sizeof(dir), "%s/pcibackctl-ids-XXXXXX",
		 getenv("TMPDIR") && strlen(getenv("TMPDIR")) < 32 ?
		 getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		unit_fail(__FILE__, __LINE__, "mkdtemp failed");
		return;
	}
	unit_run("pciids: names from the ID file, NULL when unknown", lookups);
	unit_run("pciids: no ID file means no names, not a failure", no_file);
	unit_run("pciids: a broken ID file does not end the program",
		 broken_file);
	unit_run("pciids: libpci's DNS name cache is not consulted",
		 no_dns_cache);
	snprintf(path, sizeof(path), "%s/pci.ids", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/broken.ids", dir);
	unlink(path);
	rmdir(dir);
}
