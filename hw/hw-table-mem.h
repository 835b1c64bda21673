/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Table memory: the pages an IOMMU reads (root, context, page tables, queues), carved out of
 * one physical range that nothing else uses (STYLE.md 7: never malloc).  A bitmap page
 * allocator over a linear window of the range: every block is a power of two of 4 KiB pages,
 * aligned to its size in physical address, zeroed, and visible to the IOMMU before it is
 * handed out.
 *
 * Its shape is pgtable's struct pt_allocator, so a backend builds one in a few lines:
 *
 *	static int tables_alloc(void *ctx, size_t size, void **cpu, uint64_t *pa)
 *	{
 *		return hw_table_alloc(ctx, size, cpu, pa);
 *	}
 *	static void tables_free(void *ctx, void *cpu, uint64_t pa, size_t size)
 *	{
 *		hw_table_free(ctx, cpu, pa, size);
 *	}
 *	...
 *	hw_table_mem_linear(mem, &alloc.linear_cpu_base, &alloc.linear_pa_base);
 *	alloc.alloc = tables_alloc, alloc.free = tables_free, alloc.ctx = mem;
 *
 * Not thread-safe (the service is single-threaded).
 *
 * Owner: the creator; hw_table_mem_destroy() frees the bitmap.  The window belongs to the
 * bus and lives until hw_close(), which must come after.
 */
#ifndef SMMU_HW_HW_TABLE_MEM_H
#define SMMU_HW_HW_TABLE_MEM_H

#include <stddef.h>
#include <stdint.h>

struct hw_bus;
struct strbuf;

/* The allocation unit: the smallest page every IOMMU table format uses. */
#define HW_TABLE_PAGE_SIZE 4096u
/*
 * Largest range one allocator manages.  Tables for every device of a large server fit in a
 * few hundred MiB; 4 GiB bounds the bitmap at 128 KiB.
 */
#define HW_TABLE_MEM_MAX_SIZE (4ull << 30)

struct hw_table_mem;

int hw_table_mem_create(struct hw_bus *bus, uint64_t pa, uint64_t size,
			struct hw_table_mem **ret_mem, struct strbuf *why);
void hw_table_mem_destroy(struct hw_table_mem *mem);
int hw_table_alloc(struct hw_table_mem *mem, size_t size, void **ret_cpu, uint64_t *ret_pa);
void hw_table_free(struct hw_table_mem *mem, void *cpu, uint64_t pa, size_t size);
void hw_table_mem_sync(const void *cpu, size_t size);
void *hw_table_pa_to_cpu(const struct hw_table_mem *mem, uint64_t pa);
void hw_table_mem_linear(const struct hw_table_mem *mem, void **ret_cpu_base,
			 uint64_t *ret_pa_base);
size_t hw_table_mem_in_use(const struct hw_table_mem *mem);

#endif
