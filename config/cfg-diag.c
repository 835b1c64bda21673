/* SPDX-License-Identifier: Apache-2.0 */
#include "config/cfg-diag.h"

#include <string.h>

#include "common/alloc.h"
#include "common/strbuf.h"

void cfg_diag_vadd(struct cfg_diags *diags, enum cfg_severity severity, const char *file,
		   uint32_t line, uint32_t col, const char *line_text, const char *fmt, va_list ap)
{
	struct strbuf message = STRBUF_INIT;
	struct cfg_diag *items;
	struct cfg_diag diag = {
		.severity = severity,
		.line = line,
		.col = col,
	};

	if (severity == CFG_SEVERITY_ERROR) {
		/* Counted even when the text is lost, so an error never passes. */
		diags->error_count++;
	}
	strbuf_vprintf(&message, fmt, ap);
	diag.message = strbuf_take(&message);
	diag.file = smmu_strdup(file ? file : "<unknown>");
	if (line_text) {
		diag.line_text = smmu_strndup(line_text, strcspn(line_text, "\n"));
	}
	items = smmu_reallocarray(diags->items, diags->count + 1, sizeof(*items));
	if (!diag.message || !diag.file || (line_text && !diag.line_text) || !items) {
		if (items) {
			diags->items = items;
		}
		smmu_free(diag.message);
		smmu_free(diag.file);
		smmu_free(diag.line_text);
		diags->oom = true;
		return;
	}
	diags->items = items;
	diags->items[diags->count++] = diag;
}

void cfg_diag_add(struct cfg_diags *diags, enum cfg_severity severity, const char *file,
		  uint32_t line, uint32_t col, const char *line_text, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_diag_vadd(diags, severity, file, line, col, line_text, fmt, ap);
	va_end(ap);
}

void cfg_diag_format(const struct cfg_diag *diag, struct strbuf *out)
{
	const char *severity = diag->severity == CFG_SEVERITY_ERROR ? "error" : "warning";

	if (diag->line) {
		strbuf_printf(out, "%s:%u:%u: %s: %s\n", diag->file, diag->line, diag->col,
			      severity, diag->message);
	} else {
		strbuf_printf(out, "%s: %s: %s\n", diag->file, severity, diag->message);
	}
	if (!diag->line_text || !diag->line) {
		return;
	}
	strbuf_printf(out, "%s\n", diag->line_text);
	/* Keep tabs in the caret line so the caret lines up under the text. */
	for (uint32_t i = 1; i < diag->col && diag->line_text[i - 1]; i++) {
		strbuf_putc(out, diag->line_text[i - 1] == '\t' ? '\t' : ' ');
	}
	strbuf_puts(out, "^\n");
}

void cfg_diags_fini(struct cfg_diags *diags)
{
	for (size_t i = 0; i < diags->count; i++) {
		smmu_free(diags->items[i].file);
		smmu_free(diags->items[i].message);
		smmu_free(diags->items[i].line_text);
	}
	smmu_free(diags->items);
	*diags = (struct cfg_diags){0};
}
