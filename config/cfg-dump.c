/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The canonical text of a configuration: one option per line, includes and
 * substitutions resolved, addresses and sizes in lower-case 0x hex, PCI
 * numbers decimal, permissions s, t or st.  Reading it back gives a
 * configuration that dumps the same text, which the tests and the fuzz
 * target check.
 *
 * Order: global options, then units, allow ranges and devices, each in the
 * order they were read (board facts after the user's).  Parameters that
 * belong to a support library are printed as they were written (after
 * substitution).  A board fact's line ends in "# board: PART INDEX": the
 * parser drops the comment, so the text reads back as the same facts from
 * the user.
 */
#include "config/config.h"

#include <inttypes.h>

#include "common/strbuf.h"

static const char *perms_text(unsigned perms)
{
	switch (perms) {
	case CFG_PERM_SOURCE:
		return "s";
	case CFG_PERM_TARGET:
		return "t";
	default:
		return "st";
	}
}

static const char *safety_text(enum cfg_safety safety)
{
	switch (safety) {
	case CFG_SAFETY_NONE:
		return "none";
	case CFG_SAFETY_WARN:
		return "warn";
	case CFG_SAFETY_REQUIRED:
		return "required";
	case CFG_SAFETY_UNSET:
		break;
	}
	return NULL;
}

void cfg_device_id_format(const struct cfg_device_id *id, struct strbuf *out)
{
	if (id->kind == CFG_DEVICE_MEM) {
		strbuf_printf(out, "mem:0x%" PRIx64, id->mem.paddr);
		if (id->mem.size) {
			strbuf_printf(out, ",0x%" PRIx64, id->mem.size);
		}
		return;
	}
	strbuf_puts(out, "pci:");
	if (id->pci.segment) {
		strbuf_printf(out, "%u:", id->pci.segment);
	}
	strbuf_printf(out, "%u:%u.%u", id->pci.bus, id->pci.dev, id->pci.func);
}

/* Ends an option's line, with its origin when the board stated it. */
static void end_line(const struct cfg_loc *loc, enum cfg_origin origin, struct strbuf *out)
{
	if (origin == CFG_ORIGIN_BOARD) {
		strbuf_printf(out, " # board: %s %" PRIu32, loc->part ? loc->part : "firmware",
			      loc->part_index);
	}
	strbuf_putc(out, '\n');
}

static void dump_choice(const char *keyword, const struct cfg_choice *choice, struct strbuf *out)
{
	if (!choice->name) {
		return;
	}
	strbuf_printf(out, "%s %s", keyword, choice->name);
	if (choice->params) {
		strbuf_printf(out, " %s", choice->params);
	}
	strbuf_putc(out, '\n');
}

static void dump_permit(const struct cfg_permit *permit, struct strbuf *out)
{
	static const char *const kinds[] = {
		[CFG_PRINCIPAL_UID] = "uid",
		[CFG_PRINCIPAL_GID] = "gid",
		[CFG_PRINCIPAL_USER] = "user",
		[CFG_PRINCIPAL_GROUP] = "group",
	};

	strbuf_printf(out,
		      "permit %s %s:", permit->ability == CFG_ABILITY_ATTACH ? "attach" : "target",
		      kinds[permit->kind]);
	if (permit->name) {
		strbuf_printf(out, "%s\n", permit->name);
	} else {
		strbuf_printf(out, "%" PRIu32 "\n", permit->id);
	}
}

static void dump_device(const struct cfg_device *device, struct strbuf *out)
{
	struct strbuf spec = STRBUF_INIT;

	cfg_device_id_format(&device->id, &spec);
	strbuf_printf(out, "device %s", strbuf_str(&spec));
	if (device->allow_ref_count) {
		strbuf_printf(out, " %s", device->allow_refs[0].name);
	}
	end_line(&device->loc, device->origin, out);
	/* Naming the device again adds an allow set to it. */
	for (size_t i = 1; i < device->allow_ref_count; i++) {
		strbuf_printf(out, "device %s %s\n", strbuf_str(&spec), device->allow_refs[i].name);
	}
	for (size_t i = 0; i < device->use_count; i++) {
		const struct cfg_use *use = &device->uses[i];

		strbuf_printf(out, "use %s%s%s", use->unit, use->param ? " " : "",
			      use->param ? use->param : "");
		end_line(&use->loc, use->origin, out);
	}
	for (size_t i = 0; i < device->reserved_count; i++) {
		const struct cfg_range *range = &device->reserved[i];

		strbuf_printf(out, "reserved 0x%" PRIx64 ",0x%" PRIx64, range->start, range->size);
		end_line(&range->loc, range->origin, out);
	}
	strbuf_fini(&spec);
}

void cfg_dump(const struct cfg_config *cfg, struct strbuf *out)
{
	if (cfg->debug_set) {
		strbuf_printf(out, "debug %u\n", cfg->debug);
	}
	if (cfg->foreground) {
		strbuf_puts(out, "foreground\n");
	}
	if (safety_text(cfg->safety)) {
		strbuf_printf(out, "safety %s\n", safety_text(cfg->safety));
	}
	dump_choice("smmu", &cfg->smmu, out);
	dump_choice("platform", &cfg->platform, out);
	if (cfg->socket_path) {
		strbuf_printf(out, "socket %s\n", cfg->socket_path);
	}
	if (cfg->libdir) {
		strbuf_printf(out, "libdir %s\n", cfg->libdir);
	}
	for (size_t i = 0; i < cfg->permit_count; i++) {
		dump_permit(&cfg->permits[i], out);
	}
	for (size_t i = 0; i < cfg->unit_count; i++) {
		const struct cfg_unit *unit = &cfg->units[i];

		strbuf_printf(out, "unit %s %s", unit->name, unit->params);
		end_line(&unit->loc, unit->origin, out);
	}
	for (size_t i = 0; i < cfg->allow_count; i++) {
		const struct cfg_allow *allow = &cfg->allows[i];

		strbuf_printf(out, "allow %s 0x%" PRIx64 ",0x%" PRIx64 ",%s", allow->name,
			      allow->start, allow->size, perms_text(allow->perms));
		end_line(&allow->loc, allow->origin, out);
	}
	for (size_t i = 0; i < cfg->device_count; i++) {
		dump_device(&cfg->devices[i], out);
	}
}
