/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for the board-discovery tests (DMAR, IORT): one discovery run
 * over a parsed configuration, assertions on its diagnostics, notes and
 * facts, and the dump as --dump-config prints it.  Failures end the running
 * cmocka test with the diagnostics or text that did not match.
 */
#ifndef SMMU_TESTS_DISCOVER_TEST_UTIL_H
#define SMMU_TESTS_DISCOVER_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg-test-util.h"
#include "config/cfg-discover.h"

/* One discovery: the parsed configuration, its diagnostics and report. */
struct run {
	struct cfg_config cfg;
	struct cfg_diags diags;
	struct cfg_discover_report report;
	int r;
};

/* Parses `config` (it must be valid) and runs cfg_discover() with `opts`. */
void run_discover(struct run *run, const char *config, const struct cfg_discover_options *opts);
void run_fini(struct run *run);
/* What --dump-config prints: the notes, then the configuration (free it). */
char *run_dump(const struct run *run);
/* Discovery succeeded without errors (they are printed if not). */
void assert_ok(const struct run *run);
size_t count_severity(const struct run *run, enum cfg_severity severity);
/* Some diagnostic of `severity`, formatted, contains `needle`. */
void assert_diag(const struct run *run, enum cfg_severity severity, const char *needle);
/* Some note contains `needle`. */
void assert_note(const struct run *run, const char *needle);
void assert_contains(const char *text, const char *needle);
/* Units, devices, uses and reserved regions from the board. */
size_t count_board_facts(const struct cfg_config *cfg);
/* The unit named `name`; fails when there is none. */
const struct cfg_unit *find_unit(const struct cfg_config *cfg, const char *name);
/* The text without comment lines and trailing " # board: " comments (free it). */
char *strip_comments(const char *text);

#endif
