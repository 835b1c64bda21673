/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading a test's input file (a firmware table, a device-tree blob, a sidecar) whole, failing
 * the running cmocka test with the file's name when it cannot be read.
 */
#ifndef SMMU_TESTS_FILE_TEST_UTIL_H
#define SMMU_TESTS_FILE_TEST_UTIL_H

#include <stddef.h>

/* Reads a whole file (plus a NUL after it, so that text can be used as a string) or fails
 * the test.  The caller frees the result with free(). */
void *test_file_read(const char *path, size_t *ret_size);

#endif
