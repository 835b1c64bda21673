/* SPDX-License-Identifier: Apache-2.0 */
/* @FILE includes: order, nesting, relative paths, cycles and depth. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg-test-util.h"
#include "common/alloc.h"

/* An included file is read entirely at the @, then reading continues. */
static void test_include_order(void **state)
{
	(void)state;
	cfg_test_file("b.smmu", "smmu b\n");
	cfg_test_assert_dump("smmu a @b.smmu", "smmu b\n");
	cfg_test_assert_dump("smmu a @b.smmu smmu c", "smmu c\n");
	cfg_test_assert_dump("@b.smmu smmu c @b.smmu", "smmu b\n");
}

/* Includes nest, inside files too, and an @ may follow options on a line. */
static void test_nested_includes(void **state)
{
	struct cfg_config cfg = {0};
	struct cfg_diags diags = {0};

	(void)state;
	cfg_test_file("/etc/top.smmu", "debug 1 @/etc/mid.smmu\nallow y 2000,1\n");
	cfg_test_file("/etc/mid.smmu", "allow x 1000,1\n@/etc/leaf.smmu\n");
	cfg_test_file("/etc/leaf.smmu", "device pci:0:1.0 x\ndevice pci:0:1.0 y\n");
	assert_int_equal(cfg_test_parse("@/etc/top.smmu", &cfg, &diags), 0);
	assert_int_equal(cfg.allow_count, 2);
	assert_string_equal(cfg.allows[0].loc.file, "/etc/mid.smmu");
	assert_string_equal(cfg.allows[1].loc.file, "/etc/top.smmu");
	assert_int_equal(cfg.allows[1].loc.line, 2);
	assert_string_equal(cfg.devices[0].loc.file, "/etc/leaf.smmu");
	assert_int_equal(cfg.file_count, 4);
	cfg_config_fini(&cfg);
	cfg_diags_fini(&diags);
}

/* A relative path is resolved against the including file's directory; on
 * the command line, against the working directory. */
static void test_relative_paths(void **state)
{
	(void)state;
	cfg_test_file("conf/board/main.smmu", "@common.smmu\n@../site/site.smmu\n");
	cfg_test_file("conf/board/common.smmu", "smmu vtd\n");
	cfg_test_file("conf/board/../site/site.smmu", "debug 2\n");
	cfg_test_assert_dump("@conf/board/main.smmu", "debug 2\nsmmu vtd\n");
}

/* A file that cannot be read is an error at the @ word. */
static void test_missing_file(void **state)
{
	(void)state;
	cfg_test_file("a.smmu", "debug 1\n  @nope.smmu\n");
	cfg_test_expect_error("@a.smmu",
			      "a.smmu:2:3: error: cannot read 'nope.smmu': No such file");
	cfg_test_expect_error("debug 1 @", "<command line>:1:9: error: '@' needs a file name");
}

/* Errors inside an included file name that file and its line. */
static void test_error_in_included_file(void **state)
{
	(void)state;
	cfg_test_file("inc/a.smmu", "\n\n   bogus\n");
	cfg_test_expect_error("debug 1 @inc/a.smmu",
			      "inc/a.smmu:3:4: error: unknown option 'bogus'");
}

/* An include cycle is an error that names the chain. */
static void test_cycle(void **state)
{
	(void)state;
	cfg_test_file("a.smmu", "debug 1\n@b.smmu\n");
	cfg_test_file("b.smmu", "@c.smmu\n");
	cfg_test_file("c.smmu", "@a.smmu\n");
	cfg_test_expect_error("@a.smmu", "c.smmu:1:1: error: include cycle: <command line> -> "
					 "a.smmu -> b.smmu -> c.smmu -> a.smmu");
	cfg_test_file("self.smmu", "@self.smmu\n");
	cfg_test_expect_error("@self.smmu",
			      "self.smmu:1:1: error: include cycle: <command line> -> self.smmu -> "
			      "self.smmu");
}

/* The same file may be included twice when it is not a cycle. */
static void test_repeated_include_is_not_a_cycle(void **state)
{
	(void)state;
	cfg_test_file("a.smmu", "foreground\n");
	cfg_test_assert_dump("@a.smmu @a.smmu", "foreground\n");
}

/* Sixteen nested files are fine; the seventeenth is an error naming the chain. */
static void test_depth_limit(void **state)
{
	static char names[20][16];
	static char texts[20][32];

	(void)state;
	for (int i = 0; i < 20; i++) {
		snprintf(names[i], sizeof(names[i]), "d%d.smmu", i + 1);
		if (i < 19) {
			snprintf(texts[i], sizeof(texts[i]), "@d%d.smmu\n", i + 2);
		} else {
			snprintf(texts[i], sizeof(texts[i]), "debug 1\n");
		}
	}
	/* d1 .. d16 nested, d16 says debug 1. */
	for (int i = 0; i < 15; i++) {
		cfg_test_file(names[i], texts[i]);
	}
	cfg_test_file("d16.smmu", "debug 1\n");
	cfg_test_assert_dump("@d1.smmu", "debug 1\n");

	cfg_test_reset(NULL);
	for (int i = 0; i < 20; i++) {
		cfg_test_file(names[i], texts[i]);
	}
	cfg_test_expect_error(
		"@d1.smmu", "d16.smmu:1:1: error: includes nested deeper than 16: <command line> "
			    "-> d1.smmu -> d2.smmu -> d3.smmu -> d4.smmu -> d5.smmu -> d6.smmu -> "
			    "d7.smmu -> d8.smmu -> d9.smmu -> d10.smmu -> d11.smmu -> d12.smmu -> "
			    "d13.smmu -> d14.smmu -> d15.smmu -> d16.smmu -> d17.smmu");
}

/* An @ word ends the optional arguments of the option before it. */
static void test_include_ends_optional_arguments(void **state)
{
	(void)state;
	cfg_test_file("x.smmu", "foreground\n");
	cfg_test_assert_dump("smmu vtd @x.smmu", "foreground\nsmmu vtd\n");
	cfg_test_expect_error("debug @x.smmu",
			      "<command line>:1:6: error: missing argument: debug LEVEL");
}

/* The real file reader: reads files, resolves names, refuses directories. */
static void test_real_file_system(void **state)
{
	char dir[] = "/tmp/smmu-include-XXXXXX";
	char path[64], nested[64], text[128];
	struct cfg_parse_options *options = cfg_test_options();
	char *dump;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/main.smmu", dir);
	snprintf(nested, sizeof(nested), "%s/sub", dir);
	assert_int_equal(mkdir(nested, 0700), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("@sub/x.smmu # relative to this file\n", f);
	fclose(f);
	snprintf(nested, sizeof(nested), "%s/sub/x.smmu", dir);
	f = fopen(nested, "w");
	assert_non_null(f);
	fputs("smmu vtd\n", f);
	fclose(f);

	options->system.read_file = NULL; /* the real one */
	snprintf(text, sizeof(text), "@%s", path);
	dump = cfg_test_dump(text);
	assert_string_equal(dump, "smmu vtd\n");
	smmu_free(dump);
	snprintf(text, sizeof(text), "@%s", dir);
	cfg_test_expect_error(text, "<command line>:1:1: error: cannot read");

	unlink(nested);
	unlink(path);
	snprintf(nested, sizeof(nested), "%s/sub", dir);
	rmdir(nested);
	rmdir(dir);
}

#define TEST(t) cmocka_unit_test_setup(t, cfg_test_reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_include_order),
		TEST(test_nested_includes),
		TEST(test_relative_paths),
		TEST(test_missing_file),
		TEST(test_error_in_included_file),
		TEST(test_cycle),
		TEST(test_repeated_include_is_not_a_cycle),
		TEST(test_depth_limit),
		TEST(test_include_ends_optional_arguments),
		TEST(test_real_file_system),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
