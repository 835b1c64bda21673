/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The walk hint (pt-internal.h): maps and unmaps that fall inside the table of smallest pages
 * the last map wrote to skip the walk.  These tests drive both shortcuts on every
 * configuration and check that they answer exactly as the full walk does, and above all that
 * the hint is forgotten when its table leaves the tree: a map through a stale hint would
 * write into a freed table, which the lookups and pt_check() below would catch.
 */
#include <errno.h>

#include "../cmocka-all.h"

#include "pt-test-util.h"

/* The leaf that maps iova must map it to pa. */
static void expect_mapped(struct pt_fixture *fx, uint64_t iova, uint64_t pa)
{
	struct pt_leaf leaf;

	PT_EXPECT_EQ(fx, pt_lookup(fx->s, iova, &leaf), 0);
	PT_EXPECT_EQ(fx, leaf.pa + (iova - leaf.iova), pa);
}

static void expect_unmapped(struct pt_fixture *fx, uint64_t iova)
{
	struct pt_leaf leaf;

	PT_EXPECT_EQ(fx, pt_lookup(fx->s, iova, &leaf), -ENOENT);
}

/* Where the tests map: the second table of smallest pages of the input range, so that the
 * addresses below it belong to another table. */
static uint64_t test_base(const struct pt_fixture *fx)
{
	return fx->sizes[1];
}

static void test_map_inside_hint(void **state)
{
	struct pt_fixture fx;
	struct pt_cfg cfg;

	(void)state;
	pt_fixture_init(&fx);
	PT_FOR_EACH_CFG(i, cfg)
	{
		pt_fixture_open(&fx, &cfg);
		if (fx.size_count < 2) {
			pt_fixture_close(&fx);
			continue;
		}
		uint64_t m = fx.min;
		uint64_t base = test_base(&fx);
		uint64_t pa = 0x40000000;

		PT_EXPECT_EQ(&fx, pt_map(fx.s, base, pa, m, PT_TEST_PROT), 0);
		size_t tables = pt_fixture_tables(&fx);

		/* Neighbours, one page and a run of three, through the hint: no new table. */
		PT_EXPECT_EQ(&fx, pt_map(fx.s, base + m, pa + 7 * m, m, PT_TEST_PROT), 0);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, base + 3 * m, pa + 3 * m, 3 * m, PT_TEST_PROT), 0);
		PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), tables);
		expect_mapped(&fx, base, pa);
		expect_mapped(&fx, base + m, pa + 7 * m);
		expect_unmapped(&fx, base + 2 * m);
		expect_mapped(&fx, base + 5 * m, pa + 5 * m);

		/* Overlaps are refused as the walk refuses them, and change nothing. */
		PT_EXPECT_EQ(&fx, pt_map(fx.s, base + m, pa + 7 * m, m, PT_TEST_PROT), -EEXIST);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, base + 2 * m, pa, 2 * m, PT_TEST_PROT), -EEXIST);
		expect_unmapped(&fx, base + 2 * m);

		/* A range that leaves the hint's table takes the walk and maps both sides. */
		uint64_t edge = base + fx.sizes[1] - m;

		PT_EXPECT_EQ(&fx, pt_map(fx.s, edge, pa, 2 * m, PT_TEST_PROT), 0);
		expect_mapped(&fx, edge, pa);
		expect_mapped(&fx, edge + m, pa + m);
		PT_EXPECT_EQ(&fx, pt_check(fx.s), 0);

		PT_EXPECT_EQ(&fx, pt_fixture_unmap(&fx, base, 2 * fx.sizes[1]), 7 * m);
		pt_fixture_close(&fx);
	}
	pt_fixture_fini(&fx);
}

static void test_unmap_inside_hint(void **state)
{
	struct pt_fixture fx;
	struct pt_cfg cfg;

	(void)state;
	pt_fixture_init(&fx);
	PT_FOR_EACH_CFG(i, cfg)
	{
		pt_fixture_open(&fx, &cfg);
		if (fx.size_count < 2) {
			pt_fixture_close(&fx);
			continue;
		}
		uint64_t m = fx.min;
		uint64_t base = test_base(&fx);
		struct pt_gather g;
		uint64_t removed = 0;

		/* Every other page, as buffers with guard pages are mapped. */
		for (uint64_t k = 0; k < 8; k++) {
			PT_EXPECT_EQ(&fx,
				     pt_map(fx.s, base + 2 * k * m, 2 * k * m, m, PT_TEST_PROT), 0);
		}
		size_t tables = pt_fixture_tables(&fx);

		/* The table stays in use: exact gather, no table freed. */
		pt_gather_init(&g);
		PT_EXPECT_EQ(&fx, pt_unmap(fx.s, base + 6 * m, 2 * m, &g, &removed), 0);
		PT_EXPECT_EQ(&fx, removed, m);
		PT_EXPECT_EQ(&fx, g.range_count, 1);
		PT_EXPECT_EQ(&fx, g.range[0].start, base + 6 * m);
		PT_EXPECT_EQ(&fx, g.range[0].last, base + 7 * m - 1);
		PT_EXPECT_EQ(&fx, g.tables_freed, false);
		pt_gather_release(&g);
		PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), tables);
		expect_unmapped(&fx, base + 6 * m);
		expect_mapped(&fx, base + 4 * m, 4 * m);
		expect_mapped(&fx, base + 8 * m, 8 * m);

		/* A hole is not an error and removes nothing. */
		PT_EXPECT_EQ(&fx, pt_fixture_unmap(&fx, base + m, m), 0);

		/* The rest, from the top down: the last one empties the table, which goes. */
		for (uint64_t k = 8; k-- > 0;) {
			if (k != 3) {
				PT_EXPECT_EQ(&fx, pt_fixture_unmap(&fx, base + 2 * k * m, m), m);
			}
		}
		PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx) < tables, true);
		PT_EXPECT_EQ(&fx, pt_check(fx.s), 0);

		/*
		 * The hint's table is gone: the next map must build a table again.  Through a
		 * stale hint it would land in freed memory and the lookup would not see it.
		 */
		PT_EXPECT_EQ(&fx, pt_map(fx.s, base + 5 * m, 0x40000000, m, PT_TEST_PROT), 0);
		expect_mapped(&fx, base + 5 * m, 0x40000000);
		PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), tables);
		PT_EXPECT_EQ(&fx, pt_check(fx.s), 0);
		PT_EXPECT_EQ(&fx, pt_fixture_unmap(&fx, base + 5 * m, m), m);
		pt_fixture_close(&fx);
	}
	pt_fixture_fini(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_inside_hint),
		cmocka_unit_test(test_unmap_inside_hint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
