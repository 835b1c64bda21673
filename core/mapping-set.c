/* SPDX-License-Identifier: Apache-2.0 */
#include "core/mapping-set.h"

#include <errno.h>
#include <string.h>

#include "common/alloc.h"

static uint64_t mapping_last(const struct smmu_backend_range *m)
{
	return m->iova + (m->size - 1);
}

size_t core_mapping_set_lower(const struct core_mapping_set *set, uint64_t iova)
{
	size_t lo = 0, hi = set->count;

	/*
	 * Buffers are mapped in ascending order and removed from the top
	 * down (core-object.c), so the answer is usually at the end: check
	 * the last two mappings before searching, which spares a batch a
	 * mispredicted search per entry.
	 */
	if (hi == 0 || mapping_last(&set->items[hi - 1]) < iova) {
		return hi;
	}
	if (hi == 1 || mapping_last(&set->items[hi - 2]) < iova) {
		return hi - 1;
	}
	hi -= 2;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (mapping_last(&set->items[mid]) < iova) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

const struct smmu_backend_range *core_mapping_set_lookup(const struct core_mapping_set *set,
							 uint64_t iova)
{
	size_t i = core_mapping_set_lower(set, iova);

	if (i < set->count && set->items[i].iova <= iova) {
		return &set->items[i];
	}
	return NULL;
}

int core_mapping_set_reserve(struct core_mapping_set *set, size_t extra)
{
	size_t need, capacity;
	struct smmu_backend_range *items;

	if (__builtin_add_overflow(set->count, extra, &need)) {
		return -ENOMEM;
	}
	if (need <= set->capacity) {
		return 0;
	}
	capacity = set->capacity ? set->capacity : 8;
	while (capacity < need) {
		if (__builtin_mul_overflow(capacity, 2, &capacity)) {
			return -ENOMEM;
		}
	}
	items = smmu_reallocarray(set->items, capacity, sizeof(*items));
	if (!items) {
		return -ENOMEM;
	}
	set->items = items;
	set->capacity = capacity;
	return 0;
}

static void insert_at(struct core_mapping_set *set, size_t index,
		      const struct smmu_backend_range *m)
{
	memmove(&set->items[index + 1], &set->items[index],
		(set->count - index) * sizeof(set->items[0]));
	set->items[index] = *m;
	set->count++;
}

int core_mapping_set_add_search(struct core_mapping_set *set,
				const struct smmu_backend_range *mapping)
{
	size_t i = core_mapping_set_lower(set, mapping->iova);

	if (i < set->count && set->items[i].iova <= mapping_last(mapping)) {
		const struct smmu_backend_range *old = &set->items[i];

		if (old->iova == mapping->iova && old->size == mapping->size &&
		    old->pa == mapping->pa && old->prot == mapping->prot) {
			return 1;
		}
		return -EEXIST;
	}
	if (core_mapping_set_reserve(set, 1) < 0) {
		return -ENOMEM;
	}
	insert_at(set, i, mapping);
	return 0;
}

int core_mapping_set_remove_search(struct core_mapping_set *set, uint64_t iova, uint64_t size,
				   struct core_mapping_set *removed)
{
	uint64_t last = iova + (size - 1);
	size_t first = core_mapping_set_lower(set, iova);
	size_t end = first;
	size_t pieces;
	int split_middle;

	while (end < set->count && set->items[end].iova <= last) {
		end++;
	}
	pieces = end - first;
	if (pieces == 0) {
		return 0;
	}
	/* One mapping that straddles both edges becomes two: one more slot. */
	split_middle = pieces == 1 && set->items[first].iova < iova &&
		       mapping_last(&set->items[first]) > last;
	if (core_mapping_set_reserve(removed, pieces) < 0 ||
	    core_mapping_set_reserve(set, (size_t)split_middle) < 0) {
		return -ENOMEM;
	}
	/* From here on nothing fails. */
	for (size_t i = first; i < end; i++) {
		struct smmu_backend_range cut = set->items[i];
		uint64_t cut_first = cut.iova < iova ? iova : cut.iova;
		uint64_t cut_last = mapping_last(&cut) > last ? last : mapping_last(&cut);

		cut.pa += cut_first - cut.iova;
		cut.iova = cut_first;
		cut.size = cut_last - cut_first + 1;
		removed->items[removed->count++] = cut;
	}
	if (split_middle) {
		struct smmu_backend_range *m = &set->items[first];
		struct smmu_backend_range tail = *m;

		tail.iova = last + 1;
		tail.pa = m->pa + (tail.iova - m->iova);
		tail.size = mapping_last(m) - last;
		m->size = iova - m->iova;
		insert_at(set, first + 1, &tail);
		return 1;
	}
	{
		size_t keep_from = first, keep_to = end;
		struct smmu_backend_range *head = &set->items[first];
		struct smmu_backend_range *tail = &set->items[end - 1];

		if (head->iova < iova) {
			/* Keep the part before the range. */
			head->size = iova - head->iova;
			keep_from++;
		}
		if (keep_to > keep_from && mapping_last(tail) > last) {
			/* Keep the part after the range. */
			uint64_t old_last = mapping_last(tail);

			tail->pa += last + 1 - tail->iova;
			tail->iova = last + 1;
			tail->size = old_last - last;
			keep_to--;
		}
		memmove(&set->items[keep_from], &set->items[keep_to],
			(set->count - keep_to) * sizeof(set->items[0]));
		set->count -= keep_to - keep_from;
	}
	return (int)pieces;
}

void core_mapping_set_delete(struct core_mapping_set *set, uint64_t iova)
{
	size_t i = core_mapping_set_lower(set, iova);

	if (i < set->count && set->items[i].iova == iova) {
		memmove(&set->items[i], &set->items[i + 1],
			(set->count - i - 1) * sizeof(set->items[0]));
		set->count--;
	}
}

void core_mapping_set_clear(struct core_mapping_set *set)
{
	set->count = 0;
}

void core_mapping_set_fini(struct core_mapping_set *set)
{
	smmu_free(set->items);
	*set = (struct core_mapping_set){0};
}
