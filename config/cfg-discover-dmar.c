/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Discovery from the ACPI DMAR table (Intel VT-d spec chapter 8) for
 * `smmu vtd`: reads the table (--dmar FILE, else the machine's own),
 * decodes it with fw_dmar_parse() and turns it into board facts:
 *
 *   DRHD N            unit dmarN 0xBASE[,include-all]  (the smmu-vtd.so syntax)
 *   its PCI scopes    device pci:B:D.F + use dmarN
 *   RMRR N            reserved BASE,LIMIT-BASE+1 on each PCI device of its
 *                     scope; a device no DRHD lists is put behind the
 *                     INCLUDE_PCI_ALL unit
 *
 * A user `unit` at a DRHD's register base, or else named dmarN, takes that
 * DRHD's place: no board unit is added and the DRHD's devices use the
 * user's unit.  PCI segments other than 0 are skipped with a warning (the
 * client API names PCI devices by bus, device and function only).  A
 * sub-hierarchy scope records its bridge only.  IOAPIC, HPET and ACPI
 * namespace scopes and the ATSR, RHSA, ANDD, SATC and SIDP structures are
 * not used by smmuman: each leaves a note in the report, nothing else.
 *
 * Scope paths that walk through bridges need the bridges' secondary bus
 * numbers, which only PCI configuration space knows: for the machine's own
 * table they are read from sysfs, for a --dmar file only through the
 * caller's hook.
 */
#include "config/cfg-discover-board.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/strbuf.h"
#include "config/cfg-system.h"
#include "firmware/dmar.h"

/* PCI-to-PCI Bridge Architecture Specification 1.2, §3.2.5.4: the
 * Secondary Bus Number register of a type 1 configuration header. */
#define PCI_SECONDARY_BUS 0x19

#define PART_DRHD "DMAR DRHD"
#define PART_RMRR "DMAR RMRR"

/* The `smmu vtd` parameters discovery understands; the rest is the
 * support library's. */
struct vtd_params {
	bool require;
	bool ignore;
};

/* One table being turned into facts.  `unit_names[i]` is the unit the
 * devices of DRHD i use (a board unit's or the user's name, owned by
 * cfg->units), NULL for a DRHD that is not used. */
struct dmar_run {
	struct cfg_board *b;
	const struct fw_dmar *dmar;
	fw_pci_read_secondary_bus_fn read_secondary_bus;
	void *pci_ctx;
	const char **unit_names;
	const char *include_all; /* the segment-0 INCLUDE_PCI_ALL unit, or NULL */
	uint32_t include_all_drhd;
};

/* The machine's PCI configuration space through sysfs, which lets anyone
 * read a function's header. */
static int sysfs_read_secondary_bus(void *ctx, struct fw_pci_bdf bridge, uint8_t *ret_bus)
{
	char path[64];
	uint8_t bus;
	ssize_t n;
	int fd;

	(void)ctx;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%04x:%02x:%02x.%x/config",
		 bridge.segment, bridge.bus, bridge.device, bridge.function);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	n = pread(fd, &bus, 1, PCI_SECONDARY_BUS);
	if (n < 0) {
		n = -errno;
	}
	close(fd);
	if (n < 0) {
		return (int)n;
	}
	if (n != 1) {
		return -EIO;
	}
	*ret_bus = bus;
	return 0;
}

/* `smmu vtd [PARAMS]`: PARAMS is a comma-separated list. */
static int read_params(struct cfg_board *b, struct vtd_params *ret)
{
	*ret = (struct vtd_params){0};
	cfg_board_smmu_words(b, &ret->require, &ret->ignore);
	if (ret->require && ret->ignore) {
		cfg_board_smmu_diag(
			b, CFG_SEVERITY_ERROR,
			"smmu vtd: 'require' (the DMAR table must be there) and 'ignore' (do "
			"not read it) contradict each other");
		return -EINVAL;
	}
	return 0;
}

/*
 * The table cannot be used: `why` says so ("cannot be read: ...").  A file
 * named with --dmar is an error; the machine's own table is an error only
 * under `require` (a warning with opts->inspect), a missing one is nothing
 * without it, anything else a warning.  Returns 0 or -EINVAL.
 */
static int table_unusable(struct cfg_board *b, const struct cfg_discover_options *opts,
			  const struct vtd_params *params, bool missing, const char *why)
{
	if (opts->dmar_path) {
		cfg_board_error(b, "the DMAR table %s", why);
		return -EINVAL;
	}
	if (params->require && !opts->inspect) {
		cfg_board_smmu_diag(
			b, CFG_SEVERITY_ERROR,
			"smmu vtd require: the DMAR table %s %s (without it there is no VT-d "
			"to use; 'smmu vtd ignore' and 'unit' lines describe the units by hand)",
			b->source, why);
		return -EINVAL;
	}
	if (params->require) {
		cfg_board_smmu_diag(
			b, CFG_SEVERITY_WARNING,
			"smmu vtd require: the DMAR table %s %s: the service would refuse to "
			"start on this machine",
			b->source, why);
		return 0;
	}
	if (missing) {
		cfg_board_note(b, "DMAR: no table at %s, nothing discovered", b->source);
		return 0;
	}
	cfg_board_warning(b, "the DMAR table %s; going on without it", why);
	return 0;
}

static void note_summary(struct dmar_run *run)
{
	const struct fw_dmar *d = run->dmar;
	struct strbuf text = STRBUF_INIT;

	cfg_board_describe_source(&text, run->b, "DMAR", d->header.oem_id, sizeof(d->header.oem_id),
				  d->header.oem_table_id, sizeof(d->header.oem_table_id));
	strbuf_printf(&text,
		      " revision %u, host address width %u bits, flags 0x%02x; %zu DRHD, "
		      "%zu RMRR, %zu ATSR, %zu RHSA, %zu ANDD, %zu SATC, %zu SIDP",
		      d->header.revision, d->host_address_width, d->flags, d->drhd_count,
		      d->rmrr_count, d->atsr_count, d->rhsa_count, d->andd_count, d->satc_count,
		      d->sidp_count);
	if (d->unknown_count) {
		strbuf_printf(&text, ", %zu of newer types (skipped)", d->unknown_count);
	}
	cfg_board_note(run->b, "%s", text.oom ? "DMAR" : strbuf_str(&text));
	strbuf_fini(&text);
}

/* The user unit, among the first `user_count`, whose parameters start with
 * `paddr` and that no DRHD took yet; or -1. */
static ssize_t user_unit_at(const struct cfg_config *cfg, size_t user_count, const bool *taken,
			    uint64_t paddr)
{
	for (size_t u = 0; u < user_count; u++) {
		uint64_t base;

		if (!taken[u] && cfg_board_unit_paddr(&cfg->units[u], &base) == 0 &&
		    base == paddr) {
			return (ssize_t)u;
		}
	}
	return -1;
}

static ssize_t user_unit_named(const struct cfg_config *cfg, size_t user_count, const bool *taken,
			       const char *name)
{
	for (size_t u = 0; u < user_count; u++) {
		if (!taken[u] && strcmp(cfg->units[u].name, name) == 0) {
			return (ssize_t)u;
		}
	}
	return -1;
}

/* Gives DRHD i the user's unit u and says so. */
static void take_user_unit(struct dmar_run *run, size_t i, size_t u, bool *taken, const char *how)
{
	const struct fw_dmar_drhd *drhd = &run->dmar->drhds[i];
	const struct cfg_unit *unit = &run->b->cfg->units[u];

	taken[u] = true;
	run->unit_names[i] = unit->name;
	cfg_board_note(run->b, "DMAR DRHD %zu (0x%" PRIx64 "%s) is the user's unit %s %s (%s)", i,
		       drhd->register_base,
		       drhd->flags & DMAR_DRHD_FLAGS_INCLUDE_PCI_ALL ? ",include-all" : "",
		       unit->name, unit->params, how);
}

/*
 * Names the unit of every DRHD on segment 0: first the user's units at the
 * same register base, then the user's units named dmarN for DRHDs still
 * without one, then a board unit for each DRHD left.  A user unit stands
 * for at most one DRHD.
 */
static int map_units(struct dmar_run *run)
{
	const struct fw_dmar *d = run->dmar;
	struct cfg_config *cfg = run->b->cfg;
	size_t user_count = cfg->unit_count;
	char name[32];
	bool *taken;
	int r = 0;

	taken = smmu_calloc(user_count ? user_count : 1, sizeof(*taken));
	if (!taken) {
		run->b->oom = true;
		return -ENOMEM;
	}
	for (size_t i = 0; i < d->drhd_count; i++) {
		ssize_t u;

		if (d->drhds[i].segment != 0) {
			cfg_board_warning(run->b,
					  "DMAR DRHD %zu: the unit at 0x%" PRIx64
					  " serves PCI segment %u; only segment 0 is supported "
					  "(the client API names PCI devices without a segment), "
					  "so its devices are not protected",
					  i, d->drhds[i].register_base, d->drhds[i].segment);
			continue;
		}
		u = user_unit_at(cfg, user_count, taken, d->drhds[i].register_base);
		if (u >= 0) {
			take_user_unit(run, i, (size_t)u, taken, "same register base");
		}
	}
	for (size_t i = 0; i < d->drhd_count; i++) {
		ssize_t u;

		if (d->drhds[i].segment != 0 || run->unit_names[i]) {
			continue;
		}
		snprintf(name, sizeof(name), "dmar%zu", i);
		u = user_unit_named(cfg, user_count, taken, name);
		if (u >= 0) {
			take_user_unit(run, i, (size_t)u, taken, "same name");
		}
	}
	for (size_t i = 0; r == 0 && i < d->drhd_count; i++) {
		const struct fw_dmar_drhd *drhd = &d->drhds[i];
		char params[40];
		size_t index;

		if (drhd->segment != 0 || run->unit_names[i]) {
			continue;
		}
		snprintf(name, sizeof(name), "dmar%zu", i);
		snprintf(params, sizeof(params), "0x%" PRIx64 "%s", drhd->register_base,
			 drhd->flags & DMAR_DRHD_FLAGS_INCLUDE_PCI_ALL ? ",include-all" : "");
		r = cfg_board_add_unit(run->b, name, params, cfg_board_loc(run->b, PART_DRHD, i),
				       &index);
		if (r == 0) {
			run->unit_names[i] = cfg->units[index].name;
		}
	}
	for (size_t i = 0; r == 0 && i < d->drhd_count; i++) {
		if (!run->unit_names[i] || !(d->drhds[i].flags & DMAR_DRHD_FLAGS_INCLUDE_PCI_ALL)) {
			continue;
		}
		if (!run->include_all) {
			run->include_all = run->unit_names[i];
			run->include_all_drhd = (uint32_t)i;
		} else {
			cfg_board_note(run->b,
				       "DMAR DRHD %zu: a second INCLUDE_PCI_ALL unit on segment 0; "
				       "devices no scope lists go to %s",
				       i, run->include_all);
		}
	}
	smmu_free(taken);
	return r;
}

/* "start bus 0, path 28.0/0.0" */
static void format_path(const struct fw_dmar_scope *scope, struct strbuf *out)
{
	strbuf_printf(out, "start bus %u, path ", scope->start_bus);
	for (size_t i = 0; i < scope->path_count; i++) {
		strbuf_printf(out, "%s%u.%u", i ? "/" : "", scope->path[i].device,
			      scope->path[i].function);
	}
}

/*
 * The PCI function a scope names, as a device id.  Returns 0; 1 when it
 * cannot be found (a warning says why and what is lost); -ENOMEM.
 */
static int resolve(struct dmar_run *run, const char *part, size_t index,
		   const struct fw_dmar_scope *scope, struct cfg_device_id *ret_id)
{
	struct fw_pci_bdf bdf;
	struct strbuf path = STRBUF_INIT;
	char reason[96];
	int r = fw_dmar_scope_resolve(scope, 0, run->read_secondary_bus, run->pci_ctx, &bdf);

	if (r == 0) {
		*ret_id = (struct cfg_device_id){.kind = CFG_DEVICE_PCI};
		ret_id->pci.bus = bdf.bus;
		ret_id->pci.dev = bdf.device;
		ret_id->pci.func = bdf.function;
		return 0;
	}
	switch (r) {
	case -EOPNOTSUPP:
		snprintf(reason, sizeof(reason),
			 "the path goes through bridges, whose buses are read only for the "
			 "machine's own table");
		break;
	case -EINVAL:
		snprintf(reason, sizeof(reason), "the path names no valid device");
		break;
	case -ENODEV:
		snprintf(reason, sizeof(reason), "a bridge on the path has no secondary bus");
		break;
	default:
		snprintf(reason, sizeof(reason), "a bridge on the path cannot be read: %s",
			 strerror(-r));
		break;
	}
	format_path(scope, &path);
	cfg_board_warning(run->b,
			  "%s %zu: the PCI device at %s cannot be found (%s); it is left out", part,
			  index, path.oom ? "?" : strbuf_str(&path), reason);
	strbuf_fini(&path);
	return run->b->oom ? -ENOMEM : 1;
}

/* A note for a scope that names no PCI function. */
static void note_other_scope(struct dmar_run *run, const char *part, size_t index,
			     const struct fw_dmar_scope *scope)
{
	const char *why =
		scope->type == DMAR_SCOPE_TYPE_IOAPIC || scope->type == DMAR_SCOPE_TYPE_HPET
			? "interrupt remapping is not smmuman's"
			: "not a PCI device";

	cfg_board_note(run->b, "%s %zu: %s %u not used (%s)", part, index,
		       fw_dmar_scope_type_name(scope->type), scope->enumeration_id, why);
}

static int map_drhd_scopes(struct dmar_run *run, size_t i)
{
	const struct fw_dmar *d = run->dmar;
	const struct fw_dmar_scope_range *range = &d->drhds[i].scopes;
	struct cfg_loc loc = cfg_board_loc(run->b, PART_DRHD, (uint32_t)i);

	for (uint32_t s = range->first; s < range->first + range->count; s++) {
		const struct fw_dmar_scope *scope = &d->scopes[s];
		struct cfg_device_id id;
		size_t device;
		int r;

		if (scope->type != DMAR_SCOPE_TYPE_PCI_ENDPOINT &&
		    scope->type != DMAR_SCOPE_TYPE_PCI_SUB_HIERARCHY) {
			note_other_scope(run, PART_DRHD, i, scope);
			continue;
		}
		r = resolve(run, PART_DRHD, i, scope, &id);
		if (r > 0) {
			continue;
		}
		if (r == 0) {
			r = cfg_board_device(run->b, &id, loc, &device);
		}
		if (r == 0) {
			r = cfg_board_use(run->b, device, run->unit_names[i], loc);
		}
		if (r < 0) {
			return r;
		}
		if (scope->type == DMAR_SCOPE_TYPE_PCI_SUB_HIERARCHY) {
			cfg_board_note(run->b,
				       "DMAR DRHD %zu: pci:%u:%u.%u is a bridge; the devices below "
				       "it are behind %s too but are not listed here",
				       i, id.pci.bus, id.pci.dev, id.pci.func, run->unit_names[i]);
		}
	}
	return 0;
}

static ssize_t find_device(const struct cfg_config *cfg, const struct cfg_device_id *id)
{
	for (size_t i = 0; i < cfg->device_count; i++) {
		const struct cfg_device_id *other = &cfg->devices[i].id;

		if (other->kind == CFG_DEVICE_PCI && other->pci.segment == id->pci.segment &&
		    other->pci.bus == id->pci.bus && other->pci.dev == id->pci.dev &&
		    other->pci.func == id->pci.func) {
			return (ssize_t)i;
		}
	}
	return -1;
}

/* RMRR j: its region, inclusive limit made a length, on each of its PCI
 * devices. */
static int map_rmrr(struct dmar_run *run, size_t j)
{
	const struct fw_dmar_rmrr *rmrr = &run->dmar->rmrrs[j];
	struct cfg_loc loc = cfg_board_loc(run->b, PART_RMRR, (uint32_t)j);
	struct cfg_loc all_loc = cfg_board_loc(run->b, PART_DRHD, run->include_all_drhd);
	uint64_t size;

	if (rmrr->segment != 0) {
		cfg_board_warning(run->b,
				  "DMAR RMRR %zu: PCI segment %u is not supported; the region "
				  "0x%" PRIx64 "-0x%" PRIx64 " is left out",
				  j, rmrr->segment, rmrr->start, rmrr->last);
		return 0;
	}
	/* The decoder guarantees last >= start; only [0, 2^64 - 1] has no
	 * length that fits. */
	if (__builtin_add_overflow(rmrr->last - rmrr->start, 1, &size)) {
		cfg_board_warning(
			run->b, "DMAR RMRR %zu: a region over the whole address space is left out",
			j);
		return 0;
	}
	for (uint32_t s = rmrr->scopes.first; s < rmrr->scopes.first + rmrr->scopes.count; s++) {
		const struct fw_dmar_scope *scope = &run->dmar->scopes[s];
		struct cfg_device_id id;
		size_t device;
		int r;

		if (scope->type != DMAR_SCOPE_TYPE_PCI_ENDPOINT &&
		    scope->type != DMAR_SCOPE_TYPE_PCI_SUB_HIERARCHY) {
			note_other_scope(run, PART_RMRR, j, scope);
			continue;
		}
		r = resolve(run, PART_RMRR, j, scope, &id);
		if (r > 0) {
			continue;
		}
		if (r == 0 && find_device(run->b->cfg, &id) < 0 && !run->include_all) {
			cfg_board_warning(
				run->b,
				"DMAR RMRR %zu: pci:%u:%u.%u is in no unit's scope and "
				"there is no INCLUDE_PCI_ALL unit; its region is left out",
				j, id.pci.bus, id.pci.dev, id.pci.func);
			continue;
		}
		if (r == 0) {
			r = cfg_board_device(run->b, &id, loc, &device);
		}
		if (r == 0 && run->b->cfg->devices[device].use_count == 0 && run->include_all) {
			r = cfg_board_use(run->b, device, run->include_all, all_loc);
		}
		if (r == 0) {
			r = cfg_board_reserved(run->b, device, rmrr->start, size, loc);
		}
		if (r < 0) {
			return r;
		}
	}
	return 0;
}

/* Structures smmuman does not use: one note each. */
static void note_unused(struct dmar_run *run)
{
	const struct fw_dmar *d = run->dmar;

	for (size_t i = 0; i < d->atsr_count; i++) {
		cfg_board_note(
			run->b,
			"DMAR ATSR %zu: root ports that support ATS (segment %u%s) not used: "
			"smmuman does not enable ATS",
			i, d->atsrs[i].segment,
			d->atsrs[i].flags & DMAR_ATSR_FLAGS_ALL_PORTS ? ", all ports" : "");
	}
	for (size_t i = 0; i < d->rhsa_count; i++) {
		cfg_board_note(run->b,
			       "DMAR RHSA %zu: the unit at 0x%" PRIx64
			       " is in proximity domain %" PRIu32 " (not used)",
			       i, d->rhsas[i].register_base, d->rhsas[i].proximity_domain);
	}
	for (size_t i = 0; i < d->andd_count; i++) {
		struct strbuf name = STRBUF_INIT;

		cfg_board_escape(&name, d->andds[i].object_name, sizeof(d->andds[i].object_name));
		cfg_board_note(run->b, "DMAR ANDD %zu: ACPI namespace device %u is '%s' (not used)",
			       i, d->andds[i].device_number, name.oom ? "?" : strbuf_str(&name));
		strbuf_fini(&name);
	}
	for (size_t i = 0; i < d->satc_count; i++) {
		cfg_board_note(run->b,
			       "DMAR SATC %zu: SoC devices with an address translation cache "
			       "(segment %u) not used: smmuman does not enable ATS",
			       i, d->satcs[i].segment);
	}
	for (size_t i = 0; i < d->sidp_count; i++) {
		cfg_board_note(run->b, "DMAR SIDP %zu: SoC device properties (segment %u) not used",
			       i, d->sidps[i].segment);
	}
}

static int map_table(struct dmar_run *run)
{
	int r;

	note_summary(run);
	run->unit_names = smmu_calloc(run->dmar->drhd_count ? run->dmar->drhd_count : 1,
				      sizeof(*run->unit_names));
	if (!run->unit_names) {
		run->b->oom = true;
		return -ENOMEM;
	}
	r = map_units(run);
	for (size_t i = 0; r == 0 && i < run->dmar->drhd_count; i++) {
		if (run->unit_names[i]) {
			r = map_drhd_scopes(run, i);
		}
	}
	for (size_t j = 0; r == 0 && j < run->dmar->rmrr_count; j++) {
		r = map_rmrr(run, j);
	}
	if (r == 0) {
		note_unused(run);
	}
	smmu_free(run->unit_names);
	return r < 0 ? r : (run->b->oom ? -ENOMEM : 0);
}

/*
 * Discovery for `smmu vtd`: reads and decodes the DMAR table and adds its
 * facts to b->cfg.  Returns 0 (also when the table is absent or unusable
 * and that is only a warning), -EINVAL after an error in b->diags, or
 * -ENOMEM.
 */
int cfg_discover_dmar(struct cfg_board *b, const struct cfg_discover_options *opts)
{
	const char *path = opts->dmar_path ? opts->dmar_path : CFG_DMAR_MACHINE_PATH;
	struct cfg_system system = opts->system;
	struct dmar_run run = {.b = b};
	struct vtd_params params;
	struct fw_dmar dmar = {0};
	struct fw_error err = {0};
	char *canonical = NULL;
	char *text = NULL;
	char why[FW_ERROR_MESSAGE_SIZE + 64];
	size_t size = 0;
	int r;

	r = read_params(b, &params);
	if (r < 0) {
		return r;
	}
	r = cfg_board_set_source(b, path);
	if (r < 0) {
		return r;
	}
	if (params.ignore) {
		if (opts->dmar_path) {
			cfg_board_warning(b, "not read: 'smmu vtd ignore' says not to use the "
					     "firmware's description");
		}
		cfg_board_note(b, "DMAR not read: smmu vtd ignore");
		return b->oom ? -ENOMEM : 0;
	}
	cfg_system_complete(&system);
	r = system.read_file(system.ctx, path, &canonical, &text, &size);
	if (r == -ENOMEM) {
		b->oom = true;
		return r;
	}
	if (r < 0) {
		snprintf(why, sizeof(why), "cannot be read: %s", strerror(-r));
		return table_unusable(b, opts, &params, r == -ENOENT, why);
	}
	smmu_free(canonical);
	r = fw_dmar_parse(text, size, 0, &dmar, &err);
	smmu_free(text);
	if (r == -ENOMEM) {
		b->oom = true;
		return r;
	}
	if (r < 0) {
		snprintf(why, sizeof(why), "is not valid: %s", err.message);
		return table_unusable(b, opts, &params, false, why);
	}
	run.dmar = &dmar;
	run.read_secondary_bus = opts->read_secondary_bus;
	run.pci_ctx = opts->pci_ctx;
	if (!run.read_secondary_bus && !opts->dmar_path) {
		run.read_secondary_bus = sysfs_read_secondary_bus;
	}
	r = map_table(&run);
	fw_dmar_fini(&dmar);
	return r;
}
