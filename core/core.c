/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Creation of the core from the configuration, units, and devices with
 * their startup state.
 */
#include "core/core-internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "common/alloc.h"
#include "common/strbuf.h"
#include "config/cfg-device-id.h"

int core_ptr_push(void ***items, size_t *count, void *item)
{
	void **grown = smmu_reallocarray(*items, *count + 1, sizeof(**items));

	if (!grown) {
		return -ENOMEM;
	}
	*items = grown;
	grown[(*count)++] = item;
	return 0;
}

void core_ptr_remove(void **items, size_t *count, size_t index)
{
	memmove(&items[index], &items[index + 1], (*count - index - 1) * sizeof(items[0]));
	(*count)--;
}

static bool field_matches(unsigned pattern, unsigned value)
{
	return pattern == SMMU_PCI_FIELD_ANY || pattern == value;
}

bool core_devid_matches(const union smmu_devid *pattern, const union smmu_devid *device)
{
	if (pattern->type != device->type) {
		return false;
	}
	if (pattern->type == SDT_PCI) {
		return field_matches(pattern->pci.bus, device->pci.bus) &&
		       field_matches(pattern->pci.dev, device->pci.dev) &&
		       field_matches(pattern->pci.func, device->pci.func);
	}
	/* An MMIO device is named by its register base. */
	return pattern->mmio.phys == device->mmio.phys;
}

static bool devid_is_exact(const union smmu_devid *devid)
{
	return devid->type != SDT_PCI ||
	       (devid->pci.bus != SMMU_PCI_FIELD_ANY && devid->pci.dev != SMMU_PCI_FIELD_ANY &&
		devid->pci.func != SMMU_PCI_FIELD_ANY);
}

static void device_free(struct core *core, struct core_device *device)
{
	if (device->bdev) {
		core->backend->device_unbind(device->bdev);
	}
	if (device->startup_domain) {
		core->backend->domain_destroy(device->startup_domain);
	}
	core_mapping_set_fini(&device->startup);
	core_mapping_set_fini(&device->reserved);
	smmu_free(device);
}

/* Binds a new device to `unit` (or, when NULL, to the first unit that
 * controls it).  The device starts blocked. */
static int device_bind(struct core *core, const union smmu_devid *devid, struct core_unit *unit,
		       const char *use_param, struct core_device **ret_device)
{
	struct core_device *device = smmu_calloc(1, sizeof(*device));
	int r = -ENOENT;

	if (!device) {
		return -ENOMEM;
	}
	device->devid = *devid;
	for (size_t i = 0; i < core->unit_count && r == -ENOENT; i++) {
		struct core_unit *candidate = unit ? unit : core->units[i];

		r = core->backend->device_bind(candidate->bunit, devid, use_param, &device->bdev,
					       &device->fault_key);
		if (r == 0) {
			device->unit = candidate;
		}
		if (unit) {
			break;
		}
	}
	if (r == 0) {
		r = core_ptr_push((void ***)&core->devices, &core->device_count, device);
	}
	if (r < 0) {
		device_free(core, device);
		return r;
	}
	*ret_device = device;
	return 0;
}

int core_device_get(struct core *core, const union smmu_devid *devid,
		    struct core_device **ret_device)
{
	for (size_t i = 0; i < core->device_count; i++) {
		if (core_devid_matches(devid, &core->devices[i]->devid)) {
			*ret_device = core->devices[i];
			return 0;
		}
	}
	if (!devid_is_exact(devid)) {
		return -ENOENT;
	}
	return device_bind(core, devid, NULL, NULL, ret_device);
}

int core_device_to_startup(struct core *core, struct core_device *device)
{
	return core->backend->device_attach(device->bdev, device->startup_domain);
}

static uint64_t page_down(uint64_t value)
{
	return value & ~(uint64_t)(CORE_PAGE_SIZE - 1);
}

/* Rounds [start, start + size) out to whole pages; -EOVERFLOW past 2^64. */
static int page_range(uint64_t start, uint64_t size, uint64_t *ret_start, uint64_t *ret_size)
{
	uint64_t last;

	if (size == 0) {
		return -EINVAL;
	}
	if (__builtin_add_overflow(start, size - 1, &last)) {
		return -EOVERFLOW;
	}
	*ret_start = page_down(start);
	*ret_size = page_down(last) - *ret_start + CORE_PAGE_SIZE;
	if (*ret_size == 0) {
		return -EOVERFLOW; /* the whole 64-bit space */
	}
	return 0;
}

static unsigned prot_of_perms(unsigned perms)
{
	return (perms & CFG_PERM_SOURCE ? SMMU_PROT_READ : 0u) |
	       (perms & CFG_PERM_TARGET ? SMMU_PROT_WRITE : 0u);
}

static int add_identity(struct core_mapping_set *set, uint64_t start, uint64_t size, unsigned prot)
{
	struct smmu_backend_range mapping = {.prot = prot};
	int r = page_range(start, size, &mapping.iova, &mapping.size);

	if (r < 0) {
		return r;
	}
	mapping.pa = mapping.iova;
	r = core_mapping_set_add(set, &mapping);
	return r > 0 ? 0 : r;
}

static int devid_from_config(struct core *core, const struct cfg_device *cfg, union smmu_devid *ret)
{
	const char *why = NULL;
	int r = cfg_device_id_to_devid(&cfg->id, ret, &why);

	if (r < 0) {
		core_log(core, LOG_ERR, "%s:%u: %s is not supported", cfg->loc.file, cfg->loc.line,
			 why);
	}
	return r;
}

static struct core_unit *unit_by_name(struct core *core, const char *name)
{
	for (size_t i = 0; i < core->unit_count; i++) {
		if (strcmp(core->units[i]->name, name) == 0) {
			return core->units[i];
		}
	}
	return NULL;
}

/* The startup mappings of a configured device: its allow sets and its
 * reserved regions, identity mapped. */
static int build_startup(struct core *core, const struct cfg_config *cfg,
			 const struct cfg_device *cfg_device, struct core_device *device)
{
	int r;

	for (size_t i = 0; i < cfg_device->reserved_count; i++) {
		const struct cfg_range *range = &cfg_device->reserved[i];

		r = add_identity(&device->reserved, range->start, range->size,
				 SMMU_PROT_READ | SMMU_PROT_WRITE);
		if (r == 0) {
			r = add_identity(&device->startup, range->start, range->size,
					 SMMU_PROT_READ | SMMU_PROT_WRITE);
		}
		if (r < 0) {
			core_log(core, LOG_ERR, "%s:%u: reserved region: %s", range->loc.file,
				 range->loc.line, strerror(-r));
			return r;
		}
	}
	for (size_t i = 0; i < cfg_device->allow_ref_count; i++) {
		const char *name = cfg_device->allow_refs[i].name;

		for (size_t a = cfg_allow_next(cfg, name, 0); a < cfg->allow_count;
		     a = cfg_allow_next(cfg, name, a + 1)) {
			const struct cfg_allow *allow = &cfg->allows[a];

			r = add_identity(&device->startup, allow->start, allow->size,
					 prot_of_perms(allow->perms));
			if (r < 0) {
				core_log(core, LOG_ERR,
					 "%s:%u: allow %s: %s (ranges given to one device must not "
					 "overlap)",
					 allow->loc.file, allow->loc.line, name, strerror(-r));
				return r;
			}
		}
	}
	return 0;
}

/* Builds and attaches the startup domain of a device, if it needs one. */
static int apply_startup(struct core *core, struct core_device *device)
{
	const struct smmu_backend *be = core->backend;
	int r;

	if (device->startup.count == 0) {
		return be->device_attach(device->bdev, NULL);
	}
	r = be->domain_create(device->unit->bunit, &device->startup_domain);
	for (size_t i = 0; r == 0 && i < device->startup.count; i++) {
		const struct smmu_backend_range *m = &device->startup.items[i];

		r = be->map(device->startup_domain, m->iova, m->pa, m->size, m->prot);
	}
	if (r == 0) {
		r = be->device_attach(device->bdev, device->startup_domain);
	}
	return r;
}

static int configure_device(struct core *core, const struct cfg_config *cfg,
			    const struct cfg_device *cfg_device)
{
	struct core_device *device = NULL;
	struct core_unit *unit = NULL;
	const char *use_param = NULL;
	union smmu_devid devid;
	int r = devid_from_config(core, cfg_device, &devid);

	if (r < 0) {
		return r;
	}
	if (cfg_device->use_count > 1) {
		core_log(core, LOG_ERR, "%s:%u: a device behind several units is not supported yet",
			 cfg_device->loc.file, cfg_device->loc.line);
		return -EOPNOTSUPP;
	}
	if (cfg_device->use_count == 1) {
		unit = unit_by_name(core, cfg_device->uses[0].unit);
		/* "" tells the backend a `use` line named the device. */
		use_param = cfg_device->uses[0].param ? cfg_device->uses[0].param : "";
		if (!unit) {
			core_log(core, LOG_ERR, "%s:%u: no unit named '%s'",
				 cfg_device->uses[0].loc.file, cfg_device->uses[0].loc.line,
				 cfg_device->uses[0].unit);
			return -ENOENT;
		}
	}
	r = device_bind(core, &devid, unit, use_param, &device);
	if (r < 0) {
		core_log(core, LOG_ERR, "%s:%u: %s", cfg_device->loc.file, cfg_device->loc.line,
			 r == -ENOENT ? "no unit controls this device" : strerror(-r));
		return r;
	}
	r = build_startup(core, cfg, cfg_device, device);
	if (r == 0) {
		r = apply_startup(core, device);
	}
	if (r < 0) {
		core_log(core, LOG_ERR, "%s:%u: cannot set up the device's startup mappings: %s",
			 cfg_device->loc.file, cfg_device->loc.line, strerror(-r));
	}
	return r;
}

static struct core_unit *unit_by_backend(struct core *core, struct smmu_backend_unit *bunit)
{
	for (size_t i = 0; i < core->unit_count; i++) {
		if (core->units[i]->bunit == bunit) {
			return core->units[i];
		}
	}
	return NULL;
}

static void host_fault(void *ctx, struct smmu_backend_unit *bunit,
		       const struct smmu_backend_fault *fault)
{
	struct core *core = ctx;
	struct core_unit *unit = unit_by_backend(core, bunit);
	struct smmu_status status = {
		.hw_specific = fault->raw,
		.fault_addr = fault->address,
		/* A device the service does not know: SDT_NUM_TYPES says so. */
		.devid = {.type = SDT_NUM_TYPES},
	};

	for (size_t i = 0; unit && i < core->device_count; i++) {
		const struct core_device *device = core->devices[i];

		if (device->unit == unit && device->fault_key == fault->device_key) {
			status.devid = device->devid;
			break;
		}
	}
	core_fault_deliver(core, &status);
}

static void SMMU_PRINTF(3, 4) host_log(void *ctx, int priority, const char *fmt, ...)
{
	struct core *core = ctx;
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	core_log(core, priority, "%s", line);
}

/* "NAME:PARAMS" or "NAME" from the `platform` option; NULL without one. */
static int platform_spec(const struct cfg_config *cfg, char **ret)
{
	struct strbuf spec = STRBUF_INIT;

	*ret = NULL;
	if (!cfg->platform.name) {
		return 0;
	}
	strbuf_puts(&spec, cfg->platform.name);
	if (cfg->platform.params) {
		strbuf_printf(&spec, ":%s", cfg->platform.params);
	}
	if (spec.oom) {
		strbuf_fini(&spec);
		return -ENOMEM;
	}
	*ret = strbuf_take(&spec);
	return 0;
}

int core_create(const struct smmu_backend *backend, const struct cfg_config *cfg,
		const struct core_hooks *hooks, struct core **ret_core)
{
	struct core *core = smmu_calloc(1, sizeof(*core));
	int r;

	if (!core) {
		return -ENOMEM;
	}
	core->backend = backend;
	core->hooks = *hooks;
	core->next_object_id = 1;
	core->next_client_id = 1;
	r = platform_spec(cfg, &core->platform);
	if (r < 0) {
		smmu_free(core);
		return r;
	}
	core->host = (struct smmu_backend_host){
		.abi_version = SMMU_BACKEND_ABI_VERSION,
		.size = sizeof(core->host),
		.ctx = core,
		.log = host_log,
		.fault = host_fault,
		.platform = core->platform,
	};
	r = backend->init(&core->host, cfg->smmu.params);
	if (r < 0) {
		core_log(core, LOG_ERR, "support library '%s' failed to start: %s", backend->name,
			 strerror(-r));
		smmu_free(core->platform);
		smmu_free(core);
		return r;
	}
	core->backend_ready = true;
	for (size_t i = 0; r == 0 && i < cfg->unit_count; i++) {
		const struct cfg_unit *cfg_unit = &cfg->units[i];
		struct core_unit *unit = smmu_calloc(1, sizeof(*unit));

		r = unit ? 0 : -ENOMEM;
		if (r == 0) {
			unit->name = smmu_strdup(cfg_unit->name);
			r = unit->name ? backend->unit_create(cfg_unit->name, cfg_unit->params,
							      &unit->bunit)
				       : -ENOMEM;
		}
		if (r == 0) {
			r = core_ptr_push((void ***)&core->units, &core->unit_count, unit);
			if (r < 0) {
				backend->unit_destroy(unit->bunit);
			}
		}
		if (r < 0) {
			if (unit) {
				smmu_free(unit->name);
			}
			smmu_free(unit);
			core_log(core, LOG_ERR, "%s:%u: unit %s: %s", cfg_unit->loc.file,
				 cfg_unit->loc.line, cfg_unit->name, strerror(-r));
		}
	}
	for (size_t i = 0; r == 0 && i < cfg->device_count; i++) {
		r = configure_device(core, cfg, &cfg->devices[i]);
	}
	/* Translation goes on only now that every configured device is in its
	 * startup state: no device is left with unrestricted access. */
	for (size_t i = 0; r == 0 && i < core->unit_count; i++) {
		r = backend->unit_enable(core->units[i]->bunit);
		if (r < 0) {
			core_log(core, LOG_ERR, "unit %s: cannot enable translation: %s",
				 core->units[i]->name, strerror(-r));
		}
	}
	if (r < 0) {
		core_destroy(core);
		return r;
	}
	*ret_core = core;
	return 0;
}

void core_destroy(struct core *core)
{
	if (!core) {
		return;
	}
	while (core->client_count) {
		core_client_disconnect(core, core->clients[0]);
	}
	while (core->object_count) {
		core_object_free(core, core->objects[0]);
	}
	for (size_t i = 0; i < core->device_count; i++) {
		device_free(core, core->devices[i]);
	}
	for (size_t i = 0; i < core->unit_count; i++) {
		core->backend->unit_destroy(core->units[i]->bunit);
		smmu_free(core->units[i]->name);
		smmu_free(core->units[i]);
	}
	if (core->backend_ready) {
		core->backend->fini();
	}
	smmu_free(core->devices);
	smmu_free(core->units);
	smmu_free(core->objects);
	smmu_free(core->clients);
	core_mapping_set_fini(&core->request_wanted);
	core_mapping_set_fini(&core->request_changed);
	smmu_free(core->platform);
	smmu_free(core);
}

int core_device_report_reserved(struct core *core, const union smmu_devid *devid, unsigned offset,
				struct smmu_map_entry *entries, unsigned capacity)
{
	struct core_device *device;
	int r = core_device_get(core, devid, &device);

	if (r < 0) {
		return r;
	}
	if (offset >= device->reserved.count) {
		return 0;
	}
	for (unsigned i = 0; i < capacity && offset + i < device->reserved.count; i++) {
		entries[i].phys = device->reserved.items[offset + i].iova;
		entries[i].len = device->reserved.items[offset + i].size;
	}
	return (int)(device->reserved.count - offset);
}

int core_probe(struct core *core, const union smmu_devid *devid, uint64_t iova, unsigned access,
	       uint64_t *ret_pa, unsigned *ret_refusal)
{
	struct core_device *device;
	int r = core_device_get(core, devid, &device);

	if (r < 0) {
		return r;
	}
	return core->backend->translate(device->bdev, iova, access, ret_pa, ret_refusal);
}

int core_poll_faults(struct core *core)
{
	int total = 0;

	for (size_t i = 0; i < core->unit_count; i++) {
		/* Bounded per call so one noisy unit cannot starve the loop. */
		int r = core->backend->fault_drain(core->units[i]->bunit,
						   4 * CORE_FAULT_QUEUE_LENGTH);

		if (r < 0) {
			core_log(core, LOG_WARNING, "unit %s: cannot read faults: %s",
				 core->units[i]->name, strerror(-r));
			continue;
		}
		total += r;
	}
	return total;
}

size_t core_unit_count(const struct core *core)
{
	return core->unit_count;
}

int core_unit_fault_fd(const struct core *core, size_t index)
{
	return core->backend->fault_fd(core->units[index]->bunit);
}
