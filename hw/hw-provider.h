/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a provider implements, and the part of struct hw_bus every provider shares.  Only
 * hw/ includes this.  hw-bus.c checks arguments (widths, alignment, ranges that overflow)
 * before calling an operation, so providers see only well-formed requests.
 */
#ifndef SMMU_HW_HW_PROVIDER_H
#define SMMU_HW_HW_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/compiler.h"
#include "common/strbuf.h"
#include "hw/hw-spec.h"
#include "hw/hw.h"

/*
 * A NULL operation means the provider cannot do it; hw-bus.c then answers -EOPNOTSUPP with
 * a sentence naming the provider.
 */
struct hw_bus_ops {
	const char *name;
	/* size 1, 2, 4 or 8; pa aligned to size. */
	int (*read)(struct hw_bus *bus, uint64_t pa, unsigned size, uint64_t *ret_value);
	int (*write)(struct hw_bus *bus, uint64_t pa, unsigned size, uint64_t value);
	/* `count` > 0 reads of 8 bytes at pa; NULL: hw-bus.c loops over read. */
	int (*read64_repeat)(struct hw_bus *bus, uint64_t pa, uint64_t *values, size_t count);
	/* size 1, 2 or 4. */
	int (*pio_read)(struct hw_bus *bus, uint16_t port, unsigned size, uint32_t *ret_value);
	int (*pio_write)(struct hw_bus *bus, uint16_t port, unsigned size, uint32_t value);
	int (*pio_read_bytes)(struct hw_bus *bus, uint16_t port, uint8_t *buf, size_t count);
	/* size 1, 2 or 4; offset aligned to size, below 4096. */
	int (*pci_cfg_read)(struct hw_bus *bus, struct hw_pci_bdf bdf, unsigned offset,
			    unsigned size, uint32_t *ret_value);
	int (*pci_cfg_write)(struct hw_bus *bus, struct hw_pci_bdf bdf, unsigned offset,
			     unsigned size, uint32_t value);
	/* size > 0 and pa + size does not overflow. */
	int (*mem_map)(struct hw_bus *bus, uint64_t pa, size_t size, void **ret_cpu);
	int (*clock_step)(struct hw_bus *bus, uint64_t ns, uint64_t *ret_now_ns);
	/* Frees the provider's state and the bus (which it embeds). */
	void (*destroy)(struct hw_bus *bus);
	/*
	 * How long hw_poll32() sleeps between reads.  0 for memory-mapped registers (a read is
	 * a few hundred nanoseconds); qtest reads cross two sockets, and sleeping a little keeps
	 * a long wait from flooding a board that other clients share.
	 */
	unsigned poll_interval_us;
};

/* Embedded first in each provider's own structure. */
struct hw_bus {
	const struct hw_bus_ops *ops;
	struct strbuf error; /* the last failure, one sentence */
	bool has_tables;
	uint64_t tables_pa;
	uint64_t tables_size;
};

/* Records why the last operation failed and returns `err` (a -errno) for `return`. */
int hw_bus_fail(struct hw_bus *bus, int err, const char *fmt, ...) SMMU_PRINTF(3, 4);

/* Shared set-up of the common part, from the spec. */
void hw_bus_init(struct hw_bus *bus, const struct hw_bus_ops *ops, const struct hw_spec *spec);

/* Provider constructors, called by hw_open() with a parsed spec of their kind. */
int hw_qtest_open(const struct hw_spec *spec, struct hw_bus **ret_bus, struct strbuf *why);
int hw_devmem_open(const struct hw_spec *spec, struct hw_bus **ret_bus, struct strbuf *why);

#endif
