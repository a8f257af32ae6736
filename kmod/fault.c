// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection for the hide/unhide transaction (test builds only).
 *
 * /sys/module/pciback_nl/parameters/fault takes "STEP:N": the step of the
 * N-th device (1-based, in request order) of the next operation fails with
 * -EIO, once.  STEP is record, override, release, attach or reattach.
 * Writing "" disarms it.  .../window_ms makes every hide and unhide wait
 * that long between releasing the drivers and attaching the targets, so a
 * test can race that window (a probe, a hot-remove).
 *
 * Locking: fault_lock protects the armed fault.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "fault.h"

static const char * const pbnl_fault_names[] = {
	[PBNL_FAULT_RECORD] = "record",
	[PBNL_FAULT_OVERRIDE] = "override",
	[PBNL_FAULT_RELEASE] = "release",
	[PBNL_FAULT_ATTACH] = "attach",
	[PBNL_FAULT_REATTACH] = "reattach",
};

static DEFINE_SPINLOCK(fault_lock);
static unsigned int fault_step;
static unsigned int fault_index;
static unsigned int window_ms;
module_param(window_ms, uint, 0600);
MODULE_PARM_DESC(window_ms, "test builds: pause between release and attach (ms)");

static int fault_set(const char *val, const struct kernel_param *kp)
{
	unsigned int i, index;
	char buf[32], *colon;

	strscpy(buf, val, sizeof(buf));
	strim(buf);
	if (!buf[0]) {
		spin_lock(&fault_lock);
		fault_step = 0;
		spin_unlock(&fault_lock);
		return 0;
	}
	colon = strchr(buf, ':');
	if (!colon || kstrtouint(colon + 1, 10, &index) || !index)
		return -EINVAL;
	*colon = '\0';
	for (i = 1; i < ARRAY_SIZE(pbnl_fault_names); i++) {
		if (!strcmp(buf, pbnl_fault_names[i])) {
			spin_lock(&fault_lock);
			fault_step = i;
			fault_index = index;
			spin_unlock(&fault_lock);
			return 0;
		}
	}
	return -EINVAL;
}

static int fault_get(char *buf, const struct kernel_param *kp)
{
	unsigned int step, index;

	spin_lock(&fault_lock);
	step = fault_step;
	index = fault_index;
	spin_unlock(&fault_lock);
	if (!step)
		return sysfs_emit(buf, "\n");
	return sysfs_emit(buf, "%s:%u\n", pbnl_fault_names[step], index);
}

static const struct kernel_param_ops fault_ops = {
	.set = fault_set,
	.get = fault_get,
};
module_param_cb(fault, &fault_ops, NULL, 0600);
MODULE_PARM_DESC(fault, "test builds: STEP:N fails STEP for the N-th device once");

int pbnl_fault(enum pbnl_fault_step step, unsigned int index)
{
	bool hit;

	spin_lock(&fault_lock);
	hit = fault_step == step && fault_index == index + 1;
	if (hit)
		fault_step = 0;
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
