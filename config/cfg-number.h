/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Numbers in the configuration language (QNX options "About notation"):
 * addresses are hexadecimal unless written otherwise, sizes decimal; a `0x`
 * or `0d` prefix overrides the default; addresses and sizes may end in a
 * binary multiplier K, M or G in either case (`4K` = 4096, `1k` = 0x400);
 * other numbers (PCI bus/device/function, levels) are decimal.
 */
#ifndef SMMU_CONFIG_CFG_NUMBER_H
#define SMMU_CONFIG_CFG_NUMBER_H

#include <stddef.h>
#include <stdint.h>

enum cfg_number_kind {
	CFG_NUMBER_ADDRESS, /* hexadecimal by default, K/M/G allowed */
	CFG_NUMBER_SIZE,    /* decimal by default, K/M/G allowed */
	CFG_NUMBER_DECIMAL, /* decimal by default, no multiplier */
};

/* Why a number was rejected: a fixed message and the byte offset of the
 * offending character within the text. */
struct cfg_number_error {
	size_t offset;
	const char *message;
};

/*
 * Parses exactly `len` bytes of `text` as a number of the given kind.
 * Returns 0 and sets *ret_value, or -EINVAL (empty, bad digit, trailing
 * characters) or -ERANGE (more than 64 bits) and sets *ret_error.
 */
int cfg_number_parse(const char *text, size_t len, enum cfg_number_kind kind, uint64_t *ret_value,
		     struct cfg_number_error *ret_error);

#endif
