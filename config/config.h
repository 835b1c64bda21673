/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The configuration layer: turns command-line arguments and .smmu files into
 * plain data (struct cfg_config).  It reads files, environment variables and
 * asinfo sources, but knows nothing about IOMMU hardware: parameters that only
 * a support library understands (`smmu TYPE PARAMS`, `unit NAME PARAMS`,
 * `use UNIT PARAM`, `platform NAME PARAMS`) are kept as text, with their
 * location, for that library to validate.
 *
 * Every fact carries where it came from (file, line, column) and its origin
 * (user input or board discovery), so that later layers can report errors at
 * the right place and let user input override board information.
 */
#ifndef SMMU_CONFIG_CONFIG_H
#define SMMU_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/cfg-diag.h"

/*
 * Where a fact was stated.  `file` points into cfg_config.files.  A board
 * fact (CFG_ORIGIN_BOARD, see cfg-discover.h) names the firmware table it
 * was read from, with line 0, and `part` names the structure of that table
 * that stated it: a static string ("DMAR DRHD") and the structure's index
 * among those of its type.
 */
struct cfg_loc {
	const char *file;
	uint32_t line;	  /* 1-based; 0 when the fact has no source text */
	uint32_t col;	  /* 1-based byte column */
	const char *part; /* board facts only, else NULL */
	uint32_t part_index;
};

/* Who said it: the user (files, command line) or the board (firmware tables). */
enum cfg_origin {
	CFG_ORIGIN_USER,
	CFG_ORIGIN_BOARD,
};

/* `allow` permissions: s = the device may read memory (DMA source), t = the
 * device may write memory (DMA target). */
enum {
	CFG_PERM_SOURCE = 1u << 0,
	CFG_PERM_TARGET = 1u << 1,
	CFG_PERM_BOTH = CFG_PERM_SOURCE | CFG_PERM_TARGET,
};

/* A last-wins option whose value only its consumer understands. */
struct cfg_choice {
	char *name;   /* NULL when the option was not given */
	char *params; /* NULL when absent */
	struct cfg_loc loc;
};

/* `allow NAME START,LEN[,PERMS]`: one range of a named allow set. */
struct cfg_allow {
	char *name;
	uint64_t start;
	uint64_t size; /* > 0, start + size - 1 does not overflow */
	unsigned perms;
	struct cfg_loc loc;
	enum cfg_origin origin;
};

/* `reserved START,LEN` of a device. */
struct cfg_range {
	uint64_t start;
	uint64_t size;
	struct cfg_loc loc;
	enum cfg_origin origin;
};

enum cfg_device_kind {
	CFG_DEVICE_PCI,
	CFG_DEVICE_MEM,
};

/* How the configuration names a device: `pci:[SEG:]BUS:DEV.FUNC` or
 * `mem:PADDR[,LEN]`. */
struct cfg_device_id {
	enum cfg_device_kind kind;
	union {
		struct {
			uint16_t segment;
			uint8_t bus;
			uint8_t dev;
			uint8_t func;
		} pci;
		struct {
			uint64_t paddr;
			uint64_t size; /* 0 when not given */
		} mem;
	};
};

/* `use UNIT [PARAM]`: the device sits behind UNIT with a unit-specific
 * parameter (a StreamID on ARM, a micro-TLB on R-Car, nothing on VT-d). */
struct cfg_use {
	char *unit;
	char *param; /* NULL when absent */
	struct cfg_loc loc;
	enum cfg_origin origin;
};

/* A reference from `device SPEC NAME` to an allow set. */
struct cfg_allow_ref {
	char *name;
	struct cfg_loc loc;
};

struct cfg_device {
	struct cfg_device_id id;
	struct cfg_allow_ref *allow_refs;
	size_t allow_ref_count;
	struct cfg_use *uses;
	size_t use_count;
	struct cfg_range *reserved;
	size_t reserved_count;
	struct cfg_loc loc; /* where the device was first named */
	enum cfg_origin origin;
};

/* `unit NAME PARAMS`: one IOMMU unit, parameters for its support library. */
struct cfg_unit {
	char *name;
	char *params;
	struct cfg_loc loc;
	enum cfg_origin origin;
};

enum cfg_safety {
	CFG_SAFETY_UNSET,
	CFG_SAFETY_NONE,     /* ignore whether components are safety-certified */
	CFG_SAFETY_WARN,     /* warn about uncertified components and run */
	CFG_SAFETY_REQUIRED, /* uncertified component: design safe state */
};

/* Abilities a client may hold (QNX smmu/attach and smmu/target). */
enum cfg_ability {
	CFG_ABILITY_ATTACH,
	CFG_ABILITY_TARGET,
	CFG_ABILITY_COUNT,
};

enum cfg_principal_kind {
	CFG_PRINCIPAL_UID,
	CFG_PRINCIPAL_GID,
	CFG_PRINCIPAL_USER,  /* a user name, resolved by the service */
	CFG_PRINCIPAL_GROUP, /* a group name, resolved by the service */
};

/* `permit ABILITY WHO`: who besides root holds an ability. */
struct cfg_permit {
	enum cfg_ability ability;
	enum cfg_principal_kind kind;
	uint32_t id; /* UID/GID kinds */
	char *name;  /* USER/GROUP kinds, else NULL */
	struct cfg_loc loc;
};

/*
 * The whole configuration.  Owner: the caller of cfg_parse(); free with
 * cfg_config_fini().  Arrays keep the order in which options were read.
 */
struct cfg_config {
	bool debug_set;
	unsigned debug;
	bool foreground;
	enum cfg_safety safety;
	struct cfg_choice smmu;
	struct cfg_choice platform;
	char *socket_path; /* NULL: build-time default */
	char *libdir;	   /* NULL: build-time default */

	struct cfg_unit *units;
	size_t unit_count;
	struct cfg_allow *allows;
	size_t allow_count;
	struct cfg_device *devices;
	size_t device_count;
	struct cfg_permit *permits;
	size_t permit_count;

	/* Names of every source read (files, "<command line>" and firmware
	 * tables); cfg_loc.file points into these. */
	char **files;
	size_t file_count;
};

/* Hooks that let tests and fuzzers replace the system.  NULL members mean
 * "the real thing". */
struct cfg_system {
	/*
	 * Reads a whole file.  On success returns 0 and hands over (malloc'ed,
	 * freed by the caller with smmu_free) the text and a canonical name used
	 * to detect include cycles; on failure returns -errno.
	 */
	int (*read_file)(void *ctx, const char *path, char **ret_canonical, char **ret_text,
			 size_t *ret_size);
	/* Returns an environment variable's value or NULL. */
	const char *(*get_env)(void *ctx, const char *name);
	void *ctx;
};

struct cfg_parse_options {
	/* asinfo sources, in lookup order.  syspage_path NULL: taken from
	 * $SMMUMAN_SYSPAGE if set, else no syspage file.  The others default
	 * to /proc/device-tree and /proc/iomem. */
	const char *syspage_path;
	const char *devicetree_root;
	const char *iomem_path;
	struct cfg_system system;
};

/*
 * Reads the configuration given as command-line words (argv after the
 * service's own flags) into *cfg, which must be zeroed.  The words are joined
 * with spaces and read as one line named "<command line>"; `@FILE` words
 * include files.  Errors and warnings are appended to *diags.
 *
 * Returns 0 when the configuration is valid, -EINVAL when diags holds at
 * least one error, -ENOMEM when memory ran out.  On failure *cfg holds what
 * was read so far and must still be freed with cfg_config_fini().
 */
int cfg_parse_args(struct cfg_config *cfg, int argc, char *const argv[],
		   const struct cfg_parse_options *opts, struct cfg_diags *diags);

/* Frees everything *cfg owns and zeroes it.  Accepts a zeroed config. */
void cfg_config_fini(struct cfg_config *cfg);

/*
 * Prints *cfg as .smmu text in canonical form: one option per line, addresses
 * and sizes as lower-case 0x hex, PCI numbers decimal, permissions as s, t or
 * st.  A board fact's line ends in a comment that names its origin
 * ("unit dmar0 0xfed90000 # board: DMAR DRHD 0").  Parsing the output gives
 * a config with the same facts, all from the user, that dumps the same text
 * less those comments.  The string is appended to *out.
 */
struct strbuf;
void cfg_dump(const struct cfg_config *cfg, struct strbuf *out);

/* Formats a device id as the configuration writes it ("pci:0:18.0"). */
void cfg_device_id_format(const struct cfg_device_id *id, struct strbuf *out);

/* The allow ranges named `name`, in order; NULL-terminated walking helper:
 * returns the index of the next allow with that name at or after `from`, or
 * cfg->allow_count when there is none. */
size_t cfg_allow_next(const struct cfg_config *cfg, const char *name, size_t from);

#endif
