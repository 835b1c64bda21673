/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The conformance suite (conformance.h) on VT-d: QEMU q35 with intel-iommu and two edu
 * devices (00:01.0, 00:02.0), the service with smmu-vtd.so on unit dmar0 at 0xfed90000.
 * Run as `test-vtd-conformance queued` (invalidation through the queue, which QEMU offers),
 * `register` (through the registers, by `register-invalidation`), so that both invalidation
 * paths meet real DMA and QEMU's caches, or `dmar` (the unit and device scopes discovered
 * from the board's ACPI DMAR, as on a real machine).
 */
#include <stdio.h>
#include <string.h>

#include "backends/vtd/vtd-regs.h"
#include "conformance.h"

#ifndef VTD_MODULE_DIR
#error "VTD_MODULE_DIR must name the folder of smmu-vtd.so"
#endif

/* What the hardware must have written for a refused DMA (VT-d 11.4.14, appendix A): F set,
 * the device's source-id, T = 1 for a read, and the fault reason QEMU's model uses (a
 * second-level entry without the permission, present or not, is reason 5 for a write and
 * 6 for a read; a device with no context entry is reason 2). */
static const char *vtd_check_raw(const struct conf_platform *platform, uint64_t raw,
				 unsigned device, bool write, enum conf_why why)
{
	static char text[160];
	const struct smmu_devid_pci *pci = &platform->devid[device].pci;
	unsigned sid = pci->bus << 8 | pci->dev << 3 | pci->func;
	unsigned reason = (unsigned)FIELD_GET(VTD_FRCD_1_FR, raw);
	unsigned want = 0;

	if (!(raw & VTD_FRCD_1_F)) {
		return "F (fault) is clear";
	}
	if (FIELD_GET(VTD_FRCD_1_SID, raw) != sid) {
		snprintf(text, sizeof(text), "source-id 0x%04x, expected 0x%04x",
			 (unsigned)FIELD_GET(VTD_FRCD_1_SID, raw), sid);
		return text;
	}
	if (!!(raw & VTD_FRCD_1_T) != !write) {
		return write ? "T says read, the DMA wrote" : "T says write, the DMA read";
	}
	switch (why) {
	case CONF_WHY_BLOCKED:
		want = VTD_FR_CONTEXT_ENTRY_P;
		break;
	case CONF_WHY_NOT_MAPPED:
		want = write ? VTD_FR_WRITE : VTD_FR_READ;
		break;
	case CONF_WHY_READ_ONLY:
		want = VTD_FR_WRITE;
		break;
	case CONF_WHY_ANY:
		return NULL;
	}
	if (reason != want) {
		snprintf(text, sizeof(text), "fault reason 0x%x, expected 0x%x", reason, want);
		return text;
	}
	return NULL;
}

#define VTD_PLATFORM(platform_name, unit_params)                                                 \
	{                                                                                        \
		.name = platform_name, .qemu = "qemu-system-x86_64",                             \
		.board_args = {"--edu", "2", NULL},                                              \
		.service_config = "debug 2 smmu vtd unit dmar0 " unit_params,                    \
		.module_dir = VTD_MODULE_DIR,                                                    \
		.devid = {{.pci = {SDT_PCI, 0, 1, 0}}, {.pci = {SDT_PCI, 0, 2, 0}}},             \
		.config_name = {"pci:0:1.0", "pci:0:2.0"}, .board_name = {"00:01.0", "00:02.0"}, \
		.ram_start = 0x1000000, .fault_addr_granule = 4096, .superpage_size = 2u << 20,  \
		.check_raw = vtd_check_raw,                                                      \
	}

static const struct conf_platform vtd_queued =
	VTD_PLATFORM("vtd, queued invalidation", "0xfed90000,include-all");
static const struct conf_platform vtd_register =
	VTD_PLATFORM("vtd, register invalidation", "0xfed90000,include-all,register-invalidation");
/* The unit and its device scopes from the board's own DMAR (firmware/, config/): no `unit`
 * line, `smmu vtd require`. */
static struct conf_platform vtd_dmar =
	VTD_PLATFORM("vtd, units from the DMAR", "0xfed90000,include-all");

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "queued") == 0) {
		return conformance_run(&vtd_queued);
	}
	if (argc == 2 && strcmp(argv[1], "register") == 0) {
		return conformance_run(&vtd_register);
	}
	if (argc == 2 && strcmp(argv[1], "dmar") == 0) {
		vtd_dmar.service_config = "debug 2 smmu vtd require";
		vtd_dmar.firmware_table = "DMAR";
		vtd_dmar.firmware_option = "--dmar";
		return conformance_run(&vtd_dmar);
	}
	fprintf(stderr, "usage: test-vtd-conformance queued|register|dmar\n");
	return 2;
}
