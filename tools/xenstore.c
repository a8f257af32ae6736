// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenstore.c - xenstore through libxenstore, loaded at run time (see
 * xenstore.h).
 *
 * The declarations below are libxenstore's stable API (xenstore.h of Xen
 * 4.x: xs_open, xs_close, xs_read, xs_write, xs_rm, xs_daemon_socket;
 * XBT_NULL is transaction 0), restated so the tool needs no Xen headers.
 */
#define _GNU_SOURCE		/* secure_getenv() */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"
#include "xenlib.h"
#include "xenq.h"
#include "xenstore.h"

#define XENSTORE_LIB	"libxenstore.so"
#define XENSTORE_XBT_NULL 0U

struct xenstore {
	void *lib;
	void *h;
	void *(*open)(unsigned long flags);
	void (*close)(void *h);
	void *(*read)(void *h, uint32_t t, const char *path, unsigned int *len);
	bool (*write)(void *h, uint32_t t, const char *path, const void *data,
		      unsigned int len);
	bool (*rm)(void *h, uint32_t t, const char *path);
	const char *(*daemon_socket)(void);
};

static void __attribute__((format(printf, 3, 4)))
say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!buf || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);	/* truncation is fine */
	va_end(ap);
}

/* dlopen @path and find the calls.  Return: 0, or -1 (@err says). */
static int load(struct xenstore *xs, const char *path, char *err,
		size_t errlen)
{
	static const char *const names[] = {
		"xs_open", "xs_close", "xs_read", "xs_write", "xs_rm",
		"xs_daemon_socket",
	};
	void **fns[] = {
		(void **)&xs->open, (void **)&xs->close, (void **)&xs->read,
		(void **)&xs->write, (void **)&xs->rm,
		(void **)&xs->daemon_socket,
	};
	size_t i;

	xs->lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!xs->lib) {
		say(err, errlen, "%s", dlerror());
		return -1;
	}
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		*fns[i] = dlsym(xs->lib, names[i]);
		if (!*fns[i]) {
			say(err, errlen, "%s: no %s", path, names[i]);
			dlclose(xs->lib);
			xs->lib = NULL;
			return -1;
		}
	}
	return 0;
}

/*
 * xs_open() tries $XENSTORED_PATH (else xs_daemon_socket()) and then the
 * kernel's xenbus device, $XENSTORED_PATH again if set: with it set to
 * the socket, both tries are the socket, and a stale socket fails fast.
 */
static void *open_socket(struct xenstore *xs, const char *sock)
{
	const char *old = getenv("XENSTORED_PATH");
	char *saved = old ? strdup(old) : NULL;
	void *h;

	if (old && !saved)
		return NULL;
	if (setenv("XENSTORED_PATH", sock, 1)) {
		free(saved);
		return NULL;
	}
	errno = 0;
	h = xs->open(0);
	if (saved)
		setenv("XENSTORED_PATH", saved, 1);
	else
		unsetenv("XENSTORED_PATH");
	free(saved);
	return h;
}

struct xenstore *xenstore_open(const char *root, const char *sock, char *why,
			       size_t whylen)
{
	struct xenlib_list dirs = { 0 }, found = { 0 };
	struct xenstore *xs = NULL;
	char path[512];
	struct stat st;
	size_t i;
	int err;

	say(why, whylen, "%s", "");
	if (!xenq_dom0(root))
		return NULL;
	xs = calloc(1, sizeof(*xs));
	if (!xs || xenlib_dirs(root, *root ? NULL :
			       secure_getenv("LD_LIBRARY_PATH"), &dirs) ||
	    xenlib_find_named(root, &dirs, XENSTORE_LIB, &found)) {
		say(why, whylen, "out of memory");
		goto fail;
	}
	if (!found.n) {
		say(why, whylen,
		    "no libxenstore.so in the library directories (Xen's tools are not installed)");
		goto fail;
	}
	/* newest first; the reason given is the newest one's */
	for (i = 0; i < found.n; i++)
		if (!load(xs, found.s[i], i ? NULL : why, whylen))
			break;
	if (!xs->lib)
		goto fail;
	if (!sock)
		sock = xs->daemon_socket();
	if (!sock || (size_t)snprintf(path, sizeof(path), "%s", sock) >=
	    sizeof(path)) {
		say(why, whylen, "no xenstored socket path");
		goto fail;
	}
	if (stat(path, &st) || !S_ISSOCK(st.st_mode)) {
		say(why, whylen, "xenstored is not running (no socket %s)",
		    path);
		goto fail;
	}
	xs->h = open_socket(xs, path);
	if (!xs->h) {
		err = errno;
		say(why, whylen, "cannot connect to xenstored at %s: %s", path,
		    err ? strerror(err) : "failed");
		goto fail;
	}
	say(why, whylen, "%s", "");
	xenlib_list_free(&dirs);
	xenlib_list_free(&found);
	return xs;
fail:
	xenlib_list_free(&dirs);
	xenlib_list_free(&found);
	xenstore_close(xs);
	return NULL;
}

void xenstore_close(struct xenstore *xs)
{
	if (!xs)
		return;
	if (xs->h)
		xs->close(xs->h);
	if (xs->lib)
		dlclose(xs->lib);
	free(xs);
}

int xenstore_read(struct xenstore *xs, const char *path, char *buf,
		  size_t len, char *err, size_t errlen)
{
	unsigned int n = 0;
	char *val;
	int ret;

	if (!len)
		return -E2BIG;
	buf[0] = '\0';
	errno = 0;
	val = xs->read(xs->h, XENSTORE_XBT_NULL, path, &n);
	if (!val) {
		ret = errno ? errno : EIO;
		if (ret != ENOENT)
			say(err, errlen, "xs_read %s: %s", path, strerror(ret));
		return -ret;
	}
	ret = 0;
	if ((size_t)n >= len || memchr(val, '\0', n)) {
		say(err, errlen, "xs_read %s: a value of %u bytes, longer than %zu or with a NUL",
		    path, n, len - 1);
		ret = -E2BIG;
	} else {
		memcpy(buf, val, n);
		buf[n] = '\0';
	}
	free(val);
	return ret;
}

int xenstore_write(struct xenstore *xs, const char *path, const char *val,
		   char *err, size_t errlen)
{
	size_t n = strlen(val);
	int ret;

	if (n > XENSTORE_VALUE_MAX) {
		say(err, errlen, "xs_write %s: value too long", path);
		return -E2BIG;
	}
	errno = 0;
	if (xs->write(xs->h, XENSTORE_XBT_NULL, path, val, (unsigned int)n))
		return 0;
	ret = errno ? errno : EIO;
	say(err, errlen, "xs_write %s: %s", path, strerror(ret));
	return -ret;
}

int xenstore_rm(struct xenstore *xs, const char *path, char *err,
		size_t errlen)
{
	int ret;

	errno = 0;
	if (xs->rm(xs->h, XENSTORE_XBT_NULL, path))
		return 0;
	ret = errno ? errno : EIO;
	if (ret == ENOENT)
		return 0;
	say(err, errlen, "xs_rm %s: %s", path, strerror(ret));
	return -ret;
}
