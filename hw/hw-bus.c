/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The public face of a bus: argument checks, then the provider's operation.  Checks live
 * here once so that every provider sees only well-formed requests and every caller gets the
 * same errors for the same mistakes.  Also hw_open(), which picks the provider, and the one
 * bounded polling helper (STYLE.md 6).
 */
#include "hw/hw.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "common/strbuf.h"
#include "hw/hw-provider.h"
#include "hw/hw-spec.h"

int hw_bus_fail(struct hw_bus *bus, int err, const char *fmt, ...)
{
	va_list ap;

	strbuf_reset(&bus->error);
	va_start(ap, fmt);
	strbuf_vprintf(&bus->error, fmt, ap);
	va_end(ap);
	return err;
}

void hw_bus_init(struct hw_bus *bus, const struct hw_bus_ops *ops, const struct hw_spec *spec)
{
	bus->ops = ops;
	bus->error = (struct strbuf)STRBUF_INIT;
	bus->has_tables = spec->has_tables;
	bus->tables_pa = spec->tables_pa;
	bus->tables_size = spec->tables_size;
}

/**
 * hw_open() - connect to the machine a spec names (syntax in hw.h).
 * Return: 0 and *ret_bus (free with hw_close()); -EINVAL for a malformed spec, or the -errno
 * of the failed open/connect/mmap, each with a sentence in `why` (may be NULL) that names the
 * path involved.
 */
int hw_open(const char *spec, struct hw_bus **ret_bus, struct strbuf *why)
{
	struct hw_spec parsed;
	struct hw_bus *bus = NULL;
	int r = hw_spec_parse(spec, &parsed, why);

	if (r < 0) {
		return r;
	}
	switch (parsed.provider) {
	case HW_PROVIDER_QTEST:
		r = hw_qtest_open(&parsed, &bus, why);
		break;
	case HW_PROVIDER_DEVMEM:
		r = hw_devmem_open(&parsed, &bus, why);
		break;
	}
	hw_spec_fini(&parsed);
	if (r < 0) {
		return r;
	}
	*ret_bus = bus;
	return 0;
}

/** hw_close() - disconnect, unmap every window, free the bus.  Accepts NULL. */
void hw_close(struct hw_bus *bus)
{
	if (!bus) {
		return;
	}
	strbuf_fini(&bus->error);
	bus->ops->destroy(bus);
}

/** hw_bus_provider() - "qtest" or "devmem". */
const char *hw_bus_provider(const struct hw_bus *bus)
{
	return bus->ops->name;
}

/** hw_bus_error() - the sentence describing the last failed operation ("" if none yet). */
const char *hw_bus_error(const struct hw_bus *bus)
{
	return strbuf_str(&bus->error);
}

/**
 * hw_bus_tables() - the physical range the spec reserved for IOMMU tables (tables=).
 * Return: 0, or -ENOENT when the spec has none.
 */
int hw_bus_tables(const struct hw_bus *bus, uint64_t *ret_pa, uint64_t *ret_size)
{
	if (!bus->has_tables) {
		return -ENOENT;
	}
	*ret_pa = bus->tables_pa;
	*ret_size = bus->tables_size;
	return 0;
}

static int unsupported(struct hw_bus *bus, const char *what)
{
	return hw_bus_fail(bus, -EOPNOTSUPP, "the %s provider has no %s", bus->ops->name, what);
}

static int check_reg(struct hw_bus *bus, uint64_t pa, unsigned size)
{
	if (!bus->ops->read) {
		return unsupported(bus, "register access");
	}
	if (pa % size) {
		return hw_bus_fail(bus, -EINVAL,
				   "register access of %u bytes at 0x%llx is not naturally aligned",
				   size, (unsigned long long)pa);
	}
	return 0;
}

/** hw_read32() - read the 32-bit register at `pa`.  Return: 0, -EINVAL (unaligned), -EIO. */
int hw_read32(struct hw_bus *bus, uint64_t pa, uint32_t *ret_value)
{
	uint64_t v;
	int r = check_reg(bus, pa, 4);

	if (r == 0) {
		r = bus->ops->read(bus, pa, 4, &v);
	}
	if (r == 0) {
		*ret_value = (uint32_t)v;
	}
	return r;
}

/** hw_read64() - read the 64-bit register at `pa` in one access. */
int hw_read64(struct hw_bus *bus, uint64_t pa, uint64_t *ret_value)
{
	int r = check_reg(bus, pa, 8);

	return r < 0 ? r : bus->ops->read(bus, pa, 8, ret_value);
}

/** hw_write32() - write the 32-bit register at `pa`. */
int hw_write32(struct hw_bus *bus, uint64_t pa, uint32_t value)
{
	int r = check_reg(bus, pa, 4);

	return r < 0 ? r : bus->ops->write(bus, pa, 4, value);
}

/**
 * hw_read64_repeat() - `count` 64-bit reads of the register at `pa` into `values`, in order,
 * like x86 `rep insq` on a data port: the way to drain a FIFO register (fw_cfg's data) without
 * a round trip per read where the provider batches.
 * Return: 0, or the first failed read's error (values then partly written).
 */
int hw_read64_repeat(struct hw_bus *bus, uint64_t pa, uint64_t *values, size_t count)
{
	int r = check_reg(bus, pa, 8);

	if (r < 0 || count == 0) {
		return r;
	}
	if (bus->ops->read64_repeat) {
		return bus->ops->read64_repeat(bus, pa, values, count);
	}
	for (size_t i = 0; r == 0 && i < count; i++) {
		r = bus->ops->read(bus, pa, 8, &values[i]);
	}
	return r;
}

/** hw_write16() - write the 16-bit register at `pa`. */
int hw_write16(struct hw_bus *bus, uint64_t pa, uint16_t value)
{
	int r = check_reg(bus, pa, 2);

	return r < 0 ? r : bus->ops->write(bus, pa, 2, value);
}

/** hw_write64() - write the 64-bit register at `pa` in one access. */
int hw_write64(struct hw_bus *bus, uint64_t pa, uint64_t value)
{
	int r = check_reg(bus, pa, 8);

	return r < 0 ? r : bus->ops->write(bus, pa, 8, value);
}

static uint64_t monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/**
 * hw_poll32() - read the register at `pa` until (value & mask) == want or `timeout_us` has
 * passed on CLOCK_MONOTONIC; one more read after the deadline, so that a descheduled caller
 * does not report a timeout for a condition that came true meanwhile.
 * Return: 0, -ETIMEDOUT (the bus error names register, expected and observed value), or the
 * read's error.  *ret_last (may be NULL) gets the last value read, also on timeout.
 */
int hw_poll32(struct hw_bus *bus, uint64_t pa, uint32_t mask, uint32_t want, unsigned timeout_us,
	      uint32_t *ret_last)
{
	uint64_t deadline = monotonic_us() + timeout_us;
	uint32_t value;

	for (;;) {
		bool expired = monotonic_us() > deadline;
		int r = hw_read32(bus, pa, &value);

		if (r < 0) {
			return r;
		}
		if (ret_last) {
			*ret_last = value;
		}
		if ((value & mask) == want) {
			return 0;
		}
		if (expired) {
			return hw_bus_fail(bus, -ETIMEDOUT,
					   "register 0x%llx: waited %u us for (value & 0x%08x) == "
					   "0x%08x, last read 0x%08x",
					   (unsigned long long)pa, timeout_us, mask, want, value);
		}
		if (bus->ops->poll_interval_us) {
			struct timespec pause = {.tv_nsec =
							 (long)bus->ops->poll_interval_us * 1000};

			nanosleep(&pause, NULL);
		}
	}
}

static int check_pio(struct hw_bus *bus, uint16_t port, unsigned size)
{
	if (!bus->ops->pio_read) {
		return unsupported(bus, "port I/O");
	}
	if (size != 1 && size != 2 && size != 4) {
		return hw_bus_fail(bus, -EINVAL,
				   "port I/O of %u bytes at port 0x%x: size must be "
				   "1, 2 or 4",
				   size, port);
	}
	if ((uint32_t)port + size > 0x10000u) {
		return hw_bus_fail(bus, -EINVAL,
				   "port I/O of %u bytes at port 0x%x runs past "
				   "port 0xffff",
				   size, port);
	}
	return 0;
}

/** hw_pio_read() - x86 `in` of `size` (1, 2, 4) bytes.  qtest only; else -EOPNOTSUPP. */
int hw_pio_read(struct hw_bus *bus, uint16_t port, unsigned size, uint32_t *ret_value)
{
	int r = check_pio(bus, port, size);

	return r < 0 ? r : bus->ops->pio_read(bus, port, size, ret_value);
}

/** hw_pio_write() - x86 `out`; the value must fit `size` bytes. */
int hw_pio_write(struct hw_bus *bus, uint16_t port, unsigned size, uint32_t value)
{
	int r = check_pio(bus, port, size);

	if (r == 0 && size < 4 && (value >> (size * 8))) {
		r = hw_bus_fail(bus, -EINVAL, "value 0x%x does not fit a %u-byte port write", value,
				size);
	}
	return r < 0 ? r : bus->ops->pio_write(bus, port, size, value);
}

/**
 * hw_pio_read_bytes() - `count` byte reads of one port into `buf`, like x86 `rep insb`:
 * the way to drain a byte-wide data port (fw_cfg) without a round trip per byte.
 */
int hw_pio_read_bytes(struct hw_bus *bus, uint16_t port, void *buf, size_t count)
{
	int r = check_pio(bus, port, 1);

	if (r < 0 || count == 0) {
		return r;
	}
	return bus->ops->pio_read_bytes(bus, port, buf, count);
}

static int check_cfg(struct hw_bus *bus, struct hw_pci_bdf bdf, unsigned offset, unsigned size)
{
	if (!bus->ops->pci_cfg_read) {
		return unsupported(bus, "PCI configuration access");
	}
	if (bdf.device > 31 || bdf.function > 7) {
		return hw_bus_fail(bus, -EINVAL,
				   "PCI function %02x:%02x.%x does not exist (device "
				   "0..31, function 0..7)",
				   bdf.bus, bdf.device, bdf.function);
	}
	if ((size != 1 && size != 2 && size != 4) || offset % size || offset >= 4096) {
		return hw_bus_fail(bus, -EINVAL,
				   "PCI configuration access of %u bytes at offset 0x%x: size must "
				   "be 1, 2 or 4, the offset aligned to it and below 0x1000",
				   size, offset);
	}
	return 0;
}

/** hw_pci_cfg_read() - read `size` bytes of a function's configuration space. */
int hw_pci_cfg_read(struct hw_bus *bus, struct hw_pci_bdf bdf, unsigned offset, unsigned size,
		    uint32_t *ret_value)
{
	int r = check_cfg(bus, bdf, offset, size);

	return r < 0 ? r : bus->ops->pci_cfg_read(bus, bdf, offset, size, ret_value);
}

/** hw_pci_cfg_write() - write `size` bytes of a function's configuration space. */
int hw_pci_cfg_write(struct hw_bus *bus, struct hw_pci_bdf bdf, unsigned offset, unsigned size,
		     uint32_t value)
{
	int r = check_cfg(bus, bdf, offset, size);

	if (r == 0 && size < 4 && (value >> (size * 8))) {
		r = hw_bus_fail(bus, -EINVAL, "value 0x%x does not fit a %u-byte write", value,
				size);
	}
	return r < 0 ? r : bus->ops->pci_cfg_write(bus, bdf, offset, size, value);
}

/**
 * hw_mem_map() - a CPU pointer to physical memory [pa, pa + size), for tables and DMA
 * buffers.  The pointer stays valid until hw_close(); there is no unmap.  The mapping is
 * shared with the machine: writes are seen by devices without any copy (the caller orders
 * them before telling the device, see hw_table_mem_sync()).
 * Return: 0; -EINVAL (size 0 or wraps); -ERANGE (outside the provider's window);
 * -EOPNOTSUPP (no window, e.g. qtest without mem=); or the mmap error.
 */
int hw_mem_map(struct hw_bus *bus, uint64_t pa, size_t size, void **ret_cpu)
{
	uint64_t end;

	if (!bus->ops->mem_map) {
		return unsupported(bus, "memory window");
	}
	if (size == 0 || __builtin_add_overflow(pa, (uint64_t)size, &end)) {
		return hw_bus_fail(bus, -EINVAL,
				   "memory window of %zu bytes at 0x%llx is empty or "
				   "wraps around",
				   size, (unsigned long long)pa);
	}
	return bus->ops->mem_map(bus, pa, size, ret_cpu);
}

/**
 * hw_clock_step() - advance the machine's virtual clock by `ns` and return its new value.
 * Only QEMU's qtest accelerator lets a client drive the clock; under TCG (Debian's QEMU) the
 * virtual clock follows the host's and this is -EOPNOTSUPP, as it is for devmem.  Callers
 * fall back to waiting (hw_poll32()).
 */
int hw_clock_step(struct hw_bus *bus, uint64_t ns, uint64_t *ret_now_ns)
{
	if (!bus->ops->clock_step) {
		return unsupported(bus, "virtual clock");
	}
	return bus->ops->clock_step(bus, ns, ret_now_ns);
}
