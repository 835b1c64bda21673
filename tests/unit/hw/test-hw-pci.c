/* SPDX-License-Identifier: Apache-2.0 */
/* hw/hw-pci.c: PCI functions in lspci's notation, and where their configuration space is
 * on the two access mechanisms. */
#include "hw/hw-pci.h"

#include <errno.h>

#include "cmocka-all.h"

/* "BB:DD.F" and "SSSS:BB:DD.F" in hex, as lspci prints them. */
static void test_bdf_forms(void **state)
{
	struct hw_pci_bdf bdf;

	(void)state;
	assert_int_equal(hw_pci_bdf_parse("00:01.0", &bdf), 0);
	assert_int_equal(bdf.segment, 0);
	assert_int_equal(bdf.bus, 0);
	assert_int_equal(bdf.device, 1);
	assert_int_equal(bdf.function, 0);
	assert_int_equal(hw_pci_bdf_parse("0001:3a:1f.7", &bdf), 0);
	assert_int_equal(bdf.segment, 1);
	assert_int_equal(bdf.bus, 0x3a);
	assert_int_equal(bdf.device, 0x1f);
	assert_int_equal(bdf.function, 7);
	assert_int_equal(hw_pci_bdf_parse("ff:1F.1", &bdf), 0);
	assert_int_equal(bdf.bus, 0xff);
}

/* Devices above 0x1f, functions above 7, missing parts and trailing text are refused. */
static void test_bdf_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"00:20.0",
		"00:01.8",
		"00:01",
		"00:01.",
		"0:1",
		"100:01.0",
		"00:01.0 ",
		"00:01.0x",
		"10000:00:01.0",
		"0000:100:01.0",
		"00.01.0",
		"0000:00:001.0",
		"-1:01.0",
		"g0:01.0",
	};
	struct hw_pci_bdf bdf = {.bus = 9};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(hw_pci_bdf_parse(bad[i], &bdf), -EINVAL);
	}
	assert_int_equal(bdf.bus, 9);
}

/* CONFIG_ADDRESS: enable bit, bus, device, function, dword of the offset. */
static void test_cf8_address(void **state)
{
	struct hw_pci_bdf edu = {.device = 1};
	struct hw_pci_bdf far = {.bus = 0xff, .device = 0x1f, .function = 7};

	(void)state;
	assert_int_equal(hw_pci_cf8_address(edu, 0), 0x80000800);
	assert_int_equal(hw_pci_cf8_address(edu, 0x12), 0x80000810);
	assert_int_equal(hw_pci_cf8_address(far, 0xfc), 0x80fffffc);
}

/* ECAM offset: bus << 20 | device << 15 | function << 12 | register. */
static void test_ecam_offset(void **state)
{
	struct hw_pci_bdf edu = {.device = 1};
	struct hw_pci_bdf far = {.bus = 0xff, .device = 0x1f, .function = 7};

	(void)state;
	assert_true(hw_pci_ecam_offset(edu, 0) == 0x8000);
	assert_true(hw_pci_ecam_offset(edu, 0x100) == 0x8100);
	assert_true(hw_pci_ecam_offset(far, 0xffc) == 0xffffffc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bdf_forms),
		cmocka_unit_test(test_bdf_refused),
		cmocka_unit_test(test_cf8_address),
		cmocka_unit_test(test_ecam_offset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
