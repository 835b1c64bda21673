/* SPDX-License-Identifier: Apache-2.0 */
/*
 * QEMU's `edu` educational PCI device (qemu:docs/specs/edu.rst, hw/misc/edu.c): a DMA
 * initiator whose transfers go through the machine's IOMMU.  Register and field definitions
 * only.
 */
#ifndef SMMU_TOOLS_BOARD_EDU_REGS_H
#define SMMU_TOOLS_BOARD_EDU_REGS_H

#include "common/bitfield.h"

/* PCI identity (edu.rst "PCI specs"). */
#define EDU_VENDOR_ID 0x1234
#define EDU_DEVICE_ID 0x11e8

/* BAR0 is 1 MiB of 32-bit non-prefetchable memory (edu.rst "PCI specs"). */
#define EDU_BAR0_SIZE (1u << 20)

/* BAR0 registers (edu.rst "MMIO area spec"). */
#define EDU_IDENTIFICATION 0x00 /* reads 0x010000ed: major 1, minor 0, 0xed */
#define EDU_IDENTIFICATION_VALUE 0x010000edu
#define EDU_DMA_SOURCE 0x80	 /* 64-bit */
#define EDU_DMA_DESTINATION 0x88 /* 64-bit */
#define EDU_DMA_COUNT 0x90	 /* 64-bit */
#define EDU_DMA_COMMAND 0x98	 /* 64-bit */
#define EDU_DMA_COMMAND_RUN BIT(0)
/* 0: from RAM into the device's buffer; 1: from the buffer into RAM. */
#define EDU_DMA_COMMAND_TO_RAM BIT(1)
#define EDU_DMA_COMMAND_IRQ BIT(2)

/*
 * The device's DMA buffer, in the device's own address space: transfers name it by these
 * addresses on the device side.  The CPU cannot read it through BAR0 (edu.c decodes only
 * the registers), so its contents are seen only by DMAing them out.  A transfer must end
 * strictly before EDU_DMA_BUFFER + EDU_DMA_BUFFER_SIZE: QEMU 7.2 aborts the whole machine
 * on a transfer that reaches the end (DESIGN.md, "edu limits").
 */
#define EDU_DMA_BUFFER 0x40000u
#define EDU_DMA_BUFFER_SIZE 4096u

/* Default DMA mask (edu.c: dma_mask = (1 << 28) - 1); addresses above are clamped. */
#define EDU_DMA_MASK_BITS 28

/* The DMA engine fires 100 ms of virtual time after the command (edu.c dma_rw()). */
#define EDU_DMA_DELAY_NS 100000000ull

#endif
