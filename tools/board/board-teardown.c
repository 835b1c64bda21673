/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Removing what a board leaves on disk, shared by the daemon (on its way out) and by
 * `smmu-board stop` (after a daemon that could not clean up, e.g. killed by SIGKILL), and
 * the liveness check both use.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "board.h"

/* Only files the board created itself are removed: guest RAM files carry this prefix. */
#define BOARD_SHM_PREFIX "/dev/shm/smmu-board."

static void remove_file(const char *dir, const char *file)
{
	char path[4096];

	if (board_path(dir, file, path, sizeof(path)) == 0) {
		unlink(path);
	}
}

/**
 * board_teardown() - remove the board's sockets, firmware image, pid file and guest RAM
 * file; unless `keep_logs`, also the logs and board.env and, if the board created it, the
 * directory.  Missing files are fine (teardown runs twice when stop follows a crash).
 * Return: 0, or -errno of the rmdir when the directory still holds files of someone else.
 */
int board_teardown(const char *dir, const struct board_env *env, bool keep_logs)
{
	static const char *const always[] = {
		BOARD_SOCKET,	BOARD_QEMU_SOCKET,     BOARD_BIOS_FILE,
		BOARD_PID_FILE, BOARD_ENV_FILE ".tmp",
	};
	static const char *const logs[] = {BOARD_LOG_FILE, BOARD_QEMU_LOG_FILE, BOARD_ENV_FILE};

	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
		remove_file(dir, always[i]);
	}
	if (env->mem_path &&
	    strncmp(env->mem_path, BOARD_SHM_PREFIX, strlen(BOARD_SHM_PREFIX)) == 0) {
		unlink(env->mem_path);
	}
	if (keep_logs) {
		return 0;
	}
	for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
		remove_file(dir, logs[i]);
	}
	if (env->owns_dir && rmdir(dir) < 0 && errno != ENOENT) {
		return -errno;
	}
	return 0;
}

/**
 * board_process_alive() - whether `pid` runs (a zombie does not: it has exited and only
 * waits for its parent to collect the status).
 */
bool board_process_alive(pid_t pid)
{
	char path[64], stat[256];

	if (pid <= 0) {
		return false;
	}
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		return false;
	}
	ssize_t n = read(fd, stat, sizeof(stat) - 1);

	close(fd);
	if (n <= 0) {
		return false;
	}
	stat[n] = '\0';
	/* "pid (comm) S ...": the state follows the last ')' (comm may contain one). */
	const char *paren = strrchr(stat, ')');

	return paren && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}
