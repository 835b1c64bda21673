/* SPDX-License-Identifier: Apache-2.0 */
/* Capability decoding (VT-d 11.4.1-11.4.3): the values QEMU's intel-iommu reports, read on
 * these machines, decode to what the model does; units this library cannot drive are refused
 * with a reason. */
#include <errno.h>

#include "cmocka-all.h"
#include "vtd-test-util.h"

/* QEMU 7.2 `-device intel-iommu,aw-bits=48`: SAGAW 39 and 48 bits, MGAW 48. */
#define QEMU_CAP_AW48 0x00d2008c222f0606ull
/* QEMU 7.2 `-device intel-iommu,caching-mode=on`. */
#define QEMU_CAP_CM 0x00d2008c22260286ull

static struct vtd_caps decode_ok(uint32_t ver, uint64_t cap, uint64_t ecap)
{
	struct vtd_caps caps;
	char why[VTD_WHY_SIZE] = "";

	if (vtd_caps_decode(ver, cap, ecap, &caps, why, sizeof(why)) != 0) {
		fail_msg("CAP 0x%llx refused: %s", (unsigned long long)cap, why);
	}
	return caps;
}

/* QEMU's default unit: 3-level tables, every field as the model implements it. */
static void test_qemu_default_unit(void **state)
{
	struct vtd_caps c = decode_ok(QEMU_VER, QEMU_CAP, QEMU_ECAP);

	(void)state;
	assert_int_equal(c.agaw, 39);
	assert_int_equal(c.context_aw, 1);
	assert_int_equal(c.mgaw, 39);
	assert_int_equal(c.input_bits, 39);
	assert_int_equal(c.domain_id_count, 65536);
	assert_int_equal(c.pgsize_bitmap, BIT(12) | BIT(21) | BIT(30));
	assert_int_equal(c.fault_reg_offset, 0x220);
	assert_int_equal(c.fault_reg_count, 1);
	assert_int_equal(c.iotlb_reg_offset, 0xf0);
	assert_int_equal(c.mamv, 18);
	assert_true(c.psi);
	assert_true(c.qi);
	assert_true(c.drain_read);
	assert_true(c.drain_write);
	assert_false(c.rwbf);
	assert_false(c.caching_mode);
}

/* With aw-bits=48 the unit offers both widths and needs 48 bits: 4-level tables. */
static void test_qemu_48_bit_unit_gets_4_level_tables(void **state)
{
	struct vtd_caps c = decode_ok(QEMU_VER, QEMU_CAP_AW48, QEMU_ECAP);

	(void)state;
	assert_int_equal(c.agaw, 48);
	assert_int_equal(c.context_aw, 2);
	assert_int_equal(c.mgaw, 48);
	assert_int_equal(c.input_bits, 48);
}

/* caching-mode=on sets CM and nothing else changes. */
static void test_qemu_caching_mode(void **state)
{
	struct vtd_caps c = decode_ok(QEMU_VER, QEMU_CAP_CM, QEMU_ECAP);

	(void)state;
	assert_true(c.caching_mode);
	assert_int_equal(c.agaw, 39);
}

static uint64_t with_field(uint64_t cap, uint64_t mask, uint64_t value)
{
	return (cap & ~mask) | ((value << __builtin_ctzll(mask)) & mask);
}

/* The smallest offered width covering MGAW wins; without one, the widest offered. */
static void test_agaw_choice(void **state)
{
	static const struct {
		unsigned sagaw;
		unsigned mgaw;
		unsigned agaw;
		unsigned input_bits;
	} cases[] = {
		{0x2, 39, 39, 39}, {0x6, 39, 39, 39}, {0x6, 40, 48, 40}, {0x6, 46, 48, 46},
		{0x4, 39, 48, 39}, {0x2, 48, 39, 39}, {0xe, 57, 48, 48}, {0x6, 52, 48, 48},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t cap = with_field(QEMU_CAP, VTD_CAP_SAGAW, cases[i].sagaw);
		struct vtd_caps c;

		cap = with_field(cap, VTD_CAP_MGAW, cases[i].mgaw - 1);
		c = decode_ok(QEMU_VER, cap, QEMU_ECAP);
		if (c.agaw != cases[i].agaw || c.input_bits != cases[i].input_bits) {
			fail_msg("SAGAW 0x%x MGAW %u: AGAW %u input %u, expected %u and %u",
				 cases[i].sagaw, cases[i].mgaw, c.agaw, c.input_bits, cases[i].agaw,
				 cases[i].input_bits);
		}
	}
}

/* SLLPS decides superpages; a 1 GiB page without 2 MiB pages is not used. */
static void test_superpages_follow_sllps(void **state)
{
	static const struct {
		unsigned sllps;
		uint64_t pgsizes;
	} cases[] = {
		{0x0, BIT(12)},
		{0x1, BIT(12) | BIT(21)},
		{0x3, BIT(12) | BIT(21) | BIT(30)},
		{0x2, BIT(12)},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t cap = with_field(QEMU_CAP, VTD_CAP_SLLPS, cases[i].sllps);

		assert_int_equal(decode_ok(QEMU_VER, cap, QEMU_ECAP).pgsize_bitmap,
				 cases[i].pgsizes);
	}
}

/* CAP.ND counts domain ids: 0 is 16, 4 is 4096. */
static void test_domain_ids_follow_nd(void **state)
{
	(void)state;
	assert_int_equal(
		decode_ok(QEMU_VER, with_field(QEMU_CAP, VTD_CAP_ND, 0), QEMU_ECAP).domain_id_count,
		16);
	assert_int_equal(
		decode_ok(QEMU_VER, with_field(QEMU_CAP, VTD_CAP_ND, 4), QEMU_ECAP).domain_id_count,
		4096);
}

static void refused(uint32_t ver, uint64_t cap, uint64_t ecap, int err, const char *words)
{
	struct vtd_caps c = {.agaw = 7};
	char why[VTD_WHY_SIZE] = "";

	assert_int_equal(vtd_caps_decode(ver, cap, ecap, &c, why, sizeof(why)), err);
	assert_int_equal(c.agaw, 7);
	if (!strstr(why, words)) {
		fail_msg("reason '%s' does not say '%s'", why, words);
	}
}

/* No unit (all ones, version 0), only 5-level tables, a reserved ND, offsets inside the
 * fixed registers: each refused with a reason. */
static void test_units_that_cannot_be_driven(void **state)
{
	(void)state;
	refused(UINT32_MAX, UINT64_MAX, UINT64_MAX, -ENODEV, "no VT-d unit");
	refused(0, 0, 0, -ENODEV, "no VT-d unit");
	refused(QEMU_VER, with_field(QEMU_CAP, VTD_CAP_SAGAW, 0x8), QEMU_ECAP, -EOPNOTSUPP,
		"3- or 4-level");
	refused(QEMU_VER, with_field(QEMU_CAP, VTD_CAP_SAGAW, 0x0), QEMU_ECAP, -EOPNOTSUPP,
		"3- or 4-level");
	refused(QEMU_VER, with_field(QEMU_CAP, VTD_CAP_ND, 7), QEMU_ECAP, -EOPNOTSUPP, "reserved");
	refused(QEMU_VER, with_field(QEMU_CAP, VTD_CAP_FRO, 0), QEMU_ECAP, -EOPNOTSUPP, "overlap");
	refused(QEMU_VER, QEMU_CAP, with_field(QEMU_ECAP, VTD_ECAP_IRO, 1), -EOPNOTSUPP, "overlap");
}

/* The start-up line says what the unit offers. */
static void test_describe(void **state)
{
	struct vtd_caps c = decode_ok(QEMU_VER, QEMU_CAP, QEMU_ECAP);
	char line[384];

	(void)state;
	vtd_caps_describe(&c, line, sizeof(line));
	assert_non_null(strstr(line, "VT-d 1.0"));
	assert_non_null(strstr(line, "3-level tables (39-bit input"));
	assert_non_null(strstr(line, "65536 domain ids"));
	assert_non_null(strstr(line, "4K/2M/1G"));
	assert_non_null(strstr(line, "1 fault record at 0x220"));
	assert_non_null(strstr(line, "queued invalidation"));
	assert_non_null(strstr(line, "caching mode off"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_default_unit),
		cmocka_unit_test(test_qemu_48_bit_unit_gets_4_level_tables),
		cmocka_unit_test(test_qemu_caching_mode),
		cmocka_unit_test(test_agaw_choice),
		cmocka_unit_test(test_superpages_follow_sllps),
		cmocka_unit_test(test_domain_ids_follow_nd),
		cmocka_unit_test(test_units_that_cannot_be_driven),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
