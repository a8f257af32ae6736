// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenq.c - Xen's PCI quarantine through libxenctrl, loaded at run time.
 *
 * The few declarations below are libxenctrl's and xentoollog's stable API
 * (xenctrl.h, xentoollog.h of Xen 4.x), restated so the tool needs neither
 * libxen-dev to build nor the library to run.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xenq.h"

#define XENQ_DOMID_IO	0x7FF1U		/* xen/include/public/xen.h */

struct xtl_logger {		/* struct xentoollog_logger */
	void (*vmessage)(struct xtl_logger *l, int level, int errnoval,
			 const char *context, const char *format, va_list al);
	void (*progress)(struct xtl_logger *l, const char *context,
			 const char *doing_what, int percent,
			 unsigned long done, unsigned long total);
	void (*destroy)(struct xtl_logger *l);
};

struct xenq {
	void *lib;
	void *xch;
	struct xtl_logger log;
	void *(*open)(struct xtl_logger *logger, struct xtl_logger *dombuild_logger,
		      unsigned int open_flags);
	int (*close)(void *xch);
	int (*assign)(void *xch, uint32_t domid, uint32_t sbdf, uint32_t flag);
	int (*deassign)(void *xch, uint32_t domid, uint32_t sbdf);
};

/* libxenctrl logs what fails; the caller reports what matters. */
static void quiet_vmessage(struct xtl_logger *l, int level, int errnoval,
			   const char *context, const char *format, va_list al)
{
	(void)l, (void)level, (void)errnoval, (void)context, (void)format;
	(void)al;
}

static void quiet_progress(struct xtl_logger *l, const char *context,
			   const char *doing_what, int percent,
			   unsigned long done, unsigned long total)
{
	(void)l, (void)context, (void)doing_what, (void)percent, (void)done;
	(void)total;
}

static void quiet_destroy(struct xtl_logger *l)
{
	(void)l;
}

long xenq_sbdf(const char *bdf)
{
	unsigned int dom, bus, dev, fn;
	char end;

	if (!bdf || strlen(bdf) != 12 ||
	    sscanf(bdf, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &end) != 4 ||
	    dev > 0x1f || fn > 7)
		return -1;
	return (long)(dom << 16 | bus << 8 | dev << 3 | fn);
}

struct xenq *xenq_open(void)
{
	static const char *const names[] = {
		"libxenctrl.so", "libxenctrl.so.4.17", "libxenctrl.so.4.18",
		"libxenctrl.so.4.19", "libxenctrl.so.4.20", "libxenctrl.so.4.16",
	};
	struct xenq *q;
	size_t i;

	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(names) && !q->lib; i++)
		q->lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!q->lib)
		goto fail;
	*(void **)&q->open = dlsym(q->lib, "xc_interface_open");
	*(void **)&q->close = dlsym(q->lib, "xc_interface_close");
	*(void **)&q->assign = dlsym(q->lib, "xc_assign_device");
	*(void **)&q->deassign = dlsym(q->lib, "xc_deassign_device");
	if (!q->open || !q->close || !q->assign || !q->deassign)
		goto fail;
	q->log.vmessage = quiet_vmessage;
	q->log.progress = quiet_progress;
	q->log.destroy = quiet_destroy;
	q->xch = q->open(&q->log, &q->log, 0);
	if (!q->xch)
		goto fail;
	return q;
fail:
	xenq_close(q);
	return NULL;
}

void xenq_close(struct xenq *q)
{
	if (!q)
		return;
	if (q->xch)
		q->close(q->xch);
	if (q->lib)
		dlclose(q->lib);
	free(q);
}

int xenq_enter(struct xenq *q, const char *bdf)
{
	long sbdf = xenq_sbdf(bdf);

	if (sbdf < 0)
		return -EINVAL;
	if (q->assign(q->xch, XENQ_DOMID_IO, (uint32_t)sbdf, 0))
		return errno ? -errno : -EIO;
	return 0;
}

int xenq_leave(struct xenq *q, const char *bdf)
{
	long sbdf = xenq_sbdf(bdf);

	if (sbdf < 0)
		return -EINVAL;
	if (!q->deassign(q->xch, XENQ_DOMID_IO, (uint32_t)sbdf))
		return 1;
	/* Xen: "no such device in dom_io", i.e. not quarantined */
	if (errno == ENODEV)
		return 0;
	return errno ? -errno : -EIO;
}
