// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenlib.c - which libxenctrl to load (see xenlib.h).
 */
#define _GNU_SOURCE		/* secure_getenv() */
#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "util.h"
#include "xenlib.h"

#define XENLIB_NAME "libxenctrl.so"

/* Bounds against a looping or runaway ld.so.conf. */
#define XENLIB_INCLUDE_DEPTH 8
#define XENLIB_DIRS_MAX 256
#define XENLIB_FOUND_MAX 256

/* The Debian multiarch triplet, from the compiler (tools/Makefile). */
#ifndef XENLIB_MULTIARCH
#define XENLIB_MULTIARCH ""
#endif

int xenlib_parse(const char *name, struct xenlib_version *v)
{
	return xenlib_parse_named(XENLIB_NAME, name, v);
}

int xenlib_parse_named(const char *base, const char *name,
		       struct xenlib_version *v)
{
	size_t len = strlen(base);
	const char *p, *start;

	memset(v, 0, sizeof(*v));
	if (strncmp(name, base, len))
		return -EINVAL;
	for (p = name + len; *p == '.'; v->n++) {
		unsigned int num = 0;

		for (start = ++p; *p >= '0' && *p <= '9'; p++) {
			if (p - start == 9)	/* would not fit */
				return -EINVAL;
			num = num * 10 + (unsigned int)(*p - '0');
		}
		if (p == start || v->n == XENLIB_VERSION_MAX)
			return -EINVAL;
		v->num[v->n] = num;
	}
	return *p ? -EINVAL : 0;
}

int xenlib_cmp(const struct xenlib_version *a, const struct xenlib_version *b)
{
	size_t i;

	for (i = 0; i < a->n && i < b->n; i++)
		if (a->num[i] != b->num[i])
			return a->num[i] < b->num[i] ? -1 : 1;
	return (a->n > b->n) - (a->n < b->n);
}

void xenlib_list_free(struct xenlib_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->s[i]);
	free(l->s);
	l->s = NULL;
	l->n = 0;
}

/* Appends @s (malloc'd, taken over even on failure).  Return: 0 or -ENOMEM. */
static int list_add(struct xenlib_list *l, char *s)
{
	char **grown;

	if (!s)
		return -ENOMEM;
	grown = realloc(l->s, (l->n + 1) * sizeof(*l->s));
	if (!grown) {
		free(s);
		return -ENOMEM;
	}
	l->s = grown;
	l->s[l->n++] = s;
	return 0;
}

/* @a followed by @b, malloc'd; NULL without memory. */
static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);

	if (s) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb + 1);
	}
	return s;
}

/*
 * Adds the directory of @len bytes at @dir, as ldconfig does: trailing
 * slashes dropped, relative ones ignored, each once, at most
 * XENLIB_DIRS_MAX.
 */
static int add_dir(struct xenlib_list *dirs, const char *dir, size_t len)
{
	size_t i;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (!len || dir[0] != '/' || dirs->n == XENLIB_DIRS_MAX)
		return 0;
	for (i = 0; i < dirs->n; i++)
		if (strlen(dirs->s[i]) == len && !strncmp(dirs->s[i], dir, len))
			return 0;
	return list_add(dirs, strndup(dir, len));
}

static int parse_conf(const char *root, const char *file, int depth,
		      struct xenlib_list *dirs);

/* An include line's pattern, relative to @file's directory if not absolute. */
static int include(const char *root, const char *file, const char *pattern,
		   int depth, struct xenlib_list *dirs)
{
	const char *slash = strrchr(file, '/');
	char *path = NULL;
	glob_t g;
	size_t i;
	int ret = 0;

	if (pattern[0] == '/') {
		path = join(root, pattern);
	} else if (slash) {
		path = malloc((size_t)(slash - file) + strlen(pattern) + 2);
		if (path)
			sprintf(path, "%.*s/%s", (int)(slash - file), file,
				pattern);
	}
	if (!path)
		return slash || pattern[0] == '/' ? -ENOMEM : 0;
	if (!glob(path, 0, NULL, &g)) {
		for (i = 0; i < g.gl_pathc && !ret; i++)
			ret = parse_conf(root, g.gl_pathv[i], depth + 1, dirs);
		globfree(&g);
	}
	free(path);
	return ret;
}

/* One line of ld.so.conf, its comment cut off. */
static int parse_line(const char *root, const char *file, char *line,
		      int depth, struct xenlib_list *dirs)
{
	char *end, *tok;
	int ret = 0;

	while (isspace((unsigned char)*line))
		line++;
	end = line + strlen(line);
	while (end > line && isspace((unsigned char)end[-1]))
		*--end = '\0';
	if (!strncmp(line, "include", 7) && isblank((unsigned char)line[7])) {
		line += 8;
		while (!ret && (tok = strsep(&line, " \t")))
			if (*tok)
				ret = include(root, file, tok, depth, dirs);
		return ret;
	}
	if (!strncasecmp(line, "hwcap", 5) && isblank((unsigned char)line[5]))
		return 0;
	return add_dir(dirs, line, (size_t)(end - line));
}

/* ldconfig's reading of ld.so.conf (@file includes @root). */
static int parse_conf(const char *root, const char *file, int depth,
		      struct xenlib_list *dirs)
{
	size_t cap = 0;
	char *line = NULL, *hash;
	int ret = 0;
	FILE *f;

	if (depth > XENLIB_INCLUDE_DEPTH)
		return 0;
	f = fopen(file, "re");
	if (!f)
		return 0;
	while (!ret && getline(&line, &cap, f) >= 0) {
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		ret = parse_line(root, file, line, depth, dirs);
	}
	free(line);
	fclose(f);
	return ret;
}

int xenlib_dirs(const char *root, const char *ld_library_path,
		struct xenlib_list *dirs)
{
	static const char *const builtin[] = {
		"/lib/" XENLIB_MULTIARCH, "/usr/lib/" XENLIB_MULTIARCH,
		"/lib64", "/usr/lib64", "/lib", "/usr/lib",
	};
	/* without a triplet, its two are /lib and /usr/lib: skip them */
	size_t first = XENLIB_MULTIARCH[0] ? 0 : 2;
	const char *p = ld_library_path;
	char *conf;
	size_t i, len;
	int ret = 0;

	/* ld.so splits LD_LIBRARY_PATH at ':' and ';' */
	while (p && *p && !ret) {
		len = strcspn(p, ":;");
		ret = add_dir(dirs, p, len);
		p += len + (p[len] ? 1 : 0);
	}
	conf = join(root, "/etc/ld.so.conf");
	if (!conf)
		ret = -ENOMEM;
	if (!ret)
		ret = parse_conf(root, conf, 0, dirs);
	free(conf);
	for (i = first; i < ARRAY_SIZE(builtin) && !ret; i++)
		ret = add_dir(dirs, builtin[i], strlen(builtin[i]));
	if (ret)
		xenlib_list_free(dirs);
	return ret;
}

struct candidate {
	char *path;
	struct xenlib_version v;
	size_t order;		/* found in this order: ld.so's */
	dev_t dev;
	ino_t ino;
};

static int by_version(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	int c = xenlib_cmp(&y->v, &x->v);	/* newest first */

	if (c)
		return c;
	return (x->order > y->order) - (x->order < y->order);
}

/* The files named @base[.N...] of one directory, appended to @c. */
static int scan_dir(const char *root, const char *dir, const char *base,
		    struct candidate **c, size_t *n)
{
	struct candidate *grown;
	struct xenlib_version v;
	struct dirent *e;
	struct stat st;
	char *path, *prefix;
	int ret = 0;
	DIR *d;

	prefix = malloc(strlen(root) + strlen(dir) + 2);
	if (!prefix)
		return -ENOMEM;
	sprintf(prefix, "%s%s/", root, dir);
	d = opendir(prefix);
	while (d && !ret && *n < XENLIB_FOUND_MAX && (e = readdir(d))) {
		if (xenlib_parse_named(base, e->d_name, &v))
			continue;
		path = join(prefix, e->d_name);
		if (!path) {
			ret = -ENOMEM;
			break;
		}
		if (stat(path, &st) || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		grown = realloc(*c, (*n + 1) * sizeof(**c));
		if (!grown) {
			free(path);
			ret = -ENOMEM;
			break;
		}
		*c = grown;
		(*c)[*n] = (struct candidate){ path, v, *n, st.st_dev,
					       st.st_ino };
		(*n)++;
	}
	if (d)
		closedir(d);
	free(prefix);
	return ret;
}

int xenlib_find(const char *root, const struct xenlib_list *dirs,
		struct xenlib_list *found)
{
	return xenlib_find_named(root, dirs, XENLIB_NAME, found);
}

int xenlib_find_named(const char *root, const struct xenlib_list *dirs,
		      const char *base, struct xenlib_list *found)
{
	struct candidate *c = NULL;
	size_t n = 0, i, j;
	int ret = 0;

	for (i = 0; i < dirs->n && !ret; i++)
		ret = scan_dir(root, dirs->s[i], base, &c, &n);
	if (n)
		qsort(c, n, sizeof(*c), by_version);
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (c[j].dev == c[i].dev && c[j].ino == c[i].ino)
				break;
		if (j < i || ret) {
			free(c[i].path);
			continue;
		}
		ret = list_add(found, c[i].path);
	}
	free(c);
	if (ret)
		xenlib_list_free(found);
	return ret;
}

void xenlib_say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!buf || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);	/* truncation is fine */
	va_end(ap);
}

/* dlopen @path and find the calls.  Return: the handle, or NULL (@err). */
static void *load(const char *path, const char *const *names,
		  void **const *fns, size_t n, char *err, size_t errlen)
{
	void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	size_t i;

	if (!lib) {
		xenlib_say(err, errlen, "%s", dlerror());
		return NULL;
	}
	for (i = 0; i < n; i++) {
		*fns[i] = dlsym(lib, names[i]);
		if (!*fns[i]) {
			xenlib_say(err, errlen, "%s: no %s", path, names[i]);
			dlclose(lib);
			return NULL;
		}
	}
	return lib;
}

void *xenlib_open(const char *root, const char *base,
		  const char *const *names, void **const *fns, size_t n,
		  char *path, size_t pathlen, char *why, size_t whylen)
{
	struct xenlib_list dirs = { 0 }, found = { 0 };
	void *lib = NULL;
	size_t i;

	xenlib_say(path, pathlen, "%s", "");
	if (xenlib_dirs(root, *root ? NULL : secure_getenv("LD_LIBRARY_PATH"),
			&dirs) ||
	    xenlib_find_named(root, &dirs, base, &found)) {
		xenlib_say(why, whylen, "out of memory");
		goto out;
	}
	if (!found.n) {
		xenlib_say(why, whylen,
			   "no %s in the library directories (Xen's tools are not installed)",
			   base);
		goto out;
	}
	/* newest first; the reason given is the newest one's */
	for (i = 0; i < found.n && !lib; i++) {
		lib = load(found.s[i], names, fns, n, i ? NULL : why, whylen);
		if (lib)
			xenlib_say(path, pathlen, "%s", found.s[i]);
	}
out:
	xenlib_list_free(&dirs);
	xenlib_list_free(&found);
	return lib;
}
