/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw generic netlink helpers for the pciback_nl selftests.  No libnl on
 * purpose: the tests build malformed requests byte by byte.
 */
#ifndef PBNL_SELFTEST_H
#define PBNL_SELFTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/pciback_nl.h>

#define PBNL_STR_MAX	128
#define PBNL_RESET_MAX	8

struct pbnl_dev {
	char name[PBNL_STR_MAX];
	uint32_t domain, bus, devfn;
	uint32_t vendor, device, subsystem_vendor, subsystem_device;
	uint32_t class, revision, hdr_type;
	uint32_t sriov_role, sriov_total_vfs, sriov_num_vfs;
	bool has_driver, has_override, pciback, multifunction, hidden;
	bool has_orig_driver, has_guest_domid;
	char orig_driver[PBNL_STR_MAX];
	uint32_t guest_domid, event;
	char driver[PBNL_STR_MAX];
	char override[PBNL_STR_MAX];
	char physfn[PBNL_STR_MAX];
	int nreset;
	char reset[PBNL_RESET_MAX][PBNL_STR_MAX];
	/* set when the kernel sent something these structures cannot hold */
	bool overflow;
};

struct pbnl_sock {
	int fd;
	uint16_t family;
	uint32_t seq;
};

/* A request under construction. */
struct pbnl_req {
	unsigned char buf[4096];
	size_t len;
};

/* One result of dev-hide / dev-unhide. */
struct pbnl_result {
	char name[PBNL_STR_MAX];
	char from[PBNL_STR_MAX];	/* "" = none */
	char to[PBNL_STR_MAX];
	char warning[PBNL_STR_MAX];	/* several: joined with " | " */
	size_t nwarnings;
	struct pbnl_dev dev;
};

/* What came back for one request. */
struct pbnl_reply {
	int err;			/* 0 or a negative errno */
	char msg[PBNL_STR_MAX * 2];	/* extack message, "" if none */
	bool has_bad_attr;
	uint32_t bad_attr_off;
	bool has_miss_type;
	uint32_t miss_type;
	struct pbnl_dev *devs;		/* malloc'ed, ndevs entries */
	size_t ndevs;
	bool truncated;			/* a reply did not fit the buffer */
	struct pbnl_result *results;	/* dev-hide / dev-unhide */
	size_t nresults;
	/* group-get */
	char (*members)[PBNL_STR_MAX];
	uint32_t *member_rules;
	size_t nmembers;
	uint32_t verdict;
	char verdict_reason[PBNL_STR_MAX * 2];
};

int pbnl_open(struct pbnl_sock *s);
void pbnl_close(struct pbnl_sock *s);

void pbnl_req_init(struct pbnl_req *r, const struct pbnl_sock *s, uint8_t cmd,
		   uint16_t flags);
void pbnl_req_put(struct pbnl_req *r, uint16_t type, const void *data,
		  size_t len);
void pbnl_req_put_str(struct pbnl_req *r, uint16_t type, const char *str);

/* Send a prepared request and collect every reply up to its ack/DONE. */
int pbnl_transact(struct pbnl_sock *s, struct pbnl_req *r,
		  struct pbnl_reply *rep);
void pbnl_reply_free(struct pbnl_reply *rep);

/* Convenience: dev-get dump, and dev-get do for one name. */
int pbnl_dump(struct pbnl_sock *s, struct pbnl_reply *rep);
int pbnl_get(struct pbnl_sock *s, const char *name, struct pbnl_reply *rep);

/* dev-hide or dev-unhide of @n devices with PCIBACK_OP_FLAG_* @flags. */
int pbnl_op(struct pbnl_sock *s, uint8_t cmd, const char *const *names,
	    size_t n, uint32_t flags, struct pbnl_reply *rep);

/* group-get of @n devices with PCIBACK_OP_FLAG_* @flags. */
int pbnl_group(struct pbnl_sock *s, const char *const *names, size_t n,
	       uint32_t flags, struct pbnl_reply *rep);

/* A socket subscribed to the "monitor" group. */
int pbnl_monitor_open(struct pbnl_sock *s);
/* Next notification within @ms; 0, -ETIMEDOUT or -errno. */
int pbnl_monitor_next(struct pbnl_sock *s, struct pbnl_dev *d, int ms);

/* Write @s to the file @path; 0 or -errno. */
int pbnl_write_str(const char *path, const char *s);

/* Read a sysfs attribute of a PCI device; returns 0 or -errno. */
int pbnl_sysfs_read(const char *bdf, const char *attr, char *buf, size_t len);
bool pbnl_running_on_xen_dom0(void);

/* The driver bound to @bdf according to sysfs, in @buf; "" if none. */
const char *pbnl_driver_of(const char *bdf, char *buf, size_t len);
/* The network interface of @bdf (or of its virtio device); "" if none. */
const char *pbnl_ifname_of(const char *bdf, char *buf, size_t len);
/*
 * The same, each in a buffer of its own that the next call of that one
 * reuses: for test assertions (two different ones fit in one expression).
 */
const char *pbnl_drv(const char *bdf);
const char *pbnl_ifname(const char *bdf);
/* Set interface @ifname up or down; 0 or -errno. */
int pbnl_set_link(const char *ifname, bool up);

#endif
