/* SPDX-License-Identifier: Apache-2.0 */
/* Hand-built ACPI tables for the decoder tests (acpi-test-table.h). */
#include "acpi-test-table.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "firmware/acpi-table.h"

/* Appends `n` bytes (zeros when `bytes` is NULL); returns their offset. */
size_t acpi_tb_add(struct acpi_tb *t, const void *bytes, size_t n)
{
	size_t off = t->len;

	if (t->len + n > t->capacity) {
		t->capacity = (t->len + n) * 2;
		t->buf = realloc(t->buf, t->capacity);
		assert_non_null(t->buf);
	}
	if (bytes) {
		memcpy(t->buf + t->len, bytes, n);
	} else {
		memset(t->buf + t->len, 0, n);
	}
	t->len += n;
	return off;
}

void acpi_tb_put16(struct acpi_tb *t, size_t off, uint16_t v)
{
	t->buf[off] = (uint8_t)v;
	t->buf[off + 1] = (uint8_t)(v >> 8);
}

void acpi_tb_put32(struct acpi_tb *t, size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++) {
		t->buf[off + i] = (uint8_t)(v >> (8 * i));
	}
}

void acpi_tb_put64(struct acpi_tb *t, size_t off, uint64_t v)
{
	acpi_tb_put32(t, off, (uint32_t)v);
	acpi_tb_put32(t, off + 4, (uint32_t)(v >> 32));
}

/* Writes the length field (the table's length unless `length` > 0) and the checksum over the
 * bytes the length field covers. */
void acpi_tb_finish_length(struct acpi_tb *t, uint32_t length)
{
	uint8_t sum = 0;

	if (length == 0) {
		length = (uint32_t)t->len;
	}
	acpi_tb_put32(t, ACPI_HDR_LENGTH, length);
	t->buf[ACPI_HDR_CHECKSUM] = 0;
	for (size_t i = 0; i < t->len && i < length; i++) {
		sum = (uint8_t)(sum + t->buf[i]);
	}
	t->buf[ACPI_HDR_CHECKSUM] = (uint8_t)(0 - sum);
}

/*
 * After decoding `t` into `result` (filled with ACPI_TB_POISON before): the decoder returned
 * -EINVAL with `offset` in err and in its message, the message names `part`, and the result
 * was not written (output parameters are written only on success).  Frees the table.
 */
void acpi_tb_expect_einval(struct acpi_tb *t, int r, const struct fw_error *err, size_t offset,
			   const char *part, const void *result, size_t result_size)
{
	const uint8_t *bytes = result;
	char want[32];

	if (r != -EINVAL) {
		fail_msg("expected -EINVAL (%s), got %d", part, r);
	}
	print_message("refused: %s\n", err->message);
	assert_int_equal(err->offset, offset);
	snprintf(want, sizeof(want), "offset %zu: ", offset);
	assert_non_null(strstr(err->message, want));
	if (!strstr(err->message, part)) {
		fail_msg("message \"%s\" does not say \"%s\"", err->message, part);
	}
	for (size_t i = 0; i < result_size; i++) {
		if (bytes[i] != ACPI_TB_POISON) {
			fail_msg("the result was written at byte %zu of a refused table", i);
		}
	}
	free(t->buf);
}
