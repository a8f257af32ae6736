/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * unit.h - a tiny test harness: unit_run() runs one test and prints
 * "ok N - name" or "not ok N - name"; failed checks print "# file:line: ..."
 * first.  main() (unit.c) ends with "N passed, N failed".
 */
#ifndef PCIBACKCTL_UNIT_H
#define PCIBACKCTL_UNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

void unit_run(const char *name, void (*fn)(void));
void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Shows @s with C escapes, for diagnostics; the result is static. */
const char *unit_quote(const char *s);

/* Captures what @fn writes to a FILE *, into a malloc'd string. */
char *unit_capture(void (*fn)(FILE *f, const void *arg), const void *arg);

/*
 * Writes @text to @root/@rel, making the directories on the way; a
 * failure is a failed check.
 */
void unit_put(const char *root, const char *rel, const char *text);

/* A strict RFC 8259 validator (one value, optional surrounding space). */
bool json_valid(const char *s);

#define CHECK(cond)							\
	do {								\
		if (!(cond))						\
			unit_fail(__FILE__, __LINE__, "%s", #cond);	\
	} while (0)

#define CHECK_INT(actual, expected)					\
	do {								\
		long long a_ = (long long)(actual);			\
		long long e_ = (long long)(expected);			\
		if (a_ != e_)						\
			unit_fail(__FILE__, __LINE__,			\
				  "%s is %lld, expected %lld",		\
				  #actual, a_, e_);			\
	} while (0)

#define CHECK_STR(actual, expected)					\
	do {								\
		const char *a_ = (actual);				\
		const char *e_ = (expected);				\
		if (!a_ || !e_ || strcmp(a_, e_)) {			\
			unit_fail(__FILE__, __LINE__, "%s is",		\
				  #actual);				\
			unit_fail(__FILE__, __LINE__, "  got      %s",	\
				  a_ ? unit_quote(a_) : "NULL");	\
			unit_fail(__FILE__, __LINE__, "  expected %s",	\
				  e_ ? unit_quote(e_) : "NULL");	\
		}							\
	} while (0)

#define CHECK_CONTAINS(actual, needle)					\
	do {								\
		const char *a_ = (actual);				\
		const char *n_ = (needle);				\
		if (!a_ || !strstr(a_, n_))				\
			unit_fail(__FILE__, __LINE__,			\
				  "%s is %s, expected it to contain %s", \
				  #actual, a_ ? a_ : "NULL", n_);	\
	} while (0)

void test_devname(void);
void test_json(void);
void test_output(void);
void test_nl(void);
void test_pciids(void);
void test_cli(void);
void test_usage(void);
void test_config(void);
void test_xenq(void);
void test_xlrec(void);

#endif /* PCIBACKCTL_UNIT_H */
