/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `smmu-board dma`: one edu DMA transfer, and whether the data arrived.
 *
 * The edu's buffer has no CPU path (BAR0 decodes only registers), so data is observed in
 * RAM, through the board's RAM file:
 *   --to-device    the device reads [IOVA, +LEN) into its buffer.  --data/--pattern first
 *                  writes those bytes into RAM at PA (the source).  To see what arrived,
 *                  --bounce IOVA2[:PA2] has the device write its buffer back out to IOVA2,
 *                  and the bytes found at PA2 are printed and compared.
 *   --from-device  the device writes its buffer to [IOVA, +LEN).  --data/--pattern first
 *                  loads those bytes into the buffer (from RAM at the bounce page, so
 *                  --bounce is required then) and fills the target in RAM with their
 *                  complement, so that a match proves the device wrote it.  The bytes at PA
 *                  afterwards are printed and compared.
 * PA defaults to IOVA (translation off, or an identity mapping), PA2 to IOVA2.  The bounce
 * page must be reachable by the device (the IOMMU must allow it).
 *
 * Output, one "key: value" per line: device, bar0, direction, iova, len, dma (done), then
 * data (hex) and match (yes/no) when there is something to show.  Exit status 0, or 1 when
 * the data did not match or something failed, 2 for a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "common/alloc.h"
#include "common/strbuf.h"
#include "edu-regs.h"
#include "hw/hw-spec.h"

struct dma_opts {
	const char *dir;
	struct hw_pci_bdf bdf;
	const char *device_text;
	int direction; /* 1 to-device, 2 from-device */
	bool has_iova;
	uint64_t iova;
	uint64_t pa;
	bool has_pa;
	uint64_t len;
	uint64_t offset;
	uint8_t *data; /* expected bytes, or NULL */
	size_t data_len;
	bool has_pattern;
	uint8_t pattern;
	bool has_bounce;
	uint64_t bounce_iova;
	uint64_t bounce_pa;
};

static int usage(void)
{
	fprintf(stderr,
		"usage: smmu-board dma [--dir DIR] [--device BB:DD.F] (--to-device|--from-device)\n"
		"                      --iova ADDR [--len N] [--offset OFF] [--pa PA]\n"
		"                      [--data HEX|--pattern BYTE] [--bounce IOVA[:PA]]\n"
		"  LEN + OFF must stay below 4096 (the edu buffer; 2048 or less is advised)\n");
	return 2;
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

/* "0011aabb" (an optional 0x in front): the bytes of a transfer, at most a buffer's worth. */
static int parse_hex_bytes(const char *text, uint8_t **ret, size_t *ret_len)
{
	size_t n = strlen(text);

	if (n >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		text += 2;
		n -= 2;
	}
	if (n == 0 || n % 2 || n / 2 >= EDU_DMA_BUFFER_SIZE) {
		return -EINVAL;
	}
	uint8_t *bytes = smmu_malloc(n / 2);

	if (!bytes) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_nibble(text[2 * i]);
		int lo = hex_nibble(text[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			smmu_free(bytes);
			return -EINVAL;
		}
		bytes[i] = (uint8_t)(hi << 4 | lo);
	}
	*ret = bytes;
	*ret_len = n / 2;
	return 0;
}

static int parse_bounce(const char *text, struct dma_opts *o)
{
	char iova[32];
	const char *colon = strchr(text, ':');
	size_t n = colon ? (size_t)(colon - text) : strlen(text);

	if (n >= sizeof(iova)) {
		return -EINVAL;
	}
	memcpy(iova, text, n);
	iova[n] = '\0';
	if (hw_parse_u64(iova, &o->bounce_iova) < 0) {
		return -EINVAL;
	}
	o->bounce_pa = o->bounce_iova;
	o->has_bounce = true;
	return colon ? hw_parse_u64(colon + 1, &o->bounce_pa) : 0;
}

static int parse_opts(int argc, char **argv, struct dma_opts *o)
{
	static const struct option longopts[] = {
		{"dir", required_argument, NULL, 'd'},	  {"device", required_argument, NULL, 'v'},
		{"to-device", no_argument, NULL, 't'},	  {"from-device", no_argument, NULL, 'f'},
		{"iova", required_argument, NULL, 'i'},	  {"len", required_argument, NULL, 'l'},
		{"offset", required_argument, NULL, 'o'}, {"pa", required_argument, NULL, 'p'},
		{"data", required_argument, NULL, 'D'},	  {"pattern", required_argument, NULL, 'P'},
		{"bounce", required_argument, NULL, 'b'}, {0},
	};
	uint64_t n = 0;
	int c;

	*o = (struct dma_opts){.dir = getenv("SMMU_BOARD_DIR"), .device_text = "00:01.0"};
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		int r = 0;

		switch (c) {
		case 'd':
			o->dir = optarg;
			break;
		case 'v':
			o->device_text = optarg;
			break;
		case 't':
		case 'f':
			r = o->direction ? -EINVAL : 0;
			o->direction = c == 't' ? 1 : 2;
			break;
		case 'i':
			o->has_iova = true;
			r = hw_parse_u64(optarg, &o->iova);
			break;
		case 'l':
			r = hw_parse_u64(optarg, &o->len);
			break;
		case 'o':
			r = hw_parse_u64(optarg, &o->offset);
			break;
		case 'p':
			o->has_pa = true;
			r = hw_parse_u64(optarg, &o->pa);
			break;
		case 'D':
			r = o->data || o->has_pattern
				    ? -EINVAL
				    : parse_hex_bytes(optarg, &o->data, &o->data_len);
			break;
		case 'P':
			r = o->data || o->has_pattern || hw_parse_u64(optarg, &n) < 0 || n > 0xff
				    ? -EINVAL
				    : 0;
			o->has_pattern = true;
			o->pattern = (uint8_t)n;
			break;
		case 'b':
			r = parse_bounce(optarg, o);
			break;
		default:
			r = -EINVAL;
			break;
		}
		if (r < 0) {
			fprintf(stderr, "smmu-board dma: bad or repeated option %s\n",
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind != argc || !o->dir || !o->direction || !o->has_iova) {
		return -EINVAL;
	}
	if (hw_pci_bdf_parse(o->device_text, &o->bdf) < 0) {
		fprintf(stderr, "smmu-board dma: --device %s: expected BB:DD.F, e.g. 00:01.0\n",
			o->device_text);
		return -EINVAL;
	}
	if (o->data) {
		if (o->len && o->len != o->data_len) {
			fprintf(stderr,
				"smmu-board dma: --len %" PRIu64 " but --data has %zu bytes\n",
				o->len, o->data_len);
			return -EINVAL;
		}
		o->len = o->data_len;
	}
	if (!o->has_pa) {
		o->pa = o->iova;
	}
	return 0;
}

/*
 * The device's limits, checked here so that a typo cannot abort QEMU (edu-regs.h).  The DMA
 * mask is the machine's: QEMU would clamp (not refuse) an address above it.
 */
static int check_limits(const struct dma_opts *o, const struct board_machine *m)
{
	unsigned bits = m->edu_dma_mask_bits;
	uint64_t mask_last = bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;

	if (o->len == 0 || o->offset >= EDU_DMA_BUFFER_SIZE ||
	    o->len >= EDU_DMA_BUFFER_SIZE - o->offset) {
		fprintf(stderr,
			"smmu-board dma: offset %" PRIu64 " + length %" PRIu64
			" must end before %u (the edu buffer), and the length must not be 0\n",
			o->offset, o->len, EDU_DMA_BUFFER_SIZE);
		return -EINVAL;
	}
	if (o->iova > mask_last || o->len - 1 > mask_last - o->iova ||
	    (o->has_bounce &&
	     (o->bounce_iova > mask_last || o->len - 1 > mask_last - o->bounce_iova))) {
		fprintf(stderr,
			"smmu-board dma: the edu's DMA addresses are %u bits on %s (QEMU would "
			"clamp higher ones); keep IOVA + LEN - 1 at or below 0x%" PRIx64 "\n",
			bits, m->name, mask_last);
		return -EINVAL;
	}
	if (o->direction == 2 && (o->data || o->has_pattern) && !o->has_bounce) {
		fprintf(stderr,
			"smmu-board dma: --from-device with --data/--pattern needs --bounce: "
			"the buffer is filled by DMA from that page\n");
		return -EINVAL;
	}
	return 0;
}

static void print_hex(const char *key, const uint8_t *bytes, size_t len)
{
	printf("%s: ", key);
	for (size_t i = 0; i < len; i++) {
		printf("%02x", bytes[i]);
	}
	putchar('\n');
}

/* A CPU pointer to guest RAM [pa, +len), or NULL with a message. */
static uint8_t *ram(struct hw_bus *bus, uint64_t pa, uint64_t len)
{
	void *cpu;

	if (hw_mem_map(bus, pa, (size_t)len, &cpu) < 0) {
		fprintf(stderr, "smmu-board dma: %s\n", hw_bus_error(bus));
		return NULL;
	}
	return cpu;
}

static int run(struct hw_bus *bus, const struct board_machine *m, const struct dma_opts *o,
	       const uint8_t *expect)
{
	struct strbuf why = STRBUF_INIT;
	uint64_t buffer = EDU_DMA_BUFFER + o->offset;
	uint64_t bar;
	uint8_t *target = ram(bus, o->pa, o->len);
	uint8_t *bounce = o->has_bounce ? ram(bus, o->bounce_pa, o->len) : NULL;
	int r = 0;

	if (!target || (o->has_bounce && !bounce)) {
		return -EINVAL;
	}
	r = board_edu_prepare(bus, m, o->bdf, &bar, &why);
	if (r < 0) {
		goto out;
	}
	printf("device: %02x:%02x.%x\nbar0: 0x%" PRIx64 "\ndirection: %s\niova: 0x%" PRIx64
	       "\nlen: %" PRIu64 "\n",
	       o->bdf.bus, o->bdf.device, o->bdf.function, bar,
	       o->direction == 1 ? "to-device" : "from-device", o->iova, o->len);
	if (o->direction == 1) {
		if (expect) {
			memcpy(target, expect, o->len);
		}
		r = board_edu_transfer(bus, bar, o->iova, buffer, o->len, false, &why);
		if (r < 0) {
			goto out;
		}
		printf("dma: done\n");
		if (!bounce) {
			goto out;
		}
		/* Read the buffer back out; poison first so stale bytes cannot pass. */
		for (uint64_t i = 0; i < o->len; i++) {
			bounce[i] = expect ? (uint8_t)~expect[i] : 0xa5;
		}
		r = board_edu_transfer(bus, bar, buffer, o->bounce_iova, o->len, true, &why);
		if (r < 0) {
			goto out;
		}
		print_hex("data", bounce, o->len);
		if (expect) {
			bool match = memcmp(bounce, expect, o->len) == 0;

			printf("match: %s\n", match ? "yes" : "no");
			r = match ? 0 : 1;
		}
		goto out;
	}
	if (expect) {
		memcpy(bounce, expect, o->len);
		r = board_edu_transfer(bus, bar, o->bounce_iova, buffer, o->len, false, &why);
		if (r < 0) {
			goto out;
		}
		for (uint64_t i = 0; i < o->len; i++) {
			target[i] = (uint8_t)~expect[i];
		}
	}
	r = board_edu_transfer(bus, bar, buffer, o->iova, o->len, true, &why);
	if (r < 0) {
		goto out;
	}
	printf("dma: done\n");
	print_hex("data", target, o->len);
	if (expect) {
		bool match = memcmp(target, expect, o->len) == 0;

		printf("match: %s\n", match ? "yes" : "no");
		r = match ? 0 : 1;
	}
out:
	if (r < 0) {
		fflush(stdout);
		fprintf(stderr, "smmu-board dma: %s\n", strbuf_str(&why));
	}
	strbuf_fini(&why);
	return r;
}

/**
 * board_cmd_dma() - `smmu-board dma ...` (options in the file comment).
 * Return: exit status: 0 done (and matched), 1 mismatch or failure, 2 usage.
 */
int board_cmd_dma(int argc, char **argv)
{
	struct dma_opts o;
	struct hw_bus *bus = NULL;
	struct board_env env = {0};
	const struct board_machine *m;
	struct strbuf why = STRBUF_INIT;
	uint8_t *expect = NULL;
	int status = 1;

	if (parse_opts(argc, argv, &o) < 0) {
		smmu_free(o.data);
		return usage();
	}
	if (board_open_bus(o.dir, &bus, &env, &why) < 0) {
		fprintf(stderr, "smmu-board dma: %s\n", strbuf_str(&why));
		goto out;
	}
	m = board_machine_find(env.machine);
	if (!m) {
		fprintf(stderr, "smmu-board dma: the board in %s is an unknown machine \"%s\"\n",
			o.dir, env.machine ? env.machine : "");
		goto out;
	}
	if (check_limits(&o, m) < 0) {
		status = 2;
		goto out;
	}
	if (o.data) {
		expect = o.data;
	} else if (o.has_pattern) {
		expect = smmu_malloc(o.len);
		if (!expect) {
			goto out;
		}
		memset(expect, o.pattern, o.len);
	}
	status = run(bus, m, &o, expect) == 0 ? 0 : 1;
out:
	hw_close(bus);
	board_env_fini(&env);
	if (expect != o.data) {
		smmu_free(expect);
	}
	smmu_free(o.data);
	strbuf_fini(&why);
	return status;
}
