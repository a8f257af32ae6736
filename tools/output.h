/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output.h - human and JSON rendering of device records, of the results
 * of hide/unhide and of monitor events.
 *
 * Names from the PCI ID database are looked up by the caller (pciids.h)
 * and passed in, so the rendering does not depend on pci.ids.
 */
#ifndef PCIBACKCTL_OUTPUT_H
#define PCIBACKCTL_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "dev.h"
#include "json.h"

/* Names of one device; NULL when the ID database does not know them. */
struct pb_names {
	const char *vendor;
	const char *device;
	const char *class_name;	/* subclass text, e.g. "Ethernet controller" */
};

/*
 * "pciback" (bound to xen-pciback), "hidden" (reserved for xen-pciback by
 * pciback_nl but not bound to it), "host" (another driver) or "none".
 */
const char *output_state(const struct pb_dev *d);
/* "hidden", "unhidden", "rolled-back"; NULL for an unknown value. */
const char *output_event(uint32_t event);
/* "endpoint", "bridge", "cardbus"; NULL for an unknown value. */
const char *output_hdr_type(uint32_t hdr_type);
/* "pf", "vf"; NULL for an unknown value. */
const char *output_sriov_role(uint32_t role);

/* One JSON object per device; keys are the spec's attribute names. */
void output_dev_json(struct json_writer *w, const struct pb_dev *d,
		     const struct pb_names *names);
/* A table with a header line, one line per device (names[i] for devs[i]). */
void output_table(FILE *f, const struct pb_dev *devs,
		  const struct pb_names *names, size_t n);
/* A "key: value" block for one device. */
void output_show(FILE *f, const struct pb_dev *d, const struct pb_names *names);

/*
 * One line per result of hide/unhide: "0000:03:00.0 e1000e -> pciback",
 * "(none)" for no driver, " (dry run)" appended for a dry run.  On unhide
 * without a recorded driver the kernel sends no to-driver: the line shows
 * the driver bound now (from the result's device), or "(bus picks)" for
 * a dry run.  Warnings are not part of it.
 */
void output_result_line(FILE *f, const struct pb_result *r, bool unhide,
			bool dry_run);
/*
 * The JSON document of hide/unhide: {"op", "dry-run", "results": [{"name",
 * "from-driver", "to-driver" (as sent: null when absent), "warnings",
 * "dev" (the device object, null if not sent)}]}; names[i] for res[i].dev.
 */
void output_op_json(struct json_writer *w, const char *op, bool dry_run,
		    const struct pb_result *res, const struct pb_names *names,
		    size_t n);

/*
 * A monitor event, one line: "hidden 0000:03:00.0 driver pciback (was
 * e1000e)"; "(was X)" only for "hidden" with a recorded driver, and
 * " guest-domid N" when a guest owns the device.
 */
void output_event_line(FILE *f, const struct pb_dev *d);
/* A monitor event as JSON: the device object with "event" first. */
void output_event_json(struct json_writer *w, const struct pb_dev *d,
		       const struct pb_names *names);

/* A group rule or verdict bit's name: "alias", "no-reset"; NULL: unknown. */
const char *output_group_rule(uint32_t bit);
const char *output_group_verdict(uint32_t bit);

/*
 * check: a table "DEVICE  RULES  REASON", one line per member (its rules
 * as "alias,reset", "-" for none; further reasons on continuation lines),
 * then "verdict: assignable" or "verdict: not assignable" and one
 * indented line per verdict reason.  @iommu_group: the members only.
 * The kernel's text is written with control characters as '?'.
 */
void output_group(FILE *f, const struct pb_group *g, bool iommu_group);
/*
 * check as JSON: {"members": [{"name", "rules": [names], "reasons"}],
 * "assignable", "verdict": [names], "verdict-reasons"}; with @iommu_group
 * the last three are null.
 */
void output_group_json(struct json_writer *w, const struct pb_group *g,
		       bool iommu_group);

#endif /* PCIBACKCTL_OUTPUT_H */
