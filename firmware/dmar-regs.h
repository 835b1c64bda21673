/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layout of the ACPI DMA Remapping Reporting table (DMAR): byte offsets of
 * every field the decoder reads, structure sizes and flag bits.  Intel
 * Virtualization Technology for Directed I/O Architecture Specification
 * (rev. 4.1), chapter 8 "BIOS Considerations"; ACPICA names in
 * acpica:source/include/actbl1.h.  Offsets of a structure's fields are from
 * the start of that structure.
 */
#ifndef SMMU_FIRMWARE_DMAR_REGS_H
#define SMMU_FIRMWARE_DMAR_REGS_H

/* §8.1 DMA Remapping Reporting Structure: the ACPI header, then: */
#define DMAR_HOST_ADDRESS_WIDTH 36 /* the width in bits minus one */
#define DMAR_FLAGS 37
#define DMAR_FLAGS_INTR_REMAP (1u << 0)
#define DMAR_FLAGS_X2APIC_OPT_OUT (1u << 1)
#define DMAR_FLAGS_DMA_CTRL_PLATFORM_OPT_IN (1u << 2)
#define DMAR_RESERVED 38
#define DMAR_RESERVED_SIZE 10
#define DMAR_HEADER_SIZE 48 /* the first remapping structure starts here */

/* §8.2 Remapping Structure Types: every structure starts with these. */
#define DMAR_STRUCT_TYPE 0
#define DMAR_STRUCT_LENGTH 2
#define DMAR_STRUCT_HEADER_SIZE 4
#define DMAR_TYPE_DRHD 0
#define DMAR_TYPE_RMRR 1
#define DMAR_TYPE_ATSR 2
#define DMAR_TYPE_RHSA 3
#define DMAR_TYPE_ANDD 4
#define DMAR_TYPE_SATC 5
#define DMAR_TYPE_SIDP 6

/* §8.3 DMA Remapping Hardware Unit Definition Structure */
#define DMAR_DRHD_FLAGS 4
#define DMAR_DRHD_FLAGS_INCLUDE_PCI_ALL (1u << 0)
#define DMAR_DRHD_SIZE 5 /* bits 3:0: register set is 2^N 4 KiB pages (rev. 3.0+) */
#define DMAR_DRHD_SIZE_PAGES_LG2 0x0fu
#define DMAR_DRHD_SEGMENT 6
#define DMAR_DRHD_REGISTER_BASE 8
#define DMAR_DRHD_FIXED_SIZE 16

/* §8.3.1 Device Scope Structure */
#define DMAR_SCOPE_TYPE 0
#define DMAR_SCOPE_TYPE_PCI_ENDPOINT 1
#define DMAR_SCOPE_TYPE_PCI_SUB_HIERARCHY 2
#define DMAR_SCOPE_TYPE_IOAPIC 3
#define DMAR_SCOPE_TYPE_HPET 4
#define DMAR_SCOPE_TYPE_ACPI_NAMESPACE 5
#define DMAR_SCOPE_LENGTH 1
#define DMAR_SCOPE_FLAGS 2
#define DMAR_SCOPE_ENUMERATION_ID 4
#define DMAR_SCOPE_START_BUS 5
#define DMAR_SCOPE_PATH 6 /* {u8 device, u8 function} pairs up to the length */
#define DMAR_SCOPE_HEADER_SIZE 6
#define DMAR_SCOPE_PATH_ENTRY_SIZE 2

/* §8.4 Reserved Memory Region Reporting Structure */
#define DMAR_RMRR_SEGMENT 6
#define DMAR_RMRR_BASE 8
#define DMAR_RMRR_LIMIT 16 /* inclusive */
#define DMAR_RMRR_FIXED_SIZE 24

/* §8.5 Root Port ATS Capability Reporting Structure */
#define DMAR_ATSR_FLAGS 4
#define DMAR_ATSR_FLAGS_ALL_PORTS (1u << 0)
#define DMAR_ATSR_SEGMENT 6
#define DMAR_ATSR_FIXED_SIZE 8

/* §8.6 Remapping Hardware Static Affinity Structure */
#define DMAR_RHSA_REGISTER_BASE 8
#define DMAR_RHSA_PROXIMITY_DOMAIN 16
#define DMAR_RHSA_FIXED_SIZE 20

/* §8.7 ACPI Name-space Device Declaration Structure */
#define DMAR_ANDD_DEVICE_NUMBER 7
#define DMAR_ANDD_OBJECT_NAME 8 /* NUL-terminated, may be padded with NULs */
#define DMAR_ANDD_FIXED_SIZE 8

/* §8.8 SoC Integrated Address Translation Cache Reporting Structure */
#define DMAR_SATC_FLAGS 4
#define DMAR_SATC_FLAGS_ATC_REQUIRED (1u << 0)
#define DMAR_SATC_SEGMENT 6
#define DMAR_SATC_FIXED_SIZE 8

/* §8.9 SoC Integrated Device Property Reporting Structure (rev. 4.1) */
#define DMAR_SIDP_SEGMENT 6
#define DMAR_SIDP_FIXED_SIZE 8

#endif
