/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SMMUv3 domains: an ASID (stage 1) or VMID (stage 2) each, LPAE tables from pgtable/, a
 * context descriptor at stage 1, map and unmap with the invalidations they need, and
 * translate(), which walks the live STE, CD and tables from memory as the hardware does
 * (smmuv3.h, "translate()").
 */
#include "backends/smmuv3/smmuv3.h"

#include <endian.h>
#include <errno.h>
#include <syslog.h>

#include "backends/common/backend-id-bitmap.h"
#include "backends/common/backend-pt.h"
#include "common/alloc.h"
#include "hw/hw-table-mem.h"

/* Writes the domain's CD into its page: words 1 to 7, then word 0 with V (STYLE.md 5). */
static void cd_publish(struct smmu_backend_domain *domain)
{
	struct smmuv3_cd_cfg cfg = {
		.asid = domain->id,
		.ttb0 = domain->info.root_pa,
		.ias = domain->info.ias,
		.ips = domain->unit->caps.ips,
	};
	uint64_t cd[SMMU_CD_WORDS];

	smmuv3_cd_encode(&cfg, cd);
	for (unsigned w = 1; w < SMMU_CD_WORDS; w++) {
		__atomic_store_n(&domain->cd_cpu[w], htole64(cd[w]), __ATOMIC_RELEASE);
	}
	hw_table_mem_sync(domain->cd_cpu, SMMU_CD_SIZE);
	__atomic_store_n(&domain->cd_cpu[0], htole64(cd[0]), __ATOMIC_RELEASE);
	hw_table_mem_sync(domain->cd_cpu, SMMU_CD_SIZE);
}

/**
 * smmuv3_domain_new() - an empty address space with ID `id` (ASID or VMID, taken by the
 * caller): its tables and, at stage 1, its CD.  Not linked into the unit; no STE points at
 * it yet.  Return: 0 and *ret_domain (freed by smmuv3_domain_free()); -ENOMEM.
 */
int smmuv3_domain_new(struct smmu_backend_unit *unit, uint16_t id,
		      struct smmu_backend_domain **ret_domain)
{
	struct smmu_backend_domain *domain = smmu_calloc(1, sizeof(*domain));
	int r;

	if (!domain) {
		return -ENOMEM;
	}
	domain->unit = unit;
	domain->id = id;
	smmu_list_init(&domain->link);
	r = pt_space_create(&unit->pt_cfg, smmuv3_table_allocator(), &domain->space);
	if (r < 0) {
		smmu_free(domain);
		return r;
	}
	pt_get_info(domain->space, &domain->info);
	if (unit->stage == 1) {
		void *cpu;

		r = smmuv3_table_alloc(HW_TABLE_PAGE_SIZE, &cpu, &domain->cd_pa);
		if (r < 0) {
			pt_space_destroy(domain->space);
			smmu_free(domain);
			return r;
		}
		domain->cd_cpu = cpu;
		cd_publish(domain);
	}
	*ret_domain = domain;
	return 0;
}

/** smmuv3_domain_free() - frees tables, CD and the structure; no STE points at them any
 * more.  Accepts NULL. */
void smmuv3_domain_free(struct smmu_backend_domain *domain)
{
	if (!domain) {
		return;
	}
	smmuv3_table_free(domain->cd_cpu, domain->cd_pa, HW_TABLE_PAGE_SIZE);
	pt_space_destroy(domain->space);
	smmu_free(domain);
}

/**
 * smmuv3_domain_create() - an empty address space on `unit` with its own ASID or VMID.  No
 * device reaches it until attached.
 * Return: 0 and *ret_domain (owned by the unit until smmuv3_domain_destroy()); -ENOSPC when
 * every ID is in use; -EIO in the error state; -ENOMEM.
 */
int smmuv3_domain_create(struct smmu_backend_unit *unit, struct smmu_backend_domain **ret_domain)
{
	struct smmu_backend_domain *domain;
	uint16_t id;
	int r = smmuv3_unit_check(unit);

	if (r < 0) {
		return r;
	}
	r = backend_id_alloc(unit->id_bitmap, unit->id_count, &id);
	if (r < 0) {
		smmuv3_log(LOG_DEBUG, "unit %s: all %u %s are in use", unit->name,
			   unit->id_count - 1, unit->stage == 1 ? "ASIDs" : "VMIDs");
		return r;
	}
	r = smmuv3_domain_new(unit, id, &domain);
	if (r < 0) {
		backend_id_free(unit->id_bitmap, unit->id_count, id);
		return r;
	}
	smmu_list_add(&unit->domains, &domain->link);
	*ret_domain = domain;
	return 0;
}

/**
 * smmuv3_domain_destroy() - frees the domain's tables, CD and ID.  No device is attached by
 * contract; should one be, it is blocked first.  The TLB entries of the ID are invalidated
 * before it can be handed out again.  In the error state the memory stays allocated (the
 * hardware may still point at it).  Accepts NULL.
 */
void smmuv3_domain_destroy(struct smmu_backend_domain *domain)
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
			(void)smmuv3_device_attach(device, NULL);
		}
	}
	if (smmuv3_unit_live(unit) && smmuv3_unit_check(unit) == 0) {
		struct smmuv3_cmd_batch batch;

		smmuv3_batch_init(&batch);
		smmuv3_batch_add_flush_id(unit, &batch, domain->id);
		(void)smmuv3_batch_run(unit, &batch); /* a failure is logged by the error state */
	}
	smmu_list_del(&domain->link);
	/* In the error state the unit may still walk the tables: the pages stay allocated and
	 * the ID is never reused. */
	if (smmuv3_unit_check(unit) == 0) {
		backend_id_free(unit->id_bitmap, unit->id_count, domain->id);
		smmuv3_domain_free(domain);
	} else {
		smmuv3_table_keep(true);
		smmuv3_domain_free(domain);
		smmuv3_table_keep(false);
	}
}

/**
 * smmuv3_map() - maps [iova, iova + size) to [pa, pa + size) with `prot` (enum smmu_prot),
 * with the largest blocks alignment allows, visible to the device when this returns: the
 * TLB never holds a translation that faulted, so a new mapping needs no invalidation.
 * Return: 0; -EEXIST when any part is mapped; -EINVAL for a bad range or prot; -EOPNOTSUPP
 * for write-only at stage 1; -ERANGE at or beyond 2^IAS or the output size; -EOVERFLOW;
 * -ENOMEM when table memory is exhausted; -EIO in the error state.  On error nothing
 * changed.
 */
int smmuv3_map(struct smmu_backend_domain *domain, uint64_t iova, uint64_t pa, uint64_t size,
	       unsigned prot)
{
	unsigned pt_prot;
	int r = smmuv3_unit_check(domain->unit);

	if (r == 0) {
		r = backend_pt_prot(prot, &pt_prot);
	}
	if (r == 0) {
		r = backend_check_input_range(iova, size, domain->info.ias);
	}
	if (r == 0) {
		r = pt_map(domain->space, iova, pa, size, pt_prot);
	}
	return r;
}

/*
 * Frees the tables an unmap unlinked, after their invalidation.  When it failed (the unit is
 * in its error state) the unit's walk caches may still point at them: they stay allocated,
 * as the tables of a domain destroyed in the error state do, so that no other table is
 * built in their pages.
 */
static void gather_release(struct smmu_backend_unit *unit, struct pt_gather *gather)
{
	bool keep = smmuv3_unit_check(unit) < 0;

	smmuv3_table_keep(keep);
	pt_gather_release(gather);
	smmuv3_table_keep(false);
}

/**
 * smmuv3_unmap() - removes exactly the mappings inside [iova, iova + size) (blocks straddling
 * an end are split) and invalidates what the TLB may hold of them before returning
 * (smmuv3.h, "Unmap").
 * Return: 0; -EINVAL, -ERANGE, -EOVERFLOW for a bad range; -ENOMEM when a split needs table
 * memory; -EIO in (or into) the error state.  On an error other than -EIO nothing changed.
 */
int smmuv3_unmap(struct smmu_backend_domain *domain, uint64_t iova, uint64_t size)
{
	struct smmu_backend_unit *unit = domain->unit;
	struct pt_gather gather;
	int r = smmuv3_unit_check(unit);

	if (r < 0) {
		return r;
	}
	pt_gather_init(&gather);
	r = pt_unmap(domain->space, iova, size, &gather, NULL);
	if (r == 0 && smmuv3_unit_live(unit)) {
		struct smmuv3_cmd_batch batch;

		smmuv3_batch_init(&batch);
		smmuv3_batch_add_ranges(unit, &batch, domain->id, &gather);
		r = smmuv3_batch_run(unit, &batch);
	}
	gather_release(unit, &gather);
	return r;
}

/**
 * smmuv3_map_batch() - smmuv3_map() of each range in order, stopping at the first that fails
 * (core/backend.h, map_batch).  Nothing to invalidate, as for one range.
 */
int smmuv3_map_batch(struct smmu_backend_domain *domain, const struct smmu_backend_range *ranges,
		     size_t count, size_t *ret_done)
{
	for (size_t i = 0; i < count; i++) {
		int r = smmuv3_map(domain, ranges[i].iova, ranges[i].pa, ranges[i].size,
				   ranges[i].prot);

		if (r < 0) {
			*ret_done = i;
			return r;
		}
	}
	*ret_done = count;
	return 0;
}

/**
 * smmuv3_unmap_batch() - smmuv3_unmap() of each range in order, stopping at the first that
 * fails, gathered into one set of TLB invalidations and one CMD_SYNC for the batch
 * (core/backend.h, unmap_batch).  When the commands fail (the unit is broken) nothing counts
 * as done: the TLB may still hold any of the ranges.
 */
int smmuv3_unmap_batch(struct smmu_backend_domain *domain, const struct smmu_backend_range *ranges,
		       size_t count, size_t *ret_done)
{
	struct smmu_backend_unit *unit = domain->unit;
	struct pt_gather gather;
	int r = smmuv3_unit_check(unit);
	size_t done = 0;

	if (r < 0) {
		*ret_done = 0;
		return r;
	}
	pt_gather_init_batch(&gather);
	for (; done < count; done++) {
		r = pt_unmap(domain->space, ranges[done].iova, ranges[done].size, &gather, NULL);
		if (r < 0) {
			break;
		}
	}
	pt_unmap_settle(domain->space, &gather); /* the emptied tables, before invalidating */
	if ((gather.range_count > 0 || gather.tables_freed) && smmuv3_unit_live(unit)) {
		struct smmuv3_cmd_batch batch;
		int inv;

		smmuv3_batch_init(&batch);
		smmuv3_batch_add_ranges(unit, &batch, domain->id, &gather);
		inv = smmuv3_batch_run(unit, &batch);
		if (inv < 0) {
			done = 0;
			r = inv;
		}
	}
	gather_release(unit, &gather);
	*ret_done = done;
	return r;
}

static uint64_t load_word(const uint64_t *word)
{
	return le64toh(__atomic_load_n(word, __ATOMIC_ACQUIRE));
}

/* The domain an STE points at: by CD at stage 1, by VMID and S2TTB at stage 2. */
static struct smmu_backend_domain *domain_of_ste(struct smmu_backend_unit *unit,
						 const struct smmuv3_ste *ste)
{
	struct smmu_backend_domain *blocking = unit->blocking;

	for (struct smmu_list_link *l = unit->domains.next;; l = l->next) {
		struct smmu_backend_domain *domain =
			l == &unit->domains
				? blocking
				: SMMU_CONTAINER_OF(l, struct smmu_backend_domain, link);

		if (domain && ste->config == STE_0_CONFIG_S1_TRANS && domain->cd_cpu &&
		    domain->cd_pa == ste->cd_pa) {
			return domain;
		}
		if (domain && ste->config == STE_0_CONFIG_S2_TRANS && !domain->cd_cpu &&
		    domain->id == ste->vmid && domain->info.root_pa == ste->s2ttb) {
			return domain;
		}
		if (l == &unit->domains) {
			return NULL;
		}
	}
}

/* Checks that a stage-1 domain's CD, as the hardware reads it, is still the one written. */
static bool cd_intact(const struct smmu_backend_domain *domain)
{
	uint64_t cd[SMMU_CD_WORDS];
	uint64_t ttb0;
	uint16_t asid;

	for (unsigned w = 0; w < SMMU_CD_WORDS; w++) {
		cd[w] = load_word(&domain->cd_cpu[w]);
	}
	return smmuv3_cd_decode(cd, &ttb0, &asid) && ttb0 == domain->info.root_pa &&
	       asid == domain->id;
}

/**
 * smmuv3_translate() - one access of `device` to `iova`, decided by the tables the hardware
 * reads.  Never records a fault.
 * Return: 0 and *ret_refusal: SMMU_REFUSAL_NONE with *ret_pa when allowed (a bypass STE, or
 * SMMUEN off without an effective GBPA.ABORT: the address passes untranslated); BLOCKED for
 * an invalid or aborting STE, the blocking domain, or SMMUEN off with GBPA.ABORT;
 * NOT_MAPPED when nothing maps iova or iova is at or above 2^IAS; READ_ONLY / WRITE_ONLY for
 * an access the leaf does not permit.  -EINVAL for an access that is neither read nor write;
 * -EIO when the STE or CD is not one this library wrote.
 */
int smmuv3_translate(struct smmu_backend_device *device, uint64_t iova, unsigned access,
		     uint64_t *ret_pa, unsigned *ret_refusal)
{
	struct smmu_backend_unit *unit = device->unit;
	struct smmu_backend_domain *domain;
	uint64_t words[SMMU_STE_WORDS];
	const uint64_t *slot;
	struct smmuv3_ste ste;
	if (access != SMMU_ACCESS_READ && access != SMMU_ACCESS_WRITE) {
		return -EINVAL;
	}
	if (!unit->hw_enabled) {
		if (unit->hw_gbpa_abort && !unit->gbpa_warned) {
			*ret_refusal = SMMU_REFUSAL_BLOCKED;
		} else {
			*ret_pa = iova;
			*ret_refusal = SMMU_REFUSAL_NONE;
		}
		return 0;
	}
	slot = smmuv3_ste_slot_live(unit, device->sid);
	if (!slot) {
		*ret_refusal = SMMU_REFUSAL_BLOCKED;
		return 0;
	}
	for (unsigned w = 0; w < SMMU_STE_WORDS; w++) {
		words[w] = load_word(&slot[w]);
	}
	smmuv3_ste_decode(words, &ste);
	if (!ste.valid || ste.config < STE_0_CONFIG_BYPASS) {
		*ret_refusal = SMMU_REFUSAL_BLOCKED;
		return 0;
	}
	if (ste.config == STE_0_CONFIG_BYPASS) {
		*ret_pa = iova;
		*ret_refusal = SMMU_REFUSAL_NONE;
		return 0;
	}
	domain = domain_of_ste(unit, &ste);
	if (!domain || (domain->cd_cpu && !cd_intact(domain))) {
		smmuv3_log(LOG_WARNING,
			   "unit %s: the STE of StreamID %u is not one this library wrote; "
			   "refusing the probe",
			   unit->name, device->sid);
		return -EIO;
	}
	if (domain == unit->blocking) {
		*ret_refusal = SMMU_REFUSAL_BLOCKED;
		return 0;
	}
	return backend_translate_space(domain->space, domain->info.ias, iova, access, ret_pa,
				       ret_refusal);
}
