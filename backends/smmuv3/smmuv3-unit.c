/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SMMUv3 units: probing at unit_create, taking over a unit found enabled, installing the
 * unit's stream table and queues at unit_enable, the design safe state at unit_destroy,
 * register access with the error state, and the CR0/CR0ACK and GBPA handshakes (smmuv3.h
 * for the decisions).
 */
#include "backends/smmuv3/smmuv3.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "common/alloc.h"
#include "hw/hw-table-mem.h"
#include "hw/hw.h"

/* The CR0 bits this library writes. */
#define SMMUV3_CR0_USED (SMMU_CR0_SMMUEN | SMMU_CR0_EVENTQEN | SMMU_CR0_CMDQEN)
/* Any of these found set at unit_create means someone else drives the unit. */
#define SMMUV3_CR0_ANY_ENABLE (SMMUV3_CR0_USED | SMMU_CR0_PRIQEN | SMMU_CR0_ATSCHK)

/* Debug builds check the invariants of smmuv3.h's unit state machine at each transition. */
static void assert_unit_state(const struct smmu_backend_unit *unit)
{
	(void)unit;
	assert(unit->state == SMMUV3_UNIT_OFF || unit->state == SMMUV3_UNIT_ON ||
	       unit->state == SMMUV3_UNIT_BROKEN);
	assert(unit->state != SMMUV3_UNIT_ON ||
	       (unit->hw_enabled && unit->strtab_cpu && unit->cmdq_cpu && unit->eventq_cpu));
	assert(unit->id_bitmap);
}

/**
 * smmuv3_unit_fail() - puts the unit in its error state (smmuv3.h): logs why, once, and
 * returns `err` so that callers can `return smmuv3_unit_fail(...)`.
 */
int smmuv3_unit_fail(struct smmu_backend_unit *unit, int err, const char *fmt, ...)
{
	va_list ap;

	if (unit->state == SMMUV3_UNIT_BROKEN) {
		return err;
	}
	va_start(ap, fmt);
	vsnprintf(unit->broken_why, sizeof(unit->broken_why), fmt, ap);
	va_end(ap);
	unit->state = SMMUV3_UNIT_BROKEN;
	smmuv3_log(LOG_ERR,
		   "unit %s: %s; the unit refuses every change from now on and keeps its last "
		   "state",
		   unit->name, unit->broken_why);
	return err;
}

/** smmuv3_unit_check() - 0, or -EIO when the unit is in its error state. */
int smmuv3_unit_check(const struct smmu_backend_unit *unit)
{
	return unit->state == SMMUV3_UNIT_BROKEN ? -EIO : 0;
}

/** smmuv3_unit_live() - whether the hardware reads the unit's tables (changes need
 * invalidation). */
bool smmuv3_unit_live(const struct smmu_backend_unit *unit)
{
	return unit->hw_enabled;
}

static int bus_failed(struct smmu_backend_unit *unit, const char *what, uint64_t offset)
{
	return smmuv3_unit_fail(unit, -EIO, "%s of register 0x%" PRIx64 " failed: %s", what, offset,
				hw_bus_error(smmuv3_bus()));
}

/* Register access at the unit's base; a failure of the bus is the unit's error state. */
int smmuv3_reg_read32(struct smmu_backend_unit *unit, uint64_t offset, uint32_t *ret_value)
{
	int r = hw_read32(smmuv3_bus(), unit->params.reg_base + offset, ret_value);

	return r < 0 ? bus_failed(unit, "read", offset) : 0;
}

int smmuv3_reg_write32(struct smmu_backend_unit *unit, uint64_t offset, uint32_t value)
{
	int r = hw_write32(smmuv3_bus(), unit->params.reg_base + offset, value);

	return r < 0 ? bus_failed(unit, "write", offset) : 0;
}

int smmuv3_reg_write64(struct smmu_backend_unit *unit, uint64_t offset, uint64_t value)
{
	int r = hw_write64(smmuv3_bus(), unit->params.reg_base + offset, value);

	return r < 0 ? bus_failed(unit, "write", offset) : 0;
}

/**
 * smmuv3_reg_poll32() - waits up to SMMUV3_POLL_TIMEOUT_US for (register & mask) == want.  A
 * timeout is the unit's error state, logged once with register, expectation and last value.
 * Return: 0 or -EIO.
 */
int smmuv3_reg_poll32(struct smmu_backend_unit *unit, uint64_t offset, uint32_t mask, uint32_t want,
		      const char *what)
{
	uint32_t last = 0;
	int r = hw_poll32(smmuv3_bus(), unit->params.reg_base + offset, mask, want,
			  SMMUV3_POLL_TIMEOUT_US, &last);

	if (r == -ETIMEDOUT) {
		return smmuv3_unit_fail(unit, -EIO,
					"%s did not complete: register 0x%" PRIx64
					" & 0x%08x stayed 0x%08x, expected 0x%08x",
					what, offset, mask, last & mask, want);
	}
	return r < 0 ? bus_failed(unit, "poll", offset) : 0;
}

/* Writes CR0 and waits for CR0ACK to follow (6.3.10). */
static int cr0_write(struct smmu_backend_unit *unit, uint32_t value)
{
	int r = smmuv3_reg_write32(unit, SMMU_CR0, value);

	if (r == 0) {
		r = smmuv3_reg_poll32(unit, SMMU_CR0ACK, (uint32_t)SMMUV3_CR0_USED, value,
				      "a CR0 update");
	}
	if (r == 0) {
		unit->hw_cr0 = value;
	}
	return r;
}

/*
 * Sets GBPA.ABORT (6.3.14.1: write with UPDATE, wait for UPDATE to clear), so that traffic
 * aborts while SMMUEN is 0.  A GBPA that does not read back ABORT is not implemented (QEMU
 * before 8.1): said once, as then SMMUEN off means bypass.
 */
static int gbpa_abort(struct smmu_backend_unit *unit)
{
	uint32_t gbpa = 0;
	int r = smmuv3_reg_read32(unit, SMMU_GBPA, &gbpa);

	if (r == 0) {
		r = smmuv3_reg_write32(unit, SMMU_GBPA,
				       (gbpa & ~(uint32_t)SMMU_GBPA_UPDATE) |
					       (uint32_t)(SMMU_GBPA_ABORT | SMMU_GBPA_UPDATE));
	}
	if (r == 0) {
		r = smmuv3_reg_poll32(unit, SMMU_GBPA, (uint32_t)SMMU_GBPA_UPDATE, 0,
				      "a GBPA update");
	}
	if (r == 0) {
		r = smmuv3_reg_read32(unit, SMMU_GBPA, &gbpa);
	}
	if (r < 0) {
		return r;
	}
	unit->hw_gbpa_abort = true;
	if (!(gbpa & SMMU_GBPA_ABORT) && !unit->gbpa_warned) {
		unit->gbpa_warned = true;
		smmuv3_log(LOG_WARNING,
			   "unit %s: GBPA.ABORT does not stick (no GBPA register): while SMMUEN is "
			   "off for a stream table switch, DMA bypasses the unit; continuing",
			   unit->name);
	}
	return 0;
}

/* Bytes of the event queue: at least a page. */
static size_t eventq_size(const struct smmu_backend_unit *unit)
{
	size_t size = (size_t)SMMU_EVT_SIZE << unit->caps.eventq_lg2;

	return size < HW_TABLE_PAGE_SIZE ? HW_TABLE_PAGE_SIZE : size;
}

/* The command and event queues, allocated once. */
static int queues_prepare(struct smmu_backend_unit *unit)
{
	void *cpu;
	int r;

	if (!unit->cmdq_cpu) {
		r = smmuv3_table_alloc((size_t)SMMU_CMD_SIZE << unit->caps.cmdq_lg2, &cpu,
				       &unit->cmdq_pa);
		if (r < 0) {
			return r;
		}
		unit->cmdq_cpu = cpu;
	}
	if (!unit->eventq_cpu) {
		r = smmuv3_table_alloc(eventq_size(unit), &cpu, &unit->eventq_pa);
		if (r < 0) {
			return r;
		}
		unit->eventq_cpu = cpu;
	}
	return 0;
}

/*
 * Points the unit at a stream table and at its queues with SMMUEN off, invalidates every
 * configuration and TLB entry through the command queue, and ends with CR0 = `final_cr0`.
 * SMMUEN is off from the first step: GBPA decides meanwhile (smmuv3.h, "Takeover and park").
 */
static int install(struct smmu_backend_unit *unit, uint64_t strtab_pa, uint32_t strtab_cfg,
		   uint32_t final_cr0)
{
	struct smmuv3_cmd_batch batch;
	uint32_t cr1 = (uint32_t)(FIELD_PREP(SMMU_CR1_QUEUE_IC, SMMU_CR1_CACHE_WB) |
				  FIELD_PREP(SMMU_CR1_QUEUE_OC, SMMU_CR1_CACHE_WB) |
				  FIELD_PREP(SMMU_CR1_QUEUE_SH, SMMU_SH_ISH) |
				  FIELD_PREP(SMMU_CR1_TABLE_IC, SMMU_CR1_CACHE_WB) |
				  FIELD_PREP(SMMU_CR1_TABLE_OC, SMMU_CR1_CACHE_WB) |
				  FIELD_PREP(SMMU_CR1_TABLE_SH, SMMU_SH_ISH));
	int r = cr0_write(unit, 0);

	unit->hw_enabled = false;
	if (r == 0) {
		r = smmuv3_reg_write32(unit, SMMU_IRQ_CTRL, 0);
	}
	if (r == 0) {
		r = smmuv3_reg_poll32(unit, SMMU_IRQ_CTRLACK, ~0u, 0, "an IRQ_CTRL update");
	}
	if (r == 0) {
		r = smmuv3_reg_write32(unit, SMMU_CR1, cr1);
	}
	if (r == 0) {
		/* Out-of-range StreamIDs are recorded; broadcast TLB maintenance is not ours. */
		r = smmuv3_reg_write32(unit, SMMU_CR2,
				       (uint32_t)(SMMU_CR2_RECINVSID | SMMU_CR2_PTM));
	}
	if (r == 0) {
		r = smmuv3_reg_write64(unit, SMMU_STRTAB_BASE,
				       SMMU_STRTAB_BASE_RA | (strtab_pa & SMMU_STRTAB_BASE_ADDR));
	}
	if (r == 0) {
		r = smmuv3_reg_write32(unit, SMMU_STRTAB_BASE_CFG, strtab_cfg);
	}
	if (r == 0) {
		r = smmuv3_reg_write64(
			unit, SMMU_CMDQ_BASE,
			SMMU_Q_BASE_RA | (unit->cmdq_pa & SMMU_Q_BASE_ADDR) |
				FIELD_PREP(SMMU_Q_BASE_LOG2SIZE, unit->caps.cmdq_lg2));
	}
	if (r == 0) {
		r = smmuv3_reg_write32(unit, SMMU_CMDQ_PROD, 0);
	}
	if (r == 0) {
		r = smmuv3_reg_write32(unit, SMMU_CMDQ_CONS, 0);
	}
	if (r == 0) {
		r = smmuv3_reg_write64(
			unit, SMMU_EVENTQ_BASE,
			SMMU_Q_BASE_RA | (unit->eventq_pa & SMMU_Q_BASE_ADDR) |
				FIELD_PREP(SMMU_Q_BASE_LOG2SIZE, unit->caps.eventq_lg2));
	}
	if (r == 0) {
		r = smmuv3_reg_write32(unit, SMMU_EVENTQ_PROD, 0);
	}
	if (r == 0) {
		r = smmuv3_reg_write32(unit, SMMU_EVENTQ_CONS, 0);
	}
	if (r < 0) {
		return r;
	}
	unit->cmdq_prod = 0;
	unit->eventq_cons = 0;
	r = cr0_write(unit, (uint32_t)SMMU_CR0_CMDQEN);
	if (r < 0) {
		return r;
	}
	smmuv3_batch_init(&batch);
	smmuv3_batch_add(&batch, &(struct smmuv3_cmd){.op = CMD_OP_CFGI_ALL});
	smmuv3_batch_add(&batch, &(struct smmuv3_cmd){.op = CMD_OP_TLBI_NSNH_ALL});
	r = smmuv3_batch_run(unit, &batch);
	if (r == 0) {
		r = cr0_write(unit, final_cr0);
	}
	return r;
}

/*
 * The unit was enabled when we arrived: its tables are not ours and table memory is about to
 * be rewritten.  Abort through GBPA and turn everything off.
 */
static int take_over(struct smmu_backend_unit *unit, uint32_t cr0)
{
	int r;

	if (!(cr0 & SMMUV3_CR0_ANY_ENABLE)) {
		return 0;
	}
	r = gbpa_abort(unit);
	if (r == 0) {
		r = smmuv3_reg_write32(unit, SMMU_CR0, 0);
	}
	if (r == 0) {
		r = smmuv3_reg_poll32(unit, SMMU_CR0ACK, (uint32_t)SMMUV3_CR0_ANY_ENABLE, 0,
				      "turning the unit off");
	}
	if (r == 0) {
		unit->hw_cr0 = 0;
		smmuv3_log(LOG_NOTICE,
			   "unit %s: the unit was enabled at start (CR0 0x%08x); it is off %s "
			   "until the configuration is applied",
			   unit->name, cr0,
			   unit->gbpa_warned ? "and lets DMA through (no GBPA)"
					     : "and refuses every DMA (GBPA.ABORT)");
	}
	return r;
}

/* Reads and checks the ID registers and chooses the stage; logs what it found. */
static int probe(struct smmu_backend_unit *unit, uint32_t *ret_cr0)
{
	static const uint64_t offsets[] = {SMMU_IDR0, SMMU_IDR1, SMMU_IDR3,
					   SMMU_IDR5, SMMU_IIDR, SMMU_AIDR};
	uint32_t value[ARRAY_SIZE(offsets)] = {0};
	char why[SMMUV3_WHY_SIZE];
	char line[384];
	int r = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(offsets) && r == 0; i++) {
		r = smmuv3_reg_read32(unit, offsets[i], &value[i]);
	}
	if (r == 0) {
		r = smmuv3_reg_read32(unit, SMMU_CR0, ret_cr0);
	}
	if (r < 0) {
		return r;
	}
	r = smmuv3_caps_decode(value[0], value[1], value[2], value[3], value[4], value[5],
			       &unit->caps, why, sizeof(why));
	if (r == 0) {
		r = smmuv3_stage_choose(&unit->caps, smmuv3_params()->stage, &unit->stage, why,
					sizeof(why));
	}
	if (r < 0) {
		smmuv3_log(LOG_ERR, "unit %s at 0x%" PRIx64 ": %s", unit->name,
			   unit->params.reg_base, why);
		return r;
	}
	smmuv3_caps_describe(&unit->caps, line, sizeof(line));
	smmuv3_log(LOG_INFO, "unit %s at 0x%" PRIx64 ": %s; domains use stage %u%s", unit->name,
		   unit->params.reg_base, line, unit->stage,
		   unit->params.bypass ? "; unknown StreamIDs bypass translation" : "");
	return 0;
}

/**
 * smmuv3_unit_create() - a unit at the register base `params` names (smmuv3.h): probes the
 * ID registers, refuses what this library cannot drive, chooses the stage, and takes the
 * unit over when it is already enabled.  Allocates no table memory.
 * Return: 0 and *ret_unit (the caller owns it, freed by smmuv3_unit_destroy()); -EINVAL for
 * bad parameters; -EOPNOTSUPP for a unit this library cannot drive or a stage it does not
 * offer; -EIO when the hardware does not answer; -ENOMEM.  Each is logged.
 */
int smmuv3_unit_create(const char *name, const char *params, struct smmu_backend_unit **ret_unit)
{
	struct smmu_backend_unit *unit;
	char why[SMMUV3_WHY_SIZE];
	uint32_t cr0 = 0;
	int r;

	if (NEVER(!smmuv3_host())) {
		return -EINVAL; /* the core calls init() first */
	}
	unit = smmu_calloc(1, sizeof(*unit));
	if (!unit) {
		return -ENOMEM;
	}
	unit->state = SMMUV3_UNIT_OFF;
	smmu_list_init(&unit->devices);
	smmu_list_init(&unit->domains);
	unit->name = smmu_strdup(name);
	if (!unit->name) {
		r = -ENOMEM;
		goto err_free_unit;
	}
	r = smmuv3_unit_params_parse(params, &unit->params, why, sizeof(why));
	if (r < 0) {
		smmuv3_log(LOG_ERR, "unit %s: %s", name, why);
		goto err_free_unit;
	}
	r = probe(unit, &cr0);
	if (r < 0) {
		goto err_free_unit;
	}
	unit->id_count = 1u << (unit->stage == 1 ? unit->caps.asid_bits : unit->caps.vmid_bits);
	unit->id_bitmap = smmu_calloc(unit->id_count / 64, sizeof(uint64_t));
	if (!unit->id_bitmap) {
		r = -ENOMEM;
		goto err_free_unit;
	}
	unit->id_bitmap[0] = 1; /* ID 0 is the blocking domain's (smmuv3.h) */
	unit->pt_cfg = (struct pt_cfg){
		.format = unit->stage == 1 ? PT_FORMAT_LPAE_S1 : PT_FORMAT_LPAE_S2,
		.granule_lg2 = 12,
		.ias = unit->caps.oas,
		.oas = unit->caps.oas,
	};
	r = take_over(unit, cr0);
	if (r < 0) {
		goto err_free_unit;
	}
	smmuv3_unit_created();
	assert_unit_state(unit);
	*ret_unit = unit;
	return 0;

err_free_unit:
	smmu_free(unit->id_bitmap);
	smmu_free(unit->name);
	smmu_free(unit);
	return r;
}

/* STRTAB_BASE_CFG for the unit's own table. */
static uint32_t strtab_cfg(const struct smmu_backend_unit *unit)
{
	return (uint32_t)(FIELD_PREP(SMMU_STRTAB_BASE_CFG_FMT,
				     unit->strtab_two_level ? SMMU_STRTAB_BASE_CFG_FMT_2LVL
							    : SMMU_STRTAB_BASE_CFG_FMT_LINEAR) |
			  FIELD_PREP(SMMU_STRTAB_BASE_CFG_SPLIT,
				     unit->strtab_two_level ? SMMUV3_SPLIT : 0) |
			  FIELD_PREP(SMMU_STRTAB_BASE_CFG_LOG2SIZE, unit->strtab_log2size));
}

/**
 * smmuv3_unit_enable() - installs the unit's stream table and queues, invalidates every
 * cache and only then sets SMMUEN (smmuv3.h, "Enable").  Enabling an enabled unit changes
 * nothing.
 * Return: 0; -ENOMEM (nothing changed); -EIO when the hardware does not complete a step (the
 * unit is then in its error state).
 */
int smmuv3_unit_enable(struct smmu_backend_unit *unit)
{
	int r = smmuv3_unit_check(unit);

	assert_unit_state(unit);
	if (r < 0 || unit->state == SMMUV3_UNIT_ON) {
		return r;
	}
	r = smmuv3_strtab_prepare(unit);
	if (r == 0) {
		r = queues_prepare(unit);
	}
	if (r < 0) {
		return r;
	}
	r = install(unit, unit->strtab_pa, strtab_cfg(unit),
		    (uint32_t)(SMMU_CR0_SMMUEN | SMMU_CR0_CMDQEN | SMMU_CR0_EVENTQEN));
	if (r < 0) {
		return r;
	}
	unit->hw_enabled = true;
	unit->state = SMMUV3_UNIT_ON;
	assert_unit_state(unit);
	smmuv3_log(LOG_NOTICE,
		   "unit %s: translation on, %s stream table at 0x%" PRIx64
		   " covering %u StreamID bits, stage %u",
		   unit->name, unit->strtab_two_level ? "two-level" : "linear", unit->strtab_pa,
		   unit->strtab_log2size, unit->stage);
	return 0;
}

/* Leaves the hardware in the design safe state (smmuv3.h, "Takeover and park"). */
static int park(struct smmu_backend_unit *unit)
{
	int r;

	if (!unit->hw_enabled && !unit->hw_gbpa_abort) {
		return 0; /* never enabled, not taken over: nothing of ours is read */
	}
	r = gbpa_abort(unit);
	if (r == 0) {
		r = queues_prepare(unit);
	}
	if (r == 0) {
		r = install(unit, smmuv3_blocking_table_pa(),
			    (uint32_t)(FIELD_PREP(SMMU_STRTAB_BASE_CFG_FMT,
						  SMMU_STRTAB_BASE_CFG_FMT_LINEAR) |
				       FIELD_PREP(SMMU_STRTAB_BASE_CFG_LOG2SIZE,
						  SMMUV3_BLOCKING_LOG2SIZE)),
			    (uint32_t)SMMU_CR0_SMMUEN);
	}
	return r;
}

/**
 * smmuv3_unit_destroy() - frees the unit and everything it owns, leaving its hardware
 * refusing every DMA with SMMUEN on (smmuv3.h).  The core unbinds the devices and destroys
 * the domains first; any left are freed here all the same.  A unit in its error state is
 * not touched and its table memory stays allocated (smmuv3_table_keep()): the hardware may
 * still read it.
 * Accepts NULL.
 */
void smmuv3_unit_destroy(struct smmu_backend_unit *unit)
{
	bool parked;

	if (!unit) {
		return;
	}
	while (NEVER(!smmu_list_empty(&unit->devices))) {
		smmuv3_device_unbind(
			SMMU_CONTAINER_OF(unit->devices.next, struct smmu_backend_device, link));
	}
	while (NEVER(!smmu_list_empty(&unit->domains))) {
		smmuv3_domain_destroy(
			SMMU_CONTAINER_OF(unit->domains.next, struct smmu_backend_domain, link));
	}
	parked = unit->hw_enabled || unit->hw_gbpa_abort;
	/* A broken unit (or one that fails to park) may still read its tables: keep them. */
	bool keep = unit->state == SMMUV3_UNIT_BROKEN || park(unit) < 0;

	smmuv3_table_keep(keep);
	smmuv3_strtab_free(unit);
	smmuv3_table_free(unit->cmdq_cpu, unit->cmdq_pa,
			  (size_t)SMMU_CMD_SIZE << unit->caps.cmdq_lg2);
	smmuv3_table_free(unit->eventq_cpu, unit->eventq_pa, eventq_size(unit));
	smmuv3_table_keep(false);
	if (keep) {
		smmuv3_log(LOG_WARNING,
			   "unit %s: destroyed in its error state; its table memory stays reserved "
			   "as the unit may still read it",
			   unit->name);
	} else if (parked) {
		smmuv3_log(LOG_NOTICE,
			   "unit %s: every DMA refused, SMMUEN left on with the blocking stream "
			   "table",
			   unit->name);
	}
	smmu_free(unit->id_bitmap);
	smmu_free(unit->name);
	smmu_free(unit);
	smmuv3_unit_destroyed();
}
