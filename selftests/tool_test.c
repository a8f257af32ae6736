// SPDX-License-Identifier: GPL-2.0
/*
 * pcibackctl against the kernel: its JSON parses and agrees with the
 * dev-get dump; unknown devices get one clear line and exit status 5;
 * "apply" resolves a config file on the test bed's topology, hides all or
 * nothing, and is idempotent.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "json.h"
#include "kselftest_harness.h"
#include "pbnl.h"

struct run {
	char *out, *err;
	int status;		/* exit status, or -1 */
};

static void slurp(int fd, char **buf, size_t *len, size_t *cap, bool *open_)
{
	char tmp[4096];
	ssize_t n = read(fd, tmp, sizeof(tmp));

	if (n <= 0) {
		*open_ = false;
		return;
	}
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = realloc(*buf, *cap);
		if (!*buf)
			abort();
	}
	memcpy(*buf + *len, tmp, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/* Run pcibackctl with @args (NULL-terminated), capture both streams. */
static int run_tool(struct run *r, const char *const *args)
{
	const char *tool = getenv("PCIBACKCTL") ? getenv("PCIBACKCTL") : "pcibackctl";
	int po[2], pe[2], st;
	size_t lo = 0, le = 0, co = 1, ce = 1;
	bool oo = true, eo = true;
	const char *argv[32];
	pid_t pid;
	int i;

	argv[0] = tool;
	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;

	r->out = calloc(1, 1);
	r->err = calloc(1, 1);
	if (!r->out || !r->err || pipe(po) || pipe(pe))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		execvp(tool, (char *const *)argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	while (oo || eo) {
		struct pollfd p[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };

		if (poll(p, 2, 30000) <= 0)
			break;
		if (oo && (p[0].revents & (POLLIN | POLLHUP)))
			slurp(po[0], &r->out, &lo, &co, &oo);
		if (eo && (p[1].revents & (POLLIN | POLLHUP)))
			slurp(pe[0], &r->err, &le, &ce, &eo);
	}
	close(po[0]);
	close(pe[0]);
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return 0;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static const struct pbnl_dev *find_dev(const struct pbnl_reply *rep,
				       const char *name)
{
	size_t i;

	for (i = 0; i < rep->ndevs; i++)
		if (!strcmp(rep->devs[i].name, name))
			return &rep->devs[i];
	return NULL;
}

static bool num_is(const struct jval *v, unsigned long want)
{
	return v && v->type == J_NUM && v->num == (double)want;
}

FIXTURE(tool) {
	struct pbnl_sock s;
	struct pbnl_reply rep;
	struct run r;
};

FIXTURE_SETUP(tool)
{
	memset(&self->r, 0, sizeof(self->r));
	memset(&self->rep, 0, sizeof(self->rep));
	ASSERT_EQ(0, pbnl_open(&self->s));
	ASSERT_EQ(0, pbnl_dump(&self->s, &self->rep));
	ASSERT_EQ(0, self->rep.err);
}

FIXTURE_TEARDOWN(tool)
{
	run_free(&self->r);
	pbnl_reply_free(&self->rep);
	pbnl_close(&self->s);
}

TEST_F(tool, json_list_agrees_with_dump)
{
	static const char *const args[] = { "-j", "list", NULL };
	const char *err = NULL;
	struct jval *doc;
	size_t i;

	ASSERT_EQ(0, run_tool(&self->r, args));
	ASSERT_EQ(0, self->r.status) TH_LOG("stderr: %s", self->r.err);
	doc = json_parse(self->r.out, &err);
	ASSERT_NE(NULL, doc) TH_LOG("not JSON (%s): %.200s", err, self->r.out);
	ASSERT_TRUE(doc->type == J_ARR);
	EXPECT_EQ(self->rep.ndevs, doc->n);

	for (i = 0; i < doc->n; i++) {
		const struct jval *o = &doc->kids[i];
		const struct jval *name = json_get(o, "name");
		const struct jval *drv = json_get(o, "driver");
		const struct jval *pb = json_get(o, "pciback");
		const struct pbnl_dev *d;

		ASSERT_TRUE(name && name->type == J_STR);
		d = find_dev(&self->rep, name->str);
		EXPECT_NE(NULL, d) TH_LOG("%s not in the dump", name->str);
		if (!d)
			continue;
		EXPECT_TRUE(num_is(json_get(o, "domain"), d->domain));
		EXPECT_TRUE(num_is(json_get(o, "bus"), d->bus));
		EXPECT_TRUE(num_is(json_get(o, "devfn"), d->devfn));
		EXPECT_TRUE(num_is(json_get(o, "vendor"), d->vendor)) TH_LOG("%s", d->name);
		EXPECT_TRUE(num_is(json_get(o, "device"), d->device)) TH_LOG("%s", d->name);
		EXPECT_TRUE(num_is(json_get(o, "subsystem-vendor"), d->subsystem_vendor));
		EXPECT_TRUE(num_is(json_get(o, "subsystem-device"), d->subsystem_device));
		EXPECT_TRUE(num_is(json_get(o, "class"), d->class)) TH_LOG("%s", d->name);
		EXPECT_TRUE(num_is(json_get(o, "revision"), d->revision));
		ASSERT_NE(NULL, drv);
		if (d->has_driver) {
			EXPECT_TRUE(drv->type == J_STR && !strcmp(drv->str, d->driver))
				TH_LOG("%s driver", d->name);
		} else {
			EXPECT_TRUE(drv->type == J_NULL) TH_LOG("%s driver", d->name);
		}
		ASSERT_TRUE(pb && pb->type == J_BOOL);
		EXPECT_EQ(d->pciback, pb->b);
		pb = json_get(o, "multifunction");
		ASSERT_TRUE(pb && pb->type == J_BOOL);
		EXPECT_EQ(d->multifunction, pb->b);
		pb = json_get(o, "reset-method");
		ASSERT_TRUE(pb && pb->type == J_ARR);
		EXPECT_EQ((size_t)d->nreset, pb->n) TH_LOG("%s reset methods", d->name);
	}
	json_free(doc);
}

TEST_F(tool, human_list_names_every_device)
{
	static const char *const args[] = { "list", NULL };
	size_t i;

	ASSERT_EQ(0, run_tool(&self->r, args));
	ASSERT_EQ(0, self->r.status) TH_LOG("stderr: %s", self->r.err);
	for (i = 0; i < self->rep.ndevs; i++)
		EXPECT_NE(NULL, strstr(self->r.out, self->rep.devs[i].name))
			TH_LOG("%s not listed", self->rep.devs[i].name);
}

TEST_F(tool, show_short_name_resolves)
{
	const char *full = self->rep.devs[0].name;
	const char *args[4] = { "-j", "show", full + 5, NULL };
	const char *err = NULL;
	struct jval *doc;

	ASSERT_EQ(0, strncmp(full, "0000:", 5));
	ASSERT_EQ(0, run_tool(&self->r, args));
	ASSERT_EQ(0, self->r.status) TH_LOG("stderr: %s", self->r.err);
	doc = json_parse(self->r.out, &err);
	ASSERT_NE(NULL, doc) TH_LOG("not JSON (%s)", err);
	ASSERT_TRUE(doc->type == J_ARR);
	ASSERT_EQ((size_t)1, doc->n);
	EXPECT_STREQ(full, json_get(&doc->kids[0], "name")->str);
	json_free(doc);
}

TEST_F(tool, show_unknown_device_exits_5)
{
	static const char *const args[] = { "show", "0000:fe:1f.7", NULL };
	char *nl;

	ASSERT_NE(0, access("/sys/bus/pci/devices/0000:fe:1f.7", F_OK));
	ASSERT_EQ(0, run_tool(&self->r, args));
	EXPECT_EQ(5, self->r.status);
	EXPECT_EQ(0, self->r.out[0]);
	EXPECT_NE(NULL, strstr(self->r.err, "0000:fe:1f.7")) TH_LOG("%s", self->r.err);
	/* exactly one line */
	nl = strchr(self->r.err, '\n');
	EXPECT_TRUE(nl && nl[1] == '\0') TH_LOG("stderr: %s", self->r.err);
}

TEST_F(tool, malformed_name_exits_2)
{
	static const char *const args[] = { "show", "0000:00:20.0", NULL };

	ASSERT_EQ(0, run_tool(&self->r, args));
	EXPECT_EQ(2, self->r.status);
	EXPECT_NE(0, self->r.err[0]);
}

TEST_F(tool, check_reports_groups_and_verdict)
{
	static const char *const ok_args[] = { "check", "0000:03:00.0", NULL };
	static const char *const bad_args[] = { "-j", "check", "0000:09:01.0", NULL };
	const struct jval *members, *rules;
	const char *err = NULL;
	struct jval *doc;
	bool alias = false;
	size_t i;

	if (access("/sys/bus/pci/devices/0000:09:01.0", F_OK) ||
	    access("/sys/bus/pci/devices/0000:03:00.0", F_OK))
		SKIP(return, "not the test bed's topology");
	ASSERT_EQ(0, run_tool(&self->r, ok_args));
	EXPECT_EQ(0, self->r.status) TH_LOG("%s%s", self->r.out, self->r.err);
	EXPECT_NE(NULL, strstr(self->r.out, "verdict: assignable")) TH_LOG("%s", self->r.out);
	run_free(&self->r);

	/* behind the PCIe-to-PCI bridge: with its sibling, and the bridge */
	ASSERT_EQ(0, run_tool(&self->r, bad_args));
	EXPECT_EQ(3, self->r.status) TH_LOG("%s", self->r.err);
	doc = json_parse(self->r.out, &err);
	ASSERT_NE(NULL, doc) TH_LOG("not JSON (%s): %s", err, self->r.out);
	members = json_get(doc, "members");
	ASSERT_TRUE(members && members->type == J_ARR);
	for (i = 0; i < members->n; i++) {
		const struct jval *name = json_get(&members->kids[i], "name");

		rules = json_get(&members->kids[i], "rules");
		if (name && !strcmp(name->str, "0000:09:02.0") && rules &&
		    rules->n && !strcmp(rules->kids[0].str, "alias"))
			alias = true;
	}
	EXPECT_TRUE(alias) TH_LOG("%s", self->r.out);
	EXPECT_TRUE(json_get(doc, "assignable")->type == J_BOOL &&
		    !json_get(doc, "assignable")->b);
	json_free(doc);
}

/* pcibackctl hide/unhide/monitor against xen-pciback (Xen dom0 only). */

FIXTURE(toolx) {
	struct pbnl_sock s;
	struct pbnl_reply rep;
	struct run r;
	char bdf[PBNL_STR_MAX];
};

FIXTURE_SETUP(toolx)
{
	size_t i;

	memset(&self->r, 0, sizeof(self->r));
	memset(&self->rep, 0, sizeof(self->rep));
	self->bdf[0] = '\0';
	if (!pbnl_running_on_xen_dom0())
		SKIP(return, "needs a Xen dom0");
	if (access("/sys/bus/pci/drivers/pciback", F_OK))
		SKIP(return, "xen-pciback is not loaded");
	ASSERT_EQ(0, pbnl_open(&self->s));
	ASSERT_EQ(0, pbnl_dump(&self->s, &self->rep));
	for (i = 0; i < self->rep.ndevs; i++) {
		if (self->rep.devs[i].has_driver &&
		    !strcmp(self->rep.devs[i].driver, "virtio-pci")) {
			snprintf(self->bdf, sizeof(self->bdf), "%s",
				 self->rep.devs[i].name);
			break;
		}
	}
	ASSERT_NE(0, self->bdf[0]) TH_LOG("no virtio-net bound in this topology");
}

FIXTURE_TEARDOWN(toolx)
{
	if (self->bdf[0]) {
		struct pbnl_reply r;
		const char *n = self->bdf;

		pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, &n, 1,
			PCIBACK_OP_FLAG_FORCE, &r);
		pbnl_reply_free(&r);
	}
	run_free(&self->r);
	pbnl_reply_free(&self->rep);
	pbnl_close(&self->s);
}

static void expect_line(struct __test_metadata *_metadata, const char *out,
			const char *want)
{
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("want \"%s\" in: %s", want, out);
}

TEST_F(toolx, hide_dry_run_hide_unhide)
{
	const char *args[6] = { "hide", "--dry-run", self->bdf + 5, NULL };
	char want[256];

	ASSERT_EQ(0, run_tool(&self->r, args));
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	snprintf(want, sizeof(want), "%s virtio-pci -> pciback (dry run)", self->bdf);
	expect_line(_metadata, self->r.out, want);
	/* the short name was resolved and said so */
	expect_line(_metadata, self->r.err, self->bdf);
	run_free(&self->r);

	args[1] = self->bdf;
	args[2] = NULL;
	ASSERT_EQ(0, run_tool(&self->r, args));
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	snprintf(want, sizeof(want), "%s virtio-pci -> pciback\n", self->bdf);
	expect_line(_metadata, self->r.out, want);
	run_free(&self->r);

	/* again: already hidden, exit 8, one line naming the device */
	ASSERT_EQ(0, run_tool(&self->r, args));
	EXPECT_EQ(8, self->r.status);
	expect_line(_metadata, self->r.err, self->bdf);
	run_free(&self->r);

	args[0] = "unhide";
	ASSERT_EQ(0, run_tool(&self->r, args));
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	snprintf(want, sizeof(want), "%s pciback -> virtio-pci\n", self->bdf);
	expect_line(_metadata, self->r.out, want);
}

TEST_F(toolx, json_hide_result)
{
	const char *args[4] = { "-j", "hide", self->bdf, NULL };
	const char *err = NULL;
	const struct jval *res, *dev;
	struct jval *doc;

	ASSERT_EQ(0, run_tool(&self->r, args));
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	doc = json_parse(self->r.out, &err);
	ASSERT_NE(NULL, doc) TH_LOG("not JSON (%s): %s", err, self->r.out);
	res = json_get(doc, "results");
	ASSERT_TRUE(res && res->type == J_ARR && res->n == 1);
	EXPECT_STREQ("virtio-pci", json_get(&res->kids[0], "from-driver")->str);
	EXPECT_STREQ("pciback", json_get(&res->kids[0], "to-driver")->str);
	dev = json_get(&res->kids[0], "dev");
	ASSERT_NE(NULL, dev);
	EXPECT_TRUE(json_get(dev, "hidden")->b);
	EXPECT_TRUE(json_get(dev, "pciback")->b);
	EXPECT_STREQ("virtio-pci", json_get(dev, "orig-driver")->str);
	json_free(doc);
}

TEST_F(toolx, unprivileged_hide_exits_6)
{
	const char *args[3] = { "hide", self->bdf, NULL };
	pid_t pid;
	int st;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct run r;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(100);
		if (run_tool(&r, args))
			_exit(101);
		fputs(r.err, stderr);
		_exit(r.status == 6 && strstr(r.err, "CAP_SYS_ADMIN") &&
		      strchr(r.err, '\n') == strrchr(r.err, '\n') ? 0 : r.status);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_LOG("status %d", st);
}

TEST_F(toolx, monitor_reports_events_as_json)
{
	const char *hide[3] = { "hide", self->bdf, NULL };
	const char *tool = getenv("PCIBACKCTL") ? getenv("PCIBACKCTL") : "pcibackctl";
	char buf[16384], *line2;
	const char *err = NULL;
	struct jval *ev;
	size_t len = 0;
	int out[2], errp[2], st;
	ssize_t n;
	pid_t pid;

	ASSERT_EQ(0, pipe(out));
	ASSERT_EQ(0, pipe(errp));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		dup2(out[1], 1);
		dup2(errp[1], 2);
		close(out[0]);
		close(errp[0]);
		execlp(tool, tool, "-j", "monitor", "--count", "2", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	close(errp[1]);
	/* wait until it listens */
	while (len < sizeof(buf) - 1 && !memchr(buf, '\n', len) &&
	       (n = read(errp[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	len = 0;
	ASSERT_NE(NULL, strstr(buf, "listening")) TH_LOG("%s", buf);

	ASSERT_EQ(0, run_tool(&self->r, hide));
	ASSERT_EQ(0, self->r.status);
	run_free(&self->r);
	hide[0] = "unhide";
	ASSERT_EQ(0, run_tool(&self->r, hide));
	ASSERT_EQ(0, self->r.status);

	while (len < sizeof(buf) - 1 &&
	       (n = read(out[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	line2 = strchr(buf, '\n');
	ASSERT_NE(NULL, line2);
	*line2++ = '\0';
	ev = json_parse(buf, &err);
	ASSERT_NE(NULL, ev) TH_LOG("%s: %s", err, buf);
	EXPECT_STREQ("hidden", json_get(ev, "event")->str);
	EXPECT_STREQ(self->bdf, json_get(ev, "name")->str);
	json_free(ev);
	if (strchr(line2, '\n'))
		*strchr(line2, '\n') = '\0';
	ev = json_parse(line2, &err);
	ASSERT_NE(NULL, ev) TH_LOG("%s: %s", err, line2);
	EXPECT_STREQ("unhidden", json_get(ev, "event")->str);
	EXPECT_STREQ("virtio-pci", json_get(ev, "driver")->str);
	json_free(ev);
	close(out[0]);
	close(errp[0]);
}

/*
 * Xen's quarantine, as xl keeps it: a device pcibackctl hid is in it, so
 * xl pci-assignable-remove takes it out (and, with -r, gives it back to
 * its driver, from the xenstore record pcibackctl hide wrote: see
 * xlrec_test); a device xl made assignable is in it, and pcibackctl
 * unhide takes it out before giving it back to dom0.
 */
TEST_F(toolx, quarantine_agrees_with_xl)
{
	const char *args[4] = { "hide", self->bdf, NULL };
	char cmd[256], drv[64];

	ASSERT_EQ(0, run_tool(&self->r, args));
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	run_free(&self->r);
	snprintf(cmd, sizeof(cmd), "xl pci-assignable-remove -r %s", self->bdf);
	EXPECT_EQ(0, system(cmd));
	/* xl gives it back to the driver pcibackctl recorded in xenstore */
	pbnl_driver_of(self->bdf, drv, sizeof(drv));
	EXPECT_STREQ("virtio-pci", drv);

	snprintf(cmd, sizeof(cmd), "xl pci-assignable-add %s", self->bdf);
	ASSERT_EQ(0, system(cmd));
	args[0] = "unhide";
	ASSERT_EQ(0, run_tool(&self->r, args));
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	snprintf(cmd, sizeof(cmd), "%s: out of Xen's quarantine", self->bdf);
	expect_line(_metadata, self->r.err, cmd);
	pbnl_driver_of(self->bdf, drv, sizeof(drv));
	EXPECT_STREQ("virtio-pci", drv);
}

TEST_F(toolx, hide_with_group)
{
	const char *args[5] = { "hide", "0000:09:01.0", NULL };

	if (access("/sys/bus/pci/devices/0000:09:02.0", F_OK))
		SKIP(return, "not the test bed's topology");
	ASSERT_EQ(0, run_tool(&self->r, args));
	EXPECT_EQ(1, self->r.status) TH_LOG("%s", self->r.err);
	expect_line(_metadata, self->r.err, "0000:09:02.0");
	run_free(&self->r);

	args[1] = "--with-group";
	args[2] = "0000:09:01.0";
	ASSERT_EQ(0, run_tool(&self->r, args));
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	expect_line(_metadata, self->r.out, "0000:09:01.0 e1000 -> pciback");
	expect_line(_metadata, self->r.out, "0000:09:02.0 e1000 -> pciback");
	run_free(&self->r);

	args[0] = "unhide";
	args[1] = "0000:09:01.0";
	args[2] = "0000:09:02.0";
	ASSERT_EQ(0, run_tool(&self->r, args));
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	expect_line(_metadata, self->r.out, "0000:09:02.0 pciback -> e1000");
}

/* --- apply: a config file ---------------------------------------------- */

/* The network interface on @bdf (or on its virtio device); 0 or -ENODEV. */
static int ifname_of(const char *bdf, char *buf, size_t len)
{
	char path[PATH_MAX], real[PATH_MAX], *p;
	struct dirent *e;
	DIR *d = opendir("/sys/class/net");
	int ret = -ENODEV;

	if (!d)
		return -errno;
	while (ret && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/net/%s/device", e->d_name);
		if (!realpath(path, real))
			continue;
		p = strstr(real, bdf);
		if (p && p[-1] == '/' &&
		    (!p[strlen(bdf)] || !strncmp(p + strlen(bdf), "/virtio", 7))) {
			snprintf(buf, len, "%s", e->d_name);
			ret = 0;
		}
	}
	closedir(d);
	return ret;
}

/* The MAC address of interface @ifname. */
static int mac_of(const char *ifname, char *buf, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", ifname);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf[0] ? 0 : -EINVAL;
}

/* Writes @text to a new file /tmp/pbnl-apply-XXXXXX.conf named in @path. */
static int write_conf(char *path, size_t len, const char *text)
{
	int fd;

	snprintf(path, len, "/tmp/pbnl-apply-XXXXXX.conf");
	fd = mkstemps(path, 5);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -EIO;
	}
	return close(fd);
}

/* The names of a JSON array of strings, space-separated. */
static void json_names(const struct jval *arr, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; arr && arr->type == J_ARR && i < arr->n; i++)
		if (arr->kids[i].type == J_STR)
			n += snprintf(buf + n, len - n, "%s%s", i ? " " : "",
				      arr->kids[i].str);
}

/* The test bed's functions an apply of this fixture may move. */
static const char *const apply_bdfs[] = {
	"0000:01:00.0", "0000:02:00.0", "0000:03:00.0", "0000:07:00.0",
	"0000:08:00.0", "0000:09:01.0", "0000:09:02.0",
};

#define APPLY_N ARRAY_SIZE(apply_bdfs)

FIXTURE(apply) {
	struct pbnl_sock s;
	struct run r;
	char conf[64];
	char before[APPLY_N][64];	/* the driver of each, at setup */
};

FIXTURE_SETUP(apply)
{
	size_t i;

	memset(&self->r, 0, sizeof(self->r));
	self->conf[0] = '\0';
	self->s.fd = -1;
	if (!pbnl_running_on_xen_dom0())
		SKIP(return, "needs a Xen dom0");
	if (access("/sys/bus/pci/drivers/pciback", F_OK))
		SKIP(return, "xen-pciback is not loaded");
	for (i = 0; i < APPLY_N; i++) {
		if (pbnl_sysfs_read(apply_bdfs[i], "vendor", self->before[i],
				    sizeof(self->before[i])))
			SKIP(return, "not the test bed's topology (%s)", apply_bdfs[i]);
		pbnl_driver_of(apply_bdfs[i], self->before[i], sizeof(self->before[i]));
		ASSERT_STRNE("pciback", self->before[i]) TH_LOG("%s", apply_bdfs[i]);
	}
	ASSERT_EQ(0, pbnl_open(&self->s));
}

FIXTURE_TEARDOWN(apply)
{
	char drv[64];
	size_t i;

	/* whatever a failed test left with pciback goes back */
	for (i = 0; self->s.fd >= 0 && i < APPLY_N; i++) {
		struct pbnl_reply r;
		const char *n = apply_bdfs[i];

		pbnl_driver_of(n, drv, sizeof(drv));
		if (strcmp(drv, "pciback"))
			continue;
		pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, &n, 1,
			PCIBACK_OP_FLAG_FORCE, &r);
		pbnl_reply_free(&r);
	}
	if (self->conf[0])
		unlink(self->conf);
	run_free(&self->r);
	if (self->s.fd >= 0)
		pbnl_close(&self->s);
}

/* No function of the test bed changed driver since setup. */
static void unchanged(struct __test_metadata *_metadata, char before[][64])
{
	char drv[64];
	size_t i;

	for (i = 0; i < APPLY_N; i++) {
		pbnl_driver_of(apply_bdfs[i], drv, sizeof(drv));
		EXPECT_STREQ(before[i], drv) TH_LOG("%s", apply_bdfs[i]);
	}
}

/* One selector of each kind; a dry run resolves them and moves nothing. */
TEST_F(apply, dry_run_resolves_every_selector)
{
	const char *args[6] = { "-j", "apply", "-n", self->conf, NULL };
	const struct jval *sels, *hide, *res;
	char ifname[32], mac[32], text[512], names[512];
	static const char *const want[] = {
		"0000:03:00.0",				/* 03:00.0 */
		"0000:09:01.0 0000:09:02.0",		/* id 8086:100e */
		"0000:01:00.0",				/* ifname */
		"0000:08:00.0",				/* mac */
		"0000:07:00.0",				/* path */
	};
	const char *err = NULL;
	struct jval *doc;
	size_t i;

	ASSERT_EQ(0, ifname_of("0000:01:00.0", ifname, sizeof(ifname)));
	ASSERT_EQ(0, ifname_of("0000:08:00.0", text, sizeof(text)));
	ASSERT_EQ(0, mac_of(text, mac, sizeof(mac)));
	snprintf(text, sizeof(text),
		 "# one selector of each kind\n"
		 "03:00.0\n"
		 "id 8086:100e   # the e1000 pair behind the PCIe-to-PCI bridge\n"
		 "\n"
		 "ifname %s\n"
		 "mac %s\n"
		 "path 0000:00:06.0/00.0/00.0/00.0   # behind the switch\n",
		 ifname, mac);
	ASSERT_EQ(0, write_conf(self->conf, sizeof(self->conf), text));

	ASSERT_EQ(0, run_tool(&self->r, args));
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	doc = json_parse(self->r.out, &err);
	ASSERT_NE(NULL, doc) TH_LOG("not JSON (%s): %s", err, self->r.out);
	EXPECT_STREQ("apply", json_get(doc, "op")->str);
	EXPECT_TRUE(json_get(doc, "dry-run")->b);
	sels = json_get(doc, "selectors");
	ASSERT_TRUE(sels && sels->type == J_ARR && sels->n == 5) TH_LOG("%s", self->r.out);
	for (i = 0; i < 5; i++) {
		json_names(json_get(&sels->kids[i], "names"), names, sizeof(names));
		EXPECT_STREQ(want[i], names) TH_LOG("selector %zu", i);
		EXPECT_FALSE(json_get(&sels->kids[i], "refused")->b);
		EXPECT_FALSE(json_get(&sels->kids[i], "remembered")->b);
	}
	EXPECT_TRUE(num_is(json_get(&sels->kids[2], "line"), 5));
	EXPECT_STREQ("path 0000:00:06.0/00.0/00.0/00.0",
		     json_get(&sels->kids[4], "selector")->str);
	EXPECT_EQ((size_t)0, json_get(doc, "already-hidden")->n);
	hide = json_get(doc, "hide");
	ASSERT_TRUE(hide && hide->type == J_OBJ) TH_LOG("%s", self->r.out);
	res = json_get(hide, "results");
	ASSERT_TRUE(res && res->type == J_ARR);
	EXPECT_EQ((size_t)6, res->n) TH_LOG("%s", self->r.out);
	for (i = 0; i < res->n; i++)
		EXPECT_STREQ("pciback", json_get(&res->kids[i], "to-driver")->str);
	/* the selectors that are not addresses were echoed */
	expect_line(_metadata, self->r.err, ":3: id 8086:100e -> 0000:09:01.0 0000:09:02.0");
	json_free(doc);
	unchanged(_metadata, self->before);
}

/* Hide for real, again (nothing moves), then unhide. */
TEST_F(apply, apply_is_idempotent)
{
	const char *args[4] = { "apply", self->conf, NULL };
	const char *jargs[5] = { "-j", "apply", self->conf, NULL };
	const char *unhide[5] = { "unhide", "0000:01:00.0", "0000:02:00.0", NULL };
	char ifname[32], mac[32], text[256], drv[64];
	const char *err = NULL;
	struct jval *doc;

	ASSERT_EQ(0, ifname_of("0000:02:00.0", ifname, sizeof(ifname)));
	ASSERT_EQ(0, mac_of(ifname, mac, sizeof(mac)));
	snprintf(text, sizeof(text), "path 0000:00:02.0/00.0\nmac %s\n", mac);
	ASSERT_EQ(0, write_conf(self->conf, sizeof(self->conf), text));

	ASSERT_EQ(0, run_tool(&self->r, args));
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	expect_line(_metadata, self->r.out, "0000:01:00.0 virtio-pci -> pciback\n");
	expect_line(_metadata, self->r.out, "0000:02:00.0 virtio-pci -> pciback\n");
	pbnl_driver_of("0000:02:00.0", drv, sizeof(drv));
	EXPECT_STREQ("pciback", drv);
	run_free(&self->r);

	/*
	 * Again: nothing moves.  The mac's interface went with its function;
	 * the path remembered when it resolved names it (already hidden).
	 */
	ASSERT_EQ(0, run_tool(&self->r, args));
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_STREQ("0000:01:00.0 already hidden\n0000:02:00.0 already hidden\n",
		     self->r.out);
	snprintf(text, sizeof(text), ":2: mac %s -> 0000:02:00.0 (remembered: no such interface now)\n",
		 mac);
	expect_line(_metadata, self->r.err, text);
	run_free(&self->r);

	ASSERT_EQ(0, run_tool(&self->r, jargs));
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	doc = json_parse(self->r.out, &err);
	ASSERT_NE(NULL, doc) TH_LOG("not JSON (%s): %s", err, self->r.out);
	EXPECT_TRUE(json_get(doc, "hide")->type == J_NULL);
	json_names(json_get(doc, "already-hidden"), text, sizeof(text));
	EXPECT_STREQ("0000:01:00.0 0000:02:00.0", text);
	EXPECT_TRUE(json_get(&json_get(doc, "selectors")->kids[1],
			     "remembered")->b);
	json_free(doc);
	run_free(&self->r);

	ASSERT_EQ(0, run_tool(&self->r, unhide));
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	expect_line(_metadata, self->r.out, "0000:01:00.0 pciback -> virtio-pci\n");
	expect_line(_metadata, self->r.out, "0000:02:00.0 pciback -> virtio-pci\n");
	unchanged(_metadata, self->before);
}

/*
 * A typo and a missing device: each bad line named, exit 2, and the lines
 * that stand are applied (the file is best effort).
 */
TEST_F(apply, bad_lines_are_named_the_rest_applied)
{
	const char *args[4] = { "apply", self->conf, NULL };
	const char *unhide[4] = { "unhide", "0000:01:00.0", NULL };
	char drv[64];

	ASSERT_EQ(0, write_conf(self->conf, sizeof(self->conf),
				"0000:01:00.0\nidd 8086:10d3\n0000:fe:1f.7\n"
				"path 0000:00:02.0/00.0\n"));
	ASSERT_EQ(0, run_tool(&self->r, args));
	EXPECT_EQ(2, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_STREQ("0000:01:00.0 virtio-pci -> pciback\n", self->r.out);
	expect_line(_metadata, self->r.err,
		    ":2: unknown selector 'idd' (expected an address, id, ifname, mac or path)\n");
	expect_line(_metadata, self->r.err, ":3: 0000:fe:1f.7: no such device\n");
	pbnl_driver_of("0000:01:00.0", drv, sizeof(drv));
	EXPECT_STREQ("pciback", drv);
	run_free(&self->r);
	ASSERT_EQ(0, run_tool(&self->r, unhide));
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	unchanged(_metadata, self->before);
}

/*
 * A group the file does not name whole is refused with the function it
 * lacks (exit 1); the other group still goes.
 */
TEST_F(apply, incomplete_group_refused_the_rest_applied)
{
	const char *args[4] = { "apply", self->conf, NULL };
	const char *unhide[4] = { "unhide", "0000:01:00.0", NULL };
	char drv[64];

	/* 09:01.0 without 09:02.0 (requester-ID alias), with a good one */
	ASSERT_EQ(0, write_conf(self->conf, sizeof(self->conf),
				"0000:01:00.0\npath 0000:00:07.0/01.0\n"));
	ASSERT_EQ(0, run_tool(&self->r, args));
	EXPECT_EQ(1, self->r.status) TH_LOG("%s", self->r.err);
	expect_line(_metadata, self->r.err, ":2: path 0000:00:07.0/01.0: not hidden: ");
	expect_line(_metadata, self->r.err, "0000:09:02.0");
	EXPECT_STREQ("0000:01:00.0 virtio-pci -> pciback\n", self->r.out);
	pbnl_driver_of("0000:01:00.0", drv, sizeof(drv));
	EXPECT_STREQ("pciback", drv);
	run_free(&self->r);
	ASSERT_EQ(0, run_tool(&self->r, unhide));
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	unchanged(_metadata, self->before);
}

/* The module parameter: interfaces become paths; no module needed. */
TEST_F(tool, apply_module_options)
{
	const char *args[5] = { "apply", "--module-options", NULL, NULL };
	char conf[64], ifname[32], text[256];

	if (access("/sys/bus/pci/devices/0000:07:00.0", F_OK) ||
	    ifname_of("0000:07:00.0", ifname, sizeof(ifname)))
		SKIP(return, "not the test bed's topology");
	snprintf(text, sizeof(text),
		 "ifname %s\npath 0000:00:07.0/01.0\n03:00.0 # e1000e\n"
		 "id 8086:10D3\npath 00:06.0/0.0/0.0/0.0\n", ifname);
	ASSERT_EQ(0, write_conf(conf, sizeof(conf), text));
	args[2] = conf;
	ASSERT_EQ(0, run_tool(&self->r, args));
	unlink(conf);
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_STREQ("path:0000:00:06.0/00.0/00.0/00.0,path:0000:00:07.0/01.0,"
		     "0000:03:00.0,id:8086:10d3\n", self->r.out);
	snprintf(text, sizeof(text), ":1: ifname %s -> path:0000:00:06.0/00.0/00.0/00.0\n",
		 ifname);
	expect_line(_metadata, self->r.err, text);
}

TEST_HARNESS_MAIN
