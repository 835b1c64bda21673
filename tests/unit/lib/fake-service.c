/* SPDX-License-Identifier: Apache-2.0 */
#include "fake-service.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../cmocka-all.h"

#define FAKE_MAX_CONNECTIONS 16

struct fake fake;

/* The fake's own state, beside what tests read in `fake`. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	char dir[64];
	char path[128];
	char missing[128];
	int listen_fd;
	int stop_fd;
	int conn_fd[FAKE_MAX_CONNECTIONS];   /* -1 once closed */
	int notify_fd[FAKE_MAX_CONNECTIONS]; /* the service's end, or -1 */
	unsigned fail_seen;		     /* requests of fail_type since armed */
	struct smmu_status faults[FAKE_MAX_FAULTS];
	unsigned fault_count;
	uint32_t next_object_id;
	unsigned char buf[PROTO_MAX_MESSAGE + 1];
	unsigned char reply[PROTO_MAX_MESSAGE];
	struct smmu_map_entry decoded[PROTO_MAX_MAP_ENTRIES];
} f = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

void fake_lock(void)
{
	pthread_mutex_lock(&f.lock);
}

void fake_unlock(void)
{
	pthread_mutex_unlock(&f.lock);
}

const char *fake_socket_path(void)
{
	return f.path;
}

const char *fake_missing_path(void)
{
	return f.missing;
}

static void send_reply(int fd, const struct proto_request *req, int result, const void *payload,
		       size_t payload_size)
{
	struct proto_header header;
	struct proto_reply reply = {.result = result};
	size_t size = sizeof(header) + sizeof(reply) + (result < 0 ? 0 : payload_size);

	proto_header_init(&header, (enum proto_type)(req->type | PROTO_REPLY), (uint32_t)size,
			  req->seq);
	if (fake.malformed_next) {
		fake.malformed_next = false;
		header.magic = ~PROTO_MAGIC;
	}
	memcpy(f.reply, &header, sizeof(header));
	memcpy(f.reply + sizeof(header), &reply, sizeof(reply));
	if (result >= 0 && payload_size) {
		memcpy(f.reply + sizeof(header) + sizeof(reply), payload, payload_size);
	}
	if (send(fd, f.reply, size, MSG_NOSIGNAL) < 0) {
		fprintf(stderr, "fake: send: %s\n", strerror(errno));
	}
}

static void notify(unsigned conn)
{
	static const char byte = 1;

	if (f.notify_fd[conn] >= 0) {
		(void)send(f.notify_fd[conn], &byte, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	}
}

/* The result a request of `type` gets, 0 unless the test chose one. */
static int injected(enum proto_type type)
{
	if (fake.fail_nth && fake.fail_type == type && ++f.fail_seen == fake.fail_nth) {
		fake.fail_nth = 0;
		return fake.fail_result;
	}
	return 0;
}

static void answer(unsigned conn, const struct proto_request *req, struct fake_request *rec)
{
	int fd = f.conn_fd[conn];
	int r = injected(req->type);

	switch (req->type) {
	case PROTO_HELLO:
		r = r ? r : fake.hello_result;
		send_reply(fd, req, r, NULL, 0);
		return;
	case PROTO_OBJECT_CREATE: {
		struct proto_object_create_reply reply = {.object_id = ++f.next_object_id};

		send_reply(fd, req, r, &reply, sizeof(reply));
		return;
	}
	case PROTO_DEVICE_ADD:
		send_reply(fd, req, r ? r : fake.device_add_result, NULL, 0);
		return;
	case PROTO_SAFETY:
		send_reply(fd, req, r ? r : fake.safety_result, NULL, 0);
		return;
	case PROTO_REPORT_RESERVED: {
		struct {
			struct proto_report_reserved_reply head;
			struct proto_map_entry entries[PROTO_MAX_RESERVED_ENTRIES];
		} reply = {0};
		unsigned offset = req->report_reserved.offset;
		unsigned total = offset < fake.reserved_count ? fake.reserved_count - offset : 0;

		reply.head.total = total;
		reply.head.count = total < req->report_reserved.capacity
					   ? total
					   : req->report_reserved.capacity;
		for (unsigned i = 0; i < reply.head.count; i++) {
			reply.entries[i].phys = fake.reserved[offset + i].phys;
			reply.entries[i].len = fake.reserved[offset + i].len;
		}
		send_reply(fd, req, r, &reply,
			   sizeof(reply.head) + reply.head.count * sizeof(reply.entries[0]));
		return;
	}
	case PROTO_XFER_STATUS: {
		struct proto_xfer_status_reply reply = {0};
		struct pollfd pfd = {.fd = fake.client_notify_fd, .events = POLLIN};

		rec->notify_readable = fake.client_notify_fd >= 0 && poll(&pfd, 1, 0) == 1;
		if (f.fault_count) {
			reply.present = 1;
			reply.status = f.faults[0];
			memmove(f.faults, f.faults + 1, --f.fault_count * sizeof(f.faults[0]));
		}
		reply.remaining = f.fault_count;
		if (reply.remaining) {
			notify(conn);
		}
		send_reply(fd, req, r, &reply, sizeof(reply));
		return;
	}
	default:
		send_reply(fd, req, r, NULL, 0);
		return;
	}
}

static void close_connection(unsigned conn)
{
	close(f.conn_fd[conn]);
	f.conn_fd[conn] = -1;
	if (f.notify_fd[conn] >= 0) {
		close(f.notify_fd[conn]);
		f.notify_fd[conn] = -1;
	}
}

/* One message on connection `conn` (f.lock held). */
static void receive(unsigned conn)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} control;
	struct iovec iov = {.iov_base = f.buf, .iov_len = sizeof(f.buf)};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t n = recvmsg(f.conn_fd[conn], &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	struct fake_request rec = {.fd_type = -1, .connection = conn};
	struct proto_request req;
	const char *why = "";
	int fds[4], fd_count = 0, r;

	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		return;
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			fd_count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds, CMSG_DATA(c), (size_t)fd_count * sizeof(int));
		}
	}
	if (n <= 0) {
		close_connection(conn);
		fake.closed++;
		pthread_cond_broadcast(&f.cond);
		return;
	}
	r = proto_decode_request(f.buf, (size_t)n, f.decoded, &req, &why);
	if (r < 0) {
		/* The real service answers and closes; so does the fake, and the
		 * test that caused it fails on the missing record. */
		fprintf(stderr, "fake: bad request: %s\n", why);
		send_reply(f.conn_fd[conn], &req, r, NULL, 0);
		close_connection(conn);
		return;
	}
	rec.req = req;
	rec.req.entries = NULL;
	rec.fd_count = (unsigned)fd_count;
	if (fd_count > 0) {
		socklen_t len = sizeof(rec.fd_type);

		if (getsockopt(fds[0], SOL_SOCKET, SO_TYPE, &rec.fd_type, &len) < 0) {
			rec.fd_type = -1;
		}
		if (req.type == PROTO_HELLO && f.notify_fd[conn] < 0) {
			f.notify_fd[conn] = fds[0];
			fds[0] = -1;
		}
		for (int i = 0; i < fd_count; i++) {
			if (fds[i] >= 0) {
				close(fds[i]);
			}
		}
	}
	if (req.type == PROTO_MAPPING_ADD) {
		rec.entry_first = fake.entry_count;
		for (uint32_t i = 0; i < req.mapping_add.entry_count; i++) {
			assert_true(fake.entry_count < FAKE_MAX_ENTRIES);
			fake.entries[fake.entry_count++] = f.decoded[i];
		}
	}
	if (fake.close_next) {
		fake.close_next = false;
		close_connection(conn);
	} else {
		answer(conn, &req, &rec);
	}
	if (fake.request_count < FAKE_MAX_REQUESTS) {
		fake.requests[fake.request_count++] = rec;
	}
}

static void *fake_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd pfd[FAKE_MAX_CONNECTIONS + 2];
		unsigned index[FAKE_MAX_CONNECTIONS];
		size_t count = 2;

		pthread_mutex_lock(&f.lock);
		pfd[0] = (struct pollfd){.fd = f.stop_fd, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = f.listen_fd, .events = POLLIN};
		for (unsigned c = 0; c < fake.accepted; c++) {
			if (f.conn_fd[c] >= 0) {
				index[count - 2] = c;
				pfd[count++] =
					(struct pollfd){.fd = f.conn_fd[c], .events = POLLIN};
			}
		}
		pthread_mutex_unlock(&f.lock);
		if (poll(pfd, count, -1) < 0) {
			continue;
		}
		if (pfd[0].revents) {
			return NULL;
		}
		pthread_mutex_lock(&f.lock);
		if (pfd[1].revents) {
			int fd = accept4(f.listen_fd, NULL, NULL, SOCK_CLOEXEC);

			if (fd >= 0 && fake.accepted < FAKE_MAX_CONNECTIONS) {
				f.conn_fd[fake.accepted] = fd;
				f.notify_fd[fake.accepted] = -1;
				fake.accepted++;
			} else if (fd >= 0) {
				close(fd);
			}
		}
		for (size_t i = 2; i < count; i++) {
			if (pfd[i].revents && f.conn_fd[index[i - 2]] >= 0) {
				receive(index[i - 2]);
			}
		}
		pthread_mutex_unlock(&f.lock);
	}
}

void fake_start(void)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};

	memset(&fake, 0, sizeof(fake));
	fake.client_notify_fd = -1;
	f.fail_seen = 0;
	f.fault_count = 0;
	f.next_object_id = 0;
	snprintf(f.dir, sizeof(f.dir), "/tmp/libsmmu-test.XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	snprintf(f.path, sizeof(f.path), "%s/smmuman.sock", f.dir);
	snprintf(f.missing, sizeof(f.missing), "%s/missing.sock", f.dir);
	assert_true(strlen(f.path) < sizeof(addr.sun_path));
	memcpy(addr.sun_path, f.path, strlen(f.path) + 1);
	f.listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(f.listen_fd >= 0);
	assert_int_equal(bind(f.listen_fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(f.listen_fd, 16), 0);
	f.stop_fd = eventfd(0, EFD_CLOEXEC);
	assert_true(f.stop_fd >= 0);
	assert_int_equal(setenv("SMMUMAN_SOCKET", f.path, 1), 0);
	assert_int_equal(pthread_create(&f.thread, NULL, fake_main, NULL), 0);
}

void fake_stop(void)
{
	assert_int_equal(eventfd_write(f.stop_fd, 1), 0);
	assert_int_equal(pthread_join(f.thread, NULL), 0);
	for (unsigned c = 0; c < fake.accepted; c++) {
		if (f.conn_fd[c] >= 0) {
			close_connection(c);
		}
	}
	close(f.stop_fd);
	close(f.listen_fd);
	unlink(f.path);
	rmdir(f.dir);
	unsetenv("SMMUMAN_SOCKET");
}

void fake_push_fault(const struct smmu_status *status)
{
	fake_lock();
	assert_true(f.fault_count < FAKE_MAX_FAULTS);
	f.faults[f.fault_count++] = *status;
	for (unsigned c = 0; c < fake.accepted; c++) {
		notify(c);
	}
	fake_unlock();
}

bool fake_wait_closed(unsigned count)
{
	struct timespec deadline;
	bool done;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	fake_lock();
	while (fake.closed < count && pthread_cond_timedwait(&f.cond, &f.lock, &deadline) == 0) {
	}
	done = fake.closed >= count;
	fake_unlock();
	return done;
}

unsigned fake_accepted(void)
{
	unsigned count;

	fake_lock();
	count = fake.accepted;
	fake_unlock();
	return count;
}

unsigned fake_closed(void)
{
	unsigned count;

	fake_lock();
	count = fake.closed;
	fake_unlock();
	return count;
}

bool fake_owns_fd(int fd)
{
	bool owns = fd == f.listen_fd || fd == f.stop_fd;

	for (unsigned c = 0; c < fake.accepted; c++) {
		owns = owns || fd == f.conn_fd[c] || fd == f.notify_fd[c];
	}
	return owns;
}

size_t fake_count(enum proto_type type)
{
	size_t count = 0;

	fake_lock();
	for (size_t i = 0; i < fake.request_count; i++) {
		count += fake.requests[i].req.type == type;
	}
	fake_unlock();
	return count;
}

const struct fake_request *fake_find(enum proto_type type, size_t n)
{
	const struct fake_request *found = NULL;

	fake_lock();
	for (size_t i = 0; i < fake.request_count && !found; i++) {
		if (fake.requests[i].req.type == type && n-- == 0) {
			found = &fake.requests[i];
		}
	}
	fake_unlock();
	return found;
}
