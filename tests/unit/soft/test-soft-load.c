/* SPDX-License-Identifier: Apache-2.0 */
/* smmu-soft.so as the service loads it: the file is found by its type, exports a descriptor of
 * this ABI, and the descriptor works through dlopen(). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmocka-all.h"
#include "module-test-util.h"

static struct smmu_backend_fault received[8];
static unsigned received_count;

static void SMMU_PRINTF(3, 4) host_log(void *ctx, int priority, const char *fmt, ...)
{
	(void)ctx;
	(void)priority;
	(void)fmt;
}

static void host_fault(void *ctx, struct smmu_backend_unit *unit,
		       const struct smmu_backend_fault *fault)
{
	(void)ctx;
	(void)unit;
	assert_true(received_count < 8);
	received[received_count++] = *fault;
}

static const struct smmu_backend_host host = {
	.abi_version = SMMU_BACKEND_ABI_VERSION,
	.size = sizeof(host),
	.log = host_log,
	.fault = host_fault,
};

static void load(bool safety, struct srv_backend_library *ret)
{
	module_test_load(MODULE_DIR, "soft", safety, ret);
}

/* `smmu soft` loads smmu-soft.so, whose descriptor has this ABI, its size, its name and its name;
 * srv_backend_load() has checked that every operation is there. */
static void test_module_exports_a_complete_descriptor(void **state)
{
	struct srv_backend_library lib;

	(void)state;
	load(false, &lib);
	assert_module_descriptor(&lib, "soft");
	srv_backend_unload(&lib);
}

/* The safety service has no smmu-soft-safety.so and falls back to smmu-soft.so. */
static void test_safety_service_falls_back_to_soft(void **state)
{
	struct srv_backend_library lib;

	(void)state;
	load(true, &lib);
	assert_string_equal(lib.backend->name, "soft");
	srv_backend_unload(&lib);
}

/* Through the loaded module: a mapping translates, and a refused write reaches host->fault. */
static void test_loaded_module_translates_and_faults(void **state)
{
	union smmu_devid devid = {.pci = {SDT_PCI, 0, 1, 0}};
	struct srv_backend_library lib;
	const struct smmu_backend *b;
	struct smmu_backend_unit *unit;
	struct smmu_backend_device *device;
	struct smmu_backend_domain *domain;
	unsigned refusal;
	uint64_t key, pa = 0;

	(void)state;
	load(false, &lib);
	b = lib.backend;
	received_count = 0;
	assert_int_equal(b->init(&host, "format=lpae-s1"), 0);
	assert_int_equal(b->unit_create("soft0", "pci:0:1.0", &unit), 0);
	assert_int_equal(b->device_bind(unit, &devid, NULL, &device, &key), 0);
	assert_int_equal(b->domain_create(unit, &domain), 0);
	assert_int_equal(b->map(domain, 0x10000, 0x90000, 0x1000, SMMU_PROT_READ), 0);
	assert_int_equal(b->device_attach(device, domain), 0);
	assert_int_equal(b->unit_enable(unit), 0);
	assert_int_equal(b->translate(device, 0x10040, SMMU_ACCESS_READ, &pa, &refusal), 0);
	assert_int_equal(refusal, SMMU_REFUSAL_NONE);
	assert_int_equal(pa, 0x90040);
	assert_int_equal(b->translate(device, 0x10040, SMMU_ACCESS_WRITE, &pa, &refusal), 0);
	assert_int_equal(refusal, SMMU_REFUSAL_READ_ONLY);
	assert_int_equal(b->fault_drain(unit, 8), 1);
	assert_int_equal(received_count, 1);
	assert_int_equal(received[0].device_key, key);
	assert_int_equal(received[0].address, 0x10040);
	b->device_unbind(device);
	b->domain_destroy(domain);
	b->unit_destroy(unit);
	b->fini();
	srv_backend_unload(&lib);
}

#define TEST(t) cmocka_unit_test(t)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_module_exports_a_complete_descriptor),
		TEST(test_safety_service_falls_back_to_soft),
		TEST(test_loaded_module_translates_and_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
