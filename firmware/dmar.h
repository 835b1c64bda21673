/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoder of the ACPI DMAR table (Intel VT-d spec chapter 8): remapping
 * units (DRHD) with their device scopes, reserved memory regions (RMRR), root
 * port ATS (ATSR), NUMA affinity (RHSA), ACPI namespace devices (ANDD), SoC
 * ATC (SATC) and SoC device properties (SIDP), as plain data.
 *
 * The input is untrusted (a file, /sys/firmware/acpi/tables/DMAR, a virtual
 * board's fw_cfg): every length is checked before a field is read, unaligned
 * structures are read byte-wise, structure types newer than this decoder are
 * skipped by their length.  It does not resolve scope paths through bridges
 * by itself (that needs PCI configuration space, see fw_dmar_scope_resolve())
 * and does not decide policy: which unit covers which device, and whether
 * the user configuration overrides the table, is for its callers.
 */
#ifndef SMMU_FIRMWARE_DMAR_H
#define SMMU_FIRMWARE_DMAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/limits.h"
#include "firmware/acpi-table.h"
#include "firmware/dmar-regs.h"
#include "firmware/fw-error.h"

/* One step of a device-scope path: a device and function on the current bus. */
struct fw_dmar_path_entry {
	uint8_t device;
	uint8_t function;
};

/*
 * A device scope (§8.3.1).  `path[0]` is on `start_bus`; each further entry
 * is on the secondary bus of the bridge named by the entry before it.
 */
struct fw_dmar_scope {
	uint32_t offset; /* of the scope, from the start of the table */
	uint8_t type;	 /* DMAR_SCOPE_TYPE_*; reserved values are kept as read */
	uint8_t length;
	uint8_t flags;		/* non-zero only in scopes of newer structure types */
	uint8_t enumeration_id; /* IOAPIC id, HPET number, ACPI device number */
	uint8_t start_bus;
	uint8_t path_count; /* 1 .. SMMU_FW_DMAR_MAX_PATH */
	struct fw_dmar_path_entry path[SMMU_FW_DMAR_MAX_PATH];
};

/* The scopes of one structure: fw_dmar.scopes[first .. first + count - 1]. */
struct fw_dmar_scope_range {
	uint32_t first;
	uint32_t count;
};

/* DRHD: one remapping unit. */
struct fw_dmar_drhd {
	uint32_t offset;
	uint16_t length;
	uint8_t flags;	    /* DMAR_DRHD_FLAGS_INCLUDE_PCI_ALL */
	uint8_t size_field; /* raw; 2^(bits 3:0) 4 KiB pages, 0 in tables before rev. 3.0 */
	uint16_t segment;
	uint64_t register_base; /* non-zero, 4 KiB aligned */
	struct fw_dmar_scope_range scopes;
};

/* RMRR: memory its devices may use for DMA before and after we take over. */
struct fw_dmar_rmrr {
	uint32_t offset;
	uint16_t length;
	uint16_t segment;
	uint64_t start; /* the spec's Base Address */
	uint64_t last;	/* the spec's Limit Address, inclusive; >= start */
	struct fw_dmar_scope_range scopes;
};

/* ATSR: root ports whose devices may use ATS. */
struct fw_dmar_atsr {
	uint32_t offset;
	uint16_t length;
	uint8_t flags; /* DMAR_ATSR_FLAGS_ALL_PORTS */
	uint16_t segment;
	struct fw_dmar_scope_range scopes;
};

/* RHSA: the NUMA proximity domain of the unit at `register_base`. */
struct fw_dmar_rhsa {
	uint32_t offset;
	uint16_t length;
	uint64_t register_base;
	uint32_t proximity_domain;
};

/* ANDD: the ACPI object behind ACPI-namespace scopes of the same number. */
struct fw_dmar_andd {
	uint32_t offset;
	uint16_t length;
	uint8_t device_number;
	char object_name[SMMU_FW_ACPI_MAX_NAME + 1]; /* up to the first NUL */
};

/* SATC: SoC-integrated devices with an address translation cache. */
struct fw_dmar_satc {
	uint32_t offset;
	uint16_t length;
	uint8_t flags; /* DMAR_SATC_FLAGS_ATC_REQUIRED */
	uint16_t segment;
	struct fw_dmar_scope_range scopes;
};

/* SIDP: SoC-integrated devices with properties in their scope flags. */
struct fw_dmar_sidp {
	uint32_t offset;
	uint16_t length;
	uint16_t segment;
	struct fw_dmar_scope_range scopes;
};

/* A remapping structure in table order; `index` points into the array of
 * its type (drhds, rmrrs, ...) and is 0 for types this decoder skips. */
struct fw_dmar_struct {
	uint32_t offset;
	uint16_t type;
	uint16_t length;
	uint32_t index;
	bool known;
};

/*
 * A decoded DMAR.  Owner: the caller; every array belongs to this struct and
 * fw_dmar_fini() frees them all.  Arrays are NULL when their count is 0.
 */
struct fw_dmar {
	struct fw_acpi_header header;
	uint8_t host_address_width; /* in bits: the table's field plus one */
	uint8_t flags;		    /* DMAR_FLAGS_* */
	bool reserved_nonzero;	    /* bytes 38..47 were not all 0 (kept, not an error) */

	struct fw_dmar_struct *structs;
	size_t struct_count;
	size_t unknown_count; /* structures of types after SIDP, skipped */

	struct fw_dmar_drhd *drhds;
	size_t drhd_count;
	struct fw_dmar_rmrr *rmrrs;
	size_t rmrr_count;
	struct fw_dmar_atsr *atsrs;
	size_t atsr_count;
	struct fw_dmar_rhsa *rhsas;
	size_t rhsa_count;
	struct fw_dmar_andd *andds;
	size_t andd_count;
	struct fw_dmar_satc *satcs;
	size_t satc_count;
	struct fw_dmar_sidp *sidps;
	size_t sidp_count;

	struct fw_dmar_scope *scopes;
	size_t scope_count;
};

/* fw_dmar_parse() flags. */
enum {
	FW_DMAR_ACCEPT_BAD_CHECKSUM = FW_ACPI_ACCEPT_BAD_CHECKSUM,
};

int fw_dmar_parse(const void *table, size_t size, unsigned flags, struct fw_dmar *ret_dmar,
		  struct fw_error *err);
void fw_dmar_fini(struct fw_dmar *dmar);

/* "DRHD", "RMRR", ... for types 0-6, "unknown" otherwise. */
const char *fw_dmar_type_name(uint16_t type);
/* "PCI Endpoint Device", ... for scope types 1-5, "reserved" otherwise. */
const char *fw_dmar_scope_type_name(uint8_t type);

/* A PCI function: the requester ID a VT-d unit sees, plus its segment. */
struct fw_pci_bdf {
	uint16_t segment;
	uint8_t bus;
	uint8_t device;	  /* 0..31 */
	uint8_t function; /* 0..7 */
};

/*
 * Reads the secondary bus number of the PCI bridge `bridge` (config space
 * offset 0x19).  Returns 0 or -errno.
 */
typedef int (*fw_pci_read_secondary_bus_fn)(void *ctx, struct fw_pci_bdf bridge, uint8_t *ret_bus);

int fw_dmar_scope_resolve(const struct fw_dmar_scope *scope, uint16_t segment,
			  fw_pci_read_secondary_bus_fn read_secondary_bus, void *ctx,
			  struct fw_pci_bdf *ret_bdf);

#endif
