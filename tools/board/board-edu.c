/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Driving an edu device: what firmware would have done (assign BAR0, enable memory decoding
 * and bus mastering) and one DMA transfer at a time.  The edu is the board's DMA initiator:
 * its transfers go through the IOMMU, so they are how tests see what the IOMMU allows.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "board.h"
#include "common/strbuf.h"
#include "edu-regs.h"
#include "pci-regs.h"

/*
 * How long a transfer may take.  The engine fires 100 ms of virtual time after the command;
 * under TCG the virtual clock follows the host's, so 5 s leaves a fiftyfold margin for a
 * loaded host.  A transfer still running after that is a broken board, not a slow one.
 */
#define EDU_DMA_TIMEOUT_US 5000000u

static int cfg_fail(struct hw_bus *bus, struct hw_pci_bdf bdf, struct strbuf *why)
{
	strbuf_printf(why, "%02x:%02x.%x: %s", bdf.bus, bdf.device, bdf.function,
		      hw_bus_error(bus));
	return -EIO;
}

/* The fixed BAR0 of the edu in slot `device` of bus 0: slot n + 1 at n MiB above the base. */
static int fixed_bar(const struct board_machine *m, struct hw_pci_bdf bdf, uint64_t *ret_bar,
		     struct strbuf *why)
{
	if (bdf.segment || bdf.bus || bdf.function || bdf.device < 1 ||
	    bdf.device > BOARD_MAX_EDU) {
		strbuf_printf(
			why,
			"%04x:%02x:%02x.%x is not a board edu slot (00:01.0 to 00:%02x.0), so "
			"the board has no address for its BAR0",
			bdf.segment, bdf.bus, bdf.device, bdf.function, BOARD_MAX_EDU);
		return -EINVAL;
	}
	*ret_bar = m->edu_bar_base + (uint64_t)(bdf.device - 1) * EDU_BAR0_SIZE;
	return 0;
}

/**
 * board_edu_prepare() - make the edu at `bdf` usable: check it is an edu, assign BAR0 (in
 * `machine`'s PCI window) if no one has, enable memory decoding and bus mastering, and check the
 * device answers at BAR0. Idempotent. Return: 0 and *ret_bar (BAR0's physical address); -ENODEV
 * (not an edu), -EINVAL (BAR in a slot the board has no address for), -EIO; each with a sentence in
 * `why`.
 */
int board_edu_prepare(struct hw_bus *bus, const struct board_machine *machine,
		      struct hw_pci_bdf bdf, uint64_t *ret_bar, struct strbuf *why)
{
	uint32_t id, bar, command, ident;
	uint64_t want;

	if (hw_pci_cfg_read(bus, bdf, PCI_VENDOR_ID, 4, &id) < 0) {
		return cfg_fail(bus, bdf, why);
	}
	if (id != ((uint32_t)EDU_DEVICE_ID << 16 | EDU_VENDOR_ID)) {
		strbuf_printf(why, "%02x:%02x.%x is not an edu device (vendor:device %04x:%04x)",
			      bdf.bus, bdf.device, bdf.function, id & 0xffff, id >> 16);
		return -ENODEV;
	}
	if (hw_pci_cfg_read(bus, bdf, PCI_BASE_ADDRESS_0, 4, &bar) < 0) {
		return cfg_fail(bus, bdf, why);
	}
	bar &= PCI_BASE_ADDRESS_MEM_MASK;
	if (bar == 0) {
		/* No firmware ran: the board plays firmware and assigns the fixed address. */
		int r = fixed_bar(machine, bdf, &want, why);

		if (r < 0) {
			return r;
		}
		if (hw_pci_cfg_write(bus, bdf, PCI_BASE_ADDRESS_0, 4, (uint32_t)want) < 0 ||
		    hw_pci_cfg_read(bus, bdf, PCI_BASE_ADDRESS_0, 4, &bar) < 0) {
			return cfg_fail(bus, bdf, why);
		}
		bar &= PCI_BASE_ADDRESS_MEM_MASK;
		if (bar != want) {
			strbuf_printf(why, "BAR0 of %02x:%02x.%x reads 0x%08x after writing 0x%08x",
				      bdf.bus, bdf.device, bdf.function, bar, (uint32_t)want);
			return -EIO;
		}
	}
	if (hw_pci_cfg_read(bus, bdf, PCI_COMMAND, 2, &command) < 0) {
		return cfg_fail(bus, bdf, why);
	}
	uint32_t enabled = command | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;

	if (enabled != command && hw_pci_cfg_write(bus, bdf, PCI_COMMAND, 2, enabled) < 0) {
		return cfg_fail(bus, bdf, why);
	}
	if (hw_read32(bus, bar + EDU_IDENTIFICATION, &ident) < 0) {
		strbuf_printf(why, "edu BAR0 at 0x%08x: %s", bar, hw_bus_error(bus));
		return -EIO;
	}
	if (ident != EDU_IDENTIFICATION_VALUE) {
		strbuf_printf(why, "edu at BAR0 0x%08x identifies as 0x%08x, expected 0x%08x", bar,
			      ident, EDU_IDENTIFICATION_VALUE);
		return -EIO;
	}
	*ret_bar = bar;
	return 0;
}

/**
 * board_edu_transfer() - one DMA transfer of `count` bytes by the edu whose BAR0 is at
 * `bar`, waiting for it to finish.  Towards the device (to_ram false) `src` is a bus
 * address (IOVA) and `dst` an address in the edu buffer (EDU_DMA_BUFFER + offset); towards
 * RAM the other way round.  The caller keeps the buffer range within the device's limits.
 * Completion says the engine ran, not that the IOMMU let the data through: refused accesses
 * read zeros or write nothing.
 * Return: 0; -EBUSY (a transfer is running); -ETIMEDOUT; -EIO; with a sentence in `why`.
 */
int board_edu_transfer(struct hw_bus *bus, uint64_t bar, uint64_t src, uint64_t dst, uint64_t count,
		       bool to_ram, struct strbuf *why)
{
	uint64_t command = EDU_DMA_COMMAND_RUN | (to_ram ? EDU_DMA_COMMAND_TO_RAM : 0);
	uint32_t status;
	uint64_t now;
	int r = hw_read32(bus, bar + EDU_DMA_COMMAND, &status);

	if (r == 0 && (status & EDU_DMA_COMMAND_RUN)) {
		strbuf_printf(why, "the edu at 0x%" PRIx64 " is still running a transfer", bar);
		return -EBUSY;
	}
	/* The engine ignores register writes while it runs (edu.c dma_rw()). */
	if (r == 0) {
		r = hw_write64(bus, bar + EDU_DMA_SOURCE, src);
	}
	if (r == 0) {
		r = hw_write64(bus, bar + EDU_DMA_DESTINATION, dst);
	}
	if (r == 0) {
		r = hw_write64(bus, bar + EDU_DMA_COUNT, count);
	}
	if (r == 0) {
		r = hw_write64(bus, bar + EDU_DMA_COMMAND, command);
	}
	if (r < 0) {
		strbuf_printf(why, "edu DMA registers: %s", hw_bus_error(bus));
		return -EIO;
	}
	/* Where the clock can be driven, drive it past the engine's timer; else it runs. */
	r = hw_clock_step(bus, EDU_DMA_DELAY_NS, &now);
	if (r < 0 && r != -EOPNOTSUPP) {
		strbuf_printf(why, "stepping the clock: %s", hw_bus_error(bus));
		return -EIO;
	}
	r = hw_poll32(bus, bar + EDU_DMA_COMMAND, EDU_DMA_COMMAND_RUN, 0, EDU_DMA_TIMEOUT_US,
		      &status);
	if (r < 0) {
		strbuf_printf(why, "edu DMA did not complete: %s", hw_bus_error(bus));
		return r == -ETIMEDOUT ? r : -EIO;
	}
	return 0;
}
