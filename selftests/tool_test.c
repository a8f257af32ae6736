// SPDX-License-Identifier: GPL-2.0
/*
 * pcibackctl against the kernel: its JSON parses and agrees with the
 * dev-get dump; unknown devices get one clear line and exit status 5.
 */
#include <errno.h>
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

TEST_HARNESS_MAIN
