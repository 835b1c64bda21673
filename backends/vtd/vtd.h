/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to backends/vtd/: smmu-vtd.so, the support library for Intel VT-d remapping units
 * (DRHDs) in legacy translation mode: root and context tables, second-level page tables
 * built by pgtable/, a domain id per domain, context-cache and IOTLB invalidation, fault
 * recording.  It reaches registers and table memory only through hw/, so the same code runs
 * on a real machine (devmem) and against QEMU's intel-iommu model (qtest).
 *
 * What it does not do: scalable mode, first-level or nested translation, PASIDs, device-TLBs
 * (ATS), interrupt remapping (left exactly as found), fault interrupts (see "Faults"), ACPI
 * discovery (firmware/ turns the DMAR into `unit` and `device ... use` lines and `reserved`
 * regions, RMRRs included, which the core maps; this library only reads `unit` lines).
 *
 *   vtd-backend.c  the descriptor, init/fini, the bus and table memory shared by all units
 *   vtd-params.c   `smmu vtd PARAMS` and `unit NAME PARAMS` (pure)
 *   vtd-cap.c      VER/CAP/ECAP decoding and what this library can drive (pure)
 *   vtd-entry.c    root and context entries, fault records, invalidation encodings (pure)
 *   vtd-unit.c     units: probe, takeover, enable, destroy, register access, error state
 *   vtd-inv.c      invalidation: batches, register-based or queued
 *   vtd-qi.c       the invalidation queue
 *   vtd-device.c   context tables, device bind/unbind/attach
 *   vtd-domain.c   domain ids, second-level tables, map/unmap, translate
 *   vtd-fault.c    draining the fault-recording registers
 *   vtd-module.c   the exported descriptor of smmu-vtd.so
 *
 * Configuration (QNX SMMUMAN "x86 — Intel VT-d", reference/qnx-smmuman.md 2.5.1):
 *
 *   smmu vtd [require|ignore]
 *       Whether ACPI describes the units.  Discovery happens before the configuration reaches
 *       the service (firmware/ adds the units it found), so this library only accepts the
 *       words: one of them at most, separated by commas or white space.  Anything else is
 *       -EINVAL after a log line naming it.
 *
 *   unit NAME PADDR[,include-all][,register-invalidation]
 *       PADDR: the unit's register base, hexadecimal unless prefixed 0d (K/M/G allowed), 4 KiB
 *       aligned.  include-all: the unit is a DRHD with INCLUDE_PCI_ALL and controls every PCI
 *       device no other unit claims.  register-invalidation: use the register-based
 *       invalidation interface even when ECAP.QI offers the queue (QEMU always offers it, so
 *       this is how the register path is tested; it is also a way around a broken queue).
 *       Unknown words are -EINVAL after a log line.
 *
 *   device pci:BUS:DEV.FUNC use NAME
 *       Binds the device to the unit.  VT-d has no use parameter: a non-empty one is -EINVAL
 *       after a log line.  Without a `use` line a PCI device is bound to a unit only if the
 *       unit is include-all.  Memory-mapped devices are never VT-d's (-ENOENT).  The fault
 *       key of a device is its source-id, bus << 8 | device << 3 | function (VT-d 3.4.1);
 *       all devices are on PCI segment 0 (union smmu_devid has no segment).
 *
 *   platform NAME PARAMS
 *       Where the hardware is, a hw_open() spec (hw/hw.h), "devmem" when absent.  The spec
 *       must reserve table memory (tables=ADDR,SIZE): init fails with a log line otherwise.
 *
 * Decisions:
 *
 *  - Tables: one root table per unit, a context table per bus that has a bound device
 *    (kept until the unit is destroyed), second-level tables per domain from pgtable/ with
 *    the unit's AGAW: the smallest of 39 (3-level) and 48 bits (4-level) that covers
 *    CAP.MGAW among those SAGAW offers, else the larger one offered; a unit offering neither
 *    is refused at unit_create.  Superpages as CAP.SLLPS allows.  Input addresses at or
 *    above 2^MGAW are -ERANGE at map().  The registers do not give the host address width
 *    (the DMAR does); MGAW bounds output addresses as well, as it equals HAW on Intel's
 *    parts and in QEMU's model.
 *  - Domain ids: one per domain, from 1 to 2^(4 + 2 * CAP.ND) - 1 (at most 65535); 0 is never
 *    used (caching mode reserves it, and an id of 0 in a dump then means "no domain").
 *  - A bound device that is in no domain has a context entry that is not present: every DMA
 *    faults with reason 2 "context entry not present" (appendix A), recorded with its
 *    source-id.  A device the service does not know faults the same way (or with reason 1
 *    when its bus has no context table).  Context entries never set FPD, so no fault is
 *    suppressed, and never use pass-through.
 *  - Attach writes the context entry (domain id, SLPTPTR = the domain's root, AW) and
 *    invalidates: context cache device-selective, IOTLB domain-selective for the domain the
 *    device leaves.  Moving between domains passes through "not present": the old entry is
 *    cleared and invalidated before the new one is written, so the 128-bit entry is never
 *    seen half old, half new (which would cache the old domain's translations under the new
 *    domain id).  A DMA during the switch faults; it never reaches either domain wrongly.
 *  - Invalidation is queued when ECAP.QI says so (unless register-invalidation), completion
 *    by an invalidation wait descriptor with IF, polled in ICS.IWC (VT-d 6.5.2.8; the
 *    interrupt stays masked in IECTL), otherwise through CCMD and the IOTLB registers.
 *    Unmap invalidates the gathered ranges page-selectively when CAP.PSI allows (address
 *    mask up to CAP.MAMV), domain-selectively otherwise.  With CAP.CM a map is invalidated
 *    too (not-present entries may be cached); without it a map needs only a write-buffer
 *    flush, and that only when CAP.RWBF.  Nothing is invalidated while the hardware does
 *    not read the unit's tables (before unit_enable).
 *  - Translation: unit_create changes nothing a device could notice unless translation is
 *    already on (firmware, a previous run, kexec): then the unit is switched at once to the
 *    blocking root table (below), with global invalidations, before any table memory is
 *    allocated, and stays blocking until unit_enable.  unit_enable points RTADDR at the
 *    unit's root table (SRTP), invalidates globally and only then sets TE: by then the core
 *    has attached or blocked every configured device, so none has unrestricted access
 *    after the service took over.
 *  - The blocking root table: the first page of table memory, allocated at init, all zero
 *    (every root entry not present), never written.  unit_destroy leaves translation on and
 *    points the unit at it: the design safe state, every DMA refused, no device regains
 *    unrestricted access when the service stops.  Turning TE off would give every device
 *    access to all memory.  A unit that never had translation on is left off.  The next run
 *    allocates the same page first, so a unit left blocking never walks rewritten memory.
 *  - Faults: the fault-recording registers (CAP.FRO, CAP.NFR + 1 of them) are drained from
 *    FSTS.FRI on, each F bit cleared by writing 1, overflow (FSTS.PFO) logged and cleared.
 *    Records are reported with device_key = source-id, address = fault info (the page
 *    address), access from T (1 read, 0 write) and raw = bits 127:64 of the record as the
 *    hardware wrote it (SID 15:0, PP 31, FR 39:32, PV 59:40, AT 61:60, T 62, F 63): the
 *    reason code is in it; the low half is the address, already in `address`.
 *    Fault events are not used: under qtest there is no guest to take an interrupt, and an
 *    MSI needs interrupt routing this service does not own.  FECTL.IM stays set and
 *    fault_fd() is -1, so the server polls fault_drain() (every 10 ms).  Records left from
 *    before unit_create are cleared then, with a log line counting them.
 *  - translate() walks the live tables from memory as the hardware does: root entry,
 *    context entry, the domain found by the entry's domain id and checked against SLPTPTR,
 *    then the domain's second-level tables.  It never records a fault (only the hardware
 *    records faults here).  With translation off it reports what the hardware does: the
 *    address passes untranslated.
 *  - Errors: a register handshake that does not complete within its timeout (or a bus that
 *    fails) puts the unit in its error state: logged once, and every later change is
 *    -EIO; the hardware keeps the last state written, which is never less restrictive than
 *    the state the core asked for, because every change that widens access (map, attach)
 *    is written before the invalidation it waits for and rolled back when that fails.
 *
 * State machines.
 *
 *   unit:   OFF --unit_enable()--> ON            (vtd_unit_enable)
 *           OFF, ON --register timeout--> BROKEN  (vtd_unit_fail)
 *           any --unit_destroy()--> gone          (vtd_unit_destroy)
 *           OFF: the hardware does not read the unit's root table: TE off, or TE on with
 *                RTADDR at the blocking root (hw_blocking).  Tables change without
 *                invalidation.
 *           ON:  TE on, RTADDR at unit->root_pa.  Every change is invalidated before the
 *                call returns.
 *           BROKEN: changes are refused with -EIO; faults are still drained; destroy does
 *                not touch the hardware and keeps the unit's table memory allocated, as
 *                the unmap (or rollback) that broke it keeps the tables it unlinked.
 *   device: BLOCKED --device_attach(d)--> ATTACHED(d) --device_attach(NULL)--> BLOCKED
 *           ATTACHED(d) --device_attach(d2)--> ATTACHED(d2), through a cleared entry.
 *           BLOCKED: context entry not present, domain == NULL.
 *           ATTACHED(d): context entry present with d's id and root; d->attached_count
 *                counts it.
 *
 * Ownership: the backend (vtd-backend.c) owns the bus, the table memory and the blocking
 * root; a unit owns its devices, its domains, its root and context tables, its queue and
 * its domain-id bitmap.  The core frees devices and domains before their unit.
 * Single-threaded, as the whole service: no locks.
 */
#ifndef SMMU_BACKENDS_VTD_VTD_H
#define SMMU_BACKENDS_VTD_VTD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/vtd/vtd-regs.h"
#include "common/compiler.h"
#include "common/list.h"
#include "common/quote.h"
#include "core/backend.h"
#include "pgtable/pgtable.h"

struct hw_bus;
struct hw_table_mem;

/*
 * Timeout of every register handshake (GCMD/GSTS, CCMD.ICC, IOTLB.IVT) and of a queued
 * invalidation's wait descriptor.  Linux's DMAR_OPERATION_TIMEOUT is one second for the same
 * handshakes (drivers/iommu/intel/dmar.c); hardware completes them in microseconds and QEMU
 * within the write itself, so reaching it means the unit is not answering.
 */
#define VTD_REG_TIMEOUT_US 1000000u

/*
 * Invalidations one batch holds: one unmap gathers at most PT_GATHER_MAX_RANGES ranges, an
 * attach needs two requests, enable two.  The queue must hold a batch plus its wait
 * descriptor (VTD_QI_LENGTH).
 */
#define VTD_INV_BATCH_MAX (PT_GATHER_MAX_RANGES + 2)

/* The invalidation queue: one 4 KiB page of 128-bit descriptors (IQA.QS = 0). */
#define VTD_QI_PAGE_SIZE 4096u
#define VTD_QI_LENGTH (VTD_QI_PAGE_SIZE / VTD_INV_DESC_SIZE)

/* Domain ids a unit hands out at most: 16 bits of DID (CAP.ND = 6). */
#define VTD_MAX_DOMAIN_IDS 65536u

/* A reason sentence. */
#define VTD_WHY_SIZE 192

/* `smmu vtd PARAMS`. */
enum vtd_acpi_mode {
	VTD_ACPI_OPTIONAL = 0, /* neither word: ACPI used when present */
	VTD_ACPI_REQUIRE,
	VTD_ACPI_IGNORE,
};

struct vtd_params {
	enum vtd_acpi_mode acpi;
};

/* `unit NAME PARAMS`. */
struct vtd_unit_params {
	uint64_t reg_base;
	bool include_all;
	bool register_invalidation;
};

/* What VER, CAP and ECAP say, decoded, and what this library will use. */
struct vtd_caps {
	uint32_t ver;
	uint64_t cap;
	uint64_t ecap;
	unsigned domain_id_count;  /* 2^(4 + 2 * ND), at most VTD_MAX_DOMAIN_IDS */
	unsigned agaw;		   /* input bits of the tables used: 39 or 48 */
	unsigned context_aw;	   /* the context entry's AW for agaw: 1 or 2 */
	unsigned mgaw;		   /* CAP.MGAW + 1 */
	unsigned input_bits;	   /* input address bits mapped: min(agaw, mgaw) */
	uint64_t pgsize_bitmap;	   /* 4 KiB, and 2 MiB / 1 GiB as SLLPS allows */
	uint64_t fault_reg_offset; /* of the first fault-recording register */
	unsigned fault_reg_count;
	uint64_t iotlb_reg_offset; /* of the IOTLB registers (IVA first) */
	unsigned mamv;
	bool psi;
	bool rwbf;
	bool caching_mode;
	bool qi;
	bool drain_read;
	bool drain_write;
};

/* A context entry, decoded. */
struct vtd_context {
	bool present;
	bool fpd;
	unsigned tt;
	unsigned aw;
	uint16_t did;
	uint64_t slptptr;
};

/* One invalidation request, whatever interface carries it. */
enum vtd_inv_kind {
	VTD_INV_CONTEXT = 1,
	VTD_INV_IOTLB,
};

struct vtd_inv_req {
	enum vtd_inv_kind kind;
	unsigned granularity; /* VTD_CC_* or VTD_IOTLB_* */
	uint16_t did;
	uint16_t sid;  /* VTD_CC_DEVICE */
	uint64_t addr; /* VTD_IOTLB_PAGE: aligned to 2^(12 + am) */
	unsigned am;
	bool drain_read;
	bool drain_write;
};

struct vtd_inv_batch {
	struct vtd_inv_req req[VTD_INV_BATCH_MAX];
	unsigned count;
};

enum vtd_unit_state {
	VTD_UNIT_OFF,
	VTD_UNIT_ON,
	VTD_UNIT_BROKEN,
};

/* Owner: the core, through unit_create()/unit_destroy(). */
struct smmu_backend_unit {
	char *name;
	struct vtd_unit_params params;
	struct vtd_caps caps;
	enum vtd_unit_state state;
	/* The hardware as last written: TE, and whether RTADDR is the blocking root. */
	bool hw_te;
	bool hw_blocking;
	bool qi_enabled;
	/* What was broken, for the one log line and later refusals. */
	char broken_why[VTD_WHY_SIZE];
	struct pt_cfg pt_cfg;
	/* Root table, allocated with the first device or at enable; 0 until then. */
	uint64_t *root_cpu;
	uint64_t root_pa;
	/* Context tables by bus; NULL until a device on that bus is bound. */
	uint64_t *context_cpu[VTD_ROOT_ENTRY_COUNT];
	uint64_t context_pa[VTD_ROOT_ENTRY_COUNT];
	/* The invalidation queue, while qi_enabled. */
	uint64_t *queue_cpu;
	uint64_t queue_pa;
	unsigned queue_tail;
	uint64_t *did_bitmap;	       /* bit n set: domain id n in use */
	struct smmu_list_link devices; /* struct smmu_backend_device.link */
	struct smmu_list_link domains; /* struct smmu_backend_domain.link */
	uint64_t lost_fault_count;
};

/* Owner: the unit; created by device_bind(), freed by device_unbind(). */
struct smmu_backend_device {
	struct smmu_list_link link;
	struct smmu_backend_unit *unit;
	struct smmu_backend_domain *domain; /* NULL: blocked */
	uint16_t sid;
};

/* Owner: the unit; created by domain_create(), freed by domain_destroy(). */
struct smmu_backend_domain {
	struct smmu_list_link link;
	struct smmu_backend_unit *unit;
	struct pt_space *space;
	uint64_t root_pa;
	uint16_t did;
	size_t attached_count;
};

/* vtd-backend.c */
extern const struct smmu_backend vtd_backend;
int vtd_init(const struct smmu_backend_host *host, const char *params);
void vtd_fini(void);
const struct smmu_backend_host *vtd_host(void);
struct hw_bus *vtd_bus(void);
struct hw_table_mem *vtd_tables(void);
const struct pt_allocator *vtd_table_allocator(void);
uint64_t vtd_blocking_root_pa(void);
int vtd_table_alloc(void **ret_cpu, uint64_t *ret_pa);
void vtd_table_free(void *cpu, uint64_t pa);
void vtd_table_keep(bool keep);
void vtd_unit_created(void);
void vtd_unit_destroyed(void);
void vtd_log(int priority, const char *fmt, ...) SMMU_PRINTF(2, 3);
void smmu_quote(const char *text, size_t len, char *buf, size_t size);

/* vtd-params.c */
int vtd_params_parse(const char *text, struct vtd_params *ret_params, char *why, size_t why_size);
int vtd_unit_params_parse(const char *text, struct vtd_unit_params *ret_params, char *why,
			  size_t why_size);

/* vtd-cap.c */
int vtd_caps_decode(uint32_t ver, uint64_t cap, uint64_t ecap, struct vtd_caps *ret_caps, char *why,
		    size_t why_size);
void vtd_caps_describe(const struct vtd_caps *caps, char *buf, size_t size);

/* vtd-entry.c */
uint16_t vtd_source_id(unsigned bus, unsigned dev, unsigned func);
void vtd_root_entry_encode(uint64_t context_table_pa, uint64_t ret_entry[2]);
bool vtd_root_entry_decode(const uint64_t entry[2], uint64_t *ret_context_table_pa);
void vtd_context_encode(uint16_t did, uint64_t slptptr, unsigned aw, uint64_t ret_entry[2]);
int vtd_context_decode(const uint64_t entry[2], struct vtd_context *ret_context);
void vtd_fault_record_decode(uint64_t word0, uint64_t word1, struct smmu_backend_fault *ret);
const char *vtd_fault_reason_name(unsigned reason);
int vtd_psi_plan(uint64_t start, uint64_t last, unsigned mamv, uint64_t *ret_addr,
		 unsigned *ret_am);
void vtd_inv_desc_encode(const struct vtd_inv_req *req, uint64_t ret_desc[2]);
void vtd_inv_wait_desc_encode(uint64_t ret_desc[2]);
uint64_t vtd_ccmd_encode(const struct vtd_inv_req *req);
uint64_t vtd_iotlb_reg_encode(const struct vtd_inv_req *req);
uint64_t vtd_iva_encode(const struct vtd_inv_req *req);

/* vtd-unit.c */
int vtd_unit_create(const char *name, const char *params, struct smmu_backend_unit **ret_unit);
void vtd_unit_destroy(struct smmu_backend_unit *unit);
int vtd_unit_enable(struct smmu_backend_unit *unit);
int vtd_unit_fail(struct smmu_backend_unit *unit, int err, const char *fmt, ...) SMMU_PRINTF(3, 4);
int vtd_unit_check(const struct smmu_backend_unit *unit);
bool vtd_unit_live(const struct smmu_backend_unit *unit);
int vtd_unit_root_prepare(struct smmu_backend_unit *unit);
int vtd_reg_read32(struct smmu_backend_unit *unit, uint64_t offset, uint32_t *ret_value);
int vtd_reg_read64(struct smmu_backend_unit *unit, uint64_t offset, uint64_t *ret_value);
int vtd_reg_write32(struct smmu_backend_unit *unit, uint64_t offset, uint32_t value);
int vtd_reg_write64(struct smmu_backend_unit *unit, uint64_t offset, uint64_t value);
int vtd_reg_poll32(struct smmu_backend_unit *unit, uint64_t offset, uint32_t mask, uint32_t want,
		   const char *what);
int vtd_gcmd(struct smmu_backend_unit *unit, uint32_t bit, bool set);
int vtd_write_buffer_flush(struct smmu_backend_unit *unit);

/* vtd-inv.c */
void vtd_inv_batch_init(struct vtd_inv_batch *batch);
void vtd_inv_add_context(struct vtd_inv_batch *batch, unsigned granularity, uint16_t did,
			 uint16_t sid);
void vtd_inv_add_iotlb(const struct smmu_backend_unit *unit, struct vtd_inv_batch *batch,
		       unsigned granularity, uint16_t did, uint64_t addr, unsigned am);
void vtd_inv_add_ranges(const struct smmu_backend_unit *unit, struct vtd_inv_batch *batch,
			uint16_t did, const struct pt_range *range, unsigned range_count);
int vtd_inv_run(struct smmu_backend_unit *unit, const struct vtd_inv_batch *batch);
int vtd_inv_global(struct smmu_backend_unit *unit);

/* vtd-qi.c */
int vtd_qi_enable(struct smmu_backend_unit *unit);
int vtd_qi_disable(struct smmu_backend_unit *unit);
int vtd_qi_submit(struct smmu_backend_unit *unit, const struct vtd_inv_batch *batch);

/* vtd-device.c */
int vtd_device_bind(struct smmu_backend_unit *unit, const union smmu_devid *devid,
		    const char *use_param, struct smmu_backend_device **ret_device,
		    uint64_t *ret_fault_key);
void vtd_device_unbind(struct smmu_backend_device *device);
int vtd_device_attach(struct smmu_backend_device *device, struct smmu_backend_domain *domain);
uint64_t *vtd_context_slot(struct smmu_backend_unit *unit, uint16_t sid);

/* vtd-domain.c */
int vtd_domain_create(struct smmu_backend_unit *unit, struct smmu_backend_domain **ret_domain);
void vtd_domain_destroy(struct smmu_backend_domain *domain);
int vtd_map(struct smmu_backend_domain *domain, uint64_t iova, uint64_t pa, uint64_t size,
	    unsigned prot);
int vtd_unmap(struct smmu_backend_domain *domain, uint64_t iova, uint64_t size);
int vtd_map_batch(struct smmu_backend_domain *domain, const struct smmu_backend_range *ranges,
		  size_t count, size_t *ret_done);
int vtd_unmap_batch(struct smmu_backend_domain *domain, const struct smmu_backend_range *ranges,
		    size_t count, size_t *ret_done);
int vtd_translate(struct smmu_backend_device *device, uint64_t iova, unsigned access,
		  uint64_t *ret_pa, unsigned *ret_refusal);

/* vtd-fault.c */
int vtd_fault_drain(struct smmu_backend_unit *unit, unsigned budget);
int vtd_fault_fd(struct smmu_backend_unit *unit);
int vtd_fault_clear_stale(struct smmu_backend_unit *unit, unsigned *ret_cleared);

/* One initializer for both descriptors (vtd_backend here, smmu_backend in the module), so
 * the unit tests exercise exactly the table the shared object exports. */
#define VTD_BACKEND_DESCRIPTOR                                                                     \
	{                                                                                          \
		.abi_version = SMMU_BACKEND_ABI_VERSION, .size = sizeof(struct smmu_backend),      \
		.name = "vtd", .init = vtd_init, .fini = vtd_fini, .unit_create = vtd_unit_create, \
		.unit_destroy = vtd_unit_destroy, .unit_enable = vtd_unit_enable,                  \
		.device_bind = vtd_device_bind, .device_unbind = vtd_device_unbind,                \
		.device_attach = vtd_device_attach, .domain_create = vtd_domain_create,            \
		.domain_destroy = vtd_domain_destroy, .map = vtd_map, .unmap = vtd_unmap,          \
		.map_batch = vtd_map_batch, .unmap_batch = vtd_unmap_batch,                        \
		.translate = vtd_translate, .fault_drain = vtd_fault_drain,                        \
		.fault_fd = vtd_fault_fd,                                                          \
	}

#endif
