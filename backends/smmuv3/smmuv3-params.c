/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SMMUv3 library's configuration words (smmuv3.h, "Configuration"): `smmu smmuv3 PARAMS`,
 * `unit NAME PADDR[,BYPASS[,SID:SID:...]]` and the StreamID of `use NAME SID`.  Pure: text
 * in, a structure or a reason out; the caller logs.  Numbers follow the configuration's own
 * rules (config/cfg-number.h): the address hexadecimal by default with K/M/G, StreamIDs and
 * BYPASS decimal by default, `0x` and `0d` prefixes override.
 */
#include "backends/smmuv3/smmuv3.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/cfg-number.h"

/* Separators of the type parameters: commas, or white space for callers that build text. */
#define SMMUV3_PARAM_SEPARATORS ", \t\n"

static bool word_is(const char *word, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(word, name, len) == 0;
}

/* The next word of `*p` ended by one of `separators`; false at the end of the text. */
static bool next_word(const char **p, const char *separators, const char **ret_word,
		      size_t *ret_len)
{
	*p += strspn(*p, separators);
	if (**p == '\0') {
		return false;
	}
	*ret_word = *p;
	*ret_len = strcspn(*p, separators);
	*p += *ret_len;
	return true;
}

/**
 * smmuv3_params_parse() - `smmu smmuv3 [require|ignore][,stage=1|2]`.
 * Return: 0 and *ret_params; -EINVAL with a sentence in `why` for an unknown word, a bad
 * stage, or a word given twice.
 */
int smmuv3_params_parse(const char *text, struct smmuv3_params *ret_params, char *why,
			size_t why_size)
{
	struct smmuv3_params params = {.firmware = SMMUV3_FW_OPTIONAL, .stage = 0};
	const char *p = text ? text : "";
	const char *word;
	size_t len;

	while (next_word(&p, SMMUV3_PARAM_SEPARATORS, &word, &len)) {
		char quoted[SMMU_QUOTE_SIZE];

		smmu_quote(word, len, quoted, sizeof(quoted));
		if (word_is(word, len, "require") || word_is(word, len, "ignore")) {
			if (params.firmware != SMMUV3_FW_OPTIONAL) {
				snprintf(why, why_size,
					 "'%s': require and ignore exclude each other and each is "
					 "given once",
					 quoted);
				return -EINVAL;
			}
			params.firmware = word[0] == 'r' ? SMMUV3_FW_REQUIRE : SMMUV3_FW_IGNORE;
		} else if (word_is(word, len, "stage=1") || word_is(word, len, "stage=2")) {
			if (params.stage != 0) {
				snprintf(why, why_size, "'%s': the stage is given twice", quoted);
				return -EINVAL;
			}
			params.stage = word[6] == '1' ? 1 : 2;
		} else {
			snprintf(why, why_size,
				 "unknown parameter '%s' (smmu smmuv3 takes require or ignore, and "
				 "stage=1 or stage=2)",
				 quoted);
			return -EINVAL;
		}
	}
	*ret_params = params;
	return 0;
}

/* A StreamID: 32 bits at most (IDR1.SIDSIZE is at most 32). */
static int parse_sid(const char *word, size_t len, uint32_t *ret_sid, char *why, size_t why_size)
{
	char quoted[SMMU_QUOTE_SIZE];
	struct cfg_number_error error;
	uint64_t value;

	smmu_quote(word, len, quoted, sizeof(quoted));
	if (cfg_number_parse(word, len, CFG_NUMBER_DECIMAL, &value, &error) < 0 ||
	    value > UINT32_MAX) {
		snprintf(why, why_size, "'%s' is not a StreamID (a number below 2^32)", quoted);
		return -EINVAL;
	}
	*ret_sid = (uint32_t)value;
	return 0;
}

/**
 * smmuv3_sid_parse() - the PARAM of `use NAME SID`: one StreamID, required.
 * Return: 0 and *ret_sid; -EINVAL with a sentence in `why`.
 */
int smmuv3_sid_parse(const char *text, uint32_t *ret_sid, char *why, size_t why_size)
{
	size_t len = text ? strlen(text) : 0;

	if (len == 0) {
		snprintf(why, why_size, "a device on an SMMUv3 needs its StreamID: use UNIT SID");
		return -EINVAL;
	}
	return parse_sid(text, len, ret_sid, why, why_size);
}

/** smmuv3_sid_reserved() - whether the unit line reserves `sid` for the system. */
bool smmuv3_sid_reserved(const struct smmuv3_unit_params *params, uint32_t sid)
{
	for (unsigned i = 0; i < params->reserved_sid_count; i++) {
		if (params->reserved_sid[i] == sid) {
			return true;
		}
	}
	return false;
}

/* The SID list after the second comma: SID:SID:..., no duplicates. */
static int parse_reserved(const char *text, size_t text_len, struct smmuv3_unit_params *params,
			  char *why, size_t why_size)
{
	char list[512];
	const char *p = list;
	const char *word;
	size_t len;

	if (text_len >= sizeof(list)) {
		snprintf(why, why_size, "the reserved StreamID list is longer than %zu characters",
			 sizeof(list) - 1);
		return -EINVAL;
	}
	memcpy(list, text, text_len);
	list[text_len] = '\0';
	if (text_len == 0 || list[0] == ':' || list[text_len - 1] == ':' || strstr(list, "::")) {
		snprintf(why, why_size,
			 "the reserved StreamIDs are numbers separated by single colons");
		return -EINVAL;
	}
	while (next_word(&p, ":", &word, &len)) {
		uint32_t sid;
		int r = parse_sid(word, len, &sid, why, why_size);

		if (r < 0) {
			return r;
		}
		if (smmuv3_sid_reserved(params, sid)) {
			snprintf(why, why_size, "StreamID %u is reserved twice", sid);
			return -EINVAL;
		}
		if (params->reserved_sid_count == SMMUV3_MAX_RESERVED_SIDS) {
			snprintf(why, why_size, "more than %u reserved StreamIDs",
				 SMMUV3_MAX_RESERVED_SIDS);
			return -EINVAL;
		}
		params->reserved_sid[params->reserved_sid_count++] = sid;
	}
	return 0;
}

/**
 * smmuv3_unit_params_parse() - `unit NAME PADDR[,BYPASS[,SID:SID:...]]`.
 * Return: 0 and *ret_params; -EINVAL with a sentence in `why` for a missing, malformed,
 * unaligned or zero address, a BYPASS other than 0 or 1, a bad or repeated StreamID, or
 * anything after the list.
 */
int smmuv3_unit_params_parse(const char *text, struct smmuv3_unit_params *ret_params, char *why,
			     size_t why_size)
{
	struct smmuv3_unit_params params = {0};
	const char *p = text ? text : "";
	const char *field[4];
	size_t field_len[4];
	unsigned field_count = 0;
	char quoted[SMMU_QUOTE_SIZE];
	struct cfg_number_error error;
	int r;

	/* Fields are comma separated and positional, so empty ones are not skipped. */
	while (field_count < 4) {
		field[field_count] = p;
		field_len[field_count] = strcspn(p, ",");
		p += field_len[field_count++];
		if (*p != ',') {
			break;
		}
		p++;
	}
	if (*p != '\0' || field_count > 3) {
		snprintf(why, why_size, "too many fields (unit NAME PADDR[,BYPASS[,SID:SID:...]])");
		return -EINVAL;
	}
	if (field_len[0] == 0) {
		snprintf(why, why_size,
			 "no register address (unit NAME PADDR[,BYPASS[,SID:SID:...]])");
		return -EINVAL;
	}
	smmu_quote(field[0], field_len[0], quoted, sizeof(quoted));
	r = cfg_number_parse(field[0], field_len[0], CFG_NUMBER_ADDRESS, &params.reg_base, &error);
	if (r < 0) {
		snprintf(why, why_size, "'%s' is not a register address%s", quoted,
			 r == -ERANGE ? " (more than 64 bits)" : "");
		return -EINVAL;
	}
	if (params.reg_base == 0 || params.reg_base % SMMU_REG_ALIGN) {
		snprintf(why, why_size,
			 "register address '%s' must be a non-zero multiple of 64 KiB", quoted);
		return -EINVAL;
	}
	if (field_count > 1) {
		if (word_is(field[1], field_len[1], "0")) {
			params.bypass = false;
		} else if (word_is(field[1], field_len[1], "1")) {
			params.bypass = true;
		} else {
			smmu_quote(field[1], field_len[1], quoted, sizeof(quoted));
			snprintf(why, why_size,
				 "bypass '%s' must be 0 (unknown StreamIDs fault) or 1 (they "
				 "bypass translation)",
				 quoted);
			return -EINVAL;
		}
	}
	if (field_count > 2) {
		r = parse_reserved(field[2], field_len[2], &params, why, why_size);
		if (r < 0) {
			return r;
		}
	}
	*ret_params = params;
	return 0;
}
