/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Board discovery: after the configuration is read, adds what the firmware
 * says about the IOMMUs (units, the devices behind them, their reserved
 * regions) to it as board facts (CFG_ORIGIN_BOARD), under the rule that user
 * input overrides the board (QNX smmuman, "Processing model").  Today that
 * is the ACPI DMAR table for `smmu vtd`, and the ACPI IORT (or else the
 * device tree) for `smmu smmuv3`; other support library types discover
 * nothing.
 *
 * What the user said is never removed or changed: discovery only adds facts
 * the user did not state.  The override rules are in cfg-discover-board.h
 * and smmuman.smmu(5), DISCOVERY.
 */
#ifndef SMMU_CONFIG_CFG_DISCOVER_H
#define SMMU_CONFIG_CFG_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "firmware/dmar.h"

/* Where the machine's own DMAR table is (Linux exports every ACPI table
 * there, readable by root only). */
#define CFG_DMAR_MACHINE_PATH "/sys/firmware/acpi/tables/DMAR"
/* The same for the IORT of an ACPI Arm machine, and the flattened device
 * tree Linux keeps of a device-tree machine. */
#define CFG_IORT_MACHINE_PATH "/sys/firmware/acpi/tables/IORT"
#define CFG_FDT_MACHINE_PATH "/sys/firmware/fdt"

struct cfg_discover_options {
	/* The DMAR table to read (--dmar FILE); NULL reads the machine's own,
	 * CFG_DMAR_MACHINE_PATH.  A file named here that cannot be read or
	 * decoded is always an error: it was asked for by name. */
	const char *dmar_path;
	/* The same for `smmu smmuv3`: the ACPI IORT (--iort FILE) and the
	 * flattened device tree (--fdt FILE).  With neither, the machine's IORT
	 * is read, and its device tree when it has no IORT; naming both is an
	 * error. */
	const char *iort_path;
	const char *fdt_path;
	/*
	 * The caller only reports on the configuration (--check,
	 * --dump-config) and will not drive hardware: a `require` that the
	 * machine's own table does not meet is then a warning saying the
	 * service would refuse to start, so that a configuration can be
	 * checked on a machine other than the one it is for.
	 */
	bool inspect;
	/* read_file reads the table; NULL members mean the real thing. */
	struct cfg_system system;
	/*
	 * Reads a bridge's secondary bus, for scope paths that walk through
	 * bridges.  NULL: the machine's PCI configuration space through sysfs
	 * when the table is the machine's own, nothing for a --dmar file (such
	 * a scope is then skipped with a warning).
	 */
	fw_pci_read_secondary_bus_fn read_secondary_bus;
	void *pci_ctx;
};

/*
 * What discovery read but did not add as a fact: structures smmuman does
 * not use, facts the user overrode, scopes it could not represent.  One
 * line each, without a newline.  Owner: the caller (zero it first); free
 * with cfg_discover_report_fini().
 */
struct cfg_discover_report {
	char **notes;
	size_t note_count;
	bool oom; /* a note was lost for lack of memory */
};

/*
 * Runs discovery for the support library *cfg names and adds board facts to
 * *cfg, which must be a valid configuration (cfg_parse_args() returned 0).
 * Errors and warnings go to *diags (file: the table, or the `smmu` option
 * for an unmet `require`); notes go to *report.
 *
 * Returns 0 (also when there was nothing to discover), -EINVAL when *diags
 * got an error, or -ENOMEM.  A table that cannot be read or decoded adds
 * nothing; after a later failure (a configuration limit, memory) *cfg may
 * hold part of the board facts and the caller gives up on it.  *cfg can
 * always be freed with cfg_config_fini().
 */
int cfg_discover(struct cfg_config *cfg, const struct cfg_discover_options *opts,
		 struct cfg_discover_report *report, struct cfg_diags *diags);

/* Appends the notes as comment lines ("# board: NOTE\n") to *out. */
void cfg_discover_report_dump(const struct cfg_discover_report *report, struct strbuf *out);

void cfg_discover_report_fini(struct cfg_discover_report *report);

#endif
