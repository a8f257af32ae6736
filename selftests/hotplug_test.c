// SPDX-License-Identifier: GPL-2.0
/*
 * A function hot-removed through the QEMU monitor in the middle of a
 * dev-hide and of a dev-unhide: no crash, ENODEV with a message naming it,
 * the rest of the set rolled back; and when the slot is filled again, the
 * function comes back as its record says.
 *
 * The VM asks the host for the QMP command by writing a marker line to the
 * console; run.sh --qmp-relay sends it (and adds pbnl_test.qmp_relay=1 to
 * the kernel command line, without which these tests skip).  The removal
 * goes through the guest's pciehp: an attention button press, then 5 s
 * before the slot powers off.  The module's window_ms knob (test builds)
 * holds the operation between its release and attach steps long enough.
 *
 * Devices (topology.conf): 0000:01:00.0 is QEMU's "vnet-flr" on root port
 * rp1, the one removed; 0000:03:00.0 is an e1000e that stays.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pbnl.h"

#define WINDOW_KNOB "/sys/module/pciback_nl/parameters/window_ms"
#define RELAY_ARG "pbnl_test.qmp_relay=1"
/* Long enough for pciehp's 5 s button delay under TCG, with room. */
#define WINDOW_MS "15000"

#define GONE "0000:01:00.0"
#define STAYS "0000:03:00.0"
#define GONE_DRV "virtio-pci"
#define STAYS_DRV "e1000e"

#define QMP_DEL "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"vnet-flr\"}}"
#define QMP_ADD "{\"execute\": \"device_add\", \"arguments\": {" \
	"\"driver\": \"virtio-net-pci\", \"id\": \"vnet-flr\", \"bus\": \"rp1\", " \
	"\"addr\": \"00.0\", \"mac\": \"52:54:00:00:01:00\"}}"
/* Another card in the same slot: an e1000e (8086:10d3) */
#define QMP_ADD_OTHER "{\"execute\": \"device_add\", \"arguments\": {" \
	"\"driver\": \"e1000e\", \"id\": \"vnet-flr\", \"bus\": \"rp1\", " \
	"\"addr\": \"00.0\", \"mac\": \"52:54:00:00:01:01\"}}"

static bool relay_enabled(void)
{
	char buf[4096] = "";
	FILE *f = fopen("/proc/cmdline", "re");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strstr(buf, RELAY_ARG);
}

/*
 * Ask the host to send @json to QEMU.  The marker goes to the console only:
 * the test's own output is replayed on the console later and must not
 * carry it a second time.
 */
static int qmp(const char *json)
{
	int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = dprintf(fd, "\n@@PCIBACK-NL-QMP %s@@\n", json) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

static bool present(const char *bdf)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	return !access(path, F_OK);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

enum state { ABSENT, UNBOUND, BOUND, ANY_DRIVER };

/* Wait up to @secs for @bdf to be in @want (bound to @name for BOUND). */
static bool wait_for(const char *bdf, enum state want, const char *name,
		     double secs)
{
	double end = now() + secs;

	do {
		bool p = present(bdf);

		if (want == ABSENT && !p)
			return true;
		if (want == UNBOUND && p && !pbnl_drv(bdf)[0])
			return true;
		if (want == ANY_DRIVER && p && pbnl_drv(bdf)[0])
			return true;
		if (want == BOUND && p && !strcmp(pbnl_drv(bdf), name) &&
		    (strcmp(name, GONE_DRV) || pbnl_ifname(bdf)[0]))
			return true;
		usleep(20000);
	} while (now() < end);
	return false;
}

/* An operation run by a child, so the test can act while it runs. */
struct bg_op {
	pid_t pid;
	int fd;
};

struct bg_result {
	int err;
	char msg[PBNL_STR_MAX * 2];
};

static int bg_start(struct bg_op *b, uint8_t cmd, const char *const *names,
		    size_t n)
{
	int p[2];

	if (pipe(p))
		return -errno;
	b->pid = fork();
	if (b->pid < 0)
		return -errno;
	if (!b->pid) {
		struct bg_result res = { .err = -EPROTO };
		struct pbnl_reply rep;
		struct pbnl_sock s;

		close(p[0]);
		if (!pbnl_open(&s) && !pbnl_op(&s, cmd, names, n, 0, &rep)) {
			res.err = rep.err;
			snprintf(res.msg, sizeof(res.msg), "%s", rep.msg);
		}
		if (write(p[1], &res, sizeof(res)) != sizeof(res))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	b->fd = p[0];
	return 0;
}

static int bg_finish(struct bg_op *b, struct bg_result *res)
{
	ssize_t n = read(b->fd, res, sizeof(*res));
	int status;

	close(b->fd);
	waitpid(b->pid, &status, 0);
	return n == sizeof(*res) ? 0 : -EPROTO;
}

FIXTURE(hotplug) {
	struct pbnl_sock s;
	struct pbnl_reply rep;
	const char *names[2];
	bool ready;
};

FIXTURE_SETUP(hotplug)
{
	memset(&self->rep, 0, sizeof(self->rep));
	self->names[0] = GONE;
	self->names[1] = STAYS;
	if (!pbnl_running_on_xen_dom0())
		SKIP(return, "needs a Xen dom0");
	if (access("/sys/bus/pci/drivers/pciback", F_OK))
		SKIP(return, "xen-pciback is not loaded");
	if (access(WINDOW_KNOB, F_OK))
		SKIP(return, "pciback_nl without fault injection (PBNL_FAULT_INJECT=1)");
	if (!relay_enabled())
		SKIP(return, "no QMP relay (run.sh --qmp-relay)");
	ASSERT_STREQ(GONE_DRV, pbnl_drv(GONE)) TH_LOG("topology.conf's vnet-flr at %s", GONE);
	ASSERT_STREQ(STAYS_DRV, pbnl_drv(STAYS));
	ASSERT_EQ(0, pbnl_open(&self->s));
	self->ready = true;
}

/* The slot is filled again, and both go back to their host drivers. */
FIXTURE_TEARDOWN(hotplug)
{
	size_t i;

	if (!self->ready)
		return;
	pbnl_write_str(WINDOW_KNOB, "0");
	if (!present(GONE) && !qmp(QMP_ADD))
		wait_for(GONE, ANY_DRIVER, NULL, 60);
	for (i = 0; i < 2; i++) {
		if (!strcmp(pbnl_drv(self->names[i]), "pciback")) {
			struct pbnl_reply r;

			pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, &self->names[i], 1,
				PCIBACK_OP_FLAG_FORCE, &r);
			pbnl_reply_free(&r);
		}
	}
	pbnl_reply_free(&self->rep);
	pbnl_close(&self->s);
}

/* Remove GONE once the running operation released it; wait until it is gone. */
static bool remove_in_window(struct __test_metadata *_metadata)
{
	double t0 = now();

	/* The release step comes first, then the window. */
	EXPECT_TRUE(wait_for(GONE, UNBOUND, NULL, 10)) return false;
	EXPECT_EQ(0, qmp(QMP_DEL)) return false;
	EXPECT_TRUE(wait_for(GONE, ABSENT, NULL, 40)) return false;
	TH_LOG("%s removed %.1f s into the window", GONE, now() - t0);
	return true;
}

/*
 * Run @cmd on both functions and remove GONE in its window: the operation
 * fails with ENODEV and a message naming GONE.  Return: whether the
 * removal happened (the checks of the answer are EXPECTs).
 */
static bool op_with_removal(struct __test_metadata *_metadata,
			    FIXTURE_DATA(hotplug) * self, uint8_t cmd)
{
	char want[PBNL_STR_MAX];
	struct bg_result res;
	struct bg_op b = { .pid = -1, .fd = -1 };
	bool removed;

	snprintf(want, sizeof(want), "%s was removed during the %s", GONE,
		 cmd == PCIBACK_CMD_DEV_HIDE ? "hide" : "unhide");
	EXPECT_EQ(0, pbnl_write_str(WINDOW_KNOB, WINDOW_MS)) return false;
	EXPECT_EQ(0, bg_start(&b, cmd, self->names, 2)) return false;
	removed = remove_in_window(_metadata);
	EXPECT_EQ(0, bg_finish(&b, &res)) return false;
	if (!removed)
		return false;
	EXPECT_EQ(-ENODEV, res.err);
	EXPECT_NE(NULL, strstr(res.msg, want)) TH_LOG("message: %s", res.msg);
	EXPECT_NE(NULL, strstr(res.msg, "the rest rolled back"))
		TH_LOG("message: %s", res.msg);
	return true;
}

TEST_F_TIMEOUT(hotplug, removed_during_hide, 180)
{
	ASSERT_TRUE(op_with_removal(_metadata, self, PCIBACK_CMD_DEV_HIDE));
	/* the other one is back on its driver, with its interface */
	EXPECT_STREQ(STAYS_DRV, pbnl_drv(STAYS));
	EXPECT_NE(0, pbnl_ifname(STAYS)[0]);
	ASSERT_EQ(0, pbnl_get(&self->s, STAYS, &self->rep));
	EXPECT_EQ(0, self->rep.err);
	ASSERT_EQ((size_t)1, self->rep.ndevs);
	EXPECT_FALSE(self->rep.devs[0].hidden);
	EXPECT_FALSE(self->rep.devs[0].has_override);
	pbnl_reply_free(&self->rep);
	/* the removed one is unknown now */
	ASSERT_EQ(0, pbnl_get(&self->s, GONE, &self->rep));
	EXPECT_EQ(-ENODEV, self->rep.err);
	pbnl_reply_free(&self->rep);

	/* no record was kept: back in its slot, its host driver takes it */
	ASSERT_EQ(0, pbnl_write_str(WINDOW_KNOB, "0"));
	ASSERT_EQ(0, qmp(QMP_ADD));
	EXPECT_TRUE(wait_for(GONE, BOUND, GONE_DRV, 60))
		TH_LOG("%s has driver '%s'", GONE, pbnl_drv(GONE));
}

TEST_F_TIMEOUT(hotplug, removed_during_unhide, 180)
{
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, self->names, 2, 0,
			     &self->rep));
	ASSERT_EQ(0, self->rep.err) TH_LOG("hide: %s", self->rep.msg);
	pbnl_reply_free(&self->rep);

	ASSERT_TRUE(op_with_removal(_metadata, self, PCIBACK_CMD_DEV_UNHIDE));
	/* nothing moved: the other one is still hidden */
	EXPECT_STREQ("pciback", pbnl_drv(STAYS));
	ASSERT_EQ(0, pbnl_get(&self->s, STAYS, &self->rep));
	ASSERT_EQ((size_t)1, self->rep.ndevs);
	EXPECT_TRUE(self->rep.devs[0].hidden);
	pbnl_reply_free(&self->rep);

	/* its record stayed: back in its slot, it is reserved for pciback */
	ASSERT_EQ(0, pbnl_write_str(WINDOW_KNOB, "0"));
	ASSERT_EQ(0, qmp(QMP_ADD));
	EXPECT_TRUE(wait_for(GONE, BOUND, "pciback", 60))
		TH_LOG("%s has driver '%s'", GONE, pbnl_drv(GONE));
	/* and both unhide to their host drivers */
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, self->names, 2, 0,
			     &self->rep));
	EXPECT_EQ(0, self->rep.err) TH_LOG("unhide: %s", self->rep.msg);
	EXPECT_TRUE(wait_for(GONE, BOUND, GONE_DRV, 10));
	EXPECT_STREQ(STAYS_DRV, pbnl_drv(STAYS));
	EXPECT_NE(0, pbnl_ifname(STAYS)[0]);
}

/*
 * A hidden function's record is made for its card: another card found in
 * the slot (here an e1000e where the virtio-net was) is not seized, and its
 * host driver takes it; the record is dropped.
 */
TEST_F_TIMEOUT(hotplug, another_card_in_the_slot_is_not_seized, 240)
{
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, &self->names[0], 1,
			     0, &self->rep));
	ASSERT_EQ(0, self->rep.err) TH_LOG("hide: %s", self->rep.msg);
	pbnl_reply_free(&self->rep);
	ASSERT_STREQ("pciback", pbnl_drv(GONE));

	ASSERT_EQ(0, qmp(QMP_DEL));
	ASSERT_TRUE(wait_for(GONE, ABSENT, NULL, 40));
	ASSERT_EQ(0, qmp(QMP_ADD_OTHER));
	EXPECT_TRUE(wait_for(GONE, ANY_DRIVER, NULL, 60));
	EXPECT_STREQ("e1000e", pbnl_drv(GONE));
	ASSERT_EQ(0, pbnl_get(&self->s, GONE, &self->rep));
	ASSERT_EQ((size_t)1, self->rep.ndevs);
	EXPECT_FALSE(self->rep.devs[0].hidden);
	EXPECT_FALSE(self->rep.devs[0].has_override);
	pbnl_reply_free(&self->rep);

	/* the original card back, with its host driver */
	ASSERT_EQ(0, qmp(QMP_DEL));
	ASSERT_TRUE(wait_for(GONE, ABSENT, NULL, 40));
	ASSERT_EQ(0, qmp(QMP_ADD));
	EXPECT_TRUE(wait_for(GONE, BOUND, GONE_DRV, 60))
		TH_LOG("%s has driver '%s'", GONE, pbnl_drv(GONE));
}

TEST_HARNESS_MAIN
