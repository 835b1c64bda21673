/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Recursive-descent JSON reader for the tests' fixture sidecars.  Strict on
 * purpose: a sidecar this reader refuses is a broken fixture, and the test
 * says so instead of comparing against half of it.
 */
#include "json-reader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sidecars nest 6 levels; this bounds the recursion on a broken file. */
#define JSON_MAX_DEPTH 64

struct json_reader {
	const char *text;
	size_t len;
	size_t pos;
	char *message;
	size_t message_size;
};

__attribute__((format(printf, 2, 3))) static int json_fail(struct json_reader *rd, const char *fmt,
							   ...)
{
	va_list ap;
	int n = snprintf(rd->message, rd->message_size, "offset %zu: ", rd->pos);

	if (n >= 0 && (size_t)n < rd->message_size) {
		va_start(ap, fmt);
		vsnprintf(rd->message + n, rd->message_size - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static void json_skip_space(struct json_reader *rd)
{
	while (rd->pos < rd->len && strchr(" \t\r\n", rd->text[rd->pos]) && rd->text[rd->pos]) {
		rd->pos++;
	}
}

static int json_peek(struct json_reader *rd)
{
	return rd->pos < rd->len ? (unsigned char)rd->text[rd->pos] : -1;
}

static int json_expect_word(struct json_reader *rd, const char *word)
{
	size_t n = strlen(word);

	if (rd->len - rd->pos < n || memcmp(rd->text + rd->pos, word, n) != 0) {
		return json_fail(rd, "expected '%s'", word);
	}
	rd->pos += n;
	return 0;
}

static int json_hex4(struct json_reader *rd, unsigned *ret)
{
	unsigned v = 0;

	if (rd->len - rd->pos < 4) {
		return json_fail(rd, "short \\u escape");
	}
	for (int i = 0; i < 4; i++) {
		char c = rd->text[rd->pos++];

		v <<= 4;
		if (c >= '0' && c <= '9') {
			v |= (unsigned)(c - '0');
		} else if (c >= 'a' && c <= 'f') {
			v |= (unsigned)(c - 'a' + 10);
		} else if (c >= 'A' && c <= 'F') {
			v |= (unsigned)(c - 'A' + 10);
		} else {
			return json_fail(rd, "bad hex digit in \\u escape");
		}
	}
	*ret = v;
	return 0;
}

/* Appends the UTF-8 encoding of `cp` to out[*n] (out has room for 4 more). */
static void json_put_utf8(char *out, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		out[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*n)++] = (char)(0xc0 | cp >> 6);
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[(*n)++] = (char)(0xe0 | cp >> 12);
		out[(*n)++] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*n)++] = (char)(0xf0 | cp >> 18);
		out[(*n)++] = (char)(0x80 | (cp >> 12 & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/* Reads a string at the opening quote; the result is malloc'd. */
static int json_string(struct json_reader *rd, char **ret, size_t *ret_len)
{
	/* Escapes never grow the text, so the rest of the input bounds it. */
	char *out = malloc(rd->len - rd->pos + 4);
	size_t n = 0;
	int r;

	if (!out) {
		return -ENOMEM;
	}
	rd->pos++; /* the quote */
	for (;;) {
		unsigned char c;

		if (rd->pos >= rd->len) {
			r = json_fail(rd, "unterminated string");
			goto err_free;
		}
		c = (unsigned char)rd->text[rd->pos++];
		if (c == '"') {
			break;
		}
		if (c < 0x20) {
			rd->pos--;
			r = json_fail(rd, "control character in string");
			goto err_free;
		}
		if (c != '\\') {
			out[n++] = (char)c;
			continue;
		}
		if (rd->pos >= rd->len) {
			r = json_fail(rd, "unterminated escape");
			goto err_free;
		}
		c = (unsigned char)rd->text[rd->pos++];
		switch (c) {
		case '"':
		case '\\':
		case '/':
			out[n++] = (char)c;
			break;
		case 'b':
			out[n++] = '\b';
			break;
		case 'f':
			out[n++] = '\f';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'u': {
			unsigned cp, low;

			r = json_hex4(rd, &cp);
			if (r < 0) {
				goto err_free;
			}
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				r = json_fail(rd, "lone low surrogate");
				goto err_free;
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				r = json_expect_word(rd, "\\u");
				if (r == 0) {
					r = json_hex4(rd, &low);
				}
				if (r == 0 && (low < 0xdc00 || low > 0xdfff)) {
					r = json_fail(rd, "high surrogate without a low one");
				}
				if (r < 0) {
					goto err_free;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
			}
			json_put_utf8(out, &n, cp);
			break;
		}
		default:
			rd->pos--;
			r = json_fail(rd, "bad escape");
			goto err_free;
		}
	}
	out[n] = '\0';
	*ret = out;
	*ret_len = n;
	return 0;

err_free:
	free(out);
	return r;
}

/* Integers only: -?(0|[1-9][0-9]*), within int64. */
static int json_number(struct json_reader *rd, int64_t *ret)
{
	bool negative = false;
	uint64_t v = 0;
	size_t digits = 0;
	size_t start;

	if (json_peek(rd) == '-') {
		negative = true;
		rd->pos++;
	}
	start = rd->pos;
	while (rd->pos < rd->len && rd->text[rd->pos] >= '0' && rd->text[rd->pos] <= '9') {
		unsigned d = (unsigned)(rd->text[rd->pos] - '0');

		if (v > (UINT64_MAX - d) / 10) {
			return json_fail(rd, "number out of range");
		}
		v = v * 10 + d;
		rd->pos++;
		digits++;
	}
	if (digits == 0) {
		return json_fail(rd, "expected a value");
	}
	if (digits > 1 && rd->text[start] == '0') {
		return json_fail(rd, "leading zero");
	}
	if (strchr(".eE", json_peek(rd)) && json_peek(rd) > 0) {
		return json_fail(rd, "only integers are supported");
	}
	if (v > (uint64_t)INT64_MAX + negative) {
		return json_fail(rd, "number out of range");
	}
	*ret = negative ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

static int json_value(struct json_reader *rd, struct json_value *v, int depth);

/* Appends a slot to an array or object. */
static struct json_value *json_grow(struct json_value *v, bool with_key)
{
	struct json_value *items = realloc(v->items, (v->count + 1) * sizeof(*items));

	if (!items) {
		return NULL;
	}
	v->items = items;
	if (with_key) {
		char **keys = realloc(v->keys, (v->count + 1) * sizeof(*keys));

		if (!keys) {
			return NULL;
		}
		v->keys = keys;
		v->keys[v->count] = NULL;
	}
	memset(&v->items[v->count], 0, sizeof(v->items[0]));
	return &v->items[v->count++];
}

static int json_container(struct json_reader *rd, struct json_value *v, int depth, bool object)
{
	char close = object ? '}' : ']';

	v->kind = object ? JSON_OBJECT : JSON_ARRAY;
	rd->pos++;
	json_skip_space(rd);
	if (json_peek(rd) == close) {
		rd->pos++;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		size_t key_len;
		struct json_value *item;
		int r;

		json_skip_space(rd);
		if (object) {
			if (json_peek(rd) != '"') {
				return json_fail(rd, "expected a key");
			}
			r = json_string(rd, &key, &key_len);
			if (r < 0) {
				return r;
			}
			if (json_get(v, key)) {
				free(key);
				return json_fail(rd, "duplicate key");
			}
			json_skip_space(rd);
			if (json_peek(rd) != ':') {
				free(key);
				return json_fail(rd, "expected ':'");
			}
			rd->pos++;
		}
		item = json_grow(v, object);
		if (!item) {
			free(key);
			return -ENOMEM;
		}
		if (object) {
			v->keys[v->count - 1] = key;
		}
		r = json_value(rd, item, depth + 1);
		if (r < 0) {
			return r;
		}
		json_skip_space(rd);
		if (json_peek(rd) == ',') {
			rd->pos++;
			continue;
		}
		if (json_peek(rd) == close) {
			rd->pos++;
			return 0;
		}
		return json_fail(rd, "expected ',' or '%c'", close);
	}
}

static int json_value(struct json_reader *rd, struct json_value *v, int depth)
{
	if (depth > JSON_MAX_DEPTH) {
		return json_fail(rd, "nested deeper than %d", JSON_MAX_DEPTH);
	}
	json_skip_space(rd);
	switch (json_peek(rd)) {
	case '{':
		return json_container(rd, v, depth, true);
	case '[':
		return json_container(rd, v, depth, false);
	case '"':
		v->kind = JSON_STRING;
		return json_string(rd, &v->string, &v->string_len);
	case 't':
		v->kind = JSON_BOOL;
		v->boolean = true;
		return json_expect_word(rd, "true");
	case 'f':
		v->kind = JSON_BOOL;
		return json_expect_word(rd, "false");
	case 'n':
		v->kind = JSON_NULL;
		return json_expect_word(rd, "null");
	default:
		v->kind = JSON_NUMBER;
		return json_number(rd, &v->number);
	}
}

int json_parse(const char *text, size_t len, struct json_value *ret_value, char *message,
	       size_t message_size)
{
	struct json_reader rd = {
		.text = text, .len = len, .message = message, .message_size = message_size};
	struct json_value v = {0};
	int r = json_value(&rd, &v, 0);

	if (r == 0) {
		json_skip_space(&rd);
		if (rd.pos != rd.len) {
			r = json_fail(&rd, "text after the value");
		}
	}
	if (r < 0) {
		if (r == -ENOMEM) {
			snprintf(message, message_size, "out of memory");
		}
		json_free(&v);
		return r;
	}
	*ret_value = v;
	return 0;
}

void json_free(struct json_value *value)
{
	if (!value) {
		return;
	}
	for (size_t i = 0; i < value->count; i++) {
		json_free(&value->items[i]);
		if (value->keys) {
			free(value->keys[i]);
		}
	}
	free(value->items);
	free(value->keys);
	free(value->string);
	memset(value, 0, sizeof(*value));
}

const struct json_value *json_get(const struct json_value *object, const char *key)
{
	if (!object || object->kind != JSON_OBJECT) {
		return NULL;
	}
	for (size_t i = 0; i < object->count; i++) {
		if (object->keys[i] && strcmp(object->keys[i], key) == 0) {
			return &object->items[i];
		}
	}
	return NULL;
}
