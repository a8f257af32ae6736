// SPDX-License-Identifier: GPL-2.0-only
/*
 * fake_xenctrl.c - the four libxenctrl calls xenq.c makes, acting on a
 * quarantine of its own: xc_assign_device() to DOMID_IO puts an SBDF in,
 * xc_deassign_device() from it takes one out or fails with ENODEV, as
 * Xen does.  The tests read and set its state through dlsym().
 */
#include <errno.h>
#include <stdint.h>

#define FAKE_DOMID_IO 0x7FF1U
#define FAKE_MAX 16

int fake_open_errno;		/* xc_interface_open fails with it */
int fake_call_errno;		/* the next assign/deassign fails with it */
unsigned int fake_opened, fake_closed, fake_calls;
uint32_t fake_last_domid, fake_last_sbdf, fake_last_flag;
uint32_t fake_held[FAKE_MAX];
unsigned int fake_nheld;

static int handle;

void *xc_interface_open(void *logger, void *dombuild_logger,
			unsigned int open_flags)
{
	(void)logger, (void)dombuild_logger, (void)open_flags;
	if (fake_open_errno) {
		errno = fake_open_errno;
		return 0;
	}
	fake_opened++;
	return &handle;
}

int xc_interface_close(void *xch)
{
	if (xch == &handle)
		fake_closed++;
	return 0;
}

/* Records the call; -1 when it is to fail or is not for DOMID_IO. */
static int call(void *xch, uint32_t domid, uint32_t sbdf)
{
	int e = fake_call_errno;

	fake_calls++;
	fake_last_domid = domid;
	fake_last_sbdf = sbdf;
	fake_call_errno = 0;
	if (xch != &handle || domid != FAKE_DOMID_IO)
		e = EINVAL;
	if (e)
		errno = e;
	return e ? -1 : 0;
}

int xc_assign_device(void *xch, uint32_t domid, uint32_t sbdf, uint32_t flag)
{
	fake_last_flag = flag;
	if (call(xch, domid, sbdf))
		return -1;
	if (fake_nheld < FAKE_MAX)
		fake_held[fake_nheld++] = sbdf;
	return 0;
}

int xc_deassign_device(void *xch, uint32_t domid, uint32_t sbdf)
{
	unsigned int i;

	if (call(xch, domid, sbdf))
		return -1;
	for (i = 0; i < fake_nheld; i++) {
		if (fake_held[i] == sbdf) {
			fake_held[i] = fake_held[--fake_nheld];
			return 0;
		}
	}
	errno = ENODEV;
	return -1;
}
