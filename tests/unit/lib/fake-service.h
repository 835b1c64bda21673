/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fake smmuman for libsmmu's unit tests: a thread in the test process
 * that listens on a scratch socket (exported as SMMUMAN_SOCKET), decodes
 * each request with proto_decode_request(), records it, and answers as the
 * test told it to.  It keeps no state of the real core: object ids count
 * up, mappings are only recorded, fault records are what the test pushes.
 *
 * A library call is synchronous, so when it returns the fake has recorded
 * its request; only a connection's close is seen later (fake_wait_closed).
 */
#ifndef SMMU_TESTS_UNIT_LIB_FAKE_SERVICE_H
#define SMMU_TESTS_UNIT_LIB_FAKE_SERVICE_H

#include <smmu.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"

#define FAKE_MAX_REQUESTS 4096
#define FAKE_MAX_ENTRIES 40000
#define FAKE_MAX_RESERVED 1024
#define FAKE_MAX_FAULTS 128

/* One request as the fake received it. */
struct fake_request {
	struct proto_request req; /* req.entries: NULL; see entry_first */
	size_t entry_first;	  /* PROTO_MAPPING_ADD: index in fake.entries */
	unsigned fd_count;	  /* descriptors that came with it */
	int fd_type;		  /* SO_TYPE of the first, or -1 */
	unsigned connection;	  /* which accepted connection, from 0 */
	/* PROTO_XFER_STATUS: whether the client's end of the notification
	 * socket was readable when the request arrived. */
	bool notify_readable;
};

struct fake {
	/* Recorded; read them after the library call returned. */
	struct fake_request requests[FAKE_MAX_REQUESTS];
	size_t request_count;
	struct smmu_map_entry entries[FAKE_MAX_ENTRIES];
	size_t entry_count;
	unsigned accepted; /* connections accepted */
	unsigned closed;   /* connections the client closed */

	/* Behaviour; set them before the library call. */
	int hello_result;
	/* The fail_nth-th request of type fail_type from now on (1: the next
	 * one) is answered fail_result; 0 disables. */
	enum proto_type fail_type;
	unsigned fail_nth;
	int fail_result;
	bool malformed_next; /* answer the next request with a bad magic */
	bool close_next;     /* close the connection instead of answering */
	int device_add_result;
	int safety_result;
	struct smmu_map_entry reserved[FAKE_MAX_RESERVED];
	unsigned reserved_count;
	/* Read by the fake at PROTO_XFER_STATUS (see notify_readable). */
	int client_notify_fd;
};

extern struct fake fake;

/* Starts the fake in a scratch directory and sets SMMUMAN_SOCKET. */
void fake_start(void);
/* Stops it, closes every connection and removes the directory. */
void fake_stop(void);
/* The socket path, and a path in the same directory with nothing there. */
const char *fake_socket_path(void);
const char *fake_missing_path(void);

/* The fake's lock, for reading or changing `fake` while it runs. */
void fake_lock(void);
void fake_unlock(void);

/* Queues a fault record (one queue for all connections) and sends one
 * datagram on every open connection's notification socket, as the
 * service does for each listener. */
void fake_push_fault(const struct smmu_status *status);
/* Waits (bounded, 10 s) until `count` connections were closed by the
 * client; returns whether they were. */
bool fake_wait_closed(unsigned count);
/* Connections accepted, and closed by the client, so far. */
unsigned fake_accepted(void);
unsigned fake_closed(void);
/* Whether `fd` is one of the fake's descriptors. */
bool fake_owns_fd(int fd);
/* Requests of `type` recorded so far. */
size_t fake_count(enum proto_type type);
/* The n-th (from 0) recorded request of `type`, or NULL. */
const struct fake_request *fake_find(enum proto_type type, size_t n);

#endif
