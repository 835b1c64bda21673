/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Domain tags from a bitmap (backend-id-bitmap.h): lowest free first, so that a dump of a
 * fresh unit shows tags 1, 2, 3 in creation order.
 */
#include "backends/common/backend-id-bitmap.h"

#include <errno.h>

#include "common/bitfield.h"
#include "common/compiler.h"

/**
 * backend_id_alloc() - marks the lowest free tag from 1 to id_count - 1 in use.
 * Return: 0 and *ret_id; -ENOSPC when every tag is in use.
 */
int backend_id_alloc(uint64_t *bitmap, unsigned id_count, uint16_t *ret_id)
{
	for (unsigned id = 1; id < id_count; id++) {
		uint64_t bit = BIT(id % 64);

		if (!(bitmap[id / 64] & bit)) {
			bitmap[id / 64] |= bit;
			*ret_id = (uint16_t)id;
			return 0;
		}
	}
	return -ENOSPC;
}

/** backend_id_free() - marks a tag from backend_id_alloc() free again. */
void backend_id_free(uint64_t *bitmap, unsigned id_count, uint16_t id)
{
	if (ALWAYS(id != 0 && id < id_count)) {
		bitmap[id / 64] &= ~BIT(id % 64);
	}
}
