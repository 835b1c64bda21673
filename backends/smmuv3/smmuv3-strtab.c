/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stream table of a unit (IHI 0070 3.3.2, 5.1): linear or two-level as smmuv3.h
 * ("Stream table") decides, level-2 tables for the spans in use, the default STE of every
 * StreamID (invalid, or bypass with BYPASS 1 or for a reserved StreamID), the unit's blocking
 * domain, and the ordered update of one live STE (3.21.3).
 */
#include "backends/smmuv3/smmuv3.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <syslog.h>

#include "common/alloc.h"
#include "hw/hw-table-mem.h"

#define SMMUV3_L2_STE_COUNT (1u << SMMUV3_SPLIT)
#define SMMUV3_L2_SIZE ((size_t)SMMU_STE_SIZE << SMMUV3_SPLIT)

/* Table memory is little endian and read by the hardware: whole-word stores, no tearing. */
static void store_word(uint64_t *word, uint64_t value)
{
	__atomic_store_n(word, htole64(value), __ATOMIC_RELEASE);
}

static uint64_t load_word(const uint64_t *word)
{
	return le64toh(__atomic_load_n(word, __ATOMIC_ACQUIRE));
}

/* The STE a StreamID has when no device of the service uses it (smmuv3.h, "STEs"). */
static void default_ste(const struct smmu_backend_unit *unit, uint32_t sid,
			uint64_t ret_ste[SMMU_STE_WORDS])
{
	if (unit->params.bypass || smmuv3_sid_reserved(&unit->params, sid)) {
		smmuv3_ste_bypass(unit->caps.stall_ok, ret_ste);
	} else {
		memset(ret_ste, 0, SMMU_STE_SIZE);
	}
}

/* Fills `count` STEs from `first_sid` on with their defaults, not yet visible to anyone. */
static void fill_defaults(const struct smmu_backend_unit *unit, uint64_t *table, uint32_t first_sid,
			  uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		uint64_t ste[SMMU_STE_WORDS];

		default_ste(unit, first_sid + i, ste);
		for (unsigned w = 0; w < SMMU_STE_WORDS; w++) {
			table[i * SMMU_STE_WORDS + w] = htole64(ste[w]);
		}
	}
	hw_table_mem_sync(table, (size_t)count * SMMU_STE_SIZE);
}

/**
 * smmuv3_strtab_span_prepare() - makes sure the level-2 table holding `sid` exists (two-level
 * tables only): allocated, filled with defaults, then linked from its level-1 descriptor.
 * Return: 0; -ERANGE for a StreamID beyond the table; -ENOMEM; -EIO when the invalidation of
 * a live unit fails.
 */
int smmuv3_strtab_span_prepare(struct smmu_backend_unit *unit, uint32_t sid)
{
	uint32_t index;
	void *cpu;
	int r;

	if (unit->strtab_log2size < 32 && sid >> unit->strtab_log2size) {
		return -ERANGE;
	}
	if (!unit->strtab_two_level) {
		return 0;
	}
	index = sid >> SMMUV3_SPLIT;
	if (unit->l2_cpu[index]) {
		return 0;
	}
	r = smmuv3_table_alloc(SMMUV3_L2_SIZE, &cpu, &unit->l2_pa[index]);
	if (r < 0) {
		return r;
	}
	unit->l2_cpu[index] = cpu;
	fill_defaults(unit, cpu, index << SMMUV3_SPLIT, SMMUV3_L2_STE_COUNT);
	store_word(&unit->strtab_cpu[index],
		   smmuv3_l1_desc_encode(unit->l2_pa[index], SMMUV3_SPLIT));
	hw_table_mem_sync(&unit->strtab_cpu[index], SMMU_L1STD_SIZE);
	if (smmuv3_unit_live(unit)) {
		struct smmuv3_cmd_batch batch;

		/* The invalid descriptor may be cached with the span's StreamIDs. */
		smmuv3_batch_init(&batch);
		smmuv3_batch_add(&batch, &(struct smmuv3_cmd){.op = CMD_OP_CFGI_ALL});
		r = smmuv3_batch_run(unit, &batch);
	}
	return r;
}

/* Chooses the table's shape (smmuv3.h, "Stream table") and allocates its top. */
static int strtab_alloc(struct smmu_backend_unit *unit)
{
	unsigned bits = unit->caps.sid_bits;
	size_t size;
	void *cpu;
	int r;

	unit->strtab_two_level = unit->caps.two_level && bits > SMMUV3_LINEAR_MAX_SID_BITS;
	if (unit->strtab_two_level) {
		if (bits > SMMUV3_SPLIT + SMMUV3_MAX_L1_LG2) {
			bits = SMMUV3_SPLIT + SMMUV3_MAX_L1_LG2;
		}
		unit->l1_count = 1u << (bits - SMMUV3_SPLIT);
		size = (size_t)SMMU_L1STD_SIZE * unit->l1_count;
		/* Kept from an earlier try that ran out of table memory. */
		if (!unit->l2_cpu) {
			unit->l2_cpu = smmu_calloc(unit->l1_count, sizeof(*unit->l2_cpu));
		}
		if (!unit->l2_pa) {
			unit->l2_pa = smmu_calloc(unit->l1_count, sizeof(*unit->l2_pa));
		}
		if (!unit->l2_cpu || !unit->l2_pa) {
			return -ENOMEM;
		}
	} else {
		size = (size_t)SMMU_STE_SIZE << bits;
	}
	unit->strtab_log2size = bits;
	unit->strtab_size = size < HW_TABLE_PAGE_SIZE ? HW_TABLE_PAGE_SIZE : size;
	r = smmuv3_table_alloc(unit->strtab_size, &cpu, &unit->strtab_pa);
	if (r < 0) {
		smmuv3_log(LOG_ERR, "unit %s: no table memory for a %zu-byte stream table",
			   unit->name, unit->strtab_size);
		return r;
	}
	unit->strtab_cpu = cpu;
	if (!unit->strtab_two_level) {
		fill_defaults(unit, cpu, 0, 1u << bits);
	}
	return 0;
}

/**
 * smmuv3_strtab_prepare() - the unit's stream table, built once: its top, the blocking
 * domain, level-2 tables for reserved StreamIDs (all of them with BYPASS 1).  Nothing the
 * hardware reads changes: the table is installed by unit_enable.
 * Return: 0 or -ENOMEM (everything allocated is kept for the next try or destroy).
 */
int smmuv3_strtab_prepare(struct smmu_backend_unit *unit)
{
	int r = 0;

	/* Not "the top and the blocking domain exist": a try that ran out of memory building
	 * the spans below is finished by the next. */
	if (unit->strtab_built) {
		return 0;
	}
	if (!unit->strtab_cpu) {
		r = strtab_alloc(unit);
	}
	if (r == 0 && !unit->blocking) {
		r = smmuv3_domain_new(unit, 0, &unit->blocking);
	}
	if (r == 0 && unit->strtab_two_level && unit->params.bypass) {
		for (uint32_t i = 0; i < unit->l1_count && r == 0; i++) {
			r = smmuv3_strtab_span_prepare(unit, i << SMMUV3_SPLIT);
		}
	}
	for (unsigned i = 0; r == 0 && i < unit->params.reserved_sid_count; i++) {
		uint32_t sid = unit->params.reserved_sid[i];

		r = smmuv3_strtab_span_prepare(unit, sid);
		if (r == -ERANGE) {
			smmuv3_log(LOG_WARNING,
				   "unit %s: reserved StreamID %u is beyond the stream table (%u "
				   "bits): its DMA faults; continuing",
				   unit->name, sid, unit->strtab_log2size);
			r = 0;
		}
	}
	if (r == -ENOMEM) {
		smmuv3_log(LOG_ERR, "unit %s: table memory exhausted building the stream table",
			   unit->name);
	}
	unit->strtab_built = r == 0;
	return r;
}

/** smmuv3_strtab_free() - frees the stream table and the blocking domain.  The unit no
 * longer reads them. */
void smmuv3_strtab_free(struct smmu_backend_unit *unit)
{
	for (uint32_t i = 0; unit->l2_cpu && i < unit->l1_count; i++) {
		smmuv3_table_free(unit->l2_cpu[i], unit->l2_pa[i], SMMUV3_L2_SIZE);
	}
	smmu_free(unit->l2_cpu);
	smmu_free(unit->l2_pa);
	unit->l2_cpu = NULL;
	unit->l2_pa = NULL;
	smmuv3_table_free(unit->strtab_cpu, unit->strtab_pa, unit->strtab_size);
	unit->strtab_cpu = NULL;
	smmuv3_domain_free(unit->blocking);
	unit->blocking = NULL;
	unit->strtab_built = false;
}

/** smmuv3_ste_slot() - the STE of `sid` as this library keeps it; NULL when the table does
 * not cover it or its level-2 table does not exist. */
uint64_t *smmuv3_ste_slot(const struct smmu_backend_unit *unit, uint32_t sid)
{
	if (!unit->strtab_cpu || (unit->strtab_log2size < 32 && sid >> unit->strtab_log2size)) {
		return NULL;
	}
	if (!unit->strtab_two_level) {
		return &unit->strtab_cpu[(size_t)sid * SMMU_STE_WORDS];
	}
	uint64_t *l2 = unit->l2_cpu[sid >> SMMUV3_SPLIT];

	return l2 ? &l2[(sid & (SMMUV3_L2_STE_COUNT - 1)) * SMMU_STE_WORDS] : NULL;
}

/**
 * smmuv3_ste_slot_live() - the STE of `sid` found as the hardware finds it: through the
 * level-1 descriptor in memory.  NULL when the table does not cover it.
 */
uint64_t *smmuv3_ste_slot_live(const struct smmu_backend_unit *unit, uint32_t sid)
{
	uint64_t l2_pa;
	uint64_t *l2;

	if (!unit->strtab_cpu || (unit->strtab_log2size < 32 && sid >> unit->strtab_log2size)) {
		return NULL;
	}
	if (!unit->strtab_two_level) {
		return &unit->strtab_cpu[(size_t)sid * SMMU_STE_WORDS];
	}
	if (!smmuv3_l1_desc_decode(load_word(&unit->strtab_cpu[sid >> SMMUV3_SPLIT]), &l2_pa)) {
		return NULL;
	}
	l2 = hw_table_pa_to_cpu(smmuv3_tables(), l2_pa);
	return l2 ? &l2[(sid & (SMMUV3_L2_STE_COUNT - 1)) * SMMU_STE_WORDS] : NULL;
}

/** smmuv3_ste_of_domain() - the STE of a device in `domain` (smmuv3.h, "STEs"). */
void smmuv3_ste_of_domain(const struct smmu_backend_domain *domain,
			  uint64_t ret_ste[SMMU_STE_WORDS])
{
	const struct smmu_backend_unit *unit = domain->unit;

	if (unit->stage == 1) {
		smmuv3_ste_s1(domain->cd_pa, unit->caps.stall_ok, ret_ste);
	} else {
		struct smmuv3_s2_cfg cfg = {
			.vmid = domain->id,
			.s2ttb = domain->info.root_pa,
			.ias = domain->info.ias,
			.start_level = domain->info.start_level,
			.ips = unit->caps.ips,
		};

		smmuv3_ste_s2(&cfg, ret_ste);
	}
}

static int cfgi_ste(struct smmu_backend_unit *unit, uint32_t sid)
{
	struct smmuv3_cmd_batch batch;

	smmuv3_batch_init(&batch);
	smmuv3_batch_add(&batch, &(struct smmuv3_cmd){.op = CMD_OP_CFGI_STE, .sid = sid});
	return smmuv3_batch_run(unit, &batch);
}

/**
 * smmuv3_ste_write() - replaces the STE of `sid` with `ste` in an order the spec allows
 * (smmuv3.h, "Attach"): a valid STE is first made invalid and invalidated, then words 1 to 7
 * are written, then word 0, then the STE is invalidated again.  The span must exist.
 * Return: 0; -ERANGE without a slot; -EIO when an invalidation fails (the unit is then in
 * its error state and the STE stays invalid if it was cleared).
 */
int smmuv3_ste_write(struct smmu_backend_unit *unit, uint32_t sid,
		     const uint64_t ste[SMMU_STE_WORDS])
{
	uint64_t *slot = smmuv3_ste_slot(unit, sid);
	bool live = smmuv3_unit_live(unit);
	int r;

	if (!slot) {
		return -ERANGE;
	}
	if (load_word(&slot[0]) & STE_0_V) {
		store_word(&slot[0], 0);
		hw_table_mem_sync(slot, SMMU_STE_SIZE);
		if (live) {
			r = cfgi_ste(unit, sid);
			if (r < 0) {
				return r;
			}
		}
	}
	for (unsigned w = 1; w < SMMU_STE_WORDS; w++) {
		store_word(&slot[w], ste[w]);
	}
	hw_table_mem_sync(slot, SMMU_STE_SIZE);
	store_word(&slot[0], ste[0]);
	hw_table_mem_sync(slot, SMMU_STE_SIZE);
	return live ? cfgi_ste(unit, sid) : 0;
}
