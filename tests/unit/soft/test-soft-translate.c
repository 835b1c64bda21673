/* SPDX-License-Identifier: Apache-2.0 */
/* The soft IOMMU's walk: blocked and disabled devices, permissions, physical addresses, and
 * map/unmap on real page tables as translate() sees them. */
#include <errno.h>
#include <string.h>

#include "cmocka-all.h"
#include "soft-test-util.h"

#define KIB(n) ((uint64_t)(n) << 10)
#define MIB(n) ((uint64_t)(n) << 20)

#define RW (SMMU_PROT_READ | SMMU_PROT_WRITE)

/* A bound device is blocked until attached, even in an enabled unit. */
static void test_bound_device_starts_blocked(void **state)
{
	union smmu_devid devid = pci_devid(0, 2, 0);
	struct soft_fixture *fx = *state;
	struct smmu_backend_device *device;
	uint64_t key;

	assert_int_equal(be->device_bind(fx->unit, &devid, "", &device, &key), 0);
	assert_int_equal(be->map(fx->domain, 0, 0, KIB(4), RW), 0);
	assert_int_equal(access_of(device, 0, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_BLOCKED);
	assert_int_equal(access_of(fx->device, 0, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NONE);
	be->device_unbind(device);
}

/* Before unit_enable() every access is refused as BLOCKED, attached or not; after, the
 * tables decide. */
static void test_unit_refuses_everything_until_enabled(void **state)
{
	union smmu_devid devid = pci_devid(0, 1, 0);
	struct smmu_backend_unit *unit;
	struct smmu_backend_device *device;
	struct smmu_backend_domain *domain;
	uint64_t key, pa;

	(void)state;
	assert_int_equal(be->unit_create("off", "pci:0:1.0", &unit), 0);
	assert_int_equal(be->device_bind(unit, &devid, NULL, &device, &key), 0);
	assert_int_equal(be->domain_create(unit, &domain), 0);
	assert_int_equal(be->map(domain, 0x1000, 0x9000, KIB(4), RW), 0);
	assert_int_equal(be->device_attach(device, domain), 0);
	assert_int_equal(access_of(device, 0x1000, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_BLOCKED);
	assert_int_equal(be->unit_enable(unit), 0);
	assert_int_equal(access_of(device, 0x1000, SMMU_ACCESS_READ, &pa), SMMU_REFUSAL_NONE);
	assert_hex_equal(pa, 0x9000);
	/* Enabling again changes nothing. */
	assert_int_equal(be->unit_enable(unit), 0);
	assert_int_equal(access_of(device, 0x1000, SMMU_ACCESS_WRITE, &pa), SMMU_REFUSAL_NONE);
	be->device_unbind(device);
	be->domain_destroy(domain);
	be->unit_destroy(unit);
}

/* An allowed access gets the mapping's physical address plus the offset inside the page, on
 * every page of the mapping. */
static void test_allowed_access_returns_pa_with_offset(void **state)
{
	struct soft_fixture *fx = *state;
	uint64_t pa;

	assert_int_equal(be->map(fx->domain, 0x100000, 0x7654000, KIB(12), RW), 0);
	assert_int_equal(access_of(fx->device, 0x100000, SMMU_ACCESS_READ, &pa), SMMU_REFUSAL_NONE);
	assert_hex_equal(pa, 0x7654000);
	assert_int_equal(access_of(fx->device, 0x101234, SMMU_ACCESS_WRITE, &pa),
			 SMMU_REFUSAL_NONE);
	assert_hex_equal(pa, 0x7655234);
	assert_int_equal(access_of(fx->device, 0x102fff, SMMU_ACCESS_READ, &pa), SMMU_REFUSAL_NONE);
	assert_hex_equal(pa, 0x7656fff);
	assert_int_equal(test_host.fault_count, 0);
}

/* A write to a read-only mapping is READ_ONLY; reads are allowed. */
static void test_write_to_read_only_mapping_is_refused(void **state)
{
	struct soft_fixture *fx = *state;
	uint64_t pa;

	assert_int_equal(be->map(fx->domain, 0x4000, 0x8000, KIB(4), SMMU_PROT_READ), 0);
	assert_int_equal(access_of(fx->device, 0x4010, SMMU_ACCESS_WRITE, NULL),
			 SMMU_REFUSAL_READ_ONLY);
	assert_int_equal(access_of(fx->device, 0x4010, SMMU_ACCESS_READ, &pa), SMMU_REFUSAL_NONE);
	assert_hex_equal(pa, 0x8010);
}

/* A read of a write-only mapping is WRITE_ONLY; writes are allowed. */
static void test_read_of_write_only_mapping_is_refused(void **state)
{
	struct soft_fixture *fx = *state;
	uint64_t pa;

	assert_int_equal(be->map(fx->domain, 0x4000, 0x8000, KIB(4), SMMU_PROT_WRITE), 0);
	assert_int_equal(access_of(fx->device, 0x4010, SMMU_ACCESS_READ, NULL),
			 SMMU_REFUSAL_WRITE_ONLY);
	assert_int_equal(access_of(fx->device, 0x4010, SMMU_ACCESS_WRITE, &pa), SMMU_REFUSAL_NONE);
	assert_hex_equal(pa, 0x8010);
}

/* No mapping is NOT_MAPPED: address 0, next to a mapping, and beyond the 48-bit input. */
static void test_unmapped_address_is_not_mapped(void **state)
{
	struct soft_fixture *fx = *state;

	assert_int_equal(be->map(fx->domain, 0x10000, 0x10000, KIB(4), RW), 0);
	assert_int_equal(access_of(fx->device, 0, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(access_of(fx->device, 0xffff, SMMU_ACCESS_READ, NULL),
			 SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(access_of(fx->device, 0x11000, SMMU_ACCESS_WRITE, NULL),
			 SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(access_of(fx->device, 1ull << 48, SMMU_ACCESS_READ, NULL),
			 SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(access_of(fx->device, ~0ull, SMMU_ACCESS_READ, NULL),
			 SMMU_REFUSAL_NOT_MAPPED);
}

/* The last page below the input size maps and translates like any other. */
static void test_last_page_of_input_translates(void **state)
{
	struct soft_fixture *fx = *state;
	uint64_t last_page = (1ull << 48) - KIB(4);
	uint64_t pa;

	assert_int_equal(be->map(fx->domain, last_page, 0x3000, KIB(4), SMMU_PROT_READ), 0);
	assert_int_equal(access_of(fx->device, last_page + 0xabc, SMMU_ACCESS_READ, &pa),
			 SMMU_REFUSAL_NONE);
	assert_hex_equal(pa, 0x3abc);
}

/* Mapping over a mapping is -EEXIST and leaves the tables as they were, including the part of
 * the new range that did not overlap. */
static void test_map_over_existing_is_eexist_and_changes_nothing(void **state)
{
	struct soft_fixture *fx = *state;
	uint64_t pa;

	assert_int_equal(be->map(fx->domain, 0x20000, 0x50000, KIB(8), SMMU_PROT_READ), 0);
	assert_int_equal(be->map(fx->domain, 0x20000, 0x50000, KIB(8), SMMU_PROT_READ), -EEXIST);
	assert_int_equal(be->map(fx->domain, 0x1f000, 0x90000, KIB(8), RW), -EEXIST);
	assert_int_equal(be->map(fx->domain, 0x21000, 0x90000, KIB(8), RW), -EEXIST);
	assert_int_equal(access_of(fx->device, 0x1f000, SMMU_ACCESS_READ, NULL),
			 SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(access_of(fx->device, 0x22000, SMMU_ACCESS_READ, NULL),
			 SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(access_of(fx->device, 0x21000, SMMU_ACCESS_READ, &pa), SMMU_REFUSAL_NONE);
	assert_hex_equal(pa, 0x51000);
	assert_int_equal(access_of(fx->device, 0x21000, SMMU_ACCESS_WRITE, NULL),
			 SMMU_REFUSAL_READ_ONLY);
}

/* A prot with neither read nor write, or with unknown bits, is -EINVAL. */
static void test_bad_prot_is_refused(void **state)
{
	struct soft_fixture *fx = *state;

	assert_int_equal(be->map(fx->domain, 0, 0, KIB(4), 0), -EINVAL);
	assert_int_equal(be->map(fx->domain, 0, 0, KIB(4), SMMU_PROT_EXEC), -EINVAL);
	assert_int_equal(be->map(fx->domain, 0, 0, KIB(4), RW | 0x100), -EINVAL);
	assert_int_equal(access_of(fx->device, 0, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NOT_MAPPED);
}

/* Bad ranges are refused: empty, unaligned, wrapping, beyond the input size. */
static void test_bad_range_is_refused(void **state)
{
	struct soft_fixture *fx = *state;

	assert_int_equal(be->map(fx->domain, 0x1000, 0x1000, 0, RW), -EINVAL);
	assert_int_equal(be->map(fx->domain, 0x1800, 0x1000, KIB(4), RW), -EINVAL);
	assert_int_equal(be->map(fx->domain, 0x1000, 0x1800, KIB(4), RW), -EINVAL);
	assert_int_equal(be->map(fx->domain, 0x1000, 0x1000, KIB(6), RW), -EINVAL);
	assert_int_equal(be->map(fx->domain, ~0ull - 0xfff, 0, KIB(8), RW), -EOVERFLOW);
	assert_int_equal(be->map(fx->domain, 1ull << 48, 0, KIB(4), RW), -ERANGE);
	assert_int_equal(be->unmap(fx->domain, 0x1000, 0), -EINVAL);
}

/* Unmap removes exactly its range: the pages beside it stay. */
static void test_unmap_removes_exactly_the_range(void **state)
{
	struct soft_fixture *fx = *state;
	uint64_t pa;

	assert_int_equal(be->map(fx->domain, 0x30000, 0x60000, KIB(12), RW), 0);
	assert_int_equal(be->unmap(fx->domain, 0x31000, KIB(4)), 0);
	assert_int_equal(access_of(fx->device, 0x30fff, SMMU_ACCESS_READ, &pa), SMMU_REFUSAL_NONE);
	assert_hex_equal(pa, 0x60fff);
	assert_int_equal(access_of(fx->device, 0x31000, SMMU_ACCESS_READ, NULL),
			 SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(access_of(fx->device, 0x31fff, SMMU_ACCESS_READ, NULL),
			 SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(access_of(fx->device, 0x32000, SMMU_ACCESS_WRITE, &pa), SMMU_REFUSAL_NONE);
	assert_hex_equal(pa, 0x62000);
}

/* Unmapping where nothing is mapped is not an error and changes nothing. */
static void test_unmap_of_a_hole_succeeds(void **state)
{
	struct soft_fixture *fx = *state;

	assert_int_equal(be->map(fx->domain, 0x30000, 0x60000, KIB(4), RW), 0);
	assert_int_equal(be->unmap(fx->domain, MIB(1), MIB(1)), 0);
	assert_int_equal(access_of(fx->device, 0x30000, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NONE);
}

/* A 2 MiB mapping is one superpage leaf; unmapping 4 KiB inside it splits it: the hole is
 * NOT_MAPPED, every other page keeps its address and permissions. */
static void test_unmap_splits_a_superpage(void **state)
{
	struct soft_fixture *fx = *state;
	struct pt_leaf leaf;
	uint64_t pa;

	assert_int_equal(be->map(fx->domain, MIB(2), MIB(64), MIB(2), SMMU_PROT_READ), 0);
	assert_int_equal(pt_lookup(fx->domain->space, MIB(2), &leaf), 0);
	assert_hex_equal(leaf.size, MIB(2)); /* else this test would not split anything */
	assert_int_equal(be->unmap(fx->domain, MIB(2) + KIB(8), KIB(4)), 0);
	assert_int_equal(access_of(fx->device, MIB(2) + KIB(8), SMMU_ACCESS_READ, NULL),
			 SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(access_of(fx->device, MIB(2) + KIB(12) - 1, SMMU_ACCESS_READ, NULL),
			 SMMU_REFUSAL_NOT_MAPPED);
	for (uint64_t off = 0; off < MIB(2); off += KIB(4)) {
		if (off == KIB(8)) {
			continue;
		}
		assert_int_equal(access_of(fx->device, MIB(2) + off + 0x10, SMMU_ACCESS_READ, &pa),
				 SMMU_REFUSAL_NONE);
		assert_hex_equal(pa, MIB(64) + off + 0x10);
		assert_int_equal(access_of(fx->device, MIB(2) + off, SMMU_ACCESS_WRITE, NULL),
				 SMMU_REFUSAL_READ_ONLY);
	}
	assert_int_equal(pt_lookup(fx->domain->space, MIB(2), &leaf), 0);
	assert_hex_equal(leaf.size, KIB(4));
	assert_int_equal(pt_check(fx->domain->space), 0);
}

/* Attaching NULL blocks a device that could reach its domain. */
static void test_detach_blocks_the_device(void **state)
{
	struct soft_fixture *fx = *state;

	assert_int_equal(be->map(fx->domain, 0x1000, 0x1000, KIB(4), RW), 0);
	assert_int_equal(access_of(fx->device, 0x1000, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NONE);
	assert_int_equal(be->device_attach(fx->device, NULL), 0);
	assert_int_equal(access_of(fx->device, 0x1000, SMMU_ACCESS_READ, NULL),
			 SMMU_REFUSAL_BLOCKED);
	assert_int_equal(be->device_attach(fx->device, fx->domain), 0);
	assert_int_equal(access_of(fx->device, 0x1000, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NONE);
}

/* Attaching another domain switches the device's whole view in one call. */
static void test_attach_switches_domains(void **state)
{
	struct soft_fixture *fx = *state;
	struct smmu_backend_domain *other;
	uint64_t pa;

	assert_int_equal(be->domain_create(fx->unit, &other), 0);
	assert_int_equal(be->map(fx->domain, 0x1000, 0xa000, KIB(4), RW), 0);
	assert_int_equal(be->map(other, 0x1000, 0xb000, KIB(4), SMMU_PROT_READ), 0);
	assert_int_equal(be->device_attach(fx->device, other), 0);
	assert_int_equal(access_of(fx->device, 0x1000, SMMU_ACCESS_READ, &pa), SMMU_REFUSAL_NONE);
	assert_hex_equal(pa, 0xb000);
	assert_int_equal(access_of(fx->device, 0x1000, SMMU_ACCESS_WRITE, NULL),
			 SMMU_REFUSAL_READ_ONLY);
	assert_int_equal(be->device_attach(fx->device, fx->domain), 0);
	be->domain_destroy(other);
	assert_int_equal(access_of(fx->device, 0x1000, SMMU_ACCESS_WRITE, &pa), SMMU_REFUSAL_NONE);
	assert_hex_equal(pa, 0xa000);
}

/* Devices attached to one domain see the same tables, and a map reaches both at once. */
static void test_devices_share_a_domain(void **state)
{
	union smmu_devid devid = pci_devid(0, 2, 0);
	struct soft_fixture *fx = *state;
	struct smmu_backend_device *second;
	uint64_t key, pa;

	assert_int_equal(be->device_bind(fx->unit, &devid, "", &second, &key), 0);
	assert_int_equal(be->device_attach(second, fx->domain), 0);
	assert_int_equal(be->map(fx->domain, 0x1000, 0xc000, KIB(4), RW), 0);
	assert_int_equal(access_of(second, 0x1000, SMMU_ACCESS_READ, &pa), SMMU_REFUSAL_NONE);
	assert_hex_equal(pa, 0xc000);
	assert_int_equal(be->unmap(fx->domain, 0x1000, KIB(4)), 0);
	assert_int_equal(access_of(second, 0x1000, SMMU_ACCESS_READ, NULL),
			 SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(access_of(fx->device, 0x1000, SMMU_ACCESS_READ, NULL),
			 SMMU_REFUSAL_NOT_MAPPED);
	be->device_unbind(second);
}

/* An access that is neither read nor write is -EINVAL and records nothing. */
static void test_unknown_access_is_invalid(void **state)
{
	struct soft_fixture *fx = *state;
	unsigned refusal = 99;
	uint64_t pa = 7;

	assert_int_equal(be->translate(fx->device, 0, 0, &pa, &refusal), -EINVAL);
	assert_int_equal(be->translate(fx->device, 0, 3, &pa, &refusal), -EINVAL);
	assert_int_equal(refusal, 99);
	assert_hex_equal(pa, 7);
	assert_int_equal(be->fault_drain(fx->unit, 10), 0);
}

/* A destroyed domain gives its tables back to the unit's table memory. */
static void test_destroyed_domain_frees_its_tables(void **state)
{
	struct soft_fixture *fx = *state;
	size_t before = pt_host_mem_in_use(fx->unit->table_mem);
	struct smmu_backend_domain *domain;

	assert_int_equal(be->domain_create(fx->unit, &domain), 0);
	for (uint64_t i = 0; i < 64; i++) {
		assert_int_equal(be->map(domain, i * MIB(4) + KIB(4), KIB(4), KIB(4), RW), 0);
	}
	assert_true(pt_host_mem_in_use(fx->unit->table_mem) > before);
	be->domain_destroy(domain);
	assert_int_equal(pt_host_mem_in_use(fx->unit->table_mem), before);
}

/* Tables an unmap empties go back to the unit's memory at once: the gather is released. */
static void test_unmap_releases_emptied_tables(void **state)
{
	struct soft_fixture *fx = *state;
	size_t mapped;

	assert_int_equal(be->map(fx->domain, MIB(512) + KIB(4), KIB(4), KIB(4), RW), 0);
	mapped = pt_host_mem_in_use(fx->unit->table_mem);
	assert_int_equal(be->unmap(fx->domain, MIB(512), MIB(2)), 0);
	assert_true(pt_host_mem_in_use(fx->unit->table_mem) < mapped);
	assert_int_equal(pt_check(fx->domain->space), 0);
}

/* With the unit's table memory exhausted, a map that needs tables is -ENOMEM and maps
 * nothing, and a split that needs one is -ENOMEM and keeps the superpage whole. */
static void test_exhausted_table_memory_changes_nothing(void **state)
{
	struct soft_fixture *fx = *state;
	uint64_t pa;

	assert_int_equal(be->map(fx->domain, MIB(2), MIB(2), MIB(2), RW), 0);
	pt_host_mem_fail_after(fx->unit->table_mem, 0);
	assert_int_equal(be->map(fx->domain, 1ull << 40, 0, KIB(4), RW), -ENOMEM);
	assert_int_equal(be->unmap(fx->domain, MIB(2), KIB(4)), -ENOMEM);
	assert_int_equal(access_of(fx->device, 1ull << 40, SMMU_ACCESS_READ, NULL),
			 SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(access_of(fx->device, MIB(2), SMMU_ACCESS_READ, &pa), SMMU_REFUSAL_NONE);
	assert_hex_equal(pa, MIB(2));
	pt_host_mem_fail_after(fx->unit->table_mem, -1);
	assert_int_equal(be->map(fx->domain, 1ull << 40, 0, KIB(4), RW), 0);
}

/* Every format maps, translates, and enforces read-only and holes the same way. */
static void test_every_format_translates_and_enforces_permissions(void **state)
{
	static const char *const formats[] = {NULL, "format=vtd", "format=lpae-s1",
					      "format=lpae-s2"};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		struct soft_fixture fx;
		uint64_t pa;

		soft_fixture_open(&fx, formats[i]);
		assert_int_equal(be->map(fx.domain, 0x1000, 0x40000, KIB(4), RW), 0);
		assert_int_equal(be->map(fx.domain, MIB(2), MIB(8), MIB(2), SMMU_PROT_READ), 0);
		assert_int_equal(access_of(fx.device, 0x1008, SMMU_ACCESS_WRITE, &pa),
				 SMMU_REFUSAL_NONE);
		assert_hex_equal(pa, 0x40008);
		assert_int_equal(access_of(fx.device, MIB(3) + 4, SMMU_ACCESS_READ, &pa),
				 SMMU_REFUSAL_NONE);
		assert_hex_equal(pa, MIB(9) + 4);
		assert_int_equal(access_of(fx.device, MIB(3), SMMU_ACCESS_WRITE, NULL),
				 SMMU_REFUSAL_READ_ONLY);
		assert_int_equal(access_of(fx.device, 0x2000, SMMU_ACCESS_READ, NULL),
				 SMMU_REFUSAL_NOT_MAPPED);
		assert_int_equal(be->map(fx.domain, 0x1000, 0x40000, KIB(4), RW), -EEXIST);
		assert_int_equal(be->unmap(fx.domain, MIB(2), MIB(2)), 0);
		assert_int_equal(access_of(fx.device, MIB(3), SMMU_ACCESS_READ, NULL),
				 SMMU_REFUSAL_NOT_MAPPED);
		soft_fixture_close(&fx);
	}
}

#define TEST(t) cmocka_unit_test_setup_teardown(t, soft_fixture_setup, soft_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_bound_device_starts_blocked),
		TEST(test_unit_refuses_everything_until_enabled),
		TEST(test_allowed_access_returns_pa_with_offset),
		TEST(test_write_to_read_only_mapping_is_refused),
		TEST(test_read_of_write_only_mapping_is_refused),
		TEST(test_unmapped_address_is_not_mapped),
		TEST(test_last_page_of_input_translates),
		TEST(test_map_over_existing_is_eexist_and_changes_nothing),
		TEST(test_bad_prot_is_refused),
		TEST(test_bad_range_is_refused),
		TEST(test_unmap_removes_exactly_the_range),
		TEST(test_unmap_of_a_hole_succeeds),
		TEST(test_unmap_splits_a_superpage),
		TEST(test_detach_blocks_the_device),
		TEST(test_attach_switches_domains),
		TEST(test_devices_share_a_domain),
		TEST(test_unknown_access_is_invalid),
		TEST(test_destroyed_domain_frees_its_tables),
		TEST(test_unmap_releases_emptied_tables),
		TEST(test_exhausted_table_memory_changes_nothing),
		cmocka_unit_test(test_every_format_translates_and_enforces_permissions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
