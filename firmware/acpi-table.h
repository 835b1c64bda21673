/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The standard ACPI table header (ACPI 6.5 §5.2.6, "System Description Table
 * Header"), shared by the DMAR and IORT decoders: signature, length within
 * the bytes given, checksum.  It does not know any table's body.
 */
#ifndef SMMU_FIRMWARE_ACPI_TABLE_H
#define SMMU_FIRMWARE_ACPI_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firmware/fw-error.h"

/* ACPI 6.5 §5.2.6, Table 5.4: field offsets of the 36-byte header. */
#define ACPI_HDR_SIGNATURE 0
#define ACPI_HDR_LENGTH 4
#define ACPI_HDR_REVISION 8
#define ACPI_HDR_CHECKSUM 9
#define ACPI_HDR_OEM_ID 10
#define ACPI_HDR_OEM_TABLE_ID 16
#define ACPI_HDR_OEM_REVISION 24
#define ACPI_HDR_CREATOR_ID 28
#define ACPI_HDR_CREATOR_REVISION 32
#define ACPI_HDR_SIZE 36

/*
 * The decoded header.  The character fields are the raw bytes plus a NUL, so
 * they may contain NULs of their own (padding in OEM table IDs is common).
 */
struct fw_acpi_header {
	char signature[4 + 1];
	uint32_t length; /* the length field; the table is exactly this long */
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6 + 1];
	char oem_table_id[8 + 1];
	uint32_t oem_revision;
	char creator_id[4 + 1];
	uint32_t creator_revision;
	bool checksum_ok; /* the 8-bit sum of the `length` bytes is 0 */
};

/*
 * Decoder flags.  By default a table whose bytes do not sum to 0 is refused:
 * the usual cause is a corrupted or truncated copy (a wrong --dmar file, a
 * short read), and a table we cannot trust decides which devices escape
 * translation.  ACCEPT_BAD_CHECKSUM decodes it anyway and leaves
 * checksum_ok false, for inspection tools and for firmware that never fills
 * the byte in (Linux warns and uses such tables).
 */
enum {
	FW_ACPI_ACCEPT_BAD_CHECKSUM = 1u << 0,
};

int fw_acpi_table_check(const void *table, size_t size, const char *signature, size_t min_length,
			unsigned flags, struct fw_acpi_header *ret_header, struct fw_error *err);

#endif
