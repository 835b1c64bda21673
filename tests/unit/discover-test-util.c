/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for the board-discovery tests (DMAR, IORT): one discovery run
 * over a parsed configuration, assertions on its diagnostics, notes and
 * facts, and the dump as --dump-config prints it.
 */
#include "discover-test-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/strbuf.h"

void run_discover(struct run *run, const char *config, const struct cfg_discover_options *opts)
{
	*run = (struct run){0};
	if (cfg_test_parse(config, &run->cfg, &run->diags) != 0) {
		char *text = cfg_test_format_diags(&run->diags);

		fail_msg("'%s' does not parse:\n%s", config, text);
	}
	run->r = cfg_discover(&run->cfg, opts, &run->report, &run->diags);
}

void run_fini(struct run *run)
{
	cfg_discover_report_fini(&run->report);
	cfg_diags_fini(&run->diags);
	cfg_config_fini(&run->cfg);
}

/* What --dump-config prints: the notes, then the configuration. */
char *run_dump(const struct run *run)
{
	struct strbuf out = STRBUF_INIT;

	cfg_discover_report_dump(&run->report, &out);
	cfg_dump(&run->cfg, &out);
	return strbuf_take(&out);
}

/* Asserts that discovery succeeded without errors, printing them if not. */
void assert_ok(const struct run *run)
{
	if (run->r != 0 || run->diags.error_count) {
		char *text = cfg_test_format_diags(&run->diags);

		fail_msg("discovery returned %d:\n%s", run->r, text);
	}
}

size_t count_severity(const struct run *run, enum cfg_severity severity)
{
	size_t n = 0;

	for (size_t i = 0; i < run->diags.count; i++) {
		n += run->diags.items[i].severity == severity;
	}
	return n;
}

/* Asserts that some diagnostic of `severity`, formatted, contains `needle`. */
void assert_diag(const struct run *run, enum cfg_severity severity, const char *needle)
{
	for (size_t i = 0; i < run->diags.count; i++) {
		struct strbuf text = STRBUF_INIT;
		bool found;

		if (run->diags.items[i].severity != severity) {
			continue;
		}
		cfg_diag_format(&run->diags.items[i], &text);
		found = strstr(strbuf_str(&text), needle) != NULL;
		strbuf_fini(&text);
		if (found) {
			return;
		}
	}
	{
		char *text = cfg_test_format_diags(&run->diags);

		fail_msg("no %s containing '%s' in:\n%s",
			 severity == CFG_SEVERITY_ERROR ? "error" : "warning", needle, text);
	}
}

void assert_note(const struct run *run, const char *needle)
{
	for (size_t i = 0; i < run->report.note_count; i++) {
		if (strstr(run->report.notes[i], needle)) {
			return;
		}
	}
	fail_msg("no note containing '%s' (%zu notes)", needle, run->report.note_count);
}

void assert_contains(const char *text, const char *needle)
{
	if (!strstr(text, needle)) {
		fail_msg("'%s' not in:\n%s", needle, text);
	}
}

size_t count_board_facts(const struct cfg_config *cfg)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->unit_count; i++) {
		n += cfg->units[i].origin == CFG_ORIGIN_BOARD;
	}
	for (size_t i = 0; i < cfg->device_count; i++) {
		const struct cfg_device *device = &cfg->devices[i];

		n += device->origin == CFG_ORIGIN_BOARD;
		for (size_t j = 0; j < device->use_count; j++) {
			n += device->uses[j].origin == CFG_ORIGIN_BOARD;
		}
		for (size_t j = 0; j < device->reserved_count; j++) {
			n += device->reserved[j].origin == CFG_ORIGIN_BOARD;
		}
	}
	return n;
}

const struct cfg_unit *find_unit(const struct cfg_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->unit_count; i++) {
		if (strcmp(cfg->units[i].name, name) == 0) {
			return &cfg->units[i];
		}
	}
	fail_msg("no unit %s", name);
	return NULL;
}

/* Drops comment lines and trailing "# board:" comments. */
char *strip_comments(const char *text)
{
	struct strbuf out = STRBUF_INIT;

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		const char *mark = memmem(text, len, " # board: ", 10);

		if (text[0] != '#') {
			strbuf_append(&out, text, mark ? (size_t)(mark - text) : len);
			strbuf_putc(&out, '\n');
		}
		text += len + (nl != NULL);
	}
	return strbuf_take(&out);
}
