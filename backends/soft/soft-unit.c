/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Soft IOMMU units: creation from `unit NAME PARAMS`, enabling, the devices bound to a unit
 * and the domains they attach to, and the unit's fault queue (record, drain, eventfd).
 * Page tables and translation are in soft-domain.c.
 */
#include "backends/soft/soft.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/eventfd.h>
#include <syslog.h>
#include <unistd.h>

#include "common/alloc.h"

#define SOFT_UNIT_SEPARATORS ", \t\n"

/* Debug builds check the invariants of soft.h's state machines at each transition. */
static void assert_device_state(const struct smmu_backend_device *device)
{
	(void)device;
	assert(device->unit);
	assert(!device->domain ||
	       (device->domain->unit == device->unit && device->domain->attached_count > 0));
}

static void assert_unit_state(const struct smmu_backend_unit *unit)
{
	(void)unit;
	assert(unit->state == SOFT_UNIT_OFF || unit->state == SOFT_UNIT_ON);
	assert(unit->queue_count <= SOFT_FAULT_QUEUE_LENGTH);
	assert(unit->queue_head < SOFT_FAULT_QUEUE_LENGTH);
	assert(unit->fault_fd >= 0);
}

static bool key_listed(const struct smmu_backend_unit *unit, uint64_t key)
{
	for (size_t i = 0; i < unit->listed_count; i++) {
		if (unit->listed_keys[i] == key) {
			return true;
		}
	}
	return false;
}

/* The devices of a `unit` line, into unit->listed_keys.  Logs and fails on the first bad one. */
static int parse_device_list(struct smmu_backend_unit *unit, const char *params)
{
	if (!params || strcmp(params, "none") == 0) {
		return 0;
	}
	for (const char *p = params; *p;) {
		char quoted[SMMU_QUOTE_SIZE];
		const char *why = NULL;
		size_t len;
		uint64_t key;
		int r;

		p += strspn(p, SOFT_UNIT_SEPARATORS);
		len = strcspn(p, SOFT_UNIT_SEPARATORS);
		if (len == 0) {
			continue;
		}
		smmu_quote(p, len, quoted, sizeof(quoted));
		r = soft_devspec_parse(p, len, &key, &why);
		if (r < 0) {
			soft_log(LOG_ERR, "unit %s: device '%s': %s", unit->name, quoted, why);
			return r;
		}
		if (key_listed(unit, key)) {
			soft_log(LOG_ERR, "unit %s: device '%s' is listed twice", unit->name,
				 quoted);
			return -EINVAL;
		}
		if (unit->listed_count == SOFT_UNIT_MAX_LISTED) {
			soft_log(LOG_ERR, "unit %s: more than %u devices listed", unit->name,
				 SOFT_UNIT_MAX_LISTED);
			return -E2BIG;
		}
		uint64_t *grown = smmu_reallocarray(unit->listed_keys, unit->listed_count + 1,
						    sizeof(*grown));

		if (!grown) {
			return -ENOMEM;
		}
		unit->listed_keys = grown;
		grown[unit->listed_count++] = key;
		p += len;
	}
	return 0;
}

/**
 * soft_unit_create() - a unit named `name` controlling the devices `params` lists (soft.h),
 * with translation off, its own table memory and fault eventfd.
 * Return: 0 and *ret_unit (the caller owns it, freed by soft_unit_destroy()); -EINVAL or
 * -EOPNOTSUPP for a bad list, after a log line; -ENOMEM; -errno of eventfd() or mmap().
 */
int soft_unit_create(const char *name, const char *params, struct smmu_backend_unit **ret_unit)
{
	struct smmu_backend_unit *unit;
	int r;

	if (NEVER(!soft_host())) {
		return -EINVAL; /* the core calls init() first */
	}
	unit = smmu_calloc(1, sizeof(*unit));
	if (!unit) {
		return -ENOMEM;
	}
	unit->fault_fd = -1;
	unit->state = SOFT_UNIT_OFF;
	unit->pt_cfg = *soft_pt_cfg();
	smmu_list_init(&unit->devices);
	smmu_list_init(&unit->domains);
	unit->name = smmu_strdup(name);
	if (!unit->name) {
		r = -ENOMEM;
		goto err_free_unit;
	}
	r = parse_device_list(unit, params);
	if (r < 0) {
		goto err_free_unit;
	}
	unit->fault_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (unit->fault_fd < 0) {
		r = -errno;
		goto err_free_unit;
	}
	r = pt_host_mem_create(SOFT_TABLE_POOL_SIZE, &unit->table_mem);
	if (r < 0) {
		goto err_close_fd;
	}
	pt_host_mem_allocator(unit->table_mem, &unit->table_alloc);
	soft_unit_created();
	assert_unit_state(unit);
	*ret_unit = unit;
	return 0;

err_close_fd:
	close(unit->fault_fd);
err_free_unit:
	smmu_free(unit->listed_keys);
	smmu_free(unit->name);
	smmu_free(unit);
	return r;
}

/**
 * soft_unit_destroy() - frees the unit and everything it owns.  The core unbinds its devices
 * and destroys its domains first; any left are freed here all the same.  Accepts NULL.
 */
void soft_unit_destroy(struct smmu_backend_unit *unit)
{
	if (!unit) {
		return;
	}
	/* Devices first: they hold attach counts on the domains. */
	while (NEVER(!smmu_list_empty(&unit->devices))) {
		soft_device_unbind(
			SMMU_CONTAINER_OF(unit->devices.next, struct smmu_backend_device, link));
	}
	while (NEVER(!smmu_list_empty(&unit->domains))) {
		soft_domain_destroy(
			SMMU_CONTAINER_OF(unit->domains.next, struct smmu_backend_domain, link));
	}
	pt_host_mem_destroy(unit->table_mem);
	close(unit->fault_fd);
	smmu_free(unit->listed_keys);
	smmu_free(unit->name);
	smmu_free(unit);
	soft_unit_destroyed();
}

/**
 * soft_unit_enable() - turns translation on: from now on accesses go through the devices'
 * domains instead of being refused.  Enabling an enabled unit changes nothing.
 * Return: 0.
 */
int soft_unit_enable(struct smmu_backend_unit *unit)
{
	assert_unit_state(unit);
	unit->state = SOFT_UNIT_ON;
	soft_log(LOG_DEBUG, "unit %s: translation on", unit->name);
	return 0;
}

static struct smmu_backend_device *device_by_key(struct smmu_backend_unit *unit, uint64_t key)
{
	for (struct smmu_list_link *l = unit->devices.next; l != &unit->devices; l = l->next) {
		struct smmu_backend_device *device =
			SMMU_CONTAINER_OF(l, struct smmu_backend_device, link);

		if (device->key == key) {
			return device;
		}
	}
	return NULL;
}

/**
 * soft_device_bind() - binds a device to the unit, blocked.  The unit controls a device its
 * `unit` line lists, or any device when a `use` line names the unit (use_param != NULL).
 * Return: 0, *ret_device (owned by the unit until soft_device_unbind()) and *ret_fault_key;
 * -ENOENT when the unit does not control the device, or the devid is a wildcard; -EINVAL for
 * a malformed devid or a non-empty use PARAM (logged); -EBUSY when the device is bound to
 * this unit already; -ENOMEM.
 */
int soft_device_bind(struct smmu_backend_unit *unit, const union smmu_devid *devid,
		     const char *use_param, struct smmu_backend_device **ret_device,
		     uint64_t *ret_fault_key)
{
	struct smmu_backend_device *device;
	uint64_t key;
	int r = soft_devid_key(devid, &key);

	if (r < 0) {
		return r;
	}
	if (!use_param && !key_listed(unit, key)) {
		return -ENOENT;
	}
	if (use_param && use_param[0] != '\0') {
		char quoted[SMMU_QUOTE_SIZE];

		smmu_quote(use_param, strlen(use_param), quoted, sizeof(quoted));
		soft_log(LOG_ERR, "unit %s: the soft IOMMU takes no use parameter, got '%s'",
			 unit->name, quoted);
		return -EINVAL;
	}
	/* Two bindings would share a key, and a fault could not say which device it was. */
	if (device_by_key(unit, key)) {
		return -EBUSY;
	}
	device = smmu_calloc(1, sizeof(*device));
	if (!device) {
		return -ENOMEM;
	}
	device->unit = unit;
	device->key = key;
	smmu_list_add(&unit->devices, &device->link);
	assert_device_state(device);
	*ret_device = device;
	*ret_fault_key = key;
	return 0;
}

/** soft_device_unbind() - blocks and frees the device.  Accepts NULL. */
void soft_device_unbind(struct smmu_backend_device *device)
{
	if (!device) {
		return;
	}
	if (device->domain) {
		device->domain->attached_count--;
	}
	smmu_list_del(&device->link);
	smmu_free(device);
}

/**
 * soft_device_attach() - switches the device to `domain` in one step, or blocks it (NULL).
 * Return: 0; -EINVAL when the domain belongs to another unit (nothing changes).
 */
int soft_device_attach(struct smmu_backend_device *device, struct smmu_backend_domain *domain)
{
	assert_device_state(device);
	if (domain && domain->unit != device->unit) {
		return -EINVAL;
	}
	if (domain) {
		domain->attached_count++;
	}
	if (device->domain) {
		device->domain->attached_count--;
	}
	device->domain = domain;
	assert_device_state(device);
	return 0;
}

/* Makes the eventfd readable; it stays so until fault_drain() empties the queue. */
static void raise_fault_fd(struct smmu_backend_unit *unit)
{
	uint64_t one = 1;

	/* Written only when the queue becomes non-empty, so the counter cannot saturate. */
	if (NEVER(write(unit->fault_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))) {
		soft_log(LOG_DEBUG, "unit %s: cannot signal a fault: %s", unit->name,
			 strerror(errno));
	}
}

static void clear_fault_fd(struct smmu_backend_unit *unit)
{
	uint64_t count;

	/* EAGAIN: nothing to clear, which is what we want. */
	(void)!read(unit->fault_fd, &count, sizeof(count));
}

/**
 * soft_fault_record() - appends one fault to the unit's queue, as the hardware writes a fault
 * record, and makes the fault eventfd readable.  A full queue drops the new record and counts
 * it (soft.h, SOFT_FAULT_QUEUE_LENGTH).
 */
void soft_fault_record(struct smmu_backend_unit *unit, const struct smmu_backend_fault *fault)
{
	assert_unit_state(unit);
	if (unit->queue_count == SOFT_FAULT_QUEUE_LENGTH) {
		unit->lost_count++;
		return;
	}
	unit->queue[(unit->queue_head + unit->queue_count) % SOFT_FAULT_QUEUE_LENGTH] = *fault;
	if (unit->queue_count++ == 0) {
		raise_fault_fd(unit);
	}
}

/**
 * soft_fault_drain() - hands up to `budget` pending faults, oldest first, to host->fault(),
 * and reports records dropped since the last drain in one log line.  The eventfd is cleared
 * when the queue is empty afterwards and stays readable otherwise.
 * Return: the number of records handed.
 */
int soft_fault_drain(struct smmu_backend_unit *unit, unsigned budget)
{
	const struct smmu_backend_host *host = soft_host();
	unsigned handed = 0;

	assert_unit_state(unit);
	if (NEVER(!host)) {
		return -EINVAL;
	}
	if (unit->lost_count) {
		soft_log(LOG_WARNING,
			 "unit %s: %llu fault records lost: the queue of %u was full; continuing",
			 unit->name, (unsigned long long)unit->lost_count, SOFT_FAULT_QUEUE_LENGTH);
		unit->lost_count = 0;
	}
	while (handed < budget && unit->queue_count) {
		/* A copy: host->fault() may make the unit record more faults. */
		struct smmu_backend_fault fault = unit->queue[unit->queue_head];

		unit->queue_head = (unit->queue_head + 1) % SOFT_FAULT_QUEUE_LENGTH;
		unit->queue_count--;
		host->fault(host->ctx, unit, &fault);
		handed++;
	}
	if (unit->queue_count == 0) {
		clear_fault_fd(unit);
	}
	return (int)handed;
}

/** soft_fault_fd() - the unit's eventfd, readable while faults are pending.  The unit owns it. */
int soft_fault_fd(struct smmu_backend_unit *unit)
{
	return unit->fault_fd;
}
