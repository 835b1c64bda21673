/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One client connection: its credentials, its messages, its replies.
 *
 * Rules that keep one client from hurting the service or another client:
 *  - everything received is decoded by proto_decode_request() before any
 *    field is used;
 *  - a message that does not follow the protocol gets an error reply and
 *    the connection is closed (the peer does not speak our protocol); an
 *    unknown message type gets -ENOSYS and the connection stays, so that a
 *    newer library can probe an older service;
 *  - replies are sent with MSG_DONTWAIT: a client that does not read its
 *    replies until its socket buffer is full is disconnected, never waited
 *    for;
 *  - descriptors that arrive with anything but HELLO are closed at once.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/alloc.h"
#include "server/srv-log.h"
#include "server/srv-server.h"

/*
 * Messages handled per wake-up before other sessions get their turn.  One:
 * a libsmmu client has one request outstanding at a time, so reading again
 * after the reply would almost always find nothing and cost a system call
 * per request (a tenth of a small round trip); the loop's epoll is
 * level-triggered and reports the socket again when more is waiting.
 */
#define SRV_MESSAGES_PER_WAKEUP 1
/* Descriptors accepted in one message; the kernel closes any beyond. */
#define SRV_MAX_FDS 4

/* Reads the peer's credentials as the kernel reports them. */
static int peer_abilities(const struct srv_server *server, int fd, struct ucred *ret_cred,
			  unsigned *ret_abilities)
{
	socklen_t len = sizeof(*ret_cred);
	gid_t groups[256];
	socklen_t groups_len = sizeof(groups);
	size_t group_count = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, ret_cred, &len) < 0) {
		return -errno;
	}
	/* A peer in more groups than fit is judged by those that do: a
	 * permit can only be missed, never granted wrongly. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &groups_len) == 0) {
		group_count = groups_len / sizeof(gid_t);
	}
	*ret_abilities = srv_permits_abilities(server->permits, ret_cred->uid, ret_cred->gid,
					       groups, group_count);
	return 0;
}

int srv_session_open(struct srv_server *server, int fd, struct srv_session **ret)
{
	struct srv_session *session;
	struct epoll_event event = {.events = EPOLLIN};
	struct ucred cred;
	unsigned abilities;
	int r = peer_abilities(server, fd, &cred, &abilities);

	if (r < 0) {
		close(fd);
		return r;
	}
	session = smmu_calloc(1, sizeof(*session));
	if (!session) {
		close(fd);
		return -ENOMEM;
	}
	*session = (struct srv_session){
		.watch = {SRV_WATCH_SESSION},
		.fd = fd,
		.notify_fd = -1,
		.pid = cred.pid,
		.uid = cred.uid,
		.abilities = abilities,
		.status = STRBUF_INIT,
	};
	event.data.ptr = session;
	if (epoll_ctl(server->epoll_fd, EPOLL_CTL_ADD, fd, &event) < 0) {
		r = -errno;
		close(fd);
		smmu_free(session);
		return r;
	}
	session->next = server->sessions;
	if (server->sessions) {
		server->sessions->prev = session;
	}
	server->sessions = session;
	server->session_count++;
	srv_log(LOG_DEBUG, "connection from pid %ld uid %ld", (long)cred.pid, (long)cred.uid);
	*ret = session;
	return 0;
}

void srv_session_close(struct srv_server *server, struct srv_session *session)
{
	if (session->client) {
		core_client_disconnect(server->core, session->client);
	}
	epoll_ctl(server->epoll_fd, EPOLL_CTL_DEL, session->fd, NULL);
	close(session->fd);
	if (session->notify_fd >= 0) {
		close(session->notify_fd);
	}
	strbuf_fini(&session->status);
	if (session->prev) {
		session->prev->next = session->next;
	} else {
		server->sessions = session->next;
	}
	if (session->next) {
		session->next->prev = session->prev;
	}
	server->session_count--;
	srv_log(LOG_DEBUG, "pid %ld disconnected", (long)session->pid);
	smmu_free(session);
}

/* One datagram on the client's notification socket; a full buffer means
 * the client has not read the earlier ones, so it is notified already. */
static void session_notify(struct srv_session *session)
{
	static const char byte = 1;

	if (session->notify_fd >= 0) {
		(void)send(session->notify_fd, &byte, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	}
}

static void SMMU_PRINTF(3, 4) hook_log(void *ctx, int priority, const char *fmt, ...)
{
	va_list ap;

	(void)ctx;
	va_start(ap, fmt);
	srv_vlog(priority, fmt, ap);
	va_end(ap);
}

static void hook_queued(void *ctx, struct core_client *client)
{
	struct srv_server *server = ctx;

	for (struct srv_session *s = server->sessions; s; s = s->next) {
		if (s->client == client) {
			session_notify(s);
			return;
		}
	}
}

const struct core_hooks srv_core_hooks = {
	.log = hook_log,
	.queued = hook_queued,
};

/* Sends the reply in server->reply_buf: header, result, `payload_size`
 * bytes of payload already in place.  Returns 0 or -errno (close). */
static int send_reply(struct srv_server *server, struct srv_session *session,
		      const struct proto_request *req, int result, size_t payload_size)
{
	struct proto_reply reply = {.result = result};
	size_t size = sizeof(struct proto_header) + sizeof(reply) + (result < 0 ? 0 : payload_size);
	struct proto_header header;

	proto_header_init(&header, (enum proto_type)(req->type | PROTO_REPLY), (uint32_t)size,
			  req->seq);
	memcpy(server->reply_buf, &header, sizeof(header));
	memcpy(server->reply_buf + sizeof(header), &reply, sizeof(reply));
	if (send(session->fd, server->reply_buf, size, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		int r = -errno;

		srv_log(LOG_WARNING, "pid %ld: cannot send a reply (%s); closing its connection",
			(long)session->pid,
			r == -EAGAIN ? "it does not read its replies" : strerror(-r));
		return r;
	}
	return 0;
}

/* Where a reply's payload goes. */
static void *payload(struct srv_server *server)
{
	return server->reply_buf + sizeof(struct proto_header) + sizeof(struct proto_reply);
}

static int handle_hello(struct srv_server *server, struct srv_session *session,
			const struct proto_request *req, int *fds, size_t fd_count)
{
	int type, r;
	socklen_t len = sizeof(type);

	if (session->greeted) {
		return send_reply(server, session, req, -EISCONN, 0);
	}
	session->observer = req->hello.flags & PROTO_HELLO_OBSERVER;
	if (!session->observer && !(session->abilities & CORE_ABILITY_ATTACH)) {
		srv_log(LOG_NOTICE, "pid %ld uid %ld lacks the attach ability", (long)session->pid,
			(long)session->uid);
		send_reply(server, session, req, -EPERM, 0);
		return -EPERM;
	}
	if (fd_count > 1) {
		send_reply(server, session, req, -EBADMSG, 0);
		return -EBADMSG;
	}
	/* Only a socket can be written without ever blocking (see proto.h). */
	if (fd_count == 1 && getsockopt(fds[0], SOL_SOCKET, SO_TYPE, &type, &len) < 0) {
		send_reply(server, session, req, -ENOTSOCK, 0);
		return -ENOTSOCK;
	}
	if (!session->observer) {
		r = core_client_connect(server->core, session->pid, session->uid,
					session->abilities, &session->client);
		if (r < 0) {
			send_reply(server, session, req, r, 0);
			return r;
		}
	}
	if (fd_count == 1) {
		session->notify_fd = fds[0];
		fds[0] = -1;
	}
	session->greeted = true;
	return send_reply(server, session, req, 0, 0);
}

static int handle_status(struct srv_server *server, struct srv_session *session,
			 const struct proto_request *req)
{
	struct proto_status_reply reply = {0};
	size_t offset = req->status.offset;

	if (offset == 0) {
		strbuf_reset(&session->status);
		core_status(server->core, req->status.flags & PROTO_STATUS_JSON, &session->status);
		if (session->status.oom) {
			strbuf_reset(&session->status);
			return send_reply(server, session, req, -ENOMEM, 0);
		}
	}
	if (offset > session->status.len) {
		return send_reply(server, session, req, -EINVAL, 0);
	}
	reply.total = (uint32_t)session->status.len;
	reply.count = (uint32_t)(session->status.len - offset < PROTO_MAX_STATUS_CHUNK
					 ? session->status.len - offset
					 : PROTO_MAX_STATUS_CHUNK);
	memcpy(payload(server), &reply, sizeof(reply));
	memcpy((unsigned char *)payload(server) + sizeof(reply),
	       strbuf_str(&session->status) + offset, reply.count);
	return send_reply(server, session, req, 0, sizeof(reply) + reply.count);
}

static int handle_probe(struct srv_server *server, struct srv_session *session,
			const struct proto_request *req)
{
	struct proto_probe_reply reply = {0};
	unsigned refusal = 0;
	int r = core_probe(server->core, &req->probe.devid, req->probe.iova, req->probe.access,
			   &reply.pa, &refusal);

	reply.refusal = refusal;
	memcpy(payload(server), &reply, sizeof(reply));
	return send_reply(server, session, req, r, sizeof(reply));
}

static int handle_xfer_status(struct srv_server *server, struct srv_session *session,
			      const struct proto_request *req)
{
	struct proto_xfer_status_reply reply = {0};
	int r = core_xfer_status(server->core, session->client, &reply.status);

	reply.present = r == 1;
	reply.remaining = core_xfer_pending(session->client);
	/* The library drained its socket before asking: raise it again so
	 * that it stays readable while records wait. */
	if (reply.remaining) {
		session_notify(session);
	}
	memcpy(payload(server), &reply, sizeof(reply));
	return send_reply(server, session, req, 0, sizeof(reply));
}

static int handle_report_reserved(struct srv_server *server, struct srv_session *session,
				  const struct proto_request *req)
{
	const struct proto_report_reserved *q = &req->report_reserved;
	struct smmu_map_entry entries[PROTO_MAX_RESERVED_ENTRIES];
	struct proto_report_reserved_reply reply = {0};
	unsigned char *out = payload(server);
	int r = core_device_report_reserved(server->core, &q->devid, q->offset, entries,
					    q->capacity);

	if (r < 0) {
		return send_reply(server, session, req, r, 0);
	}
	reply.total = (uint32_t)r;
	reply.count = (uint32_t)r < q->capacity ? (uint32_t)r : q->capacity;
	memcpy(out, &reply, sizeof(reply));
	for (uint32_t i = 0; i < reply.count; i++) {
		struct proto_map_entry entry = {.phys = entries[i].phys, .len = entries[i].len};

		memcpy(out + sizeof(reply) + i * sizeof(entry), &entry, sizeof(entry));
	}
	return send_reply(server, session, req, 0,
			  sizeof(reply) + reply.count * sizeof(struct proto_map_entry));
}

/* Requests of a greeted session. */
static int dispatch(struct srv_server *server, struct srv_session *session,
		    const struct proto_request *req)
{
	struct core *core = server->core;
	int r;

	if (req->type == PROTO_STATUS) {
		return handle_status(server, session, req);
	}
	if (!(session->abilities & CORE_ABILITY_ATTACH)) {
		return send_reply(server, session, req, -EPERM, 0);
	}
	if (req->type == PROTO_PROBE) {
		return handle_probe(server, session, req);
	}
	if (req->type == PROTO_REPORT_RESERVED) {
		return handle_report_reserved(server, session, req);
	}
	if (!session->client) {
		/* An observer asked for what only smmu_init() allows. */
		return send_reply(server, session, req, -ENOTCONN, 0);
	}
	switch (req->type) {
	case PROTO_OBJECT_CREATE: {
		struct proto_object_create_reply reply = {0};

		r = core_object_create(core, session->client, req->object_create.flags,
				       &reply.object_id);
		memcpy(payload(server), &reply, sizeof(reply));
		return send_reply(server, session, req, r, sizeof(reply));
	}
	case PROTO_OBJECT_DESTROY:
		r = core_object_destroy(core, session->client, req->object_destroy.object_id);
		return send_reply(server, session, req, r, 0);
	case PROTO_DEVICE_ADD:
		r = core_device_add(core, session->client, req->device_add.object_id,
				    &req->device_add.devid);
		return send_reply(server, session, req, r, 0);
	case PROTO_MAPPING_ADD:
		if (req->mapping_add.pid != 0) {
			/* "For future use" on QNX: only 0 means anything. */
			return send_reply(server, session, req, -EINVAL, 0);
		}
		r = core_mapping_add(core, session->client, req->mapping_add.object_id,
				     req->mapping_add.flags, req->entries,
				     req->mapping_add.entry_count, req->mapping_add.target);
		return send_reply(server, session, req, r, 0);
	case PROTO_XFER_NOTIFY:
		core_xfer_notify(core, session->client);
		return send_reply(server, session, req, 0, 0);
	case PROTO_XFER_STATUS:
		return handle_xfer_status(server, session, req);
	case PROTO_SAFETY:
		/* No component of this open-source build is safety-certified. */
		return send_reply(server, session, req, SMMUMAN_SAFETY_NO, 0);
	default:
		return send_reply(server, session, req, -ENOSYS, 0);
	}
}

static int handle_message(struct srv_server *server, struct srv_session *session, size_t size,
			  int *fds, size_t fd_count)
{
	struct proto_request req;
	const char *why = NULL;
	int r = proto_decode_request(server->recv_buf, size, server->entries, &req, &why);

	if (r < 0) {
		srv_log(LOG_NOTICE, "pid %ld: bad message: %s", (long)session->pid, why);
		send_reply(server, session, &req, r, 0);
		return r == -ENOSYS && session->greeted ? 0 : r;
	}
	if (req.type == PROTO_HELLO) {
		return handle_hello(server, session, &req, fds, fd_count);
	}
	if (fd_count) {
		/* Descriptors belong only to HELLO; the caller closes them. */
		send_reply(server, session, &req, -EBADMSG, 0);
		return -EBADMSG;
	}
	if (!session->greeted) {
		send_reply(server, session, &req, -ENOTCONN, 0);
		return -ENOTCONN;
	}
	return dispatch(server, session, &req);
}

/* Receives one message.  Returns its size, 0 when none waits, or -errno
 * (-ECONNRESET when the peer closed). */
static ssize_t receive(struct srv_server *server, struct srv_session *session, int *fds,
		       size_t *ret_fd_count)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(SRV_MAX_FDS * sizeof(int))];
	} control;
	struct iovec iov = {.iov_base = server->recv_buf, .iov_len = PROTO_MAX_MESSAGE + 1};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t n = recvmsg(session->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	*ret_fd_count = 0;
	if (n < 0) {
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t i = 0; i < count && *ret_fd_count < SRV_MAX_FDS; i++) {
				memcpy(&fds[(*ret_fd_count)++], CMSG_DATA(c) + i * sizeof(int),
				       sizeof(int));
			}
		}
	}
	if (n == 0) {
		return -ECONNRESET;
	}
	/* Bigger than any message: the decoder sees a size that cannot
	 * match, so the client gets -EBADMSG. */
	return n > (ssize_t)PROTO_MAX_MESSAGE ? (ssize_t)PROTO_MAX_MESSAGE + 1 : n;
}

int srv_session_readable(struct srv_server *server, struct srv_session *session)
{
	for (int i = 0; i < SRV_MESSAGES_PER_WAKEUP; i++) {
		int fds[SRV_MAX_FDS];
		size_t fd_count;
		ssize_t n = receive(server, session, fds, &fd_count);
		int r = n > 0 ? handle_message(server, session, (size_t)n, fds, fd_count) : 0;

		for (size_t k = 0; k < fd_count; k++) {
			if (fds[k] >= 0) {
				close(fds[k]);
			}
		}
		if (n <= 0) {
			return (int)n;
		}
		if (r < 0) {
			return r;
		}
	}
	return 0;
}
