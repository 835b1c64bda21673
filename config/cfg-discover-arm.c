/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Discovery for `smmu smmuv3`: the `require`/`ignore` words, the choice of
 * source (IORT or device tree), and cfg_arm_apply(), which adds the
 * neutral description of cfg-discover-arm.h to the configuration by the
 * override rules of smmuman.smmu(5), DISCOVERY.  Nothing here knows a
 * firmware format.
 */
#include "config/cfg-discover-arm.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/limits.h"
#include "common/strbuf.h"
#include "config/cfg-number.h"
#include "config/cfg-system.h"
#include "firmware/fw-error.h"

/* "smmu12" and a StreamID in decimal fit easily. */
#define NAME_SIZE 32

/* ---- Building the description ---- */

/* Grows an array by one zeroed element, within SMMU_CFG_MAX_ITEMS. */
static void *grow(void **items, size_t *count, size_t item_size, int *ret_error)
{
	char *grown;

	if (*count >= SMMU_CFG_MAX_ITEMS) {
		*ret_error = -EINVAL;
		return NULL;
	}
	grown = smmu_reallocarray(*items, *count + 1, item_size);
	if (!grown) {
		*ret_error = -ENOMEM;
		return NULL;
	}
	*items = grown;
	memset(grown + *count * item_size, 0, item_size);
	return grown + (*count)++ * item_size;
}

int cfg_arm_add_unit(struct cfg_arm_board *arm, uint64_t base, const char *name,
		     struct cfg_arm_where where, size_t *ret_index)
{
	struct cfg_arm_unit *unit;
	char *copy = NULL;
	int r = 0;

	if (name) {
		copy = smmu_strdup(name);
		if (!copy) {
			return -ENOMEM;
		}
	}
	unit = grow((void **)&arm->units, &arm->unit_count, sizeof(*unit), &r);
	if (!unit) {
		smmu_free(copy);
		return r;
	}
	*unit = (struct cfg_arm_unit){.base = base, .name = copy, .where = where};
	if (ret_index) {
		*ret_index = arm->unit_count - 1;
	}
	return 0;
}

int cfg_arm_add_root_complex(struct cfg_arm_board *arm, uint32_t segment,
			     struct cfg_arm_where where, size_t *ret_index)
{
	struct cfg_arm_root_complex *rc;
	int r = 0;

	rc = grow((void **)&arm->root_complexes, &arm->root_complex_count, sizeof(*rc), &r);
	if (!rc) {
		return r;
	}
	rc->segment = segment;
	rc->where = where;
	if (ret_index) {
		*ret_index = arm->root_complex_count - 1;
	}
	return 0;
}

int cfg_arm_add_rid_map(struct cfg_arm_board *arm, size_t root_complex, uint32_t rid_base,
			uint32_t rid_count, size_t unit, uint32_t sid_base)
{
	struct cfg_arm_root_complex *rc;
	struct cfg_arm_rid_map *map;
	int r = 0;

	if (root_complex >= arm->root_complex_count || unit >= arm->unit_count || rid_count == 0) {
		return -EINVAL;
	}
	rc = &arm->root_complexes[root_complex];
	map = grow((void **)&rc->maps, &rc->map_count, sizeof(*map), &r);
	if (!map) {
		return r;
	}
	*map = (struct cfg_arm_rid_map){rid_base, rid_count, unit, sid_base};
	return 0;
}

int cfg_arm_add_platform_device(struct cfg_arm_board *arm, const struct cfg_device_id *id,
				const char *name, size_t unit, uint32_t sid,
				struct cfg_arm_where where)
{
	struct cfg_arm_platform_device *device;
	char *copy = NULL;
	int r = 0;

	if (unit >= arm->unit_count || (!id && !name)) {
		return -EINVAL;
	}
	if (name) {
		copy = smmu_strdup(name);
		if (!copy) {
			return -ENOMEM;
		}
	}
	device = grow((void **)&arm->platform_devices, &arm->platform_device_count, sizeof(*device),
		      &r);
	if (!device) {
		smmu_free(copy);
		return r;
	}
	device->has_id = id != NULL;
	if (id) {
		device->id = *id;
	}
	device->name = copy;
	device->unit = unit;
	device->sid = sid;
	device->where = where;
	return 0;
}

int cfg_arm_add_reserved(struct cfg_arm_board *arm, size_t unit, uint32_t sid_base,
			 uint32_t sid_count, uint64_t start, uint64_t size,
			 struct cfg_arm_where where)
{
	struct cfg_arm_reserved *reserved;
	uint64_t last;
	int r = 0;

	if (unit >= arm->unit_count || sid_count == 0 || size == 0 ||
	    __builtin_add_overflow(start, size - 1, &last)) {
		return -EINVAL;
	}
	reserved = grow((void **)&arm->reserved, &arm->reserved_count, sizeof(*reserved), &r);
	if (!reserved) {
		return r;
	}
	*reserved = (struct cfg_arm_reserved){unit, sid_base, sid_count, start, size, where};
	return 0;
}

void cfg_arm_board_fini(struct cfg_arm_board *arm)
{
	if (!arm) {
		return;
	}
	for (size_t i = 0; i < arm->unit_count; i++) {
		smmu_free(arm->units[i].name);
	}
	for (size_t i = 0; i < arm->root_complex_count; i++) {
		smmu_free(arm->root_complexes[i].maps);
	}
	for (size_t i = 0; i < arm->platform_device_count; i++) {
		smmu_free(arm->platform_devices[i].name);
	}
	smmu_free(arm->units);
	smmu_free(arm->root_complexes);
	smmu_free(arm->platform_devices);
	smmu_free(arm->reserved);
	*arm = (struct cfg_arm_board){0};
}

/* ---- Adding it to the configuration ---- */

/* One description being added.  `unit_names[i]` is the unit the devices of
 * units[i] use: a board unit's or the user's name, owned by cfg->units. */
struct arm_run {
	struct cfg_board *b;
	const struct cfg_arm_board *arm;
	const char **unit_names;
};

static struct cfg_loc where_loc(const struct cfg_board *b, struct cfg_arm_where where)
{
	return cfg_board_loc(b, where.part, where.index);
}

/* The name unit i proposes: its preferred name, else smmuN. */
static void proposed_name(const struct cfg_arm_board *arm, size_t i, char *out, size_t size)
{
	if (arm->units[i].name) {
		snprintf(out, size, "%s", arm->units[i].name);
	} else {
		snprintf(out, size, "smmu%zu", i);
	}
}

/* The user unit, among the first `user_count`, that no firmware unit took
 * yet and whose parameters start with `base` (by_name NULL) or whose name
 * is `by_name`; or -1. */
static ssize_t user_unit(const struct cfg_config *cfg, size_t user_count, const bool *taken,
			 uint64_t base, const char *by_name)
{
	for (size_t u = 0; u < user_count; u++) {
		uint64_t paddr;

		if (taken[u]) {
			continue;
		}
		if (by_name ? strcmp(cfg->units[u].name, by_name) == 0
			    : cfg_board_unit_paddr(&cfg->units[u], &paddr) == 0 && paddr == base) {
			return (ssize_t)u;
		}
	}
	return -1;
}

static void take_user_unit(struct arm_run *run, size_t i, size_t u, bool *taken, const char *how)
{
	const struct cfg_arm_unit *unit = &run->arm->units[i];
	const struct cfg_unit *user = &run->b->cfg->units[u];

	taken[u] = true;
	run->unit_names[i] = user->name;
	cfg_board_note(run->b, "%s %" PRIu32 " (0x%" PRIx64 ") is the user's unit %s %s (%s)",
		       unit->where.part, unit->where.index, unit->base, user->name, user->params,
		       how);
}

/*
 * Names the unit of every firmware unit: first the user's units at the same
 * register base, then the user's units of the proposed name, then a board
 * unit `NAME 0xBASE,0` for each one left.  A user unit stands for at most
 * one firmware unit.
 */
static int map_units(struct arm_run *run)
{
	const struct cfg_arm_board *arm = run->arm;
	struct cfg_config *cfg = run->b->cfg;
	size_t user_count = cfg->unit_count;
	char name[NAME_SIZE];
	bool *taken;
	int r = 0;

	taken = smmu_calloc(user_count ? user_count : 1, sizeof(*taken));
	if (!taken) {
		run->b->oom = true;
		return -ENOMEM;
	}
	for (size_t i = 0; i < arm->unit_count; i++) {
		ssize_t u = user_unit(cfg, user_count, taken, arm->units[i].base, NULL);

		if (u >= 0) {
			take_user_unit(run, i, (size_t)u, taken, "same register base");
		}
	}
	for (size_t i = 0; i < arm->unit_count; i++) {
		ssize_t u;

		if (run->unit_names[i]) {
			continue;
		}
		proposed_name(arm, i, name, sizeof(name));
		u = user_unit(cfg, user_count, taken, 0, name);
		if (u >= 0) {
			take_user_unit(run, i, (size_t)u, taken, "same name");
		}
	}
	for (size_t i = 0; r == 0 && i < arm->unit_count; i++) {
		char params[40];
		size_t index;

		if (run->unit_names[i]) {
			continue;
		}
		proposed_name(arm, i, name, sizeof(name));
		/* smmu-smmuv3.so: PADDR[,BYPASS[,SID:SID...]]; unknown
		 * StreamIDs fault (bypass 0), as the support library's default. */
		snprintf(params, sizeof(params), "0x%" PRIx64 ",0", arm->units[i].base);
		r = cfg_board_add_unit(run->b, name, params, where_loc(run->b, arm->units[i].where),
				       &index);
		if (r == 0) {
			run->unit_names[i] = cfg->units[index].name;
		}
	}
	smmu_free(taken);
	return r;
}

/* `use UNIT SID` for device `index`. */
static int use_sid(struct arm_run *run, size_t index, size_t unit, uint32_t sid, struct cfg_loc loc)
{
	char param[16];

	snprintf(param, sizeof(param), "%" PRIu32, sid);
	return cfg_board_use_param(run->b, index, run->unit_names[unit], param, loc);
}

/* The root complex of `segment` whose mappings cover `rid`; NULL when no
 * mapping does.  *ret_covered says whether any root complex serves the
 * segment at all. */
static const struct cfg_arm_root_complex *find_rid(const struct cfg_arm_board *arm,
						   uint32_t segment, uint32_t rid,
						   const struct cfg_arm_rid_map **ret_map,
						   bool *ret_covered)
{
	*ret_covered = false;
	for (size_t i = 0; i < arm->root_complex_count; i++) {
		const struct cfg_arm_root_complex *rc = &arm->root_complexes[i];

		if (rc->segment != segment) {
			continue;
		}
		*ret_covered = true;
		for (size_t k = 0; k < rc->map_count; k++) {
			const struct cfg_arm_rid_map *m = &rc->maps[k];

			if (rid >= m->rid_base && rid - m->rid_base < m->rid_count) {
				*ret_map = m;
				return rc;
			}
		}
	}
	return NULL;
}

/*
 * Every PCI device the configuration names without a `use`, on a segment a
 * root complex serves: `use UNIT SID` with the SID its requester ID maps
 * to.  Devices are not invented: a root complex covers whole buses.
 */
static int map_pci_devices(struct arm_run *run)
{
	struct cfg_config *cfg = run->b->cfg;
	size_t device_count = cfg->device_count;

	for (size_t i = 0; i < device_count; i++) {
		const struct cfg_device_id *id = &cfg->devices[i].id;
		const struct cfg_arm_root_complex *rc;
		const struct cfg_arm_rid_map *map = NULL;
		struct strbuf spec = STRBUF_INIT;
		uint64_t sid;
		uint32_t rid;
		bool covered;
		int r;

		if (id->kind != CFG_DEVICE_PCI || cfg->devices[i].use_count > 0) {
			continue;
		}
		rid = (uint32_t)id->pci.bus << 8 | (uint32_t)id->pci.dev << 3 | id->pci.func;
		rc = find_rid(run->arm, id->pci.segment, rid, &map, &covered);
		cfg_device_id_format(id, &spec);
		if (!covered) {
			cfg_board_note(
				run->b,
				"%s: no root complex of the board serves PCI segment %u; left "
				"alone",
				spec.oom ? "a PCI device" : strbuf_str(&spec), id->pci.segment);
			strbuf_fini(&spec);
			continue;
		}
		sid = rc ? (uint64_t)map->sid_base + (rid - map->rid_base) : 0;
		if (!rc || sid > UINT32_MAX) {
			cfg_board_warning(run->b,
					  "%s (requester ID 0x%04" PRIx32
					  ") is on PCI segment %u, but no ID mapping of the "
					  "board's root complexes puts it behind an SMMUv3: it "
					  "is left without a unit",
					  spec.oom ? "a PCI device" : strbuf_str(&spec), rid,
					  id->pci.segment);
			strbuf_fini(&spec);
			continue;
		}
		strbuf_fini(&spec);
		r = use_sid(run, i, map->unit, (uint32_t)sid, where_loc(run->b, rc->where));
		if (r < 0) {
			return r;
		}
	}
	return run->b->oom ? -ENOMEM : 0;
}

static int map_platform_devices(struct arm_run *run)
{
	for (size_t i = 0; i < run->arm->platform_device_count; i++) {
		const struct cfg_arm_platform_device *p = &run->arm->platform_devices[i];
		struct cfg_loc loc = where_loc(run->b, p->where);
		size_t index;
		int r;

		if (!p->has_id) {
			struct strbuf name = STRBUF_INIT;

			cfg_board_escape(&name, p->name, SIZE_MAX);
			cfg_board_note(run->b,
				       "%s %" PRIu32 ": '%s' (StreamID %" PRIu32
				       " of %s) has no device-id spelling in the configuration "
				       "(only pci: and mem:); not added",
				       p->where.part, p->where.index,
				       name.oom ? "?" : strbuf_str(&name), p->sid,
				       run->unit_names[p->unit]);
			strbuf_fini(&name);
			continue;
		}
		r = cfg_board_device(run->b, &p->id, loc, &index);
		if (r == 0) {
			r = use_sid(run, index, p->unit, p->sid, loc);
		}
		if (r < 0) {
			return r;
		}
	}
	return run->b->oom ? -ENOMEM : 0;
}

/* Whether device `index` uses `unit` with a StreamID in [base, base + count). */
static bool uses_sid(const struct cfg_device *device, const char *unit, uint32_t base,
		     uint32_t count)
{
	for (size_t i = 0; i < device->use_count; i++) {
		const struct cfg_use *use = &device->uses[i];
		struct cfg_number_error error;
		uint64_t sid;

		if (strcmp(use->unit, unit) != 0 || !use->param ||
		    cfg_number_parse(use->param, strlen(use->param), CFG_NUMBER_DECIMAL, &sid,
				     &error) < 0) {
			continue;
		}
		if (sid >= base && sid - base < count) {
			return true;
		}
	}
	return false;
}

/* Reserved memory on every configured device with one of its StreamIDs. */
static int map_reserved(struct arm_run *run)
{
	struct cfg_config *cfg = run->b->cfg;

	for (size_t i = 0; i < run->arm->reserved_count; i++) {
		const struct cfg_arm_reserved *res = &run->arm->reserved[i];
		const char *unit = run->unit_names[res->unit];
		bool added = false;

		for (size_t d = 0; d < cfg->device_count; d++) {
			int r;

			if (!uses_sid(&cfg->devices[d], unit, res->sid_base, res->sid_count)) {
				continue;
			}
			r = cfg_board_reserved(run->b, d, res->start, res->size,
					       where_loc(run->b, res->where));
			if (r < 0) {
				return r;
			}
			added = true;
		}
		if (!added) {
			cfg_board_note(
				run->b,
				"%s %" PRIu32 ": 0x%" PRIx64 ",0x%" PRIx64 " for StreamIDs %" PRIu32
				"-%" PRIu64 " of %s: no configured device uses them; not added",
				res->where.part, res->where.index, res->start, res->size,
				res->sid_base, (uint64_t)res->sid_base + res->sid_count - 1, unit);
		}
	}
	return run->b->oom ? -ENOMEM : 0;
}

int cfg_arm_apply(struct cfg_board *b, const struct cfg_arm_board *arm)
{
	struct arm_run run = {.b = b, .arm = arm};
	int r;

	for (size_t i = 0; i < arm->platform_device_count; i++) {
		if (NEVER(arm->platform_devices[i].unit >= arm->unit_count)) {
			return -EINVAL; /* the builders check it */
		}
	}
	run.unit_names =
		smmu_calloc(arm->unit_count ? arm->unit_count : 1, sizeof(*run.unit_names));
	if (!run.unit_names) {
		b->oom = true;
		return -ENOMEM;
	}
	r = map_units(&run);
	if (r == 0) {
		r = map_pci_devices(&run);
	}
	if (r == 0) {
		r = map_platform_devices(&run);
	}
	if (r == 0) {
		r = map_reserved(&run);
	}
	smmu_free(run.unit_names);
	return r < 0 ? r : (b->oom ? -ENOMEM : 0);
}

/* ---- Choosing the source ---- */

/* `smmu smmuv3 [PARAMS]`: PARAMS is a comma-separated list; words other
 * than require and ignore are the support library's. */
static int read_params(struct cfg_board *b, struct cfg_arm_params *ret)
{
	*ret = (struct cfg_arm_params){0};
	cfg_board_smmu_words(b, &ret->require, &ret->ignore);
	if (ret->require && ret->ignore) {
		cfg_board_smmu_diag(
			b, CFG_SEVERITY_ERROR,
			"smmu smmuv3: 'require' (the firmware's description must be there) and "
			"'ignore' (do not read it) contradict each other");
		return -EINVAL;
	}
	return 0;
}

int cfg_arm_unusable(struct cfg_board *b, const struct cfg_discover_options *opts,
		     const struct cfg_arm_params *params, const char *what, bool named,
		     const char *why)
{
	if (named) {
		cfg_board_error(b, "the %s %s", what, why);
		return -EINVAL;
	}
	if (params->require && !opts->inspect) {
		cfg_board_smmu_diag(
			b, CFG_SEVERITY_ERROR,
			"smmu smmuv3 require: the %s %s %s (without it there is no SMMUv3 to "
			"use; 'smmu smmuv3 ignore' and 'unit' lines describe the units by hand)",
			what, b->source, why);
		return -EINVAL;
	}
	if (params->require) {
		cfg_board_smmu_diag(
			b, CFG_SEVERITY_WARNING,
			"smmu smmuv3 require: the %s %s %s: the service would refuse to start "
			"on this machine",
			what, b->source, why);
		return 0;
	}
	cfg_board_warning(b, "the %s %s; going on without it", what, why);
	return 0;
}

/*
 * For sources: reads the table `what` at `path` (`named`: given on the command line) and
 * makes `path` b->source.  Returns 0 with *ret_text (the caller frees it) and *ret_size;
 * otherwise *ret_text is NULL and the value is the source's to return:
 * CFG_ARM_SOURCE_ABSENT (the machine has no such table and none was named), -ENOMEM, or
 * cfg_arm_unusable()'s for a table that cannot be read.
 */
int cfg_arm_source_read(struct cfg_board *b, const struct cfg_discover_options *opts,
			const struct cfg_arm_params *params, const char *what, const char *path,
			bool named, char **ret_text, size_t *ret_size)
{
	struct cfg_system system = opts->system;
	char *canonical = NULL, *text = NULL;
	char why[FW_ERROR_MESSAGE_SIZE + 64];
	size_t size = 0;
	int r;

	*ret_text = NULL;
	cfg_system_complete(&system);
	r = system.read_file(system.ctx, path, &canonical, &text, &size);
	if (r < 0) {
		canonical = text = NULL; /* not handed over on failure */
	}
	if (r == -ENOENT && !named) {
		return CFG_ARM_SOURCE_ABSENT;
	}
	if (cfg_board_set_source(b, path) < 0) {
		smmu_free(canonical);
		smmu_free(text);
		return -ENOMEM;
	}
	if (r == -ENOMEM) {
		b->oom = true;
		return r;
	}
	if (r < 0) {
		snprintf(why, sizeof(why), "cannot be read: %s", strerror(-r));
		return cfg_arm_unusable(b, opts, params, what, named, why);
	}
	smmu_free(canonical);
	*ret_text = text;
	*ret_size = size;
	return 0;
}

/*
 * For sources: the parser of the table `what` failed with `r` and `message`.  Returns the
 * source's value: -ENOMEM, or cfg_arm_unusable()'s for a table that is not valid.
 */
int cfg_arm_source_invalid(struct cfg_board *b, const struct cfg_discover_options *opts,
			   const struct cfg_arm_params *params, const char *what, bool named, int r,
			   const char *message)
{
	char why[FW_ERROR_MESSAGE_SIZE + 64];

	if (r == -ENOMEM) {
		b->oom = true;
		return r;
	}
	snprintf(why, sizeof(why), "is not valid: %s", message);
	return cfg_arm_unusable(b, opts, params, what, named, why);
}

/*
 * Discovery for `smmu smmuv3`: with --iort the IORT only, with --fdt the
 * device tree only (both is an error), with neither the machine's IORT or,
 * when it has none, its device tree.  Returns 0 (also when nothing was
 * found and that is not an error), -EINVAL after an error in b->diags, or
 * -ENOMEM.
 */
int cfg_discover_arm(struct cfg_board *b, const struct cfg_discover_options *opts)
{
	struct cfg_arm_board arm = {0};
	struct cfg_arm_params params;
	int r;

	r = read_params(b, &params);
	if (r < 0) {
		return r;
	}
	if (opts->iort_path && opts->fdt_path) {
		cfg_board_smmu_diag(
			b, CFG_SEVERITY_ERROR,
			"smmu smmuv3: --iort and --fdt both name the board's description; "
			"give one");
		return -EINVAL;
	}
	if (params.ignore) {
		const char *named = opts->iort_path ? opts->iort_path : opts->fdt_path;

		if (named && cfg_board_set_source(b, named) == 0) {
			cfg_board_warning(b, "not read: 'smmu smmuv3 ignore' says not to use the "
					     "firmware's description");
		}
		cfg_board_note(b, "IORT and device tree not read: smmu smmuv3 ignore");
		return b->oom ? -ENOMEM : 0;
	}
	r = CFG_ARM_SOURCE_ABSENT;
	if (!opts->fdt_path) {
		r = cfg_arm_source_iort(b, opts, &params, &arm);
	}
	if (r == CFG_ARM_SOURCE_ABSENT) {
		r = cfg_arm_source_fdt(b, opts, &params, &arm);
	}
	if (r == CFG_ARM_SOURCE_ABSENT) {
		r = cfg_board_set_source(b, CFG_IORT_MACHINE_PATH);
		if (r == 0 && params.require) {
			r = cfg_arm_unusable(
				b, opts, &params, "IORT", false,
				"is missing, and so is the device tree " CFG_FDT_MACHINE_PATH);
		} else if (r == 0) {
			cfg_board_note(b,
				       "no IORT at %s and no device tree at %s, nothing discovered",
				       CFG_IORT_MACHINE_PATH, CFG_FDT_MACHINE_PATH);
		}
	} else if (r == 0 && arm.unit_count == 0 && params.require) {
		r = cfg_arm_unusable(b, opts, &params, "firmware description", false,
				     "names no SMMUv3");
	} else if (r == 0) {
		r = cfg_arm_apply(b, &arm);
	}
	cfg_arm_board_fini(&arm);
	if (r == -ENOMEM) {
		b->oom = true;
	}
	return r < 0 ? r : (b->oom ? -ENOMEM : 0);
}
