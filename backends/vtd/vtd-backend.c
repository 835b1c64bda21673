/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VT-d library's process-wide part: init/fini, `smmu vtd PARAMS`, the connection to the
 * machine (one hw bus for every unit), the table memory every unit allocates from, the
 * blocking root table, and the log helpers.  A support library is loaded once per service,
 * so this state is a single static instance; init() while it is in use is refused.
 */
#include "backends/vtd/vtd.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "common/strbuf.h"
#include "hw/hw-table-mem.h"
#include "hw/hw.h"

/* The provider a real machine uses when the configuration names no platform. */
#define VTD_DEFAULT_PLATFORM "devmem"

/* Owner: this file; set by vtd_init(), cleared by vtd_fini(). */
static struct {
	const struct smmu_backend_host *host;
	struct vtd_params params;
	struct hw_bus *bus;
	struct hw_table_mem *tables;
	struct pt_allocator alloc;
	void *blocking_root_cpu;
	uint64_t blocking_root_pa;
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
	return vtd.bus;
}

/* Table memory, shared by the units. */
struct hw_table_mem *vtd_tables(void)
{
	return vtd.tables;
}

/* The allocator pgtable builds second-level tables with: the same table memory. */
const struct pt_allocator *vtd_table_allocator(void)
{
	return &vtd.alloc;
}

/* Physical address of the blocking root table (vtd.h, "The blocking root table"). */
uint64_t vtd_blocking_root_pa(void)
{
	return vtd.blocking_root_pa;
}

/* One zeroed 4 KiB page of table memory, visible to the IOMMU as zero.  -ENOMEM. */
int vtd_table_alloc(void **ret_cpu, uint64_t *ret_pa)
{
	return hw_table_alloc(vtd.tables, HW_TABLE_PAGE_SIZE, ret_cpu, ret_pa);
}

/* Gives back a page from vtd_table_alloc() once no unit can read it.  Accepts NULL. */
void vtd_table_free(void *cpu, uint64_t pa)
{
	if (cpu) {
		hw_table_free(vtd.tables, cpu, pa, HW_TABLE_PAGE_SIZE);
	}
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

static int tables_alloc(void *ctx, size_t size, void **ret_cpu, uint64_t *ret_pa)
{
	return hw_table_alloc(ctx, size, ret_cpu, ret_pa);
}

static void tables_free(void *ctx, void *cpu, uint64_t pa, size_t size)
{
	hw_table_free(ctx, cpu, pa, size);
}

static void tables_sync(void *ctx, const void *cpu, size_t size)
{
	(void)ctx;
	hw_table_mem_sync(cpu, size);
}

/* Opens the bus and the table memory, and takes the blocking root: the first page. */
static int open_machine(const char *spec)
{
	struct strbuf why = STRBUF_INIT;
	uint64_t pa, size;
	int r = hw_open(spec, &vtd.bus, &why);

	if (r < 0) {
		vtd_log(LOG_ERR, "vtd: cannot reach the hardware through '%s': %s", spec,
			why.oom ? "out of memory" : strbuf_str(&why));
		goto out;
	}
	r = hw_bus_tables(vtd.bus, &pa, &size);
	if (r < 0) {
		vtd_log(LOG_ERR,
			"vtd: the platform reserves no memory for IOMMU tables: add "
			"tables=ADDR,SIZE to the platform spec '%s'",
			spec);
		goto err_close;
	}
	r = hw_table_mem_create(vtd.bus, pa, size, &vtd.tables, &why);
	if (r < 0) {
		vtd_log(LOG_ERR, "vtd: %s", why.oom ? "out of memory" : strbuf_str(&why));
		goto err_close;
	}
	/* First fit: the lowest page of the range, in every run (vtd.h). */
	r = vtd_table_alloc(&vtd.blocking_root_cpu, &vtd.blocking_root_pa);
	if (r < 0) {
		vtd_log(LOG_ERR, "vtd: table memory at 0x%" PRIx64 " has no free page", pa);
		goto err_destroy;
	}
	vtd.alloc = (struct pt_allocator){
		.alloc = tables_alloc,
		.free = tables_free,
		.sync = tables_sync,
		.ctx = vtd.tables,
	};
	hw_table_mem_linear(vtd.tables, &vtd.alloc.linear_cpu_base, &vtd.alloc.linear_pa_base);
	vtd_log(LOG_DEBUG, "vtd: %s provider, table memory [0x%" PRIx64 ", +0x%" PRIx64 ")",
		hw_bus_provider(vtd.bus), pa, size);
	goto out;

err_destroy:
	hw_table_mem_destroy(vtd.tables);
	vtd.tables = NULL;
err_close:
	hw_close(vtd.bus);
	vtd.bus = NULL;
out:
	strbuf_fini(&why);
	return r;
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
	r = open_machine(host->platform ? host->platform : VTD_DEFAULT_PLATFORM);
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
	hw_table_mem_destroy(vtd.tables);
	hw_close(vtd.bus);
	memset(&vtd, 0, sizeof(vtd));
}
