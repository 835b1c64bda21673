/* SPDX-License-Identifier: Apache-2.0 */
/* The wire protocol's decoder: every request type round-trips, and every
 * malformed message is refused with the right error. */
#include <errno.h>
#include <string.h>

#include "cmocka-all.h"
#include "proto/proto.h"

static struct smmu_map_entry entries[PROTO_MAX_MAP_ENTRIES];

/* Builds header + body into buf; returns the size. */
static size_t build(unsigned char *buf, unsigned type, const void *body, size_t body_size)
{
	struct proto_header header;
	size_t size = sizeof(header) + body_size;

	proto_header_init(&header, (enum proto_type)type, (uint32_t)size, 77);
	memcpy(buf, &header, sizeof(header));
	memcpy(buf + sizeof(header), body, body_size);
	return size;
}

static int decode(const unsigned char *buf, size_t size, struct proto_request *req)
{
	const char *why = NULL;
	int r = proto_decode_request(buf, size, entries, req, &why);

	assert_true(r == 0 || why != NULL);
	return r;
}

/* Well-formed requests of every type decode to what was sent. */
static void test_round_trip(void **state)
{
	unsigned char buf[PROTO_MAX_MESSAGE];
	struct proto_request req;
	struct proto_device_add add = {.object_id = 3,
				       .devid_size = sizeof(union smmu_devid),
				       .devid = {.pci = {SDT_PCI, 0, 18, 0}}};
	struct proto_empty empty = {0};
	struct proto_hello hello = {0};
	struct {
		struct proto_mapping_add head;
		struct proto_map_entry e[2];
	} map = {{.target = 0x800000, .object_id = 3, .flags = SMF_READ, .entry_count = 2},
		 {{0x1000, 0x2000}, {0x9000, 1}}};

	(void)state;
	assert_int_equal(decode(buf, build(buf, PROTO_HELLO, &hello, sizeof(hello)), &req), 0);
	assert_int_equal(req.type, PROTO_HELLO);
	assert_int_equal(req.seq, 77);
	assert_int_equal(decode(buf, build(buf, PROTO_DEVICE_ADD, &add, sizeof(add)), &req), 0);
	assert_int_equal(req.device_add.object_id, 3);
	assert_int_equal(req.device_add.devid.pci.dev, 18);
	assert_int_equal(decode(buf, build(buf, PROTO_MAPPING_ADD, &map, sizeof(map)), &req), 0);
	assert_int_equal(req.mapping_add.entry_count, 2);
	assert_int_equal(req.entries[1].phys, 0x9000);
	assert_int_equal(req.entries[0].len, 0x2000);
	assert_int_equal(req.mapping_add.target, 0x800000);
	for (unsigned type = PROTO_XFER_NOTIFY; type <= PROTO_SAFETY; type++) {
		assert_int_equal(decode(buf, build(buf, type, &empty, sizeof(empty)), &req), 0);
		assert_int_equal(req.type, type);
	}
}

/* Header errors: short, bad magic, other version, size mismatch, type. */
static void test_header_errors(void **state)
{
	unsigned char buf[256];
	struct proto_request req;
	struct proto_empty empty = {0};
	struct proto_header header;
	size_t size = build(buf, PROTO_XFER_STATUS, &empty, sizeof(empty));

	(void)state;
	assert_int_equal(decode(buf, 15, &req), -EBADMSG);
	memcpy(&header, buf, sizeof(header));
	header.magic ^= 1;
	memcpy(buf, &header, sizeof(header));
	assert_int_equal(decode(buf, size, &req), -EBADMSG);
	header.magic ^= 1;
	header.version = 2;
	memcpy(buf, &header, sizeof(header));
	assert_int_equal(decode(buf, size, &req), -EPROTONOSUPPORT);
	assert_int_equal(req.seq, 77); /* readable: an error reply can name it */
	header.version = PROTO_VERSION;
	header.size = (uint32_t)size + 1;
	memcpy(buf, &header, sizeof(header));
	assert_int_equal(decode(buf, size, &req), -EBADMSG);
	assert_int_equal(decode(buf, build(buf, 999, &empty, sizeof(empty)), &req), -ENOSYS);
	assert_int_equal(decode(buf, build(buf, 0, &empty, sizeof(empty)), &req), -ENOSYS);
	assert_int_equal(decode(buf, build(buf, PROTO_REPLY | PROTO_HELLO, &empty, 8), &req),
			 -ENOSYS);
}

/* Body errors: wrong size, reserved fields, device ids, counts. */
static void test_body_errors(void **state)
{
	unsigned char buf[PROTO_MAX_MESSAGE + 64];
	struct proto_request req;
	struct proto_empty empty = {{0, 1}};
	struct proto_device_add add = {.object_id = 1,
				       .devid_size = sizeof(union smmu_devid),
				       .devid = {.type = SDT_MMIO}};
	struct proto_probe probe = {
		.access = 3, .devid_size = sizeof(union smmu_devid), .devid = {.type = SDT_PCI}};
	struct proto_report_reserved report = {.capacity = PROTO_MAX_RESERVED_ENTRIES + 1,
					       .devid_size = sizeof(union smmu_devid)};
	struct {
		struct proto_mapping_add head;
		struct proto_map_entry e[1];
	} map = {{.object_id = 1, .flags = SMF_READ, .entry_count = 2}, {{0, 1}}};

	(void)state;
	assert_int_equal(decode(buf, build(buf, PROTO_XFER_STATUS, &empty, 4), &req), -EBADMSG);
	assert_int_equal(decode(buf, build(buf, PROTO_XFER_STATUS, &empty, 8), &req), -EBADMSG);
	assert_int_equal(decode(buf, build(buf, PROTO_DEVICE_ADD, &add, sizeof(add)), &req), 0);
	add.devid.type = 7;
	assert_int_equal(decode(buf, build(buf, PROTO_DEVICE_ADD, &add, sizeof(add)), &req),
			 -EBADMSG);
	add.devid.type = SDT_PCI;
	add.devid_size = 24;
	assert_int_equal(decode(buf, build(buf, PROTO_DEVICE_ADD, &add, sizeof(add)), &req),
			 -EBADMSG);
	add.devid_size = sizeof(union smmu_devid);
	add.reserved[1] = 5;
	assert_int_equal(decode(buf, build(buf, PROTO_DEVICE_ADD, &add, sizeof(add)), &req),
			 -EBADMSG);
	assert_int_equal(decode(buf, build(buf, PROTO_PROBE, &probe, sizeof(probe)), &req),
			 -EBADMSG);
	assert_int_equal(
		decode(buf, build(buf, PROTO_REPORT_RESERVED, &report, sizeof(report)), &req),
		-EBADMSG);
	/* entry_count says 2, the body holds 1. */
	assert_int_equal(decode(buf, build(buf, PROTO_MAPPING_ADD, &map, sizeof(map)), &req),
			 -EBADMSG);
	map.head.entry_count = 0;
	assert_int_equal(decode(buf, build(buf, PROTO_MAPPING_ADD, &map, sizeof(map.head)), &req),
			 -EBADMSG);
	map.head.entry_count = 1;
	assert_int_equal(decode(buf, build(buf, PROTO_MAPPING_ADD, &map, sizeof(map)), &req), 0);
}

/* The largest mapping request decodes; one entry more is refused. */
static void test_entry_limit(void **state)
{
	static unsigned char body[sizeof(struct proto_mapping_add) +
				  (PROTO_MAX_MAP_ENTRIES + 1) * sizeof(struct proto_map_entry)];
	static unsigned char buf[sizeof(body) + sizeof(struct proto_header)];
	struct proto_mapping_add head = {
		.object_id = 1, .flags = SMF_READ, .entry_count = PROTO_MAX_MAP_ENTRIES};
	struct proto_request req;

	(void)state;
	memcpy(body, &head, sizeof(head));
	assert_int_equal(
		decode(buf,
		       build(buf, PROTO_MAPPING_ADD, body,
			     sizeof(head) + PROTO_MAX_MAP_ENTRIES * sizeof(struct proto_map_entry)),
		       &req),
		0);
	assert_int_equal(build(buf, PROTO_MAPPING_ADD, body, sizeof(head)), 48);
	head.entry_count = PROTO_MAX_MAP_ENTRIES + 1;
	memcpy(body, &head, sizeof(head));
	assert_int_equal(decode(buf, build(buf, PROTO_MAPPING_ADD, body, sizeof(body)), &req),
			 -EBADMSG);
}

/* Replies: matched by type and seq, errors carried, payload size checked. */
static void test_reply_check(void **state)
{
	unsigned char buf[64];
	struct proto_reply ok = {0}, err = {.result = -EBUSY}, bogus = {.result = -100000};
	struct proto_object_create_reply created = {.object_id = 9};
	size_t size;

	(void)state;
	memcpy(buf + 16, &ok, sizeof(ok));
	memcpy(buf + 24, &created, sizeof(created));
	size = 32;
	proto_header_init((struct proto_header *)(void *)buf, PROTO_REPLY | PROTO_OBJECT_CREATE,
			  (uint32_t)size, 5);
	assert_int_equal(proto_check_reply(buf, size, PROTO_OBJECT_CREATE, 5, sizeof(created)), 0);
	assert_int_equal(proto_check_reply(buf, size, PROTO_OBJECT_CREATE, 6, sizeof(created)),
			 -EBADMSG);
	assert_int_equal(proto_check_reply(buf, size, PROTO_HELLO, 5, 0), -EBADMSG);
	assert_int_equal(proto_check_reply(buf, size, PROTO_OBJECT_CREATE, 5, 16), -EBADMSG);
	memcpy(buf + 16, &err, sizeof(err));
	assert_int_equal(proto_check_reply(buf, size, PROTO_OBJECT_CREATE, 5, sizeof(created)),
			 -EBUSY);
	memcpy(buf + 16, &bogus, sizeof(bogus));
	assert_int_equal(proto_check_reply(buf, size, PROTO_OBJECT_CREATE, 5, 0), -EBADMSG);
	assert_int_equal(proto_check_reply(buf, 20, PROTO_OBJECT_CREATE, 5, 0), -EBADMSG);
}

/* Flags: only the defined bits of hello and status are accepted. */
static void test_flags(void **state)
{
	unsigned char buf[PROTO_MAX_MESSAGE];
	struct proto_request req;
	struct proto_hello hello = {.flags = PROTO_HELLO_OBSERVER};
	struct proto_status status = {.flags = PROTO_STATUS_JSON, .offset = 4096};

	(void)state;
	assert_int_equal(decode(buf, build(buf, PROTO_HELLO, &hello, sizeof(hello)), &req), 0);
	assert_int_equal(req.hello.flags, PROTO_HELLO_OBSERVER);
	hello.flags = 2;
	assert_int_equal(decode(buf, build(buf, PROTO_HELLO, &hello, sizeof(hello)), &req),
			 -EBADMSG);
	assert_int_equal(decode(buf, build(buf, PROTO_STATUS, &status, sizeof(status)), &req), 0);
	assert_int_equal(req.status.offset, 4096);
	status.flags = 0x80;
	assert_int_equal(decode(buf, build(buf, PROTO_STATUS, &status, sizeof(status)), &req),
			 -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),  cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_body_errors), cmocka_unit_test(test_entry_limit),
		cmocka_unit_test(test_reply_check), cmocka_unit_test(test_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
