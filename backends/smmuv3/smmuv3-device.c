/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Devices of an SMMUv3 unit: which devices a unit controls (device_bind: those a `use` line
 * gives a StreamID), and switching a device between domains by rewriting its STE
 * (device_attach), in the order smmuv3.h ("Attach") explains.
 */
#include "backends/smmuv3/smmuv3.h"

#include <errno.h>
#include <string.h>
#include <syslog.h>

#include "common/alloc.h"

/* Debug builds check the invariants of smmuv3.h's device state machine at each transition. */
static void assert_device_state(const struct smmu_backend_device *device)
{
	(void)device;
	assert(device->unit && device->unit->blocking);
	assert(!device->domain ||
	       (device->domain->unit == device->unit && device->domain->attached_count > 0));
	assert(smmuv3_ste_slot(device->unit, device->sid));
}

static struct smmu_backend_device *device_by_sid(struct smmu_backend_unit *unit, uint32_t sid)
{
	for (struct smmu_list_link *l = unit->devices.next; l != &unit->devices; l = l->next) {
		struct smmu_backend_device *device =
			SMMU_CONTAINER_OF(l, struct smmu_backend_device, link);

		if (device->sid == sid) {
			return device;
		}
	}
	return NULL;
}

/* The STE of a device in `domain`, or blocked (the blocking domain) when NULL. */
static int write_ste(struct smmu_backend_device *device, struct smmu_backend_domain *domain)
{
	uint64_t ste[SMMU_STE_WORDS];

	smmuv3_ste_of_domain(domain ? domain : device->unit->blocking, ste);
	return smmuv3_ste_write(device->unit, device->sid, ste);
}

/**
 * smmuv3_device_bind() - binds a device to the unit with the StreamID of its `use` line,
 * blocked (its STE points at the blocking domain).  PCI and memory-mapped devices alike; the
 * StreamID is all the unit knows of them.
 * Return: 0, *ret_device (owned by the unit until smmuv3_device_unbind()) and
 * *ret_fault_key (the StreamID); -ENOENT when no `use` line names the unit or for a PCI
 * wildcard; -EINVAL for a missing or malformed StreamID (logged); -EBUSY for a reserved
 * StreamID (logged) or one bound already; -ERANGE for a StreamID beyond the stream table
 * (logged); -EIO in the error state; -ENOMEM.
 */
int smmuv3_device_bind(struct smmu_backend_unit *unit, const union smmu_devid *devid,
		       const char *use_param, struct smmu_backend_device **ret_device,
		       uint64_t *ret_fault_key)
{
	struct smmu_backend_device *device;
	char why[SMMUV3_WHY_SIZE];
	uint32_t sid;
	int r;

	if (!use_param) {
		return -ENOENT; /* SMMUv3 has no include-all: only `use` lines bind */
	}
	if (devid->type == SDT_PCI &&
	    (devid->pci.bus == SMMU_PCI_FIELD_ANY || devid->pci.dev == SMMU_PCI_FIELD_ANY ||
	     devid->pci.func == SMMU_PCI_FIELD_ANY)) {
		return -ENOENT;
	}
	if (devid->type != SDT_PCI && devid->type != SDT_MMIO) {
		return -ENOENT;
	}
	r = smmuv3_sid_parse(use_param, &sid, why, sizeof(why));
	if (r < 0) {
		smmuv3_log(LOG_ERR, "unit %s: %s", unit->name, why);
		return r;
	}
	r = smmuv3_unit_check(unit);
	if (r < 0) {
		return r;
	}
	if (smmuv3_sid_reserved(&unit->params, sid)) {
		smmuv3_log(LOG_ERR,
			   "unit %s: StreamID %u is reserved for the system by the unit line; no "
			   "device of the service may use it",
			   unit->name, sid);
		return -EBUSY;
	}
	/* Two bindings would share an STE and a fault key. */
	if (device_by_sid(unit, sid)) {
		return -EBUSY;
	}
	r = smmuv3_strtab_prepare(unit);
	if (r == 0) {
		r = smmuv3_strtab_span_prepare(unit, sid);
	}
	if (r == -ERANGE) {
		smmuv3_log(LOG_ERR,
			   "unit %s: StreamID %u is beyond the stream table (StreamIDs below 2^%u)",
			   unit->name, sid, unit->strtab_log2size);
	}
	if (r < 0) {
		return r;
	}
	device = smmu_calloc(1, sizeof(*device));
	if (!device) {
		return -ENOMEM;
	}
	device->unit = unit;
	device->sid = sid;
	r = write_ste(device, NULL);
	if (r < 0) {
		smmu_free(device);
		return r;
	}
	smmu_list_add(&unit->devices, &device->link);
	assert_device_state(device);
	*ret_device = device;
	*ret_fault_key = sid;
	return 0;
}

/**
 * smmuv3_device_unbind() - blocks the device and frees it.  Its STE stays on the blocking
 * domain, not the StreamID's default (which may be bypass): unbinding never widens access.
 * Accepts NULL.
 */
void smmuv3_device_unbind(struct smmu_backend_device *device)
{
	if (!device) {
		return;
	}
	/* A failure leaves the unit in its error state, logged. */
	(void)smmuv3_device_attach(device, NULL);
	smmu_list_del(&device->link);
	smmu_free(device);
}

/**
 * smmuv3_device_attach() - switches the device to `domain`, or blocks it (NULL).
 * Return: 0; -EINVAL when the domain belongs to another unit (nothing changes); -EIO when
 * the unit is or goes into its error state (the device then counts as blocked).
 */
int smmuv3_device_attach(struct smmu_backend_device *device, struct smmu_backend_domain *domain)
{
	struct smmu_backend_domain *old = device->domain;
	int r;

	assert_device_state(device);
	if (domain && domain->unit != device->unit) {
		return -EINVAL;
	}
	if (domain == old) {
		return 0;
	}
	/* Blocking is always allowed: it only narrows what the device reaches. */
	if (domain) {
		r = smmuv3_unit_check(device->unit);
		if (r < 0) {
			return r;
		}
	}
	r = write_ste(device, domain);
	if (old) {
		old->attached_count--;
	}
	device->domain = NULL;
	if (r == 0 && domain) {
		domain->attached_count++;
		device->domain = domain;
	}
	assert_device_state(device);
	return r;
}
