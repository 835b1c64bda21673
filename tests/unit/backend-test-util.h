/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers of the tests of the support libraries that reach hardware through hw/ (vtd/,
 * smmuv3/, and tests/qemu/smmuv3): a host whose fault() records into an array and whose log()
 * keeps the lines, and a machine made of one ordinary file (the devmem provider's test mode:
 * file offset N is physical address N) holding a unit's registers and a table-memory range.
 * Which registers the file holds, and where, is each library's helper's (vtd-test-util.h,
 * smmuv3-test-util.h).  Include after cmocka-all.h.
 */
#ifndef SMMU_TESTS_BACKEND_TEST_UTIL_H
#define SMMU_TESTS_BACKEND_TEST_UTIL_H

#include <endian.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <syslog.h>
#include <unistd.h>

#include "core/backend.h"

#define BACKEND_TEST_MAX_FAULTS 64
#define BACKEND_TEST_MAX_LOG 8192

struct backend_test_host {
	struct smmu_backend_host host;
	struct smmu_backend_fault faults[BACKEND_TEST_MAX_FAULTS];
	size_t fault_count;
	char log[BACKEND_TEST_MAX_LOG]; /* every line, each ending in '\n' */
	size_t log_len;
	unsigned problem_count; /* lines at LOG_WARNING or more severe */
};

static struct backend_test_host test_host;

static inline void SMMU_PRINTF(3, 4) backend_test_log(void *ctx, int priority, const char *fmt, ...)
{
	struct backend_test_host *h = ctx;
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

static inline void backend_test_fault(void *ctx, struct smmu_backend_unit *unit,
				      const struct smmu_backend_fault *fault)
{
	struct backend_test_host *h = ctx;

	(void)unit;
	/* Counted all, kept the first BACKEND_TEST_MAX_FAULTS (QEMU can write a thousand). */
	if (h->fault_count < BACKEND_TEST_MAX_FAULTS) {
		h->faults[h->fault_count] = *fault;
	}
	h->fault_count++;
}

/* A fresh host for `platform` (a hw spec, or NULL): no faults, no log. */
static inline const struct smmu_backend_host *backend_test_host_reset(const char *platform)
{
	memset(&test_host, 0, sizeof(test_host));
	test_host.host = (struct smmu_backend_host){
		.abi_version = SMMU_BACKEND_ABI_VERSION,
		.size = sizeof(test_host.host),
		.ctx = &test_host,
		.log = backend_test_log,
		.fault = backend_test_fault,
		.platform = platform,
	};
	return &test_host.host;
}

/* The file machine, mapped for the test's own look at registers and tables. */
struct file_machine {
	char path[64];
	char spec[160];
	uint8_t *mem;
	size_t size;
	uint64_t reg_base; /* of the unit's registers */
};

static inline void file_reg_write32(struct file_machine *m, uint64_t offset, uint32_t value)
{
	uint32_t le = htole32(value);

	memcpy(m->mem + m->reg_base + offset, &le, sizeof(le));
}

static inline void file_reg_write64(struct file_machine *m, uint64_t offset, uint64_t value)
{
	uint64_t le = htole64(value);

	memcpy(m->mem + m->reg_base + offset, &le, sizeof(le));
}

static inline uint32_t file_reg_read32(const struct file_machine *m, uint64_t offset)
{
	uint32_t le;

	memcpy(&le, m->mem + m->reg_base + offset, sizeof(le));
	return le32toh(le);
}

static inline uint64_t file_mem_read64(const struct file_machine *m, uint64_t pa)
{
	uint64_t le;

	assert_true(pa + 8 <= m->size);
	memcpy(&le, m->mem + pa, sizeof(le));
	return le64toh(le);
}

/* A zeroed machine of `size` bytes for the `type` library's tests: registers at `reg_base`,
 * table memory [tables_pa, tables_pa + tables_size).  The caller writes the registers. */
static inline void file_machine_open(struct file_machine *m, const char *type, size_t size,
				     uint64_t reg_base, uint64_t tables_pa, uint64_t tables_size)
{
	int fd;

	snprintf(m->path, sizeof(m->path), "/tmp/test-%s-machine.XXXXXX", type);
	fd = mkstemp(m->path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	m->mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(m->mem != MAP_FAILED);
	close(fd);
	m->size = size;
	m->reg_base = reg_base;
	snprintf(m->spec, sizeof(m->spec), "devmem:mem=%s,tables=0x%llx,0x%llx", m->path,
		 (unsigned long long)tables_pa, (unsigned long long)tables_size);
}

static inline void file_machine_destroy(struct file_machine *m)
{
	munmap(m->mem, m->size);
	unlink(m->path);
}

static inline union smmu_devid pci_devid(unsigned bus, unsigned dev, unsigned func)
{
	union smmu_devid id = {.pci = {.type = SDT_PCI, .bus = bus, .dev = dev, .func = func}};

	return id;
}

#endif
