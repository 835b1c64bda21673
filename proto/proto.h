/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The wire protocol between libsmmu (and smmuctl) and the service, defined
 * once for both sides.  One message per SOCK_SEQPACKET datagram, in the
 * host's byte order (the socket is local), fixed layouts with sizes
 * asserted, reserved fields that must be zero.
 *
 * Every message starts with struct proto_header.  A request of type T is
 * answered by one reply of type T | PROTO_REPLY with the same seq, whose
 * body starts with struct proto_reply (result 0 or -errno).  The service
 * never sends anything unasked.
 *
 * Fault notification: PROTO_HELLO may carry, as SCM_RIGHTS ancillary data,
 * one end of a socket pair the library created (it keeps the other end,
 * its pollable descriptor).  Whenever a fault record is queued for the
 * client (it became a listener with PROTO_XFER_NOTIFY), the service sends
 * a one-byte datagram on that socket with MSG_DONTWAIT, and does nothing
 * else: it never signals a pid that may have been reused, never needs to
 * know the client's threads, and cannot be blocked by the client (a full
 * socket buffer just means the client is already notified; an eventfd
 * would let a client make the service's write block).  The library drains
 * its end before each PROTO_XFER_STATUS, and the service sends again after
 * a status reply when records remain, so the descriptor is readable
 * exactly while records wait; that byte is sent before the status reply,
 * so it is there by the time the library asks again.  QNX's one-shot sigevent is the library's
 * business: its waiter thread delivers it once per smmu_xfer_notify().
 * The server closes any descriptor that arrives with another message type.
 *
 * Errors: a message that does not follow the protocol (bad magic, version,
 * size, reserved field, count, device id type, a descriptor with anything
 * but HELLO, a request before HELLO) gets an error reply and the service
 * closes the connection; an unknown type gets -ENOSYS and the connection
 * stays; every other error is just the reply's result.
 *
 * Abilities: a HELLO without PROTO_HELLO_OBSERVER is smmu_init() and needs
 * the attach ability (-EPERM otherwise).  An observer (smmuctl) may connect
 * without it; STATUS needs no ability, every other request needs attach,
 * and SMF_TARGET needs target.
 *
 * Decoding is validation (STYLE.md 4): magic, version and size before any
 * field; then the exact body size for the type, reserved fields zero and
 * every count within its limit.  The decoder hands back plain structs, so
 * nothing downstream reads the untrusted buffer.
 */
#ifndef SMMU_PROTO_PROTO_H
#define SMMU_PROTO_PROTO_H

#include <smmu.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_MAGIC 0x554d4d53u /* "SMMU" in a little-endian dump */
#define PROTO_VERSION 1u

/* Entries in one mapping request: 64 KiB of entries, so a message stays
 * well inside the default socket buffer (net.core.wmem_default). libsmmu
 * splits larger requests. */
#define PROTO_MAX_MAP_ENTRIES 4096u
/* Reserved regions in one reply. */
#define PROTO_MAX_RESERVED_ENTRIES 256u

enum proto_type {
	PROTO_HELLO = 1,
	PROTO_OBJECT_CREATE = 2,
	PROTO_OBJECT_DESTROY = 3,
	PROTO_DEVICE_ADD = 4,
	PROTO_MAPPING_ADD = 5,
	PROTO_REPORT_RESERVED = 6,
	PROTO_XFER_NOTIFY = 7,
	PROTO_XFER_STATUS = 8,
	PROTO_SAFETY = 9,
	PROTO_PROBE = 10,
	PROTO_STATUS = 11,
	PROTO_TYPE_COUNT,

	PROTO_REPLY = 0x8000, /* or'ed into the request type */
};

struct proto_header {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t size; /* of the whole message, header included */
	uint32_t seq;  /* chosen by the client, echoed in the reply */
};
_Static_assert(sizeof(struct proto_header) == 16, "proto_header layout");

enum proto_hello_flags {
	PROTO_HELLO_OBSERVER = 1u << 0, /* smmuctl: no attach ability needed */
};

struct proto_hello {
	uint32_t flags; /* enum proto_hello_flags */
	uint32_t reserved[3];
};
_Static_assert(sizeof(struct proto_hello) == 16, "proto_hello layout");

struct proto_object_create {
	uint32_t flags; /* enum smmu_obj_create_flags */
	uint32_t reserved;
};

struct proto_object_destroy {
	uint32_t object_id;
	uint32_t reserved;
};

struct proto_device_add {
	uint32_t object_id;  /* 0: remove the device from the client's objects */
	uint32_t devid_size; /* sizeof(union smmu_devid) the client was built with */
	uint32_t reserved[2];
	union smmu_devid devid;
};
_Static_assert(sizeof(struct proto_device_add) == 48, "proto_device_add layout");

struct proto_map_entry {
	uint64_t phys;
	uint64_t len;
};

struct proto_mapping_add {
	uint64_t target;
	uint32_t object_id;
	uint32_t flags; /* enum smmu_mapping_flags */
	int32_t pid;	/* for future use, as on QNX: 0 */
	uint32_t entry_count;
	uint32_t reserved[2];
	/* followed by entry_count struct proto_map_entry */
};
_Static_assert(sizeof(struct proto_mapping_add) == 32, "proto_mapping_add layout");

struct proto_report_reserved {
	uint32_t offset;
	uint32_t capacity; /* at most PROTO_MAX_RESERVED_ENTRIES */
	uint32_t devid_size;
	uint32_t reserved;
	union smmu_devid devid;
};
_Static_assert(sizeof(struct proto_report_reserved) == 48, "proto_report_reserved layout");

struct proto_probe {
	uint64_t iova;
	uint32_t access; /* enum smmu_access */
	uint32_t devid_size;
	union smmu_devid devid;
};
_Static_assert(sizeof(struct proto_probe) == 48, "proto_probe layout");

enum proto_status_flags {
	PROTO_STATUS_JSON = 1u << 0,
};

/* The service's state as text (smmuctl status).  A request at offset 0
 * takes a snapshot that later offsets read, so that a report spread over
 * several replies is consistent. */
struct proto_status {
	uint32_t flags; /* enum proto_status_flags */
	uint32_t offset;
};

/* Bodies without fields (notify, status, safety) are 8 reserved bytes. */
struct proto_empty {
	uint32_t reserved[2];
};

struct proto_reply {
	int32_t result; /* >= 0 success, -errno failure */
	uint32_t reserved;
	/* followed by the type's reply payload when result >= 0 */
};

struct proto_object_create_reply {
	uint32_t object_id;
	uint32_t reserved;
};

struct proto_report_reserved_reply {
	uint32_t total; /* entries from offset on */
	uint32_t count; /* entries that follow */
			/* followed by count struct proto_map_entry */
};

struct proto_xfer_status_reply {
	uint32_t present;   /* 1 when the record is valid */
	uint32_t remaining; /* records still queued after this one */
	struct smmu_status status;
};
_Static_assert(sizeof(struct proto_xfer_status_reply) == 64, "xfer_status reply layout");

struct proto_probe_reply {
	uint64_t pa;
	uint32_t refusal; /* enum smmu_refusal */
	uint32_t reserved;
};

struct proto_status_reply {
	uint32_t total; /* bytes in the whole report */
	uint32_t count; /* bytes that follow, from the requested offset */
};

/* Report bytes in one status reply. */
#define PROTO_MAX_STATUS_CHUNK 32768u

/* The largest message either side sends. */
#define PROTO_MAX_MESSAGE                                                 \
	(sizeof(struct proto_header) + sizeof(struct proto_mapping_add) + \
	 PROTO_MAX_MAP_ENTRIES * sizeof(struct proto_map_entry))

/* A decoded request: plain data, entries copied out of the buffer. */
struct proto_request {
	enum proto_type type;
	uint32_t seq;
	union {
		struct proto_hello hello;
		struct proto_object_create object_create;
		struct proto_object_destroy object_destroy;
		struct proto_device_add device_add;
		struct proto_mapping_add mapping_add;
		struct proto_report_reserved report_reserved;
		struct proto_probe probe;
		struct proto_status status;
	};
	/* PROTO_MAPPING_ADD: the entries, in the caller's buffer of
	 * PROTO_MAX_MAP_ENTRIES. */
	struct smmu_map_entry *entries;
};

/*
 * Validates and decodes one request of `size` bytes.  `entries` is where
 * mapping entries go (room for PROTO_MAX_MAP_ENTRIES).  Returns 0; or
 * -EBADMSG (bad magic, size, reserved field, count), -EPROTONOSUPPORT
 * (another version), -ENOSYS (unknown type); *ret_why says what, for the
 * log.  ret->seq is set whenever the header was readable, so that an error
 * reply can be matched.
 */
int proto_decode_request(const void *buf, size_t size, struct smmu_map_entry *entries,
			 struct proto_request *ret, const char **ret_why);

/* Writes a header for a message of `size` bytes. */
void proto_header_init(struct proto_header *header, enum proto_type type, uint32_t size,
		       uint32_t seq);

/*
 * Checks a reply's header against the request it answers and its body
 * against the minimum size of the type's payload.  Returns the result
 * field (>= 0 or -errno) or -EBADMSG for a malformed reply.
 */
int proto_check_reply(const void *buf, size_t size, enum proto_type type, uint32_t seq,
		      size_t payload_size);

#endif
