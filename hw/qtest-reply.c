/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The qtest reply parser (see qtest-reply.h).  Strict on purpose: QEMU prints a fixed set of
 * forms (system/qtest.c: "OK\n", "OK 0x%016" PRIx64 "\n" for reads, "OK 0x%04x\n" for port
 * reads, "OK %" PRIi64 "\n" for the clock), so anything looser is a broken peer, and a lenient
 * parser would turn it into a wrong register value.
 */
#include "hw/qtest-reply.h"

#include <errno.h>
#include <string.h>

static bool starts_with(const char *line, size_t len, const char *word)
{
	size_t n = strlen(word);

	return len >= n && memcmp(line, word, n) == 0;
}

/* Parses "WORD" or "WORD ARG": returns false if the line is neither. */
static bool split_word(const char *line, size_t len, const char *word, const char **ret_arg,
		       size_t *ret_arg_len)
{
	size_t n = strlen(word);

	if (!starts_with(line, len, word)) {
		return false;
	}
	if (len == n) {
		*ret_arg = NULL;
		*ret_arg_len = 0;
		return true;
	}
	if (line[n] != ' ' || len == n + 1) {
		return false;
	}
	*ret_arg = line + n + 1;
	*ret_arg_len = len - n - 1;
	return true;
}

static bool parse_decimal(const char *p, size_t len, uint64_t *ret_value)
{
	uint64_t value = 0;

	if (len == 0) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9') {
			return false;
		}
		if (__builtin_mul_overflow(value, 10, &value) ||
		    __builtin_add_overflow(value, (uint64_t)(p[i] - '0'), &value)) {
			return false;
		}
	}
	*ret_value = value;
	return true;
}

static bool parse_hex(const char *p, size_t len, uint64_t *ret_value)
{
	uint64_t value = 0;

	if (len == 0 || len > 16) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (p[i] >= '0' && p[i] <= '9') {
			d = (unsigned)(p[i] - '0');
		} else if (p[i] >= 'a' && p[i] <= 'f') {
			d = (unsigned)(p[i] - 'a' + 10);
		} else if (p[i] >= 'A' && p[i] <= 'F') {
			d = (unsigned)(p[i] - 'A' + 10);
		} else {
			return false;
		}
		value = value << 4 | d;
	}
	*ret_value = value;
	return true;
}

static int parse_irq(const char *arg, size_t len, struct hw_qtest_reply *r)
{
	uint64_t line;
	size_t word;

	if (starts_with(arg, len, "raise ")) {
		r->irq_raise = true;
		word = 6;
	} else if (starts_with(arg, len, "lower ")) {
		r->irq_raise = false;
		word = 6;
	} else {
		return -EPROTO;
	}
	if (!parse_decimal(arg + word, len - word, &line) || line > UINT32_MAX) {
		return -EPROTO;
	}
	r->irq_line = (unsigned)line;
	return 0;
}

/**
 * hw_qtest_reply_parse() - classify one reply line (`len` bytes, without its newline; a
 * trailing carriage return is not accepted either).  Only printable ASCII is allowed.
 * Return: 0 and *ret_reply; -EPROTO for anything QEMU would not have sent.
 */
int hw_qtest_reply_parse(const char *line, size_t len, struct hw_qtest_reply *ret_reply)
{
	struct hw_qtest_reply r = {.line = line, .line_len = len};

	if (len == 0) {
		return -EPROTO;
	}
	for (size_t i = 0; i < len; i++) {
		if (line[i] < 0x20 || line[i] > 0x7e) {
			return -EPROTO;
		}
	}
	if (split_word(line, len, "OK", &r.arg, &r.arg_len)) {
		r.kind = HW_QTEST_REPLY_OK;
	} else if (split_word(line, len, "FAIL", &r.arg, &r.arg_len) ||
		   split_word(line, len, "ERR", &r.arg, &r.arg_len)) {
		r.kind = HW_QTEST_REPLY_FAIL;
	} else if (split_word(line, len, "IRQ", &r.arg, &r.arg_len) && r.arg) {
		int err = parse_irq(r.arg, r.arg_len, &r);

		if (err < 0) {
			return err;
		}
		r.kind = HW_QTEST_REPLY_IRQ;
	} else {
		return -EPROTO;
	}
	*ret_reply = r;
	return 0;
}

/**
 * hw_qtest_reply_value() - the number of an "OK VALUE" reply: "0x" and 1 to 16 hex digits,
 * or decimal digits that fit 64 bits (the clock commands).
 * Return: 0; -EPROTO if the reply is not OK, has no value, or the value is malformed.
 */
int hw_qtest_reply_value(const struct hw_qtest_reply *reply, uint64_t *ret_value)
{
	const char *p = reply->arg;
	size_t len = reply->arg_len;
	uint64_t value;
	bool ok;

	if (reply->kind != HW_QTEST_REPLY_OK || !p) {
		return -EPROTO;
	}
	if (len >= 2 && p[0] == '0' && p[1] == 'x') {
		ok = parse_hex(p + 2, len - 2, &value);
	} else {
		ok = parse_decimal(p, len, &value);
	}
	if (!ok) {
		return -EPROTO;
	}
	*ret_value = value;
	return 0;
}
