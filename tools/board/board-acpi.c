/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Finding one ACPI table in QEMU's etc/acpi/tables blob.  QEMU lays the tables out back to
 * back (FACS aligned to 64 bytes, zero padding between and after them) with their checksum
 * bytes left 0: firmware completes them by running the ADD_CHECKSUM commands of
 * etc/table-loader (and patches pointers with ADD_POINTER, which only RSDT/XSDT/FADT need).
 * The board plays firmware: it applies the checksums, after which a self-contained table
 * such as DMAR or IORT is exactly what a real machine's firmware would publish.
 *
 * The walk jumps over every table it recognises (signature of capital letters and digits,
 * a length that fits, a valid checksum) and otherwise advances a byte, so padding is skipped
 * and bytes inside a table's body (AML in the DSDT can contain anything) are never mistaken
 * for a header.  Pure function of the bytes: the blob came from the machine.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "board.h"

/*
 * etc/table-loader commands (QEMU include/hw/acpi/bios-linker-loader.h): 128-byte entries,
 * a little-endian command word first.  ADD_CHECKSUM names a file (56 bytes, NUL-padded) and
 * then gives, as little-endian 32-bit words, the checksum byte's offset and the range it
 * covers; firmware subtracts the range's 8-bit sum from that byte.
 */
#define LOADER_ENTRY_SIZE 128
#define LOADER_COMMAND_ADD_CHECKSUM 3
#define LOADER_FILE_NAME 4
#define LOADER_FILE_NAME_SIZE 56
#define LOADER_CKSUM_OFFSET (LOADER_FILE_NAME + LOADER_FILE_NAME_SIZE)
#define LOADER_CKSUM_START (LOADER_CKSUM_OFFSET + 4)
#define LOADER_CKSUM_LENGTH (LOADER_CKSUM_START + 4)

/* ACPI 6.5 §5.2.6: every table but FACS starts with the 36-byte header. */
#define ACPI_HEADER_SIZE 36
/* ACPI 6.5 §5.2.10: FACS has a signature and length but no checksum; it is 64 bytes. */
#define ACPI_FACS_SIZE 64

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool signature_chars(const uint8_t *p)
{
	for (int i = 0; i < 4; i++) {
		if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9') ||
		      p[i] == '_')) {
			return false;
		}
	}
	return true;
}

/* The length of the table at p if one starts there, else 0. */
static size_t table_at(const uint8_t *p, size_t left)
{
	if (left < ACPI_HEADER_SIZE || !signature_chars(p)) {
		return 0;
	}
	uint32_t length = get_le32(p + 4);

	if (memcmp(p, "FACS", 4) == 0) {
		return length == ACPI_FACS_SIZE && left >= ACPI_FACS_SIZE ? ACPI_FACS_SIZE : 0;
	}
	if (length < ACPI_HEADER_SIZE || length > left) {
		return 0;
	}
	uint8_t sum = 0;

	for (uint32_t i = 0; i < length; i++) {
		sum = (uint8_t)(sum + p[i]);
	}
	return sum == 0 ? length : 0;
}

/**
 * board_acpi_apply_checksums() - run the ADD_CHECKSUM commands of a table-loader (`loader`,
 * `loader_size` bytes) that concern `file` on its contents (`blob`, `size` bytes), as
 * firmware does.  Other commands are not this tool's business and are skipped.
 * Return: the number of checksums applied; -EINVAL (nothing changed) when a command's range
 * lies outside the blob or the loader is not whole entries.
 */
int board_acpi_apply_checksums(uint8_t *blob, size_t size, const uint8_t *loader,
			       size_t loader_size, const char *file)
{
	int applied = 0;

	if (loader_size % LOADER_ENTRY_SIZE || strlen(file) >= LOADER_FILE_NAME_SIZE) {
		return -EINVAL;
	}
	/* Two passes: check every command first, so that a bad one changes nothing. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t at = 0; at < loader_size; at += LOADER_ENTRY_SIZE) {
			const uint8_t *e = loader + at;

			if (get_le32(e) != LOADER_COMMAND_ADD_CHECKSUM ||
			    strncmp((const char *)e + LOADER_FILE_NAME, file,
				    LOADER_FILE_NAME_SIZE) != 0) {
				continue;
			}
			uint32_t offset = get_le32(e + LOADER_CKSUM_OFFSET);
			uint32_t start = get_le32(e + LOADER_CKSUM_START);
			uint32_t length = get_le32(e + LOADER_CKSUM_LENGTH);

			if (offset >= size || start > size || length > size - start) {
				return -EINVAL;
			}
			if (pass == 0) {
				continue;
			}
			uint8_t sum = 0;

			for (uint32_t i = 0; i < length; i++) {
				sum = (uint8_t)(sum + blob[start + i]);
			}
			blob[offset] = (uint8_t)(blob[offset] - sum);
			applied++;
		}
	}
	return applied;
}

/**
 * board_acpi_find() - the table with 4-character `signature` in a blob of tables laid back
 * to back.  Only a table whose length fits and whose checksum is valid counts.
 * Return: 0 with *ret_offset and *ret_length; -ENOENT.
 */
int board_acpi_find(const uint8_t *blob, size_t size, const char *signature, size_t *ret_offset,
		    size_t *ret_length)
{
	size_t offset = 0;

	while (offset < size) {
		size_t length = table_at(blob + offset, size - offset);

		if (length == 0) {
			offset++;
			continue;
		}
		if (memcmp(blob + offset, signature, 4) == 0 && memcmp(signature, "FACS", 4) != 0) {
			*ret_offset = offset;
			*ret_length = length;
			return 0;
		}
		offset += length;
	}
	return -ENOENT;
}
