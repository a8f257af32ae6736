// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_parsers.c - libFuzzer target for the tool's parsers of untrusted
 * text: the config file (both modes, against a sysfs tree that does not
 * exist, so every selector is parsed and resolution fails cleanly) and
 * device names (with a round trip: a parsed single function, formatted
 * and parsed again, is the same address).  Built with ASan and UBSan;
 * "make fuzz" runs it for a bounded time (tools/Makefile).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "devname.h"

static void fuzz_config(const uint8_t *data, size_t size, enum config_mode mode)
{
	char buf[CONFIG_MODULE_MAX + 2];
	struct config *c;
	FILE *f;

	c = config_new("fuzz.conf", "/nonexistent-sysfs", mode);
	if (!c)
		return;
	f = fmemopen((void *)data, size, "r");
	if (f) {
		if (!config_read(c, f) && mode == CONFIG_MODULE)
			config_module_options(c, buf, sizeof(buf));
		fclose(f);
	}
	config_free(c);
}

static void fuzz_devname(const uint8_t *data, size_t size)
{
	struct devname_addr a, b;
	char s[64], out[32], err[128];

	if (size >= sizeof(s))
		size = sizeof(s) - 1;
	memcpy(s, data, size);
	s[size] = '\0';
	if (devname_parse(s, &a, err, sizeof(err)))
		return;
	if (devname_format(&a, out, sizeof(out)))
		return;		/* a wildcard */
	if (devname_parse(out, &b, err, sizeof(err)) ||
	    a.domain != b.domain || a.bus != b.bus || a.dev != b.dev ||
	    a.fn != b.fn)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0:
		fuzz_config(data + 1, size - 1, CONFIG_APPLY);
		break;
	case 1:
		fuzz_config(data + 1, size - 1, CONFIG_MODULE);
		break;
	default:
		fuzz_devname(data + 1, size - 1);
		break;
	}
	return 0;
}
