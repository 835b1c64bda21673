/* SPDX-License-Identifier: Apache-2.0 */
/* Lexical rules of the configuration language: comments, lines, words,
 * substitutions, and how errors are located and reported. */
#include <errno.h>
#include <string.h>

#include "cfg-test-util.h"
#include "common/alloc.h"
#include "common/limits.h"

/* '#' starts a comment that runs to the end of the line, anywhere. */
static void test_comments(void **state)
{
	(void)state;
	cfg_test_file("c.smmu", "# whole line\n"
				"debug 1 # after an option\n"
				"#debug 2\n"
				"   # indented\n");
	cfg_test_assert_dump("@c.smmu", "debug 1\n");
}

/* Blank lines and whitespace-only lines are ignored; tabs separate words. */
static void test_blank_lines_and_tabs(void **state)
{
	(void)state;
	cfg_test_file("c.smmu", "\n\n  \t \ndebug\t2\n\n");
	cfg_test_assert_dump("@c.smmu", "debug 2\n");
}

/* Several options may share a line. */
static void test_several_options_per_line(void **state)
{
	(void)state;
	cfg_test_assert_dump("debug 1 foreground smmu vtd require",
			     "debug 1\nforeground\nsmmu vtd require\n");
}

/* An option's arguments must be on its own line. */
static void test_option_ends_at_newline(void **state)
{
	(void)state;
	cfg_test_file("c.smmu", "smmu\nvtd\n");
	cfg_test_expect_error("@c.smmu", "c.smmu:1:5: error: missing argument: smmu TYPE [PARAMS]");
}

/* CRLF line endings read like LF. */
static void test_crlf(void **state)
{
	(void)state;
	cfg_test_file("c.smmu", "debug 1\r\nsmmu vtd\r\n");
	cfg_test_assert_dump("@c.smmu", "debug 1\nsmmu vtd\n");
}

/* A control character is an error at its column. */
static void test_control_character(void **state)
{
	(void)state;
	cfg_test_file("c.smmu", "debug 1\nsmmu \x01vtd\n");
	cfg_test_expect_error("@c.smmu", "c.smmu:2:6: error: control character");
}

/* A NUL byte means the file is not text. */
static void test_nul_byte(void **state)
{
	(void)state;
	cfg_test_file_bytes("c.smmu", "debug 1\nsm\0mu", 13);
	cfg_test_expect_error("@c.smmu", "c.smmu:2:3: error: NUL byte");
}

/* An unknown keyword is an error; reading goes on with the next line. */
static void test_unknown_option_reports_and_continues(void **state)
{
	struct cfg_config cfg = {0};
	struct cfg_diags diags = {0};

	(void)state;
	cfg_test_file("c.smmu", "bogus 1 2\ndebug 1\nalso-bad\n");
	assert_int_equal(cfg_test_parse("@c.smmu", &cfg, &diags), -EINVAL);
	assert_int_equal(diags.error_count, 2);
	assert_string_equal(diags.items[0].message, "unknown option 'bogus'");
	assert_int_equal(diags.items[0].line, 1);
	assert_int_equal(diags.items[1].line, 3);
	assert_int_equal(cfg.debug, 1);
	cfg_config_fini(&cfg);
	cfg_diags_fini(&diags);
}

/* After SMMU_CFG_MAX_ERRORS errors the parser stops. */
static void test_error_limit(void **state)
{
	char text[2048] = "";
	struct cfg_config cfg = {0};
	struct cfg_diags diags = {0};

	(void)state;
	for (int i = 0; i < 50; i++) {
		strcat(text, "bad\n");
	}
	cfg_test_file("c.smmu", text);
	assert_int_equal(cfg_test_parse("@c.smmu", &cfg, &diags), -EINVAL);
	assert_int_equal(diags.error_count, SMMU_CFG_MAX_ERRORS + 1);
	assert_string_equal(diags.items[diags.count - 1].message, "too many errors, stopping here");
	cfg_config_fini(&cfg);
	cfg_diags_fini(&diags);
}

/* $env{NAME} is replaced by the variable's value before words are split. */
static void test_env_substitution(void **state)
{
	(void)state;
	cfg_test_env("LEVEL", "2");
	cfg_test_env("TWO_OPTIONS", "smmu vtd   foreground");
	cfg_test_env("EMPTY", "");
	cfg_test_assert_dump("debug $env{LEVEL} $env{TWO_OPTIONS}$env{EMPTY}",
			     "debug 2\nforeground\nsmmu vtd\n");
	cfg_test_assert_dump("smmu v$env{LEVEL}x", "smmu v2x\n");
}

/* An unset variable is an error at the name. */
static void test_env_unset(void **state)
{
	(void)state;
	cfg_test_expect_error("debug $env{NOPE}",
			      "<command line>:1:12: error: environment variable 'NOPE' is not set");
}

/* A substitution inside a comment is not performed. */
static void test_substitution_in_comment_ignored(void **state)
{
	(void)state;
	cfg_test_file("c.smmu", "debug 1 # $env{NOPE} $bogus\n");
	cfg_test_assert_dump("@c.smmu", "debug 1\n");
}

/* Malformed substitutions, each at its column. */
static void test_bad_substitutions(void **state)
{
	(void)state;
	cfg_test_expect_error("debug $foo{x}",
			      "<command line>:1:7: error: '$' starts a substitution");
	cfg_test_expect_error("debug 1$", "<command line>:1:8: error: '$' starts a substitution");
	cfg_test_expect_error("debug $env", "<command line>:1:11: error: expected '{' after $env");
	cfg_test_expect_error("debug $env(X)",
			      "<command line>:1:11: error: expected '{' after $env");
	cfg_test_expect_error("debug $env{X",
			      "<command line>:1:7: error: $env{ has no closing '}'");
	cfg_test_expect_error("debug $env{}", "<command line>:1:12: error: empty name in $env{}");
	cfg_test_expect_error("debug $env{$env{X}}",
			      "<command line>:1:12: error: substitutions do not nest");
}

/* A value may not bring '#', '$' or control characters into the text. */
static void test_substituted_value_checked(void **state)
{
	(void)state;
	cfg_test_env("HASH", "1#2");
	cfg_test_env("DOLLAR", "$env{X}");
	cfg_test_env("NEWLINE", "1\n2");
	cfg_test_expect_error("debug $env{HASH}", "<command line>:1:7: error: the value of this "
						  "substitution contains '#'");
	cfg_test_expect_error("debug $env{DOLLAR}", "<command line>:1:7: error: the value of "
						    "this substitution contains '$'");
	cfg_test_expect_error("debug $env{NEWLINE}",
			      "<command line>:1:7: error: the value of this substitution "
			      "contains a control character");
}

/* An error inside substituted text points at the '$' that produced it. */
static void test_error_in_substituted_text_points_at_dollar(void **state)
{
	(void)state;
	cfg_test_env("ALLOW", "4K,12ab");
	cfg_test_expect_error("device pci:0:1.0 a allow a $env{ALLOW}",
			      "<command line>:1:28: error: length: not a decimal digit");
}

/* A substituted value may include a file. */
static void test_substitution_can_include(void **state)
{
	(void)state;
	cfg_test_file("/etc/site.smmu", "smmu vtd\n");
	cfg_test_env("SITE", "@/etc/site.smmu");
	cfg_test_assert_dump("$env{SITE} debug 1", "debug 1\nsmmu vtd\n");
}

/* Diagnostics read FILE:LINE:COL, then the line, then a caret under the
 * column; tabs in the line are kept so the caret lines up. */
static void test_diagnostic_format(void **state)
{
	struct cfg_config cfg = {0};
	struct cfg_diags diags = {0};
	char *text;

	(void)state;
	cfg_test_file("dir/c.smmu", "debug 1\n\tallow\tfoo 0x12z,4K\n");
	assert_int_equal(cfg_test_parse("@dir/c.smmu", &cfg, &diags), -EINVAL);
	text = cfg_test_format_diags(&diags);
	assert_string_equal(text, "dir/c.smmu:2:16: error: start address: unexpected characters "
				  "after the number\n"
				  "\tallow\tfoo 0x12z,4K\n"
				  "\t     \t        ^\n");
	smmu_free(text);
	cfg_config_fini(&cfg);
	cfg_diags_fini(&diags);
}

/* Warnings use the same format with "warning". */
static void test_warning_format(void **state)
{
	struct cfg_config cfg = {0};
	struct cfg_diags diags = {0};
	char *text;

	(void)state;
	assert_int_equal(cfg_test_parse("allow spare 1000,4K", &cfg, &diags), 0);
	text = cfg_test_format_diags(&diags);
	assert_string_equal(text, "<command line>:1:7: warning: allow set 'spare' is given to no "
				  "device (add 'device SPEC spare')\n"
				  "allow spare 1000,4K\n"
				  "      ^\n");
	smmu_free(text);
	cfg_config_fini(&cfg);
	cfg_diags_fini(&diags);
}

/* A line longer than the limit after substitution is refused. */
static void test_line_length_limit(void **state)
{
	static char value[SMMU_CFG_MAX_LINE_LEN + 2];

	(void)state;
	memset(value, 'a', sizeof(value) - 1);
	cfg_test_env("BIG", value);
	cfg_test_expect_error("smmu $env{BIG}", "<command line>:1:1: error: line longer than");
}

/* Every allocation failure while parsing is reported as -ENOMEM, leaks
 * nothing (ASan checks) and never crashes; eventually the parse succeeds. */
static void test_allocation_failures(void **state)
{
	const char *input = "debug 2 smmu vtd require unit u0 0xfed90000 @c.smmu";
	long points = 0;

	(void)state;
	cfg_test_env("X", "1");
	cfg_test_file("c.smmu", "allow a 1000,4K,s # c\n"
				"device pci:0:1.0 a use u0 $env{X} reserved 2000,4K\n"
				"permit attach:target uid:0,user:smmu\n"
				"device mem:0xe6ef0000,4K a\n");
	for (long n = 0;; n++) {
		struct cfg_config cfg = {0};
		struct cfg_diags diags = {0};
		int r;

		smmu_alloc_fail_after(n);
		r = cfg_test_parse(input, &cfg, &diags);
		smmu_alloc_fail_after(-1);
		cfg_config_fini(&cfg);
		cfg_diags_fini(&diags);
		if (r == 0) {
			points = n;
			break;
		}
		assert_int_equal(r, -ENOMEM);
		assert_true(n < 10000);
	}
	/* The walk reached every allocation point of the parse. */
	assert_true(points > 20);
}

#define TEST(t) cmocka_unit_test_setup(t, cfg_test_reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_comments),
		TEST(test_blank_lines_and_tabs),
		TEST(test_several_options_per_line),
		TEST(test_option_ends_at_newline),
		TEST(test_crlf),
		TEST(test_control_character),
		TEST(test_nul_byte),
		TEST(test_unknown_option_reports_and_continues),
		TEST(test_error_limit),
		TEST(test_env_substitution),
		TEST(test_env_unset),
		TEST(test_substitution_in_comment_ignored),
		TEST(test_bad_substitutions),
		TEST(test_substituted_value_checked),
		TEST(test_error_in_substituted_text_points_at_dollar),
		TEST(test_substitution_can_include),
		TEST(test_diagnostic_format),
		TEST(test_warning_format),
		TEST(test_line_length_limit),
		TEST(test_allocation_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
