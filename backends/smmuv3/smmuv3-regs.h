/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ARM SMMUv3 registers and in-memory structures (stream table entries, context descriptors,
 * commands, events), as masks built from the specification's bit numbers (STYLE.md 5).
 * Definitions only.
 *
 * Source: Arm System Memory Management Unit Architecture Specification, SMMU architecture
 * version 3 (IHI 0070, issues D to F agree on everything here): chapter 6 "Memory map and
 * registers" (6.3 register formats), 5.2 "Stream Table Entry", 5.4 "Context Descriptor",
 * 4 "Commands", 7.3 "Event records", 3.3 "Data structures and translation procedure" for the
 * stream table formats and 3.5 "Command and Event queues" for the queue pointers.  Offsets
 * are bytes from the unit's register base; page 1 starts 64 KiB above it.
 */
#ifndef SMMU_BACKENDS_SMMUV3_SMMUV3_REGS_H
#define SMMU_BACKENDS_SMMUV3_SMMUV3_REGS_H

#include "common/bitfield.h"

/* The register frame: two 64 KiB pages (6.1). */
#define SMMU_PAGE1 0x10000u
#define SMMU_REG_ALIGN 0x10000u

/* SMMU_IDR0 (6.3.1). */
#define SMMU_IDR0 0x00
#define SMMU_IDR0_S2P BIT(0)
#define SMMU_IDR0_S1P BIT(1)
#define SMMU_IDR0_TTF GENMASK(3, 2)
#define SMMU_IDR0_TTF_AARCH32 1u
#define SMMU_IDR0_TTF_AARCH64 2u
#define SMMU_IDR0_TTF_BOTH 3u
#define SMMU_IDR0_COHACC BIT(4)
#define SMMU_IDR0_BTM BIT(5)
#define SMMU_IDR0_HTTU GENMASK(7, 6)
#define SMMU_IDR0_ATS BIT(10)
#define SMMU_IDR0_ASID16 BIT(12)
#define SMMU_IDR0_MSI BIT(13)
#define SMMU_IDR0_PRI BIT(16)
#define SMMU_IDR0_VMID16 BIT(18)
#define SMMU_IDR0_CD2L BIT(19)
#define SMMU_IDR0_TTENDIAN GENMASK(22, 21)
#define SMMU_IDR0_TTENDIAN_MIXED 0u
#define SMMU_IDR0_TTENDIAN_LE 2u
#define SMMU_IDR0_TTENDIAN_BE 3u
#define SMMU_IDR0_STALL_MODEL GENMASK(25, 24)
#define SMMU_IDR0_STALL_MODEL_FORCE 2u
#define SMMU_IDR0_TERM_MODEL BIT(26)
#define SMMU_IDR0_ST_LEVEL GENMASK(28, 27)
#define SMMU_IDR0_ST_LEVEL_2LVL 1u

/* SMMU_IDR1 (6.3.2). */
#define SMMU_IDR1 0x04
#define SMMU_IDR1_SIDSIZE GENMASK(5, 0)
#define SMMU_IDR1_SSIDSIZE GENMASK(10, 6)
#define SMMU_IDR1_EVENTQS GENMASK(20, 16)
#define SMMU_IDR1_CMDQS GENMASK(25, 21)
#define SMMU_IDR1_REL BIT(28)
#define SMMU_IDR1_QUEUES_PRESET BIT(29)
#define SMMU_IDR1_TABLES_PRESET BIT(30)

/* SMMU_IDR3 (6.3.4). */
#define SMMU_IDR3 0x0c
#define SMMU_IDR3_RIL BIT(10)

/* SMMU_IDR5 (6.3.6). */
#define SMMU_IDR5 0x14
#define SMMU_IDR5_OAS GENMASK(2, 0)
#define SMMU_IDR5_GRAN4K BIT(4)
#define SMMU_IDR5_GRAN16K BIT(5)
#define SMMU_IDR5_GRAN64K BIT(6)
#define SMMU_IDR5_VAX GENMASK(11, 10)

/* SMMU_IIDR and SMMU_AIDR (6.3.7, 6.3.8). */
#define SMMU_IIDR 0x18
#define SMMU_AIDR 0x1c
#define SMMU_AIDR_ARCH_MINOR GENMASK(3, 0)
#define SMMU_AIDR_ARCH_MAJOR GENMASK(7, 4)

/* SMMU_CR0 and SMMU_CR0ACK (6.3.9, 6.3.10). */
#define SMMU_CR0 0x20
#define SMMU_CR0_SMMUEN BIT(0)
#define SMMU_CR0_PRIQEN BIT(1)
#define SMMU_CR0_EVENTQEN BIT(2)
#define SMMU_CR0_CMDQEN BIT(3)
#define SMMU_CR0_ATSCHK BIT(4)
#define SMMU_CR0ACK 0x24

/* SMMU_CR1 (6.3.11): cacheability and shareability of table and queue accesses. */
#define SMMU_CR1 0x28
#define SMMU_CR1_QUEUE_IC GENMASK(1, 0)
#define SMMU_CR1_QUEUE_OC GENMASK(3, 2)
#define SMMU_CR1_QUEUE_SH GENMASK(5, 4)
#define SMMU_CR1_TABLE_IC GENMASK(7, 6)
#define SMMU_CR1_TABLE_OC GENMASK(9, 8)
#define SMMU_CR1_TABLE_SH GENMASK(11, 10)
#define SMMU_CR1_CACHE_WB 1u /* write-back (CR1's own encoding) */
#define SMMU_SH_ISH 3u	     /* inner shareable, in every SH field */

/* SMMU_CR2 (6.3.12). */
#define SMMU_CR2 0x2c
#define SMMU_CR2_E2H BIT(0)
#define SMMU_CR2_RECINVSID BIT(1) /* record C_BAD_STREAMID for out-of-range StreamIDs */
#define SMMU_CR2_PTM BIT(2)	  /* private TLB maintenance: ignore broadcast TLBI */

/* SMMU_GBPA (6.3.14): what happens to traffic while SMMUEN is 0. */
#define SMMU_GBPA 0x44
#define SMMU_GBPA_ABORT BIT(20)
#define SMMU_GBPA_UPDATE BIT(31)

/* SMMU_IRQ_CTRL (6.3.16). */
#define SMMU_IRQ_CTRL 0x50
#define SMMU_IRQ_CTRLACK 0x54

/* SMMU_GERROR and SMMU_GERRORN (6.3.18, 6.3.19): an error is active while the two differ. */
#define SMMU_GERROR 0x60
#define SMMU_GERRORN 0x64
#define SMMU_GERROR_CMDQ_ERR BIT(0)
#define SMMU_GERROR_EVENTQ_ABT_ERR BIT(2)
#define SMMU_GERROR_PRIQ_ABT_ERR BIT(3)
#define SMMU_GERROR_MSI_CMDQ_ABT_ERR BIT(4)
#define SMMU_GERROR_MSI_EVENTQ_ABT_ERR BIT(5)
#define SMMU_GERROR_MSI_PRIQ_ABT_ERR BIT(6)
#define SMMU_GERROR_MSI_GERROR_ABT_ERR BIT(7)
#define SMMU_GERROR_SFM_ERR BIT(8)
#define SMMU_GERROR_ALL (GENMASK(8, 2) | SMMU_GERROR_CMDQ_ERR)

/* SMMU_STRTAB_BASE and SMMU_STRTAB_BASE_CFG (6.3.23, 6.3.24). */
#define SMMU_STRTAB_BASE 0x80
#define SMMU_STRTAB_BASE_ADDR GENMASK(51, 6)
#define SMMU_STRTAB_BASE_RA BIT(62)
#define SMMU_STRTAB_BASE_CFG 0x88
#define SMMU_STRTAB_BASE_CFG_LOG2SIZE GENMASK(5, 0)
#define SMMU_STRTAB_BASE_CFG_SPLIT GENMASK(10, 6)
#define SMMU_STRTAB_BASE_CFG_FMT GENMASK(17, 16)
#define SMMU_STRTAB_BASE_CFG_FMT_LINEAR 0u
#define SMMU_STRTAB_BASE_CFG_FMT_2LVL 1u

/* Queue base registers (6.3.25, 6.3.28), the same layout for both queues. */
#define SMMU_Q_BASE_LOG2SIZE GENMASK(4, 0)
#define SMMU_Q_BASE_ADDR GENMASK(51, 5)
#define SMMU_Q_BASE_RA BIT(62)

/* The command queue (6.3.25 to 6.3.27); PROD and CONS on page 0. */
#define SMMU_CMDQ_BASE 0x90
#define SMMU_CMDQ_PROD 0x98
#define SMMU_CMDQ_CONS 0x9c
#define SMMU_CMDQ_CONS_ERR GENMASK(30, 24)
#define SMMU_CERROR_NONE 0u
#define SMMU_CERROR_ILL 1u
#define SMMU_CERROR_ABT 2u
#define SMMU_CERROR_ATC_INV_SYNC 3u

/* The event queue (6.3.28 to 6.3.30); PROD and CONS on page 1. */
#define SMMU_EVENTQ_BASE 0xa0
#define SMMU_EVENTQ_PROD (SMMU_PAGE1 + 0xa8)
#define SMMU_EVENTQ_CONS (SMMU_PAGE1 + 0xac)
#define SMMU_EVENTQ_PROD_OVFLG BIT(31)
#define SMMU_EVENTQ_CONS_OVACKFLG BIT(31)

/* Stream table: level-1 descriptors of a two-level table (5.1). */
#define SMMU_L1STD_SPAN GENMASK(4, 0)
#define SMMU_L1STD_L2PTR GENMASK(51, 6)
#define SMMU_L1STD_SIZE 8u

/* Stream table entry, eight 64-bit words (5.2). */
#define SMMU_STE_WORDS 8u
#define SMMU_STE_SIZE 64u
#define STE_0_V BIT(0)
#define STE_0_CONFIG GENMASK(3, 1)
#define STE_0_CONFIG_ABORT 0u
#define STE_0_CONFIG_BYPASS 4u
#define STE_0_CONFIG_S1_TRANS 5u
#define STE_0_CONFIG_S2_TRANS 6u
#define STE_0_S1FMT GENMASK(5, 4)
#define STE_0_S1CONTEXTPTR GENMASK(51, 6)
#define STE_0_S1CDMAX GENMASK(63, 59)
#define STE_1_S1DSS GENMASK(1, 0)
#define STE_1_S1CIR GENMASK(3, 2)
#define STE_1_S1COR GENMASK(5, 4)
#define STE_1_S1CSH GENMASK(7, 6)
#define STE_1_S1STALLD BIT(27)
#define STE_1_EATS GENMASK(29, 28)
#define STE_1_STRW GENMASK(31, 30)
#define STE_1_STRW_NSEL1 0u
#define STE_1_SHCFG GENMASK(45, 44)
#define STE_1_SHCFG_INCOMING 1u
#define STE_2_S2VMID GENMASK(15, 0)
#define STE_2_S2T0SZ GENMASK(37, 32) /* VTCR fields: bits 50:32 */
#define STE_2_S2SL0 GENMASK(39, 38)
#define STE_2_S2IR0 GENMASK(41, 40)
#define STE_2_S2OR0 GENMASK(43, 42)
#define STE_2_S2SH0 GENMASK(45, 44)
#define STE_2_S2TG GENMASK(47, 46)
#define STE_2_S2PS GENMASK(50, 48)
#define STE_2_S2AA64 BIT(51)
#define STE_2_S2ENDI BIT(52)
#define STE_2_S2AFFD BIT(53)
#define STE_2_S2PTW BIT(54)
#define STE_2_S2S BIT(57)
#define STE_2_S2R BIT(58)
#define STE_3_S2TTB GENMASK(51, 4)

/* Context descriptor, eight 64-bit words (5.4). */
#define SMMU_CD_WORDS 8u
#define SMMU_CD_SIZE 64u
#define CD_0_T0SZ GENMASK(5, 0)
#define CD_0_TG0 GENMASK(7, 6)
#define CD_0_IR0 GENMASK(9, 8)
#define CD_0_OR0 GENMASK(11, 10)
#define CD_0_SH0 GENMASK(13, 12)
#define CD_0_EPD0 BIT(14)
#define CD_0_ENDI BIT(15)
#define CD_0_EPD1 BIT(30)
#define CD_0_V BIT(31)
#define CD_0_IPS GENMASK(34, 32)
#define CD_0_AFFD BIT(35)
#define CD_0_AA64 BIT(41)
#define CD_0_HD BIT(42)
#define CD_0_HA BIT(43)
#define CD_0_S BIT(44)
#define CD_0_R BIT(45)
#define CD_0_A BIT(46)
#define CD_0_ASET BIT(47)
#define CD_0_ASID GENMASK(63, 48)
#define CD_1_TTB0 GENMASK(51, 4)
#define CD_3_MAIR GENMASK(63, 0)

/* Translation granule encodings: TG0 (CD) and S2TG (STE) share them (5.2, 5.4). */
#define SMMU_TG_4K 0u
#define SMMU_TG_64K 1u
#define SMMU_TG_16K 2u
/* Table-walk cacheability (IR0/OR0, S2IR0/S2OR0, S1CIR/S1COR): write-back
 * read/write-allocate. */
#define SMMU_WALK_WBRAWA 1u

/* Commands, two 64-bit words (4.1 to 4.7). */
#define SMMU_CMD_WORDS 2u
#define SMMU_CMD_SIZE 16u
#define CMD_0_OP GENMASK(7, 0)
#define CMD_OP_CFGI_STE 0x03u
#define CMD_OP_CFGI_ALL 0x04u
#define CMD_OP_CFGI_CD 0x05u
#define CMD_OP_TLBI_NH_ASID 0x11u
#define CMD_OP_TLBI_NH_VA 0x12u
#define CMD_OP_TLBI_S12_VMALL 0x28u
#define CMD_OP_TLBI_S2_IPA 0x2au
#define CMD_OP_TLBI_NSNH_ALL 0x30u
#define CMD_OP_SYNC 0x46u
#define CMD_CFGI_0_SSID GENMASK(31, 12)
#define CMD_CFGI_0_SID GENMASK(63, 32)
#define CMD_CFGI_1_LEAF BIT(0)
#define CMD_CFGI_1_RANGE GENMASK(4, 0)
#define CMD_CFGI_1_RANGE_ALL 31u
#define CMD_TLBI_0_VMID GENMASK(47, 32)
#define CMD_TLBI_0_ASID GENMASK(63, 48)
#define CMD_TLBI_1_LEAF BIT(0)
#define CMD_TLBI_1_VA GENMASK(63, 12)
#define CMD_TLBI_1_IPA GENMASK(51, 12)
#define CMD_SYNC_0_CS GENMASK(13, 12)
#define CMD_SYNC_0_CS_NONE 0u

/* Event records, four 64-bit words used of eight (7.3). */
#define SMMU_EVT_WORDS 4u
#define SMMU_EVT_SIZE 32u
#define EVT_0_ID GENMASK(7, 0)
#define EVT_0_SSV BIT(11)
#define EVT_0_SSID GENMASK(31, 12)
#define EVT_0_SID GENMASK(63, 32)
#define EVT_1_STAG GENMASK(15, 0)
#define EVT_1_STALL BIT(31)
#define EVT_1_PNU BIT(33)
#define EVT_1_IND BIT(34)
#define EVT_1_RNW BIT(35) /* 1: the access was a read */
#define EVT_1_S2 BIT(39)
#define EVT_1_CLASS GENMASK(41, 40)
#define EVT_2_INPUT_ADDR GENMASK(63, 0)
#define EVT_3_IPA GENMASK(51, 12)

/* Event numbers (7.3, table 7-1). */
#define EVT_F_UUT 0x01u
#define EVT_C_BAD_STREAMID 0x02u
#define EVT_F_STE_FETCH 0x03u
#define EVT_C_BAD_STE 0x04u
#define EVT_F_BAD_ATS_TREQ 0x05u
#define EVT_F_STREAM_DISABLED 0x06u
#define EVT_F_TRANSL_FORBIDDEN 0x07u
#define EVT_C_BAD_SUBSTREAMID 0x08u
#define EVT_F_CD_FETCH 0x09u
#define EVT_C_BAD_CD 0x0au
#define EVT_F_WALK_EABT 0x0bu
#define EVT_F_TRANSLATION 0x10u
#define EVT_F_ADDR_SIZE 0x11u
#define EVT_F_ACCESS 0x12u
#define EVT_F_PERMISSION 0x13u
#define EVT_F_TLB_CONFLICT 0x20u
#define EVT_F_CFG_CONFLICT 0x21u

#endif
