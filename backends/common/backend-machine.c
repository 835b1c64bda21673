/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening and closing the machine of a hardware backend (backend-machine.h): the hw bus the
 * platform option names, the table memory it reserves, pgtable's allocator in it, and the
 * first page of it as the blocking table.  Failures are logged through the core's log with
 * the backend's name, as the backend's own lines are.
 */
#include "backends/common/backend-machine.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "common/strbuf.h"
#include "hw/hw-table-mem.h"
#include "hw/hw.h"

static void SMMU_PRINTF(3, 4)
	machine_log(const struct smmu_backend_host *host, int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	smmu_backend_vlog(host, priority, fmt, ap);
	va_end(ap);
}

static int tables_alloc(void *ctx, size_t size, void **ret_cpu, uint64_t *ret_pa)
{
	return backend_machine_alloc(ctx, size, ret_cpu, ret_pa);
}

static void tables_free(void *ctx, void *cpu, uint64_t pa, size_t size)
{
	backend_machine_free(ctx, cpu, pa, size);
}

static void tables_sync(void *ctx, const void *cpu, size_t size)
{
	(void)ctx;
	hw_table_mem_sync(cpu, size);
}

/**
 * backend_machine_open() - opens the bus the host's platform option names ("devmem" without
 * one) and the table memory it reserves, and takes the blocking table: the first page, the
 * same one in every run (first fit), so that a unit left pointing at it by a previous run
 * never walks memory rewritten since.  `backend_name` prefixes the log lines.
 * Return: 0 and *machine filled; the bus's or table memory's error (-ENOENT when the platform
 * reserves no table memory), logged, *machine left empty.
 */
int backend_machine_open(struct backend_machine *machine, const struct smmu_backend_host *host,
			 const char *backend_name)
{
	const char *spec = host->platform ? host->platform : BACKEND_DEFAULT_PLATFORM;
	struct strbuf why = STRBUF_INIT;
	uint64_t pa, size;
	int r;

	*machine = (struct backend_machine){0};
	r = hw_open(spec, &machine->bus, &why);
	if (r < 0) {
		machine_log(host, LOG_ERR, "%s: cannot reach the hardware through '%s': %s",
			    backend_name, spec, why.oom ? "out of memory" : strbuf_str(&why));
		goto out;
	}
	r = hw_bus_tables(machine->bus, &pa, &size);
	if (r < 0) {
		machine_log(host, LOG_ERR,
			    "%s: the platform reserves no memory for IOMMU tables: add "
			    "tables=ADDR,SIZE to the platform spec '%s'",
			    backend_name, spec);
		goto err_close;
	}
	r = hw_table_mem_create(machine->bus, pa, size, &machine->tables, &why);
	if (r < 0) {
		machine_log(host, LOG_ERR, "%s: %s", backend_name,
			    why.oom ? "out of memory" : strbuf_str(&why));
		goto err_close;
	}
	r = backend_machine_alloc(machine, HW_TABLE_PAGE_SIZE, &machine->blocking_cpu,
				  &machine->blocking_pa);
	if (r < 0) {
		machine_log(host, LOG_ERR, "%s: table memory at 0x%" PRIx64 " has no free page",
			    backend_name, pa);
		goto err_destroy;
	}
	machine->alloc = (struct pt_allocator){
		.alloc = tables_alloc,
		.free = tables_free,
		.sync = tables_sync,
		.ctx = machine,
	};
	hw_table_mem_linear(machine->tables, &machine->alloc.linear_cpu_base,
			    &machine->alloc.linear_pa_base);
	machine_log(host, LOG_DEBUG,
		    "%s: %s provider, table memory [0x%" PRIx64 ", +0x%" PRIx64 ")", backend_name,
		    hw_bus_provider(machine->bus), pa, size);
	goto out;

err_destroy:
	hw_table_mem_destroy(machine->tables);
	machine->tables = NULL;
err_close:
	hw_close(machine->bus);
	machine->bus = NULL;
out:
	strbuf_fini(&why);
	return r;
}

/** backend_machine_close() - closes table memory and bus; every unit is gone.  Accepts an
 * empty machine. */
void backend_machine_close(struct backend_machine *machine)
{
	hw_table_mem_destroy(machine->tables);
	hw_close(machine->bus);
	*machine = (struct backend_machine){0};
}

/** backend_machine_alloc() - `size` bytes (a power of two, at least 4 KiB) of zeroed table
 * memory aligned to their size, visible to the IOMMU as zero.  -ENOMEM. */
int backend_machine_alloc(struct backend_machine *machine, size_t size, void **ret_cpu,
			  uint64_t *ret_pa)
{
	return hw_table_alloc(machine->tables, size, ret_cpu, ret_pa);
}

/** backend_machine_free() - gives back memory from backend_machine_alloc() once no unit can
 * read it; nothing while backend_machine_keep() is on.  Accepts NULL. */
void backend_machine_free(struct backend_machine *machine, void *cpu, uint64_t pa, size_t size)
{
	if (cpu && !machine->keep_pages) {
		hw_table_free(machine->tables, cpu, pa, size);
	}
}

/**
 * backend_machine_keep() - while `keep` is set, frees of table memory (the backend's and
 * pgtable's) release nothing: a unit in its error state may still read its tables, so
 * destroying it frees only what the process keeps about them and leaves the pages allocated
 * until the machine is closed.
 */
void backend_machine_keep(struct backend_machine *machine, bool keep)
{
	machine->keep_pages = keep;
}
