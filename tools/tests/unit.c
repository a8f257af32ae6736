// SPDX-License-Identifier: GPL-2.0-only
/*
 * unit.c - the harness and main() of the unit tests.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "unit.h"

static int n_run, n_failed;
static bool current_failed;

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	current_failed = true;
	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

const char *unit_quote(const char *s)
{
	static char buf[8192];
	size_t n = 0;

	buf[n++] = '"';
	for (; *s && n < sizeof(buf) - 8; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\\n");
		else if (c == '"' || c == '\\')
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\\x%02x", c);
		else
			buf[n++] = (char)c;
	}
	buf[n++] = '"';
	buf[n] = '\0';
	return buf;
}

void unit_put(const char *root, const char *rel, const char *text)
{
	char path[PATH_MAX * 2], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		unit_fail(__FILE__, __LINE__, "write %s: %m", path);
}

char *unit_capture(void (*fn)(FILE *f, const void *arg), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	fn(f, arg);
	if (fclose(f))
		abort();
	return buf;
}

void unit_run(const char *name, void (*fn)(void))
{
	current_failed = false;
	fn();
	n_run++;
	if (current_failed)
		n_failed++;
	printf("%sok %d - %s\n", current_failed ? "not " : "", n_run, name);
	fflush(stdout);
}

int main(void)
{
	test_devname();
	test_json();
	test_output();
	test_nl();
	test_pciids();
	test_cli();
	test_usage();
	test_config();
	test_xenq();
	test_xlrec();
	printf("%d passed, %d failed\n", n_run - n_failed, n_failed);
	return n_failed ? 1 : 0;
}
