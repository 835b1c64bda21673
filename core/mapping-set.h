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

struct core_mapping {
	uint64_t iova;
	uint64_t size; /* > 0, iova + size - 1 does not overflow */
	uint64_t pa;
	unsigned prot; /* enum smmu_prot */
};

struct core_mapping_set {
	struct core_mapping *items;
	size_t count;
	size_t capacity;
};

/* Index of the first mapping that ends after `iova` (count if none). */
size_t core_mapping_set_lower(const struct core_mapping_set *set, uint64_t iova);

/* The mapping containing `iova`, or NULL. */
const struct core_mapping *core_mapping_set_lookup(const struct core_mapping_set *set,
						   uint64_t iova);

/*
 * Adds a mapping.  Returns 0; 1 when exactly the same mapping is already
 * there (nothing changes); -EEXIST when it overlaps a different one;
 * -ENOMEM.
 */
int core_mapping_set_add(struct core_mapping_set *set, const struct core_mapping *mapping);

/*
 * Removes everything inside [iova, iova + size), splitting mappings that
 * straddle an edge.  The removed pieces are appended to *removed (for the
 * caller to unmap).  Returns the number of pieces removed, or -ENOMEM with
 * both sets unchanged.
 */
int core_mapping_set_remove(struct core_mapping_set *set, uint64_t iova, uint64_t size,
			    struct core_mapping_set *removed);

/* Deletes the mapping that starts exactly at `iova`, if any.  Never fails. */
void core_mapping_set_delete(struct core_mapping_set *set, uint64_t iova);

/* Makes room for `extra` more mappings; 0 or -ENOMEM. */
int core_mapping_set_reserve(struct core_mapping_set *set, size_t extra);

void core_mapping_set_clear(struct core_mapping_set *set);
void core_mapping_set_fini(struct core_mapping_set *set);

#endif
