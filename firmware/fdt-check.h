/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bounds check of a flattened device tree's blocks and structure tags,
 * written here because libfdt cannot be trusted with hostile blobs on its
 * own: Debian 12's libfdt 1.6.1 loops forever in fdt_next_tag() on a
 * property length near 2^32 (the offset arithmetic wraps) and its
 * fdt_check_full() dereferences NULL on some pre-v17 blobs, both found by
 * fuzz-fdt.  After this check every tag, name and property lies inside its
 * block, so libfdt's walkers only ever move forward inside the blob.
 */
#ifndef SMMU_FIRMWARE_FDT_CHECK_H
#define SMMU_FIRMWARE_FDT_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/fw-error.h"

int fw_fdt_check_structure(const uint8_t *blob, size_t total, struct fw_error *err);

#endif
