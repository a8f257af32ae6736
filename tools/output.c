// SPDX-License-Identifier: GPL-2.0-only
/*
 * output.c - human and JSON rendering of device records, of the results
 * of hide/unhide and of monitor events.
 *
 * JSON: every key is always present so that consumers see one shape.  An
 * attribute the kernel did not send is null: "driver" when unbound,
 * "driver-override" when unset, "sriov-role" for a function that is
 * neither PF nor VF, "sriov-total-vfs"/"sriov-num-vfs" except on a PF,
 * "physfn" except on a VF, "orig-driver" and "orig-driver-override" when
 * pciback_nl recorded none, "guest-domid" when no guest owns the device.
 * "pciback", "hidden" and "multifunction" are always true/false and
 * "reset-method" always an array.  An enum value this tool does not know
 * yet is rendered as the string "unknown-N".
 *
 * Results of hide/unhide and monitor events reuse the device object: a
 * result carries it under "dev", an event is it with "event" added.
 *
 * check: rule and verdict bits are lists of names ("alias", "no-reset"),
 * a bit this tool does not know yet "unknown-N" (N the bit's value).
 */
#include <stdarg.h>
#include <string.h>

#include "output.h"

/* An absent driver in human output. */
#define NONE "(none)"

const char *output_state(const struct pb_dev *d)
{
	if (d->pciback)
		return "pciback";
	if (d->hidden)
		return "hidden";
	return d->driver ? "host" : "none";
}

const char *output_event(uint32_t event)
{
	switch (event) {
	case PCIBACK_EVENT_HIDDEN:
		return "hidden";
	case PCIBACK_EVENT_UNHIDDEN:
		return "unhidden";
	case PCIBACK_EVENT_ROLLED_BACK:
		return "rolled-back";
	}
	return NULL;
}

const char *output_hdr_type(uint32_t hdr_type)
{
	switch (hdr_type) {
	case PCIBACK_HDR_TYPE_ENDPOINT:
		return "endpoint";
	case PCIBACK_HDR_TYPE_BRIDGE:
		return "bridge";
	case PCIBACK_HDR_TYPE_CARDBUS:
		return "cardbus";
	}
	return NULL;
}

const char *output_sriov_role(uint32_t role)
{
	switch (role) {
	case PCIBACK_SRIOV_ROLE_PF:
		return "pf";
	case PCIBACK_SRIOV_ROLE_VF:
		return "vf";
	}
	return NULL;
}

/* Enum attribute as text: its name, "unknown-N", or NULL when absent. */
static const char *enum_text(const struct pb_dev *d, int attr, uint32_t v,
			     const char *(*name)(uint32_t), char *buf,
			     size_t len)
{
	const char *s;

	if (!pb_dev_has(d, attr))
		return NULL;
	s = name(v);
	if (s)
		return s;
	snprintf(buf, len, "unknown-%u", v);
	return buf;
}

static void json_u32(struct json_writer *w, const struct pb_dev *d,
		     const char *key, int attr, uint32_t v)
{
	json_key(w, key);
	if (pb_dev_has(d, attr))
		json_uint(w, v);
	else
		json_null(w);
}

/* The members of a device object, without the braces. */
static void dev_members(struct json_writer *w, const struct pb_dev *d,
			const struct pb_names *names)
{
	char buf[24];
	size_t i;

	json_key(w, "name");
	json_string(w, d->name);
	json_u32(w, d, "domain", PCIBACK_A_DEV_DOMAIN, d->domain);
	json_u32(w, d, "bus", PCIBACK_A_DEV_BUS, d->bus);
	json_u32(w, d, "devfn", PCIBACK_A_DEV_DEVFN, d->devfn);
	json_u32(w, d, "vendor", PCIBACK_A_DEV_VENDOR, d->vendor);
	json_u32(w, d, "device", PCIBACK_A_DEV_DEVICE, d->device);
	json_u32(w, d, "subsystem-vendor", PCIBACK_A_DEV_SUBSYSTEM_VENDOR,
		 d->subsystem_vendor);
	json_u32(w, d, "subsystem-device", PCIBACK_A_DEV_SUBSYSTEM_DEVICE,
		 d->subsystem_device);
	json_u32(w, d, "class", PCIBACK_A_DEV_CLASS, d->class_code);
	json_u32(w, d, "revision", PCIBACK_A_DEV_REVISION, d->revision);
	json_key(w, "driver");
	json_string(w, d->driver);
	json_key(w, "driver-override");
	json_string(w, d->driver_override);
	json_key(w, "pciback");
	json_bool(w, d->pciback);
	json_key(w, "multifunction");
	json_bool(w, d->multifunction);
	json_key(w, "hdr-type");
	json_string(w, enum_text(d, PCIBACK_A_DEV_HDR_TYPE, d->hdr_type,
				 output_hdr_type, buf, sizeof(buf)));
	json_key(w, "sriov-role");
	json_string(w, enum_text(d, PCIBACK_A_DEV_SRIOV_ROLE, d->sriov_role,
				 output_sriov_role, buf, sizeof(buf)));
	json_u32(w, d, "sriov-total-vfs", PCIBACK_A_DEV_SRIOV_TOTAL_VFS,
		 d->sriov_total_vfs);
	json_u32(w, d, "sriov-num-vfs", PCIBACK_A_DEV_SRIOV_NUM_VFS,
		 d->sriov_num_vfs);
	json_key(w, "physfn");
	json_string(w, d->physfn);
	json_key(w, "reset-method");
	json_array_begin(w);
	for (i = 0; i < d->n_reset_methods; i++)
		json_string(w, d->reset_methods[i]);
	json_array_end(w);
	json_key(w, "hidden");
	json_bool(w, d->hidden);
	json_key(w, "orig-driver");
	json_string(w, d->orig_driver);
	json_key(w, "orig-driver-override");
	json_string(w, d->orig_driver_override);
	json_u32(w, d, "guest-domid", PCIBACK_A_DEV_GUEST_DOMID, d->guest_domid);
	json_key(w, "vendor-name");
	json_string(w, names->vendor);
	json_key(w, "device-name");
	json_string(w, names->device);
	json_key(w, "class-name");
	json_string(w, names->class_name);
}

void output_dev_json(struct json_writer *w, const struct pb_dev *d,
		     const struct pb_names *names)
{
	json_object_begin(w);
	dev_members(w, d, names);
	json_object_end(w);
}

void output_event_json(struct json_writer *w, const struct pb_dev *d,
		       const struct pb_names *names)
{
	char buf[24];

	json_object_begin(w);
	json_key(w, "event");
	json_string(w, enum_text(d, PCIBACK_A_DEV_EVENT, d->event, output_event,
				 buf, sizeof(buf)));
	dev_members(w, d, names);
	json_object_end(w);
}

void output_event_line(FILE *f, const struct pb_dev *d)
{
	char buf[24];
	const char *ev = enum_text(d, PCIBACK_A_DEV_EVENT, d->event,
				   output_event, buf, sizeof(buf));

	fprintf(f, "%s %s driver %s", ev ? ev : "changed", d->name,
		d->driver ? d->driver : NONE);
	if (d->event == PCIBACK_EVENT_HIDDEN && d->orig_driver)
		fprintf(f, " (was %s)", d->orig_driver);
	if (pb_dev_has(d, PCIBACK_A_DEV_GUEST_DOMID))
		fprintf(f, " guest-domid %u", d->guest_domid);
	putc('\n', f);
}

/* The driver a result moved the device to, as a human reads it. */
static const char *result_to(const struct pb_result *r, bool unhide,
			     bool dry_run)
{
	if (r->to_driver)
		return r->to_driver;
	if (!unhide)
		return NONE;
	/* unhide without a record: the bus picks (picked) a driver */
	if (dry_run)
		return "(bus picks)";
	return r->has_dev && r->dev.driver ? r->dev.driver : NONE;
}

void output_result_line(FILE *f, const struct pb_result *r, bool unhide,
			bool dry_run)
{
	fprintf(f, "%s %s -> %s%s\n", r->name,
		r->from_driver ? r->from_driver : NONE,
		result_to(r, unhide, dry_run), dry_run ? " (dry run)" : "");
}

void output_op_json(struct json_writer *w, const char *op, bool dry_run,
		    const struct pb_result *res, const struct pb_names *names,
		    size_t n)
{
	size_t i, j;

	json_object_begin(w);
	json_key(w, "op");
	json_string(w, op);
	json_key(w, "dry-run");
	json_bool(w, dry_run);
	json_key(w, "results");
	json_array_begin(w);
	for (i = 0; i < n; i++) {
		const struct pb_result *r = &res[i];

		json_object_begin(w);
		json_key(w, "name");
		json_string(w, r->name);
		json_key(w, "from-driver");
		json_string(w, r->from_driver);
		json_key(w, "to-driver");
		json_string(w, r->to_driver);
		json_key(w, "warnings");
		json_array_begin(w);
		for (j = 0; j < r->n_warnings; j++)
			json_string(w, r->warnings[j]);
		json_array_end(w);
		json_key(w, "dev");
		if (r->has_dev)
			output_dev_json(w, &r->dev, &names[i]);
		else
			json_null(w);
		json_object_end(w);
	}
	json_array_end(w);
	json_object_end(w);
}

/* Hex of an optional u32 attribute, "-" when absent. */
static const char *hex_or_dash(const struct pb_dev *d, int attr, uint32_t v,
			       int width, char *buf, size_t len)
{
	if (!pb_dev_has(d, attr))
		return "-";
	snprintf(buf, len, "%0*x", width, v);
	return buf;
}

enum { COL_DEVICE, COL_CLASS, COL_ID, COL_DRIVER, COL_STATE, NCOLS };

static const char *const col_head[NCOLS] = {
	"DEVICE", "CLASS", "ID", "DRIVER", "STATE",
};

struct row {
	const char *cell[NCOLS];
	char class_buf[24];
	char id_buf[24];
	char v_buf[12];
	char d_buf[12];
	const char *vendor_hex;	/* v_buf or "-" */
	const char *device_hex;	/* d_buf or "-" */
};

static void fill_row(struct row *r, const struct pb_dev *d,
		     const struct pb_names *n)
{
	r->vendor_hex = hex_or_dash(d, PCIBACK_A_DEV_VENDOR, d->vendor, 4,
				    r->v_buf, sizeof(r->v_buf));
	r->device_hex = hex_or_dash(d, PCIBACK_A_DEV_DEVICE, d->device, 4,
				    r->d_buf, sizeof(r->d_buf));
	r->cell[COL_DEVICE] = d->name;
	if (n->class_name) {
		r->cell[COL_CLASS] = n->class_name;
	} else if (pb_dev_has(d, PCIBACK_A_DEV_CLASS)) {
		snprintf(r->class_buf, sizeof(r->class_buf), "Class %04x",
			 d->class_code >> 8);
		r->cell[COL_CLASS] = r->class_buf;
	} else {
		r->cell[COL_CLASS] = "-";
	}
	snprintf(r->id_buf, sizeof(r->id_buf), "%s:%s", r->vendor_hex,
		 r->device_hex);
	r->cell[COL_ID] = r->id_buf;
	r->cell[COL_DRIVER] = d->driver ? d->driver : "-";
	r->cell[COL_STATE] = output_state(d);
}

static int clamp_width(size_t w)
{
	return w > 1024 ? 1024 : (int)w;
}

void output_table(FILE *f, const struct pb_dev *devs,
		  const struct pb_names *names, size_t n)
{
	size_t width[NCOLS], i, c;
	struct row r;

	for (c = 0; c < NCOLS; c++)
		width[c] = strlen(col_head[c]);
	for (i = 0; i < n; i++) {
		fill_row(&r, &devs[i], &names[i]);
		for (c = 0; c < NCOLS; c++)
			if (strlen(r.cell[c]) > width[c])
				width[c] = strlen(r.cell[c]);
	}

	for (c = 0; c < NCOLS; c++)
		fprintf(f, "%-*s  ", clamp_width(width[c]), col_head[c]);
	fputs("DESCRIPTION\n", f);
	for (i = 0; i < n; i++) {
		const struct pb_dev *d = &devs[i];
		const struct pb_names *nm = &names[i];

		fill_row(&r, d, nm);
		for (c = 0; c < NCOLS; c++)
			fprintf(f, "%-*s  ", clamp_width(width[c]), r.cell[c]);
		if (nm->vendor)
			fputs(nm->vendor, f);
		else
			fprintf(f, "Vendor %s", r.vendor_hex);
		if (nm->device)
			fprintf(f, " %s\n", nm->device);
		else
			fprintf(f, " Device %s\n", r.device_hex);
	}
}

#define KEY_WIDTH 17	/* "sriov-total-vfs:" and a space */

static void kv(FILE *f, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void kv(FILE *f, const char *key, const char *fmt, ...)
{
	va_list ap;

	fprintf(f, "%s:%*s", key, (int)(KEY_WIDTH - 1 - strlen(key)), "");
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	putc('\n', f);
}

/* "8086 (Intel Corporation)", "8086" or "-" */
static void kv_id(FILE *f, const char *key, const struct pb_dev *d, int attr,
		  uint32_t v, int width, const char *name)
{
	char buf[12];

	if (pb_dev_has(d, attr) && name)
		kv(f, key, "%0*x (%s)", width, v, name);
	else
		kv(f, key, "%s", hex_or_dash(d, attr, v, width, buf,
					     sizeof(buf)));
}

void output_show(FILE *f, const struct pb_dev *d, const struct pb_names *n)
{
	char b1[24], b2[24];
	const char *s;
	size_t i;

	kv(f, "name", "%s", d->name);
	kv_id(f, "class", d, PCIBACK_A_DEV_CLASS, d->class_code, 6,
	      n->class_name);
	kv_id(f, "vendor", d, PCIBACK_A_DEV_VENDOR, d->vendor, 4, n->vendor);
	kv_id(f, "device", d, PCIBACK_A_DEV_DEVICE, d->device, 4, n->device);
	kv(f, "subsystem", "%s:%s",
	   hex_or_dash(d, PCIBACK_A_DEV_SUBSYSTEM_VENDOR, d->subsystem_vendor,
		       4, b1, sizeof(b1)),
	   hex_or_dash(d, PCIBACK_A_DEV_SUBSYSTEM_DEVICE, d->subsystem_device,
		       4, b2, sizeof(b2)));
	kv(f, "revision", "%s", hex_or_dash(d, PCIBACK_A_DEV_REVISION,
					    d->revision, 2, b1, sizeof(b1)));
	s = enum_text(d, PCIBACK_A_DEV_HDR_TYPE, d->hdr_type, output_hdr_type,
		      b1, sizeof(b1));
	kv(f, "hdr-type", "%s", s ? s : "-");
	kv(f, "multifunction", "%s", d->multifunction ? "yes" : "no");
	kv(f, "driver", "%s", d->driver ? d->driver : "-");
	kv(f, "driver-override", "%s",
	   d->driver_override ? d->driver_override : "-");
	kv(f, "state", "%s", output_state(d));
	kv(f, "hidden", "%s", d->hidden ? "yes" : "no");
	if (d->orig_driver_override)
		kv(f, "orig-driver", "%s (override %s)",
		   d->orig_driver ? d->orig_driver : "-",
		   d->orig_driver_override);
	else
		kv(f, "orig-driver", "%s", d->orig_driver ? d->orig_driver : "-");
	if (pb_dev_has(d, PCIBACK_A_DEV_GUEST_DOMID))
		kv(f, "guest-domid", "%u", d->guest_domid);
	else
		kv(f, "guest-domid", "-");
	s = enum_text(d, PCIBACK_A_DEV_SRIOV_ROLE, d->sriov_role,
		      output_sriov_role, b1, sizeof(b1));
	kv(f, "sriov-role", "%s", s ? s : "-");
	if (pb_dev_has(d, PCIBACK_A_DEV_SRIOV_TOTAL_VFS))
		kv(f, "sriov-total-vfs", "%u", d->sriov_total_vfs);
	if (pb_dev_has(d, PCIBACK_A_DEV_SRIOV_NUM_VFS))
		kv(f, "sriov-num-vfs", "%u", d->sriov_num_vfs);
	if (d->physfn)
		kv(f, "physfn", "%s", d->physfn);

	fprintf(f, "reset-method:%*s", KEY_WIDTH - 13, "");
	for (i = 0; i < d->n_reset_methods; i++)
		fprintf(f, "%s%s", i ? " " : "", d->reset_methods[i]);
	fputs(d->n_reset_methods ? "\n" : "-\n", f);
}

const char *output_group_rule(uint32_t bit)
{
	switch (bit) {
	case PCIBACK_GROUP_RULE_REQUESTED:
		return "requested";
	case PCIBACK_GROUP_RULE_MULTIFUNCTION:
		return "multifunction";
	case PCIBACK_GROUP_RULE_ALIAS:
		return "alias";
	case PCIBACK_GROUP_RULE_ACS:
		return "acs";
	case PCIBACK_GROUP_RULE_RESET:
		return "reset";
	case PCIBACK_GROUP_RULE_SRIOV:
		return "sriov";
	}
	return NULL;
}

const char *output_group_verdict(uint32_t bit)
{
	switch (bit) {
	case PCIBACK_GROUP_VERDICT_BRIDGE:
		return "bridge";
	case PCIBACK_GROUP_VERDICT_HOST:
		return "host";
	case PCIBACK_GROUP_VERDICT_NO_RESET:
		return "no-reset";
	case PCIBACK_GROUP_VERDICT_IN_USE:
		return "in-use";
	case PCIBACK_GROUP_VERDICT_CARDBUS:
		return "cardbus";
	}
	return NULL;
}

/* The name of bit @i of @mask, or "unknown-N" in @buf. */
static const char *bit_name(uint32_t mask, int i,
			    const char *(*name)(uint32_t), char *buf,
			    size_t len)
{
	uint32_t bit = 1u << i;
	const char *s;

	if (!(mask & bit))
		return NULL;
	s = name(bit);
	if (s)
		return s;
	snprintf(buf, len, "unknown-%u", bit);
	return buf;
}

/* "alias,reset" (lowest bit first) or "-" when no bit is set. */
static void bits_text(uint32_t mask, const char *(*name)(uint32_t),
		      char *out, size_t len)
{
	char buf[24];
	const char *s;
	size_t n = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < 32; i++) {
		s = bit_name(mask, i, name, buf, sizeof(buf));
		if (s && n < len)
			n += (size_t)snprintf(out + n, len - n, "%s%s",
					      n ? "," : "", s);
	}
	if (!mask)
		snprintf(out, len, "-");
}

static void json_bits(struct json_writer *w, uint32_t mask,
		      const char *(*name)(uint32_t))
{
	char buf[24];
	const char *s;
	int i;

	json_array_begin(w);
	for (i = 0; i < 32; i++) {
		s = bit_name(mask, i, name, buf, sizeof(buf));
		if (s)
			json_string(w, s);
	}
	json_array_end(w);
}

/* Writes @s with control characters as '?': the kernel's text, one line. */
static void put_clean(FILE *f, const char *s)
{
	for (; *s; s++)
		putc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

/* Longest rules text: 32 bits of "unknown-2147483648," */
#define RULES_TEXT_MAX (32 * 20)

void output_group(FILE *f, const struct pb_group *g, bool iommu_group)
{
	size_t wname = strlen("DEVICE"), wrules = strlen("RULES"), i, j;
	char rules[RULES_TEXT_MAX];

	for (i = 0; i < g->n_members; i++) {
		bits_text(g->members[i].rules, output_group_rule, rules,
			  sizeof(rules));
		if (strlen(g->members[i].name) > wname)
			wname = strlen(g->members[i].name);
		if (strlen(rules) > wrules)
			wrules = strlen(rules);
	}
	fprintf(f, "%-*s  %-*s  REASON\n", clamp_width(wname), "DEVICE",
		clamp_width(wrules), "RULES");
	for (i = 0; i < g->n_members; i++) {
		const struct pb_member *m = &g->members[i];

		bits_text(m->rules, output_group_rule, rules, sizeof(rules));
		if (!m->n_reasons) {
			fprintf(f, "%-*s  %s\n", clamp_width(wname), m->name,
				rules);
			continue;
		}
		for (j = 0; j < m->n_reasons; j++) {
			fprintf(f, "%-*s  %-*s  ", clamp_width(wname),
				j ? "" : m->name, clamp_width(wrules),
				j ? "" : rules);
			put_clean(f, m->reasons[j]);
			putc('\n', f);
		}
	}
	if (iommu_group)
		return;
	fprintf(f, "verdict: %s\n",
		g->verdict ? "not assignable" : "assignable");
	for (i = 0; i < g->n_verdict_reasons; i++) {
		fputs("  ", f);
		put_clean(f, g->verdict_reasons[i]);
		putc('\n', f);
	}
}

static void json_strings(struct json_writer *w, char *const *s, size_t n)
{
	size_t i;

	json_array_begin(w);
	for (i = 0; i < n; i++)
		json_string(w, s[i]);
	json_array_end(w);
}

void output_group_json(struct json_writer *w, const struct pb_group *g,
		       bool iommu_group)
{
	size_t i;

	json_object_begin(w);
	json_key(w, "members");
	json_array_begin(w);
	for (i = 0; i < g->n_members; i++) {
		const struct pb_member *m = &g->members[i];

		json_object_begin(w);
		json_key(w, "name");
		json_string(w, m->name);
		json_key(w, "rules");
		json_bits(w, m->rules, output_group_rule);
		json_key(w, "reasons");
		json_strings(w, m->reasons, m->n_reasons);
		json_object_end(w);
	}
	json_array_end(w);
	json_key(w, "assignable");
	if (iommu_group)
		json_null(w);
	else
		json_bool(w, !g->verdict);
	json_key(w, "verdict");
	if (iommu_group)
		json_null(w);
	else
		json_bits(w, g->verdict, output_group_verdict);
	json_key(w, "verdict-reasons");
	if (iommu_group)
		json_null(w);
	else
		json_strings(w, g->verdict_reasons, g->n_verdict_reasons);
	json_object_end(w);
}
