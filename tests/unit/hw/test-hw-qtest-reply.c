/* SPDX-License-Identifier: Apache-2.0 */
/* hw/qtest-reply.c: the forms QEMU sends are understood; anything else is -EPROTO, never a
 * crash or a wrong value. */
#include "hw/qtest-reply.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmocka-all.h"

static int parse(const char *line, struct hw_qtest_reply *r)
{
	return hw_qtest_reply_parse(line, strlen(line), r);
}

/* A bare "OK" (writes, outs) is an OK without a value. */
static void test_ok_bare(void **state)
{
	struct hw_qtest_reply r;
	uint64_t v;

	(void)state;
	assert_int_equal(parse("OK", &r), 0);
	assert_int_equal(r.kind, HW_QTEST_REPLY_OK);
	assert_null(r.arg);
	assert_int_equal(hw_qtest_reply_value(&r, &v), -EPROTO);
}

/* A register read's reply, as QEMU prints it (0x and 16 digits), yields the value. */
static void test_ok_hex_value(void **state)
{
	struct hw_qtest_reply r;
	uint64_t v = 0;

	(void)state;
	assert_int_equal(parse("OK 0x00d2008c22260206", &r), 0);
	assert_int_equal(hw_qtest_reply_value(&r, &v), 0);
	assert_true(v == 0x00d2008c22260206ull);
	assert_int_equal(parse("OK 0xffffffffffffffff", &r), 0);
	assert_int_equal(hw_qtest_reply_value(&r, &v), 0);
	assert_true(v == UINT64_MAX);
}

/* A port read's reply has 4 digits; any width from 1 to 16 digits is a value. */
static void test_ok_short_hex_value(void **state)
{
	struct hw_qtest_reply r;
	uint64_t v = 0;

	(void)state;
	assert_int_equal(parse("OK 0x11e8", &r), 0);
	assert_int_equal(hw_qtest_reply_value(&r, &v), 0);
	assert_int_equal(v, 0x11e8);
	assert_int_equal(parse("OK 0xA", &r), 0);
	assert_int_equal(hw_qtest_reply_value(&r, &v), 0);
	assert_int_equal(v, 10);
}

/* The clock commands answer in decimal nanoseconds. */
static void test_ok_decimal_value(void **state)
{
	struct hw_qtest_reply r;
	uint64_t v = 0;

	(void)state;
	assert_int_equal(parse("OK 100000000", &r), 0);
	assert_int_equal(hw_qtest_reply_value(&r, &v), 0);
	assert_int_equal(v, 100000000);
	assert_int_equal(parse("OK 18446744073709551615", &r), 0);
	assert_int_equal(hw_qtest_reply_value(&r, &v), 0);
	assert_true(v == UINT64_MAX);
}

/* A value that does not fit 64 bits is refused, not truncated. */
static void test_value_overflow(void **state)
{
	struct hw_qtest_reply r;
	uint64_t v = 7;

	(void)state;
	assert_int_equal(parse("OK 0x10000000000000000", &r), 0);
	assert_int_equal(hw_qtest_reply_value(&r, &v), -EPROTO);
	assert_int_equal(parse("OK 18446744073709551616", &r), 0);
	assert_int_equal(hw_qtest_reply_value(&r, &v), -EPROTO);
	assert_int_equal(v, 7);
}

/* Malformed values: no digits, bad digits, trailing text, signs, spaces. */
static void test_value_malformed(void **state)
{
	static const char *const bad[] = {
		"OK 0x",  "OK 0xg",	"OK 0x12 ", "OK 12a", "OK -1",	   "OK +1",
		"OK  12", "OK 0x1 0x2", "OK x12",   "OK 0X1", "OK little", "OK 1.5",
	};
	struct hw_qtest_reply r;
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &r) == 0) {
			assert_int_equal(hw_qtest_reply_value(&r, &v), -EPROTO);
		}
	}
}

/* FAIL and ERR both mean "not carried out" and keep their message. */
static void test_fail_and_err(void **state)
{
	struct hw_qtest_reply r;

	(void)state;
	assert_int_equal(parse("FAIL Unknown command 'clock_step'", &r), 0);
	assert_int_equal(r.kind, HW_QTEST_REPLY_FAIL);
	assert_int_equal(r.arg_len, strlen("Unknown command 'clock_step'"));
	assert_memory_equal(r.arg, "Unknown", 7);
	assert_int_equal(parse("ERR invalid argument size", &r), 0);
	assert_int_equal(r.kind, HW_QTEST_REPLY_FAIL);
	assert_int_equal(parse("FAIL", &r), 0);
	assert_int_equal(r.kind, HW_QTEST_REPLY_FAIL);
	assert_null(r.arg);
}

/* The value of a FAIL reply is not a value. */
static void test_fail_has_no_value(void **state)
{
	struct hw_qtest_reply r;
	uint64_t v;

	(void)state;
	assert_int_equal(parse("FAIL 123", &r), 0);
	assert_int_equal(hw_qtest_reply_value(&r, &v), -EPROTO);
}

/* Asynchronous IRQ lines are recognised with direction and line number. */
static void test_irq(void **state)
{
	struct hw_qtest_reply r;

	(void)state;
	assert_int_equal(parse("IRQ raise 11", &r), 0);
	assert_int_equal(r.kind, HW_QTEST_REPLY_IRQ);
	assert_true(r.irq_raise);
	assert_int_equal(r.irq_line, 11);
	assert_int_equal(parse("IRQ lower 0", &r), 0);
	assert_false(r.irq_raise);
	assert_int_equal(r.irq_line, 0);
}

/* Malformed IRQ lines are errors, not replies. */
static void test_irq_malformed(void **state)
{
	static const char *const bad[] = {
		"IRQ",		"IRQ ",		"IRQ raise",
		"IRQ raise ",	"IRQ up 1",	"IRQ raise x",
		"IRQ raise -1", "IRQ lower 1 ", "IRQ raise 99999999999",
	};
	struct hw_qtest_reply r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], &r), -EPROTO);
	}
}

/* Lines that are none of the forms are refused: empty, unknown words, bad spacing. */
static void test_unknown_lines(void **state)
{
	static const char *const bad[] = {
		"", "O", "OKAY", "OK ", "ok", " OK", "FAILED", "FAIL ", "ERROR x", "hello",
	};
	struct hw_qtest_reply r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], &r), -EPROTO);
	}
}

/* Control characters and non-ASCII bytes anywhere make the line malformed (a CR too). */
static void test_control_bytes(void **state)
{
	struct hw_qtest_reply r;

	(void)state;
	assert_int_equal(hw_qtest_reply_parse("OK\r", 3, &r), -EPROTO);
	assert_int_equal(hw_qtest_reply_parse("OK\0", 3, &r), -EPROTO);
	assert_int_equal(hw_qtest_reply_parse("OK 0x1\n", 7, &r), -EPROTO);
	assert_int_equal(hw_qtest_reply_parse("OK \xff", 4, &r), -EPROTO);
}

/* Only `len` bytes are read: a valid prefix of a longer buffer parses as itself. */
static void test_length_is_respected(void **state)
{
	struct hw_qtest_reply r;
	uint64_t v = 0;

	(void)state;
	assert_int_equal(hw_qtest_reply_parse("OK 0x12345", 6, &r), 0);
	assert_int_equal(hw_qtest_reply_value(&r, &v), 0);
	assert_int_equal(v, 0x1);
}

/* Every prefix of every valid form either parses or is -EPROTO (no crash, no overread). */
static void test_truncations(void **state)
{
	static const char *const good[] = {
		"OK 0x0000000000000010", "OK 0x11e8", "FAIL Unknown command 'x'",
		"IRQ raise 3",		 "OK 12345",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		size_t len = strlen(good[i]);

		for (size_t n = 0; n <= len; n++) {
			char *copy = malloc(n ? n : 1);
			struct hw_qtest_reply r;
			uint64_t v;

			memcpy(copy, good[i], n);
			int ret = hw_qtest_reply_parse(copy, n, &r);

			assert_true(ret == 0 || ret == -EPROTO);
			if (ret == 0) {
				ret = hw_qtest_reply_value(&r, &v);
				assert_true(ret == 0 || ret == -EPROTO);
			}
			free(copy);
		}
	}
}

/* Random bytes never crash the parser and are almost always refused. */
static void test_random_garbage(void **state)
{
	unsigned seed = 12345;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(rand_r(&seed) % 40);
		char *buf = malloc(n ? n : 1);
		struct hw_qtest_reply r;
		uint64_t v;

		for (size_t i = 0; i < n; i++) {
			/* Bias towards the protocol's alphabet so that parsing gets deep. */
			static const char alphabet[] = "OKFAILERQ 0x123456789abcdefrise\n\r";

			buf[i] = (rand_r(&seed) % 4)
					 ? alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)]
					 : (char)rand_r(&seed);
		}
		int ret = hw_qtest_reply_parse(buf, n, &r);

		assert_true(ret == 0 || ret == -EPROTO);
		if (ret == 0) {
			ret = hw_qtest_reply_value(&r, &v);
			assert_true(ret == 0 || ret == -EPROTO);
		}
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_bare),
		cmocka_unit_test(test_ok_hex_value),
		cmocka_unit_test(test_ok_short_hex_value),
		cmocka_unit_test(test_ok_decimal_value),
		cmocka_unit_test(test_value_overflow),
		cmocka_unit_test(test_value_malformed),
		cmocka_unit_test(test_fail_and_err),
		cmocka_unit_test(test_fail_has_no_value),
		cmocka_unit_test(test_irq),
		cmocka_unit_test(test_irq_malformed),
		cmocka_unit_test(test_unknown_lines),
		cmocka_unit_test(test_control_bytes),
		cmocka_unit_test(test_length_is_respected),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_random_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
