/* SPDX-License-Identifier: Apache-2.0 */
#include "strbuf.h"

#include <stdio.h>
#include <string.h>

#include "alloc.h"

static bool strbuf_reserve(struct strbuf *sb, size_t extra)
{
	size_t need;
	size_t capacity;
	char *data;

	if (sb->oom) {
		return false;
	}
	if (__builtin_add_overflow(sb->len, extra + 1, &need)) {
		sb->oom = true;
		return false;
	}
	if (need <= sb->capacity) {
		return true;
	}
	capacity = sb->capacity ? sb->capacity : 64;
	while (capacity < need) {
		if (__builtin_mul_overflow(capacity, 2, &capacity)) {
			capacity = need;
			break;
		}
	}
	data = smmu_realloc(sb->data, capacity);
	if (!data) {
		sb->oom = true;
		return false;
	}
	sb->data = data;
	sb->capacity = capacity;
	return true;
}

void strbuf_append(struct strbuf *sb, const char *bytes, size_t len)
{
	if (!strbuf_reserve(sb, len)) {
		return;
	}
	if (len) {
		memcpy(sb->data + sb->len, bytes, len);
	}
	sb->len += len;
	sb->data[sb->len] = '\0';
}

void strbuf_puts(struct strbuf *sb, const char *s)
{
	strbuf_append(sb, s, strlen(s));
}

void strbuf_putc(struct strbuf *sb, char c)
{
	strbuf_append(sb, &c, 1);
}

void strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	int len;

	va_copy(ap2, ap);
	len = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (len < 0) {
		sb->oom = true;
		return;
	}
	if (!strbuf_reserve(sb, (size_t)len)) {
		return;
	}
	vsnprintf(sb->data + sb->len, (size_t)len + 1, fmt, ap);
	sb->len += (size_t)len;
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vprintf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->data) {
		sb->data[0] = '\0';
	}
}

const char *strbuf_str(const struct strbuf *sb)
{
	return sb->data ? sb->data : "";
}

char *strbuf_take(struct strbuf *sb)
{
	char *s;

	if (sb->oom) {
		strbuf_fini(sb);
		return NULL;
	}
	s = sb->data ? sb->data : smmu_strdup("");
	*sb = (struct strbuf)STRBUF_INIT;
	return s;
}

void strbuf_fini(struct strbuf *sb)
{
	smmu_free(sb->data);
	*sb = (struct strbuf)STRBUF_INIT;
}
