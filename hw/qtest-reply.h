/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One line of what a qtest server (QEMU's system/qtest.c, or the board multiplexer) sends
 * back.  QEMU answers each command with "OK", "OK VALUE", "FAIL MESSAGE" or "ERR MESSAGE",
 * and may send "IRQ raise N" / "IRQ lower N" at any time in between.  The parser is a pure
 * function: a line from the socket is untrusted, and anything that is not one of these forms
 * is -EPROTO, never a crash.
 */
#ifndef SMMU_HW_QTEST_REPLY_H
#define SMMU_HW_QTEST_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hw_qtest_reply_kind {
	HW_QTEST_REPLY_OK = 1,
	HW_QTEST_REPLY_FAIL, /* FAIL or ERR: the command was not carried out */
	HW_QTEST_REPLY_IRQ,  /* asynchronous; not an answer to any command */
};

/* Points into the parsed line; valid as long as the line is. */
struct hw_qtest_reply {
	enum hw_qtest_reply_kind kind;
	const char *line; /* the whole line, without its newline */
	size_t line_len;
	const char *arg; /* after "OK "/"FAIL "/"ERR "; NULL when there is none */
	size_t arg_len;
	bool irq_raise;	   /* IRQ: raise (true) or lower */
	unsigned irq_line; /* IRQ: the line number */
};

int hw_qtest_reply_parse(const char *line, size_t len, struct hw_qtest_reply *ret_reply);
int hw_qtest_reply_value(const struct hw_qtest_reply *reply, uint64_t *ret_value);

#endif
