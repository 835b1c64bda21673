/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Primary fault logging (VT-d 7.2.1, 11.4.9, 11.4.14): the hardware writes each refused DMA
 * into the next fault-recording register, sets its F bit and FSTS.PPF, and sets FSTS.PFO
 * instead when the register it would use still holds a record.  Draining reads the records
 * from FSTS.FRI on while F is set, clears each F by writing 1, and clears PFO after saying
 * that records were lost.  There is no fault interrupt (vtd.h, "Faults"): the server polls.
 */
#include "backends/vtd/vtd.h"

#include <errno.h>
#include <inttypes.h>
#include <syslog.h>

/* Offset of fault-recording register `index`, and of its upper 32 bits (F is bit 31 there). */
static uint64_t frcd_offset(const struct smmu_backend_unit *unit, unsigned index)
{
	return unit->caps.fault_reg_offset + (uint64_t)index * VTD_FRCD_SIZE;
}

#define VTD_FRCD_F_UPPER ((uint32_t)(VTD_FRCD_1_F >> 32))

/*
 * Reads the record at `index` if it is valid: 1 with the words, 0 when F is clear, -EIO.
 * The record is cleared after it has been read.
 */
static int take_record(struct smmu_backend_unit *unit, unsigned index, uint64_t *ret_word0,
		       uint64_t *ret_word1)
{
	uint64_t offset = frcd_offset(unit, index);
	int r = vtd_reg_read64(unit, offset + 8, ret_word1);

	if (r < 0 || !(*ret_word1 & VTD_FRCD_1_F)) {
		return r < 0 ? r : 0;
	}
	r = vtd_reg_read64(unit, offset, ret_word0);
	if (r == 0) {
		r = vtd_reg_write32(unit, offset + 12, VTD_FRCD_F_UPPER);
	}
	return r < 0 ? r : 1;
}

/* Clears FSTS.PFO and says how many records the hardware could not store, once. */
static int clear_overflow(struct smmu_backend_unit *unit)
{
	int r = vtd_reg_write32(unit, VTD_FSTS_REG, (uint32_t)VTD_FSTS_PFO);

	if (r == 0) {
		unit->lost_fault_count++;
		vtd_log(LOG_WARNING,
			"unit %s: fault records were lost: all %u fault-recording registers were "
			"full (%" PRIu64 " times so far); continuing",
			unit->name, unit->caps.fault_reg_count, unit->lost_fault_count);
	}
	return r;
}

/**
 * vtd_fault_drain() - hands up to `budget` recorded faults, oldest first, to host->fault()
 * (vtd.h, "Faults" for the fields).  Works in the error state too: faults are what explains
 * it.
 * Return: the number handed; -EIO when the registers cannot be read.
 */
int vtd_fault_drain(struct smmu_backend_unit *unit, unsigned budget)
{
	const struct smmu_backend_host *host = vtd_host();
	unsigned index, handed = 0;
	uint32_t fsts;
	int r;

	if (NEVER(!host)) {
		return -EINVAL;
	}
	r = vtd_reg_read32(unit, VTD_FSTS_REG, &fsts);
	if (r < 0) {
		return r;
	}
	if (fsts & VTD_FSTS_PFO) {
		r = clear_overflow(unit);
		if (r < 0) {
			return r;
		}
	}
	if (!(fsts & VTD_FSTS_PPF)) {
		return 0;
	}
	index = (unsigned)FIELD_GET(VTD_FSTS_FRI, fsts) % unit->caps.fault_reg_count;
	for (unsigned seen = 0; seen < unit->caps.fault_reg_count && handed < budget; seen++) {
		struct smmu_backend_fault fault;
		uint64_t word0 = 0, word1 = 0;

		r = take_record(unit, index, &word0, &word1);
		if (r < 0) {
			return handed ? (int)handed : r;
		}
		if (r == 0) {
			break;
		}
		vtd_fault_record_decode(word0, word1, &fault);
		vtd_log(LOG_DEBUG,
			"unit %s: fault: source-id 0x%04" PRIx64 " %s 0x%" PRIx64
			": reason 0x%x, %s",
			unit->name, fault.device_key,
			fault.access == SMMU_ACCESS_READ ? "read" : "write", fault.address,
			(unsigned)FIELD_GET(VTD_FRCD_1_FR, word1),
			vtd_fault_reason_name((unsigned)FIELD_GET(VTD_FRCD_1_FR, word1)));
		host->fault(host->ctx, unit, &fault);
		handed++;
		index = (index + 1) % unit->caps.fault_reg_count;
	}
	return (int)handed;
}

/**
 * vtd_fault_clear_stale() - clears every fault record and the overflow bit, without
 * reporting: the records predate the service, and their devices' state with them.
 * Return: 0 and *ret_cleared; -EIO.
 */
int vtd_fault_clear_stale(struct smmu_backend_unit *unit, unsigned *ret_cleared)
{
	unsigned cleared = 0;
	uint32_t fsts;
	int r = vtd_reg_read32(unit, VTD_FSTS_REG, &fsts);

	if (r < 0) {
		return r;
	}
	for (unsigned index = 0; index < unit->caps.fault_reg_count; index++) {
		uint64_t word0, word1;

		r = take_record(unit, index, &word0, &word1);
		if (r < 0) {
			return r;
		}
		cleared += (unsigned)r;
	}
	if (fsts & VTD_FSTS_PFO) {
		r = vtd_reg_write32(unit, VTD_FSTS_REG, (uint32_t)VTD_FSTS_PFO);
		if (r < 0) {
			return r;
		}
	}
	*ret_cleared = cleared;
	return 0;
}

/** vtd_fault_fd() - always -1: faults are polled (vtd.h, "Faults"). */
int vtd_fault_fd(struct smmu_backend_unit *unit)
{
	(void)unit;
	return -1;
}
