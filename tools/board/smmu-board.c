/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smmu-board: a virtual board for smmuman's hardware tests.  QEMU (q35 with intel-iommu, or
 * ARM virt with SMMUv3; edu DMA devices) runs under qtest behind a multiplexer, so that the
 * service, tests and this tool can drive the same machine at once.  See board.h for the board
 * directory, and `smmu-board help` for the commands and their output.
 */
#include <stdio.h>
#include <string.h>

#include "board.h"

static const char help[] =
	"usage: smmu-board COMMAND [OPTIONS]\n"
	"\n"
	"  start [--machine q35|virt] [--edu N] [--dir DIR] [--qemu BINARY] [--smmu-stage 1|2]\n"
	"      Start a board and return once it answers: N edu devices (default 1) at 00:01.0,\n"
	"      00:02.0, ...; 256 MiB RAM in /dev/shm; no firmware, the CPU waits.\n"
	"        q35   qemu-system-x86_64, intel-iommu (SMMU_BOARD_VTD), RAM at 0, edu DMA\n"
	"              28 bits, fw_cfg at ports 0x510/0x511 (the default machine)\n"
	"        virt  qemu-system-aarch64, iommu=smmuv3 (SMMU_BOARD_SMMUV3), RAM at\n"
	"              0x40000000, PCIe ECAM at 0x4010000000, edu DMA 64 bits, fw_cfg MMIO\n"
	"              at 0x9020000.  --smmu-stage 2 runs the SMMUv3 at stage 2 where QEMU has\n"
	"              it (not QEMU 7.2): otherwise start exits 3 and starts nothing.\n"
	"      Prints SMMU_BOARD_*=VALUE lines to eval or parse; SMMU_BOARD_HW is the hw_open()\n"
	"      spec.  DIR defaults to a new $TMPDIR/smmu-board.XXXXXX, removed at stop.\n"
	"      Exit status: 0 ready, 1 failed, 2 usage, 3 QEMU lacks --smmu-stage 2.\n"
	"  stop [--dir DIR]\n"
	"      Stop QEMU and the multiplexer, remove the board's sockets, RAM file and files.\n"
	"  dma [--dir DIR] [--device BB:DD.F] (--to-device|--from-device) --iova ADDR\n"
	"      [--len N] [--offset OFF] [--pa PA] [--data HEX|--pattern BYTE]\n"
	"      [--bounce IOVA[:PA]]\n"
	"      One edu DMA transfer; prints device, bar0, direction, iova, len, dma: done, and\n"
	"      data/match when there is data to see.  Exit 1 when it did not match.\n"
	"  fwcfg [--dir DIR] NAME OUT\n"
	"      Dump fw_cfg file NAME (e.g. etc/acpi/tables) to OUT (- for stdout).\n"
	"  acpi [--dir DIR] SIGNATURE OUT\n"
	"      Extract one checked ACPI table (DMAR on q35, IORT on virt) from\n"
	"      etc/acpi/tables to OUT.\n"
	"  dtb [--dir DIR] OUT\n"
	"      Write the board's device tree (virt only) to OUT: QEMU runs once more with the\n"
	"      board's machine arguments and -machine dumpdtb=OUT.\n"
	"\n"
	"DIR defaults to $SMMU_BOARD_DIR, so after\n"
	"    set -a; eval \"$(smmu-board start)\"; set +a\n"
	"the other commands need no --dir.  $SMMU_BOARD_QEMU overrides q35's QEMU binary;\n"
	"--qemu overrides any machine's.\n";

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} commands[] = {
		{"start", board_cmd_start}, {"stop", board_cmd_stop}, {"dma", board_cmd_dma},
		{"fwcfg", board_cmd_fwcfg}, {"acpi", board_cmd_acpi}, {"dtb", board_cmd_dtb},
	};

	if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			return commands[i].run(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "smmu-board: unknown command \"%s\"\n\n%s", argv[1], help);
	return 2;
}
