// SPDX-License-Identifier: GPL-2.0
/*
 * dev-get: the kernel's description of every PCI function agrees with
 * sysfs, and bad requests fail with the right errno and an extack message.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "pbnl.h"

static unsigned long sysfs_ul(const char *bdf, const char *attr, bool *ok)
{
	char buf[64], *end;
	unsigned long v;

	if (pbnl_sysfs_read(bdf, attr, buf, sizeof(buf))) {
		*ok = false;
		return 0;
	}
	errno = 0;
	v = strtoul(buf, &end, 0);
	if (errno || end == buf || *end)
		*ok = false;
	return v;
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

/* The driver bound to @bdf according to sysfs, "" if none. */
static void sysfs_driver(const char *bdf, char *buf, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;
	char *slash;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	buf[0] = '\0';
	if (n <= 0)
		return;
	link[n] = '\0';
	slash = strrchr(link, '/');
	slash = slash ? slash + 1 : link;
	if (strlen(slash) >= len)
		return;
	memcpy(buf, slash, strlen(slash) + 1);
}

static int config_byte(const char *bdf, unsigned int off)
{
	char path[PATH_MAX];
	unsigned char b;
	int fd, ret = -1;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (pread(fd, &b, 1, off) == 1)
		ret = b;
	close(fd);
	return ret;
}

static const char *fmt_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return why;
}

/* Compare one dump record with sysfs; returns a description of the first
 * difference, or NULL.
 */
static const char *compare_with_sysfs(const struct pbnl_dev *d, char *why,
				      size_t len)
{
	const char *bdf = d->name;
	char buf[256], drv[256], path[512];
	unsigned int dom, bus, slot, fn;
	bool ok = true;
	int hdr;

#define DIFF(fmt, ...) fmt_why(why, len, "%s: " fmt, bdf, ##__VA_ARGS__)
	if (d->overflow)
		return DIFF("record does not fit the test's structures");
	if (sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &slot, &fn) != 4)
		return DIFF("unparsable name");
	if (d->domain != dom || d->bus != bus || d->devfn != ((slot << 3) | fn))
		return DIFF("domain/bus/devfn %x/%x/%x", d->domain, d->bus, d->devfn);
	if (d->vendor != sysfs_ul(bdf, "vendor", &ok) || !ok)
		return DIFF("vendor %04x", d->vendor);
	if (d->device != sysfs_ul(bdf, "device", &ok) || !ok)
		return DIFF("device %04x", d->device);
	if (d->subsystem_vendor != sysfs_ul(bdf, "subsystem_vendor", &ok) || !ok)
		return DIFF("subsystem vendor %04x", d->subsystem_vendor);
	if (d->subsystem_device != sysfs_ul(bdf, "subsystem_device", &ok) || !ok)
		return DIFF("subsystem device %04x", d->subsystem_device);
	if (d->class != sysfs_ul(bdf, "class", &ok) || !ok)
		return DIFF("class %06x", d->class);
	if (d->revision != sysfs_ul(bdf, "revision", &ok) || !ok)
		return DIFF("revision %02x", d->revision);

	sysfs_driver(bdf, drv, sizeof(drv));
	if (d->has_driver != !!drv[0] || (drv[0] && strcmp(d->driver, drv)))
		return DIFF("driver \"%s\", sysfs \"%s\"", d->has_driver ? d->driver : "",
		     drv);
	if (d->pciback != !strcmp(drv, "pciback"))
		return DIFF("pciback flag %d with driver \"%s\"", d->pciback, drv);

	if (pbnl_sysfs_read(bdf, "driver_override", buf, sizeof(buf)))
		return DIFF("no driver_override in sysfs");
	if (!strcmp(buf, "(null)") ? d->has_override :
	    (!d->has_override || strcmp(buf, d->override)))
		return DIFF("driver_override \"%s\", sysfs \"%s\"", d->override, buf);

	hdr = config_byte(bdf, 0x0e);
	if (hdr < 0)
		return DIFF("cannot read config space");
	if (d->multifunction != !!(hdr & 0x80))
		return DIFF("multifunction %d, header byte %02x", d->multifunction, hdr);
	if (d->hdr_type != (unsigned int)(hdr & 0x7f) + 1)
		return DIFF("hdr-type %u, header byte %02x", d->hdr_type, hdr);

	buf[0] = '\0';
	if (pbnl_sysfs_read(bdf, "reset_method", buf, sizeof(buf)) == 0 ||
	    d->nreset) {
		char want[256] = "";
		int i;

		for (i = 0; i < d->nreset; i++) {
			strncat(want, d->reset[i], sizeof(want) - strlen(want) - 1);
			if (i + 1 < d->nreset)
				strncat(want, " ", sizeof(want) - strlen(want) - 1);
		}
		if (strcmp(want, buf))
			return DIFF("reset methods \"%s\", sysfs \"%s\"", want, buf);
	}

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/sriov_totalvfs", bdf);
	if (access(path, F_OK) == 0) {
		if (d->sriov_role != PCIBACK_SRIOV_ROLE_PF)
			return DIFF("sriov role %u for a PF", d->sriov_role);
		if (d->sriov_total_vfs != sysfs_ul(bdf, "sriov_totalvfs", &ok) || !ok)
			return DIFF("total VFs %u", d->sriov_total_vfs);
		if (d->sriov_num_vfs != sysfs_ul(bdf, "sriov_numvfs", &ok) || !ok)
			return DIFF("enabled VFs %u", d->sriov_num_vfs);
	} else {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/physfn", bdf);
		if (access(path, F_OK) == 0) {
			char link[256];
			ssize_t n = readlink(path, link, sizeof(link) - 1);
			char *pf;

			if (n <= 0)
				return DIFF("unreadable physfn link");
			link[n] = '\0';
			pf = strrchr(link, '/');
			if (d->sriov_role != PCIBACK_SRIOV_ROLE_VF ||
			    strcmp(d->physfn, pf ? pf + 1 : link))
				return DIFF("VF of %s reported as role %u of \"%s\"",
				     pf ? pf + 1 : link, d->sriov_role, d->physfn);
		} else if (d->sriov_role) {
			return DIFF("sriov role %u without SR-IOV", d->sriov_role);
		}
	}
#undef DIFF
	return NULL;
}

FIXTURE(pbnl) {
	struct pbnl_sock s;
	struct pbnl_reply rep;
};

FIXTURE_SETUP(pbnl)
{
	int ret = pbnl_open(&self->s);

	memset(&self->rep, 0, sizeof(self->rep));
	ASSERT_EQ(0, ret) TH_LOG("family %s unavailable: %s (is pciback_nl loaded?)",
				 PCIBACK_FAMILY_NAME, strerror(-ret));
}

FIXTURE_TEARDOWN(pbnl)
{
	pbnl_reply_free(&self->rep);
	pbnl_close(&self->s);
}

TEST_F(pbnl, dump_matches_sysfs)
{
	struct dirent *de;
	char why[512];
	size_t seen = 0;
	DIR *dir;

	ASSERT_EQ(0, pbnl_dump(&self->s, &self->rep));
	ASSERT_EQ(0, self->rep.err) TH_LOG("dump: %s", self->rep.msg);
	ASSERT_FALSE(self->rep.truncated);
	ASSERT_LT((size_t)0, self->rep.ndevs);

	dir = opendir("/sys/bus/pci/devices");
	ASSERT_NE(NULL, dir);
	while ((de = readdir(dir))) {
		const struct pbnl_dev *d;
		const char *diff;

		if (de->d_name[0] == '.')
			continue;
		seen++;
		d = find_dev(&self->rep, de->d_name);
		EXPECT_NE(NULL, d) TH_LOG("%s missing from the dump", de->d_name);
		if (!d)
			continue;
		diff = compare_with_sysfs(d, why, sizeof(why));
		EXPECT_EQ(NULL, diff) TH_LOG("%s", why);
	}
	closedir(dir);
	EXPECT_EQ(seen, self->rep.ndevs) TH_LOG("sysfs has %zu functions", seen);
}

TEST_F(pbnl, dump_is_sorted_and_unique)
{
	size_t i;

	ASSERT_EQ(0, pbnl_dump(&self->s, &self->rep));
	ASSERT_EQ(0, self->rep.err);
	for (i = 1; i < self->rep.ndevs; i++) {
		const struct pbnl_dev *a = &self->rep.devs[i - 1];
		const struct pbnl_dev *b = &self->rep.devs[i];
		unsigned long long ka = ((unsigned long long)a->domain << 16) |
					(a->bus << 8) | a->devfn;
		unsigned long long kb = ((unsigned long long)b->domain << 16) |
					(b->bus << 8) | b->devfn;

		EXPECT_LT(ka, kb) TH_LOG("%s before %s", a->name, b->name);
	}
}

TEST_F(pbnl, do_matches_dump)
{
	struct pbnl_reply one;
	size_t i;

	ASSERT_EQ(0, pbnl_dump(&self->s, &self->rep));
	ASSERT_EQ(0, self->rep.err);
	for (i = 0; i < self->rep.ndevs; i++) {
		const struct pbnl_dev *d = &self->rep.devs[i];

		ASSERT_EQ(0, pbnl_get(&self->s, d->name, &one));
		EXPECT_EQ(0, one.err) TH_LOG("%s: %s", d->name, one.msg);
		EXPECT_EQ((size_t)1, one.ndevs);
		if (one.ndevs == 1) {
			EXPECT_EQ(0, memcmp(d, &one.devs[0], sizeof(*d)))
				TH_LOG("do and dump differ for %s", d->name);
		}
		pbnl_reply_free(&one);
	}
}

TEST_F(pbnl, absent_device_is_enodev)
{
	const char *absent = "0000:fe:1f.7";

	if (access("/sys/bus/pci/devices/0000:fe:1f.7", F_OK) == 0)
		absent = "0000:fd:1f.6";
	ASSERT_EQ(0, pbnl_get(&self->s, absent, &self->rep));
	EXPECT_EQ(-ENODEV, self->rep.err);
	EXPECT_EQ((size_t)0, self->rep.ndevs);
	EXPECT_NE(NULL, strstr(self->rep.msg, absent)) TH_LOG("msg \"%s\"", self->rep.msg);
	EXPECT_TRUE(self->rep.has_bad_attr);
}

TEST_F(pbnl, missing_name_is_einval)
{
	struct pbnl_req r;

	pbnl_req_init(&r, &self->s, PCIBACK_CMD_DEV_GET, 0);
	ASSERT_EQ(0, pbnl_transact(&self->s, &r, &self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
	EXPECT_NE(NULL, strstr(self->rep.msg, "name")) TH_LOG("msg \"%s\"", self->rep.msg);
	EXPECT_TRUE(self->rep.has_miss_type);
	EXPECT_EQ((uint32_t)PCIBACK_A_DEV_NAME, self->rep.miss_type);
}

TEST_F(pbnl, malformed_names_are_einval)
{
	static const char * const bad[] = {
		"", "0000:00:00", "00:02.0", "0000:00:20.0", "0000:00:00.8",
		"zzzz:00:00.0", "0000:000:00.0", "0000:00:00.0 ", "000:00:00.0",
		"000000000:00:00.0", "0000-00-00.0", "0000:00:00.*",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_EQ(0, pbnl_get(&self->s, bad[i], &self->rep));
		EXPECT_EQ(-EINVAL, self->rep.err) TH_LOG("name \"%s\"", bad[i]);
		EXPECT_NE(0, self->rep.msg[0]) TH_LOG("no message for \"%s\"", bad[i]);
		EXPECT_TRUE(self->rep.has_bad_attr) TH_LOG("name \"%s\"", bad[i]);
		pbnl_reply_free(&self->rep);
	}
}

TEST_F(pbnl, name_without_nul_is_einval)
{
	struct pbnl_req r;

	pbnl_req_init(&r, &self->s, PCIBACK_CMD_DEV_GET, 0);
	pbnl_req_put(&r, PCIBACK_A_DEV_NAME, "0000:00:00.0", 12);
	ASSERT_EQ(0, pbnl_transact(&self->s, &r, &self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
	EXPECT_NE(0, self->rep.msg[0]);
	EXPECT_TRUE(self->rep.has_bad_attr);
}

TEST_F(pbnl, overlong_name_is_einval)
{
	struct pbnl_req r;

	pbnl_req_init(&r, &self->s, PCIBACK_CMD_DEV_GET, 0);
	pbnl_req_put_str(&r, PCIBACK_A_DEV_NAME, "00000000000000000:00:00.0");
	ASSERT_EQ(0, pbnl_transact(&self->s, &r, &self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
	EXPECT_NE(0, self->rep.msg[0]);
	EXPECT_TRUE(self->rep.has_bad_attr);
}

TEST_F(pbnl, unknown_attribute_is_einval)
{
	struct pbnl_req r;
	unsigned int v = 1;

	pbnl_req_init(&r, &self->s, PCIBACK_CMD_DEV_GET, 0);
	pbnl_req_put_str(&r, PCIBACK_A_DEV_NAME, "0000:00:00.0");
	pbnl_req_put(&r, PCIBACK_A_DEV_MAX + 10, &v, sizeof(v));
	ASSERT_EQ(0, pbnl_transact(&self->s, &r, &self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
	EXPECT_NE(0, self->rep.msg[0]);
	EXPECT_TRUE(self->rep.has_bad_attr);
}

TEST_F(pbnl, output_only_attribute_is_einval)
{
	struct pbnl_req r;
	unsigned int v = 1;

	pbnl_req_init(&r, &self->s, PCIBACK_CMD_DEV_GET, 0);
	pbnl_req_put_str(&r, PCIBACK_A_DEV_NAME, "0000:00:00.0");
	pbnl_req_put(&r, PCIBACK_A_DEV_VENDOR, &v, sizeof(v));
	ASSERT_EQ(0, pbnl_transact(&self->s, &r, &self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
	EXPECT_NE(0, self->rep.msg[0]);
}

TEST_F(pbnl, dump_with_attributes_is_einval)
{
	struct pbnl_req r;

	pbnl_req_init(&r, &self->s, PCIBACK_CMD_DEV_GET, NLM_F_DUMP);
	pbnl_req_put_str(&r, PCIBACK_A_DEV_NAME, "0000:00:00.0");
	ASSERT_EQ(0, pbnl_transact(&self->s, &r, &self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
	EXPECT_NE(0, self->rep.msg[0]);
	EXPECT_EQ((size_t)0, self->rep.ndevs);
}

TEST_F(pbnl, reserved_header_field_is_einval)
{
	struct pbnl_req r;

	pbnl_req_init(&r, &self->s, PCIBACK_CMD_DEV_GET, 0);
	((struct genlmsghdr *)(r.buf + NLMSG_HDRLEN))->reserved = 1;
	pbnl_req_put_str(&r, PCIBACK_A_DEV_NAME, "0000:00:00.0");
	ASSERT_EQ(0, pbnl_transact(&self->s, &r, &self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
	EXPECT_NE(0, self->rep.msg[0]);
}

TEST_F(pbnl, unknown_command_is_eopnotsupp)
{
	struct pbnl_req r;

	pbnl_req_init(&r, &self->s, PCIBACK_CMD_MAX + 50, 0);
	ASSERT_EQ(0, pbnl_transact(&self->s, &r, &self->rep));
	EXPECT_EQ(-EOPNOTSUPP, self->rep.err);
}

/* A device handed to xen-pciback the old way is reported as held by it. */
TEST_F(pbnl, pciback_bound_device_is_reported)
{
	char path[PATH_MAX], drv[256] = "";
	const struct pbnl_dev *d = NULL;
	const char *bdf = NULL;
	struct pbnl_reply one;
	size_t i;

	if (!pbnl_running_on_xen_dom0())
		SKIP(return, "needs a Xen dom0");
	if (access("/sys/bus/pci/drivers/pciback", F_OK))
		SKIP(return, "xen-pciback is not loaded");

	ASSERT_EQ(0, pbnl_dump(&self->s, &self->rep));
	/* an e1000 bound to its host driver with no interface up */
	for (i = 0; i < self->rep.ndevs && !bdf; i++) {
		d = &self->rep.devs[i];
		if (d->has_driver && !strcmp(d->driver, "e1000"))
			bdf = d->name;
	}
	if (!bdf)
		SKIP(return, "no e1000 in this topology");
	snprintf(drv, sizeof(drv), "%s", d->driver);

	ASSERT_EQ(0, pbnl_write_str("/sys/bus/pci/drivers/e1000/unbind", bdf));
	ASSERT_EQ(0, pbnl_write_str("/sys/bus/pci/drivers/pciback/new_slot", bdf));
	ASSERT_EQ(0, pbnl_write_str("/sys/bus/pci/drivers/pciback/bind", bdf));

	ASSERT_EQ(0, pbnl_get(&self->s, bdf, &one));
	EXPECT_EQ(0, one.err);
	ASSERT_EQ((size_t)1, one.ndevs);
	EXPECT_TRUE(one.devs[0].pciback);
	EXPECT_STREQ("pciback", one.devs[0].driver);
	pbnl_reply_free(&one);

	/* give it back */
	EXPECT_EQ(0, pbnl_write_str("/sys/bus/pci/drivers/pciback/unbind", bdf));
	EXPECT_EQ(0, pbnl_write_str("/sys/bus/pci/drivers/pciback/remove_slot", bdf));
	EXPECT_EQ(0, pbnl_write_str("/sys/bus/pci/drivers/e1000/bind", bdf));
	ASSERT_EQ(0, pbnl_get(&self->s, bdf, &one));
	ASSERT_EQ((size_t)1, one.ndevs);
	EXPECT_FALSE(one.devs[0].pciback);
	EXPECT_STREQ(drv, one.devs[0].driver);
	pbnl_reply_free(&one);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	EXPECT_EQ(0, access(path, F_OK));
}

/*
 * Booted without Xen (the recovery entry of a boot menu), a "hide" list
 * reserves nothing: the module loads, says so, and a listed function that
 * is added to the bus gets its host driver.
 */
TEST_F(pbnl, hide_parameter_ignored_without_xen)
{
	const char *ko = getenv("PBNL_KO") ? getenv("PBNL_KO") :
		"/opt/pciback-nl/pciback_nl.ko";
	char cmd[PATH_MAX + 256], drv[256], line[512];
	const char *bdf = NULL;
	bool said = false;
	size_t i;
	FILE *f;

	if (pbnl_running_on_xen_dom0())
		SKIP(return, "only without Xen");
	if (access(ko, F_OK))
		SKIP(return, "no %s to reload", ko);
	ASSERT_EQ(0, pbnl_dump(&self->s, &self->rep));
	for (i = 0; i < self->rep.ndevs && !bdf; i++)
		if (self->rep.devs[i].has_driver &&
		    !strcmp(self->rep.devs[i].driver, "e1000e"))
			bdf = self->rep.devs[i].name;
	if (!bdf)
		SKIP(return, "no e1000e in this topology");
	snprintf(drv, sizeof(drv), "%s", bdf);
	pbnl_reply_free(&self->rep);
	pbnl_close(&self->s);

	snprintf(cmd, sizeof(cmd), "rmmod pciback_nl && insmod %s hide=%s", ko, drv);
	ASSERT_EQ(0, system(cmd));
	snprintf(cmd, sizeof(cmd), "/sys/bus/pci/devices/%s/remove", drv);
	ASSERT_EQ(0, pbnl_write_str(cmd, "1"));
	ASSERT_EQ(0, pbnl_write_str("/sys/bus/pci/rescan", "1"));
	EXPECT_STREQ("e1000e", pbnl_drv(drv));
	f = popen("dmesg | tail -n 40", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		said |= !!strstr(line, "hide: not a Xen initial domain: nothing reserved");
	pclose(f);
	EXPECT_TRUE(said);
	snprintf(cmd, sizeof(cmd), "rmmod pciback_nl && insmod %s", ko);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(0, pbnl_open(&self->s));
}

/*
 * A function whose description is longer than a page's worth of dump
 * buffer (a driver_override of 4000 bytes) neither ends the dump nor is
 * left out of it: the dump sizes its buffers for the largest function.  A
 * new socket, whose first read is the dump, gets the kernel's default
 * buffer size for the first round.
 */
TEST_F(pbnl, long_override_does_not_end_the_dump)
{
	char big[4001], path[PATH_MAX];
	struct pbnl_sock fresh;
	const char *victim = NULL;
	size_t i, n;

	ASSERT_EQ(0, pbnl_dump(&self->s, &self->rep));
	ASSERT_EQ(0, self->rep.err);
	n = self->rep.ndevs;
	for (i = 0; i < n && !victim; i++)
		if (!self->rep.devs[i].has_driver && !self->rep.devs[i].has_override)
			victim = strdup(self->rep.devs[i].name);
	pbnl_reply_free(&self->rep);
	if (!victim)
		SKIP(return, "no function without a driver and driver_override");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 victim);
	ASSERT_EQ(0, pbnl_write_str(path, big)) TH_LOG("%s", path);

	fresh.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	fresh.family = self->s.family;
	fresh.seq = 0;
	EXPECT_LE(0, fresh.fd);
	if (fresh.fd >= 0) {
		EXPECT_EQ(0, pbnl_dump(&fresh, &self->rep));
		EXPECT_EQ(0, self->rep.err) TH_LOG("dump: %s", self->rep.msg);
		EXPECT_EQ(n, self->rep.ndevs);
		EXPECT_NE(NULL, find_dev(&self->rep, victim));
		pbnl_reply_free(&self->rep);
		close(fresh.fd);
	}
	/* and dev-get of it */
	EXPECT_EQ(0, pbnl_get(&self->s, victim, &self->rep));
	EXPECT_EQ(0, self->rep.err) TH_LOG("get: %s", self->rep.msg);
	EXPECT_EQ((size_t)1, self->rep.ndevs);
	ASSERT_EQ(0, pbnl_write_str(path, "\n"));
	free((void *)victim);
}

TEST_HARNESS_MAIN
