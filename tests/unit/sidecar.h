/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helpers that compare a decoded firmware table with its JSON sidecar
 * (shared/fixtures/acpi/README.md).  Every mismatch fails the running cmocka
 * test with the sidecar's file, the JSON path and both values.
 */
#ifndef SMMU_TESTS_SIDECAR_H
#define SMMU_TESTS_SIDECAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "file-test-util.h"
#include "firmware/acpi-table.h"
#include "json-reader.h"

/* Where in which sidecar a comparison is, for failure messages. */
struct sidecar_where {
	const char *file;
	char path[160];
};

/* The member `key` of `obj`; fails when it is absent. */
const struct json_value *sidecar_member(const struct sidecar_where *w, const struct json_value *obj,
					const char *key);
/* Fails when `obj` has a member not in the NULL-terminated `known`: a new
 * sidecar field must get a comparison, not be passed over in silence. */
void sidecar_only_keys(const struct sidecar_where *w, const struct json_value *obj,
		       const char *const *known);
/* A number, or a "0x..." string (the sidecars write addresses that way). */
uint64_t sidecar_u64(const struct sidecar_where *w, const struct json_value *v, const char *key);
void sidecar_expect_u64(const struct sidecar_where *w, const struct json_value *obj,
			const char *key, uint64_t actual);
void sidecar_expect_bool(const struct sidecar_where *w, const struct json_value *obj,
			 const char *key, bool actual);
/* Compares `len` raw bytes, NULs included (sidecars write bytes as U+0000..U+00FF). */
void sidecar_expect_bytes(const struct sidecar_where *w, const struct json_value *obj,
			  const char *key, const char *actual, size_t len);
void sidecar_expect_name(const struct sidecar_where *w, const struct json_value *obj,
			 const char *key, const char *actual);
/* The ACPI header members every sidecar has, and the byte sum of `bin`. */
void sidecar_expect_acpi_header(const struct sidecar_where *w, const struct json_value *top,
				const struct fw_acpi_header *header, const uint8_t *bin,
				size_t size);

#endif
