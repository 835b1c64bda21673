/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The connection to smmuman: smmu_init(), smmu_fini(), the request/reply
 * exchange every other call uses, and what fork() does to them.
 *
 * One connection per process, reference-counted: QNX drivers and the
 * libraries they use each call smmu_init() for themselves, so the second
 * call shares the first one's connection, and only the last smmu_fini()
 * closes it.  The service judges the client by the socket's credentials;
 * the library only carries the requests.
 *
 * This file does not decide anything about objects, mappings or faults:
 * each request's file builds its body and checks its reply.
 */
#include "lib/libsmmu-internal.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "build-config.h"

struct lib_conn lib_conn = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.fd = -1,
	.notify_fd = -1,
};

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

int lib_fail(int negative_errno)
{
	errno = -negative_errno;
	return -1;
}

void lib_lock(int *ret_cancel_state)
{
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, ret_cancel_state);
	pthread_mutex_lock(&lib_conn.lock);
}

void lib_unlock(int cancel_state)
{
	pthread_mutex_unlock(&lib_conn.lock);
	pthread_setcancelstate(cancel_state, NULL);
}

void lib_break(void)
{
	if (lib_conn.fd >= 0) {
		close(lib_conn.fd);
		lib_conn.fd = -1;
	}
}

bool lib_object_current(const struct smmu_object *sop)
{
	return sop->generation == lib_conn.generation;
}

/* Sends one message, retrying only what a signal interrupted: a
 * SOCK_SEQPACKET send is all or nothing. */
static int send_message(int fd, struct msghdr *msg)
{
	ssize_t n;

	do {
		n = sendmsg(fd, msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

/* Receives one reply into lib_conn.reply.  Returns 0, or -ENOTCONN when the
 * service closed the connection, -EBADMSG for a reply larger than any the
 * protocol has, or another -errno. */
static int receive_reply(int fd)
{
	struct iovec iov = {.iov_base = lib_conn.reply, .iov_len = sizeof(lib_conn.reply)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	/* No control buffer: a descriptor the service had no reason to send
	 * is closed by the kernel instead of landing in our table. */
	do {
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		return errno == ECONNRESET ? -ENOTCONN : -errno;
	}
	if (n == 0) {
		return -ENOTCONN;
	}
	if (msg.msg_flags & MSG_TRUNC || (size_t)n > LIB_REPLY_MAX) {
		return -EBADMSG;
	}
	lib_conn.reply_size = (size_t)n;
	return 0;
}

/*
 * The exchange itself, on `fd`, with optional descriptor `pass_fd` (HELLO's
 * notification socket).  Returns as lib_exchange(); *ret_broken says
 * whether the connection can no longer be trusted: a request that was
 * never sent (ENOBUFS, ENOMEM) leaves it usable, but after the send a
 * failure may leave a reply in the socket that the next exchange would
 * take for its own.
 */
static int exchange_on(int fd, int pass_fd, enum proto_type type, const void *body,
		       size_t body_size, const void *tail, size_t tail_size, size_t payload_size,
		       bool *ret_broken)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct proto_header header;
	uint32_t seq = ++lib_conn.seq;
	struct iovec iov[3] = {
		{.iov_base = &header, .iov_len = sizeof(header)},
		{.iov_base = (void *)body, .iov_len = body_size},
		{.iov_base = (void *)tail, .iov_len = tail_size},
	};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = tail_size ? 3 : 2};
	int r;

	*ret_broken = false;
	proto_header_init(&header, type, (uint32_t)(sizeof(header) + body_size + tail_size), seq);
	if (pass_fd >= 0) {
		struct cmsghdr *c;

		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
	}
	r = send_message(fd, &msg);
	if (r == -EPIPE || r == -ECONNRESET || r == -ENOTCONN) {
		*ret_broken = true;
		return -ENOTCONN;
	}
	if (r < 0) {
		return r;
	}
	*ret_broken = true;
	r = receive_reply(fd);
	if (r < 0) {
		return r;
	}
	r = proto_check_reply(lib_conn.reply, lib_conn.reply_size, type, seq, payload_size);
	*ret_broken = r == -EBADMSG;
	return r;
}

int lib_exchange(enum proto_type type, const void *body, size_t body_size, const void *tail,
		 size_t tail_size, size_t payload_size)
{
	bool broken;
	int r;

	if (lib_conn.fd < 0) {
		return -ENOTCONN;
	}
	r = exchange_on(lib_conn.fd, -1, type, body, body_size, tail, tail_size, payload_size,
			&broken);
	if (broken) {
		lib_break();
	}
	return r;
}

const void *lib_reply_payload(size_t *ret_size)
{
	size_t offset = sizeof(struct proto_header) + sizeof(struct proto_reply);

	*ret_size = lib_conn.reply_size - offset;
	return lib_conn.reply + offset;
}

/* Fork handlers.  The prepare handler takes every lock so that the child
 * starts from a consistent state; the child then drops the parent's
 * connection (it must not answer for the parent, and the service would
 * take its requests for the parent's) without sending anything on it. */
static void atfork_prepare(void)
{
	pthread_mutex_lock(&lib_conn.lock);
	lib_notify_prepare();
}

static void atfork_parent(void)
{
	lib_notify_parent();
	pthread_mutex_unlock(&lib_conn.lock);
}

static void atfork_child(void)
{
	lib_notify_child();
	if (lib_conn.fd >= 0) {
		close(lib_conn.fd);
	}
	if (lib_conn.notify_fd >= 0) {
		close(lib_conn.notify_fd);
	}
	lib_conn.fd = -1;
	lib_conn.notify_fd = -1;
	lib_conn.users = 0;
	/* The child is single-threaded and holds the lock; a fresh mutex is
	 * the same as an unlocked one, without relying on its owner. */
	pthread_mutex_init(&lib_conn.lock, NULL);
}

static void register_atfork(void)
{
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

/* The socket path: $SMMUMAN_SOCKET, except in a set-user-ID or
 * set-group-ID program (whoever runs it must not choose whom it talks to),
 * else the build's default. */
static const char *socket_path(void)
{
	const char *path = secure_getenv("SMMUMAN_SOCKET");

	return path && *path ? path : SMMUMAN_DEFAULT_SOCKET;
}

/* Connects and greets the service.  Returns 0 with lib_conn.fd and
 * lib_conn.notify_fd set, or -errno with both closed. */
static int connect_service(void)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct proto_hello hello = {0};
	const char *path = socket_path();
	int pair[2], fd, r;
	bool broken;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		return -ENAMETOOLONG;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -errno;
	}
	/* ENOENT (no socket) and ECONNREFUSED (a socket no one listens on)
	 * both mean the service is not running; the caller sees which. */
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		r = -errno;
		goto err_close_fd;
	}
	/* The service writes its end with MSG_DONTWAIT (see proto.h); ours is
	 * non-blocking so that draining it never waits. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, pair) < 0) {
		r = -errno;
		goto err_close_fd;
	}
	/* We only ever read our end: refuse writes to it, so nothing can pile
	 * up in the service's receive queue. */
	shutdown(pair[0], SHUT_WR);
	r = exchange_on(fd, pair[1], PROTO_HELLO, &hello, sizeof(hello), NULL, 0, 0, &broken);
	/* The message holds its own reference while in flight; the service's
	 * copy is the only one that must stay. */
	close(pair[1]);
	if (r < 0) {
		goto err_close_pair;
	}
	lib_conn.fd = fd;
	lib_conn.notify_fd = pair[0];
	return 0;

err_close_pair:
	close(pair[0]);
err_close_fd:
	close(fd);
	return r;
}

/*
 * Connects to the service, or takes another reference on the connection
 * this process already has.  `flags` must be 0.  Returns 0, or -1 with
 * errno: EINVAL (flags), ENOTCONN (the existing connection was lost and
 * not every user has called smmu_fini() yet), EPERM (no attach ability),
 * ENOENT or ECONNREFUSED (the service is not running), ENAMETOOLONG, or
 * another errno of socket(), connect() or the exchange.
 */
SMMU_EXPORT int smmu_init(unsigned flags)
{
	int cancel_state, r = 0;

	if (flags != 0) {
		return lib_fail(-EINVAL);
	}
	pthread_once(&atfork_once, register_atfork);
	lib_lock(&cancel_state);
	if (lib_conn.users > 0) {
		if (lib_conn.fd < 0) {
			r = -ENOTCONN;
		} else if (lib_conn.users == UINT_MAX) {
			r = -EOVERFLOW;
		} else {
			lib_conn.users++;
		}
	} else {
		r = connect_service();
		if (r == 0) {
			lib_conn.users = 1;
			lib_conn.generation++;
		}
	}
	lib_unlock(cancel_state);
	return r < 0 ? lib_fail(r) : 0;
}

/*
 * Drops one reference taken by smmu_init(); the last one closes the
 * connection (the service then releases everything the process held),
 * stops the notification thread and closes the notification socket.  Does
 * nothing when the library is not initialised.  Objects not destroyed
 * before must still be passed to smmu_obj_destroy() to free their memory.
 */
SMMU_EXPORT void smmu_fini(void)
{
	int cancel_state;

	lib_lock(&cancel_state);
	if (lib_conn.users > 0 && --lib_conn.users == 0) {
		/* The waiter polls notify_fd: stop it before closing that. */
		lib_notify_stop();
		lib_break();
		close(lib_conn.notify_fd);
		lib_conn.notify_fd = -1;
	}
	lib_unlock(cancel_state);
}
