/* SPDX-License-Identifier: Apache-2.0 */
/* hw/qtest-command.c: what the board multiplexer lets through to QEMU is exactly the set of
 * well-formed commands, rewritten canonically; everything else is refused with a reason. */
#include "hw/qtest-command.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmocka-all.h"
#include "common/strbuf.h"

static int parse(const char *line, struct hw_qtest_command *cmd)
{
	return hw_qtest_command_parse(line, strlen(line), cmd, NULL);
}

/* Parses `line` and formats it back; returns the canonical text (static buffer). */
static const char *canonical(const char *line)
{
	static char buf[HW_QTEST_COMMAND_MAX_LEN];
	struct hw_qtest_command cmd;

	assert_int_equal(parse(line, &cmd), 0);
	assert_true(hw_qtest_command_format(&cmd, buf, sizeof(buf)) > 0);
	return buf;
}

/* Register reads of each width parse to their op and address. */
static void test_reads(void **state)
{
	struct hw_qtest_command cmd;

	(void)state;
	assert_int_equal(parse("readl 0xfed90000", &cmd), 0);
	assert_int_equal(cmd.op, HW_QTEST_READL);
	assert_true(cmd.addr == 0xfed90000);
	assert_int_equal(hw_qtest_op_size(cmd.op), 4);
	assert_int_equal(parse("readq 0xfed90008", &cmd), 0);
	assert_int_equal(hw_qtest_op_size(cmd.op), 8);
	assert_int_equal(parse("readb 16", &cmd), 0);
	assert_true(cmd.addr == 16);
}

/* Numbers are rewritten as hex, so QEMU never sees an ambiguous spelling. */
static void test_canonical_form(void **state)
{
	(void)state;
	assert_string_equal(canonical("readl 4096"), "readl 0x1000\n");
	assert_string_equal(canonical("writeq   0xFE000080   0x100000"),
			    "writeq 0xfe000080 0x100000\n");
	assert_string_equal(canonical("outl 0xcf8 0x80000800"), "outl 0xcf8 0x80000800\n");
	assert_string_equal(canonical("inw 0xcfc"), "inw 0xcfc\n");
	assert_string_equal(canonical("endianness"), "endianness\n");
}

/* The clock takes decimal nanoseconds, optional for clock_step. */
static void test_clock(void **state)
{
	struct hw_qtest_command cmd;

	(void)state;
	assert_int_equal(parse("clock_step", &cmd), 0);
	assert_false(cmd.has_value);
	assert_string_equal(canonical("clock_step"), "clock_step\n");
	assert_string_equal(canonical("clock_step 0x10"), "clock_step 16\n");
	assert_string_equal(canonical("clock_set 100000000"), "clock_set 100000000\n");
}

/* A clock value beyond QEMU's signed 64-bit clock is refused. */
static void test_clock_range(void **state)
{
	struct hw_qtest_command cmd;

	(void)state;
	assert_int_equal(parse("clock_step 9223372036854775807", &cmd), 0);
	assert_int_equal(parse("clock_step 9223372036854775808", &cmd), -EINVAL);
	assert_int_equal(parse("clock_set 0xffffffffffffffff", &cmd), -EINVAL);
}

/* Written values must fit the access width (QEMU would silently truncate). */
static void test_value_width(void **state)
{
	struct hw_qtest_command cmd;

	(void)state;
	assert_int_equal(parse("writeb 0x0 0xff", &cmd), 0);
	assert_int_equal(parse("writeb 0x0 0x100", &cmd), -EINVAL);
	assert_int_equal(parse("outw 0x510 0xffff", &cmd), 0);
	assert_int_equal(parse("outw 0x510 0x10000", &cmd), -EINVAL);
	assert_int_equal(parse("writel 0x0 0x100000000", &cmd), -EINVAL);
	assert_int_equal(parse("writeq 0x0 0xffffffffffffffff", &cmd), 0);
}

/* Ports are 16-bit: QEMU asserts on a larger one, which would kill the board. */
static void test_port_range(void **state)
{
	struct hw_qtest_command cmd;

	(void)state;
	assert_int_equal(parse("inb 0xffff", &cmd), 0);
	assert_int_equal(parse("inb 0x10000", &cmd), -EINVAL);
	assert_int_equal(parse("outl 0x10000 0", &cmd), -EINVAL);
}

/* Wrong argument counts are refused, with the reason. */
static void test_argument_count(void **state)
{
	struct hw_qtest_command cmd;
	struct strbuf why = STRBUF_INIT;

	(void)state;
	assert_int_equal(parse("readl", &cmd), -EINVAL);
	assert_int_equal(parse("readl 0x0 0x1", &cmd), -EINVAL);
	assert_int_equal(parse("writel 0x0", &cmd), -EINVAL);
	assert_int_equal(parse("endianness now", &cmd), -EINVAL);
	assert_int_equal(parse("clock_set", &cmd), -EINVAL);
	assert_int_equal(hw_qtest_command_parse("outb 1", 6, &cmd, &why), -EINVAL);
	assert_non_null(strstr(strbuf_str(&why), "outb takes 2 arguments"));
	strbuf_fini(&why);
}

/* Leading zeros are refused: QEMU's strtoul would read 010 as octal 8. */
static void test_octal_ambiguity(void **state)
{
	struct hw_qtest_command cmd;

	(void)state;
	assert_int_equal(parse("readl 010", &cmd), -EINVAL);
	assert_int_equal(parse("readl 0", &cmd), 0);
	assert_int_equal(parse("readl 0x010", &cmd), 0);
	assert_true(cmd.addr == 0x10);
}

/* Malformed numbers: signs, empty hex, junk, overflow. */
static void test_bad_numbers(void **state)
{
	static const char *const bad[] = {
		"readl -1",
		"readl +1",
		"readl 0x",
		"readl 0xg",
		"readl 12k",
		"readl 1.0",
		"readq 0x10000000000000000",
		"readq 18446744073709551616",
	};
	struct hw_qtest_command cmd;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], &cmd), -EINVAL);
	}
}

/* Commands outside the set are refused by name, bulk memory ones included. */
static void test_refused_commands(void **state)
{
	static const char *const bad[] = {
		"read 0x0 16",
		"write 0x0 1 0x00",
		"memset 0x0 1 0",
		"b64read 0x0 1",
		"irq_intercept_in ioapic",
		"module_load a b",
		"READL 0x0",
		"",
		"   ",
	};
	struct hw_qtest_command cmd;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], &cmd), -EINVAL);
	}
}

/* Control characters (tabs, CR, NUL) and non-ASCII bytes are refused. */
static void test_control_bytes(void **state)
{
	struct hw_qtest_command cmd;

	(void)state;
	assert_int_equal(hw_qtest_command_parse("readl\t0x0", 9, &cmd, NULL), -EINVAL);
	assert_int_equal(hw_qtest_command_parse("readl 0x0\r", 10, &cmd, NULL), -EINVAL);
	assert_int_equal(hw_qtest_command_parse("readl 0\0", 8, &cmd, NULL), -EINVAL);
	assert_int_equal(hw_qtest_command_parse("readl \xc3\xa9", 8, &cmd, NULL), -EINVAL);
}

/* Formatting refuses an invalid op and a buffer too small, instead of writing garbage. */
static void test_format_refuses(void **state)
{
	struct hw_qtest_command cmd = {.op = HW_QTEST_READL, .addr = 0xfed90000};
	struct hw_qtest_command bogus = {.op = HW_QTEST_OP_COUNT};
	char buf[8];

	(void)state;
	assert_int_equal(hw_qtest_command_format(&cmd, buf, sizeof(buf)), 0);
	assert_int_equal(hw_qtest_command_format(&bogus, buf, sizeof(buf)), 0);
}

/* The longest canonical command fits HW_QTEST_COMMAND_MAX_LEN. */
static void test_longest_fits(void **state)
{
	struct hw_qtest_command cmd = {
		.op = HW_QTEST_WRITEQ, .addr = UINT64_MAX, .value = UINT64_MAX};
	char buf[HW_QTEST_COMMAND_MAX_LEN];

	(void)state;
	assert_true(hw_qtest_command_format(&cmd, buf, sizeof(buf)) > 0);
}

/* Random lines never crash the parser; whatever it accepts formats and re-parses the same. */
static void test_random_lines_roundtrip(void **state)
{
	static const char alphabet[] = "readwritoulbqcksp_ 0x123456789abcdefxyz";
	unsigned seed = 777;

	(void)state;
	for (int round = 0; round < 50000; round++) {
		size_t n = (size_t)(rand_r(&seed) % 32);
		char line[32];
		struct hw_qtest_command cmd, again;
		char out[HW_QTEST_COMMAND_MAX_LEN];

		for (size_t i = 0; i < n; i++) {
			line[i] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
		}
		if (hw_qtest_command_parse(line, n, &cmd, NULL) != 0) {
			continue;
		}
		size_t len = hw_qtest_command_format(&cmd, out, sizeof(out));

		assert_true(len > 0);
		assert_int_equal(hw_qtest_command_parse(out, len - 1, &again, NULL), 0);
		assert_int_equal(cmd.op, again.op);
		assert_true(cmd.addr == again.addr);
		assert_true(cmd.value == again.value);
		assert_int_equal(cmd.has_value, again.has_value);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads),
		cmocka_unit_test(test_canonical_form),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_clock_range),
		cmocka_unit_test(test_value_width),
		cmocka_unit_test(test_port_range),
		cmocka_unit_test(test_argument_count),
		cmocka_unit_test(test_octal_ambiguity),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_refused_commands),
		cmocka_unit_test(test_control_bytes),
		cmocka_unit_test(test_format_refuses),
		cmocka_unit_test(test_longest_fits),
		cmocka_unit_test(test_random_lines_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
