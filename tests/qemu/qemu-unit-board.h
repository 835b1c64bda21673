/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The board of the tests that drive a support library directly on QEMU (smmuv3/,
 * vtd/ *-unit): starting and stopping one smmu-board per case, the test's own hw connection
 * to it for reading and writing registers behind the library's back, and edu DMA.  What the
 * library is, its host and its units are each test's.  Include after cmocka-all.h; failures
 * are cmocka failures.
 */
#ifndef SMMU_TESTS_QEMU_UNIT_BOARD_H
#define SMMU_TESTS_QEMU_UNIT_BOARD_H

#include <stdbool.h>
#include <stdint.h>

struct hw_bus;
struct smmu_backend_unit;

/* Owner: the test; filled by qemu_unit_board_start(), emptied by qemu_unit_board_stop(). */
struct qemu_unit_board {
	char dir[64];
	char hw[1024];			/* SMMU_BOARD_HW: the hw_open() spec */
	uint64_t tables_pa;		/* SMMU_BOARD_TABLES: table memory's first address */
	struct hw_bus *bus;		/* the test's own connection */
	struct smmu_backend_unit *unit; /* the case's unit, for the test's teardown */
};

void qemu_unit_board_start(struct qemu_unit_board *board, const char *machine, unsigned edu_count);
void qemu_unit_board_stop(struct qemu_unit_board *board);
uint32_t qemu_unit_board_read32(struct qemu_unit_board *board, uint64_t pa);
uint64_t qemu_unit_board_read64(struct qemu_unit_board *board, uint64_t pa);
void qemu_unit_board_write32(struct qemu_unit_board *board, uint64_t pa, uint32_t value);
void qemu_unit_board_dma(struct qemu_unit_board *board, const char *device, bool write,
			 uint64_t iova, unsigned len);

#endif
