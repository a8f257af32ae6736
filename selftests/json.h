/* SPDX-License-Identifier: GPL-2.0 */
/* A small strict JSON reader for checking the tool's output in tests. */
#ifndef PBNL_JSON_H
#define PBNL_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype type;
	bool b;
	double num;
	char *str;		/* J_STR; key of an object member */
	char *key;
	struct jval *kids;	/* J_ARR, J_OBJ */
	size_t n;
};

/* Parse all of @text; NULL on any syntax error (with *@err set). */
struct jval *json_parse(const char *text, const char **err);
void json_free(struct jval *v);
const struct jval *json_get(const struct jval *obj, const char *key);

#endif
