/* SPDX-License-Identifier: Apache-2.0 */
/* The mapping set against a brute-force reference: one slot per page. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cmocka-all.h"
#include "core/mapping-set.h"

#define PAGES 64
#define PAGE 0x1000u

struct page {
	bool mapped;
	uint64_t pa;
	unsigned prot;
};

/* The set describes exactly the reference pages, sorted and disjoint. */
static void check_against(const struct core_mapping_set *set, const struct page *ref)
{
	struct page seen[PAGES] = {0};

	for (size_t i = 0; i < set->count; i++) {
		const struct smmu_backend_range *m = &set->items[i];

		assert_true(m->size > 0);
		if (i > 0) {
			assert_true(set->items[i - 1].iova + set->items[i - 1].size <= m->iova);
		}
		for (uint64_t off = 0; off < m->size; off += PAGE) {
			struct page *p = &seen[(m->iova + off) / PAGE];

			assert_false(p->mapped);
			*p = (struct page){true, m->pa + off, m->prot};
		}
	}
	for (unsigned i = 0; i < PAGES; i++) {
		assert_int_equal(seen[i].mapped, ref[i].mapped);
		if (ref[i].mapped) {
			assert_int_equal(seen[i].pa, ref[i].pa);
			assert_int_equal(seen[i].prot, ref[i].prot);
		}
		const struct smmu_backend_range *m = core_mapping_set_lookup(set, i * PAGE + 5);
		assert_int_equal(m != NULL, ref[i].mapped);
	}
}

/* Random adds and removes agree with the reference at every step. */
static void test_random_against_reference(void **state)
{
	struct core_mapping_set set = {0};
	struct page ref[PAGES] = {0};

	(void)state;
	srand(12345);
	for (int step = 0; step < 20000; step++) {
		unsigned first = (unsigned)rand() % PAGES;
		unsigned count = 1 + (unsigned)rand() % (PAGES - first);
		int action = rand() % 4;

		/* Often the last mapping exactly: the shortcut of a buffer unmapped top down. */
		if (action == 3 && set.count > 0) {
			first = (unsigned)(set.items[set.count - 1].iova / PAGE);
			count = (unsigned)(set.items[set.count - 1].size / PAGE);
		}
		uint64_t iova = (uint64_t)first * PAGE, size = (uint64_t)count * PAGE;

		if (action < 2) {
			struct smmu_backend_range m = {iova, size,
						       0x100000000ull + (uint64_t)rand() * PAGE,
						       1 + (unsigned)rand() % 3};
			bool overlap = false;
			int r;

			for (unsigned i = first; i < first + count; i++) {
				overlap = overlap || ref[i].mapped;
			}
			r = core_mapping_set_add(&set, &m);
			assert_int_equal(r, overlap ? -EEXIST : 0);
			for (unsigned i = first; !overlap && i < first + count; i++) {
				ref[i] = (struct page){true, m.pa + (i - first) * PAGE, m.prot};
			}
			/* The same mapping again is accepted and changes nothing. */
			if (!overlap) {
				assert_int_equal(core_mapping_set_add(&set, &m), 1);
			}
		} else {
			struct core_mapping_set removed = {0};
			uint64_t removed_size = 0;
			unsigned mapped = 0;
			int r;

			for (unsigned i = first; i < first + count; i++) {
				mapped += ref[i].mapped;
			}
			/* With room in *removed, as the core's callers have after the first piece.
			 */
			if (rand() % 2) {
				assert_int_equal(core_mapping_set_reserve(&removed, 4), 0);
			}
			r = core_mapping_set_remove(&set, iova, size, &removed);
			assert_true(r >= 0);
			assert_int_equal((size_t)r, removed.count);
			for (size_t i = 0; i < removed.count; i++) {
				const struct smmu_backend_range *m = &removed.items[i];

				assert_true(m->iova >= iova && m->iova + m->size <= iova + size);
				assert_int_equal(m->pa, ref[m->iova / PAGE].pa);
				removed_size += m->size;
			}
			assert_int_equal(removed_size, (uint64_t)mapped * PAGE);
			for (unsigned i = first; i < first + count; i++) {
				ref[i].mapped = false;
			}
			core_mapping_set_fini(&removed);
		}
		check_against(&set, ref);
	}
	core_mapping_set_fini(&set);
}

/* Exact delete removes one mapping and ignores addresses that start none. */
static void test_delete(void **state)
{
	struct core_mapping_set set = {0};
	struct smmu_backend_range a = {0x1000, 0x1000, 0, 1}, b = {0x3000, 0x2000, 0, 1};

	(void)state;
	assert_int_equal(core_mapping_set_add(&set, &a), 0);
	assert_int_equal(core_mapping_set_add(&set, &b), 0);
	core_mapping_set_delete(&set, 0x4000);
	assert_int_equal(set.count, 2);
	core_mapping_set_delete(&set, 0x1000);
	assert_int_equal(set.count, 1);
	assert_int_equal(set.items[0].iova, 0x3000);
	core_mapping_set_fini(&set);
}

/* The top of the 64-bit space: last byte 2^64 - 1. */
static void test_top_of_address_space(void **state)
{
	struct core_mapping_set set = {0};
	struct core_mapping_set removed = {0};
	struct smmu_backend_range top = {UINT64_MAX - 0x1fff, 0x2000, 0, 1};

	(void)state;
	assert_int_equal(core_mapping_set_add(&set, &top), 0);
	assert_non_null(core_mapping_set_lookup(&set, UINT64_MAX));
	assert_int_equal(core_mapping_set_remove(&set, UINT64_MAX - 0xfff, 0x1000, &removed), 1);
	assert_int_equal(set.items[0].size, 0x1000);
	core_mapping_set_fini(&set);
	core_mapping_set_fini(&removed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_against_reference),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_top_of_address_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
