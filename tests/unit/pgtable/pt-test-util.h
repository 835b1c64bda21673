/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the page-table tests: a space over host memory for one configuration,
 * assertions that name the configuration and print both values, and small walkers.
 * Include after <cmocka.h> and its prerequisites.
 */
#ifndef SMMU_TESTS_PT_TEST_UTIL_H
#define SMMU_TESTS_PT_TEST_UTIL_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgtable/pgtable.h"
#include "pgtable/pt-host-mem.h"

/* Table memory for one test: big enough for the largest concatenated root and the densest
 * test (a 512 MiB block split down to 64 KiB pages needs a few tables). */
#define PT_TEST_POOL_SIZE ((size_t)256 << 20)

struct pt_fixture {
	struct pt_host_mem *mem;
	struct pt_allocator alloc;
	struct pt_space *s;
	struct pt_cfg cfg;
	struct pt_info info;
	char name[96];
	uint64_t min; /* smallest page */
	uint64_t max; /* largest page */
	unsigned size_count;
	uint64_t sizes[PT_MAX_LEVELS]; /* ascending */
};

/* Fails the test, naming the configuration and printing both values. */
#define PT_EXPECT_EQ(fx, a, b)                                                                \
	do {                                                                                  \
		uint64_t a_ = (uint64_t)(a);                                                  \
		uint64_t b_ = (uint64_t)(b);                                                  \
		if (a_ != b_) {                                                               \
			fail_msg("%s:%d [%s] %s = 0x%" PRIx64 " (%" PRId64                    \
				 "), expected %s = 0x%" PRIx64 " (%" PRId64 ")",              \
				 __FILE__, __LINE__, (fx)->name, #a, a_, (int64_t)a_, #b, b_, \
				 (int64_t)b_);                                                \
		}                                                                             \
	} while (0)

static inline void pt_fixture_init(struct pt_fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	assert_int_equal(pt_host_mem_create(PT_TEST_POOL_SIZE, &fx->mem), 0);
	pt_host_mem_allocator(fx->mem, &fx->alloc);
}

static inline void pt_fixture_open(struct pt_fixture *fx, const struct pt_cfg *cfg)
{
	fx->cfg = *cfg;
	pt_cfg_name(cfg, fx->name, sizeof(fx->name));
	int r = pt_space_create(cfg, &fx->alloc, &fx->s);

	PT_EXPECT_EQ(fx, r, 0);
	pt_get_info(fx->s, &fx->info);
	fx->size_count = 0;
	for (unsigned b = 0; b < 64; b++) {
		if (fx->info.pgsize_bitmap & ((uint64_t)1 << b)) {
			fx->sizes[fx->size_count++] = (uint64_t)1 << b;
		}
	}
	fx->min = fx->sizes[0];
	fx->max = fx->sizes[fx->size_count - 1];
}

/* Destroys the space; every byte of table memory must be back. */
static inline void pt_fixture_close(struct pt_fixture *fx)
{
	PT_EXPECT_EQ(fx, pt_check(fx->s), 0);
	pt_space_destroy(fx->s);
	fx->s = NULL;
	PT_EXPECT_EQ(fx, pt_host_mem_in_use(fx->mem), 0);
}

static inline void pt_fixture_fini(struct pt_fixture *fx)
{
	pt_host_mem_destroy(fx->mem);
}

static inline size_t pt_fixture_tables(struct pt_fixture *fx)
{
	struct pt_info info;

	pt_get_info(fx->s, &info);
	return info.table_count;
}

/* Unmaps and releases the gather at once, returning the bytes removed. */
static inline uint64_t pt_fixture_unmap(struct pt_fixture *fx, uint64_t iova, uint64_t len)
{
	struct pt_gather g;
	uint64_t removed = UINT64_MAX;

	pt_gather_init(&g);
	PT_EXPECT_EQ(fx, pt_unmap(fx->s, iova, len, &g, &removed), 0);
	pt_gather_release(&g);
	return removed;
}

/* The dump of the whole input range, as one string (caller frees). */
static inline char *pt_fixture_dump(struct pt_fixture *fx)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	PT_EXPECT_EQ(fx, pt_dump(fx->s, 0, (uint64_t)1 << fx->cfg.ias, f), 0);
	fclose(f);
	return buf;
}

/* A prot every format accepts. */
#define PT_TEST_PROT (PT_PROT_READ | PT_PROT_WRITE)

/* Iterates over every configuration of the matrix. */
#define PT_FOR_EACH_CFG(i, cfg) for (size_t i = 0; pt_test_cfg(i, &(cfg)) == 0; i++)

#endif
