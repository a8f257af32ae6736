// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenq.c - Xen's PCI quarantine through libxenctrl, loaded at run time.
 *
 * The few declarations below are libxenctrl's and xentoollog's stable API
 * (xenctrl.h, xentoollog.h of Xen 4.x), restated so the tool needs neither
 * libxen-dev to build nor the library to run.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devname.h"
#include "util.h"
#include "xenlib.h"
#include "xenq.h"

#define XENQ_DOMID_IO	0x7FF1U		/* xen/include/public/xen.h */
#define XENQ_FEAT_DOM0	11		/* XENFEAT_dom0, public/features.h */
/*
 * XEN_DOMCTL_DEV_RDM_RELAXED (public/domctl.h), as libxl passes it for
 * DOMID_IO: dom_io maps no memory, so the strict policy would only refuse
 * functions that share an RMRR (USB controllers, on many Intel boards)
 * with EPERM.
 */
#define XENQ_RDM_RELAXED 1U

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

/*
 * The first line of @path under @root, trailing space dropped, into @buf.
 * Return: 0, or -1 when absent, unreadable or longer than @len - 1.
 */
static int read_line(const char *root, const char *path, char *buf,
		     size_t len)
{
	char name[256];
	size_t n;
	FILE *f;

	if ((size_t)snprintf(name, sizeof(name), "%s%s", root, path) >=
	    sizeof(name))
		return -1;
	f = fopen(name, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, len, f);
	fclose(f);
	if (n == len)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	n = strlen(buf);
	while (n && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return 0;
}

/*
 * Linux prints the feature submaps as 8 hex digits each, the last one
 * first: submap 0, where XENFEAT_dom0 is, is the last 8 digits.
 */
static bool features_dom0(const char *s)
{
	size_t n = strlen(s);

	if (!n || strspn(s, "0123456789abcdefABCDEF") != n)
		return false;
	return strtoul(s + (n > 8 ? n - 8 : 0), NULL, 16) &
	       (1UL << XENQ_FEAT_DOM0);
}

bool xenq_dom0(const char *root)
{
	char buf[256];

	if (!read_line(root, "/sys/hypervisor/properties/features", buf,
		       sizeof(buf)) && features_dom0(buf))
		return true;
	return !read_line(root, "/proc/xen/capabilities", buf, sizeof(buf)) &&
	       strstr(buf, "control_d");
}

int xenq_sbdf(const char *bdf, uint32_t *sbdf)
{
	struct devname_addr a;

	if (!bdf || devname_parse(bdf, &a, NULL, 0) ||
	    a.fn == DEVNAME_FN_ANY)
		return -EINVAL;
	if (a.domain > 0xffff)
		return -ERANGE;
	*sbdf = a.domain << 16 | (uint32_t)a.bus << 8 |
		(uint32_t)a.dev << 3 | a.fn;
	return 0;
}

struct xenq *xenq_open(const char *root, char *why, size_t whylen)
{
	static const char *const names[] = {
		"xc_interface_open", "xc_interface_close", "xc_assign_device",
		"xc_deassign_device",
	};
	char path[PATH_MAX];
	struct xenq *q;
	int err;

	xenlib_say(why, whylen, "%s", "");
	if (!xenq_dom0(root))
		return NULL;
	q = calloc(1, sizeof(*q));
	if (!q) {
		xenlib_say(why, whylen, "out of memory");
		return NULL;
	}
	{
		void **const fns[] = {
			(void **)&q->open, (void **)&q->close,
			(void **)&q->assign, (void **)&q->deassign,
		};

		q->lib = xenlib_open(root, "libxenctrl.so", names, fns,
				     ARRAY_SIZE(names), path, sizeof(path),
				     why, whylen);
	}
	if (!q->lib)
		goto fail;
	q->log.vmessage = quiet_vmessage;
	q->log.progress = quiet_progress;
	q->log.destroy = quiet_destroy;
	errno = 0;
	q->xch = q->open(&q->log, &q->log, 0);
	if (!q->xch) {
		err = errno;
		xenlib_say(why, whylen, "%s: xc_interface_open: %s", path,
			   err ? strerror(err) : "failed");
		goto fail;
	}
	xenlib_say(why, whylen, "%s", "");
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

/* The address as Xen's SBDF, or a negative errno with @err saying why. */
static int sbdf_of(const char *bdf, uint32_t *sbdf, char *err, size_t errlen)
{
	int ret = xenq_sbdf(bdf, sbdf);

	if (ret == -ERANGE)
		xenlib_say(err, errlen,
			   "its PCI domain is above ffff, and Xen's device addresses have 16 bits for it");
	else if (ret)
		xenlib_say(err, errlen, "not a PCI address");
	return ret;
}

int xenq_enter(struct xenq *q, const char *bdf, char *err, size_t errlen)
{
	uint32_t sbdf;
	int ret = sbdf_of(bdf, &sbdf, err, errlen);

	if (ret)
		return ret;
	errno = 0;
	if (!q->assign(q->xch, XENQ_DOMID_IO, sbdf, XENQ_RDM_RELAXED))
		return 0;
	ret = errno ? errno : EIO;
	xenlib_say(err, errlen, "xc_assign_device: %s", strerror(ret));
	return -ret;
}

int xenq_leave(struct xenq *q, const char *bdf, char *err, size_t errlen)
{
	uint32_t sbdf;
	int ret = sbdf_of(bdf, &sbdf, err, errlen);

	if (ret == -ERANGE)
		return 0;	/* Xen cannot hold what it cannot name */
	if (ret)
		return ret;
	errno = 0;
	if (!q->deassign(q->xch, XENQ_DOMID_IO, sbdf))
		return 1;
	/* Xen: "no such device in dom_io", i.e. not quarantined */
	if (errno == ENODEV)
		return 0;
	ret = errno ? errno : EIO;
	xenlib_say(err, errlen, "xc_deassign_device: %s", strerror(ret));
	return -ret;
}
