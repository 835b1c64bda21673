/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The IORT decoder.  Like the DMAR decoder it walks the table twice: the
 * first walk validates every length and offset and counts nodes, mappings,
 * ITS identifiers and RMR ranges; the second fills arrays allocated to
 * exactly those counts.  Then every output reference is resolved to a node
 * index and the reference graph is checked for loops, so that callers can
 * follow references without bounds or cycle checks of their own.
 */
#include "iort.h"

#include <errno.h>
#include <string.h>

#include "common/alloc.h"
#include "common/limits.h"
#include "firmware/fw-bytes.h"
#include "firmware/fw-walk.h"

struct iort_walk {
	const uint8_t *table;
	uint32_t length;   /* of the table: the header's length field */
	struct fw_iort *d; /* counts always; arrays written when `fill` */
	bool fill;
	struct fw_error *err;
};

/* Fixed part of each known node type, indexed by type. */
static const uint16_t iort_fixed_size[] = {
	[IORT_TYPE_ITS_GROUP] = IORT_ITS_FIXED_SIZE,
	[IORT_TYPE_NAMED_COMPONENT] = IORT_NC_FIXED_SIZE,
	[IORT_TYPE_ROOT_COMPLEX] = IORT_RC_FIXED_SIZE,
	[IORT_TYPE_SMMU_V1V2] = IORT_SMMU_FIXED_SIZE,
	[IORT_TYPE_SMMU_V3] = IORT_SMMU3_FIXED_SIZE,
	[IORT_TYPE_PMCG] = IORT_PMCG_FIXED_SIZE,
	[IORT_TYPE_RMR] = IORT_RMR_FIXED_SIZE,
};

static const char *const iort_type_names[] = {
	[IORT_TYPE_ITS_GROUP] = "ITS Group",
	[IORT_TYPE_NAMED_COMPONENT] = "Named Component",
	[IORT_TYPE_ROOT_COMPLEX] = "Root Complex",
	[IORT_TYPE_SMMU_V1V2] = "SMMUv1/v2",
	[IORT_TYPE_SMMU_V3] = "SMMUv3",
	[IORT_TYPE_PMCG] = "PMCG",
	[IORT_TYPE_RMR] = "RMR",
};

/* Returns the name of a node type, "unknown" for types after RMR. */
const char *fw_iort_type_name(uint8_t type)
{
	return type < ARRAY_SIZE(iort_type_names) ? iort_type_names[type] : "unknown";
}

/*
 * Whether the node has the bytes [0, end) for its fixed-part fields, before
 * its ID mapping array: fields that later revisions appended are read only
 * when they fit (older tables start the mapping array earlier).
 */
static bool node_has_room(const struct fw_iort_node *node, uint32_t end)
{
	return end <= node->length && (node->mapping_count == 0 || node->mapping_offset >= end);
}

/* An array of `count` entries of `entry_size` bytes at `start` within a
 * node of `length` bytes. */
static bool array_fits(uint32_t start, uint32_t count, uint32_t entry_size, uint32_t length)
{
	return (uint64_t)start + (uint64_t)count * entry_size <= length;
}

static struct fw_iort_memory_properties memory_properties(const uint8_t *p)
{
	return (struct fw_iort_memory_properties){
		.cache_coherent = fw_get_le32(p + IORT_MEM_CACHE_COHERENT),
		.alloc_hints = p[IORT_MEM_ALLOC_HINTS],
		.access_flags = p[IORT_MEM_ACCESS_FLAGS],
	};
}

static int walk_its_group(struct iort_walk *w, const uint8_t *s, struct fw_iort_node *node)
{
	uint32_t count = fw_get_le32(s + IORT_ITS_COUNT);

	if (!array_fits(IORT_ITS_IDS, count, IORT_ITS_ID_SIZE, node->length)) {
		fw_error_set(w->err, node->offset + IORT_ITS_COUNT,
			     "ITS group of %u ITS identifiers does not fit its node of %u bytes",
			     count, node->length);
		return -EINVAL;
	}
	if (count > SMMU_FW_IORT_MAX_ITS_IDS - w->d->its_id_count) {
		fw_error_set(w->err, node->offset + IORT_ITS_COUNT,
			     "more than %d ITS identifiers in the table", SMMU_FW_IORT_MAX_ITS_IDS);
		return -EINVAL;
	}
	node->its_group.its_count = count;
	node->its_group.first_its = (uint32_t)w->d->its_id_count;
	if (w->fill) {
		for (uint32_t i = 0; i < count; i++) {
			w->d->its_ids[w->d->its_id_count + i] =
				fw_get_le32(s + IORT_ITS_IDS + i * IORT_ITS_ID_SIZE);
		}
	}
	w->d->its_id_count += count;
	return 0;
}

static int walk_named_component(struct iort_walk *w, const uint8_t *s, struct fw_iort_node *node)
{
	struct fw_iort_named_component *nc = &node->named_component;
	/* The name ends with a NUL before the mapping array, or the node's end. */
	uint32_t end = node->mapping_count && node->mapping_offset < node->length
			       ? node->mapping_offset
			       : node->length;
	const char *name = (const char *)s + IORT_NC_OBJECT_NAME;
	size_t max = end > IORT_NC_OBJECT_NAME ? end - IORT_NC_OBJECT_NAME : 0;
	size_t name_len = strnlen(name, max);

	if (name_len == max) {
		fw_error_set(w->err, node->offset + IORT_NC_OBJECT_NAME,
			     "named component object name has no terminating NUL within its "
			     "%zu bytes",
			     max);
		return -EINVAL;
	}
	if (name_len > SMMU_FW_ACPI_MAX_NAME) {
		fw_error_set(w->err, node->offset + IORT_NC_OBJECT_NAME,
			     "named component object name of %zu bytes exceeds the limit of %d",
			     name_len, SMMU_FW_ACPI_MAX_NAME);
		return -EINVAL;
	}
	nc->node_flags = fw_get_le32(s + IORT_NC_NODE_FLAGS);
	nc->memory = memory_properties(s + IORT_NC_MEMORY_PROPERTIES);
	nc->address_size_limit = s[IORT_NC_ADDRESS_SIZE_LIMIT];
	memset(nc->object_name, 0, sizeof(nc->object_name));
	memcpy(nc->object_name, name, name_len);
	return 0;
}

static int walk_root_complex(struct iort_walk *w, const uint8_t *s, struct fw_iort_node *node)
{
	struct fw_iort_root_complex *rc = &node->root_complex;

	if (node->revision >= IORT_RC_FLAGS_REVISION && !node_has_room(node, IORT_RC_FLAGS_END)) {
		fw_error_set(w->err, node->offset,
			     "root complex node revision %u has no room for its flags field "
			     "(length %u, mapping array at %u)",
			     node->revision, node->length, node->mapping_offset);
		return -EINVAL;
	}
	rc->memory = memory_properties(s + IORT_RC_MEMORY_PROPERTIES);
	rc->ats_attribute = fw_get_le32(s + IORT_RC_ATS_ATTRIBUTE);
	rc->pci_segment = fw_get_le32(s + IORT_RC_PCI_SEGMENT);
	rc->address_size_limit = s[IORT_RC_ADDRESS_SIZE_LIMIT];
	rc->pasid_capabilities = node->revision >= IORT_RC_PASID_REVISION
					 ? fw_get_le16(s + IORT_RC_PASID_CAPABILITIES)
					 : 0;
	rc->flags = node->revision >= IORT_RC_FLAGS_REVISION ? fw_get_le32(s + IORT_RC_FLAGS) : 0;
	return 0;
}

static int walk_smmu_v1v2(struct iort_walk *w, const uint8_t *s, struct fw_iort_node *node)
{
	struct fw_iort_smmu_v1v2 *smmu = &node->smmu_v1v2;
	static const struct {
		uint16_t count_field; /* 0: the global array, one 16-byte entry */
		uint16_t offset_field;
		const char *what;
	} arrays[] = {
		{0, IORT_SMMU_GLOBAL_IRQ_OFFSET, "global interrupt"},
		{IORT_SMMU_CONTEXT_IRQ_COUNT, IORT_SMMU_CONTEXT_IRQ_OFFSET, "context interrupt"},
		{IORT_SMMU_PMU_IRQ_COUNT, IORT_SMMU_PMU_IRQ_OFFSET, "PMU interrupt"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(arrays); i++) {
		uint32_t count = arrays[i].count_field ? fw_get_le32(s + arrays[i].count_field) : 1;
		uint32_t size =
			arrays[i].count_field ? IORT_SMMU_IRQ_SIZE : IORT_SMMU_GLOBAL_IRQ_SIZE;
		uint32_t start = fw_get_le32(s + arrays[i].offset_field);

		if (count > 0 && !array_fits(start, count, size, node->length)) {
			fw_error_set(w->err, node->offset + arrays[i].offset_field,
				     "SMMUv1/v2 %s array (%u entries at %u) runs past its node of "
				     "%u bytes",
				     arrays[i].what, count, start, node->length);
			return -EINVAL;
		}
	}
	smmu->base = fw_get_le64(s + IORT_SMMU_BASE);
	smmu->span = fw_get_le64(s + IORT_SMMU_SPAN);
	smmu->model = fw_get_le32(s + IORT_SMMU_MODEL);
	smmu->flags = fw_get_le32(s + IORT_SMMU_FLAGS);
	smmu->context_interrupt_count = fw_get_le32(s + IORT_SMMU_CONTEXT_IRQ_COUNT);
	smmu->pmu_interrupt_count = fw_get_le32(s + IORT_SMMU_PMU_IRQ_COUNT);
	return 0;
}

static int walk_smmu_v3(struct iort_walk *w, const uint8_t *s, struct fw_iort_node *node)
{
	struct fw_iort_smmu_v3 *smmu = &node->smmu_v3;

	smmu->base = fw_get_le64(s + IORT_SMMU3_BASE);
	smmu->flags = fw_get_le32(s + IORT_SMMU3_FLAGS);
	smmu->vatos_address = fw_get_le64(s + IORT_SMMU3_VATOS_ADDRESS);
	smmu->model = fw_get_le32(s + IORT_SMMU3_MODEL);
	smmu->event_gsiv = fw_get_le32(s + IORT_SMMU3_EVENT_GSIV);
	smmu->pri_gsiv = fw_get_le32(s + IORT_SMMU3_PRI_GSIV);
	smmu->gerr_gsiv = fw_get_le32(s + IORT_SMMU3_GERR_GSIV);
	smmu->sync_gsiv = fw_get_le32(s + IORT_SMMU3_SYNC_GSIV);
	smmu->proximity_domain = node_has_room(node, IORT_SMMU3_PROXIMITY_DOMAIN + 4)
					 ? fw_get_le32(s + IORT_SMMU3_PROXIMITY_DOMAIN)
					 : 0;
	smmu->device_id_mapping_index = node_has_room(node, IORT_SMMU3_FULL_SIZE)
						? fw_get_le32(s + IORT_SMMU3_DEVICEID_INDEX)
						: 0;
	/* The SMMU's own MSIs go through this mapping; an index past the
	 * array would make callers read past it. */
	if ((smmu->flags & IORT_SMMU3_FLAGS_DEVICEID_VALID) &&
	    (!node_has_room(node, IORT_SMMU3_FULL_SIZE) ||
	     smmu->device_id_mapping_index >= node->mapping_count)) {
		fw_error_set(w->err, node->offset + IORT_SMMU3_DEVICEID_INDEX,
			     "SMMUv3 DeviceID mapping index %u is not one of its %u ID mappings",
			     smmu->device_id_mapping_index, node->mapping_count);
		return -EINVAL;
	}
	/* A unit at 0 would send register writes to the wrong place. */
	if (smmu->base == 0) {
		fw_error_set(w->err, node->offset + IORT_SMMU3_BASE, "SMMUv3 base address is 0");
		return -EINVAL;
	}
	return 0;
}

static int walk_pmcg(struct iort_walk *w, const uint8_t *s, struct fw_iort_node *node)
{
	struct fw_iort_pmcg *pmcg = &node->pmcg;

	(void)w;
	pmcg->page0_base = fw_get_le64(s + IORT_PMCG_PAGE0_BASE);
	pmcg->overflow_gsiv = fw_get_le32(s + IORT_PMCG_OVERFLOW_GSIV);
	pmcg->node_reference = fw_get_le32(s + IORT_PMCG_NODE_REFERENCE);
	pmcg->page1_base = node_has_room(node, IORT_PMCG_FULL_SIZE)
				   ? fw_get_le64(s + IORT_PMCG_PAGE1_BASE)
				   : 0;
	return 0;
}

static int walk_rmr(struct iort_walk *w, const uint8_t *s, struct fw_iort_node *node)
{
	struct fw_iort_rmr *rmr = &node->rmr;
	uint32_t count = fw_get_le32(s + IORT_RMR_RANGE_COUNT);
	uint32_t start = fw_get_le32(s + IORT_RMR_RANGE_OFFSET);

	if (count > 0 && (start < IORT_RMR_FIXED_SIZE ||
			  !array_fits(start, count, IORT_RMR_RANGE_SIZE, node->length))) {
		fw_error_set(w->err, node->offset + IORT_RMR_RANGE_OFFSET,
			     "RMR memory range array (%u entries at %u) does not fit its node of "
			     "%u bytes",
			     count, start, node->length);
		return -EINVAL;
	}
	if (count > SMMU_FW_IORT_MAX_RMR_RANGES - w->d->rmr_range_count) {
		fw_error_set(w->err, node->offset + IORT_RMR_RANGE_COUNT,
			     "more than %d RMR memory ranges in the table",
			     SMMU_FW_IORT_MAX_RMR_RANGES);
		return -EINVAL;
	}
	rmr->flags = fw_get_le32(s + IORT_RMR_FLAGS);
	rmr->range_count = count;
	rmr->first_range = (uint32_t)w->d->rmr_range_count;
	if (w->fill) {
		for (uint32_t i = 0; i < count; i++) {
			const uint8_t *r = s + start + i * IORT_RMR_RANGE_SIZE;

			w->d->rmr_ranges[w->d->rmr_range_count + i] = (struct fw_iort_rmr_range){
				.offset = node->offset + start + i * IORT_RMR_RANGE_SIZE,
				.base = fw_get_le64(r + IORT_RMR_RANGE_BASE),
				.length = fw_get_le64(r + IORT_RMR_RANGE_LENGTH),
			};
		}
	}
	w->d->rmr_range_count += count;
	return 0;
}

/* The ID mapping array of a node whose header has been read. */
static int walk_mappings(struct iort_walk *w, const uint8_t *s, struct fw_iort_node *node,
			 uint16_t fixed_size)
{
	if (node->mapping_count == 0) {
		return 0;
	}
	if (node->mapping_offset < fixed_size ||
	    !array_fits(node->mapping_offset, node->mapping_count, IORT_ID_MAPPING_SIZE,
			node->length)) {
		fw_error_set(w->err, node->offset + IORT_NODE_MAPPING_OFFSET,
			     "ID mapping array (%u entries at %u) does not fit the %s node of %u "
			     "bytes after its %u-byte fixed part",
			     node->mapping_count, node->mapping_offset,
			     fw_iort_type_name(node->type), node->length, fixed_size);
		return -EINVAL;
	}
	if (node->mapping_count > SMMU_FW_IORT_MAX_MAPPINGS - w->d->mapping_count) {
		fw_error_set(w->err, node->offset + IORT_NODE_MAPPING_COUNT,
			     "more than %d ID mappings in the table", SMMU_FW_IORT_MAX_MAPPINGS);
		return -EINVAL;
	}
	if (w->fill) {
		for (uint32_t i = 0; i < node->mapping_count; i++) {
			uint32_t at = node->mapping_offset + i * IORT_ID_MAPPING_SIZE;
			const uint8_t *m = s + at;

			w->d->mappings[w->d->mapping_count + i] = (struct fw_iort_id_mapping){
				.offset = node->offset + at,
				.input_base = fw_get_le32(m + IORT_ID_INPUT_BASE),
				.id_count = fw_get_le32(m + IORT_ID_COUNT),
				.output_base = fw_get_le32(m + IORT_ID_OUTPUT_BASE),
				.output_reference = fw_get_le32(m + IORT_ID_OUTPUT_REFERENCE),
				.flags = fw_get_le32(m + IORT_ID_FLAGS),
			};
		}
	}
	w->d->mapping_count += node->mapping_count;
	return 0;
}

static int walk_node(struct iort_walk *w, const uint8_t *s, struct fw_iort_node *node)
{
	switch (node->type) {
	case IORT_TYPE_ITS_GROUP:
		return walk_its_group(w, s, node);
	case IORT_TYPE_NAMED_COMPONENT:
		return walk_named_component(w, s, node);
	case IORT_TYPE_ROOT_COMPLEX:
		return walk_root_complex(w, s, node);
	case IORT_TYPE_SMMU_V1V2:
		return walk_smmu_v1v2(w, s, node);
	case IORT_TYPE_SMMU_V3:
		return walk_smmu_v3(w, s, node);
	case IORT_TYPE_PMCG:
		return walk_pmcg(w, s, node);
	case IORT_TYPE_RMR:
		return walk_rmr(w, s, node);
	}
	return 0; /* unknown: the header and mappings are all there is to read */
}

/* Walks the header's node_count nodes from node_offset. */
static int iort_walk(struct iort_walk *w, uint32_t node_count)
{
	uint32_t off = w->d->node_offset;

	for (uint32_t i = 0; i < node_count; i++) {
		const uint8_t *s = w->table + off;
		uint32_t left = w->length - off;
		struct fw_iort_node node = {.offset = off};
		uint16_t fixed;
		int r;

		if (left < IORT_NODE_HEADER_SIZE) {
			fw_error_set(w->err, off,
				     "node %u of %u: its header needs %d bytes, the table has %u "
				     "left",
				     i, node_count, IORT_NODE_HEADER_SIZE, left);
			return -EINVAL;
		}
		node.type = s[IORT_NODE_TYPE];
		node.length = fw_get_le16(s + IORT_NODE_LENGTH);
		node.revision = s[IORT_NODE_REVISION];
		node.identifier = fw_get_le32(s + IORT_NODE_IDENTIFIER);
		node.mapping_count = fw_get_le32(s + IORT_NODE_MAPPING_COUNT);
		node.mapping_offset = fw_get_le32(s + IORT_NODE_MAPPING_OFFSET);
		node.known = node.type < ARRAY_SIZE(iort_fixed_size);
		fixed = node.known ? iort_fixed_size[node.type] : IORT_NODE_HEADER_SIZE;
		/* A length below the header, 0 included, would loop forever. */
		if (node.length < fixed) {
			fw_error_set(w->err, off,
				     "%s node (type %u) length %u is less than its %u-byte fixed "
				     "part",
				     fw_iort_type_name(node.type), node.type, node.length, fixed);
			return -EINVAL;
		}
		if (node.length > left) {
			fw_error_set(w->err, off,
				     "%s node (type %u) length %u runs past the end of the table "
				     "(%u bytes left)",
				     fw_iort_type_name(node.type), node.type, node.length, left);
			return -EINVAL;
		}
		r = walk_mappings(w, s, &node, fixed);
		if (r == 0) {
			r = walk_node(w, s, &node);
		}
		if (r < 0) {
			return r;
		}
		node.first_mapping = (uint32_t)(w->d->mapping_count - node.mapping_count);
		if (!node.known) {
			w->d->unknown_count++;
		}
		if (w->fill) {
			w->d->nodes[i] = node;
		}
		off += node.length;
	}
	return 0;
}

const struct fw_iort_node *fw_iort_node_at(const struct fw_iort *iort, uint32_t offset)
{
	size_t lo = 0, hi = iort->node_count;

	/* Nodes follow each other, so their offsets increase. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (iort->nodes[mid].offset == offset) {
			return &iort->nodes[mid];
		}
		if (iort->nodes[mid].offset < offset) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return NULL;
}

/* The node index a reference field at `field_off` names. */
static int resolve_reference(const struct fw_iort *d, uint32_t reference, uint32_t field_off,
			     const char *what, uint32_t *ret_index, struct fw_error *err)
{
	const struct fw_iort_node *target = fw_iort_node_at(d, reference);

	if (!target) {
		fw_error_set(err, field_off, "%s 0x%x %s", what, reference,
			     reference >= d->header.length ? "is outside the table"
							   : "is not the offset of a node");
		return -EINVAL;
	}
	*ret_index = (uint32_t)(target - d->nodes);
	return 0;
}

static int resolve_references(struct fw_iort *d, struct fw_error *err)
{
	for (size_t i = 0; i < d->mapping_count; i++) {
		struct fw_iort_id_mapping *m = &d->mappings[i];
		int r = resolve_reference(d, m->output_reference,
					  m->offset + IORT_ID_OUTPUT_REFERENCE,
					  "ID mapping output reference", &m->output_node, err);

		if (r < 0) {
			return r;
		}
	}
	for (size_t i = 0; i < d->node_count; i++) {
		struct fw_iort_node *n = &d->nodes[i];
		int r;

		if (n->type != IORT_TYPE_PMCG) {
			continue;
		}
		r = resolve_reference(d, n->pmcg.node_reference,
				      n->offset + IORT_PMCG_NODE_REFERENCE, "PMCG node reference",
				      &n->pmcg.node_index, err);
		if (r < 0) {
			return r;
		}
	}
	return 0;
}

/*
 * Refuses a loop among output references (a depth-first search, white /
 * grey / black): following mappings from any node must end.  `color` and
 * `stack` have node_count entries each.
 */
static int check_loops(const struct fw_iort *d, uint8_t *color, uint32_t *stack,
		       uint32_t *next_mapping, struct fw_error *err)
{
	enum { WHITE, GREY, BLACK };

	for (size_t root = 0; root < d->node_count; root++) {
		size_t depth = 0;

		if (color[root] != WHITE) {
			continue;
		}
		stack[depth++] = (uint32_t)root;
		color[root] = GREY;
		next_mapping[root] = 0;
		while (depth > 0) {
			uint32_t n = stack[depth - 1];
			const struct fw_iort_node *node = &d->nodes[n];
			const struct fw_iort_id_mapping *m;
			uint32_t t;

			if (next_mapping[n] == node->mapping_count) {
				color[n] = BLACK;
				depth--;
				continue;
			}
			m = &d->mappings[node->first_mapping + next_mapping[n]++];
			t = m->output_node;
			if (color[t] == GREY) {
				fw_error_set(
					err, m->offset + IORT_ID_OUTPUT_REFERENCE,
					"ID mapping of the %s node at offset %u refers back to "
					"the %s node at offset %u: the references loop",
					fw_iort_type_name(node->type), node->offset,
					fw_iort_type_name(d->nodes[t].type), d->nodes[t].offset);
				return -EINVAL;
			}
			if (color[t] == WHITE) {
				color[t] = GREY;
				next_mapping[t] = 0;
				stack[depth++] = t;
			}
		}
	}
	return 0;
}

static int check_references(struct fw_iort *d, struct fw_error *err)
{
	size_t n = d->node_count ? d->node_count : 1;
	uint8_t *color;
	uint32_t *stack, *next_mapping;
	int r;

	r = resolve_references(d, err);
	if (r < 0) {
		return r;
	}
	color = smmu_calloc(n, sizeof(*color));
	stack = smmu_calloc(n, sizeof(*stack));
	next_mapping = smmu_calloc(n, sizeof(*next_mapping));
	if (!color || !stack || !next_mapping) {
		fw_error_set(err, 0, "out of memory for checking the IORT's references");
		r = -ENOMEM;
	} else {
		r = check_loops(d, color, stack, next_mapping, err);
	}
	smmu_free(color);
	smmu_free(stack);
	smmu_free(next_mapping);
	return r;
}

/* Allocates each array to the count the first walk found, and zeroes the counts. */
static int iort_alloc(struct fw_iort *d)
{
	int r = 0;

	d->mappings = fw_walk_array(&d->mapping_count, sizeof(*d->mappings), &r);
	d->its_ids = fw_walk_array(&d->its_id_count, sizeof(*d->its_ids), &r);
	d->rmr_ranges = fw_walk_array(&d->rmr_range_count, sizeof(*d->rmr_ranges), &r);
	d->unknown_count = 0;
	if (r == 0 && d->node_count > 0) {
		d->nodes = smmu_calloc(d->node_count, sizeof(*d->nodes));
		if (!d->nodes) {
			return -ENOMEM;
		}
	}
	return r;
}

/*
 * Decodes the IORT in `table` (`size` bytes, untrusted, any alignment).
 * `flags`: FW_IORT_ACCEPT_BAD_CHECKSUM decodes a table whose checksum is
 * wrong (header.checksum_ok tells); by default it is refused.
 *
 * Returns 0 and fills *ret_iort, which the caller frees with fw_iort_fini();
 * -EINVAL for a malformed table (a length or offset outside its structure,
 * an output reference that is not a node or loops) or one beyond a limit of
 * common/limits.h, with the offset and a message in `err` (may be NULL);
 * -ENOMEM.  Nothing is left allocated on failure.
 */
int fw_iort_parse(const void *table, size_t size, unsigned flags, struct fw_iort *ret_iort,
		  struct fw_error *err)
{
	const uint8_t *t = table;
	struct fw_iort d = {0};
	struct iort_walk w = {.table = t, .d = &d, .err = err};
	uint32_t node_count;
	int r;

	r = fw_acpi_table_check(table, size, "IORT", IORT_HEADER_SIZE, flags, &d.header, err);
	if (r < 0) {
		return r;
	}
	w.length = d.header.length;
	node_count = fw_get_le32(t + IORT_NODE_COUNT);
	d.node_offset = fw_get_le32(t + IORT_NODE_OFFSET);
	if (node_count > SMMU_FW_IORT_MAX_NODES) {
		fw_error_set(err, IORT_NODE_COUNT, "node count %u exceeds the limit of %d",
			     node_count, SMMU_FW_IORT_MAX_NODES);
		return -EINVAL;
	}
	if (node_count > 0 && (d.node_offset < IORT_HEADER_SIZE || d.node_offset > w.length)) {
		fw_error_set(err, IORT_NODE_OFFSET,
			     "node array offset %u is not between the %d-byte header and the "
			     "table's end at %u",
			     d.node_offset, IORT_HEADER_SIZE, w.length);
		return -EINVAL;
	}

	r = iort_walk(&w, node_count);
	if (r < 0) {
		return r;
	}
	d.node_count = node_count;
	r = iort_alloc(&d);
	if (r < 0) {
		fw_error_set(err, 0, "out of memory for the decoded IORT");
		goto err_fini;
	}
	w.fill = true;
	r = iort_walk(&w, node_count);
	if (NEVER(r < 0)) {
		goto err_fini; /* the first walk accepted the same bytes */
	}
	r = check_references(&d, err);
	if (r < 0) {
		goto err_fini;
	}
	*ret_iort = d;
	return 0;

err_fini:
	fw_iort_fini(&d);
	return r;
}

/* Frees what fw_iort_parse() allocated; accepts NULL and half-built results.
 * The struct is zeroed afterwards. */
void fw_iort_fini(struct fw_iort *iort)
{
	if (!iort) {
		return;
	}
	smmu_free(iort->nodes);
	smmu_free(iort->mappings);
	smmu_free(iort->its_ids);
	smmu_free(iort->rmr_ranges);
	memset(iort, 0, sizeof(*iort));
}

/* The mapping of `node` whose input range holds `id`, or NULL.  Single
 * mappings name the node's own ID (its MSIs), not a translation of input
 * IDs, and so does an SMMUv3's DeviceID mapping: both are passed over. */
static const struct fw_iort_id_mapping *find_mapping(const struct fw_iort *iort,
						     const struct fw_iort_node *node, uint32_t id)
{
	for (uint32_t k = 0; k < node->mapping_count; k++) {
		const struct fw_iort_id_mapping *m = &iort->mappings[node->first_mapping + k];

		if (m->flags & IORT_ID_FLAGS_SINGLE_MAPPING) {
			continue;
		}
		if (node->type == IORT_TYPE_SMMU_V3 &&
		    (node->smmu_v3.flags & IORT_SMMU3_FLAGS_DEVICEID_VALID) &&
		    k == node->smmu_v3.device_id_mapping_index) {
			continue;
		}
		if (id >= m->input_base && id - m->input_base <= m->id_count) {
			return m;
		}
	}
	return NULL;
}

/*
 * Maps `input_id` of node `node` (an index into iort->nodes: a root
 * complex's requester ID, a named component's device ID) through the ID
 * mappings to the SMMU that translates it: follows output references, at
 * most SMMU_FW_IORT_MAX_MAP_DEPTH of them, until an SMMUv3 or SMMUv1/v2
 * node.  The caller checks which of the two it got.
 *
 * Returns 0 with the SMMU's node index and the StreamID; -ENOENT when no
 * mapping covers the ID on the way; -ENODEV when the ID reaches an ITS
 * group first (its DMA is not translated by any SMMU); -ERANGE when an
 * output ID would not fit 32 bits; -ELOOP when the chain is longer than
 * the bound; -EINVAL for a node index out of range.
 */
int fw_iort_map_id(const struct fw_iort *iort, uint32_t node, uint32_t input_id, uint32_t *ret_node,
		   uint32_t *ret_id)
{
	uint32_t id = input_id;

	if (node >= iort->node_count) {
		return -EINVAL;
	}
	for (int depth = 0; depth < SMMU_FW_IORT_MAX_MAP_DEPTH; depth++) {
		const struct fw_iort_id_mapping *m = find_mapping(iort, &iort->nodes[node], id);
		uint64_t out;
		uint8_t type;

		if (!m) {
			return -ENOENT;
		}
		out = (uint64_t)m->output_base + (id - m->input_base);
		if (out > UINT32_MAX) {
			return -ERANGE;
		}
		id = (uint32_t)out;
		node = m->output_node;
		type = iort->nodes[node].type;
		if (type == IORT_TYPE_SMMU_V3 || type == IORT_TYPE_SMMU_V1V2) {
			*ret_node = node;
			*ret_id = id;
			return 0;
		}
		if (type == IORT_TYPE_ITS_GROUP) {
			return -ENODEV;
		}
	}
	return -ELOOP;
}
