/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VT-d domains: a domain id and a second-level page table each, map and unmap with the
 * invalidations they need, and translate(), which walks the live tables from memory as the
 * hardware does (vtd.h, "translate()").
 */
#include "backends/vtd/vtd.h"

#include <endian.h>
#include <errno.h>
#include <syslog.h>

#include "backends/common/backend-id-bitmap.h"
#include "backends/common/backend-pt.h"
#include "common/alloc.h"
#include "hw/hw-table-mem.h"

/**
 * vtd_domain_create() - an empty address space on `unit` with its own domain id.  No device
 * reaches it until attached; nothing the hardware reads changes.
 * Return: 0 and *ret_domain (owned by the unit until vtd_domain_destroy()); -ENOSPC when
 * every domain id is in use; -EIO in the error state; -ENOMEM.
 */
int vtd_domain_create(struct smmu_backend_unit *unit, struct smmu_backend_domain **ret_domain)
{
	struct smmu_backend_domain *domain;
	struct pt_info info;
	int r = vtd_unit_check(unit);

	if (r < 0) {
		return r;
	}
	domain = smmu_calloc(1, sizeof(*domain));
	if (!domain) {
		return -ENOMEM;
	}
	r = backend_id_alloc(unit->did_bitmap, unit->caps.domain_id_count, &domain->did);
	if (r < 0) {
		vtd_log(LOG_DEBUG, "unit %s: all %u domain ids are in use", unit->name,
			unit->caps.domain_id_count - 1);
		goto err_free_domain;
	}
	r = pt_space_create(&unit->pt_cfg, vtd_table_allocator(), &domain->space);
	if (r < 0) {
		goto err_free_did;
	}
	pt_get_info(domain->space, &info);
	domain->root_pa = info.root_pa;
	domain->unit = unit;
	smmu_list_add(&unit->domains, &domain->link);
	*ret_domain = domain;
	return 0;

err_free_did:
	backend_id_free(unit->did_bitmap, unit->caps.domain_id_count, domain->did);
err_free_domain:
	smmu_free(domain);
	return r;
}

/**
 * vtd_domain_destroy() - frees the domain's tables and its id.  No device is attached by
 * contract; should one be, it is blocked first.  The IOTLB is invalidated for the id before
 * it can be handed out again.  In the error state the tables stay allocated (the hardware
 * may still cache pointers into them).  Accepts NULL.
 */
void vtd_domain_destroy(struct smmu_backend_domain *domain)
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
			(void)vtd_device_attach(device, NULL);
		}
	}
	if (vtd_unit_live(unit) && vtd_unit_check(unit) == 0) {
		struct vtd_inv_batch batch;

		vtd_inv_batch_init(&batch);
		vtd_inv_add_iotlb(unit, &batch, VTD_IOTLB_DOMAIN, domain->did, 0, 0);
		(void)vtd_inv_run(unit, &batch); /* a failure is logged by the error state */
	}
	/* In the error state the unit may still walk the tables: the pages stay allocated and
	 * the id is never reused; what the process keeps about them is freed. */
	if (vtd_unit_check(unit) == 0) {
		pt_space_destroy(domain->space);
		backend_id_free(unit->did_bitmap, unit->caps.domain_id_count, domain->did);
	} else {
		vtd_table_keep(true);
		pt_space_destroy(domain->space);
		vtd_table_keep(false);
	}
	smmu_list_del(&domain->link);
	smmu_free(domain);
}

/* SMMU_PROT_* as PT_PROT_*, with execute never granted: legacy-mode requests never ask to
 * execute (VT-d 3.6: execute requests need PASIDs), so SMMU_PROT_EXEC grants nothing more and
 * nothing less. */
static int pt_prot_of(unsigned prot, unsigned *ret_pt_prot)
{
	int r = backend_pt_prot(prot, ret_pt_prot);

	if (r == 0) {
		*ret_pt_prot |= PT_PROT_NOEXEC;
	}
	return r;
}

/* The IOTLB invalidation of [start, last] in `domain`, run now. */
static int invalidate_range(struct smmu_backend_domain *domain, const struct pt_range *range,
			    unsigned range_count)
{
	struct vtd_inv_batch batch;

	vtd_inv_batch_init(&batch);
	vtd_inv_add_ranges(domain->unit, &batch, domain->did, range, range_count);
	return vtd_inv_run(domain->unit, &batch);
}

/*
 * Frees the tables an unmap (or a rollback) unlinked, after their invalidation.  When it
 * failed (the unit is in its error state) the unit's caches may still point at them: they
 * stay allocated, as the tables of a domain destroyed in the error state do, so that no
 * other table is built in their pages.
 */
static void gather_release(struct smmu_backend_unit *unit, struct pt_gather *gather)
{
	bool keep = vtd_unit_check(unit) < 0;

	vtd_table_keep(keep);
	pt_gather_release(gather);
	vtd_table_keep(false);
}

/**
 * vtd_map() - maps [iova, iova + size) to [pa, pa + size) with `prot` (enum smmu_prot), with
 * the largest pages alignment and CAP.SLLPS allow, visible to the device when this returns:
 * invalidated in caching mode, the write buffer flushed where CAP.RWBF requires.
 * Return: 0; -EEXIST when any part is mapped; -EINVAL for a bad range or prot; -ERANGE at or
 * beyond 2^MGAW or the output size; -EOVERFLOW; -ENOMEM when table memory is exhausted; -EIO
 * in the error state.  On error nothing changed.
 */
int vtd_map(struct smmu_backend_domain *domain, uint64_t iova, uint64_t pa, uint64_t size,
	    unsigned prot)
{
	struct smmu_backend_unit *unit = domain->unit;
	struct pt_range range;
	unsigned pt_prot;
	int r = vtd_unit_check(unit);

	if (r == 0) {
		r = pt_prot_of(prot, &pt_prot);
	}
	if (r == 0) {
		r = backend_check_input_range(iova, size, unit->caps.input_bits);
	}
	if (r == 0) {
		r = pt_map(domain->space, iova, pa, size, pt_prot);
	}
	if (r < 0 || !vtd_unit_live(unit)) {
		return r;
	}
	range = (struct pt_range){.start = iova, .last = iova + size - 1};
	r = unit->caps.caching_mode ? invalidate_range(domain, &range, 1)
				    : vtd_write_buffer_flush(unit);
	if (r < 0) {
		struct pt_gather gather;

		/* Leave the address space as it was (STYLE.md 4); the unit is broken anyway. */
		pt_gather_init(&gather);
		(void)pt_unmap(domain->space, iova, size, &gather, NULL);
		gather_release(unit, &gather);
	}
	return r;
}

/**
 * vtd_unmap() - removes exactly the mappings inside [iova, iova + size) (blocks straddling an
 * end are split) and invalidates what the hardware may cache of them before returning.
 * Return: 0; -EINVAL, -ERANGE, -EOVERFLOW for a bad range; -ENOMEM when a split needs table
 * memory; -EIO in (or into) the error state.  On an error other than -EIO nothing changed.
 */
int vtd_unmap(struct smmu_backend_domain *domain, uint64_t iova, uint64_t size)
{
	struct smmu_backend_unit *unit = domain->unit;
	struct pt_gather gather;
	int r = vtd_unit_check(unit);

	if (r < 0) {
		return r;
	}
	pt_gather_init(&gather);
	r = pt_unmap(domain->space, iova, size, &gather, NULL);
	if (r == 0 && vtd_unit_live(unit)) {
		r = invalidate_range(domain, gather.range, gather.range_count);
	}
	gather_release(unit, &gather);
	return r;
}

/* Takes a batch's first `count` ranges back out of the tables, after a failed flush. */
static void unmap_ranges(struct smmu_backend_domain *domain,
			 const struct smmu_backend_range *ranges, size_t count)
{
	struct pt_gather gather;

	pt_gather_init(&gather);
	for (size_t i = 0; i < count; i++) {
		(void)pt_unmap(domain->space, ranges[i].iova, ranges[i].size, &gather, NULL);
	}
	gather_release(domain->unit, &gather);
}

/**
 * vtd_map_batch() - vtd_map() of each range in order, stopping at the first that fails, with
 * one invalidation (caching mode) or write-buffer flush for the batch (core/backend.h,
 * map_batch).  When that fails the unit is broken and the batch is taken back: nothing done.
 */
int vtd_map_batch(struct smmu_backend_domain *domain, const struct smmu_backend_range *ranges,
		  size_t count, size_t *ret_done)
{
	struct smmu_backend_unit *unit = domain->unit;
	int r = vtd_unit_check(unit);
	size_t done = 0;

	for (; r == 0 && done < count; done++) {
		const struct smmu_backend_range *m = &ranges[done];
		unsigned pt_prot;

		r = pt_prot_of(m->prot, &pt_prot);
		if (r == 0) {
			r = backend_check_input_range(m->iova, m->size, unit->caps.input_bits);
		}
		if (r == 0) {
			r = pt_map(domain->space, m->iova, m->pa, m->size, pt_prot);
		}
		if (r < 0) {
			break;
		}
	}
	if (done > 0 && vtd_unit_live(unit)) {
		int flush;

		if (unit->caps.caching_mode) {
			struct pt_gather mapped;

			/* The gather coalesces the ranges, and widens them past its capacity. */
			pt_gather_init(&mapped);
			for (size_t i = 0; i < done; i++) {
				pt_gather_add(&mapped, ranges[i].iova,
					      ranges[i].iova + ranges[i].size - 1);
			}
			flush = invalidate_range(domain, mapped.range, mapped.range_count);
			pt_gather_release(&mapped);
		} else {
			flush = vtd_write_buffer_flush(unit);
		}
		if (flush < 0) {
			/* Leave the address space as it was (STYLE.md 4); the unit is broken
			 * anyway. */
			unmap_ranges(domain, ranges, done);
			*ret_done = 0;
			return flush;
		}
	}
	*ret_done = done;
	return r;
}

/**
 * vtd_unmap_batch() - vtd_unmap() of each range in order, stopping at the first that fails,
 * gathered into one invalidation for the batch (core/backend.h, unmap_batch).  When the
 * invalidation fails (the unit is broken) nothing counts as done: the device may still reach
 * any of the ranges through its IOTLB.
 */
int vtd_unmap_batch(struct smmu_backend_domain *domain, const struct smmu_backend_range *ranges,
		    size_t count, size_t *ret_done)
{
	struct smmu_backend_unit *unit = domain->unit;
	struct pt_gather gather;
	int r = vtd_unit_check(unit);
	size_t done = 0;

	if (r < 0) {
		*ret_done = 0;
		return r;
	}
	pt_gather_init_batch(&gather);
	for (; r == 0 && done < count; done++) {
		r = pt_unmap(domain->space, ranges[done].iova, ranges[done].size, &gather, NULL);
		if (r < 0) {
			break;
		}
	}
	pt_unmap_settle(domain->space, &gather); /* the emptied tables, before invalidating */
	if ((gather.range_count > 0 || gather.tables_freed) && vtd_unit_live(unit)) {
		int inv = invalidate_range(domain, gather.range, gather.range_count);

		if (inv < 0) {
			done = 0;
			r = inv;
		}
	}
	gather_release(unit, &gather);
	*ret_done = done;
	return r;
}

static void load_entry(const uint64_t *slot, uint64_t ret_entry[2])
{
	ret_entry[0] = le64toh(__atomic_load_n(&slot[0], __ATOMIC_RELAXED));
	ret_entry[1] = le64toh(__atomic_load_n(&slot[1], __ATOMIC_RELAXED));
}

static struct smmu_backend_domain *domain_by_did(struct smmu_backend_unit *unit, uint16_t did)
{
	for (struct smmu_list_link *l = unit->domains.next; l != &unit->domains; l = l->next) {
		struct smmu_backend_domain *domain =
			SMMU_CONTAINER_OF(l, struct smmu_backend_domain, link);

		if (domain->did == did) {
			return domain;
		}
	}
	return NULL;
}

/* The domain the hardware would use for `sid`: root entry, then context entry, from the
 * memory the hardware reads.  NULL when either is not present; -EIO for an entry this
 * library did not write. */
static int walk_context(struct smmu_backend_unit *unit, uint16_t sid,
			struct smmu_backend_domain **ret_domain)
{
	uint64_t entry[2];
	uint64_t context_pa;
	struct vtd_context context;
	const uint64_t *table;

	load_entry(&unit->root_cpu[(sid >> 8) * 2], entry);
	if (!vtd_root_entry_decode(entry, &context_pa)) {
		*ret_domain = NULL;
		return 0;
	}
	table = hw_table_pa_to_cpu(vtd_tables(), context_pa);
	if (!table) {
		return -EIO;
	}
	load_entry(&table[(sid & 0xffu) * 2], entry);
	if (vtd_context_decode(entry, &context) < 0) {
		return -EIO;
	}
	if (!context.present) {
		*ret_domain = NULL;
		return 0;
	}
	struct smmu_backend_domain *domain = domain_by_did(unit, context.did);

	if (context.tt != VTD_CONTEXT_TT_SL || context.aw != unit->caps.context_aw || !domain ||
	    domain->root_pa != context.slptptr) {
		return -EIO;
	}
	*ret_domain = domain;
	return 0;
}

/**
 * vtd_translate() - one access of `device` to `iova`, decided by the tables the hardware
 * reads.  Never records a fault.
 * Return: 0 and *ret_refusal: SMMU_REFUSAL_NONE with *ret_pa when allowed (with translation
 * off the address passes untranslated, as on the hardware); BLOCKED when the root or
 * context entry is not present (or the unit is parked on the blocking root); NOT_MAPPED when
 * nothing maps iova, or iova is at or above 2^MGAW; READ_ONLY / WRITE_ONLY for an access the
 * leaf does not permit.  -EINVAL for an access that is neither read nor write; -EIO when the
 * tables hold entries this library did not write.
 */
int vtd_translate(struct smmu_backend_device *device, uint64_t iova, unsigned access,
		  uint64_t *ret_pa, unsigned *ret_refusal)
{
	struct smmu_backend_unit *unit = device->unit;
	struct smmu_backend_domain *domain;
	int r;

	if (access != SMMU_ACCESS_READ && access != SMMU_ACCESS_WRITE) {
		return -EINVAL;
	}
	if (!unit->hw_te) {
		*ret_pa = iova;
		*ret_refusal = SMMU_REFUSAL_NONE;
		return 0;
	}
	if (unit->hw_blocking || !unit->root_cpu) {
		*ret_refusal = SMMU_REFUSAL_BLOCKED;
		return 0;
	}
	r = walk_context(unit, device->sid, &domain);
	if (r < 0) {
		vtd_log(LOG_WARNING,
			"unit %s: the context entry of source-id 0x%04x is not one "
			"this library wrote; refusing the probe",
			unit->name, device->sid);
		return r;
	}
	if (!domain) {
		*ret_refusal = SMMU_REFUSAL_BLOCKED;
		return 0;
	}
	return backend_translate_space(domain->space, unit->caps.input_bits, iova, access, ret_pa,
				       ret_refusal);
}
