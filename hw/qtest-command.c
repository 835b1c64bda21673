/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qtest commands as data (see qtest-command.h).  One table says, per command, its name,
 * what its arguments are and how wide its access is; parse and format both read it.
 */
#include "hw/qtest-command.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/compiler.h"
#include "common/strbuf.h"

enum arg_shape {
	ARGS_ADDR,	 /* NAME ADDR */
	ARGS_ADDR_VALUE, /* NAME ADDR VALUE */
	ARGS_PORT,	 /* NAME PORT */
	ARGS_PORT_VALUE, /* NAME PORT VALUE */
	ARGS_OPT_NS,	 /* NAME [NS] */
	ARGS_NS,	 /* NAME NS */
	ARGS_NONE,	 /* NAME */
};

struct op_info {
	const char *name;
	enum arg_shape shape;
	unsigned size; /* access width in bytes; 0 for the clock and endianness */
};

static const struct op_info ops[HW_QTEST_OP_COUNT] = {
	[HW_QTEST_READB] = {"readb", ARGS_ADDR, 1},
	[HW_QTEST_READW] = {"readw", ARGS_ADDR, 2},
	[HW_QTEST_READL] = {"readl", ARGS_ADDR, 4},
	[HW_QTEST_READQ] = {"readq", ARGS_ADDR, 8},
	[HW_QTEST_WRITEB] = {"writeb", ARGS_ADDR_VALUE, 1},
	[HW_QTEST_WRITEW] = {"writew", ARGS_ADDR_VALUE, 2},
	[HW_QTEST_WRITEL] = {"writel", ARGS_ADDR_VALUE, 4},
	[HW_QTEST_WRITEQ] = {"writeq", ARGS_ADDR_VALUE, 8},
	[HW_QTEST_INB] = {"inb", ARGS_PORT, 1},
	[HW_QTEST_INW] = {"inw", ARGS_PORT, 2},
	[HW_QTEST_INL] = {"inl", ARGS_PORT, 4},
	[HW_QTEST_OUTB] = {"outb", ARGS_PORT_VALUE, 1},
	[HW_QTEST_OUTW] = {"outw", ARGS_PORT_VALUE, 2},
	[HW_QTEST_OUTL] = {"outl", ARGS_PORT_VALUE, 4},
	[HW_QTEST_CLOCK_STEP] = {"clock_step", ARGS_OPT_NS, 0},
	[HW_QTEST_CLOCK_SET] = {"clock_set", ARGS_NS, 0},
	[HW_QTEST_ENDIANNESS] = {"endianness", ARGS_NONE, 0},
};

/* The words of one command line; more than this is always an error. */
#define CMD_MAX_WORDS 4

struct word {
	const char *p;
	size_t len;
};

SMMU_PRINTF(2, 3) static int cmd_fail(struct strbuf *why, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		strbuf_vprintf(why, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/*
 * A number as QEMU's strtoul(base 0) would read it, minus the ambiguity: "0x" hex or decimal,
 * but no leading zero before more digits, which QEMU would read as octal.
 */
static bool parse_number(struct word w, uint64_t *ret_value)
{
	uint64_t value = 0;
	unsigned base = 10;
	size_t i = 0;

	if (w.len >= 2 && w.p[0] == '0' && (w.p[1] == 'x' || w.p[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (w.len > 1 && w.p[0] == '0') {
		return false;
	}
	if (i == w.len) {
		return false;
	}
	for (; i < w.len; i++) {
		char c = w.p[i];
		unsigned d;

		if (c >= '0' && c <= '9') {
			d = (unsigned)(c - '0');
		} else if (base == 16 && c >= 'a' && c <= 'f') {
			d = (unsigned)(c - 'a' + 10);
		} else if (base == 16 && c >= 'A' && c <= 'F') {
			d = (unsigned)(c - 'A' + 10);
		} else {
			return false;
		}
		if (__builtin_mul_overflow(value, base, &value) ||
		    __builtin_add_overflow(value, d, &value)) {
			return false;
		}
	}
	*ret_value = value;
	return true;
}

static bool fits(uint64_t value, unsigned size)
{
	return size >= 8 || (value >> (size * 8)) == 0;
}

static int split_words(const char *line, size_t len, struct word *words, size_t *ret_count,
		       struct strbuf *why)
{
	size_t count = 0;
	size_t i = 0;

	for (size_t k = 0; k < len; k++) {
		if ((unsigned char)line[k] < 0x20 || (unsigned char)line[k] > 0x7e) {
			return cmd_fail(why, "byte 0x%02x at column %zu is not printable ASCII",
					(unsigned char)line[k], k + 1);
		}
	}
	while (i < len) {
		while (i < len && line[i] == ' ') {
			i++;
		}
		if (i == len) {
			break;
		}
		if (count == CMD_MAX_WORDS) {
			return cmd_fail(why, "too many words");
		}
		words[count].p = line + i;
		while (i < len && line[i] != ' ') {
			i++;
		}
		words[count].len = (size_t)(line + i - words[count].p);
		count++;
	}
	if (count == 0) {
		return cmd_fail(why, "empty command");
	}
	*ret_count = count;
	return 0;
}

static int lookup_op(struct word w, enum hw_qtest_op *ret_op)
{
	for (int op = 1; op < HW_QTEST_OP_COUNT; op++) {
		if (strlen(ops[op].name) == w.len && memcmp(ops[op].name, w.p, w.len) == 0) {
			*ret_op = (enum hw_qtest_op)op;
			return 0;
		}
	}
	return -ENOENT;
}

/**
 * hw_qtest_command_parse() - one command line (`len` bytes, no newline) from an untrusted
 * client.  Words are separated by spaces; numbers are 0x... or decimal; written values must
 * fit the access width and ports are 16-bit.
 * Return: 0 and *ret_cmd; -EINVAL with a sentence in `why` (may be NULL).
 */
int hw_qtest_command_parse(const char *line, size_t len, struct hw_qtest_command *ret_cmd,
			   struct strbuf *why)
{
	struct word words[CMD_MAX_WORDS];
	struct hw_qtest_command cmd = {0};
	size_t count = 0;
	int r = split_words(line, len, words, &count, why);

	if (r < 0) {
		return r;
	}
	if (lookup_op(words[0], &cmd.op) < 0) {
		return cmd_fail(
			why,
			"unknown or refused command \"%.*s\" (accepted: read[bwlq], "
			"write[bwlq], in[bwl], out[bwl], clock_step, clock_set, endianness)",
			(int)(words[0].len > 32 ? 32 : words[0].len), words[0].p);
	}
	const struct op_info *info = &ops[cmd.op];
	size_t want_min, want_max;

	switch (info->shape) {
	case ARGS_ADDR:
	case ARGS_PORT:
	case ARGS_NS:
		want_min = want_max = 2;
		break;
	case ARGS_ADDR_VALUE:
	case ARGS_PORT_VALUE:
		want_min = want_max = 3;
		break;
	case ARGS_OPT_NS:
		want_min = 1;
		want_max = 2;
		break;
	case ARGS_NONE:
	default:
		want_min = want_max = 1;
		break;
	}
	if (count < want_min || count > want_max) {
		return cmd_fail(why, "%s takes %zu argument%s, got %zu", info->name, want_max - 1,
				want_max == 2 ? "" : "s", count - 1);
	}
	if (count >= 2 &&
	    !parse_number(words[1], info->shape == ARGS_OPT_NS || info->shape == ARGS_NS
					    ? &cmd.value
					    : &cmd.addr)) {
		return cmd_fail(why,
				"%s: \"%.*s\" is not a number (0x... or decimal without "
				"leading zeros)",
				info->name, (int)(words[1].len > 32 ? 32 : words[1].len),
				words[1].p);
	}
	if (count == 3 && !parse_number(words[2], &cmd.value)) {
		return cmd_fail(why, "%s: \"%.*s\" is not a number", info->name,
				(int)(words[2].len > 32 ? 32 : words[2].len), words[2].p);
	}
	if ((info->shape == ARGS_PORT || info->shape == ARGS_PORT_VALUE) && cmd.addr > 0xffff) {
		return cmd_fail(why, "%s: port 0x%" PRIx64 " is above 0xffff", info->name,
				cmd.addr);
	}
	if ((info->shape == ARGS_ADDR_VALUE || info->shape == ARGS_PORT_VALUE) &&
	    !fits(cmd.value, info->size)) {
		return cmd_fail(why, "%s: value 0x%" PRIx64 " does not fit %u byte%s", info->name,
				cmd.value, info->size, info->size == 1 ? "" : "s");
	}
	if ((info->shape == ARGS_OPT_NS || info->shape == ARGS_NS) && cmd.value > INT64_MAX) {
		return cmd_fail(why, "%s: %" PRIu64 " ns does not fit QEMU's signed 64-bit clock",
				info->name, cmd.value);
	}
	cmd.has_value = info->shape == ARGS_OPT_NS && count == 2;
	*ret_cmd = cmd;
	return 0;
}

/**
 * hw_qtest_command_format() - the canonical line for `cmd`, newline included, into `buf`
 * (at least HW_QTEST_COMMAND_MAX_LEN bytes for any command).
 * Return: the length written, without the NUL; 0 if `cmd` is not a valid command.
 */
size_t hw_qtest_command_format(const struct hw_qtest_command *cmd, char *buf, size_t size)
{
	int n;

	if (cmd->op <= 0 || cmd->op >= HW_QTEST_OP_COUNT) {
		return 0;
	}
	const struct op_info *info = &ops[cmd->op];

	switch (info->shape) {
	case ARGS_ADDR:
	case ARGS_PORT:
		n = snprintf(buf, size, "%s 0x%" PRIx64 "\n", info->name, cmd->addr);
		break;
	case ARGS_ADDR_VALUE:
	case ARGS_PORT_VALUE:
		n = snprintf(buf, size, "%s 0x%" PRIx64 " 0x%" PRIx64 "\n", info->name, cmd->addr,
			     cmd->value);
		break;
	case ARGS_OPT_NS:
		n = cmd->has_value ? snprintf(buf, size, "%s %" PRIu64 "\n", info->name, cmd->value)
				   : snprintf(buf, size, "%s\n", info->name);
		break;
	case ARGS_NS:
		n = snprintf(buf, size, "%s %" PRIu64 "\n", info->name, cmd->value);
		break;
	case ARGS_NONE:
	default:
		n = snprintf(buf, size, "%s\n", info->name);
		break;
	}
	if (n < 0 || (size_t)n >= size) {
		return 0;
	}
	return (size_t)n;
}

/** hw_qtest_op_size() - access width of a read/write/in/out command in bytes; 0 otherwise. */
unsigned hw_qtest_op_size(enum hw_qtest_op op)
{
	return op > 0 && op < HW_QTEST_OP_COUNT ? ops[op].size : 0;
}
