/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Validation of the ACPI table header, before any table-specific decoder
 * reads a byte of the body.  Pure function of the bytes given; allocates
 * nothing.
 */
#include "acpi-table.h"

#include <errno.h>
#include <string.h>

#include "common/limits.h"
#include "firmware/fw-bytes.h"

/*
 * Checks the header of the ACPI table in `table` (`size` bytes, untrusted):
 * at least 36 bytes, the 4-character `signature`, a length field of at least
 * `min_length` that fits within `size` and SMMU_FW_ACPI_MAX_TABLE_SIZE, and
 * the checksum unless `flags` has FW_ACPI_ACCEPT_BAD_CHECKSUM.  Bytes after
 * the length field's end are not part of the table and are ignored.
 *
 * Returns 0 and fills *ret_header, or -EINVAL with `err` (may be NULL)
 * naming the offset of the bad field.
 */
int fw_acpi_table_check(const void *table, size_t size, const char *signature, size_t min_length,
			unsigned flags, struct fw_acpi_header *ret_header, struct fw_error *err)
{
	const uint8_t *t = table;
	struct fw_acpi_header h = {0};
	uint8_t sum = 0;

	if (size < ACPI_HDR_SIZE) {
		fw_error_set(err, size,
			     "table ends after %zu bytes, inside the %d-byte ACPI header", size,
			     ACPI_HDR_SIZE);
		return -EINVAL;
	}
	if (memcmp(t + ACPI_HDR_SIGNATURE, signature, 4) != 0) {
		fw_error_set(err, ACPI_HDR_SIGNATURE,
			     "signature is %02x %02x %02x %02x, expected \"%.4s\"", t[0], t[1],
			     t[2], t[3], signature);
		return -EINVAL;
	}
	h.length = fw_get_le32(t + ACPI_HDR_LENGTH);
	if (h.length < min_length) {
		fw_error_set(err, ACPI_HDR_LENGTH,
			     "length field %u is less than the %zu-byte fixed part of %.4s",
			     h.length, min_length, signature);
		return -EINVAL;
	}
	if (h.length > size) {
		fw_error_set(err, ACPI_HDR_LENGTH,
			     "length field %u runs past the end of the %zu bytes given", h.length,
			     size);
		return -EINVAL;
	}
	if (h.length > SMMU_FW_ACPI_MAX_TABLE_SIZE) {
		fw_error_set(err, ACPI_HDR_LENGTH, "length field %u exceeds the limit of %u bytes",
			     h.length, SMMU_FW_ACPI_MAX_TABLE_SIZE);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < h.length; i++) {
		sum = (uint8_t)(sum + t[i]);
	}
	h.checksum = t[ACPI_HDR_CHECKSUM];
	h.checksum_ok = sum == 0;
	if (!h.checksum_ok && !(flags & FW_ACPI_ACCEPT_BAD_CHECKSUM)) {
		fw_error_set(err, ACPI_HDR_CHECKSUM,
			     "checksum byte 0x%02x leaves a byte sum of 0x%02x, not 0", h.checksum,
			     sum);
		return -EINVAL;
	}
	memcpy(h.signature, t + ACPI_HDR_SIGNATURE, 4);
	h.revision = t[ACPI_HDR_REVISION];
	memcpy(h.oem_id, t + ACPI_HDR_OEM_ID, 6);
	memcpy(h.oem_table_id, t + ACPI_HDR_OEM_TABLE_ID, 8);
	h.oem_revision = fw_get_le32(t + ACPI_HDR_OEM_REVISION);
	memcpy(h.creator_id, t + ACPI_HDR_CREATOR_ID, 4);
	h.creator_revision = fw_get_le32(t + ACPI_HDR_CREATOR_REVISION);
	*ret_header = h;
	return 0;
}
