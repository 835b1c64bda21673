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
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "backends/common/backend-machine.h"

/* Owner: this file; set by smmuv3_init(), cleared by smmuv3_fini(). */
static struct {
	const struct smmu_backend_host *host;
	struct smmuv3_params params;
	struct backend_machine machine; /* bus, table memory, the blocking page */
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
	return smmuv3.machine.bus;
}

/* Table memory, shared by the units. */
struct hw_table_mem *smmuv3_tables(void)
{
	return smmuv3.machine.tables;
}

/* The allocator pgtable builds second-level tables with: the same table memory. */
const struct pt_allocator *smmuv3_table_allocator(void)
{
	return &smmuv3.machine.alloc;
}

/* Physical address of the blocking stream table (smmuv3.h, "Takeover and park"). */
uint64_t smmuv3_blocking_table_pa(void)
{
	return smmuv3.machine.blocking_pa;
}

/* `size` bytes (a power of two, at least 4 KiB) of zeroed table memory aligned to their size,
 * visible to the IOMMU as zero.  -ENOMEM. */
int smmuv3_table_alloc(size_t size, void **ret_cpu, uint64_t *ret_pa)
{
	return backend_machine_alloc(&smmuv3.machine, size, ret_cpu, ret_pa);
}

/* Gives back memory from smmuv3_table_alloc() once no unit can read it.  Accepts NULL. */
void smmuv3_table_free(void *cpu, uint64_t pa, size_t size)
{
	backend_machine_free(&smmuv3.machine, cpu, pa, size);
}

/*
 * While `keep` is set, frees of table memory (ours and pgtable's) release nothing: a unit in
 * its error state may still read its tables, so destroying it frees only what the process
 * keeps about them and leaves the pages allocated until fini.
 */
void smmuv3_table_keep(bool keep)
{
	backend_machine_keep(&smmuv3.machine, keep);
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
	r = backend_machine_open(&smmuv3.machine, host, "smmuv3");
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
	backend_machine_close(&smmuv3.machine);
	memset(&smmuv3, 0, sizeof(smmuv3));
}
