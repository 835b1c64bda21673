/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Configuration diagnostics: errors and warnings with file, line, column and
 * the offending line, formatted as
 *
 *	FILE:LINE:COL: error: MESSAGE
 *	the offending line
 *	        ^
 *
 * The list owns its strings.  The configuration layer only collects; the
 * caller (the service, a test) decides where to print.
 */
#ifndef SMMU_CONFIG_CFG_DIAG_H
#define SMMU_CONFIG_CFG_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/compiler.h"

struct strbuf;

enum cfg_severity {
	CFG_SEVERITY_WARNING,
	CFG_SEVERITY_ERROR,
};

struct cfg_diag {
	enum cfg_severity severity;
	char *file;    /* "<command line>" for argv */
	uint32_t line; /* 1-based, 0 when the message has no position */
	uint32_t col;  /* 1-based byte column */
	char *message;
	char *line_text; /* the offending line without its newline, or NULL */
};

struct cfg_diags {
	struct cfg_diag *items;
	size_t count;
	size_t error_count;
	bool oom; /* a diagnostic was lost for lack of memory */
};

/* Appends one diagnostic; `line_text` may be NULL and is copied up to the
 * first newline. */
void cfg_diag_add(struct cfg_diags *diags, enum cfg_severity severity, const char *file,
		  uint32_t line, uint32_t col, const char *line_text, const char *fmt, ...)
	SMMU_PRINTF(7, 8);
void cfg_diag_vadd(struct cfg_diags *diags, enum cfg_severity severity, const char *file,
		   uint32_t line, uint32_t col, const char *line_text, const char *fmt, va_list ap)
	SMMU_PRINTF(7, 0);

/* Formats one diagnostic as shown above, ending with a newline. */
void cfg_diag_format(const struct cfg_diag *diag, struct strbuf *out);

void cfg_diags_fini(struct cfg_diags *diags);

#endif
