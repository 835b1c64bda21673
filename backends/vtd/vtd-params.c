/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VT-d library's configuration words (vtd.h, "Configuration"): `smmu vtd PARAMS` and
 * `unit NAME PARAMS`.  Pure: text in, a structure or a reason out; the caller logs.  The
 * configuration layer sits above the backends, so its number parser is not used; the rules
 * are the same (config/cfg-number.h): addresses hexadecimal by default with K/M/G
 * multipliers, `0x` and `0d` prefixes override.
 */
#include "backends/vtd/vtd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/cfg-number.h"

/* Separators of parameter words: the configuration hands PARAMS over as one word, so a comma
 * is how several are written; white space is accepted for callers that build the text. */
#define VTD_PARAM_SEPARATORS ", \t\n"

/* The register set of a unit is 4 KiB aligned (VT-d 11.4: "register-based ... 4 KB
 * aligned"; the DRHD's Register Base Address is 4 KiB aligned, 8.3). */
#define VTD_REG_ALIGN 4096u

/* An address in the configuration's own spelling: hexadecimal unless 0d,
 * optional 0x, optional K/M/G (config/cfg-number.h). */
static int parse_address(const char *text, size_t len, uint64_t *ret_value)
{
	struct cfg_number_error error;

	return cfg_number_parse(text, len, CFG_NUMBER_ADDRESS, ret_value, &error);
}

static bool word_is(const char *word, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(word, name, len) == 0;
}

/* The next word of `*p`, skipping separators; false at the end. */
static bool next_word(const char **p, const char **ret_word, size_t *ret_len)
{
	*p += strspn(*p, VTD_PARAM_SEPARATORS);
	if (**p == '\0') {
		return false;
	}
	*ret_word = *p;
	*ret_len = strcspn(*p, VTD_PARAM_SEPARATORS);
	*p += *ret_len;
	return true;
}

static void quote(const char *word, size_t len, char *buf, size_t size)
{
	smmu_quote(word, len, buf, size);
}

/**
 * vtd_params_parse() - `smmu vtd PARAMS`: nothing, `require` or `ignore`.
 * Return: 0 and *ret_params; -EINVAL with a sentence in `why` for an unknown word or both.
 */
int vtd_params_parse(const char *text, struct vtd_params *ret_params, char *why, size_t why_size)
{
	struct vtd_params params = {.acpi = VTD_ACPI_OPTIONAL};
	const char *p = text ? text : "";
	const char *word;
	size_t len;

	while (next_word(&p, &word, &len)) {
		char quoted[SMMU_QUOTE_SIZE];
		enum vtd_acpi_mode mode;

		quote(word, len, quoted, sizeof(quoted));
		if (word_is(word, len, "require")) {
			mode = VTD_ACPI_REQUIRE;
		} else if (word_is(word, len, "ignore")) {
			mode = VTD_ACPI_IGNORE;
		} else {
			snprintf(why, why_size,
				 "unknown parameter '%s' (smmu vtd takes require or ignore)",
				 quoted);
			return -EINVAL;
		}
		if (params.acpi != VTD_ACPI_OPTIONAL) {
			snprintf(why, why_size,
				 "'%s': require and ignore exclude each other and each is given "
				 "once",
				 quoted);
			return -EINVAL;
		}
		params.acpi = mode;
	}
	*ret_params = params;
	return 0;
}

/**
 * vtd_unit_params_parse() - `unit NAME PADDR[,include-all][,register-invalidation]`.
 * Return: 0 and *ret_params; -EINVAL with a sentence in `why` for a missing, malformed,
 * unaligned or zero address, an unknown word, or a word given twice.
 */
int vtd_unit_params_parse(const char *text, struct vtd_unit_params *ret_params, char *why,
			  size_t why_size)
{
	struct vtd_unit_params params = {0};
	const char *p = text ? text : "";
	char quoted[SMMU_QUOTE_SIZE];
	const char *word;
	size_t len;
	int r;

	if (!next_word(&p, &word, &len)) {
		snprintf(why, why_size,
			 "no register address (unit NAME PADDR[,include-all]"
			 "[,register-invalidation])");
		return -EINVAL;
	}
	quote(word, len, quoted, sizeof(quoted));
	r = parse_address(word, len, &params.reg_base);
	if (r < 0) {
		snprintf(why, why_size, "'%s' is not a register address%s", quoted,
			 r == -ERANGE ? " (more than 64 bits)" : "");
		return -EINVAL;
	}
	if (params.reg_base == 0 || params.reg_base % VTD_REG_ALIGN) {
		snprintf(why, why_size,
			 "register address '%s' must be a non-zero multiple of 4 KiB", quoted);
		return -EINVAL;
	}
	while (next_word(&p, &word, &len)) {
		bool *flag;

		quote(word, len, quoted, sizeof(quoted));
		if (word_is(word, len, "include-all")) {
			flag = &params.include_all;
		} else if (word_is(word, len, "register-invalidation")) {
			flag = &params.register_invalidation;
		} else {
			snprintf(why, why_size,
				 "unknown parameter '%s' (after the address: include-all, "
				 "register-invalidation)",
				 quoted);
			return -EINVAL;
		}
		if (*flag) {
			snprintf(why, why_size, "'%s' is given twice", quoted);
			return -EINVAL;
		}
		*flag = true;
	}
	*ret_params = params;
	return 0;
}
