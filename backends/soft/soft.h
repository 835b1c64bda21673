/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to backends/soft/: the soft IOMMU, a software model of an IOMMU with no hardware
 * behind it, for tests and for trying configurations.  Its domains are real page tables built
 * by pgtable/ in host memory; translate() walks them as hardware would and records a fault
 * for every refused access, in a bounded queue signalled through an eventfd.
 *
 *   soft-backend.c  the descriptor, init/fini, `smmu soft PARAMS`
 *   soft-devspec.c  device specs of `unit NAME PARAMS`, fault keys
 *   soft-unit.c     units, devices, the fault queue
 *   soft-domain.c   domains (page tables), map/unmap, translate
 *   soft-module.c   the exported descriptor of smmu-soft.so
 *
 * Configuration (documented here because the soft IOMMU has no specification):
 *
 *   smmu soft [format=vtd|lpae-s1|lpae-s2]
 *       The page-table format of every domain, each with 4 KiB pages, 48-bit input and
 *       48-bit output addresses (VT-d 4-level second-level tables, or VMSAv8-64 stage 1 or
 *       stage 2).  Default vtd.  Parameters are KEY=VALUE words separated by commas or
 *       white space (the configuration passes PARAMS as one word, so commas are the usual
 *       form); an unknown key or value is -EINVAL after a log line naming it.
 *
 *   unit NAME none | DEVICE[,DEVICE...]
 *       The devices the unit controls without a `use` line: `pci:[SEG:]BUS:DEV.FUNC`
 *       (decimal unless prefixed 0x) or `mem:PADDR` (hexadecimal unless prefixed 0d, K/M/G
 *       allowed), the configuration's own spellings.  A memory device is named by its base
 *       alone (no `,LEN`: the comma separates devices).  `none` (or empty) lists nothing:
 *       such a unit controls only devices whose `use` line names it.  PCI segments other
 *       than 0 are refused (-EOPNOTSUPP): union smmu_devid cannot name them.
 *
 *   device SPEC use NAME
 *       Binds the device to the unit whatever its list says.  The soft IOMMU has no use
 *       parameter: a non-empty PARAM is -EINVAL after a log line, not silently ignored.
 *
 * State machines.
 *
 *   unit:    OFF --unit_enable()--> ON        (unit_destroy() from either)
 *            OFF: translation is off and refuses every access as BLOCKED, recording a fault
 *                 with SOFT_FAULT_RAW_OFF; tables may be built and devices attached.
 *            ON:  accesses are translated through the device's domain.
 *   device:  BLOCKED --device_attach(d)--> ATTACHED(d) --device_attach(NULL)--> BLOCKED
 *            ATTACHED(d) --device_attach(d2)--> ATTACHED(d2), in one step.
 *            BLOCKED: domain == NULL, every access refused as BLOCKED.
 *            ATTACHED(d): domain == d, d->unit == device->unit, counted in d->attached_count.
 *
 * Ownership: the unit owns its devices, its domains, its table memory (one pt_host_mem pool
 * shared by its domains) and its fault eventfd.  The core frees devices and domains before
 * their unit; unit_destroy() frees any it was left (a broken contract, so also NEVER()).
 * Single-threaded, as the whole service: no locks.
 */
#ifndef SMMU_BACKENDS_SOFT_SOFT_H
#define SMMU_BACKENDS_SOFT_SOFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/bitfield.h"
#include "common/compiler.h"
#include "common/list.h"
#include "common/quote.h"
#include "core/backend.h"
#include "pgtable/pgtable.h"
#include "pgtable/pt-host-mem.h"

/*
 * Fault records a unit holds until fault_drain().  VT-d has at most 256 fault-recording
 * registers (CAP.NFR is 8 bits, "number of fault-recording registers minus 1"); the soft
 * IOMMU keeps as many.  When the queue is full a new fault is dropped and counted, as VT-d
 * drops it and sets the Primary Fault Overflow bit: the oldest records are the ones that
 * explain what went wrong first.  The count is logged once by the next fault_drain().
 */
#define SOFT_FAULT_QUEUE_LENGTH 256u

/*
 * Table memory one unit may hold.  A client can make the unit build tables by mapping, so it
 * is bounded (STYLE.md 7); exhausting it makes map() fail with -ENOMEM.  256 MiB of 4 KiB
 * tables describes more than 100 GiB of 4 KiB pages.  The pool is reserved, not committed:
 * pages are used only as tables are built.
 */
#define SOFT_TABLE_POOL_SIZE ((size_t)256 << 20)

/* Devices one `unit` line may list.  The configuration's line length already bounds the
 * list to about a thousand; this bounds the array whatever reaches unit_create(). */
#define SOFT_UNIT_MAX_LISTED 4096u

/* The page-table shape of every soft domain, whatever the format (see above). */
#define SOFT_PT_IAS 48u
#define SOFT_PT_OAS 48u
#define SOFT_PT_GRANULE_LG2 12u

/*
 * Fault key (device_bind's *ret_fault_key, smmu_backend_fault.device_key): unique per device
 * within a unit and stable across unbind/bind, so the core can name the device of a fault.
 *  - PCI: the VT-d source-id (bus << 8 | dev << 3 | func) with the segment above it;
 *  - memory devices: bit 63 set, the register base below (physical addresses need at most
 *    52 bits; a base with bit 63 set is refused).
 */
#define SOFT_KEY_MMIO BIT(63)
#define SOFT_KEY_MMIO_ADDR GENMASK(62, 0)
#define SOFT_KEY_PCI_SEGMENT GENMASK(31, 16)
#define SOFT_KEY_PCI_BUS GENMASK(15, 8)
#define SOFT_KEY_PCI_DEV GENMASK(7, 3)
#define SOFT_KEY_PCI_FUNC GENMASK(2, 0)

/*
 * The raw record of a soft fault (smmu_backend_fault.raw, smmu_status.hw_specific).
 * Bits not named here are zero.
 */
#define SOFT_FAULT_RAW_REASON GENMASK(7, 0)  /* enum smmu_refusal */
#define SOFT_FAULT_RAW_ACCESS GENMASK(15, 8) /* enum smmu_access */
#define SOFT_FAULT_RAW_LEVEL GENMASK(19, 16) /* the leaf's level (0 = 4 KiB), when LEAF */
#define SOFT_FAULT_RAW_LEAF BIT(20)	     /* a leaf maps the address (a permission fault) */
#define SOFT_FAULT_RAW_OFF BIT(21)	     /* refused because the unit was not enabled yet */

enum soft_unit_state {
	SOFT_UNIT_OFF,
	SOFT_UNIT_ON,
};

/* Owner: the core, through unit_create()/unit_destroy(). */
struct smmu_backend_unit {
	char *name;
	enum soft_unit_state state;
	struct pt_cfg pt_cfg;  /* copied from the backend's at creation */
	uint64_t *listed_keys; /* fault keys of the devices the unit line lists */
	size_t listed_count;
	struct smmu_list_link devices; /* struct smmu_backend_device.link */
	struct smmu_list_link domains; /* struct smmu_backend_domain.link */
	struct pt_host_mem *table_mem; /* every table of every domain of the unit */
	struct pt_allocator table_alloc;
	int fault_fd; /* eventfd, readable while the queue holds records */
	/* Ring of pending faults: queue_count records from queue_head on. */
	struct smmu_backend_fault queue[SOFT_FAULT_QUEUE_LENGTH];
	unsigned queue_head;
	unsigned queue_count;
	uint64_t lost_count; /* dropped since the last fault_drain() reported them */
};

/* Owner: the unit; created by device_bind(), freed by device_unbind(). */
struct smmu_backend_device {
	struct smmu_list_link link;
	struct smmu_backend_unit *unit;
	struct smmu_backend_domain *domain; /* NULL: blocked */
	uint64_t key;
};

/* Owner: the unit; created by domain_create(), freed by domain_destroy(). */
struct smmu_backend_domain {
	struct smmu_list_link link;
	struct smmu_backend_unit *unit;
	struct pt_space *space;
	size_t attached_count; /* devices whose domain this is */
};

/* soft-backend.c */
extern const struct smmu_backend soft_backend;
const struct smmu_backend_host *soft_host(void);
const struct pt_cfg *soft_pt_cfg(void);
void soft_log(int priority, const char *fmt, ...) SMMU_PRINTF(2, 3);
void smmu_quote(const char *text, size_t len, char *buf, size_t size);
int soft_init(const struct smmu_backend_host *host, const char *params);
void soft_fini(void);
void soft_unit_created(void);
void soft_unit_destroyed(void);

/* soft-devspec.c */
int soft_devspec_parse(const char *text, size_t len, uint64_t *ret_key, const char **ret_why);
int soft_devid_key(const union smmu_devid *devid, uint64_t *ret_key);

/* soft-unit.c */
int soft_unit_create(const char *name, const char *params, struct smmu_backend_unit **ret_unit);
void soft_unit_destroy(struct smmu_backend_unit *unit);
int soft_unit_enable(struct smmu_backend_unit *unit);
int soft_device_bind(struct smmu_backend_unit *unit, const union smmu_devid *devid,
		     const char *use_param, struct smmu_backend_device **ret_device,
		     uint64_t *ret_fault_key);
void soft_device_unbind(struct smmu_backend_device *device);
int soft_device_attach(struct smmu_backend_device *device, struct smmu_backend_domain *domain);
void soft_fault_record(struct smmu_backend_unit *unit, const struct smmu_backend_fault *fault);
int soft_fault_drain(struct smmu_backend_unit *unit, unsigned budget);
int soft_fault_fd(struct smmu_backend_unit *unit);

/* soft-domain.c */
int soft_domain_create(struct smmu_backend_unit *unit, struct smmu_backend_domain **ret_domain);
void soft_domain_destroy(struct smmu_backend_domain *domain);
int soft_map(struct smmu_backend_domain *domain, uint64_t iova, uint64_t pa, uint64_t size,
	     unsigned prot);
int soft_unmap(struct smmu_backend_domain *domain, uint64_t iova, uint64_t size);
int soft_map_batch(struct smmu_backend_domain *domain, const struct smmu_backend_range *ranges,
		   size_t count, size_t *ret_done);
int soft_unmap_batch(struct smmu_backend_domain *domain, const struct smmu_backend_range *ranges,
		     size_t count, size_t *ret_done);
int soft_translate(struct smmu_backend_device *device, uint64_t iova, unsigned access,
		   uint64_t *ret_pa, unsigned *ret_refusal);

/* One initializer for both descriptors (soft_backend here, smmu_backend in the module), so
 * the unit tests exercise exactly the table the shared object exports. */
#define SOFT_BACKEND_DESCRIPTOR                                                               \
	{                                                                                     \
		.abi_version = SMMU_BACKEND_ABI_VERSION, .size = sizeof(struct smmu_backend), \
		.name = "soft", .init = soft_init, .fini = soft_fini,                         \
		.unit_create = soft_unit_create, .unit_destroy = soft_unit_destroy,           \
		.unit_enable = soft_unit_enable, .device_bind = soft_device_bind,             \
		.device_unbind = soft_device_unbind, .device_attach = soft_device_attach,     \
		.domain_create = soft_domain_create, .domain_destroy = soft_domain_destroy,   \
		.map = soft_map, .unmap = soft_unmap, .map_batch = soft_map_batch,            \
		.unmap_batch = soft_unmap_batch, .translate = soft_translate,                 \
		.fault_drain = soft_fault_drain, .fault_fd = soft_fault_fd,                   \
	}

#endif
