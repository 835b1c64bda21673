/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the hardware layer's text parsers: QEMU's qtest
 * replies (a QEMU that misbehaves must not crash the service), the board
 * multiplexer's command parser (any client of the board may send any
 * line), and provider specs (from the configuration).  The first byte
 * picks the parser.  Beyond no crash, leak or UB: a command that parsed
 * formats to a line that parses back to the same command.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "hw/hw-spec.h"
#include "hw/qtest-command.h"
#include "hw/qtest-reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_command(const char *text, size_t len)
{
	struct hw_qtest_command cmd, again;
	struct strbuf why = STRBUF_INIT;
	char line[HW_QTEST_COMMAND_MAX_LEN];
	size_t n;

	if (hw_qtest_command_parse(text, len, &cmd, &why) == 0) {
		n = hw_qtest_command_format(&cmd, line, sizeof(line));
		/* The formatted line ends with a newline the parser does not take. */
		if (n == 0 || n >= sizeof(line) ||
		    hw_qtest_command_parse(line, n - 1, &again, &why) != 0 || again.op != cmd.op ||
		    again.addr != cmd.addr || again.has_value != cmd.has_value ||
		    (cmd.has_value && again.value != cmd.value)) {
			abort();
		}
	}
	strbuf_fini(&why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hw_qtest_reply reply;
	struct hw_spec spec;
	struct strbuf why = STRBUF_INIT;
	uint64_t value;
	char *text;

	if (size < 1) {
		return 0;
	}
	/* Every parser takes a C string or (text, len); give both a NUL. */
	text = malloc(size);
	if (!text) {
		return 0;
	}
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0:
		if (hw_qtest_reply_parse(text, size - 1, &reply) == 0) {
			(void)hw_qtest_reply_value(&reply, &value);
		}
		break;
	case 1:
		fuzz_command(text, size - 1);
		break;
	case 2:
		if (hw_spec_parse(text, &spec, &why) == 0) {
			hw_spec_fini(&spec);
		}
		break;
	}
	strbuf_fini(&why);
	free(text);
	return 0;
}
