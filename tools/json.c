// SPDX-License-Identifier: GPL-2.0-only
/*
 * json.c - a small streaming JSON writer.
 */
#include <inttypes.h>
#include <string.h>

#include "json.h"

void json_init(struct json_writer *w, FILE *f, bool pretty)
{
	*w = (struct json_writer){ .f = f, .pretty = pretty };
}

static bool bit(uint64_t mask, unsigned int d)
{
	return (mask >> d) & 1u;
}

static void newline_indent(struct json_writer *w, unsigned int depth)
{
	unsigned int i;

	putc('\n', w->f);
	for (i = 0; i < depth; i++)
		fputs("  ", w->f);
}

/* Separator and indentation before a key, or before a value not after a key. */
static void element_prefix(struct json_writer *w)
{
	if (w->depth == 0) {
		if (w->done)
			w->error = true;	/* a second top-level value */
		return;
	}
	if (bit(w->nonempty, w->depth))
		putc(',', w->f);
	w->nonempty |= UINT64_C(1) << w->depth;
	if (w->pretty)
		newline_indent(w, w->depth);
}

static void value_prefix(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth && bit(w->in_object, w->depth))
		w->error = true;		/* object member without a key */
	element_prefix(w);
}

static void value_done(struct json_writer *w)
{
	if (w->depth == 0)
		w->done = true;
}

static void begin(struct json_writer *w, char c, bool object)
{
	value_prefix(w);
	putc(c, w->f);
	if (w->depth + 1 >= JSON_DEPTH_MAX) {
		w->error = true;
		return;
	}
	w->depth++;
	w->nonempty &= ~(UINT64_C(1) << w->depth);
	if (object)
		w->in_object |= UINT64_C(1) << w->depth;
	else
		w->in_object &= ~(UINT64_C(1) << w->depth);
}

static void end(struct json_writer *w, char c, bool object)
{
	if (w->depth == 0 || bit(w->in_object, w->depth) != object ||
	    w->after_key) {
		w->error = true;
		putc(c, w->f);
		return;
	}
	if (w->pretty && bit(w->nonempty, w->depth))
		newline_indent(w, w->depth - 1);
	putc(c, w->f);
	w->depth--;
	value_done(w);
}

void json_object_begin(struct json_writer *w)
{
	begin(w, '{', true);
}

void json_object_end(struct json_writer *w)
{
	end(w, '}', true);
}

void json_array_begin(struct json_writer *w)
{
	begin(w, '[', false);
}

void json_array_end(struct json_writer *w)
{
	end(w, ']', false);
}

void json_key(struct json_writer *w, const char *key)
{
	if (!w->depth || !bit(w->in_object, w->depth) || w->after_key)
		w->error = true;
	element_prefix(w);
	json_write_string(w->f, key ? key : "");
	fputs(w->pretty ? ": " : ":", w->f);
	w->after_key = true;
}

/* Length of the well-formed UTF-8 sequence at @s, 0 if there is none. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n, i;
	uint32_t cp;

	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;	/* overlong, surrogate or out of range */
	return n;
}

void json_write_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	putc('"', f);
	while (*s) {
		switch (*s) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*s < 0x20 || *s == 0x7f) {
				fprintf(f, "\\u%04x", *s);
			} else if (*s < 0x80) {
				putc(*s, f);
			} else {
				n = utf8_len(s);
				if (n) {
					fwrite(s, 1, n, f);
					s += n;
					continue;
				}
				fputs("\\ufffd", f);
			}
		}
		s++;
	}
	putc('"', f);
}

void json_string(struct json_writer *w, const char *s)
{
	if (!s) {
		json_null(w);
		return;
	}
	value_prefix(w);
	json_write_string(w->f, s);
	value_done(w);
}

void json_uint(struct json_writer *w, uint64_t v)
{
	value_prefix(w);
	fprintf(w->f, "%" PRIu64, v);
	value_done(w);
}

void json_bool(struct json_writer *w, bool v)
{
	value_prefix(w);
	fputs(v ? "true" : "false", w->f);
	value_done(w);
}

void json_null(struct json_writer *w)
{
	value_prefix(w);
	fputs("null", w->f);
	value_done(w);
}

int json_end(struct json_writer *w)
{
	if (!w->done || w->depth || w->after_key)
		w->error = true;
	putc('\n', w->f);
	if (fflush(w->f) || ferror(w->f))
		w->error = true;
	return w->error ? -1 : 0;
}
