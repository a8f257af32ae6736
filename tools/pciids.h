/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pciids.h - vendor, device and class names from the PCI ID database
 * (libpci's pci_lookup_name, libpci loaded when opened).  Never fatal:
 * without libpci or pci.ids, or when libpci reports an error, every
 * lookup returns NULL and callers show hex ids instead.
 */
#ifndef PCIBACKCTL_PCIIDS_H
#define PCIBACKCTL_PCIIDS_H

#include <stdint.h>

struct pciids;

/*
 * @ids_file: an ID list to use instead of the system's, and then that file
 * only (no udev hwdb); NULL for libpci's defaults.  NULL: names unavailable.
 */
struct pciids *pciids_open(const char *ids_file);
void pciids_close(struct pciids *ids);

/* Each returns a malloc'd name for the caller to free, NULL when unknown. */
char *pciids_vendor(struct pciids *ids, uint32_t vendor);
char *pciids_device(struct pciids *ids, uint32_t vendor, uint32_t device);
char *pciids_class(struct pciids *ids, uint32_t class_code);	/* 24-bit */

#endif /* PCIBACKCTL_PCIIDS_H */
