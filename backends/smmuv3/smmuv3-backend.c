/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SMMUv3 library's process-wide part: init/fini, `smmu smmuv3 PARAMS`, the connection to
 * the machine (one hw bus for every unit), the table memory every unit allocates from, the
 * blocking stream table (smmuv3.h, "Takeover and park"), and the log helpers.  A support library is
 * loaded once per service, so this state is a single static instance; init() while it is in use is
 * refused.
 */
#include "backends/smmuv3/smmuv3.h"

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
#define SMMUV3_DEFAULT_PLATFORM "devmem"

/* Owner: this file; set by smmuv3_init(), cleared by smmuv3_fini(). */
static struct {
	const struct smmu_backend_host *host;
	struct smmuv3_params params;
	struct hw_bus *bus;
	struct hw_table_mem *tables;
	struct pt_allocator alloc;
	void *blocking_table_cpu;
	uint64_t blocking_table_pa;
	bool keep_pages; /* smmuv3_table_keep() */
	size_t unit_count;
} smmuv3;

const struct smmu_backend smmuv3_backend = SMMUV3_BACKEND_DESCRIPTOR;

/* The core's services; NULL outside init()..fini(). */
const struct smmu_backend_host *smmuv3_host(void)
{
	return smmuv3.host;
}

/* The machine every unit is on. */
struct hw_bus *smmuv3_bus(void)
{
	return smmuv3.bus;
}

/* Table memory, shared by the units. */
struct hw_table_mem *smmuv3_tables(void)
{
	return smmuv3.tables;
}

/* The allocator pgtable builds second-level tables with: the same table memory. */
const struct pt_allocator *smmuv3_table_allocator(void)
{
	return &smmuv3.alloc;
}

/* Physical address of the blocking stream table (smmuv3.h, "Takeover and park"). */
uint64_t smmuv3_blocking_table_pa(void)
{
	return smmuv3.blocking_table_pa;
}

/* `size` bytes (a power of two, at least 4 KiB) of zeroed table memory aligned to their size,
 * visible to the IOMMU as zero.  -ENOMEM. */
int smmuv3_table_alloc(size_t size, void **ret_cpu, uint64_t *ret_pa)
{
	return hw_table_alloc(smmuv3.tables, size, ret_cpu, ret_pa);
}

/* Gives back memory from smmuv3_table_alloc() once no unit can read it.  Accepts NULL. */
void smmuv3_table_free(void *cpu, uint64_t pa, size_t size)
{
	if (cpu && !smmuv3.keep_pages) {
		hw_table_free(smmuv3.tables, cpu, pa, size);
	}
}

/*
 * While `keep` is set, frees of table memory (ours and pgtable's) release nothing: a unit in
 * its error state may still read its tables, so destroying it frees only what the process
 * keeps about them and leaves the pages allocated until fini.
 */
void smmuv3_table_keep(bool keep)
{
	smmuv3.keep_pages = keep;
}

/* `smmu smmuv3 PARAMS` as parsed at init. */
const struct smmuv3_params *smmuv3_params(void)
{
	return &smmuv3.params;
}

void smmuv3_unit_created(void)
{
	smmuv3.unit_count++;
}

void smmuv3_unit_destroyed(void)
{
	if (ALWAYS(smmuv3.unit_count > 0)) {
		smmuv3.unit_count--;
	}
}

void smmuv3_log(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	smmu_backend_vlog(smmuv3.host, priority, fmt, ap);
	va_end(ap);
}

static int tables_alloc(void *ctx, size_t size, void **ret_cpu, uint64_t *ret_pa)
{
	return hw_table_alloc(ctx, size, ret_cpu, ret_pa);
}

static void tables_free(void *ctx, void *cpu, uint64_t pa, size_t size)
{
	if (!smmuv3.keep_pages) {
		hw_table_free(ctx, cpu, pa, size);
	}
}

static void tables_sync(void *ctx, const void *cpu, size_t size)
{
	(void)ctx;
	hw_table_mem_sync(cpu, size);
}

/* Opens the bus and the table memory, and takes the blocking table: the first page. */
static int open_machine(const char *spec)
{
	struct strbuf why = STRBUF_INIT;
	uint64_t pa, size;
	int r = hw_open(spec, &smmuv3.bus, &why);

	if (r < 0) {
		smmuv3_log(LOG_ERR, "smmuv3: cannot reach the hardware through '%s': %s", spec,
			   why.oom ? "out of memory" : strbuf_str(&why));
		goto out;
	}
	r = hw_bus_tables(smmuv3.bus, &pa, &size);
	if (r < 0) {
		smmuv3_log(LOG_ERR,
			   "smmuv3: the platform reserves no memory for IOMMU tables: add "
			   "tables=ADDR,SIZE to the platform spec '%s'",
			   spec);
		goto err_close;
	}
	r = hw_table_mem_create(smmuv3.bus, pa, size, &smmuv3.tables, &why);
	if (r < 0) {
		smmuv3_log(LOG_ERR, "smmuv3: %s", why.oom ? "out of memory" : strbuf_str(&why));
		goto err_close;
	}
	/* First fit: the lowest page of the range, in every run (smmuv3.h, "Takeover and park"). */
	r = smmuv3_table_alloc(HW_TABLE_PAGE_SIZE, &smmuv3.blocking_table_cpu,
			       &smmuv3.blocking_table_pa);
	if (r < 0) {
		smmuv3_log(LOG_ERR, "smmuv3: table memory at 0x%" PRIx64 " has no free page", pa);
		goto err_destroy;
	}
	smmuv3.alloc = (struct pt_allocator){
		.alloc = tables_alloc,
		.free = tables_free,
		.sync = tables_sync,
		.ctx = smmuv3.tables,
	};
	hw_table_mem_linear(smmuv3.tables, &smmuv3.alloc.linear_cpu_base,
			    &smmuv3.alloc.linear_pa_base);
	smmuv3_log(LOG_DEBUG, "smmuv3: %s provider, table memory [0x%" PRIx64 ", +0x%" PRIx64 ")",
		   hw_bus_provider(smmuv3.bus), pa, size);
	goto out;

err_destroy:
	hw_table_mem_destroy(smmuv3.tables);
	smmuv3.tables = NULL;
err_close:
	hw_close(smmuv3.bus);
	smmuv3.bus = NULL;
out:
	strbuf_fini(&why);
	return r;
}

/**
 * smmuv3_init() - starts the library: parses `smmu smmuv3 PARAMS`, connects to the machine the
 * platform option names ("devmem" without one) and sets up table memory.
 * Return: 0; -EINVAL for a bad parameter or a host of another ABI; -EBUSY when already
 * started; the bus's or table memory's error (-ENOENT when the platform reserves no table
 * memory).  Each failure is logged; nothing is kept.
 */
int smmuv3_init(const struct smmu_backend_host *host, const char *params)
{
	char why[SMMUV3_WHY_SIZE];
	int r;

	if (!host || host->abi_version != SMMU_BACKEND_ABI_VERSION || host->size < sizeof(*host) ||
	    !host->fault) {
		return -EINVAL;
	}
	if (smmuv3.host) {
		return -EBUSY;
	}
	/* Set first so that errors can be logged; cleared again if they happen. */
	smmuv3.host = host;
	r = smmuv3_params_parse(params, &smmuv3.params, why, sizeof(why));
	if (r < 0) {
		smmuv3_log(LOG_ERR, "smmuv3: %s", why);
		goto err;
	}
	r = open_machine(host->platform ? host->platform : SMMUV3_DEFAULT_PLATFORM);
	if (r < 0) {
		goto err;
	}
	smmuv3.unit_count = 0;
	return 0;

err:
	memset(&smmuv3, 0, sizeof(smmuv3));
	return r;
}

/** smmuv3_fini() - stops the library.  The core destroyed every unit first. */
void smmuv3_fini(void)
{
	if (NEVER(smmuv3.unit_count != 0)) {
		smmuv3_log(LOG_WARNING, "smmuv3: stopped with %zu units alive; they leak",
			   smmuv3.unit_count);
	}
	hw_table_mem_destroy(smmuv3.tables);
	hw_close(smmuv3.bus);
	memset(&smmuv3, 0, sizeof(smmuv3));
}
