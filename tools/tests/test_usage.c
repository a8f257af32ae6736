// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_usage.c - the pcibackctl binary itself on command lines that end
 * before any netlink request: usage errors (exit status 2), help, and
 * names that do not resolve.  None of them can change a device.
 *
 * The binary is $PCIBACKCTL ("make check" sets it), else ./pcibackctl.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

struct run {
	int status;		/* exit status, -1 if it did not exit */
	char out[16384];
	char err[16384];
};

static void slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Runs the tool with the NULL-terminated @args. */
static void run(struct run *r, const char *const *args)
{
	const char *tool = getenv("PCIBACKCTL") ? getenv("PCIBACKCTL") :
			   "./pcibackctl";
	char *argv[16];
	FILE *out = tmpfile(), *err = tmpfile();
	int i, status;
	pid_t pid;

	if (!out || !err)
		abort();
	argv[0] = (char *)tool;
	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = (char *)args[i];
	argv[i + 1] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		abort();
	if (!pid) {
		dup2(fileno(out), 1);
		dup2(fileno(err), 2);
		execv(tool, argv);
		_exit(127);
	}
	r->status = -1;
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		r->status = WEXITSTATUS(status);
	slurp(out, r->out, sizeof(r->out));
	slurp(err, r->err, sizeof(r->err));
}

#define RUN(r, ...) run(r, (const char *const []){ __VA_ARGS__, NULL })

static void binary_present(void)
{
	struct run r;

	RUN(&r, "--version");
	CHECK_INT(r.status, 0);
	CHECK_CONTAINS(r.out, "pcibackctl ");
}

/* A usage error: status 2, nothing on stdout, @msg in the first line. */
static void usage(struct run *r, const char *msg, int line)
{
	if (r->status != 2)
		unit_fail(__FILE__, line, "exit status %d, expected 2; stderr %s",
			  r->status, unit_quote(r->err));
	if (r->out[0])
		unit_fail(__FILE__, line, "stdout not empty: %s",
			  unit_quote(r->out));
	if (strncmp(r->err, msg, strlen(msg)) ||
	    r->err[strlen(msg)] != '\n')
		unit_fail(__FILE__, line, "stderr %s, expected it to start with %s",
			  unit_quote(r->err), msg);
}

static void usage_errors(void)
{
	struct run r;

	RUN(&r, "hide");
	usage(&r, "pcibackctl: hide: missing device", __LINE__);
	CHECK_CONTAINS(r.err, "Usage: pcibackctl [OPTIONS] hide [-n] [-f] [--allow-bridge] [--with-group] DEV...\n");
	RUN(&r, "-j", "unhide");
	usage(&r, "pcibackctl: unhide: missing device", __LINE__);
	RUN(&r, "hide", "--dry-run", "--force");
	usage(&r, "pcibackctl: hide: missing device", __LINE__);
	RUN(&r, "unhide", "--allow-bridge", "0000:03:00.0");
	usage(&r, "pcibackctl: unhide: unknown option '--allow-bridge'",
	      __LINE__);
	RUN(&r, "hide", "-nq", "0000:03:00.0");
	usage(&r, "pcibackctl: hide: unknown option '-q'", __LINE__);
	RUN(&r, "monitor", "0000:03:00.0");
	usage(&r, "pcibackctl: monitor: unexpected argument '0000:03:00.0'",
	      __LINE__);
	RUN(&r, "monitor", "--count");
	usage(&r, "pcibackctl: monitor: option '--count' needs an argument",
	      __LINE__);
	RUN(&r, "monitor", "--count", "none");
	usage(&r, "pcibackctl: monitor: --count: expected a number from 1 to 1000000000, found 'none'",
	      __LINE__);
	RUN(&r, "monitor", "-n");
	usage(&r, "pcibackctl: monitor: unknown option '-n'", __LINE__);
	RUN(&r, "show", "--force", "0000:03:00.0");
	usage(&r, "pcibackctl: show: unknown option '--force'", __LINE__);
}

static void check_usage_errors(void)
{
	struct run r;

	RUN(&r, "check");
	usage(&r, "pcibackctl: check: missing device", __LINE__);
	CHECK_CONTAINS(r.err, "Usage: pcibackctl [OPTIONS] check [--iommu-group] DEV...\n");
	RUN(&r, "-j", "check", "--iommu-group");
	usage(&r, "pcibackctl: check: missing device", __LINE__);
	RUN(&r, "check", "--iommu-group", "0000:03:00.0", "0000:03:00.1");
	usage(&r, "pcibackctl: check: --iommu-group takes one device",
	      __LINE__);
	RUN(&r, "check", "-n", "0000:03:00.0");
	usage(&r, "pcibackctl: check: unknown option '-n'", __LINE__);
	RUN(&r, "check", "--iommu-group=1", "0000:03:00.0");
	usage(&r, "pcibackctl: check: option '--iommu-group' takes no argument",
	      __LINE__);
	RUN(&r, "hide", "--iommu-group", "0000:03:00.0");
	usage(&r, "pcibackctl: hide: unknown option '--iommu-group'",
	      __LINE__);
	RUN(&r, "check", "0000:03:00.0", "0000:00:20.0");
	usage(&r, "pcibackctl: check 0000:00:20.0: device 20 out of range (0-1f)",
	      __LINE__);

	RUN(&r, "help", "check");
	CHECK_INT(r.status, 0);
	CHECK_CONTAINS(r.out, "      --iommu-group ");
	CHECK_CONTAINS(r.out, "verdict: assignable");
	CHECK_CONTAINS(r.out, "Exit status 3 when not assignable");
	RUN(&r, "--help");
	CHECK_CONTAINS(r.out, "\n  check [--iommu-group] DEV...\n");
	CHECK_CONTAINS(r.out, "  3  check: the group is not assignable\n");
}

/* A malformed name among good ones: exit 2 and nothing is sent. */
static void bad_names(void)
{
	struct run r;

	RUN(&r, "hide", "0000:03:00.0", "0000:00:20.0");
	usage(&r, "pcibackctl: hide 0000:00:20.0: device 20 out of range (0-1f)",
	      __LINE__);
	RUN(&r, "-j", "unhide", "-n", "zz:00.0", "0000:03:00.0");
	usage(&r, "pcibackctl: unhide zz:00.0: expected a hex bus number, found 'z'",
	      __LINE__);
	/* an interface that does not exist: no such device, 5 */
	RUN(&r, "hide", "0000:03:00.0", "nosuchif9");
	CHECK_INT(r.status, 5);
	CHECK_STR(r.out, "");
	CHECK_STR(r.err, "pcibackctl: hide nosuchif9: no such network interface\n");
}

static void help_text(void)
{
	struct run r;

	RUN(&r, "hide", "--help");
	CHECK_INT(r.status, 0);
	CHECK_CONTAINS(r.out, "  -n, --dry-run ");
	CHECK_CONTAINS(r.out, "  -f, --force ");
	CHECK_CONTAINS(r.out, "      --allow-bridge ");
	CHECK_CONTAINS(r.out, "0000:03:00.0 e1000e -> pciback\n");
	CHECK_STR(r.err, "");

	RUN(&r, "help", "unhide");
	CHECK_INT(r.status, 0);
	CHECK_CONTAINS(r.out, "  -f, --force ");
	CHECK(!strstr(r.out, "--allow-bridge"));
	CHECK_CONTAINS(r.out, "(bus picks)");

	RUN(&r, "monitor", "-h");
	CHECK_INT(r.status, 0);
	CHECK_CONTAINS(r.out, "      --count N ");
	CHECK_CONTAINS(r.out, "pcibackctl: monitor: listening");

	RUN(&r, "--help");
	CHECK_INT(r.status, 0);
	CHECK_CONTAINS(r.out, "\n  hide [-n] [-f] [--allow-bridge] [--with-group] DEV...\n");
	CHECK_CONTAINS(r.out, "\n  unhide [-n] [-f] [--with-group] DEV...\n");
	CHECK_CONTAINS(r.out, "\n  monitor [--count N] ");
	CHECK_CONTAINS(r.out, "  7  device busy\n");
	CHECK_CONTAINS(r.out, "xen-pciback (hide, unhide)\n");
}

void test_usage(void)
{
	unit_run("usage: the binary runs", binary_present);
	unit_run("usage: hide/unhide/monitor usage errors exit 2",
		 usage_errors);
	unit_run("usage: check usage errors exit 2, its help",
		 check_usage_errors);
	unit_run("usage: a bad name among good ones: nothing is sent",
		 bad_names);
	unit_run("usage: per-command help lists the options", help_text);
}
