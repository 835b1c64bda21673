/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for a whole client session: any sequence of messages a
 * client can send, through a real socket, into the server's session code
 * and a real core over the fake backend.  Beyond no crash, leak or UB it
 * checks that every message is answered or the connection is closed, and
 * that the core is left with no object, domain or client once the session
 * ends.
 *
 * Input: a control byte, then messages as [u16 length][bytes].
 *   control bit 0: start with a well-formed HELLO (reach the dispatcher);
 *   control bit 1: that HELLO is an observer's;
 *   control bit 2: fix each message's magic, version and size fields, so
 *                  that mutations land in bodies rather than headers.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/config.h"
#include "fake-backend.h"
#include "server/srv-server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct core *make_core(void)
{
	static char *words[] = {
		"unit",	     "u0",  "x",	"allow",       "buf",	 "0x100000,8K,s", "device",
		"pci:0:1.0", "buf", "reserved", "0x200000,4K", "device", "pci:0:2.0",
	};
	struct cfg_parse_options options = {0};
	struct cfg_config cfg = {0};
	struct cfg_diags diags = {0};
	struct core_hooks hooks = srv_core_hooks;
	struct core *core = NULL;

	if (cfg_parse_args(&cfg, sizeof(words) / sizeof(words[0]), words, &options, &diags) < 0 ||
	    core_create(&fake_backend, &cfg, &hooks, &core) < 0) {
		abort();
	}
	cfg_config_fini(&cfg);
	cfg_diags_fini(&diags);
	return core;
}

/* Reads every reply waiting; returns how many. */
static unsigned drain_replies(int fd)
{
	static unsigned char buf[PROTO_MAX_MESSAGE];
	unsigned count = 0;

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0) {
		count++;
	}
	return count;
}

static void send_message(int fd, unsigned char *msg, size_t len, bool fix_header)
{
	if (fix_header && len >= sizeof(struct proto_header)) {
		struct proto_header header;

		memcpy(&header, msg, sizeof(header));
		header.magic = PROTO_MAGIC;
		header.version = PROTO_VERSION;
		header.size = (uint32_t)len;
		memcpy(msg, &header, sizeof(header));
	}
	/* A zero-length datagram reads as the peer closing: skip it. */
	if (len && send(fd, msg, len, MSG_NOSIGNAL) < 0) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char msg[PROTO_MAX_MESSAGE];
	struct srv_server server = {0};
	struct srv_permits permits = {0};
	struct srv_session *session = NULL;
	unsigned control, startup_domains;
	int fds[2];
	bool open = true;

	if (size < 1) {
		return 0;
	}
	control = data[0];
	data++;
	size--;
	fake_reset();
	if (srv_server_init(&server, make_core(), &permits) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0 ||
	    srv_session_open(&server, fds[1], &session) < 0) {
		abort();
	}
	startup_domains = fake_domain_count();
	if (control & 1) {
		struct {
			struct proto_header header;
			struct proto_hello hello;
		} hello = {.hello = {.flags = control & 2 ? PROTO_HELLO_OBSERVER : 0}};

		proto_header_init(&hello.header, PROTO_HELLO, sizeof(hello), 1);
		memcpy(msg, &hello, sizeof(hello));
		send_message(fds[0], msg, sizeof(hello), false);
		if (srv_session_readable(&server, session) < 0 || drain_replies(fds[0]) != 1) {
			abort();
		}
	}
	while (open && size >= 2) {
		size_t len = (size_t)data[0] | (size_t)data[1] << 8;

		data += 2;
		size -= 2;
		len = len < size ? len : size;
		memcpy(msg, data, len);
		send_message(fds[0], msg, len, control & 4);
		data += len;
		size -= len;
		if (len == 0) {
			continue;
		}
		open = srv_session_readable(&server, session) == 0;
		/* Every message is answered, even one that closes the session. */
		if (drain_replies(fds[0]) != 1) {
			abort();
		}
	}
	srv_session_close(&server, session);
	close(fds[0]);
	/* Only the startup domains are left. */
	if (server.session_count != 0 || fake_domain_count() != startup_domains) {
		abort();
	}
	core_destroy(server.core);
	srv_server_fini(&server);
	return 0;
}
