/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a VT-d unit can do, from its Version, Capability and Extended Capability registers
 * (VT-d 11.4.1-11.4.3), and whether this library can drive it.  Pure: register values in,
 * a decoded structure or a reason out.
 */
#include "backends/vtd/vtd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Adjusted guest address widths of SAGAW's bits (11.4.2): 39 bits is 3-level tables, 48
 * bits 4-level.  57 (5-level) is not driven: the issue asks for 3 or 4 levels. */
#define VTD_AGAW_39 39u
#define VTD_AGAW_48 48u

/**
 * vtd_caps_decode() - decode VER, CAP and ECAP and choose what to use (vtd.h, "Tables").
 * Return: 0 and *ret_caps; -ENODEV when the registers read as no unit (all ones, or a
 * version of 0); -EOPNOTSUPP when the unit offers no 3- or 4-level tables, records no
 * faults, or has register offsets that cannot be right; each with a sentence in `why`.
 */
int vtd_caps_decode(uint32_t ver, uint64_t cap, uint64_t ecap, struct vtd_caps *ret_caps, char *why,
		    size_t why_size)
{
	struct vtd_caps caps = {.ver = ver, .cap = cap, .ecap = ecap};
	unsigned sagaw = (unsigned)FIELD_GET(VTD_CAP_SAGAW, cap);
	unsigned nd = (unsigned)FIELD_GET(VTD_CAP_ND, cap);
	unsigned sllps = (unsigned)FIELD_GET(VTD_CAP_SLLPS, cap);

	if (ver == UINT32_MAX || cap == UINT64_MAX || FIELD_GET(VTD_VER_MAX, ver) == 0) {
		snprintf(why, why_size,
			 "no VT-d unit answers there (VER 0x%x, CAP 0x%llx): wrong register "
			 "address?",
			 ver, (unsigned long long)cap);
		return -ENODEV;
	}
	caps.mgaw = (unsigned)FIELD_GET(VTD_CAP_MGAW, cap) + 1;
	/* The smallest offered width that covers MGAW, else the widest offered. */
	if ((sagaw & VTD_CAP_SAGAW_39) &&
	    (caps.mgaw <= VTD_AGAW_39 || !(sagaw & VTD_CAP_SAGAW_48))) {
		caps.agaw = VTD_AGAW_39;
		caps.context_aw = 1;
	} else if (sagaw & VTD_CAP_SAGAW_48) {
		caps.agaw = VTD_AGAW_48;
		caps.context_aw = 2;
	} else {
		snprintf(why, why_size,
			 "the unit offers no 3- or 4-level second-level tables (SAGAW 0x%x); "
			 "this library drives only those",
			 sagaw);
		return -EOPNOTSUPP;
	}
	caps.input_bits = caps.mgaw < caps.agaw ? caps.mgaw : caps.agaw;
	/* 11.4.2 ND: 0 means 16 domains, 6 means 65536; 7 is reserved. */
	if (nd > 6) {
		snprintf(why, why_size, "CAP.ND is %u, a reserved value", nd);
		return -EOPNOTSUPP;
	}
	caps.domain_id_count = 1u << (4 + 2 * nd);
	caps.pgsize_bitmap = BIT(12);
	if (sllps & VTD_CAP_SLLPS_2M) {
		caps.pgsize_bitmap |= BIT(21);
		/* pgtable needs 2 MiB pages to split a 1 GiB one. */
		if (sllps & VTD_CAP_SLLPS_1G) {
			caps.pgsize_bitmap |= BIT(30);
		}
	}
	caps.fault_reg_offset = FIELD_GET(VTD_CAP_FRO, cap) * 16;
	caps.fault_reg_count = (unsigned)FIELD_GET(VTD_CAP_NFR, cap) + 1;
	caps.iotlb_reg_offset = FIELD_GET(VTD_ECAP_IRO, ecap) * 16;
	/* Both register blocks lie after the fixed registers (the last, IRTA, ends at 0xc0; the
	 * PASID and page-request registers follow), so an offset below 0x100 is a bad read. */
	if (caps.fault_reg_offset < 0x100 || caps.iotlb_reg_offset < 0xc0) {
		snprintf(why, why_size,
			 "fault-recording registers at 0x%llx or IOTLB registers at 0x%llx "
			 "overlap the fixed registers",
			 (unsigned long long)caps.fault_reg_offset,
			 (unsigned long long)caps.iotlb_reg_offset);
		return -EOPNOTSUPP;
	}
	caps.mamv = (unsigned)FIELD_GET(VTD_CAP_MAMV, cap);
	caps.psi = cap & VTD_CAP_PSI;
	caps.rwbf = cap & VTD_CAP_RWBF;
	caps.caching_mode = cap & VTD_CAP_CM;
	caps.drain_read = cap & VTD_CAP_DRD;
	caps.drain_write = cap & VTD_CAP_DWD;
	caps.qi = ecap & VTD_ECAP_QI;
	*ret_caps = caps;
	return 0;
}

/** vtd_caps_describe() - one line for the start-up log: what the unit offers and is used. */
void vtd_caps_describe(const struct vtd_caps *caps, char *buf, size_t size)
{
	snprintf(buf, size,
		 "VT-d %u.%u, %u-level tables (%u-bit input, MGAW %u), %u domain ids, pages "
		 "4K%s%s, %u fault record%s at 0x%llx, IOTLB registers at 0x%llx, %s%s, "
		 "caching mode %s, write-buffer flush %s",
		 (unsigned)FIELD_GET(VTD_VER_MAX, caps->ver),
		 (unsigned)FIELD_GET(VTD_VER_MIN, caps->ver), caps->context_aw + 2, caps->agaw,
		 caps->mgaw, caps->domain_id_count, caps->pgsize_bitmap & BIT(21) ? "/2M" : "",
		 caps->pgsize_bitmap & BIT(30) ? "/1G" : "", caps->fault_reg_count,
		 caps->fault_reg_count == 1 ? "" : "s", (unsigned long long)caps->fault_reg_offset,
		 (unsigned long long)caps->iotlb_reg_offset,
		 caps->qi ? "queued invalidation" : "no queued invalidation",
		 caps->psi ? ", page-selective invalidation" : "",
		 caps->caching_mode ? "on" : "off", caps->rwbf ? "required" : "not required");
}
