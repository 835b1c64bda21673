/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The table-memory page allocator (see hw-table-mem.h).  One bit per 4 KiB page, first fit.
 * Table memory is small (a few MiB to a few hundred) and allocations are rare next to the
 * mapping work they serve, so a linear scan that skips full words is enough, and it keeps
 * the allocator small enough to check by reading.
 */
#include "hw/hw-table-mem.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "common/alloc.h"
#include "common/compiler.h"
#include "common/strbuf.h"
#include "hw/hw.h"

#define BITS_PER_WORD 64u

/* Owner: see hw-table-mem.h.  Bit i of the bitmap set = page i of the range handed out. */
struct hw_table_mem {
	char *cpu; /* the window onto the whole range */
	uint64_t pa;
	uint64_t size;
	size_t page_count;
	uint64_t *bitmap;
	size_t in_use; /* bytes handed out */
};

static bool page_used(const struct hw_table_mem *m, size_t page)
{
	return m->bitmap[page / BITS_PER_WORD] & ((uint64_t)1 << (page % BITS_PER_WORD));
}

static void set_pages(struct hw_table_mem *m, size_t first, size_t count, bool used)
{
	for (size_t page = first; page < first + count; page++) {
		uint64_t bit = (uint64_t)1 << (page % BITS_PER_WORD);

		if (used) {
			m->bitmap[page / BITS_PER_WORD] |= bit;
		} else {
			m->bitmap[page / BITS_PER_WORD] &= ~bit;
		}
	}
}

static bool pages_free(const struct hw_table_mem *m, size_t first, size_t count)
{
	size_t page = first;

	while (page < first + count) {
		if (page % BITS_PER_WORD == 0 && first + count - page >= BITS_PER_WORD) {
			if (m->bitmap[page / BITS_PER_WORD]) {
				return false;
			}
			page += BITS_PER_WORD;
			continue;
		}
		if (page_used(m, page)) {
			return false;
		}
		page++;
	}
	return true;
}

/* First free page, skipping full words; page_count when there is none. */
static size_t first_free_page(const struct hw_table_mem *m)
{
	size_t words = (m->page_count + BITS_PER_WORD - 1) / BITS_PER_WORD;

	for (size_t w = 0; w < words; w++) {
		if (m->bitmap[w] != UINT64_MAX) {
			size_t page = w * BITS_PER_WORD + (size_t)__builtin_ctzll(~m->bitmap[w]);

			return page < m->page_count ? page : m->page_count;
		}
	}
	return m->page_count;
}

/**
 * hw_table_mem_create() - an allocator over physical [pa, pa + size), reached through the
 * bus's memory window.  pa and size are multiples of 4 KiB; size at most
 * HW_TABLE_MEM_MAX_SIZE.  The range's contents are left as they are until allocated.
 * Return: 0 and *ret_mem; -EINVAL for a bad range; the window's error (-ERANGE outside RAM,
 * -EOPNOTSUPP without a window); -ENOMEM; each with a sentence in `why` (may be NULL).
 */
int hw_table_mem_create(struct hw_bus *bus, uint64_t pa, uint64_t size,
			struct hw_table_mem **ret_mem, struct strbuf *why)
{
	uint64_t end;
	void *cpu;

	if (size == 0 || size > HW_TABLE_MEM_MAX_SIZE || pa % HW_TABLE_PAGE_SIZE ||
	    size % HW_TABLE_PAGE_SIZE || __builtin_add_overflow(pa, size, &end)) {
		if (why) {
			strbuf_printf(why,
				      "table memory [0x%" PRIx64 ", +0x%" PRIx64
				      "): start and size must be multiples of 4 KiB, the size "
				      "between 4 KiB and 4 GiB",
				      pa, size);
		}
		return -EINVAL;
	}
	int r = hw_mem_map(bus, pa, (size_t)size, &cpu);

	if (r < 0) {
		if (why) {
			strbuf_printf(why, "table memory: %s", hw_bus_error(bus));
		}
		return r;
	}
	struct hw_table_mem *m = smmu_calloc(1, sizeof(*m));

	if (!m) {
		return -ENOMEM;
	}
	m->cpu = cpu;
	m->pa = pa;
	m->size = size;
	m->page_count = (size_t)(size / HW_TABLE_PAGE_SIZE);
	m->bitmap =
		smmu_calloc((m->page_count + BITS_PER_WORD - 1) / BITS_PER_WORD, sizeof(uint64_t));
	if (!m->bitmap) {
		smmu_free(m);
		return -ENOMEM;
	}
	*ret_mem = m;
	return 0;
}

/** hw_table_mem_destroy() - forget the allocator (not the memory).  Accepts NULL. */
void hw_table_mem_destroy(struct hw_table_mem *mem)
{
	if (!mem) {
		return;
	}
	smmu_free(mem->bitmap);
	smmu_free(mem);
}

/**
 * hw_table_alloc() - `size` bytes (a power of two, at least 4 KiB) of zeroed table memory
 * whose physical address is aligned to `size`, already visible as zero to the IOMMU.
 * Return: 0 with *ret_cpu and *ret_pa; -EINVAL for a bad size; -ENOMEM when no aligned run
 * of free pages is left.
 */
int hw_table_alloc(struct hw_table_mem *mem, size_t size, void **ret_cpu, uint64_t *ret_pa)
{
	if (size < HW_TABLE_PAGE_SIZE || (size & (size - 1)) || size > mem->size) {
		return -EINVAL;
	}
	size_t pages = size / HW_TABLE_PAGE_SIZE;
	size_t first;

	if (pages == 1) {
		first = first_free_page(mem);
	} else {
		/* Alignment is in physical address, so the first candidate depends on pa. */
		size_t base_page = (size_t)(mem->pa / HW_TABLE_PAGE_SIZE);

		first = (pages - base_page % pages) % pages;
		while (first + pages <= mem->page_count && !pages_free(mem, first, pages)) {
			first += pages;
		}
	}
	if (first + pages > mem->page_count) {
		return -ENOMEM;
	}
	set_pages(mem, first, pages, true);
	mem->in_use += size;

	char *cpu = mem->cpu + first * HW_TABLE_PAGE_SIZE;

	memset(cpu, 0, size);
	hw_table_mem_sync(cpu, size);
	*ret_cpu = cpu;
	*ret_pa = mem->pa + (uint64_t)first * HW_TABLE_PAGE_SIZE;
	return 0;
}

/**
 * hw_table_free() - give back a block from hw_table_alloc() once the IOMMU can no longer
 * reach it.  A block that was not handed out is a bug of ours: caught in debug builds,
 * ignored otherwise (the pages stay allocated, which is the safe way to be wrong).
 */
void hw_table_free(struct hw_table_mem *mem, void *cpu, uint64_t pa, size_t size)
{
	if (NEVER(size < HW_TABLE_PAGE_SIZE || (size & (size - 1)) || pa < mem->pa || pa % size ||
		  pa - mem->pa > mem->size || size > mem->size - (pa - mem->pa) ||
		  (char *)cpu != mem->cpu + (pa - mem->pa))) {
		return;
	}
	size_t first = (size_t)((pa - mem->pa) / HW_TABLE_PAGE_SIZE);
	size_t pages = size / HW_TABLE_PAGE_SIZE;

	for (size_t page = first; page < first + pages; page++) {
		if (NEVER(!page_used(mem, page))) {
			return;
		}
	}
	set_pages(mem, first, pages, false);
	mem->in_use -= size;
}

/**
 * hw_table_mem_sync() - order CPU writes to table memory before whatever tells the IOMMU to
 * read them (a register write).  Both windows are uncached or shared with the model (devmem
 * maps O_SYNC; qtest's RAM file is QEMU's own memory), so a fence is all it takes; the call
 * exists so that pgtable's sync hook and backends say where the ordering matters.
 */
void hw_table_mem_sync(const void *cpu, size_t size)
{
	(void)cpu;
	(void)size;
	atomic_thread_fence(memory_order_seq_cst);
}

/** hw_table_pa_to_cpu() - CPU address of table memory at `pa`; NULL outside the range. */
void *hw_table_pa_to_cpu(const struct hw_table_mem *mem, uint64_t pa)
{
	if (pa < mem->pa || pa - mem->pa >= mem->size) {
		return NULL;
	}
	return mem->cpu + (pa - mem->pa);
}

/** hw_table_mem_linear() - the window is linear: cpu = cpu_base + (pa - pa_base). */
void hw_table_mem_linear(const struct hw_table_mem *mem, void **ret_cpu_base, uint64_t *ret_pa_base)
{
	*ret_cpu_base = mem->cpu;
	*ret_pa_base = mem->pa;
}

/** hw_table_mem_in_use() - bytes handed out and not yet freed. */
size_t hw_table_mem_in_use(const struct hw_table_mem *mem)
{
	return mem->in_use;
}
