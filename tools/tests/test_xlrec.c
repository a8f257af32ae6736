// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_xlrec.c - libxl's record of a function's driver without Xen: the
 * xenstore paths and values as libxl_pci.c makes them, their parsing,
 * libxenstore's sonames, and xenstore_open/read/write/rm against
 * tests/fake_xenstore.c ($FAKE_XENSTORE, which "make check" builds and
 * sets) in a fixture root with a socket of its own.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "unit.h"
#include "xenlib.h"
#include "xenstore.h"
#include "xlrec.h"

#define FEATURES "sys/hypervisor/properties/features"

static char root[PATH_MAX];

/* --- paths and values --------------------------------------------------- */

static void paths(void)
{
	static const char *const bad_bdf[] = {
		"03:00.*", "eth0", "", "0000:03:00", "0000:03:20.0",
		"0000:03:00.8",
	};
	char buf[XLREC_PATH_MAX];
	size_t i;

	CHECK_INT(xlrec_path("0000:03:00.0", "driver_path", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/libxl/pci/0000-03-00-0/driver_path");
	CHECK_INT(xlrec_path("0a:1f.7", "name", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/libxl/pci/0000-0a-1f-7/name");
	CHECK_INT(xlrec_path("ABCD:FF:01.3", "domid", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/libxl/pci/abcd-ff-01-3/domid");
	/* libxl's %04x: a wider domain is printed whole */
	CHECK_INT(xlrec_path("10000:01:00.0", "driver_path", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/libxl/pci/10000-01-00-0/driver_path");
	CHECK_INT(xlrec_path("ffffffff:ff:1f.7", "driver_path", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/libxl/pci/ffffffff-ff-1f-7/driver_path");
	for (i = 0; i < ARRAY_SIZE(bad_bdf); i++)
		if (xlrec_path(bad_bdf[i], "driver_path", buf, sizeof(buf)) != -EINVAL)
			unit_fail(__FILE__, __LINE__, "%s accepted", bad_bdf[i]);
	CHECK_INT(xlrec_path(NULL, "driver_path", buf, sizeof(buf)), -EINVAL);
	CHECK_INT(xlrec_path("0000:03:00.0", "", buf, sizeof(buf)), -EINVAL);
	CHECK_INT(xlrec_path("0000:03:00.0", "a/b", buf, sizeof(buf)), -EINVAL);
	CHECK_INT(xlrec_path("0000:03:00.0", "driver_path", buf, 35),
		  -ENAMETOOLONG);
	CHECK_INT(xlrec_path("0000:03:00.0", "driver_path", buf, 36), 0);
}

static void values(void)
{
	static const char *const bad[] = {
		"", "/sys/bus/pci/drivers", "/sys/bus/pci/drivers/",
		"/sys/bus/pci/drivers//", "/sys/bus/pci/drivers/a/b",
		"/sys/bus/pci/drivers/e1000e//", "/sys/bus/usb/drivers/usb",
		"sys/bus/pci/drivers/e1000e", "/sys/bus/pci/drivers/.",
		"/sys/bus/pci/drivers/..", "/sys/bus/pci/drivers/../x",
		"/sys/bus/pci/driverse1000e", " /sys/bus/pci/drivers/e1000e",
	};
	char buf[PATH_MAX], drv[XLREC_DRIVER_MAX], long_name[80];
	size_t i;

	CHECK_INT(xlrec_driver_path("e1000e", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/sys/bus/pci/drivers/e1000e");
	CHECK_INT(xlrec_driver_of(buf, drv, sizeof(drv)), 0);
	CHECK_STR(drv, "e1000e");
	CHECK_INT(xlrec_driver_of("/sys/bus/pci/drivers/pci-stub/", drv,
				  sizeof(drv)), 0);
	CHECK_STR(drv, "pci-stub");
	CHECK_INT(xlrec_driver_of("/sys/bus/pci/drivers/ehci-pci", drv,
				  sizeof(drv)), 0);
	CHECK_STR(drv, "ehci-pci");
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (xlrec_driver_of(bad[i], drv, sizeof(drv)) != -EINVAL)
			unit_fail(__FILE__, __LINE__, "%s accepted", bad[i]);
	CHECK_INT(xlrec_driver_of(NULL, drv, sizeof(drv)), -EINVAL);
	CHECK_INT(xlrec_driver_of("/sys/bus/pci/drivers/e1000e", drv, 6),
		  -ENAMETOOLONG);
	memset(long_name, 'a', sizeof(long_name));
	snprintf(buf, sizeof(buf), "/sys/bus/pci/drivers/%.*s",
		 XLREC_DRIVER_MAX, long_name);
	CHECK_INT(xlrec_driver_of(buf, drv, sizeof(drv)), -ENAMETOOLONG);
	snprintf(buf, sizeof(buf), "/sys/bus/pci/drivers/%.*s",
		 XLREC_DRIVER_MAX - 1, long_name);
	CHECK_INT(xlrec_driver_of(buf, drv, sizeof(drv)), 0);
	CHECK_INT(strlen(drv), XLREC_DRIVER_MAX - 1);

	CHECK_INT(xlrec_driver_path("", buf, sizeof(buf)), -EINVAL);
	CHECK_INT(xlrec_driver_path("a/b", buf, sizeof(buf)), -EINVAL);
	CHECK_INT(xlrec_driver_path("..", buf, sizeof(buf)), -EINVAL);
	CHECK_INT(xlrec_driver_path(NULL, buf, sizeof(buf)), -EINVAL);
	CHECK_INT(xlrec_driver_path("e1000e", buf, 27), -ENAMETOOLONG);
	CHECK_INT(xlrec_driver_path("e1000e", buf, 28), 0);
}

static void sonames(void)
{
	struct xenlib_version v;

	CHECK_INT(xenlib_parse_named("libxenstore.so", "libxenstore.so.4.0", &v), 0);
	CHECK_INT(v.n, 2);
	CHECK(v.num[0] == 4 && v.num[1] == 0);
	CHECK_INT(xenlib_parse_named("libxenstore.so", "libxenstore.so.3.0", &v), 0);
	CHECK_INT(xenlib_parse_named("libxenstore.so", "libxenctrl.so.4.17", &v),
		  -EINVAL);
	CHECK_INT(xenlib_parse_named("libxenstore.so", "libxenstore.so.4.x", &v),
		  -EINVAL);
	/* libxenctrl's own parser still takes only libxenctrl */
	CHECK_INT(xenlib_parse("libxenstore.so.4", &v), -EINVAL);
}

/* --- xenstore_* against the fake libxenstore ---------------------------- */

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	return ftw->level ? remove(path) : 0;
}

static const char *at(const char *rel)
{
	static char buf[PATH_MAX * 2];

	snprintf(buf, sizeof(buf), "%s/%s", root, rel);
	return buf;
}

static void put(const char *rel, const char *text)
{
	unit_put(root, rel, text);
}

/* A listening AF_UNIX socket at @path (a fake xenstored's); the fd. */
static int listen_at(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path)) {
		unit_fail(__FILE__, __LINE__, "socket %s", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)) {
		unit_fail(__FILE__, __LINE__, "bind %s: %m", path);
		close(fd);
		return -1;
	}
	return fd;
}

static void store(void)
{
	const char *env = getenv("FAKE_XENSTORE");
	char lib[PATH_MAX], why[512], err[256], val[16], sock[PATH_MAX * 2];
	char *socket_name, *opened_path;
	int *open_errno, *call_errno, fd;
	unsigned int *opened, *closed;
	struct xenstore *xs;
	void *fake;

	if (!realpath(env ? env : "tests/fake-xenstore.so", lib)) {
		unit_fail(__FILE__, __LINE__, "no fake libxenstore (make check builds it)");
		return;
	}
	if (nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS))
		unit_fail(__FILE__, __LINE__, "cannot empty %s", root);

	/* not a dom0: nothing done, nothing said */
	xs = xenstore_open(root, NULL, why, sizeof(why));
	CHECK(!xs);
	CHECK_STR(why, "");

	put(FEATURES, "00000800\n");
	xs = xenstore_open(root, NULL, why, sizeof(why));
	CHECK(!xs);
	CHECK_CONTAINS(why, "no libxenstore");

	mkdir(at("usr"), 0755);
	mkdir(at("usr/lib"), 0755);
	if (symlink(lib, at("usr/lib/libxenstore.so.4.0"))) {
		unit_fail(__FILE__, __LINE__, "symlink: %m");
		return;
	}
	fake = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!fake) {
		unit_fail(__FILE__, __LINE__, "%s", dlerror());
		return;
	}
	open_errno = dlsym(fake, "fake_open_errno");
	call_errno = dlsym(fake, "fake_call_errno");
	opened = dlsym(fake, "fake_opened");
	closed = dlsym(fake, "fake_closed");
	socket_name = dlsym(fake, "fake_socket");
	opened_path = dlsym(fake, "fake_opened_path");
	if (!open_errno || !call_errno || !opened || !closed || !socket_name ||
	    !opened_path) {
		unit_fail(__FILE__, __LINE__, "%s lacks its state", lib);
		dlclose(fake);
		return;
	}

	/* libxenstore's socket is not there: xenstored is not running */
	if ((size_t)snprintf(sock, sizeof(sock), "%s", at("xs.sock")) >= 256) {
		unit_fail(__FILE__, __LINE__, "fixture path too long");
		goto out;
	}
	memcpy(socket_name, sock, strlen(sock) + 1);
	xs = xenstore_open(root, NULL, why, sizeof(why));
	CHECK(!xs);
	CHECK_CONTAINS(why, "xenstored is not running (no socket ");
	/* a file that is not a socket is not one either */
	put("xs.sock", "x\n");
	xs = xenstore_open(root, NULL, why, sizeof(why));
	CHECK(!xs);
	CHECK_CONTAINS(why, "xenstored is not running");
	unlink(at("xs.sock"));

	fd = listen_at(sock);
	if (fd < 0)
		goto out;
	unsetenv("XENSTORED_PATH");
	xs = xenstore_open(root, NULL, why, sizeof(why));
	CHECK(xs);
	CHECK_STR(why, "");
	CHECK_INT(*opened, 1);
	/* only the socket is tried, and the environment is as it was */
	CHECK_STR(opened_path, sock);
	CHECK(!getenv("XENSTORED_PATH"));
	if (!xs)
		goto out_fd;

	CHECK_INT(xenstore_read(xs, "/libxl/pci/0000-03-00-0/driver_path",
				val, sizeof(val), err, sizeof(err)), -ENOENT);
	CHECK_INT(xenstore_write(xs, "/libxl/pci/0000-03-00-0/driver_path",
				 "/sys/bus/pci/drivers/e1000e", err,
				 sizeof(err)), 0);
	/* 27 bytes do not fit in 16 */
	CHECK_INT(xenstore_read(xs, "/libxl/pci/0000-03-00-0/driver_path",
				val, sizeof(val), err, sizeof(err)), -E2BIG);
	CHECK_CONTAINS(err, "27 bytes");
	CHECK_STR(val, "");
	CHECK_INT(xenstore_write(xs, "/k", "e1000e", err, sizeof(err)), 0);
	CHECK_INT(xenstore_read(xs, "/k", val, sizeof(val), err, sizeof(err)), 0);
	CHECK_STR(val, "e1000e");
	CHECK_INT(xenstore_rm(xs, "/k", err, sizeof(err)), 0);
	CHECK_INT(xenstore_read(xs, "/k", val, sizeof(val), err, sizeof(err)),
		  -ENOENT);
	/* removing what is not there is no error */
	CHECK_INT(xenstore_rm(xs, "/k", err, sizeof(err)), 0);

	*call_errno = EACCES;
	CHECK_INT(xenstore_write(xs, "/k", "v", err, sizeof(err)), -EACCES);
	CHECK_STR(err, "xs_write /k: Permission denied");
	*call_errno = EIO;
	CHECK_INT(xenstore_read(xs, "/k", val, sizeof(val), err, sizeof(err)),
		  -EIO);
	CHECK_STR(err, "xs_read /k: Input/output error");
	*call_errno = EPERM;
	CHECK_INT(xenstore_rm(xs, "/k", err, sizeof(err)), -EPERM);
	CHECK_STR(err, "xs_rm /k: Operation not permitted");
	xenstore_close(xs);
	CHECK_INT(*closed, 1);

	/* a caller's own XENSTORED_PATH is given back */
	setenv("XENSTORED_PATH", "/elsewhere", 1);
	*open_errno = ECONNREFUSED;
	xs = xenstore_open(root, NULL, why, sizeof(why));
	CHECK(!xs);
	CHECK_CONTAINS(why, "cannot connect to xenstored at ");
	CHECK_CONTAINS(why, "Connection refused");
	CHECK_STR(getenv("XENSTORED_PATH"), "/elsewhere");
	unsetenv("XENSTORED_PATH");
	*open_errno = 0;
out_fd:
	close(fd);
	unlink(sock);
out:
	dlclose(fake);
}

void test_xlrec(void)
{
	snprintf(root, sizeof(root), "%s/pcibackctl-xs-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	unit_run("xlrec: libxl's xenstore paths, /libxl/pci/DDDD-BB-DD-F/NODE",
		 paths);
	unit_run("xlrec: driver_path values, /sys/bus/pci/drivers/NAME, both ways",
		 values);
	unit_run("xlrec: libxenstore's sonames", sonames);
	if (!mkdtemp(root)) {
		unit_fail(__FILE__, __LINE__, "mkdtemp: %m");
		return;
	}
	unit_run("xlrec: xenstore through the fake libxenstore: socket only, read, write, rm, errors",
		 store);
	if (nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS) || rmdir(root))
		unit_fail(__FILE__, __LINE__, "cannot remove %s", root);
}
