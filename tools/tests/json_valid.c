// SPDX-License-Identifier: GPL-2.0-only
/*
 * json_valid.c - a strict JSON (RFC 8259) validator for the tests: the
 * writer's output must parse, not merely look right.
 */
#include "unit.h"

#define DEPTH_MAX 64

struct parser {
	const unsigned char *p;
	int depth;
};

static bool value(struct parser *ps);

static void ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
	       *ps->p == '\r')
		ps->p++;
}

static bool lit(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if (strncmp((const char *)ps->p, word, n))
		return false;
	ps->p += n;
	return true;
}

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* One UTF-8 sequence: well-formed, shortest form, no surrogates. */
static bool utf8(struct parser *ps)
{
	const unsigned char *s = ps->p;
	unsigned int cp, n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return false;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return false;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return false;
	ps->p += n;
	return true;
}

static bool string(struct parser *ps)
{
	if (*ps->p != '"')
		return false;
	ps->p++;
	for (;;) {
		unsigned char c = *ps->p;

		if (c == '"') {
			ps->p++;
			return true;
		}
		if (c < 0x20)		/* includes the end of input */
			return false;
		if (c == '\\') {
			c = *++ps->p;
			if (c == 'u') {
				int i;

				for (i = 1; i <= 4; i++)
					if (!is_hex(ps->p[i]))
						return false;
				ps->p += 5;
			} else if (strchr("\"\\/bfnrt", c) && c) {
				ps->p++;
			} else {
				return false;
			}
		} else if (c >= 0x80) {
			if (!utf8(ps))
				return false;
		} else {
			ps->p++;
		}
	}
}

static bool digits(struct parser *ps)
{
	if (*ps->p < '0' || *ps->p > '9')
		return false;
	while (*ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	return true;
}

static bool number(struct parser *ps)
{
	if (*ps->p == '-')
		ps->p++;
	if (*ps->p == '0')
		ps->p++;
	else if (!digits(ps))
		return false;
	if (*ps->p == '.') {
		ps->p++;
		if (!digits(ps))
			return false;
	}
	if (*ps->p == 'e' || *ps->p == 'E') {
		ps->p++;
		if (*ps->p == '+' || *ps->p == '-')
			ps->p++;
		if (!digits(ps))
			return false;
	}
	return true;
}

static bool container(struct parser *ps, bool object)
{
	char close = object ? '}' : ']';

	if (++ps->depth > DEPTH_MAX)
		return false;
	ps->p++;
	ws(ps);
	if (*ps->p == close) {
		ps->p++;
		ps->depth--;
		return true;
	}
	for (;;) {
		if (object) {
			ws(ps);
			if (!string(ps))
				return false;
			ws(ps);
			if (*ps->p++ != ':')
				return false;
		}
		if (!value(ps))
			return false;
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p != close)
			return false;
		ps->p++;
		ps->depth--;
		return true;
	}
}

static bool value(struct parser *ps)
{
	bool ok;

	ws(ps);
	switch (*ps->p) {
	case '{':
		ok = container(ps, true);
		break;
	case '[':
		ok = container(ps, false);
		break;
	case '"':
		ok = string(ps);
		break;
	case 't':
		ok = lit(ps, "true");
		break;
	case 'f':
		ok = lit(ps, "false");
		break;
	case 'n':
		ok = lit(ps, "null");
		break;
	default:
		ok = number(ps);
		break;
	}
	ws(ps);
	return ok;
}

bool json_valid(const char *s)
{
	struct parser ps = { .p = (const unsigned char *)s };

	return value(&ps) && *ps.p == '\0';
}
