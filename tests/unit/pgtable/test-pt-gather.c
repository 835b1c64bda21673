/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The invalidation gather on its own: coalescing of adjacent and overlapping ranges in any
 * order, and what happens when more disjoint ranges arrive than it holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the headers above */
#include <cmocka.h>

#include "pgtable/pgtable.h"

static void expect_range(const struct pt_gather *g, unsigned i, uint64_t start, uint64_t last)
{
	assert_true(i < g->range_count);
	assert_int_equal(g->range[i].start, start);
	assert_int_equal(g->range[i].last, last);
}

/* An ascending sweep of touching pieces is one range. */
static void test_ascending_pieces_coalesce(void **state)
{
	struct pt_gather g;

	(void)state;
	pt_gather_init(&g);
	for (uint64_t a = 0x1000; a < 0x9000; a += 0x1000) {
		pt_gather_add(&g, a, a + 0xfff);
	}
	assert_int_equal(g.range_count, 1);
	expect_range(&g, 0, 0x1000, 0x8fff);
	assert_false(g.coarse);
	assert_false(g.tables_freed);
}

/* Pieces arriving out of order still coalesce, and a range spanning several merges them. */
static void test_out_of_order_and_overlap(void **state)
{
	struct pt_gather g;

	(void)state;
	pt_gather_init(&g);
	pt_gather_add(&g, 10, 19);
	pt_gather_add(&g, 0, 4);
	assert_int_equal(g.range_count, 2);
	expect_range(&g, 0, 0, 4);
	expect_range(&g, 1, 10, 19);
	pt_gather_add(&g, 5, 9);
	assert_int_equal(g.range_count, 1);
	expect_range(&g, 0, 0, 19);

	pt_gather_add(&g, 40, 49);
	pt_gather_add(&g, 60, 69);
	pt_gather_add(&g, 30, 31);
	assert_int_equal(g.range_count, 4);
	expect_range(&g, 1, 30, 31);
	pt_gather_add(&g, 25, 45);
	assert_int_equal(g.range_count, 3);
	expect_range(&g, 1, 25, 49);
	expect_range(&g, 2, 60, 69);
	pt_gather_add(&g, 15, 59);
	assert_int_equal(g.range_count, 1);
	expect_range(&g, 0, 0, 69);
	assert_false(g.coarse);
}

/* Past PT_GATHER_MAX_RANGES disjoint ranges the closest neighbour widens and `coarse` says
 * the ranges now cover more than was added; nothing added is ever left out. */
static void test_overflow_widens(void **state)
{
	struct pt_gather g;

	(void)state;
	pt_gather_init(&g);
	for (uint64_t k = 0; k < PT_GATHER_MAX_RANGES; k++) {
		pt_gather_add(&g, k * 100, k * 100 + 9);
	}
	assert_int_equal(g.range_count, PT_GATHER_MAX_RANGES);
	assert_false(g.coarse);
	pt_gather_add(&g, 1000, 1009);
	assert_true(g.coarse);
	assert_int_equal(g.range_count, PT_GATHER_MAX_RANGES);
	expect_range(&g, PT_GATHER_MAX_RANGES - 1, (PT_GATHER_MAX_RANGES - 1) * 100, 1009);
	pt_gather_add(&g, 50, 59);
	expect_range(&g, 0, 0, 59);
	pt_gather_add(&g, 170, 179);
	expect_range(&g, 1, 100, 109);
	expect_range(&g, 2, 170, 209);
	for (unsigned i = 1; i < g.range_count; i++) {
		assert_true(g.range[i].start > g.range[i - 1].last + 1);
	}
}

/* Release empties the gather for reuse. */
static void test_release_resets(void **state)
{
	struct pt_gather g;

	(void)state;
	pt_gather_init(&g);
	pt_gather_add(&g, 0, 0xfff);
	pt_gather_release(&g);
	assert_int_equal(g.range_count, 0);
	assert_false(g.coarse);
	assert_false(g.tables_freed);
	assert_int_equal(g.parked_count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascending_pieces_coalesce),
		cmocka_unit_test(test_out_of_order_and_overlap),
		cmocka_unit_test(test_overflow_widens),
		cmocka_unit_test(test_release_resets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
