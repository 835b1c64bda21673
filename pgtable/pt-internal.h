/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to pgtable/: the space structure the engine works on and the description each
 * format (fmt-*.c) fills in.  A format is data: per level the shift, the index bits and
 * whether a leaf may sit there, plus the bit patterns of a table entry and of a leaf; its only
 * code is the translation between PT_PROT_* and attribute bits, called once per map call.
 *
 * Levels count up from 0, the smallest page; the root is level `top`.
 */
#ifndef SMMU_PGTABLE_PT_INTERNAL_H
#define SMMU_PGTABLE_PT_INTERNAL_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/bitfield.h"
#include "pgtable/pgtable.h"

struct pt_level {
	uint64_t leaf_type; /* bits a leaf at this level carries besides attributes and address */
	uint8_t shift;	    /* log2 of the bytes one entry maps */
	uint8_t index_bits; /* log2 of the entries of a table at this level */
	bool leaf_ok;	    /* a page or block may sit at this level */
};

/* A format's description of one configuration. */
struct pt_geom {
	struct pt_level level[PT_MAX_LEVELS];
	unsigned level_count;
	uint64_t present_mask; /* an entry is present when any of these bits is set */
	uint64_t type_mask;    /* above level 0, these bits tell a table entry from a leaf */
	uint64_t table_pte;    /* a table entry is these bits | the table's address */
	uint64_t oa_mask;      /* output address bits of an entry */
	size_t table_size;     /* bytes of every table below the root */
	size_t root_size;
	unsigned start_level;
	unsigned root_table_count;
	uint64_t pgsize_bitmap;
};

struct pt_fmt {
	enum pt_format format;
	const char *name;
	/* Validates cfg and describes it; -EINVAL for a configuration the format lacks. */
	int (*init)(const struct pt_cfg *cfg, struct pt_geom *ret_geom);
	/* Attribute bits for prot (no type, no address), or -EINVAL / -EOPNOTSUPP. */
	int (*encode_prot)(const struct pt_cfg *cfg, unsigned prot, uint64_t *ret_attrs);
	unsigned (*decode_prot)(const struct pt_cfg *cfg, uint64_t pte);
	/* The index-th test configuration of this format, or -ENOENT past the last. */
	int (*test_cfg)(size_t index, struct pt_cfg *ret_cfg);
};

extern const struct pt_fmt pt_fmt_vtd_sl;
extern const struct pt_fmt pt_fmt_lpae_s1;
extern const struct pt_fmt pt_fmt_lpae_s2;

/*
 * One page table.  Owner: whoever called pt_space_create(); pt_space_destroy() frees the
 * tables, then the structure.  Hot fields first.
 */
struct pt_space {
	struct pt_geom g;
	uint64_t *root;
	unsigned top; /* level of the root */
	unsigned leaf_level_count;
	uint8_t leaf_levels[PT_MAX_LEVELS]; /* levels where leaves may sit, largest first */
	uint64_t table_type;		    /* table_pte & type_mask */
	uint64_t iova_last;		    /* last input address */
	uint64_t pa_last;		    /* last output address */
	uint64_t min_page_mask;		    /* smallest page - 1 */
	char *linear_cpu_base;
	uint64_t linear_pa_base;
	unsigned cached_prot; /* last prot encoded, and its attributes */
	uint64_t cached_attrs;
	struct pt_allocator alloc;
	const struct pt_fmt *fmt;
	struct pt_cfg cfg;
	uint64_t root_pa;
	size_t table_count; /* tables held, root and parked ones included */
	uint64_t table_bytes;
	size_t parked_count; /* tables parked in gathers, not yet released */
	/*
	 * The table of smallest pages the last map wrote to, while it is linked (NULL
	 * otherwise), and the address its entry 0 maps.  Drivers map and unmap a buffer page
	 * by page, and neighbouring pages share this table: a map or unmap that falls inside it
	 * skips the walk from the root.  Cleared whenever a table is unlinked.
	 */
	uint64_t *hint_table;
	uint64_t hint_base;
};

/* Forgets the walk hint; called wherever a table leaves the tree. */
static inline void pt_hint_forget(struct pt_space *s)
{
	s->hint_table = NULL;
}

static inline uint64_t pt_load(const uint64_t *entry)
{
	return le64toh(*entry);
}

/*
 * A single-copy-atomic store: the IOMMU may walk the table while we write, and must never see
 * half an entry.  Relaxed: ordering, where it matters, comes from pt_publish().
 */
static inline void pt_store(uint64_t *entry, uint64_t pte)
{
	__atomic_store_n(entry, htole64(pte), __ATOMIC_RELAXED);
}

/* Stores an entry after every earlier write to table memory (a new table's contents). */
static inline void pt_publish(uint64_t *entry, uint64_t pte)
{
	__atomic_store_n(entry, htole64(pte), __ATOMIC_RELEASE);
}

static inline void *pt_table_cpu(const struct pt_space *s, uint64_t pa)
{
	if (__builtin_expect(s->alloc.pa_to_cpu != NULL, 0)) {
		return s->alloc.pa_to_cpu(s->alloc.ctx, pa);
	}
	return s->linear_cpu_base + (pa - s->linear_pa_base);
}

static inline void pt_sync(const struct pt_space *s, const void *cpu, size_t size)
{
	if (__builtin_expect(s->alloc.sync != NULL, 0)) {
		s->alloc.sync(s->alloc.ctx, cpu, size);
	}
}

/* Internal to the gather: parks an unlinked table until pt_gather_release(). */
void pt_gather_park(struct pt_gather *gather, struct pt_space *space, void *cpu, uint64_t pa);
void pt_space_free_table(struct pt_space *space, void *cpu, uint64_t pa);

#endif
