// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_json.c - the JSON writer: escaping, layout, misuse; and the
 * validator the other tests rely on.
 */
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "unit.h"

static void write_string(FILE *f, const void *arg)
{
	json_write_string(f, arg);
}

static void escapes_as(const char *in, const char *expected, int line)
{
	char *out = unit_capture(write_string, in);

	if (strcmp(out, expected)) {
		unit_fail(__FILE__, line, "escaping %s", unit_quote(in));
		unit_fail(__FILE__, line, "  got      %s", unit_quote(out));
		unit_fail(__FILE__, line, "  expected %s", unit_quote(expected));
	}
	if (!json_valid(out))
		unit_fail(__FILE__, line, "%s does not parse", unit_quote(out));
	free(out);
}

#define ESCAPES_AS(in, out) escapes_as(in, out, __LINE__)

static void escaping(void)
{
	ESCAPES_AS("", "\"\"");
	ESCAPES_AS("plain", "\"plain\"");
	ESCAPES_AS("say \"hi\"", "\"say \\\"hi\\\"\"");
	ESCAPES_AS("C:\\path\\", "\"C:\\\\path\\\\\"");
	ESCAPES_AS("a/b", "\"a/b\"");
	ESCAPES_AS("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	ESCAPES_AS("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	ESCAPES_AS("x\x1b[31my", "\"x\\u001b[31my\"");
}

static void utf8(void)
{
	/* valid UTF-8 passes through byte for byte */
	ESCAPES_AS("Z\xc3\xbcrich \xe2\x80\x93 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
		   "\"Z\xc3\xbcrich \xe2\x80\x93 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\"");
	ESCAPES_AS("\xef\xbf\xbd", "\"\xef\xbf\xbd\"");
	/* what is not UTF-8 becomes U+FFFD, byte by byte */
	ESCAPES_AS("a\377b", "\"a\\ufffdb\"");
	ESCAPES_AS("\xc0\xaf", "\"\\ufffd\\ufffd\"");		/* overlong '/' */
	ESCAPES_AS("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");	/* surrogate */
	ESCAPES_AS("\xe2\x82", "\"\\ufffd\\ufffd\"");		/* truncated */
	ESCAPES_AS("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	ESCAPES_AS("\x80", "\"\\ufffd\"");
}

static void document(FILE *f, const void *arg)
{
	struct json_writer w;
	int *ret = (int *)arg;

	json_init(&w, f, ret[0]);
	json_array_begin(&w);
	json_object_begin(&w);
	json_key(&w, "name");
	json_string(&w, "0000:03:00.0");
	json_key(&w, "n");
	json_uint(&w, 18446744073709551615ULL);
	json_key(&w, "t");
	json_bool(&w, true);
	json_key(&w, "f");
	json_bool(&w, false);
	json_key(&w, "none");
	json_string(&w, NULL);
	json_key(&w, "list");
	json_array_begin(&w);
	json_string(&w, "flr");
	json_string(&w, "bus");
	json_array_end(&w);
	json_key(&w, "empty");
	json_array_begin(&w);
	json_array_end(&w);
	json_key(&w, "obj");
	json_object_begin(&w);
	json_object_end(&w);
	json_object_end(&w);
	json_null(&w);
	json_array_end(&w);
	ret[1] = json_end(&w);
}

static void compact(void)
{
	int arg[2] = { 0, -2 };
	char *out = unit_capture(document, arg);

	CHECK_INT(arg[1], 0);
	CHECK_STR(out, "[{\"name\":\"0000:03:00.0\",\"n\":18446744073709551615,"
		  "\"t\":true,\"f\":false,\"none\":null,\"list\":[\"flr\",\"bus\"],"
		  "\"empty\":[],\"obj\":{}},null]\n");
	CHECK(json_valid(out));
	free(out);
}

static void pretty(void)
{
	int arg[2] = { 1, -2 };
	char *out = unit_capture(document, arg);

	CHECK_INT(arg[1], 0);
	CHECK_STR(out,
		  "[\n"
		  "  {\n"
		  "    \"name\": \"0000:03:00.0\",\n"
		  "    \"n\": 18446744073709551615,\n"
		  "    \"t\": true,\n"
		  "    \"f\": false,\n"
		  "    \"none\": null,\n"
		  "    \"list\": [\n"
		  "      \"flr\",\n"
		  "      \"bus\"\n"
		  "    ],\n"
		  "    \"empty\": [],\n"
		  "    \"obj\": {}\n"
		  "  },\n"
		  "  null\n"
		  "]\n");
	CHECK(json_valid(out));
	free(out);
}

enum misuse {
	KEY_IN_ARRAY, VALUE_WITHOUT_KEY, UNCLOSED, EXTRA_CLOSE,
	WRONG_CLOSE, TWO_DOCUMENTS, KEY_WITHOUT_VALUE, EMPTY, TOO_DEEP,
	NMISUSE
};

static int misuse_ret;

static void misuse_doc(FILE *f, const void *arg)
{
	enum misuse m = *(const enum misuse *)arg;
	struct json_writer w;
	int i;

	json_init(&w, f, false);
	switch (m) {
	case KEY_IN_ARRAY:
		json_array_begin(&w);
		json_key(&w, "k");
		json_uint(&w, 1);
		json_array_end(&w);
		break;
	case VALUE_WITHOUT_KEY:
		json_object_begin(&w);
		json_uint(&w, 1);
		json_object_end(&w);
		break;
	case UNCLOSED:
		json_array_begin(&w);
		break;
	case EXTRA_CLOSE:
		json_array_begin(&w);
		json_array_end(&w);
		json_array_end(&w);
		break;
	case WRONG_CLOSE:
		json_array_begin(&w);
		json_object_end(&w);
		break;
	case TWO_DOCUMENTS:
		json_uint(&w, 1);
		json_uint(&w, 2);
		break;
	case KEY_WITHOUT_VALUE:
		json_object_begin(&w);
		json_key(&w, "k");
		json_object_end(&w);
		break;
	case EMPTY:
		break;
	case TOO_DEEP:
		for (i = 0; i < JSON_DEPTH_MAX + 1; i++)
			json_array_begin(&w);
		for (i = 0; i < JSON_DEPTH_MAX + 1; i++)
			json_array_end(&w);
		break;
	case NMISUSE:
		break;
	}
	misuse_ret = json_end(&w);
}

static void misuse(void)
{
	enum misuse m;

	for (m = 0; m < NMISUSE; m++) {
		char *out;

		misuse_ret = 0;
		out = unit_capture(misuse_doc, &m);
		if (misuse_ret != -1)
			unit_fail(__FILE__, __LINE__,
				  "%s %d not reported (output %s)", __func__,
				  m, unit_quote(out));
		free(out);
	}
}

static void write_error(void)
{
	struct json_writer w;
	FILE *f = fopen("/dev/full", "w");

	if (!f) {
		unit_fail(__FILE__, __LINE__, "cannot open /dev/full");
		return;
	}
	json_init(&w, f, false);
	json_string(&w, "lost");
	CHECK_INT(json_end(&w), -1);
	fclose(f);
}

static void validator(void)
{
	static const char *const good[] = {
		"0", "-1.5e+3", "\"\"", "[]", "{}", " [ 1 , 2 ] ", "null",
		"{\"a\":{\"b\":[true,false,null]}}", "\"\\u00e9\\n\\/\"",
		"\"\xc3\xa9\"",
	};
	static const char *const bad[] = {
		"", "[1,]", "{\"a\":1,}", "{'a':1}", "{\"a\" 1}", "[1 2]",
		"\"a\nb\"", "\"\\x41\"", "\"\\u12\"", "01", "1.", "-", "tru",
		"[1]]", "{\"a\":1}x", "\"unterminated", "[", "{1:2}",
		"\"\xff\"", "\"\xc0\xaf\"", "NaN", "+1",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		if (!json_valid(good[i]))
			unit_fail(__FILE__, __LINE__, "rejected %s",
				  unit_quote(good[i]));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (json_valid(bad[i]))
			unit_fail(__FILE__, __LINE__, "accepted %s",
				  unit_quote(bad[i]));
}

void test_json(void)
{
	unit_run("json: the test validator accepts JSON and only JSON",
		 validator);
	unit_run("json: quotes, backslash and control characters are escaped",
		 escaping);
	unit_run("json: UTF-8 passes through, invalid bytes become U+FFFD",
		 utf8);
	unit_run("json: compact layout", compact);
	unit_run("json: pretty layout", pretty);
	unit_run("json: misuse is reported by json_end", misuse);
	unit_run("json: write errors are reported by json_end", write_error);
}
