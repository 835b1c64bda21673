/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Board facts next to the user's configuration: the override rules of
 * cfg-discover-board.h, notes, and the diagnostics of a discovery run.
 * Nothing here knows a firmware table's format.
 */
#include "config/cfg-discover-board.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/limits.h"
#include "common/strbuf.h"
#include "config/cfg-number.h"

/* Unit names the board proposes are short ("dmar12"); a clash with the
 * user's names is rare, and this many suffixes always finds a free one
 * below SMMU_CFG_MAX_ITEMS units. */
#define UNIT_NAME_SIZE 32

static int board_oom(struct cfg_board *b)
{
	b->oom = true;
	return -ENOMEM;
}

/* Grows an array by one zeroed element, within SMMU_CFG_MAX_ITEMS. */
static void *push(struct cfg_board *b, void **items, size_t *count, size_t item_size,
		  const char *what)
{
	char *grown;

	if (*count >= SMMU_CFG_MAX_ITEMS) {
		cfg_board_error(b, "too many %s with the board's (at most %d)", what,
				SMMU_CFG_MAX_ITEMS);
		return NULL;
	}
	grown = smmu_reallocarray(*items, *count + 1, item_size);
	if (!grown) {
		board_oom(b);
		return NULL;
	}
	*items = grown;
	memset(grown + *count * item_size, 0, item_size);
	return grown + (*count)++ * item_size;
}

/* The error a failed push() stands for. */
static int push_error(const struct cfg_board *b)
{
	return b->oom ? -ENOMEM : -EINVAL;
}

int cfg_board_set_source(struct cfg_board *b, const char *name)
{
	struct cfg_config *cfg = b->cfg;
	char **files;
	char *copy;

	for (size_t i = 0; i < cfg->file_count; i++) {
		if (strcmp(cfg->files[i], name) == 0) {
			b->source = cfg->files[i];
			return 0;
		}
	}
	copy = smmu_strdup(name);
	files = copy ? smmu_reallocarray(cfg->files, cfg->file_count + 1, sizeof(*files)) : NULL;
	if (!files) {
		smmu_free(copy);
		return board_oom(b);
	}
	cfg->files = files;
	cfg->files[cfg->file_count++] = copy;
	b->source = copy;
	return 0;
}

struct cfg_loc cfg_board_loc(const struct cfg_board *b, const char *part, uint32_t index)
{
	return (struct cfg_loc){.file = b->source, .part = part, .part_index = index};
}

void cfg_board_note(struct cfg_board *b, const char *fmt, ...)
{
	struct cfg_discover_report *report = b->report;
	struct strbuf text = STRBUF_INIT;
	char **notes;
	char *note;
	va_list ap;

	if (report->note_count >= SMMU_CFG_MAX_ITEMS) {
		return; /* every structure of the largest table has had its say */
	}
	va_start(ap, fmt);
	strbuf_vprintf(&text, fmt, ap);
	va_end(ap);
	note = strbuf_take(&text);
	notes = note ? smmu_reallocarray(report->notes, report->note_count + 1, sizeof(*notes))
		     : NULL;
	if (!notes) {
		smmu_free(note);
		report->oom = true;
		board_oom(b);
		return;
	}
	report->notes = notes;
	report->notes[report->note_count++] = note;
}

static void SMMU_PRINTF(3, 0)
	board_diag(struct cfg_board *b, enum cfg_severity severity, const char *fmt, va_list ap)
{
	cfg_diag_vadd(b->diags, severity, b->source ? b->source : "DMAR", 0, 0, NULL, fmt, ap);
	if (b->diags->oom) {
		board_oom(b);
	}
}

void cfg_board_warning(struct cfg_board *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	board_diag(b, CFG_SEVERITY_WARNING, fmt, ap);
	va_end(ap);
}

void cfg_board_error(struct cfg_board *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	board_diag(b, CFG_SEVERITY_ERROR, fmt, ap);
	va_end(ap);
}

/* A diagnostic at the configuration's `smmu TYPE` option, where require and ignore are
 * written. */
void cfg_board_smmu_diag(struct cfg_board *b, enum cfg_severity severity, const char *fmt, ...)
{
	const struct cfg_loc *loc = &b->cfg->smmu.loc;
	va_list ap;

	va_start(ap, fmt);
	cfg_diag_vadd(b->diags, severity, loc->file, loc->line, loc->col, NULL, fmt, ap);
	va_end(ap);
	if (b->diags->oom) {
		b->oom = true;
	}
}

/* `smmu TYPE [PARAMS]`: whether the comma-separated PARAMS hold the discovery words require
 * and ignore.  Other words are the support library's and are not looked at here. */
void cfg_board_smmu_words(const struct cfg_board *b, bool *ret_require, bool *ret_ignore)
{
	const char *p = b->cfg->smmu.params;

	*ret_require = false;
	*ret_ignore = false;
	while (p && *p) {
		size_t len = strcspn(p, ",");

		if (len == 7 && memcmp(p, "require", 7) == 0) {
			*ret_require = true;
		} else if (len == 6 && memcmp(p, "ignore", 6) == 0) {
			*ret_ignore = true;
		}
		p += len + (p[len] == ',');
	}
}

void cfg_board_escape(struct strbuf *out, const char *bytes, size_t max)
{
	for (size_t i = 0; i < max && bytes[i]; i++) {
		unsigned char c = (unsigned char)bytes[i];

		if (c >= 0x20 && c < 0x7f) {
			strbuf_putc(out, (char)c);
		} else {
			strbuf_printf(out, "\\x%02x", c);
		}
	}
}

/* The opening of a source's summary note: "WHAT from SOURCE: OEM 'ID' 'TABLE ID'", the
 * identification an ACPI table's header carries (fixed-size fields, escaped). */
void cfg_board_describe_source(struct strbuf *out, const struct cfg_board *b, const char *what,
			       const char *oem_id, size_t oem_id_size, const char *oem_table_id,
			       size_t oem_table_id_size)
{
	strbuf_printf(out, "%s from ", what);
	cfg_board_escape(out, b->source, SIZE_MAX);
	strbuf_puts(out, ": OEM '");
	cfg_board_escape(out, oem_id, oem_id_size);
	strbuf_puts(out, "' '");
	cfg_board_escape(out, oem_table_id, oem_table_id_size);
	strbuf_puts(out, "'");
}

int cfg_board_unit_paddr(const struct cfg_unit *unit, uint64_t *ret_paddr)
{
	struct cfg_number_error error;
	const char *comma = strchr(unit->params, ',');
	size_t len = comma ? (size_t)(comma - unit->params) : strlen(unit->params);

	return cfg_number_parse(unit->params, len, CFG_NUMBER_ADDRESS, ret_paddr, &error) < 0
		       ? -EINVAL
		       : 0;
}

struct cfg_unit *cfg_board_unit_by_name(const struct cfg_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->unit_count; i++) {
		if (strcmp(cfg->units[i].name, name) == 0) {
			return &cfg->units[i];
		}
	}
	return NULL;
}

int cfg_board_add_unit(struct cfg_board *b, const char *name, const char *params,
		       struct cfg_loc loc, size_t *ret_index)
{
	struct cfg_config *cfg = b->cfg;
	char free_name[UNIT_NAME_SIZE];
	struct cfg_unit *unit;

	snprintf(free_name, sizeof(free_name), "%s", name);
	for (unsigned k = 1; cfg_board_unit_by_name(cfg, free_name); k++) {
		snprintf(free_name, sizeof(free_name), "%s-%u", name, k);
	}
	unit = push(b, (void **)&cfg->units, &cfg->unit_count, sizeof(*unit), "units");
	if (!unit) {
		return push_error(b);
	}
	unit->loc = loc;
	unit->origin = CFG_ORIGIN_BOARD;
	unit->name = smmu_strdup(free_name);
	unit->params = smmu_strdup(params);
	if (!unit->name || !unit->params) {
		/* A unit without a name or parameters would break the dump:
		 * take it back out. */
		smmu_free(unit->name);
		smmu_free(unit->params);
		cfg->unit_count--;
		return board_oom(b);
	}
	*ret_index = cfg->unit_count - 1;
	return 0;
}

static bool same_device(const struct cfg_device_id *a, const struct cfg_device_id *b)
{
	if (a->kind != b->kind) {
		return false;
	}
	if (a->kind == CFG_DEVICE_PCI) {
		return a->pci.segment == b->pci.segment && a->pci.bus == b->pci.bus &&
		       a->pci.dev == b->pci.dev && a->pci.func == b->pci.func;
	}
	return a->mem.paddr == b->mem.paddr;
}

int cfg_board_device(struct cfg_board *b, const struct cfg_device_id *id, struct cfg_loc loc,
		     size_t *ret_index)
{
	struct cfg_config *cfg = b->cfg;
	struct cfg_device *device;

	for (size_t i = 0; i < cfg->device_count; i++) {
		if (same_device(&cfg->devices[i].id, id)) {
			*ret_index = i;
			return 0;
		}
	}
	device = push(b, (void **)&cfg->devices, &cfg->device_count, sizeof(*device), "devices");
	if (!device) {
		return push_error(b);
	}
	device->id = *id;
	device->loc = loc;
	device->origin = CFG_ORIGIN_BOARD;
	*ret_index = cfg->device_count - 1;
	return 0;
}

/* "pci:0:2.0" for notes. */
static void format_device(const struct cfg_device *device, struct strbuf *out)
{
	cfg_device_id_format(&device->id, out);
}

static bool same_param(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int cfg_board_use(struct cfg_board *b, size_t index, const char *unit, struct cfg_loc loc)
{
	return cfg_board_use_param(b, index, unit, NULL, loc);
}

int cfg_board_use_param(struct cfg_board *b, size_t index, const char *unit, const char *param,
			struct cfg_loc loc)
{
	struct cfg_device *device = &b->cfg->devices[index];
	const struct cfg_use *user_use = NULL;
	const struct cfg_use *board_use = NULL;
	struct strbuf spec = STRBUF_INIT;
	struct cfg_use *use;

	for (size_t i = 0; i < device->use_count; i++) {
		const struct cfg_use *old = &device->uses[i];

		if (old->origin == CFG_ORIGIN_USER && (!user_use || strcmp(old->unit, unit) == 0)) {
			user_use = old;
		} else if (old->origin == CFG_ORIGIN_BOARD && !board_use) {
			board_use = old;
		}
	}
	format_device(device, &spec);
	if (user_use && strcmp(user_use->unit, unit) != 0) {
		cfg_board_note(b, "%s %" PRIu32 ": %s stays behind the user's unit %s, not %s",
			       loc.part, loc.part_index, strbuf_str(&spec), user_use->unit, unit);
	} else if (user_use && param && !same_param(user_use->param, param)) {
		cfg_board_note(b, "%s %" PRIu32 ": %s keeps the user's use %s %s, not %s", loc.part,
			       loc.part_index, strbuf_str(&spec), user_use->unit,
			       user_use->param ? user_use->param : "(no parameter)", param);
	} else if (!user_use && board_use &&
		   (strcmp(board_use->unit, unit) != 0 ||
		    (param && !same_param(board_use->param, param)))) {
		cfg_board_note(
			b,
			"%s %" PRIu32 ": %s is listed again; it stays behind %s%s%s (%s %" PRIu32
			"), not %s%s%s",
			loc.part, loc.part_index, strbuf_str(&spec), board_use->unit,
			board_use->param ? " " : "", board_use->param ? board_use->param : "",
			board_use->loc.part, board_use->loc.part_index, unit, param ? " " : "",
			param ? param : "");
	}
	strbuf_fini(&spec);
	if (user_use || board_use) {
		return b->oom ? -ENOMEM : 0;
	}
	use = push(b, (void **)&device->uses, &device->use_count, sizeof(*use),
		   "units of a device");
	if (!use) {
		return push_error(b);
	}
	use->unit = smmu_strdup(unit);
	use->param = param ? smmu_strdup(param) : NULL;
	use->loc = loc;
	use->origin = CFG_ORIGIN_BOARD;
	if (!use->unit || (param && !use->param)) {
		smmu_free(use->unit);
		smmu_free(use->param);
		device->use_count--;
		return board_oom(b);
	}
	return 0;
}

int cfg_board_reserved(struct cfg_board *b, size_t index, uint64_t start, uint64_t size,
		       struct cfg_loc loc)
{
	struct cfg_device *device = &b->cfg->devices[index];
	struct cfg_range *range;

	for (size_t i = 0; i < device->reserved_count; i++) {
		if (device->reserved[i].start == start && device->reserved[i].size == size) {
			return 0;
		}
	}
	range = push(b, (void **)&device->reserved, &device->reserved_count, sizeof(*range),
		     "reserved regions");
	if (!range) {
		return push_error(b);
	}
	*range = (struct cfg_range){start, size, loc, CFG_ORIGIN_BOARD};
	return 0;
}
