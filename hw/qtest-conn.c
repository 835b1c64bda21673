/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The qtest transport (see qtest-conn.h).  The socket is non-blocking and every wait goes
 * through poll() with what is left of one deadline per exchange, so a dead or wedged peer
 * costs at most HW_QTEST_REPLY_TIMEOUT_MS and never hangs the caller.
 */
#include "hw/qtest-conn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/compiler.h"
#include "common/strbuf.h"

/*
 * Owner: the opener.  `in` holds bytes received and not yet consumed; on the stream it may
 * keep an IRQ line that arrived after the last reply.  Replies handed out point into `in`
 * and stay valid until the next exchange.
 */
struct hw_qtest_conn {
	int fd;
	bool packet; /* SOCK_SEQPACKET to a multiplexer, else QEMU's stream */
	char *in;
	size_t in_len;
	size_t in_used; /* bytes of `in` consumed by the last exchange */
	char *out;	/* one batch of command lines */
	/*
	 * Set by the first failed exchange.  After a timeout or a malformed reply nothing says
	 * which reply belongs to which command any more, so every later exchange fails too.
	 */
	bool broken;
};

/* The stream buffer holds a full batch of replies plus async lines around it. */
#define CONN_IN_SIZE (2 * HW_QTEST_MAX_PACKET)

SMMU_PRINTF(3, 4) static int conn_fail(struct strbuf *why, int err, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		strbuf_vprintf(why, fmt, ap);
		va_end(ap);
	}
	return err;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for `events` until the deadline.  Returns 0, -ETIMEDOUT or -errno. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		struct pollfd pfd = {.fd = fd, .events = events};

		if (left < 0) {
			return -ETIMEDOUT;
		}
		int n = poll(&pfd, 1, (int)left);

		if (n > 0) {
			return 0;
		}
		if (n == 0) {
			return -ETIMEDOUT;
		}
		if (errno != EINTR) {
			return -errno;
		}
	}
}

static int connect_type(const char *path, int type, int *ret_fd)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		return -errno;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

/**
 * hw_qtest_conn_open() - connect to the qtest server listening at `path`.
 * Return: 0 and *ret_conn; -ENAMETOOLONG, or connect's -errno (-ENOENT: nothing listens
 * there; -ECONNREFUSED: a stale socket), with a sentence naming the path in `why`.
 */
int hw_qtest_conn_open(const char *path, struct hw_qtest_conn **ret_conn, struct strbuf *why)
{
	struct sockaddr_un addr;
	bool packet = true;
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		return conn_fail(why, -ENAMETOOLONG,
				 "qtest socket path %s is longer than a unix socket allows (%zu)",
				 path, sizeof(addr.sun_path) - 1);
	}
	/* A multiplexer listens on SOCK_SEQPACKET; QEMU's socket is a stream and says so. */
	int r = connect_type(path, SOCK_SEQPACKET, &fd);

	if (r == -EPROTOTYPE) {
		packet = false;
		r = connect_type(path, SOCK_STREAM, &fd);
	}
	if (r < 0) {
		return conn_fail(why, r, "cannot connect to the qtest socket %s: %s", path,
				 strerror(-r));
	}
	struct hw_qtest_conn *c = smmu_calloc(1, sizeof(*c));

	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->fd = fd;
	c->packet = packet;
	c->in = smmu_malloc(CONN_IN_SIZE);
	c->out = smmu_malloc(HW_QTEST_MAX_BATCH * HW_QTEST_COMMAND_MAX_LEN);
	if (!c->in || !c->out) {
		hw_qtest_conn_close(c);
		return -ENOMEM;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		r = -errno;
		hw_qtest_conn_close(c);
		return conn_fail(why, r, "cannot make the qtest socket non-blocking: %s",
				 strerror(-r));
	}
	*ret_conn = c;
	return 0;
}

/** hw_qtest_conn_close() - close and free.  Accepts NULL. */
void hw_qtest_conn_close(struct hw_qtest_conn *conn)
{
	if (!conn) {
		return;
	}
	close(conn->fd);
	smmu_free(conn->in);
	smmu_free(conn->out);
	smmu_free(conn);
}

/** hw_qtest_conn_is_packet() - whether the peer is a multiplexer (SOCK_SEQPACKET). */
bool hw_qtest_conn_is_packet(const struct hw_qtest_conn *conn)
{
	return conn->packet;
}

/** hw_qtest_conn_fd() - the socket, for a caller's poll loop (the multiplexer's). */
int hw_qtest_conn_fd(const struct hw_qtest_conn *conn)
{
	return conn->fd;
}

static int send_all(struct hw_qtest_conn *c, const char *buf, size_t len, int64_t deadline,
		    struct strbuf *why)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = send(c->fd, buf + done, len - done, MSG_NOSIGNAL);

		if (n >= 0) {
			if (c->packet && (size_t)n != len) {
				return conn_fail(why, -EMSGSIZE,
						 "qtest packet of %zu bytes was cut "
						 "to %zd",
						 len, n);
			}
			done += (size_t)n;
			continue;
		}
		if (errno == EINTR) {
			continue;
		}
		if (errno != EAGAIN) {
			int r = -errno;

			return conn_fail(why, r, "cannot send to the qtest server: %s",
					 strerror(-r));
		}
		int r = wait_fd(c->fd, POLLOUT, deadline);

		if (r < 0) {
			return conn_fail(why, r, "the qtest server does not take commands: %s",
					 strerror(-r));
		}
	}
	return 0;
}

/* Receives what is there (waiting until the deadline for something) after in_len. */
static int receive_some(struct hw_qtest_conn *c, int64_t deadline, struct strbuf *why)
{
	for (;;) {
		size_t room = c->packet ? HW_QTEST_MAX_PACKET + 1 : CONN_IN_SIZE - c->in_len;
		ssize_t n;

		if (room == 0) {
			return conn_fail(why, -EPROTO,
					 "the qtest server sent more than %d bytes "
					 "without completing its replies",
					 CONN_IN_SIZE);
		}
		n = recv(c->fd, c->in + c->in_len, room, 0);
		if (n > 0) {
			if (c->packet && (size_t)n > HW_QTEST_MAX_PACKET) {
				return conn_fail(why, -EPROTO,
						 "qtest reply packet larger than %d "
						 "bytes",
						 HW_QTEST_MAX_PACKET);
			}
			c->in_len += (size_t)n;
			return 0;
		}
		if (n == 0) {
			return conn_fail(why, -ECONNRESET,
					 "the qtest server closed the connection "
					 "(QEMU or the board exited)");
		}
		if (errno == EINTR) {
			continue;
		}
		if (errno != EAGAIN) {
			int r = -errno;

			return conn_fail(why, r, "cannot receive from the qtest server: %s",
					 strerror(-r));
		}
		int r = wait_fd(c->fd, POLLIN, deadline);

		if (r == -ETIMEDOUT) {
			return conn_fail(why, r, "no reply from the qtest server within %d ms",
					 HW_QTEST_REPLY_TIMEOUT_MS);
		}
		if (r < 0) {
			return conn_fail(why, r, "cannot wait for the qtest server: %s",
					 strerror(-r));
		}
	}
}

/*
 * Parses complete lines of in[*pos, in_len), storing non-IRQ replies until `count` are
 * there.  Leaves *pos after the last complete line examined.
 */
static int take_lines(struct hw_qtest_conn *c, size_t *pos, struct hw_qtest_reply *replies,
		      unsigned count, unsigned *have, struct strbuf *why)
{
	while (*have < count) {
		char *start = c->in + *pos;
		char *nl = memchr(start, '\n', c->in_len - *pos);

		if (!nl) {
			if (c->in_len - *pos > HW_QTEST_MAX_LINE) {
				return conn_fail(why, -EPROTO,
						 "qtest reply line longer than %d "
						 "bytes",
						 HW_QTEST_MAX_LINE);
			}
			return 0;
		}
		size_t len = (size_t)(nl - start);
		struct hw_qtest_reply reply;

		*pos += len + 1;
		if (len > HW_QTEST_MAX_LINE || hw_qtest_reply_parse(start, len, &reply) < 0) {
			return conn_fail(why, -EPROTO, "malformed qtest reply \"%.*s\"",
					 (int)(len > 64 ? 64 : len), start);
		}
		if (reply.kind == HW_QTEST_REPLY_IRQ) {
			continue;
		}
		replies[(*have)++] = reply;
	}
	return 0;
}

/**
 * hw_qtest_conn_exchange() - send `count` commands (1..HW_QTEST_MAX_BATCH) as one batch and
 * collect one reply per command, in order, into ret_replies (pointing into the connection's
 * buffer until the next exchange).  A FAIL reply is a reply, not an error here.
 * Return: 0; -EPROTO (malformed or missing replies); -ETIMEDOUT; -ECONNRESET; or the socket's
 * -errno; each with a sentence in `why`.
 */
int hw_qtest_conn_exchange(struct hw_qtest_conn *conn, const struct hw_qtest_command *cmds,
			   unsigned count, struct hw_qtest_reply *ret_replies, struct strbuf *why)
{
	int64_t deadline = now_ms() + HW_QTEST_REPLY_TIMEOUT_MS;
	size_t out_len = 0;
	unsigned have = 0;
	size_t pos = 0;
	int r;

	if (count == 0 || count > HW_QTEST_MAX_BATCH) {
		return conn_fail(why, -EINVAL, "a qtest batch has 1 to %d commands, not %u",
				 HW_QTEST_MAX_BATCH, count);
	}
	if (conn->broken) {
		return conn_fail(why, -EPIPE,
				 "the qtest connection is unusable after an earlier "
				 "failure");
	}
	for (unsigned i = 0; i < count; i++) {
		size_t n = hw_qtest_command_format(&cmds[i], conn->out + out_len,
						   HW_QTEST_COMMAND_MAX_LEN);

		if (n == 0) {
			return conn_fail(why, -EINVAL, "qtest command %u of the batch is invalid",
					 i);
		}
		out_len += n;
	}
	/* Drop what the previous exchange consumed; keep early async lines. */
	memmove(conn->in, conn->in + conn->in_used, conn->in_len - conn->in_used);
	conn->in_len -= conn->in_used;
	conn->in_used = 0;
	if (conn->packet) {
		conn->in_len = 0;
	}
	r = send_all(conn, conn->out, out_len, deadline, why);
	if (r < 0) {
		conn->broken = true;
		return r;
	}
	if (conn->packet) {
		/* One packet answers the batch; it must hold exactly `count` replies. */
		r = receive_some(conn, deadline, why);
		if (r == 0 && (conn->in_len == 0 || conn->in[conn->in_len - 1] != '\n')) {
			r = conn_fail(why, -EPROTO,
				      "qtest reply packet does not end with a "
				      "newline");
		}
		if (r == 0) {
			r = take_lines(conn, &pos, ret_replies, count, &have, why);
		}
		if (r == 0 && (have != count || pos != conn->in_len)) {
			r = conn_fail(why, -EPROTO,
				      "qtest reply packet answers %u of %u commands%s", have, count,
				      pos != conn->in_len ? " and has extra lines" : "");
		}
		conn->in_used = conn->in_len;
		conn->broken = r < 0;
		return r;
	}
	for (;;) {
		r = take_lines(conn, &pos, ret_replies, count, &have, why);
		if (r < 0 || have == count) {
			break;
		}
		r = receive_some(conn, deadline, why);
		if (r < 0) {
			break;
		}
	}
	conn->in_used = pos;
	conn->broken = r < 0;
	return r;
}

/**
 * hw_qtest_conn_drain() - read and discard what the server sent between exchanges (IRQ
 * lines), without waiting.  For a caller that polls the socket between exchanges.
 * Return: 0; -ECONNRESET when the server has gone; -EPROTO for anything but IRQ lines.
 */
int hw_qtest_conn_drain(struct hw_qtest_conn *conn, struct strbuf *why)
{
	for (;;) {
		struct strbuf err = STRBUF_INIT;
		int r = receive_some(conn, now_ms(), &err);

		if (r < 0 && r != -ETIMEDOUT && why) {
			strbuf_puts(why, strbuf_str(&err));
		}
		strbuf_fini(&err);
		if (r == -ETIMEDOUT) {
			return 0;
		}
		if (r < 0) {
			return r;
		}
		while (conn->in_used < conn->in_len) {
			char *start = conn->in + conn->in_used;
			char *nl = memchr(start, '\n', conn->in_len - conn->in_used);
			struct hw_qtest_reply reply;

			if (!nl) {
				break;
			}
			conn->in_used += (size_t)(nl - start) + 1;
			if (hw_qtest_reply_parse(start, (size_t)(nl - start), &reply) < 0 ||
			    reply.kind != HW_QTEST_REPLY_IRQ) {
				return conn_fail(why, -EPROTO,
						 "unexpected qtest line between replies: \"%.*s\"",
						 (int)((nl - start) > 64 ? 64 : (nl - start)),
						 start);
			}
		}
		memmove(conn->in, conn->in + conn->in_used, conn->in_len - conn->in_used);
		conn->in_len -= conn->in_used;
		conn->in_used = 0;
	}
}
