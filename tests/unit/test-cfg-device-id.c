/* SPDX-License-Identifier: Apache-2.0 */
/* Device ids outside a configuration: the `device` line's spellings and
 * errors, and the conversion to the client API's device id. */
#include <errno.h>
#include <string.h>

#include "cmocka-all.h"
#include "config/cfg-device-id.h"

static int parse(const char *text, struct cfg_device_id *id, char *first_error, size_t size)
{
	struct cfg_diags diags = {0};
	int r = cfg_device_id_parse(text, id, &diags);

	first_error[0] = '\0';
	if (diags.count) {
		strncpy(first_error, diags.items[0].message, size - 1);
		first_error[size - 1] = '\0';
	}
	cfg_diags_fini(&diags);
	return r;
}

/* A PCI function and an MMIO device parse as on a `device` line. */
static void test_parses_both_kinds(void **state)
{
	struct cfg_device_id id;
	char error[256];

	(void)state;
	assert_int_equal(parse("pci:0:18.3", &id, error, sizeof(error)), 0);
	assert_int_equal(id.kind, CFG_DEVICE_PCI);
	assert_int_equal(id.pci.dev, 18);
	assert_int_equal(id.pci.func, 3);
	assert_int_equal(parse("mem:0x1f000000,4K", &id, error, sizeof(error)), 0);
	assert_int_equal(id.kind, CFG_DEVICE_MEM);
	assert_int_equal(id.mem.paddr, 0x1f000000);
	assert_int_equal(id.mem.size, 4096);
}

/* A bad spec is the parser's own error, not a second wording. */
static void test_bad_spec_gives_the_parsers_error(void **state)
{
	struct cfg_device_id id;
	char error[256];

	(void)state;
	assert_int_equal(parse("pci:0:32.0", &id, error, sizeof(error)), -EINVAL);
	assert_non_null(strstr(error, "PCI device must be at most 31"));
	assert_int_equal(parse("usb:1", &id, error, sizeof(error)), -EINVAL);
	assert_non_null(strstr(error, "unknown device"));
	assert_int_equal(parse("", &id, error, sizeof(error)), -EINVAL);
}

/* What union smmu_devid cannot hold is refused, saying why. */
static void test_conversion_limits(void **state)
{
	struct cfg_device_id id = {.kind = CFG_DEVICE_PCI, .pci = {.segment = 1}};
	union smmu_devid devid;
	const char *why = NULL;

	(void)state;
	assert_int_equal(cfg_device_id_to_devid(&id, &devid, &why), -EOPNOTSUPP);
	assert_non_null(strstr(why, "segment"));
	id = (struct cfg_device_id){.kind = CFG_DEVICE_MEM, .mem = {0x1000, 1ull << 32}};
	assert_int_equal(cfg_device_id_to_devid(&id, &devid, &why), -EINVAL);
	id.mem.size = 0x2000;
	assert_int_equal(cfg_device_id_to_devid(&id, &devid, &why), 0);
	assert_int_equal(devid.mmio.type, SDT_MMIO);
	assert_int_equal(devid.mmio.length, 0x2000);
	assert_int_equal(devid.mmio.phys, 0x1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parses_both_kinds),
		cmocka_unit_test(test_bad_spec_gives_the_parsers_error),
		cmocka_unit_test(test_conversion_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
