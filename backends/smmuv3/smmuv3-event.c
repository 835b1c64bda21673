/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event queue and global errors (IHI 0070 3.5, 7.3, 6.3.18): the hardware writes an
 * event record for each refused transaction or bad configuration at EVENTQ_PROD; draining
 * reads them from EVENTQ_CONS on and moves CONS past them.  An overflow (PROD.OVFLG differing
 * from CONS.OVACKFLG) is logged and acknowledged.  GERROR is checked at every drain
 * (smmuv3.h, "Events").  There is no interrupt: the server polls.
 */
#include "backends/smmuv3/smmuv3.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <syslog.h>

#include "hw/hw-table-mem.h"

/* GERROR bits and what they mean, for the log. */
static const struct {
	uint32_t bit;
	const char *what;
} gerror_names[] = {
	{(uint32_t)SMMU_GERROR_CMDQ_ERR, "CMDQ_ERR (a command failed)"},
	{(uint32_t)SMMU_GERROR_EVENTQ_ABT_ERR, "EVENTQ_ABT_ERR (an event could not be written)"},
	{(uint32_t)SMMU_GERROR_PRIQ_ABT_ERR, "PRIQ_ABT_ERR"},
	{(uint32_t)SMMU_GERROR_MSI_CMDQ_ABT_ERR, "MSI_CMDQ_ABT_ERR"},
	{(uint32_t)SMMU_GERROR_MSI_EVENTQ_ABT_ERR, "MSI_EVENTQ_ABT_ERR"},
	{(uint32_t)SMMU_GERROR_MSI_PRIQ_ABT_ERR, "MSI_PRIQ_ABT_ERR"},
	{(uint32_t)SMMU_GERROR_MSI_GERROR_ABT_ERR, "MSI_GERROR_ABT_ERR"},
	{(uint32_t)SMMU_GERROR_SFM_ERR, "SFM_ERR (service failure mode)"},
};

/**
 * smmuv3_gerror_check() - logs and acknowledges every active global error.  SFM_ERR means
 * the unit stopped translating: its error state.  A command error is normally handled (and
 * acknowledged) by the command queue; one seen here is logged like the rest.
 * Return: 0; -EIO when the registers cannot be read or the unit entered service failure mode.
 */
int smmuv3_gerror_check(struct smmu_backend_unit *unit)
{
	uint32_t gerror = 0, gerrorn = 0, active;
	int r = smmuv3_reg_read32(unit, SMMU_GERROR, &gerror);

	if (r == 0) {
		r = smmuv3_reg_read32(unit, SMMU_GERRORN, &gerrorn);
	}
	if (r < 0) {
		return r;
	}
	active = (gerror ^ gerrorn) & (uint32_t)SMMU_GERROR_ALL;
	if (!active) {
		return 0;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(gerror_names); i++) {
		if (active & gerror_names[i].bit && gerror_names[i].bit != SMMU_GERROR_SFM_ERR) {
			smmuv3_log(LOG_WARNING,
				   "unit %s: global error %s; acknowledged, continuing", unit->name,
				   gerror_names[i].what);
		}
	}
	r = smmuv3_reg_write32(unit, SMMU_GERRORN, gerrorn ^ active);
	if (r == 0 && active & SMMU_GERROR_SFM_ERR) {
		r = smmuv3_unit_fail(unit, -EIO,
				     "the unit entered service failure mode (GERROR.SFM_ERR)");
	}
	return r;
}

/* Says once per overflow that events were lost, and acknowledges it in CONS. */
static void note_overflow(struct smmu_backend_unit *unit, uint32_t prod)
{
	uint32_t flag = prod & (uint32_t)SMMU_EVENTQ_PROD_OVFLG;

	if (flag == (unit->eventq_cons & (uint32_t)SMMU_EVENTQ_CONS_OVACKFLG)) {
		return;
	}
	unit->eventq_cons = (unit->eventq_cons & ~(uint32_t)SMMU_EVENTQ_CONS_OVACKFLG) | flag;
	unit->lost_event_count++;
	smmuv3_log(LOG_WARNING,
		   "unit %s: the event queue overflowed and events were lost (%" PRIu64
		   " times so far); continuing",
		   unit->name, unit->lost_event_count);
}

/**
 * smmuv3_fault_drain() - hands up to `budget` events, oldest first, to host->fault()
 * (smmuv3.h, "Events" for the fields), after checking GERROR.  Works in the error state too:
 * events are what explains it.
 * Return: the number handed; -EIO when the registers cannot be read.
 */
int smmuv3_fault_drain(struct smmu_backend_unit *unit, unsigned budget)
{
	const struct smmu_backend_host *host = smmuv3_host();
	uint32_t lg2 = unit->caps.eventq_lg2;
	uint32_t pointer_mask = (uint32_t)GENMASK(lg2, 0);
	uint32_t prod = 0;
	unsigned handed = 0;
	int r;

	if (NEVER(!host)) {
		return -EINVAL;
	}
	r = smmuv3_gerror_check(unit);
	if (r < 0 && unit->state != SMMUV3_UNIT_BROKEN) {
		return r;
	}
	if (!(unit->hw_cr0 & SMMU_CR0_EVENTQEN) || !unit->eventq_cpu) {
		return 0;
	}
	r = smmuv3_reg_read32(unit, SMMU_EVENTQ_PROD, &prod);
	if (r < 0) {
		return r;
	}
	note_overflow(unit, prod);
	while (handed < budget && (unit->eventq_cons & pointer_mask) != (prod & pointer_mask)) {
		unsigned index = unit->eventq_cons & ((1u << lg2) - 1);
		const uint64_t *record = &unit->eventq_cpu[(size_t)index * (SMMU_EVT_SIZE / 8)];
		uint64_t words[SMMU_EVT_WORDS];
		struct smmuv3_event event;
		struct smmu_backend_fault fault;

		for (unsigned w = 0; w < SMMU_EVT_WORDS; w++) {
			words[w] = le64toh(__atomic_load_n(&record[w], __ATOMIC_ACQUIRE));
		}
		smmuv3_event_decode(words, &event);
		fault = (struct smmu_backend_fault){
			.device_key = event.sid,
			.address = event.address,
			.raw = event.raw,
			.access = event.access,
		};
		smmuv3_log(LOG_DEBUG, "unit %s: event %s (0x%02x): StreamID %u %s 0x%" PRIx64,
			   unit->name, smmuv3_event_name(event.id), event.id, event.sid,
			   event.access == SMMU_ACCESS_READ    ? "read"
			   : event.access == SMMU_ACCESS_WRITE ? "write"
							       : "at",
			   event.address);
		host->fault(host->ctx, unit, &fault);
		handed++;
		unit->eventq_cons = (unit->eventq_cons & (uint32_t)SMMU_EVENTQ_CONS_OVACKFLG) |
				    ((unit->eventq_cons + 1) & pointer_mask);
	}
	/* CONS tells the hardware the slots are free again (and acknowledges an overflow). */
	r = smmuv3_reg_write32(unit, SMMU_EVENTQ_CONS, unit->eventq_cons);
	return r < 0 ? r : (int)handed;
}

/** smmuv3_fault_fd() - always -1: events are polled (smmuv3.h, "Events"). */
int smmuv3_fault_fd(struct smmu_backend_unit *unit)
{
	(void)unit;
	return -1;
}
