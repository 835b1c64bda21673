/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Error records of the firmware decoders: an offset and a bounded message.
 * Messages longer than the buffer are cut, never overflow.
 */
#include "fw-error.h"

#include <stdarg.h>
#include <stdio.h>

void fw_error_set(struct fw_error *err, size_t offset, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err) {
		return;
	}
	err->offset = offset;
	n = snprintf(err->message, sizeof(err->message), "offset %zu: ", offset);
	if (n < 0 || (size_t)n >= sizeof(err->message)) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(err->message + n, sizeof(err->message) - (size_t)n, fmt, ap);
	va_end(ap);
}
