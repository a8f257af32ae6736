// SPDX-License-Identifier: GPL-2.0
/*
 * group-get: the co-assignment engine in the module against Linux's own
 * answer.  Booted without Xen (intel_iommu=on), the kernel fills
 * /sys/kernel/iommu_groups; the engine's IOMMU-equivalent group of every
 * function must equal it.  Under Xen, dom0 has no IOMMU groups, and the
 * engine must still find the test bed's groups and the co-assignment
 * rules that explain them.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pbnl.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, space-separated names of the reply's members. */
static void members_str(const struct pbnl_reply *rep, char *buf, size_t len)
{
	char *names[512];
	size_t i, n = rep->nmembers < 512 ? rep->nmembers : 512;

	for (i = 0; i < n; i++)
		names[i] = rep->members[i];
	qsort(names, n, sizeof(*names), cmp_str);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		strncat(buf, names[i], len - strlen(buf) - 1);
		if (i + 1 < n)
			strncat(buf, " ", len - strlen(buf) - 1);
	}
}

/* Sorted, space-separated names of a directory's entries. */
static int dir_str(const char *path, char *buf, size_t len)
{
	char *names[512];
	struct dirent *de;
	size_t n = 0, i;
	DIR *d = opendir(path);

	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < 512)
		if (de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		strncat(buf, names[i], len - strlen(buf) - 1);
		if (i + 1 < n)
			strncat(buf, " ", len - strlen(buf) - 1);
		free(names[i]);
	}
	return 0;
}

FIXTURE(group) {
	struct pbnl_sock s;
	struct pbnl_reply rep;
};

FIXTURE_SETUP(group)
{
	memset(&self->rep, 0, sizeof(self->rep));
	ASSERT_EQ(0, pbnl_open(&self->s));
}

FIXTURE_TEARDOWN(group)
{
	pbnl_reply_free(&self->rep);
	pbnl_close(&self->s);
}

TEST_F(group, iommu_groups_match_the_kernel)
{
	char want[4096], got[4096], path[PATH_MAX], link[PATH_MAX];
	struct dirent *de;
	int compared = 0;
	DIR *dir;

	if (access("/sys/kernel/iommu_groups", F_OK) ||
	    dir_str("/sys/kernel/iommu_groups", want, sizeof(want)) || !want[0])
		SKIP(return, "no IOMMU groups here (Xen dom0, or no intel_iommu=on)");
	dir = opendir("/sys/bus/pci/devices");
	ASSERT_NE(NULL, dir);
	while ((de = readdir(dir))) {
		const char *name = de->d_name;
		ssize_t n;

		if (name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
			 name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%s/devices",
			 strrchr(link, '/') + 1);
		ASSERT_EQ(0, dir_str(path, want, sizeof(want)));
		ASSERT_EQ(0, pbnl_group(&self->s, &name, 1,
					PCIBACK_OP_FLAG_IOMMU_GROUP, &self->rep));
		ASSERT_EQ(0, self->rep.err) TH_LOG("%s: %s", name, self->rep.msg);
		members_str(&self->rep, got, sizeof(got));
		EXPECT_STREQ(want, got) TH_LOG("group of %s", name);
		pbnl_reply_free(&self->rep);
		compared++;
	}
	closedir(dir);
	EXPECT_LT(10, compared);
	TH_LOG("compared the groups of %d functions", compared);
}

/* The test bed's groups, as Linux forms them natively (topology.conf). */
static const char * const testbed_groups[][7] = {
	{ "0000:00:1d.0", "0000:00:1d.1", "0000:00:1d.2", "0000:00:1d.7" },
	{ "0000:00:07.0", "0000:09:01.0", "0000:09:02.0" },
	{ "0000:00:06.0", "0000:05:00.0", "0000:06:00.0", "0000:06:01.0",
	  "0000:07:00.0", "0000:08:00.0" },
	{ "0000:00:1f.0", "0000:00:1f.2", "0000:00:1f.3" },
	{ "0000:01:00.0" },
	{ "0000:03:00.0" },
};

TEST_F(group, iommu_groups_of_the_test_bed)
{
	char want[1024], got[1024];
	size_t g, k;

	if (access("/sys/bus/pci/devices/0000:09:01.0", F_OK) ||
	    access("/sys/bus/pci/devices/0000:00:1d.7", F_OK))
		SKIP(return, "not the test bed's topology");
	for (g = 0; g < ARRAY_SIZE(testbed_groups); g++) {
		want[0] = '\0';
		for (k = 0; k < 7 && testbed_groups[g][k]; k++) {
			if (k)
				strcat(want, " ");
			strcat(want, testbed_groups[g][k]);
		}
		/* asking for any member gives the same group */
		for (k = 0; k < 7 && testbed_groups[g][k]; k++) {
			ASSERT_EQ(0, pbnl_group(&self->s, &testbed_groups[g][k], 1,
						PCIBACK_OP_FLAG_IOMMU_GROUP,
						&self->rep));
			ASSERT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
			members_str(&self->rep, got, sizeof(got));
			EXPECT_STREQ(want, got)
				TH_LOG("group of %s", testbed_groups[g][k]);
			pbnl_reply_free(&self->rep);
		}
	}
}

static uint32_t rules_of(const struct pbnl_reply *rep, const char *name)
{
	size_t i;

	for (i = 0; i < rep->nmembers; i++)
		if (!strcmp(rep->members[i], name))
			return rep->member_rules[i];
	return 0;
}

TEST_F(group, coassignment_rules_explain_members)
{
	static const char * const uhci[] = { "0000:00:1d.0" };
	static const char * const e1000[] = { "0000:09:01.0" };

	if (access("/sys/bus/pci/devices/0000:09:01.0", F_OK) ||
	    access("/sys/bus/pci/devices/0000:00:1d.7", F_OK))
		SKIP(return, "not the test bed's topology");
	ASSERT_EQ(0, pbnl_group(&self->s, uhci, 1, 0, &self->rep));
	ASSERT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	EXPECT_EQ((uint32_t)PCIBACK_GROUP_RULE_REQUESTED,
		  rules_of(&self->rep, "0000:00:1d.0"));
	EXPECT_TRUE((rules_of(&self->rep, "0000:00:1d.7") &
		    PCIBACK_GROUP_RULE_MULTIFUNCTION) != 0);
	EXPECT_TRUE((rules_of(&self->rep, "0000:00:1d.1") &
		    PCIBACK_GROUP_RULE_MULTIFUNCTION) != 0);
	pbnl_reply_free(&self->rep);

	ASSERT_EQ(0, pbnl_group(&self->s, e1000, 1, 0, &self->rep));
	ASSERT_EQ(0, self->rep.err);
	EXPECT_TRUE((rules_of(&self->rep, "0000:09:02.0") & PCIBACK_GROUP_RULE_ALIAS) != 0);
	EXPECT_TRUE((rules_of(&self->rep, "0000:00:07.0") & PCIBACK_GROUP_RULE_ALIAS) != 0);
	/* the PCIe-to-PCI bridge is in the group: not assignable as is */
	EXPECT_TRUE((self->rep.verdict & PCIBACK_GROUP_VERDICT_BRIDGE) != 0);
	EXPECT_NE(NULL, strstr(self->rep.verdict_reason, "0000:00:07.0"))
		TH_LOG("%s", self->rep.verdict_reason);
	pbnl_reply_free(&self->rep);
}

TEST_F(group, bad_requests)
{
	static const char * const two[] = { "0000:00:1f.0", "0000:00:1f.2" };
	static const char * const absent[] = { "0000:fe:1f.7" };

	ASSERT_EQ(0, pbnl_group(&self->s, two, 2, PCIBACK_OP_FLAG_IOMMU_GROUP,
				&self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
	EXPECT_NE(0, self->rep.msg[0]);
	pbnl_reply_free(&self->rep);
	ASSERT_EQ(0, pbnl_group(&self->s, absent, 1, 0, &self->rep));
	EXPECT_EQ(-ENODEV, self->rep.err);
	pbnl_reply_free(&self->rep);
	ASSERT_EQ(0, pbnl_group(&self->s, NULL, 0, 0, &self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
	pbnl_reply_free(&self->rep);
	/* dev-hide's flags are not group-get's */
	ASSERT_EQ(0, pbnl_group(&self->s, two, 1, PCIBACK_OP_FLAG_FORCE, &self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
	pbnl_reply_free(&self->rep);
	/* nor are dev-hide's attributes: a name in the op set */
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_GROUP_GET, two, 1, 0, &self->rep));
	EXPECT_EQ(-EINVAL, self->rep.err);
}

/*
 * topology-quirks.conf: the kernel's device-specific ACS rules
 * (pci_dev_acs_enabled[] in drivers/pci/quirks.c) decide these groups, and
 * the engine must apply them as the kernel does, under Xen too (where
 * there are no IOMMU groups to compare with).
 */
TEST_F(group, acs_quirks_decide_groups)
{
	static const struct {
		const char *dev, *want;
	} cases[] = {
		/* Intel RCiEPs: pci_quirk_rciep_acs() */
		{ "0000:00:0a.0", "0000:00:0a.0" },
		{ "0000:00:0a.1", "0000:00:0a.1" },
		/* virtio RCiEPs: no quirk, no ACS: one group */
		{ "0000:00:0b.0", "0000:00:0b.0 0000:00:0b.1" },
		/* 82574L functions behind a root port: not in the table */
		{ "0000:01:00.1", "0000:01:00.0 0000:01:00.1" },
	};
	char got[1024];
	size_t i;

	if (access("/sys/bus/pci/devices/0000:00:0a.1", F_OK) ||
	    access("/sys/bus/pci/devices/0000:00:0b.1", F_OK))
		SKIP(return, "not topology-quirks.conf");
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, pbnl_group(&self->s, &cases[i].dev, 1,
					PCIBACK_OP_FLAG_IOMMU_GROUP, &self->rep));
		ASSERT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
		members_str(&self->rep, got, sizeof(got));
		EXPECT_STREQ(cases[i].want, got) TH_LOG("group of %s", cases[i].dev);
		pbnl_reply_free(&self->rep);
		/* the co-assignment group adds nothing here */
		ASSERT_EQ(0, pbnl_group(&self->s, &cases[i].dev, 1, 0, &self->rep));
		ASSERT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
		members_str(&self->rep, got, sizeof(got));
		EXPECT_STREQ(cases[i].want, got) TH_LOG("closure of %s", cases[i].dev);
		pbnl_reply_free(&self->rep);
	}
}

/* Whether Linux can reset @bdf now: its reset file takes a write. */
static int kernel_resets(const char *bdf, char *drv, size_t len)
{
	char path[PATH_MAX];
	int ok;

	drv[0] = '\0';
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset", bdf);
	if (access(path, F_OK))
		return 0;	/* no reset method at all */
	snprintf(drv, len, "%s", pbnl_drv(bdf));
	if (drv[0]) {
		char unbind[PATH_MAX];

		snprintf(unbind, sizeof(unbind),
			 "/sys/bus/pci/devices/%s/driver/unbind", bdf);
		if (pbnl_write_str(unbind, bdf))
			return -1;
	}
	ok = !pbnl_write_str(path, "1");
	if (drv[0])
		pbnl_write_str("/sys/bus/pci/drivers_probe", bdf);
	return ok;
}

/*
 * The reset rule is what Linux can do: for every endpoint, the engine says
 * "no usable reset" for it exactly when the kernel refuses to reset it
 * (its sysfs reset file is absent or a write fails: a bus reset needs the
 * function alone on its bus, pci_parent_bus_reset()).  Each function is
 * unbound from its driver for the reset, then probed again.
 */
TEST_F(group, reset_verdict_matches_the_kernel)
{
	char drv[PBNL_STR_MAX], want[64];
	struct pbnl_reply dump;
	size_t i, compared = 0;

	ASSERT_EQ(0, pbnl_dump(&self->s, &dump));
	ASSERT_EQ(0, dump.err);
	for (i = 0; i < dump.ndevs; i++) {
		const struct pbnl_dev *d = &dump.devs[i];
		const char *name = d->name;
		bool engine_no_reset;
		int kernel;

		/* not bridges, VFs or PFs with VFs (unbinding a PF ends them) */
		if (d->hdr_type != PCIBACK_HDR_TYPE_ENDPOINT ||
		    d->class >> 8 == 0x0600 ||	/* host bridge */
		    d->sriov_role == PCIBACK_SRIOV_ROLE_VF ||
		    (d->sriov_role == PCIBACK_SRIOV_ROLE_PF && d->sriov_num_vfs))
			continue;
		ASSERT_EQ(0, pbnl_group(&self->s, &name, 1, 0, &self->rep));
		ASSERT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
		snprintf(want, sizeof(want), "%s: a member has no usable reset", name);
		engine_no_reset = strstr(self->rep.verdict_reason, want);
		pbnl_reply_free(&self->rep);
		kernel = kernel_resets(name, drv, sizeof(drv));
		ASSERT_LE(0, kernel) TH_LOG("%s: cannot unbind %s", name, drv);
		EXPECT_EQ(!kernel, engine_no_reset)
			TH_LOG("%s: the kernel %s reset it, the engine says %s", name,
			       kernel ? "can" : "cannot",
			       engine_no_reset ? "no usable reset" : "it can");
		if (drv[0])
			EXPECT_STREQ(drv, pbnl_drv(name)) TH_LOG("%s rebound", name);
		compared++;
	}
	pbnl_reply_free(&dump);
	EXPECT_LT((size_t)0, compared);
	TH_LOG("compared the reset verdict of %zu functions", compared);
}

TEST_HARNESS_MAIN
