/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The DMAR decoder: every real table in shared/fixtures/acpi/dmar decodes to
 * exactly what its JSON sidecar says, every malformed table built here is
 * refused with -EINVAL at the right offset, every allocation failure is
 * -ENOMEM without leaks, and scope paths resolve through fake bridges.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "acpi-test-table.h"
#include "common/alloc.h"
#include "firmware/dmar.h"
#include "json-reader.h"
#include "sidecar.h"

#ifndef SMMU_FIXTURES_DIR
#error "the build passes SMMU_FIXTURES_DIR"
#endif

#define DMAR_FIXTURES SMMU_FIXTURES_DIR "/acpi/dmar"

/* The fixtures README lists 20 DMAR tables; fewer means a broken checkout. */
#define DMAR_FIXTURE_COUNT 20

static void compare_scopes(const struct sidecar_where *parent, const struct fw_dmar *d,
			   const struct json_value *list, struct fw_dmar_scope_range range)
{
	static const char *const keys[] = {"offset",	"type",	 "type_name",
					   "length",	"flags", "enumeration_id",
					   "start_bus", "path",	 NULL};

	assert_int_equal(list->kind, JSON_ARRAY);
	if (list->count != range.count) {
		fail_msg("%s: %s: sidecar has %zu scopes, decoder %u", parent->file, parent->path,
			 list->count, range.count);
	}
	for (size_t i = 0; i < list->count; i++) {
		const struct fw_dmar_scope *s = &d->scopes[range.first + i];
		const struct json_value *js = &list->items[i];
		const struct json_value *path;
		struct sidecar_where w = {.file = parent->file};

		snprintf(w.path, sizeof(w.path), "%.100s.device_scope[%zu]", parent->path, i);
		sidecar_only_keys(&w, js, keys);
		sidecar_expect_u64(&w, js, "offset", s->offset);
		sidecar_expect_u64(&w, js, "type", s->type);
		sidecar_expect_name(&w, js, "type_name", fw_dmar_scope_type_name(s->type));
		sidecar_expect_u64(&w, js, "length", s->length);
		sidecar_expect_u64(&w, js, "flags", s->flags);
		sidecar_expect_u64(&w, js, "enumeration_id", s->enumeration_id);
		sidecar_expect_u64(&w, js, "start_bus", s->start_bus);
		path = sidecar_member(&w, js, "path");
		assert_int_equal(path->kind, JSON_ARRAY);
		assert_int_equal(path->count, s->path_count);
		for (size_t p = 0; p < path->count; p++) {
			const struct json_value *pair = &path->items[p];

			assert_int_equal(pair->kind, JSON_ARRAY);
			assert_int_equal(pair->count, 2);
			assert_int_equal(sidecar_u64(&w, &pair->items[0], "path"),
					 s->path[p].device);
			assert_int_equal(sidecar_u64(&w, &pair->items[1], "path"),
					 s->path[p].function);
		}
	}
}

static void compare_structure(const struct sidecar_where *w, const struct fw_dmar *d,
			      const struct fw_dmar_struct *st, const struct json_value *js)
{
	static const char *const drhd_keys[] = {"offset",	"type",	   "type_name",
						"length",	"flags",   "INCLUDE_PCI_ALL",
						"size_field",	"segment", "register_base",
						"device_scope", NULL};
	static const char *const rmrr_keys[] = {"offset",    "type",	     "type_name",
						"length",    "segment",	     "base",
						"end_limit", "device_scope", NULL};
	static const char *const atsr_keys[] = {"offset",  "type",	   "type_name",
						"length",  "flags",	   "ALL_PORTS",
						"segment", "device_scope", NULL};
	static const char *const rhsa_keys[] = {
		"offset", "type", "type_name", "length", "base", "proximity_domain", NULL};
	static const char *const andd_keys[] = {
		"offset", "type", "type_name", "length", "acpi_device_number", "object_name", NULL};
	static const char *const satc_keys[] = {"offset",  "type",	   "type_name",
						"length",  "flags",	   "ATC_REQUIRED",
						"segment", "device_scope", NULL};
	static const char *const sidp_keys[] = {"offset",  "type",	   "type_name", "length",
						"segment", "device_scope", NULL};

	sidecar_expect_u64(w, js, "offset", st->offset);
	sidecar_expect_u64(w, js, "type", st->type);
	sidecar_expect_name(w, js, "type_name", fw_dmar_type_name(st->type));
	sidecar_expect_u64(w, js, "length", st->length);
	assert_true(st->known);
	switch (st->type) {
	case DMAR_TYPE_DRHD: {
		const struct fw_dmar_drhd *x = &d->drhds[st->index];

		sidecar_only_keys(w, js, drhd_keys);
		assert_int_equal(x->offset, st->offset);
		sidecar_expect_u64(w, js, "flags", x->flags);
		sidecar_expect_u64(w, js, "INCLUDE_PCI_ALL",
				   !!(x->flags & DMAR_DRHD_FLAGS_INCLUDE_PCI_ALL));
		sidecar_expect_u64(w, js, "size_field", x->size_field);
		sidecar_expect_u64(w, js, "segment", x->segment);
		sidecar_expect_u64(w, js, "register_base", x->register_base);
		compare_scopes(w, d, sidecar_member(w, js, "device_scope"), x->scopes);
		break;
	}
	case DMAR_TYPE_RMRR: {
		const struct fw_dmar_rmrr *x = &d->rmrrs[st->index];

		sidecar_only_keys(w, js, rmrr_keys);
		assert_int_equal(x->offset, st->offset);
		sidecar_expect_u64(w, js, "segment", x->segment);
		sidecar_expect_u64(w, js, "base", x->start);
		sidecar_expect_u64(w, js, "end_limit", x->last);
		compare_scopes(w, d, sidecar_member(w, js, "device_scope"), x->scopes);
		break;
	}
	case DMAR_TYPE_ATSR: {
		const struct fw_dmar_atsr *x = &d->atsrs[st->index];

		sidecar_only_keys(w, js, atsr_keys);
		assert_int_equal(x->offset, st->offset);
		sidecar_expect_u64(w, js, "flags", x->flags);
		sidecar_expect_u64(w, js, "ALL_PORTS", !!(x->flags & DMAR_ATSR_FLAGS_ALL_PORTS));
		sidecar_expect_u64(w, js, "segment", x->segment);
		compare_scopes(w, d, sidecar_member(w, js, "device_scope"), x->scopes);
		break;
	}
	case DMAR_TYPE_RHSA: {
		const struct fw_dmar_rhsa *x = &d->rhsas[st->index];

		sidecar_only_keys(w, js, rhsa_keys);
		assert_int_equal(x->offset, st->offset);
		sidecar_expect_u64(w, js, "base", x->register_base);
		sidecar_expect_u64(w, js, "proximity_domain", x->proximity_domain);
		break;
	}
	case DMAR_TYPE_ANDD: {
		const struct fw_dmar_andd *x = &d->andds[st->index];

		sidecar_only_keys(w, js, andd_keys);
		assert_int_equal(x->offset, st->offset);
		sidecar_expect_u64(w, js, "acpi_device_number", x->device_number);
		sidecar_expect_name(w, js, "object_name", x->object_name);
		break;
	}
	case DMAR_TYPE_SATC: {
		const struct fw_dmar_satc *x = &d->satcs[st->index];

		sidecar_only_keys(w, js, satc_keys);
		assert_int_equal(x->offset, st->offset);
		sidecar_expect_u64(w, js, "flags", x->flags);
		sidecar_expect_u64(w, js, "ATC_REQUIRED",
				   !!(x->flags & DMAR_SATC_FLAGS_ATC_REQUIRED));
		sidecar_expect_u64(w, js, "segment", x->segment);
		compare_scopes(w, d, sidecar_member(w, js, "device_scope"), x->scopes);
		break;
	}
	case DMAR_TYPE_SIDP: {
		const struct fw_dmar_sidp *x = &d->sidps[st->index];

		sidecar_only_keys(w, js, sidp_keys);
		assert_int_equal(x->offset, st->offset);
		sidecar_expect_u64(w, js, "segment", x->segment);
		compare_scopes(w, d, sidecar_member(w, js, "device_scope"), x->scopes);
		break;
	}
	default:
		fail_msg("%s: %s: type %u has no comparison", w->file, w->path, st->type);
	}
}

static size_t count_of_type(const struct fw_dmar *d, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < d->struct_count; i++) {
		n += strcmp(fw_dmar_type_name(d->structs[i].type), name) == 0;
	}
	return n;
}

static void compare_dmar(const char *file, const struct fw_dmar *d, const uint8_t *bin, size_t size,
			 const struct json_value *top)
{
	static const char *const top_keys[] = {"source",
					       "note",
					       "signature",
					       "length",
					       "length_field",
					       "revision",
					       "checksum_byte",
					       "checksum_ok",
					       "byte_sum_mod_256",
					       "oem_id",
					       "oem_table_id",
					       "oem_revision",
					       "creator_id",
					       "creator_revision",
					       "dmar",
					       NULL};
	static const char *const dmar_keys[] = {
		"host_address_width_field", "host_address_width_bits", "flags",	 "flags_decoded",
		"reserved_nonzero",	    "remapping_structures",    "counts", NULL};
	static const char *const flag_keys[] = {"INTR_REMAP", "X2APIC_OPT_OUT",
						"DMA_CTRL_PLATFORM_OPT_IN", NULL};
	struct sidecar_where w = {.file = file, .path = "$"};
	const struct json_value *jd, *jf, *list, *counts;
	size_t total = 0;

	/* "source" and "note" describe the machine, not the table. */
	sidecar_only_keys(&w, top, top_keys);
	sidecar_expect_acpi_header(&w, top, &d->header, bin, size);

	jd = sidecar_member(&w, top, "dmar");
	snprintf(w.path, sizeof(w.path), "$.dmar");
	sidecar_only_keys(&w, jd, dmar_keys);
	sidecar_expect_u64(&w, jd, "host_address_width_field", d->host_address_width - 1u);
	sidecar_expect_u64(&w, jd, "host_address_width_bits", d->host_address_width);
	sidecar_expect_u64(&w, jd, "flags", d->flags);
	sidecar_expect_bool(&w, jd, "reserved_nonzero", d->reserved_nonzero);
	jf = sidecar_member(&w, jd, "flags_decoded");
	sidecar_only_keys(&w, jf, flag_keys);
	sidecar_expect_u64(&w, jf, "INTR_REMAP", !!(d->flags & DMAR_FLAGS_INTR_REMAP));
	sidecar_expect_u64(&w, jf, "X2APIC_OPT_OUT", !!(d->flags & DMAR_FLAGS_X2APIC_OPT_OUT));
	sidecar_expect_u64(&w, jf, "DMA_CTRL_PLATFORM_OPT_IN",
			   !!(d->flags & DMAR_FLAGS_DMA_CTRL_PLATFORM_OPT_IN));

	list = sidecar_member(&w, jd, "remapping_structures");
	assert_int_equal(list->kind, JSON_ARRAY);
	if (list->count != d->struct_count) {
		fail_msg("%s: sidecar has %zu structures, decoder %zu", file, list->count,
			 d->struct_count);
	}
	assert_int_equal(d->unknown_count, 0);
	for (size_t i = 0; i < list->count; i++) {
		snprintf(w.path, sizeof(w.path), "$.dmar.remapping_structures[%zu]", i);
		compare_structure(&w, d, &d->structs[i], &list->items[i]);
	}

	counts = sidecar_member(&w, jd, "counts");
	snprintf(w.path, sizeof(w.path), "$.dmar.counts");
	assert_int_equal(counts->kind, JSON_OBJECT);
	for (size_t i = 0; i < counts->count; i++) {
		sidecar_expect_u64(&w, counts, counts->keys[i], count_of_type(d, counts->keys[i]));
		total += (size_t)counts->items[i].number;
	}
	assert_int_equal(total, d->struct_count);
	assert_int_equal(d->drhd_count, count_of_type(d, "DRHD"));
	assert_int_equal(d->rmrr_count, count_of_type(d, "RMRR"));
	assert_int_equal(d->atsr_count, count_of_type(d, "ATSR"));
	assert_int_equal(d->rhsa_count, count_of_type(d, "RHSA"));
	assert_int_equal(d->andd_count, count_of_type(d, "ANDD"));
	assert_int_equal(d->satc_count, count_of_type(d, "SATC"));
	assert_int_equal(d->sidp_count, count_of_type(d, "SIDP"));
}

/* Decodes `bin` from an odd address, so that no field is aligned. */
static int parse_unaligned(const uint8_t *bin, size_t size, unsigned flags, struct fw_dmar *ret,
			   struct fw_error *err)
{
	uint8_t *copy = malloc(size + 1);
	int r;

	assert_non_null(copy);
	memcpy(copy + 1, bin, size);
	r = fw_dmar_parse(copy + 1, size, flags, ret, err);
	free(copy);
	return r;
}

static void check_fixture(const char *dir, const char *bin_name)
{
	char bin_path[512], json_path[512], message[200];
	size_t bin_size, json_size, stem = strlen(bin_name) - strlen(".bin");
	uint8_t *bin;
	char *text;
	struct json_value top;
	struct fw_dmar d;
	struct fw_error err = {0};
	int r;

	snprintf(bin_path, sizeof(bin_path), "%s/%s", dir, bin_name);
	snprintf(json_path, sizeof(json_path), "%s/%.*s.json", dir, (int)stem, bin_name);
	bin = test_file_read(bin_path, &bin_size);
	text = test_file_read(json_path, &json_size);
	r = json_parse(text, json_size, &top, message, sizeof(message));
	if (r < 0) {
		fail_msg("%s: broken sidecar: %s", json_path, message);
	}
	r = parse_unaligned(bin, bin_size, 0, &d, &err);
	if (r < 0) {
		fail_msg("%s: %s", bin_name, err.message);
	}
	compare_dmar(bin_name, &d, bin, bin_size, &top);
	fw_dmar_fini(&d);
	json_free(&top);
	free(text);
	free(bin);
}

/* The fixtures are part of the test: a missing directory is a failure. */
static void test_fixtures_present(void **state)
{
	struct stat st;

	(void)state;
	if (stat(DMAR_FIXTURES, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fail_msg("DMAR fixtures not found at %s: the shared/ directory must be checked "
			 "out beside the repository",
			 DMAR_FIXTURES);
	}
}

/* Every real DMAR decodes to every field its sidecar lists. */
static void test_fixtures_match_sidecars(void **state)
{
	DIR *dir = opendir(DMAR_FIXTURES);
	struct dirent *e;
	size_t count = 0;

	(void)state;
	if (!dir) {
		fail_msg("cannot open %s: %s", DMAR_FIXTURES, strerror(errno));
	}
	while ((e = readdir(dir))) {
		size_t n = strlen(e->d_name);

		if (n > 9 && strcmp(e->d_name + n - 9, ".dmar.bin") == 0) {
			check_fixture(DMAR_FIXTURES, e->d_name);
			count++;
		}
	}
	closedir(dir);
	print_message("decoded %zu DMAR fixtures\n", count);
	assert_true(count >= DMAR_FIXTURE_COUNT);
}

static void *read_fixture(const char *name, size_t *ret_size)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", DMAR_FIXTURES, name);
	return test_file_read(path, ret_size);
}

/* ---- Hand-built tables ---- */

/* A DMAR under construction: a 48-byte header, then structures. */

static void tb_init(struct acpi_tb *t)
{
	static const uint8_t header[48] = {'D',
					   'M',
					   'A',
					   'R',
					   0,
					   0,
					   0,
					   0,
					   1,
					   0,
					   'S',
					   'M',
					   'M',
					   'U',
					   ' ',
					   ' ',
					   'T',
					   'E',
					   'S',
					   'T',
					   ' ',
					   ' ',
					   ' ',
					   ' ',
					   1,
					   0,
					   0,
					   0,
					   'T',
					   'E',
					   'S',
					   'T',
					   1,
					   0,
					   0,
					   0,
					   38, /* 39-bit host address width */
					   DMAR_FLAGS_INTR_REMAP};

	memset(t, 0, sizeof(*t));
	acpi_tb_add(t, header, sizeof(header));
}

static void tb_finish(struct acpi_tb *t)
{
	acpi_tb_finish_length(t, 0);
}

/* A DRHD of `length` bytes at 0xfed90000 (scopes appended by the caller). */
static size_t tb_drhd(struct acpi_tb *t, uint16_t length)
{
	const uint8_t drhd[16] = {
		0, 0, (uint8_t)length, (uint8_t)(length >> 8), 1, 0, 0, 0, 0, 0, 0xd9, 0xfe};

	return acpi_tb_add(t, drhd, sizeof(drhd));
}

/* A one-entry scope for device dev.fn on bus `bus`. */
static size_t tb_scope(struct acpi_tb *t, uint8_t type, uint8_t bus, uint8_t dev, uint8_t fn)
{
	const uint8_t scope[8] = {type, 8, 0, 0, 0, bus, dev, fn};

	return acpi_tb_add(t, scope, sizeof(scope));
}

static void expect_einval(struct acpi_tb *t, unsigned flags, size_t offset, const char *part)
{
	struct fw_dmar d;
	struct fw_error err = {0};
	int r;

	memset(&d, ACPI_TB_POISON, sizeof(d));
	r = fw_dmar_parse(t->buf, t->len, flags, &d, &err);
	acpi_tb_expect_einval(t, r, &err, offset, part, &d, sizeof(d));
}

static void parse_ok(struct acpi_tb *t, struct fw_dmar *ret)
{
	struct fw_error err = {0};
	int r = fw_dmar_parse(t->buf, t->len, 0, ret, &err);

	if (r != 0) {
		fail_msg("expected success, got %d: %s", r, err.message);
	}
	free(t->buf);
}

/* A minimal table with one DRHD and one scope decodes. */
static void test_minimal_table(void **state)
{
	struct acpi_tb t;
	struct fw_dmar d;
	struct fw_pci_bdf bdf;

	(void)state;
	tb_init(&t);
	tb_drhd(&t, 24);
	tb_scope(&t, DMAR_SCOPE_TYPE_PCI_ENDPOINT, 0, 2, 0);
	tb_finish(&t);
	parse_ok(&t, &d);
	assert_int_equal(d.host_address_width, 39);
	assert_int_equal(d.drhd_count, 1);
	assert_int_equal(d.drhds[0].register_base, 0xfed90000);
	assert_int_equal(d.drhds[0].scopes.count, 1);
	assert_int_equal(fw_dmar_scope_resolve(&d.scopes[0], 0, NULL, NULL, &bdf), 0);
	assert_int_equal(bdf.bus, 0);
	assert_int_equal(bdf.device, 2);
	assert_int_equal(bdf.function, 0);
	fw_dmar_fini(&d);
}

/* Fewer bytes than the ACPI header: refused at the end of the data. */
static void test_truncated_header(void **state)
{
	struct acpi_tb t;

	(void)state;
	tb_init(&t);
	tb_finish(&t);
	t.len = 20;
	expect_einval(&t, 0, 20, "inside the 36-byte ACPI header");
	tb_init(&t);
	t.len = 0;
	expect_einval(&t, 0, 0, "inside the 36-byte ACPI header");
}

/* A table whose body ends inside the 48-byte DMAR header. */
static void test_length_below_dmar_header(void **state)
{
	struct acpi_tb t;

	(void)state;
	tb_init(&t);
	acpi_tb_finish_length(&t, 40);
	expect_einval(&t, 0, ACPI_HDR_LENGTH, "less than the 48-byte fixed part");
}

static void test_bad_signature(void **state)
{
	struct acpi_tb t;

	(void)state;
	tb_init(&t);
	memcpy(t.buf, "IORT", 4);
	tb_finish(&t);
	expect_einval(&t, 0, 0, "expected \"DMAR\"");
}

/* The length field must not claim more bytes than were given. */
static void test_length_past_buffer(void **state)
{
	struct acpi_tb t;

	(void)state;
	tb_init(&t);
	tb_drhd(&t, 16);
	tb_finish(&t);
	t.len -= 1;
	expect_einval(&t, 0, ACPI_HDR_LENGTH, "runs past the end of the 63 bytes given");
}

/* A table larger than SMMU_FW_ACPI_MAX_TABLE_SIZE is refused before it is walked. */
static void test_table_size_limit(void **state)
{
	struct acpi_tb t;
	size_t total = SMMU_FW_ACPI_MAX_TABLE_SIZE + 64;
	uint8_t *body = calloc(1, total);

	(void)state;
	assert_non_null(body);
	tb_init(&t);
	acpi_tb_add(&t, body, total - t.len);
	free(body);
	tb_finish(&t);
	expect_einval(&t, 0, ACPI_HDR_LENGTH, "exceeds the limit");
}

/* Bytes after the length field's end are not part of the table. */
static void test_trailing_bytes_ignored(void **state)
{
	struct acpi_tb t;
	struct fw_dmar d;
	const uint8_t junk[5] = {0xff, 0xff, 0, 0, 0};

	(void)state;
	tb_init(&t);
	tb_drhd(&t, 16);
	tb_finish(&t);
	acpi_tb_add(&t, junk, sizeof(junk));
	parse_ok(&t, &d);
	assert_int_equal(d.struct_count, 1);
	fw_dmar_fini(&d);
}

/* A wrong checksum is refused by default and decoded on request. */
static void test_bad_checksum(void **state)
{
	struct acpi_tb t;
	struct fw_dmar d;
	struct fw_error err = {0};

	(void)state;
	tb_init(&t);
	tb_drhd(&t, 16);
	tb_finish(&t);
	t.buf[ACPI_HDR_CHECKSUM]++;
	assert_int_equal(fw_dmar_parse(t.buf, t.len, FW_DMAR_ACCEPT_BAD_CHECKSUM, &d, &err), 0);
	assert_false(d.header.checksum_ok);
	assert_int_equal(d.drhd_count, 1);
	fw_dmar_fini(&d);
	expect_einval(&t, 0, ACPI_HDR_CHECKSUM, "byte sum of 0x01");
}

/* A zero-length structure would loop forever: refused at its offset. */
static void test_zero_length_structure(void **state)
{
	struct acpi_tb t;
	const uint8_t zero[8] = {0};
	size_t off;

	(void)state;
	tb_init(&t);
	tb_drhd(&t, 16);
	off = acpi_tb_add(&t, zero, sizeof(zero));
	tb_finish(&t);
	expect_einval(&t, 0, off, "length 0 is less than its 16-byte fixed part");

	/* An unknown type with length 0 is no better. */
	tb_init(&t);
	off = acpi_tb_add(&t, (const uint8_t[]){99, 0, 0, 0}, 4);
	tb_finish(&t);
	expect_einval(&t, 0, off, "unknown (type 99) length 0 is less than its 4-byte");
}

/* Each type's length must cover its fixed part. */
static void test_structure_shorter_than_fixed_part(void **state)
{
	static const struct {
		uint8_t type;
		uint8_t length;
		const char *part;
	} cases[] = {
		{DMAR_TYPE_DRHD, 15, "DRHD (type 0) length 15 is less than its 16-byte"},
		{DMAR_TYPE_RMRR, 23, "RMRR (type 1) length 23 is less than its 24-byte"},
		{DMAR_TYPE_ATSR, 4, "ATSR (type 2) length 4 is less than its 8-byte"},
		{DMAR_TYPE_RHSA, 19, "RHSA (type 3) length 19 is less than its 20-byte"},
		{DMAR_TYPE_ANDD, 7, "ANDD (type 4) length 7 is less than its 8-byte"},
		{DMAR_TYPE_SATC, 6, "SATC (type 5) length 6 is less than its 8-byte"},
		{DMAR_TYPE_SIDP, 5, "SIDP (type 6) length 5 is less than its 8-byte"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct acpi_tb t;
		uint8_t s[32] = {cases[i].type, 0, cases[i].length, 0};

		tb_init(&t);
		acpi_tb_add(&t, s, sizeof(s));
		tb_finish(&t);
		expect_einval(&t, 0, DMAR_HEADER_SIZE, cases[i].part);
	}
}

/* A structure whose length runs past the table end. */
static void test_structure_past_table_end(void **state)
{
	struct acpi_tb t;
	size_t off;

	(void)state;
	tb_init(&t);
	tb_drhd(&t, 16);
	off = tb_drhd(&t, 24);
	tb_finish(&t);
	expect_einval(&t, 0, off, "length 24 runs past the end of the table (16 bytes left)");
}

/* Fewer than 4 bytes after the last structure: no room for a header. */
static void test_truncated_structure_header(void **state)
{
	struct acpi_tb t;
	size_t off;

	(void)state;
	tb_init(&t);
	tb_drhd(&t, 16);
	off = acpi_tb_add(&t, (const uint8_t[]){1, 0}, 2);
	tb_finish(&t);
	expect_einval(&t, 0, off, "header needs 4 bytes, the table has 2 left");
}

/* Device scope lengths: too short (0 included), past the structure, odd, too long. */
static void test_scope_lengths(void **state)
{
	struct acpi_tb t;
	size_t off;

	(void)state;
	tb_init(&t);
	tb_drhd(&t, 24);
	off = acpi_tb_add(&t, (const uint8_t[]){1, 0, 0, 0, 0, 0, 2, 0}, 8);
	tb_finish(&t);
	expect_einval(&t, 0, off, "device scope length 0 is less than 8");

	tb_init(&t);
	tb_drhd(&t, 24);
	off = acpi_tb_add(&t, (const uint8_t[]){1, 6, 0, 0, 0, 0, 2, 0}, 8);
	tb_finish(&t);
	expect_einval(&t, 0, off, "device scope length 6 is less than 8");

	/* The scope runs past its DRHD, though not past the table. */
	tb_init(&t);
	tb_drhd(&t, 24);
	off = acpi_tb_add(&t, (const uint8_t[]){1, 10, 0, 0, 0, 0, 2, 0}, 8);
	tb_drhd(&t, 16);
	tb_finish(&t);
	expect_einval(&t, 0, off,
		      "device scope length 10 runs past the end of the DRHD at "
		      "offset 48 (8 bytes left)");

	tb_init(&t);
	tb_drhd(&t, 27);
	tb_scope(&t, DMAR_SCOPE_TYPE_PCI_ENDPOINT, 0, 2, 0);
	off = acpi_tb_add(&t, (const uint8_t[]){1, 0, 0}, 3);
	tb_finish(&t);
	expect_einval(&t, 0, off,
		      "device scope header needs 6 bytes, the DRHD at offset 48 has "
		      "3 left");

	tb_init(&t);
	tb_drhd(&t, 25);
	off = acpi_tb_add(&t, (const uint8_t[]){1, 9, 0, 0, 0, 0, 2, 0, 0}, 9);
	tb_finish(&t);
	expect_einval(&t, 0, off, "length 9 leaves half a path entry");
}

/* A path longer than SMMU_FW_DMAR_MAX_PATH is refused; one at the limit decodes. */
static void test_scope_path_limit(void **state)
{
	(void)state;
	for (int extra = 0; extra <= 1; extra++) {
		uint8_t scope[6 + 2 * (SMMU_FW_DMAR_MAX_PATH + 1)] = {1};
		uint8_t length = (uint8_t)(6 + 2 * (SMMU_FW_DMAR_MAX_PATH + extra));
		struct acpi_tb t;
		size_t off;

		scope[DMAR_SCOPE_LENGTH] = length;
		tb_init(&t);
		tb_drhd(&t, (uint16_t)(16 + length));
		off = acpi_tb_add(&t, scope, length);
		tb_finish(&t);
		if (extra) {
			expect_einval(&t, 0, off, "exceeds the limit of 16");
		} else {
			struct fw_dmar d;

			parse_ok(&t, &d);
			assert_int_equal(d.scopes[0].path_count, SMMU_FW_DMAR_MAX_PATH);
			fw_dmar_fini(&d);
		}
	}
}

/* An RMRR whose limit is below its base cannot be reserved. */
static void test_rmrr_inverted(void **state)
{
	const uint8_t rmrr[24] = {1, 0, 24, 0, 0,    0,	   0, 0, 0, 0x20, 0, 0,
				  0, 0, 0,  0, 0xff, 0x1f, 0, 0, 0, 0,	  0, 0};
	struct acpi_tb t;
	size_t off;

	(void)state;
	tb_init(&t);
	off = acpi_tb_add(&t, rmrr, sizeof(rmrr));
	tb_finish(&t);
	expect_einval(&t, 0, off + DMAR_RMRR_LIMIT, "limit 0x1fff is below its base 0x2000");
}

/* A DRHD at address 0 or off a page boundary. */
static void test_drhd_bad_register_base(void **state)
{
	struct acpi_tb t;
	size_t off;

	(void)state;
	tb_init(&t);
	off = tb_drhd(&t, 16);
	memset(t.buf + off + DMAR_DRHD_REGISTER_BASE, 0, 8);
	tb_finish(&t);
	expect_einval(&t, 0, off + DMAR_DRHD_REGISTER_BASE, "register base 0x0");

	tb_init(&t);
	off = tb_drhd(&t, 16);
	t.buf[off + DMAR_DRHD_REGISTER_BASE] = 0x10;
	tb_finish(&t);
	expect_einval(&t, 0, off + DMAR_DRHD_REGISTER_BASE, "register base 0xfed90010");
}

/* A host address width field of 0xff would mean 256 bits. */
static void test_bad_host_address_width(void **state)
{
	struct acpi_tb t;

	(void)state;
	tb_init(&t);
	t.buf[DMAR_HOST_ADDRESS_WIDTH] = 0xff;
	tb_finish(&t);
	expect_einval(&t, 0, DMAR_HOST_ADDRESS_WIDTH, "host address width field 0xff");
}

/* An ANDD name longer than SMMU_FW_ACPI_MAX_NAME. */
static void test_andd_name_limit(void **state)
{
	uint8_t andd[8 + SMMU_FW_ACPI_MAX_NAME + 1];
	struct acpi_tb t;
	size_t off;

	(void)state;
	memset(andd, 'A', sizeof(andd));
	andd[0] = DMAR_TYPE_ANDD;
	andd[1] = 0;
	andd[2] = (uint8_t)sizeof(andd);
	andd[3] = 0;
	tb_init(&t);
	off = acpi_tb_add(&t, andd, sizeof(andd));
	tb_finish(&t);
	expect_einval(&t, 0, off + DMAR_ANDD_OBJECT_NAME, "object name of 129 bytes");
}

/* Counting limits: units, structures, scopes. */
static void test_count_limits(void **state)
{
	struct acpi_tb t;
	size_t off = 0;

	(void)state;
	tb_init(&t);
	for (int i = 0; i <= SMMU_FW_DMAR_MAX_UNITS; i++) {
		off = tb_drhd(&t, 16);
	}
	tb_finish(&t);
	expect_einval(&t, 0, off, "more than 256 DRHD units");

	tb_init(&t);
	for (int i = 0; i <= SMMU_FW_DMAR_MAX_STRUCTURES; i++) {
		off = acpi_tb_add(&t, (const uint8_t[]){200, 0, 4, 0}, 4);
	}
	tb_finish(&t);
	expect_einval(&t, 0, off, "more than 4096 remapping structures");

	/* 16385 scopes in RMRRs of 1024 scopes each (8 KiB + 24). */
	tb_init(&t);
	for (int r = 0; r <= SMMU_FW_DMAR_MAX_SCOPES / 1024; r++) {
		const uint16_t len = 24 + 1024 * 8;
		const uint8_t rmrr[24] = {1, 0, (uint8_t)len, (uint8_t)(len >> 8)};

		acpi_tb_add(&t, rmrr, sizeof(rmrr));
		for (int s = 0; s < 1024; s++) {
			off = tb_scope(&t, DMAR_SCOPE_TYPE_PCI_ENDPOINT, 0, 2, 0);
		}
	}
	tb_finish(&t);
	expect_einval(&t, 0, off - 1023 * 8, "more than 16384 device scopes");
}

/* An unknown structure type is skipped by its length, between known ones. */
static void test_unknown_type_skipped(void **state)
{
	const uint8_t unknown[12] = {42, 0, 12, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct acpi_tb t;
	struct fw_dmar d;

	(void)state;
	tb_init(&t);
	tb_drhd(&t, 16);
	acpi_tb_add(&t, unknown, sizeof(unknown));
	tb_drhd(&t, 24);
	tb_scope(&t, DMAR_SCOPE_TYPE_IOAPIC, 0xf0, 31, 0);
	tb_finish(&t);
	parse_ok(&t, &d);
	assert_int_equal(d.struct_count, 3);
	assert_int_equal(d.unknown_count, 1);
	assert_false(d.structs[1].known);
	assert_int_equal(d.structs[1].type, 42);
	assert_int_equal(d.structs[1].offset, 64);
	assert_int_equal(d.drhd_count, 2);
	assert_int_equal(d.drhds[1].offset, 76);
	assert_int_equal(d.drhds[1].scopes.first, 0);
	assert_int_equal(d.drhds[1].scopes.count, 1);
	assert_int_equal(d.scopes[0].start_bus, 0xf0);
	fw_dmar_fini(&d);
}

/* Every allocation failure is -ENOMEM, leaves the result unwritten, leaks
 * nothing (the ASan build checks), and the walk ends in success. */
static void test_allocation_failures(void **state)
{
	size_t size;
	void *bin = read_fixture("microsoft-surface-pro-3.dmar.bin", &size);
	long points = 0;

	(void)state;
	for (long n = 0;; n++) {
		struct fw_dmar d;
		struct fw_error err = {0};
		int r;

		memset(&d, 0x5a, sizeof(d));
		smmu_alloc_fail_after(n);
		r = fw_dmar_parse(bin, size, 0, &d, &err);
		smmu_alloc_fail_after(-1);
		if (r == 0) {
			assert_int_equal(d.andd_count, 2);
			fw_dmar_fini(&d);
			break;
		}
		assert_int_equal(r, -ENOMEM);
		assert_non_null(strstr(err.message, "out of memory"));
		assert_int_equal(d.drhd_count, 0x5a5a5a5a5a5a5a5a);
		points++;
		assert_true(points < 100);
	}
	/* structs, DRHDs, RMRRs, ANDDs, scopes. */
	assert_int_equal(points, 5);
	free(bin);
}

/* fw_dmar_fini() accepts NULL, zeroed and already finished results. */
static void test_fini_half_built(void **state)
{
	struct fw_dmar d = {0};

	(void)state;
	fw_dmar_fini(NULL);
	fw_dmar_fini(&d);
	d.drhds = smmu_calloc(1, sizeof(*d.drhds));
	d.drhd_count = 1;
	fw_dmar_fini(&d);
	assert_null(d.drhds);
	fw_dmar_fini(&d);
}

/* ---- Scope paths ---- */

/* A fake configuration space: bridge dd.f on bus b has secondary bus
 * `secondary[b]`, and every call is recorded. */
struct fake_pci {
	uint8_t secondary[256];
	int calls;
	struct fw_pci_bdf last;
	int fail;
};

static int fake_read_secondary(void *ctx, struct fw_pci_bdf bridge, uint8_t *ret_bus)
{
	struct fake_pci *pci = ctx;

	pci->calls++;
	pci->last = bridge;
	if (pci->fail) {
		return pci->fail;
	}
	*ret_bus = pci->secondary[bridge.bus];
	return 0;
}

/* The two-hop paths of the DL360 G7 resolve through the bridge's secondary bus. */
static void test_resolve_two_hops(void **state)
{
	size_t size;
	void *bin = read_fixture("hp-proliant-dl360-g7.dmar.bin", &size);
	struct fw_dmar d;
	struct fw_error err = {0};
	struct fake_pci pci = {0};
	const struct fw_dmar_scope *two = NULL;
	struct fw_pci_bdf bdf, untouched = {.segment = 0xdead};

	(void)state;
	assert_int_equal(fw_dmar_parse(bin, size, 0, &d, &err), 0);
	for (size_t i = 0; i < d.scope_count && !two; i++) {
		if (d.scopes[i].path_count == 2) {
			two = &d.scopes[i];
		}
	}
	assert_non_null(two);
	bdf = untouched;
	assert_int_equal(fw_dmar_scope_resolve(two, 0, NULL, NULL, &bdf), -EOPNOTSUPP);
	assert_int_equal(bdf.segment, 0xdead);

	pci.secondary[two->start_bus] = 0x42;
	assert_int_equal(fw_dmar_scope_resolve(two, 3, fake_read_secondary, &pci, &bdf), 0);
	assert_int_equal(pci.calls, 1);
	assert_int_equal(pci.last.segment, 3);
	assert_int_equal(pci.last.bus, two->start_bus);
	assert_int_equal(pci.last.device, two->path[0].device);
	assert_int_equal(pci.last.function, two->path[0].function);
	assert_int_equal(bdf.segment, 3);
	assert_int_equal(bdf.bus, 0x42);
	assert_int_equal(bdf.device, two->path[1].device);
	assert_int_equal(bdf.function, two->path[1].function);

	/* An unconfigured bridge and a failing reader. */
	pci.secondary[two->start_bus] = 0;
	assert_int_equal(fw_dmar_scope_resolve(two, 0, fake_read_secondary, &pci, &bdf), -ENODEV);
	pci.fail = -EIO;
	assert_int_equal(fw_dmar_scope_resolve(two, 0, fake_read_secondary, &pci, &bdf), -EIO);
	fw_dmar_fini(&d);
	free(bin);
}

/* One-hop paths need no reader and never call one; bad entries are -EINVAL. */
static void test_resolve_one_hop(void **state)
{
	struct fw_dmar_scope scope = {.start_bus = 0xf0, .path_count = 1, .path = {{31, 7}}};
	struct fake_pci pci = {0};
	struct fw_pci_bdf bdf;

	(void)state;
	assert_int_equal(fw_dmar_scope_resolve(&scope, 1, fake_read_secondary, &pci, &bdf), 0);
	assert_int_equal(pci.calls, 0);
	assert_int_equal(bdf.segment, 1);
	assert_int_equal(bdf.bus, 0xf0);
	assert_int_equal(bdf.device, 31);
	assert_int_equal(bdf.function, 7);
	scope.path[0].device = 32;
	assert_int_equal(fw_dmar_scope_resolve(&scope, 0, NULL, NULL, &bdf), -EINVAL);
	scope.path[0] = (struct fw_dmar_path_entry){0, 8};
	assert_int_equal(fw_dmar_scope_resolve(&scope, 0, NULL, NULL, &bdf), -EINVAL);
	scope.path_count = 0;
	assert_int_equal(fw_dmar_scope_resolve(&scope, 0, NULL, NULL, &bdf), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures_present),
		cmocka_unit_test(test_fixtures_match_sidecars),
		cmocka_unit_test(test_minimal_table),
		cmocka_unit_test(test_truncated_header),
		cmocka_unit_test(test_length_below_dmar_header),
		cmocka_unit_test(test_bad_signature),
		cmocka_unit_test(test_length_past_buffer),
		cmocka_unit_test(test_table_size_limit),
		cmocka_unit_test(test_trailing_bytes_ignored),
		cmocka_unit_test(test_bad_checksum),
		cmocka_unit_test(test_zero_length_structure),
		cmocka_unit_test(test_structure_shorter_than_fixed_part),
		cmocka_unit_test(test_structure_past_table_end),
		cmocka_unit_test(test_truncated_structure_header),
		cmocka_unit_test(test_scope_lengths),
		cmocka_unit_test(test_scope_path_limit),
		cmocka_unit_test(test_rmrr_inverted),
		cmocka_unit_test(test_drhd_bad_register_base),
		cmocka_unit_test(test_bad_host_address_width),
		cmocka_unit_test(test_andd_name_limit),
		cmocka_unit_test(test_count_limits),
		cmocka_unit_test(test_unknown_type_skipped),
		cmocka_unit_test(test_allocation_failures),
		cmocka_unit_test(test_fini_half_built),
		cmocka_unit_test(test_resolve_two_hops),
		cmocka_unit_test(test_resolve_one_hop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
