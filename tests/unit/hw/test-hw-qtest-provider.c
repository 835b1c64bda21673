/* SPDX-License-Identifier: Apache-2.0 */
/* hw/provider-qtest.c and hw/qtest-conn.c against a scripted fake server: the commands the
 * provider sends, how it reads replies (IRQ lines, split lines, packets), and how each kind
 * of broken peer becomes an error rather than a wrong value or a hang. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cmocka-all.h"
#include "common/strbuf.h"
#include "hw/hw.h"

/*
 * One step of the fake server's script.  Stream: `expect` is one command line and `reply`
 * the bytes sent back ('|' splits them into two writes with a pause between).  Packet:
 * `expect` is the whole packet and `reply` the whole answer packet.
 */
struct step {
	const char *expect;
	const char *reply;
};

struct server {
	char dir[64];
	char path[96];
	int type;
	int listen_fd;
	const struct step *steps;
	size_t step_count;
	pthread_t thread;
	char mismatch[512]; /* first difference from the script, for the assertion */
};

static void pause_briefly(void)
{
	struct timespec ts = {.tv_nsec = 2 * 1000 * 1000};

	nanosleep(&ts, NULL);
}

static void send_reply(int fd, const char *reply)
{
	const char *split = strchr(reply, '|');

	if (split) {
		assert_true(send(fd, reply, (size_t)(split - reply), MSG_NOSIGNAL) >= 0);
		pause_briefly();
		reply = split + 1;
	}
	if (*reply) {
		(void)send(fd, reply, strlen(reply), MSG_NOSIGNAL);
	}
}

static void serve_stream(struct server *s, int fd)
{
	char buf[4096];
	size_t len = 0;

	for (size_t i = 0; i < s->step_count; i++) {
		char *nl;

		while (!(nl = memchr(buf, '\n', len))) {
			ssize_t n = recv(fd, buf + len, sizeof(buf) - len, 0);

			if (n <= 0) {
				snprintf(s->mismatch, sizeof(s->mismatch),
					 "client left before step %zu", i);
				return;
			}
			len += (size_t)n;
		}
		*nl = '\0';
		if (strcmp(buf, s->steps[i].expect) != 0 && !s->mismatch[0]) {
			snprintf(s->mismatch, sizeof(s->mismatch),
				 "step %zu: got \"%.200s\", want \"%.200s\"", i, buf,
				 s->steps[i].expect);
		}
		size_t used = (size_t)(nl - buf) + 1;

		memmove(buf, buf + used, len - used);
		len -= used;
		send_reply(fd, s->steps[i].reply);
	}
}

static void serve_packets(struct server *s, int fd)
{
	char buf[70000];

	for (size_t i = 0; i < s->step_count; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

		if (n <= 0) {
			snprintf(s->mismatch, sizeof(s->mismatch), "client left before step %zu",
				 i);
			return;
		}
		buf[n] = '\0';
		if (s->steps[i].expect && strcmp(buf, s->steps[i].expect) != 0 && !s->mismatch[0]) {
			snprintf(s->mismatch, sizeof(s->mismatch),
				 "packet %zu: got \"%.200s\", want \"%.200s\"", i, buf,
				 s->steps[i].expect);
		}
		(void)send(fd, s->steps[i].reply, strlen(s->steps[i].reply), MSG_NOSIGNAL);
	}
}

static void *serve(void *arg)
{
	struct server *s = arg;
	int fd = accept(s->listen_fd, NULL, NULL);

	if (fd < 0) {
		snprintf(s->mismatch, sizeof(s->mismatch), "accept failed");
		return NULL;
	}
	if (s->type == SOCK_STREAM) {
		serve_stream(s, fd);
	} else {
		serve_packets(s, fd);
	}
	/* The script is over: the server goes away, as QEMU does when it exits. */
	close(fd);
	return NULL;
}

static struct server *server_start(int type, const struct step *steps, size_t count)
{
	struct server *s = calloc(1, sizeof(*s));
	struct sockaddr_un addr = {.sun_family = AF_UNIX};

	strcpy(s->dir, "/tmp/test-hw-qtest.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/q.sock", s->dir);
	s->type = type;
	s->steps = steps;
	s->step_count = count;
	s->listen_fd = socket(AF_UNIX, type, 0);
	assert_true(s->listen_fd >= 0);
	strcpy(addr.sun_path, s->path);
	assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(s->listen_fd, 1), 0);
	assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
	return s;
}

/* Waits for the server, checks it saw exactly the scripted commands, cleans up. */
static void server_finish(struct server *s)
{
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
	unlink(s->path);
	rmdir(s->dir);
	if (s->mismatch[0]) {
		print_error("fake qtest server: %s\n", s->mismatch);
		free(s);
		fail();
	}
	free(s);
}

static struct hw_bus *open_bus(struct server *s, const char *extra)
{
	char spec[256];
	struct hw_bus *bus = NULL;
	struct strbuf why = STRBUF_INIT;

	snprintf(spec, sizeof(spec), "qtest:%s%s", s->path, extra);
	if (hw_open(spec, &bus, &why) != 0) {
		print_error("hw_open(%s): %s\n", spec, strbuf_str(&why));
		fail();
	}
	strbuf_fini(&why);
	return bus;
}

#define START(type, steps) server_start(type, steps, sizeof(steps) / sizeof(steps[0]))

/* A 32-bit register read is "readl ADDR" and its value comes from the reply. */
static void test_read32(void **state)
{
	static const struct step steps[] = {{"readl 0xfed90000", "OK 0x0000000000000010\n"}};
	struct server *s = START(SOCK_STREAM, steps);
	struct hw_bus *bus = open_bus(s, "");
	uint32_t v = 0;

	(void)state;
	assert_string_equal(hw_bus_provider(bus), "qtest");
	assert_int_equal(hw_read32(bus, 0xfed90000, &v), 0);
	assert_int_equal(v, 0x10);
	hw_close(bus);
	server_finish(s);
}

/* 64-bit reads and both write widths use their own commands. */
static void test_read64_and_writes(void **state)
{
	static const struct step steps[] = {
		{"readq 0xfed90008", "OK 0x00d2008c22260206\n"},
		{"writel 0xfed90018 0x80000000", "OK\n"},
		{"writeq 0xfed90020 0x9000000", "OK\n"},
	};
	struct server *s = START(SOCK_STREAM, steps);
	struct hw_bus *bus = open_bus(s, "");
	uint64_t v = 0;

	(void)state;
	assert_int_equal(hw_read64(bus, 0xfed90008, &v), 0);
	assert_true(v == 0x00d2008c22260206ull);
	assert_int_equal(hw_write32(bus, 0xfed90018, 0x80000000), 0);
	assert_int_equal(hw_write64(bus, 0xfed90020, 0x9000000), 0);
	hw_close(bus);
	server_finish(s);
}

/* IRQ lines before a reply are skipped; the reply is still matched to its command. */
static void test_irq_lines_skipped(void **state)
{
	static const struct step steps[] = {
		{"readl 0x1000", "IRQ raise 3\nIRQ lower 3\nOK 0x0000000000000042\n"},
	};
	struct server *s = START(SOCK_STREAM, steps);
	struct hw_bus *bus = open_bus(s, "");
	uint32_t v = 0;

	(void)state;
	assert_int_equal(hw_read32(bus, 0x1000, &v), 0);
	assert_int_equal(v, 0x42);
	hw_close(bus);
	server_finish(s);
}

/* A reply that arrives in two pieces is reassembled. */
static void test_split_reply(void **state)
{
	static const struct step steps[] = {{"readl 0x1000", "OK 0x00000000|00001234\n"}};
	struct server *s = START(SOCK_STREAM, steps);
	struct hw_bus *bus = open_bus(s, "");
	uint32_t v = 0;

	(void)state;
	assert_int_equal(hw_read32(bus, 0x1000, &v), 0);
	assert_int_equal(v, 0x1234);
	hw_close(bus);
	server_finish(s);
}

/* A FAIL reply is -EIO, and the error quotes the command and the server's words. */
static void test_fail_reply(void **state)
{
	static const struct step steps[] = {{"writel 0x1000 0x1", "FAIL out of luck\n"}};
	struct server *s = START(SOCK_STREAM, steps);
	struct hw_bus *bus = open_bus(s, "");

	(void)state;
	assert_int_equal(hw_write32(bus, 0x1000, 1), -EIO);
	assert_non_null(strstr(hw_bus_error(bus), "\"writel 0x1000 0x1\" was refused"));
	assert_non_null(strstr(hw_bus_error(bus), "FAIL out of luck"));
	hw_close(bus);
	server_finish(s);
}

/* A malformed reply is -EPROTO, not a value. */
static void test_malformed_reply(void **state)
{
	static const struct step steps[] = {{"readl 0x1000", "YES 0x12\n"}};
	struct server *s = START(SOCK_STREAM, steps);
	struct hw_bus *bus = open_bus(s, "");
	uint32_t v = 99;

	(void)state;
	assert_int_equal(hw_read32(bus, 0x1000, &v), -EPROTO);
	assert_int_equal(v, 99);
	assert_non_null(strstr(hw_bus_error(bus), "malformed qtest reply \"YES 0x12\""));
	hw_close(bus);
	server_finish(s);
}

/* After a malformed reply the connection is out of step: later commands fail at once
 * instead of taking some other command's reply as theirs. */
static void test_broken_after_error(void **state)
{
	static const struct step steps[] = {{"readl 0x1000", "YES\n"}};
	struct server *s = START(SOCK_STREAM, steps);
	struct hw_bus *bus = open_bus(s, "");
	uint32_t v;

	(void)state;
	assert_int_equal(hw_read32(bus, 0x1000, &v), -EPROTO);
	assert_int_equal(hw_read32(bus, 0x2000, &v), -EPIPE);
	assert_non_null(strstr(hw_bus_error(bus), "unusable after an earlier failure"));
	hw_close(bus);
	server_finish(s);
}

/* A 32-bit read answered with a value wider than 32 bits is -EPROTO, not truncated. */
static void test_reply_too_wide(void **state)
{
	static const struct step steps[] = {{"readl 0x1000", "OK 0x0000000100000000\n"}};
	struct server *s = START(SOCK_STREAM, steps);
	struct hw_bus *bus = open_bus(s, "");
	uint32_t v;

	(void)state;
	assert_int_equal(hw_read32(bus, 0x1000, &v), -EPROTO);
	assert_non_null(strstr(hw_bus_error(bus), "not a 4-byte value"));
	hw_close(bus);
	server_finish(s);
}

/* A reply line longer than any QEMU sends is -EPROTO (the buffer is never overrun). */
static void test_reply_line_too_long(void **state)
{
	static char reply[2048];
	static struct step steps[] = {{"readl 0x1000", reply}};

	(void)state;
	memset(reply, 'x', sizeof(reply) - 2);
	reply[sizeof(reply) - 2] = '\n';
	reply[sizeof(reply) - 1] = '\0';
	memcpy(reply, "OK ", 3);
	struct server *s = START(SOCK_STREAM, steps);
	struct hw_bus *bus = open_bus(s, "");
	uint32_t v;

	assert_int_equal(hw_read32(bus, 0x1000, &v), -EPROTO);
	hw_close(bus);
	server_finish(s);
}

/* The server going away is -ECONNRESET with a sentence saying so, now and afterwards. */
static void test_peer_closes(void **state)
{
	static const struct step steps[] = {{"readl 0x1000", ""}};
	struct server *s = START(SOCK_STREAM, steps);
	struct hw_bus *bus = open_bus(s, "");
	uint32_t v;

	(void)state;
	assert_int_equal(hw_read32(bus, 0x1000, &v), -ECONNRESET);
	assert_non_null(strstr(hw_bus_error(bus), "closed the connection"));
	server_finish(s);
	int r = hw_read32(bus, 0x1000, &v);

	assert_true(r == -ECONNRESET || r == -EPIPE);
	hw_close(bus);
}

/* PCI configuration through the ports: CONFIG_ADDRESS for the dword, then the data port
 * at the byte the offset selects, with the access's width. */
static void test_pci_cfg_ports(void **state)
{
	static const struct step steps[] = {
		{"outl 0xcf8 0x80000800", "OK\n"}, {"inl 0xcfc", "OK 0x11e81234\n"},
		{"outl 0xcf8 0x80000804", "OK\n"}, {"inw 0xcfe", "OK 0x0010\n"},
		{"outl 0xcf8 0x80000804", "OK\n"}, {"outw 0xcfc 0x6", "OK\n"},
	};
	struct server *s = START(SOCK_STREAM, steps);
	struct hw_bus *bus = open_bus(s, "");
	struct hw_pci_bdf edu = {.device = 1};
	uint32_t v = 0;

	(void)state;
	assert_int_equal(hw_pci_cfg_read(bus, edu, 0, 4, &v), 0);
	assert_int_equal(v, 0x11e81234);
	assert_int_equal(hw_pci_cfg_read(bus, edu, 6, 2, &v), 0);
	assert_int_equal(v, 0x10);
	assert_int_equal(hw_pci_cfg_write(bus, edu, 4, 2, 6), 0);
	hw_close(bus);
	server_finish(s);
}

/* Through the ports, extended configuration space and other segments are refused
 * without a word sent (they would alias legacy space of segment 0). */
static void test_pci_cfg_ports_limits(void **state)
{
	static const struct step steps[] = {{"inb 0x80", "OK 0x0001\n"}};
	struct server *s = START(SOCK_STREAM, steps);
	struct hw_bus *bus = open_bus(s, "");
	struct hw_pci_bdf edu = {.device = 1};
	struct hw_pci_bdf other = {.segment = 1, .device = 1};
	uint32_t v = 0;

	(void)state;
	assert_int_equal(hw_pci_cfg_read(bus, edu, 0x100, 4, &v), -EOPNOTSUPP);
	assert_non_null(strstr(hw_bus_error(bus), "ecam="));
	assert_int_equal(hw_pci_cfg_read(bus, other, 0, 4, &v), -EOPNOTSUPP);
	/* The server's first line is this one: nothing was sent for the refused accesses. */
	assert_int_equal(hw_pio_read(bus, 0x80, 1, &v), 0);
	assert_int_equal(v, 1);
	hw_close(bus);
	server_finish(s);
}

/* With ecam= the configuration space is MMIO at ECAM + (bus << 20 | dev << 15 | fn << 12). */
static void test_pci_cfg_ecam(void **state)
{
	static const struct step steps[] = {
		{"readl 0x4010008000", "OK 0x0000000011e81234\n"},
		{"readw 0x401000a100", "OK 0x0000000000000010\n"},
		{"writeb 0x4010008004 0x6", "OK\n"},
	};
	struct server *s = START(SOCK_STREAM, steps);
	struct hw_bus *bus = open_bus(s, ",ecam=0x4010000000");
	struct hw_pci_bdf edu = {.device = 1};
	struct hw_pci_bdf fn2 = {.device = 1, .function = 2};
	uint32_t v = 0;

	(void)state;
	assert_int_equal(hw_pci_cfg_read(bus, edu, 0, 4, &v), 0);
	assert_int_equal(v, 0x11e81234);
	assert_int_equal(hw_pci_cfg_read(bus, fn2, 0x100, 2, &v), 0);
	assert_int_equal(v, 0x10);
	assert_int_equal(hw_pci_cfg_write(bus, edu, 4, 1, 6), 0);
	hw_close(bus);
	server_finish(s);
}

/* Port I/O of each width. */
static void test_pio(void **state)
{
	static const struct step steps[] = {
		{"outw 0x510 0x19", "OK\n"},
		{"inb 0x511", "OK 0x0000\n"},
		{"inl 0xcfc", "OK 0xffffffff\n"},
	};
	struct server *s = START(SOCK_STREAM, steps);
	struct hw_bus *bus = open_bus(s, "");
	uint32_t v = 1;

	(void)state;
	assert_int_equal(hw_pio_write(bus, 0x510, 2, 0x19), 0);
	assert_int_equal(hw_pio_read(bus, 0x511, 1, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(hw_pio_read(bus, 0xcfc, 4, &v), 0);
	assert_int_equal(v, 0xffffffff);
	hw_close(bus);
	server_finish(s);
}

/* Byte-port reads in bulk go out as batches of at most 256 commands in one packet each. */
static void test_pio_read_bytes_batches(void **state)
{
	static char expect_full[256 * 10 + 1], expect_rest[44 * 10 + 1];
	static char reply_full[256 * 10 + 1], reply_rest[44 * 10 + 1];
	static struct step steps[] = {
		{expect_full, reply_full},
		{expect_rest, reply_rest},
	};
	unsigned char buf[300];

	(void)state;
	for (unsigned i = 0; i < 256; i++) {
		memcpy(expect_full + i * 10, "inb 0x511\n", 10);
		snprintf(reply_full + i * 10, 11, "OK 0x00%02x\n", i);
	}
	for (unsigned i = 0; i < 44; i++) {
		memcpy(expect_rest + i * 10, "inb 0x511\n", 10);
		snprintf(reply_rest + i * 10, 11, "OK 0x00%02x\n", (256 + i) & 0xff);
	}
	struct server *s = START(SOCK_SEQPACKET, steps);
	struct hw_bus *bus = open_bus(s, "");

	assert_int_equal(hw_pio_read_bytes(bus, 0x511, buf, sizeof(buf)), 0);
	for (unsigned i = 0; i < sizeof(buf); i++) {
		assert_int_equal(buf[i], i & 0xff);
	}
	hw_close(bus);
	server_finish(s);
}

/* Repeated 64-bit reads of one data register (fw_cfg on ARM) go out as batches of at most
 * 256 commands, the values in order; a 16-bit write is writew. */
static void test_read64_repeat_batches(void **state)
{
	static char expect_full[256 * 16 + 1], expect_rest[4 * 16 + 1];
	static char reply_full[256 * 22 + 1], reply_rest[4 * 22 + 1];
	static struct step steps[] = {
		{"writew 0x9020008 0x1900\n", "OK\n"},
		{expect_full, reply_full},
		{expect_rest, reply_rest},
	};
	uint64_t values[260];

	(void)state;
	for (unsigned i = 0; i < 260; i++) {
		char *expect = i < 256 ? expect_full + i * 16 : expect_rest + (i - 256) * 16;
		char *reply = i < 256 ? reply_full + i * 22 : reply_rest + (i - 256) * 22;

		memcpy(expect, "readq 0x9020000\n", 17);
		snprintf(reply, 23, "OK 0x%016x\n", i * 3);
	}
	struct server *s = START(SOCK_SEQPACKET, steps);
	struct hw_bus *bus = open_bus(s, "");

	assert_int_equal(hw_write16(bus, 0x9020008, 0x1900), 0);
	assert_int_equal(hw_read64_repeat(bus, 0x9020000, values, 260), 0);
	for (unsigned i = 0; i < 260; i++) {
		assert_true(values[i] == i * 3);
	}
	assert_int_equal(hw_read64_repeat(bus, 0x9020004, values, 1), -EINVAL);
	hw_close(bus);
	server_finish(s);
}

/* Through a multiplexer (packets), the two configuration commands travel in one packet. */
static void test_packet_cfg_is_one_batch(void **state)
{
	static const struct step steps[] = {
		{"outl 0xcf8 0x80000800\ninl 0xcfc\n", "OK\nOK 0x11e81234\n"},
	};
	struct server *s = START(SOCK_SEQPACKET, steps);
	struct hw_bus *bus = open_bus(s, "");
	struct hw_pci_bdf edu = {.device = 1};
	uint32_t v = 0;

	(void)state;
	assert_int_equal(hw_pci_cfg_read(bus, edu, 0, 4, &v), 0);
	assert_int_equal(v, 0x11e81234);
	hw_close(bus);
	server_finish(s);
}

/* Runs a two-command configuration read against a packet server answering `reply`;
 * returns the error and leaves the bus error in `msg`. */
static int packet_cfg_read(const char *reply, char *msg, size_t size)
{
	const struct step steps[] = {{NULL, reply}};
	struct server *s = server_start(SOCK_SEQPACKET, steps, 1);
	struct hw_bus *bus = open_bus(s, "");
	struct hw_pci_bdf edu = {.device = 1};
	uint32_t v;
	int r = hw_pci_cfg_read(bus, edu, 0, 4, &v);

	snprintf(msg, size, "%s", hw_bus_error(bus));
	hw_close(bus);
	server_finish(s);
	return r;
}

/* A reply packet with fewer lines than commands is -EPROTO. */
static void test_packet_too_few_replies(void **state)
{
	char msg[512];

	(void)state;
	assert_int_equal(packet_cfg_read("OK\n", msg, sizeof(msg)), -EPROTO);
	assert_non_null(strstr(msg, "answers 1 of 2"));
}

/* A reply packet with more lines than commands is -EPROTO. */
static void test_packet_too_many_replies(void **state)
{
	char msg[512];

	(void)state;
	assert_int_equal(packet_cfg_read("OK\nOK 0x1\nOK 0x2\n", msg, sizeof(msg)), -EPROTO);
	assert_non_null(strstr(msg, "extra lines"));
}

/* A reply packet whose last line is cut off is -EPROTO. */
static void test_packet_unterminated(void **state)
{
	char msg[512];

	(void)state;
	assert_int_equal(packet_cfg_read("OK\nOK 0x1", msg, sizeof(msg)), -EPROTO);
	assert_non_null(strstr(msg, "newline"));
}

/* QEMU without its qtest accelerator does not know clock_step: -EOPNOTSUPP, said plainly. */
static void test_clock_step_unsupported(void **state)
{
	static const struct step steps[] = {
		{"clock_step 100000000", "FAIL Unknown command 'clock_step'\n"},
	};
	struct server *s = START(SOCK_STREAM, steps);
	struct hw_bus *bus = open_bus(s, "");
	uint64_t now;

	(void)state;
	assert_int_equal(hw_clock_step(bus, 100000000, &now), -EOPNOTSUPP);
	assert_non_null(strstr(hw_bus_error(bus), "does not let clients step its clock"));
	hw_close(bus);
	server_finish(s);
}

/* Where the clock can be stepped, the new time comes back. */
static void test_clock_step(void **state)
{
	static const struct step steps[] = {{"clock_step 1000", "OK 5000\n"}};
	struct server *s = START(SOCK_STREAM, steps);
	struct hw_bus *bus = open_bus(s, "");
	uint64_t now = 0;

	(void)state;
	assert_int_equal(hw_clock_step(bus, 1000, &now), 0);
	assert_true(now == 5000);
	hw_close(bus);
	server_finish(s);
}

/* The memory window is the RAM file, offset by ram-base; outside it is -ERANGE. */
static void test_memory_window(void **state)
{
	static const struct step steps[] = {{"inb 0x80", "OK 0x0000\n"}};
	struct server *s = START(SOCK_STREAM, steps);
	char ram_path[] = "/tmp/test-hw-qtest-ram.XXXXXX";
	int fd = mkstemp(ram_path);
	char extra[128];
	void *cpu;
	unsigned char byte = 0;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	snprintf(extra, sizeof(extra), ",mem=%s,ram-base=0x40000000", ram_path);
	struct hw_bus *bus = open_bus(s, extra);

	assert_int_equal(hw_mem_map(bus, 0x40001000, 4096, &cpu), 0);
	((unsigned char *)cpu)[5] = 0x5a;
	assert_int_equal(pread(fd, &byte, 1, 0x1005), 1);
	assert_int_equal(byte, 0x5a);
	assert_int_equal(hw_mem_map(bus, 0x3ffff000, 4096, &cpu), -ERANGE);
	assert_int_equal(hw_mem_map(bus, 0x400ff000, 8192, &cpu), -ERANGE);
	assert_int_equal(hw_mem_map(bus, 0x400ff000, 4096, &cpu), 0);
	assert_non_null(strstr(hw_bus_error(bus), "outside guest RAM"));
	/* Let the server finish its script so that it exits. */
	uint32_t v;

	(void)hw_pio_read(bus, 0x80, 1, &v);
	hw_close(bus);
	close(fd);
	unlink(ram_path);
	server_finish(s);
}

/* Without mem= there is no window, and the error says which key is missing. */
static void test_no_memory_window(void **state)
{
	static const struct step steps[] = {{"inb 0x80", "OK 0x0000\n"}};
	struct server *s = START(SOCK_STREAM, steps);
	struct hw_bus *bus = open_bus(s, "");
	void *cpu;
	uint32_t v;

	(void)state;
	assert_int_equal(hw_mem_map(bus, 0, 4096, &cpu), -EOPNOTSUPP);
	assert_non_null(strstr(hw_bus_error(bus), "mem=FILE"));
	(void)hw_pio_read(bus, 0x80, 1, &v);
	hw_close(bus);
	server_finish(s);
}

/* Nothing listening: -ENOENT, with the socket path in the sentence. */
static void test_connect_missing(void **state)
{
	struct hw_bus *bus = NULL;
	struct strbuf why = STRBUF_INIT;

	(void)state;
	assert_int_equal(hw_open("qtest:/nonexistent/q.sock", &bus, &why), -ENOENT);
	assert_null(bus);
	assert_non_null(strstr(strbuf_str(&why), "/nonexistent/q.sock"));
	strbuf_fini(&why);
}

/* A RAM file that does not exist fails the open, naming the file. */
static void test_ram_file_missing(void **state)
{
	static const struct step steps[] = {{"never sent", ""}};
	struct server *s = START(SOCK_STREAM, steps);
	struct hw_bus *bus = NULL;
	struct strbuf why = STRBUF_INIT;
	char spec[256];

	(void)state;
	snprintf(spec, sizeof(spec), "qtest:%s,mem=/nonexistent/ram", s->path);
	assert_int_equal(hw_open(spec, &bus, &why), -ENOENT);
	assert_non_null(strstr(strbuf_str(&why), "/nonexistent/ram"));
	strbuf_fini(&why);
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
	unlink(s->path);
	rmdir(s->dir);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read32),
		cmocka_unit_test(test_read64_and_writes),
		cmocka_unit_test(test_irq_lines_skipped),
		cmocka_unit_test(test_split_reply),
		cmocka_unit_test(test_fail_reply),
		cmocka_unit_test(test_malformed_reply),
		cmocka_unit_test(test_broken_after_error),
		cmocka_unit_test(test_reply_too_wide),
		cmocka_unit_test(test_reply_line_too_long),
		cmocka_unit_test(test_peer_closes),
		cmocka_unit_test(test_pci_cfg_ports),
		cmocka_unit_test(test_pci_cfg_ports_limits),
		cmocka_unit_test(test_pci_cfg_ecam),
		cmocka_unit_test(test_pio),
		cmocka_unit_test(test_pio_read_bytes_batches),
		cmocka_unit_test(test_packet_cfg_is_one_batch),
		cmocka_unit_test(test_packet_too_few_replies),
		cmocka_unit_test(test_packet_too_many_replies),
		cmocka_unit_test(test_packet_unterminated),
		cmocka_unit_test(test_clock_step_unsupported),
		cmocka_unit_test(test_clock_step),
		cmocka_unit_test(test_memory_window),
		cmocka_unit_test(test_read64_repeat_batches),
		cmocka_unit_test(test_no_memory_window),
		cmocka_unit_test(test_connect_missing),
		cmocka_unit_test(test_ram_file_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
