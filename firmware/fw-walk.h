/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The two-walk pattern of the ACPI decoders (dmar.c, iort.c): the first walk validates every
 * length and counts what it finds, the second fills arrays allocated to exactly those counts
 * and counts again.  So a malformed table is refused before anything is allocated.  This is
 * the step between the walks; the walks themselves are each table's.
 */
#ifndef SMMU_FIRMWARE_FW_WALK_H
#define SMMU_FIRMWARE_FW_WALK_H

#include <stddef.h>

void *fw_walk_array(size_t *count, size_t item_size, int *status);

#endif
