// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection for the hide/unhide transaction (test builds only).
 *
 * /sys/module/pciback_nl/parameters/fault takes "STEP:N": the step of the
 * N-th device (1-based, in request order) of the next operation fails with
 * -EIO, once.  STEP is record, override, release, attach or reattach.  Up
 * to four, separated by commas, are armed at once (a failed step and then
 * a failed reattach in the rollback).  Writing "" disarms them all.
 * .../window_ms makes every hide and unhide wait that long between
 * releasing the drivers and attaching the targets, so a test can race that
 * window (a probe, a hot-remove).  .../queue_ms makes the concurrent
 * steps wait that long after queueing each chain of functions, so that a
 * chain can finish before the next is queued.  .../contend_ms makes
 * every attempt of a task with a signal pending to take a device lock for
 * a report (pbnl_dev_put()) find it held that long by a worker, so that a
 * test can check that a signal does not cut a report short.
 *
 * Locking: fault_lock protects the armed faults; steps taken concurrently
 * (hide.c) check them under it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "compat.h"
#include "fault.h"

static const char * const pbnl_fault_names[] = {
	[PBNL_FAULT_RECORD] = "record",
	[PBNL_FAULT_OVERRIDE] = "override",
	[PBNL_FAULT_RELEASE] = "release",
	[PBNL_FAULT_ATTACH] = "attach",
	[PBNL_FAULT_REATTACH] = "reattach",
};

#define PBNL_FAULT_MAX 4

/* An armed fault: @step of the @index-th device (1-based); step 0: free. */
struct pbnl_fault_slot {
	unsigned int step;
	unsigned int index;
};

static DEFINE_SPINLOCK(fault_lock);
static struct pbnl_fault_slot faults[PBNL_FAULT_MAX];
static unsigned int window_ms;
module_param(window_ms, uint, 0600);
MODULE_PARM_DESC(window_ms, "test builds: pause between release and attach (ms)");

static unsigned int contend_ms;
module_param(contend_ms, uint, 0600);
MODULE_PARM_DESC(contend_ms, "test builds: hold a device lock that long when a task with a signal pending is about to take it (ms)");

static unsigned int queue_ms;
module_param(queue_ms, uint, 0600);
MODULE_PARM_DESC(queue_ms, "test builds: pause after queueing each chain of a concurrent step (ms)");

static int fault_parse(char *item, struct pbnl_fault_slot *f)
{
	char *colon = strchr(item, ':');
	unsigned int i;

	if (!colon || kstrtouint(colon + 1, 10, &f->index) || !f->index)
		return -EINVAL;
	*colon = '\0';
	for (i = 1; i < ARRAY_SIZE(pbnl_fault_names); i++) {
		if (!strcmp(item, pbnl_fault_names[i])) {
			f->step = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* "STEP:N[,STEP:N...]" arms them all (at most PBNL_FAULT_MAX); "" none. */
static int fault_set(const char *val, const struct kernel_param *kp)
{
	struct pbnl_fault_slot armed[PBNL_FAULT_MAX] = { };
	char buf[128], *cur, *item;
	unsigned int n = 0;

	if (strscpy(buf, val, sizeof(buf)) < 0)
		return -EINVAL;
	cur = strim(buf);
	while ((item = strsep(&cur, ",")) && *item) {
		if (n == PBNL_FAULT_MAX || fault_parse(item, &armed[n]))
			return -EINVAL;
		n++;
	}
	if (item && !*item && (n || cur))
		return -EINVAL;	/* an empty item: "a:1,", ",a:1", "a:1,,b:2" */
	spin_lock(&fault_lock);
	memcpy(faults, armed, sizeof(faults));
	spin_unlock(&fault_lock);
	return 0;
}

static int fault_get(char *buf, const struct kernel_param *kp)
{
	struct pbnl_fault_slot armed[PBNL_FAULT_MAX];
	unsigned int i;
	int len = 0;

	spin_lock(&fault_lock);
	memcpy(armed, faults, sizeof(armed));
	spin_unlock(&fault_lock);
	for (i = 0; i < PBNL_FAULT_MAX; i++) {
		if (!armed[i].step)
			continue;
		len += sysfs_emit_at(buf, len, "%s%s:%u", len ? "," : "",
				     pbnl_fault_names[armed[i].step],
				     armed[i].index);
	}
	return len + sysfs_emit_at(buf, len, "\n");
}

static const struct kernel_param_ops fault_ops = {
	.set = fault_set,
	.get = fault_get,
};
module_param_cb(fault, &fault_ops, NULL, 0600);
MODULE_PARM_DESC(fault,
		 "test builds: STEP:N[,STEP:N...] fails STEP for the N-th device, each once");

int pbnl_fault(enum pbnl_fault_step step, unsigned int index)
{
	bool hit = false;
	unsigned int i;

	spin_lock(&fault_lock);
	for (i = 0; i < PBNL_FAULT_MAX && !hit; i++) {
		if (faults[i].step == step && faults[i].index == index + 1) {
			faults[i].step = 0;
			hit = true;
		}
	}
	spin_unlock(&fault_lock);
	if (hit)
		pr_info("injecting a fault at %s of device %u\n",
			pbnl_fault_names[step], index + 1);
	return hit ? -EIO : 0;
}

void pbnl_fault_window(void)
{
	unsigned int ms = READ_ONCE(window_ms);

	if (ms)
		msleep(ms);
}

void pbnl_fault_queued(void)
{
	unsigned int ms = READ_ONCE(queue_ms);

	if (ms)
		msleep(ms);
}

struct pbnl_contend {
	struct work_struct work;
	struct device *dev;
	struct completion held;
	unsigned int ms;
};

static void pbnl_contend_work(struct work_struct *work)
{
	struct pbnl_contend *c = container_of(work, struct pbnl_contend, work);
	struct device *dev = c->dev;
	unsigned int ms = c->ms;

	device_lock(dev);
	complete(&c->held);	/* c belongs to the waiter from here */
	msleep(ms);
	device_unlock(dev);
	put_device(dev);
}

void pbnl_fault_contend(struct device *dev)
{
	unsigned int ms = READ_ONCE(contend_ms);
	struct pbnl_contend *c;

	if (!ms || !signal_pending(current))
		return;
	c = kzalloc_obj(*c, GFP_KERNEL);
	if (!c)
		return;
	INIT_WORK(&c->work, pbnl_contend_work);
	init_completion(&c->held);
	c->dev = get_device(dev);
	c->ms = ms;
	pr_info("holding the device lock of %s for %u ms\n", dev_name(dev), ms);
	schedule_work(&c->work);
	wait_for_completion(&c->held);
	kfree(c);
}
