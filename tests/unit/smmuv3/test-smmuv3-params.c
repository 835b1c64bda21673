/* SPDX-License-Identifier: Apache-2.0 */
/* The SMMUv3 library's configuration words (smmuv3.h, "Configuration"): `smmu smmuv3 PARAMS`,
 * `unit NAME PADDR[,BYPASS[,SID:SID:...]]` and the StreamID of a `use` line. */
#include <errno.h>

#include "cmocka-all.h"
#include "smmuv3-test-util.h"

static char why[SMMUV3_WHY_SIZE];

/* No parameters: discovery optional, the stage chosen by the unit. */
static void test_type_params_default(void **state)
{
	struct smmuv3_params p = {.firmware = SMMUV3_FW_IGNORE, .stage = 9};

	(void)state;
	assert_int_equal(smmuv3_params_parse(NULL, &p, why, sizeof(why)), 0);
	assert_int_equal(p.firmware, SMMUV3_FW_OPTIONAL);
	assert_int_equal(p.stage, 0);
	assert_int_equal(smmuv3_params_parse("", &p, why, sizeof(why)), 0);
}

/* require/ignore are accepted (discovery's words) and stage=1|2 is kept. */
static void test_type_params_words(void **state)
{
	struct smmuv3_params p;

	(void)state;
	assert_int_equal(smmuv3_params_parse("require,stage=2", &p, why, sizeof(why)), 0);
	assert_int_equal(p.firmware, SMMUV3_FW_REQUIRE);
	assert_int_equal(p.stage, 2);
	assert_int_equal(smmuv3_params_parse("stage=1 ignore", &p, why, sizeof(why)), 0);
	assert_int_equal(p.firmware, SMMUV3_FW_IGNORE);
	assert_int_equal(p.stage, 1);
}

/* Unknown words, stage 3, or a word twice are -EINVAL with the word quoted. */
static void test_type_params_errors(void **state)
{
	struct smmuv3_params p;

	(void)state;
	assert_int_equal(smmuv3_params_parse("stage=3", &p, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "'stage=3'"));
	assert_int_equal(smmuv3_params_parse("require,ignore", &p, why, sizeof(why)), -EINVAL);
	assert_int_equal(smmuv3_params_parse("stage=1,stage=1", &p, why, sizeof(why)), -EINVAL);
	assert_int_equal(smmuv3_params_parse("bypass", &p, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "'bypass'"));
}

/* The example's unit line: address, BYPASS 0, reserved StreamIDs 4 and 5. */
static void test_unit_params_full(void **state)
{
	struct smmuv3_unit_params p;

	(void)state;
	assert_int_equal(smmuv3_unit_params_parse("0x09050000,0,4:5", &p, why, sizeof(why)), 0);
	assert_int_equal(p.reg_base, 0x09050000);
	assert_false(p.bypass);
	assert_int_equal(p.reserved_sid_count, 2);
	assert_int_equal(p.reserved_sid[0], 4);
	assert_int_equal(p.reserved_sid[1], 5);
	assert_true(smmuv3_sid_reserved(&p, 5));
	assert_false(smmuv3_sid_reserved(&p, 6));
}

/* Address only: hexadecimal without 0x, BYPASS 0, nothing reserved; BYPASS 1 alone. */
static void test_unit_params_short(void **state)
{
	struct smmuv3_unit_params p;

	(void)state;
	assert_int_equal(smmuv3_unit_params_parse("9050000", &p, why, sizeof(why)), 0);
	assert_int_equal(p.reg_base, 0x09050000);
	assert_false(p.bypass);
	assert_int_equal(p.reserved_sid_count, 0);
	assert_int_equal(smmuv3_unit_params_parse("0x2b400000,1", &p, why, sizeof(why)), 0);
	assert_true(p.bypass);
	/* StreamIDs are decimal by default, 0x overrides. */
	assert_int_equal(smmuv3_unit_params_parse("0x2b400000,1,16:0x20", &p, why, sizeof(why)), 0);
	assert_int_equal(p.reserved_sid[0], 16);
	assert_int_equal(p.reserved_sid[1], 32);
}

/* Every malformed unit line is -EINVAL. */
static void test_unit_params_errors(void **state)
{
	static const char *const bad[] = {
		"",		/* no address */
		"0",		/* zero */
		"0x9051000",	/* not 64 KiB aligned */
		"zz",		/* not a number */
		"0x9050000,2",	/* bypass 2 */
		"0x9050000,,4", /* empty bypass */
		"0x9050000,0,4::5",
		"0x9050000,0,:4",
		"0x9050000,0,4:",
		"0x9050000,0,4:4",	  /* twice */
		"0x9050000,0,x",	  /* not a number */
		"0x9050000,0,4294967296", /* beyond 32 bits */
		"0x9050000,0,4,extra",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct smmuv3_unit_params p;

		if (smmuv3_unit_params_parse(bad[i], &p, why, sizeof(why)) != -EINVAL) {
			fail_msg("'%s' was accepted", bad[i]);
		}
	}
}

/* More reserved StreamIDs than the limit are refused. */
static void test_unit_params_reserved_limit(void **state)
{
	char line[1024] = "0x9050000,0,";
	struct smmuv3_unit_params p;

	(void)state;
	for (unsigned sid = 0; sid <= SMMUV3_MAX_RESERVED_SIDS; sid++) {
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%u", sid ? ":" : "",
			 sid);
	}
	assert_int_equal(smmuv3_unit_params_parse(line, &p, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "more than"));
}

/* The use parameter is the StreamID, required. */
static void test_use_param_sid(void **state)
{
	uint32_t sid = 0;

	(void)state;
	assert_int_equal(smmuv3_sid_parse("8", &sid, why, sizeof(why)), 0);
	assert_int_equal(sid, 8);
	assert_int_equal(smmuv3_sid_parse("0x10", &sid, why, sizeof(why)), 0);
	assert_int_equal(sid, 16);
	assert_int_equal(smmuv3_sid_parse("", &sid, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "StreamID"));
	assert_int_equal(smmuv3_sid_parse(NULL, &sid, why, sizeof(why)), -EINVAL);
	assert_int_equal(smmuv3_sid_parse("8a", &sid, why, sizeof(why)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_params_default),
		cmocka_unit_test(test_type_params_words),
		cmocka_unit_test(test_type_params_errors),
		cmocka_unit_test(test_unit_params_full),
		cmocka_unit_test(test_unit_params_short),
		cmocka_unit_test(test_unit_params_errors),
		cmocka_unit_test(test_unit_params_reserved_limit),
		cmocka_unit_test(test_use_param_sid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
