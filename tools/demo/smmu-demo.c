/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smmu-demo: what `make run` shows a newcomer, as a driver would do it.
 *
 *   smmu-demo SMMU_BOARD SMMUCTL
 *
 * With smmuman running on the q35 board (SMMUMAN_SOCKET names its socket,
 * SMMU_BOARD_DIR the board), it maps an 8 KiB buffer for the edu device at
 * 00:01.0 through libsmmu, has the device write into it (the DMA arrives),
 * then read from an address nobody mapped (the IOMMU refuses it), prints
 * the fault record the service delivers, and shows `smmuctl status`.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <smmu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* Inside the board's RAM and the edu's 28-bit DMA reach, clear of the
 * tables the service keeps at 0xc000000. */
#define DEMO_BUFFER 0x2000000u
#define DEMO_UNMAPPED 0x3000000u

static int run(const char *what, const char *command)
{
	int status;

	printf("\n--- %s\n$ %s\n", what, command);
	fflush(stdout);
	status = system(command);
	return status == -1 ? -1 : WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	struct smmu_map_entry buffer = {.phys = DEMO_BUFFER, .len = 0x2000};
	struct sigevent event = {.sigev_notify = SIGEV_NONE};
	struct smmu_object *object;
	struct smmu_status fault;
	struct pollfd pfd;
	char command[512];
	int faults = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: smmu-demo SMMU_BOARD SMMUCTL\n");
		return 2;
	}
	printf("--- a driver connects: smmu_init, smmu_obj_create, smmu_device_add_pci(00:01.0),\n"
	       "    smmu_mapping_add(0x%x, 8 KiB, read+write), smmu_xfer_notify\n",
	       DEMO_BUFFER);
	if (smmu_init(0) < 0 || !(object = smmu_obj_create(SOCF_NONE)) ||
	    smmu_device_add_pci(object, 0, 1, 0) < 0 ||
	    smmu_mapping_add(object, SMF_READ | SMF_WRITE, 0, 1, &buffer, 0) < 0 ||
	    smmu_xfer_notify(&event) < 0) {
		fprintf(stderr, "smmu-demo: %s\n", strerror(errno));
		return 1;
	}
	snprintf(command, sizeof(command),
		 "%s dma --device 00:01.0 --from-device --iova 0x%x --len 32 --pattern 0x5a "
		 "--bounce 0x%x",
		 argv[1], DEMO_BUFFER, DEMO_BUFFER + 0x1000);
	if (run("the device writes 32 bytes into the mapped buffer: they arrive", command) != 0) {
		fprintf(stderr, "smmu-demo: the allowed DMA did not arrive\n");
		return 1;
	}
	snprintf(command, sizeof(command),
		 "%s dma --device 00:01.0 --to-device --iova 0x%x --len 32", argv[1],
		 DEMO_UNMAPPED);
	run("the device reads 0x3000000, which nobody mapped: the IOMMU refuses it", command);

	printf("\n--- the fault record the service delivers (smmu_xfer_status)\n");
	pfd = (struct pollfd){.fd = smmu_xfer_fd(), .events = POLLIN};
	while (poll(&pfd, 1, faults ? 0 : 5000) == 1 && smmu_xfer_status(&fault) == 1) {
		printf("device pci:%u:%u.%u  address 0x%" PRIx64 "  hw_specific 0x%016" PRIx64
		       "%s\n",
		       fault.devid.pci.bus, fault.devid.pci.dev, fault.devid.pci.func,
		       fault.fault_addr, fault.hw_specific,
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
