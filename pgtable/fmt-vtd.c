/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Intel VT-d second-level page tables (the tables a context entry's SLPTPTR, or a scalable-mode
 * PASID entry's SSPTPTR, points at), 3, 4 or 5 levels for 39, 48 or 57-bit input addresses,
 * 4 KiB pages and, where CAP.SLLPS allows, 2 MiB and 1 GiB superpages.  Plus the test
 * configurations of the format.
 *
 * Source: Intel Virtualization Technology for Directed I/O Architecture Specification,
 * section 9.8 "Second-Level Paging Entries" (named "Second-Stage" in later revisions), and
 * chapter 3 for the second-level translation it describes.  Each level holds 512 8-byte
 * entries in a 4 KiB table and translates 9 bits of the input address.
 *
 * Not covered: execute permission (bit 2, only used with SLEE / execute requests, never set
 * here: PT_PROT_NOEXEC is always honoured), memory type (EMT/IPAT, used only with nested
 * translation) and snoop control (SNP): second-level entries carry no memory type, so
 * PT_PROT_MMIO and PT_PROT_NOCACHE are accepted and leave no trace.  There is no privilege
 * level in second-level entries: PT_PROT_PRIV is -EOPNOTSUPP.
 */
#include <errno.h>

#include "pgtable/pt-internal.h"

/* Second-level paging entries, VT-d spec 9.8.  Present when R or W is set. */
#define VTD_SL_R BIT(0)	 /* Read */
#define VTD_SL_W BIT(1)	 /* Write */
#define VTD_SL_X BIT(2)	 /* Execute, with SLEE only; never set */
#define VTD_SL_PS BIT(7) /* Page Size: a PDE maps 2 MiB, a PDPE 1 GiB (reserved in PML4E+) */
/* ADDR: bits HAW-1:12 of the next table or of the page (bits 20:12 / 29:12 of a superpage
 * are reserved, zero). */
#define VTD_SL_ADDR_LO 12

#define VTD_PAGE_LG2 12
#define VTD_LEVEL_BITS 9
#define VTD_SZ_2M BIT(21)
#define VTD_SZ_1G BIT(30)

static int vtd_init(const struct pt_cfg *cfg, struct pt_geom *g)
{
	uint64_t sizes = BIT(VTD_PAGE_LG2) | VTD_SZ_2M | VTD_SZ_1G;
	uint64_t want = cfg->pgsize_bitmap ? cfg->pgsize_bitmap : sizes;

	if (cfg->granule_lg2 != 0 && cfg->granule_lg2 != VTD_PAGE_LG2) {
		return -EINVAL;
	}
	/* 3, 4, 5-level paging: AGAW 39, 48, 57 (Capability Register, SAGAW bits 1, 2, 3). */
	if (cfg->ias != 39 && cfg->ias != 48 && cfg->ias != 57) {
		return -EINVAL;
	}
	/* Host address width: ADDR is at most bits 51:12. */
	if (cfg->oas < 32 || cfg->oas > 52) {
		return -EINVAL;
	}
	/* The smallest page is required; a 1 GiB page without 2 MiB pages could not be split. */
	if ((want & ~sizes) || !(want & BIT(VTD_PAGE_LG2)) ||
	    ((want & VTD_SZ_1G) && !(want & VTD_SZ_2M))) {
		return -EINVAL;
	}
	*g = (struct pt_geom){
		.level_count = (cfg->ias - VTD_PAGE_LG2) / VTD_LEVEL_BITS,
		.present_mask = VTD_SL_R | VTD_SL_W,
		.type_mask = VTD_SL_PS,
		/* Access is the AND over all levels (chapter 3): a table entry grants R and W and
		 * the leaf decides. */
		.table_pte = VTD_SL_R | VTD_SL_W,
		.oa_mask = GENMASK(cfg->oas - 1, VTD_SL_ADDR_LO),
		.table_size = 4096,
		.root_size = 4096,
		.root_table_count = 1,
		.pgsize_bitmap = want,
	};
	g->start_level = g->level_count;
	for (unsigned l = 0; l < g->level_count; l++) {
		struct pt_level *lv = &g->level[l];

		lv->shift = (uint8_t)(VTD_PAGE_LG2 + VTD_LEVEL_BITS * l);
		lv->index_bits = VTD_LEVEL_BITS;
		lv->leaf_ok = (want & BIT(lv->shift)) != 0;
		lv->leaf_type = l > 0 ? VTD_SL_PS : 0;
	}
	return 0;
}

static int vtd_encode_prot(const struct pt_cfg *cfg, unsigned prot, uint64_t *ret_attrs)
{
	(void)cfg;
	if ((prot & ~PT_PROT_ALL) || !(prot & (PT_PROT_READ | PT_PROT_WRITE)) ||
	    (prot & PT_PROT_MMIO && prot & PT_PROT_NOCACHE)) {
		return -EINVAL;
	}
	if (prot & PT_PROT_PRIV) {
		return -EOPNOTSUPP;
	}
	*ret_attrs = (prot & PT_PROT_READ ? VTD_SL_R : 0) | (prot & PT_PROT_WRITE ? VTD_SL_W : 0);
	return 0;
}

static unsigned vtd_decode_prot(const struct pt_cfg *cfg, uint64_t pte)
{
	(void)cfg;
	return (pte & VTD_SL_R ? PT_PROT_READ : 0) | (pte & VTD_SL_W ? PT_PROT_WRITE : 0) |
	       (pte & VTD_SL_X ? 0 : PT_PROT_NOEXEC);
}

/* Every paging mode, host address widths of real parts (39, 46, 52), and each SLLPS. */
static int vtd_test_cfg(size_t index, struct pt_cfg *ret_cfg)
{
	static const unsigned ias[] = {39, 48, 57};
	static const unsigned oas[] = {39, 46, 52};
	static const uint64_t pgsizes[] = {
		BIT(VTD_PAGE_LG2),
		BIT(VTD_PAGE_LG2) | VTD_SZ_2M,
		BIT(VTD_PAGE_LG2) | VTD_SZ_2M | VTD_SZ_1G,
	};
	size_t n_ias = sizeof(ias) / sizeof(ias[0]);
	size_t n_oas = sizeof(oas) / sizeof(oas[0]);
	size_t n_pg = sizeof(pgsizes) / sizeof(pgsizes[0]);

	if (index >= n_ias * n_oas * n_pg) {
		return -ENOENT;
	}
	*ret_cfg = (struct pt_cfg){
		.format = PT_FORMAT_VTD_SL,
		.granule_lg2 = VTD_PAGE_LG2,
		.ias = ias[index % n_ias],
		.oas = oas[index / n_ias % n_oas],
		.pgsize_bitmap = pgsizes[index / n_ias / n_oas],
	};
	return 0;
}

const struct pt_fmt pt_fmt_vtd_sl = {
	.format = PT_FORMAT_VTD_SL,
	.name = "vtd-sl",
	.init = vtd_init,
	.encode_prot = vtd_encode_prot,
	.decode_prot = vtd_decode_prot,
	.test_cfg = vtd_test_cfg,
};
