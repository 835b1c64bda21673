/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Page-table benchmark (issue 3): for each format, nanoseconds per 4 KiB map and unmap, per
 * 256 x 4 KiB map and unmap, per 1 GiB identity map with superpages, per iova_to_phys, and
 * table bytes per 4 KiB page of a dense 1 GiB mapping without superpages.
 *
 * Each figure is printed beside a baseline measured in the same run: a raw loop storing the
 * same number of 64-bit entries (single-copy-atomic, as a PTE store must be) into a
 * preallocated array - the cost of simply writing the PTEs.  For iova_to_phys, which writes
 * nothing, the baseline is one entry per lookup.  For the dense mapping it is the 8 bytes of
 * the leaf entry itself.  Each figure is the median of PT_BENCH_REPS repetitions; each
 * repetition times a batch of operations with one clock read on each side.
 *
 * The operations run as a backend would issue them: into an address space that already holds
 * other mappings, so leaf tables exist (map_4k, map_256x4k; "map_4k_newtable" is the cost when
 * the tables must be allocated too), each unmap with its own gather, initialised and released.
 *
 * Output: one line per figure, "metric=NAME value=V unit=U baseline=B ratio=R".
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgtable/pgtable.h"
#include "pgtable/pt-host-mem.h"

#define PT_BENCH_REPS 15
#define SZ_4K 0x1000ull
#define SZ_2M 0x200000ull
#define SZ_1G 0x40000000ull
#define PROT (PT_PROT_READ | PT_PROT_WRITE)

/* Batches: regions of 2 MiB each holding one pinned page at their start. */
#define REGIONS 64
#define REGION_BASE SZ_1G     /* [1 GiB, 1 GiB + 128 MiB) */
#define GIG_BASE (16 * SZ_1G) /* 1 GiB identity maps at 16..79 GiB */
#define GIG_COUNT 64
#define PAGES_PER_REGION 510 /* single-page batches: entries 1..510 */

static uint64_t *baseline_array;
static size_t baseline_entries;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Keeps the compiler from discarding stores or results it cannot see used. */
static inline void escape(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ns per operation of a loop storing `per_op` entries for each of `ops` operations. */
static double baseline_ns(size_t per_op, size_t ops)
{
	double samples[PT_BENCH_REPS];
	size_t total = per_op * ops;

	if (total > baseline_entries) {
		total = baseline_entries;
		ops = total / per_op;
	}
	for (int rep = 0; rep < PT_BENCH_REPS; rep++) {
		uint64_t v = 0x1000003 + (uint64_t)rep * 0x1000;
		double t0 = now_ns();

		for (size_t op = 0; op < ops; op++) {
			uint64_t *p = baseline_array + op * per_op;

			for (size_t k = 0; k < per_op; k++) {
				__atomic_store_n(p + k, v, __ATOMIC_RELAXED);
				v += 0x1000;
			}
			escape(p);
		}
		samples[rep] = (now_ns() - t0) / (double)ops;
	}
	return median(samples, PT_BENCH_REPS);
}

static void report(const char *fmt, const char *metric, double value, const char *unit,
		   double baseline)
{
	printf("metric=%s.%s value=%.2f unit=%s baseline=%.2f ratio=%.2f\n", fmt, metric, value,
	       unit, baseline, baseline > 0 ? value / baseline : 0.0);
}

static void die(const char *what, int r)
{
	fprintf(stderr, "bench-pgtable: %s failed: %d\n", what, r);
	exit(1);
}

static void check(const char *what, int r)
{
	if (r < 0) {
		die(what, r);
	}
}

static void unmap_all(struct pt_space *s, uint64_t iova, uint64_t len)
{
	struct pt_gather g;

	pt_gather_init(&g);
	check("unmap", pt_unmap(s, iova, len, &g, NULL));
	pt_gather_release(&g);
}

static uint64_t region(unsigned r)
{
	return REGION_BASE + r * SZ_2M;
}

static void bench_format(const char *name, const struct pt_cfg *cfg, struct pt_allocator *alloc)
{
	struct pt_space *s;
	double samples[PT_BENCH_REPS];

	check("create", pt_space_create(cfg, alloc, &s));
	/* Other mappings of the address space: one page at the start of each region. */
	for (unsigned r = 0; r < REGIONS; r++) {
		check("pin", pt_map(s, region(r), region(r), SZ_4K, PROT));
	}

	/* map_4k: single pages into existing tables. */
	for (int rep = 0; rep < PT_BENCH_REPS; rep++) {
		double t0 = now_ns();

		for (unsigned i = 1; i <= PAGES_PER_REGION; i++) {
			uint64_t iova = region(0) + i * SZ_4K;

			if (pt_map(s, iova, iova + SZ_1G, SZ_4K, PROT)) {
				die("map_4k", -1);
			}
		}
		samples[rep] = (now_ns() - t0) / PAGES_PER_REGION;
		if (rep < PT_BENCH_REPS - 1) {
			unmap_all(s, region(0) + SZ_4K, PAGES_PER_REGION * SZ_4K);
		}
	}
	report(name, "map_4k", median(samples, PT_BENCH_REPS), "ns",
	       baseline_ns(1, PAGES_PER_REGION));

	/* unmap_4k: the same pages one by one, each with its gather. */
	for (int rep = 0; rep < PT_BENCH_REPS; rep++) {
		if (rep > 0) {
			check("map", pt_map(s, region(0) + SZ_4K, region(0) + SZ_4K + SZ_1G,
					    PAGES_PER_REGION * SZ_4K, PROT));
		}
		double t0 = now_ns();

		for (unsigned i = 1; i <= PAGES_PER_REGION; i++) {
			struct pt_gather g;
			uint64_t removed;

			pt_gather_init(&g);
			if (pt_unmap(s, region(0) + i * SZ_4K, SZ_4K, &g, &removed) ||
			    removed != SZ_4K) {
				die("unmap_4k", -1);
			}
			escape(&g);
			pt_gather_release(&g);
		}
		samples[rep] = (now_ns() - t0) / PAGES_PER_REGION;
	}
	report(name, "unmap_4k", median(samples, PT_BENCH_REPS), "ns",
	       baseline_ns(1, PAGES_PER_REGION));

	/* map_4k_newtable: a page where no leaf table exists yet (allocation included). */
	for (int rep = 0; rep < PT_BENCH_REPS; rep++) {
		uint64_t base = region(REGIONS) + SZ_1G;
		double t0 = now_ns();

		for (unsigned r = 0; r < REGIONS; r++) {
			check("map_4k_newtable",
			      pt_map(s, base + r * SZ_2M + SZ_4K, base + SZ_4K, SZ_4K, PROT));
		}
		samples[rep] = (now_ns() - t0) / REGIONS;
		unmap_all(s, base, REGIONS * SZ_2M);
	}
	report(name, "map_4k_newtable", median(samples, PT_BENCH_REPS), "ns",
	       baseline_ns(1, REGIONS));

	/* map_256x4k and unmap_256x4k: 256 pages per call, one call per region. */
	double unmap_samples[PT_BENCH_REPS];

	for (int rep = 0; rep < PT_BENCH_REPS; rep++) {
		double t0 = now_ns();

		for (unsigned r = 0; r < REGIONS; r++) {
			uint64_t iova = region(r) + 16 * SZ_4K;

			if (pt_map(s, iova, iova + 2 * SZ_1G, 256 * SZ_4K, PROT)) {
				die("map_256x4k", -1);
			}
		}
		samples[rep] = (now_ns() - t0) / REGIONS;

		t0 = now_ns();
		for (unsigned r = 0; r < REGIONS; r++) {
			struct pt_gather g;
			uint64_t removed;

			pt_gather_init(&g);
			if (pt_unmap(s, region(r) + 16 * SZ_4K, 256 * SZ_4K, &g, &removed) ||
			    removed != 256 * SZ_4K) {
				die("unmap_256x4k", -1);
			}
			escape(&g);
			pt_gather_release(&g);
		}
		unmap_samples[rep] = (now_ns() - t0) / REGIONS;
	}
	double base256 = baseline_ns(256, REGIONS);

	report(name, "map_256x4k", median(samples, PT_BENCH_REPS), "ns", base256);
	report(name, "unmap_256x4k", median(unmap_samples, PT_BENCH_REPS), "ns", base256);

	/* map_1g_identity: iova == pa, 1 GiB aligned: the largest pages the format has. */
	struct pt_info info;

	pt_get_info(s, &info);
	uint64_t entries_1g = SZ_1G >> (63 - __builtin_clzll(info.pgsize_bitmap));

	for (int rep = 0; rep < PT_BENCH_REPS; rep++) {
		double t0 = now_ns();

		for (unsigned k = 0; k < GIG_COUNT; k++) {
			uint64_t iova = GIG_BASE + k * SZ_1G;

			if (pt_map(s, iova, iova, SZ_1G, PROT)) {
				die("map_1g_identity", -1);
			}
		}
		samples[rep] = (now_ns() - t0) / GIG_COUNT;
		unmap_all(s, GIG_BASE, GIG_COUNT * SZ_1G);
	}
	report(name, "map_1g_identity", median(samples, PT_BENCH_REPS), "ns",
	       baseline_ns(entries_1g, GIG_COUNT));

	/* iova_to_phys: every page of a mapped 2 MiB region, in 4 KiB pages. */
	check("map", pt_map(s, region(1) + SZ_4K, region(1) + SZ_4K, SZ_2M - SZ_4K, PROT));
	for (int rep = 0; rep < PT_BENCH_REPS; rep++) {
		uint64_t sum = 0;
		double t0 = now_ns();

		for (unsigned i = 0; i < 512; i++) {
			uint64_t pa;

			if (pt_iova_to_phys(s, region(1) + i * SZ_4K + 8, &pa)) {
				die("iova_to_phys", -1);
			}
			sum += pa;
		}
		samples[rep] = (now_ns() - t0) / 512;
		escape(&sum);
	}
	report(name, "iova_to_phys", median(samples, PT_BENCH_REPS), "ns", baseline_ns(1, 512));
	pt_space_destroy(s);

	/* Dense 1 GiB of 4 KiB pages (superpages disabled): table bytes per page. */
	struct pt_cfg dense = *cfg;

	dense.pgsize_bitmap = SZ_4K;
	check("create", pt_space_create(&dense, alloc, &s));
	check("map dense", pt_map(s, 0, SZ_1G, SZ_1G, PROT));
	pt_get_info(s, &info);
	report(name, "dense_1g_table_bytes_per_4k", (double)info.table_bytes / (SZ_1G / SZ_4K),
	       "bytes", 8.0);
	pt_space_destroy(s);
}

int main(void)
{
	static const struct {
		const char *name;
		struct pt_cfg cfg;
	} fmts[] = {
		{"vtd-sl-4lvl", {PT_FORMAT_VTD_SL, 12, 48, 46, 0}},
		{"lpae-s1-4k", {PT_FORMAT_LPAE_S1, 12, 48, 48, 0}},
		{"lpae-s2-4k", {PT_FORMAT_LPAE_S2, 12, 40, 40, 0}},
	};
	struct pt_host_mem *mem;
	struct pt_allocator alloc;

	baseline_entries = REGIONS * 512;
	baseline_array = aligned_alloc(4096, baseline_entries * sizeof(uint64_t));
	if (!baseline_array) {
		die("aligned_alloc", -1);
	}
	memset(baseline_array, 0, baseline_entries * sizeof(uint64_t));
	check("host memory", pt_host_mem_create((size_t)256 << 20, &mem));
	pt_host_mem_allocator(mem, &alloc);
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		bench_format(fmts[i].name, &fmts[i].cfg, &alloc);
	}
	pt_host_mem_destroy(mem);
	free(baseline_array);
	return 0;
}
