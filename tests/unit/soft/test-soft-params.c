/* SPDX-License-Identifier: Apache-2.0 */
/* The soft backend's parameters: `smmu soft PARAMS` (the page-table format) and the device list
 * of `unit NAME PARAMS`, accepted and refused. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmocka-all.h"
#include "soft-test-util.h"

/* The format a unit's domains get, read back from a domain's own table. */
static enum pt_format format_of_domains(void)
{
	struct smmu_backend_unit *unit;
	struct smmu_backend_domain *domain;
	enum pt_format format;

	assert_int_equal(be->unit_create("soft0", "none", &unit), 0);
	assert_int_equal(be->domain_create(unit, &domain), 0);
	format = domain->unit->pt_cfg.format;
	be->domain_destroy(domain);
	be->unit_destroy(unit);
	return format;
}

/* Without parameters domains are VT-d 4-level tables with a 48-bit input. */
static void test_no_params_give_vtd_4_level_tables(void **state)
{
	struct smmu_backend_unit *unit;
	struct smmu_backend_domain *domain;
	struct pt_info info;

	(void)state;
	assert_int_equal(be->init(soft_test_host_reset(), NULL), 0);
	assert_int_equal(be->unit_create("soft0", "none", &unit), 0);
	assert_int_equal(be->domain_create(unit, &domain), 0);
	pt_get_info(domain->space, &info);
	assert_int_equal(unit->pt_cfg.format, PT_FORMAT_VTD_SL);
	assert_int_equal(info.level_count, 4);
	assert_int_equal(info.ias, 48);
	assert_int_equal(info.granule_lg2, 12);
	be->domain_destroy(domain);
	be->unit_destroy(unit);
	be->fini();
}

/* Each format= value selects its format, and the tables behave as that format: only
 * VMSAv8-64 stage 1 cannot express a write-only mapping. */
static void test_each_format_param_selects_its_tables(void **state)
{
	static const struct {
		const char *params;
		enum pt_format format;
		int write_only_map;
	} cases[] = {
		{"format=vtd", PT_FORMAT_VTD_SL, 0},
		{"format=lpae-s1", PT_FORMAT_LPAE_S1, -EOPNOTSUPP},
		{"format=lpae-s2", PT_FORMAT_LPAE_S2, 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct soft_fixture fx;

		soft_fixture_open(&fx, cases[i].params);
		assert_int_equal(fx.unit->pt_cfg.format, cases[i].format);
		assert_int_equal(be->map(fx.domain, 0x10000, 0x20000, 0x1000, SMMU_PROT_WRITE),
				 cases[i].write_only_map);
		soft_fixture_close(&fx);
	}
}

/* Parameters may be separated by commas or white space, with empty words between. */
static void test_params_separate_by_commas_or_spaces(void **state)
{
	(void)state;
	assert_int_equal(be->init(soft_test_host_reset(), " ,format=lpae-s2, "), 0);
	assert_int_equal(format_of_domains(), PT_FORMAT_LPAE_S2);
	be->fini();
	assert_int_equal(be->init(soft_test_host_reset(), "\tformat=lpae-s1\n"), 0);
	assert_int_equal(format_of_domains(), PT_FORMAT_LPAE_S1);
	be->fini();
}

/* An unknown parameter is -EINVAL, the log names it, and nothing is kept: init works again. */
static void test_unknown_param_is_refused_by_name(void **state)
{
	(void)state;
	assert_int_equal(be->init(soft_test_host_reset(), "format=vtd,speed=fast"), -EINVAL);
	assert_logged("unknown parameter 'speed=fast'");
	assert_int_equal(be->init(soft_test_host_reset(), "format"), -EINVAL);
	assert_logged("unknown parameter 'format'");
	assert_int_equal(be->init(soft_test_host_reset(), NULL), 0);
	be->fini();
}

/* An unknown format is -EINVAL and the log names the word. */
static void test_unknown_format_is_refused_by_name(void **state)
{
	(void)state;
	assert_int_equal(be->init(soft_test_host_reset(), "format=riscv"), -EINVAL);
	assert_logged("'format=riscv'");
	assert_int_equal(be->init(soft_test_host_reset(), "format="), -EINVAL);
	assert_int_equal(be->init(soft_test_host_reset(), "format=VTD"), -EINVAL);
}

/* A format given twice is a mistake to report, not a choice to make silently. */
static void test_format_given_twice_is_refused(void **state)
{
	(void)state;
	assert_int_equal(be->init(soft_test_host_reset(), "format=vtd,format=lpae-s1"), -EINVAL);
	assert_logged("given twice");
}

/* Quoted parameter text is bounded and shows no control characters. */
static void test_logged_param_is_bounded_and_escaped(void **state)
{
	char params[300];

	(void)state;
	memset(params, 'x', sizeof(params) - 1);
	params[sizeof(params) - 1] = '\0';
	params[3] = '\x1b';
	assert_int_equal(be->init(soft_test_host_reset(), params), -EINVAL);
	assert_logged("'xxx?xxx");
	assert_logged("...'");
	assert_null(strchr(test_host.log, '\x1b'));
	assert_true(strlen(test_host.log) < 200);
}

/* One backend instance per process: a second init before fini is -EBUSY. */
static void test_second_init_is_busy(void **state)
{
	(void)state;
	assert_int_equal(be->init(soft_test_host_reset(), NULL), 0);
	assert_int_equal(be->init(&test_host.host, NULL), -EBUSY);
	be->fini();
}

/* A host of another ABI is refused. */
static void test_host_of_another_abi_is_refused(void **state)
{
	struct smmu_backend_host host = *soft_test_host_reset();

	(void)state;
	host.abi_version = SMMU_BACKEND_ABI_VERSION + 1;
	assert_int_equal(be->init(&host, NULL), -EINVAL);
}

static int unit_create_result(const char *params)
{
	struct smmu_backend_unit *unit = NULL;
	int r = be->unit_create("soft0", params, &unit);

	if (r == 0) {
		be->unit_destroy(unit);
	}
	return r;
}

/* A unit line lists PCI functions (with or without segment 0) and memory devices. */
static void test_unit_lists_pci_and_memory_devices(void **state)
{
	(void)state;
	assert_int_equal(be->init(soft_test_host_reset(), NULL), 0);
	assert_int_equal(unit_create_result("pci:0:1.0,pci:0:2:3.4,mem:fe000000"), 0);
	assert_int_equal(unit_create_result("pci:0:1.0 mem:0x1000"), 0);
	assert_int_equal(unit_create_result("none"), 0);
	assert_int_equal(unit_create_result(""), 0);
	assert_int_equal(unit_create_result(NULL), 0);
	assert_int_equal(test_host.problem_count, 0);
	be->fini();
}

/* Each malformed device spec is -EINVAL, and the log quotes it with the unit's name. */
static void test_bad_device_specs_are_refused_by_name(void **state)
{
	static const char *const specs[] = {
		"pci:1.0",		  /* no bus */
		"pci:0:1",		  /* no function */
		"pci:0:32.0",		  /* device beyond 31 */
		"pci:0:1.8",		  /* function beyond 7 */
		"pci:256:0.0",		  /* bus beyond 255 */
		"pci:0:0:0:1.0",	  /* too many fields */
		"pci:0:1.0.1",		  /* a function that is no number */
		"pci:-1:1.0",		  /* not a number */
		"mem:",			  /* no address */
		"mem:xyz",		  /* not hexadecimal */
		"mem:1T",		  /* no such multiplier */
		"mem:ffffffffffffffff",	  /* bit 63 */
		"mem:100000000000000000", /* more than 64 bits */
		"usb:1",		  /* no such bus */
		"4K",			  /* what `mem:PADDR,LEN` leaves behind */
		"nothing",
	};

	(void)state;
	assert_int_equal(be->init(soft_test_host_reset(), NULL), 0);
	for (size_t i = 0; i < ARRAY_SIZE(specs); i++) {
		char expect[96];

		test_host.log_len = 0;
		test_host.log[0] = '\0';
		if (unit_create_result(specs[i]) != -EINVAL) {
			fail_msg("spec '%s' was not refused with EINVAL", specs[i]);
		}
		snprintf(expect, sizeof(expect), "unit soft0: device '%s'", specs[i]);
		assert_logged(expect);
	}
	be->fini();
}

/* A device listed twice is -EINVAL: a typo more often than an intention. */
static void test_device_listed_twice_is_refused(void **state)
{
	(void)state;
	assert_int_equal(be->init(soft_test_host_reset(), NULL), 0);
	assert_int_equal(unit_create_result("pci:0:1.0,pci:0:0:1.0"), -EINVAL);
	assert_logged("listed twice");
	be->fini();
}

/* A PCI segment other than 0 is -EOPNOTSUPP: QNX device ids cannot name it. */
static void test_pci_segment_other_than_0_is_unsupported(void **state)
{
	(void)state;
	assert_int_equal(be->init(soft_test_host_reset(), NULL), 0);
	assert_int_equal(unit_create_result("pci:1:0:1.0"), -EOPNOTSUPP);
	assert_logged("'pci:1:0:1.0'");
	be->fini();
}

#define TEST(t) cmocka_unit_test(t)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_no_params_give_vtd_4_level_tables),
		TEST(test_each_format_param_selects_its_tables),
		TEST(test_params_separate_by_commas_or_spaces),
		TEST(test_unknown_param_is_refused_by_name),
		TEST(test_unknown_format_is_refused_by_name),
		TEST(test_format_given_twice_is_refused),
		TEST(test_logged_param_is_bounded_and_escaped),
		TEST(test_second_init_is_busy),
		TEST(test_host_of_another_abi_is_refused),
		TEST(test_unit_lists_pci_and_memory_devices),
		TEST(test_bad_device_specs_are_refused_by_name),
		TEST(test_device_listed_twice_is_refused),
		TEST(test_pci_segment_other_than_0_is_unsupported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
