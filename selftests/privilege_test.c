// SPDX-License-Identifier: GPL-2.0
/*
 * Who may do what: dev-hide and dev-unhide (dry runs too) need
 * CAP_SYS_ADMIN in the initial user namespace; dev-get and group-get need
 * nothing.  An unprivileged user, and root inside a new user namespace
 * (a container's root), are refused with EPERM and a message, and nothing
 * moves.  The family exists only in the initial network namespace: a
 * socket in another does not find it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pbnl.h"

/* What a child found; 0 is all as expected, else the step that was not. */
enum {
	STEP_OK, STEP_DROP, STEP_OPEN, STEP_DUMP, STEP_GET, STEP_GROUP,
	STEP_HIDE, STEP_DRY, STEP_UNHIDE, STEP_USERNS, STEP_NETNS, STEP_FAMILY,
};

FIXTURE(priv) {
	struct pbnl_sock s;
	struct pbnl_reply rep;
	char host[PBNL_STR_MAX];	/* a function on a host driver */
	char host_drv[PBNL_STR_MAX];
	char hidden[PBNL_STR_MAX];	/* one hidden for the test */
};

FIXTURE_SETUP(priv)
{
	const char *n;
	size_t i;

	self->host[0] = '\0';
	self->hidden[0] = '\0';
	memset(&self->rep, 0, sizeof(self->rep));
	ASSERT_EQ(0, pbnl_open(&self->s));
	ASSERT_EQ(0, pbnl_dump(&self->s, &self->rep));
	/* two endpoints alone in their group: e1000e or virtio-net */
	for (i = 0; i < self->rep.ndevs; i++) {
		const struct pbnl_dev *d = &self->rep.devs[i];

		if (!d->has_driver || (strcmp(d->driver, "e1000e") &&
				       strcmp(d->driver, "virtio-pci")))
			continue;
		if (!self->host[0]) {
			snprintf(self->host, sizeof(self->host), "%s", d->name);
			snprintf(self->host_drv, sizeof(self->host_drv), "%s", d->driver);
		} else if (!self->hidden[0] && strcmp(d->driver, self->host_drv)) {
			snprintf(self->hidden, sizeof(self->hidden), "%s", d->name);
		}
	}
	pbnl_reply_free(&self->rep);
	ASSERT_NE(0, self->host[0]) TH_LOG("no e1000e or virtio-net here");
	if (!pbnl_running_on_xen_dom0() || access("/sys/bus/pci/drivers/pciback", F_OK)) {
		self->hidden[0] = '\0';	/* reads only */
		return;
	}
	ASSERT_NE(0, self->hidden[0]);
	n = self->hidden;
	ASSERT_EQ(0, pbnl_op(&self->s, PCIBACK_CMD_DEV_HIDE, &n, 1,
			     PCIBACK_OP_FLAG_WITH_GROUP, &self->rep));
	ASSERT_EQ(0, self->rep.err) TH_LOG("%s", self->rep.msg);
	pbnl_reply_free(&self->rep);
}

FIXTURE_TEARDOWN(priv)
{
	const char *n = self->hidden;

	if (self->hidden[0]) {
		pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, &n, 1, 0, &self->rep);
		pbnl_reply_free(&self->rep);
	}
	pbnl_close(&self->s);
}

/*
 * In a child (after its privileges were dropped): reads work; every
 * mutating request is EPERM with a message naming the capability.
 */
static int probe(const char *host, const char *hidden)
{
	struct pbnl_sock s;
	struct pbnl_reply r;
	const char *n;

	if (pbnl_open(&s))
		return STEP_OPEN;
	if (pbnl_dump(&s, &r) || r.err || !r.ndevs)
		return STEP_DUMP;
	pbnl_reply_free(&r);
	if (pbnl_get(&s, host, &r) || r.err || r.ndevs != 1)
		return STEP_GET;
	pbnl_reply_free(&r);
	n = host;
	if (pbnl_group(&s, &n, 1, 0, &r) || r.err || !r.nmembers)
		return STEP_GROUP;
	pbnl_reply_free(&r);
	if (pbnl_op(&s, PCIBACK_CMD_DEV_HIDE, &n, 1, 0, &r) ||
	    r.err != -EPERM || !strstr(r.msg, "CAP_SYS_ADMIN"))
		return STEP_HIDE;
	pbnl_reply_free(&r);
	if (pbnl_op(&s, PCIBACK_CMD_DEV_HIDE, &n, 1, PCIBACK_OP_FLAG_DRY_RUN, &r) ||
	    r.err != -EPERM)
		return STEP_DRY;
	pbnl_reply_free(&r);
	if (hidden[0]) {
		n = hidden;
		if (pbnl_op(&s, PCIBACK_CMD_DEV_UNHIDE, &n, 1,
			    PCIBACK_OP_FLAG_FORCE, &r) ||
		    r.err != -EPERM || !strstr(r.msg, "CAP_SYS_ADMIN"))
			return STEP_UNHIDE;
		pbnl_reply_free(&r);
	}
	pbnl_close(&s);
	return STEP_OK;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int child_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

#define nothing_moved() do {						\
	char _buf[64];							\
									\
	EXPECT_STREQ(self->host_drv, pbnl_driver_of(self->host, _buf, sizeof(_buf)));	\
	if (self->hidden[0])						\
		EXPECT_STREQ("pciback", pbnl_driver_of(self->hidden, _buf, sizeof(_buf)));	\
} while (0)

TEST_F(priv, unprivileged_user_reads_but_cannot_move)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(STEP_DROP);
		_exit(probe(self->host, self->hidden));
	}
	EXPECT_EQ(STEP_OK, child_status(pid));
	nothing_moved();
}

TEST_F(priv, root_of_a_user_namespace_cannot_move)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		char map[64];
		uid_t uid = 65534;

		/* as a container: an unprivileged user that is root inside */
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(uid, uid, uid))
			_exit(STEP_DROP);
		/* changing uid made it undumpable: /proc/self is root's then */
		if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) || unshare(CLONE_NEWUSER))
			_exit(STEP_USERNS);
		snprintf(map, sizeof(map), "0 %u 1", uid);
		if (write_file("/proc/self/setgroups", "deny") ||
		    write_file("/proc/self/uid_map", map) ||
		    write_file("/proc/self/gid_map", map) ||
		    setresuid(0, 0, 0) || setresgid(0, 0, 0))
			_exit(STEP_USERNS);
		_exit(probe(self->host, self->hidden));
	}
	EXPECT_EQ(STEP_OK, child_status(pid));
	nothing_moved();
}

TEST_F(priv, root_in_a_user_namespace_it_created_cannot_move)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		/* real root makes the namespace: still no capability outside */
		if (unshare(CLONE_NEWUSER))
			_exit(STEP_USERNS);
		if (write_file("/proc/self/setgroups", "deny") ||
		    write_file("/proc/self/uid_map", "0 0 1") ||
		    write_file("/proc/self/gid_map", "0 0 1"))
			_exit(STEP_USERNS);
		_exit(probe(self->host, self->hidden));
	}
	EXPECT_EQ(STEP_OK, child_status(pid));
	nothing_moved();
}

TEST_F(priv, other_network_namespace_has_no_family)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		struct pbnl_sock s;
		int ret;

		if (unshare(CLONE_NEWNET))
			_exit(STEP_NETNS);
		ret = pbnl_open(&s);
		/* generic netlink itself works there; our family is absent */
		_exit(ret == -ENOENT ? STEP_OK : STEP_FAMILY);
	}
	EXPECT_EQ(STEP_OK, child_status(pid));
	nothing_moved();
}

TEST_HARNESS_MAIN
