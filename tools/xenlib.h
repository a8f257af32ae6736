/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xenlib.h - which libxenctrl (or libxenstore) to load.
 *
 * libxenctrl's soname changes with every Xen release (libxenctrl.so.4.17
 * in Debian 12, 4.20 in Debian 13), and the tool, built without Xen's
 * headers, must use whichever is installed, including releases newer
 * than itself.  So no list of sonames: the directories ld.so searches are
 * read for libxenctrl.so.N[.N...], tried newest version first (4.20 before
 * 4.17 before 4.9), the unversioned libxenctrl.so of a -dev package last,
 * each file once however many names or directories lead to it.
 *
 * The directories, in ld.so's order: LD_LIBRARY_PATH when given, those
 * /etc/ld.so.conf names (following its include lines, as ldconfig does),
 * then /lib/TRIPLET, /usr/lib/TRIPLET (the Debian multiarch triplet the
 * tool is built for), /lib64, /usr/lib64, /lib, /usr/lib.  ld.so's cache
 * is not parsed: it is built from these same directories.
 *
 * Everything is read under @root: "" for the system, a fixture tree in the
 * tests.  Paths returned include @root.
 */
#ifndef PCIBACKCTL_XENLIB_H
#define PCIBACKCTL_XENLIB_H

#include <stddef.h>

/* "libxenctrl.so.4.17.0" has 3 numbers; more than this is not a soname. */
#define XENLIB_VERSION_MAX 8

struct xenlib_version {
	size_t n;			/* 0: the plain "libxenctrl.so" */
	unsigned int num[XENLIB_VERSION_MAX];
};

/* A list of malloc'd strings. */
struct xenlib_list {
	size_t n;
	char **s;
};

/*
 * The version in a file name: "libxenctrl.so" (n = 0) or
 * "libxenctrl.so.N[.N...]", each N 1 to 9 decimal digits.  Return: 0, or
 * -EINVAL for any other name.
 */
int xenlib_parse(const char *name, struct xenlib_version *v);
/* The same for another library: @base is "libxenstore.so", say. */
int xenlib_parse_named(const char *base, const char *name,
		       struct xenlib_version *v);

/*
 * Negative, 0 or positive as @a is older than, the same as, or newer than
 * @b: number by number, then the longer one is newer (4.17.1 > 4.17), and
 * the plain name is the oldest.
 */
int xenlib_cmp(const struct xenlib_version *a, const struct xenlib_version *b);

/*
 * The directories ld.so searches (see above), each once; @ld_library_path
 * may be NULL.  Directories that cannot be read are listed all the same.
 * Return: 0, or -ENOMEM.
 */
int xenlib_dirs(const char *root, const char *ld_library_path,
		struct xenlib_list *dirs);

/*
 * Every regular file (or link to one) named as xenlib_parse() accepts in
 * @dirs, newest first; of one version, in the order of @dirs; a file
 * reached by several names or directories once, by the first.  Return: 0
 * (@found may be empty), or -ENOMEM.
 */
int xenlib_find(const char *root, const struct xenlib_list *dirs,
		struct xenlib_list *found);
/* The same for another library's files, @base[.N...] ("libxenstore.so"). */
int xenlib_find_named(const char *root, const struct xenlib_list *dirs,
		      const char *base, struct xenlib_list *found);

void xenlib_list_free(struct xenlib_list *l);

/* printf into @buf of @len bytes (NULL or 0: nothing); truncation is fine. */
void __attribute__((format(printf, 3, 4)))
xenlib_say(char *buf, size_t len, const char *fmt, ...);

/*
 * dlopen() the newest @base library under @root (the order above) that
 * has all @n symbols @names, and set *@fns[i] to each.  Its path goes to
 * @path (@pathlen bytes).  @root "" reads LD_LIBRARY_PATH (unless the
 * tool runs set-uid).  Return: the handle, or NULL with @why saying why
 * (the newest file's reason when none loads).
 */
void *xenlib_open(const char *root, const char *base,
		  const char *const *names, void **const *fns, size_t n,
		  char *path, size_t pathlen, char *why, size_t whylen);

#endif /* PCIBACKCTL_XENLIB_H */
