/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The listening socket.  AF_UNIX SOCK_SEQPACKET: message boundaries are
 * kept, the kernel reports each peer's credentials, and descriptors can be
 * passed (the client's eventfd).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "server/srv-log.h"
#include "server/srv-server.h"

/* Another service listening there must not lose its socket to us; a file
 * left behind by one that died may go. */
static int clear_stale_socket(const char *path, const struct sockaddr_un *addr)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0) {
		return errno == ENOENT ? 0 : -errno;
	}
	if (!S_ISSOCK(st.st_mode)) {
		srv_log(LOG_ERR, "%s exists and is not a socket; not replacing it", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -errno;
	}
	r = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
	close(fd);
	if (r == 0) {
		srv_log(LOG_ERR, "another service is already listening on %s", path);
		return -EADDRINUSE;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		r = -errno;
		srv_log(LOG_ERR, "cannot remove the stale socket %s: %s", path, strerror(-r));
		return r;
	}
	return 0;
}

int srv_listen(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd, r;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		srv_log(LOG_ERR, "socket path %s is longer than %zu bytes", path,
			sizeof(addr.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);
	r = clear_stale_socket(path, &addr);
	if (r < 0) {
		return r;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		srv_log(LOG_ERR, "socket: %s", strerror(-r));
		return r;
	}
	/* Anyone may connect: what a client may do is decided by its
	 * credentials (abilities), not by the socket file's mode. */
	if (bind(fd, (const struct sockaddr *)&addr, sizeof(addr)) < 0) {
		r = -errno;
		srv_log(LOG_ERR, "cannot listen on %s: %s", path, strerror(-r));
		close(fd);
		return r;
	}
	if (chmod(path, 0666) < 0 || listen(fd, 64) < 0) {
		r = -errno;
		srv_log(LOG_ERR, "cannot listen on %s: %s", path, strerror(-r));
		/* The file is ours now: leave nothing behind. */
		unlink(path);
		close(fd);
		return r;
	}
	return fd;
}
