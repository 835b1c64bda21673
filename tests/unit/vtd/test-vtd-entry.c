/* SPDX-License-Identifier: Apache-2.0 */
/* Encodings checked bit by bit against the VT-d specification: source-ids (3.4.1), root and
 * context entries (9.1, 9.3), fault records (11.4.14, appendix A), page-selective
 * invalidation ranges (6.5.1.2), queued invalidation descriptors (6.5.2) and the
 * register-based commands (11.4.7, 11.4.8). */
#include <errno.h>

#include "cmocka-all.h"
#include "vtd-test-util.h"

/* bus 15:8, device 7:3, function 2:0: QEMU's first edu at 00:01.0 is 0x0008. */
static void test_source_id(void **state)
{
	(void)state;
	assert_int_equal(vtd_source_id(0, 1, 0), 0x0008);
	assert_int_equal(vtd_source_id(0, 2, 0), 0x0010);
	assert_int_equal(vtd_source_id(0xab, 31, 7), 0xabff);
	assert_int_equal(vtd_source_id(1, 0, 1), 0x0101);
}

/* A root entry is P plus the context table's address; word 1 stays zero (legacy mode). */
static void test_root_entry(void **state)
{
	uint64_t e[2] = {~0ull, ~0ull};
	uint64_t ctp = 0;

	(void)state;
	vtd_root_entry_encode(0xc002000, e);
	assert_int_equal(e[0], 0xc002001);
	assert_int_equal(e[1], 0);
	assert_true(vtd_root_entry_decode(e, &ctp));
	assert_int_equal(ctp, 0xc002000);
	e[0] = 0xc002000; /* P clear */
	ctp = 5;
	assert_false(vtd_root_entry_decode(e, &ctp));
	assert_int_equal(ctp, 5);
}

/* Context entry: P 0, FPD 1 clear, TT 3:2 = 0 (second-level), SLPTPTR 63:12; AW 66:64,
 * DID 87:72.  Domain 5 with tables at 0x12345000, 3-level. */
static void test_context_entry_encoding(void **state)
{
	uint64_t e[2];
	struct vtd_context c;

	(void)state;
	vtd_context_encode(5, 0x12345000, 1, e);
	assert_int_equal(e[0], 0x12345001);
	assert_int_equal(e[1], 0x501);
	vtd_context_encode(0xffff, 0xfffffffff000ull, 2, e);
	assert_int_equal(e[0], 0xfffffffff001ull);
	assert_int_equal(e[1], 0xffff02);
	assert_int_equal(vtd_context_decode(e, &c), 0);
	assert_true(c.present);
	assert_false(c.fpd);
	assert_int_equal(c.tt, VTD_CONTEXT_TT_SL);
	assert_int_equal(c.aw, 2);
	assert_int_equal(c.did, 0xffff);
	assert_int_equal(c.slptptr, 0xfffffffff000ull);
}

/* A cleared entry decodes as not present; a present one with reserved bits is refused. */
static void test_context_entry_decoding(void **state)
{
	uint64_t zero[2] = {0, 0};
	uint64_t e[2];
	struct vtd_context c = {.present = true};

	(void)state;
	assert_int_equal(vtd_context_decode(zero, &c), 0);
	assert_false(c.present);
	vtd_context_encode(1, 0x1000, 1, e);
	e[0] |= BIT(4);
	assert_int_equal(vtd_context_decode(e, &c), -EINVAL);
	vtd_context_encode(1, 0x1000, 1, e);
	e[1] |= BIT(7);
	assert_int_equal(vtd_context_decode(e, &c), -EINVAL);
	vtd_context_encode(1, 0x1000, 1, e);
	e[1] |= BIT(24);
	assert_int_equal(vtd_context_decode(e, &c), -EINVAL);
	/* Reserved bits of a not-present entry are the hardware's business, not ours. */
	e[0] &= ~VTD_CONTEXT_0_P;
	assert_int_equal(vtd_context_decode(e, &c), 0);
	assert_false(c.present);
}

/* The record QEMU wrote for a refused edu read (DESIGN.md, and again on these machines):
 * F=1, T=1 (read), reason 1, source-id 0x0008, fault info the page. */
static void test_fault_record_of_a_read(void **state)
{
	struct smmu_backend_fault f;

	(void)state;
	vtd_fault_record_decode(0x1000000, 0xc000000100000008ull, &f);
	assert_int_equal(f.device_key, 0x0008);
	assert_int_equal(f.address, 0x1000000);
	assert_int_equal(f.access, SMMU_ACCESS_READ);
	assert_int_equal(f.raw, 0xc000000100000008ull);
	assert_int_equal(FIELD_GET(VTD_FRCD_1_FR, f.raw), VTD_FR_ROOT_ENTRY_P);
	assert_int_equal(f.reserved, 0);
}

/* A write to a read-only page: T=0, reason 5; the low 12 bits of word 0 are not address. */
static void test_fault_record_of_a_write(void **state)
{
	struct smmu_backend_fault f;
	uint64_t word1 = VTD_FRCD_1_F | FIELD_PREP(VTD_FRCD_1_FR, VTD_FR_WRITE) | 0x0110;

	(void)state;
	vtd_fault_record_decode(0x2345fff, word1, &f);
	assert_int_equal(f.device_key, 0x0110);
	assert_int_equal(f.address, 0x2345000);
	assert_int_equal(f.access, SMMU_ACCESS_WRITE);
	assert_int_equal(f.raw, word1);
}

/* Appendix A's names, and a name for codes it does not list. */
static void test_fault_reason_names(void **state)
{
	(void)state;
	assert_string_equal(vtd_fault_reason_name(2), "context entry not present");
	assert_string_equal(vtd_fault_reason_name(5), "write to a page without write permission");
	assert_string_equal(vtd_fault_reason_name(0xd), "translation type blocked");
	assert_string_equal(vtd_fault_reason_name(0), "unknown fault reason");
	assert_string_equal(vtd_fault_reason_name(0x58), "unknown fault reason");
}

/* The page-selective invalidation of a range is the smallest aligned block of 2^AM pages
 * that covers it, compared with a brute-force search. */
static void test_psi_plan_matches_brute_force(void **state)
{
	static const struct {
		uint64_t start, last;
	} cases[] = {
		{0x0, 0xfff},		{0x1000, 0x1fff},	  {0x1000, 0x2fff},
		{0x3000, 0x4fff},	{0x0, 0x1fffff},	  {0x1ff000, 0x200fff},
		{0x7fff000, 0x7ffffff}, {0x40000000, 0x7fffffff},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t addr, want_addr = 0;
		unsigned am, want_am = 64;

		for (unsigned m = 0; m < 52 && want_am == 64; m++) {
			uint64_t block = (uint64_t)1 << (12 + m);
			uint64_t base = cases[i].start & ~(block - 1);

			if (cases[i].last <= base + block - 1) {
				want_am = m;
				want_addr = base;
			}
		}
		assert_int_equal(vtd_psi_plan(cases[i].start, cases[i].last, 18, &addr, &am), 0);
		assert_int_equal(am, want_am);
		assert_int_equal(addr, want_addr);
	}
}

/* A block larger than 2^MAMV pages is -ERANGE: the caller invalidates the domain. */
static void test_psi_plan_respects_mamv(void **state)
{
	uint64_t addr = 1;
	unsigned am = 1;

	(void)state;
	assert_int_equal(vtd_psi_plan(0x1ff000, 0x200fff, 9, &addr, &am), -ERANGE);
	assert_int_equal(vtd_psi_plan(0x1ff000, 0x200fff, 10, &addr, &am), 0);
	assert_int_equal(am, 10);
	assert_int_equal(vtd_psi_plan(0x2000, 0x1000, 18, &addr, &am), -EINVAL);
}

/* Descriptors: type 3:0, granularity 5:4, DID 31:16, SID 47:32; IOTLB DR 7, DW 6, address
 * and AM in word 1; wait: type 5 with IF (bit 4) only. */
static void test_invalidation_descriptors(void **state)
{
	struct vtd_inv_req cc = {.kind = VTD_INV_CONTEXT,
				 .granularity = VTD_CC_DEVICE,
				 .did = 0x1234,
				 .sid = 0x0010};
	struct vtd_inv_req iotlb = {.kind = VTD_INV_IOTLB,
				    .granularity = VTD_IOTLB_PAGE,
				    .did = 7,
				    .addr = 0x200000,
				    .am = 9,
				    .drain_read = true,
				    .drain_write = true};
	struct vtd_inv_req global = {.kind = VTD_INV_IOTLB, .granularity = VTD_IOTLB_GLOBAL};
	uint64_t d[2];

	(void)state;
	vtd_inv_desc_encode(&cc, d);
	assert_int_equal(d[0], 0x0000001012340031ull);
	assert_int_equal(d[1], 0);
	vtd_inv_desc_encode(&iotlb, d);
	assert_int_equal(d[0], 0x00000000000700f2ull);
	assert_int_equal(d[1], 0x200009);
	vtd_inv_desc_encode(&global, d);
	assert_int_equal(d[0], 0x12);
	assert_int_equal(d[1], 0);
	vtd_inv_wait_desc_encode(d);
	assert_int_equal(d[0], 0x15);
	assert_int_equal(d[1], 0);
}

/* CCMD: ICC 63, CIRG 62:61, SID 31:16, DID 15:0.  IOTLB: IVT 63, IIRG 61:60, DR 49, DW 48,
 * DID 47:32.  IVA: address, AM 5:0. */
static void test_register_commands(void **state)
{
	struct vtd_inv_req cc = {
		.kind = VTD_INV_CONTEXT, .granularity = VTD_CC_DEVICE, .did = 3, .sid = 0x0008};
	struct vtd_inv_req cc_global = {.kind = VTD_INV_CONTEXT, .granularity = VTD_CC_GLOBAL};
	struct vtd_inv_req dom = {.kind = VTD_INV_IOTLB,
				  .granularity = VTD_IOTLB_DOMAIN,
				  .did = 9,
				  .drain_read = true};
	struct vtd_inv_req page = {.kind = VTD_INV_IOTLB,
				   .granularity = VTD_IOTLB_PAGE,
				   .did = 1,
				   .addr = 0x1000000,
				   .am = 2};

	(void)state;
	assert_int_equal(vtd_ccmd_encode(&cc), 0xe000000000080003ull);
	assert_int_equal(vtd_ccmd_encode(&cc_global), 0xa000000000000000ull);
	assert_int_equal(vtd_iotlb_reg_encode(&dom), 0xa002000900000000ull);
	assert_int_equal(vtd_iotlb_reg_encode(&page), 0xb000000100000000ull);
	assert_int_equal(vtd_iva_encode(&page), 0x1000002);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_id),
		cmocka_unit_test(test_root_entry),
		cmocka_unit_test(test_context_entry_encoding),
		cmocka_unit_test(test_context_entry_decoding),
		cmocka_unit_test(test_fault_record_of_a_read),
		cmocka_unit_test(test_fault_record_of_a_write),
		cmocka_unit_test(test_fault_reason_names),
		cmocka_unit_test(test_psi_plan_matches_brute_force),
		cmocka_unit_test(test_psi_plan_respects_mamv),
		cmocka_unit_test(test_invalidation_descriptors),
		cmocka_unit_test(test_register_commands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
