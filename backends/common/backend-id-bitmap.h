/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tags a unit gives its domains (VT-d domain ids, SMMUv3 ASIDs or VMIDs), handed out from
 * a bitmap the unit owns: bit n set means tag n is in use.  Tag 0 is never handed out; each
 * backend says why (vtd.h, "Domain ids"; smmuv3.h: the blocking domain's).
 */
#ifndef SMMU_BACKENDS_COMMON_BACKEND_ID_BITMAP_H
#define SMMU_BACKENDS_COMMON_BACKEND_ID_BITMAP_H

#include <stdint.h>

int backend_id_alloc(uint64_t *bitmap, unsigned id_count, uint16_t *ret_id);
void backend_id_free(uint64_t *bitmap, unsigned id_count, uint16_t id);

#endif
