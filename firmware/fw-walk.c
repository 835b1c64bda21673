/* SPDX-License-Identifier: Apache-2.0 */
/* Between the two walks of a decoder (fw-walk.h): the arrays the second walk fills. */
#include "firmware/fw-walk.h"

#include <errno.h>

#include "common/alloc.h"

/**
 * fw_walk_array() - the array for the `*count` items of `item_size` bytes the first walk
 * counted (NULL for none), zeroed, with *count set to 0 for the second walk to count again
 * while it fills.  `status` chains the calls of one decoder: when it is already negative
 * nothing is allocated, and an allocation failure sets it to -ENOMEM (the caller frees what
 * the earlier calls returned).
 */
void *fw_walk_array(size_t *count, size_t item_size, int *status)
{
	void *array = NULL;

	if (*status < 0) {
		return NULL;
	}
	if (*count > 0) {
		array = smmu_calloc(*count, item_size);
		if (!array) {
			*status = -ENOMEM;
			return NULL;
		}
	}
	*count = 0;
	return array;
}
