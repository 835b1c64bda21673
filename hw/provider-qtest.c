/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The qtest provider: a QEMU machine driven through its qtest socket (DESIGN.md "The
 * hardware oracle").  Registers and ports are qtest commands; PCI configuration is two
 * commands in one batch (CONFIG_ADDRESS then CONFIG_DATA), which a board multiplexer runs
 * without interleaving another client's; the memory window is the guest RAM file mapped
 * shared, so tables written there are what QEMU's IOMMU model walks.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/strbuf.h"
#include "hw/hw-pci.h"
#include "hw/hw-provider.h"
#include "hw/qtest-conn.h"

/*
 * Owner: hw_open()'s caller through the embedded bus; qtest_destroy() unmaps the RAM window
 * and closes the connection.
 */
struct qtest_bus {
	struct hw_bus bus; /* first: the provider is reached by casting the bus */
	struct hw_qtest_conn *conn;
	char *socket_path; /* for messages */
	char *ram;	   /* guest RAM window, or NULL without mem= */
	size_t ram_size;
	uint64_t ram_base;
	bool has_ecam;
	uint64_t ecam_base;
};

static struct qtest_bus *to_qtest(struct hw_bus *bus)
{
	return (struct qtest_bus *)bus;
}

static const enum hw_qtest_op read_ops[9] = {
	[1] = HW_QTEST_READB, [2] = HW_QTEST_READW, [4] = HW_QTEST_READL, [8] = HW_QTEST_READQ};
static const enum hw_qtest_op write_ops[9] = {
	[1] = HW_QTEST_WRITEB, [2] = HW_QTEST_WRITEW, [4] = HW_QTEST_WRITEL, [8] = HW_QTEST_WRITEQ};
static const enum hw_qtest_op in_ops[5] = {
	[1] = HW_QTEST_INB, [2] = HW_QTEST_INW, [4] = HW_QTEST_INL};
static const enum hw_qtest_op out_ops[5] = {
	[1] = HW_QTEST_OUTB, [2] = HW_QTEST_OUTW, [4] = HW_QTEST_OUTL};

/* Runs a batch; every reply must be OK.  Failures become the bus error. */
static int run(struct qtest_bus *q, const struct hw_qtest_command *cmds, unsigned count,
	       struct hw_qtest_reply *replies)
{
	struct strbuf why = STRBUF_INIT;
	int r = hw_qtest_conn_exchange(q->conn, cmds, count, replies, &why);

	if (r < 0) {
		r = hw_bus_fail(&q->bus, r, "qtest %s: %s", q->socket_path, strbuf_str(&why));
		strbuf_fini(&why);
		return r;
	}
	strbuf_fini(&why);
	for (unsigned i = 0; i < count; i++) {
		if (replies[i].kind != HW_QTEST_REPLY_OK) {
			char line[HW_QTEST_COMMAND_MAX_LEN];
			size_t n = hw_qtest_command_format(&cmds[i], line, sizeof(line));

			return hw_bus_fail(&q->bus, -EIO, "qtest %s: \"%.*s\" was refused: %.*s",
					   q->socket_path, (int)(n ? n - 1 : 0), line,
					   (int)replies[i].line_len, replies[i].line);
		}
	}
	return 0;
}

/* The value of an OK reply to a read of `size` bytes. */
static int reply_value(struct qtest_bus *q, const struct hw_qtest_reply *reply, unsigned size,
		       uint64_t *ret_value)
{
	uint64_t v;

	if (hw_qtest_reply_value(reply, &v) < 0 || (size < 8 && (v >> (size * 8)))) {
		return hw_bus_fail(&q->bus, -EPROTO,
				   "qtest %s: reply \"%.*s\" is not a %u-byte value",
				   q->socket_path, (int)reply->line_len, reply->line, size);
	}
	*ret_value = v;
	return 0;
}

/* A command that expects a bare "OK". */
static int run_one(struct qtest_bus *q, struct hw_qtest_command cmd)
{
	struct hw_qtest_reply reply;

	return run(q, &cmd, 1, &reply);
}

static int read_one(struct qtest_bus *q, struct hw_qtest_command cmd, unsigned size,
		    uint64_t *ret_value)
{
	struct hw_qtest_reply reply;
	int r = run(q, &cmd, 1, &reply);

	return r < 0 ? r : reply_value(q, &reply, size, ret_value);
}

static int qtest_read(struct hw_bus *bus, uint64_t pa, unsigned size, uint64_t *ret_value)
{
	return read_one(to_qtest(bus), (struct hw_qtest_command){.op = read_ops[size], .addr = pa},
			size, ret_value);
}

static int qtest_write(struct hw_bus *bus, uint64_t pa, unsigned size, uint64_t value)
{
	return run_one(to_qtest(bus), (struct hw_qtest_command){
					      .op = write_ops[size], .addr = pa, .value = value});
}

static int qtest_pio_read(struct hw_bus *bus, uint16_t port, unsigned size, uint32_t *ret_value)
{
	uint64_t v;
	int r = read_one(to_qtest(bus), (struct hw_qtest_command){.op = in_ops[size], .addr = port},
			 size, &v);

	if (r == 0) {
		*ret_value = (uint32_t)v;
	}
	return r;
}

static int qtest_pio_write(struct hw_bus *bus, uint16_t port, unsigned size, uint32_t value)
{
	return run_one(to_qtest(bus), (struct hw_qtest_command){
					      .op = out_ops[size], .addr = port, .value = value});
}

static int qtest_pio_read_bytes(struct hw_bus *bus, uint16_t port, uint8_t *buf, size_t count)
{
	struct qtest_bus *q = to_qtest(bus);
	struct hw_qtest_command cmds[HW_QTEST_MAX_BATCH];
	struct hw_qtest_reply replies[HW_QTEST_MAX_BATCH];

	for (unsigned i = 0; i < HW_QTEST_MAX_BATCH; i++) {
		cmds[i] = (struct hw_qtest_command){.op = HW_QTEST_INB, .addr = port};
	}
	while (count) {
		unsigned n = count < HW_QTEST_MAX_BATCH ? (unsigned)count : HW_QTEST_MAX_BATCH;
		int r = run(q, cmds, n, replies);

		for (unsigned i = 0; r == 0 && i < n; i++) {
			uint64_t v;

			r = reply_value(q, &replies[i], 1, &v);
			buf[i] = (uint8_t)v;
		}
		if (r < 0) {
			return r;
		}
		buf += n;
		count -= n;
	}
	return 0;
}

static int qtest_read64_repeat(struct hw_bus *bus, uint64_t pa, uint64_t *values, size_t count)
{
	struct qtest_bus *q = to_qtest(bus);
	struct hw_qtest_command cmds[HW_QTEST_MAX_BATCH];
	struct hw_qtest_reply replies[HW_QTEST_MAX_BATCH];

	for (unsigned i = 0; i < HW_QTEST_MAX_BATCH; i++) {
		cmds[i] = (struct hw_qtest_command){.op = HW_QTEST_READQ, .addr = pa};
	}
	while (count) {
		unsigned n = count < HW_QTEST_MAX_BATCH ? (unsigned)count : HW_QTEST_MAX_BATCH;
		int r = run(q, cmds, n, replies);

		for (unsigned i = 0; r == 0 && i < n; i++) {
			r = reply_value(q, &replies[i], 8, &values[i]);
		}
		if (r < 0) {
			return r;
		}
		values += n;
		count -= n;
	}
	return 0;
}

/* Port access can reach only legacy space on segment 0; say so instead of aliasing. */
static int check_cf8(struct qtest_bus *q, struct hw_pci_bdf bdf, unsigned offset)
{
	if (bdf.segment != 0) {
		return hw_bus_fail(&q->bus, -EOPNOTSUPP,
				   "PCI segment %u: configuration ports reach segment 0 only",
				   bdf.segment);
	}
	if (offset >= HW_PCI_LEGACY_CFG_SIZE) {
		return hw_bus_fail(
			&q->bus, -EOPNOTSUPP,
			"PCI configuration offset 0x%x: ports 0xcf8/0xcfc reach the first "
			"256 bytes only; give ecam= in the spec for extended space",
			offset);
	}
	return 0;
}

static int qtest_cfg_read(struct hw_bus *bus, struct hw_pci_bdf bdf, unsigned offset, unsigned size,
			  uint32_t *ret_value)
{
	struct qtest_bus *q = to_qtest(bus);
	uint64_t v;
	int r;

	if (q->has_ecam) {
		r = qtest_read(bus, q->ecam_base + hw_pci_ecam_offset(bdf, offset), size, &v);
	} else {
		struct hw_qtest_command cmds[2] = {
			{.op = HW_QTEST_OUTL,
			 .addr = HW_PCI_CONFIG_ADDRESS_PORT,
			 .value = hw_pci_cf8_address(bdf, offset)},
			{.op = in_ops[size], .addr = HW_PCI_CONFIG_DATA_PORT + (offset & 3)},
		};
		struct hw_qtest_reply replies[2];

		r = check_cf8(q, bdf, offset);
		if (r == 0) {
			r = run(q, cmds, 2, replies);
		}
		if (r == 0) {
			r = reply_value(q, &replies[1], size, &v);
		}
	}
	if (r == 0) {
		*ret_value = (uint32_t)v;
	}
	return r;
}

static int qtest_cfg_write(struct hw_bus *bus, struct hw_pci_bdf bdf, unsigned offset,
			   unsigned size, uint32_t value)
{
	struct qtest_bus *q = to_qtest(bus);

	if (q->has_ecam) {
		return qtest_write(bus, q->ecam_base + hw_pci_ecam_offset(bdf, offset), size,
				   value);
	}
	struct hw_qtest_command cmds[2] = {
		{.op = HW_QTEST_OUTL,
		 .addr = HW_PCI_CONFIG_ADDRESS_PORT,
		 .value = hw_pci_cf8_address(bdf, offset)},
		{.op = out_ops[size],
		 .addr = HW_PCI_CONFIG_DATA_PORT + (offset & 3),
		 .value = value},
	};
	struct hw_qtest_reply replies[2];
	int r = check_cf8(q, bdf, offset);

	return r < 0 ? r : run(q, cmds, 2, replies);
}

static int qtest_mem_map(struct hw_bus *bus, uint64_t pa, size_t size, void **ret_cpu)
{
	struct qtest_bus *q = to_qtest(bus);

	if (!q->ram) {
		return hw_bus_fail(bus, -EOPNOTSUPP,
				   "qtest %s: no memory window; give mem=FILE (the guest RAM file) "
				   "in the spec",
				   q->socket_path);
	}
	if (pa < q->ram_base || pa - q->ram_base > q->ram_size ||
	    size > q->ram_size - (pa - q->ram_base)) {
		return hw_bus_fail(bus, -ERANGE,
				   "[0x%" PRIx64 ", +0x%zx) is outside guest RAM [0x%" PRIx64
				   ", +0x%zx)",
				   pa, size, q->ram_base, q->ram_size);
	}
	*ret_cpu = q->ram + (pa - q->ram_base);
	return 0;
}

static int qtest_clock_step(struct hw_bus *bus, uint64_t ns, uint64_t *ret_now_ns)
{
	struct qtest_bus *q = to_qtest(bus);
	struct hw_qtest_command cmd = {.op = HW_QTEST_CLOCK_STEP, .value = ns, .has_value = true};
	struct hw_qtest_reply reply;
	struct strbuf why = STRBUF_INIT;
	static const char unknown[] = "FAIL Unknown command";
	int r;

	if (ns > INT64_MAX) {
		return hw_bus_fail(bus, -EINVAL, "clock step of %" PRIu64 " ns is too large", ns);
	}
	r = hw_qtest_conn_exchange(q->conn, &cmd, 1, &reply, &why);
	if (r < 0) {
		r = hw_bus_fail(bus, r, "qtest %s: %s", q->socket_path, strbuf_str(&why));
		strbuf_fini(&why);
		return r;
	}
	strbuf_fini(&why);
	/* QEMU knows clock_step only under its qtest accelerator (system/qtest.c). */
	if (reply.kind == HW_QTEST_REPLY_FAIL && reply.line_len >= sizeof(unknown) - 1 &&
	    memcmp(reply.line, unknown, sizeof(unknown) - 1) == 0) {
		return hw_bus_fail(bus, -EOPNOTSUPP,
				   "qtest %s: this QEMU does not let clients step its clock (no "
				   "qtest accelerator); its virtual clock follows the host's",
				   q->socket_path);
	}
	if (reply.kind != HW_QTEST_REPLY_OK) {
		return hw_bus_fail(bus, -EIO, "qtest %s: clock_step refused: %.*s", q->socket_path,
				   (int)reply.line_len, reply.line);
	}
	return reply_value(q, &reply, 8, ret_now_ns);
}

static void qtest_destroy(struct hw_bus *bus)
{
	struct qtest_bus *q = to_qtest(bus);

	if (q->ram) {
		munmap(q->ram, q->ram_size);
	}
	hw_qtest_conn_close(q->conn);
	smmu_free(q->socket_path);
	smmu_free(q);
}

static const struct hw_bus_ops qtest_ops = {
	.name = "qtest",
	.read = qtest_read,
	.write = qtest_write,
	.read64_repeat = qtest_read64_repeat,
	.pio_read = qtest_pio_read,
	.pio_write = qtest_pio_write,
	.pio_read_bytes = qtest_pio_read_bytes,
	.pci_cfg_read = qtest_cfg_read,
	.pci_cfg_write = qtest_cfg_write,
	.mem_map = qtest_mem_map,
	.clock_step = qtest_clock_step,
	.destroy = qtest_destroy,
	.poll_interval_us = 100,
};

static int map_ram(struct qtest_bus *q, const struct hw_spec *spec, struct strbuf *why)
{
	struct stat st;
	int fd = open(spec->mem_path, O_RDWR | O_CLOEXEC);
	int r = 0;

	if (fd < 0) {
		r = -errno;
		strbuf_printf(why, "cannot open the guest RAM file %s: %s", spec->mem_path,
			      strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		strbuf_printf(why, "cannot stat %s: %s", spec->mem_path, strerror(-r));
		goto out_close;
	}
	uint64_t size = spec->has_ram_size ? spec->ram_size : (uint64_t)st.st_size;

	if (!S_ISREG(st.st_mode) || st.st_size == 0 || size > (uint64_t)st.st_size ||
	    size > SIZE_MAX) {
		r = -EINVAL;
		strbuf_printf(why, "%s is not a guest RAM file of at least %" PRIu64 " bytes",
			      spec->mem_path, size);
		goto out_close;
	}
	void *ram = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (ram == MAP_FAILED) {
		r = -errno;
		strbuf_printf(why, "cannot map %s: %s", spec->mem_path, strerror(-r));
		goto out_close;
	}
	q->ram = ram;
	q->ram_size = (size_t)size;
	q->ram_base = spec->ram_base;
out_close:
	close(fd);
	return r;
}

/**
 * hw_qtest_open() - the qtest provider for a parsed spec: connect, then map the RAM file.
 * Return: 0 and *ret_bus; the -errno of connect/open/mmap with a sentence in `why`.
 */
int hw_qtest_open(const struct hw_spec *spec, struct hw_bus **ret_bus, struct strbuf *why)
{
	struct strbuf local = STRBUF_INIT;
	struct qtest_bus *q = smmu_calloc(1, sizeof(*q));
	int r;

	if (!why) {
		why = &local;
	}
	if (!q) {
		return -ENOMEM;
	}
	hw_bus_init(&q->bus, &qtest_ops, spec);
	q->has_ecam = spec->has_ecam;
	q->ecam_base = spec->ecam_base;
	q->socket_path = smmu_strdup(spec->socket_path);
	if (!q->socket_path) {
		r = -ENOMEM;
		goto err_destroy;
	}
	r = hw_qtest_conn_open(spec->socket_path, &q->conn, why);
	if (r < 0) {
		goto err_destroy;
	}
	if (spec->mem_path) {
		r = map_ram(q, spec, why);
		if (r < 0) {
			goto err_destroy;
		}
	}
	strbuf_fini(&local);
	*ret_bus = &q->bus;
	return 0;

err_destroy:
	strbuf_fini(&local);
	hw_close(&q->bus);
	return r;
}
