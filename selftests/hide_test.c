// SPDX-License-Identifier: GPL-2.0
/*
 * dev-hide and dev-unhide against the real xen-pciback in a Xen dom0: all
 * or nothing, rollback to the original drivers, the devices stay hidden
 * across rescans and driver reloads, notifications, privilege, xl interop,
 * and the race of the old echo sequence that dev-hide does not have.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pbnl.h"

#define FAULT_KNOB "/sys/module/pciback_nl/parameters/fault"
#define WINDOW_KNOB "/sys/module/pciback_nl/parameters/window_ms"
#define QUEUE_KNOB "/sys/module/pciback_nl/parameters/queue_ms"
#define CONTEND_KNOB "/sys/module/pciback_nl/parameters/contend_ms"

static const char *override_of(const char *bdf)
{
	static char buf[256];

	if (pbnl_sysfs_read(bdf, "driver_override", buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "?");
	return buf;
}

/*
 * The driver core's bind and unbind uevents of PCI functions, in the order
 * the kernel sent them: "u 0000:00:1d.0" for an unbind, "b ..." for a bind.
 */
struct bind_log {
	int fd;
	char ev[64][20];
	size_t n;
};

static int bind_log_open(struct bind_log *l)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int size = 1 << 20;

	l->n = 0;
	l->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		       NETLINK_KOBJECT_UEVENT);
	if (l->fd < 0)
		return -errno;
	setsockopt(l->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	if (bind(l->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(l->fd);
		return -errno;
	}
	return 0;
}

/* Read what has arrived; return -1 if the kernel dropped some. */
static int bind_log_read(struct bind_log *l)
{
	char buf[8192];
	ssize_t len;

	while ((len = recv(l->fd, buf, sizeof(buf) - 1, 0)) >= 0) {
		const char *action = NULL, *subsys = NULL, *path = NULL;
		char *p = buf, *end = buf + len;

		buf[len] = '\0';
		for (; p < end; p += strlen(p) + 1) {
			if (!strncmp(p, "ACTION=", 7))
				action = p + 7;
			else if (!strncmp(p, "SUBSYSTEM=", 10))
				subsys = p + 10;
			else if (!strncmp(p, "DEVPATH=", 8))
				path = p + 8;
		}
		if (!action || !subsys || !path || strcmp(subsys, "pci") ||
		    (strcmp(action, "bind") && strcmp(action, "unbind")))
			continue;
		if (strrchr(path, '/'))
			path = strrchr(path, '/') + 1;
		if (l->n < ARRAY_SIZE(l->ev))
			snprintf(l->ev[l->n++], sizeof(l->ev[0]), "%c %s",
				 action[0], path);
	}
	return errno == ENOBUFS ? -1 : 0;
}

/*
 * Whether, among the events of @names, every unbind came before every bind,
 * with @n of each.
 */
static bool released_all_before_attaching(struct __test_metadata *_metadata,
					  const struct bind_log *l,
					  const char * const *names, size_t n)
{
	size_t i, k, unbinds = 0, binds = 0;
	bool ok = true;

	for (i = 0; i < l->n; i++) {
		for (k = 0; k < n; k++)
			if (!strcmp(l->ev[i] + 2, names[k]))
				break;
		if (k == n)
			continue;
		if (l->ev[i][0] == 'u') {
			unbinds++;
			if (binds)
				ok = false;
		} else {
			binds++;
		}
	}
	ok = ok && unbinds == n && binds == n;
	for (i = 0; !ok && i < l->n; i++)
		TH_LOG("uevent %s", l->ev[i]);
	return ok;
}

/* Output of a shell command, "" on failure. */
static const char *run_out(const char *cmd)
{
	static char buf[16384];
	size_t n = 0;
	FILE *p = popen(cmd, "r");

	buf[0] = '\0';
	if (!p)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	pclose(p);
	return buf;
}

FIXTURE(hide) {
	struct pbnl_sock s;
	struct pbnl_reply rep;
	/* devices with a host driver and a network interface */
	char nic[4][PBNL_STR_MAX];
	char drv[4][PBNL_STR_MAX];
	const char *names[4];
};

/* Whether the co-assignment group of @name is @name alone (plus bridges). */
static bool alone_in_group(struct pbnl_sock *s, const char *name)
{
	struct pbnl_reply r;
	bool alone;

	if (pbnl_group(s, &name, 1, 0, &r) || r.err)
		return false;
	alone = r.nmembers >= 1 &&
		!(r.verdict & (PCIBACK_GROUP_VERDICT_NO_RESET |
			       PCIBACK_GROUP_VERDICT_IN_USE));
	for (size_t i = 1; alone && i < r.nmembers; i++) {
		char path[PATH_MAX], buf[8];

		/* other members may only be bridges and ports (class 06xx) */
		snprintf(path, sizeof(path), "%s", r.members[i]);
		if (pbnl_sysfs_read(path, "class", buf, sizeof(buf)) ||
		    strncmp(buf, "0x06", 4))
			alone = false;
	}
	pbnl_reply_free(&r);
	return alone;
}

/*
 * names[0..1]: two NICs (e1000e, virtio-net) that are a co-assignment
 * group on their own; names[2..3]: the two e1000 behind the PCIe-to-PCI
 * bridge, which form one group.
 */
FIXTURE_SETUP(hide)
{
	struct pbnl_reply dump;
	size_t i, k = 0, e = 2;

	memset(&self->rep, 0, sizeof(self->rep));
	if (!pbnl_running_on_xen_dom0())
		SKIP(return, "needs a Xen dom0");
	if (access("/sys/bus/pci/drivers/pciback", F_OK))
		SKIP(return, "xen-pciback is not loaded");
	ASSERT_EQ(0, pbnl_open(&self->s));
	ASSERT_EQ(0, pbnl_dump(&self->s, &dump));
	for (i = 0; i < 3 * dump.ndevs; i++) {
		/* pass 0: e1000e, pass 1: virtio-net, pass 2: e1000 */
		const struct pbnl_dev *d = &dump.devs[i % dump.ndevs];
		size_t pass = i / dump.ndevs, slot;

		if (!d->has_driver)
			continue;
		if (pass == 2 && !strcmp(d->driver, "e1000") && e < 4)
			slot = e++;
		else if (pass == k && k < 2 &&
			 !strcmp(d->driver, k ? "virtio-pci" : "e1000e") &&
			 alone_in_group(&self->s, d->name))
			slot = k++;
		else
			continue;
		snprintf(self->nic[slot], PBNL_STR_MAX, "%s", d->name);
		snprintf(self->drv[slot], PBNL_STR_MAX, "%s", d->driver);
		self->names[slot] = self->nic[slot];
	}
	pbnl_reply_free(&dump);
	ASSERT_EQ((size_t)2, k) TH_LOG("need an e1000e and a virtio-net alone in their groups");
	ASSERT_EQ((size_t)4, e) TH_LOG("need two e1000 behind a bridge");
	for (i = 0; i < 4; i++) {
		ASSERT_NE(0, pbnl_ifname(self->names[i])[0])
			TH_LOG("%s", self->names[i]);
	}
}

/* Whatever a test left hidden goes back; knobs are disarmed. */
FIXTURE_TEARDOWN(hide)
{
	size_t i;

	if (!self->names[0])
		return;
	pbnl_write_str(FAULT_KNOB, "");
	pbnl_write_str(WINDOW_KNOB, "0");
	pbnl_write_str(QUEUE_KNOB, "0");
	pbnl_write_str(CONTEND_KNOB, "0");
	for (i = 0; i < 4; i++) {
		if (strcmp(pbnl_drv(self->names[i]), self->drv[i])) {
			struct pbnl_reply r;

			pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, &self->names[i], 1,
				PCIBACK_OP_FLAG_FORCE, &r);
			pbnl_reply_free(&r);
		}
		/* no slot entry left behind (rollback_keeps_...): "no such entry" is fine */
		pbnl_write_str("/sys/bus/pci/drivers/pciback/remove_slot",
			       self->names[i]);
	}
	pbnl_reply_free(&self->rep);
	pbnl_close(&self->s);
}

static bool all_on_host(struct __test_metadata *_metadata,
			FIXTURE_DATA(hide) * self)
{
	bool ok = true;
	size_t i;

	for (i = 0; i < 4; i++) {
		const char *n = self->names[i];

		EXPECT_STREQ(self->drv[i], pbnl_drv(n)) ok = false;
		EXPECT_STREQ("(null)", override_of(n)) ok = false;
		EXPECT_NE(0, pbnl_ifname(n)[0]) {
			TH_LOG("%s has no network interface", n);
			ok = false;
		}
	}
	return ok;
}

/*
 * The first function (a NIC) hidden and unhidden: its network interface
 * goes away and comes back.  After USB moves, that is where the memory
 * corruption of a split companion group showed on 6.1.
 */
static bool netdev_round_trip(struct __test_metadata *_metadata,
			      FIXTURE_DATA(hide) * self)
{
	EXPECT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, self->names, 1, 0,
			     &self->rep)) return false;
	EXPECT_EQ(0, self->rep.err) {
		TH_LOG("%s", self->rep.msg);
		return false;
	}
	pbnl_reply_free(&self->rep);
	EXPECT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, self->names, 1, 0,
			     &self->rep)) return false;
	EXPECT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	return self->rep.err == 0 && pbnl_ifname(self->names[0])[0];
}

TEST_F(hide, hide_and_unhide_round_trip)
{
	struct pbnl_reply get;
	size_t i;

	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, self->names, 4, 0,
			     &self->rep));
	ASSERT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	ASSERT_EQ((size_t)4, self->rep.nresults);
	for (i = 0; i < 4; i++) {
		const struct pbnl_result *r = &self->rep.results[i];

		EXPECT_STREQ(self->names[i], r->name);
		EXPECT_STREQ(self->drv[i], r->from);
		EXPECT_STREQ("pciback", r->to);
		EXPECT_TRUE(r->dev.pciback);
		EXPECT_TRUE(r->dev.hidden);
		EXPECT_STREQ(self->drv[i], r->dev.orig_driver);
		EXPECT_STREQ("pciback", pbnl_drv(self->names[i]));
		EXPECT_STREQ("pciback", override_of(self->names[i]));
		ASSERT_EQ(0, pbnl_get(&self->s, self->names[i], &get));
		EXPECT_TRUE(get.devs[0].hidden && get.devs[0].pciback);
		pbnl_reply_free(&get);
	}
	/* xl sees them as assignable */
	for (i = 0; i < 4; i++) {
		EXPECT_NE(NULL, strstr(run_out("xl pci-assignable-list 2>&1"),
				       self->names[i]))
			TH_LOG("%s not in xl pci-assignable-list", self->names[i]);
	}
	pbnl_reply_free(&self->rep);

	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, self->names, 4, 0,
			     &self->rep));
	ASSERT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	ASSERT_EQ((size_t)4, self->rep.nresults);
	for (i = 0; i < 4; i++) {
		EXPECT_STREQ("pciback", self->rep.results[i].from);
		EXPECT_STREQ(self->drv[i], self->rep.results[i].to);
		EXPECT_FALSE(self->rep.results[i].dev.hidden);
		/* no stale slot entry left for pciback to seize it again */
		EXPECT_EQ(NULL, strstr(run_out("cat /sys/bus/pci/drivers/pciback/slots"),
				       self->names[i]));
	}
	all_on_host(_metadata, self);
	EXPECT_EQ(NULL, strstr(run_out("xl pci-assignable-list 2>&1"), self->names[0]));
}

TEST_F(hide, dry_run_changes_nothing)
{
	size_t i;

	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, self->names, 4,
			     PCIBACK_OP_FLAG_DRY_RUN, &self->rep));
	ASSERT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	ASSERT_EQ((size_t)4, self->rep.nresults);
	for (i = 0; i < 4; i++) {
		EXPECT_STREQ(self->drv[i], self->rep.results[i].from);
		EXPECT_STREQ("pciback", self->rep.results[i].to);
		EXPECT_FALSE(self->rep.results[i].dev.pciback);
	}
	all_on_host(_metadata, self);
}

TEST_F(hide, already_hidden_is_eexist)
{
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, self->names, 1, 0,
			     &self->rep));
	ASSERT_EQ(0, self->rep.err);
	pbnl_reply_free(&self->rep);
	/* a set with one hidden device is refused whole */
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, self->names, 2, 0,
			     &self->rep));
	EXPECT_EQ(-EEXIST, self->rep.err);
	EXPECT_NE(NULL, strstr(self->rep.msg, self->names[0])) TH_LOG("%s", self->rep.msg);
	EXPECT_STREQ(self->drv[1], pbnl_drv(self->names[1]));
}

TEST_F(hide, unhide_of_a_host_device_is_einval)
{
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, self->names, 1, 0,
			     &self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
	EXPECT_NE(NULL, strstr(self->rep.msg, self->names[0])) TH_LOG("%s", self->rep.msg);
}

TEST_F(hide, bridge_is_refused)
{
	static const char * const bridge[] = { "0000:00:02.0" };

	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, bridge, 1, 0,
			     &self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
	EXPECT_NE(NULL, strstr(self->rep.msg, "bridge")) TH_LOG("%s", self->rep.msg);
	EXPECT_STREQ("pcieport", pbnl_drv(bridge[0]));
}

TEST_F(hide, duplicate_and_absent_devices_are_refused)
{
	const char *dup[2] = { self->names[0], self->names[0] };
	const char *absent[2] = { self->names[0], "0000:fe:1f.7" };

	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, dup, 2, 0, &self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
	EXPECT_NE(NULL, strstr(self->rep.msg, "twice")) TH_LOG("%s", self->rep.msg);
	pbnl_reply_free(&self->rep);
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, absent, 2, 0,
			     &self->rep));
	EXPECT_EQ(-ENODEV, self->rep.err);
	EXPECT_NE(NULL, strstr(self->rep.msg, "0000:fe:1f.7"));
	EXPECT_STREQ(self->drv[0], pbnl_drv(self->names[0]));
}

TEST_F(hide, bad_flags_are_einval)
{
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, self->names, 1, 0x80,
			     &self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
	EXPECT_NE(0, self->rep.msg[0]);
	EXPECT_STREQ(self->drv[0], pbnl_drv(self->names[0]));
}

TEST_F(hide, interface_up_is_refused_unless_forced)
{
	const char *ifname = pbnl_ifname(self->names[0]);
	char ifn[IF_NAMESIZE + 1];

	snprintf(ifn, sizeof(ifn), "%s", ifname);
	ASSERT_EQ(0, pbnl_set_link(ifn, true));
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, self->names, 4, 0,
			     &self->rep));
	EXPECT_EQ(-EBUSY, self->rep.err);
	EXPECT_NE(NULL, strstr(self->rep.msg, ifn)) TH_LOG("%s", self->rep.msg);
	all_on_host(_metadata, self);
	pbnl_reply_free(&self->rep);

	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, self->names, 1,
			     PCIBACK_OP_FLAG_FORCE, &self->rep));
	EXPECT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	ASSERT_EQ((size_t)1, self->rep.nresults);
	EXPECT_NE(NULL, strstr(self->rep.results[0].warning, ifn));
	EXPECT_EQ((size_t)1, self->rep.results[0].nwarnings);
	EXPECT_STREQ("pciback", pbnl_drv(self->names[0]));
}

/* Two things forced for one function: two warnings, neither lost. */
TEST_F(hide, every_forced_check_is_warned)
{
	const char *ifname = pbnl_ifname(self->names[2]);
	char ifn[IF_NAMESIZE + 1];

	snprintf(ifn, sizeof(ifn), "%s", ifname);
	ASSERT_NE(0, ifn[0]);
	ASSERT_EQ(0, pbnl_set_link(ifn, true));
	/* names[2] is up, and its group needs names[3] too */
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, &self->names[2], 1,
			     PCIBACK_OP_FLAG_FORCE, &self->rep));
	EXPECT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	ASSERT_EQ((size_t)1, self->rep.nresults);
	EXPECT_EQ((size_t)2, self->rep.results[0].nwarnings)
		TH_LOG("%s", self->rep.results[0].warning);
	EXPECT_NE(NULL, strstr(self->rep.results[0].warning, ifn));
	EXPECT_NE(NULL, strstr(self->rep.results[0].warning, "incomplete group"));
	EXPECT_STREQ("pciback", pbnl_drv(self->names[2]));
}

/* Each step of the 4th device (then of the 1st) fails in turn. */
TEST_F(hide, failure_at_every_step_rolls_back)
{
	static const char * const steps[] = {
		"record:4", "override:4", "release:4", "attach:4",
		"override:1", "release:1", "attach:1",
	};
	size_t i;

	if (access(FAULT_KNOB, F_OK))
		SKIP(return, "module built without fault injection");
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		ASSERT_EQ(0, pbnl_write_str(FAULT_KNOB, steps[i]));
		ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, self->names,
				     4, 0, &self->rep));
		EXPECT_EQ(-EIO, self->rep.err) TH_LOG("fault %s", steps[i]);
		EXPECT_NE(0, self->rep.msg[0]);
		EXPECT_TRUE(all_on_host(_metadata, self)) TH_LOG("after %s", steps[i]);
		pbnl_reply_free(&self->rep);
	}
}

TEST_F(hide, unhide_failure_keeps_all_hidden)
{
	static const char * const steps[] = {
		"record:4", "release:4", "attach:4", "override:4", "attach:1",
	};
	size_t i, k;

	if (access(FAULT_KNOB, F_OK))
		SKIP(return, "module built without fault injection");
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, self->names, 4, 0,
			     &self->rep));
	ASSERT_EQ(0, self->rep.err);
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		pbnl_reply_free(&self->rep);
		ASSERT_EQ(0, pbnl_write_str(FAULT_KNOB, steps[i]));
		ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, self->names,
				     4, 0, &self->rep));
		EXPECT_EQ(-EIO, self->rep.err) TH_LOG("fault %s", steps[i]);
		for (k = 0; k < 4; k++) {
			EXPECT_STREQ("pciback", pbnl_drv(self->names[k]))
				TH_LOG("after %s", steps[i]);
			EXPECT_STREQ("pciback", override_of(self->names[k]));
		}
	}
	pbnl_reply_free(&self->rep);
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, self->names, 4, 0,
			     &self->rep));
	EXPECT_EQ(0, self->rep.err);
	all_on_host(_metadata, self);
}

/*
 * A failed step, and then a failed reattach in the rollback: the message
 * says so; a host device gets whatever driver the bus picks (here its own),
 * one that was on pciback stays without a driver, reserved.
 */
TEST_F(hide, reattach_failure_in_rollback)
{
	size_t k;

	if (access(FAULT_KNOB, F_OK))
		SKIP(return, "module built without fault injection");
	ASSERT_EQ(0, pbnl_write_str(FAULT_KNOB, "attach:4,reattach:2"));
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, self->names, 4, 0,
			     &self->rep));
	EXPECT_EQ(-EIO, self->rep.err);
	EXPECT_NE(NULL, strstr(self->rep.msg, "not all rolled back"))
		TH_LOG("message: %s", self->rep.msg);
	EXPECT_TRUE(all_on_host(_metadata, self));
	pbnl_reply_free(&self->rep);

	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, self->names, 4, 0,
			     &self->rep));
	ASSERT_EQ(0, self->rep.err);
	pbnl_reply_free(&self->rep);
	ASSERT_EQ(0, pbnl_write_str(FAULT_KNOB, "attach:4,reattach:1"));
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, self->names, 4, 0,
			     &self->rep));
	EXPECT_EQ(-EIO, self->rep.err);
	EXPECT_NE(NULL, strstr(self->rep.msg, "not all rolled back"))
		TH_LOG("message: %s", self->rep.msg);
	EXPECT_STREQ("", pbnl_drv(self->names[0]));
	EXPECT_STREQ("pciback", override_of(self->names[0]));
	for (k = 1; k < 4; k++)
		EXPECT_STREQ("pciback", pbnl_drv(self->names[k]));
	pbnl_reply_free(&self->rep);

	/* its record lets it be unhidden with the rest */
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, self->names, 4, 0,
			     &self->rep));
	EXPECT_EQ(0, self->rep.err) TH_LOG("unhide: %s", self->rep.msg);
	EXPECT_TRUE(all_on_host(_metadata, self));
}

TEST_F(hide, notifications_follow_every_change)
{
	struct pbnl_sock mon;
	struct pbnl_dev d;
	size_t i;

	ASSERT_EQ(0, pbnl_monitor_open(&mon));
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, self->names, 2, 0,
			     &self->rep));
	ASSERT_EQ(0, self->rep.err);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pbnl_monitor_next(&mon, &d, 5000));
		EXPECT_EQ((uint32_t)PCIBACK_EVENT_HIDDEN, d.event);
		EXPECT_STREQ(self->names[i], d.name);
		EXPECT_TRUE(d.pciback && d.hidden);
	}
	pbnl_reply_free(&self->rep);
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, self->names, 2, 0,
			     &self->rep));
	ASSERT_EQ(0, self->rep.err);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pbnl_monitor_next(&mon, &d, 5000));
		EXPECT_EQ((uint32_t)PCIBACK_EVENT_UNHIDDEN, d.event);
		EXPECT_STREQ(self->names[i], d.name);
		EXPECT_STREQ(self->drv[i], d.driver);
	}
	if (!access(FAULT_KNOB, F_OK)) {
		pbnl_reply_free(&self->rep);
		ASSERT_EQ(0, pbnl_write_str(FAULT_KNOB, "attach:2"));
		ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, self->names,
				     2, 0, &self->rep));
		EXPECT_EQ(-EIO, self->rep.err);
		for (i = 0; i < 2; i++) {
			ASSERT_EQ(0, pbnl_monitor_next(&mon, &d, 5000));
			EXPECT_EQ((uint32_t)PCIBACK_EVENT_ROLLED_BACK, d.event);
			EXPECT_STREQ(self->drv[1 - i], d.driver);
		}
	}
	EXPECT_EQ(-ETIMEDOUT, pbnl_monitor_next(&mon, &d, 300));
	pbnl_close(&mon);
}

TEST_F(hide, stays_hidden_across_remove_and_rescan)
{
	char path[PATH_MAX];

	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, &self->names[2], 2, 0,
			     &self->rep));
	ASSERT_EQ(0, self->rep.err);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove", self->names[2]);
	ASSERT_EQ(0, pbnl_write_str(path, "1"));
	ASSERT_NE(0, access(path, F_OK));
	ASSERT_EQ(0, pbnl_write_str("/sys/bus/pci/rescan", "1"));
	EXPECT_STREQ("pciback", pbnl_drv(self->names[2]));
	EXPECT_STREQ("pciback", override_of(self->names[2]));
	/* an explicit probe does not hand it to e1000 either */
	pbnl_write_str("/sys/bus/pci/drivers_probe", self->names[2]);
	EXPECT_STREQ("pciback", pbnl_drv(self->names[2]));
}

TEST_F(hide, stays_hidden_across_host_driver_reload)
{
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, self->names, 1, 0,
			     &self->rep));
	ASSERT_EQ(0, self->rep.err);
	ASSERT_EQ(0, system("rmmod e1000e && modprobe e1000e"));
	EXPECT_STREQ("pciback", pbnl_drv(self->names[0]));
	pbnl_reply_free(&self->rep);
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, self->names, 1, 0,
			     &self->rep));
	EXPECT_EQ(0, self->rep.err);
	EXPECT_STREQ("e1000e", pbnl_drv(self->names[0]));
}

TEST_F(hide, unhide_after_module_reload)
{
	const char *ko = getenv("PBNL_KO") ? getenv("PBNL_KO") :
		"/opt/pciback-nl/pciback_nl.ko";
	char cmd[PATH_MAX + 64];

	if (access(ko, F_OK))
		SKIP(return, "no %s to reload", ko);
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, &self->names[2], 2, 0,
			     &self->rep));
	ASSERT_EQ(0, self->rep.err);
	pbnl_reply_free(&self->rep);
	pbnl_close(&self->s);
	snprintf(cmd, sizeof(cmd), "rmmod pciback_nl && insmod %s", ko);
	ASSERT_EQ(0, system(cmd));
	/* unloaded and back: still on pciback, listed as hidden */
	EXPECT_STREQ("pciback", pbnl_drv(self->names[2]));
	ASSERT_EQ(0, pbnl_open(&self->s));
	ASSERT_EQ(0, pbnl_get(&self->s, self->names[2], &self->rep));
	ASSERT_EQ((size_t)1, self->rep.ndevs);
	EXPECT_TRUE(self->rep.devs[0].hidden);
	EXPECT_TRUE(self->rep.devs[0].pciback);
	pbnl_reply_free(&self->rep);
	/* no record any more: the bus picks the best driver */
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, &self->names[2], 2,
			     0, &self->rep));
	EXPECT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	all_on_host(_metadata, self);
}

/* The stable path of @bdf: "DDDD:BB:DD.F/DD.F..." from its root bus. */
static int pci_path_of(const char *bdf, char *out, size_t len)
{
	char link[PATH_MAX], real[PATH_MAX], *p, *tok, *save = NULL;
	size_t n = 0;

	snprintf(link, sizeof(link), "/sys/bus/pci/devices/%s", bdf);
	if (!realpath(link, real))
		return -errno;
	p = strstr(real, "/pci");
	if (!p)
		return -EINVAL;
	p = strchr(p + 1, '/');
	out[0] = '\0';
	for (tok = strtok_r(p, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (strlen(tok) != 12 || tok[4] != ':' || tok[7] != ':')
			return -EINVAL;
		n += snprintf(out + n, len > n ? len - n : 0, "%s%s",
			      n ? "/" : "", n ? tok + 8 : tok);
	}
	return n && n < len ? 0 : -EINVAL;
}

/* Reload pciback_nl with "hide=@list"; remove @n functions and rescan. */
static int reload_and_rescan(const char *ko, const char *list,
			     const char * const *names, size_t n)
{
	char cmd[PATH_MAX + 512];
	size_t i;

	snprintf(cmd, sizeof(cmd), "rmmod pciback_nl && insmod %s hide=%s",
		 ko, list);
	if (system(cmd))
		return -1;
	for (i = 0; i < n; i++) {
		snprintf(cmd, sizeof(cmd), "/sys/bus/pci/devices/%s/remove",
			 names[i]);
		if (pbnl_write_str(cmd, "1"))
			return -1;
	}
	return pbnl_write_str("/sys/bus/pci/rescan", "1");
}

/*
 * The "hide" module parameter (boot-time reservation): loading does not
 * take functions from their host driver, but a listed function added to
 * the bus later goes to pciback before any host driver sees it, by address
 * and by path.  Reservations take whole groups: a function whose group
 * partner (the other e1000 behind the bridge) is not listed is not
 * reserved, and a partner that joins later unlisted takes the reservation
 * back before either is probed.  A malformed item is skipped and logged, a
 * '!' item excludes what it names, and reserve=0 turns the list off.
 */
TEST_F(hide, hide_parameter_reserves_added_functions)
{
	const char *ko = getenv("PBNL_KO") ? getenv("PBNL_KO") :
		"/opt/pciback-nl/pciback_nl.ko";
	char path[256], list[512], cmd[PATH_MAX + 512];
	const char *two[2], *pair[2];
	size_t i;

	two[0] = self->names[0];
	two[1] = self->names[2];
	pair[0] = self->names[2];
	pair[1] = self->names[3];
	if (access(ko, F_OK))
		SKIP(return, "no %s to reload", ko);
	ASSERT_EQ(0, pci_path_of(self->names[2], path, sizeof(path)));
	TH_LOG("%s is path %s", self->names[2], path);
	pbnl_close(&self->s);
	snprintf(list, sizeof(list), "%s,path:%s", self->names[0], path);
	snprintf(cmd, sizeof(cmd), "rmmod pciback_nl && insmod %s hide=%s",
		 ko, list);
	ASSERT_EQ(0, system(cmd));
	strcat(list, "\n");
	EXPECT_STREQ(list, run_out("cat /sys/module/pciback_nl/parameters/hide"));
	ASSERT_EQ(0, pbnl_open(&self->s));
	/* bound ones stay where they are */
	EXPECT_STREQ(self->drv[0], pbnl_drv(self->names[0]));
	EXPECT_STREQ(self->drv[2], pbnl_drv(self->names[2]));

	for (i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), "/sys/bus/pci/devices/%s/remove", two[i]);
		ASSERT_EQ(0, pbnl_write_str(cmd, "1"));
	}
	ASSERT_EQ(0, pbnl_write_str("/sys/bus/pci/rescan", "1"));
	/* the one alone in its group is reserved */
	EXPECT_STREQ("pciback", pbnl_drv(self->names[0]));
	EXPECT_STREQ("pciback", override_of(self->names[0]));
	ASSERT_EQ(0, pbnl_get(&self->s, self->names[0], &self->rep));
	ASSERT_EQ((size_t)1, self->rep.ndevs);
	EXPECT_TRUE(self->rep.devs[0].hidden);
	pbnl_reply_free(&self->rep);
	EXPECT_NE(NULL, strstr(run_out("dmesg | tail -n 200"), "hide: reserved for pciback"));
	/* the e1000 is not: its partner is not listed */
	EXPECT_STREQ(self->drv[2], pbnl_drv(self->names[2]));
	EXPECT_STREQ("(null)", override_of(self->names[2]));
	snprintf(cmd, sizeof(cmd), "hide: not reserved: its group also holds %s",
		 self->names[3]);
	EXPECT_NE(NULL, strstr(run_out("dmesg | tail -n 200"), cmd));
	/* no driver was recorded: unhide lets the bus pick */
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, two, 1, 0, &self->rep));
	EXPECT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	pbnl_reply_free(&self->rep);
	EXPECT_STREQ(self->drv[0], pbnl_drv(self->names[0]));

	/* both e1000 listed (one by path): both reserved */
	pbnl_close(&self->s);
	snprintf(list, sizeof(list), "path:%s,%s", path, self->names[3]);
	ASSERT_EQ(0, reload_and_rescan(ko, list, pair, 2));
	ASSERT_EQ(0, pbnl_open(&self->s));
	for (i = 0; i < 2; i++) {
		EXPECT_STREQ("pciback", pbnl_drv(pair[i]));
		EXPECT_STREQ("pciback", override_of(pair[i]));
	}
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, pair, 2, 0, &self->rep));
	EXPECT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	pbnl_reply_free(&self->rep);

	/*
	 * Only the first listed, both removed: it comes back first and is
	 * reserved, then its partner joins unlisted and takes that back.
	 */
	pbnl_close(&self->s);
	ASSERT_EQ(0, reload_and_rescan(ko, self->names[2], pair, 2));
	ASSERT_EQ(0, pbnl_open(&self->s));
	for (i = 0; i < 2; i++) {
		EXPECT_STREQ(self->drv[2 + i], pbnl_drv(pair[i]));
		EXPECT_STREQ("(null)", override_of(pair[i]));
	}
	snprintf(cmd, sizeof(cmd), "hide: reservation taken back: its group also holds %s",
		 self->names[3]);
	EXPECT_NE(NULL, strstr(run_out("dmesg | tail -n 200"), cmd));
	ASSERT_EQ(0, pbnl_get(&self->s, self->names[2], &self->rep));
	ASSERT_EQ((size_t)1, self->rep.ndevs);
	EXPECT_FALSE(self->rep.devs[0].hidden);
	pbnl_reply_free(&self->rep);

	/*
	 * A malformed item is logged and skipped, the rest still reserves
	 * (the config file's rule: best effort item by item).
	 */
	pbnl_close(&self->s);
	snprintf(list, sizeof(list), "id:80861,%s", self->names[0]);
	ASSERT_EQ(0, reload_and_rescan(ko, list, two, 1));
	EXPECT_NE(NULL, strstr(run_out("dmesg | tail -n 40"),
			       "hide: malformed item \"id:80861\" skipped"));
	EXPECT_STREQ("pciback", pbnl_drv(self->names[0]));
	ASSERT_EQ(0, pbnl_open(&self->s));
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, two, 1, 0, &self->rep));
	EXPECT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	pbnl_reply_free(&self->rep);
	EXPECT_STREQ(self->drv[0], pbnl_drv(self->names[0]));

	/* a '!' item wins over an item that names the same function */
	pbnl_close(&self->s);
	ASSERT_EQ(0, pci_path_of(self->names[0], path, sizeof(path)));
	snprintf(list, sizeof(list), "%s,!path:%s", self->names[0], path);
	ASSERT_EQ(0, reload_and_rescan(ko, list, two, 1));
	EXPECT_STREQ(self->drv[0], pbnl_drv(self->names[0]));
	EXPECT_STREQ("(null)", override_of(self->names[0]));

	/* the way out: reserve=0 reserves nothing, whatever hide= says */
	snprintf(cmd, sizeof(cmd), "rmmod pciback_nl && insmod %s reserve=0 hide=%s",
		 ko, self->names[0]);
	ASSERT_EQ(0, system(cmd));
	EXPECT_NE(NULL, strstr(run_out("dmesg | tail -n 20"),
			       "hide: reserve=0 (kernel command line?): nothing reserved"));
	snprintf(cmd, sizeof(cmd), "/sys/bus/pci/devices/%s/remove", self->names[0]);
	ASSERT_EQ(0, pbnl_write_str(cmd, "1"));
	ASSERT_EQ(0, pbnl_write_str("/sys/bus/pci/rescan", "1"));
	EXPECT_STREQ(self->drv[0], pbnl_drv(self->names[0]));
	EXPECT_STREQ("(null)", override_of(self->names[0]));

	snprintf(cmd, sizeof(cmd), "rmmod pciback_nl && insmod %s", ko);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(0, pbnl_open(&self->s));
	all_on_host(_metadata, self);
}

/*
 * xen-pciback unloaded under pciback_nl: a hidden function stays reserved
 * (no host driver takes it), moves fail with a clear EOPNOTSUPP, reads
 * work; loaded again, xen-pciback takes the hidden function back and
 * operations work.
 */
TEST_F(hide, xen_pciback_unload_and_reload)
{
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, self->names, 1, 0,
			     &self->rep));
	ASSERT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	pbnl_reply_free(&self->rep);
	ASSERT_EQ(0, system("rmmod xen_pciback"));
	EXPECT_STREQ("", pbnl_drv(self->names[0]));
	EXPECT_STREQ("pciback", override_of(self->names[0]));

	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, &self->names[1], 1, 0,
			     &self->rep));
	EXPECT_EQ(-EOPNOTSUPP, self->rep.err);
	EXPECT_NE(NULL, strstr(self->rep.msg, "xen-pciback is not loaded"))
		TH_LOG("%s", self->rep.msg);
	pbnl_reply_free(&self->rep);
	EXPECT_STREQ(self->drv[1], pbnl_drv(self->names[1]));
	ASSERT_EQ(0, pbnl_get(&self->s, self->names[0], &self->rep));
	ASSERT_EQ((size_t)1, self->rep.ndevs);
	EXPECT_TRUE(self->rep.devs[0].hidden);
	EXPECT_FALSE(self->rep.devs[0].pciback);
	pbnl_reply_free(&self->rep);

	ASSERT_EQ(0, system("modprobe xen-pciback"));
	EXPECT_STREQ("pciback", pbnl_drv(self->names[0]));
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, self->names, 1, 0,
			     &self->rep));
	EXPECT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	EXPECT_STREQ(self->drv[0], pbnl_drv(self->names[0]));
}

TEST_F(hide, xl_assignable_devices_can_be_unhidden)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "xl pci-assignable-add %s", self->names[3]);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(0, pbnl_get(&self->s, self->names[3], &self->rep));
	EXPECT_TRUE(self->rep.devs[0].pciback);
	EXPECT_FALSE(self->rep.devs[0].hidden);
	pbnl_reply_free(&self->rep);
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, &self->names[3], 1,
			     0, &self->rep));
	EXPECT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	EXPECT_STREQ(self->drv[3], pbnl_drv(self->names[3]));
	EXPECT_NE(0, pbnl_ifname(self->names[3])[0]);
	EXPECT_EQ(NULL, strstr(run_out("cat /sys/bus/pci/drivers/pciback/slots"),
			       self->names[3]));
}

TEST_F(hide, unprivileged_is_eperm)
{
	pid_t pid = fork();
	int st;

	ASSERT_LE(0, pid);
	if (!pid) {
		struct pbnl_sock s;
		struct pbnl_reply r;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(10);
		if (pbnl_open(&s))
			_exit(11);
		if (pbnl_dump(&s, &r) || r.err || !r.ndevs)
			_exit(12);	/* reads work unprivileged */
		pbnl_reply_free(&r);
		if (pbnl_op(&s, PCIBACK_CMD_DEV_HIDE, self->names, 1, 0, &r))
			_exit(13);
		if (r.err != -EPERM || !strstr(r.msg, "CAP_SYS_ADMIN"))
			_exit(14);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
	EXPECT_STREQ(self->drv[0], pbnl_drv(self->names[0]));
}

/* The echo sequence loses its device to a probe in the window; dev-hide not. */
TEST_F(hide, echo_sequence_races_but_hide_does_not)
{
	const char *bdf = self->names[0];
	char unbind[PATH_MAX];
	pid_t racer;
	int st;

	snprintf(unbind, sizeof(unbind), "/sys/bus/pci/drivers/%s/unbind", self->drv[0]);
	ASSERT_EQ(0, pbnl_write_str(unbind, bdf));
	/* something (udev, a module load, another tool) triggers a probe */
	ASSERT_EQ(0, pbnl_write_str("/sys/bus/pci/drivers_probe", bdf));
	ASSERT_EQ(0, pbnl_write_str("/sys/bus/pci/drivers/pciback/new_slot", bdf));
	EXPECT_NE(0, pbnl_write_str("/sys/bus/pci/drivers/pciback/bind", bdf));
	EXPECT_STREQ(self->drv[0], pbnl_drv(bdf)) TH_LOG("the host driver won the race");
	pbnl_write_str("/sys/bus/pci/drivers/pciback/remove_slot", bdf);

	if (access(WINDOW_KNOB, F_OK))
		SKIP(return, "module built without fault injection");
	/* the same probes, hammering through dev-hide's release/attach window */
	ASSERT_EQ(0, pbnl_write_str(WINDOW_KNOB, "1000"));
	racer = fork();
	ASSERT_LE(0, racer);
	if (!racer) {
		struct timespec t0, t;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		do {
			pbnl_write_str("/sys/bus/pci/drivers_probe", bdf);
			usleep(20000);
			clock_gettime(CLOCK_MONOTONIC, &t);
		} while (t.tv_sec - t0.tv_sec < 2);
		_exit(0);
	}
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, &self->names[0], 1, 0,
			     &self->rep));
	waitpid(racer, &st, 0);
	EXPECT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	EXPECT_STREQ("pciback", pbnl_drv(bdf));
}

/*
 * Another writer (a tool, a udev rule) sets driver_override back to the host
 * driver in the window: the attach finds its probe refused, sets the
 * override again and succeeds, and says so.
 */
TEST_F(hide, override_rewritten_in_window_is_set_again)
{
	const char *bdf = self->names[0];
	char path[PATH_MAX];
	pid_t writer;
	int st;

	if (access(WINDOW_KNOB, F_OK))
		SKIP(return, "module built without fault injection");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", bdf);
	ASSERT_EQ(0, pbnl_write_str(WINDOW_KNOB, "2000"));
	writer = fork();
	ASSERT_LE(0, writer);
	if (!writer) {
		char val[256] = "";

		/* wait for the hide to lock it, then write the host driver */
		for (int k = 0; k < 1000 && strcmp(val, "pciback"); k++) {
			usleep(2000);
			if (pbnl_sysfs_read(bdf, "driver_override", val, sizeof(val)))
				_exit(2);
		}
		usleep(400000);
		_exit(pbnl_write_str(path, self->drv[0]) ? 3 : 0);
	}
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, &self->names[0], 1, 0,
			     &self->rep));
	ASSERT_EQ(writer, waitpid(writer, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ASSERT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	EXPECT_STREQ("pciback", pbnl_drv(bdf));
	ASSERT_EQ((size_t)1, self->rep.nresults);
	EXPECT_NE(NULL, strstr(self->rep.results[0].warning,
			       "driver_override changed by another writer"))
		TH_LOG("warnings: '%s'", self->rep.results[0].warning);
}

/* Two clients move their own devices while a third reprobes everything. */
TEST_F_TIMEOUT(hide, concurrent_clients, 300)
{
	pid_t kids[3];
	int i, st, bad = 0;

	for (i = 0; i < 3; i++) {
		kids[i] = fork();
		ASSERT_LE(0, kids[i]);
		if (kids[i])
			continue;
		if (i == 2) {
			for (int k = 0; k < 200; k++) {
				pbnl_write_str("/sys/bus/pci/drivers_probe", self->names[k % 4]);
				pbnl_write_str("/sys/bus/pci/rescan", "1");
			}
			_exit(0);
		} else {
			struct pbnl_sock s;
			struct pbnl_reply r;
			/* client 0: the e1000e; client 1: the e1000 pair */
			const char **mine = &self->names[i * 2];
			size_t nmine = i ? 2 : 1;

			if (pbnl_open(&s))
				_exit(1);
			for (int k = 0; k < 15; k++) {
				if (pbnl_op(&s, PCIBACK_CMD_DEV_HIDE, mine, nmine, 0, &r) ||
				    r.err)
					_exit(2);
				pbnl_reply_free(&r);
				if (pbnl_op(&s, PCIBACK_CMD_DEV_UNHIDE, mine, nmine, 0, &r) ||
				    r.err)
					_exit(3);
				pbnl_reply_free(&r);
			}
			_exit(0);
		}
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(kids[i], waitpid(kids[i], &st, 0));
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			TH_LOG("client %d ended with %d", i, st);
			bad++;
		}
	}
	EXPECT_EQ(0, bad);
	all_on_host(_metadata, self);
}

TEST_F(hide, incomplete_group_is_refused)
{
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, &self->names[2], 1, 0,
			     &self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
	EXPECT_NE(NULL, strstr(self->rep.msg, self->names[3])) TH_LOG("%s", self->rep.msg);
	all_on_host(_metadata, self);
	pbnl_reply_free(&self->rep);

	/* force: done, with a warning naming what is missing */
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, &self->names[2], 1,
			     PCIBACK_OP_FLAG_FORCE, &self->rep));
	EXPECT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	ASSERT_EQ((size_t)1, self->rep.nresults);
	EXPECT_NE(NULL, strstr(self->rep.results[0].warning, self->names[3]));
	EXPECT_STREQ(self->drv[3], pbnl_drv(self->names[3]));
}

TEST_F(hide, with_group_hides_the_whole_group)
{
	const char *list;

	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, &self->names[2], 1,
			     PCIBACK_OP_FLAG_WITH_GROUP, &self->rep));
	ASSERT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	ASSERT_EQ((size_t)2, self->rep.nresults);
	EXPECT_STREQ(self->names[2], self->rep.results[0].name);
	EXPECT_STREQ(self->names[3], self->rep.results[1].name);
	EXPECT_STREQ("pciback", pbnl_drv(self->names[3]));
	list = run_out("xl pci-assignable-list 2>&1");
	EXPECT_NE(NULL, strstr(list, self->names[2]));
	EXPECT_NE(NULL, strstr(list, self->names[3]));
	/* the bridge of the group stays in dom0 */
	EXPECT_EQ(NULL, strstr(list, "0000:00:07.0")) TH_LOG("%s", list);
}

/*
 * One function of the multifunction USB controller: its siblings must go
 * too; with-group takes all four, and xl sees exactly them.  Each step of
 * the move is taken for all functions before the next: no USB function is
 * attached to a driver while a sibling is still being released.  (hcd-pci
 * reads a sibling's drvdata as its own kind of structure whatever driver
 * holds it; an EHCI probed or removed next to companions on pciback
 * corrupted memory on 6.1.)  Twice, then a netdev comes and goes, which is
 * where that corruption showed.
 */
TEST_F(hide, multifunction_needs_its_siblings)
{
	static const char * const usb[] = {
		"0000:00:1d.0", "0000:00:1d.1", "0000:00:1d.2", "0000:00:1d.7",
	};
	char before[4][PBNL_STR_MAX], list[16384];
	struct bind_log log;
	size_t i, n, round;
	char *line;

	if (access("/sys/bus/pci/devices/0000:00:1d.7", F_OK))
		SKIP(return, "no multifunction USB in this topology");
	for (i = 0; i < 4; i++)
		snprintf(before[i], PBNL_STR_MAX, "%s", pbnl_drv(usb[i]));
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, usb, 1, 0, &self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
	EXPECT_NE(NULL, strstr(self->rep.msg, "0000:00:1d.")) TH_LOG("%s", self->rep.msg);
	EXPECT_NE(NULL, strstr(self->rep.msg, "USB companion")) TH_LOG("%s", self->rep.msg);
	EXPECT_STREQ(before[0], pbnl_drv(usb[0]));
	pbnl_reply_free(&self->rep);

	ASSERT_EQ(0, bind_log_open(&log));
	for (round = 0; round < 2; round++) {
		log.n = 0;
		ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, usb, 1,
				     PCIBACK_OP_FLAG_WITH_GROUP, &self->rep));
		ASSERT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
		EXPECT_EQ((size_t)4, self->rep.nresults);
		pbnl_reply_free(&self->rep);
		ASSERT_EQ(0, bind_log_read(&log));
		EXPECT_TRUE(released_all_before_attaching(_metadata, &log, usb, 4));
		/* xl sees exactly the group */
		snprintf(list, sizeof(list), "%s",
			 run_out("xl pci-assignable-list 2>&1"));
		n = 0;
		for (line = strtok(list, "\n"); line; line = strtok(NULL, "\n"))
			if (strstr(line, "0000:"))
				n++;
		EXPECT_EQ((size_t)4, n);
		for (i = 0, n = 0; i < 4; i++)
			n += !!strcmp("pciback", pbnl_drv(usb[i]));
		EXPECT_EQ((size_t)0, n) TH_LOG("%zu USB functions not on pciback", n);

		log.n = 0;
		ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, usb, 4, 0,
				     &self->rep));
		EXPECT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
		pbnl_reply_free(&self->rep);
		ASSERT_EQ(0, bind_log_read(&log));
		EXPECT_TRUE(released_all_before_attaching(_metadata, &log, usb, 4));
		for (i = 0, n = 0; i < 4; i++)
			n += !!strcmp(before[i], pbnl_drv(usb[i]));
		EXPECT_EQ((size_t)0, n) TH_LOG("%zu USB functions not back", n);
	}
	close(log.fd);

	/* a network interface goes away and comes back */
	EXPECT_TRUE(netdev_round_trip(_metadata, self));
}

/*
 * A failure in a concurrent step is not lost: the two e1000 behind the
 * bridge share a chain (no function reset: their whole bus), and the
 * queue_ms knob lets that chain fail its second attach before the loop
 * that queues the chains reaches it.  (That loop used to clear each
 * item's result as it passed, reporting success for an unattached
 * function.)
 */
TEST_F(hide, concurrent_failure_is_not_lost)
{
	if (access(QUEUE_KNOB, F_OK))
		SKIP(return, "module built without fault injection");
	ASSERT_EQ(0, pbnl_write_str(QUEUE_KNOB, "300"));
	ASSERT_EQ(0, pbnl_write_str(FAULT_KNOB, "attach:4"));
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, self->names, 4, 0,
			     &self->rep));
	EXPECT_EQ(-EIO, self->rep.err) TH_LOG("message: %s", self->rep.msg);
	EXPECT_NE(NULL, strstr(self->rep.msg, self->names[3]))
		TH_LOG("message: %s", self->rep.msg);
	EXPECT_TRUE(all_on_host(_metadata, self));
}

/*
 * An unhide gives back whole groups: the two e1000 alias each other behind
 * the PCIe-to-PCI bridge, so one alone is refused (naming the other and
 * the rule), with-group takes both, and force takes one with a warning.
 */
TEST_F(hide, unhide_never_splits_a_group)
{
	const char *pair[2] = { self->names[2], self->names[3] };

	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, pair, 2, 0,
			     &self->rep));
	ASSERT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	pbnl_reply_free(&self->rep);

	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, pair, 1, 0,
			     &self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
	EXPECT_NE(NULL, strstr(self->rep.msg, pair[1])) TH_LOG("%s", self->rep.msg);
	EXPECT_NE(NULL, strstr(self->rep.msg, "alias")) TH_LOG("%s", self->rep.msg);
	EXPECT_STREQ("pciback", pbnl_drv(pair[0]));
	EXPECT_STREQ("pciback", pbnl_drv(pair[1]));
	pbnl_reply_free(&self->rep);

	/* a dry run is refused alike */
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, pair, 1,
			     PCIBACK_OP_FLAG_DRY_RUN, &self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
	pbnl_reply_free(&self->rep);

	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, pair, 1,
			     PCIBACK_OP_FLAG_WITH_GROUP, &self->rep));
	ASSERT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	ASSERT_EQ((size_t)2, self->rep.nresults);
	EXPECT_STREQ(pair[0], self->rep.results[0].name);
	EXPECT_STREQ(pair[1], self->rep.results[1].name);
	EXPECT_TRUE(all_on_host(_metadata, self));
	pbnl_reply_free(&self->rep);

	/* force: the one goes, with a warning naming the other */
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, pair, 2, 0,
			     &self->rep));
	ASSERT_EQ(0, self->rep.err);
	pbnl_reply_free(&self->rep);
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, pair, 1,
			     PCIBACK_OP_FLAG_FORCE, &self->rep));
	ASSERT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	ASSERT_EQ((size_t)1, self->rep.nresults);
	EXPECT_NE(NULL, strstr(self->rep.results[0].warning, pair[1]))
		TH_LOG("warning: %s", self->rep.results[0].warning);
	EXPECT_STREQ(self->drv[2], pbnl_drv(pair[0]));
	EXPECT_STREQ("pciback", pbnl_drv(pair[1]));
	pbnl_reply_free(&self->rep);
	/* the rest of the group is with dom0 already: the other goes alone */
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, &pair[1], 1, 0,
			     &self->rep));
	EXPECT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	EXPECT_TRUE(all_on_host(_metadata, self));
}

/*
 * The USB companions of one slot never part, not even with force: hcd-pci
 * reads each sibling's drvdata as its own structure, so an EHCI given back
 * while its UHCIs stay with xen-pciback (or the reverse) writes into
 * xen-pciback's data.  Both directions, then with-group; then a network
 * interface comes and goes (where the corruption showed on 6.1).
 */
TEST_F(hide, usb_companions_never_split)
{
	static const char * const usb[] = {
		"0000:00:1d.7", "0000:00:1d.0", "0000:00:1d.1", "0000:00:1d.2",
	};
	char before[4][PBNL_STR_MAX];
	size_t i, n;

	if (access("/sys/bus/pci/devices/0000:00:1d.7", F_OK))
		SKIP(return, "no multifunction USB in this topology");
	for (i = 0; i < 4; i++)
		snprintf(before[i], PBNL_STR_MAX, "%s", pbnl_drv(usb[i]));

	/* hide: one alone is refused, even with force */
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, &usb[1], 1,
			     PCIBACK_OP_FLAG_FORCE, &self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
	EXPECT_NE(NULL, strstr(self->rep.msg, "USB companion")) TH_LOG("%s", self->rep.msg);
	for (i = 0, n = 0; i < 4; i++)
		n += !!strcmp(before[i], pbnl_drv(usb[i]));
	EXPECT_EQ((size_t)0, n) TH_LOG("%zu USB functions moved", n);
	pbnl_reply_free(&self->rep);

	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, usb, 1,
			     PCIBACK_OP_FLAG_WITH_GROUP, &self->rep));
	ASSERT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	EXPECT_EQ((size_t)4, self->rep.nresults);
	pbnl_reply_free(&self->rep);

	/* unhide of the EHCI alone: refused, with force too; nothing moves */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, usb, 1,
				     i ? PCIBACK_OP_FLAG_FORCE : 0, &self->rep));
		EXPECT_EQ(-EINVAL, self->rep.err);
		EXPECT_NE(NULL, strstr(self->rep.msg, "USB companion 0000:00:1d."))
			TH_LOG("%s", self->rep.msg);
		for (n = 0; n < 4; n++)
			EXPECT_STREQ("pciback", pbnl_drv(usb[n]));
		pbnl_reply_free(&self->rep);
	}
	/* two of the three companions: still refused */
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, &usb[1], 2,
			     PCIBACK_OP_FLAG_FORCE, &self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
	EXPECT_NE(NULL, strstr(self->rep.msg, "0000:00:1d.")) TH_LOG("%s", self->rep.msg);
	pbnl_reply_free(&self->rep);

	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, usb, 1,
			     PCIBACK_OP_FLAG_WITH_GROUP, &self->rep));
	ASSERT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	EXPECT_EQ((size_t)4, self->rep.nresults);
	for (i = 0, n = 0; i < 4; i++)
		n += !!strcmp(before[i], pbnl_drv(usb[i]));
	EXPECT_EQ((size_t)0, n) TH_LOG("%zu USB functions not back", n);
	pbnl_reply_free(&self->rep);

	/* a network interface goes away and comes back */
	EXPECT_TRUE(netdev_round_trip(_metadata, self));
}

static void on_usr1(int sig)
{
	(void)sig;
}

/*
 * A signal that reaches the client while its hide runs does not turn the
 * completed move into an error, nor drop its results or notifications: what
 * reports a move takes its locks uninterruptibly.  The window_ms knob holds
 * the hide between its release and attach steps; the signal arrives then.
 * An interruptible lock only fails when it has to wait, so the contend_ms
 * knob makes every device lock the signalled client's request takes for a
 * report wait (a worker holds it for that long first).
 */
TEST_F_TIMEOUT(hide, signal_during_the_move_keeps_its_report, 120)
{
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */
	struct pbnl_sock mon;
	struct pbnl_dev d;
	int status, i;
	pid_t pid;

	if (access(CONTEND_KNOB, F_OK))
		SKIP(return, "module built without fault injection");
	ASSERT_EQ(0, pbnl_monitor_open(&mon));
	ASSERT_EQ(0, pbnl_write_str(WINDOW_KNOB, "1500"));
	ASSERT_EQ(0, pbnl_write_str(CONTEND_KNOB, "200"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct pbnl_sock s;
		struct pbnl_reply r;
		size_t k;

		sigaction(SIGUSR1, &sa, NULL);
		if (pbnl_open(&s) ||
		    pbnl_op(&s, PCIBACK_CMD_DEV_HIDE, self->names, 2, 0, &r))
			_exit(2);
		if (r.err || r.nresults != 2) {
			fprintf(stderr, "# hide: error %d, %zu results: %s\n",
				r.err, r.nresults, r.msg);
			_exit(1);
		}
		for (k = 0; k < r.nresults; k++) {
			if (r.results[k].warning[0] ||
			    strcmp(r.results[k].dev.name, r.results[k].name)) {
				fprintf(stderr, "# hide: %s: dev '%s', warning '%s'\n",
					r.results[k].name, r.results[k].dev.name,
					r.results[k].warning);
				_exit(1);
			}
		}
		_exit(0);
	}
	usleep(500000);
	kill(pid, SIGUSR1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	pbnl_write_str(WINDOW_KNOB, "0");
	pbnl_write_str(CONTEND_KNOB, "0");
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("client status %#x", status);
	for (i = 0; i < 2; i++) {
		if (pbnl_monitor_next(&mon, &d, 5000)) {
			TH_LOG("notification %d of 2 missing", i + 1);
			EXPECT_TRUE(false);
			continue;
		}
		EXPECT_EQ((uint32_t)PCIBACK_EVENT_HIDDEN, d.event);
		EXPECT_STREQ(self->names[i], d.name);
	}
	pbnl_close(&mon);
	EXPECT_STREQ("pciback", pbnl_drv(self->names[0]));
	EXPECT_STREQ("pciback", pbnl_drv(self->names[1]));
}

static bool in_slot_list(const char *bdf)
{
	char want[32];

	snprintf(want, sizeof(want), "%s\n", bdf);
	return strstr(run_out("cat /sys/bus/pci/drivers/pciback/slots"), want);
}

/*
 * A rollback leaves xen-pciback's slot list as it was: an entry made
 * before the operation (new_slot, as "xl pci-assignable-add" does, or
 * xen-pciback.hide=) survives a failed hide, and a failed unhide, although
 * the move took the function off xen-pciback on the way.
 */
TEST_F(hide, rollback_keeps_xen_pciback_slot_entries)
{
	if (access(FAULT_KNOB, F_OK))
		SKIP(return, "module built without fault injection");
	ASSERT_EQ(0, pbnl_write_str("/sys/bus/pci/drivers/pciback/new_slot",
				    self->names[0]));
	ASSERT_TRUE(in_slot_list(self->names[0]));
	EXPECT_STREQ(self->drv[0], pbnl_drv(self->names[0]));

	/* hide: the first is on pciback when the second fails */
	ASSERT_EQ(0, pbnl_write_str(FAULT_KNOB, "attach:2"));
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, self->names, 2, 0,
			     &self->rep));
	EXPECT_EQ(-EIO, self->rep.err);
	EXPECT_NE(NULL, strstr(self->rep.msg, "all rolled back")) TH_LOG("%s", self->rep.msg);
	EXPECT_STREQ(self->drv[0], pbnl_drv(self->names[0]));
	EXPECT_TRUE(in_slot_list(self->names[0]));
	pbnl_reply_free(&self->rep);

	/* unhide: the first left pciback when the second fails */
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, self->names, 2, 0,
			     &self->rep));
	ASSERT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	pbnl_reply_free(&self->rep);
	ASSERT_EQ(0, pbnl_write_str(FAULT_KNOB, "attach:2"));
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, self->names, 2, 0,
			     &self->rep));
	EXPECT_EQ(-EIO, self->rep.err);
	EXPECT_STREQ("pciback", pbnl_drv(self->names[0]));
	EXPECT_TRUE(in_slot_list(self->names[0]));
	pbnl_reply_free(&self->rep);

	/* a successful unhide drops the entry: pciback would seize it again */
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, self->names, 2, 0,
			     &self->rep));
	EXPECT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	EXPECT_FALSE(in_slot_list(self->names[0]));
	EXPECT_TRUE(all_on_host(_metadata, self));
}

TEST_HARNESS_MAIN
