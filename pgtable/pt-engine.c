/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one page-table engine: map, unmap, translate, walk and check for every format, driven by
 * the format's data (struct pt_geom) and two small encode/decode functions.
 *
 * Every change is two-phase (STYLE.md 4).  map: a read-only pass checks the range for existing
 * leaves (-EEXIST) and counts the tables it lacks; they are allocated; a second pass links
 * them and writes the leaves, and cannot fail.  unmap: the blocks that straddle either end of
 * the range are the only ones that need new tables (to keep their other parts); those are
 * counted and allocated first.  A failure in the first phase leaves the tables untouched.
 *
 * Ordering towards the walker: a new table is filled before it is published (release store);
 * leaves are single-copy-atomic 64-bit stores; an unlinked table is parked in the gather and
 * freed only after the backend has invalidated (pt_gather_release()).
 *
 * What it does not do: invalidate (the gather says what to), lock, or log.
 */
#include "pgtable/pgtable.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>

#include "common/alloc.h"
#include "common/compiler.h"
#include "pgtable/pt-internal.h"

/*
 * The per-operation entry points start on a cache line.  Their loops are short enough that
 * where they fall relative to the CPU's 32 and 64-byte fetch blocks moves their cost by 5-10%;
 * aligned, that no longer depends on the size of whatever the linker placed before them.
 */
#define PT_HOT __attribute__((aligned(64)))

static const struct pt_fmt *const pt_fmts[] = {
	&pt_fmt_vtd_sl,
	&pt_fmt_lpae_s1,
	&pt_fmt_lpae_s2,
};

static const struct pt_fmt *pt_fmt_find(enum pt_format format)
{
	for (size_t i = 0; i < ARRAY_SIZE(pt_fmts); i++) {
		if (pt_fmts[i]->format == format) {
			return pt_fmts[i];
		}
	}
	return NULL;
}

static inline uint64_t pt_entry_size(const struct pt_space *s, unsigned l)
{
	return BIT(s->g.level[l].shift);
}

static inline unsigned pt_entries(const struct pt_space *s, unsigned l)
{
	return 1u << s->g.level[l].index_bits;
}

static inline unsigned pt_index(const struct pt_space *s, unsigned l, uint64_t iova)
{
	return (unsigned)(iova >> s->g.level[l].shift) & (pt_entries(s, l) - 1);
}

static inline bool pt_present(const struct pt_space *s, uint64_t pte)
{
	return (pte & s->g.present_mask) != 0;
}

static inline bool pt_is_table(const struct pt_space *s, unsigned l, uint64_t pte)
{
	return l > 0 && (pte & s->g.type_mask) == s->table_type;
}

static inline uint64_t *pt_child(const struct pt_space *s, uint64_t pte)
{
	return pt_table_cpu(s, pte & s->g.oa_mask);
}

/* Validates [iova, iova + len - 1] for map and unmap and returns its last address. */
static inline int pt_check_range(const struct pt_space *s, uint64_t iova, uint64_t len,
				 uint64_t *ret_last)
{
	uint64_t last;

	if (len == 0) {
		return -EINVAL;
	}
	if (__builtin_add_overflow(iova, len - 1, &last)) {
		return -EOVERFLOW;
	}
	if ((iova | len) & s->min_page_mask) {
		return -EINVAL;
	}
	if (last > s->iova_last) {
		return -ERANGE;
	}
	*ret_last = last;
	return 0;
}

/* Table memory --------------------------------------------------------------------------- */

static int pt_alloc_table(struct pt_space *s, size_t size, void **ret_cpu, uint64_t *ret_pa)
{
	void *cpu;
	uint64_t pa;
	int r = s->alloc.alloc(s->alloc.ctx, size, &cpu, &pa);

	if (r < 0) {
		return r;
	}
	/* A table the format cannot point at (misaligned, or beyond the output size). */
	if ((pa & (size - 1)) || (pa & ~s->g.oa_mask) || pa > s->pa_last - (size - 1)) {
		s->alloc.free(s->alloc.ctx, cpu, pa, size);
		return -ERANGE;
	}
	s->table_count++;
	s->table_bytes += size;
	*ret_cpu = cpu;
	*ret_pa = pa;
	return 0;
}

void pt_space_free_table(struct pt_space *s, void *cpu, uint64_t pa)
{
	s->alloc.free(s->alloc.ctx, cpu, pa, s->g.table_size);
	s->table_count--;
	s->table_bytes -= s->g.table_size;
}

/*
 * Tables allocated in the prepare phase, not yet visible to the IOMMU, linked through their
 * first two words (CPU pointer, physical address) which are cleared when a table is taken.
 */
struct pt_prealloc {
	uint64_t *cpu;
	uint64_t pa;
	size_t count;
};

static uint64_t *pt_prealloc_take(const struct pt_space *s, struct pt_prealloc *pre,
				  uint64_t *ret_pa)
{
	uint64_t *t = pre->cpu;

	*ret_pa = pre->pa;
	pre->cpu = (uint64_t *)(uintptr_t)t[0];
	pre->pa = t[1];
	pre->count--;
	t[0] = 0;
	t[1] = 0;
	pt_sync(s, t, 2 * sizeof(*t));
	return t;
}

static void pt_prealloc_drain(struct pt_space *s, struct pt_prealloc *pre)
{
	while (pre->count) {
		uint64_t pa;
		uint64_t *t = pt_prealloc_take(s, pre, &pa);

		pt_space_free_table(s, t, pa);
	}
}

static int pt_prealloc_fill(struct pt_space *s, struct pt_prealloc *pre, size_t count)
{
	while (pre->count < count) {
		void *cpu;
		uint64_t pa;
		int r = pt_alloc_table(s, s->g.table_size, &cpu, &pa);

		if (r < 0) {
			pt_prealloc_drain(s, pre);
			return r;
		}
		uint64_t *t = cpu;

		t[0] = (uint64_t)(uintptr_t)pre->cpu;
		t[1] = pre->pa;
		pre->cpu = t;
		pre->pa = pa;
		pre->count++;
	}
	return 0;
}

/* Map ------------------------------------------------------------------------------------ */

struct pt_map_op {
	uint64_t tmpl[PT_MAX_LEVELS]; /* leaf entry without its address, per level */
	size_t tables_needed;
	unsigned run_count;
	/* The first run, so that a map of one run (the common case) walks once. */
	uint64_t *run_table;
	unsigned run_index;
	unsigned run_level;
	uint64_t run_n;
};

/* The largest leaf level that the alignment of iova and pa and the remaining length allow. */
static inline unsigned pt_choose_level(const struct pt_space *s, uint64_t iova, uint64_t pa,
				       uint64_t last)
{
	uint64_t align = iova | pa;

	for (unsigned i = 0; i + 1 < s->leaf_level_count; i++) {
		unsigned l = s->leaf_levels[i];
		uint64_t mask = pt_entry_size(s, l) - 1;

		if (!(align & mask) && last - iova >= mask) {
			return l;
		}
	}
	return 0;
}

/*
 * Entries of one run at level l from iova: up to the end of the table or of the range.  The
 * choice of level cannot change inside a run, because a larger page can only start at the
 * boundary of the table the run is in.
 */
static inline uint64_t pt_run_len(const struct pt_space *s, unsigned l, unsigned index,
				  uint64_t iova, uint64_t last)
{
	uint64_t n = pt_entries(s, l) - index;
	uint64_t want = (last - iova + 1) >> s->g.level[l].shift;

	return want < n ? want : n;
}

static inline void pt_write_leaves(const struct pt_space *s, uint64_t *p, uint64_t pte,
				   uint64_t step, uint64_t n)
{
	for (uint64_t k = 0; k < n; k++) {
		pt_store(p + k, pte);
		pte += step;
	}
	pt_sync(s, p, n * sizeof(*p));
}

/* Four independent chains: the compiler's cheap vectoriser leaves these loops scalar. */
static inline bool pt_any_present(const struct pt_space *s, const uint64_t *p, uint64_t n)
{
	uint64_t a0 = 0;
	uint64_t a1 = 0;
	uint64_t a2 = 0;
	uint64_t a3 = 0;
	uint64_t k = 0;

	for (; k + 4 <= n; k += 4) {
		a0 |= p[k];
		a1 |= p[k + 1];
		a2 |= p[k + 2];
		a3 |= p[k + 3];
	}
	for (; k < n; k++) {
		a0 |= p[k];
	}
	return (le64toh(a0 | a1 | a2 | a3) & s->g.present_mask) != 0;
}

/* Remembers t, the table of smallest pages that maps iova, as the walk hint. */
static inline void pt_hint_set(struct pt_space *s, uint64_t *t, uint64_t iova)
{
	if (s->top > 0) {
		s->hint_table = t;
		s->hint_base = iova & ~(pt_entry_size(s, 1) - 1);
	}
}

/*
 * The hint table, when [iova, last] lies inside what it maps and is too short for any page
 * larger than the smallest (so the range can only be mapped by entries of that table).
 */
static inline uint64_t *pt_hint_covers(const struct pt_space *s, uint64_t iova, uint64_t last)
{
	if (!s->hint_table || (iova - s->hint_base) >> s->g.level[1].shift ||
	    (last - s->hint_base) >> s->g.level[1].shift) {
		return NULL;
	}
	return s->hint_table;
}

/* Prepare: nothing is written.  -EEXIST if any part of the range is mapped. */
static int pt_map_prepare(const struct pt_space *s, struct pt_map_op *op, uint64_t iova,
			  uint64_t last, uint64_t pa)
{
	/* Per level, the last missing table counted, by the number of its parent's entry. */
	uint64_t counted[PT_MAX_LEVELS];

	for (unsigned l = 0; l < PT_MAX_LEVELS; l++) {
		counted[l] = UINT64_MAX;
	}
	for (uint64_t cur = iova;;) {
		unsigned level = pt_choose_level(s, cur, pa, last);
		uint64_t *table = s->root;
		bool missing = false;

		for (unsigned l = s->top; l > level; l--) {
			if (!missing) {
				uint64_t pte = pt_load(table + pt_index(s, l, cur));

				if (pt_present(s, pte)) {
					if (!pt_is_table(s, l, pte)) {
						return -EEXIST;
					}
					table = pt_child(s, pte);
					continue;
				}
				missing = true;
			}
			uint64_t parent_entry = cur >> s->g.level[l].shift;

			if (counted[l] != parent_entry) {
				counted[l] = parent_entry;
				op->tables_needed++;
			}
		}
		unsigned index = pt_index(s, level, cur);
		uint64_t n = pt_run_len(s, level, index, cur, last);

		if (!missing && pt_any_present(s, table + index, n)) {
			return -EEXIST;
		}
		if (op->run_count++ == 0) {
			op->run_table = missing ? NULL : table;
			op->run_index = index;
			op->run_level = level;
			op->run_n = n;
		}
		uint64_t bytes = n << s->g.level[level].shift;

		if (last - cur < bytes) {
			return 0;
		}
		cur += bytes;
		pa += bytes;
	}
}

/* Commit: cannot fail; every table it needs is in pre. */
static void pt_map_commit(struct pt_space *s, const struct pt_map_op *op, struct pt_prealloc *pre,
			  uint64_t iova, uint64_t last, uint64_t pa)
{
	if (op->run_count == 1 && op->run_table) {
		unsigned l = op->run_level;

		pt_write_leaves(s, op->run_table + op->run_index, op->tmpl[l] | pa,
				pt_entry_size(s, l), op->run_n);
		if (l == 0) {
			pt_hint_set(s, op->run_table, iova);
		}
		return;
	}
	for (uint64_t cur = iova;;) {
		unsigned level = pt_choose_level(s, cur, pa, last);
		uint64_t *table = s->root;

		for (unsigned l = s->top; l > level; l--) {
			uint64_t *slot = table + pt_index(s, l, cur);
			uint64_t pte = pt_load(slot);

			if (pt_present(s, pte)) {
				table = pt_child(s, pte);
				continue;
			}
			uint64_t table_pa;

			table = pt_prealloc_take(s, pre, &table_pa);
			pt_publish(slot, s->g.table_pte | table_pa);
			pt_sync(s, slot, sizeof(*slot));
		}
		unsigned index = pt_index(s, level, cur);
		uint64_t n = pt_run_len(s, level, index, cur, last);

		pt_write_leaves(s, table + index, op->tmpl[level] | pa, pt_entry_size(s, level), n);
		if (level == 0) {
			pt_hint_set(s, table, cur);
		}

		uint64_t bytes = n << s->g.level[level].shift;

		if (last - cur < bytes) {
			return;
		}
		cur += bytes;
		pa += bytes;
	}
}

/**
 * pt_map() - map [iova, iova + len - 1] to [pa, pa + len - 1] with the largest pages that
 * the alignment of both allows.
 *
 * Return: 0; -EINVAL for len == 0, an address or length not a multiple of the smallest page,
 * or an invalid prot; -EOPNOTSUPP for a prot the format cannot express; -EOVERFLOW when a
 * range wraps; -ERANGE beyond the input or output size; -EEXIST when any part is mapped;
 * -ENOMEM (or the allocator's error) when table memory runs out.  On error nothing changed.
 * Making entries present needs no invalidation, except on hardware that caches non-present
 * entries (VT-d caching mode), where the backend invalidates the range it mapped.
 */
PT_HOT int pt_map(struct pt_space *s, uint64_t iova, uint64_t pa, uint64_t len, unsigned prot)
{
	uint64_t last;
	uint64_t pa_last;
	int r = pt_check_range(s, iova, len, &last);

	if (r < 0) {
		return r;
	}
	if (__builtin_add_overflow(pa, len - 1, &pa_last)) {
		return -EOVERFLOW;
	}
	if (pa & s->min_page_mask) {
		return -EINVAL;
	}
	if (pa_last > s->pa_last) {
		return -ERANGE;
	}
	if (prot != s->cached_prot) {
		uint64_t attrs;

		r = s->fmt->encode_prot(&s->cfg, prot, &attrs);
		if (r < 0) {
			return r;
		}
		s->cached_prot = prot;
		s->cached_attrs = attrs;
	}

	uint64_t *hint = pt_hint_covers(s, iova, last);

	if (hint) {
		/* Inside the hint table, whose entries are the only ones that can map the range:
		 * no walk, no table to allocate. */
		unsigned index = pt_index(s, 0, iova);
		uint64_t n = len >> s->g.level[0].shift;

		if (pt_any_present(s, hint + index, n)) {
			return -EEXIST;
		}
		pt_write_leaves(s, hint + index, s->cached_attrs | s->g.level[0].leaf_type | pa,
				pt_entry_size(s, 0), n);
		return 0;
	}

	struct pt_map_op op;

	op.tables_needed = 0;
	op.run_count = 0;
	for (unsigned l = 0; l <= s->top; l++) {
		op.tmpl[l] = s->cached_attrs | s->g.level[l].leaf_type;
	}
	r = pt_map_prepare(s, &op, iova, last, pa);
	if (r < 0) {
		return r;
	}

	struct pt_prealloc pre = {0};

	if (op.tables_needed) {
		r = pt_prealloc_fill(s, &pre, op.tables_needed);
		if (r < 0) {
			return r;
		}
	}
	pt_map_commit(s, &op, &pre, iova, last, pa);
	if (NEVER(pre.count != 0)) {
		pt_prealloc_drain(s, &pre);
	}
	return 0;
}

/* Unmap ---------------------------------------------------------------------------------- */

struct pt_unmap_op {
	struct pt_space *s;
	struct pt_gather *gather;
	struct pt_prealloc pre;
	uint64_t removed;
	/* The removed range being built; handed to the gather when a gap ends it. */
	uint64_t run_start;
	uint64_t run_last;
	bool have_run;
};

static inline void pt_unmap_note(struct pt_unmap_op *op, uint64_t start, uint64_t last)
{
	op->removed += last - start + 1;
	if (op->have_run && start == op->run_last + 1) {
		op->run_last = last;
		return;
	}
	if (op->have_run) {
		pt_gather_add(op->gather, op->run_start, op->run_last);
	}
	op->run_start = start;
	op->run_last = last;
	op->have_run = true;
}

/*
 * Tables a split needs where the leaf holding addr, reached from table t at level l, is cut at
 * edge (addr itself, or the address just past the range): one per level from the leaf's down
 * to the first whose pages edge is aligned to.  0 when nothing maps addr.
 */
static size_t pt_split_count(const struct pt_space *s, const uint64_t *t, unsigned l, uint64_t addr,
			     uint64_t edge)
{
	for (;; l--) {
		uint64_t pte = pt_load(t + pt_index(s, l, addr));

		if (!pt_present(s, pte)) {
			return 0;
		}
		if (pt_is_table(s, l, pte)) {
			t = pt_child(s, pte);
			continue;
		}
		size_t n = 0;

		for (unsigned k = l; k > 0 && (edge & (pt_entry_size(s, k) - 1)); k--) {
			n++;
		}
		return n;
	}
}

/*
 * Fills table t at level l with what remains of a block of attributes attrs at pa, based at
 * base, once [start, last] is taken out: leaves of level l outside, nothing inside, and a
 * further split table where an entry straddles an end.  t is not yet visible.
 */
static void pt_split_fill(struct pt_unmap_op *op, uint64_t *t, unsigned l, uint64_t attrs,
			  uint64_t pa, uint64_t base, uint64_t start, uint64_t last)
{
	struct pt_space *s = op->s;
	uint64_t size = pt_entry_size(s, l);
	unsigned n = pt_entries(s, l);
	uint64_t leaf = attrs | s->g.level[l].leaf_type;

	ALWAYS(s->g.level[l].leaf_ok);
	for (unsigned j = 0; j < n; j++) {
		uint64_t eb = base + (uint64_t)j * size;
		uint64_t el = eb + size - 1;

		if (el < start || eb > last) {
			t[j] = htole64(leaf | (pa + (uint64_t)j * size));
		} else if (eb < start || el > last) {
			uint64_t child_pa;
			uint64_t *child = pt_prealloc_take(s, &op->pre, &child_pa);

			pt_split_fill(op, child, l - 1, attrs, pa + (uint64_t)j * size, eb, start,
				      last);
			pt_sync(s, child, s->g.table_size);
			t[j] = htole64(s->g.table_pte | child_pa);
		}
	}
}

/* Whether any of the n entries at p is present; 64 entries (8 cache lines) between exits. */
static inline bool pt_any_present_scan(const struct pt_space *s, const uint64_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i += 64) {
		if (pt_any_present(s, p + i, n - i < 64 ? n - i : 64)) {
			return true;
		}
	}
	return false;
}

/*
 * Whether any entry of table t (level l, not the root) outside [first, end] is present: once
 * per table an unmap leaves, never per page.
 */
static bool pt_table_used_outside(const struct pt_space *s, const uint64_t *t, unsigned l,
				  unsigned first, unsigned end)
{
	unsigned n = pt_entries(s, l);
	unsigned below = first < 8 ? first : 8;
	unsigned above = n - end - 1 < 8 ? n - end - 1 : 8;

	/*
	 * Mappings sit near each other: a buffer's pages, or every other page with guard pages
	 * between them.  So first the two nearest entries each side, usually in the cache line
	 * the unmap just wrote, then a cache line each side, and only then the whole table.
	 */
	for (unsigned k = 1; k <= 2; k++) {
		if ((first >= k && pt_present(s, pt_load(t + first - k))) ||
		    (end + k < n && pt_present(s, pt_load(t + end + k)))) {
			return true;
		}
	}
	if (pt_any_present(s, t + first - below, below) || pt_any_present(s, t + end + 1, above)) {
		return true;
	}
	return pt_any_present_scan(s, t, first) || pt_any_present_scan(s, t + end + 1, n - end - 1);
}

/*
 * Whether every one of the n entries at p is present: a sufficient test that is exact for
 * formats with one present bit (LPAE) and for leaves sharing a permission (VT-d R or W).  One
 * AND per entry in four independent chains; a false answer only means "look closer".
 */
static inline bool pt_all_present(uint64_t present, const uint64_t *p, uint64_t n)
{
	uint64_t a0 = ~0ull;
	uint64_t a1 = ~0ull;
	uint64_t a2 = ~0ull;
	uint64_t a3 = ~0ull;
	uint64_t k = 0;

	for (; k + 4 <= n; k += 4) {
		a0 &= p[k];
		a1 &= p[k + 1];
		a2 &= p[k + 2];
		a3 &= p[k + 3];
	}
	for (; k < n; k++) {
		a0 &= p[k];
	}
	return (le64toh(a0 & a1 & a2 & a3) & present) != 0;
}

/* Clears n entries at p, each with a single-copy-atomic store; unrolled for two stores a cycle. */
static inline void pt_clear_entries(uint64_t *p, uint64_t n)
{
	uint64_t k = 0;

	for (; k + 4 <= n; k += 4) {
		pt_store(p + k, 0);
		pt_store(p + k + 1, 0);
		pt_store(p + k + 2, 0);
		pt_store(p + k + 3, 0);
	}
	for (; k < n; k++) {
		pt_store(p + k, 0);
	}
}

/*
 * Removes the smallest pages among entries [first, end] of table t (level 0), base being the
 * address of entry first; they are noted run by run and the entries synced once.  The common
 * case, every entry present, is one read pass, one clearing pass and one note.
 */
static void pt_unmap_pages(struct pt_unmap_op *op, uint64_t *t, unsigned first, unsigned end,
			   uint64_t base)
{
	struct pt_space *s = op->s;
	/* Locals: the stores could alias *s, and reloading each time costs a third. */
	const uint64_t present = s->g.present_mask;
	const unsigned shift = s->g.level[0].shift;
	uint64_t n = (uint64_t)(end - first) + 1;
	uint64_t *p = t + first;

	if (pt_all_present(present, p, n)) {
		pt_clear_entries(p, n);
		pt_unmap_note(op, base, base + (n << shift) - 1);
	} else {
		/* Runs of present pages, each cleared and noted at once. */
		for (uint64_t i = 0; i < n;) {
			while (i < n && !(pt_load(p + i) & present)) {
				i++;
			}
			uint64_t j = i;

			while (j < n && (pt_load(p + j) & present)) {
				j++;
			}
			if (j > i) {
				pt_clear_entries(p + i, j - i);
				pt_unmap_note(op, base + (i << shift), base + (j << shift) - 1);
			}
			i = j;
		}
	}
	pt_sync(s, p, (size_t)n * sizeof(*p));
}

/*
 * Removes every leaf of [start, last] below table t at level l; the range lies inside t.
 * Returns whether entries of t inside the range are still present (a split block, a table
 * that keeps mappings outside the range).
 */
static bool pt_unmap_level(struct pt_unmap_op *op, uint64_t *t, unsigned l, uint64_t start,
			   uint64_t last)
{
	bool kept = false;

	struct pt_space *s = op->s;
	uint64_t size = pt_entry_size(s, l);
	unsigned first = pt_index(s, l, start);
	unsigned end = pt_index(s, l, last);
	uint64_t base = start & ~(size - 1); /* address of entry `first` */

	if (l == 0) {
		pt_unmap_pages(op, t, first, end, base);
		return false;
	}
	for (unsigned i = first; i <= end; i++) {
		uint64_t pte = pt_load(t + i);
		uint64_t eb = base + (uint64_t)(i - first) * size;
		uint64_t el = eb + size - 1;
		uint64_t s_start = start > eb ? start : eb;
		uint64_t s_last = last < el ? last : el;
		bool whole = s_start == eb && s_last == el;

		if (!pt_present(s, pte)) {
			continue;
		}
		if (!pt_is_table(s, l, pte)) {
			if (!whole) {
				/* Keep the rest of the block: a table of smaller leaves replaces
				 * it. */
				uint64_t attrs = pte & ~(s->g.oa_mask | s->g.type_mask);
				uint64_t table_pa;
				uint64_t *nt = pt_prealloc_take(s, &op->pre, &table_pa);

				pt_split_fill(op, nt, l - 1, attrs, pte & s->g.oa_mask, eb, s_start,
					      s_last);
				pt_sync(s, nt, s->g.table_size);
				pt_publish(t + i, s->g.table_pte | table_pa);
				kept = true;
			} else {
				pt_store(t + i, 0);
			}
			pt_unmap_note(op, s_start, s_last);
			continue;
		}
		uint64_t child_pa = pte & s->g.oa_mask;
		uint64_t *child = pt_table_cpu(s, child_pa);

		bool child_kept = pt_unmap_level(op, child, l - 1, s_start, s_last);

		if (child_kept ||
		    (!whole && pt_table_used_outside(s, child, l - 1, pt_index(s, l - 1, s_start),
						     pt_index(s, l - 1, s_last)))) {
			kept = true;
		} else {
			pt_store(t + i, 0);
			pt_gather_park(op->gather, s, child, child_pa);
		}
	}
	pt_sync(s, t + first, (size_t)(end - first + 1) * sizeof(*t));
	return kept;
}

/* Unlinks table t, which slot points at, and parks it in the gather until invalidation. */
static void pt_unlink_table(struct pt_space *s, struct pt_gather *gather, uint64_t *slot,
			    uint64_t *t)
{
	uint64_t t_pa = pt_load(slot) & s->g.oa_mask;

	pt_store(slot, 0);
	pt_sync(s, slot, sizeof(*slot));
	pt_gather_park(gather, s, t, t_pa);
}

/**
 * pt_unmap() - remove every leaf in [iova, iova + len - 1]; holes are skipped.  A block that
 * straddles an end of the range is split, its outside part kept with the same attributes.
 * Tables that become empty are unlinked and parked in the gather.
 *
 * The gather receives exactly the removed ranges (coalesced) and, if tables were unlinked,
 * tables_freed.  *ret_unmapped (may be NULL) receives the number of bytes removed, 0 when
 * nothing was mapped.  The split swaps a block for an equivalent table in one store, without
 * break-before-make; the removed part is in the gather.
 *
 * Return: 0; -EINVAL, -EOVERFLOW, -ERANGE for a bad range as pt_map(); -ENOMEM when a split
 * needs table memory that is not there.  On error nothing changed.
 */
PT_HOT int pt_unmap(struct pt_space *s, uint64_t iova, uint64_t len, struct pt_gather *gather,
		    uint64_t *ret_unmapped)
{
	uint64_t last;
	int r = pt_check_range(s, iova, len, &last);

	if (r < 0) {
		return r;
	}
	if (!gather || (gather->space && gather->space != s)) {
		return -EINVAL;
	}

	uint64_t *hint = pt_hint_covers(s, iova, last);

	if (gather->unsettled &&
	    (!hint || len != pt_entry_size(s, 0) || gather->unsettled != hint)) {
		/* The walk below reasons about empty tables: settle the batch's first. */
		pt_unmap_settle(s, gather);
		hint = pt_hint_covers(s, iova, last);
	}
	if (hint && len == pt_entry_size(s, 0)) {
		/* One page inside the hint table, the commonest unmap of all: no walk, and no
		 * run to build. */
		unsigned index = pt_index(s, 0, iova);
		uint64_t *entry = hint + index;

		if (!pt_present(s, pt_load(entry))) {
			if (ret_unmapped) {
				*ret_unmapped = 0;
			}
			return 0;
		}
		pt_store(entry, 0);
		pt_sync(s, entry, sizeof(*entry));
		if (gather->batch) {
			/* Whether the table is empty now is for pt_unmap_settle(), once. */
			gather->space = s;
			gather->unsettled = hint;
			gather->unsettled_base = s->hint_base;
			pt_gather_add(gather, iova, last);
			if (ret_unmapped) {
				*ret_unmapped = len;
			}
			return 0;
		}
		if (pt_table_used_outside(s, hint, 0, index, index)) {
			pt_gather_add(gather, iova, last);
			if (ret_unmapped) {
				*ret_unmapped = len;
			}
			return 0;
		}
		/* The table is empty now: the walk below unlinks it, and notes the page. */
	}

	struct pt_unmap_op op = {.s = s, .gather = gather};

	if (hint && len == pt_entry_size(s, 0)) {
		pt_unmap_note(&op, iova, last);
	} else if (hint) {
		/*
		 * Inside the hint table: clear without a walk.  When the table keeps other
		 * mappings (its neighbourhood is in cache now) that is all; when it became
		 * empty, the walk below finds nothing left in the range and unlinks it.
		 */
		unsigned first = pt_index(s, 0, iova);
		unsigned end = pt_index(s, 0, last);

		pt_unmap_pages(&op, hint, first, end, iova);
		if (pt_table_used_outside(s, hint, 0, first, end)) {
			if (op.have_run) {
				pt_gather_add(gather, op.run_start, op.run_last);
			}
			if (ret_unmapped) {
				*ret_unmapped = op.removed;
			}
			return 0;
		}
	}

	/*
	 * Walk once down the entries that hold the whole range, remembering them: the work below
	 * starts at the first table where the range spans several entries (a table of smallest
	 * pages, for the usual unmap of a buffer), and the way back up frees the tables that
	 * became empty without walking again.
	 */
	uint64_t *path[PT_MAX_LEVELS];
	unsigned path_index[PT_MAX_LEVELS];
	uint64_t *t = s->root;
	unsigned l = s->top;

	for (; l > 0; l--) {
		unsigned i = pt_index(s, l, iova);

		if (i != pt_index(s, l, last)) {
			break;
		}
		uint64_t pte = pt_load(t + i);

		if (!pt_present(s, pte)) {
			/* Nothing maps any of the range (the hint found no table here either). */
			if (ret_unmapped) {
				*ret_unmapped = op.removed;
			}
			return 0;
		}
		if (!pt_is_table(s, l, pte)) {
			break; /* one block holds the whole range */
		}
		path[l] = t;
		path_index[l] = i;
		t = pt_child(s, pte);
	}

	/* Leaves of the smallest size are never split; above, the blocks straddling either end
	 * are the only ones that need new tables. */
	if (l > 0) {
		size_t need = pt_split_count(s, t, l, iova, iova);

		need += pt_split_count(s, t, l, last, last + 1);
		if (need) {
			r = pt_prealloc_fill(s, &op.pre, need);
			if (r < 0) {
				return r;
			}
		}
	}
	/* After the hint, the walk ends at the hint table, already cleared and now empty. */
	bool kept = hint ? !ALWAYS(t == hint && l == 0) : pt_unmap_level(&op, t, l, iova, last);

	/* Back up the path: unlink each table that no longer maps anything; never the root. */
	unsigned first = pt_index(s, l, iova);
	unsigned end = pt_index(s, l, last);

	for (; l < s->top && !kept; l++) {
		if (pt_table_used_outside(s, t, l, first, end)) {
			break;
		}
		pt_unlink_table(s, gather, path[l + 1] + path_index[l + 1], t);
		t = path[l + 1];
		first = end = path_index[l + 1];
	}
	if (op.have_run) {
		pt_gather_add(gather, op.run_start, op.run_last);
	}
	/* The count is an upper bound when both ends fall into one block. */
	if (op.pre.count) {
		pt_prealloc_drain(s, &op.pre);
	}
	if (ret_unmapped) {
		*ret_unmapped = op.removed;
	}
	return 0;
}

/**
 * pt_unmap_settle() - ends a batch of unmaps (pt_gather_init_batch()): unlinks the table the
 * batch's one-page unmaps may have emptied, and every table above it that empties in turn,
 * parking them in the gather as pt_unmap() does.  Call it after the last unmap and before
 * invalidating.  Needs no memory, so it cannot fail.
 */
void pt_unmap_settle(struct pt_space *s, struct pt_gather *gather)
{
	uint64_t *path[PT_MAX_LEVELS];
	unsigned path_index[PT_MAX_LEVELS];
	uint64_t iova = gather->unsettled_base;
	uint64_t *t = s->root;
	unsigned l = s->top;

	if (!gather->unsettled || NEVER(gather->space != s)) {
		return;
	}
	gather->unsettled = NULL;
	/* Down to the table, which is still linked: nothing unlinks tables between the unmap
	 * that left it unsettled and here. */
	for (; l > 0; l--) {
		unsigned i = pt_index(s, l, iova);
		uint64_t pte = pt_load(t + i);

		if (!ALWAYS(pt_present(s, pte) && pt_is_table(s, l, pte))) {
			return;
		}
		path[l] = t;
		path_index[l] = i;
		t = pt_child(s, pte);
	}
	/* Back up, as pt_unmap() does, while tables are empty; never the root. */
	for (; l < s->top; l++) {
		if (pt_any_present_scan(s, t, pt_entries(s, l))) {
			break;
		}
		pt_unlink_table(s, gather, path[l + 1] + path_index[l + 1], t);
		t = path[l + 1];
	}
}

/* Lookup and walk ------------------------------------------------------------------------ */

/*
 * Walks from the root to the leaf that maps iova: the walk lookup and
 * translation share.  Returns 0 with its level and PTE; -ENOENT when
 * nothing maps iova; -ERANGE beyond the input size.
 */
static inline int pt_find_leaf(const struct pt_space *s, uint64_t iova, unsigned *ret_level,
			       uint64_t *ret_pte)
{
	if (iova > s->iova_last) {
		return -ERANGE;
	}
	const uint64_t *table = s->root;

	for (unsigned l = s->top;; l--) {
		uint64_t pte = pt_load(table + pt_index(s, l, iova));

		if (!pt_present(s, pte)) {
			return -ENOENT;
		}
		if (pt_is_table(s, l, pte)) {
			table = pt_child(s, pte);
			continue;
		}
		*ret_level = l;
		*ret_pte = pte;
		return 0;
	}
}

/**
 * pt_iova_to_phys() - the output address iova translates to.
 * Return: 0; -ENOENT when nothing maps it; -ERANGE beyond the input size.
 */
PT_HOT int pt_iova_to_phys(const struct pt_space *s, uint64_t iova, uint64_t *ret_pa)
{
	unsigned l;
	uint64_t pte;
	int r = pt_find_leaf(s, iova, &l, &pte);

	if (r == 0) {
		*ret_pa = (pte & s->g.oa_mask) + (iova & (pt_entry_size(s, l) - 1));
	}
	return r;
}

static void pt_fill_leaf(const struct pt_space *s, unsigned l, uint64_t base, uint64_t pte,
			 struct pt_leaf *leaf)
{
	leaf->iova = base;
	leaf->pa = pte & s->g.oa_mask;
	leaf->size = pt_entry_size(s, l);
	leaf->level = l;
	leaf->prot = s->fmt->decode_prot(&s->cfg, pte);
	leaf->pte = pte;
}

/**
 * pt_lookup() - the leaf entry that maps iova, decoded.
 * Return: 0; -ENOENT when nothing maps it; -ERANGE beyond the input size.
 */
int pt_lookup(const struct pt_space *s, uint64_t iova, struct pt_leaf *ret_leaf)
{
	unsigned l;
	uint64_t pte;
	int r = pt_find_leaf(s, iova, &l, &pte);

	if (r == 0) {
		pt_fill_leaf(s, l, iova & ~(pt_entry_size(s, l) - 1), pte, ret_leaf);
	}
	return r;
}

static int pt_walk_level(const struct pt_space *s, const uint64_t *t, unsigned l, uint64_t start,
			 uint64_t last, pt_walk_fn fn, void *ctx)
{
	uint64_t size = pt_entry_size(s, l);
	unsigned first = pt_index(s, l, start);
	unsigned end = pt_index(s, l, last);
	uint64_t eb = start & ~(size - 1);

	for (unsigned i = first; i <= end; i++, eb += size) {
		uint64_t pte = pt_load(t + i);

		if (!pt_present(s, pte)) {
			continue;
		}
		if (pt_is_table(s, l, pte)) {
			uint64_t el = eb + size - 1;
			int r = pt_walk_level(s, pt_child(s, pte), l - 1, start > eb ? start : eb,
					      last < el ? last : el, fn, ctx);

			if (r) {
				return r;
			}
			continue;
		}
		struct pt_leaf leaf;

		pt_fill_leaf(s, l, eb, pte, &leaf);

		int r = fn(ctx, &leaf);

		if (r) {
			return r;
		}
	}
	return 0;
}

/**
 * pt_walk() - call fn for each leaf overlapping [iova, iova + len - 1], in address order.
 * Return: 0, fn's first non-zero return, -EINVAL for len == 0, -EOVERFLOW, -ERANGE.
 */
int pt_walk(const struct pt_space *s, uint64_t iova, uint64_t len, pt_walk_fn fn, void *ctx)
{
	uint64_t last;

	if (len == 0 || !fn) {
		return -EINVAL;
	}
	if (__builtin_add_overflow(iova, len - 1, &last)) {
		return -EOVERFLOW;
	}
	if (last > s->iova_last) {
		return -ERANGE;
	}
	return pt_walk_level(s, s->root, s->top, iova, last, fn, ctx);
}

static int pt_dump_leaf(void *ctx, const struct pt_leaf *leaf)
{
	FILE *out = ctx;
	unsigned p = leaf->prot;

	fprintf(out,
		"0x%016" PRIx64 "-0x%016" PRIx64 " -> 0x%016" PRIx64 " level %u %c%c%c%s%s%s"
		" pte 0x%016" PRIx64 "\n",
		leaf->iova, leaf->iova + leaf->size - 1, leaf->pa, leaf->level,
		p & PT_PROT_READ ? 'r' : '-', p & PT_PROT_WRITE ? 'w' : '-',
		p & PT_PROT_NOEXEC ? '-' : 'x', p & PT_PROT_MMIO ? " mmio" : "",
		p & PT_PROT_NOCACHE ? " nocache" : "", p & PT_PROT_PRIV ? " priv" : "", leaf->pte);
	return 0;
}

/**
 * pt_dump() - write one line per leaf overlapping the range to out:
 * "first-last -> pa level L rwx[ mmio][ nocache][ priv] pte raw".
 * Return: as pt_walk().
 */
int pt_dump(const struct pt_space *s, uint64_t iova, uint64_t len, FILE *out)
{
	return pt_walk(s, iova, len, pt_dump_leaf, out);
}

static int pt_check_level(const struct pt_space *s, const uint64_t *t, unsigned l,
			  size_t *table_count)
{
	unsigned n = pt_entries(s, l);
	unsigned used = 0;

	for (unsigned i = 0; i < n; i++) {
		uint64_t pte = pt_load(t + i);

		if (!pt_present(s, pte)) {
			if (pte != 0) {
				return -EUCLEAN;
			}
			continue;
		}
		used++;
		if (pt_is_table(s, l, pte)) {
			if (pte & ~s->g.oa_mask & ~s->g.table_pte) {
				return -EUCLEAN;
			}
			(*table_count)++;

			int r = pt_check_level(s, pt_child(s, pte), l - 1, table_count);

			if (r < 0) {
				return r;
			}
			continue;
		}
		if (!s->g.level[l].leaf_ok || ((pte ^ s->g.level[l].leaf_type) & s->g.type_mask) ||
		    ((pte & s->g.oa_mask) & (pt_entry_size(s, l) - 1))) {
			return -EUCLEAN;
		}
	}
	if (l != s->top && used == 0) {
		return -EUCLEAN;
	}
	return 0;
}

/**
 * pt_check() - verify the invariants of the tree: non-present entries are zero, no table but
 * the root is empty, leaves sit where the format allows them and are aligned, and the tables
 * reachable are the tables held (those parked in a gather aside).  For tests.
 * Return: 0, or -EUCLEAN when an invariant is broken.
 */
int pt_check(const struct pt_space *s)
{
	size_t count = 1;
	int r = pt_check_level(s, s->root, s->top, &count);

	if (r < 0) {
		return r;
	}
	return count + s->parked_count == s->table_count ? 0 : -EUCLEAN;
}

/* Space ---------------------------------------------------------------------------------- */

/**
 * pt_space_create() - an empty page table of the given configuration; its root is allocated.
 * The caller owns the result and frees it with pt_space_destroy().
 * Return: 0; -EINVAL for a configuration the format does not have or an incomplete
 * allocator; -ENOMEM; -ERANGE when the allocator's memory lies beyond the output size.
 */
int pt_space_create(const struct pt_cfg *cfg, const struct pt_allocator *alloc,
		    struct pt_space **ret_space)
{
	if (!cfg || !alloc || !alloc->alloc || !alloc->free || !ret_space ||
	    (!alloc->pa_to_cpu && !alloc->linear_cpu_base)) {
		return -EINVAL;
	}
	const struct pt_fmt *fmt = pt_fmt_find(cfg->format);

	if (!fmt) {
		return -EINVAL;
	}
	struct pt_geom g;
	int r = fmt->init(cfg, &g);

	if (r < 0) {
		return r;
	}
	struct pt_space *s = smmu_calloc(1, sizeof(*s));

	if (!s) {
		return -ENOMEM;
	}
	s->g = g;
	s->top = g.level_count - 1;
	for (unsigned l = g.level_count; l-- > 0;) {
		if (g.level[l].leaf_ok) {
			s->leaf_levels[s->leaf_level_count++] = (uint8_t)l;
		}
	}
	s->table_type = g.table_pte & g.type_mask;
	s->iova_last = BIT(cfg->ias) - 1;
	s->pa_last = BIT(cfg->oas) - 1;
	s->min_page_mask = BIT(g.level[0].shift) - 1;
	s->linear_cpu_base = alloc->linear_cpu_base;
	s->linear_pa_base = alloc->linear_pa_base;
	s->cached_prot = UINT_MAX;
	s->alloc = *alloc;
	s->fmt = fmt;
	s->cfg = *cfg;
	s->cfg.granule_lg2 = g.level[0].shift;
	s->cfg.pgsize_bitmap = g.pgsize_bitmap;

	void *root;

	r = pt_alloc_table(s, g.root_size, &root, &s->root_pa);
	if (r < 0) {
		smmu_free(s);
		return r;
	}
	s->root = root;
	*ret_space = s;
	return 0;
}

static void pt_free_level(struct pt_space *s, uint64_t *t, unsigned l)
{
	unsigned n = pt_entries(s, l);

	for (unsigned i = 0; i < n; i++) {
		uint64_t pte = pt_load(t + i);

		if (pt_present(s, pte) && pt_is_table(s, l, pte)) {
			uint64_t pa = pte & s->g.oa_mask;
			uint64_t *child = pt_table_cpu(s, pa);

			pt_free_level(s, child, l - 1);
			pt_space_free_table(s, child, pa);
		}
	}
}

/**
 * pt_space_destroy() - free every table and the space.  The IOMMU must no longer use the
 * table, and gathers holding its tables must have been released.  Accepts NULL.
 */
void pt_space_destroy(struct pt_space *s)
{
	if (!s) {
		return;
	}
	pt_hint_forget(s);
	pt_free_level(s, s->root, s->top);
	s->alloc.free(s->alloc.ctx, s->root, s->root_pa, s->g.root_size);
	smmu_free(s);
}

/** pt_get_info() - what a backend needs to program the IOMMU, and memory held. */
void pt_get_info(const struct pt_space *s, struct pt_info *ret_info)
{
	*ret_info = (struct pt_info){
		.root_pa = s->root_pa,
		.root_size = s->g.root_size,
		.level_count = s->g.level_count,
		.start_level = s->g.start_level,
		.root_table_count = s->g.root_table_count,
		.ias = s->cfg.ias,
		.oas = s->cfg.oas,
		.granule_lg2 = s->cfg.granule_lg2,
		.pgsize_bitmap = s->g.pgsize_bitmap,
		.table_count = s->table_count,
		.table_bytes = s->table_bytes,
	};
}

/* Format names and test configurations ---------------------------------------------------- */

/** pt_format_name() - short name of a format, "?" for an unknown one. */
const char *pt_format_name(enum pt_format format)
{
	const struct pt_fmt *fmt = pt_fmt_find(format);

	return fmt ? fmt->name : "?";
}

/**
 * pt_cfg_name() - "name g4k ias48 oas46 pgsizes 0x40201000" into buf, for messages.
 * Return: the length snprintf() reports.
 */
int pt_cfg_name(const struct pt_cfg *cfg, char *buf, size_t size)
{
	unsigned g = cfg->granule_lg2 ? cfg->granule_lg2 : 12;

	return snprintf(buf, size, "%s g%uk ias%u oas%u pgsizes 0x%" PRIx64,
			pt_format_name(cfg->format), 1u << (g - 10), cfg->ias, cfg->oas,
			cfg->pgsize_bitmap);
}

/**
 * pt_test_cfg() - the index-th configuration of the test matrix, over every format.
 * Return: 0, or -ENOENT past the last.
 */
int pt_test_cfg(size_t index, struct pt_cfg *ret_cfg)
{
	for (size_t f = 0; f < ARRAY_SIZE(pt_fmts); f++) {
		size_t count = 0;
		struct pt_cfg cfg;

		while (pt_fmts[f]->test_cfg(count, &cfg) == 0) {
			count++;
		}
		if (index < count) {
			return pt_fmts[f]->test_cfg(index, ret_cfg);
		}
		index -= count;
	}
	return -ENOENT;
}
