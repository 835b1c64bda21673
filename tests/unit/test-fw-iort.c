/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The IORT decoder: every real table in shared/fixtures/acpi/iort decodes to
 * exactly what its JSON sidecar says (the one with an unfilled checksum only
 * on request), QEMU's virt table maps root-complex requester IDs to StreamIDs
 * of its SMMUv3, every malformed table built here is refused with -EINVAL at
 * the right offset, and every allocation failure is -ENOMEM without leaks.
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
#include "firmware/iort.h"
#include "json-reader.h"
#include "sidecar.h"

#ifndef SMMU_FIXTURES_DIR
#error "the build passes SMMU_FIXTURES_DIR"
#endif
#ifndef SMMU_TEST_DATA_DIR
#error "the build passes SMMU_TEST_DATA_DIR"
#endif

#define IORT_FIXTURES SMMU_FIXTURES_DIR "/acpi/iort"
#define KODIAK "qualcomm-sc7280-kodiak-cls-fw.iort.bin"
#define X13S "lenovo-thinkpad-x13s.iort.bin"
/* QEMU 7.2 `-machine virt,iommu=smmuv3`, read from fw_cfg etc/acpi/tables,
 * with the checksum filled in as the firmware's table loader would. */
#define QEMU_VIRT SMMU_TEST_DATA_DIR "/qemu-virt-smmuv3.iort.bin"

/* The fixtures README lists 4 IORT tables; fewer means a broken checkout. */
#define IORT_FIXTURE_COUNT 4

/* ---- Comparing a decoded table with its sidecar ---- */

static void compare_mappings(const struct sidecar_where *parent, const struct fw_iort *d,
			     const struct fw_iort_node *node, const struct json_value *list)
{
	static const char *const keys[] = {
		"input_base", "id_count",	"output_base", "output_reference",
		"flags",      "single_mapping", NULL};

	assert_int_equal(list->kind, JSON_ARRAY);
	if (list->count != node->mapping_count) {
		fail_msg("%s: %s: sidecar has %zu ID mappings, decoder %u", parent->file,
			 parent->path, list->count, node->mapping_count);
	}
	for (size_t i = 0; i < list->count; i++) {
		const struct fw_iort_id_mapping *m = &d->mappings[node->first_mapping + i];
		const struct json_value *jm = &list->items[i];
		struct sidecar_where w = {.file = parent->file};

		snprintf(w.path, sizeof(w.path), "%.100s.id_mappings[%zu]", parent->path, i);
		sidecar_only_keys(&w, jm, keys);
		assert_int_equal(m->offset, node->offset + node->mapping_offset + 20 * i);
		sidecar_expect_u64(&w, jm, "input_base", m->input_base);
		sidecar_expect_u64(&w, jm, "id_count", m->id_count);
		sidecar_expect_u64(&w, jm, "output_base", m->output_base);
		sidecar_expect_u64(&w, jm, "output_reference", m->output_reference);
		sidecar_expect_u64(&w, jm, "flags", m->flags);
		sidecar_expect_u64(&w, jm, "single_mapping",
				   !!(m->flags & IORT_ID_FLAGS_SINGLE_MAPPING));
		/* The reference is resolved to the node at that offset. */
		assert_true(m->output_node < d->node_count);
		assert_int_equal(d->nodes[m->output_node].offset, m->output_reference);
	}
}

static void compare_node(const struct sidecar_where *w, const struct fw_iort *d,
			 const struct fw_iort_node *n, const struct json_value *js)
{
	static const char *const common[] = {"offset",	      "type",		"type_name",
					     "length",	      "revision",	"identifier",
					     "mapping_count", "mapping_offset", "id_mappings"};
	static const char *const its_keys[] = {"its_ids", NULL};
	static const char *const nc_keys[] = {"node_flags",
					      "cache_coherent",
					      "alloc_hints",
					      "memory_access_flags",
					      "device_memory_address_size_limit",
					      "object_name",
					      NULL};
	static const char *const rc_keys[] = {"cache_coherent",
					      "alloc_hints",
					      "memory_access_flags",
					      "ats_attribute",
					      "pci_segment",
					      "memory_address_size_limit",
					      NULL};
	static const char *const smmu_keys[] = {
		"base_address",	       "span", "model", "flags", "context_interrupt_count",
		"pmu_interrupt_count", NULL};
	static const char *const smmu3_keys[] = {"base_address",
						 "flags",
						 "vatos_address",
						 "model",
						 "event_gsiv",
						 "pri_gsiv",
						 "gerr_gsiv",
						 "sync_gsiv",
						 "proximity_domain",
						 "device_id_mapping_index",
						 NULL};
	const char *keys[32];
	const char *const *specific = NULL;
	size_t k = 0;

	switch (n->type) {
	case IORT_TYPE_ITS_GROUP:
		specific = its_keys;
		break;
	case IORT_TYPE_NAMED_COMPONENT:
		specific = nc_keys;
		break;
	case IORT_TYPE_ROOT_COMPLEX:
		specific = rc_keys;
		break;
	case IORT_TYPE_SMMU_V1V2:
		specific = smmu_keys;
		break;
	case IORT_TYPE_SMMU_V3:
		specific = smmu3_keys;
		break;
	default:
		fail_msg("%s: %s: type %u has no comparison", w->file, w->path, n->type);
	}
	for (size_t i = 0; i < ARRAY_SIZE(common); i++) {
		keys[k++] = common[i];
	}
	for (size_t i = 0; specific[i]; i++) {
		keys[k++] = specific[i];
	}
	keys[k] = NULL;
	sidecar_only_keys(w, js, keys);

	assert_true(n->known);
	sidecar_expect_u64(w, js, "offset", n->offset);
	sidecar_expect_u64(w, js, "type", n->type);
	sidecar_expect_name(w, js, "type_name", fw_iort_type_name(n->type));
	sidecar_expect_u64(w, js, "length", n->length);
	sidecar_expect_u64(w, js, "revision", n->revision);
	sidecar_expect_u64(w, js, "identifier", n->identifier);
	sidecar_expect_u64(w, js, "mapping_count", n->mapping_count);
	sidecar_expect_u64(w, js, "mapping_offset", n->mapping_offset);
	compare_mappings(w, d, n, sidecar_member(w, js, "id_mappings"));

	switch (n->type) {
	case IORT_TYPE_ITS_GROUP: {
		const struct json_value *ids = sidecar_member(w, js, "its_ids");

		assert_int_equal(ids->kind, JSON_ARRAY);
		assert_int_equal(ids->count, n->its_group.its_count);
		for (size_t i = 0; i < ids->count; i++) {
			assert_int_equal(sidecar_u64(w, &ids->items[i], "its_ids"),
					 d->its_ids[n->its_group.first_its + i]);
		}
		break;
	}
	case IORT_TYPE_NAMED_COMPONENT: {
		const struct fw_iort_named_component *x = &n->named_component;

		sidecar_expect_u64(w, js, "node_flags", x->node_flags);
		sidecar_expect_u64(w, js, "cache_coherent", x->memory.cache_coherent);
		sidecar_expect_u64(w, js, "alloc_hints", x->memory.alloc_hints);
		sidecar_expect_u64(w, js, "memory_access_flags", x->memory.access_flags);
		sidecar_expect_u64(w, js, "device_memory_address_size_limit",
				   x->address_size_limit);
		sidecar_expect_name(w, js, "object_name", x->object_name);
		break;
	}
	case IORT_TYPE_ROOT_COMPLEX: {
		const struct fw_iort_root_complex *x = &n->root_complex;

		sidecar_expect_u64(w, js, "cache_coherent", x->memory.cache_coherent);
		sidecar_expect_u64(w, js, "alloc_hints", x->memory.alloc_hints);
		sidecar_expect_u64(w, js, "memory_access_flags", x->memory.access_flags);
		sidecar_expect_u64(w, js, "ats_attribute", x->ats_attribute);
		sidecar_expect_u64(w, js, "pci_segment", x->pci_segment);
		sidecar_expect_u64(w, js, "memory_address_size_limit", x->address_size_limit);
		break;
	}
	case IORT_TYPE_SMMU_V1V2: {
		const struct fw_iort_smmu_v1v2 *x = &n->smmu_v1v2;

		sidecar_expect_u64(w, js, "base_address", x->base);
		sidecar_expect_u64(w, js, "span", x->span);
		sidecar_expect_u64(w, js, "model", x->model);
		sidecar_expect_u64(w, js, "flags", x->flags);
		sidecar_expect_u64(w, js, "context_interrupt_count", x->context_interrupt_count);
		sidecar_expect_u64(w, js, "pmu_interrupt_count", x->pmu_interrupt_count);
		break;
	}
	case IORT_TYPE_SMMU_V3: {
		const struct fw_iort_smmu_v3 *x = &n->smmu_v3;

		sidecar_expect_u64(w, js, "base_address", x->base);
		sidecar_expect_u64(w, js, "flags", x->flags);
		sidecar_expect_u64(w, js, "vatos_address", x->vatos_address);
		sidecar_expect_u64(w, js, "model", x->model);
		sidecar_expect_u64(w, js, "event_gsiv", x->event_gsiv);
		sidecar_expect_u64(w, js, "pri_gsiv", x->pri_gsiv);
		sidecar_expect_u64(w, js, "gerr_gsiv", x->gerr_gsiv);
		sidecar_expect_u64(w, js, "sync_gsiv", x->sync_gsiv);
		sidecar_expect_u64(w, js, "proximity_domain", x->proximity_domain);
		sidecar_expect_u64(w, js, "device_id_mapping_index", x->device_id_mapping_index);
		break;
	}
	}
}

static size_t count_of_type(const struct fw_iort *d, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < d->node_count; i++) {
		n += strcmp(fw_iort_type_name(d->nodes[i].type), name) == 0;
	}
	return n;
}

static void compare_iort(const char *file, const struct fw_iort *d, const uint8_t *bin, size_t size,
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
					       "iort",
					       NULL};
	static const char *const iort_keys[] = {"node_count", "node_offset", "table_revision",
						"nodes",      "counts",	     NULL};
	struct sidecar_where w = {.file = file, .path = "$"};
	const struct json_value *ji, *list, *counts;
	size_t total = 0;

	/* "source" and "note" describe the machine, not the table. */
	sidecar_only_keys(&w, top, top_keys);
	sidecar_expect_acpi_header(&w, top, &d->header, bin, size);

	ji = sidecar_member(&w, top, "iort");
	snprintf(w.path, sizeof(w.path), "$.iort");
	sidecar_only_keys(&w, ji, iort_keys);
	sidecar_expect_u64(&w, ji, "node_count", d->node_count);
	sidecar_expect_u64(&w, ji, "node_offset", d->node_offset);
	sidecar_expect_u64(&w, ji, "table_revision", d->header.revision);

	list = sidecar_member(&w, ji, "nodes");
	assert_int_equal(list->kind, JSON_ARRAY);
	if (list->count != d->node_count) {
		fail_msg("%s: sidecar has %zu nodes, decoder %zu", file, list->count,
			 d->node_count);
	}
	assert_int_equal(d->unknown_count, 0);
	for (size_t i = 0; i < list->count; i++) {
		snprintf(w.path, sizeof(w.path), "$.iort.nodes[%zu]", i);
		compare_node(&w, d, &d->nodes[i], &list->items[i]);
	}

	counts = sidecar_member(&w, ji, "counts");
	snprintf(w.path, sizeof(w.path), "$.iort.counts");
	assert_int_equal(counts->kind, JSON_OBJECT);
	for (size_t i = 0; i < counts->count; i++) {
		sidecar_expect_u64(&w, counts, counts->keys[i], count_of_type(d, counts->keys[i]));
		total += (size_t)counts->items[i].number;
	}
	assert_int_equal(total, d->node_count);
}

/* Decodes `bin` from an odd address, so that no field is aligned. */
static int parse_unaligned(const uint8_t *bin, size_t size, unsigned flags, struct fw_iort *ret,
			   struct fw_error *err)
{
	uint8_t *copy = malloc(size + 1);
	int r;

	assert_non_null(copy);
	memcpy(copy + 1, bin, size);
	r = fw_iort_parse(copy + 1, size, flags, ret, err);
	free(copy);
	return r;
}

static void *read_fixture(const char *name, size_t *ret_size)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", IORT_FIXTURES, name);
	return test_file_read(path, ret_size);
}

static void check_fixture(const char *bin_name)
{
	char json_path[512], message[200];
	size_t bin_size, json_size, stem = strlen(bin_name) - strlen(".bin");
	uint8_t *bin;
	char *text;
	struct json_value top;
	struct fw_iort d;
	struct fw_error err = {0};
	unsigned flags = 0;
	int r;

	snprintf(json_path, sizeof(json_path), "%s/%.*s.json", IORT_FIXTURES, (int)stem, bin_name);
	bin = read_fixture(bin_name, &bin_size);
	text = test_file_read(json_path, &json_size);
	r = json_parse(text, json_size, &top, message, sizeof(message));
	if (r < 0) {
		fail_msg("%s: broken sidecar: %s", json_path, message);
	}
	/* The table the sidecar says has a bad checksum is refused by default. */
	if (!json_get(&top, "checksum_ok")->boolean) {
		r = parse_unaligned(bin, bin_size, 0, &d, &err);
		assert_int_equal(r, -EINVAL);
		assert_int_equal(err.offset, ACPI_HDR_CHECKSUM);
		flags = FW_IORT_ACCEPT_BAD_CHECKSUM;
	}
	r = parse_unaligned(bin, bin_size, flags, &d, &err);
	if (r < 0) {
		fail_msg("%s: %s", bin_name, err.message);
	}
	compare_iort(bin_name, &d, bin, bin_size, &top);
	fw_iort_fini(&d);
	json_free(&top);
	free(text);
	free(bin);
}

/* The fixtures are part of the test: a missing directory is a failure. */
static void test_fixtures_present(void **state)
{
	struct stat st;

	(void)state;
	if (stat(IORT_FIXTURES, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fail_msg("IORT fixtures not found at %s: the shared/ directory must be checked "
			 "out beside the repository",
			 IORT_FIXTURES);
	}
}

/* Every real IORT decodes to every field its sidecar lists. */
static void test_fixtures_match_sidecars(void **state)
{
	DIR *dir = opendir(IORT_FIXTURES);
	struct dirent *e;
	size_t count = 0;

	(void)state;
	if (!dir) {
		fail_msg("cannot open %s: %s", IORT_FIXTURES, strerror(errno));
	}
	while ((e = readdir(dir))) {
		size_t n = strlen(e->d_name);

		if (n > 9 && strcmp(e->d_name + n - 9, ".iort.bin") == 0) {
			check_fixture(e->d_name);
			count++;
		}
	}
	closedir(dir);
	print_message("decoded %zu IORT fixtures\n", count);
	assert_true(count >= IORT_FIXTURE_COUNT);
}

/* The Kodiak table's checksum byte was never filled in: refused by
 * default with the offset of the byte, decoded on request. */
static void test_kodiak_checksum(void **state)
{
	size_t size;
	uint8_t *bin = read_fixture(KODIAK, &size);
	struct fw_iort d;
	struct fw_error err = {0};

	(void)state;
	assert_int_equal(fw_iort_parse(bin, size, 0, &d, &err), -EINVAL);
	assert_non_null(strstr(err.message, "offset 9: checksum byte 0x00 leaves a byte sum "
					    "of 0x45"));
	assert_int_equal(fw_iort_parse(bin, size, FW_IORT_ACCEPT_BAD_CHECKSUM, &d, &err), 0);
	assert_false(d.header.checksum_ok);
	assert_int_equal(d.node_count, 18);
	fw_iort_fini(&d);
	free(bin);
}

static uint32_t node_of_type(const struct fw_iort *d, uint8_t type, unsigned nth)
{
	for (size_t i = 0; i < d->node_count; i++) {
		if (d->nodes[i].type == type && nth-- == 0) {
			return (uint32_t)i;
		}
	}
	fail_msg("no node %u of type %u", nth, type);
	return 0;
}

/* QEMU's virt board: one SMMUv3 at 0x09050000; the root complex maps
 * RIDs 0-0x100 to its StreamIDs, the rest straight to the ITS. */
static void test_qemu_virt(void **state)
{
	size_t size;
	uint8_t *bin = test_file_read(QEMU_VIRT, &size);
	struct fw_iort d;
	struct fw_error err = {0};
	uint32_t rc, smmu, its, node = 0, sid = 0;

	(void)state;
	if (fw_iort_parse(bin, size, 0, &d, &err) != 0) {
		fail_msg("%s", err.message);
	}
	assert_int_equal(d.node_count, 3);
	its = node_of_type(&d, IORT_TYPE_ITS_GROUP, 0);
	smmu = node_of_type(&d, IORT_TYPE_SMMU_V3, 0);
	rc = node_of_type(&d, IORT_TYPE_ROOT_COMPLEX, 0);
	assert_int_equal(d.nodes[smmu].smmu_v3.base, 0x09050000);
	assert_int_equal(d.nodes[rc].root_complex.pci_segment, 0);
	assert_int_equal(d.nodes[its].its_group.its_count, 1);

	/* edu at 00:01.0 is RID 8, StreamID 8. */
	assert_int_equal(fw_iort_map_id(&d, rc, 0x0008, &node, &sid), 0);
	assert_int_equal(node, smmu);
	assert_int_equal(sid, 8);
	assert_int_equal(fw_iort_map_id(&d, rc, 0x0100, &node, &sid), 0);
	assert_int_equal(sid, 0x100);
	/* Beyond the SMMU's range the RIDs go to the ITS only: no SMMU. */
	assert_int_equal(fw_iort_map_id(&d, rc, 0x0101, &node, &sid), -ENODEV);
	assert_int_equal(fw_iort_map_id(&d, rc, 0xffff, &node, &sid), -ENODEV);
	/* Past every mapping. */
	assert_int_equal(fw_iort_map_id(&d, rc, 0x10000, &node, &sid), -ENOENT);
	/* The SMMU's own mapping leads to the ITS. */
	assert_int_equal(fw_iort_map_id(&d, smmu, 8, &node, &sid), -ENODEV);
	assert_int_equal(fw_iort_map_id(&d, (uint32_t)d.node_count, 8, &node, &sid), -EINVAL);
	assert_ptr_equal(fw_iort_node_at(&d, d.nodes[smmu].offset), &d.nodes[smmu]);
	assert_null(fw_iort_node_at(&d, d.nodes[smmu].offset + 1));
	fw_iort_fini(&d);
	free(bin);
}

/* The X13s: segment N's RIDs are StreamIDs N << 16 | RID of its SMMUv3;
 * the Kodiak's root complexes lead to an SMMUv1/v2. */
static void test_real_root_complex_mappings(void **state)
{
	size_t size;
	uint8_t *bin = read_fixture(X13S, &size);
	struct fw_iort d;
	struct fw_error err = {0};
	uint32_t node = 0, sid = 0;

	(void)state;
	assert_int_equal(fw_iort_parse(bin, size, 0, &d, &err), 0);
	for (unsigned n = 0; n < 7; n++) {
		uint32_t rc = node_of_type(&d, IORT_TYPE_ROOT_COMPLEX, n);

		assert_int_equal(d.nodes[rc].root_complex.pci_segment, n);
		assert_int_equal(fw_iort_map_id(&d, rc, 0x0108, &node, &sid), 0);
		assert_int_equal(d.nodes[node].type, IORT_TYPE_SMMU_V3);
		assert_int_equal(d.nodes[node].smmu_v3.base, 0x14f80000);
		assert_int_equal(sid, n << 16 | 0x0108);
	}
	fw_iort_fini(&d);
	free(bin);

	bin = read_fixture(KODIAK, &size);
	assert_int_equal(fw_iort_parse(bin, size, FW_IORT_ACCEPT_BAD_CHECKSUM, &d, &err), 0);
	/* The first mapping: input 0x87030000..0x87030003 to 7172... */
	assert_int_equal(fw_iort_map_id(&d, node_of_type(&d, IORT_TYPE_ROOT_COMPLEX, 0), 0x87030002,
					&node, &sid),
			 0);
	assert_int_equal(d.nodes[node].type, IORT_TYPE_SMMU_V1V2);
	assert_int_equal(sid, 7174);
	assert_int_equal(
		fw_iort_map_id(&d, node_of_type(&d, IORT_TYPE_ROOT_COMPLEX, 0), 0, &node, &sid),
		-ENOENT);
	fw_iort_fini(&d);
	free(bin);
}

/* ---- Hand-built tables ---- */

/* An IORT under construction: a 48-byte header, then nodes. */

static void tb_init(struct acpi_tb *t)
{
	memset(t, 0, sizeof(*t));
	acpi_tb_add(t, NULL, IORT_HEADER_SIZE);
	memcpy(t->buf, "IORT", 4);
	t->buf[ACPI_HDR_REVISION] = 6;
	memcpy(t->buf + ACPI_HDR_OEM_ID, "SMMU  ", 6);
	memcpy(t->buf + ACPI_HDR_OEM_TABLE_ID, "TEST    ", 8);
	acpi_tb_put32(t, IORT_NODE_OFFSET, IORT_HEADER_SIZE);
}

/* Writes the node count, the length field and the checksum. */
static void tb_finish(struct acpi_tb *t)
{
	acpi_tb_put32(t, IORT_NODE_COUNT, t->item_count);
	acpi_tb_finish_length(t, 0);
}

/* A zeroed node of `length` bytes with `maps` ID mappings right after a
 * fixed part of `fixed` bytes. */
static size_t tb_node(struct acpi_tb *t, uint8_t type, uint16_t fixed, uint32_t maps)
{
	uint16_t length = (uint16_t)(fixed + maps * IORT_ID_MAPPING_SIZE);
	size_t off = acpi_tb_add(t, NULL, length);

	t->buf[off + IORT_NODE_TYPE] = type;
	acpi_tb_put16(t, off + IORT_NODE_LENGTH, length);
	acpi_tb_put32(t, off + IORT_NODE_MAPPING_COUNT, maps);
	acpi_tb_put32(t, off + IORT_NODE_MAPPING_OFFSET, maps ? fixed : 0);
	t->item_count++;
	return off;
}

/* Mapping `k` of the node at `node`. */
static size_t tb_map(struct acpi_tb *t, size_t node, uint32_t k, uint32_t input,
		     uint32_t count_minus_1, uint32_t output, uint32_t reference, uint32_t flags)
{
	size_t off = node +
		     (t->buf[node + IORT_NODE_MAPPING_OFFSET] |
		      (size_t)t->buf[node + IORT_NODE_MAPPING_OFFSET + 1] << 8) +
		     k * IORT_ID_MAPPING_SIZE;

	acpi_tb_put32(t, off + IORT_ID_INPUT_BASE, input);
	acpi_tb_put32(t, off + IORT_ID_COUNT, count_minus_1);
	acpi_tb_put32(t, off + IORT_ID_OUTPUT_BASE, output);
	acpi_tb_put32(t, off + IORT_ID_OUTPUT_REFERENCE, reference);
	acpi_tb_put32(t, off + IORT_ID_FLAGS, flags);
	return off;
}

static size_t tb_its(struct acpi_tb *t)
{
	size_t off = tb_node(t, IORT_TYPE_ITS_GROUP, IORT_ITS_FIXED_SIZE + 4, 0);

	acpi_tb_put32(t, off + IORT_ITS_COUNT, 1);
	return off;
}

static size_t tb_smmu3(struct acpi_tb *t, uint64_t base, uint32_t maps)
{
	size_t off = tb_node(t, IORT_TYPE_SMMU_V3, IORT_SMMU3_FULL_SIZE, maps);

	acpi_tb_put64(t, off + IORT_SMMU3_BASE, base);
	return off;
}

static size_t tb_rc(struct acpi_tb *t, uint32_t segment, uint32_t maps)
{
	size_t off = tb_node(t, IORT_TYPE_ROOT_COMPLEX, IORT_RC_FIXED_SIZE, maps);

	acpi_tb_put32(t, off + IORT_RC_PCI_SEGMENT, segment);
	return off;
}

static void expect_einval(struct acpi_tb *t, size_t offset, const char *part)
{
	struct fw_iort d;
	struct fw_error err = {0};
	int r;

	memset(&d, ACPI_TB_POISON, sizeof(d));
	r = fw_iort_parse(t->buf, t->len, 0, &d, &err);
	acpi_tb_expect_einval(t, r, &err, offset, part, &d, sizeof(d));
}

static void parse_ok(struct acpi_tb *t, struct fw_iort *ret)
{
	struct fw_error err = {0};
	int r = fw_iort_parse(t->buf, t->len, 0, ret, &err);

	if (r != 0) {
		fail_msg("expected success, got %d: %s", r, err.message);
	}
	free(t->buf);
}

/* ITS, SMMUv3, root complex: the layout of QEMU's table, built by hand. */
static void tb_virt(struct acpi_tb *t, size_t *ret_its, size_t *ret_smmu, size_t *ret_rc)
{
	size_t its, smmu, rc;

	tb_init(t);
	its = tb_its(t);
	smmu = tb_smmu3(t, 0x09050000, 1);
	tb_map(t, smmu, 0, 0, 0xffff, 0, (uint32_t)its, 0);
	rc = tb_rc(t, 0, 1);
	tb_map(t, rc, 0, 0, 0xffff, 0x10000, (uint32_t)smmu, 0);
	*ret_its = its;
	*ret_smmu = smmu;
	*ret_rc = rc;
}

/* A table built like QEMU's decodes, and maps through its SMMUv3. */
static void test_minimal_table(void **state)
{
	struct acpi_tb t;
	struct fw_iort d;
	size_t its, smmu, rc;
	uint32_t node, sid;

	(void)state;
	tb_virt(&t, &its, &smmu, &rc);
	tb_finish(&t);
	parse_ok(&t, &d);
	assert_int_equal(d.node_count, 3);
	assert_int_equal(d.mapping_count, 2);
	assert_int_equal(d.nodes[2].first_mapping, 1);
	assert_int_equal(d.mappings[1].output_node, 1);
	assert_int_equal(d.mappings[0].output_node, 0);
	assert_int_equal(fw_iort_map_id(&d, 2, 0x0208, &node, &sid), 0);
	assert_int_equal(node, 1);
	assert_int_equal(sid, 0x10208);
	fw_iort_fini(&d);
}

/* Fewer bytes than the header, a short length field, the wrong signature. */
static void test_bad_headers(void **state)
{
	struct acpi_tb t;

	(void)state;
	tb_init(&t);
	tb_finish(&t);
	t.len = 20;
	expect_einval(&t, 20, "inside the 36-byte ACPI header");

	tb_init(&t);
	tb_finish(&t);
	acpi_tb_put32(&t, ACPI_HDR_LENGTH, 40);
	expect_einval(&t, ACPI_HDR_LENGTH, "less than the 48-byte fixed part");

	tb_init(&t);
	memcpy(t.buf, "DMAR", 4);
	tb_finish(&t);
	expect_einval(&t, 0, "expected \"IORT\"");
}

/* The node array must start after the header and inside the table, and
 * the node count is bounded. */
static void test_bad_node_array(void **state)
{
	struct acpi_tb t;
	size_t its, smmu, rc;

	(void)state;
	tb_virt(&t, &its, &smmu, &rc);
	acpi_tb_put32(&t, IORT_NODE_OFFSET, 12);
	tb_finish(&t);
	expect_einval(&t, IORT_NODE_OFFSET, "node array offset 12 is not between");

	tb_virt(&t, &its, &smmu, &rc);
	acpi_tb_put32(&t, IORT_NODE_OFFSET, 0x10000);
	tb_finish(&t);
	expect_einval(&t, IORT_NODE_OFFSET, "node array offset 65536");

	tb_init(&t);
	t.item_count = SMMU_FW_IORT_MAX_NODES + 1;
	tb_finish(&t);
	expect_einval(&t, IORT_NODE_COUNT, "node count 4097 exceeds the limit");
}

/* A node count larger than the nodes present: the last node is cut off. */
static void test_truncated_node(void **state)
{
	struct acpi_tb t;
	size_t its, smmu, rc;

	(void)state;
	tb_virt(&t, &its, &smmu, &rc);
	t.item_count++;
	tb_finish(&t);
	expect_einval(&t, t.len, "node 3 of 4: its header needs 16 bytes, the table has 0 left");

	/* A node whose length runs past the table. */
	tb_virt(&t, &its, &smmu, &rc);
	t.len -= 4;
	tb_finish(&t);
	expect_einval(&t, rc,
		      "Root Complex node (type 2) length 56 runs past the end of the "
		      "table (52 bytes left)");
}

/* A zero-length node would loop forever; every type's length covers its
 * fixed part. */
static void test_node_length_zero_or_short(void **state)
{
	static const struct {
		uint8_t type;
		uint16_t length;
		const char *part;
	} cases[] = {
		{IORT_TYPE_ITS_GROUP, 0, "ITS Group node (type 0) length 0 is less than its 20"},
		{99, 0, "unknown node (type 99) length 0 is less than its 16-byte"},
		{IORT_TYPE_NAMED_COMPONENT, 28, "length 28 is less than its 29-byte"},
		{IORT_TYPE_ROOT_COMPLEX, 35, "length 35 is less than its 36-byte"},
		{IORT_TYPE_SMMU_V1V2, 59, "length 59 is less than its 60-byte"},
		{IORT_TYPE_SMMU_V3, 59, "length 59 is less than its 60-byte"},
		{IORT_TYPE_PMCG, 31, "length 31 is less than its 32-byte"},
		{IORT_TYPE_RMR, 27, "length 27 is less than its 28-byte"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct acpi_tb t;
		size_t off;

		tb_init(&t);
		off = tb_node(&t, cases[i].type, 80, 0);
		acpi_tb_put16(&t, off + IORT_NODE_LENGTH, cases[i].length);
		tb_finish(&t);
		expect_einval(&t, off, cases[i].part);
	}
}

/* The ID mapping array must lie in its node, after the fixed part. */
static void test_mapping_array_outside_node(void **state)
{
	struct acpi_tb t;
	size_t its, smmu, rc;

	(void)state;
	tb_virt(&t, &its, &smmu, &rc);
	acpi_tb_put32(&t, rc + IORT_NODE_MAPPING_COUNT, 2);
	tb_finish(&t);
	expect_einval(&t, rc + IORT_NODE_MAPPING_OFFSET,
		      "ID mapping array (2 entries at 36) does not fit the Root Complex node of "
		      "56 bytes");

	tb_virt(&t, &its, &smmu, &rc);
	acpi_tb_put32(&t, rc + IORT_NODE_MAPPING_OFFSET, 20);
	tb_finish(&t);
	expect_einval(&t, rc + IORT_NODE_MAPPING_OFFSET, "after its 36-byte fixed part");

	/* A huge count must not wrap the size computation. */
	tb_virt(&t, &its, &smmu, &rc);
	acpi_tb_put32(&t, rc + IORT_NODE_MAPPING_COUNT, 0xcccccccd);
	tb_finish(&t);
	expect_einval(&t, rc + IORT_NODE_MAPPING_OFFSET, "3435973837 entries");
}

/* Output references must name a node inside the table. */
static void test_bad_references(void **state)
{
	struct acpi_tb t;
	size_t its, smmu, rc, m;

	(void)state;
	tb_virt(&t, &its, &smmu, &rc);
	m = tb_map(&t, rc, 0, 0, 0xffff, 0, 0x100000, 0);
	tb_finish(&t);
	expect_einval(&t, m + IORT_ID_OUTPUT_REFERENCE,
		      "ID mapping output reference 0x100000 is outside the table");

	tb_virt(&t, &its, &smmu, &rc);
	m = tb_map(&t, rc, 0, 0, 0xffff, 0, (uint32_t)smmu + 4, 0);
	tb_finish(&t);
	expect_einval(&t, m + IORT_ID_OUTPUT_REFERENCE, "is not the offset of a node");

	tb_virt(&t, &its, &smmu, &rc);
	m = tb_map(&t, rc, 0, 0, 0xffff, 0, 0, 0);
	tb_finish(&t);
	expect_einval(&t, m + IORT_ID_OUTPUT_REFERENCE,
		      "ID mapping output reference 0x0 is not the offset of a node");
}

/* References that come back to a node would make a walk loop forever. */
static void test_reference_loops(void **state)
{
	struct acpi_tb t;
	size_t its, smmu, rc, m;

	(void)state;
	/* The SMMU maps to itself. */
	tb_virt(&t, &its, &smmu, &rc);
	m = tb_map(&t, smmu, 0, 0, 0xffff, 0, (uint32_t)smmu, 0);
	tb_finish(&t);
	expect_einval(&t, m + IORT_ID_OUTPUT_REFERENCE,
		      "ID mapping of the SMMUv3 node at offset 72 refers back to the SMMUv3 "
		      "node at offset 72");

	/* SMMU -> root complex -> SMMU. */
	tb_virt(&t, &its, &smmu, &rc);
	tb_map(&t, smmu, 0, 0, 0xffff, 0, (uint32_t)rc, 0);
	tb_finish(&t);
	expect_einval(&t, rc + 36 + IORT_ID_OUTPUT_REFERENCE,
		      "of the Root Complex node at offset 160 refers back to the SMMUv3");
}

/* A chain that does not loop but is longer than the bound: -ELOOP. */
static void test_map_depth(void **state)
{
	struct acpi_tb t;
	struct fw_iort d;
	size_t prev = 0;
	uint32_t node, sid;

	(void)state;
	tb_init(&t);
	/* Named components, each mapping to the one before; the first to an SMMU. */
	prev = tb_smmu3(&t, 0x1000000, 0);
	for (int i = 0; i < SMMU_FW_IORT_MAX_MAP_DEPTH + 1; i++) {
		size_t nc = tb_node(&t, IORT_TYPE_NAMED_COMPONENT, 32, 1);

		tb_map(&t, nc, 0, 0, 0xff, 1, (uint32_t)prev, 0);
		prev = nc;
	}
	tb_finish(&t);
	parse_ok(&t, &d);
	assert_int_equal(fw_iort_map_id(&d, SMMU_FW_IORT_MAX_MAP_DEPTH, 5, &node, &sid), 0);
	assert_int_equal(node, 0);
	assert_int_equal(sid, 5 + SMMU_FW_IORT_MAX_MAP_DEPTH);
	assert_int_equal(fw_iort_map_id(&d, SMMU_FW_IORT_MAX_MAP_DEPTH + 1, 5, &node, &sid),
			 -ELOOP);
	/* An output past 32 bits. */
	d.mappings[0].output_base = UINT32_MAX;
	assert_int_equal(fw_iort_map_id(&d, 1, 5, &node, &sid), -ERANGE);
	fw_iort_fini(&d);
}

/* Single mappings and an SMMUv3's DeviceID mapping are not translations. */
static void test_map_skips_own_ids(void **state)
{
	struct acpi_tb t;
	struct fw_iort d;
	size_t its, smmu, nc;
	uint32_t node, sid;

	(void)state;
	tb_init(&t);
	its = tb_its(&t);
	smmu = tb_smmu3(&t, 0x2000000, 2);
	tb_map(&t, smmu, 0, 0, 0, 0x77, (uint32_t)its, IORT_ID_FLAGS_SINGLE_MAPPING);
	tb_map(&t, smmu, 1, 0, 0xff, 0, (uint32_t)its, 0);
	acpi_tb_put32(&t, smmu + IORT_SMMU3_FLAGS, IORT_SMMU3_FLAGS_DEVICEID_VALID);
	acpi_tb_put32(&t, smmu + IORT_SMMU3_DEVICEID_INDEX, 1);
	nc = tb_node(&t, IORT_TYPE_NAMED_COMPONENT, 40, 2);
	memcpy(t.buf + nc + IORT_NC_OBJECT_NAME, "\\_SB.DMA0", 10);
	tb_map(&t, nc, 0, 0, 0, 0x99, (uint32_t)its, IORT_ID_FLAGS_SINGLE_MAPPING);
	tb_map(&t, nc, 1, 0, 3, 0x40, (uint32_t)smmu, 0);
	tb_finish(&t);
	parse_ok(&t, &d);
	assert_string_equal(d.nodes[2].named_component.object_name, "\\_SB.DMA0");
	assert_int_equal(fw_iort_map_id(&d, 2, 0, &node, &sid), 0);
	assert_int_equal(node, 1);
	assert_int_equal(sid, 0x40);
	assert_int_equal(fw_iort_map_id(&d, 2, 4, &node, &sid), -ENOENT);
	/* Through the SMMU both its mappings are its own: nothing covers 5. */
	assert_int_equal(fw_iort_map_id(&d, 1, 5, &node, &sid), -ENOENT);
	fw_iort_fini(&d);
}

/* Type-specific checks: ITS count, NC name, DeviceID index, SMMUv1/v2
 * interrupt arrays, RMR ranges, SMMUv3 base. */
static void test_node_contents(void **state)
{
	struct acpi_tb t;
	size_t off;

	(void)state;
	tb_init(&t);
	off = tb_its(&t);
	acpi_tb_put32(&t, off + IORT_ITS_COUNT, 2);
	tb_finish(&t);
	expect_einval(&t, off + IORT_ITS_COUNT, "ITS group of 2 ITS identifiers does not fit");

	tb_init(&t);
	off = tb_node(&t, IORT_TYPE_NAMED_COMPONENT, 36, 0);
	memset(t.buf + off + IORT_NC_OBJECT_NAME, 'A', 36 - IORT_NC_OBJECT_NAME);
	tb_finish(&t);
	expect_einval(&t, off + IORT_NC_OBJECT_NAME, "object name has no terminating NUL");

	tb_init(&t);
	off = tb_smmu3(&t, 0x3000000, 0);
	acpi_tb_put32(&t, off + IORT_SMMU3_FLAGS, IORT_SMMU3_FLAGS_DEVICEID_VALID);
	tb_finish(&t);
	expect_einval(&t, off + IORT_SMMU3_DEVICEID_INDEX,
		      "DeviceID mapping index 0 is not one of its 0 ID mappings");

	tb_init(&t);
	off = tb_smmu3(&t, 0, 0);
	tb_finish(&t);
	expect_einval(&t, off + IORT_SMMU3_BASE, "SMMUv3 base address is 0");

	tb_init(&t);
	off = tb_node(&t, IORT_TYPE_SMMU_V1V2, 76, 0);
	acpi_tb_put32(&t, off + IORT_SMMU_GLOBAL_IRQ_OFFSET, 60);
	acpi_tb_put32(&t, off + IORT_SMMU_CONTEXT_IRQ_COUNT, 1);
	acpi_tb_put32(&t, off + IORT_SMMU_CONTEXT_IRQ_OFFSET, 72);
	tb_finish(&t);
	expect_einval(&t, off + IORT_SMMU_CONTEXT_IRQ_OFFSET,
		      "context interrupt array (1 entries at 72) runs past");

	tb_init(&t);
	off = tb_node(&t, IORT_TYPE_RMR, 48, 0);
	acpi_tb_put32(&t, off + IORT_RMR_RANGE_COUNT, 2);
	acpi_tb_put32(&t, off + IORT_RMR_RANGE_OFFSET, 28);
	tb_finish(&t);
	expect_einval(&t, off + IORT_RMR_RANGE_OFFSET,
		      "RMR memory range array (2 entries at 28) does not fit");

	tb_init(&t);
	off = tb_node(&t, IORT_TYPE_ROOT_COMPLEX, 36, 0);
	t.buf[off + IORT_NODE_REVISION] = 4;
	tb_finish(&t);
	expect_einval(&t, off, "root complex node revision 4 has no room for its flags");
}

/* RMR and PMCG nodes decode; an unknown type is skipped by its length. */
static void test_rmr_pmcg_unknown(void **state)
{
	struct acpi_tb t;
	struct fw_iort d;
	size_t its, smmu, rc, rmr, pmcg;

	(void)state;
	tb_virt(&t, &its, &smmu, &rc);
	rmr = tb_node(&t, IORT_TYPE_RMR, IORT_RMR_FIXED_SIZE, 1);
	tb_map(&t, rmr, 0, 0, 1, 0x10, (uint32_t)smmu, 0);
	acpi_tb_add(&t, NULL, 2 * IORT_RMR_RANGE_SIZE);
	acpi_tb_put16(&t, rmr + IORT_NODE_LENGTH, IORT_RMR_FIXED_SIZE + 20 + 40);
	acpi_tb_put32(&t, rmr + IORT_RMR_FLAGS, IORT_RMR_FLAGS_REMAP_PERMITTED);
	acpi_tb_put32(&t, rmr + IORT_RMR_RANGE_COUNT, 2);
	acpi_tb_put32(&t, rmr + IORT_RMR_RANGE_OFFSET, IORT_RMR_FIXED_SIZE + 20);
	acpi_tb_put64(&t, rmr + 48 + IORT_RMR_RANGE_BASE, 0x80000000);
	acpi_tb_put64(&t, rmr + 48 + IORT_RMR_RANGE_LENGTH, 0x10000);
	acpi_tb_put64(&t, rmr + 68 + IORT_RMR_RANGE_BASE, 0x90000000);
	acpi_tb_put64(&t, rmr + 68 + IORT_RMR_RANGE_LENGTH, 0x20000);
	tb_node(&t, 42, 30, 0); /* a type from the future */
	pmcg = tb_node(&t, IORT_TYPE_PMCG, IORT_PMCG_FULL_SIZE, 0);
	acpi_tb_put64(&t, pmcg + IORT_PMCG_PAGE0_BASE, 0x9100000);
	acpi_tb_put32(&t, pmcg + IORT_PMCG_NODE_REFERENCE, (uint32_t)smmu);
	acpi_tb_put64(&t, pmcg + IORT_PMCG_PAGE1_BASE, 0x9110000);
	tb_finish(&t);
	parse_ok(&t, &d);
	assert_int_equal(d.node_count, 6);
	assert_int_equal(d.unknown_count, 1);
	assert_false(d.nodes[4].known);
	assert_int_equal(d.nodes[4].length, 30);
	assert_int_equal(d.nodes[3].rmr.flags, IORT_RMR_FLAGS_REMAP_PERMITTED);
	assert_int_equal(d.nodes[3].rmr.range_count, 2);
	assert_int_equal(d.rmr_range_count, 2);
	assert_int_equal(d.rmr_ranges[1].base, 0x90000000);
	assert_int_equal(d.rmr_ranges[1].length, 0x20000);
	assert_int_equal(d.rmr_ranges[1].offset, rmr + 68);
	assert_int_equal(d.mappings[d.nodes[3].first_mapping].output_node, 1);
	assert_int_equal(d.nodes[5].pmcg.page1_base, 0x9110000);
	assert_int_equal(d.nodes[5].pmcg.node_index, 1);
	fw_iort_fini(&d);

	/* A PMCG that monitors no node. */
	tb_init(&t);
	pmcg = tb_node(&t, IORT_TYPE_PMCG, IORT_PMCG_FULL_SIZE, 0);
	acpi_tb_put32(&t, pmcg + IORT_PMCG_NODE_REFERENCE, 7);
	tb_finish(&t);
	expect_einval(&t, pmcg + IORT_PMCG_NODE_REFERENCE, "PMCG node reference 0x7");
}

/* Every allocation failure is -ENOMEM, leaves the result unwritten, leaks
 * nothing (the ASan build checks), and the walk ends in success. */
static void test_allocation_failures(void **state)
{
	size_t size;
	void *bin = read_fixture(X13S, &size);
	long points = 0;

	(void)state;
	for (long n = 0;; n++) {
		struct fw_iort d;
		struct fw_error err = {0};
		int r;

		memset(&d, 0x5a, sizeof(d));
		smmu_alloc_fail_after(n);
		r = fw_iort_parse(bin, size, 0, &d, &err);
		smmu_alloc_fail_after(-1);
		if (r == 0) {
			assert_int_equal(d.node_count, 23);
			fw_iort_fini(&d);
			break;
		}
		assert_int_equal(r, -ENOMEM);
		assert_non_null(strstr(err.message, "out of memory"));
		assert_int_equal(d.node_count, 0x5a5a5a5a5a5a5a5a);
		points++;
		assert_true(points < 100);
	}
	/* mappings, ITS ids, nodes, then the three arrays of the loop check. */
	assert_int_equal(points, 6);
	free(bin);
}

/* fw_iort_fini() accepts NULL, zeroed and already finished results. */
static void test_fini_half_built(void **state)
{
	struct fw_iort d = {0};

	(void)state;
	fw_iort_fini(NULL);
	fw_iort_fini(&d);
	d.nodes = smmu_calloc(1, sizeof(*d.nodes));
	d.node_count = 1;
	fw_iort_fini(&d);
	assert_null(d.nodes);
	fw_iort_fini(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures_present),
		cmocka_unit_test(test_fixtures_match_sidecars),
		cmocka_unit_test(test_kodiak_checksum),
		cmocka_unit_test(test_qemu_virt),
		cmocka_unit_test(test_real_root_complex_mappings),
		cmocka_unit_test(test_minimal_table),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_bad_node_array),
		cmocka_unit_test(test_truncated_node),
		cmocka_unit_test(test_node_length_zero_or_short),
		cmocka_unit_test(test_mapping_array_outside_node),
		cmocka_unit_test(test_bad_references),
		cmocka_unit_test(test_reference_loops),
		cmocka_unit_test(test_map_depth),
		cmocka_unit_test(test_map_skips_own_ids),
		cmocka_unit_test(test_node_contents),
		cmocka_unit_test(test_rmr_pmcg_unknown),
		cmocka_unit_test(test_allocation_failures),
		cmocka_unit_test(test_fini_half_built),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
