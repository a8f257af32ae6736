// SPDX-License-Identifier: GPL-2.0-only
/*
 * memo.c - remembered stable paths of interface selectors (see memo.h).
 */
#define _GNU_SOURCE		/* mkostemp() */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memo.h"

/* A selector this file may hold: "ifname NAME" or "mac XX:..:XX". */
static bool memo_sel_ok(const char *s)
{
	const char *p;

	if (strncmp(s, "ifname ", 7) && strncmp(s, "mac ", 4))
		return false;
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return strlen(s) < CONFIG_SEL_TEXT_MAX;
}

static bool memo_path_ok(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef:./");

	return n && !s[n] && n < CONFIG_PATH_TEXT_MAX;
}

int memo_load(struct memo *m, const char *file)
{
	char line[CONFIG_SEL_TEXT_MAX + CONFIG_PATH_TEXT_MAX + 8], *sp;
	FILE *f;
	int err;

	memset(m, 0, sizeof(*m));
	f = fopen(file, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);

		if (len && line[len - 1] == '\n') {
			line[--len] = '\0';
		} else if (!feof(f)) {
			int ch;

			/* too long: not ours, skip the rest of it */
			while ((ch = getc(f)) != EOF && ch != '\n')
				;
			continue;
		}
		if (line[0] == '#' || !line[0])
			continue;
		sp = strrchr(line, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		if (memo_sel_ok(line) && memo_path_ok(sp + 1))
			memo_put(m, line, sp + 1);
	}
	err = ferror(f) ? -EIO : 0;
	fclose(f);
	m->dirty = false;
	return err;
}

const char *memo_get(const struct memo *m, const char *sel)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->e[i].sel, sel))
			return m->e[i].path;
	return NULL;
}

void memo_put(struct memo *m, const char *sel, const char *path)
{
	size_t i;

	if (!memo_sel_ok(sel) || !memo_path_ok(path))
		return;
	for (i = 0; i < m->n; i++)
		if (!strcmp(m->e[i].sel, sel))
			break;
	if (i < m->n && !strcmp(m->e[i].path, path))
		return;
	if (i == m->n && m->n == MEMO_MAX)
		i = 0;			/* full: the oldest goes */
	if (i < m->n) {
		memmove(&m->e[i], &m->e[i + 1], (m->n - i - 1) * sizeof(m->e[0]));
		m->n--;
	}
	snprintf(m->e[m->n].sel, sizeof(m->e[m->n].sel), "%s", sel);
	snprintf(m->e[m->n].path, sizeof(m->e[m->n].path), "%s", path);
	m->n++;
	m->dirty = true;
}

/* mkdir -p @dir, mode 0755: 0 or -errno (@dir then names what failed). */
static int mkdirs(char *dir)
{
	char *p, c;

	for (p = dir + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -errno;
		*p = c;
		if (!c)
			return 0;
	}
}

int memo_save(struct memo *m, const char *file, char *why, size_t len)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 16], *slash;
	int fd, err = 0;
	size_t i;
	FILE *f;

	if (!m->dirty)
		return 0;
	if (snprintf(dir, sizeof(dir), "%s", file) >= (int)sizeof(dir)) {
		snprintf(why, len, "%s: name too long", file);
		return -ENAMETOOLONG;
	}
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		err = mkdirs(dir);
		if (err) {
			snprintf(why, len, "cannot create %s: %s", dir,
				 strerror(-err));
			return err;
		}
	}
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", file);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(why, len, "cannot create a file beside %s: %s", file,
			 strerror(errno));
		return err;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		goto fail;
	}
	fputs("# pciback-nl: the functions that interface selectors of\n"
	      "# /etc/pciback-nl/hide.conf named when they last resolved,\n"
	      "# by stable path; used when the interface is gone (hidden).\n"
	      "# Written by pcibackctl apply; see pcibackctl(8).\n", f);
	for (i = 0; i < m->n; i++)
		fprintf(f, "%s %s\n", m->e[i].sel, m->e[i].path);
	if (fflush(f) || fsync(fileno(f)))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && (chmod(tmp, 0644) || rename(tmp, file)))
		err = -errno;
	if (!err) {
		m->dirty = false;
		return 0;
	}
fail:
	snprintf(why, len, "cannot write %s: %s", file, strerror(-err));
	unlink(tmp);
	return err;
}
