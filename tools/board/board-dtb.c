/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `smmu-board dtb`: the running board's device tree, for device-tree discovery.  QEMU
 * builds the tree while it builds the machine, so the tool runs the board's QEMU once more
 * with the same machine arguments (machine, CPU, IOMMU stage, edu devices) and
 * `-machine dumpdtb=OUT`, which writes the tree and exits.  That QEMU has its own plain RAM
 * and no qtest: the running board is not touched.  Only machines that have a device tree
 * (virt) can; q35 is described by ACPI alone and QEMU refuses dumpdtb there.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "common/strbuf.h"

/**
 * board_cmd_dtb() - `smmu-board dtb [--dir DIR] OUT`: write the board's flattened device
 * tree to OUT; prints "dtb: OUT" on success.
 * Return: exit status (0 written, 1 failed, 2 usage).
 */
int board_cmd_dtb(int argc, char **argv)
{
	static const struct option longopts[] = {{"dir", required_argument, NULL, 'd'}, {0}};
	const char *dir = getenv("SMMU_BOARD_DIR");
	struct board_env env;
	struct strbuf why = STRBUF_INIT, output = STRBUF_INIT;
	int status = 1;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c != 'd') {
			fprintf(stderr, "usage: smmu-board dtb [--dir DIR] OUT\n");
			return 2;
		}
		dir = optarg;
	}
	if (!dir || argc - optind != 1 || !argv[optind][0]) {
		fprintf(stderr, "usage: smmu-board dtb [--dir DIR] OUT (or set SMMU_BOARD_DIR)\n");
		return 2;
	}
	const char *out = argv[optind];

	/* dumpdtb is a -machine option: its value cannot hold QEMU's separator. */
	if (strchr(out, ',')) {
		fprintf(stderr, "smmu-board dtb: %s: QEMU cannot take a path with ','\n", out);
		return 2;
	}
	if (board_env_read(dir, &env, &why) < 0) {
		fprintf(stderr, "smmu-board dtb: %s\n", strbuf_str(&why));
		strbuf_fini(&why);
		return 1;
	}
	const struct board_machine *m = board_machine_find(env.machine);

	if (!m || !env.qemu_binary) {
		fprintf(stderr,
			"smmu-board dtb: the board in %s does not say its machine and QEMU "
			"(started by an older smmu-board?)\n",
			dir);
		goto out;
	}
	if (!m->has_device_tree) {
		fprintf(stderr,
			"smmu-board dtb: machine %s has no device tree (ACPI describes it: use "
			"smmu-board acpi)\n",
			m->name);
		goto out;
	}
	struct board_qemu_cfg cfg = {
		.machine = m,
		.qemu = env.qemu_binary,
		.dir = env.dir,
		.edu_count = env.edu_count,
		.smmu_stage = env.smmu_stage,
		.dumpdtb_path = out,
	};

	if (board_qemu_run_once(&cfg, &output, &why) < 0) {
		fprintf(stderr, "smmu-board dtb: %s\n", strbuf_str(&why));
		goto out;
	}
	printf("dtb: %s\n", out);
	status = 0;
out:
	board_env_fini(&env);
	strbuf_fini(&output);
	strbuf_fini(&why);
	return status;
}
