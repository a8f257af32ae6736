/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * json.h - a small streaming JSON writer: one document, compact or pretty
 * (two-space indent), strings escaped per RFC 8259 (control characters as
 * \uXXXX, valid UTF-8 passed through, invalid bytes replaced by U+FFFD).
 *
 * Misuse (a key outside an object, a value in an object without a key,
 * unbalanced ends, nesting deeper than JSON_DEPTH_MAX) and write errors
 * are remembered and reported by json_end().
 */
#ifndef PCIBACKCTL_JSON_H
#define PCIBACKCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_DEPTH_MAX 32

struct json_writer {
	FILE *f;
	bool pretty;
	bool error;
	bool after_key;		/* a key was written, its value is next */
	bool done;		/* the top-level value is complete */
	unsigned int depth;
	uint64_t nonempty;	/* bit d: the container at depth d has elements */
	uint64_t in_object;	/* bit d: the container at depth d is an object */
};

void json_init(struct json_writer *w, FILE *f, bool pretty);
/* Ends the document with a newline; 0 if it is complete and was written. */
int json_end(struct json_writer *w);

void json_object_begin(struct json_writer *w);
void json_object_end(struct json_writer *w);
void json_array_begin(struct json_writer *w);
void json_array_end(struct json_writer *w);
void json_key(struct json_writer *w, const char *key);

void json_string(struct json_writer *w, const char *s);	/* NULL: null */
void json_uint(struct json_writer *w, uint64_t v);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);

/* Writes @s as a quoted, escaped JSON string. */
void json_write_string(FILE *f, const char *s);

#endif /* PCIBACKCTL_JSON_H */
