/* SPDX-License-Identifier: Apache-2.0 */
#include "config/cfg-number.h"

#include <errno.h>
#include <stdbool.h>

static int digit_value(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

static unsigned multiplier_shift(char c)
{
	switch (c) {
	case 'k':
	case 'K':
		return 10;
	case 'm':
	case 'M':
		return 20;
	case 'g':
	case 'G':
		return 30;
	default:
		return 0;
	}
}

static int fail(struct cfg_number_error *ret_error, size_t offset, const char *message, int err)
{
	ret_error->offset = offset;
	ret_error->message = message;
	return err;
}

int cfg_number_parse(const char *text, size_t len, enum cfg_number_kind kind, uint64_t *ret_value,
		     struct cfg_number_error *ret_error)
{
	unsigned base = kind == CFG_NUMBER_ADDRESS ? 16 : 10;
	bool prefixed = false;
	uint64_t value = 0;
	size_t i = 0;
	size_t digits_start;
	unsigned shift;

	if (len == 0) {
		return fail(ret_error, 0, "empty number", -EINVAL);
	}
	if (len >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		base = 16;
		prefixed = true;
		i = 2;
	} else if (len >= 2 && text[0] == '0' && (text[1] == 'd' || text[1] == 'D')) {
		base = 10;
		prefixed = true;
		i = 2;
	}
	digits_start = i;
	for (; i < len; i++) {
		int digit = digit_value(text[i]);

		if (digit < 0 || (unsigned)digit >= base) {
			break;
		}
		if (__builtin_mul_overflow(value, base, &value) ||
		    __builtin_add_overflow(value, (uint64_t)digit, &value)) {
			return fail(ret_error, 0, "number does not fit in 64 bits", -ERANGE);
		}
	}
	if (i == digits_start) {
		if (prefixed) {
			return fail(ret_error, i, "no digits after the base prefix", -EINVAL);
		}
		return fail(ret_error, i, "expected a number", -EINVAL);
	}
	if (i == len) {
		*ret_value = value;
		return 0;
	}
	shift = kind == CFG_NUMBER_DECIMAL ? 0 : multiplier_shift(text[i]);
	if (shift && i + 1 == len) {
		if (value > (UINT64_MAX >> shift)) {
			return fail(ret_error, 0, "number does not fit in 64 bits", -ERANGE);
		}
		*ret_value = value << shift;
		return 0;
	}
	if (shift) {
		return fail(ret_error, i + 1, "unexpected characters after the multiplier",
			    -EINVAL);
	}
	if (base == 10 && digit_value(text[i]) >= 10 && !prefixed) {
		return fail(ret_error, i,
			    "not a decimal digit (sizes and numbers are decimal unless written "
			    "with 0x)",
			    -EINVAL);
	}
	if (base == 10 && digit_value(text[i]) >= 10) {
		return fail(ret_error, i, "not a decimal digit after 0d", -EINVAL);
	}
	return fail(ret_error, i, "unexpected characters after the number", -EINVAL);
}
