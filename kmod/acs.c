// SPDX-License-Identifier: GPL-2.0
/*
 * Device-specific ACS rules: a port of pci_dev_specific_acs_enabled(), its
 * table pci_dev_acs_enabled[] and its quirk functions (drivers/pci/quirks.c,
 * identical in Linux 6.1 and 6.12: 132 entries).  The PCI core does not
 * export them, and pci_acs_enabled() asks them before anything else, so the
 * engine (group.c) must make the same decisions to form the same groups.
 *
 * Plain C over the topology snapshot of group.h, like group.c: no
 * allocation, no locks; built into the module and into the userspace tests.
 *
 * The table keeps the kernel's order (the first quirk that decides wins) and
 * one entry a line, "{ VENDOR, DEVICE, PBNL_ACSQ_NAME },", vendors as numbers
 * with the kernel's macro in a comment: scripts/acs-table-check.sh compares
 * it with the table of every linux-source tarball present, and the quirk
 * names below with the kernel's function names.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#else
#include <errno.h>
#endif

#include "group.h"

/* PCI_ANY_ID as the table's u16 compares it */
#define PBNL_ACS_ANY_ID		0xffff

/* The quirk functions, named after the kernel's. */
enum pbnl_acsq {
	PBNL_ACSQ_AMD_SB,
	PBNL_ACSQ_MF_ENDPOINT,
	PBNL_ACSQ_RCIEP,
	PBNL_ACSQ_QCOM_RP,
	PBNL_ACSQ_INTEL_PCH,
	PBNL_ACSQ_INTEL_SPT_PCH,
	PBNL_ACSQ_CAVIUM,
	PBNL_ACSQ_XGENE,
	PBNL_ACSQ_BRCM,
	PBNL_ACSQ_LOONGSON,
	PBNL_ACSQ_AL,
	PBNL_ACSQ_NXP_RP,
	PBNL_ACSQ_ZHAOXIN_PCIE_PORTS,
	PBNL_ACSQ_WANGXUN_NIC,
	PBNL_ACSQ_NR,
};

static const char * const pbnl_acsq_names[PBNL_ACSQ_NR] = {
	[PBNL_ACSQ_AMD_SB] = "pci_quirk_amd_sb_acs",
	[PBNL_ACSQ_MF_ENDPOINT] = "pci_quirk_mf_endpoint_acs",
	[PBNL_ACSQ_RCIEP] = "pci_quirk_rciep_acs",
	[PBNL_ACSQ_QCOM_RP] = "pci_quirk_qcom_rp_acs",
	[PBNL_ACSQ_INTEL_PCH] = "pci_quirk_intel_pch_acs",
	[PBNL_ACSQ_INTEL_SPT_PCH] = "pci_quirk_intel_spt_pch_acs",
	[PBNL_ACSQ_CAVIUM] = "pci_quirk_cavium_acs",
	[PBNL_ACSQ_XGENE] = "pci_quirk_xgene_acs",
	[PBNL_ACSQ_BRCM] = "pci_quirk_brcm_acs",
	[PBNL_ACSQ_LOONGSON] = "pci_quirk_loongson_acs",
	[PBNL_ACSQ_AL] = "pci_quirk_al_acs",
	[PBNL_ACSQ_NXP_RP] = "pci_quirk_nxp_rp_acs",
	[PBNL_ACSQ_ZHAOXIN_PCIE_PORTS] = "pci_quirk_zhaoxin_pcie_ports_acs",
	[PBNL_ACSQ_WANGXUN_NIC] = "pci_quirk_wangxun_nic_acs",
};

struct pbnl_acs_entry {
	u16 vendor;
	u16 device;
	u8 quirk;		/* enum pbnl_acsq */
};

/* pci_dev_acs_enabled[] */
static const struct pbnl_acs_entry pbnl_acs_table[] = {
	{ 0x1002, 0x4385, PBNL_ACSQ_AMD_SB },	/* PCI_VENDOR_ID_ATI */
	{ 0x1002, 0x439c, PBNL_ACSQ_AMD_SB },	/* PCI_VENDOR_ID_ATI */
	{ 0x1002, 0x4383, PBNL_ACSQ_AMD_SB },	/* PCI_VENDOR_ID_ATI */
	{ 0x1002, 0x439d, PBNL_ACSQ_AMD_SB },	/* PCI_VENDOR_ID_ATI */
	{ 0x1002, 0x4384, PBNL_ACSQ_AMD_SB },	/* PCI_VENDOR_ID_ATI */
	{ 0x1002, 0x4399, PBNL_ACSQ_AMD_SB },	/* PCI_VENDOR_ID_ATI */
	{ 0x1022, 0x780f, PBNL_ACSQ_AMD_SB },	/* PCI_VENDOR_ID_AMD */
	{ 0x1022, 0x7809, PBNL_ACSQ_AMD_SB },	/* PCI_VENDOR_ID_AMD */
	{ 0x1924, 0x0903, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_SOLARFLARE */
	{ 0x1924, 0x0923, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_SOLARFLARE */
	{ 0x1924, 0x0a03, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_SOLARFLARE */
	{ 0x8086, 0x10c6, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x10db, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x10dd, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x10e1, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x10f1, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x10f7, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x10f8, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x10f9, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x10fa, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x10fb, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x10fc, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x1507, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x1514, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x151c, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x1529, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x152a, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x154d, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x154f, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x1551, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x1558, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	/* 82580 */
	{ 0x8086, 0x1509, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x150e, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x150f, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x1510, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x1511, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x1516, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x1527, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	/* 82576 */
	{ 0x8086, 0x10c9, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x10e6, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x10e7, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x10e8, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x150a, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x150d, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x1518, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x1526, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	/* 82575 */
	{ 0x8086, 0x10a7, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x10a9, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x10d6, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	/* I350 */
	{ 0x8086, 0x1521, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x1522, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x1523, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x1524, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	/* 82571 (Quads omitted due to non-ACS switch) */
	{ 0x8086, 0x105e, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x105f, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x1060, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x10d9, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	/* I219 */
	{ 0x8086, 0x15b7, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, 0x15b8, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, PBNL_ACS_ANY_ID, PBNL_ACSQ_RCIEP },	/* PCI_VENDOR_ID_INTEL */
	/* QCOM QDF2xxx root ports */
	{ 0x17cb, 0x0400, PBNL_ACSQ_QCOM_RP },	/* PCI_VENDOR_ID_QCOM */
	{ 0x17cb, 0x0401, PBNL_ACSQ_QCOM_RP },	/* PCI_VENDOR_ID_QCOM */
	/* QCOM SA8775P root port */
	{ 0x17cb, 0x0115, PBNL_ACSQ_QCOM_RP },	/* PCI_VENDOR_ID_QCOM */
	/* QCOM Hamoa root port */
	{ 0x17cb, 0x0111, PBNL_ACSQ_QCOM_RP },	/* PCI_VENDOR_ID_QCOM */
	/* QCOM Glymur root port */
	{ 0x17cb, 0x0120, PBNL_ACSQ_QCOM_RP },	/* PCI_VENDOR_ID_QCOM */
	/* HXT SD4800 root ports. The ACS design is same as QCOM QDF2xxx */
	{ 0x1dbf, 0x0401, PBNL_ACSQ_QCOM_RP },	/* PCI_VENDOR_ID_HXT */
	/* Intel PCH root ports */
	{ 0x8086, PBNL_ACS_ANY_ID, PBNL_ACSQ_INTEL_PCH },	/* PCI_VENDOR_ID_INTEL */
	{ 0x8086, PBNL_ACS_ANY_ID, PBNL_ACSQ_INTEL_SPT_PCH },	/* PCI_VENDOR_ID_INTEL */
	{ 0x19a2, 0x0710, PBNL_ACSQ_MF_ENDPOINT },	/* Emulex BE3-R */
	{ 0x10df, 0x0720, PBNL_ACSQ_MF_ENDPOINT },	/* Emulex Skyhawk-R */
	/* Cavium ThunderX */
	{ 0x177d, PBNL_ACS_ANY_ID, PBNL_ACSQ_CAVIUM },	/* PCI_VENDOR_ID_CAVIUM */
	/* Cavium multi-function devices */
	{ 0x177d, 0xa026, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_CAVIUM */
	{ 0x177d, 0xa059, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_CAVIUM */
	{ 0x177d, 0xa060, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_CAVIUM */
	/* APM X-Gene */
	{ 0x10e8, 0xe004, PBNL_ACSQ_XGENE },	/* PCI_VENDOR_ID_AMCC */
	/* Ampere Computing */
	{ 0x1def, 0xe005, PBNL_ACSQ_XGENE },	/* PCI_VENDOR_ID_AMPERE */
	{ 0x1def, 0xe006, PBNL_ACSQ_XGENE },	/* PCI_VENDOR_ID_AMPERE */
	{ 0x1def, 0xe007, PBNL_ACSQ_XGENE },	/* PCI_VENDOR_ID_AMPERE */
	{ 0x1def, 0xe008, PBNL_ACSQ_XGENE },	/* PCI_VENDOR_ID_AMPERE */
	{ 0x1def, 0xe009, PBNL_ACSQ_XGENE },	/* PCI_VENDOR_ID_AMPERE */
	{ 0x1def, 0xe00a, PBNL_ACSQ_XGENE },	/* PCI_VENDOR_ID_AMPERE */
	{ 0x1def, 0xe00b, PBNL_ACSQ_XGENE },	/* PCI_VENDOR_ID_AMPERE */
	{ 0x1def, 0xe00c, PBNL_ACSQ_XGENE },	/* PCI_VENDOR_ID_AMPERE */
	/* Broadcom multi-function device */
	{ 0x14e4, 0x16d7, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_BROADCOM */
	{ 0x14e4, 0x1750, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_BROADCOM */
	{ 0x14e4, 0x1751, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_BROADCOM */
	{ 0x14e4, 0x1752, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_BROADCOM */
	{ 0x14e4, 0x1760, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_BROADCOM */
	{ 0x14e4, 0x1761, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_BROADCOM */
	{ 0x14e4, 0x1762, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_BROADCOM */
	{ 0x14e4, 0x1763, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_BROADCOM */
	{ 0x14e4, 0xd714, PBNL_ACSQ_BRCM },	/* PCI_VENDOR_ID_BROADCOM */
	/* Loongson PCIe Root Ports */
	{ 0x0014, 0x3c09, PBNL_ACSQ_LOONGSON },	/* PCI_VENDOR_ID_LOONGSON */
	{ 0x0014, 0x3c19, PBNL_ACSQ_LOONGSON },	/* PCI_VENDOR_ID_LOONGSON */
	{ 0x0014, 0x3c29, PBNL_ACSQ_LOONGSON },	/* PCI_VENDOR_ID_LOONGSON */
	{ 0x0014, 0x7a09, PBNL_ACSQ_LOONGSON },	/* PCI_VENDOR_ID_LOONGSON */
	{ 0x0014, 0x7a19, PBNL_ACSQ_LOONGSON },	/* PCI_VENDOR_ID_LOONGSON */
	{ 0x0014, 0x7a29, PBNL_ACSQ_LOONGSON },	/* PCI_VENDOR_ID_LOONGSON */
	{ 0x0014, 0x7a39, PBNL_ACSQ_LOONGSON },	/* PCI_VENDOR_ID_LOONGSON */
	{ 0x0014, 0x7a49, PBNL_ACSQ_LOONGSON },	/* PCI_VENDOR_ID_LOONGSON */
	{ 0x0014, 0x7a59, PBNL_ACSQ_LOONGSON },	/* PCI_VENDOR_ID_LOONGSON */
	{ 0x0014, 0x7a69, PBNL_ACSQ_LOONGSON },	/* PCI_VENDOR_ID_LOONGSON */
	/* Amazon Annapurna Labs */
	{ 0x1c36, 0x0031, PBNL_ACSQ_AL },	/* PCI_VENDOR_ID_AMAZON_ANNAPURNA_LABS */
	/* Zhaoxin multi-function devices */
	{ 0x1d17, 0x3038, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_ZHAOXIN */
	{ 0x1d17, 0x3104, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_ZHAOXIN */
	{ 0x1d17, 0x9083, PBNL_ACSQ_MF_ENDPOINT },	/* PCI_VENDOR_ID_ZHAOXIN */
	/* NXP root ports, xx=16, 12, or 08 cores */
	/* LX2xx0A : without security features + CAN-FD */
	{ 0x1957, 0x8d81, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	{ 0x1957, 0x8da1, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	{ 0x1957, 0x8d83, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	/* LX2xx0C : security features + CAN-FD */
	{ 0x1957, 0x8d80, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	{ 0x1957, 0x8da0, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	{ 0x1957, 0x8d82, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	/* LX2xx0E : security features + CAN */
	{ 0x1957, 0x8d90, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	{ 0x1957, 0x8db0, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	{ 0x1957, 0x8d92, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	/* LX2xx0N : without security features + CAN */
	{ 0x1957, 0x8d91, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	{ 0x1957, 0x8db1, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	{ 0x1957, 0x8d93, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	/* LX2xx2A : without security features + CAN-FD */
	{ 0x1957, 0x8d89, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	{ 0x1957, 0x8da9, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	{ 0x1957, 0x8d8b, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	/* LX2xx2C : security features + CAN-FD */
	{ 0x1957, 0x8d88, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	{ 0x1957, 0x8da8, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	{ 0x1957, 0x8d8a, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	/* LX2xx2E : security features + CAN */
	{ 0x1957, 0x8d98, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	{ 0x1957, 0x8db8, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	{ 0x1957, 0x8d9a, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	/* LX2xx2N : without security features + CAN */
	{ 0x1957, 0x8d99, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	{ 0x1957, 0x8db9, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	{ 0x1957, 0x8d9b, PBNL_ACSQ_NXP_RP },	/* PCI_VENDOR_ID_NXP */
	/* Zhaoxin Root/Downstream Ports */
	{ 0x1d17, PBNL_ACS_ANY_ID, PBNL_ACSQ_ZHAOXIN_PCIE_PORTS },	/* PCI_VENDOR_ID_ZHAOXIN */
	/* Wangxun nics */
	{ 0x8088, PBNL_ACS_ANY_ID, PBNL_ACSQ_WANGXUN_NIC },	/* PCI_VENDOR_ID_WANGXUN */
};

/* pci_pcie_type(): 0 for a conventional function (pcie_flags_reg is 0) */
static u8 acs_pcie_type(const struct pbnl_topo_fn *f)
{
	return (f->flags & PBNL_TOPO_PCIE) ? f->pcie_type : 0;
}

static bool acs_is_pcie_type(const struct pbnl_topo_fn *f, u8 type)
{
	return (f->flags & PBNL_TOPO_PCIE) && f->pcie_type == type;
}

/* pci_acs_ctrl_enabled() */
static int acs_ctrl_enabled(u16 acs_ctrl_req, u16 acs_ctrl_ena)
{
	if ((acs_ctrl_req & acs_ctrl_ena) == acs_ctrl_req)
		return 1;
	return 0;
}

#define ACS_SV_RR_CR_UF \
	(PBNL_ACS_SV | PBNL_ACS_RR | PBNL_ACS_CR | PBNL_ACS_UF)

/*
 * pci_quirk_amd_sb_acs(): multifunction devices of AMD southbridges on the
 * root bus, when ACPI has an IVRS table (an AMD IOMMU).  The kernel's
 * -ENODEV (and its answer without CONFIG_ACPI, where the module reports no
 * IVRS table) lets the search go on, as -ENOTTY does.
 */
static int acs_amd_sb(const struct pbnl_topo *topo,
		      const struct pbnl_topo_fn *f, u16 acs_flags)
{
	if (!(f->flags & PBNL_TOPO_MULTIFUNCTION) ||
	    !(f->flags & PBNL_TOPO_ROOT_BUS))
		return -ENODEV;
	if (!(topo->platform & PBNL_PLAT_ACPI_IVRS))
		return -ENODEV;
	/* Filter out flags not applicable to multifunction */
	acs_flags &= PBNL_ACS_RR | PBNL_ACS_CR | PBNL_ACS_EC | PBNL_ACS_DT;
	return acs_ctrl_enabled(acs_flags, PBNL_ACS_RR | PBNL_ACS_CR);
}

/* pci_quirk_cavium_acs_match(), pci_quirk_cavium_acs() */
static int acs_cavium(const struct pbnl_topo_fn *f, u16 acs_flags)
{
	if (!acs_is_pcie_type(f, PBNL_PCIE_ROOT_PORT))
		return -ENOTTY;
	switch (f->device) {
	case 0xa000 ... 0xa7ff:	/* ThunderX1 */
	case 0xaf84:		/* ThunderX2 */
	case 0xb884:		/* ThunderX3 */
		return acs_ctrl_enabled(acs_flags, ACS_SV_RR_CR_UF);
	default:
		return -ENOTTY;
	}
}

/*
 * pci_quirk_zhaoxin_pcie_ports_acs(): root and downstream ports; those not
 * listed get false (0), not -ENOTTY.
 */
static int acs_zhaoxin_pcie_ports(const struct pbnl_topo_fn *f, u16 acs_flags)
{
	if (!acs_is_pcie_type(f, PBNL_PCIE_ROOT_PORT) &&
	    !acs_is_pcie_type(f, PBNL_PCIE_DOWNSTREAM))
		return -ENOTTY;
	switch (f->device) {
	case 0x0710 ... 0x071e:
	case 0x0721:
	case 0x0723 ... 0x0752:
		return acs_ctrl_enabled(acs_flags, ACS_SV_RR_CR_UF);
	}
	return 0;
}

/* pci_quirk_intel_pch_acs_ids[] */
static const u16 acs_intel_pch_ids[] = {
	/* Ibexpeak PCH */
	0x3b42, 0x3b43, 0x3b44, 0x3b45, 0x3b46, 0x3b47, 0x3b48, 0x3b49,
	0x3b4a, 0x3b4b, 0x3b4c, 0x3b4d, 0x3b4e, 0x3b4f, 0x3b50, 0x3b51,
	/* Cougarpoint PCH */
	0x1c10, 0x1c11, 0x1c12, 0x1c13, 0x1c14, 0x1c15, 0x1c16, 0x1c17,
	0x1c18, 0x1c19, 0x1c1a, 0x1c1b, 0x1c1c, 0x1c1d, 0x1c1e, 0x1c1f,
	/* Pantherpoint PCH */
	0x1e10, 0x1e11, 0x1e12, 0x1e13, 0x1e14, 0x1e15, 0x1e16, 0x1e17,
	0x1e18, 0x1e19, 0x1e1a, 0x1e1b, 0x1e1c, 0x1e1d, 0x1e1e, 0x1e1f,
	/* Lynxpoint-H PCH */
	0x8c10, 0x8c11, 0x8c12, 0x8c13, 0x8c14, 0x8c15, 0x8c16, 0x8c17,
	0x8c18, 0x8c19, 0x8c1a, 0x8c1b, 0x8c1c, 0x8c1d, 0x8c1e, 0x8c1f,
	/* Lynxpoint-LP PCH */
	0x9c10, 0x9c11, 0x9c12, 0x9c13, 0x9c14, 0x9c15, 0x9c16, 0x9c17,
	0x9c18, 0x9c19, 0x9c1a, 0x9c1b,
	/* Wildcat PCH */
	0x9c90, 0x9c91, 0x9c92, 0x9c93, 0x9c94, 0x9c95, 0x9c96, 0x9c97,
	0x9c98, 0x9c99, 0x9c9a, 0x9c9b,
	/* Patsburg (X79) PCH */
	0x1d10, 0x1d12, 0x1d14, 0x1d16, 0x1d18, 0x1d1a, 0x1d1c, 0x1d1e,
	/* Wellsburg (X99) PCH */
	0x8d10, 0x8d11, 0x8d12, 0x8d13, 0x8d14, 0x8d15, 0x8d16, 0x8d17,
	0x8d18, 0x8d19, 0x8d1a, 0x8d1b, 0x8d1c, 0x8d1d, 0x8d1e,
	/* Lynx Point (9 series) PCH */
	0x8c90, 0x8c92, 0x8c94, 0x8c96, 0x8c98, 0x8c9a, 0x8c9c, 0x8c9e,
};

/*
 * pci_quirk_intel_pch_acs_match(), pci_quirk_intel_pch_acs(): root ports
 * without an ACS capability; isolated once pci_quirk_enable_intel_pch_acs()
 * has run (PCI_DEV_FLAGS_ACS_ENABLED_QUIRK), else not at all.
 */
static int acs_intel_pch(const struct pbnl_topo_fn *f, u16 acs_flags)
{
	unsigned int i;

	if (!acs_is_pcie_type(f, PBNL_PCIE_ROOT_PORT))
		return -ENOTTY;
	for (i = 0; i < ARRAY_SIZE(acs_intel_pch_ids); i++)
		if (acs_intel_pch_ids[i] == f->device)
			break;
	if (i == ARRAY_SIZE(acs_intel_pch_ids))
		return -ENOTTY;
	if (f->flags & PBNL_TOPO_ACS_ENABLED_QUIRK)
		return acs_ctrl_enabled(acs_flags, ACS_SV_RR_CR_UF);
	return acs_ctrl_enabled(acs_flags, 0);
}

/* pci_quirk_al_acs() */
static int acs_al(const struct pbnl_topo_fn *f, u16 acs_flags)
{
	if (acs_pcie_type(f) != PBNL_PCIE_ROOT_PORT)
		return -ENOTTY;
	acs_flags &= ~ACS_SV_RR_CR_UF;
	return acs_flags ? 0 : 1;
}

/*
 * pci_quirk_intel_spt_pch_acs_match(), pci_quirk_intel_spt_pch_acs():
 * Sunrise/Union Point root ports keep ACS capability and control in dwords,
 * control at capability + 8.  The kernel passes the u32 registers to the
 * u16 parameters: only their low halves count.
 */
static int acs_intel_spt_pch(const struct pbnl_topo_fn *f, u16 acs_flags)
{
	if (!acs_is_pcie_type(f, PBNL_PCIE_ROOT_PORT))
		return -ENOTTY;
	switch (f->device) {
	case 0xa110 ... 0xa11f: case 0xa167 ... 0xa16a: /* Sunrise Point */
	case 0xa290 ... 0xa29f: case 0xa2e7 ... 0xa2ee: /* Union Point */
	case 0x9d10 ... 0x9d1b: /* 7th & 8th Gen Mobile */
		break;
	default:
		return -ENOTTY;
	}
	if (!(f->flags & PBNL_TOPO_ACS_CAP))
		return -ENOTTY;
	/* see pci_acs_flags_enabled() */
	acs_flags &= (u16)(f->acs_cap_dw | PBNL_ACS_EC);
	return acs_ctrl_enabled(acs_flags, (u16)f->acs_ctrl_dw);
}

/* pci_quirk_rciep_acs(): Intel RCiEPs */
static int acs_rciep(const struct pbnl_topo_fn *f, u16 acs_flags)
{
	if (acs_pcie_type(f) != PBNL_PCIE_RC_END)
		return -ENOTTY;
	return acs_ctrl_enabled(acs_flags, ACS_SV_RR_CR_UF);
}

/* pci_quirk_wangxun_nic_acs(): those not listed get false (0). */
static int acs_wangxun_nic(const struct pbnl_topo_fn *f, u16 acs_flags)
{
	switch (f->device) {
	case 0x0100 ... 0x010F: /* EM */
	case 0x1001: case 0x2001: /* SP */
	case 0x5010: case 0x5025: case 0x5040: /* AML */
	case 0x5110: case 0x5125: case 0x5140: /* AML */
		return acs_ctrl_enabled(acs_flags, ACS_SV_RR_CR_UF);
	}
	return 0;
}

static int acs_call(const struct pbnl_topo *topo, const struct pbnl_topo_fn *f,
		    enum pbnl_acsq q, u16 acs_flags)
{
	switch (q) {
	case PBNL_ACSQ_AMD_SB:
		return acs_amd_sb(topo, f, acs_flags);
	case PBNL_ACSQ_MF_ENDPOINT:
		/* pci_quirk_mf_endpoint_acs(): no peer-to-peer between functions */
		return acs_ctrl_enabled(acs_flags,
					ACS_SV_RR_CR_UF | PBNL_ACS_TB |
					PBNL_ACS_DT);
	case PBNL_ACSQ_RCIEP:
		return acs_rciep(f, acs_flags);
	case PBNL_ACSQ_INTEL_PCH:
		return acs_intel_pch(f, acs_flags);
	case PBNL_ACSQ_INTEL_SPT_PCH:
		return acs_intel_spt_pch(f, acs_flags);
	case PBNL_ACSQ_CAVIUM:
		return acs_cavium(f, acs_flags);
	case PBNL_ACSQ_AL:
		return acs_al(f, acs_flags);
	case PBNL_ACSQ_ZHAOXIN_PCIE_PORTS:
		return acs_zhaoxin_pcie_ports(f, acs_flags);
	case PBNL_ACSQ_WANGXUN_NIC:
		return acs_wangxun_nic(f, acs_flags);
	case PBNL_ACSQ_QCOM_RP:		/* pci_quirk_qcom_rp_acs() */
	case PBNL_ACSQ_XGENE:		/* pci_quirk_xgene_acs() */
	case PBNL_ACSQ_BRCM:		/* pci_quirk_brcm_acs() */
	case PBNL_ACSQ_LOONGSON:	/* pci_quirk_loongson_acs() */
	case PBNL_ACSQ_NXP_RP:		/* pci_quirk_nxp_rp_acs() */
		return acs_ctrl_enabled(acs_flags, ACS_SV_RR_CR_UF);
	default:
		return -ENOTTY;
	}
}

int pbnl_acs_quirk(const struct pbnl_topo *topo, int idx, u16 acs_flags,
		   const char **quirk)
{
	const struct pbnl_topo_fn *f = &topo->fn[idx];
	const struct pbnl_acs_entry *e;
	unsigned int i;
	int ret;

	if (quirk)
		*quirk = NULL;
	for (i = 0; i < ARRAY_SIZE(pbnl_acs_table); i++) {
		e = &pbnl_acs_table[i];
		if ((e->vendor != f->vendor && e->vendor != PBNL_ACS_ANY_ID) ||
		    (e->device != f->device && e->device != PBNL_ACS_ANY_ID))
			continue;
		ret = acs_call(topo, f, e->quirk, acs_flags);
		if (ret >= 0) {
			if (quirk)
				*quirk = pbnl_acsq_names[e->quirk];
			return ret;
		}
	}
	return -1;
}
