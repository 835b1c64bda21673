/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A growable, always NUL-terminated byte string.  Out-of-memory is sticky:
 * after one failed append the buffer keeps what it had, `oom` is set, and every
 * later append is a no-op, so callers check once at the end.
 *
 * Owner: whoever declared it; strbuf_fini() frees, strbuf_take() hands the
 * bytes over.
 */
#ifndef SMMU_COMMON_STRBUF_H
#define SMMU_COMMON_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "compiler.h"

struct strbuf {
	char *data; /* NULL until the first append */
	size_t len;
	size_t capacity;
	bool oom;
};

#define STRBUF_INIT \
	{           \
		0   \
	}

void strbuf_append(struct strbuf *sb, const char *bytes, size_t len);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_putc(struct strbuf *sb, char c);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) SMMU_PRINTF(2, 3);
void strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap) SMMU_PRINTF(2, 0);
void strbuf_reset(struct strbuf *sb);
/* The contents, "" when empty; valid until the next append. */
const char *strbuf_str(const struct strbuf *sb);
/* Hands the string to the caller (free with smmu_free); NULL after OOM. */
char *strbuf_take(struct strbuf *sb);
void strbuf_fini(struct strbuf *sb);

#endif
