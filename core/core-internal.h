/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to core/: the structures behind struct core and the helpers its
 * files share.
 *
 *   core.c          creation from the configuration, units, devices
 *   core-object.c   objects, device membership, mappings
 *   core-client.c   clients, fault queues and notification
 *   core-batch.c    a request's mappings to the backend in batches
 *
 * Ownership: struct core owns every unit, device, object and client, in
 * arrays of pointers (pointers stay valid when the arrays grow).
 */
#ifndef SMMU_CORE_CORE_INTERNAL_H
#define SMMU_CORE_CORE_INTERNAL_H

#include "core/core.h"
#include "core/mapping-set.h"

/* Faults kept for status reports. */
#define CORE_RECENT_FAULTS 16u

struct core_unit {
	char *name;
	struct smmu_backend_unit *bunit;
};

/*
 * A device's state: in the startup state (object NULL) it is attached to
 * its startup domain, or blocked when it has neither startup mappings nor
 * reserved regions; in an object it is attached to the object's domain for
 * its unit.
 */
struct core_device {
	union smmu_devid devid;
	struct core_unit *unit;
	struct smmu_backend_device *bdev;
	uint64_t fault_key;
	struct core_object *object;
	struct core_client *owner;	  /* NULL in the startup state */
	struct core_mapping_set startup;  /* allow ranges and reserved regions */
	struct core_mapping_set reserved; /* reserved regions alone */
	struct smmu_backend_domain *startup_domain;
};

/* A reserved region mapped in a domain, counted per device that needs it. */
struct core_reserved_use {
	struct smmu_backend_range mapping;
	size_t users;
};

struct core_domain {
	struct core_unit *unit;
	struct smmu_backend_domain *bdomain;
	size_t device_count;
	struct core_reserved_use *reserved;
	size_t reserved_count;
};

struct core_object {
	uint32_t id;
	struct core_client *owner;
	unsigned flags;			  /* enum smmu_obj_create_flags */
	struct core_mapping_set mappings; /* the client's mappings */
	struct core_domain **domains;	  /* one per unit with a device here */
	size_t domain_count;
	size_t device_count;
};

struct core_client {
	uint32_t id;
	pid_t pid;
	uid_t uid;
	unsigned abilities;
	bool listener; /* has called smmu_xfer_notify(): receives faults */
	struct smmu_status queue[CORE_FAULT_QUEUE_LENGTH];
	unsigned queue_head;
	unsigned queue_count;
};

struct core {
	const struct smmu_backend *backend;
	struct smmu_backend_host host;
	char *platform; /* host.platform */
	struct core_hooks hooks;
	bool backend_ready;

	struct core_unit **units;
	size_t unit_count;
	struct core_device **devices;
	size_t device_count;
	struct core_object **objects;
	size_t object_count;
	struct core_client **clients;
	size_t client_count;

	uint32_t next_object_id;
	uint32_t next_client_id;

	/* Every fault the units reported, newest at (fault_total - 1). */
	struct smmu_status recent_faults[CORE_RECENT_FAULTS];
	uint64_t fault_total;

	/* Scratch of one mapping request: the mappings it names, and those it added or
	 * removed.  Kept between requests (at most the largest request's worth), so that a
	 * driver's batches reuse warm memory instead of allocating three arrays each. */
	struct core_mapping_set request_wanted;
	struct core_mapping_set request_changed;
};

/* Appends a pointer to an array of pointers; 0 or -ENOMEM. */
int core_ptr_push(void ***items, size_t *count, void *item);
/* Removes the pointer at `index`, keeping the order. */
void core_ptr_remove(void **items, size_t *count, size_t index);

#define core_log(core, priority, ...) \
	((core)->hooks.log ? (core)->hooks.log((core)->hooks.ctx, priority, __VA_ARGS__) : (void)0)

/* Whether `devid` (possibly with SMMU_PCI_FIELD_ANY) names `device`. */
bool core_devid_matches(const union smmu_devid *pattern, const union smmu_devid *device);

/* Finds the device or binds it on demand to the first unit that controls
 * it.  Returns 0 and *ret_device, -ENOENT, -ENOMEM. */
int core_device_get(struct core *core, const union smmu_devid *devid,
		    struct core_device **ret_device);
/* Puts a device back in its startup state (attached to its startup domain,
 * or blocked). */
int core_device_to_startup(struct core *core, struct core_device *device);

/* Removes a device from its object: back to the startup state first, then
 * the object's domain lets go of it. */
int core_object_remove_device(struct core *core, struct core_device *device);
/* Destroys an object with everything in it. */
void core_object_free(struct core *core, struct core_object *object);

/* The host fault callback's work: queue a record for every listener. */
void core_fault_deliver(struct core *core, const struct smmu_status *status);

/* core-batch.c: maps or removes maps[0..count) in one domain, in batches
 * when the backend offers them.  0, or the first error with *ret_done done
 * before it (they stay) and the rest untouched. */
int core_backend_map(const struct smmu_backend *be, struct smmu_backend_domain *domain,
		     const struct smmu_backend_range *maps, size_t count, size_t *ret_done);
int core_backend_unmap(const struct smmu_backend *be, struct smmu_backend_domain *domain,
		       const struct smmu_backend_range *maps, size_t count, size_t *ret_done);

#endif
