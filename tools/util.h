/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * util.h - small helpers shared by the tool and its unit tests.
 */
#ifndef PCIBACKCTL_UTIL_H
#define PCIBACKCTL_UTIL_H

/* The number of elements of array @a (not a pointer). */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* PCIBACKCTL_UTIL_H */
