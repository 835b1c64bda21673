/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The machines a board can be: one table entry per machine holds everything that differs
 * between them (QEMU binary and arguments, the address map the tool plays firmware in, how
 * fw_cfg is reached, the firmware image that keeps the CPU still), so that the rest of the
 * tool asks the table instead of testing machine names.
 *
 * Addresses come from QEMU's own machine models: q35 from DESIGN.md ("The hardware
 * oracle"); virt from qemu:hw/arm/virt.c base_memmap[] and extended_memmap[]
 * (VIRT_FW_CFG 0x09020000, VIRT_SMMU 0x09050000, VIRT_PCIE_MMIO 0x10000000 + 0x2eff0000,
 * VIRT_MEM 0x40000000, VIRT_HIGH_PCIE_ECAM 0x4010000000).
 */
#include <string.h>

#include "board.h"
#include "edu-regs.h"

/* x86 `hlt`: the CPU stops at the reset vector and only an interrupt (none comes) wakes it. */
static const uint8_t x86_hlt[] = {0xf4};

/*
 * AArch64 `wfi` (0xd503207f) then `b .-4` (0x17ffffff), little-endian: the CPU sleeps in
 * wfi, and should anything wake it, it goes back to sleep.  Executing the zeros of an empty
 * flash instead would keep one host core busy translating and faulting.
 */
static const uint8_t aarch64_wfi_loop[] = {0x7f, 0x20, 0x03, 0xd5, 0xff, 0xff, 0xff, 0x17};

/* The vIOMMU comes before the devices it translates for. */
static const char *const q35_args[] = {"-device", "intel-iommu", NULL};
/*
 * virt's SMMUv3 is part of the machine (iommu=smmuv3); the CPU is the cheapest model to
 * translate for that virt accepts, since it only ever sleeps.
 */
static const char *const virt_args[] = {"-cpu", "cortex-a57", NULL};

static const struct board_machine machines[] = {
	{
		.name = "q35",
		.qemu = "qemu-system-x86_64",
		.qemu_package = "qemu-system-x86",
		.machine = "q35",
		.args = q35_args,
		.ram_base = 0x0,
		/* Below the edu's 28-bit DMA mask, so no IOVA of a table is ever clamped. */
		.tables_pa = 0xc000000,
		.tables_size = 64u << 20,
		.iommu_key = "VTD",
		.iommu_base = 0xfed90000,
		.has_ecam = false,
		/* In the 32-bit PCI hole, below the IOAPIC (0xfec00000) even with 8 devices. */
		.edu_bar_base = 0xfe000000,
		.edu_dma_mask_bits = EDU_DMA_MASK_BITS,
		.fwcfg = BOARD_FWCFG_PORTS,
		.fwcfg_base = 0x510,
		.bios_word = x86_hlt,
		.bios_word_size = sizeof(x86_hlt),
		.has_smmu_stage = false,
		.has_device_tree = false,
	},
	{
		.name = "virt",
		.qemu = "qemu-system-aarch64",
		.qemu_package = "qemu-system-arm",
		.machine = "virt,iommu=smmuv3",
		.args = virt_args,
		/*
		 * QEMU also copies its device tree to the start of RAM for firmware to find
		 * (1 MiB, hw/arm/boot.c); nothing reads it there, so DMA may overwrite it, and
		 * `smmu-board dtb` is the copy to rely on.
		 */
		.ram_base = 0x40000000,
		.tables_pa = 0x4c000000,
		.tables_size = 64u << 20,
		.iommu_key = "SMMUV3",
		.iommu_base = 0x09050000,
		.has_ecam = true,
		.ecam_base = 0x4010000000,
		/* The start of VIRT_PCIE_MMIO, the 32-bit window the PCIe host bridge decodes. */
		.edu_bar_base = 0x10000000,
		/* RAM starts at 1 GiB: the edu must not clamp its addresses (edu.c edu_clamp_addr).
		 */
		.edu_dma_mask_bits = 64,
		.fwcfg = BOARD_FWCFG_MMIO,
		.fwcfg_base = 0x09020000,
		.bios_word = aarch64_wfi_loop,
		.bios_word_size = sizeof(aarch64_wfi_loop),
		.has_smmu_stage = true,
		.has_device_tree = true,
	},
};

/** board_machine_find() - the machine called `name`, or NULL. */
const struct board_machine *board_machine_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(machines) / sizeof(machines[0]); i++) {
		if (strcmp(machines[i].name, name) == 0) {
			return &machines[i];
		}
	}
	return NULL;
}

/** board_machine_names() - "q35, virt": for messages. */
const char *board_machine_names(void)
{
	return "q35, virt";
}
