/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The page-table library: IOMMU translation tables in the formats the backends program (Intel
 * VT-d second-level, ARM VMSAv8-64 LPAE stage 1 and stage 2), built by one generic engine from a
 * per-format description (levels, bits per level, PTE encoding).
 *
 * What it does: map, unmap (splitting blocks, freeing tables that become empty), translate,
 * walk and dump, and report in a gather what the IOMMU must invalidate afterwards.
 * What it does not do: touch registers or issue invalidations (the backend does, from the
 * gather), lock (the service is single-threaded; callers serialise), or obtain memory the
 * IOMMU can read (the caller's struct pt_allocator supplies it; hw/ on real machines).
 *
 * Conventions (STYLE.md 4): functions return 0 or -errno; ranges are [iova, iova + len - 1];
 * len == 0, an address or length that is not a multiple of the smallest page, or a prot the
 * format cannot express are errors; a failed map or unmap leaves the tables as they were.
 * Addresses are plain uint64_t: input addresses (IOVA, or IPA at stage 2) are named `iova`,
 * output addresses `pa`.
 */
#ifndef SMMU_PGTABLE_PGTABLE_H
#define SMMU_PGTABLE_PGTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The most levels any format walks (VT-d 5-level paging). */
#define PT_MAX_LEVELS 5

enum pt_format {
	PT_FORMAT_VTD_SL = 1, /* Intel VT-d second-level tables, 3, 4 or 5 levels */
	PT_FORMAT_LPAE_S1,    /* ARM VMSAv8-64 stage 1 (SMMUv3 CD.TTB0) */
	PT_FORMAT_LPAE_S2,    /* ARM VMSAv8-64 stage 2 (SMMUv3 STE.S2TTB), concatenated start */
};

/*
 * Access and memory type of a mapping.  A format that cannot express a request answers
 * -EOPNOTSUPP rather than grant more (write-only at LPAE stage 1, PRIV outside stage 1).
 * Without MMIO or NOCACHE the target is normal write-back cacheable memory.
 */
enum {
	PT_PROT_READ = 1u << 0,
	PT_PROT_WRITE = 1u << 1,
	PT_PROT_NOEXEC = 1u << 2,  /* no instruction fetch (LPAE XN; VT-d never grants execute) */
	PT_PROT_MMIO = 1u << 3,	   /* device memory (LPAE Device-nGnRE; VT-d: no memory type) */
	PT_PROT_NOCACHE = 1u << 4, /* normal non-cacheable memory */
	PT_PROT_PRIV = 1u << 5,	   /* LPAE stage 1 only: privileged accesses only (AP[1] = 0) */
	PT_PROT_ALL = (1u << 6) - 1,
};

/*
 * MAIR value matching the AttrIndx values stage-1 entries use: index 0 normal write-back
 * read/write-allocate (0xff), 1 normal non-cacheable (0x44), 2 Device-nGnRE (0x04).  The
 * backend programs it into CD.MAIR0 (Arm ARM D8.5 "Memory region attributes", MAIR_ELx).
 */
#define PT_LPAE_MAIR 0x0444ffull

/* What a page table looks like; the input of pt_space_create(). */
struct pt_cfg {
	enum pt_format format;
	/* log2 of the smallest page: 12 (VT-d, LPAE 4K), 14 (LPAE 16K), 16 (LPAE 64K); 0 = 12. */
	unsigned granule_lg2;
	/* Input address bits: VT-d 39, 48 or 57 (3, 4, 5 levels); LPAE 32..48. */
	unsigned ias;
	/* Output address bits: VT-d the host address width, 32..52; LPAE 32..48. */
	unsigned oas;
	/*
	 * Page sizes the unit allows, a bit per size (bit n = 2^n bytes); 0 means every size the
	 * format has.  Must include the smallest page.  VT-d: CAP.SLLPS decides 2 MiB and 1 GiB.
	 */
	uint64_t pgsize_bitmap;
};

/*
 * Table memory, supplied by the caller (hw/ on real machines, pt_host_mem in tests).
 * Copied into the space at creation; ctx must outlive the space.
 */
struct pt_allocator {
	/*
	 * Hands out `size` bytes (a power of two, at least 4 KiB) of zeroed memory whose physical
	 * address is aligned to `size` and which a non-coherent walker already sees as zero.
	 * Returns 0 and writes *ret_cpu and *ret_pa, or -ENOMEM.
	 */
	int (*alloc)(void *ctx, size_t size, void **ret_cpu, uint64_t *ret_pa);
	/* Takes back memory from alloc once the IOMMU can no longer reach it. */
	void (*free)(void *ctx, void *cpu, uint64_t pa, size_t size);
	/*
	 * Makes CPU writes to [cpu, cpu + size) visible to a walker that does not snoop caches;
	 * NULL when walks are coherent.  Called once per run of entries written, never per page.
	 */
	void (*sync)(void *ctx, const void *cpu, size_t size);
	/*
	 * CPU address of table memory at `pa`.  NULL means the memory is one linear mapping:
	 * cpu = linear_cpu_base + (pa - linear_pa_base), the fast case.
	 */
	void *(*pa_to_cpu)(void *ctx, uint64_t pa);
	void *linear_cpu_base;
	uint64_t linear_pa_base;
	void *ctx;
};

/* One page table (an address space): its root and every table below.  Opaque. */
struct pt_space;

/*
 * What a backend needs to point the IOMMU at the table.
 */
struct pt_info {
	uint64_t root_pa;
	size_t root_size;	   /* bytes, all concatenated start tables together */
	unsigned level_count;	   /* levels walked from the root to the smallest page */
	unsigned start_level;	   /* LPAE: lookup level of the root (0..3); VT-d: level_count */
	unsigned root_table_count; /* LPAE stage 2: tables concatenated at the start level */
	unsigned ias;
	unsigned oas;
	unsigned granule_lg2;
	uint64_t pgsize_bitmap; /* page sizes this table uses */
	size_t table_count;	/* tables held, root included, parked ones included */
	uint64_t table_bytes;	/* bytes of table memory held */
};

/* One leaf entry, as pt_walk() and pt_lookup() report it. */
struct pt_leaf {
	uint64_t iova; /* first address the entry maps (may be below the walked range) */
	uint64_t pa;
	uint64_t size;
	unsigned level; /* 0 = smallest page, counting up */
	unsigned prot;	/* PT_PROT_* decoded from the entry */
	uint64_t pte;	/* the raw entry, host byte order */
};

/*
 * Invalidation gather: what the IOMMU may still cache after unmaps, for the backend to
 * invalidate once, after any number of operations.  Ranges are sorted, disjoint and never
 * adjacent (adjacent ones are coalesced).  When more than PT_GATHER_MAX_RANGES would be needed
 * the closest ones merge across their gap and `coarse` says the ranges now cover more than
 * was removed.  Tables unlinked by unmap are parked here and freed by pt_gather_release(),
 * after the backend has invalidated: a walker may still hold a pointer to them until then.
 *
 * Owner: the caller, usually on its stack.  pt_gather_init() before use; pt_gather_release()
 * after invalidating, before the space is destroyed.  One gather serves one space.
 *
 * A batch of unmaps (a client's request to remove a buffer page by page) uses
 * pt_gather_init_batch() instead, and pt_unmap_settle() after the last unmap, before
 * invalidating: one-page unmaps then clear their entry without asking whether its table
 * became empty, and the settle unlinks the tables that did, once per batch.  In between the
 * tree may hold an empty table (pt_check() says so); translations are exact all along.
 */
#define PT_GATHER_MAX_RANGES 8

struct pt_range {
	uint64_t start;
	uint64_t last;
};

struct pt_gather {
	struct pt_range range[PT_GATHER_MAX_RANGES];
	unsigned range_count;
	bool coarse;	   /* ranges cover more than was removed */
	bool tables_freed; /* paging-structure caches hold stale entries for the ranges too */
	/* Parked tables, linked through their first two words; private to the library. */
	struct pt_space *space;
	void *parked_cpu;
	uint64_t parked_pa;
	size_t parked_count;
	/* A batch (pt_gather_init_batch()): the table of smallest pages a one-page unmap may
	 * have emptied, and the address it maps from; private to the library. */
	bool batch;
	uint64_t *unsettled;
	uint64_t unsettled_base;
};

/* Called by pt_walk() for each leaf; a non-zero return stops the walk and is returned. */
typedef int (*pt_walk_fn)(void *ctx, const struct pt_leaf *leaf);

int pt_space_create(const struct pt_cfg *cfg, const struct pt_allocator *alloc,
		    struct pt_space **ret_space);
void pt_space_destroy(struct pt_space *space);
void pt_get_info(const struct pt_space *space, struct pt_info *ret_info);

int pt_map(struct pt_space *space, uint64_t iova, uint64_t pa, uint64_t len, unsigned prot);
int pt_unmap(struct pt_space *space, uint64_t iova, uint64_t len, struct pt_gather *gather,
	     uint64_t *ret_unmapped);
int pt_iova_to_phys(const struct pt_space *space, uint64_t iova, uint64_t *ret_pa);
int pt_lookup(const struct pt_space *space, uint64_t iova, struct pt_leaf *ret_leaf);
int pt_walk(const struct pt_space *space, uint64_t iova, uint64_t len, pt_walk_fn fn, void *ctx);
int pt_dump(const struct pt_space *space, uint64_t iova, uint64_t len, FILE *out);
int pt_check(const struct pt_space *space);

void pt_gather_init(struct pt_gather *gather);
void pt_gather_init_batch(struct pt_gather *gather);
void pt_unmap_settle(struct pt_space *space, struct pt_gather *gather);
void pt_gather_add(struct pt_gather *gather, uint64_t start, uint64_t last);
void pt_gather_release(struct pt_gather *gather);

/* Format descriptions, for tests and tools. */
const char *pt_format_name(enum pt_format format);
int pt_cfg_name(const struct pt_cfg *cfg, char *buf, size_t size);
int pt_test_cfg(size_t index, struct pt_cfg *ret_cfg);

#endif
