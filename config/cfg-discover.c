/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Board discovery: picks the source that fits the configured support
 * library (the DMAR for `smmu vtd`, the IORT or device tree for `smmu
 * smmuv3`, nothing for the others) and keeps the report of what it did not
 * use.
 */
#include "config/cfg-discover.h"

#include <errno.h>
#include <string.h>

#include "common/alloc.h"
#include "common/strbuf.h"
#include "config/cfg-discover-board.h"

/*
 * Adds what the firmware says to *cfg as board facts; see cfg-discover.h.
 * Returns 0, -EINVAL (an error in *diags) or -ENOMEM.  *report owns the
 * notes and is freed with cfg_discover_report_fini().
 */
int cfg_discover(struct cfg_config *cfg, const struct cfg_discover_options *opts,
		 struct cfg_discover_report *report, struct cfg_diags *diags)
{
	static const struct cfg_discover_options no_options;
	struct cfg_board b = {.cfg = cfg, .diags = diags, .report = report};
	size_t errors_before = diags->error_count;
	bool vtd, smmuv3;
	int r = 0;

	opts = opts ? opts : &no_options;
	vtd = cfg->smmu.name && strcmp(cfg->smmu.name, "vtd") == 0;
	smmuv3 = cfg->smmu.name && strcmp(cfg->smmu.name, "smmuv3") == 0;
	if (vtd) {
		r = cfg_discover_dmar(&b, opts);
	} else if (smmuv3) {
		r = cfg_discover_arm(&b, opts);
	}
	if (!vtd && opts->dmar_path && cfg_board_set_source(&b, opts->dmar_path) == 0) {
		cfg_board_warning(&b, "not read: only 'smmu vtd' uses a DMAR table");
	}
	if (!smmuv3 && opts->iort_path && cfg_board_set_source(&b, opts->iort_path) == 0) {
		cfg_board_warning(&b, "not read: only 'smmu smmuv3' uses an IORT table");
	}
	if (!smmuv3 && opts->fdt_path && cfg_board_set_source(&b, opts->fdt_path) == 0) {
		cfg_board_warning(&b, "not read: only 'smmu smmuv3' uses a device tree");
	}
	if (b.oom || diags->oom || r == -ENOMEM) {
		return -ENOMEM;
	}
	if (r < 0 || diags->error_count > errors_before) {
		return -EINVAL;
	}
	return 0;
}

void cfg_discover_report_dump(const struct cfg_discover_report *report, struct strbuf *out)
{
	for (size_t i = 0; i < report->note_count; i++) {
		strbuf_printf(out, "# board: %s\n", report->notes[i]);
	}
	if (report->oom) {
		strbuf_puts(out, "# board: (further notes were lost for lack of memory)\n");
	}
}

void cfg_discover_report_fini(struct cfg_discover_report *report)
{
	for (size_t i = 0; i < report->note_count; i++) {
		smmu_free(report->notes[i]);
	}
	smmu_free(report->notes);
	*report = (struct cfg_discover_report){0};
}
