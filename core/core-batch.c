/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Handing a request's mappings to a backend as batches: one map_batch() or
 * unmap_batch() call per domain, so that the backend invalidates once per
 * request, not once per page; a backend without them gets one map() or
 * unmap() per mapping, with the same result.
 */
#include <errno.h>

#include "core/core-internal.h"

static int map_one_by_one(const struct smmu_backend *be, struct smmu_backend_domain *domain,
			  const struct smmu_backend_range *maps, size_t count, size_t *ret_done)
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
			    const struct smmu_backend_range *maps, size_t count, size_t *ret_done)
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

/* A backend that claims more than it was given is held to what it was given. */
static int checked(int r, size_t count, size_t *ret_done)
{
	if (r == 0) {
		*ret_done = count;
	} else if (*ret_done > count) {
		*ret_done = count;
	}
	return r;
}

/**
 * core_backend_map() - maps maps[0..count) in `domain`, in order.
 * Return: 0; or the first error, with *ret_done mappings done before it (they stay) and the
 * rest untouched.
 */
int core_backend_map(const struct smmu_backend *be, struct smmu_backend_domain *domain,
		     const struct smmu_backend_range *maps, size_t count, size_t *ret_done)
{
	if (!be->map_batch) {
		return map_one_by_one(be, domain, maps, count, ret_done);
	}
	return checked(be->map_batch(domain, maps, count, ret_done), count, ret_done);
}

/**
 * core_backend_unmap() - removes maps[0..count) from `domain`, in order.
 * Return: as core_backend_map().
 */
int core_backend_unmap(const struct smmu_backend *be, struct smmu_backend_domain *domain,
		       const struct smmu_backend_range *maps, size_t count, size_t *ret_done)
{
	if (!be->unmap_batch) {
		return unmap_one_by_one(be, domain, maps, count, ret_done);
	}
	return checked(be->unmap_batch(domain, maps, count, ret_done), count, ret_done);
}
