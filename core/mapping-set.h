/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A set of non-overlapping mappings (device address range -> physical
 * address, permissions), kept sorted by device address.  An object's
 * mappings live here; they are the truth from which the core builds and
 * rebuilds every domain of the object.
 *
 * Sorted array with binary search: lookups are O(log n); inserting in
 * ascending order (the usual pattern) is amortised O(1), elsewhere O(n).
 *
 * Owner: the struct that embeds it; core_mapping_set_fini() frees.
 */
#ifndef SMMU_CORE_MAPPING_SET_H
#define SMMU_CORE_MAPPING_SET_H

#include <stddef.h>
#include <stdint.h>

#include "core/backend.h"

/*
 * Each mapping is kept as a backend is handed it (struct smmu_backend_range:
 * iova, size > 0 with iova + size - 1 not overflowing, pa, prot), so that a
 * request's mappings go to map_batch() and unmap_batch() as they are.
 */

struct core_mapping_set {
	struct smmu_backend_range *items;
	size_t count;
	size_t capacity;
};

/* Index of the first mapping that ends after `iova` (count if none). */
size_t core_mapping_set_lower(const struct core_mapping_set *set, uint64_t iova);

/* The mapping containing `iova`, or NULL. */
const struct smmu_backend_range *core_mapping_set_lookup(const struct core_mapping_set *set,
							 uint64_t iova);

/* The general case of core_mapping_set_add(). */
int core_mapping_set_add_search(struct core_mapping_set *set,
				const struct smmu_backend_range *mapping);

/*
 * Adds a mapping.  Returns 0; 1 when exactly the same mapping is already
 * there (nothing changes); -EEXIST when it overlaps a different one;
 * -ENOMEM.  Inline for the append that a buffer's pages in order make.
 */
static inline int core_mapping_set_add(struct core_mapping_set *set,
				       const struct smmu_backend_range *mapping)
{
	size_t n = set->count;

	/* A buffer mapped in ascending order appends: no search, no move. */
	if (n < set->capacity &&
	    (n == 0 || set->items[n - 1].iova + (set->items[n - 1].size - 1) < mapping->iova)) {
		struct smmu_backend_range *slot = &set->items[n];

		/* Field by field: a caller has usually just written *mapping the same way,
		 * and a wider copy would wait for those stores instead of forwarding them. */
		slot->iova = mapping->iova;
		slot->size = mapping->size;
		slot->pa = mapping->pa;
		slot->prot = mapping->prot;
		slot->reserved = 0;
		set->count = n + 1;
		return 0;
	}
	return core_mapping_set_add_search(set, mapping);
}

/* The general case of core_mapping_set_remove(). */
int core_mapping_set_remove_search(struct core_mapping_set *set, uint64_t iova, uint64_t size,
				   struct core_mapping_set *removed);

/*
 * Removes everything inside [iova, iova + size), splitting mappings that
 * straddle an edge.  The removed pieces are appended to *removed (for the
 * caller to unmap).  Returns the number of pieces removed, or -ENOMEM with
 * both sets unchanged.  Inline for the removal of the last mapping whole.
 */
static inline int core_mapping_set_remove(struct core_mapping_set *set, uint64_t iova,
					  uint64_t size, struct core_mapping_set *removed)
{
	size_t n = set->count;

	/* A buffer unmapped from the top down removes the last mapping whole. */
	if (n > 0 && set->items[n - 1].iova == iova && set->items[n - 1].size == size &&
	    removed->count < removed->capacity) {
		removed->items[removed->count++] = set->items[n - 1];
		set->count = n - 1;
		return 1;
	}
	return core_mapping_set_remove_search(set, iova, size, removed);
}

/* Deletes the mapping that starts exactly at `iova`, if any.  Never fails. */
void core_mapping_set_delete(struct core_mapping_set *set, uint64_t iova);

/* Makes room for `extra` more mappings; 0 or -ENOMEM. */
int core_mapping_set_reserve(struct core_mapping_set *set, size_t extra);

void core_mapping_set_clear(struct core_mapping_set *set);
void core_mapping_set_fini(struct core_mapping_set *set);

#endif
