/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the service's request decoder: any byte sequence a
 * client can send.  Beyond no crash/leak/UB it checks what the server
 * relies on: a decoded request has a known type, and a mapping request's
 * entries are within the limit and match the message size.
 */
#include <stdint.h>
#include <stdlib.h>

#include "proto/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smmu_map_entry entries[PROTO_MAX_MAP_ENTRIES];
	struct proto_request req;
	const char *why = NULL;
	int r = proto_decode_request(data, size, entries, &req, &why);

	if (r < 0) {
		if (!why) {
			abort();
		}
		return 0;
	}
	if (req.type < PROTO_HELLO || req.type >= PROTO_TYPE_COUNT) {
		abort();
	}
	if (req.type == PROTO_MAPPING_ADD &&
	    (req.mapping_add.entry_count == 0 ||
	     req.mapping_add.entry_count > PROTO_MAX_MAP_ENTRIES ||
	     size != sizeof(struct proto_header) + sizeof(struct proto_mapping_add) +
			     req.mapping_add.entry_count * sizeof(struct proto_map_entry))) {
		abort();
	}
	return 0;
}
