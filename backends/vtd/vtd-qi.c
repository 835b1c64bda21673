/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The invalidation queue (VT-d 6.5.2): one 4 KiB page of 128-bit descriptors in table
 * memory.  Every submission is a batch followed by an invalidation wait descriptor with IF,
 * and returns when the hardware has set ICS.IWC, i.e. when it has completed the batch; so
 * the queue is empty (IQH == IQT) between submissions and never wraps onto descriptors the
 * hardware has yet to read.  The completion interrupt stays masked (IECTL.IM): the wait is
 * polled.
 */
#include "backends/vtd/vtd.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <syslog.h>

#include "hw/hw-table-mem.h"
#include "hw/hw.h"

_Static_assert(VTD_INV_BATCH_MAX + 1 < VTD_QI_LENGTH, "a batch and its wait fit the queue");

/**
 * vtd_qi_enable() - sets up the queue and turns queued invalidation on (11.4.4 QIE: IQT and
 * IQA are written while it is off; QEMU also insists on IQT = 0).  From now on register-based
 * invalidation must not be used (6.5.2).
 * Return: 0; -ENOMEM (nothing changed); -EIO (the unit is in its error state).
 */
int vtd_qi_enable(struct smmu_backend_unit *unit)
{
	int r = 0;

	if (!unit->queue_cpu) {
		void *cpu;

		r = vtd_table_alloc(&cpu, &unit->queue_pa);
		if (r < 0) {
			return r;
		}
		unit->queue_cpu = cpu;
	}
	unit->queue_tail = 0;
	r = vtd_reg_write64(unit, VTD_IQT_REG, 0);
	if (r == 0) {
		r = vtd_reg_write64(unit, VTD_IQA_REG,
				    (unit->queue_pa & VTD_IQA_IQA) | FIELD_PREP(VTD_IQA_QS, 0));
	}
	if (r == 0) {
		r = vtd_reg_write32(unit, VTD_IECTL_REG, (uint32_t)VTD_IECTL_IM);
	}
	if (r == 0) {
		r = vtd_reg_write32(unit, VTD_ICS_REG, (uint32_t)VTD_ICS_IWC);
	}
	if (r == 0) {
		r = vtd_gcmd(unit, (uint32_t)VTD_GCMD_QIE, true);
	}
	if (r == 0) {
		unit->qi_enabled = true;
	}
	return r;
}

/**
 * vtd_qi_disable() - turns queued invalidation off, so that whoever drives the unit next
 * can set up its own queue or use the registers.  The queue is empty between submissions.
 * Return: 0 or -EIO.
 */
int vtd_qi_disable(struct smmu_backend_unit *unit)
{
	int r = vtd_gcmd(unit, (uint32_t)VTD_GCMD_QIE, false);

	if (r == 0) {
		unit->qi_enabled = false;
	}
	return r;
}

static void put_desc(struct smmu_backend_unit *unit, const uint64_t desc[2])
{
	uint64_t *slot = &unit->queue_cpu[unit->queue_tail * 2];

	__atomic_store_n(&slot[0], htole64(desc[0]), __ATOMIC_RELAXED);
	__atomic_store_n(&slot[1], htole64(desc[1]), __ATOMIC_RELAXED);
	unit->queue_tail = (unit->queue_tail + 1) % VTD_QI_LENGTH;
}

/**
 * vtd_qi_submit() - queues the batch and a wait descriptor, moves the tail, and waits for
 * ICS.IWC.  On a timeout the fault status (IQE, ITE, ICE) goes into the error state's line.
 * Return: 0 or -EIO.
 */
int vtd_qi_submit(struct smmu_backend_unit *unit, const struct vtd_inv_batch *batch)
{
	uint64_t desc[2];
	uint32_t fsts = 0;
	int r = vtd_reg_write32(unit, VTD_ICS_REG, (uint32_t)VTD_ICS_IWC);

	if (r < 0) {
		return r;
	}
	for (unsigned i = 0; i < batch->count; i++) {
		vtd_inv_desc_encode(&batch->req[i], desc);
		put_desc(unit, desc);
	}
	vtd_inv_wait_desc_encode(desc);
	put_desc(unit, desc);
	hw_table_mem_sync(unit->queue_cpu, VTD_QI_PAGE_SIZE);
	r = vtd_reg_write64(unit, VTD_IQT_REG, FIELD_PREP(VTD_IQT_QT, unit->queue_tail));
	if (r < 0) {
		return r;
	}
	/* Not vtd_reg_poll32(): a timeout here wants FSTS in its line. */
	r = hw_poll32(vtd_bus(), unit->params.reg_base + VTD_ICS_REG, (uint32_t)VTD_ICS_IWC,
		      (uint32_t)VTD_ICS_IWC, VTD_REG_TIMEOUT_US, NULL);
	if (r == -ETIMEDOUT) {
		(void)vtd_reg_read32(unit, VTD_FSTS_REG, &fsts);
		return vtd_unit_fail(unit, -EIO,
				     "queued invalidation did not complete (FSTS 0x%08x:%s%s%s)",
				     fsts, fsts & VTD_FSTS_IQE ? " queue error" : "",
				     fsts & VTD_FSTS_ITE ? " time-out" : "",
				     fsts & VTD_FSTS_ICE ? " completion error" : "");
	}
	if (r < 0) {
		return vtd_unit_fail(unit, -EIO, "polling ICS failed: %s", hw_bus_error(vtd_bus()));
	}
	return vtd_reg_write32(unit, VTD_ICS_REG, (uint32_t)VTD_ICS_IWC);
}
