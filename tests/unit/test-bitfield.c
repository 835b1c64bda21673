/* SPDX-License-Identifier: Apache-2.0 */
/* common/bitfield.h: masks from bit numbers, placing, reading and
 * checking field values.  (A zero or run-time mask does not compile; that
 * cannot be a run-time test.) */
#include "common/bitfield.h"

#include "cmocka-all.h"

#define TEST_LOW GENMASK(3, 0)
#define TEST_MID GENMASK(15, 8)
#define TEST_TOP GENMASK(63, 60)

/* GENMASK(h, l) sets bits h..l inclusive, both ends of the word included. */
static void test_genmask(void **state)
{
	unsigned h = 5;

	(void)state;
	assert_int_equal(GENMASK(0, 0), 1);
	assert_int_equal(GENMASK(15, 8), 0xff00);
	assert_true(GENMASK(63, 0) == UINT64_MAX);
	assert_true(GENMASK(63, 63) == BIT(63));
	assert_int_equal(GENMASK(h, 2), 0x3c); /* run-time bounds are fine */
}

/* FIELD_PREP places a value, dropping what does not fit; FIELD_GET reads
 * it back from among other fields. */
static void test_prep_and_get(void **state)
{
	uint64_t reg;

	(void)state;
	reg = FIELD_PREP(TEST_LOW, 0x5) | FIELD_PREP(TEST_MID, 0xab) | FIELD_PREP(TEST_TOP, 0xf);
	assert_true(reg == 0xf00000000000ab05ull);
	assert_int_equal(FIELD_GET(TEST_MID, reg), 0xab);
	assert_int_equal(FIELD_GET(TEST_LOW, reg), 0x5);
	assert_int_equal(FIELD_GET(TEST_TOP, reg), 0xf);
	assert_int_equal(FIELD_PREP(TEST_LOW, 0x15), 0x5);
}

/* FIELD_FIT tells whether an untrusted value fits, at both word ends. */
static void test_fit(void **state)
{
	(void)state;
	assert_true(FIELD_FIT(TEST_MID, 0xff));
	assert_false(FIELD_FIT(TEST_MID, 0x100));
	assert_true(FIELD_FIT(TEST_TOP, 0xf));
	assert_false(FIELD_FIT(TEST_TOP, 0x10));
	assert_false(FIELD_FIT(TEST_TOP, UINT64_MAX));
	assert_true(FIELD_FIT(GENMASK(63, 0), UINT64_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_genmask),
		cmocka_unit_test(test_prep_and_get),
		cmocka_unit_test(test_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
