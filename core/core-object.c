/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Objects: their devices, their domains (one per unit that has a device in
 * the object, created when the first such device joins and destroyed when
 * the last leaves) and their mappings.
 *
 * Invariant: every domain of an object holds exactly the object's mappings
 * plus the reserved regions of its devices (unless SOCF_RESERVED_MANUAL).
 * A new domain is filled from the object's mapping set before any device
 * is attached to it, which is why adding a device never returns +1.
 */
#include "core/core-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "common/alloc.h"

static struct core_object *object_of(struct core *core, struct core_client *client, uint32_t id)
{
	for (size_t i = 0; i < core->object_count; i++) {
		if (core->objects[i]->id == id) {
			/* Another client's object is as good as none. */
			return core->objects[i]->owner == client ? core->objects[i] : NULL;
		}
	}
	return NULL;
}

int core_object_create(struct core *core, struct core_client *client, unsigned flags,
		       uint32_t *ret_id)
{
	struct core_object *object;

	if (flags & ~(unsigned)SOCF_RESERVED_MANUAL) {
		return -EINVAL;
	}
	if (core->next_object_id == 0) {
		return -ENOSPC; /* 2^32 - 1 objects in one run: ids are never reused */
	}
	object = smmu_calloc(1, sizeof(*object));
	if (!object) {
		return -ENOMEM;
	}
	object->owner = client;
	object->flags = flags;
	if (core_ptr_push((void ***)&core->objects, &core->object_count, object) < 0) {
		smmu_free(object);
		return -ENOMEM;
	}
	object->id = core->next_object_id++;
	*ret_id = object->id;
	return 0;
}

static void domain_free(struct core *core, struct core_domain *domain)
{
	core->backend->domain_destroy(domain->bdomain);
	smmu_free(domain->reserved);
	smmu_free(domain);
}

static struct core_domain *find_domain(struct core_object *object, struct core_unit *unit,
				       size_t *ret_index)
{
	for (size_t i = 0; i < object->domain_count; i++) {
		if (object->domains[i]->unit == unit) {
			if (ret_index) {
				*ret_index = i;
			}
			return object->domains[i];
		}
	}
	return NULL;
}

/* A new domain for `unit`, filled with the object's mappings. */
static int create_domain(struct core *core, struct core_object *object, struct core_unit *unit,
			 struct core_domain **ret_domain)
{
	const struct smmu_backend *be = core->backend;
	struct core_domain *domain = smmu_calloc(1, sizeof(*domain));
	int r;

	if (!domain) {
		return -ENOMEM;
	}
	domain->unit = unit;
	r = be->domain_create(unit->bunit, &domain->bdomain);
	if (r < 0) {
		smmu_free(domain);
		return r;
	}
	for (size_t i = 0; r == 0 && i < object->mappings.count; i++) {
		const struct smmu_backend_range *m = &object->mappings.items[i];

		r = be->map(domain->bdomain, m->iova, m->pa, m->size, m->prot);
	}
	if (r == 0) {
		r = core_ptr_push((void ***)&object->domains, &object->domain_count, domain);
	}
	if (r < 0) {
		domain_free(core, domain);
		return r;
	}
	*ret_domain = domain;
	return 0;
}

static void drop_domain_if_empty(struct core *core, struct core_object *object,
				 struct core_domain *domain)
{
	size_t index;

	if (domain->device_count || !find_domain(object, domain->unit, &index)) {
		return;
	}
	core_ptr_remove((void **)object->domains, &object->domain_count, index);
	domain_free(core, domain);
}

static struct core_reserved_use *find_reserved(struct core_domain *domain,
					       const struct smmu_backend_range *m)
{
	for (size_t i = 0; i < domain->reserved_count; i++) {
		const struct smmu_backend_range *r = &domain->reserved[i].mapping;

		if (r->iova == m->iova && r->size == m->size) {
			return &domain->reserved[i];
		}
	}
	return NULL;
}

/* Drops one user of each of the device's first `count` reserved regions. */
static void put_reserved(struct core *core, struct core_domain *domain,
			 const struct core_device *device, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct core_reserved_use *use = find_reserved(domain, &device->reserved.items[i]);

		if (!use || --use->users) {
			continue;
		}
		if (core->backend->unmap(domain->bdomain, use->mapping.iova, use->mapping.size) <
		    0) {
			core_log(core, LOG_WARNING, "cannot unmap a reserved region at 0x%llx",
				 (unsigned long long)use->mapping.iova);
		}
		*use = domain->reserved[--domain->reserved_count];
	}
}

/* Maps the device's reserved regions in the domain, shared with the other
 * devices that need the same region. */
static int get_reserved(struct core *core, struct core_domain *domain,
			const struct core_device *device)
{
	size_t i;
	int r = 0;

	for (i = 0; i < device->reserved.count; i++) {
		const struct smmu_backend_range *m = &device->reserved.items[i];
		struct core_reserved_use *use = find_reserved(domain, m);
		struct core_reserved_use *grown;

		if (use) {
			use->users++;
			continue;
		}
		grown = smmu_reallocarray(domain->reserved, domain->reserved_count + 1,
					  sizeof(*grown));
		if (!grown) {
			r = -ENOMEM;
			break;
		}
		domain->reserved = grown;
		r = core->backend->map(domain->bdomain, m->iova, m->pa, m->size, m->prot);
		if (r < 0) {
			break;
		}
		grown[domain->reserved_count++] = (struct core_reserved_use){*m, 1};
	}
	if (r < 0) {
		/* Regions [0, i) were taken by this call. */
		put_reserved(core, domain, device, i);
	}
	return r;
}

int core_object_remove_device(struct core *core, struct core_device *device)
{
	struct core_object *object = device->object;
	struct core_domain *domain = find_domain(object, device->unit, NULL);
	int r = core_device_to_startup(core, device);

	if (r < 0) {
		core_log(core, LOG_WARNING, "cannot move a device back to its startup state: %s",
			 strerror(-r));
		return r;
	}
	if (ALWAYS(domain)) {
		if (!(object->flags & SOCF_RESERVED_MANUAL)) {
			put_reserved(core, domain, device, device->reserved.count);
		}
		domain->device_count--;
		drop_domain_if_empty(core, object, domain);
	}
	object->device_count--;
	device->object = NULL;
	device->owner = NULL;
	return 0;
}

/* Puts the device in the object: its domain for the device's unit (made if
 * need be), reserved regions, attach; then leaves the previous object. */
static int join_object(struct core *core, struct core_object *object, struct core_device *device)
{
	struct core_object *previous = device->object;
	struct core_domain *domain;
	bool manual = object->flags & SOCF_RESERVED_MANUAL;
	int r;

	if (previous == object) {
		return 0;
	}
	domain = find_domain(object, device->unit, NULL);
	if (!domain) {
		r = create_domain(core, object, device->unit, &domain);
		if (r < 0) {
			return r;
		}
	}
	r = manual ? 0 : get_reserved(core, domain, device);
	if (r == 0) {
		r = core->backend->device_attach(device->bdev, domain->bdomain);
		if (r < 0 && !manual) {
			put_reserved(core, domain, device, device->reserved.count);
		}
	}
	if (r < 0) {
		drop_domain_if_empty(core, object, domain);
		return r;
	}
	domain->device_count++;
	object->device_count++;
	if (previous) {
		struct core_domain *old = find_domain(previous, device->unit, NULL);

		if (ALWAYS(old)) {
			if (!(previous->flags & SOCF_RESERVED_MANUAL)) {
				put_reserved(core, old, device, device->reserved.count);
			}
			old->device_count--;
			drop_domain_if_empty(core, previous, old);
		}
		previous->device_count--;
	}
	device->object = object;
	device->owner = object->owner;
	return 0;
}

void core_object_free(struct core *core, struct core_object *object)
{
	for (size_t i = 0; i < core->device_count && object->device_count; i++) {
		if (core->devices[i]->object == object) {
			core_object_remove_device(core, core->devices[i]);
		}
	}
	/* A device that could not be moved out keeps its domain: block it so
	 * that nothing it reaches outlives the object. */
	for (size_t i = 0; i < core->device_count && object->device_count; i++) {
		struct core_device *device = core->devices[i];

		if (device->object == object) {
			core->backend->device_attach(device->bdev, NULL);
			device->object = NULL;
			device->owner = NULL;
			object->device_count--;
		}
	}
	for (size_t i = 0; i < object->domain_count; i++) {
		domain_free(core, object->domains[i]);
	}
	for (size_t i = 0; i < core->object_count; i++) {
		if (core->objects[i] == object) {
			core_ptr_remove((void **)core->objects, &core->object_count, i);
			break;
		}
	}
	core_mapping_set_fini(&object->mappings);
	smmu_free(object->domains);
	smmu_free(object);
}

int core_object_destroy(struct core *core, struct core_client *client, uint32_t id)
{
	struct core_object *object = object_of(core, client, id);

	if (!object) {
		return -ENOENT;
	}
	core_object_free(core, object);
	return 0;
}

static int remove_devices(struct core *core, struct core_client *client,
			  const union smmu_devid *devid)
{
	bool found = false;
	int result = 0;

	for (size_t i = 0; i < core->device_count; i++) {
		struct core_device *device = core->devices[i];

		if (device->owner != client || !core_devid_matches(devid, &device->devid)) {
			continue;
		}
		found = true;
		int r = core_object_remove_device(core, device);

		result = result < 0 ? result : r;
	}
	return found ? result : -ENOENT;
}

int core_device_add(struct core *core, struct core_client *client, uint32_t object_id,
		    const union smmu_devid *devid)
{
	struct core_object *object;
	struct core_device *device;
	bool found = false;
	int r;

	if (devid->type != SDT_PCI && devid->type != SDT_MMIO) {
		return -EINVAL;
	}
	if (object_id == 0) {
		return remove_devices(core, client, devid);
	}
	object = object_of(core, client, object_id);
	if (!object) {
		return -ENOENT;
	}
	/* An exact id may name a device no one has named yet: bind it now. */
	r = core_device_get(core, devid, &device);
	if (r < 0) {
		return r;
	}
	/* All or nothing: first make sure no match belongs to someone else. */
	for (size_t i = 0; i < core->device_count; i++) {
		device = core->devices[i];
		if (core_devid_matches(devid, &device->devid) && device->owner &&
		    device->owner != client) {
			return -EBUSY;
		}
	}
	for (size_t i = 0; i < core->device_count; i++) {
		device = core->devices[i];
		if (!core_devid_matches(devid, &device->devid)) {
			continue;
		}
		found = true;
		r = join_object(core, object, device);
		if (r < 0) {
			return r;
		}
	}
	return found ? 0 : -ENOENT;
}

static unsigned prot_of_flags(unsigned flags)
{
	return (flags & SMF_READ ? SMMU_PROT_READ : 0u) |
	       (flags & SMF_WRITE ? SMMU_PROT_WRITE : 0u) |
	       (flags & SMF_EXEC ? SMMU_PROT_EXEC : 0u);
}

/*
 * The mapping entry k asks for, page-rounded: identity, or with SMF_TARGET
 * at target + `offset` (the sizes of the entries before it).
 */
static inline int entry_mapping(const struct smmu_map_entry *entry, unsigned flags, uint64_t target,
				uint64_t offset, struct smmu_backend_range *ret)
{
	uint64_t last, pa = entry->phys, pa_last;

	if (entry->len == 0) {
		return -EINVAL;
	}
	if (__builtin_add_overflow(entry->phys, entry->len - 1, &last)) {
		return -EOVERFLOW;
	}
	if (flags & SMF_TARGET) {
		if (__builtin_add_overflow(target, offset, &pa) ||
		    __builtin_add_overflow(pa, entry->len - 1, &pa_last)) {
			return -EOVERFLOW;
		}
		/* Rounding must move both ends by the same amount. */
		if ((pa ^ entry->phys) & (CORE_PAGE_SIZE - 1)) {
			return -EINVAL;
		}
	}
	ret->iova = entry->phys & ~(uint64_t)(CORE_PAGE_SIZE - 1);
	ret->pa = pa & ~(uint64_t)(CORE_PAGE_SIZE - 1);
	ret->size = (last | (CORE_PAGE_SIZE - 1)) - ret->iova + 1;
	if (ret->size == 0) {
		return -EOVERFLOW;
	}
	ret->prot = prot_of_flags(flags);
	ret->reserved = 0;
	return 0;
}

static int compare_iova_ascending(const void *a, const void *b)
{
	const struct smmu_backend_range *x = a, *y = b;

	return (x->iova > y->iova) - (x->iova < y->iova);
}

/*
 * Takes the removed pieces out of every domain of the object, one batch per
 * domain.  Pieces a domain could not remove go back into the set, which
 * must not claim less than the hardware allows.
 */
static int unmap_removed(struct core *core, struct core_object *object,
			 const struct core_mapping_set *removed)
{
	size_t still_mapped_from = removed->count;
	int result = 0;

	for (size_t d = 0; d < object->domain_count; d++) {
		size_t done = 0;
		int r = core_backend_unmap(core->backend, object->domains[d]->bdomain,
					   removed->items, removed->count, &done);

		if (r < 0) {
			result = result < 0 ? result : r;
			still_mapped_from = done < still_mapped_from ? done : still_mapped_from;
		}
	}
	for (size_t i = still_mapped_from; i < removed->count; i++) {
		/* If even that fails the domains still hold it until the object goes. */
		if (core_mapping_set_add(&object->mappings, &removed->items[i]) < 0) {
			core_log(core, LOG_WARNING,
				 "object %u: a mapping at 0x%llx stays in the tables but left the "
				 "object's records",
				 object->id, (unsigned long long)removed->items[i].iova);
		}
	}
	return result;
}

static int remove_mappings(struct core *core, struct core_object *object, unsigned flags,
			   const struct smmu_map_entry *entries, size_t count, uint64_t target)
{
	struct core_mapping_set *wanted = &core->request_wanted;
	struct core_mapping_set *removed = &core->request_changed;
	uint64_t offset = 0;
	int result;

	core_mapping_set_clear(wanted);
	core_mapping_set_clear(removed);
	result = core_mapping_set_reserve(wanted, count);

	bool sorted = true;

	for (size_t k = 0; result == 0 && k < count; k++) {
		struct smmu_backend_range *m = &wanted->items[wanted->count];

		result = entry_mapping(&entries[k], flags, target, offset, m);
		if (result == 0) {
			sorted = sorted && (wanted->count == 0 || m[-1].iova <= m->iova);
			wanted->count++;
		}
		offset += entries[k].len;
	}
	/*
	 * Removal is a set difference, so the order is free: going from the
	 * highest address down means each removal shifts only what lies
	 * above it and was not removed, not the rest of the batch (a buffer
	 * unmapped page by page would otherwise cost O(n^2) moves).  Usually
	 * each removes the set's last mapping whole, which costs nothing.
	 * Clients usually list a buffer's pages in order: no need to sort then.
	 */
	if (!sorted) {
		qsort(wanted->items, wanted->count, sizeof(wanted->items[0]),
		      compare_iova_ascending);
	}
	if (result == 0) {
		result = core_mapping_set_reserve(removed, wanted->count);
	}
	for (size_t k = wanted->count; result == 0 && k-- > 0;) {
		int r = core_mapping_set_remove(&object->mappings, wanted->items[k].iova,
						wanted->items[k].size, removed);

		if (r < 0) {
			result = r; /* what was removed so far still leaves the tables */
		}
	}
	if (removed->count > 0) {
		int r = unmap_removed(core, object, removed);

		result = result < 0 ? result : r;
	}
	return result;
}

/*
 * Takes back what this request added, which domains [0, full) hold whole
 * and domain `full` holds the first `partial` of: out of the domains, out
 * of the set.  Removing exactly what was just mapped splits nothing, so it
 * cannot fail and a rollback always completes.
 */
static void take_back(struct core *core, struct core_object *object,
		      const struct core_mapping_set *added, size_t full, size_t partial)
{
	size_t done;

	for (size_t d = 0; d <= full && d < object->domain_count; d++) {
		core_backend_unmap(core->backend, object->domains[d]->bdomain, added->items,
				   d < full ? added->count : partial, &done);
	}
	for (size_t i = added->count; i-- > 0;) {
		core_mapping_set_delete(&object->mappings, added->items[i].iova);
	}
}

/* All or nothing: an entry that fails takes back the ones before it. */
static int add_mappings(struct core *core, struct core_object *object, unsigned flags,
			const struct smmu_map_entry *entries, size_t count, uint64_t target)
{
	struct core_mapping_set *added = &core->request_changed;
	uint64_t offset = 0;
	size_t d = 0, done = 0;
	int r;

	core_mapping_set_clear(added);
	r = core_mapping_set_reserve(added, count);

	/* First the records, which is where a request fails when it overlaps... */
	for (size_t k = 0; r == 0 && k < count; k++) {
		/* Built in place: copying a just-written struct as a whole would wait for its
		 * stores instead of forwarding them. */
		struct smmu_backend_range *m = &added->items[added->count];

		r = entry_mapping(&entries[k], flags, target, offset, m);
		offset += entries[k].len;
		if (r == 0) {
			r = core_mapping_set_add(&object->mappings, m);
		}
		if (r == 1) {
			r = 0; /* already mapped exactly so: nothing to do */
		} else if (r == 0) {
			added->count++;
		}
	}
	/* ...then the tables, one batch per domain. */
	for (; r == 0 && d < object->domain_count; d++) {
		r = core_backend_map(core->backend, object->domains[d]->bdomain, added->items,
				     added->count, &done);
	}
	if (r < 0) {
		/* Domains [0, d - 1) hold every mapping, domain d - 1 the first `done`; with no
		 * domain reached (a record failed), nothing is in the tables. */
		take_back(core, object, added, d > 0 ? d - 1 : 0, d > 0 ? done : 0);
	}
	return r;
}

int core_mapping_add(struct core *core, struct core_client *client, uint32_t object_id,
		     unsigned flags, const struct smmu_map_entry *entries, size_t count,
		     uint64_t target)
{
	struct core_object *object = object_of(core, client, object_id);
	const unsigned known = SMF_READ | SMF_WRITE | SMF_EXEC | SMF_VIRT | SMF_TARGET;

	if (!object) {
		return -ENOENT;
	}
	if (flags & ~known) {
		return -EINVAL;
	}
	if (flags & SMF_VIRT) {
		return -EOPNOTSUPP; /* "for future use" on QNX too */
	}
	if ((flags & SMF_TARGET) && !(client->abilities & CORE_ABILITY_TARGET)) {
		return -EPERM;
	}
	if (prot_of_flags(flags) == 0) {
		return remove_mappings(core, object, flags, entries, count, target);
	}
	return add_mappings(core, object, flags, entries, count, target);
}
