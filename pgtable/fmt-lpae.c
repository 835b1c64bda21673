/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ARM VMSAv8-64 translation tables ("LPAE" long descriptors) for stage 1 and stage 2, as the
 * SMMUv3 walks them from CD.TTB0 and STE.S2TTB: 4, 16 and 64 KiB granules, input and output
 * sizes of 32 to 48 bits, stage 2 starting with up to 16 concatenated tables.  Plus the test
 * configurations of the format.
 *
 * Source: Arm Architecture Reference Manual for A-profile (DDI 0487), chapter D8 "The AArch64
 * Virtual Memory System Architecture" (issue J.a or later): D8.3 "Translation table descriptor
 * formats" (block, page, table descriptors), D8.4 "Memory access control" (AP, S2AP, XN), D8.5
 * "Memory region attributes" (AttrIndx, MemAttr, SH); D8.2 for levels, granules and concatenation.
 * SMMUv3 uses the same formats (SMMUv3 architecture specification, IHI 0070).
 *
 * Not covered: 52-bit addresses (FEAT_LPA/LPA2), the contiguous hint, hardware access and
 * dirty flags (AF is always set), table-descriptor attribute overrides (APTable, XNTable: zero
 * = no restriction).  Stage 1 cannot express write-only (AP has no such encoding): -EOPNOTSUPP.
 */
#include <errno.h>

#include "pgtable/pt-internal.h"

/* Descriptor type, bits[1:0] (D8.3): 0b11 table (levels 0-2) or page (level 3), 0b01 block. */
#define LPAE_DESC_VALID BIT(0)
#define LPAE_DESC_TYPE GENMASK(1, 0)
#define LPAE_DESC_TABLE 0x3ull
#define LPAE_DESC_PAGE 0x3ull
#define LPAE_DESC_BLOCK 0x1ull

/* Block and page descriptors, lower attributes common to both stages (D8.3, D8.5). */
#define LPAE_SH GENMASK(9, 8) /* Shareability */
#define LPAE_SH_OS 2ull	      /* outer shareable */
#define LPAE_SH_IS 3ull	      /* inner shareable */
#define LPAE_AF BIT(10)	      /* Access Flag: clear would fault on first access */

/* Stage 1 block and page descriptors (D8.3, D8.4, D8.5). */
#define LPAE_S1_ATTRINDX GENMASK(4, 2) /* index into MAIR */
#define LPAE_S1_AP1 BIT(6)	       /* AP[1]: unprivileged (EL0) access allowed */
#define LPAE_S1_AP2 BIT(7)	       /* AP[2]: read-only */
#define LPAE_S1_NG BIT(11)	       /* not global: TLB entries are tagged by ASID */
#define LPAE_S1_PXN BIT(53)	       /* privileged execute-never */
#define LPAE_S1_UXN BIT(54)	       /* unprivileged execute-never */

/* AttrIndx values; PT_LPAE_MAIR holds the matching MAIR bytes. */
#define LPAE_MAIR_IDX_WB 0ull	  /* 0xff: normal, write-back read/write-allocate */
#define LPAE_MAIR_IDX_NC 1ull	  /* 0x44: normal, non-cacheable */
#define LPAE_MAIR_IDX_DEVICE 2ull /* 0x04: Device-nGnRE */

/* Stage 2 block and page descriptors (D8.3, D8.4, D8.5). */
#define LPAE_S2_MEMATTR GENMASK(5, 2) /* MemAttr[3:0], without FEAT_S2FWB */
#define LPAE_S2_MEMATTR_DEVICE_NGNRE 0x1ull
#define LPAE_S2_MEMATTR_NC 0x5ull /* outer and inner non-cacheable */
#define LPAE_S2_MEMATTR_WB 0xfull /* outer and inner write-back */
#define LPAE_S2_S2AP_R BIT(6)	  /* S2AP[0]: read */
#define LPAE_S2_S2AP_W BIT(7)	  /* S2AP[1]: write */
/* XN[1] (bit 54).  With FEAT_XNX, XN[1:0] = 0b10 forbids execution at EL1 and EL0 alike, so
 * bit 53 stays clear (0b11 would allow EL1); without FEAT_XNX bit 53 is reserved, zero. */
#define LPAE_S2_XN BIT(54)

/* Output address bits of descriptors, 47:granule (D8.3; 52-bit layouts not supported). */
#define LPAE_OA_HI 47

static int lpae_init(const struct pt_cfg *cfg, bool stage2, struct pt_geom *g)
{
	unsigned gr = cfg->granule_lg2 ? cfg->granule_lg2 : 12;

	if (gr != 12 && gr != 14 && gr != 16) {
		return -EINVAL;
	}
	if (cfg->ias < 32 || cfg->ias > 48 || cfg->oas < 32 || cfg->oas > 48) {
		return -EINVAL;
	}
	/* A table fills one granule: 512, 2048 or 8192 entries (D8.2). */
	unsigned bits = gr - 3;
	unsigned n = (cfg->ias - gr + bits - 1) / bits;
	unsigned top_bits = cfg->ias - (gr + bits * (n - 1));
	unsigned concat = 1;

	/*
	 * Stage 2 may start one level lower with up to 16 tables concatenated, in place of a
	 * start table of 16 entries or fewer (D8.2, concatenated translation tables at the
	 * initial stage 2 lookup); one level fewer to walk.  With the 16 KiB granule and a
	 * 48-bit input this is the only way: stage 2 cannot start at level 0 without LPA2.
	 */
	if (stage2 && n > 1 && top_bits <= 4) {
		concat = 1u << top_bits;
		n--;
		top_bits += bits;
	}

	/* Block sizes without 52-bit support (D8.3): 4K granule level 1 (1 GiB) and level 2
	 * (2 MiB); 16K level 2 (32 MiB); 64K level 2 (512 MiB).  In our numbering, level 3 is
	 * 0, so ARM level 2 is 1 and ARM level 1 is 2. */
	uint64_t sizes = BIT(gr);

	if (n > 1) {
		sizes |= BIT(gr + bits);
	}
	if (gr == 12 && n > 2) {
		sizes |= BIT(gr + 2 * bits);
	}
	uint64_t want = cfg->pgsize_bitmap ? cfg->pgsize_bitmap : sizes;

	/* The granule is required, and a block must be splittable into the next size down. */
	if ((want & ~sizes) || !(want & BIT(gr)) ||
	    ((want & BIT(gr + 2 * bits)) && !(want & BIT(gr + bits)))) {
		return -EINVAL;
	}

	size_t root_size = (size_t)8 << top_bits;

	*g = (struct pt_geom){
		.level_count = n,
		.present_mask = LPAE_DESC_VALID,
		.type_mask = LPAE_DESC_TYPE,
		.table_pte = LPAE_DESC_TABLE,
		.oa_mask = GENMASK(cfg->oas - 1 < LPAE_OA_HI ? cfg->oas - 1 : LPAE_OA_HI, gr),
		.table_size = (size_t)1 << gr,
		/* A short start table still takes a granule, aligned to it. */
		.root_size = root_size > ((size_t)1 << gr) ? root_size : (size_t)1 << gr,
		.start_level = 4 - n,
		.root_table_count = concat,
		.pgsize_bitmap = want,
	};
	for (unsigned l = 0; l < n; l++) {
		struct pt_level *lv = &g->level[l];

		lv->shift = (uint8_t)(gr + bits * l);
		lv->index_bits = (uint8_t)(l == n - 1 ? top_bits : bits);
		lv->leaf_ok = (want & BIT(lv->shift)) != 0;
		lv->leaf_type = l == 0 ? LPAE_DESC_PAGE : LPAE_DESC_BLOCK;
	}
	return 0;
}

static int lpae_s1_init(const struct pt_cfg *cfg, struct pt_geom *ret_geom)
{
	return lpae_init(cfg, false, ret_geom);
}

static int lpae_s2_init(const struct pt_cfg *cfg, struct pt_geom *ret_geom)
{
	return lpae_init(cfg, true, ret_geom);
}

static int lpae_check_prot(unsigned prot)
{
	if ((prot & ~PT_PROT_ALL) || !(prot & (PT_PROT_READ | PT_PROT_WRITE)) ||
	    (prot & PT_PROT_MMIO && prot & PT_PROT_NOCACHE)) {
		return -EINVAL;
	}
	return 0;
}

/*
 * Stage 1 (D8.4): AP[2:1] = 0b01 read/write at any privilege, 0b11 read-only at any, 0b00
 * and 0b10 the same for privileged accesses only.  Reading cannot be withheld from a valid
 * entry, hence no write-only.  Normal memory is inner shareable; the Device type ignores SH.
 */
static int lpae_s1_encode_prot(const struct pt_cfg *cfg, unsigned prot, uint64_t *ret_attrs)
{
	int r = lpae_check_prot(prot);

	(void)cfg;
	if (r < 0) {
		return r;
	}
	if (!(prot & PT_PROT_READ)) {
		return -EOPNOTSUPP;
	}
	uint64_t attrs = LPAE_AF | LPAE_S1_NG;

	if (!(prot & PT_PROT_PRIV)) {
		attrs |= LPAE_S1_AP1;
	}
	if (!(prot & PT_PROT_WRITE)) {
		attrs |= LPAE_S1_AP2;
	}
	if (prot & PT_PROT_NOEXEC) {
		attrs |= LPAE_S1_PXN | LPAE_S1_UXN;
	}
	if (prot & PT_PROT_MMIO) {
		attrs |= FIELD_PREP(LPAE_S1_ATTRINDX, LPAE_MAIR_IDX_DEVICE);
	} else if (prot & PT_PROT_NOCACHE) {
		attrs |= FIELD_PREP(LPAE_S1_ATTRINDX, LPAE_MAIR_IDX_NC) |
			 FIELD_PREP(LPAE_SH, LPAE_SH_OS);
	} else {
		attrs |= FIELD_PREP(LPAE_S1_ATTRINDX, LPAE_MAIR_IDX_WB) |
			 FIELD_PREP(LPAE_SH, LPAE_SH_IS);
	}
	*ret_attrs = attrs;
	return 0;
}

static unsigned lpae_s1_decode_prot(const struct pt_cfg *cfg, uint64_t pte)
{
	unsigned prot = PT_PROT_READ;
	uint64_t idx = FIELD_GET(LPAE_S1_ATTRINDX, pte);

	(void)cfg;
	if (!(pte & LPAE_S1_AP2)) {
		prot |= PT_PROT_WRITE;
	}
	if (!(pte & LPAE_S1_AP1)) {
		prot |= PT_PROT_PRIV;
	}
	if (pte & LPAE_S1_UXN) {
		prot |= PT_PROT_NOEXEC;
	}
	if (idx == LPAE_MAIR_IDX_DEVICE) {
		prot |= PT_PROT_MMIO;
	} else if (idx == LPAE_MAIR_IDX_NC) {
		prot |= PT_PROT_NOCACHE;
	}
	return prot;
}

/* Stage 2 (D8.4, D8.5): S2AP grants read and write separately; no privilege levels. */
static int lpae_s2_encode_prot(const struct pt_cfg *cfg, unsigned prot, uint64_t *ret_attrs)
{
	int r = lpae_check_prot(prot);

	(void)cfg;
	if (r < 0) {
		return r;
	}
	if (prot & PT_PROT_PRIV) {
		return -EOPNOTSUPP;
	}
	uint64_t attrs = LPAE_AF;

	if (prot & PT_PROT_READ) {
		attrs |= LPAE_S2_S2AP_R;
	}
	if (prot & PT_PROT_WRITE) {
		attrs |= LPAE_S2_S2AP_W;
	}
	if (prot & PT_PROT_NOEXEC) {
		attrs |= LPAE_S2_XN;
	}
	if (prot & PT_PROT_MMIO) {
		attrs |= FIELD_PREP(LPAE_S2_MEMATTR, LPAE_S2_MEMATTR_DEVICE_NGNRE);
	} else if (prot & PT_PROT_NOCACHE) {
		attrs |= FIELD_PREP(LPAE_S2_MEMATTR, LPAE_S2_MEMATTR_NC) |
			 FIELD_PREP(LPAE_SH, LPAE_SH_OS);
	} else {
		attrs |= FIELD_PREP(LPAE_S2_MEMATTR, LPAE_S2_MEMATTR_WB) |
			 FIELD_PREP(LPAE_SH, LPAE_SH_IS);
	}
	*ret_attrs = attrs;
	return 0;
}

static unsigned lpae_s2_decode_prot(const struct pt_cfg *cfg, uint64_t pte)
{
	unsigned prot = 0;
	uint64_t attr = FIELD_GET(LPAE_S2_MEMATTR, pte);

	(void)cfg;
	if (pte & LPAE_S2_S2AP_R) {
		prot |= PT_PROT_READ;
	}
	if (pte & LPAE_S2_S2AP_W) {
		prot |= PT_PROT_WRITE;
	}
	if (pte & LPAE_S2_XN) {
		prot |= PT_PROT_NOEXEC;
	}
	/* MemAttr[3:2] == 0b00 is Device memory. */
	if ((attr & 0xc) == 0) {
		prot |= PT_PROT_MMIO;
	} else if (attr == LPAE_S2_MEMATTR_NC) {
		prot |= PT_PROT_NOCACHE;
	}
	return prot;
}

/* Each granule, every input size 32..48, every architected output size (PS encodings). */
static int lpae_test_cfg(enum pt_format format, size_t index, struct pt_cfg *ret_cfg)
{
	static const unsigned granules[] = {12, 14, 16};
	static const unsigned oas[] = {32, 36, 40, 42, 44, 48};
	size_t n_ias = 48 - 32 + 1;
	size_t n_oas = sizeof(oas) / sizeof(oas[0]);
	size_t n_gr = sizeof(granules) / sizeof(granules[0]);

	if (index >= n_ias * n_oas * n_gr) {
		return -ENOENT;
	}
	*ret_cfg = (struct pt_cfg){
		.format = format,
		.granule_lg2 = granules[index / n_ias / n_oas],
		.ias = 32 + (unsigned)(index % n_ias),
		.oas = oas[index / n_ias % n_oas],
	};
	return 0;
}

static int lpae_s1_test_cfg(size_t index, struct pt_cfg *ret_cfg)
{
	return lpae_test_cfg(PT_FORMAT_LPAE_S1, index, ret_cfg);
}

static int lpae_s2_test_cfg(size_t index, struct pt_cfg *ret_cfg)
{
	return lpae_test_cfg(PT_FORMAT_LPAE_S2, index, ret_cfg);
}

const struct pt_fmt pt_fmt_lpae_s1 = {
	.format = PT_FORMAT_LPAE_S1,
	.name = "lpae-s1",
	.init = lpae_s1_init,
	.encode_prot = lpae_s1_encode_prot,
	.decode_prot = lpae_s1_decode_prot,
	.test_cfg = lpae_s1_test_cfg,
};

const struct pt_fmt pt_fmt_lpae_s2 = {
	.format = PT_FORMAT_LPAE_S2,
	.name = "lpae-s2",
	.init = lpae_s2_init,
	.encode_prot = lpae_s2_encode_prot,
	.decode_prot = lpae_s2_decode_prot,
	.test_cfg = lpae_s2_test_cfg,
};
