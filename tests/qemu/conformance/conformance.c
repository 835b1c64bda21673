/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The conformance cases (conformance.h): each starts its own board and service, lets
 * clients set up objects, runs DMA, and checks the DMA's result, smmuctl's probe and the
 * fault records a listening client receives.
 *
 * RAM of the suite, offsets from the platform's ram_start (addresses are identity mapped
 * unless a case says otherwise):
 */
#include "conformance.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../unit/cmocka-all.h"

#define PAGE 4096u
#define REGION_A_OFFSET 0x400000u     /* device 0's memory */
#define REGION_B_OFFSET 0x800000u     /* device 1's memory */
#define UNMAPPED_OFFSET 0xc00000u     /* never mapped by anyone */
#define SENTINEL_OFFSET 0xe00000u     /* never mapped; the end-of-case sentinel */
#define TARGET_IOVA_OFFSET 0x1000000u /* SMF_TARGET device addresses ... */
#define TARGET_PA_OFFSET 0x1400000u   /* ... and the memory they reach */
#define SUPERPAGE_OFFSET 0x2000000u   /* a superpage-aligned region */
#define REGION_SIZE 0x10000u

/* The bounded wait for the service to notice a client's death: 500 probes 10 ms apart. */
#define CONF_HANGUP_STEPS 500
/* The bounded wait for the service to record a fault nobody listens for, likewise. */
#define CONF_RECORD_STEPS 500

enum dma_kind {
	DMA_READ,	 /* the device reads memory (a DMA source), checked through its bounce */
	DMA_WRITE,	 /* the device writes memory (a DMA target), checked through its bounce */
	DMA_WRITE_BLIND, /* the device writes, nothing else allowed: the target's bytes tell */
};

#define ALLOWED true
#define REFUSED false

static const struct conf_platform *platform;
/* The client that listens for faults; NULL when the case has none (yet). */
static struct conf_agent *listener;

static uint64_t region_a(void)
{
	return conf_ram(REGION_A_OFFSET);
}

static uint64_t region_b(void)
{
	return conf_ram(REGION_B_OFFSET);
}

static const char *why_word(enum conf_why why)
{
	static const char *const words[] = {"blocked", "not-mapped", "read-only", "any"};

	return words[why];
}

static struct conf_agent *new_client(void)
{
	struct conf_agent *client = conf_agent_start();

	if (conf_agent_init(client) != 0) {
		fail_msg("smmu_init: %s", strerror(errno));
	}
	return client;
}

static void start_listener(void)
{
	listener = new_client();
	if (conf_agent_listen(listener) != 0) {
		fail_msg("smmu_xfer_notify: %s", strerror(errno));
	}
}

/* Board, service with `extra_config`, and a listening client. */
static void start_case(const char *extra_config)
{
	conf_rig_start_board(platform);
	conf_rig_start_service(extra_config);
	start_listener();
}

static void map_ok(struct conf_agent *client, int obj, unsigned flags, uint64_t addr, uint64_t len,
		   uint64_t target)
{
	if (conf_agent_map(client, obj, flags, addr, len, target) != 0) {
		fail_msg("smmu_mapping_add(flags 0x%x, 0x%" PRIx64 ", %" PRIu64 "): %s", flags,
			 addr, len, strerror(errno));
	}
}

/* A new object of `client` holding device `dev`, with the device's bounce page read-write. */
static int object_with(struct conf_agent *client, unsigned dev)
{
	int obj = conf_agent_obj_create(client);

	if (obj < 0) {
		fail_msg("smmu_obj_create: %s", strerror(errno));
	}
	map_ok(client, obj, SMF_READ | SMF_WRITE, conf_bounce(dev), PAGE, 0);
	if (conf_agent_device_add(client, obj, dev) != 0) {
		fail_msg("smmu_device_add_pci(%s): %s", platform->config_name[dev],
			 strerror(errno));
	}
	return obj;
}

static bool same_device(const union smmu_devid *a, const union smmu_devid *b)
{
	if (a->type != b->type) {
		return false;
	}
	if (a->type == SDT_PCI) {
		return a->pci.bus == b->pci.bus && a->pci.dev == b->pci.dev &&
		       a->pci.func == b->pci.func;
	}
	return a->mmio.phys == b->mmio.phys;
}

/* The records of the rest of a refused DMA, on hardware that refuses it piece by piece
 * (conf_platform.fault_piece_size): one per piece, in address order, each complete. */
static void expect_fault_pieces(unsigned dev, uint64_t addr, bool write, enum conf_why why)
{
	unsigned piece = platform->fault_piece_size;

	for (unsigned off = piece; piece && off < CONF_DMA_LEN; off += piece) {
		struct smmu_status st;
		bool notified = false;
		const char *raw_why;

		if (!conf_agent_wait_fault(listener, &st, &notified)) {
			fail_msg("the record of byte %u of %s's refused %s at 0x%" PRIx64
				 " did not come",
				 off, platform->config_name[dev], write ? "write" : "read", addr);
		}
		if (!same_device(&st.devid, &platform->devid[dev]) || st.fault_addr != addr + off) {
			fail_msg("a record says address 0x%" PRIx64 ", expected 0x%" PRIx64
				 " (piece of %s's %s)",
				 st.fault_addr, addr + off, platform->config_name[dev],
				 write ? "write" : "read");
		}
		raw_why = platform->check_raw
				  ? platform->check_raw(platform, st.hw_specific, dev, write, why)
				  : NULL;
		if (raw_why) {
			fail_msg("raw record 0x%016" PRIx64 " at 0x%" PRIx64 ": %s", st.hw_specific,
				 st.fault_addr, raw_why);
		}
	}
}

/* The listener's next record must be this refusal: device, address, notification, raw. */
static void expect_fault(unsigned dev, uint64_t addr, bool write, enum conf_why why)
{
	uint64_t granule = platform->fault_addr_granule;
	struct smmu_status st;
	bool notified = false;
	const char *raw_why;

	if (!conf_agent_wait_fault(listener, &st, &notified)) {
		fail_msg("no fault record reached the client for %s's refused %s at 0x%" PRIx64,
			 platform->config_name[dev], write ? "write" : "read", addr);
	}
	if (!same_device(&st.devid, &platform->devid[dev])) {
		fail_msg("the record names device type %u %u:%u.%u, expected %s (%s at 0x%" PRIx64
			 ")",
			 st.devid.type, st.devid.pci.bus, st.devid.pci.dev, st.devid.pci.func,
			 platform->config_name[dev], write ? "write" : "read", addr);
	}
	if ((st.fault_addr & ~(granule - 1)) != (addr & ~(granule - 1))) {
		fail_msg("the record of %s's %s says address 0x%" PRIx64 ", expected 0x%" PRIx64,
			 platform->config_name[dev], write ? "write" : "read", st.fault_addr, addr);
	}
	if (!notified) {
		fail_msg("the record at 0x%" PRIx64 " came without the smmu_xfer_notify() signal",
			 addr);
	}
	raw_why = platform->check_raw
			  ? platform->check_raw(platform, st.hw_specific, dev, write, why)
			  : NULL;
	if (raw_why) {
		fail_msg("raw record 0x%016" PRIx64 " of %s's %s at 0x%" PRIx64 ": %s",
			 st.hw_specific, platform->config_name[dev], write ? "write" : "read", addr,
			 raw_why);
	}
	expect_fault_pieces(dev, addr, write, why);
}

/* smmuctl probe of the access check_dma() is about to make; fails the case when it cannot
 * agree with `allowed` (down to `pa`, or the reason `why`). */
static void check_probe(unsigned dev, uint64_t iova, uint64_t pa, bool write, bool allowed,
			enum conf_why why)
{
	const char *what = write ? "write" : "read";
	uint64_t probe_pa = 0;
	char reason[32] = "";
	bool ok = conf_probe(dev, iova, write, &probe_pa, reason, sizeof(reason));

	if (ok != allowed) {
		fail_msg("smmuctl probe says %s's %s at 0x%" PRIx64 " is %s%s, expected %s",
			 platform->config_name[dev], what, iova,
			 ok ? "allowed" : "refused: ", reason, allowed ? "allowed" : "refused");
	}
	if (ok && probe_pa != pa) {
		fail_msg("smmuctl probe translates 0x%" PRIx64 " to 0x%" PRIx64
			 ", the DMA is expected at 0x%" PRIx64,
			 iova, probe_pa, pa);
	}
	if (!ok && why != CONF_WHY_ANY && strcmp(reason, why_word(why)) != 0) {
		fail_msg("smmuctl probe says '%s' for %s's %s at 0x%" PRIx64 ", expected '%s'",
			 reason, platform->config_name[dev], what, iova, why_word(why));
	}
}

/*
 * One DMA of `kind` by device `dev` at `iova`, its data observed at `pa`: smmuctl probe
 * first (which also makes the service know the device, so that a fault record can name
 * it), then the DMA, which must arrive exactly when the probe said so; a refusal must reach
 * the listener, or without one be counted by the service.
 */
static void check_dma(enum dma_kind kind, unsigned dev, uint64_t iova, uint64_t pa, bool allowed,
		      enum conf_why why)
{
	bool write = kind != DMA_READ;
	const char *what = write ? "write" : "read";
	/* Without a listener the service's own count is the record of a refusal. */
	bool count = !allowed && !listener && conf_rig.service > 0;
	uint64_t total_before = 0;
	bool arrived;

	if (conf_rig.service > 0) {
		check_probe(dev, iova, pa, write, allowed, why);
	}
	total_before = count ? conf_fault_total() : 0;
	arrived = kind == DMA_READ    ? conf_dma_read(dev, iova, pa)
		  : kind == DMA_WRITE ? conf_dma_write(dev, iova, pa)
				      : conf_dma_write_blind(dev, iova, pa);
	if (arrived != allowed) {
		fail_msg("%s's %s at 0x%" PRIx64 " %s, but the probe said it would %s",
			 platform->config_name[dev], what, iova,
			 arrived ? "arrived" : "was refused", allowed ? "arrive" : "be refused");
	}
	if (!allowed && listener) {
		expect_fault(dev, iova, write, why);
	}
	/* Also a barrier: a listener that connects later must not get this record (nor any
	 * piece of it). */
	for (int step = 0; count && step < CONF_RECORD_STEPS; step++) {
		uint64_t pieces =
			platform->fault_piece_size ? CONF_DMA_LEN / platform->fault_piece_size : 1;

		if (conf_fault_total() >= total_before + pieces) {
			count = false;
			break;
		}
		usleep(10 * 1000);
	}
	if (count) {
		fail_msg("the service recorded no fault for %s's refused %s at 0x%" PRIx64,
			 platform->config_name[dev], what, iova);
	}
}

/* The last check of a case: a DMA refused on purpose (device 1 never has SENTINEL mapped)
 * whose record must be the next one, so no allowed DMA of the case left a record. */
static void sentinel(void)
{
	uint64_t at = conf_ram(SENTINEL_OFFSET);

	check_dma(DMA_WRITE_BLIND, 1, at, at, REFUSED, CONF_WHY_ANY);
}

/* Releases the rig whatever happened; a service that did not exit 0 on SIGTERM (a crash,
 * a sanitizer report) fails the case. */
static int teardown(void **state)
{
	int status;

	(void)state;
	status = conf_rig_teardown();
	listener = NULL;
	if (status != 0) {
		fprintf(stderr, "the service exited with status %d on SIGTERM\n", status);
		return -1;
	}
	return 0;
}

/* An identity mapping lets the device read and write exactly the mapped memory. */
static void test_identity_mapping_allows_read_and_write(void **state)
{
	struct conf_agent *owner;
	int obj;

	(void)state;
	start_case(NULL);
	owner = new_client();
	obj = object_with(owner, 0);
	map_ok(owner, obj, SMF_READ | SMF_WRITE, region_a(), REGION_SIZE, 0);
	check_dma(DMA_READ, 0, region_a(), region_a(), ALLOWED, 0);
	check_dma(DMA_WRITE, 0, region_a() + 0x8000, region_a() + 0x8000, ALLOWED, 0);
	check_dma(DMA_WRITE, 0, region_a() + REGION_SIZE - 64, region_a() + REGION_SIZE - 64,
		  ALLOWED, 0);
	check_dma(DMA_WRITE, 0, region_a() + REGION_SIZE, region_a() + REGION_SIZE, REFUSED,
		  CONF_WHY_NOT_MAPPED);
	sentinel();
}

/*
 * A read-only mapping (SMF_READ: the device may read it) refuses the device's writes.  The
 * write comes before any read of its page: QEMU's intel-iommu (7.2) checks permissions of
 * a translation it has cached without recording a fault, so a write after a read would be
 * refused silently there (real hardware records it; VT-d 7.1.3).
 */
static void test_read_only_mapping_refuses_writes(void **state)
{
	struct conf_agent *owner;
	int obj;

	(void)state;
	start_case(NULL);
	owner = new_client();
	obj = object_with(owner, 0);
	map_ok(owner, obj, SMF_READ, region_a(), PAGE, 0);
	check_dma(DMA_WRITE, 0, region_a(), region_a(), REFUSED, CONF_WHY_READ_ONLY);
	check_dma(DMA_READ, 0, region_a(), region_a(), ALLOWED, 0);
	check_dma(DMA_READ, 0, region_a() + 0x100, region_a() + 0x100, ALLOWED, 0);
	sentinel();
}

/* An address nobody mapped is refused, read or write. */
static void test_unmapped_address_is_refused(void **state)
{
	struct conf_agent *owner;
	uint64_t unmapped = conf_ram(UNMAPPED_OFFSET);

	(void)state;
	start_case(NULL);
	owner = new_client();
	(void)object_with(owner, 0);
	check_dma(DMA_READ, 0, unmapped, unmapped, REFUSED, CONF_WHY_NOT_MAPPED);
	check_dma(DMA_WRITE, 0, unmapped + PAGE, unmapped + PAGE, REFUSED, CONF_WHY_NOT_MAPPED);
	sentinel();
}

/* An SMF_TARGET mapping sends the device's addresses to the target memory, not to the
 * memory of the same address. */
static void test_target_mapping_lands_at_its_target(void **state)
{
	uint64_t iova = conf_ram(TARGET_IOVA_OFFSET), pa = conf_ram(TARGET_PA_OFFSET);
	struct conf_agent *owner;
	int obj;

	(void)state;
	start_case(NULL);
	owner = new_client();
	obj = object_with(owner, 0);
	map_ok(owner, obj, SMF_TARGET | SMF_READ | SMF_WRITE, iova, REGION_SIZE, pa);
	/* Data is placed and looked for at the target; the probe must name it too. */
	check_dma(DMA_WRITE, 0, iova + 0x2000, pa + 0x2000, ALLOWED, 0);
	check_dma(DMA_READ, 0, iova + 0x3000, pa + 0x3000, ALLOWED, 0);
	check_dma(DMA_WRITE_BLIND, 0, iova + 0x4000, pa + 0x4000, ALLOWED, 0);
	/* The target memory has no identity mapping: as a device address it is unreachable. */
	check_dma(DMA_WRITE, 0, pa + 0x2000, pa + 0x2000, REFUSED, CONF_WHY_NOT_MAPPED);
	sentinel();
}

/* Removing a mapping revokes it at once: a DMA after the removal is refused, also when the
 * hardware had cached the translation; removing one page of a larger mapping keeps the
 * rest. */
static void test_removal_revokes(void **state)
{
	struct conf_agent *owner;
	int obj;

	(void)state;
	start_case(NULL);
	owner = new_client();
	obj = object_with(owner, 0);
	map_ok(owner, obj, SMF_READ | SMF_WRITE, region_a(), REGION_SIZE, 0);
	check_dma(DMA_READ, 0, region_a(), region_a(), ALLOWED, 0);
	check_dma(DMA_WRITE, 0, region_a(), region_a(), ALLOWED, 0);
	map_ok(owner, obj, SMF_NONE, region_a(), REGION_SIZE, 0);
	check_dma(DMA_READ, 0, region_a(), region_a(), REFUSED, CONF_WHY_NOT_MAPPED);
	check_dma(DMA_WRITE, 0, region_a() + 0x40, region_a() + 0x40, REFUSED, CONF_WHY_NOT_MAPPED);

	map_ok(owner, obj, SMF_READ | SMF_WRITE, region_b(), REGION_SIZE, 0);
	check_dma(DMA_WRITE, 0, region_b() + 0x4000, region_b() + 0x4000, ALLOWED, 0);
	map_ok(owner, obj, SMF_NONE, region_b() + 0x4000, PAGE, 0);
	check_dma(DMA_WRITE, 0, region_b() + 0x4000, region_b() + 0x4000, REFUSED,
		  CONF_WHY_NOT_MAPPED);
	check_dma(DMA_WRITE, 0, region_b() + 0x3000, region_b() + 0x3000, ALLOWED, 0);
	check_dma(DMA_WRITE, 0, region_b() + 0x5000, region_b() + 0x5000, ALLOWED, 0);
	sentinel();
}

/* Destroying the object revokes everything: the device goes back to its startup state,
 * which for a device without startup mappings is blocked. */
static void test_object_destroy_revokes(void **state)
{
	struct conf_agent *owner;
	int obj;

	(void)state;
	start_case(NULL);
	owner = new_client();
	obj = object_with(owner, 0);
	map_ok(owner, obj, SMF_READ | SMF_WRITE, region_a(), REGION_SIZE, 0);
	check_dma(DMA_WRITE, 0, region_a(), region_a(), ALLOWED, 0);
	conf_agent_obj_destroy(owner, obj);
	check_dma(DMA_WRITE_BLIND, 0, region_a(), region_a(), REFUSED, CONF_WHY_BLOCKED);
	check_dma(DMA_WRITE_BLIND, 0, conf_bounce(0), conf_bounce(0), REFUSED, CONF_WHY_BLOCKED);
	sentinel();
}

/* A client killed with SIGKILL loses its objects: once the service has seen the hang-up
 * (the probe says blocked), the device's DMA is refused. */
static void test_client_kill9_revokes(void **state)
{
	struct conf_agent *victim;
	char reason[32] = "";
	bool blocked = false;
	int obj;

	(void)state;
	start_case(NULL);
	victim = new_client();
	obj = object_with(victim, 0);
	map_ok(victim, obj, SMF_READ | SMF_WRITE, region_a(), REGION_SIZE, 0);
	check_dma(DMA_WRITE, 0, region_a(), region_a(), ALLOWED, 0);
	conf_agent_kill9(victim);
	for (int step = 0; step < CONF_HANGUP_STEPS && !blocked; step++) {
		blocked = !conf_probe(0, region_a(), true, NULL, reason, sizeof(reason)) &&
			  strcmp(reason, "blocked") == 0;
		if (!blocked) {
			usleep(10 * 1000);
		}
	}
	assert_true(blocked);
	check_dma(DMA_WRITE_BLIND, 0, region_a(), region_a(), REFUSED, CONF_WHY_BLOCKED);
	sentinel();
}

/* Two devices in objects of two clients reach their own memory and not each other's. */
static void test_two_devices_are_isolated(void **state)
{
	struct conf_agent *client_a, *client_b;
	int obj_a, obj_b;

	(void)state;
	start_case(NULL);
	client_a = new_client();
	client_b = new_client();
	obj_a = object_with(client_a, 0);
	obj_b = object_with(client_b, 1);
	map_ok(client_a, obj_a, SMF_READ | SMF_WRITE, region_a(), REGION_SIZE, 0);
	map_ok(client_b, obj_b, SMF_READ | SMF_WRITE, region_b(), REGION_SIZE, 0);
	check_dma(DMA_WRITE, 0, region_a(), region_a(), ALLOWED, 0);
	check_dma(DMA_WRITE, 1, region_b(), region_b(), ALLOWED, 0);
	check_dma(DMA_WRITE, 0, region_b(), region_b(), REFUSED, CONF_WHY_NOT_MAPPED);
	check_dma(DMA_READ, 1, region_a(), region_a(), REFUSED, CONF_WHY_NOT_MAPPED);
	check_dma(DMA_READ, 0, conf_bounce(1), conf_bounce(1), REFUSED, CONF_WHY_NOT_MAPPED);
	check_dma(DMA_READ, 1, region_b() + 0x1000, region_b() + 0x1000, ALLOWED, 0);
	sentinel();
}

/* A device moved to another object follows it in one step: the new object's mappings
 * apply, the old one's no longer do. */
static void test_device_moved_between_objects_follows(void **state)
{
	struct conf_agent *owner;
	int first, second;

	(void)state;
	start_case(NULL);
	owner = new_client();
	first = object_with(owner, 0);
	map_ok(owner, first, SMF_READ | SMF_WRITE, region_a(), REGION_SIZE, 0);
	second = conf_agent_obj_create(owner);
	assert_true(second >= 0);
	map_ok(owner, second, SMF_READ | SMF_WRITE, conf_bounce(0), PAGE, 0);
	map_ok(owner, second, SMF_READ | SMF_WRITE, region_b(), REGION_SIZE, 0);
	check_dma(DMA_WRITE, 0, region_a(), region_a(), ALLOWED, 0);
	check_dma(DMA_WRITE, 0, region_b(), region_b(), REFUSED, CONF_WHY_NOT_MAPPED);
	if (conf_agent_device_add(owner, second, 0) != 0) {
		fail_msg("moving the device: %s", strerror(errno));
	}
	check_dma(DMA_WRITE, 0, region_b(), region_b(), ALLOWED, 0);
	check_dma(DMA_WRITE, 0, region_a(), region_a(), REFUSED, CONF_WHY_NOT_MAPPED);
	check_dma(DMA_READ, 0, region_b() + 0x2000, region_b() + 0x2000, ALLOWED, 0);
	sentinel();
}

/* A superpage-sized, superpage-aligned mapping works at both ends and refuses beyond; one
 * page removed from its middle is refused while its neighbours stay. */
static void test_superpage_mapping_works(void **state)
{
	uint64_t base = conf_ram(SUPERPAGE_OFFSET), size = platform->superpage_size;
	struct conf_agent *owner;
	int obj;

	(void)state;
	assert_true(base % size == 0);
	start_case(NULL);
	owner = new_client();
	obj = object_with(owner, 0);
	map_ok(owner, obj, SMF_READ | SMF_WRITE, base, size, 0);
	check_dma(DMA_WRITE, 0, base, base, ALLOWED, 0);
	check_dma(DMA_READ, 0, base + size - 64, base + size - 64, ALLOWED, 0);
	check_dma(DMA_WRITE, 0, base + size / 2 + 0x80, base + size / 2 + 0x80, ALLOWED, 0);
	check_dma(DMA_READ, 0, base + size, base + size, REFUSED, CONF_WHY_NOT_MAPPED);
	map_ok(owner, obj, SMF_NONE, base + size / 2, PAGE, 0);
	check_dma(DMA_WRITE, 0, base + size / 2 + 0x80, base + size / 2 + 0x80, REFUSED,
		  CONF_WHY_NOT_MAPPED);
	check_dma(DMA_WRITE, 0, base + size / 2 + PAGE, base + size / 2 + PAGE, ALLOWED, 0);
	check_dma(DMA_READ, 0, base + size / 2 - 64, base + size / 2 - 64, ALLOWED, 0);
	sentinel();
}

/* Startup mappings from the configuration work before any client connects; other devices
 * are blocked; once a client takes the device and lets it go, the startup mappings apply
 * again. */
static void test_startup_mappings_work_before_any_client(void **state)
{
	char config[256];
	struct conf_agent *owner;
	int obj;

	(void)state;
	snprintf(config, sizeof(config),
		 "device %s conformance allow conformance 0x%" PRIx64 ",4K,st allow conformance "
		 "0x%" PRIx64 ",64K,st",
		 platform->config_name[0], conf_bounce(0), region_a());
	conf_rig_start_board(platform);
	conf_rig_start_service(config);
	check_dma(DMA_READ, 0, region_a(), region_a(), ALLOWED, 0);
	check_dma(DMA_WRITE, 0, region_a() + 0x1000, region_a() + 0x1000, ALLOWED, 0);
	check_dma(DMA_WRITE_BLIND, 0, region_b(), region_b(), REFUSED, CONF_WHY_NOT_MAPPED);
	check_dma(DMA_WRITE_BLIND, 1, region_a(), region_a(), REFUSED, CONF_WHY_BLOCKED);

	start_listener();
	check_dma(DMA_WRITE, 0, region_a() + REGION_SIZE, region_a() + REGION_SIZE, REFUSED,
		  CONF_WHY_NOT_MAPPED);
	owner = new_client();
	obj = object_with(owner, 0);
	check_dma(DMA_WRITE, 0, region_a(), region_a(), REFUSED, CONF_WHY_NOT_MAPPED);
	conf_agent_obj_destroy(owner, obj);
	check_dma(DMA_WRITE, 0, region_a(), region_a(), ALLOWED, 0);
	sentinel();
}

/* Stopping the service is the design safe state: every device is blocked, also the ones
 * that had mappings a moment before. */
static void test_service_stop_blocks_every_device(void **state)
{
	struct conf_agent *owner;
	int obj;

	(void)state;
	start_case(NULL);
	owner = new_client();
	obj = object_with(owner, 0);
	map_ok(owner, obj, SMF_READ | SMF_WRITE, region_a(), REGION_SIZE, 0);
	check_dma(DMA_WRITE, 0, region_a(), region_a(), ALLOWED, 0);
	assert_int_equal(conf_rig_stop_service(), 0);
	listener = NULL; /* its connection went with the service */
	check_dma(DMA_WRITE_BLIND, 0, region_a(), region_a(), REFUSED, CONF_WHY_BLOCKED);
	check_dma(DMA_WRITE_BLIND, 1, region_a(), region_a(), REFUSED, CONF_WHY_BLOCKED);
}

static bool program_in_path(const char *name)
{
	const char *path = getenv("PATH");
	char candidate[512];

	if (strchr(name, '/')) {
		return access(name, X_OK) == 0;
	}
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		snprintf(candidate, sizeof(candidate), "%.*s/%s", (int)n, p, name);
		if (access(candidate, X_OK) == 0) {
			return true;
		}
		p += n + (p[n] == ':');
	}
	return false;
}

/**
 * conformance_run() - every case on `p`.  Return: cmocka's count of failed cases, or 77
 * when the platform's QEMU is missing or lacks what the platform needs for every case
 * (meson's "skipped").
 */
int conformance_run(const struct conf_platform *p)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_identity_mapping_allows_read_and_write, teardown),
		cmocka_unit_test_teardown(test_read_only_mapping_refuses_writes, teardown),
		cmocka_unit_test_teardown(test_unmapped_address_is_refused, teardown),
		cmocka_unit_test_teardown(test_target_mapping_lands_at_its_target, teardown),
		cmocka_unit_test_teardown(test_removal_revokes, teardown),
		cmocka_unit_test_teardown(test_object_destroy_revokes, teardown),
		cmocka_unit_test_teardown(test_client_kill9_revokes, teardown),
		cmocka_unit_test_teardown(test_two_devices_are_isolated, teardown),
		cmocka_unit_test_teardown(test_device_moved_between_objects_follows, teardown),
		cmocka_unit_test_teardown(test_superpage_mapping_works, teardown),
		cmocka_unit_test_teardown(test_startup_mappings_work_before_any_client, teardown),
		cmocka_unit_test_teardown(test_service_stop_blocks_every_device, teardown),
	};
	const char *qemu = getenv("SMMU_BOARD_QEMU");

	qemu = qemu && *qemu ? qemu : p->qemu;
	if (!program_in_path(qemu)) {
		printf("1..0 # SKIP %s is not installed\n", qemu);
		return 77;
	}
	platform = p;
	conf_rig_install_signal_handlers();
	/* A client's write to a service that closed its socket must fail, not kill it. */
	signal(SIGPIPE, SIG_IGN);
	int failed = cmocka_run_group_tests_name(p->name, tests, NULL, NULL);

	/* Nothing ran: meson's "skipped", not a pass. */
	return failed == 0 && conf_skipped_count == sizeof(tests) / sizeof(tests[0]) ? 77 : failed;
}
