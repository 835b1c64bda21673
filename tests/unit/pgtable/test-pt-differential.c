/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Differential test (STYLE.md 9: optimised code against a brute-force reference): a million
 * random map and unmap operations, spread over configurations of every format, each checked
 * against a plain sorted list of intervals.  After every operation the return code, the bytes
 * removed and the gather's ranges must match the model, and random addresses must translate
 * alike; every few thousand operations the whole window is walked and compared, and the
 * tree's invariants are checked.  Some operations run with table allocation failing and must
 * then change nothing.
 *
 * PT_DIFF_SEED and PT_DIFF_OPS (total operations) in the environment override the defaults.
 * The million runs in the sanitizer build too: it takes seconds there (the timeout of 300 s
 * leaves room for a loaded 2-core machine).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the headers above */
#include <cmocka.h>

#include "pt-test-util.h"

#define PT_DIFF_DEFAULT_OPS 1000000

/* Model population above which unmaps are favoured, to keep the model and tables bounded. */
#define PT_DIFF_MAX_INTERVALS 2000
#define PT_DIFF_FULL_CHECK_EVERY 4096

static uint64_t rng_state;

/* splitmix64: small, fast, and the same sequence everywhere for a given seed. */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

struct interval {
	uint64_t start;
	uint64_t last;
	uint64_t pa;
	unsigned prot;
};

struct model {
	struct interval *iv;
	size_t count;
	size_t cap;
};

/* Index of the first interval whose last >= addr. */
static size_t model_find(const struct model *m, uint64_t addr)
{
	size_t lo = 0;
	size_t hi = m->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->iv[mid].last < addr) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

static bool model_overlaps(const struct model *m, uint64_t start, uint64_t last)
{
	size_t i = model_find(m, start);

	return i < m->count && m->iv[i].start <= last;
}

static void model_insert_at(struct model *m, size_t i, struct interval v)
{
	if (m->count == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 256;
		m->iv = realloc(m->iv, m->cap * sizeof(*m->iv));
		assert_non_null(m->iv);
	}
	memmove(&m->iv[i + 1], &m->iv[i], (m->count - i) * sizeof(*m->iv));
	m->iv[i] = v;
	m->count++;
}

static void model_remove_at(struct model *m, size_t i)
{
	memmove(&m->iv[i], &m->iv[i + 1], (m->count - i - 1) * sizeof(*m->iv));
	m->count--;
}

/* Removes [start, last]; writes the removed pieces, coalesced, and returns their bytes. */
static uint64_t model_unmap(struct model *m, uint64_t start, uint64_t last, struct pt_range *pieces,
			    size_t *piece_count)
{
	uint64_t removed = 0;
	size_t i = model_find(m, start);

	*piece_count = 0;
	while (i < m->count && m->iv[i].start <= last) {
		struct interval v = m->iv[i];
		uint64_t s = v.start > start ? v.start : start;
		uint64_t l = v.last < last ? v.last : last;

		removed += l - s + 1;
		if (*piece_count && pieces[*piece_count - 1].last + 1 == s) {
			pieces[*piece_count - 1].last = l;
		} else {
			pieces[(*piece_count)++] = (struct pt_range){s, l};
		}
		model_remove_at(m, i);
		if (v.start < s) {
			model_insert_at(m, i++, (struct interval){v.start, s - 1, v.pa, v.prot});
		}
		if (v.last > l) {
			model_insert_at(
				m, i++,
				(struct interval){l + 1, v.last, v.pa + (l + 1 - v.start), v.prot});
		}
	}
	return removed;
}

static int model_lookup(const struct model *m, uint64_t addr, uint64_t *ret_pa)
{
	size_t i = model_find(m, addr);

	if (i < m->count && m->iv[i].start <= addr) {
		*ret_pa = m->iv[i].pa + (addr - m->iv[i].start);
		return 0;
	}
	return -ENOENT;
}

struct diff {
	struct pt_fixture fx;
	struct model m;
	uint64_t window; /* addresses used: [0, window) */
	uint64_t hot[8]; /* starts of small dense areas */
	uint64_t pieces_cap;
	struct pt_range *pieces;
	unsigned long op;
	uint64_t seed;
	/* What happened, printed so that a run that tests little shows it. */
	unsigned long maps_ok, maps_exist, unmaps_removing, failed_alloc;
	uint64_t bytes_mapped;
};

struct full_check {
	struct diff *d;
	uint64_t bytes;
};

static int full_check_leaf(void *ctx, const struct pt_leaf *leaf)
{
	struct full_check *fc = ctx;
	struct diff *d = fc->d;
	size_t i = model_find(&d->m, leaf->iova);

	if (i >= d->m.count || d->m.iv[i].start > leaf->iova ||
	    d->m.iv[i].last < leaf->iova + leaf->size - 1 ||
	    d->m.iv[i].pa + (leaf->iova - d->m.iv[i].start) != leaf->pa ||
	    (leaf->prot & PT_TEST_PROT) != (d->m.iv[i].prot & PT_TEST_PROT)) {
		fail_msg("[%s] seed %" PRIu64 " op %lu: leaf 0x%" PRIx64 "+0x%" PRIx64
			 " -> 0x%" PRIx64 " prot %u disagrees with the model",
			 d->fx.name, d->seed, d->op, leaf->iova, leaf->size, leaf->pa, leaf->prot);
	}
	fc->bytes += leaf->size;
	return 0;
}

static void full_check(struct diff *d)
{
	struct full_check fc = {.d = d};
	uint64_t model_bytes = 0;

	PT_EXPECT_EQ(&d->fx, pt_walk(d->fx.s, 0, d->window, full_check_leaf, &fc), 0);
	for (size_t i = 0; i < d->m.count; i++) {
		model_bytes += d->m.iv[i].last - d->m.iv[i].start + 1;
	}
	PT_EXPECT_EQ(&d->fx, fc.bytes, model_bytes);
	PT_EXPECT_EQ(&d->fx, pt_check(d->fx.s), 0);
}

/* A random range of the kinds a service sees: small dense, medium anywhere, large blocks. */
static void random_range(struct diff *d, uint64_t *ret_iova, uint64_t *ret_len)
{
	struct pt_fixture *fx = &d->fx;
	uint64_t m = fx->min;
	uint64_t kind = rnd_below(100);

	if (kind < 55) {
		*ret_len = (1 + rnd_below(16)) * m;
		*ret_iova = d->hot[rnd_below(8)] + rnd_below(2048) * m;
	} else if (kind < 90) {
		uint64_t align = fx->size_count > 1 && rnd_below(2) ? fx->sizes[1] : m;

		*ret_len = (1 + rnd_below(1024)) * m;
		*ret_iova = rnd_below(d->window / align) * align;
	} else {
		*ret_len = (1 + rnd_below(2)) * fx->max;
		*ret_iova = rnd_below(d->window / fx->max) * fx->max;
	}
	if (*ret_iova + *ret_len > d->window) {
		*ret_iova = d->window - *ret_len;
	}
}

static unsigned random_prot(const struct pt_cfg *cfg)
{
	static const unsigned prots[] = {
		PT_PROT_READ,
		PT_PROT_READ | PT_PROT_WRITE,
		PT_PROT_READ | PT_PROT_WRITE | PT_PROT_NOEXEC,
		PT_PROT_READ | PT_PROT_MMIO,
		PT_PROT_WRITE,
	};
	unsigned p = prots[rnd_below(sizeof(prots) / sizeof(prots[0]))];

	/* Stage 1 has no write-only. */
	if (cfg->format == PT_FORMAT_LPAE_S1 && !(p & PT_PROT_READ)) {
		p |= PT_PROT_READ;
	}
	return p;
}

static void do_map(struct diff *d)
{
	struct pt_fixture *fx = &d->fx;
	uint64_t iova;
	uint64_t len;
	uint64_t pa;

	random_range(d, &iova, &len);
	if (len >= fx->max || rnd_below(2)) {
		/* Congruent with iova modulo every page size: blocks become possible. */
		pa = (iova & (fx->max - 1)) + rnd_below(2) * fx->max;
		if (fx->max < (1ull << 30)) {
			pa += rnd_below((1ull << 30) / fx->max) * fx->max;
		}
	} else {
		pa = rnd_below((1ull << 31) / fx->min) * fx->min;
	}
	unsigned prot = random_prot(&fx->cfg);
	bool overlap = model_overlaps(&d->m, iova, iova + len - 1);
	bool failing = rnd_below(64) == 0;

	if (failing) {
		pt_host_mem_fail_after(fx->mem, (long)rnd_below(3));
	}
	int r = pt_map(fx->s, iova, pa, len, prot);

	pt_host_mem_fail_after(fx->mem, -1);
	if (failing && r == -ENOMEM) {
		d->failed_alloc++;
		return;
	}
	if (r != (overlap ? -EEXIST : 0)) {
		fail_msg("[%s] seed %" PRIu64 " op %lu: map 0x%" PRIx64 "+0x%" PRIx64
			 " -> 0x%" PRIx64 " = %d, model says %d",
			 fx->name, d->seed, d->op, iova, len, pa, r, overlap ? -EEXIST : 0);
	}
	d->maps_exist += r == -EEXIST;
	if (r == 0) {
		d->maps_ok++;
		d->bytes_mapped += len;
		model_insert_at(&d->m, model_find(&d->m, iova),
				(struct interval){iova, iova + len - 1, pa, prot});
		uint64_t got = 0;

		PT_EXPECT_EQ(fx, pt_iova_to_phys(fx->s, iova + len - 1, &got), 0);
		PT_EXPECT_EQ(fx, got, pa + len - 1);
	}
}

static void do_unmap(struct diff *d)
{
	struct pt_fixture *fx = &d->fx;
	uint64_t iova;
	uint64_t len;

	if (d->m.count && rnd_below(2)) {
		/* Exactly one existing interval, or a piece of it. */
		struct interval v = d->m.iv[rnd_below(d->m.count)];

		iova = v.start;
		len = v.last - v.start + 1;
		if (rnd_below(2) && len > fx->min) {
			uint64_t pages = len / fx->min;
			uint64_t skip = rnd_below(pages);

			iova += skip * fx->min;
			len = (1 + rnd_below(pages - skip)) * fx->min;
		}
	} else {
		random_range(d, &iova, &len);
	}
	struct pt_gather g;
	uint64_t removed = 0;
	bool failing = rnd_below(64) == 0;

	pt_gather_init(&g);
	if (failing) {
		pt_host_mem_fail_after(fx->mem, (long)rnd_below(2));
	}
	int r = pt_unmap(fx->s, iova, len, &g, &removed);

	pt_host_mem_fail_after(fx->mem, -1);
	if (failing && r == -ENOMEM) {
		PT_EXPECT_EQ(fx, g.range_count, 0);
		d->failed_alloc++;
		return;
	}
	PT_EXPECT_EQ(fx, r, 0);

	size_t piece_count;
	uint64_t want = model_unmap(&d->m, iova, iova + len - 1, d->pieces, &piece_count);

	d->unmaps_removing += want != 0;
	if (removed != want) {
		fail_msg("[%s] seed %" PRIu64 " op %lu: unmap 0x%" PRIx64 "+0x%" PRIx64
			 " removed 0x%" PRIx64 ", model 0x%" PRIx64,
			 fx->name, d->seed, d->op, iova, len, removed, want);
	}
	if (piece_count <= PT_GATHER_MAX_RANGES) {
		PT_EXPECT_EQ(fx, g.coarse, false);
		PT_EXPECT_EQ(fx, g.range_count, piece_count);
		for (size_t i = 0; i < piece_count && i < g.range_count; i++) {
			PT_EXPECT_EQ(fx, g.range[i].start, d->pieces[i].start);
			PT_EXPECT_EQ(fx, g.range[i].last, d->pieces[i].last);
		}
	} else {
		/* Too many to hold: they must all be covered. */
		PT_EXPECT_EQ(fx, g.coarse, true);
		for (size_t i = 0; i < piece_count; i++) {
			bool covered = false;

			for (unsigned k = 0; k < g.range_count; k++) {
				covered |= g.range[k].start <= d->pieces[i].start &&
					   d->pieces[i].last <= g.range[k].last;
			}
			PT_EXPECT_EQ(fx, covered, true);
		}
	}
	pt_gather_release(&g);
}

static void run_config(const struct pt_cfg *cfg, unsigned long ops)
{
	struct diff *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	pt_fixture_init(&d->fx);
	pt_fixture_open(&d->fx, cfg);
	d->seed = rng_state;
	d->window = 16 * d->fx.max;
	if (d->window > (1ull << cfg->ias)) {
		d->window = 1ull << cfg->ias;
	}
	for (unsigned i = 0; i < 8; i++) {
		uint64_t span = 2048 * d->fx.min;

		d->hot[i] = rnd_below((d->window - span) / d->fx.min) * d->fx.min;
	}
	/* An unmap removes at most one piece per interval, plus one. */
	d->pieces_cap = PT_DIFF_MAX_INTERVALS * 4;
	d->pieces = calloc(d->pieces_cap, sizeof(*d->pieces));
	assert_non_null(d->pieces);

	for (d->op = 0; d->op < ops; d->op++) {
		unsigned map_percent = d->m.count > PT_DIFF_MAX_INTERVALS ? 30 : 55;

		if (d->m.count + 2 >= d->pieces_cap) {
			d->pieces_cap *= 2;
			d->pieces = realloc(d->pieces, d->pieces_cap * sizeof(*d->pieces));
			assert_non_null(d->pieces);
		}
		if (rnd_below(100) < map_percent) {
			do_map(d);
		} else {
			do_unmap(d);
		}
		for (int k = 0; k < 4; k++) {
			uint64_t addr = rnd_below(d->window);
			uint64_t want = 0;
			uint64_t got = 0;
			int wr = model_lookup(&d->m, addr, &want);
			int r = pt_iova_to_phys(d->fx.s, addr, &got);

			if (r != wr || (r == 0 && got != want)) {
				fail_msg("[%s] seed %" PRIu64 " op %lu: 0x%" PRIx64
					 " translates to %d/0x%" PRIx64 ", model %d/0x%" PRIx64,
					 d->fx.name, d->seed, d->op, addr, r, got, wr, want);
			}
		}
		if (d->op % PT_DIFF_FULL_CHECK_EVERY == 0) {
			full_check(d);
		}
	}
	full_check(d);
	print_message("%s: %lu ops, %lu maps (0x%" PRIx64 " bytes), %lu -EEXIST, %lu unmaps "
		      "removing, %lu failed allocations, %zu intervals left\n",
		      d->fx.name, ops, d->maps_ok, d->bytes_mapped, d->maps_exist,
		      d->unmaps_removing, d->failed_alloc, d->m.count);

	/* Emptying the window frees every table but the root. */
	struct pt_gather g;
	uint64_t removed = 0;
	uint64_t model_bytes = 0;

	for (size_t i = 0; i < d->m.count; i++) {
		model_bytes += d->m.iv[i].last - d->m.iv[i].start + 1;
	}
	pt_gather_init(&g);
	PT_EXPECT_EQ(&d->fx, pt_unmap(d->fx.s, 0, d->window, &g, &removed), 0);
	PT_EXPECT_EQ(&d->fx, removed, model_bytes);
	pt_gather_release(&g);
	PT_EXPECT_EQ(&d->fx, pt_fixture_tables(&d->fx), 1);
	pt_fixture_close(&d->fx);
	pt_fixture_fini(&d->fx);
	free(d->m.iv);
	free(d->pieces);
	free(d);
}

static const struct pt_cfg diff_cfgs[] = {
	{PT_FORMAT_VTD_SL, 12, 48, 46, 0},
	{PT_FORMAT_VTD_SL, 12, 39, 39, (1ull << 12) | (1ull << 21)},
	{PT_FORMAT_LPAE_S1, 12, 48, 48, 0},
	{PT_FORMAT_LPAE_S2, 12, 40, 40, 0},
	{PT_FORMAT_LPAE_S2, 12, 32, 32, 0},
	{PT_FORMAT_LPAE_S1, 14, 47, 44, 0},
	{PT_FORMAT_LPAE_S2, 16, 42, 42, 0},
};

/* A million random operations over every format agree with the interval model. */
static void test_random_operations_match_model(void **state)
{
	const char *env_seed = getenv("PT_DIFF_SEED");
	const char *env_ops = getenv("PT_DIFF_OPS");
	uint64_t seed = env_seed ? strtoull(env_seed, NULL, 0) : 0x5eed0003;
	unsigned long total = env_ops ? strtoul(env_ops, NULL, 0) : PT_DIFF_DEFAULT_OPS;
	size_t n = sizeof(diff_cfgs) / sizeof(diff_cfgs[0]);

	(void)state;
	print_message("seed 0x%" PRIx64 ", %lu operations\n", seed, total);
	for (size_t i = 0; i < n; i++) {
		rng_state = seed + i;
		run_config(&diff_cfgs[i], total / n + (i < total % n));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_operations_match_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
