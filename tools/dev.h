/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dev.h - the device record: one PCI function as pciback_nl reports it;
 * the result record: what dev-hide or dev-unhide did to one function; and
 * the group record: the devices that have to be assigned together.
 *
 * Filled by nl.c from PCIBACK_CMD_DEV_GET replies, dev-hide/dev-unhide
 * replies, group-get replies and "monitor" notifications; rendered by
 * output.c.
 */
#ifndef PCIBACKCTL_DEV_H
#define PCIBACKCTL_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <linux/pciback_nl.h>

/* At most this many reset methods are kept; the kernel knows fewer than 10. */
#define PB_DEV_RESET_METHODS_MAX 16
/* At most this many warnings are kept per result. */
#define PB_RESULT_WARNINGS_MAX 16
/* At most this many reasons are kept per group member (one per rule). */
#define PB_MEMBER_REASONS_MAX 16
/* At most this many verdict reasons are kept per group. */
#define PB_GROUP_VERDICT_REASONS_MAX 256

struct pb_dev {
	char name[PCIBACK_DEV_NAME_MAX];	/* "0000:03:00.0" */
	/* bit (1u << PCIBACK_A_DEV_x) set when that u32 attribute was present */
	uint32_t has;
	uint32_t domain;
	uint32_t bus;
	uint32_t devfn;
	uint32_t vendor;
	uint32_t device;
	uint32_t subsystem_vendor;
	uint32_t subsystem_device;
	uint32_t class_code;		/* 24 bits: class, subclass, prog-if */
	uint32_t revision;
	uint32_t hdr_type;		/* enum pciback_hdr_type */
	uint32_t sriov_role;		/* enum pciback_sriov_role */
	uint32_t sriov_total_vfs;
	uint32_t sriov_num_vfs;
	char *driver;			/* NULL when unbound */
	char *driver_override;		/* NULL when unset */
	char *physfn;			/* VF only: the PF's name */
	char *orig_driver;		/* recorded host driver, NULL if none */
	char *orig_driver_override;	/* recorded driver_override, or NULL */
	uint32_t guest_domid;		/* Xen domain owning the device */
	uint32_t event;			/* enum pciback_event, notifications */
	bool pciback;			/* bound to xen-pciback */
	bool hidden;			/* reserved for xen-pciback by pciback_nl */
	bool multifunction;
	size_t n_reset_methods;
	char **reset_methods;		/* in the kernel's priority order */
};

/* One device of a dev-hide or dev-unhide reply (attribute set "result"). */
struct pb_result {
	char name[PCIBACK_DEV_NAME_MAX];
	char *from_driver;		/* driver before; NULL: none */
	/* driver after (or would be); NULL: none or, unhiding without a
	 * record, the bus's choice
	 */
	char *to_driver;
	bool has_dev;			/* @dev was sent */
	struct pb_dev dev;		/* the device's state now */
	size_t n_warnings;
	char **warnings;
};

/* One device of a group-get reply (attribute set "member"). */
struct pb_member {
	char name[PCIBACK_DEV_NAME_MAX];
	uint32_t rules;			/* enum pciback_group_rule bits */
	size_t n_reasons;
	char **reasons;			/* one sentence per rule */
};

/* A group-get reply (attribute set "group"). */
struct pb_group {
	size_t n_members;
	struct pb_member *members;	/* in the kernel's order */
	bool has_verdict;		/* not sent for an IOMMU group */
	uint32_t verdict;		/* enum pciback_group_verdict bits */
	size_t n_verdict_reasons;
	char **verdict_reasons;
};

static inline bool pb_dev_has(const struct pb_dev *d, int attr)
{
	return attr >= 0 && attr < 32 && (d->has >> attr) & 1u;
}

/* Frees what the record owns and zeroes it; the record itself is the caller's. */
static inline void pb_dev_release(struct pb_dev *d)
{
	size_t i;

	free(d->driver);
	free(d->driver_override);
	free(d->physfn);
	free(d->orig_driver);
	free(d->orig_driver_override);
	for (i = 0; i < d->n_reset_methods; i++)
		free(d->reset_methods[i]);
	free(d->reset_methods);
	*d = (struct pb_dev){ 0 };
}

static inline void pb_result_release(struct pb_result *r)
{
	size_t i;

	free(r->from_driver);
	free(r->to_driver);
	pb_dev_release(&r->dev);
	for (i = 0; i < r->n_warnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	*r = (struct pb_result){ 0 };
}

static inline void pb_member_release(struct pb_member *m)
{
	size_t i;

	for (i = 0; i < m->n_reasons; i++)
		free(m->reasons[i]);
	free(m->reasons);
	*m = (struct pb_member){ 0 };
}

static inline void pb_group_release(struct pb_group *g)
{
	size_t i;

	for (i = 0; i < g->n_members; i++)
		pb_member_release(&g->members[i]);
	free(g->members);
	for (i = 0; i < g->n_verdict_reasons; i++)
		free(g->verdict_reasons[i]);
	free(g->verdict_reasons);
	*g = (struct pb_group){ 0 };
}

#endif /* PCIBACKCTL_DEV_H */
