/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * output.h - human and JSON rendering of device records.
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

/* "pciback" (bound to xen-pciback), "host" (another driver) or "none". */
const char *output_state(const struct pb_dev *d);
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

#endif /* PCIBACKCTL_OUTPUT_H */
