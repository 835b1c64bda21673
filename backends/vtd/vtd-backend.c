/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VT-d library's process-wide part: init/fini, `smmu vtd PARAMS`, the connection to the
 * machine (one hw bus for every unit), the table memory every unit allocates from, the
 * blocking root table, and the log helpers.  A support library is loaded once per service,
 * so this state is a single static instance; init() while it is in use is refused.
 */
#include "backends/vtd/vtd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "backends/common/backend-machine.h"
#include "hw/hw-table-mem.h"

/* Owner: this file; set by vtd_init(), cleared by vtd_fini(). */
static struct {
	const struct smmu_backend_host *host;
	struct vtd_params params;
	struct backend_machine machine; /* bus, table memory, the blocking page */
	size_t unit_count;
} vtd;

const struct smmu_backend vtd_backend = VTD_BACKEND_DESCRIPTOR;

/* The core's services; NULL outside init()..fini(). */
const struct smmu_backend_host *vtd_host(void)
{
	return vtd.host;
}

/* The machine every unit is on. */
struct hw_bus *vtd_bus(void)
{
	return vtd.machine.bus;
}

/* Table memory, shared by the units. */
struct hw_table_mem *vtd_tables(void)
{
	return vtd.machine.tables;
}

/* The allocator pgtable builds second-level tables with: the same table memory. */
const struct pt_allocator *vtd_table_allocator(void)
{
	return &vtd.machine.alloc;
}

/* Physical address of the blocking root table (vtd.h, "The blocking root table"). */
uint64_t vtd_blocking_root_pa(void)
{
	return vtd.machine.blocking_pa;
}

/* One zeroed 4 KiB page of table memory, visible to the IOMMU as zero.  -ENOMEM. */
int vtd_table_alloc(void **ret_cpu, uint64_t *ret_pa)
{
	return backend_machine_alloc(&vtd.machine, HW_TABLE_PAGE_SIZE, ret_cpu, ret_pa);
}

/* Gives back a page from vtd_table_alloc() once no unit can read it.  Accepts NULL. */
void vtd_table_free(void *cpu, uint64_t pa)
{
	backend_machine_free(&vtd.machine, cpu, pa, HW_TABLE_PAGE_SIZE);
}

/*
 * While `keep` is set, frees of table memory (ours and pgtable's) release nothing: a unit in
 * its error state may still read tables it was never told to forget, so they stay allocated
 * until fini and no other table is built in their pages.
 */
void vtd_table_keep(bool keep)
{
	backend_machine_keep(&vtd.machine, keep);
}

void vtd_unit_created(void)
{
	vtd.unit_count++;
}

void vtd_unit_destroyed(void)
{
	if (ALWAYS(vtd.unit_count > 0)) {
		vtd.unit_count--;
	}
}

void vtd_log(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	smmu_backend_vlog(vtd.host, priority, fmt, ap);
	va_end(ap);
}

/**
 * vtd_init() - starts the library: parses `smmu vtd PARAMS`, connects to the machine the
 * platform option names ("devmem" without one) and sets up table memory.
 * Return: 0; -EINVAL for a bad parameter or a host of another ABI; -EBUSY when already
 * started; the bus's or table memory's error (-ENOENT when the platform reserves no table
 * memory).  Each failure is logged; nothing is kept.
 */
int vtd_init(const struct smmu_backend_host *host, const char *params)
{
	char why[VTD_WHY_SIZE];
	int r;

	if (!host || host->abi_version != SMMU_BACKEND_ABI_VERSION || host->size < sizeof(*host) ||
	    !host->fault) {
		return -EINVAL;
	}
	if (vtd.host) {
		return -EBUSY;
	}
	/* Set first so that errors can be logged; cleared again if they happen. */
	vtd.host = host;
	r = vtd_params_parse(params, &vtd.params, why, sizeof(why));
	if (r < 0) {
		vtd_log(LOG_ERR, "vtd: %s", why);
		goto err;
	}
	r = backend_machine_open(&vtd.machine, host, "vtd");
	if (r < 0) {
		goto err;
	}
	vtd.unit_count = 0;
	return 0;

err:
	memset(&vtd, 0, sizeof(vtd));
	return r;
}

/** vtd_fini() - stops the library.  The core destroyed every unit first. */
void vtd_fini(void)
{
	if (NEVER(vtd.unit_count != 0)) {
		vtd_log(LOG_WARNING, "vtd: stopped with %zu units alive; they leak",
			vtd.unit_count);
	}
	backend_machine_close(&vtd.machine);
	memset(&vtd, 0, sizeof(vtd));
}
