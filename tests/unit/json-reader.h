/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small strict JSON reader for test sidecars (RFC 8259): the whole text is
 * one value, no trailing commas or comments, no duplicate keys, numbers are
 * integers only (the sidecars write addresses as hex strings).  Strings may
 * hold NUL bytes (\u0000), so each carries its length.  Test code only: it
 * uses plain malloc, so allocation-failure tests do not count its calls.
 */
#ifndef SMMU_TESTS_JSON_READER_H
#define SMMU_TESTS_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_kind {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

/* Owner: whoever json_parse() filled; json_free() frees the tree. */
struct json_value {
	enum json_kind kind;
	bool boolean;
	int64_t number;
	char *string; /* NUL-terminated, `string_len` bytes before it */
	size_t string_len;
	struct json_value *items; /* array items or object values */
	char **keys;		  /* object keys, one per item */
	size_t count;
};

/* Returns 0, or -EINVAL with "offset N: what" in `message`. */
int json_parse(const char *text, size_t len, struct json_value *ret_value, char *message,
	       size_t message_size);
void json_free(struct json_value *value);
/* The member `key` of an object, NULL when absent or not an object. */
const struct json_value *json_get(const struct json_value *object, const char *key);

#endif
