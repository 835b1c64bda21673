/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PCI configuration header registers the board programs in place of firmware (PCI Local
 * Bus 3.0 §6.2, Figure 6-1 "Type 00h Configuration Space Header").  Definitions only.
 */
#ifndef SMMU_TOOLS_BOARD_PCI_REGS_H
#define SMMU_TOOLS_BOARD_PCI_REGS_H

#include "common/bitfield.h"

#define PCI_VENDOR_ID 0x00 /* 16-bit; the device ID follows at 0x02 */
#define PCI_COMMAND 0x04   /* 16-bit (§6.2.2) */
#define PCI_COMMAND_MEMORY BIT(1)
#define PCI_COMMAND_MASTER BIT(2)
#define PCI_BASE_ADDRESS_0 0x10 /* 32-bit (§6.2.5.1) */
#define PCI_BASE_ADDRESS_MEM_MASK GENMASK(31, 4)

#endif
