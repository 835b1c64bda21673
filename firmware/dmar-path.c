/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Turning a DMAR device-scope path into the requester ID of the device it
 * names (VT-d spec §8.3.1.1, "Reporting Scope for Devices behind PCI
 * Bridges"): the first (device, function) is on the start bus; each later one
 * is on the secondary bus of the bridge before it, which only PCI
 * configuration space knows.  This file reads no configuration space itself;
 * the caller passes a reader (hw/ on a machine, a fake in tests).
 */
#include "dmar.h"

#include <errno.h>

/* PCI Local Bus spec 3.0 §6.1: 32 devices per bus, 8 functions per device. */
#define PCI_DEVICE_LAST 31
#define PCI_FUNCTION_LAST 7

/*
 * Resolves `scope` on `segment` to the bus, device and function it names.
 * A one-entry path needs nothing else; a longer one asks
 * `read_secondary_bus` (may be NULL) for the secondary bus of each bridge on
 * the way.  The reader is called only with bridges the path names.
 *
 * Returns 0 and fills *ret_bdf; -EOPNOTSUPP when the path walks through
 * bridges and no reader was given; -EINVAL for a path entry that is not a
 * valid device or function, or an empty path; -ENODEV when a bridge reports
 * secondary bus 0 (not configured); or the reader's error.
 */
int fw_dmar_scope_resolve(const struct fw_dmar_scope *scope, uint16_t segment,
			  fw_pci_read_secondary_bus_fn read_secondary_bus, void *ctx,
			  struct fw_pci_bdf *ret_bdf)
{
	struct fw_pci_bdf bdf = {.segment = segment, .bus = scope->start_bus};

	if (scope->path_count == 0 || scope->path_count > SMMU_FW_DMAR_MAX_PATH) {
		return -EINVAL;
	}
	for (size_t i = 0; i < scope->path_count; i++) {
		if (scope->path[i].device > PCI_DEVICE_LAST ||
		    scope->path[i].function > PCI_FUNCTION_LAST) {
			return -EINVAL;
		}
	}
	if (scope->path_count > 1 && !read_secondary_bus) {
		return -EOPNOTSUPP;
	}
	for (size_t i = 0; i < scope->path_count; i++) {
		bdf.device = scope->path[i].device;
		bdf.function = scope->path[i].function;
		if (i + 1 < scope->path_count) {
			uint8_t secondary = 0;
			int r = read_secondary_bus(ctx, bdf, &secondary);

			if (r < 0) {
				return r;
			}
			if (secondary == 0) {
				return -ENODEV;
			}
			bdf.bus = secondary;
		}
	}
	*ret_bdf = bdf;
	return 0;
}
