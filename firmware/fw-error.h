/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How the firmware decoders report a malformed table: the byte offset of the
 * problem and a one-line message that repeats it.  The firmware layer never
 * logs (STYLE.md 8); its caller prints the message once.
 */
#ifndef SMMU_FIRMWARE_FW_ERROR_H
#define SMMU_FIRMWARE_FW_ERROR_H

#include <stddef.h>

#include "common/compiler.h"

#define FW_ERROR_MESSAGE_SIZE 200

/* Owner: the caller, usually on its stack.  Written only on failure. */
struct fw_error {
	size_t offset;			     /* bytes from the start of the table */
	char message[FW_ERROR_MESSAGE_SIZE]; /* "offset N: what is wrong" */
};

/* Records `offset` and the message, prefixed "offset N: ".  `err` may be NULL. */
void fw_error_set(struct fw_error *err, size_t offset, const char *fmt, ...) SMMU_PRINTF(3, 4);

#endif
