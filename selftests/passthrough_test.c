// SPDX-License-Identifier: GPL-2.0
/*
 * End to end, in a Xen dom0 with the real xl toolstack: pcibackctl hides a
 * device, a PV guest gets it (pci = [...]), binds its driver and reports
 * what it saw; after the guest, pcibackctl unhide gives the device back to
 * its dom0 driver, which must be able to use it (DMA included).  Also a
 * whole multifunction group (the ICH9 USB controller) and a device that
 * was never hidden, which xl must refuse.
 *
 * The guest is the kit that selftests/vm/guest-kit.sh puts in
 * $PBNL_DIR/guest (default /opt/pciback-nl/guest): a kernel and a busybox
 * initramfs whose /init (selftests/vm/guest-init.sh) prints
 * "PBNL-GUEST: ..." lines on its console, which xenconsoled logs.  Without
 * the kit, xl or a logging xenconsoled the tests skip.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "kselftest_harness.h"
#include "pbnl.h"

/* Bounds, in seconds, for every wait of these tests (TCG is slow). */
#define XL_CREATE_S	90	/* xl create, until it returns */
#define GUEST_RUN_S	150	/* from xl create to the guest's last line */
/*
 * The debug kernels of make debug-vmtest (kmemleak, lockdep) are the PV
 * guest too, and boot several times slower under TCG in its 256 MiB.
 */
#define GUEST_RUN_DEBUG_S	450
#define XL_DESTROY_S	90	/* xl destroy: 10 s per function it waits for */
#define GUEST_LINGER_S	120	/* a lingering guest powers off after this */

#define OUT_MAX		65536
#define GUEST_DEVS	8

struct run {
	int status;		/* exit status; -1: did not run, or timed out */
	bool timed_out;
	double secs;
	char out[OUT_MAX];	/* stdout and stderr, in order */
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * Run "sh -c CMD" for at most @timeout_s seconds, its output (both
 * streams) into r->out.  On timeout its whole process group is killed.
 * Output goes through a file, not a pipe: "xl create" leaves a daemon
 * behind that would hold a pipe open.
 */
static void run_cmd(struct run *r, int timeout_s, const char *fmt, ...)
{
	char cmd[4096], tmpl[] = "/tmp/pbnl-pt-out.XXXXXX";
	double t0 = now_s();
	va_list ap;
	ssize_t n;
	pid_t pid;
	int fd, st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	r->status = -1;
	r->timed_out = false;
	r->out[0] = '\0';
	fd = mkstemp(tmpl);
	if (fd < 0)
		return;
	unlink(tmpl);
	pid = fork();
	if (pid < 0) {
		close(fd);
		return;
	}
	if (!pid) {
		setpgid(0, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, 0);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid) {
			r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
			break;
		}
		if (w < 0)
			break;
		if (now_s() - t0 > timeout_s) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			r->timed_out = true;
			break;
		}
		usleep(50000);
	}
	r->secs = now_s() - t0;
	n = pread(fd, r->out, sizeof(r->out) - 1, 0);
	r->out[n > 0 ? n : 0] = '\0';
	close(fd);
}

static const char *kit_dir(void)
{
	static char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/guest",
		 getenv("PBNL_DIR") ? getenv("PBNL_DIR") : "/opt/pciback-nl");
	return dir;
}

/* First entry of /sys/bus/pci/devices/BDF/SUB* ("net/" for an interface,
 * "usb" for a USB bus), "" if none.
 */
static const char *child_of(const char *bdf, const char *sub, char *buf,
			    size_t len)
{
	char path[PATH_MAX], *slash;
	const char *prefix = "";
	struct dirent *de;
	DIR *d;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, sub);
	slash = strrchr(path, '/');
	if (sub[strlen(sub) - 1] != '/') {
		prefix = sub;
		*slash = '\0';
	}
	d = opendir(path);
	if (!d)
		return buf;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(buf, len, "%s", de->d_name);
		break;
	}
	closedir(d);
	return buf;
}

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, len, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
}

/* "vvvv:dddd" of @bdf, as the guest prints it. */
static void ids_of(const char *bdf, char *buf, size_t len)
{
	char path[PATH_MAX], v[32], d[32];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", bdf);
	read_line(path, v, sizeof(v));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", bdf);
	read_line(path, d, sizeof(d));
	snprintf(buf, len, "%s:%s", v + (v[0] == '0' && v[1] == 'x' ? 2 : 0),
		 d + (d[0] == '0' && d[1] == 'x' ? 2 : 0));
}

/* MAC address of the network interface of @bdf, "" if none. */
static void mac_of(const char *bdf, char *buf, size_t len)
{
	char ifn[IF_NAMESIZE + 1], path[PATH_MAX];

	buf[0] = '\0';
	if (!child_of(bdf, "net/", ifn, sizeof(ifn))[0])
		return;
	snprintf(path, sizeof(path), "/sys/class/net/%s/address", ifn);
	read_line(path, buf, len);
}

/*
 * Where xenconsoled writes guest consoles, or NULL if it does not run with
 * --log=guest (or all).
 */
static const char *console_log_dir(void)
{
	static char dir[PATH_MAX];
	struct dirent *de;
	DIR *proc = opendir("/proc");
	bool found = false;

	if (!proc)
		return NULL;
	while (!found && (de = readdir(proc))) {
		char path[PATH_MAX], args[4096];
		bool logs = false;
		size_t i, n;
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		n = fread(args, 1, sizeof(args) - 1, f);
		fclose(f);
		args[n] = '\0';
		if (!strstr(args, "xenconsoled"))
			continue;
		snprintf(dir, sizeof(dir), "/var/log/xen/console");
		for (i = 0; i < n; i += strlen(args + i) + 1) {
			const char *a = args + i;

			if (!strcmp(a, "--log=guest") || !strcmp(a, "--log=all"))
				logs = true;
			else if (!strncmp(a, "--log-dir=", 10))
				snprintf(dir, sizeof(dir), "%s", a + 10);
		}
		found = logs;
	}
	closedir(proc);
	return found ? dir : NULL;
}

/* What the guest said about one PCI function. */
struct gdev {
	char bdf[32], ids[16], class[16], driver[32], net[32], mac[32], usb[16];
};

struct guest {
	char name[32];
	char cfg[PATH_MAX];
	char log[PATH_MAX];
	char console[OUT_MAX];
	bool begun, ended;
	int ndev_said;		/* from "ndev N", -1 if absent */
	struct gdev dev[GUEST_DEVS];
	int ndev;		/* "dev" lines */
};

/* Copy the word after "KEY=" in @line to @out. */
static void field(const char *line, const char *key, char *out, size_t len)
{
	const char *p = strstr(line, key);

	out[0] = '\0';
	if (p)
		snprintf(out, len, "%.*s", (int)strcspn(p + strlen(key), "\n "),
			 p + strlen(key));
}

static void guest_read_console(struct guest *g)
{
	int fd = open(g->log, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? 0 : read(fd, g->console, sizeof(g->console) - 1);
	char *line, *save = NULL, buf[OUT_MAX];

	if (fd >= 0)
		close(fd);
	g->console[n > 0 ? n : 0] = '\0';
	g->begun = strstr(g->console, "PBNL-GUEST: begin");
	g->ended = strstr(g->console, "PBNL-GUEST: end");
	g->ndev = 0;
	g->ndev_said = -1;
	memcpy(buf, g->console, sizeof(buf));
	for (line = strtok_r(buf, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		struct gdev *d;

		if (!strncmp(line, "PBNL-GUEST: ndev ", 17)) {
			g->ndev_said = atoi(line + 17);
			continue;
		}
		if (strncmp(line, "PBNL-GUEST: dev ", 16) || g->ndev >= GUEST_DEVS)
			continue;
		d = &g->dev[g->ndev++];
		snprintf(d->bdf, sizeof(d->bdf), "%.*s", (int)strcspn(line + 16, " "),
			 line + 16);
		field(line, " id=", d->ids, sizeof(d->ids));
		field(line, " class=", d->class, sizeof(d->class));
		field(line, " driver=", d->driver, sizeof(d->driver));
		field(line, " net=", d->net, sizeof(d->net));
		field(line, " mac=", d->mac, sizeof(d->mac));
		field(line, " usb=", d->usb, sizeof(d->usb));
	}
}

/*
 * Write the xl configuration of PV guest @name with the functions @pci.
 * @linger: the guest waits that long after its report before it powers
 * off (0: at once).  Every shutdown is "preserve": the test destroys the
 * guest itself, rather than count on xl's background process.
 */
static int guest_config(struct guest *g, const char *logdir, const char *name,
			const char *const *pci, size_t n, int linger)
{
	FILE *f;
	size_t i;

	snprintf(g->name, sizeof(g->name), "%s", name);
	snprintf(g->cfg, sizeof(g->cfg), "/tmp/%s.cfg", name);
	snprintf(g->log, sizeof(g->log), "%s/guest-%s.log", logdir, name);
	unlink(g->log);
	f = fopen(g->cfg, "we");
	if (!f)
		return -errno;
	fprintf(f, "name = \"%s\"\ntype = \"pv\"\n", name);
	fprintf(f, "kernel = \"%s/vmlinuz\"\nramdisk = \"%s/initrd.img\"\n",
		kit_dir(), kit_dir());
	fprintf(f, "extra = \"console=hvc0 iommu=soft loglevel=1 pbnl.expect=%zu pbnl.linger=%d\"\n",
		n, linger);
	fprintf(f, "memory = 256\nvcpus = 1\n");
	fprintf(f, "on_poweroff = \"preserve\"\non_reboot = \"preserve\"\n");
	fprintf(f, "on_crash = \"preserve\"\npci = [");
	for (i = 0; i < n; i++)
		fprintf(f, "%s '%s'", i ? "," : "", pci[i]);
	fprintf(f, " ]\n");
	return fclose(f) ? -errno : 0;
}

/* State flags of domain @name from xl list ("r-----", "---s--"), "" if none. */
static const char *domain_state(const char *name)
{
	static char state[16];
	struct run *r = malloc(sizeof(*r));
	char *line;

	state[0] = '\0';
	if (!r)
		return state;
	run_cmd(r, 30, "xl list %s 2>/dev/null", name);
	line = strchr(r->out, '\n');
	if (!r->status && line &&
	    sscanf(line + 1, "%*s %*d %*d %*d %15s", state) != 1)
		state[0] = '\0';
	free(r);
	return state;
}

/* How long a guest may take to report: longer on a debug kernel. */
static int guest_run_s(void)
{
	return access("/sys/kernel/debug/kmemleak", F_OK) ? GUEST_RUN_S :
							  GUEST_RUN_DEBUG_S;
}

/*
 * Wait until the guest has said all (and, if @until_shutdown, has shut
 * down), crashed or gone, for at most guest_run_s() from @t0.
 */
static bool guest_wait(struct guest *g, double t0, bool until_shutdown)
{
	const char *st = "";

	while (now_s() - t0 < guest_run_s()) {
		guest_read_console(g);
		st = domain_state(g->name);
		if (!st[0] || strchr(st, 'c'))
			break;
		if (g->ended && (!until_shutdown || strchr(st, 's')))
			return true;
		usleep(500000);
	}
	guest_read_console(g);
	return false;
}

/*
 * Create guest @g and wait for it as guest_wait() does.  Under TCG a
 * guest now and then stalls in its boot, before its init prints anything
 * (seen on 6.12 in full runs on a loaded machine, never in a rerun): what
 * Xen says of it is logged, and it is destroyed and created once more.  A
 * second stall fails.  @t0 is set to the last xl create.
 * Return: 0, or -1 with the reason logged.
 */
static int guest_start(struct __test_metadata *_metadata, struct run *r,
		       struct guest *g, bool until_shutdown, double *t0)
{
	int try;

	for (try = 1; ; try++) {
		*t0 = now_s();
		run_cmd(r, XL_CREATE_S, "xl create %s", g->cfg);
		if (r->status) {
			TH_LOG("xl create: %s", r->out);
			return -1;
		}
		TH_LOG("%s: xl create %.1f s", g->name, r->secs);
		if (guest_wait(g, *t0, until_shutdown))
			return 0;
		TH_LOG("console of %s (%s):\n%s", g->name, g->log,
		       g->console[0] ? g->console : "(empty)");
		run_cmd(r, 30, "xl vcpu-list %s; xl dmesg | tail -n 15", g->name);
		TH_LOG("%s did not %s within %d s (state '%s'), try %d of 2:\n%s",
		       g->name, until_shutdown ? "finish and power off" : "report",
		       guest_run_s(), domain_state(g->name), try, r->out);
		if (try == 2)
			return -1;
		run_cmd(r, XL_DESTROY_S, "xl destroy %s", g->name);
		unlink(g->log);
	}
}

static bool domain_listed(const char *name)
{
	struct run *r = malloc(sizeof(*r));
	bool listed = true;
	char *p;

	if (!r)
		return true;
	run_cmd(r, 30, "xl list");
	if (!r->status) {
		/* a line starting with the name and a space */
		listed = false;
		for (p = r->out; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
			if (!strncmp(p, name, strlen(name)) && p[strlen(name)] == ' ')
				listed = true;
	}
	free(r);
	return listed;
}

/* Xen's IOMMU faults for @bdf since the last call (which cleared them). */
static int iommu_faults(const char *bdf)
{
	struct run *r = malloc(sizeof(*r));
	char needle[64], *p;
	int n = 0;

	if (!r)
		return -1;
	run_cmd(r, 30, "xl dmesg -c");
	snprintf(needle, sizeof(needle), "[%s] fault", bdf);
	for (p = r->out; (p = strstr(p, needle)); p++)
		n++;
	free(r);
	return n;
}

static bool in_assignable_list(const char *bdf)
{
	struct run *r = malloc(sizeof(*r));
	bool in;

	if (!r)
		return false;
	run_cmd(r, 30, "xl pci-assignable-list");
	in = !r->status && strstr(r->out, bdf);
	free(r);
	return in;
}

#define NGUESTS 3

FIXTURE(passthrough) {
	struct pbnl_sock s;
	struct run r;
	const char *logdir;
	char nic[PBNL_STR_MAX];		/* an e1000e alone below a root port */
	char nic_drv[PBNL_STR_MAX];
	char nic_mac[32];
	char guests[NGUESTS][32];	/* for the teardown to destroy */
	bool hidden_nic, hidden_usb;
};

static const char *const usb[] = {
	"0000:00:1d.0", "0000:00:1d.1", "0000:00:1d.2", "0000:00:1d.7",
};

/*
 * Whether @bdf sits alone below a root port: its own group on the test
 * bed (and on most machines with ACS), found from sysfs alone.
 */
static bool alone_below_root_port(const char *bdf)
{
	char link[PATH_MAX], real[PATH_MAX], *p, *parent;
	struct dirent *de;
	int depth = 0, siblings = 0;
	DIR *d;

	snprintf(link, sizeof(link), "/sys/bus/pci/devices/%s", bdf);
	if (!realpath(link, real))
		return false;
	/* /sys/devices/pci0000:00/0000:00:04.0/0000:03:00.0 */
	p = strstr(real, "/pci");
	for (p = p ? strchr(p + 1, '/') : NULL; p; p = strchr(p + 1, '/'))
		depth++;
	if (depth != 2)
		return false;
	parent = strrchr(real, '/');
	*parent = '\0';
	d = opendir(real);
	if (!d)
		return false;
	while ((de = readdir(d)))
		if (strlen(de->d_name) == 12 && de->d_name[4] == ':' && de->d_name[7] == ':')
			siblings++;
	closedir(d);
	return siblings == 1;
}

FIXTURE_SETUP(passthrough)
{
	struct pbnl_reply dump;
	char path[PATH_MAX];
	size_t i;

	self->nic[0] = '\0';
	if (!pbnl_running_on_xen_dom0())
		SKIP(return, "needs a Xen dom0");
	if (access("/sys/bus/pci/drivers/pciback", F_OK))
		SKIP(return, "xen-pciback is not loaded");
	snprintf(path, sizeof(path), "%s/vmlinuz", kit_dir());
	if (access(path, R_OK))
		SKIP(return, "no guest kit in %s (selftests/vm/guest-kit.sh)", kit_dir());
	snprintf(path, sizeof(path), "%s/initrd.img", kit_dir());
	if (access(path, R_OK))
		SKIP(return, "no guest kit in %s (selftests/vm/guest-kit.sh)", kit_dir());
	run_cmd(&self->r, 30, "xl info");
	if (self->r.status)
		SKIP(return, "xl info fails: %.200s", self->r.out);
	self->logdir = console_log_dir();
	if (!self->logdir)
		SKIP(return, "xenconsoled does not log guest consoles (--log=guest)");

	ASSERT_EQ(0, pbnl_open(&self->s));
	ASSERT_EQ(0, pbnl_dump(&self->s, &dump));
	for (i = 0; i < dump.ndevs && !self->nic[0]; i++) {
		const struct pbnl_dev *d = &dump.devs[i];

		if (d->has_driver && !strcmp(d->driver, "e1000e") &&
		    alone_below_root_port(d->name)) {
			snprintf(self->nic, sizeof(self->nic), "%s", d->name);
			snprintf(self->nic_drv, sizeof(self->nic_drv), "%s", d->driver);
		}
	}
	if (!self->nic[0]) {
		/* what there is instead, and what the kernel said */
		for (i = 0; i < dump.ndevs; i++)
			TH_LOG("%s: driver '%s'%s, alone below a root port: %s",
			       dump.devs[i].name,
			       dump.devs[i].has_driver ? dump.devs[i].driver : "",
			       dump.devs[i].hidden ? ", hidden" : "",
			       alone_below_root_port(dump.devs[i].name) ? "yes" : "no");
		run_cmd(&self->r, 30, "dmesg | tail -n 30");
		TH_LOG("dmesg:\n%s", self->r.out);
	}
	pbnl_reply_free(&dump);
	ASSERT_NE(0, self->nic[0]) TH_LOG("no e1000e alone below a root port");
	mac_of(self->nic, self->nic_mac, sizeof(self->nic_mac));
	ASSERT_NE(0, self->nic_mac[0]) TH_LOG("%s has no network interface", self->nic);
}

/* No guest left running, nothing left hidden. */
FIXTURE_TEARDOWN(passthrough)
{
	const char *names[4];
	struct pbnl_reply r;
	size_t i;

	if (!self->nic[0])
		return;
	for (i = 0; i < NGUESTS; i++) {
		if (self->guests[i][0] && domain_state(self->guests[i])[0])
			run_cmd(&self->r, XL_DESTROY_S, "xl destroy %s", self->guests[i]);
	}
	if (self->hidden_nic) {
		names[0] = self->nic;
		if (pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, names, 1,
			    PCIBACK_OP_FLAG_FORCE, &r) || r.err)
			TH_LOG("teardown: unhide %s: %d %s", self->nic, r.err, r.msg);
		pbnl_reply_free(&r);
	}
	if (self->hidden_usb) {
		for (i = 0; i < 4; i++)
			names[i] = usb[i];
		if (pbnl_op(&self->s, PCIBACK_CMD_DEV_UNHIDE, names, 4,
			    PCIBACK_OP_FLAG_FORCE, &r) || r.err)
			TH_LOG("teardown: unhide of the USB group: %d %s", r.err, r.msg);
		pbnl_reply_free(&r);
	}
	pbnl_close(&self->s);
}

static void log_console(struct __test_metadata *_metadata, const struct guest *g)
{
	TH_LOG("console of %s (%s):\n%s", g->name, g->log,
	       g->console[0] ? g->console : "(empty)");
}

/*
 * A device still bound to its dom0 driver: xl create fails and says why,
 * no domain is left, and the device keeps its driver and interface and
 * works.  pcibackctl says it is not pciback's and what hide would do.
 * First, while no guest has had the device: its DMA check is the control
 * for the ones after a guest.
 */
TEST_F_TIMEOUT(passthrough, device_not_hidden_is_refused, 240)
{
	const char *pci[1] = { self->nic };
	const struct jval *v;
	const char *err = NULL;
	char want[256], mac[32], ifn[IF_NAMESIZE + 1];
	struct jval *doc;
	struct guest *g;

	g = calloc(1, sizeof(*g));
	ASSERT_NE(NULL, g);
	run_cmd(&self->r, 60, "pcibackctl -j show %s", self->nic);
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.out);
	doc = json_parse(self->r.out, &err);
	ASSERT_NE(NULL, doc) TH_LOG("not JSON (%s): %s", err, self->r.out);
	ASSERT_TRUE(doc->type == J_ARR && doc->n == 1);
	v = json_get(&doc->kids[0], "pciback");
	EXPECT_TRUE(v && v->type == J_BOOL && !v->b);
	v = json_get(&doc->kids[0], "hidden");
	EXPECT_TRUE(v && v->type == J_BOOL && !v->b);
	v = json_get(&doc->kids[0], "driver");
	EXPECT_TRUE(v && v->type == J_STR && !strcmp(v->str, self->nic_drv));
	json_free(doc);

	run_cmd(&self->r, 60, "pcibackctl hide -n %s", self->nic);
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.out);
	snprintf(want, sizeof(want), "%s %s -> pciback (dry run)", self->nic, self->nic_drv);
	EXPECT_NE(NULL, strstr(self->r.out, want)) TH_LOG("%s", self->r.out);
	EXPECT_STREQ(self->nic_drv, pbnl_drv(self->nic));
	EXPECT_FALSE(in_assignable_list(self->nic));

	ASSERT_EQ(0, guest_config(g, self->logdir, "pbnl-pt-refused", pci, 1, 0));
	snprintf(self->guests[2], sizeof(self->guests[2]), "%s", g->name);
	run_cmd(&self->r, XL_CREATE_S, "xl create %s", g->cfg);
	EXPECT_FALSE(self->r.timed_out);
	EXPECT_NE(0, self->r.status) TH_LOG("xl create: %s", self->r.out);
	EXPECT_NE(NULL, strstr(self->r.out, "is not assignable")) TH_LOG("%s", self->r.out);
	TH_LOG("xl create failed in %.1f s, status %d", self->r.secs, self->r.status);
	EXPECT_FALSE(domain_listed(g->name));
	guest_read_console(g);
	EXPECT_FALSE(g->begun) log_console(_metadata, g);

	/* nothing moved, and it still works */
	EXPECT_STREQ(self->nic_drv, pbnl_drv(self->nic));
	mac_of(self->nic, mac, sizeof(mac));
	EXPECT_STREQ(self->nic_mac, mac);
	ASSERT_NE(0, child_of(self->nic, "net/", ifn, sizeof(ifn))[0]);
	iommu_faults(self->nic);
	ASSERT_EQ(0, pbnl_set_link(ifn, true));
	sleep(2);
	EXPECT_EQ(0, iommu_faults(self->nic));
	pbnl_set_link(ifn, false);
	free(g);
}

/*
 * The NIC goes to a guest and back: hidden with pcibackctl, passed through
 * with pci = [ 'BDF' ]; the guest sees it at 0000:00:00.0 with its ids and
 * MAC, binds e1000e and gets an interface, and powers off by itself.  Then
 * unhide gives it back to e1000e in dom0, interface and MAC included, and
 * the interface brought up does DMA without an IOMMU fault.
 */
TEST_F_TIMEOUT(passthrough, nic_to_pv_guest_and_back, 900)
{
	const char *pci[1] = { self->nic };
	char want[256], ids[16], mac[32], ifn[IF_NAMESIZE + 1];
	struct pbnl_reply get;
	struct guest *g;
	double t0, t_end;

	g = calloc(1, sizeof(*g));
	ASSERT_NE(NULL, g);
	ids_of(self->nic, ids, sizeof(ids));

	run_cmd(&self->r, 60, "pcibackctl hide %s", self->nic);
	self->hidden_nic = true;
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.out);
	snprintf(want, sizeof(want), "%s %s -> pciback", self->nic, self->nic_drv);
	EXPECT_NE(NULL, strstr(self->r.out, want)) TH_LOG("%s", self->r.out);
	ASSERT_STREQ("pciback", pbnl_drv(self->nic));
	EXPECT_TRUE(in_assignable_list(self->nic));

	ASSERT_EQ(0, guest_config(g, self->logdir, "pbnl-pt-nic", pci, 1, 0));
	snprintf(self->guests[0], sizeof(self->guests[0]), "%s", g->name);
	ASSERT_EQ(0, guest_start(_metadata, &self->r, g, true, &t0));
	t_end = now_s();
	TH_LOG("%s: reported and powered off %.1f s after xl create", g->name, t_end - t0);
	EXPECT_EQ(1, g->ndev_said) log_console(_metadata, g);
	ASSERT_EQ(1, g->ndev) log_console(_metadata, g);
	EXPECT_STREQ("0000:00:00.0", g->dev[0].bdf);
	EXPECT_STREQ(ids, g->dev[0].ids) log_console(_metadata, g);
	EXPECT_STREQ("e1000e", g->dev[0].driver) log_console(_metadata, g);
	EXPECT_NE(0, g->dev[0].net[0]) log_console(_metadata, g);
	EXPECT_STREQ(self->nic_mac, g->dev[0].mac);

	run_cmd(&self->r, XL_DESTROY_S, "xl destroy %s", g->name);
	EXPECT_EQ(0, self->r.status) TH_LOG("xl destroy: %s", self->r.out);
	TH_LOG("%s: xl destroy %.1f s", g->name, self->r.secs);
	EXPECT_FALSE(domain_listed(g->name));

	/* xl gave it back to xen-pciback; no guest has it any more */
	EXPECT_STREQ("pciback", pbnl_drv(self->nic));
	EXPECT_TRUE(in_assignable_list(self->nic));
	ASSERT_EQ(0, pbnl_get(&self->s, self->nic, &get));
	ASSERT_EQ((size_t)1, get.ndevs);
	EXPECT_TRUE(get.devs[0].hidden);
	EXPECT_FALSE(get.devs[0].has_guest_domid);
	pbnl_reply_free(&get);

	iommu_faults(self->nic);
	run_cmd(&self->r, 60, "pcibackctl unhide %s", self->nic);
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.out);
	snprintf(want, sizeof(want), "%s pciback -> %s", self->nic, self->nic_drv);
	EXPECT_NE(NULL, strstr(self->r.out, want)) TH_LOG("%s", self->r.out);
	if (!self->r.status)
		self->hidden_nic = false;
	EXPECT_STREQ(self->nic_drv, pbnl_drv(self->nic));
	mac_of(self->nic, mac, sizeof(mac));
	EXPECT_STREQ(self->nic_mac, mac);
	ASSERT_NE(0, child_of(self->nic, "net/", ifn, sizeof(ifn))[0]);

	/* dom0's driver can use it: the receive ring is fetched by DMA */
	ASSERT_EQ(0, pbnl_set_link(ifn, true));
	sleep(2);
	EXPECT_EQ(0, iommu_faults(self->nic))
		TH_LOG("Xen blocked DMA of %s after unhide: the device is still in Xen's quarantine (dom_io), where xl put it when the guest ended",
		       self->nic);
	pbnl_set_link(ifn, false);
	free(g);
}

/*
 * The ICH9 USB controller, a group of four functions (00:1d.0-2 UHCI,
 * 00:1d.7 EHCI): check names all four, hide --with-group takes them, one
 * guest gets them (four pci entries), sees four functions and binds
 * uhci_hcd and ehci-pci, each with a USB bus; while it runs pcibackctl
 * names its domain.  After it, unhide gives all four back to their dom0
 * drivers, which start their buses without an IOMMU fault.
 */
TEST_F_TIMEOUT(passthrough, usb_group_to_pv_guest_and_back, 900)
{
	char drv[4][PBNL_STR_MAX], ids[4][16], want[256], bus[32];
	const struct jval *members;
	const char *err = NULL;
	struct pbnl_reply get;
	unsigned int domid;
	struct jval *doc;
	struct guest *g;
	size_t i, k;
	double t0;
	int faults;

	if (access("/sys/bus/pci/devices/0000:00:1d.7", F_OK))
		SKIP(return, "no multifunction USB controller at 00:1d in this topology");
	g = calloc(1, sizeof(*g));
	ASSERT_NE(NULL, g);
	for (i = 0; i < 4; i++) {
		snprintf(drv[i], sizeof(drv[i]), "%s", pbnl_drv(usb[i]));
		ASSERT_NE(0, drv[i][0]) TH_LOG("%s has no driver", usb[i]);
		ids_of(usb[i], ids[i], sizeof(ids[i]));
	}

	/* the tool names the whole group */
	run_cmd(&self->r, 60, "pcibackctl -j check 00:1d.0 2>/dev/null");
	EXPECT_TRUE(self->r.status == 0 || self->r.status == 3)
		TH_LOG("check: status %d: %s", self->r.status, self->r.out);
	doc = json_parse(self->r.out, &err);
	ASSERT_NE(NULL, doc) TH_LOG("not JSON (%s): %s", err, self->r.out);
	members = json_get(doc, "members");
	ASSERT_TRUE(members && members->type == J_ARR);
	EXPECT_EQ((size_t)4, members->n) TH_LOG("%s", self->r.out);
	for (i = 0; i < 4; i++) {
		bool seen = false;

		for (k = 0; k < members->n; k++) {
			const struct jval *name = json_get(&members->kids[k], "name");

			if (name && name->type == J_STR && !strcmp(name->str, usb[i]))
				seen = true;
		}
		EXPECT_TRUE(seen) TH_LOG("check does not name %s: %s", usb[i], self->r.out);
	}
	json_free(doc);

	run_cmd(&self->r, 60, "pcibackctl hide --with-group 00:1d.0");
	self->hidden_usb = true;
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.out);
	for (i = 0; i < 4; i++) {
		snprintf(want, sizeof(want), "%s %s -> pciback", usb[i], drv[i]);
		EXPECT_NE(NULL, strstr(self->r.out, want)) TH_LOG("%s", self->r.out);
		EXPECT_STREQ("pciback", pbnl_drv(usb[i]));
	}

	/* the guest lingers after its report: xl destroy is quicker with
	 * pcifront still connected (10 s less per function)
	 */
	ASSERT_EQ(0, guest_config(g, self->logdir, "pbnl-pt-usb", usb, 4, GUEST_LINGER_S));
	snprintf(self->guests[1], sizeof(self->guests[1]), "%s", g->name);
	ASSERT_EQ(0, guest_start(_metadata, &self->r, g, false, &t0));
	TH_LOG("%s: reported %.1f s after xl create", g->name, now_s() - t0);

	/* while the guest has them, the tool says whose they are */
	run_cmd(&self->r, 30, "xl domid %s", g->name);
	ASSERT_EQ(0, self->r.status);
	domid = strtoul(self->r.out, NULL, 10);
	ASSERT_EQ(0, pbnl_get(&self->s, usb[3], &get));
	ASSERT_EQ((size_t)1, get.ndevs);
	EXPECT_TRUE(get.devs[0].has_guest_domid);
	EXPECT_EQ(domid, get.devs[0].guest_domid);
	pbnl_reply_free(&get);

	EXPECT_EQ(4, g->ndev_said) log_console(_metadata, g);
	ASSERT_EQ(4, g->ndev) log_console(_metadata, g);
	for (i = 0; i < 4; i++) {
		const struct gdev *d = NULL;

		/* pciback keeps the functions of a slot together, numbers kept */
		snprintf(want, sizeof(want), "0000:00:00.%c", usb[i][11]);
		for (k = 0; k < 4; k++)
			if (!strcmp(g->dev[k].bdf, want))
				d = &g->dev[k];
		EXPECT_NE(NULL, d) log_console(_metadata, g);
		if (!d)
			continue;
		EXPECT_STREQ(ids[i], d->ids) log_console(_metadata, g);
		EXPECT_STREQ(drv[i], d->driver) log_console(_metadata, g);
		EXPECT_NE(0, d->usb[0]) TH_LOG("%s: no USB bus in the guest", d->bdf);
	}

	run_cmd(&self->r, XL_DESTROY_S, "xl destroy %s", g->name);
	EXPECT_EQ(0, self->r.status) TH_LOG("xl destroy: %s", self->r.out);
	TH_LOG("%s: xl destroy %.1f s", g->name, self->r.secs);
	EXPECT_FALSE(domain_listed(g->name));
	for (i = 0; i < 4; i++) {
		EXPECT_STREQ("pciback", pbnl_drv(usb[i]));
		EXPECT_TRUE(in_assignable_list(usb[i]));
	}

	for (i = 0; i < 4; i++)
		iommu_faults(usb[i]);
	run_cmd(&self->r, 60, "pcibackctl unhide '00:1d.*'");
	EXPECT_EQ(0, self->r.status) TH_LOG("%s", self->r.out);
	if (!self->r.status)
		self->hidden_usb = false;
	sleep(2);
	for (i = 0, faults = 0; i < 4; i++) {
		snprintf(want, sizeof(want), "%s pciback -> %s", usb[i], drv[i]);
		EXPECT_NE(NULL, strstr(self->r.out, want)) TH_LOG("%s", self->r.out);
		EXPECT_STREQ(drv[i], pbnl_drv(usb[i]));
		EXPECT_NE(0, child_of(usb[i], "usb", bus, sizeof(bus))[0])
			TH_LOG("%s: no USB bus in dom0", usb[i]);
		faults += iommu_faults(usb[i]);
	}
	/* the host controllers fetch their schedules by DMA at once */
	EXPECT_EQ(0, faults)
		TH_LOG("Xen blocked DMA of the USB functions after unhide: they are still in Xen's quarantine (dom_io), where xl put them when the guest ended");
	free(g);
}

TEST_HARNESS_MAIN
