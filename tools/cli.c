// SPDX-License-Identifier: GPL-2.0-only
/*
 * cli.c - the options and operands of one command.
 *
 * Error messages quote the user's words with control characters as '?'.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <linux/pciback_nl.h>

#include "cli.h"

/* --count takes at most this; more is a typo, not a plan. */
#define COUNT_MAX 1000000000UL

static const struct {
	const char *name;	/* long name, without "--" */
	char short_name;	/* 0: none */
	const char *arg;	/* name of its argument; NULL: none */
	uint32_t op_flag;	/* PCIBACK_OP_FLAG_x it sets, or 0 */
	const char *help;
} opts[CLI_NOPTS] = {
	[CLI_DRY_RUN] = { "dry-run", 'n', NULL, PCIBACK_OP_FLAG_DRY_RUN,
		"check and show what would happen; change nothing" },
	[CLI_FORCE] = { "force", 'f', NULL, PCIBACK_OP_FLAG_FORCE,
		"go ahead although a device is in use by dom0 (an\n"
		"interface up, a disk mounted, the boot VGA) or, on\n"
		"unhide, assigned to a guest" },
	[CLI_ALLOW_BRIDGE] = { "allow-bridge", 0, NULL,
		PCIBACK_OP_FLAG_ALLOW_BRIDGE,
		"allow bridges (xen-pciback then also claims the\n"
		"devices found below them later)" },
	[CLI_WITH_GROUP] = { "with-group", 0, NULL,
		PCIBACK_OP_FLAG_WITH_GROUP,
		"also hide the rest of the devices' co-assignment\n"
		"group (see check); its bridges stay in dom0" },
	[CLI_COUNT] = { "count", 0, "N", 0,
		"exit after N events (a positive number)" },
	[CLI_IOMMU_GROUP] = { "iommu-group", 0, NULL,
		PCIBACK_OP_FLAG_IOMMU_GROUP,
		"the group Linux's IOMMU layer would form (one\n"
		"device; members only, no verdict)" },
	[CLI_MODULE_OPTIONS] = { "module-options", 0, NULL, 0,
		"print the value of pciback_nl.hide= for boot;\n"
		"send nothing" },
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	char *p;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		/* it quotes the user's words: keep them off the terminal */
		for (p = err; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
	}
	return -EINVAL;
}

static int set_count(const char *s, struct cli_args *a, char *err,
		     size_t errlen)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end || errno || !v || v > COUNT_MAX)
		return fail(err, errlen,
			    "--count: expected a number from 1 to %lu, found '%.32s'",
			    COUNT_MAX, s);
	a->count = v;
	return 0;
}

/* Applies option @id; @val is its argument (NULL if none was given). */
static int apply(int id, const char *val, struct cli_args *a, char *err,
		 size_t errlen)
{
	a->given |= CLI_OPT(id);
	if (id == CLI_COUNT)
		return set_count(val, a, err, errlen);
	a->op_flags |= opts[id].op_flag;
	return 0;
}

static int find_long(unsigned int allowed, const char *name, size_t len)
{
	int i;

	for (i = 0; i < CLI_NOPTS; i++)
		if ((allowed & CLI_OPT(i)) && strlen(opts[i].name) == len &&
		    !strncmp(opts[i].name, name, len))
			return i;
	return -1;
}

static int find_short(unsigned int allowed, char c)
{
	int i;

	for (i = 0; i < CLI_NOPTS; i++)
		if ((allowed & CLI_OPT(i)) && opts[i].short_name == c)
			return i;
	return -1;
}

/* "--name", "--name=value" or "--name value" (taking argv[*i + 1]). */
static int parse_long(unsigned int allowed, int argc, char **argv, int *i,
		      struct cli_args *a, char *err, size_t errlen)
{
	const char *word = argv[*i], *name = word + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	int id;

	if (len == 4 && !strncmp(name, "help", 4) && !eq) {
		a->help = true;
		return 0;
	}
	id = find_long(allowed, name, len);
	if (id < 0)
		return fail(err, errlen, "unknown option '%.*s'",
			    (int)(len > 64 ? 64 : len + 2), word);
	if (!opts[id].arg) {
		if (eq)
			return fail(err, errlen,
				    "option '--%s' takes no argument",
				    opts[id].name);
		return apply(id, NULL, a, err, errlen);
	}
	if (eq)
		return apply(id, eq + 1, a, err, errlen);
	if (*i + 1 >= argc)
		return fail(err, errlen, "option '--%s' needs an argument",
			    opts[id].name);
	return apply(id, argv[++*i], a, err, errlen);
}

/* "-x", "-xy": short options without arguments. */
static int parse_short(unsigned int allowed, const char *word,
		       struct cli_args *a, char *err, size_t errlen)
{
	const char *p;
	int id, ret;

	for (p = word + 1; *p; p++) {
		if (*p == 'h') {
			a->help = true;
			return 0;
		}
		id = find_short(allowed, *p);
		if (id < 0)
			return fail(err, errlen, "unknown option '-%c'", *p);
		ret = apply(id, NULL, a, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

int cli_parse(unsigned int allowed, int argc, char **argv,
	      struct cli_args *a, char *err, size_t errlen)
{
	bool opts_end = false;
	int i, ret;

	a->help = false;
	a->op_flags = 0;
	a->count = 0;
	a->given = 0;
	a->nargs = 0;
	if (err && errlen)
		err[0] = '\0';
	for (i = 0; i < argc; i++) {
		char *w = argv[i];

		if (opts_end || w[0] != '-' || !w[1]) {
			a->args[a->nargs++] = w;
			continue;
		}
		if (!strcmp(w, "--")) {
			opts_end = true;
			continue;
		}
		if (w[1] == '-')
			ret = parse_long(allowed, argc, argv, &i, a, err,
					 errlen);
		else
			ret = parse_short(allowed, w, a, err, errlen);
		if (ret)
			return ret;
		if (a->help)
			return 0;
	}
	return 0;
}

void cli_print_options(FILE *f, unsigned int allowed)
{
	char left[32];
	const char *p, *nl;
	int i;

	if (!(allowed & (CLI_OPT(CLI_NOPTS) - 1)))
		return;
	fputs("Options:\n", f);
	for (i = 0; i < CLI_NOPTS; i++) {
		if (!(allowed & CLI_OPT(i)))
			continue;
		if (opts[i].short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
				 opts[i].short_name, opts[i].name,
				 opts[i].arg ? " " : "",
				 opts[i].arg ? opts[i].arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", opts[i].name,
				 opts[i].arg ? " " : "",
				 opts[i].arg ? opts[i].arg : "");
		/* a long one gets a line of its own */
		if (strlen(left) >= 20) {
			fprintf(f, "  %s\n", left);
			left[0] = '\0';
		}
		/* continuation lines of the help are indented alike */
		for (p = opts[i].help; p; p = nl ? nl + 1 : NULL) {
			nl = strchr(p, '\n');
			fprintf(f, "  %-20s%.*s\n", p == opts[i].help ? left : "",
				nl ? (int)(nl - p) : (int)strlen(p), p);
		}
	}
}
