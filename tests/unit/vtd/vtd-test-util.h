/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers of the VT-d library's tests: a host whose fault() records into an array and whose
 * log() keeps the lines, and a machine made of one ordinary file (the devmem provider's
 * test mode: file offset N is physical address N) holding a unit's registers, as QEMU's
 * intel-iommu resets them, and a table-memory range.  A file does not answer register
 * handshakes, so tests that use it stay before unit_enable(), where the library changes
 * tables without touching a register; QEMU is tests/qemu/vtd.  Include after cmocka-all.h.
 */
#ifndef SMMU_TESTS_VTD_TEST_UTIL_H
#define SMMU_TESTS_VTD_TEST_UTIL_H

#include <endian.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <syslog.h>
#include <unistd.h>

#include "backends/vtd/vtd.h"

#define VTD_TEST_MAX_FAULTS 64
#define VTD_TEST_MAX_LOG 8192

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

struct vtd_test_host {
	struct smmu_backend_host host;
	struct smmu_backend_fault faults[VTD_TEST_MAX_FAULTS];
	size_t fault_count;
	char log[VTD_TEST_MAX_LOG]; /* every line, each ending in '\n' */
	size_t log_len;
	unsigned problem_count; /* lines at LOG_WARNING or more severe */
};

static struct vtd_test_host test_host;

static inline void SMMU_PRINTF(3, 4) vtd_test_log(void *ctx, int priority, const char *fmt, ...)
{
	struct vtd_test_host *h = ctx;
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

static inline void vtd_test_fault(void *ctx, struct smmu_backend_unit *unit,
				  const struct smmu_backend_fault *fault)
{
	struct vtd_test_host *h = ctx;

	(void)unit;
	assert_true(h->fault_count < VTD_TEST_MAX_FAULTS);
	h->faults[h->fault_count++] = *fault;
}

/* A fresh host for `platform` (a hw spec, or NULL): no faults, no log. */
static inline const struct smmu_backend_host *vtd_test_host_reset(const char *platform)
{
	memset(&test_host, 0, sizeof(test_host));
	test_host.host = (struct smmu_backend_host){
		.abi_version = SMMU_BACKEND_ABI_VERSION,
		.size = sizeof(test_host.host),
		.ctx = &test_host,
		.log = vtd_test_log,
		.fault = vtd_test_fault,
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

static inline void file_reg_write64(struct file_machine *m, uint64_t offset, uint64_t value)
{
	uint64_t le = htole64(value);

	memcpy(m->mem + FILE_REG_BASE + offset, &le, sizeof(le));
}

static inline uint32_t file_reg_read32(const struct file_machine *m, uint64_t offset)
{
	uint32_t le;

	memcpy(&le, m->mem + FILE_REG_BASE + offset, sizeof(le));
	return le32toh(le);
}

static inline uint64_t file_mem_read64(const struct file_machine *m, uint64_t pa)
{
	uint64_t le;

	assert_true(pa + 8 <= FILE_SIZE);
	memcpy(&le, m->mem + pa, sizeof(le));
	return le64toh(le);
}

/* A machine with a unit that reads like QEMU's, with `cap` and `ecap` instead if non-zero. */
static inline void file_machine_create(struct file_machine *m, uint64_t cap, uint64_t ecap)
{
	int fd;

	strcpy(m->path, "/tmp/test-vtd-machine.XXXXXX");
	fd = mkstemp(m->path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, FILE_SIZE), 0);
	m->mem = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(m->mem != MAP_FAILED);
	close(fd);
	snprintf(m->spec, sizeof(m->spec), "devmem:mem=%s,tables=0x%x,0x%x", m->path,
		 FILE_TABLES_PA, FILE_TABLES_SIZE);
	file_reg_write32(m, VTD_VER_REG, QEMU_VER);
	file_reg_write64(m, VTD_CAP_REG, cap ? cap : QEMU_CAP);
	file_reg_write64(m, VTD_ECAP_REG, ecap ? ecap : QEMU_ECAP);
	/* Fault event control after reset: masked (QEMU's vtd_init). */
	file_reg_write32(m, VTD_FECTL_REG, (uint32_t)VTD_FECTL_IM);
}

static inline void file_machine_destroy(struct file_machine *m)
{
	munmap(m->mem, FILE_SIZE);
	unlink(m->path);
}

/* "0x10000" plus `extra` (",include-all" ...), the unit line of the file machine. */
static inline const char *file_unit_params(const char *extra, char *buf, size_t size)
{
	snprintf(buf, size, "0x%x%s", FILE_REG_BASE, extra ? extra : "");
	return buf;
}

static inline union smmu_devid pci_devid(unsigned bus, unsigned dev, unsigned func)
{
	union smmu_devid id = {.pci = {.type = SDT_PCI, .bus = bus, .dev = dev, .func = func}};

	return id;
}

#endif
