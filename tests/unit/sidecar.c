/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Comparing a decoded firmware table with its JSON sidecar in
 * shared/fixtures (the DMAR and IORT decoder tests): members looked up by
 * name with a failure that says which, numbers that may be hex strings, raw
 * byte strings, and the ACPI header every sidecar describes.
 */
#include "sidecar.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

const struct json_value *sidecar_member(const struct sidecar_where *w, const struct json_value *obj,
					const char *key)
{
	const struct json_value *v = json_get(obj, key);

	if (!v) {
		fail_msg("%s: %s: no member \"%s\"", w->file, w->path, key);
	}
	return v;
}

/* Fails when `obj` has a member the test does not compare: a new sidecar
 * field must get a comparison, not be passed over in silence. */
void sidecar_only_keys(const struct sidecar_where *w, const struct json_value *obj,
		       const char *const *known)
{
	assert_int_equal(obj->kind, JSON_OBJECT);
	for (size_t i = 0; i < obj->count; i++) {
		bool found = false;

		for (size_t k = 0; known[k]; k++) {
			found |= strcmp(obj->keys[i], known[k]) == 0;
		}
		if (!found) {
			fail_msg("%s: %s: member \"%s\" is not compared", w->file, w->path,
				 obj->keys[i]);
		}
	}
}

/* A number, or a "0x..." string (the sidecars write addresses that way). */
uint64_t sidecar_u64(const struct sidecar_where *w, const struct json_value *v, const char *key)
{
	char *end;
	unsigned long long x;

	if (v->kind == JSON_NUMBER && v->number >= 0) {
		return (uint64_t)v->number;
	}
	if (v->kind == JSON_STRING && strncmp(v->string, "0x", 2) == 0 && v->string_len > 2) {
		errno = 0;
		x = strtoull(v->string + 2, &end, 16);
		if (errno == 0 && *end == '\0') {
			return x;
		}
	}
	fail_msg("%s: %s.%s: not a number or hex string", w->file, w->path, key);
	return 0;
}

void sidecar_expect_u64(const struct sidecar_where *w, const struct json_value *obj,
			const char *key, uint64_t actual)
{
	uint64_t want = sidecar_u64(w, sidecar_member(w, obj, key), key);

	if (want != actual) {
		fail_msg("%s: %s.%s: sidecar says 0x%llx, decoder says 0x%llx", w->file, w->path,
			 key, (unsigned long long)want, (unsigned long long)actual);
	}
}

void sidecar_expect_bool(const struct sidecar_where *w, const struct json_value *obj,
			 const char *key, bool actual)
{
	const struct json_value *v = sidecar_member(w, obj, key);

	if (v->kind != JSON_BOOL || v->boolean != actual) {
		fail_msg("%s: %s.%s: sidecar and decoder disagree (decoder: %d)", w->file, w->path,
			 key, actual);
	}
}

/*
 * The sidecars write raw header bytes as code points U+0000..U+00FF (byte
 * 0xD2 is "\u00d2"), which the JSON reader hands over as UTF-8.  Returns the
 * byte count, or -1 for a code point above U+00FF.
 */
static long utf8_to_bytes(const char *s, size_t len, char *out, size_t out_size)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (n == out_size) {
			return -1;
		}
		if (c < 0x80) {
			out[n++] = (char)c;
		} else if ((c == 0xc2 || c == 0xc3) && i + 1 < len) {
			out[n++] = (char)((c & 0x1f) << 6 | ((unsigned char)s[++i] & 0x3f));
		} else {
			return -1;
		}
	}
	return (long)n;
}

/* Compares `len` raw bytes, NULs included. */
void sidecar_expect_bytes(const struct sidecar_where *w, const struct json_value *obj,
			  const char *key, const char *actual, size_t len)
{
	const struct json_value *v = sidecar_member(w, obj, key);
	char want[64];
	long n = v->kind == JSON_STRING
			 ? utf8_to_bytes(v->string, v->string_len, want, sizeof(want))
			 : -1;

	if (n < 0 || (size_t)n != len || memcmp(want, actual, len) != 0) {
		fail_msg("%s: %s.%s: sidecar says \"%s\", decoder says \"%.*s\"", w->file, w->path,
			 key, v->kind == JSON_STRING ? v->string : "(not a string)", (int)len,
			 actual);
	}
}

void sidecar_expect_name(const struct sidecar_where *w, const struct json_value *obj,
			 const char *key, const char *actual)
{
	sidecar_expect_bytes(w, obj, key, actual, strlen(actual));
}

void sidecar_expect_acpi_header(const struct sidecar_where *w, const struct json_value *top,
				const struct fw_acpi_header *header, const uint8_t *bin,
				size_t size)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < size; i++) {
		sum = (uint8_t)(sum + bin[i]);
	}
	sidecar_expect_bytes(w, top, "signature", header->signature, 4);
	sidecar_expect_u64(w, top, "length", size);
	sidecar_expect_u64(w, top, "length_field", header->length);
	sidecar_expect_u64(w, top, "revision", header->revision);
	sidecar_expect_u64(w, top, "checksum_byte", header->checksum);
	sidecar_expect_bool(w, top, "checksum_ok", header->checksum_ok);
	sidecar_expect_u64(w, top, "byte_sum_mod_256", sum);
	assert_int_equal(sum == 0, header->checksum_ok);
	sidecar_expect_bytes(w, top, "oem_id", header->oem_id, 6);
	sidecar_expect_bytes(w, top, "oem_table_id", header->oem_table_id, 8);
	sidecar_expect_u64(w, top, "oem_revision", header->oem_revision);
	sidecar_expect_bytes(w, top, "creator_id", header->creator_id, 4);
	sidecar_expect_u64(w, top, "creator_revision", header->creator_revision);
}
