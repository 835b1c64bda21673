/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SMMUv3 ID registers (IHI 0070 6.3.1 to 6.3.8): what a unit offers, whether this library can
 * drive it, and the translation stage its domains use.  Pure: register values in, a decoded
 * structure or a reason out.
 */
#include "backends/smmuv3/smmuv3.h"

#include <errno.h>
#include <stdio.h>

/* IDR5.OAS and CD.IPS / STE.S2PS share one encoding (6.3.6). */
static const unsigned oas_bits[] = {32, 36, 40, 42, 44, 48, 52};

/* The largest output size pgtable's LPAE formats take (pgtable/fmt-lpae.c: no 52-bit). */
#define SMMUV3_OAS_MAX 48u

/** smmuv3_ips_of_oas() - the IPS/S2PS encoding of `oas` bits, or -EINVAL. */
int smmuv3_ips_of_oas(unsigned oas)
{
	for (unsigned i = 0; i < ARRAY_SIZE(oas_bits); i++) {
		if (oas_bits[i] == oas) {
			return (int)i;
		}
	}
	return -EINVAL;
}

static unsigned min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

/**
 * smmuv3_caps_decode() - decodes the ID registers and refuses what this library cannot drive:
 * no AArch64 table format, big-endian-only walks, no 4 KiB granule, neither stage, forced
 * stalls, preset tables or queues, an OAS encoding the spec reserves.
 * Return: 0 and *ret_caps; -EOPNOTSUPP with a sentence in `why`.
 */
int smmuv3_caps_decode(uint32_t idr0, uint32_t idr1, uint32_t idr3, uint32_t idr5, uint32_t iidr,
		       uint32_t aidr, struct smmuv3_caps *ret_caps, char *why, size_t why_size)
{
	struct smmuv3_caps caps = {
		.idr0 = idr0,
		.idr1 = idr1,
		.idr3 = idr3,
		.idr5 = idr5,
		.iidr = iidr,
		.aidr = aidr,
	};
	unsigned ttf = (unsigned)FIELD_GET(SMMU_IDR0_TTF, idr0);
	unsigned endian = (unsigned)FIELD_GET(SMMU_IDR0_TTENDIAN, idr0);
	unsigned oas = (unsigned)FIELD_GET(SMMU_IDR5_OAS, idr5);

	caps.s1p = idr0 & SMMU_IDR0_S1P;
	caps.s2p = idr0 & SMMU_IDR0_S2P;
	if (!caps.s1p && !caps.s2p) {
		snprintf(why, why_size, "the unit offers neither stage 1 nor stage 2 (IDR0 0x%08x)",
			 idr0);
		return -EOPNOTSUPP;
	}
	if (ttf != SMMU_IDR0_TTF_AARCH64 && ttf != SMMU_IDR0_TTF_BOTH) {
		snprintf(why, why_size,
			 "the unit cannot walk AArch64 tables (IDR0.TTF %u); only AArch64 "
			 "tables are supported",
			 ttf);
		return -EOPNOTSUPP;
	}
	if (endian == SMMU_IDR0_TTENDIAN_BE) {
		snprintf(why, why_size,
			 "the unit walks big-endian tables only (IDR0.TTENDIAN 3); this library "
			 "writes little-endian ones");
		return -EOPNOTSUPP;
	}
	if (FIELD_GET(SMMU_IDR0_STALL_MODEL, idr0) == SMMU_IDR0_STALL_MODEL_FORCE) {
		snprintf(why, why_size,
			 "the unit forces stalls (IDR0.STALL_MODEL 2); this library cannot "
			 "resume stalled transactions");
		return -EOPNOTSUPP;
	}
	if (idr1 & (SMMU_IDR1_TABLES_PRESET | SMMU_IDR1_QUEUES_PRESET)) {
		snprintf(why, why_size,
			 "the unit has preset tables or queues (IDR1 0x%08x); this library "
			 "places its own",
			 idr1);
		return -EOPNOTSUPP;
	}
	if (!(idr5 & SMMU_IDR5_GRAN4K)) {
		snprintf(why, why_size,
			 "the unit has no 4 KiB translation granule (IDR5 0x%08x); only 4 KiB is "
			 "supported",
			 idr5);
		return -EOPNOTSUPP;
	}
	if (oas >= ARRAY_SIZE(oas_bits)) {
		snprintf(why, why_size, "IDR5.OAS %u is a reserved encoding", oas);
		return -EOPNOTSUPP;
	}
	caps.oas = min_u(oas_bits[oas], SMMUV3_OAS_MAX);
	caps.ips = (unsigned)smmuv3_ips_of_oas(caps.oas);
	caps.two_level = FIELD_GET(SMMU_IDR0_ST_LEVEL, idr0) == SMMU_IDR0_ST_LEVEL_2LVL;
	caps.term_model = idr0 & SMMU_IDR0_TERM_MODEL;
	caps.stall_ok = FIELD_GET(SMMU_IDR0_STALL_MODEL, idr0) == 0;
	caps.sid_bits = (unsigned)FIELD_GET(SMMU_IDR1_SIDSIZE, idr1);
	if (caps.sid_bits > 32) {
		snprintf(why, why_size, "IDR1.SIDSIZE %u is more than 32", caps.sid_bits);
		return -EOPNOTSUPP;
	}
	caps.asid_bits = idr0 & SMMU_IDR0_ASID16 ? 16 : 8;
	caps.vmid_bits = idr0 & SMMU_IDR0_VMID16 ? 16 : 8;
	caps.cmdq_lg2 = min_u((unsigned)FIELD_GET(SMMU_IDR1_CMDQS, idr1), SMMUV3_CMDQ_LG2);
	caps.eventq_lg2 = min_u((unsigned)FIELD_GET(SMMU_IDR1_EVENTQS, idr1), SMMUV3_EVENTQ_LG2);
	/* A batch and its CMD_SYNC must fit with one slot free (full and empty differ). */
	if ((1u << caps.cmdq_lg2) < SMMUV3_CMD_BATCH_MAX + 2) {
		snprintf(why, why_size,
			 "the command queue holds at most 2^%u commands (IDR1.CMDQS); this "
			 "library needs %u",
			 caps.cmdq_lg2, SMMUV3_CMD_BATCH_MAX + 2);
		return -EOPNOTSUPP;
	}
	*ret_caps = caps;
	return 0;
}

/**
 * smmuv3_stage_choose() - the stage domains use: `wanted` (1 or 2) when the unit offers it,
 * without a wish stage 1 when IDR0.S1P, else stage 2.
 * Return: 0 and *ret_stage; -EOPNOTSUPP with a sentence when the wish is not offered.
 */
int smmuv3_stage_choose(const struct smmuv3_caps *caps, unsigned wanted, unsigned *ret_stage,
			char *why, size_t why_size)
{
	if (wanted == 0) {
		*ret_stage = caps->s1p ? 1 : 2;
		return 0;
	}
	if ((wanted == 1 && !caps->s1p) || (wanted == 2 && !caps->s2p)) {
		snprintf(why, why_size,
			 "stage=%u is configured but the unit does not offer stage %u "
			 "(IDR0.S%uP is 0)",
			 wanted, wanted, wanted);
		return -EOPNOTSUPP;
	}
	*ret_stage = wanted;
	return 0;
}

/** smmuv3_caps_describe() - one line for the log: version, stages, sizes. */
void smmuv3_caps_describe(const struct smmuv3_caps *caps, char *buf, size_t size)
{
	snprintf(buf, size,
		 "SMMUv3.%u (IIDR 0x%08x), stage 1 %s, stage 2 %s, %u StreamID bits, %s stream "
		 "table offered, %u-bit output, %u-bit ASIDs, %u-bit VMIDs%s",
		 (unsigned)FIELD_GET(SMMU_AIDR_ARCH_MINOR, caps->aidr), caps->iidr,
		 caps->s1p ? "yes" : "no", caps->s2p ? "yes" : "no", caps->sid_bits,
		 caps->two_level ? "two-level" : "linear", caps->oas, caps->asid_bits,
		 caps->vmid_bits, caps->term_model ? ", terminate model" : "");
}
