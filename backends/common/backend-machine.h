/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The machine a hardware backend (smmu-vtd.so, smmu-smmuv3.so) drives: the one hw bus every
 * unit is on, the table memory every unit allocates from, the allocator pgtable builds
 * tables with in that memory, and the first page of it, which each backend keeps as its
 * blocking table (all zero, never written).  Opening and closing these is the same for every
 * backend that reaches hardware through hw/; what the blocking page means is the backend's
 * (vtd.h, "The blocking root table"; smmuv3.h, "Takeover and park").
 *
 * Not for the soft backend, which has no hardware and keeps its tables in host memory.
 */
#ifndef SMMU_BACKENDS_COMMON_BACKEND_MACHINE_H
#define SMMU_BACKENDS_COMMON_BACKEND_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/backend.h"
#include "pgtable/pgtable.h"

struct hw_bus;
struct hw_table_mem;

/* The provider a real machine uses when the configuration names no platform. */
#define BACKEND_DEFAULT_PLATFORM "devmem"

/* Owner: the backend's process-wide state; filled by backend_machine_open(), emptied by
 * backend_machine_close(). */
struct backend_machine {
	struct hw_bus *bus;
	struct hw_table_mem *tables;
	struct pt_allocator alloc; /* pgtable's tables, in `tables` */
	void *blocking_cpu;	   /* the first page of `tables` */
	uint64_t blocking_pa;
	bool keep_pages; /* backend_machine_keep() */
};

int backend_machine_open(struct backend_machine *machine, const struct smmu_backend_host *host,
			 const char *backend_name);
void backend_machine_close(struct backend_machine *machine);
int backend_machine_alloc(struct backend_machine *machine, size_t size, void **ret_cpu,
			  uint64_t *ret_pa);
void backend_machine_free(struct backend_machine *machine, void *cpu, uint64_t pa, size_t size);
void backend_machine_keep(struct backend_machine *machine, bool keep);

#endif
