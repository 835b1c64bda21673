/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Table memory from ordinary host memory, for tests and benchmarks: one reserved mapping whose
 * "physical" addresses are a fake but consistent linear image of it, placed low enough for a
 * 32-bit output size.  No IOMMU ever reads it.  It can fail its N-th allocation on request,
 * and under AddressSanitizer freed tables are poisoned, so a use after free is caught.
 */
#ifndef SMMU_PGTABLE_PT_HOST_MEM_H
#define SMMU_PGTABLE_PT_HOST_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "pgtable/pgtable.h"

/* Where the fake physical addresses start: not 0, so a zero address is never a table. */
#define PT_HOST_MEM_PA_BASE 0x40000000ull

struct pt_host_mem;

int pt_host_mem_create(size_t pool_size, struct pt_host_mem **ret_mem);
void pt_host_mem_destroy(struct pt_host_mem *mem);
void pt_host_mem_allocator(struct pt_host_mem *mem, struct pt_allocator *ret_alloc);
void pt_host_mem_fail_after(struct pt_host_mem *mem, long countdown);
size_t pt_host_mem_in_use(const struct pt_host_mem *mem);

#endif
