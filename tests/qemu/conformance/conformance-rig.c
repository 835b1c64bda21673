/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The conformance suite's rig: a board (`smmu-board start`), the service on it (waiting for
 * READY=1 on a NOTIFY_SOCKET), DMA through `smmu-board dma` with the outcome read in the
 * board's RAM file, and `smmuctl probe`.  One rig at a time; conf_rig_teardown() and the
 * signal handler release whatever it holds.
 */
#include "conformance.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../unit/cmocka-all.h"
#include "common/strbuf.h"

#if !defined(SMMU_BOARD_PATH) || !defined(SMMUMAN_PATH) || !defined(SMMUCTL_PATH)
#error "SMMU_BOARD_PATH, SMMUMAN_PATH and SMMUCTL_PATH must name the programs"
#endif

/* The suite's RAM: 64 MiB from the platform's ram_start. */
#define CONF_RAM_SIZE (64u << 20)
/* How long the service may take to say READY=1, in 100 ms steps: bounds a hang. */
#define CONF_READY_STEPS 300
/* How long a stopping service may take before it is killed, in 10 ms steps. */
#define CONF_STOP_STEPS 1000

unsigned conf_skipped_count;
struct conf_rig conf_rig;

/* Runs argv, its stdout and stderr into `out` (may be NULL); returns the exit status, or
 * 128 + signal. */
static int run_tool(const char *const argv[], struct strbuf *out)
{
	int pipefd[2];
	char buf[4096];
	ssize_t n;
	int status;

	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], buf, sizeof(buf))) > 0) {
		if (out) {
			strbuf_append(out, buf, (size_t)n);
		}
	}
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The value after "KEY" at the start of a line of `text`, or "" (copied into buf). */
static const char *value_of(const char *text, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);

	buf[0] = '\0';
	for (const char *line = text; line && *line; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (strncmp(line, key, klen) == 0) {
			size_t n = strcspn(line + klen, "\n");

			n = n < size ? n : size - 1;
			memcpy(buf, line + klen, n);
			buf[n] = '\0';
			break;
		}
	}
	return buf;
}

/**
 * conf_rig_start_board() - `smmu-board start` with the platform's arguments; maps the
 * board's RAM file.  Fails the case when the board does not start.
 */
void conf_rig_start_board(const struct conf_platform *platform)
{
	const char *argv[16] = {SMMU_BOARD_PATH, "start"};
	struct strbuf out = STRBUF_INIT;
	char value[64];
	size_t argc = 2;
	int fd;

	memset(&conf_rig, 0, sizeof(conf_rig));
	conf_rig.platform = platform;
	for (size_t i = 0; platform->board_args[i] && argc < 15; i++) {
		argv[argc++] = platform->board_args[i];
	}
	int status = run_tool(argv, &out);
	const char *text = strbuf_str(&out);

	value_of(text, "SMMU_BOARD_DIR=", conf_rig.board_dir, sizeof(conf_rig.board_dir));
	if (status != 0 && status == platform->board_lacks_status) {
		printf("# SKIP the board's QEMU lacks what the platform needs: %s\n", text);
		strbuf_fini(&out);
		conf_skipped_count++;
		skip();
	}
	if (status != 0) {
		fail_msg("smmu-board start failed (%d): %s", status, text);
	}
	value_of(text, "SMMU_BOARD_MEM=", conf_rig.board_mem, sizeof(conf_rig.board_mem));
	value_of(text, "SMMU_BOARD_HW=", conf_rig.board_hw, sizeof(conf_rig.board_hw));
	conf_rig.board_pid = (pid_t)atol(value_of(text, "SMMU_BOARD_PID=", value, sizeof(value)));
	conf_rig.qemu_pid =
		(pid_t)atol(value_of(text, "SMMU_BOARD_QEMU_PID=", value, sizeof(value)));
	conf_rig.board_ram_base =
		strtoull(value_of(text, "SMMU_BOARD_RAM_BASE=", value, sizeof(value)), NULL, 0);
	conf_rig.board_ram_size =
		strtoull(value_of(text, "SMMU_BOARD_RAM_SIZE=", value, sizeof(value)), NULL, 0);
	strbuf_fini(&out);
	assert_true(conf_rig.board_mem[0] && strchr(conf_rig.board_hw, ':'));
	assert_true(platform->ram_start >= conf_rig.board_ram_base &&
		    platform->ram_start + CONF_RAM_SIZE <=
			    conf_rig.board_ram_base + conf_rig.board_ram_size);
	fd = open(conf_rig.board_mem, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	conf_rig.ram =
		mmap(NULL, conf_rig.board_ram_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	assert_true(conf_rig.ram != MAP_FAILED);
}

/* Splits `text` at spaces into argv (pointing into text, which it modifies). */
static void add_words(char *text, const char **argv, size_t *argc, size_t max)
{
	char *save = NULL;

	for (char *w = strtok_r(text, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		assert_true(*argc < max);
		argv[(*argc)++] = w;
	}
}

/* Waits for READY=1 on `fd`; fails the case, with the service's log, when it dies first or
 * takes too long. */
static void wait_ready(int fd)
{
	char msg[256];

	for (int step = 0; step < CONF_READY_STEPS; step++) {
		struct timeval timeout = {.tv_usec = 100 * 1000};
		int status;
		ssize_t n;

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
		n = recv(fd, msg, sizeof(msg) - 1, 0);
		if (n > 0) {
			msg[n] = '\0';
			if (strstr(msg, "READY=1")) {
				return;
			}
		}
		if (waitpid(conf_rig.service, &status, WNOHANG) == conf_rig.service) {
			conf_rig.service = 0;
			fail_msg(
				"the service exited (status 0x%x) before READY=1 (its log follows)",
				status);
		}
	}
	fail_msg("the service did not say READY=1");
}

/* The board's firmware description into the rig's folder, for the service to discover:
 * `smmu-board acpi SIGNATURE FILE` for an ACPI table, `smmu-board dtb FILE` for the device
 * tree. */
static void extract_firmware(const struct conf_platform *p)
{
	const char *argv[8] = {SMMU_BOARD_PATH};
	size_t argc = 1;
	struct strbuf out = STRBUF_INIT;

	if (p->firmware_dtb) {
		snprintf(conf_rig.table_path, sizeof(conf_rig.table_path), "%s/board.dtb",
			 conf_rig.dir);
		argv[argc++] = "dtb";
	} else {
		snprintf(conf_rig.table_path, sizeof(conf_rig.table_path), "%s/%s.bin",
			 conf_rig.dir, p->firmware_table);
		argv[argc++] = "acpi";
	}
	argv[argc++] = "--dir";
	argv[argc++] = conf_rig.board_dir;
	if (!p->firmware_dtb) {
		argv[argc++] = p->firmware_table;
	}
	argv[argc++] = conf_rig.table_path;
	argv[argc] = NULL;
	if (run_tool(argv, &out) != 0) {
		fail_msg("smmu-board %s: %s", argv[1], strbuf_str(&out));
	}
	strbuf_fini(&out);
}

/**
 * conf_rig_start_service() - smmuman -f with the platform's configuration, the board's
 * `platform`, and `extra_config` (may be NULL), waiting for READY=1.  The service dies with
 * the runner (PDEATHSIG); its output goes to a log file that teardown prints.
 */
void conf_rig_start_service(const char *extra_config)
{
	const struct conf_platform *p = conf_rig.platform;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char notify_path[128], hw[1024], permit[64];
	char *config = strdup(p->service_config);
	char *extra = strdup(extra_config ? extra_config : "");
	const char *argv[256];
	size_t argc = 0;
	pid_t runner = getpid();
	int notify_fd;

	assert_non_null(config);
	assert_non_null(extra);
	snprintf(conf_rig.dir, sizeof(conf_rig.dir), "/tmp/smmu-conformance.XXXXXX");
	assert_non_null(mkdtemp(conf_rig.dir));
	snprintf(conf_rig.socket_path, sizeof(conf_rig.socket_path), "%s/smmuman.sock",
		 conf_rig.dir);
	snprintf(conf_rig.log_path, sizeof(conf_rig.log_path), "%s/service.log", conf_rig.dir);
	snprintf(notify_path, sizeof(notify_path), "%s/notify", conf_rig.dir);
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(notify_fd >= 0);
	memcpy(addr.sun_path, notify_path, strlen(notify_path) + 1);
	assert_int_equal(bind(notify_fd, (struct sockaddr *)&addr, sizeof(addr)), 0);

	argv[argc++] = SMMUMAN_PATH;
	argv[argc++] = "-f";
	argv[argc++] = "--socket";
	argv[argc++] = conf_rig.socket_path;
	argv[argc++] = "--libdir";
	argv[argc++] = p->module_dir;
	if (p->firmware_table || p->firmware_dtb) {
		extract_firmware(p);
		argv[argc++] = p->firmware_option;
		argv[argc++] = conf_rig.table_path;
	}
	add_words(config, argv, &argc, 200);
	/* "qtest:PARAMS" is `platform qtest PARAMS`. */
	snprintf(hw, sizeof(hw), "%s", conf_rig.board_hw);
	*strchr(hw, ':') = '\0';
	argv[argc++] = "platform";
	argv[argc++] = hw;
	argv[argc++] = hw + strlen(hw) + 1;
	add_words(extra, argv, &argc, 240);
	if (geteuid() != 0) {
		snprintf(permit, sizeof(permit), "uid:%ld", (long)getuid());
		argv[argc++] = "permit";
		argv[argc++] = "attach:target";
		argv[argc++] = permit;
	}
	argv[argc] = NULL;

	conf_rig.service = fork();
	assert_true(conf_rig.service >= 0);
	if (conf_rig.service == 0) {
		int log = open(conf_rig.log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != runner || log < 0) {
			_exit(126);
		}
		dup2(log, STDOUT_FILENO);
		dup2(log, STDERR_FILENO);
		setenv("NOTIFY_SOCKET", notify_path, 1);
		execv(SMMUMAN_PATH, (char *const *)argv);
		_exit(127);
	}
	free(config);
	free(extra);
	wait_ready(notify_fd);
	close(notify_fd);
	unlink(notify_path);
}

/**
 * conf_rig_stop_service() - SIGTERM, and the exit status (killed after a bounded wait:
 * then 128 + SIGKILL).  The socket must be gone afterwards.
 */
int conf_rig_stop_service(void)
{
	int status = 0;

	if (conf_rig.service <= 0) {
		return -1;
	}
	kill(conf_rig.service, SIGTERM);
	for (int step = 0; step < CONF_STOP_STEPS; step++) {
		if (waitpid(conf_rig.service, &status, WNOHANG) == conf_rig.service) {
			conf_rig.service = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		usleep(10 * 1000);
	}
	kill(conf_rig.service, SIGKILL);
	waitpid(conf_rig.service, &status, 0);
	conf_rig.service = 0;
	return 128 + SIGKILL;
}

static void print_service_log(void)
{
	char buf[4096];
	ssize_t n;
	int fd;

	if (!conf_rig.log_path[0]) {
		return;
	}
	fd = open(conf_rig.log_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return;
	}
	fprintf(stderr, "--- service log (%s) ---\n", conf_rig.platform->name);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		fwrite(buf, 1, (size_t)n, stderr);
	}
	fprintf(stderr, "--- end of service log ---\n");
	close(fd);
}

/* `smmu-board stop`, and a check that QEMU and the board daemon are gone. */
static void stop_board(void)
{
	const char *argv[] = {SMMU_BOARD_PATH, "stop", "--dir", conf_rig.board_dir, NULL};
	struct strbuf out = STRBUF_INIT;

	if (!conf_rig.board_dir[0]) {
		return;
	}
	if (run_tool(argv, &out) != 0) {
		fprintf(stderr, "smmu-board stop: %s\n", strbuf_str(&out));
		if (conf_rig.qemu_pid > 0) {
			kill(conf_rig.qemu_pid, SIGKILL);
		}
		if (conf_rig.board_pid > 0) {
			kill(conf_rig.board_pid, SIGKILL);
		}
	}
	strbuf_fini(&out);
	conf_rig.board_dir[0] = '\0';
}

/**
 * conf_rig_teardown() - stops clients, service and board and removes every file the rig
 * made, whatever state the case left; prints the service's log for the test log.
 * Return: the service's exit status on SIGTERM (0 when it was not running any more).
 */
int conf_rig_teardown(void)
{
	int status;

	for (unsigned i = 0; i < conf_rig.agent_count; i++) {
		conf_agent_stop(&conf_rig.agents[i]);
	}
	conf_rig.agent_count = 0;
	status = conf_rig.service > 0 ? conf_rig_stop_service() : 0;
	print_service_log();
	if (conf_rig.ram && conf_rig.ram != MAP_FAILED) {
		munmap(conf_rig.ram, conf_rig.board_ram_size);
	}
	conf_rig.ram = NULL;
	stop_board();
	if (conf_rig.dir[0]) {
		char path[160];

		unlink(conf_rig.log_path);
		unlink(conf_rig.socket_path);
		if (conf_rig.table_path[0]) {
			unlink(conf_rig.table_path);
		}
		snprintf(path, sizeof(path), "%s/notify", conf_rig.dir);
		unlink(path);
		rmdir(conf_rig.dir);
		conf_rig.dir[0] = '\0';
	}
	return status;
}

/* SIGTERM (meson's timeout), SIGINT, SIGHUP: release the rig with async-signal-safe calls
 * only, then die of the signal. */
static void on_signal(int sig)
{
	const char *argv[] = {SMMU_BOARD_PATH, "stop", "--dir", conf_rig.board_dir, NULL};

	for (unsigned i = 0; i < conf_rig.agent_count; i++) {
		if (conf_rig.agents[i].pid > 0) {
			kill(conf_rig.agents[i].pid, SIGKILL);
		}
	}
	if (conf_rig.service > 0) {
		kill(conf_rig.service, SIGKILL);
	}
	if (conf_rig.board_dir[0]) {
		pid_t pid = fork();

		if (pid == 0) {
			execv(SMMU_BOARD_PATH, (char *const *)argv);
			_exit(127);
		}
		if (pid > 0) {
			waitpid(pid, NULL, 0);
		}
	}
	if (conf_rig.dir[0]) {
		unlink(conf_rig.log_path);
		unlink(conf_rig.socket_path);
		if (conf_rig.table_path[0]) {
			unlink(conf_rig.table_path);
		}
		rmdir(conf_rig.dir);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

void conf_rig_install_signal_handlers(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/** conf_ram() - physical address `offset` bytes into the suite's RAM. */
uint64_t conf_ram(uint64_t offset)
{
	assert_true(offset < CONF_RAM_SIZE);
	return conf_rig.platform->ram_start + offset;
}

/** conf_bounce() - the page device `dev` bounces data through (see conformance.h). */
uint64_t conf_bounce(unsigned dev)
{
	return conf_ram((uint64_t)dev << 20);
}

static uint8_t *ram_at(uint64_t pa)
{
	assert_true(pa >= conf_rig.board_ram_base &&
		    pa - conf_rig.board_ram_base + CONF_DMA_LEN <= conf_rig.board_ram_size);
	return conf_rig.ram + (pa - conf_rig.board_ram_base);
}

/* Bytes no earlier transfer of this run carried. */
static void unique_bytes(uint8_t *bytes)
{
	unsigned serial = ++conf_rig.data_serial;

	for (unsigned i = 0; i < CONF_DMA_LEN; i++) {
		bytes[i] = (uint8_t)(serial * 131u + i * 7u + (serial >> 8) + 1u);
	}
	bytes[0] = (uint8_t)serial;
	bytes[1] = (uint8_t)(serial >> 8) | 0x80; /* never all-zero, never an earlier serial */
}

static void hex(const uint8_t *bytes, char *out)
{
	for (unsigned i = 0; i < CONF_DMA_LEN; i++) {
		sprintf(out + 2 * i, "%02x", bytes[i]);
	}
}

/* One `smmu-board dma` run; returns whether it said "match: yes", failing the case when
 * it did not run the transfer. */
static bool board_dma(unsigned dev, const char *direction, uint64_t iova, uint64_t pa,
		      bool with_data)
{
	const struct conf_platform *p = conf_rig.platform;
	char iova_text[32], pa_text[32], bounce[32], data[2 * CONF_DMA_LEN + 1], len[16];
	const char *argv[24] = {SMMU_BOARD_PATH, "dma",
				"--dir",	 conf_rig.board_dir,
				"--device",	 p->board_name[dev],
				direction,	 "--iova",
				iova_text,	 "--pa",
				pa_text};
	size_t argc = 11;
	struct strbuf out = STRBUF_INIT;
	uint8_t bytes[CONF_DMA_LEN];
	char match[8];

	snprintf(iova_text, sizeof(iova_text), "0x%" PRIx64, iova);
	snprintf(pa_text, sizeof(pa_text), "0x%" PRIx64, pa);
	if (with_data) {
		unique_bytes(bytes);
		hex(bytes, data);
		snprintf(bounce, sizeof(bounce), "0x%" PRIx64, conf_bounce(dev));
		argv[argc++] = "--data";
		argv[argc++] = data;
		argv[argc++] = "--bounce";
		argv[argc++] = bounce;
	} else {
		snprintf(len, sizeof(len), "%u", CONF_DMA_LEN);
		argv[argc++] = "--len";
		argv[argc++] = len;
	}
	argv[argc] = NULL;
	int status = run_tool(argv, &out);
	const char *text = strbuf_str(&out);

	if (!strstr(text, "dma: done") ||
	    (with_data && !value_of(text, "match: ", match, sizeof(match))[0])) {
		fail_msg("smmu-board dma did not run the transfer (%d): %s", status, text);
	}
	bool arrived = with_data && strcmp(match, "yes") == 0;

	strbuf_fini(&out);
	return arrived;
}

/** conf_dma_read() - device `dev` reads [iova, +64) (data placed at `pa` first). */
bool conf_dma_read(unsigned dev, uint64_t iova, uint64_t pa)
{
	return board_dma(dev, "--to-device", iova, pa, true);
}

/** conf_dma_write() - device `dev` writes [iova, +64) (checked at `pa`). */
bool conf_dma_write(unsigned dev, uint64_t iova, uint64_t pa)
{
	return board_dma(dev, "--from-device", iova, pa, true);
}

/**
 * conf_dma_write_blind() - device `dev` writes its buffer to [iova, +64) with nothing else
 * allowed: `pa` is filled with bytes no transfer carried, so any write changes them.
 */
bool conf_dma_write_blind(unsigned dev, uint64_t iova, uint64_t pa)
{
	uint8_t before[CONF_DMA_LEN];
	uint8_t *ram = ram_at(pa);

	unique_bytes(before);
	memcpy(ram, before, CONF_DMA_LEN);
	(void)board_dma(dev, "--from-device", iova, pa, false);
	return memcmp(ram, before, CONF_DMA_LEN) != 0;
}

/* The JSON value after "\"key\":" in text: a number or a quoted word, into buf. */
static const char *json_value(const char *text, const char *key, char *buf, size_t size)
{
	char pattern[64];
	const char *at;
	size_t n;

	snprintf(pattern, sizeof(pattern), "\"%s\":", key);
	buf[0] = '\0';
	at = strstr(text, pattern);
	if (!at) {
		return buf;
	}
	at += strlen(pattern);
	at += *at == '"';
	n = strcspn(at, "\",}");
	n = n < size ? n : size - 1;
	memcpy(buf, at, n);
	buf[n] = '\0';
	return buf;
}

/** conf_probe() - `smmuctl --json probe DEVICE ADDR r|w`. */
bool conf_probe(unsigned dev, uint64_t iova, bool write, uint64_t *ret_pa, char *ret_reason,
		size_t reason_size)
{
	char addr[32], value[64];
	const char *argv[] = {SMMUCTL_PATH, "--socket",	       conf_rig.socket_path,
			      "--json",	    "probe",	       conf_rig.platform->config_name[dev],
			      addr,	    write ? "w" : "r", NULL};
	struct strbuf out = STRBUF_INIT;
	int status;

	snprintf(addr, sizeof(addr), "0x%" PRIx64, iova);
	status = run_tool(argv, &out);
	const char *text = strbuf_str(&out);

	if (status > 1) {
		fail_msg("smmuctl probe failed (%d): %s", status, text);
	}
	json_value(text, "allowed", value, sizeof(value));
	if (strcmp(value, status == 0 ? "true" : "false") != 0) {
		fail_msg("smmuctl probe exit %d disagrees with its output: %s", status, text);
	}
	if (status == 0 && ret_pa) {
		*ret_pa = strtoull(json_value(text, "pa", value, sizeof(value)), NULL, 10);
	}
	if (status == 1 && ret_reason) {
		json_value(text, "reason", ret_reason, reason_size);
	}
	strbuf_fini(&out);
	return status == 0;
}

/** conf_fault_total() - the service's count of faults so far (`smmuctl --json status`). */
uint64_t conf_fault_total(void)
{
	const char *argv[] = {SMMUCTL_PATH, "--socket", conf_rig.socket_path,
			      "--json",	    "status",	NULL};
	struct strbuf out = STRBUF_INIT;
	char value[32];
	uint64_t total;

	if (run_tool(argv, &out) != 0) {
		fail_msg("smmuctl status failed: %s", strbuf_str(&out));
	}
	json_value(strbuf_str(&out), "fault_total", value, sizeof(value));
	if (!value[0]) {
		fail_msg("smmuctl status --json has no fault_total: %s", strbuf_str(&out));
	}
	total = strtoull(value, NULL, 10);
	strbuf_fini(&out);
	return total;
}
