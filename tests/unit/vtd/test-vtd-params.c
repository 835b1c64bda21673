/* SPDX-License-Identifier: Apache-2.0 */
/* The VT-d library's configuration words: `smmu vtd [require|ignore]` and
 * `unit NAME PADDR[,include-all][,register-invalidation]`, accepted and refused, and init()'s
 * refusal of a platform without table memory. */
#include <errno.h>

#include "cmocka-all.h"
#include "vtd-test-util.h"

/* The library through the descriptor it exports. */
static const struct smmu_backend *const be = &vtd_backend;

static struct vtd_params parse_ok(const char *text)
{
	struct vtd_params params;
	char why[VTD_WHY_SIZE] = "";

	if (vtd_params_parse(text, &params, why, sizeof(why)) != 0) {
		fail_msg("'%s' refused: %s", text ? text : "(null)", why);
	}
	return params;
}

/* No parameter, require and ignore, each as documented. */
static void test_smmu_vtd_words(void **state)
{
	(void)state;
	assert_int_equal(parse_ok(NULL).acpi, VTD_ACPI_OPTIONAL);
	assert_int_equal(parse_ok("").acpi, VTD_ACPI_OPTIONAL);
	assert_int_equal(parse_ok("require").acpi, VTD_ACPI_REQUIRE);
	assert_int_equal(parse_ok("ignore").acpi, VTD_ACPI_IGNORE);
	assert_int_equal(parse_ok(" ,ignore, ").acpi, VTD_ACPI_IGNORE);
}

/* An unknown word, both words, or one twice is -EINVAL with the word quoted. */
static void test_smmu_vtd_refuses_unknown_and_contradictory_words(void **state)
{
	static const struct {
		const char *text;
		const char *quoted;
	} cases[] = {
		{"requir", "'requir'"},
		{"require,ignore", "'ignore'"},
		{"ignore ignore", "'ignore'"},
		{"require=1", "'require=1'"},
		{"\x01\x7f", "'?"
			     "?'"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vtd_params params = {.acpi = 99};
		char why[VTD_WHY_SIZE] = "";

		assert_int_equal(vtd_params_parse(cases[i].text, &params, why, sizeof(why)),
				 -EINVAL);
		assert_int_equal(params.acpi, 99); /* ret_* untouched on failure */
		if (!strstr(why, cases[i].quoted)) {
			fail_msg("'%s': the reason '%s' does not quote %s", cases[i].text, why,
				 cases[i].quoted);
		}
	}
}

static struct vtd_unit_params unit_ok(const char *text)
{
	struct vtd_unit_params params;
	char why[VTD_WHY_SIZE] = "";

	if (vtd_unit_params_parse(text, &params, why, sizeof(why)) != 0) {
		fail_msg("'%s' refused: %s", text, why);
	}
	return params;
}

/* The address is hexadecimal without a prefix, as QNX writes it; 0x and 0d and K/M/G work. */
static void test_unit_address_spellings(void **state)
{
	(void)state;
	assert_int_equal(unit_ok("0xfed90000").reg_base, 0xfed90000);
	assert_int_equal(unit_ok("fed90000").reg_base, 0xfed90000);
	assert_int_equal(unit_ok("0XFED91000").reg_base, 0xfed91000);
	assert_int_equal(unit_ok("0d4096").reg_base, 4096);
	assert_int_equal(unit_ok("4K").reg_base, 4096);
	assert_int_equal(unit_ok("0x10M").reg_base, 16u << 20);
	assert_int_equal(unit_ok("1g").reg_base, 1u << 30);
}

/* include-all and register-invalidation, in either order; neither by default. */
static void test_unit_flags(void **state)
{
	struct vtd_unit_params p;

	(void)state;
	p = unit_ok("0xfed90000");
	assert_false(p.include_all);
	assert_false(p.register_invalidation);
	p = unit_ok("0xfed90000,include-all");
	assert_true(p.include_all);
	assert_false(p.register_invalidation);
	p = unit_ok("0xfed90000,register-invalidation,include-all");
	assert_true(p.include_all);
	assert_true(p.register_invalidation);
	p = unit_ok("0xfed90000 register-invalidation");
	assert_false(p.include_all);
	assert_true(p.register_invalidation);
}

/* Missing, malformed, zero, unaligned or too wide addresses, unknown or repeated words. */
static void test_unit_refusals(void **state)
{
	static const char *const cases[] = {
		"",
		",include-all",
		"include-all",
		"0xfed9000z",
		"0x",
		"0",
		"0xfed90800",
		"0x10000000000000000",
		"0xffffffffffffffffK",
		"0xfed90000,include-al",
		"0xfed90000,include-all,include-all",
		"0xfed90000,0xfed91000",
		"0xfed90000,bypass",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vtd_unit_params params = {.reg_base = 7};
		char why[VTD_WHY_SIZE] = "";

		if (vtd_unit_params_parse(cases[i], &params, why, sizeof(why)) != -EINVAL) {
			fail_msg("'%s' was accepted", cases[i]);
		}
		assert_int_equal(params.reg_base, 7);
		assert_true(why[0] != '\0');
	}
}

/* init() parses `smmu vtd PARAMS`: a bad word fails with a log line naming it, before any
 * hardware is reached. */
static void test_init_refuses_a_bad_parameter_with_a_log_line(void **state)
{
	(void)state;
	assert_int_equal(be->init(backend_test_host_reset("devmem:mem=/nonexistent"), "requires"),
			 -EINVAL);
	assert_non_null(strstr(test_host.log, "'requires'"));
	/* Nothing was kept: a second init gets as far as the platform, and says why it stops. */
	assert_int_equal(be->init(backend_test_host_reset("devmem:mem=/nonexistent"), "require"),
			 -ENOENT);
	assert_non_null(strstr(test_host.log, "/nonexistent"));
}

/* A platform that reserves no table memory is refused with a line saying how to fix it. */
static void test_init_needs_table_memory(void **state)
{
	struct file_machine m;
	char spec[128];

	(void)state;
	file_machine_create(&m, 0, 0);
	snprintf(spec, sizeof(spec), "devmem:mem=%s", m.path);
	assert_int_equal(be->init(backend_test_host_reset(spec), NULL), -ENOENT);
	assert_non_null(strstr(test_host.log, "tables=ADDR,SIZE"));
	assert_int_equal(be->init(backend_test_host_reset(m.spec), "ignore"), 0);
	be->fini();
	file_machine_destroy(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smmu_vtd_words),
		cmocka_unit_test(test_smmu_vtd_refuses_unknown_and_contradictory_words),
		cmocka_unit_test(test_unit_address_spellings),
		cmocka_unit_test(test_unit_flags),
		cmocka_unit_test(test_unit_refusals),
		cmocka_unit_test(test_init_refuses_a_bad_parameter_with_a_log_line),
		cmocka_unit_test(test_init_needs_table_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
