// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_output.c - rendering of device records: the table, the show block
 * and JSON, compared with expected text; JSON also has to parse.
 */
#include <stdio.h>
#include <stdlib.h>

#include "output.h"
#include "unit.h"

#define HAS(a) (1u << (a))
#define HAS_COMMON (HAS(PCIBACK_A_DEV_DOMAIN) | HAS(PCIBACK_A_DEV_BUS) |      \
		    HAS(PCIBACK_A_DEV_DEVFN) | HAS(PCIBACK_A_DEV_VENDOR) |    \
		    HAS(PCIBACK_A_DEV_DEVICE) |                               \
		    HAS(PCIBACK_A_DEV_SUBSYSTEM_VENDOR) |                     \
		    HAS(PCIBACK_A_DEV_SUBSYSTEM_DEVICE) |                     \
		    HAS(PCIBACK_A_DEV_CLASS) | HAS(PCIBACK_A_DEV_REVISION) |  \
		    HAS(PCIBACK_A_DEV_HDR_TYPE))

static char *nic_resets[] = { "flr", "pm" };
static char *pf_resets[] = { "flr", "bus" };
static char *vf_resets[] = { "flr" };
static char *hostile_resets[] = { "fl\"r", "\x01" };

static const struct pb_dev devs[] = {
	{	/* an endpoint bound to its own driver */
		.name = "0000:03:00.0", .has = HAS_COMMON,
		.bus = 3, .vendor = 0x8086, .device = 0x10d3,
		.subsystem_vendor = 0x8086, .subsystem_device = 0xa01f,
		.class_code = 0x020000, .hdr_type = PCIBACK_HDR_TYPE_ENDPOINT,
		.driver = "e1000e",
		.n_reset_methods = 2, .reset_methods = nic_resets,
	},
	{	/* an SR-IOV PF hidden by pciback_nl, assigned to domain 3 */
		.name = "0000:04:00.0",
		.has = HAS_COMMON | HAS(PCIBACK_A_DEV_SRIOV_ROLE) |
		       HAS(PCIBACK_A_DEV_SRIOV_TOTAL_VFS) |
		       HAS(PCIBACK_A_DEV_SRIOV_NUM_VFS) |
		       HAS(PCIBACK_A_DEV_GUEST_DOMID),
		.bus = 4, .vendor = 0x8086, .device = 0x1521,
		.subsystem_vendor = 0x8086, .subsystem_device = 0x0001,
		.class_code = 0x020000, .revision = 1,
		.hdr_type = PCIBACK_HDR_TYPE_ENDPOINT,
		.sriov_role = PCIBACK_SRIOV_ROLE_PF, .sriov_total_vfs = 7,
		.sriov_num_vfs = 2, .driver = "pciback",
		.driver_override = "pciback", .pciback = true,
		.multifunction = true, .hidden = true, .orig_driver = "igb",
		.orig_driver_override = "vfio-pci", .guest_domid = 3,
		.n_reset_methods = 2, .reset_methods = pf_resets,
	},
	{	/* an unbound VF that the ID database does not know */
		.name = "0000:04:10.0",
		.has = HAS_COMMON | HAS(PCIBACK_A_DEV_SRIOV_ROLE),
		.bus = 4, .devfn = 0x80, .vendor = 0x8086, .device = 0x1520,
		.subsystem_vendor = 0x8086, .subsystem_device = 0x0001,
		.class_code = 0x020000, .revision = 1,
		.hdr_type = PCIBACK_HDR_TYPE_ENDPOINT,
		.sriov_role = PCIBACK_SRIOV_ROLE_VF, .physfn = "0000:04:00.0",
		.n_reset_methods = 1, .reset_methods = vf_resets,
	},
	{	/* a bridge with a header type this tool does not know yet */
		.name = "10000:e0:1c.0",
		.has = HAS_COMMON & ~(HAS(PCIBACK_A_DEV_SUBSYSTEM_VENDOR) |
				      HAS(PCIBACK_A_DEV_SUBSYSTEM_DEVICE)),
		.domain = 0x10000, .bus = 0xe0, .devfn = 0xe0,
		.vendor = 0x8086, .device = 0xa110, .class_code = 0x060400,
		.revision = 0xf0, .hdr_type = 9, .driver = "pcieport",
	},
};

static const struct pb_names names[] = {
	{ "Intel Corporation", "82574L Gigabit Network Connection",
	  "Ethernet controller" },
	{ "Intel Corporation", "I350 Gigabit Network Connection",
	  "Ethernet controller" },
	{ NULL, NULL, NULL },
	{ "Intel Corporation", NULL, "PCI bridge" },
};

#define NDEVS ARRAY_SIZE(devs)

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static void state(void)
{
	CHECK_STR(output_state(&devs[0]), "host");
	CHECK_STR(output_state(&devs[1]), "pciback");
	CHECK_STR(output_state(&devs[2]), "none");
	{
		struct pb_dev d = { .hidden = true, .driver = "e1000e" };

		CHECK_STR(output_state(&d), "hidden");
	}
	CHECK_STR(output_event(PCIBACK_EVENT_HIDDEN), "hidden");
	CHECK_STR(output_event(PCIBACK_EVENT_UNHIDDEN), "unhidden");
	CHECK_STR(output_event(PCIBACK_EVENT_ROLLED_BACK), "rolled-back");
	CHECK(!output_event(0));
	CHECK(!output_event(4));
	CHECK_STR(output_hdr_type(PCIBACK_HDR_TYPE_CARDBUS), "cardbus");
	CHECK(!output_hdr_type(0));
	CHECK(!output_sriov_role(3));
}

static void write_table(FILE *f, const void *arg)
{
	(void)arg;
	output_table(f, devs, names, NDEVS);
}

static void table(void)
{
	char *out = unit_capture(write_table, NULL);

	CHECK_STR(out,
		  "DEVICE         CLASS                ID         DRIVER    STATE    DESCRIPTION\n"
		  "0000:03:00.0   Ethernet controller  8086:10d3  e1000e    host     Intel Corporation 82574L Gigabit Network Connection\n"
		  "0000:04:00.0   Ethernet controller  8086:1521  pciback   pciback  Intel Corporation I350 Gigabit Network Connection\n"
		  "0000:04:10.0   Class 0200           8086:1520  -         none     Vendor 8086 Device 1520\n"
		  "10000:e0:1c.0  PCI bridge           8086:a110  pcieport  host     Intel Corporation Device a110\n");
	free(out);
}

static void write_empty_table(FILE *f, const void *arg)
{
	(void)arg;
	output_table(f, devs, names, 0);
}

static void table_empty(void)
{
	char *out = unit_capture(write_empty_table, NULL);

	CHECK_STR(out, "DEVICE  CLASS  ID  DRIVER  STATE  DESCRIPTION\n");
	free(out);
}

static void write_show(FILE *f, const void *arg)
{
	size_t i = *(const size_t *)arg;

	output_show(f, &devs[i], &names[i]);
}

static void show_block(size_t i, const char *expected, int line)
{
	char *out = unit_capture(write_show, &i);

	if (strcmp(out, expected)) {
		unit_fail(__FILE__, line, "show of %s", devs[i].name);
		unit_fail(__FILE__, line, "  got      %s", unit_quote(out));
		unit_fail(__FILE__, line, "  expected %s", unit_quote(expected));
	}
	free(out);
}

static void show(void)
{
	show_block(0,
		   "name:            0000:03:00.0\n"
		   "class:           020000 (Ethernet controller)\n"
		   "vendor:          8086 (Intel Corporation)\n"
		   "device:          10d3 (82574L Gigabit Network Connection)\n"
		   "subsystem:       8086:a01f\n"
		   "revision:        00\n"
		   "hdr-type:        endpoint\n"
		   "multifunction:   no\n"
		   "driver:          e1000e\n"
		   "driver-override: -\n"
		   "state:           host\n"
		   "hidden:          no\n"
		   "orig-driver:     -\n"
		   "guest-domid:     -\n"
		   "sriov-role:      -\n"
		   "reset-method:    flr pm\n", __LINE__);
	show_block(1,
		   "name:            0000:04:00.0\n"
		   "class:           020000 (Ethernet controller)\n"
		   "vendor:          8086 (Intel Corporation)\n"
		   "device:          1521 (I350 Gigabit Network Connection)\n"
		   "subsystem:       8086:0001\n"
		   "revision:        01\n"
		   "hdr-type:        endpoint\n"
		   "multifunction:   yes\n"
		   "driver:          pciback\n"
		   "driver-override: pciback\n"
		   "state:           pciback\n"
		   "hidden:          yes\n"
		   "orig-driver:     igb (override vfio-pci)\n"
		   "guest-domid:     3\n"
		   "sriov-role:      pf\n"
		   "sriov-total-vfs: 7\n"
		   "sriov-num-vfs:   2\n"
		   "reset-method:    flr bus\n", __LINE__);
	show_block(2,
		   "name:            0000:04:10.0\n"
		   "class:           020000\n"
		   "vendor:          8086\n"
		   "device:          1520\n"
		   "subsystem:       8086:0001\n"
		   "revision:        01\n"
		   "hdr-type:        endpoint\n"
		   "multifunction:   no\n"
		   "driver:          -\n"
		   "driver-override: -\n"
		   "state:           none\n"
		   "hidden:          no\n"
		   "orig-driver:     -\n"
		   "guest-domid:     -\n"
		   "sriov-role:      vf\n"
		   "physfn:          0000:04:00.0\n"
		   "reset-method:    flr\n", __LINE__);
	show_block(3,
		   "name:            10000:e0:1c.0\n"
		   "class:           060400 (PCI bridge)\n"
		   "vendor:          8086 (Intel Corporation)\n"
		   "device:          a110\n"
		   "subsystem:       -:-\n"
		   "revision:        f0\n"
		   "hdr-type:        unknown-9\n"
		   "multifunction:   no\n"
		   "driver:          pcieport\n"
		   "driver-override: -\n"
		   "state:           host\n"
		   "hidden:          no\n"
		   "orig-driver:     -\n"
		   "guest-domid:     -\n"
		   "sriov-role:      -\n"
		   "reset-method:    -\n", __LINE__);
}

struct json_arg {
	size_t first, n;
	bool pretty;
	int ret;
};

static void write_json(FILE *f, const void *arg)
{
	struct json_arg *a = (struct json_arg *)arg;
	struct json_writer w;
	size_t i;

	json_init(&w, f, a->pretty);
	json_array_begin(&w);
	for (i = a->first; i < a->first + a->n; i++)
		output_dev_json(&w, &devs[i], &names[i]);
	json_array_end(&w);
	a->ret = json_end(&w);
}

static void json_vf(void)
{
	struct json_arg a = { .first = 2, .n = 1, .ret = -2 };
	char *out = unit_capture(write_json, &a);

	CHECK_INT(a.ret, 0);
	CHECK_STR(out,
		  "[{\"name\":\"0000:04:10.0\",\"domain\":0,\"bus\":4,"
		  "\"devfn\":128,\"vendor\":32902,\"device\":5408,"
		  "\"subsystem-vendor\":32902,\"subsystem-device\":1,"
		  "\"class\":131072,\"revision\":1,\"driver\":null,"
		  "\"driver-override\":null,\"pciback\":false,"
		  "\"multifunction\":false,\"hdr-type\":\"endpoint\","
		  "\"sriov-role\":\"vf\",\"sriov-total-vfs\":null,"
		  "\"sriov-num-vfs\":null,\"physfn\":\"0000:04:00.0\","
		  "\"reset-method\":[\"flr\"],\"hidden\":false,"
		  "\"orig-driver\":null,\"orig-driver-override\":null,"
		  "\"guest-domid\":null,\"vendor-name\":null,"
		  "\"device-name\":null,\"class-name\":null}]\n");
	CHECK(json_valid(out));
	free(out);
}

static void json_pf_pretty(void)
{
	struct json_arg a = { .first = 1, .n = 1, .pretty = true, .ret = -2 };
	char *out = unit_capture(write_json, &a);

	CHECK_INT(a.ret, 0);
	CHECK_STR(out,
		  "[\n"
		  "  {\n"
		  "    \"name\": \"0000:04:00.0\",\n"
		  "    \"domain\": 0,\n"
		  "    \"bus\": 4,\n"
		  "    \"devfn\": 0,\n"
		  "    \"vendor\": 32902,\n"
		  "    \"device\": 5409,\n"
		  "    \"subsystem-vendor\": 32902,\n"
		  "    \"subsystem-device\": 1,\n"
		  "    \"class\": 131072,\n"
		  "    \"revision\": 1,\n"
		  "    \"driver\": \"pciback\",\n"
		  "    \"driver-override\": \"pciback\",\n"
		  "    \"pciback\": true,\n"
		  "    \"multifunction\": true,\n"
		  "    \"hdr-type\": \"endpoint\",\n"
		  "    \"sriov-role\": \"pf\",\n"
		  "    \"sriov-total-vfs\": 7,\n"
		  "    \"sriov-num-vfs\": 2,\n"
		  "    \"physfn\": null,\n"
		  "    \"reset-method\": [\n"
		  "      \"flr\",\n"
		  "      \"bus\"\n"
		  "    ],\n"
		  "    \"hidden\": true,\n"
		  "    \"orig-driver\": \"igb\",\n"
		  "    \"orig-driver-override\": \"vfio-pci\",\n"
		  "    \"guest-domid\": 3,\n"
		  "    \"vendor-name\": \"Intel Corporation\",\n"
		  "    \"device-name\": \"I350 Gigabit Network Connection\",\n"
		  "    \"class-name\": \"Ethernet controller\"\n"
		  "  }\n"
		  "]\n");
	CHECK(json_valid(out));
	free(out);
}

static void json_all(void)
{
	struct json_arg a = { .first = 0, .n = NDEVS, .ret = -2 };
	char *out = unit_capture(write_json, &a);

	CHECK_INT(a.ret, 0);
	CHECK(json_valid(out));
	/* the unknown header type and the absent subsystem ids */
	CHECK_CONTAINS(out, "\"hdr-type\":\"unknown-9\"");
	CHECK_CONTAINS(out, "\"subsystem-vendor\":null,\"subsystem-device\":null");
	CHECK_CONTAINS(out, "\"reset-method\":[],");
	free(out);
	a.pretty = true;
	a.ret = -2;
	out = unit_capture(write_json, &a);
	CHECK_INT(a.ret, 0);
	CHECK(json_valid(out));
	free(out);
}

static void json_hostile_strings(void)
{
	struct pb_dev d = {
		.name = "0000:00:00.0", .driver = "a\\b\n",
		.driver_override = "\xff", .n_reset_methods = 2,
		.reset_methods = hostile_resets,
	};
	struct pb_names n = { "Vendor \"Q\"", NULL, NULL };
	struct json_writer w;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		unit_fail(__FILE__, __LINE__, "open_memstream");
		return;
	}
	json_init(&w, f, false);
	output_dev_json(&w, &d, &n);
	CHECK_INT(json_end(&w), 0);
	fclose(f);
	CHECK(json_valid(buf));
	CHECK_CONTAINS(buf, "\"driver\":\"a\\\\b\\n\"");
	CHECK_CONTAINS(buf, "\"driver-override\":\"\\ufffd\"");
	CHECK_CONTAINS(buf, "\"reset-method\":[\"fl\\\"r\",\"\\u0001\"]");
	CHECK_CONTAINS(buf, "\"vendor-name\":\"Vendor \\\"Q\\\"\"");
	CHECK_CONTAINS(buf, "\"domain\":null");
	free(buf);
}

/* --- results of hide/unhide ------------------------------------------ */

static char *force_warnings[] = { "interface eth1 was up" };

static struct pb_result results[] = {
	{	/* hidden, with what --force overrode */
		.name = "0000:03:00.0", .from_driver = "e1000e",
		.to_driver = "pciback", .has_dev = true,
		.n_warnings = 1, .warnings = force_warnings,
	},
	{	/* an unbound function */
		.name = "0000:03:00.1", .to_driver = "pciback",
	},
};

struct result_arg {
	const struct pb_result *r;
	bool unhide, dry_run;
};

static void write_result(FILE *f, const void *arg)
{
	const struct result_arg *a = arg;

	output_result_line(f, a->r, a->unhide, a->dry_run);
}

static void result_line(const struct pb_result *r, bool unhide, bool dry_run,
			const char *expected, int line)
{
	struct result_arg a = { r, unhide, dry_run };
	char *out = unit_capture(write_result, &a);

	if (strcmp(out, expected)) {
		unit_fail(__FILE__, line, "result line of %s", r->name);
		unit_fail(__FILE__, line, "  got      %s", unit_quote(out));
		unit_fail(__FILE__, line, "  expected %s", unit_quote(expected));
	}
	free(out);
}

static void result_lines(void)
{
	struct pb_result r = { .name = "0000:03:00.0", .from_driver = "pciback",
			       .has_dev = true, .dev.driver = "e1000e" };

	result_line(&results[0], false, false,
		    "0000:03:00.0 e1000e -> pciback\n", __LINE__);
	result_line(&results[0], false, true,
		    "0000:03:00.0 e1000e -> pciback (dry run)\n", __LINE__);
	result_line(&results[1], false, false,
		    "0000:03:00.1 (none) -> pciback\n", __LINE__);

	/* unhide with a record: the kernel names the driver */
	r.to_driver = "igb";
	result_line(&r, true, false, "0000:03:00.0 pciback -> igb\n", __LINE__);
	/* without one: the driver bound now, or the bus's choice to come */
	r.to_driver = NULL;
	result_line(&r, true, false, "0000:03:00.0 pciback -> e1000e\n",
		    __LINE__);
	result_line(&r, true, true,
		    "0000:03:00.0 pciback -> (bus picks) (dry run)\n", __LINE__);
	r.dev.driver = NULL;
	result_line(&r, true, false, "0000:03:00.0 pciback -> (none)\n",
		    __LINE__);
	r.has_dev = false;
	result_line(&r, true, false, "0000:03:00.0 pciback -> (none)\n",
		    __LINE__);
	/* hide without a to-driver: shown as none, not guessed */
	result_line(&r, false, false, "0000:03:00.0 pciback -> (none)\n",
		    __LINE__);
}

struct op_arg {
	const char *op;
	bool dry_run, pretty;
	size_t n;
	int ret;
};

static void write_op(FILE *f, const void *arg)
{
	struct op_arg *a = (struct op_arg *)arg;
	struct pb_names nm[2] = { { "Intel Corporation", NULL, NULL } };
	struct json_writer w;

	json_init(&w, f, a->pretty);
	output_op_json(&w, a->op, a->dry_run, results, nm, a->n);
	a->ret = json_end(&w);
}

static void op_json(void)
{
	struct op_arg a = { .op = "hide", .n = 2, .ret = -2 };
	char *out;

	results[0].dev = devs[1];
	out = unit_capture(write_op, &a);
	CHECK_INT(a.ret, 0);
	CHECK(json_valid(out));
	CHECK(has_prefix(out, "{\"op\":\"hide\",\"dry-run\":false,\"results\":["
		       "{\"name\":\"0000:03:00.0\",\"from-driver\":\"e1000e\","
		       "\"to-driver\":\"pciback\","
		       "\"warnings\":[\"interface eth1 was up\"],"
		       "\"dev\":{\"name\":\"0000:04:00.0\","));
	CHECK_CONTAINS(out, "\"hidden\":true,\"orig-driver\":\"igb\","
		       "\"orig-driver-override\":\"vfio-pci\",\"guest-domid\":3,"
		       "\"vendor-name\":\"Intel Corporation\",\"device-name\":null,"
		       "\"class-name\":null}},");
	CHECK_CONTAINS(out, ",{\"name\":\"0000:03:00.1\",\"from-driver\":null,"
		       "\"to-driver\":\"pciback\",\"warnings\":[],\"dev\":null}]}\n");
	free(out);

	a = (struct op_arg){ .op = "unhide", .dry_run = true, .pretty = true,
			     .n = 2, .ret = -2 };
	out = unit_capture(write_op, &a);
	CHECK_INT(a.ret, 0);
	CHECK(json_valid(out));
	CHECK(has_prefix(out, "{\n  \"op\": \"unhide\",\n  \"dry-run\": true,\n"
		       "  \"results\": [\n    {\n"));
	free(out);

	/* no results is still one document */
	a = (struct op_arg){ .op = "hide", .n = 0, .ret = -2 };
	out = unit_capture(write_op, &a);
	CHECK_INT(a.ret, 0);
	CHECK_STR(out, "{\"op\":\"hide\",\"dry-run\":false,\"results\":[]}\n");
	free(out);
	results[0].dev = (struct pb_dev){ 0 };
}

/* --- monitor events --------------------------------------------------- */

static void write_event(FILE *f, const void *arg)
{
	output_event_line(f, arg);
}

static void event_line(const struct pb_dev *d, const char *expected, int line)
{
	char *out = unit_capture(write_event, d);

	if (strcmp(out, expected)) {
		unit_fail(__FILE__, line, "event line");
		unit_fail(__FILE__, line, "  got      %s", unit_quote(out));
		unit_fail(__FILE__, line, "  expected %s", unit_quote(expected));
	}
	free(out);
}

static void event_lines(void)
{
	struct pb_dev d = {
		.name = "0000:03:00.0", .has = HAS(PCIBACK_A_DEV_EVENT),
		.event = PCIBACK_EVENT_HIDDEN, .driver = "pciback",
		.orig_driver = "e1000e", .pciback = true, .hidden = true,
	};

	event_line(&d, "hidden 0000:03:00.0 driver pciback (was e1000e)\n",
		   __LINE__);
	d.orig_driver = NULL;
	event_line(&d, "hidden 0000:03:00.0 driver pciback\n", __LINE__);
	d.event = PCIBACK_EVENT_UNHIDDEN;
	d.driver = "e1000e";
	d.orig_driver = "e1000e";	/* "was" only when hiding */
	event_line(&d, "unhidden 0000:03:00.0 driver e1000e\n", __LINE__);
	d.event = PCIBACK_EVENT_ROLLED_BACK;
	d.driver = NULL;
	event_line(&d, "rolled-back 0000:03:00.0 driver (none)\n", __LINE__);
	d.event = 77;
	d.has |= HAS(PCIBACK_A_DEV_GUEST_DOMID);
	d.guest_domid = 5;
	event_line(&d, "unknown-77 0000:03:00.0 driver (none) guest-domid 5\n",
		   __LINE__);
	d.has = 0;
	event_line(&d, "changed 0000:03:00.0 driver (none)\n", __LINE__);
}

struct event_arg {
	const struct pb_dev *d;
	int ret;
};

static void write_event_json(FILE *f, const void *arg)
{
	struct event_arg *a = (struct event_arg *)arg;
	struct pb_names n = { 0 };
	struct json_writer w;

	json_init(&w, f, false);
	output_event_json(&w, a->d, &n);
	a->ret = json_end(&w);
}

static void event_json(void)
{
	struct pb_dev d = {
		.name = "0000:03:00.0",
		.has = HAS(PCIBACK_A_DEV_EVENT) | HAS(PCIBACK_A_DEV_BUS),
		.bus = 3, .event = PCIBACK_EVENT_HIDDEN, .driver = "pciback",
		.orig_driver = "e1000e", .pciback = true, .hidden = true,
	};
	struct event_arg a = { &d, -2 };
	char *out = unit_capture(write_event_json, &a);

	CHECK_INT(a.ret, 0);
	CHECK_STR(out,
		  "{\"event\":\"hidden\",\"name\":\"0000:03:00.0\","
		  "\"domain\":null,\"bus\":3,\"devfn\":null,\"vendor\":null,"
		  "\"device\":null,\"subsystem-vendor\":null,"
		  "\"subsystem-device\":null,\"class\":null,\"revision\":null,"
		  "\"driver\":\"pciback\",\"driver-override\":null,"
		  "\"pciback\":true,\"multifunction\":false,\"hdr-type\":null,"
		  "\"sriov-role\":null,\"sriov-total-vfs\":null,"
		  "\"sriov-num-vfs\":null,\"physfn\":null,\"reset-method\":[],"
		  "\"hidden\":true,\"orig-driver\":\"e1000e\","
		  "\"orig-driver-override\":null,\"guest-domid\":null,"
		  "\"vendor-name\":null,\"device-name\":null,\"class-name\":null}\n");
	CHECK(json_valid(out));
	/* one line: a stream of these is one object per line */
	CHECK(!strchr(out, '\n') || strchr(out, '\n') == out + strlen(out) - 1);
	free(out);

	d.event = PCIBACK_EVENT_ROLLED_BACK;
	out = unit_capture(write_event_json, &a);
	CHECK(has_prefix(out, "{\"event\":\"rolled-back\","));
	free(out);
	d.has = 0;
	out = unit_capture(write_event_json, &a);
	CHECK(has_prefix(out, "{\"event\":null,"));
	CHECK(json_valid(out));
	free(out);
}

static char *req_reasons[] = { "named in the request" };
static char *fn_reasons[] = { "aliases 0000:03:00.0", "shares a bus reset",
			      "bad\x01text" };
static char *verdict_reasons[] = { "0000:00:07.0: contains a bridge or port" };

static struct pb_member members[] = {
	{ .name = "0000:03:00.0", .rules = PCIBACK_GROUP_RULE_REQUESTED,
	  .n_reasons = 1, .reasons = req_reasons },
	{ .name = "0000:03:00.1",
	  .rules = PCIBACK_GROUP_RULE_ALIAS | PCIBACK_GROUP_RULE_RESET,
	  .n_reasons = 3, .reasons = fn_reasons },
	{ .name = "0000:03:00.2", .rules = 0x100 },
};

struct group_arg {
	const struct pb_group *g;
	bool iommu, json;
	int ret;
};

static void write_group(FILE *f, const void *arg)
{
	struct group_arg *a = (struct group_arg *)arg;
	struct json_writer w;

	if (!a->json) {
		output_group(f, a->g, a->iommu);
		return;
	}
	json_init(&w, f, false);
	output_group_json(&w, a->g, a->iommu);
	a->ret = json_end(&w);
}

static void group_human(void)
{
	struct pb_group g = {
		.n_members = 3, .members = members, .has_verdict = true,
		.verdict = PCIBACK_GROUP_VERDICT_BRIDGE,
		.n_verdict_reasons = 1, .verdict_reasons = verdict_reasons,
	};
	struct group_arg a = { .g = &g };
	char *out = unit_capture(write_group, &a);

	CHECK_STR(out,
		  "DEVICE        RULES        REASON\n"
		  "0000:03:00.0  requested    named in the request\n"
		  "0000:03:00.1  alias,reset  aliases 0000:03:00.0\n"
		  "                           shares a bus reset\n"
		  "                           bad?text\n"
		  "0000:03:00.2  unknown-256\n"
		  "verdict: not assignable\n"
		  "  0000:00:07.0: contains a bridge or port\n");
	free(out);

	g = (struct pb_group){ .n_members = 1, .members = members,
			       .has_verdict = true };
	out = unit_capture(write_group, &a);
	CHECK_STR(out,
		  "DEVICE        RULES      REASON\n"
		  "0000:03:00.0  requested  named in the request\n"
		  "verdict: assignable\n");
	free(out);

	/* the IOMMU group: members only; no rules is "-" */
	g = (struct pb_group){ .n_members = 3, .members = members };
	members[0].rules = 0;
	a.iommu = true;
	out = unit_capture(write_group, &a);
	members[0].rules = PCIBACK_GROUP_RULE_REQUESTED;
	CHECK(has_prefix(out, "DEVICE        RULES        REASON\n"
			 "0000:03:00.0  -            named in the request\n"));
	CHECK(!strstr(out, "verdict"));
	free(out);
}

static void group_json(void)
{
	struct pb_group g = {
		.n_members = 2, .members = members, .has_verdict = true,
		.verdict = PCIBACK_GROUP_VERDICT_NO_RESET |
			   PCIBACK_GROUP_VERDICT_CARDBUS | 0x400,
		.n_verdict_reasons = 1, .verdict_reasons = verdict_reasons,
	};
	struct group_arg a = { .g = &g, .json = true, .ret = -2 };
	char *out = unit_capture(write_group, &a);

	CHECK_INT(a.ret, 0);
	CHECK(json_valid(out));
	CHECK_STR(out,
		  "{\"members\":[{\"name\":\"0000:03:00.0\",\"rules\":[\"requested\"],"
		  "\"reasons\":[\"named in the request\"]},"
		  "{\"name\":\"0000:03:00.1\",\"rules\":[\"alias\",\"reset\"],"
		  "\"reasons\":[\"aliases 0000:03:00.0\",\"shares a bus reset\","
		  "\"bad\\u0001text\"]}],"
		  "\"assignable\":false,"
		  "\"verdict\":[\"no-reset\",\"cardbus\",\"unknown-1024\"],"
		  "\"verdict-reasons\":[\"0000:00:07.0: contains a bridge or port\"]}\n");
	free(out);

	g = (struct pb_group){ .n_members = 1, .members = &members[2],
			       .has_verdict = true };
	out = unit_capture(write_group, &a);
	CHECK(json_valid(out));
	CHECK_STR(out, "{\"members\":[{\"name\":\"0000:03:00.2\","
		  "\"rules\":[\"unknown-256\"],\"reasons\":[]}],"
		  "\"assignable\":true,\"verdict\":[],\"verdict-reasons\":[]}\n");
	free(out);

	a.iommu = true;
	out = unit_capture(write_group, &a);
	CHECK(json_valid(out));
	CHECK_CONTAINS(out, "\"assignable\":null,\"verdict\":null,"
		       "\"verdict-reasons\":null}\n");
	free(out);
}

void test_output(void)
{
	unit_run("output: state, header type and SR-IOV role names", state);
	unit_run("output: list table", table);
	unit_run("output: list table without devices", table_empty);
	unit_run("output: show blocks", show);
	unit_run("output: JSON of a VF, compact", json_vf);
	unit_run("output: JSON of a PF, pretty", json_pf_pretty);
	unit_run("output: JSON of every record parses", json_all);
	unit_run("output: JSON of hostile strings stays valid",
		 json_hostile_strings);
	unit_run("output: hide/unhide result lines", result_lines);
	unit_run("output: hide/unhide JSON document", op_json);
	unit_run("output: monitor event lines", event_lines);
	unit_run("output: monitor event JSON, one line", event_json);
	unit_run("output: check table and verdict", group_human);
	unit_run("output: check JSON document", group_json);
}
