/* SPDX-License-Identifier: Apache-2.0 */
/*
 * QEMU's firmware configuration device (qemu:docs/specs/fw_cfg.rst): how firmware (here:
 * the board tool) reads the files QEMU publishes, the ACPI tables among them.  Register and
 * layout definitions only; where the device sits is the machine's (board-machine.c).
 */
#ifndef SMMU_TOOLS_BOARD_FWCFG_REGS_H
#define SMMU_TOOLS_BOARD_FWCFG_REGS_H

/* I/O ports on x86, from the base port (fw_cfg.rst "Selector Register" / "Data Register"). */
#define FW_CFG_PORT_SELECTOR 0 /* 16-bit write: selects an item, rewinds its offset */
#define FW_CFG_PORT_DATA 1     /* 8-bit reads: the item's bytes, in order */

/* MMIO (ARM virt), from the base address (fw_cfg.rst "Memory-Mapped I/O"). */
#define FW_CFG_MMIO_DATA 0x0	 /* 1..8-byte reads: the item's next bytes, big-endian */
#define FW_CFG_MMIO_SELECTOR 0x8 /* 16-bit big-endian write */
#define FW_CFG_MMIO_DMA 0x10	 /* 64-bit big-endian: the DMA interface (unused here) */

/* Well-known items (fw_cfg.rst "Selector Register"). */
#define FW_CFG_SIGNATURE 0x0000 /* reads "QEMU" */
#define FW_CFG_FILE_DIR 0x0019

/*
 * The file directory (fw_cfg.rst "File Directory"): a big-endian 32-bit count, then per
 * file a 64-byte entry.
 */
#define FW_CFG_DIR_COUNT_SIZE 4
#define FW_CFG_FILE_SIZE 0     /* be32 */
#define FW_CFG_FILE_SELECT 4   /* be16 */
#define FW_CFG_FILE_RESERVED 6 /* be16 */
#define FW_CFG_FILE_NAME 8     /* char[56], NUL-terminated */
#define FW_CFG_FILE_NAME_SIZE 56
#define FW_CFG_FILE_ENTRY_SIZE 64

#endif
