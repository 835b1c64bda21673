/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layout of the ACPI IO Remapping Table (IORT): byte offsets of every field
 * the decoder reads, node types and flag bits.  Arm DEN 0049 "IO Remapping
 * Table Platform Design Document", revisions E.a to E.f (table revisions 0
 * to 6/7); each block names the specification's table or node title (their
 * section numbers moved between revisions).  Offsets of a node's fields are
 * from the start of that node, offsets of the table's from its start.
 */
#ifndef SMMU_FIRMWARE_IORT_REGS_H
#define SMMU_FIRMWARE_IORT_REGS_H

/* IORT header: the ACPI header, then: */
#define IORT_NODE_COUNT 36
#define IORT_NODE_OFFSET 40 /* of the first node, from the start of the table */
#define IORT_HEADER_SIZE 48 /* with 4 reserved bytes */

/* Node header, common to every node type. */
#define IORT_NODE_TYPE 0
#define IORT_NODE_LENGTH 1
#define IORT_NODE_REVISION 3
#define IORT_NODE_IDENTIFIER 4 /* reserved before E.c; 0 in older tables */
#define IORT_NODE_MAPPING_COUNT 8
#define IORT_NODE_MAPPING_OFFSET 12 /* of the ID mapping array, from the node */
#define IORT_NODE_HEADER_SIZE 16

#define IORT_TYPE_ITS_GROUP 0
#define IORT_TYPE_NAMED_COMPONENT 1
#define IORT_TYPE_ROOT_COMPLEX 2
#define IORT_TYPE_SMMU_V1V2 3
#define IORT_TYPE_SMMU_V3 4
#define IORT_TYPE_PMCG 5
#define IORT_TYPE_RMR 6

/* ID mapping: one array entry. */
#define IORT_ID_INPUT_BASE 0
#define IORT_ID_COUNT 4 /* the number of IDs in the range minus one */
#define IORT_ID_OUTPUT_BASE 8
#define IORT_ID_OUTPUT_REFERENCE 12 /* of the target node, from the table's start */
#define IORT_ID_FLAGS 16
#define IORT_ID_FLAGS_SINGLE_MAPPING (1u << 0)
#define IORT_ID_MAPPING_SIZE 20

/* ITS group node */
#define IORT_ITS_COUNT 16
#define IORT_ITS_IDS 20 /* u32 GIC ITS identifiers */
#define IORT_ITS_FIXED_SIZE 20
#define IORT_ITS_ID_SIZE 4

/* Memory access properties, part of named component and root
 * complex nodes (at their own offsets below). */
#define IORT_MEM_CACHE_COHERENT 0 /* u32: 1 = fully coherent */
#define IORT_MEM_ALLOC_HINTS 4	  /* u8 */
#define IORT_MEM_ACCESS_FLAGS 7	  /* u8 */

/* Named component node */
#define IORT_NC_NODE_FLAGS 16
#define IORT_NC_MEMORY_PROPERTIES 20
#define IORT_NC_ADDRESS_SIZE_LIMIT 28
#define IORT_NC_OBJECT_NAME 29 /* NUL-terminated, then padding */
#define IORT_NC_FIXED_SIZE 29

/* Root complex node */
#define IORT_RC_MEMORY_PROPERTIES 16
#define IORT_RC_ATS_ATTRIBUTE 24
#define IORT_RC_ATS_SUPPORTED (1u << 0)
#define IORT_RC_PCI_SEGMENT 28
#define IORT_RC_ADDRESS_SIZE_LIMIT 32 /* node revision 1 and later */
#define IORT_RC_PASID_CAPABILITIES 33 /* u16, node revision 3 and later */
#define IORT_RC_FLAGS 36	      /* u32, node revision 4 and later */
#define IORT_RC_FIXED_SIZE 36	      /* through 3 reserved bytes */
#define IORT_RC_FLAGS_END 40	      /* fixed part with the flags */
#define IORT_RC_PASID_REVISION 3
#define IORT_RC_FLAGS_REVISION 4

/* SMMUv1 or SMMUv2 node */
#define IORT_SMMU_BASE 16
#define IORT_SMMU_SPAN 24
#define IORT_SMMU_MODEL 32
#define IORT_SMMU_FLAGS 36
#define IORT_SMMU_GLOBAL_IRQ_OFFSET 40 /* of the 16-byte global interrupt array */
#define IORT_SMMU_CONTEXT_IRQ_COUNT 44
#define IORT_SMMU_CONTEXT_IRQ_OFFSET 48
#define IORT_SMMU_PMU_IRQ_COUNT 52
#define IORT_SMMU_PMU_IRQ_OFFSET 56
#define IORT_SMMU_FIXED_SIZE 60
#define IORT_SMMU_GLOBAL_IRQ_SIZE 16 /* NSgIrpt and NSgCfgIrpt, each GSIV + flags */
#define IORT_SMMU_IRQ_SIZE 8	     /* GSIV + flags */

/* SMMUv3 node */
#define IORT_SMMU3_BASE 16
#define IORT_SMMU3_FLAGS 24
#define IORT_SMMU3_FLAGS_COHACC_OVERRIDE (1u << 0)
#define IORT_SMMU3_FLAGS_HTTU_OVERRIDE (3u << 1)
#define IORT_SMMU3_FLAGS_PROXIMITY_VALID (1u << 3)
#define IORT_SMMU3_FLAGS_DEVICEID_VALID (1u << 4)
#define IORT_SMMU3_VATOS_ADDRESS 32
#define IORT_SMMU3_MODEL 40
#define IORT_SMMU3_EVENT_GSIV 44
#define IORT_SMMU3_PRI_GSIV 48
#define IORT_SMMU3_GERR_GSIV 52
#define IORT_SMMU3_SYNC_GSIV 56
#define IORT_SMMU3_FIXED_SIZE 60
#define IORT_SMMU3_PROXIMITY_DOMAIN 60 /* read when the node has room for it */
#define IORT_SMMU3_DEVICEID_INDEX 64   /* the same */
#define IORT_SMMU3_FULL_SIZE 68

/* PMCG node */
#define IORT_PMCG_PAGE0_BASE 16
#define IORT_PMCG_OVERFLOW_GSIV 24
#define IORT_PMCG_NODE_REFERENCE 28 /* the monitored node, from the table's start */
#define IORT_PMCG_FIXED_SIZE 32
#define IORT_PMCG_PAGE1_BASE 32 /* node revision 1 and later, when there is room */
#define IORT_PMCG_FULL_SIZE 40

/* Reserved memory range (RMR) node, table revision 3 (E.c) on */
#define IORT_RMR_FLAGS 16
#define IORT_RMR_FLAGS_REMAP_PERMITTED (1u << 0)
#define IORT_RMR_FLAGS_ACCESS_PRIVILEGED (1u << 1)
#define IORT_RMR_RANGE_COUNT 20
#define IORT_RMR_RANGE_OFFSET 24 /* of the descriptor array, from the node */
#define IORT_RMR_FIXED_SIZE 28

/* Memory range descriptor of an RMR node. */
#define IORT_RMR_RANGE_BASE 0
#define IORT_RMR_RANGE_LENGTH 8
#define IORT_RMR_RANGE_SIZE 20 /* with 4 reserved bytes */

#endif
