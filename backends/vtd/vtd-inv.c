/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Invalidation of a unit's context cache and IOTLB (VT-d 6.5).  Callers collect requests in
 * a batch and run it once; the batch goes to the invalidation queue when the unit uses one
 * (vtd-qi.c), and otherwise request by request through the Context Command and IOTLB
 * registers (6.5.1), each waited for before the next.  Either way vtd_inv_run() returns
 * only when the hardware has completed every request, or with the unit in its error state.
 */
#include "backends/vtd/vtd.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

/** vtd_inv_batch_init() - an empty batch. */
void vtd_inv_batch_init(struct vtd_inv_batch *batch)
{
	batch->count = 0;
}

static struct vtd_inv_req *batch_add(struct vtd_inv_batch *batch)
{
	if (NEVER(batch->count == VTD_INV_BATCH_MAX)) {
		return NULL;
	}
	struct vtd_inv_req *req = &batch->req[batch->count++];

	memset(req, 0, sizeof(*req));
	return req;
}

/** vtd_inv_add_context() - a context-cache invalidation (VTD_CC_GLOBAL/DOMAIN/DEVICE). */
void vtd_inv_add_context(struct vtd_inv_batch *batch, unsigned granularity, uint16_t did,
			 uint16_t sid)
{
	struct vtd_inv_req *req = batch_add(batch);

	if (req) {
		req->kind = VTD_INV_CONTEXT;
		req->granularity = granularity;
		req->did = did;
		req->sid = sid;
	}
}

/**
 * vtd_inv_add_iotlb() - an IOTLB invalidation (VTD_IOTLB_GLOBAL/DOMAIN/PAGE), with read and
 * write draining where the unit offers it, so that no DMA translated before the
 * invalidation is still in flight after it.
 */
void vtd_inv_add_iotlb(const struct smmu_backend_unit *unit, struct vtd_inv_batch *batch,
		       unsigned granularity, uint16_t did, uint64_t addr, unsigned am)
{
	struct vtd_inv_req *req = batch_add(batch);

	if (req) {
		req->kind = VTD_INV_IOTLB;
		req->granularity = granularity;
		req->did = did;
		req->addr = addr;
		req->am = am;
		req->drain_read = unit->caps.drain_read;
		req->drain_write = unit->caps.drain_write;
	}
}

/**
 * vtd_inv_add_ranges() - IOTLB invalidations covering the ranges a gather collected for
 * domain `did`: one page-selective request per range when CAP.PSI and CAP.MAMV allow, one
 * domain-selective request otherwise.
 */
void vtd_inv_add_ranges(const struct smmu_backend_unit *unit, struct vtd_inv_batch *batch,
			uint16_t did, const struct pt_range *range, unsigned range_count)
{
	struct vtd_inv_batch pages;

	if (range_count == 0) {
		return;
	}
	vtd_inv_batch_init(&pages);
	for (unsigned i = 0; unit->caps.psi && i < range_count; i++) {
		uint64_t addr;
		unsigned am;

		if (vtd_psi_plan(range[i].start, range[i].last, unit->caps.mamv, &addr, &am) < 0 ||
		    batch->count + pages.count == VTD_INV_BATCH_MAX) {
			break;
		}
		vtd_inv_add_iotlb(unit, &pages, VTD_IOTLB_PAGE, did, addr, am);
	}
	if (pages.count != range_count) {
		vtd_inv_add_iotlb(unit, batch, VTD_IOTLB_DOMAIN, did, 0, 0);
		return;
	}
	for (unsigned i = 0; i < pages.count; i++) {
		*batch_add(batch) = pages.req[i];
	}
}

/* One request through the registers; waits for the hardware to clear ICC or IVT. */
static int run_register(struct smmu_backend_unit *unit, const struct vtd_inv_req *req)
{
	int r;

	if (req->kind == VTD_INV_CONTEXT) {
		r = vtd_reg_write64(unit, VTD_CCMD_REG, vtd_ccmd_encode(req));
		/* ICC is bit 63: bit 31 of the upper half. */
		return r < 0 ? r
			     : vtd_reg_poll32(unit, VTD_CCMD_REG + 4,
					      (uint32_t)(VTD_CCMD_ICC >> 32), 0,
					      "a context-cache invalidation");
	}
	uint64_t base = unit->caps.iotlb_reg_offset;

	r = 0;
	if (req->granularity == VTD_IOTLB_PAGE) {
		r = vtd_reg_write64(unit, base + VTD_IVA_OFFSET, vtd_iva_encode(req));
	}
	if (r == 0) {
		r = vtd_reg_write64(unit, base + VTD_IOTLB_OFFSET, vtd_iotlb_reg_encode(req));
	}
	return r < 0 ? r
		     : vtd_reg_poll32(unit, base + VTD_IOTLB_OFFSET + 4,
				      (uint32_t)(VTD_IOTLB_IVT >> 32), 0, "an IOTLB invalidation");
}

/**
 * vtd_inv_run() - performs every request of the batch, in order, and returns when all have
 * completed.  The write buffer is flushed first where CAP.RWBF requires (6.8: register-based
 * invalidations flush it implicitly, queued ones do not).
 * Return: 0; -EIO with the unit in its error state.
 */
int vtd_inv_run(struct smmu_backend_unit *unit, const struct vtd_inv_batch *batch)
{
	int r = vtd_unit_check(unit);

	if (r < 0 || batch->count == 0) {
		return r;
	}
	if (unit->qi_enabled) {
		r = vtd_write_buffer_flush(unit);
		return r < 0 ? r : vtd_qi_submit(unit, batch);
	}
	for (unsigned i = 0; r == 0 && i < batch->count; i++) {
		r = run_register(unit, &batch->req[i]);
	}
	return r;
}

/** vtd_inv_global() - the whole context cache, then the whole IOTLB (after SRTP, 11.4.4). */
int vtd_inv_global(struct smmu_backend_unit *unit)
{
	struct vtd_inv_batch batch;

	vtd_inv_batch_init(&batch);
	vtd_inv_add_context(&batch, VTD_CC_GLOBAL, 0, 0);
	vtd_inv_add_iotlb(unit, &batch, VTD_IOTLB_GLOBAL, 0, 0, 0);
	return vtd_inv_run(unit, &batch);
}
