// SPDX-License-Identifier: GPL-2.0-only
/*
 * config.c - the config file of "pcibackctl apply": parsing, and
 * resolution against sysfs.
 *
 * Input is bounded: a line is read into a buffer of CONFIG_LINE_MAX bytes
 * (the rest of a longer one is skipped, an error), a file names at most
 * CONFIG_SELS_MAX selectors and CONFIG_DEVS_MAX functions, and reading
 * stops after CONFIG_ERRORS_MAX errors.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "inuse.h"
#include "memo.h"
#include "util.h"

#define SELECTORS "an address, id, ifname, mac or path"

/* User words are quoted with at most this many characters. */
#define QUOTE_MAX 64
/* At most this many PCI functions are read from sysfs. */
#define PCI_TABLE_MAX 65536
/* At most this many interfaces with one MAC address are looked at. */
#define MAC_MATCH_MAX 16

struct pci_fn {
	char name[PCIBACK_DEV_NAME_MAX];
	struct devname_addr addr;
	bool has_id;
	uint16_t vendor, device;
	char path[CONFIG_PATH_TEXT_MAX];	/* "" when it has none */
};

struct pci_table {
	size_t n;
	struct pci_fn *fn;
	int err;			/* listing failed: the errno */
};

/* "..." after a quoted word that was cut. */
static const char *ell(const char *w)
{
	return strlen(w) > QUOTE_MAX ? "..." : "";
}

static void msg_vadd(struct config_msgs *m, bool force, const char *file,
		     unsigned int line, const char *fmt, va_list ap)
{
	char buf[512], *p;
	int n;

	if (!force)
		m->total++;
	if (m->n >= CONFIG_ERRORS_MAX + (force ? 1 : 0))
		return;
	if (line)
		n = snprintf(buf, sizeof(buf), "%.200s:%u: ", file, line);
	else
		n = snprintf(buf, sizeof(buf), "%.200s: ", file);
	if (n < 0)
		n = 0;
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	/* it quotes the user's words: keep them off the terminal */
	for (p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	m->text[m->n] = strdup(buf);
	m->line[m->n] = line;
	if (m->text[m->n])
		m->n++;
}

static void error(struct config *c, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void error(struct config *c, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vadd(&c->errors, false, c->file, line, fmt, ap);
	va_end(ap);
}

static void warning(struct config *c, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void warning(struct config *c, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vadd(&c->warnings, false, c->file, line, fmt, ap);
	va_end(ap);
}

/* The last message: reading stopped (kept beyond the cap). */
static void give_up(struct config *c, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void give_up(struct config *c, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vadd(&c->errors, true, c->file, line, fmt, ap);
	va_end(ap);
}

static int path_fmt(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int path_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly @n hex digits at @s into *v. */
static bool hex_n(const char *s, size_t n, uint32_t *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (hexval(s[i]) < 0)
			return false;
		*v = *v << 4 | (uint32_t)hexval(s[i]);
	}
	return true;
}

/* --- sysfs ------------------------------------------------------------- */

/* A small sysfs attribute, "0x8086\n", into *v. */
static int read_hex_attr(const char *path, uint32_t *v)
{
	char buf[32], *end;
	unsigned long val;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EINVAL;
	buf[n] = '\0';
	errno = 0;
	val = strtoul(buf, &end, 16);
	if (errno || end == buf || (*end && *end != '\n') || val > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)val;
	return 0;
}

/* "pciDDDD:BB", a root bus's directory. */
static bool root_bus_dir(const char *s, uint32_t *domain, uint32_t *bus)
{
	size_t nd;

	if (strncmp(s, "pci", 3))
		return false;
	s += 3;
	for (nd = 0; hexval(s[nd]) >= 0; nd++)
		;
	return nd >= 4 && nd <= 8 && s[nd] == ':' && hex_n(s, nd, domain) &&
	       hex_n(s + nd + 1, 2, bus) && !s[nd + 3];
}

int config_pci_path(const char *sysfs, const char *name, char *buf,
		    size_t len)
{
	struct devname_addr el[CONFIG_PATH_MAX], a;
	char link[PATH_MAX], real[PATH_MAX], root[PATH_MAX], *p, *save;
	uint32_t domain = 0, bus = 0;
	bool seen_root = false, bad = false, deep = false;
	size_t n = 0, i, rl, used;
	int ret;

	if (path_fmt(link, sizeof(link), "%s/bus/pci/devices/%s", sysfs, name))
		return -ENAMETOOLONG;
	if (!realpath(link, real))
		return errno == ENOENT || errno == ENOTDIR ? -ENODEV : -errno;
	if (!realpath(sysfs, root))
		return -errno;
	rl = strlen(root);
	if (strncmp(real, root, rl) || strncmp(real + rl, "/devices/", 9))
		return -EINVAL;

	/* the elements after the last root bus, all of them PCI functions */
	for (p = strtok_r(real + rl + 9, "/", &save); p;
	     p = strtok_r(NULL, "/", &save)) {
		if (root_bus_dir(p, &domain, &bus)) {
			seen_root = true;
			bad = false;
			deep = false;
			n = 0;
			continue;
		}
		if (!seen_root)
			continue;
		if (devname_parse(p, &a, NULL, 0) || a.fn == DEVNAME_FN_ANY ||
		    a.domain != domain || (!n && a.bus != bus)) {
			bad = true;
			continue;
		}
		if (n == CONFIG_PATH_MAX)
			deep = true;
		else
			el[n++] = a;
	}
	if (!seen_root || bad || !n)
		return -EINVAL;
	if (deep)
		return -ENAMETOOLONG;
	ret = devname_format(&el[0], buf, len);
	if (ret)
		return ret == -ENOSPC ? -ENAMETOOLONG : ret;
	for (i = 1; i < n; i++) {
		used = strlen(buf);
		if (path_fmt(buf + used, len - used, "/%02x.%d", el[i].dev,
			     el[i].fn))
			return -ENAMETOOLONG;
	}
	return 0;
}

static int fn_cmp(const void *x, const void *y)
{
	const struct devname_addr *a = &((const struct pci_fn *)x)->addr;
	const struct devname_addr *b = &((const struct pci_fn *)y)->addr;

	if (a->domain != b->domain)
		return a->domain < b->domain ? -1 : 1;
	if (a->bus != b->bus)
		return a->bus < b->bus ? -1 : 1;
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	return (int)a->fn - (int)b->fn;
}

/* Every PCI function: name, ids, path; in address order. */
static struct pci_table *pci_table_read(const char *sysfs)
{
	struct pci_table *t = calloc(1, sizeof(*t));
	char dir[PATH_MAX], path[PATH_MAX];
	size_t cap = 0;
	struct dirent *e;
	uint32_t v, d;
	DIR *dp;

	if (!t)
		return NULL;
	if (path_fmt(dir, sizeof(dir), "%s/bus/pci/devices", sysfs)) {
		t->err = ENAMETOOLONG;
		return t;
	}
	dp = opendir(dir);
	if (!dp) {
		t->err = errno;
		return t;
	}
	while ((e = readdir(dp)) && t->n < PCI_TABLE_MAX) {
		struct pci_fn *f;

		if (e->d_name[0] == '.')
			continue;
		if (t->n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			void *nf = realloc(t->fn, ncap * sizeof(*t->fn));

			if (!nf) {
				t->err = ENOMEM;
				break;
			}
			t->fn = nf;
			cap = ncap;
		}
		f = &t->fn[t->n];
		memset(f, 0, sizeof(*f));
		if (devname_parse(e->d_name, &f->addr, NULL, 0) ||
		    f->addr.fn == DEVNAME_FN_ANY ||
		    devname_format(&f->addr, f->name, sizeof(f->name)))
			continue;
		if (!path_fmt(path, sizeof(path), "%s/%s/vendor", dir, e->d_name) &&
		    !read_hex_attr(path, &v) &&
		    !path_fmt(path, sizeof(path), "%s/%s/device", dir, e->d_name) &&
		    !read_hex_attr(path, &d) && v <= 0xffff && d <= 0xffff) {
			f->has_id = true;
			f->vendor = (uint16_t)v;
			f->device = (uint16_t)d;
		}
		if (config_pci_path(sysfs, e->d_name, f->path, sizeof(f->path)))
			f->path[0] = '\0';
		t->n++;
	}
	closedir(dp);
	if (t->n)
		qsort(t->fn, t->n, sizeof(*t->fn), fn_cmp);
	return t;
}

static void pci_table_free(struct pci_table *t)
{
	if (t)
		free(t->fn);
	free(t);
}

/* The PCI table, read on first use; NULL after an error (reported). */
static struct pci_table *pci_table(struct config *c, unsigned int line)
{
	if (!c->pci_read) {
		c->pci = pci_table_read(c->sysfs);
		c->pci_read = true;
	}
	if (!c->pci) {
		error(c, line, "out of memory");
		return NULL;
	}
	if (c->pci->err) {
		error(c, line, "cannot list the PCI functions (%.200s/bus/pci/devices): %s",
		      c->sysfs, strerror(c->pci->err));
		return NULL;
	}
	return c->pci;
}

/* --- config ------------------------------------------------------------ */

struct config *config_new(const char *file, const char *sysfs,
			  enum config_mode mode)
{
	struct config *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->file = file;
	c->sysfs = sysfs;
	c->proc = "/proc";
	c->mode = mode;
	return c;
}

void config_set_proc(struct config *c, const char *proc)
{
	c->proc = proc;
}

void config_set_state(struct config *c, const char *state)
{
	c->state = state;
}

int config_save_state(struct config *c, char *why, size_t len)
{
	if (!c->state || !c->memo)
		return 0;
	return memo_save(c->memo, c->state, why, len);
}

static void msgs_free(struct config_msgs *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->text[i]);
}

void config_free(struct config *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nsels; i++)
		free(c->sels[i].idx);
	msgs_free(&c->errors);
	msgs_free(&c->warnings);
	pci_table_free(c->pci);
	free(c->memo);
	free(c->inuse);
	free(c);
}

/* Adds @name to the functions (once) and to what @sel resolved to. */
static int add_dev(struct config *c, struct config_sel *sel, const char *name)
{
	uint16_t *idx;
	size_t i;

	for (i = 0; i < c->ndevs; i++)
		if (!strcmp(c->devs[i].name, name))
			break;
	if (i == c->ndevs) {
		if (c->ndevs == CONFIG_DEVS_MAX) {
			if (!c->too_many)
				error(c, sel->line,
				      "more than %d functions (the most one request can move)",
				      CONFIG_DEVS_MAX);
			c->too_many = true;
			return -E2BIG;
		}
		snprintf(c->devs[i].name, sizeof(c->devs[i].name), "%s", name);
		c->devs[i].line = sel->line;
		c->ndevs++;
	}
	idx = realloc(sel->idx, (sel->nidx + 1) * sizeof(*idx));
	if (!idx) {
		error(c, sel->line, "out of memory");
		return -ENOMEM;
	}
	sel->idx = idx;
	sel->idx[sel->nidx++] = (uint16_t)i;
	return 0;
}

static bool valid_ifname(const char *s)
{
	size_t len = strlen(s);
	const char *p;

	if (!len || len > CONFIG_IFNAME_MAX || !strcmp(s, ".") ||
	    !strcmp(s, ".."))
		return false;
	for (p = s; *p; p++)
		if (*p == '/' || *p == ':' || (unsigned char)*p <= 0x20 ||
		    *p == 0x7f)
			return false;
	return true;
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
	uint32_t v;
	size_t i;

	if (strlen(s) != 17)
		return false;
	for (i = 0; i < 6; i++) {
		if (!hex_n(s + 3 * i, 2, &v) || (i < 5 && s[3 * i + 2] != ':'))
			return false;
		mac[i] = (uint8_t)v;
	}
	return true;
}

/* "DD.F" or "D.F" below a bridge. */
static bool parse_devfn(const char *s, size_t len, uint8_t *dev, uint8_t *fn)
{
	uint32_t d, f;

	if (len < 3 || len > 4 || s[len - 2] != '.' ||
	    !hex_n(s, len - 2, &d) || !hex_n(s + len - 1, 1, &f) ||
	    d > 0x1f || f > 7)
		return false;
	*dev = (uint8_t)d;
	*fn = (uint8_t)f;
	return true;
}

/* "DDDD:BB:DD.F[/DD.F...]" into its canonical form in sel->path. */
static bool parse_path(struct config *c, unsigned int line, const char *s,
		       struct config_sel *sel)
{
	char first[64], why[128];
	struct devname_addr a;
	const char *p, *slash;
	size_t n = 1, used, len;
	uint8_t dev, fn;

	slash = strchr(s, '/');
	len = slash ? (size_t)(slash - s) : strlen(s);
	if (len >= sizeof(first)) {
		error(c, line, "bad path '%.*s%s': first element: not [DOMAIN:]BUS:DEV.FN",
		      QUOTE_MAX, s, ell(s));
		return false;
	}
	memcpy(first, s, len);
	first[len] = '\0';
	if (devname_parse(first, &a, why, sizeof(why))) {
		error(c, line, "bad path '%.*s%s': first element: %s", QUOTE_MAX,
		      s, ell(s), why);
		return false;
	}
	if (a.fn == DEVNAME_FN_ANY) {
		error(c, line, "bad path '%.*s%s': first element: a wildcard",
		      QUOTE_MAX, s, ell(s));
		return false;
	}
	devname_format(&a, sel->path, sizeof(sel->path));
	for (p = slash; p; p = slash) {
		p++;
		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if (!parse_devfn(p, len, &dev, &fn)) {
			error(c, line, "bad path '%.*s%s': element %zu '%.*s' is not DEV.FN",
			      QUOTE_MAX, s, ell(s), n + 1,
			      (int)(len > 16 ? 16 : len), p);
			return false;
		}
		if (++n > CONFIG_PATH_MAX) {
			error(c, line, "bad path '%.*s%s': more than %d elements",
			      QUOTE_MAX, s, ell(s), CONFIG_PATH_MAX);
			return false;
		}
		used = strlen(sel->path);
		snprintf(sel->path + used, sizeof(sel->path) - used, "/%02x.%d",
			 dev, fn);
	}
	/* (snprintf from one member into another upsets -Wrestrict) */
	memcpy(sel->text, "path ", 5);
	memcpy(sel->text + 5, sel->path, strlen(sel->path) + 1);
	return true;
}

/* Parses the words of one selector into *sel; false after an error. */
static bool parse_sel(struct config *c, unsigned int line, char **w, size_t nw,
		      struct config_sel *sel)
{
	const char *arg = nw > 1 ? w[1] : NULL;
	char why[128];
	uint32_t v, d;
	size_t colons = 0;
	const char *p;

	sel->line = line;
	if (!strcmp(w[0], "id"))
		sel->kind = CONFIG_ID;
	else if (!strcmp(w[0], "ifname"))
		sel->kind = CONFIG_IFNAME;
	else if (!strcmp(w[0], "mac"))
		sel->kind = CONFIG_MAC;
	else if (!strcmp(w[0], "path"))
		sel->kind = CONFIG_PATH;
	for (p = w[0]; *p; p++)
		colons += *p == ':';
	if (!sel->kind && (colons < 1 || colons > 2)) {
		error(c, line, "unknown selector '%.*s%s' (expected " SELECTORS ")",
		      QUOTE_MAX, w[0], ell(w[0]));
		return false;
	}
	if (!sel->kind) {
		sel->kind = CONFIG_ADDR;
		arg = w[0];
	} else if (!arg) {
		error(c, line, "%s: missing its %s", w[0],
		      sel->kind == CONFIG_ID ? "VVVV:DDDD" :
		      sel->kind == CONFIG_IFNAME ? "interface name" :
		      sel->kind == CONFIG_MAC ? "XX:XX:XX:XX:XX:XX" :
		      "DDDD:BB:DD.F[/DD.F...]");
		return false;
	}
	if (nw > (sel->kind == CONFIG_ADDR ? 1u : 2u)) {
		p = w[sel->kind == CONFIG_ADDR ? 1 : 2];
		error(c, line, "unexpected '%.*s%s' after the selector (one a line)",
		      QUOTE_MAX, p, ell(p));
		return false;
	}

	switch (sel->kind) {
	case CONFIG_ADDR:
		if (devname_parse(arg, &sel->addr, why, sizeof(why))) {
			error(c, line, "bad address '%.*s%s': %s", QUOTE_MAX, arg,
			      ell(arg), why);
			return false;
		}
		if (sel->addr.fn == DEVNAME_FN_ANY) {
			error(c, line, "'%.*s%s': a wildcard is not a selector (name each function, or use id)",
			      QUOTE_MAX, arg, ell(arg));
			return false;
		}
		devname_format(&sel->addr, sel->text, sizeof(sel->text));
		return true;
	case CONFIG_ID:
		if (strlen(arg) != 9 || arg[4] != ':' || !hex_n(arg, 4, &v) ||
		    !hex_n(arg + 5, 4, &d)) {
			error(c, line, "bad id '%.*s%s' (expected VVVV:DDDD, 4 hex digits each)",
			      QUOTE_MAX, arg, ell(arg));
			return false;
		}
		sel->vendor = (uint16_t)v;
		sel->device = (uint16_t)d;
		snprintf(sel->text, sizeof(sel->text), "id %04x:%04x", v, d);
		return true;
	case CONFIG_IFNAME:
		if (!valid_ifname(arg)) {
			error(c, line, "bad interface name '%.*s%s' (1 to %d characters, no '/', ':' or space)",
			      QUOTE_MAX, arg, ell(arg), CONFIG_IFNAME_MAX);
			return false;
		}
		snprintf(sel->ifname, sizeof(sel->ifname), "%s", arg);
		snprintf(sel->text, sizeof(sel->text), "ifname %s", arg);
		return true;
	case CONFIG_MAC:
		if (!parse_mac(arg, sel->mac)) {
			error(c, line, "bad MAC address '%.*s%s' (expected XX:XX:XX:XX:XX:XX)",
			      QUOTE_MAX, arg, ell(arg));
			return false;
		}
		snprintf(sel->text, sizeof(sel->text),
			 "mac %02x:%02x:%02x:%02x:%02x:%02x", sel->mac[0],
			 sel->mac[1], sel->mac[2], sel->mac[3], sel->mac[4],
			 sel->mac[5]);
		return true;
	case CONFIG_PATH:
		return parse_path(c, line, arg, sel);
	}
	return false;
}

/*
 * The function behind an interface, into @name.  Returns 0; -ENOENT when
 * there is no such interface (nothing reported); -EINVAL after an error
 * (reported, @what naming the selector).
 */
static int ifname_fn(struct config *c, unsigned int line, const char *what,
		     const char *ifname, char *name, size_t len)
{
	struct devname_match m;
	char path[PATH_MAX], why[256];
	struct stat st;

	if (path_fmt(path, sizeof(path), "%s/class/net/%s", c->sysfs, ifname)) {
		error(c, line, "%s: sysfs path too long", what);
		return -EINVAL;
	}
	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return -ENOENT;
		error(c, line, "%s: cannot read %.200s: %s", what, path,
		      strerror(errno));
		return -EINVAL;
	}
	if (devname_resolve(c->sysfs, ifname, &m, why, sizeof(why))) {
		error(c, line, "%s: %s", what, why);
		return -EINVAL;
	}
	snprintf(name, len, "%s", m.names[0]);
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * The interfaces whose address is @mac (sorted, at most MAC_MATCH_MAX).
 * Returns their number, or -1 after an error (reported).
 */
static int mac_ifnames(struct config *c, const struct config_sel *sel,
		       char (*names)[CONFIG_IFNAME_MAX + 1])
{
	char dir[PATH_MAX], path[PATH_MAX], buf[64];
	struct dirent *e;
	uint8_t mac[6];
	int n = 0, fd;
	ssize_t len;
	DIR *dp;

	if (path_fmt(dir, sizeof(dir), "%s/class/net", c->sysfs)) {
		error(c, sel->line, "%s: sysfs path too long", sel->text);
		return -1;
	}
	dp = opendir(dir);
	if (!dp) {
		if (errno == ENOENT)
			return 0;
		error(c, sel->line, "%s: cannot read %.200s: %s", sel->text,
		      dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(dp)) && n < MAC_MATCH_MAX) {
		if (e->d_name[0] == '.' || !valid_ifname(e->d_name) ||
		    path_fmt(path, sizeof(path), "%s/%s/address", dir, e->d_name))
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		if (parse_mac(buf, mac) && !memcmp(mac, sel->mac, 6))
			memcpy(names[n++], e->d_name, strlen(e->d_name) + 1);
	}
	closedir(dp);
	qsort(names, (size_t)n, sizeof(*names), str_cmp);
	return n;
}

/*
 * The function behind the interface with sel->mac, into @name; returns as
 * ifname_fn().  Interfaces that share the address without a device of
 * their own (a bridge, a bond, a VLAN on top) are passed over.
 */
static int mac_fn(struct config *c, const struct config_sel *sel, char *name,
		  size_t len)
{
	char names[MAC_MATCH_MAX][CONFIG_IFNAME_MAX + 1];
	char fn[PCIBACK_DEV_NAME_MAX] = "", why[256] = "", path[PATH_MAX];
	const char *found_if = NULL, *bad_if = NULL;
	struct devname_match m;
	int n, i;

	n = mac_ifnames(c, sel, names);
	if (n < 0)
		return -EINVAL;
	if (!n)
		return -ENOENT;
	for (i = 0; i < n; i++) {
		if (n > 1 &&
		    (path_fmt(path, sizeof(path), "%s/class/net/%s/device",
			      c->sysfs, names[i]) || access(path, F_OK)))
			continue;
		if (devname_resolve(c->sysfs, names[i], &m, why, sizeof(why))) {
			if (!bad_if)
				bad_if = names[i];
			continue;
		}
		if (found_if && strcmp(fn, m.names[0])) {
			error(c, sel->line, "%s: interfaces %s and %s have this address but are different functions (%s, %s): name the function by address or path",
			      sel->text, found_if, names[i], fn, m.names[0]);
			return -EINVAL;
		}
		found_if = names[i];
		snprintf(fn, sizeof(fn), "%s", m.names[0]);
	}
	if (!found_if) {
		error(c, sel->line, "%s: interface %s: %s", sel->text,
		      bad_if ? bad_if : names[0],
		      bad_if ? why : "network interface without a parent device (virtual), not a PCI device");
		return -EINVAL;
	}
	snprintf(name, len, "%s", fn);
	return 0;
}

/* The memo, read on first use; NULL when there is none (or no memory). */
static struct memo *config_memo(struct config *c, unsigned int line)
{
	int ret;

	if (!c->state)
		return NULL;
	if (!c->memo_read) {
		c->memo_read = true;
		c->memo = malloc(sizeof(*c->memo));
		if (!c->memo) {
			error(c, line, "out of memory");
			return NULL;
		}
		ret = memo_load(c->memo, c->state);
		if (ret)	/* it starts empty: worth a word, not an error */
			warning(c, line, "cannot read %.200s: %s; interfaces resolve only while they exist",
				c->state, strerror(-ret));
	}
	return c->memo;
}

/* Whether an interface sits on the function @name or below it: its name into @ifname. */
static bool fn_has_interface(struct config *c, const char *name,
			     char *ifname, size_t len)
{
	char fnpath[PATH_MAX], fnreal[PATH_MAX], dir[PATH_MAX], p[PATH_MAX];
	char real[PATH_MAX];
	struct dirent *e;
	bool found = false;
	size_t fl;
	DIR *dp;

	if (path_fmt(fnpath, sizeof(fnpath), "%s/bus/pci/devices/%s", c->sysfs,
		     name) || !realpath(fnpath, fnreal) ||
	    path_fmt(dir, sizeof(dir), "%s/class/net", c->sysfs))
		return false;
	fl = strlen(fnreal);
	dp = opendir(dir);
	if (!dp)
		return false;
	while (!found && (e = readdir(dp))) {
		if (e->d_name[0] == '.' ||
		    path_fmt(p, sizeof(p), "%s/%s/device", dir, e->d_name) ||
		    !realpath(p, real))
			continue;
		if (!strncmp(real, fnreal, fl) && (!real[fl] || real[fl] == '/')) {
			snprintf(ifname, len, "%.*s", (int)(len ? len - 1 : 0),
				 e->d_name);
			found = true;
		}
	}
	closedir(dp);
	return found;
}

/*
 * The function behind an ifname or mac selector into @name (sel->path set
 * too when it came from the memo): 0, or -1 after an error (reported, the
 * line refused).  See config.h for when the memo is used.
 */
static int resolve_interface(struct config *c, struct config_sel *sel,
			     char *name, size_t len)
{
	char path[CONFIG_PATH_TEXT_MAX], other[CONFIG_IFNAME_MAX + 1];
	const char *what = sel->kind == CONFIG_IFNAME ?
			   "no such network interface" :
			   "no network interface has this address";
	struct memo *m = config_memo(c, sel->line);
	const char *was;
	struct pci_table *t;
	size_t i;
	int ret;

	if (sel->kind == CONFIG_IFNAME)
		ret = ifname_fn(c, sel->line, sel->text, sel->ifname, name, len);
	else
		ret = mac_fn(c, sel, name, len);
	if (!ret) {
		if (m && !config_pci_path(c->sysfs, name, path, sizeof(path)))
			memo_put(m, sel->text, path);
		return 0;
	}
	if (ret != -ENOENT)
		return -1;
	was = m ? memo_get(m, sel->text) : NULL;
	if (!was) {
		error(c, sel->line, "%s: %s, and no function is remembered for it%s%.200s%s",
		      sel->text, what, c->state ? " (" : "",
		      c->state ? c->state : "", c->state ? ")" : "");
		return -1;
	}
	t = pci_table(c, sel->line);
	if (!t)
		return -1;
	for (i = 0; i < t->n; i++)
		if (!strcmp(t->fn[i].path, was))
			break;
	if (i == t->n) {
		error(c, sel->line, "%s: %s, and the function remembered for it (path %s) is not present",
		      sel->text, what, was);
		return -1;
	}
	if (fn_has_interface(c, t->fn[i].name, other, sizeof(other))) {
		error(c, sel->line, "%s: %s; the function remembered for it, %s (path %s), has interface %s now: renamed? name it by address or path",
		      sel->text, what, t->fn[i].name, was, other);
		return -1;
	}
	snprintf(name, len, "%s", t->fn[i].name);
	snprintf(sel->path, sizeof(sel->path), "%s", was);
	sel->remembered = true;
	return 0;
}

static void resolve_apply(struct config *c, struct config_sel *sel)
{
	char name[PCIBACK_DEV_NAME_MAX], path[PATH_MAX];
	struct pci_table *t;
	struct stat st;
	size_t i;

	switch (sel->kind) {
	case CONFIG_ADDR:
		if (path_fmt(path, sizeof(path), "%s/bus/pci/devices/%s",
			     c->sysfs, sel->text)) {
			error(c, sel->line, "%s: sysfs path too long", sel->text);
			return;
		}
		if (stat(path, &st)) {
			if (errno == ENOENT)
				error(c, sel->line, "%s: no such device", sel->text);
			else
				error(c, sel->line, "%s: cannot read %.200s: %s",
				      sel->text, path, strerror(errno));
			return;
		}
		add_dev(c, sel, sel->text);
		return;
	case CONFIG_ID:
	case CONFIG_PATH:
		t = pci_table(c, sel->line);
		if (!t)
			return;
		for (i = 0; i < t->n; i++) {
			const struct pci_fn *f = &t->fn[i];

			if (sel->kind == CONFIG_ID ?
			    f->has_id && f->vendor == sel->vendor &&
			    f->device == sel->device :
			    !strcmp(f->path, sel->path)) {
				if (add_dev(c, sel, f->name))
					return;
			}
		}
		if (!sel->nidx)
			error(c, sel->line, "%s %s", sel->text,
			      sel->kind == CONFIG_ID ? "matches no device" :
			      "leads to no device");
		return;
	case CONFIG_IFNAME:
	case CONFIG_MAC:
		if (!resolve_interface(c, sel, name, sizeof(name)))
			add_dev(c, sel, name);
		return;
	}
}

/* MODULE: the in-use functions, read on first use; NULL after an error. */
static struct inuse *module_inuse(struct config *c, unsigned int line)
{
	int ret;

	if (c->inuse_read) {
		if (!c->inuse)
			error(c, line, "not reserved: the mounted filesystems are unknown (see above)");
		return c->inuse;
	}
	c->inuse_read = true;
	c->inuse = malloc(sizeof(*c->inuse));
	if (!c->inuse) {
		error(c, line, "out of memory");
		return NULL;
	}
	ret = inuse_read(c->inuse, c->sysfs, c->proc);
	if (ret) {
		/* without it nothing can be promised: refuse */
		error(c, line, "not reserved: cannot read %.200s/self/mountinfo: %s (needed to keep the root disk's controller out)",
		      c->proc, strerror(-ret));
		free(c->inuse);
		c->inuse = NULL;
	}
	return c->inuse;
}

/* MODULE: refuses @sel when it names the in-use function @name. */
static void module_not_inuse(struct config *c, struct config_sel *sel,
			     const char *name)
{
	struct inuse *u = module_inuse(c, sel->line);
	const char *what;

	if (!u)
		return;
	what = inuse_find(u, name);
	if (what)
		error(c, sel->line, "%s: %s holds %s: never reserved at boot",
		      sel->text, name, what);
}

/* MODULE: functions an id matches that are in use get a '!' item. */
static void module_exclude(struct config *c, struct config_sel *sel,
			   const struct pci_fn *f)
{
	struct inuse *u = module_inuse(c, sel->line);
	const char *what;
	size_t i;

	if (!u)
		return;
	what = inuse_find(u, f->name);
	if (!what)
		return;
	if (!f->path[0]) {
		error(c, sel->line, "%s: matches %s, which holds %s and has no stable path to keep it out: never reserved at boot",
		      sel->text, f->name, what);
		return;
	}
	warning(c, sel->line, "%s: also matches %s, which holds %s: that one is never reserved at boot",
		sel->text, f->name, what);
	for (i = 0; i < c->nexcl; i++)
		if (!strcmp(c->excl[i], f->path))
			return;
	if (c->nexcl == CONFIG_EXCL_MAX) {
		error(c, sel->line, "%s: more than %d functions in use to keep out: name the others by address or path",
		      sel->text, CONFIG_EXCL_MAX);
		return;
	}
	snprintf(c->excl[c->nexcl++], sizeof(c->excl[0]), "%s", f->path);
}

static void resolve_module(struct config *c, struct config_sel *sel)
{
	char name[PCIBACK_DEV_NAME_MAX], path[PATH_MAX];
	const struct pci_fn *hit = NULL;
	struct pci_table *t;
	struct stat st;
	size_t i;
	int ret;

	switch (sel->kind) {
	case CONFIG_ADDR:
		if (!path_fmt(path, sizeof(path), "%s/bus/pci/devices/%s",
			      c->sysfs, sel->text) &&
		    stat(path, &st) && errno == ENOENT) {
			warning(c, sel->line, "%s: no such device now (reserved if it appears)",
				sel->text);
			return;
		}
		module_not_inuse(c, sel, sel->text);
		return;
	case CONFIG_ID:
	case CONFIG_PATH:
		t = pci_table(c, sel->line);
		if (!t)
			return;
		for (i = 0; i < t->n; i++) {
			const struct pci_fn *f = &t->fn[i];

			if (sel->kind == CONFIG_ID ?
			    !f->has_id || f->vendor != sel->vendor ||
			    f->device != sel->device :
			    strcmp(f->path, sel->path))
				continue;
			hit = f;
			if (sel->kind == CONFIG_ID)
				module_exclude(c, sel, f);
			else
				module_not_inuse(c, sel, f->name);
		}
		if (!hit)
			warning(c, sel->line, "%s %s now (reserved if it appears)",
				sel->text, sel->kind == CONFIG_ID ?
				"matches no device" : "leads to no device");
		return;
	case CONFIG_IFNAME:
	case CONFIG_MAC:
		if (resolve_interface(c, sel, name, sizeof(name)))
			return;
		if (!sel->remembered) {
			ret = config_pci_path(c->sysfs, name, sel->path,
					      sizeof(sel->path));
			if (ret) {
				error(c, sel->line, "%s: %s: cannot find its path from a root bus: %s",
				      sel->text, name, strerror(-ret));
				return;
			}
		}
		module_not_inuse(c, sel, name);
		return;
	}
}

static void parse_line(struct config *c, unsigned int line, char *s)
{
	struct config_sel *sel;
	char *w[3], *p;
	size_t nw = 0, before;

	p = strchr(s, '#');
	if (p)
		*p = '\0';
	for (p = s; nw < ARRAY_SIZE(w);) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		w[nw++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
	if (!nw)
		return;
	if (c->nsels == CONFIG_SELS_MAX) {
		error(c, line, "more than %d selectors", CONFIG_SELS_MAX);
		return;
	}
	sel = &c->sels[c->nsels];
	memset(sel, 0, sizeof(*sel));
	if (!parse_sel(c, line, w, nw, sel))
		return;
	c->nsels++;
	before = c->errors.total;
	if (c->mode == CONFIG_APPLY)
		resolve_apply(c, sel);
	else
		resolve_module(c, sel);
	sel->refused = c->errors.total != before;
}

int config_read(struct config *c, FILE *f)
{
	unsigned int line = 0;
	bool too_long, nul;
	size_t len;
	char *buf;
	int ch;

	buf = malloc(CONFIG_LINE_MAX + 1);
	if (!buf) {
		error(c, 0, "out of memory");
		return -ENOMEM;
	}
	while ((ch = getc(f)) != EOF) {
		line++;
		len = 0;
		too_long = false;
		nul = false;
		for (; ch != EOF && ch != '\n'; ch = getc(f)) {
			if (!ch)
				nul = true;
			if (len < CONFIG_LINE_MAX)
				buf[len++] = (char)ch;
			else
				too_long = true;
		}
		buf[len] = '\0';
		if (too_long)
			error(c, line, "line longer than %d characters",
			      CONFIG_LINE_MAX);
		else if (nul)
			error(c, line, "NUL byte in the line");
		else
			parse_line(c, line, buf);
		if (c->errors.total >= CONFIG_ERRORS_MAX && ch != EOF) {
			/* only when there is more */
			ch = getc(f);
			if (ch == EOF)
				break;
			ungetc(ch, f);
			give_up(c, line, "too many errors, stopped reading here");
			c->lines_done = true;
			break;
		}
		if (line == UINT_MAX) {
			give_up(c, line, "too many lines, stopped reading here");
			c->lines_done = true;
			break;
		}
	}
	free(buf);
	if (ferror(f)) {
		error(c, 0, "read error: %s", strerror(errno));
		return -EIO;
	}
	return c->errors.total ? -EINVAL : 0;
}

/* The module parameter's item for @sel. */
static void module_item(const struct config_sel *sel, char *buf, size_t len)
{
	switch (sel->kind) {
	case CONFIG_ADDR:
		snprintf(buf, len, "%s", sel->text);
		break;
	case CONFIG_ID:
		snprintf(buf, len, "id:%04x:%04x", sel->vendor, sel->device);
		break;
	default:
		snprintf(buf, len, "path:%s", sel->path);
		break;
	}
}

int config_module_options(struct config *c, char *buf, size_t len)
{
	char item[CONFIG_SEL_TEXT_MAX + 8], prev[CONFIG_SEL_TEXT_MAX + 8];
	size_t i, j, need = 0;
	bool dup;

	if (c->mode != CONFIG_MODULE || len <= CONFIG_MODULE_MAX)
		return -EINVAL;
	buf[0] = '\0';
	for (i = 0; i < c->nsels + c->nexcl; i++) {
		if (i >= c->nsels) {
			snprintf(item, sizeof(item), "!path:%s",
				 c->excl[i - c->nsels]);
		} else {
			if (c->sels[i].refused)
				continue;
			module_item(&c->sels[i], item, sizeof(item));
			for (dup = false, j = 0; j < i && !dup; j++) {
				if (c->sels[j].refused)
					continue;
				module_item(&c->sels[j], prev, sizeof(prev));
				dup = !strcmp(item, prev);
			}
			if (dup)
				continue;
		}
		if (need + (need ? 1 : 0) + strlen(item) <= CONFIG_MODULE_MAX)
			snprintf(buf + need, len - need, "%s%s", need ? "," : "",
				 item);
		need += (need ? 1 : 0) + strlen(item);
	}
	if (need > CONFIG_MODULE_MAX) {
		buf[0] = '\0';
		error(c, 0, "the module parameter would be %zu bytes long, more than %d: use fewer selectors (one id selector matches many functions)",
		      need, CONFIG_MODULE_MAX);
		return -E2BIG;
	}
	return 0;
}
