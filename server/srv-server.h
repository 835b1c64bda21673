/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server: the socket clients reach the core through, one session per
 * connection, and the event loop that runs them.  Single-threaded; every
 * descriptor is non-blocking, so that no client can stall another.
 *
 *   srv-listen.c   the listening socket
 *   srv-session.c  one connection: receiving, decoding, dispatch, replies
 *   srv-loop.c     the event loop: connections, unit faults, signals
 *   srv-ready.c    daemonising and telling systemd the service is ready
 */
#ifndef SMMU_SERVER_SRV_SERVER_H
#define SMMU_SERVER_SRV_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/strbuf.h"
#include "core/core.h"
#include "proto/proto.h"
#include "server/srv-permits.h"

/* Connections beyond this many are refused (accepted and closed at once),
 * so that a flood of connections cannot exhaust the service's descriptors. */
#define SRV_MAX_SESSIONS 1024u

/* What an epoll event is about: every registered pointer starts with one. */
enum srv_watch_kind {
	SRV_WATCH_SESSION,
	SRV_WATCH_LISTEN,
	SRV_WATCH_SIGNAL,
	SRV_WATCH_POLL_TIMER,
	SRV_WATCH_FAULTS,
};

struct srv_watch {
	enum srv_watch_kind kind;
};

struct srv_session {
	struct srv_watch watch; /* first: epoll events point here */
	int fd;
	int notify_fd; /* the client's eventfd from HELLO, or -1 */
	pid_t pid;
	uid_t uid;
	unsigned abilities; /* enum core_ability, from the peer's credentials */
	bool greeted;	    /* HELLO accepted */
	bool observer;	    /* HELLO with PROTO_HELLO_OBSERVER */
	struct core_client *client;
	struct strbuf status; /* snapshot being read by PROTO_STATUS */
	struct srv_session *prev, *next;
};

struct srv_server {
	struct core *core;
	const struct srv_permits *permits;
	int listen_fd;
	int epoll_fd;
	int signal_fd;
	int poll_timer_fd; /* -1 when every unit has a fault descriptor */
	bool stopping;
	bool accept_paused; /* out of descriptors: wait for a session to close */
	struct srv_watch listen_watch, signal_watch, timer_watch, faults_watch;

	struct srv_session *sessions;
	unsigned session_count;

	/* One request is handled at a time: shared buffers. */
	unsigned char *recv_buf; /* PROTO_MAX_MESSAGE + 1, to detect oversize */
	unsigned char *reply_buf;
	struct smmu_map_entry *entries; /* PROTO_MAX_MAP_ENTRIES */
};

/* Creates, binds and listens on `path` (replacing a stale socket file but
 * never a live one).  Returns the descriptor or -errno after logging. */
int srv_listen(const char *path);

/* The hooks the core calls back into the server with. */
extern const struct core_hooks srv_core_hooks;

/* The parts every session needs: the shared buffers and the epoll set.
 * srv_loop_init() starts with it; a test or fuzz target that drives
 * sessions itself uses it alone.  0 or -errno. */
int srv_server_init(struct srv_server *server, struct core *core,
		    const struct srv_permits *permits);
/* Closes every session, then frees what srv_server_init() made. */
void srv_server_fini(struct srv_server *server);

/* Sets up the loop over `core` and the listening socket.  0 or -errno. */
int srv_loop_init(struct srv_server *server, struct core *core, const struct srv_permits *permits,
		  int listen_fd);
/* Runs until SIGTERM or SIGINT.  Returns 0, or -errno on a fatal error. */
int srv_loop_run(struct srv_server *server);
/* Closes every session (each client's state is released in the core). */
void srv_loop_fini(struct srv_server *server);

/* A new connection on `fd` (owned by the session from now on). */
int srv_session_open(struct srv_server *server, int fd, struct srv_session **ret);
/* Reads and handles the messages waiting on the session's socket.  Returns
 * 0 to keep the session, or a negative value when it must be closed. */
int srv_session_readable(struct srv_server *server, struct srv_session *session);
void srv_session_close(struct srv_server *server, struct srv_session *session);

#endif
