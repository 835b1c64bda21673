/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Soft IOMMU domains: one pgtable address space each, in the unit's table memory, and the
 * soft hardware's walk.  translate() looks up the live tables for every access, as an IOMMU
 * without a TLB would, so a map or unmap is visible to the next access with no invalidation;
 * unmaps still collect a gather and release it, so unlinked tables go back to the pool only
 * after the point where a caching IOMMU would have been invalidated.
 */
#include "backends/soft/soft.h"

#include <errno.h>
#include <stddef.h>
#include <syslog.h>

#include "backends/common/backend-pt.h"
#include "common/alloc.h"

/**
 * soft_domain_create() - an empty address space on `unit`, in the format `smmu soft` chose.
 * No device reaches it until attached.
 * Return: 0 and *ret_domain (owned by the unit until soft_domain_destroy()); -ENOMEM.
 */
int soft_domain_create(struct smmu_backend_unit *unit, struct smmu_backend_domain **ret_domain)
{
	struct smmu_backend_domain *domain = smmu_calloc(1, sizeof(*domain));
	int r;

	if (!domain) {
		return -ENOMEM;
	}
	r = pt_space_create(&unit->pt_cfg, &unit->table_alloc, &domain->space);
	if (r < 0) {
		smmu_free(domain);
		return r;
	}
	domain->unit = unit;
	smmu_list_add(&unit->domains, &domain->link);
	*ret_domain = domain;
	return 0;
}

/**
 * soft_domain_destroy() - frees the domain's tables and the domain.  No device is attached by
 * contract; should one be, it is blocked rather than left pointing at freed tables.
 * Accepts NULL.
 */
void soft_domain_destroy(struct smmu_backend_domain *domain)
{
	struct smmu_backend_unit *unit;

	if (!domain) {
		return;
	}
	unit = domain->unit;
	for (struct smmu_list_link *l = unit->devices.next;
	     NEVER(domain->attached_count != 0) && l != &unit->devices; l = l->next) {
		struct smmu_backend_device *device =
			SMMU_CONTAINER_OF(l, struct smmu_backend_device, link);

		if (device->domain == domain) {
			soft_device_attach(device, NULL);
		}
	}
	pt_space_destroy(domain->space);
	smmu_list_del(&domain->link);
	smmu_free(domain);
}

/* pt_map() with prot already converted to pt_prot. */
static int map_converted(struct smmu_backend_domain *domain, uint64_t iova, uint64_t pa,
			 uint64_t size, unsigned prot, unsigned pt_prot)
{
	int r = pt_map(domain->space, iova, pa, size, pt_prot);

	if (r == -EOPNOTSUPP) {
		soft_log(LOG_DEBUG, "unit %s: %s tables cannot express prot 0x%x",
			 domain->unit->name, pt_format_name(domain->unit->pt_cfg.format), prot);
	}
	return r;
}

/**
 * soft_map() - maps [iova, iova + size) to [pa, pa + size) with `prot` (enum smmu_prot), with
 * the largest pages alignment allows.  Visible to the next translate().
 * Return: 0; -EEXIST when any part is mapped; -EINVAL for a bad range or prot (neither read
 * nor write, unknown bits); -EOPNOTSUPP for a prot the format cannot express (write-only in
 * lpae-s1); -ERANGE, -EOVERFLOW beyond the address sizes; -ENOMEM when the unit's table
 * memory is exhausted.  On error nothing changed.
 */
int soft_map(struct smmu_backend_domain *domain, uint64_t iova, uint64_t pa, uint64_t size,
	     unsigned prot)
{
	unsigned pt_prot;
	int r = backend_pt_prot(prot, &pt_prot);

	return r < 0 ? r : map_converted(domain, iova, pa, size, prot, pt_prot);
}

/**
 * soft_unmap() - removes exactly the mappings inside [iova, iova + size); larger pages that
 * straddle an end are split and their outside part kept.  Holes are not an error.
 * Return: 0; -EINVAL, -ERANGE, -EOVERFLOW for a bad range; -ENOMEM when a split needs table
 * memory that is not there.  On error nothing changed.
 */
int soft_unmap(struct smmu_backend_domain *domain, uint64_t iova, uint64_t size)
{
	struct pt_gather gather;
	int r;

	pt_gather_init(&gather);
	r = pt_unmap(domain->space, iova, size, &gather, NULL);
	/* Here a caching IOMMU would invalidate gather.range[] (and its paging-structure caches
	 * when gather.tables_freed).  The soft IOMMU caches nothing, so the unlinked tables can
	 * go back to the pool at once. */
	pt_gather_release(&gather);
	return r;
}

/**
 * soft_map_batch() - soft_map() of each range in order, stopping at the first that fails
 * (core/backend.h, map_batch).
 */
int soft_map_batch(struct smmu_backend_domain *domain, const struct smmu_backend_range *ranges,
		   size_t count, size_t *ret_done)
{
	unsigned prot = 0, pt_prot = 0;

	for (size_t i = 0; i < count; i++) {
		const struct smmu_backend_range *m = &ranges[i];
		int r = 0;

		/* A request has one permission for all its ranges: convert it once. */
		if (i == 0 || m->prot != prot) {
			prot = m->prot;
			r = backend_pt_prot(prot, &pt_prot);
		}
		if (r == 0) {
			r = map_converted(domain, m->iova, m->pa, m->size, prot, pt_prot);
		}
		if (r < 0) {
			*ret_done = i;
			return r;
		}
	}
	*ret_done = count;
	return 0;
}

/**
 * soft_unmap_batch() - soft_unmap() of each range in order, stopping at the first that fails,
 * with one gather for the batch: where hardware would invalidate once (core/backend.h,
 * unmap_batch).
 */
int soft_unmap_batch(struct smmu_backend_domain *domain, const struct smmu_backend_range *ranges,
		     size_t count, size_t *ret_done)
{
	struct pt_gather gather;
	size_t i = 0;
	int r = 0;

	pt_gather_init_batch(&gather);
	for (; i < count && r == 0; i++) {
		r = pt_unmap(domain->space, ranges[i].iova, ranges[i].size, &gather, NULL);
	}
	pt_unmap_settle(domain->space, &gather);
	/* As in soft_unmap(): nothing cached, so the tables can go back at once. */
	pt_gather_release(&gather);
	*ret_done = r < 0 ? i - 1 : count;
	return r;
}

/**
 * soft_translate() - one access of `device` to `iova`, through the live tables as the soft
 * hardware performs it.  Every refusal is also recorded as a fault in the unit's queue, with
 * the raw encoding of soft.h.
 * Return: 0 and *ret_refusal: SMMU_REFUSAL_NONE with *ret_pa when allowed; BLOCKED before
 * unit_enable() or without a domain; NOT_MAPPED when no leaf maps iova (beyond the input size
 * too); READ_ONLY for a write to a leaf without write; WRITE_ONLY for a read of a leaf
 * without read.  -EINVAL for an access that is neither read nor write (nothing recorded).
 */
int soft_translate(struct smmu_backend_device *device, uint64_t iova, unsigned access,
		   uint64_t *ret_pa, unsigned *ret_refusal)
{
	struct smmu_backend_unit *unit = device->unit;
	struct smmu_backend_fault fault = {
		.device_key = device->key,
		.address = iova,
		.access = access,
	};
	uint64_t raw = FIELD_PREP(SOFT_FAULT_RAW_ACCESS, access);
	unsigned refusal;

	if (access != SMMU_ACCESS_READ && access != SMMU_ACCESS_WRITE) {
		return -EINVAL;
	}
	if (unit->state != SOFT_UNIT_ON) {
		refusal = SMMU_REFUSAL_BLOCKED;
		raw |= SOFT_FAULT_RAW_OFF;
	} else if (!device->domain) {
		refusal = SMMU_REFUSAL_BLOCKED;
	} else {
		struct pt_leaf leaf;
		int r = pt_lookup(device->domain->space, iova, &leaf);

		if (r == -ENOENT || r == -ERANGE) {
			refusal = SMMU_REFUSAL_NOT_MAPPED;
		} else if (r < 0) {
			return r;
		} else {
			raw |= SOFT_FAULT_RAW_LEAF | FIELD_PREP(SOFT_FAULT_RAW_LEVEL, leaf.level);
			refusal = backend_leaf_refusal(&leaf, iova, access, ret_pa);
			if (refusal == SMMU_REFUSAL_NONE) {
				*ret_refusal = SMMU_REFUSAL_NONE;
				return 0;
			}
		}
	}
	fault.raw = raw | FIELD_PREP(SOFT_FAULT_RAW_REASON, refusal);
	soft_fault_record(unit, &fault);
	*ret_refusal = refusal;
	return 0;
}
