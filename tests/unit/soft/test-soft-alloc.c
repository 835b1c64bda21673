/* SPDX-License-Identifier: Apache-2.0 */
/* Every allocation of the soft backend can fail: each failure point is -ENOMEM, nothing leaks
 * (LeakSanitizer in the sanitizer build), and the next attempt works. */
#include <errno.h>

#include "cmocka-all.h"
#include "common/alloc.h"
#include "soft-test-util.h"

/* A unit with a device and a domain, a mapping, a refused access and its drain; everything is
 * freed whatever happened.  Returns 0 or the first error. */
static int build_and_tear_down(void)
{
	union smmu_devid devid = pci_devid(0, 1, 0);
	struct smmu_backend_unit *unit = NULL;
	struct smmu_backend_device *device = NULL;
	struct smmu_backend_domain *domain = NULL;
	uint64_t key;
	int r = be->unit_create("soft0", "pci:0:1.0,mem:1000,pci:0:2.0", &unit);

	if (r == 0) {
		r = be->device_bind(unit, &devid, NULL, &device, &key);
	}
	if (r == 0) {
		r = be->domain_create(unit, &domain);
	}
	if (r == 0) {
		r = be->map(domain, 0x1000, 0x2000, 0x1000, SMMU_PROT_READ);
	}
	if (r == 0) {
		r = be->device_attach(device, domain);
	}
	if (r == 0) {
		r = be->unit_enable(unit);
	}
	if (r == 0) {
		assert_int_equal(access_of(device, 0x1000, SMMU_ACCESS_WRITE, NULL),
				 SMMU_REFUSAL_READ_ONLY);
		assert_int_equal(be->fault_drain(unit, 4), 1);
	}
	be->device_unbind(device);
	be->domain_destroy(domain);
	be->unit_destroy(unit);
	return r;
}

/* Failing the n-th allocation, for every n, gives -ENOMEM and a clean state. */
static void test_each_allocation_failure_is_enomem(void **state)
{
	long n;

	(void)state;
	assert_int_equal(be->init(soft_test_host_reset(), "format=lpae-s2"), 0);
	for (n = 0; n < 1000; n++) {
		int r;

		smmu_alloc_fail_after(n);
		r = build_and_tear_down();
		smmu_alloc_fail_after(-1);
		if (r == 0) {
			break;
		}
		assert_int_equal(r, -ENOMEM);
	}
	assert_true(n > 0 && n < 1000);
	assert_int_equal(build_and_tear_down(), 0);
	be->fini();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_allocation_failure_is_enomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
