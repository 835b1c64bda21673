/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smmu-board: a virtual board (QEMU q35 + intel-iommu, or ARM virt + SMMUv3, with edu devices,
 * under qtest) that tests and the service drive as hardware.  What the pieces of the tool share:
 * the board directory and its files, the environment a started board describes itself with, and the
 * subcommands.
 *
 * A board directory holds, while the board runs:
 *   board.pid    the daemon's pid (the multiplexer; QEMU is its child)
 *   board.env    KEY=VALUE lines describing the board (what `start` prints)
 *   qtest.sock   the multiplexer's socket, the one clients use (SOCK_SEQPACKET)
 *   qemu-qtest.sock  QEMU's own qtest socket, unlinked once the daemon holds it
 *   bios.bin     64 KiB of `hlt` (q35) or `wfi; b .-4` (virt), so no firmware runs behind
 *                the tests' back and the CPU sleeps
 *   board.log, qemu.log  what the daemon and QEMU said
 * and the guest RAM is a file in /dev/shm named in board.env.
 */
#ifndef SMMU_TOOLS_BOARD_BOARD_H
#define SMMU_TOOLS_BOARD_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hw/hw.h"

struct strbuf;
struct hw_qtest_conn;

#define BOARD_PID_FILE "board.pid"
#define BOARD_ENV_FILE "board.env"
#define BOARD_SOCKET "qtest.sock"
#define BOARD_QEMU_SOCKET "qemu-qtest.sock"
#define BOARD_BIOS_FILE "bios.bin"
#define BOARD_LOG_FILE "board.log"
#define BOARD_QEMU_LOG_FILE "qemu.log"

/* Guest RAM: DESIGN.md's verified configuration, the same size on every machine. */
#define BOARD_RAM_SIZE (256u << 20)

/* edu devices sit at 00:01.0, 00:02.0, ... (slot n + 1), BAR0 n MiB above the machine's base. */
#define BOARD_MAX_EDU 8

/* `start` exits with this when the QEMU binary lacks a feature asked for (--smmu-stage 2). */
#define BOARD_EXIT_UNSUPPORTED 3

/* How the tool reaches fw_cfg, the way the machine's firmware would. */
enum board_fwcfg_access {
	BOARD_FWCFG_PORTS, /* x86 I/O ports: selector at base, data at base + 1 */
	BOARD_FWCFG_MMIO,  /* MMIO: data at base, big-endian selector at base + 8 */
};

/*
 * What differs between machines (board-machine.c holds the table).  The top quarter of RAM
 * (tables_pa, tables_size) is offered to the service for IOMMU tables (tables= in the hw
 * spec); the rest is free for tests' DMA buffers.
 */
struct board_machine {
	const char *name;	  /* --machine NAME, SMMU_BOARD_MACHINE */
	const char *qemu;	  /* default binary */
	const char *qemu_package; /* the Debian package that has it, for messages */
	const char *machine;	  /* QEMU's -machine value, before memory-backend= */
	const char *const *args;  /* further QEMU arguments, NULL-terminated */
	uint64_t ram_base;	  /* physical address of the RAM file's first byte */
	uint64_t tables_pa;
	uint64_t tables_size;
	const char *iommu_key; /* SMMU_BOARD_<key>=<iommu_base> */
	uint64_t iommu_base;
	bool has_ecam; /* PCI configuration through ECAM rather than ports 0xcf8/0xcfc */
	uint64_t ecam_base;
	uint64_t edu_bar_base;
	unsigned edu_dma_mask_bits; /* 64: -device edu,dma_mask= all ones */
	enum board_fwcfg_access fwcfg;
	uint64_t fwcfg_base;
	const uint8_t *bios_word; /* repeated to fill the firmware image */
	size_t bios_word_size;
	bool has_smmu_stage;  /* --smmu-stage applies (arm-smmuv3) */
	bool has_device_tree; /* QEMU can dump one (`dtb`) */
};

/* What board.env says (and `start` prints).  Strings are owned; board_env_fini() frees. */
struct board_env {
	char *dir;
	bool owns_dir; /* the board created its directory and removes it at stop */
	pid_t pid;
	pid_t qemu_pid;
	char *machine;
	char *qtest_socket;
	char *mem_path;
	uint64_t ram_base;
	uint64_t ram_size;
	uint64_t tables_pa;
	uint64_t tables_size;
	uint64_t iommu_base; /* printed as SMMU_BOARD_VTD or SMMU_BOARD_SMMUV3 */
	uint64_t ecam_base;  /* 0 when configuration space is reached through ports */
	unsigned edu_count;
	unsigned smmu_stage; /* 0: the model's default (1); 2: -global arm-smmuv3.stage=2 */
	char *qemu_binary;   /* the QEMU that runs the board, for `dtb` */
	char *hw_spec;
};

/* board-machine.c */
const struct board_machine *board_machine_find(const char *name);
const char *board_machine_names(void);

/* board-env.c */
int board_path(const char *dir, const char *file, char *buf, size_t size);
bool board_dir_name_ok(const char *dir);
int board_env_format(const struct board_env *env, struct strbuf *out);
int board_env_write(const struct board_env *env, struct strbuf *why);
int board_env_read(const char *dir, struct board_env *ret_env, struct strbuf *why);
void board_env_fini(struct board_env *env);
int board_open_bus(const char *dir, struct hw_bus **ret_bus, struct board_env *ret_env,
		   struct strbuf *why);

/* board-qemu.c */
struct board_qemu_cfg {
	const struct board_machine *machine;
	const char *qemu; /* the binary, looked up in PATH */
	const char *dir;  /* board directory */
	const char *mem_path;
	unsigned edu_count;
	unsigned smmu_stage;	  /* 0 or 2, see struct board_env */
	const char *dumpdtb_path; /* run once to write the device tree: no RAM file, no qtest */
};
int board_qemu_spawn(const struct board_qemu_cfg *cfg, pid_t *ret_pid, struct strbuf *why);
int board_qemu_run_once(const struct board_qemu_cfg *cfg, struct strbuf *output,
			struct strbuf *why);
int board_qemu_probe_smmu_stage(const struct board_machine *machine, const char *qemu,
				const char *dir, unsigned stage, struct strbuf *why);

/* board-mux.c */
int board_mux_serve(struct hw_qtest_conn *qemu, const char *packet, size_t len,
		    struct strbuf *reply, struct strbuf *why);

/* board-daemon.c */
struct board_daemon_cfg {
	/* dir, owns_dir, machine, mem_path, edu_count, smmu_stage, qemu_binary filled in */
	struct board_env env;
	const struct board_machine *machine;
	const char *qemu;
	int ready_fd; /* written "ok\n" or "error: ...\n" once, then closed */
};
int board_daemon_run(struct board_daemon_cfg *cfg);

/* board-teardown.c */
int board_teardown(const char *dir, const struct board_env *env, bool keep_logs);
bool board_process_alive(pid_t pid);

/* board-edu.c */
int board_edu_prepare(struct hw_bus *bus, const struct board_machine *machine,
		      struct hw_pci_bdf bdf, uint64_t *ret_bar, struct strbuf *why);
int board_edu_transfer(struct hw_bus *bus, uint64_t bar, uint64_t src, uint64_t dst, uint64_t count,
		       bool to_ram, struct strbuf *why);

/* board-fwcfg.c */
int board_fwcfg_read_file(struct hw_bus *bus, const struct board_machine *machine, const char *name,
			  uint8_t **ret_data, size_t *ret_size, struct strbuf *why);

/* board-acpi.c */
int board_acpi_apply_checksums(uint8_t *blob, size_t size, const uint8_t *loader,
			       size_t loader_size, const char *file);
int board_acpi_find(const uint8_t *blob, size_t size, const char *signature, size_t *ret_offset,
		    size_t *ret_length);

/* Subcommands: argc/argv after the subcommand name; return the process exit status. */
int board_cmd_start(int argc, char **argv);
int board_cmd_stop(int argc, char **argv);
int board_cmd_dma(int argc, char **argv);
int board_cmd_fwcfg(int argc, char **argv);
int board_cmd_acpi(int argc, char **argv);
int board_cmd_dtb(int argc, char **argv);

#endif
