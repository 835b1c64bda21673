/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A client connection to a qtest server: QEMU's own socket (a byte stream of lines, one
 * client) or a board multiplexer's (SOCK_SEQPACKET: one packet of command lines in, one
 * packet of reply lines out, executed without interleaving other clients).  hw_qtest_conn_open()
 * tries the packet type first and falls back to the stream, so callers need not know which.
 *
 * Either way commands go out in batches and replies are matched to them in order; IRQ lines
 * are skipped.  Every wait is bounded (HW_QTEST_REPLY_TIMEOUT_MS).
 *
 * Owner: whoever opened it; hw_qtest_conn_close() closes and frees.
 */
#ifndef SMMU_HW_QTEST_CONN_H
#define SMMU_HW_QTEST_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include "hw/qtest-command.h"
#include "hw/qtest-reply.h"

struct strbuf;

/* Commands in one exchange.  Enough to drain a fw_cfg file 256 bytes per round trip. */
#define HW_QTEST_MAX_BATCH 256
/*
 * Longest reply line.  QEMU's answers to the accepted commands are under 100 bytes (its
 * longest, the clock_step FAIL sentence, is 85); anything longer is a broken peer.
 */
#define HW_QTEST_MAX_LINE 256
/* Largest packet either way: a full batch of the longest lines. */
#define HW_QTEST_MAX_PACKET (HW_QTEST_MAX_BATCH * HW_QTEST_MAX_LINE)
/*
 * How long a reply may take.  QEMU answers in about 20 us and a board multiplexer serves
 * other clients' batches first; ten seconds of silence means the peer is stopped or wedged.
 */
#define HW_QTEST_REPLY_TIMEOUT_MS 10000

struct hw_qtest_conn;

int hw_qtest_conn_open(const char *path, struct hw_qtest_conn **ret_conn, struct strbuf *why);
void hw_qtest_conn_close(struct hw_qtest_conn *conn);
bool hw_qtest_conn_is_packet(const struct hw_qtest_conn *conn);
int hw_qtest_conn_fd(const struct hw_qtest_conn *conn);
int hw_qtest_conn_exchange(struct hw_qtest_conn *conn, const struct hw_qtest_command *cmds,
			   unsigned count, struct hw_qtest_reply *ret_replies, struct strbuf *why);
int hw_qtest_conn_drain(struct hw_qtest_conn *conn, struct strbuf *why);

#endif
