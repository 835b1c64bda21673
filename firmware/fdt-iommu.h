/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoder of what a flattened device tree says about ARM SMMUv3 units, as
 * plain data: the SMMUv3 nodes (compatible "arm,smmu-v3", Linux binding
 * iommu/arm,smmu-v3.yaml), the PCI host bridges with the `iommu-map` that
 * turns a requester ID into a StreamID (binding pci/pci-iommu.txt), and the
 * device nodes whose `iommus` property names their StreamIDs (binding
 * iommu/iommu.txt), and the reserved-memory regions whose `iommu-addresses`
 * tie memory or IOVA ranges to such devices.
 *
 * The blob is untrusted (/sys/firmware/fdt, a --fdt file, a fuzzer): it is
 * checked whole with libfdt's fdt_check_full() before anything is read, and
 * every property's length is checked against what the binding says it holds.
 * Register addresses are translated to CPU physical addresses through the
 * parents' #address-cells, #size-cells and `ranges`.  References to IOMMUs
 * that are not SMMUv3 (an SMMUv2, a virtio-iommu) are kept and marked, not
 * followed.  It decides no policy: which of this the configuration uses, and
 * what the user overrides, is for its callers.
 */
#ifndef SMMU_FIRMWARE_FDT_IOMMU_H
#define SMMU_FIRMWARE_FDT_IOMMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/limits.h"
#include "firmware/fw-error.h"

/* The compatible string of an SMMUv3 node. */
#define FW_FDT_SMMUV3_COMPATIBLE "arm,smmu-v3"

/* smmu_index of a reference to an IOMMU node that is not an SMMUv3. */
#define FW_FDT_OTHER_IOMMU UINT32_MAX

/* Whether a node's first `reg` entry gave a CPU physical address. */
enum fw_fdt_reg_state {
	FW_FDT_REG_OK,
	FW_FDT_REG_ABSENT, /* no `reg` property */
	/* A parent bus without `ranges`, with no range that covers the address,
	 * or with addresses wider than 64 bits (a PCI bus's 3 cells). */
	FW_FDT_REG_UNTRANSLATABLE,
};

/* A node's first `reg` entry, translated to a CPU physical address. */
struct fw_fdt_reg {
	enum fw_fdt_reg_state state;
	uint64_t start; /* valid when state is FW_FDT_REG_OK */
	uint64_t size;	/* may be 0 (#size-cells = 0); start + size does not wrap */
};

/* An index range into one of the arrays of struct fw_fdt_iommu. */
struct fw_fdt_range {
	uint32_t first;
	uint32_t count;
};

/* An SMMUv3 node.  Its `reg` is always FW_FDT_REG_OK and #iommu-cells 1. */
struct fw_fdt_smmu {
	char path[SMMU_FW_FDT_MAX_PATH];
	uint32_t offset;  /* of the node, in bytes from the start of the blob */
	uint32_t phandle; /* 0 when it has none (nothing can refer to it) */
	struct fw_fdt_reg reg;
	bool available; /* `status` absent, "okay" or "ok" */
};

/*
 * One `iommu-map` entry: requester IDs [rid_base, rid_base + length) (after
 * the bridge's iommu-map-mask) reach the IOMMU as StreamIDs
 * [sid_base, sid_base + length).  Neither range wraps and length > 0.
 */
struct fw_fdt_iommu_map_entry {
	uint32_t rid_base;
	uint32_t iommu_phandle;
	uint32_t smmu_index; /* into smmus[], or FW_FDT_OTHER_IOMMU */
	uint32_t sid_base;
	uint32_t length;
};

/* A PCI host bridge: a node with device_type "pci" or compatible
 * "pci-host-ecam-generic" that is not inside another PCI node. */
struct fw_fdt_pci_host {
	char path[SMMU_FW_FDT_MAX_PATH];
	uint32_t offset;
	/* `linux,pci-domain`, or else the lowest number no bridge states and
	 * no earlier bridge got, in tree order (what Linux allocates). */
	uint32_t domain;
	bool domain_from_property;
	uint8_t bus_start, bus_last; /* `bus-range`, 0..255 when absent */
	struct fw_fdt_reg reg;	     /* the ECAM window on generic hosts */
	bool has_iommu_map;	     /* map may still be empty: no SMMU */
	uint32_t iommu_map_mask;     /* 0xffffffff when absent */
	bool has_iommu_map_mask;
	struct fw_fdt_range map; /* into map_entries[] */
	bool available;
};

/* One (IOMMU, StreamID) pair of an `iommus` property. */
struct fw_fdt_stream {
	uint32_t iommu_phandle;
	uint32_t smmu_index; /* into smmus[], or FW_FDT_OTHER_IOMMU */
	/* The StreamID; for another IOMMU its first specifier cell (0 when it
	 * has #iommu-cells = 0). */
	uint32_t sid;
};

/* A device node with an `iommus` property. */
struct fw_fdt_master {
	char path[SMMU_FW_FDT_MAX_PATH];
	uint32_t offset;
	struct fw_fdt_reg reg;
	struct fw_fdt_range streams; /* into streams[], count >= 1 */
	bool available;
};

/* master_index of an iommu-addresses entry naming a node without `iommus`. */
#define FW_FDT_NO_MASTER UINT32_MAX

/* One `iommu-addresses` entry: the device it is for, and the IOVA range
 * [iova, iova + size) in that device's address space (size > 0, no wrap). */
struct fw_fdt_iommu_address {
	uint32_t device_phandle;
	uint32_t master_index; /* into masters[], or FW_FDT_NO_MASTER */
	uint64_t iova;
	uint64_t size;
};

/*
 * A child of /reserved-memory with an `iommu-addresses` property (binding
 * reserved-memory/reserved-memory.yaml, Linux 6.3): with `reg`, memory
 * firmware set up for the devices it names (an IOVA equal to `reg` is an
 * identity mapping to keep); without, IOVA ranges those devices must not
 * be given.
 */
struct fw_fdt_reserved {
	char path[SMMU_FW_FDT_MAX_PATH];
	uint32_t offset;
	struct fw_fdt_reg reg;	       /* FW_FDT_REG_ABSENT for an IOVA reservation */
	struct fw_fdt_range addresses; /* into iommu_addresses[], count >= 1 */
	bool available;
};

/*
 * A decoded tree.  Owner: the caller; every array belongs to this struct and
 * fw_fdt_iommu_fini() frees them all.  Arrays are NULL when their count is 0.
 * Each array is in tree order.
 */
struct fw_fdt_iommu {
	uint32_t total_size; /* the header's totalsize */
	struct fw_fdt_smmu *smmus;
	size_t smmu_count;
	struct fw_fdt_pci_host *pci_hosts;
	size_t pci_host_count;
	struct fw_fdt_iommu_map_entry *map_entries;
	size_t map_entry_count;
	struct fw_fdt_master *masters;
	size_t master_count;
	struct fw_fdt_stream *streams;
	size_t stream_count;
	struct fw_fdt_reserved *reserved;
	size_t reserved_count;
	struct fw_fdt_iommu_address *iommu_addresses;
	size_t iommu_address_count;
	/* Nodes with an `iommu-map` that are not PCI host bridges (an fsl-mc
	 * bus, a nested bridge): their map is not decoded. */
	size_t ignored_iommu_map_count;
};

int fw_fdt_iommu_parse(const void *blob, size_t size, struct fw_fdt_iommu *ret_fdt,
		       struct fw_error *err);
void fw_fdt_iommu_fini(struct fw_fdt_iommu *fdt);

/* The StreamID that requester ID `rid` of `host` reaches the SMMU with:
 * 0 and *ret_entry (the map entry used), or -ENOENT when no entry maps it. */
int fw_fdt_pci_rid_to_sid(const struct fw_fdt_iommu *fdt, const struct fw_fdt_pci_host *host,
			  uint32_t rid, uint32_t *ret_sid, size_t *ret_entry);

#endif
