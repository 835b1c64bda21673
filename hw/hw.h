/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hardware layer: the only way backends reach a machine.  It abstracts three things
 * (DESIGN.md "Layers"): 32/64-bit register access at a physical address, a window onto
 * physical memory (for the tables an IOMMU reads, see hw-table-mem.h), and PCI configuration
 * space; plus x86 port I/O and a virtual clock, which only the QEMU provider has.
 *
 * What it does not do: know any register layout (backends and tools do), cache, or lock.  A
 * struct hw_bus is used by one thread at a time; several processes may share one QEMU board
 * through the board's multiplexer (tools/board), which serialises their commands.
 *
 * Providers, named by a spec string given to hw_open():
 *
 *   qtest:SOCKET[,mem=FILE][,ram-base=ADDR][,ram-size=SIZE][,ecam=ADDR][,tables=ADDR,SIZE]
 *	QEMU driven through its qtest line protocol.  SOCKET is QEMU's own `-qtest unix:` socket
 *	(one client only) or a board multiplexer's socket (any number of clients; the provider
 *	tells them apart by socket type).  mem= is the file backing guest RAM
 *	(`-object memory-backend-file,share=on`); it is mapped shared and is the memory window.
 *	Without it there is no window.  ram-base= is the physical address of the file's first
 *	byte (0 on q35, 0x40000000 on ARM virt; default 0); ram-size= limits the window to fewer
 *	bytes than the file has.  PCI configuration goes through the x86 ports 0xcf8/0xcfc
 *	(bus 0..255, offsets below 256) unless ecam= gives the base of a PCIe ECAM region in MMIO
 *	(0x4010000000 on ARM virt; offsets below 4096).
 *
 *   devmem[:mem=PATH][,sysfs=DIR][,tables=ADDR,SIZE]
 *	A real machine.  Registers and the memory window are mappings of PATH (default
 *	/dev/mem, opened O_SYNC so that the mappings are uncached); PCI configuration is the
 *	`config` file of DIR/SSSS:BB:DD.F (default DIR /sys/bus/pci/devices).  No port I/O and
 *	no clock.  Tests point mem= at an ordinary file, whose offset N is "physical address" N.
 *
 *   tables=ADDR,SIZE (both providers) records the physical range reserved for IOMMU tables
 *   (hw_bus_tables()); the bus itself does not use it.  It is the only key that takes two
 *   values.  Paths may not contain ','.
 *
 * Numbers are C-style: 0x... hexadecimal or decimal, optionally followed by K, M, G or T
 * (times 1024, 1024^2, ...).  Examples:
 *
 *   qtest:/tmp/smmu-board.Xy12/qtest.sock,mem=/dev/shm/smmu-board-1234-Xy12,tables=0xc000000,64M
 *   devmem:tables=0x7c000000,64M
 *
 * Conventions (STYLE.md 4): functions return 0 or -errno; on failure the bus keeps one
 * sentence saying what failed (hw_bus_error()).  Output parameters come last and are written
 * only on success.  Addresses are uint64_t physical addresses named `pa`, as in pgtable/.
 */
#ifndef SMMU_HW_HW_H
#define SMMU_HW_HW_H

#include <stddef.h>
#include <stdint.h>

struct strbuf;

/* A connection to one machine.  Opaque; hw_open() creates it, hw_close() frees it. */
struct hw_bus;

/* A PCI function.  The segment is 0 on every machine QEMU models. */
struct hw_pci_bdf {
	uint16_t segment;
	uint8_t bus;
	uint8_t device;	  /* 0..31 */
	uint8_t function; /* 0..7 */
};

int hw_open(const char *spec, struct hw_bus **ret_bus, struct strbuf *why);
void hw_close(struct hw_bus *bus);
const char *hw_bus_provider(const struct hw_bus *bus);
const char *hw_bus_error(const struct hw_bus *bus);
int hw_bus_tables(const struct hw_bus *bus, uint64_t *ret_pa, uint64_t *ret_size);

/* Registers: naturally aligned accesses of exactly that width. */
int hw_read32(struct hw_bus *bus, uint64_t pa, uint32_t *ret_value);
int hw_read64(struct hw_bus *bus, uint64_t pa, uint64_t *ret_value);
int hw_write32(struct hw_bus *bus, uint64_t pa, uint32_t value);
int hw_write64(struct hw_bus *bus, uint64_t pa, uint64_t value);
/* `count` reads of one data register (a FIFO such as fw_cfg's), batched where the provider can. */
int hw_read64_repeat(struct hw_bus *bus, uint64_t pa, uint64_t *values, size_t count);
/* 16-bit registers are rare (fw_cfg's MMIO selector); IOMMU registers are 32 or 64 bits. */
int hw_write16(struct hw_bus *bus, uint64_t pa, uint16_t value);
int hw_poll32(struct hw_bus *bus, uint64_t pa, uint32_t mask, uint32_t want, unsigned timeout_us,
	      uint32_t *ret_last);

/* x86 port I/O (qtest only): size 1, 2 or 4. */
int hw_pio_read(struct hw_bus *bus, uint16_t port, unsigned size, uint32_t *ret_value);
int hw_pio_write(struct hw_bus *bus, uint16_t port, unsigned size, uint32_t value);
int hw_pio_read_bytes(struct hw_bus *bus, uint16_t port, void *buf, size_t count);

/* PCI configuration space: size 1, 2 or 4, offset aligned to size. */
int hw_pci_cfg_read(struct hw_bus *bus, struct hw_pci_bdf bdf, unsigned offset, unsigned size,
		    uint32_t *ret_value);
int hw_pci_cfg_write(struct hw_bus *bus, struct hw_pci_bdf bdf, unsigned offset, unsigned size,
		     uint32_t value);
int hw_pci_bdf_parse(const char *text, struct hw_pci_bdf *ret_bdf);

/* The memory window: CPU access to physical memory, valid until hw_close(). */
int hw_mem_map(struct hw_bus *bus, uint64_t pa, size_t size, void **ret_cpu);

/* The virtual clock (qtest with QEMU's qtest accelerator only). */
int hw_clock_step(struct hw_bus *bus, uint64_t ns, uint64_t *ret_now_ns);

#endif
