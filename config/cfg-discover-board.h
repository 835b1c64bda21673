/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to config/: adding board facts to a configuration under the rule
 * that user input overrides the board, for every discovery source (the
 * DMAR, and the IORT through cfg-discover-arm.h).  A source decides what
 * the firmware says; these helpers decide what of it survives next to the
 * user's configuration:
 *
 *  - Units: the source matches each firmware unit with the user's `unit`
 *    lines itself (cfg_board_unit_paddr() helps) and adds the rest with
 *    cfg_board_add_unit().  A user unit is never changed.
 *  - Devices: cfg_board_device() finds the device the user named, or adds
 *    it as a board device.
 *  - Uses: a device the user gave a `use` keeps exactly the user's uses;
 *    otherwise the board's first use is added, and a second board use of
 *    the same device (a table that lists it twice) only makes a note.
 *  - Reserved regions are added to the device whoever named it, unless the
 *    same region is already there.
 *
 * Each helper reports what it did not add as a note, and a configuration
 * limit as an error.
 */
#ifndef SMMU_CONFIG_CFG_DISCOVER_BOARD_H
#define SMMU_CONFIG_CFG_DISCOVER_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/compiler.h"
#include "config/cfg-discover.h"
#include "config/config.h"

/* One discovery run.  Borrows everything it points to. */
struct cfg_board {
	struct cfg_config *cfg;
	struct cfg_diags *diags;
	struct cfg_discover_report *report;
	const char *source; /* the table's name, interned in cfg->files; NULL before */
	bool oom;
};

/* Interns `name` in cfg->files and makes it b->source.  0 or -ENOMEM. */
int cfg_board_set_source(struct cfg_board *b, const char *name);

/* The location of a fact stated by structure `part` number `index` of the
 * source table. */
struct cfg_loc cfg_board_loc(const struct cfg_board *b, const char *part, uint32_t index);

/* Appends a note to the report.  Untrusted text must be escaped first
 * (cfg_board_escape()).  Out of memory marks the report and the run. */
void cfg_board_note(struct cfg_board *b, const char *fmt, ...) SMMU_PRINTF(2, 3);
/* A warning or error about the source table as a whole ("FILE: warning: ..."). */
void cfg_board_warning(struct cfg_board *b, const char *fmt, ...) SMMU_PRINTF(2, 3);
void cfg_board_error(struct cfg_board *b, const char *fmt, ...) SMMU_PRINTF(2, 3);

/* A diagnostic at the `smmu TYPE` option of the configuration. */
void cfg_board_smmu_diag(struct cfg_board *b, enum cfg_severity severity, const char *fmt, ...)
	SMMU_PRINTF(3, 4);
/* Whether `smmu TYPE PARAMS` holds the discovery words require and ignore. */
void cfg_board_smmu_words(const struct cfg_board *b, bool *ret_require, bool *ret_ignore);

/* Appends `bytes` up to the first NUL or `max` bytes to *out, printable
 * ASCII as is and everything else as \xNN, so that firmware strings cannot
 * break a line or a terminal (ACPI names keep their leading '\'). */
struct strbuf;
void cfg_board_escape(struct strbuf *out, const char *bytes, size_t max);
/* "WHAT from SOURCE: OEM 'ID' 'TABLE ID'", the opening of a source's summary note. */
void cfg_board_describe_source(struct strbuf *out, const struct cfg_board *b, const char *what,
			       const char *oem_id, size_t oem_id_size, const char *oem_table_id,
			       size_t oem_table_id_size);

/* The register address a unit's parameters start with (`PADDR[,...]`).
 * Returns 0, or -EINVAL when they do not start with an address. */
int cfg_board_unit_paddr(const struct cfg_unit *unit, uint64_t *ret_paddr);

/* The unit named `name`, or NULL. */
struct cfg_unit *cfg_board_unit_by_name(const struct cfg_config *cfg, const char *name);

/*
 * Adds a board unit.  `name` is a preferred name: when a unit of that name
 * exists, "NAME-1", "NAME-2", ... is used instead.  On success *ret_index
 * is the new unit's index.  Returns 0, -EINVAL (limit, reported) or -ENOMEM.
 */
int cfg_board_add_unit(struct cfg_board *b, const char *name, const char *params,
		       struct cfg_loc loc, size_t *ret_index);

/* Finds the device `id` or adds it as a board device stated at `loc`.
 * Returns 0 with its index, -EINVAL (limit, reported) or -ENOMEM. */
int cfg_board_device(struct cfg_board *b, const struct cfg_device_id *id, struct cfg_loc loc,
		     size_t *ret_index);

/* Puts device `index` behind unit `unit` (no parameter), by the rules
 * above.  Returns 0 (added or left to the user, with a note), -EINVAL
 * (limit) or -ENOMEM. */
int cfg_board_use(struct cfg_board *b, size_t index, const char *unit, struct cfg_loc loc);
/* The same with the unit's parameter (`use UNIT PARAM`, an ARM StreamID);
 * `param` NULL is cfg_board_use().  A second board use of the device with
 * another unit or parameter only makes a note. */
int cfg_board_use_param(struct cfg_board *b, size_t index, const char *unit, const char *param,
			struct cfg_loc loc);

/* Gives device `index` the reserved region [start, start + size), size > 0,
 * unless it has it.  Returns 0, -EINVAL (limit) or -ENOMEM. */
int cfg_board_reserved(struct cfg_board *b, size_t index, uint64_t start, uint64_t size,
		       struct cfg_loc loc);

/* The sources, one per firmware table format. */

/* `smmu vtd`: the ACPI DMAR table (cfg-discover-dmar.c). */
int cfg_discover_dmar(struct cfg_board *b, const struct cfg_discover_options *opts);
/* `smmu smmuv3`: the ACPI IORT or the device tree (cfg-discover-arm.c). */
int cfg_discover_arm(struct cfg_board *b, const struct cfg_discover_options *opts);

#endif
