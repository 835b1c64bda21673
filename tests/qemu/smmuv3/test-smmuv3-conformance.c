/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The conformance suite (conformance.h) on SMMUv3: QEMU virt with iommu=smmuv3 and two edu
 * devices (00:01.0 StreamID 8, 00:02.0 StreamID 16: the requester id), the service with
 * smmu-smmuv3.so on unit smmu0 at 0x09050000.  Run as
 *
 *   stage1  units and StreamIDs given by hand, stage 1;
 *   stage2  the same with the board started with --smmu-stage 2 and `smmu smmuv3 stage=2`
 *           (skipped case by case where QEMU has no stage 2, as 7.2);
 *   iort    the unit and the edus' StreamIDs discovered from the board's own ACPI IORT
 *           (`smmu-board acpi IORT`, --iort), as on an ACPI machine;
 *   fdt     the same from the board's device tree (`smmu-board dtb`, --fdt), as on a
 *           device-tree machine.
 *
 * The discovered variants name the edus with bare `device` lines: the firmware lists no PCI
 * devices, it maps requester IDs to StreamIDs, so the configuration says which devices the
 * service manages and discovery adds their `use` lines.  A StreamID that discovery gets
 * wrong leaves the edu's real StreamID without a stream table entry: its allowed DMA does
 * not arrive and its faults name no device the service knows, so the cases fail.
 */
#include <stdio.h>
#include <string.h>

#include "backends/smmuv3/smmuv3-regs.h"
#include "conformance.h"

#ifndef SMMUV3_MODULE_DIR
#error "SMMUV3_MODULE_DIR must name the folder of smmu-smmuv3.so"
#endif

/* The StreamIDs of the board's edu devices: QEMU's virt uses the PCI requester id. */
static const unsigned edu_sid[CONF_DEVICE_COUNT] = {0x08, 0x10};

/* What the hardware must have written for a refused DMA (IHI 0070 7.3): the event's first
 * 64 bits with the device's StreamID and the event QEMU's model uses.  A blocked device
 * points at the blocking domain, whose empty table gives F_TRANSLATION like an unmapped
 * address; a write to a read-only page is F_PERMISSION. */
static const char *smmuv3_check_raw(const struct conf_platform *platform, uint64_t raw,
				    unsigned device, bool write, enum conf_why why)
{
	static char text[160];
	unsigned id = (unsigned)FIELD_GET(EVT_0_ID, raw);
	unsigned sid = (unsigned)FIELD_GET(EVT_0_SID, raw);
	unsigned want = 0;

	(void)platform;
	(void)write;
	if (sid != edu_sid[device]) {
		snprintf(text, sizeof(text), "StreamID 0x%x, expected 0x%x", sid, edu_sid[device]);
		return text;
	}
	switch (why) {
	case CONF_WHY_BLOCKED:
	case CONF_WHY_NOT_MAPPED:
		want = EVT_F_TRANSLATION;
		break;
	case CONF_WHY_READ_ONLY:
		want = EVT_F_PERMISSION;
		break;
	case CONF_WHY_ANY:
		return NULL;
	}
	if (id != want) {
		snprintf(text, sizeof(text), "event 0x%02x, expected 0x%02x", id, want);
		return text;
	}
	return NULL;
}

/* The service's words with units and StreamIDs by hand, at a translation stage. */
#define SMMUV3_BY_HAND(stage_words)                                  \
	"debug 2 smmu smmuv3 " stage_words " unit smmu0 0x09050000 " \
	"device pci:0:1.0 use smmu0 8 "                              \
	"device pci:0:2.0 use smmu0 16"
/* No unit and no `use`: both come from the firmware, which must describe an SMMUv3. */
#define SMMUV3_DISCOVERED "debug 2 smmu smmuv3 require device pci:0:1.0 device pci:0:2.0"

/* A variant: its name, the service's words, and the board's arguments after the edus. */
#define SMMUV3_PLATFORM(platform_name, service_words, ...)                                       \
	{                                                                                        \
		.name = platform_name, .qemu = "qemu-system-aarch64",                            \
		.board_args = {"--machine", "virt", "--edu", "2", __VA_ARGS__ NULL},             \
		.board_lacks_status = 3, .service_config = service_words,                        \
		.module_dir = SMMUV3_MODULE_DIR,                                                 \
		.devid = {{.pci = {SDT_PCI, 0, 1, 0}}, {.pci = {SDT_PCI, 0, 2, 0}}},             \
		.config_name = {"pci:0:1.0", "pci:0:2.0"}, .board_name = {"00:01.0", "00:02.0"}, \
		.ram_start = 0x44000000, .fault_addr_granule = 1, .fault_piece_size = 4,         \
		.superpage_size = 2u << 20, .check_raw = smmuv3_check_raw,                       \
	}

/* RAM for DMA buffers: 64 MiB at 1 GiB + 64 MiB (RAM starts at 1 GiB on virt; the board's
 * tables are at 0x4c000000).  QEMU 7.2 runs stage 1; stage 2 needs a QEMU whose arm-smmuv3
 * has the `stage` property, and every case is skipped otherwise (smmu-board start exits
 * 3). */
static const struct conf_platform smmuv3_stage1 =
	SMMUV3_PLATFORM("smmuv3, stage 1, units by hand", SMMUV3_BY_HAND("stage=1"), );
static const struct conf_platform smmuv3_stage2 = SMMUV3_PLATFORM(
	"smmuv3, stage 2, units by hand", SMMUV3_BY_HAND("stage=2"), "--smmu-stage", "2", );
/* The firmware fields are set in main(), as the macro's initializers cannot be repeated. */
static struct conf_platform smmuv3_iort =
	SMMUV3_PLATFORM("smmuv3, units from the IORT", SMMUV3_DISCOVERED, );
static struct conf_platform smmuv3_fdt =
	SMMUV3_PLATFORM("smmuv3, units from the device tree", SMMUV3_DISCOVERED, );

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "stage1") == 0) {
		return conformance_run(&smmuv3_stage1);
	}
	if (argc == 2 && strcmp(argv[1], "stage2") == 0) {
		return conformance_run(&smmuv3_stage2);
	}
	if (argc == 2 && strcmp(argv[1], "iort") == 0) {
		smmuv3_iort.firmware_table = "IORT";
		smmuv3_iort.firmware_option = "--iort";
		return conformance_run(&smmuv3_iort);
	}
	if (argc == 2 && strcmp(argv[1], "fdt") == 0) {
		smmuv3_fdt.firmware_dtb = true;
		smmuv3_fdt.firmware_option = "--fdt";
		return conformance_run(&smmuv3_fdt);
	}
	fprintf(stderr, "usage: test-smmuv3-conformance stage1|stage2|iort|fdt\n");
	return 2;
}
