/* SPDX-License-Identifier: Apache-2.0 */
/* The core's QNX semantics, against a fake backend whose domains are
 * walked as hardware would walk them. */
#include <errno.h>
#include <string.h>

#include "cfg-test-util.h"
#include "common/alloc.h"
#include "common/strbuf.h"
#include "core/core.h"
#include "fake-backend.h"
#include "json-reader.h"

#define RW (SMF_READ | SMF_WRITE)

static unsigned notifications;
static struct core_client *last_notified;

static void hook_queued(void *ctx, struct core_client *client)
{
	(void)ctx;
	notifications++;
	last_notified = client;
}

static const struct core_hooks hooks = {.queued = hook_queued};

static int setup(void **state)
{
	cfg_test_reset(state);
	fake_reset();
	notifications = 0;
	last_notified = NULL;
	return 0;
}

static struct core *make_core(const char *config)
{
	struct cfg_config cfg = {0};
	struct cfg_diags diags = {0};
	struct core *core = NULL;

	assert_int_equal(cfg_test_parse(config, &cfg, &diags), 0);
	assert_int_equal(core_create(&fake_backend, &cfg, &hooks, &core), 0);
	cfg_config_fini(&cfg);
	cfg_diags_fini(&diags);
	return core;
}

static union smmu_devid pci(unsigned bus, unsigned dev, unsigned func)
{
	return (union smmu_devid){.pci = {SDT_PCI, bus, dev, func}};
}

/* What a DMA of `access` at `iova` by 0:dev.0 would meet. */
static unsigned probe(struct core *core, unsigned dev, uint64_t iova, unsigned access,
		      uint64_t *ret_pa)
{
	union smmu_devid devid = pci(0, dev, 0);
	unsigned refusal = 0xff;
	uint64_t pa = 0;

	assert_int_equal(core_probe(core, &devid, iova, access, &pa, &refusal), 0);
	if (ret_pa) {
		*ret_pa = pa;
	}
	return refusal;
}

static struct core_client *connect(struct core *core, unsigned abilities)
{
	struct core_client *client;

	assert_int_equal(core_client_connect(core, 100, 0, abilities, &client), 0);
	return client;
}

/* A new object of the client's holding `devid`. */
static uint32_t object_with(struct core *core, struct core_client *client,
			    const union smmu_devid *devid)
{
	uint32_t object;

	assert_int_equal(core_object_create(core, client, SOCF_NONE, &object), 0);
	assert_int_equal(core_device_add(core, client, object, devid), 0);
	return object;
}

static int map(struct core *core, struct core_client *client, uint32_t object, unsigned flags,
	       uint64_t start, uint64_t len, uint64_t target)
{
	struct smmu_map_entry entry = {.phys = start, .len = len};

	return core_mapping_add(core, client, object, flags, &entry, 1, target);
}

/* Startup mappings are in force before any client connects; translation
 * is enabled only after every configured device is set up. */
static void test_startup_mappings(void **state)
{
	struct core *core;
	uint64_t pa;

	(void)state;
	core = make_core("unit u0 x allow buf 100000,8K,s device pci:0:1.0 buf device pci:0:2.0");
	assert_int_equal(fake_enabled_units(), 1);
	assert_int_equal(probe(core, 1, 0x101000, SMMU_ACCESS_READ, &pa), SMMU_REFUSAL_NONE);
	assert_int_equal(pa, 0x101000);
	assert_int_equal(probe(core, 1, 0x101000, SMMU_ACCESS_WRITE, NULL), SMMU_REFUSAL_READ_ONLY);
	assert_int_equal(probe(core, 1, 0x102000, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NOT_MAPPED);
	/* A configured device with no startup mappings is blocked. */
	assert_int_equal(probe(core, 2, 0x101000, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_BLOCKED);
	core_destroy(core);
	assert_int_equal(fake_domain_count(), 0);
}

/* A configuration the core cannot honour fails creation and leaves nothing
 * behind: a 4 GiB register window does not fit QNX's device id. */
static void test_unrepresentable_device_fails_creation(void **state)
{
	struct cfg_config cfg = {0};
	struct cfg_diags diags = {0};
	struct core *core = NULL;

	(void)state;
	assert_int_equal(cfg_test_parse("unit u0 x device mem:0x100000000,4G", &cfg, &diags), 0);
	assert_int_equal(core_create(&fake_backend, &cfg, &hooks, &core), -EINVAL);
	assert_null(core);
	assert_int_equal(fake_domain_count(), 0);
	assert_int_equal(fake_enabled_units(), 0);
	cfg_config_fini(&cfg);
	cfg_diags_fini(&diags);
}

/* An object's mappings apply to all its devices, including one added
 * after the mappings (replayed: add never returns +1). */
static void test_object_mappings_reach_every_device(void **state)
{
	struct core *core = make_core("unit u0 x");
	struct core_client *client = connect(core, CORE_ABILITY_ATTACH);
	union smmu_devid a = pci(0, 1, 0), b = pci(0, 2, 0);
	uint32_t obj;

	(void)state;
	obj = object_with(core, client, &a);
	assert_int_equal(map(core, client, obj, RW, 0x200000, 0x3000, 0), 0);
	assert_int_equal(core_device_add(core, client, obj, &b), 0);
	for (unsigned dev = 1; dev <= 2; dev++) {
		assert_int_equal(probe(core, dev, 0x202fff, SMMU_ACCESS_WRITE, NULL),
				 SMMU_REFUSAL_NONE);
		assert_int_equal(probe(core, dev, 0x203000, SMMU_ACCESS_READ, NULL),
				 SMMU_REFUSAL_NOT_MAPPED);
	}
	core_destroy(core);
}

/* Ranges are rounded out to 4 KiB pages. */
static void test_page_rounding(void **state)
{
	struct core *core = make_core("unit u0 x");
	struct core_client *client = connect(core, CORE_ABILITY_ATTACH);
	union smmu_devid a = pci(0, 1, 0);
	uint32_t obj;

	(void)state;
	obj = object_with(core, client, &a);
	assert_int_equal(map(core, client, obj, SMF_READ, 0x300ff0, 0x20, 0), 0);
	assert_int_equal(probe(core, 1, 0x300000, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NONE);
	assert_int_equal(probe(core, 1, 0x301fff, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NONE);
	assert_int_equal(probe(core, 1, 0x302000, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NOT_MAPPED);
	core_destroy(core);
}

/* SMF_NONE removes exactly the given range, splitting what straddles it;
 * removing nothing is fine; identical re-adds succeed; overlaps fail. */
static void test_remove_and_overlap(void **state)
{
	struct core *core = make_core("unit u0 x");
	struct core_client *client = connect(core, CORE_ABILITY_ATTACH);
	union smmu_devid a = pci(0, 1, 0);
	uint32_t obj;

	(void)state;
	obj = object_with(core, client, &a);
	assert_int_equal(map(core, client, obj, RW, 0x400000, 0x10000, 0), 0);
	assert_int_equal(map(core, client, obj, RW, 0x400000, 0x10000, 0), 0);
	assert_int_equal(map(core, client, obj, SMF_READ, 0x404000, 0x1000, 0), -EEXIST);
	assert_int_equal(map(core, client, obj, SMF_NONE, 0x404000, 0x2000, 0), 0);
	assert_int_equal(probe(core, 1, 0x403fff, SMMU_ACCESS_WRITE, NULL), SMMU_REFUSAL_NONE);
	assert_int_equal(probe(core, 1, 0x404000, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(probe(core, 1, 0x405fff, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(probe(core, 1, 0x406000, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NONE);
	assert_int_equal(map(core, client, obj, SMF_NONE, 0x900000, 0x1000, 0), 0);
	/* Now the hole can take another permission. */
	assert_int_equal(map(core, client, obj, SMF_READ, 0x404000, 0x1000, 0), 0);
	assert_int_equal(probe(core, 1, 0x404000, SMMU_ACCESS_WRITE, NULL), SMMU_REFUSAL_READ_ONLY);
	core_destroy(core);
}

/* Bad requests: zero length, wrap-around, unknown flags, SMF_VIRT, an
 * object of another client. */
static void test_mapping_errors(void **state)
{
	struct core *core = make_core("unit u0 x");
	struct core_client *client = connect(core, CORE_ABILITY_ATTACH);
	struct core_client *other = connect(core, CORE_ABILITY_ATTACH);
	uint32_t obj;

	(void)state;
	assert_int_equal(core_object_create(core, client, SOCF_NONE, &obj), 0);
	assert_int_equal(map(core, client, obj, RW, 0x1000, 0, 0), -EINVAL);
	assert_int_equal(map(core, client, obj, RW, UINT64_MAX - 10, 100, 0), -EOVERFLOW);
	assert_int_equal(map(core, client, obj, 0x100, 0x1000, 1, 0), -EINVAL);
	assert_int_equal(map(core, client, obj, SMF_VIRT | SMF_READ, 0x1000, 1, 0), -EOPNOTSUPP);
	assert_int_equal(map(core, other, obj, RW, 0x1000, 1, 0), -ENOENT);
	assert_int_equal(map(core, client, obj + 1, RW, 0x1000, 1, 0), -ENOENT);
	assert_int_equal(core_object_create(core, client, 0x80, &obj), -EINVAL);
	core_destroy(core);
}

/* SMF_TARGET needs the target ability and translates back to back from
 * `target`. */
static void test_target_mappings(void **state)
{
	struct core *core = make_core("unit u0 x");
	struct core_client *driver = connect(core, CORE_ABILITY_ATTACH);
	struct core_client *vmm = connect(core, CORE_ABILITY_ATTACH | CORE_ABILITY_TARGET);
	struct smmu_map_entry entries[] = {{.phys = 0x10000, .len = 0x2000},
					   {.phys = 0x40000, .len = 0x1000}};
	union smmu_devid a = pci(0, 1, 0);
	uint32_t obj;
	uint64_t pa;

	(void)state;
	assert_int_equal(core_object_create(core, driver, SOCF_NONE, &obj), 0);
	assert_int_equal(map(core, driver, obj, SMF_TARGET | RW, 0x10000, 0x1000, 0x800000),
			 -EPERM);
	obj = object_with(core, vmm, &a);
	assert_int_equal(core_mapping_add(core, vmm, obj, SMF_TARGET | RW, entries, 2, 0x800000),
			 0);
	assert_int_equal(probe(core, 1, 0x11234, SMMU_ACCESS_READ, &pa), SMMU_REFUSAL_NONE);
	assert_int_equal(pa, 0x801234);
	assert_int_equal(probe(core, 1, 0x40010, SMMU_ACCESS_WRITE, &pa), SMMU_REFUSAL_NONE);
	assert_int_equal(pa, 0x802010);
	/* Misaligned target against the device address: refused. */
	assert_int_equal(map(core, vmm, obj, SMF_TARGET | RW, 0x90000, 0x1000, 0x800010), -EINVAL);
	/* SMF_TARGET alone removes. */
	assert_int_equal(core_mapping_add(core, vmm, obj, SMF_TARGET, entries, 2, 0x800000), 0);
	assert_int_equal(probe(core, 1, 0x11234, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NOT_MAPPED);
	core_destroy(core);
}

/* One owner per device: EBUSY for others, moves between own objects,
 * removal only by the owner, ENOENT for devices no unit controls. */
static void test_ownership(void **state)
{
	struct core *core = make_core("unit u0 x");
	struct core_client *a = connect(core, CORE_ABILITY_ATTACH);
	struct core_client *b = connect(core, CORE_ABILITY_ATTACH);
	union smmu_devid dev = pci(0, 3, 0), nobody = pci(200, 0, 0);
	uint32_t a1, a2, b1;

	(void)state;
	assert_int_equal(core_object_create(core, a, SOCF_NONE, &a1), 0);
	assert_int_equal(core_object_create(core, a, SOCF_NONE, &a2), 0);
	assert_int_equal(core_object_create(core, b, SOCF_NONE, &b1), 0);
	assert_int_equal(map(core, a, a2, SMF_READ, 0x5000, 0x1000, 0), 0);
	assert_int_equal(core_device_add(core, a, a1, &dev), 0);
	assert_int_equal(core_device_add(core, b, b1, &dev), -EBUSY);
	assert_int_equal(core_device_add(core, b, 0, &dev), -ENOENT);
	/* A moves its device; it follows the new object's mappings. */
	assert_int_equal(probe(core, 3, 0x5000, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(core_device_add(core, a, a2, &dev), 0);
	assert_int_equal(probe(core, 3, 0x5000, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NONE);
	assert_int_equal(core_device_add(core, a, 0, &dev), 0);
	assert_int_equal(probe(core, 3, 0x5000, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_BLOCKED);
	assert_int_equal(core_device_add(core, b, b1, &dev), 0);
	assert_int_equal(core_device_add(core, a, a1, &nobody), -ENOENT);
	core_destroy(core);
}

/* Reserved regions are mapped when a device joins an object and removed
 * when it leaves, unless SOCF_RESERVED_MANUAL; they are reported with
 * offsets. */
static void test_reserved_regions(void **state)
{
	struct core *core = make_core("unit u0 x device pci:0:4.0 reserved 7000000,8K "
				      "reserved 7100000,4K");
	struct core_client *client = connect(core, CORE_ABILITY_ATTACH);
	union smmu_devid dev = pci(0, 4, 0);
	struct smmu_map_entry entries[4] = {0};
	uint32_t obj, manual;

	(void)state;
	assert_int_equal(core_device_report_reserved(core, &dev, 0, entries, 1), 2);
	assert_int_equal(entries[0].phys, 0x7000000);
	assert_int_equal(entries[0].len, 0x2000);
	assert_int_equal(entries[1].len, 0);
	assert_int_equal(core_device_report_reserved(core, &dev, 1, entries, 4), 1);
	assert_int_equal(entries[0].phys, 0x7100000);
	assert_int_equal(core_device_report_reserved(core, &dev, 2, entries, 4), 0);
	/* In its startup state the device reaches its reserved regions. */
	assert_int_equal(probe(core, 4, 0x7001000, SMMU_ACCESS_WRITE, NULL), SMMU_REFUSAL_NONE);
	obj = object_with(core, client, &dev);
	assert_int_equal(probe(core, 4, 0x7100000, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NONE);
	assert_int_equal(core_object_create(core, client, SOCF_RESERVED_MANUAL, &manual), 0);
	assert_int_equal(core_device_add(core, client, manual, &dev), 0);
	assert_int_equal(probe(core, 4, 0x7100000, SMMU_ACCESS_READ, NULL),
			 SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(core_device_add(core, client, obj, &dev), 0);
	assert_int_equal(core_object_destroy(core, client, obj), 0);
	/* Back in the startup state: reserved regions again, nothing else. */
	assert_int_equal(probe(core, 4, 0x7000000, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NONE);
	core_destroy(core);
}

/* A client that goes away loses its objects, devices and mappings. */
static void test_client_disconnect_revokes(void **state)
{
	struct core *core = make_core("unit u0 x allow s 100000,4K device pci:0:1.0 s");
	struct core_client *client = connect(core, CORE_ABILITY_ATTACH);
	struct core_client *other = connect(core, CORE_ABILITY_ATTACH);
	union smmu_devid a = pci(0, 1, 0), b = pci(0, 2, 0);
	uint32_t obj;
	unsigned domains_before = fake_domain_count();

	(void)state;
	obj = object_with(core, client, &a);
	assert_int_equal(core_device_add(core, client, obj, &b), 0);
	assert_int_equal(map(core, client, obj, RW, 0x600000, 0x1000, 0), 0);
	core_client_disconnect(core, client);
	assert_int_equal(fake_domain_count(), domains_before);
	assert_int_equal(probe(core, 1, 0x600000, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(probe(core, 1, 0x100000, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NONE);
	assert_int_equal(probe(core, 2, 0x600000, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_BLOCKED);
	/* The devices are free for others now. */
	obj = object_with(core, other, &a);
	core_destroy(core);
}

/* Faults reach every listener from the time it registered, and the
 * server hears of each record queued. */
static void test_faults_and_notify(void **state)
{
	struct core *core = make_core("unit u0 x");
	struct core_client *monitor = connect(core, 0);
	struct core_client *deaf = connect(core, 0);
	struct smmu_status status;

	(void)state;
	fake_queue_fault(fake_pci_key(0, 5, 0), 0xdead000, SMMU_ACCESS_WRITE);
	assert_int_equal(core_poll_faults(core), 1);
	/* No backlog for late registrants. */
	core_xfer_notify(core, monitor);
	assert_int_equal(core_xfer_status(core, monitor, &status), 0);
	assert_int_equal(notifications, 0);

	fake_queue_fault(fake_pci_key(0, 5, 0), 0xbeef000, SMMU_ACCESS_READ);
	assert_int_equal(core_poll_faults(core), 1);
	assert_int_equal(notifications, 1);
	assert_ptr_equal(last_notified, monitor);
	fake_queue_fault(fake_pci_key(0, 5, 0), 0xbeef000, SMMU_ACCESS_READ);
	assert_int_equal(core_poll_faults(core), 1);
	assert_int_equal(notifications, 2);
	assert_int_equal(core_xfer_pending(monitor), 2);
	assert_int_equal(core_xfer_status(core, monitor, &status), 1);
	assert_int_equal(core_xfer_pending(monitor), 1);
	assert_int_equal(status.fault_addr, 0xbeef000);
	assert_int_equal(status.hw_specific, 0xfa17);
	/* Unknown to the service: the device was never named. */
	assert_int_equal(status.devid.type, SDT_NUM_TYPES);
	assert_int_equal(core_xfer_status(core, deaf, &status), 0);
	assert_int_equal(core_xfer_status(core, monitor, &status), 1);
	assert_int_equal(core_xfer_status(core, monitor, &status), 0);
	assert_int_equal(notifications, 2);
	core_destroy(core);
}

/* A known device's fault names it. */
static void test_fault_names_device(void **state)
{
	struct core *core = make_core("unit u0 x device pci:0:6.0 use u0 0x30");
	struct core_client *monitor = connect(core, 0);
	struct smmu_status status;

	(void)state;
	core_xfer_notify(core, monitor);
	fake_queue_fault(0x30, 0x1000, SMMU_ACCESS_READ);
	core_poll_faults(core);
	assert_int_equal(core_xfer_status(core, monitor, &status), 1);
	assert_int_equal(status.devid.type, SDT_PCI);
	assert_int_equal(status.devid.pci.dev, 6);
	core_destroy(core);
}

/* 64 records are kept; the newest kept one carries SSF_DROPPED_FAULTS
 * when more arrived. */
static void test_fault_queue_overflow(void **state)
{
	struct core *core = make_core("unit u0 x");
	struct core_client *monitor = connect(core, 0);
	struct smmu_status status;
	unsigned count = 0;

	(void)state;
	core_xfer_notify(core, monitor);
	for (unsigned i = 0; i < 70; i++) {
		fake_queue_fault(1, 0x1000 * i, SMMU_ACCESS_READ);
	}
	assert_int_equal(core_poll_faults(core), 70);
	while (core_xfer_status(core, monitor, &status) == 1) {
		count++;
		assert_int_equal(status.fault_addr, 0x1000 * (count - 1));
		assert_int_equal(!!(status.flags & SSF_DROPPED_FAULTS), count == 64);
	}
	assert_int_equal(count, CORE_FAULT_QUEUE_LENGTH);
	core_destroy(core);
}

/* A backend failure part way through leaves no trace: the object's
 * mappings and every domain are as before. */
static void test_backend_failure_is_all_or_nothing(void **state)
{
	struct core *core = make_core("unit u0 x unit u1 y");
	struct core_client *client = connect(core, CORE_ABILITY_ATTACH);
	struct smmu_map_entry entries[] = {{.phys = 0x10000, .len = 0x1000},
					   {.phys = 0x20000, .len = 0x1000}};
	union smmu_devid a = pci(0, 1, 0);
	uint32_t obj;

	(void)state;
	obj = object_with(core, client, &a);
	for (int skip = 0; skip < 2; skip++) {
		fake_fail_after(skip, -EIO);
		assert_int_equal(core_mapping_add(core, client, obj, RW, entries, 2, 0), -EIO);
		fake_fail_after(-1, 0);
		assert_int_equal(probe(core, 1, 0x10000, SMMU_ACCESS_READ, NULL),
				 SMMU_REFUSAL_NOT_MAPPED);
		assert_int_equal(probe(core, 1, 0x20000, SMMU_ACCESS_READ, NULL),
				 SMMU_REFUSAL_NOT_MAPPED);
	}
	assert_int_equal(core_mapping_add(core, client, obj, RW, entries, 2, 0), 0);
	core_destroy(core);
}

/*
 * A backend failure at any range of a request, adding or removing: an add
 * leaves nothing mapped; a removal returns the error and keeps in the
 * records whatever may still be in the tables, so that removing again
 * clears every table.  Run with and without the batch operations.
 */
static void test_failure_at_every_range(void **state)
{
	struct core *core = make_core("unit u0 x");
	struct core_client *client = connect(core, CORE_ABILITY_ATTACH);
	struct smmu_map_entry entries[] = {{.phys = 0x10000, .len = 0x1000},
					   {.phys = 0x30000, .len = 0x2000},
					   {.phys = 0x50000, .len = 0x1000}};
	const size_t count = sizeof(entries) / sizeof(entries[0]);
	union smmu_devid a = pci(0, 1, 0);
	uint32_t obj;

	(void)state;
	obj = object_with(core, client, &a);
	for (int skip = 0; skip < (int)count; skip++) {
		fake_fail_after(skip, -EIO);
		assert_int_equal(core_mapping_add(core, client, obj, RW, entries, count, 0), -EIO);
		fake_fail_after(-1, 0);
		for (size_t k = 0; k < count; k++) {
			assert_int_equal(probe(core, 1, entries[k].phys, SMMU_ACCESS_READ, NULL),
					 SMMU_REFUSAL_NOT_MAPPED);
		}

		assert_int_equal(core_mapping_add(core, client, obj, RW, entries, count, 0), 0);
		fake_fail_after(skip, -EIO);
		assert_int_equal(core_mapping_add(core, client, obj, SMF_NONE, entries, count, 0),
				 -EIO);
		fake_fail_after(-1, 0);
		assert_int_equal(core_mapping_add(core, client, obj, SMF_NONE, entries, count, 0),
				 0);
		for (size_t k = 0; k < count; k++) {
			assert_int_equal(probe(core, 1, entries[k].phys, SMMU_ACCESS_READ, NULL),
					 SMMU_REFUSAL_NOT_MAPPED);
		}
	}
	core_destroy(core);
}

/*
 * A removal lists its entries in any order: ascending (no sort), descending and shuffled
 * (sorted first) all remove exactly what they name and leave the rest.
 */
static void test_removal_in_any_order(void **state)
{
	struct core *core = make_core("unit u0 x");
	struct core_client *client = connect(core, CORE_ABILITY_ATTACH);
	union smmu_devid a = pci(0, 1, 0);
	static const unsigned orders[3][4] = {{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}};
	struct smmu_map_entry all[6], some[4];
	uint32_t obj;

	(void)state;
	obj = object_with(core, client, &a);
	for (unsigned i = 0; i < 6; i++) {
		all[i] = (struct smmu_map_entry){.phys = 0x100000 + i * 0x2000, .len = 0x1000};
	}
	for (unsigned o = 0; o < 3; o++) {
		assert_int_equal(core_mapping_add(core, client, obj, RW, all, 6, 0), 0);
		/* Pages 1 to 4 go, in this order; pages 0 and 5 stay. */
		for (unsigned k = 0; k < 4; k++) {
			some[k] = all[1 + orders[o][k]];
		}
		assert_int_equal(core_mapping_add(core, client, obj, SMF_NONE, some, 4, 0), 0);
		for (unsigned i = 0; i < 6; i++) {
			assert_int_equal(probe(core, 1, all[i].phys, SMMU_ACCESS_READ, NULL),
					 i == 0 || i == 5 ? SMMU_REFUSAL_NONE
							  : SMMU_REFUSAL_NOT_MAPPED);
		}
		assert_int_equal(core_mapping_add(core, client, obj, SMF_NONE, all, 6, 0), 0);
	}
	core_destroy(core);
}

/* A failed attach leaves the device where it was and no domain behind. */
static void test_failed_attach_changes_nothing(void **state)
{
	struct core *core = make_core("unit u0 x");
	struct core_client *client = connect(core, CORE_ABILITY_ATTACH);
	union smmu_devid b = pci(0, 2, 0);
	unsigned domains;
	uint32_t obj;

	(void)state;
	assert_int_equal(core_object_create(core, client, SOCF_NONE, &obj), 0);
	assert_int_equal(map(core, client, obj, RW, 0x10000, 0x1000, 0), 0);
	domains = fake_domain_count();
	/* domain_create and the replayed map succeed, the attach fails. */
	fake_fail_after(2, -EIO);
	assert_int_equal(core_device_add(core, client, obj, &b), -EIO);
	fake_fail_after(-1, 0);
	assert_int_equal(fake_domain_count(), domains);
	assert_int_equal(probe(core, 2, 0x10000, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_BLOCKED);
	assert_int_equal(core_device_add(core, client, obj, &b), 0);
	assert_int_equal(probe(core, 2, 0x10000, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_NONE);
	core_destroy(core);
}

/* Every allocation failure in a client's life is an error, never a crash
 * or a leak, and leaves the core usable. */
static void test_allocation_failures(void **state)
{
	(void)state;
	for (long n = 0; n < 200; n++) {
		struct core *core = make_core("unit u0 x device pci:0:4.0 reserved 7000000,8K");
		struct core_client *client = NULL;
		union smmu_devid dev = pci(0, 4, 0), other = pci(0, 9, 0);
		uint32_t obj = 0;
		int r;

		smmu_alloc_fail_after(n);
		r = core_client_connect(core, 1, 0, CORE_ABILITY_ATTACH, &client);
		if (r == 0) {
			r = core_object_create(core, client, SOCF_NONE, &obj);
		}
		if (r == 0) {
			r = core_device_add(core, client, obj, &dev);
		}
		if (r == 0) {
			r = core_device_add(core, client, obj, &other);
		}
		if (r == 0) {
			r = map(core, client, obj, RW, 0x100000, 0x1000, 0);
		}
		if (r == 0) {
			r = map(core, client, obj, SMF_NONE, 0x100000, 0x1000, 0);
		}
		smmu_alloc_fail_after(-1);
		if (r != 0 && r != -ENOMEM) {
			print_error("allocation %ld: %d\n", n, r);
		}
		assert_true(r == 0 || r == -ENOMEM);
		core_destroy(core);
		assert_int_equal(fake_domain_count(), 0);
	}
}

#define TEST(t) cmocka_unit_test_setup(t, setup)

/* The status report shows each device with its object and owner, each
 * object with its mappings, and recent faults; its JSON form parses. */
static void test_status_report(void **state)
{
	struct core *core = make_core("unit u0 x allow buf 100000,8K,s device pci:0:1.0 buf");
	struct core_client *client = connect(core, CORE_ABILITY_ATTACH);
	union smmu_devid dev2 = {.pci = {SDT_PCI, 0, 2, 0}};
	struct strbuf text = STRBUF_INIT, json = STRBUF_INIT;
	struct json_value root;
	const struct json_value *devices;
	char message[128];
	uint32_t object;

	(void)state;
	object = object_with(core, client, &dev2);
	assert_int_equal(map(core, client, object, SMF_READ | SMF_WRITE, 0x200000, 0x3000, 0), 0);
	core_xfer_notify(core, client);
	fake_queue_fault(fake_pci_key(0, 2, 0), 0x900000, SMMU_ACCESS_WRITE);
	core_poll_faults(core);
	core_status(core, false, &text);
	core_status(core, true, &json);
	assert_non_null(strstr(strbuf_str(&text), "pci:0:1.0  unit u0  startup (1 mappings)"));
	assert_non_null(strstr(strbuf_str(&text), "pci:0:2.0  unit u0  object 1  owner pid 100"));
	assert_non_null(strstr(strbuf_str(&text), "0x200000-0x202fff -> 0x200000 rw"));
	assert_non_null(strstr(strbuf_str(&text), "pci:0:2.0  address 0x900000"));
	assert_int_equal(json_parse(strbuf_str(&json), json.len, &root, message, sizeof(message)),
			 0);
	devices = json_get(&root, "devices");
	assert_non_null(devices);
	assert_int_equal(devices->count, 2);
	assert_int_equal(json_get(&devices->items[1], "object")->number, object);
	assert_int_equal(json_get(&root, "fault_total")->number, 1);
	json_free(&root);
	strbuf_fini(&text);
	strbuf_fini(&json);
	core_destroy(core);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_startup_mappings),
		TEST(test_unrepresentable_device_fails_creation),
		TEST(test_object_mappings_reach_every_device),
		TEST(test_page_rounding),
		TEST(test_remove_and_overlap),
		TEST(test_mapping_errors),
		TEST(test_target_mappings),
		TEST(test_ownership),
		TEST(test_reserved_regions),
		TEST(test_client_disconnect_revokes),
		TEST(test_faults_and_notify),
		TEST(test_status_report),
		TEST(test_fault_names_device),
		TEST(test_fault_queue_overflow),
		TEST(test_backend_failure_is_all_or_nothing),
		TEST(test_failure_at_every_range),
		TEST(test_removal_in_any_order),
		TEST(test_failed_attach_changes_nothing),
		TEST(test_allocation_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
