/* SPDX-License-Identifier: Apache-2.0 */
/* hw/hw-table-mem.c: the table-memory page allocator, over the devmem provider with an
 * ordinary file standing in for /dev/mem (file offset N = physical address N). */
#include "hw/hw-table-mem.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmocka-all.h"
#include "common/strbuf.h"
#include "hw/hw.h"
#include "pgtable/pgtable.h"

#define FILE_SIZE (1u << 20)
/* Deliberately not 8 KiB aligned, so multi-page alignment depends on the physical base. */
#define RANGE_PA 0x11000u
#define RANGE_PAGES 64u
#define RANGE_SIZE (RANGE_PAGES * HW_TABLE_PAGE_SIZE)

struct fixture {
	char path[64];
	struct hw_bus *bus;
	struct hw_table_mem *mem;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char spec[128];

	strcpy(f->path, "/tmp/test-hw-table-mem.XXXXXX");
	int fd = mkstemp(f->path);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, FILE_SIZE), 0);
	close(fd);
	snprintf(spec, sizeof(spec), "devmem:mem=%s", f->path);
	assert_int_equal(hw_open(spec, &f->bus, NULL), 0);
	assert_int_equal(hw_table_mem_create(f->bus, RANGE_PA, RANGE_SIZE, &f->mem, NULL), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	hw_table_mem_destroy(f->mem);
	hw_close(f->bus);
	unlink(f->path);
	free(f);
	return 0;
}

/* A page lies in the range, on a page boundary, and its CPU address matches its PA. */
static void test_alloc_in_range(void **state)
{
	struct fixture *f = *state;
	void *cpu;
	uint64_t pa;

	assert_int_equal(hw_table_alloc(f->mem, 4096, &cpu, &pa), 0);
	assert_true(pa >= RANGE_PA && pa + 4096 <= RANGE_PA + RANGE_SIZE);
	assert_int_equal(pa % 4096, 0);
	assert_ptr_equal(hw_table_pa_to_cpu(f->mem, pa), cpu);
	assert_int_equal(hw_table_mem_in_use(f->mem), 4096);
}

/* Memory handed out is zero even if the range held other bytes before. */
static void test_alloc_zeroes(void **state)
{
	struct fixture *f = *state;
	void *base, *cpu;
	uint64_t base_pa, pa;

	hw_table_mem_linear(f->mem, &base, &base_pa);
	memset(base, 0xa5, RANGE_SIZE);
	assert_int_equal(hw_table_alloc(f->mem, 16384, &cpu, &pa), 0);
	for (size_t i = 0; i < 16384; i++) {
		assert_int_equal(((unsigned char *)cpu)[i], 0);
	}
}

/* The window is linear: cpu = cpu_base + (pa - pa_base), pa_base the range start. */
static void test_linear(void **state)
{
	struct fixture *f = *state;
	void *base, *cpu;
	uint64_t base_pa, pa;

	hw_table_mem_linear(f->mem, &base, &base_pa);
	assert_true(base_pa == RANGE_PA);
	assert_int_equal(hw_table_alloc(f->mem, 8192, &cpu, &pa), 0);
	assert_ptr_equal(cpu, (char *)base + (pa - base_pa));
}

/* Every page can be handed out once; the next request is -ENOMEM. */
static void test_exhaustion(void **state)
{
	struct fixture *f = *state;
	uint64_t seen[RANGE_PAGES];
	void *cpu;
	uint64_t pa;

	for (unsigned i = 0; i < RANGE_PAGES; i++) {
		assert_int_equal(hw_table_alloc(f->mem, 4096, &cpu, &pa), 0);
		for (unsigned j = 0; j < i; j++) {
			assert_true(seen[j] != pa);
		}
		seen[i] = pa;
	}
	assert_int_equal(hw_table_alloc(f->mem, 4096, &cpu, &pa), -ENOMEM);
	assert_int_equal(hw_table_mem_in_use(f->mem), RANGE_SIZE);
}

/* A freed page is handed out again, zeroed, and the accounting follows. */
static void test_free_reuses(void **state)
{
	struct fixture *f = *state;
	void *cpu, *again_cpu;
	uint64_t pa, again_pa;

	for (unsigned i = 0; i < RANGE_PAGES; i++) {
		assert_int_equal(hw_table_alloc(f->mem, 4096, &cpu, &pa), 0);
	}
	memset(cpu, 0xff, 4096);
	hw_table_free(f->mem, cpu, pa, 4096);
	assert_int_equal(hw_table_mem_in_use(f->mem), RANGE_SIZE - 4096);
	assert_int_equal(hw_table_alloc(f->mem, 4096, &again_cpu, &again_pa), 0);
	assert_true(again_pa == pa);
	assert_int_equal(((unsigned char *)again_cpu)[4095], 0);
}

/* A block of 2^n pages is aligned to its size in physical address, whatever the base. */
static void test_block_alignment(void **state)
{
	struct fixture *f = *state;

	for (size_t size = 4096; size <= 64 * 1024; size *= 2) {
		void *cpu;
		uint64_t pa;

		assert_int_equal(hw_table_alloc(f->mem, size, &cpu, &pa), 0);
		assert_int_equal(pa % size, 0);
		assert_true(pa >= RANGE_PA && pa + size <= RANGE_PA + RANGE_SIZE);
	}
}

/* Blocks never overlap: allocate a mix of sizes and compare every pair. */
static void test_blocks_disjoint(void **state)
{
	struct fixture *f = *state;
	static const size_t sizes[] = {4096, 16384, 4096, 8192, 32768, 4096, 8192, 4096};
	uint64_t start[8], end[8];

	for (unsigned i = 0; i < 8; i++) {
		void *cpu;

		assert_int_equal(hw_table_alloc(f->mem, sizes[i], &cpu, &start[i]), 0);
		end[i] = start[i] + sizes[i];
		for (unsigned j = 0; j < i; j++) {
			assert_true(end[i] <= start[j] || end[j] <= start[i]);
		}
	}
}

/* Free pages that form no aligned pair do not satisfy a two-page request. */
static void test_fragmentation(void **state)
{
	struct fixture *f = *state;
	void *cpu[RANGE_PAGES];
	uint64_t pa[RANGE_PAGES];

	for (unsigned i = 0; i < RANGE_PAGES; i++) {
		assert_int_equal(hw_table_alloc(f->mem, 4096, &cpu[i], &pa[i]), 0);
	}
	/* Free every page whose PA is odd in page units: no 8 KiB-aligned pair is free. */
	for (unsigned i = 0; i < RANGE_PAGES; i++) {
		if ((pa[i] / 4096) % 2) {
			hw_table_free(f->mem, cpu[i], pa[i], 4096);
		}
	}
	void *c;
	uint64_t p;

	assert_int_equal(hw_table_alloc(f->mem, 8192, &c, &p), -ENOMEM);
	assert_int_equal(hw_table_alloc(f->mem, 4096, &c, &p), 0);
}

/* Sizes that are not a power of two of pages, or larger than the range, are -EINVAL. */
static void test_bad_sizes(void **state)
{
	struct fixture *f = *state;
	void *cpu;
	uint64_t pa;

	assert_int_equal(hw_table_alloc(f->mem, 0, &cpu, &pa), -EINVAL);
	assert_int_equal(hw_table_alloc(f->mem, 4095, &cpu, &pa), -EINVAL);
	assert_int_equal(hw_table_alloc(f->mem, 6 * 1024, &cpu, &pa), -EINVAL);
	assert_int_equal(hw_table_alloc(f->mem, 2 * RANGE_SIZE, &cpu, &pa), -EINVAL);
	assert_int_equal(hw_table_mem_in_use(f->mem), 0);
}

/* pa_to_cpu answers NULL outside the range, at both ends. */
static void test_pa_to_cpu_outside(void **state)
{
	struct fixture *f = *state;

	assert_null(hw_table_pa_to_cpu(f->mem, RANGE_PA - 1));
	assert_null(hw_table_pa_to_cpu(f->mem, RANGE_PA + RANGE_SIZE));
	assert_non_null(hw_table_pa_to_cpu(f->mem, RANGE_PA + RANGE_SIZE - 1));
}

/* A range that is not page-aligned, or lies beyond the window, is refused with a reason. */
static void test_create_refuses(void **state)
{
	struct fixture *f = *state;
	struct hw_table_mem *m = NULL;
	struct strbuf why = STRBUF_INIT;

	assert_int_equal(hw_table_mem_create(f->bus, 0x800, 4096, &m, &why), -EINVAL);
	assert_non_null(strstr(strbuf_str(&why), "multiples of 4 KiB"));
	strbuf_reset(&why);
	assert_int_equal(hw_table_mem_create(f->bus, 0, 0, &m, &why), -EINVAL);
	strbuf_reset(&why);
	assert_int_equal(hw_table_mem_create(f->bus, FILE_SIZE - 4096, 8192, &m, &why), -ERANGE);
	assert_non_null(strstr(strbuf_str(&why), "beyond the end"));
	assert_null(m);
	strbuf_fini(&why);
}

static int adapter_alloc(void *ctx, size_t size, void **ret_cpu, uint64_t *ret_pa)
{
	return hw_table_alloc(ctx, size, ret_cpu, ret_pa);
}

static void adapter_free(void *ctx, void *cpu, uint64_t pa, size_t size)
{
	hw_table_free(ctx, cpu, pa, size);
}

/* The allocator serves pgtable as hw-table-mem.h shows: tables land in the physical range,
 * and a mapping's entries are in the memory the "hardware" (the file) holds. */
static void test_pt_allocator(void **state)
{
	struct fixture *f = *state;
	struct pt_allocator alloc = {.alloc = adapter_alloc, .free = adapter_free, .ctx = f->mem};
	struct pt_cfg cfg = {.format = PT_FORMAT_VTD_SL, .ias = 39, .oas = 39};
	struct pt_space *space;
	struct pt_info info;
	uint64_t root_entry;

	hw_table_mem_linear(f->mem, &alloc.linear_cpu_base, &alloc.linear_pa_base);
	assert_int_equal(pt_space_create(&cfg, &alloc, &space), 0);
	assert_int_equal(pt_map(space, 0x1000000, 0x9000000, 4096, PT_PROT_READ | PT_PROT_WRITE),
			 0);
	pt_get_info(space, &info);
	assert_true(info.root_pa >= RANGE_PA && info.root_pa < RANGE_PA + RANGE_SIZE);
	assert_int_equal(hw_table_mem_in_use(f->mem), info.table_bytes);

	/* Read the root entry for IOVA 0x1000000 (index 0) back from the file itself. */
	FILE *file = fopen(f->path, "rb");

	assert_non_null(file);
	assert_int_equal(fseek(file, (long)info.root_pa, SEEK_SET), 0);
	assert_int_equal(fread(&root_entry, sizeof(root_entry), 1, file), 1);
	fclose(file);
	assert_true((root_entry & 3) != 0); /* read/write permission bits of the entry */
	pt_space_destroy(space);
	assert_int_equal(hw_table_mem_in_use(f->mem), 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_alloc_in_range),	   T(test_alloc_zeroes),   T(test_linear),
		T(test_exhaustion),	   T(test_free_reuses),	   T(test_block_alignment),
		T(test_blocks_disjoint),   T(test_fragmentation),  T(test_bad_sizes),
		T(test_pa_to_cpu_outside), T(test_create_refuses), T(test_pt_allocator),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
