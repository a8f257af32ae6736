// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink fuzzing of the family as root: PBNL_FUZZ_MSGS (default 100000)
 * random and mutated requests with a fixed seed (PBNL_FUZZ_SEED, default
 * 1; printed, so a failure reproduces): random commands, versions, flags,
 * attribute types and lengths, deep and truncated nests, long multi-attr
 * lists, real, absent, malformed and unterminated device names, dumps
 * abandoned half-read, and messages cut short.  Afterwards no function has
 * changed driver unless an accepted dev-hide or dev-unhide named it (those
 * are put back), and the module unloads and loads again.  run-selftests
 * then checks dmesg for oops, BUG, WARN and atomic-sleep splats.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "pbnl.h"

#define MAX_DEVS	128
#define MSG_MAX		(64 * 1024)

struct snap {
	size_t n;
	char name[MAX_DEVS][16];
	char drv[MAX_DEVS][64];
};

static uint64_t rng;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static void snapshot(struct snap *s)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;

	s->n = 0;
	while (d && (e = readdir(d)) && s->n < MAX_DEVS) {
		char link[300], target[256];
		ssize_t len;
		char *p;

		if (e->d_name[0] == '.' || strlen(e->d_name) != 12)
			continue;
		snprintf(s->name[s->n], sizeof(s->name[0]), "%s", e->d_name);
		snprintf(link, sizeof(link), "/sys/bus/pci/devices/%s/driver", e->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		s->drv[s->n][0] = '\0';
		if (len > 0) {
			target[len] = '\0';
			p = strrchr(target, '/');
			snprintf(s->drv[s->n], sizeof(s->drv[0]), "%s", p ? p + 1 : target);
		}
		s->n++;
	}
	if (d)
		closedir(d);
}

struct msg {
	unsigned char buf[MSG_MAX];
	size_t len;
	size_t nest[8];		/* open nests: offsets */
	int depth;
};

static void put_attr(struct msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a;

	if (m->len + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(m->buf))
		return;
	a = (struct nlattr *)(m->buf + m->len);
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(m->buf + m->len + NLA_HDRLEN, data, len);
	memset(m->buf + m->len + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	m->len += NLA_HDRLEN + NLA_ALIGN(len);
}

/* A device name: real, absent, malformed, unterminated, empty or long. */
static void put_name(struct msg *m, uint16_t type, const struct snap *s)
{
	static const char *const odd[] = {
		"0000:fe:1f.7", "ffff:00:00.0", "0000:00:00.8", "0000:00:20.0",
		"00:1d.0", "0000:00:1d.*", "eth0", "", "0000:00:1d.0 ",
		"00000000:00:1d.0", "0000:00:1D.0", "../../../etc", "0000:0g:00.0",
	};
	char buf[300];
	size_t len;

	switch (below(6)) {
	case 0: case 1: case 2:
		snprintf(buf, sizeof(buf), "%s", s->name[below(s->n)]);
		put_attr(m, type, buf, strlen(buf) + 1);
		return;
	case 3:
		snprintf(buf, sizeof(buf), "%s", odd[below(sizeof(odd) / sizeof(odd[0]))]);
		put_attr(m, type, buf, strlen(buf) + 1);
		return;
	case 4:		/* no NUL */
		snprintf(buf, sizeof(buf), "%s", s->name[below(s->n)]);
		put_attr(m, type, buf, strlen(buf));
		return;
	default:	/* random bytes */
		len = below(sizeof(buf));
		for (size_t i = 0; i < len; i++)
			buf[i] = (char)rnd();
		put_attr(m, type, buf, len);
		return;
	}
}

static void random_attrs(struct msg *m, const struct snap *s, int budget)
{
	while (budget-- > 0 && m->len < sizeof(m->buf) - 512) {
		uint16_t type = below(12);
		uint32_t v;
		unsigned char junk[64];

		switch (below(10)) {
		case 0: case 1: case 2: case 3:
			put_name(m, type, s);
			break;
		case 4:		/* u32: flags or anything */
			v = below(2) ? below(64) : rnd();
			put_attr(m, type, &v, 4);
			break;
		case 5:		/* wrong length */
			for (size_t i = 0; i < sizeof(junk); i++)
				junk[i] = (unsigned char)rnd();
			put_attr(m, type, junk, below(sizeof(junk)));
			break;
		case 6:		/* open a nest (closed below, or never) */
			if (m->depth < 8) {
				m->nest[m->depth++] = m->len;
				put_attr(m, type | (below(2) ? NLA_F_NESTED : 0), NULL, 0);
			}
			break;
		case 7:		/* close one */
			if (m->depth) {
				size_t off = m->nest[--m->depth];

				((struct nlattr *)(m->buf + off))->nla_len = m->len - off;
			}
			break;
		case 8:		/* a flag attribute */
			put_attr(m, type, NULL, 0);
			break;
		default:	/* a lying length */
			put_attr(m, type, junk, 4);
			((struct nlattr *)(m->buf + m->len - 8))->nla_len = below(2000);
			break;
		}
	}
}

static size_t build(struct msg *m, uint16_t family, uint32_t seq,
		    const struct snap *s, uint8_t *cmd, uint16_t *flags)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	int i, n;

	memset(m->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->depth = 0;
	*cmd = below(8) ? 1 + below(5) : (uint8_t)rnd();
	*flags = NLM_F_REQUEST | (below(2) ? NLM_F_ACK : 0) |
		 (below(4) ? 0 : NLM_F_DUMP);
	g->cmd = *cmd;
	g->version = below(8) ? 1 : (uint8_t)rnd();
	g->reserved = below(16) ? 0 : (uint16_t)rnd();
	switch (below(6)) {
	case 0:		/* many names: at, around and past the limit of 256 */
		n = 250 + below(20);
		for (i = 0; i < n; i++)
			put_name(m, below(2) ? PCIBACK_A_OP_DEV_NAME :
				 PCIBACK_A_GROUP_DEV_NAME, s);
		break;
	case 1:		/* a plausible request */
		put_name(m, *cmd == PCIBACK_CMD_GROUP_GET ? PCIBACK_A_GROUP_DEV_NAME :
			 *cmd == PCIBACK_CMD_DEV_GET ? PCIBACK_A_DEV_NAME :
			 PCIBACK_A_OP_DEV_NAME, s);
		if (below(2)) {
			uint32_t fl = below(32) | PCIBACK_OP_FLAG_DRY_RUN;

			put_attr(m, *cmd == PCIBACK_CMD_GROUP_GET ?
				 PCIBACK_A_GROUP_FLAGS : PCIBACK_A_OP_FLAGS, &fl, 4);
		}
		break;
	default:
		random_attrs(m, s, 1 + below(40));
		break;
	}
	nlh->nlmsg_len = m->len;
	nlh->nlmsg_type = below(32) ? family : (uint16_t)rnd();
	nlh->nlmsg_flags = *flags;
	nlh->nlmsg_seq = seq;
	return m->len;
}

/* Read what came back; 1 if an ack said 0 (accepted), else 0. */
static int drain(int fd, bool abandon)
{
	static unsigned char buf[MSG_MAX];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int accepted = 0, rounds = 0;
	ssize_t n;

	/* genl answers within sendmsg: what is not queued now never comes */
	while (poll(&p, 1, 0) > 0) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			break;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_ERROR &&
			    !((struct nlmsgerr *)NLMSG_DATA(h))->error)
				accepted = 1;
			if (h->nlmsg_type >= NLMSG_MIN_TYPE &&
			    !(h->nlmsg_flags & NLM_F_MULTI))
				accepted = 1;	/* a do's reply */
		}
		if (abandon && ++rounds > 1)
			break;		/* a dump left half-read */
		rounds++;
	}
	return accepted;
}

FIXTURE(nl) {
	int unused;
};

FIXTURE_SETUP(nl)
{
	self->unused = 0;
}

FIXTURE_TEARDOWN(nl)
{
}

TEST_F_TIMEOUT(nl, fuzz_family, 1800)
{
	const char *env_n = getenv("PBNL_FUZZ_MSGS");
	const char *env_seed = getenv("PBNL_FUZZ_SEED");
	unsigned long total = env_n ? strtoul(env_n, NULL, 0) : 100000;
	unsigned long seed = env_seed ? strtoul(env_seed, NULL, 0) : 1;
	const char *ko = getenv("PBNL_KO") ? getenv("PBNL_KO") :
		"/opt/pciback-nl/pciback_nl.ko";
	unsigned long i, sent = 0, cut = 0, abandoned = 0, moved_ok = 0, refused = 0;
	static char named[MAX_DEVS];	/* named by an accepted move */
	static struct snap before, after;
	static struct msg m;
	struct pbnl_sock s;
	bool bad = false;

	rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	TH_LOG("seed %lu, %lu messages (PBNL_FUZZ_SEED, PBNL_FUZZ_MSGS)", seed, total);
	snapshot(&before);
	ASSERT_LT((size_t)0, before.n);
	ASSERT_EQ(0, pbnl_open(&s));
	for (i = 0; i < total; i++) {
		uint8_t cmd;
		uint16_t flags;
		size_t len = build(&m, s.family, ++s.seq, &before, &cmd, &flags);
		bool abandon = (flags & NLM_F_DUMP) && !below(4);
		int accepted;

		if (!below(20)) {	/* cut short: header longer than the data */
			len = below(len);
			cut++;
		}
		/* the kernel may refuse a message at send time: counted */
		if (send(s.fd, m.buf, len, 0) < 0) {
			if (errno == EBADF || errno == EFAULT || errno == ENOTSOCK) {
				TH_LOG("send %lu: %s", i, strerror(errno));
				bad = true;
				break;
			}
			refused++;
		}
		sent++;
		accepted = drain(s.fd, abandon);
		if (accepted && (cmd == PCIBACK_CMD_DEV_HIDE ||
				 cmd == PCIBACK_CMD_DEV_UNHIDE)) {
			/* any name in it may have moved */
			moved_ok++;
			for (size_t k = 0; k < before.n; k++)
				if (memmem(m.buf, len, before.name[k], 12))
					named[k] = 1;
		}
		if (abandon || !below(500)) {
			abandoned += abandon;
			pbnl_close(&s);
			ASSERT_EQ(0, pbnl_open(&s));
		}
	}
	pbnl_close(&s);
	TH_LOG("sent %lu (%lu cut short, %lu refused at send, %lu dumps abandoned), %lu moves accepted",
	       sent, cut, refused, abandoned, moved_ok);
	EXPECT_FALSE(bad);
	EXPECT_EQ(total, sent);

	snapshot(&after);
	ASSERT_EQ(before.n, after.n);
	ASSERT_EQ(0, pbnl_open(&s));
	for (size_t k = 0; k < before.n; k++) {
		struct pbnl_reply r;
		const char *n = before.name[k];

		if (!strcmp(before.drv[k], after.drv[k]))
			continue;
		if (!named[k]) {
			TH_LOG("%s: %s -> %s, but no accepted request named it",
			       n, before.drv[k], after.drv[k]);
			bad = true;
		}
		/* put it back */
		if (!strcmp(after.drv[k], "pciback"))
			pbnl_op(&s, PCIBACK_CMD_DEV_UNHIDE, &n, 1,
				PCIBACK_OP_FLAG_FORCE, &r);
		else
			pbnl_op(&s, PCIBACK_CMD_DEV_HIDE, &n, 1,
				PCIBACK_OP_FLAG_FORCE | PCIBACK_OP_FLAG_ALLOW_BRIDGE, &r);
		pbnl_reply_free(&r);
	}
	pbnl_close(&s);
	EXPECT_FALSE(bad);

	/* the module unloads and loads again */
	if (!access(ko, F_OK)) {
		char cmd[512];

		snprintf(cmd, sizeof(cmd), "rmmod pciback_nl && insmod %s", ko);
		EXPECT_EQ(0, system(cmd));
	}
}

TEST_HARNESS_MAIN
