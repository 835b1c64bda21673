/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The structure-block walk of fdt-check.h.  Devicetree specification v0.4
 * chapter 5: a 40-byte header of big-endian words, a memory reservation
 * block, a structure block of 4-byte-aligned tokens (FDT_BEGIN_NODE with a
 * NUL-terminated name, FDT_END_NODE, FDT_PROP with length and string
 * offset, FDT_NOP, one final FDT_END), and a strings block.  All arithmetic
 * is on values already checked to be below the block size, so none wraps.
 */
#include "fdt-check.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "common/limits.h"

/* Devicetree specification v0.4 §5.2 (header word offsets), §5.4.1 (tokens). */
#define FDT_HDR_SIZE 40u
#define FDT_HDR_OFF_DT_STRUCT 8u
#define FDT_HDR_OFF_DT_STRINGS 12u
#define FDT_HDR_SIZE_DT_STRINGS 32u
#define FDT_HDR_SIZE_DT_STRUCT 36u
#define FDT_TOKEN_BEGIN_NODE 0x1u
#define FDT_TOKEN_END_NODE 0x2u
#define FDT_TOKEN_PROP 0x3u
#define FDT_TOKEN_NOP 0x4u
#define FDT_TOKEN_END 0x9u
#define FDT_TOKEN_SIZE 4u

static uint32_t fdt_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* [off, off + size) lies in the first `total` bytes. */
static int fdt_check_block(const char *what, uint32_t off, uint32_t size, size_t total,
			   struct fw_error *err)
{
	if (off > total || size > total - off) {
		fw_error_set(err, 0,
			     "the %s block (offset %u, %u bytes) runs past the tree's %zu "
			     "bytes",
			     what, off, size, total);
		return -EINVAL;
	}
	return 0;
}

/* Bytes from `pos` to the next multiple of 4, or `limit` + 1 when past it. */
static size_t fdt_align_within(size_t pos, size_t limit)
{
	size_t aligned = (pos + 3u) & ~(size_t)3u;

	return aligned <= limit ? aligned : limit + 1;
}

/*
 * Checks that the header's structure and strings blocks lie inside `total`
 * bytes (the caller has checked the header itself is there), and walks the
 * structure block: one root node, nodes properly nested at most
 * SMMU_FW_FDT_MAX_DEPTH deep, every name and property value inside the
 * block, every property name a NUL-terminated string of the strings block,
 * and FDT_END after the root.  Returns 0 or -EINVAL with the blob offset
 * of the bad token.
 */
int fw_fdt_check_structure(const uint8_t *blob, size_t total, struct fw_error *err)
{
	uint32_t soff, ssize, stroff, strsize;
	const uint8_t *st, *strings;
	size_t pos = 0;
	int depth = 0;
	bool seen_root = false;

	if (total < FDT_HDR_SIZE) {
		fw_error_set(err, 0, "the header's totalsize %zu is less than its own %u bytes",
			     total, FDT_HDR_SIZE);
		return -EINVAL;
	}
	soff = fdt_be32(blob + FDT_HDR_OFF_DT_STRUCT);
	ssize = fdt_be32(blob + FDT_HDR_SIZE_DT_STRUCT);
	stroff = fdt_be32(blob + FDT_HDR_OFF_DT_STRINGS);
	strsize = fdt_be32(blob + FDT_HDR_SIZE_DT_STRINGS);
	if (fdt_check_block("structure", soff, ssize, total, err) < 0 ||
	    fdt_check_block("strings", stroff, strsize, total, err) < 0) {
		return -EINVAL;
	}
	if (soff % FDT_TOKEN_SIZE != 0) {
		fw_error_set(err, FDT_HDR_OFF_DT_STRUCT,
			     "the structure block at offset %u is not 4-byte aligned", soff);
		return -EINVAL;
	}
	st = blob + soff;
	strings = blob + stroff;
	while (pos < ssize) {
		size_t at = soff + pos;
		uint32_t token;

		if (ssize - pos < FDT_TOKEN_SIZE) {
			fw_error_set(err, at, "structure block ends inside a token");
			return -EINVAL;
		}
		token = fdt_be32(st + pos);
		pos += FDT_TOKEN_SIZE;
		switch (token) {
		case FDT_TOKEN_BEGIN_NODE: {
			const uint8_t *nul = memchr(st + pos, '\0', ssize - pos);

			if (depth == 0 && seen_root) {
				fw_error_set(err, at, "a second root node");
				return -EINVAL;
			}
			if (!nul) {
				fw_error_set(err, at, "node name runs past the structure block");
				return -EINVAL;
			}
			if (depth >= SMMU_FW_FDT_MAX_DEPTH) {
				fw_error_set(err, at, "nodes nested deeper than %d levels",
					     SMMU_FW_FDT_MAX_DEPTH);
				return -EINVAL;
			}
			depth++;
			seen_root = true;
			pos = fdt_align_within((size_t)(nul - st) + 1, ssize);
			break;
		}
		case FDT_TOKEN_END_NODE:
			if (depth == 0) {
				fw_error_set(err, at, "end of a node that was not begun");
				return -EINVAL;
			}
			depth--;
			break;
		case FDT_TOKEN_PROP: {
			uint32_t len, nameoff;

			if (depth == 0) {
				fw_error_set(err, at, "property outside any node");
				return -EINVAL;
			}
			if (ssize - pos < 2 * FDT_TOKEN_SIZE) {
				fw_error_set(err, at,
					     "property header runs past the structure block");
				return -EINVAL;
			}
			len = fdt_be32(st + pos);
			nameoff = fdt_be32(st + pos + 4);
			pos += 2 * FDT_TOKEN_SIZE;
			if (len > ssize - pos) {
				fw_error_set(err, at,
					     "property length %u runs past the structure block",
					     len);
				return -EINVAL;
			}
			if (nameoff >= strsize ||
			    !memchr(strings + nameoff, '\0', strsize - nameoff)) {
				fw_error_set(
					err, at,
					"property name offset %u is not a string of the strings "
					"block",
					nameoff);
				return -EINVAL;
			}
			pos = fdt_align_within(pos + len, ssize);
			break;
		}
		case FDT_TOKEN_NOP:
			break;
		case FDT_TOKEN_END:
			if (depth != 0 || !seen_root) {
				fw_error_set(err, at, "end of the structure block inside a node");
				return -EINVAL;
			}
			return 0;
		default:
			fw_error_set(err, at, "unknown structure token 0x%x", token);
			return -EINVAL;
		}
		if (pos > ssize) {
			fw_error_set(err, at, "padding runs past the structure block");
			return -EINVAL;
		}
	}
	fw_error_set(err, soff, "the structure block has no end token");
	return -EINVAL;
}
