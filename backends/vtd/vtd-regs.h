/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Intel VT-d remapping-unit registers and in-memory structures, as masks built from the
 * specification's bit numbers (STYLE.md 5).  Definitions only.
 *
 * Source: Intel Virtualization Technology for Directed I/O Architecture Specification
 * ("VT-d spec"; revisions 2.5 to 4.x agree on everything here): chapter 9 "Translation
 * Structure Formats" for root and context entries, chapter 6.5 "Invalidation of Translation
 * Caches" for the invalidation registers and descriptors, chapter 7 and appendix A for fault
 * records and reasons, chapter 11 "Register Descriptions" (chapter 10 before revision 3.0)
 * for the registers.  Offsets are in bytes from the unit's register base.
 */
#ifndef SMMU_BACKENDS_VTD_VTD_REGS_H
#define SMMU_BACKENDS_VTD_VTD_REGS_H

#include "common/bitfield.h"

/* Version Register, 32 bits (11.4.1). */
#define VTD_VER_REG 0x00
#define VTD_VER_MIN GENMASK(3, 0)
#define VTD_VER_MAX GENMASK(7, 4)

/* Capability Register, 64 bits (11.4.2). */
#define VTD_CAP_REG 0x08
#define VTD_CAP_ND GENMASK(2, 0)      /* domain ids: 2^(4 + 2 * ND) */
#define VTD_CAP_AFL BIT(3)	      /* advanced fault logging */
#define VTD_CAP_RWBF BIT(4)	      /* required write-buffer flushing */
#define VTD_CAP_PLMR BIT(5)	      /* protected low-memory region */
#define VTD_CAP_PHMR BIT(6)	      /* protected high-memory region */
#define VTD_CAP_CM BIT(7)	      /* caching mode: not-present entries may be cached */
#define VTD_CAP_SAGAW GENMASK(12, 8)  /* supported adjusted guest address widths */
#define VTD_CAP_SAGAW_39 BIT(1)	      /* within SAGAW: 39-bit AGAW, 3-level tables */
#define VTD_CAP_SAGAW_48 BIT(2)	      /* 48-bit AGAW, 4-level tables */
#define VTD_CAP_SAGAW_57 BIT(3)	      /* 57-bit AGAW, 5-level tables */
#define VTD_CAP_MGAW GENMASK(21, 16)  /* maximum guest address width minus 1 */
#define VTD_CAP_ZLR BIT(22)	      /* zero-length reads */
#define VTD_CAP_FRO GENMASK(33, 24)   /* fault-recording register offset / 16 */
#define VTD_CAP_SLLPS GENMASK(37, 34) /* second-level large pages: bit 0 2 MiB, bit 1 1 GiB */
#define VTD_CAP_SLLPS_2M BIT(0)
#define VTD_CAP_SLLPS_1G BIT(1)
#define VTD_CAP_PSI BIT(39)	     /* page-selective IOTLB invalidation */
#define VTD_CAP_NFR GENMASK(47, 40)  /* fault-recording registers minus 1 */
#define VTD_CAP_MAMV GENMASK(53, 48) /* largest address mask of a page-selective invalidation */
#define VTD_CAP_DWD BIT(54)	     /* write draining */
#define VTD_CAP_DRD BIT(55)	     /* read draining */

/* Extended Capability Register, 64 bits (11.4.3). */
#define VTD_ECAP_REG 0x10
#define VTD_ECAP_C BIT(0)	    /* page-walk coherency */
#define VTD_ECAP_QI BIT(1)	    /* queued invalidation */
#define VTD_ECAP_DT BIT(2)	    /* device-TLBs */
#define VTD_ECAP_IR BIT(3)	    /* interrupt remapping */
#define VTD_ECAP_PT BIT(6)	    /* pass-through context entries */
#define VTD_ECAP_SC BIT(7)	    /* snoop control */
#define VTD_ECAP_IRO GENMASK(17, 8) /* IOTLB register offset / 16 */
#define VTD_ECAP_SMTS BIT(43)	    /* scalable-mode translation */

/* Global Command and Global Status Registers, 32 bits (11.4.4, 11.4.5).  The same bit
 * positions: GCMD requests, GSTS reports. */
#define VTD_GCMD_REG 0x18
#define VTD_GSTS_REG 0x1c
#define VTD_GCMD_TE BIT(31)    /* translation enable */
#define VTD_GCMD_SRTP BIT(30)  /* set root table pointer */
#define VTD_GCMD_SFL BIT(29)   /* set fault log */
#define VTD_GCMD_EAFL BIT(28)  /* enable advanced fault logging */
#define VTD_GCMD_WBF BIT(27)   /* write-buffer flush */
#define VTD_GCMD_QIE BIT(26)   /* queued invalidation enable */
#define VTD_GCMD_IRE BIT(25)   /* interrupt remapping enable */
#define VTD_GCMD_SIRTP BIT(24) /* set interrupt remap table pointer */
#define VTD_GCMD_CFI BIT(23)   /* compatibility format interrupts */
#define VTD_GSTS_TES BIT(31)
#define VTD_GSTS_RTPS BIT(30)
#define VTD_GSTS_FLS BIT(29)
#define VTD_GSTS_AFLS BIT(28)
#define VTD_GSTS_WBFS BIT(27)
#define VTD_GSTS_QIES BIT(26)
#define VTD_GSTS_IRES BIT(25)
#define VTD_GSTS_IRTPS BIT(24)
#define VTD_GSTS_CFIS BIT(23)
/*
 * GSTS bits that are states (kept by writing them back to GCMD) as opposed to one-shot
 * commands (SRTP, SFL, WBF, SIRTP, which must be written as 0 unless meant).  11.4.4: "read
 * GSTS, clear the one-shot bits, set or clear the one bit to change, write GCMD".
 */
#define VTD_GSTS_PERSISTENT \
	(VTD_GSTS_TES | VTD_GSTS_AFLS | VTD_GSTS_QIES | VTD_GSTS_IRES | VTD_GSTS_CFIS)

/* Root Table Address Register, 64 bits (11.4.6). */
#define VTD_RTADDR_REG 0x20
#define VTD_RTADDR_RTA GENMASK(63, 12)
#define VTD_RTADDR_TTM GENMASK(11, 10) /* translation table mode: 0 legacy */

/* Context Command Register, 64 bits (11.4.7): register-based context-cache invalidation. */
#define VTD_CCMD_REG 0x28
#define VTD_CCMD_ICC BIT(63)	      /* invalidate: set by software, cleared when done */
#define VTD_CCMD_CIRG GENMASK(62, 61) /* requested granularity */
#define VTD_CCMD_CAIG GENMASK(60, 59) /* actual granularity */
#define VTD_CCMD_FM GENMASK(33, 32)   /* function mask */
#define VTD_CCMD_SID GENMASK(31, 16)
#define VTD_CCMD_DID GENMASK(15, 0)
/* Granularities (CIRG, CAIG; also the G field of the context-cache descriptor). */
#define VTD_CC_GLOBAL 1
#define VTD_CC_DOMAIN 2
#define VTD_CC_DEVICE 3

/* Fault Status Register, 32 bits (11.4.9.1). */
#define VTD_FSTS_REG 0x34
#define VTD_FSTS_PFO BIT(0) /* primary fault overflow: a fault was dropped (RW1C) */
#define VTD_FSTS_PPF BIT(1) /* primary pending fault: some F bit is set (read-only) */
#define VTD_FSTS_AFO BIT(2)
#define VTD_FSTS_APF BIT(3)
#define VTD_FSTS_IQE BIT(4)	    /* invalidation queue error (RW1C) */
#define VTD_FSTS_ICE BIT(5)	    /* invalidation completion error (RW1C) */
#define VTD_FSTS_ITE BIT(6)	    /* invalidation time-out error (RW1C) */
#define VTD_FSTS_FRI GENMASK(15, 8) /* fault record index */

/* Fault Event Control Register, 32 bits (11.4.9.2). */
#define VTD_FECTL_REG 0x38
#define VTD_FECTL_IM BIT(31) /* interrupt mask */
#define VTD_FECTL_IP BIT(30) /* interrupt pending */

/* Invalidation queue registers (11.4.10): head, tail and address 64 bits, status 32. */
#define VTD_IQH_REG 0x80
#define VTD_IQT_REG 0x88
#define VTD_IQA_REG 0x90
#define VTD_ICS_REG 0x9c
#define VTD_IECTL_REG 0xa0
#define VTD_IQH_QH GENMASK(18, 4) /* index of the next descriptor, 128-bit descriptors */
#define VTD_IQT_QT GENMASK(18, 4)
#define VTD_IQA_IQA GENMASK(63, 12)
#define VTD_IQA_DW BIT(11)	 /* 0: 128-bit descriptors */
#define VTD_IQA_QS GENMASK(2, 0) /* 2^QS pages of 4 KiB */
#define VTD_ICS_IWC BIT(0)	 /* an invalidation wait with IF completed (RW1C) */
#define VTD_IECTL_IM BIT(31)

/* IOTLB registers (11.4.8), at ECAP.IRO * 16: Invalidate Address, then IOTLB Invalidate. */
#define VTD_IVA_OFFSET 0x0
#define VTD_IOTLB_OFFSET 0x8
#define VTD_IVA_ADDR GENMASK(63, 12)
#define VTD_IVA_IH BIT(6)	 /* invalidation hint: leaf entries only */
#define VTD_IVA_AM GENMASK(5, 0) /* address mask: 2^AM pages */
#define VTD_IOTLB_IVT BIT(63)	 /* invalidate: set by software, cleared when done */
#define VTD_IOTLB_IIRG GENMASK(61, 60)
#define VTD_IOTLB_IAIG GENMASK(58, 57)
#define VTD_IOTLB_DR BIT(49)
#define VTD_IOTLB_DW BIT(48)
#define VTD_IOTLB_DID GENMASK(47, 32)
/* Granularities (IIRG, IAIG; also the G field of the IOTLB descriptor). */
#define VTD_IOTLB_GLOBAL 1
#define VTD_IOTLB_DOMAIN 2
#define VTD_IOTLB_PAGE 3

/* Fault Recording Registers, 128 bits each, at CAP.FRO * 16 (11.4.14).  Word 0 is bits
 * 63:0, word 1 bits 127:64. */
#define VTD_FRCD_SIZE 16
#define VTD_FRCD_0_FI GENMASK(63, 12) /* fault info: the faulting page address */
#define VTD_FRCD_1_SID GENMASK(15, 0) /* source-id: bus << 8 | device << 3 | function */
#define VTD_FRCD_1_PP BIT(31)	      /* PASID present */
#define VTD_FRCD_1_FR GENMASK(39, 32) /* fault reason, appendix A */
#define VTD_FRCD_1_PV GENMASK(59, 40) /* PASID value */
#define VTD_FRCD_1_AT GENMASK(61, 60) /* address type */
#define VTD_FRCD_1_T BIT(62)	      /* type: 0 write, 1 read */
#define VTD_FRCD_1_F BIT(63)	      /* fault: the record is valid (RW1C) */

/* Non-recoverable fault reasons (appendix A), those second-level translation reports. */
#define VTD_FR_ROOT_ENTRY_P 0x1
#define VTD_FR_CONTEXT_ENTRY_P 0x2
#define VTD_FR_CONTEXT_ENTRY_INV 0x3
#define VTD_FR_ADDR_BEYOND_MGAW 0x4
#define VTD_FR_WRITE 0x5
#define VTD_FR_READ 0x6
#define VTD_FR_PAGING_ENTRY_INV 0x7
#define VTD_FR_ROOT_TABLE_INV 0x8
#define VTD_FR_CONTEXT_TABLE_INV 0x9
#define VTD_FR_ROOT_ENTRY_RSVD 0xa
#define VTD_FR_CONTEXT_ENTRY_RSVD 0xb
#define VTD_FR_PAGING_ENTRY_RSVD 0xc
#define VTD_FR_CONTEXT_ENTRY_TT 0xd

/*
 * Root entry, 128 bits, 256 in a 4 KiB root table indexed by bus (9.1).  Word 1 is reserved
 * in legacy mode.
 */
#define VTD_ROOT_ENTRY_SIZE 16
#define VTD_ROOT_ENTRY_COUNT 256
#define VTD_ROOT_0_P BIT(0)
#define VTD_ROOT_0_CTP GENMASK(63, 12) /* context-table pointer */

/* Context entry, 128 bits, 256 in a 4 KiB context table indexed by devfn (9.3). */
#define VTD_CONTEXT_ENTRY_SIZE 16
#define VTD_CONTEXT_ENTRY_COUNT 256
#define VTD_CONTEXT_0_P BIT(0)
#define VTD_CONTEXT_0_FPD BIT(1)	      /* fault processing disable */
#define VTD_CONTEXT_0_TT GENMASK(3, 2)	      /* translation type */
#define VTD_CONTEXT_0_SLPTPTR GENMASK(63, 12) /* second-level page-table pointer */
#define VTD_CONTEXT_1_AW GENMASK(2, 0)	      /* address width: 1 39-bit, 2 48-bit, 3 57-bit */
#define VTD_CONTEXT_1_DID GENMASK(23, 8)
/* Translation types. */
#define VTD_CONTEXT_TT_SL 0 /* untranslated requests through second-level tables */
#define VTD_CONTEXT_TT_SL_DEVTLB 1
#define VTD_CONTEXT_TT_PASS_THROUGH 2
/* Reserved bits of legacy context entries: word 0 bits 11:4, word 1 bit 7 and 63:24. */
#define VTD_CONTEXT_0_RSVD GENMASK(11, 4)
#define VTD_CONTEXT_1_RSVD (BIT(7) | GENMASK(63, 24))

/* Invalidation descriptors, 128 bits (6.5.2).  Word 0 carries the type. */
#define VTD_INV_DESC_SIZE 16
#define VTD_INV_0_TYPE GENMASK(3, 0)
#define VTD_INV_TYPE_CC 1    /* context-cache invalidate (6.5.2.1) */
#define VTD_INV_TYPE_IOTLB 2 /* IOTLB invalidate (6.5.2.3) */
#define VTD_INV_TYPE_WAIT 5  /* invalidation wait (6.5.2.8) */
/* Context-cache invalidate descriptor. */
#define VTD_INV_CC_0_G GENMASK(5, 4)
#define VTD_INV_CC_0_DID GENMASK(31, 16)
#define VTD_INV_CC_0_SID GENMASK(47, 32)
#define VTD_INV_CC_0_FM GENMASK(49, 48)
/* IOTLB invalidate descriptor. */
#define VTD_INV_IOTLB_0_G GENMASK(5, 4)
#define VTD_INV_IOTLB_0_DW BIT(6)
#define VTD_INV_IOTLB_0_DR BIT(7)
#define VTD_INV_IOTLB_0_DID GENMASK(31, 16)
#define VTD_INV_IOTLB_1_ADDR GENMASK(63, 12)
#define VTD_INV_IOTLB_1_IH BIT(6)
#define VTD_INV_IOTLB_1_AM GENMASK(5, 0)
/* Invalidation wait descriptor. */
#define VTD_INV_WAIT_0_IF BIT(4) /* set ICS.IWC when every earlier descriptor completed */
#define VTD_INV_WAIT_0_SW BIT(5) /* status write */
#define VTD_INV_WAIT_0_FN BIT(6) /* fence */

#endif
