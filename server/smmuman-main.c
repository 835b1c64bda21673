/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smmuman: the service's entry point.  Separates the service's own flags
 * (--check, --dump-config, -f, --socket, --libdir, --syspage, --dmar, --iort,
 * --fdt) from the configuration words, reads the configuration, adds what
 * the firmware says (board discovery), and either reports on it (--check,
 * --dump-config) or starts the service.
 *
 * A configuration error exits non-zero before anything touches hardware.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build-config.h"
#include "common/alloc.h"
#include "common/strbuf.h"
#include "config/cfg-discover.h"
#include "config/config.h"
#include "server/srv-service.h"

/* smmuman-safety is this file built with SMMUMAN_SAFETY_VARIANT=1. */
#ifndef SMMUMAN_SAFETY_VARIANT
#define SMMUMAN_SAFETY_VARIANT 0
#endif

enum mode {
	MODE_SERVE,
	MODE_CHECK,
	MODE_DUMP,
};

struct cli {
	enum mode mode;
	bool foreground;
	const char *socket_path;
	const char *libdir;
	struct cfg_parse_options parse;
	struct cfg_discover_options discover;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: smmuman [FLAGS] [CONFIGURATION...]\n"
		"\n"
		"CONFIGURATION is .smmu text: options such as 'smmu vtd' and @FILE to read a\n"
		"file.  See smmuman(8) and smmuman.smmu(5).\n"
		"\n"
		"  --check          read the configuration, report errors, exit 0 or 1\n"
		"  --dump-config    print the effective configuration in canonical form\n"
		"  -f, --foreground stay in the foreground (same as the 'foreground' option)\n"
		"  --socket PATH    listen on PATH (default %s)\n"
		"  --libdir DIR     load support libraries from DIR (default %s)\n"
		"  --syspage FILE   asinfo entries for $asinfo_start{} and $asinfo_length{}\n"
		"                   (default: $SMMUMAN_SYSPAGE)\n"
		"  --dmar FILE      read the ACPI DMAR table from FILE, not from\n"
		"                   " CFG_DMAR_MACHINE_PATH "\n"
		"  --iort FILE      read the ACPI IORT table from FILE, not from\n"
		"                   " CFG_IORT_MACHINE_PATH "\n"
		"  --fdt FILE       read the device tree from FILE, not from\n"
		"                   " CFG_FDT_MACHINE_PATH "\n"
		"  -h, --help       this text\n"
		"  -V, --version    print the version\n",
		SMMUMAN_DEFAULT_SOCKET, SMMUMAN_DEFAULT_LIBDIR);
}

/* Returns the index of the first configuration word, or -1 to exit 0 (help,
 * version), or -2 on a usage error. */
static int parse_flags(int argc, char **argv, struct cli *cli)
{
	enum {
		OPT_CHECK = 256,
		OPT_DUMP,
		OPT_SOCKET,
		OPT_LIBDIR,
		OPT_SYSPAGE,
		OPT_DMAR,
		OPT_IORT,
		OPT_FDT
	};
	static const struct option long_options[] = {
		{"check", no_argument, NULL, OPT_CHECK},
		{"dump-config", no_argument, NULL, OPT_DUMP},
		{"foreground", no_argument, NULL, 'f'},
		{"socket", required_argument, NULL, OPT_SOCKET},
		{"libdir", required_argument, NULL, OPT_LIBDIR},
		{"syspage", required_argument, NULL, OPT_SYSPAGE},
		{"dmar", required_argument, NULL, OPT_DMAR},
		{"iort", required_argument, NULL, OPT_IORT},
		{"fdt", required_argument, NULL, OPT_FDT},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "fhV", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_CHECK:
			cli->mode = MODE_CHECK;
			break;
		case OPT_DUMP:
			cli->mode = MODE_DUMP;
			break;
		case 'f':
			cli->foreground = true;
			break;
		case OPT_SOCKET:
			cli->socket_path = optarg;
			break;
		case OPT_LIBDIR:
			cli->libdir = optarg;
			break;
		case OPT_SYSPAGE:
			cli->parse.syspage_path = optarg;
			break;
		case OPT_DMAR:
			cli->discover.dmar_path = optarg;
			break;
		case OPT_IORT:
			cli->discover.iort_path = optarg;
			break;
		case OPT_FDT:
			cli->discover.fdt_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return -1;
		case 'V':
			printf("smmuman %s\n", SMMUMAN_VERSION);
			return -1;
		default:
			usage(stderr);
			return -2;
		}
	}
	return optind;
}

static void print_diags(const struct cfg_diags *diags)
{
	struct strbuf out = STRBUF_INIT;

	for (size_t i = 0; i < diags->count; i++) {
		cfg_diag_format(&diags->items[i], &out);
	}
	if (diags->oom) {
		strbuf_puts(&out, "smmuman: out of memory while reporting errors\n");
	}
	fputs(strbuf_str(&out), stderr);
	strbuf_fini(&out);
}

/* Flags on the command line override the same options in the files. */
static int apply_flags(const struct cli *cli, struct cfg_config *cfg)
{
	char *copy;

	if (cli->foreground) {
		cfg->foreground = true;
	}
	if (cli->socket_path) {
		copy = smmu_strdup(cli->socket_path);
		if (!copy) {
			return -ENOMEM;
		}
		smmu_free(cfg->socket_path);
		cfg->socket_path = copy;
	}
	if (cli->libdir) {
		copy = smmu_strdup(cli->libdir);
		if (!copy) {
			return -ENOMEM;
		}
		smmu_free(cfg->libdir);
		cfg->libdir = copy;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cli cli = {.mode = MODE_SERVE};
	struct cfg_config cfg = {0};
	struct cfg_diags diags = {0};
	struct cfg_discover_report board = {0};
	struct strbuf dump = STRBUF_INIT;
	int first, r, status = EXIT_FAILURE;

	first = parse_flags(argc, argv, &cli);
	if (first < 0) {
		return first == -1 ? EXIT_SUCCESS : 2;
	}
	r = cfg_parse_args(&cfg, argc - first, argv + first, &cli.parse, &diags);
	if (r == 0) {
		/* Only the service drives hardware: --check and --dump-config
		 * may look at a configuration meant for another machine. */
		cli.discover.inspect = cli.mode != MODE_SERVE;
		r = cfg_discover(&cfg, &cli.discover, &board, &diags);
	}
	print_diags(&diags);
	if (r == 0) {
		r = apply_flags(&cli, &cfg);
	}
	if (r == -ENOMEM) {
		fprintf(stderr, "smmuman: out of memory reading the configuration\n");
	}
	if (r < 0) {
		goto out;
	}
	switch (cli.mode) {
	case MODE_CHECK:
		status = EXIT_SUCCESS;
		break;
	case MODE_DUMP:
		cfg_discover_report_dump(&board, &dump);
		cfg_dump(&cfg, &dump);
		if (dump.oom) {
			fprintf(stderr, "smmuman: out of memory printing the configuration\n");
			break;
		}
		fputs(strbuf_str(&dump), stdout);
		status = fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
		break;
	case MODE_SERVE: {
		struct srv_service_options options = {
			.safety_variant = SMMUMAN_SAFETY_VARIANT,
			.socket_path = cfg.socket_path ? cfg.socket_path : SMMUMAN_DEFAULT_SOCKET,
			.libdir = cfg.libdir ? cfg.libdir : SMMUMAN_DEFAULT_LIBDIR,
		};

		status = srv_service_run(&cfg, &options);
		break;
	}
	}
out:
	strbuf_fini(&dump);
	cfg_discover_report_fini(&board);
	cfg_diags_fini(&diags);
	cfg_config_fini(&cfg);
	return status;
}
