/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the SMMUv3 library's parsers of untrusted text and records:
 * `smmu smmuv3 PARAMS`, `unit NAME PARAMS`, the StreamID of a `use` line (configuration
 * text), and event records (written by hardware).  The input is used as text for each
 * parser and, its first 32 bytes, as an event record.
 *
 * Beyond "no crash, no leak, no undefined behaviour" it checks what callers rely on: an
 * accepted unit line has a non-zero, 64 KiB aligned address, at most the limit of reserved
 * StreamIDs, none twice; an accepted type line has a stage of 0, 1 or 2; an event without
 * an address carries no direction either; and a rejection always comes with a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backends/smmuv3/smmuv3.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x)) {      \
			abort(); \
		}                \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char why[SMMUV3_WHY_SIZE];
	struct smmuv3_unit_params unit;
	struct smmuv3_params type;
	uint64_t words[SMMU_EVT_WORDS] = {0};
	struct smmuv3_event event;
	uint32_t sid;

	if (!text) {
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';

	why[0] = '\0';
	if (smmuv3_unit_params_parse(text, &unit, why, sizeof(why)) == 0) {
		CHECK(unit.reg_base != 0 && unit.reg_base % SMMU_REG_ALIGN == 0);
		CHECK(unit.reserved_sid_count <= SMMUV3_MAX_RESERVED_SIDS);
		for (unsigned i = 0; i < unit.reserved_sid_count; i++) {
			for (unsigned j = i + 1; j < unit.reserved_sid_count; j++) {
				CHECK(unit.reserved_sid[i] != unit.reserved_sid[j]);
			}
			CHECK(smmuv3_sid_reserved(&unit, unit.reserved_sid[i]));
		}
	} else {
		CHECK(why[0] != '\0');
	}
	why[0] = '\0';
	if (smmuv3_params_parse(text, &type, why, sizeof(why)) == 0) {
		CHECK(type.stage <= 2);
	} else {
		CHECK(why[0] != '\0');
	}
	why[0] = '\0';
	if (smmuv3_sid_parse(text, &sid, why, sizeof(why)) != 0) {
		CHECK(why[0] != '\0');
	}

	memcpy(words, data, size < sizeof(words) ? size : sizeof(words));
	smmuv3_event_decode(words, &event);
	CHECK(event.id <= 0xff);
	CHECK(event.address != 0 || event.access == 0 || words[2] == 0);
	CHECK(event.raw == words[0]);
	CHECK(smmuv3_event_name(event.id) != NULL);
	free(text);
	return 0;
}
