/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Devices of a VT-d unit: which devices a unit controls (device_bind), the context tables
 * their entries live in, and switching a device between domains by rewriting its context
 * entry (device_attach), in the order vtd.h ("Attach") explains.
 */
#include "backends/vtd/vtd.h"

#include <endian.h>
#include <errno.h>
#include <string.h>
#include <syslog.h>

#include "common/alloc.h"
#include "hw/hw-table-mem.h"

#define VTD_PCI_BUS_MAX 255u
#define VTD_PCI_DEV_MAX 31u
#define VTD_PCI_FUNC_MAX 7u

/* Debug builds check the invariants of vtd.h's device state machine at each transition. */
static void assert_device_state(const struct smmu_backend_device *device)
{
	(void)device;
	assert(device->unit);
	assert(!device->domain ||
	       (device->domain->unit == device->unit && device->domain->attached_count > 0));
	assert(device->unit->context_cpu[device->sid >> 8]);
}

/** vtd_context_slot() - the two words of the context entry of `sid`, NULL without a table. */
uint64_t *vtd_context_slot(struct smmu_backend_unit *unit, uint16_t sid)
{
	uint64_t *table = unit->context_cpu[sid >> 8];

	return table ? &table[(sid & 0xffu) * 2] : NULL;
}

/* Table memory is little endian and read by the hardware: whole-word stores, no tearing. */
static void store_word(uint64_t *slot, unsigned word, uint64_t value)
{
	__atomic_store_n(&slot[word], htole64(value), __ATOMIC_RELAXED);
}

static void sync_entry(uint64_t *slot)
{
	hw_table_mem_sync(slot, VTD_CONTEXT_ENTRY_SIZE);
}

/*
 * The context table of `bus`, allocated and linked from the root table on first use.  A
 * not-present to present root entry needs no invalidation (6.1: only caching mode caches
 * not-present entries, and attach invalidates the device's context entry then).
 */
static int context_table_prepare(struct smmu_backend_unit *unit, unsigned bus)
{
	uint64_t entry[2];
	void *cpu;
	int r;

	if (unit->context_cpu[bus]) {
		return 0;
	}
	r = vtd_unit_root_prepare(unit);
	if (r < 0) {
		return r;
	}
	r = vtd_table_alloc(&cpu, &unit->context_pa[bus]);
	if (r < 0) {
		return r;
	}
	unit->context_cpu[bus] = cpu;
	vtd_root_entry_encode(unit->context_pa[bus], entry);
	store_word(&unit->root_cpu[bus * 2], 1, entry[1]);
	sync_entry(&unit->root_cpu[bus * 2]);
	store_word(&unit->root_cpu[bus * 2], 0, entry[0]);
	sync_entry(&unit->root_cpu[bus * 2]);
	return 0;
}

static struct smmu_backend_device *device_by_sid(struct smmu_backend_unit *unit, uint16_t sid)
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

/**
 * vtd_device_bind() - binds a PCI function to the unit, blocked (its context entry is not
 * present).  The unit controls it when a `use` line names the unit (use_param != NULL) or,
 * without one, when the unit is include-all.
 * Return: 0, *ret_device (owned by the unit until vtd_device_unbind()) and *ret_fault_key
 * (the source-id); -ENOENT for a memory-mapped device, a wildcard, or a PCI device of a unit
 * that is not include-all and not named by a `use` line; -EINVAL for an impossible BDF or a
 * non-empty use parameter (logged); -EBUSY when bound already; -EIO in the error state;
 * -ENOMEM.
 */
int vtd_device_bind(struct smmu_backend_unit *unit, const union smmu_devid *devid,
		    const char *use_param, struct smmu_backend_device **ret_device,
		    uint64_t *ret_fault_key)
{
	struct smmu_backend_device *device;
	uint16_t sid;
	int r;

	if (devid->type != SDT_PCI || devid->pci.bus == SMMU_PCI_FIELD_ANY ||
	    devid->pci.dev == SMMU_PCI_FIELD_ANY || devid->pci.func == SMMU_PCI_FIELD_ANY) {
		return -ENOENT;
	}
	if (devid->pci.bus > VTD_PCI_BUS_MAX || devid->pci.dev > VTD_PCI_DEV_MAX ||
	    devid->pci.func > VTD_PCI_FUNC_MAX) {
		return -EINVAL;
	}
	if (!use_param && !unit->params.include_all) {
		return -ENOENT;
	}
	if (use_param && use_param[0] != '\0') {
		char quoted[SMMU_QUOTE_SIZE];

		smmu_quote(use_param, strlen(use_param), quoted, sizeof(quoted));
		vtd_log(LOG_ERR, "unit %s: VT-d takes no use parameter, got '%s'", unit->name,
			quoted);
		return -EINVAL;
	}
	r = vtd_unit_check(unit);
	if (r < 0) {
		return r;
	}
	sid = vtd_source_id(devid->pci.bus, devid->pci.dev, devid->pci.func);
	/* Two bindings would share a context entry and a fault key. */
	if (device_by_sid(unit, sid)) {
		return -EBUSY;
	}
	device = smmu_calloc(1, sizeof(*device));
	if (!device) {
		return -ENOMEM;
	}
	r = context_table_prepare(unit, sid >> 8);
	if (r < 0) {
		smmu_free(device);
		return r;
	}
	device->unit = unit;
	device->sid = sid;
	smmu_list_add(&unit->devices, &device->link);
	assert_device_state(device);
	*ret_device = device;
	*ret_fault_key = sid;
	return 0;
}

/**
 * vtd_device_unbind() - blocks the device and frees it.  Its context table stays for the
 * unit's life.  Accepts NULL.
 */
void vtd_device_unbind(struct smmu_backend_device *device)
{
	if (!device) {
		return;
	}
	/* A failure leaves the unit in its error state, logged; the entry is cleared anyway. */
	(void)vtd_device_attach(device, NULL);
	smmu_list_del(&device->link);
	smmu_free(device);
}

/* Present -> not present, invalidated: the device is blocked when this returns, whatever the
 * return value (on -EIO the unit is in its error state and caches may be stale). */
static int block(struct smmu_backend_device *device)
{
	struct smmu_backend_unit *unit = device->unit;
	struct smmu_backend_domain *old = device->domain;
	uint64_t *slot = vtd_context_slot(unit, device->sid);
	int r = 0;

	store_word(slot, 0, 0);
	sync_entry(slot);
	if (vtd_unit_live(unit)) {
		struct vtd_inv_batch batch;

		vtd_inv_batch_init(&batch);
		vtd_inv_add_context(&batch, VTD_CC_DEVICE, old->did, device->sid);
		vtd_inv_add_iotlb(unit, &batch, VTD_IOTLB_DOMAIN, old->did, 0, 0);
		r = vtd_inv_run(unit, &batch);
	}
	store_word(slot, 1, 0);
	sync_entry(slot);
	old->attached_count--;
	device->domain = NULL;
	return r;
}

/* Not present -> present in `domain`.  Caching mode may have cached the not-present entry
 * under domain id 0 (6.1), so it is invalidated; otherwise a write-buffer flush suffices. */
static int publish(struct smmu_backend_device *device, struct smmu_backend_domain *domain)
{
	struct smmu_backend_unit *unit = device->unit;
	uint64_t *slot = vtd_context_slot(unit, device->sid);
	uint64_t entry[2];
	int r = 0;

	vtd_context_encode(domain->did, domain->root_pa, unit->caps.context_aw, entry);
	store_word(slot, 1, entry[1]);
	sync_entry(slot);
	store_word(slot, 0, entry[0]);
	sync_entry(slot);
	if (vtd_unit_live(unit)) {
		if (unit->caps.caching_mode) {
			struct vtd_inv_batch batch;

			vtd_inv_batch_init(&batch);
			vtd_inv_add_context(&batch, VTD_CC_DEVICE, 0, device->sid);
			vtd_inv_add_iotlb(unit, &batch, VTD_IOTLB_DOMAIN, 0, 0, 0);
			r = vtd_inv_run(unit, &batch);
		} else {
			r = vtd_write_buffer_flush(unit);
		}
	}
	if (r < 0) {
		/* The unit is in its error state: leave the device blocked, not half-attached. */
		store_word(slot, 0, 0);
		sync_entry(slot);
		return r;
	}
	domain->attached_count++;
	device->domain = domain;
	return 0;
}

/**
 * vtd_device_attach() - switches the device to `domain`, or blocks it (NULL).  A device that
 * moves between domains passes through "blocked" (vtd.h, "Attach").
 * Return: 0; -EINVAL when the domain belongs to another unit (nothing changes); -EIO when
 * the unit is or goes into its error state (the device is then blocked, or was left as it
 * was when the unit was already broken).
 */
int vtd_device_attach(struct smmu_backend_device *device, struct smmu_backend_domain *domain)
{
	int r;

	assert_device_state(device);
	if (domain && domain->unit != device->unit) {
		return -EINVAL;
	}
	if (domain == device->domain) {
		return 0;
	}
	/* Blocking is always allowed: it only narrows what the device reaches. */
	if (domain) {
		r = vtd_unit_check(device->unit);
		if (r < 0) {
			return r;
		}
	}
	r = device->domain ? block(device) : 0;
	if (r == 0 && domain) {
		r = publish(device, domain);
	}
	assert_device_state(device);
	return r;
}
