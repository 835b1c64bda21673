/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smmu_device_report_reserved(): a device's reserved regions, read in
 * replies of at most PROTO_MAX_RESERVED_ENTRIES, so that a caller's array
 * of any size is filled as far as there are regions for it.
 */
#include "lib/libsmmu-internal.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

/* Checks one reply against the request for `capacity` entries; returns 0
 * with *ret_reply, or -EBADMSG. */
static int parse_reply(uint32_t capacity, struct proto_report_reserved_reply *ret_reply,
		       const unsigned char **ret_entries)
{
	size_t size;
	const unsigned char *payload = lib_reply_payload(&size);
	struct proto_report_reserved_reply reply;
	uint32_t want;

	memcpy(&reply, payload, sizeof(reply));
	want = reply.total < capacity ? reply.total : capacity;
	if (reply.count != want ||
	    size != sizeof(reply) + (size_t)reply.count * sizeof(struct proto_map_entry)) {
		return -EBADMSG;
	}
	*ret_reply = reply;
	*ret_entries = payload + sizeof(reply);
	return 0;
}

/* The requests, with lib_conn.lock held; returns the total or -errno. */
static int64_t report(const union smmu_devid *devid, unsigned offset, struct smmu_map_entry *resv,
		      unsigned nresv)
{
	struct proto_report_reserved body = {.devid_size = sizeof(*devid), .devid = *devid};
	unsigned written = 0;
	int64_t total = -1;

	for (;;) {
		struct proto_report_reserved_reply reply;
		const unsigned char *entries;
		unsigned left = nresv - written;
		int r;

		body.offset = offset + written;
		body.capacity =
			left < PROTO_MAX_RESERVED_ENTRIES ? left : PROTO_MAX_RESERVED_ENTRIES;
		r = lib_exchange(PROTO_REPORT_RESERVED, &body, sizeof(body), NULL, 0,
				 sizeof(reply));
		if (r >= 0) {
			r = parse_reply(body.capacity, &reply, &entries);
			if (r < 0) {
				lib_break();
			}
		}
		if (r < 0) {
			return r;
		}
		if (total < 0) {
			/* UINT_MAX is the error return. */
			if (reply.total == UINT_MAX) {
				return -EOVERFLOW;
			}
			total = reply.total;
		} else if (reply.total != total - written) {
			/* The list changed between two replies. */
			return -EAGAIN;
		}
		for (uint32_t i = 0; i < reply.count; i++) {
			struct proto_map_entry entry;

			memcpy(&entry, entries + i * sizeof(entry), sizeof(entry));
			resv[written + i] =
				(struct smmu_map_entry){.phys = entry.phys, .len = entry.len};
		}
		written += reply.count;
		if (written == nresv || written == total || reply.count == 0 ||
		    offset + written < offset) {
			return total;
		}
	}
}

/*
 * Copies the reserved regions of `devid` from index `offset` on into
 * `resv` (room for `nresv`; nresv 0 only counts them).  Returns how many
 * there are from `offset` on, which may be more than were copied (0 when
 * offset is past the last one), or UINT_MAX with errno: EINVAL (devid NULL
 * or of an unknown type, resv NULL), ENOENT (no unit controls the device),
 * EAGAIN (the list changed while it was read), ENOTCONN, EPERM, EBADMSG.
 */
SMMU_EXPORT unsigned smmu_device_report_reserved(const union smmu_devid *devid, unsigned offset,
						 struct smmu_map_entry *resv, unsigned nresv)
{
	int cancel_state;
	int64_t r;

	if (!devid || (devid->type != SDT_PCI && devid->type != SDT_MMIO) || (nresv > 0 && !resv)) {
		lib_fail(-EINVAL);
		return UINT_MAX;
	}
	lib_lock(&cancel_state);
	r = report(devid, offset, resv, nresv);
	lib_unlock(cancel_state);
	if (r < 0) {
		lib_fail((int)r);
		return UINT_MAX;
	}
	return (unsigned)r;
}
