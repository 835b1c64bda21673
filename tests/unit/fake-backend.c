/* SPDX-License-Identifier: Apache-2.0 */
#include "fake-backend.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/mapping-set.h"

struct smmu_backend_unit {
	char name[32];
	bool enabled;
};

struct smmu_backend_domain {
	struct smmu_backend_unit *unit;
	struct core_mapping_set mappings;
};

struct smmu_backend_device {
	struct smmu_backend_unit *unit;
	struct smmu_backend_domain *domain; /* NULL: blocked */
	uint64_t key;
};

static const struct smmu_backend_host *host;
static struct smmu_backend_unit *first_unit;
static int fail_skip = -1;
static int fail_err;
static unsigned domains, enabled;
static struct smmu_backend_fault pending[256];
static unsigned pending_count;

void fake_reset(void)
{
	fail_skip = -1;
	domains = 0;
	enabled = 0;
	pending_count = 0;
	first_unit = NULL;
}

void fake_fail_after(int skip, int err)
{
	fail_skip = skip;
	fail_err = err;
}

static int injected(void)
{
	if (fail_skip < 0) {
		return 0;
	}
	if (fail_skip-- == 0) {
		return fail_err;
	}
	return 0;
}

void fake_queue_fault(uint64_t key, uint64_t address, unsigned access)
{
	pending[pending_count++] = (struct smmu_backend_fault){key, address, 0xfa17, access, 0};
}

unsigned fake_domain_count(void)
{
	return domains;
}

unsigned fake_enabled_units(void)
{
	return enabled;
}

uint64_t fake_pci_key(unsigned bus, unsigned dev, unsigned func)
{
	return bus << 8 | dev << 3 | func;
}

static int fake_init(const struct smmu_backend_host *h, const char *params)
{
	host = h;
	return params && strcmp(params, "fail") == 0 ? -EIO : 0;
}

static void fake_fini(void)
{
	host = NULL;
}

static int fake_unit_create(const char *name, const char *params,
			    struct smmu_backend_unit **ret_unit)
{
	struct smmu_backend_unit *unit;

	(void)params;
	if (injected()) {
		return fail_err;
	}
	unit = calloc(1, sizeof(*unit));
	if (!unit) {
		return -ENOMEM;
	}
	strncpy(unit->name, name, sizeof(unit->name) - 1);
	if (!first_unit) {
		first_unit = unit;
	}
	*ret_unit = unit;
	return 0;
}

static void fake_unit_destroy(struct smmu_backend_unit *unit)
{
	enabled -= unit->enabled;
	free(unit);
}

static int fake_unit_enable(struct smmu_backend_unit *unit)
{
	if (injected()) {
		return fail_err;
	}
	unit->enabled = true;
	enabled++;
	return 0;
}

static int fake_device_bind(struct smmu_backend_unit *unit, const union smmu_devid *devid,
			    const char *use_param, struct smmu_backend_device **ret_device,
			    uint64_t *ret_key)
{
	struct smmu_backend_device *device;

	if ((devid->type == SDT_PCI && devid->pci.bus >= 16) ||
	    (devid->type == SDT_MMIO && devid->mmio.phys == 0)) {
		return -ENOENT;
	}
	if (injected()) {
		return fail_err;
	}
	device = calloc(1, sizeof(*device));
	if (!device) {
		return -ENOMEM;
	}
	device->unit = unit;
	if (use_param) {
		device->key = strtoull(use_param, NULL, 0);
	} else if (devid->type == SDT_PCI) {
		device->key = fake_pci_key(devid->pci.bus, devid->pci.dev, devid->pci.func);
	} else {
		device->key = devid->mmio.phys;
	}
	*ret_device = device;
	*ret_key = device->key;
	return 0;
}

static void fake_device_unbind(struct smmu_backend_device *device)
{
	free(device);
}

static int fake_device_attach(struct smmu_backend_device *device,
			      struct smmu_backend_domain *domain)
{
	if (injected()) {
		return fail_err;
	}
	device->domain = domain;
	return 0;
}

static int fake_domain_create(struct smmu_backend_unit *unit,
			      struct smmu_backend_domain **ret_domain)
{
	struct smmu_backend_domain *domain;

	if (injected()) {
		return fail_err;
	}
	domain = calloc(1, sizeof(*domain));
	if (!domain) {
		return -ENOMEM;
	}
	domain->unit = unit;
	domains++;
	*ret_domain = domain;
	return 0;
}

static void fake_domain_destroy(struct smmu_backend_domain *domain)
{
	core_mapping_set_fini(&domain->mappings);
	free(domain);
	domains--;
}

static int fake_map(struct smmu_backend_domain *domain, uint64_t iova, uint64_t pa, uint64_t size,
		    unsigned prot)
{
	struct smmu_backend_range m = {iova, size, pa, prot};
	int r;

	if ((iova | pa | size) & 0xfff) {
		return -EINVAL;
	}
	if (injected()) {
		return fail_err;
	}
	r = core_mapping_set_add(&domain->mappings, &m);
	return r == 1 ? -EEXIST : r;
}

static int fake_unmap(struct smmu_backend_domain *domain, uint64_t iova, uint64_t size)
{
	struct core_mapping_set removed = {0};
	int r;

	if (injected()) {
		return fail_err;
	}
	r = core_mapping_set_remove(&domain->mappings, iova, size, &removed);
	core_mapping_set_fini(&removed);
	return r < 0 ? r : 0;
}

/* The batches (FAKE_BATCH builds): each range through the single operation, so an injected
 * failure can stop a batch at any range, as a real backend's would. */
static int SMMU_UNUSED fake_map_batch(struct smmu_backend_domain *domain,
				      const struct smmu_backend_range *ranges, size_t count,
				      size_t *ret_done)
{
	for (size_t i = 0; i < count; i++) {
		int r = fake_map(domain, ranges[i].iova, ranges[i].pa, ranges[i].size,
				 ranges[i].prot);

		if (r < 0) {
			*ret_done = i;
			return r;
		}
	}
	*ret_done = count;
	return 0;
}

static int SMMU_UNUSED fake_unmap_batch(struct smmu_backend_domain *domain,
					const struct smmu_backend_range *ranges, size_t count,
					size_t *ret_done)
{
	for (size_t i = 0; i < count; i++) {
		int r = fake_unmap(domain, ranges[i].iova, ranges[i].size);

		if (r < 0) {
			*ret_done = i;
			return r;
		}
	}
	*ret_done = count;
	return 0;
}

static int SMMU_UNUSED fake_translate(struct smmu_backend_device *device, uint64_t iova,
				      unsigned access, uint64_t *ret_pa, unsigned *ret_refusal)
{
	const struct smmu_backend_range *m;

	if (!device->domain) {
		*ret_refusal = SMMU_REFUSAL_BLOCKED;
		return 0;
	}
	m = core_mapping_set_lookup(&device->domain->mappings, iova);
	if (!m) {
		*ret_refusal = SMMU_REFUSAL_NOT_MAPPED;
	} else if (access == SMMU_ACCESS_WRITE && !(m->prot & SMMU_PROT_WRITE)) {
		*ret_refusal = SMMU_REFUSAL_READ_ONLY;
	} else if (access == SMMU_ACCESS_READ && !(m->prot & SMMU_PROT_READ)) {
		*ret_refusal = SMMU_REFUSAL_WRITE_ONLY;
	} else {
		*ret_refusal = SMMU_REFUSAL_NONE;
		*ret_pa = m->pa + (iova - m->iova);
	}
	return 0;
}

static int fake_fault_drain(struct smmu_backend_unit *unit, unsigned budget)
{
	unsigned handed = 0;

	while (unit == first_unit && pending_count && handed < budget) {
		host->fault(host->ctx, unit, &pending[0]);
		memmove(&pending[0], &pending[1], --pending_count * sizeof(pending[0]));
		handed++;
	}
	return (int)handed;
}

static int fake_fault_fd(struct smmu_backend_unit *unit)
{
	(void)unit;
	return -1;
}

/* Built as a shared module, the same code becomes a support library with
 * the descriptor exported under its ABI name; the defines also make
 * broken variants for the loader's tests. */
#ifndef FAKE_SYMBOL
#define FAKE_SYMBOL fake_backend
#endif
#ifndef FAKE_NAME
#define FAKE_NAME "fake"
#endif
#ifndef FAKE_ABI_VERSION
#define FAKE_ABI_VERSION SMMU_BACKEND_ABI_VERSION
#endif

__attribute__((visibility("default"))) const struct smmu_backend FAKE_SYMBOL = {
	.abi_version = FAKE_ABI_VERSION,
	.size = sizeof(struct smmu_backend),
	.name = FAKE_NAME,
	.init = fake_init,
	.fini = fake_fini,
	.unit_create = fake_unit_create,
	.unit_destroy = fake_unit_destroy,
	.unit_enable = fake_unit_enable,
	.device_bind = fake_device_bind,
	.device_unbind = fake_device_unbind,
	.device_attach = fake_device_attach,
	.domain_create = fake_domain_create,
	.domain_destroy = fake_domain_destroy,
	.map = fake_map,
	.unmap = fake_unmap,
#ifdef FAKE_BATCH
	.map_batch = fake_map_batch,
	.unmap_batch = fake_unmap_batch,
#endif
/* The loader must refuse a descriptor with an operation missing. */
#ifdef FAKE_WITHOUT_TRANSLATE
	.translate = NULL,
#else
	.translate = fake_translate,
#endif
	.fault_drain = fake_fault_drain,
	.fault_fd = fake_fault_fd,
};
