/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The soft backend's process-wide part: init/fini, the `smmu soft PARAMS` parameters and the
 * log helpers every file uses.  A support library is loaded once per service, so this state
 * is a single static instance; init() while it is in use is refused.
 */
#include "backends/soft/soft.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

/* Separators of parameter words: the configuration hands PARAMS over as one word, so a comma
 * is how several are written; white space is accepted for callers that build the text. */
#define SOFT_PARAM_SEPARATORS ", \t\n"

/* Longest piece of untrusted text a log line quotes. */

static const struct {
	const char *name;
	enum pt_format format;
} soft_formats[] = {
	{"vtd", PT_FORMAT_VTD_SL},
	{"lpae-s1", PT_FORMAT_LPAE_S1},
	{"lpae-s2", PT_FORMAT_LPAE_S2},
};

/* Owner: this file; set by soft_init(), cleared by soft_fini(). */
static struct {
	const struct smmu_backend_host *host;
	struct pt_cfg pt_cfg;
	size_t unit_count;
} soft;

const struct smmu_backend soft_backend = SOFT_BACKEND_DESCRIPTOR;

/* The core's services; NULL outside init()..fini(). */
const struct smmu_backend_host *soft_host(void)
{
	return soft.host;
}

/* The page-table configuration chosen by `format=`, for new units. */
const struct pt_cfg *soft_pt_cfg(void)
{
	return &soft.pt_cfg;
}

/* Units alive are counted so that fini() can tell whether the core kept its side of the
 * contract (every unit destroyed first). */
void soft_unit_created(void)
{
	soft.unit_count++;
}

void soft_unit_destroyed(void)
{
	if (ALWAYS(soft.unit_count > 0)) {
		soft.unit_count--;
	}
}

void soft_log(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	smmu_backend_vlog(soft.host, priority, fmt, ap);
	va_end(ap);
}

static int parse_format(const char *value, size_t len, enum pt_format *ret_format)
{
	for (size_t i = 0; i < ARRAY_SIZE(soft_formats); i++) {
		if (strlen(soft_formats[i].name) == len &&
		    memcmp(soft_formats[i].name, value, len) == 0) {
			*ret_format = soft_formats[i].format;
			return 0;
		}
	}
	return -EINVAL;
}

/* Applies one KEY=VALUE word to *cfg; *seen_format says whether format= came before. */
static int parse_param(const char *word, size_t len, struct pt_cfg *cfg, bool *seen_format)
{
	char quoted[SMMU_QUOTE_SIZE];
	const char *eq = memchr(word, '=', len);

	smmu_quote(word, len, quoted, sizeof(quoted));
	if (!eq || (size_t)(eq - word) != strlen("format") ||
	    memcmp(word, "format", strlen("format")) != 0) {
		soft_log(LOG_ERR,
			 "soft: unknown parameter '%s' (the soft IOMMU takes "
			 "format=vtd|lpae-s1|lpae-s2)",
			 quoted);
		return -EINVAL;
	}
	if (*seen_format) {
		soft_log(LOG_ERR, "soft: '%s': format is given twice", quoted);
		return -EINVAL;
	}
	*seen_format = true;
	if (parse_format(eq + 1, len - (size_t)(eq + 1 - word), &cfg->format) < 0) {
		soft_log(LOG_ERR,
			 "soft: unknown page-table format in '%s' (use vtd, lpae-s1 or "
			 "lpae-s2)",
			 quoted);
		return -EINVAL;
	}
	return 0;
}

/*
 * Starts the backend: remembers the core's services and parses `smmu soft PARAMS` (NULL: the
 * defaults).  Returns 0; -EINVAL for a bad parameter, after a log line naming it; -EBUSY when
 * already started (one instance per process).  Nothing is kept on failure.
 */
int soft_init(const struct smmu_backend_host *host, const char *params)
{
	struct pt_cfg cfg = {
		.format = PT_FORMAT_VTD_SL,
		.granule_lg2 = SOFT_PT_GRANULE_LG2,
		.ias = SOFT_PT_IAS,
		.oas = SOFT_PT_OAS,
	};
	bool seen_format = false;

	if (!host || host->abi_version != SMMU_BACKEND_ABI_VERSION || host->size < sizeof(*host) ||
	    !host->fault) {
		return -EINVAL;
	}
	if (soft.host) {
		return -EBUSY;
	}
	/* Set first so that parse errors can be logged; cleared again if they happen. */
	soft.host = host;
	for (const char *p = params ? params : ""; *p;) {
		size_t skip = strspn(p, SOFT_PARAM_SEPARATORS);
		size_t len = strcspn(p + skip, SOFT_PARAM_SEPARATORS);

		p += skip;
		if (len == 0) {
			continue;
		}
		if (parse_param(p, len, &cfg, &seen_format) < 0) {
			soft.host = NULL;
			return -EINVAL;
		}
		p += len;
	}
	soft.pt_cfg = cfg;
	soft.unit_count = 0;
	soft_log(LOG_DEBUG, "soft: domains use %s tables, %u-bit input", pt_format_name(cfg.format),
		 cfg.ias);
	return 0;
}

/* Stops the backend.  The core destroyed every unit first. */
void soft_fini(void)
{
	if (NEVER(soft.unit_count != 0)) {
		soft_log(LOG_WARNING, "soft: stopped with %zu units alive; they leak",
			 soft.unit_count);
	}
	memset(&soft, 0, sizeof(soft));
}
