/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xenstore.h - xenstore through libxenstore, loaded at run time.
 *
 * The tool reads and writes the few keys in which libxl keeps what it
 * knows of a PCI function (xlrec.h).  libxenstore is found as libxenctrl
 * is (xenlib.h: the directories ld.so searches, newest soname first,
 * libxenstore.so.4 in Xen 4.17 and 4.20), so the tool needs neither
 * libxen-dev to build nor Xen to run.
 *
 * Only in Xen's dom0 (xenq_dom0()), and only through xenstored's socket
 * (libxenstore's xs_daemon_socket(), /run/xenstored/socket on Debian):
 * xs_open() would otherwise fall back to the kernel's /dev/xen/xenbus,
 * whose requests wait for a xenstored that may never start.  A xenstored
 * in a stub domain, which has no socket in dom0, is not reached.
 */
#ifndef PCIBACKCTL_XENSTORE_H
#define PCIBACKCTL_XENSTORE_H

#include <stddef.h>

/* Longest value read: libxl's driver_path is a path (PATH_MAX). */
#define XENSTORE_VALUE_MAX 4096

struct xenstore;

/*
 * Loads libxenstore and connects to xenstored.  @root is "" for the
 * system (LD_LIBRARY_PATH is then honoured), a fixture tree in the tests;
 * @sock, when not NULL, is the socket instead of libxenstore's (tests).
 * Return: the handle; NULL with @why empty when this is not a dom0
 * (nothing to keep); NULL with the reason in @why (one line: no
 * libxenstore, xenstored not running, ...) otherwise.
 */
struct xenstore *xenstore_open(const char *root, const char *sock, char *why,
			       size_t whylen);
void xenstore_close(struct xenstore *xs);

/*
 * The value at @path, NUL-terminated, into @buf.  Return: 0; -ENOENT
 * when there is no such key; -E2BIG when it does not fit in @len - 1
 * bytes or holds a NUL; another negative errno with the reason in @err.
 */
int xenstore_read(struct xenstore *xs, const char *path, char *buf,
		  size_t len, char *err, size_t errlen);
/* Write @val at @path.  Return: 0, or a negative errno (@err says). */
int xenstore_write(struct xenstore *xs, const char *path, const char *val,
		   char *err, size_t errlen);
/* Remove @path; one that is not there is no error.  Return: as write. */
int xenstore_rm(struct xenstore *xs, const char *path, char *err,
		size_t errlen);

#endif /* PCIBACKCTL_XENSTORE_H */
