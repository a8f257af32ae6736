// SPDX-License-Identifier: GPL-2.0
/*
 * Load: four clients run random dev-hide, dev-unhide, group-get and
 * dev-get operations (PBNL_LOAD_OPS in all, default 1000) on the test bed's
 * NICs while a racer rescans the bus, writes driver_override and asks the
 * bus to probe the same functions.  Afterwards: every operation ended with
 * an expected answer within a bounded time (no deadlock), no function is
 * left without a driver, and the last notification of each function names
 * the driver it has.  PBNL_LOAD_SEED (default 1) seeds the choices.
 *
 * The racer writes back the driver_override it just read, as a tool that
 * edits it would; now and then that value is stale (an operation changed
 * it in between).  An attach then sets it again (with a warning); a stale
 * write that lets a host driver grab a released function makes the
 * operation fail, and it must then have rolled everything back.  One that
 * did not roll back everything, or failed otherwise, fails the test.  The
 * teardown clears what stale writes left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pbnl.h"

#define CLIENTS 4
#define MAX_DEVS 16
#define MAX_UNITS 8
/* One operation may wait for the others (they are serialized) but not forever. */
#define OP_LIMIT_S 120.0

/* Functions that must move together (a co-assignment group), by index. */
struct unit {
	size_t n;
	size_t dev[4];
};

/* What the clients report, in shared memory. */
struct tally {
	unsigned long ops, hides, unhides, groups, dumps;
	unsigned long ok, eexist, einval, rolled_back, other;
	unsigned long set_again;	/* ok, driver_override set again */
	double max_op_s;
	char first_other[PBNL_STR_MAX * 3];
};

FIXTURE(load) {
	struct pbnl_sock s;
	char dev[MAX_DEVS][PBNL_STR_MAX];
	char host_drv[MAX_DEVS][PBNL_STR_MAX];
	size_t ndevs;
	struct unit unit[MAX_UNITS];
	size_t nunits;
	struct tally *tally;	/* CLIENTS entries and the racer's, shared */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

static size_t dev_index(FIXTURE_DATA(load) * self, const char *name)
{
	size_t i;

	for (i = 0; i < self->ndevs; i++)
		if (!strcmp(self->dev[i], name))
			return i;
	return SIZE_MAX;
}

/*
 * The NICs on host drivers, grouped as group-get says they must go.  Groups
 * that cannot be hidden (no reset, in use) or hold anything but these NICs
 * and bridges are left out.
 */
FIXTURE_SETUP(load)
{
	static const char *const drivers[] = { "e1000e", "e1000", "virtio-pci" };
	struct pbnl_reply dump;
	size_t i, j, k;

	self->tally = MAP_FAILED;
	self->ndevs = 0;
	if (!pbnl_running_on_xen_dom0())
		SKIP(return, "needs a Xen dom0");
	if (access("/sys/bus/pci/drivers/pciback", F_OK))
		SKIP(return, "xen-pciback is not loaded");
	ASSERT_EQ(0, pbnl_open(&self->s));
	ASSERT_EQ(0, pbnl_dump(&self->s, &dump));
	for (i = 0; i < dump.ndevs && self->ndevs < MAX_DEVS; i++) {
		const struct pbnl_dev *d = &dump.devs[i];

		for (j = 0; j < ARRAY_SIZE(drivers); j++) {
			if (d->has_driver && !strcmp(d->driver, drivers[j])) {
				snprintf(self->dev[self->ndevs], PBNL_STR_MAX, "%s", d->name);
				snprintf(self->host_drv[self->ndevs], PBNL_STR_MAX,
					 "%s", d->driver);
				self->ndevs++;
			}
		}
	}
	pbnl_reply_free(&dump);

	for (i = 0; i < self->ndevs && self->nunits < MAX_UNITS; i++) {
		const char *name = self->dev[i];
		struct unit u = { 0 };
		struct pbnl_reply r;
		bool usable;

		for (j = 0; j < self->nunits; j++)
			for (k = 0; k < self->unit[j].n; k++)
				if (self->unit[j].dev[k] == i)
					goto next;
		ASSERT_EQ(0, pbnl_group(&self->s, &name, 1, 0, &r));
		usable = !r.err && !(r.verdict & (PCIBACK_GROUP_VERDICT_NO_RESET |
						   PCIBACK_GROUP_VERDICT_IN_USE));
		for (j = 0; usable && j < r.nmembers; j++) {
			size_t x = dev_index(self, r.members[j]);
			char class[16];

			if (x != SIZE_MAX && u.n < 4)
				u.dev[u.n++] = x;
			else if (pbnl_sysfs_read(r.members[j], "class", class,
						 sizeof(class)) ||
				 strncmp(class, "0x06", 4))
				usable = false;
		}
		pbnl_reply_free(&r);
		if (usable && u.n)
			self->unit[self->nunits++] = u;
next:
		;
	}
	ASSERT_LE((size_t)3, self->nunits) TH_LOG("want 3 or more groups of NICs");
	self->tally = mmap(NULL, (CLIENTS + 1) * sizeof(struct tally),
			   PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->tally);
	memset(self->tally, 0, (CLIENTS + 1) * sizeof(struct tally));
}

/* Whatever is still hidden goes back to its host driver. */
FIXTURE_TEARDOWN(load)
{
	size_t i;

	for (i = 0; i < self->ndevs; i++) {
		if (!strcmp(pbnl_drv(self->dev[i]), "pciback")) {
			const char *name = self->dev[i];
			struct pbnl_reply r;

			pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, &name, 1,
				PCIBACK_OP_FLAG_FORCE | PCIBACK_OP_FLAG_WITH_GROUP, &r);
			pbnl_reply_free(&r);
		}
	}
	/* what stale racer writes left: no override, a driver */
	for (i = 0; i < self->ndevs; i++) {
		char path[PATH_MAX], val[256];

		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
			 self->dev[i]);
		if (!pbnl_sysfs_read(self->dev[i], "driver_override", val, sizeof(val)) &&
		    strcmp(val, "(null)"))
			pbnl_write_str(path, "\n");
		if (!pbnl_drv(self->dev[i])[0])
			pbnl_write_str("/sys/bus/pci/drivers_probe", self->dev[i]);
	}
	if (self->tally != MAP_FAILED)
		munmap(self->tally, (CLIENTS + 1) * sizeof(struct tally));
	if (self->ndevs)
		pbnl_close(&self->s);
}

/* Names of 1..3 random units (sometimes only part of one), in @names. */
static size_t pick(FIXTURE_DATA(load) * self, unsigned int *seed,
		   const char **names, bool *partial)
{
	size_t want = 1 + rand_r(seed) % 3, n = 0, i, k;
	bool used[MAX_UNITS] = { false };

	*partial = false;
	for (i = 0; i < want; i++) {
		size_t u = rand_r(seed) % self->nunits;

		if (used[u])
			continue;
		used[u] = true;
		for (k = 0; k < self->unit[u].n; k++) {
			/* now and then leave out a member */
			if (self->unit[u].n > 1 && k == 0 && rand_r(seed) % 8 == 0) {
				*partial = true;
				continue;
			}
			names[n++] = self->dev[self->unit[u].dev[k]];
		}
	}
	return n;
}

static void client(FIXTURE_DATA(load) * self, unsigned int id,
		   unsigned long ops, unsigned int seed)
{
	struct tally *t = &self->tally[id];
	struct pbnl_sock s;
	unsigned long i;

	if (pbnl_open(&s))
		_exit(2);
	for (i = 0; i < ops; i++) {
		const char *names[MAX_DEVS];
		struct pbnl_reply r = { 0 };
		unsigned int what = rand_r(&seed) % 10;
		bool partial;
		size_t n = pick(self, &seed, names, &partial);
		double t0 = now(), dt;
		int ret;

		if (what < 3) {
			t->hides++;
			ret = pbnl_op(&s, PCIBACK_CMD_DEV_HIDE, names, n, 0, &r);
		} else if (what < 6) {
			t->unhides++;
			ret = pbnl_op(&s, PCIBACK_CMD_DEV_UNHIDE, names, n, 0, &r);
		} else if (what < 8) {
			t->groups++;
			ret = pbnl_group(&s, names, n, 0, &r);
		} else {
			t->dumps++;
			ret = pbnl_dump(&s, &r);
		}
		dt = now() - t0;
		if (dt > t->max_op_s)
			t->max_op_s = dt;
		t->ops++;
		/*
		 * Part of a group: refused, unless the rest is hidden already
		 * (unhiding part of a group is allowed).
		 */
		for (size_t k = 0; !ret && !r.err && k < r.nresults; k++)
			t->set_again += !!strstr(r.results[k].warning,
						 "another writer");
		if (!ret && !r.err)
			t->ok++;
		else if (!ret && r.err == -EEXIST)
			t->eexist++;	/* hide of a hidden one */
		else if (!ret && r.err == -EINVAL)
			t->einval++;	/* unhide of a host one, part of a group */
		else if (!ret && strstr(r.msg, "all rolled back") &&
			 !strstr(r.msg, "not all rolled back"))
			t->rolled_back++;	/* a step failed: see the top */
		else if (t->other++ == 0)
			snprintf(t->first_other, sizeof(t->first_other),
				 "op %u%s: %d %d %s", what,
				 partial ? " (part of a group)" : "", ret, r.err,
				 r.msg);
		pbnl_reply_free(&r);
	}
	pbnl_close(&s);
	_exit(0);
}

/* Its tally: hides = rescans, unhides = override writes, groups = probes. */
static void racer(FIXTURE_DATA(load) * self, unsigned int seed)
{
	struct tally *t = &self->tally[CLIENTS];

	for (;;) {
		const char *name = self->dev[rand_r(&seed) % self->ndevs];
		char path[PATH_MAX], val[256];

		switch (rand_r(&seed) % 3) {
		case 0:
			pbnl_write_str("/sys/bus/pci/rescan", "1");
			t->hides++;
			break;
		case 1:
			/* what driverctl or a udev rule does: (re)write it */
			snprintf(path, sizeof(path),
				 "/sys/bus/pci/devices/%s/driver_override", name);
			if (!pbnl_sysfs_read(name, "driver_override", val, sizeof(val)))
				pbnl_write_str(path, strcmp(val, "(null)") ? val : "\n");
			t->unhides++;
			break;
		case 2:
			/* try to make some driver grab it in the window */
			pbnl_write_str("/sys/bus/pci/drivers_probe", name);
			t->groups++;
			break;
		}
		usleep(1000 + rand_r(&seed) % 4000);
	}
}

TEST_F_TIMEOUT(load, clients_and_racer, 1800)
{
	unsigned long ops = env_ul("PBNL_LOAD_OPS", 1000);
	unsigned int seed = env_ul("PBNL_LOAD_SEED", 1);
	char last[MAX_DEVS][PBNL_STR_MAX] = { { 0 } };
	unsigned long notes = 0, done_ops = 0, other = 0;
	pid_t pid[CLIENTS], rpid;
	struct pbnl_sock mon;
	int bufsz = 16 << 20;
	double t0, max_op = 0;
	size_t i, running;
	struct pbnl_dev d;
	int status, ret;

	TH_LOG("seed %u (PBNL_LOAD_SEED), %lu operations, %zu functions in %zu groups",
	       seed, ops, self->ndevs, self->nunits);
	ASSERT_EQ(0, pbnl_monitor_open(&mon));
	ASSERT_EQ(0, setsockopt(mon.fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz,
				sizeof(bufsz)));

	t0 = now();
	rpid = fork();
	ASSERT_LE(0, rpid);
	if (!rpid)
		racer(self, seed ^ 0x5a5a5a5a);
	for (i = 0; i < CLIENTS; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i])
			client(self, i, ops / CLIENTS + (i < ops % CLIENTS),
			       seed * 7919 + i);
	}

	/* Follow the notifications while the clients run. */
	running = CLIENTS;
	while (running) {
		ret = pbnl_monitor_next(&mon, &d, 200);
		if (!ret) {
			size_t x = dev_index(self, d.name);

			notes++;
			if (x != SIZE_MAX)
				snprintf(last[x], PBNL_STR_MAX, "%s",
					 d.has_driver ? d.driver : "");
		} else {
			ASSERT_EQ(-ETIMEDOUT, ret) TH_LOG("monitor: %s", strerror(-ret));
		}
		for (i = 0; i < CLIENTS; i++) {
			if (pid[i] > 0 && waitpid(pid[i], &status, WNOHANG) == pid[i]) {
				EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
				pid[i] = 0;
				running--;
			}
		}
		if (now() - t0 > 1500) {
			for (i = 0; i < CLIENTS; i++)
				if (pid[i] > 0)
					kill(pid[i], SIGKILL);
			kill(rpid, SIGKILL);
			ASSERT_TRUE(false) TH_LOG("clients still running after 1500 s");
		}
	}
	kill(rpid, SIGKILL);
	waitpid(rpid, &status, 0);
	while (!pbnl_monitor_next(&mon, &d, 500)) {
		size_t x = dev_index(self, d.name);

		notes++;
		if (x != SIZE_MAX)
			snprintf(last[x], PBNL_STR_MAX, "%s", d.has_driver ? d.driver : "");
	}
	pbnl_close(&mon);

	for (i = 0; i < CLIENTS; i++) {
		struct tally *t = &self->tally[i];

		TH_LOG("client %zu: %lu ops (%lu hide, %lu unhide, %lu group, %lu list): "
		       "%lu ok (%lu driver_override set again), %lu EEXIST, "
		       "%lu EINVAL, %lu rolled back, %lu other; slowest %.1f s",
		       i, t->ops, t->hides, t->unhides, t->groups, t->dumps, t->ok,
		       t->set_again, t->eexist, t->einval, t->rolled_back, t->other,
		       t->max_op_s);
		if (t->other)
			TH_LOG("client %zu: first unexpected answer: %s", i,
			       t->first_other);
		done_ops += t->ops;
		other += t->other;
		if (t->max_op_s > max_op)
			max_op = t->max_op_s;
	}
	TH_LOG("%lu operations in %.1f s, %lu notifications, slowest %.1f s; "
	       "racer: %lu rescans, %lu driver_override writes, %lu probes",
	       done_ops, now() - t0, notes, max_op, self->tally[CLIENTS].hides,
	       self->tally[CLIENTS].unhides, self->tally[CLIENTS].groups);
	EXPECT_EQ(ops, done_ops);
	EXPECT_EQ(0UL, other);
	EXPECT_GT(OP_LIMIT_S, max_op);
	EXPECT_LT(0UL, notes);

	/* Every function has a driver, and its last notification names it. */
	for (i = 0; i < self->ndevs; i++) {
		const char *now_drv = pbnl_drv(self->dev[i]);

		EXPECT_NE(0, now_drv[0]) TH_LOG("%s has no driver", self->dev[i]);
		EXPECT_TRUE(!strcmp(now_drv, "pciback") ||
			    !strcmp(now_drv, self->host_drv[i]))
			TH_LOG("%s: %s", self->dev[i], now_drv);
		if (last[i][0])
			EXPECT_STREQ(last[i], now_drv) TH_LOG("%s", self->dev[i]);
	}
}

TEST_HARNESS_MAIN
