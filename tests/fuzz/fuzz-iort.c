/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the IORT decoder.  The input is a table; it is
 * decoded from an odd address (so no field is ever aligned), once accepting
 * a bad checksum (mutations rarely keep the checksum, and the walk is what
 * needs exploring) and once strictly.
 *
 * Beyond "no crash, no leak, no undefined behaviour" it checks what a caller
 * relies on: the strict decode succeeds exactly when the lenient one does
 * and the checksum is right; nodes tile the table from the node offset in
 * order; every node's mappings, ITS identifiers and RMR ranges are slices of
 * the shared arrays, in order; every output reference names the node at
 * that offset; a failure names an offset inside the bytes given; and
 * mapping IDs through any node ends with one of the documented results.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/iort.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x)) {      \
			abort(); \
		}                \
	} while (0)

static void check_map(const struct fw_iort *d, uint32_t node, uint32_t id)
{
	uint32_t smmu = UINT32_MAX, sid = 0;
	int r = fw_iort_map_id(d, node, id, &smmu, &sid);

	CHECK(r == 0 || r == -ENOENT || r == -ENODEV || r == -ERANGE || r == -ELOOP);
	if (r == 0) {
		CHECK(smmu < d->node_count);
		CHECK(d->nodes[smmu].type == IORT_TYPE_SMMU_V3 ||
		      d->nodes[smmu].type == IORT_TYPE_SMMU_V1V2);
	} else {
		CHECK(smmu == UINT32_MAX);
	}
}

static void check_iort(const struct fw_iort *d, size_t size)
{
	uint32_t pos = d->node_offset;
	size_t mappings = 0, its_ids = 0, ranges = 0, unknown = 0;

	CHECK(d->header.length <= size && d->header.length >= IORT_HEADER_SIZE);
	CHECK(d->node_count <= SMMU_FW_IORT_MAX_NODES);
	CHECK(d->mapping_count <= SMMU_FW_IORT_MAX_MAPPINGS);
	for (size_t i = 0; i < d->node_count; i++) {
		const struct fw_iort_node *n = &d->nodes[i];

		CHECK(n->offset == pos && n->length >= IORT_NODE_HEADER_SIZE);
		CHECK((uint64_t)n->offset + n->length <= d->header.length);
		pos += n->length;
		CHECK(fw_iort_node_at(d, n->offset) == n);
		CHECK(n->first_mapping == mappings);
		mappings += n->mapping_count;
		for (uint32_t k = 0; k < n->mapping_count; k++) {
			const struct fw_iort_id_mapping *m = &d->mappings[n->first_mapping + k];

			CHECK(m->offset == n->offset + n->mapping_offset + 20 * k);
			CHECK(m->offset + 20u <= n->offset + n->length);
			CHECK(m->output_node < d->node_count);
			CHECK(d->nodes[m->output_node].offset == m->output_reference);
		}
		unknown += !n->known;
		switch (n->type) {
		case IORT_TYPE_ITS_GROUP:
			CHECK(n->its_group.first_its == its_ids);
			its_ids += n->its_group.its_count;
			break;
		case IORT_TYPE_NAMED_COMPONENT:
			CHECK(strlen(n->named_component.object_name) <= SMMU_FW_ACPI_MAX_NAME);
			break;
		case IORT_TYPE_SMMU_V3:
			CHECK(n->smmu_v3.base != 0);
			CHECK(!(n->smmu_v3.flags & IORT_SMMU3_FLAGS_DEVICEID_VALID) ||
			      n->smmu_v3.device_id_mapping_index < n->mapping_count);
			break;
		case IORT_TYPE_PMCG:
			CHECK(n->pmcg.node_index < d->node_count);
			break;
		case IORT_TYPE_RMR:
			CHECK(n->rmr.first_range == ranges);
			ranges += n->rmr.range_count;
			for (uint32_t k = 0; k < n->rmr.range_count; k++) {
				CHECK(d->rmr_ranges[n->rmr.first_range + k].offset + 20u <=
				      n->offset + n->length);
			}
			break;
		default:
			break;
		}
		if (n->mapping_count > 0) {
			const struct fw_iort_id_mapping *m = &d->mappings[n->first_mapping];

			check_map(d, (uint32_t)i, m->input_base);
			check_map(d, (uint32_t)i, m->input_base + m->id_count);
			check_map(d, (uint32_t)i, m->input_base + m->id_count + 1);
		}
	}
	CHECK(mappings == d->mapping_count && its_ids == d->its_id_count);
	CHECK(ranges == d->rmr_range_count && unknown == d->unknown_count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size + 1);
	struct fw_iort lenient, strict;
	struct fw_error err;
	int r_lenient, r_strict;

	if (!copy) {
		return 0;
	}
	memcpy(copy + 1, data, size);

	r_lenient = fw_iort_parse(copy + 1, size, FW_IORT_ACCEPT_BAD_CHECKSUM, &lenient, &err);
	CHECK(r_lenient == 0 || r_lenient == -EINVAL);
	if (r_lenient < 0) {
		CHECK(err.offset <= size && strstr(err.message, "offset ") == err.message);
	} else {
		check_iort(&lenient, size);
	}

	r_strict = fw_iort_parse(copy + 1, size, 0, &strict, &err);
	CHECK((r_strict == 0) == (r_lenient == 0 && lenient.header.checksum_ok));
	if (r_strict == 0) {
		CHECK(strict.node_count == lenient.node_count &&
		      strict.mapping_count == lenient.mapping_count);
		fw_iort_fini(&strict);
	}
	if (r_lenient == 0) {
		fw_iort_fini(&lenient);
	}
	free(copy);
	return 0;
}
