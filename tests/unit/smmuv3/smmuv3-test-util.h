/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers of the SMMUv3 library's tests, over backend-test-util.h (the recording host, the
 * file machine): the file machine's unit holds ID registers as QEMU 7.2's smmuv3 model resets
 * them.  A file does not answer handshakes (CR0ACK, CMD_SYNC), so tests that use it stay
 * before unit_enable(), where the library builds tables without touching a register; QEMU is
 * tests/qemu/smmuv3.  Include after cmocka-all.h.
 */
#ifndef SMMU_TESTS_SMMUV3_TEST_UTIL_H
#define SMMU_TESTS_SMMUV3_TEST_UTIL_H

#include "../backend-test-util.h"
#include "backends/smmuv3/smmuv3.h"

/* QEMU 7.2's smmuv3 after reset, read on these machines through qtest: IDR0 stage 1 only,
 * AArch64 tables, coherent, 16-bit ASIDs, little endian, no stalls, terminate model,
 * two-level stream tables; IDR1 SIDSIZE 16, queues up to 2^19; IDR3 RIL; IDR5 OAS 44 bits,
 * 4, 16 and 64 KiB granules; AIDR SMMUv3.1. */
#define QEMU_IDR0 0x0d40101au
#define QEMU_IDR1 0x02730010u
#define QEMU_IDR3 0x00001404u
#define QEMU_IDR5 0x00000074u
#define QEMU_IIDR 0x00000000u
#define QEMU_AIDR 0x00000001u

/* The file machine: registers at 64 KiB (a 128 KiB frame), table memory [1 MiB, 3 MiB). */
#define FILE_REG_BASE 0x10000u
#define FILE_TABLES_PA 0x100000u
#define FILE_TABLES_SIZE 0x200000u
#define FILE_SIZE 0x300000u

/* A machine with a unit whose IDR0, IDR1 and IDR5 read like QEMU's, or the values given
 * when non-zero. */
static inline void file_machine_create(struct file_machine *m, uint32_t idr0, uint32_t idr1,
				       uint32_t idr5)
{
	file_machine_open(m, "smmuv3", FILE_SIZE, FILE_REG_BASE, FILE_TABLES_PA, FILE_TABLES_SIZE);
	file_reg_write32(m, SMMU_IDR0, idr0 ? idr0 : QEMU_IDR0);
	file_reg_write32(m, SMMU_IDR1, idr1 ? idr1 : QEMU_IDR1);
	file_reg_write32(m, SMMU_IDR3, QEMU_IDR3);
	file_reg_write32(m, SMMU_IDR5, idr5 ? idr5 : QEMU_IDR5);
	file_reg_write32(m, SMMU_IIDR, QEMU_IIDR);
	file_reg_write32(m, SMMU_AIDR, QEMU_AIDR);
}

#endif
