/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers of the soft backend's tests: a host whose fault() records into an array and whose
 * log() keeps the lines, and a fixture of one enabled unit with one device attached to one
 * domain.  Tests call the backend only through the struct smmu_backend it exports.
 * Include after cmocka-all.h.
 */
#ifndef SMMU_TESTS_SOFT_TEST_UTIL_H
#define SMMU_TESTS_SOFT_TEST_UTIL_H

#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "backends/soft/soft.h"

#define SOFT_TEST_MAX_FAULTS 1024
#define SOFT_TEST_MAX_LOG 4096

/* What the backend told the core. */
struct soft_test_host {
	struct smmu_backend_host host;
	struct smmu_backend_fault faults[SOFT_TEST_MAX_FAULTS];
	struct smmu_backend_unit *fault_units[SOFT_TEST_MAX_FAULTS];
	size_t fault_count;
	char log[SOFT_TEST_MAX_LOG]; /* every line, each ending in '\n' */
	size_t log_len;
	unsigned log_count;
	unsigned problem_count; /* lines at LOG_WARNING or more severe */
	int last_priority;
};

static struct soft_test_host test_host;
static const struct smmu_backend *const be = &soft_backend;

static inline void SMMU_PRINTF(3, 4) soft_test_log(void *ctx, int priority, const char *fmt, ...)
{
	struct soft_test_host *h = ctx;
	va_list ap;

	va_start(ap, fmt);
	if (h->log_len < sizeof(h->log)) {
		int n = vsnprintf(h->log + h->log_len, sizeof(h->log) - h->log_len, fmt, ap);

		h->log_len += n > 0 ? (size_t)n : 0;
		if (h->log_len + 1 < sizeof(h->log)) {
			h->log[h->log_len++] = '\n';
			h->log[h->log_len] = '\0';
		}
	}
	va_end(ap);
	h->log_count++;
	h->problem_count += priority <= LOG_WARNING;
	h->last_priority = priority;
}

static inline void soft_test_fault(void *ctx, struct smmu_backend_unit *unit,
				   const struct smmu_backend_fault *fault)
{
	struct soft_test_host *h = ctx;

	assert_true(h->fault_count < SOFT_TEST_MAX_FAULTS);
	h->faults[h->fault_count] = *fault;
	h->fault_units[h->fault_count] = unit;
	h->fault_count++;
}

/* A fresh host: no faults, no log. */
static inline const struct smmu_backend_host *soft_test_host_reset(void)
{
	memset(&test_host, 0, sizeof(test_host));
	test_host.host = (struct smmu_backend_host){
		.abi_version = SMMU_BACKEND_ABI_VERSION,
		.size = sizeof(test_host.host),
		.ctx = &test_host,
		.log = soft_test_log,
		.fault = soft_test_fault,
	};
	return &test_host.host;
}

/* Fails unless some log line contains `text`, printing the log. */
#define assert_logged(text)                                                              \
	do {                                                                             \
		if (!strstr(test_host.log, (text))) {                                    \
			fail_msg("no log line contains \"%s\"; the log is:\n%s", (text), \
				 test_host.log);                                         \
		}                                                                        \
	} while (0)

/* How many times `text` occurs in the log. */
static inline unsigned count_logged(const char *text)
{
	unsigned count = 0;

	for (const char *p = strstr(test_host.log, text); p; p = strstr(p + 1, text)) {
		count++;
	}
	return count;
}

/* Both values in hexadecimal when they differ. */
#define assert_hex_equal(a, b)                                                                    \
	do {                                                                                      \
		uint64_t a_ = (uint64_t)(a);                                                      \
		uint64_t b_ = (uint64_t)(b);                                                      \
		if (a_ != b_) {                                                                   \
			fail_msg("%s = 0x%" PRIx64 ", expected %s = 0x%" PRIx64, #a, a_, #b, b_); \
		}                                                                                 \
	} while (0)

static inline bool fd_readable(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int r = poll(&pfd, 1, 0);

	assert_true(r >= 0);
	return r == 1 && (pfd.revents & POLLIN);
}

static inline uint64_t pci_key(unsigned bus, unsigned dev, unsigned func)
{
	return (uint64_t)bus << 8 | dev << 3 | func;
}

static inline union smmu_devid pci_devid(unsigned bus, unsigned dev, unsigned func)
{
	return (union smmu_devid){.pci = {SDT_PCI, bus, dev, func}};
}

static inline union smmu_devid mmio_devid(uint64_t phys)
{
	return (union smmu_devid){.mmio = {SDT_MMIO, 0x1000, phys}};
}

/* One enabled unit "soft0" listing pci:0:1.0, that device bound and attached to a domain. */
struct soft_fixture {
	struct smmu_backend_unit *unit;
	struct smmu_backend_device *device;
	struct smmu_backend_domain *domain;
	uint64_t key;
};

static inline void soft_fixture_open(struct soft_fixture *fx, const char *params)
{
	union smmu_devid devid = pci_devid(0, 1, 0);

	memset(fx, 0, sizeof(*fx));
	assert_int_equal(be->init(soft_test_host_reset(), params), 0);
	assert_int_equal(be->unit_create("soft0", "pci:0:1.0", &fx->unit), 0);
	assert_int_equal(be->device_bind(fx->unit, &devid, NULL, &fx->device, &fx->key), 0);
	assert_int_equal(be->domain_create(fx->unit, &fx->domain), 0);
	assert_int_equal(be->device_attach(fx->device, fx->domain), 0);
	assert_int_equal(be->unit_enable(fx->unit), 0);
}

static inline void soft_fixture_close(struct soft_fixture *fx)
{
	be->device_unbind(fx->device);
	be->domain_destroy(fx->domain);
	be->unit_destroy(fx->unit);
	be->fini();
}

static inline int soft_fixture_setup(void **state)
{
	static struct soft_fixture fx;

	soft_fixture_open(&fx, NULL);
	*state = &fx;
	return 0;
}

static inline int soft_fixture_teardown(void **state)
{
	soft_fixture_close(*state);
	return 0;
}

/* One access; returns the refusal and, when allowed, *ret_pa. */
static inline unsigned access_of(struct smmu_backend_device *device, uint64_t iova, unsigned access,
				 uint64_t *ret_pa)
{
	unsigned refusal = 99;
	uint64_t pa = ~0ull;

	assert_int_equal(be->translate(device, iova, access, &pa, &refusal), 0);
	if (ret_pa) {
		*ret_pa = pa;
	}
	return refusal;
}

#endif
