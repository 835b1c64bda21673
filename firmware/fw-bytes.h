/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Little-endian field readers for firmware tables.  ACPI structures are
 * packed and often unaligned (a DMAR RMRR of length 86 leaves the next
 * structure 2-byte aligned), so fields are assembled byte by byte, never read
 * through a cast pointer.  The caller has checked that the bytes exist.
 */
#ifndef SMMU_FIRMWARE_FW_BYTES_H
#define SMMU_FIRMWARE_FW_BYTES_H

#include <stdint.h>

static inline uint16_t fw_get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

static inline uint32_t fw_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t fw_get_le64(const uint8_t *p)
{
	return (uint64_t)fw_get_le32(p) | (uint64_t)fw_get_le32(p + 4) << 32;
}

#endif
