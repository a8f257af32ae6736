/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault injection for the hide/unhide transaction, compiled in only for
 * test builds (make PBNL_FAULT_INJECT=y).  Production builds get empty
 * inlines and no module parameters.
 */
#ifndef PBNL_FAULT_H
#define PBNL_FAULT_H

enum pbnl_fault_step {
	PBNL_FAULT_RECORD = 1,	/* recording driver and driver_override */
	PBNL_FAULT_OVERRIDE,	/* setting driver_override */
	PBNL_FAULT_RELEASE,	/* releasing the bound driver */
	PBNL_FAULT_ATTACH,	/* attaching the new driver */
	PBNL_FAULT_REATTACH,	/* giving a device back during a rollback */
};

#ifdef PBNL_FAULT_INJECT
int pbnl_fault(enum pbnl_fault_step step, unsigned int index);
void pbnl_fault_window(void);
void pbnl_fault_queued(void);
struct device;
void pbnl_fault_contend(struct device *dev);
#else
static inline int pbnl_fault(enum pbnl_fault_step step, unsigned int index)
{
	return 0;
}

static inline void pbnl_fault_window(void)
{
}

static inline void pbnl_fault_queued(void)
{
}

struct device;
static inline void pbnl_fault_contend(struct device *dev)
{
}
#endif

#endif /* PBNL_FAULT_H */
