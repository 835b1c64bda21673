/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `smmu-board stop`: ask the daemon to stop (it stops QEMU and removes the board's files),
 * wait until it is gone, then make sure: kill a QEMU that outlived it, remove what is left.
 * It also cleans up after a board whose daemon was killed outright or whose QEMU crashed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "board.h"
#include "common/strbuf.h"

/* Longer than the daemon's own grace period for QEMU (10 s), so it can finish first. */
#define BOARD_STOP_TIMEOUT_MS 15000
/* After SIGKILL a process is gone as soon as the kernel has torn it down. */
#define BOARD_KILL_TIMEOUT_MS 5000

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

static bool wait_gone(pid_t pid, long timeout_ms)
{
	for (long waited = 0; waited < timeout_ms; waited += 10) {
		if (!board_process_alive(pid)) {
			return true;
		}
		sleep_ms(10);
	}
	return !board_process_alive(pid);
}

/* Whether /proc/PID/FILE contains `needle` (cmdline: NUL-separated words count too). */
static bool proc_contains(pid_t pid, const char *file, const char *needle)
{
	char path[64], text[8192];

	snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, file);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		return false;
	}
	ssize_t n = read(fd, text, sizeof(text) - 1);

	close(fd);
	if (n <= 0) {
		return false;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (text[i] == '\0') {
			text[i] = ' ';
		}
	}
	text[n] = '\0';
	return strstr(text, needle) != NULL;
}

/*
 * Stops `pid` if it is still the process the board recorded (pids are reused: the daemon
 * is checked by name, QEMU by the RAM file on its command line).
 */
static int stop_process(pid_t pid, const char *what, const char *file, const char *needle)
{
	if (!board_process_alive(pid) || !proc_contains(pid, file, needle)) {
		return 0;
	}
	kill(pid, SIGTERM);
	if (wait_gone(pid, BOARD_STOP_TIMEOUT_MS)) {
		return 0;
	}
	fprintf(stderr, "smmu-board stop: %s (pid %ld) ignored SIGTERM; killing it\n", what,
		(long)pid);
	kill(pid, SIGKILL);
	if (wait_gone(pid, BOARD_KILL_TIMEOUT_MS)) {
		return 0;
	}
	fprintf(stderr, "smmu-board stop: %s (pid %ld) survived SIGKILL\n", what, (long)pid);
	return -EBUSY;
}

/**
 * board_cmd_stop() - `smmu-board stop [--dir DIR]` (DIR defaults to $SMMU_BOARD_DIR).
 * Return: exit status: 0 when no process and no file of the board remains.
 */
int board_cmd_stop(int argc, char **argv)
{
	static const struct option longopts[] = {{"dir", required_argument, NULL, 'd'}, {0}};
	const char *dir = getenv("SMMU_BOARD_DIR");
	struct board_env env;
	struct strbuf why = STRBUF_INIT;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c != 'd') {
			fprintf(stderr, "usage: smmu-board stop [--dir DIR]\n");
			return 2;
		}
		dir = optarg;
	}
	if (!dir || optind != argc) {
		fprintf(stderr, "usage: smmu-board stop [--dir DIR] (or set SMMU_BOARD_DIR)\n");
		return 2;
	}
	int r = board_env_read(dir, &env, &why);

	if (r < 0) {
		fprintf(stderr, "smmu-board stop: %s\n", strbuf_str(&why));
		strbuf_fini(&why);
		return 1;
	}
	strbuf_fini(&why);
	r = stop_process(env.pid, "the board daemon", "comm", "smmu-board");
	if (r == 0) {
		/* The daemon's death took QEMU along (PR_SET_PDEATHSIG); this is the proof. */
		r = stop_process(env.qemu_pid, "QEMU", "cmdline", env.mem_path);
	}
	if (r == 0) {
		r = board_teardown(env.dir, &env, false);
		if (r < 0) {
			fprintf(stderr, "smmu-board stop: cannot remove %s: %s\n", env.dir,
				strerror(-r));
		}
	}
	board_env_fini(&env);
	return r < 0 ? 1 : 0;
}
