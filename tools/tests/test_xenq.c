// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_xenq.c - Xen's quarantine without Xen: which libxenctrl is loaded
 * (soname versions, ld.so's directories, the order tried), PCI addresses
 * as Xen's SBDF (domains above ffff refused), dom0 detection, and
 * xenq_open/enter/leave against tests/fake_xenctrl.c ($FAKE_XENCTRL,
 * which "make check" builds and sets), all in a fixture root.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "xenlib.h"
#include "xenq.h"

static char root[PATH_MAX];

static void put(const char *rel, const char *text)
{
	unit_put(root, rel, text);
}

static void link_at(const char *rel, const char *target)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (symlink(target, path))
		unit_fail(__FILE__, __LINE__, "symlink %s: %m", path);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	return ftw->level ? remove(path) : 0;
}

/* A fresh, empty fixture root. */
static void fixture_reset(void)
{
	if (root[0] && nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS))
		unit_fail(__FILE__, __LINE__, "cannot empty %s", root);
}

/* @rel under the root, as xenlib returns paths; static. */
static const char *at(const char *rel)
{
	static char buf[PATH_MAX * 2];

	snprintf(buf, sizeof(buf), "%s%s", root, rel);
	return buf;
}

/* --- soname versions ---------------------------------------------------- */

static void versions(void)
{
	static const char *const bad[] = {
		"libxenctrl.so.", "libxenctrl.so.4.", "libxenctrl.so..4",
		"libxenctrl.so.4.x", "libxenctrl.so.4.17.debug",
		"libxenctrl.so.4-17", "libxenctrl.so.1234567890",
		"libxenctrl.so.1.2.3.4.5.6.7.8.9", "libxenctrl.sox",
		"libxenctrl.a", "libxenctrlx.so.4.17", "libxenguest.so.4.17",
		"xlibxenctrl.so.4.17", "",
	};
	/* oldest to newest */
	static const char *const order[] = {
		"libxenctrl.so", "libxenctrl.so.3", "libxenctrl.so.4",
		"libxenctrl.so.4.9", "libxenctrl.so.4.10", "libxenctrl.so.4.17",
		"libxenctrl.so.4.17.0", "libxenctrl.so.4.17.1",
		"libxenctrl.so.4.20", "libxenctrl.so.4.21", "libxenctrl.so.5.0",
		"libxenctrl.so.10", "libxenctrl.so.123456789",
	};
	struct xenlib_version a, b;
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (xenlib_parse(bad[i], &a) != -EINVAL)
			unit_fail(__FILE__, __LINE__, "%s accepted", bad[i]);
	CHECK_INT(xenlib_parse("libxenctrl.so.4.17.0", &a), 0);
	CHECK_INT(a.n, 3);
	CHECK(a.num[0] == 4 && a.num[1] == 17 && a.num[2] == 0);
	CHECK_INT(xenlib_parse("libxenctrl.so", &a), 0);
	CHECK_INT(a.n, 0);
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		for (j = 0; j < ARRAY_SIZE(order); j++) {
			int want = (i > j) - (i < j), got;

			CHECK_INT(xenlib_parse(order[i], &a), 0);
			CHECK_INT(xenlib_parse(order[j], &b), 0);
			got = xenlib_cmp(&a, &b);
			got = (got > 0) - (got < 0);
			if (got != want)
				unit_fail(__FILE__, __LINE__,
					  "%s vs %s: %d, expected %d",
					  order[i], order[j], got, want);
		}
	}
}

/* --- ld.so's directories ------------------------------------------------ */

static void check_list(const struct xenlib_list *l,
		       const char *const *want, size_t n, int line)
{
	size_t i;

	if (l->n != n)
		unit_fail(__FILE__, line, "%zu entries, expected %zu", l->n, n);
	for (i = 0; i < l->n && i < n; i++)
		if (strcmp(l->s[i], want[i]))
			unit_fail(__FILE__, line, "[%zu] is %s, expected %s",
				  i, l->s[i], want[i]);
}

static void dirs(void)
{
	static const char *const want[] = {
		"/ld/one", "/ld/two", "/opt/xen/lib", "/usr/local/lib",
		"/usr/lib/other-triplet", "/deep", "/from/relative",
	};
	static const char *const builtin[] = {
		"/lib/" XENLIB_MULTIARCH, "/usr/lib/" XENLIB_MULTIARCH,
		"/lib64", "/usr/lib64", "/lib", "/usr/lib",
	};
	const char *all[ARRAY_SIZE(want) + ARRAY_SIZE(builtin)];
	struct xenlib_list l = { 0 };
	size_t n = 0, i;

	fixture_reset();
	put("etc/ld.so.conf",
	    "# ld.so.conf, as ldconfig reads it\n"
	    "  /opt/xen/lib//   # trailing slashes and a comment\n"
	    "include /etc/ld.so.conf.d/*.conf\n"
	    "hwcap 0 nosegneg\n"
	    "relative/dir\n"
	    "\n"
	    "include\tsub/*.conf  /etc/nothing/*.conf\n"
	    "/ld/one\n");
	put("etc/ld.so.conf.d/a.conf", "/usr/local/lib\n");
	put("etc/ld.so.conf.d/b.conf", "/usr/lib/other-triplet\n"
	    "include ../deep.conf\n");
	put("etc/deep.conf", "/deep\ninclude ld.so.conf\n");	/* a loop */
	put("etc/sub/c.conf", "/from/relative\n");
	CHECK_INT(xenlib_dirs(root, "/ld/one:/ld/two/;rel::/ld/one", &l), 0);
	for (i = 0; i < ARRAY_SIZE(want); i++)
		all[n++] = want[i];
	for (i = XENLIB_MULTIARCH[0] ? 0 : 2; i < ARRAY_SIZE(builtin); i++)
		all[n++] = builtin[i];
	check_list(&l, all, n, __LINE__);
	xenlib_list_free(&l);

	/* no ld.so.conf, no LD_LIBRARY_PATH: the built-in ones */
	fixture_reset();
	CHECK_INT(xenlib_dirs(root, NULL, &l), 0);
	check_list(&l, all + ARRAY_SIZE(want), n - ARRAY_SIZE(want),
		   __LINE__);
	xenlib_list_free(&l);
}

/* --- the order libxenctrl files are tried in --------------------------- */

static void find_order(void)
{
	static const char *const dirlist[] = {
		"/usr/local/lib", "/lib/triplet", "/usr/lib/triplet",
		"/missing",
	};
	struct xenlib_list d = { (size_t)ARRAY_SIZE(dirlist),
				 (char **)dirlist };
	const char *want[5];
	struct xenlib_list l = { 0 };
	char target[PATH_MAX * 2];
	size_t i;

	fixture_reset();
	/* Debian's layout: the real file, the soname link, the -dev link */
	put("usr/lib/triplet/libxenctrl.so.4.17.0", "");
	link_at("usr/lib/triplet/libxenctrl.so.4.17", "libxenctrl.so.4.17.0");
	link_at("usr/lib/triplet/libxenctrl.so", "libxenctrl.so.4.17");
	put("usr/lib/triplet/libxenctrl.so.4.9", "");
	put("usr/lib/triplet/libxenctrl.so.4.20", "");
	put("usr/lib/triplet/libxenctrl.so.4.17.0.debug", "");
	put("usr/lib/triplet/libxenguest.so.4.21", "");
	link_at("usr/lib/triplet/libxenctrl.so.4.30", "gone");	/* dangling */
	mkdir(at("/usr/lib/triplet/libxenctrl.so.4.40"), 0755);
	/* a Xen built from source, newer, and an older copy elsewhere */
	put("usr/local/lib/libxenctrl.so.4.21.0", "");
	put("usr/local/lib/libxenctrl.so.4.9", "");
	/* merged /usr: /lib/triplet is /usr/lib/triplet */
	snprintf(target, sizeof(target), "%s/usr/lib/triplet", root);
	mkdir(at("/lib"), 0755);
	link_at("lib/triplet", target);

	CHECK_INT(xenlib_find(root, &d, &l), 0);
	want[0] = strdup(at("/usr/local/lib/libxenctrl.so.4.21.0"));
	want[1] = strdup(at("/lib/triplet/libxenctrl.so.4.20"));
	want[2] = strdup(at("/lib/triplet/libxenctrl.so.4.17.0"));
	want[3] = strdup(at("/usr/local/lib/libxenctrl.so.4.9"));
	want[4] = strdup(at("/lib/triplet/libxenctrl.so.4.9"));
	check_list(&l, want, ARRAY_SIZE(want), __LINE__);
	xenlib_list_free(&l);
	for (i = 0; i < ARRAY_SIZE(want); i++)
		free((char *)want[i]);

	/* only the -dev link's file: the plain name */
	fixture_reset();
	put("usr/local/lib/libxenctrl.so", "");
	CHECK_INT(xenlib_find(root, &d, &l), 0);
	CHECK_INT(l.n, 1);
	if (l.n)
		CHECK_STR(l.s[0], at("/usr/local/lib/libxenctrl.so"));
	xenlib_list_free(&l);

	fixture_reset();
	CHECK_INT(xenlib_find(root, &d, &l), 0);
	CHECK_INT(l.n, 0);
}

/* --- SBDF ---------------------------------------------------------------- */

static void sbdf(void)
{
	static const struct {
		const char *bdf;
		int ret;
		uint32_t sbdf;
	} cases[] = {
		{ "0000:03:00.1", 0, 0x00000301 },
		{ "03:00.0", 0, 0x00000300 },
		{ "0000:00:1f.7", 0, 0x000000ff },
		{ "abcd:ff:1f.7", 0, 0xabcdffff },
		{ "ffff:00:00.0", 0, 0xffff0000 },
		{ "FFFF:0A:02.3", 0, 0xffff0a13 },
		/* VMD's domains, and Linux's largest */
		{ "10000:00:00.0", -ERANGE, 0 },
		{ "10000:e1:00.0", -ERANGE, 0 },
		{ "ffffffff:ff:1f.7", -ERANGE, 0 },
		{ "03:00.*", -EINVAL, 0 },
		{ "0000:03:20.0", -EINVAL, 0 },
		{ "0000:03:00.8", -EINVAL, 0 },
		{ "100000000:00:00.0", -EINVAL, 0 },
		{ "eth0", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
	};
	uint32_t got;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int ret;

		got = 0xdeadbeef;
		ret = xenq_sbdf(cases[i].bdf, &got);
		if (ret != cases[i].ret)
			unit_fail(__FILE__, __LINE__, "%s: %d, expected %d",
				  cases[i].bdf, ret, cases[i].ret);
		else if (!ret && got != cases[i].sbdf)
			unit_fail(__FILE__, __LINE__, "%s: %#x, expected %#x",
				  cases[i].bdf, got, cases[i].sbdf);
	}
	CHECK_INT(xenq_sbdf(NULL, &got), -EINVAL);
}

/* --- dom0 ------------------------------------------------------------------ */

#define FEATURES "sys/hypervisor/properties/features"
#define CAPS "proc/xen/capabilities"

static void dom0(void)
{
	fixture_reset();
	CHECK(!xenq_dom0(root));		/* not on Xen */
	put(CAPS, "\n");			/* a domU with xenfs */
	CHECK(!xenq_dom0(root));
	put(FEATURES, "000027f1\n");		/* XENFEAT_dom0 clear */
	CHECK(!xenq_dom0(root));
	put(FEATURES, "00000800\n");
	CHECK(xenq_dom0(root));
	put(FEATURES, "0000000100000800\n");	/* two submaps */
	CHECK(xenq_dom0(root));
	put(FEATURES, "0000080000000000\n");	/* bit 11 of submap 1 */
	CHECK(!xenq_dom0(root));
	put(FEATURES, "zz\n");
	CHECK(!xenq_dom0(root));
	/* no sys-hypervisor: xenfs's word for it */
	fixture_reset();
	put(CAPS, "control_d\n");
	CHECK(xenq_dom0(root));
	/* a Xen too old to set XENFEAT_dom0 for a PV dom0 */
	put(FEATURES, "00000001\n");
	CHECK(xenq_dom0(root));
}

/* --- xenq_open, enter, leave against the fake libxenctrl --------------- */

struct fake {
	void *lib;
	int *open_errno, *call_errno;
	unsigned int *opened, *closed, *calls, *nheld;
	uint32_t *domid, *sbdf, *flag;
};

static bool fake_get(struct fake *f, const char *path)
{
	f->lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!f->lib) {
		unit_fail(__FILE__, __LINE__, "%s", dlerror());
		return false;
	}
	f->open_errno = dlsym(f->lib, "fake_open_errno");
	f->call_errno = dlsym(f->lib, "fake_call_errno");
	f->opened = dlsym(f->lib, "fake_opened");
	f->closed = dlsym(f->lib, "fake_closed");
	f->calls = dlsym(f->lib, "fake_calls");
	f->nheld = dlsym(f->lib, "fake_nheld");
	f->domid = dlsym(f->lib, "fake_last_domid");
	f->sbdf = dlsym(f->lib, "fake_last_sbdf");
	f->flag = dlsym(f->lib, "fake_last_flag");
	if (f->open_errno && f->call_errno && f->opened && f->closed &&
	    f->calls && f->nheld && f->domid && f->sbdf && f->flag)
		return true;
	unit_fail(__FILE__, __LINE__, "%s lacks its state", path);
	dlclose(f->lib);
	return false;
}

static void quarantine(void)
{
	const char *env = getenv("FAKE_XENCTRL");
	char lib[PATH_MAX], why[512], err[256];
	unsigned int calls;
	struct fake f;
	struct xenq *q;

	if (!realpath(env ? env : "tests/fake-xenctrl.so", lib)) {
		unit_fail(__FILE__, __LINE__, "no fake libxenctrl (make check builds it)");
		return;
	}
	fixture_reset();
	mkdir(at("/usr"), 0755);
	mkdir(at("/usr/lib"), 0755);
	link_at("usr/lib/libxenctrl.so.4.99", lib);

	/* not a dom0: nothing done, nothing said */
	q = xenq_open(root, why, sizeof(why));
	CHECK(!q);
	CHECK_STR(why, "");

	put(FEATURES, "00000800\n");
	if (!fake_get(&f, lib))
		return;
	/* a newer one that does not load: the next one is used */
	put("usr/lib/libxenctrl.so.5.0", "not a library\n");
	q = xenq_open(root, why, sizeof(why));
	CHECK(q);
	CHECK_STR(why, "");
	CHECK_INT(*f.opened, 1);

	calls = *f.calls;
	CHECK_INT(xenq_enter(q, "0000:03:00.1", err, sizeof(err)), 0);
	CHECK_INT(*f.domid, 0x7ff1);		/* DOMID_IO */
	CHECK_INT(*f.sbdf, 0x301);
	CHECK_INT(*f.flag, 1);			/* RDM relaxed, as xl */
	CHECK_INT(*f.nheld, 1);
	CHECK_INT(xenq_leave(q, "0000:03:00.1", err, sizeof(err)), 1);
	CHECK_INT(*f.nheld, 0);
	CHECK_INT(xenq_leave(q, "0000:03:00.1", err, sizeof(err)), 0);
	CHECK_INT(*f.calls, calls + 3);

	/* a domain Xen cannot name: refused, never truncated */
	CHECK_INT(xenq_enter(q, "10000:01:00.0", err, sizeof(err)), -ERANGE);
	CHECK_CONTAINS(err, "above ffff");
	CHECK_INT(xenq_leave(q, "10000:01:00.0", err, sizeof(err)), 0);
	CHECK_INT(*f.calls, calls + 3);

	*f.call_errno = EPERM;
	CHECK_INT(xenq_enter(q, "0000:03:00.0", err, sizeof(err)), -EPERM);
	CHECK_STR(err, "xc_assign_device: Operation not permitted");
	*f.call_errno = EBUSY;
	CHECK_INT(xenq_leave(q, "0000:03:00.0", err, sizeof(err)), -EBUSY);
	CHECK_STR(err, "xc_deassign_device: Device or resource busy");
	xenq_close(q);
	CHECK_INT(*f.closed, 1);

	/* the control interface does not open: the reason */
	*f.open_errno = EACCES;
	q = xenq_open(root, why, sizeof(why));
	CHECK(!q);
	CHECK_CONTAINS(why, "libxenctrl.so.4.99: xc_interface_open: Permission denied");
	*f.open_errno = 0;
	dlclose(f.lib);

	/* none loads: the newest one's reason */
	unlink(at("/usr/lib/libxenctrl.so.4.99"));
	q = xenq_open(root, why, sizeof(why));
	CHECK(!q);
	CHECK_CONTAINS(why, "libxenctrl.so.5.0");

	/* none installed */
	unlink(at("/usr/lib/libxenctrl.so.5.0"));
	q = xenq_open(root, why, sizeof(why));
	CHECK(!q);
	CHECK_CONTAINS(why, "no libxenctrl");
}

void test_xenq(void)
{
	snprintf(root, sizeof(root), "%s/pcibackctl-xen-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(root)) {
		unit_fail(__FILE__, __LINE__, "mkdtemp: %m");
		root[0] = '\0';
		return;
	}
	unit_run("xenq: soname versions, 4.9 < 4.17 < 4.20 < 5.0", versions);
	unit_run("xenq: ld.so's directories, ld.so.conf and its includes",
		 dirs);
	unit_run("xenq: libxenctrl files newest first, each file once",
		 find_order);
	unit_run("xenq: PCI addresses as Xen's SBDF, domains above ffff refused",
		 sbdf);
	unit_run("xenq: dom0 from XENFEAT_dom0 or xenfs's capabilities",
		 dom0);
	unit_run("xenq: quarantine through the newest libxenctrl that loads",
		 quarantine);
	fixture_reset();
	rmdir(root);
}
