/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command queue (IHI 0070 3.5, 4): callers collect commands in a batch and run it once;
 * the batch goes into the circular queue followed by a CMD_SYNC, CMDQ_PROD is written, and
 * the batch is complete when CMDQ_CONS has caught up with it (a CMD_SYNC completes only when
 * every command before it has).  The queue is empty between batches, so a batch never waits
 * for room.  A command error (CMDQ_CONS.ERR with GERROR.CMDQ_ERR) is acknowledged and puts
 * the unit in its error state (smmuv3.h, "Unmap").
 */
#include "backends/smmuv3/smmuv3.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "hw/hw-table-mem.h"
#include "hw/hw.h"

/** smmuv3_batch_init() - an empty batch. */
void smmuv3_batch_init(struct smmuv3_cmd_batch *batch)
{
	batch->count = 0;
}

/** smmuv3_batch_add() - appends a command; a full batch is a bug of the caller. */
void smmuv3_batch_add(struct smmuv3_cmd_batch *batch, const struct smmuv3_cmd *cmd)
{
	if (NEVER(batch->count == SMMUV3_CMD_BATCH_MAX)) {
		return;
	}
	batch->cmd[batch->count++] = *cmd;
}

/**
 * smmuv3_batch_add_flush_id() - invalidates every TLB entry of one domain: TLBI_NH_ASID at
 * stage 1 (VMID 0, as every stage-1 STE has), TLBI_S12_VMALL at stage 2.
 */
void smmuv3_batch_add_flush_id(const struct smmu_backend_unit *unit, struct smmuv3_cmd_batch *batch,
			       uint16_t id)
{
	if (unit->stage == 1) {
		smmuv3_batch_add(batch,
				 &(struct smmuv3_cmd){.op = CMD_OP_TLBI_NH_ASID, .asid = id});
	} else {
		smmuv3_batch_add(batch,
				 &(struct smmuv3_cmd){.op = CMD_OP_TLBI_S12_VMALL, .vmid = id});
	}
}

/**
 * smmuv3_batch_add_ranges() - invalidates what a gather collected for domain `id`: each
 * 4 KiB page by address when the ranges hold at most SMMUV3_TLBI_VA_MAX pages (Leaf unless
 * tables were freed, whose walk-cache entries must go too), the whole ASID/VMID otherwise.
 */
void smmuv3_batch_add_ranges(const struct smmu_backend_unit *unit, struct smmuv3_cmd_batch *batch,
			     uint16_t id, const struct pt_gather *gather)
{
	uint64_t pages = 0;

	if (gather->range_count == 0) {
		return;
	}
	for (unsigned i = 0; i < gather->range_count; i++) {
		pages += ((gather->range[i].last - gather->range[i].start) >> 12) + 1;
		if (pages > SMMUV3_TLBI_VA_MAX) {
			smmuv3_batch_add_flush_id(unit, batch, id);
			return;
		}
	}
	for (unsigned i = 0; i < gather->range_count; i++) {
		uint64_t last_page = gather->range[i].last & ~(uint64_t)0xfff;

		for (uint64_t addr = gather->range[i].start & ~(uint64_t)0xfff;; addr += 0x1000) {
			struct smmuv3_cmd cmd = {
				.op = unit->stage == 1 ? CMD_OP_TLBI_NH_VA : CMD_OP_TLBI_S2_IPA,
				.asid = unit->stage == 1 ? id : 0,
				.vmid = unit->stage == 1 ? 0 : id,
				.addr = addr,
				.leaf = !gather->tables_freed,
			};

			smmuv3_batch_add(batch, &cmd);
			if (addr == last_page) {
				break;
			}
		}
	}
}

/* Index and wrap bits of a queue pointer with 2^lg2 entries. */
static uint32_t queue_pointer_mask(unsigned lg2)
{
	return (uint32_t)GENMASK(lg2, 0);
}

static uint32_t queue_next(uint32_t pointer, unsigned lg2)
{
	return (pointer + 1) & queue_pointer_mask(lg2);
}

static void put_command(struct smmu_backend_unit *unit, const struct smmuv3_cmd *cmd)
{
	unsigned index = unit->cmdq_prod & ((1u << unit->caps.cmdq_lg2) - 1);
	uint64_t *slot = &unit->cmdq_cpu[index * SMMU_CMD_WORDS];
	uint64_t words[SMMU_CMD_WORDS];

	smmuv3_cmd_encode(cmd, words);
	slot[0] = htole64(words[0]);
	slot[1] = htole64(words[1]);
	hw_table_mem_sync(slot, SMMU_CMD_SIZE);
	unit->cmdq_prod = queue_next(unit->cmdq_prod, unit->caps.cmdq_lg2);
}

static const char *cerror_name(unsigned cerror)
{
	switch (cerror) {
	case SMMU_CERROR_NONE:
		return "CERROR_NONE";
	case SMMU_CERROR_ILL:
		return "CERROR_ILL (illegal command)";
	case SMMU_CERROR_ABT:
		return "CERROR_ABT (abort reading the command)";
	case SMMU_CERROR_ATC_INV_SYNC:
		return "CERROR_ATC_INV_SYNC";
	default:
		return "an unknown CERROR";
	}
}

/* CONS did not reach PROD: a command error, or a unit that stopped answering. */
static int batch_failed(struct smmu_backend_unit *unit, uint32_t cons, bool timed_out)
{
	uint32_t gerror = 0, gerrorn = 0;
	unsigned index = cons & ((1u << unit->caps.cmdq_lg2) - 1);
	uint64_t op = FIELD_GET(CMD_0_OP, le64toh(unit->cmdq_cpu[index * SMMU_CMD_WORDS]));
	int r = smmuv3_reg_read32(unit, SMMU_GERROR, &gerror);

	if (r == 0) {
		r = smmuv3_reg_read32(unit, SMMU_GERRORN, &gerrorn);
	}
	if (r < 0) {
		return r;
	}
	if ((gerror ^ gerrorn) & SMMU_GERROR_CMDQ_ERR) {
		uint64_t *slot = &unit->cmdq_cpu[index * SMMU_CMD_WORDS];
		uint64_t sync[SMMU_CMD_WORDS];

		/*
		 * The queue resumes at the failed command once the error is acknowledged (3.5.3;
		 * QEMU consumes again on the GERRORN write): replace it with a CMD_SYNC, as Linux
		 * does, so that the queue drains.  The unit stops here anyway: what the failed
		 * command should have invalidated may still be cached.
		 */
		smmuv3_cmd_encode(&(struct smmuv3_cmd){.op = CMD_OP_SYNC}, sync);
		slot[0] = htole64(sync[0]);
		slot[1] = htole64(sync[1]);
		hw_table_mem_sync(slot, SMMU_CMD_SIZE);
		(void)smmuv3_reg_write32(unit, SMMU_GERRORN,
					 gerrorn ^ (uint32_t)SMMU_GERROR_CMDQ_ERR);
		return smmuv3_unit_fail(
			unit, -EIO, "command 0x%02" PRIx64 " at queue index %u failed with %s", op,
			index, cerror_name((unsigned)FIELD_GET(SMMU_CMDQ_CONS_ERR, cons)));
	}
	if (timed_out) {
		return smmuv3_unit_fail(unit, -EIO,
					"the command queue stopped: CMDQ_CONS 0x%08x, CMDQ_PROD "
					"0x%08x, command 0x%02" PRIx64 " pending",
					cons, unit->cmdq_prod, op);
	}
	return 1; /* not failed yet: keep waiting */
}

/**
 * smmuv3_batch_run() - issues the batch and a CMD_SYNC and waits until the unit has
 * completed them.  An empty batch still synchronises.
 * Return: 0; -EIO when a command fails or the unit stops answering (the unit is then in its
 * error state), or when the unit is in it already.
 */
int smmuv3_batch_run(struct smmu_backend_unit *unit, const struct smmuv3_cmd_batch *batch)
{
	uint32_t mask = queue_pointer_mask(unit->caps.cmdq_lg2);
	uint32_t cons = 0;
	int r = smmuv3_unit_check(unit);

	if (r < 0) {
		return r;
	}
	if (NEVER(!(unit->hw_cr0 & SMMU_CR0_CMDQEN) || !unit->cmdq_cpu)) {
		return -EIO;
	}
	for (unsigned i = 0; i < batch->count; i++) {
		put_command(unit, &batch->cmd[i]);
	}
	put_command(unit, &(struct smmuv3_cmd){.op = CMD_OP_SYNC});
	r = smmuv3_reg_write32(unit, SMMU_CMDQ_PROD, unit->cmdq_prod);
	if (r == 0) {
		r = smmuv3_reg_read32(unit, SMMU_CMDQ_CONS, &cons);
	}
	if (r < 0) {
		return r;
	}
	if ((cons & mask) == unit->cmdq_prod) {
		return 0;
	}
	/* QEMU completes within the PROD write; hardware may need a moment, or have failed. */
	r = batch_failed(unit, cons, false);
	if (r <= 0) {
		return r;
	}
	r = hw_poll32(smmuv3_bus(), unit->params.reg_base + SMMU_CMDQ_CONS, mask, unit->cmdq_prod,
		      SMMUV3_POLL_TIMEOUT_US, &cons);
	if (r == 0) {
		return 0;
	}
	if (r != -ETIMEDOUT) {
		return smmuv3_unit_fail(unit, -EIO, "polling CMDQ_CONS failed: %s",
					hw_bus_error(smmuv3_bus()));
	}
	return batch_failed(unit, cons, true);
}
