/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers of the SMMUv3 library's tests: a host whose fault() records into an array and whose
 * log() keeps the lines, and a machine made of one ordinary file (the devmem provider's test
 * mode: file offset N is physical address N) holding a unit's ID registers, as QEMU 7.2's
 * smmuv3 model resets them, and a table-memory range.  A file does not answer handshakes
 * (CR0ACK, CMD_SYNC), so tests that use it stay before unit_enable(), where the library
 * builds tables without touching a register; QEMU is tests/qemu/smmuv3.  Include after
 * cmocka-all.h.
 */
#ifndef SMMU_TESTS_SMMUV3_TEST_UTIL_H
#define SMMU_TESTS_SMMUV3_TEST_UTIL_H

#include <endian.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <syslog.h>
#include <unistd.h>

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

#define SMMUV3_TEST_MAX_FAULTS 64
#define SMMUV3_TEST_MAX_LOG 8192

struct smmuv3_test_host {
	struct smmu_backend_host host;
	struct smmu_backend_fault faults[SMMUV3_TEST_MAX_FAULTS];
	size_t fault_count;
	char log[SMMUV3_TEST_MAX_LOG]; /* every line, each ending in '\n' */
	size_t log_len;
	unsigned problem_count; /* lines at LOG_WARNING or more severe */
};

static struct smmuv3_test_host test_host;

static inline void SMMU_PRINTF(3, 4) smmuv3_test_log(void *ctx, int priority, const char *fmt, ...)
{
	struct smmuv3_test_host *h = ctx;
	va_list ap;

	va_start(ap, fmt);
	if (h->log_len < sizeof(h->log)) {
		int n = vsnprintf(h->log + h->log_len, sizeof(h->log) - h->log_len, fmt, ap);

		h->log_len += n > 0 ? (size_t)n : 0;
		if (h->log_len + 1 < sizeof(h->log)) {
			h->log[h->log_len++] = '\n';
			h->log[h->log_len] = '\0';
		} else {
			h->log_len = sizeof(h->log);
		}
	}
	va_end(ap);
	h->problem_count += priority <= LOG_WARNING;
}

static inline void smmuv3_test_fault(void *ctx, struct smmu_backend_unit *unit,
				     const struct smmu_backend_fault *fault)
{
	struct smmuv3_test_host *h = ctx;

	(void)unit;
	/* Counted all, kept the first SMMUV3_TEST_MAX_FAULTS (QEMU can write a thousand). */
	if (h->fault_count < SMMUV3_TEST_MAX_FAULTS) {
		h->faults[h->fault_count] = *fault;
	}
	h->fault_count++;
}

/* A fresh host for `platform` (a hw spec, or NULL): no faults, no log. */
static inline const struct smmu_backend_host *smmuv3_test_host_reset(const char *platform)
{
	memset(&test_host, 0, sizeof(test_host));
	test_host.host = (struct smmu_backend_host){
		.abi_version = SMMU_BACKEND_ABI_VERSION,
		.size = sizeof(test_host.host),
		.ctx = &test_host,
		.log = smmuv3_test_log,
		.fault = smmuv3_test_fault,
		.platform = platform,
	};
	return &test_host.host;
}

/* The file machine, mapped for the test's own look at registers and tables. */
struct file_machine {
	char path[64];
	char spec[160];
	uint8_t *mem;
};

static inline void file_reg_write32(struct file_machine *m, uint64_t offset, uint32_t value)
{
	uint32_t le = htole32(value);

	memcpy(m->mem + FILE_REG_BASE + offset, &le, sizeof(le));
}

static inline uint64_t file_mem_read64(const struct file_machine *m, uint64_t pa)
{
	uint64_t le;

	assert_true(pa + 8 <= FILE_SIZE);
	memcpy(&le, m->mem + pa, sizeof(le));
	return le64toh(le);
}

/* A machine with a unit whose IDR0, IDR1 and IDR5 read like QEMU's, or the values given
 * when non-zero. */
static inline void file_machine_create(struct file_machine *m, uint32_t idr0, uint32_t idr1,
				       uint32_t idr5)
{
	int fd;

	strcpy(m->path, "/tmp/test-smmuv3-machine.XXXXXX");
	fd = mkstemp(m->path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, FILE_SIZE), 0);
	m->mem = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(m->mem != MAP_FAILED);
	close(fd);
	snprintf(m->spec, sizeof(m->spec), "devmem:mem=%s,tables=0x%x,0x%x", m->path,
		 FILE_TABLES_PA, FILE_TABLES_SIZE);
	file_reg_write32(m, SMMU_IDR0, idr0 ? idr0 : QEMU_IDR0);
	file_reg_write32(m, SMMU_IDR1, idr1 ? idr1 : QEMU_IDR1);
	file_reg_write32(m, SMMU_IDR3, QEMU_IDR3);
	file_reg_write32(m, SMMU_IDR5, idr5 ? idr5 : QEMU_IDR5);
	file_reg_write32(m, SMMU_IIDR, QEMU_IIDR);
	file_reg_write32(m, SMMU_AIDR, QEMU_AIDR);
}

static inline void file_machine_destroy(struct file_machine *m)
{
	munmap(m->mem, FILE_SIZE);
	unlink(m->path);
}

static inline union smmu_devid pci_devid(unsigned bus, unsigned dev, unsigned func)
{
	union smmu_devid id = {.pci = {.type = SDT_PCI, .bus = bus, .dev = dev, .func = func}};

	return id;
}

#endif
