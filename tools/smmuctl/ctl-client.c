/* SPDX-License-Identifier: Apache-2.0 */
#include "ctl-client.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "proto/proto.h"

/* Replies an observer receives: a status chunk at most. */
#define CTL_REPLY_MAX                                               \
	(sizeof(struct proto_header) + sizeof(struct proto_reply) + \
	 sizeof(struct proto_status_reply) + PROTO_MAX_STATUS_CHUNK)

static unsigned char ctl_reply[CTL_REPLY_MAX];

/* One request and its reply; returns the reply's size or -errno, and the
 * result field through *ret_result. */
static ssize_t exchange(struct ctl_client *client, enum proto_type type, const void *body,
			size_t body_size, size_t payload_size, int *ret_result)
{
	unsigned char request[sizeof(struct proto_header) + 64];
	struct proto_header header;
	uint32_t seq = ++client->seq;
	ssize_t n;

	proto_header_init(&header, type, (uint32_t)(sizeof(header) + body_size), seq);
	memcpy(request, &header, sizeof(header));
	memcpy(request + sizeof(header), body, body_size);
	if (send(client->fd, request, sizeof(header) + body_size, MSG_NOSIGNAL) < 0) {
		return -errno;
	}
	do {
		n = recv(client->fd, ctl_reply, sizeof(ctl_reply), 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		return -errno;
	}
	if (n == 0) {
		return -ECONNRESET;
	}
	*ret_result = proto_check_reply(ctl_reply, (size_t)n, type, seq, payload_size);
	return n;
}

static const void *reply_payload(void)
{
	return ctl_reply + sizeof(struct proto_header) + sizeof(struct proto_reply);
}

int ctl_connect(struct ctl_client *client, const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct proto_hello hello = {.flags = PROTO_HELLO_OBSERVER};
	int result;
	ssize_t n;

	client->seq = 0;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		return -ENAMETOOLONG;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);
	client->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (client->fd < 0) {
		return -errno;
	}
	if (connect(client->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int r = -errno;

		ctl_close(client);
		return r;
	}
	n = exchange(client, PROTO_HELLO, &hello, sizeof(hello), 0, &result);
	if (n < 0 || result < 0) {
		ctl_close(client);
		return n < 0 ? (int)n : result;
	}
	return 0;
}

void ctl_close(struct ctl_client *client)
{
	if (client->fd >= 0) {
		close(client->fd);
	}
	client->fd = -1;
}

int ctl_status(struct ctl_client *client, bool json, struct strbuf *out)
{
	struct proto_status request = {.flags = json ? PROTO_STATUS_JSON : 0};
	struct proto_status_reply reply;

	/* The first request takes a snapshot; later ones read the rest of it. */
	for (;;) {
		int result;
		ssize_t n = exchange(client, PROTO_STATUS, &request, sizeof(request), sizeof(reply),
				     &result);

		if (n < 0 || result < 0) {
			return n < 0 ? (int)n : result;
		}
		memcpy(&reply, reply_payload(), sizeof(reply));
		if (reply.count > PROTO_MAX_STATUS_CHUNK ||
		    (size_t)n < sizeof(struct proto_header) + sizeof(struct proto_reply) +
					sizeof(reply) + reply.count ||
		    request.offset + reply.count > reply.total) {
			return -EBADMSG;
		}
		strbuf_append(out, (const char *)reply_payload() + sizeof(reply), reply.count);
		request.offset += reply.count;
		if (request.offset == reply.total || reply.count == 0) {
			return out->oom ? -ENOMEM : 0;
		}
	}
}

int ctl_probe(struct ctl_client *client, const union smmu_devid *devid, uint64_t iova,
	      unsigned access, uint64_t *ret_pa, unsigned *ret_refusal)
{
	struct proto_probe request = {
		.iova = iova,
		.access = access,
		.devid_size = sizeof(*devid),
		.devid = *devid,
	};
	struct proto_probe_reply reply;
	int result;
	ssize_t n =
		exchange(client, PROTO_PROBE, &request, sizeof(request), sizeof(reply), &result);

	if (n < 0 || result < 0) {
		return n < 0 ? (int)n : result;
	}
	memcpy(&reply, reply_payload(), sizeof(reply));
	*ret_pa = reply.pa;
	*ret_refusal = reply.refusal;
	return 0;
}
