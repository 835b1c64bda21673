/* SPDX-License-Identifier: Apache-2.0 */
/*
 * asinfo entries for $asinfo_start{NAME} and $asinfo_length{NAME}.
 *
 * QNX keeps named memory regions in the system page; Linux has none, so the
 * entries come from three sources, asked in this order, each loaded the first
 * time a name is looked up:
 *
 *  1. a syspage file (--syspage FILE or $SMMUMAN_SYSPAGE), one entry a line,
 *     `NAME START,LENGTH`, `#` comments, numbers as in .smmu files;
 *  2. the device tree's /reserved-memory child nodes, named by their node name
 *     without the `@unit` suffix, address and size from `reg`;
 *  3. /proc/iomem, every entry by its name (`end` there is inclusive).
 *
 * The first source that has the name answers; a name that source holds twice
 * is ambiguous and an error.
 */
#ifndef SMMU_CONFIG_CFG_ASINFO_H
#define SMMU_CONFIG_CFG_ASINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

struct strbuf;

struct cfg_asinfo_entry {
	char *name;
	uint64_t start;
	uint64_t size;
};

enum cfg_asinfo_kind {
	CFG_ASINFO_SYSPAGE,
	CFG_ASINFO_DEVICETREE,
	CFG_ASINFO_IOMEM,
};

struct cfg_asinfo_source {
	enum cfg_asinfo_kind kind;
	char *path;
	bool loaded;
	int load_error;	       /* -errno when the source exists but is unusable */
	bool addresses_hidden; /* /proc/iomem read without privilege: all zero */
	struct cfg_asinfo_entry *entries;
	size_t entry_count;
};

/* Owner: the configuration parser, for the length of one parse. */
struct cfg_asinfo {
	struct cfg_asinfo_source sources[3];
	size_t source_count;
	const struct cfg_system *system;
	struct cfg_diags *diags; /* where syspage file errors go */
};

/* Sets up the sources from the parse options; reads nothing yet.
 * Returns 0 or -ENOMEM. */
int cfg_asinfo_init(struct cfg_asinfo *asinfo, const struct cfg_parse_options *opts,
		    const struct cfg_system *system, struct cfg_diags *diags);
void cfg_asinfo_fini(struct cfg_asinfo *asinfo);

/*
 * Finds `name`.  Returns 0 and *ret_entry; or -ENOENT (no source has it),
 * -ENOTUNIQ (the first source that has it has it more than once), -EACCES
 * (/proc/iomem hides addresses from this user), -EINVAL (the syspage file has
 * errors, already reported), -ENOMEM.  On failure a sentence for the user is
 * appended to *why.
 */
int cfg_asinfo_lookup(struct cfg_asinfo *asinfo, const char *name,
		      const struct cfg_asinfo_entry **ret_entry, struct strbuf *why);

#endif
