/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The board of the library-on-QEMU tests (qemu-unit-board.h): runs smmu-board start, stop
 * and dma, reads the start command's SMMU_BOARD_* lines, and opens the test's own hw
 * connection.  It does not start the library or own any of its objects.
 */
#include "qemu-unit-board.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../unit/cmocka-all.h"
#include "common/strbuf.h"
#include "hw/hw.h"

#ifndef SMMU_BOARD_PATH
#error "SMMU_BOARD_PATH must name the smmu-board binary"
#endif

/* Runs a shell command, returns its output (bounded) and exit status. */
static int run(const char *cmd, char *out, size_t size)
{
	FILE *f = popen(cmd, "r");
	size_t n = 0;

	assert_non_null(f);
	while (n + 1 < size && fgets(out + n, (int)(size - n), f)) {
		n += strlen(out + n);
	}
	out[n] = '\0';
	return pclose(f);
}

/* The rest of the line after `key` in `text`, or "" when it has none. */
static const char *value_of(const char *text, const char *key, char *buf, size_t size)
{
	const char *at = strstr(text, key);
	size_t n;

	buf[0] = '\0';
	if (at) {
		at += strlen(key);
		n = strcspn(at, "\n");
		n = n < size - 1 ? n : size - 1;
		memcpy(buf, at, n);
		buf[n] = '\0';
	}
	return buf;
}

/**
 * qemu_unit_board_start() - starts a board of `machine` (q35, virt) with `edu_count` edu
 * devices in a new directory under /tmp and connects to it.  Fails the test when it cannot.
 */
void qemu_unit_board_start(struct qemu_unit_board *board, const char *machine, unsigned edu_count)
{
	char out[4096], cmd[512], value[64];
	struct strbuf why = STRBUF_INIT;

	memset(board, 0, sizeof(*board));
	strcpy(board->dir, "/tmp/test-qemu-unit.XXXXXX");
	assert_non_null(mkdtemp(board->dir));
	snprintf(cmd, sizeof(cmd), "%s start --machine %s --edu %u --dir %s/board", SMMU_BOARD_PATH,
		 machine, edu_count, board->dir);
	if (run(cmd, out, sizeof(out)) != 0) {
		fail_msg("smmu-board start failed: %s", out);
	}
	value_of(out, "SMMU_BOARD_HW=", board->hw, sizeof(board->hw));
	board->tables_pa =
		strtoull(value_of(out, "SMMU_BOARD_TABLES=", value, sizeof(value)), NULL, 0);
	assert_int_equal(hw_open(board->hw, &board->bus, &why), 0);
	strbuf_fini(&why);
}

/** qemu_unit_board_stop() - closes the connection, stops the board, removes its directory. */
void qemu_unit_board_stop(struct qemu_unit_board *board)
{
	char out[1024], cmd[512];

	hw_close(board->bus);
	board->bus = NULL;
	snprintf(cmd, sizeof(cmd), "%s stop --dir %s/board", SMMU_BOARD_PATH, board->dir);
	(void)run(cmd, out, sizeof(out));
	rmdir(board->dir);
}

uint32_t qemu_unit_board_read32(struct qemu_unit_board *board, uint64_t pa)
{
	uint32_t value = 0;

	assert_int_equal(hw_read32(board->bus, pa, &value), 0);
	return value;
}

uint64_t qemu_unit_board_read64(struct qemu_unit_board *board, uint64_t pa)
{
	uint64_t value = 0;

	assert_int_equal(hw_read64(board->bus, pa, &value), 0);
	return value;
}

void qemu_unit_board_write32(struct qemu_unit_board *board, uint64_t pa, uint32_t value)
{
	assert_int_equal(hw_write32(board->bus, pa, value), 0);
}

/** qemu_unit_board_dma() - one edu DMA of `len` bytes: the device writes memory (`write`) or
 * reads it.  Fails the test unless the board says it was done. */
void qemu_unit_board_dma(struct qemu_unit_board *board, const char *device, bool write,
			 uint64_t iova, unsigned len)
{
	char out[1024], cmd[512];

	snprintf(cmd, sizeof(cmd), "%s dma --dir %s/board --device %s %s --iova 0x%llx --len %u",
		 SMMU_BOARD_PATH, board->dir, device, write ? "--from-device" : "--to-device",
		 (unsigned long long)iova, len);
	(void)run(cmd, out, sizeof(out));
	assert_non_null(strstr(out, "dma: done"));
}
