/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry encodings and table geometry against the specifications, entry by entry: the raw
 * 64-bit words a walker reads (VT-d spec 9.8; Arm ARM D8.3-D8.5), the start level and
 * concatenation of each LPAE configuration (Arm ARM D8.2), and the configurations refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the headers above */
#include <cmocka.h>

#include "pt-test-util.h"

static void open_cfg(struct pt_fixture *fx, enum pt_format format, unsigned granule_lg2,
		     unsigned ias, unsigned oas)
{
	struct pt_cfg cfg = {.format = format, .granule_lg2 = granule_lg2, .ias = ias, .oas = oas};

	pt_fixture_open(fx, &cfg);
}

/* The raw leaf entry that maps iova, and its level. */
static uint64_t leaf_pte(struct pt_fixture *fx, uint64_t iova, unsigned *ret_level)
{
	struct pt_leaf leaf;

	PT_EXPECT_EQ(fx, pt_lookup(fx->s, iova, &leaf), 0);
	*ret_level = leaf.level;
	return leaf.pte;
}

/* Entry `index` of the root table, read as the walker would (little-endian words). */
static uint64_t root_entry(struct pt_fixture *fx, unsigned index)
{
	const uint8_t *root = (const uint8_t *)fx->alloc.linear_cpu_base +
			      (fx->info.root_pa - fx->alloc.linear_pa_base);
	uint64_t v = 0;

	for (int b = 7; b >= 0; b--) {
		v = v << 8 | root[index * 8 + (unsigned)b];
	}
	return v;
}

static void map_ok(struct pt_fixture *fx, uint64_t iova, uint64_t pa, uint64_t len, unsigned prot)
{
	PT_EXPECT_EQ(fx, pt_map(fx->s, iova, pa, len, prot), 0);
}

/* VT-d second-level entries (spec 9.8): R bit 0, W bit 1, PS bit 7 on 2 MiB / 1 GiB leaves,
 * ADDR from bit 12; a table entry is the next table's address with R and W. */
static void test_vtd_entries(void **state)
{
	struct pt_fixture fx;
	unsigned level;

	(void)state;
	pt_fixture_init(&fx);
	open_cfg(&fx, PT_FORMAT_VTD_SL, 12, 48, 46);
	PT_EXPECT_EQ(&fx, fx.info.level_count, 4);
	PT_EXPECT_EQ(&fx, fx.info.start_level, 4);
	PT_EXPECT_EQ(&fx, fx.info.root_size, 4096);
	PT_EXPECT_EQ(&fx, fx.info.pgsize_bitmap, 0x40201000);

	map_ok(&fx, 0x1000, 0x1234000, 0x1000, PT_PROT_READ | PT_PROT_WRITE);
	PT_EXPECT_EQ(&fx, leaf_pte(&fx, 0x1000, &level), 0x1234003);
	PT_EXPECT_EQ(&fx, level, 0);
	map_ok(&fx, 0x2000, 0x1235000, 0x1000, PT_PROT_READ);
	PT_EXPECT_EQ(&fx, leaf_pte(&fx, 0x2000, &level), 0x1235001);
	/* Write-only exists in VT-d. */
	map_ok(&fx, 0x3000, 0x1236000, 0x1000, PT_PROT_WRITE | PT_PROT_MMIO | PT_PROT_NOEXEC);
	PT_EXPECT_EQ(&fx, leaf_pte(&fx, 0x3000, &level), 0x1236002);
	map_ok(&fx, 0x200000, 0x40000000, 0x200000, PT_PROT_READ);
	PT_EXPECT_EQ(&fx, leaf_pte(&fx, 0x200000, &level), 0x40000081);
	PT_EXPECT_EQ(&fx, level, 1);
	map_ok(&fx, 0x40000000, 0x80000000, 0x40000000, PT_PROT_READ | PT_PROT_WRITE);
	PT_EXPECT_EQ(&fx, leaf_pte(&fx, 0x40000000, &level), 0x80000083);
	PT_EXPECT_EQ(&fx, level, 2);

	uint64_t pml4e = root_entry(&fx, 0);

	PT_EXPECT_EQ(&fx, pml4e & 0xfff, 0x3);
	PT_EXPECT_EQ(&fx, pml4e & ~0x3fffffffffffull, 0);
	PT_EXPECT_EQ(&fx, pml4e >= PT_HOST_MEM_PA_BASE, 1);
	PT_EXPECT_EQ(&fx, pt_fixture_unmap(&fx, 0, 0x80000000), 0x40000000 + 0x200000 + 0x3000);
	pt_fixture_close(&fx);

	open_cfg(&fx, PT_FORMAT_VTD_SL, 12, 57, 52);
	PT_EXPECT_EQ(&fx, fx.info.level_count, 5);
	map_ok(&fx, (1ull << 57) - 0x1000, 0xfffffffff000ull, 0x1000, PT_PROT_READ);
	PT_EXPECT_EQ(&fx, leaf_pte(&fx, (1ull << 57) - 1, &level), 0xfffffffff001ull);
	PT_EXPECT_EQ(&fx, root_entry(&fx, 511) & 0x83, 0x3);
	pt_fixture_unmap(&fx, (1ull << 57) - 0x1000, 0x1000);
	pt_fixture_close(&fx);

	open_cfg(&fx, PT_FORMAT_VTD_SL, 12, 39, 39);
	PT_EXPECT_EQ(&fx, fx.info.level_count, 3);
	pt_fixture_close(&fx);
	pt_fixture_fini(&fx);
}

/* Stage 1 (Arm ARM D8.3-D8.5): page 0b11 / block 0b01, AttrIndx 4:2, AP[1] bit 6 unprivileged,
 * AP[2] bit 7 read-only, SH 9:8, AF bit 10, nG bit 11, PXN 53, UXN 54. */
static void test_lpae_s1_entries(void **state)
{
	struct pt_fixture fx;
	unsigned level;

	(void)state;
	pt_fixture_init(&fx);
	open_cfg(&fx, PT_FORMAT_LPAE_S1, 12, 48, 48);
	PT_EXPECT_EQ(&fx, fx.info.level_count, 4);
	PT_EXPECT_EQ(&fx, fx.info.start_level, 0);
	PT_EXPECT_EQ(&fx, fx.info.root_table_count, 1);

	map_ok(&fx, 0x1000, 0x1234000, 0x1000, PT_PROT_READ | PT_PROT_WRITE);
	PT_EXPECT_EQ(&fx, leaf_pte(&fx, 0x1000, &level), 0x1234f43);
	map_ok(&fx, 0x2000, 0x1234000, 0x1000, PT_PROT_READ | PT_PROT_NOEXEC);
	PT_EXPECT_EQ(&fx, leaf_pte(&fx, 0x2000, &level), 0x0060000001234fc3);
	map_ok(&fx, 0x3000, 0x1234000, 0x1000, PT_PROT_READ | PT_PROT_WRITE | PT_PROT_MMIO);
	PT_EXPECT_EQ(&fx, leaf_pte(&fx, 0x3000, &level), 0x1234c4b);
	map_ok(&fx, 0x4000, 0x1234000, 0x1000, PT_PROT_READ | PT_PROT_WRITE | PT_PROT_NOCACHE);
	PT_EXPECT_EQ(&fx, leaf_pte(&fx, 0x4000, &level), 0x1234e47);
	map_ok(&fx, 0x5000, 0x1234000, 0x1000, PT_PROT_READ | PT_PROT_WRITE | PT_PROT_PRIV);
	PT_EXPECT_EQ(&fx, leaf_pte(&fx, 0x5000, &level), 0x1234f03);
	map_ok(&fx, 0x200000, 0x40000000, 0x200000, PT_PROT_READ | PT_PROT_WRITE);
	PT_EXPECT_EQ(&fx, leaf_pte(&fx, 0x200000, &level), 0x40000f41);
	PT_EXPECT_EQ(&fx, level, 1);
	map_ok(&fx, 0x40000000, 0xc0000000, 0x40000000, PT_PROT_READ | PT_PROT_WRITE);
	PT_EXPECT_EQ(&fx, leaf_pte(&fx, 0x40000000, &level), 0xc0000f41);
	PT_EXPECT_EQ(&fx, level, 2);
	/* The level-0 table descriptor: 0b11 and the next table's address, nothing else. */
	PT_EXPECT_EQ(&fx, root_entry(&fx, 0) & 0xffff000000000fffull, 0x3);

	struct pt_leaf leaf;

	PT_EXPECT_EQ(&fx, pt_lookup(fx.s, 0x2000, &leaf), 0);
	PT_EXPECT_EQ(&fx, leaf.prot, PT_PROT_READ | PT_PROT_NOEXEC);
	PT_EXPECT_EQ(&fx, pt_lookup(fx.s, 0x5000, &leaf), 0);
	PT_EXPECT_EQ(&fx, leaf.prot, PT_PROT_READ | PT_PROT_WRITE | PT_PROT_PRIV);
	pt_fixture_unmap(&fx, 0, 0x80000000);
	pt_fixture_close(&fx);

	/* 16K granule, 48 bits: level 0 has two entries (bit 47). */
	open_cfg(&fx, PT_FORMAT_LPAE_S1, 14, 48, 48);
	PT_EXPECT_EQ(&fx, fx.info.level_count, 4);
	PT_EXPECT_EQ(&fx, fx.info.start_level, 0);
	PT_EXPECT_EQ(&fx, fx.info.pgsize_bitmap, (1ull << 14) | (1ull << 25));
	map_ok(&fx, 0x2000000, 0x4000000, 0x2000000, PT_PROT_READ | PT_PROT_WRITE);
	PT_EXPECT_EQ(&fx, leaf_pte(&fx, 0x2000000, &level), 0x4000f41);
	pt_fixture_unmap(&fx, 0x2000000, 0x2000000);
	pt_fixture_close(&fx);

	/* 64K granule, 48 bits: starts at level 1 with 64 entries. */
	open_cfg(&fx, PT_FORMAT_LPAE_S1, 16, 48, 48);
	PT_EXPECT_EQ(&fx, fx.info.level_count, 3);
	PT_EXPECT_EQ(&fx, fx.info.start_level, 1);
	PT_EXPECT_EQ(&fx, fx.info.root_size, 65536);
	PT_EXPECT_EQ(&fx, fx.info.pgsize_bitmap, (1ull << 16) | (1ull << 29));
	map_ok(&fx, 0x10000, 0x120000, 0x10000, PT_PROT_READ);
	PT_EXPECT_EQ(&fx, leaf_pte(&fx, 0x10000, &level), 0x120fc3);
	pt_fixture_unmap(&fx, 0x10000, 0x10000);
	pt_fixture_close(&fx);
	pt_fixture_fini(&fx);
}

/* Stage 2 (Arm ARM D8.3-D8.5): MemAttr 5:2, S2AP read bit 6 and write bit 7, SH, AF, XN bit
 * 54; start level and concatenated tables (D8.2). */
static void test_lpae_s2_entries(void **state)
{
	struct pt_fixture fx;
	unsigned level;

	(void)state;
	pt_fixture_init(&fx);
	/* 4K, 40 bits: level 1 with two concatenated tables, the classic arrangement. */
	open_cfg(&fx, PT_FORMAT_LPAE_S2, 12, 40, 40);
	PT_EXPECT_EQ(&fx, fx.info.level_count, 3);
	PT_EXPECT_EQ(&fx, fx.info.start_level, 1);
	PT_EXPECT_EQ(&fx, fx.info.root_table_count, 2);
	PT_EXPECT_EQ(&fx, fx.info.root_size, 8192);
	PT_EXPECT_EQ(&fx, fx.info.root_pa % 8192, 0);

	map_ok(&fx, 0x1000, 0x1234000, 0x1000, PT_PROT_READ | PT_PROT_WRITE);
	PT_EXPECT_EQ(&fx, leaf_pte(&fx, 0x1000, &level), 0x12347ff);
	map_ok(&fx, 0x2000, 0x1234000, 0x1000, PT_PROT_WRITE);
	PT_EXPECT_EQ(&fx, leaf_pte(&fx, 0x2000, &level), 0x12347bf);
	map_ok(&fx, 0x3000, 0x1234000, 0x1000, PT_PROT_READ | PT_PROT_MMIO | PT_PROT_NOEXEC);
	PT_EXPECT_EQ(&fx, leaf_pte(&fx, 0x3000, &level), 0x0040000001234447);
	map_ok(&fx, 0x4000, 0x1234000, 0x1000, PT_PROT_READ | PT_PROT_NOCACHE);
	PT_EXPECT_EQ(&fx, leaf_pte(&fx, 0x4000, &level), 0x1234657);
	/* A 1 GiB block at the start level, in the second concatenated table. */
	map_ok(&fx, 1ull << 39, 0x40000000, 0x40000000, PT_PROT_READ | PT_PROT_WRITE);
	PT_EXPECT_EQ(&fx, leaf_pte(&fx, 1ull << 39, &level), 0x400007fd);
	PT_EXPECT_EQ(&fx, level, 2);
	PT_EXPECT_EQ(&fx, root_entry(&fx, 512), 0x400007fd);
	PT_EXPECT_EQ(&fx, root_entry(&fx, 0) & 0xfff, 0x3);
	pt_fixture_unmap(&fx, 0, 1ull << 40);
	pt_fixture_close(&fx);

	static const struct {
		unsigned granule_lg2, ias, level_count, start_level, concat;
	} geo[] = {
		{12, 48, 4, 0, 1},  {12, 44, 4, 0, 1}, {12, 43, 3, 1, 16}, {12, 39, 3, 1, 1},
		{12, 34, 2, 2, 16}, {12, 32, 2, 2, 4}, {14, 48, 3, 1, 2},  {14, 47, 3, 1, 1},
		{14, 36, 2, 2, 1},  {14, 37, 2, 2, 2}, {16, 48, 3, 1, 1},  {16, 46, 2, 2, 16},
		{16, 42, 2, 2, 1},  {16, 32, 1, 3, 8},
	};
	for (size_t i = 0; i < sizeof(geo) / sizeof(geo[0]); i++) {
		open_cfg(&fx, PT_FORMAT_LPAE_S2, geo[i].granule_lg2, geo[i].ias, 48);
		PT_EXPECT_EQ(&fx, fx.info.level_count, geo[i].level_count);
		PT_EXPECT_EQ(&fx, fx.info.start_level, geo[i].start_level);
		PT_EXPECT_EQ(&fx, fx.info.root_table_count, geo[i].concat);
		PT_EXPECT_EQ(&fx, fx.info.root_pa % fx.info.root_size, 0);
		pt_fixture_close(&fx);
	}
	pt_fixture_fini(&fx);
}

/* Configurations a format does not have are refused. */
static void test_bad_configurations(void **state)
{
	struct pt_fixture fx;
	static const struct pt_cfg bad[] = {
		{PT_FORMAT_VTD_SL, 12, 40, 46, 0},
		{PT_FORMAT_VTD_SL, 14, 48, 46, 0},
		{PT_FORMAT_VTD_SL, 12, 48, 53, 0},
		{PT_FORMAT_VTD_SL, 12, 48, 46, (1ull << 12) | (1ull << 30)},
		{PT_FORMAT_VTD_SL, 12, 48, 46, 1ull << 21},
		{PT_FORMAT_LPAE_S1, 12, 31, 48, 0},
		{PT_FORMAT_LPAE_S1, 12, 49, 48, 0},
		{PT_FORMAT_LPAE_S1, 12, 48, 49, 0},
		{PT_FORMAT_LPAE_S2, 13, 48, 48, 0},
		{PT_FORMAT_LPAE_S2, 16, 48, 48, (1ull << 16) | (1ull << 42)},
		{(enum pt_format)0, 12, 48, 48, 0},
	};

	(void)state;
	pt_fixture_init(&fx);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pt_space *s = NULL;

		pt_cfg_name(&bad[i], fx.name, sizeof(fx.name));
		PT_EXPECT_EQ(&fx, pt_space_create(&bad[i], &fx.alloc, &s), -EINVAL);
		PT_EXPECT_EQ(&fx, s == NULL, 1);
	}
	PT_EXPECT_EQ(&fx, pt_host_mem_in_use(fx.mem), 0);
	pt_fixture_fini(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vtd_entries),
		cmocka_unit_test(test_lpae_s1_entries),
		cmocka_unit_test(test_lpae_s2_entries),
		cmocka_unit_test(test_bad_configurations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
