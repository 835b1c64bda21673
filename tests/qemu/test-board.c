/* SPDX-License-Identifier: Apache-2.0 */
/* The virtual board end to end, against real QEMU: smmu-board start/stop, the hw qtest
 * provider through the board's multiplexer, edu DMA with the IOMMU off, the DMAR table
 * through fw_cfg; and the same for the ARM virt machine (SMMUv3, ECAM, IORT, device tree).
 * Each case starts its own board and proves at the end that stopping it left no process and
 * no file behind.  Skipped (77) when qemu-system-x86_64 is not installed; the virt cases
 * alone are skipped, saying so, when qemu-system-aarch64 is not. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmocka-all.h"
#include "common/strbuf.h"
#include "firmware/acpi-table.h"
#include "firmware/dmar.h"
#include "hw/hw-table-mem.h"
#include "hw/hw.h"

#ifndef SMMU_BOARD_PATH
#error "SMMU_BOARD_PATH must name the smmu-board binary"
#endif

/* The VT-d global status register and its translation-enable bit (VT-d 3.4 §11.4.5). */
#define VTD_VER_REG 0x00
#define VTD_CAP_REG 0x08
#define VTD_GSTS_REG 0x1c
#define VTD_GSTS_TES (1u << 31)

/* The PCI command register and its bus-master bit (PCI Local Bus 3.0 §6.2.2). */
#define PCI_COMMAND 0x04
#define PCI_COMMAND_MASTER 0x4

/* Guest RAM the DMA cases use, well below the board's table range and the edu's mask. */
#define SOURCE_PA 0x100000
#define BOUNCE_PA 0x200000
#define TARGET_PA 0x300000
#define DMA_LEN 256

struct board {
	struct strbuf env; /* what start printed */
	char dir[256];
	char mem[256];
	char hw[1024];
	char qtest[256];
	char machine[32];
	pid_t pid;
	pid_t qemu_pid;
	unsigned long long vtd;	   /* q35 */
	unsigned long long smmuv3; /* virt */
	unsigned long long ram_base;
};

/* Runs argv, collecting stdout into `out` (may be NULL).  Returns the exit status. */
static int run_tool(const char *const argv[], struct strbuf *out)
{
	int pipefd[2];

	assert_int_equal(pipe(pipefd), 0);
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	char buf[4096];
	ssize_t n;

	while ((n = read(pipefd[0], buf, sizeof(buf))) > 0) {
		if (out) {
			strbuf_append(out, buf, (size_t)n);
		}
	}
	close(pipefd[0]);
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The value of "KEY=" (or "key: ") in a tool's output, or "" when absent. */
static const char *value_of(const char *text, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);

	buf[0] = '\0';
	for (const char *line = text; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n') {
			line++;
		}
		if (strncmp(line, key, klen) == 0) {
			const char *end = strchr(line + klen, '\n');
			size_t n = end ? (size_t)(end - line - klen) : strlen(line + klen);

			if (n >= size) {
				n = size - 1;
			}
			memcpy(buf, line + klen, n);
			buf[n] = '\0';
			return buf;
		}
	}
	return buf;
}

static bool process_alive(pid_t pid)
{
	char path[64], stat[256];

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		return false;
	}
	ssize_t n = read(fd, stat, sizeof(stat) - 1);

	close(fd);
	stat[n > 0 ? n : 0] = '\0';
	const char *paren = strrchr(stat, ')');

	return paren && paren[2] != 'Z' && paren[2] != 'X';
}

/* Waits (bounded) for a process to disappear; the kernel reaps asynchronously. */
static bool gone_soon(pid_t pid)
{
	for (int i = 0; i < 500 && process_alive(pid); i++) {
		struct timespec ts = {.tv_nsec = 10 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	return !process_alive(pid);
}

static void board_start_args(struct board *b, const char *const *extra)
{
	const char *argv[16] = {SMMU_BOARD_PATH, "start", "--edu", "2"};
	char value[64];
	int n = 4;

	for (; extra && *extra; extra++) {
		argv[n++] = *extra;
	}
	argv[n] = NULL;
	memset(b, 0, sizeof(*b));
	int status = run_tool(argv, &b->env);

	if (status != 0) {
		print_error("smmu-board start failed (%d): %s\n", status, strbuf_str(&b->env));
		fail();
	}
	const char *text = strbuf_str(&b->env);

	value_of(text, "SMMU_BOARD_DIR=", b->dir, sizeof(b->dir));
	value_of(text, "SMMU_BOARD_MEM=", b->mem, sizeof(b->mem));
	value_of(text, "SMMU_BOARD_HW=", b->hw, sizeof(b->hw));
	value_of(text, "SMMU_BOARD_QTEST=", b->qtest, sizeof(b->qtest));
	b->pid = (pid_t)atol(value_of(text, "SMMU_BOARD_PID=", value, sizeof(value)));
	b->qemu_pid = (pid_t)atol(value_of(text, "SMMU_BOARD_QEMU_PID=", value, sizeof(value)));
	value_of(text, "SMMU_BOARD_MACHINE=", b->machine, sizeof(b->machine));
	b->vtd = strtoull(value_of(text, "SMMU_BOARD_VTD=", value, sizeof(value)), NULL, 0);
	b->smmuv3 = strtoull(value_of(text, "SMMU_BOARD_SMMUV3=", value, sizeof(value)), NULL, 0);
	b->ram_base =
		strtoull(value_of(text, "SMMU_BOARD_RAM_BASE=", value, sizeof(value)), NULL, 0);
	assert_true(b->dir[0] && b->mem[0] && b->hw[0] && b->qtest[0]);
	assert_true(b->pid > 0 && b->qemu_pid > 0);
	/* Each machine names exactly its own IOMMU. */
	assert_true(strcmp(b->machine, "virt") == 0 ? b->smmuv3 != 0 && b->vtd == 0
						    : b->vtd != 0 && b->smmuv3 == 0);
}

/* Stops the board and checks that no process, socket, RAM file or directory is left. */
static void board_stop_clean(struct board *b, bool dir_stays)
{
	const char *argv[] = {SMMU_BOARD_PATH, "stop", "--dir", b->dir, NULL};
	struct stat st;

	assert_int_equal(run_tool(argv, NULL), 0);
	assert_true(gone_soon(b->pid));
	assert_true(gone_soon(b->qemu_pid));
	assert_int_equal(stat(b->mem, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(stat(b->qtest, &st), -1);
	if (dir_stays) {
		DIR *d = opendir(b->dir);
		struct dirent *e;
		int entries = 0;

		assert_non_null(d);
		while ((e = readdir(d))) {
			entries += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
		}
		closedir(d);
		assert_int_equal(entries, 0);
	} else {
		assert_int_equal(stat(b->dir, &st), -1);
	}
	strbuf_fini(&b->env);
}

static int setup(void **state)
{
	struct board *b = malloc(sizeof(*b));

	board_start_args(b, NULL);
	*state = b;
	return 0;
}

static int teardown(void **state)
{
	struct board *b = *state;

	board_stop_clean(b, false);
	free(b);
	return 0;
}

static struct hw_bus *open_bus(const struct board *b)
{
	struct hw_bus *bus = NULL;
	struct strbuf why = STRBUF_INIT;

	if (hw_open(b->hw, &bus, &why) != 0) {
		print_error("hw_open(%s): %s\n", b->hw, strbuf_str(&why));
		fail();
	}
	strbuf_fini(&why);
	return bus;
}

/* The printed spec opens a bus that reaches the VT-d unit: VER reads 0x10 (DESIGN.md). */
static void test_spec_reaches_vtd(void **state)
{
	struct board *b = *state;
	struct hw_bus *bus = open_bus(b);
	uint32_t ver = 0;
	uint64_t cap = 0;

	assert_int_equal(hw_read32(bus, b->vtd + VTD_VER_REG, &ver), 0);
	assert_int_equal(ver, 0x10);
	assert_int_equal(hw_read64(bus, b->vtd + VTD_CAP_REG, &cap), 0);
	assert_true(cap != 0 && cap != UINT64_MAX);
	hw_close(bus);
}

/* Both edu devices answer at their fixed slots through PCI configuration space. */
static void test_edu_in_config_space(void **state)
{
	struct board *b = *state;
	struct hw_bus *bus = open_bus(b);
	struct hw_pci_bdf edu0, edu1, empty;
	uint32_t id = 0;

	assert_int_equal(hw_pci_bdf_parse("00:01.0", &edu0), 0);
	assert_int_equal(hw_pci_bdf_parse("00:02.0", &edu1), 0);
	assert_int_equal(hw_pci_bdf_parse("00:03.0", &empty), 0);
	assert_int_equal(hw_pci_cfg_read(bus, edu0, 0, 4, &id), 0);
	assert_int_equal(id, 0x11e81234);
	assert_int_equal(hw_pci_cfg_read(bus, edu1, 0, 4, &id), 0);
	assert_int_equal(id, 0x11e81234);
	assert_int_equal(hw_pci_cfg_read(bus, empty, 0, 4, &id), 0);
	assert_int_equal(id, 0xffffffff);
	hw_close(bus);
}

/* Bus mastering is off at reset and turns on through a configuration write. */
static void test_enable_bus_master(void **state)
{
	struct board *b = *state;
	struct hw_bus *bus = open_bus(b);
	struct hw_pci_bdf edu = {.device = 1};
	uint32_t command = 0xffff;

	assert_int_equal(hw_pci_cfg_read(bus, edu, PCI_COMMAND, 2, &command), 0);
	assert_int_equal(command & PCI_COMMAND_MASTER, 0);
	assert_int_equal(hw_pci_cfg_write(bus, edu, PCI_COMMAND, 2, command | PCI_COMMAND_MASTER),
			 0);
	assert_int_equal(hw_pci_cfg_read(bus, edu, PCI_COMMAND, 2, &command), 0);
	assert_int_equal(command & PCI_COMMAND_MASTER, PCI_COMMAND_MASTER);
	hw_close(bus);
}

static void fill_pattern(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++) {
		p[i] = (uint8_t)(i * 7 + seed);
	}
}

static void to_hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		sprintf(out + 2 * i, "%02x", p[i]);
	}
}

/* With translation off at reset (GSTS.TES = 0), bytes in RAM reach the device at IOVA = PA,
 * and come back out of it to another address: the round trip matches. */
static void test_dma_round_trip_iommu_off(void **state)
{
	struct board *b = *state;
	struct hw_bus *bus = open_bus(b);
	uint8_t data[DMA_LEN];
	char hex[2 * DMA_LEN + 1];
	char iova[32], bounce[32], value[2 * DMA_LEN + 8];
	uint32_t gsts = 0xffffffff;
	void *target;
	struct strbuf out = STRBUF_INIT;

	assert_int_equal(hw_read32(bus, b->vtd + VTD_GSTS_REG, &gsts), 0);
	assert_int_equal(gsts & VTD_GSTS_TES, 0);
	fill_pattern(data, sizeof(data), 3);
	to_hex(data, sizeof(data), hex);

	/* RAM -> device: the tool stages the data at SOURCE_PA and reads the buffer back. */
	snprintf(iova, sizeof(iova), "%#x", SOURCE_PA);
	snprintf(bounce, sizeof(bounce), "%#x", BOUNCE_PA);
	const char *to_dev[] = {SMMU_BOARD_PATH, "dma", "--dir",  b->dir, "--to-device",
				"--iova",	 iova,	"--data", hex,	  "--bounce",
				bounce,		 NULL};

	assert_int_equal(run_tool(to_dev, &out), 0);
	assert_string_equal(value_of(strbuf_str(&out), "dma: ", value, sizeof(value)), "done");
	assert_string_equal(value_of(strbuf_str(&out), "match: ", value, sizeof(value)), "yes");
	assert_string_equal(value_of(strbuf_str(&out), "data: ", value, sizeof(value)), hex);
	strbuf_reset(&out);

	/* Device -> RAM: the bytes land at TARGET_PA, seen through the test's own window. */
	fill_pattern(data, sizeof(data), 101);
	to_hex(data, sizeof(data), hex);
	snprintf(iova, sizeof(iova), "%#x", TARGET_PA);
	const char *from_dev[] = {SMMU_BOARD_PATH, "dma", "--dir",  b->dir, "--from-device",
				  "--iova",	   iova,  "--data", hex,    "--bounce",
				  bounce,	   NULL};

	assert_int_equal(run_tool(from_dev, &out), 0);
	assert_string_equal(value_of(strbuf_str(&out), "match: ", value, sizeof(value)), "yes");
	assert_int_equal(hw_mem_map(bus, TARGET_PA, sizeof(data), &target), 0);
	assert_memory_equal(target, data, sizeof(data));
	strbuf_fini(&out);
	hw_close(bus);
}

/* The tool can tell when data did not arrive: the device reads IOVA, the data was staged
 * elsewhere (--pa), so the buffer read back does not match and the exit status is 1. */
static void test_dma_reports_mismatch(void **state)
{
	struct board *b = *state;
	struct strbuf out = STRBUF_INIT;
	char value[64];
	const char *argv[] = {SMMU_BOARD_PATH,
			      "dma",
			      "--dir",
			      b->dir,
			      "--to-device",
			      "--iova",
			      "0x100000",
			      "--pa",
			      "0x180000",
			      "--pattern",
			      "0x5a",
			      "--len",
			      "64",
			      "--bounce",
			      "0x200000",
			      NULL};

	assert_int_equal(run_tool(argv, &out), 1);
	assert_string_equal(value_of(strbuf_str(&out), "dma: ", value, sizeof(value)), "done");
	assert_string_equal(value_of(strbuf_str(&out), "match: ", value, sizeof(value)), "no");
	strbuf_fini(&out);
}

/* The DMAR table comes out of fw_cfg whole: signature, length, checksum, and one DRHD at
 * the VT-d unit's address whose scopes include both edu devices. */
static void test_dmar_extracted(void **state)
{
	struct board *b = *state;
	char path[300];
	struct strbuf out = STRBUF_INIT;
	char value[64];
	uint8_t table[4096];
	struct fw_dmar dmar;
	struct fw_error err;

	snprintf(path, sizeof(path), "%s.dmar", b->dir);
	const char *argv[] = {SMMU_BOARD_PATH, "acpi", "--dir", b->dir, "DMAR", path, NULL};

	assert_int_equal(run_tool(argv, &out), 0);
	assert_string_equal(value_of(strbuf_str(&out), "table: ", value, sizeof(value)), "DMAR");
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	size_t n = fread(table, 1, sizeof(table), f);

	fclose(f);
	unlink(path);
	assert_int_equal(n, atoi(value_of(strbuf_str(&out), "size: ", value, sizeof(value))));
	if (fw_dmar_parse(table, n, 0, &dmar, &err) != 0) {
		print_error("DMAR: %s\n", err.message);
		fail();
	}
	assert_memory_equal(dmar.header.signature, "DMAR", 4);
	assert_true(dmar.header.checksum_ok);
	assert_int_equal(dmar.drhd_count, 1);
	assert_true(dmar.drhds[0].register_base == b->vtd);
	bool seen[3] = {false};

	for (uint32_t i = 0; i < dmar.drhds[0].scopes.count; i++) {
		const struct fw_dmar_scope *s = &dmar.scopes[dmar.drhds[0].scopes.first + i];

		if (s->type == DMAR_SCOPE_TYPE_PCI_ENDPOINT && s->start_bus == 0 &&
		    s->path_count == 1 && s->path[0].device <= 2 && s->path[0].function == 0) {
			seen[s->path[0].device] = true;
		}
	}
	assert_true(seen[1] && seen[2]);
	fw_dmar_fini(&dmar);
	strbuf_fini(&out);
}

/* Sends one packet to the board socket and returns the reply packet (NUL-terminated). */
static void mux_exchange(const struct board *b, const char *packet, char *reply, size_t size)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	assert_true(fd >= 0);
	strcpy(addr.sun_path, b->qtest);
	assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(send(fd, packet, strlen(packet), 0), (ssize_t)strlen(packet));
	ssize_t n = recv(fd, reply, size - 1, 0);

	assert_true(n > 0);
	reply[n] = '\0';
	close(fd);
}

/* Commands that would make QEMU assert are refused with ERR, and the board still answers. */
static void test_mux_refuses_malformed(void **state)
{
	struct board *b = *state;
	char reply[4096], expect[64];

	mux_exchange(b, "inb 0x10000\n", reply, sizeof(reply));
	assert_memory_equal(reply, "ERR ", 4);
	mux_exchange(b, "readl nonsense\n", reply, sizeof(reply));
	assert_memory_equal(reply, "ERR ", 4);
	mux_exchange(b, "irq_intercept_in ioapic\n", reply, sizeof(reply));
	assert_memory_equal(reply, "ERR ", 4);
	mux_exchange(b, "no newline", reply, sizeof(reply));
	assert_memory_equal(reply, "ERR ", 4);
	snprintf(expect, sizeof(expect), "readl %#llx\n", b->vtd);
	mux_exchange(b, expect, reply, sizeof(reply));
	assert_string_equal(reply, "OK 0x0000000000000010\n");
}

/* A packet with one refused line runs none of its commands: a write before it is not done. */
static void test_mux_batch_all_or_nothing(void **state)
{
	struct board *b = *state;
	struct hw_bus *bus = open_bus(b);
	char reply[4096];
	void *cpu;

	assert_int_equal(hw_mem_map(bus, 0x5000, 4, &cpu), 0);
	*(volatile uint32_t *)cpu = 0;
	mux_exchange(b, "writel 0x5000 0x12345678\nbogus\n", reply, sizeof(reply));
	assert_non_null(strstr(reply, "ERR not run"));
	assert_int_equal(*(volatile uint32_t *)cpu, 0);
	mux_exchange(b, "writel 0x5000 0x12345678\nreadl 0x5000\n", reply, sizeof(reply));
	assert_string_equal(reply, "OK\nOK 0x0000000012345678\n");
	assert_int_equal(*(volatile uint32_t *)cpu, 0x12345678);
	hw_close(bus);
}

/* Two clients connected at once are both served. */
static void test_two_clients(void **state)
{
	struct board *b = *state;
	struct hw_bus *one = open_bus(b);
	struct hw_bus *two = open_bus(b);
	uint32_t v1 = 0, v2 = 0;

	for (int i = 0; i < 10; i++) {
		assert_int_equal(hw_read32(one, b->vtd, &v1), 0);
		assert_int_equal(hw_read32(two, b->vtd, &v2), 0);
	}
	assert_int_equal(v1, 0x10);
	assert_int_equal(v2, 0x10);
	hw_close(one);
	hw_close(two);
}

/* Table memory from the spec's range is guest RAM: what the allocator hands out is what the
 * machine reads at that physical address. */
static void test_table_memory_is_guest_ram(void **state)
{
	struct board *b = *state;
	struct hw_bus *bus = open_bus(b);
	struct hw_table_mem *mem;
	uint64_t pa, size;
	void *cpu;
	uint64_t seen = 0;

	assert_int_equal(hw_bus_tables(bus, &pa, &size), 0);
	assert_int_equal(hw_table_mem_create(bus, pa, size, &mem, NULL), 0);
	assert_int_equal(hw_table_alloc(mem, 4096, &cpu, &pa), 0);
	((volatile uint64_t *)cpu)[1] = 0x0123456789abcdefull;
	hw_table_mem_sync(cpu, 16);
	assert_int_equal(hw_read64(bus, pa + 8, &seen), 0);
	assert_true(seen == 0x0123456789abcdefull);
	hw_table_mem_destroy(mem);
	hw_close(bus);
}

/* When the daemon is killed outright, QEMU dies with it (PR_SET_PDEATHSIG), and stop removes
 * what the daemon could not. */
static void test_daemon_killed(void **state)
{
	struct board *b = *state;

	assert_int_equal(kill(b->pid, SIGKILL), 0);
	assert_true(gone_soon(b->pid));
	assert_true(gone_soon(b->qemu_pid));
	/* teardown runs stop and checks that nothing is left. */
}

/* A board in a directory the caller made: stop empties it but leaves it. */
static void test_start_in_given_dir(void **state)
{
	struct board b;
	char dir[] = "/tmp/test-board-dir.XXXXXX";
	const char *extra[] = {"--dir", dir, NULL};

	(void)state;
	assert_non_null(mkdtemp(dir));
	board_start_args(&b, extra);
	assert_string_equal(b.dir, dir);
	board_stop_clean(&b, true);
	assert_int_equal(rmdir(dir), 0);
}

static int count_board_shm_files(void)
{
	DIR *d = opendir("/dev/shm");
	struct dirent *e;
	int count = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		count += strncmp(e->d_name, "smmu-board.", 11) == 0;
	}
	closedir(d);
	return count;
}

/* A start that fails (no such QEMU) says why and leaves no directory and no RAM file. */
static void test_failed_start_leaves_nothing(void **state)
{
	char dir[] = "/tmp/test-board-fail.XXXXXX";
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(rmdir(dir), 0);
	int before = count_board_shm_files();
	const char *argv[] = {SMMU_BOARD_PATH,	   "start", "--dir", dir, "--qemu",
			      "/nonexistent/qemu", NULL};

	assert_int_equal(run_tool(argv, NULL), 1);
	assert_int_equal(stat(dir, &st), -1);
	assert_int_equal(count_board_shm_files(), before);
}

/* A machine the tool does not know is a usage error, not silently replaced by q35. */
static void test_unknown_machine_refused(void **state)
{
	const char *argv[] = {SMMU_BOARD_PATH, "start", "--machine", "pc-i440fx", NULL};

	(void)state;
	assert_int_equal(run_tool(argv, NULL), 2);
}

/* ---- ARM virt: SMMUv3, ECAM, RAM at 1 GiB, fw_cfg in MMIO, IORT, device tree ---- */

/* SMMUv3 registers (Arm IHI 0070 §6.3): IDR0 with its stage bits, CR0.SMMUEN, GBPA.ABORT. */
#define SMMU_IDR0 0x00
#define SMMU_IDR0_S2P (1u << 0)
#define SMMU_IDR0_S1P (1u << 1)
#define SMMU_CR0 0x20
#define SMMU_CR0_SMMUEN (1u << 0)
#define SMMU_GBPA 0x44
#define SMMU_GBPA_ABORT (1u << 20)

/* IORT (Arm DEN 0049): node count and offset after the ACPI header; node type and length
 * first in each node; an SMMUv3 node's register base at offset 16. */
#define IORT_NODE_COUNT 36
#define IORT_NODE_OFFSET 40
#define IORT_NODE_TYPE_ROOT_COMPLEX 2
#define IORT_NODE_TYPE_SMMUV3 4
#define IORT_SMMUV3_BASE 16

/* The flattened device tree's header (devicetree specification §5.2): magic, totalsize. */
#define FDT_MAGIC 0xd00dfeedu

/* virt's RAM starts at 1 GiB (DESIGN.md); offsets of the DMA buffers inside it. */
#define VIRT_RAM_BASE 0x40000000ull

static const char *const virt_args[] = {"--machine", "virt", NULL};

static int setup_virt(void **state)
{
	struct board *b = malloc(sizeof(*b));

	board_start_args(b, virt_args);
	assert_string_equal(b->machine, "virt");
	*state = b;
	return 0;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Reads a whole small file into buf; returns its size. */
static size_t read_file(const char *path, uint8_t *buf, size_t size)
{
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	size_t n = fread(buf, 1, size, f);

	assert_int_equal(fgetc(f), EOF);
	fclose(f);
	return n;
}

/* The board describes the machine it is: RAM at 1 GiB, ECAM, SMMUv3 at QEMU's address, and a
 * spec that reaches an SMMUv3 which is off and lets traffic bypass (its reset state). */
static void test_virt_describes_itself(void **state)
{
	struct board *b = *state;
	struct hw_bus *bus = open_bus(b);
	uint32_t idr0 = 0, cr0 = ~0u, gbpa = ~0u;
	char value[64];

	assert_true(b->ram_base == VIRT_RAM_BASE);
	assert_true(b->smmuv3 == 0x09050000);
	assert_string_equal(value_of(strbuf_str(&b->env), "SMMU_BOARD_ECAM=", value, sizeof(value)),
			    "0x4010000000");
	assert_string_equal(
		value_of(strbuf_str(&b->env), "SMMU_BOARD_TABLES=", value, sizeof(value)),
		"0x4c000000,0x4000000");
	assert_non_null(strstr(b->hw, ",ram-base=0x40000000,"));
	assert_non_null(strstr(b->hw, ",ram-size=0x10000000,"));
	assert_non_null(strstr(b->hw, ",ecam=0x4010000000,"));
	assert_int_equal(hw_read32(bus, b->smmuv3 + SMMU_IDR0, &idr0), 0);
	assert_true(idr0 != 0 && idr0 != ~0u);
	assert_true(idr0 & SMMU_IDR0_S1P);
	assert_int_equal(hw_read32(bus, b->smmuv3 + SMMU_CR0, &cr0), 0);
	assert_int_equal(cr0 & SMMU_CR0_SMMUEN, 0);
	assert_int_equal(hw_read32(bus, b->smmuv3 + SMMU_GBPA, &gbpa), 0);
	assert_int_equal(gbpa & SMMU_GBPA_ABORT, 0);
	hw_close(bus);
}

/* The edu devices answer through ECAM, extended configuration space included (the port
 * path reaches only the first 256 bytes), and an empty slot reads all ones. */
static void test_virt_edu_through_ecam(void **state)
{
	struct board *b = *state;
	struct hw_bus *bus = open_bus(b);
	struct hw_pci_bdf edu0 = {.device = 1}, edu1 = {.device = 2}, empty = {.device = 3};
	uint32_t id = 0, extended = 0;

	assert_int_equal(hw_pci_cfg_read(bus, edu0, 0, 4, &id), 0);
	assert_int_equal(id, 0x11e81234);
	assert_int_equal(hw_pci_cfg_read(bus, edu1, 0, 4, &id), 0);
	assert_int_equal(id, 0x11e81234);
	assert_int_equal(hw_pci_cfg_read(bus, empty, 0, 4, &id), 0);
	assert_int_equal(id, 0xffffffff);
	assert_int_equal(hw_pci_cfg_read(bus, edu0, 0x100, 4, &extended), 0);
	hw_close(bus);
}

/* Offset 0 of the RAM file is guest physical 0x40000000: a CPU-side write at a physical
 * address shows up in the file at that address minus the RAM base. */
static void test_virt_ram_file_at_1g(void **state)
{
	struct board *b = *state;
	struct hw_bus *bus = open_bus(b);
	int fd = open(b->mem, O_RDONLY);
	uint32_t seen = 0;

	assert_true(fd >= 0);
	assert_int_equal(hw_write32(bus, VIRT_RAM_BASE + 0x5000, 0xfeedf00d), 0);
	assert_int_equal(pread(fd, &seen, sizeof(seen), 0x5000), (ssize_t)sizeof(seen));
	assert_int_equal(seen, 0xfeedf00d);
	close(fd);
	hw_close(bus);
}

/* With the SMMU off after reset (SMMUEN = 0, GBPA.ABORT = 0) an edu's DMA bypasses it: bytes
 * staged in RAM above 1 GiB reach the device and come back out, and a write lands where it
 * was aimed.  With the edu's default 28-bit mask the addresses would be clamped into flash. */
static void test_virt_dma_bypasses_smmu_off(void **state)
{
	struct board *b = *state;
	struct hw_bus *bus = open_bus(b);
	uint8_t data[DMA_LEN];
	char hex[2 * DMA_LEN + 1];
	char iova[32], bounce[32], value[2 * DMA_LEN + 8];
	uint32_t cr0 = ~0u;
	void *target;
	struct strbuf out = STRBUF_INIT;

	assert_int_equal(hw_read32(bus, b->smmuv3 + SMMU_CR0, &cr0), 0);
	assert_int_equal(cr0 & SMMU_CR0_SMMUEN, 0);
	fill_pattern(data, sizeof(data), 11);
	to_hex(data, sizeof(data), hex);
	snprintf(iova, sizeof(iova), "%#llx", VIRT_RAM_BASE + SOURCE_PA);
	snprintf(bounce, sizeof(bounce), "%#llx", VIRT_RAM_BASE + BOUNCE_PA);
	const char *to_dev[] = {SMMU_BOARD_PATH, "dma", "--dir",  b->dir, "--to-device",
				"--iova",	 iova,	"--data", hex,	  "--bounce",
				bounce,		 NULL};

	assert_int_equal(run_tool(to_dev, &out), 0);
	assert_string_equal(value_of(strbuf_str(&out), "bar0: ", value, sizeof(value)),
			    "0x10000000");
	assert_string_equal(value_of(strbuf_str(&out), "match: ", value, sizeof(value)), "yes");
	assert_string_equal(value_of(strbuf_str(&out), "data: ", value, sizeof(value)), hex);
	strbuf_reset(&out);

	/* The second edu, device -> RAM, seen through the test's own window. */
	fill_pattern(data, sizeof(data), 77);
	to_hex(data, sizeof(data), hex);
	snprintf(iova, sizeof(iova), "%#llx", VIRT_RAM_BASE + TARGET_PA);
	const char *from_dev[] = {
		SMMU_BOARD_PATH, "dma", "--dir",  b->dir, "--device", "00:02.0", "--from-device",
		"--iova",	 iova,	"--data", hex,	  "--bounce", bounce,	 NULL};

	assert_int_equal(run_tool(from_dev, &out), 0);
	assert_string_equal(value_of(strbuf_str(&out), "bar0: ", value, sizeof(value)),
			    "0x10100000");
	assert_string_equal(value_of(strbuf_str(&out), "match: ", value, sizeof(value)), "yes");
	assert_int_equal(hw_mem_map(bus, VIRT_RAM_BASE + TARGET_PA, sizeof(data), &target), 0);
	assert_memory_equal(target, data, sizeof(data));
	strbuf_fini(&out);
	hw_close(bus);
}

/* fw_cfg answers in MMIO: the RSDP file is the 36-byte ACPI 2.0 RSDP. */
static void test_virt_fwcfg(void **state)
{
	struct board *b = *state;
	char path[300], value[64];
	uint8_t rsdp[64];
	struct strbuf out = STRBUF_INIT;

	snprintf(path, sizeof(path), "%s.rsdp", b->dir);
	const char *argv[] = {SMMU_BOARD_PATH, "fwcfg", "--dir", b->dir,
			      "etc/acpi/rsdp", path,	NULL};

	assert_int_equal(run_tool(argv, &out), 0);
	assert_string_equal(value_of(strbuf_str(&out), "size: ", value, sizeof(value)), "36");
	size_t n = read_file(path, rsdp, sizeof(rsdp));

	unlink(path);
	assert_int_equal(n, 36);
	assert_memory_equal(rsdp, "RSD PTR ", 8);
	strbuf_fini(&out);
}

/* The board's own IORT comes out whole (signature, length, checksum) and describes this
 * machine: an SMMUv3 node at the SMMU's address and a root complex. */
static void test_virt_iort_extracted(void **state)
{
	struct board *b = *state;
	char path[300], value[64];
	uint8_t table[4096];
	struct fw_acpi_header hdr;
	struct fw_error err;
	struct strbuf out = STRBUF_INIT;
	bool smmu_seen = false, rc_seen = false;

	snprintf(path, sizeof(path), "%s.iort", b->dir);
	const char *argv[] = {SMMU_BOARD_PATH, "acpi", "--dir", b->dir, "IORT", path, NULL};

	assert_int_equal(run_tool(argv, &out), 0);
	assert_string_equal(value_of(strbuf_str(&out), "table: ", value, sizeof(value)), "IORT");
	size_t n = read_file(path, table, sizeof(table));

	unlink(path);
	assert_int_equal(n, atoi(value_of(strbuf_str(&out), "size: ", value, sizeof(value))));
	if (fw_acpi_table_check(table, n, "IORT", 48, 0, &hdr, &err) != 0) {
		print_error("IORT: %s\n", err.message);
		fail();
	}
	assert_true(hdr.checksum_ok);
	assert_int_equal(hdr.length, n);
	uint32_t count = get_le32(table + IORT_NODE_COUNT);
	size_t at = get_le32(table + IORT_NODE_OFFSET);

	for (uint32_t i = 0; i < count; i++) {
		assert_true(at + 4 <= n);
		uint8_t type = table[at];
		size_t length = (size_t)table[at + 1] | (size_t)table[at + 2] << 8;

		assert_true(length >= 16 && at + length <= n);
		if (type == IORT_NODE_TYPE_SMMUV3) {
			uint64_t base = get_le32(table + at + IORT_SMMUV3_BASE) |
					(uint64_t)get_le32(table + at + IORT_SMMUV3_BASE + 4) << 32;

			smmu_seen = base == b->smmuv3;
		}
		rc_seen |= type == IORT_NODE_TYPE_ROOT_COMPLEX;
		at += length;
	}
	assert_true(smmu_seen && rc_seen);
	strbuf_fini(&out);
}

/* `dtb` writes the board's device tree: the FDT magic, a size that fits the file, and the
 * SMMUv3 and the PCIe host's iommu-map inside. */
static void test_virt_dtb(void **state)
{
	struct board *b = *state;
	char path[300], value[300];
	static uint8_t dtb[2 << 20];
	struct strbuf out = STRBUF_INIT;

	snprintf(path, sizeof(path), "%s.dtb", b->dir);
	const char *argv[] = {SMMU_BOARD_PATH, "dtb", "--dir", b->dir, path, NULL};

	assert_int_equal(run_tool(argv, &out), 0);
	assert_string_equal(value_of(strbuf_str(&out), "dtb: ", value, sizeof(value)), path);
	size_t n = read_file(path, dtb, sizeof(dtb));

	unlink(path);
	assert_true(n >= 40);
	assert_int_equal(get_be32(dtb), FDT_MAGIC);
	assert_true(get_be32(dtb + 4) <= n);
	assert_non_null(memmem(dtb, n, "arm,smmu-v3", sizeof("arm,smmu-v3")));
	assert_non_null(memmem(dtb, n, "iommu-map", sizeof("iommu-map")));
	strbuf_fini(&out);
}

/* q35 has no device tree: `dtb` says so and fails instead of writing something else. */
static void test_dtb_refused_on_q35(void **state)
{
	struct board *b = *state;
	char path[300];
	struct stat st;

	snprintf(path, sizeof(path), "%s.dtb", b->dir);
	const char *argv[] = {SMMU_BOARD_PATH, "dtb", "--dir", b->dir, path, NULL};

	assert_int_equal(run_tool(argv, NULL), 1);
	assert_int_equal(stat(path, &st), -1);
}

/* CPU time (user + system) a process has used, in clock ticks (proc(5) fields 14, 15). */
static unsigned long long cpu_ticks(pid_t pid)
{
	char path[64], stat[1024];
	unsigned long long utime = 0, stime = 0;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	ssize_t n = read(fd, stat, sizeof(stat) - 1);

	close(fd);
	assert_true(n > 0);
	stat[n] = '\0';
	const char *p = strrchr(stat, ')');

	assert_non_null(p);
	/* After "pid (comm)": state is field 3, utime 14, stime 15. */
	assert_int_equal(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
				&utime, &stime),
			 2);
	return utime + stime;
}

/* The firmware image keeps the CPU asleep: over 2 s QEMU uses less than a quarter of a core.
 * Measured idle it uses nothing (0 ticks in 20 s), while with an image of zeros the CPU
 * executes and faults without end and QEMU takes all the core it can get; the margin keeps a
 * busy host from failing the case. */
static void test_virt_cpu_sleeps(void **state)
{
	struct board *b = *state;
	long hz = sysconf(_SC_CLK_TCK);
	struct timespec two_s = {.tv_sec = 2};
	unsigned long long before = cpu_ticks(b->qemu_pid);

	nanosleep(&two_s, NULL);
	unsigned long long used = cpu_ticks(b->qemu_pid) - before;

	if (used * 4 >= (unsigned long long)(2 * hz)) {
		print_error("QEMU used %llu of %ld ticks in 2 s\n", used, 2 * hz);
		fail();
	}
}

/* --smmu-stage 2 either starts a board whose SMMUv3 offers stage 2, or (QEMU without the
 * property, e.g. 7.2) exits 3 having started and left nothing. */
static void test_virt_smmu_stage2(void **state)
{
	char dir[] = "/tmp/test-board-stage2.XXXXXX";
	const char *argv[] = {SMMU_BOARD_PATH, "start", "--machine", "virt", "--dir", dir,
			      "--smmu-stage",  "2",	NULL};
	struct strbuf out = STRBUF_INIT;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(rmdir(dir), 0);
	int before = count_board_shm_files();
	int status = run_tool(argv, &out);

	if (status == 3) {
		assert_int_equal(stat(dir, &st), -1);
		assert_int_equal(count_board_shm_files(), before);
		print_message("QEMU here has no SMMUv3 stage 2 (exit 3), as expected of 7.2\n");
		strbuf_fini(&out);
		return;
	}
	assert_int_equal(status, 0);
	struct board b = {.env = out};
	char value[64];
	uint32_t idr0 = 0;

	/* The board started: read what it says and check the SMMU offers stage 2. */
	value_of(strbuf_str(&b.env), "SMMU_BOARD_DIR=", b.dir, sizeof(b.dir));
	value_of(strbuf_str(&b.env), "SMMU_BOARD_MEM=", b.mem, sizeof(b.mem));
	value_of(strbuf_str(&b.env), "SMMU_BOARD_HW=", b.hw, sizeof(b.hw));
	value_of(strbuf_str(&b.env), "SMMU_BOARD_QTEST=", b.qtest, sizeof(b.qtest));
	b.pid = (pid_t)atol(value_of(strbuf_str(&b.env), "SMMU_BOARD_PID=", value, sizeof(value)));
	b.qemu_pid = (pid_t)atol(
		value_of(strbuf_str(&b.env), "SMMU_BOARD_QEMU_PID=", value, sizeof(value)));
	assert_string_equal(
		value_of(strbuf_str(&b.env), "SMMU_BOARD_SMMU_STAGE=", value, sizeof(value)), "2");
	struct hw_bus *bus = open_bus(&b);

	assert_int_equal(hw_read32(bus, 0x09050000 + SMMU_IDR0, &idr0), 0);
	assert_true(idr0 & SMMU_IDR0_S2P);
	hw_close(bus);
	board_stop_clean(&b, false);
}

static bool qemu_installed(const char *binary)
{
	char script[128];

	snprintf(script, sizeof(script), "command -v %s", binary);
	const char *argv[] = {"/bin/sh", "-c", script, NULL};

	return run_tool(argv, NULL) == 0;
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
#define V(name) cmocka_unit_test_setup_teardown(name, setup_virt, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_spec_reaches_vtd),
		T(test_edu_in_config_space),
		T(test_enable_bus_master),
		T(test_dma_round_trip_iommu_off),
		T(test_dma_reports_mismatch),
		T(test_dmar_extracted),
		T(test_mux_refuses_malformed),
		T(test_mux_batch_all_or_nothing),
		T(test_two_clients),
		T(test_table_memory_is_guest_ram),
		T(test_daemon_killed),
		T(test_dtb_refused_on_q35),
		cmocka_unit_test(test_start_in_given_dir),
		cmocka_unit_test(test_failed_start_leaves_nothing),
		cmocka_unit_test(test_unknown_machine_refused),
	};
	const struct CMUnitTest virt_tests[] = {
		V(test_virt_describes_itself),
		V(test_virt_edu_through_ecam),
		V(test_virt_ram_file_at_1g),
		V(test_virt_dma_bypasses_smmu_off),
		V(test_virt_fwcfg),
		V(test_virt_iort_extracted),
		V(test_virt_dtb),
		V(test_virt_cpu_sleeps),
		cmocka_unit_test(test_virt_smmu_stage2),
	};

	if (!qemu_installed("qemu-system-x86_64")) {
		fprintf(stderr, "SKIP: qemu-system-x86_64 is not installed "
				"(scripts/install-deps.sh installs it)\n");
		return 77;
	}
	int failed = cmocka_run_group_tests_name("q35", tests, NULL, NULL);

	if (!qemu_installed("qemu-system-aarch64")) {
		fprintf(stderr,
			"SKIP: the %zu virt cases: qemu-system-aarch64 is not installed "
			"(scripts/install-deps.sh installs it)\n",
			sizeof(virt_tests) / sizeof(virt_tests[0]));
		return failed;
	}
	return failed + cmocka_run_group_tests_name("virt", virt_tests, NULL, NULL);
}
