/* SPDX-License-Identifier: Apache-2.0 */
/* tools/board/board-acpi.c: completing QEMU's ACPI blob as firmware would (table-loader
 * checksums) and finding one table in it, on synthetic blobs: padding, FACS, a body that
 * contains the signature, bad checksums, hostile loader commands. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "cmocka-all.h"

#define BLOB_SIZE 1024

/* Writes a table header (signature, length) at `at`; checksum left 0 as QEMU leaves it. */
static void put_table(uint8_t *blob, size_t at, const char *sig, uint32_t length)
{
	memcpy(blob + at, sig, 4);
	blob[at + 4] = (uint8_t)length;
	blob[at + 5] = (uint8_t)(length >> 8);
	blob[at + 6] = (uint8_t)(length >> 16);
	blob[at + 7] = (uint8_t)(length >> 24);
	for (uint32_t i = 36; i < length; i++) {
		blob[at + i] = (uint8_t)(i * 13 + 1);
	}
}

/* Makes the table at `at` sum to zero (ACPI 6.5 §5.2.6: checksum at byte 9). */
static void fix_checksum(uint8_t *blob, size_t at, uint32_t length)
{
	uint8_t sum = 0;

	blob[at + 9] = 0;
	for (uint32_t i = 0; i < length; i++) {
		sum = (uint8_t)(sum + blob[at + i]);
	}
	blob[at + 9] = (uint8_t)-sum;
}

/* One ADD_CHECKSUM loader entry (bios-linker-loader.h layout). */
static void put_checksum_cmd(uint8_t *entry, const char *file, uint32_t offset, uint32_t start,
			     uint32_t length)
{
	uint32_t words[4] = {3, offset, start, length};

	memset(entry, 0, 128);
	memcpy(entry, &words[0], 4);
	strcpy((char *)entry + 4, file);
	memcpy(entry + 60, &words[1], 12);
}

/* QEMU-like layout: FACS, then tables back to back, then zero padding. */
static void build_blob(uint8_t *blob)
{
	memset(blob, 0, BLOB_SIZE);
	put_table(blob, 0, "FACS", 64);
	put_table(blob, 64, "DSDT", 100);
	/* The DSDT's body happens to contain "DMAR" followed by a plausible length. */
	memcpy(blob + 64 + 40, "DMAR\x30\x00\x00\x00", 8);
	fix_checksum(blob, 64, 100);
	put_table(blob, 164, "APIC", 60);
	fix_checksum(blob, 164, 60);
	put_table(blob, 224, "DMAR", 80);
	fix_checksum(blob, 224, 80);
}

/* The table is found at its offset with its length, not the look-alike inside the DSDT. */
static void test_find(void **state)
{
	uint8_t blob[BLOB_SIZE];
	size_t offset = 0, length = 0;

	(void)state;
	build_blob(blob);
	assert_int_equal(board_acpi_find(blob, sizeof(blob), "DMAR", &offset, &length), 0);
	assert_int_equal(offset, 224);
	assert_int_equal(length, 80);
}

/* A table whose checksum is wrong does not count. */
static void test_find_needs_checksum(void **state)
{
	uint8_t blob[BLOB_SIZE];
	size_t offset, length;

	(void)state;
	build_blob(blob);
	blob[224 + 9] ^= 1;
	assert_int_equal(board_acpi_find(blob, sizeof(blob), "DMAR", &offset, &length), -ENOENT);
}

/* A length that runs past the blob does not count (and is not read). */
static void test_find_length_past_end(void **state)
{
	uint8_t blob[BLOB_SIZE];
	size_t offset, length;

	(void)state;
	build_blob(blob);
	assert_int_equal(board_acpi_find(blob, 224 + 79, "DMAR", &offset, &length), -ENOENT);
}

/* An absent table, an empty blob and FACS (no checksum to trust) are all -ENOENT. */
static void test_find_absent(void **state)
{
	uint8_t blob[BLOB_SIZE];
	size_t offset, length;

	(void)state;
	build_blob(blob);
	assert_int_equal(board_acpi_find(blob, sizeof(blob), "IORT", &offset, &length), -ENOENT);
	assert_int_equal(board_acpi_find(blob, 0, "DMAR", &offset, &length), -ENOENT);
	assert_int_equal(board_acpi_find(blob, sizeof(blob), "FACS", &offset, &length), -ENOENT);
}

/* The loader's checksum commands complete the tables QEMU left at checksum 0. */
static void test_apply_checksums(void **state)
{
	uint8_t blob[BLOB_SIZE];
	uint8_t loader[3 * 128];
	size_t offset, length;

	(void)state;
	build_blob(blob);
	blob[224 + 9] = 0; /* as QEMU ships it */
	assert_int_equal(board_acpi_find(blob, sizeof(blob), "DMAR", &offset, &length), -ENOENT);
	memset(loader, 0, sizeof(loader));
	put_checksum_cmd(loader, "etc/acpi/tables", 224 + 9, 224, 80);
	put_checksum_cmd(loader + 128, "etc/acpi/rsdp", 8, 0, 20); /* another file: skipped */
	loader[256] = 1;					   /* ALLOCATE: not ours */
	assert_int_equal(board_acpi_apply_checksums(blob, sizeof(blob), loader, sizeof(loader),
						    "etc/acpi/tables"),
			 1);
	assert_int_equal(board_acpi_find(blob, sizeof(blob), "DMAR", &offset, &length), 0);
	assert_int_equal(offset, 224);
}

/* A checksum command whose range leaves the blob is refused and changes nothing. */
static void test_apply_refuses_outside(void **state)
{
	uint8_t blob[BLOB_SIZE], before[BLOB_SIZE];
	uint8_t loader[2 * 128];

	(void)state;
	build_blob(blob);
	memcpy(before, blob, sizeof(blob));
	put_checksum_cmd(loader, "etc/acpi/tables", 64 + 9, 64, 100);
	put_checksum_cmd(loader + 128, "etc/acpi/tables", 9, 1000, 100);
	assert_int_equal(board_acpi_apply_checksums(blob, sizeof(blob), loader, sizeof(loader),
						    "etc/acpi/tables"),
			 -EINVAL);
	assert_memory_equal(blob, before, sizeof(blob));
	put_checksum_cmd(loader + 128, "etc/acpi/tables", BLOB_SIZE, 0, 10);
	assert_int_equal(board_acpi_apply_checksums(blob, sizeof(blob), loader, sizeof(loader),
						    "etc/acpi/tables"),
			 -EINVAL);
	put_checksum_cmd(loader + 128, "etc/acpi/tables", 9, 0xffffff00u, 0x200);
	assert_int_equal(board_acpi_apply_checksums(blob, sizeof(blob), loader, sizeof(loader),
						    "etc/acpi/tables"),
			 -EINVAL);
	assert_memory_equal(blob, before, sizeof(blob));
}

/* A loader that is not whole 128-byte entries is refused. */
static void test_apply_refuses_partial_loader(void **state)
{
	uint8_t blob[BLOB_SIZE];
	uint8_t loader[130] = {0};

	(void)state;
	build_blob(blob);
	assert_int_equal(board_acpi_apply_checksums(blob, sizeof(blob), loader, sizeof(loader),
						    "etc/acpi/tables"),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_find_needs_checksum),
		cmocka_unit_test(test_find_length_past_end),
		cmocka_unit_test(test_find_absent),
		cmocka_unit_test(test_apply_checksums),
		cmocka_unit_test(test_apply_refuses_outside),
		cmocka_unit_test(test_apply_refuses_partial_loader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
