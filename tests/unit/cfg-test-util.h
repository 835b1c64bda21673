/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for configuration tests: an in-memory file system and environment
 * behind the cfg_system hooks, and one-call parse/dump/expect-error helpers.
 */
#ifndef SMMU_TESTS_CFG_TEST_UTIL_H
#define SMMU_TESTS_CFG_TEST_UTIL_H

#include "cmocka-all.h"

#include "config/config.h"

/* Forgets every file and variable; run before each test. */
int cfg_test_reset(void **state);

/* Adds a file to the in-memory file system (canonical name = path). */
void cfg_test_file(const char *path, const char *text);
/* The same for text that may hold NUL bytes. */
void cfg_test_file_bytes(const char *path, const char *bytes, size_t size);
/* Sets a variable of the test environment. */
void cfg_test_env(const char *name, const char *value);
/* The parse options the helpers use; tests may change the asinfo paths. */
struct cfg_parse_options *cfg_test_options(void);

/* Parses one command line (a single word list, split by the language). */
int cfg_test_parse(const char *command_line, struct cfg_config *cfg, struct cfg_diags *diags);

/* Parses, asserts success without errors, returns the dump (free it). */
char *cfg_test_dump(const char *command_line);

/* Parses, asserts success, and asserts that the dump is `expected`. */
void cfg_test_assert_dump(const char *command_line, const char *expected);

/* Parses, asserts failure, and asserts that the first error's formatted
 * header ("FILE:LINE:COL: error: MESSAGE") starts with `expected`. */
void cfg_test_expect_error(const char *command_line, const char *expected);

/* All diagnostics formatted, as the service prints them (free it). */
char *cfg_test_format_diags(const struct cfg_diags *diags);

#endif
