/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to backends/smmuv3/: smmu-smmuv3.so, the support library for ARM SMMUv3 units
 * (IHI 0070): a stream table (linear or two-level), one context descriptor per stage-1
 * domain with LPAE stage-1 tables from pgtable/, or LPAE stage-2 tables per stage-2 domain,
 * the command queue for configuration and TLB invalidation, and the event queue drained into
 * the core's fault queues.  It reaches registers and table memory only through hw/, so the
 * same code runs on a real machine (devmem) and against QEMU's smmuv3 model (qtest).
 *
 * What it does not do: substreams (PASIDs; S1CDMAX is 0), nested translation, ATS and PRI,
 * stalls, MSIs and interrupts (see "Events"), 16 KiB and 64 KiB granules, 52-bit addresses,
 * range invalidation (IDR3.RIL), firmware discovery (config/ turns IORT and device-tree
 * nodes into `unit` and `device ... use` lines; this library only reads them).
 *
 *   smmuv3-backend.c  the descriptor, init/fini, the bus, table memory, the blocking table
 *   smmuv3-params.c   `smmu smmuv3 PARAMS` and `unit NAME PARAMS` (pure)
 *   smmuv3-idr.c      ID register decoding and what this library can drive (pure)
 *   smmuv3-entry.c    STE, CD, level-1 descriptor, command and event encodings (pure)
 *   smmuv3-unit.c     units: probe, takeover, enable, park, register access, error state
 *   smmuv3-cmdq.c     the command queue: batches, CMD_SYNC, CERROR
 *   smmuv3-strtab.c   the stream table and the ordered update of one STE
 *   smmuv3-device.c   device bind/unbind/attach
 *   smmuv3-domain.c   ASIDs/VMIDs, context descriptors, map/unmap, translate
 *   smmuv3-event.c    draining the event queue, GERROR
 *   smmuv3-module.c   the exported descriptor of smmu-smmuv3.so
 *
 * Configuration:
 *
 *   smmu smmuv3 [require|ignore][,stage=1|2]
 *       require/ignore belong to discovery (config/), which runs before the configuration
 *       reaches the service; this library accepts them and does nothing with them.  stage:
 *       the translation stage of every domain; default stage 1 when IDR0.S1P, else stage 2.
 *       A unit that does not offer the stage asked for is refused at unit_create (-EOPNOTSUPP,
 *       logged).  Words are separated by commas or white space; anything else is -EINVAL.
 *
 *   unit NAME PADDR[,BYPASS[,SID:SID:...]]
 *       PADDR: the register base, hexadecimal unless prefixed 0d, 64 KiB aligned.  BYPASS
 *       (QNX's ARM unit parameter, reference/qnx-smmuman.md 2.5.2): 0 (default) StreamIDs no
 *       device line names fault, 1 they bypass translation.  The SID list (decimal unless
 *       0x): StreamIDs reserved for the system, at most SMMUV3_MAX_RESERVED_SIDS.
 *
 *   device SPEC use NAME SID
 *       The StreamID is required (decimal unless 0x), for PCI and MMIO devices alike; the
 *       fault key of a device is its StreamID.  Without a `use` line no device is this
 *       library's (-ENOENT): SMMUv3 has no include-all.
 *
 *   platform NAME PARAMS: as for VT-d (hw/hw.h); the spec must reserve table memory.
 *
 * Decisions:
 *
 *  - Reserved StreamIDs are used by the system outside smmuman's control: their STEs bypass
 *    translation (Config 0b100) whatever BYPASS says, and binding a device to one is refused
 *    with -EBUSY and a log line.
 *  - Stream table: linear with 2^SIDSIZE entries when SIDSIZE <= SMMUV3_LINEAR_MAX_SID_BITS
 *    or when the unit offers no two-level table (IDR0.ST_LEVEL); otherwise two-level with a
 *    split of 8 (256 STEs, 16 KiB, per level-2 table) and at most SMMUV3_MAX_L1_LG2
 *    level-1 descriptors; StreamIDs beyond what the table covers are refused at bind
 *    (-ERANGE) and their DMA faults with C_BAD_STREAMID (CR2.RECINVSID).  Level-2 tables
 *    exist only for spans with a bound device or a reserved StreamID, unless BYPASS is 1:
 *    then every span needs one (a missing span faults), which costs 16 KiB per 256
 *    StreamIDs of table memory (4 MiB for SIDSIZE 16).
 *  - STEs: a StreamID nobody names is invalid (V = 0: its DMA gives C_BAD_STE, or
 *    C_BAD_STREAMID without a level-2 table) or bypass with BYPASS 1.  A bound device in no
 *    domain points at the unit's blocking domain: a real stage-1 (or stage-2) domain with an
 *    empty table and ASID (VMID) 0, so every DMA gives F_TRANSLATION with the StreamID, the
 *    address and the direction.  Config = abort would refuse silently (no event), which the
 *    core's promise that every refusal is recorded forbids.  A device in a domain points at
 *    the domain's CD (stage 1; S1CDMAX 0, S1DSS 0) or holds its S2TTB and VTCR (stage 2).
 *  - device_unbind leaves the StreamID's STE on the blocking domain rather than returning it
 *    to its default (which is bypass with BYPASS 1): unbinding never widens access.
 *  - Stage 1: one CD per domain in its own table page: TTB0 = the lpae-s1 root, T0SZ =
 *    64 - IAS, TG0 4 KiB, walks write-back inner shareable, EPD1 (no TTB1), IPS from
 *    IDR5.OAS, AA64, R (record faults), A (abort: QEMU sets IDR0.TERM_MODEL and refuses a
 *    CD without A as C_BAD_CD), ASET (the ASIDs are not shared with any CPU), MAIR0 =
 *    PT_LPAE_MAIR.  ASIDs 1 .. 2^8 or 2^16 - 1 (IDR0.ASID16); S2VMID 0.
 *    Stage 2: S2VMID per domain (1 .. 2^8 or 2^16 - 1, IDR0.VMID16), S2T0SZ = 64 - IAS,
 *    S2SL0 from pgtable's start level, S2TG 4 KiB, S2PS from OAS, S2AA64, S2R.
 *  - Address sizes: IAS = OAS (IDR5.OAS, at most 48): in the default model IOVA == PA, so
 *    the input range covers every physical address; 4 KiB pages with 2 MiB and 1 GiB blocks.
 *  - Attach rewrites the device's STE in an order the spec allows (3.21.3): V cleared,
 *    CFGI_STE + CMD_SYNC, the other words, word 0 with V, CFGI_STE + CMD_SYNC.  A DMA during
 *    the switch gets C_BAD_STE; it never reaches either domain wrongly.  TLB entries are
 *    tagged by ASID/VMID, not StreamID, so no TLB invalidation is needed on attach;
 *    domain_destroy invalidates the domain's ASID/VMID before it is reused.
 *  - Unmap invalidates each 4 KiB page of the gathered ranges with TLBI_NH_VA / TLBI_S2_IPA
 *    (Leaf unless tables were freed) when they hold at most SMMUV3_TLBI_VA_MAX pages, else the
 *    whole ASID (TLBI_NH_ASID) or VMID (TLBI_S12_VMALL).  A map needs no invalidation
 *    (invalid entries are not cached, 3.21.2).  Every batch ends with CMD_SYNC, whose
 *    completion is CMDQ_CONS reaching CMDQ_PROD.  A command error (CMDQ_CONS.ERR) puts the
 *    unit in its error state: an invalidation that did not happen cannot be repaired.  The
 *    failed command is replaced by a CMD_SYNC before GERRORN acknowledges the error, since
 *    the queue resumes at it (QEMU consumes again on that write).
 *  - Enable: unit_enable points STRTAB_BASE, CMDQ_BASE and EVENTQ_BASE at the unit's memory,
 *    enables the queues, issues CFGI_ALL + TLBI_NSNH_ALL + CMD_SYNC and only then SMMUEN:
 *    by then every configured device is attached or blocked.
 *  - Takeover and park: a unit found enabled at unit_create (firmware, a previous run) gets
 *    GBPA.ABORT and SMMUEN off at once, before any table memory is allocated.  unit_destroy
 *    leaves the unit in the design safe state: GBPA.ABORT set, SMMUEN on, the stream table
 *    the blocking table (the first page of table memory, zero: 64 invalid STEs, every other
 *    StreamID out of range), queues off, caches invalidated.  The next run allocates the
 *    same page first, so a parked unit never reads rewritten memory.  Changing STRTAB_BASE
 *    needs SMMUEN off for a moment; GBPA.ABORT makes that moment refuse DMA.  QEMU 7.2 has no
 *    GBPA (it arrived in QEMU 8.1) and bypasses while SMMUEN is 0: a GBPA that does not read
 *    back is logged as a warning once per unit.
 *  - Events: the event queue (IDR1.EVENTQS permitting, SMMUV3_EVENTQ_LG2 entries) is polled;
 *    fault_fd() is -1 and IRQ_CTRL stays 0 (no guest takes interrupts under qtest, and an
 *    MSI needs interrupt routing this service does not own).  Each event is reported with
 *    device_key = StreamID, address = InputAddr (0 for configuration errors, which carry
 *    none), access from RnW, raw = the event's first 64 bits (event number 7:0, StreamID
 *    63:32).  QEMU splits a device's access into 4-byte pieces, each refused with its own
 *    event: each is reported.  An event queue overflow (PROD.OVFLG) is logged and
 *    acknowledged.  GERROR is checked at every drain: each active error is logged and
 *    acknowledged in GERRORN; SFM_ERR (service failure mode) puts the unit in its error state.
 *  - translate() reads the live STE (through the level-1 descriptor), then the CD or S2TTB,
 *    and walks the domain's tables; before unit_enable the answer is what the unit does with
 *    SMMUEN off (GBPA).
 *  - Errors: a handshake (CR0ACK, GBPA.UPDATE, CMD_SYNC) that does not complete within
 *    SMMUV3_POLL_TIMEOUT_US, a bus failure, a command error or SFM_ERR put the unit in its
 *    error state: logged once, every later change is -EIO, events are still drained.
 *
 * QEMU 7.2 (Debian 12), against which this was tested: stage 1 only (no arm-smmuv3 `stage`
 * property; stage 2 is checked by unit tests); no GBPA register (reads 0, writes ignored), so
 * SMMUEN off means bypass; IDR0.TERM_MODEL set, so CD.A is required; a device's access is
 * split into 4-byte pieces, each refused with its own event; C_BAD_STE carries no address;
 * CMDQ_ERR acknowledged re-runs the queue from the failed command; a full event queue raises
 * GERROR.EVENTQ_ABT_ERR instead of EVENTQ_PROD.OVFLG (both are logged and acknowledged).
 *
 * State machines.
 *
 *   unit:   OFF --unit_enable()--> ON                  (smmuv3_unit_enable)
 *           OFF, ON --timeout, CERROR, SFM--> BROKEN     (smmuv3_unit_fail)
 *           any --unit_destroy()--> gone (parked)        (smmuv3_unit_destroy)
 *           OFF: SMMUEN off; tables change without invalidation.
 *           ON:  SMMUEN on with the unit's stream table and queues; every change is
 *                invalidated before the call returns.
 *           BROKEN: changes are refused with -EIO; events are drained; destroy does not
 *                touch the hardware and keeps the unit's table memory allocated.
 *   device: BLOCKED --device_attach(d)--> ATTACHED(d) --device_attach(NULL)--> BLOCKED
 *           BLOCKED: STE points at unit->blocking, domain == NULL.
 *           ATTACHED(d): STE points at d; d->attached_count counts it.
 *
 * Ownership: the backend owns the bus, the table memory and the blocking table; a unit owns
 * its devices, domains, blocking domain, stream table, queues and ID bitmap.  The core frees
 * devices and domains before their unit.  Single-threaded, as the whole service: no locks.
 */
#ifndef SMMU_BACKENDS_SMMUV3_SMMUV3_H
#define SMMU_BACKENDS_SMMUV3_SMMUV3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/smmuv3/smmuv3-regs.h"
#include "common/compiler.h"
#include "common/list.h"
#include "common/quote.h"
#include "core/backend.h"
#include "pgtable/pgtable.h"

struct hw_bus;
struct hw_table_mem;

/*
 * Timeout of every handshake (CR0ACK, GBPA.UPDATE, CMD_SYNC).  Linux uses the same second
 * (ARM_SMMU_POLL_TIMEOUT_US, drivers/iommu/arm/arm-smmu-v3); hardware completes in
 * microseconds and QEMU within the register write, so reaching it means the unit is dead.
 */
#define SMMUV3_POLL_TIMEOUT_US 1000000u

/* Reserved StreamIDs a unit line lists at most: QNX's examples list a handful. */
#define SMMUV3_MAX_RESERVED_SIDS 64u

/* Largest SIDSIZE given a linear stream table when two levels are offered: 256 STEs, 16 KiB. */
#define SMMUV3_LINEAR_MAX_SID_BITS 8u
/* StreamIDs per level-2 table: 2^8 (Linux's STRTAB_SPLIT; one PCI bus per table). */
#define SMMUV3_SPLIT 8u
/* Level-1 descriptors at most: 2^13 of 8 bytes = 64 KiB, StreamIDs below 2^21. */
#define SMMUV3_MAX_L1_LG2 13u
/* The blocking table: one zero page of invalid STEs (64). */
#define SMMUV3_BLOCKING_LOG2SIZE 6u

/* Queues: 2^8 commands (one 4 KiB page), 2^10 events (32 KiB: 512 events of a refused
 * 2 KiB DMA split by QEMU into 4-byte pieces fit), each capped by IDR1. */
#define SMMUV3_CMDQ_LG2 8u
#define SMMUV3_EVENTQ_LG2 10u
/* Commands of one batch before its CMD_SYNC: fits the queue with room to spare. */
#define SMMUV3_CMD_BATCH_MAX 64u
/* Pages invalidated one by one at most; more invalidate the whole ASID/VMID. */
#define SMMUV3_TLBI_VA_MAX 32u

/* A reason sentence. */
#define SMMUV3_WHY_SIZE 192

/* `smmu smmuv3 PARAMS`. */
enum smmuv3_fw_mode {
	SMMUV3_FW_OPTIONAL = 0,
	SMMUV3_FW_REQUIRE,
	SMMUV3_FW_IGNORE,
};

struct smmuv3_params {
	enum smmuv3_fw_mode firmware;
	unsigned stage; /* 1, 2, or 0: stage 1 when offered, else 2 */
};

/* `unit NAME PARAMS`. */
struct smmuv3_unit_params {
	uint64_t reg_base;
	bool bypass;
	unsigned reserved_sid_count;
	uint32_t reserved_sid[SMMUV3_MAX_RESERVED_SIDS];
};

/* What the ID registers say, decoded, and what this library will use. */
struct smmuv3_caps {
	uint32_t idr0, idr1, idr3, idr5, iidr, aidr;
	bool s1p;
	bool s2p;
	bool two_level;	     /* IDR0.ST_LEVEL offers two-level stream tables */
	bool term_model;     /* IDR0.TERM_MODEL: CD.A must be set */
	bool stall_ok;	     /* IDR0.STALL_MODEL 0: stalls possible, STE.S1STALLD used */
	unsigned sid_bits;   /* IDR1.SIDSIZE */
	unsigned asid_bits;  /* 8 or 16 */
	unsigned vmid_bits;  /* 8 or 16 */
	unsigned cmdq_lg2;   /* entries used: min(IDR1.CMDQS, SMMUV3_CMDQ_LG2) */
	unsigned eventq_lg2; /* min(IDR1.EVENTQS, SMMUV3_EVENTQ_LG2) */
	unsigned oas;	     /* output address bits used: IDR5.OAS, at most 48 */
	unsigned ips;	     /* its encoding for CD.IPS and STE.S2PS */
};

/* A stage-1 context descriptor's variable fields. */
struct smmuv3_cd_cfg {
	uint16_t asid;
	uint64_t ttb0;
	unsigned ias;
	unsigned ips;
};

/* A stage-2 STE's variable fields. */
struct smmuv3_s2_cfg {
	uint16_t vmid;
	uint64_t s2ttb;
	unsigned ias;
	unsigned start_level; /* 0..3, from pgtable */
	unsigned ips;
};

/* An STE, decoded: what the hardware would do with it. */
struct smmuv3_ste {
	bool valid;
	unsigned config; /* STE_0_CONFIG_* */
	uint64_t cd_pa;	 /* S1ContextPtr */
	uint64_t s2ttb;
	uint16_t vmid;
};

/* One command, before encoding. */
struct smmuv3_cmd {
	unsigned op; /* CMD_OP_* */
	uint32_t sid;
	uint16_t asid;
	uint16_t vmid;
	uint64_t addr;
	bool leaf;
};

struct smmuv3_cmd_batch {
	struct smmuv3_cmd cmd[SMMUV3_CMD_BATCH_MAX];
	unsigned count;
};

/* One event, decoded. */
struct smmuv3_event {
	unsigned id; /* EVT_* */
	uint32_t sid;
	uint64_t address; /* InputAddr, 0 when the event has none */
	unsigned access;  /* enum smmu_access, 0 when the event has none */
	uint64_t raw;	  /* word 0 */
};

enum smmuv3_unit_state {
	SMMUV3_UNIT_OFF,
	SMMUV3_UNIT_ON,
	SMMUV3_UNIT_BROKEN,
};

/* Owner: the core, through unit_create()/unit_destroy(). */
struct smmu_backend_unit {
	char *name;
	struct smmuv3_unit_params params;
	struct smmuv3_caps caps;
	unsigned stage; /* 1 or 2 */
	enum smmuv3_unit_state state;
	bool hw_enabled;    /* SMMUEN on with this unit's stream table */
	uint32_t hw_cr0;    /* CR0 as last acknowledged */
	bool hw_gbpa_abort; /* GBPA.ABORT set by this library */
	char broken_why[SMMUV3_WHY_SIZE];
	struct pt_cfg pt_cfg;
	/* The stream table, allocated with the first device or at enable; NULL until then. */
	uint64_t *strtab_cpu; /* linear table, or level-1 descriptors */
	uint64_t strtab_pa;
	size_t strtab_size;
	bool strtab_two_level;
	bool strtab_built;	  /* smmuv3_strtab_prepare() completed */
	unsigned strtab_log2size; /* StreamID bits the table covers */
	unsigned l1_count;	  /* level-1 descriptors (two-level) */
	uint64_t **l2_cpu;	  /* by level-1 index; NULL: no level-2 table */
	uint64_t *l2_pa;
	/* Queues, allocated at enable. */
	uint64_t *cmdq_cpu;
	uint64_t cmdq_pa;
	uint32_t cmdq_prod; /* index and wrap bit, as CMDQ_PROD */
	uint64_t *eventq_cpu;
	uint64_t eventq_pa;
	uint32_t eventq_cons; /* index and wrap bit, as EVENTQ_CONS */
	uint64_t *id_bitmap;  /* ASIDs (stage 1) or VMIDs (stage 2); bit n set: n in use */
	unsigned id_count;
	struct smmu_backend_domain *blocking; /* ID 0, never mapped */
	struct smmu_list_link devices;	      /* struct smmu_backend_device.link */
	struct smmu_list_link domains;	      /* struct smmu_backend_domain.link */
	uint64_t lost_event_count;
	bool gbpa_warned;
};

/* Owner: the unit; created by device_bind(), freed by device_unbind(). */
struct smmu_backend_device {
	struct smmu_list_link link;
	struct smmu_backend_unit *unit;
	struct smmu_backend_domain *domain; /* NULL: blocked */
	uint32_t sid;
};

/* Owner: the unit; created by domain_create(), freed by domain_destroy(). */
struct smmu_backend_domain {
	struct smmu_list_link link; /* not linked for the blocking domain */
	struct smmu_backend_unit *unit;
	struct pt_space *space;
	struct pt_info info;
	uint16_t id;	  /* ASID (stage 1) or VMID (stage 2) */
	uint64_t *cd_cpu; /* stage 1: the CD's page */
	uint64_t cd_pa;
	size_t attached_count;
};

/* smmuv3-backend.c */
extern const struct smmu_backend smmuv3_backend;
int smmuv3_init(const struct smmu_backend_host *host, const char *params);
void smmuv3_fini(void);
const struct smmu_backend_host *smmuv3_host(void);
const struct smmuv3_params *smmuv3_params(void);
struct hw_bus *smmuv3_bus(void);
struct hw_table_mem *smmuv3_tables(void);
const struct pt_allocator *smmuv3_table_allocator(void);
uint64_t smmuv3_blocking_table_pa(void);
int smmuv3_table_alloc(size_t size, void **ret_cpu, uint64_t *ret_pa);
void smmuv3_table_free(void *cpu, uint64_t pa, size_t size);
void smmuv3_table_keep(bool keep);
void smmuv3_unit_created(void);
void smmuv3_unit_destroyed(void);
void smmuv3_log(int priority, const char *fmt, ...) SMMU_PRINTF(2, 3);

/* smmuv3-params.c */
int smmuv3_params_parse(const char *text, struct smmuv3_params *ret_params, char *why,
			size_t why_size);
int smmuv3_unit_params_parse(const char *text, struct smmuv3_unit_params *ret_params, char *why,
			     size_t why_size);
int smmuv3_sid_parse(const char *text, uint32_t *ret_sid, char *why, size_t why_size);
bool smmuv3_sid_reserved(const struct smmuv3_unit_params *params, uint32_t sid);

/* smmuv3-idr.c */
int smmuv3_caps_decode(uint32_t idr0, uint32_t idr1, uint32_t idr3, uint32_t idr5, uint32_t iidr,
		       uint32_t aidr, struct smmuv3_caps *ret_caps, char *why, size_t why_size);
int smmuv3_stage_choose(const struct smmuv3_caps *caps, unsigned wanted, unsigned *ret_stage,
			char *why, size_t why_size);
void smmuv3_caps_describe(const struct smmuv3_caps *caps, char *buf, size_t size);
int smmuv3_ips_of_oas(unsigned oas);

/* smmuv3-entry.c */
void smmuv3_ste_bypass(bool stall_ok, uint64_t ret_ste[SMMU_STE_WORDS]);
void smmuv3_ste_s1(uint64_t cd_pa, bool stall_ok, uint64_t ret_ste[SMMU_STE_WORDS]);
void smmuv3_ste_s2(const struct smmuv3_s2_cfg *cfg, uint64_t ret_ste[SMMU_STE_WORDS]);
void smmuv3_ste_decode(const uint64_t ste[SMMU_STE_WORDS], struct smmuv3_ste *ret);
void smmuv3_cd_encode(const struct smmuv3_cd_cfg *cfg, uint64_t ret_cd[SMMU_CD_WORDS]);
bool smmuv3_cd_decode(const uint64_t cd[SMMU_CD_WORDS], uint64_t *ret_ttb0, uint16_t *ret_asid);
uint64_t smmuv3_l1_desc_encode(uint64_t l2_pa, unsigned split);
bool smmuv3_l1_desc_decode(uint64_t desc, uint64_t *ret_l2_pa);
void smmuv3_cmd_encode(const struct smmuv3_cmd *cmd, uint64_t ret_words[SMMU_CMD_WORDS]);
void smmuv3_event_decode(const uint64_t words[SMMU_EVT_WORDS], struct smmuv3_event *ret);
const char *smmuv3_event_name(unsigned id);

/* smmuv3-unit.c */
int smmuv3_unit_create(const char *name, const char *params, struct smmu_backend_unit **ret_unit);
void smmuv3_unit_destroy(struct smmu_backend_unit *unit);
int smmuv3_unit_enable(struct smmu_backend_unit *unit);
int smmuv3_unit_fail(struct smmu_backend_unit *unit, int err, const char *fmt, ...)
	SMMU_PRINTF(3, 4);
int smmuv3_unit_check(const struct smmu_backend_unit *unit);
bool smmuv3_unit_live(const struct smmu_backend_unit *unit);
int smmuv3_reg_read32(struct smmu_backend_unit *unit, uint64_t offset, uint32_t *ret_value);
int smmuv3_reg_write32(struct smmu_backend_unit *unit, uint64_t offset, uint32_t value);
int smmuv3_reg_write64(struct smmu_backend_unit *unit, uint64_t offset, uint64_t value);
int smmuv3_reg_poll32(struct smmu_backend_unit *unit, uint64_t offset, uint32_t mask, uint32_t want,
		      const char *what);

/* smmuv3-cmdq.c */
void smmuv3_batch_init(struct smmuv3_cmd_batch *batch);
void smmuv3_batch_add(struct smmuv3_cmd_batch *batch, const struct smmuv3_cmd *cmd);
int smmuv3_batch_run(struct smmu_backend_unit *unit, const struct smmuv3_cmd_batch *batch);
void smmuv3_batch_add_ranges(const struct smmu_backend_unit *unit, struct smmuv3_cmd_batch *batch,
			     uint16_t id, const struct pt_gather *gather);
void smmuv3_batch_add_flush_id(const struct smmu_backend_unit *unit, struct smmuv3_cmd_batch *batch,
			       uint16_t id);

/* smmuv3-strtab.c */
int smmuv3_strtab_prepare(struct smmu_backend_unit *unit);
int smmuv3_strtab_span_prepare(struct smmu_backend_unit *unit, uint32_t sid);
void smmuv3_strtab_free(struct smmu_backend_unit *unit);
uint64_t *smmuv3_ste_slot(const struct smmu_backend_unit *unit, uint32_t sid);
uint64_t *smmuv3_ste_slot_live(const struct smmu_backend_unit *unit, uint32_t sid);
int smmuv3_ste_write(struct smmu_backend_unit *unit, uint32_t sid,
		     const uint64_t ste[SMMU_STE_WORDS]);
void smmuv3_ste_of_domain(const struct smmu_backend_domain *domain,
			  uint64_t ret_ste[SMMU_STE_WORDS]);

/* smmuv3-device.c */
int smmuv3_device_bind(struct smmu_backend_unit *unit, const union smmu_devid *devid,
		       const char *use_param, struct smmu_backend_device **ret_device,
		       uint64_t *ret_fault_key);
void smmuv3_device_unbind(struct smmu_backend_device *device);
int smmuv3_device_attach(struct smmu_backend_device *device, struct smmu_backend_domain *domain);

/* smmuv3-domain.c */
int smmuv3_domain_new(struct smmu_backend_unit *unit, uint16_t id,
		      struct smmu_backend_domain **ret_domain);
void smmuv3_domain_free(struct smmu_backend_domain *domain);
int smmuv3_domain_create(struct smmu_backend_unit *unit, struct smmu_backend_domain **ret_domain);
void smmuv3_domain_destroy(struct smmu_backend_domain *domain);
int smmuv3_map(struct smmu_backend_domain *domain, uint64_t iova, uint64_t pa, uint64_t size,
	       unsigned prot);
int smmuv3_unmap(struct smmu_backend_domain *domain, uint64_t iova, uint64_t size);
int smmuv3_map_batch(struct smmu_backend_domain *domain, const struct smmu_backend_range *ranges,
		     size_t count, size_t *ret_done);
int smmuv3_unmap_batch(struct smmu_backend_domain *domain, const struct smmu_backend_range *ranges,
		       size_t count, size_t *ret_done);
int smmuv3_translate(struct smmu_backend_device *device, uint64_t iova, unsigned access,
		     uint64_t *ret_pa, unsigned *ret_refusal);

/* smmuv3-event.c */
int smmuv3_fault_drain(struct smmu_backend_unit *unit, unsigned budget);
int smmuv3_fault_fd(struct smmu_backend_unit *unit);
int smmuv3_gerror_check(struct smmu_backend_unit *unit);

/* One initializer for both descriptors (smmuv3_backend here, smmu_backend in the module), so
 * the unit tests exercise exactly the table the shared object exports. */
#define SMMUV3_BACKEND_DESCRIPTOR                                                               \
	{                                                                                       \
		.abi_version = SMMU_BACKEND_ABI_VERSION, .size = sizeof(struct smmu_backend),   \
		.name = "smmuv3", .init = smmuv3_init, .fini = smmuv3_fini,                     \
		.unit_create = smmuv3_unit_create, .unit_destroy = smmuv3_unit_destroy,         \
		.unit_enable = smmuv3_unit_enable, .device_bind = smmuv3_device_bind,           \
		.device_unbind = smmuv3_device_unbind, .device_attach = smmuv3_device_attach,   \
		.domain_create = smmuv3_domain_create, .domain_destroy = smmuv3_domain_destroy, \
		.map = smmuv3_map, .unmap = smmuv3_unmap, .map_batch = smmuv3_map_batch,        \
		.unmap_batch = smmuv3_unmap_batch, .translate = smmuv3_translate,               \
		.fault_drain = smmuv3_fault_drain, .fault_fd = smmuv3_fault_fd,                 \
	}

#endif
