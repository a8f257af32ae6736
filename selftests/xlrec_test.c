// SPDX-License-Identifier: GPL-2.0
/*
 * libxl's record of a function's driver, in the Xen dom0 with the real xl
 * and xenstored (issue 16): libxl keeps it in xenstore as
 * /libxl/pci/DDDD-BB-DD-F/driver_path (libxl_pci.c, pci_info_xs_write()),
 * and xl pci-assignable-remove -r gives the function back to that driver.
 *
 * - pcibackctl hide writes the key as libxl does, and xl
 *   pci-assignable-remove -r then gives the NIC back to e1000e: pciback_nl
 *   lets go of a hidden function that xl takes out of xen-pciback.
 * - without -r, xl leaves the function unbound: still hidden (recorded),
 *   no longer reserved; pcibackctl unhide gives it back.
 * - xl pci-assignable-add, then pcibackctl unhide: the driver libxl
 *   recorded (e1000e; pci-stub, which the bus would not pick, when the
 *   kernel has it), sent as the dev-unhide "fallback"; the key removed.
 * - dev-unhide's fallback refused: in dev-hide, no such driver, pciback,
 *   a function not in the request, a driver that does not claim it.
 *
 * Needs the topology's e1000e NIC at 0000:03:00.0, xl, xenstore-read and
 * a running xenstored; skips otherwise.
 */
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "pbnl.h"

#define NIC "0000:03:00.0"
#define NIC_DRV "e1000e"
#define KEY "/libxl/pci/0000-03-00-0/driver_path"
#define NAME_KEY "/libxl/pci/0000-03-00-0/name"
#define DRIVERS "/sys/bus/pci/drivers/"

struct cmd {
	char out[16384];
	int status;		/* exit status, or -1 */
};

/* Run @fmt through the shell, stdout and stderr into c->out. */
static int __attribute__((format(printf, 2, 3)))
run(struct cmd *c, const char *fmt, ...)
{
	char line[1024];
	size_t n = 0;
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	memcpy(line, "{ ", 2);
	vsnprintf(line + 2, sizeof(line) - 16, fmt, ap);
	va_end(ap);
	strcat(line, "; } 2>&1");
	c->out[0] = '\0';
	c->status = -1;
	p = popen(line, "r");
	if (!p)
		return -1;
	n = fread(c->out, 1, sizeof(c->out) - 1, p);
	c->out[n] = '\0';
	st = pclose(p);
	c->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return c->status;
}

/* The value of xenstore key @key, "" when there is none (static). */
static const char *xs_value(const char *key)
{
	static struct cmd c;
	char *nl;

	if (run(&c, "xenstore-read %s", key))
		return "";
	nl = strchr(c.out, '\n');
	if (nl)
		*nl = '\0';
	return c.out;
}

static const char *override_of(const char *bdf)
{
	static char buf[PBNL_STR_MAX];
	char *nl;

	if (pbnl_sysfs_read(bdf, "driver_override", buf, sizeof(buf)))
		return "?";
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return buf;
}

FIXTURE(xlrec) {
	struct pbnl_sock s;
	struct pbnl_reply rep;
	struct cmd c;
	bool stub;		/* pci-stub has a new_id for the NIC */
	char ids[32];		/* "8086 10d3" */
};

FIXTURE_SETUP(xlrec)
{
	char v[16], d[16];

	self->s.fd = -1;
	if (!pbnl_running_on_xen_dom0())
		SKIP(return, "not a Xen dom0");
	if (run(&self->c, "command -v xl && command -v xenstore-read &&"
		" xenstore-read /local/domain/0/name"))
		SKIP(return, "no xl, xenstore-read or xenstored: %.200s",
		     self->c.out);
	if (access(DRIVERS "pciback", F_OK))
		SKIP(return, "xen-pciback is not loaded");
	if (strcmp(pbnl_drv(NIC), NIC_DRV))
		SKIP(return, NIC " is not on " NIC_DRV " (%s)", pbnl_drv(NIC));
	if (pbnl_sysfs_read(NIC, "vendor", v, sizeof(v)) ||
	    pbnl_sysfs_read(NIC, "device", d, sizeof(d)))
		SKIP(return, NIC ": no IDs");
	/* "0x8086\n" "0x10d3\n" -> "8086 10d3" */
	snprintf(self->ids, sizeof(self->ids), "%.4s %.4s", v + 2, d + 2);
	ASSERT_EQ(0, pbnl_open(&self->s));
	run(&self->c, "xenstore-rm " KEY "; xenstore-rm " NAME_KEY);
}

FIXTURE_TEARDOWN(xlrec)
{
	if (self->s.fd >= 0)
		pbnl_close(&self->s);
	if (self->stub) {
		pbnl_write_str(DRIVERS "pci-stub/remove_id", self->ids);
		if (!strcmp(pbnl_drv(NIC), "pci-stub"))
			pbnl_write_str(DRIVERS "pci-stub/unbind", NIC);
	}
	if (strcmp(pbnl_drv(NIC), NIC_DRV)) {
		run(&self->c, "pcibackctl unhide " NIC);
		run(&self->c, "xl pci-assignable-remove -r " NIC);
		if (!pbnl_drv(NIC)[0])
			pbnl_write_str(DRIVERS NIC_DRV "/bind", NIC);
	}
	run(&self->c, "xenstore-rm " KEY "; xenstore-rm " NAME_KEY);
	if (strcmp(pbnl_drv(NIC), NIC_DRV))
		TH_LOG(NIC " left on \"%s\"", pbnl_drv(NIC));
}

/* dev-get of the NIC: hidden or not. */
static int hidden(struct __test_metadata *_metadata, FIXTURE_DATA(xlrec) * self)
{
	int h;

	if (pbnl_get(&self->s, NIC, &self->rep) || self->rep.ndevs != 1) {
		TH_LOG("dev-get " NIC ": %d %s", self->rep.err, self->rep.msg);
		pbnl_reply_free(&self->rep);
		return -1;
	}
	h = self->rep.devs[0].hidden;
	pbnl_reply_free(&self->rep);
	return h;
}

TEST_F(xlrec, hide_writes_the_key_and_xl_remove_r_gives_it_back)
{
	ASSERT_EQ(0, run(&self->c, "pcibackctl hide " NIC)) TH_LOG("%s", self->c.out);
	EXPECT_STREQ("pciback", pbnl_drv(NIC));
	EXPECT_STREQ("pciback", override_of(NIC));
	/* the same value libxl writes: realpath() of the device's driver */
	EXPECT_STREQ(DRIVERS NIC_DRV, xs_value(KEY));
	EXPECT_EQ(1, hidden(_metadata, self));

	EXPECT_EQ(0, run(&self->c, "xl pci-assignable-remove -r " NIC))
		TH_LOG("%s", self->c.out);
	EXPECT_STREQ(NIC_DRV, pbnl_drv(NIC));
	EXPECT_NE(0, pbnl_ifname(NIC)[0]);
	EXPECT_STREQ("(null)", override_of(NIC));
	/* xl removed the key after its rebind; no longer hidden */
	EXPECT_STREQ("", xs_value(KEY));
	EXPECT_EQ(0, hidden(_metadata, self));
	/* pciback_nl let go when xl released it, and forgot it when bound */
	run(&self->c, "dmesg | grep '" NIC ": .* by another tool' | tail -n 2");
	EXPECT_NE(NULL, strstr(self->c.out,
			       "released from pciback by another tool: no longer reserved for it"))
		TH_LOG("%s", self->c.out);
	EXPECT_NE(NULL, strstr(self->c.out,
			       "bound to " NIC_DRV " by another tool: no longer hidden"))
		TH_LOG("%s", self->c.out);
}

TEST_F(xlrec, xl_remove_without_r_leaves_it_hidden_not_reserved)
{
	ASSERT_EQ(0, run(&self->c, "pcibackctl hide " NIC)) TH_LOG("%s", self->c.out);
	EXPECT_EQ(0, run(&self->c, "xl pci-assignable-remove " NIC))
		TH_LOG("%s", self->c.out);
	EXPECT_STREQ("", pbnl_drv(NIC));
	EXPECT_STREQ("(null)", override_of(NIC));
	EXPECT_EQ(1, hidden(_metadata, self));
	EXPECT_STREQ(DRIVERS NIC_DRV, xs_value(KEY));

	EXPECT_EQ(0, run(&self->c, "pcibackctl unhide " NIC)) TH_LOG("%s", self->c.out);
	EXPECT_NE(NULL, strstr(self->c.out, NIC " (none) -> " NIC_DRV))
		TH_LOG("%s", self->c.out);
	EXPECT_STREQ(NIC_DRV, pbnl_drv(NIC));
	EXPECT_STREQ("", xs_value(KEY));
}

/* Whether `pcibackctl -j unhide -n` says the NIC would go to @drv. */
static bool dry_run_to(struct __test_metadata *_metadata,
		       FIXTURE_DATA(xlrec) * self, const char *drv)
{
	char want[64];
	char *p, *q;

	if (run(&self->c, "pcibackctl -j unhide -n " NIC)) {
		TH_LOG("%s", self->c.out);
		return false;
	}
	/* compact JSON; spaces dropped all the same */
	for (p = q = self->c.out; *p; p++)
		if (*p != ' ')
			*q++ = *p;
	*q = '\0';
	snprintf(want, sizeof(want), "\"to-driver\":\"%s\"", drv);
	return strstr(self->c.out, want);
}

TEST_F(xlrec, xl_add_then_unhide_goes_to_the_driver_libxl_recorded)
{
	ASSERT_EQ(0, run(&self->c, "xl pci-assignable-add " NIC))
		TH_LOG("%s", self->c.out);
	EXPECT_STREQ("pciback", pbnl_drv(NIC));
	EXPECT_STREQ(DRIVERS NIC_DRV, xs_value(KEY));
	EXPECT_EQ(0, hidden(_metadata, self));	/* no record of its own */

	/* the dry run names the driver libxl recorded; without it, the bus's */
	EXPECT_TRUE(dry_run_to(_metadata, self, NIC_DRV)) TH_LOG("%s", self->c.out);
	run(&self->c, "xenstore-rm " KEY);
	EXPECT_FALSE(dry_run_to(_metadata, self, NIC_DRV)) TH_LOG("%s", self->c.out);
	run(&self->c, "xenstore-write " KEY " " DRIVERS NIC_DRV " " NAME_KEY " nic");

	EXPECT_EQ(0, run(&self->c, "pcibackctl unhide " NIC)) TH_LOG("%s", self->c.out);
	EXPECT_NE(NULL, strstr(self->c.out, NIC " pciback -> " NIC_DRV))
		TH_LOG("%s", self->c.out);
	EXPECT_STREQ(NIC_DRV, pbnl_drv(NIC));
	EXPECT_STREQ("(null)", override_of(NIC));
	/* removed, as xl pci-assignable-remove -r does */
	EXPECT_STREQ("", xs_value(KEY));
	EXPECT_STREQ("", xs_value(NAME_KEY));
	run(&self->c, "dmesg | grep 'unhidden: pciback -> ' | tail -n 1");
	EXPECT_NE(NULL, strstr(self->c.out, "unhidden: pciback -> " NIC_DRV))
		TH_LOG("%s", self->c.out);
}

/* pci-stub bound to the NIC (a new_id for its IDs); false if it cannot be. */
static bool on_pci_stub(struct __test_metadata *_metadata,
			FIXTURE_DATA(xlrec) * self)
{
	if (access(DRIVERS "pci-stub", F_OK) &&
	    run(&self->c, "modprobe pci-stub ||"
		" insmod ${PBNL_DIR:-/opt/pciback-nl}/extra/pci-stub.ko*")) {
		TH_LOG("no pci-stub: %s", self->c.out);
		return false;
	}
	if (pbnl_write_str(DRIVERS "pci-stub/new_id", self->ids))
		return false;
	self->stub = true;
	return !pbnl_write_str(DRIVERS NIC_DRV "/unbind", NIC) &&
	       !pbnl_write_str(DRIVERS "pci-stub/bind", NIC) &&
	       !strcmp(pbnl_drv(NIC), "pci-stub");
}

TEST_F(xlrec, xl_add_then_unhide_goes_to_pci_stub_not_the_bus_pick)
{
	if (!on_pci_stub(_metadata, self))
		SKIP(return, "pci-stub cannot take " NIC);
	ASSERT_EQ(0, run(&self->c, "xl pci-assignable-add " NIC))
		TH_LOG("%s", self->c.out);
	EXPECT_STREQ(DRIVERS "pci-stub", xs_value(KEY));
	EXPECT_EQ(0, run(&self->c, "pcibackctl unhide " NIC)) TH_LOG("%s", self->c.out);
	EXPECT_NE(NULL, strstr(self->c.out, NIC " pciback -> pci-stub"))
		TH_LOG("%s", self->c.out);
	EXPECT_STREQ("pci-stub", pbnl_drv(NIC));
	EXPECT_STREQ("", xs_value(KEY));
}

/* dev-unhide (or @cmd) of the NIC with one fallback @name -> @drv. */
static int op_fallback(FIXTURE_DATA(xlrec) * self, uint8_t cmd,
		       const char *name, const char *drv)
{
	unsigned char nest[256];
	struct pbnl_req r;
	struct nlattr *a;
	size_t len = 0, l;

	a = (struct nlattr *)nest;
	l = strlen(name) + 1;
	a->nla_type = PCIBACK_A_FALLBACK_DEV_NAME;
	a->nla_len = NLA_HDRLEN + l;
	memset(nest + NLA_HDRLEN, 0, NLA_ALIGN(l));
	memcpy(nest + NLA_HDRLEN, name, l);
	len = NLA_ALIGN(a->nla_len);
	a = (struct nlattr *)(nest + len);
	l = strlen(drv) + 1;
	a->nla_type = PCIBACK_A_FALLBACK_DRIVER;
	a->nla_len = NLA_HDRLEN + l;
	memset(nest + len + NLA_HDRLEN, 0, NLA_ALIGN(l));
	memcpy(nest + len + NLA_HDRLEN, drv, l);
	len += NLA_ALIGN(a->nla_len);

	pbnl_req_init(&r, &self->s, cmd, 0);
	pbnl_req_put_str(&r, PCIBACK_A_OP_DEV_NAME, NIC);
	pbnl_req_put(&r, PCIBACK_A_OP_FALLBACK | NLA_F_NESTED, nest, len);
	return pbnl_transact(&self->s, &r, &self->rep);
}

TEST_F(xlrec, fallback_refused)
{
	static const struct {
		uint8_t cmd;
		const char *name, *drv, *msg;
	} bad[] = {
		{ PCIBACK_CMD_DEV_HIDE, NIC, NIC_DRV, "for dev-unhide only" },
		{ PCIBACK_CMD_DEV_UNHIDE, NIC, "no-such-driver", "no such PCI driver" },
		{ PCIBACK_CMD_DEV_UNHIDE, NIC, "pciback", "cannot be pciback" },
		{ PCIBACK_CMD_DEV_UNHIDE, "0000:00:1f.3", NIC_DRV, "not in the request" },
		{ PCIBACK_CMD_DEV_UNHIDE, NIC, "uhci_hcd", "does not claim it" },
	};
	size_t i;

	ASSERT_EQ(0, run(&self->c, "xl pci-assignable-add " NIC))
		TH_LOG("%s", self->c.out);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_EQ(0, op_fallback(self, bad[i].cmd, bad[i].name, bad[i].drv));
		EXPECT_EQ(-EINVAL, self->rep.err) TH_LOG("%s", bad[i].drv);
		EXPECT_NE(NULL, strstr(self->rep.msg, bad[i].msg))
			TH_LOG("\"%s\", expected \"%s\"", self->rep.msg, bad[i].msg);
		pbnl_reply_free(&self->rep);
		EXPECT_STREQ("pciback", pbnl_drv(NIC));
	}
	/*
	 * the one xl would bind: taken (through pcibackctl, which also takes
	 * the NIC out of Xen's quarantine, where xl put it)
	 */
	EXPECT_EQ(0, run(&self->c, "pcibackctl unhide " NIC)) TH_LOG("%s", self->c.out);
	EXPECT_STREQ(NIC_DRV, pbnl_drv(NIC));
	EXPECT_STREQ("(null)", override_of(NIC));
}

TEST_HARNESS_MAIN
