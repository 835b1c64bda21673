/* SPDX-License-Identifier: Apache-2.0 */
/* hw/hw-spec.c: provider spec strings as hw.h documents them; every malformed spec is
 * -EINVAL with a sentence that says what is wrong. */
#include "hw/hw-spec.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "cmocka-all.h"
#include "common/strbuf.h"

/* Parses a spec that must be refused and checks the reason mentions `needle`. */
static void assert_refused(const char *spec, const char *needle)
{
	struct hw_spec s;
	struct strbuf why = STRBUF_INIT;
	int r = hw_spec_parse(spec, &s, &why);

	if (r != -EINVAL || !strstr(strbuf_str(&why), needle)) {
		print_error("spec \"%s\": r=%d why=\"%s\", wanted -EINVAL mentioning \"%s\"\n",
			    spec, r, strbuf_str(&why), needle);
		fail();
	}
	strbuf_fini(&why);
}

/* The board's spec: socket, RAM file, base, table range, all recorded. */
static void test_qtest_full(void **state)
{
	struct hw_spec s;

	(void)state;
	assert_int_equal(hw_spec_parse("qtest:/tmp/b/qtest.sock,mem=/dev/shm/ram,ram-base=0x0,"
				       "tables=0xc000000,64M",
				       &s, NULL),
			 0);
	assert_int_equal(s.provider, HW_PROVIDER_QTEST);
	assert_string_equal(s.socket_path, "/tmp/b/qtest.sock");
	assert_string_equal(s.mem_path, "/dev/shm/ram");
	assert_true(s.ram_base == 0);
	assert_false(s.has_ram_size);
	assert_true(s.has_tables);
	assert_true(s.tables_pa == 0xc000000);
	assert_true(s.tables_size == 64ull << 20);
	assert_false(s.has_ecam);
	hw_spec_fini(&s);
}

/* A bare socket is a valid qtest spec: no window, port-based PCI, no tables. */
static void test_qtest_minimal(void **state)
{
	struct hw_spec s;

	(void)state;
	assert_int_equal(hw_spec_parse("qtest:/run/q.sock", &s, NULL), 0);
	assert_string_equal(s.socket_path, "/run/q.sock");
	assert_null(s.mem_path);
	assert_false(s.has_tables);
	assert_false(s.has_ecam);
	hw_spec_fini(&s);
}

/* ARM virt: RAM at 1 GiB, ECAM in high MMIO, a RAM size below the file's. */
static void test_qtest_arm_virt(void **state)
{
	struct hw_spec s;

	(void)state;
	assert_int_equal(hw_spec_parse("qtest:/q.sock,mem=/dev/shm/r,ram-base=0x40000000,"
				       "ram-size=256M,ecam=0x4010000000",
				       &s, NULL),
			 0);
	assert_true(s.ram_base == 0x40000000);
	assert_true(s.has_ram_size);
	assert_true(s.ram_size == 256ull << 20);
	assert_true(s.has_ecam);
	assert_true(s.ecam_base == 0x4010000000ull);
	hw_spec_fini(&s);
}

/* devmem with nothing given uses /dev/mem and sysfs. */
static void test_devmem_defaults(void **state)
{
	struct hw_spec s;

	(void)state;
	assert_int_equal(hw_spec_parse("devmem", &s, NULL), 0);
	assert_int_equal(s.provider, HW_PROVIDER_DEVMEM);
	assert_string_equal(s.mem_path, "/dev/mem");
	assert_string_equal(s.sysfs_path, "/sys/bus/pci/devices");
	assert_false(s.has_tables);
	hw_spec_fini(&s);
	assert_int_equal(hw_spec_parse("devmem:", &s, NULL), 0);
	assert_string_equal(s.mem_path, "/dev/mem");
	hw_spec_fini(&s);
}

/* devmem's table range, and the test overrides of its paths. */
static void test_devmem_tables_and_paths(void **state)
{
	struct hw_spec s;

	(void)state;
	assert_int_equal(hw_spec_parse("devmem:tables=0x7c000000,0x4000000,mem=/tmp/f,sysfs=/tmp/s",
				       &s, NULL),
			 0);
	assert_true(s.has_tables);
	assert_true(s.tables_pa == 0x7c000000);
	assert_true(s.tables_size == 0x4000000);
	assert_string_equal(s.mem_path, "/tmp/f");
	assert_string_equal(s.sysfs_path, "/tmp/s");
	hw_spec_fini(&s);
}

/* Numbers: hex, decimal, and the K/M/G/T multipliers. */
static void test_numbers(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(hw_parse_u64("0x1000", &v), 0);
	assert_true(v == 0x1000);
	assert_int_equal(hw_parse_u64("4096", &v), 0);
	assert_true(v == 4096);
	assert_int_equal(hw_parse_u64("4K", &v), 0);
	assert_true(v == 4096);
	assert_int_equal(hw_parse_u64("0x10M", &v), 0);
	assert_true(v == 16ull << 20);
	assert_int_equal(hw_parse_u64("3G", &v), 0);
	assert_true(v == 3ull << 30);
	assert_int_equal(hw_parse_u64("1T", &v), 0);
	assert_true(v == 1ull << 40);
	assert_int_equal(hw_parse_u64("0xffffffffffffffff", &v), 0);
	assert_true(v == UINT64_MAX);
}

/* Malformed numbers and numbers that overflow 64 bits, with or without a multiplier. */
static void test_bad_numbers(void **state)
{
	uint64_t v = 5;

	(void)state;
	assert_int_equal(hw_parse_u64("", &v), -EINVAL);
	assert_int_equal(hw_parse_u64("0x", &v), -EINVAL);
	assert_int_equal(hw_parse_u64("K", &v), -EINVAL);
	assert_int_equal(hw_parse_u64("12KB", &v), -EINVAL);
	assert_int_equal(hw_parse_u64("-1", &v), -EINVAL);
	assert_int_equal(hw_parse_u64("1 ", &v), -EINVAL);
	assert_int_equal(hw_parse_u64("12k", &v), -EINVAL);
	assert_int_equal(hw_parse_u64("0x10000000000000000", &v), -ERANGE);
	assert_int_equal(hw_parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(hw_parse_u64("16777216T", &v), -ERANGE);
	assert_true(v == 5);
}

/* An empty spec or an unknown provider is refused by name. */
static void test_bad_provider(void **state)
{
	struct hw_spec s;

	(void)state;
	assert_refused("", "empty");
	assert_int_equal(hw_spec_parse(NULL, &s, NULL), -EINVAL);
	assert_refused("vfio:/dev/vfio/1", "unknown hardware provider \"vfio\"");
	assert_refused("QTEST:/q", "unknown hardware provider");
}

/* qtest needs its socket first. */
static void test_qtest_needs_socket(void **state)
{
	(void)state;
	assert_refused("qtest", "socket path");
	assert_refused("qtest:", "socket path");
	assert_refused("qtest:mem=/dev/shm/x", "socket path");
}

/* Keys another provider owns, unknown keys and keys without '=' are refused. */
static void test_bad_keys(void **state)
{
	(void)state;
	assert_refused("devmem:ecam=0x0", "unknown key \"ecam\"");
	assert_refused("devmem:ram-base=0", "unknown key");
	assert_refused("qtest:/q,sysfs=/sys", "unknown key \"sysfs\"");
	assert_refused("qtest:/q,colour=blue", "unknown key \"colour\"");
	assert_refused("qtest:/q,mem", "not KEY=VALUE");
}

/* A key given twice is an error, not "last wins". */
static void test_duplicate_key(void **state)
{
	(void)state;
	assert_refused("qtest:/q,mem=/a,mem=/b", "given twice");
}

/* Empty fields (doubled, leading or trailing commas) are refused. */
static void test_empty_fields(void **state)
{
	(void)state;
	assert_refused("qtest:/q,,mem=/a", "empty field");
	assert_refused("qtest:/q,", "empty field");
	assert_refused("devmem:,mem=/a", "empty field");
	assert_refused("qtest:/q,mem=", "needs a path");
}

/* tables= takes exactly two values, the range non-empty, page-aligned and not wrapping. */
static void test_bad_tables(void **state)
{
	(void)state;
	assert_refused("devmem:tables=0x1000", "two values");
	assert_refused("devmem:tables=0x1000,mem=/x", "two values");
	assert_refused("devmem:tables=0x1000,0", "size is 0");
	assert_refused("devmem:tables=0x1800,4K", "multiples of 4 KiB");
	assert_refused("devmem:tables=0x1000,100", "multiples of 4 KiB");
	assert_refused("devmem:tables=0xfffffffffffff000,8K", "runs past the end");
	assert_refused("devmem:tables=lots,4K", "not a number");
}

/* RAM geometry without the RAM file, an empty or wrapping window, a misaligned ECAM. */
static void test_bad_qtest_geometry(void **state)
{
	(void)state;
	assert_refused("qtest:/q,ram-base=0x40000000", "mem= file, which is missing");
	assert_refused("qtest:/q,mem=/r,ram-size=0", "empty");
	assert_refused("qtest:/q,mem=/r,ram-base=0xffffffffffff0000,ram-size=1M", "runs past");
	assert_refused("qtest:/q,ecam=0x4010001000", "1 MiB");
}

/* A spec longer than HW_SPEC_MAX_LEN is refused before any parsing. */
static void test_too_long(void **state)
{
	char spec[HW_SPEC_MAX_LEN + 16];

	(void)state;
	memcpy(spec, "qtest:/", 7);
	memset(spec + 7, 'a', sizeof(spec) - 8);
	spec[sizeof(spec) - 1] = '\0';
	assert_refused(spec, "longer than");
}

/* A failed parse leaves the caller's structure untouched. */
static void test_failure_leaves_output(void **state)
{
	struct hw_spec s;

	(void)state;
	memset(&s, 0xa5, sizeof(s));
	assert_int_equal(hw_spec_parse("qtest:/q,mem=/a,mem=/b", &s, NULL), -EINVAL);
	assert_true(s.provider == (enum hw_provider)0xa5a5a5a5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qtest_full),
		cmocka_unit_test(test_qtest_minimal),
		cmocka_unit_test(test_qtest_arm_virt),
		cmocka_unit_test(test_devmem_defaults),
		cmocka_unit_test(test_devmem_tables_and_paths),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_bad_provider),
		cmocka_unit_test(test_qtest_needs_socket),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_empty_fields),
		cmocka_unit_test(test_bad_tables),
		cmocka_unit_test(test_bad_qtest_geometry),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_failure_leaves_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
