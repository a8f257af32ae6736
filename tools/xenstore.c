// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenstore.c - xenstore through libxenstore, loaded at run time (see
 * xenstore.h).
 *
 * The declarations below are libxenstore's stable API (xenstore.h of Xen
 * 4.x: xs_open, xs_close, xs_read, xs_write, xs_rm, xs_daemon_socket;
 * XBT_NULL is transaction 0), restated so the tool needs no Xen headers.
 */
#include <dlfcn.h>
#include <errno.h>
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
	static const char *const names[] = {
		"xs_open", "xs_close", "xs_read", "xs_write", "xs_rm",
		"xs_daemon_socket",
	};
	struct xenstore *xs;
	char path[512];
	struct stat st;
	int err;

	xenlib_say(why, whylen, "%s", "");
	if (!xenq_dom0(root))
		return NULL;
	xs = calloc(1, sizeof(*xs));
	if (!xs) {
		xenlib_say(why, whylen, "out of memory");
		return NULL;
	}
	{
		void **const fns[] = {
			(void **)&xs->open, (void **)&xs->close,
			(void **)&xs->read, (void **)&xs->write,
			(void **)&xs->rm, (void **)&xs->daemon_socket,
		};

		xs->lib = xenlib_open(root, XENSTORE_LIB, names, fns,
				      ARRAY_SIZE(names), path, sizeof(path),
				      why, whylen);
	}
	if (!xs->lib)
		goto fail;
	if (!sock)
		sock = xs->daemon_socket();
	if (!sock || (size_t)snprintf(path, sizeof(path), "%s", sock) >=
	    sizeof(path)) {
		xenlib_say(why, whylen, "no xenstored socket path");
		goto fail;
	}
	if (stat(path, &st) || !S_ISSOCK(st.st_mode)) {
		xenlib_say(why, whylen, "xenstored is not running (no socket %s)",
			   path);
		goto fail;
	}
	xs->h = open_socket(xs, path);
	if (!xs->h) {
		err = errno;
		xenlib_say(why, whylen, "cannot connect to xenstored at %s: %s",
			   path, err ? strerror(err) : "failed");
		goto fail;
	}
	xenlib_say(why, whylen, "%s", "");
	return xs;
fail:
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
			xenlib_say(err, errlen, "xs_read %s: %s", path, strerror(ret));
		return -ret;
	}
	ret = 0;
	if ((size_t)n >= len || memchr(val, '\0', n)) {
		xenlib_say(err, errlen, "xs_read %s: a value of %u bytes, longer than %zu or with a NUL",
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
		xenlib_say(err, errlen, "xs_write %s: value too long", path);
		return -E2BIG;
	}
	errno = 0;
	if (xs->write(xs->h, XENSTORE_XBT_NULL, path, val, (unsigned int)n))
		return 0;
	ret = errno ? errno : EIO;
	xenlib_say(err, errlen, "xs_write %s: %s", path, strerror(ret));
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
	xenlib_say(err, errlen, "xs_rm %s: %s", path, strerror(ret));
	return -ret;
}
