/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SMMUv3 library driven directly (no service) against QEMU's smmuv3 on a virt board:
 * what the conformance suite cannot see from outside.  The registers after enable and after
 * destroy (the park state), a command error putting the unit in its error state, events of
 * a blocked and of an unknown StreamID reaching the host, and translate() following the
 * live tables.  Each case starts and stops its own board; the test reads registers through
 * its own hw connection to the board's multiplexer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../unit/cmocka-all.h"
#include "../../unit/smmuv3/smmuv3-test-util.h"
#include "../qemu-unit-board.h"
#include "hw/hw-table-mem.h"

/* The board's unit and its edu devices' StreamIDs (requester ids). */
#define BOARD_SMMU 0x09050000u
#define EDU1_SID 8u
#define EDU2_SID 16u
/* Guest RAM for DMA, below the board's tables at 0x4c000000. */
#define DMA_PA 0x44000000u

static const struct smmu_backend *const be = &smmuv3_backend;

static struct qemu_unit_board board;

static int board_start(void **state)
{
	(void)state;
	qemu_unit_board_start(&board, "virt", 2);
	assert_int_equal(be->init(backend_test_host_reset(board.hw), NULL), 0);
	return 0;
}

static int board_stop(void **state)
{
	(void)state;
	/* A failed case leaves its unit, devices and domains: release them as the core would,
	 * devices first. */
	while (board.unit && !smmu_list_empty(&board.unit->devices)) {
		be->device_unbind(SMMU_CONTAINER_OF(board.unit->devices.next,
						    struct smmu_backend_device, link));
	}
	while (board.unit && !smmu_list_empty(&board.unit->domains)) {
		be->domain_destroy(SMMU_CONTAINER_OF(board.unit->domains.next,
						     struct smmu_backend_domain, link));
	}
	be->unit_destroy(board.unit);
	be->fini();
	if (test_host.problem_count) {
		printf("# library log:\n%s", test_host.log);
	}
	qemu_unit_board_stop(&board);
	return 0;
}

static uint32_t reg32(uint64_t offset)
{
	return qemu_unit_board_read32(&board, BOARD_SMMU + offset);
}

static uint64_t reg64(uint64_t offset)
{
	return qemu_unit_board_read64(&board, BOARD_SMMU + offset);
}

/* One edu DMA of `len` bytes: the device writes memory (`write`) or reads it. */
static void dma_len(const char *device, bool write, uint64_t iova, unsigned len)
{
	qemu_unit_board_dma(&board, device, write, iova, len);
}

static void dma(const char *device, bool write, uint64_t iova)
{
	dma_len(device, write, iova, 8);
}

/* Enable installs the two-level table and both queues with SMMUEN; destroy parks the unit:
 * SMMUEN on, queues off, the blocking table (first page of table memory, 64 STEs). */
static void test_enable_then_park(void **state)
{
	struct smmu_backend_unit *unit = NULL;
	struct smmu_backend_device *dev;
	union smmu_devid id = pci_devid(0, 1, 0);
	uint64_t key;
	uint32_t cfg;

	(void)state;
	assert_int_equal(be->unit_create("smmu0", "0x09050000", &unit), 0);
	board.unit = unit;
	assert_int_equal(reg32(SMMU_CR0), 0);
	assert_int_equal(be->device_bind(unit, &id, "8", &dev, &key), 0);
	assert_int_equal(be->unit_enable(unit), 0);
	assert_int_equal(reg32(SMMU_CR0), SMMU_CR0_SMMUEN | SMMU_CR0_CMDQEN | SMMU_CR0_EVENTQEN);
	cfg = reg32(SMMU_STRTAB_BASE_CFG);
	assert_int_equal(FIELD_GET(SMMU_STRTAB_BASE_CFG_FMT, cfg), SMMU_STRTAB_BASE_CFG_FMT_2LVL);
	assert_int_equal(FIELD_GET(SMMU_STRTAB_BASE_CFG_SPLIT, cfg), 8);
	assert_int_equal(FIELD_GET(SMMU_STRTAB_BASE_CFG_LOG2SIZE, cfg), 16);
	assert_int_equal(reg64(SMMU_STRTAB_BASE) & SMMU_STRTAB_BASE_ADDR, unit->strtab_pa);
	assert_int_equal(reg32(SMMU_CMDQ_CONS), reg32(SMMU_CMDQ_PROD));
	be->device_unbind(dev);
	be->unit_destroy(unit);
	board.unit = NULL;
	assert_int_equal(reg32(SMMU_CR0), SMMU_CR0_SMMUEN);
	assert_int_equal(reg64(SMMU_STRTAB_BASE) & SMMU_STRTAB_BASE_ADDR, board.tables_pa);
	cfg = reg32(SMMU_STRTAB_BASE_CFG);
	assert_int_equal(FIELD_GET(SMMU_STRTAB_BASE_CFG_FMT, cfg), SMMU_STRTAB_BASE_CFG_FMT_LINEAR);
	assert_int_equal(FIELD_GET(SMMU_STRTAB_BASE_CFG_LOG2SIZE, cfg), 6);
	/* QEMU before 8.1 has no GBPA: the library must have said so. */
	if (!(reg32(SMMU_GBPA) & SMMU_GBPA_ABORT)) {
		assert_non_null(strstr(test_host.log, "GBPA.ABORT does not stick"));
	}
}

/* An illegal command stops the queue with CERROR_ILL: the library acknowledges GERROR and
 * the unit enters its error state, refusing changes from then on. */
static void test_command_error_breaks_unit(void **state)
{
	struct smmu_backend_unit *unit = NULL;
	struct smmu_backend_domain *dom;
	struct smmuv3_cmd_batch batch;

	(void)state;
	assert_int_equal(be->unit_create("smmu0", "0x09050000", &unit), 0);
	board.unit = unit;
	assert_int_equal(be->unit_enable(unit), 0);
	smmuv3_batch_init(&batch);
	smmuv3_batch_add(&batch, &(struct smmuv3_cmd){.op = 0xff});
	assert_int_equal(smmuv3_batch_run(unit, &batch), -EIO);
	assert_int_equal(unit->state, SMMUV3_UNIT_BROKEN);
	assert_non_null(strstr(test_host.log, "CERROR_ILL"));
	/* Acknowledged, and the failed command replaced, so the queue ran to its end. */
	assert_int_equal((reg32(SMMU_GERROR) ^ reg32(SMMU_GERRORN)) & SMMU_GERROR_CMDQ_ERR, 0);
	assert_int_equal(reg32(SMMU_CMDQ_CONS) & GENMASK(8, 0), reg32(SMMU_CMDQ_PROD));
	assert_int_equal(be->domain_create(unit, &dom), -EIO);
	be->unit_destroy(unit);
	board.unit = NULL;
	/* Not parked: a broken unit is left as it is, its tables kept. */
	assert_non_null(strstr(test_host.log, "table memory stays reserved"));
	assert_int_equal(reg32(SMMU_CR0), SMMU_CR0_SMMUEN | SMMU_CR0_CMDQEN | SMMU_CR0_EVENTQEN);
}

/* A blocked device's DMA gives F_TRANSLATION events with its StreamID, address and
 * direction, one per 4-byte piece; an unknown StreamID's gives C_BAD_STE. */
static void test_events_reach_the_host(void **state)
{
	struct smmu_backend_unit *unit = NULL;
	struct smmu_backend_device *dev;
	union smmu_devid id = pci_devid(0, 1, 0);
	uint64_t key;

	(void)state;
	assert_int_equal(be->unit_create("smmu0", "0x09050000", &unit), 0);
	board.unit = unit;
	assert_int_equal(be->device_bind(unit, &id, "8", &dev, &key), 0);
	assert_int_equal(be->unit_enable(unit), 0);
	dma("00:01.0", false, DMA_PA + 0x100);
	assert_int_equal(be->fault_drain(unit, 64), 2);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(test_host.faults[i].device_key, EDU1_SID);
		assert_int_equal(test_host.faults[i].address, DMA_PA + 0x100 + 4 * i);
		assert_int_equal(test_host.faults[i].access, SMMU_ACCESS_READ);
		assert_int_equal(FIELD_GET(EVT_0_ID, test_host.faults[i].raw), EVT_F_TRANSLATION);
	}
	dma("00:02.0", true, DMA_PA);
	assert_int_equal(be->fault_drain(unit, 1), 1);
	assert_int_equal(be->fault_drain(unit, 64), 1);
	for (unsigned i = 2; i < 4; i++) {
		assert_int_equal(test_host.faults[i].device_key, EDU2_SID);
		assert_int_equal(test_host.faults[i].address, 0);
		assert_int_equal(FIELD_GET(EVT_0_ID, test_host.faults[i].raw), EVT_C_BAD_STE);
	}
	assert_int_equal(be->fault_drain(unit, 64), 0);
	assert_int_equal(reg32(SMMU_EVENTQ_CONS), reg32(SMMU_EVENTQ_PROD));
	be->device_unbind(dev);
	be->unit_destroy(unit);
	board.unit = NULL;
}

/* More events than the queue holds (3 refused DMAs of 2 KiB: 1536 four-byte pieces, 1024
 * slots) are lost with a warning, not a failure; the queue is drained to its last slot and
 * later events flow again. */
static void test_event_queue_overflow(void **state)
{
	struct smmu_backend_unit *unit = NULL;
	struct smmu_backend_device *dev;
	union smmu_devid id = pci_devid(0, 1, 0);
	uint64_t key;
	int handed = 0, r;

	(void)state;
	assert_int_equal(be->unit_create("smmu0", "0x09050000", &unit), 0);
	board.unit = unit;
	assert_int_equal(be->device_bind(unit, &id, "8", &dev, &key), 0);
	assert_int_equal(be->unit_enable(unit), 0);
	for (unsigned i = 0; i < 3; i++) {
		dma_len("00:01.0", false, DMA_PA + i * 0x1000, 2048);
	}
	while ((r = be->fault_drain(unit, 4096)) > 0) {
		handed += r;
	}
	assert_int_equal(r, 0);
	/* A full queue holds all its slots (full: equal indexes, different wrap bits).  The
	 * spec reports the rest through EVENTQ_PROD.OVFLG; QEMU 7.2 raises
	 * GERROR.EVENTQ_ABT_ERR instead.  Either is said and acknowledged. */
	assert_in_range(handed, 1, 1 << SMMUV3_EVENTQ_LG2);
	assert_true(strstr(test_host.log, "overflowed") || strstr(test_host.log, "EVENTQ_ABT_ERR"));
	assert_int_equal(unit->state, SMMUV3_UNIT_ON);
	test_host.fault_count = 0;
	dma("00:01.0", false, DMA_PA);
	assert_int_equal(be->fault_drain(unit, 64), 2);
	be->device_unbind(dev);
	be->unit_destroy(unit);
	board.unit = NULL;
}

/* translate() reads the live STE, CD and tables: allowed with the address, read-only, not
 * mapped, blocked. */
static void test_translate_follows_live_tables(void **state)
{
	struct smmu_backend_unit *unit = NULL;
	struct smmu_backend_device *dev;
	struct smmu_backend_domain *dom;
	union smmu_devid id = pci_devid(0, 1, 0);
	uint64_t key, pa = 0;
	unsigned refusal = 0;

	(void)state;
	assert_int_equal(be->unit_create("smmu0", "0x09050000", &unit), 0);
	board.unit = unit;
	assert_int_equal(be->device_bind(unit, &id, "8", &dev, &key), 0);
	assert_int_equal(be->unit_enable(unit), 0);
	assert_int_equal(be->domain_create(unit, &dom), 0);
	assert_int_equal(be->map(dom, 0x48000000, DMA_PA, 0x1000, SMMU_PROT_READ), 0);
	assert_int_equal(be->device_attach(dev, dom), 0);
	assert_int_equal(be->translate(dev, 0x48000010, SMMU_ACCESS_READ, &pa, &refusal), 0);
	assert_int_equal(refusal, SMMU_REFUSAL_NONE);
	assert_int_equal(pa, DMA_PA + 0x10);
	assert_int_equal(be->translate(dev, 0x48000010, SMMU_ACCESS_WRITE, &pa, &refusal), 0);
	assert_int_equal(refusal, SMMU_REFUSAL_READ_ONLY);
	assert_int_equal(be->translate(dev, 0x48001000, SMMU_ACCESS_READ, &pa, &refusal), 0);
	assert_int_equal(refusal, SMMU_REFUSAL_NOT_MAPPED);
	/* The DMA agrees: a write to the read-only page is refused by permission. */
	dma("00:01.0", true, 0x48000000);
	assert_int_equal(be->fault_drain(unit, 64), 2);
	assert_int_equal(FIELD_GET(EVT_0_ID, test_host.faults[0].raw), EVT_F_PERMISSION);
	assert_int_equal(test_host.faults[0].access, SMMU_ACCESS_WRITE);
	assert_int_equal(be->unmap(dom, 0x48000000, 0x1000), 0);
	assert_int_equal(be->translate(dev, 0x48000010, SMMU_ACCESS_READ, &pa, &refusal), 0);
	assert_int_equal(refusal, SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(be->device_attach(dev, NULL), 0);
	assert_int_equal(be->translate(dev, 0x48000010, SMMU_ACCESS_READ, &pa, &refusal), 0);
	assert_int_equal(refusal, SMMU_REFUSAL_BLOCKED);
	be->domain_destroy(dom);
	be->device_unbind(dev);
	be->unit_destroy(unit);
	board.unit = NULL;
}

/*
 * Maps one page at an IOVA that needs three tables below the root and attaches EDU1 to it,
 * then stops the command queue behind the library's back (CR0 without CMDQEN), so that the
 * next invalidation never completes.  Returns the table memory in use before the unmap.
 */
static size_t one_page_then_stop_queue(struct smmu_backend_unit **ret_unit,
				       struct smmu_backend_device **ret_dev,
				       struct smmu_backend_domain **ret_dom)
{
	union smmu_devid id = pci_devid(0, 1, 0);
	uint64_t key;

	assert_int_equal(be->unit_create("smmu0", "0x09050000", ret_unit), 0);
	board.unit = *ret_unit;
	assert_int_equal(be->device_bind(*ret_unit, &id, "8", ret_dev, &key), 0);
	assert_int_equal(be->unit_enable(*ret_unit), 0);
	assert_int_equal(be->domain_create(*ret_unit, ret_dom), 0);
	assert_int_equal(
		be->map(*ret_dom, 0x48000000, DMA_PA, 0x1000, SMMU_PROT_READ | SMMU_PROT_WRITE), 0);
	assert_int_equal(be->device_attach(*ret_dev, *ret_dom), 0);
	dma("00:01.0", false, 0x48000000);
	assert_int_equal(be->fault_drain(*ret_unit, 64), 0);
	qemu_unit_board_write32(&board, BOARD_SMMU + SMMU_CR0, SMMU_CR0_SMMUEN | SMMU_CR0_EVENTQEN);
	return hw_table_mem_in_use(smmuv3_tables());
}

static void release_unit(struct smmu_backend_unit *unit, struct smmu_backend_device *dev,
			 struct smmu_backend_domain *dom)
{
	be->device_unbind(dev);
	be->domain_destroy(dom);
	be->unit_destroy(unit);
	board.unit = NULL;
}

/* An unmap whose TLB invalidation never completes breaks the unit, and the tables the unmap
 * unlinked stay allocated: the unit's walk caches may still point at them, so no other
 * table may be built in their pages. */
static void test_failed_unmap_keeps_tables(void **state)
{
	struct smmu_backend_unit *unit = NULL;
	struct smmu_backend_device *dev;
	struct smmu_backend_domain *dom;
	size_t in_use;

	(void)state;
	in_use = one_page_then_stop_queue(&unit, &dev, &dom);
	assert_int_equal(be->unmap(dom, 0x48000000, 0x1000), -EIO);
	assert_int_equal(unit->state, SMMUV3_UNIT_BROKEN);
	assert_int_equal(hw_table_mem_in_use(smmuv3_tables()), in_use);
	release_unit(unit, dev, dom);
}

/* The same for a batch of unmaps, whose emptied tables are unlinked once by the settle. */
static void test_failed_unmap_batch_keeps_tables(void **state)
{
	struct smmu_backend_unit *unit = NULL;
	struct smmu_backend_device *dev;
	struct smmu_backend_domain *dom;
	struct smmu_backend_range range = {.iova = 0x48000000, .size = 0x1000};
	size_t in_use, done = 1;

	(void)state;
	in_use = one_page_then_stop_queue(&unit, &dev, &dom);
	assert_int_equal(be->unmap_batch(dom, &range, 1, &done), -EIO);
	assert_int_equal(done, 0);
	assert_int_equal(unit->state, SMMUV3_UNIT_BROKEN);
	assert_int_equal(hw_table_mem_in_use(smmuv3_tables()), in_use);
	release_unit(unit, dev, dom);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enable_then_park, board_start, board_stop),
		cmocka_unit_test_setup_teardown(test_command_error_breaks_unit, board_start,
						board_stop),
		cmocka_unit_test_setup_teardown(test_events_reach_the_host, board_start,
						board_stop),
		cmocka_unit_test_setup_teardown(test_event_queue_overflow, board_start, board_stop),
		cmocka_unit_test_setup_teardown(test_translate_follows_live_tables, board_start,
						board_stop),
		cmocka_unit_test_setup_teardown(test_failed_unmap_keeps_tables, board_start,
						board_stop),
		cmocka_unit_test_setup_teardown(test_failed_unmap_batch_keeps_tables, board_start,
						board_stop),
	};

	/* Unbuffered, so that a failure's message survives an abort in a teardown. */
	setvbuf(stdout, NULL, _IONBF, 0);
	if (system("command -v qemu-system-aarch64 > /dev/null 2>&1") != 0) {
		printf("1..0 # SKIP qemu-system-aarch64 is not installed\n");
		return 77;
	}
	return cmocka_run_group_tests_name("smmuv3 library on QEMU", tests, NULL, NULL);
}
