/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SMMUv3 in-memory encodings (smmuv3.h, "Decisions" for the choices): stream table entries
 * (IHI 0070 5.2), context descriptors (5.4), level-1 stream table descriptors (5.1),
 * commands (4) and event records (7.3).  Pure: values in, words out, in host byte order; the
 * caller stores them little endian.
 */
#include "backends/smmuv3/smmuv3.h"

#include <string.h>

/* The fields every valid STE of this library shares: non-secure EL1 stream world, incoming
 * shareability, no ATS; stalls disabled where the unit could stall. */
static void ste_common(bool stall_ok, uint64_t ste[SMMU_STE_WORDS])
{
	memset(ste, 0, SMMU_STE_SIZE);
	ste[1] = FIELD_PREP(STE_1_STRW, STE_1_STRW_NSEL1) |
		 FIELD_PREP(STE_1_SHCFG, STE_1_SHCFG_INCOMING) | (stall_ok ? STE_1_S1STALLD : 0);
}

/** smmuv3_ste_bypass() - an STE whose stream bypasses translation (Config 0b100). */
void smmuv3_ste_bypass(bool stall_ok, uint64_t ret_ste[SMMU_STE_WORDS])
{
	ste_common(stall_ok, ret_ste);
	ret_ste[0] = STE_0_V | FIELD_PREP(STE_0_CONFIG, STE_0_CONFIG_BYPASS);
}

/**
 * smmuv3_ste_s1() - a stage-1 STE with one context descriptor at `cd_pa` (S1Fmt linear,
 * S1CDMAX 0, S1DSS terminate), table walks write-back inner shareable, S2VMID 0.
 */
void smmuv3_ste_s1(uint64_t cd_pa, bool stall_ok, uint64_t ret_ste[SMMU_STE_WORDS])
{
	ste_common(stall_ok, ret_ste);
	ret_ste[0] = STE_0_V | FIELD_PREP(STE_0_CONFIG, STE_0_CONFIG_S1_TRANS) |
		     (cd_pa & STE_0_S1CONTEXTPTR);
	ret_ste[1] |= FIELD_PREP(STE_1_S1CIR, SMMU_WALK_WBRAWA) |
		      FIELD_PREP(STE_1_S1COR, SMMU_WALK_WBRAWA) |
		      FIELD_PREP(STE_1_S1CSH, SMMU_SH_ISH);
}

/**
 * smmuv3_ste_s2() - a stage-2 STE: S2VMID, VTCR (S2T0SZ = 64 - IAS, S2SL0 for the start
 * level with a 4 KiB granule: 0 level 2, 1 level 1, 2 level 0; walks write-back inner
 * shareable; S2PS), S2AA64, little endian, S2R so that faults are recorded, S2TTB.
 */
void smmuv3_ste_s2(const struct smmuv3_s2_cfg *cfg, uint64_t ret_ste[SMMU_STE_WORDS])
{
	ste_common(false, ret_ste);
	ret_ste[0] = STE_0_V | FIELD_PREP(STE_0_CONFIG, STE_0_CONFIG_S2_TRANS);
	ret_ste[2] = FIELD_PREP(STE_2_S2VMID, cfg->vmid) | FIELD_PREP(STE_2_S2T0SZ, 64 - cfg->ias) |
		     FIELD_PREP(STE_2_S2SL0, 2 - cfg->start_level) |
		     FIELD_PREP(STE_2_S2IR0, SMMU_WALK_WBRAWA) |
		     FIELD_PREP(STE_2_S2OR0, SMMU_WALK_WBRAWA) |
		     FIELD_PREP(STE_2_S2SH0, SMMU_SH_ISH) | FIELD_PREP(STE_2_S2TG, SMMU_TG_4K) |
		     FIELD_PREP(STE_2_S2PS, cfg->ips) | STE_2_S2AA64 | STE_2_S2R;
	ret_ste[3] = cfg->s2ttb & STE_3_S2TTB;
}

/** smmuv3_ste_decode() - what an STE says, for translate() and the tests. */
void smmuv3_ste_decode(const uint64_t ste[SMMU_STE_WORDS], struct smmuv3_ste *ret)
{
	*ret = (struct smmuv3_ste){
		.valid = ste[0] & STE_0_V,
		.config = (unsigned)FIELD_GET(STE_0_CONFIG, ste[0]),
		.cd_pa = ste[0] & STE_0_S1CONTEXTPTR,
		.s2ttb = ste[3] & STE_3_S2TTB,
		.vmid = (uint16_t)FIELD_GET(STE_2_S2VMID, ste[2]),
	};
}

/**
 * smmuv3_cd_encode() - a valid AArch64 context descriptor translating through TTB0 only:
 * T0SZ = 64 - IAS, TG0 4 KiB, walks write-back inner shareable, EPD1, IPS, R (record
 * faults), A (abort on fault; required with IDR0.TERM_MODEL), ASET (ASIDs not shared with
 * a CPU), the ASID and MAIR0 = PT_LPAE_MAIR (the attribute indexes pgtable writes).
 */
void smmuv3_cd_encode(const struct smmuv3_cd_cfg *cfg, uint64_t ret_cd[SMMU_CD_WORDS])
{
	memset(ret_cd, 0, SMMU_CD_SIZE);
	ret_cd[0] = FIELD_PREP(CD_0_T0SZ, 64 - cfg->ias) | FIELD_PREP(CD_0_TG0, SMMU_TG_4K) |
		    FIELD_PREP(CD_0_IR0, SMMU_WALK_WBRAWA) |
		    FIELD_PREP(CD_0_OR0, SMMU_WALK_WBRAWA) | FIELD_PREP(CD_0_SH0, SMMU_SH_ISH) |
		    CD_0_EPD1 | CD_0_V | FIELD_PREP(CD_0_IPS, cfg->ips) | CD_0_AA64 | CD_0_R |
		    CD_0_A | CD_0_ASET | FIELD_PREP(CD_0_ASID, cfg->asid);
	ret_cd[1] = cfg->ttb0 & CD_1_TTB0;
	ret_cd[3] = PT_LPAE_MAIR;
}

/** smmuv3_cd_decode() - TTB0 and ASID of a valid CD; false for an invalid one. */
bool smmuv3_cd_decode(const uint64_t cd[SMMU_CD_WORDS], uint64_t *ret_ttb0, uint16_t *ret_asid)
{
	if (!(cd[0] & CD_0_V)) {
		return false;
	}
	*ret_ttb0 = cd[1] & CD_1_TTB0;
	*ret_asid = (uint16_t)FIELD_GET(CD_0_ASID, cd[0]);
	return true;
}

/** smmuv3_l1_desc_encode() - a level-1 descriptor for a level-2 table of 2^split STEs
 * (Span = split + 1, 5.1). */
uint64_t smmuv3_l1_desc_encode(uint64_t l2_pa, unsigned split)
{
	return (l2_pa & SMMU_L1STD_L2PTR) | FIELD_PREP(SMMU_L1STD_SPAN, split + 1);
}

/** smmuv3_l1_desc_decode() - the level-2 table of a descriptor; false when Span is 0. */
bool smmuv3_l1_desc_decode(uint64_t desc, uint64_t *ret_l2_pa)
{
	if (FIELD_GET(SMMU_L1STD_SPAN, desc) == 0) {
		return false;
	}
	*ret_l2_pa = desc & SMMU_L1STD_L2PTR;
	return true;
}

/**
 * smmuv3_cmd_encode() - the two words of a command (4.3 configuration invalidation, 4.4 TLB
 * invalidation, 4.7 CMD_SYNC).  CFGI_STE is not Leaf: the CDs fetched through the STE go
 * too.  TLBI_NH_VA and TLBI_S2_IPA invalidate one address (TG 0: no range).  CMD_SYNC
 * signals nothing (CS none): completion is seen by CMDQ_CONS passing it.
 */
void smmuv3_cmd_encode(const struct smmuv3_cmd *cmd, uint64_t ret_words[SMMU_CMD_WORDS])
{
	uint64_t w0 = FIELD_PREP(CMD_0_OP, cmd->op);
	uint64_t w1 = 0;

	switch (cmd->op) {
	case CMD_OP_CFGI_STE:
		w0 |= FIELD_PREP(CMD_CFGI_0_SID, cmd->sid);
		w1 |= cmd->leaf ? CMD_CFGI_1_LEAF : 0;
		break;
	case CMD_OP_CFGI_CD:
		w0 |= FIELD_PREP(CMD_CFGI_0_SID, cmd->sid);
		w1 |= cmd->leaf ? CMD_CFGI_1_LEAF : 0;
		break;
	case CMD_OP_CFGI_ALL:
		w1 |= FIELD_PREP(CMD_CFGI_1_RANGE, CMD_CFGI_1_RANGE_ALL);
		break;
	case CMD_OP_TLBI_NH_ASID:
		w0 |= FIELD_PREP(CMD_TLBI_0_ASID, cmd->asid) |
		      FIELD_PREP(CMD_TLBI_0_VMID, cmd->vmid);
		break;
	case CMD_OP_TLBI_NH_VA:
		w0 |= FIELD_PREP(CMD_TLBI_0_ASID, cmd->asid) |
		      FIELD_PREP(CMD_TLBI_0_VMID, cmd->vmid);
		w1 |= (cmd->addr & CMD_TLBI_1_VA) | (cmd->leaf ? CMD_TLBI_1_LEAF : 0);
		break;
	case CMD_OP_TLBI_S12_VMALL:
		w0 |= FIELD_PREP(CMD_TLBI_0_VMID, cmd->vmid);
		break;
	case CMD_OP_TLBI_S2_IPA:
		w0 |= FIELD_PREP(CMD_TLBI_0_VMID, cmd->vmid);
		w1 |= (cmd->addr & CMD_TLBI_1_IPA) | (cmd->leaf ? CMD_TLBI_1_LEAF : 0);
		break;
	case CMD_OP_SYNC:
		w0 |= FIELD_PREP(CMD_SYNC_0_CS, CMD_SYNC_0_CS_NONE);
		break;
	default: /* CMD_OP_TLBI_NSNH_ALL and others: the opcode alone */
		break;
	}
	ret_words[0] = w0;
	ret_words[1] = w1;
}

/* Events that carry InputAddr and RnW (7.3.9 to 7.3.13, 7.3.11 F_WALK_EABT). */
static bool event_has_address(unsigned id)
{
	switch (id) {
	case EVT_F_UUT:
	case EVT_F_TRANSL_FORBIDDEN:
	case EVT_F_WALK_EABT:
	case EVT_F_TRANSLATION:
	case EVT_F_ADDR_SIZE:
	case EVT_F_ACCESS:
	case EVT_F_PERMISSION:
	case EVT_F_TLB_CONFLICT:
		return true;
	default:
		return false;
	}
}

/**
 * smmuv3_event_decode() - an event record as written by the hardware (little endian already
 * converted): number, StreamID, and for translation-related events the input address and
 * the direction (RnW 1: read).  Records are untrusted hardware output: any value decodes.
 */
void smmuv3_event_decode(const uint64_t words[SMMU_EVT_WORDS], struct smmuv3_event *ret)
{
	unsigned id = (unsigned)FIELD_GET(EVT_0_ID, words[0]);
	bool addressed = event_has_address(id);

	*ret = (struct smmuv3_event){
		.id = id,
		.sid = (uint32_t)FIELD_GET(EVT_0_SID, words[0]),
		.address = addressed ? words[2] : 0,
		.access = addressed ? (words[1] & EVT_1_RNW ? SMMU_ACCESS_READ : SMMU_ACCESS_WRITE)
				    : 0,
		.raw = words[0],
	};
}

/** smmuv3_event_name() - the spec's name of an event number, "unknown" for others. */
const char *smmuv3_event_name(unsigned id)
{
	switch (id) {
	case EVT_F_UUT:
		return "F_UUT";
	case EVT_C_BAD_STREAMID:
		return "C_BAD_STREAMID";
	case EVT_F_STE_FETCH:
		return "F_STE_FETCH";
	case EVT_C_BAD_STE:
		return "C_BAD_STE";
	case EVT_F_BAD_ATS_TREQ:
		return "F_BAD_ATS_TREQ";
	case EVT_F_STREAM_DISABLED:
		return "F_STREAM_DISABLED";
	case EVT_F_TRANSL_FORBIDDEN:
		return "F_TRANSL_FORBIDDEN";
	case EVT_C_BAD_SUBSTREAMID:
		return "C_BAD_SUBSTREAMID";
	case EVT_F_CD_FETCH:
		return "F_CD_FETCH";
	case EVT_C_BAD_CD:
		return "C_BAD_CD";
	case EVT_F_WALK_EABT:
		return "F_WALK_EABT";
	case EVT_F_TRANSLATION:
		return "F_TRANSLATION";
	case EVT_F_ADDR_SIZE:
		return "F_ADDR_SIZE";
	case EVT_F_ACCESS:
		return "F_ACCESS";
	case EVT_F_PERMISSION:
		return "F_PERMISSION";
	case EVT_F_TLB_CONFLICT:
		return "F_TLB_CONFLICT";
	case EVT_F_CFG_CONFLICT:
		return "F_CFG_CONFLICT";
	default:
		return "unknown";
	}
}
