/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VT-d library driven directly (no service) against QEMU's intel-iommu on a q35 board:
 * what the conformance suite cannot see from outside.  An unmap whose invalidation fails
 * (the queue stopped behind the library's back) keeps the tables it unlinked allocated.
 * Each case starts and stops its own board; the test reaches registers through its own hw
 * connection to the board's multiplexer (../qemu-unit-board.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../unit/cmocka-all.h"
#include "../../unit/vtd/vtd-test-util.h"
#include "../qemu-unit-board.h"
#include "hw/hw-table-mem.h"

/* The board's unit (SMMU_BOARD_VTD), as a `unit` line's parameters. */
#define BOARD_VTD 0xfed90000u
#define BOARD_VTD_PARAMS "0xfed90000,include-all"
/* Guest RAM for DMA, below the board's tables at 0xc000000; IOVAs within edu's 28 bits. */
#define DMA_PA 0x4000000u
#define DMA_IOVA 0x8000000u

static const struct smmu_backend *const be = &vtd_backend;

static struct qemu_unit_board board;

static int board_start(void **state)
{
	(void)state;
	qemu_unit_board_start(&board, "q35", 1);
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
	board.unit = NULL;
	be->fini();
	if (test_host.problem_count) {
		printf("# library log:\n%s", test_host.log);
	}
	qemu_unit_board_stop(&board);
	return 0;
}

static uint32_t reg32(uint64_t offset)
{
	return qemu_unit_board_read32(&board, BOARD_VTD + offset);
}

/*
 * Maps one page, which needs two tables below the root, attaches edu 00:01.0 to it and lets
 * the device use it (so that the unit caches the walk), then turns queued invalidation off
 * behind the library's back (GCMD without QIE): the hardware no longer reads the queue, so
 * the next invalidation wait never completes.  Skips when the unit has no queue.  Returns
 * the table memory in use before the unmap.
 */
static size_t one_page_then_stop_queue(struct smmu_backend_unit **ret_unit,
				       struct smmu_backend_device **ret_dev,
				       struct smmu_backend_domain **ret_dom)
{
	union smmu_devid id = pci_devid(0, 1, 0);
	uint64_t key;

	assert_int_equal(be->unit_create("dmar0", BOARD_VTD_PARAMS, ret_unit), 0);
	board.unit = *ret_unit;
	if (!(*ret_unit)->caps.qi) {
		skip(); /* ECAP.QI: QEMU's model has offered it since VT-d support began */
	}
	assert_int_equal(be->device_bind(*ret_unit, &id, NULL, ret_dev, &key), 0);
	assert_int_equal(be->unit_enable(*ret_unit), 0);
	assert_true((*ret_unit)->qi_enabled);
	assert_int_equal(be->domain_create(*ret_unit, ret_dom), 0);
	assert_int_equal(
		be->map(*ret_dom, DMA_IOVA, DMA_PA, 0x1000, SMMU_PROT_READ | SMMU_PROT_WRITE), 0);
	assert_int_equal(be->device_attach(*ret_dev, *ret_dom), 0);
	qemu_unit_board_dma(&board, "00:01.0", false, DMA_IOVA, 8);
	assert_int_equal(be->fault_drain(*ret_unit, 64), 0);
	qemu_unit_board_write32(&board, BOARD_VTD + VTD_GCMD_REG,
				reg32(VTD_GSTS_REG) & (uint32_t)VTD_GSTS_PERSISTENT &
					~(uint32_t)VTD_GCMD_QIE);
	assert_int_equal(reg32(VTD_GSTS_REG) & (uint32_t)VTD_GSTS_QIES, 0);
	return hw_table_mem_in_use(vtd_tables());
}

static void release_unit(struct smmu_backend_unit *unit, struct smmu_backend_device *dev,
			 struct smmu_backend_domain *dom)
{
	be->device_unbind(dev);
	be->domain_destroy(dom);
	be->unit_destroy(unit);
	board.unit = NULL;
}

/* An unmap whose IOTLB invalidation never completes breaks the unit, and the tables the
 * unmap unlinked stay allocated: the unit's caches may still point at them, so no other
 * table may be built in their pages. */
static void test_failed_unmap_keeps_tables(void **state)
{
	struct smmu_backend_unit *unit = NULL;
	struct smmu_backend_device *dev;
	struct smmu_backend_domain *dom;
	size_t in_use;

	(void)state;
	in_use = one_page_then_stop_queue(&unit, &dev, &dom);
	assert_int_equal(be->unmap(dom, DMA_IOVA, 0x1000), -EIO);
	assert_int_equal(unit->state, VTD_UNIT_BROKEN);
	assert_non_null(strstr(test_host.log, "queued invalidation did not complete"));
	assert_int_equal(hw_table_mem_in_use(vtd_tables()), in_use);
	release_unit(unit, dev, dom);
}

/* The same for a batch of unmaps, whose emptied tables are unlinked once by the settle. */
static void test_failed_unmap_batch_keeps_tables(void **state)
{
	struct smmu_backend_unit *unit = NULL;
	struct smmu_backend_device *dev;
	struct smmu_backend_domain *dom;
	struct smmu_backend_range range = {.iova = DMA_IOVA, .size = 0x1000};
	size_t in_use, done = 1;

	(void)state;
	in_use = one_page_then_stop_queue(&unit, &dev, &dom);
	assert_int_equal(be->unmap_batch(dom, &range, 1, &done), -EIO);
	assert_int_equal(done, 0);
	assert_int_equal(unit->state, VTD_UNIT_BROKEN);
	assert_non_null(strstr(test_host.log, "queued invalidation did not complete"));
	assert_int_equal(hw_table_mem_in_use(vtd_tables()), in_use);
	release_unit(unit, dev, dom);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_failed_unmap_keeps_tables, board_start,
						board_stop),
		cmocka_unit_test_setup_teardown(test_failed_unmap_batch_keeps_tables, board_start,
						board_stop),
	};

	/* Unbuffered, so that a failure's message survives an abort in a teardown. */
	setvbuf(stdout, NULL, _IONBF, 0);
	if (system("command -v qemu-system-x86_64 > /dev/null 2>&1") != 0) {
		printf("1..0 # SKIP qemu-system-x86_64 is not installed\n");
		return 77;
	}
	return cmocka_run_group_tests_name("vtd library on QEMU", tests, NULL, NULL);
}
