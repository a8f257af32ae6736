/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memo.h - the stable paths that interface selectors of hide.conf resolved
 * to, remembered in a file (default /var/lib/pciback-nl/resolved).
 *
 * "ifname eth1" and "mac 52:54:00:12:34:56" name a function through its
 * network interface, which is gone once the function is hidden: the next
 * boot's apply, or the next update-initramfs, could not tell which function
 * was meant.  Each time such a selector resolves, its function's stable
 * path ("0000:00:1c.0/00.0", see config_pci_path()) is remembered; when the
 * interface is missing, the remembered path is used instead (config.c says
 * when that is safe).
 *
 * The file is text, one entry a line, "SELECTOR PATH" with SELECTOR in
 * canonical form ("ifname eth1"); '#' lines are comments.  It is written
 * whole to a temporary file in the same directory and renamed over the old
 * one, so a crash leaves the old or the new file, never a mix.  Malformed
 * lines are dropped (the file is ours; a hand-edited line is at worst
 * forgotten).  At most MEMO_MAX entries: the oldest are dropped first.
 */
#ifndef PCIBACKCTL_MEMO_H
#define PCIBACKCTL_MEMO_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define MEMO_DEFAULT_FILE "/var/lib/pciback-nl/resolved"
#define MEMO_MAX 256

struct memo_entry {
	char sel[CONFIG_SEL_TEXT_MAX];
	char path[CONFIG_PATH_TEXT_MAX];
};

struct memo {
	size_t n;
	struct memo_entry e[MEMO_MAX];	/* oldest first */
	bool dirty;			/* changed since memo_load() */
};

/* Reads @file into *m; 0 also when it does not exist, else -errno. */
int memo_load(struct memo *m, const char *file);

/* The path remembered for the canonical selector @sel, or NULL. */
const char *memo_get(const struct memo *m, const char *sel);

/* Remembers @path for @sel (newest last); the oldest entry goes when full. */
void memo_put(struct memo *m, const char *sel, const char *path);

/*
 * Writes *m to @file when it changed (creating its directory, mode 0755):
 * 0 or -errno, with what failed in @why.
 */
int memo_save(struct memo *m, const char *file, char *why, size_t len);

#endif /* PCIBACKCTL_MEMO_H */
