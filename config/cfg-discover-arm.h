/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to config/: discovery for `smmu smmuv3` in two layers.
 *
 * A firmware source (the ACPI IORT in cfg-discover-iort.c, the device tree
 * in cfg-discover-fdt.c) reads its table and fills a neutral description of
 * the board, struct cfg_arm_board: SMMUv3 units, PCI root complexes with
 * their requester-ID to StreamID mappings, platform devices with their
 * StreamIDs, and memory that firmware keeps using for some StreamIDs.  It
 * notes (cfg_board_note()) what its table holds that the description has no
 * place for.
 *
 * cfg_arm_apply() then adds the description to the configuration as board
 * facts, by the override rules of cfg-discover-board.h and
 * smmuman.smmu(5), DISCOVERY:
 *
 *   unit N          unit smmuN 0xBASE,0  (or the preferred name); a user
 *                   unit at the same register base, or else of the same
 *                   name, takes its place
 *   root complex    every PCI device the configuration names (user or
 *                   board) on its segment and without a `use` gets
 *                   `use UNIT SID`, SID from its requester id
 *                   (bus << 8 | dev << 3 | fn) through the mappings; a
 *                   device no mapping covers is left alone with a warning
 *   platform device `device mem:...` + `use UNIT SID`; one that has only a
 *                   firmware name (an ACPI named component) is a note
 *   reserved        `reserved START,LEN` on every configured device whose
 *                   `use` names that unit and a StreamID in the range
 *
 * Nothing here knows a firmware format: a new source fills the same
 * description and calls nothing else.  The interface is kept stable for
 * the sources being written against it.
 */
#ifndef SMMU_CONFIG_CFG_DISCOVER_ARM_H
#define SMMU_CONFIG_CFG_DISCOVER_ARM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/cfg-discover-board.h"
#include "config/cfg-discover.h"
#include "config/config.h"

/* Where the description's parts come from, for locations and notes:
 * `part` is a static string naming the table structure ("IORT SMMUv3",
 * "FDT iommu-map"), `index` its number among those of its kind. */
struct cfg_arm_where {
	const char *part;
	uint32_t index;
};

/* An SMMUv3 unit. */
struct cfg_arm_unit {
	uint64_t base; /* register base (SMMUv3 page 0) */
	char *name;    /* preferred unit name, owned; NULL: "smmuN", N its index */
	struct cfg_arm_where where;
};

/* Requester IDs [rid_base, rid_base + rid_count - 1] of a root complex are
 * StreamIDs sid_base... of units[unit]. */
struct cfg_arm_rid_map {
	uint32_t rid_base;
	uint32_t rid_count; /* >= 1 */
	size_t unit;
	uint32_t sid_base;
};

/* A PCI root complex (host bridge) and where its requester IDs go. */
struct cfg_arm_root_complex {
	uint32_t segment;	      /* PCI segment (domain) */
	struct cfg_arm_rid_map *maps; /* owned */
	size_t map_count;
	struct cfg_arm_where where;
};

/* A platform (non-PCI) device with one StreamID.  A device with several
 * StreamIDs is one entry per StreamID; the first becomes its `use`. */
struct cfg_arm_platform_device {
	bool has_id;		 /* `id` is set; else only `name` names it */
	struct cfg_device_id id; /* a mem: device */
	char *name;		 /* the firmware's name for it, owned; may be NULL */
	size_t unit;
	uint32_t sid;
	struct cfg_arm_where where;
};

/* Memory [start, start + size) that DMA of StreamIDs [sid_base, sid_base +
 * sid_count - 1] of units[unit] uses before and after smmuman takes over. */
struct cfg_arm_reserved {
	size_t unit;
	uint32_t sid_base;
	uint32_t sid_count; /* >= 1 */
	uint64_t start;
	uint64_t size; /* > 0, start + size - 1 does not overflow */
	struct cfg_arm_where where;
};

/*
 * The neutral description.  Owner: the discovery run (zero it first);
 * cfg_arm_board_fini() frees every array and string.  Fill it with the
 * cfg_arm_add_*() helpers, which check unit indexes and limits.
 */
struct cfg_arm_board {
	struct cfg_arm_unit *units;
	size_t unit_count;
	struct cfg_arm_root_complex *root_complexes;
	size_t root_complex_count;
	struct cfg_arm_platform_device *platform_devices;
	size_t platform_device_count;
	struct cfg_arm_reserved *reserved;
	size_t reserved_count;
};

/* The `smmu smmuv3` parameters discovery understands; other words (e.g.
 * `stage=1`) belong to the support library. */
struct cfg_arm_params {
	bool require; /* no usable table is an error */
	bool ignore;  /* read no table */
};

/* Builders.  Each returns 0 (with the new entry's index where asked),
 * -EINVAL for a unit index out of range, an empty range or more than
 * SMMU_CFG_MAX_ITEMS entries, or -ENOMEM.  Strings are copied. */
int cfg_arm_add_unit(struct cfg_arm_board *arm, uint64_t base, const char *name,
		     struct cfg_arm_where where, size_t *ret_index);
int cfg_arm_add_root_complex(struct cfg_arm_board *arm, uint32_t segment,
			     struct cfg_arm_where where, size_t *ret_index);
int cfg_arm_add_rid_map(struct cfg_arm_board *arm, size_t root_complex, uint32_t rid_base,
			uint32_t rid_count, size_t unit, uint32_t sid_base);
/* `id` NULL: a device the configuration cannot name, known by `name`. */
int cfg_arm_add_platform_device(struct cfg_arm_board *arm, const struct cfg_device_id *id,
				const char *name, size_t unit, uint32_t sid,
				struct cfg_arm_where where);
int cfg_arm_add_reserved(struct cfg_arm_board *arm, size_t unit, uint32_t sid_base,
			 uint32_t sid_count, uint64_t start, uint64_t size,
			 struct cfg_arm_where where);

/* Frees everything *arm owns and zeroes it; accepts a zeroed or half-built one. */
void cfg_arm_board_fini(struct cfg_arm_board *arm);

/*
 * Adds *arm to b->cfg as board facts (see above).  b->source names the
 * table the description came from.  Returns 0, -EINVAL (a configuration
 * limit, reported) or -ENOMEM.
 */
int cfg_arm_apply(struct cfg_board *b, const struct cfg_arm_board *arm);

/*
 * For sources: the table `what` ("IORT", "device tree") at b->source cannot
 * be used and `why` says so ("cannot be read: ...").  A table named on the
 * command line (`named`) is an error; the machine's own is an error under
 * `require` (a warning with opts->inspect), else a warning.  Returns 0 or
 * -EINVAL.
 */
int cfg_arm_unusable(struct cfg_board *b, const struct cfg_discover_options *opts,
		     const struct cfg_arm_params *params, const char *what, bool named,
		     const char *why);

/*
 * For sources: reads the table `what` at `path` and makes it b->source.  0 with *ret_text
 * (the caller frees it) and *ret_size; else *ret_text is NULL and the value is the source's
 * to return (CFG_ARM_SOURCE_ABSENT, -ENOMEM, or cfg_arm_unusable()'s).
 */
int cfg_arm_source_read(struct cfg_board *b, const struct cfg_discover_options *opts,
			const struct cfg_arm_params *params, const char *what, const char *path,
			bool named, char **ret_text, size_t *ret_size);
/* For sources: the table's parser failed with `r` and `message`; the source's value. */
int cfg_arm_source_invalid(struct cfg_board *b, const struct cfg_discover_options *opts,
			   const struct cfg_arm_params *params, const char *what, bool named, int r,
			   const char *message);

/*
 * The sources.  Each reads its table (the file opts names, else the
 * machine's own), sets b->source, and fills *arm, which is zeroed on entry.
 * Returns 0 (filled; empty after a warning about an unusable table),
 * CFG_ARM_SOURCE_ABSENT when the machine has no such table and none was
 * named (nothing is reported), -EINVAL after an error in b->diags, or
 * -ENOMEM.
 *
 * cfg_discover_arm() tries them in this order: with --iort the IORT only,
 * with --fdt the device tree only (both: an error), with neither the
 * machine's IORT and, when it has none, the machine's device tree.
 */
#define CFG_ARM_SOURCE_ABSENT 1

/* ACPI IORT (cfg-discover-iort.c). */
int cfg_arm_source_iort(struct cfg_board *b, const struct cfg_discover_options *opts,
			const struct cfg_arm_params *params, struct cfg_arm_board *arm);
/* Device tree (cfg-discover-fdt.c). */
int cfg_arm_source_fdt(struct cfg_board *b, const struct cfg_discover_options *opts,
		       const struct cfg_arm_params *params, struct cfg_arm_board *arm);

#endif
