/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * config.h - the config file of "pcibackctl apply" (default
 * /etc/pciback-nl/hide.conf): which PCI functions go to xen-pciback.
 *
 * One selector a line; '#' starts a comment; blank lines and whitespace
 * around words are ignored (CRLF line ends too):
 *   0000:03:00.0, 03:00.0      one function by address (domain 0000)
 *   id VVVV:DDDD               every function with this vendor:device
 *   ifname NAME                the function behind a network interface
 *   mac XX:XX:XX:XX:XX:XX      the function behind the interface with
 *                              this address (/sys/class/net/X/address)
 *   path DDDD:BB:DD.F[/DD.F...]
 *                              device DD.F on root bus DDDD:BB, then each
 *                              further DD.F on the secondary bus of the
 *                              bridge before it: stays right when buses
 *                              are renumbered
 *
 * The file is read and resolved against sysfs (a root given by the caller:
 * "/sys" in the tool, a fixture tree in the tests) in one pass.  Every
 * problem is kept as a message "FILE:LINE: text" (control characters in
 * the user's words shown as '?'); reading goes on after an error so that
 * all of them are reported (the first CONFIG_ERRORS_MAX are kept).
 *
 * The file is best effort, line by line: a line with an error is
 * "refused" (sel->refused, or no selector at all for a syntax error) and
 * the others stand; config_read() still returns -EINVAL so that the caller
 * knows.
 *
 * Two modes:
 *   CONFIG_APPLY    every selector must name present functions (an id at
 *                   least one), resolved into devs[] without duplicates.
 *   CONFIG_MODULE   the value of the module parameter pciback_nl.hide=:
 *                   addresses, ids and paths are kept as written (in
 *                   canonical form; one not present now is a warning),
 *                   ifname and mac become the path of their function.
 *                   Functions that hold a mounted filesystem or active
 *                   swap now (inuse.h) are never reserved: a line naming
 *                   one is refused, an id matching one gets a '!' item.
 *
 * Interfaces (ifname, mac) in both modes: each one that resolves has its
 * function's stable path remembered (memo.h, when config_set_state() gave
 * a file).  An interface that does not exist (the function is hidden, and
 * a hidden function has no interface) resolves to the remembered path
 * instead, if the function there is present and has no interface now (had
 * it one, the interface was renamed, and guessing could hide the wrong
 * device); else the line is refused.
 */
#ifndef PCIBACKCTL_CONFIG_H
#define PCIBACKCTL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/pciback_nl.h>

#include "devname.h"

struct memo;
struct inuse;

#define CONFIG_DEFAULT_FILE "/etc/pciback-nl/hide.conf"

/* A longer line is an error (the newline is not counted). */
#define CONFIG_LINE_MAX 4096
/* Functions and selectors one file may name: the kernel's PBNL_OP_MAX_DEVS. */
#define CONFIG_DEVS_MAX 256
#define CONFIG_SELS_MAX 256
/* Elements of a path: the kernel's PBNL_PATH_MAX. */
#define CONFIG_PATH_MAX 16
/* Bytes of the module parameter's value. */
#define CONFIG_MODULE_MAX 1024
/* Exclusions ('!' items) the module parameter may carry. */
#define CONFIG_EXCL_MAX 16
/* Errors kept (and warnings, separately); later ones are only counted. */
#define CONFIG_ERRORS_MAX 20
/* A selector in canonical form: "path " and 16 elements fit. */
#define CONFIG_SEL_TEXT_MAX 128
/* A path in canonical form: "ffffffff:ff:1f.7" and 15 "/1f.7". */
#define CONFIG_PATH_TEXT_MAX 96
/* The ifname of an interface: IFNAMSIZ - 1. */
#define CONFIG_IFNAME_MAX 15

enum config_mode {
	CONFIG_APPLY,
	CONFIG_MODULE,
};

enum config_kind {
	CONFIG_ADDR = 1,
	CONFIG_ID,
	CONFIG_IFNAME,
	CONFIG_MAC,
	CONFIG_PATH,
};

struct config_sel {
	enum config_kind kind;
	unsigned int line;
	/* canonical: "0000:03:00.0", "id 8086:10d3", "ifname eth1",
	 * "mac 52:54:00:00:01:00", "path 0000:00:06.0/00.0"
	 */
	char text[CONFIG_SEL_TEXT_MAX];
	struct devname_addr addr;	/* ADDR */
	uint16_t vendor, device;	/* ID */
	char ifname[CONFIG_IFNAME_MAX + 1];	/* IFNAME */
	uint8_t mac[6];			/* MAC */
	/* PATH: "0000:00:06.0/00.0"; CONFIG_MODULE: also ifname and mac's */
	char path[CONFIG_PATH_TEXT_MAX];
	/* APPLY: what it resolved to, indices into config.devs */
	size_t nidx;
	uint16_t *idx;
	bool refused;			/* an error on its line: not used */
	bool remembered;		/* ifname, mac: through the memo */
};

struct config_dev {
	char name[PCIBACK_DEV_NAME_MAX];
	unsigned int line;		/* of the first selector naming it */
};

/* Messages, each "FILE:LINE: text" or "FILE: text", in file order. */
struct config_msgs {
	size_t n;			/* kept, at most CONFIG_ERRORS_MAX */
	size_t total;			/* including those not kept */
	/* one more: "too many errors, stopped reading here" */
	char *text[CONFIG_ERRORS_MAX + 1];
	unsigned int line[CONFIG_ERRORS_MAX + 1];	/* 0: the file's */
};

struct config {
	const char *file;		/* the name used in messages */
	const char *sysfs;
	enum config_mode mode;
	size_t nsels;
	struct config_sel sels[CONFIG_SELS_MAX];
	size_t ndevs;
	struct config_dev devs[CONFIG_DEVS_MAX];
	struct config_msgs errors;
	struct config_msgs warnings;
	struct pci_table *pci;		/* sysfs's PCI functions, read once */
	bool pci_read;
	const char *proc;		/* "/proc" unless set */
	const char *state;		/* the memo's file, NULL: none */
	struct memo *memo;		/* read on first use */
	bool memo_read;
	struct inuse *inuse;		/* MODULE: read on first use */
	bool inuse_read;
	/* MODULE: paths of in-use functions an id matches ('!' items) */
	size_t nexcl;
	char excl[CONFIG_EXCL_MAX][CONFIG_PATH_TEXT_MAX];
	bool too_many;			/* more than CONFIG_DEVS_MAX, said once */
	bool lines_done;		/* reading stopped at too many errors */
};

/* A new, empty config; NULL without memory.  @file and @sysfs must outlive it. */
struct config *config_new(const char *file, const char *sysfs,
			  enum config_mode mode);
void config_free(struct config *c);

/*
 * Where to find procfs (default "/proc") and the file of remembered
 * interface paths (default: none, nothing remembered); before
 * config_read().  The strings must outlive @c.
 */
void config_set_proc(struct config *c, const char *proc);
void config_set_state(struct config *c, const char *state);

/*
 * Writes the remembered paths back when they changed: 0, or -errno with
 * the reason in @why.
 */
int config_save_state(struct config *c, char *why, size_t len);

/*
 * Reads @f to its end, parsing and resolving each line.  Returns 0, or
 * -EINVAL when there were errors (c->errors), -EIO when @f could not be
 * read (also an error message).
 */
int config_read(struct config *c, FILE *f);

/*
 * CONFIG_MODULE: the parameter's value into @buf ("" for no selector):
 * comma-separated items "DDDD:BB:DD.F", "id:VVVV:DDDD",
 * "path:DDDD:BB:DD.F/DD.F..." of the selectors not refused, in file order,
 * duplicates dropped, then "!path:..." for in-use functions an id
 * matches; @len
 * must exceed CONFIG_MODULE_MAX.  Returns 0, -E2BIG (an error message
 * too) when it would be longer than CONFIG_MODULE_MAX bytes, -EINVAL when
 * not in that mode or @len is short.
 */
int config_module_options(struct config *c, char *buf, size_t len);

/*
 * The stable path of the PCI function @name ("0000:07:00.0"):
 * "DDDD:BB:DD.F/DD.F..." from its root bus, from the realpath of
 * SYSFS/bus/pci/devices/NAME.  Returns 0, -ENODEV when there is no such
 * function, -EINVAL when its sysfs directory is not below a root bus,
 * -ENAMETOOLONG when deeper than CONFIG_PATH_MAX or @len.
 */
int config_pci_path(const char *sysfs, const char *name, char *buf,
		    size_t len);

#endif /* PCIBACKCTL_CONFIG_H */
