// SPDX-License-Identifier: GPL-2.0-only
/*
 * inuse.c - PCI functions holding mounts and swap (see inuse.h).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "devname.h"
#include "inuse.h"

/* dm on md on a partition: deeper stacks are not followed. */
#define INUSE_DEPTH_MAX 8

const char *inuse_find(const struct inuse *u, const char *name)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		if (!strcmp(u->fn[i].name, name))
			return u->fn[i].what;
	return NULL;
}

static void inuse_add(struct inuse *u, const char *name, const char *what)
{
	char *p;

	if (inuse_find(u, name) || u->n == INUSE_MAX)
		return;
	snprintf(u->fn[u->n].name, sizeof(u->fn[u->n].name), "%s", name);
	snprintf(u->fn[u->n].what, sizeof(u->fn[u->n].what), "%s", what);
	for (p = u->fn[u->n].what; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	u->n++;
}

/* The last PCI function ("DDDD:BB:DD.F") among the elements of @real. */
static bool last_pci_fn(const char *real, char *name, size_t len)
{
	char buf[PATH_MAX], *p, *save = NULL;
	struct devname_addr a;
	bool found = false;

	snprintf(buf, sizeof(buf), "%s", real);
	for (p = strtok_r(buf, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (strlen(p) < 12 || devname_parse(p, &a, NULL, 0) ||
		    a.fn == DEVNAME_FN_ANY)
			continue;
		/* only full addresses: "0000:00:04.0", not "04.0" */
		if (!strchr(p, ':') || strchr(p, ':') == strrchr(p, ':'))
			continue;
		snprintf(name, len, "%s", p);
		found = true;
	}
	return found;
}

/* The block device at sysfs directory @dir and everything below it. */
static void inuse_block(struct inuse *u, const char *dir, const char *what,
			int depth)
{
	char real[PATH_MAX], sub[PATH_MAX], name[PCIBACK_DEV_NAME_MAX];
	struct dirent *e;
	DIR *dp;

	if (depth > INUSE_DEPTH_MAX || !realpath(dir, real))
		return;
	if (last_pci_fn(real, name, sizeof(name)))
		inuse_add(u, name, what);
	if (snprintf(sub, sizeof(sub), "%s/slaves", real) >= (int)sizeof(sub))
		return;
	dp = opendir(sub);
	if (!dp)
		return;
	while ((e = readdir(dp))) {
		char lower[PATH_MAX];

		if (e->d_name[0] == '.' ||
		    snprintf(lower, sizeof(lower), "%s/%s", sub, e->d_name) >=
		    (int)sizeof(lower))
			continue;
		inuse_block(u, lower, what, depth + 1);
	}
	closedir(dp);
}

static void inuse_dev(struct inuse *u, const char *sysfs, unsigned int maj,
		      unsigned int min, const char *what)
{
	char dir[PATH_MAX];

	if (!maj)
		return;		/* no block device: tmpfs, nfs, btrfs subvolume... */
	if (snprintf(dir, sizeof(dir), "%s/dev/block/%u:%u", sysfs, maj, min) <
	    (int)sizeof(dir))
		inuse_block(u, dir, what, 0);
}

/* "/mnt/a\040b" as mountinfo writes it: the escapes stay, it is only shown. */
static void read_mounts(struct inuse *u, const char *sysfs, FILE *f)
{
	char line[4096 + 256], what[INUSE_WHAT_MAX];
	unsigned int maj, min;
	char mnt[4096];

	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &maj, &min, mnt) != 3)
			continue;
		snprintf(what, sizeof(what), "%.80s (mounted)", mnt);
		inuse_dev(u, sysfs, maj, min, what);
	}
}

static void read_swaps(struct inuse *u, const char *sysfs, FILE *f)
{
	char line[4096 + 256], what[INUSE_WHAT_MAX], path[4096], type[32];
	struct stat st;

	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%4095s %31s", path, type) != 2 || path[0] != '/' ||
		    stat(path, &st))
			continue;
		snprintf(what, sizeof(what), "swap %.80s", path);
		if (!strcmp(type, "partition") && S_ISBLK(st.st_mode))
			inuse_dev(u, sysfs, major(st.st_rdev), minor(st.st_rdev), what);
		else
			inuse_dev(u, sysfs, major(st.st_dev), minor(st.st_dev), what);
	}
}

int inuse_read(struct inuse *u, const char *sysfs, const char *proc)
{
	char path[PATH_MAX];
	FILE *f;

	memset(u, 0, sizeof(*u));
	snprintf(path, sizeof(path), "%s/self/mountinfo", proc);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	read_mounts(u, sysfs, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/swaps", proc);
	f = fopen(path, "re");
	if (f) {
		read_swaps(u, sysfs, f);
		fclose(f);
	}
	return 0;
}
