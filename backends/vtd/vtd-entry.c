/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encodings of VT-d structures, pure so that tests check them bit by bit: root and context
 * entries (VT-d 9.1, 9.3), fault records (11.4.14, appendix A), invalidation descriptors
 * (6.5.2) and the register-based invalidation commands (11.4.7, 11.4.8).  Words are in host
 * byte order; whoever stores them in table memory converts to little endian.
 */
#include "backends/vtd/vtd.h"

#include <errno.h>

/** vtd_source_id() - the requester id VT-d reports: bus 15:8, device 7:3, function 2:0. */
uint16_t vtd_source_id(unsigned bus, unsigned dev, unsigned func)
{
	return (uint16_t)((bus & 0xffu) << 8 | (dev & 0x1fu) << 3 | (func & 0x7u));
}

/** vtd_root_entry_encode() - a present root entry pointing at a 4 KiB-aligned context table. */
void vtd_root_entry_encode(uint64_t context_table_pa, uint64_t ret_entry[2])
{
	ret_entry[0] = (context_table_pa & VTD_ROOT_0_CTP) | VTD_ROOT_0_P;
	ret_entry[1] = 0;
}

/**
 * vtd_root_entry_decode() - whether the entry is present, and then its context table.
 * Reserved bits (word 0 bits 11:1, word 1 in legacy mode) are not checked: the hardware
 * faults on them and only our own entries are decoded.
 */
bool vtd_root_entry_decode(const uint64_t entry[2], uint64_t *ret_context_table_pa)
{
	if (!(entry[0] & VTD_ROOT_0_P)) {
		return false;
	}
	*ret_context_table_pa = entry[0] & VTD_ROOT_0_CTP;
	return true;
}

/**
 * vtd_context_encode() - a present legacy context entry: untranslated requests go through
 * the second-level tables at `slptptr` (4 KiB aligned) with address width `aw` (1: 39-bit,
 * 2: 48-bit), tagged with domain id `did`.  Faults are recorded (FPD clear).
 */
void vtd_context_encode(uint16_t did, uint64_t slptptr, unsigned aw, uint64_t ret_entry[2])
{
	ret_entry[0] = (slptptr & VTD_CONTEXT_0_SLPTPTR) |
		       FIELD_PREP(VTD_CONTEXT_0_TT, VTD_CONTEXT_TT_SL) | VTD_CONTEXT_0_P;
	ret_entry[1] = FIELD_PREP(VTD_CONTEXT_1_DID, did) | FIELD_PREP(VTD_CONTEXT_1_AW, aw);
}

/**
 * vtd_context_decode() - a context entry's fields.
 * Return: 0 (ret->present tells whether the entry is present; the other fields are then
 * meaningful); -EINVAL when a present entry has reserved bits set.
 */
int vtd_context_decode(const uint64_t entry[2], struct vtd_context *ret_context)
{
	struct vtd_context c = {.present = entry[0] & VTD_CONTEXT_0_P};

	if (c.present && ((entry[0] & VTD_CONTEXT_0_RSVD) || (entry[1] & VTD_CONTEXT_1_RSVD))) {
		return -EINVAL;
	}
	c.fpd = entry[0] & VTD_CONTEXT_0_FPD;
	c.tt = (unsigned)FIELD_GET(VTD_CONTEXT_0_TT, entry[0]);
	c.slptptr = entry[0] & VTD_CONTEXT_0_SLPTPTR;
	c.aw = (unsigned)FIELD_GET(VTD_CONTEXT_1_AW, entry[1]);
	c.did = (uint16_t)FIELD_GET(VTD_CONTEXT_1_DID, entry[1]);
	*ret_context = c;
	return 0;
}

/**
 * vtd_fault_record_decode() - one fault-recording register (word 0 = bits 63:0, word 1 =
 * bits 127:64) as the core's fault: device_key the source-id, address the fault info,
 * access from T, raw word 1 unchanged (vtd.h, "Faults").
 */
void vtd_fault_record_decode(uint64_t word0, uint64_t word1, struct smmu_backend_fault *ret)
{
	*ret = (struct smmu_backend_fault){
		.device_key = FIELD_GET(VTD_FRCD_1_SID, word1),
		.address = word0 & VTD_FRCD_0_FI,
		.raw = word1,
		.access = word1 & VTD_FRCD_1_T ? SMMU_ACCESS_READ : SMMU_ACCESS_WRITE,
	};
}

/** vtd_fault_reason_name() - appendix A's meaning of a fault reason, for log lines. */
const char *vtd_fault_reason_name(unsigned reason)
{
	static const char *const names[] = {
		[VTD_FR_ROOT_ENTRY_P] = "root entry not present",
		[VTD_FR_CONTEXT_ENTRY_P] = "context entry not present",
		[VTD_FR_CONTEXT_ENTRY_INV] = "invalid context entry",
		[VTD_FR_ADDR_BEYOND_MGAW] = "address beyond the guest address width",
		[VTD_FR_WRITE] = "write to a page without write permission",
		[VTD_FR_READ] = "read of a page without read permission",
		[VTD_FR_PAGING_ENTRY_INV] = "paging entry cannot be read",
		[VTD_FR_ROOT_TABLE_INV] = "root table cannot be read",
		[VTD_FR_CONTEXT_TABLE_INV] = "context table cannot be read",
		[VTD_FR_ROOT_ENTRY_RSVD] = "reserved bits in a root entry",
		[VTD_FR_CONTEXT_ENTRY_RSVD] = "reserved bits in a context entry",
		[VTD_FR_PAGING_ENTRY_RSVD] = "reserved bits in a paging entry",
		[VTD_FR_CONTEXT_ENTRY_TT] = "translation type blocked",
	};

	if (reason < ARRAY_SIZE(names) && names[reason]) {
		return names[reason];
	}
	return "unknown fault reason";
}

/**
 * vtd_psi_plan() - the one page-selective invalidation that covers [start, last]: the
 * smallest naturally aligned block of 2^am pages holding both ends (6.5.1.2: the address
 * is aligned to the mask).
 * Return: 0, *ret_addr and *ret_am; -ERANGE when the block needs a mask above `mamv`
 * (CAP.MAMV), so the caller invalidates the whole domain instead.
 */
int vtd_psi_plan(uint64_t start, uint64_t last, unsigned mamv, uint64_t *ret_addr, unsigned *ret_am)
{
	uint64_t first_page = start >> 12;
	uint64_t last_page = last >> 12;
	unsigned am = 0;

	if (start > last) {
		return -EINVAL;
	}
	while ((first_page >> am) != (last_page >> am)) {
		am++;
	}
	if (am > mamv) {
		return -ERANGE;
	}
	*ret_addr = (first_page >> am) << (am + 12);
	*ret_am = am;
	return 0;
}

/** vtd_inv_desc_encode() - a context-cache or IOTLB invalidate descriptor (6.5.2.1, 6.5.2.3). */
void vtd_inv_desc_encode(const struct vtd_inv_req *req, uint64_t ret_desc[2])
{
	if (req->kind == VTD_INV_CONTEXT) {
		ret_desc[0] = FIELD_PREP(VTD_INV_0_TYPE, VTD_INV_TYPE_CC) |
			      FIELD_PREP(VTD_INV_CC_0_G, req->granularity) |
			      FIELD_PREP(VTD_INV_CC_0_DID, req->did) |
			      FIELD_PREP(VTD_INV_CC_0_SID, req->sid);
		ret_desc[1] = 0;
		return;
	}
	ret_desc[0] = FIELD_PREP(VTD_INV_0_TYPE, VTD_INV_TYPE_IOTLB) |
		      FIELD_PREP(VTD_INV_IOTLB_0_G, req->granularity) |
		      FIELD_PREP(VTD_INV_IOTLB_0_DID, req->did) |
		      (req->drain_read ? VTD_INV_IOTLB_0_DR : 0) |
		      (req->drain_write ? VTD_INV_IOTLB_0_DW : 0);
	ret_desc[1] = 0;
	if (req->granularity == VTD_IOTLB_PAGE) {
		ret_desc[1] = (req->addr & VTD_INV_IOTLB_1_ADDR) |
			      FIELD_PREP(VTD_INV_IOTLB_1_AM, req->am);
	}
}

/**
 * vtd_inv_wait_desc_encode() - an invalidation wait descriptor that sets ICS.IWC once every
 * descriptor before it has completed (6.5.2.8).  Not a status write: QEMU refuses SW and IF
 * together, and a register is what hw_poll32() can wait on.
 */
void vtd_inv_wait_desc_encode(uint64_t ret_desc[2])
{
	ret_desc[0] = FIELD_PREP(VTD_INV_0_TYPE, VTD_INV_TYPE_WAIT) | VTD_INV_WAIT_0_IF;
	ret_desc[1] = 0;
}

/** vtd_ccmd_encode() - the Context Command Register value that starts a context-cache
 * invalidation (11.4.7); function mask 0: exactly the source-id. */
uint64_t vtd_ccmd_encode(const struct vtd_inv_req *req)
{
	return VTD_CCMD_ICC | FIELD_PREP(VTD_CCMD_CIRG, req->granularity) |
	       FIELD_PREP(VTD_CCMD_SID, req->sid) | FIELD_PREP(VTD_CCMD_DID, req->did);
}

/** vtd_iotlb_reg_encode() - the IOTLB Invalidate Register value that starts an IOTLB
 * invalidation (11.4.8.1). */
uint64_t vtd_iotlb_reg_encode(const struct vtd_inv_req *req)
{
	return VTD_IOTLB_IVT | FIELD_PREP(VTD_IOTLB_IIRG, req->granularity) |
	       FIELD_PREP(VTD_IOTLB_DID, req->did) | (req->drain_read ? VTD_IOTLB_DR : 0) |
	       (req->drain_write ? VTD_IOTLB_DW : 0);
}

/** vtd_iva_encode() - the Invalidate Address Register value of a page-selective IOTLB
 * invalidation (11.4.8.2); IH clear: paging-structure caches go too. */
uint64_t vtd_iva_encode(const struct vtd_inv_req *req)
{
	return (req->addr & VTD_IVA_ADDR) | FIELD_PREP(VTD_IVA_AM, req->am);
}
