/* SPDX-License-Identifier: Apache-2.0 */
/* Support-library loading: file names, the -safety preference and
 * fallback, exact names, and every way a file can be unusable. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmocka-all.h"
#include "common/strbuf.h"
#include "server/backend-load.h"

static char dir[] = "/tmp/smmu-libdir-XXXXXX";

static void link_module(const char *module, const char *name)
{
	char target[512], path[128];

	snprintf(target, sizeof(target), "%s/%s", MODULE_DIR, module);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(symlink(target, path), 0);
}

static int make_libdir(void **state)
{
	FILE *f;
	char path[128];

	(void)state;
	strcpy(dir, "/tmp/smmu-libdir-XXXXXX");
	assert_non_null(mkdtemp(dir));
	link_module("smmu-fake.so", "smmu-fake.so");
	link_module("smmu-fake-safety.so", "smmu-fake-safety.so");
	link_module("smmu-fake.so", "smmu-plain.so"); /* no safety variant */
	link_module("smmu-badabi.so", "smmu-badabi.so");
	link_module("smmu-incomplete.so", "smmu-incomplete.so");
	link_module("smmu-badabi.so", "smmu-mixed-safety.so");
	link_module("smmu-fake.so", "smmu-mixed.so");
	snprintf(path, sizeof(path), "%s/smmu-junk.so", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("not an ELF file\n", f);
	fclose(f);
	return 0;
}

static int remove_libdir(void **state)
{
	char command[128];

	(void)state;
	snprintf(command, sizeof(command), "rm -rf '%s'", dir);
	return system(command);
}

static int load(const char *type, bool safety, const char **ret_name, char **ret_why)
{
	struct srv_backend_library library;
	struct strbuf why = STRBUF_INIT;
	int r = srv_backend_load(dir, type, safety, &library, &why);

	if (r == 0) {
		static char name[32];

		/* The descriptor lives in the library: copy before unloading. */
		snprintf(name, sizeof(name), "%s", library.backend->name);
		*ret_name = name;
		srv_backend_unload(&library);
	}
	*ret_why = strbuf_take(&why);
	return r;
}

/* smmuman loads smmu-TYPE.so only, even when a -safety file exists. */
static void test_plain_service_never_loads_safety_files(void **state)
{
	const char *name = NULL;
	char *why;

	(void)state;
	assert_int_equal(load("fake", false, &name, &why), 0);
	assert_string_equal(name, "fake");
	free(why);
}

/* smmuman-safety prefers smmu-TYPE-safety.so... */
static void test_safety_service_prefers_safety_file(void **state)
{
	const char *name = NULL;
	char *why;

	(void)state;
	assert_int_equal(load("fake", true, &name, &why), 0);
	assert_string_equal(name, "fake-safety");
	free(why);
}

/* ...and falls back to smmu-TYPE.so when there is no safety file... */
static void test_safety_service_falls_back(void **state)
{
	const char *name = NULL;
	char *why;

	(void)state;
	assert_int_equal(load("plain", true, &name, &why), 0);
	assert_string_equal(name, "fake");
	free(why);
}

/* ...but never past a safety file that is there and broken. */
static void test_broken_safety_file_does_not_fall_back(void **state)
{
	const char *name = NULL;
	char *why;

	(void)state;
	assert_int_equal(load("mixed", true, &name, &why), -EPROTO);
	assert_non_null(strstr(why, "smmu-mixed-safety.so: built for backend ABI 999"));
	assert_null(strstr(why, "smmu-mixed.so"));
	free(why);
	/* The plain service never looks at the safety file. */
	assert_int_equal(load("mixed", false, &name, &why), 0);
	free(why);
}

/* Naming the file forces exactly that file, in either variant. */
static void test_named_file_is_forced(void **state)
{
	const char *name = NULL;
	char *why;

	(void)state;
	assert_int_equal(load("smmu-fake.so", true, &name, &why), 0);
	assert_string_equal(name, "fake");
	free(why);
	assert_int_equal(load("smmu-nothere.so", true, &name, &why), -ENOENT);
	assert_non_null(strstr(why, "smmu-nothere.so: not found"));
	assert_null(strstr(why, "safety"));
	free(why);
}

/* A missing library names every file tried. */
static void test_missing_library(void **state)
{
	const char *name = NULL;
	char *why;

	(void)state;
	assert_int_equal(load("vtd", true, &name, &why), -ENOENT);
	assert_non_null(strstr(why, "smmu-vtd-safety.so: not found"));
	assert_non_null(strstr(why, "smmu-vtd.so: not found"));
	free(why);
}

/* Files that exist but cannot serve: another ABI, an operation missing,
 * not a library. */
static void test_unusable_files(void **state)
{
	const char *name = NULL;
	char *why;

	(void)state;
	assert_int_equal(load("badabi", false, &name, &why), -EPROTO);
	assert_non_null(strstr(why, "built for backend ABI 999"));
	free(why);
	assert_int_equal(load("incomplete", false, &name, &why), -EPROTO);
	assert_non_null(strstr(why, "its smmu_backend has no translate"));
	free(why);
	assert_int_equal(load("junk", false, &name, &why), -EPROTO);
	assert_non_null(strstr(why, "cannot load"));
	free(why);
}

#define TEST(t) cmocka_unit_test(t)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_plain_service_never_loads_safety_files),
		TEST(test_safety_service_prefers_safety_file),
		TEST(test_safety_service_falls_back),
		TEST(test_broken_safety_file_does_not_fall_back),
		TEST(test_named_file_is_forced),
		TEST(test_missing_library),
		TEST(test_unusable_files),
	};

	return cmocka_run_group_tests(tests, make_libdir, remove_libdir);
}
