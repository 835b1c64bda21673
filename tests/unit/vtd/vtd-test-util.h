/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers of the VT-d library's tests, over backend-test-util.h (the recording host, the file
 * machine): the file machine's unit holds registers as QEMU's intel-iommu resets them.  A file
 * does not answer register handshakes, so tests that use it stay before unit_enable(), where
 * the library changes tables without touching a register; QEMU is tests/qemu/vtd.  Include
 * after cmocka-all.h.
 */
#ifndef SMMU_TESTS_VTD_TEST_UTIL_H
#define SMMU_TESTS_VTD_TEST_UTIL_H

#include <stdio.h>

#include "../backend-test-util.h"
#include "backends/vtd/vtd.h"

/* QEMU 7.2's intel-iommu after reset (DESIGN.md, read on these machines): VT-d 1.0, 39-bit
 * 3-level tables, 2 MiB and 1 GiB pages, one fault record at 0x220, IOTLB registers at 0xf0,
 * page-selective invalidation with MAMV 18, queued invalidation, no caching mode. */
#define QEMU_VER 0x10u
#define QEMU_CAP 0x00d2008c22260206ull
#define QEMU_ECAP 0x0000000000f00f4aull

/* The file machine: registers at 64 KiB, table memory [1 MiB, 2 MiB), 2 MiB in all. */
#define FILE_REG_BASE 0x10000u
#define FILE_TABLES_PA 0x100000u
#define FILE_TABLES_SIZE 0x100000u
#define FILE_SIZE 0x200000u

/* A machine with a unit that reads like QEMU's, with `cap` and `ecap` instead if non-zero. */
static inline void file_machine_create(struct file_machine *m, uint64_t cap, uint64_t ecap)
{
	file_machine_open(m, "vtd", FILE_SIZE, FILE_REG_BASE, FILE_TABLES_PA, FILE_TABLES_SIZE);
	file_reg_write32(m, VTD_VER_REG, QEMU_VER);
	file_reg_write64(m, VTD_CAP_REG, cap ? cap : QEMU_CAP);
	file_reg_write64(m, VTD_ECAP_REG, ecap ? ecap : QEMU_ECAP);
	/* Fault event control after reset: masked (QEMU's vtd_init). */
	file_reg_write32(m, VTD_FECTL_REG, (uint32_t)VTD_FECTL_IM);
}

/* "0x10000" plus `extra` (",include-all" ...), the unit line of the file machine. */
static inline const char *file_unit_params(const char *extra, char *buf, size_t size)
{
	snprintf(buf, size, "0x%x%s", FILE_REG_BASE, extra ? extra : "");
	return buf;
}

#endif
