/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoder of the ACPI IO Remapping Table (IORT, Arm DEN 0049): ITS groups,
 * named components, PCI root complexes, SMMUv1/v2 and SMMUv3 units,
 * performance monitor counter groups (PMCG), reserved memory ranges (RMR)
 * and every node's ID mappings, as plain data, with each output reference
 * resolved to the index of the node it names.
 *
 * The input is untrusted (a file, /sys/firmware/acpi/tables/IORT, a virtual
 * board's fw_cfg): every length and offset is checked before a field is
 * read, nodes are read byte-wise at any alignment, node types newer than
 * this decoder are skipped by their length, and references that leave the
 * table, do not name a node or form a loop are refused.  It does not decide
 * policy: which devices a configuration puts behind which SMMU is for its
 * callers (fw_iort_map_id() follows the mappings for them).
 */
#ifndef SMMU_FIRMWARE_IORT_H
#define SMMU_FIRMWARE_IORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/limits.h"
#include "firmware/acpi-table.h"
#include "firmware/fw-error.h"
#include "firmware/iort-regs.h"

/* One ID mapping: input IDs [input_base, input_base + id_count] of its node
 * are output IDs output_base... of nodes[output_node]. */
struct fw_iort_id_mapping {
	uint32_t offset; /* of the mapping, from the start of the table */
	uint32_t input_base;
	uint32_t id_count; /* the raw field: the number of IDs minus one */
	uint32_t output_base;
	uint32_t output_reference; /* the raw field: the target's table offset */
	uint32_t output_node;	   /* index of that node in fw_iort.nodes */
	uint32_t flags;		   /* IORT_ID_FLAGS_SINGLE_MAPPING */
};

/* Memory access properties of named components and root complexes. */
struct fw_iort_memory_properties {
	uint32_t cache_coherent;
	uint8_t alloc_hints;
	uint8_t access_flags;
};

struct fw_iort_its_group {
	uint32_t its_count;
	uint32_t first_its; /* index into fw_iort.its_ids */
};

struct fw_iort_named_component {
	uint32_t node_flags;
	struct fw_iort_memory_properties memory;
	uint8_t address_size_limit;
	char object_name[SMMU_FW_ACPI_MAX_NAME + 1]; /* up to the first NUL */
};

struct fw_iort_root_complex {
	struct fw_iort_memory_properties memory;
	uint32_t ats_attribute; /* IORT_RC_ATS_SUPPORTED */
	uint32_t pci_segment;
	uint8_t address_size_limit;
	uint16_t pasid_capabilities; /* node revision 3 on, else 0 */
	uint32_t flags;		     /* node revision 4 on, else 0 */
};

struct fw_iort_smmu_v1v2 {
	uint64_t base;
	uint64_t span;
	uint32_t model;
	uint32_t flags;
	uint32_t context_interrupt_count;
	uint32_t pmu_interrupt_count;
};

struct fw_iort_smmu_v3 {
	uint64_t base;
	uint32_t flags; /* IORT_SMMU3_FLAGS_* */
	uint64_t vatos_address;
	uint32_t model;
	uint32_t event_gsiv;
	uint32_t pri_gsiv;
	uint32_t gerr_gsiv;
	uint32_t sync_gsiv;
	uint32_t proximity_domain;	  /* 0 when the node has no room for it */
	uint32_t device_id_mapping_index; /* < mapping_count when DEVICEID_VALID */
};

struct fw_iort_pmcg {
	uint64_t page0_base;
	uint32_t overflow_gsiv;
	uint32_t node_reference; /* the raw field */
	uint32_t node_index;	 /* the monitored node in fw_iort.nodes */
	uint64_t page1_base;	 /* 0 when the node has no room for it */
};

/* A reserved memory range: [base, base + length), kept as read. */
struct fw_iort_rmr_range {
	uint32_t offset; /* of the descriptor, from the start of the table */
	uint64_t base;
	uint64_t length;
};

struct fw_iort_rmr {
	uint32_t flags; /* IORT_RMR_FLAGS_* */
	uint32_t range_count;
	uint32_t first_range; /* index into fw_iort.rmr_ranges */
};

/* A node in table order.  Its mappings are fw_iort.mappings[first_mapping
 * .. first_mapping + mapping_count - 1]; `known` is false for types after
 * RMR, whose union is unused. */
struct fw_iort_node {
	uint32_t offset;
	uint8_t type;
	uint16_t length;
	uint8_t revision;
	uint32_t identifier;
	uint32_t mapping_count;
	uint32_t mapping_offset; /* raw: of the mapping array, from the node */
	uint32_t first_mapping;
	bool known;
	union {
		struct fw_iort_its_group its_group;
		struct fw_iort_named_component named_component;
		struct fw_iort_root_complex root_complex;
		struct fw_iort_smmu_v1v2 smmu_v1v2;
		struct fw_iort_smmu_v3 smmu_v3;
		struct fw_iort_pmcg pmcg;
		struct fw_iort_rmr rmr;
	};
};

/*
 * A decoded IORT.  Owner: the caller; every array belongs to this struct and
 * fw_iort_fini() frees them all.  Arrays are NULL when their count is 0.
 */
struct fw_iort {
	struct fw_acpi_header header;
	uint32_t node_offset; /* the header's field */

	struct fw_iort_node *nodes;
	size_t node_count; /* the header's field: every node was decoded */
	size_t unknown_count;

	struct fw_iort_id_mapping *mappings;
	size_t mapping_count;
	uint32_t *its_ids;
	size_t its_id_count;
	struct fw_iort_rmr_range *rmr_ranges;
	size_t rmr_range_count;
};

/* fw_iort_parse() flags. */
enum {
	FW_IORT_ACCEPT_BAD_CHECKSUM = FW_ACPI_ACCEPT_BAD_CHECKSUM,
};

int fw_iort_parse(const void *table, size_t size, unsigned flags, struct fw_iort *ret_iort,
		  struct fw_error *err);
void fw_iort_fini(struct fw_iort *iort);

/* "ITS Group", "Named Component", ... for types 0-6, "unknown" otherwise. */
const char *fw_iort_type_name(uint8_t type);

/* The node at table offset `offset`, or NULL. */
const struct fw_iort_node *fw_iort_node_at(const struct fw_iort *iort, uint32_t offset);

int fw_iort_map_id(const struct fw_iort *iort, uint32_t node, uint32_t input_id, uint32_t *ret_node,
		   uint32_t *ret_id);

#endif
