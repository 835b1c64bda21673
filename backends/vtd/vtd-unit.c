/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VT-d units: probing at unit_create, taking over a unit whose translation is already on,
 * turning translation on at unit_enable, the design safe state at unit_destroy, register
 * access with the error state, and the global-command handshake (vtd.h for the decisions).
 */
#include "backends/vtd/vtd.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "common/alloc.h"
#include "hw/hw.h"

/* Debug builds check the invariants of vtd.h's unit state machine at each transition. */
static void assert_unit_state(const struct smmu_backend_unit *unit)
{
	(void)unit;
	assert(unit->state == VTD_UNIT_OFF || unit->state == VTD_UNIT_ON ||
	       unit->state == VTD_UNIT_BROKEN);
	assert(unit->state != VTD_UNIT_ON || (unit->hw_te && !unit->hw_blocking && unit->root_cpu));
	assert(!unit->qi_enabled || unit->queue_cpu);
	assert(unit->did_bitmap);
}

/**
 * vtd_unit_fail() - puts the unit in its error state (vtd.h): logs why, once, and returns
 * `err` so that callers can `return vtd_unit_fail(...)`.
 */
int vtd_unit_fail(struct smmu_backend_unit *unit, int err, const char *fmt, ...)
{
	va_list ap;

	if (unit->state == VTD_UNIT_BROKEN) {
		return err;
	}
	va_start(ap, fmt);
	vsnprintf(unit->broken_why, sizeof(unit->broken_why), fmt, ap);
	va_end(ap);
	unit->state = VTD_UNIT_BROKEN;
	vtd_log(LOG_ERR,
		"unit %s: %s; the unit refuses every change from now on and keeps its last "
		"state",
		unit->name, unit->broken_why);
	return err;
}

/** vtd_unit_check() - 0, or -EIO when the unit is in its error state. */
int vtd_unit_check(const struct smmu_backend_unit *unit)
{
	return unit->state == VTD_UNIT_BROKEN ? -EIO : 0;
}

/** vtd_unit_live() - whether the hardware reads the unit's tables (changes need invalidation). */
bool vtd_unit_live(const struct smmu_backend_unit *unit)
{
	return unit->hw_te && !unit->hw_blocking && unit->root_cpu;
}

/* The bus's own error is in its sentence; the unit's is -EIO whatever it was. */
static int bus_failed(struct smmu_backend_unit *unit, const char *what, uint64_t offset)
{
	return vtd_unit_fail(unit, -EIO, "%s of register 0x%" PRIx64 " failed: %s", what, offset,
			     hw_bus_error(vtd_bus()));
}

/* Register access at the unit's base; a failure of the bus is the unit's error state. */
int vtd_reg_read32(struct smmu_backend_unit *unit, uint64_t offset, uint32_t *ret_value)
{
	int r = hw_read32(vtd_bus(), unit->params.reg_base + offset, ret_value);

	return r < 0 ? bus_failed(unit, "read", offset) : 0;
}

int vtd_reg_read64(struct smmu_backend_unit *unit, uint64_t offset, uint64_t *ret_value)
{
	int r = hw_read64(vtd_bus(), unit->params.reg_base + offset, ret_value);

	return r < 0 ? bus_failed(unit, "read", offset) : 0;
}

int vtd_reg_write32(struct smmu_backend_unit *unit, uint64_t offset, uint32_t value)
{
	int r = hw_write32(vtd_bus(), unit->params.reg_base + offset, value);

	return r < 0 ? bus_failed(unit, "write", offset) : 0;
}

int vtd_reg_write64(struct smmu_backend_unit *unit, uint64_t offset, uint64_t value)
{
	int r = hw_write64(vtd_bus(), unit->params.reg_base + offset, value);

	return r < 0 ? bus_failed(unit, "write", offset) : 0;
}

/**
 * vtd_reg_poll32() - waits up to VTD_REG_TIMEOUT_US for (register & mask) == want.  A timeout
 * is the unit's error state, logged once with register, expectation and last value.
 * Return: 0 or -EIO.
 */
int vtd_reg_poll32(struct smmu_backend_unit *unit, uint64_t offset, uint32_t mask, uint32_t want,
		   const char *what)
{
	uint32_t last = 0;
	int r = hw_poll32(vtd_bus(), unit->params.reg_base + offset, mask, want, VTD_REG_TIMEOUT_US,
			  &last);

	if (r == -ETIMEDOUT) {
		return vtd_unit_fail(unit, -EIO,
				     "%s did not complete: register 0x%" PRIx64
				     " & 0x%08x stayed 0x%08x, expected 0x%08x",
				     what, offset, mask, last & mask, want);
	}
	return r < 0 ? bus_failed(unit, "poll", offset) : 0;
}

/**
 * vtd_gcmd() - sets or clears one Global Command bit and waits for Global Status to follow
 * (11.4.4: write GSTS's persistent bits back with the one change).  One-shot commands
 * (SRTP, WBF) are "set" and complete when their status bit is set (SRTP) or clear (WBF).
 * Return: 0 or -EIO.
 */
int vtd_gcmd(struct smmu_backend_unit *unit, uint32_t bit, bool set)
{
	uint32_t status;
	uint32_t want;
	int r = vtd_reg_read32(unit, VTD_GSTS_REG, &status);

	if (r < 0) {
		return r;
	}
	status &= (uint32_t)VTD_GSTS_PERSISTENT;
	r = vtd_reg_write32(unit, VTD_GCMD_REG, set ? status | bit : status & ~bit);
	if (r < 0) {
		return r;
	}
	/* WBFS is set while the flush runs and clears when it is done (11.4.5). */
	want = bit == (uint32_t)VTD_GCMD_WBF ? 0 : (set ? bit : 0);
	return vtd_reg_poll32(unit, VTD_GSTS_REG, bit, want, "a global command");
}

/** vtd_write_buffer_flush() - flushes the write buffer when CAP.RWBF requires it (6.8). */
int vtd_write_buffer_flush(struct smmu_backend_unit *unit)
{
	if (!unit->caps.rwbf) {
		return 0;
	}
	return vtd_gcmd(unit, (uint32_t)VTD_GCMD_WBF, true);
}

/* Points RTADDR at `root_pa` (legacy mode) and latches it with SRTP (11.4.6). */
static int set_root(struct smmu_backend_unit *unit, uint64_t root_pa)
{
	int r = vtd_reg_write64(unit, VTD_RTADDR_REG, root_pa & VTD_RTADDR_RTA);

	if (r == 0) {
		r = vtd_gcmd(unit, (uint32_t)VTD_GCMD_SRTP, true);
	}
	return r;
}

/*
 * Translation was on when we arrived: whatever tables it uses are not ours, and table
 * memory is about to be rewritten.  Disable a queue someone else set up (its memory is not
 * ours either), switch to the blocking root and invalidate globally through the registers.
 */
static int take_over(struct smmu_backend_unit *unit, uint32_t status)
{
	int r = 0;

	if (status & VTD_GSTS_QIES) {
		r = vtd_gcmd(unit, (uint32_t)VTD_GCMD_QIE, false);
	}
	if (r == 0 && status & VTD_GSTS_TES) {
		r = vtd_write_buffer_flush(unit);
		if (r == 0) {
			r = set_root(unit, vtd_blocking_root_pa());
		}
		if (r == 0) {
			r = vtd_inv_global(unit);
		}
		if (r == 0) {
			unit->hw_te = true;
			unit->hw_blocking = true;
			vtd_log(LOG_NOTICE,
				"unit %s: translation was on at start; every device is blocked "
				"until the configuration is applied",
				unit->name);
		}
	}
	return r;
}

/* Reads and checks the unit's registers; logs what it found.  -ENODEV, -EOPNOTSUPP, -EIO. */
static int probe(struct smmu_backend_unit *unit, uint32_t *ret_status)
{
	char why[VTD_WHY_SIZE];
	char line[384];
	uint32_t ver = 0;
	uint64_t cap = 0, ecap = 0;
	int r = vtd_reg_read32(unit, VTD_VER_REG, &ver);

	if (r == 0) {
		r = vtd_reg_read64(unit, VTD_CAP_REG, &cap);
	}
	if (r == 0) {
		r = vtd_reg_read64(unit, VTD_ECAP_REG, &ecap);
	}
	if (r == 0) {
		r = vtd_reg_read32(unit, VTD_GSTS_REG, ret_status);
	}
	if (r < 0) {
		return r;
	}
	r = vtd_caps_decode(ver, cap, ecap, &unit->caps, why, sizeof(why));
	if (r < 0) {
		vtd_log(LOG_ERR, "unit %s at 0x%" PRIx64 ": %s", unit->name, unit->params.reg_base,
			why);
		return r;
	}
	vtd_caps_describe(&unit->caps, line, sizeof(line));
	vtd_log(LOG_INFO, "unit %s at 0x%" PRIx64 ": %s%s%s", unit->name, unit->params.reg_base,
		line, unit->params.include_all ? "; controls every PCI device (include-all)" : "",
		unit->params.register_invalidation && unit->caps.qi
			? "; register-based invalidation by configuration"
			: "");
	if (ecap & VTD_ECAP_SMTS) {
		vtd_log(LOG_DEBUG, "unit %s: scalable mode offered, legacy mode used", unit->name);
	}
	return 0;
}

/**
 * vtd_unit_create() - a unit at the register base `params` names (vtd.h): probes VER, CAP
 * and ECAP, refuses what this library cannot drive, masks fault interrupts, clears fault
 * records left from before, and takes the unit over when its translation is already on.
 * Allocates no table memory (vtd.h, "The blocking root table").
 * Return: 0 and *ret_unit (the caller owns it, freed by vtd_unit_destroy()); -EINVAL for bad
 * parameters; -ENODEV when no unit answers; -EOPNOTSUPP for a unit this library cannot
 * drive; -EIO when the hardware does not answer; -ENOMEM.  Each is logged.
 */
int vtd_unit_create(const char *name, const char *params, struct smmu_backend_unit **ret_unit)
{
	struct smmu_backend_unit *unit;
	char why[VTD_WHY_SIZE];
	unsigned cleared = 0;
	uint32_t status = 0;
	int r;

	if (NEVER(!vtd_host())) {
		return -EINVAL; /* the core calls init() first */
	}
	unit = smmu_calloc(1, sizeof(*unit));
	if (!unit) {
		return -ENOMEM;
	}
	unit->state = VTD_UNIT_OFF;
	smmu_list_init(&unit->devices);
	smmu_list_init(&unit->domains);
	unit->name = smmu_strdup(name);
	if (!unit->name) {
		r = -ENOMEM;
		goto err_free_unit;
	}
	r = vtd_unit_params_parse(params, &unit->params, why, sizeof(why));
	if (r < 0) {
		vtd_log(LOG_ERR, "unit %s: %s", name, why);
		goto err_free_unit;
	}
	r = probe(unit, &status);
	if (r < 0) {
		goto err_free_unit;
	}
	unit->did_bitmap = smmu_calloc((unit->caps.domain_id_count + 63) / 64, sizeof(uint64_t));
	if (!unit->did_bitmap) {
		r = -ENOMEM;
		goto err_free_unit;
	}
	unit->did_bitmap[0] = 1; /* domain id 0 is never handed out (vtd.h) */
	unit->pt_cfg = (struct pt_cfg){
		.format = PT_FORMAT_VTD_SL,
		.granule_lg2 = 12,
		.ias = unit->caps.agaw,
		.oas = unit->caps.mgaw < 32 ? 32 : (unit->caps.mgaw > 52 ? 52 : unit->caps.mgaw),
		.pgsize_bitmap = unit->caps.pgsize_bitmap,
	};
	/* Faults are polled (vtd.h, "Faults"): no fault event may go anywhere. */
	r = vtd_reg_write32(unit, VTD_FECTL_REG, (uint32_t)VTD_FECTL_IM);
	if (r == 0) {
		r = vtd_fault_clear_stale(unit, &cleared);
	}
	if (r == 0) {
		r = take_over(unit, status);
	}
	if (r < 0) {
		goto err_free_unit;
	}
	if (cleared) {
		vtd_log(LOG_INFO,
			"unit %s: %u fault record%s from before the service started cleared", name,
			cleared, cleared == 1 ? "" : "s");
	}
	vtd_unit_created();
	assert_unit_state(unit);
	*ret_unit = unit;
	return 0;

err_free_unit:
	smmu_free(unit->did_bitmap);
	smmu_free(unit->name);
	smmu_free(unit);
	return r;
}

/**
 * vtd_unit_root_prepare() - allocates the unit's root table if it has none yet.  Nothing
 * the hardware reads changes.  Return: 0 or -ENOMEM.
 */
int vtd_unit_root_prepare(struct smmu_backend_unit *unit)
{
	void *cpu;

	if (unit->root_cpu) {
		return 0;
	}
	int r = vtd_table_alloc(&cpu, &unit->root_pa);

	if (r < 0) {
		return r;
	}
	unit->root_cpu = cpu;
	return 0;
}

/**
 * vtd_unit_enable() - turns translation on through the unit's own tables: queued
 * invalidation set up when used, RTADDR latched (SRTP), context cache and IOTLB invalidated
 * globally, and only then TE (vtd.h, "Translation").  Enabling an enabled unit changes
 * nothing.
 * Return: 0; -ENOMEM (nothing changed); -EIO when the hardware does not complete a step (the
 * unit is then in its error state).
 */
int vtd_unit_enable(struct smmu_backend_unit *unit)
{
	int r = vtd_unit_check(unit);

	assert_unit_state(unit);
	if (r < 0 || unit->state == VTD_UNIT_ON) {
		return r;
	}
	r = vtd_unit_root_prepare(unit);
	if (r < 0) {
		return r;
	}
	if (unit->caps.qi && !unit->params.register_invalidation && !unit->qi_enabled) {
		r = vtd_qi_enable(unit);
	}
	if (r == 0) {
		r = vtd_write_buffer_flush(unit);
	}
	if (r == 0) {
		r = set_root(unit, unit->root_pa);
	}
	if (r == 0) {
		/* From here on the hardware reads our root: a not-yet-set TE changes nothing
		 * but hw_blocking must be false so that the unit counts as live after TE. */
		unit->hw_blocking = false;
		r = vtd_inv_global(unit);
	}
	if (r == 0 && !unit->hw_te) {
		r = vtd_gcmd(unit, (uint32_t)VTD_GCMD_TE, true);
		if (r == 0) {
			unit->hw_te = true;
		}
	}
	if (r < 0) {
		return r;
	}
	unit->state = VTD_UNIT_ON;
	assert_unit_state(unit);
	vtd_log(LOG_NOTICE, "unit %s: translation on, root table at 0x%" PRIx64 ", %s invalidation",
		unit->name, unit->root_pa, unit->qi_enabled ? "queued" : "register-based");
	return 0;
}

/* Leaves the hardware in the design safe state (vtd.h): TE as it is, the blocking root. */
static int park(struct smmu_backend_unit *unit)
{
	int r = 0;

	if (!unit->hw_te) {
		return 0; /* never turned on: nothing of ours is read */
	}
	if (!unit->hw_blocking) {
		r = vtd_write_buffer_flush(unit);
		if (r == 0) {
			r = set_root(unit, vtd_blocking_root_pa());
		}
		if (r == 0) {
			r = vtd_inv_global(unit);
		}
		if (r == 0) {
			unit->hw_blocking = true;
		}
	}
	if (r == 0 && unit->qi_enabled) {
		r = vtd_qi_disable(unit);
	}
	return r;
}

/**
 * vtd_unit_destroy() - frees the unit and everything it owns, leaving its hardware blocking
 * every DMA with translation still on (vtd.h).  The core unbinds the devices and destroys
 * the domains first; any left are freed here all the same.  A unit in its error state is
 * not touched and its table memory stays allocated: the hardware may still read it.
 * Accepts NULL.
 */
void vtd_unit_destroy(struct smmu_backend_unit *unit)
{
	if (!unit) {
		return;
	}
	while (NEVER(!smmu_list_empty(&unit->devices))) {
		vtd_device_unbind(
			SMMU_CONTAINER_OF(unit->devices.next, struct smmu_backend_device, link));
	}
	while (NEVER(!smmu_list_empty(&unit->domains))) {
		vtd_domain_destroy(
			SMMU_CONTAINER_OF(unit->domains.next, struct smmu_backend_domain, link));
	}
	if (unit->state != VTD_UNIT_BROKEN && park(unit) == 0) {
		for (unsigned bus = 0; bus < VTD_ROOT_ENTRY_COUNT; bus++) {
			vtd_table_free(unit->context_cpu[bus], unit->context_pa[bus]);
		}
		vtd_table_free(unit->root_cpu, unit->root_pa);
		vtd_table_free(unit->queue_cpu, unit->queue_pa);
		if (unit->hw_te) {
			vtd_log(LOG_NOTICE, "unit %s: every DMA blocked, translation left on",
				unit->name);
		}
	}
	smmu_free(unit->did_bitmap);
	smmu_free(unit->name);
	smmu_free(unit);
	vtd_unit_destroyed();
}
