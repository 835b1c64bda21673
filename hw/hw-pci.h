/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How a PCI function's configuration space is addressed on the two mechanisms the qtest
 * provider speaks: the x86 configuration ports and PCIe ECAM.  Pure arithmetic, no access.
 */
#ifndef SMMU_HW_HW_PCI_H
#define SMMU_HW_HW_PCI_H

#include <stdint.h>

#include "hw/hw.h"

/*
 * x86 configuration mechanism #1 (PCI Local Bus 3.0 §3.2.2.3.2): write an address to
 * CONFIG_ADDRESS, then access CONFIG_DATA at the byte the offset selects.
 */
#define HW_PCI_CONFIG_ADDRESS_PORT 0xcf8
#define HW_PCI_CONFIG_DATA_PORT 0xcfc
/* Legacy configuration space: what mechanism #1 can reach. */
#define HW_PCI_LEGACY_CFG_SIZE 256u

uint32_t hw_pci_cf8_address(struct hw_pci_bdf bdf, unsigned offset);
uint64_t hw_pci_ecam_offset(struct hw_pci_bdf bdf, unsigned offset);

#endif
