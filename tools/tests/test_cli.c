// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_cli.c - options and operands of a command: what is accepted, what
 * is a usage error and the message it gets.
 */
#include <errno.h>
#include <stdlib.h>

#include <linux/pciback_nl.h>

#include "cli.h"
#include "unit.h"

#define HIDE_OPTS (CLI_OPT(CLI_DRY_RUN) | CLI_OPT(CLI_FORCE) | \
		   CLI_OPT(CLI_ALLOW_BRIDGE))
#define UNHIDE_OPTS (CLI_OPT(CLI_DRY_RUN) | CLI_OPT(CLI_FORCE))

struct parsed {
	int ret;
	struct cli_args a;
	char *args[16];
	char err[160];
};

/* Parses the NULL-terminated @words (copied: argv is not const). */
static void parse(unsigned int allowed, struct parsed *p,
		  const char *const *words)
{
	static char buf[16][64];
	char *argv[16];
	int argc = 0;

	while (words[argc]) {
		snprintf(buf[argc], sizeof(buf[argc]), "%s", words[argc]);
		argv[argc] = buf[argc];
		argc++;
	}
	p->a = (struct cli_args){ .args = p->args };
	p->ret = cli_parse(allowed, argc, argv, &p->a, p->err, sizeof(p->err));
}

#define PARSE(allowed, p, ...) \
	parse(allowed, p, (const char *const []){ __VA_ARGS__, NULL })

static void flags(void)
{
	struct parsed p;

	PARSE(HIDE_OPTS, &p, "03:00.0");
	CHECK_INT(p.ret, 0);
	CHECK_INT(p.a.op_flags, 0);
	CHECK_INT(p.a.nargs, 1);
	CHECK_STR(p.a.args[0], "03:00.0");

	PARSE(HIDE_OPTS, &p, "--dry-run", "03:00.0", "--force", "eth1",
	      "--allow-bridge");
	CHECK_INT(p.ret, 0);
	CHECK_INT(p.a.op_flags, PCIBACK_OP_FLAG_DRY_RUN | PCIBACK_OP_FLAG_FORCE |
		  PCIBACK_OP_FLAG_ALLOW_BRIDGE);
	CHECK_INT(p.a.nargs, 2);
	CHECK_STR(p.a.args[0], "03:00.0");
	CHECK_STR(p.a.args[1], "eth1");

	PARSE(HIDE_OPTS, &p, "-nf", "03:00.*");
	CHECK_INT(p.ret, 0);
	CHECK_INT(p.a.op_flags, PCIBACK_OP_FLAG_DRY_RUN | PCIBACK_OP_FLAG_FORCE);
	CHECK_INT(p.a.nargs, 1);

	PARSE(UNHIDE_OPTS, &p, "-n", "-f", "03:00.0");
	CHECK_INT(p.ret, 0);
	CHECK_INT(p.a.op_flags, PCIBACK_OP_FLAG_DRY_RUN | PCIBACK_OP_FLAG_FORCE);

	/* after "--" everything is an operand; "-" alone is one too */
	PARSE(HIDE_OPTS, &p, "--", "-n", "-");
	CHECK_INT(p.ret, 0);
	CHECK_INT(p.a.op_flags, 0);
	CHECK_INT(p.a.nargs, 2);
	CHECK_STR(p.a.args[0], "-n");
	CHECK_STR(p.a.args[1], "-");

	/* no operand is not cli's business: the command's minimum is */
	PARSE(HIDE_OPTS, &p, "-n");
	CHECK_INT(p.ret, 0);
	CHECK_INT(p.a.nargs, 0);
}

static void help_opt(void)
{
	struct parsed p;

	PARSE(0, &p, "--help");
	CHECK_INT(p.ret, 0);
	CHECK(p.a.help);
	PARSE(HIDE_OPTS, &p, "03:00.0", "-h", "--bogus");
	CHECK_INT(p.ret, 0);
	CHECK(p.a.help);
	PARSE(HIDE_OPTS, &p, "-nh");
	CHECK_INT(p.ret, 0);
	CHECK(p.a.help);
	PARSE(HIDE_OPTS, &p, "--", "--help");
	CHECK(!p.a.help);
}

static void count_opt(void)
{
	struct parsed p;

	PARSE(CLI_OPT(CLI_COUNT), &p, "--count", "3");
	CHECK_INT(p.ret, 0);
	CHECK_INT(p.a.count, 3);
	CHECK_INT(p.a.nargs, 0);
	PARSE(CLI_OPT(CLI_COUNT), &p, "--count=12");
	CHECK_INT(p.ret, 0);
	CHECK_INT(p.a.count, 12);
	PARSE(CLI_OPT(CLI_COUNT), &p, "x");
	CHECK_INT(p.a.count, 0);
	CHECK_INT(p.a.nargs, 1);
}

static void usage_error(unsigned int allowed, const char *const *words,
			const char *msg, int line)
{
	struct parsed p;

	parse(allowed, &p, words);
	if (p.ret != -EINVAL)
		unit_fail(__FILE__, line, "returned %d, expected -EINVAL", p.ret);
	if (strcmp(p.err, msg)) {
		unit_fail(__FILE__, line, "  got      %s", unit_quote(p.err));
		unit_fail(__FILE__, line, "  expected %s", unit_quote(msg));
	}
}

#define USAGE(allowed, msg, ...) \
	usage_error(allowed, (const char *const []){ __VA_ARGS__, NULL }, \
		    msg, __LINE__)

static void errors(void)
{
	USAGE(UNHIDE_OPTS, "unknown option '--allow-bridge'", "--allow-bridge",
	      "03:00.0");
	USAGE(HIDE_OPTS, "unknown option '-x'", "-nx", "03:00.0");
	USAGE(HIDE_OPTS, "unknown option '--dry'", "--dry", "03:00.0");
	USAGE(HIDE_OPTS, "unknown option '--count'", "--count=2");
	USAGE(0, "unknown option '-n'", "-n");
	USAGE(HIDE_OPTS, "option '--force' takes no argument", "--force=yes");
	USAGE(CLI_OPT(CLI_COUNT), "option '--count' needs an argument",
	      "--count");
	USAGE(CLI_OPT(CLI_COUNT),
	      "--count: expected a number from 1 to 1000000000, found '0'",
	      "--count", "0");
	USAGE(CLI_OPT(CLI_COUNT),
	      "--count: expected a number from 1 to 1000000000, found '-1'",
	      "--count=-1");
	USAGE(CLI_OPT(CLI_COUNT),
	      "--count: expected a number from 1 to 1000000000, found '3x'",
	      "--count", "3x");
	USAGE(CLI_OPT(CLI_COUNT),
	      "--count: expected a number from 1 to 1000000000, found ''",
	      "--count=");
	USAGE(CLI_OPT(CLI_COUNT),
	      "--count: expected a number from 1 to 1000000000, found '99999999999999999999'",
	      "--count", "99999999999999999999");
	USAGE(HIDE_OPTS, "unknown option '-?'", "-\x01");
	USAGE(HIDE_OPTS, "unknown option '--a?b'", "--a\033b");
}

static void write_options(FILE *f, const void *arg)
{
	cli_print_options(f, *(const unsigned int *)arg);
}

static void options_help(void)
{
	unsigned int allowed = UNHIDE_OPTS;
	char *out = unit_capture(write_options, &allowed);

	CHECK_STR(out,
		  "Options:\n"
		  "  -n, --dry-run       check and show what would happen; change nothing\n"
		  "  -f, --force         go ahead although a device is in use by dom0 (an\n"
		  "                      interface up, a disk mounted, the boot VGA) or, on\n"
		  "                      unhide, assigned to a guest\n");
	free(out);
	allowed = 0;
	out = unit_capture(write_options, &allowed);
	CHECK_STR(out, "");
	free(out);
	allowed = CLI_OPT(CLI_COUNT) | CLI_OPT(CLI_ALLOW_BRIDGE);
	out = unit_capture(write_options, &allowed);
	CHECK_CONTAINS(out, "      --allow-bridge  allow bridges");
	CHECK_CONTAINS(out, "      --count N       exit after N events");
	free(out);
}

void test_cli(void)
{
	unit_run("cli: hide/unhide flags, anywhere, combined", flags);
	unit_run("cli: -h/--help wins over the rest", help_opt);
	unit_run("cli: monitor --count", count_opt);
	unit_run("cli: usage errors and their messages", errors);
	unit_run("cli: per-command option help", options_help);
}
