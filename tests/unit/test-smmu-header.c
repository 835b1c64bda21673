/* SPDX-License-Identifier: Apache-2.0 */
/*
 * <smmu.h> keeps QNX's names, values and layouts: a driver written for QNX
 * compiles unchanged and agrees on every constant.  Built with -Wpedantic in
 * strict ISO C11, the way a client might build it.
 */
#include <smmu.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

/* Layouts that cross the client/service boundary never change size. */
_Static_assert(sizeof(union smmu_devid) == 32, "union smmu_devid is 32 bytes");
_Static_assert(sizeof(struct smmu_map_entry) == 16, "smmu_map_entry is 16 bytes");
_Static_assert(offsetof(struct smmu_map_entry, len) == 8, "len follows the address");
_Static_assert(offsetof(struct smmu_status, devid) == 16, "devid follows two u64");
_Static_assert(offsetof(struct smmu_devid_mmio, phys) == 8, "mmio phys at 8");

/* The constants have QNX's values. */
static void test_constants(void **state)
{
	(void)state;
	assert_int_equal(SDT_PCI, 0);
	assert_int_equal(SDT_MMIO, 1);
	assert_int_equal(SDT_NUM_TYPES, 2);
	assert_int_equal(SMMU_PCI_FIELD_ANY, 0xffffffffu);
	assert_int_equal(SMF_NONE, 0);
	assert_int_equal(SMF_READ, 1);
	assert_int_equal(SMF_WRITE, 2);
	assert_int_equal(SMF_EXEC, 4);
	assert_int_equal(SMF_VIRT, 8);
	assert_int_equal(SMF_TARGET, 0x10);
	assert_int_equal(SSF_DROPPED_FAULTS, 0x80000000u);
	assert_int_equal(SMMUMAN_SAFETY_ERROR, -1);
	assert_int_equal(SMMUMAN_SAFETY_NO, 0);
	assert_int_equal(SMMUMAN_SAFETY_YES, 0xffff);
	assert_int_equal(SOCF_NONE, 0);
	assert_int_equal(SOCF_RESERVED_MANUAL, 1);
	assert_string_equal(SMMU_ABILITY_ATTACH_NAME, "smmu/attach");
	assert_string_equal(SMMU_ABILITY_TARGET_NAME, "smmu/target");
}

/* Driver code that fills the types as QNX drivers do compiles and means
 * what it says. */
static void test_driver_style_initialisers(void **state)
{
	struct smmu_map_entry entry = {.phys = 0x80000000u, .len = 4096};
	union smmu_devid pci = {.pci = {SDT_PCI, 0, 18, 0}};
	union smmu_devid mmio = {.mmio = {.type = SDT_MMIO, .length = 0x1000, .phys = 0xe6ef0000u}};

	(void)state;
	assert_int_equal(entry.virt64, 0x80000000u);
	assert_int_equal(pci.type, SDT_PCI);
	assert_int_equal(pci.pci.dev, 18);
	assert_int_equal(mmio.type, SDT_MMIO);
	assert_int_equal(mmio.mmio.phys, 0xe6ef0000u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_driver_style_initialisers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
