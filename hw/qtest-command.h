/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The qtest commands smmuman speaks, as data: formatted by the qtest provider, parsed and
 * re-formatted by the board multiplexer.  QEMU's server (system/qtest.c) g_assert()s on a
 * malformed argument, which kills the whole machine, so the multiplexer forwards nothing
 * it has not parsed here and written back in canonical form.
 *
 * The set is deliberately small: register and port access, the clock, endianness.  Bulk
 * memory commands (read, write, memset, b64*) are refused: memory is reached through the
 * shared RAM file, and their unbounded replies would defeat the multiplexer's limits.
 */
#ifndef SMMU_HW_QTEST_COMMAND_H
#define SMMU_HW_QTEST_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf;

enum hw_qtest_op {
	HW_QTEST_READB = 1,
	HW_QTEST_READW,
	HW_QTEST_READL,
	HW_QTEST_READQ,
	HW_QTEST_WRITEB,
	HW_QTEST_WRITEW,
	HW_QTEST_WRITEL,
	HW_QTEST_WRITEQ,
	HW_QTEST_INB,
	HW_QTEST_INW,
	HW_QTEST_INL,
	HW_QTEST_OUTB,
	HW_QTEST_OUTW,
	HW_QTEST_OUTL,
	HW_QTEST_CLOCK_STEP, /* with has_value false: to the next timer deadline */
	HW_QTEST_CLOCK_SET,
	HW_QTEST_ENDIANNESS,
	HW_QTEST_OP_COUNT,
};

struct hw_qtest_command {
	enum hw_qtest_op op;
	uint64_t addr;	/* physical address or port */
	uint64_t value; /* value written, or nanoseconds for the clock */
	bool has_value; /* clock_step only: whether NS was given */
};

/* Longest line hw_qtest_command_format() writes, newline and NUL included. */
#define HW_QTEST_COMMAND_MAX_LEN 64

int hw_qtest_command_parse(const char *line, size_t len, struct hw_qtest_command *ret_cmd,
			   struct strbuf *why);
size_t hw_qtest_command_format(const struct hw_qtest_command *cmd, char *buf, size_t size);
unsigned hw_qtest_op_size(enum hw_qtest_op op);

#endif
