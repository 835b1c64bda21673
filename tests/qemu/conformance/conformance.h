/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hardware conformance suite: what every IOMMU backend must do to real DMA, checked
 * against a QEMU board (tools/board) with two edu DMA devices, the real service and real
 * client processes.  Written against the board, the service and libsmmu only, so that any
 * backend runs it: a platform (struct conf_platform) says how to start its board, how to
 * configure the service, where RAM for DMA buffers is, and how to read its hardware fault
 * records.  VT-d is tests/qemu/vtd/test-vtd-conformance.c; an SMMUv3 board supplies its own
 * platform and links the same files.
 *
 *   conformance.c        the cases and the runner (one board and one service per case)
 *   conformance-rig.c    the rig: board, service, DMA through smmu-board, smmuctl probes
 *   conformance-agent.c  client processes driven over a pipe (libsmmu is per process)
 *
 * Every case checks DMA by its result in memory, asks `smmuctl probe` the same question
 * (the answers must agree, down to the physical address), and for every refused DMA waits
 * for the record that a listening client gets through smmu_xfer_notify() and
 * smmu_xfer_status(), with the device, the address and the platform's own check of the raw
 * record.  Waits are bounded so that a bug fails instead of hanging; nothing asserts on
 * time.  Each case ends with a sentinel: a DMA refused on purpose, whose record must be the
 * next one, so a fault that an allowed DMA caused cannot go unnoticed.  Teardown stops
 * clients, service and board whatever happened, and a signal handler does the same when
 * the runner is interrupted.
 */
#ifndef SMMU_TESTS_QEMU_CONFORMANCE_CONFORMANCE_H
#define SMMU_TESTS_QEMU_CONFORMANCE_CONFORMANCE_H

#include <smmu.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Why a DMA is refused, as the suite expects it. */
enum conf_why {
	CONF_WHY_BLOCKED,    /* the device is in no domain */
	CONF_WHY_NOT_MAPPED, /* nothing mapped at the address */
	CONF_WHY_READ_ONLY,  /* a write to a read-only mapping */
	CONF_WHY_ANY,	     /* refused, whatever the reason (sentinels) */
};

/* The devices a board gives the suite: two DMA initiators. */
#define CONF_DEVICE_COUNT 2

/* Bytes of every DMA: small enough for any edu buffer offset, a whole record of data. */
#define CONF_DMA_LEN 64

struct conf_platform {
	const char *name;
	/* The QEMU binary the board runs; the suite is skipped (77) when it is missing. */
	const char *qemu;
	/* Arguments after `smmu-board start`, NULL-terminated. */
	const char *board_args[8];
	/* The exit status of `smmu-board start` that means "this QEMU lacks what board_args
	 * ask for" (3 for --smmu-stage 2 on QEMU 7.2): each case is then skipped, not failed.
	 * 0: every failure to start fails. */
	int board_lacks_status;
	/* `smmu TYPE ...` and `unit ...` words; the `platform` option is added from the board's
	 * SMMU_BOARD_HW, and per-case `device`/`allow` words after. */
	const char *service_config;
	/* When set, the units come from the board's firmware: the ACPI table of this signature
	 * ("DMAR", "IORT") is extracted with `smmu-board acpi` and given to the service with
	 * firmware_option ("--dmar FILE"). */
	const char *firmware_table;
	const char *firmware_option;
	/* Instead of an ACPI table, the board's device tree (`smmu-board dtb`), given with
	 * firmware_option ("--fdt FILE"). */
	bool firmware_dtb;
	/* Where the service finds smmu-TYPE.so. */
	const char *module_dir;
	/* The DMA devices: as libsmmu names them, as the configuration and smmuctl write them,
	 * and as `smmu-board dma --device` takes them. */
	union smmu_devid devid[CONF_DEVICE_COUNT];
	const char *config_name[CONF_DEVICE_COUNT];
	const char *board_name[CONF_DEVICE_COUNT];
	/* Guest RAM the suite may use for DMA buffers: physical [ram_start, ram_start + 64 MiB),
	 * reachable by the devices' DMA, outside the IOMMU tables; 2 MiB aligned. */
	uint64_t ram_start;
	/* The page size the platform reports in fault_addr: 4096 when the hardware reports
	 * the page (VT-d fault info), 1 when it reports the byte address. */
	uint64_t fault_addr_granule;
	/* How many bytes of a refused DMA one fault record covers: 0 when the hardware records
	 * one fault per refused DMA (VT-d), else the size of the pieces it refuses one by one,
	 * each with its own record (QEMU's SMMUv3 splits a device's access into 4-byte pieces
	 * and writes an event for each): the suite then expects CONF_DMA_LEN / size records,
	 * in address order. */
	unsigned fault_piece_size;
	/* A superpage the backend's tables use (2 MiB on VT-d and 4 KiB-granule LPAE). */
	uint64_t superpage_size;
	/*
	 * Checks the raw record (smmu_status.hw_specific) of a refused DMA by `device` (index)
	 * that wrote (`write`) or read, refused for `why`.  Returns NULL when it matches, or a
	 * sentence saying what differs (static storage).
	 */
	const char *(*check_raw)(const struct conf_platform *platform, uint64_t raw,
				 unsigned device, bool write, enum conf_why why);
};

/* Runs every case on `platform` as a cmocka group; returns the number of failures, or 77
 * (skip) when the platform's QEMU is not installed. */
int conformance_run(const struct conf_platform *platform);

/* ---- The rig (conformance-rig.c), for the cases ---- */

/* One client process (conformance-agent.c). */
struct conf_agent {
	pid_t pid;
	int cmd_fd;
	int reply_fd;
};

/* The rig of the running case. */
struct conf_rig {
	const struct conf_platform *platform;
	char board_dir[256];
	char board_mem[256];
	char board_hw[1024];
	pid_t board_pid;
	pid_t qemu_pid;
	uint64_t board_ram_base;
	uint64_t board_ram_size;
	uint8_t *ram; /* the board's RAM file, mapped */
	char dir[64]; /* the service's socket, notify socket and log */
	char socket_path[128];
	char log_path[128];
	char table_path[128];
	pid_t service;
	struct conf_agent agents[4];
	unsigned agent_count;
	unsigned data_serial; /* makes every DMA's data unique */
};

extern struct conf_rig conf_rig;
/* Cases skipped because the board's QEMU lacks what the platform needs. */
extern unsigned conf_skipped_count;

void conf_rig_start_board(const struct conf_platform *platform);
void conf_rig_start_service(const char *extra_config);
int conf_rig_stop_service(void);
int conf_rig_teardown(void);
void conf_rig_install_signal_handlers(void);

/* Physical address `offset` bytes into the suite's RAM. */
uint64_t conf_ram(uint64_t offset);

/* DMA by device `dev`: a read of memory (the device reads [iova, +64)) or a write.  The
 * *_bounce forms check the data through the device's bounce page (conf_bounce()), which the
 * device must be allowed to read and write; dma_write_blind() needs nothing else allowed.
 * Each returns whether the data arrived at `pa`. */
bool conf_dma_read(unsigned dev, uint64_t iova, uint64_t pa);
bool conf_dma_write(unsigned dev, uint64_t iova, uint64_t pa);
bool conf_dma_write_blind(unsigned dev, uint64_t iova, uint64_t pa);
uint64_t conf_bounce(unsigned dev);

/* smmuctl probe: whether `dev` may read or write `iova`; *ret_pa when allowed, *ret_reason
 * ("blocked", "not-mapped", "read-only", ...) when not.  Both may be NULL. */
bool conf_probe(unsigned dev, uint64_t iova, bool write, uint64_t *ret_pa, char *ret_reason,
		size_t reason_size);

/* The number of faults the service has recorded so far (smmuctl status). */
uint64_t conf_fault_total(void);

/* Clients. */
struct conf_agent *conf_agent_start(void);
void conf_agent_kill9(struct conf_agent *agent);
void conf_agent_stop(struct conf_agent *agent);
int conf_agent_init(struct conf_agent *agent);
int conf_agent_listen(struct conf_agent *agent);
int conf_agent_obj_create(struct conf_agent *agent);
int conf_agent_obj_destroy(struct conf_agent *agent, int obj);
int conf_agent_device_add(struct conf_agent *agent, int obj, unsigned dev);
int conf_agent_map(struct conf_agent *agent, int obj, unsigned flags, uint64_t addr, uint64_t len,
		   uint64_t target);
/* Waits (bounded) for the next fault record; false when none came.  *ret_notified says
 * whether the smmu_xfer_notify() signal announced it. */
bool conf_agent_wait_fault(struct conf_agent *agent, struct smmu_status *ret_status,
			   bool *ret_notified);

/* The agent's side: runs commands from cmd_fd until told to exit. */
int conf_agent_main(int cmd_fd, int reply_fd, const char *socket_path);

#endif
