/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libsmmu's private interface between its files: the one connection a
 * process has to the service, the request/reply exchange over it, and the
 * notification state that smmu_fini() and fork() must reset.
 *
 * Connection states (one per process, in struct lib_conn):
 *
 *   CLOSED --smmu_init--> OPEN --I/O failure, malformed reply--> BROKEN
 *     ^                    |                                      |
 *     +-- last smmu_fini --+------------- last smmu_fini ---------+
 *     +-- fork(), in the child, from any state
 *
 *   CLOSED  users == 0, fd == -1, notify_fd == -1.
 *   OPEN    users > 0, fd >= 0, notify_fd >= 0.
 *   BROKEN  users > 0, fd == -1, notify_fd >= 0: every request fails with
 *           ENOTCONN, and the notification descriptor stays open (the
 *           service's end is gone, so it is readable) until the last
 *           smmu_fini(), so that an event loop polling smmu_xfer_fd() never
 *           polls a closed or reused descriptor.
 *
 * Locking: lib_conn.lock is held for a whole exchange (and for all the
 * requests of a split smmu_mapping_add()), so replies never cross between
 * threads; the notification state has its own lock, always taken after the
 * connection's, never held across I/O with the service.
 */
#ifndef SMMU_LIB_LIBSMMU_INTERNAL_H
#define SMMU_LIB_LIBSMMU_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"

/* The largest reply the library accepts: a full reserved-regions reply. */
#define LIB_REPLY_MAX                                               \
	(sizeof(struct proto_header) + sizeof(struct proto_reply) + \
	 sizeof(struct proto_report_reserved_reply) +               \
	 PROTO_MAX_RESERVED_ENTRIES * sizeof(struct proto_map_entry))

/* The process's connection.  One static instance, owned by the library;
 * every field is guarded by `lock`. */
struct lib_conn {
	pthread_mutex_t lock;
	unsigned users;	     /* smmu_init() calls not yet matched by smmu_fini() */
	int fd;		     /* the service connection; -1 when CLOSED or BROKEN */
	int notify_fd;	     /* our end of the notification socket pair */
	uint32_t seq;	     /* of the last request */
	uint64_t generation; /* of the current connection, for object handles */
	/* Bigger than any reply, so that one that is too big shows as
	 * truncated instead of being cut silently. */
	unsigned char reply[LIB_REPLY_MAX + 1];
	size_t reply_size;
};

extern struct lib_conn lib_conn;

/* A client-side object handle: malloc'ed by smmu_obj_create(), freed by
 * smmu_obj_destroy(), which the caller must call exactly once. */
struct smmu_object {
	uint32_t id;	     /* the service's object id, never 0 */
	uint64_t generation; /* lib_conn.generation when it was created */
};

/* Takes lib_conn.lock with thread cancellation disabled (a thread cancelled
 * inside recv() would leave the lock held); lib_unlock() restores both. */
void lib_lock(int *ret_cancel_state);
void lib_unlock(int cancel_state);

/*
 * One request and its reply, with lib_conn.lock held.  The body is
 * `body_size` bytes, followed by `tail_size` bytes of `tail` (mapping
 * entries).  The reply must carry at least `payload_size` bytes of payload
 * on success.  Returns the reply's result (>= 0) with lib_conn.reply
 * holding the reply, or -errno: -ENOTCONN when not connected or when the
 * service closed the connection, -EBADMSG for a malformed reply; both of
 * the latter leave the connection BROKEN.
 */
int lib_exchange(enum proto_type type, const void *body, size_t body_size, const void *tail,
		 size_t tail_size, size_t payload_size);

/* The reply's payload after a successful lib_exchange(), and its size. */
const void *lib_reply_payload(size_t *ret_size);

/* Closes the service connection after a protocol violation or I/O
 * failure: CLOSED stays CLOSED, OPEN becomes BROKEN. */
void lib_break(void);

/* Whether `sop` was created on the current connection. */
bool lib_object_current(const struct smmu_object *sop);

/* Notification (smmu-notify.c).  lib_notify_stop() stops the waiter thread
 * and forgets any armed sigevent (last smmu_fini()); lib_notify_prepare(),
 * _parent() and _child() are its fork handlers; the child's state is as
 * if the library had never notified. */
void lib_notify_stop(void);
void lib_notify_prepare(void);
void lib_notify_parent(void);
void lib_notify_child(void);

/* Drains the notification socket without blocking (lib_conn.lock held). */
void lib_notify_drain(void);

/* Sets errno from a -errno value and returns -1: the one place where the
 * library's internal convention becomes QNX's (STYLE.md 4). */
int lib_fail(int negative_errno);

#endif
