// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcibackctl - inspect PCI functions and hand them to xen-pciback through
 * pciback_nl, the generic netlink family "pciback".
 *
 *   pcibackctl [OPTIONS] COMMAND [ARGS]
 *
 * Exit status (also in --help and the man page):
 *   0  ok
 *   1  the operation failed (any error not listed below)
 *   2  usage error, including a malformed device name, an error in the
 *      config file of apply, or a config FILE named that cannot be read
 *   3  check: the group is not assignable
 *   4  a module is missing: pciback_nl is not loaded or its family is not
 *      available here (no "monitor" group either), or, for hide and
 *      unhide, xen-pciback is not loaded (EOPNOTSUPP)
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
 *
 * hide and unhide send all devices in one request: the kernel moves all or
 * none.  A device named twice (after resolution, e.g. "03:00.* 03:00.1")
 * is sent once, with a note on stderr.  Their errors are one line,
 * "pcibackctl: hide: <extack> (<strerror>)": the kernel's message names
 * the failing device itself ("0000:03:00.0: interface eth1 is up ...").
 * The "pciback_nl: " prefix of kernel messages is not shown.
 *
 * apply reads a config file (config.c) and resolves all of it before the
 * first request; its errors are "pcibackctl: FILE:LINE: message", all of
 * them (up to 20), and then nothing is sent.  The functions pciback holds
 * are skipped; the others go in one dev-hide request, as with hide.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "devname.h"
#include "memo.h"
#include "json.h"
#include "nl.h"
#include "output.h"
#include "pciids.h"
#include "xenq.h"
#include "xlrec.h"
#include "util.h"

#ifndef VERSION
#define VERSION "0.1.0"
#endif

#define PROG "pcibackctl"

enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_NOT_ASSIGNABLE = 3,	/* check: the group is not assignable */
	EXIT_NO_FAMILY = 4,
	EXIT_NO_DEVICE = 5,
	EXIT_PERM = 6,
	EXIT_BUSY = 7,
	EXIT_ALREADY = 8,
};

/* The prefix of the kernel's extack messages, not shown. */
#define KERNEL_PREFIX "pciback_nl: "

struct ctx {
	bool json;
	bool pretty;
	const char *sysfs;
	struct pciids *ids;
	bool ids_tried;
	uint32_t op_flags;	/* the command's PCIBACK_OP_FLAG_x options */
	unsigned int given;	/* CLI_OPT(x) of the options given */
	unsigned long count;	/* monitor --count, 0: until killed */
};

struct command {
	const char *name;
	const char *args;	/* synopsis after the name */
	const char *summary;
	const char *help;	/* more for "help COMMAND", or NULL */
	unsigned int opts;	/* CLI_OPT(x) it takes besides -h/--help */
	uint8_t nl_cmd;		/* hide/unhide: PCIBACK_CMD_DEV_x */
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
	"  2  usage error, including a malformed device name or an\n"
	"     error in the config file (apply)\n"
	"  3  check: the group is not assignable\n"
	"  4  a module is missing: pciback_nl (or its family here), or\n"
	"     xen-pciback (hide, unhide)\n"
	"  5  no such device\n"
	"  6  permission denied\n"
	"  7  device busy\n"
	"  8  already in the requested state\n";

static int exit_code(int err)
{
	switch (err) {
	case 0:
		return EXIT_OK;
	case ENODEV:
		return EXIT_NO_DEVICE;
	case EPERM:
	case EACCES:
		return EXIT_PERM;
	case EBUSY:
		return EXIT_BUSY;
	case EEXIST:
		return EXIT_ALREADY;
	}
	return EXIT_FAILED;
}

/* A kernel message without its "pciback_nl: " prefix. */
static const char *unprefixed(const char *msg)
{
	size_t n = strlen(KERNEL_PREFIX);

	return strncmp(msg, KERNEL_PREFIX, n) ? msg : msg + n;
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
		      unprefixed(e->msg), strerror(e->err));
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

/*
 * Resolves every argument (each error reported, the first one's status
 * returned) into *names, without duplicates; @note_dups: say so on stderr
 * when a device was named more than once.
 */
static int resolve_all(struct ctx *ctx, const struct command *cmd, int argc,
		       char **argv, bool note_dups,
		       char (**out)[PCIBACK_DEV_NAME_MAX], size_t *nout)
{
	char (*names)[PCIBACK_DEV_NAME_MAX];
	struct devname_match m;
	size_t nnames = 0, i, j;
	char err[256];
	int rc = EXIT_OK, ret;

	*out = NULL;
	*nout = 0;
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
		for (j = 0; j < m.n; j++) {
			if (!listed(names, nnames, m.names[j]))
				memcpy(names[nnames++], m.names[j],
				       sizeof(names[0]));
			else if (note_dups)
				error("note: %s is named more than once; taken once",
				      m.names[j]);
		}
	}
	if (rc) {
		free(names);
		return rc;
	}
	*out = names;
	*nout = nnames;
	return EXIT_OK;
}

static int cmd_show(struct ctx *ctx, const struct command *cmd, int argc,
		    char **argv)
{
	char (*names)[PCIBACK_DEV_NAME_MAX] = NULL;
	struct pb_dev *devs = NULL;
	size_t nnames = 0, ndevs = 0, i;
	struct pbnl *nl = NULL;
	struct pbnl_err e;
	int rc, ret;

	rc = resolve_all(ctx, cmd, argc, argv, false, &names, &nnames);
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

/* hide and unhide: errnos as exit codes; EOPNOTSUPP is xen-pciback missing */
static int op_exit_code(int err)
{
	return err == EOPNOTSUPP ? EXIT_NO_FAMILY : exit_code(err);
}

/* Writes @s to stderr with control characters as '?'. */
static void put_clean(const char *s)
{
	for (; *s; s++)
		putc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, stderr);
}

/* "pcibackctl: warning: 0000:03:00.0: <warning>" for each warning. */
static void print_warnings(const struct pb_result *r)
{
	size_t i, len = strlen(r->name);
	const char *w;

	for (i = 0; i < r->n_warnings; i++) {
		w = unprefixed(r->warnings[i]);
		fputs(PROG ": warning: ", stderr);
		/* the kernel's text may name the device already */
		if (strncmp(w, r->name, len) || (w[len] != ':' && w[len] != ' ')) {
			fputs(r->name, stderr);
			fputs(": ", stderr);
		}
		put_clean(w);
		putc('\n', stderr);
	}
}

static int print_results(struct ctx *ctx, const struct command *cmd,
			 const struct pb_result *res, size_t n)
{
	bool unhide = cmd->nl_cmd == PCIBACK_CMD_DEV_UNHIDE;
	bool dry_run = ctx->op_flags & PCIBACK_OP_FLAG_DRY_RUN;
	struct pb_names *names;
	struct json_writer w;
	int rc = EXIT_OK;
	size_t i;

	if (!ctx->json) {
		for (i = 0; i < n; i++) {
			output_result_line(stdout, &res[i], unhide, dry_run);
			if (res[i].n_warnings) {
				fflush(stdout);	/* keep the order on a terminal */
				print_warnings(&res[i]);
			}
		}
		return finish_output();
	}

	for (i = 0; i < n; i++)
		print_warnings(&res[i]);
	names = calloc(n ? n : 1, sizeof(*names));
	if (!names) {
		error("out of memory");
		return EXIT_FAILED;
	}
	for (i = 0; i < n; i++)
		if (res[i].has_dev)
			names_get(ctx, &res[i].dev, &names[i]);
	json_init(&w, stdout, ctx->pretty);
	output_op_json(&w, cmd->name, dry_run, res, names, n);
	if (json_end(&w)) {
		error("cannot write JSON: %s", strerror(errno));
		rc = EXIT_FAILED;
	}
	if (!rc)
		rc = finish_output();
	for (i = 0; i < n; i++)
		names_put(&names[i]);
	free(names);
	return rc;
}

static bool has_result(const struct pb_result *res, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(res[i].name, name))
			return true;
	return false;
}

/*
 * Xen's quarantine around dev-hide and dev-unhide (see xenq.h), as xl
 * pci-assignable-add and -remove do it: after a hide, each function moved
 * goes into the quarantine (a failure is a warning: the function is
 * hidden, but xl pci-assignable-remove will not take it back); before an
 * unhide, each leaves it, so its driver in dom0 has DMA again, and goes
 * back in if the unhide fails.
 */

/* Room for a reason: a library path and dlerror()'s text. */
#define XENQ_WHY_MAX 512

/*
 * libxenctrl, opened when there is something to do.  In a dom0, why the
 * quarantine cannot be kept is said once per run; elsewhere nothing is.
 */
static struct xenq *quarantine_open(void)
{
	static bool told;
	char why[XENQ_WHY_MAX];
	struct xenq *q = xenq_open("", why, sizeof(why));

	if (!q && why[0] && !told) {
		fprintf(stderr, PROG ": warning: Xen's quarantine not kept: %s\n",
			why);
		told = true;
	}
	return q;
}

/*
 * Puts @name in Xen's quarantine, opening *q on first use; a failure is a
 * warning.  Returns false when the quarantine cannot be kept at all.
 */
static bool quarantine_one(struct xenq **q, const char *name)
{
	char why[XENQ_WHY_MAX];

	if (!*q)
		*q = quarantine_open();
	if (!*q)
		return false;
	if (xenq_enter(*q, name, why, sizeof(why)) < 0)
		fprintf(stderr,
			PROG ": warning: %s: cannot put it in Xen's quarantine: %s\n",
			name, why);
	return true;
}

static void quarantine_hidden(const struct pb_result *res, size_t nres)
{
	struct xenq *q = NULL;
	size_t i;

	for (i = 0; i < nres; i++)
		if (res[i].to_driver && !strcmp(res[i].to_driver, "pciback") &&
		    !quarantine_one(&q, res[i].name))
			return;
	xenq_close(q);
}

/*
 * Take @names out of the quarantine; @left[i] says which were in it.
 * Return: 0, or an exit status (error printed; those taken out are put
 * back).
 */
static int unquarantine(const char *cmd, const char **names, size_t n,
			bool *left)
{
	struct xenq *q = n ? quarantine_open() : NULL;
	char why[XENQ_WHY_MAX];
	size_t i;
	int ret;

	for (i = 0; q && i < n; i++) {
		ret = xenq_leave(q, names[i], why, sizeof(why));
		if (ret < 0) {
			error("%s %s: cannot take it out of Xen's quarantine: %s",
			      cmd, names[i], why);
			while (i--)
				if (left[i])
					xenq_enter(q, names[i], why,
						   sizeof(why));
			xenq_close(q);
			return EXIT_FAILED;
		}
		left[i] = ret > 0;
		if (left[i])
			fprintf(stderr, PROG ": %s: out of Xen's quarantine\n",
				names[i]);
	}
	xenq_close(q);
	return 0;
}

static void requarantine(const char **names, size_t n, const bool *left)
{
	char why[XENQ_WHY_MAX];
	struct xenq *q = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!left[i])
			continue;
		if (!q)
			q = quarantine_open();
		if (!q)
			return;
		if (xenq_enter(q, names[i], why, sizeof(why)) < 0)
			fprintf(stderr,
				PROG ": warning: %s: cannot put it back in Xen's quarantine: %s\n",
				names[i], why);
	}
	xenq_close(q);
}

/* hide and unhide: every device in one request, all or nothing. */
/*
 * The resolved names as the pointer array the netlink calls take, and the
 * socket to send them on.  Return: 0 or an exit status (error printed).
 */
static int names_open_nl(struct ctx *ctx, const struct command *cmd,
			 char (*names)[PCIBACK_DEV_NAME_MAX], size_t nnames,
			 const char ***ptrs, struct pbnl **nl)
{
	size_t i;

	*ptrs = calloc(nnames, sizeof(**ptrs));
	if (!*ptrs) {
		error("out of memory");
		return EXIT_FAILED;
	}
	for (i = 0; i < nnames; i++)
		(*ptrs)[i] = names[i];
	return open_nl(ctx, cmd->name, nl);
}

static int cmd_op(struct ctx *ctx, const struct command *cmd, int argc,
		  char **argv)
{
	bool unhide = cmd->nl_cmd == PCIBACK_CMD_DEV_UNHIDE;
	bool dry = ctx->op_flags & PCIBACK_OP_FLAG_DRY_RUN;
	char (*names)[PCIBACK_DEV_NAME_MAX] = NULL;
	const char **ptrs = NULL;
	struct pb_result *res = NULL;
	size_t nnames = 0, nres = 0, i;
	const char **fallbacks = NULL;
	struct pbnl *nl = NULL;
	struct pbnl_err e;
	bool *left = NULL;
	int rc;

	rc = resolve_all(ctx, cmd, argc, argv, true, &names, &nnames);
	if (rc)
		return rc;
	rc = names_open_nl(ctx, cmd, names, nnames, &ptrs, &nl);
	if (rc)
		goto out;
	left = calloc(nnames, sizeof(*left));
	if (!left) {
		error("out of memory");
		rc = EXIT_FAILED;
		goto out;
	}
	if (unhide && !dry) {
		rc = unquarantine(cmd->name, ptrs, nnames, left);
		if (rc)
			goto out;
	}
	/* functions xl made assignable: the driver libxl recorded */
	if (unhide)
		fallbacks = xlrec_fallbacks(ctx->sysfs, ptrs, nnames);
	if (pbnl_dev_op_fallback(nl, cmd->nl_cmd, ptrs, fallbacks, nnames,
				 ctx->op_flags, &res, &nres, &e)) {
		report(cmd->name, NULL, &e);
		rc = op_exit_code(e.err);
		if (unhide && !dry)
			requarantine(ptrs, nnames, left);
		goto out;
	}
	if (!unhide && !dry)
		quarantine_hidden(res, nres);
	/* libxl's record in xenstore, as xl pci-assignable-add/-remove keep it */
	if (!dry && unhide)
		xlrec_unhidden(res, nres);
	else if (!dry)
		xlrec_hidden(res, nres);
	rc = print_results(ctx, cmd, res, nres);
	/* the kernel answers for every device: a gap is its bug, say so */
	for (i = 0; i < nnames; i++) {
		if (has_result(res, nres, names[i]))
			continue;
		error("%s %s: no result for it in the kernel's reply", cmd->name,
		      names[i]);
		if (!rc)
			rc = EXIT_FAILED;
	}
out:
	pbnl_results_free(res, nres);
	pbnl_close(nl);
	free(fallbacks);
	free(left);
	free(ptrs);
	free(names);
	return rc;
}

static int print_group(struct ctx *ctx, const struct pb_group *g,
		       bool iommu_group)
{
	struct json_writer w;

	if (!ctx->json) {
		output_group(stdout, g, iommu_group);
		return finish_output();
	}
	json_init(&w, stdout, ctx->pretty);
	output_group_json(&w, g, iommu_group);
	if (json_end(&w)) {
		error("cannot write JSON: %s", strerror(errno));
		return EXIT_FAILED;
	}
	return finish_output();
}

/* check: the co-assignment group of the devices, in one request. */
static int cmd_check(struct ctx *ctx, const struct command *cmd, int argc,
		     char **argv)
{
	bool iommu_group = ctx->op_flags & PCIBACK_OP_FLAG_IOMMU_GROUP;
	char (*names)[PCIBACK_DEV_NAME_MAX] = NULL;
	struct pb_group g = { 0 };
	const char **ptrs = NULL;
	struct pbnl *nl = NULL;
	struct pbnl_err e;
	size_t nnames = 0;
	int rc;

	if (iommu_group && argc != 1)
		return usage_error(cmd, "%s: --iommu-group takes one device",
				   cmd->name);
	rc = resolve_all(ctx, cmd, argc, argv, true, &names, &nnames);
	if (rc)
		return rc;
	/* "03:00.*" may name several functions */
	if (iommu_group && nnames != 1) {
		rc = usage_error(cmd, "%s: --iommu-group takes one device, %s is %zu",
				 cmd->name, argv[0], nnames);
		goto out;
	}
	rc = names_open_nl(ctx, cmd, names, nnames, &ptrs, &nl);
	if (rc)
		goto out;
	if (pbnl_group_get(nl, ptrs, nnames, ctx->op_flags, &g, &e)) {
		rc = report(cmd->name, NULL, &e);
		goto out;
	}
	rc = print_group(ctx, &g, iommu_group);
	if (!rc && !iommu_group && g.verdict)
		rc = EXIT_NOT_ASSIGNABLE;
out:
	pb_group_release(&g);
	pbnl_close(nl);
	free(ptrs);
	free(names);
	return rc;
}

/* apply: one config message, on its own line. */
static void config_msg(const struct config_msgs *m, size_t i, bool warn)
{
	fprintf(stderr, PROG ": %s%s\n", warn ? "warning: " : "", m->text[i]);
}

/* apply: warnings and errors of the config, in line order. */
static void config_msgs_print(const struct config *c)
{
	const struct config_msgs *e = &c->errors, *w = &c->warnings;
	size_t i = 0, j = 0;

	while (i < e->n || j < w->n) {
		/* a message on the whole file (line 0) comes last */
		unsigned int le = i < e->n && e->line[i] ? e->line[i] : UINT_MAX;
		unsigned int lw = j < w->n && w->line[j] ? w->line[j] : UINT_MAX;

		if (j < w->n && (i == e->n || lw < le))
			config_msg(w, j++, true);
		else
			config_msg(e, i++, false);
	}
}

/* "pcibackctl: hide.conf:3: id 8086:10d3 -> 0000:03:00.0 0000:07:00.0" */
static void config_announce(const struct config *c)
{
	const struct config_sel *sel;
	size_t i, j;

	for (i = 0; i < c->nsels; i++) {
		sel = &c->sels[i];
		if (sel->kind == CONFIG_ADDR)
			continue;
		if (sel->refused)
			continue;
		if (c->mode == CONFIG_MODULE) {
			if (sel->kind == CONFIG_IFNAME || sel->kind == CONFIG_MAC)
				fprintf(stderr, PROG ": %s:%u: %s -> path:%s%s\n",
					c->file, sel->line, sel->text, sel->path,
					sel->remembered ? " (remembered: no such interface now)" : "");
			continue;
		}
		if (!sel->nidx)
			continue;
		fprintf(stderr, PROG ": %s:%u: %s ->", c->file, sel->line,
			sel->text);
		for (j = 0; j < sel->nidx; j++)
			fprintf(stderr, " %s", c->devs[sel->idx[j]].name);
		fputs(sel->remembered ? " (remembered: no such interface now)\n" : "\n",
		      stderr);
	}
}

/*
 * Reads and resolves the config @file ("-": stdin), printing what it says.
 * Returns 0 with *out set, or an exit status: 2 for errors in it, or when
 * a FILE the user @named cannot be read; 1 for the default file.
 */
static int config_load(struct ctx *ctx, const struct command *cmd,
		       const char *file, bool named, enum config_mode mode,
		       struct config **out)
{
	bool std_in = !strcmp(file, "-");
	struct config *c;
	FILE *f;
	int ret;

	*out = NULL;
	f = std_in ? stdin : fopen(file, "re");
	if (!f) {
		error("%s: cannot open %s: %s", cmd->name, file, strerror(errno));
		return named ? EXIT_USAGE : EXIT_FAILED;
	}
	c = config_new(std_in ? "<stdin>" : file, ctx->sysfs, mode);
	if (!c) {
		error("out of memory");
		if (!std_in)
			fclose(f);
		return EXIT_FAILED;
	}
	config_set_state(c, MEMO_DEFAULT_FILE);
	ret = config_read(c, f);
	if (!std_in)
		fclose(f);
	config_announce(c);
	config_msgs_print(c);
	/* the file is best effort: its good lines stand (see apply_hide) */
	if (ret && ret != -EINVAL) {
		config_free(c);
		if (ret == -ENOMEM)
			return EXIT_FAILED;
		return ret == -EIO && !named ? EXIT_FAILED : EXIT_USAGE;
	}
	*out = c;
	return EXIT_OK;
}

/* The remembered interface paths go back to their file; a failure is a warning. */
static void config_state_save(struct config *c)
{
	char why[PATH_MAX + 128];

	if (config_save_state(c, why, sizeof(why)))
		fprintf(stderr, PROG ": warning: %s: interfaces hidden later will not resolve\n",
			why);
}

/* apply --module-options: the value of pciback_nl.hide=, one line. */
static int apply_module(struct ctx *ctx, struct config *c)
{
	int refused = c->errors.total ? EXIT_USAGE : EXIT_OK;
	char buf[CONFIG_MODULE_MAX + 1];
	struct json_writer w;

	config_state_save(c);
	if (config_module_options(c, buf, sizeof(buf))) {
		if (c->errors.n)	/* the one just added */
			config_msg(&c->errors, c->errors.n - 1, false);
		return EXIT_FAILED;
	}
	/* the lines not refused are printed; the status says some were */
	if (!ctx->json) {
		puts(buf);
		return finish_output() ? EXIT_FAILED : refused;
	}
	json_init(&w, stdout, ctx->pretty);
	json_object_begin(&w);
	json_key(&w, "module");
	json_string(&w, "pciback_nl");
	json_key(&w, "hide");
	json_string(&w, buf);
	json_object_end(&w);
	if (json_end(&w)) {
		error("cannot write JSON: %s", strerror(errno));
		return EXIT_FAILED;
	}
	return finish_output() ? EXIT_FAILED : refused;
}

static void apply_json_selectors(struct json_writer *w, const struct config *c,
				 const bool *failed)
{
	const struct config_sel *sel;
	size_t i, j;

	json_array_begin(w);
	for (i = 0; i < c->nsels; i++) {
		sel = &c->sels[i];
		json_object_begin(w);
		json_key(w, "line");
		json_uint(w, sel->line);
		json_key(w, "selector");
		json_string(w, sel->text);
		json_key(w, "names");
		json_array_begin(w);
		for (j = 0; j < sel->nidx; j++)
			json_string(w, c->devs[sel->idx[j]].name);
		json_array_end(w);
		json_key(w, "refused");
		json_bool(w, sel->refused || failed[i]);
		json_key(w, "remembered");
		json_bool(w, sel->remembered);
		json_object_end(w);
	}
	json_array_end(w);
}

/* apply: the functions pciback held already go into Xen's quarantine. */
static void quarantine_held(const struct config *c, const bool *held)
{
	struct xenq *q = NULL;
	size_t i;

	for (i = 0; i < c->ndevs; i++)
		if (held[i] && !quarantine_one(&q, c->devs[i].name))
			return;
	xenq_close(q);
}

/*
 * What apply did: the functions pciback held already, the results of the
 * requests that succeeded (one array), and the lines refused at run time.
 */
struct apply_run {
	const struct config *c;
	bool *held;		/* per config dev */
	bool *batched;		/* per config dev: sent (or held, or failed) */
	bool *failed;		/* per config sel: refused at run time */
	struct pb_result *res;
	size_t nres;
	unsigned int fail_line;	/* the first refused line (0: none) */
	int fail_rc;		/* and its exit status */
};

/* "pcibackctl: FILE:LINE: SEL: not hidden: REASON" for a refused line. */
static void apply_refuse(struct apply_run *r, size_t sel, int rc,
			 const char *why)
{
	const struct config_sel *s = &r->c->sels[sel];

	if (r->failed[sel])
		return;
	r->failed[sel] = true;
	fprintf(stderr, PROG ": %s:%u: %s: not hidden: ", r->c->file, s->line,
		s->text);
	put_clean(why);
	putc('\n', stderr);
	if (!r->fail_line || s->line < r->fail_line) {
		r->fail_line = s->line;
		r->fail_rc = rc;
	}
}

/* Refuses every usable line that names config dev @dev. */
static void apply_refuse_dev(struct apply_run *r, size_t dev, int rc,
			     const char *why)
{
	const struct config *c = r->c;
	size_t i, j;

	for (i = 0; i < c->nsels; i++)
		for (j = 0; !c->sels[i].refused && j < c->sels[i].nidx; j++)
			if (c->sels[i].idx[j] == dev)
				apply_refuse(r, i, rc, why);
}

/* Whether a line that is not refused names config dev @dev. */
static bool apply_wanted(const struct config *c, size_t dev)
{
	size_t i, j;

	for (i = 0; i < c->nsels; i++)
		for (j = 0; !c->sels[i].refused && j < c->sels[i].nidx; j++)
			if (c->sels[i].idx[j] == dev)
				return true;
	return false;
}

/* "REASON (strerror)" of a failed request, for apply_refuse(). */
static void apply_reason(const struct pbnl_err *e, char *buf, size_t len)
{
	if (e->msg[0])
		snprintf(buf, len, "%s (%s)", unprefixed(e->msg), strerror(e->err));
	else
		snprintf(buf, len, "%s", strerror(e->err));
}

/*
 * One dev-hide request for the functions of the config that share the
 * co-assignment group of config dev @first: all of them or none.
 */
static void apply_group(struct ctx *ctx, struct pbnl *nl, struct apply_run *r,
			size_t first)
{
	const struct config *c = r->c;
	const char *todo[CONFIG_DEVS_MAX];
	size_t idx[CONFIG_DEVS_MAX], n = 0, i, k, nres = 0;
	const char *name = c->devs[first].name;
	struct pb_result *res = NULL, *all;
	struct pb_group g = { 0 };
	char why[PCIBACK_DEV_NAME_MAX + 512];
	struct pbnl_err e;

	/* no group (an error the request will repeat): alone */
	if (pbnl_group_get(nl, &name, 1, 0, &g, &e))
		g = (struct pb_group){ 0 };
	for (i = 0; i < c->ndevs; i++) {
		bool member = i == first;

		for (k = 0; !member && k < g.n_members; k++)
			member = !strcmp(g.members[k].name, c->devs[i].name);
		if (!member || r->batched[i] || !apply_wanted(c, i))
			continue;
		r->batched[i] = true;
		idx[n] = i;
		todo[n++] = c->devs[i].name;
	}
	pb_group_release(&g);
	if (pbnl_dev_op(nl, PCIBACK_CMD_DEV_HIDE, todo, n, ctx->op_flags, &res,
			&nres, &e)) {
		apply_reason(&e, why, sizeof(why));
		for (i = 0; i < n; i++)
			apply_refuse_dev(r, idx[i], op_exit_code(e.err), why);
		return;
	}
	/* the kernel answers for every device: a gap is its bug, say so */
	for (i = 0; i < n; i++)
		if (!has_result(res, nres, todo[i]))
			apply_refuse_dev(r, idx[i], EXIT_FAILED,
					 "no result for it in the kernel's reply");
	if (!(ctx->op_flags & PCIBACK_OP_FLAG_DRY_RUN)) {
		quarantine_hidden(res, nres);
		xlrec_hidden(res, nres);	/* as hide: for xl's -r */
	}
	if (!nres) {
		free(res);
		return;
	}
	all = realloc(r->res, (r->nres + nres) * sizeof(*all));
	if (!all) {
		error("out of memory");
		pbnl_results_free(res, nres);
		if (!r->fail_line) {
			r->fail_line = UINT_MAX;
			r->fail_rc = EXIT_FAILED;
		}
		return;
	}
	memcpy(all + r->nres, res, nres * sizeof(*res));
	free(res);		/* its contents now belong to r->res */
	r->res = all;
	r->nres += nres;
}

/*
 * apply -j: {"op": "apply", "file", "dry-run", "selectors": [{"line",
 * "selector", "names", "refused", "remembered"}], "already-hidden":
 * [names], "hide": the document "hide -j" prints for what was moved, or
 * null}.
 */
static int apply_json(struct ctx *ctx, const struct apply_run *r)
{
	bool dry_run = ctx->op_flags & PCIBACK_OP_FLAG_DRY_RUN;
	const struct config *c = r->c;
	struct pb_names *names;
	struct json_writer w;
	int rc = EXIT_OK;
	size_t i;

	for (i = 0; i < r->nres; i++)
		print_warnings(&r->res[i]);
	names = calloc(r->nres ? r->nres : 1, sizeof(*names));
	if (!names) {
		error("out of memory");
		return EXIT_FAILED;
	}
	for (i = 0; i < r->nres; i++)
		if (r->res[i].has_dev)
			names_get(ctx, &r->res[i].dev, &names[i]);
	json_init(&w, stdout, ctx->pretty);
	json_object_begin(&w);
	json_key(&w, "op");
	json_string(&w, "apply");
	json_key(&w, "file");
	json_string(&w, c->file);
	json_key(&w, "dry-run");
	json_bool(&w, dry_run);
	json_key(&w, "selectors");
	apply_json_selectors(&w, c, r->failed);
	json_key(&w, "already-hidden");
	json_array_begin(&w);
	for (i = 0; i < c->ndevs; i++)
		if (r->held[i])
			json_string(&w, c->devs[i].name);
	json_array_end(&w);
	json_key(&w, "hide");
	if (r->nres)
		output_op_json(&w, "hide", dry_run, r->res, names, r->nres);
	else
		json_null(&w);
	json_object_end(&w);
	if (json_end(&w)) {
		error("cannot write JSON: %s", strerror(errno));
		rc = EXIT_FAILED;
	}
	if (!rc)
		rc = finish_output();
	for (i = 0; i < r->nres; i++)
		names_put(&names[i]);
	free(names);
	return rc;
}

static int apply_print(struct ctx *ctx, const struct apply_run *r)
{
	bool dry_run = ctx->op_flags & PCIBACK_OP_FLAG_DRY_RUN;
	size_t i;

	if (ctx->json)
		return apply_json(ctx, r);
	for (i = 0; i < r->c->ndevs; i++)
		if (r->held[i])
			printf("%s already hidden\n", r->c->devs[i].name);
	for (i = 0; i < r->nres; i++) {
		output_result_line(stdout, &r->res[i], false, dry_run);
		if (r->res[i].n_warnings) {
			fflush(stdout);	/* keep the order on a terminal */
			print_warnings(&r->res[i]);
		}
	}
	return finish_output();
}

/* The first line of the file with an error found while reading it. */
static unsigned int config_first_error(const struct config *c)
{
	unsigned int first = 0;
	size_t i;

	if (c->errors.total && !c->errors.n)
		return UINT_MAX;
	for (i = 0; i < c->errors.n; i++) {
		unsigned int l = c->errors.line[i] ? c->errors.line[i] : UINT_MAX;

		if (!first || l < first)
			first = l;
	}
	return first;
}

/*
 * apply: the file is best effort, a co-assignment group all or nothing.
 * The functions of the lines not refused that pciback does not hold yet
 * go to it one group at a time (one dev-hide request each, all the file's
 * functions of that group); a request that fails refuses the lines that
 * name its functions, and the others go on.  The exit status is that of
 * the first refused line in file order: 2 for a line refused while
 * reading the file, the request's otherwise.
 */
static int apply_hide(struct ctx *ctx, const struct command *cmd,
		      struct config *c)
{
	struct apply_run r = { .c = c };
	unsigned int first_config = config_first_error(c);
	char why[PCIBACK_DEV_NAME_MAX + 512];
	struct pbnl *nl = NULL;
	struct pbnl_err e;
	struct pb_dev d;
	int rc = EXIT_OK;
	size_t i;

	r.held = calloc(c->ndevs ? c->ndevs : 1, sizeof(*r.held));
	r.batched = calloc(c->ndevs ? c->ndevs : 1, sizeof(*r.batched));
	r.failed = calloc(c->nsels ? c->nsels : 1, sizeof(*r.failed));
	if (!r.held || !r.batched || !r.failed) {
		error("out of memory");
		rc = EXIT_FAILED;
		goto out;
	}
	for (i = 0; i < c->ndevs; i++)
		r.batched[i] = !apply_wanted(c, i);
	if (c->ndevs) {
		rc = open_nl(ctx, cmd->name, &nl);
		if (rc)
			goto out;
	}
	for (i = 0; i < c->ndevs; i++) {
		if (r.batched[i])
			continue;
		if (pbnl_dev_get(nl, c->devs[i].name, &d, &e)) {
			apply_reason(&e, why, sizeof(why));
			apply_refuse_dev(&r, i, exit_code(e.err), why);
			r.batched[i] = true;
			continue;
		}
		r.held[i] = d.pciback;
		r.batched[i] = d.pciback;
		pb_dev_release(&d);
	}
	/*
	 * Functions the initramfs reserved were never put in Xen's
	 * quarantine, and xl pci-assignable-remove expects them there: as
	 * hide does for the functions it moves, put them there.
	 */
	if (!(ctx->op_flags & PCIBACK_OP_FLAG_DRY_RUN))
		quarantine_held(c, r.held);
	for (i = 0; i < c->ndevs; i++)
		if (!r.batched[i])
			apply_group(ctx, nl, &r, i);
	if (!(ctx->op_flags & PCIBACK_OP_FLAG_DRY_RUN))
		config_state_save(c);
	rc = apply_print(ctx, &r);
	if (!rc && first_config && (!r.fail_line || first_config < r.fail_line))
		rc = EXIT_USAGE;
	else if (!rc && r.fail_line)
		rc = r.fail_rc;
out:
	pbnl_results_free(r.res, r.nres);
	pbnl_close(nl);
	free(r.failed);
	free(r.batched);
	free(r.held);
	return rc;
}

static int cmd_apply(struct ctx *ctx, const struct command *cmd, int argc,
		     char **argv)
{
	bool module = ctx->given & CLI_OPT(CLI_MODULE_OPTIONS);
	const char *file = argc ? argv[0] : CONFIG_DEFAULT_FILE;
	struct config *c;
	int rc;

	if (module && ctx->given != CLI_OPT(CLI_MODULE_OPTIONS))
		return usage_error(cmd, "%s: --module-options takes no other option",
				   cmd->name);
	rc = config_load(ctx, cmd, file, argc > 0,
			 module ? CONFIG_MODULE : CONFIG_APPLY, &c);
	if (rc)
		return rc;
	rc = module ? apply_module(ctx, c) : apply_hide(ctx, cmd, c);
	config_free(c);
	return rc;
}

struct monitor {
	struct ctx *ctx;
	unsigned long seen;
	int rc;			/* an output error */
};

static int on_event(const struct pb_dev *d, void *arg)
{
	struct monitor *m = arg;
	struct ctx *ctx = m->ctx;
	struct json_writer w;
	struct pb_names n;

	if (ctx->json) {
		names_get(ctx, d, &n);
		json_init(&w, stdout, false);	/* one object per line */
		output_event_json(&w, d, &n);
		if (json_end(&w))
			m->rc = EXIT_FAILED;
		names_put(&n);
	} else {
		output_event_line(stdout, d);
	}
	if (fflush(stdout) || ferror(stdout))
		m->rc = EXIT_FAILED;
	if (m->rc) {
		error("write error: %s", strerror(errno));
		return 1;
	}
	m->seen++;
	return ctx->count && m->seen >= ctx->count;
}

/*
 * Reads events until SIGINT or SIGTERM (read from @sigfd), --count events,
 * or an error.
 */
static int monitor_loop(struct pbnl *nl, int sigfd, struct monitor *m)
{
	struct pollfd pfd[2] = {
		{ .fd = pbnl_fd(nl), .events = POLLIN },
		{ .fd = sigfd, .events = POLLIN },
	};
	struct pbnl_err e;
	int ret;

	for (;;) {
		ret = poll(pfd, 2, -1);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			error("monitor: %s", strerror(errno));
			return EXIT_FAILED;
		}
		if (pfd[1].revents) {		/* asked to stop */
			struct signalfd_siginfo si;

			/* consumed: not delivered again when unblocked */
			if (read(sigfd, &si, sizeof(si)) < 0)
				error("monitor: signalfd: %s", strerror(errno));
			return EXIT_OK;
		}
		if (!pfd[0].revents)
			continue;
		ret = pbnl_monitor_read(nl, on_event, m, &e);
		if (m->rc)
			return m->rc;
		if (ret == -ENOBUFS || ret == -EPROTO)
			error("monitor: warning: %s", e.msg);
		else if (ret)
			return report("monitor", NULL, &e);
		if (m->ctx->count && m->seen >= m->ctx->count)
			return EXIT_OK;
	}
}

static int cmd_monitor(struct ctx *ctx, const struct command *cmd, int argc,
		       char **argv)
{
	struct monitor m = { .ctx = ctx };
	sigset_t stop;
	struct pbnl *nl;
	struct pbnl_err e;
	int rc, sigfd;

	(void)argc;
	(void)argv;
	rc = open_nl(ctx, cmd->name, &nl);
	if (rc)
		return rc;
	if (pbnl_monitor_join(nl, &e)) {
		report(cmd->name, NULL, &e);
		pbnl_close(nl);
		return e.err == EOPNOTSUPP ? EXIT_NO_FAMILY : exit_code(e.err);
	}

	/*
	 * SIGINT and SIGTERM end the loop (exit status 0) through a signalfd.
	 * They stay blocked: the program ends after this command, and a
	 * second one must not kill it while it writes its last output.
	 */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	sigfd = signalfd(-1, &stop, SFD_CLOEXEC);
	if (sigfd < 0) {
		error("monitor: signalfd: %s", strerror(errno));
		pbnl_close(nl);
		return EXIT_FAILED;
	}

	/* a point to synchronise with: events from now on are reported */
	error("monitor: listening");
	rc = monitor_loop(nl, sigfd, &m);
	if (!rc)
		rc = finish_output();
	close(sigfd);
	pbnl_close(nl);
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
	if (cmd->opts) {
		putchar('\n');
		cli_print_options(stdout, cmd->opts);
	}
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

static const char hide_help[] =
	"Hands the devices to xen-pciback for passthrough, in one request: all\n"
	"of them or, if one cannot be hidden, none (devices already moved are\n"
	"put back).  pciback_nl records each device's driver to give it back\n"
	"on unhide.  Needs CAP_SYS_ADMIN.\n"
	"\n"
	"Prints one line per device, its driver before and after:\n"
	"  0000:03:00.0 e1000e -> pciback\n"
	"\"(none)\" is no driver; \" (dry run)\" ends the lines of a dry run.\n"
	"What --force overrode is printed as \"pcibackctl: warning: ...\" on\n"
	"stderr.  -j: one document {\"op\", \"dry-run\", \"results\": [{\"name\",\n"
	"\"from-driver\", \"to-driver\", \"warnings\", \"dev\"}]}, \"dev\" being\n"
	"the device as \"show\" prints it, after the operation.\n"
	"\n"
	"A set that is not a whole co-assignment group (see check) is refused,\n"
	"naming a missing device and the rule; --with-group adds the missing\n"
	"devices (the group's bridges stay in dom0), --force goes ahead, except\n"
	"for the USB controllers of one slot (UHCI/OHCI/EHCI companions), which\n"
	"never part: their drivers read each other's data.\n"
	"\n"
	"On failure nothing changed; one line names the device and the reason:\n"
	"  pcibackctl: hide: 0000:03:00.0: interface eth1 is up (force to\n"
	"  override) (Device or resource busy)\n"
	"\n"
	"A device named twice (03:00.* 03:00.1) is sent once, with a note.\n";

static const char unhide_help[] =
	"Gives the devices back to dom0, in one request: all of them or none.\n"
	"Each goes back to the driver pciback_nl recorded when hiding it;\n"
	"without a record the bus picks a driver (the line shows the one bound\n"
	"now; \"(bus picks)\" in a dry run).  A device assigned to a guest is\n"
	"refused unless --force.  Needs CAP_SYS_ADMIN.\n"
	"\n"
	"A set that would leave part of its co-assignment group with pciback\n"
	"(see check) is refused, naming a device left behind and the rule;\n"
	"--with-group gives the whole held group back, --force goes ahead\n"
	"(never for USB companions, as for hide).\n"
	"\n"
	"Output, errors and -j as for hide, e.g.\n"
	"  0000:03:00.0 pciback -> e1000e\n";

static const char check_help[] =
	"Asks pciback_nl which devices have to be passed through together with\n"
	"the named ones (their co-assignment group), and whether that group can\n"
	"be.  One request for all devices; no privilege needed, nothing changes.\n"
	"\n"
	"Prints one line per member: its name, the rules that put it in the\n"
	"group (requested, multifunction, alias, acs, reset, sriov) and the\n"
	"kernel's reason for each, further reasons on continuation lines:\n"
	"  DEVICE        RULES      REASON\n"
	"  0000:03:00.0  requested  named in the request\n"
	"then \"verdict: assignable\" or \"verdict: not assignable\" and one\n"
	"indented line per reason.  Exit status 3 when not assignable.\n"
	"-j: {\"members\": [{\"name\", \"rules\", \"reasons\"}], \"assignable\",\n"
	"\"verdict\", \"verdict-reasons\"}.\n"
	"\n"
	"--iommu-group (one device) prints the group Linux's IOMMU layer would\n"
	"form, for comparison with /sys/kernel/iommu_groups: members only, no\n"
	"verdict (null with -j), exit status 0.\n"
	"\n"
	"DEV as for show; a device named twice is sent once, with a note.\n";

static const char apply_help[] =
	"Hides the functions a config file names (default\n"
	CONFIG_DEFAULT_FILE ").  The file is best effort, line by line: a\n"
	"line with an error is refused (\"FILE:LINE: reason\") and the others\n"
	"are used.  The functions pciback holds already are skipped (\"already\n"
	"hidden\"); the others go to xen-pciback one co-assignment group per\n"
	"request, all of a group or none, as with hide; a failed request\n"
	"refuses the lines naming its functions.  Running it again changes\n"
	"nothing.  Exit status: 0 when every line was used, else the first\n"
	"refused line's (2: refused while reading the file).  Needs\n"
	"CAP_SYS_ADMIN.\n"
	"\n"
	"One selector a line, '#' starts a comment:\n"
	"  0000:03:00.0 or 03:00.0        one function, by address\n"
	"  id 8086:10d3                   every function with these ids\n"
	"  ifname eth1                    the function of an interface\n"
	"  mac 52:54:00:12:34:56          the function of the interface\n"
	"                                 with this address\n"
	"  path 0000:00:06.0/00.0/00.0    device 00.0 behind the bridge\n"
	"                                 00:06.0 then behind 00.0 below it\n"
	"                                 (stays right when buses renumber)\n"
	"An interface that resolves has its function's path remembered in\n"
	MEMO_DEFAULT_FILE "; when the interface is gone (a hidden\n"
	"function has none) that path is used, unless the function there has\n"
	"an interface now.  FILE \"-\" is stdin.\n"
	"\n"
	"Output as for hide, after one \"0000:01:00.0 already hidden\" line\n"
	"per function skipped.  -j: {\"op\": \"apply\", \"file\", \"dry-run\",\n"
	"\"selectors\": [{\"line\", \"selector\", \"names\", \"refused\",\n"
	"\"remembered\"}], \"already-hidden\": [names], \"hide\": the document\n"
	"of hide -j, or null when nothing was moved}.\n"
	"\n"
	"--module-options prints the value for the module parameter\n"
	"pciback_nl.hide= (items DDDD:BB:DD.F, id:VVVV:DDDD and\n"
	"path:DDDD:BB:DD.F/DD.F..., ifname and mac turned into paths, and\n"
	"!path: for the controllers of mounted file systems and swap that an\n"
	"id matches), which reserves the functions at boot; it sends nothing.\n"
	"The lines not refused are printed; exit status 2 if some were.\n"
	"-j: {\"module\": \"pciback_nl\", \"hide\": value}.\n";

static const char monitor_help[] =
	"Prints every change pciback_nl makes, as it happens, one line each:\n"
	"  hidden 0000:03:00.0 driver pciback (was e1000e)\n"
	"  unhidden 0000:03:00.0 driver e1000e\n"
	"  rolled-back 0000:03:00.0 driver e1000e\n"
	"(event, device, driver bound now; \"was\": the recorded driver;\n"
	"\" guest-domid N\" when a guest owns the device).  -j: one compact\n"
	"JSON object per line, the device as \"show\" prints it with \"event\"\n"
	"added (-p is ignored here).  stdout is flushed after each event.\n"
	"\n"
	"Once subscribed it says \"pcibackctl: monitor: listening\" on stderr:\n"
	"events from then on are reported.  Runs until SIGINT or SIGTERM (exit\n"
	"status 0) or, with --count N, until N events were printed.\n";

/* The commands; "help" and the argument checks pick them up. */
static const struct command commands[] = {
	{
		.name = "list", .args = "",
		.summary = "List every PCI function, one line each (-j: a JSON array)",
		.help = "Columns: address, class, vendor:device ids, driver, state\n"
			"(pciback: bound to xen-pciback; hidden: reserved for\n"
			"xen-pciback but not bound to it; host: another driver;\n"
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
		.name = "hide",
		.args = "[-n] [-f] [--allow-bridge] [--with-group] DEV...",
		.summary = "Give PCI functions to xen-pciback, all or none",
		.help = hide_help,
		.opts = CLI_OPT(CLI_DRY_RUN) | CLI_OPT(CLI_FORCE) |
			CLI_OPT(CLI_ALLOW_BRIDGE) | CLI_OPT(CLI_WITH_GROUP),
		.nl_cmd = PCIBACK_CMD_DEV_HIDE,
		.min_args = 1, .max_args = -1, .run = cmd_op,
	},
	{
		.name = "unhide", .args = "[-n] [-f] [--with-group] DEV...",
		.summary = "Give PCI functions back to dom0, all or none",
		.help = unhide_help,
		.opts = CLI_OPT(CLI_DRY_RUN) | CLI_OPT(CLI_FORCE) |
			CLI_OPT(CLI_WITH_GROUP),
		.nl_cmd = PCIBACK_CMD_DEV_UNHIDE,
		.min_args = 1, .max_args = -1, .run = cmd_op,
	},
	{
		.name = "check", .args = "[--iommu-group] DEV...",
		.summary = "Show a device group and whether it can be assigned",
		.help = check_help,
		.opts = CLI_OPT(CLI_IOMMU_GROUP),
		.nl_cmd = PCIBACK_CMD_GROUP_GET,
		.min_args = 1, .max_args = -1, .run = cmd_check,
	},
	{
		.name = "apply",
		.args = "[-n] [-f] [--with-group] [--module-options] [FILE]",
		.summary = "Hide the functions a config file names",
		.help = apply_help,
		.opts = CLI_OPT(CLI_DRY_RUN) | CLI_OPT(CLI_FORCE) |
			CLI_OPT(CLI_WITH_GROUP) | CLI_OPT(CLI_MODULE_OPTIONS),
		.nl_cmd = PCIBACK_CMD_DEV_HIDE,
		.min_args = 0, .max_args = 1, .run = cmd_apply,
	},
	{
		.name = "monitor", .args = "[--count N]",
		.summary = "Print hide/unhide events as they happen",
		.help = monitor_help,
		.opts = CLI_OPT(CLI_COUNT),
		.min_args = 0, .max_args = 0, .run = cmd_monitor,
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
	fputs("\nInspect PCI functions and hand them to xen-pciback through\n"
	      "pciback_nl (generic netlink family \"" PCIBACK_FAMILY_NAME
	      "\").\n\n"
	      "Options:\n"
	      "  -j, --json      print one JSON document on stdout\n"
	      "  -p, --pretty    indent the JSON (implies --json)\n"
	      "  -h, --help      print this help\n"
	      "  -V, --version   print the version\n"
	      "\nCommands:\n", stdout);
	for (i = 0; i < NCOMMANDS; i++) {
		snprintf(synopsis, sizeof(synopsis), "%s%s%s", commands[i].name,
			 *commands[i].args ? " " : "", commands[i].args);
		/* long synopses get a line of their own */
		if (strlen(synopsis) > 20)
			printf("  %s\n  %-20s  %s\n", synopsis, "",
			       commands[i].summary);
		else
			printf("  %-20s  %s\n", synopsis, commands[i].summary);
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
	struct cli_args a = { 0 };
	char err[160];
	int rc;

	a.args = calloc((size_t)argc + 1, sizeof(*a.args));
	if (!a.args) {
		error("out of memory");
		return EXIT_FAILED;
	}
	if (cli_parse(cmd->opts, argc, argv, &a, err, sizeof(err))) {
		rc = usage_error(cmd, "%s: %s", cmd->name, err);
	} else if (a.help) {
		print_command_help(cmd);
		rc = finish_output();
	} else if (a.nargs < cmd->min_args) {
		rc = usage_error(cmd, "%s: missing %s", cmd->name,
				 cmd->max_args ? "device" : "argument");
	} else if (cmd->max_args >= 0 && a.nargs > cmd->max_args) {
		rc = usage_error(cmd, "%s: unexpected argument '%s'", cmd->name,
				 a.args[cmd->max_args]);
	} else {
		ctx->op_flags = a.op_flags;
		ctx->count = a.count;
		ctx->given = a.given;
		rc = cmd->run(ctx, cmd, a.nargs, a.args);
	}
	free(a.args);
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
