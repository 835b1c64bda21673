/* SPDX-License-Identifier: Apache-2.0 */
/* ID register decoding (IHI 0070 6.3.1 to 6.3.8): what QEMU's unit offers, what this library
 * refuses, and which stage domains use. */
#include <errno.h>

#include "cmocka-all.h"
#include "smmuv3-test-util.h"

static char why[SMMUV3_WHY_SIZE];

static int decode(uint32_t idr0, uint32_t idr1, uint32_t idr5, struct smmuv3_caps *caps)
{
	return smmuv3_caps_decode(idr0, idr1, QEMU_IDR3, idr5, QEMU_IIDR, QEMU_AIDR, caps, why,
				  sizeof(why));
}

/* QEMU 7.2's registers: stage 1 only, two-level, SIDSIZE 16, OAS 44, 16-bit ASIDs, 8-bit
 * VMIDs, terminate model, queues capped at this library's sizes. */
static void test_qemu_registers(void **state)
{
	struct smmuv3_caps caps;
	unsigned stage = 0;

	(void)state;
	assert_int_equal(decode(QEMU_IDR0, QEMU_IDR1, QEMU_IDR5, &caps), 0);
	assert_true(caps.s1p);
	assert_false(caps.s2p);
	assert_true(caps.two_level);
	assert_true(caps.term_model);
	assert_false(caps.stall_ok);
	assert_int_equal(caps.sid_bits, 16);
	assert_int_equal(caps.oas, 44);
	assert_int_equal(caps.ips, 4);
	assert_int_equal(caps.asid_bits, 16);
	assert_int_equal(caps.vmid_bits, 8);
	assert_int_equal(caps.cmdq_lg2, SMMUV3_CMDQ_LG2);
	assert_int_equal(caps.eventq_lg2, SMMUV3_EVENTQ_LG2);
	assert_int_equal(smmuv3_stage_choose(&caps, 0, &stage, why, sizeof(why)), 0);
	assert_int_equal(stage, 1);
	assert_int_equal(smmuv3_stage_choose(&caps, 1, &stage, why, sizeof(why)), 0);
	assert_int_equal(smmuv3_stage_choose(&caps, 2, &stage, why, sizeof(why)), -EOPNOTSUPP);
	assert_non_null(strstr(why, "stage=2"));
}

/* A stage-2-only unit defaults to stage 2; asking for stage 1 there fails. */
static void test_stage2_only(void **state)
{
	struct smmuv3_caps caps;
	unsigned stage = 0;
	uint32_t idr0 = (QEMU_IDR0 & ~(uint32_t)SMMU_IDR0_S1P) | (uint32_t)SMMU_IDR0_S2P |
			(uint32_t)SMMU_IDR0_VMID16;

	(void)state;
	assert_int_equal(decode(idr0, QEMU_IDR1, QEMU_IDR5, &caps), 0);
	assert_int_equal(caps.vmid_bits, 16);
	assert_int_equal(smmuv3_stage_choose(&caps, 0, &stage, why, sizeof(why)), 0);
	assert_int_equal(stage, 2);
	assert_int_equal(smmuv3_stage_choose(&caps, 1, &stage, why, sizeof(why)), -EOPNOTSUPP);
}

/* OAS 52 is capped to the 48 bits pgtable writes; every architected OAS has its IPS. */
static void test_oas(void **state)
{
	struct smmuv3_caps caps;
	static const unsigned bits[] = {32, 36, 40, 42, 44, 48};

	(void)state;
	assert_int_equal(decode(QEMU_IDR0, QEMU_IDR1, (QEMU_IDR5 & ~7u) | 6u, &caps), 0);
	assert_int_equal(caps.oas, 48);
	assert_int_equal(caps.ips, 5);
	for (unsigned i = 0; i < ARRAY_SIZE(bits); i++) {
		assert_int_equal(smmuv3_ips_of_oas(bits[i]), i);
	}
	assert_int_equal(smmuv3_ips_of_oas(39), -EINVAL);
	assert_int_equal(decode(QEMU_IDR0, QEMU_IDR1, (QEMU_IDR5 & ~7u) | 7u, &caps), -EOPNOTSUPP);
}

/* What this library cannot drive is refused with a sentence naming the register. */
static void test_refusals(void **state)
{
	struct smmuv3_caps caps;
	const uint32_t no_stage = QEMU_IDR0 & ~(uint32_t)(SMMU_IDR0_S1P | SMMU_IDR0_S2P);
	const uint32_t aarch32 = (QEMU_IDR0 & ~(uint32_t)SMMU_IDR0_TTF) |
				 (uint32_t)FIELD_PREP(SMMU_IDR0_TTF, SMMU_IDR0_TTF_AARCH32);
	const uint32_t big_endian = QEMU_IDR0 | (uint32_t)SMMU_IDR0_TTENDIAN;
	const uint32_t forced_stall = (QEMU_IDR0 & ~(uint32_t)SMMU_IDR0_STALL_MODEL) |
				      (uint32_t)FIELD_PREP(SMMU_IDR0_STALL_MODEL, 2);

	(void)state;
	assert_int_equal(decode(no_stage, QEMU_IDR1, QEMU_IDR5, &caps), -EOPNOTSUPP);
	assert_non_null(strstr(why, "neither stage"));
	assert_int_equal(decode(aarch32, QEMU_IDR1, QEMU_IDR5, &caps), -EOPNOTSUPP);
	assert_non_null(strstr(why, "AArch64"));
	assert_int_equal(decode(big_endian, QEMU_IDR1, QEMU_IDR5, &caps), -EOPNOTSUPP);
	assert_non_null(strstr(why, "big-endian"));
	assert_int_equal(decode(forced_stall, QEMU_IDR1, QEMU_IDR5, &caps), -EOPNOTSUPP);
	assert_non_null(strstr(why, "stall"));
	assert_int_equal(
		decode(QEMU_IDR0, QEMU_IDR1 | (uint32_t)SMMU_IDR1_TABLES_PRESET, QEMU_IDR5, &caps),
		-EOPNOTSUPP);
	assert_int_equal(
		decode(QEMU_IDR0, QEMU_IDR1, QEMU_IDR5 & ~(uint32_t)SMMU_IDR5_GRAN4K, &caps),
		-EOPNOTSUPP);
	assert_non_null(strstr(why, "4 KiB"));
	/* A command queue too small for a batch and its CMD_SYNC. */
	assert_int_equal(
		decode(QEMU_IDR0, QEMU_IDR1 & ~(uint32_t)SMMU_IDR1_CMDQS, QEMU_IDR5, &caps),
		-EOPNOTSUPP);
	assert_non_null(strstr(why, "command queue"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_registers),
		cmocka_unit_test(test_stage2_only),
		cmocka_unit_test(test_oas),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
