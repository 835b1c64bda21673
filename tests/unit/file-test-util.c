/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a test's input file whole (file-test-util.h). */
#include "file-test-util.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

void *test_file_read(const char *path, size_t *ret_size)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long size;

	if (!f) {
		fail_msg("cannot open %s: %s", path, strerror(errno));
	}
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size >= 0);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	data = malloc((size_t)size + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	data[size] = '\0';
	*ret_size = (size_t)size;
	return data;
}
