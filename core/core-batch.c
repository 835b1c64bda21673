/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Handing a request's mappings to a backend as batches: one map_batch() or
 * unmap_batch() call per domain and chunk, so that the backend invalidates
 * once per batch, not once per page; a backend without them gets one
 * map() or unmap() per mapping, with the same result.
 */
#include <errno.h>

#include "core/core-internal.h"

/* Ranges converted per call: a 4 KiB stack buffer, and a request of the
 * client API's usual size (at most 4096 entries, typically a few hundred)
 * in a few calls. */
#define CORE_BATCH_CHUNK 128u

typedef int (*core_batch_fn)(struct smmu_backend_domain *domain,
			     const struct smmu_backend_range *ranges, size_t count,
			     size_t *ret_done);

static int map_one_by_one(const struct smmu_backend *be, struct smmu_backend_domain *domain,
			  const struct core_mapping *maps, size_t count, size_t *ret_done)
{
	for (size_t i = 0; i < count; i++) {
		int r = be->map(domain, maps[i].iova, maps[i].pa, maps[i].size, maps[i].prot);

		if (r < 0) {
			*ret_done = i;
			return r;
		}
	}
	*ret_done = count;
	return 0;
}

static int unmap_one_by_one(const struct smmu_backend *be, struct smmu_backend_domain *domain,
			    const struct core_mapping *maps, size_t count, size_t *ret_done)
{
	for (size_t i = 0; i < count; i++) {
		int r = be->unmap(domain, maps[i].iova, maps[i].size);

		if (r < 0) {
			*ret_done = i;
			return r;
		}
	}
	*ret_done = count;
	return 0;
}

static int in_chunks(core_batch_fn batch, struct smmu_backend_domain *domain,
		     const struct core_mapping *maps, size_t count, size_t *ret_done)
{
	struct smmu_backend_range ranges[CORE_BATCH_CHUNK];

	for (size_t first = 0; first < count; first += CORE_BATCH_CHUNK) {
		size_t n = count - first < CORE_BATCH_CHUNK ? count - first : CORE_BATCH_CHUNK;
		size_t done = 0;
		int r;

		for (size_t i = 0; i < n; i++) {
			const struct core_mapping *m = &maps[first + i];

			ranges[i] = (struct smmu_backend_range){
				.iova = m->iova, .size = m->size, .pa = m->pa, .prot = m->prot};
		}
		r = batch(domain, ranges, n, &done);
		if (r < 0) {
			/* A backend that claims more than it was given is held to that. */
			*ret_done = first + (done < n ? done : n);
			return r;
		}
	}
	*ret_done = count;
	return 0;
}

/**
 * core_backend_map() - maps maps[0..count) in `domain`, in order.
 * Return: 0; or the first error, with *ret_done mappings done before it (they stay) and the
 * rest untouched.
 */
int core_backend_map(const struct smmu_backend *be, struct smmu_backend_domain *domain,
		     const struct core_mapping *maps, size_t count, size_t *ret_done)
{
	if (!be->map_batch) {
		return map_one_by_one(be, domain, maps, count, ret_done);
	}
	return in_chunks(be->map_batch, domain, maps, count, ret_done);
}

/**
 * core_backend_unmap() - removes maps[0..count) from `domain`, in order.
 * Return: as core_backend_map().
 */
int core_backend_unmap(const struct smmu_backend *be, struct smmu_backend_domain *domain,
		       const struct core_mapping *maps, size_t count, size_t *ret_done)
{
	if (!be->unmap_batch) {
		return unmap_one_by_one(be, domain, maps, count, ret_done);
	}
	return in_chunks(be->unmap_batch, domain, maps, count, ret_done);
}
