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

/*
 * A batch (pt_gather_init_batch): one-page unmaps leave the emptiness of their table to
 * pt_unmap_settle().  Until then the tree holds an empty table, which pt_check() reports
 * (so the deferral is real); afterwards the table is gone and the tree is clean.
 */
static void test_batch_settles_once(void **state)
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
		size_t before = pt_fixture_tables(&fx);
		struct pt_gather g;
		uint64_t removed;

		for (uint64_t k = 0; k < 8; k++) {
			PT_EXPECT_EQ(&fx,
				     pt_map(fx.s, base + 2 * k * m, 2 * k * m, m, PT_TEST_PROT), 0);
		}
		size_t mapped = pt_fixture_tables(&fx);

		pt_gather_init_batch(&g);
		for (uint64_t k = 8; k-- > 0;) {
			removed = 0;
			PT_EXPECT_EQ(&fx, pt_unmap(fx.s, base + 2 * k * m, m, &g, &removed), 0);
			PT_EXPECT_EQ(&fx, removed, m);
			expect_unmapped(&fx, base + 2 * k * m);
		}
		PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), mapped);
		PT_EXPECT_EQ(&fx, pt_check(fx.s), -EUCLEAN);
		PT_EXPECT_EQ(&fx, g.tables_freed, false);

		pt_unmap_settle(fx.s, &g);
		PT_EXPECT_EQ(&fx, g.tables_freed, true);
		/* Eight pages with gaps: eight exact ranges, exactly what was removed. */
		PT_EXPECT_EQ(&fx, g.range_count, 8);
		PT_EXPECT_EQ(&fx, g.coarse, false);
		for (unsigned k = 0; k < 8; k++) {
			PT_EXPECT_EQ(&fx, g.range[k].start, base + 2 * k * m);
			PT_EXPECT_EQ(&fx, g.range[k].last, base + (2 * k + 1) * m - 1);
		}
		pt_gather_release(&g);
		PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), before);
		PT_EXPECT_EQ(&fx, pt_check(fx.s), 0);

		/* A range of several pages in a batch takes the walk, which unlinks the table it
		 * empties itself: the deferred table is settled first, not found gone later. */
		for (uint64_t k = 0; k < 4; k++) {
			PT_EXPECT_EQ(&fx, pt_map(fx.s, base + k * m, k * m, m, PT_TEST_PROT), 0);
		}
		pt_gather_init_batch(&g);
		PT_EXPECT_EQ(&fx, pt_unmap(fx.s, base + 3 * m, m, &g, &removed), 0);
		PT_EXPECT_EQ(&fx, pt_unmap(fx.s, base, 3 * m, &g, &removed), 0);
		PT_EXPECT_EQ(&fx, removed, 3 * m);
		pt_unmap_settle(fx.s, &g);
		PT_EXPECT_EQ(&fx, g.tables_freed, true);
		pt_gather_release(&g);
		PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), before);
		PT_EXPECT_EQ(&fx, pt_check(fx.s), 0);
		pt_fixture_close(&fx);
	}
	pt_fixture_fini(&fx);
}

/*
 * Batches of random unmaps against a model, on two neighbouring tables: one-page unmaps
 * (deferred), holes, and ranges of several pages in the same batch (which settle first and
 * take the walk).  After every settle the tree is clean and every page reads as the model.
 */
static void test_batch_random_against_model(void **state)
{
	enum { PAGES = 1024 };
	struct pt_fixture fx;
	struct pt_cfg cfg;

	(void)state;
	pt_fixture_init(&fx);
	PT_FOR_EACH_CFG(i, cfg)
	{
		pt_fixture_open(&fx, &cfg);
		if (fx.size_count < 2 || fx.min != 4096) {
			pt_fixture_close(&fx);
			continue;
		}
		static bool model[PAGES];
		uint64_t m = fx.min;
		uint64_t base = test_base(&fx);

		srand(7);
		memset(model, 0, sizeof(model));
		for (int round = 0; round < 200; round++) {
			for (int k = 0; k < 64; k++) {
				unsigned p = (unsigned)rand() % PAGES;

				if (!model[p]) {
					PT_EXPECT_EQ(
						&fx,
						pt_map(fx.s, base + p * m, p * m, m, PT_TEST_PROT),
						0);
					model[p] = true;
				}
			}
			struct pt_gather g;

			pt_gather_init_batch(&g);
			for (int k = 0; k < 80; k++) {
				unsigned p = (unsigned)rand() % PAGES;
				unsigned n = rand() % 8 == 0 ? 1 + (unsigned)rand() % 4 : 1;
				uint64_t expect = 0, removed = 0;

				n = p + n > PAGES ? PAGES - p : n;
				for (unsigned j = p; j < p + n; j++) {
					expect += model[j] ? m : 0;
					model[j] = false;
				}
				PT_EXPECT_EQ(&fx, pt_unmap(fx.s, base + p * m, n * m, &g, &removed),
					     0);
				PT_EXPECT_EQ(&fx, removed, expect);
			}
			pt_unmap_settle(fx.s, &g);
			pt_gather_release(&g);
			PT_EXPECT_EQ(&fx, pt_check(fx.s), 0);
			for (unsigned p = 0; p < PAGES; p++) {
				struct pt_leaf leaf;

				PT_EXPECT_EQ(&fx, pt_lookup(fx.s, base + p * m, &leaf) == 0,
					     model[p]);
			}
		}
		PT_EXPECT_EQ(&fx, pt_fixture_unmap(&fx, base, PAGES * m) % m, 0);
		pt_fixture_close(&fx);
	}
	pt_fixture_fini(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_inside_hint),
		cmocka_unit_test(test_unmap_inside_hint),
		cmocka_unit_test(test_batch_settles_once),
		cmocka_unit_test(test_batch_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
