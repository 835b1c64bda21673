/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The invalidation gather: the ranges an unmap removed, coalesced, and the tables it unlinked,
 * held until the backend has invalidated so that a walker with a stale cached pointer never
 * reads reused memory.  Nothing here talks to hardware; the backend reads the ranges, issues
 * its invalidations (including paging-structure caches when tables_freed), then calls
 * pt_gather_release().
 */
#include "pgtable/pgtable.h"

#include <string.h>

#include "common/compiler.h"
#include "pgtable/pt-internal.h"

/** pt_gather_init() - an empty gather. */
void pt_gather_init(struct pt_gather *g)
{
	/* Ranges past range_count are never read: leave them (this runs once per unmap). */
	g->range_count = 0;
	g->coarse = false;
	g->tables_freed = false;
	g->space = NULL;
	g->parked_cpu = NULL;
	g->parked_pa = 0;
	g->parked_count = 0;
	g->batch = false;
	g->unsettled = NULL;
	g->unsettled_base = 0;
}

/** pt_gather_init_batch() - an empty gather for a batch of unmaps, see pt_unmap_settle(). */
void pt_gather_init_batch(struct pt_gather *g)
{
	pt_gather_init(g);
	g->batch = true;
}

/* Whether [start, last] overlaps r or touches it on either side. */
static bool pt_range_touches(const struct pt_range *r, uint64_t start, uint64_t last)
{
	return (start <= r->last || start - r->last == 1) &&
	       (r->start <= last || r->start - last == 1);
}

static void pt_gather_insert(struct pt_gather *g, uint64_t start, uint64_t last)
{
	unsigned n = g->range_count;
	unsigned i = 0;

	/* Ranges wholly below and apart from the new one stay as they are. */
	while (i < n && g->range[i].last < start && start - g->range[i].last > 1) {
		i++;
	}
	unsigned j = i;

	while (j < n && pt_range_touches(&g->range[j], start, last)) {
		j++;
	}
	if (j > i) {
		/* range[i..j-1] and the new one become range[i]. */
		if (g->range[i].start < start) {
			start = g->range[i].start;
		}
		if (g->range[j - 1].last > last) {
			last = g->range[j - 1].last;
		}
		g->range[i] = (struct pt_range){start, last};
		memmove(&g->range[i + 1], &g->range[j], (n - j) * sizeof(g->range[0]));
		g->range_count = n - (j - i - 1);
		return;
	}
	if (n == PT_GATHER_MAX_RANGES) {
		/* Full: widen the neighbour across the smaller gap. */
		uint64_t gap_below = i > 0 ? start - g->range[i - 1].last : UINT64_MAX;
		uint64_t gap_above = i < n ? g->range[i].start - last : UINT64_MAX;

		if (gap_below <= gap_above) {
			g->range[i - 1].last = last;
		} else {
			g->range[i].start = start;
		}
		g->coarse = true;
		return;
	}
	memmove(&g->range[i + 1], &g->range[i], (n - i) * sizeof(g->range[0]));
	g->range[i] = (struct pt_range){start, last};
	g->range_count = n + 1;
}

/**
 * pt_gather_add() - record that [start, last] must be invalidated; merges it with the ranges
 * it overlaps or touches.  Backends may add ranges of their own.
 */
void pt_gather_add(struct pt_gather *g, uint64_t start, uint64_t last)
{
	unsigned n = g->range_count;

	/* The commonest case: the first range of a fresh gather (one unmap, one range). */
	if (n == 0) {
		g->range[0] = (struct pt_range){start, last};
		g->range_count = 1;
		return;
	}
	/* A descending sweep (a buffer unmapped from the top down) grows the first range, or,
	 * once the gather is full, widens it across the gap, which is the smaller one. */
	if (last < g->range[0].start) {
		struct pt_range *r = &g->range[0];

		if (r->start - last == 1 || n == PT_GATHER_MAX_RANGES) {
			g->coarse |= r->start - last != 1;
			r->start = start;
			return;
		}
	}
	/* The common case: the next piece of an ascending sweep. */
	if (start >= g->range[n - 1].start) {
		struct pt_range *r = &g->range[n - 1];

		if (start <= r->last || start - r->last == 1) {
			if (last > r->last) {
				r->last = last;
			}
			return;
		}
		if (n < PT_GATHER_MAX_RANGES) {
			g->range[n] = (struct pt_range){start, last};
			g->range_count = n + 1;
			return;
		}
	}
	pt_gather_insert(g, start, last);
}

/*
 * Parks an unlinked table.  Its words 0 and 1 link it into the list: both hold addresses
 * aligned to at least 8 bytes, so their low bits are zero and a walker that still reaches the
 * table through a stale cached pointer reads non-present entries (VT-d spec 9.8: R = W = 0 is
 * not present; Arm ARM D8.3: bit 0 = 0 is invalid).  The rest of the table is already zero.
 */
void pt_gather_park(struct pt_gather *g, struct pt_space *s, void *cpu, uint64_t pa)
{
	uint64_t *t = cpu;

	pt_hint_forget(s);
	pt_store(t, (uint64_t)(uintptr_t)g->parked_cpu);
	pt_store(t + 1, g->parked_pa);
	pt_sync(s, t, 2 * sizeof(*t));
	g->parked_cpu = cpu;
	g->parked_pa = pa;
	g->parked_count++;
	g->space = s;
	g->tables_freed = true;
	s->parked_count++;
}

/**
 * pt_gather_release() - after the backend has invalidated the gather's ranges (and the
 * paging-structure caches when tables_freed), return the parked tables to the allocator and
 * empty the gather for reuse.
 */
void pt_gather_release(struct pt_gather *g)
{
	/* A batch not settled leaves an empty table linked: harmless, but a leak. */
	NEVER(g->unsettled != NULL);
	while (g->parked_count) {
		uint64_t *t = g->parked_cpu;
		uint64_t pa = g->parked_pa;

		g->parked_cpu = (void *)(uintptr_t)pt_load(t);
		g->parked_pa = pt_load(t + 1);
		g->parked_count--;
		g->space->parked_count--;
		pt_space_free_table(g->space, t, pa);
	}
	pt_gather_init(g);
}
