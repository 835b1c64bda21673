/* SPDX-License-Identifier: Apache-2.0 */
#include "server/srv-ready.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int srv_daemon_start(int *ret_ready_fd)
{
	int pipe_fds[2];
	pid_t pid;
	ssize_t n;
	char byte = 0;

	if (pipe2(pipe_fds, O_CLOEXEC) < 0) {
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		int r = -errno;

		close(pipe_fds[0]);
		close(pipe_fds[1]);
		return r;
	}
	if (pid == 0) {
		close(pipe_fds[0]);
		/* A session of its own: no terminal's hang-up reaches it. */
		setsid();
		*ret_ready_fd = pipe_fds[1];
		return 0;
	}
	close(pipe_fds[1]);
	/* One byte means ready; end of file means the child gave up. */
	do {
		n = read(pipe_fds[0], &byte, 1);
	} while (n < 0 && errno == EINTR);
	_exit(n == 1 && byte == 'R' ? EXIT_SUCCESS : EXIT_FAILURE);
}

void srv_daemon_ready(int ready_fd)
{
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null_fd >= 0) {
		dup2(null_fd, 0);
		dup2(null_fd, 1);
		dup2(null_fd, 2);
		if (null_fd > 2) {
			close(null_fd);
		}
	}
	(void)!chdir("/");
	(void)!write(ready_fd, "R", 1);
	close(ready_fd);
}

int srv_sd_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	size_t len;
	int fd, r = 0;

	if (!path || !*path) {
		return 0;
	}
	len = strlen(path);
	if (len >= sizeof(addr.sun_path) || (path[0] != '/' && path[0] != '@')) {
		return -EINVAL;
	}
	memcpy(addr.sun_path, path, len);
	/* '@' names a socket in the abstract namespace. */
	if (path[0] == '@') {
		addr.sun_path[0] = '\0';
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -errno;
	}
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (const struct sockaddr *)&addr,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0) {
		r = -errno;
	}
	close(fd);
	return r;
}
