/* SPDX-License-Identifier: Apache-2.0 */
#include "proto/proto.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* The fixed body size of each request type, 0 for unknown. */
static size_t body_size(unsigned type)
{
	switch (type) {
	case PROTO_HELLO:
		return sizeof(struct proto_hello);
	case PROTO_OBJECT_CREATE:
		return sizeof(struct proto_object_create);
	case PROTO_OBJECT_DESTROY:
		return sizeof(struct proto_object_destroy);
	case PROTO_DEVICE_ADD:
		return sizeof(struct proto_device_add);
	case PROTO_MAPPING_ADD:
		return sizeof(struct proto_mapping_add);
	case PROTO_REPORT_RESERVED:
		return sizeof(struct proto_report_reserved);
	case PROTO_PROBE:
		return sizeof(struct proto_probe);
	case PROTO_STATUS:
		return sizeof(struct proto_status);
	case PROTO_XFER_NOTIFY:
	case PROTO_XFER_STATUS:
	case PROTO_SAFETY:
		return sizeof(struct proto_empty);
	default:
		return 0;
	}
}

static bool all_zero(const uint32_t *words, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		if (words[i]) {
			return false;
		}
	}
	return true;
}

static int fail(const char **ret_why, const char *why, int err)
{
	*ret_why = why;
	return err;
}

/* A device id as a client sends it: the size it was built with, a known
 * type, and for MMIO devices no bytes past the structure. */
static int check_devid(uint32_t devid_size, const union smmu_devid *devid, const char **ret_why)
{
	if (devid_size != sizeof(union smmu_devid)) {
		return fail(ret_why, "device id of another size", -EBADMSG);
	}
	if (devid->type != SDT_PCI && devid->type != SDT_MMIO) {
		return fail(ret_why, "unknown device id type", -EBADMSG);
	}
	return 0;
}

int proto_decode_request(const void *buf, size_t size, struct smmu_map_entry *entries,
			 struct proto_request *ret, const char **ret_why)
{
	const unsigned char *bytes = buf;
	struct proto_header header;
	size_t fixed;

	*ret = (struct proto_request){0};
	if (size < sizeof(header)) {
		return fail(ret_why, "message shorter than a header", -EBADMSG);
	}
	memcpy(&header, bytes, sizeof(header));
	if (header.magic != PROTO_MAGIC) {
		return fail(ret_why, "bad magic", -EBADMSG);
	}
	ret->seq = header.seq;
	if (header.version != PROTO_VERSION) {
		return fail(ret_why, "unsupported protocol version", -EPROTONOSUPPORT);
	}
	if (header.size != size) {
		return fail(ret_why, "size field does not match the message", -EBADMSG);
	}
	/* Set before the type is known to be valid, so that even an error
	 * reply answers the type that was asked. */
	ret->type = (enum proto_type)header.type;
	fixed = body_size(header.type);
	if (fixed == 0) {
		return fail(ret_why, "unknown message type", -ENOSYS);
	}
	size -= sizeof(header);
	bytes += sizeof(header);
	if (size < fixed || (header.type != PROTO_MAPPING_ADD && size != fixed)) {
		return fail(ret_why, "body size wrong for the message type", -EBADMSG);
	}
	switch (header.type) {
	case PROTO_HELLO:
		memcpy(&ret->hello, bytes, fixed);
		if (!all_zero(ret->hello.reserved, 3)) {
			return fail(ret_why, "reserved field not zero", -EBADMSG);
		}
		return ret->hello.flags & ~(uint32_t)PROTO_HELLO_OBSERVER
			       ? fail(ret_why, "unknown hello flag", -EBADMSG)
			       : 0;
	case PROTO_STATUS:
		memcpy(&ret->status, bytes, fixed);
		return ret->status.flags & ~(uint32_t)PROTO_STATUS_JSON
			       ? fail(ret_why, "unknown status flag", -EBADMSG)
			       : 0;
	case PROTO_OBJECT_CREATE:
		memcpy(&ret->object_create, bytes, fixed);
		return ret->object_create.reserved
			       ? fail(ret_why, "reserved field not zero", -EBADMSG)
			       : 0;
	case PROTO_OBJECT_DESTROY:
		memcpy(&ret->object_destroy, bytes, fixed);
		return ret->object_destroy.reserved
			       ? fail(ret_why, "reserved field not zero", -EBADMSG)
			       : 0;
	case PROTO_DEVICE_ADD:
		memcpy(&ret->device_add, bytes, fixed);
		if (!all_zero(ret->device_add.reserved, 2)) {
			return fail(ret_why, "reserved field not zero", -EBADMSG);
		}
		return check_devid(ret->device_add.devid_size, &ret->device_add.devid, ret_why);
	case PROTO_REPORT_RESERVED:
		memcpy(&ret->report_reserved, bytes, fixed);
		if (ret->report_reserved.reserved) {
			return fail(ret_why, "reserved field not zero", -EBADMSG);
		}
		if (ret->report_reserved.capacity > PROTO_MAX_RESERVED_ENTRIES) {
			return fail(ret_why, "capacity above the limit", -EBADMSG);
		}
		return check_devid(ret->report_reserved.devid_size, &ret->report_reserved.devid,
				   ret_why);
	case PROTO_PROBE:
		memcpy(&ret->probe, bytes, fixed);
		if (ret->probe.access != 1 && ret->probe.access != 2) {
			return fail(ret_why, "probe access is neither read nor write", -EBADMSG);
		}
		return check_devid(ret->probe.devid_size, &ret->probe.devid, ret_why);
	case PROTO_MAPPING_ADD: {
		const struct proto_mapping_add *m = &ret->mapping_add;

		memcpy(&ret->mapping_add, bytes, fixed);
		if (!all_zero(m->reserved, 2)) {
			return fail(ret_why, "reserved field not zero", -EBADMSG);
		}
		if (m->entry_count == 0 || m->entry_count > PROTO_MAX_MAP_ENTRIES) {
			return fail(ret_why, "entry count out of range", -EBADMSG);
		}
		if (size - fixed != (size_t)m->entry_count * sizeof(struct proto_map_entry)) {
			return fail(ret_why, "entry count does not match the body size", -EBADMSG);
		}
		for (uint32_t i = 0; i < m->entry_count; i++) {
			struct proto_map_entry entry;

			memcpy(&entry, bytes + fixed + i * sizeof(entry), sizeof(entry));
			entries[i] = (struct smmu_map_entry){.phys = entry.phys, .len = entry.len};
		}
		ret->entries = entries;
		return 0;
	}
	default: {
		struct proto_empty empty;

		memcpy(&empty, bytes, fixed);
		return all_zero(empty.reserved, 2)
			       ? 0
			       : fail(ret_why, "reserved field not zero", -EBADMSG);
	}
	}
}

void proto_header_init(struct proto_header *header, enum proto_type type, uint32_t size,
		       uint32_t seq)
{
	*header = (struct proto_header){
		.magic = PROTO_MAGIC,
		.version = PROTO_VERSION,
		.type = (uint16_t)type,
		.size = size,
		.seq = seq,
	};
}

int proto_check_reply(const void *buf, size_t size, enum proto_type type, uint32_t seq,
		      size_t payload_size)
{
	struct proto_header header;
	struct proto_reply reply;

	if (size < sizeof(header) + sizeof(reply)) {
		return -EBADMSG;
	}
	memcpy(&header, buf, sizeof(header));
	memcpy(&reply, (const unsigned char *)buf + sizeof(header), sizeof(reply));
	if (header.magic != PROTO_MAGIC || header.version != PROTO_VERSION || header.size != size ||
	    header.type != (PROTO_REPLY | type) || header.seq != seq) {
		return -EBADMSG;
	}
	/* An error reply carries no payload; a success carries at least its own. */
	if (reply.result < 0) {
		return reply.result < -4095 ? -EBADMSG : reply.result;
	}
	if (size < sizeof(header) + sizeof(reply) + payload_size) {
		return -EBADMSG;
	}
	return reply.result;
}
