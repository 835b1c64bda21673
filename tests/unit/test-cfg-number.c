/* SPDX-License-Identifier: Apache-2.0 */
/* Numbers of the configuration language: bases, prefixes, multipliers and
 * every way a number can be wrong. */
#include <errno.h>
#include <string.h>

#include "cmocka-all.h"

#include "config/cfg-number.h"

static uint64_t parse_ok(const char *text, enum cfg_number_kind kind)
{
	struct cfg_number_error error = {0};
	uint64_t value = 0;
	int r = cfg_number_parse(text, strlen(text), kind, &value, &error);

	if (r != 0) {
		print_error("'%s': %s at %zu\n", text, error.message, error.offset);
	}
	assert_int_equal(r, 0);
	return value;
}

static void parse_bad(const char *text, enum cfg_number_kind kind, int expected_r,
		      size_t expected_offset, const char *message_part)
{
	struct cfg_number_error error = {0};
	uint64_t value = 0xdead;
	int r = cfg_number_parse(text, strlen(text), kind, &value, &error);

	assert_int_equal(r, expected_r);
	assert_int_equal(error.offset, expected_offset);
	assert_non_null(strstr(error.message, message_part));
	/* Output parameters are written only on success. */
	assert_int_equal(value, 0xdead);
}

/* An address without a prefix is hexadecimal. */
static void test_address_defaults_to_hex(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("4000", CFG_NUMBER_ADDRESS), 0x4000);
	assert_int_equal(parse_ok("fed90000", CFG_NUMBER_ADDRESS), 0xfed90000);
	assert_int_equal(parse_ok("FED90000", CFG_NUMBER_ADDRESS), 0xfed90000);
}

/* A size without a prefix is decimal. */
static void test_size_defaults_to_decimal(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("4096", CFG_NUMBER_SIZE), 4096);
	assert_int_equal(parse_ok("0", CFG_NUMBER_SIZE), 0);
}

/* 0x and 0d override the default base either way, in either case. */
static void test_prefixes_override(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("0x1000", CFG_NUMBER_SIZE), 4096);
	assert_int_equal(parse_ok("0X1000", CFG_NUMBER_SIZE), 4096);
	assert_int_equal(parse_ok("0d16384", CFG_NUMBER_ADDRESS), 16384);
	assert_int_equal(parse_ok("0D10", CFG_NUMBER_ADDRESS), 10);
	assert_int_equal(parse_ok("0x12", CFG_NUMBER_DECIMAL), 0x12);
}

/* K, M and G multiply by 2^10, 2^20, 2^30 in either case. */
static void test_binary_multipliers(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("4K", CFG_NUMBER_ADDRESS), 0x1000);
	assert_int_equal(parse_ok("1k", CFG_NUMBER_SIZE), 0x400);
	assert_int_equal(parse_ok("4k", CFG_NUMBER_ADDRESS), 4096);
	assert_int_equal(parse_ok("10M", CFG_NUMBER_SIZE), 10ull << 20);
	assert_int_equal(parse_ok("3m", CFG_NUMBER_SIZE), 3ull << 20);
	assert_int_equal(parse_ok("2G", CFG_NUMBER_SIZE), 2ull << 30);
	assert_int_equal(parse_ok("0x10g", CFG_NUMBER_SIZE), 16ull << 30);
	assert_int_equal(parse_ok("0d64K", CFG_NUMBER_ADDRESS), 64ull << 10);
}

/* The largest 64-bit values parse; one more overflows. */
static void test_limits(void **state)
{
	(void)state;
	assert_true(parse_ok("ffffffffffffffff", CFG_NUMBER_ADDRESS) == UINT64_MAX);
	assert_true(parse_ok("18446744073709551615", CFG_NUMBER_SIZE) == UINT64_MAX);
	assert_true(parse_ok("16777215G", CFG_NUMBER_SIZE) == 16777215ull << 30);
	parse_bad("0x10000000000000000", CFG_NUMBER_SIZE, -ERANGE, 0, "64 bits");
	parse_bad("18446744073709551616", CFG_NUMBER_SIZE, -ERANGE, 0, "64 bits");
	parse_bad("17179869184G", CFG_NUMBER_SIZE, -ERANGE, 0, "64 bits");
	parse_bad("400000000000000K", CFG_NUMBER_ADDRESS, -ERANGE, 0, "64 bits");
}

/* Empty numbers and prefixes without digits are errors. */
static void test_empty(void **state)
{
	(void)state;
	parse_bad("", CFG_NUMBER_SIZE, -EINVAL, 0, "empty number");
	parse_bad("0x", CFG_NUMBER_ADDRESS, -EINVAL, 2, "no digits");
	parse_bad("0d", CFG_NUMBER_SIZE, -EINVAL, 2, "no digits");
	parse_bad("K", CFG_NUMBER_SIZE, -EINVAL, 0, "expected a number");
	parse_bad("-1", CFG_NUMBER_SIZE, -EINVAL, 0, "expected a number");
}

/* Trailing characters are errors that point at the first bad one. */
static void test_trailing_garbage(void **state)
{
	(void)state;
	parse_bad("12z", CFG_NUMBER_ADDRESS, -EINVAL, 2, "unexpected characters");
	parse_bad("4Kb", CFG_NUMBER_SIZE, -EINVAL, 2, "after the multiplier");
	parse_bad("12ab", CFG_NUMBER_SIZE, -EINVAL, 2, "not a decimal digit");
	parse_bad("0d1f", CFG_NUMBER_ADDRESS, -EINVAL, 3, "after 0d");
	parse_bad("1 2", CFG_NUMBER_SIZE, -EINVAL, 1, "unexpected characters");
}

/* PCI numbers and levels are decimal and take no multiplier. */
static void test_decimal_kind(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("18", CFG_NUMBER_DECIMAL), 18);
	parse_bad("4K", CFG_NUMBER_DECIMAL, -EINVAL, 1, "unexpected characters");
	parse_bad("1a", CFG_NUMBER_DECIMAL, -EINVAL, 1, "not a decimal digit");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address_defaults_to_hex),
		cmocka_unit_test(test_size_defaults_to_decimal),
		cmocka_unit_test(test_prefixes_override),
		cmocka_unit_test(test_binary_multipliers),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_trailing_garbage),
		cmocka_unit_test(test_decimal_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
