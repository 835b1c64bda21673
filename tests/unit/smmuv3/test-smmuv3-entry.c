/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SMMUv3 encodings against the specification's bit positions, written here as plain numbers
 * (IHI 0070 5.2 STE, 5.4 CD, 5.1 level-1 descriptor, 4 commands, 7.3 events), so that a
 * wrong mask in smmuv3-regs.h fails.  Stage 2 is checked here because QEMU 7.2 cannot
 * translate stage 2.
 */
#include "cmocka-all.h"
#include "smmuv3-test-util.h"

/* A bypass STE: V, Config 0b100, NS-EL1 stream world, incoming shareability (SHCFG 1). */
static void test_ste_bypass(void **state)
{
	uint64_t ste[8];

	(void)state;
	smmuv3_ste_bypass(false, ste);
	assert_int_equal(ste[0], 0x1 | 0x4 << 1);
	assert_int_equal(ste[1], 1ull << 44);
	for (unsigned w = 2; w < 8; w++) {
		assert_int_equal(ste[w], 0);
	}
	smmuv3_ste_bypass(true, ste);
	assert_int_equal(ste[1], 1ull << 44 | 1ull << 27); /* S1STALLD */
}

/* A stage-1 STE: V, Config 0b101, S1ContextPtr at 51:6, S1Fmt 0, S1CDMax 0, S1DSS 0; walks
 * write-back (S1CIR 3:2 = 1, S1COR 5:4 = 1) inner shareable (S1CSH 7:6 = 3). */
static void test_ste_stage1(void **state)
{
	uint64_t ste[8];
	struct smmuv3_ste d;

	(void)state;
	smmuv3_ste_s1(0x4c123040, false, ste);
	assert_int_equal(ste[0], 0x4c123040ull | 0x5 << 1 | 1);
	assert_int_equal(ste[1], 1ull << 2 | 1ull << 4 | 3ull << 6 | 1ull << 44);
	assert_int_equal(ste[2], 0);
	assert_int_equal(ste[3], 0);
	smmuv3_ste_decode(ste, &d);
	assert_true(d.valid);
	assert_int_equal(d.config, 5);
	assert_int_equal(d.cd_pa, 0x4c123040);
}

/* A stage-2 STE: VMID 15:0, S2T0SZ 37:32 = 64 - 44, S2SL0 39:38 = 2 for a level-0 start,
 * S2IR0 41:40 = 1, S2OR0 43:42 = 1, S2SH0 45:44 = 3, S2TG 47:46 = 0 (4 KiB), S2PS 50:48 = 4
 * (44 bits), S2AA64 51, S2R 58; S2TTB at word 3, 51:4. */
static void test_ste_stage2(void **state)
{
	struct smmuv3_s2_cfg cfg = {
		.vmid = 0x1234, .s2ttb = 0x4c200000, .ias = 44, .start_level = 0, .ips = 4};
	uint64_t ste[8];
	struct smmuv3_ste d;

	(void)state;
	smmuv3_ste_s2(&cfg, ste);
	assert_int_equal(ste[0], 0x1 | 0x6 << 1);
	assert_int_equal(ste[1], 1ull << 44);
	assert_int_equal(ste[2], 0x1234ull | 20ull << 32 | 2ull << 38 | 1ull << 40 | 1ull << 42 |
					 3ull << 44 | 0ull << 46 | 4ull << 48 | 1ull << 51 |
					 1ull << 58);
	assert_int_equal(ste[3], 0x4c200000);
	smmuv3_ste_decode(ste, &d);
	assert_int_equal(d.config, 6);
	assert_int_equal(d.vmid, 0x1234);
	assert_int_equal(d.s2ttb, 0x4c200000);
	/* A 40-bit IPA with concatenated tables starts at level 1: S2SL0 1. */
	cfg.ias = 40;
	cfg.start_level = 1;
	smmuv3_ste_s2(&cfg, ste);
	assert_int_equal((ste[2] >> 32) & 0x3f, 24);
	assert_int_equal((ste[2] >> 38) & 3, 1);
}

/* An invalid STE (all zero) decodes as not valid, Config abort. */
static void test_ste_invalid(void **state)
{
	uint64_t ste[8] = {0};
	struct smmuv3_ste d;

	(void)state;
	smmuv3_ste_decode(ste, &d);
	assert_false(d.valid);
	assert_int_equal(d.config, 0);
}

/* The CD: T0SZ 5:0 = 20, TG0 7:6 = 0, IR0 9:8 = 1, OR0 11:10 = 1, SH0 13:12 = 3, EPD1 30,
 * V 31, IPS 34:32 = 4, AA64 41, R 45, A 46, ASET 47, ASID 63:48; TTB0 in word 1 at 51:4;
 * MAIR0 in word 3. */
static void test_cd(void **state)
{
	struct smmuv3_cd_cfg cfg = {.asid = 0xbeef, .ttb0 = 0x4c345000, .ias = 44, .ips = 4};
	uint64_t cd[8];
	uint64_t ttb0 = 0;
	uint16_t asid = 0;

	(void)state;
	smmuv3_cd_encode(&cfg, cd);
	assert_int_equal(cd[0], 20ull | 1ull << 8 | 1ull << 10 | 3ull << 12 | 1ull << 30 |
					1ull << 31 | 4ull << 32 | 1ull << 41 | 1ull << 45 |
					1ull << 46 | 1ull << 47 | 0xbeefull << 48);
	assert_int_equal(cd[1], 0x4c345000);
	assert_int_equal(cd[2], 0);
	assert_int_equal(cd[3], PT_LPAE_MAIR);
	assert_true(smmuv3_cd_decode(cd, &ttb0, &asid));
	assert_int_equal(ttb0, 0x4c345000);
	assert_int_equal(asid, 0xbeef);
	cd[0] &= ~(1ull << 31);
	assert_false(smmuv3_cd_decode(cd, &ttb0, &asid));
}

/* A level-1 descriptor: L2Ptr 51:6, Span 4:0 = split + 1; Span 0 is invalid. */
static void test_l1_descriptor(void **state)
{
	uint64_t pa = 0;

	(void)state;
	assert_int_equal(smmuv3_l1_desc_encode(0x4c104000, 8), 0x4c104000ull | 9);
	assert_true(smmuv3_l1_desc_decode(0x4c104009, &pa));
	assert_int_equal(pa, 0x4c104000);
	assert_false(smmuv3_l1_desc_decode(0x4c104000, &pa));
}

/* Commands: opcode 7:0; CFGI SID 63:32, Leaf 0 of word 1, CFGI_ALL Range 31; TLBI ASID 63:48,
 * VMID 47:32, address 63:12 (IPA 51:12), Leaf; CMD_SYNC with CS 0. */
static void test_commands(void **state)
{
	uint64_t w[2];

	(void)state;
	smmuv3_cmd_encode(&(struct smmuv3_cmd){.op = CMD_OP_CFGI_STE, .sid = 0x10008}, w);
	assert_int_equal(w[0], 0x03 | 0x10008ull << 32);
	assert_int_equal(w[1], 0);
	smmuv3_cmd_encode(&(struct smmuv3_cmd){.op = CMD_OP_CFGI_ALL}, w);
	assert_int_equal(w[0], 0x04);
	assert_int_equal(w[1], 31);
	smmuv3_cmd_encode(&(struct smmuv3_cmd){.op = CMD_OP_TLBI_NH_ASID, .asid = 7}, w);
	assert_int_equal(w[0], 0x11 | 7ull << 48);
	smmuv3_cmd_encode(
		&(struct smmuv3_cmd){
			.op = CMD_OP_TLBI_NH_VA, .asid = 7, .addr = 0x41234fff, .leaf = true},
		w);
	assert_int_equal(w[0], 0x12 | 7ull << 48);
	assert_int_equal(w[1], 0x41234000ull | 1);
	smmuv3_cmd_encode(&(struct smmuv3_cmd){.op = CMD_OP_TLBI_S12_VMALL, .vmid = 3}, w);
	assert_int_equal(w[0], 0x28 | 3ull << 32);
	smmuv3_cmd_encode(&(struct smmuv3_cmd){.op = CMD_OP_TLBI_S2_IPA,
					       .vmid = 3,
					       .addr = 0xfff0000041234000ull,
					       .leaf = false},
			  w);
	assert_int_equal(w[0], 0x2a | 3ull << 32);
	assert_int_equal(w[1], 0x41234000ull); /* bits above 51 are not an IPA */
	smmuv3_cmd_encode(&(struct smmuv3_cmd){.op = CMD_OP_TLBI_NSNH_ALL}, w);
	assert_int_equal(w[0], 0x30);
	smmuv3_cmd_encode(&(struct smmuv3_cmd){.op = CMD_OP_SYNC}, w);
	assert_int_equal(w[0], 0x46);
	assert_int_equal(w[1], 0);
}

/* F_TRANSLATION as QEMU writes it for a refused read by StreamID 8: the address and RnW. */
static void test_event_translation(void **state)
{
	const uint64_t words[4] = {0x10 | 8ull << 32, 1ull << 35, 0x48000004, 0};
	struct smmuv3_event e;

	(void)state;
	smmuv3_event_decode(words, &e);
	assert_int_equal(e.id, EVT_F_TRANSLATION);
	assert_int_equal(e.sid, 8);
	assert_int_equal(e.address, 0x48000004);
	assert_int_equal(e.access, SMMU_ACCESS_READ);
	assert_int_equal(e.raw, words[0]);
	assert_string_equal(smmuv3_event_name(e.id), "F_TRANSLATION");
}

/* A write (RnW 0) refused by permission. */
static void test_event_permission_write(void **state)
{
	const uint64_t words[4] = {0x13 | 16ull << 32, 0, 0x41000000, 0};
	struct smmuv3_event e;

	(void)state;
	smmuv3_event_decode(words, &e);
	assert_int_equal(e.id, EVT_F_PERMISSION);
	assert_int_equal(e.sid, 16);
	assert_int_equal(e.access, SMMU_ACCESS_WRITE);
}

/* C_BAD_STE carries no address or direction: both are reported as unknown. */
static void test_event_bad_ste(void **state)
{
	const uint64_t words[4] = {0x04 | 0x1234ull << 32, 1ull << 35, 0xdead, 0};
	struct smmuv3_event e;

	(void)state;
	smmuv3_event_decode(words, &e);
	assert_int_equal(e.id, EVT_C_BAD_STE);
	assert_int_equal(e.sid, 0x1234);
	assert_int_equal(e.address, 0);
	assert_int_equal(e.access, 0);
	assert_string_equal(smmuv3_event_name(0x04), "C_BAD_STE");
	assert_string_equal(smmuv3_event_name(0xff), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ste_bypass),
		cmocka_unit_test(test_ste_stage1),
		cmocka_unit_test(test_ste_stage2),
		cmocka_unit_test(test_ste_invalid),
		cmocka_unit_test(test_cd),
		cmocka_unit_test(test_l1_descriptor),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_event_translation),
		cmocka_unit_test(test_event_permission_write),
		cmocka_unit_test(test_event_bad_ste),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
