/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smmu-board: a virtual board (QEMU q35 + intel-iommu + edu devices under qtest) that tests
 * and the service drive as hardware.  What the pieces of the tool share: the board directory
 * and its files, the environment a started board describes itself with, and the
 * subcommands.
 *
 * A board directory holds, while the board runs:
 *   board.pid    the daemon's pid (the multiplexer; QEMU is its child)
 *   board.env    KEY=VALUE lines describing the board (what `start` prints)
 *   qtest.sock   the multiplexer's socket, the one clients use (SOCK_SEQPACKET)
 *   qemu-qtest.sock  QEMU's own qtest socket, unlinked once the daemon holds it
 *   bios.bin     64 KiB of `hlt`, so no firmware runs behind the tests' back
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

/* Guest RAM: DESIGN.md's verified configuration.  q35 puts all of it at physical 0. */
#define BOARD_RAM_SIZE (256u << 20)
#define BOARD_RAM_BASE 0x0u
/*
 * The top quarter of RAM is offered to the service for IOMMU tables (tables= in the spec);
 * the rest is free for tests' DMA buffers.  Both lie below the edu's 28-bit DMA mask.
 */
#define BOARD_TABLES_PA 0xc000000u
#define BOARD_TABLES_SIZE (64u << 20)

/* VT-d remapping unit of q35's intel-iommu (DESIGN.md; DMAR DRHD register base). */
#define BOARD_VTD_BASE 0xfed90000u

/* edu devices sit at 00:01.0, 00:02.0, ... (slot n + 1); eight fit below the BAR window's end. */
#define BOARD_MAX_EDU 8
/*
 * BAR0 of the edu in slot d is 0xfe000000 + (d - 1) MiB: inside q35's 32-bit PCI hole,
 * below the IOAPIC (0xfec00000) and the VT-d unit (0xfed90000) even with eight devices.
 */
#define BOARD_EDU_BAR_BASE 0xfe000000u

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
	uint64_t vtd_base;
	unsigned edu_count;
	char *hw_spec;
};

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
	const char *qemu; /* the binary, looked up in PATH */
	const char *dir;  /* board directory */
	const char *mem_path;
	unsigned edu_count;
};
int board_qemu_spawn(const struct board_qemu_cfg *cfg, pid_t *ret_pid, struct strbuf *why);

/* board-mux.c */
int board_mux_serve(struct hw_qtest_conn *qemu, const char *packet, size_t len,
		    struct strbuf *reply, struct strbuf *why);

/* board-daemon.c */
struct board_daemon_cfg {
	struct board_env env; /* dir, owns_dir, machine, mem_path, edu_count filled in */
	const char *qemu;
	int ready_fd; /* written "ok\n" or "error: ...\n" once, then closed */
};
int board_daemon_run(struct board_daemon_cfg *cfg);

/* board-teardown.c */
int board_teardown(const char *dir, const struct board_env *env, bool keep_logs);
bool board_process_alive(pid_t pid);

/* board-edu.c */
int board_edu_prepare(struct hw_bus *bus, struct hw_pci_bdf bdf, uint64_t *ret_bar,
		      struct strbuf *why);
int board_edu_transfer(struct hw_bus *bus, uint64_t bar, uint64_t src, uint64_t dst, uint64_t count,
		       bool to_ram, struct strbuf *why);

/* board-fwcfg.c */
int board_fwcfg_read_file(struct hw_bus *bus, const char *name, uint8_t **ret_data,
			  size_t *ret_size, struct strbuf *why);

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

#endif
