/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ACPI IORT as a source of `smmu smmuv3` discovery: reads the table
 * (--iort FILE, else the machine's own), decodes it with fw_iort_parse()
 * and describes the board in the neutral terms of cfg-discover-arm.h:
 *
 *   SMMUv3 node N          unit N at its base address (smmuN)
 *   root complex node      its segment, and each ID mapping whose output
 *                          is an SMMUv3: requester IDs (cut to 16 bits) to
 *                          StreamIDs of that unit
 *   named component node   each ID mapping to an SMMUv3, by ACPI name
 *                          (the configuration cannot name such a device:
 *                          cfg_arm_apply() notes it)
 *   RMR node               each memory range, for the StreamIDs of each of
 *                          its ID mappings to an SMMUv3
 *
 * Everything else (ITS groups, SMMUv1/v2 units, PMCGs, mappings that reach
 * an ITS group or an SMMUv1/v2 instead of an SMMUv3, single mappings, node
 * types newer than the decoder) leaves a note and nothing else.
 */
#include "config/cfg-discover-arm.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/strbuf.h"
#include "config/cfg-system.h"
#include "firmware/iort.h"

#define PART_SMMU_V3 "IORT SMMUv3"
#define PART_ROOT_COMPLEX "IORT root complex"
#define PART_NAMED_COMPONENT "IORT named component"
#define PART_RMR "IORT RMR"

/* PCI requester IDs are 16 bits: bus, device, function. */
#define RID_LIMIT 0x10000u

/* One table being described.  `units[n]` is the description's unit of
 * node n (an SMMUv3), SIZE_MAX for other nodes; `type_index[n]` is node n's
 * number among the nodes of its type. */
struct iort_run {
	struct cfg_board *b;
	const struct fw_iort *iort;
	struct cfg_arm_board *arm;
	size_t *units;
	uint32_t *type_index;
};

static int arm_error(struct iort_run *run, int r)
{
	if (r == -ENOMEM) {
		run->b->oom = true;
	} else if (r == -EINVAL) {
		cfg_board_error(run->b, "the IORT describes more than %d items of one kind",
				SMMU_CFG_MAX_ITEMS);
	}
	return r;
}

static void note_summary(struct iort_run *run)
{
	const struct fw_iort *d = run->iort;
	size_t counts[IORT_TYPE_RMR + 1] = {0};
	struct strbuf text = STRBUF_INIT;

	for (size_t i = 0; i < d->node_count; i++) {
		if (d->nodes[i].known) {
			counts[d->nodes[i].type]++;
		}
	}
	cfg_board_describe_source(&text, run->b, "IORT", d->header.oem_id, sizeof(d->header.oem_id),
				  d->header.oem_table_id, sizeof(d->header.oem_table_id));
	strbuf_printf(&text,
		      " revision %u; %zu ITS group, %zu named component, %zu root complex, "
		      "%zu SMMUv1/v2, %zu SMMUv3, %zu PMCG, %zu RMR",
		      d->header.revision, counts[IORT_TYPE_ITS_GROUP],
		      counts[IORT_TYPE_NAMED_COMPONENT], counts[IORT_TYPE_ROOT_COMPLEX],
		      counts[IORT_TYPE_SMMU_V1V2], counts[IORT_TYPE_SMMU_V3],
		      counts[IORT_TYPE_PMCG], counts[IORT_TYPE_RMR]);
	if (d->unknown_count) {
		strbuf_printf(&text, ", %zu of newer types (skipped)", d->unknown_count);
	}
	cfg_board_note(run->b, "%s", text.oom ? "IORT" : strbuf_str(&text));
	strbuf_fini(&text);
}

/* "the ITS group at offset 48", "the SMMUv1/v2 at 0x15000000" */
static void format_target(const struct fw_iort_node *t, char *out, size_t size)
{
	if (t->type == IORT_TYPE_SMMU_V1V2) {
		snprintf(out, size, "the SMMUv1/v2 at 0x%" PRIx64 ", which smmuman does not drive",
			 t->smmu_v1v2.base);
	} else if (t->type == IORT_TYPE_ITS_GROUP) {
		snprintf(out, size,
			 "the ITS group at offset %" PRIu32 " directly: no SMMU translates them",
			 t->offset);
	} else {
		snprintf(out, size, "the %s node at offset %" PRIu32 ", not an SMMUv3",
			 fw_iort_type_name(t->type), t->offset);
	}
}

static int describe_units(struct iort_run *run)
{
	const struct fw_iort *d = run->iort;

	for (size_t n = 0; n < d->node_count; n++) {
		const struct cfg_arm_where where = {PART_SMMU_V3, run->type_index[n]};
		int r;

		run->units[n] = SIZE_MAX;
		if (d->nodes[n].type != IORT_TYPE_SMMU_V3) {
			continue;
		}
		r = cfg_arm_add_unit(run->arm, d->nodes[n].smmu_v3.base, NULL, where,
				     &run->units[n]);
		if (r < 0) {
			return arm_error(run, r);
		}
	}
	return 0;
}

static int describe_root_complex(struct iort_run *run, size_t n)
{
	const struct fw_iort *d = run->iort;
	const struct fw_iort_node *node = &d->nodes[n];
	uint32_t k = run->type_index[n];
	size_t rc;
	int r;

	r = cfg_arm_add_root_complex(run->arm, node->root_complex.pci_segment,
				     (struct cfg_arm_where){PART_ROOT_COMPLEX, k}, &rc);
	if (r < 0) {
		return arm_error(run, r);
	}
	for (uint32_t i = 0; i < node->mapping_count; i++) {
		const struct fw_iort_id_mapping *m = &d->mappings[node->first_mapping + i];
		const struct fw_iort_node *target = &d->nodes[m->output_node];
		uint64_t last = (uint64_t)m->input_base + m->id_count;
		char what[96];

		if (m->flags & IORT_ID_FLAGS_SINGLE_MAPPING) {
			cfg_board_note(run->b,
				       "%s %" PRIu32 ": a single mapping (the root complex's own "
				       "ID 0x%" PRIx32 ") is not used",
				       PART_ROOT_COMPLEX, k, m->output_base);
			continue;
		}
		if (target->type != IORT_TYPE_SMMU_V3) {
			format_target(target, what, sizeof(what));
			cfg_board_note(run->b,
				       "%s %" PRIu32 " (segment %" PRIu32 "): requester IDs "
				       "0x%" PRIx32 "-0x%" PRIx64 " go to %s",
				       PART_ROOT_COMPLEX, k, node->root_complex.pci_segment,
				       m->input_base, last, what);
			continue;
		}
		if (m->input_base >= RID_LIMIT) {
			cfg_board_note(run->b,
				       "%s %" PRIu32 ": IDs from 0x%" PRIx32
				       " are not PCI requester "
				       "IDs (16 bits); not used",
				       PART_ROOT_COMPLEX, k, m->input_base);
			continue;
		}
		r = cfg_arm_add_rid_map(
			run->arm, rc, m->input_base,
			(uint32_t)((last < RID_LIMIT ? last + 1 : RID_LIMIT) - m->input_base),
			run->units[m->output_node], m->output_base);
		if (r < 0) {
			return arm_error(run, r);
		}
	}
	return 0;
}

static int describe_named_component(struct iort_run *run, size_t n)
{
	const struct fw_iort *d = run->iort;
	const struct fw_iort_node *node = &d->nodes[n];
	const char *name = node->named_component.object_name;
	uint32_t k = run->type_index[n];
	struct strbuf escaped = STRBUF_INIT;
	const struct fw_iort_node *other = NULL;
	uint32_t other_count = 0;
	int r = 0;

	for (uint32_t i = 0; r == 0 && i < node->mapping_count; i++) {
		const struct fw_iort_id_mapping *m = &d->mappings[node->first_mapping + i];

		if (m->flags & IORT_ID_FLAGS_SINGLE_MAPPING) {
			continue; /* its own ID, for its MSIs */
		}
		if (d->nodes[m->output_node].type != IORT_TYPE_SMMU_V3) {
			other = other ? other : &d->nodes[m->output_node];
			other_count++;
			continue;
		}
		r = cfg_arm_add_platform_device(run->arm, NULL, name, run->units[m->output_node],
						m->output_base,
						(struct cfg_arm_where){PART_NAMED_COMPONENT, k});
	}
	if (r < 0) {
		return arm_error(run, r);
	}
	if (other) {
		char what[96];

		format_target(other, what, sizeof(what));
		cfg_board_escape(&escaped, name, sizeof(node->named_component.object_name));
		cfg_board_note(run->b,
			       "%s %" PRIu32 " '%s': %" PRIu32 " ID mappings not to an SMMUv3, "
			       "not used (the first goes to %s)",
			       PART_NAMED_COMPONENT, k, escaped.oom ? "?" : strbuf_str(&escaped),
			       other_count, what);
		strbuf_fini(&escaped);
	}
	return 0;
}

static int describe_rmr(struct iort_run *run, size_t n)
{
	const struct fw_iort *d = run->iort;
	const struct fw_iort_node *node = &d->nodes[n];
	const struct cfg_arm_where where = {PART_RMR, run->type_index[n]};

	for (uint32_t i = 0; i < node->mapping_count; i++) {
		const struct fw_iort_id_mapping *m = &d->mappings[node->first_mapping + i];
		uint32_t sid_count = m->id_count == UINT32_MAX ? UINT32_MAX : m->id_count + 1;

		if (d->nodes[m->output_node].type != IORT_TYPE_SMMU_V3) {
			cfg_board_note(run->b,
				       "%s %" PRIu32 ": StreamIDs of the %s node at offset %" PRIu32
				       " not used (not an SMMUv3)",
				       PART_RMR, where.index,
				       fw_iort_type_name(d->nodes[m->output_node].type),
				       d->nodes[m->output_node].offset);
			continue;
		}
		for (uint32_t j = 0; j < node->rmr.range_count; j++) {
			const struct fw_iort_rmr_range *range =
				&d->rmr_ranges[node->rmr.first_range + j];
			int r = cfg_arm_add_reserved(run->arm, run->units[m->output_node],
						     m->output_base, sid_count, range->base,
						     range->length, where);

			if (r == -EINVAL && (range->length == 0 ||
					     range->base + (range->length - 1) < range->base)) {
				cfg_board_note(run->b,
					       "%s %" PRIu32 ": memory range 0x%" PRIx64
					       ",0x%" PRIx64 " is empty or wraps; not used",
					       PART_RMR, where.index, range->base, range->length);
				continue;
			}
			if (r < 0) {
				return arm_error(run, r);
			}
		}
	}
	return 0;
}

/* Nodes that describe nothing smmuman uses. */
static void note_unused(struct iort_run *run, size_t n)
{
	const struct fw_iort_node *node = &run->iort->nodes[n];
	uint32_t k = run->type_index[n];

	switch (node->type) {
	case IORT_TYPE_ITS_GROUP:
		cfg_board_note(run->b,
			       "IORT ITS group %" PRIu32 ": %" PRIu32
			       " GIC ITS not used (interrupt "
			       "translation is not smmuman's)",
			       k, node->its_group.its_count);
		break;
	case IORT_TYPE_SMMU_V1V2:
		cfg_board_note(run->b,
			       "IORT SMMUv1/v2 %" PRIu32 " at 0x%" PRIx64 " not used (smmuman "
			       "drives SMMUv3 only)",
			       k, node->smmu_v1v2.base);
		break;
	case IORT_TYPE_PMCG:
		cfg_board_note(run->b,
			       "IORT PMCG %" PRIu32 " at 0x%" PRIx64 ": performance counters, not "
			       "used",
			       k, node->pmcg.page0_base);
		break;
	default:
		break;
	}
}

static int describe(struct iort_run *run)
{
	const struct fw_iort *d = run->iort;
	uint32_t per_type[256] = {0};
	int r;

	note_summary(run);
	for (size_t n = 0; n < d->node_count; n++) {
		run->type_index[n] = per_type[d->nodes[n].type]++;
	}
	r = describe_units(run);
	for (size_t n = 0; r == 0 && n < d->node_count; n++) {
		switch (d->nodes[n].type) {
		case IORT_TYPE_ROOT_COMPLEX:
			r = describe_root_complex(run, n);
			break;
		case IORT_TYPE_NAMED_COMPONENT:
			r = describe_named_component(run, n);
			break;
		case IORT_TYPE_RMR:
			r = describe_rmr(run, n);
			break;
		default:
			note_unused(run, n);
			break;
		}
	}
	return r < 0 ? r : (run->b->oom ? -ENOMEM : 0);
}

/*
 * The IORT source of cfg-discover-arm.h: reads and decodes the table and
 * describes it in *arm.  Returns 0, CFG_ARM_SOURCE_ABSENT (the machine has
 * none and --iort named none), -EINVAL after an error, or -ENOMEM.
 */
int cfg_arm_source_iort(struct cfg_board *b, const struct cfg_discover_options *opts,
			const struct cfg_arm_params *params, struct cfg_arm_board *arm)
{
	const char *path = opts->iort_path ? opts->iort_path : CFG_IORT_MACHINE_PATH;
	bool named = opts->iort_path != NULL;
	struct iort_run run = {.b = b, .arm = arm};
	struct fw_iort iort = {0};
	struct fw_error err = {0};
	char *text;
	size_t size = 0;
	int r;

	r = cfg_arm_source_read(b, opts, params, "IORT", path, named, &text, &size);
	if (!text) {
		return r;
	}
	r = fw_iort_parse(text, size, 0, &iort, &err);
	smmu_free(text);
	if (r < 0) {
		return cfg_arm_source_invalid(b, opts, params, "IORT", named, r, err.message);
	}
	run.iort = &iort;
	run.units = smmu_calloc(iort.node_count ? iort.node_count : 1, sizeof(*run.units));
	run.type_index =
		smmu_calloc(iort.node_count ? iort.node_count : 1, sizeof(*run.type_index));
	if (!run.units || !run.type_index) {
		b->oom = true;
		r = -ENOMEM;
	} else {
		r = describe(&run);
	}
	smmu_free(run.units);
	smmu_free(run.type_index);
	fw_iort_fini(&iort);
	return r;
}
