// SPDX-License-Identifier: GPL-2.0
/* A small strict JSON reader for checking the tool's output in tests. */
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct jp {
	const char *p;
	const char *err;
	int depth;
};

static void ws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r')
		j->p++;
}

static int parse_val(struct jp *j, struct jval *v);

static char *parse_str(struct jp *j)
{
	size_t cap = 16, n = 0;
	char *s = malloc(cap);

	if (!s || *j->p != '"')
		goto bad;
	j->p++;
	while (*j->p != '"') {
		unsigned char c = (unsigned char)*j->p++;

		if (c < 0x20)
			goto bad;
		if (c == '\\') {
			c = (unsigned char)*j->p++;
			switch (c) {
			case '"':
			case '\\':
			case '/':
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case 'u': {
				unsigned int u = 0, i;

				for (i = 0; i < 4; i++) {
					char h = *j->p++;

					u <<= 4;
					if (h >= '0' && h <= '9')
						u |= h - '0';
					else if (h >= 'a' && h <= 'f')
						u |= h - 'a' + 10;
					else if (h >= 'A' && h <= 'F')
						u |= h - 'A' + 10;
					else
						goto bad;
				}
				c = u < 0x80 ? u : '?';
				break;
			}
			default:
				goto bad;
			}
		}
		if (n + 2 > cap) {
			char *t = realloc(s, cap *= 2);

			if (!t)
				goto bad;
			s = t;
		}
		s[n++] = (char)c;
	}
	j->p++;
	s[n] = '\0';
	return s;
bad:
	free(s);
	j->err = "bad string";
	return NULL;
}

static int parse_list(struct jp *j, struct jval *v, char close, bool obj)
{
	j->p++;
	ws(j);
	if (*j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		struct jval *k = realloc(v->kids, (v->n + 1) * sizeof(*k));

		if (!k)
			return -1;
		v->kids = k;
		k = &v->kids[v->n];
		memset(k, 0, sizeof(*k));
		v->n++;
		ws(j);
		if (obj) {
			k->key = parse_str(j);
			if (!k->key)
				return -1;
			ws(j);
			if (*j->p++ != ':') {
				j->err = "expected ':'";
				return -1;
			}
		}
		if (parse_val(j, k))
			return -1;
		ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p == close) {
			j->p++;
			return 0;
		}
		j->err = "expected ',' or end of list";
		return -1;
	}
}

static int parse_val(struct jp *j, struct jval *v)
{
	char *end;

	if (++j->depth > 64) {
		j->err = "too deep";
		return -1;
	}
	ws(j);
	switch (*j->p) {
	case '{':
		v->type = J_OBJ;
		if (parse_list(j, v, '}', true))
			return -1;
		break;
	case '[':
		v->type = J_ARR;
		if (parse_list(j, v, ']', false))
			return -1;
		break;
	case '"':
		v->type = J_STR;
		v->str = parse_str(j);
		if (!v->str)
			return -1;
		break;
	case 't':
		if (strncmp(j->p, "true", 4))
			goto bad;
		v->type = J_BOOL;
		v->b = true;
		j->p += 4;
		break;
	case 'f':
		if (strncmp(j->p, "false", 5))
			goto bad;
		v->type = J_BOOL;
		j->p += 5;
		break;
	case 'n':
		if (strncmp(j->p, "null", 4))
			goto bad;
		v->type = J_NULL;
		j->p += 4;
		break;
	default:
		if (*j->p != '-' && (*j->p < '0' || *j->p > '9'))
			goto bad;
		v->type = J_NUM;
		v->num = strtod(j->p, &end);
		if (end == j->p)
			goto bad;
		j->p = end;
	}
	j->depth--;
	return 0;
bad:
	j->err = "unexpected character";
	return -1;
}

static void free_kids(struct jval *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		free_kids(&v->kids[i]);
		free(v->kids[i].key);
		free(v->kids[i].str);
	}
	free(v->kids);
}

void json_free(struct jval *v)
{
	if (!v)
		return;
	free_kids(v);
	free(v->str);
	free(v);
}

struct jval *json_parse(const char *text, const char **err)
{
	struct jp j = { .p = text };
	struct jval *v = calloc(1, sizeof(*v));

	if (!v || parse_val(&j, v))
		goto bad;
	ws(&j);
	if (*j.p) {
		j.err = "trailing data";
		goto bad;
	}
	return v;
bad:
	*err = j.err ? j.err : "out of memory";
	json_free(v);
	return NULL;
}

const struct jval *json_get(const struct jval *obj, const char *key)
{
	size_t i;

	if (!obj || obj->type != J_OBJ)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (!strcmp(obj->kids[i].key, key))
			return &obj->kids[i];
	return NULL;
}
