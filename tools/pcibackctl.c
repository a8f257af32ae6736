// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcibackctl - inspect PCI functions through pciback_nl, the generic
 * netlink family "pciback".
 *
 *   pcibackctl [OPTIONS] COMMAND [ARGS]
 *
 * Exit status (also in --help and the man page):
 *   0  ok
 *   1  the operation failed (any error not listed below)
 *   2  usage error, including a malformed device name
 *   3  reserved for "check: not assignable"
 *   4  pciback_nl is not loaded, or its family is not available here
 *   5  no such device (unknown device name, ENODEV)
 *   6  permission denied (EPERM, EACCES)
 *   7  device busy (EBUSY)
 *   8  already in the requested state (EEXIST)
 * Never 255.  When several devices are named and some fail, the others are
 * still shown and the status is that of the first failure.
 *
 * Device names that are not already canonical full addresses (03:00.0,
 * 03:00.*, eth0, uppercase hex) are echoed with what they resolved to on
 * stderr, "pcibackctl: eth0 -> 0000:00:03.0", in human and JSON mode alike:
 * stdout carries only the result (one JSON document with -j).
 * All names are resolved before the first request is sent.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devname.h"
#include "json.h"
#include "nl.h"
#include "output.h"
#include "pciids.h"
#include "util.h"

#ifndef VERSION
#define VERSION "0.1.0"
#endif

#define PROG "pcibackctl"

enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_NOT_ASSIGNABLE = 3,	/* reserved for "check" */
	EXIT_NO_FAMILY = 4,
	EXIT_NO_DEVICE = 5,
	EXIT_PERM = 6,
	EXIT_BUSY = 7,
	EXIT_ALREADY = 8,
};

struct ctx {
	bool json;
	bool pretty;
	const char *sysfs;
	struct pciids *ids;
	bool ids_tried;
};

struct command {
	const char *name;
	const char *args;	/* synopsis after the name */
	const char *summary;
	const char *help;	/* more for "help COMMAND", or NULL */
	int min_args;
	int max_args;		/* -1: no limit */
	int (*run)(struct ctx *ctx, const struct command *cmd, int argc,
		   char **argv);
};

static const struct command *find_command(const char *name);

static const char devices_help[] =
	"DEV is a PCI address 0000:03:00.0 (domain of up to 8 hex digits),\n"
	"03:00.0 (domain 0000), 03:00.* or 0000:03:00.* (every present\n"
	"function of the slot), or a network interface name (its PCI function).\n";

static const char exit_help[] =
	"Exit status:\n"
	"  0  ok\n"
	"  1  the operation failed\n"
	"  2  usage error, including a malformed device name\n"
	"  3  reserved for \"check: not assignable\"\n"
	"  4  pciback_nl not loaded, or its family not available here\n"
	"  5  no such device\n"
	"  6  permission denied\n"
	"  7  device busy\n"
	"  8  already in the requested state\n";

static int exit_code(int err)
{
	switch (err) {
	case 0:		return EXIT_OK;
	case ENODEV:	return EXIT_NO_DEVICE;
	case EPERM:
	case EACCES:	return EXIT_PERM;
	case EBUSY:	return EXIT_BUSY;
	case EEXIST:	return EXIT_ALREADY;
	}
	return EXIT_FAILED;
}

static void __attribute__((format(printf, 1, 2))) error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	putc('\n', stderr);
}

/* "pcibackctl: show 0000:03:00.1: <extack message> (<strerror>)" */
static int report(const char *cmd, const char *dev, const struct pbnl_err *e)
{
	if (e->msg[0])
		error("%s%s%s: %s (%s)", cmd, dev ? " " : "", dev ? dev : "",
		      e->msg, strerror(e->err));
	else
		error("%s%s%s: %s", cmd, dev ? " " : "", dev ? dev : "",
		      strerror(e->err));
	return exit_code(e->err);
}

static void print_usage(FILE *f)
{
	fputs("Usage: " PROG " [OPTIONS] COMMAND [ARGS]\n", f);
}

static void print_command_usage(FILE *f, const struct command *cmd)
{
	fprintf(f, "Usage: " PROG " [OPTIONS] %s%s%s\n", cmd->name,
		*cmd->args ? " " : "", cmd->args);
}

static int __attribute__((format(printf, 2, 3)))
usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	putc('\n', stderr);
	if (cmd)
		print_command_usage(stderr, cmd);
	else
		print_usage(stderr);
	fputs("Try '" PROG " help' for more information.\n", stderr);
	return EXIT_USAGE;
}

static int finish_output(void)
{
	if (fflush(stdout) || ferror(stdout)) {
		error("write error: %s", strerror(errno));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static struct pciids *ids(struct ctx *ctx)
{
	if (!ctx->ids_tried) {
		ctx->ids = pciids_open(NULL);
		ctx->ids_tried = true;
	}
	return ctx->ids;
}

static void names_get(struct ctx *ctx, const struct pb_dev *d,
		      struct pb_names *n)
{
	struct pciids *db = ids(ctx);

	*n = (struct pb_names){ 0 };
	if (pb_dev_has(d, PCIBACK_A_DEV_VENDOR)) {
		n->vendor = pciids_vendor(db, d->vendor);
		if (pb_dev_has(d, PCIBACK_A_DEV_DEVICE))
			n->device = pciids_device(db, d->vendor, d->device);
	}
	if (pb_dev_has(d, PCIBACK_A_DEV_CLASS))
		n->class_name = pciids_class(db, d->class_code);
}

static void names_put(struct pb_names *n)
{
	free((void *)n->vendor);
	free((void *)n->device);
	free((void *)n->class_name);
}

/* Renders devices as the command's result: a JSON array, a table or blocks. */
static int print_devices(struct ctx *ctx, const struct pb_dev *devs, size_t n,
			 bool table)
{
	struct pb_names *names = calloc(n ? n : 1, sizeof(*names));
	struct json_writer w;
	int rc = EXIT_OK;
	size_t i;

	if (!names) {
		error("out of memory");
		return EXIT_FAILED;
	}
	for (i = 0; i < n; i++)
		names_get(ctx, &devs[i], &names[i]);

	if (ctx->json) {
		json_init(&w, stdout, ctx->pretty);
		json_array_begin(&w);
		for (i = 0; i < n; i++)
			output_dev_json(&w, &devs[i], &names[i]);
		json_array_end(&w);
		if (json_end(&w)) {
			error("cannot write JSON: %s", strerror(errno));
			rc = EXIT_FAILED;
		}
	} else if (table) {
		output_table(stdout, devs, names, n);
	} else {
		for (i = 0; i < n; i++) {
			if (i)
				putchar('\n');
			output_show(stdout, &devs[i], &names[i]);
		}
	}
	if (!rc)
		rc = finish_output();
	for (i = 0; i < n; i++)
		names_put(&names[i]);
	free(names);
	return rc;
}

static int open_nl(struct ctx *ctx, const char *cmd, struct pbnl **nl)
{
	char path[4096];
	struct pbnl_err e;
	int ret;

	ret = pbnl_open(nl, &e);
	if (!ret)
		return EXIT_OK;
	if (ret != -ENOENT)
		return report(cmd, NULL, &e);

	snprintf(path, sizeof(path), "%s/module/pciback_nl", ctx->sysfs);
	if (access(path, F_OK))
		error("pciback_nl is not loaded (modprobe pciback_nl)");
	else
		error("generic netlink family " PCIBACK_FAMILY_NAME
		      " not found (pciback_nl is loaded: is this a network "
		      "namespace other than the initial one?)");
	return EXIT_NO_FAMILY;
}

static int cmd_list(struct ctx *ctx, const struct command *cmd, int argc,
		    char **argv)
{
	struct pbnl_err e;
	struct pb_dev *devs;
	struct pbnl *nl;
	size_t n;
	int rc;

	(void)argc;
	(void)argv;
	rc = open_nl(ctx, cmd->name, &nl);
	if (rc)
		return rc;
	if (pbnl_dev_dump(nl, &devs, &n, &e)) {
		rc = report(cmd->name, NULL, &e);
		pbnl_close(nl);
		return rc;
	}
	pbnl_close(nl);
	rc = print_devices(ctx, devs, n, true);
	pbnl_devs_free(devs, n);
	return rc;
}

static void announce(const char *arg, const struct devname_match *m)
{
	size_t i;

	if (m->n == 1 && !strcmp(arg, m->names[0]))
		return;
	fprintf(stderr, PROG ": %s ->", arg);
	for (i = 0; i < m->n; i++)
		fprintf(stderr, " %s", m->names[i]);
	putc('\n', stderr);
}

static bool listed(char (*names)[PCIBACK_DEV_NAME_MAX], size_t n,
		   const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

static int cmd_show(struct ctx *ctx, const struct command *cmd, int argc,
		    char **argv)
{
	char (*names)[PCIBACK_DEV_NAME_MAX] = NULL;
	struct pb_dev *devs = NULL;
	size_t nnames = 0, ndevs = 0, i, j;
	struct devname_match m;
	struct pbnl *nl = NULL;
	struct pbnl_err e;
	char err[256];
	int rc = EXIT_OK, ret;

	names = calloc((size_t)argc * DEVNAME_MATCH_MAX, sizeof(*names));
	if (!names) {
		error("out of memory");
		return EXIT_FAILED;
	}
	for (i = 0; i < (size_t)argc; i++) {
		ret = devname_resolve(ctx->sysfs, argv[i], &m, err, sizeof(err));
		if (ret) {
			error("%s %s: %s", cmd->name, argv[i], err);
			if (!rc)
				rc = ret == -EINVAL ? EXIT_USAGE : exit_code(-ret);
			continue;
		}
		announce(argv[i], &m);
		for (j = 0; j < m.n; j++)
			if (!listed(names, nnames, m.names[j]))
				memcpy(names[nnames++], m.names[j],
				       sizeof(names[0]));
	}
	if (rc)
		goto out;

	rc = open_nl(ctx, cmd->name, &nl);
	if (rc)
		goto out;
	devs = calloc(nnames, sizeof(*devs));
	if (!devs) {
		error("out of memory");
		rc = EXIT_FAILED;
		goto out;
	}
	for (i = 0; i < nnames; i++) {
		if (pbnl_dev_get(nl, names[i], &devs[ndevs], &e)) {
			ret = report(cmd->name, names[i], &e);
			if (!rc)
				rc = ret;
			continue;
		}
		ndevs++;
	}
	ret = print_devices(ctx, devs, ndevs, false);
	if (!rc)
		rc = ret;
out:
	pbnl_close(nl);
	if (devs)
		pbnl_devs_free(devs, ndevs);
	free(names);
	return rc;
}

static void print_version(struct ctx *ctx)
{
	struct json_writer w;

	if (!ctx->json) {
		puts(PROG " " VERSION);
		return;
	}
	json_init(&w, stdout, ctx->pretty);
	json_object_begin(&w);
	json_key(&w, "version");
	json_string(&w, VERSION);
	json_object_end(&w);
	json_end(&w);
}

static int cmd_version(struct ctx *ctx, const struct command *cmd, int argc,
		       char **argv)
{
	(void)cmd;
	(void)argc;
	(void)argv;
	print_version(ctx);
	return finish_output();
}

static void print_command_help(const struct command *cmd)
{
	print_command_usage(stdout, cmd);
	printf("\n%s.\n", cmd->summary);
	if (cmd->help)
		printf("\n%s", cmd->help);
}

static void print_help(void);

static int cmd_help(struct ctx *ctx, const struct command *cmd, int argc,
		    char **argv)
{
	const struct command *c;

	(void)ctx;
	if (!argc) {
		print_help();
		return finish_output();
	}
	c = find_command(argv[0]);
	if (!c)
		return usage_error(cmd, "unknown command '%s'", argv[0]);
	print_command_help(c);
	return finish_output();
}

/*
 * The commands.  Later ones (hide, unhide, check, monitor, apply) are
 * added here; "help" and the argument checks pick them up.
 */
static const struct command commands[] = {
	{
		.name = "list", .args = "",
		.summary = "List every PCI function, one line each (-j: a JSON array)",
		.help = "Columns: address, class, vendor:device ids, driver, state\n"
			"(pciback: bound to xen-pciback; host: another driver;\n"
			"none: unbound), vendor and device names.\n",
		.min_args = 0, .max_args = 0, .run = cmd_list,
	},
	{
		.name = "show", .args = "DEV...",
		.summary = "Show PCI functions in detail (-j: a JSON array)",
		.help = devices_help,
		.min_args = 1, .max_args = -1, .run = cmd_show,
	},
	{
		.name = "help", .args = "[COMMAND]",
		.summary = "Print help, for one command if named",
		.min_args = 0, .max_args = 1, .run = cmd_help,
	},
	{
		.name = "version", .args = "",
		.summary = "Print the version",
		.min_args = 0, .max_args = 0, .run = cmd_version,
	},
};

#define NCOMMANDS ARRAY_SIZE(commands)

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void print_help(void)
{
	char synopsis[64];
	size_t i;

	print_usage(stdout);
	fputs("\nInspect PCI functions through pciback_nl (generic netlink "
	      "family \"" PCIBACK_FAMILY_NAME "\").\n\n"
	      "Options:\n"
	      "  -j, --json      print one JSON document on stdout\n"
	      "  -p, --pretty    indent the JSON (implies --json)\n"
	      "  -h, --help      print this help\n"
	      "  -V, --version   print the version\n"
	      "\nCommands:\n", stdout);
	for (i = 0; i < NCOMMANDS; i++) {
		snprintf(synopsis, sizeof(synopsis), "%s%s%s", commands[i].name,
			 *commands[i].args ? " " : "", commands[i].args);
		printf("  %-16s%s\n", synopsis, commands[i].summary);
	}
	printf("\n'" PROG " COMMAND --help' or '" PROG
	       " help COMMAND' describes a command.\n\n%s\n"
	       "Names that are not full addresses are echoed on stderr with what\n"
	       "they resolved to, e.g. '" PROG ": eth0 -> 0000:00:03.0'.\n\n%s",
	       devices_help, exit_help);
}

static int run_command(struct ctx *ctx, const struct command *cmd, int argc,
		       char **argv)
{
	char **args;
	int nargs = 0, i, rc;
	bool opts = true;

	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args) {
		error("out of memory");
		return EXIT_FAILED;
	}
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (opts && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			free(args);
			print_command_help(cmd);
			return finish_output();
		}
		if (opts && !strcmp(a, "--")) {
			opts = false;
			continue;
		}
		if (opts && a[0] == '-' && a[1]) {
			free(args);
			return usage_error(cmd, "%s: unknown option '%s'",
					   cmd->name, a);
		}
		args[nargs++] = argv[i];
	}
	if (nargs < cmd->min_args)
		rc = usage_error(cmd, "%s: missing argument", cmd->name);
	else if (cmd->max_args >= 0 && nargs > cmd->max_args)
		rc = usage_error(cmd, "%s: unexpected argument '%s'", cmd->name,
				 args[cmd->max_args]);
	else
		rc = cmd->run(ctx, cmd, nargs, args);
	free(args);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json",    no_argument, NULL, 'j' },
		{ "pretty",  no_argument, NULL, 'p' },
		{ "help",    no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctx ctx = { .sysfs = "/sys" };
	const struct command *cmd;
	bool version = false;
	int c, rc;

	opterr = 0;	/* our own messages, without argv[0] */
	while ((c = getopt_long(argc, argv, "+jphV", options, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx.json = true;
			break;
		case 'p':
			ctx.json = true;
			ctx.pretty = true;
			break;
		case 'h':
			print_help();
			return finish_output();
		case 'V':
			version = true;
			break;
		default:
			if (!strncmp(argv[optind - 1], "--", 2) || !optopt)
				return usage_error(NULL, "unknown option '%s'",
						   argv[optind - 1]);
			return usage_error(NULL, "unknown option '-%c'",
					   optopt);
		}
	}
	if (version) {
		print_version(&ctx);
		return finish_output();
	}
	if (optind >= argc)
		return usage_error(NULL, "missing command");

	cmd = find_command(argv[optind]);
	if (!cmd)
		return usage_error(NULL, "unknown command '%s'", argv[optind]);
	rc = run_command(&ctx, cmd, argc - optind - 1, argv + optind + 1);
	pciids_close(ctx.ids);
	return rc;
}
