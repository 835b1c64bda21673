/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smmu-demo: what `make run` shows a newcomer, as a driver would do it.
 *
 *   smmu-demo SMMU_BOARD SMMUCTL
 *
 * With smmuman running on a board (SMMUMAN_SOCKET names its socket; SMMU_BOARD_DIR,
 * SMMU_BOARD_RAM_BASE and SMMU_BOARD_MACHINE come from `smmu-board start`), it maps an
 * 8 KiB buffer for the edu device at 00:01.0 through libsmmu, has the device write into it
 * (the DMA arrives), then read from an address nobody mapped (the IOMMU refuses it), prints
 * the fault records the service delivers with the board's raw record decoded, and shows
 * `smmuctl status`.  The same program serves q35 (RAM at 0) and virt (RAM at 1 GiB): its
 * addresses are offsets into the board's RAM.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <smmu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "backends/smmuv3/smmuv3-regs.h"
#include "backends/vtd/vtd-regs.h"

/* Offsets into the board's RAM: inside the edu's DMA reach (28 bits on q35) and clear of
 * the tables the service keeps 192 MiB in (SMMU_BOARD_TABLES). */
#define DEMO_BUFFER_OFFSET 0x2000000u
#define DEMO_UNMAPPED_OFFSET 0x3000000u

/* After the first fault record, how long to wait for more: QEMU's SMMUv3 reports a refused
 * DMA in 4-byte pieces, one event each, and the service drains its event queue every
 * 10 ms, so the records of one DMA can come in more than one batch. */
#define DEMO_MORE_FAULTS_MS 200
static int run(const char *what, const char *command)
{
	int status;

	printf("\n--- %s\n$ %s\n", what, command);
	fflush(stdout);
	status = system(command);
	return status == -1 ? -1 : WEXITSTATUS(status);
}

/* The board's RAM base from its environment (SMMU_BOARD_RAM_BASE, as `smmu-board start`
 * prints it).  Return: 0, or -EINVAL when it is missing or not a number. */
static int board_ram_base(uint64_t *ret_base)
{
	const char *text = getenv("SMMU_BOARD_RAM_BASE");
	char *end;

	if (!text || !*text) {
		return -EINVAL;
	}
	errno = 0;
	unsigned long long base = strtoull(text, &end, 0);

	if (errno || *end) {
		return -EINVAL;
	}
	*ret_base = base;
	return 0;
}

/* The raw record in a few words, for the board's IOMMU: the VT-d fault recording
 * register's upper half (VT-d 11.4.14) or the first 64 bits of an SMMUv3 event (IHI 0070
 * 7.3). */
static void describe_raw(uint64_t raw, char *text, size_t size)
{
	const char *machine = getenv("SMMU_BOARD_MACHINE");

	text[0] = '\0';
	if (machine && strcmp(machine, "q35") == 0) {
		snprintf(text, size, "VT-d fault record: source-id 0x%04x, %s, reason %u",
			 (unsigned)FIELD_GET(VTD_FRCD_1_SID, raw),
			 raw & VTD_FRCD_1_T ? "read" : "write",
			 (unsigned)FIELD_GET(VTD_FRCD_1_FR, raw));
	} else if (machine && strcmp(machine, "virt") == 0) {
		unsigned id = (unsigned)FIELD_GET(EVT_0_ID, raw);

		snprintf(text, size, "SMMUv3 event 0x%02x%s, StreamID 0x%x", id,
			 id == EVT_F_TRANSLATION  ? " (F_TRANSLATION)"
			 : id == EVT_F_PERMISSION ? " (F_PERMISSION)"
						  : "",
			 (unsigned)FIELD_GET(EVT_0_SID, raw));
	}
}

int main(int argc, char **argv)
{
	struct sigevent event = {.sigev_notify = SIGEV_NONE};
	struct smmu_object *object;
	struct smmu_status fault;
	struct pollfd pfd;
	char command[512], raw_text[128];
	uint64_t ram_base;
	int faults = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: smmu-demo SMMU_BOARD SMMUCTL\n");
		return 2;
	}
	if (board_ram_base(&ram_base) < 0) {
		fprintf(stderr, "smmu-demo: SMMU_BOARD_RAM_BASE is not set to a number: run it in "
				"the environment `smmu-board start` prints\n");
		return 2;
	}
	uint64_t buffer_pa = ram_base + DEMO_BUFFER_OFFSET;
	uint64_t unmapped = ram_base + DEMO_UNMAPPED_OFFSET;
	struct smmu_map_entry buffer = {.phys = buffer_pa, .len = 0x2000};

	printf("--- a driver connects: smmu_init, smmu_obj_create, smmu_device_add_pci(00:01.0),\n"
	       "    smmu_mapping_add(0x%" PRIx64 ", 8 KiB, read+write), smmu_xfer_notify\n",
	       buffer_pa);
	if (smmu_init(0) < 0 || !(object = smmu_obj_create(SOCF_NONE)) ||
	    smmu_device_add_pci(object, 0, 1, 0) < 0 ||
	    smmu_mapping_add(object, SMF_READ | SMF_WRITE, 0, 1, &buffer, 0) < 0 ||
	    smmu_xfer_notify(&event) < 0) {
		fprintf(stderr, "smmu-demo: %s\n", strerror(errno));
		return 1;
	}
	snprintf(command, sizeof(command),
		 "%s dma --device 00:01.0 --from-device --iova 0x%" PRIx64
		 " --len 32 --pattern 0x5a --bounce 0x%" PRIx64,
		 argv[1], buffer_pa, buffer_pa + 0x1000);
	if (run("the device writes 32 bytes into the mapped buffer: they arrive", command) != 0) {
		fprintf(stderr, "smmu-demo: the allowed DMA did not arrive\n");
		return 1;
	}
	snprintf(command, sizeof(command),
		 "%s dma --device 00:01.0 --to-device --iova 0x%" PRIx64 " --len 32", argv[1],
		 unmapped);
	snprintf(raw_text, sizeof(raw_text),
		 "the device reads 0x%" PRIx64 ", which nobody mapped: the IOMMU refuses it",
		 unmapped);
	run(raw_text, command);

	printf("\n--- the fault records the service delivers (smmu_xfer_status)\n");
	pfd = (struct pollfd){.fd = smmu_xfer_fd(), .events = POLLIN};
	while (poll(&pfd, 1, faults ? DEMO_MORE_FAULTS_MS : 5000) == 1 &&
	       smmu_xfer_status(&fault) == 1) {
		describe_raw(fault.hw_specific, raw_text, sizeof(raw_text));
		printf("device pci:%u:%u.%u  address 0x%" PRIx64 "  hw_specific 0x%016" PRIx64
		       "%s%s%s\n",
		       fault.devid.pci.bus, fault.devid.pci.dev, fault.devid.pci.func,
		       fault.fault_addr, fault.hw_specific, raw_text[0] ? "  " : "", raw_text,
		       fault.flags & SSF_DROPPED_FAULTS ? "  (records were dropped)" : "");
		faults++;
	}
	if (faults == 0) {
		fprintf(stderr, "smmu-demo: no fault record arrived\n");
		return 1;
	}
	snprintf(command, sizeof(command), "%s status", argv[2]);
	run("what the service holds now", command);
	smmu_obj_destroy(object);
	smmu_fini();
	return 0;
}
