// SPDX-License-Identifier: GPL-2.0
/*
 * Out-of-line parts of the compat shims; see compat.h.
 */
#include <linux/atomic.h>
#include <linux/kernel.h>

#include "compat.h"

#ifndef PBNL_HAVE_EXTACK_FMT
#define PBNL_EXTACK_SLOTS	64
#define PBNL_EXTACK_LEN		80	/* NETLINK_MAX_FMTMSG_LEN of later kernels */

/*
 * Locking: none.  Each formatted message takes the next slot of the ring;
 * a slot is reused only after PBNL_EXTACK_SLOTS later messages, far more
 * than can be formatted between a handler returning and netlink_ack()
 * copying its message into the reply.  The last byte of every slot stays
 * NUL, so even a slot overwritten while being copied is a bounded string.
 */
static char pbnl_extack_ring[PBNL_EXTACK_SLOTS][PBNL_EXTACK_LEN];
static atomic_t pbnl_extack_next = ATOMIC_INIT(0);

const char *pbnl_extack_format(const char *fmt, ...)
{
	unsigned int slot = (unsigned int)atomic_inc_return(&pbnl_extack_next);
	char *buf = pbnl_extack_ring[slot % PBNL_EXTACK_SLOTS];
	va_list args;

	va_start(args, fmt);
	vsnprintf(buf, PBNL_EXTACK_LEN - 1, fmt, args);
	va_end(args);
	return buf;
}
#endif
