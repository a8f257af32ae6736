// SPDX-License-Identifier: GPL-2.0-only
/*
 * xlrec.c - libxl's record of a PCI function's driver (see xlrec.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "devname.h"
#include "util.h"
#include "xenstore.h"
#include "xlrec.h"

#define PROG "pcibackctl"
/* Room for a reason: a library path and dlerror()'s text, or a key. */
#define XLREC_WHY_MAX 512

int xlrec_path(const char *bdf, const char *node, char *buf, size_t len)
{
	struct devname_addr a;
	int n;

	if (!bdf || devname_parse(bdf, &a, NULL, 0) ||
	    a.fn == DEVNAME_FN_ANY || !node || !*node || strchr(node, '/'))
		return -EINVAL;
	/* PCI_INFO_PATH "/" PCI_BDF_XSPATH "/%s" of libxl_pci.c */
	n = snprintf(buf, len, XLREC_DIR "/%04x-%02x-%02x-%01x/%s", a.domain,
		     (unsigned int)a.bus, (unsigned int)a.dev, (unsigned int)a.fn,
		     node);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int xlrec_driver_path(const char *drv, char *buf, size_t len)
{
	int n;

	if (!drv || !*drv || strchr(drv, '/') || !strcmp(drv, ".") ||
	    !strcmp(drv, ".."))
		return -EINVAL;
	n = snprintf(buf, len, XLREC_DRIVERS "%s", drv);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int xlrec_driver_of(const char *value, char *drv, size_t len)
{
	size_t plen = strlen(XLREC_DRIVERS), n;
	const char *name;

	if (!value || strncmp(value, XLREC_DRIVERS, plen))
		return -EINVAL;
	name = value + plen;
	n = strcspn(name, "/");
	if (!n || (name[n] && strcmp(name + n, "/")) ||
	    (n == 1 && name[0] == '.') || (n == 2 && !strncmp(name, "..", 2)))
		return -EINVAL;
	if (n >= len || n >= XLREC_DRIVER_MAX)
		return -ENAMETOOLONG;
	memcpy(drv, name, n);
	drv[n] = '\0';
	return 0;
}

/*
 * xenstore, opened once per run when there is something to do.  In a dom0,
 * why it cannot be reached is said once; elsewhere nothing is.
 */
static struct xenstore *xs_get(const char *what)
{
	static struct xenstore *xs;
	static bool tried;
	char why[XLREC_WHY_MAX];

	if (tried)
		return xs;
	tried = true;
	xs = xenstore_open("", NULL, why, sizeof(why));
	if (!xs && why[0])
		fprintf(stderr, PROG ": warning: libxl's record of the driver %s: %s\n",
			what, why);
	return xs;
}

void xlrec_hidden(const struct pb_result *res, size_t n)
{
	char path[XLREC_PATH_MAX], val[PATH_MAX], err[XLREC_WHY_MAX];
	struct xenstore *xs;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!res[i].from_driver || !strcmp(res[i].from_driver, "pciback"))
			continue;
		xs = xs_get("not written");
		if (!xs)
			return;
		if (xlrec_path(res[i].name, "driver_path", path, sizeof(path)) ||
		    xlrec_driver_path(res[i].from_driver, val, sizeof(val))) {
			fprintf(stderr, PROG ": warning: %s: no xenstore key for driver %s\n",
				res[i].name, res[i].from_driver);
			continue;
		}
		if (xenstore_write(xs, path, val, err, sizeof(err)))
			fprintf(stderr, PROG ": warning: %s: libxl's record of the driver not written: %s\n",
				res[i].name, err);
	}
}

/* Whether a PCI driver @drv is registered: its directory under @sysfs. */
static bool driver_loaded(const char *sysfs, const char *drv)
{
	char path[PATH_MAX];
	struct stat st;

	if ((size_t)snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s",
			     sysfs, drv) >= sizeof(path))
		return false;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

const char **xlrec_fallbacks(const char *sysfs, const char *const *names,
			     size_t n)
{
	char path[XLREC_PATH_MAX], val[PATH_MAX], err[XLREC_WHY_MAX];
	struct xenstore *xs = NULL;
	char (*drv)[XLREC_DRIVER_MAX];
	const char **out;
	bool any = false;
	size_t i;
	int ret;

	out = calloc(n ? n : 1, sizeof(*out) + XLREC_DRIVER_MAX);
	if (!out)
		return NULL;
	drv = (char (*)[XLREC_DRIVER_MAX])(out + n);
	for (i = 0; i < n; i++) {
		if (!xs)
			xs = xs_get("not read");
		if (!xs)
			break;
		if (xlrec_path(names[i], "driver_path", path, sizeof(path)))
			continue;
		ret = xenstore_read(xs, path, val, sizeof(val), err, sizeof(err));
		if (ret == -ENOENT)
			continue;
		if (ret) {
			fprintf(stderr, PROG ": warning: %s: libxl's record of the driver not read: %s\n",
				names[i], err);
			continue;
		}
		if (xlrec_driver_of(val, drv[i], XLREC_DRIVER_MAX) ||
		    !strcmp(drv[i], "pciback")) {
			fprintf(stderr, PROG ": warning: %s: libxl's record of the driver, %s = \"%.256s\", names no PCI driver; not used\n",
				names[i], path, val);
			continue;
		}
		if (!driver_loaded(sysfs, drv[i])) {
			fprintf(stderr, PROG ": warning: %s: libxl's record names driver %s, which is not loaded; not used\n",
				names[i], drv[i]);
			continue;
		}
		out[i] = drv[i];
		any = true;
	}
	if (!any) {
		free(out);
		return NULL;
	}
	return out;
}

void xlrec_unhidden(const struct pb_result *res, size_t n)
{
	static const char *const nodes[] = { "driver_path", "name" };
	char path[XLREC_PATH_MAX], err[XLREC_WHY_MAX];
	struct xenstore *xs;
	size_t i, j;

	for (i = 0; i < n; i++) {
		xs = xs_get("not removed");
		if (!xs)
			return;
		for (j = 0; j < ARRAY_SIZE(nodes); j++) {
			if (xlrec_path(res[i].name, nodes[j], path, sizeof(path)))
				continue;
			if (xenstore_rm(xs, path, err, sizeof(err)))
				fprintf(stderr, PROG ": warning: %s: %s\n",
					res[i].name, err);
		}
	}
}
