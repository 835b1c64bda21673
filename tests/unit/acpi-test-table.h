/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hand-built ACPI tables for the decoder tests (test-fw-dmar.c, test-fw-iort.c): a growing
 * buffer, little-endian field writers, the header's length and checksum, and the checks
 * every refused table passes.  What goes into a table is each test's.
 */
#ifndef SMMU_TESTS_ACPI_TEST_TABLE_H
#define SMMU_TESTS_ACPI_TEST_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/fw-error.h"

/* The byte a result is filled with before a decode that must fail and leave it alone. */
#define ACPI_TB_POISON 0xa5

/* A table under construction.  Owner: the test; the buffer is freed by
 * acpi_tb_expect_einval(), or by the test with free(). */
struct acpi_tb {
	uint8_t *buf;
	size_t len;
	size_t capacity;
	uint32_t item_count; /* for tables whose header counts their items (IORT nodes) */
};

size_t acpi_tb_add(struct acpi_tb *t, const void *bytes, size_t n);
void acpi_tb_put16(struct acpi_tb *t, size_t off, uint16_t v);
void acpi_tb_put32(struct acpi_tb *t, size_t off, uint32_t v);
void acpi_tb_put64(struct acpi_tb *t, size_t off, uint64_t v);
void acpi_tb_finish_length(struct acpi_tb *t, uint32_t length);
void acpi_tb_expect_einval(struct acpi_tb *t, int r, const struct fw_error *err, size_t offset,
			   const char *part, const void *result, size_t result_size);

#endif
