/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The page-table matrix (STYLE.md 9, after Linux's io-pgtable self-tests): each test states one
 * property and checks it on every configuration pt_test_cfg() lists, that is every format,
 * granule, input and output size (and VT-d superpage capability).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the headers above */
#include <cmocka.h>

#include "common/alloc.h"
#include "common/compiler.h"
#include "pt-test-util.h"

struct leaf_list {
	size_t count;
	size_t cap;
	struct pt_leaf *leaf;
};

static int collect_leaf(void *ctx, const struct pt_leaf *leaf)
{
	struct leaf_list *l = ctx;

	if (l->count == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->leaf = realloc(l->leaf, l->cap * sizeof(*l->leaf));
		assert_non_null(l->leaf);
	}
	l->leaf[l->count++] = *leaf;
	return 0;
}

static void collect(struct pt_fixture *fx, uint64_t iova, uint64_t len, struct leaf_list *l)
{
	l->count = 0;
	PT_EXPECT_EQ(fx, pt_walk(fx->s, iova, len, collect_leaf, l), 0);
}

static uint64_t translate(struct pt_fixture *fx, uint64_t iova)
{
	uint64_t pa = 0;
	int r = pt_iova_to_phys(fx->s, iova, &pa);

	return r < 0 ? (uint64_t)(int64_t)r : pa;
}

/* An empty table translates nothing: address 0, the middle, the last page. */
static void test_empty_translates_nothing(void **state)
{
	struct pt_fixture fx;
	struct pt_cfg cfg;
	struct leaf_list l = {0};

	(void)state;
	pt_fixture_init(&fx);
	PT_FOR_EACH_CFG(i, cfg)
	{
		pt_fixture_open(&fx, &cfg);
		uint64_t top = (uint64_t)1 << cfg.ias;

		PT_EXPECT_EQ(&fx, translate(&fx, 0), -ENOENT);
		PT_EXPECT_EQ(&fx, translate(&fx, top / 2 + 0x123), -ENOENT);
		PT_EXPECT_EQ(&fx, translate(&fx, top - 1), -ENOENT);
		PT_EXPECT_EQ(&fx, translate(&fx, top), -ERANGE);
		collect(&fx, 0, top, &l);
		PT_EXPECT_EQ(&fx, l.count, 0);
		PT_EXPECT_EQ(&fx, fx.info.table_count, 1);
		PT_EXPECT_EQ(&fx, pt_fixture_unmap(&fx, 0, top), 0);
		pt_fixture_close(&fx);
	}
	free(l.leaf);
	pt_fixture_fini(&fx);
}

/* One page of every size at distinct strides (address 0 included) maps, translates at its
 * first, middle and last byte, walks as one leaf of that size, and unmaps exactly. */
static void test_every_page_size(void **state)
{
	struct pt_fixture fx;
	struct pt_cfg cfg;
	struct leaf_list l = {0};

	(void)state;
	pt_fixture_init(&fx);
	PT_FOR_EACH_CFG(i, cfg)
	{
		pt_fixture_open(&fx, &cfg);
		unsigned k = fx.size_count;

		for (unsigned j = 0; j < k; j++) {
			uint64_t iova = j * fx.max;
			uint64_t pa = (k - j) * fx.max;
			uint64_t size = fx.sizes[j];

			PT_EXPECT_EQ(&fx, pt_map(fx.s, iova, pa, size, PT_TEST_PROT), 0);
			PT_EXPECT_EQ(&fx, translate(&fx, iova), pa);
			PT_EXPECT_EQ(&fx, translate(&fx, iova + size / 2 + 8), pa + size / 2 + 8);
			PT_EXPECT_EQ(&fx, translate(&fx, iova + size - 1), pa + size - 1);
			if (size < fx.max) {
				PT_EXPECT_EQ(&fx, translate(&fx, iova + size), -ENOENT);
			}
		}
		PT_EXPECT_EQ(&fx, pt_check(fx.s), 0);
		collect(&fx, 0, k * fx.max, &l);
		PT_EXPECT_EQ(&fx, l.count, k);
		for (unsigned j = 0; j < k && j < l.count; j++) {
			PT_EXPECT_EQ(&fx, l.leaf[j].iova, j * fx.max);
			PT_EXPECT_EQ(&fx, l.leaf[j].pa, (k - j) * fx.max);
			PT_EXPECT_EQ(&fx, l.leaf[j].size, fx.sizes[j]);
			PT_EXPECT_EQ(&fx, l.leaf[j].prot & PT_TEST_PROT, PT_TEST_PROT);
		}
		for (unsigned j = 0; j < k; j++) {
			struct pt_gather g;
			uint64_t removed = 0;

			pt_gather_init(&g);
			PT_EXPECT_EQ(&fx, pt_unmap(fx.s, j * fx.max, fx.max, &g, &removed), 0);
			PT_EXPECT_EQ(&fx, removed, fx.sizes[j]);
			PT_EXPECT_EQ(&fx, g.range_count, 1);
			PT_EXPECT_EQ(&fx, g.range[0].start, j * fx.max);
			PT_EXPECT_EQ(&fx, g.range[0].last, j * fx.max + fx.sizes[j] - 1);
			PT_EXPECT_EQ(&fx, g.coarse, false);
			pt_gather_release(&g);
		}
		/* Every table below the root became empty and was freed. */
		PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), 1);
		pt_fixture_close(&fx);
	}
	free(l.leaf);
	pt_fixture_fini(&fx);
}

/* A map over any part of an existing mapping fails with -EEXIST and changes nothing. */
static void test_overlapping_map_fails(void **state)
{
	struct pt_fixture fx;
	struct pt_cfg cfg;

	(void)state;
	pt_fixture_init(&fx);
	PT_FOR_EACH_CFG(i, cfg)
	{
		pt_fixture_open(&fx, &cfg);
		uint64_t big = fx.max;
		uint64_t m = fx.min;

		/* The largest page at [big, 2 big), one small page at 3 big + m. */
		PT_EXPECT_EQ(&fx, pt_map(fx.s, big, 0, big, PT_TEST_PROT), 0);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, 3 * big + m, m, m, PT_TEST_PROT), 0);

		char *before = pt_fixture_dump(&fx);
		size_t tables = pt_fixture_tables(&fx);
		size_t in_use = pt_host_mem_in_use(fx.mem);

		PT_EXPECT_EQ(&fx, pt_map(fx.s, big, 0, big, PT_TEST_PROT), -EEXIST);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, big + (big > m ? big / 2 : 0), 0, m, PT_TEST_PROT),
			     -EEXIST);
		/* Starts in a free area, ends inside the block: nothing of it may stay. */
		uint64_t below = big >= 2 * m ? big - 2 * m : 0;

		PT_EXPECT_EQ(&fx, pt_map(fx.s, below, 0, big + m - below, PT_TEST_PROT), -EEXIST);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, 2 * big - m, 0, 3 * m, PT_TEST_PROT), -EEXIST);
		if (big > m) {
			/* A block over a table holding a page. */
			PT_EXPECT_EQ(&fx, pt_map(fx.s, 3 * big, 0, big, PT_TEST_PROT), -EEXIST);
		}
		PT_EXPECT_EQ(&fx, pt_map(fx.s, 3 * big, 0, 4 * m, PT_TEST_PROT), -EEXIST);

		char *after = pt_fixture_dump(&fx);

		if (strcmp(before, after) != 0) {
			fail_msg("[%s] table changed by failed maps:\n%s---\n%s", fx.name, before,
				 after);
		}
		free(before);
		free(after);
		PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), tables);
		PT_EXPECT_EQ(&fx, pt_host_mem_in_use(fx.mem), in_use);
		PT_EXPECT_EQ(&fx, translate(&fx, big - m), -ENOENT);
		PT_EXPECT_EQ(&fx, translate(&fx, 2 * big), -ENOENT);
		PT_EXPECT_EQ(&fx, translate(&fx, 3 * big), -ENOENT);
		PT_EXPECT_EQ(&fx, pt_fixture_unmap(&fx, 0, 3 * big + 2 * m), big + m);
		pt_fixture_close(&fx);
	}
	pt_fixture_fini(&fx);
}

/* A range maps with the largest pages alignment allows, and iova_to_phys agrees with it for
 * every page; when iova and pa disagree modulo the block size, only small pages are used. */
static void test_largest_pages_and_translation(void **state)
{
	struct pt_fixture fx;
	struct pt_cfg cfg;
	struct leaf_list l = {0};

	(void)state;
	pt_fixture_init(&fx);
	PT_FOR_EACH_CFG(i, cfg)
	{
		pt_fixture_open(&fx, &cfg);
		uint64_t m = fx.min;
		uint64_t b = fx.size_count > 1 ? fx.sizes[1] : m;
		uint64_t iova = 2 * b - 2 * m;
		uint64_t len = b + 4 * m;

		for (int congruent = 1; congruent >= 0; congruent--) {
			uint64_t pa = iova + fx.max + (congruent ? 0 : m);

			PT_EXPECT_EQ(&fx, pt_map(fx.s, iova, pa, len, PT_TEST_PROT), 0);
			collect(&fx, iova, len, &l);
			if (congruent && b > m) {
				PT_EXPECT_EQ(&fx, l.count, 5);
				PT_EXPECT_EQ(&fx, l.count > 2 ? l.leaf[2].size : 0, b);
			} else {
				PT_EXPECT_EQ(&fx, l.count, len / m);
			}
			uint64_t covered = 0;

			for (size_t j = 0; j < l.count; j++) {
				PT_EXPECT_EQ(&fx, l.leaf[j].pa, pa + (l.leaf[j].iova - iova));
				covered += l.leaf[j].size;
			}
			PT_EXPECT_EQ(&fx, covered, len);
			for (uint64_t off = 0; off < len; off += m) {
				uint64_t want = pa + off + (off / m % 7) * 8;

				PT_EXPECT_EQ(&fx, translate(&fx, iova + off + (off / m % 7) * 8),
					     want);
			}
			if (iova >= m) {
				PT_EXPECT_EQ(&fx, translate(&fx, iova - m), -ENOENT);
			}
			PT_EXPECT_EQ(&fx, translate(&fx, iova + len), -ENOENT);
			PT_EXPECT_EQ(&fx, pt_check(fx.s), 0);
			PT_EXPECT_EQ(&fx, pt_fixture_unmap(&fx, iova, len), len);
			PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), 1);
		}
		pt_fixture_close(&fx);
	}
	free(l.leaf);
	pt_fixture_fini(&fx);
}

/* Unmapping one small page inside the largest block splits it: the rest still translates with
 * its attributes, in the largest pages that fit, and the hole is reported exactly. */
static void test_partial_unmap_splits_block(void **state)
{
	struct pt_fixture fx;
	struct pt_cfg cfg;
	struct leaf_list l = {0};

	(void)state;
	pt_fixture_init(&fx);
	PT_FOR_EACH_CFG(i, cfg)
	{
		pt_fixture_open(&fx, &cfg);
		uint64_t big = fx.max;
		uint64_t m = fx.min;
		unsigned prot = PT_PROT_READ | PT_PROT_WRITE | PT_PROT_NOEXEC;

		if (big == m) {
			pt_fixture_close(&fx);
			continue;
		}
		PT_EXPECT_EQ(&fx, pt_map(fx.s, big, 2 * big, big, prot), 0);

		struct pt_leaf orig;

		PT_EXPECT_EQ(&fx, pt_lookup(fx.s, big, &orig), 0);
		size_t tables = pt_fixture_tables(&fx);
		uint64_t hole = big + big / 2 + m;
		struct pt_gather g;
		uint64_t removed = 0;

		pt_gather_init(&g);
		PT_EXPECT_EQ(&fx, pt_unmap(fx.s, hole, m, &g, &removed), 0);
		PT_EXPECT_EQ(&fx, removed, m);
		PT_EXPECT_EQ(&fx, g.range_count, 1);
		PT_EXPECT_EQ(&fx, g.range[0].start, hole);
		PT_EXPECT_EQ(&fx, g.range[0].last, hole + m - 1);
		PT_EXPECT_EQ(&fx, g.tables_freed, false);
		pt_gather_release(&g);

		PT_EXPECT_EQ(&fx, translate(&fx, hole), -ENOENT);
		PT_EXPECT_EQ(&fx, translate(&fx, hole - 1), 2 * big + (hole - 1 - big));
		PT_EXPECT_EQ(&fx, translate(&fx, hole + m), 2 * big + (hole + m - big));
		PT_EXPECT_EQ(&fx, translate(&fx, big), 2 * big);
		PT_EXPECT_EQ(&fx, translate(&fx, 2 * big - 1), 3 * big - 1);
		/* One new table per level between the block and the smallest page. */
		PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), tables + fx.size_count - 1);
		PT_EXPECT_EQ(&fx, pt_check(fx.s), 0);

		collect(&fx, big, big, &l);
		size_t want_leaves = 0;

		for (unsigned j = 0; j + 1 < fx.size_count; j++) {
			want_leaves += fx.sizes[j + 1] / fx.sizes[j] - 1;
		}
		PT_EXPECT_EQ(&fx, l.count, want_leaves);
		uint64_t covered = 0;

		for (size_t j = 0; j < l.count; j++) {
			PT_EXPECT_EQ(&fx, l.leaf[j].pa, 2 * big + (l.leaf[j].iova - big));
			PT_EXPECT_EQ(&fx, l.leaf[j].prot, orig.prot);
			if (l.leaf[j].iova <= hole && hole < l.leaf[j].iova + l.leaf[j].size) {
				fail_msg("[%s] leaf 0x%" PRIx64 " covers the hole", fx.name,
					 l.leaf[j].iova);
			}
			covered += l.leaf[j].size;
		}
		PT_EXPECT_EQ(&fx, covered, big - m);

		/* The rest goes too, and with it every table. */
		PT_EXPECT_EQ(&fx, pt_fixture_unmap(&fx, big, big), big - m);
		PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), 1);
		pt_fixture_close(&fx);
	}
	free(l.leaf);
	pt_fixture_fini(&fx);
}

/* After an unmap the same range maps again, to another address. */
static void test_unmap_then_remap(void **state)
{
	struct pt_fixture fx;
	struct pt_cfg cfg;

	(void)state;
	pt_fixture_init(&fx);
	PT_FOR_EACH_CFG(i, cfg)
	{
		pt_fixture_open(&fx, &cfg);
		uint64_t m = fx.min;
		uint64_t iova = (fx.max > m ? fx.max : 4 * m) - 3 * m;
		uint64_t len = fx.max + 6 * m;

		PT_EXPECT_EQ(&fx, pt_map(fx.s, iova, iova, len, PT_TEST_PROT), 0);
		PT_EXPECT_EQ(&fx, pt_fixture_unmap(&fx, iova, len), len);
		PT_EXPECT_EQ(&fx, translate(&fx, iova), -ENOENT);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, iova, iova + fx.max, len, PT_PROT_READ), 0);
		PT_EXPECT_EQ(&fx, translate(&fx, iova), iova + fx.max);
		PT_EXPECT_EQ(&fx, translate(&fx, iova + len - 1), iova + fx.max + len - 1);
		PT_EXPECT_EQ(&fx, pt_fixture_unmap(&fx, iova, len), len);
		pt_fixture_close(&fx);
	}
	pt_fixture_fini(&fx);
}

/* The last page of every size below the top of the input range maps and translates; one
 * byte further is out of range. */
static void test_last_page_below_top(void **state)
{
	struct pt_fixture fx;
	struct pt_cfg cfg;

	(void)state;
	pt_fixture_init(&fx);
	PT_FOR_EACH_CFG(i, cfg)
	{
		pt_fixture_open(&fx, &cfg);
		uint64_t top = (uint64_t)1 << cfg.ias;

		for (unsigned j = 0; j < fx.size_count; j++) {
			uint64_t size = fx.sizes[j];
			uint64_t pa = fx.max;

			PT_EXPECT_EQ(&fx, pt_map(fx.s, top - size, pa, size, PT_TEST_PROT), 0);
			PT_EXPECT_EQ(&fx, translate(&fx, top - 1), pa + size - 1);
			PT_EXPECT_EQ(&fx, translate(&fx, top - size), pa);
			PT_EXPECT_EQ(&fx, pt_map(fx.s, top, pa, size, PT_TEST_PROT), -ERANGE);
			PT_EXPECT_EQ(&fx, pt_map(fx.s, top - size, pa, 2 * size, PT_TEST_PROT),
				     -ERANGE);
			PT_EXPECT_EQ(&fx, pt_check(fx.s), 0);
			PT_EXPECT_EQ(&fx, pt_fixture_unmap(&fx, top - size, size), size);
			PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), 1);
		}
		/* The highest output address maps too. */
		uint64_t pa_top = (uint64_t)1 << cfg.oas;

		PT_EXPECT_EQ(&fx, pt_map(fx.s, 0, pa_top - fx.min, fx.min, PT_TEST_PROT), 0);
		PT_EXPECT_EQ(&fx, translate(&fx, fx.min - 1), pa_top - 1);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, fx.min, pa_top, fx.min, PT_TEST_PROT), -ERANGE);
		PT_EXPECT_EQ(&fx, pt_fixture_unmap(&fx, 0, fx.min), fx.min);
		pt_fixture_close(&fx);
	}
	pt_fixture_fini(&fx);
}

/* Bad arguments are refused with the documented error and change nothing. */
static void test_bad_arguments(void **state)
{
	struct pt_fixture fx;
	struct pt_cfg cfg;

	(void)state;
	pt_fixture_init(&fx);
	PT_FOR_EACH_CFG(i, cfg)
	{
		pt_fixture_open(&fx, &cfg);
		uint64_t m = fx.min;
		struct pt_gather g;
		uint64_t removed = 7;

		PT_EXPECT_EQ(&fx, pt_map(fx.s, 0, 0, 0, PT_TEST_PROT), -EINVAL);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, m / 2, 0, m, PT_TEST_PROT), -EINVAL);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, 0, m / 2, m, PT_TEST_PROT), -EINVAL);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, 0, 0, m + m / 2, PT_TEST_PROT), -EINVAL);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, UINT64_MAX - m + 1, 0, 2 * m, PT_TEST_PROT),
			     -EOVERFLOW);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, 0, UINT64_MAX - m + 1, 2 * m, PT_TEST_PROT),
			     -EOVERFLOW);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, 0, (uint64_t)1 << cfg.oas, m, PT_TEST_PROT),
			     -ERANGE);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, (uint64_t)1 << cfg.ias, 0, m, PT_TEST_PROT),
			     -ERANGE);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, 0, 0, m, 0), -EINVAL);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, 0, 0, m, PT_PROT_NOEXEC), -EINVAL);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, 0, 0, m, PT_PROT_READ | (PT_PROT_ALL + 1)), -EINVAL);
		PT_EXPECT_EQ(&fx,
			     pt_map(fx.s, 0, 0, m, PT_PROT_READ | PT_PROT_MMIO | PT_PROT_NOCACHE),
			     -EINVAL);
		if (cfg.format == PT_FORMAT_LPAE_S1) {
			/* Stage 1 cannot withhold reading from a valid entry. */
			PT_EXPECT_EQ(&fx, pt_map(fx.s, 0, 0, m, PT_PROT_WRITE), -EOPNOTSUPP);
		} else {
			/* Only stage 1 has privilege levels. */
			PT_EXPECT_EQ(&fx, pt_map(fx.s, 0, 0, m, PT_PROT_READ | PT_PROT_PRIV),
				     -EOPNOTSUPP);
		}

		pt_gather_init(&g);
		PT_EXPECT_EQ(&fx, pt_unmap(fx.s, 0, 0, &g, &removed), -EINVAL);
		PT_EXPECT_EQ(&fx, pt_unmap(fx.s, m / 2, m, &g, &removed), -EINVAL);
		PT_EXPECT_EQ(&fx, pt_unmap(fx.s, UINT64_MAX - m + 1, 2 * m, &g, &removed),
			     -EOVERFLOW);
		PT_EXPECT_EQ(&fx, pt_unmap(fx.s, (uint64_t)1 << cfg.ias, m, &g, &removed), -ERANGE);
		PT_EXPECT_EQ(&fx, pt_unmap(fx.s, 0, m, NULL, &removed), -EINVAL);
		PT_EXPECT_EQ(&fx, removed, 7);
		PT_EXPECT_EQ(&fx, g.range_count, 0);
		PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), 1);
		pt_fixture_close(&fx);
	}
	pt_fixture_fini(&fx);
}

/* Every allocation failure during a map or a split leaves the address space as it was. */
static void test_failed_allocation_changes_nothing(void **state)
{
	struct pt_fixture fx;
	struct pt_cfg cfg;

	(void)state;
	pt_fixture_init(&fx);
	PT_FOR_EACH_CFG(i, cfg)
	{
		pt_fixture_open(&fx, &cfg);
		uint64_t m = fx.min;
		uint64_t big = fx.max;
		/* Crosses a table boundary: needs tables on both sides. */
		uint64_t iova = ((uint64_t)1 << (cfg.ias - 1)) - 2 * m;
		int r = -ENOMEM;

		for (long k = 0; r == -ENOMEM; k++) {
			pt_host_mem_fail_after(fx.mem, k);
			r = pt_map(fx.s, iova, big, 4 * m, PT_TEST_PROT);
			if (r == -ENOMEM) {
				PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), 1);
				PT_EXPECT_EQ(&fx, pt_host_mem_in_use(fx.mem), fx.info.root_size);
				PT_EXPECT_EQ(&fx, translate(&fx, iova + 2 * m), -ENOENT);
			}
		}
		pt_host_mem_fail_after(fx.mem, -1);
		PT_EXPECT_EQ(&fx, r, 0);
		PT_EXPECT_EQ(&fx, translate(&fx, iova + 3 * m), big + 3 * m);

		if (big > m) {
			/* A split without memory keeps the block whole. */
			PT_EXPECT_EQ(&fx, pt_map(fx.s, 0, big, big, PT_TEST_PROT), 0);
			char *before = pt_fixture_dump(&fx);
			struct pt_gather g;
			uint64_t removed = 7;

			pt_gather_init(&g);
			r = -ENOMEM;
			for (long k = 0; r == -ENOMEM; k++) {
				pt_host_mem_fail_after(fx.mem, k);
				r = pt_unmap(fx.s, big / 2 + m, m, &g, &removed);
				if (r == -ENOMEM) {
					char *after = pt_fixture_dump(&fx);

					PT_EXPECT_EQ(&fx, strcmp(before, after), 0);
					PT_EXPECT_EQ(&fx, removed, 7);
					PT_EXPECT_EQ(&fx, g.range_count, 0);
					free(after);
				}
			}
			pt_host_mem_fail_after(fx.mem, -1);
			PT_EXPECT_EQ(&fx, r, 0);
			PT_EXPECT_EQ(&fx, removed, m);
			pt_gather_release(&g);
			free(before);
			PT_EXPECT_EQ(&fx, translate(&fx, big / 2 + m), -ENOENT);
			PT_EXPECT_EQ(&fx, translate(&fx, big / 2), big + big / 2);
		}
		pt_fixture_close(&fx);
	}
	pt_fixture_fini(&fx);
}

/* Creation fails cleanly when the structure or the root cannot be allocated. */
static void test_create_failure(void **state)
{
	struct pt_fixture fx;
	struct pt_cfg cfg;

	(void)state;
	pt_fixture_init(&fx);
	PT_FOR_EACH_CFG(i, cfg)
	{
		struct pt_space *s = (struct pt_space *)&fx;

		pt_cfg_name(&cfg, fx.name, sizeof(fx.name));
		smmu_alloc_fail_after(0);
		PT_EXPECT_EQ(&fx, pt_space_create(&cfg, &fx.alloc, &s), -ENOMEM);
		smmu_alloc_fail_after(-1);
		pt_host_mem_fail_after(fx.mem, 0);
		PT_EXPECT_EQ(&fx, pt_space_create(&cfg, &fx.alloc, &s), -ENOMEM);
		pt_host_mem_fail_after(fx.mem, -1);
		PT_EXPECT_EQ(&fx, s, (struct pt_space *)&fx);
		PT_EXPECT_EQ(&fx, pt_host_mem_in_use(fx.mem), 0);
	}
	pt_fixture_fini(&fx);
}

/* Unmap skips holes and reports exactly the ranges it removed; one gather coalesces adjacent
 * removals across operations and frees emptied tables only when released. */
static void test_unmap_reports_exactly(void **state)
{
	struct pt_fixture fx;
	struct pt_cfg cfg;

	(void)state;
	pt_fixture_init(&fx);
	PT_FOR_EACH_CFG(i, cfg)
	{
		pt_fixture_open(&fx, &cfg);
		uint64_t m = fx.min;
		struct pt_gather g;
		uint64_t removed = 0;

		PT_EXPECT_EQ(&fx, pt_map(fx.s, 0, 0, m, PT_TEST_PROT), 0);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, 2 * m, 8 * m, 2 * m, PT_TEST_PROT), 0);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, 5 * m, 0, m, PT_TEST_PROT), 0);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, 6 * m, 0, m, PT_TEST_PROT), 0);
		size_t tables = pt_fixture_tables(&fx);

		pt_gather_init(&g);
		PT_EXPECT_EQ(&fx, pt_unmap(fx.s, 0, 5 * m, &g, &removed), 0);
		PT_EXPECT_EQ(&fx, removed, 3 * m);
		PT_EXPECT_EQ(&fx, g.range_count, 2);
		PT_EXPECT_EQ(&fx, g.range[0].start, 0);
		PT_EXPECT_EQ(&fx, g.range[0].last, m - 1);
		PT_EXPECT_EQ(&fx, g.range[1].start, 2 * m);
		PT_EXPECT_EQ(&fx, g.range[1].last, 4 * m - 1);
		PT_EXPECT_EQ(&fx, g.tables_freed, false);
		/* Adjacent to nothing gathered: a third range; then the fourth page joins it. */
		PT_EXPECT_EQ(&fx, pt_unmap(fx.s, 5 * m, m, &g, &removed), 0);
		PT_EXPECT_EQ(&fx, g.range_count, 3);
		PT_EXPECT_EQ(&fx, pt_unmap(fx.s, 4 * m, m, &g, &removed), 0);
		PT_EXPECT_EQ(&fx, removed, 0);
		PT_EXPECT_EQ(&fx, g.range_count, 3);
		PT_EXPECT_EQ(&fx, pt_unmap(fx.s, 6 * m, m, &g, &removed), 0);
		PT_EXPECT_EQ(&fx, removed, m);
		PT_EXPECT_EQ(&fx, g.range_count, 3);
		PT_EXPECT_EQ(&fx, g.range[2].start, 5 * m);
		PT_EXPECT_EQ(&fx, g.range[2].last, 7 * m - 1);
		PT_EXPECT_EQ(&fx, g.coarse, false);
		/* The last page went: its tables are parked, not yet freed. */
		PT_EXPECT_EQ(&fx, g.tables_freed, fx.info.level_count > 1);
		PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), tables);
		PT_EXPECT_EQ(&fx, pt_check(fx.s), 0);
		pt_gather_release(&g);
		PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), 1);
		PT_EXPECT_EQ(&fx, g.range_count, 0);
		pt_fixture_close(&fx);
	}
	pt_fixture_fini(&fx);
}

/* Unmaps one page range into g (initialised here) and checks the bytes removed. */
static void unmap_into(struct pt_fixture *fx, struct pt_gather *g, uint64_t iova, uint64_t len,
		       uint64_t want_removed)
{
	uint64_t removed = UINT64_MAX;

	pt_gather_init(g);
	PT_EXPECT_EQ(fx, pt_unmap(fx->s, iova, len, g, &removed), 0);
	PT_EXPECT_EQ(fx, removed, want_removed);
}

static void expect_gather_range(struct pt_fixture *fx, const struct pt_gather *g, unsigned i,
				uint64_t start, uint64_t last)
{
	PT_EXPECT_EQ(fx, i < g->range_count, true);
	PT_EXPECT_EQ(fx, g->range[i].start, start);
	PT_EXPECT_EQ(fx, g->range[i].last, last);
}

/*
 * Runs of smallest pages inside one table, the buffer unmap the fast path serves: a full run,
 * a run with holes, a run whose leaves share no permission bit (VT-d read-only beside
 * write-only), a run beside a page that stays, and a run across two tables.  Each reports
 * exactly what went, and frees exactly the tables that emptied.
 */
static void test_unmap_runs_in_a_table(void **state)
{
	struct pt_fixture fx;
	struct pt_cfg cfg;

	(void)state;
	pt_fixture_init(&fx);
	PT_FOR_EACH_CFG(i, cfg)
	{
		pt_fixture_open(&fx, &cfg);
		uint64_t m = fx.min;
		uint64_t entries = m / 8;
		uint64_t span = m * entries; /* what one table of smallest pages maps */
		uint64_t base = span; /* the second such table: below 4 GiB for every granule */
		struct pt_gather g;

		/* A full run: one range, and the tables up to the root go. */
		PT_EXPECT_EQ(&fx, pt_map(fx.s, base + 16 * m, 0, 256 * m, PT_TEST_PROT), 0);
		unmap_into(&fx, &g, base + 16 * m, 256 * m, 256 * m);
		PT_EXPECT_EQ(&fx, g.range_count, 1);
		expect_gather_range(&fx, &g, 0, base + 16 * m, base + 272 * m - 1);
		PT_EXPECT_EQ(&fx, g.tables_freed, fx.info.level_count > 1);
		PT_EXPECT_EQ(&fx, pt_check(fx.s), 0);
		pt_gather_release(&g);
		PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), 1);

		/* Holes: one range per run of pages, nothing for the holes. */
		PT_EXPECT_EQ(&fx, pt_map(fx.s, base + 16 * m, 0, 16 * m, PT_TEST_PROT), 0);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, base + 40 * m, 0, 8 * m, PT_TEST_PROT), 0);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, base + 63 * m, 0, m, PT_TEST_PROT), 0);
		unmap_into(&fx, &g, base + 8 * m, 56 * m, 25 * m);
		PT_EXPECT_EQ(&fx, g.range_count, 3);
		expect_gather_range(&fx, &g, 0, base + 16 * m, base + 32 * m - 1);
		expect_gather_range(&fx, &g, 1, base + 40 * m, base + 48 * m - 1);
		expect_gather_range(&fx, &g, 2, base + 63 * m, base + 64 * m - 1);
		PT_EXPECT_EQ(&fx, pt_check(fx.s), 0);
		pt_gather_release(&g);
		PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), 1);

		/* Leaves without a common present bit where the format has write-only. */
		if (cfg.format != PT_FORMAT_LPAE_S1) {
			PT_EXPECT_EQ(&fx, pt_map(fx.s, base, 0, m, PT_PROT_READ), 0);
			PT_EXPECT_EQ(&fx, pt_map(fx.s, base + m, m, m, PT_PROT_WRITE), 0);
			PT_EXPECT_EQ(&fx, pt_map(fx.s, base + 2 * m, 0, m, PT_PROT_READ), 0);
			unmap_into(&fx, &g, base, 4 * m, 3 * m);
			PT_EXPECT_EQ(&fx, g.range_count, 1);
			expect_gather_range(&fx, &g, 0, base, base + 3 * m - 1);
			PT_EXPECT_EQ(&fx, pt_check(fx.s), 0);
			pt_gather_release(&g);
			PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), 1);
		}

		/* A page that stays keeps its table, however far from the run. */
		PT_EXPECT_EQ(&fx, pt_map(fx.s, base + (entries - 1) * m, 0, m, PT_TEST_PROT), 0);
		size_t tables = pt_fixture_tables(&fx);

		PT_EXPECT_EQ(&fx, pt_map(fx.s, base, 0, 256 * m, PT_TEST_PROT), 0);
		unmap_into(&fx, &g, base, 256 * m, 256 * m);
		PT_EXPECT_EQ(&fx, g.tables_freed, false);
		PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), tables);
		PT_EXPECT_EQ(&fx, translate(&fx, base + (entries - 1) * m), 0);
		PT_EXPECT_EQ(&fx, pt_check(fx.s), 0);
		pt_gather_release(&g);

		/* Across two tables: the one that empties goes, the one holding the page stays. */
		PT_EXPECT_EQ(&fx, pt_map(fx.s, base - 8 * m, 0, 16 * m, PT_TEST_PROT), 0);
		PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), tables + (fx.info.level_count > 1));
		unmap_into(&fx, &g, base - 8 * m, 16 * m, 16 * m);
		PT_EXPECT_EQ(&fx, g.range_count, 1);
		expect_gather_range(&fx, &g, 0, base - 8 * m, base + 8 * m - 1);
		PT_EXPECT_EQ(&fx, pt_check(fx.s), 0);
		pt_gather_release(&g);
		PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), tables);
		PT_EXPECT_EQ(&fx, pt_fixture_unmap(&fx, base, span), m);
		PT_EXPECT_EQ(&fx, pt_fixture_tables(&fx), 1);
		pt_fixture_close(&fx);
	}
	pt_fixture_fini(&fx);
}

/* Syncs a non-coherent walker would need, for test_unmap_syncs_what_it_writes (the
 * allocator's ctx is the pool's, so the log is a static). */
static struct {
	unsigned count;
	struct {
		const char *start;
		size_t size;
	} range[64];
} sync_log;

static void log_sync(void *ctx, const void *cpu, size_t size)
{
	(void)ctx;
	if (sync_log.count < ARRAY_SIZE(sync_log.range)) {
		sync_log.range[sync_log.count].start = cpu;
		sync_log.range[sync_log.count].size = size;
	}
	sync_log.count++;
}

/* Every 8-byte word of [base, base + size) that differs from before lies in a synced range. */
static void expect_changes_synced(struct pt_fixture *fx, const char *base, const char *before,
				  size_t size)
{
	PT_EXPECT_EQ(fx, sync_log.count <= ARRAY_SIZE(sync_log.range), true);
	for (size_t off = 0; off < size; off += 8) {
		if (!memcmp(base + off, before + off, 8)) {
			continue;
		}
		bool synced = false;

		for (unsigned k = 0; k < sync_log.count; k++) {
			synced |= base + off >= sync_log.range[k].start &&
				  base + off < sync_log.range[k].start + sync_log.range[k].size;
		}
		if (!synced) {
			fail_msg("[%s] table word at pool offset 0x%zx changed, never synced",
				 fx->name, off);
		}
	}
}

/*
 * With a non-coherent walker, unmap makes every entry it writes visible, once per run of
 * entries: one sync for a run of pages in one table; once the last page goes, one per table
 * unlinked (its parent's entry) and one per table parked (its link words).
 */
static void test_unmap_syncs_what_it_writes(void **state)
{
	struct pt_cfg cfg;

	(void)state;
	PT_FOR_EACH_CFG(i, cfg)
	{
		struct pt_fixture fx;

		/* A fresh pool each time: only memory never freed is compared (ASan). */
		pt_fixture_init(&fx);
		fx.alloc.sync = log_sync;
		pt_fixture_open(&fx, &cfg);
		uint64_t m = fx.min;
		uint64_t base = m * (m / 8); /* the second table of smallest pages */
		const char *pool = fx.alloc.linear_cpu_base;

		PT_EXPECT_EQ(&fx, pt_map(fx.s, base, 0, m, PT_TEST_PROT), 0);
		PT_EXPECT_EQ(&fx, pt_map(fx.s, base + 16 * m, 0, 256 * m, PT_TEST_PROT), 0);
		size_t used = pt_host_mem_in_use(fx.mem);
		char *before = malloc(used);

		assert_non_null(before);
		memcpy(before, pool, used);
		sync_log.count = 0;
		PT_EXPECT_EQ(&fx, pt_fixture_unmap(&fx, base + 16 * m, 256 * m), 256 * m);
		PT_EXPECT_EQ(&fx, sync_log.count, 1);
		expect_changes_synced(&fx, pool, before, used);

		/* The last page: every table but the root is unlinked and parked. */
		struct pt_gather g;
		uint64_t removed = 0;
		unsigned below_root = fx.info.level_count - 1;

		memcpy(before, pool, used);
		sync_log.count = 0;
		pt_gather_init(&g);
		PT_EXPECT_EQ(&fx, pt_unmap(fx.s, base, m, &g, &removed), 0);
		PT_EXPECT_EQ(&fx, removed, m);
		PT_EXPECT_EQ(&fx, sync_log.count, 1 + 2 * below_root);
		expect_changes_synced(&fx, pool, before, used);
		pt_gather_release(&g);
		free(before);
		pt_fixture_close(&fx);
		pt_fixture_fini(&fx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_translates_nothing),
		cmocka_unit_test(test_every_page_size),
		cmocka_unit_test(test_overlapping_map_fails),
		cmocka_unit_test(test_largest_pages_and_translation),
		cmocka_unit_test(test_partial_unmap_splits_block),
		cmocka_unit_test(test_unmap_then_remap),
		cmocka_unit_test(test_last_page_below_top),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_failed_allocation_changes_nothing),
		cmocka_unit_test(test_create_failure),
		cmocka_unit_test(test_unmap_reports_exactly),
		cmocka_unit_test(test_unmap_runs_in_a_table),
		cmocka_unit_test(test_unmap_syncs_what_it_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
