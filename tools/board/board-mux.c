/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The multiplexer's protocol.  QEMU's qtest socket takes one client; the board holds it and
 * serves any number of clients on its own SOCK_SEQPACKET socket:
 *
 *   - a client sends a packet of one or more command lines, each ending in '\n';
 *   - the board answers with one packet holding one reply line per command, in order;
 *   - the commands of one packet run on QEMU back to back, with no other client's in
 *     between (the hw qtest provider relies on this for PCI configuration: CONFIG_ADDRESS
 *     then CONFIG_DATA);
 *   - each line is parsed and rewritten canonically before QEMU sees it, because QEMU
 *     g_assert()s on malformed arguments and would take the board down.  If any line of a
 *     packet is refused, none of its commands run: that line is answered "ERR <reason>" and
 *     the others "ERR not run: ...", so a batch never half-happens;
 *   - IRQ lines from QEMU are dropped (no client can ask for them: irq_intercept is refused).
 */
#include <errno.h>
#include <string.h>

#include "board.h"
#include "common/strbuf.h"
#include "hw/qtest-conn.h"

/* An ERR line must stay within what a client accepts as one reply line. */
#define MUX_ERR_TEXT_MAX (HW_QTEST_MAX_LINE - 8)

static void put_err(struct strbuf *reply, const char *text)
{
	size_t len = strlen(text);

	strbuf_puts(reply, "ERR ");
	strbuf_append(reply, text, len > MUX_ERR_TEXT_MAX ? MUX_ERR_TEXT_MAX : len);
	strbuf_putc(reply, '\n');
}

/* Counts lines; returns 0 if the packet is not a sequence of complete, non-empty lines. */
static unsigned count_lines(const char *packet, size_t len)
{
	unsigned count = 0;

	if (len == 0 || packet[len - 1] != '\n') {
		return 0;
	}
	for (size_t i = 0; i < len; i++) {
		count += packet[i] == '\n';
	}
	return count;
}

/**
 * board_mux_serve() - answer one client packet (`len` bytes, untrusted) into `reply`: one
 * reply line per command, or a single ERR line when the packet is not a batch of lines.
 * Return: 0 when the client has its answer (refusals included); the -errno of the QEMU
 * connection with a sentence in `why` when QEMU itself failed, which ends the board.
 */
int board_mux_serve(struct hw_qtest_conn *qemu, const char *packet, size_t len,
		    struct strbuf *reply, struct strbuf *why)
{
	struct hw_qtest_command cmds[HW_QTEST_MAX_BATCH];
	struct hw_qtest_reply replies[HW_QTEST_MAX_BATCH];
	unsigned count = count_lines(packet, len);
	int bad = -1;

	if (count == 0) {
		put_err(reply, "a packet is one or more command lines, each ending in a newline");
		return 0;
	}
	if (count > HW_QTEST_MAX_BATCH) {
		put_err(reply, "too many commands in one packet (at most 256)");
		return 0;
	}
	struct strbuf reason = STRBUF_INIT;
	const char *line = packet;

	for (unsigned i = 0; i < count; i++) {
		const char *nl = memchr(line, '\n', (size_t)(packet + len - line));

		if (bad < 0 &&
		    hw_qtest_command_parse(line, (size_t)(nl - line), &cmds[i], &reason) < 0) {
			bad = (int)i;
		}
		line = nl + 1;
	}
	if (bad >= 0) {
		for (unsigned i = 0; i < count; i++) {
			if ((int)i == bad) {
				put_err(reply, strbuf_str(&reason));
			} else {
				strbuf_printf(
					reply,
					"ERR not run: command %d of this packet was refused\n",
					bad + 1);
			}
		}
		strbuf_fini(&reason);
		return 0;
	}
	strbuf_fini(&reason);
	int r = hw_qtest_conn_exchange(qemu, cmds, count, replies, why);

	if (r < 0) {
		return r;
	}
	for (unsigned i = 0; i < count; i++) {
		strbuf_append(reply, replies[i].line, replies[i].line_len);
		strbuf_putc(reply, '\n');
	}
	return 0;
}
