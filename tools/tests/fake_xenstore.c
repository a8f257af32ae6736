// SPDX-License-Identifier: GPL-2.0-only
/*
 * fake_xenstore.c - the libxenstore calls xenstore.c makes, on a store of
 * its own (a few keys in memory).  xs_open() keeps the $XENSTORED_PATH it
 * was called with, xs_daemon_socket() answers fake_socket.  The tests
 * read and set its state through dlsym().
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_KEYS 16
#define FAKE_LEN 4200

int fake_open_errno;		/* xs_open fails with it */
int fake_call_errno;		/* the next read/write/rm fails with it */
unsigned int fake_opened, fake_closed;
char fake_socket[256] = "/run/xenstored/socket";
char fake_opened_path[256];	/* $XENSTORED_PATH at xs_open() */
char fake_key[FAKE_KEYS][64];
char fake_val[FAKE_KEYS][FAKE_LEN];
unsigned int fake_len[FAKE_KEYS];

static int handle;

const char *xs_daemon_socket(void)
{
	return fake_socket;
}

void *xs_open(unsigned long flags)
{
	const char *p = getenv("XENSTORED_PATH");

	(void)flags;
	snprintf(fake_opened_path, sizeof(fake_opened_path), "%s", p ? p : "");
	if (fake_open_errno) {
		errno = fake_open_errno;
		return NULL;
	}
	fake_opened++;
	return &handle;
}

void xs_close(void *h)
{
	if (h == &handle)
		fake_closed++;
}

/* The slot of @path, or with @add a free one; -1 when none. */
static int slot(const char *path, bool add)
{
	int i;

	for (i = 0; i < FAKE_KEYS; i++)
		if (fake_key[i][0] && !strcmp(fake_key[i], path))
			return i;
	for (i = 0; add && i < FAKE_KEYS; i++)
		if (!fake_key[i][0] && strlen(path) < sizeof(fake_key[i])) {
			memcpy(fake_key[i], path, strlen(path) + 1);
			return i;
		}
	return -1;
}

/* The error the call is to fail with, 0 for none. */
static int fails(void *h)
{
	int e = fake_call_errno;

	fake_call_errno = 0;
	return h != &handle ? EINVAL : e;
}

void *xs_read(void *h, uint32_t t, const char *path, unsigned int *len)
{
	int e = fails(h), i = slot(path, false);
	char *v;

	(void)t;
	if (!e && i < 0)
		e = ENOENT;
	if (e) {
		errno = e;
		return NULL;
	}
	v = malloc(fake_len[i] + 1);	/* as libxenstore: NUL after */
	if (!v) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(v, fake_val[i], fake_len[i]);
	v[fake_len[i]] = '\0';
	*len = fake_len[i];
	return v;
}

bool xs_write(void *h, uint32_t t, const char *path, const void *data,
	      unsigned int len)
{
	int e = fails(h), i = e ? -1 : slot(path, true);

	(void)t;
	if (!e && (i < 0 || len > FAKE_LEN))
		e = ENOSPC;
	if (e) {
		errno = e;
		return false;
	}
	memcpy(fake_val[i], data, len);
	fake_len[i] = len;
	return true;
}

bool xs_rm(void *h, uint32_t t, const char *path)
{
	int e = fails(h), i = slot(path, false);

	(void)t;
	if (!e && i < 0)
		e = ENOENT;
	if (e) {
		errno = e;
		return false;
	}
	fake_key[i][0] = '\0';
	return true;
}
