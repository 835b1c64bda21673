/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smmuctl: what a running smmuman holds, and what it would let a device do.
 *
 *   smmuctl [--socket PATH] [--json] status
 *   smmuctl [--socket PATH] [--json] probe DEVICE ADDR r|w [LEN]
 *
 * probe asks the service to walk the device's live tables as the hardware
 * would, page by page over [ADDR, ADDR + LEN); exit 0 when every page is
 * allowed, 1 at the first refusal (with the reason), 2 when it cannot tell.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build-config.h"
#include "common/strbuf.h"
#include "config/cfg-device-id.h"
#include "config/cfg-number.h"
#include "core/backend.h"
#include "ctl-client.h"

#define EXIT_REFUSED 1
#define EXIT_TROUBLE 2
#define CTL_PAGE_SIZE 4096u

static void usage(FILE *out)
{
	fprintf(out, "usage: smmuctl [--socket PATH] [--json] status\n"
		     "       smmuctl [--socket PATH] [--json] probe DEVICE ADDR r|w [LEN]\n"
		     "\n"
		     "DEVICE is pci:BUS:DEV.FUNC or mem:PADDR; ADDR is hexadecimal, LEN a size\n"
		     "(4K, 0x1000, 0d4096).  See smmuctl(8).\n");
}

static const char *refusal_text(unsigned refusal)
{
	switch (refusal) {
	case SMMU_REFUSAL_NONE:
		return "allowed";
	case SMMU_REFUSAL_BLOCKED:
		return "the device is blocked";
	case SMMU_REFUSAL_NOT_MAPPED:
		return "no mapping";
	case SMMU_REFUSAL_READ_ONLY:
		return "read-only mapping";
	case SMMU_REFUSAL_WRITE_ONLY:
		return "write-only mapping";
	default:
		return "refused";
	}
}

/* A short stable word for scripts. */
static const char *refusal_word(unsigned refusal)
{
	static const char *const words[] = {"none", "blocked", "not-mapped", "read-only",
					    "write-only"};

	return refusal < sizeof(words) / sizeof(words[0]) ? words[refusal] : "unknown";
}

static int cmd_status(struct ctl_client *client, bool json)
{
	struct strbuf out = STRBUF_INIT;
	int r = ctl_status(client, json, &out);

	if (r < 0) {
		fprintf(stderr, "smmuctl: status: %s\n", strerror(-r));
		strbuf_fini(&out);
		return EXIT_TROUBLE;
	}
	fputs(strbuf_str(&out), stdout);
	strbuf_fini(&out);
	return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_TROUBLE;
}

static int parse_number(const char *text, enum cfg_number_kind kind, const char *what,
			uint64_t *ret)
{
	struct cfg_number_error error;

	if (cfg_number_parse(text, strlen(text), kind, ret, &error) < 0) {
		fprintf(stderr, "smmuctl: bad %s '%s': %s\n", what, text, error.message);
		return -EINVAL;
	}
	return 0;
}

static int parse_device(const char *text, union smmu_devid *ret)
{
	struct cfg_diags diags = {0};
	struct cfg_device_id id;
	const char *why = NULL;
	int r = cfg_device_id_parse(text, &id, &diags);

	if (r < 0) {
		fprintf(stderr, "smmuctl: bad device '%s': %s\n", text,
			diags.count ? diags.items[0].message : strerror(-r));
	} else if ((r = cfg_device_id_to_devid(&id, ret, &why)) < 0) {
		fprintf(stderr, "smmuctl: device '%s': %s\n", text, why);
	}
	cfg_diags_fini(&diags);
	return r;
}

static int cmd_probe(struct ctl_client *client, bool json, int argc, char **argv)
{
	const char *device_text = argv[0];
	union smmu_devid devid;
	uint64_t address, length = 1, pa = 0, at;
	unsigned access, refusal = SMMU_REFUSAL_NONE;
	int r;

	if (argc < 3 || argc > 4 || parse_device(device_text, &devid) < 0 ||
	    parse_number(argv[1], CFG_NUMBER_ADDRESS, "address", &address) < 0 ||
	    (argc == 4 && parse_number(argv[3], CFG_NUMBER_SIZE, "length", &length) < 0)) {
		if (argc < 3 || argc > 4) {
			usage(stderr);
		}
		return EXIT_TROUBLE;
	}
	if (strcmp(argv[2], "r") == 0) {
		access = SMMU_ACCESS_READ;
	} else if (strcmp(argv[2], "w") == 0) {
		access = SMMU_ACCESS_WRITE;
	} else {
		fprintf(stderr, "smmuctl: access must be r (the device reads) or w (it writes)\n");
		return EXIT_TROUBLE;
	}
	if (length == 0 || address + (length - 1) < address) {
		fprintf(stderr, "smmuctl: the range is empty or wraps around\n");
		return EXIT_TROUBLE;
	}
	/* One probe per page the access touches: the first and the last
	 * address, and the start of every page between. */
	for (at = address;; at = (at | (CTL_PAGE_SIZE - 1)) + 1) {
		uint64_t page_pa;

		r = ctl_probe(client, &devid, at, access, &page_pa, &refusal);
		if (r < 0) {
			fprintf(stderr, "smmuctl: probe: %s\n",
				r == -ENOENT  ? "no unit controls that device"
				: r == -EPERM ? "probing needs the attach ability"
					      : strerror(-r));
			return EXIT_TROUBLE;
		}
		if (at == address) {
			pa = page_pa;
		}
		if (refusal != SMMU_REFUSAL_NONE ||
		    (at | (CTL_PAGE_SIZE - 1)) >= address + (length - 1)) {
			break;
		}
	}
	if (json) {
		printf("{\"device\":\"%s\",\"address\":%" PRIu64 ",\"length\":%" PRIu64
		       ",\"access\":\"%s\",\"allowed\":%s",
		       device_text, address, length, access == SMMU_ACCESS_READ ? "read" : "write",
		       refusal == SMMU_REFUSAL_NONE ? "true" : "false");
		if (refusal == SMMU_REFUSAL_NONE) {
			printf(",\"pa\":%" PRIu64 "}\n", pa);
		} else {
			printf(",\"refused_at\":%" PRIu64 ",\"reason\":\"%s\"}\n", at,
			       refusal_word(refusal));
		}
	} else if (refusal == SMMU_REFUSAL_NONE) {
		printf("allowed: %s %s 0x%" PRIx64 " (%" PRIu64 " bytes) -> 0x%" PRIx64 "\n",
		       device_text, access == SMMU_ACCESS_READ ? "read" : "write", address, length,
		       pa);
	} else {
		printf("refused: %s %s at 0x%" PRIx64 ": %s\n", device_text,
		       access == SMMU_ACCESS_READ ? "read" : "write", at, refusal_text(refusal));
	}
	if (fflush(stdout) != 0) {
		return EXIT_TROUBLE;
	}
	return refusal == SMMU_REFUSAL_NONE ? EXIT_SUCCESS : EXIT_REFUSED;
}

int main(int argc, char **argv)
{
	enum { OPT_SOCKET = 256, OPT_JSON };
	static const struct option options[] = {
		{"socket", required_argument, NULL, OPT_SOCKET},
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *socket_path = getenv("SMMUMAN_SOCKET");
	struct ctl_client client;
	bool json = false;
	int c, r, status;

	while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		switch (c) {
		case OPT_SOCKET:
			socket_path = optarg;
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_TROUBLE;
		}
	}
	if (optind >= argc ||
	    (strcmp(argv[optind], "status") != 0 && strcmp(argv[optind], "probe") != 0)) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if (!socket_path || !*socket_path) {
		socket_path = SMMUMAN_DEFAULT_SOCKET;
	}
	r = ctl_connect(&client, socket_path);
	if (r < 0) {
		fprintf(stderr, "smmuctl: cannot reach smmuman at %s: %s\n", socket_path,
			strerror(-r));
		return EXIT_TROUBLE;
	}
	if (strcmp(argv[optind], "status") == 0) {
		status = optind + 1 == argc ? cmd_status(&client, json)
					    : (usage(stderr), EXIT_TROUBLE);
	} else {
		status = cmd_probe(&client, json, argc - optind - 1, argv + optind + 1);
	}
	ctl_close(&client);
	return status;
}
