/* SPDX-License-Identifier: Apache-2.0 */
/* Which devices a soft unit binds (its list, `use` lines, never wildcards) and the fault key
 * each gets. */
#include <errno.h>
#include <string.h>

#include "cmocka-all.h"
#include "soft-test-util.h"

static int start(void **state)
{
	(void)state;
	assert_int_equal(be->init(soft_test_host_reset(), NULL), 0);
	return 0;
}

static int stop(void **state)
{
	(void)state;
	be->fini();
	return 0;
}

/* Binds devid to a fresh unit with `list`; returns the result and the key on success. */
static int bind_to_new_unit(const char *list, union smmu_devid devid, const char *use_param,
			    uint64_t *ret_key)
{
	struct smmu_backend_unit *unit;
	struct smmu_backend_device *device = NULL;
	uint64_t key = 0xdead;
	int r;

	assert_int_equal(be->unit_create("soft0", list, &unit), 0);
	r = be->device_bind(unit, &devid, use_param, &device, &key);
	if (r == 0) {
		be->device_unbind(device);
		if (ret_key) {
			*ret_key = key;
		}
	} else {
		assert_null(device);
		assert_hex_equal(key, 0xdead);
	}
	be->unit_destroy(unit);
	return r;
}

/* A listed PCI function binds without a use line; its key is bus << 8 | dev << 3 | func. */
static void test_listed_pci_device_binds_with_source_id_key(void **state)
{
	uint64_t key;

	(void)state;
	assert_int_equal(bind_to_new_unit("mem:1000,pci:3:31.7", pci_devid(3, 31, 7), NULL, &key),
			 0);
	assert_hex_equal(key, 0x3ff);
	assert_hex_equal(key, pci_key(3, 31, 7));
}

/* A listed memory device binds without a use line; its key is bit 63 and its base. */
static void test_listed_memory_device_binds_with_base_key(void **state)
{
	uint64_t key;

	(void)state;
	assert_int_equal(
		bind_to_new_unit("pci:0:1.0,mem:fe000000", mmio_devid(0xfe000000), NULL, &key), 0);
	assert_hex_equal(key, SOFT_KEY_MMIO | 0xfe000000);
}

/* Without a use line, a device the unit does not list is -ENOENT. */
static void test_unlisted_device_is_not_controlled(void **state)
{
	(void)state;
	assert_int_equal(bind_to_new_unit("pci:0:1.0", pci_devid(0, 1, 1), NULL, NULL), -ENOENT);
	assert_int_equal(bind_to_new_unit("pci:0:1.0", mmio_devid(0x1000), NULL, NULL), -ENOENT);
	assert_int_equal(bind_to_new_unit("none", pci_devid(0, 1, 0), NULL, NULL), -ENOENT);
	assert_int_equal(bind_to_new_unit("mem:1000", mmio_devid(0x2000), NULL, NULL), -ENOENT);
}

/* A use line naming the unit (PARAM absent: "") binds any device. */
static void test_use_line_binds_unlisted_device(void **state)
{
	uint64_t key;

	(void)state;
	assert_int_equal(bind_to_new_unit("none", pci_devid(0, 2, 0), "", &key), 0);
	assert_hex_equal(key, pci_key(0, 2, 0));
	assert_int_equal(bind_to_new_unit("none", mmio_devid(0xe6ef0000), "", &key), 0);
	assert_hex_equal(key, SOFT_KEY_MMIO | 0xe6ef0000);
}

/* The soft IOMMU has no use PARAM: one given is -EINVAL and logged, not ignored. */
static void test_use_param_is_refused(void **state)
{
	(void)state;
	assert_int_equal(bind_to_new_unit("pci:0:1.0", pci_devid(0, 1, 0), "17", NULL), -EINVAL);
	assert_logged("takes no use parameter, got '17'");
}

/* A wildcard names a set of devices, never one binding: -ENOENT whatever the list or use. */
static void test_wildcard_devid_is_never_bound(void **state)
{
	static const unsigned any = SMMU_PCI_FIELD_ANY;

	(void)state;
	assert_int_equal(bind_to_new_unit("pci:0:1.0", pci_devid(0, 1, any), NULL, NULL), -ENOENT);
	assert_int_equal(bind_to_new_unit("pci:0:1.0", pci_devid(0, any, 0), "", NULL), -ENOENT);
	assert_int_equal(bind_to_new_unit("none", pci_devid(any, any, any), "", NULL), -ENOENT);
}

/* A devid no device can have is -EINVAL, not "not mine": the core must not try other units. */
static void test_malformed_devid_is_invalid(void **state)
{
	union smmu_devid other = {.type = SDT_NUM_TYPES};

	(void)state;
	assert_int_equal(bind_to_new_unit("none", pci_devid(256, 0, 0), "", NULL), -EINVAL);
	assert_int_equal(bind_to_new_unit("none", pci_devid(0, 32, 0), "", NULL), -EINVAL);
	assert_int_equal(bind_to_new_unit("none", pci_devid(0, 0, 8), "", NULL), -EINVAL);
	assert_int_equal(bind_to_new_unit("none", mmio_devid(1ull << 63), "", NULL), -EINVAL);
	assert_int_equal(bind_to_new_unit("none", other, "", NULL), -EINVAL);
}

/* List numbers follow the configuration: PCI decimal, addresses hexadecimal with K/M/G, and a
 * 0x or 0d prefix overrides either. */
static void test_list_numbers_follow_configuration_notation(void **state)
{
	(void)state;
	assert_int_equal(bind_to_new_unit("pci:0:10.0", pci_devid(0, 10, 0), NULL, NULL), 0);
	assert_int_equal(bind_to_new_unit("pci:0x10:0x1f.7", pci_devid(16, 31, 7), NULL, NULL), 0);
	assert_int_equal(bind_to_new_unit("mem:1000", mmio_devid(0x1000), NULL, NULL), 0);
	assert_int_equal(bind_to_new_unit("mem:0x1000", mmio_devid(0x1000), NULL, NULL), 0);
	assert_int_equal(bind_to_new_unit("mem:0d4096", mmio_devid(0x1000), NULL, NULL), 0);
	assert_int_equal(bind_to_new_unit("mem:4K", mmio_devid(0x1000), NULL, NULL), 0);
	assert_int_equal(bind_to_new_unit("mem:3g", mmio_devid(0xc0000000), NULL, NULL), 0);
}

/* One device cannot be bound to a unit twice (its faults would be ambiguous); once unbound it
 * binds again with the same key. */
static void test_device_binds_once_per_unit(void **state)
{
	union smmu_devid devid = pci_devid(0, 1, 0);
	struct smmu_backend_unit *unit;
	struct smmu_backend_device *device, *again;
	uint64_t key, key_again;

	(void)state;
	assert_int_equal(be->unit_create("soft0", "pci:0:1.0", &unit), 0);
	assert_int_equal(be->device_bind(unit, &devid, NULL, &device, &key), 0);
	assert_int_equal(be->device_bind(unit, &devid, "", &again, &key_again), -EBUSY);
	be->device_unbind(device);
	assert_int_equal(be->device_bind(unit, &devid, NULL, &again, &key_again), 0);
	assert_hex_equal(key_again, key);
	be->device_unbind(again);
	be->unit_destroy(unit);
}

/* Units are independent: what one lists, another does not control. */
static void test_units_control_their_own_lists(void **state)
{
	union smmu_devid devid = pci_devid(0, 1, 0);
	struct smmu_backend_unit *a, *b;
	struct smmu_backend_device *device;
	uint64_t key;

	(void)state;
	assert_int_equal(be->unit_create("a", "pci:0:1.0", &a), 0);
	assert_int_equal(be->unit_create("b", "pci:0:2.0", &b), 0);
	assert_int_equal(be->device_bind(b, &devid, NULL, &device, &key), -ENOENT);
	assert_int_equal(be->device_bind(a, &devid, NULL, &device, &key), 0);
	be->device_unbind(device);
	be->unit_destroy(b);
	be->unit_destroy(a);
}

/* A device can only join a domain of its own unit; a refused attach changes nothing. */
static void test_attach_to_another_units_domain_is_refused(void **state)
{
	union smmu_devid devid = pci_devid(0, 1, 0);
	struct smmu_backend_unit *a, *b;
	struct smmu_backend_device *device;
	struct smmu_backend_domain *mine, *theirs;
	uint64_t key, pa;

	(void)state;
	assert_int_equal(be->unit_create("a", "pci:0:1.0", &a), 0);
	assert_int_equal(be->unit_create("b", "none", &b), 0);
	assert_int_equal(be->device_bind(a, &devid, NULL, &device, &key), 0);
	assert_int_equal(be->domain_create(a, &mine), 0);
	assert_int_equal(be->domain_create(b, &theirs), 0);
	assert_int_equal(be->map(mine, 0x1000, 0x5000, 0x1000, SMMU_PROT_READ), 0);
	assert_int_equal(be->unit_enable(a), 0);
	assert_int_equal(be->device_attach(device, mine), 0);
	assert_int_equal(be->device_attach(device, theirs), -EINVAL);
	assert_int_equal(access_of(device, 0x1000, SMMU_ACCESS_READ, &pa), SMMU_REFUSAL_NONE);
	assert_hex_equal(pa, 0x5000);
	assert_int_equal(be->device_attach(device, NULL), 0);
	be->device_unbind(device);
	be->domain_destroy(theirs);
	be->domain_destroy(mine);
	be->unit_destroy(b);
	be->unit_destroy(a);
}

#define TEST(t) cmocka_unit_test_setup_teardown(t, start, stop)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_listed_pci_device_binds_with_source_id_key),
		TEST(test_listed_memory_device_binds_with_base_key),
		TEST(test_unlisted_device_is_not_controlled),
		TEST(test_use_line_binds_unlisted_device),
		TEST(test_use_param_is_refused),
		TEST(test_wildcard_devid_is_never_bound),
		TEST(test_malformed_devid_is_invalid),
		TEST(test_list_numbers_follow_configuration_notation),
		TEST(test_device_binds_once_per_unit),
		TEST(test_units_control_their_own_lists),
		TEST(test_attach_to_another_units_domain_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
